//! Column definition packets (Protocol::ColumnDefinition41), read and
//! rebuilt without touching what follows the names (MariaDB's extended
//! metadata, character set, length, type, flags, decimals).

use super::packet::{lenenc_int, put_lenenc_bytes};

/// `ZEROFILL_FLAG`: numbers are padded with zeros to the column's width.
pub const ZEROFILL_FLAG: u16 = 0x0040;
/// UNSIGNED_FLAG: an integer column without a sign.
pub const UNSIGNED_FLAG: u16 = 0x0020;
/// The flags a column loses when the server builds the result in a
/// temporary table: PRI_KEY, UNIQUE_KEY, MULTIPLE_KEY, AUTO_INCREMENT and
/// PART_KEY.
pub const KEY_FLAGS: u16 = 0x0002 | 0x0004 | 0x0008 | 0x0200 | 0x4000;

/// A column definition's names, borrowed from its payload.
#[derive(Debug, Clone, Copy)]
pub struct ColumnDef<'a> {
    /// catalog, schema, table, org_table, name, org_name.
    pub names: [&'a [u8]; 6],
    /// Everything after the names.
    pub rest: &'a [u8],
}

/// Indexes into [`ColumnDef::names`].
pub const SCHEMA: usize = 1;
/// The table (or alias) the column is known by in the query.
pub const TABLE: usize = 2;
/// The table the column belongs to.
pub const ORG_TABLE: usize = 3;
/// The column's name in the result (its alias).
pub const NAME: usize = 4;
/// The column's own name.
pub const ORG_NAME: usize = 5;

/// Length of the fixed block that ends a result set's column definition:
/// 0x0c, charset (2), length (4), type (1), flags (2), decimals (1), filler (2).
const FIXED: usize = 13;

impl<'a> ColumnDef<'a> {
    /// Reads a column definition; `None` when it is not one.
    pub fn parse(payload: &'a [u8]) -> Option<ColumnDef<'a>> {
        let mut pos = 0;
        let mut names: [&[u8]; 6] = [&[]; 6];
        for n in &mut names {
            let len = lenenc_int(payload, &mut pos)? as usize;
            *n = payload.get(pos..pos + len)?;
            pos += len;
        }
        let rest = &payload[pos..];
        (rest.len() >= FIXED).then_some(ColumnDef { names, rest })
    }

    fn fixed(&self) -> &'a [u8] {
        &self.rest[self.rest.len() - FIXED..]
    }

    /// The column flags.
    pub fn flags(&self) -> u16 {
        let f = self.fixed();
        u16::from_le_bytes([f[8], f[9]])
    }

    /// The column length (display width for numbers).
    pub fn length(&self) -> u32 {
        let f = self.fixed();
        u32::from_le_bytes([f[3], f[4], f[5], f[6]])
    }

    /// The column type (MYSQL_TYPE_*).
    pub fn column_type(&self) -> u8 {
        self.fixed()[7]
    }

    /// Sets the flags of the definition in `payload` (one that parses).
    pub fn set_flags(payload: &mut [u8], flags: u16) {
        let at = payload.len() - FIXED + 8;
        payload[at..at + 2].copy_from_slice(&flags.to_le_bytes());
    }

    /// The payload of a definition with these names and `rest`.
    pub fn encode(names: [&[u8]; 6], rest: &[u8]) -> Vec<u8> {
        let mut out =
            Vec::with_capacity(rest.len() + names.iter().map(|n| n.len() + 1).sum::<usize>());
        for n in names {
            put_lenenc_bytes(&mut out, n);
        }
        out.extend_from_slice(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_replaced_and_the_rest_kept() {
        let mut p = Vec::new();
        for s in ["def", "db", "t", "t", "c", "c"] {
            put_lenenc_bytes(&mut p, s.as_bytes());
        }
        p.extend_from_slice(&[0x0c, 33, 0, 6, 0, 0, 0, 3, 0x41, 0, 0, 0, 0]);
        let d = ColumnDef::parse(&p).unwrap();
        assert_eq!(d.names[TABLE], b"t");
        assert_eq!(d.length(), 6);
        assert_eq!(d.flags(), 0x41);
        let mut names = d.names;
        names[NAME] = b"alias";
        let q = ColumnDef::encode(names, d.rest);
        let e = ColumnDef::parse(&q).unwrap();
        assert_eq!(e.names[NAME], b"alias");
        assert_eq!(e.rest, d.rest);
        assert!(ColumnDef::parse(&p[..10]).is_none());
    }
}

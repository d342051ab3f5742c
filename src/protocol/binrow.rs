//! Binary result rows (COM_STMT_EXECUTE): where each value lies, by the
//! column types the definitions gave. A row is 0x00, a NULL bitmap offset
//! by two bits, then the non-NULL values, each as long as its type says.

use std::ops::Range;

use super::packet::lenenc_int;

/// MYSQL_TYPE_NEWDECIMAL.
pub const TYPE_NEWDECIMAL: u8 = 0xf6;
/// MYSQL_TYPE_BIT.
pub const TYPE_BIT: u8 = 0x10;

/// Whether a column type is an integer (TINY, SHORT, LONG, LONGLONG or
/// INT24), sent little-endian in binary rows.
pub fn is_integer(column_type: u8) -> bool {
    matches!(column_type, 0x01 | 0x02 | 0x03 | 0x08 | 0x09)
}

/// The bytes of each value of a binary row as encoded (with its length
/// prefix, if its type has one; `None` for NULL), for columns of `types`;
/// `None` when the payload is not such a row.
pub fn values(payload: &[u8], types: &[u8]) -> Option<Vec<Option<Range<usize>>>> {
    if payload.first() != Some(&0) {
        return None;
    }
    let bitmap = payload.get(1..1 + (types.len() + 9) / 8)?;
    let mut pos = 1 + bitmap.len();
    let mut out = Vec::with_capacity(types.len());
    for (i, &t) in types.iter().enumerate() {
        let bit = i + 2;
        if bitmap[bit / 8] & (1 << (bit % 8)) != 0 {
            out.push(None);
            continue;
        }
        let start = pos;
        match t {
            0x01 => pos += 1,
            0x02 | 0x0d => pos += 2,
            0x03 | 0x09 | 0x04 => pos += 4,
            0x05 | 0x08 => pos += 8,
            0x06 => {}
            0x07 | 0x0a | 0x0b | 0x0c => pos += 1 + *payload.get(pos)? as usize,
            _ => {
                let len = lenenc_int(payload, &mut pos)? as usize;
                pos += len;
            }
        }
        if pos > payload.len() {
            return None;
        }
        out.push(Some(start..pos));
    }
    (pos == payload.len()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_found_by_type_and_nulls_by_the_bitmap() {
        // INT 7, NULL, VARCHAR 'ab', LONGLONG 5, DATETIME (4 bytes).
        let types = [0x03, 0x0f, 0xfd, 0x08, 0x0c];
        let mut row = vec![0, 1 << 3];
        row.extend_from_slice(&7i32.to_le_bytes());
        row.extend_from_slice(&[2, b'a', b'b']);
        row.extend_from_slice(&5u64.to_le_bytes());
        row.extend_from_slice(&[4, 0xe9, 0x07, 1, 2]);
        let v = values(&row, &types).unwrap();
        assert_eq!(v[0], Some(2..6));
        assert_eq!(v[1], None);
        assert_eq!(&row[v[2].clone().unwrap()], b"\x02ab");
        assert_eq!(&row[v[3].clone().unwrap()], &5u64.to_le_bytes());
        assert_eq!(v[4], Some(17..22));
        assert!(values(&row[..row.len() - 1], &types).is_none());
    }
}

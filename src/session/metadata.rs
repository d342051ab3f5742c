//! Result-set metadata of rewritten reads.
//!
//! A changed table is read through its merged view, a derived table, and the
//! source describes a derived table's columns differently from a table's:
//! no database or original table, no key, NOT NULL, ENUM or ZEROFILL flags,
//! types widened by the UNION (ENUM becomes VARCHAR, an `INT(6) ZEROFILL`
//! loses its width and its padding). What the source would have said
//! depends on the query's plan too (a temporary table drops key flags), so
//! the session asks the source itself: it prepares the client's own text
//! (which runs nothing) and takes those definitions for the columns that
//! came from a derived table vdb spliced in, padding ZEROFILL values in text
//! rows as the server pads them. A prepared statement's definitions keep
//! the key flags a result built in a temporary table loses, so `EXPLAIN`
//! of the same text says whether to drop them. The answer is kept per
//! query shape (the text with its literals blanked) and session character
//! set. A table created or altered through vdb is not at the source as vdb
//! has it: its columns are described from its definition
//! ([`super::table_columns`]), and their integers, which the merged view
//! widens to BIGINT, are narrowed to their own width in binary rows (and
//! a source column an ALTER widened, read as it is, extended to it).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::table_columns::{self, Charsets};
use crate::delta::TableMeta;

use crate::protocol::binrow::{self, TYPE_BIT, TYPE_NEWDECIMAL};
use crate::protocol::coldef::{ColumnDef, KEY_FLAGS, NAME, TABLE, UNSIGNED_FLAG, ZEROFILL_FLAG};
use crate::protocol::packet::{lenenc_int, put_lenenc_bytes};
use crate::protocol::response::ResultPatch;
use crate::sql::lexer::{lex, literals_marked, Kind, LexMode};
use crate::sql::literal::bit_bytes;

/// The key a description is kept under: the text with every string and
/// number literal replaced by `?` (a column from a table never depends on
/// them; a literal's own column is never patched).
pub fn shape(sql: &[u8], mode: LexMode) -> Vec<u8> {
    let tokens = lex(sql, mode).tokens;
    literals_marked(sql, &tokens, |i| {
        let t = tokens[i];
        t.kind == Kind::Str || (t.kind == Kind::Word && sql[t.start].is_ascii_digit())
    })
}

/// How the source describes a client query's result.
#[derive(Debug, Default)]
pub struct Description {
    /// The column definitions of its (first) result set.
    pub columns: Vec<Vec<u8>>,
    /// Whether the server builds that result in a temporary table.
    pub temporary: bool,
}

/// Whether EXPLAIN rows (id, select_type, table, type, ..., Extra) say the
/// outer query's result goes through a temporary table.
pub fn uses_temporary(explain: &[Vec<Option<Vec<u8>>>]) -> bool {
    explain.iter().any(|r| {
        r.first().and_then(|v| v.as_deref()) == Some(b"1")
            && r.last()
                .and_then(|v| v.as_deref())
                .is_some_and(|e| e.windows(15).any(|w| w == b"Using temporary"))
    })
}

/// The patch for one rewritten read.
pub struct MetaPatch {
    /// The names the query knows the spliced derived tables by.
    derived: HashSet<String>,
    /// Result columns (by position) that a read in place made expressions:
    /// described by position (only the first result set is patched).
    items: Vec<usize>,
    /// The source's description of the client's own query.
    truth: Arc<Description>,
    /// Whether the response is a result (not PREPARE_OK, whose
    /// definitions keep the key flags).
    executed: bool,
    /// Which result set of the response this is (only the first is the
    /// query's).
    result: usize,
    /// Per column of the current result set: what its values need.
    conv: Vec<Conv>,
    /// Per column of the current result set: its type as the source sent
    /// it (binary rows are walked by these).
    types: Vec<u8>,
    /// Rows will come through COM_STMT_FETCH, which is not patched: BIT
    /// columns keep the number type the merged view gives them.
    pub cursor: bool,
    /// Derived tables (by the name the query knows them by) that read a
    /// table whose definition vdb holds: their columns are described from
    /// it (see [`table_columns`]).
    created: HashMap<String, Arc<TableMeta>>,
    /// The session's character_set_results (`None`: no conversion).
    results: Option<String>,
    charsets: Arc<Charsets>,
}

/// What a patched column's values need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Conv {
    Keep,
    /// A ZEROFILL number padded with zeros to this width (text rows; a
    /// binary row's number is padded by the client).
    Pad(usize),
    /// A BIT column read as a number by the merged view: back to its
    /// bytes, this many.
    Bits(usize),
    /// An integer the merged view widened (to BIGINT): back to this many
    /// bytes in binary rows, as its own type travels.
    Width(usize),
    /// Both: a ZEROFILL integer padded in text rows to the first width,
    /// narrowed in binary rows to the second number of bytes.
    PadWidth(usize, usize),
    /// An integer narrower than the column's own type (a source column an
    /// ALTER widened, read through a projection): extended to this many
    /// bytes in binary rows, with its sign when `signed`.
    Extend {
        width: usize,
        signed: bool,
    },
    /// An integer the merged view gave as a DECIMAL (a YEAR spelled over
    /// by a literal): in binary rows, its digits back to an integer of
    /// this many bytes (text rows carry the same digits either way).
    Digits(usize),
}

/// How a value of a type travels in a binary row, for types that are not
/// integers: 4- or 8-byte floats, date and time structures, or
/// length-prefixed bytes.
fn encoding(column_type: u8) -> u8 {
    match column_type {
        0x04 => 4,
        0x05 => 8,
        0x07 | 0x0a | 0x0c => 12,
        0x0b => 11,
        0x01 | 0x02 | 0x03 | 0x08 | 0x09 | 0x0d => 1,
        _ => 0,
    }
}

/// The bytes an integer type takes in a binary row.
fn int_width(column_type: u8) -> Option<usize> {
    match column_type {
        0x01 => Some(1),
        0x02 | 0x0d => Some(2),
        0x03 | 0x09 => Some(4),
        0x08 => Some(8),
        _ => None,
    }
}

impl MetaPatch {
    /// A patch for a read that spliced in derived tables known by `derived`,
    /// whose client text the source describes as `truth`; `executed` for a
    /// result, false for PREPARE_OK.
    pub fn new(derived: &[String], truth: Arc<Description>, executed: bool) -> MetaPatch {
        MetaPatch {
            derived: derived.iter().cloned().collect(),
            items: Vec::new(),
            truth,
            executed,
            result: 0,
            conv: Vec::new(),
            types: Vec::new(),
            cursor: false,
            created: HashMap::new(),
            results: None,
            charsets: Arc::default(),
        }
    }

    /// The patch also describes the result columns at positions `items`
    /// (expressions a read in place wrote for changed columns, see
    /// [`crate::sql::in_place`]) as the client's own query's.
    pub fn with_items(mut self, items: &[usize]) -> MetaPatch {
        self.items = items.to_vec();
        self
    }

    /// The patch also describes the columns of derived tables that read a
    /// table vdb holds the definition of (`created`: the name the query
    /// knows each by, and the definition), in the session's result
    /// character set `results`.
    pub fn with_created(
        mut self,
        created: &[(String, Arc<TableMeta>)],
        results: Option<String>,
        charsets: Arc<Charsets>,
    ) -> MetaPatch {
        self.created = created.iter().cloned().collect();
        self.results = results;
        self.charsets = charsets;
        self
    }

    /// A column of a derived table over a table vdb holds the definition
    /// of, described from that definition.
    fn described(&self, got: &ColumnDef) -> Option<(Vec<u8>, Conv)> {
        let meta = self
            .created
            .get(String::from_utf8_lossy(got.names[TABLE]).as_ref())?;
        let out = table_columns::definition(meta, got, self.results.as_deref(), &self.charsets)?;
        let truth = ColumnDef::parse(&out)?;
        let conv = self.conversion(&truth, got, true)?;
        let flags = truth.flags();
        Some((self.delivered(out, flags), conv))
    }

    /// What the values of a column need, the client being told `truth`
    /// where the merged view gave `got`; `None` when they cannot be made
    /// to match (the column is then left as it came). `retyped`: `truth`
    /// is vdb's own, whose type may differ from `got`'s (integers the
    /// merged view widened are narrowed; other types must travel alike).
    fn conversion(&self, truth: &ColumnDef, got: &ColumnDef, retyped: bool) -> Option<Conv> {
        let conv = if truth.column_type() == TYPE_BIT && got.column_type() != TYPE_BIT {
            if self.cursor || !binrow::is_integer(got.column_type()) {
                return None;
            }
            Conv::Bits((truth.length() as usize).div_ceil(8).max(1))
        } else if !retyped {
            Conv::Keep
        } else {
            let (from, to) = (got.column_type(), truth.column_type());
            match (int_width(from), int_width(to)) {
                // Values travel as the merged view's type: narrowed to the
                // column's own (they fit it).
                (Some(a), Some(b)) if a > b && !self.cursor => Conv::Width(b),
                (Some(a), Some(b)) if a == b => Conv::Keep,
                // A cursor's rows are not patched: its values travel as
                // wide as the merged view made them, so the column keeps
                // that type (its own would make them unreadable).
                (Some(a), Some(b)) if a > b => return None,
                (Some(_), Some(b)) if !self.cursor => Conv::Extend {
                    width: b,
                    signed: got.flags() & UNSIGNED_FLAG == 0,
                },
                (Some(_), Some(_)) => return None,
                (None, Some(b)) if from == TYPE_NEWDECIMAL && !self.cursor => Conv::Digits(b),
                // Only NULLs (a bare NULL is a NULL or an empty string
                // column), or one binary encoding for both.
                _ if from == 0x06 || got.length() == 0 || encoding(from) == encoding(to) => {
                    Conv::Keep
                }
                _ => return None,
            }
        };
        // ZEROFILL values come from the merged view unpadded.
        let width = truth.length() as usize;
        Some(match conv {
            _ if truth.flags() & ZEROFILL_FLAG == 0 || got.flags() & ZEROFILL_FLAG != 0 => conv,
            Conv::Keep => Conv::Pad(width),
            Conv::Width(b) => Conv::PadWidth(width, b),
            other => other,
        })
    }

    /// The definition the client gets: without key flags when the server
    /// builds the result in a temporary table.
    fn delivered(&self, mut out: Vec<u8>, flags: u16) -> Vec<u8> {
        if self.truth.temporary && self.executed {
            ColumnDef::set_flags(&mut out, flags & !KEY_FLAGS);
        }
        out
    }

    fn patched(&self, index: usize, payload: &[u8]) -> Option<(Vec<u8>, Conv)> {
        let got = ColumnDef::parse(payload)?;
        // A derived table's columns come without an original table, or,
        // when the source merged it into the query (see
        // `TableDelta::projected_sql`'s in-place form), as the table's but
        // with the query's alias for their original name. Either way the
        // client's own query describes them. (Expressions over them,
        // `MAX(id)`, come without a table and are left as they come: the
        // server's PREPARE describes expressions differently from their
        // results.)
        // A column a read in place made an expression has no table: it is
        // known by its position, and its name.
        let by_position = self.items.contains(&index);
        if !by_position
            && !self
                .derived
                .contains(String::from_utf8_lossy(got.names[TABLE]).as_ref())
        {
            return None;
        }
        if !self.created.is_empty() {
            if let Some(d) = self.described(&got) {
                return Some(d);
            }
        }
        let payload = self.truth.columns.get(index)?;
        let truth = ColumnDef::parse(payload)?;
        if truth.names[NAME] != got.names[NAME]
            || (!by_position && truth.names[TABLE] != got.names[TABLE])
        {
            return None;
        }
        // The in-place form's CASE may give a column another type than
        // the table's (wider integers, a YEAR as DECIMAL).
        let retyped = truth.column_type() != got.column_type();
        let conv = self.conversion(&truth, &got, retyped)?;
        Some((self.delivered(payload.clone(), truth.flags()), conv))
    }

    fn text_row(&self, payload: &[u8]) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(payload.len() + 16);
        let mut pos = 0;
        for conv in &self.conv {
            if payload.get(pos) == Some(&0xFB) {
                out.push(0xFB);
                pos += 1;
                continue;
            }
            let len = lenenc_int(payload, &mut pos)? as usize;
            let value = payload.get(pos..pos + len)?;
            pos += len;
            match conv {
                Conv::Pad(width) | Conv::PadWidth(width, _) if value.len() < *width => {
                    let mut padded = vec![b'0'; width - value.len()];
                    padded.extend_from_slice(value);
                    put_lenenc_bytes(&mut out, &padded);
                }
                Conv::Bits(width) => {
                    let n = std::str::from_utf8(value).ok()?.parse::<u64>().ok()?;
                    put_lenenc_bytes(&mut out, &bit_bytes(n, *width)?);
                }
                _ => put_lenenc_bytes(&mut out, value),
            }
        }
        (pos == payload.len()).then_some(out)
    }

    /// A binary row with each BIT column's 8-byte number replaced by its
    /// bytes (length-encoded, as the BIT type travels). The number came
    /// as whatever integer type the source chose for it.
    fn binary_row(&self, payload: &[u8]) -> Option<Vec<u8>> {
        let spans = binrow::values(payload, &self.types)?;
        let header = 1 + (self.types.len() + 9) / 8;
        let mut out = payload[..header].to_vec();
        for (span, conv) in spans.into_iter().zip(&self.conv) {
            let Some(span) = span else { continue };
            let value = &payload[span];
            match conv {
                Conv::Bits(width) => {
                    let n = value
                        .iter()
                        .rev()
                        .fold(0u64, |n, &b| (n << 8) | u64::from(b));
                    put_lenenc_bytes(&mut out, &bit_bytes(n, *width)?);
                }
                // Little-endian: the value fits its own type's width.
                Conv::Width(width) | Conv::PadWidth(_, width) => {
                    out.extend_from_slice(value.get(..*width)?)
                }
                Conv::Extend { width, signed } => {
                    let negative = *signed && value.last().is_some_and(|b| b & 0x80 != 0);
                    out.extend_from_slice(value);
                    let fill = if negative { 0xFF } else { 0 };
                    out.extend(std::iter::repeat_n(fill, width.checked_sub(value.len())?));
                }
                Conv::Digits(width) => {
                    let mut pos = 0;
                    let len = lenenc_int(value, &mut pos)? as usize;
                    let digits = std::str::from_utf8(value.get(pos..pos + len)?).ok()?;
                    let n: i64 = digits.parse().ok()?;
                    out.extend_from_slice(n.to_le_bytes().get(..*width)?)
                }
                _ => out.extend_from_slice(value),
            }
        }
        Some(out)
    }
}

impl ResultPatch for MetaPatch {
    fn column(&mut self, index: usize, payload: &[u8]) -> Option<Vec<u8>> {
        if index == 0 {
            self.result += 1;
            self.conv.clear();
            self.types.clear();
        }
        self.types
            .push(ColumnDef::parse(payload).map_or(0xfd, |d| d.column_type()));
        let patched = (self.result == 1)
            .then(|| self.patched(index, payload))
            .flatten();
        match patched {
            Some((new, conv)) => {
                self.conv.push(conv);
                Some(new)
            }
            None => {
                self.conv.push(Conv::Keep);
                None
            }
        }
    }

    fn rows(&self) -> bool {
        self.conv.iter().any(|c| *c != Conv::Keep)
    }

    fn row(&mut self, payload: &[u8], binary: bool) -> Option<Vec<u8>> {
        if binary {
            if !self.conv.iter().any(|c| {
                matches!(
                    c,
                    Conv::Bits(_)
                        | Conv::Width(_)
                        | Conv::PadWidth(..)
                        | Conv::Digits(_)
                        | Conv::Extend { .. }
                )
            }) {
                return None;
            }
            return self.binary_row(payload);
        }
        if !self
            .conv
            .iter()
            .any(|c| matches!(c, Conv::Bits(_) | Conv::Pad(_) | Conv::PadWidth(..)))
        {
            return None;
        }
        self.text_row(payload)
    }
}

/// A result whose column definitions are another statement's (as the
/// source describes it): a SHOW vdb answers with literal rows gets the
/// columns the server's own SHOW has.
pub struct ColumnsOf(pub Arc<Description>);

impl ResultPatch for ColumnsOf {
    fn column(&mut self, index: usize, payload: &[u8]) -> Option<Vec<u8>> {
        // Only a column of the same name: a MySQL source's SHOW INDEX has
        // other columns than the MariaDB-shaped rows vdb writes.
        let theirs = self.0.columns.get(index)?;
        let name = |p: &[u8]| ColumnDef::parse(p).map(|d| d.names[NAME].to_vec());
        (name(theirs)? == name(payload)?).then(|| theirs.clone())
    }

    fn rows(&self) -> bool {
        false
    }

    fn row(&mut self, _payload: &[u8], _binary: bool) -> Option<Vec<u8>> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(table: &str, org_table: &str, name: &str, len: u32, flags: u16) -> Vec<u8> {
        let mut p = Vec::new();
        let db = if org_table.is_empty() { "" } else { "db" };
        for s in ["def", db, table, org_table, name, name] {
            put_lenenc_bytes(&mut p, s.as_bytes());
        }
        p.extend_from_slice(&[0x0c, 63, 0]);
        p.extend_from_slice(&len.to_le_bytes());
        p.push(3);
        p.extend_from_slice(&flags.to_le_bytes());
        p.extend_from_slice(&[0, 0, 0]);
        p
    }

    #[test]
    fn derived_columns_take_the_sources_description_of_the_clients_query() {
        let truth = Arc::new(Description {
            columns: vec![
                def("x", "t", "id", 6, 0x1 | 0x2 | 0x40),
                def("", "", "1+1", 3, 0),
                def("x", "t", "n", 11, 0x1),
            ],
            temporary: false,
        });
        let mut patch = MetaPatch::new(&["x".to_string()], truth.clone(), true);
        assert_eq!(
            patch.column(0, &def("x", "", "id", 10, 0)),
            Some(truth.columns[0].clone())
        );
        // An expression is left alone.
        assert!(patch.column(1, &def("", "", "1+1", 3, 0)).is_none());
        // A derived table the source merged into the query gives its
        // columns with the table's names: they too take the description.
        assert_eq!(
            patch.column(2, &def("x", "x", "n", 11, 0)),
            Some(truth.columns[2].clone())
        );
        // Another table's column is left alone.
        let mut other = MetaPatch::new(&["x".to_string()], truth.clone(), true);
        assert!(other.column(0, &def("y", "u", "id", 11, 0)).is_none());
        // ZEROFILL values are padded to the width.
        assert!(patch.rows());
        let mut row = Vec::new();
        for v in ["5", "2", "9"] {
            put_lenenc_bytes(&mut row, v.as_bytes());
        }
        let mut want = Vec::new();
        for v in ["000005", "2", "9"] {
            put_lenenc_bytes(&mut want, v.as_bytes());
        }
        assert_eq!(patch.row(&row, false).unwrap(), want);
        // A second result set is not the query's.
        assert!(patch.column(0, &def("x", "", "id", 10, 0)).is_none());
        assert!(!patch.rows());
    }

    #[test]
    fn an_integer_narrower_than_its_column_is_extended_in_binary_rows_with_its_sign() {
        let typed = |ty: u8, flags: u16| {
            let mut d = def("x", "t", "n", 6, flags);
            let at = d.len() - 6;
            d[at] = ty;
            d
        };
        const TINY: u8 = 0x01;
        const SHORT: u8 = 0x02;
        for (flags, want) in [(0, [0xFF, 0xFF]), (UNSIGNED_FLAG, [0xFF, 0x00])] {
            let truth = Arc::new(Description {
                columns: vec![typed(SHORT, flags)],
                temporary: false,
            });
            let mut patch = MetaPatch::new(&["x".to_string()], truth, true);
            // The source column is a TINYINT (-1, or 255 unsigned): the
            // client was told SMALLINT, two bytes.
            assert!(patch.column(0, &typed(TINY, flags)).is_some());
            let row = [0x00, 0x00, 0xFF];
            let mut expected = vec![0x00, 0x00];
            expected.extend(want);
            assert_eq!(patch.row(&row, true).unwrap(), expected);
        }
    }

    #[test]
    fn a_result_built_in_a_temporary_table_has_no_key_flags() {
        let truth = Arc::new(Description {
            columns: vec![def("x", "t", "id", 6, 0x1 | 0x2 | 0x4000)],
            temporary: true,
        });
        let mut patch = MetaPatch::new(&["x".to_string()], truth, true);
        let got = patch.column(0, &def("x", "", "id", 10, 0)).unwrap();
        assert_eq!(ColumnDef::parse(&got).unwrap().flags(), 0x1);
        let row = |extra: &str| vec![Some(b"1".to_vec()), Some(extra.as_bytes().to_vec())];
        assert!(uses_temporary(&[row("Using temporary; Using filesort")]));
        assert!(!uses_temporary(&[row("Using where")]));
    }

    #[test]
    fn a_shape_blanks_literals_only() {
        let s = shape(
            b"SELECT a1, 'x' FROM t WHERE id = 42 AND s = \"q\"",
            LexMode::default(),
        );
        assert_eq!(s, b"SELECT a1, ? FROM t WHERE id = ? AND s = ?".to_vec());
    }
}

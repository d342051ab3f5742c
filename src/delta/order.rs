//! The order in which the source's index keeps a table's key values, where
//! vdb can tell it: what lets a window of a scan's first rows
//! (`TableDelta::window_sql`) place the delta's rows among the source's
//! for keys other than integers.
//!
//! Each key value gets an *image*: bytes whose order is the order the
//! source's collation gives the values. Integers sort as numbers; strings
//! under a binary collation (`_bin`, or the `binary` character set) as
//! their bytes, which for UTF-8 is code point order; strings under the
//! common case-insensitive collations (`utf8mb4_general_ci`,
//! `utf8mb4_unicode_ci`, `latin1_swedish_ci`, ...) as their upper-cased
//! bytes, when they hold only ASCII letters, digits and `-` (UUIDs,
//! codes, slugs), where all of those collations agree with that order
//! (checked against MariaDB 10.11 for each); DATE and DATETIME by their
//! text. Any other value has no image, and the caller falls back to a form
//! in which the source sorts.

use super::int_key;
use crate::sql::literal::Column;
use crate::sql::restrict::is_integer;

/// How one key column's values sort in the source's index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnOrder {
    /// Numerically.
    Integer,
    /// By their bytes. `padded`: trailing spaces do not count (PAD SPACE),
    /// which agrees with byte order only for values without bytes below
    /// the space.
    Bytes { padded: bool },
    /// By their ASCII letters upper-cased, for values of letters, digits
    /// and `-` alone.
    CaseFolded,
}

/// Case-insensitive collations that order ASCII letters, digits and `-`
/// as their upper-cased bytes. Language collations are not among them
/// (Danish `aa`, Czech `ch` are contractions), nor accent- or
/// case-sensitive ones; `latin1_swedish_ci` is, but not the UCA
/// Swedish collations (which may sort V and W alike).
const FOLDED: &[&str] = &[
    "general_ci",
    "general_nopad_ci",
    "unicode_ci",
    "unicode_nopad_ci",
    "unicode_520_ci",
    "unicode_520_nopad_ci",
    "0900_ai_ci",
];

/// Character sets whose collations above behave so (single-byte or UTF-8).
const CHARSETS: &[&str] = &["utf8mb4", "utf8mb3", "utf8", "latin1", "ascii"];

impl ColumnOrder {
    /// The order of a key column of this type, if vdb knows it.
    pub fn of(column: &Column) -> Option<ColumnOrder> {
        if is_integer(column) {
            return Some(ColumnOrder::Integer);
        }
        match column.data_type.as_str() {
            "binary" | "varbinary" => Some(ColumnOrder::Bytes { padded: false }),
            "date" | "datetime" => Some(ColumnOrder::Bytes { padded: false }),
            "char" | "varchar" => {
                let charset = column.charset.as_deref()?;
                let collation = column.collation.as_deref()?;
                if charset == "binary" {
                    return Some(ColumnOrder::Bytes { padded: false });
                }
                let rest = collation.strip_prefix(charset)?.strip_prefix('_')?;
                if !CHARSETS.contains(&charset) {
                    return None;
                }
                if rest == "bin" {
                    Some(ColumnOrder::Bytes { padded: true })
                } else if rest == "nopad_bin" {
                    Some(ColumnOrder::Bytes { padded: false })
                } else if FOLDED.contains(&rest) || (charset == "latin1" && rest == "swedish_ci") {
                    Some(ColumnOrder::CaseFolded)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// Appends the image of `value` to `out`, so that images of whole keys
    /// compare as the keys do: integers as 17 bytes (the map's own
    /// encoding), others escaped and terminated, so that a shorter value
    /// sorts before a longer one it begins. `None` when the value's order
    /// is not known (see the module's doc).
    pub fn image(self, value: &[u8], out: &mut Vec<u8>) -> Option<()> {
        match self {
            ColumnOrder::Integer => {
                let n = std::str::from_utf8(value).ok()?.parse::<i128>().ok()?;
                out.extend_from_slice(&int_key(n));
                return Some(());
            }
            ColumnOrder::Bytes { padded } => {
                if padded && value.iter().any(|&b| b < b' ') {
                    return None;
                }
                for &b in value {
                    // 0 is the terminator's first byte.
                    if b == 0 {
                        out.extend_from_slice(&[0, 0xff]);
                    } else {
                        out.push(b);
                    }
                }
            }
            ColumnOrder::CaseFolded => {
                if !value
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
                {
                    return None;
                }
                out.extend(value.iter().map(u8::to_ascii_uppercase));
            }
        }
        out.extend_from_slice(&[0, 0]);
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(data_type: &str, charset: &str, collation: &str) -> Column {
        Column {
            data_type: data_type.into(),
            column_type: data_type.into(),
            charset: Some(charset.into()),
            collation: Some(collation.into()),
        }
    }

    fn image(order: ColumnOrder, v: &str) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        order.image(v.as_bytes(), &mut out).map(|_| out)
    }

    #[test]
    fn known_collations_have_an_order_and_others_do_not() {
        let of = |cs, co| ColumnOrder::of(&column("varchar", cs, co));
        assert_eq!(
            of("utf8mb4", "utf8mb4_general_ci"),
            Some(ColumnOrder::CaseFolded)
        );
        assert_eq!(
            of("latin1", "latin1_swedish_ci"),
            Some(ColumnOrder::CaseFolded)
        );
        assert_eq!(
            of("utf8mb3", "utf8mb3_unicode_ci"),
            Some(ColumnOrder::CaseFolded)
        );
        assert_eq!(
            of("utf8mb4", "utf8mb4_bin"),
            Some(ColumnOrder::Bytes { padded: true })
        );
        assert_eq!(of("utf8mb4", "utf8mb4_danish_ci"), None);
        assert_eq!(of("utf8mb4", "utf8mb4_czech_ci"), None);
        assert_eq!(of("utf8mb4", "utf8mb4_0900_as_cs"), None);
        assert_eq!(of("ucs2", "ucs2_general_ci"), None);
        assert_eq!(
            ColumnOrder::of(&column("decimal", "", "")),
            None,
            "a DECIMAL's text does not sort as its numbers"
        );
    }

    #[test]
    fn a_case_insensitive_image_sorts_as_the_collation_does() {
        let o = ColumnOrder::CaseFolded;
        let mut values = ["b", "A", "a-", "a0", "_x", "Ab", "ab9", "9z"].to_vec();
        values.retain(|v| image(o, v).is_some());
        assert_eq!(values.len(), 7, "`_` sorts differently in UCA: no image");
        values.sort_by_key(|v| image(o, v));
        assert_eq!(values, ["9z", "A", "a-", "a0", "Ab", "ab9", "b"]);
    }

    #[test]
    fn a_shorter_value_sorts_before_one_it_begins_in_a_composite_key() {
        let o = ColumnOrder::Bytes { padded: false };
        let key = |a: &str, b: i64| {
            let mut out = Vec::new();
            o.image(a.as_bytes(), &mut out).unwrap();
            ColumnOrder::Integer
                .image(b.to_string().as_bytes(), &mut out)
                .unwrap();
            out
        };
        assert!(key("ab", 9) < key("abc", 1));
        assert!(key("ab", 1) < key("ab", 2));
        assert!(key("a\0", 5) > key("a", 7), "an escaped 0 byte is a byte");
        assert_eq!(image(ColumnOrder::Bytes { padded: true }, "a\tb"), None);
    }
}

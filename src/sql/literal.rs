//! Typed SQL literals for values read from the source.
//!
//! The overlay writes captured rows into the client's query as literals, so
//! each value must read back exactly (same bytes in the text protocol, same
//! type where the server allows) whatever the session's sql_mode, character
//! set or escaping rules: strings and bytes go as hex (`_utf8mb4 X'..'
//! COLLATE ..`), numbers as validated digits under an explicit CAST. No
//! byte of a value is ever pasted into SQL unescaped, which is also what
//! makes the rewrite injection-proof.
//!
//! Checked on MariaDB 10.11 (tests/it/facts.rs): in a `UNION ALL` with the
//! real column these keep integer, decimal, float, double, date, datetime,
//! time, string (with its collation), binary, blob and JSON values and types
//! exact. BIT, ENUM and SET cannot be typed by any literal (nor by
//! JSON_TABLE columns), so a UNION turns them into strings: the bytes a
//! client reads are the same, but `col + 0` and `ORDER BY col` change
//! meaning. [`Column::union_exact`] says which columns keep their meaning.

/// What the literal encoder needs to know of a column, as
/// information_schema.COLUMNS describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// DATA_TYPE, lower case: `int`, `varchar`, `decimal`, ...
    pub data_type: String,
    /// COLUMN_TYPE: `int(10) unsigned`, `decimal(10,2)`, `datetime(3)`, ...
    pub column_type: String,
    /// CHARACTER_SET_NAME for string columns.
    pub charset: Option<String>,
    /// COLLATION_NAME for string columns.
    pub collation: Option<String>,
}

/// A value that cannot be what the column's type says (never produced by
/// the source itself; refused rather than pasted into SQL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadValue {
    /// The column type.
    pub column_type: String,
    /// The value, lossily decoded, shortened.
    pub value: String,
}

impl Column {
    fn unsigned(&self) -> bool {
        self.column_type.contains("unsigned")
    }

    /// `(p,s)` or `(n)` of the column type, as written.
    fn type_args(&self) -> &str {
        match (self.column_type.find('('), self.column_type.find(')')) {
            (Some(a), Some(b)) if b > a => &self.column_type[a..=b],
            _ => "",
        }
    }

    /// Whether a UNION of the real column with literals keeps the column's
    /// type and so the meaning of every expression over it.
    pub fn union_exact(&self) -> bool {
        !matches!(self.data_type.as_str(), "bit" | "enum" | "set")
            && !self.column_type.contains("zerofill")
    }

    /// Whether `col <=> literal` holds exactly for the value the literal
    /// encodes and no other: numbers and temporal values. Strings compare
    /// under a collation (`'a' = 'A '` can hold), so they must be compared
    /// as bytes.
    pub fn compares_exactly(&self) -> bool {
        matches!(
            self.data_type.as_str(),
            "tinyint"
                | "smallint"
                | "mediumint"
                | "int"
                | "integer"
                | "bigint"
                | "decimal"
                | "numeric"
                | "float"
                | "double"
                | "real"
                | "date"
                | "datetime"
                | "timestamp"
                | "time"
                | "year"
                | "bit"
        )
    }

    /// For a BIT(M) column, the bytes its values take in the text protocol
    /// ((M + 7) / 8, big-endian). The merged view reads a BIT column as
    /// `CAST(col AS UNSIGNED)`: no literal keeps the BIT type in a UNION,
    /// and as a number every comparison and arithmetic over it keeps its
    /// meaning; the session puts the BIT type and bytes back in results.
    pub fn bit_width(&self) -> Option<usize> {
        if self.data_type != "bit" {
            return None;
        }
        let m: usize = self
            .type_args()
            .trim_matches(|c| c == '(' || c == ')')
            .parse()
            .unwrap_or(1);
        Some(m.div_ceil(8).max(1))
    }

    /// The CAST target that gives a NULL this column's type, when one exists.
    fn cast_target(&self) -> Option<String> {
        Some(match self.data_type.as_str() {
            "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint" => {
                if self.unsigned() {
                    "UNSIGNED".into()
                } else {
                    "SIGNED".into()
                }
            }
            "decimal" | "numeric" => format!("DECIMAL{}", self.type_args()),
            "float" => "FLOAT".into(),
            // BIT is read through its number (see `bit_width`).
            "bit" => "UNSIGNED".into(),
            "double" | "real" => "DOUBLE".into(),
            "date" => "DATE".into(),
            "datetime" | "timestamp" => format!("DATETIME{}", self.type_args()),
            "time" => format!("TIME{}", self.type_args()),
            "json" => "JSON".into(),
            _ => return None,
        })
    }

    /// The literal for `value` as one branch of an expression whose other
    /// branch is the column itself (`CASE id WHEN 7 THEN <literal> ELSE
    /// col END`): the same value and type as [`Column::literal`]'s, but
    /// not nullable where that one's CAST or COLLATE would make the whole
    /// expression nullable (the server then describes the column of a
    /// view or a CREATE ... SELECT over it as NULL): a string without
    /// COLLATE (the column's implicit collation wins over a literal's
    /// coercible one), a DATE, DATETIME or TIME as a temporal literal, a
    /// DOUBLE as a number in E notation.
    pub fn literal_beside(&self, value: Option<&[u8]>) -> Result<String, BadValue> {
        let Some(v) = value else {
            return self.literal(value);
        };
        let text = || std::str::from_utf8(v).ok();
        match self.data_type.as_str() {
            "char" | "varchar" | "tinytext" | "text" | "mediumtext" | "longtext" | "enum"
            | "set" => {
                let charset = self.charset.as_deref().unwrap_or("utf8mb4");
                if is_name(charset) {
                    return Ok(format!("_{charset} X'{}'", hex(v)));
                }
            }
            // A zero date or a date with a zero part is refused as a
            // literal under NO_ZERO_DATE and NO_ZERO_IN_DATE.
            "date" | "datetime"
                if v.len() >= 10
                    && v.iter().all(|b| temporal_byte(*b))
                    && &v[..4] != b"0000"
                    && &v[5..7] != b"00"
                    && &v[8..10] != b"00" =>
            {
                let kind = if self.data_type == "date" {
                    "DATE"
                } else {
                    "TIMESTAMP"
                };
                return Ok(format!("{kind}'{}'", text().unwrap_or_default()));
            }
            "time" if !v.is_empty() && v.iter().all(|b| temporal_byte(*b)) => {
                return Ok(format!("TIME'{}'", text().unwrap_or_default()));
            }
            // FROM_UNIXTIME() may be NULL; a COALESCE with a literal is not.
            "timestamp" => {
                if let Some(e) = crate::clock::epoch_text(v) {
                    return Ok(format!(
                        "COALESCE(FROM_UNIXTIME({e}), TIMESTAMP'1970-01-01 00:00:01')"
                    ));
                }
            }
            "double" | "real" => {
                if let Some(t) = text() {
                    let number =
                        |b: u8| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E');
                    // (A negative zero would read back as 0.)
                    let negative_zero = t.starts_with('-') && t.parse::<f64>() == Ok(0.0);
                    if !t.is_empty()
                        && t.bytes().all(number)
                        && t.bytes().any(|b| b.is_ascii_digit())
                        && !negative_zero
                    {
                        return Ok(if t.contains(['e', 'E']) {
                            t.to_string()
                        } else {
                            format!("{t}E0")
                        });
                    }
                }
            }
            _ => {}
        }
        self.literal(value)
    }

    /// The literal for `value`: text-protocol bytes read with
    /// `character_set_results = NULL`, so strings are in the column's own
    /// character set (with any other results charset the bytes are converted
    /// and `_latin1 X'..'` would misread them); `None` is NULL.
    pub fn literal(&self, value: Option<&[u8]>) -> Result<String, BadValue> {
        let Some(v) = value else {
            return Ok(match self.cast_target() {
                Some(t) => format!("CAST(NULL AS {t})"),
                None => "NULL".into(),
            });
        };
        let bad = || BadValue {
            column_type: self.column_type.clone(),
            value: String::from_utf8_lossy(&v[..v.len().min(64)]).into_owned(),
        };
        let numeric = |allowed: &dyn Fn(u8) -> bool| -> Result<&str, BadValue> {
            if v.is_empty() || !v.iter().all(|b| allowed(*b)) {
                return Err(bad());
            }
            Ok(std::str::from_utf8(v).expect("ASCII checked"))
        };
        let digits = |b: u8| b.is_ascii_digit() || b == b'-' || b == b'+';
        let decimal = |b: u8| digits(b) || b == b'.';
        let float = |b: u8| decimal(b) || b == b'e' || b == b'E' || b.is_ascii_alphabetic();
        // An instant (see `clock::instant_text`), shown in the reading
        // session's time zone; the zero timestamp is text below.
        if self.data_type == "timestamp" {
            if let Some(e) = crate::clock::epoch_text(v) {
                return Ok(format!("FROM_UNIXTIME({e})"));
            }
        }
        Ok(match self.data_type.as_str() {
            "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint" => {
                format!(
                    "CAST({} AS {})",
                    numeric(&digits)?,
                    self.cast_target().expect("integer")
                )
            }
            "year" => numeric(&digits)?.to_string(),
            "decimal" | "numeric" => format!(
                "CAST('{}' AS {})",
                numeric(&decimal)?,
                self.cast_target().expect("decimal")
            ),
            "float" | "double" | "real" => {
                // inf and nan never come from MySQL; letters beyond e/E are refused.
                let text = numeric(&float)?;
                if text
                    .bytes()
                    .any(|b| b.is_ascii_alphabetic() && b != b'e' && b != b'E')
                {
                    return Err(bad());
                }
                format!("CAST('{text}' AS {})", self.cast_target().expect("float"))
            }
            "date" | "datetime" | "timestamp" | "time" => {
                format!(
                    "CAST('{}' AS {})",
                    numeric(&temporal_byte)?,
                    self.cast_target().expect("temporal")
                )
            }
            "json" => format!("CAST(_utf8mb4 X'{}' AS JSON)", hex(v)),
            "char" | "varchar" | "tinytext" | "text" | "mediumtext" | "longtext" | "enum"
            | "set" => {
                let charset = self.charset.as_deref().unwrap_or("utf8mb4");
                if !is_name(charset) {
                    return Err(bad());
                }
                match self.collation.as_deref() {
                    Some(c) if is_name(c) => format!("_{charset} X'{}' COLLATE {c}", hex(v)),
                    Some(_) => return Err(bad()),
                    None => format!("_{charset} X'{}'", hex(v)),
                }
            }
            "bit" => match bit_number(v) {
                Some(n) => format!("CAST({n} AS UNSIGNED)"),
                None => return Err(bad()),
            },
            "binary" | "varbinary" | "tinyblob" | "blob" | "mediumblob" | "longblob" => {
                format!("X'{}'", hex(v))
            }
            "geometry" | "point" | "linestring" | "polygon" | "multipoint" | "multilinestring"
            | "multipolygon" | "geometrycollection" => {
                // The text protocol carries the SRID (4 bytes, little
                // endian) and then the WKB.
                if v.len() < 5 {
                    return Err(bad());
                }
                let srid = u32::from_le_bytes([v[0], v[1], v[2], v[3]]);
                format!("ST_GeomFromWKB(X'{}', {srid})", hex(&v[4..]))
            }
            _ => return Err(bad()),
        })
    }
}

/// A byte a DATE, DATETIME, TIMESTAMP or TIME value's text may hold.
pub fn temporal_byte(b: u8) -> bool {
    b.is_ascii_digit() || matches!(b, b'-' | b':' | b'.' | b' ')
}

/// A BIT value's bytes (big-endian) as its number.
pub fn bit_number(bytes: &[u8]) -> Option<u64> {
    if bytes.len() > 8 {
        return None;
    }
    Some(bytes.iter().fold(0u64, |n, &b| (n << 8) | u64::from(b)))
}

/// A BIT value's number as the `width` bytes the text protocol carries
/// (`None` when it does not fit).
pub fn bit_bytes(n: u64, width: usize) -> Option<Vec<u8>> {
    let all = n.to_be_bytes();
    let skip = 8usize.checked_sub(width)?;
    all[..skip]
        .iter()
        .all(|&b| b == 0)
        .then(|| all[skip..].to_vec())
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn hex(v: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = Vec::with_capacity(v.len() * 2);
    for b in v {
        s.extend_from_slice(&[DIGITS[(b >> 4) as usize], DIGITS[(b & 15) as usize]]);
    }
    String::from_utf8(s).expect("hex digits are ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_literal_beside_its_column_keeps_the_value_and_never_reads_as_nullable() {
        let col = |data_type: &str, charset: Option<&str>, collation: Option<&str>| Column {
            data_type: data_type.into(),
            column_type: data_type.into(),
            charset: charset.map(Into::into),
            collation: collation.map(Into::into),
        };
        let text = col("varchar", Some("latin1"), Some("latin1_bin"));
        assert_eq!(text.literal_beside(Some(b"A")).unwrap(), "_latin1 X'41'");
        let day = col("date", None, None);
        assert_eq!(
            day.literal_beside(Some(b"2024-01-31")).unwrap(),
            "DATE'2024-01-31'"
        );
        assert_eq!(
            day.literal_beside(Some(b"0000-00-00")).unwrap(),
            "CAST('0000-00-00' AS DATE)"
        );
        let at = col("datetime", None, None);
        assert_eq!(
            at.literal_beside(Some(b"2024-01-31 10:00:00.5")).unwrap(),
            "TIMESTAMP'2024-01-31 10:00:00.5'"
        );
        assert_eq!(
            col("time", None, None)
                .literal_beside(Some(b"-838:59:59"))
                .unwrap(),
            "TIME'-838:59:59'"
        );
        let double = col("double", None, None);
        assert_eq!(double.literal_beside(Some(b"1.5")).unwrap(), "1.5E0");
        assert_eq!(double.literal_beside(Some(b"1e20")).unwrap(), "1e20");
        assert_eq!(
            double.literal_beside(Some(b"-0")).unwrap(),
            "CAST('-0' AS DOUBLE)"
        );
        assert!(double.literal_beside(Some(b"1; DROP")).is_err());
        assert_eq!(double.literal_beside(None).unwrap(), "CAST(NULL AS DOUBLE)");
    }

    fn col(data_type: &str, column_type: &str) -> Column {
        Column {
            data_type: data_type.into(),
            column_type: column_type.into(),
            charset: None,
            collation: None,
        }
    }

    #[test]
    fn numbers_are_digits_under_a_cast() {
        assert_eq!(
            col("int", "int(10) unsigned").literal(Some(b"42")).unwrap(),
            "CAST(42 AS UNSIGNED)"
        );
        assert_eq!(
            col("bigint", "bigint(20)").literal(Some(b"-9")).unwrap(),
            "CAST(-9 AS SIGNED)"
        );
        assert_eq!(
            col("decimal", "decimal(10,2)")
                .literal(Some(b"1.50"))
                .unwrap(),
            "CAST('1.50' AS DECIMAL(10,2))"
        );
        assert_eq!(
            col("datetime", "datetime(3)").literal(None).unwrap(),
            "CAST(NULL AS DATETIME(3))"
        );
    }

    #[test]
    fn a_timestamp_is_an_instant_the_reading_session_shows_in_its_own_zone() {
        let ts = col("timestamp", "timestamp(3)");
        assert_eq!(
            ts.literal(Some(b"2025-12-31 19:00:00.250")).unwrap(),
            "FROM_UNIXTIME(1767207600.250)"
        );
        assert_eq!(
            ts.literal_beside(Some(b"2025-12-31 19:00:00.250")).unwrap(),
            "COALESCE(FROM_UNIXTIME(1767207600.250), TIMESTAMP'1970-01-01 00:00:01')"
        );
        // The zero timestamp is the same text in every zone.
        assert_eq!(
            ts.literal(Some(b"0000-00-00 00:00:00.000")).unwrap(),
            "CAST('0000-00-00 00:00:00.000' AS DATETIME(3))"
        );
        assert!(ts.literal(Some(b"2025-12-31' --")).is_err());
    }

    #[test]
    fn strings_and_bytes_are_hex_so_no_escaping_rule_applies() {
        let c = Column {
            data_type: "varchar".into(),
            column_type: "varchar(20)".into(),
            charset: Some("utf8mb4".into()),
            collation: Some("utf8mb4_bin".into()),
        };
        assert_eq!(
            c.literal(Some(b"a'\\")).unwrap(),
            "_utf8mb4 X'61275C' COLLATE utf8mb4_bin"
        );
        assert_eq!(col("blob", "blob").literal(Some(b"")).unwrap(), "X''");
    }

    #[test]
    fn values_that_do_not_fit_the_type_are_refused_not_pasted() {
        assert!(col("int", "int(11)")
            .literal(Some(b"1; DROP TABLE t"))
            .is_err());
        assert!(col("decimal", "decimal(5,2)")
            .literal(Some(b"1' OR '1"))
            .is_err());
        assert!(col("double", "double").literal(Some(b"1e5' --")).is_err());
        assert!(col("datetime", "datetime")
            .literal(Some(b"2024-01-01' --"))
            .is_err());
        let sneaky = Column {
            charset: Some("utf8mb4 X'00' --".into()),
            ..col("varchar", "varchar(5)")
        };
        assert!(sneaky.literal(Some(b"x")).is_err());
    }
}

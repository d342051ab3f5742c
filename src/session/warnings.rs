//! SHOW WARNINGS after a statement vdb answered itself.
//!
//! The source never ran a captured write or DDL, nor a statement vdb
//! refused: its own SHOW WARNINGS would describe whatever vdb last asked
//! it. So after such a statement the session keeps what the server would
//! list (the notes of `IF [NOT] EXISTS`, or vdb's error as an `Error`
//! row), and answers SHOW WARNINGS, SHOW ERRORS and their COUNT(*) forms
//! from it until the next statement.

use crate::sql::lexer::{statement_tokens, LexMode};
use crate::sql::rewrite::literal_rows;

/// One row of SHOW WARNINGS: level, code, message.
pub type Warning = (&'static str, u16, String);

/// What a SHOW WARNINGS-like statement asks.
#[derive(Debug, PartialEq, Eq)]
enum Asked {
    /// SHOW WARNINGS, or SHOW ERRORS (errors only), with LIMIT [offset,] n.
    List {
        errors: bool,
        offset: usize,
        limit: Option<usize>,
    },
    /// SHOW COUNT(*) WARNINGS or ERRORS.
    Count { errors: bool },
}

fn asked(sql: &[u8], mode: LexMode) -> Option<Asked> {
    let t = statement_tokens(sql, mode);
    let word = |i: usize, w: &str| t.get(i).is_some_and(|x| x.is_word(sql, w));
    let number =
        |i: usize| -> Option<usize> { std::str::from_utf8(t.get(i)?.text(sql)).ok()?.parse().ok() };
    if !word(0, "SHOW") {
        return None;
    }
    if word(1, "COUNT")
        && t.get(2).is_some_and(|x| x.is_punct(b'('))
        && t.get(3).is_some_and(|x| x.is_punct(b'*'))
        && t.get(4).is_some_and(|x| x.is_punct(b')'))
        && t.len() == 6
    {
        return match () {
            _ if word(5, "WARNINGS") => Some(Asked::Count { errors: false }),
            _ if word(5, "ERRORS") => Some(Asked::Count { errors: true }),
            _ => None,
        };
    }
    let errors = match () {
        _ if word(1, "WARNINGS") => false,
        _ if word(1, "ERRORS") => true,
        _ => return None,
    };
    let (offset, limit) = match t.len() {
        2 => (0, None),
        4 if word(2, "LIMIT") => (0, Some(number(3)?)),
        6 if word(2, "LIMIT") && t[4].is_punct(b',') => (number(3)?, Some(number(5)?)),
        _ => return None,
    };
    Some(Asked::List {
        errors,
        offset,
        limit,
    })
}

/// Whether `sql` may be one of the statements [`answer`] answers (a scan
/// for its words, so that other statements are not lexed again).
pub fn may_ask(sql: &[u8]) -> bool {
    let has = |w: &[u8]| sql.windows(w.len()).any(|x| x.eq_ignore_ascii_case(w));
    has(b"WARNINGS") || has(b"ERRORS")
}

/// The query that answers `sql` (SHOW WARNINGS, SHOW ERRORS, SHOW COUNT(*)
/// WARNINGS/ERRORS) from `kept`, the list the last statement left; `None`
/// when `sql` asks something else.
pub fn answer(sql: &[u8], mode: LexMode, kept: &[Warning]) -> Option<String> {
    let literal = |s: &str| crate::overlay::meta::text_literal(s);
    Some(match asked(sql, mode)? {
        Asked::Count { errors } => {
            let n = kept.iter().filter(|w| !errors || w.0 == "Error").count();
            let name = if errors { "errors" } else { "warnings" };
            format!(
                "SELECT {n} AS `@@session.{}_count`",
                &name[..name.len() - 1]
            )
        }
        Asked::List {
            errors,
            offset,
            limit,
        } => {
            let rows: Vec<Vec<Option<String>>> = kept
                .iter()
                .filter(|w| !errors || w.0 == "Error")
                .skip(offset)
                .take(limit.unwrap_or(usize::MAX))
                .map(|(level, code, message)| {
                    vec![
                        Some(literal(level)),
                        Some(format!("CAST({code} AS UNSIGNED)")),
                        Some(literal(message)),
                    ]
                })
                .collect();
            if rows.is_empty() {
                "SELECT _utf8mb4'' AS `Level`, CAST(0 AS UNSIGNED) AS `Code`, _utf8mb4'' AS `Message` FROM DUAL WHERE 0".to_string()
            } else {
                literal_rows(&["Level", "Code", "Message"], &rows, |v| {
                    v.unwrap_or("NULL").to_string()
                })
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_warnings_and_its_forms_are_recognised() {
        let a = |s: &str| asked(s.as_bytes(), LexMode::default());
        assert_eq!(
            a("show warnings"),
            Some(Asked::List {
                errors: false,
                offset: 0,
                limit: None
            })
        );
        assert_eq!(
            a("SHOW ERRORS LIMIT 1, 2;"),
            Some(Asked::List {
                errors: true,
                offset: 1,
                limit: Some(2)
            })
        );
        assert_eq!(
            a("SHOW COUNT(*) WARNINGS"),
            Some(Asked::Count { errors: false })
        );
        assert_eq!(a("SHOW TABLES"), None);
        assert_eq!(a("SHOW WARNINGS LIMIT x"), None);
        assert!(may_ask(b"/* c */ show Warnings") && !may_ask(b"SELECT 1"));
    }
}

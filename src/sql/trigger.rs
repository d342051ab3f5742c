//! Trigger bodies: whether vdb can run one inside a write's computation,
//! and the body with its `NEW.col` / `OLD.col` references turned into the
//! variables that hold the row.
//!
//! A BEFORE INSERT or BEFORE UPDATE trigger that only computes and checks
//! the row (`SET NEW.slug = LOWER(NEW.name)`, `IF NEW.qty < 0 THEN SIGNAL
//! ...`) runs as it is, inside the MariaDB block that computes the row,
//! where the source evaluates it. A body that touches any table (reads
//! would see the source rather than the merged view; writes would reach
//! the source) is not run, and writes that would fire it are refused.

use super::lexer::{lex, Kind, LexMode};

/// Words that mean a body reads or writes tables, or runs other code or
/// transaction control.
const TABLE_WORDS: &[&str] = &[
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "REPLACE",
    "FROM",
    "TABLE",
    "CALL",
    "PREPARE",
    "EXECUTE",
    "LOAD",
    "CREATE",
    "DROP",
    "ALTER",
    "TRUNCATE",
    "RENAME",
    "LOCK",
    "UNLOCK",
    "GRANT",
    "REVOKE",
    "FLUSH",
    "HANDLER",
    "CURSOR",
    "OPEN",
    "FETCH",
    "COMMIT",
    "ROLLBACK",
    "SAVEPOINT",
    "START",
    "NEXTVAL",
    "LASTVAL",
    "SETVAL",
];

/// Why a body cannot run inside a write's computation, or None.
pub fn body_blocked(body: &str) -> Option<String> {
    let b = body.as_bytes();
    let mode = LexMode::default();
    for t in lex(b, mode).tokens {
        // `REPLACE(...)` and `INSERT(...)` are string functions.
        let next = b[t.end..].iter().find(|c| !c.is_ascii_whitespace());
        if t.kind != Kind::Word || next == Some(&b'(') {
            continue;
        }
        if let Some(w) = TABLE_WORDS.iter().find(|w| t.is_word(b, w)) {
            return Some(format!("its body uses {w}"));
        }
    }
    None
}

/// The names a body calls as functions (`name(`), lower-cased: a stored
/// function among them may read tables.
pub fn called(body: &str) -> Vec<String> {
    let b = body.as_bytes();
    let mode = LexMode::default();
    let mut out: Vec<String> = lex(b, mode)
        .tokens
        .iter()
        .filter(|t| matches!(t.kind, Kind::Word | Kind::QuotedIdent) && b.get(t.end) == Some(&b'('))
        .filter_map(|t| t.name(b, mode))
        .map(|n| n.to_ascii_lowercase())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `body` with each `NEW.col` replaced by `new(col)` and each `OLD.col` by
/// `old(col)` (None leaves the reference as written).
pub fn over_row(
    body: &str,
    new: impl Fn(&str) -> Option<String>,
    old: impl Fn(&str) -> Option<String>,
) -> String {
    let b = body.as_bytes();
    let mode = LexMode::default();
    let tokens = lex(b, mode).tokens;
    let mut out = String::with_capacity(body.len());
    let mut at = 0;
    let mut i = 0;
    while i + 2 < tokens.len() {
        let (row, dot, col) = (&tokens[i], &tokens[i + 1], &tokens[i + 2]);
        let which = if row.is_word(b, "NEW") {
            Some(true)
        } else if row.is_word(b, "OLD") {
            Some(false)
        } else {
            None
        };
        let adjacent = row.end == dot.start && dot.end == col.start;
        if let (Some(is_new), true, true) = (which, dot.is_punct(b'.'), adjacent) {
            if let Some(name) = col.name(b, mode) {
                let replaced = if is_new { new(&name) } else { old(&name) };
                if let Some(r) = replaced {
                    out.push_str(&body[at..row.start]);
                    out.push_str(&r);
                    at = col.end;
                    i += 3;
                    continue;
                }
            }
        }
        i += 1;
    }
    out.push_str(&body[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_that_touch_tables_are_told_apart() {
        assert_eq!(body_blocked("SET NEW.a = LOWER(NEW.b)"), None);
        assert_eq!(
            body_blocked("BEGIN IF NEW.q < 0 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'no'; END IF; END"),
            None
        );
        assert!(body_blocked("INSERT INTO audit VALUES (NEW.id)").is_some());
        assert!(body_blocked("SET NEW.a = (SELECT MAX(a) FROM t)").is_some());
        assert_eq!(
            body_blocked("SET NEW.a = REPLACE(INSERT(NEW.b, 1, 0, 'x'), ' ', '-')"),
            None
        );
        // A word in a string is not a statement.
        assert_eq!(body_blocked("SET NEW.note = 'select from'"), None);
    }

    #[test]
    fn row_references_become_variables() {
        let new = |c: &str| Some(format!("v_{c}"));
        let old = |c: &str| Some(format!("o_{c}"));
        assert_eq!(
            over_row("SET NEW.a = OLD.a + new.`b`; SET @x = 'NEW.a'", new, old),
            "SET v_a = o_a + v_b; SET @x = 'NEW.a'"
        );
        assert_eq!(called("SET NEW.a = LOWER(f(NEW.b))"), ["f", "lower"]);
    }
}

//! `ROW_COUNT()` after a write vdb captured: the source never ran the
//! write, so its own `ROW_COUNT()` would answer for vdb's internal
//! statements. The session puts the captured write's count in its place.
//! The same substitution answers `DATABASE()` in a database vdb holds.

use super::items::names_to_keep;
use super::lexer::{lex, LexMode};

/// `sql` with each `ROW_COUNT()` call replaced by `COALESCE(v,
/// ROW_COUNT())`, which has the function's value `v` and exactly its type
/// and display width in any expression. The items of the first select
/// list that call it and have no alias get one spelled as the client
/// wrote the item, the name the server would have given the column.
/// `None` when the text does not call ROW_COUNT().
pub fn substitute(sql: &[u8], mode: LexMode, value: i64) -> Option<Vec<u8>> {
    substitute_calls(
        sql,
        mode,
        &["ROW_COUNT"],
        &format!("COALESCE({value}, ROW_COUNT())"),
    )
}

/// `sql` with each call without arguments of a function in `names` (not
/// qualified, so not a stored function) replaced by `replacement`, the
/// items calling one keeping the names the server would give them (see
/// [`substitute`]). `None` when the text calls none of them.
pub fn substitute_calls(
    sql: &[u8],
    mode: LexMode,
    names: &[&str],
    replacement: &str,
) -> Option<Vec<u8>> {
    let t = lex(sql, mode).tokens;
    let calls: Vec<usize> = (0..t.len())
        .filter(|&i| {
            names.iter().any(|n| t[i].is_word(sql, n))
                && t.get(i + 1).is_some_and(|x| x.is_punct(b'('))
                && t.get(i + 2).is_some_and(|x| x.is_punct(b')'))
                && !(i > 0 && t[i - 1].is_punct(b'.'))
        })
        .collect();
    if calls.is_empty() {
        return None;
    }
    let positions: Vec<usize> = calls.iter().map(|&c| t[c].start).collect();
    let aliases = names_to_keep(sql, &t, &positions);
    let mut out = Vec::with_capacity(sql.len() + 64);
    let mut at = 0;
    let mut edits: Vec<(usize, usize, Vec<u8>)> = calls
        .iter()
        .map(|&c| (t[c].start, t[c + 2].end, replacement.as_bytes().to_vec()))
        .collect();
    for (pos, alias) in aliases {
        edits.push((pos, pos, alias.into_bytes()));
    }
    edits.sort_by_key(|e| (e.0, e.1));
    for (start, end, text) in edits {
        out.extend_from_slice(&sql[at..start]);
        out.extend_from_slice(&text);
        at = end;
    }
    out.extend_from_slice(&sql[at..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(sql: &str) -> Option<String> {
        substitute(sql.as_bytes(), LexMode::default(), 3).map(|v| String::from_utf8(v).unwrap())
    }

    #[test]
    fn calls_get_the_captured_count_and_items_keep_their_names() {
        assert_eq!(sub("SELECT 1"), None);
        assert_eq!(
            sub("SELECT row_count()"),
            Some("SELECT COALESCE(3, ROW_COUNT()) AS `row_count()`".into())
        );
        assert_eq!(
            sub("SELECT ROW_COUNT() AS n, ROW_COUNT()  +  1, GREATEST(1, ROW_COUNT(), 2) g FROM t WHERE ROW_COUNT() > 0"),
            Some("SELECT COALESCE(3, ROW_COUNT()) AS n, COALESCE(3, ROW_COUNT())  +  1 AS `ROW_COUNT()  +  1`, GREATEST(1, COALESCE(3, ROW_COUNT()), 2) g FROM t WHERE COALESCE(3, ROW_COUNT()) > 0".into())
        );
        assert_eq!(sub("SELECT 'ROW_COUNT()', x.ROW_COUNT()"), None);
    }

    #[test]
    fn database_calls_can_answer_a_name_the_source_does_not_know() {
        let sub = |sql: &str| {
            substitute_calls(
                sql.as_bytes(),
                LexMode::default(),
                &["DATABASE", "SCHEMA"],
                "COALESCE('d', DATABASE())",
            )
            .map(|v| String::from_utf8(v).unwrap())
        };
        assert_eq!(
            sub("SELECT database(), Schema() s FROM t WHERE TABLE_SCHEMA = DATABASE()"),
            Some("SELECT COALESCE('d', DATABASE()) AS `database()`, COALESCE('d', DATABASE()) s FROM t WHERE TABLE_SCHEMA = COALESCE('d', DATABASE())".into())
        );
        assert_eq!(sub("CREATE DATABASE d"), None);
        assert_eq!(sub("SELECT mydb.database()"), None);
    }
}

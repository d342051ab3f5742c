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

/// `sql` with FOUND_ROWS() answering `value` (the client's count, which
/// vdb's own statements at the source replaced), as [`substitute`] does
/// for ROW_COUNT(); `None` when the text does not call it.
pub fn substitute_found_rows(sql: &[u8], mode: LexMode, value: u64) -> Option<Vec<u8>> {
    substitute_calls(
        sql,
        mode,
        &["FOUND_ROWS"],
        &format!("COALESCE({value}, FOUND_ROWS())"),
    )
}

/// Whether `sql` calls FOUND_ROWS().
pub fn calls_found_rows(sql: &[u8], mode: LexMode) -> bool {
    substitute_calls(sql, mode, &["FOUND_ROWS"], "0").is_some()
}

/// Whether the server sets FOUND_ROWS() from `sql`'s result: a query, and
/// the SHOW statements it answers from information_schema (EXPLAIN, SET,
/// DO, single-table writes, SHOW CREATE, SHOW WARNINGS, SHOW GRANTS ...
/// leave it as it was).
pub fn sets_found_rows(sql: &[u8], mode: LexMode) -> bool {
    // Its first words say it: a bulk statement's megabytes need no lexing.
    let head = &sql[..sql.len().min(4096)];
    let t = lex(head, mode).tokens;
    let word = |i: usize, w: &str| t.get(i).is_some_and(|x| x.is_word(head, w));
    let Some(first) = t.first() else {
        return false;
    };
    if first.is_punct(b'(') {
        return true;
    }
    if ["SELECT", "WITH", "VALUES", "TABLE", "DESCRIBE", "DESC"]
        .iter()
        .any(|w| first.is_word(head, w))
    {
        return true;
    }
    const KEEPING: &[&str] = &[
        "CREATE",
        "WARNINGS",
        "ERRORS",
        "GRANTS",
        "PROCESSLIST",
        "PRIVILEGES",
        "MASTER",
        "BINLOG",
        "SLAVE",
        "REPLICA",
        "ENGINE",
        "PROFILE",
        "PROFILES",
        "EXPLAIN",
        "ANALYZE",
    ];
    first.is_word(head, "SHOW")
        && !KEEPING.iter().any(|w| word(1, w))
        && !(word(1, "FULL") && word(2, "PROCESSLIST"))
}

/// FOUND_ROWS() after `sql` (a statement [`sets_found_rows`]) whose
/// result held `rows` rows: the rows the server went through, those its
/// LIMIT's OFFSET skipped and those it sent. `None` where that count is
/// not known from the rows alone: more than one statement,
/// SQL_CALC_FOUND_ROWS (which counts the rows a LIMIT left out), INTO
/// (which returns no rows), an OFFSET that is not a number, or one past
/// the last row (how many rows there were is then unknown).
pub fn found_rows_of_result(sql: &[u8], mode: LexMode, rows: u64) -> Option<u64> {
    if sql.len() > 64 * 1024 {
        return None;
    }
    let t = super::lexer::statement_tokens(sql, mode);
    let plain = !t.iter().any(|x| {
        x.is_punct(b';') || x.is_word(sql, "SQL_CALC_FOUND_ROWS") || x.is_word(sql, "INTO")
    });
    if !plain {
        return None;
    }
    // The statement's own LIMIT: the last one outside parentheses.
    let Some(at) = super::lexer::top_level(sql, &t, "LIMIT").last() else {
        return Some(rows);
    };
    let number =
        |i: usize| -> Option<u64> { std::str::from_utf8(t.get(i)?.text(sql)).ok()?.parse().ok() };
    let offset = if t.get(at + 2).is_some_and(|x| x.is_punct(b',')) {
        number(at + 1)?
    } else if t.get(at + 2).is_some_and(|x| x.is_word(sql, "OFFSET")) {
        number(at + 3)?
    } else {
        0
    };
    match (offset, rows) {
        (0, _) => Some(rows),
        (_, 0) => None,
        (o, n) => Some(o + n),
    }
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
    // Most statements call none: told without lexing.
    if !names
        .iter()
        .any(|n| super::contains_ignore_case(sql, n.as_bytes()))
    {
        return None;
    }
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
    let edits = calls
        .iter()
        .map(|&c| (t[c].start, t[c + 2].end, replacement.as_bytes().to_vec()))
        .collect();
    Some(replace_keeping_names(sql, &t, edits))
}

/// `sql` with each `(start, end, text)` edit made, the select items
/// holding an edit given the alias the server would have named them by.
pub(super) fn replace_keeping_names(
    sql: &[u8],
    t: &[super::lexer::Token],
    mut edits: Vec<(usize, usize, Vec<u8>)>,
) -> Vec<u8> {
    let positions: Vec<usize> = edits.iter().map(|e| e.0).collect();
    for (pos, alias) in names_to_keep(sql, t, &positions) {
        edits.push((pos, pos, alias.into_bytes()));
    }
    edits.sort_by_key(|e| (e.0, e.1));
    let mut out = Vec::with_capacity(sql.len() + 64);
    let mut at = 0;
    for (start, end, text) in edits {
        out.extend_from_slice(&sql[at..start]);
        out.extend_from_slice(&text);
        at = end;
    }
    out.extend_from_slice(&sql[at..]);
    out
}

/// `sql` with each read of a session variable in `names` (`@@name`,
/// `@@session.name`, `@@local.name`) replaced by `COALESCE(v, <the
/// read>)` with the value from `values` (same type), items keeping their
/// names as in [`substitute`]. `None` when it reads none of them.
pub fn substitute_variables(sql: &[u8], mode: LexMode, values: &[(&str, u64)]) -> Option<Vec<u8>> {
    use super::lexer::Kind;
    let t = lex(sql, mode).tokens;
    let mut reads: Vec<(usize, usize, u64)> = Vec::new();
    let mut i = 0;
    while i < t.len() {
        if t[i].kind != Kind::Variable {
            i += 1;
            continue;
        }
        let text = String::from_utf8_lossy(t[i].text(sql)).to_ascii_lowercase();
        let scoped = (text == "@@session" || text == "@@local")
            && t.get(i + 1).is_some_and(|x| x.is_punct(b'.'));
        let (name, last) = if scoped {
            match t.get(i + 2).filter(|x| x.kind == Kind::Word) {
                Some(w) => (
                    String::from_utf8_lossy(w.text(sql)).to_ascii_lowercase(),
                    i + 2,
                ),
                None => (String::new(), i),
            }
        } else {
            // The lexer may keep `@@session.name` as one token.
            let bare = text.trim_start_matches("@@");
            let name = match bare.split_once('.') {
                Some(("session" | "local", n)) => n,
                Some(_) => "",
                None => bare,
            };
            (name.to_string(), i)
        };
        if let Some((_, v)) = values.iter().find(|(n, _)| *n == name) {
            reads.push((i, last, *v));
        }
        i = last + 1;
    }
    if reads.is_empty() {
        return None;
    }
    let edits = reads
        .iter()
        .map(|&(f, l, v)| {
            let read = &sql[t[f].start..t[l].end];
            let mut text = format!("COALESCE({v}, ").into_bytes();
            text.extend_from_slice(read);
            text.push(b')');
            (t[f].start, t[l].end, text)
        })
        .collect();
    Some(replace_keeping_names(sql, &t, edits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_rows_counts_the_rows_an_offset_skipped_and_those_sent() {
        let f = |sql: &str, rows| found_rows_of_result(sql.as_bytes(), LexMode::default(), rows);
        assert_eq!(f("SELECT * FROM t", 3), Some(3));
        assert_eq!(f("SELECT * FROM t LIMIT 2", 2), Some(2));
        assert_eq!(
            f("SELECT n FROM t ORDER BY n DESC LIMIT 5 OFFSET 4", 5),
            Some(9)
        );
        assert_eq!(f("SELECT n FROM t LIMIT 10, 5;", 2), Some(12));
        assert_eq!(f("SELECT (SELECT 1 LIMIT 1 OFFSET 3) FROM t", 1), Some(1));
        assert_eq!(f("SELECT n FROM t LIMIT 5 OFFSET 40", 0), None);
        assert_eq!(f("SELECT n FROM t LIMIT ? OFFSET ?", 1), None);
        assert_eq!(f("SELECT SQL_CALC_FOUND_ROWS n FROM t LIMIT 1", 1), None);
        assert_eq!(f("SELECT n INTO @x FROM t", 0), None);
        assert_eq!(f("SELECT 1; SELECT 2", 1), None);
    }

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
    fn warning_counts_are_answered_with_the_captured_statement_s() {
        let sub = |sql: &str| {
            substitute_variables(
                sql.as_bytes(),
                LexMode::default(),
                &[("warning_count", 3), ("error_count", 0)],
            )
            .map(|v| String::from_utf8(v).unwrap())
        };
        assert_eq!(sub("SELECT @@version"), None);
        assert_eq!(
            sub("SELECT @@warning_count, @@SESSION.error_count AS e"),
            Some("SELECT COALESCE(3, @@warning_count) AS `@@warning_count`, COALESCE(0, @@SESSION.error_count) AS e".into())
        );
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

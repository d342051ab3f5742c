//! `ROW_COUNT()` after a write vdb captured: the source never ran the
//! write, so its own `ROW_COUNT()` would answer for vdb's internal
//! statements. The session puts the captured write's count in its place.

use super::lexer::{lex, Kind, LexMode, Token};

/// Words that may follow SELECT before its first item.
const MODIFIERS: &[&str] = &[
    "ALL",
    "DISTINCT",
    "DISTINCTROW",
    "HIGH_PRIORITY",
    "STRAIGHT_JOIN",
    "SQL_SMALL_RESULT",
    "SQL_BIG_RESULT",
    "SQL_BUFFER_RESULT",
    "SQL_CACHE",
    "SQL_NO_CACHE",
    "SQL_CALC_FOUND_ROWS",
];

/// Words that end a select list.
const LIST_END: &[&str] = &[
    "FROM",
    "INTO",
    "WHERE",
    "GROUP",
    "HAVING",
    "ORDER",
    "LIMIT",
    "UNION",
    "EXCEPT",
    "INTERSECT",
    "WINDOW",
    "FOR",
    "LOCK",
];

/// `sql` with each `ROW_COUNT()` call replaced by `COALESCE(v,
/// ROW_COUNT())`, which has the function's value `v` and exactly its type
/// and display width in any expression. The items of the first select
/// list that call it and have no alias get one spelled as the client
/// wrote the item, the name the server would have given the column.
/// `None` when the text does not call ROW_COUNT().
pub fn substitute(sql: &[u8], mode: LexMode, value: i64) -> Option<Vec<u8>> {
    let t = lex(sql, mode).tokens;
    let calls: Vec<usize> = (0..t.len())
        .filter(|&i| {
            t[i].is_word(sql, "ROW_COUNT")
                && t.get(i + 1).is_some_and(|x| x.is_punct(b'('))
                && t.get(i + 2).is_some_and(|x| x.is_punct(b')'))
                && !(i > 0 && t[i - 1].is_punct(b'.'))
        })
        .collect();
    if calls.is_empty() {
        return None;
    }
    // Aliases to add: (byte offset after the item, the item's text).
    let mut aliases: Vec<(usize, String)> = Vec::new();
    for (start, end) in select_items(sql, &t) {
        let has_call = calls.iter().any(|&c| c >= start && c < end);
        if has_call && !aliased(sql, &t[start..end]) {
            let text = &sql[t[start].start..t[end - 1].end];
            aliases.push((
                t[end - 1].end,
                String::from_utf8_lossy(text).replace('`', "``"),
            ));
        }
    }
    let mut out = Vec::with_capacity(sql.len() + 64);
    let mut at = 0;
    let mut edits: Vec<(usize, usize, Vec<u8>)> = calls
        .iter()
        .map(|&c| {
            let text = format!("COALESCE({value}, ROW_COUNT())").into_bytes();
            (t[c].start, t[c + 2].end, text)
        })
        .collect();
    for (pos, name) in aliases {
        edits.push((pos, pos, format!(" AS `{name}`").into_bytes()));
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

/// Token ranges of the items of the first top-level select list.
fn select_items(sql: &[u8], t: &[Token]) -> Vec<(usize, usize)> {
    let Some(select) = t.iter().position(|x| x.is_word(sql, "SELECT")) else {
        return Vec::new();
    };
    let mut i = select + 1;
    while i < t.len() && MODIFIERS.iter().any(|m| t[i].is_word(sql, m)) {
        i += 1;
    }
    let mut items = Vec::new();
    let mut depth = 0i32;
    let mut start = i;
    while i < t.len() {
        match t[i].kind {
            Kind::Punct(b'(') => depth += 1,
            Kind::Punct(b')') => depth -= 1,
            _ => {}
        }
        let end_of_list =
            depth == 0 && (t[i].is_punct(b';') || LIST_END.iter().any(|w| t[i].is_word(sql, w)));
        if end_of_list {
            break;
        }
        if depth == 0 && t[i].is_punct(b',') {
            items.push((start, i));
            start = i + 1;
        }
        i += 1;
    }
    if start < i {
        items.push((start, i));
    }
    items
}

/// Whether a select item ends in an alias (`expr AS name`, `expr name`).
fn aliased(sql: &[u8], item: &[Token]) -> bool {
    let [.., before, last] = item else {
        return false;
    };
    let name = matches!(last.kind, Kind::QuotedIdent | Kind::Str)
        || (last.kind == Kind::Word && !sql[last.start].is_ascii_digit());
    name && (before.is_word(sql, "AS")
        || before.is_punct(b')')
        || matches!(before.kind, Kind::Word | Kind::QuotedIdent | Kind::Str))
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
}

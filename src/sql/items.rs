//! The items of a query's select list, for rewrites that must not change
//! the names the server gives its result columns: an item without an alias
//! is named by its text as the client wrote it, so an item whose text a
//! rewrite changes gets that text as an explicit alias.

use super::lexer::{lex, Kind, LexMode, Token};

/// Words that may follow SELECT before its first item.
pub const MODIFIERS: &[&str] = &[
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

/// Token ranges of the items of the first select list at the top level.
pub fn select_items(sql: &[u8], t: &[Token]) -> Vec<(usize, usize)> {
    let mut depth = 0i32;
    let Some(select) = t.iter().position(|x| {
        match x.kind {
            Kind::Punct(b'(') => depth += 1,
            Kind::Punct(b')') => depth -= 1,
            _ => {}
        }
        depth == 0 && x.is_word(sql, "SELECT")
    }) else {
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
    // Words that end an expression, and words after which a word is an
    // operand: neither makes an alias.
    const VALUES: &[&str] = &[
        "END",
        "NULL",
        "TRUE",
        "FALSE",
        "UNKNOWN",
        "CURRENT_TIMESTAMP",
        "CURRENT_DATE",
        "CURRENT_TIME",
        "CURRENT_USER",
        "LOCALTIME",
        "LOCALTIMESTAMP",
        "UTC_DATE",
        "UTC_TIME",
        "UTC_TIMESTAMP",
    ];
    const OPERATORS: &[&str] = &[
        "AND", "OR", "XOR", "NOT", "IS", "LIKE", "RLIKE", "REGEXP", "BETWEEN", "IN", "DIV", "MOD",
        "CASE", "WHEN", "THEN", "ELSE", "BINARY", "INTERVAL", "ESCAPE", "SOUNDS", "COLLATE",
        "DISTINCT", "EXISTS",
    ];
    let word_in = |t: &Token, list: &[&str]| list.iter().any(|w| t.is_word(sql, w));
    if before.is_word(sql, "AS") {
        return true;
    }
    let name = matches!(last.kind, Kind::QuotedIdent | Kind::Str)
        || (last.kind == Kind::Word && !sql[last.start].is_ascii_digit() && !word_in(last, VALUES));
    name && !word_in(before, OPERATORS)
        && (before.is_punct(b')')
            || matches!(before.kind, Kind::Word | Kind::QuotedIdent | Kind::Str))
}

/// Aliases that keep the server's column names: for each item of the
/// first top-level select list that contains one of the byte `positions`
/// and has no alias, (the byte offset after the item, ` AS `<its text>``).
pub fn names_to_keep(sql: &[u8], t: &[Token], positions: &[usize]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (start, end) in select_items(sql, t) {
        let (from, to) = (t[start].start, t[end - 1].end);
        if positions.iter().any(|&p| p >= from && p < to) && !aliased(sql, &t[start..end]) {
            let text = String::from_utf8_lossy(&sql[from..to]).replace('`', "``");
            out.push((to, format!(" AS `{text}`")));
        }
    }
    out
}

/// [`names_to_keep`] applied to `sql`: the text with those aliases in it
/// (`None` when no item needs one).
pub fn keep_names(sql: &str, mode: LexMode, positions: &[usize]) -> Option<String> {
    let t = lex(sql.as_bytes(), mode).tokens;
    let aliases = names_to_keep(sql.as_bytes(), &t, positions);
    if aliases.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(sql.len() + 64);
    let mut at = 0;
    for (pos, alias) in aliases {
        out.push_str(&sql[at..pos]);
        out.push_str(&alias);
        at = pos;
    }
    out.push_str(&sql[at..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_a_rewrite_touches_keep_their_names() {
        let sql = "SELECT a, 1 IN (SELECT * FROM t1) , (SELECT x FROM t1) AS y FROM t2";
        let at = sql.find("t1").unwrap();
        assert_eq!(
            keep_names(sql, LexMode::default(), &[at, sql.rfind("t1").unwrap()]).unwrap(),
            "SELECT a, 1 IN (SELECT * FROM t1) AS `1 IN (SELECT * FROM t1)` , (SELECT x FROM t1) AS y FROM t2"
        );
        let case =
            "SELECT CASE WHEN c > (SELECT 1 FROM t1) THEN 1 ELSE b*10 END, a MOD t1.b FROM t1";
        assert_eq!(
            keep_names(case, LexMode::default(), &[case.find("t1").unwrap()]).unwrap(),
            "SELECT CASE WHEN c > (SELECT 1 FROM t1) THEN 1 ELSE b*10 END AS `CASE WHEN c > (SELECT 1 FROM t1) THEN 1 ELSE b*10 END`, a MOD t1.b FROM t1"
        );
        let cte = "WITH c AS (SELECT a FROM t1) SELECT (SELECT a FROM t1) FROM c";
        assert_eq!(
            keep_names(cte, LexMode::default(), &[cte.rfind("t1").unwrap()]).unwrap(),
            "WITH c AS (SELECT a FROM t1) SELECT (SELECT a FROM t1) AS `(SELECT a FROM t1)` FROM c"
        );
    }
}

//! Changed columns written into a query where it reads them, rather than
//! the query reading a derived table.
//!
//! A query of one changed table that names a few of its keys (`SELECT c
//! FROM t WHERE id BETWEEN 100 AND 199`) reads the merged view as the
//! table itself with its changed rows spelled over its own (see
//! `TableDelta::in_place_columns`). As a derived table the source merges
//! that into the query, but preparing and merging the derived table still
//! costs it about a fifth of such a read (../shared/design/overlay.md,
//! section 2; measured in the issue 3 notes). This module writes the same
//! expressions into the client's own text instead: each select item that
//! is a changed column becomes its `CASE`, under the name the server gives
//! the item, and the deleted keys are left out by the WHERE clause.
//!
//! Only a shape where that is plainly the same query is taken: one SELECT
//! of one table, no subquery, grouping, window or star, and every mention
//! of a changed column's name is a select item that is just that column.
//! Anything else keeps the derived table.

use super::items::{select_items, MODIFIERS};
use super::lexer::{statement_tokens, Kind, LexMode, Token};

/// The client's text rewritten in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Substituted {
    /// The text to send instead.
    pub text: String,
    /// The result columns (by position) that are now expressions: the
    /// source describes them without their table, so the session
    /// describes them as the client's own text is described.
    pub items: Vec<usize>,
}

/// Words that make a query a shape this module does not rewrite: more than
/// one query block, grouping, windows, other tables, or clauses whose
/// place in the text the WHERE insertion would have to know.
const REFUSED: &[&str] = &[
    "UNION",
    "EXCEPT",
    "INTERSECT",
    "WITH",
    "INTO",
    "GROUP",
    "HAVING",
    "WINDOW",
    "OVER",
    "PROCEDURE",
    "JOIN",
    "STRAIGHT_JOIN",
    "NATURAL",
    "SYSTEM_TIME",
    "MATCH",
];

/// Words that end a FROM or WHERE clause in the shapes taken.
const CLAUSE_END: &[&str] = &["ORDER", "LIMIT", "FOR", "LOCK"];

/// `sql` (a query of the one table it knows as `known_as`) with each
/// select item that reads one of `columns` (a column's name, lowercase,
/// and the expression that stands for it) replaced by that expression,
/// named as the item was, and `exclude` (a condition on the table's
/// columns) added to its WHERE clause. `None` when the query is not a
/// shape this is exact for: the caller then splices a derived table.
pub fn substitute(
    sql: &str,
    mode: LexMode,
    known_as: &str,
    columns: &[(String, String)],
    exclude: Option<&str>,
) -> Option<Substituted> {
    let b = sql.as_bytes();
    // Executable comments hold text the lexer reads as the query's; the
    // server may not.
    if sql.contains("/*!") || sql.contains("/*M!") {
        return None;
    }
    let t = statement_tokens(b, mode);
    if !t.first()?.is_word(b, "SELECT") {
        return None;
    }
    let mut depth = 0i32;
    let mut from = None;
    let mut clause_words = Vec::new();
    for (i, x) in t.iter().enumerate() {
        match x.kind {
            Kind::Punct(b'(') => depth += 1,
            Kind::Punct(b')') => depth -= 1,
            // Several statements.
            Kind::Punct(b';') => return None,
            Kind::Punct(b'*') if star(b, &t, i) => return None,
            Kind::Punct(b',') if depth == 0 && from.is_some() => return None,
            Kind::Word if i > 0 && x.is_word(b, "SELECT") => return None,
            Kind::Word if REFUSED.iter().any(|w| x.is_word(b, w)) => return None,
            Kind::Word if depth == 0 && x.is_word(b, "FROM") => {
                if from.is_some() {
                    return None;
                }
                from = Some(i);
            }
            Kind::Word
                if depth == 0
                    && from.is_some()
                    && (x.is_word(b, "WHERE") || CLAUSE_END.iter().any(|w| x.is_word(b, w))) =>
            {
                clause_words.push(i);
            }
            _ => {}
        }
    }
    let from = from?;
    let is_spelled = |x: &Token| {
        matches!(x.kind, Kind::Word | Kind::QuotedIdent)
            && x.name(b, mode).is_some_and(|n| {
                let n = n.to_ascii_lowercase();
                columns.iter().any(|(c, _)| *c == n)
            })
    };
    // Each select item that is a changed column: (its first token, the
    // token after the column, the expression, the item's position).
    let mut replaced: Vec<(usize, usize, &str, usize)> = Vec::new();
    let items = select_items(b, &t);
    for (position, &(start, end)) in items.iter().enumerate() {
        let item = &t[start..end];
        let column_len = match item {
            [q, dot, _, ..] if dot.is_punct(b'.') => {
                if q.name(b, mode).as_deref() != Some(known_as) {
                    continue;
                }
                3
            }
            _ => 1,
        };
        let Some(column) = item.get(column_len - 1) else {
            continue;
        };
        if !is_spelled(column) {
            continue;
        }
        // What may follow the column: nothing, an alias, or AS and one.
        let rest = &item[column_len..];
        let alias_ok = |x: &Token| matches!(x.kind, Kind::Word | Kind::QuotedIdent | Kind::Str);
        let bare = match rest {
            [] => true,
            [a] => alias_ok(a) && !a.is_word(b, "AS") && !sql.as_bytes()[a.start].is_ascii_digit(),
            [as_, a] => as_.is_word(b, "AS") && alias_ok(a),
            _ => false,
        };
        if !bare {
            return None;
        }
        let name = column.name(b, mode)?.to_ascii_lowercase();
        let expr = columns.iter().find(|(c, _)| *c == name).map(|(_, e)| e)?;
        replaced.push((start, start + column_len, expr, position));
    }
    // Any other mention of a changed column's name (in WHERE, ORDER BY,
    // an expression, a function's name, an alias) is not taken.
    let covered = |i: usize| {
        replaced
            .iter()
            .any(|&(s, _, _, p)| i >= s && i < items[p].1)
    };
    if t.iter()
        .enumerate()
        .any(|(i, x)| is_spelled(x) && !covered(i))
    {
        return None;
    }
    if replaced.is_empty() && exclude.is_none() {
        return None;
    }
    let mut out = String::with_capacity(sql.len() + 256);
    let mut at = 0;
    for &(start, end, expr, position) in &replaced {
        out.push_str(&sql[at..t[start].start]);
        out.push_str(expr);
        if items[position].1 == end {
            // The server names an unaliased column item by the column's
            // name as written.
            let written = t[end - 1].name(b, mode)?;
            out.push_str(" AS `");
            out.push_str(&written.replace('`', "``"));
            out.push('`');
        }
        at = t[end - 1].end;
    }
    let clause = |i: usize| clause_words.iter().copied().find(|&c| c > i);
    let where_at = clause_words
        .iter()
        .copied()
        .find(|&c| t[c].is_word(b, "WHERE"));
    match (exclude, where_at) {
        (None, _) => {}
        (Some(cond), Some(w)) => {
            let first = t.get(w + 1)?.start;
            let last = match clause(w) {
                Some(c) => t[c - 1].end,
                None => t.last()?.end,
            };
            if at > first {
                return None;
            }
            out.push_str(&sql[at..first]);
            out.push('(');
            out.push_str(&sql[first..last]);
            out.push_str(") AND ");
            out.push_str(cond);
            at = last;
        }
        (Some(cond), None) => {
            let after = match clause(from) {
                Some(c) => t[c - 1].end,
                None => t.last()?.end,
            };
            if at > after {
                return None;
            }
            out.push_str(&sql[at..after]);
            out.push_str(" WHERE ");
            out.push_str(cond);
            at = after;
        }
    }
    out.push_str(&sql[at..]);
    Some(Substituted {
        text: out,
        items: replaced.iter().map(|r| r.3).collect(),
    })
}

/// Whether the `*` at token `i` stands for columns (`SELECT *`, `t.*`,
/// `, *`) rather than multiplying or counting.
fn star(sql: &[u8], t: &[Token], i: usize) -> bool {
    match i.checked_sub(1).map(|p| &t[p]) {
        None => true,
        Some(p) if p.is_punct(b'.') || p.is_punct(b',') => true,
        Some(p) => p.is_word(sql, "SELECT") || MODIFIERS.iter().any(|w| p.is_word(sql, w)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Vec<(String, String)> {
        vec![("c".into(), "CASE `id` WHEN 7 THEN 'x' ELSE `c` END".into())]
    }

    fn sub(sql: &str, exclude: Option<&str>) -> Option<String> {
        substitute(sql, LexMode::default(), "t", &columns(), exclude).map(|s| s.text)
    }

    #[test]
    fn a_changed_column_item_becomes_its_expression_under_the_name_the_server_gives_it() {
        let s = substitute(
            "SELECT id, c FROM t WHERE id BETWEEN 1 AND 99",
            LexMode::default(),
            "t",
            &columns(),
            Some("`id` NOT IN (5)"),
        )
        .unwrap();
        assert_eq!(
            s.text,
            "SELECT id, CASE `id` WHEN 7 THEN 'x' ELSE `c` END AS `c` FROM t \
             WHERE (id BETWEEN 1 AND 99) AND `id` NOT IN (5)"
        );
        assert_eq!(s.items, vec![1]);
        assert_eq!(
            sub("SELECT t.C AS x FROM t WHERE id = 7 ORDER BY id LIMIT 1", None).unwrap(),
            "SELECT CASE `id` WHEN 7 THEN 'x' ELSE `c` END AS x FROM t WHERE id = 7 ORDER BY id LIMIT 1"
        );
        assert_eq!(
            sub("select `C` from t where id in (7, 8) for update;", None).unwrap(),
            "select CASE `id` WHEN 7 THEN 'x' ELSE `c` END AS `C` from t where id in (7, 8) for update;"
        );
    }

    #[test]
    fn deleted_keys_are_left_out_with_or_without_a_where_clause() {
        assert_eq!(
            sub(
                "SELECT id FROM t WHERE id = 1 OR id = 5 LIMIT 3",
                Some("`id` NOT IN (5)")
            )
            .unwrap(),
            "SELECT id FROM t WHERE (id = 1 OR id = 5) AND `id` NOT IN (5) LIMIT 3"
        );
        assert_eq!(
            sub("SELECT id FROM t AS x ORDER BY id", Some("`id` NOT IN (5)")).unwrap(),
            "SELECT id FROM t AS x WHERE `id` NOT IN (5) ORDER BY id"
        );
        assert_eq!(
            sub("SELECT id FROM t", Some("`id` NOT IN (5)")).unwrap(),
            "SELECT id FROM t WHERE `id` NOT IN (5)"
        );
    }

    #[test]
    fn any_other_mention_of_a_changed_column_keeps_the_derived_table() {
        for sql in [
            "SELECT c FROM t WHERE c = 'x'",
            "SELECT UPPER(c) FROM t WHERE id = 7",
            "SELECT id AS c FROM t WHERE id = 7",
            "SELECT c FROM t WHERE id = 7 ORDER BY c",
            "SELECT * FROM t WHERE id = 7",
            "SELECT t.* FROM t WHERE id = 7",
            "SELECT c FROM t WHERE id IN (SELECT 7)",
            "SELECT c FROM t WHERE id = 7 UNION SELECT 1",
            "SELECT c FROM t, u WHERE id = 7",
            "SELECT c FROM t JOIN u USING (id) WHERE id = 7",
            "SELECT COUNT(*) FROM t WHERE id = 7 GROUP BY id",
            "SELECT c FROM t WHERE id = 7; SELECT 1",
            "SELECT /*!40001 c */ FROM t WHERE id = 7",
            "SELECT u.c FROM t WHERE id = 7",
            "SELECT c + 1 FROM t WHERE id = 7",
        ] {
            assert_eq!(sub(sql, Some("`id` NOT IN (5)")), None, "{sql}");
        }
    }

    #[test]
    fn counting_and_multiplying_are_not_stars() {
        assert_eq!(
            sub(
                "SELECT COUNT(*), id * 2 FROM t WHERE id < 9",
                Some("`id` <> 5")
            )
            .unwrap(),
            "SELECT COUNT(*), id * 2 FROM t WHERE (id < 9) AND `id` <> 5"
        );
    }
}

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
use super::lexer::{statement_tokens, unquote, Kind, LexMode, Token};
use super::rewrite::quote_ident;

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

/// The table a query reads in place: how the query knows it, its columns
/// in order (what `*` stands for), and its changed ones.
pub struct InPlaceTable<'a> {
    /// The table's alias in the query, else its name.
    pub known_as: &'a str,
    /// Every column's name, in the table's order.
    pub all: &'a [String],
    /// Each changed column the query may read: its name, lowercase, and
    /// the expression that stands for it.
    pub changed: &'a [(String, String)],
}

/// One select item rewritten.
struct Edit {
    /// Its first token, and the token after what is replaced.
    first: usize,
    end: usize,
    /// The text that replaces it.
    text: String,
    /// The result columns it gives that are now expressions.
    outputs: Vec<usize>,
}

/// `sql` (a query of the one table `table` describes) with each select
/// item that reads one of its changed columns replaced by the column's
/// expression, named as the item was (a `*` becomes the table's columns),
/// and `exclude` (a condition on the table's columns) added to its WHERE
/// clause. `None` when the query is not a shape this is exact for: the
/// caller then splices a derived table.
pub fn substitute(
    sql: &str,
    mode: LexMode,
    table: &InPlaceTable,
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
    let mut stars = Vec::new();
    for (i, x) in t.iter().enumerate() {
        match x.kind {
            Kind::Punct(b'(') => depth += 1,
            Kind::Punct(b')') => depth -= 1,
            // Several statements.
            Kind::Punct(b';') => return None,
            Kind::Punct(b'*') if star(b, &t, i) => stars.push(i),
            // Another table (a comma in FROM, not in ORDER BY).
            Kind::Punct(b',') if depth == 0 && from.is_some() && clause_words.is_empty() => {
                return None
            }
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
    let changed = |name: &str| {
        let n = name.to_ascii_lowercase();
        table.changed.iter().find(|(c, _)| *c == n).map(|(_, e)| e)
    };
    let is_spelled = |x: &Token| {
        matches!(x.kind, Kind::Word | Kind::QuotedIdent)
            && x.name(b, mode).is_some_and(|n| changed(&n).is_some())
    };
    let ours = |x: &Token| x.name(b, mode).as_deref() == Some(table.known_as);
    let items = select_items(b, &t);
    let mut edits: Vec<Edit> = Vec::new();
    let mut our_stars = Vec::new();
    // Tokens that name an item (its alias): not mentions of a column.
    let mut aliases = Vec::new();
    // What each item's result column is named (lowercase; `None`: an
    // expression, named by its text), a star's being the table's columns.
    let mut names: Vec<Option<String>> = Vec::new();
    for &(start, end) in &items {
        let item = &t[start..end];
        let at = names.len();
        // `*` or `t.*`: the table's columns, each changed one spelled.
        let star_item = match item {
            [s] => s.is_punct(b'*'),
            [q, dot, s] => dot.is_punct(b'.') && s.is_punct(b'*') && ours(q),
            _ => false,
        };
        if star_item {
            our_stars.push(end - 1);
            let mut text = Vec::with_capacity(table.all.len());
            let mut outputs = Vec::new();
            for (j, name) in table.all.iter().enumerate() {
                names.push(Some(name.to_ascii_lowercase()));
                match changed(name) {
                    Some(e) => {
                        outputs.push(at + j);
                        text.push(format!("{e} AS {}", quote_ident(name)));
                    }
                    None => text.push(quote_ident(name)),
                }
            }
            if !outputs.is_empty() {
                edits.push(Edit {
                    first: start,
                    end,
                    text: text.join(", "),
                    outputs,
                });
            }
            continue;
        }
        let name_ok = |x: &Token| matches!(x.kind, Kind::Word | Kind::QuotedIdent | Kind::Str);
        let alias_name = |a: &Token| match a.kind {
            Kind::Str => Some(String::from_utf8_lossy(&unquote(a.text(b), mode)).into_owned()),
            _ => a.name(b, mode),
        };
        // Any other item: named by its `AS` alias (which only names it),
        // else by its text.
        let mut other = || {
            match item {
                [_, .., as_, a] if as_.is_word(b, "AS") && name_ok(a) => {
                    aliases.push(end - 1);
                    names.push(alias_name(a).map(|n| n.to_ascii_lowercase()));
                }
                _ => names.push(None),
            };
        };
        // A column, `c` or `t.c`, then nothing, an alias, or AS and one.
        let column_len = match item {
            [q, dot, ..] if dot.is_punct(b'.') => {
                if !ours(q) {
                    other();
                    continue;
                }
                3
            }
            _ => 1,
        };
        let column = item.get(column_len - 1)?;
        let rest = &item[column_len..];
        let alias = match rest {
            [] => None,
            [a] if name_ok(a) && !a.is_word(b, "AS") && !b[a.start].is_ascii_digit() => Some(a),
            [as_, a] if as_.is_word(b, "AS") && name_ok(a) => Some(a),
            _ => {
                other();
                continue;
            }
        };
        if alias.is_some() {
            aliases.push(end - 1);
        }
        let written = match (alias, column.kind) {
            (Some(a), _) => alias_name(a),
            (None, Kind::Word | Kind::QuotedIdent) => column.name(b, mode),
            (None, _) => None,
        };
        names.push(written.as_ref().map(|w| w.to_ascii_lowercase()));
        if !is_spelled(column) {
            continue;
        }
        let expr = changed(&column.name(b, mode)?)?;
        let text = match alias {
            // The server names an unaliased column item by the column's
            // name as written.
            None => format!("{expr} AS {}", quote_ident(&written?)),
            Some(_) => expr.clone(),
        };
        edits.push(Edit {
            first: start,
            end: start + column_len,
            text,
            outputs: vec![at],
        });
    }
    // Every `*` that stands for columns is an item that stands for ours.
    if !stars.iter().all(|i| our_stars.contains(i)) {
        return None;
    }
    // ORDER BY's items from its BY to the clause after it.
    let order = clause_words
        .iter()
        .position(|&c| t[c].is_word(b, "ORDER"))
        .map(|n| {
            (
                clause_words[n] + 2,
                clause_words.get(n + 1).copied().unwrap_or(t.len()),
            )
        });
    // An ORDER BY item that is a bare name names a result column first:
    // one the rewrite keeps the name of.
    let result_name = |i: usize| {
        let bare = i > 0
            && (t[i - 1].is_word(b, "BY") || t[i - 1].is_punct(b','))
            && t.get(i + 1).is_none_or(|n| {
                n.is_punct(b',')
                    || n.is_word(b, "ASC")
                    || n.is_word(b, "DESC")
                    || clause_words.contains(&(i + 1))
            });
        let name = t[i].name(b, mode).map(|n| n.to_ascii_lowercase());
        bare && order.is_some_and(|(s, e)| i >= s && i < e)
            && names.iter().filter(|n| n.is_some() && **n == name).count() == 1
    };
    // Any other mention of a changed column's name (in WHERE, an
    // expression, a function's name, an alias of another item) is not
    // taken.
    let in_edit = |i: usize| {
        edits
            .iter()
            .any(|d| items.iter().any(|&(s, e)| s == d.first && i >= s && i < e))
    };
    if t.iter()
        .enumerate()
        .any(|(i, x)| is_spelled(x) && !in_edit(i) && !result_name(i) && !aliases.contains(&i))
    {
        return None;
    }
    let mut out = String::with_capacity(sql.len() + 256);
    let mut at = 0;
    for d in &edits {
        out.push_str(&sql[at..t[d.first].start]);
        out.push_str(&d.text);
        at = t[d.end - 1].end;
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
        items: edits
            .iter()
            .flat_map(|d| d.outputs.iter().copied())
            .collect(),
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

    fn changed() -> Vec<(String, String)> {
        vec![("c".into(), "CASE `id` WHEN 7 THEN 'x' ELSE `c` END".into())]
    }

    fn all() -> Vec<String> {
        vec!["id".into(), "c".into(), "pad".into()]
    }

    fn full(sql: &str, exclude: Option<&str>) -> Option<Substituted> {
        let (changed, all) = (changed(), all());
        let table = InPlaceTable {
            known_as: "t",
            all: &all,
            changed: &changed,
        };
        substitute(sql, LexMode::default(), &table, exclude)
    }

    fn sub(sql: &str, exclude: Option<&str>) -> Option<String> {
        full(sql, exclude).map(|s| s.text)
    }

    #[test]
    fn a_changed_column_item_becomes_its_expression_under_the_name_the_server_gives_it() {
        let s = full(
            "SELECT id, c FROM t WHERE id BETWEEN 1 AND 99",
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
    fn a_star_becomes_the_tables_columns_with_the_changed_ones_spelled() {
        let s = full("SELECT id AS k, t.* FROM t WHERE id = 7", None).unwrap();
        assert_eq!(
            s.text,
            "SELECT id AS k, `id`, CASE `id` WHEN 7 THEN 'x' ELSE `c` END AS `c`, `pad` FROM t WHERE id = 7"
        );
        assert_eq!(s.items, vec![2]);
        assert_eq!(
            sub("SELECT * FROM t WHERE id = 7 ORDER BY c DESC", None).unwrap(),
            "SELECT `id`, CASE `id` WHEN 7 THEN 'x' ELSE `c` END AS `c`, `pad` FROM t WHERE id = 7 ORDER BY c DESC"
        );
    }

    #[test]
    fn ordering_by_a_result_columns_name_orders_by_the_expression_that_keeps_it() {
        for sql in [
            "SELECT DISTINCT c FROM t WHERE id BETWEEN 1 AND 9 ORDER BY c",
            "SELECT c AS n, id FROM t WHERE id BETWEEN 1 AND 9 ORDER BY id, n DESC",
            "SELECT id AS c FROM t WHERE id BETWEEN 1 AND 9 ORDER BY c",
        ] {
            assert!(sub(sql, None).is_some(), "{sql}");
        }
        for sql in [
            // The table's column, not a result column.
            "SELECT id FROM t WHERE id BETWEEN 1 AND 9 ORDER BY c",
            "SELECT c FROM t WHERE id BETWEEN 1 AND 9 ORDER BY t.c",
            "SELECT c FROM t WHERE id BETWEEN 1 AND 9 ORDER BY c + 1",
            // Two result columns of that name.
            "SELECT c, id AS c FROM t WHERE id BETWEEN 1 AND 9 ORDER BY c",
        ] {
            assert_eq!(sub(sql, None), None, "{sql}");
        }
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
            "SELECT id AS c FROM t WHERE id = 7 AND c > 1",
            "SELECT u.* FROM t WHERE id = 7",
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

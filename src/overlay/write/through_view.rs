//! Writes through a view: INSERT, UPDATE and DELETE of a view that reads
//! one table become the same write of that table, as the server runs
//! them (MERGE): the view's columns are renamed to the table's columns it
//! shows, and its WHERE is added to the statement's. The rewritten text is
//! then captured like any write of the table (keys, triggers, foreign
//! keys, strict mode), so everything the write machinery does holds.
//!
//! A view the server would not let you write (DISTINCT, GROUP BY, HAVING,
//! UNION, aggregates) gets the server's 1288 or 1471; a column that is an
//! expression, the server's 1348 (UPDATE) or 1471 (INSERT). Not captured
//! yet, and refused by name: views over joins, subqueries, other views or
//! with ORDER BY / LIMIT; WITH CHECK OPTION; INSERT ... SET and ON
//! DUPLICATE KEY UPDATE through a view.

use crate::delta::TableId;
use crate::sql::lexer::{depth_at, lex, name_at, statement_tokens, Kind, LexMode, Token};
use crate::sql::rewrite::quote_ident;
use crate::sql::write::{InsertSource, Write};

use super::super::meta::{load, text};
use super::super::OverlayError;
use super::{server, unsupported, WriteContext};

/// A column of a view: its name, and the table column it shows (None for
/// an expression).
struct ViewColumn {
    name: String,
    base: Option<String>,
    /// Its expression, as the view wrote it.
    expr: String,
}

/// A view that reads one table.
struct SimpleView {
    id: TableId,
    table: TableId,
    /// The names the view's text qualifies the table's columns with (its
    /// alias, its name, its database).
    qualifiers: Vec<String>,
    columns: Vec<ViewColumn>,
    /// Its WHERE, as written, if any.
    condition: Option<String>,
}

/// The text of a view, and its column list and CHECK OPTION: a view
/// created through vdb, or the source's (information_schema.VIEWS). None
/// for anything that is not a view.
fn definition(
    cx: &mut WriteContext,
    id: &TableId,
) -> Result<Option<(String, Vec<String>, String)>, OverlayError> {
    let state = cx.delta.current();
    if let Some(v) = state.schema.views.get(id) {
        return Ok(Some((
            v.body.clone(),
            v.columns.clone(),
            v.check_option.clone(),
        )));
    }
    if state.schema.is_dropped(id) || state.schema.created.contains_key(id) {
        return Ok(None);
    }
    // A table's definition is cached: only a view asks the source.
    match load(cx.up, cx.delta, id) {
        Err(OverlayError::Unsupported(_)) => {}
        _ => return Ok(None),
    }
    let rows = cx.up.query(&format!(
        "SELECT VIEW_DEFINITION, CHECK_OPTION FROM information_schema.VIEWS \
         WHERE TABLE_SCHEMA = {} AND TABLE_NAME = {}",
        super::super::meta::text_literal(&id.schema),
        super::super::meta::text_literal(&id.name)
    ))?;
    Ok(rows.first().map(|r| (text(&r[0]), Vec::new(), text(&r[1]))))
}

/// Reads a view's SELECT: one table, its columns, its WHERE. None for a
/// view the server would not let be written.
fn read_view(
    cx: &mut WriteContext,
    id: &TableId,
    body: &str,
    names: &[String],
) -> Result<Option<SimpleView>, OverlayError> {
    let b = body.as_bytes();
    let mode = LexMode::default();
    let t = statement_tokens(b, mode);
    let not_yet = |what: &str| {
        OverlayError::Unsupported(format!("a write through the view {id}, which {what}"))
    };
    let word = |i: usize, w: &str| t.get(i).is_some_and(|x| x.is_word(b, w));
    let depth_zero = |i: usize| depth_at(&t, i) == 0;
    if !word(0, "SELECT") {
        return Err(not_yet("is not a plain SELECT"));
    }
    if !crate::sql::ddl::view_updatable(body) {
        return Ok(None);
    }
    for (i, x) in t.iter().enumerate() {
        if x.is_word(b, "SELECT") && i > 0 {
            return Err(not_yet("has a subquery"));
        }
        for w in ["ORDER", "LIMIT"] {
            if x.is_word(b, w) && depth_zero(i) {
                return Err(not_yet(&format!("has {w}")));
            }
        }
        // The server prints a join in parentheses.
        if x.is_word(b, "JOIN") {
            return Err(not_yet("reads more than one table"));
        }
    }
    let Some(from) = (1..t.len()).find(|&i| word(i, "FROM") && depth_zero(i)) else {
        return Err(not_yet("reads no table"));
    };
    // The table, then an optional alias, then WHERE or the end.
    let Some((schema, name, mut at)) = name_at(b, &t, from + 1, mode) else {
        return Err(not_yet("reads no table"));
    };
    let table = TableId {
        schema: schema.unwrap_or_else(|| id.schema.clone()),
        name,
    };
    let mut qualifiers = vec![table.name.clone()];
    if word(at, "AS") {
        at += 1;
    }
    if !word(at, "WHERE") {
        if let Some(alias) = t
            .get(at)
            .filter(|x| matches!(x.kind, Kind::Word | Kind::QuotedIdent))
        {
            qualifiers.push(alias.name(b, mode).unwrap_or_default());
            at += 1;
        }
    }
    let condition = if word(at, "WHERE") && at + 1 < t.len() {
        Some(body[t[at + 1].start..t[t.len() - 1].end].to_string())
    } else if at < t.len() {
        return Err(not_yet("reads more than one table"));
    } else {
        None
    };
    if definition(cx, &table)?.is_some() {
        return Err(not_yet("reads another view"));
    }
    let meta = load(cx.up, cx.delta, &table)?;
    // The select list, item by item.
    let mut columns = Vec::new();
    let mut start = 1;
    while word(start, "ALL") || word(start, "SQL_NO_CACHE") || word(start, "SQL_CACHE") {
        start += 1;
    }
    let mut items: Vec<&[Token]> = Vec::new();
    let mut s = start;
    for i in start..=from {
        if i == from || (t[i].is_punct(b',') && depth_at(&t[start..], i - start) == 0) {
            items.push(&t[s..i]);
            s = i + 1;
        }
    }
    for item in items {
        let n = item.len();
        let is_name = |x: &Token| matches!(x.kind, Kind::Word | Kind::QuotedIdent);
        if n == 1 && item[0].is_punct(b'*') || n == 3 && item[2].is_punct(b'*') {
            for c in &meta.columns {
                columns.push(ViewColumn {
                    name: c.name.clone(),
                    base: Some(c.name.clone()),
                    expr: quote_ident(&c.name),
                });
            }
            continue;
        }
        // `[[db.]t.]col [[AS] alias]`, else an expression `... [AS] alias`.
        let (body_len, alias) = if n >= 2 && item[n - 2].is_word(b, "AS") {
            (n - 2, item[n - 1].name(b, mode))
        } else if n >= 2 && is_name(&item[n - 1]) && is_name(&item[n - 2]) {
            (n - 1, item[n - 1].name(b, mode))
        } else {
            (n, None)
        };
        let e = &item[..body_len];
        let plain = match e.len() {
            1 => is_name(&e[0]),
            3 => is_name(&e[0]) && e[1].is_punct(b'.') && is_name(&e[2]),
            5 => {
                is_name(&e[0])
                    && e[1].is_punct(b'.')
                    && is_name(&e[2])
                    && e[3].is_punct(b'.')
                    && is_name(&e[4])
            }
            _ => false,
        };
        let base = plain.then(|| e[e.len() - 1].name(b, mode)).flatten();
        let expr = body[e[0].start..e[e.len() - 1].end].to_string();
        let shown = alias
            .or_else(|| base.clone())
            .unwrap_or_else(|| expr.clone());
        columns.push(ViewColumn {
            name: shown,
            base,
            expr,
        });
    }
    for (c, n) in columns.iter_mut().zip(names) {
        c.name = n.clone();
    }
    Ok(Some(SimpleView {
        id: id.clone(),
        table,
        qualifiers,
        columns,
        condition,
    }))
}

impl SimpleView {
    fn column(&self, name: &str) -> Option<&ViewColumn> {
        self.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// `text` (the statement's expressions, WHERE, ORDER BY) in the
    /// table's terms: view columns become the columns they show,
    /// qualifiers naming the view (or `alias`) become the table's name (or
    /// stay `alias`).
    fn in_table_terms(&self, text: &str, alias: Option<&str>) -> String {
        let b = text.as_bytes();
        let mode = LexMode::default();
        let tokens = lex(b, mode).tokens;
        // (start, end, replacement), in order.
        let mut edits: Vec<(usize, usize, String)> = Vec::new();
        for (i, x) in tokens.iter().enumerate() {
            if !matches!(x.kind, Kind::Word | Kind::QuotedIdent)
                || tokens.get(i + 1).is_some_and(|n| n.is_punct(b'('))
            {
                continue;
            }
            let Some(name) = x.name(b, mode) else {
                continue;
            };
            if tokens.get(i + 1).is_some_and(|n| n.is_punct(b'.')) {
                if alias.is_none() && name.eq_ignore_ascii_case(&self.id.name) {
                    edits.push((x.start, x.end, quote_ident(&self.table.name)));
                }
                continue;
            }
            match self.column(&name) {
                Some(ViewColumn { base: Some(c), .. }) => {
                    edits.push((x.start, x.end, quote_ident(c)));
                }
                // A computed column reads as its expression, which takes
                // no qualifier.
                Some(ViewColumn { expr, .. }) => {
                    let dot = |k: usize| k < i && tokens[k].is_punct(b'.');
                    let mut start = x.start;
                    if i >= 2 && dot(i - 1) {
                        start = tokens[i - 2].start;
                        if i >= 4 && dot(i - 3) {
                            start = tokens[i - 4].start;
                        }
                    }
                    edits.retain(|e| e.0 < start);
                    edits.push((start, x.end, format!("({})", self.strip(expr))));
                }
                None => {}
            }
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (start, end, r) in edits {
            out.push_str(&text[at..start]);
            out.push_str(&r);
            at = end;
        }
        out.push_str(&text[at..]);
        out
    }

    /// The view's WHERE in the table's terms: its qualifiers dropped (the
    /// table is the statement's only one).
    fn condition(&self) -> Option<String> {
        Some(self.strip(self.condition.as_ref()?))
    }

    /// Text of the view's (its WHERE, a column's expression) without the
    /// qualifiers naming its table.
    fn strip(&self, c: &str) -> String {
        let b = c.as_bytes();
        let mode = LexMode::default();
        let tokens = lex(b, mode).tokens;
        let mut out = String::with_capacity(c.len());
        let mut at = 0;
        let named = |i: usize| tokens.get(i).and_then(|x| x.name(b, mode));
        let dot = |i: usize| tokens.get(i).is_some_and(|x| x.is_punct(b'.'));
        let mut i = 0;
        while i < tokens.len() {
            let q = |n: Option<String>| {
                n.is_some_and(|n| self.qualifiers.iter().any(|q| q == &n) || n == self.table.schema)
            };
            // `db.t.col` or `t.col`: only `col` stays.
            let skip = if q(named(i)) && dot(i + 1) && q(named(i + 2)) && dot(i + 3) {
                4
            } else if q(named(i)) && dot(i + 1) && named(i + 2).is_some() {
                2
            } else {
                0
            };
            if skip > 0 {
                out.push_str(&c[at..tokens[i].start]);
                at = tokens[i + skip].start;
                i += skip;
            } else {
                i += 1;
            }
        }
        out.push_str(&c[at..]);
        out
    }

    /// A statement's `WHERE ... ORDER BY ... LIMIT ...` with the view's
    /// WHERE added.
    fn tail(&self, tail: &str, alias: Option<&str>) -> String {
        let tail = self.in_table_terms(tail, alias);
        let Some(cond) = self.condition() else {
            return tail;
        };
        let b = tail.as_bytes();
        let tokens = lex(b, LexMode::default()).tokens;
        let top = |k: usize| depth_at(&tokens, k) == 0;
        let at = |w: &str| (0..tokens.len()).find(|&k| tokens[k].is_word(b, w) && top(k));
        match at("WHERE") {
            Some(w) => {
                let end = ["ORDER", "LIMIT", "RETURNING"]
                    .iter()
                    .filter_map(|x| at(x))
                    .min()
                    .map_or(tail.len(), |k| tokens[k].start);
                let start = tokens.get(w + 1).map_or(tail.len(), |x| x.start);
                format!(
                    "WHERE ({cond}) AND ({}) {}",
                    tail[start..end].trim_end(),
                    &tail[end..]
                )
            }
            None => format!("WHERE ({cond}) {tail}"),
        }
    }
}

/// The write of the view's table that a write through view `id` is, or
/// None when `id` is no view.
pub(super) fn base_write(
    cx: &mut WriteContext,
    sql: &[u8],
    write: &Write,
) -> Result<Option<Vec<u8>>, OverlayError> {
    let (table, statement) = match write {
        Write::Insert(i) => (&i.table, "INSERT"),
        Write::Update(u) => (&u.table, "UPDATE"),
        Write::Delete(d) => (&d.table, "DELETE"),
        _ => return Ok(None),
    };
    let Some(schema) = table.schema.clone().or_else(|| cx.db.clone()) else {
        return Ok(None);
    };
    let id = TableId {
        schema,
        name: table.name.clone(),
    };
    let Some((body, names, check)) = definition(cx, &id)? else {
        return Ok(None);
    };
    let not_writable = || {
        if statement == "INSERT" {
            server(
                1471,
                "HY000",
                format!(
                    "The target table {} of the INSERT is not insertable-into",
                    id.name
                ),
            )
        } else {
            server(
                1288,
                "HY000",
                format!(
                    "The target table {} of the {statement} is not updatable",
                    id.name
                ),
            )
        }
    };
    let Some(view) = read_view(cx, &id, &body, &names)? else {
        return Err(not_writable());
    };
    if !check.eq_ignore_ascii_case("NONE") && !check.is_empty() {
        return unsupported(format!("a write through the view {id} WITH CHECK OPTION"));
    }
    let text = String::from_utf8_lossy(sql).into_owned();
    let base = view.table.quoted();
    let out = match write {
        Write::Update(u) => {
            let mut set = Vec::with_capacity(u.set.len());
            for a in &u.set {
                let Some(c) = view.column(&a.column) else {
                    // The server's 1054, from the write of the table.
                    set.push(format!(
                        "{} = {}",
                        quote_ident(&a.column),
                        &text[a.expr.clone()]
                    ));
                    continue;
                };
                let Some(basecol) = &c.base else {
                    return Err(server(
                        1348,
                        "HY000",
                        format!("Column '{}' is not updatable", c.name),
                    ));
                };
                set.push(format!(
                    "{} = {}",
                    quote_ident(basecol),
                    view.in_table_terms(&text[a.expr.clone()], u.alias.as_deref())
                ));
            }
            format!(
                "UPDATE {}{base}{} SET {} {}",
                if u.ignore { "IGNORE " } else { "" },
                u.alias
                    .as_ref()
                    .map(|a| format!(" AS {}", quote_ident(a)))
                    .unwrap_or_default(),
                set.join(", "),
                view.tail(&text[u.tail.clone()], u.alias.as_deref())
            )
        }
        Write::Delete(d) => {
            if d.alias.is_some() {
                return unsupported(format!("DELETE through the view {id} with an alias"));
            }
            format!(
                "DELETE {}FROM {base} {}",
                if d.ignore { "IGNORE " } else { "" },
                view.tail(&text[d.tail.clone()], None)
            )
        }
        Write::Insert(i) => {
            if i.on_duplicate.is_some() || i.returning.is_some() || i.row_alias.is_some() {
                return unsupported(format!(
                    "INSERT ... ON DUPLICATE KEY UPDATE, RETURNING or a row alias through the view {id}"
                ));
            }
            let rows = match &i.source {
                InsertSource::Values(rows) => {
                    let mut out = Vec::with_capacity(rows.len());
                    for r in rows {
                        let values: Vec<&str> = r.iter().map(|v| &text[v.clone()]).collect();
                        out.push(format!("({})", values.join(", ")));
                    }
                    format!("VALUES {}", out.join(", "))
                }
                InsertSource::Query(q) => text[q.clone()].to_string(),
                InsertSource::Set(_) => {
                    return unsupported(format!("INSERT ... SET through the view {id}"))
                }
            };
            let listed: Vec<&ViewColumn> = match &i.columns {
                Some(cols) => {
                    let mut v = Vec::with_capacity(cols.len());
                    for c in cols {
                        match view.column(c) {
                            Some(vc) => v.push(vc),
                            None => {
                                return Err(server(
                                    1054,
                                    "42S22",
                                    format!("Unknown column '{c}' in 'field list'"),
                                ))
                            }
                        }
                    }
                    v
                }
                None => view.columns.iter().collect(),
            };
            let mut cols = Vec::with_capacity(listed.len());
            for c in listed {
                match &c.base {
                    Some(b) => cols.push(quote_ident(b)),
                    None => return Err(not_writable()),
                }
            }
            format!(
                "{}{} INTO {base} ({}) {rows}",
                if i.replace { "REPLACE" } else { "INSERT" },
                if i.ignore { " IGNORE" } else { "" },
                cols.join(", ")
            )
        }
        _ => return Ok(None),
    };
    Ok(Some(out.into_bytes()))
}

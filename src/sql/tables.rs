//! Which base tables a statement names, and where each name stands in the
//! client's text (byte ranges), so the overlay can splice a derived table in
//! place of the name and leave every other byte as the client wrote it.
//!
//! Parsing is sqlparser's (MySQL dialect, no unescaping), for analysis only.
//! References are resolved with scopes: a name that denotes a CTE in scope is
//! not a table. As MariaDB resolves them, CTE names match case-insensitively,
//! a CTE sees only the CTEs before it (and itself under `WITH RECURSIVE`),
//! and a non-recursive CTE named like a table reads that table in its own
//! body (`WITH t AS (SELECT * FROM t) ...`).

use std::ops::{ControlFlow, Range};

use std::collections::HashMap;

use sqlparser::ast::{
    Expr, GroupByExpr, JoinConstraint, JoinOperator, LimitClause, ObjectNamePart, OrderByExpr,
    OrderByKind, OrderBySort, Query, Select, SelectItem, SetExpr, Spanned, TableFactor, Value,
    Visit, Visitor,
};
use sqlparser::dialect::MySqlDialect;
use sqlparser::parser::{Parser, ParserOptions};
use sqlparser::tokenizer::{Location, Span};

use super::restrict::{
    conjuncts, equality, simple, Decimal, Lit, Named, Pred, Probe, Restriction, Sorted, Test,
};

/// One reference to a base table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRef {
    /// The database, when the name is qualified.
    pub schema: Option<String>,
    /// The table name (unquoted).
    pub name: String,
    /// The alias, when one is given.
    pub alias: Option<String>,
    /// Byte range of the name (`db.t`, quotes included) in the text.
    pub name_span: Range<usize>,
    /// What the query says about the rows it uses of this reference.
    pub restriction: Restriction,
}

/// Why a text could not be analysed. The overlay refuses such a statement
/// when it may touch a changed table, rather than guess.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalysisError(pub String);

/// Parses `sql` (one or more statements) and returns its base-table
/// references in text order. A text of a shape seen before (the same
/// statement with other literals) is not parsed again: see
/// [`super::shapes`].
pub fn table_refs(sql: &str) -> Result<Vec<TableRef>, AnalysisError> {
    super::shapes::refs_by_shape(sql, parse_refs)
}

/// [`table_refs`], parsing every time.
pub(super) fn parse_refs(sql: &str) -> Result<Vec<TableRef>, AnalysisError> {
    let options = ParserOptions::new().with_unescape(false);
    let statements = Parser::new(&MySqlDialect {})
        .with_options(options)
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_statements())
        .map_err(|e| AnalysisError(e.to_string()))?;
    let index = LineIndex::new(sql);
    let mut collector = Collector {
        sql,
        index: &index,
        scopes: Vec::new(),
        refs: Vec::new(),
        restrictions: HashMap::new(),
        error: None,
    };
    for s in &statements {
        let _ = s.visit(&mut collector);
        if let Some(e) = collector.error.take() {
            return Err(e);
        }
    }
    collector.refs.sort_by_key(|r| r.name_span.start);
    Ok(collector.refs)
}

/// Maps sqlparser locations (1-based lines and columns counted in
/// characters) to byte offsets.
struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, line_starts }
    }

    fn offset(&self, loc: Location) -> Option<usize> {
        let start = *self.line_starts.get((loc.line as usize).checked_sub(1)?)?;
        let line = &self.text[start..];
        let col = (loc.column as usize).checked_sub(1)?;
        match line.char_indices().nth(col) {
            Some((i, _)) => Some(start + i),
            None if line.chars().count() == col => Some(start + line.len()),
            None => None,
        }
    }

    fn range(&self, span: Span) -> Option<Range<usize>> {
        Some(self.offset(span.start)?..self.offset(span.end)?)
    }
}

/// The CTEs one WITH clause declares.
struct Scope {
    recursive: bool,
    /// Lower-cased names and the byte ranges of their definitions.
    ctes: Vec<(String, Range<usize>)>,
}

impl Scope {
    /// Whether `name` (lower case), used at byte `at`, denotes one of these CTEs.
    fn binds(&self, name: &str, at: usize) -> bool {
        let inside = self.ctes.iter().position(|(_, def)| def.contains(&at));
        self.ctes.iter().enumerate().any(|(j, (cte, _))| {
            cte == name
                && match inside {
                    // In the main body every CTE is visible.
                    None => true,
                    Some(k) => j < k || (j == k && self.recursive),
                }
        })
    }
}

struct Collector<'a> {
    sql: &'a str,
    index: &'a LineIndex<'a>,
    scopes: Vec<Scope>,
    refs: Vec<TableRef>,
    /// Restrictions of the table references of the queries entered so far,
    /// by the byte offset of the reference's name.
    restrictions: HashMap<usize, Restriction>,
    error: Option<AnalysisError>,
}

/// How a join combines its right-hand table with what precedes it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum JoinKind {
    /// Inner (or comma, CROSS, STRAIGHT_JOIN): ON restricts both sides.
    Inner,
    /// LEFT: ON restricts only the right-hand table.
    Left,
    /// RIGHT: ON restricts only what precedes.
    Right,
    /// Anything else: nothing is concluded.
    Other,
}

/// One table of a FROM clause, as restrictions see it.
struct Factor<'q> {
    named: Named,
    /// Byte offset of its name in the text (what identifies its reference).
    start: usize,
    /// Whether it names a table rather than a CTE.
    base: bool,
    /// ON terms that restrict its rows.
    on: Vec<&'q Expr>,
}

fn selects<'q>(body: &'q SetExpr, out: &mut Vec<&'q Select>) {
    match body {
        SetExpr::Select(s) => out.push(s),
        SetExpr::SetOperation { left, right, .. } => {
            selects(left, out);
            selects(right, out);
        }
        _ => {}
    }
}

/// The numbers of `LIMIT n OFFSET m` (or `LIMIT m, n`), when both are
/// plain numbers (see [`Restriction::first`]).
fn rows_limited(query: &Query) -> Option<Vec<Lit>> {
    let number = |e: &Expr| match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => Some(Lit::Num(Decimal::parse(n)?)),
            _ => None,
        },
        _ => None,
    };
    match query.limit_clause.as_ref()? {
        LimitClause::LimitOffset {
            limit: Some(limit),
            offset,
            limit_by,
        } if limit_by.is_empty() => {
            let mut out = vec![number(limit)?];
            if let Some(o) = offset {
                out.push(number(&o.value)?);
            }
            Some(out)
        }
        LimitClause::OffsetCommaLimit { offset, limit } => {
            Some(vec![number(limit)?, number(offset)?])
        }
        _ => None,
    }
}

/// The one column of `table` an `ORDER BY` item sorts a scan by: a column
/// name, qualified by the table's name or alias or not, that no select item
/// is named (MySQL reads an ORDER BY name as a select alias first).
fn sorted_by(o: &OrderByExpr, select: &Select, table: &Named) -> Option<Sorted> {
    let descending = match o.options.sort {
        None | Some(OrderBySort::Asc) => false,
        Some(OrderBySort::Desc) => true,
        Some(OrderBySort::Using(_)) => return None,
    };
    if o.options.nulls_first.is_some() || o.with_fill.is_some() {
        return None;
    }
    let column = match &o.expr {
        Expr::Identifier(c) => c.value.clone(),
        Expr::CompoundIdentifier(parts) => match parts.as_slice() {
            [q, c] if Some(&q.value) == table.alias.as_ref().or(Some(&table.name)) => {
                c.value.clone()
            }
            _ => return None,
        },
        _ => return None,
    };
    let aliased = select.projection.iter().any(|item| match item {
        SelectItem::ExprWithAlias { alias, .. } => alias.value.eq_ignore_ascii_case(&column),
        SelectItem::ExprWithAliases { .. } => true,
        _ => false,
    });
    (!aliased).then_some(Sorted { column, descending })
}

/// Whether `select` returns the rows it reads as they come, one for one:
/// columns (or constants) only, no DISTINCT, no grouping, no modifier (a
/// `SQL_CALC_FOUND_ROWS` counts past the limit), no INTO.
fn as_they_come(select: &Select) -> bool {
    let plain = |e: &Expr| {
        matches!(
            e,
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) | Expr::Value(_)
        )
    };
    select.distinct.is_none()
        && select.select_modifiers.is_none()
        && select.into.is_none()
        && matches!(&select.group_by, GroupByExpr::Expressions(e, m) if e.is_empty() && m.is_empty())
        && select.projection.iter().all(|item| match item {
            SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => true,
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => plain(e),
            SelectItem::ExprWithAliases { .. } => false,
        })
}

impl Collector<'_> {
    /// A table factor's names and position, when it is a plain table name.
    fn factor<'q>(&self, f: &TableFactor) -> Option<Factor<'q>> {
        let TableFactor::Table { name, alias, .. } = f else {
            return None;
        };
        let parts: Vec<String> = name
            .0
            .iter()
            .map(|p| match p {
                ObjectNamePart::Identifier(i) => Some(i.value.clone()),
                ObjectNamePart::Function(_) => None,
            })
            .collect::<Option<_>>()?;
        let start = self.index.range(name.span())?.start;
        let (schema, table) = match parts.as_slice() {
            [t] => (None, t.clone()),
            [s, t] => (Some(s.clone()), t.clone()),
            _ => return None,
        };
        let base = schema.is_some() || {
            let lower = table.to_lowercase();
            !self.scopes.iter().rev().any(|s| s.binds(&lower, start))
        };
        Some(Factor {
            named: Named {
                schema,
                name: table,
                alias: alias.as_ref().map(|a| a.name.value.clone()),
            },
            start,
            base,
            on: Vec::new(),
        })
    }

    /// Works out the restriction of every table reference of one SELECT
    /// from its WHERE and ON terms (see [`super::restrict`]).
    /// `first`: the query's `LIMIT` and `OFFSET` numbers, when `select` is
    /// its whole body and it has no ORDER BY, or `sorted`'s one column.
    /// `whole`: the query is the statement's own, unsorted and unlimited.
    fn restrict(
        &mut self,
        select: &Select,
        first: Option<Vec<Lit>>,
        sorted: Option<&OrderByExpr>,
        whole: bool,
    ) {
        let mut where_terms = Vec::new();
        if let Some(w) = &select.selection {
            conjuncts(w, &mut where_terms);
        }
        // Every factor, `None` for derived tables and other non-names.
        let mut factors: Vec<Option<Factor>> = Vec::new();
        // The kind of each join, for the two-table probe.
        let mut kinds = Vec::new();
        let mut join_terms: Vec<&Expr> = Vec::new();
        for twj in &select.from {
            let group = factors.len();
            factors.push(self.factor(&twj.relation));
            for join in &twj.joins {
                let (kind, constraint) = match &join.join_operator {
                    JoinOperator::Join(c)
                    | JoinOperator::Inner(c)
                    | JoinOperator::CrossJoin(c)
                    | JoinOperator::StraightJoin(c) => (JoinKind::Inner, Some(c)),
                    JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => (JoinKind::Left, Some(c)),
                    JoinOperator::Right(c) | JoinOperator::RightOuter(c) => {
                        (JoinKind::Right, Some(c))
                    }
                    _ => (JoinKind::Other, None),
                };
                kinds.push(kind);
                let mut on = Vec::new();
                if let Some(JoinConstraint::On(e)) = constraint {
                    conjuncts(e, &mut on);
                }
                join_terms.extend(on.iter().copied());
                factors.push(self.factor(&join.relation));
                let new = factors.len() - 1;
                let targets = match kind {
                    JoinKind::Inner => group..=new,
                    JoinKind::Left => new..=new,
                    JoinKind::Right if new > group => group..=new - 1,
                    _ => continue,
                };
                for f in factors[targets].iter_mut().flatten() {
                    f.on.extend(on.iter().copied());
                }
            }
        }
        let total = factors.len();
        // Which factor may probe the other: two named tables, joined inner
        // (or by comma), or the optional side of an outer join.
        let probing = |i: usize| match (total, select.from.len(), kinds.as_slice()) {
            (2, 2, []) => true,
            (2, 1, [JoinKind::Inner]) => true,
            (2, 1, [JoinKind::Left]) => i == 1,
            (2, 1, [JoinKind::Right]) => i == 0,
            _ => false,
        };
        let owned = |f: &Factor, c: &super::restrict::ColumnRef| {
            if c.qualifier.is_empty() {
                total == 1
            } else {
                f.named.owns(c)
            }
        };
        let preds_of = |f: &Factor, terms: &mut dyn Iterator<Item = &&Expr>| -> Vec<Pred> {
            let mut preds = Vec::new();
            for term in terms {
                let Some((c, tests)) = simple(term) else {
                    continue;
                };
                if !owned(f, &c) {
                    continue;
                }
                for test in tests {
                    // IS NULL is not null-rejecting: under an outer join a
                    // missing row satisfies it.
                    if test == Test::IsNull && total != 1 {
                        continue;
                    }
                    preds.push(Pred {
                        column: c.column.clone(),
                        test,
                    });
                }
            }
            preds
        };
        for (i, f) in factors.iter().enumerate() {
            let Some(f) = f else { continue };
            let preds = preds_of(f, &mut where_terms.iter().chain(f.on.iter()));
            let mut probe = None;
            if probing(i) {
                if let Some(Some(o)) = factors.get(1 - i) {
                    if o.base {
                        let terms: Vec<&Expr> = where_terms
                            .iter()
                            .chain(join_terms.iter())
                            .copied()
                            .collect();
                        let pair = terms.iter().find_map(|t| {
                            let (a, b) = equality(t)?;
                            if owned(f, &a) && owned(o, &b) {
                                Some((a.column, b.column))
                            } else if owned(f, &b) && owned(o, &a) {
                                Some((b.column, a.column))
                            } else {
                                None
                            }
                        });
                        if let Some((column, other_column)) = pair {
                            probe = Some(Probe {
                                column,
                                other: o.named.clone(),
                                other_column,
                                other_preds: preds_of(o, &mut terms.iter()),
                            });
                        }
                    }
                }
            }
            let scan = total == 1 && select.selection.is_none() && select.having.is_none();
            let in_scan_order = whole && scan && as_they_come(select);
            let first = first.clone().filter(|_| scan && as_they_come(select));
            // Sorted by anything but one of the table's columns, the limit
            // says nothing of which of its rows are used.
            let (first, sorted) = match (first, sorted) {
                (Some(first), None) => (Some(first), None),
                (Some(first), Some(o)) => match sorted_by(o, select, &f.named) {
                    Some(s) => (Some(first), Some(s)),
                    None => (None, None),
                },
                (None, _) => (None, None),
            };
            if !preds.is_empty() || probe.is_some() || scan {
                self.restrictions.insert(
                    f.start,
                    Restriction {
                        preds,
                        probe,
                        scan,
                        first,
                        sorted,
                        in_scan_order,
                    },
                );
            }
        }
    }
}

impl Visitor for Collector<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        let mut scope = Scope {
            recursive: false,
            ctes: Vec::new(),
        };
        if let Some(with) = &query.with {
            scope.recursive = with.recursive;
            for cte in &with.cte_tables {
                let Some(def) = self.index.range(cte.query.span()) else {
                    self.error = Some(AnalysisError("cannot locate a CTE in the text".into()));
                    return ControlFlow::Break(());
                };
                scope.ctes.push((cte.alias.name.value.to_lowercase(), def));
            }
        }
        self.scopes.push(scope);
        let sorted = match query.order_by.as_ref().map(|o| &o.kind) {
            Some(OrderByKind::Expressions(list)) if list.len() == 1 => Some(&list[0]),
            _ => None,
        };
        let first = match &*query.body {
            SetExpr::Select(_) if query.order_by.is_none() || sorted.is_some() => {
                rows_limited(query)
            }
            _ => None,
        };
        // Only the statement's own rows reach the client in scan order.
        let whole = self.scopes.len() == 1
            && matches!(&*query.body, SetExpr::Select(_))
            && query.order_by.is_none()
            && query.limit_clause.is_none();
        let mut body = Vec::new();
        selects(&query.body, &mut body);
        for select in body {
            self.restrict(select, first.clone(), sorted, whole);
        }
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &Query) -> ControlFlow<()> {
        self.scopes.pop();
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<()> {
        let TableFactor::Table { name, alias, .. } = factor else {
            return ControlFlow::Continue(());
        };
        let mut parts = Vec::new();
        for part in &name.0 {
            match part {
                ObjectNamePart::Identifier(ident) => parts.push(ident.value.clone()),
                ObjectNamePart::Function(_) => {
                    self.error = Some(AnalysisError("a table name computed by a function".into()));
                    return ControlFlow::Break(());
                }
            }
        }
        let Some(span) = self.index.range(name.span()) else {
            self.error = Some(AnalysisError(
                "cannot locate a table name in the text".into(),
            ));
            return ControlFlow::Break(());
        };
        debug_assert!(self.sql.get(span.clone()).is_some());
        let (schema, table) = match parts.as_slice() {
            [t] => (None, t.clone()),
            [s, t] => (Some(s.clone()), t.clone()),
            _ => {
                self.error = Some(AnalysisError(format!(
                    "table name with {} parts",
                    parts.len()
                )));
                return ControlFlow::Break(());
            }
        };
        if schema.is_none() {
            let lower = table.to_lowercase();
            if self
                .scopes
                .iter()
                .rev()
                .any(|s| s.binds(&lower, span.start))
            {
                return ControlFlow::Continue(());
            }
        }
        self.refs.push(TableRef {
            schema,
            name: table,
            alias: alias.as_ref().map(|a| a.name.value.clone()),
            restriction: self.restrictions.remove(&span.start).unwrap_or_default(),
            name_span: span,
        });
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each reference as `schema.name@text-at-span`, in text order.
    fn check(sql: &str, expect: &[&str]) {
        let refs = table_refs(sql).unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        let got: Vec<String> = refs
            .iter()
            .map(|r| {
                let q = r
                    .schema
                    .as_ref()
                    .map(|s| format!("{s}."))
                    .unwrap_or_default();
                format!("{q}{}@{}", r.name, &sql[r.name_span.clone()])
            })
            .collect();
        assert_eq!(got, expect, "{sql}");
    }

    #[test]
    fn plain_qualified_and_quoted_names() {
        check("SELECT * FROM t", &["t@t"]);
        check(
            "select * from shop.items i join `other db`.`my table` AS m on i.id = m.id",
            &[
                "shop.items@shop.items",
                "other db.my table@`other db`.`my table`",
            ],
        );
        check("SELECT 1 FROM a, b, c", &["a@a", "b@b", "c@c"]);
    }

    #[test]
    fn byte_spans_survive_multibyte_text_and_newlines() {
        let sql = "SELECT '🐬 ünï', \"中文\"\nFROM\n  t1 -- 注释\n  JOIN t2 ON 1";
        check(sql, &["t1@t1", "t2@t2"]);
    }

    #[test]
    fn subqueries_anywhere_are_found() {
        check(
            "SELECT (SELECT MAX(x) FROM s1), a.* FROM a WHERE a.id IN (SELECT id FROM s2) AND EXISTS (SELECT 1 FROM s3 WHERE s3.k = a.k)",
            &["s1@s1", "a@a", "s2@s2", "s3@s3"],
        );
        check(
            "SELECT * FROM (SELECT * FROM inner_t) AS d JOIN u USING (id)",
            &["inner_t@inner_t", "u@u"],
        );
        check(
            "SELECT a FROM t1 UNION ALL SELECT b FROM t2 ORDER BY 1",
            &["t1@t1", "t2@t2"],
        );
    }

    #[test]
    fn cte_names_shadow_tables_as_mariadb_scopes_them() {
        check("WITH c AS (SELECT * FROM t) SELECT * FROM c", &["t@t"]);
        check("WITH C AS (SELECT 1) SELECT * FROM c", &[]);
        // A non-recursive CTE named like a table reads the table in its body.
        check("WITH t AS (SELECT * FROM t) SELECT * FROM t", &["t@t"]);
        // A CTE sees only the CTEs before it.
        check(
            "WITH a AS (SELECT * FROM b), b AS (SELECT 1) SELECT * FROM a, b",
            &["b@b"],
        );
        check("WITH RECURSIVE r AS (SELECT 1 n UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM r", &[]);
        // A qualified name is always a table.
        check("WITH t AS (SELECT 1) SELECT * FROM db.t", &["db.t@db.t"]);
        // Scopes nest.
        check(
            "SELECT * FROM (WITH x AS (SELECT * FROM y) SELECT * FROM x) d, x",
            &["y@y", "x@x"],
        );
    }

    #[test]
    fn writes_name_their_targets_too() {
        check(
            "UPDATE t SET a = (SELECT MAX(b) FROM u) WHERE id = 1",
            &["t@t", "u@u"],
        );
        check(
            "DELETE FROM t WHERE id IN (SELECT id FROM u)",
            &["t@t", "u@u"],
        );
    }

    /// The restriction of the reference whose name (or alias) is `name`,
    /// its predicates and probe written back as text.
    fn restriction(sql: &str, name: &str) -> (Vec<String>, Option<String>) {
        let refs = table_refs(sql).unwrap();
        let r = refs
            .iter()
            .find(|r| r.alias.as_deref().unwrap_or(&r.name) == name)
            .unwrap_or_else(|| panic!("{name} in {sql}"));
        let preds = r
            .restriction
            .preds
            .iter()
            .map(|p| p.to_sql(&p.column))
            .collect();
        let probe = r.restriction.probe.as_ref().map(|p| {
            let q = p.other.alias.as_deref().unwrap_or(&p.other.name);
            let others: Vec<String> = p.other_preds.iter().map(|o| o.to_sql(&o.column)).collect();
            format!(
                "{} = {q}.{} | {}",
                p.column,
                p.other_column,
                others.join(" AND ")
            )
        });
        (preds, probe)
    }

    #[test]
    fn where_terms_restrict_a_single_table() {
        let (preds, probe) = restriction(
            "SELECT c FROM t WHERE id = 5 AND (k > -2 AND c LIKE 'x%') AND x IS NULL OR 1",
            "t",
        );
        assert!(
            preds.is_empty(),
            "an OR at the top restricts nothing: {preds:?}"
        );
        assert!(probe.is_none());
        let (preds, _) = restriction(
            "SELECT c FROM t WHERE id = 5 AND (k > -2 AND c LIKE 'x%') AND x IS NULL AND n BETWEEN 1 AND 9 AND e IN ('a', 'b')",
            "t",
        );
        assert_eq!(
            preds,
            [
                "id = 5",
                "k > -2",
                "x IS NULL",
                "n >= 1",
                "n <= 9",
                "e IN ('a', 'b')"
            ]
        );
        // Terms inside subqueries belong to the subquery's own tables.
        let (preds, _) = restriction(
            "SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE id = 3)",
            "t",
        );
        assert!(preds.is_empty());
        assert_eq!(
            restriction(
                "SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE id = 3)",
                "u"
            )
            .0,
            ["id = 3"]
        );
    }

    #[test]
    fn joins_restrict_only_where_rows_cannot_survive_otherwise() {
        let sql =
            "SELECT * FROM a LEFT JOIN t ON t.id = a.x AND a.y = 1 AND t.z = 3 WHERE a.id = 2";
        // The optional side is restricted by ON; the preserved side is not.
        let (preds, probe) = restriction(sql, "t");
        assert_eq!(preds, ["z = 3"]);
        assert_eq!(probe.as_deref(), Some("id = a.x | id = 2 AND y = 1"));
        let (preds, probe) = restriction(sql, "a");
        assert_eq!(preds, ["id = 2"]);
        assert!(probe.is_none(), "the preserved side keeps every row");
        // IS NULL under an outer join is how anti-joins are written.
        let (preds, _) = restriction(
            "SELECT * FROM a LEFT JOIN t ON t.id = a.x WHERE t.id IS NULL AND t.k = 1",
            "t",
        );
        assert_eq!(preds, ["k = 1"]);
        // Unqualified columns are not attributed when two tables are read;
        // an alias hides the table's name.
        let sql = "SELECT * FROM t AS s, u WHERE id = 1 AND t.k = 7 AND s.k = 2 AND s.id = u.x";
        let (preds, probe) = restriction(sql, "s");
        assert_eq!(preds, ["k = 2"]);
        assert_eq!(probe.as_deref(), Some("id = u.x | "));
        // RIGHT JOIN: the left side is the optional one.
        let sql = "SELECT * FROM t RIGHT JOIN u ON t.id = u.x AND t.k = 4";
        assert_eq!(restriction(sql, "t").0, ["k = 4"]);
        assert!(restriction(sql, "t").1.is_some());
        assert!(restriction(sql, "u").0.is_empty());
        // Three tables: restrictions, but no probe.
        let sql = "SELECT * FROM a JOIN t ON t.id = a.x JOIN b ON b.y = t.k WHERE t.k = 1";
        assert_eq!(restriction(sql, "t"), (vec!["k = 1".to_string()], None));
        // A CTE is not a table the source can be asked about.
        let sql = "WITH c AS (SELECT 1 AS x) SELECT * FROM c JOIN t ON t.id = c.x";
        assert!(restriction(sql, "t").1.is_none());
    }

    #[test]
    fn a_table_read_whole_is_a_scan_and_a_limit_says_how_many_rows_it_uses() {
        let scan = |sql: &str, name: &str| {
            let refs = table_refs(sql).unwrap();
            let r = &refs
                .iter()
                .find(|r| r.alias.as_deref().unwrap_or(&r.name) == name)
                .unwrap()
                .restriction;
            (r.scan, r.first_rows())
        };
        assert_eq!(scan("SELECT * FROM t", "t"), (true, None));
        assert_eq!(scan("SELECT * FROM t LIMIT 200", "t"), (true, Some(200)));
        assert_eq!(
            scan("SELECT id, c AS x FROM t LIMIT 10 OFFSET 5", "t"),
            (true, Some(15))
        );
        assert_eq!(
            scan("SELECT t.id FROM t LIMIT 5, 10", "t"),
            (true, Some(15))
        );
        // Sorted by one of its columns, the limit counts rows in that
        // order (the newest rows: `ORDER BY id DESC LIMIT 20`).
        let sorted = |sql: &str| {
            let refs = table_refs(sql).unwrap();
            let r = &refs[0].restriction;
            (
                r.first_rows(),
                r.sorted.as_ref().map(|s| (s.column.clone(), s.descending)),
            )
        };
        assert_eq!(
            sorted("SELECT * FROM t ORDER BY c LIMIT 5"),
            (Some(5), Some(("c".into(), false)))
        );
        assert_eq!(
            sorted("SELECT id, c FROM t AS x ORDER BY x.id DESC LIMIT 20 OFFSET 40"),
            (Some(60), Some(("id".into(), true)))
        );
        // Sorted by an expression, a select alias, two columns or another
        // table's column, it says nothing of the rows the table gives.
        for sql in [
            "SELECT * FROM t ORDER BY c + 1 LIMIT 5",
            "SELECT c AS id FROM t ORDER BY id LIMIT 5",
            "SELECT * FROM t ORDER BY a, b LIMIT 5",
            "SELECT * FROM t AS x ORDER BY t.id LIMIT 5",
            "SELECT * FROM t ORDER BY 1 LIMIT 5",
            "SELECT * FROM t ORDER BY id",
        ] {
            assert_eq!(sorted(sql), (None, None), "{sql}");
        }
        // The statement's own rows, all of them as the scan gives them: the
        // merged view must list them in the table's scan order.
        let in_order = |sql: &str, table: &str| {
            table_refs(sql)
                .unwrap()
                .iter()
                .filter(|r| r.name == table)
                .any(|r| r.restriction.in_scan_order)
        };
        assert!(in_order("SELECT * FROM t", "t"));
        assert!(in_order("SELECT c, id FROM t AS x", "t"));
        for sql in [
            "SELECT * FROM t LIMIT 5",
            "SELECT * FROM t ORDER BY id",
            "SELECT * FROM t WHERE id > 1",
            "SELECT COUNT(*) FROM t",
            "SELECT DISTINCT c FROM t",
            "SELECT * FROM u WHERE a IN (SELECT id FROM t)",
            "SELECT * FROM (SELECT * FROM t) AS d ORDER BY id",
        ] {
            assert!(!in_order(sql, "t"), "{sql}");
        }
        // Grouped, aggregated or made distinct, the limit says nothing of
        // the rows the table gives; it is still read whole.
        assert_eq!(
            scan("SELECT id, COUNT(*) FROM t ORDER BY id LIMIT 5", "t"),
            (true, None)
        );
        assert_eq!(scan("SELECT COUNT(*) FROM t LIMIT 5", "t"), (true, None));
        assert_eq!(scan("SELECT DISTINCT c FROM t LIMIT 5", "t"), (true, None));
        assert_eq!(
            scan("SELECT c FROM t GROUP BY c LIMIT 5", "t"),
            (true, None)
        );
        assert_eq!(
            scan("SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 5", "t"),
            (true, None)
        );
        assert_eq!(scan("SELECT * FROM t LIMIT ?", "t"), (true, None));
        // A condition or a join may use an index: not a scan.
        assert_eq!(
            scan("SELECT * FROM t WHERE c LIKE 'a%' LIMIT 5", "t"),
            (false, None)
        );
        assert_eq!(
            scan("SELECT * FROM t JOIN u ON u.id = t.id LIMIT 5", "t"),
            (false, None)
        );
        // The limit of a union is the union's.
        assert_eq!(
            scan("SELECT * FROM t UNION ALL SELECT * FROM u LIMIT 5", "t"),
            (true, None)
        );
        // A subquery's own limit is its own.
        assert_eq!(
            scan(
                "SELECT * FROM (SELECT * FROM t LIMIT 3) d WHERE d.id > 1",
                "t"
            ),
            (true, Some(3))
        );
    }

    #[test]
    fn text_sqlparser_cannot_parse_is_an_error_not_a_guess() {
        assert!(table_refs("SELECT * FROM t WHERE").is_err());
    }
}

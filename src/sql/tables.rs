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

use sqlparser::ast::{ObjectNamePart, Query, Spanned, TableFactor, Visit, Visitor};
use sqlparser::dialect::MySqlDialect;
use sqlparser::parser::{Parser, ParserOptions};
use sqlparser::tokenizer::{Location, Span};

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
}

/// Why a text could not be analysed. The overlay refuses such a statement
/// when it may touch a changed table, rather than guess.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalysisError(pub String);

/// Parses `sql` (one or more statements) and returns its base-table
/// references in text order.
pub fn table_refs(sql: &str) -> Result<Vec<TableRef>, AnalysisError> {
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
    error: Option<AnalysisError>,
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

    #[test]
    fn text_sqlparser_cannot_parse_is_an_error_not_a_guess() {
        assert!(table_refs("SELECT * FROM t WHERE").is_err());
    }
}

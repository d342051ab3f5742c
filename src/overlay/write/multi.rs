//! UPDATE and DELETE over a join.
//!
//! The server evaluates the join once, before changing anything, and
//! changes each row of a target table at most once (the first combination
//! that reaches it wins; later ones find it already updated). vdb asks the
//! source for the join over the merged view once per target table, keeps
//! the first combination per row, and only then applies the changes, table
//! by table, with the same key and foreign-key checks as single-table
//! statements.

use std::collections::HashSet;
use std::ops::Range;

use crate::delta::{encode_key, Row, TableId};
use crate::sql::lexer::lex;
use crate::sql::tables::{table_refs, TableRef};
use crate::sql::write::{is_default, MultiDelete, MultiUpdate};

use super::{
    load, server, unsupported, whole_row, writable, OverlayError, Run, Target, WriteContext,
    WriteOutcome, Writer,
};

/// The base tables the join names, as `SELECT 1 FROM <tables>` sees them.
fn references(sql: &[u8], tables: &Range<usize>) -> Result<Vec<TableRef>, OverlayError> {
    let text = format!(
        "SELECT 1 FROM {}",
        String::from_utf8_lossy(&sql[tables.clone()])
    );
    table_refs(&text).map_err(|e| OverlayError::Unsupported(e.0))
}

/// The name a reference goes by in the join: its alias, else its name.
fn known_as(r: &TableRef) -> &str {
    r.alias.as_deref().unwrap_or(&r.name)
}

fn id_of(cx: &WriteContext, r: &TableRef) -> Result<TableId, OverlayError> {
    match r.schema.clone().or_else(|| cx.db.clone()) {
        Some(schema) => Ok(TableId {
            schema,
            name: r.name.clone(),
        }),
        None => unsupported("a write without a database"),
    }
}

/// The references that `name` (optionally `schema.name`) designates.
fn designated<'r>(refs: &'r [TableRef], schema: Option<&str>, name: &str) -> Vec<&'r TableRef> {
    refs.iter()
        .filter(|r| match (&r.alias, schema) {
            (Some(alias), None) => alias == name,
            (Some(_), Some(_)) => false,
            (None, _) => r.name == name && (schema.is_none() || r.schema.as_deref() == schema),
        })
        .collect()
}

/// Adds the table `r` stands for to `targets` (once), returning its index.
fn add_target(
    cx: &mut WriteContext,
    targets: &mut Vec<Target>,
    r: &TableRef,
    event: &str,
) -> Result<usize, OverlayError> {
    let alias = known_as(r).to_string();
    if let Some(i) = targets.iter().position(|t| t.alias == alias) {
        return Ok(i);
    }
    let id = id_of(cx, r)?;
    if targets.iter().any(|t| t.meta.id == id) {
        return unsupported(format!(
            "a multi-table statement that changes {id} through two names"
        ));
    }
    let firing = super::Firing {
        delete: false,
        after: false,
        before_steps: false,
    };
    let (meta, key) = writable(cx, &id, &[event], firing)?;
    if meta.keyless() {
        // A join repeats a row once per match, and identical rows of a
        // key-less table cannot be told apart: which copies it reached is lost.
        return unsupported(format!(
            "a multi-table statement that changes {id}, which has no unique key"
        ));
    }
    targets.push(Target {
        alias,
        meta,
        key,
        assignments: Vec::new(),
    });
    Ok(targets.len() - 1)
}

/// The tables a multi-table UPDATE assigns to, each with its assignments.
pub(super) fn update_targets(
    cx: &mut WriteContext,
    sql: &[u8],
    u: &MultiUpdate,
) -> Result<Vec<Target>, OverlayError> {
    let refs = references(sql, &u.tables)?;
    let mut targets = Vec::new();
    for (n, a) in u.set.iter().enumerate() {
        let r = match &a.qualifier {
            Some(q) => match designated(&refs, None, q).as_slice() {
                [r] => *r,
                _ => {
                    return unsupported(format!(
                        "a multi-table UPDATE assigning through `{q}`, which vdb cannot place in the join"
                    ))
                }
            },
            None => {
                // The source has resolved the name already (EXPLAIN):
                // exactly one table of the join has the column.
                let mut owners = Vec::new();
                for r in &refs {
                    let Ok(id) = id_of(cx, r) else { continue };
                    if let Ok(meta) = load(cx.up, cx.delta, &id) {
                        if meta.position(&a.column).is_some() {
                            owners.push(r);
                        }
                    }
                }
                match owners.as_slice() {
                    [r] => *r,
                    _ => {
                        return unsupported(format!(
                            "a multi-table UPDATE assigning `{}`, which vdb cannot place in the join",
                            a.column
                        ))
                    }
                }
            }
        };
        let i = add_target(cx, &mut targets, r, "UPDATE")?;
        targets[i].assignments.push(n);
    }
    Ok(targets)
}

/// The tables a multi-table DELETE deletes from.
pub(super) fn delete_targets(
    cx: &mut WriteContext,
    sql: &[u8],
    d: &MultiDelete,
) -> Result<Vec<Target>, OverlayError> {
    let refs = references(sql, &d.tables)?;
    let mut targets = Vec::new();
    for t in &d.targets {
        match designated(&refs, t.schema.as_deref(), &t.name).as_slice() {
            [r] => {
                add_target(cx, &mut targets, r, "DELETE")?;
            }
            _ => {
                return unsupported(format!(
                    "a multi-table DELETE from `{}`, which vdb cannot place in the join",
                    t.name
                ))
            }
        }
    }
    Ok(targets)
}

/// Keeps the first row per identity key.
fn first_per_row<T>(items: Vec<T>, key: &[usize], old: impl Fn(&T) -> &Row) -> Vec<T> {
    let mut seen = HashSet::new();
    items
        .into_iter()
        .filter(|it| seen.insert(encode_key(key.iter().map(|&c| &old(it)[c]))))
        .collect()
}

/// Target indexes, each table after the targets it references.
fn parents_first(targets: &[Target]) -> Vec<usize> {
    let mut order: Vec<usize> = Vec::with_capacity(targets.len());
    while order.len() < targets.len() {
        let next = (0..targets.len())
            .filter(|i| !order.contains(i))
            .find(|&i| {
                !targets[i].meta.foreign_keys.iter().any(|fk| {
                    (0..targets.len())
                        .any(|j| j != i && !order.contains(&j) && targets[j].meta.id == fk.parent)
                })
            })
            // A cycle: take them in the statement's order.
            .unwrap_or_else(|| {
                (0..targets.len())
                    .find(|i| !order.contains(i))
                    .expect("left")
            });
        order.push(next);
    }
    order
}

impl Run<'_, '_> {
    fn switch_to(&mut self, t: &Target) {
        self.meta = t.meta.clone();
        self.key = t.key.clone();
    }

    /// Whether `expr` may read column `column` of the table known as
    /// `alias`: named with that qualifier, or without one.
    fn may_read(&self, expr: &Range<usize>, alias: &str, column: &str) -> bool {
        let text = &self.sql[expr.clone()];
        let tokens = lex(text, self.cx.lex).tokens;
        let name = |i: usize| tokens.get(i)?.name(text, self.cx.lex);
        (0..tokens.len()).any(|i| {
            if !name(i).is_some_and(|n| n.eq_ignore_ascii_case(column)) {
                return false;
            }
            if i >= 2 && tokens[i - 1].is_punct(b'.') {
                return name(i - 2).is_some_and(|q| q == alias);
            }
            true
        })
    }

    pub(super) fn multi_update(
        &mut self,
        w: &mut Writer,
        u: &MultiUpdate,
        targets: &[Target],
    ) -> Result<WriteOutcome, OverlayError> {
        // The server assigns in an order vdb does not reproduce when one
        // assignment reads a column another one writes.
        for t in targets {
            for &m in &t.assignments {
                let column = &u.set[m].column;
                for (n, a) in u.set.iter().enumerate() {
                    if n != m && self.may_read(&a.expr, &t.alias, column) {
                        return unsupported(
                            "a multi-table UPDATE whose SET reads a column another assignment of it writes",
                        );
                    }
                }
            }
        }
        let tables = self.sql[u.tables.clone()].to_vec();
        let tail = self.sql[u.tail.clone()].to_vec();
        // Every target's rows from the join as it was, before any change.
        let mut computed = Vec::with_capacity(targets.len());
        for t in targets {
            self.switch_to(t);
            let mut set = Vec::new();
            for &n in &t.assignments {
                let a = &u.set[n];
                let Some(i) = self.meta.position(&a.column) else {
                    let name = match &a.qualifier {
                        Some(q) => format!("{q}.{}", a.column),
                        None => a.column.clone(),
                    };
                    return Err(server(
                        1054,
                        "42S22",
                        format!("Unknown column '{name}' in 'SET'"),
                    ));
                };
                if set.iter().any(|(j, _)| *j == i) {
                    return unsupported("a multi-table UPDATE that assigns one column twice");
                }
                let text = if is_default(self.sql, &a.expr) {
                    self.default_expr(i)?.into_bytes()
                } else {
                    self.sql[a.expr.clone()].to_vec()
                };
                set.push((i, text));
            }
            let pairs = self.updated_rows(w, &set, (&tables, &t.alias), &tail, u.ignore)?;
            computed.push(first_per_row(pairs, &t.key, |(old, _)| old));
        }
        let mut matched = 0u64;
        let mut changed = 0u64;
        for (t, pairs) in targets.iter().zip(&computed) {
            self.switch_to(t);
            matched += pairs.len() as u64;
            let applied = self.apply_updates(w, pairs, u.ignore)?.len() as u64;
            // The server counts a row IGNORE skipped for a duplicate key
            // as changed in a multi-table UPDATE.
            changed += if u.ignore {
                pairs.iter().filter(|(old, new)| old != new).count() as u64
            } else {
                applied
            };
        }
        Ok(WriteOutcome {
            raised: Vec::new(),
            affected: if self.cx.found_rows { matched } else { changed },
            last_insert_id: 0,
            generated_id: None,
            info: format!("Rows matched: {matched}  Changed: {changed}  Warnings: 0"),
            returning: None,
            notes: Vec::new(),
            warnings: Vec::new(),
        })
    }

    pub(super) fn multi_delete(
        &mut self,
        w: &mut Writer,
        d: &MultiDelete,
        targets: &[Target],
    ) -> Result<WriteOutcome, OverlayError> {
        let mut computed = Vec::with_capacity(targets.len());
        for t in targets {
            let mut sel = format!("SELECT {} FROM ", whole_row(&t.meta, &t.alias)).into_bytes();
            sel.extend_from_slice(&self.sql[d.tables.clone()]);
            sel.push(b' ');
            sel.extend_from_slice(&self.sql[d.tail.clone()]);
            let sel = self.merged(&w.next, &sel)?;
            let (rows, err) = self.cx.up.query_partial(&sel);
            if let Some(e) = err {
                return Err(e.into());
            }
            let rows: Vec<Row> = rows.into_iter().map(|r| t.meta.stored(r)).collect();
            computed.push(first_per_row(rows, &t.key, |r| r));
        }
        // Parents first: the server reaches the parent first in the usual
        // `DELETE p, c FROM p JOIN c ... WHERE p.id = ...`, and rows its
        // ON DELETE CASCADE removed are not deleted (or counted) again.
        let start = w.next.clone();
        let mut affected = 0u64;
        for i in parents_first(targets) {
            let (t, rows) = (&targets[i], &computed[i]);
            self.switch_to(t);
            let still_there: Vec<Row> = match w.peek(&t.meta.id) {
                None => rows.clone(),
                Some(now) => {
                    let before = start.tables.get(&t.meta.id).map(|b| &**b);
                    rows.iter()
                        .filter(|r| now.still_shows(r, before))
                        .cloned()
                        .collect()
                }
            };
            self.parent_actions(w, &t.meta.clone(), &still_there, None)?;
            let table = w.table(&t.meta, &t.key);
            for r in &still_there {
                table.delete(r);
            }
            affected += still_there.len() as u64;
        }
        Ok(WriteOutcome {
            affected,
            ..WriteOutcome::default()
        })
    }
}

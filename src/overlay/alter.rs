//! Captured ALTER TABLE, CREATE/DROP INDEX, RENAME TABLE and TRUNCATE.
//!
//! A table whose definition changes becomes a created table (see
//! [`super::ddl`]) with the new definition, and its rows, as the merged
//! view shows them, are copied into it by the write machinery itself:
//! `INSERT INTO <new> (...) SELECT ... FROM <old> ORDER BY <key>`. So type
//! conversions, strict-mode errors, NOT NULL, and unique keys added over
//! duplicates fail exactly as an INSERT would, with the server's codes,
//! and nothing is applied unless the whole copy succeeds. A source table
//! altered this way is dropped from the source's side of the view: its
//! rows now live in the delta (memory grows with the table; see
//! `--max-delta-bytes`). TRUNCATE copies nothing.
//!
//! Generated columns are not copied: the copy computes them, as any write
//! does. The rows are tested against CHECK constraints only when the
//! server would copy the table too.
//!
//! A table's triggers stay with it (a rename rewrites the table name in
//! their texts; the copy fires none of them).
//!
//! CHECK constraints follow their columns as the server's do: a rename
//! renames the column in every clause (a column's own CHECK keeps the name
//! it was given), a dropped column takes the CHECKs that read only it, and
//! a CHECK left reading a column that is gone is 1054. ADD CHECK makes the
//! server copy the table and test every row.

use std::sync::Arc;

use crate::delta::{ColumnMeta, SchemaChange, TableDelta, TableId, TableMeta, Trigger, UniqueKey};
use crate::sql::ddl::{
    free_name, AlterOp, AlterTable, ColumnSpec, KeyKind, KeyOptions, Position, TableName,
};
use crate::sql::literal::Column;
use crate::sql::rewrite::quote_ident;

use super::ddl::{
    auto_columns, column_meta, duplicate_column, exists, foreign_key, is_string,
    normalize_defaults, schema_of, server,
};
use super::meta::{load, no_such_table, source_plain_indexes, text, text_literal};
use super::write::{WriteContext, WriteOutcome};
use super::OverlayError;

fn unsupported<T>(what: impl Into<String>) -> Result<T, OverlayError> {
    Err(OverlayError::Unsupported(what.into()))
}

/// A table vdb can redefine: its current definition.
pub(super) fn alterable(
    cx: &mut WriteContext,
    id: &TableId,
    statement: &str,
) -> Result<Arc<TableMeta>, OverlayError> {
    if !exists(cx.up, cx.delta, id)? {
        return Err(no_such_table(id));
    }
    let meta = match load(cx.up, cx.delta, id) {
        Ok(m) => m,
        Err(OverlayError::Unsupported(_)) => {
            return unsupported(format!("{statement} of {id}, which is a view"))
        }
        Err(e) => return Err(e),
    };
    if meta.triggers.iter().any(|t| t.statement.is_empty()) {
        return unsupported(format!(
            "{statement} of {id}, whose triggers an older vdb's state file kept without their definitions"
        ));
    }
    Ok(meta)
}

/// `old` as the definition of a table of the delta: a source table's
/// collation and plain indexes, which its loaded definition leaves out,
/// filled in (RENAME, TRUNCATE and trigger DDL keep them).
pub(super) fn as_created(
    cx: &mut WriteContext,
    old: &TableMeta,
) -> Result<TableMeta, OverlayError> {
    let mut meta = old.clone();
    meta.referenced_by = source_children(cx, &old.referenced_by);
    meta.collation = table_collation(cx, old)?;
    if !old.created {
        meta.indexes = source_plain_indexes(cx.up, &old.id)?
            .into_iter()
            .map(|(name, names, options)| UniqueKey {
                name,
                columns: old.positions_of(&names),
                options,
            })
            .collect();
    }
    meta.created = true;
    // A created table's indexes are `indexes`, kept with its columns.
    meta.source_indexes = Vec::new();
    Ok(meta)
}

/// The keys of `referenced_by` whose tables are the source's: a table of
/// the delta's keys are read from its own definition each time (see
/// [`load`]), which also forgets them once it is renamed or dropped.
fn source_children(
    cx: &WriteContext,
    referenced_by: &[crate::delta::ForeignKey],
) -> Vec<crate::delta::ForeignKey> {
    let state = cx.delta.current();
    referenced_by
        .iter()
        .filter(|fk| !state.schema.created.contains_key(&fk.child))
        .cloned()
        .collect()
}

/// The triggers of `old` once it is `to`: they move with a renamed table,
/// their texts naming the new name, as on the server, which keeps them in
/// their database (1435 for a move to another).
fn carried_triggers(old: &TableMeta, to: &TableId) -> Result<Vec<Trigger>, OverlayError> {
    if old.triggers.is_empty() || *to == old.id {
        return Ok(old.triggers.clone());
    }
    if to.schema != old.id.schema {
        return Err(server(1435, "HY000", "Trigger in wrong schema".to_string()));
    }
    Ok(old
        .triggers
        .iter()
        .map(|t| Trigger {
            statement: crate::sql::trigger::renamed_on(&t.statement, &to.name),
            ..t.clone()
        })
        .collect())
}

/// The table's default collation (for string columns an ALTER adds).
pub(super) fn table_collation(
    cx: &mut WriteContext,
    meta: &TableMeta,
) -> Result<Option<String>, OverlayError> {
    if let Some(c) = &meta.collation {
        return Ok(Some(c.clone()));
    }
    Ok(cx
        .up
        .query(&format!(
            "SELECT TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = {} AND TABLE_NAME = {}",
            text_literal(&meta.id.schema),
            text_literal(&meta.id.name)
        ))?
        .first()
        .filter(|r| r[0].is_some())
        .map(|r| text(&r[0])))
}

/// A column being defined: its new definition and where its values come
/// from (the old column's position; `None` for a new column).
struct Draft {
    meta: ColumnMeta,
    from: Option<usize>,
}

/// A key being defined, by column names.
struct DraftKey {
    kind: KeyKind,
    name: String,
    columns: Vec<String>,
    options: KeyOptions,
}

fn find(cols: &[Draft], name: &str) -> Option<usize> {
    cols.iter()
        .position(|c| c.meta.name.eq_ignore_ascii_case(name))
}

fn unknown_column(name: &str, table: &str) -> OverlayError {
    server(
        1054,
        "42S22",
        format!("Unknown column '{name}' in '{table}'"),
    )
}

/// Places a column: FIRST, AFTER c, or at `default` (its old place, or last).
fn place(
    cols: &mut Vec<Draft>,
    col: Draft,
    position: &Position,
    default: usize,
    table: &str,
) -> Result<(), OverlayError> {
    let at = match position {
        Position::Default => default.min(cols.len()),
        Position::First => 0,
        Position::After(c) => find(cols, c).ok_or_else(|| unknown_column(c, table))? + 1,
    };
    cols.insert(at, col);
    Ok(())
}

/// Runs one captured ALTER TABLE (or CREATE INDEX / DROP INDEX).
pub fn alter(
    cx: &mut WriteContext,
    a: &AlterTable,
    text: &str,
) -> Result<WriteOutcome, OverlayError> {
    let id = TableId {
        schema: schema_of(cx, &a.schema)?,
        name: a.name.clone(),
    };
    let old = alterable(cx, &id, a.statement)?;
    if a.ops.contains(&AlterOp::OrderBy) {
        return ordered(cx, a, &old, text);
    }
    if a.ops.iter().all(|o| matches!(o, AlterOp::Keys)) {
        // InnoDB has no such option: MariaDB says nothing, MySQL notes it.
        let mut done = WriteOutcome::default();
        if !cx.up.info.version.contains("MariaDB") {
            done.notes.push((
                1031,
                format!(
                    "Table storage engine for '{}' doesn't have this option",
                    id.name
                ),
            ));
        }
        return Ok(done);
    }
    if a.ops.iter().all(|o| {
        matches!(
            o,
            AlterOp::AutoIncrement(_)
                | AlterOp::Force
                | AlterOp::Engine(_)
                | AlterOp::Algorithm(_)
                | AlterOp::Lock(_)
        )
    }) {
        let levels: Vec<Option<Level>> = a
            .ops
            .iter()
            .map(|o| change_level(o, &[], &[], false, false))
            .collect();
        algorithm_allowed(a, &levels, cx.up.info.version.contains("MariaDB"))?;
        return table_options_only(cx, &old, a);
    }
    let database = super::database::defaults(cx.up, &cx.delta.current(), &id.schema)?;
    let mut collation = table_collation(cx, &old)?;
    // A new default character set holds for every column this statement
    // defines, wherever it stands in it; CONVERT TO sets it too.
    let mut convert_to = None;
    // `DEFAULT CHARSET = x COLLATE y` must agree, wherever each stands.
    let (mut default_cs, mut default_co) = (None, None);
    for op in &a.ops {
        if let AlterOp::TableCharset { charset, collation } = op {
            default_cs = charset.clone().or(default_cs);
            default_co = collation.clone().or(default_co);
        }
    }
    if default_cs.is_some() || default_co.is_some() {
        collation = Some(super::charset::resolve_or(cx.up, &default_cs, &default_co, &database)?.1);
    }
    for op in &a.ops {
        if let AlterOp::ConvertCharset {
            charset,
            collation: c,
        } = op
        {
            let (cs, co) = super::charset::resolve_or(cx.up, charset, c, &database)?;
            collation = Some(co.clone());
            convert_to = Some((cs, co));
        }
    }
    let mut row_format = old.row_format.clone();
    let mut auto_increment = None;
    let table_charset = (&None, &collation);
    let mut cols: Vec<Draft> = old
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| Draft {
            meta: c.clone(),
            from: Some(i),
        })
        .collect();
    let name_of = |i: usize| old.columns[i].name.clone();
    let mut keys: Vec<DraftKey> = old
        .unique_keys
        .iter()
        .map(|k| DraftKey {
            kind: if k.name == "PRIMARY" {
                KeyKind::Primary
            } else {
                KeyKind::Unique
            },
            name: k.name.clone(),
            columns: k.columns.iter().map(|&i| name_of(i)).collect(),
            options: k.options.clone(),
        })
        .chain(old.indexes.iter().map(|k| DraftKey {
            kind: KeyKind::Index,
            name: k.name.clone(),
            columns: k.columns.iter().map(|&i| name_of(i)).collect(),
            options: k.options.clone(),
        }))
        .collect();
    if !old.created {
        // A source table's plain indexes are not in its definition.
        keys.extend(source_plain_indexes(cx.up, &id)?.into_iter().map(
            |(name, columns, options)| DraftKey {
                kind: KeyKind::Index,
                name,
                columns,
                options,
            },
        ));
    }
    // The indexes before the ALTER, for the server's 1553 when a column a
    // foreign key needs goes with its index.
    let old_keys: Vec<(String, Vec<String>)> = keys
        .iter()
        .map(|k| (k.name.clone(), k.columns.clone()))
        .collect();
    let mut new_id = id.clone();
    let mut fks = old.foreign_keys.clone();
    let mut added_fks = Vec::new();
    // Whether MariaDB would copy the table (its affected rows are the
    // rows then): a column's type changes, or the primary key goes.
    let mut copies = false;
    let mariadb = cx.up.info.version.contains("MariaDB");
    // Whether the server's copy gives rows new values or tests them
    // against a new foreign key (more than widening types), so that vdb
    // must copy them too.
    let mut rewrites = false;
    let mut dropped_primary = false;
    let mut touched: Vec<String> = Vec::new();
    let mut comment = None;
    let column_of = |cx: &mut WriteContext, s: &ColumnSpec| -> Result<ColumnMeta, OverlayError> {
        column_meta(cx, s, table_charset, &database)
    };
    // The CHECK constraints as the ALTER goes: a column's own is named
    // `table.column` (see `catalog`), the others by their names.
    let mut checks: Vec<crate::delta::CheckConstraint> = old.checks.clone();
    use super::catalog::{check_owner, clause_columns};
    let owned_by = |c: &crate::delta::CheckConstraint, column: &str| {
        check_owner(&id.name, c).is_some_and(|o| o.eq_ignore_ascii_case(column))
    };
    let is_own = |c: &crate::delta::CheckConstraint| check_owner(&id.name, c).is_some();
    let mut added_checks: Vec<(String, String)> = Vec::new();
    // Indexes DROP INDEX removed, by name and columns: one a foreign key
    // needs is the server's 1553.
    let mut dropped_keys: Vec<(String, Vec<String>)> = Vec::new();
    // The CHECK constraints ADD CHECK adds (name, clause as written).
    let mut new_checks: Vec<(Option<String>, String)> = Vec::new();
    // What IF [NOT] EXISTS skipped, as the server notes it.
    let mut notes: Vec<(u16, String)> = Vec::new();
    // How MariaDB would do each change (None: vdb does not know), for
    // ALGORITHM= and LOCK=.
    let mut levels: Vec<Option<Level>> = Vec::new();
    let replaces_primary = a.ops.iter().any(|o| {
        matches!(
            o,
            AlterOp::AddKey {
                kind: KeyKind::Primary,
                ..
            }
        )
    });
    // With foreign_key_checks on, InnoDB copies the table to test every
    // row against a new foreign key; off, it adds the key in place.
    let fk_checks = a.ops.iter().any(|o| matches!(o, AlterOp::AddForeignKey(_)))
        && super::write::settings(cx.up)?.foreign_key_checks;
    for op in &a.ops {
        levels.push(change_level(
            op,
            &keys,
            &checks,
            replaces_primary,
            fk_checks,
        ));
        match op {
            AlterOp::AddColumn {
                column,
                if_not_exists,
                position,
                key,
            } => {
                if find(&cols, &column.name).is_some() {
                    if *if_not_exists {
                        notes.push((1060, format!("Duplicate column name '{}'", column.name)));
                        continue;
                    }
                    return Err(duplicate_column(&column.name));
                }
                let meta = column_of(cx, column)?;
                if let Some(check) = &column.check {
                    added_checks.push((column.name.clone(), check.clone()));
                }
                // A stored column's values are written into every row.
                if meta.generated.as_ref().is_some_and(|g| g.stored) {
                    copies = true;
                    rewrites = true;
                }
                let end = cols.len();
                place(
                    &mut cols,
                    Draft { meta, from: None },
                    position,
                    end,
                    &id.name,
                )?;
                if let Some(k) = key {
                    keys.push(DraftKey {
                        kind: *k,
                        name: String::new(),
                        columns: vec![column.name.clone()],
                        options: KeyOptions::default(),
                    });
                }
            }
            AlterOp::DropColumn { name, if_exists } => {
                let Some(at) = find(&cols, name) else {
                    let message = format!("Can't DROP COLUMN `{name}`; check that it exists");
                    if *if_exists {
                        notes.push((1091, message));
                        continue;
                    }
                    return Err(server(1091, "42000", message));
                };
                let gone = cols.remove(at).meta.name;
                touched.push(gone.clone());
                // Its own CHECK goes with it, and so does a table's CHECK
                // that reads no other column (one that does is 1054 below).
                checks.retain(|c| {
                    if is_own(c) {
                        !owned_by(c, &gone)
                    } else {
                        let read = clause_columns(&c.clause);
                        read.is_empty() || !read.iter().all(|r| r.eq_ignore_ascii_case(&gone))
                    }
                });
                for k in &mut keys {
                    k.columns.retain(|c| !c.eq_ignore_ascii_case(&gone));
                }
                keys.retain(|k| !k.columns.is_empty());
            }
            AlterOp::RenameColumn { old: from, new } => {
                let at = find(&cols, from).ok_or_else(|| unknown_column(from, &id.name))?;
                if find(&cols, new).is_some_and(|j| j != at) {
                    return Err(duplicate_column(new));
                }
                touched.push(cols[at].meta.name.clone());
                rename_in_keys(&mut keys, &cols[at].meta.name, new);
                let old_name = std::mem::replace(&mut cols[at].meta.name, new.clone());
                rename_in_expressions(&mut cols, &old_name, new);
                // Every CHECK names it anew; its own keeps its name.
                for c in &mut checks {
                    c.clause = renamed_column(&c.clause, &old_name, new);
                }
            }
            AlterOp::ChangeColumn {
                old: from,
                column,
                position,
                key,
            } => {
                let at = find(&cols, from).ok_or_else(|| unknown_column(from, &id.name))?;
                if find(&cols, &column.name).is_some_and(|j| j != at) {
                    return Err(duplicate_column(&column.name));
                }
                let was = cols.remove(at);
                let meta = column_of(cx, column)?;
                let indexed = keys.iter().any(|k| {
                    k.columns
                        .iter()
                        .any(|c| c.eq_ignore_ascii_case(&was.meta.name))
                });
                let converting = converts(&was.meta.column, &meta.column, mariadb);
                *levels.last_mut().expect("pushed for this op") = if converting {
                    Some(Level::copy(Some("Cannot change column type")))
                } else if was.meta.generated.is_some()
                    || meta.generated.is_some()
                    || key.is_some()
                    || (indexed && was.meta.column != meta.column)
                {
                    None
                } else if was.meta.nullable != meta.nullable {
                    Some(Level::inplace(None))
                } else {
                    Some(Level::instant())
                };
                if converting {
                    copies = true;
                    rewrites |= kept_if(&was.meta.column, &meta.column).is_none()
                        && converted(&was.meta.column, &meta.column).is_none();
                }
                match (&was.meta.generated, &meta.generated) {
                    (Some(a), Some(b)) if a.stored != b.stored => return Err(generated_change()),
                    (Some(a), None) if !a.stored => return Err(generated_change()),
                    (None, Some(_)) => return Err(generated_change()),
                    // Recomputed, or kept as written values: either way
                    // every row is rewritten.
                    (Some(_), _) => {
                        copies = true;
                        rewrites = true;
                    }
                    (None, None) => {}
                }
                touched.push(was.meta.name.clone());
                // The old definition's own CHECK goes with it (the new
                // one's holds for every row copied in); the others name
                // the column anew.
                checks.retain(|c| !owned_by(c, &was.meta.name));
                for c in &mut checks {
                    c.clause = renamed_column(&c.clause, &was.meta.name, &meta.name);
                }
                if let Some(check) = &column.check {
                    added_checks.push((column.name.clone(), check.clone()));
                }
                rename_in_keys(&mut keys, &was.meta.name, &meta.name);
                rename_in_expressions(&mut cols, &was.meta.name, &meta.name);
                place(
                    &mut cols,
                    Draft {
                        meta,
                        from: was.from,
                    },
                    position,
                    at,
                    &id.name,
                )?;
                if let Some(k) = key {
                    keys.push(DraftKey {
                        kind: *k,
                        name: String::new(),
                        columns: vec![column.name.clone()],
                        options: KeyOptions::default(),
                    });
                }
            }
            AlterOp::SetDefault { column, default } => {
                let at = find(&cols, column).ok_or_else(|| unknown_column(column, &id.name))?;
                cols[at].meta.default = default.clone();
                cols[at].meta.default_instant = None;
            }
            AlterOp::AddKey {
                kind,
                name,
                columns,
                options,
            } => keys.push(DraftKey {
                kind: *kind,
                name: name.clone().unwrap_or_default(),
                columns: columns.clone(),
                options: options.clone(),
            }),
            AlterOp::DropKey(name) => {
                let Some(at) = keys
                    .iter()
                    .position(|k| k.kind != KeyKind::Primary && k.name.eq_ignore_ascii_case(name))
                else {
                    return Err(server(
                        1091,
                        "42000",
                        format!("Can't DROP INDEX `{name}`; check that it exists"),
                    ));
                };
                let gone = keys.remove(at);
                dropped_keys.push((gone.name, gone.columns));
            }
            AlterOp::DropPrimaryKey => {
                let Some(at) = keys.iter().position(|k| k.kind == KeyKind::Primary) else {
                    return Err(server(
                        1091,
                        "42000",
                        "Can't DROP INDEX `PRIMARY`; check that it exists",
                    ));
                };
                keys.remove(at);
                dropped_primary = true;
                rewrites = true;
            }
            AlterOp::AddForeignKey(spec) => added_fks.push(spec.clone()),
            AlterOp::DropForeignKey(name) => {
                let Some(at) = fks.iter().position(|f| f.name.eq_ignore_ascii_case(name)) else {
                    return Err(server(
                        1091,
                        "42000",
                        format!("Can't DROP FOREIGN KEY `{name}`; check that it exists"),
                    ));
                };
                fks.remove(at);
            }
            AlterOp::RenameTable((schema, name)) => {
                new_id = TableId {
                    schema: schema_of(cx, schema)?,
                    name: name.clone(),
                };
            }
            AlterOp::TableComment(c) => comment = Some(c.clone()),
            AlterOp::AutoIncrement(n) => auto_increment = Some(*n),
            AlterOp::Engine(e) => innodb(e)?,
            AlterOp::Force
            | AlterOp::Keys
            | AlterOp::OrderBy
            | AlterOp::TableCharset { .. }
            | AlterOp::Algorithm(_)
            | AlterOp::Lock(_) => {}
            AlterOp::RenameKey { old: from, new } => {
                let Some(at) = keys
                    .iter()
                    .position(|k| k.kind != KeyKind::Primary && k.name.eq_ignore_ascii_case(from))
                else {
                    return Err(if from.eq_ignore_ascii_case("PRIMARY") {
                        server(1280, "42000", format!("Incorrect index name '{from}'"))
                    } else {
                        server(
                            1176,
                            "42000",
                            format!("Key '{from}' doesn't exist in table '{}'", id.name),
                        )
                    });
                };
                if keys
                    .iter()
                    .enumerate()
                    .any(|(j, k)| j != at && k.name.eq_ignore_ascii_case(new))
                {
                    return Err(server(1061, "42000", format!("Duplicate key name '{new}'")));
                }
                keys[at].name = new.clone();
            }
            AlterOp::RowFormat(f) => {
                row_format = match f.to_ascii_uppercase().as_str() {
                    "DEFAULT" => None,
                    f @ ("DYNAMIC" | "COMPACT" | "REDUNDANT" | "COMPRESSED") => Some(f.to_string()),
                    _ => return unsupported(format!("ALTER TABLE ... ROW_FORMAT={f}")),
                };
            }
            AlterOp::AddCheck {
                name,
                clause,
                if_not_exists,
            } => {
                // An unnamed CHECK is named once every name the statement
                // gives is known (below).
                if let Some(name) = name {
                    let taken = checks
                        .iter()
                        .filter(|c| !is_own(c))
                        .map(|c| &c.name)
                        .chain(new_checks.iter().filter_map(|(m, _)| m.as_ref()))
                        .any(|m| m.eq_ignore_ascii_case(name));
                    if taken {
                        let message = format!("Duplicate CHECK constraint name '{name}'");
                        if *if_not_exists {
                            notes.push((1826, message));
                            continue;
                        }
                        return Err(server(1826, "HY000", message));
                    }
                }
                new_checks.push((name.clone(), clause.clone()));
                // The server copies the table, testing every row.
                copies = true;
            }
            AlterOp::DropConstraint { name, if_exists } => {
                let is = |n: &str| n.eq_ignore_ascii_case(name);
                // MariaDB looks for a CHECK, then a UNIQUE key, then a
                // foreign key of that name.
                if let Some(at) = checks.iter().position(|c| !is_own(c) && is(&c.name)) {
                    checks.remove(at);
                } else if let Some(at) = new_checks
                    .iter()
                    .position(|(n, _)| n.as_deref().is_some_and(is))
                {
                    new_checks.remove(at);
                } else if let Some(at) = keys
                    .iter()
                    .position(|k| k.kind != KeyKind::Index && is(&k.name))
                {
                    let gone = keys.remove(at);
                    if gone.kind == KeyKind::Primary {
                        dropped_primary = true;
                        rewrites = true;
                    }
                    dropped_keys.push((gone.name, gone.columns));
                } else if let Some(at) = fks.iter().position(|f| is(&f.name)) {
                    fks.remove(at);
                } else {
                    let message = format!("Can't DROP CONSTRAINT `{name}`; check that it exists");
                    if *if_exists {
                        notes.push((1091, message));
                        continue;
                    }
                    return Err(server(1091, "42000", message));
                }
            }
            AlterOp::ConvertCharset { .. } => {
                let Some((cs, co)) = &convert_to else {
                    continue;
                };
                for c in cols.iter_mut() {
                    if c.meta.column.charset.is_none() {
                        continue;
                    }
                    let to = in_charset(&c.meta, cs, co)?;
                    if to == c.meta.column {
                        continue;
                    }
                    if c.from.is_some() {
                        fk_column_changes(cx, &old, &c.meta.name)?;
                    }
                    if converts(&c.meta.column, &to, mariadb) {
                        copies = true;
                        rewrites |= kept_if(&c.meta.column, &to).is_none()
                            && converted(&c.meta.column, &to).is_none();
                        *levels.last_mut().expect("pushed for this op") =
                            Some(Level::copy(Some("Cannot change column type")));
                    }
                    c.meta.column = to;
                }
            }
        }
    }
    algorithm_allowed(a, &levels, mariadb)?;
    if dropped_primary
        && !a.ops.iter().any(|o| {
            matches!(
                o,
                AlterOp::AddKey {
                    kind: KeyKind::Primary,
                    ..
                }
            )
        })
    {
        // Without a primary key InnoDB rebuilds the table on its row ids.
        copies = true;
    }
    if cols.is_empty() {
        return Err(server(
            1090,
            "42000",
            "You can't delete all columns with ALTER TABLE; use DROP TABLE instead",
        ));
    }
    // A CHECK that reads a column no longer there is the server's 1054.
    for c in &checks {
        if let Some(gone) = clause_columns(&c.clause)
            .into_iter()
            .find(|r| find(&cols, r).is_none())
        {
            return Err(server(
                1054,
                "42S22",
                format!("Unknown column '{gone}' in 'CHECK'"),
            ));
        }
    }
    let parent_renames = foreign_key_columns(&old, &old_keys, &cols, &mut fks, &touched)?;
    let covers = |index: &[String], columns: &[String]| {
        index.len() >= columns.len()
            && index
                .iter()
                .zip(columns)
                .all(|(a, b)| a.eq_ignore_ascii_case(b))
    };
    let needed: Vec<&[String]> = fks
        .iter()
        .map(|f| f.child_columns.as_slice())
        .chain(
            old.referenced_by
                .iter()
                .filter(|f| f.child != id)
                .map(|f| f.parent_columns.as_slice()),
        )
        .collect();
    for (name, columns) in &dropped_keys {
        let orphaned = needed
            .iter()
            .any(|fk| covers(columns, fk) && !keys.iter().any(|k| covers(&k.columns, fk)));
        if orphaned {
            return Err(server(
                1553,
                "HY000",
                format!("Cannot drop index '{name}': needed in a foreign key constraint"),
            ));
        }
    }
    renamed_keys(&mut fks, &id, &new_id);
    if new_id != id && exists(cx.up, cx.delta, &new_id)? {
        return Err(server(
            1050,
            "42S01",
            format!("Table '{}' already exists", new_id.name),
        ));
    }
    let mut meta = define(
        &new_id,
        &old,
        cols.iter().map(|c| c.meta.clone()).collect(),
        keys,
        collation,
    )?;
    meta.foreign_keys = fks;
    meta.referenced_by = source_children(cx, &old.referenced_by);
    if let Some(c) = comment {
        meta.comment = c;
    }
    meta.row_format = row_format;
    meta.triggers = carried_triggers(&old, &new_id)?;
    let checked = !added_fks.is_empty() && fk_checks;
    let mut parents = Vec::new();
    for spec in &added_fks {
        let taken: Vec<String> = meta.foreign_keys.iter().map(|f| f.name.clone()).collect();
        let keys: Vec<&UniqueKey> = meta.unique_keys.iter().chain(&meta.indexes).collect();
        let (fk, index) = foreign_key(cx, &new_id, &meta.columns, &keys, spec, &taken)?;
        if checked {
            copies = true;
            match finds_parent(cx, &fk, &[&id, &new_id]) {
                Some(condition) => parents.push(condition),
                None => rewrites = true,
            }
        }
        meta.indexes.extend(index);
        meta.foreign_keys.push(fk);
    }
    renamed_checks(&mut checks, &id, &new_id);
    meta.checks = checks;
    if !new_checks.is_empty() {
        let exprs: Vec<super::printed::Expression> = new_checks
            .iter()
            .map(|(_, text)| super::printed::Expression {
                text,
                clause: "CHECK",
            })
            .collect();
        // The source checks the expressions (1054 for an unknown column);
        // they are printed as CREATE TABLE prints its CHECKs.
        super::printed::printed(cx.up, &meta.columns, &exprs)?;
    }
    for (name, clause) in &new_checks {
        // An unnamed CHECK is the first CONSTRAINT_n no other takes.
        let name = match name {
            Some(n) => n.clone(),
            None => (1..)
                .map(|i| format!("CONSTRAINT_{i}"))
                .find(|n| {
                    !meta.checks.iter().any(|c| c.name.eq_ignore_ascii_case(n))
                        && !new_checks
                            .iter()
                            .any(|(m, _)| m.as_deref().is_some_and(|m| m.eq_ignore_ascii_case(n)))
                })
                .unwrap_or_default(),
        };
        meta.checks.push(crate::delta::CheckConstraint {
            name,
            clause: super::ddl::check_clause(clause, &meta.columns),
        });
    }
    // A column's own CHECK (a JSON column's json_valid) holds for the
    // rows copied in, which the copy checks.
    for (column, check) in &added_checks {
        meta.checks.push(crate::delta::CheckConstraint {
            name: format!("{}.{column}", new_id.name),
            clause: super::ddl::check_clause(check, &meta.columns),
        });
    }
    // The server tests the rows against the CHECK constraints only when it
    // copies the table; an ALTER it makes in place (a definition without a
    // new type, a new column) tests nothing, and rows that break a
    // constraint stay (until they are next written).
    let unchecked = if copies || id.is_temporary() {
        Vec::new()
    } else {
        std::mem::take(&mut meta.checks)
    };
    let meta = normalize_defaults(cx.up, meta)?;
    let from: Vec<Option<usize>> = cols.iter().map(|c| c.from).collect();
    let rows = if id.is_temporary() || (copies && rewrites) {
        Rows::Rewritten
    } else if copies {
        Rows::Widened { parents }
    } else {
        Rows::Kept
    };
    let outcome = copy_into(cx, &old, meta, &from, text, a.statement, unchecked, rows)?;
    if new_id != id || !parent_renames.is_empty() {
        repoint_children(cx, &old, &new_id, &parent_renames, text, a.statement)?;
    }
    if let Some(n) = auto_increment {
        let altered = alterable(cx, &new_id, a.statement)?;
        move_counter(cx, &altered, n)?;
    }
    if a.ops.iter().all(|o| {
        matches!(
            o,
            AlterOp::RenameTable(_) | AlterOp::Algorithm(_) | AlterOp::Lock(_)
        )
    }) {
        // A rename alone reports no records.
        return Ok(WriteOutcome::default());
    }
    // InnoDB alters a temporary table by copying it, whatever changes.
    let mut outcome = if copies || id.is_temporary() {
        outcome
    } else {
        WriteOutcome {
            affected: 0,
            info: "Records: 0  Duplicates: 0  Warnings: 0".into(),
            ..WriteOutcome::default()
        }
    };
    if !notes.is_empty() {
        outcome.notes.extend(notes);
        // (The copy may have left warnings of its own.)
        if let Some((head, _)) = outcome.info.rsplit_once("Warnings: ") {
            outcome.info = format!("{head}Warnings: {}", outcome.left_count());
        }
    }
    Ok(outcome)
}

/// How MariaDB makes one change of an ALTER (`keys` and `checks` as the
/// statement's earlier changes left them; `replaces_primary` when it adds
/// a primary key; `fk_checks`: foreign_key_checks is on): `None` where
/// vdb does not know. A CHANGE or CONVERT TO is placed by `alter` once
/// the new columns are known.
fn change_level(
    op: &AlterOp,
    keys: &[DraftKey],
    checks: &[crate::delta::CheckConstraint],
    replaces_primary: bool,
    fk_checks: bool,
) -> Option<Level> {
    match op {
        AlterOp::AddColumn { column, key, .. } => match key {
            _ if column.generated.as_ref().is_some_and(|g| g.1) => Some(Level::copy(None)),
            None => Some(Level::instant()),
            Some(KeyKind::Primary) => Some(Level::inplace(None)),
            Some(_) => Some(Level::nocopy("ADD INDEX")),
        },
        AlterOp::DropColumn { name, .. } => {
            let in_keys: Vec<&DraftKey> = keys
                .iter()
                .filter(|k| k.columns.iter().any(|c| c.eq_ignore_ascii_case(name)))
                .collect();
            if in_keys.is_empty() {
                Some(Level::instant())
            } else if in_keys
                .iter()
                .all(|k| k.kind != KeyKind::Primary && k.columns.len() == 1)
            {
                Some(Level::nocopy("DROP INDEX"))
            } else {
                None
            }
        }
        AlterOp::RenameColumn { .. }
        | AlterOp::SetDefault { .. }
        | AlterOp::DropForeignKey(_)
        | AlterOp::RenameTable(_)
        | AlterOp::TableComment(_)
        | AlterOp::AutoIncrement(_)
        | AlterOp::RenameKey { .. }
        | AlterOp::TableCharset { .. } => Some(Level::instant()),
        // Set below, from the columns.
        AlterOp::ChangeColumn { .. } | AlterOp::ConvertCharset { .. } => None,
        AlterOp::AddKey {
            kind: KeyKind::Primary,
            ..
        } => Some(Level::inplace(None)),
        AlterOp::AddKey { .. } => Some(Level::nocopy("ADD INDEX")),
        AlterOp::DropKey(_) => Some(Level::nocopy("DROP INDEX")),
        AlterOp::DropPrimaryKey if replaces_primary => Some(Level::inplace(None)),
        AlterOp::DropPrimaryKey => None,
        AlterOp::AddForeignKey(_) => {
            fk_checks.then(|| Level::copy(Some("Adding foreign keys needs foreign_key_checks=OFF")))
        }
        AlterOp::Engine(_) | AlterOp::Force => Some(Level::inplace(None)),
        AlterOp::RowFormat(_) => Some(Level::inplace(Some(
            "Changing table options requires the table to be rebuilt",
        ))),
        AlterOp::AddCheck { .. } => Some(Level::copy(None)),
        AlterOp::DropConstraint { name, .. } => {
            let unique = keys
                .iter()
                .find(|k| k.kind != KeyKind::Index && k.name.eq_ignore_ascii_case(name));
            match unique {
                Some(k) if k.kind == KeyKind::Primary => None,
                Some(_) if !checks.iter().any(|c| c.name.eq_ignore_ascii_case(name)) => {
                    Some(Level::nocopy("DROP INDEX"))
                }
                _ => Some(Level::instant()),
            }
        }
        AlterOp::Keys => None,
        // (Even where InnoDB ignores it, checked on 10.11.)
        AlterOp::OrderBy => Some(Level::ordering()),
        AlterOp::Algorithm(_) | AlterOp::Lock(_) => Some(Level::instant()),
    }
}

/// How MariaDB (10.11, checked change by change) can make a change: the
/// least copying algorithm it takes, and the reason its error gives when
/// a weaker one is asked for (none: its error without a reason, 1845).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Level {
    /// 0 INSTANT, 1 NOCOPY, 2 INPLACE, 3 COPY.
    rank: u8,
    reason: Option<&'static str>,
    /// The reason LOCK=NONE gives where ALGORITHM= gives none.
    lock_reason: Option<&'static str>,
}

impl Level {
    const NAMES: [&'static str; 4] = ["INSTANT", "NOCOPY", "INPLACE", "COPY"];

    fn instant() -> Level {
        Level {
            rank: 0,
            reason: None,
            lock_reason: None,
        }
    }
    fn nocopy(reason: &'static str) -> Level {
        Level {
            rank: 1,
            reason: Some(reason),
            lock_reason: None,
        }
    }
    fn inplace(reason: Option<&'static str>) -> Level {
        Level {
            rank: 2,
            reason,
            lock_reason: None,
        }
    }
    fn copy(reason: Option<&'static str>) -> Level {
        Level {
            rank: 3,
            reason,
            lock_reason: None,
        }
    }
    /// ORDER BY's copy: 1845 to ALGORITHM=, and a reason to LOCK=NONE
    /// (checked on 10.11).
    fn ordering() -> Level {
        Level {
            rank: 3,
            reason: None,
            lock_reason: Some("COPY algorithm requires a lock"),
        }
    }
}

/// ALGORITHM= and LOCK= as the server holds an ALTER to them: the changes
/// `levels` (one per change, `None` where vdb does not know how MariaDB
/// makes it) must be doable that way, or the server's 1845/1846 (checked
/// against MariaDB 10.11); a change vdb cannot place is refused by name
/// when a clause asks for anything but the default.
fn algorithm_allowed(
    a: &AlterTable,
    levels: &[Option<Level>],
    mariadb: bool,
) -> Result<(), OverlayError> {
    // The last of each clause counts, as on the server.
    let (mut algorithm, mut lock) = ("DEFAULT".to_string(), "DEFAULT".to_string());
    for op in &a.ops {
        match op {
            AlterOp::Algorithm(x) => algorithm = x.clone(),
            AlterOp::Lock(x) => lock = x.clone(),
            _ => {}
        }
    }
    let wanted = match algorithm.as_str() {
        "DEFAULT" | "COPY" => None,
        "INPLACE" => Some(2),
        "NOCOPY" => Some(1),
        "INSTANT" => Some(0),
        other => {
            return Err(server(
                1800,
                "HY000",
                format!("Unknown ALGORITHM '{other}'"),
            ))
        }
    };
    let no_lock = match lock.as_str() {
        "DEFAULT" | "SHARED" | "EXCLUSIVE" => false,
        "NONE" => true,
        other => {
            return Err(server(
                1801,
                "HY000",
                format!("Unknown LOCK type '{other}'"),
            ))
        }
    };
    if wanted.is_none() && !no_lock {
        return Ok(());
    }
    if !mariadb {
        // MySQL makes changes otherwise (no NOCOPY, fewer INSTANT ones).
        return unsupported(format!(
            "{} with ALGORITHM={algorithm}, LOCK={lock} on a MySQL source",
            a.statement
        ));
    }
    let refused = |what: String, reason: Option<&str>, instead: &str| {
        Err(match reason {
            Some(r) => server(
                1846,
                "0A000",
                format!("{what} is not supported. Reason: {r}. Try {instead}"),
            ),
            None => server(
                1845,
                "0A000",
                format!("{what} is not supported for this operation. Try {instead}"),
            ),
        })
    };
    if algorithm == "COPY" && no_lock {
        return refused(
            "LOCK=NONE".into(),
            Some("COPY algorithm requires a lock"),
            "LOCK=SHARED",
        );
    }
    let Some(levels) = levels.iter().copied().collect::<Option<Vec<Level>>>() else {
        return unsupported(format!(
            "{} with ALGORITHM={algorithm}, LOCK={lock} for these changes",
            a.statement
        ));
    };
    // The change that needs the most copying names the reason; the first
    // of those, when several do.
    let Some(most) = levels
        .iter()
        .copied()
        .reduce(|a, b| if b.rank > a.rank { b } else { a })
    else {
        return Ok(());
    };
    if let Some(w) = wanted {
        if most.rank > w {
            return refused(
                format!("ALGORITHM={algorithm}"),
                most.reason,
                &format!("ALGORITHM={}", Level::NAMES[usize::from(most.rank)]),
            );
        }
    }
    if no_lock && most.rank == 3 {
        return refused(
            "LOCK=NONE".into(),
            most.reason.or(most.lock_reason),
            "LOCK=SHARED",
        );
    }
    Ok(())
}

/// An ALTER of nothing but AUTO_INCREMENT, FORCE and ENGINE=InnoDB: the
/// definition stays (a source table still reads as itself), only the
/// counter may move; the server reports no records.
fn table_options_only(
    cx: &mut WriteContext,
    old: &Arc<TableMeta>,
    a: &AlterTable,
) -> Result<WriteOutcome, OverlayError> {
    for op in &a.ops {
        match op {
            AlterOp::Engine(e) => innodb(e)?,
            AlterOp::AutoIncrement(n) => move_counter(cx, old, *n)?,
            _ => {}
        }
    }
    Ok(WriteOutcome {
        affected: 0,
        info: "Records: 0  Duplicates: 0  Warnings: 0".into(),
        ..WriteOutcome::default()
    })
}

/// ALTER TABLE ... ORDER BY: InnoDB keeps a table that has a key of its
/// own (a primary key, else a unique key over NOT NULL columns) in that
/// key's order, and ignores the ORDER BY with a warning (checked on 10.11,
/// even for a column the table lacks); the statement's other changes are
/// made. A key-less table's rows would be stored in the order given,
/// which vdb has no place for.
fn ordered(
    cx: &mut WriteContext,
    a: &AlterTable,
    old: &Arc<TableMeta>,
    text: &str,
) -> Result<WriteOutcome, OverlayError> {
    let reshapes_keys = a.ops.iter().any(|o| {
        matches!(
            o,
            AlterOp::DropPrimaryKey
                | AlterOp::DropKey(_)
                | AlterOp::DropConstraint { .. }
                | AlterOp::DropColumn { .. }
                | AlterOp::ChangeColumn { .. }
        )
    });
    if old.primary_key().is_none() || reshapes_keys {
        return unsupported(
            "ALTER TABLE ... ORDER BY of a table without a primary key, or with its keys' columns changed in the same statement (InnoDB would store its rows in that order)",
        );
    }
    // The ORDER BY takes a copy, whatever else the statement changes.
    let levels: Vec<Option<Level>> = a
        .ops
        .iter()
        .map(|o| match o {
            AlterOp::OrderBy => Some(Level::ordering()),
            _ => Some(Level::instant()),
        })
        .collect();
    algorithm_allowed(a, &levels, cx.up.info.version.contains("MariaDB"))?;
    // A copy: every row is a record.
    let view = rows_now(cx, &old.id, "ALTER TABLE ... ORDER BY")?;
    let records = count_rows(cx, &view)?;
    let rest = AlterTable {
        ops: a
            .ops
            .iter()
            .filter(|o| **o != AlterOp::OrderBy)
            .cloned()
            .collect(),
        ..a.clone()
    };
    let mut outcome = if rest.ops.is_empty() {
        WriteOutcome::default()
    } else {
        alter(cx, &rest, text)?
    };
    outcome.affected = records;
    outcome.warnings.push((
        1105,
        format!(
            "ORDER BY ignored as there is a user-defined clustered index in the table '{}'",
            a.name
        ),
    ));
    outcome.info = format!(
        "Records: {records}  Duplicates: 0  Warnings: {}",
        outcome.left_count()
    );
    Ok(outcome)
}

/// Table `id`'s rows as they read now, for a query's FROM: its merged
/// view when the delta changed it, else the source's table. `what` names
/// the statement when a changed value cannot be written as a literal.
fn rows_now(cx: &WriteContext, id: &TableId, what: &str) -> Result<Arc<String>, OverlayError> {
    match cx.delta.current().tables.get(id) {
        Some(t) => t.derived_sql().map_err(|e| {
            OverlayError::Unsupported(format!(
                "{what} over a {} value vdb cannot write ({})",
                e.column_type, e.value
            ))
        }),
        None => Ok(Arc::new(id.quoted())),
    }
}

/// How many rows `view` (a derived table or a table's name) holds.
fn count_rows(cx: &mut WriteContext, view: &str) -> Result<u64, OverlayError> {
    Ok(cx
        .up
        .query(&format!("SELECT COUNT(*) FROM {view} AS `vdb_t`"))?
        .first()
        .and_then(|r| std::str::from_utf8(r[0].as_deref()?).ok()?.parse().ok())
        .unwrap_or(0))
}

/// ENGINE=InnoDB rebuilds an InnoDB table as it is; another engine would
/// change what the table does (transactions, foreign keys), which vdb's
/// captured tables do not follow.
fn innodb(engine: &str) -> Result<(), OverlayError> {
    if engine.eq_ignore_ascii_case("InnoDB") {
        Ok(())
    } else {
        unsupported(format!(
            "ALTER TABLE ... ENGINE={engine} (vdb keeps captured tables as InnoDB tables)"
        ))
    }
}

/// AUTO_INCREMENT = n, as InnoDB sets it: the counter becomes n, or one
/// past the largest value in use when n is not above it. A table without
/// an AUTO_INCREMENT column keeps nothing.
fn move_counter(cx: &mut WriteContext, meta: &Arc<TableMeta>, n: u64) -> Result<(), OverlayError> {
    let Some(auto) = meta.auto_column() else {
        return Ok(());
    };
    let Some(key) = meta.delta_key() else {
        return unsupported(format!(
            "ALTER TABLE ... AUTO_INCREMENT of {}, whose only unique keys take NULL",
            meta.id
        ));
    };
    let state = cx.delta.current();
    let delta = state.tables.get(&meta.id).cloned();
    let current = delta
        .as_ref()
        .map(|t| t.next_auto)
        .or(meta.auto_increment)
        .unwrap_or(1);
    let next = if n >= current {
        n
    } else {
        // Below the counter: the largest value in use decides.
        let view = rows_now(cx, &meta.id, "ALTER TABLE ... AUTO_INCREMENT")?;
        let rows = cx.up.query(&format!(
            "SELECT MAX({}) FROM {view} AS `vdb_t`",
            quote_ident(&meta.columns[auto].name)
        ))?;
        let max = rows
            .first()
            .and_then(|r| r[0].as_deref())
            .and_then(|v| std::str::from_utf8(v).ok()?.parse::<u64>().ok())
            .unwrap_or(0);
        n.max(max.saturating_add(1))
    };
    let mut w = cx.delta.writer();
    w.table(meta, &key).next_auto = next;
    super::catalog::counters(cx.up, cx.delta, &mut w, std::slice::from_ref(&meta.id))?;
    w.commit();
    Ok(())
}

/// A string column as CONVERT TO CHARACTER SET `cs` COLLATE `co` defines
/// it: a TEXT type grows to hold as many characters as before (latin1
/// TEXT becomes MEDIUMTEXT in utf8mb4), a VARCHAR that could no longer
/// hold its length is the server's 1074.
fn in_charset(c: &ColumnMeta, cs: &str, co: &str) -> Result<Column, OverlayError> {
    let width = |charset: Option<&str>| super::catalog::mbmaxlen(charset.unwrap_or_default());
    let (from_width, to_width) = (width(c.column.charset.as_deref()), width(Some(cs)));
    let mut to = Column {
        charset: Some(cs.to_string()),
        collation: Some(co.to_string()),
        ..c.column.clone()
    };
    if let Some(bytes) = text_bytes(&c.column.data_type) {
        let needed = bytes / from_width.max(1) * to_width;
        let grown = ["tinytext", "text", "mediumtext", "longtext"]
            .into_iter()
            .find(|t| text_bytes(t).is_some_and(|b| b >= needed))
            .unwrap_or("longtext");
        if text_bytes(grown) > Some(bytes) {
            to.data_type = grown.to_string();
            to.column_type = grown.to_string();
        }
    }
    if c.column.data_type == "varchar" {
        let chars = type_numbers(&c.column).map_or(0, |(n, _)| n);
        let max = 65_535 / to_width.max(1);
        if chars > max {
            return Err(server(
                1074,
                "42000",
                format!(
                    "Column length too big for column '{}' (max = {max}); use BLOB or TEXT instead",
                    c.name
                ),
            ));
        }
    }
    Ok(to)
}

/// The server's 1832/1833 for a column whose character set changes while
/// a foreign key uses it (with foreign_key_checks on, as InnoDB checks).
fn fk_column_changes(
    cx: &mut WriteContext,
    old: &TableMeta,
    column: &str,
) -> Result<(), OverlayError> {
    let is = |cols: &[String]| cols.iter().any(|c| c.eq_ignore_ascii_case(column));
    let child = old.foreign_keys.iter().find(|f| is(&f.child_columns));
    let parent = old.referenced_by.iter().find(|f| is(&f.parent_columns));
    if child.is_none() && parent.is_none() {
        return Ok(());
    }
    if !super::write::settings(cx.up)?.foreign_key_checks {
        return Ok(());
    }
    Err(match (parent, child) {
        (Some(f), _) => server(
            1833,
            "HY000",
            format!(
                "Cannot change column '{column}': used in a foreign key constraint '{}' of table '{}.{}'",
                f.name, f.child.schema, f.child.name
            ),
        ),
        (None, Some(f)) => server(
            1832,
            "HY000",
            format!(
                "Cannot change column '{column}': used in a foreign key constraint '{}/{}'",
                f.child.schema, f.name
            ),
        ),
        (None, None) => unreachable!("checked above"),
    })
}

/// The server's 1907 for a CHANGE or MODIFY between a generated column
/// and another kind (VIRTUAL and STORED, or a plain column made
/// generated, or a VIRTUAL one made plain).
fn generated_change() -> OverlayError {
    server(
        1907,
        "HY000",
        "This is not yet supported for generated columns",
    )
}

/// A column renamed: the generated columns and expression defaults that
/// read it read the new name, as the server rewrites them.
fn rename_in_expressions(cols: &mut [Draft], from: &str, to: &str) {
    for d in cols {
        let c = &mut d.meta;
        if let Some(g) = c.generated.as_mut() {
            g.expr = renamed_column(&g.expr, from, to);
        }
        if let Some(def) = c.default.as_mut() {
            *def = renamed_column(def, from, to);
        }
    }
}

/// `expr` with its references to column `from` naming `to`.
fn renamed_column(expr: &str, from: &str, to: &str) -> String {
    // Printed expressions quote every column name.
    crate::sql::replace_names(expr, |kind, name| {
        (kind == crate::sql::lexer::Kind::QuotedIdent && name.eq_ignore_ascii_case(from))
            .then(|| quote_ident(to))
    })
}

fn rename_in_keys(keys: &mut [DraftKey], from: &str, to: &str) {
    for k in keys {
        for c in &mut k.columns {
            if c.eq_ignore_ascii_case(from) {
                *c = to.to_string();
            }
        }
    }
}

/// Whether changing a column's type makes the server copy the table: any
/// change but a VARCHAR/VARBINARY widening in the same character set
/// (within the same length-prefix size, but for MariaDB 10.4 and later,
/// which extends one in place across it too).
fn converts(from: &Column, to: &Column, mariadb: bool) -> bool {
    if from == to {
        return false;
    }
    // MariaDB gives a column another collation of its character set in
    // place (checked against 10.11: "Records: 0", indexed or not).
    // (Not an ENUM's or SET's: those are copied.)
    if mariadb
        && from.data_type == to.data_type
        && from.column_type == to.column_type
        && from.charset == to.charset
        && !matches!(from.data_type.as_str(), "enum" | "set")
    {
        return false;
    }
    // Members added at the end change nothing stored, unless the values
    // need more bytes.
    if matches!(from.data_type.as_str(), "enum" | "set") && keeps_values(from, to) {
        let bytes = |c: &Column| {
            let n = members(&c.column_type);
            match (c.data_type.as_str(), n) {
                ("enum", n) => 1 + usize::from(n > 255),
                (_, 0..=32) => n.div_ceil(8).max(1),
                _ => 8,
            }
        };
        return bytes(from) != bytes(to);
    }
    // MariaDB also changes the collation while it widens (checked against
    // 10.11: VARCHAR(3) utf8mb3_general_ci to VARCHAR(4) utf8mb3_unicode_ci
    // is "Records: 0").
    let widened = |dt: &str| {
        from.data_type == dt
            && to.data_type == dt
            && from.charset == to.charset
            && (mariadb || from.collation == to.collation)
    };
    if widened("varchar") || widened("varbinary") {
        let len = |c: &Column| -> Option<usize> {
            let a = c.column_type.find('(')?;
            let b = c.column_type.find(')')?;
            c.column_type[a + 1..b].parse().ok()
        };
        let bytes = |c: &Column, n: usize| {
            n as u64 * c.charset.as_deref().map_or(1, super::catalog::mbmaxlen)
        };
        if let (Some(a), Some(b)) = (len(from), len(to)) {
            return !(b >= a && (mariadb || (bytes(from, a) < 256) == (bytes(to, b) < 256)));
        }
    }
    true
}

/// The condition (SQL over the new table's rows, `vdb_t`) that a row
/// finds its parent under the new foreign key `fk`, or has a NULL in it,
/// as InnoDB tests each row it copies. `None` for a key on the table
/// itself (one of `own`), whose parents are the rows being copied, or a
/// parent vdb cannot write as SQL: the rows are then copied.
fn finds_parent(
    cx: &WriteContext,
    fk: &crate::delta::ForeignKey,
    own: &[&TableId],
) -> Option<String> {
    if own.contains(&&fk.parent) {
        return None;
    }
    let parent = match cx.delta.current().tables.get(&fk.parent) {
        Some(t) => t.derived_sql().ok()?.to_string(),
        None => fk.parent.quoted(),
    };
    let child = |c: &String| format!("`vdb_t`.{}", quote_ident(c));
    let nulls: Vec<String> = fk
        .child_columns
        .iter()
        .map(|c| format!("{} IS NULL", child(c)))
        .collect();
    let same: Vec<String> = fk
        .parent_columns
        .iter()
        .zip(&fk.child_columns)
        .map(|(p, c)| format!("`vdb_p`.{} = {}", quote_ident(p), child(c)))
        .collect();
    Some(format!(
        "({} OR EXISTS (SELECT 1 FROM {parent} AS `vdb_p` WHERE {}))",
        nulls.join(" OR "),
        same.join(" AND ")
    ))
}

/// How many members an ENUM or SET column type (`enum('a','b')`) lists.
fn members(column_type: &str) -> usize {
    let mut n = 0;
    let mut quoted = false;
    let mut chars = column_type.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' if quoted => {
                chars.next();
            }
            '\'' if quoted && chars.peek() == Some(&'\'') => {
                chars.next();
            }
            '\'' => {
                quoted = !quoted;
                n += usize::from(quoted);
            }
            _ => {}
        }
    }
    n
}

/// The new definition: keys named and checked as the server names and
/// checks them.
fn define(
    id: &TableId,
    old: &TableMeta,
    mut columns: Vec<ColumnMeta>,
    keys: Vec<DraftKey>,
    collation: Option<String>,
) -> Result<TableMeta, OverlayError> {
    let mut unique_keys: Vec<UniqueKey> = Vec::new();
    let mut indexes: Vec<UniqueKey> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut primary = None;
    for k in keys {
        let mut positions = Vec::with_capacity(k.columns.len());
        for c in &k.columns {
            let Some(p) = columns.iter().position(|m| m.name.eq_ignore_ascii_case(c)) else {
                return Err(server(
                    1072,
                    "42000",
                    format!("Key column '{c}' doesn't exist in table"),
                ));
            };
            positions.push(p);
        }
        if k.kind == KeyKind::Primary {
            if primary.is_some() {
                return Err(server(1068, "42000", "Multiple primary key defined"));
            }
            for &p in &positions {
                columns[p].nullable = false;
            }
            primary = Some(UniqueKey {
                name: "PRIMARY".into(),
                columns: positions,
                options: k.options,
            });
            continue;
        }
        let name = if k.name.is_empty() {
            free_name(&columns[positions[0]].name, |n| {
                names.iter().any(|e| e.eq_ignore_ascii_case(n)) || n.eq_ignore_ascii_case("PRIMARY")
            })
        } else if names.iter().any(|e| e.eq_ignore_ascii_case(&k.name)) {
            return Err(server(
                1061,
                "42000",
                format!("Duplicate key name '{}'", k.name),
            ));
        } else {
            k.name.clone()
        };
        names.push(name.clone());
        let key = UniqueKey {
            name,
            columns: positions,
            options: k.options,
        };
        if k.kind == KeyKind::Unique {
            unique_keys.push(key);
        } else {
            indexes.push(key);
        }
    }
    if let Some(p) = primary {
        unique_keys.insert(0, p);
    }
    let autos = auto_columns(&columns, &unique_keys, &indexes)?;
    Ok(TableMeta {
        id: id.clone(),
        columns,
        unique_keys,
        foreign_keys: Vec::new(),
        referenced_by: old.referenced_by.clone(),
        checks: old.checks.clone(),
        auto_increment: (!autos.is_empty()).then_some(1),
        triggers: Vec::new(),
        created: true,
        indexes,
        collation,
        comment: old.comment.clone(),
        row_format: old.row_format.clone(),
        estimated_rows: None,
        source_indexes: Vec::new(),
    })
}

/// A name no table has: where the new definition is filled before it
/// takes the table's place.
fn scratch_id(schema: &str) -> TableId {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    TableId {
        schema: schema.to_string(),
        name: format!(
            "vdb_alter_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ),
    }
}

/// The scratch table as the server names its own copy of a table being
/// altered, in messages: `#sql-alter-` and two hex numbers.
fn server_copy_name(scratch: &TableId) -> String {
    let hex: Vec<String> = scratch
        .name
        .trim_start_matches("vdb_alter_")
        .split('_')
        .map(|n| n.parse::<u64>().map_or(n.to_string(), |n| format!("{n:x}")))
        .collect();
    TableId {
        schema: scratch.schema.clone(),
        name: format!("#sql-alter-{}", hex.join("-")),
    }
    .quoted()
}

/// What an ALTER may do to the columns foreign keys use, as InnoDB
/// decides it (`cols` the new columns, each knowing the old one it comes
/// from; `fks` the table's own foreign keys the ALTER keeps): a column
/// changed only in NULL, DEFAULT or COMMENT stays; made NOT NULL under an
/// ON DELETE/UPDATE SET NULL it is 1830; a new type is 1832 (this table's
/// key) or 1833 (another table's key on it); dropped, its index goes and
/// that is 1553; renamed, the keys follow it: this table's here, other
/// tables' by the (old, new) names returned.
fn foreign_key_columns(
    old: &TableMeta,
    old_keys: &[(String, Vec<String>)],
    cols: &[Draft],
    fks: &mut [crate::delta::ForeignKey],
    touched: &[String],
) -> Result<Vec<(String, String)>, OverlayError> {
    let id = &old.id;
    let now = |c: &str| -> Option<Option<&ColumnMeta>> {
        let i = old.position(c)?;
        Some(cols.iter().find(|d| d.from == Some(i)).map(|d| &d.meta))
    };
    let index_of = |columns: &[String]| -> String {
        old_keys
            .iter()
            .find(|(_, k)| {
                k.len() >= columns.len()
                    && k.iter()
                        .zip(columns)
                        .all(|(a, b)| a.eq_ignore_ascii_case(b))
            })
            .map(|(n, _)| n.clone())
            .unwrap_or_default()
    };
    let was = |c: &str| old.position(c).map(|i| &old.columns[i]);
    let mut renames: Vec<(usize, usize, String)> = Vec::new();
    let mut parent_renames: Vec<(String, String)> = Vec::new();
    for (n, fk) in fks.iter().enumerate() {
        for (j, c) in fk.child_columns.iter().enumerate() {
            if !touched.iter().any(|t| t.eq_ignore_ascii_case(c)) {
                continue;
            }
            let (Some(before), Some(after)) = (was(c), now(c)) else {
                continue;
            };
            let Some(after) = after else {
                return Err(dropped(c, fk, &index_of(&fk.child_columns), None));
            };
            if after.column != before.column {
                return Err(server(
                    1832,
                    "HY000",
                    format!(
                        "Cannot change column '{c}': used in a foreign key constraint '{}'",
                        fk.name
                    ),
                ));
            }
            let set_null = |r: &crate::delta::FkRule| matches!(r, crate::delta::FkRule::SetNull);
            if !after.nullable && (set_null(&fk.on_delete) || set_null(&fk.on_update)) {
                return Err(server(
                    1830,
                    "HY000",
                    format!(
                        "Column '{}' cannot be NOT NULL: needed in a foreign key constraint '{}' SET NULL",
                        after.name, fk.name
                    ),
                ));
            }
            if !after.name.eq_ignore_ascii_case(c) {
                renames.push((n, j, after.name.clone()));
            }
        }
    }
    for (n, j, name) in renames {
        fks[n].child_columns[j] = name;
    }
    for fk in &old.referenced_by {
        for c in &fk.parent_columns {
            if !touched.iter().any(|t| t.eq_ignore_ascii_case(c)) {
                continue;
            }
            let (Some(before), Some(after)) = (was(c), now(c)) else {
                continue;
            };
            let Some(after) = after else {
                let index = index_of(&fk.parent_columns);
                return Err(dropped(c, fk, &index, Some(&fk.child)));
            };
            if after.column != before.column {
                return Err(server(
                    1833,
                    "HY000",
                    format!(
                        "Cannot change column '{c}': used in a foreign key constraint '{}' of table '{}.{}'",
                        fk.name, fk.child.schema, fk.child.name
                    ),
                ));
            }
            if !after.name.eq_ignore_ascii_case(c)
                && !parent_renames
                    .iter()
                    .any(|(o, _): &(String, String)| o.eq_ignore_ascii_case(c))
            {
                parent_renames.push((c.clone(), after.name.clone()));
            }
        }
    }
    // A key on the table itself names the new column as its parent's.
    for fk in fks.iter_mut().filter(|f| f.parent == *id) {
        for c in &mut fk.parent_columns {
            if let Some((_, new)) = parent_renames
                .iter()
                .find(|(o, _)| o.eq_ignore_ascii_case(c))
            {
                *c = new.clone();
            }
        }
    }
    Ok(parent_renames)
}

/// The server's error for dropping column `c`, which `fk` uses (`child`:
/// the table of a key that references it): its index goes, which the key
/// needs (1553), or, when that is the primary key, the column itself is
/// named (1828, 1829).
fn dropped(
    c: &str,
    fk: &crate::delta::ForeignKey,
    index: &str,
    child: Option<&TableId>,
) -> OverlayError {
    match child {
        _ if index != "PRIMARY" => server(
            1553,
            "HY000",
            format!("Cannot drop index '{index}': needed in a foreign key constraint"),
        ),
        None => server(
            1828,
            "HY000",
            format!(
                "Cannot drop column '{c}': needed in a foreign key constraint '{}'",
                fk.name
            ),
        ),
        Some(t) => server(
            1829,
            "HY000",
            format!(
                "Cannot drop column '{c}': needed in a foreign key constraint '{}' of table {}.{}",
                fk.name,
                quote_ident(&t.schema),
                quote_ident(&t.name)
            ),
        ),
    }
}

/// Makes `meta` (a created table's definition) the table `old` was, holding
/// `old`'s rows: column `i` of the new table takes old column `from[i]`'s
/// values (a new column its default). Nothing changes unless all rows copy.
/// The `unchecked` constraints join the definition after the copy: the
/// rows are not tested against them.
///
/// Unless the server would give the rows new values (`rows`), they are
/// not copied at all if [`project`] can read them through the old table's
/// source part: only the rows the delta holds are carried over.
#[allow(clippy::too_many_arguments)]
pub(super) fn copy_into(
    cx: &mut WriteContext,
    old: &TableMeta,
    meta: TableMeta,
    from: &[Option<usize>],
    text: &str,
    kind: &str,
    unchecked: Vec<crate::delta::CheckConstraint>,
    rows: Rows,
) -> Result<WriteOutcome, OverlayError> {
    let Some(key) = meta.delta_key() else {
        return unsupported(format!(
            "{kind} leaving {}, whose only unique keys take NULL",
            meta.id
        ));
    };
    if rows != Rows::Rewritten {
        let mut full = meta.clone();
        full.checks.extend(unchecked.iter().cloned());
        let tested = &meta.checks;
        if let Some((table, count)) = project(cx, old, Arc::new(full), from, &key, tested, rows)? {
            log::debug!(
                "{kind} of {}: read through a projection of {}, {} captured rows carried",
                old.id,
                table.source_table(),
                table.rows.len()
            );
            let mut w = cx.delta.writer();
            install(cx, &mut w, old, table, kind, text)?;
            w.commit();
            return Ok(WriteOutcome {
                affected: count,
                info: format!("Records: {count}  Duplicates: 0  Warnings: 0"),
                ..WriteOutcome::default()
            });
        }
    }
    let target = meta.id.clone();
    let scratch = scratch_id(&target.schema);
    let mut staged = meta.clone();
    staged.id = scratch.clone();
    // A key on the table itself is checked against the copy being filled.
    for fk in &mut staged.foreign_keys {
        for id in [&mut fk.child, &mut fk.parent] {
            if *id == target {
                *id = scratch.clone();
            }
        }
    }
    // The copy is no write of the table's: it fires no trigger.
    staged.triggers.clear();
    // The counter continues from the old table's.
    let old_next = cx
        .delta
        .current()
        .tables
        .get(&old.id)
        .map(|t| t.next_auto)
        .or(old.auto_increment)
        .unwrap_or(1);
    stage(cx, Arc::new(staged), key.clone());
    let discard = |cx: &mut WriteContext| {
        unstage(cx, &scratch);
    };
    // Columns the new table takes from the old one; new columns take their
    // defaults, or the implicit default of their type when NOT NULL without
    // one (as ALTER fills existing rows).
    let mut names = Vec::new();
    let mut values = Vec::new();
    for (c, f) in meta.columns.iter().zip(from) {
        match f {
            // Computed by the copy, as for any row written.
            _ if c.generated.is_some() => {}
            Some(i) => {
                names.push(quote_ident(&c.name));
                values.push(format!("`vdb_old`.{}", quote_ident(&old.columns[*i].name)));
            }
            None if !c.nullable && c.default.is_none() && !c.auto_increment => {
                names.push(quote_ident(&c.name));
                values.push(implicit_default(&c.column).into());
            }
            None => {}
        }
    }
    let order = match old.identity() {
        Some(k) => format!(
            " ORDER BY {}",
            k.iter()
                .map(|&i| format!("`vdb_old`.{}", quote_ident(&old.columns[i].name)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => String::new(),
    };
    let copy = format!(
        "INSERT INTO {} ({}) SELECT {} FROM {} AS `vdb_old`{order}",
        scratch.quoted(),
        names.join(", "),
        values.join(", "),
        old.id.quoted()
    );
    log::debug!("{kind} of {}: its rows copied", old.id);
    let outcome = match super::write::execute(cx, copy.as_bytes()) {
        Ok(o) => o,
        Err(e) => {
            discard(cx);
            // The server's messages name the table being altered, but a
            // foreign key fails for its own copy of it.
            let e = match e {
                OverlayError::Server {
                    code,
                    state,
                    message,
                } => {
                    let named = if code == 1452 {
                        server_copy_name(&scratch)
                    } else {
                        old.id.quoted()
                    };
                    OverlayError::Server {
                        code,
                        state,
                        message: message.replace(&scratch.quoted(), &named),
                    }
                }
                e => e,
            };
            return Err(as_alter_error(cx, old, &meta, e));
        }
    };
    // What the copying INSERT left is what the ALTER's copy leaves, worded
    // as the ALTER words it.
    let alter_words = |list: Vec<(u16, String)>| -> Vec<(u16, String)> {
        list.into_iter()
            .map(|(code, message)| {
                let message = message.replace(&scratch.quoted(), &old.id.quoted());
                match code {
                    1366 => match not_a_number(&message) {
                        Some(OverlayError::Server { code, message, .. }) => (code, message),
                        _ => (code, message),
                    },
                    _ => (code, message),
                }
            })
            .collect()
    };
    // They come row by row, notes among warnings.
    let mut raised: Vec<(&'static str, u16, String)> = alter_words(outcome.notes)
        .into_iter()
        .map(|(c, m)| ("Note", c, m))
        .collect();
    for (n, (code, message)) in alter_words(outcome.warnings).into_iter().enumerate() {
        // A string cut to a number names its value, a note when only
        // spaces were cut; a datetime cut to a date or time is a note.
        // (The value takes a query: only for as many as SHOW WARNINGS
        // lists by default.)
        let worded = (code == 1265 && n < MAX_WORDED)
            .then(|| not_a_number_at(cx, old, &meta, &message))
            .flatten();
        raised.push(match worded {
            Some(OverlayError::Server { code, message, .. }) => {
                let spaces_only = message
                    .rsplit_once(" value: '")
                    .and_then(|(_, v)| v.strip_suffix('\''))
                    .is_some_and(|v| v.trim().parse::<f64>().is_ok());
                (if spaces_only { "Note" } else { "Warning" }, code, message)
            }
            _ if code == 1265 && shortened_datetime(old, &meta, &message) => {
                ("Note", code, message)
            }
            _ => ("Warning", code, message),
        });
    }
    let mut w = cx.delta.writer();
    let Some(filled) = w.next.tables.remove(&scratch) else {
        drop(w);
        discard(cx);
        return unsupported(format!("{kind} of {} (the copy vanished)", old.id));
    };
    w.next.schema.created.remove(&scratch);
    let mut table = (*filled).clone();
    // The counter is the table's (ALTER keeps it), or follows the values a
    // new AUTO_INCREMENT column numbered the rows with, without the
    // reservations the copying INSERT made.
    if let Some(auto) = meta.auto_column() {
        let highest = table.highest_auto().unwrap_or(0);
        let kept = if from[auto].is_some_and(|i| old.columns[i].auto_increment) {
            old_next
        } else {
            1
        };
        table.next_auto = kept.max(highest + 1);
    }
    let mut meta = meta;
    meta.checks.extend(unchecked);
    table.meta = Arc::new(meta);
    table.origin = None;
    install(cx, &mut w, old, table, kind, text)?;
    w.commit();
    Ok(WriteOutcome {
        affected: outcome.affected,
        info: format!(
            "Records: {}  Duplicates: 0  Warnings: {}",
            outcome.affected,
            raised.len()
        ),
        raised,
        ..WriteOutcome::default()
    })
}

/// `table` (its definition and rows) in place of `old`, in the state `w`
/// is building.
fn install(
    cx: &mut WriteContext,
    w: &mut crate::delta::Writer,
    old: &TableMeta,
    table: TableDelta,
    kind: &str,
    text: &str,
) -> Result<(), OverlayError> {
    let target = table.meta.id.clone();
    // The old table is gone (a source table stays hidden behind the new
    // definition, or is simply gone when renamed).
    w.next.tables.remove(&old.id);
    if w.next.schema.created.remove(&old.id).is_none() {
        w.next.schema.dropped.insert(old.id.clone());
    }
    w.next
        .schema
        .created
        .insert(target.clone(), table.meta.clone());
    w.next.tables.insert(target, Arc::new(table));
    w.next.schema.log.push(SchemaChange {
        kind: kind.into(),
        table: old.id.clone(),
        statement: Arc::from(text),
    });
    super::catalog::refresh(cx.up, cx.delta, w)
}

/// The table `old` redefined as `meta` without copying its rows, when the
/// definition lets the old table's source part be read as the new one's:
/// each column is an old column with its values unchanged (a rename, a
/// VARCHAR widened) or a new one every existing row gives the same value
/// (its constant default, as the server fills it), and the rows keep
/// their identity key. The merged view then reads the source table
/// through a projection ([`crate::delta::Origin`]), and only the rows the
/// delta holds are carried over, reshaped. A large source table altered
/// this way costs nothing and keeps its indexes.
///
/// What the server would check of the existing rows is checked with
/// queries over the new view: no NULL in a column made NOT NULL, no
/// duplicate in a new unique key, every value of a narrowed column fits
/// ([`kept_if`]). When a check finds one, or the definition does not
/// allow a projection, `None`: the rows are copied, and the copy fails as
/// the server fails.
///
/// `Rows::Widened`: the server copies the table, but keeps the values:
/// the rows are tested against the `tested` CHECK constraints and new
/// foreign keys, as the copy tests them, and their number (the ALTER's
/// affected rows) is counted. Returns the table and that number (0 when
/// the server copies nothing).
fn project(
    cx: &mut WriteContext,
    old: &TableMeta,
    meta: Arc<TableMeta>,
    from: &[Option<usize>],
    key: &[usize],
    tested: &[crate::delta::CheckConstraint],
    rows: Rows,
) -> Result<Option<(TableDelta, u64)>, OverlayError> {
    use crate::delta::{Origin, Projected};
    let state = cx.delta.current();
    let old_delta = state.tables.get(&old.id).cloned();
    let base: Arc<Origin> = match old_delta.as_ref().and_then(|t| t.origin.clone()) {
        Some(o) => o,
        None if !old.created && !old.id.is_temporary() => Arc::new(Origin {
            table: old.id.clone(),
            columns: old
                .columns
                .iter()
                .map(|c| Projected::Column(c.name.clone()))
                .collect(),
        }),
        // Every row is the delta's: copying them is all there is to do.
        None => return Ok(None),
    };
    if old_delta.as_ref().is_some_and(|t| t.counted) || meta.keyless() {
        return Ok(None);
    }
    // Hidden keys carry over only if the rows keep their identity.
    let old_key: Vec<usize> = match (&old_delta, old.identity()) {
        (Some(t), _) => t.key.clone(),
        (None, Some(k)) => k.to_vec(),
        (None, None) => return Ok(None),
    };
    let same_key = key.len() == old_key.len()
        && key.iter().zip(&old_key).all(|(&n, &o)| {
            from[n] == Some(o)
                && kept_if(&old.columns[o].column, &meta.columns[n].column).is_some()
                && matches!(base.columns[o], Projected::Column(_))
        });
    if !same_key {
        return Ok(None);
    }
    let mut columns = Vec::with_capacity(meta.columns.len());
    let mut added = Vec::new();
    // What the rows must meet for a narrowed column to keep their values
    // (as the server's copy would): a CHECK of sorts, tested likewise.
    let mut fits = Vec::new();
    // Columns converted on the way (position, old type, conversion): the
    // captured rows' values are converted too.
    let mut conversions = Vec::new();
    for (j, (c, f)) in meta.columns.iter().zip(from).enumerate() {
        if c.generated.is_some() {
            return Ok(None);
        }
        match f {
            Some(i) => {
                let o = &old.columns[*i];
                if o.generated.is_some() || c.auto_increment != o.auto_increment {
                    return Ok(None);
                }
                let (projected, condition) = match kept_if(&o.column, &c.column) {
                    Some(condition) => (base.columns[*i].clone(), condition),
                    None => {
                        let Some((read, condition)) = converted(&o.column, &c.column) else {
                            return Ok(None);
                        };
                        // A column read through a conversion already is
                        // converted once more.
                        let projected = match &base.columns[*i] {
                            Projected::Column(n) => Projected::Converted {
                                column: n.clone(),
                                read: read.clone(),
                            },
                            Projected::Converted {
                                column,
                                read: before,
                            } => Projected::Converted {
                                column: column.clone(),
                                read: read.replace("{c}", before),
                            },
                            // A value every source row shares (a column an
                            // earlier ALTER added) is converted once.
                            Projected::Value(v) => {
                                let mut one = vec![vec![None; meta.columns.len()]];
                                one[0][j] = v.clone();
                                let conversion = [(j, o.column.clone(), read.clone())];
                                if !convert_captured(cx, &mut one, &conversion)? {
                                    return Ok(None);
                                }
                                Projected::Value(one[0][j].take())
                            }
                        };
                        conversions.push((j, o.column.clone(), read));
                        (projected, condition)
                    }
                };
                if let Some(condition) = condition {
                    fits.push(
                        condition.replace("{c}", &format!("`vdb_t`.{}", quote_ident(&c.name))),
                    );
                }
                columns.push(projected);
            }
            None => {
                let constant = match c.default.as_deref() {
                    None => true,
                    Some(d) => {
                        d == "NULL"
                            || d.starts_with("current_timestamp")
                            || super::printed::is_literal(d)
                    }
                };
                if c.auto_increment || !constant {
                    return Ok(None);
                }
                added.push(j);
                columns.push(Projected::Value(None));
            }
        }
    }
    let fill = if added.is_empty() {
        Vec::new()
    } else {
        match filled_defaults(cx, &meta, &added)? {
            Some(v) => v,
            None => return Ok(None),
        }
    };
    for (&j, v) in added.iter().zip(&fill) {
        columns[j] = Projected::Value(v.clone());
    }
    let mut table = TableDelta::new(meta.clone(), key.to_vec());
    table.origin = Some(Arc::new(Origin {
        table: base.table.clone(),
        columns,
    }));
    table.next_auto = old_delta
        .as_ref()
        .map(|t| t.next_auto)
        .or(old.auto_increment)
        .unwrap_or(1);
    if let Some(t) = &old_delta {
        let mut reshaped: Vec<crate::delta::Row> = t
            .rows
            .values()
            .map(|r| {
                let mut fill = fill.iter();
                from.iter()
                    .map(|f| match f {
                        Some(i) => r[*i].clone(),
                        None => fill.next().cloned().flatten(),
                    })
                    .collect()
            })
            .collect();
        if !convert_captured(cx, &mut reshaped, &conversions)? {
            return Ok(None);
        }
        let mut rows = imbl::OrdMap::new();
        for row in reshaped {
            rows.insert(table.key_of(&row), Arc::new(row));
        }
        table.set_contents(t.hidden.clone(), rows);
    }
    let mut conditions: Vec<String> = tested.iter().map(|c| c.clause.clone()).collect();
    conditions.extend(fits);
    if let Rows::Widened { parents } = &rows {
        conditions.extend(parents.iter().cloned());
    }
    if !holds_for_existing_rows(cx, old, &meta, from, &table, &conditions)? {
        return Ok(None);
    }
    let count = match rows {
        Rows::Widened { .. } => {
            let view = table.derived_sql().map_err(|e| {
                OverlayError::Unsupported(format!(
                    "a changed {} value vdb cannot write as a literal ({})",
                    e.column_type, e.value
                ))
            })?;
            count_rows(cx, &view)?
        }
        _ => 0,
    };
    Ok(Some((table, count)))
}

/// What an ALTER does to a table's existing rows, as far as vdb must copy
/// them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Rows {
    /// The server changes the definition in place: no row is touched.
    Kept,
    /// The server copies the rows, keeping every value (types widened,
    /// or narrowed where the values fit, foreign keys added): the copy
    /// tests them against the CHECK constraints and against `parents`,
    /// for each new foreign key the condition ([`finds_parent`]) that a
    /// row finds its parent.
    Widened { parents: Vec<String> },
    /// The server gives the rows new values (a conversion, a new column
    /// numbered or computed), or tests them against what vdb cannot ask
    /// of them in a query (a foreign key on the table itself): vdb copies
    /// them as well.
    Rewritten,
}

/// String types (ENUM and SET apart), and byte types.
const STRING_TYPES: [&str; 6] = [
    "char",
    "varchar",
    "tinytext",
    "text",
    "mediumtext",
    "longtext",
];
const BYTE_TYPES: [&str; 6] = [
    "binary",
    "varbinary",
    "tinyblob",
    "blob",
    "mediumblob",
    "longblob",
];

/// The values an integer type holds (`None` for another type).
fn int_range(c: &Column) -> Option<(i128, i128)> {
    let bits = match c.data_type.as_str() {
        "tinyint" => 8,
        "smallint" => 16,
        "mediumint" => 24,
        "int" => 32,
        "bigint" => 64,
        _ => return None,
    };
    Some(if c.column_type.contains("unsigned") {
        (0, (1i128 << bits) - 1)
    } else {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    })
}

/// A type's numbers: (20, 6) of `decimal(20,6)`, (3, 0) of `datetime(3)`;
/// `None` when it has none.
fn type_numbers(c: &Column) -> Option<(u64, u64)> {
    let a = c.column_type.find('(')?;
    let b = c.column_type[a..].find(')')? + a;
    let mut parts = c.column_type[a + 1..b].split(',');
    let p = parts.next()?.trim().parse().ok()?;
    let s = parts.next().map_or(Some(0), |s| s.trim().parse().ok())?;
    Some((p, s))
}

/// The bytes a TEXT or BLOB type holds (`None` for another type).
fn text_bytes(data_type: &str) -> Option<u64> {
    Some(match data_type {
        "tinytext" | "tinyblob" => 255,
        "text" | "blob" => 65_535,
        "mediumtext" | "mediumblob" => 16_777_215,
        "longtext" | "longblob" => 4_294_967_295,
        _ => return None,
    })
}

/// The condition (the column written `{c}`) that a value fits
/// DECIMAL(`p`,`s`), UNSIGNED or not.
fn decimal_fits(p: u64, s: u64, unsigned: bool) -> String {
    let digits = |n: u64| "9".repeat(n as usize);
    let max = match (p - s, s) {
        (0, s) => format!("0.{}", digits(s)),
        (i, 0) => digits(i),
        (i, s) => format!("{}.{}", digits(i), digits(s)),
    };
    let min = if unsigned {
        "0".to_string()
    } else {
        format!("-{max}")
    };
    format!("{{c}} BETWEEN {min} AND {max}")
}

/// Whether converting a column from type `from` to `to` keeps every value
/// and its text exactly, and comparisons as they were: the same type, an
/// integer into a wider one, a DECIMAL into one with more integer digits
/// and the same scale, a string into a longer one of the same character
/// set and collation (CHAR into VARCHAR or TEXT too: a CHAR's value is
/// read without its padding), bytes likewise, an ENUM or SET with members
/// added at the end. ZEROFILL, whose text is padded, never.
pub(crate) fn keeps_values(from: &Column, to: &Column) -> bool {
    matches!(kept_if(from, to), Some(None))
}

/// Which values converting a column from type `from` to `to` keeps as
/// they are (see [`keeps_values`]): `Some(None)` every value,
/// `Some(Some(condition))` those for which `condition` (SQL, the column
/// written `{c}`) holds, the rest failing to convert: a narrowing (to a
/// shorter string, a smaller integer, fewer integer digits) keeps the
/// values that fit. `None`: the conversion gives values new text.
pub(crate) fn kept_if(from: &Column, to: &Column) -> Option<Option<String>> {
    if from == to {
        return Some(None);
    }
    if from.column_type.contains("zerofill") || to.column_type.contains("zerofill") {
        return None;
    }
    if let (Some(a), Some(b)) = (int_range(from), int_range(to)) {
        return Some(if b.0 <= a.0 && a.1 <= b.1 {
            None
        } else {
            Some(format!("{{c}} BETWEEN {} AND {}", b.0, b.1))
        });
    }
    if from.data_type == "decimal" && to.data_type == "decimal" {
        let unsigned = |c: &Column| c.column_type.contains("unsigned");
        let ((p1, s1), (p2, s2)) = (type_numbers(from)?, type_numbers(to)?);
        // A new scale rounds or pads: new text.
        if s1 != s2 {
            return None;
        }
        if p2 - s2 >= p1 - s1 && (unsigned(from) || !unsigned(to)) {
            return Some(None);
        }
        return Some(Some(decimal_fits(p2, s2, unsigned(to))));
    }
    if matches!(from.data_type.as_str(), "enum" | "set")
        && from.data_type == to.data_type
        && from.charset == to.charset
        && from.collation == to.collation
    {
        // Members added at the end keep every value's number, and with it
        // its order; any other change renumbers them.
        let head = from.column_type.strip_suffix(')')?;
        return to
            .column_type
            .strip_prefix(head)
            .is_some_and(|rest| rest.starts_with(','))
            .then_some(None);
    }
    let is = |set: &[&str], c: &Column| set.contains(&c.data_type.as_str());
    let is_string = is(&STRING_TYPES, from) && is(&STRING_TYPES, to);
    if !(is_string || is(&BYTE_TYPES, from) && is(&BYTE_TYPES, to))
        || from.charset != to.charset
        || from.collation != to.collation
    {
        return None;
    }
    // A fixed-length target pads what it stores (CHAR strips the spaces
    // it reads back; BINARY keeps its zero bytes): only from its own kind.
    if matches!(to.data_type.as_str(), "char" | "binary") && from.data_type != to.data_type {
        return None;
    }
    let per_char = |c: &Column| match c.charset.as_deref() {
        Some("utf8mb4") | Some("utf16") | Some("utf32") => 4,
        Some("utf8mb3") | Some("utf8") => 3,
        Some("ucs2") => 2,
        _ => 1,
    };
    // The longest value: in characters for CHAR and VARCHAR, in bytes for
    // TEXT and bytes (`true`).
    let capacity = |c: &Column| -> Option<(u64, bool)> {
        match text_bytes(&c.data_type) {
            Some(bytes) => Some((bytes, true)),
            None => type_numbers(c).map(|(n, _)| (n, !is_string)),
        }
    };
    let ((a, a_bytes), (b, b_bytes)) = (capacity(from)?, capacity(to)?);
    let in_chars = |n: u64, bytes: bool, c: &Column| {
        if bytes && is_string {
            n / per_char(c)
        } else {
            n
        }
    };
    if in_chars(a, a_bytes, from) <= in_chars(b, b_bytes, to) {
        return Some(None);
    }
    Some(Some(if b_bytes {
        format!("LENGTH({{c}}) <= {b}")
    } else {
        format!("CHAR_LENGTH({{c}}) <= {b}")
    }))
}

/// How the ALTER's copy converts a value of type `from` into type `to`
/// when the text changes but the value does not: the conversion as SQL
/// (the column written `{c}`), which the projection reads the source
/// column through, and, as for [`kept_if`], the condition (over the
/// converted value) every row must meet, the others failing to convert.
/// An integer into a string (its digits) or a DECIMAL (its digits, the
/// scale's zeros after them); a DATE, DATETIME or TIME into one with more
/// fractional digits; a string into another collation of its character
/// set, or into utf8mb4 from a character set utf8mb4 holds every
/// character of. `None`: any other conversion (the rows are copied).
pub(crate) fn converted(from: &Column, to: &Column) -> Option<(String, Option<String>)> {
    if from.column_type.contains("zerofill") || to.column_type.contains("zerofill") {
        return None;
    }
    let integer = |c: &Column| int_range(c).is_some();
    // Absent numbers (`datetime`, `text`) are 0.
    let args = |c: &Column| type_numbers(c).unwrap_or((0, 0));
    let string = |c: &Column| STRING_TYPES.contains(&c.data_type.as_str());
    if integer(from) && string(to) {
        let (cs, coll) = (to.charset.as_deref()?, to.collation.as_deref()?);
        let fits = matches!(to.data_type.as_str(), "char" | "varchar")
            .then(|| format!("CHAR_LENGTH({{c}}) <= {}", args(to).0));
        return Some((
            format!("CAST({{c}} AS CHAR CHARACTER SET {cs}) COLLATE {coll}"),
            fits,
        ));
    }
    if integer(from) && to.data_type == "decimal" {
        let (p, s) = args(to);
        let unsigned = to.column_type.contains("unsigned");
        return Some((
            format!("CAST({{c}} AS DECIMAL({p},{s}))"),
            Some(decimal_fits(p, s, unsigned)),
        ));
    }
    let fraction = |c: &Column| args(c).0;
    match (from.data_type.as_str(), to.data_type.as_str()) {
        ("datetime", "datetime") | ("date", "datetime") if fraction(to) >= fraction(from) => {
            return Some((format!("CAST({{c}} AS DATETIME({}))", fraction(to)), None));
        }
        ("time", "time") if fraction(to) >= fraction(from) => {
            return Some((format!("CAST({{c}} AS TIME({}))", fraction(to)), None));
        }
        _ => {}
    }
    if string(from) && string(to) {
        let (cs, coll) = (to.charset.as_deref()?, to.collation.as_deref()?);
        let read = if from.charset == to.charset {
            format!("{{c}} COLLATE {coll}")
        } else if cs == "utf8mb4"
            && matches!(
                from.charset.as_deref(),
                Some("latin1" | "ascii" | "utf8mb3" | "utf8")
            )
        {
            format!("CONVERT({{c}} USING utf8mb4) COLLATE {coll}")
        } else {
            return None;
        };
        // The length as the new character set counts it.
        let same_set = Column {
            charset: to.charset.clone(),
            collation: to.collation.clone(),
            ..from.clone()
        };
        let mut fits = kept_if(&same_set, to)?;
        if from.charset != to.charset && fits.is_none() {
            if let Some(bytes) = text_bytes(&to.data_type) {
                fits = Some(format!("LENGTH({{c}}) <= {bytes}"));
            }
        }
        return Some((read, fits));
    }
    None
}

/// Converts the values of the captured rows `rows` (new columns) as the
/// ALTER's copy converts them (`conversions`: position, old type, the
/// conversion of [`converted`]), asking the source for the converted
/// values. `false` when it cannot say (the rows are then copied).
fn convert_captured(
    cx: &mut WriteContext,
    rows: &mut [crate::delta::Row],
    conversions: &[(usize, Column, String)],
) -> Result<bool, OverlayError> {
    for (j, old_type, read) in conversions {
        let mut values: Vec<Vec<u8>> = rows.iter().filter_map(|r| r[*j].clone()).collect();
        values.sort();
        values.dedup();
        let mut done = std::collections::HashMap::new();
        for chunk in values.chunks(500) {
            let mut items = Vec::with_capacity(chunk.len());
            for v in chunk {
                let Ok(literal) = old_type.literal(Some(v)) else {
                    return Ok(false);
                };
                items.push(read.replace("{c}", &literal));
            }
            let answer = cx.up.query(&format!("SELECT {}", items.join(", ")))?;
            let Some(row) = answer.into_iter().next() else {
                return Ok(false);
            };
            if row.len() != chunk.len() {
                return Ok(false);
            }
            done.extend(chunk.iter().cloned().zip(row));
        }
        for r in rows.iter_mut() {
            if let Some(v) = r[*j].take() {
                r[*j] = done.get(&v).cloned().flatten();
            }
        }
    }
    Ok(true)
}

/// Puts an empty scratch table (a created table under a name no client
/// uses) into the delta, for the write machinery to fill.
fn stage(cx: &WriteContext, meta: Arc<TableMeta>, key: Vec<usize>) {
    let mut w = cx.delta.writer();
    let id = meta.id.clone();
    w.next.schema.created.insert(id.clone(), meta.clone());
    w.next
        .tables
        .insert(id, Arc::new(TableDelta::new(meta, key)));
    w.commit();
}

/// Takes a scratch table [`stage`] put in out of the delta again, with
/// what was written to it.
fn unstage(cx: &WriteContext, id: &TableId) -> Option<Arc<TableDelta>> {
    let mut w = cx.delta.writer();
    w.next.schema.created.remove(id);
    let table = w.next.tables.remove(id);
    w.commit();
    table
}

/// The values the server gives existing rows in the new columns `added` of
/// `meta`: their defaults (the implicit default of the type for a NOT NULL
/// column without one), as one row inserted into a scratch table of those
/// columns computes them. `None` when the insert fails: the copy then
/// fails as the server does.
fn filled_defaults(
    cx: &mut WriteContext,
    meta: &TableMeta,
    added: &[usize],
) -> Result<Option<Vec<crate::delta::Value>>, OverlayError> {
    let scratch = scratch_id(&meta.id.schema);
    let columns: Vec<ColumnMeta> = added.iter().map(|&j| meta.columns[j].clone()).collect();
    let staged = Arc::new(TableMeta {
        id: scratch.clone(),
        columns,
        created: true,
        collation: meta.collation.clone(),
        ..TableMeta::default()
    });
    stage(cx, staged.clone(), (0..added.len()).collect());
    let (mut names, mut values) = (Vec::new(), Vec::new());
    for c in &staged.columns {
        if !c.nullable && c.default.is_none() {
            names.push(quote_ident(&c.name));
            values.push(implicit_default(&c.column));
        }
    }
    let insert = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        scratch.quoted(),
        names.join(", "),
        values.join(", ")
    );
    let done = super::write::execute(cx, insert.as_bytes());
    let row = unstage(cx, &scratch).and_then(|t| t.rows.values().next().map(|r| (**r).clone()));
    Ok(match (done, row) {
        (Ok(o), Some(row)) if o.warnings.is_empty() => Some(row),
        _ => None,
    })
}

/// Whether what the server checks of existing rows when it redefines a
/// table in place holds for `table` (the new definition over the old
/// rows): no NULL in a column that was nullable and no longer is, and no
/// two rows with the same values in a unique key the old table did not
/// have.
fn holds_for_existing_rows(
    cx: &mut WriteContext,
    old: &TableMeta,
    meta: &TableMeta,
    from: &[Option<usize>],
    table: &TableDelta,
    conditions: &[String],
) -> Result<bool, OverlayError> {
    let view = match table.derived_sql() {
        Ok(v) => v,
        Err(_) => return Ok(false),
    };
    let name = |j: usize| format!("`vdb_t`.{}", quote_ident(&meta.columns[j].name));
    let mut probes = Vec::new();
    for (j, c) in meta.columns.iter().enumerate() {
        if let Some(i) = from[j] {
            if !c.nullable && old.columns[i].nullable {
                probes.push(format!(
                    "SELECT 1 FROM {view} AS `vdb_t` WHERE {} IS NULL LIMIT 1",
                    name(j)
                ));
            }
        }
    }
    // A CHECK fails for a row where its clause is false (not NULL).
    for condition in conditions {
        probes.push(format!(
            "SELECT 1 FROM {view} AS `vdb_t` WHERE NOT ({condition}) LIMIT 1"
        ));
    }
    let had = |k: &UniqueKey| {
        let mut cols: Vec<Option<usize>> = k.columns.iter().map(|&j| from[j]).collect();
        cols.sort();
        old.unique_keys.iter().any(|o| {
            let mut theirs: Vec<Option<usize>> = o.columns.iter().map(|&i| Some(i)).collect();
            theirs.sort();
            theirs == cols
        })
    };
    for k in meta.unique_keys.iter().filter(|k| !had(k)) {
        let cols: Vec<String> = k.columns.iter().map(|&j| name(j)).collect();
        let not_null: Vec<String> = cols.iter().map(|c| format!("{c} IS NOT NULL")).collect();
        probes.push(format!(
            "SELECT 1 FROM {view} AS `vdb_t` WHERE {} GROUP BY {} HAVING COUNT(*) > 1 LIMIT 1",
            not_null.join(" AND "),
            cols.join(", ")
        ));
    }
    for q in probes {
        // A view too large to ask about is copied instead (and the copy
        // says what the server would).
        match cx.up.query(&q) {
            Ok(rows) if rows.is_empty() => {}
            _ => return Ok(false),
        }
    }
    Ok(true)
}

/// The copy's error as the ALTER's: a NULL into a NOT NULL column, or a
/// string cut short in its own character set, is a truncation; a string
/// that is no number is a failed conversion. Others stay as they are.
fn as_alter_error(
    cx: &mut WriteContext,
    old: &TableMeta,
    new: &TableMeta,
    e: OverlayError,
) -> OverlayError {
    let OverlayError::Server { code, message, .. } = &e else {
        return e;
    };
    let alter = match code {
        1048 => null_truncated(cx, old, message),
        1265 | 1406 => not_a_number_at(cx, old, new, message).or_else(|| {
            (*code == 1406)
                .then(|| string_truncated(old, new, message))
                .flatten()
        }),
        1366 => not_a_number(message),
        1292 => as_datetime(new, message),
        _ => None,
    };
    alter.unwrap_or(e)
}

/// How many of a copy's truncations are worded with their values (the
/// server's default max_error_count).
const MAX_WORDED: usize = 64;

/// A string into a number column that the copy cut short (1265, or 1406
/// for BIT) as ALTER's conversion says it: 1292, naming the value of the
/// row (in key order) where it happened.
fn not_a_number_at(
    cx: &mut WriteContext,
    old: &TableMeta,
    new: &TableMeta,
    message: &str,
) -> Option<OverlayError> {
    let rest = message
        .strip_prefix("Data truncated for column '")
        .or_else(|| message.strip_prefix("Data too long for column '"))?;
    let (column, at) = rest.split_once("' at row ")?;
    let n: u64 = at.trim().parse().ok()?;
    let o = &old.columns[old.position(column)?];
    let to = &new.columns[new.position(column)?];
    if !is_string(&o.column.data_type) {
        return None;
    }
    let kind = match to.column.data_type.as_str() {
        "tinyint" | "smallint" | "mediumint" | "int" | "bigint" | "bit" => "INTEGER",
        "decimal" => "DECIMAL",
        "double" | "float" => "DOUBLE",
        _ => return None,
    };
    let key = old.identity()?;
    let order = key
        .iter()
        .map(|&i| quote_ident(&old.columns[i].name))
        .collect::<Vec<_>>()
        .join(", ");
    let q = format!(
        "SELECT {} FROM {} ORDER BY {order} LIMIT 1 OFFSET {}",
        quote_ident(&o.name),
        old.id.quoted(),
        n.saturating_sub(1)
    );
    let state = cx.delta.current();
    let q = super::rewrite_read(q.as_bytes(), &state, cx.db.as_deref(), None)
        .ok()?
        .unwrap_or(q);
    let rows = cx.up.query(&q).ok()?;
    let value = rows.first()?.first()?.as_deref()?;
    Some(server(
        1292,
        "22007",
        format!(
            "Truncated incorrect {kind} value: '{}'",
            String::from_utf8_lossy(value)
        ),
    ))
}

/// Whether a 1265 `message` of the copy is a DATETIME or TIMESTAMP value
/// cut to a DATE or TIME (which ALTER leaves as a note).
fn shortened_datetime(old: &TableMeta, new: &TableMeta, message: &str) -> bool {
    let column = message
        .strip_prefix("Data truncated for column '")
        .and_then(|r| r.split('\'').next());
    column.is_some_and(|c| {
        let from = old
            .position(c)
            .map(|i| old.columns[i].column.data_type.as_str());
        let to = new
            .position(c)
            .map(|i| new.columns[i].column.data_type.as_str());
        matches!(from, Some("datetime" | "timestamp")) && matches!(to, Some("date" | "time"))
    })
}

/// ALTER's copy into a DATE column words a value it cannot read as a
/// datetime's.
fn as_datetime(new: &TableMeta, message: &str) -> Option<OverlayError> {
    let rest = message.strip_prefix("Incorrect date value: ")?;
    let column = rest.split(" for column ").nth(1)?;
    let name = column.split('`').nth(5)?;
    (new.columns[new.position(name)?].column.data_type == "date")
        .then(|| server(1292, "22007", format!("Incorrect datetime value: {rest}")))
}

/// A NULL into a NOT NULL column (1048) as ALTER's 1265, naming the row
/// (in key order) where it happened.
fn null_truncated(cx: &mut WriteContext, old: &TableMeta, message: &str) -> Option<OverlayError> {
    let column = message
        .strip_prefix("Column '")
        .and_then(|m| m.strip_suffix("' cannot be null"))?;
    let row = old.identity().and_then(|k| {
        let key = |alias: &str| {
            k.iter()
                .map(|&i| format!("{alias}.{}", quote_ident(&old.columns[i].name)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        // The new column's values come from the old column of that name
        // (or of the name it had): the first NULL among the old rows.
        let source_col = &old.columns[old.position(column)?].name;
        let q = format!(
            "SELECT COUNT(*) FROM {t} AS `a` WHERE ({ka}) <= (SELECT {kb} FROM {t} AS `b` WHERE `b`.{c} IS NULL ORDER BY {kb} LIMIT 1)",
            t = old.id.quoted(),
            ka = key("`a`"),
            kb = key("`b`"),
            c = quote_ident(source_col)
        );
        let state = cx.delta.current();
        let q = super::rewrite_read(q.as_bytes(), &state, cx.db.as_deref(), None)
            .ok()?
            .unwrap_or(q);
        let rows = cx.up.query(&q).ok()?;
        std::str::from_utf8(rows.first()?.first()?.as_deref()?)
            .ok()?
            .parse::<u64>()
            .ok()
    });
    Some(server(
        1265,
        "01000",
        format!(
            "Data truncated for column '{column}' at row {}",
            row.unwrap_or(1)
        ),
    ))
}

/// A string too long for its column (1406) as ALTER's 1265 when it was a
/// string in the same character set; a number's text, or a string
/// converted, too long for its new column stays 1406 (`None`).
fn string_truncated(old: &TableMeta, new: &TableMeta, message: &str) -> Option<OverlayError> {
    let rest = message.strip_prefix("Data too long for column ")?;
    let column = rest.strip_prefix('\'')?.split('\'').next()?;
    let o = &old.columns[old.position(column)?];
    let n = &new.columns[new.position(column)?];
    // Into a CHAR the server's copy keeps the 1406.
    (is_string(&o.column.data_type)
        && n.column.data_type != "char"
        && o.column.charset == n.column.charset)
        .then(|| server(1265, "01000", format!("Data truncated for column {rest}")))
}

/// A string that is no number (1366) as ALTER's conversion says it
/// (1292).
fn not_a_number(message: &str) -> Option<OverlayError> {
    let (kind, rest) = message.strip_prefix("Incorrect ")?.split_once(" value: ")?;
    let kind = match kind {
        "integer" => "INTEGER",
        "decimal" => "DECIMAL",
        "double" => "DOUBLE",
        _ => return None,
    };
    let value = rest.split(" for column ").next().unwrap_or(rest);
    Some(server(
        1292,
        "22007",
        format!("Truncated incorrect {kind} value: {value}"),
    ))
}

/// What ALTER puts in a NOT NULL column without a default for rows that
/// existed before it.
fn implicit_default(c: &Column) -> &'static str {
    match c.data_type.as_str() {
        "date" => "'0000-00-00'",
        "datetime" | "timestamp" => "'0000-00-00 00:00:00'",
        "time" => "'00:00:00'",
        "year" => "0",
        "enum" => "1",
        _ if is_string(&c.data_type) => "''",
        "binary" | "varbinary" | "tinyblob" | "blob" | "mediumblob" | "longblob" => "''",
        _ => "0",
    }
}

/// RENAME TABLE a TO b, c TO d: each pair in turn.
pub fn rename(
    cx: &mut WriteContext,
    pairs: &[(TableName, TableName)],
    text: &str,
) -> Result<WriteOutcome, OverlayError> {
    for ((fs, f), (ts, t)) in pairs {
        let from = TableId {
            schema: schema_of(cx, fs)?,
            name: f.clone(),
        };
        let to = TableId {
            schema: schema_of(cx, ts)?,
            name: t.clone(),
        };
        let old = alterable(cx, &from, "RENAME TABLE")?;
        if exists(cx.up, cx.delta, &to)? {
            return Err(server(
                1050,
                "42S01",
                format!("Table '{}' already exists", to.name),
            ));
        }
        let mut meta = as_created(cx, &old)?;
        meta.triggers = carried_triggers(&old, &to)?;
        meta.id = to.clone();
        renamed_keys(&mut meta.foreign_keys, &from, &to);
        renamed_checks(&mut meta.checks, &from, &to);
        let from_cols: Vec<Option<usize>> = (0..meta.columns.len()).map(Some).collect();
        copy_into(
            cx,
            &old,
            meta,
            &from_cols,
            text,
            "RENAME TABLE",
            Vec::new(),
            Rows::Kept,
        )?;
        repoint_children(cx, &old, &to, &[], text, "RENAME TABLE")?;
    }
    Ok(WriteOutcome::default())
}

/// A renamed table's own foreign keys, `from` now `to`: each names the
/// new name as its table (and as the table it references, for a key on
/// itself).
fn renamed_keys(fks: &mut [crate::delta::ForeignKey], from: &TableId, to: &TableId) {
    if from == to {
        return;
    }
    let generated = format!("{}_ibfk_", from.name);
    for fk in fks {
        if fk.child == *from {
            fk.child = to.clone();
            // A name InnoDB made up (`t_ibfk_1`) follows the table's.
            if let Some(n) = fk.name.strip_prefix(&generated) {
                fk.name = format!("{}_ibfk_{n}", to.name);
            }
        }
        if fk.parent == *from {
            fk.parent = to.clone();
        }
    }
}

/// A renamed table's CHECK constraints, `from` now `to`: a column's own
/// is named `table.column` by the table's new name, as the server's
/// errors name it.
fn renamed_checks(checks: &mut [crate::delta::CheckConstraint], from: &TableId, to: &TableId) {
    for c in checks {
        if super::catalog::check_owner(&from.name, c).is_some() {
            c.name = format!("{}{}", to.name, &c.name[from.name.len()..]);
        }
    }
}

/// The tables whose foreign keys reference `old`, now `to` with its
/// columns `renamed` (old name, new name): their keys follow it, as the
/// server's do. A table of the delta gets the new definition; a source
/// table is redefined, its rows copied as they are (nothing is tested:
/// the server touches no row).
fn repoint_children(
    cx: &mut WriteContext,
    old: &TableMeta,
    to: &TableId,
    renamed: &[(String, String)],
    text: &str,
    kind: &str,
) -> Result<(), OverlayError> {
    let mut children: Vec<TableId> = old
        .referenced_by
        .iter()
        .map(|f| f.child.clone())
        .filter(|c| *c != old.id)
        .collect();
    children.sort();
    children.dedup();
    for child in children {
        let meta = load(cx.up, cx.delta, &child)?;
        let mut fks = meta.foreign_keys.clone();
        for fk in fks.iter_mut().filter(|f| f.parent == old.id) {
            fk.parent = to.clone();
            for c in &mut fk.parent_columns {
                if let Some((_, new)) = renamed.iter().find(|(o, _)| o.eq_ignore_ascii_case(c)) {
                    *c = new.clone();
                }
            }
        }
        if meta.created {
            let mut m = (*meta).clone();
            m.foreign_keys = fks;
            let m = Arc::new(m);
            let mut w = cx.delta.writer();
            w.next.schema.created.insert(child.clone(), m.clone());
            if let Some(t) = w.next.tables.get_mut(&child) {
                Arc::make_mut(t).meta = m;
            }
            w.commit();
        } else {
            let mut m = as_created(cx, &meta)?;
            m.foreign_keys = fks;
            let checks = std::mem::take(&mut m.checks);
            let from: Vec<Option<usize>> = (0..m.columns.len()).map(Some).collect();
            copy_into(cx, &meta, m, &from, text, kind, checks, Rows::Kept)?;
        }
    }
    Ok(())
}

/// TRUNCATE TABLE: no rows, and the AUTO_INCREMENT counter back at 1.
pub fn truncate(
    cx: &mut WriteContext,
    (schema, name): &TableName,
    text: &str,
) -> Result<WriteOutcome, OverlayError> {
    let id = TableId {
        schema: schema_of(cx, schema)?,
        name: name.clone(),
    };
    let old = alterable(cx, &id, "TRUNCATE TABLE")?;
    if let Some(fk) = old.referenced_by.iter().find(|f| f.child != id) {
        let cols = |v: &[String]| {
            v.iter()
                .map(|c| quote_ident(c))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(server(
            1701,
            "42000",
            format!(
                "Cannot truncate a table referenced in a foreign key constraint ({}, CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}))",
                fk.child.quoted(),
                quote_ident(&fk.name),
                cols(&fk.child_columns),
                fk.parent.quoted(),
                cols(&fk.parent_columns)
            ),
        ));
    }
    let Some(key) = old.delta_key() else {
        return unsupported(format!(
            "TRUNCATE TABLE of {id}, whose only unique keys take NULL"
        ));
    };
    let mut meta = as_created(cx, &old)?;
    meta.auto_increment = meta.auto_column().map(|_| 1);
    let meta = Arc::new(meta);
    let mut w = cx.delta.writer();
    if !old.created {
        w.next.schema.dropped.insert(id.clone());
    }
    w.next.schema.created.insert(id.clone(), meta.clone());
    w.next
        .tables
        .insert(id.clone(), Arc::new(TableDelta::new(meta, key)));
    w.next.schema.log.push(SchemaChange {
        kind: "TRUNCATE TABLE".into(),
        table: id,
        statement: Arc::from(text),
    });
    super::catalog::refresh(cx.up, cx.delta, &mut w)?;
    w.commit();
    Ok(WriteOutcome::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(data_type: &str, column_type: &str, charset: Option<&str>) -> Column {
        Column {
            data_type: data_type.into(),
            column_type: column_type.into(),
            charset: charset.map(String::from),
            collation: charset.map(|c| format!("{c}_general_ci")),
        }
    }

    #[test]
    fn convert_to_grows_text_types_to_hold_as_many_characters() {
        let column_in = |charset: &str, data_type: &str, column_type: &str| ColumnMeta {
            default_instant: None,
            name: "c".into(),
            column: col(data_type, column_type, Some(charset)),
            nullable: true,
            default: None,
            auto_increment: false,
            generated: None,
            comment: String::new(),
            on_update: None,
        };
        let column =
            |data_type: &str, column_type: &str| column_in("latin1", data_type, column_type);
        let into = |c: &ColumnMeta, cs: &str| {
            in_charset(c, cs, &format!("{cs}_general_ci"))
                .map(|c| c.column_type)
                .map_err(|e| format!("{e:?}"))
        };
        let to = |c: &ColumnMeta, from: u64, to: u64| match (from, to) {
            (1, 4) => into(c, "utf8mb4"),
            (4, 4) => into(
                &column_in("utf8mb4", &c.column.data_type, &c.column.column_type),
                "utf8mb4",
            ),
            (4, 1) => into(
                &column_in("utf8mb4", &c.column.data_type, &c.column.column_type),
                "latin1",
            ),
            other => panic!("{other:?}"),
        };
        // latin1 into utf8mb4, as MariaDB 10.11 grows them.
        assert_eq!(to(&column("tinytext", "tinytext"), 1, 4).unwrap(), "text");
        assert_eq!(to(&column("text", "text"), 1, 4).unwrap(), "mediumtext");
        assert_eq!(
            to(&column("mediumtext", "mediumtext"), 1, 4).unwrap(),
            "longtext"
        );
        assert_eq!(
            to(&column("longtext", "longtext"), 1, 4).unwrap(),
            "longtext"
        );
        // utf8mb4 into utf8mb4 (a new collation), or into latin1: as is.
        assert_eq!(to(&column("text", "text"), 4, 4).unwrap(), "text");
        assert_eq!(
            to(&column("tinytext", "tinytext"), 4, 1).unwrap(),
            "tinytext"
        );
        // VARCHAR keeps its length in characters, up to what a row holds.
        assert_eq!(
            to(&column("varchar", "varchar(16383)"), 1, 4).unwrap(),
            "varchar(16383)"
        );
        let err = to(&column("varchar", "varchar(20000)"), 1, 4).unwrap_err();
        assert!(err.contains("1074") && err.contains("max = 16383"), "{err}");
        assert_eq!(to(&column("enum", "enum('a')"), 1, 4).unwrap(), "enum('a')");
    }

    #[test]
    fn widening_keeps_values_and_anything_else_does_not() {
        let int = col("int", "int(11)", None);
        let big = col("bigint", "bigint(20)", None);
        let uint = col("int", "int(10) unsigned", None);
        let ubig = col("bigint", "bigint(20) unsigned", None);
        assert!(keeps_values(&int, &big));
        assert!(keeps_values(&uint, &big), "unsigned into a wider signed");
        assert!(!keeps_values(&big, &int), "narrowing");
        assert!(!keeps_values(&int, &ubig), "negative values");
        assert!(!keeps_values(&uint, &int));
        let zerofill = col("int", "int(10) unsigned zerofill", None);
        assert!(!keeps_values(&zerofill, &ubig), "padded text");
        let d = |t: &str| col("decimal", t, None);
        assert!(keeps_values(&d("decimal(6,2)"), &d("decimal(10,2)")));
        assert!(
            !keeps_values(&d("decimal(6,2)"), &d("decimal(10,3)")),
            "scale shows"
        );
        assert!(!keeps_values(&d("decimal(6,2)"), &d("decimal(5,2)")));
        let s = |dt: &str, t: &str| col(dt, t, Some("utf8mb4"));
        assert!(keeps_values(
            &s("varchar", "varchar(10)"),
            &s("varchar", "varchar(300)")
        ));
        assert!(keeps_values(
            &s("char", "char(5)"),
            &s("varchar", "varchar(5)")
        ));
        assert!(keeps_values(
            &s("varchar", "varchar(40)"),
            &s("text", "text")
        ));
        assert!(
            !keeps_values(&s("varchar", "varchar(5)"), &s("char", "char(5)")),
            "CHAR strips trailing spaces"
        );
        assert!(
            !keeps_values(&s("varchar", "varchar(20000)"), &s("text", "text")),
            "65535 bytes hold 16383 characters"
        );
        let latin = col("varchar", "varchar(300)", Some("latin1"));
        assert!(
            !keeps_values(&s("varchar", "varchar(10)"), &latin),
            "another character set"
        );
        let b = |dt: &str, t: &str| col(dt, t, None);
        assert!(keeps_values(
            &b("varbinary", "varbinary(8)"),
            &b("blob", "blob")
        ));
        assert!(
            !keeps_values(&b("varbinary", "varbinary(8)"), &b("binary", "binary(8)")),
            "BINARY pads"
        );
        assert!(!keeps_values(&int, &s("varchar", "varchar(20)")));
    }

    #[test]
    fn a_narrowing_keeps_the_values_that_fit_and_says_which() {
        let int = col("int", "int(11)", None);
        let small = col("smallint", "smallint(6)", None);
        let usmall = col("smallint", "smallint(5) unsigned", None);
        let fits = |a: &Column, b: &Column| kept_if(a, b).flatten();
        assert_eq!(
            fits(&int, &small).as_deref(),
            Some("{c} BETWEEN -32768 AND 32767")
        );
        assert_eq!(
            fits(&int, &usmall).as_deref(),
            Some("{c} BETWEEN 0 AND 65535")
        );
        let d = |t: &str| col("decimal", t, None);
        assert_eq!(
            fits(&d("decimal(10,2)"), &d("decimal(6,2)")).as_deref(),
            Some("{c} BETWEEN -9999.99 AND 9999.99")
        );
        assert_eq!(
            fits(&d("decimal(10,2)"), &d("decimal(2,2) unsigned")).as_deref(),
            Some("{c} BETWEEN 0 AND 0.99")
        );
        assert_eq!(
            kept_if(&d("decimal(10,2)"), &d("decimal(6,1)")),
            None,
            "rounds"
        );
        let s = |dt: &str, t: &str| col(dt, t, Some("utf8mb4"));
        assert_eq!(
            fits(&s("varchar", "varchar(300)"), &s("varchar", "varchar(10)")).as_deref(),
            Some("CHAR_LENGTH({c}) <= 10")
        );
        assert_eq!(
            fits(&s("longtext", "longtext"), &s("text", "text")).as_deref(),
            Some("LENGTH({c}) <= 65535"),
            "TEXT holds bytes"
        );
        assert_eq!(
            kept_if(&s("varchar", "varchar(300)"), &s("char", "char(10)")),
            None,
            "CHAR pads"
        );
        assert_eq!(kept_if(&int, &s("varchar", "varchar(20)")), None);
    }

    #[test]
    fn a_conversion_that_keeps_each_value_is_read_through_sql() {
        let int = col("int", "int(11)", None);
        let s = |dt: &str, t: &str, cs: &str| {
            let mut c = col(dt, t, Some(cs));
            c.collation = Some(format!("{cs}_general_ci"));
            c
        };
        let (read, fits) = converted(&int, &s("varchar", "varchar(5)", "utf8mb4")).unwrap();
        assert_eq!(
            read,
            "CAST({c} AS CHAR CHARACTER SET utf8mb4) COLLATE utf8mb4_general_ci"
        );
        assert_eq!(fits.as_deref(), Some("CHAR_LENGTH({c}) <= 5"));
        assert_eq!(
            converted(&int, &s("text", "text", "utf8mb4")).unwrap().1,
            None,
            "every integer fits"
        );
        let (read, fits) = converted(&int, &col("decimal", "decimal(6,2)", None)).unwrap();
        assert_eq!(read, "CAST({c} AS DECIMAL(6,2))");
        assert_eq!(fits.as_deref(), Some("{c} BETWEEN -9999.99 AND 9999.99"));
        let dt = |t: &str| {
            col(
                if t.starts_with("date(") || t == "date" {
                    "date"
                } else {
                    "datetime"
                },
                t,
                None,
            )
        };
        assert_eq!(
            converted(&dt("datetime"), &dt("datetime(3)")).unwrap().0,
            "CAST({c} AS DATETIME(3))"
        );
        assert_eq!(
            converted(&dt("date"), &dt("datetime")).unwrap().0,
            "CAST({c} AS DATETIME(0))"
        );
        assert!(
            converted(&dt("datetime(6)"), &dt("datetime")).is_none(),
            "rounds"
        );
        // A string into utf8mb4, from a character set it holds.
        let (read, fits) = converted(
            &s("varchar", "varchar(20)", "latin1"),
            &s("varchar", "varchar(10)", "utf8mb4"),
        )
        .unwrap();
        assert_eq!(
            read,
            "CONVERT({c} USING utf8mb4) COLLATE utf8mb4_general_ci"
        );
        assert_eq!(fits.as_deref(), Some("CHAR_LENGTH({c}) <= 10"));
        assert_eq!(
            converted(&s("text", "text", "latin1"), &s("text", "text", "utf8mb4"))
                .unwrap()
                .1
                .as_deref(),
            Some("LENGTH({c}) <= 65535"),
            "a character may take more bytes"
        );
        assert!(
            converted(
                &s("varchar", "varchar(20)", "utf8mb4"),
                &s("varchar", "varchar(20)", "latin1")
            )
            .is_none(),
            "latin1 lacks characters"
        );
        let mut bin = s("varchar", "varchar(20)", "utf8mb4");
        bin.collation = Some("utf8mb4_bin".into());
        assert_eq!(
            converted(&s("varchar", "varchar(20)", "utf8mb4"), &bin).unwrap(),
            ("{c} COLLATE utf8mb4_bin".to_string(), None)
        );
        assert!(converted(&s("varchar", "varchar(20)", "utf8mb4"), &int).is_none());
    }

    #[test]
    fn an_enum_or_set_keeps_its_values_when_members_are_added_at_the_end() {
        let e = |t: &str| col("enum", t, Some("utf8mb4"));
        assert!(keeps_values(&e("enum('a','b')"), &e("enum('a','b','c')")));
        assert!(
            !keeps_values(&e("enum('a','b')"), &e("enum('c','a','b')")),
            "renumbered"
        );
        assert!(!keeps_values(&e("enum('a','b')"), &e("enum('a','bc')")));
        assert!(!converts(
            &e("enum('a','b')"),
            &e("enum('a','b','c')"),
            true
        ));
        let set = |t: &str| col("set", t, Some("utf8mb4"));
        let eight = "set('1','2','3','4','5','6','7','8')";
        assert!(!converts(&set("set('1','2')"), &set(eight), true));
        assert!(
            converts(
                &set(eight),
                &set("set('1','2','3','4','5','6','7','8','9')"),
                true
            ),
            "a ninth member takes a second byte"
        );
        assert_eq!(members("enum('a''b','c\\\\','d,e')"), 3);
    }

    #[test]
    fn mariadb_extends_a_varchar_in_place_across_the_length_prefix() {
        let s = |t: &str| col("varchar", t, Some("utf8mb4"));
        assert!(!converts(&s("varchar(10)"), &s("varchar(300)"), true));
        assert!(converts(&s("varchar(10)"), &s("varchar(300)"), false));
        assert!(!converts(&s("varchar(10)"), &s("varchar(60)"), false));
        assert!(converts(&s("varchar(60)"), &s("varchar(10)"), true));
    }
}

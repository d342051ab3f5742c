//! Table definitions read from the source's information_schema, the first
//! time a statement writes to a table (cached in the delta afterwards: vdb
//! never changes a source definition).

use std::sync::Arc;

use crate::delta::{
    CheckConstraint, ColumnMeta, Delta, FkRule, ForeignKey, Generated, TableId, TableMeta, Trigger,
    UniqueKey,
};
use crate::sql::ddl::KeyOptions;
use crate::sql::literal::Column;
use crate::sql::rewrite::quote_ident;
use crate::upstream::Upstream;

use super::OverlayError;

/// A string as an SQL literal no sql_mode or charset can misread.
pub fn text_literal(s: &str) -> String {
    let mut out = String::from("_utf8mb4 X'");
    for b in s.bytes() {
        out.push_str(&format!("{b:02X}"));
    }
    out.push('\'');
    out
}

/// The server's error for a table that does not exist (1146).
pub fn no_such_table(id: &TableId) -> OverlayError {
    OverlayError::Server {
        code: 1146,
        state: "42S02".into(),
        message: format!("Table '{}.{}' doesn't exist", id.schema, id.name),
    }
}

/// A source table's non-unique indexes, in the order the server lists
/// them: (name, column names in index order, options). Its definition
/// ([`load`]) knows only its unique keys.
pub fn source_plain_indexes(
    up: &mut Upstream,
    id: &TableId,
) -> Result<Vec<(String, Vec<String>, KeyOptions)>, OverlayError> {
    source_keys(up, id, false)
}

/// A source table's unique (or non-unique) keys as SHOW INDEX lists them:
/// name, column names, and options (Index_comment, and `USING BTREE`,
/// which only SHOW CREATE TABLE tells: asked once, when there is a key).
fn source_keys(
    up: &mut Upstream,
    id: &TableId,
    unique: bool,
) -> Result<Vec<(String, Vec<String>, KeyOptions)>, OverlayError> {
    let index = up.query(&format!("SHOW INDEX FROM {}", id.quoted()))?;
    keys_of(up, id, &index, unique)
}

/// [`source_keys`] from the rows of SHOW INDEX.
fn keys_of(
    up: &mut Upstream,
    id: &TableId,
    index: &crate::upstream::Rows,
    unique: bool,
) -> Result<Vec<(String, Vec<String>, KeyOptions)>, OverlayError> {
    let mut out: Vec<(String, Vec<String>, KeyOptions)> = Vec::new();
    let mut btree: Option<Vec<String>> = None;
    for r in index {
        if (text(&r[1]) == "0") != unique {
            continue;
        }
        let (name, column) = (text(&r[2]), text(&r[4]));
        match out.iter_mut().find(|(n, _, _)| *n == name) {
            Some((_, cols, _)) => cols.push(column),
            None => {
                let btree = match &btree {
                    Some(b) => b,
                    None => btree.insert(using_btree(up, id)?),
                };
                let options = KeyOptions {
                    btree: btree.contains(&name),
                    comment: r.get(12).map(text).unwrap_or_default(),
                };
                out.push((name, vec![column], options));
            }
        }
    }
    Ok(out)
}

/// The keys of a source table whose definition says `USING BTREE`.
fn using_btree(up: &mut Upstream, id: &TableId) -> Result<Vec<String>, OverlayError> {
    let rows = up.query(&format!("SHOW CREATE TABLE {}", id.quoted()))?;
    let create = rows
        .first()
        .and_then(|r| r.get(1))
        .map(text)
        .unwrap_or_default();
    Ok(btree_keys(&create))
}

/// The names of the keys SHOW CREATE TABLE's text prints with `USING
/// BTREE` (`PRIMARY` for the primary key).
pub fn btree_keys(create: &str) -> Vec<String> {
    use crate::sql::lexer::{lex, Kind, LexMode};
    let mode = LexMode::default();
    let mut out = Vec::new();
    for line in create.lines().map(str::trim_start) {
        let name = if line.starts_with("PRIMARY KEY ") {
            Some("PRIMARY".to_string())
        } else {
            ["UNIQUE KEY ", "KEY "]
                .iter()
                .find_map(|p| line.strip_prefix(p))
                .and_then(|rest| {
                    let b = rest.as_bytes();
                    let first = *lex(b, mode).tokens.first()?;
                    (first.kind == Kind::QuotedIdent)
                        .then(|| first.name(b, mode))
                        .flatten()
                })
        };
        // `(...) USING BTREE`, before any COMMENT.
        let using = line
            .find(") USING BTREE")
            .is_some_and(|at| !line[..at].contains(" COMMENT '"));
        if let (Some(n), true) = (name, using) {
            out.push(n);
        }
    }
    out
}

/// A text value read from the source ('' for NULL).
pub fn text(v: &Option<Vec<u8>>) -> String {
    v.as_deref()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default()
}

/// The table's definition, from the schema delta, the cache or the source.
/// A table the source does not have gets the source's own error (1146,
/// 1046). Foreign keys of tables created through vdb that reference it are
/// among its `referenced_by`; those of dropped tables are not.
pub fn load(
    up: &mut Upstream,
    delta: &Delta,
    id: &TableId,
) -> Result<Arc<TableMeta>, OverlayError> {
    let meta = definition(up, delta, id)?;
    let state = delta.current();
    if state.schema.is_empty() {
        return Ok(meta);
    }
    let schema = &state.schema;
    let gone = |fk: &crate::delta::ForeignKey| schema.is_dropped(&fk.child);
    let mut referenced_by: Vec<crate::delta::ForeignKey> = meta
        .referenced_by
        .iter()
        .filter(|fk| !gone(fk))
        // A child redefined through vdb says itself what it references.
        .filter(|fk| !schema.created.contains_key(&fk.child))
        .cloned()
        .collect();
    let mut children: Vec<&Arc<TableMeta>> = schema.created.values().collect();
    children.sort_by(|a, b| a.id.cmp(&b.id));
    // InnoDB checks the constraints added last first.
    let newer: Vec<crate::delta::ForeignKey> = children
        .iter()
        .flat_map(|child| {
            child
                .foreign_keys
                .iter()
                .filter(|fk| fk.parent == *id)
                .cloned()
        })
        .collect();
    referenced_by.splice(0..0, newer);
    // (A child's ALTER may rename the columns of a key it keeps.)
    let same = referenced_by == meta.referenced_by;
    if same {
        return Ok(meta);
    }
    let mut m = (*meta).clone();
    m.referenced_by = referenced_by;
    Ok(Arc::new(m))
}

fn definition(
    up: &mut Upstream,
    delta: &Delta,
    id: &TableId,
) -> Result<Arc<TableMeta>, OverlayError> {
    let state = delta.current();
    if let Some(m) = state.schema.created.get(id) {
        return Ok(m.clone());
    }
    if state.schema.is_dropped(id) {
        return Err(no_such_table(id));
    }
    if let Some(m) = delta.cached_meta(id) {
        return Ok(m);
    }
    let where_table = format!(
        "TABLE_SCHEMA = {} AND TABLE_NAME = {}",
        text_literal(&id.schema),
        text_literal(&id.name)
    );
    let tables = up.query(&format!(
        "SELECT TABLE_TYPE, AUTO_INCREMENT, TABLE_COMMENT, CREATE_OPTIONS, TABLE_ROWS FROM information_schema.TABLES \
         WHERE {where_table}"
    ))?;
    let Some(trow) = tables.first() else {
        // Let the source word the error.
        up.query(&format!("SELECT 1 FROM {} LIMIT 0", id.quoted()))?;
        return Err(OverlayError::Unsupported(format!("writing to {id}")));
    };
    if text(&trow[0]) != "BASE TABLE" {
        return Err(OverlayError::Unsupported(format!(
            "writing through {} {id}",
            text(&trow[0]).to_lowercase()
        )));
    }
    let number = |v: &Option<Vec<u8>>| -> Option<u64> {
        std::str::from_utf8(v.as_deref()?).ok()?.parse().ok()
    };
    let auto_increment = number(&trow[1]);
    let estimated_rows = trow.get(4).and_then(number);
    let cols = up.query(&format!(
        "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, CHARACTER_SET_NAME, COLLATION_NAME, \
         IS_NULLABLE, COLUMN_DEFAULT, EXTRA, GENERATION_EXPRESSION, COLUMN_COMMENT \
         FROM information_schema.COLUMNS \
         WHERE {where_table} \
         ORDER BY ORDINAL_POSITION"
    ))?;
    let mut columns: Vec<ColumnMeta> = cols
        .iter()
        .map(|r| {
            let extra = text(&r[7]).to_ascii_lowercase();
            ColumnMeta {
                default_instant: None,
                name: text(&r[0]),
                column: Column {
                    data_type: text(&r[1]).to_ascii_lowercase(),
                    column_type: text(&r[2]).to_ascii_lowercase(),
                    charset: r[3].as_ref().map(|_| text(&r[3])),
                    collation: r[4].as_ref().map(|_| text(&r[4])),
                },
                nullable: text(&r[5]) == "YES",
                default: r[6].as_ref().map(|_| text(&r[6])),
                auto_increment: extra.contains("auto_increment"),
                generated: r[8].as_ref().filter(|e| !e.is_empty()).map(|_| Generated {
                    expr: text(&r[8]),
                    stored: extra.contains("stored") || extra.contains("persistent"),
                }),
                comment: text(&r[9]),
                on_update: extra
                    .strip_prefix("on update ")
                    .or_else(|| extra.split_once(" on update ").map(|(_, u)| u))
                    .map(|u| u.trim().to_string()),
            }
        })
        .collect();
    default_instants(up, &mut columns)?;
    let position = |name: &str| {
        columns
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(name))
    };
    // SHOW INDEX lists keys in the order the server checks them.
    let index = up.query(&format!("SHOW INDEX FROM {}", id.quoted()))?;
    let mut source_indexes: Vec<usize> = index
        .iter()
        .filter(|r| text(&r[1]) != "0")
        .filter_map(|r| position(&text(&r[4])))
        .collect();
    source_indexes.sort_unstable();
    source_indexes.dedup();
    let unique_keys: Vec<UniqueKey> = keys_of(up, id, &index, true)?
        .into_iter()
        .filter_map(|(name, names, options)| {
            let columns: Vec<usize> = names.iter().filter_map(|n| position(n)).collect();
            (!columns.is_empty()).then_some(UniqueKey {
                name,
                columns,
                options,
            })
        })
        .collect();
    let fks = up.query(&format!(
        "SELECT k.CONSTRAINT_NAME, k.TABLE_SCHEMA, k.TABLE_NAME, k.COLUMN_NAME, \
         k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, \
         r.UPDATE_RULE, r.DELETE_RULE \
         FROM information_schema.KEY_COLUMN_USAGE k \
         JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
           ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
          AND r.TABLE_NAME = k.TABLE_NAME \
         WHERE k.REFERENCED_TABLE_NAME IS NOT NULL AND ((k.TABLE_SCHEMA = {s} AND k.TABLE_NAME = {t}) \
            OR (k.REFERENCED_TABLE_SCHEMA = {s} AND k.REFERENCED_TABLE_NAME = {t})) \
         ORDER BY k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION",
        s = text_literal(&id.schema),
        t = text_literal(&id.name)
    ))?;
    let mut all: Vec<ForeignKey> = Vec::new();
    for r in &fks {
        let child = TableId {
            schema: text(&r[1]),
            name: text(&r[2]),
        };
        let name = text(&r[0]);
        let fk = match all.iter_mut().find(|f| f.name == name && f.child == child) {
            Some(f) => f,
            None => {
                all.push(ForeignKey {
                    name,
                    child,
                    child_columns: Vec::new(),
                    parent: TableId {
                        schema: text(&r[4]),
                        name: text(&r[5]),
                    },
                    parent_columns: Vec::new(),
                    on_update: FkRule::parse(&text(&r[7])),
                    on_delete: FkRule::parse(&text(&r[8])),
                });
                all.last_mut().expect("just pushed")
            }
        };
        fk.child_columns.push(text(&r[3]));
        fk.parent_columns.push(text(&r[6]));
    }
    let foreign_keys = all.iter().filter(|f| &f.child == id).cloned().collect();
    let referenced_by = all.iter().filter(|f| &f.parent == id).cloned().collect();
    let checks = if up.info.version.contains("MariaDB") {
        up.query(&format!(
            "SELECT CONSTRAINT_NAME, CHECK_CLAUSE, LEVEL FROM information_schema.CHECK_CONSTRAINTS \
             WHERE CONSTRAINT_SCHEMA = {} AND TABLE_NAME = {}",
            text_literal(&id.schema),
            text_literal(&id.name)
        ))?
        .iter()
        .map(|r| CheckConstraint {
            // Column-level constraints are reported as `table.column`.
            name: if text(&r[2]) == "Column" {
                format!("{}.{}", id.name, text(&r[0]))
            } else {
                text(&r[0])
            },
            clause: text(&r[1]),
        })
        .collect()
    } else {
        Vec::new()
    };
    let triggers = triggers(up, id)?;
    let meta = Arc::new(TableMeta {
        id: id.clone(),
        columns,
        unique_keys,
        foreign_keys,
        referenced_by,
        checks,
        auto_increment,
        triggers,
        created: false,
        indexes: Vec::new(),
        collation: None,
        comment: text(&trow[2]),
        // CREATE_OPTIONS names an explicit one: `row_format=DYNAMIC`.
        row_format: text(&trow[3])
            .split_whitespace()
            .find_map(|o| o.strip_prefix("row_format="))
            .map(|f| f.to_ascii_uppercase()),
        estimated_rows,
        source_indexes,
    });
    delta.cache_meta(meta.clone());
    Ok(meta)
}

/// A table's triggers in firing order, each with why vdb cannot run it, if
/// it cannot (see [`judge_triggers`]).
fn triggers(up: &mut Upstream, id: &TableId) -> Result<Vec<Trigger>, OverlayError> {
    let rows = up.query(&format!(
        "SELECT TRIGGER_NAME, EVENT_MANIPULATION, ACTION_TIMING, ACTION_STATEMENT, ACTION_ORDER, \
         CREATED, SQL_MODE, DEFINER, CHARACTER_SET_CLIENT, COLLATION_CONNECTION, DATABASE_COLLATION \
         FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = {} AND EVENT_OBJECT_TABLE = {} \
         ORDER BY EVENT_MANIPULATION, ACTION_TIMING, ACTION_ORDER",
        text_literal(&id.schema),
        text_literal(&id.name)
    ))?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let name = text(&r[0]);
        // The text the server keeps, which the catalog shows and the patch
        // runs (a table's triggers are few: one question each).
        let statement = up
            .query(&format!(
                "SHOW CREATE TRIGGER {}.{}",
                quote_ident(&id.schema),
                quote_ident(&name)
            ))?
            .first()
            .map(|r| text(&r[2]))
            .unwrap_or_default();
        out.push(Trigger {
            name,
            event: text(&r[1]).to_ascii_uppercase(),
            before: text(&r[2]).eq_ignore_ascii_case("BEFORE"),
            body: text(&r[3]),
            blocked: None,
            order: text(&r[4]).parse().unwrap_or(1),
            statement,
            created: r[5]
                .as_ref()
                .map(|v| String::from_utf8_lossy(v).into_owned()),
            sql_mode: text(&r[6]),
            definer: text(&r[7]),
            charset_client: text(&r[8]),
            collation_connection: text(&r[9]),
            database_collation: text(&r[10]),
            implicit_definer: false,
        });
    }
    judge_triggers(up, id, &mut out)?;
    Ok(out)
}

/// Why a body that reads tables cannot run over the merged view: vdb
/// cannot find the tables it reads, or it reads its own table (whose rows
/// the statement writes as it goes, which the block computing them does
/// not see).
fn read_blocked(table: &TableId, body: &str) -> Option<String> {
    if !crate::sql::trigger::reads_tables(body) {
        return None;
    }
    match crate::sql::tables::table_refs(body) {
        Err(_) => Some("vdb cannot read the tables its body reads".into()),
        Ok(refs) => refs
            .iter()
            .any(|r| {
                r.name.eq_ignore_ascii_case(&table.name)
                    && r.schema.as_deref().unwrap_or(&table.schema) == table.schema
            })
            .then(|| "its body reads its own table".into()),
    }
}

/// Why vdb cannot run a trigger's body a step at a time (see
/// [`crate::sql::trigger::program`]; an AFTER trigger, or a BEFORE one
/// that writes tables), or None. A write of its own table is left to fail
/// as the server fails it when it fires (1442); a read of it is refused
/// (the statement's later rows would be seen). A BEFORE trigger that
/// writes may not also set NEW columns (its steps run once the row is
/// computed).
fn stepped_blocked(table: &TableId, t: &Trigger) -> Option<String> {
    use crate::sql::trigger::{program, row_references, step_texts};
    let body = t.body.as_str();
    let steps = match program(body) {
        Ok(steps) => steps,
        Err(why) => return Some(why),
    };
    if t.before && row_references(body).iter().any(|r| r.assigned) {
        return Some("its body writes tables and sets NEW columns".into());
    }
    step_texts(&steps).into_iter().find_map(|(text, write)| {
        let own_write = write
            && match crate::sql::write::parse_write(text.as_bytes(), Default::default()) {
                Ok(crate::sql::write::Write::Insert(i)) => names(table, &i.table),
                Ok(crate::sql::write::Write::Update(u)) => names(table, &u.table),
                Ok(crate::sql::write::Write::Delete(d)) => names(table, &d.table),
                _ => false,
            };
        if own_write {
            None
        } else {
            read_blocked(table, text)
        }
    })
}

/// Whether `name` (as a statement writes it) is `table`.
fn names(table: &TableId, name: &crate::sql::write::TableName) -> bool {
    name.name.eq_ignore_ascii_case(&table.name)
        && name.schema.as_deref().unwrap_or(&table.schema) == table.schema
}

/// Sets why vdb cannot run each of `table`'s `triggers`, if it cannot (see
/// [`crate::sql::trigger`]): it fires AFTER the write, its body writes
/// tables or reads its own table, or it calls a stored routine of the
/// table's database.
pub fn judge_triggers(
    up: &mut Upstream,
    table: &TableId,
    triggers: &mut [Trigger],
) -> Result<(), OverlayError> {
    let schema = table.schema.as_str();
    // What each trigger that could run calls: one question to the source
    // says which of those names are the database's stored routines.
    let mut calls = Vec::with_capacity(triggers.len());
    for t in triggers.iter_mut() {
        t.blocked = if t.stepped() {
            stepped_blocked(table, t)
        } else {
            read_blocked(table, &t.body)
        };
        calls.push(match t.blocked {
            None => crate::sql::trigger::called(&t.body),
            Some(_) => Vec::new(),
        });
    }
    let mut names: Vec<String> = calls.iter().flatten().map(|n| text_literal(n)).collect();
    if names.is_empty() {
        return Ok(());
    }
    names.sort();
    names.dedup();
    let routines: Vec<String> = up
        .query(&format!(
            "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = {} \
             AND LOWER(ROUTINE_NAME) IN ({})",
            text_literal(schema),
            names.join(", ")
        ))?
        .iter()
        .map(|r| text(&r[0]))
        .collect();
    for (t, called) in triggers.iter_mut().zip(&calls) {
        if let Some(routine) = routines.iter().find(|r| called.contains(&r.to_lowercase())) {
            t.blocked = Some(format!("it calls the stored routine {routine}"));
        }
    }
    Ok(())
}

/// Fixes, in one query, the instant of each TIMESTAMP column's default
/// that is a time and has none yet (see [`ColumnMeta::default_instant`]):
/// in `up`'s session's time zone, that of the session defining the
/// default, or reading the source's definition (which shows it in that
/// zone).
pub(super) fn default_instants(
    up: &mut Upstream,
    columns: &mut [ColumnMeta],
) -> Result<(), OverlayError> {
    let time = |d: &str| {
        d.len() > 2
            && d.starts_with('\'')
            && d.ends_with('\'')
            && d[1..d.len() - 1]
                .bytes()
                .all(crate::sql::literal::temporal_byte)
    };
    let which: Vec<usize> = (0..columns.len())
        .filter(|&i| {
            let c = &columns[i];
            c.column.data_type == "timestamp"
                && c.default_instant.is_none()
                && c.default.as_deref().is_some_and(time)
        })
        .collect();
    if which.is_empty() {
        return Ok(());
    }
    let items: Vec<String> = which
        .iter()
        .map(|&i| {
            format!(
                "UNIX_TIMESTAMP({})",
                columns[i].default.as_deref().unwrap_or("NULL")
            )
        })
        .collect();
    let rows = up.query(&format!("SELECT {}", items.join(", ")))?;
    if let Some(row) = rows.into_iter().next() {
        for (v, &i) in row.into_iter().zip(&which) {
            columns[i].default_instant = v.and_then(|b| String::from_utf8(b).ok());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_printed_with_using_btree_are_found_in_show_create_table() {
        let create =
            "CREATE TABLE `t` (\n  `id` int(11) NOT NULL,\n  `a` int(11) DEFAULT NULL,\n  \
            `b` int(11) DEFAULT NULL,\n  PRIMARY KEY (`id`) USING BTREE,\n  \
            UNIQUE KEY `u``q` (`a`) USING BTREE COMMENT 'x',\n  KEY `plain` (`b`),\n  \
            KEY `c` (`b`) COMMENT ') USING BTREE'\n) ENGINE=InnoDB";
        assert_eq!(btree_keys(create), ["PRIMARY", "u`q"]);
    }
}

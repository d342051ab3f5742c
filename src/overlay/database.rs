//! Captured CREATE DATABASE and DROP DATABASE.
//!
//! A database created through vdb exists only in the schema delta
//! ([`crate::delta::SchemaDelta::databases`]): its tables are created
//! tables, the catalog lists it, and a session may make it its default
//! database (the session then keeps its source connection without one, so
//! that a name vdb does not resolve can never silently read another
//! database). Dropping a source database drops each of its tables as DROP
//! TABLE would and hides the database; dropping a created one forgets it
//! and its tables.

use std::sync::Arc;

use crate::delta::{DatabaseDef, DeltaState, SchemaChange, TableId};
use crate::sql::ddl::CreateDatabase;
use crate::upstream::Upstream;

use super::ddl::server;
use super::meta::{load, text, text_literal};
use super::write::{WriteContext, WriteOutcome};
use super::OverlayError;

/// Whether the database exists in the merged schema: created through vdb,
/// or at the source and not dropped. Names compare exactly, as database
/// names do on Linux.
pub fn exists(up: &mut Upstream, state: &DeltaState, name: &str) -> Result<bool, OverlayError> {
    if state.schema.is_virtual_database(name) {
        return Ok(true);
    }
    if state.schema.dropped_databases.contains(name) {
        return Ok(false);
    }
    Ok(!up
        .query(&format!(
            "SELECT 1 FROM information_schema.SCHEMATA WHERE BINARY SCHEMA_NAME = {}",
            text_literal(name)
        ))?
        .is_empty())
}

/// The server's 1049 for a database that does not exist.
pub fn unknown(name: &str) -> OverlayError {
    server(1049, "42000", format!("Unknown database '{name}'"))
}

/// The database's default character set and collation; 1049 when it does
/// not exist.
pub fn defaults(
    up: &mut Upstream,
    state: &DeltaState,
    name: &str,
) -> Result<(String, String), OverlayError> {
    let d = definition(up, state, name)?;
    Ok((d.charset, d.collation))
}

/// The database's defaults and comment, vdb's or the source's; 1049 when
/// it does not exist.
fn definition(
    up: &mut Upstream,
    state: &DeltaState,
    name: &str,
) -> Result<DatabaseDef, OverlayError> {
    if let Some(d) = state
        .schema
        .databases
        .get(name)
        .or_else(|| state.schema.altered_databases.get(name))
    {
        return Ok(d.clone());
    }
    if state.schema.dropped_databases.contains(name) {
        return Err(unknown(name));
    }
    let rows = up.query(&format!(
        "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME, SCHEMA_COMMENT \
         FROM information_schema.SCHEMATA WHERE BINARY SCHEMA_NAME = {}",
        text_literal(name)
    ))?;
    match rows.first() {
        Some(r) => Ok(DatabaseDef {
            charset: text(&r[0]),
            collation: text(&r[1]),
            comment: text(&r[2]),
        }),
        None => Err(unknown(name)),
    }
}

/// A CREATE DATABASE's character set and collation, checked as the server
/// checks them: 1115 for an unknown character set, 1273 for an unknown
/// collation, 1253 for a collation of another character set; the server's
/// defaults when neither is given.
fn charset_and_collation(
    up: &mut Upstream,
    charset: &Option<String>,
    collation: &Option<String>,
) -> Result<(String, String), OverlayError> {
    match super::charset::resolve(up, charset.as_deref(), collation.as_deref())? {
        Some(resolved) => Ok(resolved),
        None => {
            let rows = up.query("SELECT @@character_set_server, @@collation_server")?;
            let r = rows.first().ok_or_else(|| {
                OverlayError::Unsupported("a source that does not report its character set".into())
            })?;
            Ok((text(&r[0]), text(&r[1])))
        }
    }
}

/// The longest database comment the server keeps.
const MAX_COMMENT: usize = 1024;

/// A database COMMENT as the server takes it: error 4144 beyond 1024
/// characters.
fn checked_comment(name: &str, comment: &Option<String>) -> Result<Option<String>, OverlayError> {
    match comment {
        Some(c) if c.chars().count() > MAX_COMMENT => Err(server(
            4144,
            "HY000",
            format!("Comment for database '{name}' is too long (max = {MAX_COMMENT})"),
        )),
        c => Ok(c.clone()),
    }
}

/// The server's 1102 for a name it would not give a database.
fn check_name(name: &str) -> Result<(), OverlayError> {
    if name.is_empty() || name.ends_with(' ') || name.chars().count() > 64 {
        return Err(server(
            1102,
            "42000",
            format!("Incorrect database name '{name}'"),
        ));
    }
    Ok(())
}

/// The log entry of a statement about a whole database (no table name).
fn logged(kind: &str, name: &str, text: &str) -> SchemaChange {
    SchemaChange {
        kind: kind.into(),
        table: TableId {
            schema: name.into(),
            name: String::new(),
        },
        statement: Arc::from(text),
    }
}

/// Runs a captured CREATE DATABASE: 1 row affected, as the server counts
/// it; with IF NOT EXISTS over an existing database, nothing.
pub fn create(
    cx: &mut WriteContext,
    c: &CreateDatabase,
    text: &str,
) -> Result<WriteOutcome, OverlayError> {
    check_name(&c.name)?;
    let state = cx.delta.current();
    if exists(cx.up, &state, &c.name)? {
        if c.if_not_exists {
            return Ok(WriteOutcome::noted(
                1007,
                format!("Can't create database '{}'; database exists", c.name),
            ));
        }
        return Err(server(
            1007,
            "HY000",
            format!("Can't create database '{}'; database exists", c.name),
        ));
    }
    let (charset, collation) = charset_and_collation(cx.up, &c.charset, &c.collation)?;
    let comment = checked_comment(&c.name, &c.comment)?.unwrap_or_default();
    let mut w = cx.delta.writer();
    w.next.schema.databases.insert(
        c.name.clone(),
        DatabaseDef {
            charset,
            collation,
            comment,
        },
    );
    w.next
        .schema
        .log
        .push(logged("CREATE DATABASE", &c.name, text));
    super::catalog::refresh(cx.up, cx.delta, &mut w)?;
    w.commit();
    Ok(WriteOutcome {
        affected: 1,
        ..WriteOutcome::default()
    })
}

/// ALTER DATABASE name UPGRADE DATA DIRECTORY NAME: the server's errors
/// for a name without the `#mysql50#` prefix (1221) and for a database
/// that does not exist (1049); renaming one that does is not captured.
pub fn upgrade_name(cx: &mut WriteContext, name: &str) -> Result<WriteOutcome, OverlayError> {
    if !name.starts_with("#mysql50#") {
        return Err(server(
            1221,
            "HY000",
            "Incorrect usage of ALTER DATABASE UPGRADE DATA DIRECTORY NAME and name",
        ));
    }
    if !exists(cx.up, &cx.delta.current(), name)? {
        return Err(unknown(name));
    }
    Err(OverlayError::Unsupported(format!(
        "ALTER DATABASE ... UPGRADE DATA DIRECTORY NAME of {name}"
    )))
}

/// Runs a captured ALTER DATABASE: the database's default character set
/// and collation change (a source database's only in vdb; its tables keep
/// theirs, as on the server). 1 row affected, as the server counts it.
pub fn alter(
    cx: &mut WriteContext,
    a: &CreateDatabase,
    text: &str,
) -> Result<WriteOutcome, OverlayError> {
    let name = if a.name.is_empty() {
        cx.db
            .clone()
            .ok_or_else(|| server(1046, "3D000", "No database selected"))?
    } else {
        a.name.clone()
    };
    let state = cx.delta.current();
    if !exists(cx.up, &state, &name)? {
        // The server cannot write the options file of a missing database.
        return Err(server(
            1,
            "HY000",
            format!(
                "Can't create/write to file './{name}/db.opt' (Errcode: 2 \"No such file or directory\")"
            ),
        ));
    }
    if a.charset.is_none() && a.collation.is_none() && a.comment.is_none() {
        return Err(OverlayError::Unsupported(
            "ALTER DATABASE without options".into(),
        ));
    }
    // A collation alone keeps the character set it belongs to; a character
    // set alone takes its default collation; what is not given stays.
    let current = definition(cx.up, &state, &name)?;
    let (charset, collation) = match (&a.charset, &a.collation) {
        (None, None) => (current.charset, current.collation),
        (c, co) => charset_and_collation(cx.up, c, co)?,
    };
    let def = DatabaseDef {
        charset,
        collation,
        comment: checked_comment(&name, &a.comment)?.unwrap_or(current.comment),
    };
    let mut w = cx.delta.writer();
    if state.schema.is_virtual_database(&name) {
        w.next.schema.databases.insert(name.clone(), def);
    } else {
        w.next.schema.altered_databases.insert(name.clone(), def);
    }
    w.next
        .schema
        .log
        .push(logged("ALTER DATABASE", &name, text));
    super::catalog::refresh(cx.up, cx.delta, &mut w)?;
    w.commit();
    Ok(WriteOutcome {
        affected: 1,
        ..WriteOutcome::default()
    })
}

/// Runs a captured DROP DATABASE: every table in it is dropped (affected
/// rows count them, as the server's do), then the database.
pub fn drop(
    cx: &mut WriteContext,
    name: &str,
    if_exists: bool,
    text: &str,
) -> Result<WriteOutcome, OverlayError> {
    let state = cx.delta.current();
    if !exists(cx.up, &state, name)? {
        if if_exists {
            return Ok(WriteOutcome::noted(
                1008,
                format!("Can't drop database '{name}'; database doesn't exist"),
            ));
        }
        return Err(server(
            1008,
            "HY000",
            format!("Can't drop database '{name}'; database doesn't exist"),
        ));
    }
    let mut created: Vec<TableId> = state
        .schema
        .created
        .keys()
        .filter(|id| id.schema == name)
        .cloned()
        .collect();
    created.sort();
    // (table, is a view) at the source, unless the source's database is
    // already gone (this one was created through vdb).
    let mut source: Vec<(TableId, bool)> = Vec::new();
    if !state.schema.is_virtual_database(name) {
        for r in cx.up.query(&format!(
            "SELECT TABLE_NAME, TABLE_TYPE = 'VIEW' FROM information_schema.TABLES \
             WHERE BINARY TABLE_SCHEMA = {} ORDER BY TABLE_NAME",
            text_literal(name)
        ))? {
            let id = TableId {
                schema: name.into(),
                name: super::meta::text(&r[0]),
            };
            if !state.schema.dropped.contains(&id) {
                source.push((id, super::meta::text(&r[1]) == "1"));
            }
        }
    }
    let gone: Vec<&TableId> = created
        .iter()
        .chain(source.iter().filter(|(_, view)| !view).map(|(id, _)| id))
        .collect();
    // Definitions first (a source table's, for the catalog to hide its
    // columns), and no table elsewhere may still reference one of them.
    for id in &gone {
        let meta = load(cx.up, cx.delta, id)?;
        let referenced = meta
            .referenced_by
            .iter()
            .any(|fk| fk.child.schema != name && !state.schema.is_dropped(&fk.child));
        if referenced {
            return Err(server(
                1451,
                "23000",
                "Cannot delete or update a parent row: a foreign key constraint fails",
            ));
        }
    }
    let mut w = cx.delta.writer();
    for id in &created {
        w.next.tables.remove(id);
        w.next.schema.created.remove(id);
    }
    for (id, _) in &source {
        w.next.tables.remove(id);
        w.next.schema.dropped.insert(id.clone());
    }
    if w.next.schema.databases.remove(name).is_none() {
        w.next.schema.dropped_databases.insert(name.into());
    }
    w.next.schema.altered_databases.remove(name);
    w.next.schema.log.push(logged("DROP DATABASE", name, text));
    super::catalog::refresh(cx.up, cx.delta, &mut w)?;
    w.commit();
    Ok(WriteOutcome {
        affected: (created.len() + source.len()) as u64,
        ..WriteOutcome::default()
    })
}

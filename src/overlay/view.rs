//! Captured CREATE VIEW and DROP VIEW.
//!
//! A view created through vdb is its SELECT, with the names it reads
//! qualified by the database they meant when it was created, kept in the
//! delta's view definitions ([`crate::delta::DeltaState::views`]): a read
//! of the view splices it in as a derived table, and the tables it reads
//! are then read over the merged view like any others. Its description
//! for SHOW CREATE VIEW and information_schema is in the schema delta
//! ([`crate::delta::SchemaDelta::views`]). The SELECT is checked as the
//! server checks it, by preparing it over the merged view (which runs
//! nothing): unknown tables and columns, duplicate column names.

use std::sync::Arc;

use crate::delta::{SchemaChange, TableId, ViewDef};
use crate::sql::ddl::CreateView;
use crate::sql::rewrite::quote_ident;
use crate::sql::tables::table_refs;

use super::ddl::{exists, schema_of, server};
use super::meta::text;
use super::write::{WriteContext, WriteOutcome};
use super::OverlayError;

/// The server's 1347 for a table named where a view is expected.
fn not_a_view(id: &TableId) -> OverlayError {
    server(
        1347,
        "HY000",
        format!("'{}.{}' is not of type 'VIEW'", id.schema, id.name),
    )
}

/// The server's 1965 for a view named where a table is expected.
pub fn is_a_view(id: &TableId) -> OverlayError {
    server(
        1965,
        "42S02",
        format!("'{}.{}' is a view", id.schema, id.name),
    )
}

/// Whether `id` is a view at the source that vdb did not drop.
fn source_view(cx: &mut WriteContext, id: &TableId) -> Result<bool, OverlayError> {
    if cx.delta.current().schema.dropped.contains(id) {
        return Ok(false);
    }
    Ok(!cx
        .up
        .query(&format!(
            "SELECT 1 FROM information_schema.VIEWS WHERE TABLE_SCHEMA = {} AND TABLE_NAME = {}",
            super::meta::text_literal(&id.schema),
            super::meta::text_literal(&id.name)
        ))?
        .is_empty())
}

/// Whether `id` names a view in the merged schema (created through vdb,
/// or at the source and not dropped).
pub fn is_view(cx: &mut WriteContext, id: &TableId) -> Result<bool, OverlayError> {
    if cx.delta.current().schema.views.contains_key(id) {
        return Ok(true);
    }
    source_view(cx, id)
}

/// The SELECT with every table name it reads unqualified qualified by
/// `db` (the session's database when the view is created, as the server
/// resolves them), and its columns named `columns` when given.
fn definition(body: &str, db: Option<&str>, columns: &[String]) -> Result<String, OverlayError> {
    let refs = table_refs(body).map_err(|e| {
        OverlayError::Unsupported(format!("this CREATE VIEW (vdb cannot analyse it: {})", e.0))
    })?;
    let mut out = String::with_capacity(body.len() + 64);
    let mut at = 0;
    for r in refs.iter().filter(|r| r.schema.is_none()) {
        let Some(db) = db else {
            return Err(server(1046, "3D000", "No database selected"));
        };
        out.push_str(&body[at..r.name_span.start]);
        out.push_str(&format!("{}.{}", quote_ident(db), quote_ident(&r.name)));
        at = r.name_span.end;
    }
    out.push_str(&body[at..]);
    if columns.is_empty() {
        return Ok(out);
    }
    let names: Vec<String> = columns.iter().map(|c| quote_ident(c)).collect();
    Ok(format!(
        "WITH `vdb_view` ({}) AS ({out}) SELECT * FROM `vdb_view`",
        names.join(", ")
    ))
}

/// Runs a captured CREATE [OR REPLACE] VIEW.
pub fn create(
    cx: &mut WriteContext,
    v: &CreateView,
    statement: &str,
) -> Result<WriteOutcome, OverlayError> {
    let id = TableId {
        schema: schema_of(cx, &v.name.0)?,
        name: v.name.1.clone(),
    };
    let state = cx.delta.current();
    super::database::defaults(cx.up, &state, &id.schema)?;
    if is_view(cx, &id)? {
        if !v.or_replace {
            return Err(server(
                1050,
                "42S01",
                format!("Table '{}' already exists", id.name),
            ));
        }
    } else if exists(cx.up, cx.delta, &id)? {
        if v.or_replace {
            return Err(not_a_view(&id));
        }
        return Err(server(
            1050,
            "42S01",
            format!("Table '{}' already exists", id.name),
        ));
    }
    let body = definition(&v.body, cx.db.as_deref(), &[])?;
    let whole = definition(&v.body, cx.db.as_deref(), &v.columns)?;
    // Checked over the merged view, as the server checks the SELECT.
    let merged = |sql: String| -> Result<String, OverlayError> {
        Ok(super::rewrite_read(sql.as_bytes(), &state, cx.db.as_deref(), None)?.unwrap_or(sql))
    };
    let described = cx.up.describe(merged(body)?.as_bytes())?;
    if !v.columns.is_empty() && v.columns.len() != described.len() {
        return Err(server(
            1353,
            "HY000",
            "View's SELECT and view's field list have different column counts",
        ));
    }
    cx.up
        .describe(merged(format!("SELECT * FROM ({whole}) AS `vdb_view_check`"))?.as_bytes())?;
    let definer = match &v.definer {
        Some(d) => d.clone(),
        None => cx
            .up
            .query("SELECT CURRENT_USER()")?
            .first()
            .map(|r| text(&r[0]))
            .unwrap_or_default(),
    };
    let session = cx
        .up
        .query("SELECT @@character_set_client, @@collation_connection")?;
    let (charset_client, collation_connection) = session
        .first()
        .map(|r| (text(&r[0]), text(&r[1])))
        .unwrap_or_default();
    let replaces_source = !state.schema.views.contains_key(&id) && source_view(cx, &id)?;
    let mut w = cx.delta.writer();
    if replaces_source {
        // The source's view of that name is gone; this one takes its place.
        w.next.schema.dropped.insert(id.clone());
    }
    w.next.views.insert(id.clone(), Arc::new(whole));
    w.next.schema.views.insert(
        id.clone(),
        ViewDef {
            body: v.body.clone(),
            columns: v.columns.clone(),
            algorithm: v.algorithm.clone(),
            security: v.security.clone(),
            definer,
            check_option: v.check_option.clone(),
            charset_client,
            collation_connection,
        },
    );
    w.next.schema.log.push(SchemaChange {
        kind: "CREATE VIEW".into(),
        table: id,
        statement: Arc::from(statement),
    });
    super::catalog::refresh(cx.up, cx.delta, &mut w)?;
    w.commit();
    Ok(WriteOutcome::default())
}

/// Runs a captured DROP VIEW: views created through vdb are forgotten,
/// the source's are dropped as DROP TABLE drops tables; 4092 for names
/// that are no view, tables included (after dropping the others).
pub fn drop(
    cx: &mut WriteContext,
    if_exists: bool,
    views: &[(Option<String>, String)],
    statement: &str,
) -> Result<WriteOutcome, OverlayError> {
    let mut gone = Vec::new();
    let mut missing = Vec::new();
    for (schema, name) in views {
        let id = TableId {
            schema: schema_of(cx, schema)?,
            name: name.clone(),
        };
        // A table is an unknown view here, as the server words it.
        if is_view(cx, &id)? {
            gone.push(id);
        } else {
            missing.push(id);
        }
    }
    if !gone.is_empty() {
        let mut w = cx.delta.writer();
        let statement: Arc<str> = Arc::from(statement);
        for id in &gone {
            w.next.views.remove(id);
            if w.next.schema.views.remove(id).is_none() || w.next.schema.dropped.contains(id) {
                w.next.schema.dropped.insert(id.clone());
            }
            w.next.schema.log.push(SchemaChange {
                kind: "DROP VIEW".into(),
                table: id.clone(),
                statement: statement.clone(),
            });
        }
        super::catalog::refresh(cx.up, cx.delta, &mut w)?;
        w.commit();
    }
    if !missing.is_empty() && !if_exists {
        let names: Vec<String> = missing
            .iter()
            .map(|id| format!("{}.{}", id.schema, id.name))
            .collect();
        return Err(server(
            4092,
            "42S02",
            format!("Unknown VIEW: '{}'", names.join(",")),
        ));
    }
    Ok(WriteOutcome::default())
}

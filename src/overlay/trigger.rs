//! Captured CREATE TRIGGER and DROP TRIGGER.
//!
//! A trigger belongs to its table's definition ([`TableMeta::triggers`]),
//! so adding or dropping one redefines the table as an ALTER does (see
//! [`super::alter`]): the table becomes a created table with the new list,
//! its rows copied as they are (no CHECK constraint tested, no trigger
//! fired). The trigger gets what the server records: its place among the
//! table's triggers of its event and timing (FOLLOWS, PRECEDES), the
//! session's sql_mode and character sets, the definer, the time, and the
//! statement as the server keeps it. Writes then run it, or refuse it by
//! name, like a source table's trigger.

use std::sync::Arc;

use crate::delta::{TableId, TableMeta, Trigger};
use crate::sql::ddl::{CreateTrigger, TableName};
use crate::sql::rewrite::quote_definer;
use crate::sql::trigger::row_references;

use super::alter::{alterable, as_created, copy_into};
use super::ddl::{exists, schema_of, server};
use super::meta::{judge_triggers, load, no_such_table, text as value_text, text_literal};
use super::write::{WriteContext, WriteOutcome};
use super::OverlayError;

/// Where trigger `name` of database `schema` is: its table, if any table
/// of the merged schema has it.
fn find(cx: &mut WriteContext, schema: &str, name: &str) -> Result<Option<TableId>, OverlayError> {
    let state = cx.delta.current();
    if let Some(m) = state
        .schema
        .created
        .values()
        .find(|m| m.id.schema == schema && m.triggers.iter().any(|t| t.name == name))
    {
        return Ok(Some(m.id.clone()));
    }
    let rows = cx.up.query(&format!(
        "SELECT EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS \
         WHERE TRIGGER_SCHEMA = {} AND BINARY TRIGGER_NAME = {}",
        text_literal(schema),
        text_literal(name)
    ))?;
    Ok(rows
        .first()
        .map(|r| TableId {
            schema: schema.to_string(),
            name: value_text(&r[0]),
        })
        // A source table vdb dropped or redefined took its triggers along.
        .filter(|id| !state.schema.is_dropped(id) && !state.schema.created.contains_key(id)))
}

/// Each trigger's place among its table's triggers of the same event and
/// timing, from 1, as the list orders them.
fn renumber(triggers: &mut [Trigger]) {
    for i in 0..triggers.len() {
        let before = triggers[..i]
            .iter()
            .filter(|t| t.event == triggers[i].event && t.before == triggers[i].before)
            .count();
        triggers[i].order = before as u64 + 1;
    }
}

/// The table with `triggers` for its triggers: redefined, its rows
/// copied as they are.
fn redefine(
    cx: &mut WriteContext,
    old: &TableMeta,
    mut triggers: Vec<Trigger>,
    text: &str,
    kind: &str,
) -> Result<(), OverlayError> {
    renumber(&mut triggers);
    let mut meta = as_created(cx, old)?;
    meta.triggers = triggers;
    // The server touches no row: none is tested against CHECK constraints.
    let checks = std::mem::take(&mut meta.checks);
    let from: Vec<Option<usize>> = (0..meta.columns.len()).map(Some).collect();
    copy_into(
        cx,
        old,
        meta,
        &from,
        text,
        kind,
        checks,
        super::alter::Rows::Kept,
    )?;
    Ok(())
}

fn already_exists(schema: &str, name: &str) -> OverlayError {
    server(
        1359,
        "HY000",
        format!("Trigger '{schema}.{name}' already exists"),
    )
}

/// The table a trigger may be created on, or the server's error.
fn base_table(cx: &mut WriteContext, id: &TableId) -> Result<Arc<TableMeta>, OverlayError> {
    if id.is_temporary() {
        return Err(server(
            1361,
            "HY000",
            format!(
                "Trigger's '{}' is a view, temporary table or sequence",
                id.shown_name()
            ),
        ));
    }
    let not_base = || {
        server(
            1347,
            "HY000",
            format!("'{}.{}' is not of type 'BASE TABLE'", id.schema, id.name),
        )
    };
    if cx.delta.current().schema.views.contains_key(id) {
        return Err(not_base());
    }
    if !exists(cx.up, cx.delta, id)? {
        return Err(no_such_table(id));
    }
    match load(cx.up, cx.delta, id) {
        Err(OverlayError::Unsupported(_)) => return Err(not_base()),
        Err(e) => return Err(e),
        Ok(_) => {}
    }
    alterable(cx, id, "CREATE TRIGGER")
}

/// CREATE [OR REPLACE] TRIGGER.
pub fn create(
    cx: &mut WriteContext,
    c: &CreateTrigger,
    text: &str,
) -> Result<WriteOutcome, OverlayError> {
    // The source parses it (preparing runs nothing; it opens no table).
    match cx.up.describe(text.as_bytes()) {
        Err(e @ crate::upstream::UpstreamError::Server { code: 1064, .. }) => return Err(e.into()),
        Err(e @ crate::upstream::UpstreamError::Io(_)) => return Err(e.into()),
        _ => {}
    }
    // What the server's parser refuses.
    let refs = row_references(&c.body);
    for r in &refs {
        if r.new && c.event == "DELETE" {
            return Err(server(
                1363,
                "HY000",
                "There is no NEW row in on DELETE trigger",
            ));
        }
        if !r.new && c.event == "INSERT" {
            return Err(server(
                1363,
                "HY000",
                "There is no OLD row in on INSERT trigger",
            ));
        }
        if r.assigned && !r.new {
            return Err(server(
                1362,
                "HY000",
                "Updating of OLD row is not allowed in trigger",
            ));
        }
        if r.assigned && !c.before {
            return Err(server(
                1362,
                "HY000",
                "Updating of NEW row is not allowed in after trigger",
            ));
        }
    }
    let table = TableId {
        schema: schema_of(cx, &c.table.0)?,
        name: c.table.1.clone(),
    };
    let schema = match &c.name.0 {
        Some(s) => s.clone(),
        None => table.schema.clone(),
    };
    let old = base_table(cx, &table)?;
    if schema != table.schema {
        return Err(server(1435, "HY000", "Trigger in wrong schema"));
    }
    let mut triggers = old.triggers.clone();
    let name = &c.name.1;
    let mut replaced_elsewhere = None;
    if let Some(holder) = find(cx, &schema, name)? {
        if c.if_not_exists {
            return Ok(WriteOutcome::noted(
                1359,
                format!("Trigger '{schema}.{name}' already exists"),
            ));
        }
        if !c.or_replace {
            return Err(already_exists(&schema, name));
        }
        if holder == table {
            triggers.retain(|t| t.name != *name);
        } else {
            replaced_elsewhere = Some(holder);
        }
    }
    let mut at = triggers
        .iter()
        .rposition(|t| t.event == c.event && t.before == c.before)
        .map_or(triggers.len(), |i| i + 1);
    if let Some((follows, other)) = &c.order {
        let Some(i) = triggers
            .iter()
            .position(|t| t.name == *other && t.event == c.event && t.before == c.before)
        else {
            return Err(server(
                4031,
                "HY000",
                format!(
                    "Referenced trigger '{other}' for the given action time and event type does not exist"
                ),
            ));
        };
        at = if *follows { i + 1 } else { i };
    }
    if let Some(r) = refs.iter().find(|r| old.position(&r.column).is_none()) {
        return Err(server(
            1054,
            "42S22",
            format!(
                "Unknown column '{}' in '{}'",
                r.column,
                if r.new { "NEW" } else { "OLD" }
            ),
        ));
    }
    let session = cx.up.query(
        "SELECT CURRENT_USER(), @@SESSION.sql_mode, NOW(2), @@character_set_client, @@collation_connection",
    )?;
    let Some(s) = session.first() else {
        return Err(OverlayError::Unsupported(
            "CREATE TRIGGER (the source did not describe the session)".into(),
        ));
    };
    let definer = c.definer.clone().unwrap_or_else(|| value_text(&s[0]));
    let (_, database_collation) = super::database::defaults(cx.up, &cx.delta.current(), &schema)?;
    let mut trigger = Trigger {
        name: name.clone(),
        event: c.event.clone(),
        before: c.before,
        body: c.body.clone(),
        blocked: None,
        order: 0,
        statement: format!("CREATE DEFINER={} {}", quote_definer(&definer), c.kept),
        created: s[2]
            .as_ref()
            .map(|v| String::from_utf8_lossy(v).into_owned()),
        sql_mode: value_text(&s[1]),
        definer: definer.clone(),
        charset_client: value_text(&s[3]),
        collation_connection: value_text(&s[4]),
        database_collation,
        implicit_definer: c.definer.is_none(),
    };
    judge_triggers(cx.up, &table, std::slice::from_mut(&mut trigger))?;
    if let Some(holder) = replaced_elsewhere {
        drop_from(cx, &holder, name, text, "CREATE TRIGGER")?;
    }
    triggers.insert(at, trigger);
    redefine(cx, &old, triggers, text, "CREATE TRIGGER")?;
    Ok(WriteOutcome::default())
}

/// Trigger `name` dropped from the table `holder`.
fn drop_from(
    cx: &mut WriteContext,
    holder: &TableId,
    name: &str,
    text: &str,
    kind: &str,
) -> Result<(), OverlayError> {
    let old = alterable(cx, holder, kind)?;
    let mut triggers = old.triggers.clone();
    triggers.retain(|t| t.name != name);
    redefine(cx, &old, triggers, text, kind)
}

/// DROP TRIGGER [IF EXISTS].
pub fn drop(
    cx: &mut WriteContext,
    if_exists: bool,
    (schema, name): &TableName,
    text: &str,
) -> Result<WriteOutcome, OverlayError> {
    let schema = schema_of(cx, schema)?;
    let Some(holder) = find(cx, &schema, name)? else {
        if if_exists {
            return Ok(WriteOutcome::noted(1360, "Trigger does not exist".into()));
        }
        return Err(server(1360, "HY000", "Trigger does not exist"));
    };
    drop_from(cx, &holder, name, text, "DROP TRIGGER")?;
    Ok(WriteOutcome::default())
}

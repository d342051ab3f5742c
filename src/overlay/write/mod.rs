//! Captured writes: INSERT, REPLACE, UPDATE and DELETE computed by the
//! source over the merged view, checked and stored by vdb.
//!
//! How one statement runs:
//! 1. `EXPLAIN <statement>` lets the source check the syntax (EXPLAIN never
//!    runs a write; a read-only session answers a valid write with 1792),
//!    once per shape of statement and sql_mode (see [`check`]).
//! 2. The table's definition is loaded (once) from information_schema.
//! 3. The rows are computed by a MariaDB `BEGIN NOT ATOMIC` block over the
//!    merged view: each value is assigned to a variable DECLAREd with the
//!    column's type, which converts it exactly as the storage engine would
//!    (ranges, lengths, ENUM, dates, strict mode; see tests/it/facts.rs),
//!    and NOT NULL and CHECK constraints are tested in the block, in the
//!    order the server tests them. One result set per row comes back.
//! 4. vdb assigns AUTO_INCREMENT values, then asks the source which keys
//!    collide (the source compares under each column's collation) and
//!    whether foreign keys hold, and applies the rows to a private copy of
//!    the delta, published only when the whole statement succeeded.
//!
//! MySQL 8 has no top-level compound statements, so writes against a MySQL
//! source are refused for now (by name).

use std::collections::HashMap;
use std::sync::Arc;

use crate::delta::locks::{Locks, Mode, Owner};
use crate::delta::{
    changed_rows, encode_key, Delta, DeltaState, FkRule, ForeignKey, Row, TableDelta, TableId,
    TableMeta, Value, Writer,
};
use crate::protocol::response::{err_message, err_state};
use crate::sql::lexer::{lex, LexMode};
use crate::sql::restrict::{literal_for, Pred, Test};
use crate::sql::rewrite::quote_ident;
use crate::sql::write::{
    is_default, mentions, parse_write, single_statement, syntax_shape, Assignment, Delete, Insert,
    InsertSource, Update, Write,
};
use crate::upstream::{Upstream, UpstreamError};

use super::meta::{load, text};
use autoinc::AutoInc;

mod autoinc;
mod multi;
mod through_view;
mod triggers;
mod upsert;
use super::{rewrite_read, OverlayError};

/// What the session needs to run a write.
pub struct WriteContext<'a> {
    /// The session's source connection (read-only).
    pub up: &'a mut Upstream,
    /// The process's delta.
    pub delta: &'a Delta,
    /// The session's default database.
    pub db: Option<String>,
    /// How the session's text is lexed.
    pub lex: LexMode,
    /// CLIENT_FOUND_ROWS: UPDATE reports matched rather than changed rows.
    pub found_rows: bool,
    /// The process's row locks and this session's name in them: the rows
    /// a write changes are locked before it commits.
    pub locks: Option<(&'a Locks, Owner)>,
    /// For a statement a trigger runs: the tables the statements that
    /// fired it use, which it may not write (the server's 1442).
    pub invoked_by: Vec<TableId>,
    /// What the session's writes remember of its source session.
    pub memo: &'a mut WriteMemo,
}

/// What the client is told after a captured write.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteOutcome {
    /// Affected rows, as the server counts them.
    pub affected: u64,
    /// The OK packet's last insert id.
    pub last_insert_id: u64,
    /// The first AUTO_INCREMENT value generated, which LAST_INSERT_ID()
    /// returns from now on.
    pub generated_id: Option<u64>,
    /// The info string (`Records: 3  Duplicates: 0  Warnings: 0`).
    pub info: String,
    /// For `... RETURNING`: the query whose result the client gets instead
    /// of an OK (the select list over the written rows as literals).
    pub returning: Option<String>,
    /// The notes the server leaves for SHOW WARNINGS (`IF NOT EXISTS` over
    /// a table that exists, ...): code and message.
    pub notes: Vec<(u16, String)>,
    /// The warnings the server leaves (INSERT IGNORE's skipped
    /// duplicates): code and message.
    pub warnings: Vec<(u16, String)>,
    /// Notes and warnings raised interleaved, in the order they came (an
    /// ALTER's copy, row by row): level, code, message. They are listed
    /// before `notes` and `warnings`.
    pub raised: Vec<(&'static str, u16, String)>,
}

impl WriteOutcome {
    /// What SHOW WARNINGS lists after the statement: level, code, message.
    pub fn left_behind(&self) -> Vec<(&'static str, u16, String)> {
        let shown = crate::sql::temporary::unmark;
        let raised = self.raised.iter().map(|(l, c, m)| (*l, *c, shown(m)));
        let notes = self.notes.iter().map(|(c, m)| ("Note", *c, shown(m)));
        let warnings = self.warnings.iter().map(|(c, m)| ("Warning", *c, shown(m)));
        raised.chain(notes).chain(warnings).collect()
    }

    /// How many notes and warnings the statement leaves.
    pub fn left_count(&self) -> usize {
        self.raised.len() + self.notes.len() + self.warnings.len()
    }

    /// Nothing done, and the server's note `code` saying why.
    pub fn noted(code: u16, message: String) -> WriteOutcome {
        WriteOutcome {
            notes: vec![(code, message)],
            ..WriteOutcome::default()
        }
    }
}

fn server(code: u16, state: &str, message: impl Into<String>) -> OverlayError {
    OverlayError::Server {
        code,
        state: state.to_string(),
        message: message.into(),
    }
}

fn unsupported<T>(what: impl Into<String>) -> Result<T, OverlayError> {
    Err(OverlayError::Unsupported(what.into()))
}

/// Session settings a write (or an ALTER) depends on.
#[derive(Clone)]
pub(in crate::overlay) struct Settings {
    /// sql_mode as the source shows it.
    mode: String,
    strict: bool,
    no_auto_value_on_zero: bool,
    pub(in crate::overlay) foreign_key_checks: bool,
    results_charset: Option<String>,
}

/// What a session's writes remember of its source session, so that the
/// next write asks less (see [`check`]).
#[derive(Default)]
pub struct WriteMemo {
    /// The shapes of writes the source has parsed, with the sql_mode each
    /// was parsed under: a write of a known shape needs no syntax check of
    /// its own, which is a third of what the source spends on a one-row
    /// write.
    parsed: HashMap<(Vec<u8>, Option<String>, LexMode), String>,
    /// The settings the last write read.
    settings: Option<Settings>,
}

/// How many shapes a session keeps (then it starts over).
const MAX_PARSED: usize = 256;

/// The longest shape kept, in bytes.
const MAX_SHAPE: usize = 4096;

/// Checks a write the way the server checks it before running it, and
/// returns the session settings the write depends on. The source checks
/// it by EXPLAIN, which runs nothing, and its errors are the source's
/// own. The source's session is read-only, so it answers EXPLAIN of a
/// valid write with 1792 (read-only transaction) or, for a SELECT-only
/// account, 1142/1143 (no INSERT/UPDATE/DELETE privilege) before it looks
/// at names: names are checked as the write is computed, and the check is
/// of syntax only, which a write of a shape already parsed under the same
/// sql_mode passes.
///
/// The settings are asked in the same round trip, unless nothing reached
/// the source since the last write read them (its SET back of
/// character_set_results is still queued): then they are as it read them,
/// since a write's own statements change no setting.
fn check(cx: &mut WriteContext, sql: &[u8]) -> Result<Settings, OverlayError> {
    if !cx.up.info.version.contains("MariaDB") {
        return unsupported("writes against a MySQL source (vdb computes writes with MariaDB's compound statements)");
    }
    // One statement only, so the EXPLAIN below is exactly one statement.
    if !single_statement(sql, cx.lex) {
        return unsupported("a write in a multi-statement text");
    }
    let key = (syntax_shape(sql, cx.lex), cx.db.clone(), cx.lex);
    let parsed_under = cx.memo.parsed.get(&key).cloned();
    let mut explain = b"EXPLAIN ".to_vec();
    explain.extend_from_slice(sql);
    // Right after a write the source may still send values raw: neither
    // EXPLAIN nor the settings depend on that, so they keep it so, and
    // the next write needs no SET either way.
    let raw_for = cx.up.stay_raw();
    let known = match &raw_for {
        Some(_) => cx.memo.settings.clone(),
        None => None,
    };
    let (settings, explained) = match known {
        Some(settings) => {
            let explained = (parsed_under.as_ref() != Some(&settings.mode))
                .then(|| cx.up.query_partial(&explain).1);
            (settings, explained)
        }
        None => {
            let mut answers = match parsed_under {
                Some(_) => cx.up.pipeline(&[SETTINGS.as_bytes()]),
                None => cx.up.pipeline(&[&explain, SETTINGS.as_bytes()]),
            };
            let settings = match answers.pop() {
                Some((rows, None)) => Settings::of(rows),
                Some((_, Some(e))) => return Err(e.into()),
                None => {
                    return Err(UpstreamError::Protocol(
                        "no answer for the session's settings".into(),
                    )
                    .into())
                }
            };
            let explained = match answers.pop() {
                Some((_, e)) => Some(e),
                None if parsed_under.as_ref() == Some(&settings.mode) => None,
                None => Some(cx.up.query_partial(&explain).1),
            };
            (settings, explained)
        }
    };
    let mut settings = settings;
    if let Some(session) = &raw_for {
        settings.results_charset = Some(session.clone());
    }
    cx.memo.settings = Some(settings.clone());
    cx.up.convert_results();
    let Some(explained) = explained else {
        return Ok(settings);
    };
    let refused = match explained {
        None
        | Some(UpstreamError::Server {
            code: 1792 | 1142 | 1143,
            ..
        }) => None,
        // The session's database is one vdb holds, so its source session
        // has none: names are checked as the write is computed.
        Some(UpstreamError::Server { code: 1046, .. }) if cx.db.is_some() => None,
        // The message is in character_set_results: ask again with the
        // session's own in force.
        Some(_) if raw_for.is_some() => cx.up.query_partial(&explain).1,
        Some(e) => Some(e),
    };
    if let Some(e) = refused {
        return Err(e.into());
    }
    // A long shape (a bulk INSERT) rarely comes again.
    if key.0.len() <= MAX_SHAPE {
        if cx.memo.parsed.len() >= MAX_PARSED {
            cx.memo.parsed.clear();
        }
        cx.memo.parsed.insert(key, settings.mode.clone());
    }
    Ok(settings)
}

/// Runs one captured write.
pub fn execute(cx: &mut WriteContext, sql: &[u8]) -> Result<WriteOutcome, OverlayError> {
    let write = parse_write(sql, cx.lex);
    if let Ok(write) = &write {
        if let Some(base) = through_view::base_write(cx, sql, write)? {
            log::debug!(
                "a write through a view, as its table's: {}",
                String::from_utf8_lossy(&base)
            );
            return execute(cx, &base);
        }
    }
    let settings = check(cx, sql)?;
    let write = write.map_err(|u| OverlayError::Unsupported(u.0))?;
    let targets = targets(cx, sql, &write)?;
    if let Some(t) = targets.iter().find(|t| cx.invoked_by.contains(&t.meta.id)) {
        return Err(triggers::used_by_invoker(&t.meta.id));
    }
    let (meta, key) = (targets[0].meta.clone(), targets[0].key.clone());
    cx.up.raw_results(settings.results_charset.as_deref());
    let mut w = cx.delta.writer();
    let (result, burned, warnings, fired) = {
        let mut run = Run {
            cx,
            meta: meta.clone(),
            key: key.clone(),
            settings: &settings,
            sql,
            assigned: Vec::new(),
            burned: None,
            skipped_duplicates: Vec::new(),
            warnings: Vec::new(),
            fired: Vec::new(),
        };
        let result = match &write {
            Write::Insert(i) => run.insert(&mut w, i),
            Write::Update(u) => run.update(&mut w, u),
            Write::Delete(d) => run.delete(&mut w, d),
            Write::MultiUpdate(u) => run.multi_update(&mut w, u, &targets),
            Write::MultiDelete(d) => run.multi_delete(&mut w, d, &targets),
        };
        (result, run.burned, run.warnings, run.fired)
    };
    cx.up.convert_results();
    // The AUTO_INCREMENT values a failed statement reserved stay used, as
    // in InnoDB: its own, and those of the writes its triggers ran.
    let mut burned: triggers::Burned = burned
        .map(|counter| (meta.clone(), key.clone(), counter))
        .into_iter()
        .collect();
    let result = match result {
        Ok(outcome) if !fired.is_empty() => match triggers::fire(cx, &mut w, &meta, &fired, sql) {
            Ok(raised) => Ok(with_warnings(outcome, raised)),
            Err((e, by_triggers)) => {
                burned.extend(by_triggers);
                Err(e)
            }
        },
        other => other,
    };
    if result.is_err() && !burned.is_empty() {
        drop(w);
        let mut w = cx.delta.writer();
        let mut moved = false;
        for (m, k, counter) in &burned {
            let t = w.table(m, k);
            if *counter > t.next_auto {
                t.next_auto = *counter;
                moved = true;
            }
        }
        if moved {
            let moved = crate::delta::changed_tables(&cx.delta.current(), &w.next);
            super::catalog::counters(cx.up, cx.delta, &mut w, &moved)?;
            w.commit();
        }
        return result;
    }
    let outcome = with_warnings(result?, warnings);
    find_views(cx.up, &mut w)?;
    let written = crate::delta::changed_tables(&cx.delta.current(), &w.next);
    super::catalog::counters(cx.up, cx.delta, &mut w, &written)?;
    super::catalog::touch(cx.up, cx.delta, &mut w, &written)?;
    if let Some((locks, owner)) = cx.locks {
        // The writer holds the gate: the current state is the one it
        // started from.
        let before = cx.delta.current();
        let rows: Vec<_> = changed_rows(&before, &w.next)
            .into_iter()
            .map(|r| (r, Mode::Exclusive))
            .collect();
        if let Err(holder) = locks.try_lock_all(owner, &rows) {
            // Nothing is committed; the session waits and runs it again.
            return Err(OverlayError::LockWait(holder));
        }
    }
    if let Some(limit) = cx.delta.limit() {
        let size = w.next.bytes();
        // A statement that shrinks the delta is always let through.
        if size > limit && size > cx.delta.current().bytes() {
            return Err(server(
                1114,
                "HY000",
                format!(
                    "The table '{}' is full: the delta would hold {size} bytes, over --max-delta-bytes {limit}",
                    meta.id.name
                ),
            ));
        }
    }
    w.commit();
    Ok(outcome)
}

/// `outcome` with the notes and warnings the statement's computation
/// `raised` (level, code, message) left before its own, counted in its
/// info string (`... Warnings: N`).
fn with_warnings(
    mut outcome: WriteOutcome,
    raised: Vec<(&'static str, u16, String)>,
) -> WriteOutcome {
    if raised.is_empty() {
        return outcome;
    }
    if let Some((head, n)) = outcome.info.rsplit_once("Warnings: ") {
        if let Ok(n) = n.parse::<usize>() {
            outcome.info = format!("{head}Warnings: {}", n + raised.len());
        }
    }
    let (mut notes, mut warnings) = (Vec::new(), Vec::new());
    for (level, code, message) in raised {
        match level {
            "Note" => notes.push((code, message)),
            _ => warnings.push((code, message)),
        }
    }
    notes.append(&mut outcome.notes);
    outcome.notes = notes;
    warnings.append(&mut outcome.warnings);
    outcome.warnings = warnings;
    outcome
}

/// A table a statement writes to, as the statement names it.
struct Target {
    /// The alias (or name) the statement's join knows it by; empty for a
    /// single-table statement.
    alias: String,
    meta: Arc<TableMeta>,
    /// Its identity key.
    key: Vec<usize>,
    /// Multi-table UPDATE: the indexes of the assignments to it.
    assignments: Vec<usize>,
}

/// What a prepared write is checked for before its parameters are known:
/// the source's syntax check ([`check`]; `sql` has its placeholders filled
/// in) and the tables it writes, which must exist and be writable by vdb.
/// Unknown columns are reported when it runs.
pub fn check_prepared(cx: &mut WriteContext, sql: &[u8]) -> Result<(), OverlayError> {
    check(cx, sql)?;
    let write = parse_write(sql, cx.lex).map_err(|u| OverlayError::Unsupported(u.0))?;
    targets(cx, sql, &write).map(|_| ())
}

/// The trigger events a write may fire: REPLACE deletes the rows it
/// replaces, ON DUPLICATE KEY UPDATE updates the rows it meets.
fn events(write: &Write) -> &'static [&'static str] {
    match write {
        Write::Insert(i) if i.replace => &["INSERT", "DELETE"],
        Write::Insert(i) if i.on_duplicate.is_some() => &["INSERT", "UPDATE"],
        Write::Insert(_) => &["INSERT"],
        Write::Update(_) | Write::MultiUpdate(_) => &["UPDATE"],
        Write::Delete(_) | Write::MultiDelete(_) => &["DELETE"],
    }
}

/// The tables a write changes, loaded and checked.
fn targets(cx: &mut WriteContext, sql: &[u8], write: &Write) -> Result<Vec<Target>, OverlayError> {
    Ok(match write {
        Write::Insert(Insert { table, .. })
        | Write::Update(Update { table, .. })
        | Write::Delete(Delete { table, .. }) => {
            let schema = match (&table.schema, &cx.db) {
                (Some(s), _) => s.clone(),
                (None, Some(db)) => db.clone(),
                (None, None) => {
                    // The source words "No database selected".
                    cx.up.query(&format!(
                        "SELECT 1 FROM {} LIMIT 0",
                        quote_ident(&table.name)
                    ))?;
                    return unsupported("a write without a database");
                }
            };
            let id = TableId {
                schema,
                name: table.name.clone(),
            };
            let firing = Firing {
                delete: matches!(write, Write::Delete(_)),
                after: true,
                before_steps: match write {
                    Write::Insert(i) => !i.ignore && !i.replace && i.on_duplicate.is_none(),
                    Write::Update(u) => !u.ignore,
                    Write::Delete(d) => !d.ignore,
                    _ => false,
                },
            };
            let (meta, key) = writable(cx, &id, events(write), firing)?;
            vec![Target {
                alias: String::new(),
                meta,
                key,
                assignments: Vec::new(),
            }]
        }
        Write::MultiUpdate(u) => multi::update_targets(cx, sql, u)?,
        Write::MultiDelete(d) => multi::delete_targets(cx, sql, d)?,
    })
}

/// Which of a table's triggers a statement can fire.
#[derive(Clone, Copy)]
struct Firing {
    /// Its DELETE triggers: only a single-table DELETE runs them (REPLACE
    /// and a multi-table DELETE would have to fire them too).
    delete: bool,
    /// Its AFTER triggers: only a single-table statement runs them.
    after: bool,
    /// Its BEFORE triggers that write tables: a single-table statement
    /// without IGNORE, ON DUPLICATE KEY UPDATE or REPLACE runs them, whose
    /// rows are the rows those triggers fire for.
    before_steps: bool,
}

/// Refuses a write that would fire `t`, a BEFORE trigger that writes
/// tables, when running its steps once the rows are computed would show it
/// other NEW values than the server's: an AUTO_INCREMENT value not yet
/// generated, a generated column not yet computed, or a column a later
/// BEFORE trigger sets.
fn before_steps_runnable(
    meta: &TableMeta,
    t: &crate::delta::Trigger,
    firing: Firing,
) -> Result<(), OverlayError> {
    let id = &meta.id;
    if !firing.before_steps {
        return unsupported(format!(
            "this write to {id}, whose BEFORE trigger {} writes tables (vdb runs those for a single-table INSERT, UPDATE or DELETE without IGNORE, ON DUPLICATE KEY UPDATE or REPLACE)",
            t.name
        ));
    }
    let refs = crate::sql::trigger::row_references(&t.body);
    let later_sets = |c: &str| {
        meta.triggers.iter().any(|o| {
            o.before
                && o.event == t.event
                && o.order > t.order
                && crate::sql::trigger::row_references(&o.body)
                    .iter()
                    .any(|r| r.assigned && r.column.eq_ignore_ascii_case(c))
        })
    };
    for r in refs.iter().filter(|r| r.new) {
        let Some(i) = meta.position(&r.column) else {
            continue;
        };
        let c = &meta.columns[i];
        let why = if c.auto_increment && t.event == "INSERT" {
            "an AUTO_INCREMENT value before it is generated"
        } else if c.generated.is_some() {
            "a generated column before it is computed"
        } else if later_sets(&c.name) {
            "a column a later BEFORE trigger sets"
        } else {
            continue;
        };
        return unsupported(format!(
            "writing to {id}, whose BEFORE trigger {} writes tables with NEW.{} ({why})",
            t.name, c.name
        ));
    }
    Ok(())
}

/// The definition and identity key of a table vdb can write, or the
/// reason it cannot.
fn writable(
    cx: &mut WriteContext,
    id: &TableId,
    events: &[&str],
    firing: Firing,
) -> Result<(Arc<TableMeta>, Vec<usize>), OverlayError> {
    if cx.delta.current().schema.views.contains_key(id) {
        return unsupported(format!("a write through the view {id}"));
    }
    let meta = load(cx.up, cx.delta, id)?;
    for t in meta
        .triggers
        .iter()
        .filter(|t| events.contains(&t.event.as_str()))
    {
        if let Some(why) = &t.blocked {
            return unsupported(format!(
                "writing to {id}, whose trigger {} vdb cannot run ({why})",
                t.name
            ));
        }
        if t.event == "DELETE" && !firing.delete {
            return unsupported(format!(
                "this write to {id}, whose trigger {} fires on DELETE (vdb runs DELETE triggers for a single-table DELETE)",
                t.name
            ));
        }
        if !t.before && !firing.after {
            return unsupported(format!(
                "this write to {id}, whose trigger {} fires AFTER it (vdb runs AFTER triggers for a single-table write)",
                t.name
            ));
        }
        if t.before && t.stepped() {
            before_steps_runnable(&meta, t, firing)?;
        }
        // A later row's BEFORE trigger could read what an earlier row's
        // trigger wrote, which vdb writes once all rows are computed.
        if t.stepped() && triggers::writes(&t.body) {
            if let Some(r) = meta.triggers.iter().find(|r| {
                r.before
                    && !r.stepped()
                    && events.contains(&r.event.as_str())
                    && crate::sql::trigger::reads_tables(&r.body)
            }) {
                return unsupported(format!(
                    "writing to {id}, whose trigger {} reads tables and whose trigger {} writes them",
                    r.name, t.name
                ));
            }
        }
        // A column an ALTER dropped or renamed under the trigger: the
        // server's error when the trigger fires.
        let missing = std::cell::RefCell::new(None);
        let note = |row: &'static str, c: &str| {
            if meta.position(c).is_none() {
                missing.borrow_mut().get_or_insert((row, c.to_string()));
            }
            None
        };
        crate::sql::trigger::over_row(&t.body, |c| note("NEW", c), |c| note("OLD", c));
        if let Some((row, column)) = missing.into_inner() {
            return Err(OverlayError::Server {
                code: 1054,
                state: "42S22".into(),
                message: format!("Unknown column '{column}' in '{row}'"),
            });
        }
    }
    let Some(key) = meta.delta_key() else {
        return unsupported(format!(
            "writing to {id}, whose only unique keys take NULL (no primary key or NOT NULL unique key)"
        ));
    };
    if !meta.keyless()
        && key
            .iter()
            .any(|&c| meta.columns[c].column.bit_width().is_some())
    {
        return unsupported(format!("writing to {id}, whose key has a BIT column"));
    }
    Ok((meta, key))
}

/// Records the source's views that read a newly changed table (directly
/// or through other views), so reads of them see the merged view.
fn find_views(up: &mut Upstream, w: &mut Writer) -> Result<(), OverlayError> {
    let mut pending: Vec<TableId> = w
        .next
        .tables
        .keys()
        .filter(|id| !w.next.views_checked.contains(*id))
        .cloned()
        .collect();
    while let Some(id) = pending.pop() {
        if !w.next.views_checked.insert(id.clone()) {
            continue;
        }
        let pattern = format!("%{}%", quote_ident(&id.name));
        let rows = up.query(&format!(
            "SELECT TABLE_SCHEMA, TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS \
             WHERE VIEW_DEFINITION LIKE {}",
            super::meta::text_literal(&pattern)
        ))?;
        for r in rows {
            let text = |v: &Option<Vec<u8>>| {
                String::from_utf8_lossy(v.as_deref().unwrap_or_default()).into_owned()
            };
            let view = TableId {
                schema: text(&r[0]),
                name: text(&r[1]),
            };
            let definition = text(&r[2]);
            if definition.is_empty() || w.next.views.contains_key(&view) {
                continue;
            }
            w.next.views.insert(view.clone(), Arc::new(definition));
            pending.push(view);
        }
    }
    Ok(())
}

/// The session settings a write depends on, as one row.
const SETTINGS: &str =
    "SELECT @@SESSION.sql_mode, @@SESSION.foreign_key_checks, @@SESSION.character_set_results";

pub(in crate::overlay) fn settings(up: &mut Upstream) -> Result<Settings, OverlayError> {
    Ok(Settings::of(up.query(SETTINGS)?))
}

impl Settings {
    /// The settings from the answer to [`SETTINGS`].
    fn of(rows: Vec<Vec<Option<Vec<u8>>>>) -> Settings {
        let row = rows.into_iter().next().unwrap_or_default();
        let get = |i: usize| {
            row.get(i)
                .cloned()
                .flatten()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        };
        let shown = get(0).unwrap_or_default();
        let mode = shown.to_ascii_uppercase();
        Settings {
            mode: shown,
            strict: mode.contains("STRICT_TRANS_TABLES") || mode.contains("STRICT_ALL_TABLES"),
            no_auto_value_on_zero: mode.contains("NO_AUTO_VALUE_ON_ZERO"),
            foreign_key_checks: get(1).as_deref() != Some("0"),
            results_charset: get(2),
        }
    }
}

struct Run<'a, 'b> {
    cx: &'a mut WriteContext<'b>,
    meta: Arc<TableMeta>,
    key: Vec<usize>,
    settings: &'a Settings,
    sql: &'a [u8],
    /// UPDATE: the column each assignment variable `vdb_a<n>` feeds.
    assigned: Vec<usize>,
    /// The AUTO_INCREMENT counter a failed statement leaves behind.
    burned: Option<u64>,
    /// The duplicates the last [`Run::apply_updates`] under IGNORE skipped
    /// (1062's message): the server warns of them after ON DUPLICATE KEY
    /// UPDATE, not after UPDATE IGNORE.
    skipped_duplicates: Vec<String>,
    /// Notes and warnings the statement leaves so far (values converted
    /// outside strict mode, values given to generated columns): level,
    /// code and message.
    warnings: Vec<(&'static str, u16, String)>,
    /// The rows written so far, for the table's AFTER triggers (kept only
    /// when it has some).
    fired: Vec<triggers::Fired>,
}

/// For one unique key: per new row, the identities of merged-view rows
/// with the same key values, and the earlier new rows with them.
type Collisions = (HashMap<usize, Vec<Row>>, Earlier);

/// The new rows of one statement that share a unique key's values, as
/// groups: n identical keys are n entries, not the n² pairs of rows.
#[derive(Default)]
struct Earlier {
    /// Each row that shares its values: its group.
    group: HashMap<usize, usize>,
    /// Each group's rows, in order.
    members: HashMap<usize, Vec<usize>>,
}

impl Earlier {
    /// The rows before row `i` with its values, in order.
    fn before(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.group
            .get(&i)
            .and_then(|g| self.members.get(g))
            .into_iter()
            .flat_map(move |m| m.iter().copied().take_while(move |&j| j < i))
    }

    /// The rows that have an earlier row with their values.
    fn later_rows(&self) -> impl Iterator<Item = usize> + '_ {
        self.members
            .values()
            .flat_map(|m| m.iter().skip(1).copied())
    }
}

/// The variable holding column `i` of the row being computed.
fn var(i: usize) -> String {
    format!("vdb_{i}")
}

/// The variable INSERT ... SELECT fetches DECIMAL column `i`'s value into,
/// unrounded.
fn fetch_var(i: usize) -> String {
    format!("vdb_f{i}")
}

/// The variable holding the value of UPDATE's `n`th assignment.
fn assign_var(n: usize) -> String {
    format!("vdb_a{n}")
}

/// The head of a block's loop over `query`, fetching into `fetch`; the
/// loop body follows, then [`CURSOR_LOOP_END`].
fn cursor_loop(query: &[u8], fetch: &[String], handler: &str) -> Vec<u8> {
    let mut s = b"DECLARE vdb_done INT DEFAULT 0; DECLARE vdb_c CURSOR FOR ".to_vec();
    s.extend_from_slice(query);
    s.extend_from_slice(
        format!(
            "; DECLARE CONTINUE HANDLER FOR NOT FOUND SET vdb_done = 1; {handler}OPEN vdb_c; \
             vdb_l: LOOP FETCH vdb_c INTO {}; IF vdb_done THEN LEAVE vdb_l; END IF; ",
            fetch.join(", ")
        )
        .as_bytes(),
    );
    s
}

/// Declared in every block after the row's variables: `vdb_w` collects the
/// conditions the row's computation raises (`<code> <message>` lines),
/// which [`Run::row_checks`] returns with the row and clears.
const WARNINGS_VARS: &str =
    "DECLARE vdb_w TEXT DEFAULT ''; DECLARE vdb_wc INT; DECLARE vdb_wm TEXT; \
     DECLARE vdb_ws VARCHAR(5); DECLARE vdb_wn INT; DECLARE vdb_wi INT; ";

/// What [`Run::default_expr`] gives for a generated column: an assignment
/// of DEFAULT to it is no assignment (the column is computed from the row).
const GENERATED_DEFAULT: &str = "DEFAULT";

/// Closes the loop [`cursor_loop`] opened. What the cursor's query raised
/// after the last row it returned (a WHERE over rows it did not select,
/// outside strict mode) comes last, alone: a one-column row.
const CURSOR_LOOP_END: &str = "END LOOP; CLOSE vdb_c; IF vdb_w <> '' THEN SELECT vdb_w; END IF; ";

/// The variable holding column `i` of the old row (UPDATE).
fn old_var(i: usize) -> String {
    format!("vdb_o{i}")
}

impl Run<'_, '_> {
    fn table(&self) -> &TableId {
        &self.meta.id
    }

    /// The type to DECLARE a variable of column `i` with.
    fn var_type(&self, i: usize) -> String {
        let c = &self.meta.columns[i].column;
        let mut t = c.column_type.clone();
        if let (Some(cs), Some(coll)) = (&c.charset, &c.collation) {
            t.push_str(&format!(" CHARACTER SET {cs} COLLATE {coll}"));
        }
        t
    }

    /// Whether column `i` is a DECIMAL, whose rounding to its scale the
    /// server notes.
    fn is_decimal(&self, i: usize) -> bool {
        self.meta.columns[i].column.data_type == "decimal"
    }

    /// Whether the server notes (1265, a note even in strict mode) a value
    /// column `i` cuts short: a DECIMAL rounded to its scale, a datetime
    /// cut to a DATE. (Into a TIME the server notes a datetime cut short
    /// but warns of a date, which the handler cannot tell apart.)
    fn notes_cuts(&self, i: usize) -> bool {
        matches!(
            self.meta.columns[i].column.data_type.as_str(),
            "decimal" | "date"
        )
    }

    /// The type to FETCH a value for column `i` into: the column's own, but
    /// for a DECIMAL one wide enough to hold it unrounded, since a FETCH
    /// rounds silently and the assignment to the column's variable after
    /// it notes the rounding, as the server does.
    fn fetched_type(&self, i: usize) -> String {
        if self.is_decimal(i) {
            "DECIMAL(65,30)".into()
        } else {
            self.var_type(i)
        }
    }

    /// A query's text, rewritten to read the merged view of `state`.
    fn merged(&self, state: &DeltaState, query: &[u8]) -> Result<Vec<u8>, OverlayError> {
        Ok(
            match rewrite_read(query, state, self.cx.db.as_deref(), None)? {
                Some(s) => s.into_bytes(),
                None => query.to_vec(),
            },
        )
    }

    /// Text of an expression over changed tables, rewritten to read the
    /// merged view.
    fn fragment(&self, state: &DeltaState, text: &[u8]) -> Result<Vec<u8>, OverlayError> {
        // Aliased, so that the rewrite adds no alias of its own.
        const HEAD: &[u8] = b"SELECT (";
        const TAIL: &[u8] = b") AS vdb_fragment";
        let mut probe = HEAD.to_vec();
        probe.extend_from_slice(text);
        probe.extend_from_slice(TAIL);
        match rewrite_read(&probe, state, self.cx.db.as_deref(), None)? {
            None => Ok(text.to_vec()),
            Some(s) => {
                let b = s.into_bytes();
                Ok(b[HEAD.len()..b.len() - TAIL.len()].to_vec())
            }
        }
    }

    /// The default of column `i` as an expression, or the error the server
    /// gives when it has none.
    fn default_expr(&self, i: usize) -> Result<String, OverlayError> {
        let c = &self.meta.columns[i];
        if c.generated.is_some() {
            return Ok(GENERATED_DEFAULT.into());
        }
        if let Some(seconds) = &c.default_instant {
            // The instant the default was defined as, in this session's
            // time zone.
            return Ok(format!("FROM_UNIXTIME({seconds})"));
        }
        match &c.default {
            Some(d) => Ok(d.clone()),
            None if c.nullable || c.auto_increment => Ok("NULL".into()),
            None if self.settings.strict => Err(server(
                1364,
                "HY000",
                format!("Field '{}' doesn't have a default value", c.name),
            )),
            None => Ok(implicit_default(&c.column.data_type).into()),
        }
    }

    /// Column `i`'s default as an expression in a block, where the columns
    /// it reads (`DEFAULT (a + 1)`) are the row's variables.
    fn default_in_block(&self, i: usize) -> Result<String, OverlayError> {
        Ok(self.over_vars(&self.default_expr(i)?))
    }

    /// Declared after a block's cursors (handlers come last): the notes
    /// and warnings the block's statements raise are added to `vdb_w` and
    /// the block goes on, as the statement would have. In strict mode
    /// (without IGNORE) the server fails a write on any warning but a
    /// DECIMAL rounded to its scale (a note), and so does the block: the
    /// others are raised again as errors (some, such as an ENUM value
    /// that is not a member, have a warning's SQLSTATE).
    fn warnings_handler(&self, ignore: bool) -> String {
        let record =
            "SET vdb_w = CONCAT(vdb_w, vdb_wc, ' ', REPLACE(vdb_wm, CHAR(10), ' '), CHAR(10));";
        let body = if self.settings.strict && !ignore {
            let notes: Vec<String> = (0..self.meta.columns.len())
                .filter(|&i| self.notes_cuts(i))
                .map(|i| format!("vdb_wm LIKE '%''{}''%'", var(i)))
                .collect();
            let is_note = if notes.is_empty() {
                "FALSE".to_string()
            } else {
                format!("vdb_wc = 1265 AND ({})", notes.join(" OR "))
            };
            // A warning is raised again as an error with its own SQLSTATE
            // (RESIGNAL takes only literal ones); one with a warning's
            // SQLSTATE is raised again as it came (an error stays one).
            let mut raise = String::new();
            for state in ["22001", "22003", "22007", "22012", "23000"] {
                raise.push_str(&format!(
                    "ELSEIF vdb_ws = '{state}' THEN RESIGNAL SQLSTATE '{state}' \
                     SET MYSQL_ERRNO = vdb_wc, MESSAGE_TEXT = vdb_wm; "
                ));
            }
            format!(
                "GET DIAGNOSTICS CONDITION 1 vdb_wc = MYSQL_ERRNO, vdb_wm = MESSAGE_TEXT, \
                 vdb_ws = RETURNED_SQLSTATE; \
                 IF {is_note} THEN {record} ELSEIF vdb_ws LIKE '01%' THEN RESIGNAL; {raise}\
                 ELSE RESIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = vdb_wc, MESSAGE_TEXT = vdb_wm; END IF;"
            )
        } else {
            format!(
                "GET DIAGNOSTICS vdb_wn = NUMBER; SET vdb_wi = 0; WHILE vdb_wi < vdb_wn DO \
                 SET vdb_wi = vdb_wi + 1; \
                 GET DIAGNOSTICS CONDITION vdb_wi vdb_wc = MYSQL_ERRNO, vdb_wm = MESSAGE_TEXT; \
                 {record} END WHILE;"
            )
        };
        format!("DECLARE CONTINUE HANDLER FOR SQLWARNING BEGIN {body} END; ")
    }

    /// The bodies of the table's BEFORE triggers of `event`, in firing
    /// order, reading and setting the row's variables (`NEW.col` is
    /// `vdb_<i>`, `OLD.col` `vdb_o<i>`). [`writable`] let the write through
    /// only if each of them can run so.
    fn trigger_bodies(&self, event: &str) -> Result<String, OverlayError> {
        let mut s = String::new();
        let position = |c: &str| self.meta.position(c);
        for t in self
            .meta
            .triggers
            .iter()
            .filter(|t| t.before && !t.stepped() && t.event == event && t.blocked.is_none())
        {
            let body = crate::sql::trigger::over_row(
                &t.body,
                |c| position(c).map(var),
                |c| {
                    (event == "UPDATE" || event == "DELETE")
                        .then(|| position(c).map(old_var))
                        .flatten()
                },
            );
            // The tables it reads, over the merged view (names without a
            // database are the trigger's database's).
            let body = if crate::sql::trigger::reads_tables(&body) {
                let state = self.cx.delta.current();
                match rewrite_read(body.as_bytes(), &state, Some(&self.meta.id.schema), None) {
                    Ok(Some(merged)) => merged,
                    Ok(None) => body,
                    Err(e) => {
                        return unsupported(format!(
                        "writing to {}, whose trigger {} reads tables vdb cannot splice ({e:?})",
                        self.meta.id, t.name
                    ))
                    }
                }
            } else {
                body
            };
            s.push_str(&body);
            s.push_str("; ");
        }
        Ok(s)
    }

    /// The statements that finish and check one computed row (variables
    /// `vdb_<i>`): the BEFORE triggers fired, generated columns computed, in column order (each may
    /// read the ones before it), NOT NULL tested, then CHECK constraints,
    /// then return `select`.
    fn row_checks(&self, event: &str, ignore: bool, select: &str) -> Result<String, OverlayError> {
        let mut s = self.trigger_bodies(event)?;
        for (i, c) in self.meta.columns.iter().enumerate() {
            if let Some(g) = &c.generated {
                s.push_str(&format!("SET {} = ({}); ", var(i), self.over_vars(&g.expr)));
            }
        }
        for (i, c) in self.meta.columns.iter().enumerate() {
            if c.nullable || c.auto_increment {
                continue;
            }
            if ignore {
                s.push_str(&format!(
                    "IF {v} IS NULL THEN SET {v} = {d}; END IF; ",
                    v = var(i),
                    d = implicit_default(&c.column.data_type)
                ));
            } else {
                s.push_str(&format!(
                    "IF {} IS NULL THEN SIGNAL SQLSTATE '23000' SET MYSQL_ERRNO = 1048, MESSAGE_TEXT = 'vdb:null:{i}'; END IF; ",
                    var(i)
                ));
            }
        }
        for (n, check) in self.meta.checks.iter().enumerate() {
            s.push_str(&format!(
                "IF NOT ({}) THEN SIGNAL SQLSTATE '23000' SET MYSQL_ERRNO = 4025, MESSAGE_TEXT = 'vdb:check:{n}'; END IF; ",
                self.over_vars(&check.clause)
            ));
        }
        s.push_str(&format!("SELECT {select}, vdb_w; SET vdb_w = ''; "));
        Ok(s)
    }

    /// Whether the table has triggers of `event` that run a step at a
    /// time (AFTER ones, BEFORE ones that write): the statement then keeps
    /// the rows it writes for them, in [`Run::fired`].
    fn fires_stepped(&self, event: &str) -> bool {
        self.meta
            .triggers
            .iter()
            .any(|t| t.stepped() && t.event == event)
    }

    /// The select list that reads the delta key's columns of the table
    /// known as `alias`, as [`TableMeta::read_list`] reads them.
    fn key_read_list(&self, alias: &str) -> String {
        self.key
            .iter()
            .map(|&c| {
                let name = format!("{alias}.{}", quote_ident(&self.meta.columns[c].name));
                self.meta.read_expr(c, &name)
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Key values [`Run::key_read_list`] read, as the delta keeps them.
    fn key_stored(&self, key: Row) -> Row {
        let mut full = vec![None; self.meta.columns.len()];
        for (&c, v) in self.key.iter().zip(key) {
            full[c] = v;
        }
        let full = self.meta.stored(full);
        self.key.iter().map(|&c| full[c].clone()).collect()
    }

    /// `vdb_0, vdb_1, ...`: the computed row, as a block returns it.
    fn new_row_vars(&self) -> String {
        self.row_out(var)
    }

    /// The select list that returns the row held in the variables `name`
    /// gives each column, TIMESTAMP ones as seconds (see
    /// [`TableMeta::instant_expr`]); [`Run::run_block`] completes what it
    /// reads. (A BIT variable gives its bytes.)
    fn row_out(&self, name: fn(usize) -> String) -> String {
        (0..self.meta.columns.len())
            .map(|i| self.meta.instant_expr(i, &name(i)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The server's words for a value given to generated column `i`.
    fn generated_ignored(&self, i: usize) -> String {
        format!(
            "The value specified for generated column '{}' in table '{}' has been ignored",
            self.meta.columns[i].name,
            self.table().name
        )
    }

    /// What a block does where a statement gives generated column `i` a
    /// value (anything but DEFAULT): in strict mode without IGNORE it
    /// fails the statement with 1906 when a row reaches it; otherwise the
    /// value is ignored with a warning, which [`Self::ignored_generated`]
    /// records per row.
    fn refuse_generated(&self, i: usize, ignore: bool) -> String {
        if self.settings.strict && !ignore {
            format!(
                "SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = 1906, MESSAGE_TEXT = 'vdb:generated:{i}'; "
            )
        } else {
            String::new()
        }
    }

    /// Records the 1906 warnings of `rows` rows that each gave the
    /// generated columns `columns` a value.
    fn ignored_generated(&mut self, columns: &[usize], rows: usize) {
        for _ in 0..rows {
            for &i in columns {
                let message = self.generated_ignored(i);
                self.warnings.push(("Warning", 1906, message));
            }
        }
    }

    /// A CHECK clause with column names replaced by the row's variables.
    fn over_vars(&self, clause: &str) -> String {
        crate::sql::replace_names(clause, |_, name| self.meta.position(name).map(var))
    }

    /// Runs a block and maps its errors to what the statement would have
    /// said, numbering rows by the result sets that came before the error.
    /// With IGNORE the block runs with strict mode off: IGNORE converts as
    /// non-strict mode does (clamped values, warnings instead of errors).
    fn run_block(&mut self, block: &[u8], ignore: bool) -> Result<Vec<Row>, OverlayError> {
        let lenient = ignore && self.settings.strict;
        if lenient {
            self.cx.up.query(
                "SET @vdb_mode = @@SESSION.sql_mode, SESSION sql_mode = \
                 REPLACE(REPLACE(@@SESSION.sql_mode, 'STRICT_TRANS_TABLES', ''), 'STRICT_ALL_TABLES', '')",
            )?;
        }
        let (rows, err) = self.cx.up.query_partial(block);
        if lenient {
            self.cx.up.query("SET SESSION sql_mode = @vdb_mode")?;
        }
        match err {
            None => {
                // Each row a block returns is whole rows of the table (the
                // new one, the old one, or both), read by `row_out`.
                let mut rows = self.rows_and_warnings(rows);
                let width = self.meta.columns.len();
                for r in &mut rows {
                    for part in r.chunks_mut(width) {
                        self.meta.instants(part);
                    }
                }
                Ok(rows)
            }
            Some(UpstreamError::Server { code, payload }) => {
                Err(self.block_error(code, &payload, rows.len() as u64 + 1))
            }
            Some(e) => Err(e.into()),
        }
    }

    /// The block's rows without their last column, the warnings that row's
    /// computation raised ([`Self::warnings_handler`]), which are recorded in the
    /// client's terms. A note is told from a warning by what raises it: the
    /// server notes a DECIMAL value rounded to the column's scale.
    fn rows_and_warnings(&mut self, rows: Vec<Row>) -> Vec<Row> {
        let mut out = Vec::with_capacity(rows.len());
        for (n, mut r) in rows.into_iter().enumerate() {
            // A written row has its values and `vdb_w`; the warnings
            // raised after the last one come alone.
            let alone = r.len() == 1;
            let Some(Some(raised)) = r.pop() else {
                if !alone {
                    out.push(r);
                }
                continue;
            };
            for line in String::from_utf8_lossy(&raised).lines() {
                let Some((code, msg)) = line.split_once(' ') else {
                    continue;
                };
                let Ok(code) = code.parse::<u16>() else {
                    continue;
                };
                let message = self.in_client_terms(msg.to_string(), n as u64 + 1);
                let rounded = code == 1265
                    && (0..self.meta.columns.len())
                        .any(|i| self.notes_cuts(i) && msg.contains(&format!("'{}'", var(i))));
                let level = if rounded { "Note" } else { "Warning" };
                self.warnings.push((level, code, message));
            }
            if !alone {
                out.push(r);
            }
        }
        out
    }

    fn block_error(&self, code: u16, payload: &[u8], row: u64) -> OverlayError {
        let state = err_state(payload);
        let msg = err_message(payload);
        if let Some(i) = msg
            .strip_prefix("vdb:null:")
            .and_then(|n| n.parse::<usize>().ok())
        {
            return server(
                1048,
                "23000",
                format!("Column '{}' cannot be null", self.meta.columns[i].name),
            );
        }
        if let Some(i) = msg
            .strip_prefix("vdb:generated:")
            .and_then(|n| n.parse::<usize>().ok())
        {
            return server(1906, "HY000", self.generated_ignored(i));
        }
        if let Some(n) = msg
            .strip_prefix("vdb:check:")
            .and_then(|n| n.parse::<usize>().ok())
        {
            return server(
                4025,
                "23000",
                format!(
                    "CONSTRAINT {} failed for {}",
                    quote_ident(&self.meta.checks[n].name),
                    self.table().quoted()
                ),
            );
        }
        if code == 1328 {
            return server(
                1136,
                "21S01",
                format!("Column count doesn't match value count at row {row}"),
            );
        }
        OverlayError::Server {
            code,
            state,
            message: self.in_client_terms(msg, row),
        }
    }

    /// A message of the block's in the client's terms: its variables named
    /// as the columns they stand for, and its row counter as the client's
    /// row `row`.
    fn in_client_terms(&self, msg: String, row: u64) -> String {
        // Each variable the block declared, and the column it stands for;
        // longer numbers first so `vdb_12` is not read as `vdb_1`.
        let mut names: Vec<(String, usize)> = (0..self.meta.columns.len())
            .flat_map(|i| [(var(i), i), (old_var(i), i), (fetch_var(i), i)])
            .chain(
                self.assigned
                    .iter()
                    .enumerate()
                    .map(|(n, &i)| (assign_var(n), i)),
            )
            .collect();
        names.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
        let mut out = msg;
        for (v, i) in names {
            let col = &self.meta.columns[i].name;
            out = out
                .replace(
                    &format!("``.``.`{v}`"),
                    &format!("{}.{}", self.table().quoted(), quote_ident(col)),
                )
                .replace(&format!("'{v}'"), &format!("'{col}'"));
        }
        // The block's own row counter counts what its cursor read (over a
        // created table's view, a UNION, one more than the rows used): the
        // client's row is the one the block was computing.
        if let Some((stripped, n)) = out.rsplit_once(" at row ") {
            if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
                out = format!("{stripped} at row {row}");
            }
        }
        out
    }

    /// The merged view of `id` in the state being built, for a query that
    /// only uses its rows whose columns `names` hold the values of one of
    /// `rows` (a key lookup, rows shaped as for [`Self::rows_cte`]): a
    /// derived table of the captured rows that may match, or the plain
    /// table name when none may (or it has no changes).
    fn view(
        &self,
        w: &Writer,
        id: &TableId,
        names: &[&str],
        rows: &[(usize, Vec<&Value>)],
    ) -> Result<String, OverlayError> {
        let Some(t) = w.peek(id) else {
            return Ok(id.quoted());
        };
        let preds: Vec<Pred> = names
            .iter()
            .enumerate()
            .filter_map(|(j, name)| {
                let col = &t.meta.columns[t.meta.position(name)?].column;
                let lits = rows
                    .iter()
                    .map(|(_, v)| literal_for(col, v[j].as_deref()?))
                    .collect::<Option<Vec<_>>>()?;
                Some(Pred {
                    column: name.to_string(),
                    test: Test::In(lits),
                })
            })
            .collect();
        match t.restricted_sql(&preds) {
            Ok(Some(d)) => Ok(d.to_string()),
            Ok(None) => Ok(id.quoted()),
            Err(e) => Err(OverlayError::Unsupported(format!(
                "a changed {} value vdb cannot write as a literal ({})",
                e.column_type, e.value
            ))),
        }
    }

    /// `WITH vdb_n AS (SELECT 0 AS vdb_i, <lits> ...)`: the given rows'
    /// columns `cols` of table `meta`, as typed literals.
    fn rows_cte(
        meta: &TableMeta,
        name: &str,
        rows: &[(usize, Vec<&Option<Vec<u8>>>)],
        cols: &[usize],
    ) -> Result<String, OverlayError> {
        let mut s = format!("{name} AS (");
        for (n, (i, vals)) in rows.iter().enumerate() {
            if n > 0 {
                s.push_str(" UNION ALL ");
            }
            s.push_str(&format!("SELECT {i} AS vdb_i"));
            for (j, (v, &c)) in vals.iter().zip(cols).enumerate() {
                let lit = literal(meta, c, v)?;
                s.push_str(&format!(", {lit} AS vdb_c{j}"));
            }
        }
        s.push(')');
        Ok(s)
    }

    /// For each row `i` of `new` (the key columns' new values), the rows of
    /// the merged view with the same values in unique key `cols` (as encoded
    /// identity keys), and the earlier rows of `new` with the same values.
    fn collisions(
        &mut self,
        w: &Writer,
        new: &[(usize, Row)],
        cols: &[usize],
    ) -> Result<Collisions, OverlayError> {
        let rows: Vec<(usize, Vec<&Option<Vec<u8>>>)> = new
            .iter()
            .filter(|(_, r)| cols.iter().all(|&c| r[c].is_some()))
            .map(|(i, r)| (*i, cols.iter().map(|&c| &r[c]).collect()))
            .collect();
        let mut existing: HashMap<usize, Vec<Row>> = HashMap::new();
        let mut earlier = Earlier::default();
        if rows.is_empty() {
            return Ok((existing, earlier));
        }
        let cte = Self::rows_cte(&self.meta, "vdb_n", &rows, cols)?;
        let names: Vec<&str> = cols
            .iter()
            .map(|&c| self.meta.columns[c].name.as_str())
            .collect();
        let view = self.view(w, self.table(), &names, &rows)?;
        let on: Vec<String> = cols
            .iter()
            .enumerate()
            .map(|(j, &c)| format!("o.{} = n.vdb_c{j}", quote_ident(&self.meta.columns[c].name)))
            .collect();
        let ids = self.key_read_list("o");
        let q = format!(
            "WITH {cte} SELECT n.vdb_i, {ids} FROM vdb_n n JOIN {view} AS o ON {} ORDER BY n.vdb_i",
            on.join(" AND ")
        );
        for r in self.cx.up.query(&q)? {
            let i = parse_index(&r[0]);
            existing
                .entry(i)
                .or_default()
                .push(self.key_stored(r[1..].to_vec()));
        }
        if rows.len() > 1 {
            // Rows ranked alike have equal values, as the key compares
            // them (collations included).
            let by: Vec<String> = (0..cols.len()).map(|j| format!("vdb_c{j}")).collect();
            let q = format!(
                "WITH {cte} SELECT vdb_i, DENSE_RANK() OVER (ORDER BY {}) FROM vdb_n",
                by.join(", ")
            );
            let mut members: HashMap<usize, Vec<usize>> = HashMap::new();
            for r in self.cx.up.query(&q)? {
                members
                    .entry(parse_index(&r[1]))
                    .or_default()
                    .push(parse_index(&r[0]));
            }
            for (g, mut m) in members {
                if m.len() < 2 {
                    continue;
                }
                m.sort_unstable();
                for &i in &m {
                    earlier.group.insert(i, g);
                }
                earlier.members.insert(g, m);
            }
        }
        Ok((existing, earlier))
    }

    fn duplicate(&self, key: &crate::delta::UniqueKey, row: &Row) -> OverlayError {
        let value: Vec<String> = key
            .columns
            .iter()
            .map(|&c| {
                row[c]
                    .as_deref()
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_default()
            })
            .collect();
        let mut v = value.join("-");
        if v.chars().count() > 64 {
            v = v.chars().take(64).collect::<String>() + "...";
        }
        server(
            1062,
            "23000",
            format!("Duplicate entry '{v}' for key '{}'", key.name),
        )
    }

    fn insert(&mut self, w: &mut Writer, ins: &Insert) -> Result<WriteOutcome, OverlayError> {
        let n_cols = self.meta.columns.len();
        // Target positions, as listed (or all columns).
        let targets: Vec<usize> = match (&ins.columns, &ins.source) {
            (_, InsertSource::Set(set)) => {
                self.positions(set.iter().map(|a| a.column.as_str()), "field list")?
            }
            (Some(cols), _) => self.positions(cols.iter().map(|c| c.as_str()), "INSERT INTO")?,
            (None, _) => (0..n_cols).collect(),
        };
        let state = w.next.clone();
        let mut block = String::from("BEGIN NOT ATOMIC ");
        for i in 0..n_cols {
            block.push_str(&format!("DECLARE {} {}; ", var(i), self.var_type(i)));
        }
        block.push_str(WARNINGS_VARS);
        let mut block = block.into_bytes();
        let handler = self.warnings_handler(ins.ignore);
        if !matches!(ins.source, InsertSource::Query(_)) {
            block.extend_from_slice(handler.as_bytes());
        }
        let mut multi_row = false;
        // Generated columns are left to `row_checks`.
        let defaults = |this: &Self, given: &[usize]| -> Result<Vec<u8>, OverlayError> {
            let mut s = Vec::new();
            for i in 0..n_cols {
                if !given.contains(&i) && this.meta.columns[i].generated.is_none() {
                    s.extend_from_slice(
                        format!("SET {} = {}; ", var(i), this.default_in_block(i)?).as_bytes(),
                    );
                }
            }
            Ok(s)
        };
        // The generated columns given a value, once per row that gives it.
        let mut given_generated = Vec::new();
        let row_vars = self.new_row_vars();
        let rows: Vec<Vec<std::ops::Range<usize>>> = match &ins.source {
            InsertSource::Values(rows) => rows.clone(),
            InsertSource::Set(set) => vec![set.iter().map(|a| a.expr.clone()).collect()],
            InsertSource::Query(_) => Vec::new(),
        };
        if let InsertSource::Query(q) = &ins.source {
            let text = &self.sql[q.clone()];
            let query = self.merged(&state, text)?;
            // DECIMAL values are fetched whole and rounded by an
            // assignment, which notes the rounding (see `fetched_type`).
            let fetch: Vec<String> = targets
                .iter()
                .map(|&i| {
                    if self.is_decimal(i) {
                        fetch_var(i)
                    } else {
                        var(i)
                    }
                })
                .collect();
            for &i in targets.iter().filter(|&&i| self.is_decimal(i)) {
                block.extend_from_slice(
                    format!("DECLARE {} {}; ", fetch_var(i), self.fetched_type(i)).as_bytes(),
                );
            }
            multi_row = true;
            block.extend_from_slice(&cursor_loop(&query, &fetch, &handler));
            for &i in targets.iter().filter(|&&i| self.is_decimal(i)) {
                block.extend_from_slice(format!("SET {} = {}; ", var(i), fetch_var(i)).as_bytes());
            }
            for &i in &targets {
                if self.meta.columns[i].generated.is_some() {
                    block.extend_from_slice(self.refuse_generated(i, ins.ignore).as_bytes());
                }
            }
            block.extend_from_slice(&defaults(self, &targets)?);
            block.extend_from_slice(self.row_checks("INSERT", ins.ignore, &row_vars)?.as_bytes());
            block.extend_from_slice(CURSOR_LOOP_END.as_bytes());
        }
        multi_row |= rows.len() > 1;
        for (n, row) in rows.iter().enumerate() {
            if row.len() != targets.len() && !(row.is_empty() && ins.columns.is_none()) {
                return Err(server(
                    1136,
                    "21S01",
                    format!("Column count doesn't match value count at row {}", n + 1),
                ));
            }
            let given: Vec<usize> = if row.is_empty() {
                Vec::new()
            } else {
                targets.clone()
            };
            for (expr, &i) in row.iter().zip(&given) {
                if self.meta.columns[i].generated.is_some() {
                    if !is_default(self.sql, expr) {
                        block.extend_from_slice(self.refuse_generated(i, ins.ignore).as_bytes());
                        given_generated.push(i);
                    }
                    continue;
                }
                let text = if is_default(self.sql, expr) {
                    self.default_in_block(i)?.into_bytes()
                } else {
                    self.fragment(&state, &self.sql[expr.clone()])?
                };
                block.extend_from_slice(format!("SET {} = (", var(i)).as_bytes());
                block.extend_from_slice(&text);
                block.extend_from_slice(b"); ");
            }
            block.extend_from_slice(&defaults(self, &given)?);
            block.extend_from_slice(self.row_checks("INSERT", ins.ignore, &row_vars)?.as_bytes());
        }
        block.extend_from_slice(b"END");
        let mut rows = self.run_block(&block, ins.ignore)?;
        if let InsertSource::Query(_) = &ins.source {
            let generated: Vec<usize> = targets
                .iter()
                .copied()
                .filter(|&i| self.meta.columns[i].generated.is_some())
                .collect();
            self.ignored_generated(&generated, rows.len());
        } else {
            self.ignored_generated(&given_generated, 1);
        }
        // AUTO_INCREMENT: provisional values to test keys with; the final
        // ones once it is known which rows were not inserted.
        let auto = self.meta.auto_column();
        let counter = w
            .peek(self.table())
            .map(|t| t.next_auto)
            .unwrap_or_else(|| self.meta.auto_increment.unwrap_or(1).max(1));
        let known_rows = match &ins.source {
            InsertSource::Query(_) => None,
            _ => Some(rows.len() as u64),
        };
        // Per row: its own value, or None when it asks for one (only read
        // when the table has an AUTO_INCREMENT column).
        let asks: Vec<Option<u64>> = match auto {
            Some(a) => rows.iter().map(|r| self.explicit_auto(r, a)).collect(),
            None => Vec::new(),
        };
        let auto_assigned: Vec<bool> = asks.iter().map(Option::is_none).collect();
        let assign = |rows: &mut [Row], not_inserted: &dyn Fn(usize) -> bool| -> AutoInc {
            let mut sim = AutoInc::new(counter, known_rows);
            if let Some(a) = auto {
                for (n, row) in rows.iter_mut().enumerate() {
                    match asks[n] {
                        Some(v) => sim.explicit(v),
                        None => {
                            let v = sim.generate();
                            row[a] = Some(v.to_string().into_bytes());
                            if not_inserted(n) {
                                sim.give_back(v);
                            }
                        }
                    }
                    sim.row_done();
                }
            }
            sim
        };
        assign(&mut rows, &|_| false);
        if let Some(on_duplicate) = &ins.on_duplicate {
            return self.upsert(
                w,
                ins,
                on_duplicate,
                rows,
                &asks,
                counter,
                known_rows,
                multi_row,
            );
        }
        // Keys: each row in order against the merged view and earlier rows.
        let mut skip = vec![false; rows.len()];
        // Existing rows REPLACE deletes: identity, the row replacing it,
        // whether the server would update in place.
        let mut remove: Vec<(Row, usize, bool)> = Vec::new();
        let mut replaced_new = vec![false; rows.len()];
        let indexed: Vec<(usize, Row)> = rows.iter().cloned().enumerate().collect();
        let mut duplicates = 0u64;
        let mut skipped: Vec<(u16, String)> = Vec::new();
        let mut affected = 0u64;
        let keys = self.meta.unique_keys.clone();
        let mut hits: Vec<Collisions> = Vec::new();
        for k in &keys {
            hits.push(self.collisions(w, &indexed, &k.columns)?);
        }
        let mut removed_keys: std::collections::HashSet<Vec<u8>> = Default::default();
        for i in 0..rows.len() {
            let mut clash = None;
            for (kn, (existing, earlier)) in hits.iter().enumerate() {
                let live_existing: Vec<&Row> = existing
                    .get(&i)
                    .map(|v| {
                        v.iter()
                            .filter(|r| !removed_keys.contains(&encode_key(r.iter())))
                            .collect()
                    })
                    .unwrap_or_default();
                let live_earlier: Vec<usize> = earlier
                    .before(i)
                    .filter(|&j| !skip[j] && !replaced_new[j])
                    .collect();
                if live_existing.is_empty() && live_earlier.is_empty() {
                    continue;
                }
                if ins.replace {
                    // The server updates in place when the clash is on the
                    // last unique key and no foreign key references the
                    // table; an identical row then counts as no deletion.
                    let in_place = kn + 1 == hits.len() && self.meta.referenced_by.is_empty();
                    for r in live_existing {
                        removed_keys.insert(encode_key(r.iter()));
                        remove.push((r.clone(), i, in_place));
                    }
                    for j in live_earlier {
                        replaced_new[j] = true;
                        if !(in_place && rows[j] == rows[i]) {
                            affected += 1;
                            duplicates += 1;
                        }
                    }
                } else if clash.is_none() {
                    clash = Some(kn);
                }
            }
            if let Some(kn) = clash {
                if ins.ignore {
                    skip[i] = true;
                    duplicates += 1;
                    // The server keeps max_error_count (64) of them.
                    if skipped.len() < 64 {
                        if let OverlayError::Server { code, message, .. } =
                            self.duplicate(&keys[kn], &rows[i])
                        {
                            skipped.push((code, message));
                        }
                    }
                } else {
                    // The rows before it were written, and their values
                    // reserved: the counter stays moved.
                    let mut upto = rows[..=i].to_vec();
                    self.burned = Some(assign(&mut upto, &|_| false).counter);
                    return Err(self.duplicate(&keys[kn], &rows[i]));
                }
            }
        }
        let sim = assign(&mut rows, &|n| skip[n]);
        // Apply: deletions (REPLACE) first, with their foreign-key actions.
        let key = self.key.clone();
        if !remove.is_empty() {
            let idents: Vec<Row> = remove.iter().map(|(r, _, _)| r.clone()).collect();
            let full = self.full_rows(w, &idents)?;
            for (old, (_, by, in_place)) in full.iter().zip(&remove) {
                if !(*in_place && *old == rows[*by]) {
                    affected += 1;
                    duplicates += 1;
                }
            }
            self.parent_actions(w, &self.meta.clone(), &full, None)?;
            let t = w.table(&self.meta, &key);
            for r in &full {
                t.delete(r);
            }
        }
        let kept: Vec<Row> = rows
            .iter()
            .enumerate()
            .filter(|(i, _)| !skip[*i] && !replaced_new[*i])
            .map(|(_, r)| r.clone())
            .collect();
        if let Err(e) = self.child_checks(w, &self.meta.clone(), &kept) {
            // InnoDB checks a foreign key as it writes the row, its value
            // reserved (a batch of known size reserves all of its values).
            if auto.is_some() {
                self.burned = Some(sim.counter);
            }
            return Err(e);
        }
        let t = w.table(&self.meta, &key);
        for (i, r) in rows.iter().enumerate() {
            if !skip[i] && !replaced_new[i] {
                t.insert(r.clone());
            }
            if !skip[i] {
                affected += 1;
            }
        }
        if auto.is_some() {
            t.next_auto = t.next_auto.max(sim.counter);
        }
        if self.fires_stepped("INSERT") {
            // A row REPLACE replaces later in the statement was inserted
            // first all the same.
            for (_, r) in rows.iter().enumerate().filter(|(i, _)| !skip[*i]) {
                self.fired.push(triggers::Fired {
                    event: "INSERT",
                    old: None,
                    new: Some(r.clone()),
                });
            }
        }
        let generated = auto.and_then(|a| {
            (0..rows.len())
                .find(|&i| auto_assigned[i] && !skip[i])
                .and_then(|i| number(&rows[i][a]))
        });
        let last_insert_id = match (generated, auto) {
            (Some(g), _) => g,
            (None, Some(a)) => rows
                .iter()
                .enumerate()
                .rev()
                .find(|(i, _)| !skip[*i])
                .and_then(|(_, r)| number(&r[a]))
                .unwrap_or(0),
            _ => 0,
        };
        let info = if multi_row {
            format!(
                "Records: {}  Duplicates: {}  Warnings: {}",
                rows.len(),
                duplicates,
                if ins.ignore { duplicates } else { 0 }
            )
        } else {
            String::new()
        };
        let returning = match &ins.returning {
            None => None,
            Some(list) => {
                let written: Vec<&Row> = rows
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !skip[*i])
                    .map(|(_, r)| r)
                    .collect();
                let list = String::from_utf8_lossy(&self.sql[list.clone()]).into_owned();
                Some(returning_sql(&self.meta, &written, &list, &ins.table.name)?)
            }
        };
        Ok(WriteOutcome {
            raised: Vec::new(),
            affected,
            last_insert_id,
            generated_id: generated,
            info,
            returning,
            notes: Vec::new(),
            warnings: skipped,
        })
    }

    /// Row `row`'s own AUTO_INCREMENT value in column `a`, or None when it
    /// asks for one (NULL, or 0 unless NO_AUTO_VALUE_ON_ZERO).
    fn explicit_auto(&self, row: &Row, a: usize) -> Option<u64> {
        let v: i128 = number(&row[a])?;
        if v == 0 && !self.settings.no_auto_value_on_zero {
            return None;
        }
        Some(u64::try_from(v).unwrap_or(0))
    }

    fn positions<'s>(
        &self,
        names: impl Iterator<Item = &'s str>,
        clause: &str,
    ) -> Result<Vec<usize>, OverlayError> {
        let mut out = Vec::new();
        for n in names {
            let Some(i) = self.meta.position(n) else {
                return Err(server(
                    1054,
                    "42S22",
                    format!("Unknown column '{n}' in '{clause}'"),
                ));
            };
            if out.contains(&i) {
                return Err(server(
                    1110,
                    "42000",
                    format!("Column '{n}' specified twice"),
                ));
            }
            out.push(i);
        }
        Ok(out)
    }

    /// Full rows of the merged view for the given identity keys.
    fn full_rows(&mut self, w: &Writer, keys: &[Row]) -> Result<Vec<Row>, OverlayError> {
        let rows: Vec<(usize, Vec<&Option<Vec<u8>>>)> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (i, k.iter().collect()))
            .collect();
        let cte = Self::rows_cte(&self.meta, "vdb_k", &rows, &self.key)?;
        let names: Vec<&str> = self
            .key
            .iter()
            .map(|&c| self.meta.columns[c].name.as_str())
            .collect();
        let view = self.view(w, self.table(), &names, &rows)?;
        let on: Vec<String> = self
            .key
            .iter()
            .enumerate()
            .map(|(j, &c)| format!("o.{} = k.vdb_c{j}", quote_ident(&self.meta.columns[c].name)))
            .collect();
        let q = format!(
            "WITH {cte} SELECT {} FROM vdb_k k JOIN {view} AS o ON {} ORDER BY k.vdb_i",
            whole_row(&self.meta, "o"),
            on.join(" AND ")
        );
        let rows = self.cx.up.query(&q)?;
        Ok(rows.into_iter().map(|r| self.meta.stored(r)).collect())
    }

    /// Checks that every new row's foreign keys find their parent.
    fn child_checks(
        &mut self,
        w: &Writer,
        meta: &Arc<TableMeta>,
        rows: &[Row],
    ) -> Result<(), OverlayError> {
        if !self.settings.foreign_key_checks {
            return Ok(());
        }
        for fk in &meta.foreign_keys {
            let cols = meta.positions_of(&fk.child_columns);
            let with: Vec<(usize, Vec<&Option<Vec<u8>>>)> = rows
                .iter()
                .enumerate()
                .filter(|(_, r)| cols.iter().all(|&c| r[c].is_some()))
                .map(|(i, r)| (i, cols.iter().map(|&c| &r[c]).collect()))
                .collect();
            if with.is_empty() {
                continue;
            }
            let fails = || {
                server(
                    1452,
                    "23000",
                    format!(
                        "Cannot add or update a child row: a foreign key constraint fails ({})",
                        fk.describe()
                    ),
                )
            };
            // A key made with foreign_key_checks off may name a parent that
            // does not exist (a dump creates children first): no row finds
            // its parent then.
            if w.peek(&fk.parent).is_none() && self.cx.delta.current().schema.is_dropped(&fk.parent)
            {
                return Err(fails());
            }
            let mut cte = Self::rows_cte(meta, "vdb_n", &with, &cols)?;
            let names: Vec<&str> = fk.parent_columns.iter().map(String::as_str).collect();
            let parent = self.view(w, &fk.parent, &names, &with)?;
            let on: Vec<String> = fk
                .parent_columns
                .iter()
                .enumerate()
                .map(|(j, c)| format!("p.{} = n.vdb_c{j}", quote_ident(c)))
                .collect();
            // A key on its own table: InnoDB checks each row as it writes
            // it, so a row may reference itself or an earlier row of the
            // statement.
            let mut own = String::new();
            if fk.parent == meta.id {
                let pcols = meta.positions_of(&fk.parent_columns);
                let mine: Vec<(usize, Vec<&Option<Vec<u8>>>)> = rows
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (i, pcols.iter().map(|&c| &r[c]).collect()))
                    .collect();
                cte.push_str(", ");
                cte.push_str(&Self::rows_cte(meta, "vdb_s", &mine, &pcols)?);
                let same: Vec<String> = (0..pcols.len())
                    .map(|j| format!("s.vdb_c{j} = n.vdb_c{j}"))
                    .collect();
                own = format!(
                    " AND NOT EXISTS (SELECT 1 FROM vdb_s s WHERE s.vdb_i <= n.vdb_i AND {})",
                    same.join(" AND ")
                );
            }
            let q = format!(
                "WITH {cte} SELECT n.vdb_i FROM vdb_n n WHERE NOT EXISTS (SELECT 1 FROM {parent} AS p WHERE {}){own} LIMIT 1",
                on.join(" AND ")
            );
            match self.cx.up.query(&q) {
                Ok(rows) if rows.is_empty() => {}
                Ok(_) => return Err(fails()),
                Err(crate::upstream::UpstreamError::Server { code: 1146, .. }) => {
                    return Err(fails())
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// What foreign keys referencing `meta` do when `old` rows are deleted
    /// (`new` is `None`) or updated to `new`: RESTRICT fails with 1451,
    /// CASCADE and SET NULL change the children in the delta.
    fn parent_actions(
        &mut self,
        w: &mut Writer,
        meta: &Arc<TableMeta>,
        old: &[Row],
        new: Option<&[Row]>,
    ) -> Result<(), OverlayError> {
        if !self.settings.foreign_key_checks {
            return Ok(());
        }
        for fk in meta.referenced_by.clone() {
            let pcols = meta.positions_of(&fk.parent_columns);
            // Parent rows whose referenced values go away.
            let gone: Vec<(usize, Vec<&Option<Vec<u8>>>)> = old
                .iter()
                .enumerate()
                .filter(|(i, r)| {
                    pcols.iter().all(|&c| r[c].is_some())
                        && new.is_none_or(|n| pcols.iter().any(|&c| n[*i][c] != r[c]))
                })
                .map(|(i, r)| (i, pcols.iter().map(|&c| &r[c]).collect()))
                .collect();
            if gone.is_empty() {
                continue;
            }
            let child_meta = load(self.cx.up, self.cx.delta, &fk.child)?;
            let rule = if new.is_some() {
                fk.on_update
            } else {
                fk.on_delete
            };
            let cte = Self::rows_cte(meta, "vdb_p", &gone, &pcols)?;
            let names: Vec<&str> = fk.child_columns.iter().map(String::as_str).collect();
            let view = self.view(w, &fk.child, &names, &gone)?;
            let on: Vec<String> = fk
                .child_columns
                .iter()
                .enumerate()
                .map(|(j, c)| format!("c.{} = p.vdb_c{j}", quote_ident(c)))
                .collect();
            let q = format!(
                "WITH {cte} SELECT p.vdb_i, {} FROM {view} AS c JOIN vdb_p p ON {}",
                whole_row(&child_meta, "c"),
                on.join(" AND ")
            );
            let hits = self.cx.up.query(&q)?;
            if hits.is_empty() {
                continue;
            }
            if rule == FkRule::Restrict {
                return Err(fk_parent_error(&fk));
            }
            let Some(ckey) = child_meta.identity().map(|k| k.to_vec()) else {
                return unsupported(format!(
                    "a foreign-key action on {}, which has no primary key",
                    fk.child
                ));
            };
            let ccols: Vec<usize> = fk
                .child_columns
                .iter()
                .filter_map(|c| child_meta.position(c))
                .collect();
            let children: Vec<(usize, Row)> = hits
                .into_iter()
                .map(|r| (parse_index(&r[0]), child_meta.stored(r[1..].to_vec())))
                .collect();
            let old_children: Vec<Row> = children.iter().map(|(_, r)| r.clone()).collect();
            match (rule, new) {
                (FkRule::Cascade, None) => {
                    self.parent_actions(w, &child_meta, &old_children, None)?;
                    let t = w.table(&child_meta, &ckey);
                    for r in &old_children {
                        t.delete(r);
                    }
                }
                _ => {
                    let new_children: Vec<Row> = children
                        .iter()
                        .map(|(i, r)| {
                            let mut n = r.clone();
                            for (j, &c) in ccols.iter().enumerate() {
                                n[c] = match (rule, new) {
                                    (FkRule::Cascade, Some(newp)) => newp[*i][pcols[j]].clone(),
                                    _ => None,
                                };
                            }
                            n
                        })
                        .collect();
                    if rule == FkRule::SetNull
                        && ccols.iter().any(|&c| !child_meta.columns[c].nullable)
                    {
                        return Err(fk_parent_error(&fk));
                    }
                    self.parent_actions(w, &child_meta, &old_children, Some(&new_children))?;
                    let t = w.table(&child_meta, &ckey);
                    for (o, n) in old_children.iter().zip(new_children) {
                        t.update(o, n);
                    }
                }
            }
        }
        Ok(())
    }

    /// `ORDER BY <key>` when the statement has no ORDER BY, so rows are
    /// visited in the clustered index's order as InnoDB visits them.
    /// The tail's tokens (after the table: WHERE, ORDER BY, LIMIT),
    /// whether it has an ORDER BY of its own, and the position among the
    /// tokens of its LIMIT.
    fn tail_clauses(&self, text: &[u8]) -> (Vec<crate::sql::lexer::Token>, bool, Option<usize>) {
        let tokens = lex(text, self.cx.lex).tokens;
        let has_order = crate::sql::lexer::top_level(text, &tokens, "ORDER")
            .next()
            .is_some();
        let limit = crate::sql::lexer::top_level(text, &tokens, "LIMIT").next();
        (tokens, has_order, limit)
    }

    fn ordered_tail(&self, tail: &std::ops::Range<usize>, alias: &str) -> Vec<u8> {
        let text = &self.sql[tail.clone()];
        let (tokens, has_order, limit) = self.tail_clauses(text);
        let limit_at = limit.map(|i| tokens[i].start);
        // A key-less table has no order but its scan order (InnoDB's
        // hidden row id: source rows first, then the newer ones).
        if has_order || self.meta.keyless() {
            return text.to_vec();
        }
        let order: Vec<String> = self
            .key
            .iter()
            .map(|&c| {
                format!(
                    "{}.{}",
                    quote_ident(alias),
                    quote_ident(&self.meta.columns[c].name)
                )
            })
            .collect();
        let clause = format!(" ORDER BY {} ", order.join(", "));
        let at = limit_at.unwrap_or(text.len());
        let mut out = text[..at].to_vec();
        out.extend_from_slice(clause.as_bytes());
        out.extend_from_slice(&text[at..]);
        out
    }

    /// Refuses an UPDATE or DELETE ... LIMIT n without ORDER BY of a
    /// key-less table whose delta took source copies over, when it would
    /// reach more than n rows and they are not all alike. The server
    /// reaches rows in scan order, where copies vdb took over keep their
    /// places among the source's, places vdb does not know (it lists them
    /// after the source's rows): any n of identical rows are the same n,
    /// but of different rows the server could pick others than vdb.
    fn check_limit_order(
        &mut self,
        state: &DeltaState,
        verb: &str,
        from: &str,
        tail: &std::ops::Range<usize>,
        alias: &str,
    ) -> Result<(), OverlayError> {
        let taken_over = state
            .tables
            .get(&self.meta.id)
            .is_some_and(|t| t.counted && !t.hidden.is_empty());
        if !taken_over {
            return Ok(());
        }
        let text = &self.sql[tail.clone()];
        let (tokens, has_order, limit) = self.tail_clauses(text);
        let Some(at) = limit.filter(|_| !has_order) else {
            return Ok(());
        };
        let n: Option<u64> = tokens
            .get(at + 1)
            .and_then(|t| std::str::from_utf8(t.text(text)).ok()?.parse().ok());
        let mut sel = format!("SELECT {} FROM {from} ", whole_row(&self.meta, alias)).into_bytes();
        sel.extend_from_slice(&text[..tokens[at].start]);
        let sel = self.merged(state, &sel)?;
        let (rows, err) = self.cx.up.query_partial(&sel);
        if let Some(e) = err {
            return Err(e.into());
        }
        let alike = rows.windows(2).all(|w| w[0] == w[1]);
        if alike || n.is_some_and(|n| rows.len() as u64 <= n) {
            return Ok(());
        }
        unsupported(format!(
            "{verb} ... LIMIT of {} without ORDER BY after rows of it were changed: it has no unique key, and which of its rows the server would reach first vdb does not know",
            self.meta.id
        ))
    }

    fn target_text(&self, alias: &Option<String>) -> (String, String) {
        let name = alias.clone().unwrap_or_else(|| self.meta.id.name.clone());
        let from = format!("{} AS {}", self.meta.id.quoted(), quote_ident(&name));
        (from, name)
    }

    fn update(&mut self, w: &mut Writer, up: &Update) -> Result<WriteOutcome, OverlayError> {
        let assigned = self.assignment_columns(&up.set, "UPDATE", "SET")?;
        let mut set = Vec::new();
        for (a, &i) in up.set.iter().zip(&assigned) {
            let text = if is_default(self.sql, &a.expr) {
                self.default_expr(i)?.into_bytes()
            } else {
                self.sql[a.expr.clone()].to_vec()
            };
            set.push((i, text));
        }
        let (from, alias) = self.target_text(&up.alias);
        if self.meta.keyless() {
            let state = w.next.clone();
            self.check_limit_order(&state, "UPDATE", &from, &up.tail, &alias)?;
        }
        let tail = self.ordered_tail(&up.tail, &alias);
        let pairs = self.updated_rows(w, &set, (from.as_bytes(), &alias), &tail, up.ignore)?;
        let matched = pairs.len() as u64;
        let applied = self.apply_updates(w, &pairs, up.ignore)?;
        let changed_count = applied.len() as u64;
        if self.fires_stepped("UPDATE") {
            // A matched row fires them unchanged too; one IGNORE skipped
            // does not.
            for (i, (old, new)) in pairs.iter().enumerate() {
                if old == new || applied.binary_search(&i).is_ok() {
                    self.fired.push(triggers::Fired {
                        event: "UPDATE",
                        old: Some(old.clone()),
                        new: Some(new.clone()),
                    });
                }
            }
        }
        Ok(WriteOutcome {
            raised: Vec::new(),
            affected: if self.cx.found_rows {
                matched
            } else {
                changed_count
            },
            last_insert_id: 0,
            generated_id: None,
            info: format!("Rows matched: {matched}  Changed: {changed_count}  Warnings: 0"),
            returning: None,
            notes: Vec::new(),
            warnings: Vec::new(),
        })
    }

    /// The columns `set` assigns, refusing what vdb would evaluate
    /// differently: an assignment that reads a column assigned before it
    /// (the server reads the new value) where the block cannot compute it
    /// over the row's variables (see [`Run::reads_earlier`]).
    fn assignment_columns(
        &mut self,
        set: &[Assignment],
        statement: &str,
        clause: &str,
    ) -> Result<Vec<usize>, OverlayError> {
        let assigned = self.positions_allowing_repeats(set, clause)?;
        for (n, a) in set.iter().enumerate() {
            let reads_earlier = set[..n]
                .iter()
                .any(|earlier| mentions(self.sql, a.expr.clone(), &earlier.column, self.cx.lex));
            if reads_earlier && !over_row_alone(&self.sql[a.expr.clone()], self.cx.lex) {
                return unsupported(format!(
                    "{statement} whose SET reads a column it assigned earlier in the same statement, in a subquery or qualified"
                ));
            }
        }
        Ok(assigned)
    }

    /// Per assignment of `set`, whether it reads a column an earlier one
    /// assigned: the server evaluates SET left to right, each assignment
    /// reading the row as the ones before it left it, so the block
    /// computes such an assignment over the row's variables rather than
    /// fetching it with the old row ([`Run::assignment_columns`] let
    /// through only those it can: no subquery, no qualified name).
    fn reads_earlier(&self, set: &[&(usize, Vec<u8>)]) -> Vec<bool> {
        set.iter()
            .enumerate()
            .map(|(n, (_, text))| {
                set[..n].iter().any(|(j, _)| {
                    let whole = 0..text.len();
                    mentions(text, whole, &self.meta.columns[*j].name, self.cx.lex)
                })
            })
            .collect()
    }

    /// The rows of the merged view that `SELECT ... FROM <from> <tail>`
    /// selects (`from` names the table as `alias`), in that order, each with its old image and its new one:
    /// `set` (column, expression text) applied and converted to the
    /// columns' types, NOT NULL and CHECK tested.
    fn updated_rows(
        &mut self,
        w: &Writer,
        set: &[(usize, Vec<u8>)],
        (from, alias): (&[u8], &str),
        tail: &[u8],
        ignore: bool,
    ) -> Result<Vec<(Row, Row)>, OverlayError> {
        // DEFAULT for a generated column assigns nothing; any other value
        // is refused or ignored (see `refuse_generated`).
        let set: Vec<&(usize, Vec<u8>)> = set
            .iter()
            .filter(|(i, text)| {
                self.meta.columns[*i].generated.is_none() || text != GENERATED_DEFAULT.as_bytes()
            })
            .collect();
        let generated: Vec<usize> = set
            .iter()
            .map(|(i, _)| *i)
            .filter(|&i| self.meta.columns[i].generated.is_some())
            .collect();
        self.assigned = set.iter().map(|(i, _)| *i).collect();
        let n_cols = self.meta.columns.len();
        let alias = quote_ident(alias);
        let mut sel = b"SELECT ".to_vec();
        let olds: Vec<String> = self
            .meta
            .columns
            .iter()
            .map(|c| format!("{alias}.{}", quote_ident(&c.name)))
            .collect();
        sel.extend_from_slice(olds.join(", ").as_bytes());
        let in_block = self.reads_earlier(&set);
        for ((_, text), later) in set.iter().zip(&in_block) {
            if !later {
                sel.extend_from_slice(b", (");
                sel.extend_from_slice(text);
                sel.push(b')');
            }
        }
        sel.extend_from_slice(b" FROM ");
        sel.extend_from_slice(from);
        sel.push(b' ');
        sel.extend_from_slice(tail);
        let sel = self.merged(&w.next, &sel)?;
        let mut block = String::from("BEGIN NOT ATOMIC ");
        for i in 0..n_cols {
            block.push_str(&format!("DECLARE {} {}; ", old_var(i), self.var_type(i)));
            block.push_str(&format!("DECLARE {} {}; ", var(i), self.var_type(i)));
        }
        // Each assignment's raw value goes through its column's variable.
        let mut fetch: Vec<String> = (0..n_cols).map(old_var).collect();
        for (n, (i, _)) in set.iter().enumerate().filter(|(n, _)| !in_block[*n]) {
            block.push_str(&format!(
                "DECLARE {} {}; ",
                assign_var(n),
                self.fetched_type(*i)
            ));
            fetch.push(assign_var(n));
        }
        block.push_str(WARNINGS_VARS);
        let mut block = block.into_bytes();
        block.extend_from_slice(&cursor_loop(&sel, &fetch, &self.warnings_handler(ignore)));
        let mut body = String::new();
        for i in 0..n_cols {
            body.push_str(&format!("SET {} = {}; ", var(i), old_var(i)));
        }
        for (n, (i, _)) in set.iter().enumerate() {
            if self.meta.columns[*i].generated.is_some() {
                body.push_str(&self.refuse_generated(*i, ignore));
            } else if in_block[n] {
                let expr = self.over_vars(&String::from_utf8_lossy(&set[n].1));
                body.push_str(&format!("SET {} = ({expr}); ", var(*i)));
            } else {
                body.push_str(&format!("SET {} = {}; ", var(*i), assign_var(n)));
            }
        }
        let select = format!("{}, {}", self.row_out(old_var), self.new_row_vars());
        body.push_str(&self.row_checks("UPDATE", ignore, &select)?);
        body.push_str(CURSOR_LOOP_END);
        body.push_str("END");
        block.extend_from_slice(body.as_bytes());
        let rows = self.run_block(&block, ignore)?;
        self.ignored_generated(&generated, rows.len());
        let mut pairs: Vec<(Row, Row)> = rows
            .into_iter()
            .map(|mut r| {
                let new = r.split_off(n_cols);
                (r, new)
            })
            .collect();
        self.on_update(&mut pairs)?;
        Ok(pairs)
    }

    /// `ON UPDATE current_timestamp(n)`: a row the UPDATE changes takes the
    /// statement's time in each such column it does not assign (nor a
    /// BEFORE UPDATE trigger), as the server sets it once the row differs.
    fn on_update(&mut self, pairs: &mut [(Row, Row)]) -> Result<(), OverlayError> {
        let set_by_trigger = |c: &str| {
            self.meta.triggers.iter().any(|t| {
                t.before
                    && t.event == "UPDATE"
                    && crate::sql::trigger::row_references(&t.body)
                        .iter()
                        .any(|r| r.new && r.assigned && r.column.eq_ignore_ascii_case(c))
            })
        };
        let auto: Vec<(usize, String)> = self
            .meta
            .columns
            .iter()
            .enumerate()
            .filter(|(i, c)| c.on_update.is_some() && !self.assigned.contains(i))
            .filter(|(_, c)| !set_by_trigger(&c.name))
            .filter_map(|(i, c)| Some((i, c.on_update.clone()?)))
            .collect();
        if auto.is_empty() || pairs.iter().all(|(o, n)| o == n) {
            return Ok(());
        }
        let list: Vec<String> = auto
            .iter()
            .map(|(i, e)| self.meta.read_expr(*i, e))
            .collect();
        let now = self.cx.up.query(&format!("SELECT {}", list.join(", ")))?;
        let Some(now) = now.into_iter().next() else {
            return Ok(());
        };
        // The statement's time, in each column's place, as the delta keeps it.
        let mut stamped = vec![None; self.meta.columns.len()];
        for (k, (i, _)) in auto.iter().enumerate() {
            stamped[*i] = now[k].clone();
        }
        self.meta.instants(&mut stamped);
        for (_, new) in pairs.iter_mut().filter(|(o, n)| o != n) {
            for (i, _) in &auto {
                new[*i] = stamped[*i].clone();
            }
        }
        Ok(())
    }

    /// Applies updated rows (old and new images, in the order the server
    /// visits them) to the delta: unique keys first (a new value may not
    /// meet an untouched row, a row not yet updated, or a row already
    /// updated; IGNORE skips such rows), then foreign keys. Returns the
    /// indexes of the rows that changed and were applied.
    fn apply_updates(
        &mut self,
        w: &mut Writer,
        pairs: &[(Row, Row)],
        ignore: bool,
    ) -> Result<Vec<usize>, OverlayError> {
        self.skipped_duplicates.clear();
        let changed: Vec<usize> = (0..pairs.len())
            .filter(|&i| pairs[i].0 != pairs[i].1)
            .collect();
        let touched: HashMap<Vec<u8>, usize> = pairs
            .iter()
            .enumerate()
            .map(|(i, (o, _))| (encode_key(self.key.iter().map(|&c| &o[c])), i))
            .collect();
        let mut skip = vec![false; pairs.len()];
        let keys = self.meta.unique_keys.clone();
        for k in &keys {
            let moved: Vec<(usize, Row)> = changed
                .iter()
                .filter(|&&i| k.columns.iter().any(|&c| pairs[i].0[c] != pairs[i].1[c]))
                .map(|&i| (i, pairs[i].1.clone()))
                .collect();
            if moved.is_empty() {
                continue;
            }
            let (existing, earlier) = self.collisions(w, &moved, &k.columns)?;
            for &(i, _) in &moved {
                let bad_existing = existing.get(&i).is_some_and(|v| {
                    v.iter()
                        .any(|ident| match touched.get(&encode_key(ident.iter())) {
                            Some(&j) => j > i,
                            None => true,
                        })
                });
                let bad_earlier = earlier.before(i).any(|j| !skip[j]);
                if bad_existing || bad_earlier {
                    if ignore {
                        skip[i] = true;
                        if let OverlayError::Server { message, .. } = self.duplicate(k, &pairs[i].1)
                        {
                            self.skipped_duplicates.push(message);
                        }
                    } else {
                        return Err(self.duplicate(k, &pairs[i].1));
                    }
                }
            }
        }
        let applied: Vec<usize> = changed.iter().copied().filter(|&i| !skip[i]).collect();
        let old: Vec<Row> = applied.iter().map(|&i| pairs[i].0.clone()).collect();
        let new: Vec<Row> = applied.iter().map(|&i| pairs[i].1.clone()).collect();
        let fk_changed: Vec<Row> = applied
            .iter()
            .filter(|&&i| {
                self.meta.foreign_keys.iter().any(|fk| {
                    fk.child_columns
                        .iter()
                        .filter_map(|c| self.meta.position(c))
                        .any(|c| pairs[i].0[c] != pairs[i].1[c])
                })
            })
            .map(|&i| pairs[i].1.clone())
            .collect();
        self.child_checks(w, &self.meta.clone(), &fk_changed)?;
        self.parent_actions(w, &self.meta.clone(), &old, Some(&new))?;
        let key = self.key.clone();
        let auto = self.meta.auto_column();
        let raised = auto.and_then(|a| new.iter().filter_map(|r| self.explicit_auto(r, a)).max());
        self.adopt(w, &old)?;
        let t: &mut TableDelta = w.table(&self.meta, &key);
        t.update_all(&old, new);
        // InnoDB moves the counter past an AUTO_INCREMENT value an UPDATE
        // writes.
        if let Some(v) = raised {
            t.next_auto = t.next_auto.max(v.saturating_add(1));
        }
        Ok(applied)
    }

    /// Before rows of a key-less table (as read over the merged view) are
    /// removed or replaced: the source copies of their images become delta
    /// copies, as many as the source holds, so that removing one of two
    /// identical rows leaves the other (see [`TableDelta::counted`]).
    fn adopt(&mut self, w: &mut Writer, rows: &[Row]) -> Result<(), OverlayError> {
        if !self.meta.keyless() {
            return Ok(());
        }
        let key = self.key.clone();
        let t = w.table(&self.meta, &key);
        let mut images: Vec<&Row> = rows.iter().filter(|r| t.needs_adoption(r)).collect();
        images.sort();
        images.dedup();
        if images.is_empty() {
            return Ok(());
        }
        let sql = t.count_sql(&images).map_err(bad_value)?;
        let counts = self.cx.up.query(&sql)?;
        let t = w.table(&self.meta, &key);
        for c in counts {
            let (Some(n), Some(copies)) = (number::<usize>(&c[0]), number::<u64>(&c[1])) else {
                continue;
            };
            t.adopt(images[n], copies);
        }
        Ok(())
    }

    /// The positions of the columns `set` assigns, in order; a column may
    /// come more than once (the block assigns it each time, left to
    /// right, as the server does).
    fn positions_allowing_repeats(
        &self,
        set: &[Assignment],
        clause: &str,
    ) -> Result<Vec<usize>, OverlayError> {
        set.iter()
            .map(|a| {
                self.meta.position(&a.column).ok_or_else(|| {
                    server(
                        1054,
                        "42S22",
                        format!("Unknown column '{}' in '{clause}'", a.column),
                    )
                })
            })
            .collect()
    }

    /// The notes and warnings the source left while it found a DELETE's
    /// rows (a WHERE that compares a string with a number: 1292), which
    /// the server's DELETE leaves too, in strict mode as well.
    fn where_warnings(&mut self) -> Result<(), OverlayError> {
        if self.cx.up.last_warnings() == 0 {
            return Ok(());
        }
        for r in self.cx.up.query("SHOW WARNINGS")? {
            let level = match text(&r[0]).as_str() {
                "Note" => "Note",
                "Error" => "Error",
                _ => "Warning",
            };
            let code = text(&r[1]).parse().unwrap_or(0);
            self.warnings.push((level, code, text(&r[2])));
        }
        Ok(())
    }

    /// The rows a DELETE removes, each having fired the table's BEFORE
    /// DELETE triggers (in a block like UPDATE's: `OLD.col` is the row's
    /// variable; a SIGNAL stops the statement with nothing removed).
    fn deleted_by_triggers(&mut self, sel: &[u8]) -> Result<Vec<Row>, OverlayError> {
        let n_cols = self.meta.columns.len();
        let mut block = String::from("BEGIN NOT ATOMIC ");
        for i in 0..n_cols {
            block.push_str(&format!("DECLARE {} {}; ", old_var(i), self.var_type(i)));
        }
        block.push_str(WARNINGS_VARS);
        let fetch: Vec<String> = (0..n_cols).map(old_var).collect();
        let mut block = block.into_bytes();
        // The server's DELETE warns and does not fail on what its WHERE
        // raises, in strict mode too.
        block.extend_from_slice(&cursor_loop(sel, &fetch, &self.warnings_handler(true)));
        let mut body = self.trigger_bodies("DELETE")?;
        body.push_str(&format!(
            "SELECT {}, vdb_w; SET vdb_w = ''; ",
            self.row_out(old_var)
        ));
        body.push_str(CURSOR_LOOP_END);
        body.push_str("END");
        block.extend_from_slice(body.as_bytes());
        self.run_block(&block, false)
    }

    fn delete(&mut self, w: &mut Writer, del: &Delete) -> Result<WriteOutcome, OverlayError> {
        let state = w.next.clone();
        let (from, alias) = self.target_text(&del.alias);
        if self.meta.keyless() {
            self.check_limit_order(&state, "DELETE", &from, &del.tail, &alias)?;
        }
        // With a LIMIT the server stops at the last row it deletes, and
        // which rows it looked at is its plan's business: none are listed.
        let limited = crate::sql::lexer::lex(&self.sql[del.tail.clone()], self.cx.lex)
            .tokens
            .iter()
            .any(|t| t.is_word(&self.sql[del.tail.clone()], "LIMIT"));
        let fires = self
            .meta
            .triggers
            .iter()
            .any(|t| t.before && !t.stepped() && t.event == "DELETE");
        let rows: Vec<Row> = if fires {
            let columns: Vec<String> = self
                .meta
                .columns
                .iter()
                .map(|c| format!("{}.{}", quote_ident(&alias), quote_ident(&c.name)))
                .collect();
            let mut sel = format!("SELECT {} FROM {from} ", columns.join(", ")).into_bytes();
            sel.extend_from_slice(&self.ordered_tail(&del.tail, &alias));
            let sel = self.merged(&state, &sel)?;
            let before = self.warnings.len();
            let rows = self.deleted_by_triggers(&sel)?;
            if limited {
                self.warnings.truncate(before);
            }
            rows
        } else {
            let mut sel =
                format!("SELECT {} FROM {from} ", whole_row(&self.meta, &alias)).into_bytes();
            sel.extend_from_slice(&self.ordered_tail(&del.tail, &alias));
            let sel = self.merged(&state, &sel)?;
            let (rows, err) = self.cx.up.query_partial(&sel);
            if let Some(e) = err {
                return Err(e.into());
            }
            if !limited {
                self.where_warnings()?;
            }
            rows.into_iter().map(|r| self.meta.stored(r)).collect()
        };
        self.parent_actions(w, &self.meta.clone(), &rows, None)?;
        self.adopt(w, &rows)?;
        let key = self.key.clone();
        let t = w.table(&self.meta, &key);
        for r in &rows {
            t.delete(r);
        }
        if self.fires_stepped("DELETE") {
            self.fired.extend(rows.iter().map(|r| triggers::Fired {
                event: "DELETE",
                old: Some(r.clone()),
                new: None,
            }));
        }
        Ok(WriteOutcome {
            affected: rows.len() as u64,
            ..WriteOutcome::default()
        })
    }
}

/// `SELECT <list> FROM (<rows as typed literals>) AS <table>`: what
/// `RETURNING <list>` answers over the rows a statement wrote.
fn returning_sql(
    meta: &TableMeta,
    rows: &[&Row],
    list: &str,
    table: &str,
) -> Result<String, OverlayError> {
    let names: Vec<String> = meta.columns.iter().map(|c| quote_ident(&c.name)).collect();
    let bad = |e: crate::sql::literal::BadValue| {
        OverlayError::Unsupported(format!("RETURNING a {} value", e.column_type))
    };
    let mut parts = Vec::with_capacity(rows.len().max(1));
    if rows.is_empty() {
        let mut items = Vec::with_capacity(names.len());
        for (c, n) in meta.columns.iter().zip(&names) {
            items.push(format!("{} AS {n}", c.column.literal(None).map_err(bad)?));
        }
        parts.push(format!("SELECT {} FROM DUAL WHERE 0", items.join(", ")));
    }
    for (k, r) in rows.iter().enumerate() {
        let mut items = Vec::with_capacity(names.len());
        for ((c, n), v) in meta.columns.iter().zip(&names).zip(r.iter()) {
            let lit = c.column.literal(v.as_deref()).map_err(bad)?;
            items.push(if k == 0 { format!("{lit} AS {n}") } else { lit });
        }
        parts.push(format!("SELECT {}", items.join(", ")));
    }
    Ok(format!(
        "SELECT {list} FROM ({}) AS {}",
        parts.join(" UNION ALL "),
        quote_ident(table)
    ))
}

/// Whether an expression reads only the row's own columns by bare names
/// (no subquery, no qualified name), so that a block can compute it over
/// the row's variables.
fn over_row_alone(expr: &[u8], mode: crate::sql::lexer::LexMode) -> bool {
    use crate::sql::lexer::Kind;
    let tokens = lex(expr, mode).tokens;
    let number =
        |t: &crate::sql::lexer::Token| t.kind == Kind::Word && expr[t.start].is_ascii_digit();
    tokens.iter().enumerate().all(|(n, t)| {
        if t.is_word(expr, "SELECT") {
            return false;
        }
        if !t.is_punct(b'.') {
            return true;
        }
        // A decimal point (`0.25`, `.5`, `1.e0`), not a qualifier
        // (`t.col`, `` `t`.col ``), which follows a name.
        let before = n
            .checked_sub(1)
            .map(|p| &tokens[p])
            .filter(|p| p.end == t.start);
        match before {
            None => true,
            Some(p) => p.kind != Kind::QuotedIdent && (p.kind != Kind::Word || number(p)),
        }
    })
}

/// The select list that reads a whole row of `meta` known as `alias`
/// (see [`TableMeta::read_list`]).
fn whole_row(meta: &TableMeta, alias: &str) -> String {
    meta.read_list(&quote_ident(alias))
}

fn fk_parent_error(fk: &ForeignKey) -> OverlayError {
    server(
        1451,
        "23000",
        format!(
            "Cannot delete or update a parent row: a foreign key constraint fails ({})",
            fk.describe()
        ),
    )
}

fn parse_index(v: &Option<Vec<u8>>) -> usize {
    number(v).unwrap_or(usize::MAX)
}

/// A value read as a number (the source sends integers as text).
fn number<T: std::str::FromStr>(v: &Value) -> Option<T> {
    std::str::from_utf8(v.as_deref()?).ok()?.parse().ok()
}

/// Column `c` of `meta`'s value `v` as a typed SQL literal.
fn literal(meta: &TableMeta, c: usize, v: &Value) -> Result<String, OverlayError> {
    meta.columns[c]
        .column
        .literal(v.as_deref())
        .map_err(bad_value)
}

fn bad_value(e: crate::sql::literal::BadValue) -> OverlayError {
    OverlayError::Unsupported(format!(
        "a {} value vdb cannot write as a literal ({})",
        e.column_type, e.value
    ))
}

/// The value a NOT NULL column takes for NULL outside strict mode (and
/// under IGNORE): zero of its type, or the empty string.
fn implicit_default(data_type: &str) -> &'static str {
    match data_type {
        "char" | "varchar" | "tinytext" | "text" | "mediumtext" | "longtext" | "binary"
        | "varbinary" | "tinyblob" | "blob" | "mediumblob" | "longblob" | "enum" | "set" => "''",
        _ => "0",
    }
}

#[cfg(test)]
mod tests {
    use super::over_row_alone;

    #[test]
    fn an_assignment_over_the_rows_own_columns_is_told_from_one_reading_further() {
        let alone = |e: &str| over_row_alone(e.as_bytes(), Default::default());
        assert!(alone("d + 0.25 * .5 - 1.e0"));
        assert!(alone("COALESCE(a, `b`) + LENGTH(c)"));
        assert!(!alone("t.a + 1"));
        assert!(!alone("`t`.a"));
        assert!(!alone("(SELECT MAX(a) FROM u)"));
    }
}

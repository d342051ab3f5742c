//! The triggers a write runs a step at a time: AFTER triggers, and
//! BEFORE triggers that write tables (those that only compute and check
//! the row run inside the block that computes it). Once a statement's rows
//! are computed (and before anything commits), each row it inserted,
//! updated or deleted fires them, row by row: its BEFORE triggers that
//! write, then its AFTER triggers, each in ACTION_ORDER, as the server
//! fires them. A body runs a step at a time
//! ([`crate::sql::trigger::program`]): its `NEW.col` and `OLD.col` become
//! the row's values as typed literals; an INSERT, REPLACE, UPDATE or
//! DELETE runs as a captured write of its own, into the statement's state;
//! an IF's condition and any other statement (`SET @n = ...`, `SIGNAL`)
//! run at the source, over the merged view. An error anywhere fails the
//! statement, and nothing of it is kept.
//!
//! Running them once the statement's rows are all written (the server
//! runs each row's around that row) is the same, because a trigger may not
//! write a table its statement uses (1442, below), and
//! [`super::writable`] refuses a table whose in-block BEFORE triggers read
//! tables when its stepped triggers write: only then could a later row see
//! an earlier row's trigger writes. It also refuses a BEFORE trigger that
//! writes where its NEW values would not be the server's yet (see
//! `before_steps_runnable`), and under IGNORE, ON DUPLICATE KEY UPDATE or
//! REPLACE, whose rows that fire BEFORE triggers are not the rows written.

use std::sync::Arc;

use crate::delta::{Row, TableId, TableMeta, Trigger, Writer};
use crate::sql::rewrite::quote_ident;
use crate::sql::trigger::{over_row, program, reads_tables, step_texts, Step};

use super::super::meta::text_literal;
use super::super::{rewrite_read, OverlayError};
use super::{execute, literal, server, unsupported, WriteContext};

/// A row a statement wrote, as its stepped triggers see it.
#[derive(Debug, Clone)]
pub(super) struct Fired {
    /// `INSERT`, `UPDATE` or `DELETE`.
    pub event: &'static str,
    /// OLD (UPDATE, DELETE).
    pub old: Option<Row>,
    /// NEW (INSERT, UPDATE).
    pub new: Option<Row>,
}

/// Whether a body has a step that writes a table.
pub(super) fn writes(body: &str) -> bool {
    program(body).is_ok_and(|p| step_texts(&p).iter().any(|(_, write)| *write))
}

/// The AUTO_INCREMENT counters a failed statement's triggers moved: the
/// values their writes reserved stay used, as in InnoDB (table, its key,
/// the counter).
pub(super) type Burned = Vec<(Arc<TableMeta>, Vec<usize>, u64)>;

/// Notes and warnings a statement leaves: level, code, message.
type Raised = Vec<(&'static str, u16, String)>;

/// Fires `meta`'s stepped triggers for each of `fired`, in order, into `w`.
/// `sql` is the statement that wrote them, whose tables the triggers may
/// not write. Returns the warnings their statements left; when one fails,
/// also the counters their writes moved until then (see [`Burned`]).
pub(super) fn fire(
    cx: &mut WriteContext,
    w: &mut Writer,
    meta: &Arc<TableMeta>,
    fired: &[Fired],
    sql: &[u8],
) -> Result<Raised, (OverlayError, Burned)> {
    let start = cx.delta.current();
    let mut failed_nested = None;
    fire_all(cx, w, meta, fired, sql, &mut failed_nested).map_err(|e| {
        let mut burned: Burned = Vec::new();
        let states = std::iter::once(&w.next).chain(failed_nested.as_ref());
        for state in states {
            for (id, t) in state.tables.iter() {
                let before = start.tables.get(id).map(|b| b.next_auto);
                if before.is_none_or(|b| t.next_auto > b) {
                    burned.push((t.meta.clone(), t.key.clone(), t.next_auto));
                }
            }
        }
        (e, burned)
    })
}

fn fire_all(
    cx: &mut WriteContext,
    w: &mut Writer,
    meta: &Arc<TableMeta>,
    fired: &[Fired],
    sql: &[u8],
    failed_nested: &mut Option<crate::delta::DeltaState>,
) -> Result<Raised, OverlayError> {
    // A row's BEFORE triggers that write, then its AFTER triggers, each
    // in firing order.
    let mut triggers: Vec<&Trigger> = meta.triggers.iter().filter(|t| t.stepped()).collect();
    triggers.sort_by_key(|t| (!t.before, t.order));
    if triggers.is_empty() {
        return Ok(Vec::new());
    }
    // Each body read once, for all the rows.
    let mut programs = Vec::with_capacity(triggers.len());
    for t in &triggers {
        programs.push(program(&t.body).map_err(|why| {
            OverlayError::Unsupported(format!(
                "writing to {}, whose trigger {} vdb cannot run ({why})",
                meta.id, t.name
            ))
        })?);
    }
    // The tables the statement uses, and those of the statements that
    // fired it.
    let mut used = cx.invoked_by.clone();
    used.push(meta.id.clone());
    if let Ok(refs) = crate::sql::tables::table_refs(&String::from_utf8_lossy(sql)) {
        for r in refs {
            if let Some(schema) = r.schema.or_else(|| cx.db.clone()) {
                used.push(TableId {
                    schema,
                    name: r.name,
                });
            }
        }
    }
    let mode = cx
        .up
        .query("SELECT @@SESSION.sql_mode")?
        .first()
        .and_then(|r| r[0].clone())
        .unwrap_or_default();
    let mut raised = Vec::new();
    for row in fired {
        for (t, steps) in triggers
            .iter()
            .zip(&programs)
            .filter(|(t, _)| t.event == row.event)
        {
            let mut firing = Firing {
                cx: &mut *cx,
                w: &mut *w,
                meta,
                trigger: t,
                row,
                used: &used,
                raised: &mut raised,
                failed_nested: &mut *failed_nested,
            };
            let changes_mode = t.sql_mode.as_bytes() != mode.as_slice();
            if changes_mode {
                firing.cx.up.query(&format!(
                    "SET SESSION sql_mode = {}",
                    text_literal(&t.sql_mode)
                ))?;
            }
            let done = firing.run(steps);
            if changes_mode {
                cx.up.query(&format!(
                    "SET SESSION sql_mode = {}",
                    text_literal(&String::from_utf8_lossy(&mode))
                ))?;
            }
            done?;
        }
    }
    Ok(raised)
}

/// One trigger firing for one row.
struct Firing<'c, 'a, 'w, 'd> {
    cx: &'c mut WriteContext<'a>,
    w: &'w mut Writer<'d>,
    meta: &'c Arc<TableMeta>,
    trigger: &'c Trigger,
    row: &'c Fired,
    used: &'c [TableId],
    raised: &'c mut Raised,
    /// The state a failed write of the body left (its reserved
    /// AUTO_INCREMENT values).
    failed_nested: &'c mut Option<crate::delta::DeltaState>,
}

impl Firing<'_, '_, '_, '_> {
    fn run(&mut self, steps: &[Step]) -> Result<(), OverlayError> {
        for step in steps {
            match step {
                Step::Write(text) => self.write(text)?,
                Step::Source(text) => {
                    let text = self.over_row(text)?;
                    let text = self.merged(&text)?;
                    log::debug!("trigger {} runs: {text}", self.trigger.name);
                    self.cx.up.query(&format!("BEGIN NOT ATOMIC {text}; END"))?;
                }
                Step::If {
                    branches,
                    otherwise,
                } => {
                    let mut taken = None;
                    for (cond, steps) in branches {
                        let cond = self.over_row(cond)?;
                        let query = self.merged(&format!("SELECT IF(({cond}), 1, 0)"))?;
                        let rows = self.cx.up.query(&query)?;
                        if rows.first().and_then(|r| r[0].as_deref()) == Some(b"1") {
                            taken = Some(steps);
                            break;
                        }
                    }
                    self.run(taken.unwrap_or(otherwise))?;
                }
            }
        }
        Ok(())
    }

    /// `text` with the row's NEW and OLD values in it.
    fn over_row(&self, text: &str) -> Result<String, OverlayError> {
        let meta = self.meta;
        let value = |row: &Option<Row>, c: &str| -> Option<String> {
            let (row, i) = (row.as_ref()?, meta.position(c)?);
            literal(meta, i, &row[i]).ok()
        };
        let out = over_row(
            text,
            |c| value(&self.row.new, c),
            |c| value(&self.row.old, c),
        );
        // A value vdb cannot write as a literal is left as written.
        if crate::sql::trigger::row_references(&out).is_empty() {
            Ok(out)
        } else {
            unsupported(format!(
                "firing the trigger {} with a value vdb cannot write as a literal",
                self.trigger.name
            ))
        }
    }

    /// A read over the merged view as the statement has built it (names
    /// without a database are the trigger's table's database's).
    fn merged(&self, text: &str) -> Result<String, OverlayError> {
        if !reads_tables(text) {
            return Ok(text.to_string());
        }
        Ok(rewrite_read(
            text.as_bytes(),
            &self.w.next,
            Some(&self.meta.id.schema),
            None,
        )?
        .unwrap_or_else(|| text.to_string()))
    }

    /// A write of the body, captured into the statement's state.
    fn write(&mut self, text: &str) -> Result<(), OverlayError> {
        let text = self.over_row(text)?;
        let text = qualified(&text, &self.meta.id.schema)?;
        let nested = self.w.fork();
        let mut cx = WriteContext {
            up: &mut *self.cx.up,
            delta: &nested,
            db: Some(self.meta.id.schema.clone()),
            lex: Default::default(),
            found_rows: false,
            locks: None,
            invoked_by: self.used.to_vec(),
            memo: &mut *self.cx.memo,
        };
        log::debug!("trigger {} writes: {text}", self.trigger.name);
        let outcome = match execute(&mut cx, text.as_bytes()) {
            Ok(o) => o,
            Err(e) => {
                *self.failed_nested = Some((*nested.current()).clone());
                return Err(e);
            }
        };
        self.raised.extend(outcome.left_behind());
        self.w.next = (*nested.current()).clone();
        Ok(())
    }
}

/// `text` with each table it names without a database named in `schema`:
/// the trigger's names are its table's database's, whatever the session's
/// default database is.
fn qualified(text: &str, schema: &str) -> Result<String, OverlayError> {
    let refs = crate::sql::tables::table_refs(text).map_err(|e| {
        OverlayError::Unsupported(format!("a trigger statement vdb cannot read ({})", e.0))
    })?;
    // Where each unqualified name starts: the tables it reads, and the
    // table an INSERT or REPLACE names (not one of those).
    let mut starts: Vec<usize> = refs
        .iter()
        .filter(|r| r.schema.is_none())
        .map(|r| r.name_span.start)
        .collect();
    let b = text.as_bytes();
    let mode = crate::sql::lexer::LexMode::default();
    let t = crate::sql::lexer::lex(b, mode).tokens;
    if t.first()
        .is_some_and(|f| f.is_word(b, "INSERT") || f.is_word(b, "REPLACE"))
    {
        let modifiers = ["LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE", "INTO"];
        let mut i = 1;
        while t
            .get(i)
            .is_some_and(|x| modifiers.iter().any(|m| x.is_word(b, m)))
        {
            i += 1;
        }
        if let Some((None, _, _)) = crate::sql::lexer::name_at(b, &t, i, mode) {
            starts.push(t[i].start);
        }
    }
    starts.sort_unstable();
    starts.dedup();
    let mut out = String::with_capacity(text.len() + 32);
    let mut at = 0;
    for start in starts {
        out.push_str(&text[at..start]);
        out.push_str(&quote_ident(schema));
        out.push('.');
        at = start;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

/// The server's 1442: a trigger writes `table`, which the statement that
/// fired it uses.
pub(super) fn used_by_invoker(table: &TableId) -> OverlayError {
    server(
        1442,
        "HY000",
        format!(
            "Can't update table '{}' in stored function/trigger because it is already used by statement which invoked this stored function/trigger",
            table.name
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trigger_statement_names_its_tables_in_the_trigger_database() {
        assert_eq!(
            qualified(
                "INSERT IGNORE INTO log (a) SELECT x FROM t JOIN o.u ON 1",
                "db"
            )
            .unwrap(),
            "INSERT IGNORE INTO `db`.log (a) SELECT x FROM `db`.t JOIN o.u ON 1"
        );
        assert_eq!(
            qualified("UPDATE totals SET n = n + 1", "db").unwrap(),
            "UPDATE `db`.totals SET n = n + 1"
        );
        assert_eq!(
            qualified("REPLACE x.log VALUES (1)", "db").unwrap(),
            "REPLACE x.log VALUES (1)"
        );
    }
}

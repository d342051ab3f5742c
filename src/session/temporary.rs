//! A session's temporary tables (see [`crate::sql::temporary`]): CREATE
//! and DROP TEMPORARY TABLE, the renaming of the session's references to
//! them in each statement, and their end with the session (or a reset or
//! change of user).
//!
//! Unlike other DDL, CREATE and DROP TEMPORARY TABLE commit no open
//! transaction; RENAME and ALTER of a temporary table do, as on the server.

use crate::delta::TableId;
use crate::overlay::OverlayError;
use crate::sql::temporary::{self, hidden_name, Temporary};

use super::{Session, SessionEnd};

/// What [`Session::temporary_statement`] made of a statement.
pub(super) enum TemporaryStep {
    /// Answered (a CREATE or DROP TEMPORARY TABLE, or an error).
    Done,
    /// The statement with the session's temporary tables renamed.
    Renamed(Vec<u8>),
    /// Nothing to do with temporary tables.
    Unchanged,
}

impl Session<'_> {
    fn session_db(&self) -> Option<String> {
        self.db
            .as_ref()
            .map(|d| String::from_utf8_lossy(d).into_owned())
    }

    fn temporary_id(&self, db: &str, name: &str) -> TableId {
        TableId {
            schema: db.to_string(),
            name: hidden_name(u64::from(self.id), name),
        }
    }

    /// Reads a COM_QUERY's text for temporary tables: CREATE and DROP
    /// TEMPORARY TABLE are answered here, references to the session's
    /// temporary tables renamed.
    pub(super) fn temporary_statement(
        &mut self,
        sql: &[u8],
        seq: u8,
    ) -> Result<TemporaryStep, SessionEnd> {
        self.forget_dropped_temporaries();
        let Ok(text) = std::str::from_utf8(sql) else {
            return Ok(TemporaryStep::Unchanged);
        };
        if text.contains(temporary::MARK) {
            self.overlay_failed(
                seq,
                OverlayError::Unsupported(format!(
                    "a name containing {} (vdb's own names for temporary tables)",
                    temporary::MARK
                )),
            )?;
            return Ok(TemporaryStep::Done);
        }
        match temporary::read(text, self.lex, u64::from(self.id)) {
            Some(Temporary::Create { text, schema, name }) => {
                self.create_temporary(&text, schema, name, seq)?;
                return Ok(TemporaryStep::Done);
            }
            Some(Temporary::Drop { tables, if_exists }) => {
                self.drop_temporary(&tables, if_exists, seq)?;
                return Ok(TemporaryStep::Done);
            }
            None => {}
        }
        if self.temporaries.is_empty() {
            return Ok(TemporaryStep::Unchanged);
        }
        let db = self.session_db();
        let owner = u64::from(self.id);
        let moving = temporary::renamed(text, self.lex, db.as_deref(), &self.temporaries, |n| {
            hidden_name(owner, n)
        });
        match moving {
            Ok(Some((text, moves))) if !moves.is_empty() => {
                self.move_temporaries(&text, &moves, seq)?;
                Ok(TemporaryStep::Done)
            }
            Ok(Some((t, _))) => Ok(TemporaryStep::Renamed(t.into_bytes())),
            Ok(None) => Ok(TemporaryStep::Unchanged),
            Err(what) => {
                self.overlay_failed(seq, OverlayError::Unsupported(what))?;
                Ok(TemporaryStep::Done)
            }
        }
    }

    /// `text` with the session's temporary tables in their hidden names.
    pub(super) fn rename_temporaries(&self, text: &str) -> Result<Option<String>, String> {
        let db = self.session_db();
        let owner = u64::from(self.id);
        temporary::rename(text, self.lex, db.as_deref(), &self.temporaries, |n| {
            hidden_name(owner, n)
        })
    }

    /// The server's 1046 for a table named without a database, with none
    /// selected.
    fn no_database(&mut self, seq: u8) -> Result<(), SessionEnd> {
        let e = OverlayError::Server {
            code: 1046,
            state: "3D000".into(),
            message: "No database selected".into(),
        };
        self.overlay_failed(seq, e)
    }

    fn create_temporary(
        &mut self,
        text: &str,
        schema: Option<String>,
        name: String,
        seq: u8,
    ) -> Result<(), SessionEnd> {
        let Some(db) = schema.or_else(|| self.session_db()) else {
            return self.no_database(seq);
        };
        let words = crate::sql::lexer::statement_tokens(text.as_bytes(), self.lex);
        if words
            .iter()
            .any(|t| t.is_word(text.as_bytes(), "REFERENCES"))
        {
            self.overlay_failed(
                seq,
                OverlayError::Unsupported(
                    "a FOREIGN KEY in CREATE TEMPORARY TABLE (InnoDB has none on temporary tables)"
                        .into(),
                ),
            )?;
            return Ok(());
        }
        // LIKE or SELECT may read the session's other temporary tables.
        let text = match self.rename_temporaries(text) {
            Ok(renamed) => renamed.unwrap_or_else(|| text.to_string()),
            Err(what) => {
                self.overlay_failed(seq, OverlayError::Unsupported(what))?;
                return Ok(());
            }
        };
        // Unlike other DDL, it commits no open transaction.
        self.capture_ddl_committing(text.as_bytes(), seq, false)?;
        let id = self.temporary_id(&db, &name);
        if self.shared.delta.current().schema.created.contains_key(&id)
            && !self.temporaries.iter().any(|(d, n)| *d == db && *n == name)
        {
            self.temporaries.push((db, name));
        }
        self.follow_temporary(&id);
        Ok(())
    }

    /// RENAME TABLE or ALTER TABLE ... RENAME of temporary tables (`text`
    /// already names them and their new names hidden): DDL like any other
    /// (it commits an open transaction, as on the server), after which the
    /// connection knows its tables by their new names.
    fn move_temporaries(
        &mut self,
        text: &str,
        moves: &[temporary::Move],
        seq: u8,
    ) -> Result<(), SessionEnd> {
        self.capture_ddl_committing(text.as_bytes(), seq, true)?;
        let state = self.shared.delta.current();
        let owner = u64::from(self.id);
        let held = |(db, name): &(String, String)| {
            state.schema.created.contains_key(&TableId {
                schema: db.clone(),
                name: hidden_name(owner, name),
            })
        };
        for (from, to) in moves {
            // A RENAME that failed left the table where it was.
            if !held(from) && held(to) {
                let (db, name) = to;
                self.temporaries.retain(|t| t != from);
                self.temporaries.push((db.clone(), name.clone()));
            }
        }
        Ok(())
    }

    fn drop_temporary(
        &mut self,
        tables: &[(Option<String>, String)],
        if_exists: bool,
        seq: u8,
    ) -> Result<(), SessionEnd> {
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for (schema, name) in tables {
            let Some(db) = schema.clone().or_else(|| self.session_db()) else {
                return self.no_database(seq);
            };
            if self.temporaries.iter().any(|(d, n)| *d == db && n == name) {
                found.push(self.temporary_id(&db, name));
            } else {
                missing.push(TableId {
                    schema: db,
                    name: name.clone(),
                });
            }
        }
        if !self.ensure_upstream(seq)? {
            return Ok(());
        }
        // Unlike other DDL, it commits no open transaction.
        if !found.is_empty() {
            let names: Vec<String> = found.iter().map(TableId::quoted).collect();
            let text = format!("DROP TABLE {}", names.join(", "));
            let dropped = self.write_context_on(true, |cx| {
                crate::overlay::ddl::execute_ddl(cx, text.as_bytes())
            });
            if let Err(e) = dropped {
                self.overlay_failed(seq, e)?;
                return Ok(());
            }
            for id in &found {
                self.follow_temporary(id);
            }
            self.forget_dropped_temporaries();
        }
        match crate::overlay::ddl::unknown_names(&missing, if_exists, 1051, "Unknown table ") {
            Ok(outcome) => {
                self.send_outcome(seq, &outcome, 0)?;
                self.row_count = Some(0);
            }
            Err(e) => {
                self.overlay_failed(seq, e)?;
                self.row_count = Some(-1);
            }
        }
        Ok(())
    }

    /// Forgets the temporary tables the delta no longer has (dropped by
    /// DROP TABLE, or gone with `vdb.reset()`).
    fn forget_dropped_temporaries(&mut self) {
        if self.temporaries.is_empty() {
            return;
        }
        let state = self.shared.delta.current();
        let owner = u64::from(self.id);
        self.temporaries.retain(|(db, name)| {
            state.schema.created.contains_key(&TableId {
                schema: db.clone(),
                name: hidden_name(owner, name),
            })
        });
    }

    /// Drops every temporary table of the session: it ended, was reset,
    /// or changed user.
    pub(super) fn end_temporaries(&mut self) {
        if self.temporaries.is_empty() {
            return;
        }
        let ids: Vec<TableId> = self
            .temporaries
            .drain(..)
            .map(|(db, name)| TableId {
                schema: db,
                name: hidden_name(u64::from(self.id), &name),
            })
            .collect();
        let mut w = self.shared.delta.writer();
        for id in &ids {
            w.next.tables.remove(id);
            w.next.schema.created.remove(id);
            w.next.schema.log.retain(|c| c.table != *id);
        }
        w.commit();
    }
}

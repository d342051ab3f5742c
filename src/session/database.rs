//! The session's default database when it is one vdb holds (created
//! through vdb, see [`crate::overlay::database`]) or one vdb dropped.
//!
//! The source connection of a session whose database vdb holds has no
//! default database at all: every name vdb resolves (its created tables)
//! is spliced in qualified, and a name it does not resolve fails at vdb
//! with the server's 1146, never silently reading some other database.
//! `DATABASE()` answers the held name.

use log::debug;

use crate::overlay::OverlayError;
use crate::protocol::packet::write_packet;
use crate::protocol::response::ok_payload;
use crate::sql::lexer::lex;

use super::{Session, SessionEnd};

impl Session<'_> {
    /// The session's database, when vdb holds it (the source has none by
    /// that name).
    pub(super) fn held_database(&self) -> Option<String> {
        let db = String::from_utf8_lossy(self.db.as_deref()?).into_owned();
        self.shared
            .delta
            .current()
            .schema
            .is_virtual_database(&db)
            .then_some(db)
    }

    /// The 1049 for a database vdb dropped (the source still has it).
    pub(super) fn dropped_database(&self, db: &[u8]) -> Option<OverlayError> {
        let db = String::from_utf8_lossy(db);
        self.shared
            .delta
            .current()
            .schema
            .is_dropped_database(&db)
            .then(|| crate::overlay::database::unknown(&db))
    }

    /// `USE db` or COM_INIT_DB of a database vdb holds or dropped, answered
    /// here (OK, or 1049). `false` when the source should answer it.
    pub(super) fn use_held(&mut self, db: &[u8], seq: u8) -> Result<bool, SessionEnd> {
        if let Some(e) = self.dropped_database(db) {
            self.overlay_failed(seq, e)?;
            return Ok(true);
        }
        let name = String::from_utf8_lossy(db);
        if !self
            .shared
            .delta
            .current()
            .schema
            .is_virtual_database(&name)
        {
            return Ok(false);
        }
        debug!("conn {} uses database '{name}', which vdb holds", self.id);
        self.db = Some(db.to_vec());
        if !self.upstream_without_database {
            // A source session has no way back to "no database": a new one.
            self.reconnect_upstream();
        }
        let ok = ok_payload(0, 0, self.status(), 0, b"");
        write_packet(self.client.get_mut(), seq, &ok)?;
        Ok(true)
    }

    /// After a captured DROP DATABASE of the session's own database: the
    /// session has none now, as on the server.
    pub(super) fn dropped_own_database(&mut self, sql: &[u8]) {
        let Some(own) = self.db.clone() else {
            return;
        };
        let Some(name) = crate::sql::ddl::dropped_database(&String::from_utf8_lossy(sql)) else {
            return;
        };
        if name.as_bytes() == own.as_slice() {
            self.db = None;
            self.reconnect_upstream();
        }
    }

    /// A fresh source session for the session's current database (the
    /// next statement reconnects if this fails).
    fn reconnect_upstream(&mut self) {
        if let Some(up) = self.upstream.take() {
            up.quit();
        }
        if let Err(e) = self.open_upstream() {
            debug!("conn {}: reconnect failed: {e}", self.id);
            self.upstream = None;
        }
    }

    /// The text with `DATABASE()` and `SCHEMA()` answering the held
    /// database's name, and a `SHOW EVENTS` of it reading a database
    /// without events (a held database has none; the source session, which
    /// has no database, would answer 1046); `None` when the session's
    /// database is not held or the text needs neither.
    pub(super) fn with_held_name(&self, sql: &[u8]) -> Option<Vec<u8>> {
        // Every statement asks: the flag answers the common case at once.
        if !self.upstream_without_database {
            return None;
        }
        let db = self.held_database()?;
        let t = lex(sql, self.lex).tokens;
        if t.len() >= 2
            && t[0].is_word(sql, "SHOW")
            && t[1].is_word(sql, "EVENTS")
            && !t
                .get(2)
                .is_some_and(|x| x.is_word(sql, "FROM") || x.is_word(sql, "IN"))
        {
            let mut text = sql[..t[1].end].to_vec();
            text.extend_from_slice(b" FROM information_schema");
            text.extend_from_slice(&sql[t[1].end..]);
            return Some(text);
        }
        let value = crate::overlay::meta::text_literal(&db);
        crate::sql::row_count::substitute_calls(
            sql,
            self.lex,
            &["DATABASE", "SCHEMA"],
            &format!("COALESCE({value}, DATABASE())"),
        )
    }

    /// The server's 1146 for a table the statement names without a
    /// database while the session's database is held, when vdb has no
    /// such table there (the source would answer "No database selected").
    pub(super) fn missing_in_held(&self, sql: &[u8]) -> Option<OverlayError> {
        if !self.upstream_without_database {
            return None;
        }
        let db = self.held_database()?;
        let text = std::str::from_utf8(sql).ok()?;
        let Ok(refs) = crate::sql::tables::table_refs(text) else {
            return self.no_such_object(sql, &db);
        };
        let state = self.delta().current();
        refs.iter()
            .filter(|r| r.schema.is_none())
            .map(|r| crate::delta::TableId {
                schema: db.clone(),
                name: r.name.clone(),
            })
            .find(|id| !state.schema.created.contains_key(id) && !state.views.contains_key(id))
            .map(|id| crate::overlay::meta::no_such_table(&id))
            .or_else(|| self.no_such_object(sql, &db))
    }

    /// The server's error for `SHOW CREATE <kind> <name>` of an object the
    /// held database `db` does not have (vdb answers those it has before
    /// this is asked): a held database has no views but vdb's, and no
    /// triggers, routines or events but vdb's.
    fn no_such_object(&self, sql: &[u8], db: &str) -> Option<OverlayError> {
        let t: Vec<_> = lex(sql, self.lex)
            .tokens
            .into_iter()
            .filter(|x| !x.is_punct(b';'))
            .collect();
        let [show, create, kind, name] = t.as_slice() else {
            return None;
        };
        if !show.is_word(sql, "SHOW") || !create.is_word(sql, "CREATE") {
            return None;
        }
        let name = match name.kind {
            crate::sql::lexer::Kind::QuotedIdent => {
                crate::sql::lexer::unquote(name.text(sql), self.lex)
            }
            crate::sql::lexer::Kind::Word => name.text(sql).to_vec(),
            _ => return None,
        };
        let name = String::from_utf8_lossy(&name).into_owned();
        let server = |code: u16, state: &str, message: String| OverlayError::Server {
            code,
            state: state.into(),
            message,
        };
        let kind = String::from_utf8_lossy(kind.text(sql)).to_ascii_uppercase();
        match kind.as_str() {
            "VIEW" | "SEQUENCE" => Some(crate::overlay::meta::no_such_table(
                &crate::delta::TableId {
                    schema: db.to_string(),
                    name,
                },
            )),
            "TRIGGER" => Some(server(1360, "HY000", "Trigger does not exist".into())),
            "PROCEDURE" | "FUNCTION" | "PACKAGE" => Some(server(
                1305,
                "42000",
                format!("{kind} {name} does not exist"),
            )),
            "EVENT" => Some(server(1539, "HY000", format!("Unknown event '{name}'"))),
            _ => None,
        }
    }

    /// Whether `sql` is one `USE` statement alone.
    pub(super) fn is_lone_use(&self, sql: &[u8]) -> bool {
        let t = lex(sql, self.lex).tokens;
        let end = t
            .iter()
            .rposition(|x| !x.is_punct(b';'))
            .map_or(0, |i| i + 1);
        t.first().is_some_and(|x| x.is_word(sql, "USE"))
            && !t[..end].iter().any(|x| x.is_punct(b';'))
    }
}

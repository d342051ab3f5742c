//! ANALYZE, CHECK, OPTIMIZE and REPAIR TABLE, answered by the session
//! with the rows the server gives (see [`crate::sql::maintenance`]).
//!
//! None of them changes a table's rows, and the source account may not
//! run most of them; a sandbox has nothing to analyze or repair. Each
//! table is looked up in the merged catalog (created, dropped and renamed
//! tables as the client sees them), and answered as MariaDB 10.11 answers
//! for an InnoDB table, a view or a missing table. Like the server's,
//! these statements commit an open transaction first.

use crate::delta::TableId;
use crate::overlay::meta::text_literal;
use crate::overlay::OverlayError;
use crate::sql::maintenance::{Maintenance, Operation};
use crate::sql::rewrite::literal_rows;

use super::{Session, SessionEnd};

/// The statement whose column definitions the answer takes: the same four
/// columns every maintenance statement returns, which a SELECT-only
/// account may describe.
pub(super) const COLUMNS_LIKE: &str = "CHECK TABLE information_schema.TABLES";

/// What a maintenance statement finds a table to be.
enum Found {
    /// A base table, of this engine.
    Table(String),
    /// A view.
    View,
    /// No such table.
    Missing,
    /// Anything else (a sequence, a system view): not answered.
    Other(String),
}

/// The rows the server gives for one table: Msg_type, Msg_text.
fn rows_for(m: &Maintenance, shown: &str, found: &Found) -> Vec<(&'static str, String)> {
    let failed = |why: String| vec![("Error", why), ("status", "Operation failed".into())];
    match (found, m.operation) {
        (Found::Missing, _) => failed(format!("Table '{shown}' doesn't exist")),
        (Found::View, Operation::Check) => vec![("status", "OK".into())],
        (Found::View, _) => failed(format!("'{shown}' is not of type 'BASE TABLE'")),
        (_, Operation::Analyze) if m.persistent => vec![
            ("status", "Engine-independent statistics collected".into()),
            ("status", "OK".into()),
        ],
        (_, Operation::Analyze | Operation::Check) => vec![("status", "OK".into())],
        (_, Operation::Optimize) => vec![
            (
                "note",
                "Table does not support optimize, doing recreate + analyze instead".into(),
            ),
            ("status", "OK".into()),
        ],
        (_, Operation::Repair) => vec![(
            "note",
            "The storage engine for the table doesn't support repair".into(),
        )],
    }
}

impl Session<'_> {
    /// The query that answers maintenance statement `m` (literal rows),
    /// or `None` when the client has had its answer already (an error).
    pub(super) fn maintenance_answer(
        &mut self,
        m: &Maintenance,
        seq: u8,
    ) -> Result<Option<String>, SessionEnd> {
        let db = self
            .db
            .as_ref()
            .map(|d| String::from_utf8_lossy(d).into_owned());
        if db.is_none() && m.tables.iter().any(|(d, _)| d.is_none()) {
            self.send_error_raw(seq, 1046, "3D000", "No database selected")?;
            return Ok(None);
        }
        if !self.ensure_upstream(seq)? {
            return Ok(None);
        }
        self.implicit_commit();
        let mut rows = Vec::new();
        for (d, name) in &m.tables {
            let id = TableId {
                schema: d.clone().or_else(|| db.clone()).expect("checked above"),
                name: name.clone(),
            };
            let found = match self.found(&id) {
                Ok(f) => f,
                Err(e) => {
                    self.overlay_failed(seq, e)?;
                    return Ok(None);
                }
            };
            let shown = format!(
                "{}.{}",
                id.schema,
                crate::sql::temporary::shown_name(&id.name)
            );
            let unsupported = match &found {
                Found::Other(kind) => Some(format!("{kind} {shown}")),
                Found::Table(engine) if !engine.eq_ignore_ascii_case("InnoDB") => {
                    Some(format!("{shown}, a {engine} table"))
                }
                _ => None,
            };
            if let Some(what) = unsupported {
                let statement = format!("{} TABLE", m.operation.op().to_ascii_uppercase());
                self.overlay_failed(
                    seq,
                    OverlayError::Unsupported(format!("{statement} of {what}")),
                )?;
                return Ok(None);
            }
            for (kind, text) in rows_for(m, &shown, &found) {
                rows.push(vec![
                    Some(text_literal(&shown)),
                    Some(text_literal(m.operation.op())),
                    Some(text_literal(kind)),
                    Some(text_literal(&text)),
                ]);
            }
        }
        Ok(Some(literal_rows(
            &["Table", "Op", "Msg_type", "Msg_text"],
            &rows,
            |v| v.unwrap_or("NULL").to_string(),
        )))
    }

    /// What `id` is as the client sees it: a temporary table of this
    /// session, or what the merged catalog says.
    fn found(&mut self, id: &TableId) -> Result<Found, OverlayError> {
        if id.name.starts_with(crate::sql::temporary::MARK) {
            let state = self.delta().current();
            return Ok(if state.schema.created.contains_key(id) {
                Found::Table("InnoDB".into())
            } else {
                Found::Missing
            });
        }
        // Names compare as the server's file names do: exactly.
        let query = format!(
            "SELECT TABLE_TYPE, ENGINE FROM information_schema.TABLES \
             WHERE CAST(TABLE_SCHEMA AS BINARY) = CAST({} AS BINARY) \
             AND CAST(TABLE_NAME AS BINARY) = CAST({} AS BINARY)",
            text_literal(&id.schema),
            text_literal(&id.name)
        );
        let state = self.delta().current();
        let query =
            crate::overlay::rewrite_read(query.as_bytes(), &state, None, None)?.unwrap_or(query);
        let up = self.upstream.as_mut().expect("ensured by the caller");
        let rows = up.query(&query)?;
        let text =
            |v: &Option<Vec<u8>>| String::from_utf8_lossy(v.as_deref().unwrap_or(b"")).into_owned();
        Ok(match rows.first() {
            None => Found::Missing,
            Some(r) => match text(&r[0]).as_str() {
                "BASE TABLE" => Found::Table(text(&r[1])),
                "VIEW" => Found::View,
                other => Found::Other(other.to_lowercase()),
            },
        })
    }
}

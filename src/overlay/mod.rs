//! The overlay: reads over the merged view, and writes captured into the
//! delta (see ../shared/design/overlay.md).
//!
//! Reads: a statement that may name a changed table (a cheap name search)
//! is parsed for its table references, and each reference to a changed
//! table is replaced by that table's merged view as a derived table. The
//! source evaluates the query; vdb only splices text.
//!
//! Writes ([`write`]): computed by the source over the merged view, checked
//! and stored by vdb. Nothing in this module sends a write to the source:
//! it sends SELECTs, `EXPLAIN`, session SETs and MariaDB's read-only
//! `BEGIN NOT ATOMIC` blocks (typed variables and cursors, no tables
//! written), all in the session's read-only transaction mode.

pub mod meta;
pub mod write;

use crate::delta::{DeltaState, TableId};
use crate::sql::rewrite::splice;
use crate::sql::tables::table_refs;
use crate::upstream::UpstreamError;

/// Why the overlay could not serve a statement.
#[derive(Debug)]
pub enum OverlayError {
    /// The source failed or answered with an error (relayed as is).
    Upstream(UpstreamError),
    /// An error the server itself would raise for this statement, with the
    /// server's code, SQLSTATE and message (1062, 1048, 1451, ...).
    Server {
        /// Error code.
        code: u16,
        /// SQLSTATE.
        state: String,
        /// Message, as the server words it.
        message: String,
    },
    /// A statement form vdb cannot answer exactly yet, by name.
    Unsupported(String),
}

impl From<UpstreamError> for OverlayError {
    fn from(e: UpstreamError) -> Self {
        OverlayError::Upstream(e)
    }
}

/// Rewrites a read so that every changed table it names reads the merged
/// view. `None` when it names none (forward the text as it is).
pub fn rewrite_read(
    sql: &[u8],
    state: &DeltaState,
    db: Option<&str>,
) -> Result<Option<String>, OverlayError> {
    if state.is_empty() || !state.may_touch(sql) {
        return Ok(None);
    }
    let Ok(original) = std::str::from_utf8(sql) else {
        return Err(OverlayError::Unsupported(
            "a statement that is not UTF-8 text over a changed table".into(),
        ));
    };
    let text = original;
    let analyse = |text: &str| {
        table_refs(text).map_err(|e| {
            OverlayError::Unsupported(format!(
                "this statement over changed data (vdb cannot analyse it: {})",
                e.0
            ))
        })
    };
    let resolve = |r: &crate::sql::tables::TableRef| {
        Some(TableId {
            schema: r.schema.as_deref().or(db)?.to_string(),
            name: r.name.clone(),
        })
    };
    // Views over changed tables read their definitions (which may name
    // other such views) in place.
    let mut expanded: Option<String> = None;
    for _ in 0..MAX_VIEW_DEPTH {
        let current = expanded.as_deref().unwrap_or(text);
        let refs = analyse(current)?;
        let mut any_view = false;
        let next = splice(current, &refs, |r| {
            let d = state.views.get(&resolve(r)?)?;
            any_view = true;
            Some(format!("({d})"))
        });
        if !any_view {
            break;
        }
        expanded = Some(next);
    }
    let text = expanded.as_deref().unwrap_or(text);
    let refs = analyse(text)?;
    let mut failure = None;
    let mut any = false;
    let out = splice(text, &refs, |r| {
        let t = state.tables.get(&resolve(r)?)?;
        match t.derived_sql() {
            Ok(d) => {
                any = true;
                Some(d.to_string())
            }
            Err(e) => {
                failure = Some(e);
                None
            }
        }
    });
    if let Some(e) = failure {
        return Err(OverlayError::Unsupported(format!(
            "reading a changed {} value vdb cannot write as a literal ({})",
            e.column_type, e.value
        )));
    }
    Ok((any || !std::ptr::eq(text, original)).then_some(out))
}

/// How deep views over views are expanded.
const MAX_VIEW_DEPTH: usize = 8;

//! The `vdb.*` control interface, from plain SQL and any client.
//!
//! Its tables are virtual: a statement that reads one is rewritten like any
//! read over changed data, with the table replaced by a derived table of
//! typed literals, so the source evaluates every query shape over it
//! (filters, joins, aggregates). The schema name `vdb` is reserved: a
//! database of that name on the source is hidden behind it.
//!
//! This version serves `vdb.status`; reset, snapshots, changes and export
//! are to come (issue 6).

use std::sync::atomic::Ordering;

use crate::server::Shared;
use crate::sql::literal::Column;
use crate::sql::rewrite::{quote_ident, splice};
use crate::sql::tables::table_refs;

/// Why a statement over `vdb.*` cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminError {
    /// `vdb.<name>` is not one of the control tables.
    UnknownTable(String),
    /// The text could not be analysed.
    Unanalysable(String),
}

/// `name`/`value` rows of `vdb.status`.
pub fn status_rows(shared: &Shared) -> Vec<(&'static str, String)> {
    let src = &shared.config.source;
    let delta = shared.delta.current();
    vec![
        ("version", crate::VERSION.to_string()),
        ("uptime", shared.started.elapsed().as_secs().to_string()),
        ("source", format!("{}:{}", src.host, src.port)),
        ("source_version", shared.source_info.describe()),
        ("connections", shared.session_count().to_string()),
        ("changed_tables", delta.tables.len().to_string()),
        ("changed_rows", delta.changed_rows().to_string()),
        ("delta_bytes", delta.bytes().to_string()),
        ("snapshots", "0".into()),
        ("locked_rows", shared.locks.locked_rows().to_string()),
        (
            "statements",
            shared.statements.load(Ordering::Relaxed).to_string(),
        ),
    ]
}

fn text_column() -> Column {
    Column {
        data_type: "varchar".into(),
        column_type: "varchar(255)".into(),
        charset: Some("utf8mb4".into()),
        collation: Some("utf8mb4_general_ci".into()),
    }
}

/// The derived table for `vdb.status`.
fn status_table(shared: &Shared) -> String {
    let col = text_column();
    let lit = |s: &str| {
        col.literal(Some(s.as_bytes()))
            .expect("varchar literals always encode")
    };
    let rows: Vec<String> = status_rows(shared)
        .iter()
        .enumerate()
        .map(|(i, (name, value))| {
            if i == 0 {
                format!(
                    "SELECT {} AS {}, {} AS {}",
                    lit(name),
                    quote_ident("name"),
                    lit(value),
                    quote_ident("value")
                )
            } else {
                format!("SELECT {}, {}", lit(name), lit(value))
            }
        })
        .collect();
    format!("({})", rows.join(" UNION ALL "))
}

/// Rewrites every `vdb.<table>` reference in `sql` into its derived table.
pub fn rewrite(sql: &str, shared: &Shared) -> Result<String, AdminError> {
    let refs = table_refs(sql).map_err(|e| AdminError::Unanalysable(e.0))?;
    for r in &refs {
        if r.schema
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("vdb"))
            && !r.name.eq_ignore_ascii_case("status")
        {
            return Err(AdminError::UnknownTable(r.name.clone()));
        }
    }
    Ok(splice(sql, &refs, |r| {
        r.schema
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("vdb"))
            .then(|| status_table(shared))
    }))
}

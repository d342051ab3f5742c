//! The `vdb.*` control interface, from plain SQL and any client.
//!
//! Its tables are virtual: a statement that reads one is rewritten like any
//! read over changed data, with the table replaced by a derived table of
//! typed literals, so the source evaluates every query shape over it
//! (filters, joins, aggregates). The schema name `vdb` is reserved: a
//! database of that name on the source is hidden behind it.
//!
//! This version serves `vdb.status` and `vdb.snapshots`, and the calls
//! `vdb.reset()`, `vdb.snapshot(name)`, `vdb.restore(name)` and
//! `vdb.drop_snapshot(name)`. A snapshot is the delta's state at one
//! moment: an `Arc` of an immutable state whose tables share their nodes
//! with every other version, so taking or restoring one copies nothing.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::delta::DeltaState;
use crate::sql::lexer::{lex, unquote, Kind, LexMode};

use crate::server::Shared;
use crate::sql::literal::Column;
use crate::sql::rewrite::{literal_rows, splice};
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
        ("changed_tables", delta.user_tables().count().to_string()),
        ("changed_rows", delta.changed_rows().to_string()),
        ("delta_bytes", delta.bytes().to_string()),
        ("snapshots", shared.snapshots.lock().len().to_string()),
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

/// A named state of the delta.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// The delta as it was.
    pub state: Arc<DeltaState>,
    /// When it was taken (UTC, `YYYY-MM-DD hh:mm:ss`).
    pub created_at: String,
}

/// `now` as `YYYY-MM-DD hh:mm:ss` in UTC.
fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A derived table of text columns `names` holding `rows` (no row, when
/// there is none).
fn literal_table(names: &[&str], rows: &[Vec<String>]) -> String {
    let col = text_column();
    let rows: Vec<Vec<Option<String>>> = rows
        .iter()
        .map(|r| r.iter().cloned().map(Some).collect())
        .collect();
    let table = literal_rows(names, &rows, |v| {
        col.literal(Some(v.unwrap_or("").as_bytes()))
            .expect("varchar literals always encode")
    });
    format!("({table})")
}

/// The derived table for `vdb.status`.
fn status_table(shared: &Shared) -> String {
    let rows: Vec<Vec<String>> = status_rows(shared)
        .into_iter()
        .map(|(n, v)| vec![n.to_string(), v])
        .collect();
    literal_table(&["name", "value"], &rows)
}

/// The derived table for `vdb.snapshots`: name, created_at, changed_rows.
fn snapshots_table(shared: &Shared) -> String {
    let rows: Vec<Vec<String>> = shared
        .snapshots
        .lock()
        .iter()
        .map(|(name, s)| {
            vec![
                name.clone(),
                s.created_at.clone(),
                s.state.changed_rows().to_string(),
            ]
        })
        .collect();
    let table = literal_table(&["name", "created_at", "changed_rows"], &rows);
    // Typed as a server would type them.
    format!(
        "(SELECT `name`, CAST(`created_at` AS DATETIME) AS `created_at`, CAST(`changed_rows` AS UNSIGNED) AS `changed_rows` FROM {table} AS `vdb_snapshots`)"
    )
}

/// A `CALL vdb.<procedure>(<string arguments>)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The procedure, lower case.
    pub procedure: String,
    /// Its arguments (string literals only).
    pub args: Vec<String>,
}

/// Reads `CALL vdb.name('arg', ...)`; `None` for any other text.
pub fn parse_call(sql: &[u8], mode: LexMode) -> Option<Call> {
    let t: Vec<_> = lex(sql, mode)
        .tokens
        .into_iter()
        .filter(|t| t.kind != Kind::Punct(b';'))
        .collect();
    let word = |i: usize| -> Option<String> {
        let tok = t.get(i)?;
        match tok.kind {
            Kind::Word => Some(String::from_utf8_lossy(tok.text(sql)).to_ascii_lowercase()),
            Kind::QuotedIdent => {
                Some(String::from_utf8_lossy(&unquote(tok.text(sql), mode)).to_ascii_lowercase())
            }
            _ => None,
        }
    };
    if word(0)? != "call" || word(1)? != "vdb" || t.get(2)?.kind != Kind::Punct(b'.') {
        return None;
    }
    let procedure = word(3)?;
    let mut args = Vec::new();
    let mut i = 4;
    if t.get(i).is_some_and(|x| x.kind == Kind::Punct(b'(')) {
        i += 1;
        while let Some(tok) = t.get(i) {
            match tok.kind {
                Kind::Punct(b')') => {
                    i += 1;
                    break;
                }
                Kind::Punct(b',') => {}
                Kind::Str => {
                    args.push(String::from_utf8_lossy(&unquote(tok.text(sql), mode)).into_owned())
                }
                _ => return None,
            }
            i += 1;
        }
    }
    (i == t.len()).then_some(Call { procedure, args })
}

/// Runs a `vdb.*` call: `Ok(None)` when done, `Err` with the reason a
/// caller is told (`Ok(Some(name))`: no such procedure).
pub fn call(shared: &Shared, c: &Call) -> Result<Option<String>, String> {
    let one_name = || -> Result<&str, String> {
        match c.args.as_slice() {
            [n] if !n.is_empty() => Ok(n.as_str()),
            _ => Err(format!("vdb.{}() takes one snapshot name", c.procedure)),
        }
    };
    match c.procedure.as_str() {
        "reset" => {
            if !c.args.is_empty() {
                return Err("vdb.reset() takes no argument".into());
            }
            shared.delta.replace(&DeltaState::default());
        }
        "snapshot" => {
            let name = one_name()?;
            let state = shared.delta.current();
            shared.snapshots.lock().insert(
                name.to_string(),
                Snapshot {
                    state,
                    created_at: utc_now(),
                },
            );
        }
        "restore" => {
            let name = one_name()?;
            let snapshot = shared.snapshots.lock().get(name).cloned();
            match snapshot {
                Some(s) => shared.delta.replace(&s.state),
                None => return Err(format!("no snapshot named '{name}'")),
            }
        }
        "drop_snapshot" => {
            let name = one_name()?;
            if shared.snapshots.lock().remove(name).is_none() {
                return Err(format!("no snapshot named '{name}'"));
            }
        }
        other => return Ok(Some(other.to_string())),
    }
    Ok(None)
}

/// Rewrites every `vdb.<table>` reference in `sql` into its derived table.
pub fn rewrite(sql: &str, shared: &Shared) -> Result<String, AdminError> {
    let refs = table_refs(sql).map_err(|e| AdminError::Unanalysable(e.0))?;
    for r in &refs {
        if r.schema
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("vdb"))
            && !r.name.eq_ignore_ascii_case("status")
            && !r.name.eq_ignore_ascii_case("snapshots")
        {
            return Err(AdminError::UnknownTable(r.name.clone()));
        }
    }
    Ok(splice(sql, &refs, |r| {
        r.schema
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("vdb"))
            .then(|| {
                if r.name.eq_ignore_ascii_case("snapshots") {
                    snapshots_table(shared)
                } else {
                    status_table(shared)
                }
            })
    }))
}

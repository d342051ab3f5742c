//! The `vdb.*` control interface, from plain SQL and any client.
//!
//! Its tables are virtual: a statement that reads one is rewritten like any
//! read over changed data, with the table replaced by a derived table of
//! typed literals, so the source evaluates every query shape over it
//! (filters, joins, aggregates). The schema name `vdb` is reserved: a
//! database of that name on the source is hidden behind it.
//!
//! It serves the tables `vdb.status`, `vdb.snapshots`, `vdb.changes` and
//! `vdb.schema_changes`, and the calls `vdb.reset()`, `vdb.snapshot(name)`,
//! `vdb.restore(name)`, `vdb.drop_snapshot(name)`, `vdb.export()` and
//! `vdb.save()`. A snapshot is the delta's state at one
//! moment: an `Arc` of an immutable state whose tables share their nodes
//! with every other version, so taking or restoring one copies nothing.

pub mod changes;
pub mod export;
pub mod state_file;

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::delta::DeltaState;
use crate::sql::lexer::{lex, unquote, Kind, LexMode};

use crate::server::Shared;
use crate::sql::literal::Column;
use crate::sql::rewrite::{literal_rows, splice};
use crate::sql::tables::{table_refs, TableRef};

use crate::delta::TableId;
use crate::delta::{Row, TableMeta};
use crate::overlay::catalog::create_table_text;
use crate::sql::literal::BadValue;
use changes::{ChangesError, Op, Source, TableChanges};

/// Why a statement over `vdb.*` cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminError {
    /// `vdb.<name>` is not one of the control tables.
    UnknownTable(String),
    /// The text could not be analysed.
    Unanalysable(String),
    /// A table could not be built (the source could not be read).
    Failed(String),
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
    crate::clock::datetime_text(crate::clock::unix_now())
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

/// The derived table for `vdb.changes`: one row per changed row, with
/// its key, before- and after-image as JSON objects the source builds
/// from typed literals (so numbers stay numbers and text is escaped as the
/// server escapes it).
fn changes_table(
    tables: &[TableChanges],
    op_wanted: impl Fn(Op) -> bool,
) -> Result<String, BadValue> {
    let text = text_column();
    let json = |meta: &TableMeta, cols: &mut dyn Iterator<Item = usize>, row: &Row| {
        let mut parts = Vec::new();
        for i in cols {
            let c = &meta.columns[i];
            parts.push(json_value(&text, Some(c.name.as_bytes()))?);
            parts.push(json_value(&c.column, row[i].as_deref())?);
        }
        Ok::<_, BadValue>(format!("JSON_OBJECT({})", parts.join(", ")))
    };
    let empty = text.literal(Some(b""))?;
    let mut sql = format!(
        "(SELECT {empty} AS `table_schema`, {empty} AS `table_name`, {empty} AS `op`, \
         JSON_OBJECT() AS `pk`, JSON_OBJECT() AS `before`, JSON_OBJECT() AS `after` \
         FROM DUAL WHERE 0"
    );
    for t in tables {
        let meta = &t.meta;
        let schema = text.literal(Some(meta.id.schema.as_bytes()))?;
        let name = text.literal(Some(meta.id.name.as_bytes()))?;
        for c in t.changes.iter().filter(|c| op_wanted(c.op)) {
            let image = c
                .after
                .as_ref()
                .or(c.before.as_ref())
                .expect("a change has an image");
            let pk = if t.counted {
                "NULL".to_string()
            } else {
                json(meta, &mut t.key.iter().copied(), image)?
            };
            let all = || 0..meta.columns.len();
            let before = match &c.before {
                Some(r) => json(meta, &mut all(), r)?,
                None => "NULL".into(),
            };
            let after = match &c.after {
                Some(r) => json(meta, &mut all(), r)?,
                None => "NULL".into(),
            };
            let row = format!(
                " UNION ALL SELECT {schema}, {name}, '{}', {pk}, {before}, {after}",
                c.op.name()
            );
            for _ in 0..c.copies {
                sql.push_str(&row);
            }
        }
    }
    sql.push(')');
    Ok(sql)
}

/// A column value as a JSON_OBJECT argument. Bytes that are not text
/// are given as MySQL gives them, `base64:type<N>:<base64>` (a binary
/// string would not be valid JSON text); a geometry as its WKT.
fn json_value(col: &Column, v: Option<&[u8]>) -> Result<String, BadValue> {
    let lit = col.literal(v)?;
    if v.is_none() {
        return Ok(lit);
    }
    let binary_type = match col.data_type.as_str() {
        "binary" => 254,
        "varbinary" => 15,
        "tinyblob" | "blob" | "mediumblob" | "longblob" => 252,
        "geometry" | "point" | "linestring" | "polygon" | "multipoint" | "multilinestring"
        | "multipolygon" | "geometrycollection" => return Ok(format!("ST_AsText({lit})")),
        // Arguments of one collation: JSON_OBJECT refuses a mix of
        // explicit ones (1271).
        "char" | "varchar" | "tinytext" | "text" | "mediumtext" | "longtext" | "enum" | "set" => {
            let plain = lit.split(" COLLATE ").next().unwrap_or(&lit);
            return Ok(format!("CONVERT({plain} USING utf8mb4)"));
        }
        _ => return Ok(lit),
    };
    Ok(format!(
        "CONCAT('base64:type{binary_type}:', REPLACE(TO_BASE64({lit}), '\\n', ''))"
    ))
}

/// The derived table for `vdb.schema_changes`: the captured DDL, one row
/// per table changed, in order.
fn schema_changes_table(state: &DeltaState) -> String {
    let rows: Vec<Vec<String>> = state
        .schema
        .log
        .iter()
        .filter(|c| !c.table.is_temporary())
        .enumerate()
        .map(|(n, c)| {
            vec![
                (n + 1).to_string(),
                c.kind.clone(),
                c.table.schema.clone(),
                c.table.name.clone(),
                c.statement.to_string(),
            ]
        })
        .collect();
    let table = literal_table(
        &["id", "kind", "table_schema", "table_name", "statement"],
        &rows,
    );
    format!(
        "(SELECT CAST(`id` AS UNSIGNED) AS `id`, `kind`, `table_schema`, NULLIF(`table_name`, '') AS `table_name`, `statement` FROM {table} AS `vdb_schema_changes`)"
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

/// What a `vdb.*` call did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Called {
    /// It acted; the caller gets an OK.
    Done,
    /// It answers with a result set of one text column: `(name, rows)`.
    Rows(&'static str, Vec<String>),
    /// There is no such procedure.
    NoSuchProcedure(String),
}

/// Runs a `vdb.*` call over `state` (the caller's view of the delta),
/// reading the source through `source`; `Err` with the reason a caller is
/// told.
pub fn call(
    shared: &Shared,
    c: &Call,
    state: &DeltaState,
    source: &mut Source<'_>,
) -> Result<Called, String> {
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
        "save" => {
            if !c.args.is_empty() {
                return Err("vdb.save() takes no argument".into());
            }
            state_file::save(shared)?;
        }
        "export" => {
            if !c.args.is_empty() {
                return Err("vdb.export() takes no argument".into());
            }
            if let Some((view, reads)) = export::dangling_view(state) {
                return Err(format!(
                    "the view {view} reads {reads}, which no longer exists: a patch cannot \
                     create it (the server's CREATE VIEW refuses it); drop or redefine the view \
                     first"
                ));
            }
            let tables = changes::changes(state, |_| true, source).map_err(describe)?;
            let statements = export::patch(
                state,
                &tables,
                shared.config.source.database.as_deref(),
                create_table_text,
            )
            .map_err(|e| describe(ChangesError::Value(e)))?;
            return Ok(Called::Rows("sql", statements));
        }
        other => return Ok(Called::NoSuchProcedure(other.to_string())),
    }
    Ok(Called::Done)
}

fn describe(e: ChangesError) -> String {
    match e {
        ChangesError::Value(v) => format!(
            "a captured {} value cannot be written as SQL: {}",
            v.column_type, v.value
        ),
        ChangesError::Source(why) => format!("the source could not be read: {why}"),
    }
}

/// The control tables.
const TABLES: &[&str] = &["status", "snapshots", "changes", "schema_changes"];

/// Rewrites every `vdb.<table>` reference in `sql` into its derived table;
/// `state` is the caller's view of the delta, `source` reads before-images.
pub fn rewrite(
    sql: &str,
    shared: &Shared,
    state: &DeltaState,
    source: &mut Source<'_>,
) -> Result<String, AdminError> {
    let refs = table_refs(sql).map_err(|e| AdminError::Unanalysable(e.0))?;
    let ours = |r: &TableRef| {
        r.schema
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("vdb"))
    };
    // By position: each vdb.changes reference is narrowed by what its
    // query says of it.
    let mut tables: HashMap<usize, String> = HashMap::new();
    for r in refs.iter().filter(|r| ours(r)) {
        let name = r.name.to_ascii_lowercase();
        let sql = match name.as_str() {
            "status" => status_table(shared),
            "snapshots" => snapshots_table(shared),
            "schema_changes" => schema_changes_table(state),
            "changes" => {
                // Only rows the query can use: tables and ops its
                // conditions rule out are not built (nor their
                // before-images read).
                let text = text_column();
                let admits = |column: &str, v: &str| {
                    r.restriction
                        .preds
                        .iter()
                        .filter(|p| p.column.eq_ignore_ascii_case(column))
                        .all(|p| p.admits(Some(v.as_bytes()), &text))
                };
                let wanted = |id: &TableId| {
                    admits("table_schema", &id.schema) && admits("table_name", &id.name)
                };
                let changed = changes::changes(state, wanted, source)
                    .map_err(|e| AdminError::Failed(describe(e)))?;
                changes_table(&changed, |op| admits("op", op.name()))
                    .map_err(|e| AdminError::Failed(describe(ChangesError::Value(e))))?
            }
            _ => return Err(AdminError::UnknownTable(r.name.clone())),
        };
        debug_assert!(TABLES.contains(&name.as_str()));
        tables.insert(r.name_span.start, sql);
    }
    Ok(splice(sql, &refs, |r| {
        ours(r)
            .then(|| tables.get(&r.name_span.start).cloned())
            .flatten()
    }))
}

//! The schema delta as the catalog shows it.
//!
//! information_schema TABLES, COLUMNS, STATISTICS, TABLE_CONSTRAINTS,
//! KEY_COLUMN_USAGE, REFERENTIAL_CONSTRAINTS, CHECK_CONSTRAINTS (MariaDB),
//! TRIGGERS, SCHEMATA and VIEWS become changed
//! tables of their own: after every captured DDL their deltas are rebuilt
//! from the schema delta (rows for the tables and databases created
//! through vdb, the rows of dropped ones hidden), so that any query over
//! them, in any shape, goes through the same rewrite as a read of a
//! changed table. SHOW [FULL] TABLES, SHOW TABLE STATUS and SHOW TRIGGERS read
//! information_schema when their database has schema changes, SHOW
//! DATABASES when databases were created or dropped; SHOW CREATE DATABASE
//! of a created database, and SHOW CREATE TRIGGER of a created table's
//! trigger, are written from their definitions. SHOW CREATE TABLE, SHOW COLUMNS,
//! DESCRIBE and SHOW INDEX of a created table are answered from its
//! definition, written as MariaDB writes them; of a dropped table, with
//! the server's 1146.

use std::collections::HashMap;
use std::sync::Arc;

use crate::delta::{
    ColumnMeta, Delta, DeltaState, Row, TableDelta, TableId, TableMeta, UniqueKey, Writer,
};
use crate::sql::lexer::{lex, unquote, Kind, LexMode};
use crate::sql::literal::Column;
use crate::sql::rewrite::{literal_rows, quote_ident};
use crate::upstream::Upstream;

use super::meta::{no_such_table, text_literal};
use super::OverlayError;

/// The catalog's database name, as vdb spells it in table ids.
pub const CATALOG: &str = "information_schema";

/// A table id as the overlay resolves it: information_schema names are
/// case-insensitive, and are kept in upper case.
pub fn normalize(mut id: TableId) -> TableId {
    if id.schema.eq_ignore_ascii_case(CATALOG) {
        id.schema = CATALOG.into();
        id.name = id.name.to_ascii_uppercase();
    }
    id
}

/// information_schema.TABLES's id in the delta.
pub fn tables_id() -> TableId {
    catalog_id("TABLES")
}

fn catalog_id(name: &str) -> TableId {
    TableId {
        schema: CATALOG.into(),
        name: name.into(),
    }
}

/// The definition of information_schema.`name`, keyed by `key` (its
/// columns are read from the source once).
fn catalog_meta(
    up: &mut Upstream,
    delta: &Delta,
    name: &str,
    key: &[&str],
) -> Result<Arc<TableMeta>, OverlayError> {
    let id = catalog_id(name);
    if let Some(m) = delta.cached_meta(&id) {
        return Ok(m);
    }
    let rows = up.query(&format!(
        "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, CHARACTER_SET_NAME, COLLATION_NAME, IS_NULLABLE \
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'information_schema' AND TABLE_NAME = {} \
         ORDER BY ORDINAL_POSITION",
        text_literal(name)
    ))?;
    let text = |v: &Option<Vec<u8>>| {
        v.as_deref()
            .map(|b| String::from_utf8_lossy(b).into_owned())
    };
    let columns: Vec<ColumnMeta> = rows
        .iter()
        .map(|r| {
            let name = text(&r[0]).unwrap_or_default();
            ColumnMeta {
                default_instant: None,
                nullable: text(&r[5]).as_deref() == Some("YES")
                    && !key.iter().any(|k| k.eq_ignore_ascii_case(&name)),
                name,
                column: Column {
                    data_type: text(&r[1]).unwrap_or_default().to_ascii_lowercase(),
                    column_type: text(&r[2]).unwrap_or_default().to_ascii_lowercase(),
                    charset: text(&r[3]),
                    collation: text(&r[4]),
                },
                default: None,
                auto_increment: false,
                generated: None,
                comment: String::new(),
                on_update: None,
            }
        })
        .collect();
    let positions: Option<Vec<usize>> = key
        .iter()
        .map(|k| columns.iter().position(|c| c.name.eq_ignore_ascii_case(k)))
        .collect();
    let Some(positions) = positions else {
        return Err(OverlayError::Unsupported(format!(
            "the schema changes in information_schema.{name}, whose columns vdb does not know"
        )));
    };
    let meta = Arc::new(TableMeta {
        id,
        columns,
        unique_keys: vec![UniqueKey {
            name: "PRIMARY".into(),
            columns: positions,
            ..UniqueKey::default()
        }],
        foreign_keys: Vec::new(),
        referenced_by: Vec::new(),
        checks: Vec::new(),
        auto_increment: None,
        triggers: Vec::new(),
        created: false,
        indexes: Vec::new(),
        collation: None,
        comment: String::new(),
        row_format: None,
        estimated_rows: None,
        source_indexes: Vec::new(),
    });
    delta.cache_meta(meta.clone());
    Ok(meta)
}

/// A catalog row built by column name (columns not named are NULL).
fn row_of(meta: &TableMeta, values: &[(&str, Option<String>)]) -> Row {
    meta.columns
        .iter()
        .map(|c| {
            values
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(&c.name))
                .and_then(|(_, v)| v.clone())
                .map(String::into_bytes)
        })
        .collect()
}

/// Rebuilds the catalog tables' deltas in `w` from its schema delta.
pub fn refresh(up: &mut Upstream, delta: &Delta, w: &mut Writer) -> Result<(), OverlayError> {
    let tables_meta = catalog_meta(up, delta, "TABLES", &["TABLE_SCHEMA", "TABLE_NAME"])?;
    let columns_meta = catalog_meta(
        up,
        delta,
        "COLUMNS",
        // By position, not name: a scan lists a table's columns in order,
        // as the server's does.
        &["TABLE_SCHEMA", "TABLE_NAME", "ORDINAL_POSITION"],
    )?;
    let schema = w.next.schema.clone();
    let mut tables = TableDelta::new(
        tables_meta.clone(),
        tables_meta.unique_keys[0].columns.clone(),
    );
    let mut columns = TableDelta::new(
        columns_meta.clone(),
        columns_meta.unique_keys[0].columns.clone(),
    );
    // Source tables dropped (also those created again): their rows go.
    for id in &schema.dropped {
        let key = |extra: &[(&'static str, Option<String>)]| {
            let mut v = vec![
                ("TABLE_SCHEMA", Some(id.schema.clone())),
                ("TABLE_NAME", Some(id.name.clone())),
            ];
            v.extend_from_slice(extra);
            v
        };
        tables.delete(&row_of(&tables_meta, &key(&[])));
        let positions: Vec<String> = match delta.cached_meta(id) {
            Some(source) => (1..=source.columns.len()).map(|i| i.to_string()).collect(),
            // A view's (vdb never reads a view's definition).
            None => up
                .query(&format!(
                    "SELECT ORDINAL_POSITION FROM information_schema.COLUMNS                      WHERE TABLE_SCHEMA = {} AND TABLE_NAME = {}",
                    text_literal(&id.schema),
                    text_literal(&id.name)
                ))?
                .into_iter()
                .filter_map(|r| r.into_iter().next().flatten())
                .map(|v| String::from_utf8_lossy(&v).into_owned())
                .collect(),
        };
        for p in positions {
            columns.delete(&row_of(
                &columns_meta,
                &key(&[("ORDINAL_POSITION", Some(p))]),
            ));
        }
    }
    // A temporary table is in no catalog (as on MariaDB 10.11).
    let created = schema.lasting_created();
    let origins: Vec<TableId> = created
        .iter()
        .filter_map(|m| Some(w.next.tables.get(&m.id)?.origin.as_ref()?.table.clone()))
        .collect();
    let estimates = source_estimates(up, &origins)?;
    let times = table_times(up, delta, &w.next)?;
    // PARTITIONS: a table that is not partitioned has one row, its sizes
    // as TABLES shows them; keyed by table, a dropped partitioned table's
    // rows all go with its key.
    let partitions_meta = catalog_meta(up, delta, "PARTITIONS", &["TABLE_SCHEMA", "TABLE_NAME"])?;
    let mut partitions = TableDelta::new(
        partitions_meta.clone(),
        partitions_meta.unique_keys[0].columns.clone(),
    );
    for id in &schema.dropped {
        partitions.delete(&tables_key(&partitions_meta, id));
    }
    for meta in created {
        let table = w.next.tables.get(&meta.id);
        let next_auto = table.map(|t| t.next_auto);
        let mut row = table_row(meta, next_auto);
        // A table read through a projection of a source table holds that
        // table's rows: the source's estimates of them are its own (what a
        // GUI shows as its size).
        if let Some(e) = table
            .and_then(|t| t.origin.as_ref())
            .and_then(|o| estimates.get(&o.table))
        {
            for (name, value) in row.iter_mut() {
                if let Some((_, v)) = e.iter().find(|(n, _)| n == name) {
                    *value = v.clone();
                }
            }
        }
        if let Some([created, updated]) = times.get(&meta.id) {
            row.push(("CREATE_TIME", created.clone()));
            row.push(("UPDATE_TIME", updated.clone()));
        }
        let mut partition = row_of(&partitions_meta, &partition_row(&row));
        let mut row = row_of(&tables_meta, &row);
        if let Some(f) = figures(&w.next, delta, &meta.id) {
            apply_figures(&tables_meta, &mut row, &f);
            apply_figures(&partitions_meta, &mut partition, &f);
        }
        partitions.insert(partition);
        tables.insert(row);
        for (i, c) in meta.columns.iter().enumerate() {
            columns.insert(row_of(&columns_meta, &column_row(meta, i, c)));
        }
    }
    // Source tables' rows the catalog showed (their figures, their
    // UPDATE_TIME) stay as they were.
    if let Some(shown) = delta.current().tables.get(&catalog_id("TABLES")) {
        for id in w.next.tables.keys() {
            if id.schema == CATALOG
                || w.next.schema.created.contains_key(id)
                || w.next.schema.is_dropped(id)
            {
                continue;
            }
            if let Some(row) = shown.rows.get(&shown.key_of(&tables_key(&shown.meta, id))) {
                tables.update(row, (**row).clone());
            }
        }
    }
    // Source tables whose figures the delta moved show them.
    let moved: Vec<(TableId, Figures)> = w
        .next
        .tables
        .keys()
        .filter(|id| !w.next.schema.created.contains_key(*id))
        .filter_map(|id| Some((id.clone(), figures(&w.next, delta, id)?)))
        .collect();
    set_counters(up, &tables_meta, &mut tables, &moved)?;
    let views_meta = catalog_meta(up, delta, "VIEWS", &["TABLE_SCHEMA", "TABLE_NAME"])?;
    let mut views = TableDelta::new(
        views_meta.clone(),
        views_meta.unique_keys[0].columns.clone(),
    );
    for id in &schema.dropped {
        views.delete(&tables_key(&views_meta, id));
    }
    for (id, v) in &schema.views {
        for (i, c) in v.meta.columns.iter().enumerate() {
            columns.insert(row_of(&columns_meta, &column_row(&v.meta, i, c)));
        }
        let s = |v: &str| Some(v.to_string());
        tables.insert(row_of(
            &tables_meta,
            &[
                ("TABLE_CATALOG", s("def")),
                ("TABLE_SCHEMA", s(&id.schema)),
                ("TABLE_NAME", s(&id.name)),
                ("TABLE_TYPE", s("VIEW")),
                ("TABLE_COMMENT", s("VIEW")),
            ],
        ));
        views.insert(row_of(
            &views_meta,
            &[
                ("TABLE_CATALOG", s("def")),
                ("TABLE_SCHEMA", s(&id.schema)),
                ("TABLE_NAME", s(&id.name)),
                ("VIEW_DEFINITION", s(&v.body)),
                ("CHECK_OPTION", s(&v.check_option)),
                ("IS_UPDATABLE", s(updatable(&v.body))),
                ("DEFINER", s(&v.definer)),
                ("SECURITY_TYPE", s(&v.security)),
                ("CHARACTER_SET_CLIENT", s(&v.charset_client)),
                ("COLLATION_CONNECTION", s(&v.collation_connection)),
                ("ALGORITHM", s(&v.algorithm)),
            ],
        ));
    }
    let mut more = vec![(views_meta, views), (partitions_meta, partitions)];
    let schemata_meta = catalog_meta(up, delta, "SCHEMATA", &["SCHEMA_NAME"])?;
    let mut schemata = TableDelta::new(
        schemata_meta.clone(),
        schemata_meta.unique_keys[0].columns.clone(),
    );
    for name in &schema.dropped_databases {
        schemata.delete(&row_of(
            &schemata_meta,
            &[("SCHEMA_NAME", Some(name.clone()))],
        ));
    }
    // A source database ALTER DATABASE changed: its row replaced.
    for name in schema.altered_databases.keys() {
        schemata.delete(&row_of(
            &schemata_meta,
            &[("SCHEMA_NAME", Some(name.clone()))],
        ));
    }
    for (name, def) in schema.databases.iter().chain(&schema.altered_databases) {
        schemata.insert(row_of(
            &schemata_meta,
            &[
                ("CATALOG_NAME", Some("def".into())),
                ("SCHEMA_NAME", Some(name.clone())),
                ("DEFAULT_CHARACTER_SET_NAME", Some(def.charset.clone())),
                ("DEFAULT_COLLATION_NAME", Some(def.collation.clone())),
                ("SCHEMA_COMMENT", Some(def.comment.clone())),
            ],
        ));
    }
    more.push((schemata_meta, schemata));
    let cardinalities = source_cardinalities(up, &w.next, &schema.lasting_created())?;
    for (name, key, table_cols, rows) in CONSTRAINT_TABLES {
        let meta = match catalog_meta(up, delta, name, key) {
            Ok(m) => m,
            // MySQL's CHECK_CONSTRAINTS has no table name; it is not
            // overlaid there.
            Err(OverlayError::Unsupported(_)) if name == "CHECK_CONSTRAINTS" => continue,
            Err(e) => return Err(e),
        };
        let mut t = TableDelta::new(meta.clone(), meta.unique_keys[0].columns.clone());
        // A dropped source table's rows are hidden as the source lists them.
        for id in &schema.dropped {
            let keys: Vec<String> = key.iter().map(|k| format!("`{k}`")).collect();
            let found = up.query(&format!(
                "SELECT {} FROM information_schema.{name} WHERE {} = {} AND {} = {}",
                keys.join(", "),
                table_cols.0,
                text_literal(&id.schema),
                table_cols.1,
                text_literal(&id.name)
            ))?;
            for r in found {
                let values: Vec<(&str, Option<String>)> = key
                    .iter()
                    .zip(r)
                    .map(|(k, v)| (*k, v.map(|b| String::from_utf8_lossy(&b).into_owned())))
                    .collect();
                t.delete(&row_of(&meta, &values));
            }
        }
        let created = schema.lasting_created();
        let definitions = |id: &TableId| {
            schema
                .created
                .get(id)
                .cloned()
                .or_else(|| delta.cached_meta(id))
        };
        for m in created {
            for mut r in rows(m, &definitions) {
                if name == "STATISTICS" {
                    with_cardinality(&mut r, &m.id, &cardinalities);
                }
                t.insert(row_of(&meta, &r));
            }
        }
        more.push((meta, t));
    }
    for (meta, t) in [(tables_meta, tables), (columns_meta, columns)]
        .into_iter()
        .chain(more)
    {
        if t.rows.is_empty() && t.hidden.is_empty() {
            w.next.tables.remove(&meta.id);
        } else {
            w.next.tables.insert(meta.id.clone(), Arc::new(t));
        }
    }
    Ok(())
}

/// What information_schema.TABLES shows of a table that writes move, as
/// InnoDB keeps it: the AUTO_INCREMENT counter, and TABLE_ROWS (InnoDB
/// counts each row inserted and deleted, at once, until it next samples
/// the table; AVG_ROW_LENGTH is DATA_LENGTH over it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Figures {
    /// The next AUTO_INCREMENT value, where the delta holds it.
    auto: Option<u64>,
    /// TABLE_ROWS, where the delta moved it.
    rows: Option<u64>,
}

/// The figures of table `id` that the delta holds: all of a created
/// table's (its rows counted: those of a table read through a
/// projection of a source table are that table's estimate moved by the
/// delta), a changed source table's row count and the counter it moved.
/// `None` for a table the delta holds nothing of, and for a temporary,
/// dropped or catalog table or a view.
fn figures(state: &DeltaState, delta: &Delta, id: &TableId) -> Option<Figures> {
    if id.is_temporary() || id.schema == CATALOG || state.schema.views.contains_key(id) {
        return None;
    }
    let t = state.tables.get(id);
    // Rows added less rows removed. A key-less source table's hidden
    // image hides every copy of it, which vdb does not count.
    let net = |t: &TableDelta| {
        (!t.counted || t.hidden.is_empty()).then(|| t.rows.len() as i64 - t.hidden.len() as i64)
    };
    let moved =
        |estimate: Option<u64>, net: Option<i64>| Some((estimate? as i64 + net?).max(0) as u64);
    if let Some(meta) = state.schema.created.get(id) {
        let rows = match t {
            None => Some(0),
            Some(t) => match &t.origin {
                None => Some(t.rows.len() as u64),
                Some(o) => moved(
                    delta.cached_meta(&o.table).and_then(|m| m.estimated_rows),
                    net(t),
                ),
            },
        };
        let auto = meta.auto_column().map(|_| t.map_or(1, |t| t.next_auto));
        return Some(Figures { auto, rows });
    }
    let t = t?;
    if state.schema.is_dropped(id) {
        return None;
    }
    // Also when the rows added and removed even out: a row shown moved
    // before must come back.
    let rows = moved(t.meta.estimated_rows, net(t));
    let f = Figures {
        auto: moved_counter(state, id),
        rows,
    };
    (f != Figures::default()).then_some(f)
}

/// Sets `f` in `row`, a row of a catalog table `meta` that lists tables
/// (TABLES, PARTITIONS): what is not a column of it is left out.
fn apply_figures(meta: &TableMeta, row: &mut Row, f: &Figures) {
    let mut values = Vec::new();
    if let Some(n) = f.auto {
        values.push(("AUTO_INCREMENT", n));
    }
    if let Some(n) = f.rows {
        let data: u64 = meta
            .position("DATA_LENGTH")
            .and_then(|at| std::str::from_utf8(row[at].as_deref()?).ok()?.parse().ok())
            .unwrap_or(0);
        values.push(("TABLE_ROWS", n));
        values.push(("AVG_ROW_LENGTH", data.checked_div(n).unwrap_or(0)));
    }
    for (name, n) in values {
        if let Some(at) = meta.position(name) {
            row[at] = Some(n.to_string().into_bytes());
        }
    }
}

/// Shows in the catalog the figures ([`Figures`]) of the tables `ids`
/// (those a statement just wrote to) that the delta holds. Cheap when
/// the catalog shows them already: only the rows that differ are set.
/// Whether any row changed.
pub fn counters(
    up: &mut Upstream,
    delta: &Delta,
    w: &mut Writer,
    ids: &[TableId],
) -> Result<bool, OverlayError> {
    let wanted = stale_counters(&w.next, delta, ids);
    if wanted.is_empty() {
        return Ok(false);
    }
    let meta = catalog_meta(up, delta, "TABLES", &["TABLE_SCHEMA", "TABLE_NAME"])?;
    let id = catalog_id("TABLES");
    let mut tables = match w.next.tables.get(&id) {
        Some(t) => (**t).clone(),
        None => TableDelta::new(meta.clone(), meta.unique_keys[0].columns.clone()),
    };
    let changed = set_counters(up, &meta, &mut tables, &wanted)?;
    if changed {
        w.next.tables.insert(id, Arc::new(tables));
    }
    // A created table's one row of PARTITIONS has its sizes too.
    let pid = catalog_id("PARTITIONS");
    if let Some(p) = w.next.tables.get(&pid) {
        let mut p = (**p).clone();
        let mut moved = false;
        for (id, f) in &wanted {
            let key = tables_key(&p.meta, id);
            let Some(row) = p.rows.get(&p.key_of(&key)).map(|r| (**r).clone()) else {
                continue;
            };
            let mut new = row.clone();
            apply_figures(&p.meta, &mut new, f);
            if new != row {
                p.update(&row, new);
                moved = true;
            }
        }
        if moved {
            w.next.tables.insert(pid, Arc::new(p));
        }
    }
    Ok(changed)
}

/// The tables of `ids` whose figures the delta holds and the catalog of
/// `state` does not show yet, with them: what [`counters`] would set.
/// Empty in the common case, where it costs a lookup per table.
pub fn stale_counters(
    state: &DeltaState,
    delta: &Delta,
    ids: &[TableId],
) -> Vec<(TableId, Figures)> {
    let catalog = state.tables.get(&catalog_id("TABLES"));
    let shown = |id: &TableId, f: &Figures| -> bool {
        let Some(c) = catalog else {
            return false;
        };
        let Some(row) = c.rows.get(&c.key_of(&tables_key(&c.meta, id))) else {
            return false;
        };
        let mut new = (**row).clone();
        apply_figures(&c.meta, &mut new, f);
        new == **row
    };
    ids.iter()
        .filter_map(|id| {
            let f = figures(state, delta, id)?;
            (!shown(id, &f)).then(|| (id.clone(), f))
        })
        .collect()
}

/// Changes by `change` the rows of the tables `ids` in `tables`, the
/// catalog's TABLES; a source table's row, the first time, as the source
/// lists it. Whether any row changed.
fn set_rows(
    up: &mut Upstream,
    meta: &TableMeta,
    tables: &mut TableDelta,
    ids: &[&TableId],
    mut change: impl FnMut(&TableId, &mut Row),
) -> Result<bool, OverlayError> {
    let mut changed = false;
    for id in ids {
        let key = tables_key(meta, id);
        let held = tables.rows.get(&tables.key_of(&key)).map(|r| (**r).clone());
        let row = match held {
            Some(r) => r,
            None => {
                let found = up.query(&format!(
                    "SELECT * FROM information_schema.TABLES WHERE TABLE_SCHEMA = {} AND TABLE_NAME = {}",
                    text_literal(&id.schema),
                    text_literal(&id.name)
                ))?;
                match found.into_iter().next() {
                    Some(r) if r.len() == meta.columns.len() => r,
                    _ => continue,
                }
            }
        };
        let mut new = row.clone();
        change(id, &mut new);
        if new == row {
            continue;
        }
        tables.update(&row, new);
        changed = true;
    }
    Ok(changed)
}

/// Sets the figures of each (table, figures) of `wanted` in `tables`, the
/// catalog's TABLES (see [`set_rows`]).
fn set_counters(
    up: &mut Upstream,
    meta: &TableMeta,
    tables: &mut TableDelta,
    wanted: &[(TableId, Figures)],
) -> Result<bool, OverlayError> {
    let ids: Vec<&TableId> = wanted.iter().map(|(id, _)| id).collect();
    set_rows(up, meta, tables, &ids, |id, row| {
        if let Some((_, f)) = wanted.iter().find(|(w, _)| w == id) {
            apply_figures(meta, row, f);
        }
    })
}

/// Stamps UPDATE_TIME of the tables `ids` (those a statement, or a
/// transaction at COMMIT, changed rows of) with the source's time, as
/// InnoDB does when a change commits. Temporary, dropped and catalog
/// tables are left out. Whether any row changed.
pub fn touch(
    up: &mut Upstream,
    delta: &Delta,
    w: &mut Writer,
    ids: &[TableId],
) -> Result<bool, OverlayError> {
    stamp(up, delta, w, ids, true)
}

/// Clears UPDATE_TIME of the tables `ids`: CREATE TABLE ... SELECT fills
/// its table without the server stamping it.
pub fn untouch(
    up: &mut Upstream,
    delta: &Delta,
    w: &mut Writer,
    ids: &[TableId],
) -> Result<bool, OverlayError> {
    stamp(up, delta, w, ids, false)
}

/// UPDATE_TIME of the lasting tables of `ids`: the source's time `now`, or
/// none.
fn stamp(
    up: &mut Upstream,
    delta: &Delta,
    w: &mut Writer,
    ids: &[TableId],
    now: bool,
) -> Result<bool, OverlayError> {
    let lasting: Vec<&TableId> = ids
        .iter()
        .filter(|id| {
            !id.is_temporary()
                && id.schema != CATALOG
                && !w.next.schema.views.contains_key(*id)
                && (w.next.schema.created.contains_key(*id) || !w.next.schema.is_dropped(id))
        })
        .collect();
    if lasting.is_empty() {
        return Ok(false);
    }
    let time = if now {
        Some(up.now()?.into_bytes())
    } else {
        None
    };
    let meta = catalog_meta(up, delta, "TABLES", &["TABLE_SCHEMA", "TABLE_NAME"])?;
    let Some(at) = meta.position("UPDATE_TIME") else {
        return Ok(false);
    };
    let id = catalog_id("TABLES");
    let mut tables = match w.next.tables.get(&id) {
        Some(t) => (**t).clone(),
        None => TableDelta::new(meta.clone(), meta.unique_keys[0].columns.clone()),
    };
    let changed = set_rows(up, &meta, &mut tables, &lasting, |_, row| {
        row[at] = time.clone()
    })?;
    if changed {
        w.next.tables.insert(id, Arc::new(tables));
    }
    Ok(changed)
}

/// The key of `id`'s row in a catalog table keyed by TABLE_SCHEMA and
/// TABLE_NAME (`meta`: TABLES, VIEWS, PARTITIONS).
fn tables_key(meta: &TableMeta, id: &TableId) -> Row {
    row_of(
        meta,
        &[
            ("TABLE_SCHEMA", Some(id.schema.clone())),
            ("TABLE_NAME", Some(id.name.clone())),
        ],
    )
}

/// A catalog row as (column, value) pairs.
type CatalogRow = Vec<(&'static str, Option<String>)>;

/// The catalog tables about keys and constraints.
/// What a catalog row builder may look up: another table's definition.
type Definitions<'a> = dyn Fn(&TableId) -> Option<Arc<TableMeta>> + 'a;

type RowsOf = fn(&TableMeta, &Definitions) -> Vec<CatalogRow>;

/// A catalog table about keys: its name, key columns, the columns naming a
/// row's database and table, and the rows of a created table.
type CatalogTable = (
    &'static str,
    &'static [&'static str],
    (&'static str, &'static str),
    RowsOf,
);

const CONSTRAINT_TABLES: [CatalogTable; 6] = [
    (
        "STATISTICS",
        &["TABLE_SCHEMA", "TABLE_NAME", "INDEX_NAME", "SEQ_IN_INDEX"],
        ("TABLE_SCHEMA", "TABLE_NAME"),
        statistics_rows,
    ),
    (
        "TABLE_CONSTRAINTS",
        &[
            "TABLE_SCHEMA",
            "TABLE_NAME",
            "CONSTRAINT_NAME",
            "CONSTRAINT_TYPE",
        ],
        ("TABLE_SCHEMA", "TABLE_NAME"),
        table_constraint_rows,
    ),
    (
        "KEY_COLUMN_USAGE",
        &[
            "TABLE_SCHEMA",
            "TABLE_NAME",
            "CONSTRAINT_NAME",
            "ORDINAL_POSITION",
        ],
        ("TABLE_SCHEMA", "TABLE_NAME"),
        key_column_rows,
    ),
    (
        "CHECK_CONSTRAINTS",
        &["CONSTRAINT_SCHEMA", "TABLE_NAME", "CONSTRAINT_NAME"],
        ("CONSTRAINT_SCHEMA", "TABLE_NAME"),
        check_constraint_rows,
    ),
    (
        "REFERENTIAL_CONSTRAINTS",
        &["CONSTRAINT_SCHEMA", "TABLE_NAME", "CONSTRAINT_NAME"],
        ("CONSTRAINT_SCHEMA", "TABLE_NAME"),
        referential_rows,
    ),
    (
        "TRIGGERS",
        &["TRIGGER_SCHEMA", "TRIGGER_NAME"],
        ("EVENT_OBJECT_SCHEMA", "EVENT_OBJECT_TABLE"),
        trigger_rows,
    ),
];

/// A table's triggers as information_schema.TRIGGERS lists them.
fn trigger_rows(meta: &TableMeta, _: &Definitions) -> Vec<CatalogRow> {
    let s = |v: &str| Some(v.to_string());
    meta.triggers
        .iter()
        .map(|t| {
            vec![
                ("TRIGGER_CATALOG", s("def")),
                ("TRIGGER_SCHEMA", s(&meta.id.schema)),
                ("TRIGGER_NAME", s(&t.name)),
                ("EVENT_MANIPULATION", s(&t.event)),
                ("EVENT_OBJECT_CATALOG", s("def")),
                ("EVENT_OBJECT_SCHEMA", s(&meta.id.schema)),
                ("EVENT_OBJECT_TABLE", s(&meta.id.name)),
                ("ACTION_ORDER", Some(t.order.to_string())),
                ("ACTION_STATEMENT", s(&t.body)),
                ("ACTION_ORIENTATION", s("ROW")),
                (
                    "ACTION_TIMING",
                    s(if t.before { "BEFORE" } else { "AFTER" }),
                ),
                ("ACTION_REFERENCE_OLD_ROW", s("OLD")),
                ("ACTION_REFERENCE_NEW_ROW", s("NEW")),
                ("CREATED", t.created.clone()),
                ("SQL_MODE", s(&t.sql_mode)),
                ("DEFINER", s(&t.definer)),
                ("CHARACTER_SET_CLIENT", s(&t.charset_client)),
                ("COLLATION_CONNECTION", s(&t.collation_connection)),
                ("DATABASE_COLLATION", s(&t.database_collation)),
            ]
        })
        .collect()
}

/// SHOW TRIGGERS's columns and the information_schema.TRIGGERS column
/// each one shows.
const SHOW_TRIGGERS: &[(&str, &str)] = &[
    ("Trigger", "TRIGGER_NAME"),
    ("Event", "EVENT_MANIPULATION"),
    ("Table", "EVENT_OBJECT_TABLE"),
    ("Statement", "ACTION_STATEMENT"),
    ("Timing", "ACTION_TIMING"),
    ("Created", "CREATED"),
    ("sql_mode", "SQL_MODE"),
    ("Definer", "DEFINER"),
    ("character_set_client", "CHARACTER_SET_CLIENT"),
    ("collation_connection", "COLLATION_CONNECTION"),
    ("Database Collation", "DATABASE_COLLATION"),
];

/// SHOW TRIGGERS of database `db` over information_schema.TRIGGERS: LIKE
/// on the table's name, a WHERE over the result's columns, in the
/// server's order (by table, then event, timing and place).
fn triggers_query(db: &str, like: Option<&str>, filter: Option<&str>) -> String {
    let items: Vec<String> = SHOW_TRIGGERS
        .iter()
        .map(|(name, column)| format!("{column} AS {}", quote_ident(name)))
        .collect();
    let mut q = format!(
        "SELECT {}, EVENT_OBJECT_TABLE AS `vdb_t`, ACTION_ORDER AS `vdb_o` \
         FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = {}",
        items.join(", "),
        text_literal(db)
    );
    if let Some(p) = like {
        q.push_str(&format!(" AND EVENT_OBJECT_TABLE LIKE {}", text_literal(p)));
    }
    let shown: Vec<String> = SHOW_TRIGGERS
        .iter()
        .map(|(name, _)| quote_ident(name))
        .collect();
    format!(
        "SELECT {} FROM ({q}) AS `vdb_show`{} ORDER BY CAST(`vdb_t` AS BINARY), \
         FIELD(`Event`, 'INSERT', 'UPDATE', 'DELETE'), FIELD(`Timing`, 'BEFORE', 'AFTER'), `vdb_o`",
        shown.join(", "),
        filter.map(|f| format!(" WHERE {f}")).unwrap_or_default()
    )
}

/// The keys of a table, unique first (PRIMARY, UNIQUE), then the others.
fn all_keys(meta: &TableMeta) -> impl Iterator<Item = (&UniqueKey, bool)> {
    meta.unique_keys
        .iter()
        .map(|k| (k, true))
        .chain(meta.indexes.iter().map(|k| (k, false)))
}

fn statistics_rows(meta: &TableMeta, _: &Definitions) -> Vec<CatalogRow> {
    let s = |v: &str| Some(v.to_string());
    let mut out = Vec::new();
    for (k, unique) in all_keys(meta) {
        for (seq, &c) in k.columns.iter().enumerate() {
            let col = &meta.columns[c];
            out.push(vec![
                ("TABLE_CATALOG", s("def")),
                ("TABLE_SCHEMA", s(&meta.id.schema)),
                ("TABLE_NAME", s(&meta.id.name)),
                ("NON_UNIQUE", s(if unique { "0" } else { "1" })),
                ("INDEX_SCHEMA", s(&meta.id.schema)),
                ("INDEX_NAME", s(&k.name)),
                ("SEQ_IN_INDEX", Some((seq + 1).to_string())),
                ("COLUMN_NAME", s(&col.name)),
                ("COLLATION", s("A")),
                ("CARDINALITY", s("0")),
                ("NULLABLE", s(if col.nullable { "YES" } else { "" })),
                ("INDEX_TYPE", s("BTREE")),
                ("COMMENT", s("")),
                ("INDEX_COMMENT", s(&k.options.comment)),
                ("IGNORED", s("NO")),
            ]);
        }
    }
    out
}

fn table_constraint_rows(meta: &TableMeta, _: &Definitions) -> Vec<CatalogRow> {
    let s = |v: &str| Some(v.to_string());
    let row = |name: &str, kind: &str| {
        vec![
            ("CONSTRAINT_CATALOG", s("def")),
            ("CONSTRAINT_SCHEMA", s(&meta.id.schema)),
            ("CONSTRAINT_NAME", s(name)),
            ("TABLE_SCHEMA", s(&meta.id.schema)),
            ("TABLE_NAME", s(&meta.id.name)),
            ("CONSTRAINT_TYPE", s(kind)),
        ]
    };
    let mut out: Vec<CatalogRow> = meta
        .unique_keys
        .iter()
        .map(|k| {
            row(
                &k.name,
                if k.name == "PRIMARY" {
                    "PRIMARY KEY"
                } else {
                    "UNIQUE"
                },
            )
        })
        .collect();
    out.extend(
        meta.foreign_keys
            .iter()
            .map(|f| row(&f.name, "FOREIGN KEY")),
    );
    out.extend(
        meta.checks
            .iter()
            .map(|c| row(check_name(meta, &c.name), "CHECK")),
    );
    out
}

/// A CHECK constraint's name as the catalog lists it (a column's own is
/// named by the column).
fn check_name<'a>(meta: &TableMeta, name: &'a str) -> &'a str {
    own_check_name(&meta.id.name, name).unwrap_or(name)
}

fn check_constraint_rows(meta: &TableMeta, _: &Definitions) -> Vec<CatalogRow> {
    let s = |v: &str| Some(v.to_string());
    meta.checks
        .iter()
        .map(|c| {
            vec![
                ("CONSTRAINT_CATALOG", s("def")),
                ("CONSTRAINT_SCHEMA", s(&meta.id.schema)),
                ("TABLE_NAME", s(&meta.id.name)),
                ("CONSTRAINT_NAME", s(check_name(meta, &c.name))),
                (
                    "LEVEL",
                    s(if is_column_check(meta, &c.name) {
                        "Column"
                    } else {
                        "Table"
                    }),
                ),
                ("CHECK_CLAUSE", s(&c.clause)),
            ]
        })
        .collect()
}

fn key_column_rows(meta: &TableMeta, _: &Definitions) -> Vec<CatalogRow> {
    let s = |v: &str| Some(v.to_string());
    let base = |name: &str, column: &str, pos: usize| {
        vec![
            ("CONSTRAINT_CATALOG", s("def")),
            ("CONSTRAINT_SCHEMA", s(&meta.id.schema)),
            ("CONSTRAINT_NAME", s(name)),
            ("TABLE_CATALOG", s("def")),
            ("TABLE_SCHEMA", s(&meta.id.schema)),
            ("TABLE_NAME", s(&meta.id.name)),
            ("COLUMN_NAME", s(column)),
            ("ORDINAL_POSITION", Some(pos.to_string())),
        ]
    };
    let mut out = Vec::new();
    for k in &meta.unique_keys {
        for (n, &c) in k.columns.iter().enumerate() {
            out.push(base(&k.name, &meta.columns[c].name, n + 1));
        }
    }
    for f in &meta.foreign_keys {
        for (n, (c, p)) in f.child_columns.iter().zip(&f.parent_columns).enumerate() {
            let mut r = base(&f.name, c, n + 1);
            r.push(("POSITION_IN_UNIQUE_CONSTRAINT", Some((n + 1).to_string())));
            r.push(("REFERENCED_TABLE_SCHEMA", s(&f.parent.schema)));
            r.push(("REFERENCED_TABLE_NAME", s(&f.parent.name)));
            r.push(("REFERENCED_COLUMN_NAME", s(p)));
            out.push(r);
        }
    }
    out
}

/// The name of the parent's index a foreign key uses: the first whose
/// leading columns are the referenced ones.
fn parent_key(f: &crate::delta::ForeignKey, definitions: &Definitions) -> Option<String> {
    let parent = definitions(&f.parent)?;
    let wanted: Option<Vec<usize>> = f
        .parent_columns
        .iter()
        .map(|c| parent.position(c))
        .collect();
    let wanted = wanted?;
    let found = all_keys(&parent)
        .map(|(k, _)| k)
        .find(|k| k.columns.len() >= wanted.len() && k.columns[..wanted.len()] == wanted[..])
        .map(|k| k.name.clone());
    found.or_else(|| f.parent_columns.first().cloned())
}

fn referential_rows(meta: &TableMeta, definitions: &Definitions) -> Vec<CatalogRow> {
    let s = |v: &str| Some(v.to_string());
    let rule = |r: crate::delta::FkRule| match r {
        crate::delta::FkRule::Cascade => "CASCADE",
        crate::delta::FkRule::SetNull => "SET NULL",
        crate::delta::FkRule::Restrict => "RESTRICT",
    };
    meta.foreign_keys
        .iter()
        .map(|f| {
            vec![
                ("CONSTRAINT_CATALOG", s("def")),
                ("CONSTRAINT_SCHEMA", s(&meta.id.schema)),
                ("CONSTRAINT_NAME", s(&f.name)),
                ("UNIQUE_CONSTRAINT_CATALOG", s("def")),
                ("UNIQUE_CONSTRAINT_SCHEMA", s(&f.parent.schema)),
                ("UNIQUE_CONSTRAINT_NAME", parent_key(f, definitions)),
                ("MATCH_OPTION", s("NONE")),
                ("UPDATE_RULE", s(rule(f.on_update))),
                ("DELETE_RULE", s(rule(f.on_delete))),
                ("TABLE_NAME", s(&meta.id.name)),
                ("REFERENCED_TABLE_NAME", s(&f.parent.name)),
            ]
        })
        .collect()
}

/// CREATE_TIME and UPDATE_TIME of the created tables of `next`: as the
/// catalog showed them for a table whose definition this change left as
/// it was; for one it defined, renamed or altered, whose files the server
/// would have written again, the source's time (as the server shows the
/// time) and no UPDATE_TIME yet.
fn table_times(
    up: &mut Upstream,
    delta: &Delta,
    next: &DeltaState,
) -> Result<HashMap<TableId, [Option<String>; 2]>, OverlayError> {
    let before = delta.current();
    let shown = before.tables.get(&catalog_id("TABLES"));
    let kept = |id: &TableId, meta: &Arc<TableMeta>| -> Option<[Option<String>; 2]> {
        if !before
            .schema
            .created
            .get(id)
            .is_some_and(|m| Arc::ptr_eq(m, meta))
        {
            return None;
        }
        let c = shown?;
        let row = c.rows.get(&c.key_of(&tables_key(&c.meta, id)))?;
        let value = |name: &str| -> Option<String> {
            let v = row[c.meta.position(name)?].as_deref()?;
            Some(String::from_utf8_lossy(v).into_owned())
        };
        Some([value("CREATE_TIME"), value("UPDATE_TIME")])
    };
    let mut times = HashMap::new();
    for meta in next.schema.lasting_created() {
        let t = match kept(&meta.id, meta) {
            Some(t) => t,
            None => [Some(up.now()?), None],
        };
        times.insert(meta.id.clone(), t);
    }
    Ok(times)
}

/// The source's size estimates (TABLE_ROWS, AVG_ROW_LENGTH, DATA_LENGTH,
/// INDEX_LENGTH) of the tables `ids`, in one query.
fn source_estimates(
    up: &mut Upstream,
    ids: &[TableId],
) -> Result<HashMap<TableId, CatalogRow>, OverlayError> {
    const NAMES: [&str; 4] = [
        "TABLE_ROWS",
        "AVG_ROW_LENGTH",
        "DATA_LENGTH",
        "INDEX_LENGTH",
    ];
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let pairs: Vec<String> = ids
        .iter()
        .map(|id| format!("({}, {})", text_literal(&id.schema), text_literal(&id.name)))
        .collect();
    let rows = up.query(&format!(
        "SELECT TABLE_SCHEMA, TABLE_NAME, {} FROM information_schema.TABLES WHERE (TABLE_SCHEMA, TABLE_NAME) IN ({})",
        NAMES.join(", "),
        pairs.join(", ")
    ))?;
    let text = |v: &Option<Vec<u8>>| v.as_ref().map(|b| String::from_utf8_lossy(b).into_owned());
    Ok(rows
        .into_iter()
        .filter(|r| r.len() == 2 + NAMES.len())
        .map(|r| {
            let id = TableId {
                schema: text(&r[0]).unwrap_or_default(),
                name: text(&r[1]).unwrap_or_default(),
            };
            let values = NAMES
                .iter()
                .zip(&r[2..])
                .map(|(n, v)| (*n, text(v)))
                .collect();
            (id, values)
        })
        .collect())
}

/// Index cardinalities by (table, index, position in the index).
type Cardinalities = HashMap<(TableId, String, usize), String>;

/// A source index's columns in order, with their cardinalities.
type IndexColumns = Vec<(String, Option<String>)>;

/// The cardinalities of the indexes of tables read through a projection of
/// a source table, taken from the source's index over the same source
/// columns (the same rows, so the same estimates; a column the ALTER added,
/// or an index over one, has none and reads 0 as an empty table's).
/// Asked of the source in one query.
fn source_cardinalities(
    up: &mut Upstream,
    state: &crate::delta::DeltaState,
    created: &[&Arc<TableMeta>],
) -> Result<Cardinalities, OverlayError> {
    let projected: Vec<(&Arc<TableMeta>, &crate::delta::Origin)> = created
        .iter()
        .filter_map(|m| Some((*m, state.tables.get(&m.id)?.origin.as_deref()?)))
        .collect();
    let mut out = HashMap::new();
    if projected.is_empty() {
        return Ok(out);
    }
    let pairs: Vec<String> = projected
        .iter()
        .map(|(_, o)| {
            format!(
                "({}, {})",
                text_literal(&o.table.schema),
                text_literal(&o.table.name)
            )
        })
        .collect();
    let rows = up.query(&format!(
        "SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, COLUMN_NAME, CARDINALITY FROM information_schema.STATISTICS \
         WHERE (TABLE_SCHEMA, TABLE_NAME) IN ({}) ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
        pairs.join(", ")
    ))?;
    let text = |v: &Option<Vec<u8>>| v.as_ref().map(|b| String::from_utf8_lossy(b).into_owned());
    // (table, index) -> its columns and their cardinalities, in order.
    let mut source: HashMap<(TableId, String), IndexColumns> = HashMap::new();
    for r in rows.iter().filter(|r| r.len() == 5) {
        let id = TableId {
            schema: text(&r[0]).unwrap_or_default(),
            name: text(&r[1]).unwrap_or_default(),
        };
        source
            .entry((id, text(&r[2]).unwrap_or_default()))
            .or_default()
            .push((text(&r[3]).unwrap_or_default(), text(&r[4])));
    }
    for (meta, origin) in projected {
        for (k, _) in all_keys(meta) {
            let read: Vec<Option<&str>> = k
                .columns
                .iter()
                .map(|&c| match &origin.columns[c] {
                    crate::delta::Projected::Column(n)
                    | crate::delta::Projected::Converted { column: n, .. } => Some(n.as_str()),
                    crate::delta::Projected::Value(_) => None,
                })
                .collect();
            let matched = |cols: &[(String, Option<String>)]| {
                cols.iter()
                    .zip(&read)
                    .take_while(|((c, _), r)| r.is_some_and(|r| r.eq_ignore_ascii_case(c)))
                    .count()
            };
            // The longest match; the index of the same name first.
            let best = source
                .iter()
                .filter(|((t, _), _)| *t == origin.table)
                .map(|((_, name), cols)| (matched(cols), name.eq_ignore_ascii_case(&k.name), cols))
                .filter(|(n, _, _)| *n > 0)
                .max_by_key(|(n, same, _)| (*n, *same));
            if let Some((n, _, cols)) = best {
                for (seq, (_, card)) in cols.iter().take(n).enumerate() {
                    if let Some(card) = card {
                        out.insert((meta.id.clone(), k.name.clone(), seq + 1), card.clone());
                    }
                }
            }
        }
    }
    Ok(out)
}

/// A STATISTICS row of a created table with its cardinality, when known.
fn with_cardinality(row: &mut CatalogRow, id: &TableId, known: &Cardinalities) {
    let value = |name: &str| {
        row.iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let seq: usize = value("SEQ_IN_INDEX").parse().unwrap_or(0);
    if let Some(card) = known.get(&(id.clone(), value("INDEX_NAME"), seq)) {
        for (n, v) in row.iter_mut() {
            if *n == "CARDINALITY" {
                *v = Some(card.clone());
            }
        }
    }
}

/// The cardinality the catalog's STATISTICS holds for a created table's
/// index column (`None`: none recorded).
fn catalog_cardinality(
    state: &crate::delta::DeltaState,
    id: &TableId,
    index: &str,
    seq: usize,
) -> Option<String> {
    let t = state.tables.get(&catalog_id("STATISTICS"))?;
    let at = |name: &str| t.meta.position(name);
    let (schema, table, idx, sq, card) = (
        at("TABLE_SCHEMA")?,
        at("TABLE_NAME")?,
        at("INDEX_NAME")?,
        at("SEQ_IN_INDEX")?,
        at("CARDINALITY")?,
    );
    let is = |r: &crate::delta::Row, i: usize, v: &str| r[i].as_deref() == Some(v.as_bytes());
    let seq = seq.to_string();
    t.rows
        .values()
        .find(|r| {
            is(r, schema, &id.schema)
                && is(r, table, &id.name)
                && is(r, idx, index)
                && is(r, sq, &seq)
        })
        .and_then(|r| r[card].as_deref())
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

fn table_row(meta: &TableMeta, next_auto: Option<u64>) -> Vec<(&'static str, Option<String>)> {
    let s = |v: &str| Some(v.to_string());
    vec![
        ("TABLE_CATALOG", s("def")),
        ("TABLE_SCHEMA", s(&meta.id.schema)),
        ("TABLE_NAME", s(&meta.id.name)),
        ("TABLE_TYPE", s("BASE TABLE")),
        ("ENGINE", s("InnoDB")),
        ("VERSION", s("10")),
        (
            "ROW_FORMAT",
            Some(match meta.row_format.as_deref() {
                Some(f) => format!("{}{}", &f[..1], f[1..].to_ascii_lowercase()),
                None => "Dynamic".into(),
            }),
        ),
        ("TABLE_ROWS", s("0")),
        ("AVG_ROW_LENGTH", s("0")),
        ("DATA_LENGTH", s("16384")),
        ("MAX_DATA_LENGTH", s("0")),
        // An empty InnoDB table's: one 16 KiB page per secondary index
        // (every key but the one the rows are clustered by).
        (
            "INDEX_LENGTH",
            Some((16384 * secondary_indexes(meta)).to_string()),
        ),
        ("DATA_FREE", s("0")),
        (
            "AUTO_INCREMENT",
            meta.auto_column()
                .map(|_| next_auto.unwrap_or(1).to_string()),
        ),
        ("TABLE_COLLATION", meta.collation.clone()),
        (
            "CREATE_OPTIONS",
            Some(
                meta.row_format
                    .as_ref()
                    .map(|f| format!("row_format={f}"))
                    .unwrap_or_default(),
            ),
        ),
        ("TABLE_COMMENT", s(&meta.comment)),
        ("MAX_INDEX_LENGTH", s("0")),
        ("TEMPORARY", s("N")),
    ]
}

/// A created table's row of information_schema.PARTITIONS from its row of
/// TABLES (see [`table_row`]): the one row of a table that is not
/// partitioned, with the same sizes (MAX_DATA_LENGTH is NULL there).
fn partition_row(table: &[(&'static str, Option<String>)]) -> Vec<(&'static str, Option<String>)> {
    const SHARED: &[&str] = &[
        "TABLE_CATALOG",
        "TABLE_SCHEMA",
        "TABLE_NAME",
        "TABLE_ROWS",
        "AVG_ROW_LENGTH",
        "DATA_LENGTH",
        "INDEX_LENGTH",
        "DATA_FREE",
        "CREATE_TIME",
        "UPDATE_TIME",
        "CHECK_TIME",
        "CHECKSUM",
    ];
    let mut row: Vec<(&'static str, Option<String>)> = table
        .iter()
        .filter(|(name, _)| SHARED.contains(name))
        .cloned()
        .collect();
    row.push(("PARTITION_COMMENT", Some(String::new())));
    row.push(("NODEGROUP", Some(String::new())));
    row
}

/// How many of a table's keys InnoDB keeps apart from its rows: all but
/// the one it clusters them by (the primary key, else the first unique key
/// over NOT NULL columns).
fn secondary_indexes(meta: &TableMeta) -> usize {
    let keys = meta.unique_keys.len() + meta.indexes.len();
    keys - usize::from(meta.primary_key().is_some())
}

/// information_schema.VIEWS's IS_UPDATABLE for a view's SELECT.
fn updatable(body: &str) -> &'static str {
    if crate::sql::ddl::view_updatable(body) {
        "YES"
    } else {
        "NO"
    }
}

/// SHOW CREATE VIEW's text, as MariaDB prints it (the SELECT as written,
/// where the server prints its own rendering).
/// `name` is quoted as the caller wants it; the patch leaves out the
/// DEFINER (the target's account may differ).
pub fn create_view_text(name: &str, v: &crate::delta::ViewDef, definer: bool) -> String {
    let definer = if definer {
        format!(
            " DEFINER={}",
            crate::sql::rewrite::quote_definer(&v.definer)
        )
    } else {
        String::new()
    };
    let columns = if v.columns.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = v.columns.iter().map(|c| quote_ident(c)).collect();
        format!("({})", names.join(","))
    };
    let check = match v.check_option.as_str() {
        "NONE" => String::new(),
        other => format!(" WITH {other} CHECK OPTION"),
    };
    format!(
        "CREATE ALGORITHM={}{definer} SQL SECURITY {} VIEW {name}{columns} AS {}{check}",
        v.algorithm, v.security, v.body
    )
}

/// The most bytes a character takes in a character set.
pub(super) fn mbmaxlen(charset: &str) -> u64 {
    match charset {
        "utf8mb4" | "utf16" | "utf16le" | "utf32" | "gb18030" => 4,
        "utf8mb3" | "utf8" | "ujis" | "eucjpms" => 3,
        "ucs2" | "big5" | "gbk" | "sjis" | "cp932" | "euckr" | "gb2312" => 2,
        _ => 1,
    }
}

/// The number inside a type's parentheses (`varchar(20)` gives 20).
pub fn type_arg(column_type: &str, n: usize) -> Option<u64> {
    let a = column_type.find('(')?;
    let b = column_type[a..].find(')')? + a;
    column_type[a + 1..b].split(',').nth(n)?.trim().parse().ok()
}

/// CHARACTER_MAXIMUM_LENGTH: a string column's capacity in characters
/// (bytes for binary strings and TEXT); `None` for other types.
pub fn character_length(c: &Column) -> Option<u64> {
    lengths(c)[0]
}

/// CHARACTER_MAXIMUM_LENGTH, CHARACTER_OCTET_LENGTH, NUMERIC_PRECISION,
/// NUMERIC_SCALE and DATETIME_PRECISION, as MariaDB reports them.
fn lengths(c: &Column) -> [Option<u64>; 5] {
    let unsigned = c.column_type.contains("unsigned");
    let mb = c.charset.as_deref().map_or(1, mbmaxlen);
    let chars = |n: u64| [Some(n), Some(n * mb), None, None, None];
    let bytes = |n: u64| [Some(n), Some(n), None, None, None];
    let int = |p: u64| [None, None, Some(p), Some(0), None];
    let labels = || {
        crate::sql::typed_use::labels(&c.column_type)
            .iter()
            .map(|l| String::from_utf8_lossy(l).chars().count() as u64)
            .collect::<Vec<_>>()
    };
    match c.data_type.as_str() {
        "char" | "varchar" => chars(type_arg(&c.column_type, 0).unwrap_or(1)),
        "binary" | "varbinary" => bytes(type_arg(&c.column_type, 0).unwrap_or(1)),
        "tinytext" | "tinyblob" => bytes(255),
        "text" | "blob" => bytes(65535),
        "mediumtext" | "mediumblob" => bytes(16_777_215),
        "longtext" | "longblob" => bytes(4_294_967_295),
        "enum" => chars(labels().into_iter().max().unwrap_or(0)),
        "set" => {
            let l = labels();
            chars(l.iter().sum::<u64>() + l.len().saturating_sub(1) as u64)
        }
        "tinyint" => int(3),
        "smallint" => int(5),
        "mediumint" => int(if unsigned { 8 } else { 7 }),
        "int" => int(10),
        "bigint" => int(if unsigned { 20 } else { 19 }),
        "decimal" => [
            None,
            None,
            type_arg(&c.column_type, 0),
            type_arg(&c.column_type, 1),
            None,
        ],
        "float" => [None, None, Some(12), None, None],
        "double" => [None, None, Some(22), None, None],
        "bit" => [None, None, type_arg(&c.column_type, 0), None, None],
        "datetime" | "timestamp" | "time" => [
            None,
            None,
            None,
            None,
            Some(type_arg(&c.column_type, 0).unwrap_or(0)),
        ],
        _ => [None; 5],
    }
}

/// COLUMN_KEY: PRI, UNI or MUL, by MySQL's rules (a NOT NULL unique key
/// stands for the primary key of a table without one).
fn column_key(meta: &TableMeta, i: usize) -> &'static str {
    if meta.primary_key().is_some_and(|k| k.columns.contains(&i)) {
        return "PRI";
    }
    if meta
        .unique_keys
        .iter()
        .any(|k| k.columns.len() == 1 && k.columns[0] == i)
    {
        return "UNI";
    }
    if meta
        .unique_keys
        .iter()
        .chain(&meta.indexes)
        .any(|k| k.columns.first() == Some(&i))
    {
        return "MUL";
    }
    ""
}

/// COLUMN_DEFAULT: the default as an expression; `NULL` (the word) for a
/// nullable column without one; SQL NULL for a NOT NULL column without one.
fn catalog_default(c: &ColumnMeta) -> Option<String> {
    if c.generated.is_some() {
        return Some("NULL".into());
    }
    match &c.default {
        Some(d) => Some(d.clone()),
        None if c.nullable && !c.auto_increment => Some("NULL".into()),
        None => None,
    }
}

fn column_row(meta: &TableMeta, i: usize, c: &ColumnMeta) -> Vec<(&'static str, Option<String>)> {
    let s = |v: &str| Some(v.to_string());
    let [max, octet, precision, scale, dt] = lengths(&c.column);
    let n = |v: Option<u64>| v.map(|n| n.to_string());
    vec![
        ("TABLE_CATALOG", s("def")),
        ("TABLE_SCHEMA", s(&meta.id.schema)),
        ("TABLE_NAME", s(&meta.id.name)),
        ("COLUMN_NAME", s(&c.name)),
        ("ORDINAL_POSITION", Some((i + 1).to_string())),
        ("COLUMN_DEFAULT", catalog_default(c)),
        ("IS_NULLABLE", s(if c.nullable { "YES" } else { "NO" })),
        ("DATA_TYPE", s(&c.column.data_type)),
        ("CHARACTER_MAXIMUM_LENGTH", n(max)),
        ("CHARACTER_OCTET_LENGTH", n(octet)),
        ("NUMERIC_PRECISION", n(precision)),
        ("NUMERIC_SCALE", n(scale)),
        ("DATETIME_PRECISION", n(dt)),
        ("CHARACTER_SET_NAME", c.column.charset.clone()),
        ("COLLATION_NAME", c.column.collation.clone()),
        ("COLUMN_TYPE", s(&c.column.column_type)),
        ("COLUMN_KEY", s(column_key(meta, i))),
        ("EXTRA", Some(extra(c))),
        ("PRIVILEGES", s("select,insert,update,references")),
        ("COLUMN_COMMENT", s(&c.comment)),
        (
            "IS_GENERATED",
            s(if c.generated.is_some() {
                "ALWAYS"
            } else {
                "NEVER"
            }),
        ),
        (
            "GENERATION_EXPRESSION",
            c.generated.as_ref().map(|g| g.expr.clone()),
        ),
    ]
}

/// COLUMNS.EXTRA and SHOW COLUMNS' Extra.
fn extra(c: &ColumnMeta) -> String {
    match (&c.generated, &c.on_update) {
        (Some(g), _) if g.stored => "STORED GENERATED".into(),
        (Some(_), _) => "VIRTUAL GENERATED".into(),
        (None, _) if c.auto_increment => "auto_increment".into(),
        (None, Some(u)) => format!("on update {u}"),
        (None, None) => String::new(),
    }
}

/// The character set a collation belongs to (its name up to the first `_`).
fn charset_of(collation: &str) -> &str {
    collation.split('_').next().unwrap_or(collation)
}

/// SHOW CREATE TABLE's text for a created table, as MariaDB writes it.
pub fn create_table_text(meta: &TableMeta, next_auto: u64) -> String {
    let table_co = meta.collation.clone().unwrap_or_default();
    let table_cs = charset_of(&table_co).to_string();
    let mut lines = Vec::new();
    for c in &meta.columns {
        let mut l = format!("  {} {}", quote_ident(&c.name), c.column.column_type);
        if let (Some(cs), Some(co)) = (&c.column.charset, &c.column.collation) {
            if *cs != table_cs || *co != table_co {
                l.push_str(&format!(" CHARACTER SET {cs} COLLATE {co}"));
            }
        }
        if let Some(g) = &c.generated {
            let kind = if g.stored { "STORED" } else { "VIRTUAL" };
            l.push_str(&format!(" GENERATED ALWAYS AS ({}) {kind}", g.expr));
        } else if !c.nullable {
            l.push_str(" NOT NULL");
        } else if c.column.data_type == "timestamp" {
            l.push_str(" NULL");
        }
        match &c.default {
            _ if c.generated.is_some() => {}
            Some(d) => l.push_str(&format!(" DEFAULT {d}")),
            None if c.nullable => l.push_str(" DEFAULT NULL"),
            None => {}
        }
        if let Some(u) = &c.on_update {
            l.push_str(&format!(" ON UPDATE {u}"));
        }
        if c.auto_increment {
            l.push_str(" AUTO_INCREMENT");
        }
        if !c.comment.is_empty() {
            l.push_str(&format!(" COMMENT {}", comment_literal(&c.comment)));
        }
        let own = |k: &&crate::delta::CheckConstraint| {
            check_owner(&meta.id.name, k).is_some_and(|o| o.eq_ignore_ascii_case(&c.name))
        };
        if let Some(check) = meta.checks.iter().find(own) {
            l.push_str(&format!(" CHECK ({})", check.clause));
        }
        lines.push(l);
    }
    let cols = |k: &UniqueKey| {
        k.columns
            .iter()
            .map(|&i| quote_ident(&meta.columns[i].name))
            .collect::<Vec<_>>()
            .join(",")
    };
    // `USING BTREE` and `COMMENT '...'` after the columns, as given.
    let options = |k: &UniqueKey| {
        let mut o = String::new();
        if k.options.btree {
            o.push_str(" USING BTREE");
        }
        if !k.options.comment.is_empty() {
            o.push_str(&format!(" COMMENT {}", comment_literal(&k.options.comment)));
        }
        o
    };
    for k in &meta.unique_keys {
        if k.name == "PRIMARY" {
            lines.push(format!("  PRIMARY KEY ({}){}", cols(k), options(k)));
        } else {
            lines.push(format!(
                "  UNIQUE KEY {} ({}){}",
                quote_ident(&k.name),
                cols(k),
                options(k)
            ));
        }
    }
    for k in &meta.indexes {
        lines.push(format!(
            "  KEY {} ({}){}",
            quote_ident(&k.name),
            cols(k),
            options(k)
        ));
    }
    for fk in &meta.foreign_keys {
        // `db`.`child`, CONSTRAINT ... as the error messages print it.
        let described = fk.describe();
        let constraint = described
            .split_once(", ")
            .map_or(described.as_str(), |(_, c)| c);
        lines.push(format!("  {constraint}"));
    }
    for check in &meta.checks {
        if !is_column_check(meta, &check.name) {
            lines.push(format!(
                "  CONSTRAINT {} CHECK ({})",
                quote_ident(&check.name),
                check.clause
            ));
        }
    }
    let mut out = format!(
        "CREATE {}TABLE {} (\n{}\n) ENGINE=InnoDB",
        if meta.id.is_temporary() {
            "TEMPORARY "
        } else {
            ""
        },
        quote_ident(meta.id.shown_name()),
        lines.join(",\n")
    );
    if meta.auto_column().is_some() && next_auto > 1 {
        out.push_str(&format!(" AUTO_INCREMENT={next_auto}"));
    }
    out.push_str(&format!(" DEFAULT CHARSET={table_cs} COLLATE={table_co}"));
    if let Some(f) = &meta.row_format {
        out.push_str(&format!(" ROW_FORMAT={f}"));
    }
    if !meta.comment.is_empty() {
        out.push_str(&format!(" COMMENT={}", comment_literal(&meta.comment)));
    }
    out
}

/// Whether a CHECK constraint is a column's own (named `table.column`,
/// after the column it was defined on).
fn is_column_check(meta: &TableMeta, name: &str) -> bool {
    own_check_name(&meta.id.name, name).is_some()
}

/// The name a column's own CHECK was given (`a` of `t.a`), `None` for a
/// table's CHECK.
fn own_check_name<'a>(table: &str, name: &'a str) -> Option<&'a str> {
    name.strip_prefix(table)?.strip_prefix('.')
}

/// The column a CHECK of `table` belongs to, `None` for a table's CHECK.
/// A column's own CHECK keeps the name of the column it was defined on
/// when that column is renamed (MariaDB's errors and CHECK_CONSTRAINTS
/// still say `a` after RENAME COLUMN a TO b); it reads only its column,
/// so that column is the one its clause reads.
pub(super) fn check_owner(table: &str, check: &crate::delta::CheckConstraint) -> Option<String> {
    let named = own_check_name(table, &check.name)?;
    let mut read = clause_columns(&check.clause);
    read.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    Some(match read.as_slice() {
        [one] => one.clone(),
        _ => named.to_string(),
    })
}

/// The columns a CHECK clause reads: its quoted names (vdb and the
/// server print a clause with every column name quoted).
pub(super) fn clause_columns(clause: &str) -> Vec<String> {
    use crate::sql::lexer::{lex, Kind, LexMode};
    let b = clause.as_bytes();
    let mode = LexMode::default();
    lex(b, mode)
        .tokens
        .iter()
        .filter(|t| t.kind == Kind::QuotedIdent)
        .filter_map(|t| t.name(b, mode))
        .collect()
}

/// SHOW CREATE TABLE's result for `table` with the source's `text`, its
/// AUTO_INCREMENT table option set to `next` (added after ENGINE when the
/// source, counting from 1, printed none).
pub fn create_with_counter(table: &str, text: &str, next: u64) -> String {
    literal_result(
        &["Table", "Create Table"],
        &[vec![
            Some(table.to_string()),
            Some(with_counter(text, next)),
        ]],
    )
}

/// CREATE TABLE `text` with its AUTO_INCREMENT table option set to `next`.
fn with_counter(text: &str, next: u64) -> String {
    let options_at = text.rfind("\n)").unwrap_or(0);
    let (body, options) = text.split_at(options_at);
    let option = format!(" AUTO_INCREMENT={next}");
    let options = match options.find(" AUTO_INCREMENT=") {
        Some(at) => {
            let digits = options[at + 16..]
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
            format!("{}{option}{}", &options[..at], &options[at + 16 + digits..])
        }
        None => match options.find(" ENGINE=") {
            Some(at) => {
                let end = options[at + 8..]
                    .find(' ')
                    .map_or(options.len(), |e| at + 8 + e);
                format!("{}{option}{}", &options[..end], &options[end..])
            }
            None => options.to_string(),
        },
    };
    format!("{body}{options}")
}

/// `SELECT <row> UNION ALL ...` of catalog values (UTF-8 text; NULL for
/// `None`) with the given column names: a result set the source encodes
/// for vdb.
fn literal_result(names: &[&str], rows: &[Vec<Option<String>>]) -> String {
    literal_rows(names, rows, |v| v.map_or("NULL".into(), text_literal))
}

/// `SELECT <items> FROM information_schema.TABLES` of database `db`, as
/// SHOW TABLES and SHOW TABLE STATUS list it: LIKE on the name, a WHERE
/// over the result's columns, names in byte order (the server's order, not
/// the collation's); `name` is the result column holding the name.
fn tables_query(
    items: &[String],
    db: &str,
    like: Option<&str>,
    filter: Option<&str>,
    name: &str,
) -> String {
    let mut q = format!(
        "SELECT {} FROM information_schema.TABLES WHERE TABLE_SCHEMA = {}",
        items.join(", "),
        text_literal(db)
    );
    if let Some(p) = like {
        q.push_str(&format!(" AND TABLE_NAME LIKE {}", text_literal(p)));
    }
    match filter {
        None => {
            q.push_str(" ORDER BY CAST(TABLE_NAME AS BINARY)");
            q
        }
        Some(f) => format!(
            "SELECT * FROM ({q}) AS `vdb_show` WHERE {f} ORDER BY CAST({} AS BINARY)",
            quote_ident(name)
        ),
    }
}

/// SHOW TABLE STATUS's columns and the information_schema.TABLES column
/// each one shows.
const TABLE_STATUS: &[(&str, &str)] = &[
    ("Name", "TABLE_NAME"),
    ("Engine", "ENGINE"),
    ("Version", "VERSION"),
    ("Row_format", "ROW_FORMAT"),
    ("Rows", "TABLE_ROWS"),
    ("Avg_row_length", "AVG_ROW_LENGTH"),
    ("Data_length", "DATA_LENGTH"),
    ("Max_data_length", "MAX_DATA_LENGTH"),
    ("Index_length", "INDEX_LENGTH"),
    ("Data_free", "DATA_FREE"),
    ("Auto_increment", "AUTO_INCREMENT"),
    ("Create_time", "CREATE_TIME"),
    ("Update_time", "UPDATE_TIME"),
    ("Check_time", "CHECK_TIME"),
    ("Collation", "TABLE_COLLATION"),
    ("Checksum", "CHECKSUM"),
    ("Create_options", "CREATE_OPTIONS"),
    ("Comment", "TABLE_COMMENT"),
    ("Max_index_length", "MAX_INDEX_LENGTH"),
    ("Temporary", "TEMPORARY"),
];

/// What a SHOW or DESCRIBE statement names, when the schema delta concerns it.
#[derive(Debug, PartialEq, Eq)]
enum Show {
    Tables {
        full: bool,
        db: String,
        like: Option<String>,
        /// `WHERE <condition>` over the result's columns, as written.
        filter: Option<String>,
    },
    Create(TableId),
    CreateView(TableId),
    Columns {
        full: bool,
        table: TableId,
        like: Option<String>,
        /// `WHERE <condition>` over the result's columns, as written.
        filter: Option<String>,
    },
    /// SHOW INDEX of a table, and its `WHERE <condition>` as written.
    Index(TableId, Option<String>),
    TableStatus {
        db: String,
        like: Option<String>,
        /// `WHERE <condition>` over the result's columns, as written.
        filter: Option<String>,
    },
    /// A form of SHOW TABLES vdb does not answer over a changed schema.
    OtherTables(String),
    Databases {
        like: Option<String>,
        /// `WHERE <condition>` over the result's column, as written.
        filter: Option<String>,
    },
    CreateDatabase {
        if_not_exists: bool,
        name: String,
    },
    /// A form of SHOW DATABASES vdb does not answer over created or
    /// dropped databases.
    OtherDatabases,
    Triggers {
        db: String,
        like: Option<String>,
        /// `WHERE <condition>` over the result's columns, as written.
        filter: Option<String>,
    },
    /// SHOW CREATE TRIGGER: database and name.
    CreateTrigger(String, String),
}

/// The longest statement [`privileges_shown`] looks into.
const MAX_PRIVILEGES_READ: usize = 64 * 1024;

/// Whether a read may show column privileges (information_schema.COLUMNS'
/// PRIVILEGES, SHOW FULL COLUMNS' Privileges), which the session shows as
/// a client of vdb has them rather than as vdb's source account does:
/// `Some(true)` for a SHOW FULL COLUMNS of one of information_schema's own
/// tables (whose columns any account may only select), `Some(false)` for
/// any other such read, `None` for a statement that names neither.
pub fn privileges_shown(sql: &[u8], mode: LexMode, db: Option<&str>) -> Option<bool> {
    let names = |w: &[u8]| w.eq_ignore_ascii_case(b"columns") || w.eq_ignore_ascii_case(b"fields");
    // Most statements name neither word: no lexing for them. A bulk
    // statement (a long INSERT's text) reads no privileges.
    if sql.len() > MAX_PRIVILEGES_READ || (!sql.windows(6).any(names) && !sql.windows(7).any(names))
    {
        return None;
    }
    if let Some(Show::Columns { full, table, .. }) = parse_show(sql, mode, db) {
        return full.then(|| table.schema.eq_ignore_ascii_case(CATALOG));
    }
    let tokens = lex(sql, mode).tokens;
    let first = tokens.first().map(|t| t.text(sql))?;
    if first.eq_ignore_ascii_case(b"SHOW") {
        // A form vdb does not parse (SHOW FULL FIELDS IN t IN db ...):
        // the columns of information_schema's tables are only selectable
        // whoever asks, so these are read as another database's.
        return tokens
            .iter()
            .any(|t| t.kind == Kind::Word && t.text(sql).eq_ignore_ascii_case(b"FULL"))
            .then_some(false);
    }
    tokens
        .iter()
        .any(|t| match t.kind {
            Kind::Word => t.text(sql).eq_ignore_ascii_case(b"COLUMNS"),
            Kind::QuotedIdent => unquote(t.text(sql), mode).eq_ignore_ascii_case(b"COLUMNS"),
            _ => false,
        })
        .then_some(false)
}

fn parse_show(sql: &[u8], mode: LexMode, db: Option<&str>) -> Option<Show> {
    let tokens: Vec<_> = lex(sql, mode)
        .tokens
        .into_iter()
        .filter(|t| t.kind != Kind::Punct(b';'))
        .collect();
    let word = |i: usize| -> Option<String> {
        let t = tokens.get(i)?;
        (t.kind == Kind::Word).then(|| String::from_utf8_lossy(t.text(sql)).to_ascii_uppercase())
    };
    let ident = |i: usize| -> Option<String> {
        let t = tokens.get(i)?;
        match t.kind {
            Kind::Word => Some(String::from_utf8_lossy(t.text(sql)).into_owned()),
            Kind::QuotedIdent => {
                Some(String::from_utf8_lossy(&unquote(t.text(sql), mode)).into_owned())
            }
            _ => None,
        }
    };
    let string = |i: usize| -> Option<String> {
        let t = tokens.get(i)?;
        (t.kind == Kind::Str)
            .then(|| String::from_utf8_lossy(&unquote(t.text(sql), mode)).into_owned())
    };
    // `name` or `db.name` at i: (id, next index).
    let table_at = |i: usize| -> Option<(Option<String>, String, usize)> {
        let first = ident(i)?;
        if tokens
            .get(i + 1)
            .is_some_and(|t| t.kind == Kind::Punct(b'.'))
        {
            Some((Some(first), ident(i + 2)?, i + 3))
        } else {
            Some((None, first, i + 1))
        }
    };
    let first = word(0)?;
    if matches!(first.as_str(), "DESCRIBE" | "DESC" | "EXPLAIN") {
        let (schema, name, next) = table_at(1)?;
        if word(1).is_some_and(|w| {
            matches!(
                w.as_str(),
                "SELECT"
                    | "FORMAT"
                    | "EXTENDED"
                    | "PARTITIONS"
                    | "INSERT"
                    | "UPDATE"
                    | "DELETE"
                    | "REPLACE"
                    | "WITH"
            )
        }) {
            return None;
        }
        let like = ident(next);
        if next + 1 < tokens.len() {
            return None;
        }
        return Some(Show::Columns {
            full: false,
            table: TableId {
                schema: schema.or_else(|| db.map(str::to_string))?,
                name,
            },
            like,
            filter: None,
        });
    }
    if first != "SHOW" {
        return None;
    }
    let mut i = 1;
    let full = word(i).as_deref() == Some("FULL");
    if full {
        i += 1;
    }
    let from_db = |i: usize| -> (Option<String>, usize) {
        if word(i).is_some_and(|w| w == "FROM" || w == "IN") {
            (ident(i + 1), i + 2)
        } else {
            (None, i)
        }
    };
    // `LIKE 'p'` or `WHERE <condition>` (its text) at i, or nothing.
    type Filter = (Option<String>, Option<String>);
    let like_at = |i: usize| -> Result<Filter, ()> {
        match word(i).as_deref() {
            None => Ok((None, None)),
            Some("LIKE") if i + 2 == tokens.len() => {
                string(i + 1).map(|l| (Some(l), None)).ok_or(())
            }
            Some("WHERE") if i + 1 < tokens.len() => {
                let text = &sql[tokens[i + 1].start..tokens[tokens.len() - 1].end];
                Ok((None, Some(String::from_utf8_lossy(text).into_owned())))
            }
            _ => Err(()),
        }
    };
    match word(i)?.as_str() {
        "DATABASES" | "SCHEMAS" if !full => match like_at(i + 1) {
            Ok((like, filter)) => Some(Show::Databases { like, filter }),
            Err(()) => Some(Show::OtherDatabases),
        },
        "CREATE" if !full && word(i + 1).is_some_and(|w| w == "DATABASE" || w == "SCHEMA") => {
            let guarded = word(i + 2).as_deref() == Some("IF")
                && word(i + 3).as_deref() == Some("NOT")
                && word(i + 4).as_deref() == Some("EXISTS");
            let at = if guarded { i + 5 } else { i + 2 };
            let name = ident(at)?;
            (at + 1 == tokens.len()).then_some(())?;
            Some(Show::CreateDatabase {
                if_not_exists: guarded,
                name,
            })
        }
        "TABLES" => {
            let (named, next) = from_db(i + 1);
            let db = named.or_else(|| db.map(str::to_string))?;
            match like_at(next) {
                Ok((like, filter)) => Some(Show::Tables {
                    full,
                    db,
                    like,
                    filter,
                }),
                Err(()) => Some(Show::OtherTables(db)),
            }
        }
        "TABLE" if !full && word(i + 1).as_deref() == Some("STATUS") => {
            let (named, next) = from_db(i + 2);
            let db = named.or_else(|| db.map(str::to_string))?;
            match like_at(next) {
                Ok((like, filter)) => Some(Show::TableStatus { db, like, filter }),
                Err(()) => Some(Show::OtherTables(db)),
            }
        }
        "TRIGGERS" if !full => {
            let (named, next) = from_db(i + 1);
            let db = named.or_else(|| db.map(str::to_string))?;
            let (like, filter) = like_at(next).ok()?;
            Some(Show::Triggers { db, like, filter })
        }
        "CREATE" if !full && word(i + 1).as_deref() == Some("TRIGGER") => {
            let (schema, name, next) = table_at(i + 2)?;
            (next == tokens.len()).then_some(())?;
            Some(Show::CreateTrigger(
                schema.or_else(|| db.map(str::to_string))?,
                name,
            ))
        }
        "CREATE" if !full && word(i + 1).as_deref() == Some("VIEW") => {
            let (schema, name, next) = table_at(i + 2)?;
            (next == tokens.len()).then_some(())?;
            Some(Show::CreateView(TableId {
                schema: schema.or_else(|| db.map(str::to_string))?,
                name,
            }))
        }
        "CREATE" if !full && word(i + 1).as_deref() == Some("TABLE") => {
            let (schema, name, next) = table_at(i + 2)?;
            (next == tokens.len()).then_some(())?;
            Some(Show::Create(TableId {
                schema: schema.or_else(|| db.map(str::to_string))?,
                name,
            }))
        }
        "COLUMNS" | "FIELDS" => {
            word(i + 1).filter(|w| w == "FROM" || w == "IN")?;
            let (schema, name, next) = table_at(i + 2)?;
            let (named, next) = from_db(next);
            let (like, filter) = like_at(next).ok()?;
            Some(Show::Columns {
                full,
                table: TableId {
                    schema: named.or(schema).or_else(|| db.map(str::to_string))?,
                    name,
                },
                like,
                filter,
            })
        }
        "INDEX" | "INDEXES" | "KEYS" if !full => {
            word(i + 1).filter(|w| w == "FROM" || w == "IN")?;
            let (schema, name, next) = table_at(i + 2)?;
            let (named, next) = from_db(next);
            // SHOW INDEX takes a WHERE (no LIKE).
            let (None, filter) = like_at(next).ok()? else {
                return None;
            };
            Some(Show::Index(
                TableId {
                    schema: named.or(schema).or_else(|| db.map(str::to_string))?,
                    name,
                },
                filter,
            ))
        }
        _ => None,
    }
}

/// Whether the schema delta changed anything in database `db` (or
/// created or dropped it).
fn db_changed(state: &DeltaState, db: &str) -> bool {
    state.schema.databases.contains_key(db)
        || state.schema.dropped_databases.contains(db)
        || state
            .schema
            .created
            .keys()
            .chain(&state.schema.dropped)
            .any(|id| id.schema == db)
}

/// SHOW CREATE DATABASE's text, as MariaDB prints it.
fn create_database_text(
    name: &str,
    if_not_exists: bool,
    def: &crate::delta::DatabaseDef,
) -> String {
    let mut text = format!(
        "CREATE DATABASE {}{} /*!40100 DEFAULT CHARACTER SET {} COLLATE {} */",
        if if_not_exists {
            "/*!32312 IF NOT EXISTS*/ "
        } else {
            ""
        },
        quote_ident(name),
        def.charset,
        def.collation
    );
    if !def.comment.is_empty() {
        text.push_str(&format!(" COMMENT {}", comment_literal(&def.comment)));
    }
    text
}

/// A comment as SHOW CREATE prints it: quotes doubled, backslashes
/// escaped.
pub fn comment_literal(comment: &str) -> String {
    format!("'{}'", comment.replace('\\', "\\\\").replace('\'', "''"))
}

/// How vdb answers a SHOW or DESCRIBE statement the delta concerns.
#[derive(Debug)]
pub enum Shown {
    /// The text to run instead.
    Text(String),
    /// The text to run instead, whose result takes the column definitions
    /// the source gives statement `like` (the same SHOW of a table of its
    /// own): a literal result's columns are strings, where the server's
    /// SHOW INDEX has integers (`Non_unique`) and SHOW COLUMNS blobs.
    Like {
        /// The text to run.
        text: String,
        /// The statement to describe at the source for its columns.
        like: &'static str,
    },
    /// SHOW CREATE TABLE of a source table whose AUTO_INCREMENT counter
    /// the delta moved (rows inserted through vdb, ALTER TABLE ...
    /// AUTO_INCREMENT): the source's text, asked by the session, with the
    /// counter shown ([`create_with_counter`]).
    SourceCreate {
        /// The table.
        table: TableId,
        /// Its counter.
        next: u64,
    },
}

/// How to answer a SHOW or DESCRIBE statement the delta concerns (`None`:
/// forward it as it is).
pub fn show(
    sql: &[u8],
    mode: LexMode,
    state: &DeltaState,
    db: Option<&str>,
) -> Option<Result<Shown, OverlayError>> {
    if state.schema.is_empty() && state.tables.is_empty() {
        return None;
    }
    let show = parse_show(sql, mode, db)?;
    if let Show::Create(id) = &show {
        if let Some(next) = moved_counter(state, id) {
            return Some(Ok(Shown::SourceCreate {
                table: id.clone(),
                next,
            }));
        }
    }
    if state.schema.is_empty()
        && !matches!(&show, Show::TableStatus { db, .. } if counters_moved(state, db))
    {
        return None;
    }
    let like = match &show {
        Show::Index(..) => Some("SHOW INDEX FROM information_schema.TABLES"),
        Show::Columns { full: true, .. } => {
            Some("SHOW FULL COLUMNS FROM information_schema.TABLES")
        }
        Show::Columns { full: false, .. } => Some("SHOW COLUMNS FROM information_schema.TABLES"),
        _ => None,
    };
    show_schema(show, state).map(|r| {
        r.map(|text| match like {
            Some(like) => Shown::Like { text, like },
            None => Shown::Text(text),
        })
    })
}

/// Whether the catalog shows figures of a source table of `db` other than
/// the source's: the delta changed one (its AUTO_INCREMENT counter, its
/// row count, its UPDATE_TIME), and SHOW TABLE STATUS then reads the
/// catalog.
fn counters_moved(state: &DeltaState, db: &str) -> bool {
    let Some(catalog) = state.tables.get(&catalog_id("TABLES")) else {
        return false;
    };
    state.tables.keys().any(|id| {
        id.schema == db
            && catalog
                .rows
                .contains_key(&catalog.key_of(&tables_key(&catalog.meta, id)))
    })
}

/// The counter of a source table whose AUTO_INCREMENT the delta moved.
fn moved_counter(state: &DeltaState, id: &TableId) -> Option<u64> {
    if state.schema.created.contains_key(id)
        || state.schema.views.contains_key(id)
        || state.schema.is_dropped(id)
    {
        return None;
    }
    let t = state.tables.get(id)?;
    t.meta.auto_column()?;
    (Some(t.next_auto) != t.meta.auto_increment).then_some(t.next_auto)
}

/// [`show`] of a statement the schema delta may concern.
fn show_schema(show: Show, state: &DeltaState) -> Option<Result<String, OverlayError>> {
    let table_meta = |id: &TableId| -> Option<Result<&Arc<TableMeta>, OverlayError>> {
        if let Some(m) = state.schema.created.get(id) {
            return Some(Ok(m));
        }
        if let Some(v) = state.schema.views.get(id) {
            return Some(Ok(&v.meta));
        }
        // A database vdb holds has only the tables created in it.
        (state.schema.is_dropped(id) || state.schema.is_virtual_database(&id.schema))
            .then(|| Err(no_such_table(id)))
    };
    let dropped_db = |db: &str| {
        state
            .schema
            .is_dropped_database(db)
            .then(|| Err(super::database::unknown(db)))
    };
    let databases_changed =
        !state.schema.databases.is_empty() || !state.schema.dropped_databases.is_empty();
    Some(match show {
        Show::Databases { like, filter } => {
            if !databases_changed {
                return None;
            }
            let mut column = "Database".to_string();
            if let Some(p) = &like {
                column.push_str(&format!(" ({p})"));
            }
            let mut q = format!(
                "SELECT SCHEMA_NAME AS {} FROM information_schema.SCHEMATA",
                quote_ident(&column)
            );
            if let Some(p) = &like {
                q.push_str(&format!(" WHERE SCHEMA_NAME LIKE {}", text_literal(p)));
            }
            Ok(match filter {
                None => format!("{q} ORDER BY CAST(SCHEMA_NAME AS BINARY)"),
                Some(f) => format!(
                    "SELECT * FROM ({q}) AS `vdb_show` WHERE {f} ORDER BY CAST(`Database` AS BINARY)"
                ),
            })
        }
        Show::OtherDatabases => {
            if !databases_changed {
                return None;
            }
            Err(OverlayError::Unsupported(
                "this form of SHOW DATABASES over databases created or dropped through vdb".into(),
            ))
        }
        Show::CreateDatabase {
            if_not_exists,
            name,
        } => {
            if let Some(e) = dropped_db(&name) {
                return Some(e);
            }
            let def = state
                .schema
                .databases
                .get(&name)
                .or_else(|| state.schema.altered_databases.get(&name))?;
            Ok(literal_result(
                &["Database", "Create Database"],
                &[vec![
                    Some(name.clone()),
                    Some(create_database_text(&name, if_not_exists, def)),
                ]],
            ))
        }
        Show::Tables {
            full,
            db,
            like,
            filter,
        } => {
            if !db_changed(state, &db) {
                return None;
            }
            if let Some(e) = dropped_db(&db) {
                return Some(e);
            }
            let mut column = format!("Tables_in_{db}");
            if let Some(p) = &like {
                column.push_str(&format!(" ({p})"));
            }
            let mut items = vec![format!("TABLE_NAME AS {}", quote_ident(&column))];
            if full {
                items.push("TABLE_TYPE AS `Table_type`".into());
            }
            Ok(tables_query(
                &items,
                &db,
                like.as_deref(),
                filter.as_deref(),
                &column,
            ))
        }
        Show::TableStatus { db, like, filter } => {
            if !db_changed(state, &db) && !counters_moved(state, &db) {
                return None;
            }
            if let Some(e) = dropped_db(&db) {
                return Some(e);
            }
            let items: Vec<String> = TABLE_STATUS
                .iter()
                .map(|(name, column)| format!("{column} AS {}", quote_ident(name)))
                .collect();
            Ok(tables_query(
                &items,
                &db,
                like.as_deref(),
                filter.as_deref(),
                "Name",
            ))
        }
        Show::Triggers { db, like, filter } => {
            if !db_changed(state, &db) {
                return None;
            }
            if let Some(e) = dropped_db(&db) {
                return Some(e);
            }
            Ok(triggers_query(&db, like.as_deref(), filter.as_deref()))
        }
        Show::CreateTrigger(db, name) => {
            let held = state
                .schema
                .lasting_created()
                .into_iter()
                .filter(|m| m.id.schema == db)
                .find_map(|m| m.triggers.iter().find(|t| t.name == name));
            if let Some(t) = held {
                return Some(Ok(literal_result(
                    &[
                        "Trigger",
                        "sql_mode",
                        "SQL Original Statement",
                        "character_set_client",
                        "collation_connection",
                        "Database Collation",
                        "Created",
                    ],
                    &[vec![
                        Some(t.name.clone()),
                        Some(t.sql_mode.clone()),
                        Some(t.statement.clone()),
                        Some(t.charset_client.clone()),
                        Some(t.collation_connection.clone()),
                        Some(t.database_collation.clone()),
                        t.created.clone(),
                    ]],
                )));
            }
            // A source table's trigger, gone with its table.
            let catalog = state.tables.get(&catalog_id("TRIGGERS"))?;
            // A hidden row holds the key's values, in the key's order.
            let at = |c: &str| {
                let p = catalog.meta.position(c)?;
                catalog.key.iter().position(|&k| k == p)
            };
            let (s, n) = (at("TRIGGER_SCHEMA")?, at("TRIGGER_NAME")?);
            let gone = catalog.hidden.values().any(|r| {
                r[s].as_deref() == Some(db.as_bytes()) && r[n].as_deref() == Some(name.as_bytes())
            });
            if !gone && !state.schema.is_dropped_database(&db) {
                return None;
            }
            Err(OverlayError::Server {
                code: 1360,
                state: "HY000".into(),
                message: "Trigger does not exist".into(),
            })
        }
        Show::OtherTables(db) => {
            if !db_changed(state, &db) {
                return None;
            }
            Err(OverlayError::Unsupported(
                "this SHOW TABLES or SHOW TABLE STATUS in a database with tables created or dropped through vdb".into(),
            ))
        }
        Show::CreateView(id) | Show::Create(id) if state.schema.views.contains_key(&id) => {
            let v = &state.schema.views[&id];
            Ok(literal_result(
                &[
                    "View",
                    "Create View",
                    "character_set_client",
                    "collation_connection",
                ],
                &[vec![
                    Some(id.name.clone()),
                    Some(create_view_text(&quote_ident(&id.name), v, true)),
                    Some(v.charset_client.clone()),
                    Some(v.collation_connection.clone()),
                ]],
            ))
        }
        Show::CreateView(id) => {
            if state.schema.is_dropped(&id) {
                return Some(Err(no_such_table(&id)));
            }
            if state.schema.created.contains_key(&id) {
                return Some(Err(OverlayError::Server {
                    code: 1347,
                    state: "HY000".into(),
                    message: format!("'{}.{}' is not of type 'VIEW'", id.schema, id.name),
                }));
            }
            return None;
        }
        Show::Create(id) => match table_meta(&id)? {
            Err(e) => Err(e),
            Ok(meta) => {
                let next = state.tables.get(&id).map_or(1, |t| t.next_auto);
                Ok(literal_result(
                    &["Table", "Create Table"],
                    &[vec![
                        Some(id.shown_name().to_string()),
                        Some(create_table_text(meta, next)),
                    ]],
                ))
            }
        },
        Show::Columns {
            full,
            table,
            like,
            filter,
        } => match table_meta(&table)? {
            Err(e) => Err(e),
            Ok(meta) => {
                let matcher = like.as_deref().map(like_matcher);
                let rows: Vec<Vec<Option<String>>> = meta
                    .columns
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| matcher.as_ref().is_none_or(|m| m(&c.name)))
                    .map(|(i, c)| {
                        let default = c.default.as_deref().and_then(|d| {
                            if d == "NULL" {
                                None
                            } else if let Some(s) =
                                d.strip_prefix('\'').and_then(|d| d.strip_suffix('\''))
                            {
                                Some(s.replace("''", "'").replace("\\\\", "\\"))
                            } else {
                                Some(d.to_string())
                            }
                        });
                        let mut r = vec![Some(c.name.clone()), Some(c.column.column_type.clone())];
                        if full {
                            r.push(c.column.collation.clone());
                        }
                        r.push(Some(if c.nullable { "YES" } else { "NO" }.into()));
                        r.push(Some(column_key(meta, i).into()));
                        r.push(default);
                        r.push(Some(extra(c)));
                        if full {
                            r.push(Some("select,insert,update,references".into()));
                            r.push(Some(c.comment.clone()));
                        }
                        r
                    })
                    .collect();
                let names: &[&str] = if full {
                    &[
                        "Field",
                        "Type",
                        "Collation",
                        "Null",
                        "Key",
                        "Default",
                        "Extra",
                        "Privileges",
                        "Comment",
                    ]
                } else {
                    &["Field", "Type", "Null", "Key", "Default", "Extra"]
                };
                Ok(show_result(names, &rows, filter.as_deref()))
            }
        },
        Show::Index(id, filter) => match table_meta(&id)? {
            Err(e) => Err(e),
            Ok(meta) => {
                let mut rows = Vec::new();
                for (k, unique) in meta
                    .unique_keys
                    .iter()
                    .map(|k| (k, true))
                    .chain(meta.indexes.iter().map(|k| (k, false)))
                {
                    for (seq, &c) in k.columns.iter().enumerate() {
                        let col = &meta.columns[c];
                        // A temporary table's statistics are its rows'
                        // (InnoDB counts them as it goes); a created
                        // table's read as an empty table's.
                        // A table read through a projection reports the
                        // source's (see `source_cardinalities`).
                        let cardinality = match state.tables.get(&id) {
                            Some(t) if id.is_temporary() => {
                                let prefix = &k.columns[..=seq];
                                let distinct: std::collections::HashSet<Vec<&Option<Vec<u8>>>> = t
                                    .rows
                                    .values()
                                    .map(|r| prefix.iter().map(|&i| &r[i]).collect())
                                    .collect();
                                distinct.len().to_string()
                            }
                            _ => catalog_cardinality(state, &id, &k.name, seq + 1)
                                .unwrap_or_else(|| "0".into()),
                        };
                        rows.push(vec![
                            Some(id.shown_name().to_string()),
                            Some(if unique { "0" } else { "1" }.into()),
                            Some(k.name.clone()),
                            Some((seq + 1).to_string()),
                            Some(col.name.clone()),
                            Some("A".into()),
                            Some(cardinality),
                            None,
                            None,
                            Some(if col.nullable { "YES" } else { "" }.into()),
                            Some("BTREE".into()),
                            Some(String::new()),
                            Some(k.options.comment.clone()),
                            Some("NO".into()),
                        ]);
                    }
                }
                let names: &[&str] = &[
                    "Table",
                    "Non_unique",
                    "Key_name",
                    "Seq_in_index",
                    "Column_name",
                    "Collation",
                    "Cardinality",
                    "Sub_part",
                    "Packed",
                    "Null",
                    "Index_type",
                    "Comment",
                    "Index_comment",
                    "Ignored",
                ];
                Ok(show_result(names, &rows, filter.as_deref()))
            }
        },
    })
}

/// A SHOW statement's rows, as a result the source sends, under its
/// `WHERE <filter>` when it has one (over the result's columns, each
/// explicitly collated, as the server's own columns win over a client
/// literal's collation).
fn show_result(names: &[&str], rows: &[Vec<Option<String>>], filter: Option<&str>) -> String {
    match filter {
        None => literal_result(names, rows),
        Some(f) => {
            let q = literal_rows(names, rows, |v| {
                v.map_or("NULL".into(), |v| {
                    format!("{} COLLATE utf8mb4_general_ci", text_literal(v))
                })
            });
            format!("SELECT * FROM ({q}) AS `vdb_show` WHERE {f}")
        }
    }
}

/// A LIKE pattern (`%`, `_`, `\` escapes) as a case-insensitive matcher.
fn like_matcher(pattern: &str) -> impl Fn(&str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    move |s: &str| {
        let s: Vec<char> = s.to_lowercase().chars().collect();
        fn m(p: &[char], s: &[char]) -> bool {
            match p.first() {
                None => s.is_empty(),
                Some('%') => (0..=s.len()).any(|i| m(&p[1..], &s[i..])),
                Some('_') => !s.is_empty() && m(&p[1..], &s[1..]),
                Some('\\') if p.len() > 1 => s.first() == Some(&p[1]) && m(&p[2..], &s[1..]),
                Some(c) => s.first() == Some(c) && m(&p[1..], &s[1..]),
            }
        }
        m(&p, &s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moved_counter_is_shown_in_the_source_text() {
        let text = |t: &str| with_counter(t, 42);
        assert!(text("CREATE TABLE `t` (\n  `id` int NOT NULL AUTO_INCREMENT\n) ENGINE=InnoDB AUTO_INCREMENT=7 DEFAULT CHARSET=latin1")
            .contains(") ENGINE=InnoDB AUTO_INCREMENT=42 DEFAULT CHARSET=latin1"));
        // Counting from 1 the server prints none: it goes after ENGINE.
        assert!(text("CREATE TABLE `t` (\n  `id` int NOT NULL AUTO_INCREMENT\n) ENGINE=InnoDB DEFAULT CHARSET=latin1")
            .contains(") ENGINE=InnoDB AUTO_INCREMENT=42 DEFAULT CHARSET=latin1"));
        // A column's own AUTO_INCREMENT is not the table option.
        assert!(
            text("CREATE TABLE `t` (\n  `id` int NOT NULL AUTO_INCREMENT\n) ENGINE=InnoDB")
                .contains("`id` int NOT NULL AUTO_INCREMENT\n) ENGINE=InnoDB AUTO_INCREMENT=42")
        );
    }

    #[test]
    fn show_statements_are_recognised() {
        let db = Some("d");
        let p = |s: &str| parse_show(s.as_bytes(), LexMode::default(), db);
        assert_eq!(
            p("SHOW FULL TABLES FROM x LIKE 'a%'"),
            Some(Show::Tables {
                full: true,
                db: "x".into(),
                like: Some("a%".into()),
                filter: None,
            })
        );
        let t = TableId {
            schema: "d".into(),
            name: "t".into(),
        };
        assert_eq!(p("SHOW CREATE TABLE `t`"), Some(Show::Create(t.clone())));
        assert_eq!(
            p("describe t"),
            Some(Show::Columns {
                full: false,
                table: t.clone(),
                like: None,
                filter: None,
            })
        );
        assert_eq!(
            p("SHOW INDEX FROM t IN d"),
            Some(Show::Index(t.clone(), None))
        );
        assert_eq!(
            p("SHOW KEYS FROM t IN d WHERE Non_unique = 1"),
            Some(Show::Index(t.clone(), Some("Non_unique = 1".into())))
        );
        assert_eq!(p("EXPLAIN SELECT * FROM t"), None);
        assert_eq!(
            p("SHOW TABLES WHERE x = 1"),
            Some(Show::Tables {
                full: false,
                db: "d".into(),
                like: None,
                filter: Some("x = 1".into()),
            })
        );
        assert_eq!(
            p("SHOW FULL FIELDS FROM t WHERE Field = 'a'"),
            Some(Show::Columns {
                full: true,
                table: t.clone(),
                like: None,
                filter: Some("Field = 'a'".into()),
            })
        );
        assert_eq!(
            p("SHOW TABLES FROM d IN x"),
            Some(Show::OtherTables("d".into()))
        );
        assert!(like_matcher("w%_s")("Widgets"));
        assert!(!like_matcher("w%_s")("ws"));
    }
}

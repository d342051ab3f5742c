//! The delta as net row changes against the source: what `vdb.changes`
//! lists and what `vdb.export()` turns into a patch.
//!
//! The delta itself only knows the keys of the source rows it hides and
//! its own rows; the before-images come from the source, read by key when
//! the changes are asked for. Changes are net: a row updated and updated
//! back, or inserted and deleted, is no change at all. A key-less table's
//! identical rows are counted: taking over two source copies and deleting
//! one is one deleted copy.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::delta::{DeltaState, Row, TableDelta, TableId, TableMeta};
use crate::sql::literal::BadValue;

/// Reads rows from the source: the session's upstream connection.
pub type Source<'a> = dyn FnMut(&str) -> Result<Vec<Row>, String> + 'a;

/// Keys (or images) asked for in one statement: small enough for any
/// max_allowed_packet, few enough round trips.
const BATCH: usize = 500;

/// What happened to a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// A row the source does not have.
    Insert,
    /// A source row with other values.
    Update,
    /// A source row that is gone.
    Delete,
}

impl Op {
    /// The name `vdb.changes` uses.
    pub fn name(self) -> &'static str {
        match self {
            Op::Insert => "insert",
            Op::Update => "update",
            Op::Delete => "delete",
        }
    }
}

/// One changed row (or, in a key-less table, `copies` identical ones).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Insert, update or delete.
    pub op: Op,
    /// The source's row (updates and deletes).
    pub before: Option<Row>,
    /// The row vdb shows (inserts and updates).
    pub after: Option<Row>,
    /// How many identical rows this stands for (1 unless key-less).
    pub copies: u64,
}

/// The changes to one table, in key order.
#[derive(Debug, Clone)]
pub struct TableChanges {
    /// The table's definition as vdb shows it.
    pub meta: Arc<TableMeta>,
    /// Its delta key columns (every column of a key-less table).
    pub key: Vec<usize>,
    /// Whether identical rows are counted copies (no unique key).
    pub counted: bool,
    /// Its changed rows.
    pub changes: Vec<Change>,
}

/// Why the changes cannot be listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangesError {
    /// A stored value has no literal (it never should).
    Value(BadValue),
    /// The source could not be read.
    Source(String),
}

impl From<BadValue> for ChangesError {
    fn from(e: BadValue) -> Self {
        ChangesError::Value(e)
    }
}

/// The net changes of every user table `wanted` admits, tables in name
/// order (the source is read only for those).
pub fn changes(
    state: &DeltaState,
    wanted: impl Fn(&TableId) -> bool,
    source: &mut Source<'_>,
) -> Result<Vec<TableChanges>, ChangesError> {
    let mut tables: Vec<&Arc<TableDelta>> = state
        .user_tables()
        .filter(|t| !state.schema.is_dropped(&t.meta.id) && wanted(&t.meta.id))
        .collect();
    tables.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
    let mut out = Vec::with_capacity(tables.len());
    for t in tables {
        let changes = if !t.has_source() {
            t.rows
                .values()
                .map(|r| inserted((**r).clone(), 1))
                .collect()
        } else if t.counted {
            counted_changes(t, source)?
        } else {
            keyed_changes(t, source)?
        };
        if changes.is_empty() {
            continue;
        }
        out.push(TableChanges {
            meta: t.meta.clone(),
            key: t.key.clone(),
            counted: t.counted,
            changes,
        });
    }
    Ok(out)
}

fn inserted(row: Row, copies: u64) -> Change {
    Change {
        op: Op::Insert,
        before: None,
        after: Some(row),
        copies,
    }
}

/// A keyed table: a hidden key with a row of the delta is an update (or
/// nothing, when the values are the same), without one a delete; a delta
/// row whose key the source does not have is an insert.
fn keyed_changes(t: &TableDelta, source: &mut Source<'_>) -> Result<Vec<Change>, ChangesError> {
    let before = source_rows(t, source)?;
    let mut keys: Vec<&Vec<u8>> = t.hidden.keys().chain(t.rows.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for k in keys {
        let after = t.rows.get(k).map(|r| (**r).clone());
        let before = before.get(k).cloned();
        let op = match (&before, &after) {
            (Some(b), Some(a)) if b == a => continue,
            (Some(_), Some(_)) => Op::Update,
            (Some(_), None) => Op::Delete,
            (None, Some(_)) => Op::Insert,
            (None, None) => continue,
        };
        out.push(Change {
            op,
            before,
            after,
            copies: 1,
        });
    }
    Ok(out)
}

/// The source's current rows for the keys `t` hides, by encoded key.
fn source_rows(
    t: &TableDelta,
    source: &mut Source<'_>,
) -> Result<HashMap<Vec<u8>, Row>, ChangesError> {
    let meta = &t.meta;
    let key_cols: Vec<String> = t
        .key
        .iter()
        .map(|&i| crate::sql::rewrite::quote_ident(t.source_column_name(i).unwrap_or_default()))
        .collect();
    let hidden: Vec<&Row> = t.hidden.values().collect();
    let mut out = HashMap::with_capacity(hidden.len());
    for batch in hidden.chunks(BATCH) {
        let mut tuples = Vec::with_capacity(batch.len());
        for k in batch {
            let mut lits = Vec::with_capacity(k.len());
            for (v, &i) in k.iter().zip(&t.key) {
                lits.push(meta.columns[i].column.literal(v.as_deref())?);
            }
            tuples.push(format!("({})", lits.join(", ")));
        }
        let sql = format!(
            "SELECT {} FROM {} AS `vdb_source` WHERE ({}) IN ({})",
            t.source_read_list("`vdb_source`"),
            t.source_table().quoted(),
            key_cols.join(", "),
            tuples.join(", ")
        );
        for row in source(&sql).map_err(ChangesError::Source)? {
            let row = meta.stored(t.source_row(row));
            out.insert(t.key_of(&row), row);
        }
    }
    Ok(out)
}

/// A key-less table: each hidden image stands for all the source's copies
/// of it, and the delta's copies of that image replace them; the net
/// change is the difference in number. Delta copies of other images are
/// inserts.
fn counted_changes(t: &TableDelta, source: &mut Source<'_>) -> Result<Vec<Change>, ChangesError> {
    let images: Vec<(&Vec<u8>, &Row)> = t.hidden.iter().collect();
    let mut source_copies: HashMap<&Vec<u8>, u64> = HashMap::with_capacity(images.len());
    for batch in images.chunks(BATCH) {
        let rows: Vec<&Row> = batch.iter().map(|(_, r)| *r).collect();
        for row in source(&t.count_sql(&rows)?).map_err(ChangesError::Source)? {
            let n: Option<usize> = number(&row[0]);
            let count: u64 = number(&row[1]).unwrap_or(0);
            if let Some((k, _)) = n.and_then(|n| batch.get(n)) {
                *source_copies.entry(k).or_default() += count;
            }
        }
    }
    // Delta copies by image: their keys are the image's key and 8 bytes.
    let mut delta_copies: BTreeMap<&[u8], (u64, &Row)> = BTreeMap::new();
    for (k, r) in &t.rows {
        let image = &k[..k.len().saturating_sub(8)];
        delta_copies.entry(image).or_insert((0, r)).0 += 1;
    }
    let mut out = Vec::new();
    for (k, image) in &images {
        let had = source_copies.get(k).copied().unwrap_or(0);
        let has = delta_copies.remove(k.as_slice()).map_or(0, |(n, _)| n);
        if has < had {
            out.push(Change {
                op: Op::Delete,
                before: Some((*image).clone()),
                after: None,
                copies: had - has,
            });
        } else if has > had {
            out.push(inserted((*image).clone(), has - had));
        }
    }
    out.extend(
        delta_copies
            .into_values()
            .map(|(n, r)| inserted(r.clone(), n)),
    );
    Ok(out)
}

fn number<T: std::str::FromStr>(v: &Option<Vec<u8>>) -> Option<T> {
    std::str::from_utf8(v.as_deref()?).ok()?.parse().ok()
}

//! The delta: every row a client wrote, held in memory, shared by all
//! connections of the process, never sent to the source.
//!
//! The whole delta is one immutable [`DeltaState`] behind an `RwLock`ed
//! `Arc`. Readers clone the `Arc` (a pointer copy) and see one consistent
//! state for their whole statement; a writer builds the next state under
//! the write gate and swaps it in, so no read ever sees half of a
//! statement, and a statement that fails leaves nothing behind. The state
//! is sharded by table: a statement copies only the tables it changes, the
//! others are shared with the previous state (which is also what makes
//! snapshots cheap).
//!
//! Rows are keyed by their key columns' bytes (the primary key, else a NOT
//! NULL unique key, see [`TableMeta::identity`]). `hidden` holds the keys of
//! source rows the delta replaces or removes; `rows` holds the delta's own
//! rows (inserted rows and the new images of updated ones) by their current
//! key. A row returned by a read over the merged view is a delta row exactly
//! when its key is in `rows`: chains of writes (update, update the key,
//! delete, re-insert) always resolve to one final state.
//!
//! Nothing here does I/O or knows SQL beyond the typed literals the read
//! rewrite needs.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use parking_lot::{Mutex, MutexGuard, RwLock};

use crate::sql::literal::{BadValue, Column};
use crate::sql::rewrite::quote_ident;

/// A value in the text protocol's bytes, in the column's own character set;
/// `None` is NULL.
pub type Value = Option<Vec<u8>>;

/// One row, all columns in table order.
pub type Row = Vec<Value>;

/// A table, by database and name, as the source spells them.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TableId {
    /// Database.
    pub schema: String,
    /// Table.
    pub name: String,
}

impl TableId {
    /// `` `db`.`t` ``.
    pub fn quoted(&self) -> String {
        format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.name))
    }
}

impl std::fmt::Display for TableId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.schema, self.name)
    }
}

/// One column of a table, as information_schema describes it.
#[derive(Clone, Debug)]
pub struct ColumnMeta {
    /// Its name.
    pub name: String,
    /// Its type, for literals and typed variables.
    pub column: Column,
    /// Whether it takes NULL.
    pub nullable: bool,
    /// Its default as an SQL expression (MariaDB's COLUMN_DEFAULT), if any.
    pub default: Option<String>,
    /// AUTO_INCREMENT.
    pub auto_increment: bool,
    /// A generated (virtual or stored) column.
    pub generated: bool,
}

/// A PRIMARY or UNIQUE key.
#[derive(Clone, Debug)]
pub struct UniqueKey {
    /// The index name (`PRIMARY` for the primary key).
    pub name: String,
    /// Column positions in key order.
    pub columns: Vec<usize>,
}

/// What a foreign key does to children when the parent row changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FkRule {
    /// RESTRICT or NO ACTION: the parent change fails with 1451.
    Restrict,
    /// CASCADE: children follow.
    Cascade,
    /// SET NULL: children's columns become NULL.
    SetNull,
}

impl FkRule {
    /// From REFERENTIAL_CONSTRAINTS' UPDATE_RULE / DELETE_RULE.
    pub fn parse(rule: &str) -> FkRule {
        match rule.to_ascii_uppercase().as_str() {
            "CASCADE" => FkRule::Cascade,
            "SET NULL" => FkRule::SetNull,
            _ => FkRule::Restrict,
        }
    }

    fn clause(self) -> Option<&'static str> {
        match self {
            FkRule::Restrict => None,
            FkRule::Cascade => Some("CASCADE"),
            FkRule::SetNull => Some("SET NULL"),
        }
    }
}

/// A foreign key, from the child table's side.
#[derive(Clone, Debug)]
pub struct ForeignKey {
    /// Constraint name.
    pub name: String,
    /// The child table.
    pub child: TableId,
    /// The child's columns, by name, in constraint order.
    pub child_columns: Vec<String>,
    /// The referenced table.
    pub parent: TableId,
    /// The referenced columns, by name, in constraint order.
    pub parent_columns: Vec<String>,
    /// ON DELETE.
    pub on_delete: FkRule,
    /// ON UPDATE.
    pub on_update: FkRule,
}

impl ForeignKey {
    /// The constraint as the server prints it in 1451/1452 messages:
    /// `` `db`.`child`, CONSTRAINT `fk` FOREIGN KEY (`c`) REFERENCES `p` (`id`) ON DELETE CASCADE ``.
    pub fn describe(&self) -> String {
        let cols = |v: &[String]| {
            v.iter()
                .map(|c| quote_ident(c))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let parent = if self.parent.schema == self.child.schema {
            quote_ident(&self.parent.name)
        } else {
            self.parent.quoted()
        };
        let mut s = format!(
            "{}, CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({})",
            self.child.quoted(),
            quote_ident(&self.name),
            cols(&self.child_columns),
            parent,
            cols(&self.parent_columns)
        );
        if let Some(c) = self.on_delete.clause() {
            s.push_str(" ON DELETE ");
            s.push_str(c);
        }
        if let Some(c) = self.on_update.clause() {
            s.push_str(" ON UPDATE ");
            s.push_str(c);
        }
        s
    }
}

/// A CHECK constraint (MariaDB also uses one for JSON columns).
#[derive(Clone, Debug)]
pub struct CheckConstraint {
    /// Its name.
    pub name: String,
    /// The clause, an SQL expression over the table's columns.
    pub clause: String,
}

/// What vdb knows of a source table's definition.
#[derive(Clone, Debug)]
pub struct TableMeta {
    /// The table.
    pub id: TableId,
    /// Columns in table order.
    pub columns: Vec<ColumnMeta>,
    /// PRIMARY first, then UNIQUE keys in index order.
    pub unique_keys: Vec<UniqueKey>,
    /// Foreign keys this table declares.
    pub foreign_keys: Vec<ForeignKey>,
    /// Foreign keys of other tables that reference this one.
    pub referenced_by: Vec<ForeignKey>,
    /// CHECK constraints.
    pub checks: Vec<CheckConstraint>,
    /// The source's next AUTO_INCREMENT value.
    pub auto_increment: Option<u64>,
    /// Names of triggers on the table (writes to such tables are refused:
    /// the trigger bodies would have to run).
    pub triggers: Vec<String>,
}

impl TableMeta {
    /// Positions of the columns that identify a row: the primary key, else
    /// the first unique key over NOT NULL columns. `None` for a table
    /// without one.
    pub fn identity(&self) -> Option<&[usize]> {
        self.unique_keys
            .iter()
            .find(|k| k.columns.iter().all(|&c| !self.columns[c].nullable))
            .map(|k| k.columns.as_slice())
    }

    /// The position of a column by name (column names are case-insensitive).
    pub fn position(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// The AUTO_INCREMENT column.
    pub fn auto_column(&self) -> Option<usize> {
        self.columns.iter().position(|c| c.auto_increment)
    }
}

/// Encodes key values as map keys: each value length-prefixed, NULL apart.
pub fn encode_key<'v>(values: impl IntoIterator<Item = &'v Value>) -> Vec<u8> {
    let mut out = Vec::new();
    for v in values {
        match v {
            None => out.push(0),
            Some(b) => {
                out.push(1);
                out.extend_from_slice(&(b.len() as u32).to_le_bytes());
                out.extend_from_slice(b);
            }
        }
    }
    out
}

/// The changes to one table.
#[derive(Debug)]
pub struct TableDelta {
    /// The table's definition when it was first changed.
    pub meta: Arc<TableMeta>,
    /// Positions of the identity columns.
    pub key: Vec<usize>,
    /// Source rows the delta replaces or removes, by encoded key: their key values.
    pub hidden: BTreeMap<Vec<u8>, Row>,
    /// The delta's rows by encoded current key.
    pub rows: BTreeMap<Vec<u8>, Arc<Row>>,
    /// The next AUTO_INCREMENT value.
    pub next_auto: u64,
    /// The merged view's SQL, built on first read of this version.
    derived: OnceLock<Result<Arc<String>, BadValue>>,
}

impl Clone for TableDelta {
    fn clone(&self) -> Self {
        TableDelta {
            meta: self.meta.clone(),
            key: self.key.clone(),
            hidden: self.hidden.clone(),
            rows: self.rows.clone(),
            next_auto: self.next_auto,
            derived: OnceLock::new(),
        }
    }
}

impl TableDelta {
    /// An empty delta for a table with an identity key.
    pub fn new(meta: Arc<TableMeta>, key: Vec<usize>) -> TableDelta {
        let next_auto = meta.auto_increment.unwrap_or(1).max(1);
        TableDelta {
            meta,
            key,
            hidden: BTreeMap::new(),
            rows: BTreeMap::new(),
            next_auto,
            derived: OnceLock::new(),
        }
    }

    /// The encoded identity key of a full row.
    pub fn key_of(&self, row: &Row) -> Vec<u8> {
        encode_key(self.key.iter().map(|&i| &row[i]))
    }

    /// Whether a row (as read over the merged view) is one of the delta's.
    pub fn is_delta_row(&self, row: &Row) -> bool {
        self.rows.contains_key(&self.key_of(row))
    }

    /// Replaces a row of the merged view (`old`, as read) with `new`.
    pub fn update(&mut self, old: &Row, new: Row) {
        self.derived = OnceLock::new();
        let old_key = self.key_of(old);
        if self.rows.remove(&old_key).is_none() {
            self.hide(old);
        }
        let new_key = self.key_of(&new);
        self.rows.insert(new_key, Arc::new(new));
    }

    /// Removes a row of the merged view.
    pub fn delete(&mut self, old: &Row) {
        self.derived = OnceLock::new();
        let old_key = self.key_of(old);
        if self.rows.remove(&old_key).is_none() {
            self.hide(old);
        }
    }

    /// Adds a new row.
    pub fn insert(&mut self, new: Row) {
        self.derived = OnceLock::new();
        let key = self.key_of(&new);
        self.rows.insert(key, Arc::new(new));
    }

    fn hide(&mut self, source_row: &Row) {
        let key: Row = self.key.iter().map(|&i| source_row[i].clone()).collect();
        self.hidden.insert(encode_key(&key), key);
    }

    /// Rows this table's delta adds, replaces or removes.
    pub fn changed_rows(&self) -> usize {
        self.rows.len() + self.hidden.len()
    }

    /// Approximate memory held by the rows, in bytes.
    pub fn bytes(&self) -> usize {
        let row_bytes = |r: &Row| {
            r.iter()
                .map(|v| v.as_ref().map_or(8, |b| b.len() + 24))
                .sum::<usize>()
        };
        self.rows
            .iter()
            .map(|(k, r)| k.len() + row_bytes(r) + 48)
            .sum::<usize>()
            + self
                .hidden
                .iter()
                .map(|(k, r)| k.len() + row_bytes(r) + 48)
                .sum::<usize>()
    }

    /// The merged view of the table as a derived table (without alias),
    /// built once per version of this table's delta.
    pub fn derived_sql(&self) -> Result<Arc<String>, BadValue> {
        self.derived
            .get_or_init(|| self.build_derived().map(Arc::new))
            .clone()
    }

    fn build_derived(&self) -> Result<String, BadValue> {
        let cols = &self.meta.columns;
        let names: Vec<String> = cols.iter().map(|c| quote_ident(&c.name)).collect();
        let mut sql = String::with_capacity(64 + self.rows.len() * 32 * cols.len());
        sql.push_str("(SELECT ");
        sql.push_str(&names.join(", "));
        sql.push_str(" FROM ");
        sql.push_str(&self.meta.id.quoted());
        if !self.hidden.is_empty() {
            let key_cols: Vec<&str> = self.key.iter().map(|&i| names[i].as_str()).collect();
            sql.push_str(" WHERE (");
            sql.push_str(&key_cols.join(", "));
            sql.push_str(") NOT IN (");
            for (n, k) in self.hidden.values().enumerate() {
                if n > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                for (j, (v, &i)) in k.iter().zip(&self.key).enumerate() {
                    if j > 0 {
                        sql.push_str(", ");
                    }
                    sql.push_str(&cols[i].column.literal(v.as_deref())?);
                }
                sql.push(')');
            }
            sql.push(')');
        }
        for row in self.rows.values() {
            sql.push_str(" UNION ALL SELECT ");
            for (j, (v, c)) in row.iter().zip(cols).enumerate() {
                if j > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&c.column.literal(v.as_deref())?);
            }
        }
        sql.push(')');
        Ok(sql)
    }
}

/// One version of the whole delta.
#[derive(Clone, Debug, Default)]
pub struct DeltaState {
    /// Changed tables.
    pub tables: HashMap<TableId, Arc<TableDelta>>,
    /// Lower-cased names of changed tables (and of views over them), for
    /// the cheap check that lets untouched statements pass unparsed.
    pub names: Vec<String>,
    /// Incremented by every statement that changes the delta.
    pub version: u64,
    /// Definitions of the source's views that read changed tables: a read
    /// of such a view reads its definition, spliced in, over the merged view.
    pub views: HashMap<TableId, Arc<String>>,
    /// Changed tables whose dependent views have been looked up.
    pub views_checked: std::collections::HashSet<TableId>,
}

impl DeltaState {
    /// Whether no table has changed (the common case: nothing to rewrite).
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }

    /// Whether `sql` may name a changed table: a case-insensitive search for
    /// each changed name. False positives only cost a parse.
    pub fn may_touch(&self, sql: &[u8]) -> bool {
        self.names
            .iter()
            .any(|n| contains_ignore_case(sql, n.as_bytes()))
    }

    /// Total changed rows.
    pub fn changed_rows(&self) -> usize {
        self.tables.values().map(|t| t.changed_rows()).sum()
    }

    /// Approximate bytes held.
    pub fn bytes(&self) -> usize {
        self.tables.values().map(|t| t.bytes()).sum()
    }

    fn refresh_names(&mut self) {
        let mut names: Vec<String> = self
            .tables
            .keys()
            .chain(self.views.keys())
            .map(|id| id.name.to_lowercase())
            .collect();
        names.sort();
        names.dedup();
        self.names = names;
    }
}

fn contains_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    if needle.is_empty() || needle.len() > hay.len() {
        return needle.is_empty();
    }
    let first = needle[0].to_ascii_lowercase();
    let last = hay.len() - needle.len();
    (0..=last).any(|i| {
        hay[i].to_ascii_lowercase() == first
            && hay[i..i + needle.len()].eq_ignore_ascii_case(needle)
    })
}

/// The process's delta.
#[derive(Default)]
pub struct Delta {
    state: RwLock<Arc<DeltaState>>,
    gate: Mutex<()>,
    meta: RwLock<HashMap<TableId, Arc<TableMeta>>>,
}

/// A statement's exclusive right to change the delta: holds the write gate
/// and the state the statement started from.
pub struct Writer<'a> {
    delta: &'a Delta,
    _gate: MutexGuard<'a, ()>,
    /// The state being built.
    pub next: DeltaState,
}

impl Delta {
    /// The current state (a pointer copy).
    pub fn current(&self) -> Arc<DeltaState> {
        self.state.read().clone()
    }

    /// Starts a statement that changes the delta. Statements that write are
    /// serialized; readers go on reading the previous state meanwhile.
    pub fn writer(&self) -> Writer<'_> {
        let gate = self.gate.lock();
        let next = (**self.state.read()).clone();
        Writer {
            delta: self,
            _gate: gate,
            next,
        }
    }

    /// A table definition loaded earlier.
    pub fn cached_meta(&self, id: &TableId) -> Option<Arc<TableMeta>> {
        self.meta.read().get(id).cloned()
    }

    /// Remembers a table definition (source definitions do not change
    /// under vdb: it never writes DDL to the source).
    pub fn cache_meta(&self, meta: Arc<TableMeta>) {
        self.meta.write().insert(meta.id.clone(), meta);
    }
}

impl Writer<'_> {
    /// The table's delta for changing, copied from the shared one on first
    /// use in this statement.
    pub fn table(&mut self, meta: &Arc<TableMeta>, key: &[usize]) -> &mut TableDelta {
        let entry = self
            .next
            .tables
            .entry(meta.id.clone())
            .or_insert_with(|| Arc::new(TableDelta::new(meta.clone(), key.to_vec())));
        Arc::make_mut(entry)
    }

    /// The table's delta as it stands in the state being built.
    pub fn peek(&self, id: &TableId) -> Option<&TableDelta> {
        self.next.tables.get(id).map(|t| &**t)
    }

    /// Publishes the state: every later read sees all of this statement.
    pub fn commit(mut self) {
        self.next.version += 1;
        self.next.refresh_names();
        *self.delta.state.write() = Arc::new(self.next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> Arc<TableMeta> {
        let int = Column {
            data_type: "int".into(),
            column_type: "int(11)".into(),
            charset: None,
            collation: None,
        };
        let col = |n: &str| ColumnMeta {
            name: n.into(),
            column: int.clone(),
            nullable: n != "id",
            default: None,
            auto_increment: false,
            generated: false,
        };
        Arc::new(TableMeta {
            id: TableId {
                schema: "db".into(),
                name: "Widgets".into(),
            },
            columns: vec![col("id"), col("v")],
            unique_keys: vec![UniqueKey {
                name: "PRIMARY".into(),
                columns: vec![0],
            }],
            foreign_keys: vec![],
            referenced_by: vec![],
            checks: vec![],
            auto_increment: Some(10),
            triggers: vec![],
        })
    }

    fn row(id: &str, v: Option<&str>) -> Row {
        vec![
            Some(id.as_bytes().to_vec()),
            v.map(|v| v.as_bytes().to_vec()),
        ]
    }

    #[test]
    fn chains_of_writes_resolve_to_one_final_state() {
        let m = meta();
        let mut t = TableDelta::new(m, vec![0]);
        // A source row updated, its key updated again, then deleted.
        t.update(&row("1", Some("a")), row("1", Some("b")));
        t.update(&row("1", Some("b")), row("5", Some("b")));
        assert_eq!(t.hidden.len(), 1);
        assert_eq!(t.rows.len(), 1);
        t.delete(&row("5", Some("b")));
        assert_eq!((t.hidden.len(), t.rows.len()), (1, 0));
        // Re-inserting the deleted key is a delta row again.
        t.insert(row("1", None));
        assert!(t.is_delta_row(&row("1", None)));
        assert_eq!(
            *t.derived_sql().unwrap(),
            "(SELECT `id`, `v` FROM `db`.`Widgets` WHERE (`id`) NOT IN ((CAST(1 AS SIGNED))) UNION ALL SELECT CAST(1 AS SIGNED), CAST(NULL AS SIGNED))"
        );
    }

    #[test]
    fn a_statement_is_published_whole_or_not_at_all() {
        let delta = Delta::default();
        let m = meta();
        {
            let mut w = delta.writer();
            w.table(&m, &[0]).insert(row("1", None));
            // Dropped without commit: a failed statement.
        }
        assert!(delta.current().is_empty());
        let before = delta.current();
        let mut w = delta.writer();
        w.table(&m, &[0]).insert(row("1", None));
        w.table(&m, &[0]).insert(row("2", None));
        w.commit();
        assert!(before.is_empty(), "an earlier reader keeps its state");
        let now = delta.current();
        assert_eq!(now.changed_rows(), 2);
        assert!(now.may_touch(b"select * from db.WIDGETS where 1"));
        assert!(!now.may_touch(b"select * from db.gadgets"));
    }
}

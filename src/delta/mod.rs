//! The delta: every row a client wrote, held in memory, shared by all
//! connections of the process, never sent to the source.
//!
//! The whole delta is one immutable [`DeltaState`] behind an `RwLock`ed
//! `Arc`. Readers clone the `Arc` (a pointer copy) and see one consistent
//! state for their whole statement; a writer builds the next state under
//! the write gate and swaps it in, so no read ever sees half of a
//! statement, and a statement that fails leaves nothing behind. The state
//! is sharded by table, and each table's rows live in persistent ordered
//! maps (`imbl::OrdMap`, which share unchanged nodes between copies): a
//! statement copies only the tables it changes, in time independent of
//! their size, and every other version (the readers', snapshots) keeps its
//! own view for the price of the nodes that differ.
//!
//! Rows are keyed by their key columns' values (the primary key, else a NOT
//! NULL unique key, see [`TableMeta::identity`]; a table with no unique key
//! at all by every column, identical rows being counted copies, see
//! [`TableDelta::counted`]), integers encoded so that
//! the map's order is numeric order, which lets a read that names a key
//! range find the captured rows in it without a scan. `hidden` holds the keys of
//! source rows the delta replaces or removes; `rows` holds the delta's own
//! rows (inserted rows and the new images of updated ones) by their current
//! key. A row returned by a read over the merged view is a delta row exactly
//! when its key is in `rows`: chains of writes (update, update the key,
//! delete, re-insert) always resolve to one final state.
//!
//! Nothing here does I/O or knows SQL beyond the typed literals the read
//! rewrite needs.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use std::sync::{Arc, OnceLock};

use imbl::OrdMap;
use parking_lot::{Mutex, MutexGuard, RwLock};

pub mod locks;
pub mod order;
pub mod persist;

use crate::sql::literal::{BadValue, Column};
use crate::sql::restrict::{is_integer, Cmp, Lit, Pred, Test};
use crate::sql::rewrite::quote_ident;

/// A value in the text protocol's bytes, in the column's own character set;
/// `None` is NULL.
pub type Value = Option<Vec<u8>>;

/// One row, all columns in table order.
pub type Row = Vec<Value>;

/// A table, by database and name, as the source spells them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
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

    /// Whether this is a connection's temporary table (see
    /// [`crate::sql::temporary`]): private to it, and left out of the
    /// catalog, the patch and the state file.
    pub fn is_temporary(&self) -> bool {
        self.name.starts_with(crate::sql::temporary::MARK)
    }

    /// The name the client gave the table.
    pub fn shown_name(&self) -> &str {
        crate::sql::temporary::shown_name(&self.name)
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
    /// For a TIMESTAMP column whose default is a time (not
    /// CURRENT_TIMESTAMP, not zero): the instant it stands for, seconds
    /// since the epoch. The server fixes it when the default is defined,
    /// in that session's time zone, and a write in any other zone gets
    /// that instant; `default` is the text the defining session saw.
    /// `None` until vdb asked the source (see
    /// `overlay::meta::default_instants`).
    pub default_instant: Option<String>,
    /// AUTO_INCREMENT.
    pub auto_increment: bool,
    /// A generated column's expression; None for a column that holds the
    /// values written to it.
    pub generated: Option<Generated>,
    /// Its COMMENT ('' when it has none).
    pub comment: String,
    /// `ON UPDATE current_timestamp(n)`: the expression (as EXTRA writes
    /// it) an UPDATE that changes the row gives it, unless it assigns it.
    pub on_update: Option<String>,
}

/// A trigger of a source table, as information_schema.TRIGGERS shows it.
/// It moves with its table (ALTER, RENAME and TRUNCATE keep it; DROP
/// drops it), so the catalog and the patch write it from here.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trigger {
    /// Its name.
    pub name: String,
    /// `INSERT`, `UPDATE` or `DELETE`.
    pub event: String,
    /// BEFORE rather than AFTER.
    pub before: bool,
    /// Its body (ACTION_STATEMENT), as written.
    pub body: String,
    /// Why vdb cannot run it (a BEFORE trigger that writes tables, an
    /// AFTER trigger whose body is not steps vdb runs one by one, one that
    /// reads its own table or calls a stored routine), or None: a BEFORE
    /// trigger that computes and checks the row (reading other tables over
    /// the merged view) runs inside the write's own computation, an AFTER
    /// trigger after the rows are computed (`overlay::write::after`).
    pub blocked: Option<String>,
    /// Its place among the table's triggers of its event and timing
    /// (ACTION_ORDER, from 1).
    pub order: u64,
    /// The server's CREATE TRIGGER text (SHOW CREATE TRIGGER's "SQL
    /// Original Statement"), whose `ON <table>` a RENAME rewrites.
    pub statement: String,
    /// CREATED, as the server prints it (`2026-11-22 11:58:50.15`).
    pub created: Option<String>,
    /// The sql_mode it runs under (SQL_MODE).
    pub sql_mode: String,
    /// DEFINER (`user@host`).
    pub definer: String,
    /// Created through vdb without a DEFINER clause: its definer is the
    /// account vdb reads the source with, and a patch leaves it to the
    /// account that applies it, as the statement did.
    pub implicit_definer: bool,
    /// CHARACTER_SET_CLIENT when it was created.
    pub charset_client: String,
    /// COLLATION_CONNECTION when it was created.
    pub collation_connection: String,
    /// DATABASE_COLLATION when it was created.
    pub database_collation: String,
}

impl Trigger {
    /// Whether vdb runs it a step at a time once the statement's rows are
    /// computed (an AFTER trigger, or a BEFORE trigger that writes tables),
    /// rather than inside the block that computes each row.
    pub fn stepped(&self) -> bool {
        !self.before || crate::sql::trigger::body_blocked(&self.body).is_some()
    }
}

/// How a generated column computes its value: the delta stores the value
/// computed when the row was written, as a STORED column does; the source
/// computes its own rows'.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    /// The expression, as the server prints it (GENERATION_EXPRESSION:
    /// `` `a` + `b` ``).
    pub expr: String,
    /// STORED (PERSISTENT) rather than VIRTUAL: what the catalog shows.
    pub stored: bool,
}

/// A PRIMARY or UNIQUE key (or, among `TableMeta::indexes`, a plain one).
#[derive(Clone, Debug, Default)]
pub struct UniqueKey {
    /// The index name (`PRIMARY` for the primary key).
    pub name: String,
    /// Column positions in key order.
    pub columns: Vec<usize>,
    /// USING BTREE and COMMENT, as its definition gave them.
    pub options: crate::sql::ddl::KeyOptions,
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
#[derive(Clone, Debug, PartialEq, Eq)]
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
#[derive(Clone, Debug, Default)]
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
    /// The table's triggers, in the order the server fires them.
    pub triggers: Vec<Trigger>,
    /// Created through vdb (CREATE TABLE): the table exists only in the
    /// delta, and its merged view has no source part.
    pub created: bool,
    /// Non-unique indexes, in order (known for created tables, which the
    /// catalog describes; empty for source tables).
    pub indexes: Vec<UniqueKey>,
    /// The table's default collation (known for created tables).
    pub collation: Option<String>,
    /// Its COMMENT ('' when it has none).
    pub comment: String,
    /// ROW_FORMAT given when it was created (`DYNAMIC`, `COMPRESSED`),
    /// known for created tables.
    pub row_format: Option<String>,
    /// The source's estimate of a source table's rows (information_schema
    /// TABLE_ROWS) when vdb read its definition: what the catalog moves by
    /// the rows the delta adds and removes, as InnoDB counts them.
    pub estimated_rows: Option<u64>,
    /// The columns of a source table's non-unique indexes (a created
    /// table's are in `indexes`): a merged view that spells a column over
    /// the source's keeps the source from reading that index.
    pub source_indexes: Vec<usize>,
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

    /// The key the server takes as the primary key: PRIMARY, else the
    /// first unique key over NOT NULL columns.
    pub fn primary_key(&self) -> Option<&UniqueKey> {
        self.unique_keys
            .iter()
            .find(|k| k.name == "PRIMARY")
            .or_else(|| {
                self.unique_keys
                    .iter()
                    .find(|k| k.columns.iter().all(|&c| !self.columns[c].nullable))
            })
    }

    /// A row read over the merged view as the delta stores it: BIT columns
    /// come as numbers there (see [`Column::bit_width`]) and are kept as
    /// the bytes the source sends; TIMESTAMP ones as seconds, kept as
    /// instants (see [`TableMeta::instants`]).
    pub fn stored(&self, mut row: Row) -> Row {
        self.instants(&mut row);
        for (v, c) in row.iter_mut().zip(&self.columns) {
            let Some(width) = c.column.bit_width() else {
                continue;
            };
            let bytes = v
                .as_deref()
                .and_then(|b| std::str::from_utf8(b).ok()?.parse::<u64>().ok())
                .and_then(|n| crate::sql::literal::bit_bytes(n, width));
            if let Some(b) = bytes {
                *v = Some(b);
            }
        }
        row
    }

    /// The TIMESTAMP values of a row read with [`TableMeta::read_expr`]
    /// (seconds since the epoch) as the delta keeps them: instants, as UTC
    /// text (see [`crate::clock::instant_text`]), which every session
    /// reads back in its own time zone. Values that are not seconds (the
    /// zero timestamp, values kept already) stay as they are.
    pub fn instants(&self, row: &mut [Value]) {
        for (v, c) in row.iter_mut().zip(&self.columns) {
            if c.column.data_type != "timestamp" {
                continue;
            }
            if let Some(kept) = v.as_deref().and_then(crate::clock::instant_text) {
                *v = Some(kept);
            }
        }
    }

    /// Column `i`, written `expr`, read as seconds since the epoch if it
    /// is a TIMESTAMP (see [`TableMeta::instants`]), else as it is.
    pub fn instant_expr(&self, i: usize, expr: &str) -> String {
        instant_column(&self.columns[i], expr).unwrap_or_else(|| expr.to_string())
    }

    /// How a query that fetches values for the delta reads column `i`,
    /// written `expr`: BIT as a number, TIMESTAMP as seconds since the
    /// epoch (the text the source shows is in the session's time zone,
    /// not the instant), anything else as it is.
    pub fn read_expr(&self, i: usize, expr: &str) -> String {
        fetched_column(&self.columns[i], expr)
    }

    /// The select list that reads a whole row of this table, known by
    /// `alias` (quoted): `alias.*`, except that BIT and TIMESTAMP columns
    /// are read as [`TableMeta::read_expr`] reads them, so that
    /// [`TableMeta::stored`] knows what it gets.
    pub fn read_list(&self, alias: &str) -> String {
        if self.columns.iter().all(|c| !fetched_apart(c)) {
            return format!("{alias}.*");
        }
        (0..self.columns.len())
            .map(|i| {
                self.read_expr(
                    i,
                    &format!("{alias}.{}", quote_ident(&self.columns[i].name)),
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Whether the table has no unique key at all, so that identical rows
    /// can exist and only their number tells them apart.
    pub fn keyless(&self) -> bool {
        self.unique_keys.is_empty()
    }

    /// The columns the delta keys this table's rows by: the identity key,
    /// or every column of a key-less table (see [`TableDelta::counted`]).
    /// `None` for a table whose unique keys all take NULL.
    pub fn delta_key(&self) -> Option<Vec<usize>> {
        match self.identity() {
            Some(k) => Some(k.to_vec()),
            None if self.keyless() => Some((0..self.columns.len()).collect()),
            None => None,
        }
    }

    /// The position of a column by name (column names are case-insensitive).
    pub fn position(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// Whether some index of the table covers column `j`: a key, a created
    /// table's index, a source table's non-unique index.
    pub fn is_indexed(&self, j: usize) -> bool {
        self.unique_keys
            .iter()
            .chain(&self.indexes)
            .any(|k| k.columns.contains(&j))
            || self.source_indexes.contains(&j)
    }

    /// The positions of the columns `names` names (those it has), in order.
    pub fn positions_of(&self, names: &[String]) -> Vec<usize> {
        names.iter().filter_map(|n| self.position(n)).collect()
    }

    /// The AUTO_INCREMENT column.
    pub fn auto_column(&self) -> Option<usize> {
        self.columns.iter().position(|c| c.auto_increment)
    }
}

/// The values of `map` whose keys lie in `ranges` (all of them for `None`).
fn in_ranges<'m, V: Clone>(
    map: &'m OrdMap<Vec<u8>, V>,
    ranges: &Option<Vec<KeyRange>>,
) -> Vec<&'m V> {
    entries_in_ranges(map, ranges)
        .into_iter()
        .map(|(_, v)| v)
        .collect()
}

/// The entries of `map` whose keys lie in `ranges` (all of them for `None`).
fn entries_in_ranges<'m, V: Clone>(
    map: &'m OrdMap<Vec<u8>, V>,
    ranges: &Option<Vec<KeyRange>>,
) -> Vec<(&'m Vec<u8>, &'m V)> {
    match ranges {
        Some(rs) => {
            let mut out = Vec::new();
            for r in rs {
                match r {
                    // A point (`WHERE id = 7`): one lookup, where a range
                    // seeks twice.
                    (Bound::Included(a), Bound::Included(b)) if a == b => {
                        out.extend(map.get_key_value(a));
                    }
                    // One seek, from the start: a bounded range seeks its
                    // end too, a second descent through the tree.
                    (lo, hi) => out.extend(
                        map.range::<_, Vec<u8>>((lo.as_ref(), Bound::<&Vec<u8>>::Unbounded))
                            .take_while(|(k, _)| match hi {
                                Bound::Included(h) => *k <= h,
                                Bound::Excluded(h) => *k < h,
                                Bound::Unbounded => true,
                            }),
                    ),
                }
            }
            out
        }
        None => map.iter().collect(),
    }
}

/// Changed rows a filtered view spells over the source's when one of the
/// columns it spells is indexed (each is also named in the source part's
/// condition, beside the query's own tests).
const IN_PLACE_ROWS: usize = 64;

/// Rows a scan's merged view spells over the source's in one view (each is
/// tested only after the key's `IN`, a binary search, matched); past that
/// many changed rows a scan of the first rows reads a window instead.
const SCAN_ROWS: usize = 1000;

/// Whether merged views list captured rows as one table value constructor
/// (`UNION ALL VALUES (...), (...)`, MariaDB 10.3 and later) rather than a
/// SELECT per row: the source reads a VALUES list of 100,000 rows in about
/// a third of the time (0.19 s against 0.51 s). Set once, from the
/// source's version, when vdb starts ([`list_rows_as_values`]).
static VALUES_LISTS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Makes merged views list captured rows as a VALUES list (see
/// `VALUES_LISTS`): for a source that reads table value constructors in
/// a UNION.
pub fn list_rows_as_values(on: bool) {
    VALUES_LISTS.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// A changed table's rows written into a query that reads it alone (see
/// [`TableDelta::in_place_columns`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InPlace {
    /// Each changed column the query may read (its name, lowercase) and
    /// the expression that reads it over the changed rows.
    pub columns: Vec<(String, String)>,
    /// The condition that leaves out the rows gone from the query's keys.
    pub exclude: Option<String>,
}

/// Whether a view leaves out `values` key values (a list of keys times
/// their columns) as `(key IN (...)) IS FALSE` rather than `key NOT IN
/// (...)`. MariaDB turns a top-level `[NOT] IN` list of 1000 values or more
/// (`in_predicate_conversion_threshold`) into a subquery over a temporary
/// table, which for string keys costs far more than the list's binary
/// search: 10,000 UUIDs left out of a 500k-row scan took 9.4 s, and 0.25 s
/// as `IS FALSE` (which is not top-level, and is the same test: a key is
/// never NULL, and a key-less table's images are not tested this way).
fn long_in_list(values: usize) -> bool {
    values >= 1000
}

/// A range of encoded keys in a table's maps.
type KeyRange = (Bound<Vec<u8>>, Bound<Vec<u8>>);

/// An integer key value as bytes that sort as the numbers do.
fn int_key(n: i128) -> [u8; 17] {
    let mut out = [2u8; 17];
    out[1..].copy_from_slice(&((n as u128) ^ (1u128 << 127)).to_be_bytes());
    out
}

/// A source column as the merged view reads it (`name` quoted): a BIT
/// column as its number, the literals' type (see `Column::bit_width`).
fn source_column(c: &ColumnMeta, name: &str) -> String {
    if c.column.bit_width().is_some() {
        format!("CAST({name} AS UNSIGNED)")
    } else {
        name.to_string()
    }
}

/// Whether a query fetching values for the delta reads `c` otherwise than
/// as itself (see [`TableMeta::read_expr`]).
fn fetched_apart(c: &ColumnMeta) -> bool {
    c.column.bit_width().is_some() || c.column.data_type == "timestamp"
}

/// [`TableMeta::read_expr`] of column `c` written `name`.
fn fetched_column(c: &ColumnMeta, name: &str) -> String {
    instant_column(c, name).unwrap_or_else(|| source_column(c, name))
}

/// A TIMESTAMP column `c`, written `name`, read as seconds since the epoch
/// (see [`TableMeta::instants`]); `None` for any other column.
fn instant_column(c: &ColumnMeta, name: &str) -> Option<String> {
    (c.column.data_type == "timestamp").then(|| crate::clock::instant_read(name))
}

/// The integer an [`int_key`] encodes.
fn int_of_key(k: &[u8]) -> Option<i128> {
    let bytes: [u8; 16] = k.strip_prefix(&[2])?.try_into().ok()?;
    Some((u128::from_be_bytes(bytes) ^ (1u128 << 127)) as i128)
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

/// Where a table an ALTER redefined without touching its rows (see
/// `overlay::alter`) reads the rows the delta does not hold: a source
/// table, each column of the new definition taken from one of its columns
/// or given one value for every row. The merged view's source part is then
/// `SELECT <projections> FROM <source table>`, so a large table altered
/// through vdb costs no memory and keeps its indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The source table.
    pub table: TableId,
    /// Per column of the table's definition, in order.
    pub columns: Vec<Projected>,
}

/// What a source row gives one column of a projected table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Projected {
    /// The value of the source's column of this name (the same type, or
    /// one holding its values unchanged).
    Column(String),
    /// The value of the source's column `column`, converted to the new
    /// type by `read` (SQL, the column written `{c}`) as the ALTER's copy
    /// converts it: an integer into a string or a DECIMAL, a date or time
    /// with more fractional digits (see `overlay::alter::converted`).
    Converted { column: String, read: String },
    /// The same value for every source row: a column the ALTER added,
    /// filled with its default as the server fills existing rows.
    Value(Value),
}

/// What [`TableDelta::window_sql`] makes of the source's first keys.
#[derive(Debug, PartialEq, Eq)]
pub enum Window {
    /// The window's derived table.
    Sql(String),
    /// The source's keys end before the window does: ask for more.
    More,
    /// A key whose order vdb cannot tell (see [`order`]): the window does
    /// not apply.
    Unordered,
}

/// A merged view's source part stopped after its first rows: `LIMIT
/// rows`, after `ORDER BY order` when given.
struct First {
    rows: u64,
    order: Option<String>,
}

/// A delta key's image ([`order`]) and its key in the map.
type Imaged<'a> = (&'a [u8], &'a Vec<u8>);
/// An entry of `TableDelta::hidden`.
type HiddenEntry<'a> = (&'a Vec<u8>, &'a Row);
/// An entry of `TableDelta::rows`.
type RowEntry<'a> = (&'a Vec<u8>, &'a Arc<Row>);

/// Where a window's last row comes from.
enum Last<'a> {
    /// A source row, by its key values as the probe read them.
    Source(&'a Row),
    /// A delta row, by its key in `rows`.
    Delta(&'a Vec<u8>),
}

/// The changes to one table.
#[derive(Debug)]
pub struct TableDelta {
    /// The table's definition when it was first changed.
    pub meta: Arc<TableMeta>,
    /// Positions of the identity columns.
    pub key: Vec<usize>,
    /// Source rows the delta replaces or removes, by encoded key: their key values.
    pub hidden: OrdMap<Vec<u8>, Row>,
    /// The delta's rows by encoded current key.
    pub rows: OrdMap<Vec<u8>, Arc<Row>>,
    /// The next AUTO_INCREMENT value.
    pub next_auto: u64,
    /// A key-less table: rows are keyed by all their values (an image), and
    /// identical rows are copies. Each delta copy's key is its image's key
    /// followed by a process-unique number, so two transactions that add
    /// the same image keep both. An image in `hidden` hides every source
    /// copy of it; a statement that removes or changes a source copy first
    /// takes all of them over as delta copies ([`TableDelta::adopt`]).
    pub counted: bool,
    /// For a table of the delta (`meta.created`) whose rows, but for those
    /// the delta holds, are a source table's read through a projection
    /// (an ALTER that left the rows as they were). `None` for a source
    /// table read as itself, or a table whose rows are all the delta's.
    pub origin: Option<Arc<Origin>>,
    /// Per column, whether a row changed in place (a captured row whose
    /// key is hidden) may hold another value there than the source row it
    /// stands for. A merged view spells only those columns over the
    /// source's; the others read the source's column as it is, by its
    /// index. All set where vdb cannot tell (a row inserted again over a
    /// deleted one, a state loaded from an older file).
    pub differs: Vec<bool>,
    /// Approximate bytes the rows and hidden keys take, kept as they change.
    bytes: usize,
    /// The merged view's SQL, built on first read of this version.
    derived: OnceLock<Result<Arc<String>, BadValue>>,
    /// Its form for a query that reads the table whole, when that differs
    /// (see [`TableDelta::projected_sql`]), built on first read too.
    scanned: OnceLock<Result<Option<Arc<String>>, BadValue>>,
    /// The delta's keys in the source index's order, for a key whose map
    /// order is not that (see [`TableDelta::in_index_order`]), built on
    /// the first window of this version.
    ordered: OnceLock<Option<Arc<InIndexOrder>>>,
    /// The delta's rows sorted by a column's values (see
    /// [`TableDelta::by_column`]), by column, built on first use in this
    /// version.
    by_column: Mutex<HashMap<usize, Option<Arc<ByColumn>>>>,
}

/// A table's delta rows sorted by one column's images ([`order`], NULL
/// first): each entry an image and the row's key in the map.
type ByColumn = Vec<(Vec<u8>, Vec<u8>)>;

/// A table's delta keys sorted by their images ([`order`]): each entry an
/// image and the key in the map.
#[derive(Debug)]
struct InIndexOrder {
    /// The keys of `rows`.
    rows: Vec<(Vec<u8>, Vec<u8>)>,
    /// The keys of `hidden`.
    hidden: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Clone for TableDelta {
    fn clone(&self) -> Self {
        TableDelta {
            meta: self.meta.clone(),
            key: self.key.clone(),
            hidden: self.hidden.clone(),
            rows: self.rows.clone(),
            next_auto: self.next_auto,
            counted: self.counted,
            origin: self.origin.clone(),
            differs: self.differs.clone(),
            bytes: self.bytes,
            derived: OnceLock::new(),
            scanned: OnceLock::new(),
            ordered: OnceLock::new(),
            by_column: Mutex::new(HashMap::new()),
        }
    }
}

impl TableDelta {
    /// An empty delta for a table with an identity key.
    pub fn new(meta: Arc<TableMeta>, key: Vec<usize>) -> TableDelta {
        let next_auto = meta.auto_increment.unwrap_or(1).max(1);
        let counted = meta.keyless();
        let differs = vec![false; meta.columns.len()];
        TableDelta {
            counted,
            meta,
            key,
            hidden: OrdMap::new(),
            rows: OrdMap::new(),
            next_auto,
            differs,
            origin: None,
            bytes: 0,
            derived: OnceLock::new(),
            scanned: OnceLock::new(),
            ordered: OnceLock::new(),
            by_column: Mutex::new(HashMap::new()),
        }
    }

    /// Whether the merged view has a source part: a source table's own
    /// rows, or a projected table's origin. Only then does the delta hide
    /// source keys.
    pub fn has_source(&self) -> bool {
        !self.meta.created || self.origin.is_some()
    }

    /// The table the source part reads.
    pub fn source_table(&self) -> &TableId {
        match &self.origin {
            Some(o) => &o.table,
            None => &self.meta.id,
        }
    }

    /// The name of the source column that column `j` reads (`None` for a
    /// value every source row shares).
    pub fn source_column_name(&self, j: usize) -> Option<&str> {
        match self.origin.as_deref().map(|o| &o.columns[j]) {
            None => Some(&self.meta.columns[j].name),
            Some(Projected::Column(n)) | Some(Projected::Converted { column: n, .. }) => Some(n),
            Some(Projected::Value(_)) => None,
        }
    }

    /// Column `j` in the source part's terms: the source column it reads,
    /// quoted, or its conversion (`None` for a value every source row
    /// shares).
    fn source_name(&self, j: usize) -> Option<String> {
        self.source_ref(j, None)
    }

    /// [`TableDelta::source_name`] of the source table known by `alias`.
    fn source_ref(&self, j: usize, alias: Option<&str>) -> Option<String> {
        let name = quote_ident(self.source_column_name(j)?);
        let name = match alias {
            Some(a) => format!("{a}.{name}"),
            None => name,
        };
        Some(match self.origin.as_deref().map(|o| &o.columns[j]) {
            Some(Projected::Converted { read, .. }) => read.replace("{c}", &name),
            _ => name,
        })
    }

    /// The select list that reads, from the source table known by `alias`
    /// (quoted), the columns of this table's rows it has, as
    /// [`TableMeta::read_list`] reads them (see [`TableMeta::stored`]).
    /// [`TableDelta::source_row`] completes what it reads.
    pub fn source_read_list(&self, alias: &str) -> String {
        if self.origin.is_none() {
            return self.meta.read_list(alias);
        }
        (0..self.meta.columns.len())
            .filter_map(|j| {
                let name = self.source_ref(j, Some(alias))?;
                Some(fetched_column(&self.meta.columns[j], &name))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A row [`TableDelta::source_read_list`] read, as this table's row:
    /// the values a projection gives every source row put in.
    pub fn source_row(&self, read: Row) -> Row {
        let Some(o) = &self.origin else {
            return read;
        };
        let mut read = read.into_iter();
        o.columns
            .iter()
            .map(|p| match p {
                Projected::Column(_) | Projected::Converted { .. } => read.next().flatten(),
                Projected::Value(v) => v.clone(),
            })
            .collect()
    }

    /// Column `j` as the source part's select list gives it.
    fn source_expr(&self, j: usize) -> Result<String, BadValue> {
        let c = &self.meta.columns[j];
        match self.origin.as_deref().map(|o| &o.columns[j]) {
            Some(Projected::Value(v)) => c.column.literal(v.as_deref()),
            _ => Ok(source_column(
                c,
                &self.source_name(j).expect("a column read from the source"),
            )),
        }
    }

    /// Replaces the rows and hidden keys wholesale (a state loaded from a
    /// file).
    pub fn set_contents(&mut self, hidden: OrdMap<Vec<u8>, Row>, rows: OrdMap<Vec<u8>, Arc<Row>>) {
        self.forget_views();
        self.bytes = hidden.iter().map(|(k, r)| entry_bytes(k, r)).sum::<usize>()
            + rows.iter().map(|(k, r)| entry_bytes(k, r)).sum::<usize>();
        self.hidden = hidden;
        self.rows = rows;
        self.differs = vec![true; self.meta.columns.len()];
    }

    /// Drops the merged views built for the rows as they were.
    fn forget_views(&mut self) {
        self.derived = OnceLock::new();
        self.scanned = OnceLock::new();
        self.ordered = OnceLock::new();
        self.by_column = Mutex::new(HashMap::new());
    }

    fn put_row(&mut self, key: Vec<u8>, row: Arc<Row>) {
        self.bytes += entry_bytes(&key, &row);
        if let Some(old) = self.rows.insert(key.clone(), row) {
            self.bytes -= entry_bytes(&key, &old);
        }
    }

    fn take_row(&mut self, key: &Vec<u8>) {
        if let Some(old) = self.rows.remove(key) {
            self.bytes -= entry_bytes(key, &old);
        }
    }

    /// Hides the source row with encoded key `k` (its key values `key`).
    fn put_hidden(&mut self, k: Vec<u8>, key: Row) {
        self.bytes += entry_bytes(&k, &key);
        if let Some(old) = self.hidden.insert(k.clone(), key) {
            self.bytes -= entry_bytes(&k, &old);
        }
    }

    fn take_hidden(&mut self, k: &Vec<u8>) {
        if let Some(old) = self.hidden.remove(k) {
            self.bytes -= entry_bytes(k, &old);
        }
    }

    /// The encoded identity key of a full row.
    pub fn key_of(&self, row: &Row) -> Vec<u8> {
        self.encode(self.key.iter().map(|&i| &row[i]))
    }

    /// The encoded key of key values given in key order (as a query for
    /// the key columns returns them).
    pub fn encode_key(&self, values: &[Value]) -> Vec<u8> {
        self.encode(values.iter())
    }

    /// Encodes key values (in key order) for this table's maps: integers
    /// as 17 bytes that sort numerically, so that a range of key values is
    /// a range of the map; anything else length-prefixed.
    fn encode<'v>(&self, values: impl Iterator<Item = &'v Value>) -> Vec<u8> {
        let mut out = Vec::new();
        for (v, &i) in values.zip(&self.key) {
            let int = v
                .as_deref()
                .filter(|_| is_integer(&self.meta.columns[i].column))
                .and_then(|b| std::str::from_utf8(b).ok()?.parse::<i128>().ok());
            match (v, int) {
                (_, Some(n)) => out.extend_from_slice(&int_key(n)),
                (None, _) => out.push(0),
                (Some(b), None) => {
                    out.push(1);
                    out.extend_from_slice(&(b.len() as u32).to_le_bytes());
                    out.extend_from_slice(b);
                }
            }
        }
        out
    }

    /// The parts of the map that can hold keys passing the tests on the
    /// first key column, when it is an integer and the tests bound it.
    fn key_ranges(&self, tests: &[(usize, &Pred)]) -> Option<Vec<KeyRange>> {
        let first = self.key[0];
        if !is_integer(&self.meta.columns[first].column) {
            return None;
        }
        let (mut lo, mut hi) = (i128::MIN, i128::MAX);
        let mut points: Option<BTreeSet<i128>> = None;
        let mut meet = |set: BTreeSet<i128>| {
            points = Some(match points.take() {
                None => set,
                Some(p) => p.intersection(&set).copied().collect(),
            })
        };
        for (_, p) in tests.iter().filter(|(i, _)| *i == first) {
            match &p.test {
                Test::Cmp(op, Lit::Num(d)) => match (op, d.as_i128()) {
                    // An integer never equals a fraction.
                    (Cmp::Eq, n) => meet(n.into_iter().collect()),
                    (Cmp::Ge, Some(n)) => lo = lo.max(n),
                    (Cmp::Gt, Some(n)) => lo = lo.max(n.saturating_add(1)),
                    (Cmp::Le, Some(n)) => hi = hi.min(n),
                    (Cmp::Lt, Some(n)) => hi = hi.min(n.saturating_sub(1)),
                    _ => {}
                },
                Test::In(list) if list.iter().all(|l| matches!(l, Lit::Num(_))) => meet(
                    list.iter()
                        .filter_map(|l| match l {
                            Lit::Num(d) => d.as_i128(),
                            Lit::Str(_) => None,
                        })
                        .collect(),
                ),
                _ => {}
            }
        }
        let upto = |n: i128| match n.checked_add(1) {
            Some(m) => Bound::Excluded(int_key(m).to_vec()),
            None => Bound::Unbounded,
        };
        if let Some(points) = points {
            // With a one-column key, a point is one map key: one lookup.
            let single = self.key.len() == 1;
            return Some(
                points
                    .range(lo..=hi.max(lo))
                    .filter(|&&n| n <= hi)
                    .map(|&n| {
                        let k = int_key(n).to_vec();
                        if single {
                            (Bound::Included(k.clone()), Bound::Included(k))
                        } else {
                            (Bound::Included(k), upto(n))
                        }
                    })
                    .collect(),
            );
        }
        if lo > hi {
            return Some(Vec::new());
        }
        if (lo, hi) == (i128::MIN, i128::MAX) {
            return None;
        }
        Some(vec![(Bound::Included(int_key(lo).to_vec()), upto(hi))])
    }

    /// Whether `preds` bound the first key column, so that the source
    /// branch of a restricted view reads a key range rather than the table.
    pub fn key_bounded(&self, preds: &[Pred]) -> bool {
        self.key_ranges(&self.resolve(preds)).is_some()
    }

    /// The tests on this table's columns, by column position (tests on
    /// names it does not have are not about it).
    fn resolve<'p>(&self, preds: &'p [Pred]) -> Vec<(usize, &'p Pred)> {
        preds
            .iter()
            .filter_map(|p| Some((self.meta.position(&p.column)?, p)))
            .collect()
    }

    /// The merged view restricted to the rows that may pass `preds` (what
    /// a query says of the rows it uses of this table, see
    /// [`crate::sql::restrict`]): only the captured rows and hidden source
    /// keys that may pass are embedded, and the tests are repeated in the
    /// source branch. `None` when no captured row or hidden key may pass:
    /// the source's table then gives exactly the rows the query can use.
    pub fn restricted_sql(&self, preds: &[Pred]) -> Result<Option<Arc<String>>, BadValue> {
        self.projected_sql(preds, None, false, None)
    }

    /// [`TableDelta::restricted_sql`] with only the columns `used` marks
    /// (by position; `None`: all of them), for a query that reads no
    /// others: the source materializes narrower rows. `scan`: the query
    /// reads the table whole ([`crate::sql::restrict::Restriction::scan`]),
    /// and changed rows are best read in their places; `first`: of those,
    /// only the first so many rows.
    pub fn projected_sql(
        &self,
        preds: &[Pred],
        used: Option<&[bool]>,
        scan: bool,
        first: Option<u64>,
    ) -> Result<Option<Arc<String>>, BadValue> {
        // A table that only carries a moved AUTO_INCREMENT counter reads
        // as itself (a created table has no self to read).
        if self.rows.is_empty() && self.hidden.is_empty() && !self.meta.created {
            return Ok(None);
        }
        let cols = &self.meta.columns;
        let tests = self.resolve(preds);
        if tests.is_empty() && scan {
            let view = match (used, first) {
                (None, None) => self
                    .scanned
                    .get_or_init(|| self.scan_view(None, None).map(|v| v.map(Arc::new)))
                    .clone()?,
                _ => self.scan_view(used, first)?.map(Arc::new),
            };
            if view.is_some() {
                return Ok(view);
            }
            // Too many rows changed in place to spell out, or inserted rows
            // vdb cannot place: a UNION would list them after the source's
            // first rows. The source sorts them into place by the key.
            if let Some(n) = first.filter(|_| self.misplaces_rows()) {
                return self.sorted_sql(used, Some(n)).map(|s| Some(Arc::new(s)));
            }
        }
        if tests.is_empty() && used.is_none() {
            return self.derived_sql().map(Some);
        }
        let ranges = self.key_ranges(&tests);
        let passes = |row: &Row| {
            tests
                .iter()
                .all(|(i, p)| p.admits(row[*i].as_deref(), &cols[*i].column))
        };
        if let Some(in_place) = self.in_place(&ranges, &passes, used)? {
            return Ok(in_place.map(Arc::new));
        }
        if let Some(view) = self.filtered_view(&tests, &ranges, &passes, used)? {
            return Ok(Some(Arc::new(view)));
        }
        let rows: Vec<&Row> = self
            .in_view_order(entries_in_ranges(&self.rows, &ranges))
            .into_iter()
            .filter(|r| passes(r))
            .collect();
        if !self.has_source() {
            // All its rows are the delta's: only those that may pass, and
            // no source part (none may pass: the typed empty table).
            return self
                .build(&[], std::iter::empty(), rows.into_iter(), used)
                .map(|s| Some(Arc::new(s)));
        }
        // Hidden source rows are known by their key only: test the key
        // columns (a source row's other columns may have moved since).
        let key_tests: Vec<(usize, &Pred)> = tests
            .iter()
            .filter_map(|(i, p)| Some((self.key.iter().position(|k| k == i)?, *p)))
            .collect();
        let hidden_passes = |k: &Row| {
            key_tests
                .iter()
                .all(|(j, p)| p.admits(k[*j].as_deref(), &cols[self.key[*j]].column))
        };
        let hidden: Vec<&Row> = in_ranges(&self.hidden, &ranges)
            .into_iter()
            .filter(|k| hidden_passes(k))
            .collect();
        // A projected table never reads as itself: its name is not the
        // source's, or not with this definition.
        if rows.is_empty() && hidden.is_empty() && self.origin.is_none() {
            return Ok(None);
        }
        // Tests of a column every source row gives the same value are the
        // outer query's alone (the source part needs none to be exact).
        let conditions: Vec<String> = tests
            .iter()
            .filter_map(|(i, p)| Some(p.to_sql(&self.source_name(*i)?)))
            .collect();
        self.build(&conditions, hidden.into_iter(), rows.into_iter(), used)
            .map(|s| Some(Arc::new(s)))
    }

    /// The merged view of a few keys (`WHERE id = 7`, `id IN (...)`, `id
    /// BETWEEN 100 AND 199`) written as the source's table itself: captured
    /// changes of its rows are spelled over them (`CASE id WHEN 7 THEN ...
    /// ELSE c END`) and its deleted rows left out (`id NOT IN (...)`). With
    /// no UNION, the source merges such a derived table into the query: it
    /// reads the table by its index and builds no temporary table, as for
    /// the query on the table itself (a UNION of the same rows costs it
    /// about half as much again).
    ///
    /// Two facts make it exact. A captured row whose key is also hidden
    /// changed a source row in place: the delta hides only keys the source
    /// has (`vdb.changes` reads it the same way). And rows outside the
    /// bound keep their source values, changed or deleted in the delta or
    /// not: the restriction says the query can never use them.
    ///
    /// `None` when that form does not apply: the key is not one integer
    /// column, the query does not bound it narrowly (a column spelled over
    /// is no longer indexed, so a wide key range may read many more rows
    /// than the query's own index would), a row the query may use was
    /// inserted rather than changed in place, or too many rows changed.
    /// `Some(None)`: nothing the query may use changed.
    fn in_place(
        &self,
        ranges: &Option<Vec<KeyRange>>,
        passes: &dyn Fn(&Row) -> bool,
        used: Option<&[bool]>,
    ) -> Result<Option<Option<String>>, BadValue> {
        let Some((over, gone)) = self.in_place_rows(ranges, passes) else {
            return Ok(None);
        };
        // (A projected table's rows are always read through its origin.)
        if over.is_empty() && gone.is_empty() && self.origin.is_none() {
            return Ok(Some(None));
        }
        self.spelled_over(&over, &gone, &[], used, false, None, None)
            .map(|v| Some(Some(v)))
    }

    /// The rows [`TableDelta::in_place`] writes over the source's and
    /// leaves out: (changed in place, gone). `None` when that form does
    /// not apply.
    fn in_place_rows(
        &self,
        ranges: &Option<Vec<KeyRange>>,
        passes: &dyn Fn(&Row) -> bool,
    ) -> Option<(Vec<&Row>, Vec<&Row>)> {
        /// Keys a query may bound itself to for the in-place form.
        const KEYS: i128 = 1000;
        /// Rows spelled over the source's in one view.
        const ROWS: usize = 64;
        let bounds = ranges.as_ref()?;
        if self.counted || !self.has_source() || self.key.len() != 1 {
            return None;
        }
        let int = |b: &Bound<Vec<u8>>| match b {
            Bound::Included(k) | Bound::Excluded(k) => int_of_key(k),
            Bound::Unbounded => None,
        };
        let mut keys: i128 = 0;
        for (lo, hi) in bounds {
            let (a, b) = (int(lo)?, int(hi)?);
            keys = keys.saturating_add(match hi {
                Bound::Included(_) => b.saturating_sub(a).saturating_add(1),
                _ => b.saturating_sub(a),
            });
        }
        if keys > KEYS {
            return None;
        }
        // Both maps' entries in the ranges come in key order: walked side
        // by side, with no lookup per key (each costs a descent through a
        // large tree).
        let hidden = entries_in_ranges(&self.hidden, ranges);
        let rows = entries_in_ranges(&self.rows, ranges);
        let mut rows = rows.into_iter().peekable();
        let mut over: Vec<&Row> = Vec::new();
        let mut gone: Vec<&Row> = Vec::new();
        for (k, key) in hidden {
            // A captured row whose key is not hidden was inserted.
            while let Some((_, row)) = rows.next_if(|(r, _)| *r < k) {
                if passes(row) {
                    return None;
                }
            }
            match rows.next_if(|(r, _)| *r == k) {
                Some((_, row)) if passes(row) => over.push(row),
                // Changed so that the query cannot use it, or deleted.
                _ => gone.push(key),
            }
        }
        if rows.any(|(_, row)| passes(row)) || over.len() > ROWS {
            return None;
        }
        Some((over, gone))
    }

    /// The in-place form's pieces, for a query that reads this table alone
    /// and names its columns (see [`crate::sql::in_place`]): each changed
    /// column the query may read (`used`, by position; `None`: all) with
    /// the expression that spells the changed rows over it, and the
    /// condition that leaves out the rows gone. `None` when the form does
    /// not apply ([`TableDelta::in_place`]), the table is read through a
    /// projection or a conversion, or nothing the query may use changed
    /// (the source's table then answers as it is).
    pub fn in_place_columns(
        &self,
        preds: &[Pred],
        used: Option<&[bool]>,
    ) -> Result<Option<InPlace>, BadValue> {
        if self.origin.is_some() {
            return Ok(None);
        }
        let cols = &self.meta.columns;
        let tests = self.resolve(preds);
        let ranges = self.key_ranges(&tests);
        let passes = |row: &Row| {
            tests
                .iter()
                .all(|(i, p)| p.admits(row[*i].as_deref(), &cols[*i].column))
        };
        let Some((over, gone)) = self.in_place_rows(&ranges, &passes) else {
            return Ok(None);
        };
        if over.is_empty() && gone.is_empty() {
            return Ok(None);
        }
        let mut columns = Vec::new();
        if !over.is_empty() {
            for (j, c) in cols.iter().enumerate() {
                if self.key.contains(&j) || !self.touched(j) {
                    continue;
                }
                // The server matches column names accent-insensitively: a
                // mention of this one may be spelled otherwise.
                if !c.name.is_ascii() {
                    return Ok(None);
                }
                if !used.is_none_or(|u| u.get(j).copied().unwrap_or(true)) {
                    continue;
                }
                let own = self.source_expr(j)?;
                if own != quote_ident(&c.name) {
                    return Ok(None);
                }
                columns.push((
                    c.name.to_lowercase(),
                    self.spelled_column(j, &over, None, &own)?,
                ));
            }
        }
        let exclude = if gone.is_empty() {
            None
        } else {
            Some(self.excluding(&gone)?)
        };
        Ok(Some(InPlace { columns, exclude }))
    }

    /// The merged view for a query that filters the table by other columns
    /// than its key (`WHERE user_id = 5`), or reads it in another way than
    /// whole: as [`TableDelta::scan_view`] writes it, the rows changed in
    /// place spelled over the source's, so that they keep their places,
    /// the deleted ones (and those changed so that the query cannot use
    /// them) left out, the inserted ones that may pass after. The UNION
    /// form lists the changed rows after the source's: the row just edited
    /// moved to the end of the list the server would have shown it in.
    ///
    /// Only the columns the changes touched are spelled ([`TableDelta::
    /// differs`]). The form applies when none of those is indexed, so that
    /// the source reads the table by the index it would use for the query
    /// on the table itself. The query's tests of other columns also filter
    /// the source part (they hold for its rows as for the merged view's),
    /// which the source needs when inserted rows make it a UNION. `None`
    /// when it does not apply: a key-less or projected table, an indexed
    /// column changed, no row changed in place that the query may use, or
    /// too many.
    fn filtered_view(
        &self,
        tests: &[(usize, &Pred)],
        ranges: &Option<Vec<KeyRange>>,
        passes: &dyn Fn(&Row) -> bool,
        used: Option<&[bool]>,
    ) -> Result<Option<String>, BadValue> {
        if self.counted || !self.has_source() || self.origin.is_some() || self.key.is_empty() {
            return Ok(None);
        }
        let spelled = |j: usize| {
            !self.key.contains(&j)
                && self.differs.get(j).copied().unwrap_or(true)
                && used.is_none_or(|u| u.get(j).copied().unwrap_or(true))
        };
        let cols = &self.meta.columns;
        // An indexed column spelled over is no longer indexed: the source
        // part then also reads the rows the query's own tests pick by the
        // source's columns, by their index, or the changed rows by key.
        let unindexed = !(0..cols.len()).any(|j| spelled(j) && self.meta.is_indexed(j));
        let raw_tests: Option<Vec<String>> = tests
            .iter()
            .map(|(i, p)| Some(p.to_sql(&self.source_name(*i)?)))
            .collect();
        let raw_tests = raw_tests.filter(|t| !t.is_empty());
        // Only for point tests (`a = 5`, `a IS NULL`): the source then reads
        // both parts by a union of index lookups that gives the rows in
        // key order, as its own lookup of `a = 5` does. For a range of an
        // index it would sort the keys of both parts first, slower than
        // the UNION form (17 ms against 11 over 2000 rows of 1M).
        let points = tests
            .iter()
            .all(|(_, p)| matches!(p.test, Test::Cmp(Cmp::Eq, _) | Test::IsNull));
        if !unindexed && (raw_tests.is_none() || !points) {
            return Ok(None);
        }
        let mut over: Vec<&Row> = Vec::new();
        let mut gone: Vec<&Row> = Vec::new();
        for (k, key) in entries_in_ranges(&self.hidden, ranges) {
            match self.rows.get(k) {
                Some(row) if passes(row) => {
                    if over.len() == SCAN_ROWS {
                        return Ok(None);
                    }
                    over.push(row);
                }
                // Changed so that the query cannot use it, or deleted.
                _ => gone.push(key),
            }
        }
        if over.is_empty() || (!unindexed && over.len() > IN_PLACE_ROWS) {
            return Ok(None);
        }
        let inserted: Vec<&Row> = self
            .in_view_order(
                entries_in_ranges(&self.rows, ranges)
                    .into_iter()
                    .filter(|(k, _)| !self.hidden.contains_key(*k))
                    .collect(),
            )
            .into_iter()
            .filter(|r| passes(r))
            .collect();
        let condition = if unindexed {
            let conditions: Vec<String> = tests
                .iter()
                .filter(|(i, _)| !self.differs.get(*i).copied().unwrap_or(true))
                .filter_map(|(i, p)| Some(p.to_sql(&self.source_name(*i)?)))
                .collect();
            (!conditions.is_empty()).then(|| conditions.join(" AND "))
        } else {
            // A row passes on the merged view's values: unchanged, on its
            // own (the source's); changed, it is one of `over`.
            let mut keys = Vec::with_capacity(over.len());
            for row in &over {
                keys.push(self.key_tuple(self.key.iter().map(|&k| row[k].as_deref()))?);
            }
            Some(format!(
                "(({}) OR ({}) IN ({}))",
                raw_tests.unwrap_or_default().join(" AND "),
                self.source_key_names().join(", "),
                keys.join(", ")
            ))
        };
        self.spelled_over(
            &over,
            &gone,
            &inserted,
            used,
            over.len() > 8,
            None,
            condition.as_deref(),
        )
        .map(Some)
    }

    /// The merged view for a query that reads the table whole (see
    /// [`crate::sql::restrict::Restriction::scan`]): rows changed in place
    /// spelled over the source's, so that they keep their places in the
    /// source's scan order (in the UNION form they come after all the
    /// others: a GUI's first page of a table lost the row just edited), and
    /// inserted rows after the source's. With no row inserted there is no
    /// UNION: the source merges the derived table into the query and
    /// streams it, where it would materialize the union whole first, even
    /// for `LIMIT 200`. When the query uses only its `first` rows, the
    /// source part stops there and only so many inserted rows follow: the
    /// union the source materializes is that short. A key of several
    /// columns is compared as a row. `None` when the UNION form serves as
    /// well or this form does not apply (a key-less table, or too many
    /// changed rows to spell out).
    fn scan_view(
        &self,
        used: Option<&[bool]>,
        first: Option<u64>,
    ) -> Result<Option<String>, BadValue> {
        if self.counted || !self.has_source() {
            return Ok(None);
        }
        let mut over: Vec<&Row> = Vec::new();
        let mut gone: Vec<&Row> = Vec::new();
        for (k, key) in self.hidden.iter() {
            match self.rows.get(k) {
                Some(_) if over.len() == SCAN_ROWS => return Ok(None),
                Some(row) => over.push(row),
                None => gone.push(key),
            }
        }
        // For integer keys in key order, the view's order: past the
        // query's first rows none can be used. Other keys are in no order
        // the source's: the source sorts them into place (see below).
        let map_sorts = self.map_sorts();
        let wanted = first
            .filter(|_| map_sorts)
            .map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
        let inserted: Vec<&Row> = self
            .rows
            .iter()
            .filter(|(k, _)| !self.hidden.contains_key(*k))
            .map(|(_, r)| &**r)
            .take(wanted)
            .collect();
        let limit = first.filter(|_| !inserted.is_empty());
        if over.is_empty() && limit.is_none() {
            return Ok(None);
        }
        // The source's first rows by its key, and the first of those with
        // the inserted rows among them, as InnoDB scans the table:
        // `((SELECT ... ORDER BY key LIMIT n) UNION ALL ... ORDER BY key
        // LIMIT n)`.
        let first = limit.map(|rows| First {
            rows,
            order: (!map_sorts).then(|| self.key_order(false)),
        });
        let mut sql = self.spelled_over(&over, &gone, &inserted, used, true, first, None)?;
        if let (Some(n), false) = (limit, map_sorts) {
            sql.pop();
            sql.push_str(&format!(" ORDER BY {} LIMIT {n})", self.key_order(false)));
        }
        sql.shrink_to_fit();
        Ok(Some(sql))
    }

    /// Whether a scan that uses only its first rows (in key order, or in
    /// the order of `sorted`: a column and `DESC`) is best served by a
    /// window ([`TableDelta::window_sql`]); `Some(descending)` when it is.
    ///
    /// It applies to a table whose identity is its own key, read from the
    /// source's, whose order vdb can tell ([`order::ColumnOrder`]: integers,
    /// strings under common collations, dates), the order InnoDB stores and
    /// scans it in (`sorted` must then be that key's first column). It is
    /// chosen where the other forms embed many rows or misplace some: a
    /// large delta, or a table with inserted rows (a UNION puts them after
    /// the source's rows, and the source cannot sort it by an index).
    pub fn window_order(&self, sorted: Option<(&str, bool)>) -> Option<bool> {
        if self.counted || !self.has_source() || self.key.is_empty() {
            return None;
        }
        let cols = &self.meta.columns;
        // A string key read through a conversion would not be read by
        // its index.
        let as_stored = |k: usize| {
            is_integer(&cols[k].column)
                || !matches!(
                    self.origin.as_deref().map(|o| &o.columns[k]),
                    Some(Projected::Converted { .. })
                )
        };
        let readable = |k: usize| {
            order::ColumnOrder::of(&cols[k].column).is_some()
                && self.source_name(k).is_some()
                && as_stored(k)
        };
        if !self.key.iter().all(|&k| readable(k)) {
            return None;
        }
        let descending = match sorted {
            None => false,
            // Sorted by the key's first column, the first rows in key
            // order are the first in that order too (ties among them in
            // the order the source's index gives).
            Some((column, descending)) => {
                if !cols[self.key[0]].name.eq_ignore_ascii_case(column) {
                    return None;
                }
                descending
            }
        };
        let large = self.rows.len() + self.hidden.len() > SCAN_ROWS;
        (large || self.has_inserted()).then_some(descending)
    }

    /// Whether the delta holds rows that are not source rows changed in
    /// place: a UNION lists them after the source's.
    pub fn has_inserted(&self) -> bool {
        self.rows.keys().any(|k| !self.hidden.contains_key(k))
    }

    /// Whether a whole scan's merged view may list rows out of key order,
    /// where only the source can sort them into place: inserted rows of a
    /// keyed table whose key order vdb cannot tell (see
    /// [`TableDelta::window_order`]), or the rows of a created table whose
    /// map is not in key order (a string key).
    pub fn sorts_by_source(&self) -> bool {
        let inserted = if self.has_source() {
            self.has_inserted()
        } else {
            !self.lists_in_key_order()
        };
        !self.counted && !self.key.is_empty() && inserted
    }

    /// Whether the delta's rows are listed in key order ([`TableDelta::in_view_order`]):
    /// integer keys, or keys whose every value's order vdb knows.
    fn lists_in_key_order(&self) -> bool {
        self.map_sorts()
            || self
                .key_orders()
                .is_some_and(|o| self.in_index_order(&o).is_some())
    }

    /// Whether the merged view's rows, with none spelled over the source's
    /// (the UNION form), may come out of key order: inserted rows, more
    /// changed rows than the scan form spells over, or a created table's
    /// rows in a map not in key order.
    fn misplaces_rows(&self) -> bool {
        let unspelled = !self.counted
            && !self.key.is_empty()
            && self.has_source()
            && self.rows.len() > SCAN_ROWS;
        unspelled || self.sorts_by_source()
    }

    /// Whether the map's own order is the source index's order of the keys
    /// (integer keys: see [`TableDelta::encode`]), so that images are the
    /// map's keys and a range of keys a range of the map.
    fn map_sorts(&self) -> bool {
        self.key
            .iter()
            .all(|&k| is_integer(&self.meta.columns[k].column))
    }

    /// How each key column sorts, when vdb knows for all of them.
    fn key_orders(&self) -> Option<Vec<order::ColumnOrder>> {
        self.key
            .iter()
            .map(|&k| order::ColumnOrder::of(&self.meta.columns[k].column))
            .collect()
    }

    /// The image of key values given in key order ([`order`]): bytes that
    /// sort as the source's index sorts the keys. `None` for a value whose
    /// order vdb cannot tell, or a NULL.
    fn key_image<'v>(
        &self,
        orders: &[order::ColumnOrder],
        values: impl Iterator<Item = &'v Value>,
    ) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        for (o, v) in orders.iter().zip(values) {
            o.image(v.as_deref()?, &mut out)?;
        }
        Some(out)
    }

    /// The delta's keys sorted as the source's index sorts them, for a
    /// table whose map is not in that order; `None` when a key's order is
    /// not known. Kept for this version of the table: a window over a
    /// large delta would otherwise sort it for every query.
    fn in_index_order(&self, orders: &[order::ColumnOrder]) -> Option<Arc<InIndexOrder>> {
        self.ordered
            .get_or_init(|| {
                let mut rows = Vec::with_capacity(self.rows.len());
                for (k, row) in self.rows.iter() {
                    rows.push((self.row_image(orders, row)?, k.clone()));
                }
                let mut hidden = Vec::with_capacity(self.hidden.len());
                for (k, key) in self.hidden.iter() {
                    hidden.push((self.key_image(orders, key.iter())?, k.clone()));
                }
                rows.sort_unstable();
                hidden.sort_unstable();
                Some(Arc::new(InIndexOrder { rows, hidden }))
            })
            .clone()
    }

    /// The image of a delta row's key.
    fn row_image(&self, orders: &[order::ColumnOrder], row: &Row) -> Option<Vec<u8>> {
        self.key_image(orders, self.key.iter().map(|&k| &row[k]))
    }

    /// The source query that reads the keys of the table's rows for a
    /// window, in key order (`descending`), `limit` of them after `offset`:
    /// a read of the primary key's first entries alone.
    pub fn window_probe(&self, descending: bool, limit: u64, offset: u64) -> String {
        let alias = "`vdb_window`";
        let keys: Vec<String> = self
            .key
            .iter()
            .map(|&k| {
                self.source_ref(k, Some(alias))
                    .unwrap_or_else(|| quote_ident(&self.meta.columns[k].name))
            })
            .collect();
        let dir = if descending { " DESC" } else { "" };
        let order: Vec<String> = keys.iter().map(|k| format!("{k}{dir}")).collect();
        format!(
            "SELECT {} FROM {} AS {alias} ORDER BY {} LIMIT {limit} OFFSET {offset}",
            keys.join(", "),
            self.source_table().quoted(),
            order.join(", ")
        )
    }

    /// The merged view's first `n` rows in key order (`descending`), as a
    /// derived table of those rows alone: the source's rows up to the key
    /// of the `n`th row, read by a range of its primary key, with the
    /// delta's changes in that range spelled over them (deleted rows left
    /// out, inserted rows added). `source` holds the keys of the source's
    /// first rows in that order ([`TableDelta::window_probe`]; `exhausted`
    /// when it has no more): merged with the delta's keys they say where
    /// the `n`th row is.
    ///
    /// `sorted`: the query sorts the rows by the key itself. Otherwise it
    /// takes them as they come, and inserted rows are sorted into place
    /// (a window of the source's rows alone comes as the source reads a
    /// range of its primary key: in key order).
    ///
    /// Exact for any query that uses only those rows: a scan of the table
    /// whole, in key order, that stops after `n` rows.
    pub fn window_sql(
        &self,
        source: &[Row],
        exhausted: bool,
        n: usize,
        descending: bool,
        sorted: bool,
        used: Option<&[bool]>,
    ) -> Result<Window, BadValue> {
        if n == 0 {
            // `LIMIT 0`: the table's columns, no row.
            let none: [&Row; 0] = [];
            let sql = self.build(&["0".to_string()], none.into_iter(), none.into_iter(), used)?;
            return Ok(Window::Sql(sql));
        }
        let Some(orders) = self.key_orders() else {
            return Ok(Window::Unordered);
        };
        let sorted_keys = if self.map_sorts() {
            None
        } else {
            match self.in_index_order(&orders) {
                Some(s) => Some(s),
                None => return Ok(Window::Unordered),
            }
        };
        let before = |a: &[u8], b: &[u8]| if descending { a > b } else { a < b };
        // The delta's keys in the window's order, each with its image.
        let mut delta: Box<dyn Iterator<Item = Imaged<'_>>> = match &sorted_keys {
            None => {
                let keys = self.rows.keys().map(|k| (&k[..], k));
                if descending {
                    Box::new(keys.rev())
                } else {
                    Box::new(keys)
                }
            }
            Some(s) => {
                let keys = s.rows.iter().map(|(i, k)| (&i[..], k));
                if descending {
                    Box::new(keys.rev())
                } else {
                    Box::new(keys)
                }
            }
        };
        let mut next_delta = delta.next();
        // The window's last row (its image, and its key values from the
        // source's read or the delta's row), and how many rows come up to
        // it.
        let mut last: Option<(Cow<'_, [u8]>, Last<'_>)> = None;
        let mut count = 0;
        for read in source {
            if count == n {
                break;
            }
            let Some(image) = self.key_image(&orders, read.iter()) else {
                return Ok(Window::Unordered);
            };
            while next_delta
                .as_ref()
                .is_some_and(|(k, _)| count < n && before(k, &image))
            {
                let (k, at) = next_delta.take().expect("tested above");
                last = Some((Cow::Borrowed(k), Last::Delta(at)));
                count += 1;
                next_delta = delta.next();
            }
            // A hidden source row's replacement, if any, is the delta's.
            if count < n && !self.hidden.contains_key(&self.encode_key(read)) {
                last = Some((Cow::Owned(image), Last::Source(read)));
                count += 1;
            }
        }
        if count < n {
            if !exhausted {
                return Ok(Window::More);
            }
            // The source has no more rows: the window is the delta's rest
            // too, however far its keys go.
            last = None;
        }
        let mut condition = None;
        if let Some((_, at)) = &last {
            let values: Vec<&Value> = match at {
                Last::Source(read) => read.iter().collect(),
                Last::Delta(k) => self.key.iter().map(|&j| &self.rows[*k][j]).collect(),
            };
            condition = Some(self.key_bound(&values, descending)?);
        }
        // The delta's entries in the window: a range of the map for
        // integer keys, of the sorted images for others.
        let limit = last.as_ref().map(|(image, _)| image.as_ref());
        let (hidden, rows): (Vec<HiddenEntry>, Vec<RowEntry>) = match &sorted_keys {
            None => {
                let range: KeyRange = match (limit, descending) {
                    (None, _) => (Bound::Unbounded, Bound::Unbounded),
                    (Some(k), false) => (Bound::Unbounded, Bound::Included(k.to_vec())),
                    (Some(k), true) => (Bound::Included(k.to_vec()), Bound::Unbounded),
                };
                let ranges = Some(vec![range]);
                (
                    entries_in_ranges(&self.hidden, &ranges),
                    entries_in_ranges(&self.rows, &ranges),
                )
            }
            Some(s) => {
                let up_to = |keys: &'_ [(Vec<u8>, Vec<u8>)]| -> std::ops::Range<usize> {
                    match (limit, descending) {
                        (None, _) => 0..keys.len(),
                        (Some(l), false) => 0..keys.partition_point(|(i, _)| &i[..] <= l),
                        (Some(l), true) => keys.partition_point(|(i, _)| &i[..] < l)..keys.len(),
                    }
                };
                let hidden = s.hidden[up_to(&s.hidden)]
                    .iter()
                    .filter_map(|(_, k)| self.hidden.get_key_value(k))
                    .collect();
                let rows = s.rows[up_to(&s.rows)]
                    .iter()
                    .filter_map(|(_, k)| self.rows.get_key_value(k))
                    .collect();
                (hidden, rows)
            }
        };
        // Rows changed in place are spelled over the source's, so that a
        // window without inserted rows is the source's table read by a
        // range of its key: the source merges it into the query and reads
        // it by its index, with no temporary table.
        let mut over: Vec<&Row> = Vec::new();
        let mut gone: Vec<&Row> = Vec::new();
        for (k, key) in hidden {
            match self.rows.get(k) {
                Some(row) => over.push(row),
                None => gone.push(key),
            }
        }
        let inserted: Vec<&Row> = rows
            .into_iter()
            .filter(|(k, _)| !self.hidden.contains_key(*k))
            .map(|(_, r)| &**r)
            .collect();
        let used = self.reading_key(used);
        let mut sql = self.spelled_over(
            &over,
            &gone,
            &inserted,
            used.as_deref(),
            over.len() > 64,
            None,
            condition.as_deref(),
        )?;
        // Inserted rows come after the source's in a UNION: a scan that
        // takes rows as they come needs them sorted into place (a query
        // sorted by the key sorts them itself).
        if !sorted && !inserted.is_empty() {
            sql.pop();
            sql.push_str(&format!(
                " ORDER BY {} LIMIT {n})",
                self.key_order(descending)
            ));
        }
        Ok(Window::Sql(sql))
    }

    /// The merged view for a scan sorted by one of its columns, of which
    /// the query uses only the first `n` rows (`ORDER BY created DESC
    /// LIMIT 20`, where `column` is not the key a window reads): the
    /// source's first `n` rows in that order, changed and deleted rows
    /// left out, and the delta's rows that may come among the first `n`.
    /// The first `n` rows of the merged view are among those, and the
    /// source reads its part as it reads the query on the table itself
    /// (by an index on the column, when there is one), where a UNION of
    /// the whole table is materialized and sorted.
    ///
    /// The source part breaks ties by the key, as an index on the column
    /// lists them. The delta's rows are all those whose value may come
    /// among the first `n` ([`order`]; all of them when vdb cannot order
    /// the column's values).
    ///
    /// `source`: the keys and the column of the source's first rows in
    /// that order ([`TableDelta::top_probe`]), when asked: only the changed
    /// and deleted rows among them are left out by name (enough when at
    /// least `n` of them are not, or the source has no more), where
    /// otherwise every one is, and the delta's rows past the nth of those
    /// left as they are cannot come among the first n.
    ///
    /// `j`: the column, as [`TableDelta::top_column`] found it.
    pub fn top_sql(
        &self,
        j: usize,
        descending: bool,
        n: u64,
        used: Option<&[bool]>,
        source: Option<&[Row]>,
    ) -> Result<String, BadValue> {
        let keys = self.key.len();
        let wanted = usize::try_from(n).unwrap_or(usize::MAX);
        // The source's rows split once: those the delta changed or deleted
        // (left out by name), and the nth of those it left as they are.
        let (gone, nth_kept): (Vec<&Row>, Option<&Row>) = match source {
            Some(read) => {
                let mut gone = Vec::new();
                let mut kept = 0;
                let mut nth = None;
                for r in read {
                    match self.hidden.get(&self.encode_key(&r[..keys.min(r.len())])) {
                        Some(key) => gone.push(key),
                        None => {
                            kept += 1;
                            if kept == wanted {
                                nth = Some(r);
                            }
                        }
                    }
                }
                (gone, nth)
            }
            None => (self.hidden.values().collect(), None),
        };
        // The delta's rows whose value may come among the first n: those
        // up to the nth value in that order, ties included (all of them
        // when vdb cannot order the column's values). The nth is at most
        // the delta's own nth, and at most the nth of the source's rows
        // the delta leaves as they are.
        let stricter = |a: Vec<u8>, b: Vec<u8>| if descending { a.max(b) } else { a.min(b) };
        let rows: Vec<&Row> = match self.by_column(j) {
            None => self.rows.values().map(|r| &**r).collect(),
            Some(_) if wanted == 0 => Vec::new(),
            Some(sorted) => {
                let own = (sorted.len() >= wanted).then(|| {
                    let at = if descending {
                        sorted.len() - wanted
                    } else {
                        wanted - 1
                    };
                    sorted[at].0.clone()
                });
                let kept = nth_kept.and_then(|r| self.value_image(j, r.get(keys)?));
                let edge = match (own, kept) {
                    (Some(a), Some(b)) => Some(stricter(a, b)),
                    (a, b) => a.or(b),
                };
                let first: Vec<&(Vec<u8>, Vec<u8>)> = match (&edge, descending) {
                    (None, _) => sorted.iter().collect(),
                    (Some(e), true) => sorted.iter().rev().take_while(|(i, _)| i >= e).collect(),
                    (Some(e), false) => sorted.iter().take_while(|(i, _)| i <= e).collect(),
                };
                first
                    .into_iter()
                    .filter_map(|(_, k)| self.rows.get(k).map(|r| &**r))
                    .collect()
            }
        };
        let stop = First {
            rows: n,
            order: Some(self.top_order(j, descending)),
        };
        self.spelled_over(&[], &gone, &rows, used, false, Some(stop), None)
    }

    /// The position of `column` when a scan sorted by it reads the top-n
    /// form ([`TableDelta::top_sql`], with `used` the columns the query
    /// reads), checked once before the source is asked for its first rows.
    /// `None` for a key-less table, a table of the delta (a projected
    /// table's select list names its columns by aliases, which an ORDER BY
    /// would read first), or a BIT, ENUM or SET column sorted by or read:
    /// the UNION turns those into strings (see `Column::union_exact`), and
    /// would change what the query computes.
    pub fn top_column(&self, column: &str, used: Option<&[bool]>) -> Option<usize> {
        if self.counted || self.meta.created || self.key.is_empty() {
            return None;
        }
        let j = self.meta.position(column)?;
        let reads = |c: usize| c == j || used.is_none_or(|u| u.get(c).copied().unwrap_or(true));
        let exact = (0..self.meta.columns.len())
            .all(|c| !reads(c) || self.meta.columns[c].column.union_exact());
        let named = std::iter::once(j)
            .chain(self.key.iter().copied())
            .all(|c| self.source_name(c).is_some());
        (exact && named).then_some(j)
    }

    /// A value of column `j` as [`TableDelta::by_column`] sorts it: NULL
    /// first, then the value's image ([`order`]).
    fn value_image(&self, j: usize, v: &Value) -> Option<Vec<u8>> {
        let Some(v) = v.as_deref() else {
            return Some(Vec::new());
        };
        let mut out = vec![1];
        order::ColumnOrder::of(&self.meta.columns[j].column)?.image(v, &mut out)?;
        Some(out)
    }

    /// The delta's rows sorted by the values of column `j` (NULL first, as
    /// MySQL sorts it), kept for this version of the table; `None` when vdb
    /// cannot order the column's values ([`order`]).
    fn by_column(&self, j: usize) -> Option<Arc<ByColumn>> {
        let mut cache = self.by_column.lock();
        if let Some(sorted) = cache.get(&j) {
            return sorted.clone();
        }
        let built = (|| {
            let mut sorted = Vec::with_capacity(self.rows.len());
            for (k, row) in self.rows.iter() {
                sorted.push((self.value_image(j, &row[j])?, k.clone()));
            }
            sorted.sort_unstable();
            Some(Arc::new(sorted))
        })();
        cache.insert(j, built.clone());
        built
    }

    /// The source's ORDER BY for the rows of a scan sorted by column `j`
    /// (`descending`), ties broken by the key as an index on the column
    /// lists them: `k DESC, id DESC`.
    /// (The columns are named: see [`TableDelta::top_column`].)
    fn top_order(&self, j: usize, descending: bool) -> String {
        let dir = if descending { " DESC" } else { "" };
        std::iter::once(j)
            .chain(self.key.iter().copied())
            .filter_map(|c| self.source_name(c))
            .map(|name| format!("{name}{dir}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The source query that reads the keys of its first `limit` rows
    /// sorted by column `j` ([`TableDelta::top_column`]), and the column
    /// ([`TableDelta::top_sql`]). An index on the column serves it alone.
    pub fn top_probe(&self, j: usize, descending: bool, limit: u64) -> String {
        let read: Vec<String> = self
            .key
            .iter()
            .copied()
            .chain(std::iter::once(j))
            .filter_map(|c| self.source_name(c))
            .collect();
        format!(
            "SELECT {} FROM {} ORDER BY {} LIMIT {limit}",
            read.join(", "),
            self.source_table().quoted(),
            self.top_order(j, descending)
        )
    }

    /// Whether the merged view of a whole scan ([`TableDelta::projected_sql`]
    /// with no tests) lists its rows in key order, as InnoDB scans the
    /// table, given the key of the source's last row (`None`: the source
    /// table has no rows). Its UNION part comes after the source's rows:
    /// in order when every key in it is past the source's last.
    pub fn scan_in_key_order(&self, source_last: Option<&Row>) -> bool {
        let Some(last) = source_last else {
            return true;
        };
        let Some(orders) = self.key_orders() else {
            return false;
        };
        let Some(last) = self.key_image(&orders, last.iter()) else {
            return false;
        };
        // Rows changed in place keep their places while the scan form
        // spells them over the source's (up to SCAN_ROWS of them).
        let in_place = self
            .hidden
            .keys()
            .filter(|k| self.rows.contains_key(*k))
            .take(SCAN_ROWS + 1)
            .count();
        let spelled = in_place <= SCAN_ROWS;
        let after = |k: &Vec<u8>| !spelled || !self.hidden.contains_key(k);
        // The first such key in the index's order is the lowest.
        if self.map_sorts() {
            return self
                .rows
                .keys()
                .find(|k| after(k))
                .is_none_or(|k| *k > last);
        }
        let Some(sorted) = self.in_index_order(&orders) else {
            return false;
        };
        let first = sorted.rows.iter().find(|(_, k)| after(k));
        first.is_none_or(|(image, _)| *image > last)
    }

    /// The merged view sorted by the key: for a whole scan whose UNION
    /// part would otherwise come after rows it belongs among
    /// ([`TableDelta::scan_in_key_order`]). The source materializes and
    /// sorts it (a derived table's ORDER BY counts only with a LIMIT).
    /// `first`: only so many rows are used (a scan's first rows).
    pub fn sorted_sql(
        &self,
        used: Option<&[bool]>,
        first: Option<u64>,
    ) -> Result<String, BadValue> {
        let used = self.reading_key(used);
        let rows = self.in_view_order(self.rows.iter().collect());
        let mut sql = self.build(&[], self.hidden.values(), rows.into_iter(), used.as_deref())?;
        sql.pop();
        sql.push_str(&format!(
            " ORDER BY {} LIMIT {})",
            self.key_order(false),
            first.unwrap_or(u64::MAX)
        ));
        Ok(sql)
    }

    /// `used` with the key's columns read too: a view sorted by the key.
    fn reading_key(&self, used: Option<&[bool]>) -> Option<Vec<bool>> {
        used.map(|u| {
            (0..self.meta.columns.len())
                .map(|j| self.key.contains(&j) || u.get(j).copied().unwrap_or(true))
                .collect()
        })
    }

    /// The key's columns as the source part names them (a projected table
    /// reads its key columns as they are: see `overlay::alter`).
    fn source_key_names(&self) -> Vec<String> {
        self.key
            .iter()
            .map(|&k| {
                self.source_name(k)
                    .unwrap_or_else(|| quote_ident(&self.meta.columns[k].name))
            })
            .collect()
    }

    /// A key's values (in key order) as literals of its columns.
    fn key_literals<'v>(
        &self,
        values: impl Iterator<Item = Option<&'v [u8]>>,
    ) -> Result<Vec<String>, BadValue> {
        let mut out = Vec::with_capacity(self.key.len());
        for (&k, v) in self.key.iter().zip(values) {
            out.push(self.meta.columns[k].column.literal(v)?);
        }
        Ok(out)
    }

    /// A key's values (in key order) as a row literal, `(1, 'a')`.
    fn key_tuple<'v>(
        &self,
        values: impl Iterator<Item = Option<&'v [u8]>>,
    ) -> Result<String, BadValue> {
        Ok(format!("({})", self.key_literals(values)?.join(", ")))
    }

    /// The view's key columns as an ORDER BY list, each `DESC` when
    /// `descending`.
    fn key_order(&self, descending: bool) -> String {
        let dir = if descending { " DESC" } else { "" };
        self.key
            .iter()
            .map(|&k| format!("{}{dir}", quote_ident(&self.meta.columns[k].name)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The source part's condition for keys up to the key `values` (in key
    /// order; `descending`: from them down): `id <= 7`, or for two columns
    /// `(a < 1 OR a = 1 AND b <= 2)`, a range of the primary key, compared
    /// by the source in the columns' own collations.
    fn key_bound(&self, values: &[&Value], descending: bool) -> Result<String, BadValue> {
        let cols = &self.meta.columns;
        let mut literals = Vec::with_capacity(values.len());
        for (&j, v) in self.key.iter().zip(values) {
            let column = &cols[j].column;
            // A plain integer is what the optimizer reads a range from
            // soonest; `literal` checks the digits.
            let literal = column.literal(v.as_deref())?;
            literals.push(match v.as_deref() {
                Some(b) if is_integer(column) => String::from_utf8_lossy(b).into_owned(),
                _ => literal,
            });
        }
        let names = self.source_key_names();
        let (strict, last) = if descending { (">", ">=") } else { ("<", "<=") };
        // From the last column out: a <op> x OR a = x AND (<the rest>).
        let end = names.len() - 1;
        let mut cond = format!("{} {last} {}", names[end], literals[end]);
        for i in (0..end).rev() {
            cond = format!(
                "{n} {strict} {v} OR {n} = {v} AND ({cond})",
                n = names[i],
                v = literals[i]
            );
        }
        Ok(format!("({cond})"))
    }

    /// `(SELECT id, CASE id WHEN 7 THEN <c of 7> ... ELSE c END AS c FROM t
    /// WHERE id NOT IN (<gone>) UNION ALL SELECT <inserted row> ...)`: the
    /// source's table with the rows `over` (captured changes of its rows,
    /// by its one key column) spelled over its own, the keys of `gone` left
    /// out, and `inserted` rows added. `guarded` tests the key with `IN`
    /// before the CASE, for a view over many rows of a large table: a CASE
    /// compares its WHENs one by one, an `IN` list of constants is searched.
    /// `stop` ends the source part after its first rows; `condition`
    /// restricts it (a range of its key).
    #[allow(clippy::too_many_arguments)]
    fn spelled_over(
        &self,
        over: &[&Row],
        gone: &[&Row],
        inserted: &[&Row],
        used: Option<&[bool]>,
        guarded: bool,
        stop: Option<First>,
        condition: Option<&str>,
    ) -> Result<String, BadValue> {
        let cols = &self.meta.columns;
        let names = self.source_key_names();
        let guard = if guarded && !over.is_empty() {
            let mut out = Vec::with_capacity(over.len());
            for row in over {
                out.push(self.row_key_literal(row)?);
            }
            Some(out.join(", "))
        } else {
            None
        };
        let shown = |j: usize| used.is_none_or(|u| u.get(j).copied().unwrap_or(true));
        let mut sql = String::with_capacity(96 + (over.len() + inserted.len()) * 48 * cols.len());
        sql.push_str(if stop.is_some() {
            "((SELECT "
        } else {
            "(SELECT "
        });
        let mut first = true;
        for (j, c) in cols.iter().enumerate() {
            if !shown(j) {
                continue;
            }
            if !std::mem::take(&mut first) {
                sql.push_str(", ");
            }
            let name = quote_ident(&c.name);
            let own = self.source_expr(j)?;
            if self.key.contains(&j) || over.is_empty() || !self.touched(j) {
                sql.push_str(&own);
                if own != name {
                    sql.push_str(" AS ");
                    sql.push_str(&name);
                }
                continue;
            }
            sql.push_str(&self.spelled_column(j, over, guard.as_deref(), &own)?);
            sql.push_str(" AS ");
            sql.push_str(&name);
        }
        if first {
            // No column is used (`SELECT COUNT(*)`): the key stands in.
            sql.push_str(&names[0]);
        }
        sql.push_str(" FROM ");
        sql.push_str(&self.source_table().quoted());
        if let Some(c) = condition {
            sql.push_str(" WHERE ");
            sql.push_str(c);
        }
        if !gone.is_empty() {
            sql.push_str(if condition.is_some() {
                " AND "
            } else {
                " WHERE "
            });
            sql.push_str(&self.excluding(gone)?);
        }
        if let Some(f) = stop {
            if let Some(order) = &f.order {
                sql.push_str(" ORDER BY ");
                sql.push_str(order);
            }
            sql.push_str(" LIMIT ");
            sql.push_str(&f.rows.to_string());
            sql.push(')');
        }
        self.push_rows(&mut sql, inserted.iter().copied(), used)?;
        sql.push(')');
        Ok(sql)
    }

    /// Whether some change touched column `j` (one no change touched
    /// reads as the source's).
    fn touched(&self, j: usize) -> bool {
        self.differs.get(j).copied().unwrap_or(true)
    }

    /// The key as the source part's rows give it: its one column, or its
    /// columns as a row, `(a, b)`.
    fn source_key(&self) -> String {
        let names = self.source_key_names();
        if names.len() == 1 {
            names.into_iter().next().unwrap_or_default()
        } else {
            format!("({})", names.join(", "))
        }
    }

    /// The literal [`TableDelta::source_key`] is compared with for the key
    /// values `values` (in key order).
    fn key_value_literal<'v>(
        &self,
        values: impl Iterator<Item = Option<&'v [u8]>>,
    ) -> Result<String, BadValue> {
        let mut out = self.key_literals(values)?;
        Ok(if out.len() == 1 {
            out.pop().unwrap_or_default()
        } else {
            format!("({})", out.join(", "))
        })
    }

    /// [`TableDelta::key_value_literal`] of a row's key.
    fn row_key_literal(&self, row: &Row) -> Result<String, BadValue> {
        self.key_value_literal(self.key.iter().map(|&k| row[k].as_deref()))
    }

    /// Column `j` (the source part's `own` expression for it) with the
    /// rows `over` spelled over it: `CASE id WHEN 7 THEN <c of 7> ... ELSE
    /// c END`. `guard`: the keys of `over`, tested with `IN` first.
    fn spelled_column(
        &self,
        j: usize,
        over: &[&Row],
        guard: Option<&str>,
        own: &str,
    ) -> Result<String, BadValue> {
        let key_name = self.source_key();
        let single = self.key.len() == 1;
        let column = &self.meta.columns[j].column;
        let mut sql = String::with_capacity(32 + over.len() * 48);
        if let Some(g) = guard {
            sql.push_str("CASE WHEN ");
            sql.push_str(&key_name);
            sql.push_str(" IN (");
            sql.push_str(g);
            sql.push_str(") THEN ");
        }
        // A simple CASE for one key column; a row compared for several.
        sql.push_str("CASE");
        if single {
            sql.push(' ');
            sql.push_str(&key_name);
        }
        for row in over {
            sql.push_str(" WHEN ");
            if !single {
                sql.push_str(&key_name);
                sql.push_str(" = ");
            }
            sql.push_str(&self.row_key_literal(row)?);
            sql.push_str(" THEN ");
            sql.push_str(&column.literal_beside(row[j].as_deref())?);
        }
        // The guarded CASE repeats the ELSE: a CASE without one may be
        // NULL, and the server would then describe expressions over the
        // column (`n + 1`) as nullable.
        if guard.is_some() {
            sql.push_str(" ELSE ");
            sql.push_str(own);
            sql.push_str(" END");
        }
        sql.push_str(" ELSE ");
        sql.push_str(own);
        sql.push_str(" END");
        Ok(sql)
    }

    /// The source part's condition that leaves out the keys `gone`: `id
    /// NOT IN (...)`, or for a long list `(id IN (...)) IS FALSE`, which
    /// the source searches rather than compares one by one.
    fn excluding(&self, gone: &[&Row]) -> Result<String, BadValue> {
        let long = long_in_list(gone.len() * self.key.len());
        let mut out = Vec::with_capacity(gone.len());
        for key in gone {
            out.push(self.key_value_literal(key.iter().map(|v| v.as_deref()))?);
        }
        let key_name = self.source_key();
        Ok(if long {
            format!("({key_name} IN ({})) IS FALSE", out.join(", "))
        } else {
            format!("{key_name} NOT IN ({})", out.join(", "))
        })
    }

    /// The key in `rows` of a delta row with `row`'s key (for a key-less
    /// table: of one delta copy of its image).
    fn find(&self, row: &Row) -> Option<Vec<u8>> {
        let key = self.key_of(row);
        if !self.counted {
            return self.rows.contains_key(&key).then_some(key);
        }
        let (k, _) = self.rows.range(key.clone()..).next()?;
        k.starts_with(&key).then(|| k.clone())
    }

    /// Leaves the row with identity key `key` (its key columns' values)
    /// out of the merged view: a captured row is removed, a source row
    /// hidden (see [`DeltaState::withholding`]).
    pub fn withhold(&mut self, key: Row) {
        self.forget_views();
        let k = self.encode(key.iter());
        self.take_row(&k);
        if self.has_source() {
            self.put_hidden(k, key);
        }
    }

    /// Whether a row (as read over the merged view) is one of the delta's.
    pub fn is_delta_row(&self, row: &Row) -> bool {
        self.find(row).is_some()
    }

    /// Replaces a row of the merged view (`old`, as read) with `new`.
    pub fn update(&mut self, old: &Row, new: Row) {
        if !self.counted {
            return self.update_all(std::slice::from_ref(old), vec![new]);
        }
        // The copy keeps its place in scan order, as an InnoDB row updated
        // in place does.
        if let Some(k) = self.find(old) {
            self.forget_views();
            self.take_row(&k);
            let mut key = self.key_of(&new);
            key.extend_from_slice(&k[k.len() - 8..]);
            self.put_row(key, Arc::new(new));
            return;
        }
        self.delete(old);
        self.insert(new);
    }

    /// Replaces rows of the merged view (`old`, as read) with `new`, pair
    /// by pair, as an UPDATE does: every old row goes first, as keys may
    /// move onto each other's. For a key-less table, each copy in place.
    pub fn update_all(&mut self, old: &[Row], new: Vec<Row>) {
        if self.counted {
            for (o, n) in old.iter().zip(new) {
                self.update(o, n);
            }
            return;
        }
        // A row that keeps its key is changed in place: only the columns
        // the statement changes now differ from what it read as.
        let mut kept = std::collections::HashSet::new();
        for (o, n) in old.iter().zip(&new) {
            if self.key.iter().all(|&k| o.get(k) == n.get(k)) {
                for (j, d) in self.differs.iter_mut().enumerate() {
                    *d |= o.get(j) != n.get(j);
                }
                kept.insert(self.key_of(n));
            }
        }
        for o in old {
            self.delete(o);
        }
        for n in new {
            if kept.contains(&self.key_of(&n)) {
                self.put_new(n);
            } else {
                self.insert(n);
            }
        }
    }

    /// Removes a row of the merged view. For a key-less table, one copy of
    /// the image: a source copy must have been adopted first.
    pub fn delete(&mut self, old: &Row) {
        self.forget_views();
        match self.find(old) {
            Some(k) => self.take_row(&k),
            None => {
                debug_assert!(!self.counted, "a source copy removed without adopt()");
                self.hide(old);
            }
        }
    }

    /// Adds a new row.
    pub fn insert(&mut self, new: Row) {
        if !self.counted && self.hidden.contains_key(&self.key_of(&new)) {
            // In place of a source row deleted before: any column may
            // differ from it.
            self.differs.iter_mut().for_each(|d| *d = true);
        }
        self.put_new(new);
    }

    fn put_new(&mut self, new: Row) {
        self.forget_views();
        let mut key = self.key_of(&new);
        if self.counted {
            key.extend_from_slice(&next_version().to_be_bytes());
        }
        self.put_row(key, Arc::new(new));
    }

    /// Whether removing or changing `row` (a row of a key-less table, as
    /// read over the merged view) needs [`TableDelta::adopt`] first: the
    /// source's copies of it still show (there may be delta copies too, but
    /// a statement can reach more copies than those).
    pub fn needs_adoption(&self, row: &Row) -> bool {
        self.counted && self.has_source() && !self.hidden.contains_key(&self.key_of(row))
    }

    /// Takes over the `copies` source copies of a key-less table's image:
    /// the source's are hidden and as many delta copies stand in for them.
    pub fn adopt(&mut self, image: &Row, copies: u64) {
        self.hide(image);
        for _ in 0..copies {
            self.insert(image.clone());
        }
    }

    /// `SELECT n, COUNT(*) FROM t WHERE <image n> UNION ALL ...`: how many
    /// copies of each image the source holds.
    pub fn count_sql(&self, images: &[&Row]) -> Result<String, BadValue> {
        let names: Vec<String> = self
            .meta
            .columns
            .iter()
            .map(|c| quote_ident(&c.name))
            .collect();
        let mut parts = Vec::with_capacity(images.len());
        for (n, image) in images.iter().enumerate() {
            parts.push(format!(
                "SELECT {n}, COUNT(*) FROM {} WHERE {}",
                self.meta.id.quoted(),
                self.image_match(&names, image)?
            ));
        }
        Ok(parts.join(" UNION ALL "))
    }

    /// A condition true exactly for rows identical to `image` (all
    /// columns): NULL-safe, and strings compared as bytes, so that neither
    /// a case-insensitive collation nor trailing spaces make two different
    /// rows one.
    fn image_match(&self, names: &[String], image: &Row) -> Result<String, BadValue> {
        let mut terms = Vec::with_capacity(image.len());
        for ((v, c), name) in image.iter().zip(&self.meta.columns).zip(names) {
            let lit = c.column.literal(v.as_deref())?;
            terms.push(if c.column.compares_exactly() {
                format!("{name} <=> {lit}")
            } else {
                format!("CAST({name} AS BINARY) <=> CAST({lit} AS BINARY)")
            });
        }
        Ok(format!("({})", terms.join(" AND ")))
    }

    /// Whether the merged view still shows `row`, a row it showed when the
    /// table's delta was `before` (`None`: no changes then, so a source
    /// row): a captured row while its key is in `rows`, a source row until
    /// its key is hidden and not captured again.
    pub fn still_shows(&self, row: &Row, before: Option<&TableDelta>) -> bool {
        let k = self.key_of(row);
        match before {
            Some(b) if b.is_delta_row(row) => self.is_delta_row(row),
            _ => self.is_delta_row(row) || !self.hidden.contains_key(&k),
        }
    }

    fn hide(&mut self, source_row: &Row) {
        let key: Row = self.key.iter().map(|&i| source_row[i].clone()).collect();
        let k = self.encode(key.iter());
        self.put_hidden(k, key);
    }

    /// Applies what changed from `before` to `after` (two versions of this
    /// table's delta) to this one, key by key.
    pub fn apply_changes(&mut self, before: &TableDelta, after: &TableDelta) {
        self.forget_views();
        // A key the changes touch ends as `after` has it, captured row and
        // hidden source row alike: an update of a row whose source row
        // only `before` hid must hide it here too (this table may be older
        // than `before`: a snapshot).
        let mut touched: Vec<Vec<u8>> = Vec::new();
        if !self.counted {
            touched.extend(diff_keys(&before.rows, &after.rows).cloned());
            touched.extend(diff_keys(&before.hidden, &after.hidden).cloned());
        }
        let rows = apply_diff(&mut self.rows, &before.rows, &after.rows, |k, r| {
            entry_bytes(k, r)
        });
        let hidden = apply_diff(&mut self.hidden, &before.hidden, &after.hidden, |k, r| {
            entry_bytes(k, r)
        });
        self.bytes = (self.bytes + rows.0 + hidden.0).saturating_sub(rows.1 + hidden.1);
        for k in touched {
            match after.hidden.get(&k) {
                Some(v) => self.put_hidden(k.clone(), v.clone()),
                None => self.take_hidden(&k),
            }
            match after.rows.get(&k) {
                Some(r) => self.put_row(k, r.clone()),
                None => self.take_row(&k),
            }
        }
        self.next_auto = self.next_auto.max(after.next_auto);
        if self.differs.len() == after.differs.len() {
            for (d, a) in self.differs.iter_mut().zip(&after.differs) {
                *d |= *a;
            }
        } else {
            self.differs.iter_mut().for_each(|d| *d = true);
        }
    }

    /// The highest value the delta's rows hold in the AUTO_INCREMENT
    /// column, if the table has one and any row holds a number there.
    pub fn highest_auto(&self) -> Option<u64> {
        let auto = self.meta.auto_column()?;
        self.rows
            .values()
            .filter_map(|r| {
                std::str::from_utf8(r[auto].as_deref()?)
                    .ok()?
                    .parse::<u64>()
                    .ok()
            })
            .max()
    }

    /// Rows this table's delta adds, replaces or removes: an updated row
    /// (its source key hidden, its new image held under the same key)
    /// counts once. Counts every key, so only for reports, not hot paths.
    pub fn changed_rows(&self) -> usize {
        if self.counted {
            return self.rows.len() + self.hidden.len();
        }
        self.rows.len()
            + self
                .hidden
                .keys()
                .filter(|k| !self.rows.contains_key(*k))
                .count()
    }

    /// Approximate memory held by the rows, in bytes.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The merged view of the table as a derived table (without alias),
    /// built once per version of this table's delta.
    pub fn derived_sql(&self) -> Result<Arc<String>, BadValue> {
        self.derived
            .get_or_init(|| self.build_derived().map(Arc::new))
            .clone()
    }

    fn build_derived(&self) -> Result<String, BadValue> {
        let rows = self.in_view_order(self.rows.iter().collect());
        self.build(&[], self.hidden.values(), rows.into_iter(), None)
    }

    /// Delta rows in the order the merged view shows them: key order (for
    /// a string key, its collation's where vdb knows it, see [`order`]),
    /// except that a key-less table's copies come in the order they were
    /// added (their keys end in an increasing number), as InnoDB's hidden
    /// row ids order a scan.
    fn in_view_order<'m>(&self, mut entries: Vec<(&'m Vec<u8>, &'m Arc<Row>)>) -> Vec<&'m Row> {
        if self.counted {
            entries.sort_by(|a, b| {
                a.0[a.0.len().saturating_sub(8)..].cmp(&b.0[b.0.len().saturating_sub(8)..])
            });
        } else if !self.map_sorts() {
            if let Some(orders) = self.key_orders() {
                let images: Option<Vec<Vec<u8>>> = entries
                    .iter()
                    .map(|(_, row)| self.row_image(&orders, row))
                    .collect();
                if let Some(images) = images {
                    let mut sorted: Vec<_> = images.into_iter().zip(entries).collect();
                    sorted.sort_by(|a, b| a.0.cmp(&b.0));
                    entries = sorted.into_iter().map(|(_, e)| e).collect();
                }
            }
        }
        entries.into_iter().map(|(_, r)| &**r).collect()
    }

    /// `(SELECT <columns> FROM t WHERE <conditions> AND (<key>) NOT IN
    /// (<hidden>) UNION ALL SELECT <row> ...)`.
    fn build<'r>(
        &self,
        conditions: &[String],
        mut hidden: impl ExactSizeIterator<Item = &'r Row>,
        rows: impl ExactSizeIterator<Item = &'r Row>,
        used: Option<&[bool]>,
    ) -> Result<String, BadValue> {
        let cols = &self.meta.columns;
        let names: Vec<String> = cols.iter().map(|c| quote_ident(&c.name)).collect();
        let shown = |j: usize| used.is_none_or(|u| u.get(j).copied().unwrap_or(true));
        let mut sql = String::with_capacity(64 + rows.len() * 32 * cols.len());
        sql.push_str("(SELECT ");
        let mut first = true;
        for (j, name) in names.iter().enumerate() {
            if !shown(j) || !self.has_source() {
                continue;
            }
            if !std::mem::take(&mut first) {
                sql.push_str(", ");
            }
            let own = self.source_expr(j)?;
            sql.push_str(&own);
            if own != *name {
                sql.push_str(" AS ");
                sql.push_str(name);
            }
        }
        if !self.has_source() {
            // No source part: typed NULLs, no row.
            sql.clear();
            sql.push_str("(SELECT ");
            let mut first = true;
            for (j, (c, name)) in cols.iter().zip(&names).enumerate() {
                if !shown(j) {
                    continue;
                }
                if !std::mem::take(&mut first) {
                    sql.push_str(", ");
                }
                sql.push_str(&c.column.literal(None)?);
                sql.push_str(" AS ");
                sql.push_str(name);
            }
            sql.push_str(" FROM DUAL WHERE 0");
        } else {
            sql.push_str(" FROM ");
            sql.push_str(&self.source_table().quoted());
        }
        let mut conditions = conditions.to_vec();
        if !self.has_source() {
            conditions.clear();
        }
        let any_hidden = hidden.len() > 0;
        let long = long_in_list(hidden.len() * self.key.len());
        if any_hidden && self.counted {
            let mut images = Vec::with_capacity(hidden.len());
            for image in hidden.by_ref() {
                images.push(self.image_match(&names, image)?);
            }
            conditions.push(format!("NOT ({})", images.join(" OR ")));
        } else if any_hidden {
            let (open, not) = if long { ("(", "") } else { ("", "NOT ") };
            conditions.push(format!(
                "{open}({}) {not}IN (",
                self.source_key_names().join(", ")
            ));
        }
        if !conditions.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conditions.join(" AND "));
        }
        if any_hidden && !self.counted {
            for (n, k) in hidden.enumerate() {
                if n > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&self.key_tuple(k.iter().map(|v| v.as_deref()))?);
            }
            sql.push_str(if long { ")) IS FALSE" } else { ")" });
        }
        self.push_rows(&mut sql, rows, used)?;
        sql.push(')');
        Ok(sql)
    }

    /// ` UNION ALL SELECT <row>` for each of `rows`, with the columns
    /// `used` marks.
    fn push_rows<'r>(
        &self,
        sql: &mut String,
        rows: impl Iterator<Item = &'r Row>,
        used: Option<&[bool]>,
    ) -> Result<(), BadValue> {
        let shown = |j: usize| used.is_none_or(|u| u.get(j).copied().unwrap_or(true));
        let values = |sql: &mut String, row: &Row| -> Result<(), BadValue> {
            let mut first = true;
            for (j, (v, c)) in row.iter().zip(&self.meta.columns).enumerate() {
                if !shown(j) {
                    continue;
                }
                if !std::mem::take(&mut first) {
                    sql.push_str(", ");
                }
                sql.push_str(&c.column.literal(v.as_deref())?);
            }
            Ok(())
        };
        let mut rows = rows.peekable();
        let any_shown = (0..self.meta.columns.len()).any(shown);
        if VALUES_LISTS.load(std::sync::atomic::Ordering::Relaxed)
            && any_shown
            && rows.peek().is_some()
        {
            sql.push_str(" UNION ALL VALUES ");
            for (i, row) in rows.enumerate() {
                sql.push_str(if i == 0 { "(" } else { ", (" });
                values(sql, row)?;
                sql.push(')');
            }
            return Ok(());
        }
        for row in rows {
            sql.push_str(" UNION ALL SELECT ");
            values(sql, row)?;
        }
        Ok(())
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
    /// The schema delta: tables created and dropped through vdb.
    pub schema: SchemaDelta,
}

/// What DDL captured by vdb changed: tables created (which also have an
/// entry, perhaps empty, in [`DeltaState::tables`]) and source tables
/// dropped. DDL commits any open transaction first, as in MySQL, so the
/// schema delta only ever changes in the process's shared delta (a
/// temporary table's, which commits nothing, too: the transaction's states
/// follow it, [`DeltaState::with_table_from`]).
#[derive(Clone, Debug, Default)]
pub struct SchemaDelta {
    /// Tables created through vdb, with their definitions.
    pub created: HashMap<TableId, Arc<TableMeta>>,
    /// Source tables dropped through vdb (a table created again under the
    /// same name is in `created` too).
    pub dropped: BTreeSet<TableId>,
    /// The captured DDL, one entry per table changed, in order.
    pub log: Vec<SchemaChange>,
    /// Databases created through vdb, by name (a source database dropped
    /// and created again is here and in `dropped_databases`).
    pub databases: BTreeMap<String, DatabaseDef>,
    /// Source databases dropped through vdb (their tables are in
    /// `dropped`).
    pub dropped_databases: BTreeSet<String>,
    /// Source databases whose defaults ALTER DATABASE changed (a database
    /// created through vdb keeps its own in `databases`).
    pub altered_databases: BTreeMap<String, DatabaseDef>,
    /// Views created through vdb (their definitions, qualified, are also
    /// in [`DeltaState::views`], where reads find them).
    pub views: BTreeMap<TableId, ViewDef>,
}

/// A view created through vdb: what SHOW CREATE VIEW and
/// information_schema.VIEWS say of it.
#[derive(Clone, Debug)]
pub struct ViewDef {
    /// The SELECT as the client wrote it.
    pub body: String,
    /// Its column names, when the statement gave them.
    pub columns: Vec<String>,
    /// ALGORITHM.
    pub algorithm: String,
    /// SQL SECURITY.
    pub security: String,
    /// `user@host`.
    pub definer: String,
    /// `NONE`, `CASCADED` or `LOCAL`.
    pub check_option: String,
    /// The session's character_set_client and collation_connection when
    /// it was created.
    pub charset_client: String,
    /// See `charset_client`.
    pub collation_connection: String,
    /// Its columns as the server describes them (a definition without
    /// keys, under the view's name), as of when it was created.
    pub meta: Arc<TableMeta>,
}

/// A database created through vdb: what SHOW CREATE DATABASE and
/// information_schema.SCHEMATA say of it, and what its tables default to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatabaseDef {
    /// Its default character set.
    pub charset: String,
    /// Its default collation.
    pub collation: String,
    /// Its COMMENT (empty when it has none).
    pub comment: String,
}

/// One table's change by captured DDL, as `vdb.schema_changes` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaChange {
    /// What happened to the table: the statement's name (`CREATE TABLE`,
    /// `DROP TABLE`, `ALTER TABLE`, `CREATE INDEX`, `DROP INDEX`, `RENAME
    /// TABLE`, `TRUNCATE TABLE`).
    pub kind: String,
    /// The table.
    pub table: TableId,
    /// The statement as the client sent it (a `DROP TABLE` of several
    /// tables is one entry per table, each with the whole statement).
    pub statement: Arc<str>,
}

impl SchemaDelta {
    /// Whether nothing was created or dropped.
    pub fn is_empty(&self) -> bool {
        self.created.is_empty()
            && self.dropped.is_empty()
            && self.databases.is_empty()
            && self.dropped_databases.is_empty()
            && self.altered_databases.is_empty()
            && self.views.is_empty()
    }

    /// The tables created through vdb, in name order, without the
    /// connections' temporary tables (no catalog, patch or state file
    /// shows those).
    pub fn lasting_created(&self) -> Vec<&Arc<TableMeta>> {
        let mut created: Vec<&Arc<TableMeta>> = self
            .created
            .values()
            .filter(|m| !m.id.is_temporary())
            .collect();
        created.sort_by(|a, b| a.id.cmp(&b.id));
        created
    }

    /// Whether the database was created through vdb (the source knows
    /// nothing of it, or had one by that name that was dropped).
    pub fn is_virtual_database(&self, name: &str) -> bool {
        self.databases.contains_key(name)
    }

    /// Whether the database is a source database dropped through vdb and
    /// not created again.
    pub fn is_dropped_database(&self, name: &str) -> bool {
        self.dropped_databases.contains(name) && !self.databases.contains_key(name)
    }

    /// Whether the table (or view) is gone: dropped and not created again.
    pub fn is_dropped(&self, id: &TableId) -> bool {
        self.dropped.contains(id) && !self.created.contains_key(id) && !self.views.contains_key(id)
    }
}

impl DeltaState {
    /// Whether no table has changed (the common case: nothing to rewrite).
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty() && self.schema.is_empty()
    }

    /// Whether `sql` may name a changed table: a case-insensitive search for
    /// each changed name. False positives only cost a parse.
    pub fn may_touch(&self, sql: &[u8]) -> bool {
        self.names
            .iter()
            .any(|n| crate::sql::contains_ignore_case(sql, n.as_bytes()))
    }

    /// The changed tables a user wrote to (not the catalog tables that
    /// carry the schema delta, nor connections' temporary tables).
    pub fn user_tables(&self) -> impl Iterator<Item = &Arc<TableDelta>> {
        self.tables
            .iter()
            .filter(|(id, _)| id.schema != "information_schema" && !id.is_temporary())
            .map(|(_, t)| t)
    }

    /// Total changed rows (of the tables users wrote to).
    pub fn changed_rows(&self) -> usize {
        self.user_tables().map(|t| t.changed_rows()).sum()
    }

    /// Approximate bytes held.
    pub fn bytes(&self) -> usize {
        self.tables.values().map(|t| t.bytes()).sum()
    }

    /// This state with some rows left out of the merged view, for one
    /// statement: SELECT ... SKIP LOCKED passes over rows other
    /// transactions have locked. Each row is given by its table's
    /// definition and its identity key's values. `None` when a table has
    /// no unique key to name its rows by.
    pub fn withholding(&self, rows: &[(Arc<TableMeta>, Row)]) -> Option<DeltaState> {
        let mut next = self.clone();
        for (meta, key) in rows {
            let t = match next.tables.get_mut(&meta.id) {
                Some(t) => t,
                None => {
                    let fresh = TableDelta::new(meta.clone(), meta.delta_key()?);
                    next.tables
                        .entry(meta.id.clone())
                        .or_insert(Arc::new(fresh))
                }
            };
            let t = Arc::make_mut(t);
            if t.counted {
                return None;
            }
            t.withhold(key.clone());
        }
        next.refresh_names();
        Some(next)
    }

    /// This state with table `id` as `other` has it (its changes, and its
    /// definition when vdb created it), or without it when `other` has
    /// none, as a new version. A session's temporary table is no part of
    /// its transaction (the server neither commits nor rolls back DDL on
    /// one), nor is the catalog's TABLES (its AUTO_INCREMENT is no
    /// transaction's): the transaction's states take the process's version
    /// of them.
    pub fn with_table_from(&self, other: &DeltaState, id: &TableId) -> DeltaState {
        let mut s = self.clone();
        match other.tables.get(id) {
            Some(t) => {
                s.tables.insert(id.clone(), t.clone());
            }
            None => {
                s.tables.remove(id);
            }
        }
        match other.schema.created.get(id) {
            Some(m) => {
                s.schema.created.insert(id.clone(), m.clone());
            }
            None => {
                s.schema.created.remove(id);
            }
        }
        s.version = next_version();
        s.refresh_names();
        s
    }

    fn refresh_names(&mut self) {
        let mut names: Vec<String> = self
            .tables
            .keys()
            .chain(self.views.keys())
            .chain(self.schema.dropped.iter())
            .map(|id| id.name.to_lowercase())
            .collect();
        names.sort();
        names.dedup();
        self.names = names;
    }
}

/// The process's delta, or a transaction's private copy of it
/// ([`Delta::fork`]).
#[derive(Default)]
pub struct Delta {
    state: RwLock<Arc<DeltaState>>,
    gate: Mutex<()>,
    /// Shared by forks: source definitions are the same for all.
    meta: Arc<RwLock<HashMap<TableId, Arc<TableMeta>>>>,
    /// The most bytes a statement may grow the delta to
    /// (`--max-delta-bytes`); forks keep their parent's.
    limit: Option<usize>,
}

/// `onto` with what changed from `base` to `private` applied, key by key
/// (`imbl` diffs skip the nodes the two share): a transaction's changes
/// over whatever others committed since it forked. Where both changed a
/// row, `private` wins.
pub fn rebased(base: &DeltaState, private: &DeltaState, onto: &DeltaState) -> DeltaState {
    let mut next = onto.clone();
    for (id, theirs) in &private.tables {
        let before = base.tables.get(id);
        if before.is_some_and(|b| Arc::ptr_eq(b, theirs)) {
            continue;
        }
        match next.tables.get_mut(id) {
            None if before.is_none() => {
                next.tables.insert(id.clone(), theirs.clone());
            }
            None => {
                // Only the private changes, not what the base held (onto
                // is older than the base: a snapshot).
                let before = before.expect("matched above");
                let mut t = TableDelta::new(theirs.meta.clone(), theirs.key.clone());
                t.next_auto = before.next_auto.min(theirs.next_auto);
                t.apply_changes(before, theirs);
                next.tables.insert(id.clone(), Arc::new(t));
            }
            Some(now) => {
                let empty = TableDelta::new(theirs.meta.clone(), theirs.key.clone());
                let before = before.map(|b| &**b).unwrap_or(&empty);
                Arc::make_mut(now).apply_changes(before, theirs);
            }
        }
    }
    for (id, view) in &private.views {
        next.views.insert(id.clone(), view.clone());
    }
    next.views_checked
        .extend(private.views_checked.iter().cloned());
    next.refresh_names();
    next.version = next_version();
    next
}

/// The tables whose deltas differ between two states of the delta (a
/// statement's, or a transaction's, changes; the catalog's included).
pub fn changed_tables(before: &DeltaState, after: &DeltaState) -> Vec<TableId> {
    after
        .tables
        .iter()
        .filter(|(id, t)| !before.tables.get(*id).is_some_and(|b| Arc::ptr_eq(b, t)))
        .map(|(id, _)| id.clone())
        .collect()
}

/// The rows that differ between two states of the delta, by table and
/// encoded key: inserted, changed and removed rows, and newly hidden or
/// revealed source rows, of the tables users write (not the catalog's).
/// What a statement must lock.
pub fn changed_rows(before: &DeltaState, after: &DeltaState) -> Vec<locks::RowId> {
    let mut out = Vec::new();
    for (id, now) in &after.tables {
        // The catalog's rows (a table's AUTO_INCREMENT, its definition)
        // are not rows a statement locks: InnoDB takes no row lock there.
        if id.schema == "information_schema" {
            continue;
        }
        let was = before.tables.get(id);
        if was.is_some_and(|w| Arc::ptr_eq(w, now)) {
            continue;
        }
        let empty = TableDelta::new(now.meta.clone(), now.key.clone());
        let was = was.map(|w| &**w).unwrap_or(&empty);
        let keys = diff_keys(&was.rows, &now.rows).chain(diff_keys(&was.hidden, &now.hidden));
        out.extend(keys.map(|k| (id.clone(), k.clone())));
    }
    out.sort();
    out.dedup();
    out
}

/// The keys whose entries differ between two versions of a map.
fn diff_keys<'a, V: PartialEq>(
    before: &'a OrdMap<Vec<u8>, V>,
    after: &'a OrdMap<Vec<u8>, V>,
) -> impl Iterator<Item = &'a Vec<u8>> {
    before.diff(after).map(|d| match d {
        imbl::ordmap::DiffItem::Add(k, _)
        | imbl::ordmap::DiffItem::Update { new: (k, _), .. }
        | imbl::ordmap::DiffItem::Remove(k, _) => k,
    })
}

/// Makes `target` differ from `before` as `after` does, key by key;
/// returns the bytes (as `size` counts them) `target` gained and lost.
fn apply_diff<V: PartialEq + Clone>(
    target: &mut OrdMap<Vec<u8>, V>,
    before: &OrdMap<Vec<u8>, V>,
    after: &OrdMap<Vec<u8>, V>,
    size: impl Fn(&Vec<u8>, &V) -> usize,
) -> (usize, usize) {
    use imbl::ordmap::DiffItem;
    let (mut gained, mut lost) = (0, 0);
    for d in before.diff(after) {
        let old = match d {
            DiffItem::Add(k, v) | DiffItem::Update { new: (k, v), .. } => {
                gained += size(k, v);
                target.insert(k.clone(), v.clone()).map(|o| (k, o))
            }
            DiffItem::Remove(k, _) => target.remove(k).map(|o| (k, o)),
        };
        if let Some((k, o)) = old {
            lost += size(k, &o);
        }
    }
    (gained, lost)
}

/// Approximate bytes a map entry takes: key, values and overhead.
fn entry_bytes(key: &[u8], row: &Row) -> usize {
    key.len()
        + 48
        + row
            .iter()
            .map(|v| v.as_ref().map_or(8, |b| b.len() + 24))
            .sum::<usize>()
}

/// Versions are unique across the process's delta and every fork of it,
/// so a version names one state (prepared statements compare them).
static VERSIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn next_version() -> u64 {
    VERSIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
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
    /// An empty delta that statements may grow to at most `limit` bytes.
    pub fn with_limit(limit: Option<usize>) -> Delta {
        Delta {
            limit,
            ..Delta::default()
        }
    }

    /// The size limit, if any.
    pub fn limit(&self) -> Option<usize> {
        self.limit
    }

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

    /// A private copy that starts as the current state: a transaction's
    /// writes go there and stay invisible to other connections until
    /// [`Delta::merge`] (copying is a pointer copy; rows are shared).
    pub fn fork(&self) -> Delta {
        Delta {
            state: RwLock::new(self.current()),
            gate: Mutex::new(()),
            meta: self.meta.clone(),
            limit: self.limit,
        }
    }

    /// Makes `state` the current delta as a statement of its own (a new
    /// version: prepared statements and caches see the change), as
    /// `vdb.reset()` and `vdb.restore()` do.
    pub fn replace(&self, state: &DeltaState) {
        let mut w = self.writer();
        w.next = state.clone();
        w.commit();
    }

    /// Makes `state` current again (ROLLBACK TO SAVEPOINT in a fork).
    pub fn restore(&self, state: Arc<DeltaState>) {
        let _gate = self.gate.lock();
        *self.state.write() = state;
    }

    /// COMMIT of a transaction that forked `base` and made it `private`:
    /// what the transaction changed, row by row, is applied over the
    /// current state as one statement. Rows others changed meanwhile stay
    /// theirs unless the transaction changed the same rows (the later
    /// commit wins: vdb takes no row locks yet).
    pub fn merge(&self, base: &DeltaState, private: &DeltaState) {
        let mut w = self.writer();
        w.next = if w.next.version == base.version {
            // Nobody committed since the fork: the private state is the
            // next state.
            private.clone()
        } else {
            rebased(base, private, &w.next)
        };
        w.commit();
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
    /// A delta of its own that starts as the state being built: a
    /// statement a trigger runs is computed and committed there, and its
    /// state becomes this writer's (the gate stays held meanwhile).
    pub fn fork(&self) -> Delta {
        Delta {
            state: RwLock::new(Arc::new(self.next.clone())),
            gate: Mutex::new(()),
            meta: self.delta.meta.clone(),
            limit: self.delta.limit,
        }
    }

    /// The table's delta for changing, copied from the shared one on first
    /// use in this statement.
    pub fn table(&mut self, meta: &Arc<TableMeta>, key: &[usize]) -> &mut TableDelta {
        if !self.next.tables.contains_key(&meta.id) {
            self.next.tables.insert(
                meta.id.clone(),
                Arc::new(TableDelta::new(meta.clone(), key.to_vec())),
            );
            // Later reads inside the same statement must see it changed.
            self.next.refresh_names();
        }
        let entry = self.next.tables.get_mut(&meta.id).expect("inserted above");
        Arc::make_mut(entry)
    }

    /// The table's delta as it stands in the state being built.
    pub fn peek(&self, id: &TableId) -> Option<&TableDelta> {
        self.next.tables.get(id).map(|t| &**t)
    }

    /// Publishes the state: every later read sees all of this statement.
    pub fn commit(mut self) {
        self.next.version = next_version();
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
            default_instant: None,
            name: n.into(),
            column: int.clone(),
            nullable: n != "id",
            default: None,
            auto_increment: false,
            generated: None,
            comment: String::new(),
            on_update: None,
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
                ..UniqueKey::default()
            }],
            foreign_keys: vec![],
            referenced_by: vec![],
            checks: vec![],
            auto_increment: Some(10),
            triggers: vec![],
            created: false,
            indexes: vec![],
            collation: None,
            comment: String::new(),
            row_format: None,
            estimated_rows: None,
            source_indexes: Vec::new(),
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

    impl Window {
        /// The window's text; panics for any other outcome.
        fn text(self) -> String {
            match self {
                Window::Sql(s) => s,
                other => panic!("no window: {other:?}"),
            }
        }
    }

    #[test]
    fn a_window_merges_the_sources_first_rows_with_the_deltas_at_their_keys() {
        let mut t = TableDelta::new(meta(), vec![0]);
        t.update(&row("2", Some("7")), row("2", Some("8")));
        t.delete(&row("3", Some("7")));
        t.insert(row("-1", None));
        t.insert(row("10", Some("9")));
        let source = |ids: &[&str]| -> Vec<Row> {
            ids.iter()
                .map(|i| vec![Some(i.as_bytes().to_vec())])
                .collect()
        };
        // The first four in key order: the inserted -1 before the source's
        // 1, 2 as edited, 3 left out: the source's keys up to 4 with the
        // delta's changes spelled over them, sorted into place.
        let w = t
            .window_sql(
                &source(&["1", "2", "3", "4", "5"]),
                false,
                4,
                false,
                false,
                None,
            )
            .unwrap()
            .text();
        assert_eq!(
            w,
            "(SELECT `id`, CASE `id` WHEN CAST(2 AS SIGNED) THEN CAST(8 AS SIGNED) ELSE `v` END AS `v` \
             FROM `db`.`Widgets` WHERE (`id` <= 4) AND `id` NOT IN (CAST(3 AS SIGNED)) \
             UNION ALL SELECT CAST(-1 AS SIGNED), CAST(NULL AS SIGNED) ORDER BY `id` LIMIT 4)"
        );
        // Newest first: the inserted 10 before the source's last row.
        let w = t
            .window_sql(&source(&["6", "5"]), false, 2, true, true, None)
            .unwrap()
            .text();
        assert!(
            w.contains("CAST(10 AS SIGNED)") && w.contains("WHERE (`id` >= 6)"),
            "{w}"
        );
        // The query sorts by the key itself: nothing is sorted twice.
        assert!(!w.contains("ORDER BY"), "{w}");
        // A page thinned by deletes is not the whole window: ask for more,
        // unless the source has no more rows.
        let short = source(&["1", "2", "3"]);
        assert_eq!(
            t.window_sql(&short, false, 4, false, false, None).unwrap(),
            Window::More
        );
        let w = t
            .window_sql(&short, true, 4, false, false, None)
            .unwrap()
            .text();
        assert!(w.contains("CAST(10 AS SIGNED)") && !w.contains("<="), "{w}");
        // Without inserted rows in it, the window is the source's table
        // read by a range of its key (the source merges it into the query).
        let mut edited = TableDelta::new(meta(), vec![0]);
        edited.update(&row("2", Some("7")), row("2", Some("8")));
        edited.delete(&row("3", Some("7")));
        let w = edited
            .window_sql(&source(&["1", "2", "3", "4"]), false, 3, false, false, None)
            .unwrap()
            .text();
        assert_eq!(
            w,
            "(SELECT `id`, CASE `id` WHEN CAST(2 AS SIGNED) THEN CAST(8 AS SIGNED) ELSE `v` END AS `v` \
             FROM `db`.`Widgets` WHERE (`id` <= 4) AND `id` NOT IN (CAST(3 AS SIGNED)))"
        );
    }

    /// `meta()` keyed by a VARCHAR under a case-insensitive collation.
    fn text_keyed() -> Arc<TableMeta> {
        let mut m = (*meta()).clone();
        m.columns[0].column = Column {
            data_type: "varchar".into(),
            column_type: "varchar(20)".into(),
            charset: Some("utf8mb4".into()),
            collation: Some("utf8mb4_general_ci".into()),
        };
        Arc::new(m)
    }

    #[test]
    fn a_scan_sorted_by_a_column_reads_the_sources_first_rows_and_the_deltas_that_may_come_among_them(
    ) {
        let mut t = TableDelta::new(meta(), vec![0]);
        for (id, v) in [("1", "50"), ("2", "40"), ("3", "30")] {
            t.update(&row(id, Some("0")), row(id, Some(v)));
        }
        t.insert(row("9", Some("40")));
        t.delete(&row("4", Some("0")));
        // The first two by v DESC: of the delta's rows, 50 and the two
        // 40s (a tie at the edge); 30 cannot come among them.
        let v = t.top_column("v", None).unwrap();
        assert_eq!(v, 1);
        let v = t.top_sql(v, true, 2, None, None).unwrap();
        assert!(
            v.starts_with("((SELECT `id`, `v` FROM `db`.`Widgets` WHERE (`id`) NOT IN (")
                || v.starts_with("((SELECT `id`, `v` FROM `db`.`Widgets` WHERE `id` NOT IN ("),
            "{v}"
        );
        assert!(v.contains(" ORDER BY `v` DESC, `id` DESC LIMIT 2)"), "{v}");
        assert!(
            v.contains("CAST(50 AS SIGNED)") && !v.contains("CAST(30 AS SIGNED)"),
            "{v}"
        );
        assert_eq!(v.matches("CAST(40 AS SIGNED)").count(), 2, "{v}");
        // Told the source's first keys in that order, only the changed or
        // deleted rows among them are left out by name.
        let first = vec![vec![Some(b"7".to_vec())], vec![Some(b"4".to_vec())]];
        let v = t.top_sql(1, true, 2, None, Some(&first)).unwrap();
        assert!(v.contains("NOT IN (CAST(4 AS SIGNED))"), "{v}");
        assert_eq!(
            t.top_probe(1, false, 10),
            "SELECT `id`, `v` FROM `db`.`Widgets` ORDER BY `v`, `id` LIMIT 10"
        );
    }

    #[test]
    fn a_thousand_left_out_keys_are_tested_where_mariadb_keeps_the_list_a_list() {
        let mut t = TableDelta::new(meta(), vec![0]);
        for id in 0..999 {
            t.delete(&row(&id.to_string(), None));
        }
        let short = t.derived_sql().unwrap();
        assert!(short.contains("WHERE (`id`) NOT IN ((CAST(0 AS SIGNED)), "));
        t.delete(&row("999", None));
        let long = t.derived_sql().unwrap();
        assert!(long.contains("WHERE ((`id`) IN ((CAST(0 AS SIGNED)), "));
        assert!(long.ends_with("(CAST(999 AS SIGNED)))) IS FALSE)"));
        // The scan form, with a row changed in place spelled over.
        t.update(&row("5000", None), row("5000", Some("1")));
        let scan = t.projected_sql(&[], None, true, None).unwrap().unwrap();
        let end = &scan[scan.len() - 40..];
        assert!(
            scan.contains(" WHERE (`id` IN (CAST(0 AS SIGNED), "),
            "{end}"
        );
        assert!(scan.ends_with("CAST(999 AS SIGNED))) IS FALSE)"), "{end}");
    }

    #[test]
    fn a_window_over_a_text_key_places_rows_by_the_keys_collation() {
        let mut t = TableDelta::new(text_keyed(), vec![0]);
        let key = |k: &str| vec![Some(k.as_bytes().to_vec())];
        let text = |k: &str| Some(k.as_bytes().to_vec());
        // `B` sorts between the source's `a` and `c` in a case-insensitive
        // collation, though its bytes come before both.
        t.insert(vec![text("B"), None]);
        t.update(&vec![text("c"), None], vec![text("c"), text("1")]);
        assert_eq!(t.window_order(None), Some(false));
        let source: Vec<Row> = ["a", "c", "D", "e"].iter().map(|k| key(k)).collect();
        let w = t
            .window_sql(&source, false, 3, false, false, None)
            .unwrap()
            .text();
        // a, B, c: the window ends at the source's `c`, compared by the
        // source in the column's collation, with B sorted into place.
        assert!(
            w.contains("WHERE (`id` <= _utf8mb4 X'63' COLLATE utf8mb4_general_ci)"),
            "{w}"
        );
        assert!(w.ends_with(" ORDER BY `id` LIMIT 3)"), "{w}");
        assert!(!t.scan_in_key_order(Some(&key("e"))), "B belongs before e");
        assert!(t.scan_in_key_order(Some(&key("A"))), "all after A");
        // A key whose order vdb cannot tell: no window, the source sorts.
        t.insert(vec![text("É"), None]);
        assert_eq!(
            t.window_sql(&source, false, 3, false, false, None).unwrap(),
            Window::Unordered
        );
        assert!(!t.scan_in_key_order(Some(&key("A"))));
        let v = t.projected_sql(&[], None, true, Some(2)).unwrap().unwrap();
        assert!(
            v.contains(" ORDER BY `id` LIMIT 2) UNION ALL ")
                && v.ends_with(" ORDER BY `id` LIMIT 2)"),
            "{v}"
        );
    }

    #[test]
    fn a_whole_scan_is_in_key_order_only_while_the_added_rows_come_last() {
        let last = vec![Some(b"5".to_vec())];
        let mut t = TableDelta::new(meta(), vec![0]);
        // Changed in place: spelled over the source's rows, in place.
        t.update(&row("2", Some("7")), row("2", Some("8")));
        t.insert(row("10", None));
        assert!(t.scan_in_key_order(Some(&last)));
        t.insert(row("-1", None));
        assert!(!t.scan_in_key_order(Some(&last)));
        assert!(t.scan_in_key_order(None), "no source rows to come before");
        assert!(t
            .sorted_sql(None, None)
            .unwrap()
            .ends_with(" ORDER BY `id` LIMIT 18446744073709551615)"));
    }

    #[test]
    fn a_transaction_rebased_over_others_keeps_every_change_of_a_large_table() {
        // imbl 6's OrdMap::diff lost changes next to shared nodes (imbl
        // #161): a transfer's debit vanished at COMMIT.
        let m = meta();
        let mut shared = TableDelta::new(m.clone(), vec![0]);
        for id in 0..300 {
            shared.insert(row(&id.to_string(), Some("1000")));
        }
        let id = m.id.clone();
        let mut base = DeltaState::default();
        base.tables.insert(id.clone(), Arc::new(shared));
        for changed in 0..300 {
            let mut mine = (*base.tables[&id]).clone();
            let k = changed.to_string();
            mine.update(&row(&k, Some("1000")), row(&k, Some("1")));
            let mut private = base.clone();
            private.tables.insert(id.clone(), Arc::new(mine));
            let mut theirs = (*base.tables[&id]).clone();
            let other = ((changed + 150) % 300).to_string();
            theirs.update(&row(&other, Some("1000")), row(&other, Some("2")));
            let mut latest = base.clone();
            latest.tables.insert(id.clone(), Arc::new(theirs));
            let merged = rebased(&base, &private, &latest);
            let t = &merged.tables[&id];
            let value = |k: &str| t.rows[&t.key_of(&row(k, None))][1].clone();
            assert_eq!(value(&k), Some(b"1".to_vec()), "row {k}");
            assert_eq!(value(&other), Some(b"2".to_vec()), "row {other}");
        }
    }

    #[test]
    fn identical_rows_of_a_key_less_table_are_counted_copies() {
        let mut m = (*meta()).clone();
        m.unique_keys.clear();
        m.columns[1].column = Column {
            data_type: "varchar".into(),
            column_type: "varchar(10)".into(),
            charset: Some("utf8mb4".into()),
            collation: Some("utf8mb4_general_ci".into()),
        };
        let m = Arc::new(m);
        let key = m.delta_key().unwrap();
        assert_eq!(key, vec![0, 1]);
        let mut t = TableDelta::new(m.clone(), key);
        assert!(t.counted);
        // The source holds three copies of (1, 'a'): deleting one takes
        // them all over and leaves two.
        let image = row("1", Some("a"));
        assert!(t.needs_adoption(&image));
        // A copy added by the delta does not stand for the source's.
        t.insert(image.clone());
        assert!(t.needs_adoption(&image));
        t.delete(&image);
        t.adopt(&image, 3);
        t.delete(&image);
        assert!(!t.needs_adoption(&image));
        assert_eq!((t.hidden.len(), t.rows.len()), (1, 2));
        let sql = t.derived_sql().unwrap();
        assert!(
            sql.contains("WHERE NOT ((`id` <=> CAST(1 AS SIGNED) AND CAST(`v` AS BINARY) <=> CAST(_utf8mb4 X'61'"),
            "{sql}"
        );
        assert_eq!(sql.matches("UNION ALL").count(), 2, "{sql}");
        // Two transactions adding the same row keep both copies.
        let id = m.id.clone();
        let mut base = DeltaState::default();
        base.tables.insert(id.clone(), Arc::new(t));
        let fork = |b: &DeltaState| {
            let mut t = (*b.tables[&id]).clone();
            t.insert(row("2", None));
            let mut s = b.clone();
            s.tables.insert(id.clone(), Arc::new(t));
            s
        };
        let (mine, theirs) = (fork(&base), fork(&base));
        let merged = rebased(&base, &mine, &theirs);
        assert_eq!(merged.tables[&id].rows.len(), 4);
    }

    fn preds(sql: &str) -> Vec<crate::sql::restrict::Pred> {
        let refs = crate::sql::tables::table_refs(sql).unwrap();
        refs[0].restriction.preds.clone()
    }

    /// `t`'s merged view for the restriction of `sql`.
    fn restricted(t: &TableDelta, sql: &str) -> Option<String> {
        t.restricted_sql(&preds(sql))
            .unwrap()
            .map(|s| s.to_string())
    }

    #[test]
    fn a_filtered_view_spells_only_the_columns_changes_touched_over_the_source() {
        // Widgets (id, v, w), with an index on w.
        let mut m = (*meta()).clone();
        let mut w = m.columns[1].clone();
        w.name = "w".into();
        m.columns.push(w);
        m.source_indexes = vec![2];
        let m = Arc::new(m);
        let r = |id: &str, v: &str, w: &str| -> Row {
            vec![
                Some(id.as_bytes().to_vec()),
                Some(v.as_bytes().to_vec()),
                Some(w.as_bytes().to_vec()),
            ]
        };
        let mut t = TableDelta::new(m.clone(), vec![0]);
        t.update_all(&[r("3", "1", "5")], vec![r("3", "2", "5")]);
        assert_eq!(t.differs, [false, true, false]);
        t.delete(&r("4", "1", "5"));
        t.insert(r("90", "1", "5"));
        // The changed row keeps its place in the source's rows, read by the
        // index on w; the inserted one follows; the deleted one is left out.
        assert_eq!(
            restricted(&t, "SELECT * FROM t WHERE w = 5").unwrap(),
            "(SELECT `id`, CASE `id` WHEN CAST(3 AS SIGNED) THEN CAST(2 AS SIGNED) ELSE `v` END AS `v`, `w` \
             FROM `db`.`Widgets` WHERE `w` = 5 AND `id` NOT IN (CAST(4 AS SIGNED)) \
             UNION ALL SELECT CAST(90 AS SIGNED), CAST(1 AS SIGNED), CAST(5 AS SIGNED))"
        );
        // A changed row the query cannot use is left out as a deleted one
        // (and with none to spell, the UNION form lists the inserted row).
        let v = restricted(&t, "SELECT * FROM t WHERE v = 1").unwrap();
        assert!(
            v.contains("NOT IN ((CAST(3 AS SIGNED)), (CAST(4 AS SIGNED)))") && !v.contains("CASE"),
            "{v}"
        );
        // Once the indexed column changed, it is spelled too, and the
        // source part also reads the rows the query's tests pick by the
        // source's own columns (by their index) or the changed rows by key.
        let mut t2 = t.clone();
        t2.update_all(&[r("6", "1", "5")], vec![r("6", "1", "7")]);
        assert_eq!(t2.differs, [false, true, true]);
        let v = restricted(&t2, "SELECT * FROM t WHERE w = 5").unwrap();
        assert!(
            v.contains("CASE `id` WHEN CAST(3 AS SIGNED) THEN CAST(2 AS SIGNED)")
                && v.contains(" WHERE ((`w` = 5) OR (`id`) IN ((CAST(3 AS SIGNED)))) AND `id` NOT IN (CAST(4 AS SIGNED), CAST(6 AS SIGNED))"),
            "{v}"
        );
        // Without a test of its own to read by, the UNION form.
        let v = restricted(&t2, "SELECT * FROM t WHERE w + 0 = 5").unwrap();
        assert!(v.contains(" UNION ALL ") && !v.contains("CASE"), "{v}");
        // A row inserted again over a deleted one may differ anywhere.
        let mut t3 = TableDelta::new(m, vec![0]);
        t3.delete(&r("4", "1", "5"));
        t3.insert(r("4", "1", "5"));
        assert_eq!(t3.differs, [true, true, true]);
    }

    #[test]
    fn a_restricted_view_embeds_only_rows_the_query_can_use() {
        let mut t = TableDelta::new(meta(), vec![0]);
        for id in [-5, 1, 2, 10, 300] {
            t.insert(row(&id.to_string(), Some("7")));
        }
        t.update(&row("20", Some("1")), row("21", Some("8")));
        t.delete(&row("40", Some("1")));
        let view = |sql: &str| restricted(&t, sql);
        // Nothing captured can pass: the source table answers alone.
        assert_eq!(view("SELECT * FROM t WHERE id = 3"), None);
        assert_eq!(view("SELECT * FROM t WHERE id BETWEEN 11 AND 19"), None);
        assert_eq!(view("SELECT * FROM t WHERE id > 10 AND id < 10"), None);
        // A source row's other columns are not known: its key stays hidden.
        assert_eq!(
            view("SELECT * FROM t WHERE v = 9").unwrap(),
            "(SELECT `id`, `v` FROM `db`.`Widgets` WHERE `v` = 9 AND (`id`) NOT IN ((CAST(20 AS SIGNED)), (CAST(40 AS SIGNED))))"
        );
        assert_eq!(
            view("SELECT * FROM t WHERE id = 2").unwrap(),
            "(SELECT `id`, `v` FROM `db`.`Widgets` WHERE `id` = 2 UNION ALL SELECT CAST(2 AS SIGNED), CAST(7 AS SIGNED))"
        );
        // Ranges follow numeric order, negative numbers included.
        let v = view("SELECT * FROM t WHERE id >= -5 AND id < 2").unwrap();
        assert!(
            v.contains("CAST(-5 AS SIGNED)") && v.contains("CAST(1 AS SIGNED)"),
            "{v}"
        );
        assert!(!v.contains("CAST(2 AS"), "{v}");
        // Hidden source keys are tested by key only.
        let v = view("SELECT * FROM t WHERE id IN (20, 40, 300)").unwrap();
        assert!(
            v.contains("NOT IN ((CAST(20 AS SIGNED)), (CAST(40 AS SIGNED)))"),
            "{v}"
        );
        assert!(
            v.contains("CAST(300 AS SIGNED)") && !v.contains("CAST(21 AS"),
            "{v}"
        );
        let v = view("SELECT * FROM t WHERE v = 8").unwrap();
        assert!(
            v.contains("NOT IN") && v.contains("CAST(21 AS SIGNED)"),
            "{v}"
        );
        assert!(!v.contains("CAST(10 AS"), "{v}");
    }

    #[test]
    fn a_table_read_whole_keeps_changed_rows_in_their_places() {
        let mut t = TableDelta::new(meta(), vec![0]);
        // Row 2 changed in place, 3 deleted, 50 inserted.
        t.update(&row("2", Some("1")), row("2", Some("9")));
        t.delete(&row("3", Some("1")));
        t.insert(row("50", Some("5")));
        let scan = |first| {
            t.projected_sql(&[], None, true, first)
                .unwrap()
                .unwrap()
                .to_string()
        };
        // No UNION for the changed row: the source streams the table in
        // its own order with row 2 where it stands.
        assert_eq!(
            scan(None),
            "(SELECT `id`, CASE WHEN `id` IN (CAST(2 AS SIGNED)) THEN CASE `id` WHEN CAST(2 AS SIGNED) THEN CAST(9 AS SIGNED) ELSE `v` END ELSE `v` END AS `v` FROM `db`.`Widgets` WHERE `id` NOT IN (CAST(3 AS SIGNED)) UNION ALL SELECT CAST(50 AS SIGNED), CAST(5 AS SIGNED))"
        );
        // `LIMIT 20`: the source part stops at 20 rows, then the inserted.
        assert!(
            scan(Some(20)).starts_with("((SELECT `id`, CASE")
                && scan(Some(20))
                    .contains("NOT IN (CAST(3 AS SIGNED)) LIMIT 20) UNION ALL SELECT CAST(50"),
            "{}",
            scan(Some(20))
        );
        // A query that is not a scan reads the UNION form.
        assert!(t
            .projected_sql(&[], None, false, None)
            .unwrap()
            .unwrap()
            .contains("NOT IN ((CAST(2 AS SIGNED)), (CAST(3 AS SIGNED))) UNION ALL"));
        // Inserted rows only, read whole: the UNION form, unless a limit
        // shortens it.
        let mut t = TableDelta::new(meta(), vec![0]);
        t.insert(row("50", Some("5")));
        assert_eq!(
            *t.projected_sql(&[], None, true, None).unwrap().unwrap(),
            *t.derived_sql().unwrap()
        );
        assert!(t
            .projected_sql(&[], None, true, Some(5))
            .unwrap()
            .unwrap()
            .contains("LIMIT 5) UNION ALL"));
        // A key of two columns is compared as a row (a row whose key
        // changed is one hidden and one inserted).
        let mut t = TableDelta::new(meta(), vec![0, 1]);
        t.update(&row("2", Some("1")), row("2", Some("9")));
        assert_eq!(
            scan_of(&t),
            "(SELECT `id`, `v` FROM `db`.`Widgets` WHERE (`id`, `v`) NOT IN ((CAST(2 AS SIGNED), CAST(1 AS SIGNED))) UNION ALL SELECT CAST(2 AS SIGNED), CAST(9 AS SIGNED))"
        );
        let mut t = TableDelta::new(meta(), vec![0, 1]);
        t.delete(&row("3", Some("1")));
        assert_eq!(
            scan_of(&t),
            "(SELECT `id`, `v` FROM `db`.`Widgets` WHERE (`id`, `v`) NOT IN ((CAST(3 AS SIGNED), CAST(1 AS SIGNED))))"
        );
    }

    fn scan_of(t: &TableDelta) -> String {
        t.projected_sql(&[], None, true, None)
            .unwrap()
            .unwrap()
            .to_string()
    }

    #[test]
    fn a_projected_table_reads_the_source_rows_through_its_new_definition() {
        // `Widgets` altered: v renamed to w, a column `note` added with
        // 'x' in every existing row; the table is now the delta's.
        let mut m = (*meta()).clone();
        m.columns[1].name = "w".into();
        let mut note = m.columns[1].clone();
        note.name = "note".into();
        m.columns.push(note);
        m.created = true;
        let mut t = TableDelta::new(Arc::new(m), vec![0]);
        t.origin = Some(Arc::new(Origin {
            table: meta().id.clone(),
            columns: vec![
                Projected::Column("id".into()),
                Projected::Column("v".into()),
                Projected::Value(Some(b"5".to_vec())),
            ],
        }));
        // Never the table's own name: the source has no such table.
        assert_eq!(
            restricted(&t, "SELECT * FROM t WHERE w = 9").unwrap(),
            "(SELECT `id`, `v` AS `w`, CAST(5 AS SIGNED) AS `note` FROM `db`.`Widgets` WHERE `v` = 9)"
        );
        assert_eq!(
            t.derived_sql().unwrap().as_str(),
            "(SELECT `id`, `v` AS `w`, CAST(5 AS SIGNED) AS `note` FROM `db`.`Widgets`)"
        );
        // Writes hide source keys, as for the source table itself.
        t.update(&row3("1", "2", "5"), row3("1", "3", "6"));
        t.delete(&row3("4", "2", "5"));
        assert_eq!(t.hidden.len(), 2);
        // A test of the shared value is the outer query's alone; the key
        // is the source's column.
        assert_eq!(
            restricted(&t, "SELECT * FROM t WHERE note = 6").unwrap(),
            "(SELECT `id`, `v` AS `w`, CAST(5 AS SIGNED) AS `note` FROM `db`.`Widgets` WHERE (`id`) NOT IN ((CAST(1 AS SIGNED)), (CAST(4 AS SIGNED))) UNION ALL SELECT CAST(1 AS SIGNED), CAST(3 AS SIGNED), CAST(6 AS SIGNED))"
        );
        // By key: the in-place form, over the source table's columns.
        assert_eq!(
            restricted(&t, "SELECT * FROM t WHERE id IN (1, 4)").unwrap(),
            "(SELECT `id`, CASE `id` WHEN CAST(1 AS SIGNED) THEN CAST(3 AS SIGNED) ELSE `v` END AS `w`, CASE `id` WHEN CAST(1 AS SIGNED) THEN CAST(6 AS SIGNED) ELSE CAST(5 AS SIGNED) END AS `note` FROM `db`.`Widgets` WHERE `id` NOT IN (CAST(4 AS SIGNED)))"
        );
        // Keys nothing changed still read through the projection.
        assert_eq!(
            restricted(&t, "SELECT * FROM t WHERE id = 7").unwrap(),
            "(SELECT `id`, `v` AS `w`, CAST(5 AS SIGNED) AS `note` FROM `db`.`Widgets`)"
        );
    }

    fn row3(a: &str, b: &str, c: &str) -> Row {
        vec![
            Some(a.as_bytes().to_vec()),
            Some(b.as_bytes().to_vec()),
            Some(c.as_bytes().to_vec()),
        ]
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

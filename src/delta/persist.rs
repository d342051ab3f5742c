//! The delta as bytes, for `--state FILE`: the current state and named
//! snapshots, encoded and decoded without any I/O (the caller reads and
//! writes the file).
//!
//! The format is private to this version of vdb: a magic, a format
//! version, the payload, and an FNV-1a checksum of the payload. Anything
//! that does not decode exactly (a truncated or altered file, another
//! format version) is refused whole; nothing is half-loaded. Caches (the
//! merged view's SQL, the lower-cased names) are rebuilt, not stored.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use imbl::OrdMap;

use super::{
    CheckConstraint, ColumnMeta, DatabaseDef, DeltaState, FkRule, ForeignKey, Generated, Origin,
    Projected, Row, SchemaChange, SchemaDelta, TableDelta, TableId, TableMeta, Trigger, UniqueKey,
    Value, ViewDef,
};
use crate::sql::ddl::KeyOptions;
use crate::sql::literal::Column;

const MAGIC: &[u8; 8] = b"VDBSTATE";
/// Bumped whenever the encoding changes. Formats 1 (before databases were
/// captured) to 11 (before TIMESTAMP values were kept as instants) are
/// still read.
const FORMAT: u32 = 12;

/// The first format that keeps TIMESTAMP values as instants (UTC text);
/// earlier ones kept the text the writing session saw, in its time zone
/// (see `admin::state_file::instants_from_wall_clock`).
pub const INSTANTS: u32 = 12;

/// The format a state file's bytes say they are in, if they are one.
pub fn format_of(bytes: &[u8]) -> Option<u32> {
    if bytes.len() < 12 || &bytes[..8] != MAGIC {
        return None;
    }
    Some(u32::from_le_bytes(
        bytes[8..12].try_into().expect("4 bytes"),
    ))
}

/// Why a state file cannot be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrupt(pub String);

/// A named snapshot as stored: name, when it was taken, the state.
pub type SavedSnapshot = (String, String, DeltaState);

/// Encodes the current state and the snapshots.
pub fn encode(current: &DeltaState, snapshots: &[(&str, &str, &DeltaState)]) -> Vec<u8> {
    encode_as(current, snapshots, FORMAT)
}

/// [`encode`] in format `format`: what an earlier vdb would have saved,
/// for tests of how older files are read.
pub fn encode_as(
    current: &DeltaState,
    snapshots: &[(&str, &str, &DeltaState)],
    format: u32,
) -> Vec<u8> {
    let mut w = Writer(Vec::new(), format);
    state(&mut w, current);
    w.len(snapshots.len());
    for (name, at, s) in snapshots {
        w.str(name);
        w.str(at);
        state(&mut w, s);
    }
    let payload = w.0;
    let mut out = Vec::with_capacity(payload.len() + 28);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&format.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&fnv(&payload).to_le_bytes());
    out
}

/// Decodes what [`encode`] wrote: the current state and the snapshots.
pub fn decode(bytes: &[u8]) -> Result<(DeltaState, Vec<SavedSnapshot>), Corrupt> {
    if bytes.len() < 28 || &bytes[..8] != MAGIC {
        return Err(Corrupt("not a vdb state file".into()));
    }
    let format = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if !(1..=FORMAT).contains(&format) {
        return Err(Corrupt(format!(
            "state format {format}, but this vdb reads format {FORMAT}"
        )));
    }
    let len = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes")) as usize;
    if bytes.len() != 20 + len + 8 {
        return Err(Corrupt("truncated or extended".into()));
    }
    let payload = &bytes[20..20 + len];
    let sum = u64::from_le_bytes(bytes[20 + len..].try_into().expect("8 bytes"));
    if fnv(payload) != sum {
        return Err(Corrupt("checksum mismatch".into()));
    }
    let mut r = Reader { b: payload, at: 0 };
    let current = read_state(&mut r, format)?;
    let n = r.len()?;
    let mut snapshots = Vec::with_capacity(n);
    for _ in 0..n {
        snapshots.push((r.str()?, r.str()?, read_state(&mut r, format)?));
    }
    if r.at != payload.len() {
        return Err(Corrupt("trailing bytes".into()));
    }
    Ok((current, snapshots))
}

fn fnv(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf29ce484222325u64, |h, &x| {
        (h ^ u64::from(x)).wrapping_mul(0x100000001b3)
    })
}

/// The bytes, and the format they are written in.
struct Writer(Vec<u8>, u32);

impl Writer {
    fn u64(&mut self, n: u64) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }
    fn len(&mut self, n: usize) {
        self.u64(n as u64);
    }
    fn bool(&mut self, b: bool) {
        self.0.push(u8::from(b));
    }
    fn bytes(&mut self, b: &[u8]) {
        self.len(b.len());
        self.0.extend_from_slice(b);
    }
    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    fn opt_str(&mut self, s: &Option<String>) {
        self.value(&s.as_ref().map(|s| s.as_bytes().to_vec()));
    }
    fn value(&mut self, v: &Value) {
        match v {
            None => self.0.push(0),
            Some(b) => {
                self.0.push(1);
                self.bytes(b);
            }
        }
    }
    fn row(&mut self, r: &Row) {
        self.len(r.len());
        for v in r {
            self.value(v);
        }
    }
    fn id(&mut self, id: &TableId) {
        self.str(&id.schema);
        self.str(&id.name);
    }
    fn positions(&mut self, p: &[usize]) {
        self.len(p.len());
        for &i in p {
            self.len(i);
        }
    }
    fn strs(&mut self, v: &[String]) {
        self.len(v.len());
        for s in v {
            self.str(s);
        }
    }
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], Corrupt> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or_else(|| Corrupt("truncated".into()))?;
        let out = &self.b[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn u64(&mut self) -> Result<u64, Corrupt> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    /// A count or length, which can never exceed what is left to read.
    fn len(&mut self) -> Result<usize, Corrupt> {
        let n = self.u64()?;
        usize::try_from(n)
            .ok()
            .filter(|&n| n <= self.b.len() - self.at)
            .ok_or_else(|| Corrupt("a length beyond the file".into()))
    }
    fn bool(&mut self) -> Result<bool, Corrupt> {
        match self.take(1)?[0] {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(Corrupt("a flag that is neither 0 nor 1".into())),
        }
    }
    fn bytes(&mut self) -> Result<Vec<u8>, Corrupt> {
        let n = self.len()?;
        Ok(self.take(n)?.to_vec())
    }
    fn str(&mut self) -> Result<String, Corrupt> {
        String::from_utf8(self.bytes()?).map_err(|_| Corrupt("a name that is not UTF-8".into()))
    }
    fn opt_str(&mut self) -> Result<Option<String>, Corrupt> {
        match self.value()? {
            None => Ok(None),
            Some(b) => String::from_utf8(b)
                .map(Some)
                .map_err(|_| Corrupt("a name that is not UTF-8".into())),
        }
    }
    fn value(&mut self) -> Result<Value, Corrupt> {
        Ok(if self.bool()? {
            Some(self.bytes()?)
        } else {
            None
        })
    }
    fn row(&mut self) -> Result<Row, Corrupt> {
        let n = self.len()?;
        (0..n).map(|_| self.value()).collect()
    }
    fn id(&mut self) -> Result<TableId, Corrupt> {
        Ok(TableId {
            schema: self.str()?,
            name: self.str()?,
        })
    }
    fn positions(&mut self, columns: usize) -> Result<Vec<usize>, Corrupt> {
        let n = self.len()?;
        (0..n)
            .map(|_| {
                let i = self.u64()? as usize;
                (i < columns)
                    .then_some(i)
                    .ok_or_else(|| Corrupt("a key column beyond the table".into()))
            })
            .collect()
    }
    fn strs(&mut self) -> Result<Vec<String>, Corrupt> {
        let n = self.len()?;
        (0..n).map(|_| self.str()).collect()
    }
}

fn state(w: &mut Writer, s: &DeltaState) {
    // Connections' temporary tables end with them: never saved.
    let mut tables: Vec<_> = s
        .tables
        .values()
        .filter(|t| !t.meta.id.is_temporary())
        .collect();
    tables.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
    w.len(tables.len());
    for t in tables {
        meta(w, &t.meta);
        w.positions(&t.key);
        w.bool(t.counted);
        w.u64(t.next_auto);
        w.len(t.hidden.len());
        for (k, v) in &t.hidden {
            w.bytes(k);
            w.row(v);
        }
        w.len(t.rows.len());
        for (k, v) in &t.rows {
            w.bytes(k);
            w.row(v);
        }
        if w.1 >= 8 {
            origin(w, t.origin.as_deref());
        }
        if w.1 >= 11 {
            w.positions(
                &(0..t.differs.len())
                    .filter(|&j| t.differs[j])
                    .collect::<Vec<_>>(),
            );
        }
    }
    w.len(s.views.len());
    for (id, sql) in &s.views {
        w.id(id);
        w.str(sql);
    }
    w.len(s.views_checked.len());
    for id in &s.views_checked {
        w.id(id);
    }
    let created = s.schema.lasting_created();
    w.len(created.len());
    for m in created {
        meta(w, m);
    }
    w.len(s.schema.dropped.len());
    for id in &s.schema.dropped {
        w.id(id);
    }
    let log: Vec<_> = s
        .schema
        .log
        .iter()
        .filter(|c| !c.table.is_temporary())
        .collect();
    w.len(log.len());
    for c in log {
        w.str(&c.kind);
        w.id(&c.table);
        w.str(&c.statement);
    }
    w.len(s.schema.databases.len());
    for (name, def) in &s.schema.databases {
        w.str(name);
        w.str(&def.charset);
        w.str(&def.collation);
        w.str(&def.comment);
    }
    w.len(s.schema.dropped_databases.len());
    for name in &s.schema.dropped_databases {
        w.str(name);
    }
    w.len(s.schema.views.len());
    for (id, v) in &s.schema.views {
        w.id(id);
        w.str(&v.body);
        w.len(v.columns.len());
        for c in &v.columns {
            w.str(c);
        }
        for f in [
            &v.algorithm,
            &v.security,
            &v.definer,
            &v.check_option,
            &v.charset_client,
            &v.collation_connection,
        ] {
            w.str(f);
        }
        meta(w, &v.meta);
    }
    w.len(s.schema.altered_databases.len());
    for (name, def) in &s.schema.altered_databases {
        w.str(name);
        w.str(&def.charset);
        w.str(&def.collation);
        w.str(&def.comment);
    }
}

fn read_state(r: &mut Reader, format: u32) -> Result<DeltaState, Corrupt> {
    let mut s = DeltaState::default();
    for _ in 0..r.len()? {
        let meta = Arc::new(read_meta(r, format)?);
        let key = r.positions(meta.columns.len())?;
        let counted = r.bool()?;
        let next_auto = r.u64()?;
        let mut t = TableDelta::new(meta.clone(), key);
        t.counted = counted;
        t.next_auto = next_auto;
        let width = meta.columns.len();
        let mut hidden = OrdMap::new();
        for _ in 0..r.len()? {
            let k = r.bytes()?;
            hidden.insert(k, r.row()?);
        }
        let mut rows = OrdMap::new();
        for _ in 0..r.len()? {
            let k = r.bytes()?;
            let row = r.row()?;
            if row.len() != width {
                return Err(Corrupt(format!(
                    "a row of {} with the wrong width",
                    meta.id
                )));
            }
            rows.insert(k, Arc::new(row));
        }
        t.set_contents(hidden, rows);
        t.origin = since(format, 8, || read_origin(r, width, format))?;
        if format >= 11 {
            let differs = r.positions(width)?;
            t.differs = (0..width).map(|j| differs.contains(&j)).collect();
        }
        s.tables.insert(meta.id.clone(), Arc::new(t));
    }
    let mut views = HashMap::new();
    for _ in 0..r.len()? {
        views.insert(r.id()?, Arc::new(r.str()?));
    }
    s.views = views;
    let mut checked = HashSet::new();
    for _ in 0..r.len()? {
        checked.insert(r.id()?);
    }
    s.views_checked = checked;
    let mut schema = SchemaDelta::default();
    for _ in 0..r.len()? {
        let m = read_meta(r, format)?;
        schema.created.insert(m.id.clone(), Arc::new(m));
    }
    let mut dropped = BTreeSet::new();
    for _ in 0..r.len()? {
        dropped.insert(r.id()?);
    }
    schema.dropped = dropped;
    for _ in 0..r.len()? {
        schema.log.push(SchemaChange {
            kind: r.str()?,
            table: r.id()?,
            statement: Arc::from(r.str()?),
        });
    }
    if format >= 2 {
        for _ in 0..r.len()? {
            let name = r.str()?;
            let def = DatabaseDef {
                charset: r.str()?,
                collation: r.str()?,
                comment: if format >= 4 { r.str()? } else { String::new() },
            };
            schema.databases.insert(name, def);
        }
        for _ in 0..r.len()? {
            schema.dropped_databases.insert(r.str()?);
        }
        for _ in 0..r.len()? {
            let id = r.id()?;
            let body = r.str()?;
            let mut columns = Vec::new();
            for _ in 0..r.len()? {
                columns.push(r.str()?);
            }
            schema.views.insert(
                id,
                ViewDef {
                    body,
                    columns,
                    algorithm: r.str()?,
                    security: r.str()?,
                    definer: r.str()?,
                    check_option: r.str()?,
                    charset_client: r.str()?,
                    collation_connection: r.str()?,
                    meta: Arc::new(read_meta(r, format)?),
                },
            );
        }
    }
    if format >= 3 {
        for _ in 0..r.len()? {
            let name = r.str()?;
            let def = DatabaseDef {
                charset: r.str()?,
                collation: r.str()?,
                comment: if format >= 4 { r.str()? } else { String::new() },
            };
            schema.altered_databases.insert(name, def);
        }
    }
    // A created table's delta shares its definition with the schema delta.
    for (id, m) in &schema.created {
        if let Some(t) = s.tables.get_mut(id) {
            Arc::make_mut(t).meta = m.clone();
        }
    }
    s.schema = schema;
    s.refresh_names();
    s.version = super::next_version();
    Ok(s)
}

fn origin(w: &mut Writer, o: Option<&Origin>) {
    let Some(o) = o else {
        w.bool(false);
        return;
    };
    w.bool(true);
    w.id(&o.table);
    w.len(o.columns.len());
    for c in &o.columns {
        match c {
            Projected::Column(column) | Projected::Converted { column, .. } => {
                w.bool(true);
                w.str(column);
                if w.1 >= 9 {
                    let read = match c {
                        Projected::Converted { read, .. } => Some(read.clone()),
                        _ => None,
                    };
                    w.opt_str(&read);
                }
            }
            Projected::Value(v) => {
                w.bool(false);
                w.value(v);
            }
        }
    }
}

fn read_origin(r: &mut Reader, width: usize, format: u32) -> Result<Option<Arc<Origin>>, Corrupt> {
    if !r.bool()? {
        return Ok(None);
    }
    let table = r.id()?;
    let n = r.len()?;
    if n != width {
        return Err(Corrupt(format!(
            "a projection of {table} with the wrong width"
        )));
    }
    let mut columns = Vec::with_capacity(n);
    for _ in 0..n {
        columns.push(if r.bool()? {
            let column = r.str()?;
            match since(format, 9, || r.opt_str())? {
                Some(read) => Projected::Converted { column, read },
                None => Projected::Column(column),
            }
        } else {
            Projected::Value(r.value()?)
        });
    }
    Ok(Some(Arc::new(Origin { table, columns })))
}

fn meta(w: &mut Writer, m: &TableMeta) {
    w.id(&m.id);
    w.len(m.columns.len());
    for c in &m.columns {
        w.str(&c.name);
        w.str(&c.column.data_type);
        w.str(&c.column.column_type);
        w.opt_str(&c.column.charset);
        w.opt_str(&c.column.collation);
        w.bool(c.nullable);
        w.opt_str(&c.default);
        w.bool(c.auto_increment);
        w.bool(c.generated.is_some());
        if let Some(g) = &c.generated {
            w.str(&g.expr);
            w.bool(g.stored);
        }
        if w.1 >= 6 {
            w.str(&c.comment);
            w.opt_str(&c.on_update);
        }
        if w.1 >= 12 {
            w.opt_str(&c.default_instant);
        }
    }
    for keys in [&m.unique_keys, &m.indexes] {
        w.len(keys.len());
        for k in keys {
            w.str(&k.name);
            w.positions(&k.columns);
            if w.1 >= 7 {
                w.bool(k.options.btree);
                w.str(&k.options.comment);
            }
        }
    }
    for fks in [&m.foreign_keys, &m.referenced_by] {
        w.len(fks.len());
        for f in fks {
            w.str(&f.name);
            w.id(&f.child);
            w.strs(&f.child_columns);
            w.id(&f.parent);
            w.strs(&f.parent_columns);
            for rule in [f.on_delete, f.on_update] {
                w.str(rule.clause().unwrap_or("RESTRICT"));
            }
        }
    }
    w.len(m.checks.len());
    for c in &m.checks {
        w.str(&c.name);
        w.str(&c.clause);
    }
    w.value(&m.auto_increment.map(|n| n.to_string().into_bytes()));
    w.len(m.triggers.len());
    for t in &m.triggers {
        w.str(&t.name);
        w.str(&t.event);
        w.bool(t.before);
        w.str(&t.body);
        w.opt_str(&t.blocked);
        w.u64(t.order);
        w.str(&t.statement);
        w.opt_str(&t.created);
        for s in [
            &t.sql_mode,
            &t.definer,
            &t.charset_client,
            &t.collation_connection,
            &t.database_collation,
        ] {
            w.str(s);
        }
        w.bool(t.implicit_definer);
    }
    w.bool(m.created);
    w.opt_str(&m.collation);
    if w.1 >= 6 {
        w.str(&m.comment);
        w.opt_str(&m.row_format);
    }
    if w.1 >= 10 {
        w.value(&m.estimated_rows.map(|n| n.to_string().into_bytes()));
    }
    if w.1 >= 11 {
        w.positions(&m.source_indexes);
    }
}

fn read_meta(r: &mut Reader, format: u32) -> Result<TableMeta, Corrupt> {
    let id = r.id()?;
    let mut columns = Vec::new();
    for _ in 0..r.len()? {
        columns.push(ColumnMeta {
            name: r.str()?,
            column: Column {
                data_type: r.str()?,
                column_type: r.str()?,
                charset: r.opt_str()?,
                collation: r.opt_str()?,
            },
            nullable: r.bool()?,
            default: r.opt_str()?,
            auto_increment: r.bool()?,
            generated: match r.bool()? {
                false => None,
                // Before format 4 no table with generated columns was
                // ever captured.
                true if format < 4 => {
                    return Err(Corrupt("a generated column without its expression".into()))
                }
                true => Some(Generated {
                    expr: r.str()?,
                    stored: r.bool()?,
                }),
            },
            // Comments and ON UPDATE are kept from format 6.
            comment: since(format, 6, || r.str())?,
            on_update: since(format, 6, || r.opt_str())?,
            // From format 12 (before, TIMESTAMP defaults were not fixed).
            default_instant: since(format, 12, || r.opt_str())?,
        });
    }
    let mut key_lists = Vec::new();
    for _ in 0..2 {
        let mut keys = Vec::new();
        for _ in 0..r.len()? {
            keys.push(UniqueKey {
                name: r.str()?,
                columns: r.positions(columns.len())?,
                // USING BTREE and index comments are kept from format 7.
                options: KeyOptions {
                    btree: since(format, 7, || r.bool())?,
                    comment: since(format, 7, || r.str())?,
                },
            });
        }
        key_lists.push(keys);
    }
    let mut fk_lists = Vec::new();
    for _ in 0..2 {
        let mut fks = Vec::new();
        for _ in 0..r.len()? {
            fks.push(ForeignKey {
                name: r.str()?,
                child: r.id()?,
                child_columns: r.strs()?,
                parent: r.id()?,
                parent_columns: r.strs()?,
                on_delete: FkRule::parse(&r.str()?),
                on_update: FkRule::parse(&r.str()?),
            });
        }
        fk_lists.push(fks);
    }
    let mut checks = Vec::new();
    for _ in 0..r.len()? {
        checks.push(CheckConstraint {
            name: r.str()?,
            clause: r.str()?,
        });
    }
    let auto_increment = match r.value()? {
        None => None,
        Some(b) => Some(
            std::str::from_utf8(&b)
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| Corrupt("an AUTO_INCREMENT that is not a number".into()))?,
        ),
    };
    let indexes = key_lists.pop().expect("two lists");
    let unique_keys = key_lists.pop().expect("two lists");
    let referenced_by = fk_lists.pop().expect("two lists");
    let foreign_keys = fk_lists.pop().expect("two lists");
    let width = columns.len();
    Ok(TableMeta {
        id,
        columns,
        unique_keys,
        foreign_keys,
        referenced_by,
        checks,
        auto_increment,
        triggers: if format < 4 {
            r.strs()?
                .into_iter()
                .map(|name| Trigger {
                    name,
                    event: String::new(),
                    before: false,
                    body: String::new(),
                    blocked: Some("its definition was not kept by an older vdb".into()),
                    ..Trigger::default()
                })
                .collect()
        } else {
            let mut triggers = Vec::new();
            for _ in 0..r.len()? {
                let mut t = Trigger {
                    name: r.str()?,
                    event: r.str()?,
                    before: r.bool()?,
                    body: r.str()?,
                    blocked: r.opt_str()?,
                    ..Trigger::default()
                };
                if format >= 5 {
                    t.order = r.u64()?;
                    t.statement = r.str()?;
                    t.created = r.opt_str()?;
                    for s in [
                        &mut t.sql_mode,
                        &mut t.definer,
                        &mut t.charset_client,
                        &mut t.collation_connection,
                        &mut t.database_collation,
                    ] {
                        *s = r.str()?;
                    }
                    t.implicit_definer = r.bool()?;
                }
                triggers.push(t);
            }
            triggers
        },
        created: r.bool()?,
        indexes,
        collation: r.opt_str()?,
        comment: since(format, 6, || r.str())?,
        row_format: since(format, 6, || r.opt_str())?,
        estimated_rows: since(format, 10, || {
            Ok(r.value()?
                .and_then(|b| std::str::from_utf8(&b).ok()?.parse().ok()))
        })?,
        // After the fields above: struct fields are read in this order.
        source_indexes: since(format, 11, || r.positions(width))?,
    })
}

/// A field that files of format `first` and later keep: `read` it, or its
/// default from an older file.
fn since<T: Default>(
    format: u32,
    first: u32,
    read: impl FnOnce() -> Result<T, Corrupt>,
) -> Result<T, Corrupt> {
    if format >= first {
        read()
    } else {
        Ok(T::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> DeltaState {
        let meta = Arc::new(TableMeta {
            id: TableId {
                schema: "shop".into(),
                name: "items".into(),
            },
            columns: vec![
                ColumnMeta {
                    default_instant: None,
                    name: "id".into(),
                    column: Column {
                        data_type: "int".into(),
                        column_type: "int(11)".into(),
                        charset: None,
                        collation: None,
                    },
                    nullable: false,
                    default: None,
                    auto_increment: true,
                    generated: None,
                    comment: "the key's".into(),
                    on_update: None,
                },
                ColumnMeta {
                    default_instant: None,
                    name: "name".into(),
                    column: Column {
                        data_type: "varchar".into(),
                        column_type: "varchar(20)".into(),
                        charset: Some("utf8mb4".into()),
                        collation: Some("utf8mb4_general_ci".into()),
                    },
                    nullable: true,
                    default: Some("NULL".into()),
                    auto_increment: false,
                    generated: None,
                    comment: String::new(),
                    on_update: Some("current_timestamp()".into()),
                },
            ],
            unique_keys: vec![UniqueKey {
                name: "PRIMARY".into(),
                columns: vec![0],
                options: KeyOptions {
                    btree: true,
                    comment: "the 'key'".into(),
                },
            }],
            auto_increment: Some(7),
            comment: "items, kept".into(),
            row_format: Some("COMPRESSED".into()),
            estimated_rows: Some(1234),
            source_indexes: vec![1],
            ..TableMeta::default()
        });
        let mut t = TableDelta::new(meta.clone(), vec![0]);
        t.update(
            &vec![Some(b"1".to_vec()), Some(b"a".to_vec())],
            vec![Some(b"1".to_vec()), Some(b"b".to_vec())],
        );
        t.insert(vec![Some(b"9".to_vec()), None]);
        t.next_auto = 10;
        let mut s = DeltaState::default();
        s.tables.insert(meta.id.clone(), Arc::new(t));
        s.schema.dropped.insert(TableId {
            schema: "shop".into(),
            name: "old".into(),
        });
        s.schema.databases.insert(
            "scratch".into(),
            DatabaseDef {
                charset: "latin1".into(),
                collation: "latin1_swedish_ci".into(),
                comment: "scratch space".into(),
            },
        );
        s.schema.dropped_databases.insert("legacy".into());
        s.schema.altered_databases.insert(
            "shop".into(),
            DatabaseDef {
                charset: "utf8mb4".into(),
                collation: "utf8mb4_bin".into(),
                comment: String::new(),
            },
        );
        s.schema.views.insert(
            TableId {
                schema: "shop".into(),
                name: "cheap".into(),
            },
            ViewDef {
                body: "SELECT id FROM items WHERE id < 5".into(),
                columns: vec!["n".into()],
                algorithm: "UNDEFINED".into(),
                security: "DEFINER".into(),
                definer: "app@%".into(),
                check_option: "NONE".into(),
                charset_client: "utf8mb4".into(),
                collation_connection: "utf8mb4_general_ci".into(),
                meta: meta.clone(),
            },
        );
        s
    }

    #[test]
    fn a_format_1_file_from_before_databases_were_captured_still_loads() {
        let mut s = sample();
        s.schema.databases.clear();
        s.schema.dropped_databases.clear();
        s.schema.altered_databases.clear();
        s.schema.views.clear();
        let v3 = encode_as(&s, &[], 5);
        let payload = &v3[20..v3.len() - 8];
        // Format 1 ends each state before the (empty) lists of databases,
        // dropped databases, views and altered databases.
        let cut = payload.len() - 8;
        let mut v1_payload = payload[..cut - 32].to_vec();
        v1_payload.extend_from_slice(&payload[cut..]);
        let mut v1 = MAGIC.to_vec();
        v1.extend_from_slice(&1u32.to_le_bytes());
        v1.extend_from_slice(&(v1_payload.len() as u64).to_le_bytes());
        v1.extend_from_slice(&v1_payload);
        v1.extend_from_slice(&fnv(&v1_payload).to_le_bytes());
        let (back, snaps) = decode(&v1).unwrap();
        assert_eq!(back.schema.dropped, s.schema.dropped);
        assert!(back.schema.databases.is_empty());
        assert!(snaps.is_empty());
    }

    #[test]
    fn a_state_and_its_snapshots_come_back_as_they_were() {
        let s = sample();
        let bytes = encode(
            &s,
            &[("before", "2026-11-22 10:00:00", &DeltaState::default())],
        );
        let (back, snaps) = decode(&bytes).unwrap();
        let t = back.tables.values().next().unwrap();
        let orig = s.tables.values().next().unwrap();
        assert_eq!(t.rows, orig.rows);
        assert_eq!(t.hidden, orig.hidden);
        assert_eq!(t.next_auto, 10);
        assert_eq!(t.bytes(), orig.bytes());
        // Only the column the update changed differs from the source's.
        assert_eq!(t.differs, [false, true]);
        assert_eq!(t.meta.source_indexes, [1]);
        assert_eq!(t.meta.columns[1].column, orig.meta.columns[1].column);
        assert_eq!(t.meta.columns[0].comment, "the key's");
        assert_eq!(
            t.meta.columns[1].on_update.as_deref(),
            Some("current_timestamp()")
        );
        assert_eq!(t.meta.comment, "items, kept");
        assert_eq!(t.meta.row_format.as_deref(), Some("COMPRESSED"));
        assert_eq!(t.meta.estimated_rows, Some(1234));
        assert_eq!(back.schema.dropped, s.schema.dropped);
        assert_eq!(back.schema.databases, s.schema.databases);
        assert_eq!(back.schema.dropped_databases, s.schema.dropped_databases);
        assert_eq!(back.schema.altered_databases, s.schema.altered_databases);
        let view = |s: &DeltaState| {
            s.schema
                .views
                .iter()
                .map(|(id, v)| {
                    let cols: Vec<String> = v.meta.columns.iter().map(|c| c.name.clone()).collect();
                    format!("{id} {} {:?} {} {cols:?}", v.body, v.columns, v.definer)
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(view(&back), view(&s));
        assert_eq!(snaps.len(), 1);
        assert_eq!(snaps[0].0, "before");
        assert!(snaps[0].2.tables.is_empty());
    }

    #[test]
    fn a_projected_tables_origin_comes_back() {
        let mut s = sample();
        let id = s.tables.keys().next().unwrap().clone();
        let t = Arc::make_mut(s.tables.get_mut(&id).unwrap());
        let width = t.meta.columns.len();
        let mut columns = vec![Projected::Value(None); width];
        columns[0] = Projected::Converted {
            column: "n".into(),
            read: "CAST({c} AS DECIMAL(6,2))".into(),
        };
        columns[width - 1] = Projected::Value(Some(b"x'y".to_vec()));
        t.origin = Some(Arc::new(Origin {
            table: TableId {
                schema: "shop".into(),
                name: "before".into(),
            },
            columns,
        }));
        let want = t.origin.clone();
        let (back, _) = decode(&encode(&s, &[])).unwrap();
        assert_eq!(back.tables[&id].origin, want);
        // A file of format 8 had no conversions.
        let (eight, _) = decode(&encode_as(&s, &[], 8)).unwrap();
        let columns = &eight.tables[&id].origin.as_ref().unwrap().columns;
        assert_eq!(columns[0], Projected::Column("n".into()));
        // A file of format 7 had no origins.
        let (old, _) = decode(&encode_as(&s, &[], 7)).unwrap();
        assert_eq!(old.tables[&id].origin, None);
    }

    #[test]
    fn a_generated_columns_expression_comes_back() {
        let mut s = sample();
        let id = s.tables.keys().next().unwrap().clone();
        let mut meta = (*s.tables[&id].meta).clone();
        meta.columns[1].generated = Some(Generated {
            expr: "upper(`id`)".into(),
            stored: true,
        });
        s.tables.insert(
            id.clone(),
            Arc::new(TableDelta::new(Arc::new(meta), vec![0])),
        );
        let (back, _) = decode(&encode(&s, &[])).unwrap();
        let g = back.tables[&id].meta.columns[1].generated.clone();
        assert_eq!(
            g,
            Some(Generated {
                expr: "upper(`id`)".into(),
                stored: true
            })
        );
        assert_eq!(back.tables[&id].meta.columns[0].generated, None);
    }

    #[test]
    fn a_triggers_catalog_row_and_text_come_back() {
        let mut s = sample();
        let id = s.tables.keys().next().unwrap().clone();
        let mut meta = (*s.tables[&id].meta).clone();
        let trigger = Trigger {
            name: "t_bi".into(),
            event: "INSERT".into(),
            before: true,
            body: "SET NEW.id = NEW.id + 1".into(),
            blocked: None,
            order: 2,
            statement: "CREATE DEFINER=`u`@`%` TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW SET NEW.id = NEW.id + 1".into(),
            created: Some("2026-11-22 10:00:00.12".into()),
            sql_mode: "STRICT_TRANS_TABLES".into(),
            definer: "u@%".into(),
            charset_client: "utf8mb4".into(),
            collation_connection: "utf8mb4_general_ci".into(),
            database_collation: "latin1_swedish_ci".into(),
            implicit_definer: true,
        };
        meta.triggers = vec![trigger.clone()];
        s.tables.insert(
            id.clone(),
            Arc::new(TableDelta::new(Arc::new(meta), vec![0])),
        );
        let (back, _) = decode(&encode(&s, &[])).unwrap();
        assert_eq!(back.tables[&id].meta.triggers, vec![trigger]);
    }

    #[test]
    fn any_damage_is_refused_whole() {
        let bytes = encode(&sample(), &[]);
        assert!(decode(&bytes[..bytes.len() - 1]).is_err());
        for at in [0, 10, 30, bytes.len() / 2, bytes.len() - 3] {
            let mut bad = bytes.clone();
            bad[at] ^= 0x40;
            assert!(decode(&bad).is_err(), "a flipped byte at {at} was accepted");
        }
        assert!(decode(b"").is_err());
    }
}

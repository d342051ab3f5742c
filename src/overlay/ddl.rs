//! Captured DDL: CREATE TABLE and DROP TABLE change the schema delta
//! ([`crate::delta::SchemaDelta`]; ALTER, RENAME, TRUNCATE and CREATE/DROP
//! INDEX are in [`super::alter`]); nothing is ever sent to the source but
//! the information_schema queries that check names.
//!
//! A created table is a [`TableMeta`] marked `created` with an entry in the
//! delta's tables: every read and write of it goes through the same
//! machinery as a changed source table, its merged view having no source
//! part. A dropped source table is remembered by name: statements naming it
//! get the server's 1146, and its captured rows are gone.

use std::sync::Arc;

use crate::delta::{
    ColumnMeta, FkRule, ForeignKey, Generated, SchemaChange, TableDelta, TableId, TableMeta,
    UniqueKey,
};
use crate::sql::ddl::{free_name, parse_ddl, ColumnSpec, CreateTable, Ddl, DropTable, FkSpec};
use crate::sql::literal::Column;
use crate::upstream::Upstream;

use super::meta::{load, source_plain_indexes, text_literal};
use super::write::{WriteContext, WriteOutcome};
use super::OverlayError;

pub(super) fn server(code: u16, state: &str, message: impl Into<String>) -> OverlayError {
    OverlayError::Server {
        code,
        state: state.into(),
        message: message.into(),
    }
}

/// Runs one captured DDL statement, its text as the source reads it (the
/// session has read its executable comments, [`crate::sql::versioned`]).
pub fn execute_ddl(cx: &mut WriteContext, sql: &[u8]) -> Result<WriteOutcome, OverlayError> {
    let Ok(text) = std::str::from_utf8(sql) else {
        return Err(OverlayError::Unsupported(
            "DDL that is not UTF-8 text".into(),
        ));
    };
    let ddl = match parse_ddl(text) {
        Ok(d) => d,
        Err(u) => {
            // The source's syntax error for text it cannot parse either:
            // preparing a statement parses it and runs nothing. (Any other
            // answer, such as a privilege error, says nothing about what
            // vdb would do with it.)
            let mut described = cx.up.describe(sql);
            if let Err(crate::upstream::UpstreamError::Server { code: 1046, .. }) = described {
                // In a database vdb holds the source session has none, and
                // the server wants one before it parses a table's name.
                if let Some(q) = cx
                    .db
                    .as_deref()
                    .and_then(|db| qualified_for_parsing(text, db))
                {
                    described = cx.up.describe(q.as_bytes());
                }
            }
            match described {
                Err(e @ crate::upstream::UpstreamError::Server { code: 1064, .. }) => {
                    return Err(e.into())
                }
                Err(e @ crate::upstream::UpstreamError::Io(_)) => return Err(e.into()),
                _ => return Err(OverlayError::Unsupported(u.0)),
            }
        }
    };
    match ddl {
        Ddl::Create(c) => create(cx, &c, text),
        Ddl::Drop(d) => drop_tables(cx, &d, text),
        Ddl::Alter(a) => super::alter::alter(cx, &a, text),
        Ddl::Rename(pairs) => super::alter::rename(cx, &pairs, text),
        Ddl::Truncate(t) => super::alter::truncate(cx, &t, text),
        Ddl::CreateDatabase(c) => super::database::create(cx, &c, text),
        Ddl::AlterDatabase(a) => super::database::alter(cx, &a, text),
        Ddl::DropDatabase { name, if_exists } => super::database::drop(cx, &name, if_exists, text),
        Ddl::CreateView(v) => super::view::create(cx, &v, text),
        Ddl::DropView { if_exists, views } => super::view::drop(cx, if_exists, &views, text),
        Ddl::UpgradeDatabaseName(name) => super::database::upgrade_name(cx, &name),
        Ddl::CreateTrigger(t) => super::trigger::create(cx, &t, text),
        Ddl::DropTrigger { if_exists, name } => super::trigger::drop(cx, if_exists, &name, text),
    }
}

/// `text` with the unqualified table name after `TABLE` (past IF [NOT]
/// EXISTS) qualified by the session's database `db`, for the source to
/// parse (never to run); None when there is no such name. The name comes
/// before anything the server could object to, so its syntax error is
/// the same.
fn qualified_for_parsing(text: &str, db: &str) -> Option<String> {
    use crate::sql::lexer::{lex, Kind, LexMode};
    let b = text.as_bytes();
    let t = lex(b, LexMode::default()).tokens;
    let mut i = t.iter().position(|x| x.is_word(b, "TABLE"))? + 1;
    while t
        .get(i)
        .is_some_and(|x| x.is_word(b, "IF") || x.is_word(b, "NOT") || x.is_word(b, "EXISTS"))
    {
        i += 1;
    }
    let name = t
        .get(i)
        .filter(|x| matches!(x.kind, Kind::Word | Kind::QuotedIdent))?;
    if t.get(i + 1).is_some_and(|x| x.is_punct(b'.')) {
        return None;
    }
    Some(format!(
        "{}{}.{}",
        &text[..name.start],
        crate::sql::rewrite::quote_ident(db),
        &text[name.start..]
    ))
}

pub(super) fn schema_of(cx: &WriteContext, named: &Option<String>) -> Result<String, OverlayError> {
    named
        .clone()
        .or_else(|| cx.db.clone())
        .ok_or_else(|| server(1046, "3D000", "No database selected"))
}

/// Whether the table exists in the merged schema: created through vdb, or
/// at the source and not dropped. Views count (their names are taken).
pub(super) fn exists(
    up: &mut Upstream,
    cx_delta: &crate::delta::Delta,
    id: &TableId,
) -> Result<bool, OverlayError> {
    let state = cx_delta.current();
    if state.schema.created.contains_key(id) {
        return Ok(true);
    }
    if state.schema.dropped.contains(id) {
        return Ok(false);
    }
    Ok(!up
        .query(&format!(
            "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = {} AND TABLE_NAME = {}",
            text_literal(&id.schema),
            text_literal(&id.name)
        ))?
        .is_empty())
}

/// The character set and collation a string column gets: its own, else
/// the table's, else the database's (a character set alone takes its
/// default collation; a collation alone, its character set).
pub(super) fn string_charset(
    up: &mut Upstream,
    column: (&Option<String>, &Option<String>),
    table: (&Option<String>, &Option<String>),
    database: &(String, String),
) -> Result<(String, String), OverlayError> {
    let (cs, co) = if column.0.is_some() || column.1.is_some() {
        column
    } else {
        table
    };
    super::charset::resolve_or(up, cs, co, database)
}

/// A column CREATE TABLE or ALTER TABLE defines, its character set and
/// collation resolved from the column's, the table's or the database's.
pub(super) fn column_meta(
    cx: &mut WriteContext,
    s: &ColumnSpec,
    table: (&Option<String>, &Option<String>),
    database: &(String, String),
) -> Result<ColumnMeta, OverlayError> {
    let (charset, collation) = if is_string(&s.data_type) {
        let (cs, co) = string_charset(cx.up, (&s.charset, &s.collation), table, database)?;
        (Some(cs), Some(co))
    } else {
        (None, None)
    };
    Ok(ColumnMeta {
        default_instant: None,
        name: s.name.clone(),
        column: Column {
            data_type: s.data_type.clone(),
            column_type: s.column_type.clone(),
            charset,
            collation,
        },
        nullable: s.nullable,
        default: s.default.clone(),
        auto_increment: s.auto_increment,
        generated: s.generated.as_ref().map(|(expr, stored)| Generated {
            expr: expr.clone(),
            stored: *stored,
        }),
        comment: s.comment.clone().unwrap_or_default(),
        on_update: s.on_update.clone(),
    })
}

/// The server's 1060 for a column name a table already has.
pub(super) fn duplicate_column(name: &str) -> OverlayError {
    server(1060, "42S21", format!("Duplicate column name '{name}'"))
}

/// The AUTO_INCREMENT columns of a definition, checked as the server
/// checks them (1075: at most one, and first in some key).
pub(super) fn auto_columns(
    columns: &[ColumnMeta],
    unique_keys: &[UniqueKey],
    indexes: &[UniqueKey],
) -> Result<Vec<usize>, OverlayError> {
    let autos: Vec<usize> = (0..columns.len())
        .filter(|&i| columns[i].auto_increment)
        .collect();
    let keyed = |i: usize| {
        unique_keys
            .iter()
            .chain(indexes)
            .any(|k| k.columns.first() == Some(&i))
    };
    if autos.len() > 1 || autos.iter().any(|&i| !keyed(i)) {
        return Err(server(
            1075,
            "42000",
            "Incorrect table definition; there can be only one auto column and it must be defined as a key",
        ));
    }
    Ok(autos)
}

/// MariaDB's 1005 for a foreign key it cannot use (a missing parent, or
/// parent columns no index starts with).
fn fk_malformed(child: &TableId) -> OverlayError {
    server(
        1005,
        "HY000",
        format!(
            "Can't create table `{}`.`{}` (errno: 150 \"Foreign key constraint is incorrectly formed\")",
            child.schema, child.name
        ),
    )
}

/// The foreign key `spec` declares for table `child` (whose definition so
/// far is `columns` and `keys`, for a key on itself), checked as the server
/// checks it; `taken` are the constraint names the table has. Returns it and
/// the index InnoDB adds on the child's columns when none starts with them.
pub(super) fn foreign_key(
    cx: &mut WriteContext,
    child: &TableId,
    columns: &[ColumnMeta],
    keys: &[&UniqueKey],
    spec: &FkSpec,
    taken: &[String],
) -> Result<(ForeignKey, Option<UniqueKey>), OverlayError> {
    let mut child_pos = Vec::with_capacity(spec.columns.len());
    for c in &spec.columns {
        let Some(p) = columns.iter().position(|m| m.name.eq_ignore_ascii_case(c)) else {
            return Err(server(
                1072,
                "42000",
                format!("Key column '{c}' doesn't exist in table"),
            ));
        };
        child_pos.push(p);
    }
    let name = spec.name.clone().unwrap_or_else(|| {
        (1..)
            .map(|n| format!("{}_ibfk_{n}", child.name))
            .find(|n| !taken.iter().any(|t| t.eq_ignore_ascii_case(n)))
            .expect("a free name")
    });
    if spec.columns.len() != spec.parent_columns.len() {
        let named = spec.name.as_deref().unwrap_or("foreign key without name");
        return Err(server(
            1239,
            "42000",
            format!(
                "Incorrect foreign key definition for '{named}': Key reference and table reference don't match"
            ),
        ));
    }
    let parent = TableId {
        schema: schema_of(cx, &spec.parent.0)?,
        name: spec.parent.1.clone(),
    };
    // The parent's columns and the keys that may serve it.
    let (parent_columns, parent_keys): (Vec<ColumnMeta>, Vec<Vec<usize>>) = if parent == *child {
        (
            columns.to_vec(),
            keys.iter().map(|k| k.columns.clone()).collect(),
        )
    } else {
        if !exists(cx.up, cx.delta, &parent)? {
            // With foreign_key_checks off InnoDB takes a key to a table
            // that does not exist yet (a dump creates tables in name
            // order), its columns as named; writes find no parent row
            // until the table is created.
            if super::write::settings(cx.up)?.foreign_key_checks {
                return Err(fk_malformed(child));
            }
            let named = spec.parent_columns.clone();
            return Ok(key_and_index(
                child, columns, keys, spec, name, parent, named, &child_pos,
            ));
        }
        let p = load(cx.up, cx.delta, &parent).map_err(|_| fk_malformed(child))?;
        let mut keys: Vec<Vec<usize>> = p
            .unique_keys
            .iter()
            .chain(&p.indexes)
            .map(|k| k.columns.clone())
            .collect();
        if !p.created {
            // A source table's plain indexes are not in its definition.
            for (_, names, _) in source_plain_indexes(cx.up, &parent)? {
                let cols: Option<Vec<usize>> = names.iter().map(|n| p.position(n)).collect();
                keys.extend(cols);
            }
        }
        (p.columns.clone(), keys)
    };
    let mut parent_pos = Vec::with_capacity(spec.parent_columns.len());
    for c in &spec.parent_columns {
        let Some(p) = parent_columns
            .iter()
            .position(|m| m.name.eq_ignore_ascii_case(c))
        else {
            return Err(fk_malformed(child));
        };
        parent_pos.push(p);
    }
    // InnoDB pairs columns of one type: integers of one size and sign,
    // strings of one character set (lengths may differ).
    let family = |c: &Column| match c.data_type.as_str() {
        "char" | "varchar" => format!("string {}", c.charset.as_deref().unwrap_or("")),
        "binary" | "varbinary" => "bytes".to_string(),
        other => format!("{other} {}", c.column_type.contains("unsigned")),
    };
    for (&ci, &pi) in child_pos.iter().zip(&parent_pos) {
        if family(&columns[ci].column) != family(&parent_columns[pi].column) {
            return Err(fk_malformed(child));
        }
    }
    let served =
        |cols: &[usize], key: &[usize]| key.len() >= cols.len() && key[..cols.len()] == *cols;
    if !parent_keys.iter().any(|k| served(&parent_pos, k)) {
        return Err(fk_malformed(child));
    }
    let parent_columns = parent_pos
        .iter()
        .map(|&i| parent_columns[i].name.clone())
        .collect();
    Ok(key_and_index(
        child,
        columns,
        keys,
        spec,
        name,
        parent,
        parent_columns,
        &child_pos,
    ))
}

/// The foreign key, and the index InnoDB adds on the child's columns when
/// no key starts with them.
#[allow(clippy::too_many_arguments)]
fn key_and_index(
    child: &TableId,
    columns: &[ColumnMeta],
    keys: &[&UniqueKey],
    spec: &FkSpec,
    name: String,
    parent: TableId,
    parent_columns: Vec<String>,
    child_pos: &[usize],
) -> (ForeignKey, Option<UniqueKey>) {
    let served =
        |cols: &[usize], key: &[usize]| key.len() >= cols.len() && key[..cols.len()] == *cols;
    // InnoDB's index for an unnamed constraint takes the first column's
    // name (then _2, _3 ...), as an unnamed KEY does.
    let index = (!keys.iter().any(|k| served(child_pos, &k.columns))).then(|| {
        let base = spec
            .name
            .clone()
            .unwrap_or_else(|| columns[child_pos[0]].name.clone());
        UniqueKey {
            name: free_name(&base, |n| {
                keys.iter().any(|k| k.name.eq_ignore_ascii_case(n))
            }),
            columns: child_pos.to_vec(),
            options: Default::default(),
        }
    });
    let fk = ForeignKey {
        name,
        child: child.clone(),
        child_columns: child_pos.iter().map(|&i| columns[i].name.clone()).collect(),
        parent,
        parent_columns,
        on_delete: FkRule::parse(spec.on_delete.as_deref().unwrap_or("RESTRICT")),
        on_update: FkRule::parse(spec.on_update.as_deref().unwrap_or("RESTRICT")),
    };
    (fk, index)
}

/// `CREATE TABLE ... SELECT`: the table gets the columns declared, then
/// the SELECT's result columns it does not declare (typed as the server
/// types them: a column read as it is keeps its definition, without keys
/// or AUTO_INCREMENT), and the SELECT's rows by an `INSERT ... SELECT`
/// through the write machinery. Nothing is left when any row fails.
fn create_as_select(
    cx: &mut WriteContext,
    c: &CreateTable,
    id: &TableId,
    select: &str,
    text: &str,
) -> Result<WriteOutcome, OverlayError> {
    let result = super::view::result_columns(cx, select, false)?;
    let mut spec = c.clone();
    spec.select = None;
    // The declared columns the SELECT does not fill come first, then the
    // SELECT's, each as declared if it is.
    spec.columns = c
        .columns
        .iter()
        .filter(|d| !result.iter().any(|r| r.name.eq_ignore_ascii_case(&d.name)))
        .cloned()
        .collect();
    for col in &result {
        if let Some(d) = c
            .columns
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(&col.name))
        {
            spec.columns.push(d.clone());
            continue;
        }
        spec.columns.push(crate::sql::ddl::ColumnSpec {
            name: col.name.clone(),
            data_type: col.column.data_type.clone(),
            column_type: col.column.column_type.clone(),
            nullable: col.nullable,
            default: col.default.clone(),
            auto_increment: false,
            charset: col.column.charset.clone(),
            collation: col.column.collation.clone(),
            check: None,
            generated: None,
            comment: None,
            on_update: None,
        });
    }
    create(cx, &spec, text)?;
    let names: Vec<String> = result
        .iter()
        .map(|col| crate::sql::rewrite::quote_ident(&col.name))
        .collect();
    let verb = match c.duplicates {
        None => "INSERT",
        Some(crate::sql::ddl::Duplicates::Ignore) => "INSERT IGNORE",
        Some(crate::sql::ddl::Duplicates::Replace) => "REPLACE",
    };
    let insert = format!(
        "{verb} INTO {} ({}) {select}",
        id.quoted(),
        names.join(", ")
    );
    match super::write::execute(cx, insert.as_bytes()) {
        Ok(done) => {
            let mut w = cx.delta.writer();
            if super::catalog::untouch(cx.up, cx.delta, &mut w, std::slice::from_ref(id))? {
                w.commit();
            }
            Ok(WriteOutcome {
                affected: done.affected,
                // INSERT ... SELECT counts records, duplicates and warnings
                // as CREATE TABLE ... SELECT does.
                info: if done.info.is_empty() {
                    format!("Records: {}  Duplicates: 0  Warnings: 0", done.affected)
                } else {
                    done.info
                },
                notes: done.notes,
                warnings: done.warnings,
                ..WriteOutcome::default()
            })
        }
        Err(e) => {
            // As if the statement never ran.
            let mut w = cx.delta.writer();
            w.next.tables.remove(id);
            w.next.schema.created.remove(id);
            if let Some(at) = w.next.schema.log.iter().rposition(|l| l.table == *id) {
                w.next.schema.log.remove(at);
            }
            super::catalog::refresh(cx.up, cx.delta, &mut w)?;
            w.commit();
            Err(e)
        }
    }
}

pub(super) fn is_string(data_type: &str) -> bool {
    matches!(
        data_type,
        "char" | "varchar" | "tinytext" | "text" | "mediumtext" | "longtext" | "enum" | "set"
    )
}

fn create(
    cx: &mut WriteContext,
    c: &CreateTable,
    text: &str,
) -> Result<WriteOutcome, OverlayError> {
    let id = TableId {
        schema: schema_of(cx, &c.schema)?,
        name: c.name.clone(),
    };
    let database = super::database::defaults(cx.up, &cx.delta.current(), &id.schema)?;
    if exists(cx.up, cx.delta, &id)? {
        if c.if_not_exists {
            return Ok(WriteOutcome::noted(
                1050,
                format!("Table '{}' already exists", id.name),
            ));
        }
        return Err(server(
            1050,
            "42S01",
            format!("Table '{}' already exists", id.name),
        ));
    }
    if let Some(select) = &c.select {
        return create_as_select(cx, c, &id, select, text);
    }
    let meta = match &c.like {
        Some((schema, name)) => {
            let other = TableId {
                schema: schema_of(cx, schema)?,
                name: name.clone(),
            };
            let source = load(cx.up, cx.delta, &other)?;
            let mut meta = super::alter::as_created(cx, &source)?;
            meta.id = id.clone();
            // LIKE copies neither foreign keys nor triggers.
            meta.foreign_keys = Vec::new();
            meta.referenced_by = Vec::new();
            meta.triggers = Vec::new();
            meta.auto_increment = source.auto_column().map(|_| 1);
            meta
        }
        None => {
            let mut columns: Vec<ColumnMeta> = Vec::with_capacity(c.columns.len());
            for s in &c.columns {
                if columns.iter().any(|e| e.name.eq_ignore_ascii_case(&s.name)) {
                    return Err(duplicate_column(&s.name));
                }
                columns.push(column_meta(cx, s, (&c.charset, &c.collation), &database)?);
            }
            let mut unique_keys = Vec::with_capacity(c.keys.len());
            let mut indexes = Vec::with_capacity(c.indexes.len());
            for (k, unique) in c
                .keys
                .iter()
                .map(|k| (k, true))
                .chain(c.indexes.iter().map(|k| (k, false)))
            {
                let mut positions = Vec::with_capacity(k.columns.len());
                for name in &k.columns {
                    let Some(p) = columns
                        .iter()
                        .position(|col| col.name.eq_ignore_ascii_case(name))
                    else {
                        return Err(server(
                            1072,
                            "42000",
                            format!("Key column '{name}' doesn't exist in table"),
                        ));
                    };
                    positions.push(p);
                }
                let key = UniqueKey {
                    name: k.name.clone(),
                    columns: positions,
                    options: k.options.clone(),
                };
                if unique {
                    unique_keys.push(key);
                } else {
                    indexes.push(key);
                }
            }
            let autos = auto_columns(&columns, &unique_keys, &indexes)?;
            let mut foreign_keys: Vec<ForeignKey> = Vec::with_capacity(c.foreign_keys.len());
            for spec in &c.foreign_keys {
                let taken: Vec<String> = foreign_keys.iter().map(|f| f.name.clone()).collect();
                let keys: Vec<&UniqueKey> = unique_keys.iter().chain(&indexes).collect();
                let (fk, index) = foreign_key(cx, &id, &columns, &keys, spec, &taken)?;
                indexes.extend(index);
                foreign_keys.push(fk);
            }
            let checks = check_constraints(c, &id, &columns);
            TableMeta {
                id: id.clone(),
                columns,
                unique_keys,
                foreign_keys,
                referenced_by: Vec::new(),
                checks,
                auto_increment: (!autos.is_empty()).then(|| c.auto_increment.unwrap_or(1).max(1)),
                triggers: Vec::new(),
                created: true,
                indexes,
                collation: Some(
                    string_charset(cx.up, (&c.charset, &c.collation), (&None, &None), &database)?.1,
                ),
                comment: c.comment.clone().unwrap_or_default(),
                row_format: c.row_format.clone(),
                estimated_rows: None,
                source_indexes: Vec::new(),
            }
        }
    };
    let meta = normalize_defaults(cx.up, meta)?;
    let Some(key) = meta.delta_key() else {
        return Err(OverlayError::Unsupported(format!(
            "CREATE TABLE of {id}, whose only unique keys take NULL"
        )));
    };
    let meta = Arc::new(meta);
    let mut w = cx.delta.writer();
    w.next.schema.created.insert(id.clone(), meta.clone());
    w.next.schema.log.push(SchemaChange {
        kind: "CREATE TABLE".into(),
        table: id.clone(),
        statement: Arc::from(text),
    });
    w.next
        .tables
        .insert(id, Arc::new(TableDelta::new(meta, key)));
    super::catalog::refresh(cx.up, cx.delta, &mut w)?;
    w.commit();
    Ok(WriteOutcome::default())
}

/// The CHECK constraints of a CREATE TABLE, named as the server names
/// them (a column's own by `table.column`, as its errors print it; an
/// unnamed table constraint `CONSTRAINT_<n>`), clauses written as it
/// prints them.
fn check_constraints(
    c: &CreateTable,
    id: &TableId,
    columns: &[ColumnMeta],
) -> Vec<crate::delta::CheckConstraint> {
    let mut out: Vec<crate::delta::CheckConstraint> = c
        .columns
        .iter()
        .filter_map(|s| {
            Some(crate::delta::CheckConstraint {
                name: format!("{}.{}", id.name, s.name),
                clause: check_clause(s.check.as_deref()?, columns),
            })
        })
        .collect();
    let mut unnamed = 0;
    for (name, clause) in &c.checks {
        let name = name.clone().unwrap_or_else(|| {
            unnamed += 1;
            format!("CONSTRAINT_{unnamed}")
        });
        out.push(crate::delta::CheckConstraint {
            name,
            clause: check_clause(clause, columns),
        });
    }
    out
}

/// A CHECK expression as MariaDB prints it: column names quoted, function
/// names and keywords in lower case, strings and numbers as written.
pub(super) fn check_clause(expr: &str, columns: &[ColumnMeta]) -> String {
    use crate::sql::lexer::{lex, Kind, LexMode};
    let b = expr.as_bytes();
    let mode = LexMode::default();
    let mut out = String::with_capacity(expr.len() + 16);
    let mut at = 0;
    for t in lex(b, mode).tokens {
        out.push_str(&expr[at..t.start]);
        at = t.end;
        let text = &expr[t.start..t.end];
        let name = t.name(b, mode);
        let column = name
            .as_ref()
            .filter(|_| b.get(t.end) != Some(&b'('))
            .and_then(|n| columns.iter().find(|c| c.name.eq_ignore_ascii_case(n)));
        match (t.kind, column) {
            (Kind::Word | Kind::QuotedIdent, Some(c)) => {
                out.push_str(&crate::sql::rewrite::quote_ident(&c.name))
            }
            (Kind::Word, None) if !text.as_bytes()[0].is_ascii_digit() => {
                out.push_str(&text.to_ascii_lowercase())
            }
            _ => out.push_str(text),
        }
    }
    out.push_str(&expr[at..]);
    out
}

/// The CAST target that converts a value to column type `t` as storing
/// it would (the nearest CAST has: integers SIGNED or UNSIGNED, strings
/// CHAR in the column's character set).
pub(super) fn cast_target(t: &Column) -> String {
    match t.data_type.as_str() {
        "tinyint" | "smallint" | "mediumint" | "int" | "bigint" => {
            if t.column_type.contains("unsigned") {
                "UNSIGNED".to_string()
            } else {
                "SIGNED".to_string()
            }
        }
        "decimal" => t.column_type.replace(" unsigned", "").to_uppercase(),
        "float" | "double" => "DOUBLE".to_string(),
        "date" => "DATE".into(),
        "datetime" | "timestamp" => t
            .column_type
            .to_uppercase()
            .replace("TIMESTAMP", "DATETIME"),
        "time" => t.column_type.to_uppercase(),
        "year" => "UNSIGNED".into(),
        _ if is_string(&t.data_type) => {
            format!(
                "CHAR CHARACTER SET {}",
                t.charset.as_deref().unwrap_or("utf8mb4")
            )
        }
        _ => "BINARY".into(),
    }
}

/// Defaults and generated expressions as the server stores and prints
/// them: expressions as the source prints them
/// ([`super::printed::print_expressions`]), literal defaults converted to
/// their column's type (`1.5` in a DECIMAL(8,2) is `1.50`, `5` in a
/// VARCHAR is `'5'`) by one SELECT of them all.
pub(super) fn normalize_defaults(
    up: &mut Upstream,
    meta: TableMeta,
) -> Result<TableMeta, OverlayError> {
    let mut meta = super::printed::print_expressions(up, meta)?;
    let mut items = Vec::new();
    let mut which = Vec::new();
    for (i, c) in meta.columns.iter().enumerate() {
        let Some(d) = &c.default else { continue };
        // Expressions are stored as printed (see `printed`).
        if d.starts_with("current_timestamp") || d == "NULL" || !super::printed::is_literal(d) {
            continue;
        }
        // A BIT default reads as its number in binary digits (b'101').
        let target = if c.column.bit_width().is_some() {
            "UNSIGNED".to_string()
        } else {
            cast_target(&c.column)
        };
        items.push(format!("CAST({d} AS {target})"));
        which.push(i);
    }
    if items.is_empty() {
        return Ok(meta);
    }
    let rows = up.query(&format!("SELECT {}", items.join(", ")))?;
    let Some(row) = rows.into_iter().next() else {
        return Ok(meta);
    };
    for (v, i) in row.into_iter().zip(which) {
        let c = &mut meta.columns[i];
        let quoted = !matches!(
            c.column.data_type.as_str(),
            "tinyint"
                | "smallint"
                | "mediumint"
                | "int"
                | "bigint"
                | "decimal"
                | "float"
                | "double"
                | "year"
        );
        let bit = c.column.bit_width().is_some();
        c.default = Some(match v {
            None => "NULL".into(),
            Some(b) => {
                let text = String::from_utf8_lossy(&b).into_owned();
                if bit {
                    format!("b'{:b}'", text.parse::<u64>().unwrap_or(0))
                } else if quoted {
                    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
                } else {
                    text
                }
            }
        });
    }
    super::meta::default_instants(up, &mut meta.columns)?;
    Ok(meta)
}

fn drop_tables(
    cx: &mut WriteContext,
    d: &DropTable,
    text: &str,
) -> Result<WriteOutcome, OverlayError> {
    let mut gone = Vec::new();
    let mut missing = Vec::new();
    for (schema, name) in &d.tables {
        let id = TableId {
            schema: schema_of(cx, schema)?,
            name: name.clone(),
        };
        if super::view::is_view(cx, &id)? {
            return Err(super::view::is_a_view(&id));
        }
        if exists(cx.up, cx.delta, &id)? {
            gone.push(id);
        } else {
            missing.push(id);
        }
    }
    let mut metas = Vec::with_capacity(gone.len());
    for id in &gone {
        let meta = load(cx.up, cx.delta, id)?;
        let state = cx.delta.current();
        let referenced = meta.referenced_by.iter().any(|fk| {
            fk.child != *id && !gone.contains(&fk.child) && !state.schema.is_dropped(&fk.child)
        });
        // With foreign_key_checks off the server drops a parent (its
        // children's keys then name a missing table).
        if referenced && super::write::settings(cx.up)?.foreign_key_checks {
            return Err(server(
                1451,
                "23000",
                "Cannot delete or update a parent row: a foreign key constraint fails",
            ));
        }
        metas.push(meta);
    }
    if !gone.is_empty() {
        let mut w = cx.delta.writer();
        for meta in &metas {
            let id = &meta.id;
            w.next.tables.remove(id);
            if w.next.schema.created.remove(id).is_none() || w.next.schema.dropped.contains(id) {
                w.next.schema.dropped.insert(id.clone());
            }
        }
        let statement: Arc<str> = Arc::from(text);
        w.next.schema.log.extend(metas.iter().map(|m| SchemaChange {
            kind: "DROP TABLE".into(),
            table: m.id.clone(),
            statement: statement.clone(),
        }));
        super::catalog::refresh(cx.up, cx.delta, &mut w)?;
        w.commit();
    }
    unknown_names(&missing, d.if_exists, 1051, "Unknown table ")
}

/// What a DROP of several names says of those that do not exist: the
/// server's error `code` naming them all (`message` then 'db.a,db.b'), or
/// with IF EXISTS the same words as one note.
pub fn unknown_names(
    missing: &[TableId],
    if_exists: bool,
    code: u16,
    message: &str,
) -> Result<WriteOutcome, OverlayError> {
    if missing.is_empty() {
        return Ok(WriteOutcome::default());
    }
    let names: Vec<String> = missing
        .iter()
        .map(|id| format!("{}.{}", id.schema, id.name))
        .collect();
    let text = format!("{message}'{}'", names.join(","));
    if if_exists {
        Ok(WriteOutcome::noted(code, text))
    } else {
        Err(server(code, "42S02", text))
    }
}

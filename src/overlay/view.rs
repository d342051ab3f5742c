//! Captured CREATE VIEW and DROP VIEW.
//!
//! A view created through vdb is its SELECT, with the names it reads
//! qualified by the database they meant when it was created, kept in the
//! delta's view definitions ([`crate::delta::DeltaState::views`]): a read
//! of the view splices it in as a derived table, and the tables it reads
//! are then read over the merged view like any others. Its description
//! for SHOW CREATE VIEW and information_schema is in the schema delta
//! ([`crate::delta::SchemaDelta::views`]). The SELECT is checked as the
//! server checks it, by preparing it over the merged view (which runs
//! nothing): unknown tables and columns, duplicate column names.

use std::sync::Arc;

use crate::delta::{ColumnMeta, SchemaChange, TableId, TableMeta, ViewDef};
use crate::sql::ddl::CreateView;
use crate::sql::literal::Column;
use crate::sql::rewrite::quote_ident;
use crate::sql::tables::table_refs;
use crate::upstream::Upstream;
use mysql::consts::{ColumnFlags, ColumnType};
use mysql::mysql_common::packets::Column as Described;

use super::ddl::{exists, schema_of, server};
use super::meta::text;
use super::write::{WriteContext, WriteOutcome};
use super::OverlayError;

/// The server's 1347 for a table named where a view is expected.
fn not_a_view(id: &TableId) -> OverlayError {
    server(
        1347,
        "HY000",
        format!("'{}.{}' is not of type 'VIEW'", id.schema, id.name),
    )
}

/// The server's 1965 for a view named where a table is expected.
pub fn is_a_view(id: &TableId) -> OverlayError {
    server(
        1965,
        "42S02",
        format!("'{}.{}' is a view", id.schema, id.name),
    )
}

/// Whether `id` is a view at the source that vdb did not drop.
fn source_view(cx: &mut WriteContext, id: &TableId) -> Result<bool, OverlayError> {
    if cx.delta.current().schema.dropped.contains(id) {
        return Ok(false);
    }
    Ok(!cx
        .up
        .query(&format!(
            "SELECT 1 FROM information_schema.VIEWS WHERE TABLE_SCHEMA = {} AND TABLE_NAME = {}",
            super::meta::text_literal(&id.schema),
            super::meta::text_literal(&id.name)
        ))?
        .is_empty())
}

/// Whether `id` names a view in the merged schema (created through vdb,
/// or at the source and not dropped).
pub fn is_view(cx: &mut WriteContext, id: &TableId) -> Result<bool, OverlayError> {
    if cx.delta.current().schema.views.contains_key(id) {
        return Ok(true);
    }
    source_view(cx, id)
}

/// The SELECT with every table name it reads unqualified qualified by
/// `db` (the session's database when the view is created, as the server
/// resolves them), and its columns named `columns` when given.
fn definition(body: &str, db: Option<&str>, columns: &[String]) -> Result<String, OverlayError> {
    let refs = table_refs(body).map_err(|e| {
        OverlayError::Unsupported(format!("this CREATE VIEW (vdb cannot analyse it: {})", e.0))
    })?;
    let mut out = String::with_capacity(body.len() + 64);
    let mut at = 0;
    for r in refs.iter().filter(|r| r.schema.is_none()) {
        let Some(db) = db else {
            return Err(server(1046, "3D000", "No database selected"));
        };
        out.push_str(&body[at..r.name_span.start]);
        out.push_str(&format!("{}.{}", quote_ident(db), quote_ident(&r.name)));
        at = r.name_span.end;
    }
    out.push_str(&body[at..]);
    if columns.is_empty() {
        return Ok(out);
    }
    let names: Vec<String> = columns.iter().map(|c| quote_ident(c)).collect();
    Ok(format!(
        "WITH `vdb_view` ({}) AS ({out}) SELECT * FROM `vdb_view`",
        names.join(", ")
    ))
}

/// The columns of a SELECT's result as a view (or CREATE TABLE ...
/// SELECT) takes them, the SELECT described over the merged view (its
/// errors are the server's: unknown tables and columns).
///
/// `as_view`: a NOT NULL expression's column gets the default a view
/// shows for it (its type's zero); a created table's gets none.
pub(super) fn result_columns(
    cx: &mut WriteContext,
    select: &str,
    as_view: bool,
) -> Result<Vec<ColumnMeta>, OverlayError> {
    let state = cx.delta.current();
    let merged = super::rewrite_traced(select.as_bytes(), &state, cx.db.as_deref(), None)?;
    let (text, changed) = match merged {
        Some(r) => (r.text, r.changed),
        None => (select.to_string(), Vec::new()),
    };
    let described = cx.up.describe_columns(text.as_bytes())?;
    described
        .iter()
        .map(|d| view_column(cx, d, &changed, as_view))
        .collect()
}

/// A view's column as the server describes it: a table's column it reads
/// as it is keeps that column's definition and nullability (not its key;
/// an AUTO_INCREMENT column's default is 0 in a view); an expression gets
/// the type its result has. `changed`: the merged view's derived tables
/// by the names the SELECT knows them by.
fn view_column(
    cx: &mut WriteContext,
    d: &Described,
    changed: &[(String, Arc<TableMeta>)],
    as_view: bool,
) -> Result<ColumnMeta, OverlayError> {
    let name = d.name_str().into_owned();
    let nullable = !d.flags().contains(ColumnFlags::NOT_NULL_FLAG);
    let org_name = d.org_name_str();
    // A derived table's column (the merged view of a changed table) has
    // the derived table's name as its org_table, and no schema.
    let base: Option<Arc<TableMeta>> =
        if !d.org_table_ref().is_empty() && !d.schema_ref().is_empty() {
            let id = TableId {
                schema: d.schema_str().into_owned(),
                name: d.org_table_str().into_owned(),
            };
            super::meta::load(cx.up, cx.delta, &id).ok()
        } else {
            let table = d.table_str();
            changed
                .iter()
                .find(|(alias, _)| *alias == table)
                .map(|(_, m)| m.clone())
        };
    // A column of a merged view that vdb spells over the source's (`CASE
    // id WHEN .. ELSE name END AS name`) is an expression to the server:
    // MariaDB names it by the derived table's alias for it (found above),
    // MySQL may give no org_name. Read as it is, it keeps its own name,
    // and the type the server gives it is the column's own.
    let spelled = || -> Option<&ColumnMeta> {
        let m = base.as_ref()?;
        if !d.schema_ref().is_empty() {
            return None;
        }
        let c = m
            .columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(&d.name_str()))?;
        let t = typed(cx.up, d).ok()?;
        (t.data_type == c.column.data_type && t.charset == c.column.charset).then_some(c)
    };
    if let Some(c) = base
        .as_ref()
        .and_then(|m| {
            m.columns
                .iter()
                .find(|c| !org_name.is_empty() && c.name.eq_ignore_ascii_case(&org_name))
        })
        .or_else(spelled)
    {
        return Ok(ColumnMeta {
            default_instant: None,
            name,
            default: if c.auto_increment {
                Some("0".into())
            } else {
                c.default.clone()
            },
            auto_increment: false,
            generated: None,
            // A view's columns have no comments.
            comment: String::new(),
            on_update: None,
            ..c.clone()
        });
    }
    let column = typed(cx.up, d)?;
    let default = if nullable {
        Some("NULL".to_string())
    } else {
        as_view.then(|| implicit_default(&column, d.decimals()))
    };
    Ok(ColumnMeta {
        default_instant: None,
        name,
        column,
        nullable,
        default,
        auto_increment: false,
        generated: None,
        comment: String::new(),
        on_update: None,
    })
}

/// The default the server shows for a view's NOT NULL expression column
/// (as information_schema.COLUMNS writes it): its type's zero.
fn implicit_default(column: &Column, decimals: u8) -> String {
    let fraction = |zeros: u8| {
        if zeros > 0 && zeros < 31 {
            format!(".{}", "0".repeat(usize::from(zeros)))
        } else {
            String::new()
        }
    };
    match column.data_type.as_str() {
        "decimal" => format!("0{}", fraction(decimals)),
        "tinyint" | "smallint" | "mediumint" | "int" | "bigint" | "float" | "double" | "year"
        | "bit" => "0".into(),
        "date" => "'0000-00-00'".into(),
        "time" => format!("'00:00:00{}'", fraction(decimals)),
        "datetime" | "timestamp" => format!("'0000-00-00 00:00:00{}'", fraction(decimals)),
        _ => "''".into(),
    }
}

/// The column type of an expression's result, from its description.
fn typed(up: &mut Upstream, d: &Described) -> Result<Column, OverlayError> {
    let len = u64::from(d.column_length());
    let dec = d.decimals();
    let unsigned = d.flags().contains(ColumnFlags::UNSIGNED_FLAG);
    let sign = if unsigned { " unsigned" } else { "" };
    let numeric = |t: &str, text: String| Column {
        data_type: t.into(),
        column_type: text,
        charset: None,
        collation: None,
    };
    let fsp = |t: &str| {
        if dec > 0 && dec < 7 {
            format!("{t}({dec})")
        } else {
            t.to_string()
        }
    };
    Ok(match d.column_type() {
        ColumnType::MYSQL_TYPE_TINY => numeric("tinyint", format!("tinyint({len}){sign}")),
        ColumnType::MYSQL_TYPE_SHORT => numeric("smallint", format!("smallint({len}){sign}")),
        ColumnType::MYSQL_TYPE_INT24 => numeric("mediumint", format!("mediumint({len}){sign}")),
        ColumnType::MYSQL_TYPE_LONG => numeric("int", format!("int({len}){sign}")),
        ColumnType::MYSQL_TYPE_LONGLONG => numeric("bigint", format!("bigint({len}){sign}")),
        ColumnType::MYSQL_TYPE_NEWDECIMAL | ColumnType::MYSQL_TYPE_DECIMAL => {
            let m = len - u64::from(dec > 0) - u64::from(!unsigned);
            numeric("decimal", format!("decimal({m},{dec}){sign}"))
        }
        ColumnType::MYSQL_TYPE_FLOAT => numeric("float", format!("float{sign}")),
        ColumnType::MYSQL_TYPE_DOUBLE => numeric("double", format!("double{sign}")),
        ColumnType::MYSQL_TYPE_DATE | ColumnType::MYSQL_TYPE_NEWDATE => {
            numeric("date", "date".into())
        }
        ColumnType::MYSQL_TYPE_DATETIME | ColumnType::MYSQL_TYPE_DATETIME2 => {
            numeric("datetime", fsp("datetime"))
        }
        ColumnType::MYSQL_TYPE_TIMESTAMP | ColumnType::MYSQL_TYPE_TIMESTAMP2 => {
            numeric("timestamp", fsp("timestamp"))
        }
        ColumnType::MYSQL_TYPE_TIME | ColumnType::MYSQL_TYPE_TIME2 => numeric("time", fsp("time")),
        ColumnType::MYSQL_TYPE_YEAR => numeric("year", "year(4)".into()),
        ColumnType::MYSQL_TYPE_BIT => numeric("bit", format!("bit({len})")),
        ColumnType::MYSQL_TYPE_NULL => numeric("binary", "binary(0)".into()),
        kind => {
            let id = d.character_set();
            let binary = id == 63;
            let (collation, charset, maxlen) = if binary {
                (None, None, 1)
            } else {
                let rows = up.query(&format!(
                    "SELECT c.COLLATION_NAME, c.CHARACTER_SET_NAME, s.MAXLEN                      FROM information_schema.COLLATIONS c JOIN information_schema.CHARACTER_SETS s                      ON s.CHARACTER_SET_NAME = c.CHARACTER_SET_NAME WHERE c.ID = {id}"
                ))?;
                let r = rows.first();
                (
                    r.map(|r| text(&r[0])),
                    r.map(|r| text(&r[1])),
                    r.and_then(|r| text(&r[2]).parse::<u64>().ok())
                        .unwrap_or(1)
                        .max(1),
                )
            };
            let chars = len / maxlen;
            let (data_type, column_type) = match (kind, binary) {
                (ColumnType::MYSQL_TYPE_BLOB, _)
                | (ColumnType::MYSQL_TYPE_TINY_BLOB, _)
                | (ColumnType::MYSQL_TYPE_MEDIUM_BLOB, _)
                | (ColumnType::MYSQL_TYPE_LONG_BLOB, _) => {
                    let size = if binary { len } else { chars };
                    let t = match (size, binary) {
                        (0..=255, true) => "tinyblob",
                        (0..=65_535, true) => "blob",
                        (0..=16_777_215, true) => "mediumblob",
                        (_, true) => "longblob",
                        (0..=255, false) => "tinytext",
                        (0..=65_535, false) => "text",
                        (0..=16_777_215, false) => "mediumtext",
                        (_, false) => "longtext",
                    };
                    (t.to_string(), t.to_string())
                }
                (ColumnType::MYSQL_TYPE_STRING, true) => {
                    ("binary".into(), format!("binary({len})"))
                }
                (ColumnType::MYSQL_TYPE_STRING, false) => ("char".into(), format!("char({chars})")),
                (_, true) => ("varbinary".into(), format!("varbinary({len})")),
                (_, false) => ("varchar".into(), format!("varchar({chars})")),
            };
            Column {
                data_type,
                column_type,
                charset,
                collation,
            }
        }
    })
}

/// ALGORITHM, DEFINER (`user@host`) and SQL SECURITY of an existing view,
/// which ALTER VIEW keeps where it does not give them: vdb's own, or the
/// source's as SHOW CREATE VIEW prints them (on MySQL and MariaDB alike).
fn existing_options(
    cx: &mut WriteContext,
    id: &TableId,
) -> Result<(String, String, String), OverlayError> {
    if let Some(v) = cx.delta.current().schema.views.get(id) {
        return Ok((v.algorithm.clone(), v.definer.clone(), v.security.clone()));
    }
    let rows = cx.up.query(&format!(
        "SHOW CREATE VIEW {}.{}",
        quote_ident(&id.schema),
        quote_ident(&id.name)
    ))?;
    let create = rows.first().map(|r| text(&r[1])).unwrap_or_default();
    let after = |key: &str| -> String {
        create
            .split_once(key)
            .map(|(_, rest)| rest.split(' ').next().unwrap_or("").to_string())
            .unwrap_or_default()
    };
    let algorithm = after("ALGORITHM=");
    let definer = after("DEFINER=").replace('`', "");
    let security = after("SQL SECURITY ");
    Ok((
        if algorithm.is_empty() {
            "UNDEFINED".into()
        } else {
            algorithm
        },
        definer,
        if security.is_empty() {
            "DEFINER".into()
        } else {
            security
        },
    ))
}

/// Runs a captured CREATE [OR REPLACE] VIEW or ALTER VIEW.
pub fn create(
    cx: &mut WriteContext,
    v: &CreateView,
    statement: &str,
) -> Result<WriteOutcome, OverlayError> {
    let id = TableId {
        schema: schema_of(cx, &v.name.0)?,
        name: v.name.1.clone(),
    };
    let state = cx.delta.current();
    super::database::defaults(cx.up, &state, &id.schema)?;
    let mut v = v.clone();
    if v.alter {
        if !is_view(cx, &id)? {
            if exists(cx.up, cx.delta, &id)? {
                return Err(not_a_view(&id));
            }
            return Err(super::meta::no_such_table(&id));
        }
        let (algorithm, definer, security) = existing_options(cx, &id)?;
        if !v.given.algorithm {
            v.algorithm = algorithm;
        }
        if !v.given.definer {
            v.definer = Some(definer);
        }
        if !v.given.security {
            v.security = security;
        }
        // What is left is CREATE OR REPLACE over a view.
        v.or_replace = true;
    }
    let v = &v;
    if is_view(cx, &id)? {
        if !v.or_replace {
            return Err(server(
                1050,
                "42S01",
                format!("Table '{}' already exists", id.name),
            ));
        }
    } else if exists(cx.up, cx.delta, &id)? {
        if v.or_replace {
            return Err(not_a_view(&id));
        }
        return Err(server(
            1050,
            "42S01",
            format!("Table '{}' already exists", id.name),
        ));
    }
    let body = definition(&v.body, cx.db.as_deref(), &[])?;
    let whole = definition(&v.body, cx.db.as_deref(), &v.columns)?;
    // Checked over the merged view, as the server checks the SELECT.
    let mut columns = result_columns(cx, &body, true)?;
    if !v.columns.is_empty() && v.columns.len() != columns.len() {
        return Err(server(
            1353,
            "HY000",
            "View's SELECT and view's field list have different column counts",
        ));
    }
    let check = format!("SELECT * FROM ({whole}) AS `vdb_view_check`");
    let check =
        super::rewrite_read(check.as_bytes(), &state, cx.db.as_deref(), None)?.unwrap_or(check);
    cx.up.describe(check.as_bytes())?;
    let definer = match &v.definer {
        Some(d) => d.clone(),
        None => cx
            .up
            .query("SELECT CURRENT_USER()")?
            .first()
            .map(|r| text(&r[0]))
            .unwrap_or_default(),
    };
    let session = cx
        .up
        .query("SELECT @@character_set_client, @@collation_connection")?;
    let (charset_client, collation_connection) = session
        .first()
        .map(|r| (text(&r[0]), text(&r[1])))
        .unwrap_or_default();
    for (c, name) in columns.iter_mut().zip(&v.columns) {
        c.name = name.clone();
    }
    let meta = Arc::new(TableMeta {
        id: id.clone(),
        columns,
        ..TableMeta::default()
    });
    let replaces_source = !state.schema.views.contains_key(&id) && source_view(cx, &id)?;
    let mut w = cx.delta.writer();
    if replaces_source {
        // The source's view of that name is gone; this one takes its place.
        w.next.schema.dropped.insert(id.clone());
    }
    w.next.views.insert(id.clone(), Arc::new(whole));
    w.next.schema.views.insert(
        id.clone(),
        ViewDef {
            body: v.body.clone(),
            columns: v.columns.clone(),
            algorithm: v.algorithm.clone(),
            security: v.security.clone(),
            definer,
            check_option: v.check_option.clone(),
            charset_client,
            collation_connection,
            meta,
        },
    );
    w.next.schema.log.push(SchemaChange {
        kind: if v.alter { "ALTER VIEW" } else { "CREATE VIEW" }.into(),
        table: id,
        statement: Arc::from(statement),
    });
    super::catalog::refresh(cx.up, cx.delta, &mut w)?;
    w.commit();
    Ok(WriteOutcome::default())
}

/// Runs a captured DROP VIEW: views created through vdb are forgotten,
/// the source's are dropped as DROP TABLE drops tables; 4092 for names
/// that are no view, tables included (after dropping the others).
pub fn drop(
    cx: &mut WriteContext,
    if_exists: bool,
    views: &[(Option<String>, String)],
    statement: &str,
) -> Result<WriteOutcome, OverlayError> {
    let mut gone = Vec::new();
    let mut missing = Vec::new();
    for (schema, name) in views {
        let id = TableId {
            schema: schema_of(cx, schema)?,
            name: name.clone(),
        };
        // A table is an unknown view here, as the server words it.
        if is_view(cx, &id)? {
            gone.push(id);
        } else {
            missing.push(id);
        }
    }
    if !gone.is_empty() {
        let mut w = cx.delta.writer();
        let statement: Arc<str> = Arc::from(statement);
        for id in &gone {
            w.next.views.remove(id);
            if w.next.schema.views.remove(id).is_none() || w.next.schema.dropped.contains(id) {
                w.next.schema.dropped.insert(id.clone());
            }
            w.next.schema.log.push(SchemaChange {
                kind: "DROP VIEW".into(),
                table: id.clone(),
                statement: statement.clone(),
            });
        }
        super::catalog::refresh(cx.up, cx.delta, &mut w)?;
        w.commit();
    }
    super::ddl::unknown_names(&missing, if_exists, 4092, "Unknown VIEW: ")
}

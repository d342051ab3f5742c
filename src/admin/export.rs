//! `vdb.export()`: the delta as a SQL patch that, applied in order to a
//! copy of the source, reproduces what vdb shows.
//!
//! The patch sets `NAMES utf8mb4` (its text literals are UTF-8), and turns
//! strict mode and foreign key checks off until its end. DDL comes next (source tables dropped, then tables created, as
//! `SHOW CREATE TABLE` shows them, and AUTO_INCREMENT counters that moved
//! past every row), then the rows: deletes, updates, inserts (an update
//! that changes a unique key's values is a delete and an insert, so that
//! rows exchanging key values never meet on the way). Updates and
//! deletes name the whole before-image in their WHERE and end in
//! `LIMIT n`, the number of rows they must touch: on a source that drifted
//! they touch nothing else, and `vdb apply` checks each one touched
//! exactly its `n`. With foreign key checks off, the target does not
//! cascade again what the delta already holds, and the order of tables
//! does not matter.

use crate::delta::{DeltaState, Projected, Row, TableId, TableMeta, Value};
use crate::overlay::catalog::comment_literal as quoted;
use crate::sql::literal::{bit_number, BadValue, Column};
use crate::sql::rewrite::quote_ident;

use super::changes::{Op, TableChanges};

/// MariaDB (10.2 and later) tests no CHECK constraint while the patch runs.
pub const CHECKS_OFF: &str =
    "/*!100200 SET @OLD_CHECK_CONSTRAINT_CHECKS = @@CHECK_CONSTRAINT_CHECKS, \
     CHECK_CONSTRAINT_CHECKS = 0 */";
/// ... and tests them again after.
const CHECKS_BACK: &str = "/*!100200 SET CHECK_CONSTRAINT_CHECKS = @OLD_CHECK_CONSTRAINT_CHECKS */";

/// Statements of an INSERT are grouped up to about this many bytes.
const INSERT_BYTES: usize = 64 * 1024;

/// The sql_mode a patch runs under (see [`patch`]).
const PATCH_MODE: &str = "NO_AUTO_VALUE_ON_ZERO";

/// A view of the state that reads a table or view that no longer exists
/// (dropped or renamed after the view was created, which the server
/// allows): the view, and what it reads. The server's CREATE VIEW refuses
/// such a view, so a patch holding it would stop half-applied.
pub fn dangling_view(state: &DeltaState) -> Option<(TableId, TableId)> {
    let schema = &state.schema;
    let gone = |t: &TableId| {
        !schema.created.contains_key(t)
            && !schema.views.contains_key(t)
            && (schema.dropped.contains(t)
                || schema.is_dropped_database(&t.schema)
                || schema.log.iter().any(|c| c.table == *t))
    };
    let mut views: Vec<(&TableId, &crate::delta::ViewDef)> = schema.views.iter().collect();
    views.sort_by(|a, b| a.0.cmp(b.0));
    for (id, def) in views {
        let Ok(refs) = crate::sql::tables::table_refs(&def.body) else {
            continue;
        };
        for r in refs {
            let t = TableId {
                schema: r.schema.clone().unwrap_or_else(|| id.schema.clone()),
                name: r.name.clone(),
            };
            if gone(&t) {
                return Some((id.clone(), t));
            }
        }
    }
    None
}

/// The patch, one statement per entry, without terminators. Tables of
/// `home` (the database the source URL names) are named without it, so the
/// patch applies to whatever database the applying session uses (a copy
/// under another name); tables of other databases are qualified.
pub fn patch(
    state: &DeltaState,
    changes: &[TableChanges],
    home: Option<&str>,
    create_table: impl Fn(&TableMeta, u64) -> String,
) -> Result<Vec<String>, BadValue> {
    let name = |id: &TableId| match home {
        Some(h) if h == id.schema => quote_ident(&id.name),
        _ => id.quoted(),
    };
    // Foreign key checks are off for the DDL too: a parent is dropped and
    // created again around the children that reference it. Strict mode is
    // off, as in a dump: the rows are the exact values vdb holds, some of
    // which only non-strict mode writes (an ENUM's '' for a value that was
    // not a member); NO_AUTO_VALUE_ON_ZERO keeps a 0 in an AUTO_INCREMENT
    // column. MariaDB's CHECK constraints are off too: a row a constraint
    // added in place never tested is kept, as the server keeps it (MySQL
    // skips the executable comment, as it does in a dump).
    // TIMESTAMP values are written as the instants vdb keeps, in UTC (as
    // a dump writes them), whatever the applying session's time zone.
    let mut out = vec![
        "SET NAMES utf8mb4".to_string(),
        "SET @OLD_TIME_ZONE = @@TIME_ZONE, TIME_ZONE = '+00:00'".to_string(),
        format!(
            "SET @OLD_SQL_MODE = @@SQL_MODE, SQL_MODE = {}",
            quoted(PATCH_MODE)
        ),
        CHECKS_OFF.to_string(),
        "SET FOREIGN_KEY_CHECKS = 0".to_string(),
    ];
    let prelude = out.len();
    // The triggers of the tables the patch creates (a source table that
    // was altered, renamed or truncated is dropped and created again, and
    // its triggers with it), each under the sql_mode it runs with, in
    // firing order, then the patch's own mode again. As in a dump, they
    // come after the rows, which already hold what they computed.
    let mut end = Vec::new();
    for meta in state.schema.lasting_created() {
        for t in &meta.triggers {
            end.push(format!("SET SQL_MODE = {}", quoted(&t.sql_mode)));
            let db = (home != Some(meta.id.schema.as_str())).then_some(meta.id.schema.as_str());
            // The statement named no definer: the applying account is.
            let statement = if t.implicit_definer {
                crate::sql::trigger::without_definer(&t.statement)
            } else {
                t.statement.clone()
            };
            end.push(crate::sql::trigger::qualified(
                &statement,
                db,
                &meta.id.name,
            ));
        }
    }
    if !end.is_empty() {
        end.push(format!("SET SQL_MODE = {}", quoted(PATCH_MODE)));
    }
    end.extend(
        [
            "SET FOREIGN_KEY_CHECKS = 1",
            CHECKS_BACK,
            "SET SQL_MODE = @OLD_SQL_MODE",
            "SET TIME_ZONE = @OLD_TIME_ZONE",
        ]
        .map(String::from),
    );
    // A table an ALTER redefined without copying its rows reads them from
    // a source table through a projection (see `delta::Origin`): the
    // source table's columns it reads are kept aside before it is dropped,
    // and poured into the new table once it exists.
    let mut poured = Vec::new();
    let mut projected: Vec<TableChanges> = Vec::new();
    for (n, meta) in state.schema.lasting_created().into_iter().enumerate() {
        let Some((t, o)) = state
            .tables
            .get(&meta.id)
            .and_then(|t| Some((t, t.origin.as_deref()?)))
        else {
            continue;
        };
        // Beside the source table, unless the patch drops its database.
        let schema = if state.schema.dropped_databases.contains(&o.table.schema) {
            &meta.id.schema
        } else {
            &o.table.schema
        };
        let aside = TableId {
            schema: schema.clone(),
            name: format!("vdb_origin_{n}"),
        };
        let read: Vec<String> = (0..meta.columns.len())
            .filter_map(|j| t.source_column_name(j).map(quote_ident))
            .collect();
        out.push(format!(
            "CREATE TABLE {} AS SELECT {} FROM {}",
            name(&aside),
            read.join(", "),
            name(&o.table)
        ));
        let mut columns = Vec::new();
        let mut values = Vec::new();
        for (p, c) in o.columns.iter().zip(&meta.columns) {
            columns.push(quote_ident(&c.name));
            values.push(match p {
                Projected::Column(n) => quote_ident(n),
                Projected::Converted { column, read } => read.replace("{c}", &quote_ident(column)),
                Projected::Value(v) => value_literal(&c.column, v)?,
            });
        }
        poured.push(format!(
            "INSERT INTO {} ({}) SELECT {} FROM {}",
            name(&meta.id),
            columns.join(", "),
            values.join(", "),
            name(&aside)
        ));
        poured.push(format!("DROP TABLE {}", name(&aside)));
        // The source rows the delta replaces or removes go by key (the
        // poured row is whatever the target's source row made of it),
        // and every captured row is inserted after, as vdb holds it.
        let key_cols: Vec<String> = t
            .key
            .iter()
            .map(|&i| quote_ident(&meta.columns[i].name))
            .collect();
        let hidden: Vec<&Row> = t.hidden.values().collect();
        for batch in hidden.chunks(500) {
            let mut tuples = Vec::with_capacity(batch.len());
            for k in batch {
                let mut lits = Vec::with_capacity(k.len());
                for (v, &i) in k.iter().zip(&t.key) {
                    lits.push(value_literal(&meta.columns[i].column, v)?);
                }
                tuples.push(format!("({})", lits.join(", ")));
            }
            poured.push(format!(
                "DELETE FROM {} WHERE ({}) IN ({}) LIMIT {}",
                name(&meta.id),
                key_cols.join(", "),
                tuples.join(", "),
                batch.len()
            ));
        }
        projected.push(TableChanges {
            meta: meta.clone(),
            key: t.key.clone(),
            counted: false,
            changes: t
                .rows
                .values()
                .map(|r| super::changes::Change {
                    op: Op::Insert,
                    before: None,
                    after: Some((**r).clone()),
                    copies: 1,
                })
                .collect(),
        });
    }
    // The changes of projected tables are those just made.
    let changes: Vec<&TableChanges> = changes
        .iter()
        .filter(|c| !projected.iter().any(|p| p.meta.id == c.meta.id))
        .chain(projected.iter())
        .collect();
    // A dropped database goes whole (its views too); a database created
    // through vdb comes before its tables.
    for db in &state.schema.dropped_databases {
        out.push(format!("DROP DATABASE {}", quote_ident(db)));
    }
    // A database's COMMENT is MariaDB's (10.5 and later); clearing one is
    // said in an executable comment MySQL skips.
    let comment = |def: &crate::delta::DatabaseDef| {
        if def.comment.is_empty() {
            String::new()
        } else {
            format!(
                " COMMENT {}",
                crate::overlay::catalog::comment_literal(&def.comment)
            )
        }
    };
    for (db, def) in &state.schema.databases {
        out.push(format!(
            "CREATE DATABASE {} CHARACTER SET {} COLLATE {}{}",
            quote_ident(db),
            def.charset,
            def.collation,
            comment(def)
        ));
    }
    for (db, def) in &state.schema.altered_databases {
        let comment = match comment(def) {
            c if c.is_empty() => " /*M!100500 COMMENT ''*/".to_string(),
            c => c,
        };
        out.push(format!(
            "ALTER DATABASE {} CHARACTER SET {} COLLATE {}{comment}",
            quote_ident(db),
            def.charset,
            def.collation
        ));
    }
    // What each dropped source name was: the first statement that
    // touched it says (DROP VIEW, or CREATE OR REPLACE VIEW over it, for
    // a view).
    let dropped_view = |id: &TableId| {
        state
            .schema
            .log
            .iter()
            .find(|c| c.table == *id)
            .is_some_and(|c| matches!(c.kind.as_str(), "DROP VIEW" | "CREATE VIEW" | "ALTER VIEW"))
    };
    for id in &state.schema.dropped {
        if !state.schema.dropped_databases.contains(&id.schema) {
            let what = if dropped_view(id) { "VIEW" } else { "TABLE" };
            out.push(format!("DROP {what} {}", name(id)));
        }
    }
    let created = state.schema.lasting_created();
    for meta in created {
        let next_auto = state.tables.get(&meta.id).map_or(1, |t| t.next_auto);
        let text = create_table(meta, next_auto);
        // SHOW CREATE TABLE names the table alone; the patch qualifies it.
        let unqualified = format!("CREATE TABLE {}", quote_ident(&meta.id.name));
        out.push(match text.strip_prefix(&unqualified) {
            Some(rest) => format!("CREATE TABLE {}{rest}", name(&meta.id)),
            None => text,
        });
    }
    out.extend(poured);
    // Views after the tables they read, in the order they were first
    // created (a view reads only what existed then).
    let mut made: Vec<&TableId> = Vec::new();
    for c in &state.schema.log {
        if matches!(c.kind.as_str(), "CREATE VIEW" | "ALTER VIEW")
            && state.schema.views.contains_key(&c.table)
            && !made.contains(&&c.table)
        {
            made.push(&c.table);
        }
    }
    for id in made {
        out.push(crate::overlay::catalog::create_view_text(
            &name(id),
            &state.schema.views[id],
            false,
        ));
    }
    for t in state.user_tables() {
        let meta = &t.meta;
        if meta.auto_column().is_none() || meta.created || state.schema.is_dropped(&meta.id) {
            continue;
        }
        // Inserted rows move the target's counter by themselves; only a
        // counter beyond them (rows inserted, then deleted) needs saying.
        let beyond_rows = t.highest_auto().map_or(0, |m| m + 1);
        let at_source = meta.auto_increment.unwrap_or(1);
        if t.next_auto > at_source && t.next_auto > beyond_rows {
            out.push(format!(
                "ALTER TABLE {} AUTO_INCREMENT = {}",
                name(&meta.id),
                t.next_auto
            ));
        }
    }
    if changes.is_empty() {
        if out.len() == prelude {
            out.clear();
        } else {
            out.extend(end);
        }
        return Ok(out);
    }
    for op in [Op::Delete, Op::Update, Op::Insert] {
        for t in changes.iter().copied() {
            // An update that moves a unique key is a delete and an insert:
            // updated one row at a time, two rows that exchange key values
            // would meet on the way.
            let phase = |c: &&super::changes::Change| match c.op {
                Op::Update if moves_unique_key(&t.meta, c) => {
                    matches!(op, Op::Delete | Op::Insert)
                }
                other => other == op,
            };
            let rows = t.changes.iter().filter(phase);
            match op {
                Op::Delete => {
                    for c in rows {
                        let before = c.before.as_ref().expect("a delete has a before-image");
                        out.push(format!(
                            "DELETE FROM {} WHERE {} LIMIT {}",
                            name(&t.meta.id),
                            image_match(t, before)?,
                            c.copies
                        ));
                    }
                }
                Op::Update => {
                    for c in rows {
                        let (Some(before), Some(after)) = (&c.before, &c.after) else {
                            continue;
                        };
                        out.push(update(t, &name(&t.meta.id), before, after)?);
                    }
                }
                Op::Insert => inserts(t, &name(&t.meta.id), rows.collect(), &mut out)?,
            }
        }
    }
    out.extend(end);
    Ok(out)
}

/// Whether an updated row's values of a unique key change.
fn moves_unique_key(meta: &TableMeta, c: &super::changes::Change) -> bool {
    let (Some(before), Some(after)) = (&c.before, &c.after) else {
        return false;
    };
    meta.unique_keys
        .iter()
        .flat_map(|k| &k.columns)
        .any(|&i| before[i] != after[i])
}

/// The columns a patch writes: all but generated ones.
fn written(meta: &TableMeta) -> impl Iterator<Item = usize> + '_ {
    (0..meta.columns.len()).filter(|&i| meta.columns[i].generated.is_none())
}

fn update(t: &TableChanges, table: &str, before: &Row, after: &Row) -> Result<String, BadValue> {
    let meta = &t.meta;
    let mut sets = Vec::new();
    for i in written(meta) {
        if before[i] != after[i] {
            sets.push(format!(
                "{} = {}",
                quote_ident(&meta.columns[i].name),
                value_literal(&meta.columns[i].column, &after[i])?
            ));
        }
    }
    Ok(format!(
        "UPDATE {table} SET {} WHERE {} LIMIT 1",
        sets.join(", "),
        image_match(t, before)?
    ))
}

fn inserts(
    t: &TableChanges,
    table: &str,
    rows: Vec<&super::changes::Change>,
    out: &mut Vec<String>,
) -> Result<(), BadValue> {
    let meta = &t.meta;
    let cols: Vec<usize> = written(meta).collect();
    let head = format!(
        "INSERT INTO {table} ({}) VALUES ",
        cols.iter()
            .map(|&i| quote_ident(&meta.columns[i].name))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut stmt = String::new();
    for c in rows {
        let row = c.after.as_ref().expect("an insert has an after-image");
        let mut lits = Vec::with_capacity(cols.len());
        for &i in &cols {
            lits.push(value_literal(&meta.columns[i].column, &row[i])?);
        }
        let tuple = format!("({})", lits.join(", "));
        for _ in 0..c.copies {
            if !stmt.is_empty() && stmt.len() + tuple.len() > INSERT_BYTES {
                out.push(std::mem::take(&mut stmt));
            }
            if stmt.is_empty() {
                stmt.push_str(&head);
            } else {
                stmt.push_str(", ");
            }
            stmt.push_str(&tuple);
        }
    }
    if !stmt.is_empty() {
        out.push(stmt);
    }
    Ok(())
}

/// A condition that holds exactly for rows equal to `image`, byte for
/// byte: key columns first (they find the row), then every other column.
fn image_match(t: &TableChanges, image: &Row) -> Result<String, BadValue> {
    let meta = &t.meta;
    let order = t
        .key
        .iter()
        .copied()
        .chain((0..meta.columns.len()).filter(|i| !t.key.contains(i)));
    let mut terms = Vec::with_capacity(image.len());
    for i in order {
        let c = &meta.columns[i];
        let name = quote_ident(&c.name);
        terms.push(match &image[i] {
            None => format!("{name} IS NULL"),
            Some(v) => equals(&c.column, &name, v)?,
        });
    }
    Ok(terms.join(" AND "))
}

fn equals(col: &Column, name: &str, v: &[u8]) -> Result<String, BadValue> {
    Ok(match col.data_type.as_str() {
        // Numbers and times compare by value; a float's text names the
        // float only once cast to the column's type.
        "float" | "double" | "real" => format!("{name} = {}", col.literal(Some(v))?),
        "json" => format!("{name} = {}", col.literal(Some(v))?),
        "binary" | "varbinary" | "tinyblob" | "blob" | "mediumblob" | "longblob" => {
            format!("{name} = {}", value_literal(col, &Some(v.to_vec()))?)
        }
        _ if col.compares_exactly() => {
            format!("{name} = {}", value_literal(col, &Some(v.to_vec()))?)
        }
        // Strings compare under a collation ('a' = 'A ' can hold): as bytes.
        _ => format!(
            "CAST({name} AS BINARY) = {}",
            value_literal(col, &Some(v.to_vec()))?
        ),
    })
}

/// The plainest literal that stores `v` in a column of this type: numbers
/// as they are, times and UTF-8 text quoted, anything else in hex.
pub fn value_literal(col: &Column, v: &Value) -> Result<String, BadValue> {
    let Some(v) = v else {
        return Ok("NULL".into());
    };
    let exact = col.literal(Some(v))?;
    Ok(match col.data_type.as_str() {
        "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint" | "year"
        | "decimal" | "numeric" => String::from_utf8_lossy(v).into_owned(),
        "float" | "double" | "real" => exact,
        "bit" => bit_number(v).map_or(exact, |n| n.to_string()),
        "date" | "datetime" | "timestamp" | "time" => {
            format!("'{}'", String::from_utf8_lossy(v))
        }
        "char" | "varchar" | "tinytext" | "text" | "mediumtext" | "longtext" | "enum" | "set"
        | "json" => {
            // The patch starts with SET NAMES utf8mb4: UTF-8 text reads as
            // itself in a UTF-8 column, and plain ASCII in any column.
            let utf8 = col.charset.as_deref().is_none_or(|c| c.starts_with("utf8"));
            let plain =
                |s: &str| (utf8 || s.is_ascii()) && s.chars().all(|c| c != '\\' && !c.is_control());
            match std::str::from_utf8(v) {
                Ok(s) if plain(s) => {
                    format!("'{}'", s.replace('\'', "''"))
                }
                _ if col.data_type == "json" => exact,
                // The column's character set, without its collation.
                _ => exact
                    .split(" COLLATE ")
                    .next()
                    .unwrap_or(&exact)
                    .to_string(),
            }
        }
        "binary" | "varbinary" | "tinyblob" | "blob" | "mediumblob" | "longblob" => exact,
        _ => exact,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(data_type: &str, column_type: &str, charset: Option<&str>) -> Column {
        Column {
            data_type: data_type.into(),
            column_type: column_type.into(),
            charset: charset.map(Into::into),
            collation: charset.map(|c| format!("{c}_general_ci")),
        }
    }

    fn lit(c: &Column, v: &[u8]) -> String {
        value_literal(c, &Some(v.to_vec())).unwrap()
    }

    #[test]
    fn patch_literals_are_plain_where_plain_is_exact() {
        assert_eq!(lit(&col("int", "int(11)", None), b"-42"), "-42");
        assert_eq!(lit(&col("decimal", "decimal(10,2)", None), b"1.50"), "1.50");
        assert_eq!(
            lit(
                &col("datetime", "datetime(3)", None),
                b"2024-01-02 03:04:05.678"
            ),
            "'2024-01-02 03:04:05.678'"
        );
        assert_eq!(
            lit(
                &col("varchar", "varchar(10)", Some("utf8mb4")),
                "it's ✓".as_bytes()
            ),
            "'it''s ✓'"
        );
        assert_eq!(lit(&col("bit", "bit(10)", None), &[0x02, 0x01]), "513");
        assert_eq!(
            lit(&col("varbinary", "varbinary(4)", None), &[0, 255]),
            "X'00FF'"
        );
        assert_eq!(
            value_literal(&col("int", "int(11)", None), &None).unwrap(),
            "NULL"
        );
    }

    #[test]
    fn text_a_quote_cannot_carry_goes_in_hex_with_its_character_set() {
        let c = col("varchar", "varchar(10)", Some("utf8mb4"));
        assert_eq!(lit(&c, b"a\\b"), "_utf8mb4 X'615C62'");
        assert_eq!(lit(&c, b"a\nb"), "_utf8mb4 X'610A62'");
        let latin = col("varchar", "varchar(10)", Some("latin1"));
        assert_eq!(lit(&latin, &[0xE9]), "_latin1 X'E9'");
        assert_eq!(lit(&latin, b"plain"), "'plain'");
    }
}

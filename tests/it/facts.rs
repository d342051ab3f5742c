//! Facts about the source that the overlay design relies on, checked
//! against the real server on every run, so a source that behaves otherwise
//! is noticed before vdb answers wrongly on it.

use mysql::prelude::Queryable;

use crate::differential::{cases, column_meta, ColumnInfoRow};
use crate::harness::source;

/// The result-set metadata COM_STMT_PREPARE returns for a SELECT agrees
/// with what executing it returns in names, tables, types, character sets
/// and decimals (not always in key flags): the basis for giving a rewritten
/// read the column definitions of the original text.
#[test]
fn prepare_returns_the_column_metadata_a_query_returns() {
    let mut c = source().conn(Some("vdbt_shop"));
    let mut compared = 0;
    for sql in cases(include_str!("../cases/reads.sql"))
        .into_iter()
        .filter(|s| !s.contains(';'))
    {
        let first = sql
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        if !matches!(first.as_str(), "SELECT" | "WITH" | "(") {
            continue;
        }
        let Ok(stmt) = c.prep(sql) else { continue };
        let prepared: Vec<String> = stmt.columns().iter().map(column_meta).collect();
        c.close(stmt).unwrap();
        let Ok(result) = c.query_iter(sql) else {
            continue;
        };
        let executed: Vec<String> = result.columns().as_ref().iter().map(column_meta).collect();
        drop(result);
        // What holds: names, tables, types, character sets and decimals.
        // What does not: key flags (PRI_KEY, AUTO_INCREMENT, PART_KEY,
        // MULTIPLE_KEY) that execution drops when it goes through a
        // temporary table (joins, window functions), and org_table of CTE
        // columns. ARCHITECTURE.md records this for the read rewrite.
        let keep = |m: &String| {
            let f: Vec<&str> = m.split('¦').collect();
            [f[0], f[1], f[2], f[4], f[5], f[7], f[9]].join("¦")
        };
        assert_eq!(
            prepared.iter().map(keep).collect::<Vec<_>>(),
            executed.iter().map(keep).collect::<Vec<_>>(),
            "{sql}"
        );
        compared += 1;
    }
    assert!(compared > 60, "{compared}");
}

/// Every value of every column type reads back byte for byte from its
/// literal, alone and in a UNION ALL with the real column; the UNION keeps
/// the column's type except for BIT, ENUM and SET (see sql/literal.rs).
#[test]
fn typed_literals_read_back_exactly_for_every_column_type() {
    let mut c = source().conn(Some("vdbt_types"));
    // Values in each column's own character set, as vdb reads them.
    c.query_drop("SET character_set_results = NULL").unwrap();
    let columns: Vec<ColumnInfoRow> = c
        .query(
            "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, CHARACTER_SET_NAME, COLLATION_NAME FROM information_schema.COLUMNS \
             WHERE TABLE_SCHEMA = 'vdbt_types' AND TABLE_NAME = 'alltypes' ORDER BY ORDINAL_POSITION",
        )
        .unwrap();
    assert!(columns.len() > 40);
    let mut checked = 0;
    let mut type_changes = Vec::new();
    let mut inexact = Vec::new();
    for (name, data_type, column_type, charset, collation) in columns {
        let col = vdb::sql::literal::Column {
            data_type,
            column_type,
            charset,
            collation,
        };
        for id in 1..=4 {
            // Text protocol: the bytes a client reads.
            let rows: Vec<mysql::Row> = c
                .query(format!("SELECT `{name}` FROM alltypes WHERE id = {id}"))
                .unwrap();
            let value: mysql::Value = rows[0].get(0).unwrap();
            let bytes = match &value {
                mysql::Value::NULL => None,
                mysql::Value::Bytes(b) => Some(b.clone()),
                other => panic!("text protocol gave {other:?}"),
            };
            // vdb keeps a TIMESTAMP as the instant, read as seconds.
            let kept = if col.data_type == "timestamp" {
                let read = vdb::clock::instant_read(&format!("`{name}`"));
                let rows: Vec<mysql::Row> = c
                    .query(format!("SELECT {read} FROM alltypes WHERE id = {id}"))
                    .unwrap();
                let v: Option<Vec<u8>> = rows[0].get(0).unwrap();
                v.map(|s| vdb::clock::instant_text(&s).unwrap_or(s))
            } else {
                bytes.clone()
            };
            let lit = col
                .literal(kept.as_deref())
                .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            let alone: Vec<mysql::Row> = c.query(format!("SELECT {lit}")).unwrap();
            let alone = alone[0].get::<mysql::Value, _>(0).unwrap();
            if col.union_exact() {
                assert_eq!(alone, value, "{name} row {id}: {lit}");
            } else if alone != value {
                inexact.push(format!(
                    "{name} ({}) alone: {value:?} reads back as {alone:?}",
                    col.column_type
                ));
            }
            let sql =
                format!("SELECT `{name}` FROM alltypes WHERE id = {id} UNION ALL SELECT {lit}");
            let mut union = c.query_iter(&sql).unwrap();
            let real_type = union.columns().as_ref()[0].column_type();
            let both: Vec<mysql::Row> = union.by_ref().map(|r| r.unwrap()).collect();
            drop(union);
            assert_eq!(both.len(), 2);
            let real = both[0].get::<mysql::Value, _>(0).unwrap();
            if col.union_exact() {
                assert_eq!(real, value, "{name} row {id}: the real value");
            } else if real != value {
                // A UNION drops ZEROFILL even from the source's own rows.
                inexact.push(format!(
                    "{name} ({}) source row in a union: {value:?} reads back as {real:?}",
                    col.column_type
                ));
            }
            let unioned = both[1].get::<mysql::Value, _>(0).unwrap();
            if col.union_exact() {
                assert_eq!(unioned, value, "{name} row {id}: {lit}");
            } else if unioned != value {
                inexact.push(format!(
                    "{name} ({}) in a union: {value:?} reads back as {unioned:?}",
                    col.column_type
                ));
            }
            if col.union_exact() && !matches!(col.data_type.as_str(), "timestamp" | "year") {
                let direct = c
                    .query_iter(format!("SELECT `{name}` FROM alltypes WHERE id = {id}"))
                    .unwrap();
                let want = direct.columns().as_ref()[0].column_type();
                drop(direct);
                // Narrow integer columns widen (TINYINT to INT, ...): the
                // values and every comparison over them are unchanged.
                // CHAR/BINARY become VAR_STRING and the TEXT/BLOB family
                // gets its size-specific wire type (MariaDB reports every
                // real TEXT/BLOB column as BLOB): same values, same
                // comparisons; the metadata of a rewritten read is restored
                // from the original text.
                use mysql::consts::ColumnType as T;
                let family = |t: T| match t {
                    T::MYSQL_TYPE_STRING | T::MYSQL_TYPE_VAR_STRING | T::MYSQL_TYPE_VARCHAR => 1,
                    T::MYSQL_TYPE_BLOB
                    | T::MYSQL_TYPE_TINY_BLOB
                    | T::MYSQL_TYPE_MEDIUM_BLOB
                    | T::MYSQL_TYPE_LONG_BLOB => 2,
                    _ => 0,
                };
                let widened = matches!(
                    col.data_type.as_str(),
                    "tinyint" | "smallint" | "mediumint" | "int"
                ) || (family(real_type) != 0 && family(real_type) == family(want));
                if real_type != want && !widened {
                    type_changes.push(format!(
                        "{name}: union type {real_type:?}, column type {want:?}"
                    ));
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 160, "{checked}");
    assert!(type_changes.is_empty(), "{type_changes:#?}");
    // Only columns the encoder calls inexact get here (by construction):
    // they are the cases the read rewrite must treat specially.
    for line in &inexact {
        println!("inexact in a UNION: {line}");
    }
}

/// MariaDB runs `BEGIN NOT ATOMIC ... END` outside stored programs, also in
/// a read-only session, and a variable DECLAREd with a column's type takes
/// an assigned value with the same conversion, errors and warnings as an
/// INSERT into that column (the messages differ only in naming the column
/// ``` ``.``.`v` ``` and "row 0"). That lets the source compute what a
/// captured write stores, exactly, without writing anything. MySQL 8 has no
/// top-level compound statements; a MySQL source needs another way.
#[test]
fn typed_variables_in_a_read_only_block_convert_as_an_insert_does() {
    let mut c = source().conn(None);
    c.query_drop("SET SESSION TRANSACTION READ ONLY").unwrap();
    let run = |c: &mut mysql::Conn, ty: &str, expr: &str| -> Result<Option<String>, u16> {
        let block = format!("BEGIN NOT ATOMIC DECLARE v {ty}; SET v = {expr}; SELECT v; END");
        match c.query_first::<Option<String>, _>(block) {
            Ok(v) => Ok(v.flatten()),
            Err(mysql::Error::MySqlError(e)) => Err(e.code),
            Err(e) => panic!("{e}"),
        }
    };
    c.query_drop("SET SESSION sql_mode = 'STRICT_ALL_TABLES'")
        .unwrap();
    for (ty, expr, want) in [
        ("TINYINT", "'abc'", Err(1366)),
        ("TINYINT", "300", Err(1264)),
        ("TINYINT UNSIGNED", "-1", Err(1264)),
        ("TINYINT", "1.5", Ok(Some("2"))),
        ("DATE", "'2024-02-30'", Err(1292)),
        // Truncated, as MariaDB's INSERT does without TIME_ROUND_FRACTIONAL.
        (
            "DATETIME(2)",
            "'2024-02-28 10:00:00.129'",
            Ok(Some("2024-02-28 10:00:00.12")),
        ),
        ("ENUM('a','b')", "'q'", Err(1265)),
        ("SET('x','y')", "'y,x'", Ok(Some("x,y"))),
        ("VARCHAR(3)", "'abcd'", Err(1406)),
        ("DECIMAL(5,2)", "1.005", Ok(Some("1.01"))),
        ("DECIMAL(5,2)", "12345", Err(1264)),
        ("INT", "NULL", Ok(None)),
    ] {
        assert_eq!(
            run(&mut c, ty, expr),
            want.map(|v| v.map(String::from)),
            "{ty} <- {expr}, strict"
        );
    }
    c.query_drop("SET SESSION sql_mode = ''").unwrap();
    assert_eq!(
        run(&mut c, "TINYINT", "300"),
        Ok(Some("127".into())),
        "clamped, as INSERT does outside strict mode"
    );
    let warnings: Vec<(String, u16, String)> = c.query("SHOW WARNINGS").unwrap();
    assert_eq!(warnings.first().map(|w| w.1), Some(1264));
    // The block cannot write: the session is still read-only.
    let err = c
        .query_drop("BEGIN NOT ATOMIC INSERT INTO vdbt_shop.digits VALUES (99); END")
        .unwrap_err();
    assert!(
        matches!(err, mysql::Error::MySqlError(ref e) if e.code == 1792),
        "{err}"
    );
}

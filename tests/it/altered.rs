//! A source table altered through vdb keeps reading its rows from the
//! source, through the new definition: a migration of a large table takes
//! no memory and no time, and every read, write, error, the state file and
//! the exported patch answer as a server that ran the migration would.

use mysql::prelude::Queryable;
use mysql::Conn;

use crate::harness::{assert_source_unchanged, source, source_fingerprint, Vdb, VdbOptions};

/// A database holding `t` (100,000 rows, ids 1.., k = 2 * id, s a label).
fn large_table(db: &str) {
    let mut c = source().conn(None);
    c.query_drop(format!("DROP DATABASE IF EXISTS {db}"))
        .unwrap();
    c.query_drop(format!(
        "CREATE DATABASE {db} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"
    ))
    .unwrap();
    c.query_drop(format!("USE {db}")).unwrap();
    c.query_drop("CREATE TABLE d (d INT NOT NULL PRIMARY KEY)")
        .unwrap();
    c.query_drop("INSERT INTO d VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)")
        .unwrap();
    c.query_drop(
        "CREATE TABLE t (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, k INT NOT NULL, s VARCHAR(40), KEY (k))",
    )
    .unwrap();
    c.query_drop(
        "INSERT INTO t (id, k, s) SELECT n + 1, 2 * (n + 1), CONCAT('row ', n + 1) FROM \
         (SELECT a.d * 10000 + b.d * 1000 + c.d * 100 + e.d * 10 + f.d AS n \
          FROM d a, d b, d c, d e, d f) AS numbers",
    )
    .unwrap();
    c.query_drop("DROP TABLE d").unwrap();
    // Its statistics settle now, not while the test reads them.
    c.query_drop("ANALYZE TABLE t").unwrap();
}

fn checksum(db: &str) -> Option<i64> {
    let sums: Vec<(String, Option<i64>)> = source()
        .conn(None)
        .query(format!("CHECKSUM TABLE {db}.t EXTENDED"))
        .unwrap();
    sums[0].1
}

/// What a statement did: its affected rows, or its error code.
fn run(c: &mut Conn, sql: &str) -> Result<u64, u16> {
    match c.query_drop(sql) {
        Ok(()) => Ok(c.affected_rows()),
        Err(mysql::Error::MySqlError(e)) => Err(e.code),
        Err(e) => panic!("{sql}: {e}"),
    }
}

/// A query's rows, each as text.
fn rows(c: &mut Conn, sql: &str) -> Vec<String> {
    let rows: Vec<mysql::Row> = c.query(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.into_iter()
        .map(|r| format!("{:?}", r.unwrap()))
        .collect()
}

/// Reads that see every row, by key and by the other columns, compared
/// between two connections.
fn differences(a: &mut Conn, b: &mut Conn, table: &str) -> Vec<String> {
    let mut out = Vec::new();
    for q in [
        format!("SELECT * FROM {table} ORDER BY id"),
        format!("SELECT COUNT(*), SUM(k), COUNT(DISTINCT note), MAX(label) FROM {table}"),
        format!("SELECT note, COUNT(*) FROM {table} GROUP BY note ORDER BY note"),
        format!("SELECT * FROM {table} WHERE id BETWEEN 5 AND 25 ORDER BY id"),
        format!("SELECT id, note FROM {table} WHERE k IN (2000, 4, 40) ORDER BY id"),
        format!("SHOW CREATE TABLE {table}"),
        // (Cardinality is left out: vdb shows none for a table it
        // redefined, where the server shows its estimate.)
        format!(
            "SELECT INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, NULLABLE, INDEX_TYPE \
             FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{table}' \
             ORDER BY INDEX_NAME, SEQ_IN_INDEX"
        ),
        format!(
            "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT FROM information_schema.COLUMNS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{table}' ORDER BY ORDINAL_POSITION"
        ),
    ] {
        let (x, y) = (rows(a, &q), rows(b, &q));
        if x != y {
            let first = x.iter().zip(&y).position(|(p, q)| p != q);
            out.push(format!(
                "{q}: {} rows vs {}, first difference at {first:?}: {:?} vs {:?}",
                x.len(),
                y.len(),
                first.map(|i| &x[i]),
                first.map(|i| &y[i])
            ));
        }
    }
    out
}

fn status(c: &mut Conn, name: &str) -> u64 {
    let v: String = c
        .query_first(format!(
            "SELECT value FROM vdb.status WHERE name = '{name}'"
        ))
        .unwrap()
        .unwrap();
    v.parse().unwrap()
}

#[test]
fn a_migration_of_a_large_source_table_holds_only_the_rows_written_after_it() {
    let before = source_fingerprint();
    let (src, copy, patched) = (
        "vdbt_scratch_altered_src",
        "vdbt_scratch_altered_copy",
        "vdbt_scratch_altered_patched",
    );
    large_table(src);
    large_table(copy);
    let sum = checksum(src);
    let path = std::env::temp_dir().join(format!("vdb-altered-{}.vdb", std::process::id()));
    let path = path.display().to_string();
    let _ = std::fs::remove_file(&path);
    let options = VdbOptions {
        source_url: Some(format!("{}/{src}", source().reader_url())),
        state: Some(path.clone()),
        ..VdbOptions::default()
    };
    let vdb = Vdb::start_with(options.clone());
    let mut through = vdb.conn(Some(src));
    let mut direct = source().conn(Some(copy));
    let steps = [
        "ALTER TABLE t ADD COLUMN note VARCHAR(10) NOT NULL DEFAULT 'x' AFTER k, RENAME COLUMN s TO label, ADD INDEX (note)",
        "UPDATE t SET note = 'y' WHERE id <= 10",
        "DELETE FROM t WHERE id BETWEEN 11 AND 20",
        "INSERT INTO t (k, note, label) VALUES (-1, 'z', 'new')",
        // Widened in place; a unique key over existing rows that holds.
        "ALTER TABLE t MODIFY label VARCHAR(60), ADD UNIQUE KEY uk (k), ADD COLUMN at DATETIME NULL, ALTER COLUMN note SET DEFAULT 'w'",
        "INSERT INTO t (k) VALUES (-2)",
        // The new key holds against the source's rows too.
        "INSERT INTO t (k) VALUES (4)",
        "UPDATE t SET k = 2000 WHERE id = 5",
        // NULLs in existing rows: the server refuses, and so does vdb.
        "ALTER TABLE t MODIFY at DATETIME NOT NULL",
        // A unique key the existing rows break.
        "ALTER TABLE t ADD UNIQUE KEY un (note)",
        "RENAME TABLE t TO t2",
        "ALTER TABLE t2 DROP COLUMN at, DROP INDEX note",
        "UPDATE t2 SET label = CONCAT(label, '!') WHERE id IN (1, 50000, 99999)",
        // The server copies every row to widen a type; the values stay,
        // and vdb reads them through the wider type.
        "ALTER TABLE t2 MODIFY id BIGINT NOT NULL AUTO_INCREMENT, MODIFY k BIGINT NOT NULL",
        "INSERT INTO t2 (k, label) VALUES (10000000000, 'wide')",
        "UPDATE t2 SET k = k + 1 WHERE id = 99998",
        // A foreign key and a narrower type: the server copies every row to
        // test it; vdb tests them with queries, and copies none unless one
        // fails (then the copy fails as the server does).
        "CREATE TABLE owners (id INT NOT NULL PRIMARY KEY)",
        "INSERT INTO owners VALUES (1), (2)",
        "ALTER TABLE t2 ADD COLUMN owner INT NULL",
        "UPDATE t2 SET owner = 3 WHERE id = 7",
        "ALTER TABLE t2 ADD CONSTRAINT fk_owner FOREIGN KEY (owner) REFERENCES owners (id)",
        "UPDATE t2 SET owner = 2 WHERE id = 7",
        "ALTER TABLE t2 ADD CONSTRAINT fk_owner FOREIGN KEY (owner) REFERENCES owners (id)",
        "INSERT INTO t2 (k, label, owner) VALUES (-3, 'orphan', 9)",
        "DELETE FROM owners WHERE id = 2",
        "ALTER TABLE t2 MODIFY label VARCHAR(5)",
        "ALTER TABLE t2 MODIFY label VARCHAR(20)",
        "INSERT INTO t2 (k, label) VALUES (10000000001, 'longer than twenty chars')",
        // Conversions that keep each value: read through CAST and COLLATE.
        "ALTER TABLE t2 MODIFY k DECIMAL(22,1) NOT NULL, MODIFY label VARCHAR(20) COLLATE utf8mb4_bin",
        "UPDATE t2 SET k = k + 0.5 WHERE id IN (3, 99999)",
        "INSERT INTO t2 (k, label) VALUES (6, 'a duplicate k')",
        "ALTER TABLE t2 MODIFY owner VARCHAR(4) NULL",
        "ALTER TABLE t2 MODIFY owner VARCHAR(1) NULL",
    ];
    let mut failures = Vec::new();
    for sql in steps {
        let (a, b) = (run(&mut through, sql), run(&mut direct, sql));
        if a != b {
            failures.push(format!("{sql}: vdb {a:?}, direct {b:?}"));
        }
    }
    failures.extend(differences(&mut through, &mut direct, "t2"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Its size, as SHOW TABLE STATUS and GUIs read it, is the source
    // table's estimate, not an empty table's, moved by the rows written
    // since (InnoDB counts them).
    let estimate = "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ";
    let shown: Vec<u64> = through.query(format!("{estimate}'t2'")).unwrap();
    let mut at_source = source().conn(Some(src));
    let source_rows: Vec<u64> = at_source.query(format!("{estimate}'t'")).unwrap();
    let count = |c: &mut Conn, t: &str| -> i64 {
        c.query_first(format!("SELECT COUNT(*) FROM {t}"))
            .unwrap()
            .unwrap()
    };
    let written = count(&mut through, "t2") - count(&mut at_source, "t");
    assert_ne!(written, 0);
    assert_eq!(shown, [(source_rows[0] as i64 + written) as u64]);
    assert!(shown[0] > 50_000, "{shown:?}");
    // So are its indexes' cardinalities, where the source has an index
    // over the same columns (the primary key, k): the optimizer hints a
    // GUI or an ORM shows, not an empty table's 0.
    let cardinality = |c: &mut mysql::Conn, table: &str| -> Vec<(String, u64)> {
        c.query(format!(
            "SELECT INDEX_NAME, CARDINALITY FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
             AND TABLE_NAME = '{table}' AND INDEX_NAME IN ('PRIMARY', 'k') ORDER BY INDEX_NAME"
        ))
        .unwrap()
    };
    let shown = cardinality(&mut through, "t2");
    assert_eq!(shown, cardinality(&mut source().conn(Some(src)), "t"));
    assert!(shown.iter().all(|(_, n)| *n > 0), "{shown:?}");
    let index: Vec<(String, u64)> = through
        .query_map(
            "SHOW INDEX FROM t2 WHERE Key_name = 'PRIMARY'",
            |r: mysql::Row| (r.get::<String, _>(2).unwrap(), r.get::<u64, _>(6).unwrap()),
        )
        .unwrap();
    let primary: Vec<(String, u64)> = shown
        .iter()
        .filter(|(n, _)| n == "PRIMARY")
        .cloned()
        .collect();
    assert_eq!(index, primary);
    // The delta holds the few rows written, not the table.
    let held = status(&mut through, "delta_bytes");
    assert!(held < 64 * 1024, "the delta holds {held} bytes");
    assert!(status(&mut through, "changed_rows") < 40);

    // The patch, applied to another copy, gives the same table.
    let patch: Vec<String> = through.query("CALL vdb.export()").unwrap();
    large_table(patched);
    let mut target = source().conn(Some(patched));
    for s in &patch {
        target
            .query_drop(s)
            .unwrap_or_else(|e| panic!("the patch failed: {e}\n  {s}"));
    }
    let d = differences(&mut through, &mut target, "t2");
    assert!(d.is_empty(), "after the patch: {}", d.join("\n"));
    let tables: Vec<String> = target.query("SHOW TABLES").unwrap();
    assert_eq!(
        tables,
        ["owners", "t2"],
        "the patch leaves nothing of its own"
    );

    // The state file keeps the projection across a restart.
    through.query_drop("CALL vdb.save()").unwrap();
    drop(through);
    let restarted = Vdb::start_with(options.clone());
    let mut after = restarted.conn(Some(src));
    let d = differences(&mut after, &mut direct, "t2");
    assert!(d.is_empty(), "after a restart: {}", d.join("\n"));
    let _ = std::fs::remove_file(&path);

    for db in [src, copy, patched] {
        if db != src {
            source()
                .conn(None)
                .query_drop(format!("DROP DATABASE {db}"))
                .unwrap();
        }
    }
    assert_eq!(checksum(src), sum, "the source table changed");
    source()
        .conn(None)
        .query_drop(format!("DROP DATABASE {src}"))
        .unwrap();
    assert_source_unchanged(&before);
}

//! No write reaches the source: every kind is refused with an error that
//! names it, and the source's checksums, tables, routines and users are the
//! same afterwards.

use mysql::prelude::Queryable;

use crate::harness::{assert_source_unchanged, source, source_fingerprint, Vdb};

/// Every kind of statement that would change the source, and the name the
/// refusal must carry.
const WRITES: &[(&str, &str)] = &[
    // Writes vdb captures in other forms (tests/it/capture.rs) but not in
    // these yet.
    (
        "INSERT INTO numbers SELECT n FROM numbers ON DUPLICATE KEY UPDATE n = n + 1",
        "INSERT ... SELECT ... ON DUPLICATE KEY UPDATE naming `n`",
    ),
    (
        "UPDATE customers c JOIN orders o ON o.customer_id = c.id SET c.name = o.note, o.note = c.name",
        "a multi-table UPDATE whose SET reads a column another assignment of it writes",
    ),
    (
        "UPDATE customers c JOIN orders o ON o.customer_id = c.id SET c.name = 'x' LIMIT 1",
        "multi-table UPDATE with ORDER BY, LIMIT or RETURNING",
    ),
    ("DELETE FROM halfkey", "whose only unique keys take NULL"),
    (
        "DELETE n FROM nokey n JOIN digits d ON d.d = n.a",
        "a multi-table statement that changes vdbt_shop.nokey, which has no unique key",
    ),
    (
        "WITH t AS (SELECT 1) UPDATE digits SET d = d + 100",
        "WITH ... UPDATE",
    ),

    ("CREATE USER 'evil'@'%' IDENTIFIED BY 'x'", "CREATE USER"),
    (
        "CREATE FUNCTION f() RETURNS INT RETURN 1",
        "CREATE FUNCTION",
    ),
    ("CREATE PROCEDURE p() SELECT 1", "CREATE PROCEDURE"),
    (
        "INSERT INTO audited VALUES (1, 1) ON DUPLICATE KEY UPDATE v = 2",
        "writing to vdbt_shop.audited, whose trigger audited_bu reads tables and whose trigger audited_ai writes them",
    ),
    (
        "CREATE EVENT e ON SCHEDULE EVERY 1 HOUR DO DELETE FROM digits",
        "CREATE EVENT",
    ),
    ("CREATE SEQUENCE s", "CREATE SEQUENCE"),
    (
        "CREATE TABLE parted (id INT) /*!50100 PARTITION BY HASH (id) PARTITIONS 2 */",
        "a partitioned table (PARTITION BY)",
    ),
    (
        "ALTER TABLE digits PARTITION BY KEY (d) PARTITIONS 2",
        "ALTER TABLE ... PARTITION",
    ),
    (
        "ALTER TABLE nokey ORDER BY a",
        "ORDER BY of a table without a primary key",
    ),
    (
        "CREATE TABLE mine (id INT PRIMARY KEY) ENGINE=MyISAM",
        "a table with ENGINE = MyISAM",
    ),
    (
        "CREATE TABLE mine (id INT PRIMARY KEY) STATS_PERSISTENT=0",
        "the table option STATS_PERSISTENT",
    ),
    ("CREATE INDEX k_desc ON products (price DESC)", "a key part price DESC"),
    (
        "CREATE TABLE mine (id INT, PRIMARY KEY (id) USING HASH)",
        "an index USING HASH",
    ),
    (
        "UPDATE vdbt_meta.counter_events SET label = 'x'",
        "a write through the view vdbt_meta.counter_events, which reads more than one table",
    ),
    (
        "ALTER TABLE digits ADD FOREIGN KEY (d) REFERENCES numbers (n) ON DELETE SET DEFAULT",
        "ON DELETE/UPDATE SET DEFAULT",
    ),
    (
        "ALTER TABLE digits ADD COLUMN g INT INVISIBLE",
        "a column defined with",
    ),
    (
        "ALTER USER 'vdbtest'@'127.0.0.1' IDENTIFIED BY 'other'",
        "ALTER USER",
    ),
    ("DROP FUNCTION sneaky_write", "DROP FUNCTION"),
    ("DROP USER 'vdbtest'@'127.0.0.1'", "DROP USER"),
    (
        "RENAME USER 'vdbtest'@'127.0.0.1' TO 'x'@'%'",
        "RENAME USER",
    ),
    ("GRANT ALL ON *.* TO 'vdbtest'@'127.0.0.1'", "GRANT"),
    (
        "REVOKE ALL PRIVILEGES ON *.* FROM 'vdbtest'@'127.0.0.1'",
        "REVOKE",
    ),
    ("SET PASSWORD = PASSWORD('x')", "SET PASSWORD"),
    (
        "SET PASSWORD FOR 'vdbtest'@'127.0.0.1' = PASSWORD('x')",
        "SET PASSWORD",
    ),
    ("SET GLOBAL max_connections = 1", "SET GLOBAL"),
    ("SET @@global.sql_mode = 'ANSI'", "SET GLOBAL"),
    (
        "SET SESSION TRANSACTION READ WRITE",
        "SET TRANSACTION READ WRITE",
    ),
    ("SET tx_read_only = 0", "SET transaction_read_only"),
    (
        "LOAD DATA INFILE '/etc/passwd' INTO TABLE nokey",
        "LOAD DATA",
    ),
    (
        "LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE nokey",
        "LOAD DATA",
    ),
    ("LOAD XML INFILE '/tmp/x.xml' INTO TABLE nokey", "LOAD XML"),
    (
        "SELECT * FROM customers INTO OUTFILE '/tmp/vdb-outfile'",
        "SELECT ... INTO OUTFILE",
    ),
    (
        "SELECT name FROM customers LIMIT 1 INTO DUMPFILE '/tmp/vdb-dumpfile'",
        "SELECT ... INTO DUMPFILE",
    ),
    ("CALL add_digit()", "CALL"),
    ("FLUSH TABLES", "FLUSH"),
    ("FLUSH PRIVILEGES", "FLUSH"),
    ("RESET MASTER", "RESET MASTER"),
    ("PURGE BINARY LOGS BEFORE NOW()", "PURGE BINARY"),
    ("KILL USER 'vdbtest'", "KILL"),
    ("KILL QUERY ID 1", "KILL"),
    ("SHUTDOWN", "SHUTDOWN"),
    (
        "INSTALL PLUGIN example SONAME 'ha_example.so'",
        "INSTALL PLUGIN",
    ),
    ("UNINSTALL PLUGIN example", "UNINSTALL PLUGIN"),
    // Maintenance vdb does not answer (ANALYZE, CHECK, OPTIMIZE and
    // REPAIR TABLE of an InnoDB table or a view it does).
    ("OPTIMIZE TABLE customers QUICK", "OPTIMIZE TABLE"),
    ("REPAIR TABLE customers FAST", "REPAIR TABLE"),
    ("ANALYZE TABLE customers EXTENDED", "ANALYZE TABLE"),
    ("CHECK TABLE customers USE_FRM", "CHECK TABLE"),
    ("CHECK TABLE information_schema.TABLES", "CHECK TABLE of system view"),
    ("CACHE INDEX customers IN hot", "CACHE INDEX"),
    ("HANDLER customers OPEN", "HANDLER"),
    ("XA START 'x'", "XA"),
    ("BINLOG 'AAAA'", "BINLOG"),
    ("CHANGE MASTER TO MASTER_HOST = 'evil'", "CHANGE MASTER"),
    ("START SLAVE", "START SLAVE"),
    (
        "BEGIN NOT ATOMIC INSERT INTO digits VALUES (42); END",
        "BEGIN NOT ATOMIC",
    ),
    ("IF 1 THEN DELETE FROM digits; END IF", "IF"),
    (
        "lbl: LOOP DELETE FROM digits; LEAVE lbl; END LOOP",
        "a labelled compound statement",
    ),
    // Disguised writes.
    ("SELECT 1; DELETE FROM digits", "DELETE"),
    (
        "DELETE FROM digits; SELECT 1",
        "a write in a multi-statement text",
    ),
    ("SELECT 1 /*! ; DELETE FROM digits */", "DELETE"),
    ("PREPARE w FROM 'DELETE FROM digits'", "DELETE"),
    (
        "SET @q = 'DELETE FROM digits'; PREPARE w FROM @q",
        "PREPARE ... FROM with a statement that is not a string literal",
    ),
    ("EXECUTE IMMEDIATE 'DELETE FROM digits'", "DELETE"),
    (
        "SET STATEMENT max_statement_time = 10 FOR DELETE FROM digits",
        "DELETE",
    ),
    (
        "EXPLAIN ANALYZE DELETE FROM digits",
        "EXPLAIN ANALYZE DELETE",
    ),
    ("ANALYZE DELETE FROM digits", "ANALYZE DELETE"),
];

#[test]
fn every_kind_of_write_is_refused_by_name_and_the_source_is_unchanged() {
    let before = source_fingerprint();
    let vdb = Vdb::start();
    let mut conn = vdb.conn(Some("vdbt_shop"));
    for (sql, name) in WRITES {
        let err = conn.query_drop(sql).expect_err(sql);
        match err {
            mysql::Error::MySqlError(e) => {
                assert_eq!(
                    (e.code, e.state.as_str()),
                    (1235, "42000"),
                    "{sql}: {}",
                    e.message
                );
                assert!(
                    e.message.contains(name),
                    "{sql}: the message should name {name}: {}",
                    e.message
                );
                assert!(
                    e.message.contains("nothing was sent to the source")
                        || e.message
                            .contains("nothing was changed and nothing was sent"),
                    "{}",
                    e.message
                );
            }
            other => panic!("{sql}: {other}"),
        }
        // The connection stays usable after a refusal.
        let one: u8 = conn.query_first("SELECT 1").unwrap().unwrap();
        assert_eq!(one, 1);
    }
    // The same through the binary protocol: refused when prepared, or,
    // for what only the bound statement shows, when executed.
    for (sql, _) in WRITES.iter().filter(|(s, _)| !s.contains(';')) {
        let err = match conn.prep(sql) {
            Err(e) => e,
            Ok(stmt) => conn.exec_drop(&stmt, ()).expect_err(sql),
        };
        assert!(
            matches!(err, mysql::Error::MySqlError(ref e) if e.code == 1235),
            "{sql}: {err}"
        );
    }
    assert_source_unchanged(&before);
}

#[test]
fn a_trigger_that_reads_its_own_table_is_refused_by_name_and_one_that_reads_others_runs() {
    let before = source_fingerprint();
    let vdb = Vdb::start();
    let mut conn = vdb.conn(Some("vdbt_shop"));
    conn.query_drop("CREATE TABLE tallies (id INT PRIMARY KEY, n INT)")
        .unwrap();
    conn.query_drop(
        "CREATE TRIGGER tallies_bi BEFORE INSERT ON tallies FOR EACH ROW \
         SET NEW.n = (SELECT COUNT(*) FROM tallies)",
    )
    .unwrap();
    let err = conn
        .query_drop("INSERT INTO tallies (id) VALUES (1)")
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("whose trigger tallies_bi vdb cannot run (its body reads its own table)"),
        "{err}"
    );
    // A DELETE trigger runs for a DELETE; REPLACE would have to fire it.
    conn.query_drop("DROP TRIGGER tallies_bi").unwrap();
    conn.query_drop(
        "CREATE TRIGGER tallies_bd BEFORE DELETE ON tallies FOR EACH ROW SET @gone = OLD.id",
    )
    .unwrap();
    let err = conn
        .query_drop("REPLACE INTO tallies VALUES (1, 1)")
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("whose trigger tallies_bd fires on DELETE"),
        "{err}"
    );
    // The fixture's audited_bu counts audit_log's rows as vdb shows them.
    conn.query_drop("INSERT INTO audit_log (what) VALUES ('by hand')")
        .unwrap();
    conn.query_drop("UPDATE audited SET v = 0").unwrap();
    let n: u64 = conn
        .query_first("SELECT COUNT(*) FROM audit_log")
        .unwrap()
        .unwrap();
    assert!(n >= 1);
    assert_source_unchanged(&before);
}

#[test]
fn after_triggers_run_in_their_tables_database_and_those_vdb_cannot_run_are_refused_by_name() {
    let before = source_fingerprint();
    let vdb = Vdb::start();
    let mut conn = vdb.conn(Some("vdbt_shop"));
    conn.query_drop("CREATE TABLE tallies (id INT PRIMARY KEY, n INT)")
        .unwrap();
    conn.query_drop("INSERT INTO tallies VALUES (1, 1), (2, 2)")
        .unwrap();
    let refused = |conn: &mut mysql::Conn, sql: &str, why: &str| {
        let err = conn.query_drop(sql).unwrap_err();
        assert!(
            matches!(err, mysql::Error::MySqlError(ref e) if e.code == 1235 && e.message.contains(why)),
            "{sql}: {err}"
        );
    };
    // Only a single-table statement fires AFTER triggers.
    conn.query_drop(
        "CREATE TRIGGER tallies_au AFTER UPDATE ON tallies FOR EACH ROW \
         INSERT INTO audit_log (what) VALUES (CONCAT('tally ', NEW.id))",
    )
    .unwrap();
    refused(
        &mut conn,
        "UPDATE tallies t JOIN digits d ON d.d = t.id SET t.n = 0",
        "whose trigger tallies_au fires AFTER it (vdb runs AFTER triggers for a single-table write)",
    );
    conn.query_drop("UPDATE tallies SET n = 0 WHERE id = 1")
        .unwrap();
    let logged: Option<String> = conn
        .query_first("SELECT what FROM audit_log ORDER BY id DESC LIMIT 1")
        .unwrap();
    assert_eq!(logged.as_deref(), Some("tally 1"));
    // A trigger's names are its table's database's, whatever the
    // session's default database is.
    conn.query_drop("USE vdbt_types").unwrap();
    conn.query_drop("INSERT INTO vdbt_shop.audited VALUES (7, 7)")
        .unwrap();
    let logged: Option<String> = conn
        .query_first("SELECT what FROM vdbt_shop.audit_log ORDER BY id DESC LIMIT 1")
        .unwrap();
    assert_eq!(logged.as_deref(), Some("insert 7"));
    conn.query_drop("USE vdbt_shop").unwrap();
    // A body vdb cannot step through names what it uses.
    conn.query_drop(
        "CREATE TRIGGER tallies_ai AFTER INSERT ON tallies FOR EACH ROW \
         BEGIN DECLARE k INT DEFAULT NEW.id; INSERT INTO audit_log (what) VALUES (k); END",
    )
    .unwrap();
    refused(
        &mut conn,
        "INSERT INTO tallies VALUES (3, 3)",
        "whose trigger tallies_ai vdb cannot run (its body uses DECLARE)",
    );
    // A BEFORE trigger that writes runs once the rows are computed: not
    // where its NEW values would differ from the server's, nor under
    // IGNORE, whose skipped rows fire it too.
    conn.query_drop("DROP TRIGGER tallies_ai").unwrap();
    conn.query_drop("CREATE TABLE tickets2 (id INT AUTO_INCREMENT PRIMARY KEY, t VARCHAR(9))")
        .unwrap();
    conn.query_drop(
        "CREATE TRIGGER tickets2_bi BEFORE INSERT ON tickets2 FOR EACH ROW \
         INSERT INTO audit_log (what) VALUES (CONCAT('ticket ', NEW.id))",
    )
    .unwrap();
    refused(
        &mut conn,
        "INSERT INTO tickets2 (t) VALUES ('a')",
        "whose BEFORE trigger tickets2_bi writes tables with NEW.id (an AUTO_INCREMENT value before it is generated)",
    );
    conn.query_drop(
        "CREATE TRIGGER tallies_bi BEFORE INSERT ON tallies FOR EACH ROW \
         INSERT INTO audit_log (what) VALUES (CONCAT('tally ', NEW.n))",
    )
    .unwrap();
    refused(
        &mut conn,
        "INSERT IGNORE INTO tallies VALUES (1, 1)",
        "whose BEFORE trigger tallies_bi writes tables (vdb runs those for a single-table INSERT, UPDATE or DELETE without IGNORE",
    );
    conn.query_drop(
        "CREATE TRIGGER tallies_bi2 BEFORE INSERT ON tallies FOR EACH ROW FOLLOWS tallies_bi \
         SET NEW.n = NEW.n * 2",
    )
    .unwrap();
    refused(
        &mut conn,
        "INSERT INTO tallies VALUES (3, 1)",
        "whose BEFORE trigger tallies_bi writes tables with NEW.n (a column a later BEFORE trigger sets)",
    );
    conn.query_drop(
        "CREATE TRIGGER tallies_bd BEFORE DELETE ON tallies FOR EACH ROW \
         BEGIN SET NEW.n = 1; INSERT INTO audit_log (what) VALUES ('x'); END",
    )
    .unwrap_err();
    // A later row's BEFORE trigger could read an earlier row's writes.
    conn.query_drop(
        "CREATE TRIGGER tallies_bu BEFORE UPDATE ON tallies FOR EACH ROW \
         SET NEW.n = (SELECT COUNT(*) FROM audit_log)",
    )
    .unwrap();
    refused(
        &mut conn,
        "UPDATE tallies SET n = 5",
        "whose trigger tallies_bu reads tables and whose trigger tallies_au writes them",
    );
    assert_source_unchanged(&before);
}

#[test]
fn a_write_hidden_in_a_stored_function_is_stopped_by_the_read_only_source_session() {
    // The allow-list cannot see inside sneaky_write(); the upstream session's
    // read-only transaction mode stops it at the source.
    let before = source_fingerprint();
    let vdb = Vdb::start();
    let mut conn = vdb.conn(Some("vdbt_shop"));
    let err = conn.query_drop("SELECT sneaky_write()").unwrap_err();
    assert!(
        matches!(err, mysql::Error::MySqlError(ref e) if e.code == 1792),
        "{err}"
    );
    // Also after COM_RESET_CONNECTION, which clears session settings.
    conn.reset().unwrap();
    conn.query_drop("USE vdbt_shop").unwrap();
    let err = conn.query_drop("SELECT sneaky_write()").unwrap_err();
    assert!(
        matches!(err, mysql::Error::MySqlError(ref e) if e.code == 1792),
        "{err}"
    );
    assert_source_unchanged(&before);
}

#[test]
fn locking_reads_take_no_locks_on_the_source() {
    let vdb = Vdb::start();
    let mut through = vdb.conn(Some("vdbt_shop"));
    through.query_drop("BEGIN").unwrap();
    let rows: Vec<(u32, String)> = through
        .query("SELECT id, email FROM customers WHERE id = 1 FOR UPDATE")
        .unwrap();
    assert_eq!(rows.len(), 1);
    let _: Vec<u32> = through
        .query("SELECT id FROM customers WHERE id = 2 LOCK IN SHARE MODE")
        .unwrap();
    // Directly on the source, the same rows can be locked at once: vdb's
    // transaction holds nothing there.
    let mut direct = source().conn(Some("vdbt_shop"));
    direct
        .query_drop("SET SESSION innodb_lock_wait_timeout = 1")
        .unwrap();
    direct.query_drop("BEGIN").unwrap();
    let got: Vec<u32> = direct
        .query("SELECT id FROM customers WHERE id IN (1, 2) ORDER BY id FOR UPDATE")
        .unwrap();
    assert_eq!(got, vec![1, 2]);
    direct.query_drop("ROLLBACK").unwrap();
    through.query_drop("COMMIT").unwrap();
}

#[test]
fn changed_bit_enum_and_set_columns_are_refused_where_the_merged_view_would_answer_wrongly() {
    let before = source_fingerprint();
    let vdb = Vdb::start();
    let mut conn = vdb.conn(Some("vdbt_shop"));
    conn.query_drop("UPDATE switches SET mask = b'11' WHERE id = 1")
        .unwrap();
    conn.query_drop("UPDATE products SET price = price + 1 WHERE sku = 'A-1'")
        .unwrap();
    // Numbers, and the column itself, are answered.
    let (mask, plus, hex): (Vec<u8>, u64, String) = conn
        .query_first("SELECT mask, mask + 0, HEX(mask) FROM switches WHERE id = 1")
        .unwrap()
        .unwrap();
    assert_eq!((mask, plus, hex.as_str()), (vec![0, 3], 3, "3"));
    for (sql, named) in [
        ("SELECT CONCAT('m', mask) FROM switches", "CONCAT(mask)"),
        ("SELECT LENGTH(s.mask) FROM switches s", "LENGTH(mask)"),
        ("SELECT CAST(mask AS CHAR) FROM switches", "CAST(mask ...)"),
        ("SELECT id FROM switches WHERE mask LIKE '3'", "mask LIKE"),
        ("SELECT IF(id = 1, mask, NULL) FROM switches", "IF(mask)"),
        // ENUM and SET columns are strings in the merged view: their
        // number, and the order of groups no ORDER BY sorts, are refused
        // (an ORDER BY item sorts by the index: tests/cases/writes.sql).
        (
            "SELECT status, COUNT(*) FROM products GROUP BY status",
            "ORDER BY or GROUP BY status",
        ),
        ("SELECT status + 0 FROM products", "status as a number"),
        // A position names the item only through the select list.
        (
            "SELECT sku, status FROM products ORDER BY 2, 1",
            "ORDER BY a position whose item may be an ENUM or SET column",
        ),
        (
            "SELECT * FROM products ORDER BY 6",
            "ORDER BY a position whose item may be an ENUM or SET column",
        ),
        (
            "SELECT sku FROM products WHERE status = 1",
            "status as a number",
        ),
    ] {
        match conn.query_drop(sql) {
            Err(mysql::Error::MySqlError(e)) => {
                assert_eq!(e.code, 1235, "{sql}: {}", e.message);
                assert!(e.message.contains(named), "{sql}: {}", e.message);
            }
            other => panic!("{sql}: {other:?}"),
        }
    }
    assert_source_unchanged(&before);
}

#[test]
fn a_limited_write_of_a_key_less_table_whose_rows_moved_is_refused_unless_any_rows_would_do() {
    let before = source_fingerprint();
    let vdb = Vdb::start();
    let mut conn = vdb.conn(Some("vdbt_shop"));
    // nokey holds (1, 'x') twice and (2, NULL). Removing one of two
    // identical rows removes the same row whichever the server reaches.
    conn.query_drop("DELETE FROM nokey WHERE a = 1 LIMIT 1")
        .unwrap();
    conn.query_drop("INSERT INTO nokey VALUES (1, 'y')")
        .unwrap();
    conn.query_drop("DELETE FROM nokey WHERE a = 1 AND b = 'x' LIMIT 1")
        .unwrap();
    // A LIMIT that reaches every row it may picks no subset.
    conn.query_drop("UPDATE nokey SET b = 'z' WHERE a = 2 LIMIT 5")
        .unwrap();
    // Rows vdb took over stand in their places in the server's scan, which
    // vdb does not know: of different rows it could pick the wrong ones.
    conn.query_drop("INSERT INTO nokey VALUES (1, 'w')")
        .unwrap();
    let err = conn
        .query_drop("DELETE FROM nokey WHERE a = 1 LIMIT 1")
        .unwrap_err();
    assert!(
        err.to_string().contains(
            "DELETE ... LIMIT of vdbt_shop.nokey without ORDER BY after rows of it were changed"
        ),
        "{err}"
    );
    let err = conn
        .query_drop("UPDATE nokey SET b = 'v' WHERE a = 1 LIMIT 1")
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("UPDATE ... LIMIT of vdbt_shop.nokey"),
        "{err}"
    );
    // Nothing changed.
    let rows: Vec<(i64, Option<String>)> =
        conn.query("SELECT a, b FROM nokey ORDER BY a, b").unwrap();
    assert_eq!(
        rows,
        vec![
            (1, Some("w".into())),
            (1, Some("y".into())),
            (2, Some("z".into()))
        ]
    );
    // With ORDER BY the order is the statement's own.
    conn.query_drop("DELETE FROM nokey WHERE a = 1 ORDER BY b LIMIT 1")
        .unwrap();
    let rows: Vec<(i64, Option<String>)> =
        conn.query("SELECT a, b FROM nokey ORDER BY a, b").unwrap();
    assert_eq!(rows, vec![(1, Some("y".into())), (2, Some("z".into()))]);
    assert_source_unchanged(&before);
}

/// After most writes FOUND_ROWS() is still the last query's count (the
/// writes.sql cases compare those with the server). After a multi-table
/// UPDATE or DELETE, or a write with a subquery, the server leaves a count
/// of its own that vdb does not follow: FOUND_ROWS() is refused by name
/// until a query sets it again, never answered with a wrong count.
#[test]
fn found_rows_after_a_write_whose_count_vdb_does_not_follow_is_refused_until_a_query() {
    let before = source_fingerprint();
    let vdb = Vdb::start();
    let mut conn = vdb.conn(Some("vdbt_shop"));
    let refused = |conn: &mut mysql::Conn| {
        let err = conn.query_drop("SELECT FOUND_ROWS()").unwrap_err();
        let mysql::Error::MySqlError(e) = err else {
            panic!("{err}")
        };
        assert_eq!(e.code, 1235, "{}", e.message);
        assert!(
            e.message.contains(
                "FOUND_ROWS() after a multi-table UPDATE or DELETE, a write with a subquery"
            ),
            "{}",
            e.message
        );
    };
    let found = |conn: &mut mysql::Conn| -> u64 {
        conn.query_first("SELECT FOUND_ROWS()").unwrap().unwrap()
    };
    conn.query_drop("SELECT * FROM numbers WHERE n < 5")
        .unwrap();
    conn.query_drop("UPDATE numbers SET n = n + 1000 WHERE n = 4")
        .unwrap();
    assert_eq!(found(&mut conn), 5);
    conn.query_drop("SELECT * FROM digits").unwrap();
    conn.query_drop("UPDATE orders o JOIN customers c ON c.id = o.customer_id SET o.total = o.total + 1 WHERE c.id = 1")
        .unwrap();
    refused(&mut conn);
    // A SELECT FOUND_ROWS() refused is no query: still refused.
    refused(&mut conn);
    conn.query_drop("SELECT * FROM digits WHERE d < 3").unwrap();
    assert_eq!(found(&mut conn), 3);
    conn.query_drop("DELETE FROM digits WHERE d IN (SELECT n FROM numbers WHERE n = 7)")
        .unwrap();
    refused(&mut conn);
    conn.query_drop("SHOW TABLES LIKE 'digits'").unwrap();
    assert_eq!(found(&mut conn), 1);
    // A prepared query sets it as a text one does.
    conn.query_drop("UPDATE numbers SET n = n + 1000 WHERE n = 3")
        .unwrap();
    assert_eq!(found(&mut conn), 1);
    let rows: Vec<i64> = conn
        .exec("SELECT n FROM numbers WHERE n < ?", (3,))
        .unwrap();
    assert_eq!(found(&mut conn), rows.len() as u64);
    assert_source_unchanged(&before);
}

#[test]
fn prepared_row_count_and_found_rows_after_a_captured_write_answer_the_clients_counts() {
    let before = source_fingerprint();
    let vdb = Vdb::start();
    let mut conn = vdb.conn(Some("vdbt_shop"));
    conn.query_drop("INSERT INTO digits VALUES (50), (51)")
        .unwrap();
    let n: i64 = conn.exec_first("SELECT ROW_COUNT()", ()).unwrap().unwrap();
    assert_eq!(n, 2, "the INSERT's count, not vdb's own statements'");
    // Over a changed table, with a parameter: narrowed and substituted.
    conn.query_drop("UPDATE numbers SET n = n + 5000 WHERE n < 3")
        .unwrap();
    let (count, rows): (i64, i64) = conn
        .exec_first(
            "SELECT ROW_COUNT() AS r, COUNT(*) FROM numbers WHERE n >= ?",
            (5000,),
        )
        .unwrap()
        .unwrap();
    assert_eq!((count, rows), (3, 3));
    // FOUND_ROWS() is the last query's, through the write in between.
    conn.query_drop("SELECT * FROM digits WHERE d < 3").unwrap();
    conn.query_drop("DELETE FROM digits WHERE d = 51").unwrap();
    let stmt = conn.prep("SELECT FOUND_ROWS()").unwrap();
    let found: u64 = conn.exec_first(&stmt, ()).unwrap().unwrap();
    assert_eq!(found, 3);
    // After a write whose count vdb does not follow: refused by name.
    conn.query_drop("UPDATE orders o JOIN customers c ON c.id = o.customer_id SET o.total = o.total + 1 WHERE c.id = 1")
        .unwrap();
    let err = conn.exec_drop(&stmt, ()).unwrap_err();
    let mysql::Error::MySqlError(e) = err else {
        panic!("{err}")
    };
    assert_eq!(e.code, 1235, "{}", e.message);
    assert!(
        e.message.contains("FOUND_ROWS() after a multi-table"),
        "{}",
        e.message
    );
    // A refusal is an error: ROW_COUNT() is -1 after it, as after any
    // error on the server (not the count of vdb's last statement there).
    conn.query_drop("INSERT INTO digits VALUES (52)").unwrap();
    assert!(conn.query_drop("SELECT FOUND_ROWS()").is_err());
    let n: i64 = conn.query_first("SELECT ROW_COUNT()").unwrap().unwrap();
    assert_eq!(n, -1);
    assert_source_unchanged(&before);
}

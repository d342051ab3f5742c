//! The control interface from plain SQL: `vdb.status` answers any query
//! shape, as a table on the source would.

use mysql::prelude::Queryable;

use crate::harness::Vdb;

#[test]
fn vdb_status_is_a_table_any_query_can_read() {
    let vdb = Vdb::start();
    let mut c = vdb.conn(Some("vdbt_shop"));
    let _second = vdb.conn(None);
    let rows: Vec<(String, String)> = c.query("SELECT * FROM vdb.status").unwrap();
    let get = |k: &str| {
        rows.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {k} in {rows:?}"))
    };
    assert_eq!(get("version"), vdb::VERSION);
    assert!(
        get("source_version").starts_with("MariaDB ")
            || get("source_version").starts_with("MySQL ")
    );
    assert_eq!(get("connections"), "2");
    assert_eq!(get("changed_rows"), "0");
    assert!(get("uptime").parse::<u64>().is_ok());
    // Filters, aliases, joins, aggregates and subqueries: the source runs them.
    let v: String = c
        .query_first("SELECT value FROM vdb.status WHERE name = 'connections'")
        .unwrap()
        .unwrap();
    assert_eq!(v, "2");
    let (n, first): (u64, String) = c
        .query_first("SELECT COUNT(*), MIN(s.name) FROM `vdb`.`status` AS s")
        .unwrap()
        .unwrap();
    assert_eq!((n as usize, first.as_str()), (rows.len(), "changed_rows"));
    let joined: u64 = c
        .query_first("SELECT COUNT(*) FROM customers c JOIN vdb.status s ON s.name = 'version' WHERE c.id IN (SELECT id FROM customers)")
        .unwrap()
        .unwrap();
    assert_eq!(joined, 5);
    let names: Vec<String> = c
        .query_iter("SELECT * FROM vdb.status LIMIT 1")
        .unwrap()
        .columns()
        .as_ref()
        .iter()
        .map(|col| col.name_str().into_owned())
        .collect();
    assert_eq!(names, ["name", "value"]);
    // Captured writes show in the counters, also next to changed tables.
    c.query_drop("DELETE FROM digits WHERE d = 9").unwrap();
    c.query_drop("UPDATE products SET price = 1 WHERE sku IN ('A-1', 'B-2')")
        .unwrap();
    let (tables, changed, customers): (String, String, u64) = c
        .query_first(
            "SELECT t.value, r.value, (SELECT COUNT(*) FROM digits) FROM vdb.status t \
             JOIN vdb.status r ON r.name = 'changed_rows' WHERE t.name = 'changed_tables'",
        )
        .unwrap()
        .unwrap();
    assert_eq!(
        (tables.as_str(), changed.as_str(), customers),
        // One deleted digit and two updated products: an updated row
        // counts once.
        ("2", "3", 9)
    );
    // Row locks held by an open transaction (an updated key: its old and
    // new key), gone at its end.
    let locked = |c: &mut mysql::Conn| -> String {
        c.query_first("SELECT value FROM vdb.status WHERE name = 'locked_rows'")
            .unwrap()
            .unwrap()
    };
    assert_eq!(locked(&mut c), "0");
    let mut t = vdb.conn(Some("vdbt_shop"));
    t.query_drop("BEGIN").unwrap();
    t.query_drop("UPDATE digits SET d = 20 WHERE d = 1")
        .unwrap();
    assert_eq!(locked(&mut c), "2");
    t.query_drop("ROLLBACK").unwrap();
    assert_eq!(locked(&mut c), "0");
}

#[test]
fn unknown_control_tables_and_prepared_reads_get_clear_errors() {
    let vdb = Vdb::start();
    let mut c = vdb.conn(None);
    let err = c.query_drop("SELECT * FROM vdb.nope").unwrap_err();
    match err {
        mysql::Error::MySqlError(e) => assert_eq!(
            (e.code, e.message.as_str()),
            (1146, "Table 'vdb.nope' doesn't exist")
        ),
        other => panic!("{other}"),
    }
    let err = c.prep("SELECT * FROM vdb.status").unwrap_err();
    assert!(
        matches!(err, mysql::Error::MySqlError(ref e) if e.code == 1235 && e.message.contains("vdb.*")),
        "{err}"
    );
    // Strings and other schemas that merely look alike are untouched.
    let v: String = c.query_first("SELECT 'vdb.status'").unwrap().unwrap();
    assert_eq!(v, "vdb.status");
}

fn count(c: &mut mysql::Conn, sql: &str) -> u64 {
    c.query_first(sql).unwrap().unwrap()
}

fn control_error(c: &mut mysql::Conn, sql: &str) -> (u16, String) {
    match c.query_drop(sql) {
        Err(mysql::Error::MySqlError(e)) => (e.code, e.message),
        other => panic!("{sql}: {other:?}"),
    }
}

#[test]
fn reset_snapshot_and_restore_move_the_whole_view_and_never_the_source() {
    let before = crate::harness::source_fingerprint();
    let vdb = Vdb::start();
    let mut c = vdb.conn(Some("vdbt_shop"));
    let mut other = vdb.conn(Some("vdbt_shop"));
    let digits = "SELECT COUNT(*) FROM digits";
    c.query_drop("INSERT INTO digits VALUES (10), (11)")
        .unwrap();
    c.query_drop("CREATE TABLE notes (id INT PRIMARY KEY, body TEXT)")
        .unwrap();
    c.query_drop("INSERT INTO notes VALUES (1, 'kept')")
        .unwrap();
    c.query_drop("CALL vdb.snapshot('seeded')").unwrap();
    c.query_drop("DELETE FROM digits WHERE d < 5").unwrap();
    c.query_drop("DROP TABLE notes").unwrap();
    assert_eq!(count(&mut other, digits), 7);
    // vdb.snapshots: one row per snapshot, typed like a table's columns.
    let (name, rows): (String, u64) = c
        .query_first("SELECT name, changed_rows FROM vdb.snapshots WHERE created_at <= NOW() + INTERVAL 1 DAY")
        .unwrap()
        .unwrap();
    assert_eq!((name.as_str(), rows), ("seeded", 3));
    // Restore brings back rows and schema, for every connection.
    c.query_drop("CALL vdb.restore('seeded')").unwrap();
    assert_eq!(count(&mut other, digits), 12);
    let body: String = other
        .query_first("SELECT body FROM notes WHERE id = 1")
        .unwrap()
        .unwrap();
    assert_eq!(body, "kept");
    // Reset: the view is the source again; snapshots stay.
    c.query_drop("CALL vdb.reset()").unwrap();
    assert_eq!(count(&mut other, digits), 10);
    assert_eq!(
        control_error(&mut other, "SELECT * FROM notes").0,
        1146,
        "a table created after the source's state is gone"
    );
    let status: String = c
        .query_first("SELECT value FROM vdb.status WHERE name = 'snapshots'")
        .unwrap()
        .unwrap();
    assert_eq!(status, "1");
    c.query_drop("CALL vdb.restore('seeded')").unwrap();
    assert_eq!(count(&mut c, digits), 12);
    // A restore inside a transaction commits it first, as DDL does.
    c.query_drop("BEGIN").unwrap();
    c.query_drop("INSERT INTO digits VALUES (12)").unwrap();
    c.query_drop("CALL vdb.snapshot('with 12')").unwrap();
    c.query_drop("ROLLBACK").unwrap();
    assert_eq!(count(&mut c, digits), 13);
    c.query_drop("CALL vdb.drop_snapshot('with 12')").unwrap();
    assert_eq!(
        control_error(&mut c, "CALL vdb.restore('with 12')"),
        (1644, "vdb: no snapshot named 'with 12'".into())
    );
    assert_eq!(
        control_error(&mut c, "CALL vdb.snapshot()").0,
        1644,
        "a snapshot needs a name"
    );
    assert_eq!(
        control_error(&mut c, "CALL vdb.nothing()"),
        (1305, "PROCEDURE vdb.nothing does not exist".into())
    );
    crate::harness::assert_source_unchanged(&before);
}

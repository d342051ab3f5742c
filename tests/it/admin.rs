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
        ("2", "5", 9)
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

//! Session state behaves as on the source, and survives a lost source
//! connection where it can.

use mysql::prelude::Queryable;
use mysql::{ChangeUserOpts, Conn};

use crate::harness::{source, Vdb};

#[test]
fn use_init_db_names_and_variables_persist_across_statements() {
    let vdb = Vdb::start();
    let mut c = vdb.conn(None);
    c.query_drop("USE vdbt_shop").unwrap();
    let db: String = c.query_first("SELECT DATABASE()").unwrap().unwrap();
    assert_eq!(db, "vdbt_shop");
    c.select_db("vdbt_types").unwrap(); // COM_INIT_DB
    let db: String = c.query_first("SELECT DATABASE()").unwrap().unwrap();
    assert_eq!(db, "vdbt_types");
    c.query_drop("SET NAMES latin1").unwrap();
    let cs: String = c
        .query_first("SELECT @@character_set_client")
        .unwrap()
        .unwrap();
    assert_eq!(cs, "latin1");
    c.query_drop("SET NAMES utf8mb4").unwrap();
    c.query_drop("SET @greeting = 'hello', @n = 41").unwrap();
    let (g, n): (String, i64) = c.query_first("SELECT @greeting, @n + 1").unwrap().unwrap();
    assert_eq!((g.as_str(), n), ("hello", 42));
    c.query_drop("SET SESSION sql_mode = 'ANSI_QUOTES,NO_BACKSLASH_ESCAPES'")
        .unwrap();
    // Under ANSI_QUOTES "..." is a name, and with NO_BACKSLASH_ESCAPES a
    // backslash is an ordinary character: vdb lexes as the source does.
    let v: String = c
        .query_first(r#"SELECT 'a\' FROM "alltypes" WHERE "id" = 1"#)
        .unwrap()
        .unwrap();
    assert_eq!(v, "a\\");
    let err = c
        .query_drop(r"SELECT 'x\'; DELETE FROM alltypes; -- '")
        .unwrap_err();
    assert!(
        matches!(err, mysql::Error::MySqlError(ref e) if e.code == 1235),
        "{err}"
    );
}

#[test]
fn reset_connection_and_change_user_start_a_clean_session() {
    let vdb = Vdb::start();
    let s = source();
    let mut c = vdb.conn(Some("vdbt_shop"));
    c.query_drop("SET @kept = 1, SESSION sql_mode = 'ANSI_QUOTES'")
        .unwrap();
    c.reset().unwrap();
    let v: Option<i64> = c.query_first("SELECT @kept").unwrap().unwrap();
    assert_eq!(v, None, "user variables are gone after a reset");
    let mode: String = c.query_first("SELECT @@SESSION.sql_mode").unwrap().unwrap();
    assert!(!mode.contains("ANSI_QUOTES"), "{mode}");
    c.query_drop("SET @kept = 2").unwrap();
    c.change_user(ChangeUserOpts::default().with_db_name(Some("vdbt_types".into())))
        .unwrap();
    let (db, kept): (String, Option<i64>) =
        c.query_first("SELECT DATABASE(), @kept").unwrap().unwrap();
    assert_eq!((db.as_str(), kept), ("vdbt_types", None));
    // A wrong password on COM_CHANGE_USER is refused with 1045.
    let err = c
        .change_user(ChangeUserOpts::default().with_pass(Some("wrong".into())))
        .unwrap_err();
    assert!(
        err.to_string().contains("1045") || err.to_string().contains("Access denied"),
        "{err}"
    );
    let _ = s;
}

#[test]
fn a_lost_source_connection_fails_one_statement_and_the_next_reconnects() {
    let vdb = Vdb::start();
    let mut c = vdb.conn(Some("vdbt_shop"));
    c.query_drop("USE vdbt_types").unwrap();
    c.query_drop("SET SESSION sql_mode = 'ANSI_QUOTES', @lost = 1")
        .unwrap();
    let upstream_id: u64 = c.query_first("SELECT CONNECTION_ID()").unwrap().unwrap();
    let mut admin = source().conn(None);
    admin.query_drop(format!("KILL {upstream_id}")).unwrap();
    let err = c.query_drop("SELECT 1").unwrap_err();
    match err {
        mysql::Error::MySqlError(ref e) => {
            assert_eq!(e.code, 2013, "{e}");
            assert!(e.message.contains("reconnects"), "{e}");
        }
        other => panic!("{other}"),
    }
    let (db, mode): (String, String) = c
        .query_first("SELECT DATABASE(), @@SESSION.sql_mode")
        .unwrap()
        .unwrap();
    assert_eq!(db, "vdbt_types", "the default database is restored");
    assert!(
        mode.contains("ANSI_QUOTES"),
        "session SETs are replayed: {mode}"
    );
    let new_id: u64 = c.query_first("SELECT CONNECTION_ID()").unwrap().unwrap();
    assert_ne!(new_id, upstream_id);
    // The new source session is read-only too.
    c.query_drop("USE vdbt_shop").unwrap();
    let err = c.query_drop("SELECT sneaky_write()").unwrap_err();
    assert!(
        matches!(err, mysql::Error::MySqlError(ref e) if e.code == 1792),
        "{err}"
    );
}

#[test]
fn ping_works_and_many_clients_are_served_at_once() {
    let vdb = Vdb::start();
    let threads: Vec<_> = (0..12)
        .map(|i| {
            let addr = vdb.addr;
            std::thread::spawn(move || {
                let s = source();
                let mut c: Conn = crate::harness::connect(
                    "127.0.0.1",
                    addr.port(),
                    &s.user,
                    &s.password,
                    Some("vdbt_shop"),
                );
                for j in 0..50 {
                    assert!(c.ping().is_ok());
                    let n: u64 = c
                        .query_first(format!("SELECT {i} * 1000 + {j}"))
                        .unwrap()
                        .unwrap();
                    assert_eq!(n, i * 1000 + j);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

#[test]
fn kill_query_and_kill_connection_reach_only_vdb_sessions() {
    let vdb = Vdb::start();
    let mut victim = vdb.conn(None);
    let victim_id = victim.connection_id();
    let sleeper = std::thread::spawn(move || {
        let started = std::time::Instant::now();
        let r: mysql::Result<Option<i64>> = victim.query_first("SELECT SLEEP(30)");
        (started.elapsed(), r, victim)
    });
    std::thread::sleep(std::time::Duration::from_millis(500));
    let mut killer = vdb.conn(None);
    // What Ctrl-C in the mariadb client and JDBC's cancel() send.
    killer
        .query_drop(format!("KILL QUERY {victim_id}"))
        .unwrap();
    let (took, result, mut victim) = sleeper.join().unwrap();
    assert!(
        took < std::time::Duration::from_secs(10),
        "the query was interrupted ({took:?})"
    );
    match result {
        Ok(v) => assert_eq!(v, Some(1), "SLEEP returns 1 when interrupted"),
        Err(mysql::Error::MySqlError(e)) => assert_eq!(e.code, 1317, "{e}"),
        Err(e) => panic!("{e}"),
    }
    let one: u8 = victim.query_first("SELECT 1").unwrap().unwrap();
    assert_eq!(one, 1, "KILL QUERY keeps the connection");
    // Ids that are not vdb's own are refused, even real source threads.
    let mut admin = source().conn(None);
    let admin_thread: u64 = admin
        .query_first("SELECT CONNECTION_ID()")
        .unwrap()
        .unwrap();
    let err = killer
        .query_drop(format!("KILL {admin_thread}"))
        .unwrap_err();
    assert!(
        matches!(err, mysql::Error::MySqlError(ref e) if e.code == 1094),
        "{err}"
    );
    let alive: u8 = admin.query_first("SELECT 1").unwrap().unwrap();
    assert_eq!(alive, 1);
    // KILL CONNECTION closes the victim.
    killer
        .query_drop(format!("KILL CONNECTION {victim_id}"))
        .unwrap();
    assert!(
        victim.query_drop("SELECT 1").is_err(),
        "the killed connection is closed"
    );
}

#[test]
fn prepared_statements_survive_a_lost_source_connection() {
    let vdb = Vdb::start();
    let mut c = vdb.conn(Some("vdbt_shop"));
    let by_id = c.prep("SELECT name FROM customers WHERE id = ?").unwrap();
    let count = c.prep("SELECT COUNT(*) FROM orders").unwrap();
    let name: String = c.exec_first(&by_id, (1,)).unwrap().unwrap();
    assert_eq!(name, "Ada Lovelace");
    let upstream_id: u64 = c.query_first("SELECT CONNECTION_ID()").unwrap().unwrap();
    source()
        .conn(None)
        .query_drop(format!("KILL {upstream_id}"))
        .unwrap();
    let err = c.exec_first::<String, _, _>(&by_id, (2,)).unwrap_err();
    assert!(
        matches!(err, mysql::Error::MySqlError(ref e) if e.code == 2013),
        "{err}"
    );
    // vdb prepared both again on the new source connection; the client's
    // statement ids still work.
    let name: String = c.exec_first(&by_id, (3,)).unwrap().unwrap();
    assert_eq!(name, "Grace Hopper");
    let n: u64 = c.exec_first(&count, ()).unwrap().unwrap();
    assert_eq!(n, 7);
    c.close(by_id).unwrap();
    let n: u64 = c.exec_first(&count, ()).unwrap().unwrap();
    assert_eq!(n, 7, "closing one statement leaves the other");
}

#[test]
fn lock_tables_read_limits_the_session_to_its_tables_as_the_server_does() {
    let before = crate::harness::source_fingerprint();
    let vdb = Vdb::start();
    let mut through = vdb.conn(Some("vdbt_shop"));
    through
        .query_drop("INSERT INTO digits VALUES (42)")
        .unwrap();
    let mut direct = crate::harness::source().conn(Some("vdbt_shop"));
    let outcome = |c: &mut mysql::Conn, sql: &str| -> Result<Vec<mysql::Row>, (u16, String)> {
        c.query(sql).map_err(|e| match e {
            mysql::Error::MySqlError(e) => (e.code, e.message),
            other => panic!("{sql}: {other}"),
        })
    };
    for sql in [
        "LOCK TABLES digits READ /*!32311 LOCAL */, customers AS c READ",
        "SELECT COUNT(*) FROM digits WHERE d < 10",
        "SELECT COUNT(*) FROM customers c",
        "SELECT COUNT(*) FROM customers",
        "SELECT COUNT(*) FROM digits d",
        "SELECT COUNT(*) FROM orders",
        "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_NAME = 'digits'",
        "DELETE FROM digits WHERE d = 1",
        "UNLOCK TABLES",
        "SELECT COUNT(*) FROM orders",
    ] {
        let a = outcome(&mut through, sql).map(|r| format!("{r:?}"));
        let b = outcome(&mut direct, sql).map(|r| format!("{r:?}"));
        assert_eq!(a, b, "{sql}");
    }
    // The captured row is seen under the lock, as any read sees it.
    through.query_drop("LOCK TABLES digits READ").unwrap();
    let n: u64 = through
        .query_first("SELECT COUNT(*) FROM digits")
        .unwrap()
        .unwrap();
    assert_eq!(n, 11);
    through.query_drop("START TRANSACTION").unwrap();
    let n: u64 = through
        .query_first("SELECT COUNT(*) FROM orders")
        .unwrap()
        .unwrap();
    assert_eq!(n, 7, "START TRANSACTION releases the table locks");
    crate::harness::assert_source_unchanged(&before);
}

/// The delta's size, as `vdb.status` reports it.
fn delta_bytes(c: &mut Conn) -> u64 {
    c.query_first("SELECT CAST(value AS UNSIGNED) FROM vdb.status WHERE name = 'delta_bytes'")
        .unwrap()
        .unwrap()
}

#[test]
fn a_temporary_table_is_private_to_its_connection_and_ends_with_it() {
    let before = crate::harness::source_fingerprint();
    let vdb = Vdb::start();
    let mut a = vdb.conn(Some("vdbt_shop"));
    let mut b = vdb.conn(Some("vdbt_shop"));
    let empty = delta_bytes(&mut b);
    a.query_drop("CREATE TEMPORARY TABLE scratch (id INT PRIMARY KEY, note VARCHAR(20))")
        .unwrap();
    a.query_drop("INSERT INTO scratch VALUES (1, 'a'), (2, 'b')")
        .unwrap();
    // Another connection has no such table, and may make its own.
    let err = b.query_drop("SELECT * FROM scratch").unwrap_err();
    assert!(
        matches!(err, mysql::Error::MySqlError(ref e) if e.code == 1146 && e.message == "Table 'vdbt_shop.scratch' doesn't exist"),
        "{err}"
    );
    b.query_drop("CREATE TEMPORARY TABLE scratch (id INT PRIMARY KEY)")
        .unwrap();
    b.query_drop("INSERT INTO scratch VALUES (9)").unwrap();
    let count = |c: &mut Conn, table: &str| -> u64 {
        c.query_first(format!("SELECT COUNT(*) FROM {table}"))
            .unwrap()
            .unwrap()
    };
    assert_eq!((count(&mut a, "scratch"), count(&mut b, "scratch")), (2, 1));
    // A temporary table shadows the table of its name for its connection.
    a.query_drop("CREATE TEMPORARY TABLE customers (id INT)")
        .unwrap();
    assert_eq!(count(&mut a, "customers"), 0);
    assert_eq!(count(&mut b, "customers"), 5);
    // Prepared statements see it too.
    let ids: Vec<u32> = b.exec("SELECT id FROM scratch WHERE id = ?", (9,)).unwrap();
    assert_eq!(ids, vec![9]);
    // No catalog, change list or patch shows them.
    let listed: u64 = b
        .query_first("SELECT COUNT(*) FROM vdb.schema_changes")
        .unwrap()
        .unwrap();
    assert_eq!(listed, 0);
    let changed: u64 = b
        .query_first("SELECT CAST(value AS UNSIGNED) FROM vdb.status WHERE name = 'changed_tables'")
        .unwrap()
        .unwrap();
    assert_eq!(changed, 0);
    assert!(delta_bytes(&mut b) > empty);
    // They end with their connection (closing it), or with a reset.
    drop(a);
    b.reset().unwrap();
    let err = b.query_drop("SELECT * FROM scratch").unwrap_err();
    assert!(
        matches!(err, mysql::Error::MySqlError(ref e) if e.code == 1146),
        "{err}"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while delta_bytes(&mut b) != empty {
        assert!(
            std::time::Instant::now() < deadline,
            "temporary tables outlived their connections"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    drop(b);
    crate::harness::assert_source_unchanged(&before);
}

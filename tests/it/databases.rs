//! CREATE DATABASE and DROP DATABASE through vdb: a created database is
//! one vdb holds (the source never has it), usable with USE, at login and
//! with COM_INIT_DB; a dropped source database is gone from every view.
//! Checked statement by statement against the same statements run
//! directly on the server (on a writable copy of vdbt_shop).

use mysql::prelude::Queryable;
use mysql::{Conn, OptsBuilder};

use crate::capture::{assert_no_differences, run, scratch_copy};
use crate::harness::{assert_source_unchanged, source, source_fingerprint, Vdb};

/// Statements run on both sides; `{db}` is the shop (vdbt_shop through
/// vdb, the copy directly) and `{new}` a database that exists on neither.
/// Created databases are named `vdbt_scratch_...` so that the direct run's
/// are not part of the source fingerprint other tests take meanwhile.
const SCRIPT: &[&str] = &[
    "CREATE DATABASE {new}",
    "CREATE DATABASE {new}",
    "CREATE DATABASE IF NOT EXISTS {new}",
    "CREATE DATABASE {new}_x CHARACTER SET nope",
    "CREATE DATABASE {new}_x COLLATE nope",
    "CREATE DATABASE {new}_x CHARACTER SET latin1 COLLATE utf8mb4_bin",
    "CREATE DATABASE `{new} `",
    "CREATE DATABASE {new} garbage",
    "CREATE SCHEMA {new}_bin DEFAULT CHARSET = utf8mb4 COLLATE utf8mb4_bin",
    "SHOW CREATE DATABASE {new}_bin",
    "SHOW CREATE DATABASE IF NOT EXISTS {new}_bin",
    "ALTER DATABASE {new}_bin CHARACTER SET latin1",
    "SHOW CREATE DATABASE {new}_bin",
    "ALTER SCHEMA {new}_bin DEFAULT COLLATE = utf8mb4_bin",
    "ALTER DATABASE {new}_nope CHARACTER SET latin1",
    "ALTER DATABASE {new}_bin CHARACTER SET latin1 COLLATE utf8mb4_bin",
    "ALTER DATABASE {new}_bin CHARACTER SET nope",
    "ALTER DATABASE {new}_bin UPGRADE DATA DIRECTORY NAME",
    "ALTER DATABASE `#mysql50#{new}-old` UPGRADE DATA DIRECTORY NAME",
    "ALTER DATABASE UPGRADE DATA DIRECTORY NAME",
    "CREATE DATABASE {new}_u CHARACTER SET utf8",
    "SHOW CREATE DATABASE {new}_u",
    "CREATE TABLE {new}_u.t (a VARCHAR(3), b TEXT CHARSET Utf8 COLLATE UTF8_BIN)",
    "SHOW CREATE TABLE {new}_u.t",
    "ALTER DATABASE {new}_u COLLATE utf8_unicode_ci",
    "SHOW CREATE DATABASE {new}_u",
    "CREATE DATABASE {new}_x CHARACTER SET FOO",
    "DROP DATABASE {new}_u",
    "CREATE DATABASE {new}_c COMMENT 'it''s a \\ \"note\"' CHARACTER SET latin1",
    "SHOW CREATE DATABASE {new}_c",
    "ALTER DATABASE {new}_c COMMENT = 'second'",
    "SHOW CREATE DATABASE {new}_c",
    "ALTER DATABASE {new}_c CHARACTER SET utf8mb4",
    "ALTER DATABASE {new}_bin COMMENT ''",
    "SHOW CREATE DATABASE {new}_bin",
    "DROP DATABASE {new}_c",
    "SHOW DATABASES LIKE '{new}%'",
    "SELECT SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME, SCHEMA_COMMENT FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE '{new}%' ORDER BY 1",
    // A dump's first line, glued by the client to the SET after it: the
    // source skips the comment and runs the SET, whose variable outlives
    // the new source session a held database takes.
    "/*M!999999\\- enable the sandbox mode */ /*!40101 SET @saved_cs = @@character_set_client */",
    "USE {new}_bin",
    "SELECT @saved_cs IS NOT NULL, @saved_cs = @@character_set_client",
    "SELECT DATABASE(), SCHEMA() AS s, CONCAT('in ', DATABASE())",
    "SHOW TABLES",
    "CREATE TABLE notes (id INT AUTO_INCREMENT PRIMARY KEY, body VARCHAR(20) NOT NULL)",
    "CREATE TABLE bad (a INT, c INT AS (a + 1) STORED NOT NULL)",
    "INSERT INTO notes (body) VALUES ('a'), ('B'), ('c')",
    "SELECT LAST_INSERT_ID()",
    "UPDATE notes SET body = UPPER(body) WHERE id > 1",
    "SELECT * FROM notes ORDER BY body",
    "SELECT * FROM missing",
    "INSERT INTO missing VALUES (1)",
    "DESCRIBE missing",
    // Objects the held database does not have: the server's errors, not
    // the source session's "No database selected".
    "SHOW CREATE VIEW missing",
    "SHOW CREATE SEQUENCE `missing`",
    "SHOW CREATE TRIGGER missing",
    "SHOW CREATE PROCEDURE missing",
    "SHOW CREATE FUNCTION missing;",
    "SHOW CREATE EVENT missing",
    "SHOW EVENTS",
    "SHOW EVENTS LIKE 'm%'",
    "SHOW TABLES",
    "SELECT TABLE_NAME, TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()",
    "SELECT COLUMN_NAME, COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY ORDINAL_POSITION",
    // A view as a dump writes it, read in the database vdb holds.
    "/*!50001 CREATE ALGORITHM=UNDEFINED */ /*!50013 DEFINER=CURRENT_USER SQL SECURITY DEFINER */ /*!50001 VIEW `upper_notes` AS select `notes`.`id` AS `id`,`notes`.`body` AS `body` from `notes` where `notes`.`id` > 1 */",
    "SELECT * FROM upper_notes ORDER BY id",
    "SELECT n.id FROM notes n JOIN upper_notes u ON u.id = n.id ORDER BY 1",
    "DROP VIEW upper_notes",
    "CREATE TABLE {db}.tagged (note_id INT, FOREIGN KEY (note_id) REFERENCES {new}_bin.notes (id))",
    "DROP DATABASE {new}_bin",
    "DROP TABLE {db}.tagged",
    "USE {db}",
    "SELECT n.body, c.name FROM {new}_bin.notes n JOIN customers c ON c.id = n.id ORDER BY n.id",
    "DROP DATABASE {new}_bin",
    "SELECT DATABASE() = '{db}'",
    // A source database's defaults change for what is created in it.
    "ALTER DATABASE COLLATE latin1_german1_ci",
    "ALTER DATABASE COMMENT 'the shop'",
    "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME, SCHEMA_COMMENT FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()",
    "CREATE TABLE after_alter (a VARCHAR(5))",
    "SELECT TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'after_alter'",
    "SHOW CREATE TABLE after_alter",
    "DROP TABLE after_alter",
    "SELECT * FROM {new}_bin.notes",
    "USE {new}_bin",
    "DROP DATABASE {new}_bin",
    "DROP DATABASE IF EXISTS {new}_bin",
    "DROP DATABASE {new}",
    "SHOW DATABASES LIKE '{new}%'",
    // A source database dropped: every table and the view go with it.
    "USE {new}_bin",
    "CREATE DATABASE {new}_bin",
    "USE {new}_bin",
    "DROP DATABASE {db}",
    "SHOW DATABASES LIKE '{db}'",
    "SELECT * FROM {db}.customers",
    "SHOW TABLES FROM {db}",
    "USE {db}",
    "DROP DATABASE {db}",
    "CREATE DATABASE {db}",
    "USE {db}",
    "SHOW TABLES",
    "CREATE TABLE customers (id INT PRIMARY KEY)",
    "INSERT INTO customers VALUES (7)",
    "SELECT * FROM customers",
    "DROP DATABASE {db}",
    "DROP DATABASE {new}_bin",
];

#[test]
fn databases_are_created_used_and_dropped_as_on_the_server() {
    let before = source_fingerprint();
    let scratch = scratch_copy();
    let new = format!("{scratch}_new");
    let vdb = Vdb::start();
    let mut through = vdb.conn(Some("vdbt_shop"));
    // Through vdb first: the direct run's databases would exist at the
    // source by then.
    let statements: Vec<(String, String)> = SCRIPT
        .iter()
        .map(|s| {
            (
                s.replace("{new}", &new).replace("{db}", "vdbt_shop"),
                s.replace("{new}", &new).replace("{db}", &scratch),
            )
        })
        .collect();
    let seen: Vec<_> = statements
        .iter()
        .map(|(a, _)| run(&mut through, a, &scratch))
        .collect();
    let mut direct = source().conn(Some(&scratch));
    let mut failures = Vec::new();
    for ((a, b), via) in statements.iter().zip(&seen) {
        let got = run(&mut direct, b, &scratch);
        if *via != got {
            failures.push(format!("{a}\n  via vdb: {via:?}\n  direct:  {got:?}"));
        }
    }
    let mut c = source().conn(None);
    for db in [&scratch, &new, &format!("{new}_bin")] {
        c.query_drop(format!("DROP DATABASE IF EXISTS `{db}`"))
            .unwrap();
    }
    assert_no_differences(&failures);
    assert_source_unchanged(&before);
}

/// A connection through vdb that names `db` at login, or the error.
fn login(vdb: &Vdb, db: &str) -> Result<Conn, mysql::Error> {
    let s = source();
    Conn::new(
        OptsBuilder::new()
            .ip_or_hostname(Some("127.0.0.1"))
            .tcp_port(vdb.addr.port())
            .user(Some(&s.user))
            .pass(Some(&s.password))
            .db_name(Some(db)),
    )
}

#[test]
fn a_created_database_is_every_connections_at_login_and_with_com_init_db() {
    let before = source_fingerprint();
    let vdb = Vdb::start();
    let mut a = vdb.conn(None);
    a.query_drop("CREATE DATABASE vdbt_held CHARACTER SET utf8mb4")
        .unwrap();
    a.query_drop("CREATE TABLE vdbt_held.t (id INT PRIMARY KEY, s TEXT)")
        .unwrap();
    a.query_drop("INSERT INTO vdbt_held.t VALUES (1, 'one')")
        .unwrap();
    // Named at login: unqualified names are its tables.
    let mut b = login(&vdb, "vdbt_held").unwrap();
    let row: Option<(String, i32, String)> =
        b.query_first("SELECT DATABASE(), id, s FROM t").unwrap();
    assert_eq!(row, Some(("vdbt_held".into(), 1, "one".into())));
    // A prepared statement in it.
    let stmt = b.prep("SELECT s FROM t WHERE id = ?").unwrap();
    let s: Option<String> = b.exec_first(&stmt, (1,)).unwrap();
    assert_eq!(s.as_deref(), Some("one"));
    // COM_INIT_DB away and back.
    b.select_db("vdbt_shop").unwrap();
    let n: Option<i64> = b.query_first("SELECT COUNT(*) FROM customers").unwrap();
    assert!(n.is_some_and(|n| n > 0));
    b.select_db("vdbt_held").unwrap();
    let db: Option<String> = b.query_first("SELECT DATABASE()").unwrap();
    assert_eq!(db.as_deref(), Some("vdbt_held"));
    // A name vdb does not hold there is the server's 1146, not a read of
    // some other database.
    match b.query_drop("SELECT * FROM customers") {
        Err(mysql::Error::MySqlError(e)) => {
            assert_eq!(
                (e.code, e.message.as_str()),
                (1146, "Table 'vdbt_held.customers' doesn't exist")
            )
        }
        other => panic!("{other:?}"),
    }
    // A dropped source database refuses logins and COM_INIT_DB with 1049.
    a.query_drop("DROP DATABASE vdbt_held").unwrap();
    a.query_drop("DROP DATABASE vdbt_types").unwrap();
    for result in [
        login(&vdb, "vdbt_types").map(drop),
        b.select_db("vdbt_types"),
        login(&vdb, "vdbt_held").map(drop),
    ] {
        match result {
            Err(mysql::Error::MySqlError(e)) => assert_eq!(e.code, 1049, "{}", e.message),
            other => panic!("{other:?}"),
        }
    }
    assert_source_unchanged(&before);
}

#[test]
fn the_patch_creates_and_drops_databases_before_their_tables() {
    let before = source_fingerprint();
    let scratch = scratch_copy();
    let altered = scratch_copy();
    let new = format!("{scratch}_made");
    let vdb = Vdb::start();
    let mut c = vdb.conn(Some("vdbt_shop"));
    for sql in [
        format!("ALTER DATABASE {altered} COLLATE latin1_german1_ci"),
        format!("ALTER DATABASE {altered} COMMENT 'altered'"),
        format!("CREATE DATABASE {new} CHARACTER SET latin1 COMMENT 'made'"),
        format!("CREATE TABLE {new}.t (id INT PRIMARY KEY, s VARCHAR(5))"),
        format!("INSERT INTO {new}.t VALUES (1, 'a'), (2, 'b')"),
        format!("DROP DATABASE {scratch}"),
    ] {
        c.query_drop(&sql).unwrap();
    }
    let patch: Vec<String> = c.query("CALL vdb.export()").unwrap();
    let position = |prefix: &str| {
        patch
            .iter()
            .position(|s| s.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in {patch:#?}"))
    };
    assert!(
        position(&format!("DROP DATABASE `{scratch}`"))
            < position(&format!(
                "CREATE DATABASE `{new}` CHARACTER SET latin1 COLLATE latin1_swedish_ci COMMENT 'made'"
            ))
    );
    assert!(
        position(&format!("CREATE DATABASE `{new}`"))
            < position(&format!("CREATE TABLE `{new}`.`t`"))
    );
    // The scratch copy's tables go with their database, not one by one.
    assert!(!patch
        .iter()
        .any(|s| s.starts_with(&format!("DROP TABLE `{scratch}`"))));
    // Applied directly, the patch gives the same database and rows.
    let mut direct = source().conn(None);
    for s in &patch {
        direct.query_drop(s).unwrap();
    }
    let rows: Vec<(i32, String)> = direct
        .query(format!("SELECT id, s FROM {new}.t ORDER BY id"))
        .unwrap();
    assert_eq!(rows, vec![(1, "a".into()), (2, "b".into())]);
    let gone: Option<String> = direct
        .query_first(format!("SHOW DATABASES LIKE '{scratch}'"))
        .unwrap();
    assert_eq!(gone, None);
    // A source database's new defaults come with the patch.
    position(&format!(
        "ALTER DATABASE `{altered}` CHARACTER SET latin1 COLLATE latin1_german1_ci COMMENT 'altered'"
    ));
    let (collation, comment): (String, String) = direct
        .query_first(format!(
            "SELECT DEFAULT_COLLATION_NAME, SCHEMA_COMMENT FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '{altered}'"
        ))
        .unwrap()
        .unwrap();
    assert_eq!(
        (collation.as_str(), comment.as_str()),
        ("latin1_german1_ci", "altered")
    );
    crate::capture::drop_scratch(&altered);
    direct.query_drop(format!("DROP DATABASE {new}")).unwrap();
    assert_source_unchanged(&before);
}

//! A changed table is read through a derived table, yet a client sees the
//! column metadata the source gives for the table itself: names, original
//! table and database, types, lengths, flags (NOT NULL, keys, ENUM, SET,
//! ZEROFILL, AUTO_INCREMENT) and ZEROFILL's padded values, in the text and
//! the binary protocol.

use mysql::prelude::Queryable;
use mysql::Conn;

use crate::differential::column_meta;
use crate::harness::{assert_source_unchanged, source, source_fingerprint, Vdb};

/// Reads of every shape over the two changed tables.
const READS: &[&str] = &[
    "SELECT * FROM counters ORDER BY id",
    "SELECT * FROM counters WHERE id = 2",
    "SELECT id, label AS l, n + 1, tags FROM counters ORDER BY id",
    "SELECT c.id AS cid, c.label, e.id, e.at FROM counters AS c JOIN events e ON e.counter_id = c.id ORDER BY e.id",
    "SELECT x.id, x.note FROM events LEFT JOIN counters x ON x.id = events.counter_id ORDER BY events.id",
    "SELECT label, COUNT(*) FROM counters GROUP BY label ORDER BY COUNT(*) DESC",
    "SELECT id FROM counters WHERE id IN (SELECT counter_id FROM events) ORDER BY id",
    "SELECT `counters`.`price`, counters.attrs FROM vdbt_meta.counters ORDER BY 1",
    "SELECT id, mask, mask = 5 FROM counters WHERE mask IS NOT NULL ORDER BY mask",
    // Read whole, as a GUI browses a table: changed rows spelled in place.
    "SELECT * FROM counters",
    "SELECT * FROM events LIMIT 2",
    "SELECT id, label, n + 1 FROM counters LIMIT 1, 5",
    // A few keys, changed columns as plain items: written in place.
    "SELECT n, counters.n AS m, id FROM counters WHERE id = 2",
    "SELECT id, n FROM counters WHERE id BETWEEN 1 AND 30 ORDER BY id",
    "SELECT at, counter_id FROM events WHERE id = 3",
    "SELECT counters.* FROM counters WHERE id IN (1, 2) ORDER BY n",
];

fn described(conn: &mut Conn, sql: &str) -> (Vec<String>, Vec<mysql::Row>) {
    let mut set = conn
        .query_iter(sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    let columns: Vec<String> = set.columns().as_ref().iter().map(column_meta).collect();
    let rows = set.by_ref().map(|r| r.unwrap()).collect();
    (columns, rows)
}

/// PREPARE's column definitions, EXECUTE's, and the rows. (The server's
/// own PREPARE keeps key flags its result loses when it sorts in a
/// temporary table.)
fn described_prepared(conn: &mut Conn, sql: &str) -> (Vec<String>, Vec<String>, Vec<mysql::Row>) {
    let stmt = conn.prep(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let prepared: Vec<String> = stmt.columns().iter().map(column_meta).collect();
    let mut set = conn.exec_iter(&stmt, ()).unwrap();
    let columns: Vec<String> = set.columns().as_ref().iter().map(column_meta).collect();
    let rows = set
        .by_ref()
        .map(|r| r.unwrap_or_else(|e| panic!("{sql}: {e}")))
        .collect();
    (prepared, columns, rows)
}

#[test]
fn reads_of_changed_tables_carry_the_tables_own_column_metadata() {
    let before = source_fingerprint();
    let vdb = Vdb::start();
    let mut through = vdb.conn(Some("vdbt_meta"));
    // Changes that leave every row as it was, so that rows can be compared
    // with the untouched source too.
    through
        .query_drop("UPDATE counters SET n = n + 1 WHERE id = 2")
        .unwrap();
    through
        .query_drop("UPDATE counters SET n = n - 1 WHERE id = 2")
        .unwrap();
    through
        .query_drop("UPDATE counters SET mask = mask + 1 WHERE id = 1")
        .unwrap();
    through
        .query_drop("UPDATE counters SET mask = mask - 1 WHERE id = 1")
        .unwrap();
    through
        .query_drop("DELETE FROM events WHERE id = 3")
        .unwrap();
    through
        .query_drop("INSERT INTO events (id, counter_id, at) VALUES (3, 30, '2024-01-03 00:00:00')")
        .unwrap();
    let mut direct = source().conn(Some("vdbt_meta"));
    for sql in READS {
        let (cols, rows) = described(&mut through, sql);
        let (want_cols, want_rows) = described(&mut direct, sql);
        assert_eq!(cols, want_cols, "{sql}: text protocol metadata");
        assert_eq!(rows, want_rows, "{sql}: text protocol rows");
        let (prep, cols, rows) = described_prepared(&mut through, sql);
        let (want_prep, want_cols, want_rows) = described_prepared(&mut direct, sql);
        assert_eq!(prep, want_prep, "{sql}: PREPARE metadata");
        assert_eq!(cols, want_cols, "{sql}: binary protocol metadata");
        assert_eq!(rows, want_rows, "{sql}: binary protocol rows");
    }
    // The reads above did go through the merged view.
    let log: String = through
        .query_first("SELECT COUNT(*) FROM events WHERE id = 3 AND counter_id = 30")
        .unwrap()
        .map(|n: u32| n.to_string())
        .unwrap();
    assert_eq!(log, "1");
    // ZEROFILL padding survives a changed row too.
    through
        .query_drop("INSERT INTO counters (id, label) VALUES (42, 'bb')")
        .unwrap();
    let ids: Vec<String> = through
        .query("SELECT id FROM counters WHERE id > 29 ORDER BY id")
        .unwrap();
    assert_eq!(ids, ["000030", "000042"]);
    // After SET NAMES the session learns the descriptions again (lengths
    // and character sets follow the result character set).
    through.query_drop("SET NAMES latin1").unwrap();
    direct.query_drop("SET NAMES latin1").unwrap();
    let (cols, _) = described(
        &mut through,
        "SELECT note, label FROM counters WHERE id = 1",
    );
    let (want, _) = described(&mut direct, "SELECT note, label FROM counters WHERE id = 1");
    assert_eq!(cols, want, "after SET NAMES latin1");
    assert_source_unchanged(&before);
}

/// A table of every column type vdb captures, with keys of every kind.
const EVERY_TYPE: &str = "CREATE TABLE mt (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  u INT UNSIGNED, ti TINYINT NOT NULL DEFAULT 0, si SMALLINT, mi MEDIUMINT, bi BIGINT UNSIGNED,
  b1 TINYINT(1), w INT(6), z INT(5) ZEROFILL, d DECIMAL(10,2) NOT NULL, du DECIMAL(5,0) UNSIGNED, f FLOAT, db DOUBLE,
  dt DATE, dtm DATETIME(3), ts TIMESTAMP NULL, tm TIME, y YEAR,
  c CHAR(4), v VARCHAR(100) NOT NULL, vb VARCHAR(10) COLLATE utf8mb4_bin,
  l1 VARCHAR(10) CHARACTER SET latin1, t TEXT, tt TINYTEXT, lt LONGTEXT,
  bn BINARY(3), vbn VARBINARY(8), bl BLOB, e ENUM('a','bb'), st SET('x','y'), bt BIT(3),
  UNIQUE KEY uv (v), KEY kd (dt, dtm), UNIQUE KEY two (si, mi)
) DEFAULT CHARSET=utf8mb4";

const EVERY_TYPE_ROWS: &[&str] = &[
    "INSERT INTO mt (z,u,ti,si,mi,bi,b1,w,d,du,f,db,dt,dtm,ts,tm,y,c,v,vb,l1,t,tt,lt,bn,vbn,bl,e,st,bt) VALUES \
     (42,4000000000,-5,-300,-70000,18446744073709551615,1,42,-12.5,99999,1.5,2.25,'2024-01-02',\
     '2024-01-02 03:04:05.678','2024-05-06 07:08:09','-12:34:56',2024,'ab','vee','Vb','l\u{e9}',\
     'text','tt','long',X'010203',X'ff00',X'00ff00','bb','x,y',5)",
    "INSERT INTO mt (d, v) VALUES (0, 'second')",
];

/// Reads of a created table (and of a source table ALTER made vdb's).
const CREATED_READS: &[&str] = &[
    "SELECT * FROM mt ORDER BY id",
    "SELECT * FROM mt WHERE id = 1",
    "SELECT m.id AS k, m.v, m.y, m.bt, m.ti FROM mt AS m WHERE m.id > 0 ORDER BY m.id",
    "SELECT a.v, b.id FROM mt a JOIN mt b ON b.id = a.id ORDER BY a.id",
    "SELECT v, COUNT(*) FROM mt GROUP BY v ORDER BY COUNT(*) DESC, v",
    "SELECT id, v FROM mt ORDER BY v DESC",
    "SELECT * FROM digits ORDER BY d",
];

#[test]
fn reads_of_created_and_altered_tables_carry_a_real_tables_column_metadata() {
    let before = source_fingerprint();
    let scratch = crate::capture::scratch_copy();
    let vdb = Vdb::start();
    let mut through = vdb.conn(Some("vdbt_shop"));
    let mut direct = source().conn(Some(&scratch));
    let empty = "SELECT * FROM mt";
    let mut setup = vec![EVERY_TYPE];
    setup.extend_from_slice(EVERY_TYPE_ROWS);
    for (n, sql) in setup.iter().enumerate() {
        through.query_drop(sql).unwrap();
        direct.query_drop(sql).unwrap();
        if n == 0 {
            // An empty created table is described like an empty table.
            let norm = |v: Vec<String>| -> Vec<String> {
                v.into_iter()
                    .map(|c| c.replace(&scratch, "vdbt_shop"))
                    .collect()
            };
            assert_eq!(
                norm(described(&mut through, empty).0),
                norm(described(&mut direct, empty).0),
                "{empty}: an empty created table"
            );
        }
    }
    for sql in [
        "ALTER TABLE digits ADD COLUMN note VARCHAR(10) NOT NULL DEFAULT 'n', MODIFY d SMALLINT UNSIGNED NOT NULL",
        "CREATE INDEX by_note ON digits (note)",
    ] {
        through.query_drop(sql).unwrap();
        direct.query_drop(sql).unwrap();
    }
    let norm = |v: Vec<String>| -> Vec<String> {
        v.into_iter()
            .map(|c| c.replace(&scratch, "vdbt_shop"))
            .collect()
    };
    // Values only: a row's columns name its database.
    let values = |rows: Vec<mysql::Row>| -> Vec<Vec<mysql::Value>> {
        rows.into_iter().map(|r| r.unwrap()).collect()
    };
    for names in ["utf8mb4", "latin1"] {
        through.query_drop(format!("SET NAMES {names}")).unwrap();
        direct.query_drop(format!("SET NAMES {names}")).unwrap();
        for sql in CREATED_READS {
            let (cols, rows) = described(&mut through, sql);
            let (want_cols, want_rows) = described(&mut direct, sql);
            assert_eq!(
                norm(cols),
                norm(want_cols),
                "{sql} ({names}): text protocol metadata"
            );
            assert_eq!(
                values(rows),
                values(want_rows),
                "{sql} ({names}): text protocol rows"
            );
            let (prep, cols, rows) = described_prepared(&mut through, sql);
            let (want_prep, want_cols, want_rows) = described_prepared(&mut direct, sql);
            assert_eq!(
                norm(prep),
                norm(want_prep),
                "{sql} ({names}): PREPARE metadata"
            );
            assert_eq!(
                norm(cols),
                norm(want_cols),
                "{sql} ({names}): binary protocol metadata"
            );
            assert_eq!(
                values(rows),
                values(want_rows),
                "{sql} ({names}): binary protocol rows"
            );
        }
    }
    // SHOW of a created table, answered by vdb, carries the server's
    // column definitions (integers in SHOW INDEX, blobs in SHOW COLUMNS),
    // not those of the literal rows it is written as.
    for sql in [
        "SHOW INDEX FROM mt",
        "SHOW KEYS FROM mt WHERE Non_unique = 0",
        "SHOW COLUMNS FROM mt",
        "SHOW FULL COLUMNS FROM mt LIKE 'v%'",
        "DESCRIBE mt",
    ] {
        let (cols, rows) = described(&mut through, sql);
        let (want_cols, want_rows) = described(&mut direct, sql);
        assert_eq!(norm(cols), norm(want_cols), "{sql}: metadata");
        if !sql.contains("INDEX") && !sql.contains("KEYS") {
            // (SHOW INDEX's Cardinality is an estimate vdb does not make.)
            assert_eq!(values(rows), values(want_rows), "{sql}: rows");
        }
    }
    // A ZEROFILL column of a created table used as a string would read
    // unpadded: refused by name, never answered wrongly.
    match through.query_drop("SELECT CONCAT(z, '') FROM mt") {
        Err(mysql::Error::MySqlError(e)) => {
            assert_eq!(e.code, 1235);
            assert!(e.message.contains("ZEROFILL"), "{}", e.message);
        }
        other => panic!("{other:?}"),
    }
    crate::capture::drop_scratch(&scratch);
    assert_source_unchanged(&before);
}

/// Reads that bound a changed table's key to a few rows (`id = 1`, `IN`,
/// `BETWEEN`) read it as the source's own table with the captured rows
/// spelled over it (a derived table the source merges into the query).
/// Every column type keeps its values and metadata that way too, in both
/// protocols: each row of vdbt_types.alltypes is changed and changed back,
/// so that the merged view must equal the untouched source exactly.
#[test]
fn reads_by_key_over_rows_changed_in_place_keep_every_type() {
    let before = source_fingerprint();
    let vdb = Vdb::start();
    let mut through = vdb.conn(Some("vdbt_types"));
    for sql in [
        "UPDATE alltypes SET vc = CONCAT(vc, '+') WHERE id IN (1, 2, 4)",
        "UPDATE alltypes SET vc = LEFT(vc, CHAR_LENGTH(vc) - 1) WHERE id IN (1, 2, 4)",
        "UPDATE alltypes SET vc = 'x' WHERE id = 3",
        "UPDATE alltypes SET vc = NULL WHERE id = 3",
    ] {
        through
            .query_drop(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    // Every row is the delta's now.
    let changed: Option<String> = through
        .query_first("SELECT value FROM vdb.status WHERE name = 'changed_rows'")
        .unwrap();
    assert_eq!(changed.as_deref(), Some("4"));
    let columns = "id, ti, tiu, si, siu, mi, miu, i, iu, bi, biu, zf, dec1, dec2, fl, db, b1, b64, \
         d, dt, dt6, ts, t, t6, y, c, vc, bin, vbin, tt, tx, mt, lt, tb, bl, mb, lb, e, st, j, latin, utf3";
    let mut direct = source().conn(Some("vdbt_types"));
    for filter in [
        "id = 1",
        "id = 4",
        "id IN (2, 3)",
        "id BETWEEN 1 AND 4 ORDER BY id DESC",
        "id >= 2 AND id <= 3 AND vc IS NULL",
    ] {
        for sql in [
            format!("SELECT {columns} FROM alltypes WHERE {filter}"),
            format!("SELECT a.id AS k, a.zf, a.b64, a.e, a.st FROM alltypes AS a WHERE a.{filter}"),
        ] {
            let (cols, rows) = described(&mut through, &sql);
            let (want_cols, want_rows) = described(&mut direct, &sql);
            assert_eq!(cols, want_cols, "{sql}: text protocol metadata");
            assert_eq!(rows, want_rows, "{sql}: text protocol rows");
            let (prep, cols, rows) = described_prepared(&mut through, &sql);
            let (want_prep, want_cols, want_rows) = described_prepared(&mut direct, &sql);
            assert_eq!(prep, want_prep, "{sql}: PREPARE metadata");
            assert_eq!(cols, want_cols, "{sql}: binary protocol metadata");
            assert_eq!(rows, want_rows, "{sql}: binary protocol rows");
        }
    }
    assert_source_unchanged(&before);
}

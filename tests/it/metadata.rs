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

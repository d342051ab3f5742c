//! Every read answers exactly as the source would: text and binary
//! protocol, metadata, warnings and errors, packets over 16 MiB.

use mysql::prelude::Queryable;
use mysql::{Params, Value};

use crate::differential::{assert_same, cases, run_binary, run_text};
use crate::harness::{source, Vdb, VdbOptions};

const READS: &str = include_str!("../cases/reads.sql");

#[test]
fn every_read_case_answers_as_the_source_does() {
    let vdb = vdb_on_the_same_account();
    let mut through = vdb.conn(Some("vdbt_shop"));
    let mut direct = source().conn(Some("vdbt_shop"));
    let cases = cases(READS);
    assert!(cases.len() > 120, "the case file has {} cases", cases.len());
    for sql in &cases {
        assert_same(
            sql,
            &run_text(&mut through, sql),
            &run_text(&mut direct, sql),
        );
    }
}

#[test]
fn every_single_statement_case_answers_the_same_when_prepared() {
    let vdb = vdb_on_the_same_account();
    let mut through = vdb.conn(Some("vdbt_shop"));
    let mut direct = source().conn(Some("vdbt_shop"));
    let mut prepared = 0;
    for sql in cases(READS).into_iter().filter(|s| !s.contains(';')) {
        let v = run_binary(&mut through, sql, Params::Empty);
        let d = run_binary(&mut direct, sql, Params::Empty);
        assert_same(sql, &v, &d);
        if v.error.is_none() {
            prepared += 1;
        }
    }
    assert!(prepared > 80, "only {prepared} cases could be prepared");
}

#[test]
fn prepared_statements_take_every_parameter_type() {
    let vdb = vdb_on_the_same_account();
    let mut through = vdb.conn(Some("vdbt_types"));
    let mut direct = source().conn(Some("vdbt_types"));
    let params: Vec<Value> = vec![
        Value::NULL,
        Value::Int(-9223372036854775808),
        Value::UInt(18446744073709551615),
        Value::Float(1.5),
        Value::Double(-2.25e300),
        Value::Bytes("text 🐬 'quoted' \\".as_bytes().to_vec()),
        Value::Bytes(vec![0, 1, 2, 255, 0]),
        Value::Date(2024, 2, 29, 23, 59, 58, 999_999),
        Value::Date(2024, 6, 30, 0, 0, 0, 0),
        Value::Time(true, 1, 2, 3, 4, 5),
        Value::Time(false, 34, 22, 59, 59, 0),
    ];
    let placeholders = vec!["?"; params.len()].join(", ");
    let sql = format!("SELECT {placeholders}");
    assert_same(
        &sql,
        &run_binary(&mut through, &sql, Params::Positional(params.clone())),
        &run_binary(&mut direct, &sql, Params::Positional(params)),
    );
    for (sql, p) in [
        ("SELECT * FROM alltypes WHERE id = ?", vec![Value::Int(1)]),
        (
            "SELECT * FROM alltypes WHERE id IN (?, ?) ORDER BY id",
            vec![Value::Bytes(b"2".to_vec()), Value::UInt(4)],
        ),
        (
            "SELECT id FROM alltypes WHERE dt6 > ? ORDER BY id",
            vec![Value::Date(2000, 1, 1, 0, 0, 0, 0)],
        ),
        (
            "SELECT id FROM alltypes WHERE vc LIKE ?",
            vec![Value::Bytes("%🐬%".as_bytes().to_vec())],
        ),
        (
            "SELECT ? + ?, CONCAT(?, ?)",
            vec![
                Value::Int(1),
                Value::Double(0.5),
                Value::NULL,
                Value::Bytes(b"x".to_vec()),
            ],
        ),
        (
            "SELECT id FROM no_such_table WHERE id = ?",
            vec![Value::Int(1)],
        ),
    ] {
        assert_same(
            sql,
            &run_binary(&mut through, sql, Params::Positional(p.clone())),
            &run_binary(&mut direct, sql, Params::Positional(p)),
        );
    }
}

#[test]
fn rows_and_statements_over_16_mib_cross_in_both_directions() {
    let vdb = vdb_on_the_same_account();
    let mut through = vdb.conn(Some("vdbt_types"));
    let mut direct = source().conn(Some("vdbt_types"));
    // A result row over 16 MiB, text and binary.
    for sql in [
        "SELECT id, payload FROM big ORDER BY id",
        "SELECT REPEAT('a', 16777215), REPEAT('b', 16777216)",
    ] {
        let v = run_text(&mut through, sql);
        assert_same(sql, &v, &run_text(&mut direct, sql));
        assert_same(
            sql,
            &run_binary(&mut through, sql, Params::Empty),
            &run_binary(&mut direct, sql, Params::Empty),
        );
    }
    // A statement over 16 MiB.
    let literal = "x".repeat(17 * 1024 * 1024);
    let sql = format!("SELECT LENGTH('{literal}') AS len, MD5('{literal}') AS md5");
    let got: Vec<(u64, String)> = through.query(&sql).unwrap();
    let want: Vec<(u64, String)> = direct.query(&sql).unwrap();
    assert_eq!(got, want);
    assert_eq!(got[0].0, 17 * 1024 * 1024);
    // A parameter over 16 MiB through the binary protocol.
    let p = vec![Value::Bytes(literal.into_bytes())];
    let sql = "SELECT LENGTH(?)";
    assert_same(
        sql,
        &run_binary(&mut through, sql, Params::Positional(p.clone())),
        &run_binary(&mut direct, sql, Params::Positional(p)),
    );
}

#[test]
fn the_greeting_carries_the_source_version_with_a_vdb_suffix() {
    let vdb = vdb_on_the_same_account();
    let mut direct = source().conn(None);
    let version: String = direct.query_first("SELECT VERSION()").unwrap().unwrap();
    let greeting = crate::rawclient::greeting(vdb.addr);
    assert!(greeting.version.ends_with("-vdb"), "{}", greeting.version);
    assert!(
        greeting.version.contains(&version),
        "{} should contain {version}",
        greeting.version
    );
    // The client sees the source's own answer to VERSION(), as directly.
    let mut through = vdb.conn(None);
    let via: String = through.query_first("SELECT VERSION()").unwrap().unwrap();
    assert_eq!(via, version);
}

/// Through vdb a client may write every table, so a GUI that reads column
/// privileges to decide whether a grid is editable must see what the
/// server shows an account that may write, even when vdb reads the source
/// as a SELECT-only account (as the README advises); the columns of
/// information_schema's own tables stay `select`, as for any account.
#[test]
fn column_privileges_read_as_a_writers_through_a_select_only_source_account() {
    let vdb = Vdb::start();
    let mut through = vdb.conn(Some("vdbt_shop"));
    let mut direct = source().conn(Some("vdbt_shop"));
    let mut cases: Vec<&str> = vec![
        "SHOW FULL COLUMNS FROM customers",
        "SHOW FULL FIELDS FROM orders FROM vdbt_shop LIKE 't%'",
        "SHOW FULL COLUMNS FROM information_schema.TABLES LIKE 'TABLE_%'",
        "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, PRIVILEGES FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN ('vdbt_shop', 'information_schema') AND TABLE_NAME IN ('customers', 'SCHEMATA') ORDER BY 1, 2, 3",
        "SELECT * FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'vdbt_shop' ORDER BY TABLE_NAME, ORDINAL_POSITION",
        "SELECT COLUMN_NAME, PRIVILEGES FROM information_schema.`columns` WHERE TABLE_SCHEMA = 'vdbt_shop' AND TABLE_NAME = 'orders' ORDER BY 1",
    ];
    // The account vdb reads as sees only `select` itself.
    let reader_url = source().reader_url();
    assert_ne!(
        reader_url,
        source().url(),
        "the source has a SELECT-only account"
    );
    let mut reader = mysql::Conn::new(mysql::Opts::from_url(&reader_url).unwrap()).unwrap();
    let own: Vec<String> = reader
        .query("SELECT DISTINCT PRIVILEGES FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'vdbt_shop'")
        .unwrap();
    assert_eq!(own, ["select"]);
    for sql in &cases {
        assert_same(
            sql,
            &run_text(&mut through, sql),
            &run_text(&mut direct, sql),
        );
        assert_same(
            sql,
            &run_binary(&mut through, sql, Params::Empty),
            &run_binary(&mut direct, sql, Params::Empty),
        );
    }
    // After a schema change the catalog is read through vdb's merged view:
    // the source's rows are shown as a writer's there too, and the added
    // column's.
    through
        .query_drop("ALTER TABLE customers ADD COLUMN nickname VARCHAR(20)")
        .unwrap();
    cases.truncate(2);
    for sql in &cases {
        let rows: Vec<mysql::Row> = through.query(sql).unwrap();
        assert!(!rows.is_empty(), "{sql}");
        for r in rows {
            let privileges: String = r.get("Privileges").unwrap();
            assert_eq!(privileges, "select,insert,update,references", "{sql}");
        }
    }
    let privileges: Vec<(String, String)> = through
        .query("SELECT COLUMN_NAME, PRIVILEGES FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'vdbt_shop' AND TABLE_NAME = 'customers'")
        .unwrap();
    assert!(privileges.iter().any(|(c, _)| c == "nickname"));
    assert!(
        privileges
            .iter()
            .all(|(_, p)| p == "select,insert,update,references"),
        "{privileges:?}"
    );
}

/// vdb reading the source with the account the direct connection uses:
/// SHOW FULL COLUMNS and information_schema list that account's
/// privileges, which a SELECT-only account would change.
fn vdb_on_the_same_account() -> Vdb {
    Vdb::start_with(VdbOptions {
        source_url: Some(source().url()),
        ..VdbOptions::default()
    })
}

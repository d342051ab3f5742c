//! Captured writes, checked differentially: every case of
//! tests/cases/writes.sql runs through a fresh vdb over vdbt_shop (which
//! must stay unchanged) and directly on a writable copy of vdbt_shop, and
//! every statement's outcome (rows, affected rows, last insert id, info
//! string, error code and message) and then every table must be the same.

use std::sync::atomic::{AtomicUsize, Ordering};

use mysql::prelude::Queryable;
use mysql::{Conn, Value};

use crate::harness::{assert_source_unchanged, source, source_fingerprint, Vdb};

const CASES: &str = include_str!("../cases/writes.sql");
const DDL_CASES: &str = include_str!("../cases/ddl.sql");
pub const SHOP_TABLES: &[&str] = &[
    "customers",
    "products",
    "orders",
    "order_items",
    "digits",
    "numbers",
    "accounts",
    "ledger",
    "nokey",
    "switches",
    "halfkey",
    "parcels",
    "tickets",
    "audit_log",
    "audited",
];

static SCRATCH: AtomicUsize = AtomicUsize::new(0);

/// A writable copy of vdbt_shop (definitions with their foreign keys and
/// AUTO_INCREMENT counters, and rows), named `vdbt_scratch_<n>`.
pub fn scratch_copy() -> String {
    let name = format!("vdbt_scratch_{}", SCRATCH.fetch_add(1, Ordering::SeqCst));
    let mut c = source().conn(None);
    c.query_drop(format!("DROP DATABASE IF EXISTS {name}"))
        .unwrap();
    c.query_drop(format!(
        "CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"
    ))
    .unwrap();
    c.query_drop(format!("USE {name}")).unwrap();
    c.query_drop("SET foreign_key_checks = 0").unwrap();
    for t in SHOP_TABLES {
        let (_, ddl): (String, String) = c
            .query_first(format!("SHOW CREATE TABLE vdbt_shop.{t}"))
            .unwrap()
            .unwrap();
        c.query_drop(ddl).unwrap();
        // Generated columns take no values.
        let written: Vec<String> = c
            .query(format!(
                "SELECT CONCAT('`', COLUMN_NAME, '`') FROM information_schema.COLUMNS \
                 WHERE TABLE_SCHEMA = 'vdbt_shop' AND TABLE_NAME = '{t}' AND IS_GENERATED = 'NEVER' \
                 ORDER BY ORDINAL_POSITION"
            ))
            .unwrap();
        let list = written.join(", ");
        c.query_drop(format!(
            "INSERT INTO {t} ({list}) SELECT {list} FROM vdbt_shop.{t}"
        ))
        .unwrap();
    }
    // Triggers last, so that copying the rows fires none.
    let triggers: Vec<(String, String)> = c
        .query(
            "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS \
             WHERE TRIGGER_SCHEMA = 'vdbt_shop' \
             ORDER BY EVENT_OBJECT_TABLE, EVENT_MANIPULATION, ACTION_TIMING, ACTION_ORDER",
        )
        .unwrap();
    for (t, table) in triggers {
        if !SHOP_TABLES.contains(&table.as_str()) {
            continue;
        }
        let row: mysql::Row = c
            .query_first(format!("SHOW CREATE TRIGGER vdbt_shop.`{t}`"))
            .unwrap()
            .unwrap();
        let ddl: String = row.get(2).unwrap();
        c.query_drop(ddl).unwrap();
    }
    for v in ["big_spenders", "uk_customers"] {
        let (_, view, _, _): (String, String, String, String) = c
            .query_first(format!("SHOW CREATE VIEW vdbt_shop.{v}"))
            .unwrap()
            .unwrap();
        c.query_drop(view.replace("`vdbt_shop`.", "")).unwrap();
    }
    name
}

/// What a client observes of one statement, with the copy's database name
/// read as the source's and column metadata reduced to names (a rewritten
/// read's full metadata is compared in tests/it/overlay.rs).
#[derive(Debug, PartialEq)]
pub enum Seen {
    Ok {
        columns: Vec<String>,
        rows: Vec<Vec<Value>>,
        affected: u64,
        last_insert_id: Option<u64>,
        info: String,
    },
    Err(u16, String, String),
}

/// What a statement gave, every value whole (`{:?}` of a `Value` cuts
/// strings short), for a failure message.
pub fn shown(seen: &[Seen]) -> String {
    let value = |v: &Value| match v {
        Value::Bytes(b) => format!("{:?}", String::from_utf8_lossy(b)),
        other => format!("{other:?}"),
    };
    let parts: Vec<String> = seen
        .iter()
        .map(|s| match s {
            Seen::Ok {
                columns,
                rows,
                affected,
                last_insert_id,
                info,
            } => {
                let rows: Vec<String> = rows
                    .iter()
                    .map(|r| format!("[{}]", r.iter().map(value).collect::<Vec<_>>().join(", ")))
                    .collect();
                format!(
                    "Ok {columns:?} rows [{}] affected {affected} id {last_insert_id:?} info {info:?}",
                    rows.join(", ")
                )
            }
            Seen::Err(code, state, msg) => format!("Err {code} {state} {msg:?}"),
        })
        .collect();
    parts.join("; ")
}

pub fn run(conn: &mut Conn, sql: &str, scratch: &str) -> Vec<Seen> {
    let mut out = Vec::new();
    match conn.query_iter(sql) {
        Err(mysql::Error::MySqlError(e)) => out.push(Seen::Err(
            e.code,
            e.state,
            unnumbered(&e.message.replace(scratch, "vdbt_shop")),
        )),
        Err(e) => panic!("{sql}: {e}"),
        Ok(mut qr) => {
            while let Some(set) = qr.iter() {
                let columns = set
                    .columns()
                    .as_ref()
                    .iter()
                    .map(|c| c.name_str().replace(scratch, "vdbt_shop"))
                    .collect();
                let affected = set.affected_rows();
                let last_insert_id = set.last_insert_id();
                let info = set.info_str().into_owned();
                let mut rows = Vec::new();
                for r in set {
                    match r {
                        // Messages (SHOW WARNINGS) and DATABASE() name the
                        // copy as the source.
                        Ok(r) => rows.push(
                            r.unwrap()
                                .into_iter()
                                .map(|v| match v {
                                    Value::Bytes(b) => Value::Bytes(
                                        String::from_utf8(b.clone())
                                            .map(|t| t.replace(scratch, "vdbt_shop").into_bytes())
                                            .unwrap_or(b),
                                    ),
                                    v => v,
                                })
                                .collect(),
                        ),
                        Err(mysql::Error::MySqlError(e)) => {
                            out.push(Seen::Err(e.code, e.state, e.message));
                            return out;
                        }
                        Err(e) => panic!("{sql}: {e}"),
                    }
                }
                out.push(Seen::Ok {
                    columns,
                    rows,
                    affected,
                    last_insert_id,
                    info,
                });
            }
        }
    }
    out
}

/// A message with the server's name for the copy an ALTER fills
/// (`#sql-alter-` and hex numbers, its process and connection, which
/// differ from run to run) without the numbers.
fn unnumbered(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find("#sql-alter-") {
        let (head, tail) = rest.split_at(at + "#sql-alter-".len());
        out.push_str(head);
        out.push('N');
        rest = tail.trim_start_matches(|c: char| c.is_ascii_hexdigit() || c == '-');
    }
    out.push_str(rest);
    out
}

/// `-- case: name` starts a case; other lines are statements.
pub fn parse_cases(text: &str) -> Vec<(String, Vec<String>)> {
    let mut cases: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix("-- case:") {
            cases.push((name.trim().to_string(), Vec::new()));
        } else if line.is_empty() || line.starts_with("--") {
            continue;
        } else {
            cases
                .last_mut()
                .expect("a statement before the first case")
                .1
                .push(line.to_string());
        }
    }
    cases
}

/// Every table read through vdb and on the copy: each difference is
/// recorded in `failures`, after `label`.
pub fn compare_tables(
    through: &mut Conn,
    direct: &mut Conn,
    scratch: &str,
    label: &str,
    failures: &mut Vec<String>,
) {
    let a = final_state(through, scratch);
    let b = final_state(direct, scratch);
    for ((t, x), (_, y)) in a.iter().zip(&b) {
        if x != y {
            failures.push(format!(
                "{label}table {t} afterwards\n  via vdb: {x:?}\n  direct:  {y:?}"
            ));
        }
    }
}

/// Drops a writable copy made by [`scratch_copy`].
pub fn drop_scratch(name: &str) {
    source()
        .conn(None)
        .query_drop(format!("DROP DATABASE {name}"))
        .unwrap();
}

/// Fails listing every difference found, if any.
pub fn assert_no_differences(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every table of the shop, read the same way through vdb and directly.
pub fn final_state(conn: &mut Conn, scratch: &str) -> Vec<(String, Vec<Seen>)> {
    SHOP_TABLES
        .iter()
        .map(|t| {
            // A key-less table's rows are told apart by all their values
            // (memo as bytes: 'rent' and 'RENT' tie under its collation).
            let order = if *t == "ledger" {
                "account, CAST(memo AS BINARY), amount, rate, booked, CAST(flag AS CHAR)"
            } else {
                "1, 2"
            };
            let sql = format!("SELECT * FROM {t} ORDER BY {order}");
            (t.to_string(), run(conn, &sql, scratch))
        })
        .collect()
}

#[test]
fn captured_writes_match_a_writable_copy_statement_by_statement() {
    differential(CASES, 30);
}

#[test]
fn captured_ddl_matches_a_writable_copy_statement_by_statement() {
    differential(DDL_CASES, 8);
}

/// Runs every case of `text` through a fresh vdb and directly on a fresh
/// writable copy, comparing every statement's outcome and then every table.
fn differential(text: &str, at_least: usize) {
    let before = source_fingerprint();
    let cases = parse_cases(text);
    assert!(cases.len() >= at_least, "only {} cases", cases.len());
    let mut failures = Vec::new();
    let mut statements = 0;
    for (name, stmts) in &cases {
        let scratch = scratch_copy();
        let vdb = Vdb::start();
        let mut through = vdb.conn(Some("vdbt_shop"));
        let mut direct = source().conn(Some(&scratch));
        for sql in stmts {
            let a = run(&mut through, sql, &scratch);
            // Names qualified with the source's database mean the copy there.
            let b = run(
                &mut direct,
                &sql.replace("vdbt_shop.", &format!("{scratch}.")),
                &scratch,
            );
            if a != b {
                failures.push(format!(
                    "case {name:?}: {sql}\n  via vdb: {}\n  direct:  {}",
                    shown(&a),
                    shown(&b)
                ));
            }
            statements += 1;
        }
        compare_tables(
            &mut through,
            &mut direct,
            &scratch,
            &format!("case {name:?}: "),
            &mut failures,
        );
        drop_scratch(&scratch);
    }
    println!("{} cases, {statements} statements compared", cases.len());
    assert_no_differences(&failures);
    assert_source_unchanged(&before);
}

#[test]
fn a_write_is_seen_by_every_connection_and_never_reaches_the_source() {
    let before = source_fingerprint();
    let vdb = Vdb::start();
    let mut a = vdb.conn(Some("vdbt_shop"));
    let mut b = vdb.conn(Some("vdbt_shop"));
    a.query_drop("UPDATE products SET price = price * 2 WHERE sku = 'A-1'")
        .unwrap();
    let price: String = b
        .query_first("SELECT price FROM products WHERE sku = 'A-1'")
        .unwrap()
        .unwrap();
    assert_eq!(price, "199.98");
    // A second vdb process has its own, empty delta.
    let other = Vdb::start();
    let price: String = other
        .conn(Some("vdbt_shop"))
        .query_first("SELECT price FROM products WHERE sku = 'A-1'")
        .unwrap()
        .unwrap();
    assert_eq!(price, "99.99");
    assert_source_unchanged(&before);
}

#[test]
fn prepared_statements_read_the_merged_view_as_the_delta_changes() {
    let before = source_fingerprint();
    let vdb = Vdb::start();
    let mut c = vdb.conn(Some("vdbt_shop"));
    let stmt = c
        .prep("SELECT title, price FROM products WHERE sku = ?")
        .unwrap();
    let read =
        |c: &mut Conn| -> Option<(String, String)> { c.exec_first(&stmt, ("A-1",)).unwrap() };
    assert_eq!(read(&mut c), Some(("Anvil".into(), "99.99".into())));
    c.query_drop("UPDATE products SET price = 1.25 WHERE sku = 'A-1'")
        .unwrap();
    assert_eq!(read(&mut c), Some(("Anvil".into(), "1.25".into())));
    c.query_drop("SET foreign_key_checks = 0").unwrap();
    c.query_drop("DELETE FROM products WHERE sku = 'A-1'")
        .unwrap();
    assert_eq!(read(&mut c), None);
    // Prepared after the change, and from another connection.
    let mut other = vdb.conn(Some("vdbt_shop"));
    let n: u32 = other
        .exec_first("SELECT COUNT(*) FROM products WHERE price > ?", (0,))
        .unwrap()
        .unwrap();
    assert_eq!(n, 3);
    assert_source_unchanged(&before);
}

#[test]
fn a_prepared_read_executed_again_and_again_follows_every_change() {
    // Executions whose narrowed text comes back (the table's own name
    // while no captured row may pass, the same row spelled out) reuse the
    // statement vdb prepared at the source for it: each must still read
    // the delta as it is then.
    let before = source_fingerprint();
    let vdb = Vdb::start();
    let mut c = vdb.conn(Some("vdbt_shop"));
    let mut direct = source().conn(Some("vdbt_shop"));
    let stmt = c
        .prep("SELECT id, balance FROM accounts WHERE id = ?")
        .unwrap();
    let mut balances: std::collections::HashMap<u32, i64> = direct
        .query_map("SELECT id, balance FROM accounts", |(id, b)| (id, b))
        .unwrap()
        .into_iter()
        .collect();
    for round in 0..60u32 {
        let id = 1 + round % 7;
        match round % 5 {
            1 => {
                c.exec_drop(
                    "UPDATE accounts SET balance = balance + 1 WHERE id = ?",
                    (id,),
                )
                .unwrap();
                *balances.get_mut(&id).unwrap() += 1;
            }
            3 if round % 2 == 1 => {
                c.exec_drop("DELETE FROM accounts WHERE id = ?", (id,))
                    .unwrap();
                balances.remove(&id);
            }
            4 => {
                c.exec_drop("REPLACE INTO accounts VALUES (?, 1000)", (id,))
                    .unwrap();
                balances.insert(id, 1000);
            }
            _ => {}
        }
        for probe in [id, 1 + (round + 3) % 7, 19] {
            let got: Option<(u32, i64)> = c.exec_first(&stmt, (probe,)).unwrap();
            let want = balances.get(&probe).map(|b| (probe, *b));
            assert_eq!(got, want, "round {round}, account {probe}");
        }
    }
    assert_source_unchanged(&before);
}

/// [`run`] as a server-side prepared statement with `params`.
fn run_prepared(conn: &mut Conn, sql: &str, params: Vec<Value>, scratch: &str) -> Seen {
    let err = |e: mysql::Error| match e {
        mysql::Error::MySqlError(e) => {
            Seen::Err(e.code, e.state, e.message.replace(scratch, "vdbt_shop"))
        }
        e => panic!("{sql}: {e}"),
    };
    let result = match conn.exec_iter(sql, params) {
        Ok(r) => r,
        Err(e) => return err(e),
    };
    let affected = result.affected_rows();
    let last_insert_id = result.last_insert_id();
    let info = result.info_str().into_owned();
    let columns = result
        .columns()
        .as_ref()
        .iter()
        .map(|c| c.name_str().into_owned())
        .collect();
    let mut rows = Vec::new();
    for r in result {
        match r {
            Ok(r) => rows.push(r.unwrap()),
            Err(e) => return err(e),
        }
    }
    Seen::Ok {
        columns,
        rows,
        affected,
        last_insert_id,
        info,
    }
}

#[test]
fn prepared_writes_bind_every_parameter_type_as_the_server_does() {
    use mysql::Value::*;
    let before = source_fingerprint();
    let scratch = scratch_copy();
    let vdb = Vdb::start();
    let mut through = vdb.conn(Some("vdbt_shop"));
    let mut direct = source().conn(Some(&scratch));
    let steps: Vec<(&str, Vec<Value>)> = vec![
        (
            "INSERT INTO customers (email, name, country, created_at) VALUES (?, ?, ?, ?)",
            vec![
                Bytes(b"p1@example.com".to_vec()),
                Bytes("Zoë 🐬 O'Brien \\ back".as_bytes().to_vec()),
                NULL,
                Date(2025, 3, 4, 5, 6, 7, 891000),
            ],
        ),
        (
            "INSERT INTO customers (email, name, created_at) VALUES (?, ?, ?), (?, ?, ?)",
            vec![
                Bytes(b"p2@example.com".to_vec()),
                Bytes(b"Two".to_vec()),
                Date(2025, 1, 1, 0, 0, 0, 0),
                Bytes(b"P1@EXAMPLE.COM".to_vec()),
                Bytes(b"Dup".to_vec()),
                Date(2025, 1, 1, 0, 0, 0, 0),
            ],
        ),
        (
            "INSERT INTO orders (customer_id, placed_on, total, note) VALUES (?, ?, ?, ?)",
            vec![
                UInt(1),
                Date(2025, 5, 6, 0, 0, 0, 0),
                Double(12.345),
                Bytes(b"double rounds".to_vec()),
            ],
        ),
        (
            "INSERT INTO orders (customer_id, placed_on, total, note) VALUES (?, ?, ?, ?)",
            vec![Int(2), Bytes(b"2025-05-07".to_vec()), Float(0.1), NULL],
        ),
        (
            "INSERT INTO orders (customer_id, placed_on, total) VALUES (?, ?, ?)",
            vec![Int(999), Bytes(b"2025-05-07".to_vec()), Int(1)],
        ),
        (
            "INSERT INTO orders (customer_id, placed_on, total) VALUES (?, ?, ?)",
            vec![Int(1), Bytes(b"2025-05-07".to_vec()), Bytes(b"1e20".to_vec())],
        ),
        (
            "UPDATE products SET price = price + ?, title = CONCAT(title, ?) WHERE sku = ? OR price > ?",
            vec![Double(-0.5), Bytes(b" (\xf0\x9f\x90\xac)".to_vec()), Bytes(b"C-3".to_vec()), Int(100)],
        ),
        (
            "UPDATE orders SET note = ? WHERE placed_on BETWEEN ? AND ? ORDER BY id DESC LIMIT ?",
            vec![
                Bytes(b"summer".to_vec()),
                Date(2024, 6, 1, 0, 0, 0, 0),
                Date(2024, 8, 1, 0, 0, 0, 0),
                Int(2),
            ],
        ),
        (
            "UPDATE customers SET created_at = created_at + INTERVAL ? SECOND, country = ? WHERE id = ?",
            vec![Time(false, 1, 2, 3, 4, 500000), Bytes(b"SE".to_vec()), Int(3)],
        ),
        (
            "INSERT INTO order_items VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE qty = qty + VALUES(qty)",
            vec![Int(1), Int(1), Bytes(b"A-1".to_vec()), Int(4)],
        ),
        (
            "REPLACE INTO digits VALUES (?)",
            vec![Int(3)],
        ),
        ("DELETE FROM order_items WHERE order_id = ? AND qty < ?", vec![Int(6), Int(5)]),
        ("DELETE FROM customers WHERE id = ?", vec![Int(1)]),
        ("INSERT INTO digits VALUES (?)", vec![Int(300)]),
        ("UPDATE products SET nosuch = ? WHERE sku = ?", vec![Int(1), Int(1)]),
        ("DELETE FROM orders WHERE nosuch = ?", vec![Int(1)]),
        ("INSERT INTO digits (nosuch) VALUES (?)", vec![Int(1)]),
    ];
    let mut failures = Vec::new();
    for (sql, params) in &steps {
        let a = run_prepared(&mut through, sql, params.clone(), &scratch);
        let b = run_prepared(&mut direct, sql, params.clone(), &scratch);
        if a != b {
            failures.push(format!("{sql}\n  via vdb: {a:?}\n  direct:  {b:?}"));
        }
    }
    // A syntax error or a missing table is reported when preparing, as
    // the server does; vdb reports unknown columns when the statement runs
    // (with the server's code and message).
    for sql in [
        "INSERT INTO nosuch VALUES (?)",
        "DELETE FROM vdbt_shop.nosuch WHERE id = ?",
        "INSERT INTO digits VALUES (?",
    ] {
        let a = through.prep(sql).map(|_| ()).map_err(|e| e.to_string());
        let b = direct.prep(sql).map(|_| ()).map_err(|e| e.to_string());
        assert!(b.is_err(), "{sql} prepares");
        if a != b.map_err(|e| e.replace(&scratch, "vdbt_shop")) {
            failures.push(format!("prepare {sql}: {a:?}"));
        }
    }
    // Prepared reads of the changed tables, narrowed per execution.
    let reads: Vec<(&str, Vec<Value>)> = vec![
        ("SELECT * FROM customers WHERE id = ?", vec![Int(6)]),
        ("SELECT * FROM customers WHERE id = ?", vec![Int(3)]),
        ("SELECT * FROM customers WHERE id = ?", vec![Int(1)]),
        ("SELECT email FROM customers WHERE email = ?", vec![Bytes(b"p1@example.com".to_vec())]),
        ("SELECT id, total, note FROM orders WHERE id BETWEEN ? AND ? ORDER BY id", vec![Int(2), Int(9)]),
        (
            "SELECT c.name, SUM(o.total) FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.id IN (?, ?) GROUP BY c.name ORDER BY 1",
            vec![Int(1), Int(2)],
        ),
        ("SELECT sku, price, title FROM products WHERE price > ? ORDER BY sku", vec![Double(10.0)]),
        ("SELECT COUNT(*) FROM order_items WHERE order_id = ?", vec![Int(6)]),
    ];
    for (sql, params) in &reads {
        let a = run_prepared(&mut through, sql, params.clone(), &scratch);
        let b = run_prepared(&mut direct, sql, params.clone(), &scratch);
        if a != b {
            failures.push(format!(
                "{sql} {params:?}\n  via vdb: {a:?}\n  direct:  {b:?}"
            ));
        }
    }
    // One statement executed many times, rebinding only the values.
    let stmt_a = through.prep("INSERT INTO numbers VALUES (?)").unwrap();
    let stmt_b = direct.prep("INSERT INTO numbers VALUES (?)").unwrap();
    for n in [1000, 1001, 5, 1002] {
        let a = through.exec_drop(&stmt_a, (n,)).map_err(|e| e.to_string());
        let b = direct.exec_drop(&stmt_b, (n,)).map_err(|e| e.to_string());
        if a != b {
            failures.push(format!("numbers {n}: {a:?} vs {b:?}"));
        }
    }
    compare_tables(&mut through, &mut direct, &scratch, "", &mut failures);
    drop_scratch(&scratch);
    assert_no_differences(&failures);
    assert_source_unchanged(&before);
}

//! The Rust `mysql` crate through vdb, for tests/clients/run: text and
//! binary (prepared) reads of the fixture, writes with bound parameters, a
//! rolled-back and a committed transaction, the errors a client sees, and
//! the view left as the source shows it. Prints `ok ...` or `FAILED ...`;
//! exits 1 on failure.
//!
//!     VDB_PORT=3307 VDB_USER=u VDB_PASS=p VDB_DB=vdb_clients \
//!         cargo run --example client_scenario

use mysql::prelude::Queryable;
use mysql::{Conn, OptsBuilder, TxOpts};

fn run() -> Result<(), String> {
    let env = |k: &str| std::env::var(k).map_err(|_| format!("{k} is not set"));
    let opts = OptsBuilder::new()
        .ip_or_hostname(Some("127.0.0.1"))
        .tcp_port(
            env("VDB_PORT")?
                .parse()
                .map_err(|_| "VDB_PORT is not a port")?,
        )
        .user(Some(env("VDB_USER")?))
        .pass(Some(env("VDB_PASS")?))
        .db_name(Some(env("VDB_DB")?))
        .prefer_socket(false);
    let mut c = Conn::new(opts).map_err(|e| format!("connect: {e}"))?;
    let e = |what: &str| {
        let what = what.to_string();
        move |err: mysql::Error| format!("{what}: {err}")
    };
    let text: Vec<(u32, String, String)> = c
        .query("SELECT id, name, CAST(price AS CHAR) FROM items ORDER BY id")
        .map_err(e("text read"))?;
    let want = vec![
        (1, "apple".to_string(), "1.50".to_string()),
        (2, "pear".to_string(), "2.25".to_string()),
        (3, "Zoë 🐬".to_string(), "10.00".to_string()),
    ];
    if text != want {
        return Err(format!("text rows: {text:?}"));
    }
    let binary: Vec<(u32, String)> = c
        .exec("SELECT id, name FROM items WHERE id >= ? ORDER BY id", (2,))
        .map_err(e("prepared read"))?;
    if binary != [(2, "pear".to_string()), (3, "Zoë 🐬".to_string())] {
        return Err(format!("binary rows: {binary:?}"));
    }
    c.exec_drop(
        "INSERT INTO items (id, name, price, created) VALUES (?, ?, ?, ?)",
        (300, "rust 🦀", "7.25", "2024-07-08 09:10:11.120"),
    )
    .map_err(e("insert"))?;
    let mut t = c.start_transaction(TxOpts::default()).map_err(e("begin"))?;
    t.exec_drop("DELETE FROM items WHERE id = ?", (300,))
        .map_err(e("delete"))?;
    t.rollback().map_err(e("rollback"))?;
    let kept: Option<String> = c
        .exec_first("SELECT name FROM items WHERE id = ?", (300,))
        .map_err(e("read back"))?;
    if kept.as_deref() != Some("rust 🦀") {
        return Err(format!("after a rolled-back delete: {kept:?}"));
    }
    let mut t = c.start_transaction(TxOpts::default()).map_err(e("begin"))?;
    t.exec_drop("UPDATE items SET price = price + 1 WHERE id = ?", (300,))
        .map_err(e("update"))?;
    t.exec_drop("DELETE FROM items WHERE id = ?", (300,))
        .map_err(e("delete"))?;
    t.commit().map_err(e("commit"))?;
    for (sql, code) in [("SELECT * FROM no_such_table", 1146), ("XA RECOVER", 1235)] {
        match c.query_drop(sql) {
            Err(mysql::Error::MySqlError(m)) if m.code == code => {}
            other => return Err(format!("{sql}: expected error {code}, got {other:?}")),
        }
    }
    let n: Option<u64> = c
        .query_first("SELECT COUNT(*) FROM items")
        .map_err(e("count"))?;
    if n != Some(3) {
        return Err(format!("the view after the scenario has {n:?} rows"));
    }
    Ok(())
}

fn main() {
    match run() {
        Ok(()) => println!("ok rust mysql crate: text and prepared reads, writes with bound parameters, transactions, errors"),
        Err(why) => {
            println!("FAILED rust mysql crate: {why}");
            std::process::exit(1);
        }
    }
}

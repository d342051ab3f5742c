//! Transactions over the delta, checked differentially: every case of
//! tests/cases/transactions.sql runs two connections through a fresh vdb
//! (whose source must stay unchanged) and two directly on a writable copy,
//! with the same interleaving, and every statement's outcome and then
//! every table must be the same.

use mysql::prelude::Queryable;

use crate::capture::{assert_no_differences, compare_tables, drop_scratch, run, scratch_copy};
use crate::harness::{assert_source_unchanged, source, source_fingerprint, Vdb};

const CASES: &str = include_str!("../cases/transactions.sql");

/// `-- case: name` starts a case; `A: sql` and `B: sql` are statements of
/// connection A or B.
fn parse(text: &str) -> Vec<(String, Vec<(char, String)>)> {
    let mut cases: Vec<(String, Vec<(char, String)>)> = Vec::new();
    for line in text.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix("-- case:") {
            cases.push((name.trim().to_string(), Vec::new()));
        } else if let Some((who, sql)) = line
            .split_once(": ")
            .filter(|(w, _)| *w == "A" || *w == "B")
        {
            let who = who.chars().next().expect("A or B");
            cases
                .last_mut()
                .expect("a statement before the first case")
                .1
                .push((who, sql.to_string()));
        }
    }
    cases
}

#[test]
fn interleaved_transactions_match_the_same_interleaving_on_a_writable_copy() {
    let before = source_fingerprint();
    let cases = parse(CASES);
    assert!(cases.len() >= 10, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for (name, steps) in &cases {
        let scratch = scratch_copy();
        let vdb = Vdb::start();
        let mut through = [vdb.conn(Some("vdbt_shop")), vdb.conn(Some("vdbt_shop"))];
        let mut direct = [source().conn(Some(&scratch)), source().conn(Some(&scratch))];
        for (who, sql) in steps {
            let i = (*who == 'B') as usize;
            let a = run(&mut through[i], sql, &scratch);
            let b = run(&mut direct[i], sql, &scratch);
            if a != b {
                failures.push(format!(
                    "case {name:?}: {who}: {sql}\n  via vdb: {a:?}\n  direct:  {b:?}"
                ));
            }
        }
        for c in through.iter_mut().chain(direct.iter_mut()) {
            c.query_drop("ROLLBACK").unwrap();
        }
        let [through_a, _] = &mut through;
        let [direct_a, _] = &mut direct;
        compare_tables(
            through_a,
            direct_a,
            &scratch,
            &format!("case {name:?}: "),
            &mut failures,
        );
        drop(direct);
        drop_scratch(&scratch);
    }
    assert_no_differences(&failures);
    assert_source_unchanged(&before);
}

#[test]
fn a_client_that_disconnects_mid_transaction_leaves_nothing_behind() {
    let before = source_fingerprint();
    let vdb = Vdb::start();
    {
        let mut a = vdb.conn(Some("vdbt_shop"));
        a.query_drop("BEGIN").unwrap();
        a.query_drop("DELETE FROM order_items").unwrap();
        let n: u32 = a
            .query_first("SELECT COUNT(*) FROM order_items")
            .unwrap()
            .unwrap();
        assert_eq!(n, 0);
    }
    let mut b = vdb.conn(Some("vdbt_shop"));
    let n: u32 = b
        .query_first("SELECT COUNT(*) FROM order_items")
        .unwrap()
        .unwrap();
    assert_eq!(n, 9);
    // RESET CONNECTION rolls back too.
    b.query_drop("BEGIN").unwrap();
    b.query_drop("DELETE FROM order_items").unwrap();
    b.reset().unwrap();
    let n: u32 = b
        .query_first("SELECT COUNT(*) FROM order_items")
        .unwrap()
        .unwrap();
    assert_eq!(n, 9);
    assert_source_unchanged(&before);
}

/// Runs `sql` on a connection in another thread and returns its outcome
/// (the error code, or 0) when it finishes.
fn in_background(
    mut c: mysql::Conn,
    sql: &'static str,
) -> std::thread::JoinHandle<(mysql::Conn, u16)> {
    std::thread::spawn(move || {
        let code = match c.query_drop(sql) {
            Ok(()) => 0,
            Err(mysql::Error::MySqlError(e)) => e.code,
            Err(e) => panic!("{sql}: {e}"),
        };
        (c, code)
    })
}

fn code(r: mysql::Result<()>) -> u16 {
    match r {
        Ok(()) => 0,
        Err(mysql::Error::MySqlError(e)) => e.code,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn a_write_waits_for_the_row_lock_then_times_out_and_nowait_does_not_wait() {
    let before = source_fingerprint();
    let vdb = Vdb::start();
    let mut a = vdb.conn(Some("vdbt_shop"));
    let mut b = vdb.conn(Some("vdbt_shop"));
    a.query_drop("BEGIN").unwrap();
    a.query_drop("UPDATE accounts SET balance = 0 WHERE id = 3")
        .unwrap();
    b.query_drop("SET innodb_lock_wait_timeout = 1").unwrap();
    let started = std::time::Instant::now();
    assert_eq!(
        code(b.query_drop("UPDATE accounts SET balance = 5 WHERE id = 3")),
        1205
    );
    let waited = started.elapsed();
    assert!(
        waited >= std::time::Duration::from_millis(900),
        "waited {waited:?}"
    );
    // Other rows are free.
    assert_eq!(
        code(b.query_drop("UPDATE accounts SET balance = 5 WHERE id = 4")),
        0
    );
    b.query_drop("BEGIN").unwrap();
    let started = std::time::Instant::now();
    assert_eq!(
        code(b.query_drop("SELECT * FROM accounts WHERE id = 3 FOR UPDATE NOWAIT")),
        1205
    );
    assert!(started.elapsed() < std::time::Duration::from_millis(500));
    // A waiting writer proceeds when the holder commits, and sees its row.
    let waiter = in_background(b, "UPDATE accounts SET balance = balance + 7 WHERE id = 3");
    std::thread::sleep(std::time::Duration::from_millis(200));
    a.query_drop("COMMIT").unwrap();
    let (mut b, c) = waiter.join().unwrap();
    assert_eq!(c, 0);
    b.query_drop("COMMIT").unwrap();
    let n: i64 = a
        .query_first("SELECT balance FROM accounts WHERE id = 3")
        .unwrap()
        .unwrap();
    assert_eq!(n, 7);
    assert_source_unchanged(&before);
}

#[test]
fn crossed_writes_are_a_deadlock_and_the_victim_is_rolled_back() {
    let before = source_fingerprint();
    let vdb = Vdb::start();
    let mut a = vdb.conn(Some("vdbt_shop"));
    let mut b = vdb.conn(Some("vdbt_shop"));
    a.query_drop("BEGIN").unwrap();
    b.query_drop("BEGIN").unwrap();
    a.query_drop("UPDATE accounts SET balance = balance - 1 WHERE id = 5")
        .unwrap();
    b.query_drop("UPDATE accounts SET balance = balance - 1 WHERE id = 6")
        .unwrap();
    let waiter = in_background(a, "UPDATE accounts SET balance = balance + 1 WHERE id = 6");
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(
        code(b.query_drop("UPDATE accounts SET balance = balance + 1 WHERE id = 5")),
        1213
    );
    let (mut a, c) = waiter.join().unwrap();
    assert_eq!(c, 0, "the other side proceeds");
    a.query_drop("COMMIT").unwrap();
    // The victim's whole transaction is gone: its update of row 6 too.
    let rows: Vec<(i32, i64)> = b
        .query("SELECT id, balance FROM accounts WHERE id IN (5, 6) ORDER BY id")
        .unwrap();
    assert_eq!(rows, vec![(5, 999), (6, 1001)]);
    assert_source_unchanged(&before);
}

#[test]
fn concurrent_transfers_with_for_update_keep_the_total() {
    let before = source_fingerprint();
    let vdb = Vdb::start();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(4);
    let workers: Vec<_> = (0..8u64)
        .map(|w| {
            let mut c = vdb.conn(Some("vdbt_shop"));
            std::thread::spawn(move || {
                c.query_drop("SET innodb_lock_wait_timeout = 5").unwrap();
                let mut seed = w * 7919 + 17;
                let mut next = move |n: u64| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (seed >> 33) % n
                };
                let (mut committed, mut retried) = (0u32, 0u32);
                while std::time::Instant::now() < deadline {
                    let from = 1 + next(20);
                    let to = 1 + (from + next(19)) % 20;
                    let amount = 1 + next(50);
                    let tx = (|| -> mysql::Result<()> {
                        c.query_drop("BEGIN")?;
                        // Locked one at a time, in random order: deadlocks happen.
                        let a: Option<i64> = c.query_first(format!(
                            "SELECT balance FROM accounts WHERE id = {from} FOR UPDATE"
                        ))?;
                        let b: Option<i64> = c.query_first(format!(
                            "SELECT balance FROM accounts WHERE id = {to} FOR UPDATE"
                        ))?;
                        assert!(a.is_some() && b.is_some());
                        c.query_drop(format!(
                            "UPDATE accounts SET balance = balance - {amount} WHERE id = {from}"
                        ))?;
                        c.query_drop(format!(
                            "UPDATE accounts SET balance = balance + {amount} WHERE id = {to}"
                        ))?;
                        c.query_drop("COMMIT")
                    })();
                    match tx {
                        Ok(()) => committed += 1,
                        Err(mysql::Error::MySqlError(e)) if e.code == 1205 || e.code == 1213 => {
                            c.query_drop("ROLLBACK").unwrap();
                            retried += 1;
                        }
                        Err(e) => panic!("worker {w}: {e}"),
                    }
                }
                (committed, retried)
            })
        })
        .collect();
    let mut committed = 0;
    let mut retried = 0;
    for w in workers {
        let (c, r) = w.join().expect("a worker failed");
        committed += c;
        retried += r;
    }
    println!("{committed} transfers committed, {retried} retried after 1205/1213");
    assert!(committed > 50, "only {committed} transfers");
    let mut c = vdb.conn(Some("vdbt_shop"));
    let total: i64 = c
        .query_first("SELECT SUM(balance) FROM accounts")
        .unwrap()
        .unwrap();
    assert_eq!(total, 20_000);
    assert_source_unchanged(&before);
}

#[test]
fn a_prepared_for_update_locks_the_rows_it_reads() {
    let before = source_fingerprint();
    let vdb = Vdb::start();
    let mut a = vdb.conn(Some("vdbt_shop"));
    let mut b = vdb.conn(Some("vdbt_shop"));
    b.query_drop("SET innodb_lock_wait_timeout = 1").unwrap();
    a.query_drop("BEGIN").unwrap();
    let balance: Option<i64> = a
        .exec_first("SELECT balance FROM accounts WHERE id = ? FOR UPDATE", (8,))
        .unwrap();
    assert_eq!(balance, Some(1000));
    assert_eq!(
        code(b.query_drop("UPDATE accounts SET balance = 1 WHERE id = 8")),
        1205
    );
    // Another row is free; the lock ends with the transaction.
    assert_eq!(
        code(b.query_drop("UPDATE accounts SET balance = 1 WHERE id = 9")),
        0
    );
    a.query_drop("ROLLBACK").unwrap();
    assert_eq!(
        code(b.query_drop("UPDATE accounts SET balance = 1 WHERE id = 8")),
        0
    );
    assert_source_unchanged(&before);
}

/// Workers taking jobs the way queue libraries do (a prepared `SELECT ...
/// ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED` per job, in a transaction
/// that marks it taken): each worker gets a different job, none waits.
#[test]
fn workers_take_different_jobs_with_a_prepared_skip_locked() {
    let before = source_fingerprint();
    let vdb = Vdb::start();
    let mut workers: Vec<mysql::Conn> = (0..3).map(|_| vdb.conn(Some("vdbt_shop"))).collect();
    let mut taken = Vec::new();
    for w in workers.iter_mut() {
        w.query_drop("BEGIN").unwrap();
        let id: Option<u64> = w
            .exec_first(
                "SELECT id FROM orders WHERE total > ? ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
                (0,),
            )
            .unwrap();
        let id = id.expect("a free job");
        w.exec_drop("UPDATE orders SET note = 'taken' WHERE id = ?", (id,))
            .unwrap();
        taken.push(id);
    }
    assert_eq!(taken, vec![1, 2, 3]);
    for w in workers.iter_mut() {
        w.query_drop("COMMIT").unwrap();
    }
    // Once they commit, the next worker starts past the taken jobs only if
    // it asks for untaken ones.
    let next: Option<u64> = workers[0]
        .exec_first(
            "SELECT id FROM orders WHERE note IS NULL OR note <> ? ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
            ("taken",),
        )
        .unwrap();
    assert_eq!(next, Some(4));
    assert_source_unchanged(&before);
}

/// Under SERIALIZABLE a transaction's plain reads lock what they read in
/// share mode, as InnoDB's do: a writer of those rows waits (here, until
/// it times out), other readers do not, and with autocommit a SELECT is
/// its own transaction and keeps nothing locked. The same steps run
/// directly on a writable copy give the same answers.
#[test]
fn serializable_reads_lock_in_share_mode_as_on_the_server() {
    let before = source_fingerprint();
    let vdb = Vdb::start();
    let scratch = crate::capture::scratch_copy();
    let through = serializable_steps(|| vdb.conn(Some("vdbt_shop")));
    let direct = serializable_steps(|| source().conn(Some(&scratch)));
    assert_eq!(through, direct);
    assert!(through.iter().any(|(_, c)| *c == 1205), "{through:?}");
    crate::capture::drop_scratch(&scratch);
    assert_source_unchanged(&before);
}

fn serializable_steps(mut connect: impl FnMut() -> mysql::Conn) -> Vec<(String, u16)> {
    let mut a = connect();
    let mut b = connect();
    let mut seen = Vec::new();
    let steps: &[(char, &str)] = &[
        ('b', "SET innodb_lock_wait_timeout = 1"),
        ('a', "SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE"),
        ('a', "SELECT balance FROM accounts WHERE id = 3"),
        ('b', "UPDATE accounts SET balance = 11 WHERE id = 3"),
        ('a', "BEGIN"),
        ('a', "SELECT balance FROM accounts WHERE id = 3"),
        (
            'a',
            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'nowhere'",
        ),
        ('a', "SELECT 1"),
        ('a', "SELECT balance FROM accounts WHERE id = ?"),
        ('b', "UPDATE accounts SET balance = 15 WHERE id = 5"),
        ('b', "SELECT balance FROM accounts WHERE id = 3"),
        (
            'b',
            "SELECT balance FROM accounts WHERE id = 3 LOCK IN SHARE MODE",
        ),
        ('b', "UPDATE accounts SET balance = 12 WHERE id = 3"),
        ('b', "UPDATE accounts SET balance = 12 WHERE id = 4"),
        ('a', "COMMIT"),
        ('b', "UPDATE accounts SET balance = 13 WHERE id = 3"),
        (
            'a',
            "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ",
        ),
        ('a', "BEGIN"),
        ('a', "SELECT balance FROM accounts WHERE id = 3"),
        ('b', "UPDATE accounts SET balance = 14 WHERE id = 3"),
        ('a', "COMMIT"),
    ];
    for (who, sql) in steps {
        let c = if *who == 'a' { &mut a } else { &mut b };
        // A server-side prepared statement, with id 5.
        let result = if sql.contains('?') {
            c.exec_drop(*sql, (5,))
        } else {
            c.query_drop(sql)
        };
        seen.push((format!("{who}: {sql}"), code(result)));
    }
    let balance: i64 = a
        .query_first("SELECT balance FROM accounts WHERE id = 3")
        .unwrap()
        .unwrap();
    seen.push(("balance".into(), balance as u16));
    seen
}

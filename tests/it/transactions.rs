//! Transactions over the delta, checked differentially: every case of
//! tests/cases/transactions.sql runs two connections through a fresh vdb
//! (whose source must stay unchanged) and two directly on a writable copy,
//! with the same interleaving, and every statement's outcome and then
//! every table must be the same.

use mysql::prelude::Queryable;

use crate::capture::{final_state, run, scratch_copy};
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
        let a = final_state(&mut through[0], &scratch);
        let b = final_state(&mut direct[0], &scratch);
        for ((t, x), (_, y)) in a.iter().zip(&b) {
            if x != y {
                failures.push(format!(
                    "case {name:?}: table {t} afterwards\n  via vdb: {x:?}\n  direct:  {y:?}"
                ));
            }
        }
        drop(direct);
        source()
            .conn(None)
            .query_drop(format!("DROP DATABASE {scratch}"))
            .unwrap();
    }
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
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

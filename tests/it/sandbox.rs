//! The sandbox controls beyond reset and snapshots: the queryable diff
//! (`vdb.changes`, `vdb.schema_changes`), the exported patch
//! (`CALL vdb.export()`, `vdb export`, `vdb apply`), the state file
//! (`--state`, `CALL vdb.save()`) and the size limit (`--max-delta-bytes`).

use std::process::Command;

use mysql::prelude::Queryable;
use mysql::{Conn, Value};

use crate::capture::{drop_scratch, parse_cases, scratch_copy};
use crate::harness::{assert_source_unchanged, source, source_fingerprint, Vdb, VdbOptions};

const VDB: &str = env!("CARGO_BIN_EXE_vdb");

/// vdb in front of the source with vdbt_shop as the URL's database, so
/// the patch names vdbt_shop's tables without their database.
fn shop_vdb(o: VdbOptions) -> Vdb {
    Vdb::start_with(VdbOptions {
        source_url: Some(format!("{}/vdbt_shop", source().reader_url())),
        ..o
    })
}

/// Every base table with all its rows (sorted: a table's rows are a
/// multiset), as a connection with `db` selected sees them.
fn everything(c: &mut Conn) -> Vec<(String, Vec<String>)> {
    let tables: Vec<(String, String)> = c.query("SHOW FULL TABLES").unwrap();
    let mut out = Vec::new();
    for (t, kind) in tables {
        if kind != "BASE TABLE" {
            continue;
        }
        let rows: Vec<mysql::Row> = c.query(format!("SELECT * FROM `{t}`")).unwrap();
        let mut rows: Vec<String> = rows
            .into_iter()
            .map(|r| format!("{:?}", r.unwrap()))
            .collect();
        rows.sort();
        out.push((t, rows));
    }
    out
}

/// The source's vdbt_shop tables a scratch copy does not have.
fn not_copied() -> Vec<String> {
    let all: Vec<String> = source()
        .conn(Some("vdbt_shop"))
        .query("SHOW TABLES")
        .unwrap();
    all.into_iter()
        .filter(|t| {
            !crate::capture::SHOP_TABLES.contains(&t.as_str())
                && t != "big_spenders"
                && t != "uk_customers"
        })
        .collect()
}

/// What differs between two [`everything`]s, briefly.
fn difference(a: &[(String, Vec<String>)], b: &[(String, Vec<String>)]) -> Option<String> {
    let names = |v: &[(String, Vec<String>)]| v.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>();
    if names(a) != names(b) {
        return Some(format!(
            "tables via vdb {:?}, on the copy {:?}",
            names(a),
            names(b)
        ));
    }
    for ((t, x), (_, y)) in a.iter().zip(b) {
        if x != y {
            let only_a: Vec<&String> = x.iter().filter(|r| !y.contains(r)).take(5).collect();
            let only_b: Vec<&String> = y.iter().filter(|r| !x.contains(r)).take(5).collect();
            return Some(format!(
                "table {t}: {} rows via vdb, {} on the copy; only via vdb {only_a:?}; only on the copy {only_b:?}",
                x.len(),
                y.len()
            ));
        }
    }
    None
}

/// `vdb apply` of `vdb`'s patch to database `target` of the source, with
/// `extra` flags.
fn vdb_apply(vdb: &Vdb, target: &str, extra: &[&str]) -> std::process::Output {
    let s = source();
    let mut args = vec![
        "apply".to_string(),
        "--connect".into(),
        vdb.addr.to_string(),
        "--user".into(),
        s.user.clone(),
        "--password".into(),
        s.password.clone(),
        "--target".into(),
        format!("{}/{target}", s.url()),
    ];
    args.extend(extra.iter().map(|a| a.to_string()));
    Command::new(VDB).args(&args).output().unwrap()
}

fn keep_copied(v: Vec<(String, Vec<String>)>) -> Vec<(String, Vec<String>)> {
    let others = not_copied();
    v.into_iter().filter(|(t, _)| !others.contains(t)).collect()
}

fn export(c: &mut Conn) -> Vec<String> {
    c.query("CALL vdb.export()").unwrap()
}

#[test]
fn the_exported_patch_applied_to_a_copy_reproduces_every_write_case() {
    let before = source_fingerprint();
    let mut cases = parse_cases(include_str!("../cases/writes.sql"));
    cases.extend(parse_cases(include_str!("../cases/ddl.sql")));
    let mut failures = Vec::new();
    let mut statements = 0;
    for (name, stmts) in &cases {
        let vdb = shop_vdb(VdbOptions::default());
        let mut through = vdb.conn(Some("vdbt_shop"));
        for sql in stmts {
            // Failing statements are part of the cases; they leave nothing.
            let _ = through.query_drop(sql);
        }
        let patch = export(&mut through);
        let scratch = scratch_copy();
        let mut direct = source().conn(Some(&scratch));
        // The patch carries the rows as vdb shows them, triggers' work
        // included: applied where the triggers would fire again, it would
        // repeat that work (README, "Patches").
        let triggers: Vec<String> = direct
            .query(format!(
                "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '{scratch}'"
            ))
            .unwrap();
        for t in triggers {
            direct.query_drop(format!("DROP TRIGGER `{t}`")).unwrap();
        }
        // The patch writes TIMESTAMPs as instants whatever the applying
        // session's time zone; the copy is then read in vdb's session's.
        direct.query_drop("SET time_zone = '+07:00'").unwrap();
        for s in &patch {
            statements += 1;
            if let Err(e) = direct.query_drop(s) {
                failures.push(format!("case {name:?}: the patch failed: {e}\n  {s}"));
                break;
            }
        }
        let zone: String = through.query_first("SELECT @@time_zone").unwrap().unwrap();
        direct
            .query_drop(format!("SET time_zone = '{zone}'"))
            .unwrap();
        // The copy holds the shop's tables: compare those and the ones
        // the case created.
        let others = not_copied();
        let keep = |v: Vec<(String, Vec<String>)>| -> Vec<(String, Vec<String>)> {
            v.into_iter().filter(|(t, _)| !others.contains(t)).collect()
        };
        let a = keep(everything(&mut through));
        let b = keep(everything(&mut direct));
        if let Some(d) = difference(&a, &b) {
            failures.push(format!(
                "case {name:?}: after the patch, {d}\n  patch: {patch:#?}"
            ));
        }
        drop_scratch(&scratch);
    }
    println!(
        "{} cases, {statements} patch statements applied",
        cases.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_source_unchanged(&before);
}

#[test]
fn a_patch_updates_and_deletes_by_the_whole_before_image() {
    let vdb = shop_vdb(VdbOptions::default());
    let mut c = vdb.conn(Some("vdbt_shop"));
    assert!(export(&mut c).is_empty(), "no changes, no statements");
    c.query_drop("UPDATE products SET price = 5 WHERE sku = 'A-1'")
        .unwrap();
    c.query_drop("DELETE FROM digits WHERE d = 3").unwrap();
    c.query_drop("INSERT INTO digits VALUES (42)").unwrap();
    let patch = export(&mut c);
    assert_eq!(patch.first().map(String::as_str), Some("SET NAMES utf8mb4"));
    let update = patch.iter().find(|s| s.starts_with("UPDATE")).unwrap();
    assert!(
        update.starts_with("UPDATE `products` SET `price` = 5.00 WHERE ")
            && update.contains("`price` = 99.99")
            && update.ends_with(" LIMIT 1"),
        "{update}"
    );
    assert!(
        patch.contains(&"DELETE FROM `digits` WHERE `d` = 3 LIMIT 1".to_string()),
        "{patch:?}"
    );
    assert!(
        patch.contains(&"INSERT INTO `digits` (`d`) VALUES (42)".to_string()),
        "{patch:?}"
    );
    // Deletes before updates before inserts, in UTC, with strict mode and
    // foreign key checks off, and the session's settings back at the end.
    let at = |p: &str| patch.iter().position(|s| s.starts_with(p)).unwrap();
    assert_eq!(
        at("SET @OLD_TIME_ZONE = @@TIME_ZONE, TIME_ZONE = '+00:00'"),
        1
    );
    assert_eq!(
        at("SET @OLD_SQL_MODE = @@SQL_MODE, SQL_MODE = 'NO_AUTO_VALUE_ON_ZERO'"),
        2
    );
    assert_eq!(at("/*!100200 SET @OLD_CHECK_CONSTRAINT_CHECKS"), 3);
    assert_eq!(at("SET FOREIGN_KEY_CHECKS = 0"), 4);
    assert_eq!(
        patch[patch.len() - 2..],
        [
            "SET SQL_MODE = @OLD_SQL_MODE",
            "SET TIME_ZONE = @OLD_TIME_ZONE"
        ]
    );
    assert!(at("SET FOREIGN_KEY_CHECKS = 0") < at("DELETE") && at("DELETE") < at("UPDATE"));
    assert!(at("UPDATE") < at("INSERT") && at("INSERT") < at("SET FOREIGN_KEY_CHECKS = 1"));
}

#[test]
fn vdb_apply_applies_in_one_transaction_and_refuses_a_drifted_target() {
    let before = source_fingerprint();
    let vdb = shop_vdb(VdbOptions::default());
    let mut c = vdb.conn(Some("vdbt_shop"));
    c.query_drop("UPDATE customers SET name = 'Renamed' WHERE id = 1")
        .unwrap();
    c.query_drop("DELETE FROM digits WHERE d IN (1, 2)")
        .unwrap();
    c.query_drop("INSERT INTO digits VALUES (77)").unwrap();
    let s = source();
    let scratch = scratch_copy();
    let apply = |extra: &[&str]| vdb_apply(&vdb, &scratch, extra);
    // A dry run checks every row and changes nothing.
    let mut direct = source().conn(Some(&scratch));
    let untouched = everything(&mut direct);
    let out = apply(&["--dry-run"]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("touch exactly the rows they name"), "{said}");
    assert_eq!(everything(&mut direct), untouched);
    // The real run makes the copy what vdb shows.
    let out = apply(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        difference(&everything(&mut direct), &keep_copied(everything(&mut c))),
        None
    );
    // The copy now differs from the source the patch was made against:
    // a second run touches none of the rows it names, and rolls back.
    direct
        .query_drop("INSERT INTO digits VALUES (1), (2)")
        .unwrap();
    direct
        .query_drop("DELETE FROM digits WHERE d = 77")
        .unwrap();
    let drifted = everything(&mut direct);
    let out = apply(&[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("the target has drifted"), "{err}");
    assert!(
        err.contains("touched 0 rows, expected 1: UPDATE `customers`"),
        "{err}"
    );
    assert_eq!(everything(&mut direct), drifted, "nothing was applied");
    // `vdb export` prints the same statements as a script.
    let out = Command::new(VDB)
        .args([
            "export",
            "--connect",
            &vdb.addr.to_string(),
            "--user",
            &s.user,
            "--password",
            &s.password,
        ])
        .output()
        .unwrap();
    let script = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    for stmt in export(&mut c) {
        assert!(script.contains(&format!("{stmt};\n")), "{script}");
    }
    drop_scratch(&scratch);
    assert_source_unchanged(&before);
}

/// A row of `vdb.changes`: table_schema, table_name, op, pk, before, after.
type ChangeRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

#[test]
fn vdb_changes_lists_each_changed_row_with_its_key_and_images() {
    let before = source_fingerprint();
    let vdb = Vdb::start();
    let mut c = vdb.conn(Some("vdbt_shop"));
    let none: Vec<mysql::Row> = c.query("SELECT * FROM vdb.changes").unwrap();
    assert!(none.is_empty());
    c.query_drop("UPDATE products SET price = 5 WHERE sku = 'A-1'")
        .unwrap();
    c.query_drop("DELETE FROM digits WHERE d = 3").unwrap();
    c.query_drop("INSERT INTO digits VALUES (42)").unwrap();
    // Changed and changed back is no change.
    c.query_drop("UPDATE digits SET d = d WHERE d = 4").unwrap();
    c.query_drop("UPDATE customers SET country = 'ZZ' WHERE id = 2")
        .unwrap();
    let original: Option<String> = source()
        .conn(Some("vdbt_shop"))
        .query_first("SELECT country FROM customers WHERE id = 2")
        .unwrap()
        .unwrap();
    c.exec_drop("UPDATE customers SET country = ? WHERE id = 2", (original,))
        .unwrap();
    let rows: Vec<ChangeRow> = c
        .query("SELECT * FROM vdb.changes ORDER BY table_name, op")
        .unwrap();
    let summary: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (r.0.clone(), r.1.clone(), r.2.clone()))
        .collect();
    let t = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
    assert_eq!(
        summary,
        [
            t("vdbt_shop", "digits", "delete"),
            t("vdbt_shop", "digits", "insert"),
            t("vdbt_shop", "products", "update"),
        ]
    );
    let json = |v: &Option<String>| -> String { v.clone().unwrap_or_default().replace(' ', "") };
    assert_eq!(json(&rows[0].3), r#"{"d":3}"#);
    assert_eq!(json(&rows[0].4), r#"{"d":3}"#);
    assert_eq!(rows[0].5, None);
    assert_eq!(
        (rows[1].4.clone(), json(&rows[1].5)),
        (None, r#"{"d":42}"#.to_string())
    );
    let (pk, before_price, after_price): (String, String, String) = c
        .query_first(
            "SELECT pk, JSON_VALUE(`before`, '$.price'), JSON_VALUE(`after`, '$.price') \
             FROM vdb.changes WHERE op = 'update'",
        )
        .unwrap()
        .unwrap();
    assert_eq!(pk.replace(' ', ""), r#"{"sku":"A-1"}"#);
    assert_eq!(
        (before_price.as_str(), after_price.as_str()),
        ("99.99", "5.00")
    );
    // Filters, joins and aggregates, like any table.
    let per_op: Vec<(String, u64)> = c
        .query("SELECT op, COUNT(*) FROM vdb.changes GROUP BY op ORDER BY op")
        .unwrap();
    assert_eq!(
        per_op,
        [
            ("delete".into(), 1),
            ("insert".into(), 1),
            ("update".into(), 1)
        ]
    );
    let joined: u64 = c
        .query_first(
            "SELECT COUNT(*) FROM vdb.changes ch JOIN products p \
             ON p.price = JSON_VALUE(ch.`after`, '$.price') WHERE ch.table_name = 'products'",
        )
        .unwrap()
        .unwrap();
    assert_eq!(joined, 1);
    // A key-less table: identical rows are counted copies, without a key.
    // Deleting one of two identical rows deletes one copy.
    c.query_drop("DELETE FROM nokey WHERE a = 1 LIMIT 1")
        .unwrap();
    c.query_drop("INSERT INTO nokey VALUES (3, 'z'), (3, 'z')")
        .unwrap();
    let nokey: Vec<(Option<String>, String, String)> = c
        .query(
            "SELECT pk, op, COALESCE(`before`, `after`) FROM vdb.changes \
             WHERE table_name = 'nokey' ORDER BY op",
        )
        .unwrap();
    let nokey: Vec<(Option<String>, String, String)> = nokey
        .into_iter()
        .map(|(pk, op, image)| (pk, op, image.replace(' ', "")))
        .collect();
    assert_eq!(
        nokey,
        [
            (None, "delete".into(), r#"{"a":1,"b":"x"}"#.into()),
            (None, "insert".into(), r#"{"a":3,"b":"z"}"#.into()),
            (None, "insert".into(), r#"{"a":3,"b":"z"}"#.into()),
        ]
    );
    // What the column names say, and the source untouched throughout.
    let names: Vec<String> = c
        .query_iter("SELECT * FROM vdb.changes")
        .unwrap()
        .columns()
        .as_ref()
        .iter()
        .map(|col| col.name_str().into_owned())
        .collect();
    assert_eq!(
        names,
        ["table_schema", "table_name", "op", "pk", "before", "after"]
    );
    assert_source_unchanged(&before);
}

#[test]
fn a_patch_is_refused_while_a_view_reads_a_table_that_no_longer_exists() {
    let before = source_fingerprint();
    let vdb = shop_vdb(VdbOptions::default());
    let mut c = vdb.conn(Some("vdbt_shop"));
    c.query_drop("CREATE TABLE made (id INT PRIMARY KEY)")
        .unwrap();
    c.query_drop("CREATE VIEW made_view AS SELECT * FROM made")
        .unwrap();
    c.query_drop("CREATE VIEW digit_view AS SELECT d FROM digits")
        .unwrap();
    assert!(!export(&mut c).is_empty());
    // The server keeps a view whose table went; its CREATE VIEW would
    // refuse it, and the patch would stop after its first DDL.
    for gone in ["RENAME TABLE made TO remade", "DROP TABLE digits"] {
        c.query_drop(gone).unwrap();
        let err = c.query_drop("CALL vdb.export()").unwrap_err();
        assert!(
            err.to_string()
                .contains("which no longer exists: a patch cannot create it"),
            "{gone}: {err}"
        );
        c.query_drop(if gone.starts_with("RENAME") {
            "DROP VIEW made_view"
        } else {
            "DROP VIEW digit_view"
        })
        .unwrap();
    }
    assert!(export(&mut c).iter().any(|s| s.contains("`remade`")));
    assert_source_unchanged(&before);
}

#[test]
fn vdb_schema_changes_lists_the_captured_ddl_in_order() {
    let vdb = Vdb::start();
    let mut c = vdb.conn(Some("vdbt_shop"));
    c.query_drop("CREATE TABLE notes (id INT PRIMARY KEY, body TEXT)")
        .unwrap();
    c.query_drop("CREATE TABLE tags (id INT PRIMARY KEY)")
        .unwrap();
    c.query_drop("DROP TABLE tags, digits").unwrap();
    let rows: Vec<(u64, String, String, String, String)> = c
        .query("SELECT id, kind, table_schema, table_name, statement FROM vdb.schema_changes ORDER BY id")
        .unwrap();
    let short: Vec<(u64, &str, &str)> = rows
        .iter()
        .map(|r| (r.0, r.1.as_str(), r.3.as_str()))
        .collect();
    assert_eq!(
        short,
        [
            (1, "CREATE TABLE", "notes"),
            (2, "CREATE TABLE", "tags"),
            (3, "DROP TABLE", "tags"),
            (4, "DROP TABLE", "digits"),
        ]
    );
    assert_eq!(rows[0].2, "vdbt_shop");
    assert_eq!(rows[3].4, "DROP TABLE tags, digits");
    let creates: u64 = c
        .query_first("SELECT COUNT(*) FROM vdb.schema_changes WHERE kind LIKE 'CREATE%'")
        .unwrap()
        .unwrap();
    assert_eq!(creates, 2);
    // The patch drops and creates as the schema delta says.
    let patch = export(&mut c);
    assert!(
        patch.iter().any(|s| s == "DROP TABLE `vdbt_shop`.`digits`"),
        "{patch:?}"
    );
    assert!(
        patch
            .iter()
            .any(|s| s.starts_with("CREATE TABLE `vdbt_shop`.`notes` (")),
        "{patch:?}"
    );
    assert!(!patch.iter().any(|s| s.contains("`tags`")), "{patch:?}");
    c.query_drop("CALL vdb.reset()").unwrap();
    let none: Vec<mysql::Row> = c.query("SELECT * FROM vdb.schema_changes").unwrap();
    assert!(none.is_empty());
}

fn state_file(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("vdb-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path.display().to_string()
}

#[test]
fn with_a_state_file_the_view_and_snapshots_survive_a_restart() {
    let before = source_fingerprint();
    let path = state_file("restart.vdb");
    let with_state = || VdbOptions {
        state: Some(path.clone()),
        ..VdbOptions::default()
    };
    let first = Vdb::start_with(with_state());
    let mut c = first.conn(Some("vdbt_shop"));
    c.query_drop("UPDATE products SET price = 7 WHERE sku = 'A-1'")
        .unwrap();
    c.query_drop("CALL vdb.snapshot('priced')").unwrap();
    c.query_drop("CREATE TABLE notes (id INT PRIMARY KEY AUTO_INCREMENT, body TEXT)")
        .unwrap();
    c.query_drop("INSERT INTO notes (body) VALUES ('kept'), ('also')")
        .unwrap();
    c.query_drop("DELETE FROM nokey WHERE a = 1 LIMIT 1")
        .unwrap();
    let seen = everything(&mut c);
    c.query_drop("CALL vdb.save()").unwrap();
    // A new process reads the file and shows the same view.
    let second = Vdb::start_with(with_state());
    let mut d = second.conn(Some("vdbt_shop"));
    assert_eq!(everything(&mut d), seen);
    d.query_drop("INSERT INTO notes (body) VALUES ('third')")
        .unwrap();
    assert_eq!(
        d.last_insert_id(),
        3,
        "the AUTO_INCREMENT counter came back too"
    );
    let snaps: Vec<String> = d.query("SELECT name FROM vdb.snapshots").unwrap();
    assert_eq!(snaps, ["priced"]);
    d.query_drop("CALL vdb.restore('priced')").unwrap();
    let price: String = d
        .query_first("SELECT price FROM products WHERE sku = 'A-1'")
        .unwrap()
        .unwrap();
    assert_eq!(price, "7.00");
    let notes = d.query_drop("SELECT * FROM notes").unwrap_err();
    assert!(notes.to_string().contains("1146"), "{notes}");
    // vdb.save() without --state says what it needs.
    let plain = Vdb::start();
    let err = plain.conn(None).query_drop("CALL vdb.save()").unwrap_err();
    assert!(err.to_string().contains("--state"), "{err}");
    assert_source_unchanged(&before);
}

#[test]
fn a_timestamp_written_in_one_time_zone_reads_as_the_same_instant_in_every_other_and_after_a_restart(
) {
    let before = source_fingerprint();
    let path = state_file("zones.vdb");
    let with_state = || VdbOptions {
        state: Some(path.clone()),
        ..VdbOptions::default()
    };
    let first = Vdb::start_with(with_state());
    let zoned = |vdb: &Vdb, zone: &str| {
        let mut c = vdb.conn(Some("vdbt_types"));
        c.query_drop(format!("SET time_zone = '{zone}'")).unwrap();
        c
    };
    let mut utc = zoned(&first, "+00:00");
    let mut tokyo = zoned(&first, "+09:00");
    utc.query_drop(
        "CREATE TABLE visits (id INT PRIMARY KEY, at TIMESTAMP NULL, \
         seen TIMESTAMP(6) NULL DEFAULT CURRENT_TIMESTAMP(6))",
    )
    .unwrap();
    utc.query_drop("INSERT INTO visits (id, at) VALUES (1, '2026-03-01 12:00:00')")
        .unwrap();
    tokyo
        .query_drop("INSERT INTO visits (id, at) VALUES (2, '2026-03-01 12:00:00')")
        .unwrap();
    // A source row taken over by a write in one zone keeps its instant.
    tokyo
        .query_drop("UPDATE alltypes SET i = 5 WHERE id = 1")
        .unwrap();
    let source_ts: String = source()
        .conn(Some("vdbt_types"))
        .query_first("SELECT UNIX_TIMESTAMP(ts) FROM alltypes WHERE id = 1")
        .unwrap()
        .unwrap();
    type Visit = (i32, String, String, bool);
    let visits = "SELECT id, at, UNIX_TIMESTAMP(at), \
                  ABS(UNIX_TIMESTAMP(seen) - UNIX_TIMESTAMP()) < 600 FROM visits ORDER BY id";
    let seen_in_tokyo: Vec<Visit> = tokyo.query(visits).unwrap();
    assert_eq!(
        seen_in_tokyo,
        [
            (1, "2026-03-01 21:00:00".into(), "1772366400".into(), true),
            (2, "2026-03-01 12:00:00".into(), "1772334000".into(), true),
        ]
    );
    let seen_in_utc: Vec<Visit> = utc.query(visits).unwrap();
    assert_eq!(seen_in_utc[0].1, "2026-03-01 12:00:00");
    assert_eq!(seen_in_utc[1].1, "2026-03-01 03:00:00");
    let taken_over = "SELECT UNIX_TIMESTAMP(ts) FROM alltypes WHERE id = 1";
    let ts: String = utc.query_first(taken_over).unwrap().unwrap();
    assert_eq!(ts, source_ts);
    utc.query_drop("CALL vdb.save()").unwrap();
    drop((utc, tokyo));
    // Another process, another zone: the same instants.
    let second = Vdb::start_with(with_state());
    let mut ny = zoned(&second, "-05:00");
    let seen_in_ny: Vec<Visit> = ny.query(visits).unwrap();
    assert_eq!(seen_in_ny[0].1, "2026-03-01 07:00:00");
    assert_eq!(seen_in_ny[0].2, "1772366400");
    assert_eq!(seen_in_ny[1].2, "1772334000");
    let ts: String = ny.query_first(taken_over).unwrap().unwrap();
    assert_eq!(ts, source_ts);
    assert_source_unchanged(&before);
}

/// What vdb says when it refuses to start with the state file at `path`
/// (it must exit with status 1).
fn refused_at_start(path: &str) -> String {
    let out = Command::new(VDB)
        .args([
            "--source",
            &source().url(),
            "--listen",
            "127.0.0.1:0",
            "--state",
            path,
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{err}");
    err
}

/// Rewrites the state file at `path` as an earlier vdb (format 11) would
/// have saved it: the TIMESTAMP column `column` of `db.table` as the text
/// `wall_clock` (its writing session's), in every row.
fn as_saved_by_an_earlier_vdb(path: &str, db: &str, table: &str, column: usize, wall_clock: &str) {
    use std::sync::Arc;
    use vdb::delta::persist::{decode, encode_as};
    let (mut current, snapshots) = decode(&std::fs::read(path).unwrap()).unwrap();
    assert!(snapshots.is_empty());
    let id = vdb::delta::TableId {
        schema: db.into(),
        name: table.into(),
    };
    let mut t = (*current.tables[&id]).clone();
    t.rows = t
        .rows
        .iter()
        .map(|(k, r)| {
            let mut r = (**r).clone();
            r[column] = Some(wall_clock.as_bytes().to_vec());
            (k.clone(), Arc::new(r))
        })
        .collect();
    current.tables.insert(id, Arc::new(t));
    std::fs::write(path, encode_as(&current, &[], 11)).unwrap();
}

#[test]
fn a_state_saved_with_wall_clock_timestamps_is_read_as_instants_in_the_sources_zone() {
    let before = source_fingerprint();
    let s = source();
    let path = state_file("wall-clock.vdb");
    let with_state = || VdbOptions {
        state: Some(path.clone()),
        ..VdbOptions::default()
    };
    // An earlier vdb kept the text its session saw, in the source's
    // default time zone (no SET time_zone).
    let first = Vdb::start_with(with_state());
    let mut c = first.conn(Some("vdbt_types"));
    c.query_drop("CREATE TABLE visits (id INT PRIMARY KEY, at TIMESTAMP NULL)")
        .unwrap();
    c.query_drop("INSERT INTO visits VALUES (1, '2000-01-01 00:00:00')")
        .unwrap();
    c.query_drop("CALL vdb.save()").unwrap();
    drop(c);
    as_saved_by_an_earlier_vdb(&path, "vdbt_types", "visits", 1, "2026-03-01 12:00:00");
    let expected: String = s
        .conn(None)
        .query_first("SELECT UNIX_TIMESTAMP('2026-03-01 12:00:00')")
        .unwrap()
        .unwrap();
    let second = Vdb::start_with(with_state());
    let mut c = second.conn(Some("vdbt_types"));
    c.query_drop("SET time_zone = '+09:00'").unwrap();
    let (at, seconds): (String, String) = c
        .query_first("SELECT at, UNIX_TIMESTAMP(at) FROM visits")
        .unwrap()
        .unwrap();
    assert_eq!(seconds, expected);
    let shown: String = s
        .conn(None)
        .query_first(format!(
            "SELECT CONVERT_TZ(FROM_UNIXTIME({expected}), @@time_zone, '+09:00')"
        ))
        .unwrap()
        .unwrap();
    assert_eq!(at, shown);
    // A TIMESTAMP that keys rows cannot be converted: refused, with why.
    c.query_drop("CREATE TABLE keyed (at TIMESTAMP PRIMARY KEY)")
        .unwrap();
    c.query_drop("INSERT INTO keyed VALUES ('2026-03-01 12:00:00')")
        .unwrap();
    c.query_drop("CALL vdb.save()").unwrap();
    drop(c);
    as_saved_by_an_earlier_vdb(&path, "vdbt_types", "visits", 1, "2026-03-01 12:00:00");
    let err = refused_at_start(&path);
    assert!(
        err.contains("vdbt_types.keyed keys its rows by a TIMESTAMP column"),
        "{err}"
    );
    assert_source_unchanged(&before);
}

#[test]
fn the_vdb_process_saves_its_state_on_sigterm_and_refuses_a_damaged_file() {
    let s = source();
    let path = state_file("sigterm.vdb");
    let port = crate::harness::free_port();
    let start = || {
        Command::new(VDB)
            .args([
                "--source",
                &s.url(),
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--state",
                &path,
            ])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let wait_for_port = || {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "vdb did not start");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    };
    let mut child = start();
    wait_for_port();
    let mut c = crate::harness::connect("127.0.0.1", port, &s.user, &s.password, Some("vdbt_shop"));
    c.query_drop("DELETE FROM digits WHERE d > 6").unwrap();
    drop(c);
    // SAFETY: signalling a child this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let mut child = start();
    wait_for_port();
    let mut c = crate::harness::connect("127.0.0.1", port, &s.user, &s.password, Some("vdbt_shop"));
    let n: u64 = c
        .query_first("SELECT COUNT(*) FROM digits")
        .unwrap()
        .unwrap();
    assert_eq!(n, 7);
    drop(c);
    child.kill().unwrap();
    child.wait().unwrap();
    // A damaged file is refused whole, with the reason, and vdb does not start.
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    let err = refused_at_start(&path);
    assert!(
        err.contains("is not a usable vdb state: checksum mismatch"),
        "{err}"
    );
}

#[test]
fn a_state_whose_tables_changed_at_the_source_is_refused() {
    let s = source();
    let mut admin = s.conn(None);
    let db = "vdbt_scratch_state";
    admin
        .query_drop(format!("DROP DATABASE IF EXISTS {db}"))
        .unwrap();
    admin.query_drop(format!("CREATE DATABASE {db}")).unwrap();
    admin
        .query_drop(format!("CREATE TABLE {db}.t (id INT PRIMARY KEY, v INT)"))
        .unwrap();
    let path = state_file("drift.vdb");
    let o = VdbOptions {
        state: Some(path.clone()),
        source_url: Some(s.url()),
        ..VdbOptions::default()
    };
    let vdb = Vdb::start_with(o.clone());
    let mut c = vdb.conn(Some(db));
    c.query_drop("INSERT INTO t VALUES (1, 1)").unwrap();
    c.query_drop("CALL vdb.save()").unwrap();
    admin
        .query_drop(format!("ALTER TABLE {db}.t ADD COLUMN w INT"))
        .unwrap();
    let flags = vdb::config::Flags {
        source: Some(s.url()),
        listen: Some("127.0.0.1:0".into()),
        state: Some(path),
        ..Default::default()
    };
    let err = match vdb::server::Server::bind(flags.into_config().unwrap()) {
        Ok(_) => panic!("a state over a changed table was loaded"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains(&format!("the definition of {db}.t at the source changed")),
        "{err}"
    );
    admin.query_drop(format!("DROP DATABASE {db}")).unwrap();
}

#[test]
fn beyond_max_delta_bytes_a_write_fails_with_1114_and_nothing_is_lost() {
    let before = source_fingerprint();
    let vdb = Vdb::start_with(VdbOptions {
        max_delta_bytes: Some("4000".into()),
        ..VdbOptions::default()
    });
    let mut c = vdb.conn(Some("vdbt_shop"));
    let mut inserted = 0;
    let err = loop {
        match c.query_drop(format!("INSERT INTO numbers VALUES ({})", 5000 + inserted)) {
            Ok(()) => inserted += 1,
            Err(e) => break e,
        }
        assert!(inserted < 1000, "the limit never applied");
    };
    let mysql::Error::MySqlError(e) = err else {
        panic!("{err}")
    };
    assert_eq!((e.code, e.state.as_str()), (1114, "HY000"));
    assert!(
        e.message.contains("The table 'numbers' is full")
            && e.message.contains("--max-delta-bytes 4000"),
        "{}",
        e.message
    );
    assert!(inserted > 5);
    let n: u64 = c
        .query_first("SELECT COUNT(*) FROM numbers WHERE n >= 5000")
        .unwrap()
        .unwrap();
    assert_eq!(n, inserted, "every write before the limit is kept");
    // Writes that shrink the delta still go through.
    c.query_drop("DELETE FROM numbers WHERE n >= 5000").unwrap();
    let v: Vec<Value> = c.query("SELECT n FROM numbers WHERE n >= 5000").unwrap();
    assert!(v.is_empty());
    assert_source_unchanged(&before);
}

#[test]
fn show_table_status_lists_created_tables_and_hides_dropped_ones() {
    let before = source_fingerprint();
    let vdb = Vdb::start();
    let mut c = vdb.conn(Some("vdbt_shop"));
    c.query_drop(
        "CREATE TABLE notes (id INT AUTO_INCREMENT PRIMARY KEY, body TEXT) COLLATE utf8mb4_bin",
    )
    .unwrap();
    c.query_drop("INSERT INTO notes (body) VALUES ('a'), ('b')")
        .unwrap();
    c.query_drop("DROP TABLE nokey").unwrap();
    let rows: Vec<mysql::Row> = c.query("SHOW TABLE STATUS").unwrap();
    let names: Vec<String> = rows
        .iter()
        .map(|r| r.get::<String, _>("Name").unwrap())
        .collect();
    assert!(
        names.contains(&"notes".to_string()) && !names.contains(&"nokey".to_string()),
        "{names:?}"
    );
    assert!(names.contains(&"customers".to_string()));
    let columns: Vec<String> = rows[0]
        .columns_ref()
        .iter()
        .map(|c| c.name_str().into_owned())
        .collect();
    assert_eq!(columns.len(), 20);
    assert_eq!(
        (
            columns[0].as_str(),
            columns[10].as_str(),
            columns[14].as_str()
        ),
        ("Name", "Auto_increment", "Collation")
    );
    let r: mysql::Row = c
        .query_first("SHOW TABLE STATUS LIKE 'not%'")
        .unwrap()
        .unwrap();
    let (engine, auto, collation): (String, u64, String) = (
        r.get("Engine").unwrap(),
        r.get("Auto_increment").unwrap(),
        r.get("Collation").unwrap(),
    );
    assert_eq!(
        (engine.as_str(), auto, collation.as_str()),
        ("InnoDB", 3, "utf8mb4_bin")
    );
    let one: Vec<mysql::Row> = c
        .query("SHOW TABLE STATUS WHERE Name = 'notes' OR `Rows` > 1000000")
        .unwrap();
    assert_eq!(one.len(), 1);
    // Its rows counted, when it was made and last written, as a GUI shows
    // them: the server's times, in the session's time zone.
    let (rows, created, updated, now): (u64, String, String, String) = c
        .query_first(
            "SELECT TABLE_ROWS, CREATE_TIME, UPDATE_TIME, NOW() FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = 'vdbt_shop' AND TABLE_NAME = 'notes'",
        )
        .unwrap()
        .unwrap();
    assert_eq!(rows, 2);
    assert!(
        created <= updated && updated <= now,
        "{created} {updated} {now}"
    );
    let r: mysql::Row = c
        .query_first("SHOW TABLE STATUS LIKE 'notes'")
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            r.get::<u64, _>("Rows").unwrap(),
            r.get::<String, _>("Create_time").unwrap(),
            r.get::<String, _>("Update_time").unwrap()
        ),
        (2, created, updated)
    );
    assert_source_unchanged(&before);
}

#[test]
fn show_table_status_and_information_schema_show_the_counter_inserts_moved_in_a_source_table() {
    let before = source_fingerprint();
    let vdb = Vdb::start();
    let mut c = vdb.conn(Some("vdbt_shop"));
    let mut src = source().conn(Some("vdbt_shop"));
    let status = |c: &mut Conn| -> (u64, String, u64) {
        let r: mysql::Row = c
            .query_first("SHOW TABLE STATUS LIKE 'orders'")
            .unwrap()
            .unwrap();
        (
            r.get("Auto_increment").unwrap(),
            r.get("Engine").unwrap(),
            r.get("Rows").unwrap(),
        )
    };
    let source_status = status(&mut src);
    // No write yet: the source's own answer, passed through.
    assert_eq!(status(&mut c), source_status);
    c.query_drop(
        "INSERT INTO orders (customer_id, placed_on, total) VALUES (1, '2025-01-01', 1), (2, '2025-01-02', 2)",
    )
    .unwrap();
    let last: u64 = c.query_first("SELECT LAST_INSERT_ID()").unwrap().unwrap();
    let (auto, engine, rows) = status(&mut c);
    assert_eq!(auto, last + 2, "two rows from {last}");
    // InnoDB counts the rows inserted at once, as vdb does.
    assert_eq!(
        (engine, rows),
        (source_status.1.clone(), source_status.2 + 2)
    );
    let catalog: Option<u64> = c
        .query_first(
            "SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'vdbt_shop' AND TABLE_NAME = 'orders'",
        )
        .unwrap()
        .unwrap();
    assert_eq!(catalog, Some(last + 2));
    // A statement that fails keeps the values it reserved, as InnoDB does.
    c.query_drop("INSERT INTO orders (customer_id, placed_on, total) VALUES (1, '2025-01-01', 1), (999, '2025-01-01', 1)")
        .unwrap_err();
    assert_eq!(status(&mut c).0, last + 4);
    c.query_drop("ALTER TABLE orders AUTO_INCREMENT = 900")
        .unwrap();
    assert_eq!(status(&mut c).0, 900);
    let listed: Vec<(String, Option<u64>)> = c
        .query("SHOW TABLE STATUS WHERE Name IN ('orders', 'customers')")
        .unwrap()
        .into_iter()
        .map(|r: mysql::Row| (r.get("Name").unwrap(), r.get("Auto_increment").unwrap()))
        .collect();
    let customers: Option<u64> = src
        .query_first("SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'vdbt_shop' AND TABLE_NAME = 'customers'")
        .unwrap()
        .unwrap();
    assert_eq!(
        listed,
        [
            ("customers".to_string(), customers),
            ("orders".to_string(), Some(900))
        ]
    );
    assert_eq!(status(&mut src), source_status, "the source's own counter");
    assert_source_unchanged(&before);
}

#[test]
fn a_renamed_table_keeps_its_triggers_in_show_triggers_and_in_the_applied_patch() {
    let before = source_fingerprint();
    let vdb = shop_vdb(VdbOptions::default());
    let mut c = vdb.conn(Some("vdbt_shop"));
    let mut src = source().conn(Some("vdbt_shop"));
    type Shown = Vec<Vec<Option<String>>>;
    let rows = |c: &mut Conn, sql: &str| -> Shown {
        c.query::<mysql::Row, _>(sql)
            .unwrap()
            .into_iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| r.get::<Option<String>, _>(i).unwrap())
                    .collect()
            })
            .collect()
    };
    let at_source = rows(&mut src, "SHOW TRIGGERS LIKE 'tickets'");
    assert_eq!(at_source.len(), 3, "the fixture's three triggers");
    let create_at_source = rows(&mut src, "SHOW CREATE TRIGGER tickets_bu");
    c.query_drop("ALTER TABLE tickets ADD COLUMN note VARCHAR(10)")
        .unwrap();
    c.query_drop("RENAME TABLE tickets TO work_items").unwrap();
    // SHOW TRIGGERS lists them under the new name, in the server's order,
    // every column as the source gave it.
    let moved: Shown = at_source
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r[2] = Some("work_items".into());
            r
        })
        .collect();
    assert_eq!(rows(&mut c, "SHOW TRIGGERS LIKE 'work%'"), moved);
    assert_eq!(
        rows(
            &mut c,
            "SHOW TRIGGERS FROM vdbt_shop WHERE `Table` = 'work_items'"
        ),
        moved
    );
    assert!(rows(&mut c, "SHOW TRIGGERS LIKE 'tickets'").is_empty());
    // SHOW CREATE TRIGGER: the server's text, naming the new table.
    let mut create = create_at_source.clone();
    create[0][2] = create[0][2]
        .as_ref()
        .map(|s| s.replace(" ON tickets ", " ON `work_items` "));
    assert_ne!(create, create_at_source);
    assert_eq!(rows(&mut c, "SHOW CREATE TRIGGER tickets_bu"), create);
    // Moving the table to another database: the server's 1435.
    let err = c
        .query_drop("RENAME TABLE work_items TO vdbt_types.work_items")
        .unwrap_err();
    assert!(err.to_string().contains("1435"), "{err}");
    // A trigger created through vdb, and one dropped: SHOW CREATE TRIGGER
    // writes the text as the server keeps it (DEFINER, no FOLLOWS).
    c.query_drop(
        "CREATE TRIGGER work_items_bu2 BEFORE UPDATE ON work_items FOR EACH ROW \
         FOLLOWS tickets_bu SET NEW.note = 'edited'",
    )
    .unwrap();
    c.query_drop("DROP TRIGGER tickets_bi2").unwrap();
    let made = rows(&mut c, "SHOW CREATE TRIGGER work_items_bu2");
    let kept = made[0][2].clone().unwrap();
    assert!(
        kept.starts_with("CREATE DEFINER=`")
            && kept.ends_with(
                " TRIGGER work_items_bu2 BEFORE UPDATE ON work_items FOR EACH ROW SET NEW.note = 'edited'"
            ),
        "{kept}"
    );
    c.query_drop("UPDATE work_items SET qty = 5 WHERE id = 1")
        .unwrap();
    assert_eq!(
        rows(&mut c, "SELECT note, edits FROM work_items WHERE id = 1"),
        vec![vec![Some("edited".to_string()), Some("1".to_string())]]
    );
    // The patch creates them again after the rows, where they fire.
    let scratch = scratch_copy();
    let out = vdb_apply(&vdb, &scratch, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut direct = source().conn(Some(&scratch));
    let listed = "SELECT TRIGGER_NAME, EVENT_MANIPULATION, EVENT_OBJECT_TABLE, ACTION_ORDER, \
                  ACTION_STATEMENT, ACTION_TIMING, SQL_MODE FROM information_schema.TRIGGERS \
                  WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY TRIGGER_NAME";
    assert_eq!(rows(&mut direct, listed), rows(&mut c, listed));
    direct
        .query_drop("INSERT INTO work_items (title) VALUES ('Fired Again')")
        .unwrap();
    assert_eq!(
        rows(
            &mut direct,
            "SELECT slug FROM work_items WHERE title = 'Fired Again'"
        ),
        vec![vec![Some("fired-again".to_string())]]
    );
    direct
        .query_drop("UPDATE work_items SET qty = 9 WHERE title = 'Fired Again'")
        .unwrap();
    assert_eq!(
        rows(
            &mut direct,
            "SELECT note, edits FROM work_items WHERE title = 'Fired Again'"
        ),
        vec![vec![Some("edited".to_string()), Some("1".to_string())]]
    );
    drop_scratch(&scratch);
    assert_source_unchanged(&before);
}

/// A state file keeps why the vdb that saved it could not run each
/// trigger; a newer vdb runs more of them (AFTER triggers, since format
/// 6), so a loaded state's triggers are judged again.
#[test]
fn a_loaded_state_runs_the_triggers_its_saver_refused() {
    let before = source_fingerprint();
    let path = state_file("triggers.vdb");
    let with_state = || VdbOptions {
        state: Some(path.clone()),
        ..VdbOptions::default()
    };
    let first = Vdb::start_with(with_state());
    let mut c = first.conn(Some("vdbt_shop"));
    for sql in [
        "CREATE TABLE tallies (id INT PRIMARY KEY, n INT NOT NULL)",
        "CREATE TABLE tally_log (id INT AUTO_INCREMENT PRIMARY KEY, tally INT)",
        "CREATE TRIGGER tallies_ai AFTER INSERT ON tallies FOR EACH ROW INSERT INTO tally_log (tally) VALUES (NEW.id)",
        "CALL vdb.save()",
    ] {
        c.query_drop(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    drop(c);
    let _ = first;
    // As an older vdb saved it: the trigger refused.
    let bytes = std::fs::read(&path).unwrap();
    let (mut current, snapshots) = vdb::delta::persist::decode(&bytes).unwrap();
    let mut marked = 0;
    for t in current.tables.values_mut() {
        let t = std::sync::Arc::make_mut(t);
        let mut meta = (*t.meta).clone();
        for tr in &mut meta.triggers {
            tr.blocked = Some("an AFTER trigger (an older vdb)".into());
            marked += 1;
        }
        t.meta = std::sync::Arc::new(meta);
    }
    for meta in current.schema.created.values_mut() {
        let mut m = (**meta).clone();
        for tr in &mut m.triggers {
            tr.blocked = Some("an AFTER trigger (an older vdb)".into());
        }
        *meta = std::sync::Arc::new(m);
    }
    assert_eq!(marked, 1);
    let snapshots: Vec<(&str, &str, &vdb::delta::DeltaState)> = snapshots
        .iter()
        .map(|(n, at, s)| (n.as_str(), at.as_str(), s))
        .collect();
    std::fs::write(&path, vdb::delta::persist::encode(&current, &snapshots)).unwrap();
    let second = Vdb::start_with(with_state());
    let mut d = second.conn(Some("vdbt_shop"));
    d.query_drop("INSERT INTO tallies VALUES (7, 1)")
        .unwrap_or_else(|e| panic!("the trigger is refused still: {e}"));
    let log: Vec<u32> = d.query("SELECT tally FROM tally_log").unwrap();
    assert_eq!(log, [7]);
    assert_source_unchanged(&before);
}

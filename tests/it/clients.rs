//! Real command-line clients see through vdb exactly what they see directly.

use std::process::Command;

use crate::harness::{source, Vdb};

fn mariadb(port: u16, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    let s = source();
    let mut cmd = Command::new("mariadb");
    cmd.args([
        "-h127.0.0.1",
        &format!("-P{port}"),
        &format!("-u{}", s.user),
        &format!("-p{}", s.password),
        "--protocol=TCP",
    ]);
    cmd.args(args);
    let out = if let Some(input) = stdin {
        use std::io::Write;
        let mut child = cmd
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    } else {
        cmd.output().unwrap()
    };
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_mariadb_client_prints_the_same_through_vdb_batch_table_and_source() {
    let vdb = Vdb::start();
    let direct = source().port;
    let through = vdb.addr.port();
    let script_path =
        std::env::temp_dir().join(format!("vdb-client-script-{}.sql", std::process::id()));
    std::fs::write(
        &script_path,
        "SELECT name, country FROM customers ORDER BY id;\nSELECT COUNT(*) AS n FROM orders;\nSHOW CREATE TABLE products\\G\n",
    )
    .unwrap();
    let source_cmd = format!("source {}", script_path.display());
    for args in [
        vec!["vdbt_shop", "-e", "SELECT * FROM customers ORDER BY id"],
        vec!["vdbt_shop", "--table", "-e", "SELECT c.name, SUM(o.total) FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.id"],
        vec!["vdbt_types", "--batch", "--raw", "-e", "SELECT * FROM alltypes WHERE id <> 4"],
        vec!["vdbt_shop", "-e", &source_cmd],
        vec!["vdbt_shop", "-e", "SELECT * FROM nothere"],
    ] {
        let a = mariadb(through, &args, None);
        let b = mariadb(direct, &args, None);
        assert_eq!(a, b, "mariadb {args:?}");
    }
    // A script on standard input.
    let script =
        "USE vdbt_shop;\nSELECT 1 AS one;\nSELECT sku, price FROM products ORDER BY sku;\n";
    assert_eq!(
        mariadb(through, &[], Some(script)),
        mariadb(direct, &[], Some(script))
    );
    let _ = std::fs::remove_file(script_path);
}

#[test]
fn mysqldump_through_vdb_dumps_what_it_dumps_directly() {
    let vdb = Vdb::start();
    let s = source();
    let dump = |port: u16| {
        let out = Command::new("mariadb-dump")
            .args([
                "-h127.0.0.1",
                &format!("-P{port}"),
                &format!("-u{}", s.user),
                &format!("-p{}", s.password),
                "--protocol=TCP",
            ])
            .args([
                "--single-transaction",
                "--skip-dump-date",
                "--routines",
                "vdbt_shop",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let through = dump(vdb.addr.port());
    let direct = dump(s.port);
    assert!(through.contains("INSERT INTO `customers`"));
    // The one difference a client can see: the greeting's version suffix.
    let version_line = direct
        .lines()
        .find(|l| l.starts_with("-- Server version"))
        .unwrap();
    assert_eq!(
        through.replacen(&format!("{version_line}-vdb"), version_line, 1),
        direct
    );
}

//! The `vdb` command: flags, environment, start-up messages, exit status.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mysql::prelude::Queryable;

use crate::harness::{connect, free_port, source};

const VDB: &str = env!("CARGO_BIN_EXE_vdb");

#[test]
fn help_lists_every_flag_with_its_environment_variable() {
    let out = Command::new(VDB).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    for (flag, var) in vdb::config::ENV_VARS {
        assert!(help.contains(flag), "--help lacks {flag}:\n{help}");
        assert!(help.contains(var), "--help lacks {var}:\n{help}");
    }
    assert!(help.contains("--version"));
}

#[test]
fn version_prints_the_version_and_commit() {
    let out = Command::new(VDB).arg("--version").output().unwrap();
    let v = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        v.starts_with(&format!("vdb {} (", env!("CARGO_PKG_VERSION"))),
        "{v}"
    );
}

#[test]
fn bad_configuration_is_explained_with_exit_status_2() {
    for (args, says) in [
        (vec![], "--source (or VDB_SOURCE) is required"),
        (
            vec!["--source", "postgres://x@y"],
            "must start with mysql://",
        ),
        (
            vec!["--source", "mysql://u:secret@h:notaport"],
            "port is not a number",
        ),
        (
            vec!["--source", "mysql://u@h", "--tls-cert", "/nonexistent.pem"],
            "go together",
        ),
        (
            vec!["--source", "mysql://u@h", "--auth-plugin", "ed25519"],
            "--auth-plugin ed25519",
        ),
    ] {
        let out = Command::new(VDB)
            .args(&args)
            .env_remove("VDB_SOURCE")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!err.contains("secret"), "passwords are not printed: {err}");
    }
}

#[test]
fn an_unreachable_source_or_wrong_account_fails_start_up_clearly() {
    let port = free_port();
    let out = Command::new(VDB)
        .args([
            "--source",
            &format!("mysql://u:p@127.0.0.1:{port}"),
            "--listen",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("cannot connect to the source at 127.0.0.1:{port}")),
        "{err}"
    );
    let s = source();
    let url = format!("mysql://{}:wrong@{}:{}", s.user, s.host, s.port);
    let out = Command::new(VDB)
        .args(["--source", &url, "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("1045"), "{err}");
}

#[test]
fn configured_from_the_environment_it_logs_one_start_up_line_and_serves() {
    let s = source();
    let port = free_port();
    let mut child = Command::new(VDB)
        .env("VDB_SOURCE", s.url())
        .env("VDB_LISTEN", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(
        first.contains(&format!("listening on 127.0.0.1:{port}")),
        "{first}"
    );
    assert!(
        first.contains("MariaDB") || first.contains("MySQL"),
        "{first}"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut c = loop {
        let opts = mysql::OptsBuilder::new()
            .ip_or_hostname(Some("127.0.0.1"))
            .tcp_port(port)
            .user(Some(&s.user))
            .pass(Some(&s.password))
            .prefer_socket(false);
        match mysql::Conn::new(mysql::Opts::from(opts)) {
            Ok(c) => break c,
            Err(e) if Instant::now() > deadline => panic!("{e}"),
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    };
    let n: u64 = c
        .query_first("SELECT COUNT(*) FROM vdbt_shop.orders")
        .unwrap()
        .unwrap();
    assert_eq!(n, 7);
    drop(c);
    // One line per connection open and close.
    let open = lines.next().unwrap().unwrap();
    assert!(open.contains("conn 1 open from 127.0.0.1"), "{open}");
    let closed = lines.next().unwrap().unwrap();
    assert!(closed.contains("conn 1 closed"), "{closed}");
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = connect;
}

#[test]
fn the_man_page_documents_every_flag_and_variable() {
    let man = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/man/vdb.1")).unwrap();
    let man = man.replace("\\-", "-");
    // Every flag `vdb --help` and the commands' help print, whatever the
    // list in config.rs says.
    let mut help = String::new();
    for args in [&["--help"][..], &["export", "--help"], &["apply", "--help"]] {
        let out = Command::new(VDB).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        help.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    for command in ["vdb export", "vdb apply"] {
        assert!(man.contains(command), "man/vdb.1 lacks {command}");
    }
    let flags: Vec<&str> = help
        .split_whitespace()
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(|w| w.trim_end_matches(|c: char| !c.is_ascii_alphanumeric()))
        .collect();
    assert!(flags.len() >= 8, "{help}");
    for flag in flags {
        assert!(
            man.contains(flag),
            "man/vdb.1 lacks {flag}, which --help prints"
        );
    }
    for (flag, var) in vdb::config::ENV_VARS {
        assert!(man.contains(flag), "man/vdb.1 lacks {flag}");
        assert!(man.contains(var), "man/vdb.1 lacks {var}");
    }
    assert!(man.contains("--version") && man.contains("EXIT STATUS") && man.contains("FILES"));
    // It renders without a single groff warning.
    let out = Command::new("groff")
        .args([
            "-man",
            "-ww",
            "-Tutf8",
            concat!(env!("CARGO_MANIFEST_DIR"), "/man/vdb.1"),
        ])
        .output()
        .expect("groff (package groff-base) renders the man page");
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "groff warnings");
}

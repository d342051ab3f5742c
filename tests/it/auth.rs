//! Logging in: passwords verified by vdb itself, both plugins, auth switch
//! in both directions, TLS for clients and to the source.

use mysql::prelude::Queryable;
use mysql::{Opts, OptsBuilder, SslOpts};

use crate::harness::{connect, source, Vdb, VdbOptions};
use crate::rawclient::{err_code, Raw};

fn access_denied(port: u16, user: &str, password: &str) -> String {
    let opts = OptsBuilder::new()
        .ip_or_hostname(Some("127.0.0.1"))
        .tcp_port(port)
        .user(Some(user))
        .pass(Some(password))
        .prefer_socket(false);
    match mysql::Conn::new(Opts::from(opts)) {
        Ok(_) => panic!("{user}/{password} should not log in"),
        Err(mysql::Error::MySqlError(e)) => {
            assert_eq!((e.code, e.state.as_str()), (1045, "28000"), "{e}");
            e.message
        }
        Err(other) => panic!("{other}"),
    }
}

#[test]
fn a_wrong_password_gets_1045_like_mysql() {
    let vdb = Vdb::start();
    let s = source();
    let msg = access_denied(vdb.addr.port(), &s.user, "wrong");
    assert_eq!(
        msg,
        format!(
            "Access denied for user '{}'@'127.0.0.1' (using password: YES)",
            s.user
        )
    );
    access_denied(vdb.addr.port(), "nobody", &s.password);
}

#[test]
fn client_credentials_can_differ_from_the_source_account() {
    let vdb = Vdb::start_with(VdbOptions {
        user: Some("dev".into()),
        password: Some("dev-pw".into()),
        ..Default::default()
    });
    let mut c = connect(
        "127.0.0.1",
        vdb.addr.port(),
        "dev",
        "dev-pw",
        Some("vdbt_shop"),
    );
    let n: u64 = c
        .query_first("SELECT COUNT(*) FROM customers")
        .unwrap()
        .unwrap();
    assert_eq!(n, 5);
    let s = source();
    access_denied(vdb.addr.port(), &s.user, &s.password);
}

#[test]
fn caching_sha2_password_logs_in_on_the_fast_path() {
    let vdb = Vdb::start_with(VdbOptions {
        auth_plugin: Some("caching_sha2_password".into()),
        ..Default::default()
    });
    assert_eq!(
        crate::rawclient::greeting(vdb.addr).plugin,
        "caching_sha2_password"
    );
    let mut c = vdb.conn(None);
    let one: u8 = c.query_first("SELECT 1").unwrap().unwrap();
    assert_eq!(one, 1);
    access_denied(vdb.addr.port(), &source().user, "wrong");
}

#[test]
fn auth_switch_works_in_both_directions() {
    let s = source();
    // The client starts with caching_sha2_password; vdb asks for native.
    let native = Vdb::start();
    let ok = Raw::connect(native.addr).login(&s.user, &s.password, "caching_sha2_password");
    assert_eq!(ok[0], 0x00, "{ok:?}");
    // The client starts with native; vdb asks for caching_sha2_password.
    let sha2 = Vdb::start_with(VdbOptions {
        auth_plugin: Some("caching_sha2_password".into()),
        ..Default::default()
    });
    let ok = Raw::connect(sha2.addr).login(&s.user, &s.password, "mysql_native_password");
    assert_eq!(ok[0], 0x00, "{ok:?}");
    // A plugin vdb does not know is switched too, and a wrong answer fails.
    let err = Raw::connect(native.addr).login(&s.user, "wrong", "dialog");
    assert_eq!(err_code(&err), 1045);
}

#[test]
fn tls_is_offered_only_when_configured_and_then_works() {
    let plain = Vdb::start();
    assert_eq!(
        crate::rawclient::greeting(plain.addr).capabilities & 0x800,
        0,
        "no CLIENT_SSL without --tls-cert"
    );
    let tls = Vdb::start_with(VdbOptions {
        tls: true,
        ..Default::default()
    });
    assert_ne!(crate::rawclient::greeting(tls.addr).capabilities & 0x800, 0);
    let s = source();
    let opts = OptsBuilder::new()
        .ip_or_hostname(Some("127.0.0.1"))
        .tcp_port(tls.addr.port())
        .user(Some(&s.user))
        .pass(Some(&s.password))
        .prefer_socket(false)
        .ssl_opts(Some(
            SslOpts::default().with_danger_accept_invalid_certs(true),
        ));
    let mut c = mysql::Conn::new(Opts::from(opts)).expect("TLS login through vdb");
    let n: u64 = c
        .query_first("SELECT COUNT(*) FROM vdbt_shop.customers")
        .unwrap()
        .unwrap();
    assert_eq!(n, 5);
    // The command-line client reports the cipher it negotiated with vdb.
    let out = std::process::Command::new("mariadb")
        .args([
            "-h127.0.0.1",
            &format!("-P{}", tls.addr.port()),
            &format!("-u{}", s.user),
            &format!("-p{}", s.password),
        ])
        .args(["--ssl", "--skip-ssl-verify-server-cert", "-e", "\\s"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("Cipher in use"), "{text}");
}

#[test]
fn tls_to_the_source_follows_ssl_mode_in_the_url() {
    let s = source();
    let _ = crate::harness::test_certificate();
    let cipher = |mode: &str| -> String {
        let vdb = Vdb::start_with(VdbOptions {
            source_url: Some(format!("{}?ssl-mode={mode}", s.url())),
            ..Default::default()
        });
        let mut c = vdb.conn(None);
        let row: Option<(String, String)> = c
            .query_first("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
            .unwrap();
        row.map(|r| r.1).unwrap_or_default()
    };
    assert!(
        !cipher("REQUIRED").is_empty(),
        "ssl-mode=REQUIRED encrypts the source connection"
    );
    assert!(cipher("DISABLED").is_empty(), "ssl-mode=DISABLED does not");
}

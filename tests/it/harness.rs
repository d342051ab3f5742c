//! The test bench: a private MariaDB per test run (or `VDB_TEST_SOURCE`),
//! fixtures loaded directly into it, vdb started in-process on a free port,
//! and real clients connected to either.

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use mysql::prelude::Queryable;
use mysql::{Conn, Opts, OptsBuilder};

/// The source database the tests run against.
pub struct Source {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
    /// Where the private server keeps its files (None for VDB_TEST_SOURCE).
    pub dir: Option<PathBuf>,
}

impl Source {
    /// `mysql://user:pass@host:port`
    pub fn url(&self) -> String {
        format!(
            "mysql://{}:{}@{}:{}",
            self.user, self.password, self.host, self.port
        )
    }

    /// The URL of a SELECT-only account on the source (`GRANT SELECT,
    /// SHOW VIEW, EXECUTE, TRIGGER`), as the README recommends giving vdb; the full account
    /// when the source would not create it.
    pub fn reader_url(&self) -> String {
        match READER.get().expect("created with the fixtures") {
            Some((user, password)) => {
                format!("mysql://{user}:{password}@{}:{}", self.host, self.port)
            }
            None => self.url(),
        }
    }

    /// A direct connection (bypassing vdb), with `db` as default database.
    pub fn conn(&self, db: Option<&str>) -> Conn {
        connect(&self.host, self.port, &self.user, &self.password, db)
    }
}

/// Opens a `mysql` crate connection over TCP (never the Unix socket: the
/// crate's `prefer_socket` would silently bypass vdb).
pub fn connect(host: &str, port: u16, user: &str, password: &str, db: Option<&str>) -> Conn {
    let opts = OptsBuilder::new()
        .ip_or_hostname(Some(host))
        .tcp_port(port)
        .user(Some(user))
        .pass(Some(password))
        .db_name(db)
        .prefer_socket(false)
        .stmt_cache_size(Some(0));
    Conn::new(Opts::from(opts)).unwrap_or_else(|e| panic!("connect to {host}:{port}: {e}"))
}

static SOURCE: OnceLock<Source> = OnceLock::new();

/// The shared source for this test run, started on first use.
pub fn source() -> &'static Source {
    SOURCE.get_or_init(|| {
        let _ = env_logger::builder().is_test(true).try_init();
        match std::env::var("VDB_TEST_SOURCE") {
            Ok(url) if !url.is_empty() => {
                let spec =
                    vdb::config::parse_source_url(&url).expect("VDB_TEST_SOURCE is a mysql:// URL");
                Source {
                    host: spec.host,
                    port: spec.port,
                    user: spec.user,
                    password: spec.password,
                    dir: None,
                }
            }
            _ => spawn_mariadb(),
        }
    });
    FIXTURES.get_or_init(|| {
        for (db, script) in crate::fixtures::ALL {
            load(db, script);
        }
        let s = SOURCE.get().expect("initialised above");
        let mut c = s.conn(None);
        let made = c
            .query_drop("CREATE USER IF NOT EXISTS 'vdbt_reader'@'%' IDENTIFIED BY 'reader'")
            .and_then(|_| {
                c.query_drop(
                    "GRANT SELECT, SHOW VIEW, EXECUTE, TRIGGER ON *.* TO 'vdbt_reader'@'%'",
                )
            });
        let reader = match made {
            Ok(()) => Some(("vdbt_reader".to_string(), "reader".to_string())),
            Err(e) => {
                eprintln!("no SELECT-only account on the source ({e}): vdb uses the full one");
                None
            }
        };
        READER.set(reader).expect("set once");
    });
    SOURCE.get().expect("initialised above")
}

static FIXTURES: OnceLock<()> = OnceLock::new();
/// The SELECT-only account's user and password, when it could be made.
static READER: OnceLock<Option<(String, String)>> = OnceLock::new();

/// A TCP port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn find(prog: &str) -> String {
    for dir in ["/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"] {
        let p = format!("{dir}/{prog}");
        if std::path::Path::new(&p).exists() {
            return p;
        }
    }
    prog.to_string()
}

/// Starts a throwaway MariaDB in a temp dir. A watchdog shell stops it and
/// removes its files when this test process exits, however it exits.
fn spawn_mariadb() -> Source {
    let dir = std::env::temp_dir().join(format!("vdb-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("data");
    // Its own temporary files too: another MariaDB starting in a shared
    // /tmp may remove an internal temporary table's file under this one
    // (error 6 on delete of '/tmp/#sql-temptable-...').
    let tmp = dir.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let whoami = String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout)
        .unwrap()
        .trim()
        .to_string();
    let install = Command::new(find("mariadb-install-db"))
        .args([
            "--no-defaults",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
        ])
        .arg(format!("--datadir={}", data.display()))
        .arg(format!("--user={whoami}"))
        .arg(format!("--tmpdir={}", tmp.display()))
        .output()
        .expect("mariadb-install-db (install mariadb-server: see .ci/run)");
    assert!(
        install.status.success(),
        "mariadb-install-db failed: {}",
        String::from_utf8_lossy(&install.stderr)
    );
    let port = free_port();
    let sock = dir.join("sock");
    let tls = make_test_certificate(&dir);
    let server = format!(
        "{} --no-defaults --datadir={} --tmpdir={} --port={port} --bind-address=127.0.0.1 --socket={} --user={whoami} \
         --skip-log-bin --max-allowed-packet=256M --innodb-buffer-pool-size=256M --innodb-log-file-size=256M \
         --max-connections=1000 {tls} --log-error={}/mariadb.err",
        find("mariadbd"),
        data.display(),
        tmp.display(),
        sock.display(),
        dir.display()
    );
    let watchdog = format!(
        "{server} & m=$!; while kill -0 {parent} 2>/dev/null && kill -0 $m 2>/dev/null; do sleep 0.5; done; \
         kill $m 2>/dev/null; wait $m; rm -rf '{dir}'",
        parent = std::process::id(),
        dir = dir.display()
    );
    // The watchdog is meant to outlive this handle: it ends with the test
    // process, taking the server with it.
    #[allow(clippy::zombie_processes)]
    Command::new("sh")
        .arg("-c")
        .arg(watchdog)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start mariadbd");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let ok = Command::new(find("mariadb"))
            .args([
                "-uroot",
                &format!("--socket={}", sock.display()),
                "-e",
                "SELECT 1",
            ])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        if ok {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "private MariaDB did not start; see {}/mariadb.err",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let setup = "CREATE USER 'vdbtest'@'127.0.0.1' IDENTIFIED BY 'vdbtest-pw'; \
                 GRANT ALL ON *.* TO 'vdbtest'@'127.0.0.1' WITH GRANT OPTION;";
    let out = Command::new(find("mariadb"))
        .args([
            "-uroot",
            &format!("--socket={}", sock.display()),
            "-e",
            setup,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Source {
        host: "127.0.0.1".into(),
        port,
        user: "vdbtest".into(),
        password: "vdbtest-pw".into(),
        dir: Some(dir),
    }
}

/// A self-signed certificate for TLS tests (`--ssl-cert`/`--ssl-key` for the
/// private server, and vdb's `--tls-cert`/`--tls-key`). Empty when openssl
/// is missing, in which case the TLS tests fail with a clear message.
fn make_test_certificate(dir: &std::path::Path) -> String {
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    let ok = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if ok {
        format!("--ssl-cert={} --ssl-key={}", cert.display(), key.display())
    } else {
        String::new()
    }
}

/// Paths of the test certificate and key.
pub fn test_certificate() -> (PathBuf, PathBuf) {
    let dir = source()
        .dir
        .clone()
        .expect("TLS tests need the private MariaDB (unset VDB_TEST_SOURCE)");
    let cert = dir.join("cert.pem");
    assert!(
        cert.exists(),
        "openssl is needed to make the test certificate"
    );
    (cert, dir.join("key.pem"))
}

/// Runs SQL directly on the source (fixtures), in a fresh database `db`.
/// Statements are separated by `;` at line ends. Only called while the
/// source is being set up, before any test looks at it.
pub fn load(db: &str, script: &str) {
    let mut c = SOURCE.get().expect("source first").conn(None);
    c.query_drop(format!("DROP DATABASE IF EXISTS `{db}`"))
        .unwrap();
    c.query_drop(format!(
        "CREATE DATABASE `{db}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"
    ))
    .unwrap();
    c.query_drop(format!("USE `{db}`")).unwrap();
    for stmt in script.split(";\n").map(str::trim).filter(|s| !s.is_empty()) {
        c.query_drop(stmt)
            .unwrap_or_else(|e| panic!("fixture {db}: {stmt}: {e}"));
    }
}

/// vdb running in this process.
pub struct Vdb {
    pub addr: SocketAddr,
}

/// Options for starting vdb in tests.
#[derive(Default, Clone)]
pub struct VdbOptions {
    pub user: Option<String>,
    pub password: Option<String>,
    pub auth_plugin: Option<String>,
    pub tls: bool,
    pub source_url: Option<String>,
    /// `--state FILE`.
    pub state: Option<String>,
    /// `--max-delta-bytes N`.
    pub max_delta_bytes: Option<String>,
}

impl Vdb {
    /// Starts vdb in front of the test source.
    pub fn start() -> Vdb {
        Vdb::start_with(VdbOptions::default())
    }

    /// Starts vdb with options.
    pub fn start_with(o: VdbOptions) -> Vdb {
        let (tls_cert, tls_key) = if o.tls {
            let (c, k) = test_certificate();
            (Some(c.display().to_string()), Some(k.display().to_string()))
        } else {
            (None, None)
        };
        let flags = vdb::config::Flags {
            // vdb reads the source with a SELECT-only account, as
            // recommended; clients log in to vdb with the full account's
            // credentials unless a test says otherwise.
            source: Some(o.source_url.unwrap_or_else(|| source().reader_url())),
            listen: Some("127.0.0.1:0".into()),
            user: o.user.or_else(|| Some(source().user.clone())),
            password: o.password.or_else(|| Some(source().password.clone())),
            tls_cert,
            tls_key,
            auth_plugin: o.auth_plugin,
            state: o.state,
            max_delta_bytes: o.max_delta_bytes,
            ..Default::default()
        };
        let server = vdb::server::Server::bind(flags.into_config().unwrap()).unwrap();
        let addr = server.local_addr();
        server.spawn();
        Vdb { addr }
    }

    /// A connection through vdb with the source's credentials.
    pub fn conn(&self, db: Option<&str>) -> Conn {
        let s = source();
        connect("127.0.0.1", self.addr.port(), &s.user, &s.password, db)
    }
}

/// A fingerprint of everything on the source a write could change: every
/// table's checksum and row count, the list of tables, views, routines,
/// triggers, users and databases. The differential write tests' writable
/// copies (`vdbt_scratch_*`, written directly, never through vdb) are not
/// part of the source vdb fronts.
pub fn source_fingerprint() -> Vec<String> {
    let mut c = source().conn(None);
    let mut out: Vec<String> = Vec::new();
    let tables: Vec<(String, String, String)> = c
        .query(
            "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA NOT IN ('mysql','information_schema','performance_schema','sys') \
             AND TABLE_SCHEMA NOT LIKE 'vdbt\\_scratch\\_%' ORDER BY 1, 2",
        )
        .unwrap();
    for (schema, table, kind) in tables {
        if kind == "BASE TABLE" {
            let sum: Vec<(String, Option<i64>)> = c
                .query(format!("CHECKSUM TABLE `{schema}`.`{table}` EXTENDED"))
                .unwrap();
            out.push(format!(
                "{schema}.{table} {kind} {:?}",
                sum.first().map(|s| s.1)
            ));
        } else {
            out.push(format!("{schema}.{table} {kind}"));
        }
    }
    for q in [
        "SELECT CONCAT(ROUTINE_SCHEMA, '.', ROUTINE_NAME) FROM information_schema.ROUTINES ORDER BY 1",
        "SELECT CONCAT(TRIGGER_SCHEMA, '.', TRIGGER_NAME) FROM information_schema.TRIGGERS \
         WHERE TRIGGER_SCHEMA NOT LIKE 'vdbt\\_scratch\\_%' ORDER BY 1",
        "SELECT CONCAT(User, '@', Host) FROM mysql.user ORDER BY 1",
        "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT LIKE 'vdbt\\_scratch\\_%' ORDER BY 1",
        "SELECT CONCAT(VARIABLE_NAME, '=', VARIABLE_VALUE) FROM information_schema.GLOBAL_VARIABLES \
         WHERE VARIABLE_NAME IN ('MAX_CONNECTIONS','SQL_MODE','READ_ONLY','EVENT_SCHEDULER','GENERAL_LOG')",
    ] {
        let rows: Vec<String> = c.query(q).unwrap();
        out.extend(rows);
    }
    out
}

/// Asserts the source is exactly as `before`.
pub fn assert_source_unchanged(before: &[String]) {
    let after = source_fingerprint();
    assert_eq!(before, after.as_slice(), "the source changed");
}

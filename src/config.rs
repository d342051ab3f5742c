//! Command-line flags and their environment variables, validated into a
//! [`Config`]. Each flag is defined once here; `--help` and the man page
//! describe the same set.

use argh::FromArgs;

use crate::protocol::handshake::AuthPlugin;
use crate::upstream::{SourceSpec, TlsMode};

/// vdb: a private, writable view of a MySQL or MariaDB database, served over
/// the MySQL protocol. Reads come from the source; the source is never
/// changed. Every flag can also be set by the environment variable named in
/// its description.
#[derive(FromArgs, Debug, Default)]
pub struct Flags {
    /// source database URL, mysql://USER:PASS@HOST:PORT[/DB][?ssl-mode=MODE&ssl-ca=FILE]
    /// (env VDB_SOURCE)
    #[argh(option)]
    pub source: Option<String>,
    /// address to listen on for clients, default 127.0.0.1:3307 (env VDB_LISTEN)
    #[argh(option)]
    pub listen: Option<String>,
    /// user name clients log in with, default the source URL's user (env VDB_USER)
    #[argh(option)]
    pub user: Option<String>,
    /// password clients log in with, default the source URL's password (env VDB_PASSWORD)
    #[argh(option)]
    pub password: Option<String>,
    /// PEM certificate chain that enables TLS for clients (env VDB_TLS_CERT)
    #[argh(option)]
    pub tls_cert: Option<String>,
    /// PEM private key for --tls-cert (env VDB_TLS_KEY)
    #[argh(option)]
    pub tls_key: Option<String>,
    /// authentication plugin clients are asked to use: mysql_native_password or
    /// caching_sha2_password, default the source's (env VDB_AUTH_PLUGIN)
    #[argh(option)]
    pub auth_plugin: Option<String>,
    /// file that keeps the delta and its snapshots across restarts: loaded
    /// at start when it exists, saved at shutdown (SIGTERM, SIGINT) and on
    /// CALL vdb.save() (env VDB_STATE)
    #[argh(option)]
    pub state: Option<String>,
    /// largest delta in bytes: a write beyond it fails with error 1114, and
    /// nothing already captured is lost; default no limit (env VDB_MAX_DELTA_BYTES)
    #[argh(option)]
    pub max_delta_bytes: Option<String>,
    /// print the version and the commit it was built from, and exit
    #[argh(switch, short = 'V')]
    pub version: bool,
    /// export or apply a running vdb's changes instead of serving
    #[argh(subcommand)]
    pub command: Option<Command>,
}

/// The commands that talk to a running vdb instead of serving.
#[derive(FromArgs, Debug)]
#[argh(subcommand)]
pub enum Command {
    /// `vdb export`
    Export(ExportFlags),
    /// `vdb apply`
    Apply(ApplyFlags),
}

/// Print a running vdb's changes as a SQL script (CALL vdb.export()):
/// DDL first, then deletes, updates and inserts, each update and delete
/// naming its before-image.
#[derive(FromArgs, Debug, Default)]
#[argh(subcommand, name = "export")]
pub struct ExportFlags {
    /// the vdb to export from, HOST:PORT, default 127.0.0.1:3307
    #[argh(option)]
    pub connect: Option<String>,
    /// user name to log in to vdb with, default root (env VDB_USER)
    #[argh(option)]
    pub user: Option<String>,
    /// password to log in to vdb with (env VDB_PASSWORD)
    #[argh(option)]
    pub password: Option<String>,
}

/// Apply a running vdb's changes to a target database in one transaction:
/// every update and delete must touch exactly the rows it names, or
/// nothing is applied and the drifted rows are reported (exit status 1).
/// DDL runs first and, as in MySQL, is not undone.
#[derive(FromArgs, Debug, Default)]
#[argh(subcommand, name = "apply")]
pub struct ApplyFlags {
    /// the vdb to take the changes from, HOST:PORT, default 127.0.0.1:3307
    #[argh(option)]
    pub connect: Option<String>,
    /// user name to log in to vdb with, default root (env VDB_USER)
    #[argh(option)]
    pub user: Option<String>,
    /// password to log in to vdb with (env VDB_PASSWORD)
    #[argh(option)]
    pub password: Option<String>,
    /// the database to change, mysql://USER:PASS@HOST:PORT[/DB]
    #[argh(option)]
    pub target: String,
    /// print the statements and, when there is no DDL, check them in a
    /// transaction that is rolled back; change nothing
    #[argh(switch)]
    pub dry_run: bool,
}

/// Every flag name and its environment variable, for `--help` checks and
/// the man page test.
pub const ENV_VARS: &[(&str, &str)] = &[
    ("--source", "VDB_SOURCE"),
    ("--listen", "VDB_LISTEN"),
    ("--user", "VDB_USER"),
    ("--password", "VDB_PASSWORD"),
    ("--tls-cert", "VDB_TLS_CERT"),
    ("--tls-key", "VDB_TLS_KEY"),
    ("--auth-plugin", "VDB_AUTH_PLUGIN"),
    ("--state", "VDB_STATE"),
    ("--max-delta-bytes", "VDB_MAX_DELTA_BYTES"),
];

/// A validated configuration.
pub struct Config {
    /// The source and how to reach it.
    pub source: SourceSpec,
    /// Where to listen.
    pub listen: String,
    /// Client credentials.
    pub user: String,
    /// Client password.
    pub password: String,
    /// TLS for clients, when configured.
    pub tls: Option<native_tls::TlsAcceptor>,
    /// The plugin clients use; `None` follows the source's default.
    pub auth_plugin: Option<AuthPlugin>,
    /// Where the delta is kept across restarts.
    pub state: Option<std::path::PathBuf>,
    /// The delta's size limit in bytes.
    pub max_delta_bytes: Option<usize>,
}

/// A configuration error, printed to the user as is.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Flags {
    /// Fills unset flags from the environment (a flag given on the command
    /// line wins).
    pub fn with_env(mut self, env: impl Fn(&str) -> Option<String>) -> Flags {
        let fill = |slot: &mut Option<String>, var: &str| {
            if slot.is_none() {
                *slot = env(var).filter(|v| !v.is_empty());
            }
        };
        fill(&mut self.source, "VDB_SOURCE");
        fill(&mut self.listen, "VDB_LISTEN");
        fill(&mut self.user, "VDB_USER");
        fill(&mut self.password, "VDB_PASSWORD");
        fill(&mut self.tls_cert, "VDB_TLS_CERT");
        fill(&mut self.tls_key, "VDB_TLS_KEY");
        fill(&mut self.auth_plugin, "VDB_AUTH_PLUGIN");
        fill(&mut self.state, "VDB_STATE");
        fill(&mut self.max_delta_bytes, "VDB_MAX_DELTA_BYTES");
        self
    }

    /// Validates the flags.
    pub fn into_config(self) -> Result<Config, ConfigError> {
        let url = self.source.ok_or_else(|| ConfigError("--source (or VDB_SOURCE) is required, e.g. --source mysql://user:pass@127.0.0.1:3306/db".into()))?;
        let source = parse_source_url(&url)?;
        let tls = match (self.tls_cert, self.tls_key) {
            (None, None) => None,
            (Some(cert), Some(key)) => Some(tls_acceptor(&cert, &key)?),
            _ => return Err(ConfigError("--tls-cert and --tls-key go together".into())),
        };
        let auth_plugin = match self.auth_plugin {
            None => None,
            Some(name) => Some(AuthPlugin::from_name(name.as_bytes()).ok_or_else(|| {
                ConfigError(format!(
                    "--auth-plugin {name}: expected mysql_native_password or caching_sha2_password"
                ))
            })?),
        };
        let max_delta_bytes = match self.max_delta_bytes {
            None => None,
            Some(n) => Some(
                n.trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| {
                        ConfigError(format!(
                            "--max-delta-bytes {n}: expected a number of bytes above 0"
                        ))
                    })?,
            ),
        };
        Ok(Config {
            state: self.state.map(Into::into),
            max_delta_bytes,
            listen: self.listen.unwrap_or_else(|| "127.0.0.1:3307".into()),
            user: self.user.unwrap_or_else(|| source.user.clone()),
            password: self.password.unwrap_or_else(|| source.password.clone()),
            source,
            tls,
            auth_plugin,
        })
    }
}

fn tls_acceptor(cert: &str, key: &str) -> Result<native_tls::TlsAcceptor, ConfigError> {
    let cert_pem =
        std::fs::read(cert).map_err(|e| ConfigError(format!("--tls-cert {cert}: {e}")))?;
    let key_pem = std::fs::read(key).map_err(|e| ConfigError(format!("--tls-key {key}: {e}")))?;
    let identity = native_tls::Identity::from_pkcs8(&cert_pem, &key_pem).map_err(|e| {
        ConfigError(format!(
            "--tls-cert/--tls-key: {e} (the key must be PEM, PKCS#8)"
        ))
    })?;
    native_tls::TlsAcceptor::new(identity).map_err(|e| ConfigError(format!("TLS: {e}")))
}

fn percent_decode(s: &str) -> Result<String, ConfigError> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(v) => {
                    out.push(v);
                    i += 3;
                    continue;
                }
                None => {
                    return Err(ConfigError(format!(
                        "bad percent-escape in source URL near {:?}",
                        &s[i..]
                    )))
                }
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).map_err(|_| ConfigError("source URL decodes to invalid UTF-8".into()))
}

/// Parses `mysql://USER:PASS@HOST:PORT[/DB][?ssl-mode=MODE&ssl-ca=FILE]`.
pub fn parse_source_url(url: &str) -> Result<SourceSpec, ConfigError> {
    let bad = |why: &str| ConfigError(format!("bad source URL {:?}: {why}", redact(url)));
    let rest = url
        .strip_prefix("mysql://")
        .or_else(|| url.strip_prefix("mariadb://"))
        .ok_or_else(|| bad("it must start with mysql://"))?;
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let (auth, hostpart) = match rest.rsplit_once('@') {
        Some((a, h)) => (Some(a), h),
        None => (None, rest),
    };
    let (user, password) = match auth {
        Some(a) => match a.split_once(':') {
            Some((u, p)) => (percent_decode(u)?, percent_decode(p)?),
            None => (percent_decode(a)?, String::new()),
        },
        None => ("root".to_string(), String::new()),
    };
    let (hostport, database) = match hostpart.split_once('/') {
        Some((h, d)) if !d.is_empty() => (h, Some(percent_decode(d)?)),
        Some((h, _)) => (h, None),
        None => (hostpart, None),
    };
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (h, p) = v6
            .split_once(']')
            .ok_or_else(|| bad("unclosed [ in host"))?;
        (h.to_string(), p.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (hostport.to_string(), None),
        }
    };
    if host.is_empty() {
        return Err(bad("no host"));
    }
    let port = match port {
        Some(p) => p
            .parse::<u16>()
            .map_err(|_| bad("the port is not a number"))?,
        None => 3306,
    };
    let mut tls = TlsMode::Preferred;
    let mut tls_ca = None;
    for kv in query
        .unwrap_or_default()
        .split('&')
        .filter(|s| !s.is_empty())
    {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        match k.to_ascii_lowercase().replace('_', "-").as_str() {
            "ssl-mode" | "sslmode" => tls = match v.to_ascii_uppercase().as_str() {
                "DISABLED" => TlsMode::Disabled,
                "PREFERRED" => TlsMode::Preferred,
                "REQUIRED" => TlsMode::Required,
                "VERIFY-CA" | "VERIFY_CA" => TlsMode::VerifyCa,
                "VERIFY-IDENTITY" | "VERIFY_IDENTITY" => TlsMode::VerifyIdentity,
                _ => return Err(bad(
                    "ssl-mode must be DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY",
                )),
            },
            "ssl-ca" => tls_ca = Some(percent_decode(v)?),
            other => {
                return Err(bad(&format!(
                    "unknown parameter {other:?} (known: ssl-mode, ssl-ca)"
                )))
            }
        }
    }
    Ok(SourceSpec {
        host,
        port,
        user,
        password,
        database,
        tls,
        tls_ca,
    })
}

/// The URL with its password replaced, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let auth = &url[s + 3..at];
            match auth.split_once(':') {
                Some((u, _)) => format!("{}{}:***{}", &url[..s + 3], u, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_source_url_is_understood() {
        let s =
            parse_source_url("mysql://app:p%40ss@db.example:3310/shop?ssl-mode=REQUIRED").unwrap();
        assert_eq!(
            (
                s.user.as_str(),
                s.password.as_str(),
                s.host.as_str(),
                s.port
            ),
            ("app", "p@ss", "db.example", 3310)
        );
        assert_eq!(s.database.as_deref(), Some("shop"));
        assert_eq!(s.tls, TlsMode::Required);
    }

    #[test]
    fn defaults_and_ipv6() {
        let s = parse_source_url("mysql://root@[::1]").unwrap();
        assert_eq!(
            (s.host.as_str(), s.port, s.tls),
            ("::1", 3306, TlsMode::Preferred)
        );
        assert_eq!(s.database, None);
    }

    #[test]
    fn bad_urls_say_what_is_wrong_without_the_password() {
        for (url, why) in [
            ("postgres://x@h", "must start with mysql://"),
            ("mysql://u:secret@h:port", "port is not a number"),
            ("mysql://u:secret@h?ssl-mode=SOMETIMES", "ssl-mode must be"),
            ("mysql://u:secret@h?colour=blue", "unknown parameter"),
        ] {
            let e = parse_source_url(url).err().unwrap().0;
            assert!(e.contains(why), "{e}");
            assert!(!e.contains("secret"), "{e}");
        }
    }

    #[test]
    fn flags_win_over_the_environment() {
        let env = |k: &str| match k {
            "VDB_SOURCE" => Some("mysql://a:b@h/db".to_string()),
            "VDB_LISTEN" => Some("0.0.0.0:1".to_string()),
            _ => None,
        };
        let f = Flags {
            listen: Some("127.0.0.1:9".into()),
            ..Default::default()
        }
        .with_env(env);
        let c = f.into_config().unwrap();
        assert_eq!(c.listen, "127.0.0.1:9");
        assert_eq!((c.user.as_str(), c.password.as_str()), ("a", "b"));
    }
}

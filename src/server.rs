//! The accept loop: one OS thread per client, each isolated from the
//! others' panics.

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use log::{error, info};
use parking_lot::Mutex;

use crate::admin::state_file;
use crate::config::Config;
use crate::protocol::handshake::AuthPlugin;
use crate::session;
use crate::upstream::{self, SourceInfo, UpstreamError};

/// What every connection thread shares.
pub struct Shared {
    /// The validated configuration.
    pub config: Config,
    /// What the source said about itself at start-up.
    pub source_info: SourceInfo,
    next_id: AtomicU32,
    sessions: Mutex<HashMap<u32, SessionHandle>>,
    /// When the server started (vdb.status uptime).
    pub started: Instant,
    /// Statements served by all sessions (vdb.status).
    pub statements: AtomicU64,
    /// The process's delta: every captured write, shared by all sessions.
    pub delta: crate::delta::Delta,
    /// Row locks of the sessions' transactions (held by vdb, never at the
    /// source).
    pub locks: crate::delta::locks::Locks,
    /// Named states of the delta (`CALL vdb.snapshot('name')`).
    pub snapshots: Mutex<std::collections::BTreeMap<String, crate::admin::Snapshot>>,
    /// The source's character sets and collations, read once when a
    /// session first describes columns of a table vdb holds.
    pub charsets: std::sync::OnceLock<std::sync::Arc<crate::session::table_columns::Charsets>>,
}

/// What another connection needs to interrupt a session (KILL).
pub struct SessionHandle {
    /// The source's id for the session's current upstream connection.
    pub upstream_id: u32,
    /// The client socket, to close it on `KILL CONNECTION`.
    pub client: TcpStream,
}

impl Shared {
    /// The version string clients see: the source's with `-vdb` appended, so
    /// clients adapt to MySQL or MariaDB as they would directly.
    pub fn server_version(&self) -> String {
        format!("{}-vdb", self.source_info.version)
    }

    /// Whether the source is MariaDB (its status flags carry ANSI_QUOTES).
    pub fn source_is_mariadb(&self) -> bool {
        self.source_info.version.contains("MariaDB")
    }

    /// How the source reads executable comments (`/*!50001 ... */`).
    pub fn source_reader(&self) -> crate::sql::versioned::Reader {
        crate::sql::versioned::Reader {
            version: crate::sql::versioned::version_id(&self.source_info.version),
            mariadb: self.source_is_mariadb(),
        }
    }

    /// The plugin clients are asked to use.
    pub fn auth_plugin(&self) -> AuthPlugin {
        self.config.auth_plugin.unwrap_or_else(|| {
            self.source_info
                .auth_plugin
                .as_deref()
                .and_then(|p| AuthPlugin::from_name(p.as_bytes()))
                .unwrap_or(AuthPlugin::Native)
        })
    }

    /// Logged-in sessions right now.
    pub fn session_count(&self) -> usize {
        self.sessions.lock().len()
    }

    /// Records (or updates) a logged-in session.
    pub fn register(&self, id: u32, handle: SessionHandle) {
        self.sessions.lock().insert(id, handle);
    }

    /// Notes a session's new upstream connection.
    pub fn set_upstream_id(&self, id: u32, upstream_id: u32) {
        if let Some(h) = self.sessions.lock().get_mut(&id) {
            h.upstream_id = upstream_id;
        }
    }

    /// Forgets a session.
    pub fn unregister(&self, id: u32) {
        self.sessions.lock().remove(&id);
    }

    /// Finds one of vdb's sessions by the id its client saw in the greeting,
    /// or else by its upstream id (what `CONNECTION_ID()` returns). Returns
    /// the vdb id, the upstream id and a handle on the client socket.
    pub fn find_session(&self, id: u64) -> Option<(u32, u32, Option<TcpStream>)> {
        let sessions = self.sessions.lock();
        let by_vdb = u32::try_from(id)
            .ok()
            .and_then(|i| sessions.get_key_value(&i));
        let found = by_vdb.or_else(|| sessions.iter().find(|(_, h)| h.upstream_id as u64 == id));
        found.map(|(vid, h)| (*vid, h.upstream_id, h.client.try_clone().ok()))
    }
}

/// Why vdb could not start.
#[derive(Debug)]
pub enum StartError {
    /// The listen address could not be bound.
    Bind(String, std::io::Error),
    /// The source could not be reached or refused the account.
    Source(String, UpstreamError),
    /// The `--state` file cannot be used.
    State(String),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Bind(addr, e) => write!(f, "cannot listen on {addr}: {e}"),
            StartError::Source(addr, e) => write!(f, "cannot connect to the source at {addr}: {e}"),
            StartError::State(why) => write!(f, "--state: {why}"),
        }
    }
}

/// A bound, ready server.
pub struct Server {
    listener: TcpListener,
    shared: Arc<Shared>,
}

impl Server {
    /// Checks the source (reachable, account valid) and binds the listen
    /// address.
    pub fn bind(config: Config) -> Result<Server, StartError> {
        let src = &config.source;
        let where_ = format!("{}:{}", src.host, src.port);
        let source_info =
            upstream::probe(src).map_err(|e| StartError::Source(where_.clone(), e))?;
        if !source_info.sees_triggers {
            log::warn!(
                "the source account lacks the TRIGGER privilege, so the source hides its triggers \
                 from vdb: writes to a table with triggers would not run them \
                 (GRANT TRIGGER lets vdb see them; vdb never sends DDL)"
            );
        }
        let listener = TcpListener::bind(&config.listen)
            .map_err(|e| StartError::Bind(config.listen.clone(), e))?;
        let delta = crate::delta::Delta::with_limit(config.max_delta_bytes);
        let shared = Arc::new(Shared {
            config,
            source_info,
            next_id: AtomicU32::new(1),
            sessions: Mutex::new(HashMap::new()),
            started: Instant::now(),
            statements: AtomicU64::new(0),
            delta,
            locks: crate::delta::locks::Locks::default(),
            snapshots: Mutex::new(std::collections::BTreeMap::new()),
            charsets: std::sync::OnceLock::new(),
        });
        // MariaDB reads VALUES lists in a UNION from 10.3; MySQL spells
        // them `VALUES ROW(...)` from 8.0.19, a form left untried here.
        let reader = shared.source_reader();
        crate::delta::list_rows_as_values(reader.mariadb && reader.version >= 100300);
        if let Some(path) = &shared.config.state {
            if let Some(mut loaded) = state_file::load(path).map_err(StartError::State)? {
                let login = upstream::Login {
                    capabilities: crate::protocol::handshake::plain_client_capabilities(),
                    collation: 45,
                    database: None,
                    without_database: false,
                };
                let mut up = upstream::Upstream::connect(&shared.config.source, &login)
                    .map_err(|e| StartError::Source(where_.clone(), e))?;
                state_file::check_against_source(&loaded, &mut up).map_err(StartError::State)?;
                state_file::instants_from_wall_clock(&mut loaded, &mut up)
                    .map_err(StartError::State)?;
                state_file::judge_triggers_again(&mut loaded, &mut up)
                    .map_err(StartError::State)?;
                up.quit();
                let rows = loaded.current.changed_rows();
                let snapshots = loaded.snapshots.len();
                state_file::install(&shared, loaded);
                info!(
                    "loaded {}: {rows} changed rows, {snapshots} snapshots",
                    path.display()
                );
            }
        }
        Ok(Server { listener, shared })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("bound socket has an address")
    }

    /// What the threads share.
    pub fn shared(&self) -> Arc<Shared> {
        self.shared.clone()
    }

    /// Accepts clients forever, one thread each.
    pub fn run(self) {
        let src = &self.shared.config.source;
        info!(
            "vdb {} listening on {}; source {}:{} is {}",
            crate::VERSION,
            self.local_addr(),
            src.host,
            src.port,
            self.shared.source_info.describe()
        );
        for conn in self.listener.incoming() {
            let tcp = match conn {
                Ok(t) => t,
                Err(e) => {
                    error!("accept failed: {e}");
                    // Out of descriptors and the like: do not spin.
                    std::thread::sleep(std::time::Duration::from_millis(50));
                    continue;
                }
            };
            let peer = match tcp.peer_addr() {
                Ok(p) => p,
                Err(_) => continue,
            };
            let shared = self.shared.clone();
            let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
            let spawned = std::thread::Builder::new().name(format!("conn-{id}")).spawn(move || {
                let socket = tcp.try_clone().ok();
                let result = catch_unwind(AssertUnwindSafe(|| session::serve(tcp, peer, &shared, id)));
                if result.is_err() {
                    // The registry's handle (for KILL) would keep the
                    // socket open: the client must see it close, not hang.
                    shared.unregister(id);
                    if let Some(s) = socket {
                        let _ = s.shutdown(std::net::Shutdown::Both);
                    }
                    error!("conn {id}: internal error (panic); this connection was closed, others are unaffected");
                }
            });
            if let Err(e) = spawned {
                error!("cannot start a thread for a new connection: {e}");
            }
        }
    }

    /// Runs the accept loop on a background thread (tests, embedding).
    pub fn spawn(self) -> std::thread::JoinHandle<()> {
        std::thread::Builder::new()
            .name("accept".into())
            .spawn(move || self.run())
            .expect("spawn accept thread")
    }
}

//! One client connection, from handshake to quit: reads each command, asks
//! `sql` what to do with it, and forwards, rewrites or refuses it.
//!
//! The session owns the client socket and its dedicated upstream connection,
//! and the per-connection state that must survive a reconnect to the source
//! (default database, session SETs) or that changes how text is lexed
//! (sql_mode, client character set).

mod database;
pub mod error;
mod maintenance;
pub mod metadata;
mod prepared;
mod privileges;
pub mod table_columns;
mod temporary;
mod transaction;
mod warnings;

use std::collections::HashMap;
use std::io::{self, BufReader};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use log::{debug, info, warn};
use mysql::consts::CapabilityFlags as Cap;

use crate::admin::{self, AdminError, Called};
use crate::overlay::catalog::{create_with_counter, Shown};
use crate::overlay::write::{execute as execute_write, WriteContext};
use crate::overlay::{rewrite_traced, OverlayError, Rewritten};
use crate::protocol::command::Command;
use crate::protocol::handshake::{self, AuthPlugin, HandshakeError};
use crate::protocol::packet::{read_packet, write_packet, FrameError};
use crate::protocol::params::{bound_types, with_types};
use crate::protocol::response::{
    err_payload, ok_payload, relay, write_procedure_result, Expect, RelayError, ResultPatch,
    STATUS_AUTOCOMMIT,
};
use crate::protocol::stream::Stream;
use crate::server::{SessionHandle, Shared};
use crate::sql::classify::{analyze, Effect, Refusal, Verdict};
use crate::sql::lexer::{Charset, LexMode};
use crate::upstream::{Login, Upstream, UpstreamError};
use metadata::MetaPatch;
use privileges::Privileges;

pub use error::ClientError;

/// `SERVER_STATUS_IN_TRANS`.
const STATUS_IN_TRANS: u16 = 0x0001;
/// `SERVER_STATUS_NO_BACKSLASH_ESCAPES`.
const STATUS_NO_BACKSLASH_ESCAPES: u16 = 0x0200;
/// MariaDB's `SERVER_STATUS_ANSI_QUOTES`.
const STATUS_ANSI_QUOTES: u16 = 0x8000;
/// Session SETs remembered for a reconnect, at most.
const MAX_REPLAY: usize = 256;

/// Serves one client until it quits or its socket fails.
pub fn serve(tcp: TcpStream, peer: SocketAddr, shared: &Shared, id: u32) {
    let _ = tcp.set_nodelay(true);
    let plugin = shared.auth_plugin();
    let version = shared.server_version();
    let greeting = handshake::Greeting {
        server_version: &version,
        connection_id: id,
        capabilities: shared.source_info.capabilities,
        collation: shared.source_info.collation,
        plugin,
        user: &shared.config.user,
        password: &shared.config.password,
        tls: shared.config.tls.as_ref(),
    };
    let host = peer.ip().to_string();
    let accepted = match handshake::accept(tcp, &greeting, &host) {
        Ok(a) => a,
        Err(HandshakeError::AccessDenied { user }) => {
            info!("conn {id} from {peer}: access denied for user '{user}'");
            return;
        }
        Err(e) => {
            info!("conn {id} from {peer}: handshake failed: {e}");
            return;
        }
    };
    info!(
        "conn {id} open from {peer} user '{}'{}",
        accepted.user,
        if accepted.stream.is_tls() {
            " (TLS)"
        } else {
            ""
        }
    );
    let mut session = Session {
        shared,
        id,
        host,
        plugin,
        capabilities: accepted.capabilities,
        collation: accepted.collation,
        // With no database from the client, the source session is in the
        // URL's, and names resolve there.
        db: accepted.database.clone().or_else(|| {
            shared
                .config
                .source
                .database
                .clone()
                .map(String::into_bytes)
        }),
        upstream_without_database: false,
        nonce: accepted.nonce,
        client: BufReader::with_capacity(16 * 1024, accepted.stream),
        upstream: None,
        lex: LexMode {
            charset: Charset::from_collation_id(accepted.collation),
            ..LexMode::default()
        },
        replay: Vec::new(),
        prepared: HashMap::new(),
        next_stmt_id: 1,
        narrowed: prepared::NarrowedStatements::default(),
        stmt_buf: Vec::new(),
        packet: Vec::new(),
        scratch: Vec::new(),
        out: Vec::new(),
        statements: 0,
        columns: HashMap::new(),
        results_charset: None,
        write_memo: Default::default(),
        warnings: None,
        txn: None,
        autocommit: true,
        upstream_status: 0,
        row_count: None,
        found_rows: FoundRows::Source,
        isolation: Default::default(),
        next_isolation: None,
        locked: None,
        temporaries: Vec::new(),
        skip_view: None,
        current_read: false,
    };
    let outcome =
        session
            .login(accepted.next_seq)
            .and_then(|ok| if ok { session.run() } else { Ok(()) });
    match outcome {
        Ok(()) => info!("conn {id} closed ({} statements)", session.statements),
        Err(e) => info!("conn {id} closed: {e} ({} statements)", session.statements),
    }
    session.rollback_transaction();
    session.end_temporaries();
    shared.unregister(id);
    shared.locks.release_all(id);
    if let Some(up) = session.upstream.take() {
        up.quit();
    }
}

struct Session<'a> {
    shared: &'a Shared,
    /// The session's temporary tables: database and name, as created.
    temporaries: Vec<(String, String)>,
    /// For the statement under way only: the merged view without the rows
    /// SKIP LOCKED passes over.
    skip_view: Option<Arc<crate::delta::DeltaState>>,
    /// The statement under way is a locking read: it reads the latest
    /// commits, not the transaction's snapshot.
    current_read: bool,
    id: u32,
    host: String,
    plugin: AuthPlugin,
    capabilities: Cap,
    collation: u8,
    db: Option<Vec<u8>>,
    /// The source session has no default database, because vdb holds the
    /// session's (see [`database`]).
    upstream_without_database: bool,
    nonce: Vec<u8>,
    client: BufReader<Stream>,
    upstream: Option<Upstream>,
    lex: LexMode,
    replay: Vec<Vec<u8>>,
    /// Server-side prepared statements by the id the client was given.
    prepared: HashMap<u32, PreparedStmt>,
    /// The open transaction, when the session has one over the delta.
    txn: Option<transaction::Transaction>,
    /// Whether autocommit is on, as the source last reported.
    autocommit: bool,
    /// The status flags of the source's last OK/EOF.
    upstream_status: u16,
    /// The session's isolation level.
    isolation: crate::sql::classify::IsolationLevel,
    /// Tables this session holds with LOCK TABLES ... READ.
    locked: Option<Vec<crate::sql::classify::LockedTable>>,
    /// `SET TRANSACTION ISOLATION LEVEL` for the next transaction only.
    next_isolation: Option<crate::sql::classify::IsolationLevel>,
    /// What ROW_COUNT() answers after a captured write (the source's own
    /// answer is right again after the next statement it runs).
    row_count: Option<i64>,
    /// What FOUND_ROWS() answers (see [`FoundRows`]).
    found_rows: FoundRows,
    next_stmt_id: u32,
    /// Statements prepared at the source for narrowed executions of reads
    /// over changed tables, kept for the next execution of the same text.
    narrowed: prepared::NarrowedStatements,
    stmt_buf: Vec<u8>,
    packet: Vec<u8>,
    scratch: Vec<u8>,
    out: Vec<u8>,
    statements: u64,
    /// How the source describes the columns of client queries over changed
    /// tables, by query shape (see [`metadata`]); cleared when a SET may
    /// have changed the result character set.
    columns: HashMap<Vec<u8>, Arc<metadata::Description>>,
    /// The session's character_set_results as last read (`Some(None)`:
    /// NULL); forgotten with `columns`.
    results_charset: Option<Option<String>>,
    /// What this session's writes remember of its source session.
    write_memo: crate::overlay::write::WriteMemo,
    /// What SHOW WARNINGS lists after a statement vdb answered itself
    /// (`None`: the source's list is the right one).
    warnings: Option<Vec<warnings::Warning>>,
}

/// The `Records:` count of an info string (`Records: 3  Duplicates: 0
/// Warnings: 0`).
fn records(info: &str) -> Option<u64> {
    info.strip_prefix("Records: ")?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// What FOUND_ROWS() answers in a session. The server changes it only
/// with a query or SHOW, an INSERT or CREATE TABLE ... SELECT (its
/// records) and a multi-table UPDATE or DELETE; vdb's own statements at
/// the source for a captured write change the source session's, so from
/// then until the client's next query vdb answers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FoundRows {
    /// The source session's own value is the client's.
    Source,
    /// This count.
    Known(u64),
    /// A count vdb does not follow (a multi-table write's): FOUND_ROWS()
    /// is refused by name until the next query.
    Unknown,
}

/// What a refusal of FOUND_ROWS() names while its count is one vdb does
/// not follow ([`FoundRows::Unknown`]).
const FOUND_ROWS_UNKNOWN: &str = "FOUND_ROWS() after a multi-table UPDATE or DELETE, a write with a subquery or a failed INSERT ... SELECT (vdb does not follow the count the server leaves; a query first sets it again)";

/// Why a session ended early.
#[derive(Debug)]
enum SessionEnd {
    /// The client's socket failed or it sent something unrecoverable.
    Client(String),
}

impl std::fmt::Display for SessionEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SessionEnd::Client(m) => f.write_str(m),
        }
    }
}

impl From<io::Error> for SessionEnd {
    fn from(e: io::Error) -> Self {
        SessionEnd::Client(e.to_string())
    }
}

fn shorten(sql: &[u8]) -> String {
    let s = String::from_utf8_lossy(&sql[..sql.len().min(300)]).replace(['\n', '\r'], " ");
    if sql.len() > 300 {
        format!("{s}...")
    } else {
        s
    }
}

impl Session<'_> {
    fn login_params(&self) -> Login {
        let held = self.held_database().is_some();
        Login {
            capabilities: self.capabilities,
            collation: self.collation,
            database: self.db.clone().filter(|_| !held),
            without_database: held,
        }
    }

    /// Opens the source connection and finishes the client's login with OK,
    /// or with the source's error (unknown database, ...). Returns whether
    /// the client is logged in.
    fn login(&mut self, seq: u8) -> Result<bool, SessionEnd> {
        if let Some(e) = self.db.as_deref().and_then(|d| self.dropped_database(d)) {
            self.overlay_failed(seq, e)?;
            return Ok(false);
        }
        match self.open_upstream() {
            Ok(()) => {
                if let (Some(up), Ok(client)) =
                    (&self.upstream, self.client.get_ref().tcp().try_clone())
                {
                    self.shared.register(
                        self.id,
                        SessionHandle {
                            upstream_id: up.connection_id,
                            client,
                        },
                    );
                }
                let ok = ok_payload(0, 0, STATUS_AUTOCOMMIT, 0, b"");
                write_packet(self.client.get_mut(), seq, &ok)?;
                Ok(true)
            }
            Err(UpstreamError::Server { payload, .. }) => {
                write_packet(self.client.get_mut(), seq, &payload)?;
                Ok(false)
            }
            Err(e) => {
                warn!("conn {}: cannot connect to the source: {e}", self.id);
                self.send_error(seq, &ClientError::SourceUnreachable(e.to_string()))?;
                Ok(false)
            }
        }
    }

    /// Connects to the source, makes the session read-only, restores session
    /// state, and reads the lexing mode.
    fn open_upstream(&mut self) -> Result<(), UpstreamError> {
        let login = self.login_params();
        let mut up = Upstream::connect(&self.shared.config.source, &login)?;
        self.upstream_without_database = login.without_database;
        // The limit learned at start: larger internal statements are
        // refused rather than sent (the source would drop the connection).
        up.info.max_packet = self.shared.source_info.max_packet;
        up.make_read_only()?;
        for set in &self.replay {
            // Best effort: a SET that worked before works again.
            if let Err(e) = up.query(&String::from_utf8_lossy(set)) {
                debug!("conn {}: replaying {:?} failed: {e}", self.id, shorten(set));
            }
        }
        for stmt in self.prepared.values_mut() {
            // A statement that no longer prepares (its table is gone) keeps
            // id 0, which the source answers with its own error.
            stmt.upstream_id = up.prepare(&stmt.text).unwrap_or(0);
            stmt.types_sent = false;
        }
        self.shared.set_upstream_id(self.id, up.connection_id);
        // Statements kept for narrowed executions died with the old one.
        self.narrowed = prepared::NarrowedStatements::default();
        self.upstream = Some(up);
        self.refresh_lex_mode()
    }

    fn refresh_lex_mode(&mut self) -> Result<(), UpstreamError> {
        let Some(up) = self.upstream.as_mut() else {
            return Ok(());
        };
        let rows = up.query("SELECT @@SESSION.sql_mode, @@SESSION.character_set_client")?;
        if let Some(row) = rows.first() {
            let mode = String::from_utf8_lossy(
                row.first()
                    .cloned()
                    .flatten()
                    .as_deref()
                    .unwrap_or_default(),
            )
            .to_ascii_uppercase();
            let modes: Vec<&str> = mode.split(',').collect();
            self.lex.no_backslash_escapes = modes.contains(&"NO_BACKSLASH_ESCAPES");
            self.lex.ansi_quotes = modes.contains(&"ANSI_QUOTES");
            if let Some(Some(cs)) = row.get(1) {
                self.lex.charset = Charset::from_name(&String::from_utf8_lossy(cs));
            }
        }
        Ok(())
    }

    fn send_error(&mut self, seq: u8, e: &ClientError) -> io::Result<()> {
        let (code, state) = e.code();
        // A temporary table is named as the client named it.
        let message = crate::sql::temporary::unmark(&e.message());
        self.warnings = Some(vec![("Error", code, message.clone())]);
        write_packet(
            self.client.get_mut(),
            seq,
            &err_payload(code, state, &message),
        )
        .map(|_| ())
    }

    fn run(&mut self) -> Result<(), SessionEnd> {
        loop {
            let mut packet = std::mem::take(&mut self.packet);
            let read = read_packet(&mut self.client, &mut packet);
            let (first, last) = match read {
                Ok(s) => s,
                Err(FrameError::Io(e)) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
                Err(FrameError::Io(e)) => return Err(e.into()),
                Err(FrameError::TooLarge) => {
                    self.send_error_raw(
                        1,
                        1153,
                        "08S01",
                        "Got a packet bigger than 'max_allowed_packet' bytes",
                    )?;
                    return Err(SessionEnd::Client("packet over 1 GiB".into()));
                }
                Err(FrameError::OutOfOrder { .. }) => {
                    self.send_error(1, &ClientError::PacketsOutOfOrder)?;
                    return Err(SessionEnd::Client("packets out of order".into()));
                }
            };
            if first != 0 {
                self.send_error(first.wrapping_add(1), &ClientError::PacketsOutOfOrder)?;
                return Err(SessionEnd::Client(format!(
                    "command packet with sequence id {first}"
                )));
            }
            let reply_seq = last.wrapping_add(1);
            let keep_going = self.dispatch(&packet, reply_seq);
            self.packet = packet;
            if !keep_going? {
                return Ok(());
            }
        }
    }

    fn send_error_raw(&mut self, seq: u8, code: u16, state: &str, msg: &str) -> io::Result<()> {
        let msg = crate::sql::temporary::unmark(msg);
        self.warnings = Some(vec![("Error", code, msg.clone())]);
        write_packet(self.client.get_mut(), seq, &err_payload(code, state, &msg)).map(|_| ())
    }

    /// Handles one command. Returns whether to keep serving.
    fn dispatch(&mut self, packet: &[u8], seq: u8) -> Result<bool, SessionEnd> {
        let statement = matches!(
            Command::parse(packet),
            Command::Query(_) | Command::StmtExecute
        );
        let keep = self.dispatch_command(packet, seq)?;
        // A statement that failed with an error of vdb's own (a refusal, a
        // captured write's error) leaves ROW_COUNT() at -1, as the server
        // leaves it after any error; the source's own count would be that
        // of vdb's last statement there.
        let failed = self
            .warnings
            .as_ref()
            .is_some_and(|w| w.iter().any(|w| w.0 == "Error"));
        if statement && failed && self.row_count.is_none() {
            self.row_count = Some(-1);
        }
        Ok(keep)
    }

    /// [`Self::dispatch`]'s work.
    fn dispatch_command(&mut self, packet: &[u8], seq: u8) -> Result<bool, SessionEnd> {
        self.skip_view = None;
        self.current_read = false;
        let cmd = Command::parse(packet);
        // Only a statement run changes ROW_COUNT(): not a PREPARE, a
        // CLOSE or a ping.
        let row_count = match cmd {
            Command::Query(_) | Command::StmtExecute => self.row_count.take(),
            _ => self.row_count,
        };
        let kept = self.warnings.take();
        if let (Command::Query(sql), Some(kept)) = (&cmd, &kept) {
            let answer = warnings::may_ask(sql)
                .then(|| warnings::answer(sql, self.lex, kept))
                .flatten();
            if let Some(text) = answer {
                // SHOW WARNINGS leaves the list as it was, and FOUND_ROWS().
                let kept = kept.clone();
                let mut p = Vec::with_capacity(text.len() + 1);
                p.push(0x03);
                p.extend_from_slice(text.as_bytes());
                self.count_statement();
                if let Some(up) = self.upstream.as_mut() {
                    up.take_found_rows();
                }
                let probed = self.read_found_rows_first();
                self.forward(&p, Expect::Query, seq)?;
                if probed {
                    self.found_rows = self.found_rows_before();
                }
                self.warnings = Some(kept);
                return Ok(true);
            }
        }
        match cmd {
            Command::Quit => return Ok(false),
            Command::Query(sql) => {
                let read = self.as_source_reads(0x03, sql);
                let (packet, sql) = match &read {
                    Some(p) => (p.as_slice(), &p[1..]),
                    None => (packet, sql),
                };
                let renamed = match self.temporary_statement(sql, seq)? {
                    temporary::TemporaryStep::Done => return Ok(true),
                    temporary::TemporaryStep::Renamed(text) => Some(text),
                    temporary::TemporaryStep::Unchanged => None,
                };
                let sql: &[u8] = renamed.as_deref().unwrap_or(sql);
                let renamed_packet = renamed.as_ref().map(|text| {
                    let mut p = Vec::with_capacity(text.len() + 1);
                    p.push(0x03);
                    p.extend_from_slice(text);
                    p
                });
                let packet: &[u8] = renamed_packet.as_deref().unwrap_or(packet);
                let named = self.with_held_name(sql);
                let sql = named.as_deref().unwrap_or(sql);
                let text = match self.counts_answered(sql, row_count) {
                    Ok(text) => text.or(named.clone()),
                    Err(what) => {
                        self.count_statement();
                        self.overlay_failed(seq, OverlayError::Unsupported(what))?;
                        return Ok(true);
                    }
                };
                // @@warning_count and @@error_count after a statement vdb
                // answered itself count what it left, not vdb's own
                // statements at the source.
                let counted = kept.as_ref().and_then(|kept| {
                    let errors = kept.iter().filter(|w| w.0 == "Error").count() as u64;
                    crate::sql::row_count::substitute_variables(
                        text.as_deref().unwrap_or(sql),
                        self.lex,
                        &[
                            ("warning_count", kept.len() as u64),
                            ("error_count", errors),
                        ],
                    )
                });
                let text = counted.or(text);
                if let Some(text) = text {
                    debug!(
                        "conn {} ROW_COUNT(), FOUND_ROWS() or DATABASE() answered by vdb",
                        self.id
                    );
                    let mut p = Vec::with_capacity(text.len() + 1);
                    p.push(0x03);
                    p.extend_from_slice(&text);
                    return self.query(&p, &text, seq);
                }
                return self.query(packet, sql, seq);
            }
            Command::StmtPrepare(sql) => {
                self.count_statement();
                let read = self.as_source_reads(0x16, sql);
                let (packet, sql) = match &read {
                    Some(p) => (p.as_slice(), &p[1..]),
                    None => (packet, sql),
                };
                let renamed = match std::str::from_utf8(sql) {
                    Ok(text) if !self.temporaries.is_empty() => {
                        match self.rename_temporaries(text) {
                            Ok(r) => r.map(String::into_bytes),
                            Err(what) => {
                                self.overlay_failed(seq, OverlayError::Unsupported(what))?;
                                return Ok(true);
                            }
                        }
                    }
                    _ => None,
                };
                let sql: &[u8] = renamed.as_deref().unwrap_or(sql);
                let named = self.with_held_name(sql).or(renamed.clone()).map(|text| {
                    let mut p = vec![0x16];
                    p.extend_from_slice(&text);
                    p
                });
                let (packet, sql) = match &named {
                    Some(p) => (p.as_slice(), &p[1..]),
                    None => (packet, sql),
                };
                let mut analysis = analyze(sql, self.lex);
                if analysis.effects.contains(&Effect::ControlTables) {
                    // Its values would be frozen at prepare time.
                    let statement = "vdb.* in a prepared statement".into();
                    analysis.verdict = Verdict::Refuse(Refusal {
                        statement,
                        capturable: false,
                    });
                }
                let txn = analysis.effects.iter().find_map(|e| match e {
                    Effect::Transaction(t) => Some(t.clone()),
                    _ => None,
                });
                let locking = analysis.effects.iter().find_map(|e| match e {
                    Effect::LockingRead(l) => Some(*l),
                    _ => None,
                });
                match analysis.verdict {
                    Verdict::Forward => {
                        debug!("conn {} prepare passed through: {}", self.id, shorten(sql));
                        let id = self.next_stmt_id;
                        self.prepare(packet, seq)?;
                        if let Some(stmt) = self.prepared.get_mut(&id) {
                            stmt.txn = txn;
                        }
                    }
                    Verdict::Rewrite(text) => {
                        debug!("conn {} prepare rewritten: {}", self.id, shorten(sql));
                        let mut p = vec![0x16];
                        p.extend_from_slice(&text);
                        let id = self.next_stmt_id;
                        self.prepare(&p, seq)?;
                        if let Some(stmt) = self.prepared.get_mut(&id) {
                            stmt.locking = locking;
                        }
                    }
                    Verdict::Refuse(r)
                        if r.capturable
                            && CAPTURED_WRITES.contains(&r.statement.as_str())
                            && starts_with_write(sql, self.lex) =>
                    {
                        debug!("conn {} prepare captured: {}", self.id, shorten(sql));
                        self.prepare_write(packet, seq)?;
                    }
                    Verdict::Refuse(r) => {
                        debug!(
                            "conn {} prepare refused ({}): {}",
                            self.id,
                            r.statement,
                            shorten(sql)
                        );
                        self.send_error(seq, &ClientError::Refused(r))?;
                    }
                    Verdict::Kill { .. } => {
                        let r = Refusal {
                            statement: "KILL as a prepared statement".into(),
                            capturable: false,
                        };
                        self.send_error(seq, &ClientError::Refused(r))?;
                    }
                }
            }
            Command::StmtExecute => {
                self.count_statement();
                self.take_snapshot();
                if self.write_stmt(packet).is_some() {
                    return self.execute_prepared_write(packet, seq);
                }
                if !self.lock_prepared_read(packet, seq)? {
                    return Ok(true);
                }
                let locked = self
                    .prepared
                    .get(&stmt_id(packet))
                    .is_some_and(|s| s.locking.is_some());
                let narrowed = self.execute_narrowed(packet, seq, row_count)?.is_some();
                if locked && self.txn.is_none() {
                    // An autocommit locking read holds its locks only while
                    // it runs.
                    self.shared.locks.release_all(self.id);
                }
                if narrowed {
                    return Ok(true);
                }
                if self.skip_view.is_some() {
                    // Its merged-view text would show the rows passed over.
                    let what = "a prepared SELECT ... SKIP LOCKED over locked rows that vdb cannot narrow by this execution's values".into();
                    self.send_error(seq, &ClientError::NotCapturable(what))?;
                    return Ok(true);
                }
                if let Some(s) = self.prepared.get_mut(&stmt_id(packet)) {
                    s.long_data_sent = false;
                }
                if self.refresh_prepared(packet, seq)? {
                    let txn = self
                        .prepared
                        .get(&stmt_id(packet))
                        .and_then(|s| s.txn.clone());
                    // Ends of transactions apply before the client hears
                    // the OK: its next statement, on any connection, must
                    // see the commit.
                    let txn = match txn {
                        Some(t) if transaction::ends_transaction(&t) => {
                            self.transaction_event(t);
                            None
                        }
                        t => t,
                    };
                    let relayed =
                        self.forward_stmt(packet, Expect::Execute, seq, "mysqld_stmt_execute")?;
                    if let (Some(t), Some(r)) = (txn, relayed) {
                        if r.error.is_none() {
                            self.transaction_event(t);
                        }
                    }
                }
            }
            Command::StmtFetch => {
                self.forward_stmt(packet, Expect::Fetch, seq, "mysqld_stmt_fetch")?;
            }
            Command::StmtReset => {
                if let Some(w) = self.write_stmt(packet) {
                    w.long_data.clear();
                }
                if let Some(s) = self.prepared.get_mut(&stmt_id(packet)) {
                    s.long_data_sent = false;
                }
                self.forward_stmt(packet, Expect::OnePacket, seq, "mysqld_stmt_reset")?;
            }
            Command::Ping | Command::Statistics | Command::SetOption => {
                self.forward(packet, Expect::OnePacket, seq)?;
            }
            Command::InitDb(db) => {
                if self.use_held(db, seq)? {
                    return Ok(true);
                }
                let r = self.forward(packet, Expect::OnePacket, seq)?;
                if r.is_some_and(|r| r.error.is_none()) {
                    self.db = Some(db.to_vec());
                    self.upstream_without_database = false;
                }
            }
            Command::FieldList => {
                self.forward(packet, Expect::FieldList, seq)?;
            }
            Command::StmtSendLongData if self.write_stmt(packet).is_some() => {
                // Bound at execution by vdb; the source never executes it.
                if let Some(w) = self.write_stmt(packet) {
                    w.append_long_data(packet);
                }
            }
            Command::StmtClose | Command::StmtSendLongData => {
                // No response; a broken source shows up on the next command.
                // An id vdb never gave out is dropped, as the server would.
                if let Some(upstream_packet) = self.stmt_packet(packet) {
                    if let Some(up) = self.upstream.as_mut() {
                        if up.send(&upstream_packet).is_err() {
                            self.upstream = None;
                        }
                    }
                    self.stmt_buf = upstream_packet;
                }
                if cmd == Command::StmtClose {
                    self.prepared.remove(&stmt_id(packet));
                } else if let Some(s) = self.prepared.get_mut(&stmt_id(packet)) {
                    s.long_data_sent = true;
                }
            }
            Command::ResetConnection => {
                self.end_temporaries();
                let result = match self.upstream.as_mut() {
                    Some(up) => up.reset_connection(),
                    None => Ok(()),
                };
                self.replay.clear();
                self.forget_descriptions();
                self.prepared.clear();
                self.rollback_transaction();
                self.autocommit = true;
                self.isolation = Default::default();
                self.next_isolation = None;
                match result.and_then(|_| self.refresh_lex_mode()) {
                    Ok(()) => {
                        write_packet(
                            self.client.get_mut(),
                            seq,
                            &ok_payload(0, 0, STATUS_AUTOCOMMIT, 0, b""),
                        )?;
                    }
                    Err(e) => self.upstream_failed(seq, e)?,
                }
            }
            Command::ChangeUser => {
                self.end_temporaries();
                self.change_user(packet)?
            }
            Command::Unknown(code) => {
                debug!("conn {} refused unknown command 0x{code:02x}", self.id);
                self.send_error(seq, &ClientError::UnknownCommand(code))?;
            }
            Command::Empty => {
                self.send_error(seq, &ClientError::Malformed("empty command packet"))?
            }
        }
        Ok(true)
    }

    /// The packet (`command` and text) to handle in place of `sql` when
    /// it has executable comments: the text as the source reads it
    /// ([`crate::sql::versioned`]), so that every layer below, and the
    /// source, read the same statement (dumps wrap DDL and SETs in them:
    /// `/*!50001 DROP VIEW v*/` is a DROP VIEW, and `/*M!999999\- enable
    /// the sandbox mode */ SET @a = 1` a SET). `None` when it has none.
    fn as_source_reads(&self, command: u8, sql: &[u8]) -> Option<Vec<u8>> {
        // Every statement passes here: most have no such comment.
        if !crate::sql::versioned::has_executable_comment(sql) {
            return None;
        }
        let text = std::str::from_utf8(sql).ok()?;
        match crate::sql::versioned::as_read_by(text, self.shared.source_reader(), self.lex) {
            std::borrow::Cow::Owned(read) => {
                let mut p = Vec::with_capacity(read.len() + 1);
                p.push(command);
                p.extend_from_slice(read.as_bytes());
                Some(p)
            }
            std::borrow::Cow::Borrowed(_) => None,
        }
    }

    fn query(&mut self, packet: &[u8], sql: &[u8], seq: u8) -> Result<bool, SessionEnd> {
        self.count_statement();
        if self.found_rows == FoundRows::Source {
            // A read of FOUND_ROWS() a failed statement left behind.
            if let Some(up) = self.upstream.as_mut() {
                up.take_found_rows();
            }
        }
        self.take_snapshot();
        let mut analysis = analyze(sql, self.lex);
        // Read again only when the classifier names it.
        let locks = matches!(&analysis.verdict, Verdict::Refuse(r) if r.statement.starts_with("LOCK TABLE"));
        if let Some(tables) = locks
            .then(|| crate::sql::classify::lock_tables(sql, self.lex))
            .flatten()
        {
            return self.lock_tables(tables, seq);
        }
        if self.locked.is_some() {
            let begins = analysis.effects.iter().any(|e| {
                matches!(
                    e,
                    Effect::Transaction(crate::sql::classify::Txn::Begin { .. })
                )
            });
            if begins || crate::sql::classify::is_unlock_tables(sql, self.lex) {
                // UNLOCK TABLES, and START TRANSACTION, release them.
                self.locked = None;
            } else if let Some((code, message)) = self.not_locked(sql) {
                self.send_error_raw(seq, code, "HY000", &message)?;
                return Ok(true);
            }
        }
        // SHOW and DESCRIBE of a schema vdb changed are answered from the
        // catalog's merged view or the created table's definition; SHOW
        // CREATE TABLE of a source table shows the counter the delta moved.
        // A SHOW answered with literal rows takes the column definitions
        // of this statement, as the source describes it (see `Shown::Like`).
        let mut columns_like: Option<&'static str> = None;
        let shown = match self.delta().current() {
            state if analysis.verdict == Verdict::Forward => {
                let db = self
                    .db
                    .as_ref()
                    .map(|d| String::from_utf8_lossy(d).into_owned());
                crate::overlay::catalog::show(sql, self.lex, &state, db.as_deref())
            }
            _ => None,
        };
        let shown = match shown {
            Some(Ok(Shown::SourceCreate { table, next })) => {
                if !self.ensure_upstream(seq)? {
                    return Ok(true);
                }
                let up = self.upstream.as_mut().expect("ensured above");
                match up.query(&format!("SHOW CREATE TABLE {}", table.quoted())) {
                    Ok(rows) => match rows.first().map(|r| r.as_slice()) {
                        Some([name, Some(text)]) => {
                            let name = name.as_deref().map(String::from_utf8_lossy);
                            Some(Ok(create_with_counter(
                                name.as_deref().unwrap_or(&table.name),
                                &String::from_utf8_lossy(text),
                                next,
                            )))
                        }
                        _ => None,
                    },
                    // The statement itself then gets the source's error.
                    Err(crate::upstream::UpstreamError::Server { .. }) => None,
                    Err(e) => {
                        self.upstream_failed(seq, e)?;
                        return Ok(true);
                    }
                }
            }
            Some(Ok(Shown::Text(text))) => Some(Ok(text)),
            Some(Ok(Shown::Like { text, like })) => {
                columns_like = Some(like);
                Some(Ok(text))
            }
            Some(Err(e)) => Some(Err(e)),
            None => None,
        };
        match shown {
            Some(Ok(text)) => {
                debug!(
                    "conn {} answered from the schema delta: {}",
                    self.id,
                    shorten(sql)
                );
                analysis.verdict = Verdict::Rewrite(text.into_bytes());
            }
            Some(Err(e)) => {
                self.overlay_failed(seq, e)?;
                return Ok(true);
            }
            None => {
                let use_of = analysis.effects.iter().find_map(|e| match e {
                    Effect::Use(db) => Some(db.clone()),
                    _ => None,
                });
                if let Some(db) = use_of.filter(|_| self.is_lone_use(sql)) {
                    if self.use_held(&db, seq)? {
                        return Ok(true);
                    }
                } else if matches!(analysis.verdict, Verdict::Forward | Verdict::Rewrite(_)) {
                    if let Some(e) = self.missing_in_held(sql) {
                        self.overlay_failed(seq, e)?;
                        return Ok(true);
                    }
                }
            }
        }
        if analysis.effects.contains(&Effect::ControlTables) {
            match &analysis.verdict {
                Verdict::Forward => return self.control_query(sql, seq),
                Verdict::Rewrite(text) => return self.control_query(text, seq),
                _ => {}
            }
        }
        if let Verdict::Refuse(r) = &analysis.verdict {
            if r.capturable
                && CAPTURED_WRITES.contains(&r.statement.as_str())
                && starts_with_write(sql, self.lex)
            {
                return self.capture(sql, seq);
            }
            if r.capturable && CAPTURED_DDL.contains(&r.statement.as_str()) {
                return self.capture_ddl(sql, seq);
            }
            if r.statement == "CALL" && admin::parse_call(sql, self.lex).is_some() {
                return self.control_query(sql, seq);
            }
        }
        // ANALYZE, CHECK, OPTIMIZE and REPAIR TABLE are answered with the
        // server's rows (see `maintenance`).
        let maintenance = match &analysis.verdict {
            Verdict::Refuse(_) => crate::sql::maintenance::parse(sql, self.lex),
            _ => None,
        };
        if let Some(m) = maintenance {
            let Some(text) = self.maintenance_answer(&m, seq)? else {
                return Ok(true);
            };
            debug!(
                "conn {} answered {} TABLE itself",
                self.id,
                m.operation.op().to_ascii_uppercase()
            );
            analysis.verdict = Verdict::Rewrite(text.into_bytes());
            columns_like = Some(maintenance::COLUMNS_LIKE);
        }
        let locking = analysis.effects.iter().find_map(|e| match e {
            Effect::LockingRead(l) => Some(*l),
            _ => None,
        });
        // SERIALIZABLE: a transaction's plain SELECT reads as FOR SHARE.
        let serializable_read = locking.is_none()
            && self.reads_lock()
            && matches!(analysis.verdict, Verdict::Forward | Verdict::Rewrite(_))
            && starts_with_word(sql, "SELECT");
        if serializable_read {
            let text: &[u8] = match &analysis.verdict {
                Verdict::Rewrite(text) => text,
                _ => sql,
            };
            if !self.ensure_upstream(seq)? {
                return Ok(true);
            }
            self.current_read = true;
            if let Err(e) = self.lock_rows_read(text, crate::sql::classify::LockingRead::share()) {
                self.lock_read_failed(seq, e)?;
                return Ok(true);
            }
        }
        self.current_read = locking.is_some() || serializable_read;
        if let (Some(l), Verdict::Rewrite(text)) = (locking, &analysis.verdict) {
            if !self.ensure_upstream(seq)? {
                return Ok(true);
            }
            if let Err(e) = self.lock_rows_read(text, l) {
                self.lock_read_failed(seq, e)?;
                return Ok(true);
            }
        }
        let was_autocommit = self.autocommit;
        // Ends of transactions apply before the client hears the OK: its
        // next statement, on any connection, must see the commit.
        let mut effects = analysis.effects;
        if matches!(analysis.verdict, Verdict::Forward | Verdict::Rewrite(_)) {
            effects.retain(|e| match e {
                Effect::Transaction(t) if transaction::ends_transaction(t) => {
                    self.transaction_event(t.clone());
                    false
                }
                _ => true,
            });
            if !self.autocommit && transaction::sets_autocommit_on(sql, self.lex) {
                self.commit_transaction();
            }
        }
        // FOUND_ROWS() is the source's while the statement sets it; one
        // that leaves it as it was, sent otherwise than as written, first
        // reads it (vdb's own statements replace it).
        let sets_found_rows = matches!(analysis.verdict, Verdict::Forward | Verdict::Rewrite(_))
            && crate::sql::row_count::sets_found_rows(sql, self.lex);
        let keeps_found_rows = !sets_found_rows
            && self.found_rows == FoundRows::Source
            && match &analysis.verdict {
                Verdict::Rewrite(_) => true,
                Verdict::Forward => self.delta().current().may_touch(sql),
                _ => false,
            };
        if keeps_found_rows {
            self.read_found_rows_first();
        }
        let overlaid = match &analysis.verdict {
            // The text that goes to the source when nothing is spliced.
            Verdict::Forward => self.overlay_ahead(sql, true, packet.get(1..)),
            Verdict::Rewrite(text) => self.overlay_ahead(text, true, Some(text)),
            _ => Ok(None),
        };
        let overlaid = match overlaid {
            Ok(o) => o,
            Err(e) => {
                self.overlay_failed(seq, e)?;
                return Ok(true);
            }
        };
        if sets_found_rows {
            self.found_rows_from_source();
        }
        // A query sent otherwise than as written: FOUND_ROWS() is the rows
        // the client got. The source's count of its own text may differ (an
        // aggregate over a derived table it finds empty counts 0 rows).
        let counts_rows = sets_found_rows
            && (overlaid.is_some() || matches!(analysis.verdict, Verdict::Rewrite(_)));
        let relayed = match (&analysis.verdict, overlaid) {
            (
                _,
                Some(Rewritten {
                    text,
                    derived,
                    created,
                    items,
                    ..
                }),
            ) => {
                debug!(
                    "conn {} rewritten over the delta: {}",
                    self.id,
                    shorten(sql)
                );
                log::trace!("conn {} sent instead: {text}", self.id);
                let shape = metadata::shape(sql, self.lex);
                let mut patch = self
                    .meta_patch(sql, &shape, &derived, &created, Some(text.as_bytes()), true)
                    .with_items(&items);
                let mut p = Vec::with_capacity(text.len() + 64);
                p.push(0x03);
                if derived.len() >= MANY_DERIVED
                    && self.shared.source_info.version.contains("MariaDB")
                    && starts_with_word(text.as_bytes(), "SELECT")
                {
                    // With many derived tables the optimizer's exhaustive
                    // search of join orders takes minutes (a 17-table join
                    // of small derived tables did); the automatic depth
                    // finds a plan at once. Only the plan changes.
                    p.extend_from_slice(b"SET STATEMENT optimizer_search_depth = 0 FOR ");
                }
                p.extend_from_slice(text.as_bytes());
                match self.privileges_shown(sql) {
                    Some(catalog) => {
                        let mut patch = Privileges::new(Some(&mut patch), catalog);
                        self.forward_patched(&p, Expect::Query, seq, Some(&mut patch))?
                    }
                    None => self.forward_patched(&p, Expect::Query, seq, Some(&mut patch))?,
                }
            }
            (Verdict::Forward, None) => {
                debug!("conn {} passed through: {}", self.id, shorten(sql));
                match self.privileges_shown(sql) {
                    Some(catalog) => {
                        let mut patch = Privileges::new(None, catalog);
                        self.forward_patched(packet, Expect::Query, seq, Some(&mut patch))?
                    }
                    None => self.forward(packet, Expect::Query, seq)?,
                }
            }
            (Verdict::Rewrite(text), None) => {
                debug!(
                    "conn {} rewritten: {} => {}",
                    self.id,
                    shorten(sql),
                    shorten(text)
                );
                let mut p = Vec::with_capacity(text.len() + 1);
                p.push(0x03);
                p.extend_from_slice(text);
                let mut like = columns_like
                    .and_then(|like| self.described_like(like))
                    .map(metadata::ColumnsOf);
                let like = like.as_mut().map(|l| l as &mut dyn ResultPatch);
                match (self.privileges_shown(sql), like) {
                    (Some(catalog), like) => {
                        let mut patch = Privileges::new(like, catalog);
                        self.forward_patched(&p, Expect::Query, seq, Some(&mut patch))?
                    }
                    (None, Some(like)) => {
                        self.forward_patched(&p, Expect::Query, seq, Some(like))?
                    }
                    (None, None) => self.forward(&p, Expect::Query, seq)?,
                }
            }
            (Verdict::Refuse(r), None) => {
                debug!(
                    "conn {} refused ({}): {}",
                    self.id,
                    r.statement,
                    shorten(sql)
                );
                self.send_error(seq, &ClientError::Refused(r.clone()))?;
                return Ok(true);
            }
            (Verdict::Kill { query_only, id }, None) => {
                debug!(
                    "conn {} KILL {}{id}",
                    self.id,
                    if *query_only { "QUERY " } else { "" }
                );
                return self.kill(*query_only, *id, seq);
            }
        };
        if keeps_found_rows {
            self.found_rows = self.found_rows_before();
        }
        let Some(relayed) = relayed else {
            return Ok(true);
        };
        if counts_rows && relayed.error.is_none() {
            if let Some(n) =
                crate::sql::row_count::found_rows_of_result(sql, self.lex, relayed.rows)
            {
                self.found_rows = FoundRows::Known(n);
            }
        }
        let succeeded = relayed.error.is_none();
        let mut keep_going = true;
        for effect in effects {
            match effect {
                Effect::RefreshLexMode => {
                    self.forget_descriptions();
                    // The SET left FOUND_ROWS() as it was; the query
                    // reading the settings back would not.
                    let probed = self.read_found_rows_first();
                    if let Err(e) = self.refresh_lex_mode() {
                        warn!("conn {}: cannot read sql_mode after SET: {e}", self.id);
                        self.upstream = None;
                    }
                    if probed {
                        self.found_rows = self.found_rows_before();
                    }
                }
                Effect::Use(db) if succeeded => {
                    self.db = Some(db);
                    self.upstream_without_database = false;
                }
                Effect::ReplaySet(set) if succeeded && self.replay.len() < MAX_REPLAY => {
                    self.forget_descriptions();
                    self.replay.push(set)
                }
                Effect::Release if succeeded => keep_going = false,
                Effect::Transaction(t) if succeeded => self.transaction_event(t),
                Effect::Isolation { level, next_only } if succeeded => {
                    self.isolation_changed(level, next_only)
                }
                _ => {}
            }
        }
        if !was_autocommit && self.autocommit {
            // SET autocommit = 1 commits an open transaction.
            self.commit_transaction();
        }
        if locking.is_some() && self.txn.is_none() {
            // An autocommit locking read holds its locks only while it runs.
            self.shared.locks.release_all(self.id);
        }
        Ok(keep_going)
    }

    /// The text to send instead of `sql` so that it reads the merged view,
    /// when it names a changed table.
    ///
    /// `probing`: the text runs once, now, so the source may be asked first
    /// for the keys a join offers (not for prepared statements).
    /// The metadata patch for a read of `sql` (of [`metadata::shape`]
    /// `shape`) that spliced in derived tables known as `derived`: the
    /// source's own description of `sql`, learned once per query shape and
    /// character set (an extra prepare the first time). When the source
    /// cannot describe it, nothing is patched but the columns of tables
    /// vdb holds the definitions of (`created`), which vdb describes; then
    /// `merged`, the text sent instead, says whether the server's result
    /// goes through a temporary table (which drops key flags).
    fn meta_patch(
        &mut self,
        sql: &[u8],
        shape: &[u8],
        derived: &[String],
        created: &[(String, Arc<crate::delta::TableMeta>)],
        merged: Option<&[u8]>,
        executed: bool,
    ) -> MetaPatch {
        let truth = match self.columns.get(shape) {
            Some(t) => t.clone(),
            None => {
                let described = match self.upstream.as_mut() {
                    Some(up) => up.describe(sql).map(|columns| {
                        let mut explain = b"EXPLAIN ".to_vec();
                        explain.extend_from_slice(sql);
                        let (rows, err) = up.query_partial(&explain);
                        metadata::Description {
                            columns,
                            temporary: err.is_none() && metadata::uses_temporary(&rows),
                        }
                    }),
                    None => Ok(metadata::Description::default()),
                };
                let truth = Arc::new(described.unwrap_or_else(|e| {
                    debug!(
                        "conn {}: the source cannot describe this read: {e}",
                        self.id
                    );
                    let temporary = match (merged, self.upstream.as_mut()) {
                        (Some(m), Some(up)) if !created.is_empty() => {
                            let mut explain = b"EXPLAIN ".to_vec();
                            explain.extend_from_slice(m);
                            let (rows, err) = up.query_partial(&explain);
                            err.is_none() && metadata::uses_temporary(&rows)
                        }
                        _ => false,
                    };
                    metadata::Description {
                        columns: Vec::new(),
                        temporary,
                    }
                }));
                if self.columns.len() >= MAX_DESCRIPTIONS {
                    self.forget_descriptions();
                }
                self.columns.insert(shape.to_vec(), truth.clone());
                truth
            }
        };
        let patch = MetaPatch::new(derived, truth, executed);
        if created.is_empty() {
            return patch;
        }
        let (results, charsets) = self.result_charsets();
        patch.with_created(created, results, charsets)
    }

    /// How the source describes `like` (a SHOW of a table of its own),
    /// asked once per session until a SET: the column definitions of a
    /// SHOW vdb answers for a table the source does not have.
    fn described_like(&mut self, like: &'static str) -> Option<Arc<metadata::Description>> {
        let key = [b"\0like ".as_slice(), like.as_bytes()].concat();
        if let Some(d) = self.columns.get(&key) {
            return Some(d.clone());
        }
        let columns = match self.upstream.as_mut()?.describe(like.as_bytes()) {
            Ok(c) => c,
            Err(e) => {
                debug!("conn {}: the source cannot describe {like}: {e}", self.id);
                return None;
            }
        };
        let d = Arc::new(metadata::Description {
            columns,
            temporary: false,
        });
        self.columns.insert(key, d.clone());
        Some(d)
    }

    /// Forgets how the source described queries (a SET may have changed
    /// the result character set).
    fn forget_descriptions(&mut self) {
        self.columns.clear();
        self.results_charset = None;
    }

    /// The session's character_set_results and the source's character
    /// sets, for describing columns vdb holds the definitions of (asked
    /// once: the first per session until a SET, the second per process).
    fn result_charsets(&mut self) -> (Option<String>, Arc<table_columns::Charsets>) {
        let Some(up) = self.upstream.as_mut() else {
            return (None, Arc::default());
        };
        let charsets = match self.shared.charsets.get() {
            Some(c) => c.clone(),
            None => {
                let rows: Vec<(u16, String, String, bool, u32)> = up
                    .query(table_columns::Charsets::QUERY)
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|r| {
                        let text = |i: usize| {
                            r.get(i)?
                                .as_deref()
                                .map(|b| String::from_utf8_lossy(b).into_owned())
                        };
                        Some((
                            text(0)?.parse().ok()?,
                            text(1)?,
                            text(2)?,
                            text(3)? == "1",
                            text(4)?.parse().ok()?,
                        ))
                    })
                    .collect();
                self.shared
                    .charsets
                    .get_or_init(|| Arc::new(table_columns::Charsets::from_rows(&rows)))
                    .clone()
            }
        };
        if self.results_charset.is_none() {
            let results = up
                .query("SELECT @@character_set_results")
                .ok()
                .and_then(|rows| rows.into_iter().next())
                .and_then(|r| r.into_iter().next().flatten())
                .map(|b| String::from_utf8_lossy(&b).into_owned());
            self.results_charset = Some(results);
        }
        (self.results_charset.clone().flatten(), charsets)
    }

    /// What describing the results of `sql`, rewritten with `derived`
    /// spliced in, takes; `None` when nothing was spliced.
    fn rewritten_read(&self, sql: &[u8], rewritten: Rewritten) -> Option<Arc<RewrittenRead>> {
        (!rewritten.derived.is_empty() || !rewritten.items.is_empty()).then(|| {
            Arc::new(RewrittenRead {
                text: sql.to_vec(),
                shape: metadata::shape(sql, self.lex),
                derived: rewritten.derived,
                created: rewritten.created,
                items: rewritten.items,
            })
        })
    }

    fn overlay(&mut self, sql: &[u8], probing: bool) -> Result<Option<Rewritten>, OverlayError> {
        self.overlay_ahead(sql, probing, None)
    }

    /// [`Self::overlay`]; a probe sends `ahead` (the text that goes to the
    /// source when nothing is spliced) right behind it, when it may run
    /// ahead (see [`may_run_ahead`], checked only once a probe happens).
    fn overlay_ahead(
        &mut self,
        sql: &[u8],
        probing: bool,
        ahead: Option<&[u8]>,
    ) -> Result<Option<Rewritten>, OverlayError> {
        let state = self.read_view();
        if state.is_empty() {
            return Ok(None);
        }
        let db = self
            .db
            .as_ref()
            .map(|d| String::from_utf8_lossy(d).into_owned());
        let upstream = self.upstream.as_mut().filter(|_| probing);
        let Some(up) = upstream else {
            let text = rewrite_traced(sql, &state, db.as_deref(), None)?;
            return self.fits(text);
        };
        let text = {
            let mut prober = prober(up, ahead.map(|text| (text, self.lex)));
            rewrite_traced(sql, &state, db.as_deref(), Some(&mut prober))?
        };
        self.fits(text)
    }

    /// A rewritten text the source would refuse as too large (a read that
    /// embeds a large delta whole: no key restriction narrows it) is
    /// refused here, by name, instead of costing the source connection.
    fn fits(&self, text: Option<Rewritten>) -> Result<Option<Rewritten>, OverlayError> {
        let limit = self.shared.source_info.max_packet;
        match text {
            Some(t) if t.text.len() >= limit => {
                Err(OverlayError::Upstream(UpstreamError::TooLarge {
                    len: t.text.len(),
                    limit,
                }))
            }
            t => Ok(t),
        }
    }

    /// Tells the client why the overlay could not serve its statement.
    fn overlay_failed(&mut self, seq: u8, e: OverlayError) -> Result<(), SessionEnd> {
        match e {
            OverlayError::Upstream(UpstreamError::Server { payload, .. }) => {
                // An error of vdb's own query about the client's statement.
                if let Some((code, message)) = err_parts(&payload) {
                    self.warnings = Some(vec![("Error", code, message)]);
                }
                write_packet(self.client.get_mut(), seq, &payload)?;
            }
            OverlayError::Upstream(UpstreamError::TooLarge { len, limit }) => {
                let e = ClientError::BeyondPacket {
                    what: "a statement whose merged view of changed tables",
                    len,
                    limit,
                    hint: "narrow it by key (a WHERE on the key, or a LIMIT on a scan), or raise max_allowed_packet on the source",
                };
                self.send_error(seq, &e)?;
            }
            OverlayError::Upstream(other) => {
                self.upstream = None;
                self.send_error(seq, &ClientError::SourceLost(other.to_string()))?;
            }
            OverlayError::Server {
                code,
                state,
                message,
            } => {
                debug!("conn {} write failed: {code} {message}", self.id);
                self.send_error_raw(seq, code, &state, &message)?;
            }
            OverlayError::Unsupported(what) => {
                debug!("conn {} refused ({what})", self.id);
                self.send_error(seq, &ClientError::NotCapturable(what))?;
            }
            OverlayError::LockWait(_) => self.send_error(seq, &ClientError::LockWaitTimeout)?,
        }
        Ok(())
    }

    /// An INSERT, REPLACE, UPDATE or DELETE: computed over the merged view
    /// and stored in the delta; the source is not written.
    fn capture(&mut self, sql: &[u8], seq: u8) -> Result<bool, SessionEnd> {
        if !self.ensure_upstream(seq)? {
            return Ok(true);
        }
        if self.txn.as_ref().is_some_and(|t| t.read_only) {
            // ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
            self.send_error_raw(
                seq,
                1792,
                "25006",
                "Cannot execute statement in a READ ONLY transaction",
            )?;
            return Ok(true);
        }
        self.read_found_rows_first();
        let mut deadline = None;
        let result = loop {
            // Writes read the latest committed rows, as InnoDB's do.
            let seen = self.rebase_transaction();
            let before = self.txn_state();
            // UPDATE and DELETE hand out no AUTO_INCREMENT values.
            let allocates = !(starts_with_word(sql, "UPDATE") || starts_with_word(sql, "DELETE"));
            let result = self.in_transaction_counters(allocates, |s| {
                s.with_write_context(|cx| execute_write(cx, sql))
            });
            if allocates && self.txn.as_ref().is_some_and(|t| t.delta.is_some()) {
                self.show_counters(&[]);
            }
            if let Err(OverlayError::LockWait(holder)) = result {
                match self.wait_for_lock(holder, &mut deadline, None) {
                    Ok(()) => continue,
                    Err(e) => {
                        self.lock_failed(seq, e)?;
                        return Ok(true);
                    }
                }
            }
            if let (Ok(_), Some(before)) = (&result, before) {
                if self.committed_under(&seen, &before) {
                    // Another transaction committed a row this one changed
                    // after it was read and before it was locked: run the
                    // statement again on the latest rows (its locks are
                    // held now, so they stay put).
                    self.restore_txn_state(before);
                    continue;
                }
            }
            break result;
        };
        if self.txn.is_none() {
            // An autocommit statement's locks end with it.
            self.shared.locks.release_all(self.id);
        }
        let before = self.found_rows_before();
        self.found_rows = match crate::sql::write::found_rows_after(sql, self.lex) {
            crate::sql::write::FoundRowsAfter::Kept => before,
            crate::sql::write::FoundRowsAfter::Selected => result
                .as_ref()
                .ok()
                .and_then(|o| records(&o.info))
                .map_or(FoundRows::Unknown, FoundRows::Known),
            crate::sql::write::FoundRowsAfter::Unknown => FoundRows::Unknown,
        };
        match result {
            Ok(outcome) => {
                debug!(
                    "conn {} captured ({} rows): {}",
                    self.id,
                    outcome.affected,
                    shorten(sql)
                );
                if let Some(id) = outcome.generated_id {
                    // The source session's own LAST_INSERT_ID() (and
                    // @@identity) now answer with the captured id.
                    let up = self.upstream.as_mut().expect("ensured above");
                    if let Err(e) = up.query(&format!("SELECT LAST_INSERT_ID({id})")) {
                        warn!("conn {}: cannot set LAST_INSERT_ID: {e}", self.id);
                    }
                }
                self.row_count = Some(outcome.affected as i64);
                if let Some(returning) = &outcome.returning {
                    // The written rows as the client's select list shows
                    // them: the source evaluates it over their literals.
                    let mut p = Vec::with_capacity(returning.len() + 1);
                    p.push(0x03);
                    p.extend_from_slice(returning.as_bytes());
                    self.forward(&p, Expect::Query, seq)?;
                    return Ok(true);
                }
                self.send_outcome(seq, &outcome, outcome.last_insert_id)?;
            }
            Err(e) => {
                self.overlay_failed(seq, e)?;
                self.row_count = Some(-1);
            }
        }
        Ok(true)
    }

    /// `sql` with ROW_COUNT() and FOUND_ROWS() answering the counts vdb
    /// keeps for the client (after a captured write, ROW_COUNT() is the
    /// write's; FOUND_ROWS() the last query's before vdb's own statements),
    /// for a text query and a prepared execution alike; `None` when it calls neither or
    /// the source's own answers are right. An error names what vdb cannot
    /// answer: FOUND_ROWS() after a write whose count it does not follow.
    fn counts_answered(
        &self,
        sql: &[u8],
        row_count: Option<i64>,
    ) -> Result<Option<Vec<u8>>, String> {
        use crate::sql::row_count::{calls_found_rows, substitute, substitute_found_rows};
        let text = row_count.and_then(|count| substitute(sql, self.lex, count));
        Ok(match self.found_rows {
            FoundRows::Source => text,
            FoundRows::Known(n) => {
                substitute_found_rows(text.as_deref().unwrap_or(sql), self.lex, n).or(text)
            }
            FoundRows::Unknown if calls_found_rows(sql, self.lex) => {
                return Err(FOUND_ROWS_UNKNOWN.into())
            }
            FoundRows::Unknown => text,
        })
    }

    /// While FOUND_ROWS() is the source session's, has it read in front of
    /// vdb's next command of its own (see [`Self::found_rows_before`]);
    /// whether it was asked for.
    fn read_found_rows_first(&mut self) -> bool {
        if self.found_rows != FoundRows::Source {
            return false;
        }
        if let Some(up) = self.upstream.as_mut() {
            up.read_found_rows_first();
        }
        true
    }

    /// A query the client runs at the source sets FOUND_ROWS() there, the
    /// client's again.
    fn found_rows_from_source(&mut self) {
        self.found_rows = FoundRows::Source;
        if let Some(up) = self.upstream.as_mut() {
            up.take_found_rows();
        }
    }

    /// FOUND_ROWS() as the client had it before the statement vdb just
    /// carried out, whose own statements at the source replaced the
    /// source session's (the probe read it in front of the first).
    fn found_rows_before(&mut self) -> FoundRows {
        if self.found_rows != FoundRows::Source {
            return self.found_rows;
        }
        match self.upstream.as_mut().and_then(|up| up.take_found_rows()) {
            // Nothing went to the source.
            None => FoundRows::Source,
            Some(Some(n)) => FoundRows::Known(n),
            Some(None) => FoundRows::Unknown,
        }
    }

    /// A captured CREATE TABLE or DROP TABLE. DDL commits an open
    /// transaction first, as in MySQL, so the schema delta only changes in
    /// the shared delta.
    fn capture_ddl(&mut self, sql: &[u8], seq: u8) -> Result<bool, SessionEnd> {
        self.capture_ddl_committing(sql, seq, true)
    }

    /// [`Self::capture_ddl`]; without `commit`, an open transaction stays
    /// open and the DDL goes to the process's delta (a temporary table's).
    fn capture_ddl_committing(
        &mut self,
        sql: &[u8],
        seq: u8,
        commit: bool,
    ) -> Result<bool, SessionEnd> {
        if !self.ensure_upstream(seq)? {
            return Ok(true);
        }
        if commit {
            self.implicit_commit();
        }
        self.read_found_rows_first();
        let result = self.write_context_on(!commit, |cx| crate::overlay::ddl::execute_ddl(cx, sql));
        // DDL keeps it, but CREATE TABLE ... SELECT (below).
        self.found_rows = self.found_rows_before();
        match result {
            Ok(outcome) => {
                debug!("conn {} captured DDL: {}", self.id, shorten(sql));
                if creates_table(sql, self.lex) {
                    if let Some(n) = records(&outcome.info) {
                        self.found_rows = FoundRows::Known(n);
                    }
                }
                self.dropped_own_database(sql);
                self.send_outcome(seq, &outcome, 0)?;
                // An ALTER that copies, or CREATE TABLE ... SELECT, counts
                // its rows there too.
                self.row_count = Some(outcome.affected as i64);
            }
            Err(e) => {
                self.overlay_failed(seq, e)?;
                self.row_count = Some(-1);
            }
        }
        Ok(true)
    }

    /// Answers a statement vdb carried out itself: an OK packet with its
    /// affected rows, `last_insert_id` and info, counting the notes and
    /// warnings it left, which SHOW WARNINGS then lists.
    fn send_outcome(
        &mut self,
        seq: u8,
        outcome: &crate::overlay::write::WriteOutcome,
        last_insert_id: u64,
    ) -> io::Result<()> {
        let left = outcome.left_behind();
        let ok = ok_payload(
            outcome.affected,
            last_insert_id,
            self.status(),
            left.len() as u16,
            outcome.info.as_bytes(),
        );
        write_packet(self.client.get_mut(), seq, &ok)?;
        self.warnings = Some(left);
        Ok(())
    }

    /// Commits an open transaction, in the delta and at the source, as
    /// MySQL's implicit commit before DDL does.
    fn implicit_commit(&mut self) {
        if self.txn.is_none() {
            return;
        }
        self.commit_transaction();
        if let Some(up) = self.upstream.as_mut() {
            if let Err(e) = up.query("COMMIT") {
                warn!("conn {}: cannot end the source transaction: {e}", self.id);
            }
        }
    }

    /// Runs `f` with what computing a write needs (the source connection
    /// must be open).
    fn with_write_context<T>(&mut self, f: impl FnOnce(&mut WriteContext) -> T) -> T {
        self.write_context_on(false, f)
    }

    /// [`Self::with_write_context`] on the process's delta (`shared`) even
    /// in a transaction: DDL on a temporary table, which the transaction
    /// does not hold.
    fn write_context_on<T>(&mut self, shared: bool, f: impl FnOnce(&mut WriteContext) -> T) -> T {
        let db = self
            .db
            .as_ref()
            .map(|d| String::from_utf8_lossy(d).into_owned());
        let up = self.upstream.as_mut().expect("the caller ensured it");
        let mut cx = WriteContext {
            up,
            delta: match self.txn.as_ref().and_then(|t| t.delta.as_ref()) {
                Some(d) if !shared => d,
                _ => &self.shared.delta,
            },
            db,
            lex: self.lex,
            found_rows: self.capabilities.contains(Cap::CLIENT_FOUND_ROWS),
            locks: Some((&self.shared.locks, self.id)),
            invoked_by: Vec::new(),
            memo: &mut self.write_memo,
        };
        f(&mut cx)
    }

    /// Status flags for an OK packet vdb writes itself.
    fn status(&self) -> u16 {
        let mut s = 0;
        if self.autocommit {
            s |= STATUS_AUTOCOMMIT;
        }
        if self.txn.is_some() || self.upstream_status & STATUS_IN_TRANS != 0 {
            s |= STATUS_IN_TRANS;
        }
        if self.lex.no_backslash_escapes {
            s |= STATUS_NO_BACKSLASH_ESCAPES;
        }
        if self.lex.ansi_quotes && self.shared.source_is_mariadb() {
            s |= STATUS_ANSI_QUOTES;
        }
        s
    }

    /// Whether `sql` may read column privileges, which are shown as a
    /// client of vdb has them (see [`privileges`]); `Some(true)` when they
    /// are information_schema's own columns'.
    fn privileges_shown(&self, sql: &[u8]) -> Option<bool> {
        let db = self.db.as_ref().map(|d| String::from_utf8_lossy(d));
        crate::overlay::catalog::privileges_shown(sql, self.lex, db.as_deref())
    }

    /// Sends a command to the source and relays its response. Returns
    /// `None` when the source failed (the client has been told).
    fn forward(
        &mut self,
        payload: &[u8],
        expect: Expect,
        seq: u8,
    ) -> Result<Option<crate::protocol::response::Relayed>, SessionEnd> {
        self.forward_patched(payload, expect, seq, None)
    }

    /// [`Self::forward`], with the result sets' column definitions (and
    /// text rows) offered to `patch` on the way.
    fn forward_patched(
        &mut self,
        payload: &[u8],
        expect: Expect,
        seq: u8,
        patch: Option<&mut dyn ResultPatch>,
    ) -> Result<Option<crate::protocol::response::Relayed>, SessionEnd> {
        if !self.ensure_upstream(seq)? {
            return Ok(None);
        }
        let up = self.upstream.as_mut().expect("ensured above");
        if let Err(e) = up.send(payload) {
            self.upstream = None;
            self.send_error(seq, &ClientError::SourceLost(e.to_string()))?;
            return Ok(None);
        }
        let deprecate_eof = up.deprecate_eof();
        let result = relay(
            up.reader(),
            self.client.get_mut(),
            expect,
            deprecate_eof,
            seq,
            &mut self.scratch,
            &mut self.out,
            patch,
        );
        match result {
            Ok(r) => {
                // A query's or execution's response always ends in a
                // status (0 is a status too: autocommit off, no flags).
                let has_status = matches!(expect, Expect::Query | Expect::Execute) || r.status != 0;
                if r.error.is_none() && has_status {
                    self.upstream_status = r.status;
                    self.autocommit = r.status & STATUS_AUTOCOMMIT != 0;
                    // The source reports these sql_mode bits in every status
                    // (ANSI_QUOTES only on MariaDB): keep lexing in step even
                    // when a prepared SET changed them.
                    self.lex.no_backslash_escapes = r.status & STATUS_NO_BACKSLASH_ESCAPES != 0;
                    if self.shared.source_is_mariadb() {
                        self.lex.ansi_quotes = r.status & STATUS_ANSI_QUOTES != 0;
                    }
                }
                Ok(Some(r))
            }
            Err(RelayError::Client(e)) => Err(SessionEnd::Client(format!(
                "client went away mid-response: {e}"
            ))),
            Err(RelayError::Upstream {
                cause, next_seq, ..
            }) => {
                warn!("conn {}: lost the source connection: {cause}", self.id);
                self.upstream = None;
                self.send_error(next_seq, &ClientError::SourceLost(cause))?;
                Ok(None)
            }
        }
    }

    /// KILL for one of vdb's own connections: its statement at the source
    /// is stopped with `KILL QUERY` on its upstream thread (the source
    /// account may kill its own threads), and for `KILL CONNECTION` its
    /// client socket is closed. Ids that are not vdb's get 1094, so no other
    /// user's source thread can ever be killed through vdb.
    fn kill(&mut self, query_only: bool, id: u64, seq: u8) -> Result<bool, SessionEnd> {
        let Some((target, upstream_id, client)) = self.shared.find_session(id) else {
            self.send_error(seq, &ClientError::NoSuchThread(id))?;
            return Ok(true);
        };
        if !query_only {
            if let Some(c) = client {
                let _ = c.shutdown(std::net::Shutdown::Both);
            }
            if target == self.id {
                return Ok(false);
            }
        }
        if target != self.id {
            if !self.ensure_upstream(seq)? {
                return Ok(true);
            }
            let up = self.upstream.as_mut().expect("ensured above");
            match up.query(&format!("KILL QUERY {upstream_id}")) {
                Ok(_) => {}
                // The statement already ended: nothing to stop.
                Err(UpstreamError::Server { code: 1094, .. }) => {}
                Err(e) => {
                    self.upstream_failed(seq, e)?;
                    return Ok(true);
                }
            }
        }
        write_packet(
            self.client.get_mut(),
            seq,
            &ok_payload(0, 0, STATUS_AUTOCOMMIT, 0, b""),
        )?;
        Ok(true)
    }

    /// LOCK TABLES ... READ | WRITE: an implicit commit, then only the
    /// named tables may be used, and only those locked WRITE written, until
    /// UNLOCK TABLES (how mariadb-dump's output loads its tables). The
    /// locks are the session's own: other connections are not held off
    /// (vdb serves one process's clients; the source is never locked, and
    /// writes are captured in any case).
    fn lock_tables(
        &mut self,
        tables: Vec<crate::sql::classify::LockedTable>,
        seq: u8,
    ) -> Result<bool, SessionEnd> {
        if !self.ensure_upstream(seq)? {
            return Ok(true);
        }
        self.implicit_commit();
        debug!(
            "conn {} locked {} tables ({} for writing)",
            self.id,
            tables.len(),
            tables.iter().filter(|t| t.3).count()
        );
        self.locked = Some(tables);
        let ok = ok_payload(0, 0, self.status(), 0, b"");
        write_packet(self.client.get_mut(), seq, &ok)?;
        Ok(true)
    }

    /// Under LOCK TABLES: the server's error for a statement that uses a
    /// table not locked (1100) or writes a table not locked WRITE (1099).
    /// information_schema, SHOW and statements vdb cannot analyse pass.
    fn not_locked(&self, sql: &[u8]) -> Option<(u16, String)> {
        let locked = self.locked.as_ref()?;
        let db = self
            .db
            .as_ref()
            .map(|d| String::from_utf8_lossy(d).into_owned());
        let not_locked = |name: &str| {
            Some((
                1100,
                format!("Table '{name}' was not locked with LOCK TABLES"),
            ))
        };
        // A table written (or altered) must be locked, and locked WRITE.
        let unwritable = |schema: &Option<String>, name: &str| {
            let schema = schema.clone().or_else(|| db.clone());
            let lock = locked.iter().find(|(ls, lt, _, _)| {
                lt.eq_ignore_ascii_case(name) && ls.clone().or_else(|| db.clone()) == schema
            });
            match lock {
                None => not_locked(name),
                Some((.., false)) => Some((
                    1099,
                    format!("Table '{name}' was locked with a READ lock and can't be updated"),
                )),
                Some(_) => None,
            }
        };
        // ALTER TABLE: mariadb-dump's DISABLE KEYS.
        if let Some((schema, name)) = crate::sql::classify::altered_table(sql, self.lex) {
            return unwritable(&schema, &name);
        }
        let text = std::str::from_utf8(sql).ok()?;
        let refs = crate::sql::tables::table_refs(text).ok()?;
        for r in &refs {
            let schema = r.schema.clone().or_else(|| db.clone());
            if schema.as_deref().is_some_and(|s| {
                ["information_schema", "performance_schema", "vdb"]
                    .iter()
                    .any(|x| s.eq_ignore_ascii_case(x))
            }) {
                continue;
            }
            // A table used under an alias must be locked under it.
            let held = locked.iter().any(|(ls, lt, alias, _)| {
                let lschema = ls.clone().or_else(|| db.clone());
                let same_alias = match (alias, &r.alias) {
                    (None, None) => true,
                    (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                    _ => false,
                };
                lt.eq_ignore_ascii_case(&r.name) && lschema == schema && same_alias
            });
            if !held {
                return not_locked(r.alias.as_deref().unwrap_or(&r.name));
            }
        }
        if starts_with_write(sql, self.lex) {
            use crate::sql::write::{parse_write, Write};
            let target = match parse_write(sql, self.lex) {
                Ok(Write::Insert(w)) => Some(w.table),
                Ok(Write::Update(w)) => Some(w.table),
                Ok(Write::Delete(w)) => Some(w.table),
                _ => refs.first().map(|r| crate::sql::write::TableName {
                    schema: r.schema.clone(),
                    name: r.name.clone(),
                }),
            };
            return target.and_then(|t| unwritable(&t.schema, &t.name));
        }
        None
    }

    /// A read of `vdb.*` control tables: answered by the source over the
    /// derived tables the control interface splices in.
    fn control_query(&mut self, sql: &[u8], seq: u8) -> Result<bool, SessionEnd> {
        // vdb.changes and vdb.export() read before-images from the source.
        if !self.ensure_upstream(seq)? {
            return Ok(true);
        }
        if let Some(c) = admin::parse_call(sql, self.lex) {
            // The call acts on the shared delta: an open transaction of
            // this session commits first, as before DDL.
            self.implicit_commit();
            let state = self.delta().current();
            let shared = self.shared;
            let up = self.upstream.as_mut().expect("ensured above");
            let mut source = |q: &str| up.query(q).map_err(|e| e.to_string());
            match admin::call(shared, &c, &state, &mut source) {
                Ok(Called::Done) => {
                    debug!("conn {} ran vdb.{}({:?})", self.id, c.procedure, c.args);
                    let ok = ok_payload(0, 0, self.status(), 0, b"");
                    write_packet(self.client.get_mut(), seq, &ok)?;
                }
                Ok(Called::Rows(column, rows)) => {
                    debug!(
                        "conn {} ran vdb.{}(): {} rows",
                        self.id,
                        c.procedure,
                        rows.len()
                    );
                    let status = self.status();
                    let deprecate_eof = self.capabilities.contains(Cap::CLIENT_DEPRECATE_EOF);
                    write_procedure_result(
                        self.client.get_mut(),
                        seq,
                        column,
                        &rows,
                        status,
                        deprecate_eof,
                    )?;
                }
                Ok(Called::NoSuchProcedure(name)) => {
                    self.send_error(seq, &ClientError::NoSuchControlProcedure(name))?
                }
                Err(why) => self.send_error(seq, &ClientError::ControlFailed(why))?,
            }
            return Ok(true);
        }
        let state = self.delta().current();
        let shared = self.shared;
        let up = self.upstream.as_mut().expect("ensured above");
        let mut source = |q: &str| up.query(q).map_err(|e| e.to_string());
        let rewritten = match std::str::from_utf8(sql) {
            Ok(text) => admin::rewrite(text, shared, &state, &mut source),
            Err(_) => Err(AdminError::Unanalysable("not UTF-8".into())),
        };
        match rewritten {
            Ok(text) => {
                debug!("conn {} answered from vdb.*: {}", self.id, shorten(sql));
                // It may read changed tables too.
                let text = match self.overlay(text.as_bytes(), true) {
                    Ok(Some(t)) => t.text,
                    Ok(None) => text,
                    Err(e) => {
                        self.overlay_failed(seq, e)?;
                        return Ok(true);
                    }
                };
                let limit = self.shared.source_info.max_packet;
                if text.len() >= limit {
                    let e = ClientError::BeyondPacket {
                        what: "a read of vdb.* tables",
                        len: text.len(),
                        limit,
                        hint: "filter vdb.changes by table_schema, table_name or op, or raise max_allowed_packet on the source",
                    };
                    self.send_error(seq, &e)?;
                    return Ok(true);
                }
                let mut p = Vec::with_capacity(text.len() + 1);
                p.push(0x03);
                p.extend_from_slice(text.as_bytes());
                self.forward(&p, Expect::Query, seq)?;
            }
            Err(AdminError::Failed(why)) => {
                self.send_error(seq, &ClientError::ControlFailed(why))?
            }
            Err(AdminError::UnknownTable(name)) => {
                self.send_error(seq, &ClientError::NoSuchControlTable(name))?
            }
            Err(AdminError::Unanalysable(why)) => {
                debug!(
                    "conn {} refused a vdb.* statement it cannot analyse ({why})",
                    self.id
                );
                let r = Refusal {
                    statement: "a statement over vdb.* that vdb cannot analyse".into(),
                    capturable: false,
                };
                self.send_error(seq, &ClientError::Refused(r))?;
            }
        }
        Ok(true)
    }

    /// COM_STMT_PREPARE: the client gets vdb's own statement id, mapped to
    /// the source's, and the text is kept so the statement can be prepared
    /// again on a new source connection.
    ///
    /// A statement over changed tables is prepared over the merged view,
    /// and prepared again before an execution when the delta has changed
    /// since (see [`Session::refresh_prepared`]).
    fn prepare(&mut self, packet: &[u8], seq: u8) -> Result<(), SessionEnd> {
        let client_id = self.next_stmt_id;
        let original = packet[1..].to_vec();
        let state = self.read_view();
        let mut version = state.version;
        let db = self
            .db
            .as_ref()
            .map(|d| String::from_utf8_lossy(d).into_owned());
        let (text, read) = if crate::overlay::touches_changed(&original, &state, db.as_deref()) {
            // Each execution is narrowed by its values (or, when it cannot
            // be, prepared again over the whole merged view first): the
            // source prepares the client's own text, which describes the
            // statement as the source would, and never executes it as it
            // is (no delta version matches).
            version = u64::MAX;
            // A table created (or altered) through vdb is not at the source
            // as vdb has it: then the merged view's text is what the source
            // prepares, and vdb describes the columns of such tables itself.
            let merged = (!state.schema.created.is_empty())
                .then(|| rewrite_traced(&original, &state, db.as_deref(), None))
                .and_then(|r| r.ok().flatten())
                .filter(|r| !r.created.is_empty());
            let read = Arc::new(RewrittenRead {
                text: original.clone(),
                shape: metadata::shape(&original, self.lex),
                derived: merged
                    .as_ref()
                    .map(|m| m.derived.clone())
                    .unwrap_or_default(),
                created: merged
                    .as_ref()
                    .map(|m| m.created.clone())
                    .unwrap_or_default(),
                items: merged.as_ref().map(|m| m.items.clone()).unwrap_or_default(),
            });
            let text = merged.map_or_else(|| original.clone(), |m| m.text.into_bytes());
            (text, Some(read))
        } else {
            (original.clone(), None)
        };
        let mut p = Vec::with_capacity(text.len() + 1);
        p.push(0x16);
        p.extend_from_slice(&text);
        let relayed = match &read {
            None => self.forward(&p, Expect::Prepare(client_id), seq)?,
            Some(r) => {
                let mut patch = self
                    .meta_patch(&original, &r.shape, &r.derived, &r.created, None, false)
                    .with_items(&r.items);
                self.forward_patched(&p, Expect::Prepare(client_id), seq, Some(&mut patch))?
            }
        };
        if let Some(ok) = relayed.and_then(|r| r.prepared) {
            self.next_stmt_id = self.next_stmt_id.wrapping_add(1).max(1);
            self.prepared.insert(
                client_id,
                PreparedStmt {
                    delta_version: version,
                    read,
                    params: ok.params,
                    ..PreparedStmt::new(text, ok.id, original)
                },
            );
        }
        Ok(())
    }

    /// Before an execution: when the delta changed since the statement was
    /// prepared and its merged-view text differs, prepares the new text at
    /// the source and closes the old one. Returns false when the client has
    /// been sent an error instead.
    fn refresh_prepared(&mut self, packet: &[u8], seq: u8) -> Result<bool, SessionEnd> {
        let id = stmt_id(packet);
        let state = self.read_view();
        let Some(stmt) = self.prepared.get(&id) else {
            return Ok(true);
        };
        if stmt.delta_version == state.version {
            return Ok(true);
        }
        let (original, prepared_text, old_id) =
            (stmt.original.clone(), stmt.text.clone(), stmt.upstream_id);
        let (text, read) = match self.overlay(&original, false) {
            Ok(Some(t)) => (
                t.text.clone().into_bytes(),
                self.rewritten_read(&original, t),
            ),
            Ok(None) => (original, None),
            Err(e) => {
                self.overlay_failed(seq, e)?;
                return Ok(false);
            }
        };
        if let Some(stmt) = self.prepared.get_mut(&id) {
            stmt.read = read;
        }
        if text != prepared_text {
            if !self.ensure_upstream(seq)? {
                return Ok(false);
            }
            let up = self.upstream.as_mut().expect("ensured above");
            match up.prepare(&text) {
                Ok(new_id) => {
                    let mut close = vec![0x19];
                    close.extend_from_slice(&old_id.to_le_bytes());
                    if up.send(&close).is_err() {
                        self.upstream = None;
                    }
                    let stmt = self.prepared.get_mut(&id).expect("looked up above");
                    stmt.text = text;
                    stmt.upstream_id = new_id;
                    stmt.types_sent = false;
                }
                Err(e) => {
                    self.upstream_failed(seq, e)?;
                    return Ok(false);
                }
            }
        }
        if let Some(stmt) = self.prepared.get_mut(&id) {
            stmt.delta_version = state.version;
        }
        Ok(true)
    }

    /// The prepared write a statement command names.
    fn write_stmt(&mut self, packet: &[u8]) -> Option<&mut PreparedStmt> {
        self.prepared.get_mut(&stmt_id(packet)).filter(|s| s.write)
    }

    /// A statement command with the client's statement id replaced by the
    /// source's, in a reused buffer; None for an id vdb never gave out.
    ///
    /// A client binds parameter types once, on its first execution; when
    /// the source's statement is newer than that (prepared again over a
    /// changed delta, or after a reconnect), the types are put back into
    /// the first execution it sees.
    fn stmt_packet(&mut self, packet: &[u8]) -> Option<Vec<u8>> {
        let stmt = self.prepared.get_mut(&stmt_id(packet))?;
        let mut p = std::mem::take(&mut self.stmt_buf);
        p.clear();
        p.extend_from_slice(packet);
        p[1..5].copy_from_slice(&stmt.upstream_id.to_le_bytes());
        if packet.first() == Some(&0x17) {
            let n = stmt.params as usize;
            if let Some(types) = bound_types(packet, n) {
                stmt.types = types;
                stmt.types_sent = true;
            } else if !stmt.types_sent {
                if let Some(typed) = with_types(&p, n, &stmt.types) {
                    p = typed;
                    stmt.types_sent = true;
                }
            }
        }
        Some(p)
    }

    /// Forwards a statement command, translating its statement id; an
    /// unknown id gets the server's own error (ER_UNKNOWN_STMT_HANDLER).
    fn forward_stmt(
        &mut self,
        packet: &[u8],
        expect: Expect,
        seq: u8,
        function: &str,
    ) -> Result<Option<crate::protocol::response::Relayed>, SessionEnd> {
        if packet.len() < 5 {
            self.send_error(
                seq,
                &ClientError::Malformed("statement command without an id"),
            )?;
            return Ok(None);
        }
        // Reconnect first: the translation needs the new source ids.
        if !self.ensure_upstream(seq)? {
            return Ok(None);
        }
        let (read, shown, sets) = match self.prepared.get(&stmt_id(packet)) {
            Some(s) if expect == Expect::Execute => (
                s.read.clone(),
                self.privileges_shown(&s.original),
                crate::sql::row_count::sets_found_rows(&s.original, self.lex),
            ),
            _ => (None, None, false),
        };
        match self.stmt_packet(packet) {
            Some(p) => {
                if sets {
                    self.found_rows_from_source();
                }
                let r = match (read, shown) {
                    (None, None) => self.forward(&p, expect, seq),
                    (None, Some(catalog)) => {
                        let mut patch = Privileges::new(None, catalog);
                        self.forward_patched(&p, expect, seq, Some(&mut patch))
                    }
                    (Some(r), shown) => {
                        let mut patch = self
                            .meta_patch(&r.text, &r.shape, &r.derived, &r.created, None, true)
                            .with_items(&r.items);
                        patch.cursor = prepared::opens_cursor(&p);
                        match shown {
                            Some(catalog) => {
                                let mut patch = Privileges::new(Some(&mut patch), catalog);
                                self.forward_patched(&p, expect, seq, Some(&mut patch))
                            }
                            None => self.forward_patched(&p, expect, seq, Some(&mut patch)),
                        }
                    }
                };
                self.stmt_buf = p;
                r
            }
            None => {
                let e = ClientError::UnknownStatement {
                    id: stmt_id(packet),
                    function: function.to_string(),
                };
                self.send_error(seq, &e)?;
                Ok(None)
            }
        }
    }

    /// Counts a statement for this connection's close line and vdb.status.
    fn count_statement(&mut self) {
        self.statements += 1;
        self.shared.statements.fetch_add(1, Ordering::Relaxed);
    }

    /// Makes sure there is a source connection, reconnecting when the last
    /// one was lost. When that fails the client has been told (the source's
    /// own error, or 2003) and the answer is false.
    fn ensure_upstream(&mut self, seq: u8) -> Result<bool, SessionEnd> {
        if self.upstream.is_some() {
            return Ok(true);
        }
        if let Err(e) = self.open_upstream() {
            self.upstream = None;
            match e {
                UpstreamError::Server { payload, .. } => {
                    write_packet(self.client.get_mut(), seq, &payload)?;
                }
                other => {
                    self.send_error(seq, &ClientError::SourceUnreachable(other.to_string()))?
                }
            }
            return Ok(false);
        }
        Ok(true)
    }

    fn upstream_failed(&mut self, seq: u8, e: UpstreamError) -> Result<(), SessionEnd> {
        self.upstream = None;
        match e {
            UpstreamError::Server { payload, .. } => {
                write_packet(self.client.get_mut(), seq, &payload)?;
            }
            other => self.send_error(seq, &ClientError::SourceLost(other.to_string()))?,
        }
        Ok(())
    }

    /// COM_CHANGE_USER: the client re-authenticates against vdb's
    /// credentials; the source session is reset (it keeps the source account)
    /// and gets the requested database and character set.
    fn change_user(&mut self, packet: &[u8]) -> Result<(), SessionEnd> {
        let Some(parsed) = ChangeUser::parse(&packet[1..], self.capabilities) else {
            self.send_error(1, &ClientError::Malformed("COM_CHANGE_USER"))?;
            return Err(SessionEnd::Client("malformed COM_CHANGE_USER".into()));
        };
        let cfg = &self.shared.config;
        let verified = handshake::authenticate(
            self.client.get_mut(),
            1,
            &self.nonce,
            &handshake::Account {
                plugin: self.plugin,
                user: &cfg.user,
                password: &cfg.password,
            },
            &handshake::Answer {
                plugin: parsed.plugin.as_deref(),
                user: &parsed.user,
                data: &parsed.auth,
            },
            &self.host,
        );
        let (nonce, seq) = match verified {
            Ok(v) => v,
            Err(HandshakeError::AccessDenied { user }) => {
                info!("conn {}: change user to '{user}' denied", self.id);
                return Err(SessionEnd::Client(
                    "access denied on COM_CHANGE_USER".into(),
                ));
            }
            Err(e) => return Err(SessionEnd::Client(e.to_string())),
        };
        self.nonce = nonce;
        if let Some(c) = parsed.collation {
            self.collation = c;
        }
        self.db = parsed.database;
        self.replay.clear();
        self.forget_descriptions();
        self.prepared.clear();
        self.rollback_transaction();
        self.autocommit = true;
        self.isolation = Default::default();
        self.next_isolation = None;
        // A fresh source session with the new database and character set.
        if let Some(up) = self.upstream.take() {
            up.quit();
        }
        match self.open_upstream() {
            Ok(()) => {
                write_packet(
                    self.client.get_mut(),
                    seq,
                    &ok_payload(0, 0, STATUS_AUTOCOMMIT, 0, b""),
                )?;
            }
            Err(e) => self.upstream_failed(seq, e)?,
        }
        Ok(())
    }
}

/// How many spliced derived tables make a read ask MariaDB for the
/// automatic join-order search depth.
const MANY_DERIVED: usize = 8;

/// Whether the text's first word (after spaces) is `word`.
fn starts_with_word(text: &[u8], word: &str) -> bool {
    let t = text.trim_ascii_start();
    t.len() > word.len()
        && t[..word.len()].eq_ignore_ascii_case(word.as_bytes())
        && !t[word.len()].is_ascii_alphanumeric()
}

/// Statements captured into the delta (the allow-list's names for them).
pub(super) const CAPTURED_WRITES: &[&str] = &["INSERT", "UPDATE", "DELETE", "REPLACE"];

/// DDL statements (as [`crate::sql::classify`] names them) that go to the
/// schema delta.
pub(super) const CAPTURED_DDL: &[&str] = &[
    "CREATE TABLE",
    "DROP TABLE",
    "ALTER TABLE",
    "RENAME TABLE",
    "TRUNCATE TABLE",
    "CREATE INDEX",
    "DROP INDEX",
    "CREATE DATABASE",
    "CREATE SCHEMA",
    "ALTER DATABASE",
    "ALTER SCHEMA",
    "DROP DATABASE",
    "DROP SCHEMA",
    "CREATE VIEW",
    "ALTER VIEW",
    "DROP VIEW",
    "CREATE TRIGGER",
    "DROP TRIGGER",
];

/// Whether the text's first statement word is a captured write (and not,
/// say, `PREPARE s FROM 'DELETE ...'`, which stays refused).
fn starts_with_write(sql: &[u8], lex: crate::sql::lexer::LexMode) -> bool {
    crate::sql::lexer::lex(sql, lex)
        .tokens
        .first()
        .is_some_and(|t| CAPTURED_WRITES.iter().any(|w| t.is_word(sql, w)))
}

/// Whether a read may run at the source ahead of knowing it is the text
/// to run, and then perhaps run again in another form: one SELECT whose
/// second run leaves nothing different (no user variable assigned, no
/// INTO, no lock, sleep or sequence functions).
fn may_run_ahead(sql: &[u8], mode: LexMode) -> bool {
    const SIDE_EFFECTS: &[&str] = &[
        "INTO",
        "GET_LOCK",
        "RELEASE_LOCK",
        "RELEASE_ALL_LOCKS",
        "SLEEP",
        "BENCHMARK",
        "NEXTVAL",
        "NEXT",
        "SETVAL",
        "LASTVAL",
        "PREVIOUS",
    ];
    let t = crate::sql::lexer::statement_tokens(sql, mode);
    t.first().is_some_and(|f| f.is_word(sql, "SELECT"))
        && !t.iter().enumerate().any(|(i, x)| {
            x.is_punct(b';')
                || x.kind == crate::sql::lexer::Kind::Variable
                    && t.get(i + 1).is_some_and(|n| n.is_punct(b':'))
                || SIDE_EFFECTS.iter().any(|w| x.is_word(sql, w))
        })
}

/// A prober for the overlay: runs a query at the source and returns its
/// rows (`None` when it fails).
///
/// With `ahead`, the command the session sends when the probe leaves the
/// statement as it is goes with the first probe that may leave it so (see
/// [`Upstream::query_ahead`]): a join whose probe finds no changed row
/// then costs one round trip, not two.
fn prober<'u>(
    up: &'u mut Upstream,
    mut ahead: Option<(&'u [u8], LexMode)>,
) -> impl FnMut(&str, bool) -> Option<Vec<crate::delta::Row>> + 'u {
    move |q: &str, may_stay: bool| {
        let next = ahead
            .take_if(|_| may_stay)
            .filter(|(text, mode)| may_run_ahead(text, *mode))
            .map(|(text, _)| {
                let mut p = Vec::with_capacity(text.len() + 1);
                p.push(0x03);
                p.extend_from_slice(text);
                p
            });
        match next {
            Some(next) => up.query_ahead(q, &next),
            None => up.query(q),
        }
        .ok()
    }
}

/// How many query shapes' descriptions a session keeps.
const MAX_DESCRIPTIONS: usize = 1024;

/// A server-side prepared statement of this session.
struct PreparedStmt {
    /// The text as prepared at the source (after any rewrite).
    text: Vec<u8>,
    /// The source's id for it on the current connection.
    upstream_id: u32,
    /// The client's text (after the allow-list's edits), which the merged
    /// view is spliced into again whenever the delta changes.
    original: Vec<u8>,
    /// The delta version `text` was made for.
    delta_version: u64,
    /// When `text` reads changed tables: what describing its results
    /// takes (see [`metadata`]).
    read: Option<Arc<RewrittenRead>>,
    /// A captured write: vdb binds and runs every execution itself.
    write: bool,
    /// `?` parameters, as the source counted them.
    params: u16,
    /// The parameter types the client last bound.
    types: prepared::ParamTypes,
    /// Long data for a statement vdb binds itself, since its last
    /// execution.
    long_data: HashMap<u16, Vec<u8>>,
    /// Whether the source's statement `upstream_id` has been given types.
    types_sent: bool,
    /// A transaction statement (BEGIN, COMMIT, ...), applied to the delta
    /// when an execution succeeds.
    txn: Option<crate::sql::classify::Txn>,
    /// COM_STMT_SEND_LONG_DATA went to the source's statement since the
    /// last execution (so that execution must be the source's).
    long_data_sent: bool,
    /// A locking read: the rows each execution reads are locked first.
    locking: Option<crate::sql::classify::LockingRead>,
}

impl PreparedStmt {
    /// A statement prepared at the source as `text` (id `upstream_id`) for
    /// the client's `original`, with nothing known of it yet.
    fn new(text: Vec<u8>, upstream_id: u32, original: Vec<u8>) -> PreparedStmt {
        PreparedStmt {
            text,
            upstream_id,
            original,
            delta_version: 0,
            read: None,
            write: false,
            params: 0,
            types: Vec::new(),
            long_data: HashMap::new(),
            types_sent: false,
            txn: None,
            long_data_sent: false,
            locking: None,
        }
    }
}

/// A prepared statement's client text over changed tables, its shape, and
/// the names of the derived tables its merged-view text splices in: kept
/// so that an execution does no analysis.
struct RewrittenRead {
    text: Vec<u8>,
    shape: Vec<u8>,
    derived: Vec<String>,
    created: Vec<(String, Arc<crate::delta::TableMeta>)>,
    items: Vec<usize>,
}

/// Whether `sql` is CREATE [OR REPLACE] [TEMPORARY] TABLE: of DDL, only
/// CREATE TABLE ... SELECT sets FOUND_ROWS() (CREATE INDEX, whose info
/// also counts records, leaves it).
fn creates_table(sql: &[u8], mode: crate::sql::lexer::LexMode) -> bool {
    let head = &sql[..sql.len().min(256)];
    let t = crate::sql::lexer::lex(head, mode).tokens;
    let mut words = t.iter().filter(|x| {
        !["OR", "REPLACE", "TEMPORARY"]
            .iter()
            .any(|w| x.is_word(head, w))
    });
    words.next().is_some_and(|x| x.is_word(head, "CREATE"))
        && words.next().is_some_and(|x| x.is_word(head, "TABLE"))
}

/// The code and message of an ERR packet's payload.
fn err_parts(payload: &[u8]) -> Option<(u16, String)> {
    if payload.first() != Some(&0xFF) || payload.len() < 3 {
        return None;
    }
    let code = u16::from_le_bytes([payload[1], payload[2]]);
    let rest = &payload[3..];
    let message = if rest.first() == Some(&b'#') && rest.len() >= 6 {
        &rest[6..]
    } else {
        rest
    };
    Some((code, String::from_utf8_lossy(message).into_owned()))
}

/// The statement id of a COM_STMT_* packet (0 when too short).
fn stmt_id(packet: &[u8]) -> u32 {
    match packet.get(1..5) {
        Some(b) => u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        None => 0,
    }
}

/// The fields of a COM_CHANGE_USER vdb uses.
struct ChangeUser {
    user: String,
    auth: Vec<u8>,
    database: Option<Vec<u8>>,
    collation: Option<u8>,
    plugin: Option<Vec<u8>>,
}

impl ChangeUser {
    fn parse(body: &[u8], caps: Cap) -> Option<ChangeUser> {
        fn cstr(b: &[u8], pos: &mut usize) -> Option<Vec<u8>> {
            let rest = b.get(*pos..)?;
            let end = rest.iter().position(|c| *c == 0)?;
            *pos += end + 1;
            Some(rest[..end].to_vec())
        }
        let mut pos = 0;
        let user = String::from_utf8_lossy(&cstr(body, &mut pos)?).into_owned();
        let auth = if caps.contains(Cap::CLIENT_SECURE_CONNECTION) {
            let len = *body.get(pos)? as usize;
            let a = body.get(pos + 1..pos + 1 + len)?.to_vec();
            pos += 1 + len;
            a
        } else {
            cstr(body, &mut pos)?
        };
        let database = cstr(body, &mut pos).filter(|d| !d.is_empty());
        let mut collation = None;
        let mut plugin = None;
        if let Some(cs) = body.get(pos..pos + 2) {
            collation = Some(cs[0]);
            pos += 2;
            if caps.contains(Cap::CLIENT_PLUGIN_AUTH) {
                plugin = cstr(body, &mut pos);
            }
        }
        Some(ChangeUser {
            user,
            auth,
            database,
            collation,
            plugin,
        })
    }
}

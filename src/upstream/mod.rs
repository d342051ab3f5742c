//! The connection to the source database: the only code that talks to it.
//!
//! Each client thread owns one blocking [`Upstream`]. It is opened with the
//! `--source` account and the client's own capabilities, character set and
//! default database, so that the source's responses have exactly the shape
//! the client expects and can be relayed without re-encoding. Right after
//! login the session is put in read-only transaction mode (the second of the
//! four layers that keep writes off the source).
//!
//! vdb speaks the client protocol itself here (with `mysql_common` for the
//! handshake packets) instead of using `mysql::Conn`, because `Conn` cannot
//! hand back raw packets, and a byte-exact, relay-speed path needs them.

use std::io::{self, BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use mysql::consts::CapabilityFlags as Cap;
use mysql::mysql_common::crypto;
use mysql::mysql_common::io::ParseBuf;
use mysql::mysql_common::packets::{
    AuthPlugin as WirePlugin, HandshakePacket, HandshakeResponse, SslRequest,
};
use mysql::mysql_common::proto::MySerialize;
use mysql::mysql_common::scramble::{scramble_native, scramble_sha256};

use crate::protocol::handshake::supported_capabilities;
use crate::protocol::packet::{encode_packet, lenenc_int, read_packet, write_packet, FrameError};
use crate::protocol::response::{
    err_code, err_message, is_terminator, status_of, warnings_of, MORE_RESULTS,
};
use crate::protocol::stream::Stream;

/// How TLS to the source is chosen, spelled as MySQL clients spell `ssl-mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsMode {
    /// Never.
    Disabled,
    /// When the source offers it (the default, as in MySQL clients).
    Preferred,
    /// Always, without verifying the certificate.
    Required,
    /// Always, verifying the certificate against `ssl-ca`.
    VerifyCa,
    /// Always, verifying the certificate and the host name.
    VerifyIdentity,
}

/// Where the source is and how to log in to it.
#[derive(Clone, Debug)]
pub struct SourceSpec {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// The source account.
    pub user: String,
    /// Its password.
    pub password: String,
    /// Default database from the URL.
    pub database: Option<String>,
    /// TLS to the source.
    pub tls: TlsMode,
    /// PEM file of the CA that signed the source's certificate.
    pub tls_ca: Option<String>,
}

/// An error talking to the source.
#[derive(Debug)]
pub enum UpstreamError {
    /// The socket failed or the source closed it.
    Io(io::Error),
    /// The source answered with an ERR packet; it goes to the client as is.
    Server {
        /// Error code.
        code: u16,
        /// The whole ERR payload, to relay unchanged.
        payload: Vec<u8>,
    },
    /// TLS could not be set up.
    Tls(String),
    /// The source sent something vdb does not understand, or asked for an
    /// authentication method vdb does not implement.
    Protocol(String),
    /// An internal statement larger than the source's max_allowed_packet:
    /// not sent (the source would drop the connection).
    TooLarge {
        /// Its size in bytes.
        len: usize,
        /// The source's max_allowed_packet.
        limit: usize,
    },
}

impl UpstreamError {
    /// The source's ERR packet, kept whole to relay unchanged.
    fn from_err_packet(payload: &[u8]) -> Self {
        UpstreamError::Server {
            code: err_code(payload),
            payload: payload.to_vec(),
        }
    }
}

impl From<io::Error> for UpstreamError {
    fn from(e: io::Error) -> Self {
        UpstreamError::Io(e)
    }
}

impl From<FrameError> for UpstreamError {
    fn from(e: FrameError) -> Self {
        match e {
            FrameError::Io(e) => UpstreamError::Io(e),
            other => UpstreamError::Protocol(format!("{other:?}")),
        }
    }
}

impl std::fmt::Display for UpstreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UpstreamError::Io(e) => write!(f, "{e}"),
            UpstreamError::Server { code, payload } => {
                write!(f, "error {code}: {}", err_message(payload))
            }
            UpstreamError::Tls(m) => write!(f, "TLS: {m}"),
            UpstreamError::Protocol(m) => write!(f, "{m}"),
            UpstreamError::TooLarge { len, limit } => write!(
                f,
                "a statement of {len} bytes, beyond the source's max_allowed_packet ({limit})"
            ),
        }
    }
}

/// What the session asks for when it opens its source connection.
#[derive(Clone, Debug)]
pub struct Login {
    /// The client's capabilities (response formats depend on them).
    pub capabilities: Cap,
    /// The client's collation id.
    pub collation: u8,
    /// The default database, if any (else the URL's).
    pub database: Option<Vec<u8>>,
    /// Connect without any default database, not even the URL's: the
    /// session's database is one vdb holds, which the source must not
    /// stand in for.
    pub without_database: bool,
}

/// What the source said about itself in its greeting.
#[derive(Clone, Debug)]
pub struct SourceInfo {
    /// Its version string (`5.5.5-10.11.6-MariaDB...` or `8.0.36`).
    pub version: String,
    /// Its capabilities.
    pub capabilities: Cap,
    /// Its default collation id.
    pub collation: u8,
    /// Its default authentication plugin, if it named one.
    pub auth_plugin: Option<String>,
    /// The largest statement it accepts (`@@max_allowed_packet`), learned
    /// once at start.
    pub max_packet: usize,
    /// Whether vdb's account holds the TRIGGER privilege anywhere: the
    /// server lists a table's triggers in information_schema only to
    /// accounts that hold it, and vdb must see them to run or refuse them.
    pub sees_triggers: bool,
}

impl SourceInfo {
    /// A human-readable product and version: `MariaDB 10.11.6-...` or `MySQL 8.0.36`.
    pub fn describe(&self) -> String {
        let v = self.version.strip_prefix("5.5.5-").unwrap_or(&self.version);
        if v.contains("MariaDB") {
            format!("MariaDB {v}")
        } else {
            format!("MySQL {v}")
        }
    }
}

/// What `max_allowed_packet` is assumed to be until the source says
/// (MySQL 8's and MariaDB 10.11's default).
const DEFAULT_MAX_PACKET: usize = 64 << 20;

/// The largest command (bytes on the wire) sent behind a response vdb
/// has not read yet: it fits the socket buffers of both ends, so writing
/// it cannot wait on the source, which is busy writing that response.
const PIPELINED_COMMAND: usize = 16 * 1024;

/// Where character_set_results stands at the source for vdb's own
/// statements; the SET to take it back to the session's setting is kept
/// until it is sent.
enum Results {
    /// The session's own setting is in force.
    Converted,
    /// NULL goes in front of the next command; the session's setting
    /// (named) is to be set back after.
    RawQueued(String),
    /// NULL is in force, in place of the session's setting.
    Raw(String),
    /// NULL is in force; the SET back to the session's setting goes in
    /// front of the next command.
    RestoreQueued(String),
}

/// One open connection to the source.
pub struct Upstream {
    io: BufReader<Stream>,
    /// Capabilities in force on this connection.
    pub capabilities: Cap,
    /// The source's greeting.
    pub info: SourceInfo,
    /// The source's id for this connection.
    pub connection_id: u32,
    nonce: Vec<u8>,
    spec: SourceSpec,
    scratch: Vec<u8>,
    sendbuf: Vec<u8>,
    /// A command sent ahead whose response has not been read (see
    /// [`Upstream::query_ahead`]): its payload, to be claimed by sending
    /// the same payload, or read and dropped before anything else is sent.
    ahead: Option<Vec<u8>>,
    /// The warnings the last internal query left at the source (its
    /// final OK or EOF packet's count).
    warnings: u16,
    /// The source's wall clock in this session's time zone, less this
    /// machine's Unix clock, in seconds (see [`Upstream::now`]).
    clock: Option<i64>,
    /// Where character_set_results stands for vdb's own statements (see
    /// [`Upstream::raw_results`]).
    results: Results,
    /// FOUND_ROWS() read in front of the next command (see
    /// [`Upstream::read_found_rows_first`]).
    found_rows: FoundRowsProbe,
}

/// Where a read of FOUND_ROWS() in front of the next command stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FoundRowsProbe {
    /// Not asked for.
    Off,
    /// To go in front of the next command.
    Queued,
    /// Sent and read: the count (`None` when the answer was not one).
    Read(Option<u64>),
}

/// The probe's command (COM_QUERY).
const FOUND_ROWS_PROBE: &[u8] = b"\x03SELECT FOUND_ROWS()";

/// A small text result from an internal query.
pub type Rows = Vec<Vec<Option<Vec<u8>>>>;

impl Upstream {
    /// Connects and logs in. The session is not yet read-only: call
    /// [`Upstream::make_read_only`] before forwarding anything.
    pub fn connect(spec: &SourceSpec, login: &Login) -> Result<Upstream, UpstreamError> {
        let addr = (spec.host.as_str(), spec.port)
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("cannot resolve {}", spec.host),
                )
            })?;
        let tcp = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
        tcp.set_nodelay(true)?;
        tcp.set_read_timeout(Some(Duration::from_secs(30)))?;
        let mut stream = Stream::Tcp(tcp);
        let mut buf = Vec::new();
        read_packet(&mut stream, &mut buf)?;
        if buf.first() == Some(&0xFF) {
            return Err(UpstreamError::from_err_packet(&buf));
        }
        let greeting: HandshakePacket<'_> = ParseBuf(&buf)
            .parse(())
            .map_err(|e| UpstreamError::Protocol(format!("source greeting: {e}")))?;
        let server_caps = greeting.capabilities();
        let info = SourceInfo {
            version: greeting.server_version_str().into_owned(),
            capabilities: server_caps,
            collation: greeting.default_collation(),
            auth_plugin: greeting.auth_plugin_name_str().map(|s| s.into_owned()),
            max_packet: DEFAULT_MAX_PACKET,
            sees_triggers: true,
        };
        let connection_id = greeting.connection_id();
        let mut nonce = greeting.scramble_1_ref().to_vec();
        if let Some(s2) = greeting.scramble_2_ref() {
            nonce.extend_from_slice(s2);
        }
        if nonce.last() == Some(&0) {
            nonce.pop();
        }
        let version = greeting.server_version_parsed().unwrap_or((5, 5, 5));
        let plugin_name = info
            .auth_plugin
            .clone()
            .unwrap_or_else(|| "mysql_native_password".into());

        let required = Cap::CLIENT_PROTOCOL_41
            | Cap::CLIENT_SECURE_CONNECTION
            | Cap::CLIENT_PLUGIN_AUTH
            | Cap::CLIENT_LONG_PASSWORD
            | Cap::CLIENT_TRANSACTIONS;
        let mut caps = ((login.capabilities & supported_capabilities()) | required) & server_caps;
        caps.remove(Cap::CLIENT_CONNECT_WITH_DB);
        let database = login
            .database
            .clone()
            .or_else(|| spec.database.clone().map(String::into_bytes))
            .filter(|_| !login.without_database);
        if database.is_some() {
            caps.insert(Cap::CLIENT_CONNECT_WITH_DB);
        }

        let mut seq = 1u8;
        let want_tls = match spec.tls {
            TlsMode::Disabled => false,
            TlsMode::Preferred => server_caps.contains(Cap::CLIENT_SSL),
            _ => {
                if !server_caps.contains(Cap::CLIENT_SSL) {
                    return Err(UpstreamError::Tls(
                        "the source does not offer TLS, and ssl-mode requires it".into(),
                    ));
                }
                true
            }
        };
        if want_tls {
            caps.insert(Cap::CLIENT_SSL);
            let mut req = Vec::new();
            SslRequest::new(caps, 1 << 30, login.collation).serialize(&mut req);
            seq = write_packet(&mut stream, seq, &req)?;
            let Stream::Tcp(tcp) = stream else {
                unreachable!("plain before TLS")
            };
            stream = Stream::Tls(Box::new(tls_connect(spec, tcp)?));
        }

        let auth = auth_response(&plugin_name, &nonce, &spec.password, stream.is_tls());
        let attrs = caps.contains(Cap::CLIENT_CONNECT_ATTRS).then(|| {
            [
                ("_client_name".to_string(), "vdb".to_string()),
                (
                    "_client_version".to_string(),
                    env!("CARGO_PKG_VERSION").to_string(),
                ),
            ]
            .into_iter()
            .collect()
        });
        let response = HandshakeResponse::new(
            Some(auth),
            version,
            Some(spec.user.as_bytes()),
            database.as_deref(),
            Some(WirePlugin::from_bytes(plugin_name.as_bytes())),
            caps,
            attrs,
            1 << 30,
        );
        let mut payload = Vec::new();
        response.serialize(&mut payload);
        // HandshakeResponse::new takes the collation from nowhere: set it.
        payload[8] = login.collation;
        write_packet(&mut stream, seq, &payload)?;

        let mut up = Upstream {
            io: BufReader::with_capacity(64 * 1024, stream),
            capabilities: caps,
            info,
            connection_id,
            nonce,
            spec: spec.clone(),
            scratch: Vec::new(),
            sendbuf: Vec::new(),
            ahead: None,
            warnings: 0,
            clock: None,
            results: Results::Converted,
            found_rows: FoundRowsProbe::Off,
        };
        up.auth_exchange(&plugin_name)?;
        up.io.get_ref().tcp().set_read_timeout(None)?;
        Ok(up)
    }

    /// Follows the source through auth switches and caching_sha2's extra
    /// round trips until it says OK (or ERR).
    fn auth_exchange(&mut self, plugin: &str) -> Result<(), UpstreamError> {
        let mut plugin = plugin.to_string();
        let mut seq;
        loop {
            let (_, last) = read_packet(&mut self.io, &mut self.scratch)?;
            seq = last.wrapping_add(1);
            match self.scratch.first() {
                Some(0x00) => return Ok(()),
                Some(0xFF) => return Err(UpstreamError::from_err_packet(&self.scratch)),
                Some(0xFE) => {
                    let body = &self.scratch[1..];
                    let name_end = body.iter().position(|b| *b == 0).unwrap_or(body.len());
                    plugin = String::from_utf8_lossy(&body[..name_end]).into_owned();
                    let mut data = body.get(name_end + 1..).unwrap_or_default().to_vec();
                    if data.last() == Some(&0) {
                        data.pop();
                    }
                    self.nonce = data;
                    let auth = auth_response(
                        &plugin,
                        &self.nonce,
                        &self.spec.password,
                        self.io.get_ref().is_tls(),
                    );
                    write_packet(self.io.get_mut(), seq, &auth)?;
                }
                Some(0x01) if plugin == "caching_sha2_password" => match self.scratch.get(1) {
                    Some(0x03) => {} // fast auth succeeded; OK follows
                    Some(0x04) => {
                        let mut pass = self.spec.password.as_bytes().to_vec();
                        pass.push(0);
                        if self.io.get_ref().is_tls() {
                            write_packet(self.io.get_mut(), seq, &pass)?;
                        } else {
                            let next = write_packet(self.io.get_mut(), seq, &[0x02])?;
                            let _ = next;
                            read_packet(&mut self.io, &mut self.scratch)?;
                            let key = self.scratch.get(1..).unwrap_or_default().to_vec();
                            for (i, b) in pass.iter_mut().enumerate() {
                                *b ^= self.nonce[i % self.nonce.len()];
                            }
                            let encrypted = crypto::encrypt(&pass, &key);
                            let seq2 = seq.wrapping_add(2);
                            write_packet(self.io.get_mut(), seq2, &encrypted)?;
                        }
                    }
                    _ => {
                        return Err(UpstreamError::Protocol(
                            "unexpected caching_sha2_password message".into(),
                        ))
                    }
                },
                _ => {
                    return Err(UpstreamError::Protocol(format!(
                        "unexpected packet during login to the source (plugin {plugin})"
                    )))
                }
            }
        }
    }

    /// Puts the session in read-only transaction mode.
    pub fn make_read_only(&mut self) -> Result<(), UpstreamError> {
        self.query("SET SESSION TRANSACTION READ ONLY").map(|_| ())
    }

    /// The buffered reader responses are read from.
    pub fn reader(&mut self) -> &mut BufReader<Stream> {
        &mut self.io
    }

    /// Sends one command packet (already built) starting at sequence id 0.
    /// When it is the command [`Upstream::query_ahead`] already sent, it is
    /// not sent again: its response is the next to read. A setting vdb
    /// queued ([`Upstream::raw_results`]) goes in the same write, in front.
    pub fn send(&mut self, payload: &[u8]) -> io::Result<()> {
        let ahead = self.ahead.take();
        // A probe can only go first when no answer is on its way.
        let probe = ahead.is_none() && self.found_rows == FoundRowsProbe::Queued;
        let setting = self.queued_setting();
        if ahead.as_deref() == Some(payload) && setting.is_none() {
            return Ok(());
        }
        self.sendbuf.clear();
        if probe {
            encode_packet(&mut self.sendbuf, 0, FOUND_ROWS_PROBE);
        }
        if let Some(setting) = &setting {
            encode_packet(&mut self.sendbuf, 0, setting);
        }
        encode_packet(&mut self.sendbuf, 0, payload);
        if ahead.is_some() && self.sendbuf.len() > PIPELINED_COMMAND {
            self.skip_response()?;
        }
        let s = self.io.get_mut();
        s.write_all(&self.sendbuf)?;
        s.flush()?;
        // The source answers in order, so a small command can follow the
        // unwanted one at once instead of a round trip later (a join whose
        // probe found changed keys). A large one waits: its write could
        // block while the source blocks writing the answer not yet read.
        if ahead.is_some() && self.sendbuf.len() <= PIPELINED_COMMAND {
            self.skip_response()?;
        }
        if probe {
            self.read_probe()?;
        }
        // A SET's answer is a short OK, which the source has written
        // whatever the size of what follows it.
        if setting.is_some() {
            self.skip_response()?;
        }
        Ok(())
    }

    /// Reads FOUND_ROWS() in front of the next command vdb sends (the
    /// source's value is the client's until then: vdb's own statements
    /// replace it), at no round trip of its own; see
    /// [`Upstream::take_found_rows`]. Asking again before that changes
    /// nothing.
    pub fn read_found_rows_first(&mut self) {
        // Once read, the value stands until taken.
        if self.found_rows == FoundRowsProbe::Off {
            self.found_rows = FoundRowsProbe::Queued;
        }
    }

    /// What [`Upstream::read_found_rows_first`] read: `None` when no
    /// command has gone to the source since (the source's own value is
    /// still the client's), `Some(None)` when the answer was not a count.
    /// Stops the probe either way.
    pub fn take_found_rows(&mut self) -> Option<Option<u64>> {
        match std::mem::replace(&mut self.found_rows, FoundRowsProbe::Off) {
            FoundRowsProbe::Read(v) => Some(v),
            _ => None,
        }
    }

    /// Reads the probe's answer, the first of those just sent.
    fn read_probe(&mut self) -> io::Result<()> {
        let mut rows = Vec::new();
        let value = match self.read_rows_into(&mut rows) {
            Ok(()) => rows
                .first()
                .and_then(|r| r.first().cloned().flatten())
                .and_then(|n| String::from_utf8_lossy(&n).parse().ok()),
            Err(UpstreamError::Io(e)) => return Err(e),
            Err(_) => None,
        };
        self.found_rows = FoundRowsProbe::Read(value);
        Ok(())
    }

    /// The SET of character_set_results waiting to go in front of the next
    /// command, now taken off the queue.
    fn queued_setting(&mut self) -> Option<Vec<u8>> {
        match std::mem::replace(&mut self.results, Results::Converted) {
            Results::RawQueued(session) => {
                self.results = Results::Raw(session);
                Some(b"\x03SET character_set_results = NULL".to_vec())
            }
            Results::RestoreQueued(session) => {
                let mut cmd = b"\x03SET character_set_results = '".to_vec();
                for &b in session.as_bytes() {
                    if b == b'\'' || b == b'\\' {
                        cmd.push(b'\\');
                    }
                    cmd.push(b);
                }
                cmd.push(b'\'');
                Some(cmd)
            }
            other => {
                self.results = other;
                None
            }
        }
    }

    /// Makes the source send vdb's own statements' values as stored, in
    /// each column's character set (character_set_results = NULL), until
    /// [`Upstream::convert_results`]. `session` is the session's own
    /// setting (`None`: NULL already). Neither sends anything: the SET
    /// goes in front of the next command, so a captured write pays no
    /// round trip for it, and when the SET back is still queued (a write
    /// right after a write), both are dropped.
    pub fn raw_results(&mut self, session: Option<&str>) {
        self.results = match std::mem::replace(&mut self.results, Results::Converted) {
            Results::Converted => match session {
                None => Results::Converted,
                Some(cs) => Results::RawQueued(cs.to_string()),
            },
            Results::RestoreQueued(session) => Results::Raw(session),
            raw => raw,
        };
    }

    /// Ends [`Upstream::raw_results`]: the session's own setting is set
    /// back in front of the next command.
    pub fn convert_results(&mut self) {
        self.results = match std::mem::replace(&mut self.results, Results::Converted) {
            Results::RawQueued(_) => Results::Converted,
            Results::Raw(session) => Results::RestoreQueued(session),
            other => other,
        };
    }

    /// When the source still sends values raw after a write (the SET back
    /// is queued), keeps it so for statements whose answers do not depend
    /// on it, and returns the session's own character_set_results, which
    /// asking the source would not give now. [`Upstream::convert_results`]
    /// queues the SET back again.
    pub fn stay_raw(&mut self) -> Option<String> {
        match std::mem::replace(&mut self.results, Results::Converted) {
            Results::RestoreQueued(session) => {
                self.results = Results::Raw(session.clone());
                Some(session)
            }
            other => {
                self.results = other;
                None
            }
        }
    }

    /// Runs internal queries sent in one write, one round trip for all,
    /// and returns each one's rows, or the rows before its error and the
    /// error. Each answer must be short (a few rows): the source writes
    /// it while vdb may still be writing the queries after it.
    pub fn pipeline(&mut self, queries: &[&[u8]]) -> Vec<(Rows, Option<UpstreamError>)> {
        let failed = |e: &dyn Fn() -> UpstreamError| {
            queries
                .iter()
                .map(|_| (Vec::new(), Some(e())))
                .collect::<Vec<_>>()
        };
        for q in queries {
            if let Err(UpstreamError::TooLarge { len, limit }) = self.fits(q.len()) {
                return failed(&|| UpstreamError::TooLarge { len, limit });
            }
        }
        if let Err(e) = self.send_all(queries, None) {
            let kind = e.kind();
            let text = e.to_string();
            return failed(&|| UpstreamError::Io(io::Error::new(kind, text.clone())));
        }
        queries
            .iter()
            .map(|_| {
                let mut rows = Vec::new();
                let err = self.read_rows_into(&mut rows).err();
                (rows, err)
            })
            .collect()
    }

    /// Sends COM_QUERY commands in one write, behind a queued setting and
    /// followed by the command payload `behind`, after the response of a
    /// command sent ahead is read and dropped.
    fn send_all(&mut self, queries: &[&[u8]], behind: Option<&[u8]>) -> io::Result<()> {
        if self.ahead.take().is_some() {
            self.skip_response()?;
        }
        let probe = self.found_rows == FoundRowsProbe::Queued;
        let setting = self.queued_setting();
        self.sendbuf.clear();
        if probe {
            encode_packet(&mut self.sendbuf, 0, FOUND_ROWS_PROBE);
        }
        if let Some(setting) = &setting {
            encode_packet(&mut self.sendbuf, 0, setting);
        }
        let mut cmd = Vec::new();
        for q in queries {
            cmd.clear();
            cmd.push(0x03);
            cmd.extend_from_slice(q);
            encode_packet(&mut self.sendbuf, 0, &cmd);
        }
        if let Some(payload) = behind {
            encode_packet(&mut self.sendbuf, 0, payload);
        }
        let s = self.io.get_mut();
        s.write_all(&self.sendbuf)?;
        s.flush()?;
        if probe {
            self.read_probe()?;
        }
        if setting.is_some() {
            self.skip_response()?;
        }
        Ok(())
    }

    /// Runs an internal query ([`Upstream::query`]) and sends `next` (a
    /// command payload) right behind it, in the same write, without
    /// waiting: the source runs it meanwhile, and when `next` turns out to
    /// be the command to send, [`Upstream::send`] of it costs no round
    /// trip. Otherwise its response is read and dropped before the next
    /// command. `next` must be a read whose second run changes nothing.
    pub fn query_ahead(&mut self, sql: &str, next: &[u8]) -> Result<Rows, UpstreamError> {
        self.fits(sql.len())?;
        self.fits(next.len())?;
        self.send_all(&[sql.as_bytes()], Some(next))?;
        self.ahead = Some(next.to_vec());
        self.read_text_result()
    }

    /// Reads one response (OK, ERR or result sets) and drops it.
    fn skip_response(&mut self) -> io::Result<()> {
        match self.read_response(None) {
            Ok(()) | Err(UpstreamError::Server { .. }) => Ok(()),
            Err(UpstreamError::Io(e)) => Err(e),
            Err(e) => Err(io::Error::other(e.to_string())),
        }
    }

    /// Whether responses use OK packets instead of EOF.
    pub fn deprecate_eof(&self) -> bool {
        self.capabilities.contains(Cap::CLIENT_DEPRECATE_EOF)
    }

    /// The source's NOW() (`YYYY-MM-DD hh:mm:ss`, in this session's time
    /// zone), as the server stamps a table's CREATE_TIME and UPDATE_TIME.
    /// Asked of the source once per connection; later times follow this
    /// machine's clock from there (a session's later SET time_zone, or a
    /// change of daylight saving time, is not seen).
    pub fn now(&mut self) -> Result<String, UpstreamError> {
        let offset = match self.clock {
            Some(o) => o,
            None => {
                let rows = self.query("SELECT NOW()")?;
                let shown = rows
                    .first()
                    .and_then(|r| r.first()?.as_deref())
                    .and_then(|v| crate::clock::parse_datetime(std::str::from_utf8(v).ok()?));
                let o = shown.map_or(0, |s| s - crate::clock::unix_now());
                self.clock = Some(o);
                o
            }
        };
        Ok(crate::clock::datetime_text(
            crate::clock::unix_now() + offset,
        ))
    }

    /// Runs an internal query and returns the rows of its result sets
    /// (text values, NULL as `None`).
    pub fn query(&mut self, sql: &str) -> Result<Rows, UpstreamError> {
        self.fits(sql.len())?;
        let mut cmd = Vec::with_capacity(sql.len() + 1);
        cmd.push(0x03);
        cmd.extend_from_slice(sql.as_bytes());
        self.send(&cmd)?;
        self.read_text_result()
    }

    /// Refuses an internal statement the source would drop the connection
    /// for (beyond its max_allowed_packet).
    fn fits(&self, len: usize) -> Result<(), UpstreamError> {
        let limit = self.info.max_packet;
        if limit > 0 && len + 1 >= limit {
            return Err(UpstreamError::TooLarge { len, limit });
        }
        Ok(())
    }

    /// Reads an OK, ERR or text result set(s) into rows.
    pub fn read_text_result(&mut self) -> Result<Rows, UpstreamError> {
        let mut rows = Vec::new();
        match self.read_rows_into(&mut rows) {
            Ok(()) => Ok(rows),
            Err(e) => Err(e),
        }
    }

    /// How many notes and warnings the last internal query left at the
    /// source (SHOW WARNINGS there lists them).
    pub fn last_warnings(&self) -> u16 {
        self.warnings
    }

    /// Runs an internal query given as bytes (a client's text may be in any
    /// character set) and returns the rows read before any error, and the
    /// error: the overlay's typed blocks answer one result set per row, and
    /// an error names the row it stopped at by what came before it.
    pub fn query_partial(&mut self, sql: &[u8]) -> (Rows, Option<UpstreamError>) {
        if let Err(e) = self.fits(sql.len()) {
            return (Vec::new(), Some(e));
        }
        let mut cmd = Vec::with_capacity(sql.len() + 1);
        cmd.push(0x03);
        cmd.extend_from_slice(sql);
        if let Err(e) = self.send(&cmd) {
            return (Vec::new(), Some(e.into()));
        }
        let mut rows = Vec::new();
        let err = self.read_rows_into(&mut rows).err();
        (rows, err)
    }

    fn read_rows_into(&mut self, rows: &mut Rows) -> Result<(), UpstreamError> {
        self.read_response(Some(rows))
    }

    /// Reads one response, its rows into `rows` (dropped when `None`).
    fn read_response(&mut self, mut rows: Option<&mut Rows>) -> Result<(), UpstreamError> {
        let deprecate_eof = self.deprecate_eof();
        loop {
            read_packet(&mut self.io, &mut self.scratch)?;
            match self.scratch.first() {
                Some(0x00) => {
                    self.warnings = warnings_of(&self.scratch, false);
                    if status_of(&self.scratch, false) & MORE_RESULTS != 0 {
                        continue;
                    }
                    return Ok(());
                }
                Some(0xFF) => return Err(UpstreamError::from_err_packet(&self.scratch)),
                _ => {}
            }
            let mut pos = 0;
            let columns = lenenc_int(&self.scratch, &mut pos)
                .ok_or_else(|| UpstreamError::Protocol("column count".into()))?;
            for _ in 0..columns {
                read_packet(&mut self.io, &mut self.scratch)?;
            }
            if !deprecate_eof {
                read_packet(&mut self.io, &mut self.scratch)?;
            }
            let status = loop {
                read_packet(&mut self.io, &mut self.scratch)?;
                let p = &self.scratch;
                if p.first() == Some(&0xFF) {
                    return Err(UpstreamError::from_err_packet(p));
                }
                if is_terminator(p.first(), p.len(), deprecate_eof) {
                    self.warnings = warnings_of(p, deprecate_eof);
                    break status_of(p, deprecate_eof);
                }
                let Some(rows) = rows.as_deref_mut() else {
                    continue;
                };
                let mut row = Vec::with_capacity(columns as usize);
                let mut pos = 0;
                for _ in 0..columns {
                    if p.get(pos) == Some(&0xFB) {
                        pos += 1;
                        row.push(None);
                    } else {
                        let len = lenenc_int(p, &mut pos)
                            .ok_or_else(|| UpstreamError::Protocol("row".into()))?
                            as usize;
                        let cell = p
                            .get(pos..pos + len)
                            .ok_or_else(|| UpstreamError::Protocol("short row".into()))?;
                        row.push(Some(cell.to_vec()));
                        pos += len;
                    }
                }
                rows.push(row);
            };
            if status & MORE_RESULTS == 0 {
                return Ok(());
            }
        }
    }

    /// The column definitions the source gives for a query's result, as
    /// it describes them to this session, learned by preparing the query
    /// (which runs nothing) and closing it again.
    pub fn describe(&mut self, sql: &[u8]) -> Result<Vec<Vec<u8>>, UpstreamError> {
        let mut defs = Vec::new();
        let id = self.prepare_into(sql, Some(&mut defs))?;
        let mut close = vec![0x19];
        close.extend_from_slice(&id.to_le_bytes());
        self.send(&close)?;
        Ok(defs)
    }

    /// [`Self::describe`], each definition read (name, original table and
    /// column, type, length, flags, character set, decimals).
    pub fn describe_columns(
        &mut self,
        sql: &[u8],
    ) -> Result<Vec<mysql::mysql_common::packets::Column>, UpstreamError> {
        self.describe(sql)?
            .iter()
            .map(|p| {
                ParseBuf(p)
                    .parse::<mysql::mysql_common::packets::Column>(())
                    .map_err(|e| UpstreamError::Protocol(format!("column definition: {e}")))
            })
            .collect()
    }

    /// Prepares a statement for vdb itself (re-creating a client's statement
    /// on a new connection) and returns the source's statement id.
    pub fn prepare(&mut self, sql: &[u8]) -> Result<u32, UpstreamError> {
        self.prepare_into(sql, None)
    }

    /// [`Self::prepare`], keeping the result's column definitions.
    fn prepare_into(
        &mut self,
        sql: &[u8],
        mut columns_out: Option<&mut Vec<Vec<u8>>>,
    ) -> Result<u32, UpstreamError> {
        let mut cmd = Vec::with_capacity(sql.len() + 1);
        cmd.push(0x16);
        cmd.extend_from_slice(sql);
        self.send(&cmd)?;
        read_packet(&mut self.io, &mut self.scratch)?;
        let p = &self.scratch;
        if p.first() == Some(&0xFF) {
            return Err(UpstreamError::from_err_packet(p));
        }
        if p.first() != Some(&0x00) || p.len() < 9 {
            return Err(UpstreamError::Protocol("malformed PREPARE_OK".into()));
        }
        let id = u32::from_le_bytes([p[1], p[2], p[3], p[4]]);
        let columns = u16::from_le_bytes([p[5], p[6]]);
        let params = u16::from_le_bytes([p[7], p[8]]);
        let eof = usize::from(!self.deprecate_eof());
        if params > 0 {
            for _ in 0..params as usize + eof {
                read_packet(&mut self.io, &mut self.scratch)?;
            }
        }
        if columns > 0 {
            for n in 0..columns as usize + eof {
                read_packet(&mut self.io, &mut self.scratch)?;
                if let Some(out) = columns_out.as_mut().filter(|_| n < columns as usize) {
                    out.push(self.scratch.clone());
                }
            }
        }
        Ok(id)
    }

    /// COM_RESET_CONNECTION, then read-only mode again (the reset clears it).
    pub fn reset_connection(&mut self) -> Result<(), UpstreamError> {
        self.send(&[0x1f])?;
        self.read_text_result()?;
        self.make_read_only()
    }

    /// Closes the connection politely.
    pub fn quit(mut self) {
        let _ = self.send(&[0x01]);
        let _ = self.io.get_ref().tcp().shutdown(std::net::Shutdown::Both);
    }
}

fn auth_response(plugin: &str, nonce: &[u8], password: &str, tls: bool) -> Vec<u8> {
    let pw = password.as_bytes();
    match plugin {
        "mysql_native_password" => scramble_native(nonce, pw)
            .map(|s| s.to_vec())
            .unwrap_or_default(),
        "caching_sha2_password" => scramble_sha256(nonce, pw)
            .map(|s| s.to_vec())
            .unwrap_or_default(),
        "mysql_clear_password" if tls => {
            let mut v = pw.to_vec();
            v.push(0);
            v
        }
        // Unknown plugins get an empty answer; the source then refuses the
        // login with its own error, which names the plugin.
        _ => Vec::new(),
    }
}

fn tls_connect(
    spec: &SourceSpec,
    tcp: TcpStream,
) -> Result<native_tls::TlsStream<TcpStream>, UpstreamError> {
    let mut b = native_tls::TlsConnector::builder();
    match spec.tls {
        TlsMode::Preferred | TlsMode::Required => {
            b.danger_accept_invalid_certs(true)
                .danger_accept_invalid_hostnames(true);
        }
        TlsMode::VerifyCa => {
            b.danger_accept_invalid_hostnames(true);
        }
        TlsMode::VerifyIdentity | TlsMode::Disabled => {}
    }
    if let Some(ca) = &spec.tls_ca {
        let pem = std::fs::read(ca)
            .map_err(|e| UpstreamError::Tls(format!("reading ssl-ca {ca}: {e}")))?;
        let cert = native_tls::Certificate::from_pem(&pem)
            .map_err(|e| UpstreamError::Tls(format!("ssl-ca {ca}: {e}")))?;
        b.add_root_certificate(cert);
    }
    let connector = b.build().map_err(|e| UpstreamError::Tls(e.to_string()))?;
    connector
        .connect(&spec.host, tcp)
        .map_err(|e| UpstreamError::Tls(e.to_string()))
}

/// Connects once to check the source is reachable and the account works,
/// and returns what the source says about itself.
pub fn probe(spec: &SourceSpec) -> Result<SourceInfo, UpstreamError> {
    let login = Login {
        capabilities: crate::protocol::handshake::plain_client_capabilities(),
        collation: 45,
        database: None,
        without_database: false,
    };
    let mut up = Upstream::connect(spec, &login)?;
    let mut info = up.info.clone();
    let rows = up.query("SELECT @@max_allowed_packet")?;
    if let Some(n) = rows
        .first()
        .and_then(|r| r.first()?.as_deref())
        .and_then(|b| std::str::from_utf8(b).ok()?.parse().ok())
    {
        info.max_packet = n;
    }
    // information_schema's privilege tables name the account as
    // 'user'@'host'; CURRENT_USER() says user@host.
    let me = "CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''', \
              SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')";
    let count = |table: &str| {
        format!(
            "(SELECT COUNT(*) FROM information_schema.{table} \
             WHERE PRIVILEGE_TYPE = 'TRIGGER' AND GRANTEE = {me})"
        )
    };
    let rows = up.query(&format!(
        "SELECT {} + {} + {}",
        count("USER_PRIVILEGES"),
        count("SCHEMA_PRIVILEGES"),
        count("TABLE_PRIVILEGES")
    ))?;
    info.sees_triggers = rows
        .first()
        .and_then(|r| r.first()?.as_deref())
        .is_some_and(|n| n != b"0");
    up.quit();
    Ok(info)
}

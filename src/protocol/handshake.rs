//! The server side of the connection phase: the v10 greeting, the optional
//! TLS upgrade, the client's handshake response, and authentication
//! (`mysql_native_password` and the fast path of `caching_sha2_password`,
//! with an auth switch when the client starts with another plugin).
//!
//! vdb authenticates clients itself against the credentials it was given; the
//! source account is used only upstream.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use mysql::consts::CapabilityFlags as Cap;
use mysql::mysql_common::io::ParseBuf;
use mysql::mysql_common::packets::{AuthSwitchRequest, HandshakePacket, HandshakeResponse};
use mysql::mysql_common::proto::MySerialize;
use mysql::mysql_common::scramble::{scramble_native, scramble_sha256};

use super::packet::{read_packet, write_packet, FrameError};
use super::response::{err_payload, STATUS_AUTOCOMMIT};
use super::stream::Stream;

/// The authentication plugins vdb can verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthPlugin {
    /// SHA1 challenge-response, MariaDB's default.
    Native,
    /// SHA256 challenge-response (fast path only: vdb always knows the
    /// password, so the full RSA/cleartext path is never needed).
    CachingSha2,
}

impl AuthPlugin {
    /// The plugin's wire name.
    pub fn name(self) -> &'static str {
        match self {
            AuthPlugin::Native => "mysql_native_password",
            AuthPlugin::CachingSha2 => "caching_sha2_password",
        }
    }

    /// Parses a plugin name as clients and servers spell it.
    pub fn from_name(name: &[u8]) -> Option<Self> {
        match name {
            b"mysql_native_password" => Some(AuthPlugin::Native),
            b"caching_sha2_password" => Some(AuthPlugin::CachingSha2),
            _ => None,
        }
    }

    /// Whether `response` proves knowledge of `password` for `nonce`.
    pub fn verify(self, nonce: &[u8], password: &str, response: &[u8]) -> bool {
        if password.is_empty() {
            return response.is_empty();
        }
        let expected: Option<Vec<u8>> = match self {
            AuthPlugin::Native => scramble_native(nonce, password.as_bytes()).map(|x| x.to_vec()),
            AuthPlugin::CachingSha2 => {
                scramble_sha256(nonce, password.as_bytes()).map(|x| x.to_vec())
            }
        };
        match expected {
            Some(e) => constant_time_eq(&e, response),
            None => false,
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The capabilities of vdb's own connections to the source (the start-up
/// probe, the state file's check): a plain client, for which names mean
/// what they say (CLIENT_NO_SCHEMA would make the source ignore the
/// database in `information_schema.COLUMNS`).
pub fn plain_client_capabilities() -> Cap {
    supported_capabilities()
        - (Cap::CLIENT_NO_SCHEMA
            | Cap::CLIENT_IGNORE_SPACE
            | Cap::CLIENT_FOUND_ROWS
            | Cap::CLIENT_INTERACTIVE
            | Cap::CLIENT_ODBC
            | Cap::CLIENT_MULTI_STATEMENTS)
}

/// The capabilities vdb can honour. Everything the relay passes through
/// unchanged is here; compression, LOCAL INFILE, query attributes, optional
/// metadata and MariaDB's extended capabilities are not, so neither side
/// ever uses them.
pub fn supported_capabilities() -> Cap {
    Cap::CLIENT_LONG_PASSWORD
        | Cap::CLIENT_FOUND_ROWS
        | Cap::CLIENT_LONG_FLAG
        | Cap::CLIENT_CONNECT_WITH_DB
        | Cap::CLIENT_NO_SCHEMA
        | Cap::CLIENT_ODBC
        | Cap::CLIENT_IGNORE_SPACE
        | Cap::CLIENT_PROTOCOL_41
        | Cap::CLIENT_INTERACTIVE
        | Cap::CLIENT_IGNORE_SIGPIPE
        | Cap::CLIENT_TRANSACTIONS
        | Cap::CLIENT_SECURE_CONNECTION
        | Cap::CLIENT_MULTI_STATEMENTS
        | Cap::CLIENT_MULTI_RESULTS
        | Cap::CLIENT_PS_MULTI_RESULTS
        | Cap::CLIENT_PLUGIN_AUTH
        | Cap::CLIENT_CONNECT_ATTRS
        | Cap::CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA
        | Cap::CLIENT_CAN_HANDLE_EXPIRED_PASSWORDS
        | Cap::CLIENT_SESSION_TRACK
        | Cap::CLIENT_DEPRECATE_EOF
}

/// What the greeting announces and how clients must authenticate.
pub struct Greeting<'a> {
    /// The version string clients see (the source's, with `-vdb`).
    pub server_version: &'a str,
    /// vdb's own id for this connection.
    pub connection_id: u32,
    /// Capabilities offered (already intersected with the source's).
    pub capabilities: Cap,
    /// The source's default collation id.
    pub collation: u8,
    /// The plugin clients are asked to use.
    pub plugin: AuthPlugin,
    /// The account clients log in with.
    pub user: &'a str,
    /// Its password.
    pub password: &'a str,
    /// Present when clients may upgrade to TLS.
    pub tls: Option<&'a native_tls::TlsAcceptor>,
}

/// The account clients must log in as, and the plugin they must use.
pub struct Account<'a> {
    /// The plugin clients are switched to when they start with another.
    pub plugin: AuthPlugin,
    /// The user name.
    pub user: &'a str,
    /// Its password.
    pub password: &'a str,
}

/// What a client sent to log in: the plugin it used (None: native), its
/// user name and its answer to the challenge.
#[derive(Clone, Copy)]
pub struct Answer<'a> {
    /// The plugin name the client used.
    pub plugin: Option<&'a [u8]>,
    /// The user name.
    pub user: &'a str,
    /// The scrambled password.
    pub data: &'a [u8],
}

/// A client that has logged in.
pub struct Accepted {
    /// The transport, TLS-wrapped if the client asked for it.
    pub stream: Stream,
    /// Capabilities both sides agreed on.
    pub capabilities: Cap,
    /// The client's collation id (its character set for the session).
    pub collation: u8,
    /// The user name it logged in as.
    pub user: String,
    /// The database named in the handshake, if any.
    pub database: Option<Vec<u8>>,
    /// The nonce of the last challenge, needed to verify COM_CHANGE_USER.
    pub nonce: Vec<u8>,
    /// The sequence id the final OK or ERR must carry.
    pub next_seq: u8,
}

/// Why a connection did not get past the connection phase.
#[derive(Debug)]
pub enum HandshakeError {
    /// The socket failed or the client left.
    Io(io::Error),
    /// The client sent something that is not a valid handshake.
    Malformed(String),
    /// Wrong user or password (the client was sent error 1045).
    AccessDenied { user: String },
    /// TLS negotiation failed.
    Tls(String),
}

impl From<io::Error> for HandshakeError {
    fn from(e: io::Error) -> Self {
        HandshakeError::Io(e)
    }
}

impl From<FrameError> for HandshakeError {
    fn from(e: FrameError) -> Self {
        match e {
            FrameError::Io(e) => HandshakeError::Io(e),
            other => HandshakeError::Malformed(format!("{other:?}")),
        }
    }
}

impl std::fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HandshakeError::Io(e) => write!(f, "i/o: {e}"),
            HandshakeError::Malformed(m) => write!(f, "bad handshake: {m}"),
            HandshakeError::AccessDenied { user } => write!(f, "access denied for user '{user}'"),
            HandshakeError::Tls(m) => write!(f, "TLS: {m}"),
        }
    }
}

/// A nonce of 20 printable bytes, as MySQL servers send (no NUL, so clients
/// that read it as a C string get all of it).
pub fn new_nonce() -> Vec<u8> {
    let mut raw = [0u8; 20];
    let filled = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut raw));
    if filled.is_err() {
        // Without /dev/urandom fall back to the hasher's per-process keys.
        use std::hash::{BuildHasher, Hasher};
        for (i, b) in raw.iter_mut().enumerate() {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_usize(i);
            *b = h.finish() as u8;
        }
    }
    raw.iter().map(|b| 33 + b % 94).collect()
}

fn send_err(stream: &mut Stream, seq: u8, code: u16, state: &str, msg: &str) -> io::Result<()> {
    write_packet(stream, seq, &err_payload(code, state, msg)).map(|_| ())
}

/// Runs the connection phase on a freshly accepted socket, up to and
/// excluding the final OK (the caller sends it once the source connection
/// is ready, or an ERR if it cannot be made).
pub fn accept(
    tcp: TcpStream,
    g: &Greeting<'_>,
    peer_host: &str,
) -> Result<Accepted, HandshakeError> {
    // A client that connects and says nothing must not hold a thread forever.
    tcp.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut stream = Stream::Tcp(tcp);
    let nonce = new_nonce();
    let mut offered = g.capabilities & supported_capabilities();
    if g.tls.is_some() {
        offered |= Cap::CLIENT_SSL;
    }
    // Scramble part 2 carries its NUL terminator, as MySQL servers send it
    // (auth_plugin_data_len = 21).
    let mut scramble_2 = nonce[8..].to_vec();
    scramble_2.push(0);
    let greeting = HandshakePacket::new(
        10,
        g.server_version.as_bytes(),
        g.connection_id,
        nonce[..8].try_into().expect("8 bytes"),
        Some(scramble_2),
        offered,
        g.collation,
        mysql::consts::StatusFlags::from_bits_truncate(STATUS_AUTOCOMMIT),
        Some(g.plugin.name().as_bytes()),
    );
    let mut buf = Vec::new();
    greeting.serialize(&mut buf);
    write_packet(&mut stream, 0, &buf)?;

    let mut payload = Vec::new();
    let (_, mut seq) = read_packet(&mut stream, &mut payload)?;
    let first_caps = client_flags(&payload)?;
    if first_caps.contains(Cap::CLIENT_SSL) && payload.len() == 32 {
        let acceptor = g
            .tls
            .ok_or_else(|| HandshakeError::Malformed("SSL requested but not offered".into()))?;
        let Stream::Tcp(tcp) = stream else {
            unreachable!("TLS is negotiated once")
        };
        let tls = acceptor
            .accept(tcp)
            .map_err(|e| HandshakeError::Tls(e.to_string()))?;
        stream = Stream::Tls(Box::new(tls));
        seq = read_packet(&mut stream, &mut payload)?.1;
    } else if g.tls.is_some() && first_caps.contains(Cap::CLIENT_SSL) {
        return Err(HandshakeError::Malformed(
            "SSL flag on a full handshake response".into(),
        ));
    }

    let response: HandshakeResponse<'_> = ParseBuf(&payload)
        .parse(())
        .map_err(|e| HandshakeError::Malformed(format!("handshake response: {e}")))?;
    let capabilities = response.capabilities() & offered;
    if !capabilities.contains(Cap::CLIENT_PROTOCOL_41) {
        send_err(
            &mut stream,
            seq.wrapping_add(1),
            1043,
            "08S01",
            "Bad handshake",
        )?;
        return Err(HandshakeError::Malformed(
            "client without CLIENT_PROTOCOL_41".into(),
        ));
    }
    let user = String::from_utf8_lossy(response.user()).into_owned();
    let database = response
        .db_name()
        .map(|d| d.to_vec())
        .filter(|d| !d.is_empty());
    let collation = response.collation();
    let client_plugin = response.auth_plugin().map(|p| p.as_bytes().to_vec());
    let (nonce, next) = authenticate(
        &mut stream,
        seq.wrapping_add(1),
        &nonce,
        &Account {
            plugin: g.plugin,
            user: g.user,
            password: g.password,
        },
        &Answer {
            plugin: client_plugin.as_deref(),
            user: &user,
            data: response.scramble_buf(),
        },
        peer_host,
    )?;
    stream.tcp().set_read_timeout(None)?;
    Ok(Accepted {
        stream,
        capabilities,
        collation,
        user,
        database,
        nonce,
        next_seq: next,
    })
}

fn client_flags(payload: &[u8]) -> Result<Cap, HandshakeError> {
    match payload {
        [a, b, c, d, ..] => Ok(Cap::from_bits_truncate(u32::from_le_bytes([
            *a, *b, *c, *d,
        ]))),
        _ => Err(HandshakeError::Malformed(
            "handshake response shorter than 4 bytes".into(),
        )),
    }
}

/// Authenticates a client that answered the challenge `nonce` with
/// `auth_data` using `client_plugin` (None: mysql_native_password), the
/// next packet carrying sequence id `next`. A client that started with
/// another plugin than `plugin` is switched to it with a fresh challenge,
/// as a server does when the account uses another plugin. Used at login and
/// for COM_CHANGE_USER. On success returns the nonce now current and the
/// sequence id for the final OK; on failure the client has been sent 1045.
pub fn authenticate<S: Read + Write>(
    stream: &mut S,
    mut next: u8,
    nonce: &[u8],
    account: &Account<'_>,
    answer: &Answer<'_>,
    peer_host: &str,
) -> Result<(Vec<u8>, u8), HandshakeError> {
    let plugin = account.plugin;
    let Answer {
        plugin: client_plugin,
        user,
        data: auth_data,
    } = *answer;
    let mut nonce = nonce.to_vec();
    let mut data = auth_data.to_vec();
    let client = client_plugin.map_or(Some(AuthPlugin::Native), AuthPlugin::from_name);
    if client != Some(plugin) {
        nonce = new_nonce();
        let mut challenge = nonce.clone();
        challenge.push(0);
        let mut switch = Vec::new();
        AuthSwitchRequest::new(plugin.name().as_bytes(), challenge).serialize(&mut switch);
        write_packet(stream, next, &switch)?;
        next = read_packet(stream, &mut data)?.1.wrapping_add(1);
    }
    if user != account.user || !plugin.verify(&nonce, account.password, &data) {
        let using = if data.is_empty() { "NO" } else { "YES" };
        let msg =
            format!("Access denied for user '{user}'@'{peer_host}' (using password: {using})");
        write_packet(stream, next, &err_payload(1045, "28000", &msg))?;
        return Err(HandshakeError::AccessDenied {
            user: user.to_string(),
        });
    }
    if plugin == AuthPlugin::CachingSha2 {
        next = write_packet(stream, next, &[0x01, 0x03])?;
    }
    Ok((nonce, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_printable_and_fresh() {
        let a = new_nonce();
        let b = new_nonce();
        assert_eq!(a.len(), 20);
        assert!(a.iter().all(|b| (33..127).contains(b)));
        assert_ne!(a, b);
    }

    #[test]
    fn both_plugins_verify_the_right_password_only() {
        let nonce = new_nonce();
        for plugin in [AuthPlugin::Native, AuthPlugin::CachingSha2] {
            let good: Vec<u8> = match plugin {
                AuthPlugin::Native => scramble_native(&nonce, b"s3cret").unwrap().to_vec(),
                AuthPlugin::CachingSha2 => scramble_sha256(&nonce, b"s3cret").unwrap().to_vec(),
            };
            assert!(plugin.verify(&nonce, "s3cret", &good));
            assert!(!plugin.verify(&nonce, "other", &good));
            assert!(!plugin.verify(&nonce, "s3cret", b""));
            assert!(plugin.verify(&nonce, "", b""));
        }
    }
}

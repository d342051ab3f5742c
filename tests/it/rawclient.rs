//! A minimal hand-driven protocol client, for what real drivers never send:
//! malformed packets, odd commands, chosen auth plugins.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use mysql::mysql_common::scramble::{scramble_native, scramble_sha256};

/// The parts of the server greeting the tests look at.
pub struct Greeting {
    pub version: String,
    pub capabilities: u32,
    pub nonce: Vec<u8>,
    pub plugin: String,
}

/// A raw connection.
pub struct Raw {
    pub s: TcpStream,
}

impl Raw {
    pub fn connect(addr: SocketAddr) -> Raw {
        let s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        Raw { s }
    }

    pub fn send(&mut self, seq: u8, payload: &[u8]) {
        let mut p = (payload.len() as u32).to_le_bytes()[..3].to_vec();
        p.push(seq);
        p.extend_from_slice(payload);
        self.s.write_all(&p).unwrap();
    }

    /// Reads one packet: (sequence id, payload). None when the server closed.
    pub fn recv(&mut self) -> Option<(u8, Vec<u8>)> {
        let mut h = [0u8; 4];
        self.s.read_exact(&mut h).ok()?;
        let len = u32::from_le_bytes([h[0], h[1], h[2], 0]) as usize;
        let mut p = vec![0; len];
        self.s.read_exact(&mut p).ok()?;
        Some((h[3], p))
    }

    pub fn greeting(&mut self) -> Greeting {
        let (_, p) = self.recv().expect("greeting");
        parse_greeting(&p)
    }

    /// Logs in with mysql_native_password (or `plugin`, answering whatever
    /// auth switch follows). Returns the final packet.
    pub fn login(&mut self, user: &str, password: &str, plugin: &str) -> Vec<u8> {
        let g = self.greeting();
        let caps: u32 = 0x0000_0200
            | 0x0000_8000
            | 0x0008_0000
            | 0x0002_0000
            | 0x0001_0000
            | 0x0000_0001
            | 0x0100_0000;
        let mut p = caps.to_le_bytes().to_vec();
        p.extend_from_slice(&(16u32 << 20).to_le_bytes());
        p.push(45);
        p.extend_from_slice(&[0; 23]);
        p.extend_from_slice(user.as_bytes());
        p.push(0);
        let auth = scramble(plugin, &g.nonce, password);
        p.push(auth.len() as u8);
        p.extend_from_slice(&auth);
        p.extend_from_slice(plugin.as_bytes());
        p.push(0);
        self.send(1, &p);
        loop {
            let (seq, r) = self.recv().expect("auth answer");
            match r.first() {
                Some(0xFE) => {
                    let body = &r[1..];
                    let end = body.iter().position(|b| *b == 0).unwrap();
                    let plugin = String::from_utf8_lossy(&body[..end]).into_owned();
                    let mut nonce = body[end + 1..].to_vec();
                    if nonce.last() == Some(&0) {
                        nonce.pop();
                    }
                    self.send(seq + 1, &scramble(&plugin, &nonce, password));
                }
                Some(0x01) => continue,
                _ => return r,
            }
        }
    }

    /// Sends a command and reads packets until OK/ERR/EOF-terminated end of a
    /// simple response (used for one-packet answers and small result sets).
    pub fn command(&mut self, payload: &[u8]) -> Vec<Vec<u8>> {
        self.send(0, payload);
        let mut out = Vec::new();
        let first = self.recv().expect("response");
        let simple = matches!(first.1.first(), Some(0x00 | 0xFF | 0xFE));
        out.push(first.1);
        if simple {
            return out;
        }
        loop {
            let (_, p) = self.recv().expect("response packet");
            let end = p.first() == Some(&0xFE) && p.len() < 0xFFFFFF || p.first() == Some(&0xFF);
            out.push(p);
            if end {
                return out;
            }
        }
    }
}

fn scramble(plugin: &str, nonce: &[u8], password: &str) -> Vec<u8> {
    match plugin {
        "caching_sha2_password" => scramble_sha256(nonce, password.as_bytes())
            .map(|s| s.to_vec())
            .unwrap_or_default(),
        "mysql_native_password" => scramble_native(nonce, password.as_bytes())
            .map(|s| s.to_vec())
            .unwrap_or_default(),
        _ => b"garbage".to_vec(),
    }
}

fn parse_greeting(p: &[u8]) -> Greeting {
    let vend = 1 + p[1..].iter().position(|b| *b == 0).unwrap();
    let version = String::from_utf8_lossy(&p[1..vend]).into_owned();
    let mut pos = vend + 1 + 4;
    let mut nonce = p[pos..pos + 8].to_vec();
    pos += 9;
    let cap_lo = u16::from_le_bytes([p[pos], p[pos + 1]]) as u32;
    pos += 2 + 1 + 2;
    let cap_hi = u16::from_le_bytes([p[pos], p[pos + 1]]) as u32;
    pos += 2;
    let auth_len = p[pos] as usize;
    pos += 1 + 10;
    let n2 = auth_len.saturating_sub(8).max(13);
    nonce.extend_from_slice(&p[pos..pos + n2 - 1]);
    pos += n2;
    let pend = p[pos..]
        .iter()
        .position(|b| *b == 0)
        .map_or(p.len(), |e| pos + e);
    let plugin = String::from_utf8_lossy(&p[pos..pend]).into_owned();
    Greeting {
        version,
        capabilities: cap_lo | (cap_hi << 16),
        nonce,
        plugin,
    }
}

/// Connects and returns the greeting only.
pub fn greeting(addr: SocketAddr) -> Greeting {
    Raw::connect(addr).greeting()
}

/// The error code of an ERR payload.
pub fn err_code(p: &[u8]) -> u16 {
    assert_eq!(p.first(), Some(&0xFF), "expected ERR, got {p:?}");
    u16::from_le_bytes([p[1], p[2]])
}

//! Server responses: encoders for the packets vdb writes itself (OK, ERR,
//! EOF) and the relay that copies a source response to the client packet for
//! packet, knowing only enough of its structure to find where it ends.
//!
//! The relay never re-encodes: column definitions, rows (text and binary),
//! warnings, status flags and session-tracking data reach the client exactly
//! as the source sent them. That is what makes forwarded statements
//! indistinguishable from a direct connection, and cheap.

use std::io::{self, BufRead, Write};

#[cfg(test)]
use super::packet::encode_packet;
use super::packet::{lenenc_int, put_lenenc_bytes, put_lenenc_int, MAX_FRAME, MAX_LOGICAL_PACKET};

/// `SERVER_MORE_RESULTS_EXISTS`: another result follows this one.
pub const MORE_RESULTS: u16 = 0x0008;
/// `SERVER_STATUS_CURSOR_EXISTS`: an execute opened a cursor; rows come by COM_STMT_FETCH.
pub const CURSOR_EXISTS: u16 = 0x0040;
/// `SERVER_STATUS_AUTOCOMMIT`.
pub const STATUS_AUTOCOMMIT: u16 = 0x0002;
/// `SERVER_STATUS_IN_TRANS`.
pub const STATUS_IN_TRANS: u16 = 0x0001;

/// Bytes buffered for the client before they are written out mid-response.
const FLUSH_AT: usize = 64 * 1024;

/// Encodes an OK packet payload (protocol 4.1).
pub fn ok_payload(
    affected: u64,
    last_insert_id: u64,
    status: u16,
    warnings: u16,
    info: &[u8],
) -> Vec<u8> {
    let mut p = Vec::with_capacity(16 + info.len());
    p.push(0x00);
    put_lenenc_int(&mut p, affected);
    put_lenenc_int(&mut p, last_insert_id);
    p.extend_from_slice(&status.to_le_bytes());
    p.extend_from_slice(&warnings.to_le_bytes());
    if !info.is_empty() {
        put_lenenc_bytes(&mut p, info);
    }
    p
}

/// Encodes an ERR packet payload with its SQLSTATE (protocol 4.1).
pub fn err_payload(code: u16, sqlstate: &str, message: &str) -> Vec<u8> {
    let mut p = Vec::with_capacity(9 + message.len());
    p.push(0xFF);
    p.extend_from_slice(&code.to_le_bytes());
    p.push(b'#');
    let state = sqlstate.as_bytes();
    p.extend_from_slice(&state[..5.min(state.len())]);
    p.extend_from_slice(message.as_bytes());
    p
}

/// Writes a procedure's result: one result set of one text column `name`
/// holding `rows`, then the procedure's final OK, as a
/// server answers a `CALL` that selects. `status` is the session's status;
/// `deprecate_eof` whether the client negotiated OK packets for EOF.
/// Returns the sequence id after the last packet.
pub fn write_procedure_result<W: Write>(
    w: &mut W,
    mut seq: u8,
    name: &str,
    rows: &[String],
    status: u16,
    deprecate_eof: bool,
) -> io::Result<u8> {
    let mut out = Vec::with_capacity(FLUSH_AT);
    let mut push = |out: &mut Vec<u8>, payload: &[u8], w: &mut W| -> io::Result<()> {
        seq = super::packet::encode_packet(out, seq, payload);
        if out.len() >= FLUSH_AT {
            w.write_all(out)?;
            out.clear();
        }
        Ok(())
    };
    let mut count = Vec::new();
    put_lenenc_int(&mut count, 1);
    push(&mut out, &count, w)?;
    {
        // A LONGTEXT column in utf8mb4 (collation 45), no table.
        let mut rest = vec![0x0c, 45, 0];
        rest.extend_from_slice(&u32::MAX.to_le_bytes());
        rest.push(0xfc);
        rest.extend_from_slice(&0x0010u16.to_le_bytes());
        rest.extend_from_slice(&[0, 0, 0]);
        let def =
            super::coldef::ColumnDef::encode([b"def", b"", b"", b"", name.as_bytes(), b""], &rest);
        push(&mut out, &def, w)?;
    }
    if !deprecate_eof {
        push(&mut out, &eof_payload(status, 0), w)?;
    }
    let mut row = Vec::new();
    for r in rows {
        row.clear();
        put_lenenc_bytes(&mut row, r.as_bytes());
        push(&mut out, &row, w)?;
    }
    let more = status | MORE_RESULTS;
    if deprecate_eof {
        let mut end = ok_payload(0, 0, more, 0, b"");
        end[0] = 0xFE;
        push(&mut out, &end, w)?;
    } else {
        push(&mut out, &eof_payload(more, 0), w)?;
    }
    push(&mut out, &ok_payload(0, 0, status, 0, b""), w)?;
    w.write_all(&out)?;
    w.flush()?;
    Ok(seq)
}

/// Encodes a classic EOF packet payload.
pub fn eof_payload(status: u16, warnings: u16) -> Vec<u8> {
    let mut p = vec![0xFE];
    p.extend_from_slice(&warnings.to_le_bytes());
    p.extend_from_slice(&status.to_le_bytes());
    p
}

/// The error code of an ERR packet payload.
pub fn err_code(payload: &[u8]) -> u16 {
    match payload {
        [0xFF, a, b, ..] => u16::from_le_bytes([*a, *b]),
        _ => 0,
    }
}

/// The SQLSTATE of an ERR packet payload (`HY000` when it has none).
pub fn err_state(payload: &[u8]) -> String {
    match payload.get(3..9) {
        Some([b'#', state @ ..]) => String::from_utf8_lossy(state).into_owned(),
        _ => "HY000".into(),
    }
}

/// The message of an ERR packet payload (after the SQLSTATE marker, if any).
pub fn err_message(payload: &[u8]) -> String {
    let rest = payload.get(3..).unwrap_or_default();
    let rest = if rest.first() == Some(&b'#') {
        rest.get(6..).unwrap_or_default()
    } else {
        rest
    };
    String::from_utf8_lossy(rest).into_owned()
}

/// Status flags of an OK packet, or of an EOF / OK-as-EOF terminator.
pub fn status_of(payload: &[u8], deprecate_eof: bool) -> u16 {
    if payload.first() == Some(&0xFE) && !deprecate_eof {
        return match payload {
            [0xFE, _, _, a, b, ..] => u16::from_le_bytes([*a, *b]),
            _ => 0,
        };
    }
    let mut pos = 1;
    if lenenc_int(payload, &mut pos).is_none() || lenenc_int(payload, &mut pos).is_none() {
        return 0;
    }
    match payload.get(pos..pos + 2) {
        Some(s) => u16::from_le_bytes([s[0], s[1]]),
        None => 0,
    }
}

/// The warning count of an OK or EOF packet (classic EOF when
/// `deprecate_eof` is off and the packet starts with 0xFE).
pub fn warnings_of(payload: &[u8], deprecate_eof: bool) -> u16 {
    if payload.first() == Some(&0xFE) && !deprecate_eof {
        return match payload {
            [0xFE, a, b, ..] => u16::from_le_bytes([*a, *b]),
            _ => 0,
        };
    }
    let mut pos = 1;
    if lenenc_int(payload, &mut pos).is_none() || lenenc_int(payload, &mut pos).is_none() {
        return 0;
    }
    match payload.get(pos + 2..pos + 4) {
        Some(s) => u16::from_le_bytes([s[0], s[1]]),
        None => 0,
    }
}

/// Whether a packet ends a row stream: EOF (classic) or OK-as-EOF.
pub fn is_terminator(first: Option<&u8>, len: usize, deprecate_eof: bool) -> bool {
    first == Some(&0xFE) && len < MAX_FRAME && (deprecate_eof || len < 9)
}

/// What kind of response the command that was just sent produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// COM_QUERY: OK, ERR, or text result sets, possibly several.
    Query,
    /// COM_STMT_EXECUTE: like a query, with binary rows and maybe a cursor.
    Execute,
    /// COM_STMT_PREPARE: PREPARE_OK with parameter and column definitions.
    /// The statement id the client sees is replaced by this one (vdb's own
    /// ids stay stable when the source connection is re-made).
    Prepare(u32),
    /// COM_STMT_FETCH: rows from an open cursor.
    Fetch,
    /// COM_FIELD_LIST: column definitions up to an EOF.
    FieldList,
    /// Any command answered by exactly one packet (PING, INIT_DB, ...).
    OnePacket,
}

/// How a relayed response ended.
#[derive(Debug, Clone, Copy)]
pub struct Relayed {
    /// Status flags of the final OK/EOF (0 when it ended in ERR).
    pub status: u16,
    /// The error code, when the response (or its last result) was an ERR.
    pub error: Option<u16>,
    /// For a PREPARE_OK: what the source said of the statement.
    pub prepared: Option<PrepareOk>,
    /// How many rows the last result set held (what the server's
    /// FOUND_ROWS() says after a query without SQL_CALC_FOUND_ROWS).
    pub rows: u64,
}

/// The head of a PREPARE_OK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrepareOk {
    /// The statement id the source assigned.
    pub id: u32,
    /// How many `?` parameters the statement takes.
    pub params: u16,
}

/// Why a relay stopped before the response ended.
#[derive(Debug)]
pub enum RelayError {
    /// The source connection failed or sent something malformed.
    /// `next_seq` is the sequence id an ERR to the client must carry;
    /// `flushed` says whether the client has already seen part of the answer.
    Upstream {
        cause: String,
        next_seq: u8,
        flushed: bool,
    },
    /// Writing to the client failed: the client is gone.
    Client(io::Error),
}

/// Changes the session asks the relay to make to a response: the relay
/// knows where column definitions and rows are, the session knows what they
/// should say (nothing here knows SQL).
pub trait ResultPatch {
    /// A replacement for the payload of column definition `index` (from 0)
    /// of the current result set, or `None` to keep it.
    fn column(&mut self, index: usize, payload: &[u8]) -> Option<Vec<u8>>;
    /// Whether the rows of the current result set need
    /// [`ResultPatch::row`]; asked after its column definitions.
    fn rows(&self) -> bool;
    /// A replacement for a row's payload (a binary row for
    /// COM_STMT_EXECUTE, else a text row), or `None` to keep it.
    fn row(&mut self, payload: &[u8], binary: bool) -> Option<Vec<u8>>;
}

/// Copies one response from `up` to `client` without re-encoding it.
///
/// `first_seq` is the sequence id the response starts with (one past the
/// command's last frame). `scratch` and `out` are reused buffers (one packet, and bytes pending for
/// the client). The whole response is written with as few system calls as
/// its size allows: a point select costs one write.
#[allow(clippy::too_many_arguments)]
pub fn relay<'p, R: BufRead, W: Write>(
    up: &mut R,
    client: &mut W,
    expect: Expect,
    deprecate_eof: bool,
    first_seq: u8,
    scratch: &mut Vec<u8>,
    out: &mut Vec<u8>,
    patch: Option<&'p mut (dyn ResultPatch + 'p)>,
) -> Result<Relayed, RelayError> {
    out.clear();
    let mut r = Relay {
        up,
        client,
        scratch,
        out,
        flushed: false,
        next_seq: first_seq,
        patch,
        last: 0,
        last_whole: false,
        row_count: 0,
    };
    let res = r.run(expect, deprecate_eof);
    match res {
        Ok(done) => {
            r.flush().map_err(RelayError::Client)?;
            Ok(done)
        }
        Err(RelayStop::Client(e)) => Err(RelayError::Client(e)),
        Err(RelayStop::Upstream(cause)) => {
            if r.flushed {
                // The client holds part of the answer: hand it the rest of
                // what arrived so the ERR that follows lands in sequence.
                r.flush().map_err(RelayError::Client)?;
            } else {
                r.out.clear();
                r.next_seq = first_seq;
            }
            Err(RelayError::Upstream {
                cause,
                next_seq: r.next_seq,
                flushed: r.flushed,
            })
        }
    }
}

/// A packet as the relay sees it: its first bytes (all of it when small)
/// and its true length.
struct Pkt<'a> {
    head: &'a [u8],
    len: usize,
}

impl Pkt<'_> {
    fn first(&self) -> Option<&u8> {
        self.head.first()
    }
}

enum RelayStop {
    Upstream(String),
    Client(io::Error),
}

struct Relay<'a, 'p, R, W> {
    up: &'a mut R,
    client: &'a mut W,
    scratch: &'a mut Vec<u8>,
    out: &'a mut Vec<u8>,
    flushed: bool,
    /// Sequence id after the last packet taken from the source.
    next_seq: u8,
    patch: Option<&'p mut (dyn ResultPatch + 'p)>,
    /// Where the last packet starts in `out`, and whether it is all there
    /// (one frame, not flushed): only then can it be replaced.
    last: usize,
    last_whole: bool,
    /// Rows of the result set being relayed.
    row_count: u64,
}

impl<R: BufRead, W: Write> Relay<'_, '_, R, W> {
    /// Reads the next source packet straight into the client's pending
    /// bytes (frames and all, no re-encoding) and returns its payload (the
    /// first frame's, which is all the relay inspects: OK, EOF and ERR
    /// packets are never split).
    fn next(&mut self) -> Result<Pkt<'_>, RelayStop> {
        self.read(false)
    }

    /// [`Self::next`]; with `hold`, the packet stays in `out` (unless it
    /// spans frames) so that it can be replaced; [`Self::flush_if_full`]
    /// follows.
    fn read(&mut self, hold: bool) -> Result<Pkt<'_>, RelayStop> {
        let start = self.out.len();
        self.last = start;
        self.last_whole = false;
        let mut total = 0usize;
        let mut multi = false;
        loop {
            let mut header = [0u8; 4];
            self.up
                .read_exact(&mut header)
                .map_err(|e| RelayStop::Upstream(e.to_string()))?;
            let len = u32::from_le_bytes([header[0], header[1], header[2], 0]) as usize;
            self.out.extend_from_slice(&header);
            let at = self.out.len();
            self.out.resize(at + len, 0);
            self.up
                .read_exact(&mut self.out[at..])
                .map_err(|e| RelayStop::Upstream(e.to_string()))?;
            self.next_seq = header[3].wrapping_add(1);
            total += len;
            if len < MAX_FRAME {
                break;
            }
            if total > MAX_LOGICAL_PACKET {
                return Err(RelayStop::Upstream("packet over 1 GiB".into()));
            }
            // A row of 16 MiB or more: keep its first bytes for inspection
            // and hand the client what has arrived before reading on.
            if !multi {
                multi = true;
                self.scratch.clear();
                self.scratch
                    .extend_from_slice(&self.out[start + 4..start + 4 + 16]);
            }
            self.flush().map_err(RelayStop::Client)?;
        }
        if multi {
            return Ok(Pkt {
                head: self.scratch,
                len: total,
            });
        }
        self.last_whole = true;
        if !hold && self.out.len() >= FLUSH_AT {
            self.last_whole = false;
            self.scratch.clear();
            let head = &self.out[start + 4..];
            self.scratch.extend_from_slice(&head[..head.len().min(64)]);
            self.flush().map_err(RelayStop::Client)?;
            return Ok(Pkt {
                head: self.scratch,
                len: total,
            });
        }
        Ok(Pkt {
            head: &self.out[start + 4..],
            len: total,
        })
    }

    /// Replaces the last packet (read with `hold`) by `payload`, keeping
    /// its sequence id.
    fn replace_last(&mut self, payload: &[u8]) {
        debug_assert!(self.last_whole && payload.len() < MAX_FRAME);
        let seq = self.out[self.last + 3];
        self.out.truncate(self.last);
        let len = payload.len() as u32;
        self.out.extend_from_slice(&len.to_le_bytes()[..3]);
        self.out.push(seq);
        self.out.extend_from_slice(payload);
    }

    fn flush_if_full(&mut self) -> Result<(), RelayStop> {
        if self.out.len() >= FLUSH_AT {
            self.flush().map_err(RelayStop::Client)?;
        }
        Ok(())
    }

    /// Column definitions: `count` packets, offered to the patch.
    fn columns(&mut self, count: u64) -> Result<(), RelayStop> {
        for i in 0..count {
            self.read(self.patch.is_some())?;
            if !self.last_whole {
                continue;
            }
            let start = self.last + 4;
            let new = match self.patch.as_mut() {
                Some(p) => p.column(i as usize, &self.out[start..]),
                None => None,
            };
            if let Some(new) = new {
                if new.len() < MAX_FRAME {
                    self.replace_last(&new);
                }
            }
            self.flush_if_full()?;
        }
        Ok(())
    }

    /// Rows through the patch, packet by packet.
    fn patched_rows(
        &mut self,
        deprecate_eof: bool,
        binary: bool,
    ) -> Result<(u16, Option<u16>), RelayStop> {
        loop {
            let p = self.read(true)?;
            if p.first() == Some(&0xFF) {
                return Ok((0, Some(err_code(p.head))));
            }
            if is_terminator(p.first(), p.len, deprecate_eof) {
                return Ok((status_of(p.head, deprecate_eof), None));
            }
            self.row_count += 1;
            if self.last_whole {
                let start = self.last + 4;
                let new = match self.patch.as_mut() {
                    Some(patch) => patch.row(&self.out[start..], binary),
                    None => None,
                };
                if let Some(new) = new.filter(|n| n.len() < MAX_FRAME) {
                    self.replace_last(&new);
                }
            }
            self.flush_if_full()?;
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.out.is_empty() {
            self.client.write_all(self.out)?;
            self.out.clear();
            self.flushed = true;
        }
        self.client.flush()
    }

    fn run(&mut self, expect: Expect, deprecate_eof: bool) -> Result<Relayed, RelayStop> {
        let bad =
            |what: &str| RelayStop::Upstream(format!("malformed response from the source: {what}"));
        match expect {
            Expect::OnePacket => {
                let p = self.next()?;
                Ok(match p.first() {
                    Some(0xFF) => Relayed {
                        rows: 0,
                        prepared: None,
                        status: 0,
                        error: Some(err_code(p.head)),
                    },
                    Some(0x00) | Some(0xFE) => Relayed {
                        rows: 0,
                        prepared: None,
                        status: status_of(p.head, deprecate_eof && p.head[0] == 0xFE),
                        error: None,
                    },
                    _ => Relayed {
                        rows: 0,
                        prepared: None,
                        status: 0,
                        error: None,
                    },
                })
            }
            Expect::Prepare(client_id) => {
                let p = self.next()?;
                match p.first() {
                    Some(0xFF) => {
                        return Ok(Relayed {
                            rows: 0,
                            prepared: None,
                            status: 0,
                            error: Some(err_code(p.head)),
                        })
                    }
                    Some(0x00) if p.head.len() >= 9 => {}
                    _ => return Err(bad("PREPARE_OK")),
                }
                let stmt_id = u32::from_le_bytes([p.head[1], p.head[2], p.head[3], p.head[4]]);
                let columns = u16::from_le_bytes([p.head[5], p.head[6]]);
                let params = u16::from_le_bytes([p.head[7], p.head[8]]);
                // PREPARE_OK is the first packet and small: it is still at
                // the start of the pending bytes (header, then 0x00, then
                // the id).
                self.out[5..9].copy_from_slice(&client_id.to_le_bytes());
                if params > 0 {
                    for _ in 0..params {
                        self.next()?;
                    }
                    if !deprecate_eof {
                        self.next()?;
                    }
                }
                if columns > 0 {
                    self.columns(columns as u64)?;
                    if !deprecate_eof {
                        self.next()?;
                    }
                }
                Ok(Relayed {
                    rows: 0,
                    prepared: Some(PrepareOk {
                        id: stmt_id,
                        params,
                    }),
                    status: 0,
                    error: None,
                })
            }
            Expect::FieldList => loop {
                let p = self.next()?;
                if p.first() == Some(&0xFF) {
                    return Ok(Relayed {
                        rows: 0,
                        prepared: None,
                        status: 0,
                        error: Some(err_code(p.head)),
                    });
                }
                if is_terminator(p.first(), p.len, deprecate_eof) {
                    return Ok(Relayed {
                        rows: 0,
                        prepared: None,
                        status: status_of(p.head, deprecate_eof),
                        error: None,
                    });
                }
            },
            Expect::Fetch => self.rows(deprecate_eof).map(|(st, err)| Relayed {
                rows: 0,
                prepared: None,
                status: st,
                error: err,
            }),
            Expect::Query | Expect::Execute => loop {
                let p = self.next()?;
                match p.first() {
                    Some(0x00) => {
                        let st = status_of(p.head, false);
                        if st & MORE_RESULTS != 0 {
                            continue;
                        }
                        return Ok(Relayed {
                            rows: 0,
                            prepared: None,
                            status: st,
                            error: None,
                        });
                    }
                    Some(0xFF) => {
                        return Ok(Relayed {
                            rows: 0,
                            prepared: None,
                            status: 0,
                            error: Some(err_code(p.head)),
                        })
                    }
                    Some(0xFB) => {
                        return Err(bad("LOCAL INFILE request, which vdb never asks for"))
                    }
                    None => return Err(bad("empty packet")),
                    _ => {}
                }
                let mut pos = 0;
                let columns = lenenc_int(p.head, &mut pos).ok_or_else(|| bad("column count"))?;
                self.row_count = 0;
                self.columns(columns)?;
                let patch_rows = matches!(expect, Expect::Query | Expect::Execute)
                    && self.patch.as_ref().is_some_and(|p| p.rows());
                if !deprecate_eof {
                    let eof = self.next()?;
                    let st = status_of(eof.head, false);
                    if st & CURSOR_EXISTS != 0 {
                        if st & MORE_RESULTS != 0 {
                            continue;
                        }
                        return Ok(Relayed {
                            rows: 0,
                            prepared: None,
                            status: st,
                            error: None,
                        });
                    }
                }
                let (st, err) = if patch_rows {
                    self.patched_rows(deprecate_eof, expect == Expect::Execute)?
                } else {
                    self.rows(deprecate_eof)?
                };
                if err.is_some() || st & MORE_RESULTS == 0 {
                    return Ok(Relayed {
                        rows: self.row_count,
                        prepared: None,
                        status: st,
                        error: err,
                    });
                }
            },
        }
    }

    /// Rows up to the terminator or an ERR.
    fn rows(&mut self, deprecate_eof: bool) -> Result<(u16, Option<u16>), RelayStop> {
        loop {
            if let Some(end) = self.buffered_rows(deprecate_eof)? {
                return Ok(end);
            }
            let p = self.next()?;
            if p.first() == Some(&0xFF) {
                return Ok((0, Some(err_code(p.head))));
            }
            if is_terminator(p.first(), p.len, deprecate_eof) {
                return Ok((status_of(p.head, deprecate_eof), None));
            }
            self.row_count += 1;
        }
    }
}

impl<R: BufRead, W: Write> Relay<'_, '_, R, W> {
    /// The fast path for row streams: walks the packet headers of whatever
    /// the source connection has already buffered and moves every complete
    /// packet up to the end of the stream in one copy, looking at one byte
    /// of each. Returns the end of the stream when it was among them; stops
    /// (returning None) at a partial packet or a 16 MiB frame, which the
    /// packet-at-a-time path handles.
    fn buffered_rows(
        &mut self,
        deprecate_eof: bool,
    ) -> Result<Option<(u16, Option<u16>)>, RelayStop> {
        let buf = match self.up.fill_buf() {
            Ok(b) => b,
            Err(e) => return Err(RelayStop::Upstream(e.to_string())),
        };
        let mut pos = 0;
        let mut end = None;
        while pos + 4 <= buf.len() {
            let len = u32::from_le_bytes([buf[pos], buf[pos + 1], buf[pos + 2], 0]) as usize;
            if len >= MAX_FRAME || pos + 4 + len > buf.len() {
                break;
            }
            let payload = &buf[pos + 4..pos + 4 + len];
            self.next_seq = buf[pos + 3].wrapping_add(1);
            pos += 4 + len;
            if payload.first() == Some(&0xFF) {
                end = Some((0, Some(err_code(payload))));
                break;
            }
            if is_terminator(payload.first(), len, deprecate_eof) {
                end = Some((status_of(payload, deprecate_eof), None));
                break;
            }
            self.row_count += 1;
        }
        self.out.extend_from_slice(&buf[..pos]);
        self.up.consume(pos);
        if end.is_none() && self.out.len() >= FLUSH_AT {
            self.flush().map_err(RelayStop::Client)?;
        }
        Ok(end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(packets: &[Vec<u8>]) -> Vec<u8> {
        let mut w = Vec::new();
        for (i, p) in packets.iter().enumerate() {
            encode_packet(&mut w, (i + 1) as u8, p);
        }
        w
    }

    fn coldef() -> Vec<u8> {
        let mut p = Vec::new();
        for s in ["def", "db", "t", "t", "c", "c"] {
            put_lenenc_bytes(&mut p, s.as_bytes());
        }
        p.extend_from_slice(&[0x0c, 33, 0, 11, 0, 0, 3, 0, 0, 0, 0, 0]);
        p
    }

    fn check(
        expect: Expect,
        deprecate_eof: bool,
        packets: Vec<Vec<u8>>,
        trailing: &[u8],
    ) -> Relayed {
        let mut input = wire(&packets);
        let relayed_len = input.len();
        input.extend_from_slice(trailing);
        let mut up = input.as_slice();
        let mut client = Vec::new();
        let r = relay(
            &mut up,
            &mut client,
            expect,
            deprecate_eof,
            1,
            &mut Vec::new(),
            &mut Vec::new(),
            None,
        )
        .unwrap();
        assert_eq!(
            client,
            input[..relayed_len],
            "the client gets the response byte for byte"
        );
        assert_eq!(
            up, trailing,
            "the relay stops exactly at the end of the response"
        );
        r
    }

    #[test]
    fn a_text_result_set_with_eof_packets_ends_at_the_second_eof() {
        let r = check(
            Expect::Query,
            false,
            vec![
                vec![1],
                coldef(),
                eof_payload(2, 0),
                vec![1, b'7'],
                vec![0xFB],
                eof_payload(2, 0),
            ],
            b"next",
        );
        assert_eq!(r.status, 2);
        assert_eq!(r.error, None);
        assert_eq!(r.rows, 2, "the rows counted, as FOUND_ROWS() counts them");
    }

    #[test]
    fn a_row_that_starts_like_an_eof_but_is_long_is_a_row() {
        // With DEPRECATE_EOF the terminator is an OK with an 0xFE header; a
        // row whose first cell is NULL starts 0xFB, and rows are never 0xFE
        // unless they are 16 MiB or more.
        let r = check(
            Expect::Query,
            true,
            vec![
                vec![1],
                coldef(),
                vec![0xFB],
                ok_payload(0, 0, 2, 0, b"")
                    .into_iter()
                    .enumerate()
                    .map(|(i, b)| if i == 0 { 0xFE } else { b })
                    .collect(),
            ],
            b"",
        );
        assert_eq!(r.status, 2);
    }

    #[test]
    fn a_row_of_16_mib_that_starts_like_a_terminator_is_a_row() {
        // A first cell of 2^24 bytes or more has the 0xFE length prefix.
        let cell = 17 * 1024 * 1024;
        let mut row = vec![0xFE];
        row.extend_from_slice(&(cell as u64).to_le_bytes());
        row.resize(9 + cell, b'r');
        for deprecate_eof in [false, true] {
            let end = if deprecate_eof {
                ok_payload(0, 0, 2, 0, b"")
                    .into_iter()
                    .enumerate()
                    .map(|(i, b)| if i == 0 { 0xFE } else { b })
                    .collect()
            } else {
                eof_payload(2, 0)
            };
            let eofs: Vec<Vec<u8>> = if deprecate_eof {
                vec![]
            } else {
                vec![eof_payload(2, 0)]
            };
            let mut packets = vec![vec![1], coldef()];
            packets.extend(eofs);
            packets.push(row.clone());
            packets.push(vec![1, b'x']);
            packets.push(end);
            let r = check(Expect::Query, deprecate_eof, packets, b"after");
            assert_eq!(r.rows, 2);
        }
    }

    #[test]
    fn multiple_results_are_followed_to_the_last_one() {
        let more = MORE_RESULTS | 2;
        let r = check(
            Expect::Query,
            false,
            vec![
                vec![1],
                coldef(),
                eof_payload(more, 0),
                vec![1, b'1'],
                eof_payload(more, 0),
                ok_payload(0, 0, more, 0, b""),
                err_payload(1146, "42S02", "Table 'x' doesn't exist"),
            ],
            b"zz",
        );
        assert_eq!(r.error, Some(1146));
    }

    #[test]
    fn a_prepare_ok_is_followed_by_its_parameter_and_column_definitions() {
        let mut ok = vec![0, 1, 0, 0, 0];
        ok.extend_from_slice(&1u16.to_le_bytes());
        ok.extend_from_slice(&2u16.to_le_bytes());
        ok.extend_from_slice(&[0, 0, 0]);
        check(
            Expect::Prepare(1),
            false,
            vec![
                ok,
                coldef(),
                coldef(),
                eof_payload(2, 0),
                coldef(),
                eof_payload(2, 0),
            ],
            b"x",
        );
    }

    #[test]
    fn an_execute_that_opens_a_cursor_ends_after_the_metadata() {
        let r = check(
            Expect::Execute,
            false,
            vec![vec![1], coldef(), eof_payload(CURSOR_EXISTS | 2, 0)],
            b"rows later",
        );
        assert_eq!(r.status & CURSOR_EXISTS, CURSOR_EXISTS);
    }

    #[test]
    fn binary_rows_start_with_zero_and_are_not_mistaken_for_ok() {
        check(
            Expect::Execute,
            false,
            vec![
                vec![1],
                coldef(),
                eof_payload(2, 0),
                vec![0, 0, 7, 0, 0, 0],
                eof_payload(2, 0),
            ],
            b"",
        );
    }

    /// Renames every column definition and doubles every text row's
    /// first value.
    struct Rename;

    impl ResultPatch for Rename {
        fn column(&mut self, _: usize, _: &[u8]) -> Option<Vec<u8>> {
            Some(b"renamed".to_vec())
        }
        fn rows(&self) -> bool {
            true
        }
        fn row(&mut self, payload: &[u8], _: bool) -> Option<Vec<u8>> {
            let mut p = payload.to_vec();
            p.extend_from_slice(payload);
            Some(p)
        }
    }

    #[test]
    fn a_patch_replaces_column_definitions_and_rows_keeping_sequence_ids() {
        let packets = vec![
            vec![1],
            coldef(),
            vec![0xFE, 0, 0, 2, 0],
            vec![1, b'x'],
            vec![0xFE, 0, 0, 2, 0],
        ];
        let input = wire(&packets);
        let mut client = Vec::new();
        let mut patch = Rename;
        relay(
            &mut input.as_slice(),
            &mut client,
            Expect::Query,
            false,
            1,
            &mut Vec::new(),
            &mut Vec::new(),
            Some(&mut patch),
        )
        .unwrap();
        let want = wire(&[
            vec![1],
            b"renamed".to_vec(),
            vec![0xFE, 0, 0, 2, 0],
            vec![1, b'x', 1, b'x'],
            vec![0xFE, 0, 0, 2, 0],
        ]);
        assert_eq!(client, want);
    }

    #[test]
    fn a_source_that_vanishes_mid_response_is_reported_with_the_next_sequence_id() {
        let input = wire(&[vec![1], coldef()]);
        let mut client = Vec::new();
        let err = relay(
            &mut input.as_slice(),
            &mut client,
            Expect::Query,
            false,
            1,
            &mut Vec::new(),
            &mut Vec::new(),
            None,
        )
        .unwrap_err();
        match err {
            RelayError::Upstream {
                next_seq, flushed, ..
            } => {
                assert_eq!(next_seq, 1, "the ERR replaces the discarded partial answer");
                assert!(!flushed);
                assert!(client.is_empty(), "nothing half-written reaches the client");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

//! Packet framing: the 4-byte header (3-byte length, 1-byte sequence id) and
//! the splitting of payloads of 16 MiB and more into continuation frames.
//!
//! Everything above this module works with whole logical payloads; only here
//! do frames exist.

use std::io::{self, Read, Write};

/// The largest payload one frame carries. A frame of exactly this length
/// means "more frames follow" (possibly an empty one).
pub const MAX_FRAME: usize = 0xFF_FFFF;

/// The largest logical packet vdb accepts from a client: MySQL's own ceiling
/// for `max_allowed_packet`. The source enforces its own, lower limit.
pub const MAX_LOGICAL_PACKET: usize = 1 << 30;

/// Why a packet could not be read.
#[derive(Debug)]
pub enum FrameError {
    /// The peer closed the connection or the socket failed.
    Io(io::Error),
    /// The peer announced more than [`MAX_LOGICAL_PACKET`] bytes.
    TooLarge,
    /// A continuation frame's sequence id was not the next one.
    OutOfOrder { expected: u8, got: u8 },
}

impl From<io::Error> for FrameError {
    fn from(e: io::Error) -> Self {
        FrameError::Io(e)
    }
}

/// Reads one logical packet into `buf` (cleared first), joining continuation
/// frames. Returns the sequence id of the first frame and of the last one.
pub fn read_packet<R: Read>(r: &mut R, buf: &mut Vec<u8>) -> Result<(u8, u8), FrameError> {
    buf.clear();
    let mut header = [0u8; 4];
    r.read_exact(&mut header)?;
    let first_seq = header[3];
    let mut seq = first_seq;
    loop {
        let len = u32::from_le_bytes([header[0], header[1], header[2], 0]) as usize;
        if buf.len() + len > MAX_LOGICAL_PACKET {
            return Err(FrameError::TooLarge);
        }
        let start = buf.len();
        buf.resize(start + len, 0);
        r.read_exact(&mut buf[start..])?;
        if len < MAX_FRAME {
            return Ok((first_seq, seq));
        }
        r.read_exact(&mut header)?;
        let expected = seq.wrapping_add(1);
        if header[3] != expected {
            return Err(FrameError::OutOfOrder {
                expected,
                got: header[3],
            });
        }
        seq = expected;
    }
}

/// Appends `payload` to `out` as frames starting at sequence id `seq`, and
/// returns the sequence id the next packet must use.
pub fn encode_packet(out: &mut Vec<u8>, mut seq: u8, payload: &[u8]) -> u8 {
    let mut rest = payload;
    loop {
        let n = rest.len().min(MAX_FRAME);
        out.extend_from_slice(&(n as u32).to_le_bytes()[..3]);
        out.push(seq);
        out.extend_from_slice(&rest[..n]);
        seq = seq.wrapping_add(1);
        rest = &rest[n..];
        if n < MAX_FRAME {
            return seq;
        }
    }
}

/// Writes `payload` as one packet (one `write_all` for the whole thing, so
/// small packets cost one system call). Returns the next sequence id.
pub fn write_packet<W: Write>(w: &mut W, seq: u8, payload: &[u8]) -> io::Result<u8> {
    let mut out = Vec::with_capacity(payload.len() + 4);
    let next = encode_packet(&mut out, seq, payload);
    w.write_all(&out)?;
    w.flush()?;
    Ok(next)
}

/// Reads a length-encoded integer at `*pos`, advancing it. `None` when the
/// bytes run out or the prefix is not an integer prefix (0xFB, 0xFF).
pub fn lenenc_int(buf: &[u8], pos: &mut usize) -> Option<u64> {
    let first = *buf.get(*pos)?;
    let (width, value) = match first {
        0..=0xFA => {
            *pos += 1;
            return Some(first as u64);
        }
        0xFC => (2, 0),
        0xFD => (3, 0),
        0xFE => (8, 0),
        _ => return None,
    };
    let bytes = buf.get(*pos + 1..*pos + 1 + width)?;
    let mut v: u64 = value;
    for (i, b) in bytes.iter().enumerate() {
        v |= (*b as u64) << (8 * i);
    }
    *pos += 1 + width;
    Some(v)
}

/// Appends a length-encoded integer.
pub fn put_lenenc_int(out: &mut Vec<u8>, v: u64) {
    match v {
        0..=0xFA => out.push(v as u8),
        0xFB..=0xFFFF => {
            out.push(0xFC);
            out.extend_from_slice(&(v as u16).to_le_bytes());
        }
        0x1_0000..=0xFF_FFFF => {
            out.push(0xFD);
            out.extend_from_slice(&(v as u32).to_le_bytes()[..3]);
        }
        _ => {
            out.push(0xFE);
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
}

/// Appends a length-encoded string.
pub fn put_lenenc_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_lenenc_int(out, b.len() as u64);
    out.extend_from_slice(b);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(len: usize) {
        let payload: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let mut wire = Vec::new();
        let next = encode_packet(&mut wire, 3, &payload);
        let frames = len / MAX_FRAME + 1;
        assert_eq!(next, 3 + frames as u8);
        let mut buf = Vec::new();
        let (first, last) = read_packet(&mut wire.as_slice(), &mut buf).unwrap();
        assert_eq!((first, last), (3, 3 + frames as u8 - 1));
        assert_eq!(buf, payload);
    }

    #[test]
    fn small_packets_are_one_frame() {
        roundtrip(0);
        roundtrip(1);
        roundtrip(1000);
    }

    #[test]
    fn a_payload_of_exactly_16mib_minus_one_needs_an_empty_trailing_frame() {
        roundtrip(MAX_FRAME);
    }

    #[test]
    fn large_payloads_split_into_continuation_frames() {
        roundtrip(MAX_FRAME + 1);
        roundtrip(2 * MAX_FRAME + 17);
    }

    #[test]
    fn a_continuation_frame_with_the_wrong_sequence_id_is_refused() {
        let mut wire = Vec::new();
        encode_packet(&mut wire, 0, &vec![0u8; MAX_FRAME + 5]);
        wire[4 + MAX_FRAME + 3] = 9;
        let err = read_packet(&mut wire.as_slice(), &mut Vec::new()).unwrap_err();
        assert!(matches!(
            err,
            FrameError::OutOfOrder {
                expected: 1,
                got: 9
            }
        ));
    }

    #[test]
    fn lenenc_integers_roundtrip() {
        for v in [
            0u64,
            250,
            251,
            0xFFFF,
            0x10000,
            0xFF_FFFF,
            0x100_0000,
            u64::MAX,
        ] {
            let mut out = Vec::new();
            put_lenenc_int(&mut out, v);
            let mut pos = 0;
            assert_eq!(lenenc_int(&out, &mut pos), Some(v));
            assert_eq!(pos, out.len());
        }
    }
}

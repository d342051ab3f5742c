//! The parameters of a COM_STMT_EXECUTE, decoded from the binary protocol.
//!
//! vdb decodes them only for statements it runs itself (captured writes);
//! every other execution is relayed to the source untouched.

use std::collections::HashMap;

/// Binary-protocol type codes that decide how a value is laid out.
mod ty {
    pub const DECIMAL: u8 = 0;
    pub const TINY: u8 = 1;
    pub const SHORT: u8 = 2;
    pub const LONG: u8 = 3;
    pub const FLOAT: u8 = 4;
    pub const DOUBLE: u8 = 5;
    pub const NULL: u8 = 6;
    pub const TIMESTAMP: u8 = 7;
    pub const LONGLONG: u8 = 8;
    pub const INT24: u8 = 9;
    pub const DATE: u8 = 10;
    pub const TIME: u8 = 11;
    pub const DATETIME: u8 = 12;
    pub const YEAR: u8 = 13;
    pub const NEWDATE: u8 = 14;
    pub const NEWDECIMAL: u8 = 246;
    pub const TINY_BLOB: u8 = 249;
    pub const MEDIUM_BLOB: u8 = 250;
    pub const LONG_BLOB: u8 = 251;
    pub const BLOB: u8 = 252;
}

/// The type byte's flag for an unsigned integer.
const UNSIGNED: u8 = 0x80;

/// One parameter value as the server would take it.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// SQL NULL (the null bitmap, or the NULL type).
    Null,
    /// A signed integer type.
    Signed(i64),
    /// An integer type with the unsigned flag.
    Unsigned(u64),
    /// FLOAT: the server widens it to a double.
    Float(f32),
    /// DOUBLE.
    Double(f64),
    /// DECIMAL / NEWDECIMAL: the digits as sent.
    Decimal(Vec<u8>),
    /// A BLOB type: a binary string (the server gives it the binary
    /// character set).
    Bytes(Vec<u8>),
    /// Any other string type: text in the client's character set.
    Text(Vec<u8>),
    /// DATE (or a zero-length DATETIME that is all zeros).
    Date { year: u16, month: u8, day: u8 },
    /// DATETIME / TIMESTAMP.
    DateTime {
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        micro: u32,
    },
    /// TIME, possibly negative and longer than a day.
    Time {
        negative: bool,
        days: u32,
        hour: u8,
        minute: u8,
        second: u8,
        micro: u32,
    },
}

/// Why an execution packet could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed(pub &'static str);

/// Decodes the parameters of a COM_STMT_EXECUTE `packet` (command byte
/// included) for a statement of `count` parameters.
///
/// `types` holds the types bound by an earlier execution and is replaced
/// when this one binds new ones; `long_data` holds what
/// COM_STMT_SEND_LONG_DATA sent since, which wins over the packet and is
/// consumed.
pub fn decode_execute(
    packet: &[u8],
    count: usize,
    types: &mut Vec<(u8, u8)>,
    long_data: &mut HashMap<u16, Vec<u8>>,
) -> Result<Vec<Param>, Malformed> {
    // command, statement id, flags, iteration count
    let mut r = Reader { b: packet, pos: 10 };
    if packet.len() < 10 {
        return Err(Malformed("COM_STMT_EXECUTE shorter than its header"));
    }
    if count == 0 {
        return Ok(Vec::new());
    }
    let nulls = r.take(bound_flag_at(count) - 10)?.to_vec();
    let bound = r.take(1)?[0];
    if bound == 1 {
        types.clear();
        for _ in 0..count {
            let t = r.take(2)?;
            types.push((t[0], t[1]));
        }
    } else if types.len() != count {
        return Err(Malformed("parameters sent without their types"));
    }
    let mut params = Vec::with_capacity(count);
    for (i, &(t, flags)) in types.iter().enumerate() {
        if let Some(data) = long_data.remove(&(i as u16)) {
            params.push(string_param(t, data));
            continue;
        }
        if nulls[i / 8] & (1 << (i % 8)) != 0 || t == ty::NULL {
            params.push(Param::Null);
            continue;
        }
        let unsigned = flags & UNSIGNED != 0;
        let p = match t {
            ty::TINY => integer(r.take(1)?[0] as u64, 8, unsigned),
            ty::SHORT | ty::YEAR => integer(u16::from_le_bytes(r.array()?) as u64, 16, unsigned),
            ty::LONG | ty::INT24 => integer(u32::from_le_bytes(r.array()?) as u64, 32, unsigned),
            ty::LONGLONG => integer(u64::from_le_bytes(r.array()?), 64, unsigned),
            ty::FLOAT => Param::Float(f32::from_le_bytes(r.array()?)),
            ty::DOUBLE => Param::Double(f64::from_le_bytes(r.array()?)),
            ty::DATE | ty::NEWDATE | ty::DATETIME | ty::TIMESTAMP => {
                let len = r.take(1)?[0] as usize;
                let b = r.take(len)?;
                let (year, month, day) = match b {
                    [] => (0, 0, 0),
                    [y0, y1, m, d, ..] => (u16::from_le_bytes([*y0, *y1]), *m, *d),
                    _ => return Err(Malformed("a date parameter of a bad length")),
                };
                let (hour, minute, second) = match b {
                    [_, _, _, _, h, mi, s, ..] => (*h, *mi, *s),
                    _ => (0, 0, 0),
                };
                let micro = match b {
                    [_, _, _, _, _, _, _, a, b2, c, d] => u32::from_le_bytes([*a, *b2, *c, *d]),
                    _ => 0,
                };
                if matches!(t, ty::DATE | ty::NEWDATE) {
                    Param::Date { year, month, day }
                } else {
                    Param::DateTime {
                        year,
                        month,
                        day,
                        hour,
                        minute,
                        second,
                        micro,
                    }
                }
            }
            ty::TIME => {
                let len = r.take(1)?[0] as usize;
                let b = r.take(len)?;
                match b {
                    [] => Param::Time {
                        negative: false,
                        days: 0,
                        hour: 0,
                        minute: 0,
                        second: 0,
                        micro: 0,
                    },
                    [neg, d0, d1, d2, d3, h, mi, s, rest @ ..] => Param::Time {
                        negative: *neg != 0,
                        days: u32::from_le_bytes([*d0, *d1, *d2, *d3]),
                        hour: *h,
                        minute: *mi,
                        second: *s,
                        micro: match rest {
                            [a, b2, c, d] => u32::from_le_bytes([*a, *b2, *c, *d]),
                            _ => 0,
                        },
                    },
                    _ => return Err(Malformed("a time parameter of a bad length")),
                }
            }
            _ => {
                let len = r.lenenc()?;
                let data = r.take(len)?.to_vec();
                string_param(t, data)
            }
        };
        params.push(p);
    }
    Ok(params)
}

/// An integer of `bits` bits (zero-extended in `v`), signed unless the
/// type said unsigned.
fn integer(v: u64, bits: u32, unsigned: bool) -> Param {
    if unsigned {
        Param::Unsigned(v)
    } else {
        let shift = 64 - bits;
        Param::Signed(((v << shift) as i64) >> shift)
    }
}

/// Where the new-params-bound flag of a COM_STMT_EXECUTE for `count`
/// parameters is (the types follow it when it is 1).
fn bound_flag_at(count: usize) -> usize {
    10 + count.div_ceil(8)
}

/// The parameter types a COM_STMT_EXECUTE binds, when it binds them.
pub fn bound_types(packet: &[u8], count: usize) -> Option<Vec<(u8, u8)>> {
    let at = bound_flag_at(count);
    if count == 0 || packet.get(at) != Some(&1) {
        return None;
    }
    let t = packet.get(at + 1..at + 1 + 2 * count)?;
    Some(t.chunks(2).map(|c| (c[0], c[1])).collect())
}

/// `packet` made to bind `types` when it does not bind any (for a
/// statement at the source that has never been given them); `None` when
/// it is fine as it is.
pub fn with_types(packet: &[u8], count: usize, types: &[(u8, u8)]) -> Option<Vec<u8>> {
    let at = bound_flag_at(count);
    if count == 0 || types.len() != count || packet.get(at) != Some(&0) {
        return None;
    }
    let mut p = Vec::with_capacity(packet.len() + 2 * count);
    p.extend_from_slice(&packet[..at]);
    p.push(1);
    p.extend(types.iter().flat_map(|(t, f)| [*t, *f]));
    p.extend_from_slice(&packet[at + 1..]);
    Some(p)
}

/// A value sent as bytes, typed as the server types it.
fn string_param(t: u8, data: Vec<u8>) -> Param {
    match t {
        ty::TINY_BLOB | ty::MEDIUM_BLOB | ty::LONG_BLOB | ty::BLOB => Param::Bytes(data),
        ty::DECIMAL | ty::NEWDECIMAL => Param::Decimal(data),
        _ => Param::Text(data),
    }
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Malformed> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.b.len())
            .ok_or(Malformed("COM_STMT_EXECUTE ends inside its parameters"))?;
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Malformed> {
        let s = self.take(N)?;
        let mut a = [0; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    fn lenenc(&mut self) -> Result<usize, Malformed> {
        let first = self.take(1)?[0];
        let n = match first {
            0xFC => u16::from_le_bytes(self.array()?) as u64,
            0xFD => {
                let b: [u8; 3] = self.array()?;
                u32::from_le_bytes([b[0], b[1], b[2], 0]) as u64
            }
            0xFE => u64::from_le_bytes(self.array()?),
            0xFB | 0xFF => return Err(Malformed("a bad length in COM_STMT_EXECUTE")),
            n => n as u64,
        };
        usize::try_from(n).map_err(|_| Malformed("a bad length in COM_STMT_EXECUTE"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Vec<u8> {
        vec![0x17, 1, 0, 0, 0, 0, 1, 0, 0, 0]
    }

    #[test]
    fn decodes_each_layout_and_keeps_types_for_the_next_execution() {
        let mut p = header();
        p.push(0b0000_0100); // third parameter is NULL
        p.push(1);
        for t in [
            (ty::LONGLONG, 0x80),
            (ty::TINY, 0),
            (ty::LONG, 0),
            (253, 0),
            (ty::BLOB, 0),
            (ty::DOUBLE, 0),
            (ty::DATETIME, 0),
            (ty::TIME, 0),
        ] {
            p.extend_from_slice(&[t.0, t.1]);
        }
        p.extend_from_slice(&u64::MAX.to_le_bytes());
        p.push(0xFF);
        p.extend_from_slice(&[3, b'a', b'\'', b'b']);
        p.extend_from_slice(&[2, 0, 0xFF]);
        p.extend_from_slice(&1.5f64.to_le_bytes());
        p.extend_from_slice(&[11, 0xE8, 0x07, 2, 29, 23, 59, 58, 0x40, 0xE2, 0x01, 0]);
        p.extend_from_slice(&[8, 1, 2, 0, 0, 0, 3, 4, 5]);
        let mut types = Vec::new();
        let mut long = HashMap::new();
        let got = decode_execute(&p, 8, &mut types, &mut long).unwrap();
        assert_eq!(
            got,
            vec![
                Param::Unsigned(u64::MAX),
                Param::Signed(-1),
                Param::Null,
                Param::Text(b"a'b".to_vec()),
                Param::Bytes(vec![0, 0xFF]),
                Param::Double(1.5),
                Param::DateTime {
                    year: 2024,
                    month: 2,
                    day: 29,
                    hour: 23,
                    minute: 59,
                    second: 58,
                    micro: 123456
                },
                Param::Time {
                    negative: true,
                    days: 2,
                    hour: 3,
                    minute: 4,
                    second: 5,
                    micro: 0
                },
            ]
        );
        // Not rebound: the types of the first execution apply.
        let mut p = header();
        p.extend_from_slice(&[0b1111_1110, 0]);
        p.extend_from_slice(&7u64.to_le_bytes());
        long.insert(1, b"long".to_vec());
        let got = decode_execute(&p, 8, &mut types, &mut long).unwrap();
        assert_eq!(got[0], Param::Unsigned(7));
        // Long data wins over the null bit.
        assert_eq!(got[1], Param::Text(b"long".to_vec()));
        assert!(got[2..].iter().all(|p| *p == Param::Null));
        assert!(long.is_empty());
    }

    #[test]
    fn types_are_read_from_and_put_into_executions() {
        let mut bound = header();
        bound.extend_from_slice(&[0, 1, ty::LONG, 0x80, 5, 0, 0, 0]);
        assert_eq!(bound_types(&bound, 1), Some(vec![(ty::LONG, 0x80)]));
        let mut bare = header();
        bare.extend_from_slice(&[0, 0, 5, 0, 0, 0]);
        assert_eq!(bound_types(&bare, 1), None);
        assert_eq!(
            with_types(&bare, 1, &[(ty::LONG, 0x80)]),
            Some(bound.clone())
        );
        assert_eq!(with_types(&bound, 1, &[(ty::LONG, 0x80)]), None);
    }

    #[test]
    fn truncated_or_untyped_packets_are_malformed() {
        let mut types = Vec::new();
        let mut long = HashMap::new();
        let mut p = header();
        p.extend_from_slice(&[0, 0]);
        assert!(decode_execute(&p, 1, &mut types, &mut long).is_err());
        let mut p = header();
        p.extend_from_slice(&[0, 1, ty::LONGLONG, 0, 1, 2]);
        assert!(decode_execute(&p, 1, &mut types, &mut long).is_err());
        let mut p = header();
        p.extend_from_slice(&[0, 1, 253, 0, 0xFE, 0xFF]);
        assert!(decode_execute(&p, 1, &mut types, &mut long).is_err());
    }
}

//! The wire protocol holds up against odd and hostile input: vdb answers
//! with an error or closes that one connection, and keeps serving others.

use std::io::{Read, Write};
use std::time::Duration;

use mysql::prelude::Queryable;

use crate::harness::{source, Vdb};
use crate::rawclient::{err_code, Raw};

fn still_serving(vdb: &Vdb) {
    let mut c = vdb.conn(None);
    let v: u32 = c.query_first("SELECT 41 + 1").unwrap().unwrap();
    assert_eq!(v, 42);
}

fn login(vdb: &Vdb) -> Raw {
    let s = source();
    let mut raw = Raw::connect(vdb.addr);
    let ok = raw.login(&s.user, &s.password, "mysql_native_password");
    assert_eq!(ok[0], 0x00, "login failed: {ok:?}");
    raw
}

#[test]
fn garbage_instead_of_a_handshake_closes_only_that_connection() {
    let vdb = Vdb::start();
    let mut raw = Raw::connect(vdb.addr);
    raw.greeting();
    raw.s
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut rest = Vec::new();
    let _ = raw.s.read_to_end(&mut rest);
    still_serving(&vdb);
    // Garbage sent before even reading the greeting.
    let mut raw = Raw::connect(vdb.addr);
    raw.s.write_all(&[0xFF; 64]).unwrap();
    let _ = raw.s.read_to_end(&mut Vec::new());
    still_serving(&vdb);
}

#[test]
fn a_truncated_handshake_or_command_is_survived() {
    let vdb = Vdb::start();
    let mut raw = Raw::connect(vdb.addr);
    raw.greeting();
    raw.s.write_all(&[100, 0, 0, 1, 1, 2, 3]).unwrap();
    drop(raw);
    let mut raw = login(&vdb);
    // Announce a 1000-byte query, send 10 bytes, vanish.
    raw.s
        .write_all(&[
            0xE8, 0x03, 0, 0, 0x03, b'S', b'E', b'L', b'E', b'C', b'T', b' ', b'1',
        ])
        .unwrap();
    drop(raw);
    still_serving(&vdb);
}

#[test]
fn a_silent_client_is_dropped_after_the_handshake_timeout() {
    let vdb = Vdb::start();
    let mut raw = Raw::connect(vdb.addr);
    raw.greeting();
    raw.s
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut buf = [0u8; 16];
    let started = std::time::Instant::now();
    let n = raw.s.read(&mut buf).unwrap_or(0);
    assert_eq!(n, 0, "vdb closes the connection");
    assert!(started.elapsed() < Duration::from_secs(25));
}

#[test]
fn an_out_of_sequence_command_gets_error_1156() {
    let vdb = Vdb::start();
    let mut raw = login(&vdb);
    raw.send(5, b"\x03SELECT 1");
    let (_, p) = raw.recv().unwrap();
    assert_eq!(err_code(&p), 1156);
    still_serving(&vdb);
}

#[test]
fn unknown_commands_get_error_1047_and_the_connection_goes_on() {
    let vdb = Vdb::start();
    let mut raw = login(&vdb);
    for cmd in [
        &[0x12u8][..],
        &[0x08],
        &[0x0A],
        &[0x1D, 1, 2, 3],
        &[0xEE, 0xFF],
        &[0x12, b'x', b'y'],
    ] {
        let r = raw.command(cmd);
        assert_eq!(err_code(&r[0]), 1047, "command {cmd:?}");
    }
    // Still usable.
    let r = raw.command(b"\x0e");
    assert_eq!(r[0][0], 0x00, "COM_PING answers OK");
    still_serving(&vdb);
}

#[test]
fn a_client_that_vanishes_mid_result_does_not_disturb_others() {
    let vdb = Vdb::start();
    let mut raw = login(&vdb);
    raw.send(
        0,
        b"\x03SELECT a.n, b.n, REPEAT('x', 200) FROM vdbt_shop.numbers a, vdbt_shop.numbers b",
    );
    let mut some = [0u8; 4096];
    raw.s.read_exact(&mut some).unwrap();
    drop(raw);
    for _ in 0..3 {
        still_serving(&vdb);
    }
}

#[test]
fn field_list_statistics_and_set_option_are_served() {
    let vdb = Vdb::start();
    let mut raw = login(&vdb);
    let r = raw.command(b"\x02vdbt_shop");
    assert_eq!(r[0][0], 0x00, "COM_INIT_DB");
    let r = raw.command(b"\x04digits\0");
    assert!(r.len() >= 2, "a column definition and EOF: {r:?}");
    assert_eq!(r.last().unwrap()[0], 0xFE);
    raw.send(0, b"\x09");
    let (_, stats) = raw.recv().unwrap();
    let stats = String::from_utf8_lossy(&stats).into_owned();
    assert!(stats.contains("Uptime"), "{stats}");
    // Multi-statements off, then on again.
    let r = raw.command(&[0x1B, 1, 0]);
    assert!(matches!(r[0][0], 0x00 | 0xFE), "{r:?}");
    let r = raw.command(&[0x1B, 0, 0]);
    assert!(matches!(r[0][0], 0x00 | 0xFE), "{r:?}");
}

#[test]
fn long_data_reaches_a_prepared_statement() {
    let vdb = Vdb::start();
    let mut raw = login(&vdb);
    raw.send(0, b"\x16SELECT CONCAT(?, '!')");
    let (_, ok) = raw.recv().unwrap();
    assert_eq!(ok[0], 0, "PREPARE_OK: {ok:?}");
    let stmt = u32::from_le_bytes([ok[1], ok[2], ok[3], ok[4]]);
    // One parameter definition and one column, no EOFs (DEPRECATE_EOF).
    raw.recv().unwrap();
    raw.recv().unwrap();
    for chunk in [&b"hello "[..], b"long ", b"data"] {
        let mut p = vec![0x18];
        p.extend_from_slice(&stmt.to_le_bytes());
        p.extend_from_slice(&0u16.to_le_bytes());
        p.extend_from_slice(chunk);
        raw.send(0, &p);
    }
    let mut exec = vec![0x17];
    exec.extend_from_slice(&stmt.to_le_bytes());
    exec.extend_from_slice(&[0, 1, 0, 0, 0, 0, 1, 0xFE, 0]);
    raw.send(0, &exec);
    let (_, cols) = raw.recv().unwrap();
    assert_eq!(cols, vec![1]);
    raw.recv().unwrap();
    let (_, row) = raw.recv().unwrap();
    assert_eq!(row[0], 0x00, "a binary row");
    assert!(
        row.ends_with(b"hello long data!"),
        "{:?}",
        String::from_utf8_lossy(&row)
    );
    let (_, end) = raw.recv().unwrap();
    assert_eq!(end[0], 0xFE);
    // COM_STMT_RESET and COM_STMT_CLOSE.
    let mut reset = vec![0x1A];
    reset.extend_from_slice(&stmt.to_le_bytes());
    assert_eq!(raw.command(&reset)[0][0], 0x00);
    let mut close = vec![0x19];
    close.extend_from_slice(&stmt.to_le_bytes());
    raw.send(0, &close);
    assert_eq!(raw.command(b"\x0e")[0][0], 0x00);
}

fn prepare(raw: &mut Raw, sql: &str) -> u32 {
    let mut p = vec![0x16];
    p.extend_from_slice(sql.as_bytes());
    raw.send(0, &p);
    let (_, ok) = raw.recv().unwrap();
    assert_eq!(ok[0], 0, "PREPARE_OK: {ok:?}");
    let columns = u16::from_le_bytes([ok[5], ok[6]]);
    let params = u16::from_le_bytes([ok[7], ok[8]]);
    for _ in 0..columns + params {
        raw.recv().unwrap();
    }
    u32::from_le_bytes([ok[1], ok[2], ok[3], ok[4]])
}

#[test]
fn a_cursor_is_opened_by_execute_and_read_by_fetch() {
    let vdb = Vdb::start();
    let mut raw = login(&vdb);
    let stmt = prepare(
        &mut raw,
        "SELECT n FROM vdbt_shop.numbers WHERE n < 5 ORDER BY n",
    );
    let mut exec = vec![0x17];
    exec.extend_from_slice(&stmt.to_le_bytes());
    exec.extend_from_slice(&[1, 1, 0, 0, 0]); // CURSOR_TYPE_READ_ONLY, one iteration
    raw.send(0, &exec);
    let (_, count) = raw.recv().unwrap();
    assert_eq!(count, vec![1]);
    raw.recv().unwrap(); // column definition
    let (_, eof) = raw.recv().unwrap();
    assert_eq!(eof[0], 0xFE, "metadata ends the execute answer");
    let status = u16::from_le_bytes([eof[eof.len() - 4], eof[eof.len() - 3]]);
    assert_ne!(status & 0x0040, 0, "SERVER_STATUS_CURSOR_EXISTS");
    let mut seen = Vec::new();
    loop {
        let mut fetch = vec![0x1C];
        fetch.extend_from_slice(&stmt.to_le_bytes());
        fetch.extend_from_slice(&2u32.to_le_bytes());
        raw.send(0, &fetch);
        loop {
            let (_, p) = raw.recv().unwrap();
            if p[0] == 0xFE {
                let st = u16::from_le_bytes([p[p.len() - 4], p[p.len() - 3]]);
                if st & 0x0080 != 0 {
                    assert_eq!(seen, vec![0, 1, 2, 3, 4], "every row, in order");
                    // The connection is in step afterwards.
                    assert_eq!(raw.command(b"\x0e")[0][0], 0x00);
                    return;
                }
                break;
            }
            assert_eq!(p[0], 0x00, "a binary row");
            seen.push(i32::from_le_bytes([p[2], p[3], p[4], p[5]]));
        }
    }
}

#[test]
fn reset_connection_answers_ok_and_clears_the_session() {
    let vdb = Vdb::start();
    let mut raw = login(&vdb);
    assert_eq!(raw.command(b"\x03SET @x = 5")[0][0], 0x00);
    let r = raw.command(b"\x1f");
    assert_eq!(r[0][0], 0x00, "COM_RESET_CONNECTION: {r:?}");
    let r = raw.command(b"\x03SELECT @x IS NULL");
    let row = &r[2];
    assert_eq!(row, &vec![1, b'1'], "user variables are cleared: {r:?}");
}

#[test]
fn a_packet_over_the_sources_max_allowed_packet_gets_an_error_and_the_next_statement_works() {
    let vdb = Vdb::start();
    let mut c = vdb.conn(None);
    let max: u64 = c
        .query_first("SELECT @@max_allowed_packet")
        .unwrap()
        .unwrap();
    let mut raw = login(&vdb);
    let mut payload = b"\x03SELECT LENGTH('".to_vec();
    payload.resize(max as usize + 4096, b'y');
    payload.extend_from_slice(b"')");
    // Frames of 16 MiB - 1 with consecutive sequence ids.
    let mut wire = Vec::with_capacity(payload.len() + 64);
    let mut seq = 0u8;
    for chunk in payload.chunks(0xFF_FFFF) {
        wire.extend_from_slice(&(chunk.len() as u32).to_le_bytes()[..3]);
        wire.push(seq);
        wire.extend_from_slice(chunk);
        seq = seq.wrapping_add(1);
    }
    if payload.len() % 0xFF_FFFF == 0 {
        wire.extend_from_slice(&[0, 0, 0, seq]);
    }
    let writer = {
        let mut s = raw.s.try_clone().unwrap();
        std::thread::spawn(move || {
            use std::io::Write;
            // The source may stop reading once it has seen the length.
            let _ = s.write_all(&wire);
        })
    };
    let (_, answer) = raw.recv().expect("an answer, not a hang");
    assert!(
        matches!(err_code(&answer), 1153 | 2013),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    let _ = writer.join();
    drop(raw);
    let one: u8 = c.query_first("SELECT 1").unwrap().unwrap();
    assert_eq!(one, 1, "other connections are unaffected");
}

#[test]
fn an_unknown_statement_id_gets_the_servers_own_error() {
    let vdb = Vdb::start();
    let s = source();
    let mut exec = vec![0x17];
    exec.extend_from_slice(&4242u32.to_le_bytes());
    exec.extend_from_slice(&[0, 1, 0, 0, 0]);
    let mut answers = Vec::new();
    for addr in [
        vdb.addr,
        std::net::SocketAddr::from(([127, 0, 0, 1], s.port)),
    ] {
        let mut raw = Raw::connect(addr);
        let ok = raw.login(&s.user, &s.password, "mysql_native_password");
        assert_eq!(ok[0], 0x00);
        let r = raw.command(&exec);
        answers.push(r[0].clone());
    }
    assert_eq!(err_code(&answers[0]), 1243);
    assert_eq!(
        answers[0], answers[1],
        "the same ERR packet as the source sends"
    );
}

/// A cursor's rows come through COM_STMT_FETCH, which vdb relays as they
/// are: over a changed table read by key (whose merged view may widen an
/// integer column), each value must still be as wide as the type its
/// column definition announces.
#[test]
fn a_cursor_over_rows_changed_in_place_sends_values_of_the_announced_types() {
    let before = crate::harness::source_fingerprint();
    let vdb = Vdb::start();
    let mut raw = login(&vdb);
    let r = raw.command(b"\x03UPDATE vdbt_types.alltypes SET vc = 'changed' WHERE id = 2");
    assert_eq!(r[0][0], 0x00, "{r:?}");
    let stmt = prepare(
        &mut raw,
        "SELECT ti, id FROM vdbt_types.alltypes WHERE id = 2",
    );
    let mut exec = vec![0x17];
    exec.extend_from_slice(&stmt.to_le_bytes());
    exec.extend_from_slice(&[1, 1, 0, 0, 0]); // CURSOR_TYPE_READ_ONLY, one iteration
    raw.send(0, &exec);
    let (_, count) = raw.recv().unwrap();
    assert_eq!(count, vec![2]);
    // The type byte follows the names and the 0x0c-length block's
    // character set (2) and length (4).
    let type_of = |def: &[u8]| {
        let mut pos = 0;
        for _ in 0..6 {
            let len = def[pos] as usize;
            pos += 1 + len;
        }
        def[pos + 1 + 2 + 4]
    };
    let width = |t: u8| match t {
        0x01 => 1,
        0x02 | 0x0d => 2,
        0x03 | 0x09 => 4,
        0x08 => 8,
        other => panic!("not an integer type: {other:#x}"),
    };
    let (_, first) = raw.recv().unwrap();
    let (_, second) = raw.recv().unwrap();
    let widths = [width(type_of(&first)), width(type_of(&second))];
    let (_, eof) = raw.recv().unwrap();
    assert_eq!(eof[0], 0xFE);
    let mut fetch = vec![0x1C];
    fetch.extend_from_slice(&stmt.to_le_bytes());
    fetch.extend_from_slice(&10u32.to_le_bytes());
    raw.send(0, &fetch);
    let (_, row) = raw.recv().unwrap();
    assert_eq!(row[0], 0x00, "a binary row: {row:?}");
    // Header (0x00 and a one-byte NULL bitmap), then the two values.
    assert_eq!(
        row.len(),
        2 + widths[0] + widths[1],
        "{row:?} for widths {widths:?}"
    );
    let value = |at: usize, w: usize| {
        let mut b = [0u8; 8];
        b[..w].copy_from_slice(&row[at..at + w]);
        u64::from_le_bytes(b)
    };
    assert_eq!(value(2, widths[0]), 127, "ti");
    assert_eq!(value(2 + widths[0], widths[1]), 2, "id");
    loop {
        let (_, p) = raw.recv().unwrap();
        if p[0] == 0xFE {
            break;
        }
    }
    assert_eq!(raw.command(b"\x0e")[0][0], 0x00);
    crate::harness::assert_source_unchanged(&before);
}

//! Server-side prepared statements that vdb binds itself: writes (checked
//! by vdb at PREPARE, bound and captured at each EXECUTE exactly as the
//! same statement sent as text would be; nothing runs at the source),
//! reads over changed tables (narrowed per execution) and locking reads
//! (their rows locked per execution).

use log::debug;

use super::{shorten, ClientError, PreparedStmt, Session, SessionEnd};
use crate::overlay::rewrite_bound;
use crate::overlay::write::check_prepared;
use crate::protocol::params::{decode_execute, with_types, Param};
use crate::protocol::response::Expect;
use crate::sql::bind::{quote_text, substitute};
use crate::sql::lexer::{lex, LexMode};

/// Parameter types as a COM_STMT_EXECUTE binds them: (type, flags).
pub(super) type ParamTypes = Vec<(u8, u8)>;

/// Why an execution's parameters could not be bound into its text.
pub(super) enum BindError {
    /// The packet cannot be decoded.
    Malformed(&'static str),
    /// A value, or the placeholders, vdb cannot bind (named).
    Unbindable(String),
}

/// Statements prepared at the source for narrowed executions (see
/// [`Session::execute_narrowed`]), by the text they were prepared from and
/// the database it was read in. A narrowed text depends on the delta only
/// through what it spells out (captured rows as literals, or the table's
/// own name when none may pass), so an execution whose text is one of
/// these executes that statement again: one round trip, as for the
/// client's statement on the source, instead of a prepare, an execution
/// and a close.
#[derive(Default)]
pub(super) struct NarrowedStatements {
    /// The source connection they were prepared on (a new one knows none).
    connection: u32,
    /// (key, source statement id), the most recently used last.
    entries: Vec<(Vec<u8>, u32)>,
}

impl NarrowedStatements {
    /// Statements kept per connection.
    const KEPT: usize = 16;
    /// Longer texts (a view embedding many rows) are prepared each time.
    const MAX_TEXT: usize = 16 * 1024;

    fn key(db: Option<&[u8]>, text: &str) -> Vec<u8> {
        let db = db.unwrap_or_default();
        let mut k = Vec::with_capacity(db.len() + 1 + text.len());
        k.extend_from_slice(db);
        k.push(0);
        k.extend_from_slice(text.as_bytes());
        k
    }

    /// The statement prepared from `key` on `connection`, marked used.
    fn take(&mut self, connection: u32, key: &[u8]) -> Option<u32> {
        if self.connection != connection {
            self.connection = connection;
            self.entries.clear();
            return None;
        }
        let at = self.entries.iter().position(|(k, _)| k == key)?;
        let entry = self.entries.remove(at);
        let id = entry.1;
        self.entries.push(entry);
        Some(id)
    }

    /// Keeps `id`, prepared from `key`; the statement to close when it
    /// cannot be kept, or one it pushed out.
    fn keep(&mut self, connection: u32, key: Vec<u8>, id: u32) -> Option<u32> {
        if key.len() > Self::MAX_TEXT || self.connection != connection {
            return Some(id);
        }
        if self.entries.iter().any(|(_, i)| *i == id) {
            return None;
        }
        self.entries.push((key, id));
        (self.entries.len() > Self::KEPT).then(|| self.entries.remove(0).1)
    }
}

impl PreparedStmt {
    /// Appends a COM_STMT_SEND_LONG_DATA chunk (`packet` whole) for a
    /// statement vdb binds itself.
    pub(super) fn append_long_data(&mut self, packet: &[u8]) {
        if let Some(param) = packet.get(5..7) {
            let param = u16::from_le_bytes([param[0], param[1]]);
            self.long_data
                .entry(param)
                .or_default()
                .extend_from_slice(&packet[7..]);
        }
    }
}

impl Session<'_> {
    /// COM_STMT_PREPARE of a write. The source may not prepare a write at
    /// all (its session is read-only, and its account may have only
    /// SELECT), so vdb checks the text itself (with each `?` as 0: its
    /// syntax at the source, and the tables it writes; unknown columns are
    /// reported at execution, where the server reports some of them too)
    /// and answers with the PREPARE_OK the source gives for `DO ?, ...`
    /// with as many parameters: the same parameter definitions, no
    /// columns. At each execution the text is bound and captured.
    pub(super) fn prepare_write(&mut self, packet: &[u8], seq: u8) -> Result<(), SessionEnd> {
        let text = packet[1..].to_vec();
        let count = lex(&text, self.lex)
            .tokens
            .iter()
            .filter(|t| t.is_punct(b'?'))
            .count();
        if !self.ensure_upstream(seq)? {
            return Ok(());
        }
        let zeros = vec![b"0".to_vec(); count];
        let probe = substitute(&text, self.lex, &zeros).expect("counted above");
        if let Err(e) = self.with_write_context(|cx| check_prepared(cx, &probe)) {
            return self.overlay_failed(seq, e);
        }
        let mut stand_in = b"DO 0".to_vec();
        if count > 0 {
            stand_in.truncate(3);
            stand_in.extend_from_slice(&vec!["?"; count].join(",").into_bytes());
        }
        let client_id = self.next_stmt_id;
        let mut p = vec![0x16];
        p.extend_from_slice(&stand_in);
        let relayed = self.forward(&p, Expect::Prepare(client_id), seq)?;
        if let Some(ok) = relayed.and_then(|r| r.prepared) {
            self.next_stmt_id = self.next_stmt_id.wrapping_add(1).max(1);
            self.prepared.insert(
                client_id,
                PreparedStmt {
                    // Executions are vdb's own, never relayed.
                    write: true,
                    params: count as u16,
                    ..PreparedStmt::new(stand_in, ok.id, text)
                },
            );
        }
        Ok(())
    }

    /// COM_STMT_EXECUTE of a prepared write: its parameters become
    /// literals in its text, which is captured.
    pub(super) fn execute_prepared_write(
        &mut self,
        packet: &[u8],
        seq: u8,
    ) -> Result<bool, SessionEnd> {
        let sql = match self.bind_execution(packet) {
            Ok((sql, _)) => sql,
            Err(BindError::Malformed(why)) => {
                self.send_error(seq, &ClientError::Malformed(why))?;
                return Ok(true);
            }
            Err(BindError::Unbindable(what)) => {
                self.send_error(seq, &ClientError::NotCapturable(what))?;
                return Ok(true);
            }
        };
        debug!("conn {} execute bound: {}", self.id, shorten(&sql));
        self.capture(&sql, seq)
    }
}

/// The literal the server reads as the value it binds for `p`: integers as
/// digits, doubles (and floats, which the server widens) in exponent form
/// so they stay doubles, decimals as their digits, BLOB-typed values as
/// binary strings, other strings quoted in the client's character set, and
/// temporal values as typed literals with fractions only when present (as
/// the server sets the parameter's decimals).
pub(super) fn literal(p: &Param, lex: LexMode) -> Result<Vec<u8>, String> {
    fn fraction(micro: u32) -> String {
        if micro == 0 {
            String::new()
        } else {
            format!(".{micro:06}")
        }
    }
    fn double(v: f64) -> Result<Vec<u8>, String> {
        if v.is_finite() {
            Ok(format!("{v:e}").into_bytes())
        } else {
            Err(format!("a prepared write bound to the double {v}"))
        }
    }
    Ok(match p {
        Param::Null => b"NULL".to_vec(),
        Param::Signed(v) => v.to_string().into_bytes(),
        Param::Unsigned(v) => v.to_string().into_bytes(),
        Param::Float(v) => double(*v as f64)?,
        Param::Double(v) => double(*v)?,
        Param::Decimal(d) if is_decimal(d) => d.clone(),
        Param::Decimal(d) | Param::Text(d) => quote_text(d, lex),
        Param::Bytes(b) => {
            let mut out = b"_binary X'".to_vec();
            for byte in b {
                out.extend_from_slice(format!("{byte:02X}").as_bytes());
            }
            out.push(b'\'');
            out
        }
        Param::Date { year, month, day } => {
            format!("DATE'{year:04}-{month:02}-{day:02}'").into_bytes()
        }
        Param::DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            micro,
        } => format!(
            "TIMESTAMP'{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}{}'",
            fraction(*micro)
        )
        .into_bytes(),
        Param::Time {
            negative,
            days,
            hour,
            minute,
            second,
            micro,
        } => format!(
            "TIME'{}{}:{minute:02}:{second:02}{}'",
            if *negative { "-" } else { "" },
            *days as u64 * 24 + *hour as u64,
            fraction(*micro)
        )
        .into_bytes(),
    })
}

/// `[+-]digits[.digits]`: safe to paste, and read as a DECIMAL literal.
fn is_decimal(d: &[u8]) -> bool {
    let d = d.strip_prefix(b"-").or(d.strip_prefix(b"+")).unwrap_or(d);
    let (int, frac) = match d.iter().position(|b| *b == b'.') {
        Some(i) => (&d[..i], &d[i + 1..]),
        None => (d, &[][..]),
    };
    (!int.is_empty() || !frac.is_empty()) && int.iter().chain(frac).all(u8::is_ascii_digit)
}

impl Session<'_> {
    /// The text of a prepared statement with this execution's parameters
    /// (and any long data sent for it) bound in as literals, and the
    /// parameter types, which are remembered for the executions that do
    /// not send them.
    pub(super) fn bind_execution(
        &mut self,
        packet: &[u8],
    ) -> Result<(Vec<u8>, ParamTypes), BindError> {
        let lex = self.lex;
        let Some(stmt) = self.prepared.get_mut(&super::stmt_id(packet)) else {
            return Err(BindError::Malformed("an unknown statement"));
        };
        let before = stmt.types.clone();
        let params = decode_execute(
            packet,
            stmt.params as usize,
            &mut stmt.types,
            &mut stmt.long_data,
        )
        .map_err(|e| BindError::Malformed(e.0))?;
        if stmt.types != before {
            // The source's own statement has not seen these types yet.
            stmt.types_sent = false;
        }
        let literals = params
            .iter()
            .map(|p| literal(p, lex))
            .collect::<Result<Vec<_>, _>>()
            .map_err(BindError::Unbindable)?;
        let bound = substitute(&stmt.original, lex, &literals).map_err(|_| {
            // The source counted differently from vdb's lexer: binding
            // could put a value in the wrong place.
            BindError::Unbindable("a prepared statement whose placeholders vdb cannot place".into())
        })?;
        Ok((bound, stmt.types.clone()))
    }

    /// Before executing a prepared `SELECT ... FOR UPDATE` / `FOR SHARE`:
    /// the rows it reads with this execution's values are locked. False
    /// when the client has been sent an error instead.
    pub(super) fn lock_prepared_read(
        &mut self,
        packet: &[u8],
        seq: u8,
    ) -> Result<bool, SessionEnd> {
        let stmt = self.prepared.get(&super::stmt_id(packet));
        // SERIALIZABLE: a transaction's plain SELECT reads as FOR SHARE.
        let serializable = stmt.is_some_and(|s| {
            s.locking.is_none() && !s.write && super::starts_with_word(&s.original, "SELECT")
        }) && self.reads_lock();
        let Some(locking) = stmt
            .and_then(|s| s.locking)
            .or(serializable.then(crate::sql::classify::LockingRead::share))
        else {
            return Ok(true);
        };
        self.current_read = true;
        let long_data = self
            .prepared
            .get(&super::stmt_id(packet))
            .is_some_and(|s| s.long_data_sent);
        // Long data went to the source's statement, not to vdb.
        let bound = match long_data {
            false => self.bind_execution(packet).ok(),
            true => None,
        };
        let Some((bound, _)) = bound else {
            let what = "a prepared locking read whose parameters vdb cannot bind".into();
            self.send_error(seq, &ClientError::NotCapturable(what))?;
            return Ok(false);
        };
        if !self.ensure_upstream(seq)? {
            return Ok(false);
        }
        match self.lock_rows_read(&bound, locking) {
            Ok(()) => Ok(true),
            Err(e) => {
                self.lock_read_failed(seq, e)?;
                Ok(false)
            }
        }
    }

    /// COM_STMT_EXECUTE of a read over changed tables, narrowed for this
    /// execution: the derived tables embed only the captured rows this
    /// execution's parameter values can use (as a text query's would),
    /// in a statement prepared at the source for this execution only,
    /// executed with the client's own packet (so its parameters keep
    /// their types) and closed. A statement that calls ROW_COUNT() or
    /// FOUND_ROWS() while vdb answers them (`row_count`: after a captured
    /// write) runs so too, with the counts substituted as in a text query.
    /// `None` when the statement does neither, asks for a cursor, was
    /// sent long data, or cannot be narrowed: the caller executes the
    /// statement's merged-view text.
    pub(super) fn execute_narrowed(
        &mut self,
        packet: &[u8],
        seq: u8,
        row_count: Option<i64>,
    ) -> Result<Option<()>, SessionEnd> {
        let lex = self.lex;
        let state = self.read_view();
        let Some(stmt) = self.prepared.get(&super::stmt_id(packet)) else {
            return Ok(None);
        };
        let original = stmt.original.clone();
        // ROW_COUNT() and FOUND_ROWS() answer the client's counts, which
        // vdb's own statements replaced at the source, as in a text query.
        let counted = match self.counts_answered(&original, row_count) {
            Ok(c) => c,
            Err(what) => {
                self.overlay_failed(seq, crate::overlay::OverlayError::Unsupported(what))?;
                return Ok(Some(()));
            }
        };
        let Some(stmt) = self.prepared.get_mut(&super::stmt_id(packet)) else {
            return Ok(None);
        };
        let cursor = packet.get(5).is_some_and(|f| *f != 0);
        let touches = !state.is_empty() && state.may_touch(&stmt.original);
        if cursor
            || stmt.long_data_sent
            || !(touches || counted.is_some())
            || self.upstream.is_none()
        {
            return Ok(None);
        }
        let Ok((bound, types)) = self.bind_execution(packet) else {
            return Ok(None);
        };
        let Some(stmt) = self.prepared.get_mut(&super::stmt_id(packet)) else {
            return Ok(None);
        };
        let n = stmt.params as usize;
        let shape = match &stmt.read {
            Some(r) => r.shape.clone(),
            None => super::metadata::shape(&original, lex),
        };
        let db = self
            .db
            .as_ref()
            .map(|d| String::from_utf8_lossy(d).into_owned());
        let text = counted.as_deref().unwrap_or(&original);
        let narrowed = if touches {
            let up = self.upstream.as_mut().expect("checked above");
            let mut prober = super::prober(up, None);
            rewrite_bound(text, &bound, &state, db.as_deref(), Some(&mut prober))
        } else {
            std::str::from_utf8(text)
                .ok()
                .map(|t| crate::overlay::Rewritten {
                    text: t.to_string(),
                    derived: Vec::new(),
                    created: Vec::new(),
                    changed: Vec::new(),
                    items: Vec::new(),
                })
        };
        let Some(narrowed) = narrowed else {
            debug!("conn {} not narrowed: {}", self.id, shorten(&original));
            return Ok(None);
        };
        if narrowed.text.len() >= self.shared.source_info.max_packet {
            return Ok(None);
        }
        let up = self.upstream.as_mut().expect("checked above");
        let connection = up.connection_id;
        let key = NarrowedStatements::key(self.db.as_deref(), &narrowed.text);
        let kept = self.narrowed.take(connection, &key);
        let once = match kept.map_or_else(|| up.prepare(narrowed.text.as_bytes()), Ok) {
            Ok(once) => once,
            Err(e) => {
                debug!(
                    "conn {} narrowed text not prepared ({e:?}): {}",
                    self.id,
                    shorten(narrowed.text.as_bytes())
                );
                return Ok(None);
            }
        };
        debug!(
            "conn {} execute narrowed over the delta: {}",
            self.id,
            shorten(&original)
        );
        log::trace!("conn {} prepared instead: {}", self.id, narrowed.text);
        let mut p = with_types(packet, n, &types).unwrap_or_else(|| packet.to_vec());
        p[1..5].copy_from_slice(&once.to_le_bytes());
        let mut patch = self
            .meta_patch(
                &original,
                &shape,
                &narrowed.derived,
                &narrowed.created,
                Some(narrowed.text.as_bytes()),
                true,
            )
            .with_items(&narrowed.items);
        patch.cursor = opens_cursor(&p);
        if crate::sql::row_count::sets_found_rows(&original, self.lex) {
            self.found_rows_from_source();
        }
        let relayed = match self.privileges_shown(&original) {
            Some(catalog) => {
                let mut patch = super::Privileges::new(Some(&mut patch), catalog);
                self.forward_patched(&p, Expect::Execute, seq, Some(&mut patch))?
            }
            None => self.forward_patched(&p, Expect::Execute, seq, Some(&mut patch))?,
        };
        // FOUND_ROWS() is the rows the client got (see `Session::query`).
        let sets = crate::sql::row_count::sets_found_rows(&original, self.lex);
        if let Some(r) = relayed.filter(|r| sets && r.error.is_none() && !patch.cursor) {
            if let Some(n) =
                crate::sql::row_count::found_rows_of_result(&original, self.lex, r.rows)
            {
                self.found_rows = super::FoundRows::Known(n);
            }
        }
        if let Some(up) = self.upstream.as_mut() {
            if let Some(done) = self.narrowed.keep(connection, key, once) {
                let mut close = vec![0x19];
                close.extend_from_slice(&done.to_le_bytes());
                if up.send(&close).is_err() {
                    self.upstream = None;
                }
            }
        }
        Ok(Some(()))
    }
}

/// Whether a COM_STMT_EXECUTE asks for a cursor (its flags byte), so that
/// its rows come later through COM_STMT_FETCH.
pub fn opens_cursor(execute: &[u8]) -> bool {
    execute.get(5).is_some_and(|&flags| flags != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(p: Param) -> String {
        String::from_utf8(literal(&p, LexMode::default()).unwrap()).unwrap()
    }

    #[test]
    fn a_narrowed_text_prepared_once_is_executed_again_until_pushed_out() {
        let mut kept = NarrowedStatements::default();
        let key = |t: &str| NarrowedStatements::key(Some(b"db"), t);
        assert_eq!(kept.take(7, &key("q0")), None, "nothing prepared yet");
        assert_eq!(kept.keep(7, key("q0"), 100), None, "kept, not closed");
        assert_eq!(kept.take(7, &key("q0")), Some(100));
        // The same text read in another database is another statement.
        assert_eq!(
            kept.take(7, &NarrowedStatements::key(Some(b"other"), "q0")),
            None
        );
        // The least recently used is closed when too many are kept.
        for n in 1..NarrowedStatements::KEPT as u32 {
            assert_eq!(kept.keep(7, key(&format!("q{n}")), 100 + n), None);
        }
        assert_eq!(kept.take(7, &key("q0")), Some(100));
        assert_eq!(
            kept.keep(7, key("new"), 999),
            Some(101),
            "q1 was used least recently"
        );
        assert_eq!(kept.take(7, &key("q1")), None);
        // Texts too long to compare cheaply are closed after their run.
        let long = "x".repeat(NarrowedStatements::MAX_TEXT + 1);
        assert_eq!(kept.keep(7, key(&long), 5), Some(5));
        // Another source connection knows none of them.
        assert_eq!(kept.take(8, &key("q0")), None);
        assert_eq!(kept.take(7, &key("q0")), None);
    }

    #[test]
    fn each_parameter_becomes_the_literal_the_server_would_bind() {
        assert_eq!(lit(Param::Null), "NULL");
        assert_eq!(lit(Param::Signed(-3)), "-3");
        assert_eq!(lit(Param::Unsigned(u64::MAX)), "18446744073709551615");
        assert_eq!(lit(Param::Double(1.5)), "1.5e0");
        assert_eq!(lit(Param::Float(0.1)), "1.0000000149011612e-1");
        assert_eq!(lit(Param::Decimal(b"-12.50".to_vec())), "-12.50");
        assert_eq!(lit(Param::Decimal(b"1; DROP".to_vec())), "'1; DROP'");
        assert_eq!(lit(Param::Text(b"it's".to_vec())), "'it''s'");
        assert_eq!(lit(Param::Bytes(vec![0, 0xAB])), "_binary X'00AB'");
        assert_eq!(
            lit(Param::DateTime {
                year: 2024,
                month: 2,
                day: 9,
                hour: 1,
                minute: 2,
                second: 3,
                micro: 5
            }),
            "TIMESTAMP'2024-02-09 01:02:03.000005'"
        );
        assert_eq!(
            lit(Param::Time {
                negative: true,
                days: 34,
                hour: 22,
                minute: 59,
                second: 59,
                micro: 0
            }),
            "TIME'-838:59:59'"
        );
        assert!(literal(&Param::Double(f64::NAN), LexMode::default()).is_err());
    }
}

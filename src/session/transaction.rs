//! Transactions over the delta. A transaction forks the process's delta
//! ([`Delta::fork`], a pointer copy): its captured writes go to the fork,
//! its reads see the fork, and other connections see none of it until
//! COMMIT merges what it changed ([`Delta::merge`]); ROLLBACK drops it.
//! Savepoints are states of the fork, so ROLLBACK TO SAVEPOINT undoes
//! exactly what came after. A statement that fails inside a transaction
//! leaves the fork as it was (a write applies whole or not at all).
//!
//! Transaction statements are forwarded to the source too, so the source
//! gives reads inside the transaction one consistent snapshot; vdb applies
//! each to the delta once the source has accepted it. As in InnoDB under
//! REPEATABLE READ, the snapshot (here: the fork) is taken by the
//! transaction's first statement, not by BEGIN, unless BEGIN asks for it
//! (`WITH CONSISTENT SNAPSHOT`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use log::debug;

use super::{ClientError, Session, SessionEnd};
use crate::delta::locks::{Owner, WaitError};
use crate::delta::{changed_rows, rebased, Delta, DeltaState};
use crate::sql::classify::{IsolationLevel, Txn};

/// Whether a transaction statement ends (or replaces) the open
/// transaction: applied before the source answers it.
pub(super) fn ends_transaction(t: &Txn) -> bool {
    matches!(
        t,
        Txn::Begin { .. } | Txn::Commit { .. } | Txn::Rollback { .. }
    )
}

/// Whether `sql` sets autocommit on (`SET autocommit = 1`, `SET
/// @@session.autocommit = ON`, ...), which commits an open transaction.
pub(super) fn sets_autocommit_on(sql: &[u8], mode: crate::sql::lexer::LexMode) -> bool {
    use crate::sql::lexer::{lex, Kind};
    let t = lex(sql, mode).tokens;
    if !t.first().is_some_and(|x| x.is_word(sql, "SET")) {
        return false;
    }
    t.iter().enumerate().any(|(i, x)| {
        let named = x.is_word(sql, "AUTOCOMMIT")
            || (x.kind == Kind::Variable
                && x.text(sql).to_ascii_lowercase().ends_with(b"autocommit"));
        let assign = t.get(i + 1).is_some_and(|e| e.is_punct(b'='))
            || t.get(i + 1).is_some_and(|e| e.is_punct(b':'));
        let value = t
            .iter()
            .skip(i + 2)
            .find(|v| !v.is_punct(b'='))
            .map(|v| v.text(sql).to_ascii_uppercase());
        named && assign && matches!(value.as_deref(), Some(b"1") | Some(b"ON") | Some(b"TRUE"))
    })
}

/// An open transaction of one session.
pub(super) struct Transaction {
    /// The shared state the transaction's private delta is based on, once
    /// it has one (writes and locking reads move it to the latest).
    base: Option<Arc<DeltaState>>,
    /// The shared state at the transaction's first statement: its
    /// REPEATABLE READ snapshot, which plain reads keep seeing (with the
    /// transaction's own writes) however often `base` moves.
    first: Option<Arc<DeltaState>>,
    /// The last view computed for plain reads, by the private delta's
    /// version it was computed from.
    view: Option<(u64, Arc<DeltaState>)>,
    /// Its private delta, the base plus its own writes, from the
    /// transaction's first statement on.
    pub(super) delta: Option<Delta>,
    /// `START TRANSACTION READ ONLY`.
    pub(super) read_only: bool,
    /// Its isolation level (READ COMMITTED: each statement sees the latest
    /// committed rows).
    isolation: IsolationLevel,
    /// Savepoints, oldest first, with the private state at each.
    savepoints: Vec<(String, Arc<DeltaState>)>,
}

impl Transaction {
    fn begin(read_only: bool, isolation: IsolationLevel) -> Transaction {
        Transaction {
            base: None,
            first: None,
            view: None,
            delta: None,
            read_only,
            isolation,
            savepoints: Vec::new(),
        }
    }

    /// Where savepoint `name` is (names compare case-insensitively).
    fn savepoint(&self, name: &str) -> Option<usize> {
        self.savepoints
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    fn snapshot(&mut self, shared: &Delta) -> &Delta {
        if self.delta.is_none() {
            let fork = shared.fork();
            self.base = Some(fork.current());
            self.first = self.base.clone();
            self.delta = Some(fork);
        }
        self.delta.as_ref().expect("forked above")
    }
}

impl Session<'_> {
    /// The delta this session reads and writes: its transaction's, or the
    /// process's.
    pub(super) fn delta(&self) -> &Delta {
        match self.txn.as_ref().and_then(|t| t.delta.as_ref()) {
            Some(d) => d,
            None => &self.shared.delta,
        }
    }

    /// The state a read sees: SKIP LOCKED's view for the statement under
    /// way; in a REPEATABLE READ transaction, for plain reads, the
    /// snapshot of its first statement with its own writes applied (its
    /// writes and locking reads work on the latest commits, and moved its
    /// base there, as InnoDB's current reads do); else the delta's current
    /// state.
    pub(super) fn read_view(&mut self) -> Arc<DeltaState> {
        let view = self.transaction_view();
        if self.txn.as_ref().and_then(|t| t.delta.as_ref()).is_none() {
            return view;
        }
        // information_schema.TABLES is no transaction's: its AUTO_INCREMENT
        // shows the counters as other connections move them, as InnoDB's.
        let shared = self.shared.delta.current();
        let id = crate::overlay::catalog::tables_id();
        let same = match (view.tables.get(&id), shared.tables.get(&id)) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        if same {
            view
        } else {
            Arc::new(view.with_table_from(&shared, &id))
        }
    }

    /// [`Session::read_view`] as the transaction alone sees it.
    fn transaction_view(&mut self) -> Arc<DeltaState> {
        if let Some(v) = &self.skip_view {
            return v.clone();
        }
        let current_read = self.current_read;
        let shared = self.shared;
        let Some(t) = self.txn.as_mut() else {
            return shared.delta.current();
        };
        let Some(fork) = t.delta.as_ref() else {
            return shared.delta.current();
        };
        let now = fork.current();
        if current_read || t.isolation == IsolationLevel::ReadCommitted {
            return now;
        }
        let (Some(first), Some(base)) = (&t.first, &t.base) else {
            return now;
        };
        if first.version == base.version {
            return now;
        }
        if let Some((version, view)) = &t.view {
            if *version == now.version {
                return view.clone();
            }
        }
        let view = Arc::new(rebased(base, &now, first));
        t.view = Some((now.version, view.clone()));
        view
    }

    /// At each statement: a transaction that has not read or written yet
    /// takes its snapshot of the delta now; with autocommit off, the
    /// statement opens one (as the server's first statement would).
    pub(super) fn take_snapshot(&mut self) {
        if self.txn.is_none() && !self.autocommit {
            self.txn = Some(self.begin_transaction(false));
        }
        if let Some(t) = self.txn.as_mut() {
            t.snapshot(&self.shared.delta);
            if t.isolation == IsolationLevel::ReadCommitted {
                // READ COMMITTED: every statement reads the latest commits.
                let _ = self.rebase_transaction();
            }
        }
    }

    /// A new transaction, at the isolation level it gets.
    fn begin_transaction(&mut self, read_only: bool) -> Transaction {
        let isolation = self.next_isolation.take().unwrap_or(self.isolation);
        Transaction::begin(read_only, isolation)
    }

    /// SET [SESSION] TRANSACTION ISOLATION LEVEL, or a SET of
    /// tx_isolation / transaction_isolation (then the source says what it
    /// is now).
    pub(super) fn isolation_changed(&mut self, level: Option<IsolationLevel>, next_only: bool) {
        let level = level.or_else(|| {
            let up = self.upstream.as_mut()?;
            let rows = up.query("SELECT @@tx_isolation").ok()?;
            let v = rows.into_iter().next()?.into_iter().next().flatten()?;
            Some(IsolationLevel::from_variable(&v))
        });
        let Some(level) = level else {
            return;
        };
        if next_only {
            self.next_isolation = Some(level);
        } else {
            self.isolation = level;
        }
    }

    /// Whether plain reads of the statement under way lock in share mode:
    /// a SERIALIZABLE transaction is open (with autocommit on and no
    /// transaction, a SELECT is its own and locks nothing, as in InnoDB).
    pub(super) fn reads_lock(&self) -> bool {
        self.txn
            .as_ref()
            .is_some_and(|t| t.isolation == IsolationLevel::Serializable)
    }

    /// Runs a write `f` with AUTO_INCREMENT counters that are the
    /// process's, not the transaction's, as in InnoDB: inside a
    /// transaction the write holds the process's write gate, starts from
    /// the higher of each counter, and leaves the counters it moved in the
    /// process's delta, so no two connections are handed the same value
    /// and a rolled-back insert still uses up its value.
    ///
    /// A write that allocates no values (`allocates` false: UPDATE,
    /// DELETE) runs without the gate, so that transactions' updates do
    /// not wait for each other's round trips to the source; the gate is
    /// taken afterwards only if it moved a counter.
    pub(super) fn in_transaction_counters<T>(
        &mut self,
        allocates: bool,
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let shared = self.shared;
        let Some(fork) = self.txn.as_ref().and_then(|t| t.delta.as_ref()) else {
            return f(self);
        };
        // The process's counter for a table (its definition's start when
        // the process has not moved it).
        let counter = |theirs: Option<&crate::delta::TableDelta>,
                       mine: &crate::delta::TableDelta| {
            theirs.map_or(mine.meta.auto_increment.unwrap_or(1).max(1), |t| {
                t.next_auto
            })
        };
        if !allocates {
            let out = f(self);
            let fork = self.delta().current();
            let theirs = shared.delta.current();
            let moved = fork.tables.iter().any(|(id, mine)| {
                mine.next_auto > counter(theirs.tables.get(id).map(|t| &**t), mine)
            });
            if moved {
                let mut gate = shared.delta.writer();
                if push_counters(&mut gate, &fork, counter) {
                    gate.commit();
                }
            }
            return out;
        }
        let mut gate = shared.delta.writer();
        let mut w = fork.writer();
        let mut pulled = false;
        for (id, theirs) in &gate.next.tables {
            let mine = w.peek(id).map(|t| t.next_auto);
            if mine.is_none_or(|m| m < theirs.next_auto) {
                w.table(&theirs.meta, &theirs.key).next_auto = theirs.next_auto;
                pulled = true;
            }
        }
        if pulled {
            w.commit();
        } else {
            drop(w);
        }
        let out = f(self);
        let fork = self.delta().current();
        if push_counters(&mut gate, &fork, counter) {
            gate.commit();
        }
        out
    }

    /// Applies a transaction statement the source accepted.
    pub(super) fn transaction_event(&mut self, event: Txn) {
        match event {
            Txn::Begin {
                read_only,
                snapshot,
            } => {
                self.commit_transaction();
                self.txn = Some(self.begin_transaction(read_only));
                if snapshot {
                    self.take_snapshot();
                }
            }
            Txn::Commit { chain } => {
                let read_only = self.txn.as_ref().is_some_and(|t| t.read_only);
                self.commit_transaction();
                if chain {
                    self.txn = Some(self.begin_transaction(read_only));
                }
            }
            Txn::Rollback { chain } => {
                let read_only = self.txn.as_ref().is_some_and(|t| t.read_only);
                self.rollback_transaction();
                if chain {
                    self.txn = Some(self.begin_transaction(read_only));
                }
            }
            Txn::Savepoint(name) => {
                self.take_snapshot();
                if let Some(t) = self.txn.as_mut() {
                    let now = t.snapshot(&self.shared.delta).current();
                    t.savepoints.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
                    t.savepoints.push((name, now));
                }
            }
            Txn::RollbackTo(name) => {
                if let Some(t) = self.txn.as_mut() {
                    if let Some(i) = t.savepoint(&name) {
                        if let Some(d) = &t.delta {
                            d.restore(t.savepoints[i].1.clone());
                        }
                        t.savepoints.truncate(i + 1);
                    }
                }
            }
            Txn::Release(name) => {
                if let Some(t) = self.txn.as_mut() {
                    if let Some(i) = t.savepoint(&name) {
                        t.savepoints.truncate(i);
                    }
                }
            }
        }
    }

    /// Before a write or a locking read in a transaction: what others
    /// committed since the transaction's snapshot becomes part of it, under
    /// the transaction's own changes, so the rows it locks and writes are
    /// the latest (InnoDB's writes and locking reads read the latest
    /// committed rows too; its plain reads keep their snapshot, vdb's see
    /// the newer rows from then on).
    ///
    /// Returns the process's state the transaction now stands on.
    pub(super) fn rebase_transaction(&mut self) -> Arc<DeltaState> {
        let latest = self.shared.delta.current();
        let Some(t) = self.txn.as_mut() else {
            return latest;
        };
        let (Some(base), Some(fork)) = (t.base.as_ref(), t.delta.as_ref()) else {
            return latest;
        };
        if latest.version == base.version {
            return latest;
        }
        let onto = |state: &Arc<DeltaState>| -> Arc<DeltaState> {
            if state.version == base.version {
                latest.clone()
            } else {
                Arc::new(rebased(base, state, &latest))
            }
        };
        let now = onto(&fork.current());
        fork.restore(now);
        let savepoints: Vec<_> = t
            .savepoints
            .iter()
            .map(|(n, s)| (n.clone(), onto(s)))
            .collect();
        t.savepoints = savepoints;
        t.base = Some(latest.clone());
        latest
    }

    /// A temporary table the session created or dropped while its
    /// transaction is open: the DDL went to the process's delta and
    /// commits nothing, and the transaction's states (its base, its first
    /// snapshot, its private state and savepoints) take the table as the
    /// process's delta now has it, so that its reads and writes see it and
    /// a ROLLBACK undoes only the rows it wrote there.
    pub(super) fn follow_temporary(&mut self, id: &crate::delta::TableId) {
        let latest = self.shared.delta.current();
        let Some(t) = self.txn.as_mut() else {
            return;
        };
        let (Some(base), Some(fork)) = (t.base.clone(), t.delta.as_ref()) else {
            return;
        };
        let follow = |s: &DeltaState| Arc::new(s.with_table_from(&latest, id));
        fork.restore(follow(&fork.current()));
        let new_base = follow(&base);
        t.first = match &t.first {
            Some(f) if f.version == base.version => Some(new_base.clone()),
            Some(f) => Some(follow(f)),
            None => None,
        };
        t.base = Some(new_base);
        t.savepoints = t
            .savepoints
            .iter()
            .map(|(n, s)| (n.clone(), follow(s)))
            .collect();
        t.view = None;
    }

    /// The transaction's private state, when it has one.
    pub(super) fn txn_state(&self) -> Option<Arc<DeltaState>> {
        Some(self.txn.as_ref()?.delta.as_ref()?.current())
    }

    /// Puts the transaction's private state back (a statement run again).
    pub(super) fn restore_txn_state(&self, state: Arc<DeltaState>) {
        if let Some(fork) = self.txn.as_ref().and_then(|t| t.delta.as_ref()) {
            fork.restore(state);
        }
    }

    /// Whether, since the process's state was `seen`, others committed
    /// changes to rows this transaction changed since its state was
    /// `before`.
    pub(super) fn committed_under(&self, seen: &DeltaState, before: &DeltaState) -> bool {
        let latest = self.shared.delta.current();
        if latest.version == seen.version {
            return false;
        }
        let Some(now) = self.txn_state() else {
            return false;
        };
        let theirs = changed_rows(seen, &latest);
        if theirs.is_empty() {
            return false;
        }
        let mine = changed_rows(before, &now);
        mine.iter().any(|r| theirs.binary_search(r).is_ok())
    }

    /// Waits for `holder` to release a row lock this session wants, until
    /// `deadline` (set on the first wait from `innodb_lock_wait_timeout`,
    /// or from `wait` seconds).
    pub(super) fn wait_for_lock(
        &mut self,
        holder: Owner,
        deadline: &mut Option<Instant>,
        wait: Option<u64>,
    ) -> Result<(), WaitError> {
        if deadline.is_none() {
            let seconds = match wait {
                Some(s) => s,
                None => self.lock_wait_timeout(),
            };
            if seconds == 0 {
                return Err(WaitError::Timeout);
            }
            *deadline = Some(Instant::now() + Duration::from_secs(seconds));
        }
        let d = deadline.expect("set above");
        debug!(
            "conn {} waits for a row lock held by conn {holder}",
            self.id
        );
        self.shared.locks.wait(self.id, holder, d)
    }

    /// The session's `innodb_lock_wait_timeout`, as the source has it
    /// (a client's SET reaches the source), in seconds.
    fn lock_wait_timeout(&mut self) -> u64 {
        let asked = self
            .upstream
            .as_mut()
            .and_then(|up| up.query("SELECT @@innodb_lock_wait_timeout").ok());
        asked
            .and_then(|rows| rows.into_iter().next())
            .and_then(|row| row.into_iter().next().flatten())
            .and_then(|v| String::from_utf8(v).ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(50)
    }

    /// A lock that was not granted: 1205 fails the statement (and ends an
    /// autocommit statement's locks); 1213 rolls the whole transaction
    /// back, as InnoDB does, at the source too.
    pub(super) fn lock_failed(&mut self, seq: u8, e: WaitError) -> Result<(), SessionEnd> {
        self.row_count = Some(-1);
        match e {
            WaitError::Timeout => {
                if self.txn.is_none() {
                    self.shared.locks.release_all(self.id);
                }
                self.send_error(seq, &ClientError::LockWaitTimeout)?;
            }
            WaitError::Deadlock => {
                debug!("conn {}: deadlock, its transaction is rolled back", self.id);
                self.rollback_transaction();
                if let Some(up) = self.upstream.as_mut() {
                    if up.query("ROLLBACK").is_err() {
                        self.upstream = None;
                    }
                }
                self.send_error(seq, &ClientError::Deadlock)?;
            }
        }
        Ok(())
    }

    /// Tells the client why a locking read could not take its locks.
    pub(super) fn lock_read_failed(&mut self, seq: u8, e: LockReadError) -> Result<(), SessionEnd> {
        match e {
            LockReadError::Wait(e) => self.lock_failed(seq, e),
            LockReadError::Unsupported(what) => self
                .send_error(seq, &ClientError::NotCapturable(what))
                .map_err(Into::into),
            LockReadError::Source(e) => self.overlay_failed(seq, e),
        }
    }

    /// COMMIT, explicit or implicit: the transaction's changes become the
    /// process's.
    pub(super) fn commit_transaction(&mut self) {
        if let Some(Transaction {
            base: Some(base),
            delta: Some(delta),
            ..
        }) = self.txn.take()
        {
            let private = delta.current();
            if private.version != base.version {
                debug!(
                    "conn {} commit: {} changed rows in the transaction's view",
                    self.id,
                    private.changed_rows()
                );
                if log::log_enabled!(log::Level::Trace) {
                    let latest = self.shared.delta.current();
                    log::trace!(
                        "conn {} merge base v{} latest v{} private v{} keys {:?}",
                        self.id,
                        base.version,
                        latest.version,
                        private.version,
                        changed_rows(&base, &private)
                            .iter()
                            .map(|r| r.1.clone())
                            .collect::<Vec<_>>()
                    );
                }
                let written = crate::delta::changed_tables(&base, &private);
                self.shared.delta.merge(&base, &private);
                // The transaction's catalog rows were its view of the
                // counters; the process's are shown again.
                self.show_counters(&written);
            }
        }
        self.shared.locks.release_all(self.id);
    }

    /// information_schema.TABLES shows the process's AUTO_INCREMENT
    /// counters (a transaction moves them for everyone at once, and a
    /// rollback leaves them moved, as in InnoDB) and its tables' row
    /// counts (as committed: InnoDB counts a transaction's rows at once,
    /// vdb at COMMIT), and stamps UPDATE_TIME of the tables `written` (at
    /// COMMIT, those the transaction changed). Called with no writer held:
    /// after a write in a transaction and after COMMIT.
    pub(super) fn show_counters(&mut self, written: &[crate::delta::TableId]) {
        let Some(up) = self.upstream.as_mut() else {
            return;
        };
        let delta = &self.shared.delta;
        let state = delta.current();
        let ids: Vec<crate::delta::TableId> = state.tables.keys().cloned().collect();
        // Without the writer's gate in the common case: nothing to show.
        if written.is_empty()
            && crate::overlay::catalog::stale_counters(&state, delta, &ids).is_empty()
        {
            return;
        }
        let mut w = delta.writer();
        let shown =
            crate::overlay::catalog::counters(up, delta, &mut w, &ids).and_then(|counted| {
                Ok(crate::overlay::catalog::touch(up, delta, &mut w, written)? || counted)
            });
        match shown {
            Ok(true) => w.commit(),
            Ok(false) => {}
            Err(e) => log::warn!("conn {}: the catalog's figures: {e:?}", self.id),
        }
    }

    /// ROLLBACK (also on disconnect, RESET CONNECTION and CHANGE USER).
    pub(super) fn rollback_transaction(&mut self) {
        if let Some(Transaction {
            base: Some(base),
            delta: Some(delta),
            ..
        }) = self.txn.take()
        {
            if delta.current().version != base.version {
                debug!(
                    "conn {} rollback: the transaction's writes are dropped",
                    self.id
                );
            }
        }
        self.shared.locks.release_all(self.id);
    }
}

/// Why a locking read could not take its locks.
/// Raises the process's AUTO_INCREMENT counters (`gate`'s state) to those
/// a transaction's state `fork` moved past them; whether any moved.
fn push_counters(
    gate: &mut crate::delta::Writer<'_>,
    fork: &DeltaState,
    counter: impl Fn(Option<&crate::delta::TableDelta>, &crate::delta::TableDelta) -> u64,
) -> bool {
    let mut pushed = false;
    for (id, mine) in &fork.tables {
        if mine.next_auto > counter(gate.peek(id), mine) {
            gate.table(&mine.meta, &mine.key).next_auto = mine.next_auto;
            pushed = true;
        }
    }
    pushed
}

/// How many times SKIP LOCKED asks again after meeting locked rows.
const MAX_SKIP_ROUNDS: usize = 64;

pub(super) enum LockReadError {
    /// Not granted (timeout, NOWAIT, or deadlock).
    Wait(WaitError),
    /// vdb cannot tell which rows this read locks, or cannot honour it.
    Unsupported(String),
    /// The source failed while vdb asked it which rows the read returns.
    Source(crate::overlay::OverlayError),
}

impl Session<'_> {
    /// `SELECT ... FOR UPDATE` / `FOR SHARE` (clause already blanked in
    /// `sql`): locks the rows of the tables in its top-level FROM that it
    /// returns, waiting for other transactions' locks as InnoDB does. The
    /// rows are found by running the statement with its select list
    /// replaced by those tables' key columns, over the latest committed
    /// merged view.
    pub(super) fn lock_rows_read(
        &mut self,
        sql: &[u8],
        locking: crate::sql::classify::LockingRead,
    ) -> Result<(), LockReadError> {
        use crate::delta::locks::Mode;
        let mode = if locking.exclusive {
            Mode::Exclusive
        } else {
            Mode::Shared
        };
        if locking.skip_locked {
            return self.lock_rows_skipping(sql, mode);
        }
        let mut deadline = None;
        loop {
            let _ = self.rebase_transaction();
            let rows: Vec<_> = self
                .rows_read(sql)?
                .into_iter()
                .map(|(r, _, _)| (r, mode))
                .collect();
            let Err(holder) = self.shared.locks.try_lock_all(self.id, &rows) else {
                // Rows others committed before this lock was granted.
                let _ = self.rebase_transaction();
                return Ok(());
            };
            let wait = if locking.nowait {
                Some(0)
            } else {
                locking.wait
            };
            self.wait_for_lock(holder, &mut deadline, wait)
                .map_err(LockReadError::Wait)?;
        }
    }

    /// SKIP LOCKED: the rows the read returns that no other transaction
    /// has locked are locked; those others hold are left out of the merged
    /// view for the rest of the statement (`skip_view`), and the read is
    /// asked again, so that a LIMIT reaches past them as InnoDB's does.
    fn lock_rows_skipping(
        &mut self,
        sql: &[u8],
        mode: crate::delta::locks::Mode,
    ) -> Result<(), LockReadError> {
        let _ = self.rebase_transaction();
        let mut skipped: Vec<(std::sync::Arc<crate::delta::TableMeta>, crate::delta::Row)> =
            Vec::new();
        for _ in 0..MAX_SKIP_ROUNDS {
            let mut more = false;
            for (row, meta, key) in self.rows_read(sql)? {
                if self
                    .shared
                    .locks
                    .try_lock_all(self.id, &[(row, mode)])
                    .is_err()
                {
                    skipped.push((meta, key));
                    more = true;
                }
            }
            if !more {
                return Ok(());
            }
            let view = self
                .delta()
                .current()
                .withholding(&skipped)
                .ok_or_else(|| {
                    LockReadError::Unsupported(
                        "SELECT ... SKIP LOCKED over a table without a unique key".into(),
                    )
                })?;
            self.skip_view = Some(std::sync::Arc::new(view));
        }
        Err(LockReadError::Unsupported(format!(
            "SELECT ... SKIP LOCKED that meets locked rows more than {MAX_SKIP_ROUNDS} times over"
        )))
    }

    /// The rows `sql` returns from each table of its top-level FROM
    /// clause: identity key (encoded), the table's definition, and the key
    /// columns' values.
    #[allow(clippy::type_complexity)]
    fn rows_read(
        &mut self,
        sql: &[u8],
    ) -> Result<
        Vec<(
            crate::delta::locks::RowId,
            std::sync::Arc<crate::delta::TableMeta>,
            crate::delta::Row,
        )>,
        LockReadError,
    > {
        use crate::delta::TableDelta;
        use crate::sql::lexer::{lex, Kind};
        use crate::sql::rewrite::quote_ident;
        let unsupported = |what: &str| LockReadError::Unsupported(what.to_string());
        let text = std::str::from_utf8(sql)
            .map_err(|_| unsupported("a locking read that is not UTF-8 text"))?;
        let tokens = lex(sql, self.lex).tokens;
        let mut depth = 0i32;
        let mut select_end = None;
        let mut from_start = None;
        let mut depth_of = Vec::with_capacity(tokens.len());
        for t in &tokens {
            depth_of.push(depth);
            match t.kind {
                Kind::Punct(b'(') => depth += 1,
                Kind::Punct(b')') => depth -= 1,
                _ => {}
            }
        }
        for (i, t) in tokens.iter().enumerate() {
            if depth_of[i] != 0 {
                continue;
            }
            if select_end.is_none() && t.is_word(sql, "SELECT") {
                select_end = Some(t.end);
            } else if select_end.is_some() && t.is_word(sql, "FROM") {
                from_start = Some(t.start);
                break;
            }
        }
        let (Some(select_end), Some(from_start)) = (select_end, from_start) else {
            // Nothing read from a table: nothing to lock.
            return Ok(Vec::new());
        };
        let refs = crate::sql::tables::table_refs(text).map_err(|e| {
            LockReadError::Unsupported(format!(
                "this locking read (vdb cannot analyse it: {})",
                e.0
            ))
        })?;
        let db = self
            .db
            .as_ref()
            .map(|d| String::from_utf8_lossy(d).into_owned());
        let token_depth = |pos: usize| {
            tokens
                .iter()
                .position(|t| t.start == pos)
                .map_or(-1, |i| depth_of[i])
        };
        let Some(up) = self.upstream.as_mut() else {
            return Err(unsupported(
                "a locking read while the source is unreachable",
            ));
        };
        let delta = match self.txn.as_ref().and_then(|t| t.delta.as_ref()) {
            Some(d) => d,
            None => &self.shared.delta,
        };
        let mut tables = Vec::new();
        let mut columns = Vec::new();
        for r in refs
            .iter()
            .filter(|r| r.name_span.start > from_start && token_depth(r.name_span.start) == 0)
        {
            let Some(schema) = r.schema.clone().or_else(|| db.clone()) else {
                continue;
            };
            // The server's own catalogs have no row locks.
            if ["information_schema", "performance_schema", "vdb"]
                .iter()
                .any(|c| schema.eq_ignore_ascii_case(c))
            {
                continue;
            }
            let id = crate::delta::TableId {
                schema,
                name: r.name.clone(),
            };
            let meta = crate::overlay::meta::load(up, delta, &id).map_err(LockReadError::Source)?;
            let Some(key) = meta.delta_key() else {
                continue;
            };
            let q = quote_ident(r.alias.as_deref().unwrap_or(&r.name));
            for &k in &key {
                columns.push(format!("{q}.{}", quote_ident(&meta.columns[k].name)));
            }
            tables.push((id, TableDelta::new(meta, key)));
        }
        if tables.is_empty() {
            return Ok(Vec::new());
        }
        let mut keys_sql = text[..select_end].to_string();
        keys_sql.push(' ');
        keys_sql.push_str(&columns.join(", "));
        keys_sql.push(' ');
        keys_sql.push_str(&text[from_start..]);
        let query = match self.overlay(keys_sql.as_bytes(), true) {
            Ok(Some(r)) => r.text,
            Ok(None) => keys_sql,
            Err(e) => return Err(LockReadError::Source(e)),
        };
        let up = self.upstream.as_mut().expect("checked above");
        let rows = up
            .query(&query)
            .map_err(|e| LockReadError::Source(crate::overlay::OverlayError::Upstream(e)))?;
        let mut out = Vec::new();
        for row in rows {
            let mut values = row.into_iter();
            for (id, t) in &tables {
                let key: Vec<_> = values.by_ref().take(t.key.len()).collect();
                // An outer join's missing row reads as NULL keys; a key-less
                // table's image may hold NULLs.
                if t.counted || key.iter().all(Option::is_some) {
                    out.push(((id.clone(), t.encode_key(&key)), t.meta.clone(), key));
                }
            }
        }
        Ok(out)
    }
}

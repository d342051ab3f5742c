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

use log::debug;

use super::Session;
use crate::delta::{Delta, DeltaState};
use crate::sql::classify::Txn;

/// An open transaction of one session.
pub(super) struct Transaction {
    /// The shared state the transaction started from, once it has.
    base: Option<Arc<DeltaState>>,
    /// Its private delta, the base plus its own writes, from the
    /// transaction's first statement on.
    pub(super) delta: Option<Delta>,
    /// `START TRANSACTION READ ONLY`.
    pub(super) read_only: bool,
    /// Savepoints, oldest first, with the private state at each.
    savepoints: Vec<(String, Arc<DeltaState>)>,
}

impl Transaction {
    fn begin(read_only: bool) -> Transaction {
        Transaction {
            base: None,
            delta: None,
            read_only,
            savepoints: Vec::new(),
        }
    }

    fn snapshot(&mut self, shared: &Delta) -> &Delta {
        if self.delta.is_none() {
            let fork = shared.fork();
            self.base = Some(fork.current());
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

    /// At each statement: a transaction that has not read or written yet
    /// takes its snapshot of the delta now; with autocommit off, the
    /// statement opens one (as the server's first statement would).
    pub(super) fn take_snapshot(&mut self) {
        if self.txn.is_none() && !self.autocommit {
            self.txn = Some(Transaction::begin(false));
        }
        if let Some(t) = self.txn.as_mut() {
            t.snapshot(&self.shared.delta);
        }
    }

    /// Runs a write `f` with AUTO_INCREMENT counters that are the
    /// process's, not the transaction's, as in InnoDB: inside a
    /// transaction the write holds the process's write gate, starts from
    /// the higher of each counter, and leaves the counters it moved in the
    /// process's delta, so no two connections are handed the same value
    /// and a rolled-back insert still uses up its value.
    pub(super) fn in_transaction_counters<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let shared = self.shared;
        let Some(fork) = self.txn.as_ref().and_then(|t| t.delta.as_ref()) else {
            return f(self);
        };
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
        let mut pushed = false;
        for (id, mine) in &fork.tables {
            let initial = mine.meta.auto_increment.unwrap_or(1).max(1);
            let theirs = gate.peek(id).map_or(initial, |t| t.next_auto);
            if mine.next_auto > theirs {
                gate.table(&mine.meta, &mine.key).next_auto = mine.next_auto;
                pushed = true;
            }
        }
        if pushed {
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
                self.txn = Some(Transaction::begin(read_only));
                if snapshot {
                    self.take_snapshot();
                }
            }
            Txn::Commit { chain } => {
                let read_only = self.txn.as_ref().is_some_and(|t| t.read_only);
                self.commit_transaction();
                if chain {
                    self.txn = Some(Transaction::begin(read_only));
                }
            }
            Txn::Rollback { chain } => {
                let read_only = self.txn.as_ref().is_some_and(|t| t.read_only);
                self.rollback_transaction();
                if chain {
                    self.txn = Some(Transaction::begin(read_only));
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
                    if let Some(i) = t
                        .savepoints
                        .iter()
                        .position(|(n, _)| n.eq_ignore_ascii_case(&name))
                    {
                        if let Some(d) = &t.delta {
                            d.restore(t.savepoints[i].1.clone());
                        }
                        t.savepoints.truncate(i + 1);
                    }
                }
            }
            Txn::Release(name) => {
                if let Some(t) = self.txn.as_mut() {
                    if let Some(i) = t
                        .savepoints
                        .iter()
                        .position(|(n, _)| n.eq_ignore_ascii_case(&name))
                    {
                        t.savepoints.truncate(i);
                    }
                }
            }
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
                self.shared.delta.merge(&base, &private);
            }
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
    }
}

//! Row locks over the merged view, held by vdb (the source never sees a
//! lock): the rows a write changes are locked exclusively until its
//! transaction ends, and `SELECT ... FOR UPDATE` / `FOR SHARE` lock the
//! rows they read. A statement that meets another transaction's lock waits
//! for it to end, up to `innodb_lock_wait_timeout`, and a wait that would
//! close a cycle is a deadlock, as in InnoDB.
//!
//! Rows are named by table and encoded identity key (the delta's own
//! encoding, see [`super::TableDelta::key_of`]). Owners are session ids.

use std::collections::HashMap;
use std::time::Instant;

use parking_lot::{Condvar, Mutex};

use super::TableId;

/// Who holds or wants a lock: a session id.
pub type Owner = u32;

/// One row: its table and encoded key.
pub type RowId = (TableId, Vec<u8>);

/// How a row is locked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// FOR SHARE / LOCK IN SHARE MODE: others may read-lock too.
    Shared,
    /// Writes and FOR UPDATE.
    Exclusive,
}

#[derive(Default)]
struct Held {
    exclusive: Option<Owner>,
    shared: Vec<Owner>,
}

#[derive(Default)]
struct Table {
    rows: HashMap<RowId, Held>,
    /// The rows each owner holds, to release them at once.
    owned: HashMap<Owner, Vec<RowId>>,
    /// Who each waiting owner waits for.
    waiting: HashMap<Owner, Owner>,
}

/// Why waiting for a lock ended without it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitError {
    /// Waiting would close a cycle of waits: this owner is the victim.
    Deadlock,
    /// `innodb_lock_wait_timeout` passed.
    Timeout,
}

/// The process's row locks.
#[derive(Default)]
pub struct Locks {
    table: Mutex<Table>,
    released: Condvar,
}

impl Locks {
    /// Takes every lock in `rows` for `owner`, or none of them: `Err` names
    /// an owner that holds a conflicting lock.
    pub fn try_lock_all(&self, owner: Owner, rows: &[(RowId, Mode)]) -> Result<(), Owner> {
        let mut t = self.table.lock();
        for (row, mode) in rows {
            if let Some(h) = t.rows.get(row) {
                if let Some(x) = h.exclusive.filter(|x| *x != owner) {
                    return Err(x);
                }
                if *mode == Mode::Exclusive {
                    if let Some(s) = h.shared.iter().find(|s| **s != owner) {
                        return Err(*s);
                    }
                }
            }
        }
        for (row, mode) in rows {
            let h = t.rows.entry(row.clone()).or_default();
            let new = match mode {
                Mode::Exclusive if h.exclusive.is_none() => {
                    h.exclusive = Some(owner);
                    true
                }
                Mode::Shared if h.exclusive.is_none() && !h.shared.contains(&owner) => {
                    h.shared.push(owner);
                    true
                }
                _ => false,
            };
            if new {
                t.owned.entry(owner).or_default().push(row.clone());
            }
        }
        Ok(())
    }

    /// Waits until `holder` may have released something `owner` wants
    /// (the caller then tries again), failing on a deadlock or at
    /// `deadline`.
    pub fn wait(&self, owner: Owner, holder: Owner, deadline: Instant) -> Result<(), WaitError> {
        let mut t = self.table.lock();
        // A cycle: the holder (or whoever it waits for, transitively)
        // waits for this owner.
        let mut at = holder;
        for _ in 0..=t.waiting.len() {
            if at == owner {
                return Err(WaitError::Deadlock);
            }
            match t.waiting.get(&at) {
                Some(next) => at = *next,
                None => break,
            }
        }
        if !t.owned.contains_key(&holder) {
            return Ok(());
        }
        t.waiting.insert(owner, holder);
        let timed_out = self.released.wait_until(&mut t, deadline).timed_out();
        t.waiting.remove(&owner);
        if timed_out {
            Err(WaitError::Timeout)
        } else {
            Ok(())
        }
    }

    /// Releases every lock `owner` holds (its transaction ended) and wakes
    /// the waiters.
    pub fn release_all(&self, owner: Owner) {
        let mut t = self.table.lock();
        let Some(rows) = t.owned.remove(&owner) else {
            return;
        };
        for row in rows {
            if let Some(h) = t.rows.get_mut(&row) {
                if h.exclusive == Some(owner) {
                    h.exclusive = None;
                }
                h.shared.retain(|s| *s != owner);
                if h.exclusive.is_none() && h.shared.is_empty() {
                    t.rows.remove(&row);
                }
            }
        }
        drop(t);
        self.released.notify_all();
    }

    /// How many rows are locked (vdb.status).
    pub fn locked_rows(&self) -> usize {
        self.table.lock().rows.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    fn row(k: u8) -> RowId {
        (
            TableId {
                schema: "db".into(),
                name: "t".into(),
            },
            vec![k],
        )
    }

    #[test]
    fn exclusive_and_shared_locks_conflict_as_in_innodb() {
        let l = Locks::default();
        l.try_lock_all(1, &[(row(1), Mode::Shared)]).unwrap();
        l.try_lock_all(2, &[(row(1), Mode::Shared)]).unwrap();
        assert_eq!(l.try_lock_all(3, &[(row(1), Mode::Exclusive)]), Err(1));
        // All or nothing: row 2 is not taken when row 1 conflicts.
        assert!(l
            .try_lock_all(3, &[(row(2), Mode::Exclusive), (row(1), Mode::Exclusive)])
            .is_err());
        l.try_lock_all(4, &[(row(2), Mode::Exclusive)]).unwrap();
        l.release_all(1);
        l.release_all(2);
        l.try_lock_all(3, &[(row(1), Mode::Exclusive)]).unwrap();
        // The owner's own locks never conflict.
        l.try_lock_all(3, &[(row(1), Mode::Shared), (row(1), Mode::Exclusive)])
            .unwrap();
        assert_eq!(l.locked_rows(), 2);
    }

    #[test]
    fn a_wait_ends_at_release_and_a_cycle_is_a_deadlock() {
        let l = Arc::new(Locks::default());
        l.try_lock_all(1, &[(row(1), Mode::Exclusive)]).unwrap();
        l.try_lock_all(2, &[(row(2), Mode::Exclusive)]).unwrap();
        let waiter = {
            let l = l.clone();
            std::thread::spawn(move || l.wait(1, 2, Instant::now() + Duration::from_secs(10)))
        };
        std::thread::sleep(Duration::from_millis(100));
        // 2 waiting for 1 while 1 waits for 2.
        assert_eq!(
            l.wait(2, 1, Instant::now() + Duration::from_secs(10)),
            Err(WaitError::Deadlock)
        );
        l.release_all(2);
        assert_eq!(waiter.join().unwrap(), Ok(()));
        assert_eq!(
            l.wait(3, 1, Instant::now() + Duration::from_millis(50)),
            Err(WaitError::Timeout)
        );
    }
}

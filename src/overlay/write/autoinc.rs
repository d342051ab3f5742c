//! AUTO_INCREMENT values as InnoDB hands them out (`innodb_autoinc_lock_mode`
//! 1, the default): a statement reserves intervals of values from the
//! table's counter, and a row that ends up not inserted (a duplicate under
//! IGNORE, or ON DUPLICATE KEY UPDATE updating instead) gives its value back
//! to the next row. What was reserved stays used, which is where the gaps a
//! user sees after such statements come from.
//!
//! InnoDB counts down the rows of the statement from the first reservation
//! on; an interval is as long as the rows it still expects. It expects the
//! statement's row count when the server knows it (VALUES), else 1, then 2,
//! 4, ... up to 65536 each time the count runs out (the server's
//! `handler::update_auto_increment` and InnoDB's `n_autoinc_rows`). An
//! explicit value moves the counter past it, and moves the next value past
//! it when it lies inside the current interval.

/// The AUTO_INCREMENT state of one statement against one table.
#[derive(Debug, Clone)]
pub struct AutoInc {
    /// The table's counter: the first value no interval has reserved.
    pub counter: u64,
    /// The next value of the current interval (0 before the first).
    next: u64,
    /// The end (exclusive) of the current interval.
    end: u64,
    /// Intervals reserved so far.
    intervals: u32,
    /// Rows InnoDB still expects (its `n_autoinc_rows`).
    expected: u64,
    /// The size of the first interval, when the row count is known.
    first: Option<u64>,
}

const MAX_INTERVAL: u64 = 65536;

impl AutoInc {
    /// Starts a statement at the table's `counter`; `rows` is the number of
    /// rows of a VALUES list (None for INSERT ... SELECT).
    pub fn new(counter: u64, rows: Option<u64>) -> AutoInc {
        AutoInc {
            counter: counter.max(1),
            next: 0,
            end: 0,
            intervals: 0,
            expected: 0,
            first: rows.filter(|&n| n > 0),
        }
    }

    /// A value for a row that asked for one (NULL, DEFAULT, omitted, or 0).
    pub fn generate(&mut self) -> u64 {
        if self.next == 0 || self.next >= self.end {
            if self.expected == 0 {
                self.expected = match (self.intervals, self.first) {
                    (0, Some(n)) => n,
                    (k, _) if k <= 16 => (1u64 << k).min(MAX_INTERVAL),
                    _ => MAX_INTERVAL,
                };
            }
            let size = self.expected;
            self.next = self.counter;
            self.end = self.counter.saturating_add(size);
            self.counter = self.end;
            self.intervals += 1;
        }
        let v = self.next;
        self.next += 1;
        v
    }

    /// A row that gave its own value `v`.
    pub fn explicit(&mut self, v: u64) {
        if v >= self.counter {
            self.counter = v.saturating_add(1);
        }
        if self.next != 0 && v >= self.next {
            self.next = v.saturating_add(1);
        }
    }

    /// The row that was given `v` was not inserted: the next row reuses it.
    pub fn give_back(&mut self, v: u64) {
        self.next = v;
    }

    /// A row has been written (or tried): one fewer expected.
    pub fn row_done(&mut self) {
        self.expected = self.expected.saturating_sub(1);
    }
}

#[cfg(test)]
mod tests {
    use super::AutoInc;

    // Each sequence below is what MariaDB 10.11 produced for the same
    // statements on a fresh table (ids, then the next plain INSERT's id).

    #[test]
    fn insert_select_reserves_doubling_intervals() {
        let mut a = AutoInc::new(1, None);
        let ids: Vec<u64> = (0..4)
            .map(|_| {
                let v = a.generate();
                a.row_done();
                v
            })
            .collect();
        assert_eq!(ids, [1, 2, 3, 4]);
        assert_eq!(a.counter, 8);
        let mut a = AutoInc::new(9, None);
        for _ in 0..10 {
            a.generate();
            a.row_done();
        }
        assert_eq!(a.counter, 24);
    }

    #[test]
    fn explicit_values_inside_and_past_the_interval() {
        // None asks for a value, Some gives one; the ids the asking rows
        // got and the counter afterwards.
        let run = |counter, rows: &[Option<u64>]| {
            let mut a = AutoInc::new(counter, Some(rows.len() as u64));
            let mut ids = Vec::new();
            for r in rows {
                match r {
                    Some(v) => a.explicit(*v),
                    None => ids.push(a.generate()),
                }
                a.row_done();
            }
            (ids, a.counter)
        };
        assert_eq!(
            run(25, &[None, Some(50), None, None]),
            (vec![25, 51, 52], 53)
        );
        assert_eq!(run(54, &[None, Some(55), None]), (vec![54, 56], 57));
        // The second interval is as long as the rows still expected.
        assert_eq!(run(20, &[None, Some(80), None]), (vec![20, 81], 82));
    }

    #[test]
    fn a_row_not_inserted_gives_its_value_to_the_next() {
        // INSERT IGNORE VALUES ('a'), ('c'), ('b') where 'a' and 'b' exist.
        let mut a = AutoInc::new(3, Some(3));
        let skipped = a.generate();
        a.give_back(skipped);
        a.row_done();
        assert_eq!(a.generate(), 3);
        a.row_done();
        let skipped = a.generate();
        a.give_back(skipped);
        a.row_done();
        assert_eq!(a.counter, 6);
    }
}

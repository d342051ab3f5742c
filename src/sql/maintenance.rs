//! Table maintenance statements: ANALYZE, CHECK, OPTIMIZE and REPAIR
//! TABLE. None of them changes what a table holds, and the source account
//! may not run most of them (ANALYZE needs INSERT), so the session answers
//! them itself with the rows the server gives (`session::maintenance`);
//! here they are read: which operation, which tables.

use super::lexer::{name_at, statement_tokens, LexMode};

/// Which maintenance statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// ANALYZE TABLE.
    Analyze,
    /// CHECK TABLE.
    Check,
    /// OPTIMIZE TABLE.
    Optimize,
    /// REPAIR TABLE.
    Repair,
}

impl Operation {
    /// The `Op` column of the statement's result: `analyze`, `check`, ...
    pub fn op(self) -> &'static str {
        match self {
            Operation::Analyze => "analyze",
            Operation::Check => "check",
            Operation::Optimize => "optimize",
            Operation::Repair => "repair",
        }
    }
}

/// A maintenance statement as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Maintenance {
    /// The operation.
    pub operation: Operation,
    /// The tables, in order: database if written, name as written.
    pub tables: Vec<(Option<String>, String)>,
    /// `ANALYZE TABLE ... PERSISTENT FOR ...`: engine-independent
    /// statistics are collected too (MariaDB), which its rows say.
    pub persistent: bool,
}

/// Reads `sql` as a maintenance statement; `None` for anything else, or
/// an option vdb does not know (the statement is then refused by name).
pub fn parse(sql: &[u8], mode: LexMode) -> Option<Maintenance> {
    let t = statement_tokens(sql, mode);
    let word = |i: usize, w: &str| t.get(i).is_some_and(|x| x.is_word(sql, w));
    let operation = match () {
        _ if word(0, "ANALYZE") => Operation::Analyze,
        _ if word(0, "CHECK") => Operation::Check,
        _ if word(0, "OPTIMIZE") => Operation::Optimize,
        _ if word(0, "REPAIR") => Operation::Repair,
        _ => return None,
    };
    let mut i = 1;
    if operation != Operation::Check && (word(i, "NO_WRITE_TO_BINLOG") || word(i, "LOCAL")) {
        i += 1;
    }
    if !(word(i, "TABLE") || word(i, "TABLES")) {
        return None;
    }
    i += 1;
    let mut tables = Vec::new();
    loop {
        let (db, name, next) = name_at(sql, &t, i, mode)?;
        tables.push((db, name));
        i = next;
        if t.get(i).is_some_and(|x| x.is_punct(b',')) {
            i += 1;
        } else {
            break;
        }
    }
    let mut persistent = false;
    while i < t.len() {
        let known: &[&str] = match operation {
            Operation::Check => &["QUICK", "FAST", "MEDIUM", "EXTENDED", "CHANGED"],
            Operation::Repair => &["QUICK", "EXTENDED", "USE_FRM"],
            Operation::Analyze | Operation::Optimize => &[],
        };
        if known.iter().any(|w| word(i, w)) {
            i += 1;
        } else if operation == Operation::Check && word(i, "FOR") && word(i + 1, "UPGRADE") {
            i += 2;
        } else if operation == Operation::Analyze && word(i, "PERSISTENT") && word(i + 1, "FOR") {
            // FOR ALL, or FOR COLUMNS (...) INDEXES (...): which statistics
            // are collected does not change the rows.
            persistent = true;
            break;
        } else {
            return None;
        }
    }
    Some(Maintenance {
        operation,
        tables,
        persistent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(sql: &str) -> Option<Maintenance> {
        parse(sql.as_bytes(), LexMode::default())
    }

    #[test]
    fn maintenance_statements_are_read_with_their_tables_and_options() {
        let m = parsed("ANALYZE NO_WRITE_TO_BINLOG TABLE a, `d`.`B c`;").unwrap();
        assert_eq!(m.operation, Operation::Analyze);
        assert_eq!(
            m.tables,
            [(None, "a".into()), (Some("d".into()), "B c".into())]
        );
        assert!(!m.persistent);
        assert!(
            parsed("analyze table t persistent for all")
                .unwrap()
                .persistent
        );
        let m = parsed("CHECK TABLE t FOR UPGRADE QUICK").unwrap();
        assert_eq!(m.operation, Operation::Check);
        assert_eq!(
            parsed("OPTIMIZE LOCAL TABLES t").unwrap().operation,
            Operation::Optimize
        );
        assert_eq!(
            parsed("REPAIR TABLE t USE_FRM").unwrap().operation,
            Operation::Repair
        );
        // Not maintenance, or not as vdb knows it.
        assert_eq!(parsed("CHECK TABLE t SOMETHING"), None);
        assert_eq!(parsed("OPTIMIZE TABLE t QUICK"), None);
        assert_eq!(parsed("ANALYZE SELECT 1"), None);
        assert_eq!(parsed("CHECKSUM TABLE t"), None);
        assert_eq!(parsed("CHECK TABLE"), None);
    }
}

//! Trigger bodies: whether vdb can run one inside a write's computation,
//! and the body with its `NEW.col` / `OLD.col` references turned into the
//! variables that hold the row.
//!
//! A BEFORE INSERT or BEFORE UPDATE trigger that only computes and checks
//! the row (`SET NEW.slug = LOWER(NEW.name)`, `IF NEW.qty < 0 THEN SIGNAL
//! ...`) runs as it is, inside the MariaDB block that computes the row,
//! where the source evaluates it; one that reads other tables reads them
//! over the merged view (the changed ones spliced in). A body that writes
//! tables (the writes would reach the source) or reads its own table (it
//! would not see the statement's earlier rows) is not run, and writes that
//! would fire it are refused.

use super::lexer::{lex, Kind, LexMode};

/// Words that mean a body reads tables: such a body runs over the merged
/// view (see [`reads_tables`]).
const READ_WORDS: &[&str] = &["SELECT", "FROM"];

/// Words that mean a body writes tables, or runs other code or
/// transaction control.
const TABLE_WORDS: &[&str] = &[
    "INSERT",
    "UPDATE",
    "DELETE",
    "REPLACE",
    "TABLE",
    "CALL",
    "PREPARE",
    "EXECUTE",
    "LOAD",
    "CREATE",
    "DROP",
    "ALTER",
    "TRUNCATE",
    "RENAME",
    "LOCK",
    "UNLOCK",
    "GRANT",
    "REVOKE",
    "FLUSH",
    "HANDLER",
    "CURSOR",
    "OPEN",
    "FETCH",
    "COMMIT",
    "ROLLBACK",
    "SAVEPOINT",
    "START",
    "NEXTVAL",
    "LASTVAL",
    "SETVAL",
];

/// Whether a body reads tables (`SET NEW.rate = (SELECT ... FROM t)`):
/// vdb splices the changed ones in as it does for any read.
pub fn reads_tables(body: &str) -> bool {
    let b = body.as_bytes();
    lex(b, LexMode::default())
        .tokens
        .iter()
        .any(|t| READ_WORDS.iter().any(|w| t.is_word(b, w)))
}

/// Why a body cannot run inside a write's computation, or None.
pub fn body_blocked(body: &str) -> Option<String> {
    let b = body.as_bytes();
    let mode = LexMode::default();
    for t in lex(b, mode).tokens {
        // `REPLACE(...)` and `INSERT(...)` are string functions.
        let next = b[t.end..].iter().find(|c| !c.is_ascii_whitespace());
        if t.kind != Kind::Word || next == Some(&b'(') {
            continue;
        }
        if let Some(w) = TABLE_WORDS.iter().find(|w| t.is_word(b, w)) {
            return Some(format!("its body uses {w}"));
        }
    }
    None
}

/// The names a body calls as functions (`name(`), lower-cased: a stored
/// function among them may read tables.
pub fn called(body: &str) -> Vec<String> {
    let b = body.as_bytes();
    let mode = LexMode::default();
    let mut out: Vec<String> = lex(b, mode)
        .tokens
        .iter()
        .filter(|t| matches!(t.kind, Kind::Word | Kind::QuotedIdent) && b.get(t.end) == Some(&b'('))
        .filter_map(|t| t.name(b, mode))
        .map(|n| n.to_ascii_lowercase())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `body` with each `NEW.col` replaced by `new(col)` and each `OLD.col` by
/// `old(col)` (None leaves the reference as written).
pub fn over_row(
    body: &str,
    new: impl Fn(&str) -> Option<String>,
    old: impl Fn(&str) -> Option<String>,
) -> String {
    let b = body.as_bytes();
    let mode = LexMode::default();
    let tokens = lex(b, mode).tokens;
    let mut out = String::with_capacity(body.len());
    let mut at = 0;
    let mut i = 0;
    while i + 2 < tokens.len() {
        let (row, dot, col) = (&tokens[i], &tokens[i + 1], &tokens[i + 2]);
        let which = if row.is_word(b, "NEW") {
            Some(true)
        } else if row.is_word(b, "OLD") {
            Some(false)
        } else {
            None
        };
        let adjacent = row.end == dot.start && dot.end == col.start;
        if let (Some(is_new), true, true) = (which, dot.is_punct(b'.'), adjacent) {
            if let Some(name) = col.name(b, mode) {
                let replaced = if is_new { new(&name) } else { old(&name) };
                if let Some(r) = replaced {
                    out.push_str(&body[at..row.start]);
                    out.push_str(&r);
                    at = col.end;
                    i += 3;
                    continue;
                }
            }
        }
        i += 1;
    }
    out.push_str(&body[at..]);
    out
}

/// One step of a trigger body that vdb runs itself, a step at a time (an
/// AFTER trigger, whose writes must be captured like the client's own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// INSERT, REPLACE, UPDATE or DELETE: run as a captured write.
    Write(String),
    /// A statement that writes nothing (`SET @n = ...`, `SIGNAL ...`,
    /// `DO ...`): run at the source, over the merged view.
    Source(String),
    /// `IF c THEN ... [ELSEIF c THEN ...] [ELSE ...] END IF`: each branch's
    /// condition, in order, with its steps, then the ELSE steps.
    If {
        /// Condition text and the steps it guards.
        branches: Vec<(String, Vec<Step>)>,
        /// The ELSE steps (empty without ELSE).
        otherwise: Vec<Step>,
    },
}

/// Words that begin a statement vdb does not run step by step (local
/// variables, loops, CASE, cursors, labels' jumps).
const UNSTEPPED: &[&str] = &[
    "DECLARE", "WHILE", "LOOP", "REPEAT", "CASE", "LEAVE", "ITERATE", "RETURN", "FOR", "OPEN",
    "FETCH", "CLOSE",
];

/// A body as steps vdb can run one by one: a single statement, or a
/// BEGIN ... END of statements and IF ... END IF. Err names what it cannot
/// run that way.
pub fn program(body: &str) -> Result<Vec<Step>, String> {
    let b = body.as_bytes();
    let tokens = lex(b, LexMode::default()).tokens;
    let mut p = Stepper {
        b,
        body,
        t: &tokens,
        i: 0,
    };
    let steps = p.statements(&[])?;
    match p.t.get(p.i) {
        None => Ok(steps),
        Some(t) => Err(format!(
            "its body has {} where vdb expects its end",
            String::from_utf8_lossy(t.text(b))
        )),
    }
}

struct Stepper<'a> {
    b: &'a [u8],
    body: &'a str,
    t: &'a [super::lexer::Token],
    i: usize,
}

impl Stepper<'_> {
    fn word(&self, at: usize, w: &str) -> bool {
        self.t.get(at).is_some_and(|t| t.is_word(self.b, w))
    }

    /// Statements up to (not including) one of the `ends` words (`END`,
    /// `ELSE`, ...), or the end of the body.
    fn statements(&mut self, ends: &[&str]) -> Result<Vec<Step>, String> {
        let mut out = Vec::new();
        loop {
            while self.t.get(self.i).is_some_and(|t| t.is_punct(b';')) {
                self.i += 1;
            }
            let Some(first) = self.t.get(self.i) else {
                return Ok(out);
            };
            if ends.iter().any(|w| first.is_word(self.b, w)) {
                return Ok(out);
            }
            if self.t.get(self.i + 1).is_some_and(|t| t.is_punct(b':')) {
                return Err("its body uses a label".into());
            }
            if first.is_word(self.b, "BEGIN") {
                if self.word(self.i + 1, "NOT") {
                    return Err("its body uses BEGIN NOT ATOMIC".into());
                }
                self.i += 1;
                out.extend(self.statements(&["END"])?);
                self.expect("END")?;
            } else if first.is_word(self.b, "IF") {
                out.push(self.if_statement()?);
            } else if let Some(w) = UNSTEPPED.iter().find(|w| first.is_word(self.b, w)) {
                return Err(format!("its body uses {w}"));
            } else {
                let write = ["INSERT", "REPLACE", "UPDATE", "DELETE"]
                    .iter()
                    .any(|w| first.is_word(self.b, w));
                let text = self.statement_text();
                if write {
                    out.push(Step::Write(text));
                } else if let Some(why) = body_blocked(&text) {
                    return Err(why);
                } else {
                    out.push(Step::Source(text));
                }
            }
        }
    }

    /// The text from token `i` to the `;` that ends the statement (or the
    /// body's end); `i` moves past it.
    fn statement_text(&mut self) -> String {
        let start = self.t[self.i].start;
        let mut depth = 0;
        let mut end = self.t[self.i].end;
        while let Some(t) = self.t.get(self.i) {
            match t.kind {
                Kind::Punct(b'(') => depth += 1,
                Kind::Punct(b')') => depth -= 1,
                Kind::Punct(b';') if depth == 0 => break,
                _ => {}
            }
            end = t.end;
            self.i += 1;
        }
        self.body[start..end].to_string()
    }

    fn expect(&mut self, w: &str) -> Result<(), String> {
        if self.word(self.i, w) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!("vdb cannot read its body (no {w} where expected)"))
        }
    }

    /// `IF c THEN ... END IF`, from its IF.
    fn if_statement(&mut self) -> Result<Step, String> {
        let mut branches = Vec::new();
        let mut otherwise = Vec::new();
        loop {
            // IF or ELSEIF: the condition runs to THEN outside parentheses.
            self.i += 1;
            let start = self.i;
            let mut depth = 0;
            while let Some(t) = self.t.get(self.i) {
                match t.kind {
                    Kind::Punct(b'(') => depth += 1,
                    Kind::Punct(b')') => depth -= 1,
                    _ if depth == 0 && t.is_word(self.b, "THEN") => break,
                    _ => {}
                }
                self.i += 1;
            }
            if self.i == start || self.i >= self.t.len() {
                return Err("vdb cannot read its body (an IF without THEN)".into());
            }
            // A CASE's own THEN would end the condition early.
            if self.t[start..self.i]
                .iter()
                .any(|t| t.is_word(self.b, "CASE"))
            {
                return Err("its body uses CASE in an IF condition".into());
            }
            let cond = self.body[self.t[start].start..self.t[self.i - 1].end].to_string();
            self.i += 1;
            let steps = self.statements(&["ELSEIF", "ELSE", "END"])?;
            branches.push((cond, steps));
            if self.word(self.i, "ELSEIF") {
                continue;
            }
            if self.word(self.i, "ELSE") {
                self.i += 1;
                otherwise = self.statements(&["END"])?;
            }
            self.expect("END")?;
            self.expect("IF")?;
            return Ok(Step::If {
                branches,
                otherwise,
            });
        }
    }
}

/// Every statement text of `steps` (writes, source statements and
/// conditions), in order, each with whether it is a write.
pub fn step_texts(steps: &[Step]) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    for s in steps {
        match s {
            Step::Write(t) => out.push((t.as_str(), true)),
            Step::Source(t) => out.push((t.as_str(), false)),
            Step::If {
                branches,
                otherwise,
            } => {
                for (c, s) in branches {
                    out.push((c.as_str(), false));
                    out.extend(step_texts(s));
                }
                out.extend(step_texts(otherwise));
            }
        }
    }
    out
}

/// A `NEW.col` or `OLD.col` in a trigger body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowReference {
    /// NEW rather than OLD.
    pub new: bool,
    /// The column named.
    pub column: String,
    /// Assigned (`SET NEW.col = ...`) rather than read.
    pub assigned: bool,
}

/// The `NEW.col` and `OLD.col` references of a body, in order.
pub fn row_references(body: &str) -> Vec<RowReference> {
    let b = body.as_bytes();
    let mode = LexMode::default();
    let tokens = lex(b, mode).tokens;
    let mut out = Vec::new();
    for i in 0..tokens.len().saturating_sub(2) {
        let (row, dot, col) = (&tokens[i], &tokens[i + 1], &tokens[i + 2]);
        let new = row.is_word(b, "NEW");
        if !(new || row.is_word(b, "OLD"))
            || !dot.is_punct(b'.')
            || row.end != dot.start
            || dot.end != col.start
        {
            continue;
        }
        let Some(column) = col.name(b, mode) else {
            continue;
        };
        let listed = i > 0 && (tokens[i - 1].is_word(b, "SET") || tokens[i - 1].is_punct(b','));
        let next = tokens.get(i + 3);
        let equals = next.is_some_and(|t| t.is_punct(b'='))
            || (next.is_some_and(|t| t.is_punct(b':'))
                && tokens.get(i + 4).is_some_and(|t| t.is_punct(b'=')));
        out.push(RowReference {
            new,
            column,
            assigned: listed && equals,
        });
    }
    out
}

/// A CREATE TRIGGER statement without its DEFINER clause (`CREATE
/// DEFINER=`u`@`h` TRIGGER ...` is `CREATE TRIGGER ...`).
pub fn without_definer(statement: &str) -> String {
    let b = statement.as_bytes();
    match lex(b, LexMode::default())
        .tokens
        .iter()
        .find(|t| t.is_word(b, "TRIGGER"))
    {
        Some(t) => format!("CREATE {}", &statement[t.start..]),
        None => statement.to_string(),
    }
}

/// A CREATE TRIGGER statement with its trigger and table named in
/// database `db`, for a script whose default database may be another, or
/// (`db` None) in the script's default database.
pub fn qualified(statement: &str, db: Option<&str>, table: &str) -> String {
    let b = statement.as_bytes();
    let tokens = lex(b, LexMode::default()).tokens;
    let word = |i: usize, w: &str| tokens.get(i).is_some_and(|t| t.is_word(b, w));
    let Some(mut at) = tokens.iter().position(|t| t.is_word(b, "TRIGGER")) else {
        return statement.to_string();
    };
    at += 1;
    if word(at, "IF") && word(at + 1, "NOT") && word(at + 2, "EXISTS") {
        at += 3;
    }
    let mode = LexMode::default();
    let (name, end) = if tokens.get(at + 1).is_some_and(|t| t.is_punct(b'.')) {
        (tokens.get(at + 2).and_then(|t| t.name(b, mode)), at + 2)
    } else {
        (tokens.get(at).and_then(|t| t.name(b, mode)), at)
    };
    let Some(name) = name else {
        return statement.to_string();
    };
    let quote = super::rewrite::quote_ident;
    let in_db = |n: &str| match db {
        Some(d) => format!("{}.{}", quote(d), quote(n)),
        None => quote(n),
    };
    let head = format!("{}{}", &statement[..tokens[at].start], in_db(&name));
    let rest = renamed_on(&statement[tokens[end].end..], table);
    // `ON `t``, as renamed_on writes it, takes the database too.
    match rest.split_once(&format!("ON {}", quote(table))) {
        Some((before, after)) => format!("{head}{before}ON {}{after}", in_db(table)),
        None => format!("{head}{rest}"),
    }
}

/// A CREATE TRIGGER statement with its table renamed to `table`: its
/// `ON <table>` replaced by `` ON `table` ``, as the server rewrites the
/// text it keeps when RENAME TABLE moves a table with triggers.
pub fn renamed_on(statement: &str, table: &str) -> String {
    let b = statement.as_bytes();
    let tokens = lex(b, LexMode::default()).tokens;
    let trigger = tokens
        .iter()
        .position(|t| t.is_word(b, "TRIGGER"))
        .unwrap_or(0);
    let Some(on) = tokens
        .iter()
        .skip(trigger)
        .position(|t| t.is_word(b, "ON"))
        .map(|k| k + trigger)
    else {
        return statement.to_string();
    };
    let qualified = tokens.get(on + 2).is_some_and(|t| t.is_punct(b'.'));
    let Some(end) = tokens.get(if qualified { on + 3 } else { on + 1 }) else {
        return statement.to_string();
    };
    format!(
        "{}ON {}{}",
        &statement[..tokens[on].start],
        super::rewrite::quote_ident(table),
        &statement[end.end..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_after_trigger_body_is_steps_of_writes_source_statements_and_ifs() {
        let steps = program(
            "BEGIN IF NEW.qty <> OLD.qty THEN INSERT INTO log VALUES (NEW.id, ';'); \
             ELSEIF (NEW.qty > 1) THEN SET @n = @n + 1; ELSE BEGIN DELETE FROM x WHERE id = OLD.id; END; END IF; \
             UPDATE totals SET n = n + 1; END",
        )
        .unwrap();
        assert_eq!(
            steps,
            [
                Step::If {
                    branches: vec![
                        (
                            "NEW.qty <> OLD.qty".to_string(),
                            vec![Step::Write("INSERT INTO log VALUES (NEW.id, ';')".into())]
                        ),
                        (
                            "(NEW.qty > 1)".to_string(),
                            vec![Step::Source("SET @n = @n + 1".into())]
                        ),
                    ],
                    otherwise: vec![Step::Write("DELETE FROM x WHERE id = OLD.id".into())],
                },
                Step::Write("UPDATE totals SET n = n + 1".into()),
            ]
        );
        assert_eq!(
            program("insert into log (id) values (NEW.id)").unwrap(),
            [Step::Write("insert into log (id) values (NEW.id)".into())]
        );
    }

    #[test]
    fn a_body_vdb_cannot_step_through_names_what_it_uses() {
        for (body, why) in [
            (
                "BEGIN DECLARE n INT; SET n = 1; END",
                "its body uses DECLARE",
            ),
            (
                "BEGIN WHILE 1 DO SET @a = 1; END WHILE; END",
                "its body uses WHILE",
            ),
            ("l: BEGIN LEAVE l; END", "its body uses a label"),
            ("CALL p()", "its body uses CALL"),
            (
                "IF CASE WHEN NEW.a THEN 1 END THEN SET @a = 1; END IF",
                "its body uses CASE in an IF condition",
            ),
        ] {
            assert_eq!(program(body), Err(why.to_string()), "{body}");
        }
    }

    #[test]
    fn a_body_reads_and_assigns_row_columns() {
        let r = row_references(
            "BEGIN IF NEW.q < OLD.q THEN SET @x = 1, NEW.q = OLD.q; END IF; SET NEW.`s` := 2; END",
        );
        let seen: Vec<(bool, &str, bool)> = r
            .iter()
            .map(|r| (r.new, r.column.as_str(), r.assigned))
            .collect();
        assert_eq!(
            seen,
            [
                (true, "q", false),
                (false, "q", false),
                (true, "q", true),
                (false, "q", false),
                (true, "s", true)
            ]
        );
    }

    #[test]
    fn a_trigger_without_its_definer_is_created_by_whoever_runs_it() {
        assert_eq!(
            without_definer(
                "CREATE DEFINER=`u`@`%` trigger t BEFORE INSERT ON x FOR EACH ROW SET @a = 1"
            ),
            "CREATE trigger t BEFORE INSERT ON x FOR EACH ROW SET @a = 1"
        );
    }

    #[test]
    fn a_trigger_in_a_patch_names_its_database() {
        assert_eq!(
            qualified(
                "CREATE DEFINER=`root`@`localhost` trigger tb2 before insert on trg1 for each row set new.b = 1",
                Some("d"),
                "trg1"
            ),
            "CREATE DEFINER=`root`@`localhost` trigger `d`.`tb2` before insert ON `d`.`trg1` for each row set new.b = 1"
        );
        assert_eq!(
            qualified("CREATE TRIGGER IF NOT EXISTS x.`t r` AFTER DELETE ON x.t FOR EACH ROW SET @on = 1", Some("x"), "t"),
            "CREATE TRIGGER IF NOT EXISTS `x`.`t r` AFTER DELETE ON `x`.`t` FOR EACH ROW SET @on = 1"
        );
        assert_eq!(
            qualified(
                "CREATE TRIGGER x.tr AFTER DELETE ON x.t FOR EACH ROW SET @on = 1",
                None,
                "t"
            ),
            "CREATE TRIGGER `tr` AFTER DELETE ON `t` FOR EACH ROW SET @on = 1"
        );
    }

    #[test]
    fn a_renamed_table_is_named_in_its_triggers_as_the_server_names_it() {
        assert_eq!(
            renamed_on(
                "CREATE DEFINER=`root`@`localhost` trigger tb2 before insert on trg1 for each row set new.b = 1",
                "trg2"
            ),
            "CREATE DEFINER=`root`@`localhost` trigger tb2 before insert ON `trg2` for each row set new.b = 1"
        );
        assert_eq!(
            renamed_on(
                "CREATE TRIGGER t AFTER DELETE ON `d`.`x` FOR EACH ROW SET @a = 1",
                "y"
            ),
            "CREATE TRIGGER t AFTER DELETE ON `y` FOR EACH ROW SET @a = 1"
        );
    }

    #[test]
    fn bodies_that_touch_tables_are_told_apart() {
        assert_eq!(body_blocked("SET NEW.a = LOWER(NEW.b)"), None);
        assert_eq!(
            body_blocked("BEGIN IF NEW.q < 0 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'no'; END IF; END"),
            None
        );
        assert!(body_blocked("INSERT INTO audit VALUES (NEW.id)").is_some());
        // Reads run over the merged view.
        assert_eq!(body_blocked("SET NEW.a = (SELECT MAX(a) FROM t)"), None);
        assert!(reads_tables("SET NEW.a = (SELECT MAX(a) FROM t)"));
        assert!(!reads_tables("SET NEW.a = LOWER(NEW.b)"));
        assert_eq!(
            body_blocked("SET NEW.a = REPLACE(INSERT(NEW.b, 1, 0, 'x'), ' ', '-')"),
            None
        );
        // A word in a string is not a statement.
        assert_eq!(body_blocked("SET NEW.note = 'select from'"), None);
    }

    #[test]
    fn row_references_become_variables() {
        let new = |c: &str| Some(format!("v_{c}"));
        let old = |c: &str| Some(format!("o_{c}"));
        assert_eq!(
            over_row("SET NEW.a = OLD.a + new.`b`; SET @x = 'NEW.a'", new, old),
            "SET v_a = o_a + v_b; SET @x = 'NEW.a'"
        );
        assert_eq!(called("SET NEW.a = LOWER(f(NEW.b))"), ["f", "lower"]);
    }
}

//! The allow-list: decides, from tokens alone, whether a statement text may
//! go to the source.
//!
//! Only statements proven read-only are forwarded. Anything else is refused
//! with the statement's name, never forwarded "to see what happens". Every
//! statement of a multi-statement text must pass. Locking clauses
//! (`FOR UPDATE`, `FOR SHARE`, `LOCK IN SHARE MODE`) are blanked out of the
//! text, so the source never takes row locks for vdb's clients.
//!
//! This is the first of the four layers that keep writes off the source (the
//! others: the upstream session is read-only, the operator's account should
//! be too, and the tests check checksums).

use super::lexer::{depth_at, lex, unquote, Kind, LexMode, Token};

/// What the session must do besides forwarding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// sql_mode or the client character set may have changed: re-read them.
    RefreshLexMode,
    /// `USE db`: remember the default database (to restore on reconnect).
    Use(Vec<u8>),
    /// A session-level SET, replayed if the source connection is re-made.
    ReplaySet(Vec<u8>),
    /// `COMMIT RELEASE` / `ROLLBACK RELEASE`: close the connection after it.
    Release,
    /// The text names a `vdb.*` control table: it must be rewritten by the
    /// control interface before it may be sent.
    ControlTables,
    /// Transaction control, which the session applies to the delta once
    /// the source has accepted it.
    Transaction(Txn),
    /// A locking read (its clause blanked for the source): vdb locks the
    /// rows it reads.
    LockingRead(LockingRead),
    /// The transaction isolation level changes.
    Isolation {
        /// The level; `None`: set through a variable, ask the source.
        level: Option<IsolationLevel>,
        /// `SET TRANSACTION ...` without SESSION: the next transaction only.
        next_only: bool,
    },
}

/// A transaction isolation level, as vdb serves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IsolationLevel {
    /// READ COMMITTED (and READ UNCOMMITTED, served as READ COMMITTED):
    /// each statement reads the latest commits.
    ReadCommitted,
    /// REPEATABLE READ, the default: plain reads keep a snapshot.
    #[default]
    RepeatableRead,
    /// SERIALIZABLE: inside a transaction, plain reads lock what they read
    /// in share mode.
    Serializable,
}

impl IsolationLevel {
    /// The level a `@@tx_isolation` value names (`READ-COMMITTED`, ...).
    pub fn from_variable(v: &[u8]) -> IsolationLevel {
        match v {
            b"READ-COMMITTED" | b"READ-UNCOMMITTED" => IsolationLevel::ReadCommitted,
            b"SERIALIZABLE" => IsolationLevel::Serializable,
            _ => IsolationLevel::RepeatableRead,
        }
    }
}

/// What a locking clause asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LockingRead {
    /// FOR UPDATE (else FOR SHARE / LOCK IN SHARE MODE).
    pub exclusive: bool,
    /// NOWAIT, or WAIT 0.
    pub nowait: bool,
    /// SKIP LOCKED.
    pub skip_locked: bool,
    /// WAIT n: seconds instead of innodb_lock_wait_timeout.
    pub wait: Option<u64>,
}

impl LockingRead {
    /// FOR SHARE, waiting as long as innodb_lock_wait_timeout allows (what
    /// a SERIALIZABLE transaction's plain SELECT takes).
    pub fn share() -> LockingRead {
        LockingRead {
            exclusive: false,
            nowait: false,
            skip_locked: false,
            wait: None,
        }
    }
}

/// A transaction boundary or savepoint statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Txn {
    /// `BEGIN [WORK]`, `START TRANSACTION [...]` (committing any open one).
    Begin {
        /// `START TRANSACTION READ ONLY`: writes fail with 1792.
        read_only: bool,
        /// `WITH CONSISTENT SNAPSHOT`: the snapshot is taken now rather
        /// than by the first statement.
        snapshot: bool,
    },
    /// `COMMIT [WORK] [AND [NO] CHAIN]`.
    Commit {
        /// `AND CHAIN`: a new transaction starts at once.
        chain: bool,
    },
    /// `ROLLBACK [WORK] [AND [NO] CHAIN]`.
    Rollback {
        /// `AND CHAIN`: a new transaction starts at once.
        chain: bool,
    },
    /// `SAVEPOINT name` (names compare case-insensitively, as in MySQL).
    Savepoint(String),
    /// `ROLLBACK [WORK] TO [SAVEPOINT] name`.
    RollbackTo(String),
    /// `RELEASE SAVEPOINT name`.
    Release(String),
}

/// The decision for one COM_QUERY or COM_STMT_PREPARE text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Send the text to the source as it is.
    Forward,
    /// Send this text instead (same statements, locking clauses blanked).
    Rewrite(Vec<u8>),
    /// Do not send anything; answer with an error naming the statement.
    Refuse(Refusal),
    /// `KILL [CONNECTION | QUERY] <id>`: the session resolves the id among
    /// vdb's own connections (never an arbitrary source thread).
    Kill {
        /// `KILL QUERY`: stop the running statement, keep the connection.
        query_only: bool,
        /// The connection id the client named.
        id: u64,
    },
}

/// Why a statement was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The statement as users name it: `INSERT`, `CREATE TABLE`, `SET GLOBAL`.
    pub statement: String,
    /// Whether a later version of vdb captures it (a write to the delta)
    /// rather than refusing it for good (it would act on the source server).
    pub capturable: bool,
}

/// The result of analysing one text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    /// Forward, rewrite or refuse.
    pub verdict: Verdict,
    /// What the session must remember if the statements succeed.
    pub effects: Vec<Effect>,
}

/// Analyses a query text under the session's lexing mode.
pub fn analyze(sql: &[u8], mode: LexMode) -> Analysis {
    let lexed = lex(sql, mode);
    if let Some(kill) = kill_statement(sql, &lexed.tokens) {
        return Analysis {
            verdict: kill,
            effects: Vec::new(),
        };
    }
    let mut effects = Vec::new();
    let mut blanks: Vec<(usize, usize)> = Vec::new();
    let mut literal_edits: Vec<(usize, usize, Vec<u8>)> = Vec::new();
    for stmt in lexed.tokens.split(|t| t.is_punct(b';')) {
        if stmt.is_empty() {
            continue;
        }
        let cx = Stmt { sql, t: stmt, mode };
        match cx.classify(&mut effects) {
            Ok(ok) => {
                if let Some(l) = ok.locking {
                    effects.push(Effect::LockingRead(l));
                }
                blanks.extend(ok.blanks);
                literal_edits.extend(ok.literal_edits);
            }
            Err(refusal) => {
                return Analysis {
                    verdict: Verdict::Refuse(refusal),
                    effects: Vec::new(),
                }
            }
        }
    }
    if names_control_tables(sql, &lexed.tokens) {
        effects.push(Effect::ControlTables);
    }
    let verdict = if blanks.is_empty() && literal_edits.is_empty() {
        Verdict::Forward
    } else {
        let mut text = sql.to_vec();
        for (s, e) in blanks {
            text[s..e].fill(b' ');
        }
        // Literal edits change lengths: apply from the end.
        literal_edits.sort_by_key(|e| std::cmp::Reverse(e.0));
        for (s, e, new) in literal_edits {
            text.splice(s..e, new);
        }
        Verdict::Rewrite(text)
    };
    Analysis { verdict, effects }
}

/// Whether a `vdb.` qualified name appears (the control schema).
fn names_control_tables(sql: &[u8], tokens: &[Token]) -> bool {
    tokens.windows(2).any(|w| {
        let name = match w[0].kind {
            Kind::Word => w[0].text(sql).to_vec(),
            Kind::QuotedIdent => unquote(w[0].text(sql), LexMode::default()),
            _ => return false,
        };
        name.eq_ignore_ascii_case(b"vdb") && w[1].is_punct(b'.')
    })
}

/// `KILL [HARD | SOFT] [CONNECTION | QUERY] <number>` as the whole text.
fn kill_statement(sql: &[u8], tokens: &[Token]) -> Option<Verdict> {
    let mut t: &[Token] = tokens;
    while let [rest @ .., last] = t {
        if last.is_punct(b';') {
            t = rest;
        } else {
            break;
        }
    }
    if !t.first()?.is_word(sql, "KILL") {
        return None;
    }
    let mut i = 1;
    if t.get(i)
        .is_some_and(|w| w.is_word(sql, "HARD") || w.is_word(sql, "SOFT"))
    {
        i += 1;
    }
    let mut query_only = false;
    if t.get(i).is_some_and(|w| w.is_word(sql, "QUERY")) {
        query_only = true;
        i += 1;
    } else if t.get(i).is_some_and(|w| w.is_word(sql, "CONNECTION")) {
        i += 1;
    }
    let id = t.get(i).filter(|_| t.len() == i + 1)?;
    let id = std::str::from_utf8(id.text(sql))
        .ok()?
        .parse::<u64>()
        .ok()?;
    Some(Verdict::Kill { query_only, id })
}

/// Edits one allowed statement needs.
#[derive(Default)]
struct Allowed {
    locking: Option<LockingRead>,
    blanks: Vec<(usize, usize)>,
    literal_edits: Vec<(usize, usize, Vec<u8>)>,
}

struct Stmt<'a> {
    sql: &'a [u8],
    t: &'a [Token],
    mode: LexMode,
}

fn refuse(statement: impl Into<String>, capturable: bool) -> Refusal {
    Refusal {
        statement: statement.into(),
        capturable,
    }
}

/// Every keyword that can start a statement in MySQL 8 or MariaDB 11,
/// including compound statements MariaDB runs outside stored programs. A
/// text that starts with any other word cannot be executed: the source can
/// only answer it with a syntax error, so it is forwarded for that error.
const STATEMENT_STARTERS: &[&str] = &[
    "ALTER",
    "ANALYZE",
    "BACKUP",
    "BEGIN",
    "BINLOG",
    "CACHE",
    "CALL",
    "CASE",
    "CHANGE",
    "CHECK",
    "CHECKSUM",
    "CLONE",
    "CLOSE",
    "COMMIT",
    "CREATE",
    "DEALLOCATE",
    "DECLARE",
    "DELETE",
    "DESC",
    "DESCRIBE",
    "DO",
    "DROP",
    "END",
    "EXECUTE",
    "EXPLAIN",
    "FETCH",
    "FLUSH",
    "FOR",
    "GET",
    "GRANT",
    "HANDLER",
    "HELP",
    "IF",
    "IMPORT",
    "INSERT",
    "INSTALL",
    "ITERATE",
    "KILL",
    "LEAVE",
    "LOAD",
    "LOCK",
    "LOOP",
    "OPEN",
    "OPTIMIZE",
    "PREPARE",
    "PURGE",
    "RELEASE",
    "RENAME",
    "REPAIR",
    "REPEAT",
    "REPLACE",
    "RESET",
    "RESIGNAL",
    "RESTART",
    "RETURN",
    "REVOKE",
    "ROLLBACK",
    "SAVEPOINT",
    "SELECT",
    "SET",
    "SHOW",
    "SHUTDOWN",
    "SIGNAL",
    "START",
    "STOP",
    "TABLE",
    "TRUNCATE",
    "UNINSTALL",
    "UNLOCK",
    "UPDATE",
    "USE",
    "VALUES",
    "WHILE",
    "WITH",
    "XA",
];

/// Statements a later issue captures into the delta.
const CAPTURED: &[&str] = &[
    "INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE",
];

impl<'a> Stmt<'a> {
    fn word(&self, i: usize) -> Option<String> {
        let t = self.t.get(i)?;
        (t.kind == Kind::Word)
            .then(|| String::from_utf8_lossy(t.text(self.sql)).to_ascii_uppercase())
    }

    fn is(&self, i: usize, kw: &str) -> bool {
        self.t.get(i).is_some_and(|t| t.is_word(self.sql, kw))
    }

    fn sub(&self, from: usize) -> Stmt<'a> {
        Stmt {
            sql: self.sql,
            t: &self.t[from.min(self.t.len())..],
            mode: self.mode,
        }
    }

    /// The statement's name for a refusal: the leading keywords up to the
    /// object kind (`CREATE TABLE`, `LOAD DATA`, `LOCK TABLES`).
    fn name(&self) -> String {
        const FILLER: &[&str] = &[
            "OR",
            "REPLACE",
            "TEMPORARY",
            "UNIQUE",
            "FULLTEXT",
            "SPATIAL",
            "ONLINE",
            "OFFLINE",
            "IGNORE",
            "LOW_PRIORITY",
            "DELAYED",
            "HIGH_PRIORITY",
            "QUICK",
            "NO_WRITE_TO_BINLOG",
            "LOCAL",
            "CONCURRENT",
            "SQL",
            "SECURITY",
            "DEFINER",
            "INVOKER",
            "ALGORITHM",
            "UNDEFINED",
            "MERGE",
            "TEMPTABLE",
            "AGGREGATE",
        ];
        let Some(first) = self.word(0) else {
            return "this statement".into();
        };
        if first == "TRUNCATE" {
            return "TRUNCATE TABLE".into();
        }
        let mut name = first.clone();
        let wants_object = matches!(
            first.as_str(),
            "CREATE"
                | "DROP"
                | "ALTER"
                | "RENAME"
                | "LOAD"
                | "LOCK"
                | "TRUNCATE"
                | "INSTALL"
                | "UNINSTALL"
                | "ANALYZE"
                | "OPTIMIZE"
                | "REPAIR"
                | "CHECK"
                | "CACHE"
                | "START"
                | "STOP"
                | "CHANGE"
                | "RESET"
                | "PURGE"
                | "BEGIN"
                | "SET"
                | "EXPLAIN"
                | "EXECUTE"
                | "PREPARE"
        );
        if !wants_object {
            return name;
        }
        let mut i = 1;
        while i < self.t.len() {
            let t = &self.t[i];
            match t.kind {
                Kind::Word => {
                    let w = String::from_utf8_lossy(t.text(self.sql)).to_ascii_uppercase();
                    if FILLER.contains(&w.as_str()) {
                        i += 1;
                        continue;
                    }
                    // DEFINER = CURRENT_USER [()]
                    if w == "CURRENT_USER" && self.t[i - 1].is_punct(b'=') {
                        i += 1;
                        if self.t.get(i).is_some_and(|t| t.is_punct(b'('))
                            && self.t.get(i + 1).is_some_and(|t| t.is_punct(b')'))
                        {
                            i += 2;
                        }
                        continue;
                    }
                    // DEFINER = user@host, the user unquoted
                    if i >= 2
                        && self.t[i - 1].is_punct(b'=')
                        && self.t[i - 2].is_word(self.sql, "DEFINER")
                    {
                        i += 1;
                        continue;
                    }
                    name.push(' ');
                    name.push_str(&w);
                    return name;
                }
                // DEFINER = user@host, ALGORITHM = MERGE
                Kind::Punct(b'=') | Kind::Variable | Kind::Str | Kind::QuotedIdent => i += 1,
                _ => return name,
            }
        }
        name
    }

    fn classify(&self, effects: &mut Vec<Effect>) -> Result<Allowed, Refusal> {
        let mut lead = 0;
        while self.t.get(lead).is_some_and(|t| t.is_punct(b'(')) {
            lead += 1;
        }
        let Some(first) = self.word(lead) else {
            // Not a keyword: let the source give its syntax error, unless the
            // text has a write keyword anywhere (never guess with those).
            return self.scan_for_write_words().map(|_| Allowed::default());
        };
        if self.t.get(lead + 1).is_some_and(|t| t.is_punct(b':')) && lead == 0 {
            return Err(refuse("a labelled compound statement", false));
        }
        if !STATEMENT_STARTERS.contains(&first.as_str()) {
            // `SELEC 1`: the source answers 1064 with its own message.
            return self.scan_for_write_words().map(|_| Allowed::default());
        }
        match first.as_str() {
            "SELECT" | "VALUES" | "TABLE" => self.read_query(),
            "WITH" => self.with_query(lead),
            "SHOW" | "HELP" | "CHECKSUM" | "SIGNAL" | "RESIGNAL" => self.reads_only(),
            "GET" if self.is(lead + 1, "DIAGNOSTICS") || self.is(lead + 2, "DIAGNOSTICS") => {
                self.reads_only()
            }
            "DESCRIBE" | "DESC" | "EXPLAIN" => self.explain(),
            "ANALYZE" => {
                if self.is(1, "TABLE")
                    || self.is(1, "TABLES")
                    || self.is(1, "NO_WRITE_TO_BINLOG")
                    || self.is(1, "LOCAL")
                {
                    Err(refuse("ANALYZE TABLE", false))
                } else {
                    // MariaDB's ANALYZE runs the statement: only reads may follow.
                    self.sub(skip_format(self, 1)).must_be_read("ANALYZE")
                }
            }
            "DO" => self.read_query(),
            "USE" => {
                if let Some(t) = self.t.get(1) {
                    let db = match t.kind {
                        Kind::QuotedIdent => unquote(t.text(self.sql), self.mode),
                        _ => t.text(self.sql).to_vec(),
                    };
                    effects.push(Effect::Use(db));
                }
                Ok(Allowed::default())
            }
            "SET" => self.set(effects),
            "BEGIN" => {
                // Only `BEGIN [WORK]` starts a transaction; anything else is
                // a compound block (`BEGIN NOT ATOMIC`, or a block under
                // sql_mode=ORACLE) that can hold any statement.
                if self.t.len() == 1 || (self.t.len() == 2 && self.is(1, "WORK")) {
                    effects.push(Effect::Transaction(Txn::Begin {
                        read_only: false,
                        snapshot: false,
                    }));
                    Ok(Allowed::default())
                } else if self.is(1, "NOT") {
                    Err(refuse("BEGIN NOT ATOMIC", false))
                } else {
                    Err(refuse("a BEGIN ... END block", false))
                }
            }
            "START" if self.is(1, "TRANSACTION") => {
                let read_only = self.has_sequence(&["READ", "ONLY"]);
                let snapshot = self.has_sequence(&["CONSISTENT", "SNAPSHOT"]);
                effects.push(Effect::Transaction(Txn::Begin {
                    read_only,
                    snapshot,
                }));
                let mut allowed = Allowed::default();
                // READ WRITE is the delta's (its transactions write by
                // default); the source's session stays read-only, so it
                // gets the words blanked, with the comma that joins them
                // to another characteristic.
                let t = self.t;
                if let Some(i) = (0..t.len().saturating_sub(1)).find(|&i| {
                    t[i].is_word(self.sql, "READ") && t[i + 1].is_word(self.sql, "WRITE")
                }) {
                    let (mut from, mut to) = (t[i].start, t[i + 1].end);
                    if t.get(i + 2).is_some_and(|x| x.is_punct(b',')) {
                        to = t[i + 2].end;
                    } else if i > 0 && t[i - 1].is_punct(b',') {
                        from = t[i - 1].start;
                    }
                    allowed.blanks.push((from, to));
                }
                Ok(allowed)
            }
            "COMMIT" | "ROLLBACK" => {
                let release = self.t.iter().enumerate().any(|(i, t)| {
                    t.is_word(self.sql, "RELEASE")
                        && !(i > 0 && self.t[i - 1].is_word(self.sql, "NO"))
                });
                let to = self.t.iter().position(|t| t.is_word(self.sql, "TO"));
                let chain = self.has_sequence(&["AND", "CHAIN"]);
                if let Some(to) = to {
                    let name = match self.t.get(to + 1) {
                        Some(t) if t.is_word(self.sql, "SAVEPOINT") => self.t.get(to + 2),
                        t => t,
                    };
                    if let Some(name) = name.and_then(|t| t.name(self.sql, self.mode)) {
                        effects.push(Effect::Transaction(Txn::RollbackTo(name)));
                    }
                } else {
                    effects.push(Effect::Transaction(if first == "COMMIT" {
                        Txn::Commit { chain }
                    } else {
                        Txn::Rollback { chain }
                    }));
                }
                if release && to.is_none() {
                    effects.push(Effect::Release);
                }
                Ok(Allowed::default())
            }
            "SAVEPOINT" => {
                if let Some(name) = self.t.get(1).and_then(|t| t.name(self.sql, self.mode)) {
                    effects.push(Effect::Transaction(Txn::Savepoint(name)));
                }
                Ok(Allowed::default())
            }
            "RELEASE" if self.is(1, "SAVEPOINT") => {
                if let Some(name) = self.t.get(2).and_then(|t| t.name(self.sql, self.mode)) {
                    effects.push(Effect::Transaction(Txn::Release(name)));
                }
                Ok(Allowed::default())
            }
            "UNLOCK" if self.is(1, "TABLES") || self.is(1, "TABLE") => Ok(Allowed::default()),
            "PREPARE" => self.prepare(effects),
            "EXECUTE" => {
                if self.is(1, "IMMEDIATE") {
                    self.literal_statement(2, "EXECUTE IMMEDIATE", effects)
                } else {
                    // Every statement prepared upstream passed `prepare` first.
                    Ok(Allowed::default())
                }
            }
            "DEALLOCATE" => Ok(Allowed::default()),
            "DROP" if self.is(1, "PREPARE") => Ok(Allowed::default()),
            "XA" => Err(refuse("XA", false)),
            _ => Err(refuse(self.name(), CAPTURED.contains(&first.as_str()))),
        }
    }

    /// Statements that read and have no sub-statement.
    fn reads_only(&self) -> Result<Allowed, Refusal> {
        self.read_query()
    }

    /// Refuses when a word that only write statements use appears at all.
    fn scan_for_write_words(&self) -> Result<(), Refusal> {
        for (i, t) in self.t.iter().enumerate() {
            if t.kind != Kind::Word {
                continue;
            }
            let w = String::from_utf8_lossy(t.text(self.sql)).to_ascii_uppercase();
            if CAPTURED.contains(&w.as_str())
                || matches!(
                    w.as_str(),
                    "GRANT" | "REVOKE" | "LOAD" | "CALL" | "KILL" | "FLUSH"
                )
            {
                return Err(refuse(self.sub(i).name(), CAPTURED.contains(&w.as_str())));
            }
        }
        Ok(())
    }

    fn has_sequence(&self, words: &[&str]) -> bool {
        self.t
            .windows(words.len())
            .any(|w| w.iter().zip(words).all(|(t, kw)| t.is_word(self.sql, kw)))
    }

    /// A SELECT-like statement: refuses file writes and sequence writes,
    /// and blanks locking clauses.
    fn read_query(&self) -> Result<Allowed, Refusal> {
        let mut allowed = Allowed::default();
        let t = self.t;
        let mut i = 0;
        while i < t.len() {
            let tok = &t[i];
            if tok.kind != Kind::Word {
                i += 1;
                continue;
            }
            if tok.is_word(self.sql, "INTO") {
                if self.is(i + 1, "OUTFILE") {
                    return Err(refuse("SELECT ... INTO OUTFILE", false));
                }
                if self.is(i + 1, "DUMPFILE") {
                    return Err(refuse("SELECT ... INTO DUMPFILE", false));
                }
            }
            if (tok.is_word(self.sql, "NEXTVAL") || tok.is_word(self.sql, "SETVAL"))
                && t.get(i + 1).is_some_and(|n| n.is_punct(b'('))
            {
                return Err(refuse(
                    format!(
                        "{}()",
                        String::from_utf8_lossy(tok.text(self.sql)).to_ascii_uppercase()
                    ),
                    false,
                ));
            }
            if tok.is_word(self.sql, "NEXT") && self.is(i + 1, "VALUE") && self.is(i + 2, "FOR") {
                return Err(refuse("NEXT VALUE FOR", false));
            }
            let lock_len = if tok.is_word(self.sql, "FOR")
                && (self.is(i + 1, "UPDATE") || self.is(i + 1, "SHARE"))
            {
                2
            } else if tok.is_word(self.sql, "LOCK")
                && self.is(i + 1, "IN")
                && self.is(i + 2, "SHARE")
                && self.is(i + 3, "MODE")
            {
                4
            } else {
                0
            };
            if lock_len > 0 {
                let mut locking = LockingRead {
                    exclusive: self.is(i + 1, "UPDATE"),
                    ..LockingRead::default()
                };
                let mut j = i + lock_len;
                if self.is(j, "OF") {
                    j += 1;
                    // OF t1 [, t2 ...], names possibly qualified.
                    while j < t.len()
                        && matches!(
                            t[j].kind,
                            Kind::Word | Kind::QuotedIdent | Kind::Punct(b'.') | Kind::Punct(b',')
                        )
                        && !self.is(j, "NOWAIT")
                        && !self.is(j, "SKIP")
                        && !self.is(j, "WAIT")
                    {
                        j += 1;
                    }
                }
                if self.is(j, "NOWAIT") {
                    locking.nowait = true;
                    j += 1;
                } else if self.is(j, "SKIP") && self.is(j + 1, "LOCKED") {
                    locking.skip_locked = true;
                    j += 2;
                } else if self.is(j, "WAIT") && t.get(j + 1).is_some_and(|n| n.kind == Kind::Word) {
                    let secs = std::str::from_utf8(t[j + 1].text(self.sql))
                        .ok()
                        .and_then(|n| n.parse::<f64>().ok())
                        .unwrap_or(0.0);
                    locking.wait = Some(secs.ceil() as u64);
                    locking.nowait = secs <= 0.0;
                    j += 2;
                }
                // The outermost clause decides (a subquery's comes first
                // in the text only when it is the only one).
                if allowed.locking.is_none() || depth_at(t, i) == 0 {
                    allowed.locking = Some(locking);
                }
                allowed.blanks.push((tok.start, t[j - 1].end));
                i = j;
                continue;
            }
            i += 1;
        }
        Ok(allowed)
    }

    /// `WITH ... <main statement>`: allowed when the main statement reads.
    fn with_query(&self, lead: usize) -> Result<Allowed, Refusal> {
        let mut depth = 0i32;
        for t in self.t.iter().skip(lead + 1) {
            match t.kind {
                Kind::Punct(b'(') => depth += 1,
                Kind::Punct(b')') => depth -= 1,
                Kind::Word if depth == 0 => {
                    let w = String::from_utf8_lossy(t.text(self.sql)).to_ascii_uppercase();
                    match w.as_str() {
                        "SELECT" | "VALUES" | "TABLE" => return self.read_query(),
                        "UPDATE" | "DELETE" | "INSERT" | "REPLACE" => {
                            return Err(refuse(format!("WITH ... {w}"), true))
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        self.read_query()
    }

    /// The statement must be a query (after EXPLAIN ANALYZE, ANALYZE, ...).
    fn must_be_read(&self, what: &str) -> Result<Allowed, Refusal> {
        let mut lead = 0;
        while self.t.get(lead).is_some_and(|t| t.is_punct(b'(')) {
            lead += 1;
        }
        match self.word(lead).as_deref() {
            Some("SELECT" | "VALUES" | "TABLE") => self.read_query(),
            Some("WITH") => self.with_query(lead),
            Some(w) => Err(refuse(format!("{what} {w}"), CAPTURED.contains(&w))),
            None => self.read_query(),
        }
    }

    fn explain(&self) -> Result<Allowed, Refusal> {
        let mut i = 1;
        let mut analyze = false;
        loop {
            if self.is(i, "EXTENDED") || self.is(i, "PARTITIONS") {
                i += 1;
            } else if self.is(i, "ANALYZE") {
                analyze = true;
                i += 1;
            } else if self.is(i, "FORMAT") {
                i = skip_format(self, i);
            } else {
                break;
            }
        }
        let rest = self.sub(i);
        match rest.word(0).as_deref() {
            // EXPLAIN of a write shows a plan without running it; EXPLAIN
            // ANALYZE runs it, so only reads may follow that.
            Some("INSERT" | "UPDATE" | "DELETE" | "REPLACE") if !analyze => rest.read_query(),
            Some("SELECT" | "WITH" | "TABLE" | "VALUES") => rest.must_be_read("EXPLAIN ANALYZE"),
            Some("FOR") => Ok(Allowed::default()),
            _ if self.t.get(i).is_some_and(|t| t.is_punct(b'(')) => rest.must_be_read("EXPLAIN"),
            Some(_) if analyze => rest.must_be_read("EXPLAIN ANALYZE"),
            // DESCRIBE table [column]
            _ => Ok(Allowed::default()),
        }
    }

    fn set(&self, effects: &mut Vec<Effect>) -> Result<Allowed, Refusal> {
        if self.is(1, "PASSWORD") {
            return Err(refuse("SET PASSWORD", false));
        }
        if self.is(1, "DEFAULT") && self.is(2, "ROLE") {
            return Err(refuse("SET DEFAULT ROLE", false));
        }
        if self.is(1, "STATEMENT") {
            // MariaDB: SET STATEMENT var=val[, ...] FOR <statement>
            let for_at = self.t.iter().position(|t| t.is_word(self.sql, "FOR"));
            let Some(for_at) = for_at else {
                return Err(refuse("SET STATEMENT", false));
            };
            Stmt {
                sql: self.sql,
                t: &self.t[..for_at],
                mode: self.mode,
            }
            .set_assignments(2)?;
            return self.sub(for_at + 1).classify(&mut Vec::new());
        }
        let transaction = self.is(1, "TRANSACTION")
            || (self.is(2, "TRANSACTION") && (self.is(1, "SESSION") || self.is(1, "LOCAL")));
        if transaction && self.has_sequence(&["READ", "WRITE"]) {
            return Err(refuse("SET TRANSACTION READ WRITE", true));
        }
        if transaction && self.has_sequence(&["ISOLATION", "LEVEL"]) {
            let level = if self.has_sequence(&["READ", "COMMITTED"])
                || self.has_sequence(&["READ", "UNCOMMITTED"])
            {
                IsolationLevel::ReadCommitted
            } else if self.t.iter().any(|t| t.is_word(self.sql, "SERIALIZABLE")) {
                IsolationLevel::Serializable
            } else {
                IsolationLevel::RepeatableRead
            };
            effects.push(Effect::Isolation {
                level: Some(level),
                next_only: self.is(1, "TRANSACTION"),
            });
        } else if self.t.iter().any(|t| {
            let w = t.text(self.sql).to_ascii_lowercase();
            w.ends_with(b"tx_isolation") || w.ends_with(b"transaction_isolation")
        }) {
            effects.push(Effect::Isolation {
                level: None,
                next_only: false,
            });
        }
        let allowed = self.set_assignments(1)?;
        let touches_lexing = self.t.iter().any(|t| {
            let w = t.text(self.sql).to_ascii_lowercase();
            let w = w.rsplit(|c| *c == b'.').next().unwrap_or_default().to_vec();
            matches!(
                w.as_slice(),
                b"sql_mode"
                    | b"names"
                    | b"charset"
                    | b"character"
                    | b"character_set_client"
                    | b"@@sql_mode"
                    | b"@@character_set_client"
            )
        });
        if touches_lexing {
            effects.push(Effect::RefreshLexMode);
        }
        // `SET TRANSACTION` applies to the next transaction only.
        if !self.is(1, "TRANSACTION") {
            let end = self.t.last().map_or(0, |t| t.end);
            effects.push(Effect::ReplaySet(self.sql[self.t[0].start..end].to_vec()));
        }
        Ok(allowed)
    }

    /// The assignment list of a SET, from token `from`.
    fn set_assignments(&self, from: usize) -> Result<Allowed, Refusal> {
        let mut depth = 0i32;
        let mut target = true;
        for t in &self.t[from.min(self.t.len())..] {
            match t.kind {
                Kind::Punct(b'(') => depth += 1,
                Kind::Punct(b')') => depth -= 1,
                Kind::Punct(b',') if depth == 0 => target = true,
                Kind::Punct(b'=') if depth == 0 => target = false,
                Kind::Word | Kind::Variable if target && depth == 0 => {
                    let lower = t.text(self.sql).to_ascii_lowercase();
                    let scope_global =
                        matches!(lower.as_slice(), b"global" | b"persist" | b"persist_only")
                            || lower.starts_with(b"@@global.")
                            || lower.starts_with(b"@@persist");
                    if scope_global {
                        return Err(refuse("SET GLOBAL", false));
                    }
                    let name = lower.rsplit(|c| *c == b'.').next().unwrap_or_default();
                    let name = name.strip_prefix(b"@@").unwrap_or(name);
                    if matches!(name, b"tx_read_only" | b"transaction_read_only") {
                        return Err(refuse("SET transaction_read_only", true));
                    }
                }
                _ => {}
            }
        }
        self.read_query()
    }

    /// `PREPARE name FROM 'text'`: the text must itself be allowed.
    fn prepare(&self, effects: &mut Vec<Effect>) -> Result<Allowed, Refusal> {
        let from = self.t.iter().position(|t| t.is_word(self.sql, "FROM"));
        match from {
            Some(f) => self.literal_statement(f + 1, "PREPARE ... FROM", effects),
            None => Err(refuse("PREPARE", false)),
        }
    }

    /// A statement given as a string literal at token `at`: analysed like a
    /// query text; a rewrite of it is re-quoted in place.
    fn literal_statement(
        &self,
        at: usize,
        what: &str,
        effects: &mut Vec<Effect>,
    ) -> Result<Allowed, Refusal> {
        let Some(tok) = self.t.get(at).filter(|t| t.kind == Kind::Str) else {
            return Err(refuse(
                format!("{what} with a statement that is not a string literal"),
                false,
            ));
        };
        if self.t.len() > at + 1 && !self.is(at + 1, "USING") {
            return Err(refuse(format!("{what} with an expression"), false));
        }
        let inner = unquote(tok.text(self.sql), self.mode);
        let analysis = analyze(&inner, self.mode);
        let mut allowed = Allowed::default();
        match analysis.verdict {
            Verdict::Forward => {}
            Verdict::Rewrite(text) => {
                allowed
                    .literal_edits
                    .push((tok.start, tok.end, self.quote(&text)))
            }
            Verdict::Refuse(r) => return Err(r),
            Verdict::Kill { .. } => return Err(refuse(format!("KILL in {what}"), false)),
        }
        effects.extend(
            analysis
                .effects
                .into_iter()
                .filter(|e| *e == Effect::RefreshLexMode),
        );
        Ok(allowed)
    }

    /// Quotes bytes as a string literal that reads back exactly under the
    /// current mode.
    fn quote(&self, text: &[u8]) -> Vec<u8> {
        let mut q = vec![b'\''];
        for &b in text {
            match b {
                b'\'' => q.extend_from_slice(b"''"),
                b'\\' if !self.mode.no_backslash_escapes => q.extend_from_slice(b"\\\\"),
                _ => q.push(b),
            }
        }
        q.push(b'\'');
        q
    }
}

/// Skips `FORMAT = word` (or `FORMAT word`) at `i`.
fn skip_format(s: &Stmt<'_>, i: usize) -> usize {
    if !s.is(i, "FORMAT") {
        return i;
    }
    let mut j = i + 1;
    if s.t.get(j).is_some_and(|t| t.is_punct(b'=')) {
        j += 1;
    }
    j + 1
}

/// Whether the statement is `UNLOCK TABLE[S]`.
pub fn is_unlock_tables(sql: &[u8], mode: LexMode) -> bool {
    let tokens = lex(sql, mode).tokens;
    tokens.first().is_some_and(|t| t.is_word(sql, "UNLOCK"))
        && tokens
            .get(1)
            .is_some_and(|t| t.is_word(sql, "TABLES") || t.is_word(sql, "TABLE"))
}

/// The table `ALTER TABLE [db.]t ...` alters; `None` for any other
/// statement.
pub fn altered_table(sql: &[u8], mode: LexMode) -> Option<(Option<String>, String)> {
    let tokens = lex(sql, mode).tokens;
    if !(tokens.first()?.is_word(sql, "ALTER") && tokens.get(1)?.is_word(sql, "TABLE")) {
        return None;
    }
    let (schema, name, _) = super::lexer::name_at(sql, &tokens, 2, mode)?;
    Some((schema, name))
}

/// One table of `LOCK TABLES`: (database if named, table, alias if
/// given, WRITE rather than READ).
pub type LockedTable = (Option<String>, String, Option<String>, bool);

/// Reads `LOCK TABLE[S] t [[AS] a] READ [LOCAL] | [LOW_PRIORITY] WRITE, ...`
/// (executable comments count as text, as mysqldump's
/// `READ /*!32311 LOCAL */` needs); `None` for any other statement.
pub fn lock_tables(sql: &[u8], mode: LexMode) -> Option<Vec<LockedTable>> {
    let tokens: Vec<Token> = lex(sql, mode)
        .tokens
        .into_iter()
        .filter(|t| t.kind != Kind::Punct(b';'))
        .collect();
    let word = |i: usize| -> Option<String> {
        let t = tokens.get(i)?;
        (t.kind == Kind::Word).then(|| String::from_utf8_lossy(t.text(sql)).to_ascii_uppercase())
    };
    if word(0)? != "LOCK" || !matches!(word(1)?.as_str(), "TABLES" | "TABLE") {
        return None;
    }
    let name = |i: usize| tokens.get(i).and_then(|t| t.name(sql, mode));
    let mut out = Vec::new();
    let mut i = 2;
    loop {
        let first = name(i)?;
        let (schema, table) = if tokens
            .get(i + 1)
            .is_some_and(|t| t.kind == Kind::Punct(b'.'))
        {
            i += 3;
            (Some(first), name(i - 1)?)
        } else {
            i += 1;
            (None, first)
        };
        if word(i).as_deref() == Some("AS") {
            i += 1;
        }
        let alias = match word(i).as_deref() {
            Some("READ" | "WRITE" | "LOW_PRIORITY") => None,
            _ => {
                i += 1;
                Some(name(i - 1)?)
            }
        };
        let write = match word(i)?.as_str() {
            "READ" => {
                i += 1;
                if word(i).as_deref() == Some("LOCAL") {
                    i += 1;
                }
                false
            }
            "LOW_PRIORITY" if word(i + 1).as_deref() == Some("WRITE") => {
                i += 2;
                true
            }
            "WRITE" => {
                i += 1;
                if word(i).as_deref() == Some("CONCURRENT") {
                    i += 1;
                }
                true
            }
            _ => return None,
        };
        out.push((schema, table, alias, write));
        match tokens.get(i) {
            None => return Some(out),
            Some(t) if t.kind == Kind::Punct(b',') => i += 1,
            Some(_) => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(sql: &str) -> Verdict {
        analyze(sql.as_bytes(), LexMode::default()).verdict
    }

    fn refused(sql: &str) -> String {
        match verdict(sql) {
            Verdict::Refuse(r) => r.statement,
            other => panic!("{sql:?} was not refused: {other:?}"),
        }
    }

    fn rewritten(sql: &str) -> String {
        match verdict(sql) {
            Verdict::Rewrite(t) => String::from_utf8(t).unwrap(),
            other => panic!("{sql:?} was not rewritten: {other:?}"),
        }
    }

    #[test]
    fn reads_are_forwarded_unchanged() {
        for sql in [
            "SELECT 1",
            "select * from t where a = 'INSERT INTO x'",
            "(SELECT 1) UNION (SELECT 2)",
            "WITH c AS (SELECT 1) SELECT * FROM c",
            "SHOW TABLES",
            "SHOW CREATE TABLE t",
            "DESCRIBE t",
            "EXPLAIN SELECT * FROM t",
            "EXPLAIN FORMAT=JSON SELECT 1",
            "SELECT a INTO @x FROM t LIMIT 1",
            "SET NAMES utf8mb4",
            "SET @a = 1, @@session.sql_mode = ''",
            "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
            "USE db",
            "BEGIN",
            "START TRANSACTION READ ONLY",
            "START TRANSACTION WITH CONSISTENT SNAPSHOT",
            "COMMIT",
            "ROLLBACK TO SAVEPOINT a",
            "SAVEPOINT a",
            "DO SLEEP(0)",
            "HELP 'select'",
            "CHECKSUM TABLE t",
            "PREPARE s FROM 'SELECT ?'",
            "EXECUTE s USING @a",
            "DEALLOCATE PREPARE s",
            "SELECT 1; SELECT 2;",
            "VALUES (1),(2)",
            "/* hello */ SELECT 1",
            "",
            "SELEC 1",
            "BEGIN WORK",
            "hello world",
        ] {
            assert_eq!(verdict(sql), Verdict::Forward, "{sql}");
        }
    }

    #[test]
    fn writes_are_refused_with_their_name() {
        assert_eq!(refused("INSERT INTO t VALUES (1)"), "INSERT");
        assert_eq!(refused("update t set a=1"), "UPDATE");
        assert_eq!(refused("DELETE FROM t"), "DELETE");
        assert_eq!(refused("REPLACE INTO t VALUES (1)"), "REPLACE");
        assert_eq!(refused("CREATE TABLE x (a int)"), "CREATE TABLE");
        assert_eq!(
            refused("CREATE OR REPLACE VIEW v AS SELECT 1"),
            "CREATE VIEW"
        );
        assert_eq!(
            refused("CREATE DEFINER=`a`@`b` TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET @a=1"),
            "CREATE TRIGGER"
        );
        assert_eq!(
            refused("CREATE OR REPLACE DEFINER = root@localhost TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET @a=1"),
            "CREATE TRIGGER"
        );
        assert_eq!(refused("ALTER TABLE t ADD c int"), "ALTER TABLE");
        assert_eq!(
            refused("ALTER DEFINER = CURRENT_USER() SQL SECURITY INVOKER VIEW v AS SELECT 1"),
            "ALTER VIEW"
        );
        assert_eq!(
            refused("CREATE DEFINER=CURRENT_USER VIEW v AS SELECT 1"),
            "CREATE VIEW"
        );
        assert_eq!(refused("DROP TABLE t"), "DROP TABLE");
        assert_eq!(refused("TRUNCATE t"), "TRUNCATE TABLE");
        assert_eq!(refused("RENAME TABLE a TO b"), "RENAME TABLE");
        assert_eq!(refused("GRANT ALL ON *.* TO x"), "GRANT");
        assert_eq!(refused("LOAD DATA INFILE 'x' INTO TABLE t"), "LOAD DATA");
        assert_eq!(
            refused("LOAD DATA LOCAL INFILE 'x' INTO TABLE t"),
            "LOAD DATA"
        );
        assert_eq!(refused("CALL p()"), "CALL");
        assert_eq!(
            refused("SELECT * FROM t INTO OUTFILE '/tmp/x'"),
            "SELECT ... INTO OUTFILE"
        );
        assert_eq!(
            refused("SELECT 1 INTO DUMPFILE '/tmp/x'"),
            "SELECT ... INTO DUMPFILE"
        );
        assert_eq!(refused("LOCK TABLES t READ"), "LOCK TABLES");
        assert_eq!(refused("FLUSH TABLES"), "FLUSH");
        assert_eq!(
            verdict("KILL 5"),
            Verdict::Kill {
                query_only: false,
                id: 5
            }
        );
        assert_eq!(
            verdict("kill query 7;"),
            Verdict::Kill {
                query_only: true,
                id: 7
            }
        );
        assert_eq!(
            verdict("KILL HARD CONNECTION 9"),
            Verdict::Kill {
                query_only: false,
                id: 9
            }
        );
        assert_eq!(refused("KILL USER 'x'"), "KILL");
        assert_eq!(refused("SELECT 1; KILL 5"), "KILL");
        assert_eq!(refused("XA START 'x'"), "XA");
        assert_eq!(
            refused("WITH c AS (SELECT 1) DELETE FROM t"),
            "WITH ... DELETE"
        );
        assert_eq!(refused("ANALYZE TABLE t"), "ANALYZE TABLE");
        assert_eq!(refused("ANALYZE UPDATE t SET a=1"), "ANALYZE UPDATE");
        assert_eq!(
            refused("EXPLAIN ANALYZE DELETE FROM t"),
            "EXPLAIN ANALYZE DELETE"
        );
        assert_eq!(refused("OPTIMIZE TABLE t"), "OPTIMIZE TABLE");
        assert_eq!(refused("HANDLER t OPEN"), "HANDLER");
        assert_eq!(refused("SELECT NEXTVAL(s)"), "NEXTVAL()");
        assert_eq!(refused("SELECT NEXT VALUE FOR s"), "NEXT VALUE FOR");
        assert_eq!(
            refused("BEGIN NOT ATOMIC INSERT INTO t VALUES (1); END"),
            "BEGIN NOT ATOMIC"
        );
        assert_eq!(refused("INSTALL PLUGIN x SONAME 'y'"), "INSTALL PLUGIN");
        assert_eq!(refused("BEGIN DELETE FROM t; END"), "a BEGIN ... END block");
        assert_eq!(
            refused("lbl: LOOP DELETE FROM t; END LOOP"),
            "a labelled compound statement"
        );
        assert_eq!(refused("IF 1 THEN DELETE FROM t; END IF"), "IF");
        assert_eq!(refused("SELEC 1; DELETE FROM t"), "DELETE");
    }

    #[test]
    fn session_settings_that_reach_the_server_or_lift_read_only_are_refused() {
        assert_eq!(refused("SET GLOBAL max_connections = 1"), "SET GLOBAL");
        assert_eq!(refused("SET @@global.sql_mode = ''"), "SET GLOBAL");
        assert_eq!(refused("SET @a = 1, GLOBAL x = 2"), "SET GLOBAL");
        assert_eq!(refused("SET PERSIST x = 1"), "SET GLOBAL");
        assert_eq!(refused("SET PASSWORD = 'x'"), "SET PASSWORD");
        assert_eq!(
            refused("SET SESSION TRANSACTION READ WRITE"),
            "SET TRANSACTION READ WRITE"
        );
        assert_eq!(
            refused("SET TRANSACTION READ WRITE"),
            "SET TRANSACTION READ WRITE"
        );
        assert_eq!(refused("SET tx_read_only = 0"), "SET transaction_read_only");
        assert_eq!(
            refused("SET @@session.transaction_read_only = 0"),
            "SET transaction_read_only"
        );
        assert_eq!(
            rewritten("START TRANSACTION READ WRITE, WITH CONSISTENT SNAPSHOT").trim_end(),
            "START TRANSACTION             WITH CONSISTENT SNAPSHOT"
        );
        assert_eq!(refused("SET DEFAULT ROLE r FOR u"), "SET DEFAULT ROLE");
    }

    #[test]
    fn every_statement_of_a_multi_statement_text_must_pass() {
        assert_eq!(refused("SELECT 1; DELETE FROM t"), "DELETE");
        assert_eq!(
            refused("SELECT 1;INSERT INTO t VALUES (1);SELECT 2"),
            "INSERT"
        );
    }

    #[test]
    fn executable_comments_are_sql() {
        assert_eq!(refused("SELECT 1 /*! ; DELETE FROM t */"), "DELETE");
        assert_eq!(refused("/*!50000 INSERT INTO t VALUES (1) */"), "INSERT");
        assert_eq!(refused("/*M!100000 DROP TABLE t */"), "DROP TABLE");
        assert_eq!(verdict("/*!40101 SET NAMES utf8 */"), Verdict::Forward);
    }

    #[test]
    fn sql_level_prepare_is_checked_through_its_literal() {
        assert_eq!(refused("PREPARE s FROM 'DELETE FROM t'"), "DELETE");
        assert_eq!(
            refused("PREPARE s FROM @sql"),
            "PREPARE ... FROM with a statement that is not a string literal"
        );
        assert_eq!(
            refused("EXECUTE IMMEDIATE 'INSERT INTO t VALUES (1)'"),
            "INSERT"
        );
        assert_eq!(
            rewritten("PREPARE s FROM 'SELECT * FROM t FOR UPDATE'"),
            "PREPARE s FROM 'SELECT * FROM t           '"
        );
        assert_eq!(
            refused("SET STATEMENT max_statement_time=1 FOR DELETE FROM t"),
            "DELETE"
        );
        assert_eq!(
            verdict("SET STATEMENT max_statement_time=1 FOR SELECT 1"),
            Verdict::Forward
        );
    }

    #[test]
    fn locking_clauses_are_blanked_so_the_source_takes_no_locks() {
        assert_eq!(
            rewritten("SELECT * FROM t WHERE id=1 FOR UPDATE"),
            "SELECT * FROM t WHERE id=1           "
        );
        assert_eq!(
            rewritten("SELECT * FROM t FOR SHARE NOWAIT"),
            "SELECT * FROM t                 "
        );
        assert_eq!(
            rewritten("SELECT * FROM t LOCK IN SHARE MODE"),
            "SELECT * FROM t                   "
        );
        assert_eq!(
            rewritten("SELECT * FROM t FOR UPDATE OF t, u SKIP LOCKED"),
            format!("SELECT * FROM t{}", " ".repeat(31))
        );
        assert_eq!(
            rewritten("SELECT 1 FOR UPDATE WAIT 5; SELECT 'for update'"),
            format!("SELECT 1 {}; SELECT 'for update'", " ".repeat(17))
        );
    }

    #[test]
    fn effects_are_reported_for_the_session() {
        let a = analyze(b"SET NAMES gbk", LexMode::default());
        assert!(a.effects.contains(&Effect::RefreshLexMode));
        let a = analyze(b"USE `my db`", LexMode::default());
        assert_eq!(a.effects, vec![Effect::Use(b"my db".to_vec())]);
        let a = analyze(b"COMMIT RELEASE", LexMode::default());
        assert_eq!(
            a.effects,
            vec![
                Effect::Transaction(Txn::Commit { chain: false }),
                Effect::Release
            ]
        );
        let a = analyze(b"COMMIT AND NO CHAIN NO RELEASE", LexMode::default());
        assert_eq!(
            a.effects,
            vec![Effect::Transaction(Txn::Commit { chain: false })]
        );
        let txn = |sql: &str| match analyze(sql.as_bytes(), LexMode::default()).effects[..] {
            [Effect::Transaction(ref t)] => t.clone(),
            ref other => panic!("{sql}: {other:?}"),
        };
        assert_eq!(txn("ROLLBACK AND CHAIN"), Txn::Rollback { chain: true });
        assert_eq!(
            txn("rollback work to savepoint `Sp 1`"),
            Txn::RollbackTo("Sp 1".into())
        );
        assert_eq!(txn("ROLLBACK TO s2"), Txn::RollbackTo("s2".into()));
        assert_eq!(txn("SAVEPOINT a"), Txn::Savepoint("a".into()));
        assert_eq!(txn("RELEASE SAVEPOINT a"), Txn::Release("a".into()));
        assert_eq!(
            txn("START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT"),
            Txn::Begin {
                read_only: true,
                snapshot: true
            }
        );
        assert_eq!(
            txn("BEGIN WORK"),
            Txn::Begin {
                read_only: false,
                snapshot: false
            }
        );
        let a = analyze(b"SELECT * FROM `vdb`.status", LexMode::default());
        assert_eq!(a.effects, vec![Effect::ControlTables]);
        let a = analyze(b"SELECT 'vdb.status', vdb_x.y FROM t", LexMode::default());
        assert!(a.effects.is_empty());
    }

    #[test]
    fn lock_tables_lists_are_read() {
        let l = |s: &str| lock_tables(s.as_bytes(), LexMode::default());
        assert_eq!(
            l("LOCK TABLES `items` READ /*!32311 LOCAL */"),
            Some(vec![(None, "items".into(), None, false)])
        );
        assert_eq!(
            l("lock table d.t AS x write, u low_priority write, v r READ"),
            Some(vec![
                (Some("d".into()), "t".into(), Some("x".into()), true),
                (None, "u".into(), None, true),
                (None, "v".into(), Some("r".into()), false),
            ])
        );
        assert_eq!(l("LOCK TABLES t"), None);
        assert_eq!(l("SELECT 1"), None);
    }
}

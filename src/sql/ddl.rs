//! The shape of the DDL vdb captures (CREATE/DROP/ALTER/RENAME/TRUNCATE
//! TABLE, CREATE/DROP INDEX), read with
//! sqlparser for analysis only, and column types written as MariaDB's
//! information_schema writes them (`int(11)`, `decimal(10,0)`,
//! `enum('a','b')`), so that a table created through vdb is described as
//! the source would describe it.

use sqlparser::ast::{
    ColumnOption, CreateTableLikeKind, Expr, GeneratedAs, GeneratedExpressionMode, ObjectName,
    SqlOption, Statement, TableConstraint,
};
use sqlparser::dialect::MySqlDialect;
use sqlparser::parser::{Parser, ParserOptions};

/// A column of a CREATE TABLE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSpec {
    /// Its name, as written.
    pub name: String,
    /// information_schema's DATA_TYPE (`int`, `varchar`, `longtext`).
    pub data_type: String,
    /// information_schema's COLUMN_TYPE (`int(10) unsigned`).
    pub column_type: String,
    /// NOT NULL not given (and not part of the primary key).
    pub nullable: bool,
    /// The DEFAULT as an SQL expression (`'x'`, `0`, `current_timestamp()`).
    pub default: Option<String>,
    /// AUTO_INCREMENT.
    pub auto_increment: bool,
    /// CHARACTER SET given on the column.
    pub charset: Option<String>,
    /// COLLATE given on the column.
    pub collation: Option<String>,
    /// The column's own CHECK (expression, as sqlparser prints it); a
    /// JSON column's is `json_valid(col)`.
    pub check: Option<String>,
    /// `[GENERATED ALWAYS] AS (expr) [VIRTUAL | STORED | PERSISTENT]`:
    /// the expression as sqlparser prints it, and whether it is stored.
    pub generated: Option<(String, bool)>,
    /// COMMENT, its value.
    pub comment: Option<String>,
    /// ON UPDATE current_timestamp(n), as EXTRA writes it.
    pub on_update: Option<String>,
}

/// A PRIMARY KEY or UNIQUE key of a CREATE TABLE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySpec {
    /// `PRIMARY`, or the index name (the first column's when none is given).
    pub name: String,
    /// Column names in key order.
    pub columns: Vec<String>,
    /// USING BTREE and COMMENT, as given.
    pub options: KeyOptions,
}

/// What a key's definition says besides its columns, kept so that SHOW
/// CREATE TABLE, SHOW INDEX and information_schema show it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyOptions {
    /// `USING BTREE` was written (InnoDB's only kind: printed, no more).
    pub btree: bool,
    /// Its COMMENT ('' when none).
    pub comment: String,
}

/// A FOREIGN KEY of CREATE TABLE or ALTER TABLE ... ADD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FkSpec {
    /// CONSTRAINT name, if given.
    pub name: Option<String>,
    /// The child's columns.
    pub columns: Vec<String>,
    /// The referenced table.
    pub parent: TableName,
    /// Its columns.
    pub parent_columns: Vec<String>,
    /// ON DELETE (`CASCADE`, `SET NULL`, `RESTRICT`, `NO ACTION`), if given.
    pub on_delete: Option<String>,
    /// ON UPDATE, if given.
    pub on_update: Option<String>,
}

/// A CREATE TABLE vdb can capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateTable {
    /// Database named in the statement.
    pub schema: Option<String>,
    /// The new table's name.
    pub name: String,
    /// IF NOT EXISTS.
    pub if_not_exists: bool,
    /// `CREATE TABLE t LIKE other`: the other table (database, name).
    pub like: Option<(Option<String>, String)>,
    /// Columns in order.
    pub columns: Vec<ColumnSpec>,
    /// PRIMARY first, then UNIQUE keys in the order written.
    pub keys: Vec<KeySpec>,
    /// Non-unique indexes (KEY, INDEX), in the order written.
    pub indexes: Vec<KeySpec>,
    /// FOREIGN KEY constraints, in the order written.
    pub foreign_keys: Vec<FkSpec>,
    /// DEFAULT CHARSET.
    pub charset: Option<String>,
    /// COLLATE.
    pub collation: Option<String>,
    /// AUTO_INCREMENT = n.
    pub auto_increment: Option<u64>,
    /// `CREATE TABLE ... [AS] SELECT ...`: the SELECT as written.
    pub select: Option<String>,
    /// `... IGNORE SELECT` or `... REPLACE SELECT`: what a row whose key
    /// collides with an earlier one does.
    pub duplicates: Option<Duplicates>,
    /// Table-level CHECK constraints: (CONSTRAINT name if given,
    /// expression as sqlparser prints it).
    pub checks: Vec<(Option<String>, String)>,
    /// COMMENT [=] '...', its value.
    pub comment: Option<String>,
    /// ROW_FORMAT = ..., upper-case.
    pub row_format: Option<String>,
}

/// What CREATE TABLE ... SELECT does with a row whose key is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duplicates {
    /// IGNORE: the row is skipped, with a warning.
    Ignore,
    /// REPLACE: it replaces the row it collides with.
    Replace,
}

/// A CREATE TABLE's text with its ZEROFILL words (which sqlparser does not
/// read) made UNSIGNED, which ZEROFILL implies (blanked where the column
/// says UNSIGNED already), and the columns they were given to (the first
/// name of each item of the column list).
fn zerofill_columns(sql: &str) -> (String, Vec<String>) {
    use super::lexer::{lex, LexMode};
    let b = sql.as_bytes();
    let mode = LexMode::default();
    let t = lex(b, mode).tokens;
    let mut out = sql.to_string();
    let mut names = Vec::new();
    if !(t.first().is_some_and(|x| x.is_word(b, "CREATE"))
        && t.iter().any(|x| x.is_word(b, "ZEROFILL")))
    {
        return (out, names);
    }
    let mut depth = 0usize;
    let mut item: Option<String> = None;
    let mut unsigned = false;
    let mut fresh = false;
    for x in &t {
        if x.is_punct(b'(') {
            depth += 1;
            fresh = depth == 1;
            continue;
        }
        if x.is_punct(b')') {
            depth = depth.saturating_sub(1);
            continue;
        }
        if depth == 1 && x.is_punct(b',') {
            fresh = true;
            continue;
        }
        if depth == 1 && fresh {
            item = x.name(b, mode);
            unsigned = false;
            fresh = false;
            continue;
        }
        if depth == 1 && x.is_word(b, "UNSIGNED") {
            unsigned = true;
        }
        if depth == 1 && x.is_word(b, "ZEROFILL") {
            let with = if unsigned { "        " } else { "UNSIGNED" };
            out.replace_range(x.start..x.end, with);
            names.extend(item.clone());
        }
    }
    (out, names)
}

/// The SELECT of a `CREATE TABLE ... [AS] SELECT` as written: from the
/// first SELECT, WITH or `(SELECT` outside parentheses to the end.
/// Where CREATE TABLE ... IGNORE|REPLACE SELECT says what to do with rows
/// whose keys collide (sqlparser does not read the word): its byte range,
/// and whether it is REPLACE.
fn ctas_duplicates(sql: &str) -> Option<(std::ops::Range<usize>, bool)> {
    use super::lexer::{statement_tokens, LexMode};
    let b = sql.as_bytes();
    let t = statement_tokens(b, LexMode::default());
    if !t.first().is_some_and(|x| x.is_word(b, "CREATE")) {
        return None;
    }
    let starts = |i: usize| {
        t.get(i)
            .is_some_and(|x| x.is_word(b, "SELECT") || x.is_word(b, "WITH"))
    };
    let mut depth = 0usize;
    for i in 0..t.len() {
        if depth == 0 {
            let replace = t[i].is_word(b, "REPLACE") && !(i > 0 && t[i - 1].is_word(b, "OR"));
            if (t[i].is_word(b, "IGNORE") || replace)
                && (starts(i + 1)
                    || (t.get(i + 1).is_some_and(|x| x.is_punct(b'(')) && starts(i + 2)))
            {
                return Some((t[i].start..t[i].end, replace));
            }
            if starts(i) {
                return None;
            }
        }
        if t[i].is_punct(b'(') {
            depth += 1;
        } else if t[i].is_punct(b')') {
            depth = depth.saturating_sub(1);
        }
    }
    None
}

fn ctas_select(sql: &str) -> Result<String, Unsupported> {
    use super::lexer::{statement_tokens, LexMode};
    let b = sql.as_bytes();
    let t = statement_tokens(b, LexMode::default());
    let starts = |i: usize| {
        t.get(i)
            .is_some_and(|x| x.is_word(b, "SELECT") || x.is_word(b, "WITH"))
    };
    let mut depth = 0usize;
    for i in 0..t.len() {
        if depth == 0 && (starts(i) || (t[i].is_punct(b'(') && starts(i + 1))) {
            let end = t.last().map_or(sql.len(), |x| x.end);
            return Ok(sql[t[i].start..end].to_string());
        }
        if t[i].is_punct(b'(') {
            depth += 1;
        } else if t[i].is_punct(b')') {
            depth = depth.saturating_sub(1);
        }
    }
    no("this form of CREATE TABLE ... SELECT")
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropTable {
    /// IF EXISTS.
    pub if_exists: bool,
    /// The tables (database, name), in order.
    pub tables: Vec<(Option<String>, String)>,
}

/// A captured DDL statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ddl {
    /// CREATE TABLE.
    Create(Box<CreateTable>),
    /// DROP TABLE.
    Drop(DropTable),
    /// ALTER TABLE, CREATE INDEX, DROP INDEX.
    Alter(AlterTable),
    /// RENAME TABLE a TO b, ...: pairs in order.
    Rename(Vec<(TableName, TableName)>),
    /// TRUNCATE TABLE.
    Truncate((Option<String>, String)),
    /// CREATE DATABASE (or SCHEMA).
    CreateDatabase(CreateDatabase),
    /// ALTER DATABASE (or SCHEMA): `name` empty for the session's; the
    /// options given.
    AlterDatabase(CreateDatabase),
    /// DROP DATABASE (or SCHEMA).
    DropDatabase {
        /// The database.
        name: String,
        /// IF EXISTS.
        if_exists: bool,
    },
    /// CREATE [OR REPLACE] VIEW.
    CreateView(CreateView),
    /// DROP VIEW [IF EXISTS] v, ...
    DropView {
        /// IF EXISTS.
        if_exists: bool,
        /// The views, in order.
        views: Vec<TableName>,
    },
    /// ALTER DATABASE name UPGRADE DATA DIRECTORY NAME (MariaDB's rename
    /// of a `#mysql50#` database to its decoded name).
    UpgradeDatabaseName(String),
    /// CREATE [OR REPLACE] TRIGGER.
    CreateTrigger(CreateTrigger),
    /// DROP TRIGGER [IF EXISTS] [db.]name.
    DropTrigger {
        /// IF EXISTS.
        if_exists: bool,
        /// The trigger (database, name).
        name: TableName,
    },
}

/// A CREATE TRIGGER, read from its tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateTrigger {
    /// OR REPLACE.
    pub or_replace: bool,
    /// IF NOT EXISTS.
    pub if_not_exists: bool,
    /// DEFINER as `user@host`, when given (`CURRENT_USER` is not given).
    pub definer: Option<String>,
    /// The trigger (database, name).
    pub name: TableName,
    /// BEFORE rather than AFTER.
    pub before: bool,
    /// `INSERT`, `UPDATE` or `DELETE`.
    pub event: String,
    /// The table (database, name).
    pub table: TableName,
    /// FOLLOWS (true) or PRECEDES (false) another trigger.
    pub order: Option<(bool, String)>,
    /// The body, as written.
    pub body: String,
    /// The text the server keeps after `CREATE DEFINER=...`: from TRIGGER
    /// to FOR EACH ROW, then the body (no FOLLOWS or PRECEDES clause).
    pub kept: String,
}

/// `DEFINER = user` at token `i`: the definer as `user@host` (None for
/// CURRENT_USER) and the index after it; None when there is no DEFINER
/// there, Some(Err) for one vdb cannot read.
fn definer_at(
    b: &[u8],
    t: &[super::lexer::Token],
    i: usize,
    mode: super::lexer::LexMode,
) -> Option<Result<(Option<String>, usize), ()>> {
    use super::lexer::Kind;
    if !(t.get(i).is_some_and(|x| x.is_word(b, "DEFINER"))
        && t.get(i + 1).is_some_and(|x| x.is_punct(b'=')))
    {
        return None;
    }
    let mut i = i + 2;
    if t.get(i).is_some_and(|x| x.is_word(b, "CURRENT_USER")) {
        i += 1;
        if t.get(i).is_some_and(|x| x.is_punct(b'('))
            && t.get(i + 1).is_some_and(|x| x.is_punct(b')'))
        {
            i += 2;
        }
        return Some(Ok((None, i)));
    }
    let user = t.get(i).and_then(|x| match x.kind {
        Kind::Str => {
            Some(String::from_utf8_lossy(&super::lexer::unquote(x.text(b), mode)).into_owned())
        }
        _ => x.name(b, mode),
    });
    let host = t.get(i + 1).filter(|x| x.kind == Kind::Variable).map(|x| {
        let h = &x.text(b)[1..];
        let h = if matches!(h.first(), Some(b'\'' | b'"' | b'`')) {
            super::lexer::unquote(h, mode)
        } else {
            h.to_vec()
        };
        String::from_utf8_lossy(&h).into_owned()
    });
    let Some(user) = user else {
        return Some(Err(()));
    };
    i += 1 + usize::from(host.is_some());
    Some(Ok((
        Some(format!("{user}@{}", host.unwrap_or_else(|| "%".into()))),
        i,
    )))
}

/// CREATE TRIGGER and DROP TRIGGER, read from their tokens; None for any
/// other statement.
fn trigger_ddl(sql: &str) -> Option<Result<Ddl, Unsupported>> {
    use super::lexer::{statement_tokens, Kind, LexMode};
    let b = sql.as_bytes();
    let mode = LexMode::default();
    let t = statement_tokens(b, mode);
    let word = |i: usize, w: &str| t.get(i).is_some_and(|x| x.is_word(b, w));
    let ident = |i: usize| {
        t.get(i)
            .filter(|x| matches!(x.kind, Kind::Word | Kind::QuotedIdent))
            .and_then(|x| x.name(b, mode))
    };
    let name_at = |i: usize| -> Option<(TableName, usize)> {
        super::lexer::name_at(b, &t, i, mode).map(|(s, n, next)| ((s, n), next))
    };
    if word(0, "DROP") && word(1, "TRIGGER") {
        let if_exists = word(2, "IF") && word(3, "EXISTS");
        let at = if if_exists { 4 } else { 2 };
        return Some(match name_at(at) {
            Some((name, next)) if next == t.len() => Ok(Ddl::DropTrigger { if_exists, name }),
            _ => no("this form of DROP TRIGGER"),
        });
    }
    if !word(0, "CREATE") {
        return None;
    }
    let mut i = 1;
    let or_replace = word(1, "OR") && word(2, "REPLACE");
    if or_replace {
        i = 3;
    }
    let mut definer = None;
    match definer_at(b, &t, i, mode) {
        Some(Ok((d, next))) => {
            definer = d;
            i = next;
        }
        Some(Err(())) if word(i + 3, "TRIGGER") || word(i + 4, "TRIGGER") => {
            return Some(no("this DEFINER of CREATE TRIGGER"))
        }
        _ => {}
    }
    if !word(i, "TRIGGER") {
        return None;
    }
    let form = "this form of CREATE TRIGGER";
    let kept_from = t[i].start;
    i += 1;
    let if_not_exists = word(i, "IF") && word(i + 1, "NOT") && word(i + 2, "EXISTS");
    if if_not_exists {
        i += 3;
    }
    let Some((name, next)) = name_at(i) else {
        return Some(no(form));
    };
    i = next;
    let before = if word(i, "BEFORE") {
        true
    } else if word(i, "AFTER") {
        false
    } else {
        return Some(no(form));
    };
    i += 1;
    let Some(event) = ["INSERT", "UPDATE", "DELETE"]
        .into_iter()
        .find(|e| word(i, e))
    else {
        return Some(no(form));
    };
    i += 1;
    if !word(i, "ON") {
        return Some(no(form));
    }
    let Some((table, next)) = name_at(i + 1) else {
        return Some(no(form));
    };
    i = next;
    if !(word(i, "FOR") && word(i + 1, "EACH") && word(i + 2, "ROW")) {
        return Some(no(form));
    }
    let row_end = t[i + 2].end;
    i += 3;
    let mut order = None;
    if word(i, "FOLLOWS") || word(i, "PRECEDES") {
        let Some(other) = ident(i + 1) else {
            return Some(no(form));
        };
        order = Some((word(i, "FOLLOWS"), other));
        i += 2;
    }
    let Some(first) = t.get(i) else {
        return Some(no(form));
    };
    let body = sql[first.start..t[t.len() - 1].end].to_string();
    let kept = format!("{} {body}", &sql[kept_from..row_end]);
    Some(Ok(Ddl::CreateTrigger(CreateTrigger {
        or_replace,
        if_not_exists,
        definer,
        name,
        before,
        event: event.to_string(),
        table,
        order,
        body,
        kept,
    })))
}

/// A CREATE VIEW: its options, name, column names and the SELECT's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateView {
    /// OR REPLACE.
    pub or_replace: bool,
    /// The view.
    pub name: TableName,
    /// `(c1, c2)` after the name, if given.
    pub columns: Vec<String>,
    /// The SELECT as written (without WITH ... CHECK OPTION).
    pub body: String,
    /// ALGORITHM (`UNDEFINED` when not given).
    pub algorithm: String,
    /// SQL SECURITY (`DEFINER` when not given).
    pub security: String,
    /// DEFINER as `user@host`, when given (`CURRENT_USER` is not given).
    pub definer: Option<String>,
    /// `NONE`, `CASCADED` or `LOCAL`.
    pub check_option: String,
    /// ALTER VIEW: the view must exist, and keeps the ALGORITHM, DEFINER
    /// and SQL SECURITY the statement does not give.
    pub alter: bool,
    /// Which of ALGORITHM, DEFINER and SQL SECURITY the statement gives.
    pub given: ViewOptionsGiven,
}

/// Which view options a CREATE or ALTER VIEW writes out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ViewOptionsGiven {
    /// ALGORITHM = ...
    pub algorithm: bool,
    /// DEFINER = ... (CURRENT_USER included).
    pub definer: bool,
    /// SQL SECURITY ...
    pub security: bool,
}

/// Aggregate functions: a view that calls one cannot be written.
const AGGREGATES: &[&str] = &[
    "COUNT",
    "SUM",
    "AVG",
    "MIN",
    "MAX",
    "GROUP_CONCAT",
    "BIT_AND",
    "BIT_OR",
    "BIT_XOR",
    "STD",
    "STDDEV",
    "STDDEV_POP",
    "STDDEV_SAMP",
    "VAR_POP",
    "VAR_SAMP",
    "VARIANCE",
    "JSON_ARRAYAGG",
    "JSON_OBJECTAGG",
];

/// Whether the server lets a view with this SELECT be written (what
/// information_schema.VIEWS.IS_UPDATABLE says): it reads a table, calls no
/// aggregate, and is no DISTINCT, GROUP BY, HAVING or set operation.
pub fn view_updatable(body: &str) -> bool {
    use super::lexer::{lex, Kind, LexMode};
    let b = body.as_bytes();
    let t = lex(b, LexMode::default()).tokens;
    let mut depth = 0;
    let mut reads = false;
    for (i, x) in t.iter().enumerate() {
        match x.kind {
            Kind::Punct(b'(') => depth += 1,
            Kind::Punct(b')') => depth -= 1,
            _ => {}
        }
        let call = t.get(i + 1).is_some_and(|n| n.is_punct(b'('));
        if call && AGGREGATES.iter().any(|a| x.is_word(b, a)) {
            return false;
        }
        if depth != 0 {
            continue;
        }
        let whole = [
            "DISTINCT",
            "DISTINCTROW",
            "GROUP",
            "HAVING",
            "UNION",
            "EXCEPT",
            "INTERSECT",
        ];
        if whole.iter().any(|w| x.is_word(b, w)) {
            return false;
        }
        reads |= x.is_word(b, "FROM");
    }
    reads
}

/// CREATE VIEW and DROP VIEW, read from their tokens (the SELECT is kept
/// as written). `None` when the text is neither.
fn view_ddl(sql: &str) -> Option<Result<Ddl, Unsupported>> {
    use super::lexer::{statement_tokens, Kind, LexMode};
    let b = sql.as_bytes();
    let mode = LexMode::default();
    let t = statement_tokens(b, mode);
    let word = |i: usize, w: &str| t.get(i).is_some_and(|x| x.is_word(b, w));
    let ident = |i: usize| {
        t.get(i)
            .filter(|x| matches!(x.kind, Kind::Word | Kind::QuotedIdent))
            .and_then(|x| x.name(b, mode))
    };
    let table_at = |i: usize| -> Option<(TableName, usize)> {
        super::lexer::name_at(b, &t, i, mode).map(|(s, n, next)| ((s, n), next))
    };
    if word(0, "DROP") && word(1, "VIEW") {
        let mut i = 2;
        let if_exists = word(2, "IF") && word(3, "EXISTS");
        if if_exists {
            i = 4;
        }
        let mut views = Vec::new();
        loop {
            let Some((name, next)) = table_at(i) else {
                return Some(no("this form of DROP VIEW"));
            };
            views.push(name);
            i = next;
            if t.get(i).is_some_and(|x| x.is_punct(b',')) {
                i += 1;
                continue;
            }
            break;
        }
        if word(i, "RESTRICT") || word(i, "CASCADE") {
            i += 1;
        }
        return Some(if i == t.len() {
            Ok(Ddl::DropView { if_exists, views })
        } else {
            no("this form of DROP VIEW")
        });
    }
    let alter = word(0, "ALTER");
    if !word(0, "CREATE") && !alter {
        return None;
    }
    let mut i = 1;
    let or_replace = !alter && word(1, "OR") && word(2, "REPLACE");
    if or_replace {
        i = 3;
    }
    let mut algorithm = "UNDEFINED".to_string();
    let mut security = "DEFINER".to_string();
    let mut definer = None;
    let mut given = ViewOptionsGiven::default();
    let form = if alter {
        "this form of ALTER VIEW"
    } else {
        "this form of CREATE VIEW"
    };
    loop {
        if word(i, "ALGORITHM") && t.get(i + 1).is_some_and(|x| x.is_punct(b'=')) {
            let Some(a) = ident(i + 2) else {
                return Some(no(form));
            };
            algorithm = a.to_ascii_uppercase();
            given.algorithm = true;
            i += 3;
        } else if let Some(d) = definer_at(b, &t, i, mode) {
            let Ok((d, next)) = d else {
                return Some(no(form));
            };
            given.definer = true;
            definer = d;
            i = next;
        } else if word(i, "SQL") && word(i + 1, "SECURITY") {
            let Some(s) = ident(i + 2) else {
                return Some(no(form));
            };
            security = s.to_ascii_uppercase();
            given.security = true;
            i += 3;
        } else {
            break;
        }
    }
    if !word(i, "VIEW") {
        return None;
    }
    i += 1;
    if word(i, "IF") && word(i + 1, "NOT") && word(i + 2, "EXISTS") {
        return Some(no("CREATE VIEW IF NOT EXISTS"));
    }
    let Some((name, mut i)) = table_at(i) else {
        return Some(no(form));
    };
    let mut columns = Vec::new();
    if t.get(i).is_some_and(|x| x.is_punct(b'(')) {
        i += 1;
        loop {
            let Some(c) = ident(i) else {
                return Some(no(form));
            };
            columns.push(c);
            i += 1;
            if t.get(i).is_some_and(|x| x.is_punct(b',')) {
                i += 1;
            } else if t.get(i).is_some_and(|x| x.is_punct(b')')) {
                i += 1;
                break;
            } else {
                return Some(no(form));
            }
        }
    }
    if !word(i, "AS") || i + 1 >= t.len() {
        return Some(no(form));
    }
    let start = t[i + 1].start;
    let mut end_tok = t.len();
    let mut check_option = "NONE".to_string();
    let n = t.len();
    if n >= 3 && word(n - 2, "CHECK") && word(n - 1, "OPTION") {
        if n >= 4 && word(n - 3, "WITH") {
            check_option = "CASCADED".into();
            end_tok = n - 3;
        } else if n >= 4 && (word(n - 3, "CASCADED") || word(n - 3, "LOCAL")) && word(n - 4, "WITH")
        {
            check_option = if word(n - 3, "LOCAL") {
                "LOCAL"
            } else {
                "CASCADED"
            }
            .into();
            end_tok = n - 4;
        }
    }
    if end_tok <= i + 1 {
        return Some(no(form));
    }
    let body = sql[start..t[end_tok - 1].end].to_string();
    Some(Ok(Ddl::CreateView(CreateView {
        or_replace,
        name,
        columns,
        body,
        algorithm,
        security,
        definer,
        check_option,
        alter,
        given,
    })))
}

/// A CREATE DATABASE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateDatabase {
    /// The database.
    pub name: String,
    /// IF NOT EXISTS.
    pub if_not_exists: bool,
    /// [DEFAULT] CHARACTER SET, if given.
    pub charset: Option<String>,
    /// [DEFAULT] COLLATE, if given (the last one, as the server takes it).
    pub collation: Option<String>,
    /// COMMENT, if given (MariaDB 10.5 and later).
    pub comment: Option<String>,
}

/// The database a DROP DATABASE drops (from its tokens alone, for a
/// statement already captured); `None` for any other statement.
pub fn dropped_database(sql: &str) -> Option<String> {
    match database_ddl(sql)? {
        Ok(Ddl::DropDatabase { name, .. }) => Some(name),
        _ => None,
    }
}

/// CREATE/DROP DATABASE|SCHEMA, read from its tokens (sqlparser reads
/// CREATE SCHEMA without MySQL's options). `None` when the text is not one
/// of them; `Some(Err)` for a form vdb does not capture (the caller asks
/// the source whether it is even valid).
fn database_ddl(sql: &str) -> Option<Result<Ddl, Unsupported>> {
    use super::lexer::{statement_tokens, Kind, LexMode};
    let b = sql.as_bytes();
    let mode = LexMode::default();
    let t = statement_tokens(b, mode);
    let word = |i: usize, w: &str| t.get(i).is_some_and(|x| x.is_word(b, w));
    let alter = word(0, "ALTER");
    let create = word(0, "CREATE") || alter;
    if !(create || word(0, "DROP")) || !(word(1, "DATABASE") || word(1, "SCHEMA")) {
        return None;
    }
    let mut i = 2;
    if alter {
        // The name may be left out: the session's database.
        let option = [
            "DEFAULT",
            "CHARACTER",
            "CHARSET",
            "COLLATE",
            "COMMENT",
            "UPGRADE",
        ]
        .iter()
        .any(|w| word(2, w));
        let name = if option {
            String::new()
        } else {
            match t
                .get(2)
                .filter(|x| matches!(x.kind, Kind::Word | Kind::QuotedIdent))
                .and_then(|x| x.name(b, mode))
            {
                Some(n) => {
                    i = 3;
                    n
                }
                None => return Some(no("this form of ALTER DATABASE")),
            }
        };
        if i >= t.len() {
            return Some(no("ALTER DATABASE without options"));
        }
        if word(i, "UPGRADE")
            && word(i + 1, "DATA")
            && word(i + 2, "DIRECTORY")
            && word(i + 3, "NAME")
            && i + 4 == t.len()
            && !name.is_empty()
        {
            return Some(Ok(Ddl::UpgradeDatabaseName(name)));
        }
        if t[i..].iter().any(|x| x.is_word(b, "UPGRADE")) {
            return Some(no("this form of ALTER DATABASE ... UPGRADE"));
        }
        return Some(options(b, &t, i, mode, name, false).map(Ddl::AlterDatabase));
    }
    let guard: &[&str] = if create {
        &["IF", "NOT", "EXISTS"]
    } else {
        &["IF", "EXISTS"]
    };
    let guarded = guard.iter().enumerate().all(|(k, w)| word(i + k, w));
    if guarded {
        i += guard.len();
    }
    let Some(name) = t
        .get(i)
        .filter(|x| matches!(x.kind, Kind::Word | Kind::QuotedIdent))
        .and_then(|x| x.name(b, mode))
    else {
        return Some(no("this form of the statement"));
    };
    i += 1;
    if !create {
        return Some(if i == t.len() {
            Ok(Ddl::DropDatabase {
                name,
                if_exists: guarded,
            })
        } else {
            no("this form of DROP DATABASE")
        });
    }
    Some(options(b, &t, i, mode, name, guarded).map(Ddl::CreateDatabase))
}

/// The [DEFAULT] CHARACTER SET / COLLATE and COMMENT options of CREATE or
/// ALTER DATABASE, from token `i` to the end.
fn options(
    b: &[u8],
    t: &[super::lexer::Token],
    mut i: usize,
    mode: super::lexer::LexMode,
    name: String,
    if_not_exists: bool,
) -> Result<CreateDatabase, Unsupported> {
    use super::lexer::Kind;
    let word = |i: usize, w: &str| t.get(i).is_some_and(|x| x.is_word(b, w));
    let mut c = CreateDatabase {
        name,
        if_not_exists,
        charset: None,
        collation: None,
        comment: None,
    };
    while i < t.len() {
        if word(i, "DEFAULT") {
            i += 1;
        }
        if word(i, "COMMENT") {
            i += 1;
            if t.get(i).is_some_and(|x| x.is_punct(b'=')) {
                i += 1;
            }
            let Some(s) = t.get(i).filter(|x| x.kind == Kind::Str) else {
                return no("this form of COMMENT in CREATE/ALTER DATABASE");
            };
            c.comment =
                Some(String::from_utf8_lossy(&super::lexer::unquote(s.text(b), mode)).into_owned());
            i += 1;
            continue;
        }
        let charset = if word(i, "CHARACTER") && word(i + 1, "SET") {
            i += 2;
            true
        } else if word(i, "CHARSET") || word(i, "COLLATE") {
            i += 1;
            word(i - 1, "CHARSET")
        } else {
            return no("this option of CREATE/ALTER DATABASE");
        };
        if t.get(i).is_some_and(|x| x.is_punct(b'=')) {
            i += 1;
        }
        let value = t.get(i).and_then(|x| match x.kind {
            Kind::Str => {
                Some(String::from_utf8_lossy(&super::lexer::unquote(x.text(b), mode)).into_owned())
            }
            _ => x.name(b, mode),
        });
        let Some(value) = value else {
            return no("this form of CREATE/ALTER DATABASE");
        };
        i += 1;
        // Kept as written: overlay::charset resolves names (case, `utf8`)
        // and the server's errors quote them as written.
        if charset {
            if c.charset.is_some() {
                return no("CREATE/ALTER DATABASE with two character sets");
            }
            c.charset = Some(value);
        } else {
            c.collation = Some(value);
        }
    }
    Ok(c)
}

/// A table as a statement names it: (database, if given; table).
pub type TableName = (Option<String>, String);

/// Where ADD/CHANGE/MODIFY COLUMN puts the column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    /// Where it is (CHANGE, MODIFY) or last (ADD).
    Default,
    /// FIRST.
    First,
    /// AFTER the named column.
    After(String),
}

/// What kind of index an ALTER adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// PRIMARY KEY.
    Primary,
    /// UNIQUE.
    Unique,
    /// KEY / INDEX.
    Index,
}

/// One change of an ALTER TABLE, in the order written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlterOp {
    /// ADD [COLUMN] [IF NOT EXISTS]; `key` from an inline PRIMARY KEY/UNIQUE.
    AddColumn {
        /// The new column.
        column: ColumnSpec,
        /// IF NOT EXISTS.
        if_not_exists: bool,
        /// FIRST / AFTER.
        position: Position,
        /// An inline PRIMARY KEY or UNIQUE.
        key: Option<KeyKind>,
    },
    /// DROP [COLUMN] [IF EXISTS].
    DropColumn {
        /// The column.
        name: String,
        /// IF EXISTS.
        if_exists: bool,
    },
    /// RENAME COLUMN old TO new.
    RenameColumn {
        /// Old name.
        old: String,
        /// New name.
        new: String,
    },
    /// CHANGE old new type ... / MODIFY name type ...
    ChangeColumn {
        /// The column changed.
        old: String,
        /// Its new definition (and name).
        column: ColumnSpec,
        /// FIRST / AFTER.
        position: Position,
        /// An inline PRIMARY KEY or UNIQUE.
        key: Option<KeyKind>,
    },
    /// ALTER [COLUMN] c SET DEFAULT x / DROP DEFAULT.
    SetDefault {
        /// The column.
        column: String,
        /// The new default, `None` to drop it.
        default: Option<String>,
    },
    /// ADD PRIMARY KEY / UNIQUE / INDEX, CREATE [UNIQUE] INDEX.
    AddKey {
        /// Which kind.
        kind: KeyKind,
        /// The name given, if any, and the columns.
        name: Option<String>,
        /// Column names in key order.
        columns: Vec<String>,
        /// USING BTREE and COMMENT.
        options: KeyOptions,
    },
    /// DROP INDEX / DROP KEY name.
    DropKey(String),
    /// DROP PRIMARY KEY.
    DropPrimaryKey,
    /// ADD [CONSTRAINT name] FOREIGN KEY ...
    AddForeignKey(FkSpec),
    /// DROP FOREIGN KEY name.
    DropForeignKey(String),
    /// RENAME [TO|AS] name.
    RenameTable((Option<String>, String)),
    /// The table option COMMENT [=] '...': its value.
    TableComment(String),
    /// The table option AUTO_INCREMENT [=] n.
    AutoIncrement(u64),
    /// The table option ENGINE [=] name.
    Engine(String),
    /// The table option ROW_FORMAT [=] name.
    RowFormat(String),
    /// FORCE: rebuild the table as it is.
    Force,
    /// DISABLE KEYS / ENABLE KEYS (mariadb-dump writes them around a
    /// table's rows): nothing for InnoDB, which has no such option.
    Keys,
    /// ORDER BY col [ASC|DESC], ... (last in the statement): the order to
    /// store the rows in, which InnoDB ignores for a table with a key of
    /// its own.
    OrderBy,
    /// ALGORITHM [=] name, in upper case: how the server must do the
    /// change, or refuse it.
    Algorithm(String),
    /// LOCK [=] name, in upper case: the least locking the server must
    /// keep to, or refuse the change.
    Lock(String),
    /// RENAME INDEX/KEY old TO new.
    RenameKey {
        /// The index's name.
        old: String,
        /// Its new name.
        new: String,
    },
    /// The table options [DEFAULT] CHARACTER SET and [DEFAULT] COLLATE:
    /// the default for columns defined from now on.
    TableCharset {
        /// The character set, when given.
        charset: Option<String>,
        /// The collation, when given.
        collation: Option<String>,
    },
    /// ADD [CONSTRAINT [IF NOT EXISTS] [name]] CHECK (expr).
    AddCheck {
        /// The name given, if any (the server names it CONSTRAINT_n).
        name: Option<String>,
        /// The expression, as sqlparser prints it.
        clause: String,
        /// IF NOT EXISTS.
        if_not_exists: bool,
    },
    /// DROP CONSTRAINT [IF EXISTS] name: a CHECK constraint, a UNIQUE key
    /// or a foreign key of that name, as MariaDB reads it.
    DropConstraint {
        /// The name.
        name: String,
        /// IF EXISTS.
        if_exists: bool,
    },
    /// CONVERT TO CHARACTER SET cs [COLLATE c]: every string column, and
    /// the table's default, into that character set.
    ConvertCharset {
        /// The character set (`None`: DEFAULT, the database's).
        charset: Option<String>,
        /// The collation, when given.
        collation: Option<String>,
    },
}

/// An ALTER TABLE (CREATE INDEX and DROP INDEX are read as one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlterTable {
    /// The statement's name for refusals: `ALTER TABLE`, `CREATE INDEX`
    /// or `DROP INDEX`.
    pub statement: &'static str,
    /// Database named in the statement.
    pub schema: Option<String>,
    /// The table.
    pub name: String,
    /// Its changes, in order.
    pub ops: Vec<AlterOp>,
}

/// Why a DDL statement cannot be captured: the form, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

fn no<T>(what: impl Into<String>) -> Result<T, Unsupported> {
    Err(Unsupported(what.into()))
}

fn name_parts(n: &ObjectName) -> Result<(Option<String>, String), Unsupported> {
    let parts: Vec<String> =
        n.0.iter()
            .filter_map(|p| p.as_ident().map(|i| i.value.clone()))
            .collect();
    match parts.as_slice() {
        [t] => Ok((None, t.clone())),
        [d, t] => Ok((Some(d.clone()), t.clone())),
        _ => no(format!("a table name such as {n}")),
    }
}

/// MariaDB's `AS (expr) PERSISTENT`, which sqlparser does not read, as
/// its synonym STORED (padded, so that offsets stay); None when there is
/// none.
fn persistent_as_stored(sql: &str) -> Option<String> {
    use super::lexer::{lex, LexMode};
    let b = sql.as_bytes();
    let tokens = lex(b, LexMode::default()).tokens;
    let mut out = sql.to_string();
    let mut found = false;
    for pair in tokens.windows(2) {
        if pair[0].is_punct(b')') && pair[1].is_word(b, "PERSISTENT") {
            out.replace_range(pair[1].start..pair[1].end, "STORED    ");
            found = true;
        }
    }
    found.then_some(out)
}

/// A column's `CHARSET x`, which sqlparser reads only as CHARACTER SET,
/// spelled so; None when there is none. In CREATE TABLE a column's
/// options stand inside the parentheses; in ALTER TABLE every table
/// option has been taken out by [`with_table_options`] before this runs,
/// so a CHARSET left is a column's. `CHARSET(expr)` is the function.
fn column_charset_spelled_out(sql: &str) -> Option<String> {
    use super::lexer::{depth_at, lex, LexMode};
    let b = sql.as_bytes();
    let tokens = lex(b, LexMode::default()).tokens;
    let first = tokens.first()?;
    let (create, alter) = (first.is_word(b, "CREATE"), first.is_word(b, "ALTER"));
    let mut out = sql.to_string();
    let mut found = false;
    // From the end, so that earlier offsets stay.
    for i in (1..tokens.len()).rev() {
        let column_level = (create && depth_at(&tokens, i) >= 1) || alter;
        let next = tokens.get(i + 1);
        if tokens[i].is_word(b, "CHARSET")
            && column_level
            && !tokens[i - 1].is_word(b, "DEFAULT")
            && next.is_some_and(|n| !n.is_punct(b'=') && !n.is_punct(b'('))
        {
            out.replace_range(tokens[i].start..tokens[i].end, "CHARACTER SET");
            found = true;
        }
    }
    found.then_some(out)
}

/// ALTER TABLE ... ADD [COLUMN | CONSTRAINT] IF NOT EXISTS name, which
/// sqlparser reads for MySQL without keeping the IF NOT EXISTS (or not at
/// all): the text with IF NOT EXISTS blanked (offsets stay), and the
/// names it stood before; None when there is none.
fn adds_if_not_exists(sql: &str) -> Option<(String, Vec<String>)> {
    use super::lexer::{lex, LexMode};
    let b = sql.as_bytes();
    let mode = LexMode::default();
    let tokens = lex(b, mode).tokens;
    if !tokens.first()?.is_word(b, "ALTER") {
        return None;
    }
    let mut out = sql.to_string();
    let mut names = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let word = |j: usize, w: &str| tokens.get(j).is_some_and(|x| x.is_word(b, w));
        if !(t.is_word(b, "IF") && word(i + 1, "NOT") && word(i + 2, "EXISTS") && i > 0) {
            continue;
        }
        let after_add = word(i - 1, "ADD")
            || (i > 1
                && word(i - 2, "ADD")
                && (word(i - 1, "COLUMN") || word(i - 1, "CONSTRAINT")));
        if !after_add {
            continue;
        }
        let end = tokens[i + 2].end;
        out.replace_range(t.start..end, &" ".repeat(end - t.start));
        names.push(tokens.get(i + 3)?.name(b, mode)?);
    }
    (!names.is_empty()).then_some((out, names))
}

/// ALTER TABLE ... RENAME new_name, which sqlparser reads only with TO or
/// AS, with the TO said.
fn rename_with_to(sql: &str) -> Option<String> {
    use super::lexer::{lex, LexMode};
    let b = sql.as_bytes();
    let tokens = lex(b, LexMode::default()).tokens;
    if !tokens.first().is_some_and(|t| t.is_word(b, "ALTER")) {
        return None;
    }
    let at = tokens.windows(2).find_map(|pair| {
        let bare = pair[0].is_word(b, "RENAME")
            && matches!(
                pair[1].kind,
                super::lexer::Kind::Word | super::lexer::Kind::QuotedIdent
            )
            && !["TO", "AS", "COLUMN", "INDEX", "KEY"]
                .iter()
                .any(|w| pair[1].is_word(b, w));
        bare.then_some(pair[1].start)
    })?;
    let mut out = sql.to_string();
    out.insert_str(at, "TO ");
    Some(out)
}

/// Partitioning in a CREATE TABLE or ALTER TABLE (`PARTITION BY`, `ADD
/// PARTITION`, `REMOVE PARTITIONING`, ...), by name: vdb keeps a table's
/// rows as one. (PARTITION is a reserved word: a column of that name is
/// quoted, and a quoted name is not a word here.)
fn partitioning(sql: &str) -> Option<&'static str> {
    use super::lexer::{depth_at, statement_tokens, LexMode};
    let b = sql.as_bytes();
    let t = statement_tokens(b, LexMode::default());
    let table = t.iter().take(4).any(|x| x.is_word(b, "TABLE"));
    if !table || !(t.first()?.is_word(b, "CREATE") || t.first()?.is_word(b, "ALTER")) {
        return None;
    }
    let at = t.iter().enumerate().position(|(i, x)| {
        (x.is_word(b, "PARTITION") || x.is_word(b, "PARTITIONING")) && depth_at(&t, i) == 0
    })?;
    Some(if t[0].is_word(b, "CREATE") {
        "a partitioned table (PARTITION BY)"
    } else if t
        .get(at.wrapping_sub(1))
        .is_some_and(|x| x.is_word(b, "REMOVE"))
    {
        "ALTER TABLE ... REMOVE PARTITIONING"
    } else {
        "ALTER TABLE ... PARTITION (vdb keeps no partitions)"
    })
}

/// `ALTER TABLE t ..., ENGINE = InnoDB DEFAULT CHARSET = utf8mb4, CONVERT
/// TO CHARACTER SET ...`: the table options (and CONVERT TO, FORCE), which
/// sqlparser does not read, taken out; the rest read as usual, then the
/// options as changes of their own.
fn with_table_options(sql: &str) -> Option<Result<Ddl, Unsupported>> {
    use super::lexer::{name_at, statement_tokens, LexMode};
    let b = sql.as_bytes();
    let mode = LexMode::default();
    // A `;` that ends the statement is no change of its own.
    let t = statement_tokens(b, mode);
    if !(t.first()?.is_word(b, "ALTER") && t.get(1)?.is_word(b, "TABLE")) {
        return None;
    }
    let (schema, name, after) = name_at(b, &t, 2, mode)?;
    let mut options = Vec::new();
    // Byte ranges of the text the options (and a comma each) take.
    let mut cut: Vec<(usize, usize)> = Vec::new();
    let mut i = after;
    let mut item_start = true;
    while i < t.len() {
        if item_start && super::lexer::depth_at(&t, i) == 0 {
            let mut end = i;
            loop {
                match table_option(b, &t, end) {
                    Some(Ok((op, next))) => {
                        options.push(op);
                        end = next;
                    }
                    Some(Err(e)) => return Some(Err(e)),
                    None => break,
                }
            }
            if end > i {
                // Options run together up to the item's end (its comma
                // goes with it; a comma left last is taken off below).
                let (from, to) = match t.get(end) {
                    None => (t[i].start, t[end - 1].end),
                    Some(x) if x.is_punct(b',') => (t[i].start, x.end),
                    Some(_) => {
                        return Some(no(
                            "a table option followed by another change without a comma",
                        ))
                    }
                };
                cut.push((from, to));
                i = end + 1;
                item_start = true;
                continue;
            }
        }
        item_start = t[i].is_punct(b',') && super::lexer::depth_at(&t, i) == 0;
        i += 1;
    }
    if options.is_empty() {
        return None;
    }
    let mut rest = String::with_capacity(sql.len());
    let mut at = 0;
    for (from, to) in &cut {
        rest.push_str(&sql[at..*from]);
        at = *to;
    }
    rest.push_str(&sql[at..]);
    if let Some(last) = statement_tokens(rest.as_bytes(), mode).last() {
        if last.is_punct(b',') {
            rest.truncate(last.start);
        }
    }
    let only = statement_tokens(rest.as_bytes(), mode).len() == after;
    let mut alter = if only {
        AlterTable {
            statement: "ALTER TABLE",
            schema,
            name,
            ops: Vec::new(),
        }
    } else {
        match parse_ddl(&rest) {
            Ok(Ddl::Alter(a)) => a,
            Ok(_) => return Some(no("table options in this statement")),
            Err(e) => return Some(Err(e)),
        }
    };
    alter.ops.extend(options);
    Some(Ok(Ddl::Alter(alter)))
}

/// The table option (or CONVERT TO, FORCE) starting at token `i`, and the
/// token after it; `None` when none starts there.
fn table_option(
    b: &[u8],
    t: &[super::lexer::Token],
    i: usize,
) -> Option<Result<(AlterOp, usize), Unsupported>> {
    use super::lexer::{Kind, LexMode};
    let mode = LexMode::default();
    let word = |j: usize, w: &str| t.get(j).is_some_and(|x| x.is_word(b, w));
    // `[=] value`: the value's token.
    let value_at = |j: usize| -> usize {
        if t.get(j).is_some_and(|x| x.is_punct(b'=')) {
            j + 1
        } else {
            j
        }
    };
    let name = |j: usize| -> Option<String> {
        let x = t.get(j)?;
        match x.kind {
            Kind::Str => {
                Some(String::from_utf8_lossy(&super::lexer::unquote(x.text(b), mode)).into_owned())
            }
            _ => x.name(b, mode),
        }
    };
    let named = |j: usize, make: &dyn Fn(String) -> AlterOp, what: &str| {
        let v = value_at(j);
        Some(match name(v) {
            Some(n) => Ok((make(n), v + 1)),
            None => no(format!("this form of {what} in ALTER TABLE")),
        })
    };
    let charset_words = |j: usize| -> Option<usize> {
        if word(j, "CHARSET") {
            Some(j + 1)
        } else if word(j, "CHARACTER") && word(j + 1, "SET") {
            Some(j + 2)
        } else {
            None
        }
    };
    let first = t.get(i)?;
    if first.kind != Kind::Word {
        return None;
    }
    if word(i, "COMMENT") {
        let v = value_at(i + 1);
        return Some(match t.get(v).filter(|x| x.kind == Kind::Str) {
            Some(x) => Ok((
                AlterOp::TableComment(
                    String::from_utf8_lossy(&super::lexer::unquote(x.text(b), mode)).into_owned(),
                ),
                v + 1,
            )),
            None => no("this form of COMMENT in ALTER TABLE"),
        });
    }
    if word(i, "AUTO_INCREMENT") {
        let v = value_at(i + 1);
        return Some(
            match t
                .get(v)
                .and_then(|x| std::str::from_utf8(x.text(b)).ok()?.parse::<u64>().ok())
            {
                Some(n) => Ok((AlterOp::AutoIncrement(n), v + 1)),
                None => no("this form of AUTO_INCREMENT in ALTER TABLE"),
            },
        );
    }
    if word(i, "ENGINE") {
        return named(i + 1, &AlterOp::Engine, "ENGINE");
    }
    if word(i, "ROW_FORMAT") {
        return named(i + 1, &AlterOp::RowFormat, "ROW_FORMAT");
    }
    if word(i, "FORCE") {
        return Some(Ok((AlterOp::Force, i + 1)));
    }
    if word(i, "RENAME") && (word(i + 1, "INDEX") || word(i + 1, "KEY")) {
        return Some(match (name(i + 2), word(i + 3, "TO"), name(i + 4)) {
            (Some(old), true, Some(new)) => Ok((AlterOp::RenameKey { old, new }, i + 5)),
            _ => no("this form of RENAME INDEX in ALTER TABLE"),
        });
    }
    if word(i, "CONVERT") {
        if !word(i + 1, "TO") {
            return None;
        }
        let Some(j) = charset_words(i + 2) else {
            return Some(no("this form of CONVERT TO in ALTER TABLE"));
        };
        let Some(charset) = name(j) else {
            return Some(no("this form of CONVERT TO in ALTER TABLE"));
        };
        let charset = (!charset.eq_ignore_ascii_case("DEFAULT")).then_some(charset);
        let mut next = j + 1;
        let mut collation = None;
        if word(next, "COLLATE") {
            let v = value_at(next + 1);
            match name(v) {
                Some(c) => collation = Some(c),
                None => return Some(no("this form of CONVERT TO in ALTER TABLE")),
            }
            next = v + 1;
        }
        return Some(Ok((AlterOp::ConvertCharset { charset, collation }, next)));
    }
    if (word(i, "DISABLE") || word(i, "ENABLE")) && word(i + 1, "KEYS") {
        return Some(Ok((AlterOp::Keys, i + 2)));
    }
    if word(i, "ORDER") && word(i + 1, "BY") {
        // Column names, each perhaps ASC or DESC, to the statement's end
        // (anything else is the server's syntax error).
        let mut j = i + 2;
        loop {
            if !t
                .get(j)
                .is_some_and(|x| matches!(x.kind, Kind::Word | Kind::QuotedIdent))
            {
                return Some(no("this form of ORDER BY in ALTER TABLE"));
            }
            j += 1;
            // `t.col` and `db.t.col` name the column too.
            while t.get(j).is_some_and(|x| x.is_punct(b'.'))
                && t.get(j + 1)
                    .is_some_and(|x| matches!(x.kind, Kind::Word | Kind::QuotedIdent))
            {
                j += 2;
            }
            if word(j, "ASC") || word(j, "DESC") {
                j += 1;
            }
            match t.get(j) {
                None => return Some(Ok((AlterOp::OrderBy, j))),
                Some(x) if x.is_punct(b',') => j += 1,
                Some(_) => return Some(no("this form of ORDER BY in ALTER TABLE")),
            }
        }
    }
    if word(i, "ALGORITHM") {
        return named(
            i + 1,
            &|n| AlterOp::Algorithm(n.to_ascii_uppercase()),
            "ALGORITHM",
        );
    }
    if word(i, "LOCK") {
        return named(i + 1, &|n| AlterOp::Lock(n.to_ascii_uppercase()), "LOCK");
    }
    // [DEFAULT] CHARACTER SET / CHARSET / COLLATE [=] name.
    let j = if word(i, "DEFAULT") { i + 1 } else { i };
    if let Some(k) = charset_words(j) {
        return named(
            k,
            &|n| AlterOp::TableCharset {
                charset: Some(n),
                collation: None,
            },
            "CHARACTER SET",
        );
    }
    if word(j, "COLLATE") {
        return named(
            j + 1,
            &|n| AlterOp::TableCharset {
                charset: None,
                collation: Some(n),
            },
            "COLLATE",
        );
    }
    None
}

/// Reads one CREATE TABLE or DROP TABLE statement.
pub fn parse_ddl(sql: &str) -> Result<Ddl, Unsupported> {
    if let Some(what) = partitioning(sql) {
        return no(what);
    }
    if let Some(d) = database_ddl(sql)
        .or_else(|| view_ddl(sql))
        .or_else(|| trigger_ddl(sql))
    {
        return d;
    }
    if let Some(stored) = persistent_as_stored(sql) {
        return parse_ddl(&stored);
    }
    if let Some(with_to) = rename_with_to(sql) {
        return parse_ddl(&with_to);
    }
    if let Some(d) = with_table_options(sql) {
        return d;
    }
    if let Some(spelled) = column_charset_spelled_out(sql) {
        return parse_ddl(&spelled);
    }
    if let Some((blanked, names)) = adds_if_not_exists(sql) {
        let mut ddl = parse_ddl(&blanked)?;
        let named = |n: &str| names.iter().any(|m| m.eq_ignore_ascii_case(n));
        if let Ddl::Alter(a) = &mut ddl {
            for op in &mut a.ops {
                match op {
                    AlterOp::AddCheck {
                        name: Some(n),
                        if_not_exists,
                        ..
                    } => *if_not_exists |= named(n),
                    AlterOp::AddColumn {
                        column,
                        if_not_exists,
                        ..
                    } => *if_not_exists |= named(&column.name),
                    _ => {}
                }
            }
        }
        return Ok(ddl);
    }
    let (blanked, zerofill) = zerofill_columns(sql);
    if !zerofill.is_empty() {
        let mut ddl = parse_ddl(&blanked)?;
        let Ddl::Create(c) = &mut ddl else {
            return no("ZEROFILL outside CREATE TABLE");
        };
        for name in &zerofill {
            let Some(col) = c
                .columns
                .iter_mut()
                .find(|k| k.name.eq_ignore_ascii_case(name))
            else {
                return no("this ZEROFILL column");
            };
            if !matches!(
                col.data_type.as_str(),
                "tinyint"
                    | "smallint"
                    | "mediumint"
                    | "int"
                    | "bigint"
                    | "decimal"
                    | "float"
                    | "double"
            ) {
                return no("ZEROFILL on a column that is not a number");
            }
            col.column_type.push_str(" zerofill");
        }
        return Ok(ddl);
    }
    if let Some((word, replace)) = ctas_duplicates(sql) {
        let mut blanked = sql.to_string();
        blanked.replace_range(word.clone(), &" ".repeat(word.len()));
        let mut ddl = parse_ddl(&blanked)?;
        let Ddl::Create(c) = &mut ddl else {
            return no("IGNORE/REPLACE outside CREATE TABLE ... SELECT");
        };
        c.duplicates = Some(if replace {
            Duplicates::Replace
        } else {
            Duplicates::Ignore
        });
        return Ok(ddl);
    }
    let options = ParserOptions::new().with_unescape(false);
    let statements = Parser::new(&MySqlDialect {})
        .with_options(options)
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_statements())
        .map_err(|e| Unsupported(format!("this DDL (vdb cannot analyse it: {e})")))?;
    let [statement] = statements.as_slice() else {
        return no("DDL in a multi-statement text");
    };
    match statement {
        Statement::CreateTable(ct) => {
            let mut c = create(ct)?;
            if ct.query.is_some() {
                c.select = Some(ctas_select(sql)?);
            }
            Ok(Ddl::Create(Box::new(c)))
        }
        Statement::Drop {
            object_type: sqlparser::ast::ObjectType::Table,
            if_exists,
            names,
            temporary: false,
            ..
        } => Ok(Ddl::Drop(DropTable {
            if_exists: *if_exists,
            tables: names.iter().map(name_parts).collect::<Result<_, _>>()?,
        })),
        Statement::Drop {
            temporary: true, ..
        } => no("DROP TEMPORARY TABLE"),
        Statement::Drop {
            object_type: sqlparser::ast::ObjectType::Index,
            names,
            table: Some(table),
            ..
        } => {
            let [index] = names.as_slice() else {
                return no("DROP INDEX of several indexes");
            };
            let (schema, name) = name_parts(table)?;
            Ok(Ddl::Alter(AlterTable {
                statement: "DROP INDEX",
                schema,
                name,
                ops: vec![drop_key(&name_parts(index)?.1)],
            }))
        }
        Statement::CreateIndex(ci) => {
            let (schema, name) = name_parts(&ci.table_name)?;
            if ci.predicate.is_some() || !ci.include.is_empty() || ci.if_not_exists {
                return no("this form of CREATE INDEX");
            }
            let index = match &ci.name {
                Some(n) => name_parts(n)?.1,
                None => return no("CREATE INDEX without a name"),
            };
            let options = key_options(&ci.using, &ci.index_options)?;
            Ok(Ddl::Alter(AlterTable {
                statement: "CREATE INDEX",
                schema,
                name,
                ops: vec![AlterOp::AddKey {
                    kind: if ci.unique {
                        KeyKind::Unique
                    } else {
                        KeyKind::Index
                    },
                    name: Some(index),
                    columns: key_columns(&ci.columns)?,
                    options,
                }],
            }))
        }
        Statement::AlterTable(at) => alter(at).map(Ddl::Alter),
        Statement::RenameTable(pairs) => Ok(Ddl::Rename(
            pairs
                .iter()
                .map(|p| Ok((name_parts(&p.old_name)?, name_parts(&p.new_name)?)))
                .collect::<Result<_, Unsupported>>()?,
        )),
        Statement::Truncate(t) => {
            let [target] = t.table_names.as_slice() else {
                return no("TRUNCATE of several tables");
            };
            if t.partitions.is_some() {
                return no("TRUNCATE of partitions");
            }
            Ok(Ddl::Truncate(name_parts(&target.name)?))
        }
        _ => no("this DDL statement"),
    }
}

fn fk_spec(fk: &sqlparser::ast::ForeignKeyConstraint) -> Result<FkSpec, Unsupported> {
    if fk.match_kind.is_some() || fk.characteristics.is_some() {
        return no("a FOREIGN KEY with MATCH or deferrable characteristics");
    }
    let action =
        |a: &Option<sqlparser::ast::ReferentialAction>| -> Result<Option<String>, Unsupported> {
            use sqlparser::ast::ReferentialAction as A;
            Ok(match a {
                None => None,
                Some(A::Cascade) => Some("CASCADE".into()),
                Some(A::SetNull) => Some("SET NULL".into()),
                Some(A::Restrict) => Some("RESTRICT".into()),
                Some(A::NoAction) => Some("NO ACTION".into()),
                Some(A::SetDefault) => return no("ON DELETE/UPDATE SET DEFAULT"),
            })
        };
    Ok(FkSpec {
        name: fk.name.as_ref().map(|n| n.value.clone()),
        columns: fk.columns.iter().map(|c| c.value.clone()).collect(),
        parent: name_parts(&fk.foreign_table)?,
        parent_columns: fk
            .referred_columns
            .iter()
            .map(|c| c.value.clone())
            .collect(),
        on_delete: action(&fk.on_delete)?,
        on_update: action(&fk.on_update)?,
    })
}

/// `base`, or `base_2`, `base_3` ... : the first name `taken` does not
/// hold, as MariaDB names a second unnamed key on the same column.
pub fn free_name(base: &str, taken: impl Fn(&str) -> bool) -> String {
    let mut name = base.to_string();
    let mut n = 2;
    while taken(&name) {
        name = format!("{base}_{n}");
        n += 1;
    }
    name
}

fn drop_key(name: &str) -> AlterOp {
    if name.eq_ignore_ascii_case("PRIMARY") {
        AlterOp::DropPrimaryKey
    } else {
        AlterOp::DropKey(name.to_string())
    }
}

fn key_columns(cols: &[sqlparser::ast::IndexColumn]) -> Result<Vec<String>, Unsupported> {
    cols.iter()
        .map(|ic| match &ic.column.expr {
            _ if matches!(
                ic.column.options.sort,
                Some(sqlparser::ast::OrderBySort::Desc)
            ) =>
            {
                no(format!("a key part {} DESC", ic.column.expr))
            }
            Expr::Identifier(i) => Ok(i.value.clone()),
            other => no(format!("a key on {other}")),
        })
        .collect()
}

/// A key's USING and COMMENT. USING other than BTREE (InnoDB's own,
/// which changes nothing but the printed text) is refused: InnoDB makes a
/// BTREE of a HASH index and prints neither, which vdb does not follow.
fn key_options(
    using: &Option<sqlparser::ast::IndexType>,
    options: &[sqlparser::ast::IndexOption],
) -> Result<KeyOptions, Unsupported> {
    use sqlparser::ast::{IndexOption, IndexType};
    let mut out = KeyOptions::default();
    let usings = using.iter().chain(options.iter().filter_map(|o| match o {
        IndexOption::Using(t) => Some(t),
        IndexOption::Comment(_) => None,
    }));
    for t in usings {
        if !matches!(t, IndexType::BTree) {
            return no(format!("an index USING {t}"));
        }
        out.btree = true;
    }
    for o in options {
        if let IndexOption::Comment(c) = o {
            out.comment = string_value(c);
        }
    }
    Ok(out)
}

fn position(p: &Option<sqlparser::ast::MySQLColumnPosition>) -> Position {
    match p {
        None => Position::Default,
        Some(sqlparser::ast::MySQLColumnPosition::First) => Position::First,
        Some(sqlparser::ast::MySQLColumnPosition::After(c)) => Position::After(c.value.clone()),
    }
}

fn alter(at: &sqlparser::ast::AlterTable) -> Result<AlterTable, Unsupported> {
    use sqlparser::ast::{AlterColumnOperation, AlterTableOperation as Op};
    let (schema, name) = name_parts(&at.name)?;
    let mut ops = Vec::with_capacity(at.operations.len());
    for op in &at.operations {
        // DROP COLUMN a, b: one change per column, in order.
        let mut more = Vec::new();
        let one = match op {
            Op::AddColumn {
                if_not_exists,
                column_def,
                column_position,
                ..
            } => {
                let (column, key) = column_spec(
                    &column_def.name.value,
                    &column_def.data_type,
                    &column_def.options,
                )?;
                AlterOp::AddColumn {
                    column,
                    if_not_exists: *if_not_exists,
                    position: position(column_position),
                    key,
                }
            }
            Op::DropColumn {
                column_names,
                if_exists,
                ..
            } => {
                for c in &column_names[1..] {
                    more.push(AlterOp::DropColumn {
                        name: c.value.clone(),
                        if_exists: *if_exists,
                    });
                }
                AlterOp::DropColumn {
                    name: column_names[0].value.clone(),
                    if_exists: *if_exists,
                }
            }
            Op::RenameColumn {
                old_column_name,
                new_column_name,
            } => AlterOp::RenameColumn {
                old: old_column_name.value.clone(),
                new: new_column_name.value.clone(),
            },
            Op::ChangeColumn {
                old_name,
                new_name,
                data_type,
                options,
                column_position,
            } => {
                let (column, key) = changed_column(&new_name.value, data_type, options)?;
                AlterOp::ChangeColumn {
                    old: old_name.value.clone(),
                    column,
                    position: position(column_position),
                    key,
                }
            }
            Op::ModifyColumn {
                col_name,
                data_type,
                options,
                column_position,
            } => {
                let (column, key) = changed_column(&col_name.value, data_type, options)?;
                AlterOp::ChangeColumn {
                    old: col_name.value.clone(),
                    column,
                    position: position(column_position),
                    key,
                }
            }
            Op::AlterColumn { column_name, op } => match op {
                AlterColumnOperation::SetDefault { value } => AlterOp::SetDefault {
                    column: column_name.value.clone(),
                    default: Some(default_expr(value)),
                },
                AlterColumnOperation::DropDefault => AlterOp::SetDefault {
                    column: column_name.value.clone(),
                    default: None,
                },
                other => return no(format!("ALTER TABLE ... ALTER COLUMN {other}")),
            },
            Op::AddConstraint { constraint, .. } => match constraint {
                TableConstraint::PrimaryKey(p) => AlterOp::AddKey {
                    kind: KeyKind::Primary,
                    name: None,
                    columns: key_columns(&p.columns)?,
                    options: key_options(&p.index_type, &p.index_options)?,
                },
                TableConstraint::Unique(u) => AlterOp::AddKey {
                    kind: KeyKind::Unique,
                    name: u
                        .index_name
                        .as_ref()
                        .or(u.name.as_ref())
                        .map(|i| i.value.clone()),
                    columns: key_columns(&u.columns)?,
                    options: key_options(&u.index_type, &u.index_options)?,
                },
                TableConstraint::Index(ix) => AlterOp::AddKey {
                    kind: KeyKind::Index,
                    name: ix.name.as_ref().map(|i| i.value.clone()),
                    columns: key_columns(&ix.columns)?,
                    options: key_options(&ix.index_type, &ix.index_options)?,
                },
                TableConstraint::ForeignKey(fk) => AlterOp::AddForeignKey(fk_spec(fk)?),
                TableConstraint::Check(c) if c.enforced != Some(false) => AlterOp::AddCheck {
                    name: c.name.as_ref().map(|n| n.value.clone()),
                    clause: c.expr.to_string(),
                    if_not_exists: false,
                },
                other => return no(format!("ALTER TABLE ... ADD {other}")),
            },
            Op::DropConstraint {
                if_exists,
                name,
                drop_behavior: None,
            } => AlterOp::DropConstraint {
                name: name.value.clone(),
                if_exists: *if_exists,
            },
            Op::DropIndex { name } => drop_key(&name.value),
            Op::DropPrimaryKey { .. } => AlterOp::DropPrimaryKey,
            Op::DropForeignKey { name, .. } => AlterOp::DropForeignKey(name.value.clone()),
            Op::RenameTable { table_name } => {
                let (sqlparser::ast::RenameTableNameKind::As(n)
                | sqlparser::ast::RenameTableNameKind::To(n)) = table_name;
                AlterOp::RenameTable(name_parts(n)?)
            }
            other => return no(format!("ALTER TABLE ... {other}")),
        };
        ops.push(one);
        ops.append(&mut more);
    }
    if ops.is_empty() {
        return no("ALTER TABLE with table options only");
    }
    Ok(AlterTable {
        statement: "ALTER TABLE",
        schema,
        name,
        ops,
    })
}

/// The value of a string literal sqlparser gives as written between its
/// single quotes (it is not unescaped: `it''s`, `a\\b`).
fn string_value(written: &str) -> String {
    let quoted = format!("'{written}'");
    String::from_utf8_lossy(&super::lexer::unquote(
        quoted.as_bytes(),
        super::lexer::LexMode::default(),
    ))
    .into_owned()
}

/// A column definition as CREATE TABLE and ALTER TABLE write it, and an
/// inline PRIMARY KEY or UNIQUE.
fn column_spec(
    name: &str,
    data_type: &sqlparser::ast::DataType,
    options: &[sqlparser::ast::ColumnOptionDef],
) -> Result<(ColumnSpec, Option<KeyKind>), Unsupported> {
    column_spec_of(name, data_type, options.iter().map(|o| &o.option))
}

/// The new definition of a column CHANGE or MODIFY gives (its own CHECK,
/// if any, replaces the old column's).
fn changed_column(
    name: &str,
    data_type: &sqlparser::ast::DataType,
    options: &[ColumnOption],
) -> Result<(ColumnSpec, Option<KeyKind>), Unsupported> {
    column_spec_of(name, data_type, options.iter())
}

fn column_spec_of<'o>(
    name: &str,
    data_type: &sqlparser::ast::DataType,
    options: impl Iterator<Item = &'o ColumnOption>,
) -> Result<(ColumnSpec, Option<KeyKind>), Unsupported> {
    let (data_type, column_type) = column_type(&data_type.to_string())?;
    let mut col = ColumnSpec {
        name: name.to_string(),
        data_type,
        column_type,
        nullable: true,
        default: None,
        auto_increment: false,
        charset: None,
        collation: None,
        check: None,
        generated: None,
        comment: None,
        on_update: None,
    };
    let mut key = None;
    for o in options {
        match o {
            ColumnOption::Null => col.nullable = true,
            ColumnOption::NotNull => col.nullable = false,
            ColumnOption::Default(e) => col.default = Some(default_expr(e)),
            ColumnOption::PrimaryKey(_) => {
                if key.replace(KeyKind::Primary).is_some() {
                    return no("a column with two key options");
                }
            }
            ColumnOption::Unique(_) => {
                if key.replace(KeyKind::Unique).is_some() {
                    return no("a column with two key options");
                }
            }
            // Either may be written as a string: COLLATE 'utf8mb4_bin'.
            ColumnOption::CharacterSet(cs) => {
                col.charset = Some(cs.to_string().trim_matches(['\'', '"']).to_string())
            }
            ColumnOption::Collation(co) => {
                col.collation = Some(co.to_string().trim_matches(['\'', '"']).to_string())
            }
            ColumnOption::Comment(c) => col.comment = Some(string_value(c)),
            ColumnOption::OnUpdate(e) => {
                let now = default_expr(e);
                if !now.starts_with("current_timestamp(") {
                    return no(format!("ON UPDATE {e}"));
                }
                col.on_update = Some(now)
            }
            ColumnOption::Check(c) if c.enforced != Some(false) && col.check.is_none() => {
                col.check = Some(c.expr.to_string())
            }
            ColumnOption::DialectSpecific(tokens)
                if tokens.len() == 1
                    && tokens[0].to_string().eq_ignore_ascii_case("AUTO_INCREMENT") =>
            {
                col.auto_increment = true
            }
            ColumnOption::Generated {
                generated_as: GeneratedAs::Always | GeneratedAs::ExpStored,
                sequence_options: None,
                generation_expr: Some(e),
                generation_expr_mode,
                ..
            } if col.generated.is_none() => {
                col.generated = Some((
                    e.to_string(),
                    *generation_expr_mode == Some(GeneratedExpressionMode::Stored),
                ))
            }
            other => return no(format!("a column defined with {other}")),
        }
    }
    // The server's grammar has no NOT NULL, DEFAULT, AUTO_INCREMENT or
    // PRIMARY KEY for a generated column: the caller asks the source for
    // its syntax error.
    if col.generated.is_some()
        && (!col.nullable
            || col.default.is_some()
            || col.auto_increment
            || key == Some(KeyKind::Primary))
    {
        return no("a generated column with NOT NULL, DEFAULT, AUTO_INCREMENT or PRIMARY KEY");
    }
    if col.data_type == "json" {
        // MariaDB's JSON is LONGTEXT in utf8mb4_bin with a CHECK (the
        // column's own, when it has one).
        if col.charset.is_some() || col.collation.is_some() {
            return no("a JSON column with a character set");
        }
        col.data_type = "longtext".into();
        col.column_type = "longtext".into();
        col.charset = Some("utf8mb4".into());
        col.collation = Some("utf8mb4_bin".into());
        if col.check.is_none() {
            col.check = Some(format!("json_valid({})", super::rewrite::quote_ident(name)));
        }
    }
    Ok((col, key))
}

fn create(ct: &sqlparser::ast::CreateTable) -> Result<CreateTable, Unsupported> {
    if ct.temporary {
        return no("CREATE TEMPORARY TABLE");
    }
    if ct.or_replace {
        return no("CREATE OR REPLACE TABLE");
    }
    let (schema, name) = name_parts(&ct.name)?;
    let mut out = CreateTable {
        schema,
        name,
        if_not_exists: ct.if_not_exists,
        like: None,
        columns: Vec::new(),
        keys: Vec::new(),
        indexes: Vec::new(),
        foreign_keys: Vec::new(),
        charset: None,
        collation: None,
        auto_increment: None,
        select: None,
        duplicates: None,
        checks: Vec::new(),
        comment: ct.comment.as_ref().map(|c| string_value(&c.to_string())),
        row_format: None,
    };
    if let Some(like) = &ct.like {
        let like = match like {
            CreateTableLikeKind::Plain(l) | CreateTableLikeKind::Parenthesized(l) => l,
        };
        out.like = Some(name_parts(&like.name)?);
        return Ok(out);
    }
    let mut primary: Option<(Vec<String>, KeyOptions)> = None;
    let mut uniques: Vec<KeySpec> = Vec::new();
    let mut indexes: Vec<KeySpec> = Vec::new();
    for c in &ct.columns {
        let (col, key) = column_spec(&c.name.value, &c.data_type, &c.options)?;
        match key {
            Some(KeyKind::Primary)
                if primary
                    .replace((vec![col.name.clone()], KeyOptions::default()))
                    .is_some() =>
            {
                return no("a CREATE TABLE with two primary keys");
            }
            Some(KeyKind::Unique) => uniques.push(KeySpec {
                name: col.name.clone(),
                columns: vec![col.name.clone()],
                options: KeyOptions::default(),
            }),
            _ => {}
        }
        out.columns.push(col);
    }
    for c in &ct.constraints {
        let columns_of = key_columns;
        match c {
            TableConstraint::PrimaryKey(p) => {
                let options = key_options(&p.index_type, &p.index_options)?;
                if primary
                    .replace((columns_of(&p.columns)?, options))
                    .is_some()
                {
                    return no("a CREATE TABLE with two primary keys");
                }
            }
            TableConstraint::Unique(u) => {
                let options = key_options(&u.index_type, &u.index_options)?;
                let columns = columns_of(&u.columns)?;
                let name = u
                    .index_name
                    .as_ref()
                    .or(u.name.as_ref())
                    .map(|i| i.value.clone())
                    .unwrap_or_else(|| columns[0].clone());
                uniques.push(KeySpec {
                    name,
                    columns,
                    options,
                });
            }
            TableConstraint::Index(ix) => {
                let options = key_options(&ix.index_type, &ix.index_options)?;
                let columns = columns_of(&ix.columns)?;
                let name = ix
                    .name
                    .as_ref()
                    .map(|i| i.value.clone())
                    .unwrap_or_else(|| columns[0].clone());
                indexes.push(KeySpec {
                    name,
                    columns,
                    options,
                });
            }
            TableConstraint::ForeignKey(fk) => out.foreign_keys.push(fk_spec(fk)?),
            TableConstraint::Check(c) if c.enforced != Some(false) => out
                .checks
                .push((c.name.as_ref().map(|n| n.value.clone()), c.expr.to_string())),
            TableConstraint::Check(_) => return no("CHECK ... NOT ENFORCED"),
            TableConstraint::FulltextOrSpatial(_) => {
                return no("a FULLTEXT or SPATIAL index in CREATE TABLE")
            }
            other => return no(format!("the table constraint {other}")),
        }
    }
    // Key columns that do not exist are the executor's 1072.
    if let Some((cols, options)) = primary {
        for c in &cols {
            if let Some(col) = out
                .columns
                .iter_mut()
                .find(|col| col.name.eq_ignore_ascii_case(c))
            {
                col.nullable = false;
            }
        }
        out.keys.push(KeySpec {
            name: "PRIMARY".into(),
            columns: cols,
            options,
        });
    }
    let unique_name = |taken: &[&KeySpec], k: &mut KeySpec| {
        k.name = free_name(&k.name, |n| {
            taken.iter().any(|e| e.name.eq_ignore_ascii_case(n))
        });
    };
    for mut k in uniques {
        unique_name(&out.keys.iter().collect::<Vec<_>>(), &mut k);
        out.keys.push(k);
    }
    for mut k in indexes {
        unique_name(
            &out.keys.iter().chain(&out.indexes).collect::<Vec<_>>(),
            &mut k,
        );
        out.indexes.push(k);
    }
    if let sqlparser::ast::CreateTableOptions::Plain(opts) = &ct.table_options {
        for o in opts {
            if let SqlOption::Comment(c) = o {
                out.comment = Some(string_value(&c.to_string()));
            }
            // Every table vdb holds behaves as InnoDB's do.
            if let SqlOption::NamedParenthesizedList(l) = o {
                let engine = l.name.as_ref().map(|n| n.value.as_str()).unwrap_or("");
                if !l.key.value.eq_ignore_ascii_case("ENGINE")
                    || !engine.eq_ignore_ascii_case("InnoDB")
                    || !l.values.is_empty()
                {
                    return no(format!("a table with {o}"));
                }
            }
            let SqlOption::KeyValue { key, value } = o else {
                continue;
            };
            let written = value.to_string().trim_matches('\'').to_string();
            let v = written.to_lowercase();
            match key.value.to_ascii_uppercase().as_str() {
                "DEFAULT CHARSET" | "CHARSET" | "DEFAULT CHARACTER SET" | "CHARACTER SET" => {
                    out.charset = Some(written)
                }
                "COLLATE" | "DEFAULT COLLATE" => out.collation = Some(written),
                "AUTO_INCREMENT" => out.auto_increment = v.parse().ok(),
                "ROW_FORMAT"
                    if ["default", "dynamic", "compact", "redundant", "compressed"]
                        .contains(&v.as_str()) =>
                {
                    out.row_format = (v != "default").then(|| v.to_ascii_uppercase())
                }
                other => return no(format!("the table option {other}")),
            }
        }
    }
    Ok(out)
}

/// A DEFAULT as MariaDB's COLUMN_DEFAULT writes it.
fn default_expr(e: &Expr) -> String {
    let text = e.to_string();
    let upper = text.to_ascii_uppercase();
    for now in ["CURRENT_TIMESTAMP", "NOW", "LOCALTIMESTAMP", "LOCALTIME"] {
        if upper == now || upper.starts_with(&format!("{now}(")) {
            let args = upper.trim_start_matches(now);
            let args = if args.is_empty() { "()" } else { args };
            return format!("current_timestamp{args}");
        }
    }
    if upper == "TRUE" {
        return "1".into();
    }
    if upper == "FALSE" {
        return "0".into();
    }
    text
}

/// (DATA_TYPE, COLUMN_TYPE) for a type as sqlparser prints it
/// (`INT UNSIGNED`, `VARCHAR(50)`, `ENUM('a', 'b')`).
pub fn column_type(printed: &str) -> Result<(String, String), Unsupported> {
    let upper = printed.trim().to_ascii_uppercase();
    let (head, args, tail) = match (upper.find('('), upper.rfind(')')) {
        (Some(a), Some(b)) if b > a => (
            upper[..a].trim().to_string(),
            Some(printed.trim()[a + 1..b].to_string()),
            upper[b + 1..].trim().to_string(),
        ),
        _ => {
            let mut words = upper.split_whitespace();
            let mut head = words.next().unwrap_or_default().to_string();
            let mut rest: Vec<&str> = words.collect();
            if head == "DOUBLE" && rest.first() == Some(&"PRECISION") {
                rest.remove(0);
                head = "DOUBLE".into();
            }
            (head, None, rest.join(" "))
        }
    };
    let unsigned = tail.split_whitespace().any(|w| w == "UNSIGNED");
    if tail.split_whitespace().any(|w| w == "ZEROFILL") {
        return no("a ZEROFILL column in CREATE TABLE");
    }
    let sign = if unsigned { " unsigned" } else { "" };
    let int = |name: &str, width: u32| -> (String, String) {
        let w = match &args {
            Some(a) => a.trim().to_string(),
            None => (if unsigned { width - 1 } else { width }).to_string(),
        };
        let w = if name == "bigint" && args.is_none() {
            "20".to_string()
        } else {
            w
        };
        (name.to_string(), format!("{name}({w}){sign}"))
    };
    let plain = |name: &str| (name.to_string(), name.to_string());
    let sized = |name: &str, default: &str| {
        let a = args.clone().unwrap_or_else(|| default.to_string());
        (name.to_string(), format!("{name}({})", a.replace(' ', "")))
    };
    Ok(match head.as_str() {
        "TINYINT" => int("tinyint", 4),
        "SMALLINT" => int("smallint", 6),
        "MEDIUMINT" => int("mediumint", 9),
        "INT" | "INTEGER" => int("int", 11),
        "BIGINT" => int("bigint", 20),
        "BOOL" | "BOOLEAN" => ("tinyint".into(), "tinyint(1)".into()),
        "DECIMAL" | "NUMERIC" | "DEC" | "FIXED" => {
            let a = args.clone().unwrap_or_else(|| "10".into()).replace(' ', "");
            let a = if a.contains(',') { a } else { format!("{a},0") };
            ("decimal".into(), format!("decimal({a}){sign}"))
        }
        "FLOAT" | "DOUBLE" | "REAL" => {
            let name = if head == "FLOAT" { "float" } else { "double" };
            match &args {
                Some(a) if a.contains(',') => {
                    (name.into(), format!("{name}({}){sign}", a.replace(' ', "")))
                }
                Some(_) => return no(format!("a {printed} column")),
                None => (name.into(), format!("{name}{sign}")),
            }
        }
        "CHAR" | "CHARACTER" => sized("char", "1"),
        "VARCHAR" | "CHARACTER VARYING" => match &args {
            Some(_) => sized("varchar", ""),
            None => return no("VARCHAR without a length"),
        },
        "BINARY" => sized("binary", "1"),
        "VARBINARY" => match &args {
            Some(_) => sized("varbinary", ""),
            None => return no("VARBINARY without a length"),
        },
        "TINYTEXT" | "TEXT" | "MEDIUMTEXT" | "LONGTEXT" | "TINYBLOB" | "BLOB" | "MEDIUMBLOB"
        | "LONGBLOB"
            if args.is_none() =>
        {
            plain(&head.to_ascii_lowercase())
        }
        "DATE" => plain("date"),
        "DATETIME" | "TIMESTAMP" | "TIME" => match &args {
            Some(a) if a.trim() != "0" => sized(&head.to_ascii_lowercase(), ""),
            _ => plain(&head.to_ascii_lowercase()),
        },
        "YEAR" => ("year".into(), "year(4)".into()),
        "BIT" => sized("bit", "1"),
        "JSON" => ("json".into(), "json".into()),
        "ENUM" | "SET" => {
            let labels = args.clone().unwrap_or_default();
            let name = head.to_ascii_lowercase();
            // sqlparser prints `'a', 'b'`; information_schema writes `'a','b'`.
            let mut out = String::new();
            let mut in_str = false;
            let mut chars = labels.chars().peekable();
            while let Some(ch) = chars.next() {
                if ch == '\'' {
                    if in_str && chars.peek() == Some(&'\'') {
                        out.push_str("''");
                        chars.next();
                        continue;
                    }
                    in_str = !in_str;
                    out.push(ch);
                } else if in_str || !ch.is_whitespace() {
                    out.push(ch);
                }
            }
            (name.clone(), format!("{name}({out})"))
        }
        _ => return no(format!("a column of type {printed}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_and_drop_view_are_read_with_the_select_as_written() {
        let Ok(Ddl::CreateView(v)) = parse_ddl(
            "CREATE OR REPLACE ALGORITHM = MERGE SQL SECURITY INVOKER VIEW shop.`big one` (a, `b c`) AS SELECT x, y FROM t WHERE x > 1 WITH LOCAL CHECK OPTION;",
        ) else {
            panic!("not a view");
        };
        assert!(v.or_replace);
        assert_eq!(v.name, (Some("shop".into()), "big one".into()));
        assert_eq!(v.columns, vec!["a", "b c"]);
        assert_eq!(v.body, "SELECT x, y FROM t WHERE x > 1");
        assert_eq!(
            (
                v.algorithm.as_str(),
                v.security.as_str(),
                v.check_option.as_str()
            ),
            ("MERGE", "INVOKER", "LOCAL")
        );
        let Ok(Ddl::CreateView(v)) =
            parse_ddl("create view v as (select 1) union (select 2) with check option")
        else {
            panic!("not a view");
        };
        assert_eq!(v.body, "(select 1) union (select 2)");
        assert_eq!(v.check_option, "CASCADED");
        assert_eq!(
            parse_ddl("DROP VIEW IF EXISTS a, d.b"),
            Ok(Ddl::DropView {
                if_exists: true,
                views: vec![(None, "a".into()), (Some("d".into()), "b".into())]
            })
        );
        let Ok(Ddl::CreateView(v)) = parse_ddl("CREATE DEFINER = 'app'@'%' VIEW v AS SELECT 1")
        else {
            panic!("not a view");
        };
        assert_eq!(v.definer.as_deref(), Some("app@%"));
        assert!(matches!(
            parse_ddl("CREATE DEFINER=CURRENT_USER() VIEW v AS SELECT 1"),
            Ok(Ddl::CreateView(CreateView { definer: None, .. }))
        ));
    }

    #[test]
    fn create_and_drop_database_are_read_with_their_options() {
        let c = |sql: &str| match parse_ddl(sql) {
            Ok(Ddl::CreateDatabase(c)) => c,
            other => panic!("{sql}: {other:?}"),
        };
        let plain = c("CREATE DATABASE test_app");
        assert_eq!(plain.name, "test_app");
        assert!(!plain.if_not_exists);
        assert_eq!((plain.charset, plain.collation), (None, None));
        let full = c(
            "create schema if not exists `my db` DEFAULT CHARACTER SET = UTF8MB4 collate 'utf8mb4_bin';",
        );
        assert_eq!(full.name, "my db");
        assert!(full.if_not_exists);
        // As written: the server's errors quote names so.
        assert_eq!(full.charset.as_deref(), Some("UTF8MB4"));
        assert_eq!(full.collation.as_deref(), Some("utf8mb4_bin"));
        assert_eq!(
            c("CREATE DATABASE d CHARSET latin1").charset.as_deref(),
            Some("latin1")
        );
        assert_eq!(
            parse_ddl("DROP SCHEMA IF EXISTS `x`"),
            Ok(Ddl::DropDatabase {
                name: "x".into(),
                if_exists: true
            })
        );
        assert_eq!(
            parse_ddl("drop database y"),
            Ok(Ddl::DropDatabase {
                name: "y".into(),
                if_exists: false
            })
        );
        assert_eq!(
            c("CREATE DATABASE d COMMENT = 'it''s' CHARSET latin1")
                .comment
                .as_deref(),
            Some("it's")
        );
        assert!(parse_ddl("CREATE DATABASE d COMMENT x").is_err());
        assert_eq!(
            parse_ddl("ALTER DATABASE d UPGRADE DATA DIRECTORY NAME"),
            Ok(Ddl::UpgradeDatabaseName("d".into()))
        );
        assert!(parse_ddl("ALTER DATABASE UPGRADE DATA DIRECTORY NAME").is_err());
        assert!(parse_ddl("CREATE DATABASE d CHARSET a CHARSET b").is_err());
        assert!(parse_ddl("DROP DATABASE").is_err());
    }

    #[test]
    fn column_types_are_written_as_information_schema_writes_them() {
        for (printed, want) in [
            ("INT", "int(11)"),
            ("INT UNSIGNED", "int(10) unsigned"),
            ("TINYINT(1)", "tinyint(1)"),
            ("BIGINT UNSIGNED", "bigint(20) unsigned"),
            ("BOOLEAN", "tinyint(1)"),
            ("DECIMAL(10,2)", "decimal(10,2)"),
            ("DECIMAL", "decimal(10,0)"),
            ("NUMERIC(5)", "decimal(5,0)"),
            ("VARCHAR(50)", "varchar(50)"),
            ("CHAR", "char(1)"),
            ("DATETIME(3)", "datetime(3)"),
            ("TIMESTAMP", "timestamp"),
            ("DOUBLE", "double"),
            ("YEAR", "year(4)"),
            ("ENUM('a', 'b c', 'it''s')", "enum('a','b c','it''s')"),
            ("LONGBLOB", "longblob"),
            ("BIT(3)", "bit(3)"),
        ] {
            assert_eq!(column_type(printed).unwrap().1, want, "{printed}");
        }
        assert!(column_type("GEOMETRY").is_err());
    }

    #[test]
    fn a_columns_charset_is_read_as_its_character_set_and_names_stay_as_written() {
        let Ddl::Create(c) = parse_ddl(
            "CREATE TABLE t (a VARCHAR(3) CHARSET Utf8 COLLATE UTF8_BIN, \
             b INT CHECK (CHARSET(a) <> 'x')) CHARSET latin1",
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(c.columns[0].charset.as_deref(), Some("Utf8"));
        assert_eq!(c.columns[0].collation.as_deref(), Some("UTF8_BIN"));
        assert_eq!(c.charset.as_deref(), Some("latin1"));
        assert!(c.columns[1]
            .check
            .as_deref()
            .unwrap()
            .contains("CHARSET(a)"));
        let Ddl::Alter(a) =
            parse_ddl("ALTER TABLE t ADD b TEXT CHARSET utf8mb4, DEFAULT CHARSET utf8").unwrap()
        else {
            panic!()
        };
        assert!(
            matches!(&a.ops[0], AlterOp::AddColumn { column, .. } if column.charset.as_deref() == Some("utf8mb4"))
        );
        assert!(
            matches!(&a.ops[1], AlterOp::TableCharset { charset: Some(cs), .. } if cs == "utf8")
        );
    }

    #[test]
    fn create_and_drop_table_are_read() {
        let Ddl::Create(c) = parse_ddl(
            "CREATE TABLE IF NOT EXISTS d.t (id INT UNSIGNED NOT NULL AUTO_INCREMENT, \
             email VARCHAR(50) COLLATE utf8mb4_bin NOT NULL DEFAULT 'x''y', at DATETIME DEFAULT CURRENT_TIMESTAMP, \
             PRIMARY KEY (id), UNIQUE KEY (email), UNIQUE (email), KEY k (at)) DEFAULT CHARSET=utf8mb4 AUTO_INCREMENT=7",
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!((c.schema.as_deref(), c.name.as_str()), (Some("d"), "t"));
        assert!(c.if_not_exists);
        assert_eq!(c.columns[0].column_type, "int(10) unsigned");
        assert!(c.columns[0].auto_increment && !c.columns[0].nullable);
        assert_eq!(c.columns[1].default.as_deref(), Some("'x''y'"));
        assert_eq!(c.columns[1].collation.as_deref(), Some("utf8mb4_bin"));
        assert_eq!(c.columns[2].default.as_deref(), Some("current_timestamp()"));
        let names: Vec<&str> = c.keys.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(names, ["PRIMARY", "email", "email_2"]);
        assert_eq!(
            (c.charset.as_deref(), c.auto_increment),
            (Some("utf8mb4"), Some(7))
        );
        assert_eq!(
            parse_ddl("DROP TABLE IF EXISTS a, d.b").unwrap(),
            Ddl::Drop(DropTable {
                if_exists: true,
                tables: vec![(None, "a".into()), (Some("d".into()), "b".into())],
            })
        );
        for (sql, named) in [
            ("CREATE TEMPORARY TABLE t (a INT)", "CREATE TEMPORARY TABLE"),
            (
                "CREATE TABLE t (a INT, FOREIGN KEY (a) REFERENCES p (id) ON DELETE SET DEFAULT)",
                "SET DEFAULT",
            ),
        ] {
            assert!(parse_ddl(sql).unwrap_err().0.contains(named), "{sql}");
        }
        let Ddl::Create(c) =
            parse_ddl("CREATE TABLE t (id INT PRIMARY KEY) AS (SELECT 1 AS id) UNION SELECT 2;")
                .unwrap()
        else {
            panic!()
        };
        assert_eq!(c.select.as_deref(), Some("(SELECT 1 AS id) UNION SELECT 2"));
        assert_eq!(c.duplicates, None);
        for (sql, duplicates) in [
            (
                "CREATE TABLE t (PRIMARY KEY (a)) IGNORE SELECT 1 AS a",
                Duplicates::Ignore,
            ),
            (
                "CREATE TABLE t (a INT) REPLACE SELECT 1 AS a",
                Duplicates::Replace,
            ),
        ] {
            let Ddl::Create(c) = parse_ddl(sql).unwrap() else {
                panic!("{sql}")
            };
            assert_eq!(c.duplicates, Some(duplicates), "{sql}");
            assert!(
                c.select.as_deref().unwrap().contains("SELECT 1 AS a"),
                "{sql}"
            );
        }
        // A key on a missing column is left to the executor (1072, in
        // tests/cases/ddl.sql).
        let Ddl::Create(c) = parse_ddl("CREATE TABLE t (a INT, PRIMARY KEY (b))").unwrap() else {
            panic!()
        };
        assert_eq!(c.keys[0].columns, ["b"]);
    }

    #[test]
    fn alter_statements_are_read_as_changes_in_order() {
        let Ddl::Alter(a) = parse_ddl(
            "ALTER TABLE d.t ADD COLUMN c INT NOT NULL DEFAULT 1 AFTER b, DROP COLUMN x, DROP y, \
             CHANGE a aa VARCHAR(5) FIRST, ALTER COLUMN c DROP DEFAULT, ADD UNIQUE KEY k (c), \
             DROP INDEX j, DROP PRIMARY KEY, RENAME TO u",
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(
            (a.statement, a.schema.as_deref(), a.name.as_str()),
            ("ALTER TABLE", Some("d"), "t")
        );
        let kinds: Vec<String> = a
            .ops
            .iter()
            .map(|o| {
                format!("{o:?}")
                    .split([' ', '('])
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "AddColumn",
                "DropColumn",
                "DropColumn",
                "ChangeColumn",
                "SetDefault",
                "AddKey",
                "DropKey",
                "DropPrimaryKey",
                "RenameTable"
            ]
        );
        let AlterOp::AddColumn {
            column, position, ..
        } = &a.ops[0]
        else {
            panic!()
        };
        assert_eq!(
            (column.column_type.as_str(), column.nullable),
            ("int(11)", false)
        );
        assert_eq!(position, &Position::After("b".into()));
        // RENAME takes its new name with or without TO.
        let ops = |sql: &str| match parse_ddl(sql).unwrap() {
            Ddl::Alter(a) => a.ops,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            ops("ALTER TABLE t ADD b INT, RENAME `u`"),
            ops("ALTER TABLE t ADD b INT, RENAME TO `u`")
        );
        let Ddl::Alter(i) =
            parse_ddl("CREATE UNIQUE INDEX ux ON t (a, b) USING BTREE COMMENT 'it''s'").unwrap()
        else {
            panic!()
        };
        assert_eq!(
            (i.statement, &i.ops[0]),
            (
                "CREATE INDEX",
                &AlterOp::AddKey {
                    kind: KeyKind::Unique,
                    name: Some("ux".into()),
                    columns: vec!["a".into(), "b".into()],
                    options: KeyOptions {
                        btree: true,
                        comment: "it's".into()
                    }
                }
            )
        );
        assert!(matches!(
            parse_ddl("DROP INDEX `PRIMARY` ON t").unwrap(),
            Ddl::Alter(AlterTable {
                statement: "DROP INDEX",
                ..
            })
        ));
        assert_eq!(
            parse_ddl("TRUNCATE TABLE d.t").unwrap(),
            Ddl::Truncate((Some("d".into()), "t".into()))
        );
        assert_eq!(
            parse_ddl("RENAME TABLE a TO b, c TO d.e").unwrap(),
            Ddl::Rename(vec![
                ((None, "a".into()), (None, "b".into())),
                ((None, "c".into()), (Some("d".into()), "e".into()))
            ])
        );
        for (sql, says) in [
            (
                "ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES p (id) ON UPDATE SET DEFAULT",
                "SET DEFAULT",
            ),
            ("ALTER TABLE t ENGINE = InnoDB ADD b INT", "without a comma"),
            ("ALTER TABLE t AUTO_INCREMENT = x", "AUTO_INCREMENT"),
        ] {
            let err = parse_ddl(sql).unwrap_err().0;
            assert!(err.contains(says), "{sql}: {err}");
        }
    }

    #[test]
    fn checks_are_added_and_constraints_dropped_with_if_not_exists_kept() {
        let Ddl::Alter(a) = parse_ddl(
            "ALTER TABLE t ADD CONSTRAINT IF NOT EXISTS pos CHECK (a > 0), ADD CHECK (b < 1), \
             ADD COLUMN IF NOT EXISTS c INT, ADD IF NOT EXISTS d INT, ADD e INT, \
             DROP CONSTRAINT IF EXISTS old, DROP CONSTRAINT uk",
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(
            a.ops[0],
            AlterOp::AddCheck {
                name: Some("pos".into()),
                clause: "a > 0".into(),
                if_not_exists: true
            }
        );
        assert_eq!(
            a.ops[1],
            AlterOp::AddCheck {
                name: None,
                clause: "b < 1".into(),
                if_not_exists: false
            }
        );
        let added: Vec<(&str, bool)> = a.ops[2..5]
            .iter()
            .map(|o| match o {
                AlterOp::AddColumn {
                    column,
                    if_not_exists,
                    ..
                } => (column.name.as_str(), *if_not_exists),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(added, [("c", true), ("d", true), ("e", false)]);
        assert_eq!(
            a.ops[5..],
            [
                AlterOp::DropConstraint {
                    name: "old".into(),
                    if_exists: true
                },
                AlterOp::DropConstraint {
                    name: "uk".into(),
                    if_exists: false
                }
            ]
        );
    }

    #[test]
    fn algorithm_and_lock_are_read_as_changes_of_their_own() {
        let Ddl::Alter(a) =
            parse_ddl("ALTER TABLE t ADD c INT, ALGORITHM = inplace, LOCK NONE").unwrap()
        else {
            panic!()
        };
        assert_eq!(
            a.ops[1..],
            [
                AlterOp::Algorithm("INPLACE".into()),
                AlterOp::Lock("NONE".into())
            ]
        );
        let Ddl::Alter(a) = parse_ddl("ALTER TABLE t ALGORITHM=INSTANT").unwrap() else {
            panic!()
        };
        assert_eq!(a.ops, [AlterOp::Algorithm("INSTANT".into())]);
    }

    #[test]
    fn table_options_are_read_wherever_they_stand_in_an_alter() {
        let ops = |sql: &str| match parse_ddl(sql).unwrap() {
            Ddl::Alter(a) => a.ops,
            other => panic!("{other:?}"),
        };
        let charset = |cs: Option<&str>, co: Option<&str>| AlterOp::TableCharset {
            charset: cs.map(String::from),
            collation: co.map(String::from),
        };
        assert_eq!(
            ops("ALTER TABLE t ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE = 'utf8mb4_bin'"),
            [
                AlterOp::Engine("InnoDB".into()),
                charset(Some("utf8mb4"), None),
                charset(None, Some("utf8mb4_bin")),
            ]
        );
        // A `;` that ends the statement (drivers send it) changes nothing.
        assert_eq!(
            ops("ALTER TABLE t ENABLE KEYS ;"),
            ops("ALTER TABLE t ENABLE KEYS")
        );
        assert_eq!(
            ops("ALTER TABLE t COMMENT 'x';"),
            ops("ALTER TABLE t COMMENT 'x'")
        );
        assert_eq!(
            ops("ALTER TABLE t ADD b INT, ENGINE=InnoDB;"),
            ops("ALTER TABLE t ADD b INT, ENGINE=InnoDB")
        );
        assert_eq!(
            ops("ALTER TABLE t AUTO_INCREMENT 7, ADD b INT, FORCE, ROW_FORMAT=DYNAMIC"),
            {
                let mut v = ops("ALTER TABLE t ADD b INT");
                v.extend([
                    AlterOp::AutoIncrement(7),
                    AlterOp::Force,
                    AlterOp::RowFormat("DYNAMIC".into()),
                ]);
                v
            }
        );
        assert_eq!(
            ops("ALTER TABLE t RENAME INDEX `a b` TO c, RENAME KEY c TO d"),
            [
                AlterOp::RenameKey {
                    old: "a b".into(),
                    new: "c".into()
                },
                AlterOp::RenameKey {
                    old: "c".into(),
                    new: "d".into()
                },
            ]
        );
        assert_eq!(
            ops("ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"),
            [AlterOp::ConvertCharset {
                charset: Some("utf8mb4".into()),
                collation: Some("utf8mb4_unicode_ci".into()),
            }]
        );
        assert_eq!(
            ops("ALTER TABLE t CONVERT TO CHARSET DEFAULT, COMMENT 'x'"),
            [
                AlterOp::ConvertCharset {
                    charset: None,
                    collation: None,
                },
                AlterOp::TableComment("x".into()),
            ]
        );
        // A column's own CHARACTER SET, COMMENT or DEFAULT is the column's.
        let v =
            ops("ALTER TABLE t MODIFY c VARCHAR(5) CHARACTER SET latin1 DEFAULT 'a' COMMENT 'c'");
        assert!(
            matches!(v.as_slice(), [AlterOp::ChangeColumn { .. }]),
            "{v:?}"
        );
    }
}

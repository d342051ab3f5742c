//! The shape of a data-changing statement (INSERT, REPLACE, UPDATE,
//! DELETE), read from its tokens: the target table, the column list, and
//! the byte ranges of each value expression, assignment and of the
//! WHERE/ORDER BY/LIMIT tail.
//!
//! The ranges are spliced into the SELECTs that compute the write over the
//! merged view, so every expression keeps the client's exact text. The
//! source has already checked the syntax (the session asks it with
//! `EXPLAIN`, which never runs a write), so this only has to recognise
//! shapes; a shape it does not handle is reported by name, and the session
//! refuses it rather than guess.

use std::ops::Range;

use super::lexer::{lex, literals_marked, unquote, Kind, LexMode, Token};

/// A possibly qualified table name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableName {
    /// The database, when given.
    pub schema: Option<String>,
    /// The table.
    pub name: String,
}

/// `col = expr` in SET or ON DUPLICATE KEY UPDATE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    /// The table or alias the column is qualified with (`t` of `db.t.c`).
    pub qualifier: Option<String>,
    /// The column (checked against the table).
    pub column: String,
    /// The expression's bytes.
    pub expr: Range<usize>,
}

/// Where an INSERT's rows come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InsertSource {
    /// `VALUES (..), (..)`: each row's expressions.
    Values(Vec<Vec<Range<usize>>>),
    /// `SET a = .., b = ..`.
    Set(Vec<Assignment>),
    /// `SELECT ...`, `TABLE t`, `WITH ...`, `(SELECT ...)`: the query text.
    Query(Range<usize>),
}

/// An INSERT or REPLACE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Insert {
    /// REPLACE rather than INSERT.
    pub replace: bool,
    /// INSERT IGNORE.
    pub ignore: bool,
    /// The target.
    pub table: TableName,
    /// The column list, if given.
    pub columns: Option<Vec<String>>,
    /// The rows.
    pub source: InsertSource,
    /// The row alias of `VALUES (...) AS new`, and its column aliases.
    pub row_alias: Option<(String, Vec<String>)>,
    /// ON DUPLICATE KEY UPDATE assignments.
    pub on_duplicate: Option<Vec<Assignment>>,
    /// The select list of `RETURNING ...`, by byte range.
    pub returning: Option<Range<usize>>,
}

/// A single-table UPDATE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Update {
    /// UPDATE IGNORE.
    pub ignore: bool,
    /// The target.
    pub table: TableName,
    /// Its alias.
    pub alias: Option<String>,
    /// The assignments in order.
    pub set: Vec<Assignment>,
    /// `WHERE ... ORDER BY ... LIMIT ...` (possibly empty).
    pub tail: Range<usize>,
}

/// A single-table DELETE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delete {
    /// DELETE IGNORE.
    pub ignore: bool,
    /// The target.
    pub table: TableName,
    /// Its alias.
    pub alias: Option<String>,
    /// `WHERE ... ORDER BY ... LIMIT ...` (possibly empty).
    pub tail: Range<usize>,
}

/// `UPDATE <table references> SET ... [WHERE ...]`: a join whose
/// assignments may change several of its tables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultiUpdate {
    /// UPDATE IGNORE.
    pub ignore: bool,
    /// The table references (joins and all), as written.
    pub tables: Range<usize>,
    /// The assignments in order.
    pub set: Vec<Assignment>,
    /// `WHERE ...` (possibly empty).
    pub tail: Range<usize>,
}

/// `DELETE t1, t2 FROM <table references> [WHERE ...]` or
/// `DELETE FROM t1, t2 USING <table references> [WHERE ...]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultiDelete {
    /// DELETE IGNORE.
    pub ignore: bool,
    /// The tables rows are deleted from: aliases or names of the
    /// references, possibly qualified with a database.
    pub targets: Vec<TableName>,
    /// The table references, as written.
    pub tables: Range<usize>,
    /// `WHERE ...` (possibly empty).
    pub tail: Range<usize>,
}

/// A data-changing statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Write {
    /// INSERT or REPLACE.
    Insert(Insert),
    /// UPDATE.
    Update(Update),
    /// DELETE.
    Delete(Delete),
    /// UPDATE of a join.
    MultiUpdate(MultiUpdate),
    /// DELETE from a join.
    MultiDelete(MultiDelete),
}

/// What FOUND_ROWS() answers after a write, as the server leaves it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoundRowsAfter {
    /// The count it had (single-table writes, INSERT ... VALUES).
    Kept,
    /// The rows the write's query produced (INSERT or REPLACE ... SELECT,
    /// CREATE TABLE ... SELECT): its `Records:`.
    Selected,
    /// A count of its own vdb does not follow (a multi-table UPDATE or
    /// DELETE's).
    Unknown,
}

/// [`FoundRowsAfter`] for a write vdb captures.
pub fn found_rows_after(sql: &[u8], mode: LexMode) -> FoundRowsAfter {
    // A subquery the server runs sets it too (a scalar one in SET leaves
    // 1), one it folds away does not: vdb does not follow that.
    let selects = || {
        lex(sql, mode)
            .tokens
            .iter()
            .filter(|t| t.is_word(sql, "SELECT"))
            .count()
    };
    match parse_write(sql, mode) {
        Ok(Write::Insert(Insert {
            source: InsertSource::Query(_),
            ..
        })) if selects() <= 1 => FoundRowsAfter::Selected,
        Ok(Write::Insert(_) | Write::Update(_) | Write::Delete(_)) if selects() == 0 => {
            FoundRowsAfter::Kept
        }
        _ => FoundRowsAfter::Unknown,
    }
}

/// A write whose form vdb does not capture yet, by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsupported(pub String);

fn unsupported<T>(what: &str) -> Result<T, Unsupported> {
    Err(Unsupported(what.to_string()))
}

struct P<'a> {
    sql: &'a [u8],
    t: Vec<Token>,
    i: usize,
    mode: LexMode,
}

impl<'a> P<'a> {
    /// A parser over tokens `from..to` of this one.
    fn part(&self, from: usize, to: usize) -> P<'a> {
        P {
            sql: self.sql,
            t: self.t[from..to].to_vec(),
            i: 0,
            mode: self.mode,
        }
    }

    fn is(&self, kw: &str) -> bool {
        self.t.get(self.i).is_some_and(|t| t.is_word(self.sql, kw))
    }

    fn eat(&mut self, kw: &str) -> bool {
        let yes = self.is(kw);
        if yes {
            self.i += 1;
        }
        yes
    }

    fn punct(&self, p: u8) -> bool {
        self.t.get(self.i).is_some_and(|t| t.is_punct(p))
    }

    fn at_end(&self) -> bool {
        self.i >= self.t.len()
    }

    /// An identifier: a word or a quoted name.
    fn ident(&mut self) -> Option<String> {
        let name = self.t.get(self.i)?.name(self.sql, self.mode)?;
        self.i += 1;
        Some(name)
    }

    /// `name` or `db.name`.
    fn table_name(&mut self) -> Option<TableName> {
        let first = self.ident()?;
        if self.punct(b'.') {
            self.i += 1;
            let second = self.ident()?;
            return Some(TableName {
                schema: Some(first),
                name: second,
            });
        }
        Some(TableName {
            schema: None,
            name: first,
        })
    }

    /// A column name, possibly qualified (`t.c`, `db.t.c`); returns the
    /// last part.
    fn column_name(&mut self) -> Option<String> {
        self.qualified_column().map(|(_, c)| c)
    }

    /// A column name and the table it is qualified with, if any.
    fn qualified_column(&mut self) -> Option<(Option<String>, String)> {
        let mut qualifier = None;
        let mut name = self.ident()?;
        while self.punct(b'.') {
            self.i += 1;
            qualifier = Some(name);
            name = self.ident()?;
        }
        Some((qualifier, name))
    }

    /// The index of the token that closes the group opened at `open`.
    fn close_of(&self, open: usize) -> Option<usize> {
        let mut depth = 0i32;
        for (j, t) in self.t.iter().enumerate().skip(open) {
            if t.is_punct(b'(') {
                depth += 1;
            } else if t.is_punct(b')') {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
        }
        None
    }

    /// Token index ranges of the comma-separated items between `from` and
    /// `to` (exclusive), at depth 0.
    fn split_commas(&self, from: usize, to: usize) -> Vec<(usize, usize)> {
        let mut items = Vec::new();
        let mut depth = 0i32;
        let mut start = from;
        for j in from..to {
            let t = &self.t[j];
            if t.is_punct(b'(') {
                depth += 1;
            } else if t.is_punct(b')') {
                depth -= 1;
            } else if t.is_punct(b',') && depth == 0 {
                items.push((start, j));
                start = j + 1;
            }
        }
        items.push((start, to));
        items
    }

    fn bytes(&self, from: usize, to: usize) -> Range<usize> {
        if from >= to {
            let at = self.t.get(from).map_or(self.sql.len(), |t| t.start);
            return at..at;
        }
        self.t[from].start..self.t[to - 1].end
    }

    /// The first top-level token at or after `from` that is one of `words`.
    fn find_top(&self, from: usize, words: &[&str]) -> usize {
        let mut depth = 0i32;
        for j in from..self.t.len() {
            let t = &self.t[j];
            if t.is_punct(b'(') {
                depth += 1;
            } else if t.is_punct(b')') {
                depth -= 1;
            } else if depth == 0 && words.iter().any(|w| t.is_word(self.sql, w)) {
                return j;
            }
        }
        self.t.len()
    }

    /// `a = expr, b = expr` up to a top-level word in `stop` (or the end).
    fn assignments(&mut self, stop: &[&str]) -> Result<Vec<Assignment>, Unsupported> {
        let end = self.find_top(self.i, stop);
        let mut out = Vec::new();
        for (s, e) in self.split_commas(self.i, end) {
            let mut q = self.part(s, e);
            let Some((qualifier, column)) = q.qualified_column() else {
                return unsupported("an assignment vdb cannot read");
            };
            if !(q.punct(b'=') || (q.punct(b':') && q.t.get(1).is_some_and(|t| t.is_punct(b'=')))) {
                return unsupported("an assignment vdb cannot read");
            }
            q.i += if q.punct(b':') { 2 } else { 1 };
            if q.at_end() {
                return unsupported("an empty assignment");
            }
            out.push(Assignment {
                qualifier,
                column,
                expr: q.t[q.i].start..q.t[q.t.len() - 1].end,
            });
        }
        self.i = end;
        Ok(out)
    }

    fn skip_modifiers(&mut self) -> bool {
        let mut ignore = false;
        loop {
            if self.eat("LOW_PRIORITY")
                || self.eat("DELAYED")
                || self.eat("HIGH_PRIORITY")
                || self.eat("QUICK")
            {
                continue;
            }
            if self.eat("IGNORE") {
                ignore = true;
                continue;
            }
            return ignore;
        }
    }

    /// `[AS] alias` when present.
    fn alias(&mut self, stop: &[&str]) -> Option<String> {
        if self.eat("AS") {
            return self.ident();
        }
        let t = self.t.get(self.i)?;
        if t.kind == Kind::QuotedIdent
            || (t.kind == Kind::Word && !stop.iter().any(|w| t.is_word(self.sql, w)))
        {
            return self.ident();
        }
        None
    }
}

/// Whether the text holds one statement (a trailing `;` allowed; executable
/// comments count as SQL).
pub fn single_statement(sql: &[u8], mode: LexMode) -> bool {
    statement_tokens(sql, mode).is_some()
}

/// The tokens of a one-statement text without trailing `;`; `None` for
/// several statements.
fn statement_tokens(sql: &[u8], mode: LexMode) -> Option<Vec<Token>> {
    let mut tokens = lex(sql, mode).tokens;
    while tokens.last().is_some_and(|t| t.is_punct(b';')) {
        tokens.pop();
    }
    (!tokens.iter().any(|t| t.is_punct(b';'))).then_some(tokens)
}

/// The text with its plain literals (quoted strings, integers of up to 18
/// digits) as `?`: texts of one shape parse alike, so the source's syntax
/// check of one holds for all. A literal whose text can make a statement
/// invalid stays as written: a string right after a word (`X'..'`,
/// `_latin1'..'`) or after DATE, TIME or TIMESTAMP, and numbers that are
/// not plain integers.
pub fn syntax_shape(sql: &[u8], mode: LexMode) -> Vec<u8> {
    let tokens = lex(sql, mode).tokens;
    literals_marked(sql, &tokens, |i| {
        let t = tokens[i];
        let text = t.text(sql);
        match t.kind {
            Kind::Str => {
                let typed = i.checked_sub(1).map(|p| tokens[p]).is_some_and(|p| {
                    p.kind == Kind::Word
                        && (p.end == t.start
                            || ["DATE", "TIME", "TIMESTAMP"]
                                .iter()
                                .any(|k| p.is_word(sql, k)))
                });
                matches!(text.first(), Some(b'\'' | b'"')) && !typed
            }
            Kind::Word => text.len() <= 18 && text.iter().all(u8::is_ascii_digit),
            _ => false,
        }
    })
}

/// Reads the shape of one INSERT, REPLACE, UPDATE or DELETE statement.
pub fn parse_write(sql: &[u8], mode: LexMode) -> Result<Write, Unsupported> {
    let Some(tokens) = statement_tokens(sql, mode) else {
        return unsupported("a write in a multi-statement text");
    };
    let mut p = P {
        sql,
        t: tokens,
        i: 0,
        mode,
    };
    if p.eat("INSERT") {
        insert(&mut p, false)
    } else if p.eat("REPLACE") {
        insert(&mut p, true)
    } else if p.eat("UPDATE") {
        update(&mut p)
    } else if p.eat("DELETE") {
        delete(&mut p)
    } else {
        unsupported("this statement")
    }
}

fn insert(p: &mut P, replace: bool) -> Result<Write, Unsupported> {
    let ignore = p.skip_modifiers();
    p.eat("INTO");
    let Some(table) = p.table_name() else {
        return unsupported("an INSERT target vdb cannot read");
    };
    if p.is("PARTITION") {
        return unsupported("INSERT ... PARTITION");
    }
    let mut columns = None;
    // `(cols)` unless it is `(SELECT ...)`.
    if p.punct(b'(')
        && !p.t.get(p.i + 1).is_some_and(|t| {
            t.is_word(p.sql, "SELECT") || t.is_word(p.sql, "WITH") || t.is_word(p.sql, "VALUES")
        })
    {
        let close = p
            .close_of(p.i)
            .ok_or_else(|| Unsupported("an unclosed column list".into()))?;
        let mut cols = Vec::new();
        if close > p.i + 1 {
            for (s, e) in p.split_commas(p.i + 1, close) {
                let mut q = p.part(s, e);
                match q.column_name() {
                    Some(c) if q.at_end() => cols.push(c),
                    _ => return unsupported("an INSERT column list vdb cannot read"),
                }
            }
        }
        columns = Some(cols);
        p.i = close + 1;
    }
    let source;
    let mut row_alias = None;
    if p.eat("VALUES") || p.eat("VALUE") {
        let mut rows = Vec::new();
        loop {
            p.eat("ROW");
            if !p.punct(b'(') {
                return unsupported("an INSERT VALUES list vdb cannot read");
            }
            let close = p
                .close_of(p.i)
                .ok_or_else(|| Unsupported("an unclosed row".into()))?;
            let row = if close == p.i + 1 {
                Vec::new()
            } else {
                p.split_commas(p.i + 1, close)
                    .into_iter()
                    .map(|(s, e)| p.bytes(s, e))
                    .collect()
            };
            rows.push(row);
            p.i = close + 1;
            if p.punct(b',') {
                p.i += 1;
                continue;
            }
            break;
        }
        source = InsertSource::Values(rows);
        if p.eat("AS") {
            let Some(alias) = p.ident() else {
                return unsupported("a row alias vdb cannot read");
            };
            let mut cols = Vec::new();
            if p.punct(b'(') {
                let close = p
                    .close_of(p.i)
                    .ok_or_else(|| Unsupported("an unclosed alias list".into()))?;
                for (s, e) in p.split_commas(p.i + 1, close) {
                    let mut q = p.part(s, e);
                    cols.push(
                        q.ident()
                            .ok_or_else(|| Unsupported("a row alias vdb cannot read".into()))?,
                    );
                }
                p.i = close + 1;
            }
            row_alias = Some((alias, cols));
        }
    } else if p.eat("SET") {
        if columns.is_some() {
            return unsupported("INSERT with both a column list and SET");
        }
        source = InsertSource::Set(p.assignments(&["ON"])?);
    } else if p.is("SELECT") || p.is("WITH") || p.is("TABLE") || p.punct(b'(') {
        let returning_at = p.find_top(p.i, &["RETURNING"]);
        let end = p.find_top(p.i, &["ON"]);
        // `ON` may be part of a join inside the query: only `ON DUPLICATE` ends it.
        let mut end = end;
        while end < returning_at
            && !p
                .t
                .get(end + 1)
                .is_some_and(|t| t.is_word(p.sql, "DUPLICATE"))
        {
            end = p.find_top(end + 1, &["ON"]);
        }
        let end = end.min(returning_at);
        source = InsertSource::Query(p.bytes(p.i, end));
        p.i = end;
    } else {
        return unsupported("this INSERT form");
    }
    let mut on_duplicate = None;
    if p.eat("ON") {
        if !(p.eat("DUPLICATE") && p.eat("KEY") && p.eat("UPDATE")) {
            return unsupported("this INSERT form");
        }
        on_duplicate = Some(p.assignments(&["RETURNING"])?);
    }
    let mut returning = None;
    if p.eat("RETURNING") {
        if on_duplicate.is_some() {
            return unsupported("INSERT ... ON DUPLICATE KEY UPDATE ... RETURNING");
        }
        let list = p.bytes(p.i, p.t.len());
        if list.is_empty() {
            return unsupported("an empty RETURNING list");
        }
        returning = Some(list);
        p.i = p.t.len();
    }
    if !p.at_end() {
        return unsupported("this INSERT form");
    }
    Ok(Write::Insert(Insert {
        replace,
        ignore,
        table,
        columns,
        source,
        row_alias,
        on_duplicate,
        returning,
    }))
}

const TAIL: &[&str] = &["WHERE", "ORDER", "LIMIT", "RETURNING"];

fn update(p: &mut P) -> Result<Write, Unsupported> {
    let ignore = p.skip_modifiers();
    let start = p.i;
    let single = p.table_name().map(|t| (t, p.alias(&["SET", "PARTITION"])));
    let Some((table, alias)) = single.filter(|_| p.eat("SET")) else {
        // A join (or a list) of tables.
        let set_at = p.find_top(start, &["SET"]);
        if set_at == start || set_at >= p.t.len() {
            return unsupported("an UPDATE form vdb cannot read");
        }
        let tables = p.bytes(start, set_at);
        p.i = set_at + 1;
        let set = p.assignments(&["WHERE", "ORDER", "LIMIT", "RETURNING"])?;
        if !(p.at_end() || p.is("WHERE")) {
            return unsupported("multi-table UPDATE with ORDER BY, LIMIT or RETURNING");
        }
        let tail = p.bytes(p.i, p.t.len());
        return Ok(Write::MultiUpdate(MultiUpdate {
            ignore,
            tables,
            set,
            tail,
        }));
    };
    let set = p.assignments(TAIL)?;
    if p.find_top(p.i, &["RETURNING"]) < p.t.len() {
        return unsupported("UPDATE ... RETURNING");
    }
    let tail = p.bytes(p.i, p.t.len());
    Ok(Write::Update(Update {
        ignore,
        table,
        alias,
        set,
        tail,
    }))
}

/// `t1[.*], db.t2[.*]` up to token `end`.
fn delete_targets(p: &P, from: usize, end: usize) -> Result<Vec<TableName>, Unsupported> {
    let mut out = Vec::new();
    for (s, e) in p.split_commas(from, end) {
        let mut q = p.part(s, e);
        let mut parts = vec![q.ident()];
        while q.punct(b'.') {
            q.i += 1;
            if q.t.get(q.i).is_some_and(|t| t.is_punct(b'*')) {
                q.i += 1;
                break;
            }
            parts.push(q.ident());
        }
        let parts: Option<Vec<String>> = parts.into_iter().collect();
        let name = match parts.as_deref() {
            Some([name]) => TableName {
                schema: None,
                name: name.clone(),
            },
            Some([schema, name]) => TableName {
                schema: Some(schema.clone()),
                name: name.clone(),
            },
            _ => return unsupported("a DELETE target vdb cannot read"),
        };
        if !q.at_end() {
            return unsupported("a DELETE target vdb cannot read");
        }
        out.push(name);
    }
    Ok(out)
}

fn delete(p: &mut P) -> Result<Write, Unsupported> {
    let ignore = p.skip_modifiers();
    if !p.is("FROM") {
        // DELETE t1, t2 FROM <tables> [WHERE ...]
        let from_at = p.find_top(p.i, &["FROM"]);
        if from_at >= p.t.len() {
            return unsupported("a DELETE form vdb cannot read");
        }
        let targets = delete_targets(p, p.i, from_at)?;
        return multi_delete(p, ignore, targets, from_at + 1);
    }
    p.i += 1;
    let using_at = p.find_top(p.i, &["USING"]);
    if using_at < p.t.len() {
        // DELETE FROM t1, t2 USING <tables> [WHERE ...]
        let targets = delete_targets(p, p.i, using_at)?;
        return multi_delete(p, ignore, targets, using_at + 1);
    }
    let Some(table) = p.table_name() else {
        return unsupported("a DELETE target vdb cannot read");
    };
    if p.punct(b',') {
        return unsupported("a DELETE form vdb cannot read");
    }
    let alias = p.alias(TAIL);
    if p.is("PARTITION") {
        return unsupported("DELETE ... PARTITION");
    }
    if p.find_top(p.i, &["RETURNING"]) < p.t.len() {
        return unsupported("DELETE ... RETURNING");
    }
    if !(p.at_end() || TAIL.iter().any(|w| p.is(w))) {
        return unsupported("a DELETE form vdb cannot read");
    }
    let tail = p.bytes(p.i, p.t.len());
    Ok(Write::Delete(Delete {
        ignore,
        table,
        alias,
        tail,
    }))
}

/// The rest of a multi-table DELETE: table references from token `at`,
/// then an optional WHERE.
fn multi_delete(
    p: &mut P,
    ignore: bool,
    targets: Vec<TableName>,
    at: usize,
) -> Result<Write, Unsupported> {
    let end = p.find_top(at, &["WHERE", "ORDER", "LIMIT", "RETURNING"]);
    if end == at {
        return unsupported("a DELETE form vdb cannot read");
    }
    let tables = p.bytes(at, end);
    p.i = end;
    if !(p.at_end() || p.is("WHERE")) {
        return unsupported("multi-table DELETE with ORDER BY, LIMIT or RETURNING");
    }
    let tail = p.bytes(p.i, p.t.len());
    Ok(Write::MultiDelete(MultiDelete {
        ignore,
        targets,
        tables,
        tail,
    }))
}

/// Whether `expr` (a byte range of `sql`) mentions `column` as a name: a
/// conservative token test used to refuse what vdb would evaluate in the
/// wrong order.
pub fn mentions(sql: &[u8], expr: Range<usize>, column: &str, mode: LexMode) -> bool {
    let part = &sql[expr];
    lex(part, mode).tokens.iter().any(|t| match t.kind {
        Kind::Word => t.text(part).eq_ignore_ascii_case(column.as_bytes()),
        Kind::QuotedIdent => unquote(t.text(part), mode).eq_ignore_ascii_case(column.as_bytes()),
        _ => false,
    })
}

/// Whether the expression is the bare keyword `DEFAULT`.
pub fn is_default(sql: &[u8], expr: &Range<usize>) -> bool {
    sql[expr.clone()].eq_ignore_ascii_case(b"DEFAULT")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(sql: &str) -> Write {
        parse_write(sql.as_bytes(), LexMode::default()).unwrap()
    }

    fn text(sql: &str, r: &Range<usize>) -> String {
        sql[r.clone()].to_string()
    }

    #[test]
    fn writes_that_parse_alike_share_a_syntax_shape() {
        let shape = |sql: &str| {
            String::from_utf8(syntax_shape(sql.as_bytes(), LexMode::default())).unwrap()
        };
        assert_eq!(
            shape("UPDATE t SET c = 'it''s', k = k + 12 WHERE id = 5 LIMIT 1"),
            "UPDATE t SET c = ?, k = k + ? WHERE id = ? LIMIT ?"
        );
        assert_eq!(
            shape("INSERT INTO t VALUES (1, \"a\"), (2, 'b')"),
            shape("INSERT INTO t VALUES (30, 'x'), (40, \"yy\")")
        );
        // Literals whose text the parser judges stay as written.
        for sql in [
            "INSERT INTO t VALUES (X'4A')",
            "INSERT INTO t VALUES (_latin1'a')",
            "INSERT INTO t VALUES (DATE '2024-01-01')",
            "INSERT INTO t VALUES (TIMESTAMP '2024-01-01 00:00:00')",
            "INSERT INTO t VALUES (0x4A, 1e5, 99999999999999999999)",
        ] {
            assert_eq!(shape(sql), sql);
        }
        assert_eq!(
            shape("UPDATE t SET a = 1 LIMIT 1.5"),
            "UPDATE t SET a = ? LIMIT ?.?"
        );
        // Names are never literals.
        assert_ne!(shape("UPDATE t SET `a` = 1"), shape("UPDATE t SET `b` = 1"));
        let ansi = LexMode {
            ansi_quotes: true,
            ..LexMode::default()
        };
        assert_eq!(
            syntax_shape(b"UPDATE t SET \"a\" = 'x'", ansi),
            b"UPDATE t SET \"a\" = ?".to_vec()
        );
    }

    #[test]
    fn insert_values_keep_each_expression_text() {
        let sql = "INSERT IGNORE INTO db.`t` (a, `b c`) VALUES (1, 'x,y'), (f(1, 2), (SELECT MAX(a) FROM t))";
        let Write::Insert(i) = parse(sql) else {
            panic!()
        };
        assert!(i.ignore && !i.replace);
        assert_eq!(
            i.table,
            TableName {
                schema: Some("db".into()),
                name: "t".into()
            }
        );
        assert_eq!(i.columns, Some(vec!["a".into(), "b c".into()]));
        let InsertSource::Values(rows) = &i.source else {
            panic!()
        };
        let got: Vec<Vec<String>> = rows
            .iter()
            .map(|r| r.iter().map(|e| text(sql, e)).collect())
            .collect();
        assert_eq!(
            got,
            vec![
                vec!["1", "'x,y'"],
                vec!["f(1, 2)", "(SELECT MAX(a) FROM t)"]
            ]
        );
    }

    #[test]
    fn insert_forms() {
        let sql = "INSERT INTO t SET a = 1, t.b = DEFAULT ON DUPLICATE KEY UPDATE a = a + 1";
        let Write::Insert(i) = parse(sql) else {
            panic!()
        };
        let InsertSource::Set(set) = &i.source else {
            panic!()
        };
        assert_eq!(set[1].column, "b");
        assert!(is_default(sql.as_bytes(), &set[1].expr));
        assert_eq!(text(sql, &i.on_duplicate.unwrap()[0].expr), "a + 1");
        let sql = "REPLACE INTO t (a) SELECT x FROM u JOIN v ON u.id = v.id ON DUPLICATE KEY UPDATE a = 2";
        let Write::Insert(i) = parse(sql) else {
            panic!()
        };
        let InsertSource::Query(q) = &i.source else {
            panic!()
        };
        assert_eq!(text(sql, q), "SELECT x FROM u JOIN v ON u.id = v.id");
        let sql = "INSERT INTO t VALUES (1) AS new(x) ON DUPLICATE KEY UPDATE a = new.x";
        let Write::Insert(i) = parse(sql) else {
            panic!()
        };
        assert_eq!(i.row_alias, Some(("new".into(), vec!["x".into()])));
        let sql = "INSERT INTO t () VALUES ()";
        let Write::Insert(i) = parse(sql) else {
            panic!()
        };
        assert_eq!(i.columns, Some(vec![]));
        assert_eq!(i.source, InsertSource::Values(vec![vec![]]));
    }

    #[test]
    fn update_and_delete_tails() {
        let sql =
            "UPDATE t AS x SET x.a = a + 1, b = 'WHERE' WHERE id > 2 ORDER BY id DESC LIMIT 3";
        let Write::Update(u) = parse(sql) else {
            panic!()
        };
        assert_eq!(u.alias.as_deref(), Some("x"));
        assert_eq!(u.set.len(), 2);
        assert_eq!(text(sql, &u.tail), "WHERE id > 2 ORDER BY id DESC LIMIT 3");
        let sql = "DELETE FROM t WHERE id IN (SELECT id FROM u WHERE 1) LIMIT 1";
        let Write::Delete(d) = parse(sql) else {
            panic!()
        };
        assert_eq!(
            text(sql, &d.tail),
            "WHERE id IN (SELECT id FROM u WHERE 1) LIMIT 1"
        );
        let sql = "DELETE FROM t";
        let Write::Delete(d) = parse(sql) else {
            panic!()
        };
        assert!(d.tail.is_empty());
    }

    #[test]
    fn multi_table_update_keeps_the_join_and_the_qualifiers() {
        let sql =
            "UPDATE LOW_PRIORITY customers c JOIN orders AS o ON o.customer_id = c.id, digits \
                   SET c.name = CONCAT(c.name, o.id), o.note = 'x', d = 1 WHERE o.total > 10";
        let Write::MultiUpdate(u) = parse(sql) else {
            panic!()
        };
        assert!(!u.ignore);
        assert_eq!(
            text(sql, &u.tables),
            "customers c JOIN orders AS o ON o.customer_id = c.id, digits"
        );
        let cols: Vec<String> = u
            .set
            .iter()
            .map(|a| {
                let q = a.qualifier.as_deref().unwrap_or("-");
                format!("{q} {} {}", a.column, text(sql, &a.expr))
            })
            .collect();
        assert_eq!(cols, ["c name CONCAT(c.name, o.id)", "o note 'x'", "- d 1"]);
        assert_eq!(text(sql, &u.tail), "WHERE o.total > 10");
    }

    #[test]
    fn multi_table_delete_in_both_forms() {
        let sql = "DELETE IGNORE o, shop.i.* FROM orders o JOIN shop.order_items i ON i.order_id = o.id WHERE o.id = 1";
        let Write::MultiDelete(d) = parse(sql) else {
            panic!()
        };
        assert!(d.ignore);
        let targets: Vec<(Option<&str>, &str)> = d
            .targets
            .iter()
            .map(|t| (t.schema.as_deref(), t.name.as_str()))
            .collect();
        assert_eq!(targets, [(None, "o"), (Some("shop"), "i")]);
        assert_eq!(
            text(sql, &d.tables),
            "orders o JOIN shop.order_items i ON i.order_id = o.id"
        );
        assert_eq!(text(sql, &d.tail), "WHERE o.id = 1");
        let sql = "DELETE FROM a.*, b USING a, b";
        let Write::MultiDelete(d) = parse(sql) else {
            panic!()
        };
        assert_eq!(d.targets.len(), 2);
        assert_eq!(text(sql, &d.tables), "a, b");
        assert!(d.tail.is_empty());
    }

    #[test]
    fn forms_not_captured_yet_are_named() {
        let name = |sql: &str| {
            parse_write(sql.as_bytes(), LexMode::default())
                .unwrap_err()
                .0
        };
        assert_eq!(
            name("UPDATE a JOIN b ON a.id = b.id SET a.x = 1 LIMIT 1"),
            "multi-table UPDATE with ORDER BY, LIMIT or RETURNING"
        );
        assert_eq!(
            name("DELETE a FROM a JOIN b ORDER BY a.id"),
            "multi-table DELETE with ORDER BY, LIMIT or RETURNING"
        );
        assert_eq!(
            name("INSERT INTO t VALUES (1); SELECT 1"),
            "a write in a multi-statement text"
        );
        assert_eq!(name("DELETE FROM t RETURNING id"), "DELETE ... RETURNING");
    }
}

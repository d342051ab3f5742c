//! Temporary tables (CREATE TEMPORARY TABLE): private to the connection
//! that made them, and shadowing a table of the same name for it alone.
//!
//! vdb keeps a temporary table in the shared delta as a created table with
//! a name no client can write (`#vdb-temporary#<connection>#<name>`), and
//! renames the connection's references to it in each statement's text
//! before anything else reads the statement; from there on it is an
//! ordinary table vdb holds. What a client sees (SHOW CREATE TABLE, result
//! metadata, error messages) shows the name it gave, and the catalog,
//! the patch and the state file leave such tables out.

use std::ops::Range;

use super::lexer::{name_at, statement_tokens, Kind, LexMode, Token};
use super::rewrite::quote_ident;
use super::tables::table_refs;

/// How the name of every temporary table starts inside vdb.
pub const MARK: &str = "#vdb-temporary#";

/// The name vdb keeps connection `owner`'s temporary table `name` under.
pub fn hidden_name(owner: u64, name: &str) -> String {
    format!("{MARK}{owner}#{name}")
}

/// The name a client gave a table (the hidden name of a temporary table
/// without its mark; any other name as it is).
pub fn shown_name(name: &str) -> &str {
    match name.strip_prefix(MARK) {
        Some(rest) => rest.split_once('#').map_or(rest, |(_, n)| n),
        None => name,
    }
}

/// `text` (a message) with every hidden name shown as the client's.
pub fn unmark(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at]);
        let after = &rest[at + MARK.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        rest = match after[digits..].strip_prefix('#') {
            Some(r) if digits > 0 => r,
            _ => {
                out.push_str(MARK);
                after
            }
        };
    }
    out.push_str(rest);
    out
}

/// A statement's words that vdb reads to handle temporary tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Temporary {
    /// CREATE TEMPORARY TABLE: the text as CREATE TABLE of the hidden
    /// name, and the table (database if named, name).
    Create {
        /// The statement as an ordinary CREATE TABLE of the hidden name.
        text: String,
        /// The database, when the statement names one.
        schema: Option<String>,
        /// The name the client gave.
        name: String,
    },
    /// DROP TEMPORARY TABLE: the tables named (database if given, name),
    /// and whether IF EXISTS was given.
    Drop {
        /// Tables, in order.
        tables: Vec<(Option<String>, String)>,
        /// IF EXISTS.
        if_exists: bool,
    },
}

/// Reads CREATE TEMPORARY TABLE and DROP TEMPORARY TABLE; `None` for any
/// other statement. `owner` names the hidden table a CREATE makes.
pub fn read(sql: &str, mode: LexMode, owner: u64) -> Option<Temporary> {
    let b = sql.as_bytes();
    // Every statement passes here: lex only those that may be one.
    if !super::contains_ignore_case(b, b"TEMPORARY") {
        return None;
    }
    let t = statement_tokens(b, mode);
    let word = |i: usize, w: &str| t.get(i).is_some_and(|x| x.is_word(b, w));
    if !(word(1, "TEMPORARY") && word(2, "TABLE")) {
        return None;
    }
    if word(0, "CREATE") {
        let mut i = 3;
        if word(3, "IF") && word(4, "NOT") && word(5, "EXISTS") {
            i = 6;
        }
        let (schema, name, next) = name_at(b, &t, i, mode)?;
        let mut text = String::with_capacity(sql.len() + 32);
        text.push_str(&sql[..t[1].start]);
        text.push_str(&sql[t[2].start..t[i].start]);
        if let Some(s) = &schema {
            text.push_str(&quote_ident(s));
            text.push('.');
        }
        text.push_str(&quote_ident(&hidden_name(owner, &name)));
        text.push_str(&sql[t[next - 1].end..]);
        return Some(Temporary::Create { text, schema, name });
    }
    if word(0, "DROP") {
        let mut i = 3;
        let if_exists = word(3, "IF") && word(4, "EXISTS");
        if if_exists {
            i = 5;
        }
        let mut tables = Vec::new();
        while let Some((schema, name, next)) = name_at(b, &t, i, mode) {
            tables.push((schema, name));
            i = next;
            if !t.get(i).is_some_and(|x| x.is_punct(b',')) {
                break;
            }
            i += 1;
        }
        return Some(Temporary::Drop { tables, if_exists });
    }
    None
}

/// The statement with its references to the connection's temporary
/// tables (`temporaries`: database and name as the client gave them) in
/// the hidden names (`hidden` makes one), a reference in a FROM clause
/// keeping the client's name as its alias. `db` is the session's
/// database. `None` when it names none of them; `Err` (the statement, by
/// name) for a form vdb cannot rename.
pub fn rename(
    sql: &str,
    mode: LexMode,
    db: Option<&str>,
    temporaries: &[(String, String)],
    hidden: impl Fn(&str) -> String,
) -> Result<Option<String>, String> {
    match renamed(sql, mode, db, temporaries, hidden)? {
        Some((_, moves)) if !moves.is_empty() => {
            Err("RENAME of a temporary table in a prepared statement".into())
        }
        r => Ok(r.map(|(text, _)| text)),
    }
}

/// A temporary table a RENAME TABLE or ALTER TABLE ... RENAME moves:
/// from and to, each as (database, name), the database resolved.
pub type Move = ((String, String), (String, String));

/// [`rename`], for a statement that may also rename the temporary tables
/// (RENAME TABLE, ALTER TABLE ... RENAME): the new name of a temporary
/// table becomes a hidden name too, and the moves are returned, for the
/// connection to follow its tables once the statement has succeeded.
pub fn renamed(
    sql: &str,
    mode: LexMode,
    db: Option<&str>,
    temporaries: &[(String, String)],
    hidden: impl Fn(&str) -> String,
) -> Result<Option<(String, Vec<Move>)>, String> {
    if !temporaries.iter().any(|(_, n)| sql.contains(n.as_str())) {
        return Ok(None);
    }
    let b = sql.as_bytes();
    let t = statement_tokens(b, mode);
    if t.is_empty() {
        return Ok(None);
    }
    let word = |i: usize, w: &str| t.get(i).is_some_and(|x| x.is_word(b, w));
    let is_temporary = |schema: &Option<String>, name: &str| {
        let Some(schema) = schema.as_deref().or(db) else {
            return false;
        };
        temporaries.iter().any(|(d, n)| d == schema && n == name)
    };
    // (span of the name, schema as written, name, alias to add)
    let mut edits: Vec<(Range<usize>, Option<String>, String, bool)> = Vec::new();
    type Edit = (Range<usize>, Option<String>, String, bool);
    let add = |edits: &mut Vec<Edit>,
               span: Range<usize>,
               schema: Option<String>,
               name: String,
               alias: bool| {
        if is_temporary(&schema, &name) && !edits.iter().any(|e| e.0.start == span.start) {
            edits.push((span, schema, name, alias));
        }
    };
    const DML: &[&str] = &["SELECT", "WITH", "INSERT", "REPLACE", "UPDATE", "DELETE"];
    // A statement that is (or explains) a query or a write: sqlparser
    // finds its table references.
    let dml = t.first().is_some_and(|x| x.is_punct(b'('))
        || DML.iter().any(|w| word(0, w))
        || ((word(0, "EXPLAIN") || word(0, "DESCRIBE") || word(0, "DESC") || word(0, "ANALYZE"))
            && t.iter()
                .take(4)
                .any(|x| DML.iter().any(|w| x.is_word(b, w))));
    // Names after these words are tables where the statement has them.
    let mut after: Vec<&str> = vec!["INTO", "TABLE", "TRUNCATE"];
    let creates_table = word(0, "CREATE")
        && (word(1, "TABLE") || (word(1, "OR") && word(2, "REPLACE") && word(3, "TABLE")));
    if creates_table {
        after.push("LIKE");
    }
    if !dml {
        after.extend(["DESCRIBE", "DESC", "EXPLAIN"]);
    }
    // The pairs a RENAME names: a temporary table's new name is hidden
    // too; a base table keeps its new name, even one a temporary table
    // of this connection has (the server keeps the two apart).
    let mut moves = Vec::new();
    for ((from, from_span), (to, to_span)) in rename_pairs(b, &t, mode) {
        let resolve = |(schema, name): &(Option<String>, String)| {
            schema
                .as_deref()
                .or(db)
                .map(|s| (s.to_string(), name.clone()))
        };
        if moves
            .iter()
            .any(|(_, to): &Move| Some(to) == resolve(&from).as_ref())
        {
            return Err("a RENAME TABLE chain through a temporary table".into());
        }
        if !is_temporary(&from.0, &from.1) {
            continue;
        }
        let (Some(f), Some(n)) = (resolve(&from), resolve(&to)) else {
            continue;
        };
        add(&mut edits, from_span, from.0, from.1, false);
        edits.push((to_span, to.0, to.1, false));
        moves.push((f, n));
    }
    if word(0, "SHOW") {
        after.extend(["FROM", "IN"]);
    }
    if (word(0, "CREATE") || word(0, "DROP"))
        && t.iter()
            .take(12)
            .any(|x| x.is_word(b, "INDEX") || x.is_word(b, "TRIGGER"))
    {
        after.push("ON");
    }
    // A single-table DELETE's table takes no alias: its columns'
    // qualifiers (`tmp.col`, `db.tmp.col`) take the hidden name instead.
    if word(0, "DELETE") {
        if let Some(from) = t.iter().position(|x| x.is_word(b, "FROM")) {
            let modifiers = ["DELETE", "LOW_PRIORITY", "QUICK", "IGNORE"];
            if t[..from]
                .iter()
                .all(|x| modifiers.iter().any(|m| x.is_word(b, m)))
            {
                if let Some((schema, name, next)) = name_at(b, &t, from + 1, mode) {
                    let named = |k: usize| {
                        t.get(k)
                            .filter(|x| matches!(x.kind, Kind::Word | Kind::QuotedIdent))
                            .and_then(|x| x.name(b, mode))
                    };
                    for q in next..t.len() {
                        let qualifier = named(q).as_deref() == Some(name.as_str())
                            && t.get(q + 1).is_some_and(|x| x.is_punct(b'.'))
                            && named(q + 2).is_some()
                            && !t
                                .get(q + 3)
                                .is_some_and(|x| x.is_punct(b'(') || x.is_punct(b'.'));
                        if !qualifier {
                            continue;
                        }
                        // `db.tmp.col`: the database must be the table's.
                        let db_named = (q >= 2 && t[q - 1].is_punct(b'.')).then(|| named(q - 2));
                        let q_schema = match db_named {
                            Some(Some(d)) => Some(d),
                            Some(None) => continue,
                            None => schema.clone(),
                        };
                        if is_temporary(&q_schema, &name) {
                            add(&mut edits, t[q].start..t[q].end, None, name.clone(), false);
                        }
                    }
                    add(
                        &mut edits,
                        t[from + 1].start..t[next - 1].end,
                        schema,
                        name,
                        false,
                    );
                }
            }
        }
    }
    for i in 0..t.len() {
        if !after.iter().any(|w| t[i].is_word(b, w)) {
            continue;
        }
        let describes = ["DESCRIBE", "DESC", "EXPLAIN"]
            .iter()
            .any(|w| t[i].is_word(b, w));
        if describes && i > 0 {
            continue;
        }
        // CREATE TABLE names a new table: a base table of a temporary
        // one's name is the client's to make.
        if creates_table && t[i].is_word(b, "TABLE") && i <= 3 {
            continue;
        }
        let mut k = i + 1;
        if t[i].is_word(b, "TABLE") && word(k, "IF") && word(k + 1, "EXISTS") {
            k += 2;
        }
        while let Some((schema, name, next)) = name_at(b, &t, k, mode) {
            add(&mut edits, t[k].start..t[next - 1].end, schema, name, false);
            // DROP TABLE a, b and SHOW ... FROM t FROM db name lists.
            if word(0, "DROP") && t.get(next).is_some_and(|x| x.is_punct(b',')) {
                k = next + 1;
                continue;
            }
            break;
        }
    }
    if dml || creates_table {
        if let Ok(refs) = table_refs(&sql[t[0].start..t[t.len() - 1].end]) {
            let base = t[0].start;
            for r in refs {
                let span = base + r.name_span.start..base + r.name_span.end;
                let from_clause = !edits.iter().any(|e| e.0.start == span.start);
                add(
                    &mut edits,
                    span,
                    r.schema.clone(),
                    r.name.clone(),
                    from_clause && r.alias.is_none(),
                );
            }
        } else if dml {
            return Err("this statement over a temporary table (vdb cannot analyse it)".into());
        }
    }
    if edits.is_empty() {
        return Ok(None);
    }
    edits.sort_by_key(|e| e.0.start);
    let mut out = String::with_capacity(sql.len() + 64);
    let mut at = 0;
    for (span, schema, name, alias) in edits {
        out.push_str(&sql[at..span.start]);
        if let Some(s) = &schema {
            out.push_str(&quote_ident(s));
            out.push('.');
        }
        out.push_str(&quote_ident(&hidden(&name)));
        if alias {
            out.push_str(" AS ");
            out.push_str(&quote_ident(&name));
        }
        at = span.end;
    }
    out.push_str(&sql[at..]);
    Ok(Some((out, moves)))
}

/// A table named in a statement: (database as written, name), and where
/// the name is in the text.
type Named = ((Option<String>, String), Range<usize>);

/// The (from, to) pairs of RENAME TABLE, or of ALTER TABLE ... RENAME
/// [TO | AS] (not RENAME COLUMN, INDEX or KEY).
fn rename_pairs(b: &[u8], t: &[Token], mode: LexMode) -> Vec<(Named, Named)> {
    let word = |i: usize, w: &str| t.get(i).is_some_and(|x| x.is_word(b, w));
    let named = |i: usize| -> Option<(Named, usize)> {
        let (schema, name, next) = name_at(b, t, i, mode)?;
        Some((((schema, name), t[i].start..t[next - 1].end), next))
    };
    // `WAIT n` or NOWAIT after a table name.
    let waits = |i: usize| {
        if word(i, "NOWAIT") {
            i + 1
        } else if word(i, "WAIT") {
            i + 2
        } else {
            i
        }
    };
    let mut pairs = Vec::new();
    if word(0, "RENAME") && (word(1, "TABLE") || word(1, "TABLES")) {
        let mut i = 2;
        if word(2, "IF") && word(3, "EXISTS") {
            i = 4;
        }
        while let Some(((from, from_span), next)) = named(i) {
            let next = waits(next);
            if !word(next, "TO") {
                break;
            }
            let Some(((to, to_span), after)) = named(next + 1) else {
                break;
            };
            pairs.push(((from, from_span), (to, to_span)));
            if !t.get(after).is_some_and(|x| x.is_punct(b',')) {
                break;
            }
            i = after + 1;
        }
    } else if word(0, "ALTER") {
        let Some(table) = t.iter().take(4).position(|x| x.is_word(b, "TABLE")) else {
            return pairs;
        };
        let mut i = table + 1;
        if word(i, "IF") && word(i + 1, "EXISTS") {
            i += 2;
        }
        let Some(((from, from_span), next)) = named(i) else {
            return pairs;
        };
        for (k, token) in t.iter().enumerate().skip(next) {
            if !token.is_word(b, "RENAME")
                || ["COLUMN", "INDEX", "KEY"].iter().any(|w| word(k + 1, w))
            {
                continue;
            }
            let j = if word(k + 1, "TO") || word(k + 1, "AS") {
                k + 2
            } else {
                k + 1
            };
            if let Some(((to, to_span), _)) = named(j) {
                pairs.push(((from.clone(), from_span.clone()), (to, to_span)));
            }
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renamed(sql: &str) -> Option<String> {
        let temps = vec![("shop".to_string(), "tmp".to_string())];
        rename(sql, LexMode::default(), Some("shop"), &temps, |n| {
            hidden_name(7, n)
        })
        .unwrap()
    }

    #[test]
    fn hidden_names_show_as_the_client_gave_them() {
        let h = hidden_name(12, "t#1");
        assert_eq!(shown_name(&h), "t#1");
        assert_eq!(shown_name("plain"), "plain");
        assert_eq!(
            unmark(&format!("Table 'shop.{h}' doesn't exist; {MARK}x")),
            format!("Table 'shop.t#1' doesn't exist; {MARK}x")
        );
    }

    #[test]
    fn create_and_drop_temporary_table_are_read() {
        let Some(Temporary::Create { text, schema, name }) = read(
            "CREATE TEMPORARY TABLE IF NOT EXISTS shop.tmp (a INT)",
            LexMode::default(),
            3,
        ) else {
            panic!()
        };
        assert_eq!(
            text,
            "CREATE TABLE IF NOT EXISTS `shop`.`#vdb-temporary#3#tmp` (a INT)"
        );
        assert_eq!((schema.as_deref(), name.as_str()), (Some("shop"), "tmp"));
        assert_eq!(
            read(
                "DROP TEMPORARY TABLE IF EXISTS a, d.b",
                LexMode::default(),
                3
            ),
            Some(Temporary::Drop {
                tables: vec![(None, "a".into()), (Some("d".into()), "b".into())],
                if_exists: true
            })
        );
        assert_eq!(read("CREATE TABLE t (a INT)", LexMode::default(), 3), None);
    }

    #[test]
    fn references_to_a_temporary_table_take_its_hidden_name() {
        let h = "`#vdb-temporary#7#tmp`";
        assert_eq!(renamed("SELECT 1 FROM other"), None);
        assert_eq!(
            renamed("SELECT tmp.a FROM tmp JOIN other o ON o.id = tmp.a WHERE tmp.a > 1"),
            Some(format!(
                "SELECT tmp.a FROM {h} AS `tmp` JOIN other o ON o.id = tmp.a WHERE tmp.a > 1"
            ))
        );
        assert_eq!(
            renamed("INSERT INTO tmp (a) SELECT x FROM shop.tmp t2"),
            Some(format!("INSERT INTO {h} (a) SELECT x FROM `shop`.{h} t2"))
        );
        assert_eq!(
            renamed("UPDATE tmp SET a = 2"),
            Some(format!("UPDATE {h} AS `tmp` SET a = 2"))
        );
        assert_eq!(
            renamed("ALTER TABLE tmp ADD b INT"),
            Some(format!("ALTER TABLE {h} ADD b INT"))
        );
        assert_eq!(
            renamed("SHOW CREATE TABLE tmp"),
            Some(format!("SHOW CREATE TABLE {h}"))
        );
        assert_eq!(
            renamed("SHOW COLUMNS FROM tmp FROM shop"),
            Some(format!("SHOW COLUMNS FROM {h} FROM shop"))
        );
        assert_eq!(renamed("DESCRIBE tmp"), Some(format!("DESCRIBE {h}")));
        assert_eq!(
            renamed("DROP TABLE IF EXISTS other, tmp"),
            Some(format!("DROP TABLE IF EXISTS other, {h}"))
        );
        assert_eq!(
            renamed("CREATE INDEX i ON tmp (a)"),
            Some(format!("CREATE INDEX i ON {h} (a)"))
        );
        assert_eq!(renamed("TRUNCATE tmp"), Some(format!("TRUNCATE {h}")));
        assert_eq!(
            renamed("DELETE FROM tmp WHERE a IN (SELECT a FROM tmp)"),
            Some(format!(
                "DELETE FROM {h} WHERE a IN (SELECT a FROM {h} AS `tmp`)"
            ))
        );
        assert_eq!(
            renamed("DELETE FROM tmp WHERE tmp.a = 1 AND `tmp`.b = 2 AND shop.tmp.c = 3 AND x.tmp.d = 4"),
            Some(format!(
                "DELETE FROM {h} WHERE {h}.a = 1 AND {h}.b = 2 AND shop.{h}.c = 3 AND x.tmp.d = 4"
            ))
        );
        // A table of another database, a column, a string: not the table.
        assert_eq!(renamed("SELECT tmp FROM other.tmp WHERE x = 'tmp'"), None);
        // CREATE TABLE of its name makes a base table; LIKE copies it.
        assert_eq!(
            renamed("CREATE TABLE tmp2 LIKE tmp"),
            Some(format!("CREATE TABLE tmp2 LIKE {h}"))
        );
        assert_eq!(renamed("CREATE TABLE tmp (a INT)"), None);
        assert!(rename(
            "RENAME TABLE tmp TO t2",
            LexMode::default(),
            Some("shop"),
            &[("shop".into(), "tmp".into())],
            |n| hidden_name(7, n)
        )
        .is_err());
    }

    fn moved(sql: &str) -> Result<Option<(String, Vec<Move>)>, String> {
        let temps = vec![("shop".to_string(), "tmp".to_string())];
        super::renamed(sql, LexMode::default(), Some("shop"), &temps, |n| {
            hidden_name(7, n)
        })
    }

    #[test]
    fn renaming_a_temporary_table_gives_its_new_name_a_hidden_one_too() {
        let s = |d: &str, n: &str| (d.to_string(), n.to_string());
        assert_eq!(
            moved("RENAME TABLE other TO o2, tmp WAIT 1 TO t2").unwrap(),
            Some((
                "RENAME TABLE other TO o2, `#vdb-temporary#7#tmp` WAIT 1 TO `#vdb-temporary#7#t2`"
                    .to_string(),
                vec![(s("shop", "tmp"), s("shop", "t2"))]
            ))
        );
        assert_eq!(
            moved("ALTER TABLE shop.tmp ADD b INT, RENAME COLUMN a TO c, RENAME AS d.t3").unwrap(),
            Some((
                "ALTER TABLE `shop`.`#vdb-temporary#7#tmp` ADD b INT, RENAME COLUMN a TO c, RENAME AS `d`.`#vdb-temporary#7#t3`"
                    .to_string(),
                vec![(s("shop", "tmp"), s("d", "t3"))]
            ))
        );
        // A base table keeps its new name, even a temporary table's.
        assert_eq!(moved("RENAME TABLE other TO tmp").unwrap(), None);
        assert!(moved("RENAME TABLE tmp TO a, a TO b").is_err());
    }
}

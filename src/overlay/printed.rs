//! Expressions of a created or altered table as the server prints them:
//! a generated column's expression (GENERATION_EXPRESSION, SHOW CREATE
//! TABLE) and an expression DEFAULT (COLUMN_DEFAULT: `(`a` + 1)`,
//! `uuid()`).
//!
//! MariaDB prints an expression from its parsed form (`a+b` becomes
//! `` `a` + `b` ``, `not a` becomes `` `a` = 0 ``). Rather than copy that
//! printer, vdb asks the source for it: `EXPLAIN EXTENDED` of a SELECT of
//! the expressions over a derived table with the table's columns (typed
//! NULLs) leaves the printed statement in its note 1003, from which the
//! expressions are cut. EXPLAIN runs nothing. The derived table is a
//! two-row UNION so that the optimizer cannot replace its columns by
//! their values.

use crate::delta::{ColumnMeta, TableMeta};
use crate::protocol::response::{err_message, err_state};
use crate::sql::lexer::{lex, Kind, LexMode};
use crate::sql::rewrite::quote_ident;
use crate::upstream::{Upstream, UpstreamError};

use super::ddl::{cast_target, is_string, server};
use super::OverlayError;

/// The derived table's name, cut from the printed expressions.
const TABLE: &str = "vdb_printed";

/// One expression to print, and the clause the server names in its
/// "Unknown column" error for it (`GENERATED ALWAYS AS`, `DEFAULT`).
pub(super) struct Expression<'a> {
    pub text: &'a str,
    pub clause: &'a str,
}

/// `exprs`, each over a table with `columns`, as the server prints them.
/// An error is the one the server gives for the first expression it
/// rejects.
pub(super) fn printed(
    up: &mut Upstream,
    columns: &[ColumnMeta],
    exprs: &[Expression],
) -> Result<Vec<String>, OverlayError> {
    if exprs.is_empty() {
        return Ok(Vec::new());
    }
    match print_all(up, columns, exprs) {
        Ok(p) => Ok(p),
        Err(OverlayError::Server { .. }) => {
            // Which one: the server checks a table's expressions in column
            // order, and so does this.
            for e in exprs {
                if let Err(err) = print_all(up, columns, std::slice::from_ref(e)) {
                    return Err(in_clause(err, e.clause));
                }
            }
            Err(OverlayError::Unsupported(
                "an expression the source rejects only together with others".into(),
            ))
        }
        Err(e) => Err(e),
    }
}

/// The server's 1054 names the clause the column was looked for in.
fn in_clause(e: OverlayError, clause: &str) -> OverlayError {
    match e {
        OverlayError::Server {
            code: 1054,
            state,
            message,
        } => OverlayError::Server {
            code: 1054,
            state,
            message: message
                .replace("in 'field list'", &format!("in '{clause}'"))
                .replace("in 'SELECT'", &format!("in '{clause}'")),
        },
        e => e,
    }
}

fn print_all(
    up: &mut Upstream,
    columns: &[ColumnMeta],
    exprs: &[Expression],
) -> Result<Vec<String>, OverlayError> {
    let nulls: Vec<String> = columns
        .iter()
        .map(|c| {
            let mut s = format!("CAST(NULL AS {})", cast_target(&c.column));
            if let (true, Some(co)) = (is_string(&c.column.data_type), &c.column.collation) {
                s.push_str(&format!(" COLLATE {co}"));
            }
            format!("{s} AS {}", quote_ident(&c.name))
        })
        .collect();
    let row = nulls.join(", ");
    let list: Vec<String> = exprs
        .iter()
        .enumerate()
        .map(|(i, e)| format!("({}) AS vdb_e{i}", e.text))
        .collect();
    let sql = format!(
        "EXPLAIN EXTENDED SELECT {} FROM (SELECT {row} UNION ALL SELECT {row}) AS {TABLE}",
        list.join(", ")
    );
    match up.query(&sql) {
        Ok(_) => {}
        Err(UpstreamError::Server { code, payload }) => {
            return Err(OverlayError::Server {
                code,
                state: err_state(&payload),
                message: err_message(&payload),
            })
        }
        Err(e) => return Err(e.into()),
    }
    let note = up
        .query("SHOW WARNINGS")?
        .into_iter()
        .find(|r| r.get(1).and_then(|c| c.as_deref()) == Some(b"1003"))
        .and_then(|r| r.get(2).cloned().flatten())
        .map(|m| String::from_utf8_lossy(&m).into_owned())
        .ok_or_else(|| unprinted("EXPLAIN EXTENDED left no note"))?;
    cut(&note, exprs.len())
}

fn unprinted(why: &str) -> OverlayError {
    OverlayError::Unsupported(format!(
        "an expression the source does not print back ({why})"
    ))
}

/// The `n` expressions of a printed `select e0 AS `vdb_e0`,e1 AS ...`.
fn cut(note: &str, n: usize) -> Result<Vec<String>, OverlayError> {
    let start = note.find("select ").ok_or_else(|| unprinted("no select"))? + "select ".len();
    let mut rest = &note[start..];
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let marker = format!(" AS `vdb_e{i}`");
        let at = rest.find(&marker).ok_or_else(|| unprinted("no alias"))?;
        out.push(unqualified(&rest[..at]));
        rest = rest[at + marker.len()..].trim_start_matches(',');
    }
    Ok(out)
}

/// A printed expression without the derived table's name before its
/// columns.
fn unqualified(expr: &str) -> String {
    let b = expr.as_bytes();
    let mode = LexMode::default();
    let mut out = String::with_capacity(expr.len());
    let mut at = 0;
    for t in lex(b, mode).tokens {
        if t.kind == Kind::QuotedIdent
            && t.name(b, mode).as_deref() == Some(TABLE)
            && b.get(t.end) == Some(&b'.')
        {
            out.push_str(&expr[at..t.start]);
            at = t.end + 1;
        }
    }
    out.push_str(&expr[at..]);
    out
}

/// Whether a DEFAULT is a literal (a number, a string, NULL, ...), which
/// the server stores converted to the column's type, rather than an
/// expression, which it stores as printed and evaluates for each row.
pub(super) fn is_literal(default: &str) -> bool {
    let b = default.as_bytes();
    let mode = LexMode::default();
    let tokens = lex(b, mode).tokens;
    let mut t: &[crate::sql::lexer::Token] = &tokens;
    while t.len() >= 2 && t[0].is_punct(b'(') && t[t.len() - 1].is_punct(b')') {
        t = &t[1..t.len() - 1];
    }
    let (Some(first), Some(last)) = (t.first(), t.last()) else {
        return false;
    };
    let text = default[first.start..last.end].trim_start_matches(['-', '+']);
    let number = (text.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && text.parse::<f64>().is_ok())
        || (text.len() > 2 && text[..2].eq_ignore_ascii_case("0x"))
        || (text.len() > 2 && text[..2].eq_ignore_ascii_case("0b"));
    number
        || match t {
            [one] => {
                one.kind == Kind::Str || ["NULL", "TRUE", "FALSE"].iter().any(|w| one.is_word(b, w))
            }
            // _utf8mb4'x', X'41', b'1', N'x'
            [prefix, s] => {
                prefix.kind == Kind::Word && s.kind == Kind::Str && prefix.end == s.start
            }
            _ => false,
        }
}

/// An expression DEFAULT as COLUMN_DEFAULT and SHOW CREATE TABLE show it:
/// a function call as printed, any other expression in parentheses.
pub(super) fn default_text(printed: &str) -> String {
    let b = printed.as_bytes();
    let tokens = lex(b, LexMode::default()).tokens;
    let call = match tokens.as_slice() {
        [name, open, .., close]
            if name.kind == Kind::Word && open.is_punct(b'(') && close.is_punct(b')') =>
        {
            // The call's own parenthesis closes last.
            let mut depth = 0;
            let mut closed_at = None;
            for (i, t) in tokens.iter().enumerate().skip(1) {
                if t.is_punct(b'(') {
                    depth += 1;
                } else if t.is_punct(b')') {
                    depth -= 1;
                    if depth == 0 {
                        closed_at = Some(i);
                        break;
                    }
                }
            }
            closed_at == Some(tokens.len() - 1)
        }
        _ => false,
    };
    if call {
        printed.to_string()
    } else {
        format!("({printed})")
    }
}

/// A created or altered table's generated expressions and expression
/// defaults, printed by the source (see the module's comment), checked
/// as the server checks them when it creates the table.
pub(super) fn print_expressions(
    up: &mut Upstream,
    mut meta: TableMeta,
) -> Result<TableMeta, OverlayError> {
    let mut which = Vec::new();
    let mut texts = Vec::new();
    for (i, c) in meta.columns.iter().enumerate() {
        if let Some(g) = &c.generated {
            // EXPLAIN prints a subquery optimized away: look for it in the
            // text as written.
            if has_subquery(&g.expr) {
                return Err(cannot_use("select ...", &c.name));
            }
            which.push((i, true));
            texts.push(g.expr.clone());
        } else if let Some(d) = &c.default {
            if !is_literal(d) && !d.starts_with("current_timestamp") {
                which.push((i, false));
                texts.push(d.clone());
            }
        }
    }
    let exprs: Vec<Expression> = which
        .iter()
        .zip(&texts)
        .map(|(&(_, generated), text)| Expression {
            text,
            clause: if generated {
                "GENERATED ALWAYS AS"
            } else {
                "DEFAULT"
            },
        })
        .collect();
    let printed = printed(up, &meta.columns, &exprs)?;
    for (&(i, generated), p) in which.iter().zip(printed) {
        if generated {
            check_generated(&meta, i, &p)?;
            if let Some(g) = meta.columns[i].generated.as_mut() {
                g.expr = p;
            }
        } else {
            meta.columns[i].default = Some(default_text(&p));
        }
    }
    Ok(meta)
}

/// Functions whose value is not a function of the row: the server refuses
/// them in a STORED generated column.
const NOT_DETERMINISTIC: &[&str] = &[
    "current_timestamp",
    "curdate",
    "curtime",
    "sysdate",
    "utc_date",
    "utc_time",
    "utc_timestamp",
    "unix_timestamp",
    "rand",
    "uuid",
    "uuid_short",
    "sys_guid",
    "connection_id",
    "user",
    "current_user",
    "current_role",
    "session_user",
    "system_user",
    "database",
    "last_insert_id",
    "found_rows",
    "row_count",
    "get_lock",
    "release_lock",
    "is_free_lock",
    "is_used_lock",
    "sleep",
    "benchmark",
    "nextval",
    "lastval",
    "setval",
];

/// Whether an expression holds a subquery.
fn has_subquery(expr: &str) -> bool {
    let b = expr.as_bytes();
    lex(b, LexMode::default())
        .tokens
        .iter()
        .any(|t| t.kind == Kind::Word && t.is_word(b, "select"))
}

/// The server's 1901 for what a generated column `of` may not use.
fn cannot_use(what: &str, of: &str) -> OverlayError {
    server(
        1901,
        "HY000",
        format!(
            "Function or expression '{what}' cannot be used in the GENERATED ALWAYS AS clause of {}",
            quote_ident(of)
        ),
    )
}

/// What the server refuses in generated column `i`'s printed expression:
/// a function that is not deterministic in a stored column (1901), the
/// AUTO_INCREMENT column in a stored one (1901), or a generated column defined after it
/// (4029).
fn check_generated(meta: &TableMeta, i: usize, printed: &str) -> Result<(), OverlayError> {
    let column = &meta.columns[i];
    let stored = column.generated.as_ref().is_some_and(|g| g.stored);
    let cannot = cannot_use;
    let b = printed.as_bytes();
    let mode = LexMode::default();
    for t in lex(b, mode).tokens {
        let is_call = b.get(t.end) == Some(&b'(');
        if t.kind == Kind::Word && is_call && stored {
            let name = String::from_utf8_lossy(t.text(b)).to_ascii_lowercase();
            if NOT_DETERMINISTIC.contains(&name.as_str()) {
                return Err(cannot(&format!("{name}()"), &column.name));
            }
        }
        if t.kind != Kind::QuotedIdent || is_call {
            continue;
        }
        let Some(name) = t.name(b, mode) else {
            continue;
        };
        let Some(j) = meta.position(&name) else {
            continue;
        };
        let other = &meta.columns[j];
        // A VIRTUAL column may read it (computed when read, once the row
        // has its value).
        if other.auto_increment && stored {
            return Err(cannot("AUTO_INCREMENT", &other.name));
        }
        if j >= i && other.generated.is_some() {
            return Err(server(
                4029,
                "01000",
                format!(
                    "Expression for field {} is referring to uninitialized field {}",
                    quote_ident(&column.name),
                    quote_ident(&other.name)
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_defaults_are_told_from_expressions() {
        for lit in [
            "1",
            "-1.5",
            "'x'",
            "(1)",
            "_utf8mb4'x'",
            "X'41'",
            "b'1'",
            "NULL",
            "TRUE",
        ] {
            assert!(is_literal(lit), "{lit}");
        }
        for expr in [
            "(1 + 1)",
            "uuid()",
            "concat('a','b')",
            "`a`",
            "(`a` + 1)",
            "-`a`",
        ] {
            assert!(!is_literal(expr), "{expr}");
        }
    }

    #[test]
    fn expression_defaults_are_parenthesised_unless_a_call() {
        assert_eq!(default_text("uuid()"), "uuid()");
        assert_eq!(default_text("concat('a',`b`)"), "concat('a',`b`)");
        assert_eq!(default_text("1 + 1"), "(1 + 1)");
        assert_eq!(default_text("abs(`a`) + 1"), "(abs(`a`) + 1)");
    }

    #[test]
    fn printed_expressions_are_cut_from_the_note_and_unqualified() {
        let note = "/* select#1 */ select `vdb_printed`.`a` + `vdb_printed`.`b` AS `vdb_e0`,\
                    concat(`vdb_printed`.`a`,'`vdb_printed`.') AS `vdb_e1` from (...) `vdb_printed`";
        let cut = cut(note, 2).unwrap();
        assert_eq!(cut, ["`a` + `b`", "concat(`a`,'`vdb_printed`.')"]);
    }
}

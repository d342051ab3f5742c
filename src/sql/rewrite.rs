//! The overlay rewrite: every reference to a changed table becomes a derived
//! table that the source evaluates as the merged view,
//!
//! ```sql
//! (SELECT <columns> FROM `db`.`t` WHERE (<key>) NOT IN (<changed keys>)
//!  UNION ALL SELECT <row 1 literals> UNION ALL ...) AS `t`
//! ```
//!
//! spliced into the client's text in place of the table name, every other
//! byte kept (see ../shared/design/overlay.md, sections 1 and 3).

use super::tables::TableRef;

/// Backquotes an identifier.
pub fn quote_ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// A definer (`user@host`, as information_schema spells it) as DDL writes
/// it: `` `user`@`host` `` (host `%` when it names none).
pub fn quote_definer(definer: &str) -> String {
    let (user, host) = definer.rsplit_once('@').unwrap_or((definer, "%"));
    format!("{}@{}", quote_ident(user), quote_ident(host))
}

/// `SELECT <row 1> AS <names> UNION ALL SELECT <row 2> ...`: a result of
/// literal rows whose values `lit` writes; with no row, one row of
/// `lit(None)` under a false WHERE, so the columns keep their types.
pub fn literal_rows(
    names: &[&str],
    rows: &[Vec<Option<String>>],
    lit: impl Fn(Option<&str>) -> String,
) -> String {
    let named = |values: Vec<String>| -> String {
        values
            .iter()
            .zip(names)
            .map(|(v, n)| format!("{v} AS {}", quote_ident(n)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if rows.is_empty() {
        let values = names.iter().map(|_| lit(None)).collect();
        return format!("SELECT {} FROM DUAL WHERE 0", named(values));
    }
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            let values: Vec<String> = row.iter().map(|v| lit(v.as_deref())).collect();
            if i == 0 {
                format!("SELECT {}", named(values))
            } else {
                format!("SELECT {}", values.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

/// Replaces each reference for which `derived` gives SQL with that derived
/// table, aliased as the reference was (or by the table's own name, so
/// `t.col` keeps working). All other bytes are kept.
pub fn splice(
    sql: &str,
    refs: &[TableRef],
    mut derived: impl FnMut(&TableRef) -> Option<String>,
) -> String {
    let mut out = String::with_capacity(sql.len() + 256);
    let mut at = 0;
    for r in refs {
        let Some(d) = derived(r) else { continue };
        out.push_str(&sql[at..r.name_span.start]);
        out.push_str(&d);
        if r.alias.is_none() {
            out.push_str(" AS ");
            out.push_str(&quote_ident(&r.name));
        }
        at = r.name_span.end;
    }
    out.push_str(&sql[at..]);
    out
}

/// Drops the database from column references `db.t.col` (and `db.t.*`)
/// whose `db.t` is in `tables`: those tables are now derived tables named
/// `t`, which have no database, and the server resolves `t.col` to the
/// same column. Names compare exactly, as written.
pub fn unqualify_columns(sql: &str, tables: &[(String, String)]) -> String {
    let cut = qualified_columns(sql, tables);
    let mut out = String::with_capacity(sql.len());
    let mut at = 0;
    for r in cut {
        out.push_str(&sql[at..r.start]);
        at = r.end;
    }
    out.push_str(&sql[at..]);
    out
}

/// Whether `sql` names a column as `db.t.column` for one of `tables`: a
/// text spliced from it then needs [`unqualify_columns`] (which the
/// derived tables it gains never do: asking the shorter text first spares
/// lexing their literals).
pub fn qualifies_columns(sql: &str, tables: &[(String, String)]) -> bool {
    !qualified_columns(sql, tables).is_empty()
}

/// The `db.` parts of `db.t.column` for `tables`.
fn qualified_columns(sql: &str, tables: &[(String, String)]) -> Vec<std::ops::Range<usize>> {
    use super::lexer::{lex, Kind, LexMode};
    let mut cut: Vec<std::ops::Range<usize>> = Vec::new();
    // `db.t.col` needs two dots: most texts are told without lexing.
    if tables.is_empty() || sql.bytes().filter(|&b| b == b'.').nth(1).is_none() {
        return cut;
    }
    let mode = LexMode::default();
    let bytes = sql.as_bytes();
    let t = lex(bytes, mode).tokens;
    let mut i = 0;
    while i + 4 < t.len() {
        let named = |k: usize| t[k].name(bytes, mode);
        let preceded_by_dot = i > 0 && t[i - 1].is_punct(b'.');
        let column = matches!(
            t[i + 4].kind,
            Kind::Word | Kind::QuotedIdent | Kind::Punct(b'*')
        );
        if !preceded_by_dot && t[i + 1].is_punct(b'.') && t[i + 3].is_punct(b'.') && column {
            if let (Some(db), Some(table)) = (named(i), named(i + 2)) {
                if tables.iter().any(|(d, n)| *d == db && *n == table) {
                    cut.push(t[i].start..t[i + 2].start);
                    i += 5;
                    continue;
                }
            }
        }
        i += 1;
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::tables::table_refs;

    #[test]
    fn columns_qualified_with_the_database_lose_it_when_the_table_is_derived() {
        let tables = vec![("shop".to_string(), "t".to_string())];
        assert_eq!(
            unqualify_columns(
                "SELECT shop.t.a, `shop`.`t`.*, shop.u.b, x.shop.t.c, 'shop.t.d' FROM (D) AS `t`",
                &tables
            ),
            "SELECT t.a, `t`.*, shop.u.b, x.shop.t.c, 'shop.t.d' FROM (D) AS `t`"
        );
    }

    #[test]
    fn a_changed_table_becomes_a_derived_table_with_its_alias() {
        let sql = "SELECT x.v FROM t AS x JOIN u ON u.id = x.id WHERE x.id IN (SELECT id FROM t)";
        let refs = table_refs(sql).unwrap();
        let out = splice(sql, &refs, |r| (r.name == "t").then(|| "(D)".to_string()));
        assert_eq!(out, "SELECT x.v FROM (D) AS x JOIN u ON u.id = x.id WHERE x.id IN (SELECT id FROM (D) AS `t`)");
    }
}

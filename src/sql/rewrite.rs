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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::tables::table_refs;

    #[test]
    fn a_changed_table_becomes_a_derived_table_with_its_alias() {
        let sql = "SELECT x.v FROM t AS x JOIN u ON u.id = x.id WHERE x.id IN (SELECT id FROM t)";
        let refs = table_refs(sql).unwrap();
        let out = splice(sql, &refs, |r| (r.name == "t").then(|| "(D)".to_string()));
        assert_eq!(out, "SELECT x.v FROM (D) AS x JOIN u ON u.id = x.id WHERE x.id IN (SELECT id FROM (D) AS `t`)");
    }
}

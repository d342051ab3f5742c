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

use super::literal::{BadValue, Column};
use super::tables::TableRef;

/// A value as the source returned it (text protocol, column charset);
/// `None` is NULL.
pub type Value = Option<Vec<u8>>;

/// What the merged view of one table is made of.
#[derive(Clone, Debug)]
pub struct ChangedTable {
    /// The table's database.
    pub schema: String,
    /// Its name.
    pub name: String,
    /// Its columns in table order: name and type.
    pub columns: Vec<(String, Column)>,
    /// Positions of the key columns (primary key, else a NOT NULL unique key).
    pub key: Vec<usize>,
    /// Source keys whose rows the delta replaces or removes.
    pub hidden: Vec<Vec<Value>>,
    /// The delta's rows, all columns in table order.
    pub rows: Vec<Vec<Value>>,
}

/// Backquotes an identifier.
pub fn quote_ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

impl ChangedTable {
    /// The derived table's SQL, without the alias.
    pub fn derived_sql(&self) -> Result<String, BadValue> {
        let cols: Vec<String> = self.columns.iter().map(|(n, _)| quote_ident(n)).collect();
        let mut sql = format!(
            "(SELECT {} FROM {}.{}",
            cols.join(", "),
            quote_ident(&self.schema),
            quote_ident(&self.name)
        );
        if !self.hidden.is_empty() {
            let key_cols: Vec<String> = self
                .key
                .iter()
                .map(|&i| quote_ident(&self.columns[i].0))
                .collect();
            let mut keys = Vec::with_capacity(self.hidden.len());
            for k in &self.hidden {
                let mut lits = Vec::with_capacity(k.len());
                for (v, &i) in k.iter().zip(&self.key) {
                    lits.push(self.columns[i].1.literal(v.as_deref())?);
                }
                keys.push(format!("({})", lits.join(", ")));
            }
            sql.push_str(&format!(
                " WHERE ({}) NOT IN ({})",
                key_cols.join(", "),
                keys.join(", ")
            ));
        }
        for row in &self.rows {
            let mut lits = Vec::with_capacity(row.len());
            for (v, (_, col)) in row.iter().zip(&self.columns) {
                lits.push(col.literal(v.as_deref())?);
            }
            sql.push_str(" UNION ALL SELECT ");
            sql.push_str(&lits.join(", "));
        }
        sql.push(')');
        Ok(sql)
    }
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

    fn int() -> Column {
        Column {
            data_type: "int".into(),
            column_type: "int(11)".into(),
            charset: None,
            collation: None,
        }
    }

    #[test]
    fn a_changed_table_becomes_a_derived_table_with_its_alias() {
        let t = ChangedTable {
            schema: "db".into(),
            name: "t".into(),
            columns: vec![("id".into(), int()), ("v".into(), int())],
            key: vec![0],
            hidden: vec![vec![Some(b"2".to_vec())]],
            rows: vec![vec![Some(b"2".to_vec()), None]],
        };
        let d = t.derived_sql().unwrap();
        assert_eq!(
            d,
            "(SELECT `id`, `v` FROM `db`.`t` WHERE (`id`) NOT IN ((CAST(2 AS SIGNED))) UNION ALL SELECT CAST(2 AS SIGNED), CAST(NULL AS SIGNED))"
        );
        let sql = "SELECT x.v FROM t AS x JOIN u ON u.id = x.id WHERE x.id IN (SELECT id FROM t)";
        let refs = table_refs(sql).unwrap();
        let out = splice(sql, &refs, |r| (r.name == "t").then(|| "(D)".to_string()));
        assert_eq!(out, "SELECT x.v FROM (D) AS x JOIN u ON u.id = x.id WHERE x.id IN (SELECT id FROM (D) AS `t`)");
    }
}

//! The overlay rewrite, checked differentially without the capture path:
//! the changes that turn vdbt_shop into vdbt_shop_after are described as a
//! delta, every reference to a changed table is spliced into a derived
//! table, and the rewritten query over vdbt_shop must return exactly what
//! the original returns over vdbt_shop_after.

use mysql::prelude::Queryable;
use mysql::Value;

use vdb::sql::literal::Column;
use vdb::sql::rewrite::{splice, ChangedTable};
use vdb::sql::tables::table_refs;

use crate::differential::{cases, run_text, ColumnInfoRow};
use crate::harness::source;

/// The delta for `table`, read from vdbt_shop_after: every row whose key is
/// in `changed` there replaces (or removes) the source's row.
fn changed_table(table: &str, key: &str, changed: &[&str]) -> ChangedTable {
    let mut c = source().conn(None);
    c.query_drop("SET character_set_results = NULL").unwrap();
    let cols: Vec<ColumnInfoRow> = c
        .exec(
            "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, CHARACTER_SET_NAME, COLLATION_NAME FROM information_schema.COLUMNS \
             WHERE TABLE_SCHEMA = 'vdbt_shop' AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
            (table,),
        )
        .unwrap();
    let columns: Vec<(String, Column)> = cols
        .into_iter()
        .map(|(n, data_type, column_type, charset, collation)| {
            (
                n,
                Column {
                    data_type,
                    column_type,
                    charset,
                    collation,
                },
            )
        })
        .collect();
    let key_at = columns.iter().position(|(n, _)| n == key).unwrap();
    let list = changed
        .iter()
        .map(|k| format!("'{k}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let rows: Vec<mysql::Row> = c
        .query(format!(
            "SELECT * FROM vdbt_shop_after.`{table}` WHERE `{key}` IN ({list}) ORDER BY 1"
        ))
        .unwrap();
    let bytes = |v: Value| match v {
        Value::NULL => None,
        Value::Bytes(b) => Some(b),
        other => panic!("{other:?}"),
    };
    let rows: Vec<Vec<Option<Vec<u8>>>> = rows
        .into_iter()
        .map(|r| r.unwrap().into_iter().map(bytes).collect())
        .collect();
    ChangedTable {
        schema: "vdbt_shop".into(),
        name: table.into(),
        columns,
        key: vec![key_at],
        hidden: changed
            .iter()
            .map(|k| vec![Some(k.as_bytes().to_vec())])
            .collect(),
        rows,
    }
}

#[test]
fn reads_over_derived_tables_see_exactly_the_changed_data() {
    let changed = [
        changed_table("customers", "id", &["2", "4", "6"]),
        changed_table("orders", "id", &["1", "3", "8", "9"]),
        changed_table("products", "sku", &["B-2", "E-5"]),
    ];
    let derived: Vec<(String, String)> = changed
        .iter()
        .map(|t| (t.name.clone(), t.derived_sql().unwrap()))
        .collect();
    let mut before = source().conn(Some("vdbt_shop"));
    let mut after = source().conn(Some("vdbt_shop_after"));
    let mut compared = 0;
    for sql in cases(include_str!("../cases/overlay_reads.sql")) {
        let refs = table_refs(sql).unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        let rewritten = splice(sql, &refs, |r| {
            let here = r.schema.as_deref().is_none_or(|s| s == "vdbt_shop");
            derived
                .iter()
                .find(|(n, _)| here && *n == r.name)
                .map(|(_, d)| d.clone())
        });
        assert_ne!(rewritten, sql, "{sql} touches a changed table");
        let got = run_text(&mut before, &rewritten);
        let want = run_text(&mut after, sql);
        assert_eq!(got.error, want.error, "{sql}\nrewritten: {rewritten}");
        assert_eq!(got.results.len(), want.results.len(), "{sql}");
        for (g, w) in got.results.iter().zip(&want.results) {
            assert_eq!(g.rows, w.rows, "{sql}\nrewritten: {rewritten}");
            let names = |cols: &Vec<String>| {
                cols.iter()
                    .map(|c| c.split('¦').next().unwrap().to_string())
                    .collect::<Vec<_>>()
            };
            assert_eq!(names(&g.columns), names(&w.columns), "{sql}: column names");
        }
        compared += 1;
    }
    assert!(compared >= 30, "{compared}");
}

/// The performance premise of the overlay (design note, section 2): a WHERE
/// on the derived table is pushed into its source branch, so a point lookup
/// on a changed table still uses the source's primary key.
#[test]
fn a_point_lookup_through_a_derived_table_uses_the_primary_key() {
    let t = changed_table("customers", "id", &["2", "4", "6"]);
    let sql = format!(
        "EXPLAIN SELECT * FROM {} AS c WHERE id = 3",
        t.derived_sql().unwrap()
    );
    let mut c = source().conn(Some("vdbt_shop"));
    let plan: Vec<mysql::Row> = c.query(&sql).unwrap();
    let uses_pk = plan.iter().any(|r| {
        let table: Option<String> = r.get_opt("table").and_then(|v| v.ok());
        let key: Option<String> = r.get_opt("key").and_then(|v| v.ok());
        table.as_deref() == Some("customers") && key.as_deref() == Some("PRIMARY")
    });
    assert!(uses_pk, "{plan:?}");
}

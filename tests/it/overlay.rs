//! The overlay rewrite, checked differentially without the capture path:
//! the changes that turn vdbt_shop into vdbt_shop_after are described as a
//! delta, every reference to a changed table is spliced into a derived
//! table, and the rewritten query over vdbt_shop must return exactly what
//! the original returns over vdbt_shop_after.

use mysql::prelude::Queryable;
use mysql::Value;

use std::sync::Arc;

use vdb::delta::{ColumnMeta, DeltaState, TableDelta, TableId, TableMeta, UniqueKey};
use vdb::overlay::rewrite_read;
use vdb::sql::literal::Column;

use crate::differential::{cases, run_text, ColumnInfoRow};
use crate::harness::source;

/// The delta for `table`, read from vdbt_shop_after: every row whose key is
/// in `changed` there replaces (or removes) the source's row.
fn changed_table(table: &str, key: &str, changed: &[&str]) -> TableDelta {
    let mut c = source().conn(None);
    c.query_drop("SET character_set_results = NULL").unwrap();
    let cols: Vec<ColumnInfoRow> = c
        .exec(
            "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, CHARACTER_SET_NAME, COLLATION_NAME FROM information_schema.COLUMNS \
             WHERE TABLE_SCHEMA = 'vdbt_shop' AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
            (table,),
        )
        .unwrap();
    let columns: Vec<ColumnMeta> = cols
        .into_iter()
        .map(
            |(name, data_type, column_type, charset, collation)| ColumnMeta {
                default_instant: None,
                name,
                column: Column {
                    data_type,
                    column_type,
                    charset,
                    collation,
                },
                nullable: true,
                default: None,
                auto_increment: false,
                generated: None,
                comment: String::new(),
                on_update: None,
            },
        )
        .collect();
    let key_at = columns.iter().position(|c| c.name == key).unwrap();
    let width = columns.len();
    let meta = Arc::new(TableMeta {
        id: TableId {
            schema: "vdbt_shop".into(),
            name: table.into(),
        },
        columns,
        unique_keys: vec![UniqueKey {
            name: "PRIMARY".into(),
            columns: vec![key_at],
            ..UniqueKey::default()
        }],
        foreign_keys: vec![],
        referenced_by: vec![],
        checks: vec![],
        auto_increment: None,
        triggers: vec![],
        created: false,
        indexes: vec![],
        collation: None,
        comment: String::new(),
        row_format: None,
        estimated_rows: None,
        source_indexes: Vec::new(),
    });
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
    let at_source: Vec<mysql::Row> = c
        .query(format!(
            "SELECT `{key}` FROM vdbt_shop.`{table}` WHERE `{key}` IN ({list})"
        ))
        .unwrap();
    let mut t = TableDelta::new(meta, vec![key_at]);
    // Each changed key the source has hides the source's row (as vdb's
    // delta does: a hidden key is a source row) ...
    for k in at_source {
        let mut old = vec![None; width];
        old[key_at] = bytes(k.unwrap().remove(0));
        t.delete(&old);
    }
    // ... and the rows vdbt_shop_after has under those keys take its place.
    for r in rows {
        t.insert(r.unwrap().into_iter().map(bytes).collect());
    }
    t
}

/// The delta that turns vdbt_shop into vdbt_shop_after (tests/it/fixtures.rs).
fn shop_delta() -> DeltaState {
    let mut state = DeltaState::default();
    for t in [
        changed_table("customers", "id", &["2", "4", "6"]),
        changed_table("orders", "id", &["1", "3", "8", "9"]),
        changed_table("products", "sku", &["B-2", "E-5"]),
    ] {
        state.names.push(t.meta.id.name.clone());
        state.tables.insert(t.meta.id.clone(), Arc::new(t));
    }
    state
}

/// [`shop_delta`] with orders `ids` inserted (placed 2025-01-01, total
/// 1.00, no note), each by the customer `customer` names for its id.
fn shop_delta_with_orders(
    ids: std::ops::Range<usize>,
    customer: impl Fn(usize) -> &'static str,
) -> DeltaState {
    let mut state = shop_delta();
    let id = TableId {
        schema: "vdbt_shop".into(),
        name: "orders".into(),
    };
    let mut orders = (*state.tables[&id]).clone();
    let text = |s: &str| Some(s.as_bytes().to_vec());
    for n in ids {
        orders.insert(vec![
            text(&n.to_string()),
            text(customer(n)),
            text("2025-01-01"),
            text("1.00"),
            None,
        ]);
    }
    state.tables.insert(id, Arc::new(orders));
    state
}

/// What a prober answers: the rows of `q` at the source, each value as
/// text, as vdb's session prober gives them.
fn source_rows(conn: &mut mysql::Conn, q: &str) -> Option<Vec<Vec<Option<Vec<u8>>>>> {
    let rows: Vec<mysql::Row> = conn.query(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    Some(
        rows.into_iter()
            .map(|r| {
                r.unwrap()
                    .into_iter()
                    .map(|v| match v {
                        Value::NULL => None,
                        Value::Bytes(b) => Some(b),
                        other => Some(other.as_sql(true).into_bytes()),
                    })
                    .collect()
            })
            .collect(),
    )
}

#[test]
fn reads_over_derived_tables_see_exactly_the_changed_data() {
    let state = shop_delta();
    let mut before = source().conn(Some("vdbt_shop"));
    let mut after = source().conn(Some("vdbt_shop_after"));
    let mut compared = 0;
    let mut probed = 0;
    for sql in cases(include_str!("../cases/overlay_reads.sql")) {
        let want = run_text(&mut after, sql);
        // Without asking the source, and asking it for join keys.
        let plain = rewrite_read(sql.as_bytes(), &state, Some("vdbt_shop"), None)
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        let mut probes = source().conn(Some("vdbt_shop"));
        let mut prober = |q: &str, _: bool| {
            probed += 1;
            source_rows(&mut probes, q)
        };
        let narrowed = rewrite_read(sql.as_bytes(), &state, Some("vdbt_shop"), Some(&mut prober))
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        for rewritten in [plain, narrowed] {
            let rewritten = rewritten.unwrap_or_else(|| sql.to_string());
            let got = run_text(&mut before, &rewritten);
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
        }
        compared += 1;
    }
    assert!(compared >= 50, "{compared}");
    assert!(
        probed >= 5,
        "joins asked the source for their keys: {probed}"
    );
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

/// A read of a few keys that names its changed columns as plain select
/// items is sent as the client's own query with the changed rows written
/// into it: no derived table for the source to prepare and merge (about
/// a fifth of such a read's cost at the source), the key still read by
/// the primary index, and the rows and names exactly the changed data's.
#[test]
fn a_read_of_a_few_keys_writes_the_changed_rows_into_the_query_itself() {
    let state = shop_delta();
    let mut before = source().conn(Some("vdbt_shop"));
    let mut after = source().conn(Some("vdbt_shop_after"));
    // Customer 2 is changed and 4 deleted; the others are the source's.
    for sql in [
        "SELECT id, name, c.country FROM customers AS c WHERE id BETWEEN 1 AND 5",
        "SELECT name AS who FROM customers WHERE id IN (2, 4) ORDER BY id",
        "SELECT COUNT(*) FROM customers WHERE id BETWEEN 0 AND 5",
    ] {
        let rewritten = rewrite_read(sql.as_bytes(), &state, Some("vdbt_shop"), None)
            .unwrap()
            .unwrap_or_else(|| panic!("{sql}: not rewritten"));
        assert!(
            !rewritten.contains("(SELECT"),
            "{sql}\nrewritten: {rewritten}"
        );
        assert!(
            rewritten.contains("NOT IN"),
            "{sql}\nrewritten: {rewritten}"
        );
        let got = run_text(&mut before, &rewritten);
        let want = run_text(&mut after, sql);
        assert_eq!(got.error, want.error, "{sql}");
        assert_eq!(
            got.results[0].rows, want.results[0].rows,
            "{sql}\nrewritten: {rewritten}"
        );
        let names = |cols: &Vec<String>| {
            cols.iter()
                .map(|c| c.split('¦').next().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(&got.results[0].columns),
            names(&want.results[0].columns),
            "{sql}"
        );
        let plan: Vec<mysql::Row> = before.query(format!("EXPLAIN {rewritten}")).unwrap();
        for r in &plan {
            let kind: Option<String> = r.get_opt("select_type").and_then(|v| v.ok());
            let key: Option<String> = r.get_opt("key").and_then(|v| v.ok());
            assert_eq!(kind.as_deref(), Some("SIMPLE"), "{rewritten}: {plan:?}");
            assert_eq!(key.as_deref(), Some("PRIMARY"), "{rewritten}: {plan:?}");
        }
    }
    // A changed column mentioned otherwise than as an item keeps the
    // derived table, which reads it over the changed rows everywhere.
    let sql = "SELECT id FROM customers WHERE id BETWEEN 1 AND 5 AND name LIKE 'L%'";
    let rewritten = rewrite_read(sql.as_bytes(), &state, Some("vdbt_shop"), None)
        .unwrap()
        .unwrap();
    assert!(rewritten.contains("(SELECT"), "{rewritten}");
    assert_eq!(
        run_text(&mut before, &rewritten).results[0].rows,
        run_text(&mut after, sql).results[0].rows
    );
}

/// A join into a changed table asks the source which keys the other side
/// offers, and sends the client's own text right behind that question
/// (one round trip when no changed row is reached). Whichever way it goes,
/// the client sees the merged view, and a read that counts in a user
/// variable counts each row once.
#[test]
fn a_probed_join_answers_over_the_merged_view_whether_or_not_it_reaches_a_changed_row() {
    let before = crate::harness::source_fingerprint();
    let vdb = crate::harness::Vdb::start();
    let mut c = vdb.conn(Some("vdbt_shop"));
    c.query_drop("UPDATE customers SET name = 'Renamed' WHERE id = 1")
        .unwrap();
    let names = |c: &mut mysql::Conn, order: u64| -> Vec<(u64, String)> {
        c.query(format!(
            "SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id BETWEEN {order} AND {order}"
        ))
        .unwrap()
    };
    // Order 3 is customer 2's (unchanged: the text ran ahead is the answer),
    // orders 1 and 2 customer 1's (changed: it is dropped, the merged view
    // answers), several times over, in turn, on one connection.
    for _ in 0..3 {
        assert_eq!(names(&mut c, 3), vec![(3, "Linus".to_string())]);
        assert_eq!(names(&mut c, 1), vec![(1, "Renamed".to_string())]);
        assert_eq!(names(&mut c, 2), vec![(2, "Renamed".to_string())]);
    }
    // An error in the text ran ahead is the client's when it is the answer.
    let err = c
        .query_drop("SELECT o.nope FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id BETWEEN 3 AND 4")
        .unwrap_err();
    assert!(
        matches!(err, mysql::Error::MySqlError(ref e) if e.code == 1054),
        "{err}"
    );
    c.query_drop("SET @n = 0").unwrap();
    let counted: Vec<(i64, String)> = c
        .query("SELECT @n := @n + 1, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id BETWEEN 3 AND 4 ORDER BY o.id")
        .unwrap();
    assert_eq!(
        counted,
        vec![(1, "Linus".to_string()), (2, "Grace Hopper".to_string())]
    );
    let n: i64 = c.query_first("SELECT @n").unwrap().unwrap();
    assert_eq!(n, 2, "each row counted once");
    drop(c);
    crate::harness::assert_source_unchanged(&before);
}

#[test]
fn a_prepared_read_is_narrowed_per_execution_beside_views_over_other_changed_tables() {
    // Any DDL changes the catalog's tables, which the source's own views
    // (sys's) read: those views must not stop other statements from being
    // narrowed by their execution's values.
    let mut state = shop_delta();
    let view = TableId {
        schema: "sys".into(),
        name: "schema_object_overview".into(),
    };
    state
        .views
        .insert(view, Arc::new("SELECT 1 AS `x`".to_string()));
    let sql = b"SELECT id, name FROM customers WHERE id = ?";
    let bound = b"SELECT id, name FROM customers WHERE id = 2";
    let narrowed =
        vdb::overlay::rewrite_bound(sql, bound, &state, Some("vdbt_shop"), None).expect("narrowed");
    // Only the captured row with key 2 is embedded, not 4 or 6.
    assert!(!narrowed.text.contains("Zo"), "{}", narrowed.text);
    assert!(narrowed.text.contains("WHERE id = ?"), "{}", narrowed.text);
    let mut c = source().conn(Some("vdbt_shop"));
    let rows: Vec<(u32, String)> = c.exec(&narrowed.text, (2,)).unwrap();
    let want: Vec<(u32, String)> = source()
        .conn(Some("vdbt_shop_after"))
        .query("SELECT id, name FROM customers WHERE id = 2")
        .unwrap();
    assert_eq!(rows, want);
    // A statement that names such a view is left to the text rewrite.
    let sql = b"SELECT * FROM sys.schema_object_overview WHERE 1 = ?";
    let bound = b"SELECT * FROM sys.schema_object_overview WHERE 1 = 1";
    assert!(vdb::overlay::rewrite_bound(sql, bound, &state, Some("vdbt_shop"), None).is_none());
}

/// A join whose other side offers more rows than vdb takes keys, but few
/// distinct keys, is still narrowed to those keys: the source is asked
/// again, for its distinct keys, and the answer is the merged view's.
#[test]
fn a_join_offering_many_rows_but_few_keys_is_narrowed_to_those_keys() {
    let state = shop_delta_with_orders(1000..1000 + vdb::overlay::MAX_PROBE_KEYS + 500, |id| {
        if id % 2 == 0 {
            "1"
        } else {
            "2"
        }
    });
    let sql = "SELECT c.name, COUNT(*) FROM orders o JOIN customers c ON c.id = o.customer_id \
               WHERE o.id >= 1000 GROUP BY c.name ORDER BY c.name";
    let mut asked = Vec::new();
    let mut probes = source().conn(Some("vdbt_shop"));
    let mut prober = |q: &str, _: bool| {
        asked.push(q.to_string());
        source_rows(&mut probes, q)
    };
    let narrowed = rewrite_read(sql.as_bytes(), &state, Some("vdbt_shop"), Some(&mut prober))
        .unwrap()
        .unwrap();
    assert_eq!(asked.len(), 2, "{asked:?}");
    assert!(asked[1].contains("SELECT DISTINCT"), "{asked:?}");
    // Customer 6 is new but offered by none of these orders: not embedded.
    assert!(narrowed.contains("IN ("), "{narrowed}");
    assert!(!narrowed.contains("4E6577636F6D6572"), "{narrowed}"); // Newcomer
    let rows: Vec<(String, i64)> = source().conn(Some("vdbt_shop")).query(&narrowed).unwrap();
    let want: Vec<(String, i64)> = source()
        .conn(Some("vdbt_shop_after"))
        .query("SELECT name, 0 FROM customers WHERE id IN (1, 2) ORDER BY name")
        .unwrap()
        .into_iter()
        .map(|(name, _): (String, i64)| (name, 750))
        .collect();
    assert_eq!(rows, want);
}

/// Browsing a table with many changed rows (a GUI's first page, the newest
/// rows) must not embed every changed row: vdb asks the source for the
/// first rows in key order and splices a window of just those rows, merged
/// with the delta's at their keys' places.
#[test]
fn a_large_delta_is_browsed_through_a_window_of_the_first_rows() {
    let state = shop_delta_with_orders(1000..4000, |_| "1");
    let mut after = source().conn(Some("vdbt_shop_after"));
    let first_four: Vec<(i64, String)> = after
        .query("SELECT id, total FROM orders ORDER BY id LIMIT 4")
        .unwrap();
    let cases: Vec<(&str, Vec<(i64, String)>)> = vec![
        (
            "SELECT id, total FROM orders ORDER BY id DESC LIMIT 3",
            (3997..4000).rev().map(|n| (n, "1.00".into())).collect(),
        ),
        ("SELECT id, total FROM orders LIMIT 4", first_four.clone()),
        (
            "SELECT o.id, o.total FROM orders o ORDER BY o.id LIMIT 2 OFFSET 2",
            first_four[2..].to_vec(),
        ),
    ];
    for (sql, want) in cases {
        let mut asked = Vec::new();
        let mut probes = source().conn(Some("vdbt_shop"));
        let mut prober = |q: &str, _: bool| {
            asked.push(q.to_string());
            source_rows(&mut probes, q)
        };
        let narrowed = rewrite_read(sql.as_bytes(), &state, Some("vdbt_shop"), Some(&mut prober))
            .unwrap()
            .unwrap();
        assert!(
            asked.len() == 1 && asked[0].contains(" ORDER BY ") && asked[0].contains(" LIMIT "),
            "{sql}: {asked:?}"
        );
        // Four rows' worth of text, not three thousand rows'.
        assert!(narrowed.len() < 2000, "{sql}: {} bytes", narrowed.len());
        let got: Vec<(i64, String)> = source().conn(Some("vdbt_shop")).query(&narrowed).unwrap();
        assert_eq!(got, want, "{sql}\nrewritten: {narrowed}");
    }
    // Without a prober (nothing to ask), no window: the source's first
    // rows in that order, every changed row left out by name, and of the
    // delta's rows only those that may come among the first three.
    let plain = rewrite_read(
        b"SELECT id, total FROM orders ORDER BY id DESC LIMIT 3",
        &state,
        Some("vdbt_shop"),
        None,
    )
    .unwrap()
    .unwrap();
    assert!(plain.contains(" DESC LIMIT 3) UNION ALL "), "{plain}");
    assert_eq!(
        plain.matches("CAST('1.00' AS DECIMAL").count(),
        3,
        "{plain}"
    );
    let got: Vec<(i64, String)> = source().conn(Some("vdbt_shop")).query(&plain).unwrap();
    let newest: Vec<(i64, String)> = (3997..4000).rev().map(|n| (n, "1.00".into())).collect();
    assert_eq!(got, newest, "rewritten: {plain}");
}

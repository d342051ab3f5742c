//! How long vdb takes to decide how a read over a changed table is sent
//! (parse, restriction, delta lookup): `cargo run --release --example rewrite_cost`.
use std::sync::Arc;
use std::time::Instant;

use vdb::delta::{ColumnMeta, DeltaState, TableDelta, TableId, TableMeta, UniqueKey};
use vdb::overlay::rewrite_read;
use vdb::sql::literal::Column;

fn main() {
    let col = |name: &str, data_type: &str, column_type: &str| ColumnMeta {
        default_instant: None,
        name: name.into(),
        column: Column {
            data_type: data_type.into(),
            column_type: column_type.into(),
            charset: (data_type == "char").then(|| "latin1".into()),
            collation: (data_type == "char").then(|| "latin1_swedish_ci".into()),
        },
        nullable: false,
        default: None,
        auto_increment: false,
        generated: None,
        comment: String::new(),
        on_update: None,
    };
    let meta = Arc::new(TableMeta {
        id: TableId {
            schema: "sbtest".into(),
            name: "sbtest1".into(),
        },
        columns: vec![
            col("id", "int", "int(10) unsigned"),
            col("k", "int", "int(10) unsigned"),
            col("c", "char", "char(120)"),
            col("pad", "char", "char(60)"),
        ],
        unique_keys: vec![UniqueKey {
            name: "PRIMARY".into(),
            columns: vec![0],
            ..UniqueKey::default()
        }],
        foreign_keys: vec![],
        referenced_by: vec![],
        checks: vec![],
        auto_increment: Some(1_000_001),
        ..TableMeta::default()
    });
    let mut t = TableDelta::new(meta.clone(), vec![0]);
    let row = |id: u64| {
        vec![
            Some(id.to_string().into_bytes()),
            Some(b"5".to_vec()),
            Some(vec![b'x'; 119]),
            Some(vec![b'y'; 59]),
        ]
    };
    for id in 1_000_001..1_100_001u64 {
        t.insert(row(id));
    }
    for id in (50..1_000_000u64).step_by(50) {
        t.update(&row(id), row(id));
    }
    let mut state = DeltaState::default();
    state.names.push("sbtest1".into());
    state.tables.insert(meta.id.clone(), Arc::new(t));
    for (name, sql) in [
        ("point, unchanged row", "SELECT c FROM sbtest1 WHERE id = 4242"),
        ("point, changed row", "SELECT c FROM sbtest1 WHERE id = 4250"),
        ("range of 100", "SELECT c FROM sbtest1 WHERE id BETWEEN 4200 AND 4299"),
        ("join, s bounded", "SELECT o.id, s.k, s.c FROM orders o JOIN sbtest1 s ON s.id = o.sid WHERE o.id BETWEEN 50 AND 59 AND s.id < 100"),
    ] {
        let n = 20_000;
        let start = Instant::now();
        for _ in 0..n {
            std::hint::black_box(rewrite_read(sql.as_bytes(), &state, Some("sbtest"), None).unwrap());
        }
        println!("{name:24} {:6.1} µs", start.elapsed().as_secs_f64() * 1e6 / n as f64);
    }
    let start = Instant::now();
    let n = 20_000;
    for _ in 0..n {
        std::hint::black_box(
            vdb::sql::tables::table_refs("SELECT c FROM sbtest1 WHERE id = 4242").unwrap(),
        );
    }
    println!(
        "{:24} {:6.1} µs",
        "parse alone",
        start.elapsed().as_secs_f64() * 1e6 / n as f64
    );
}

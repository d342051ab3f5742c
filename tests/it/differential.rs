//! The differential oracle: the same statements through vdb and directly
//! against the source, compared on everything a client can observe.

use mysql::prelude::Queryable;
use mysql::{Conn, Params, Value};

/// COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, CHARACTER_SET_NAME and
/// COLLATION_NAME of information_schema.COLUMNS: what the literal encoder needs.
pub type ColumnInfoRow = (String, String, String, Option<String>, Option<String>);

/// What a client sees of one result (result set or OK).
#[derive(Debug, PartialEq)]
pub struct ResultOutcome {
    /// name, org_name, table, org_table, schema, type, flags, charset, length,
    /// decimals (see [`column_meta`])
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    pub affected_rows: u64,
    pub last_insert_id: Option<u64>,
    pub warnings: u16,
    pub info: String,
}

/// What a client sees of one statement text: its results, then maybe an error.
#[derive(Debug, PartialEq)]
pub struct Outcome {
    pub results: Vec<ResultOutcome>,
    pub error: Option<(u16, String, String)>,
}

/// A column definition as one comparable string, fields separated by `¦`:
/// name, org_name, table, org_table, schema, type, flags, charset, length,
/// decimals.
pub fn column_meta(c: &mysql::Column) -> String {
    format!(
        "{}¦{}¦{}¦{}¦{}¦{:?}¦{:?}¦{}¦{}¦{}",
        c.name_str(),
        c.org_name_str(),
        c.table_str(),
        c.org_table_str(),
        c.schema_str(),
        c.column_type(),
        c.flags(),
        c.character_set(),
        c.column_length(),
        c.decimals()
    )
}

fn server_error(e: mysql::Error) -> (u16, String, String) {
    match e {
        mysql::Error::MySqlError(m) => (m.code, m.state, m.message),
        other => panic!("not a server error: {other}"),
    }
}

/// Runs a text query (COM_QUERY), collecting every result set.
pub fn run_text(conn: &mut Conn, sql: &str) -> Outcome {
    match conn.query_iter(sql) {
        Err(e) => Outcome {
            results: Vec::new(),
            error: Some(server_error(e)),
        },
        Ok(qr) => collect(qr, &[]),
    }
}

/// Prepares and executes a statement (binary protocol). The parameter
/// definitions the prepare returned are compared too, listed after the
/// columns.
pub fn run_binary(conn: &mut Conn, sql: &str, params: Params) -> Outcome {
    let stmt = match conn.prep(sql) {
        Ok(s) => s,
        Err(e) => {
            return Outcome {
                results: Vec::new(),
                error: Some(server_error(e)),
            }
        }
    };
    let params_meta: Vec<String> = stmt
        .params()
        .iter()
        .map(|p| format!("param {}", column_meta(p)))
        .collect();
    let outcome = match conn.exec_iter(&stmt, params) {
        Err(e) => Outcome {
            results: Vec::new(),
            error: Some(server_error(e)),
        },
        Ok(qr) => collect(qr, &params_meta),
    };
    let _ = conn.close(stmt);
    outcome
}

/// Every result set of a response, up to an error if one ends it.
fn collect<P: mysql::prelude::Protocol>(
    mut qr: mysql::QueryResult<'_, '_, '_, P>,
    extra_columns: &[String],
) -> Outcome {
    let mut results = Vec::new();
    let mut error = None;
    while let Some(set) = qr.iter() {
        let mut columns: Vec<String> = set.columns().as_ref().iter().map(column_meta).collect();
        columns.extend(extra_columns.iter().cloned());
        let affected_rows = set.affected_rows();
        let last_insert_id = set.last_insert_id();
        let warnings = set.warnings();
        let info = set.info_str().into_owned();
        let mut rows = Vec::new();
        for row in set {
            match row {
                Ok(r) => rows.push(r.unwrap()),
                Err(e) => {
                    error = Some(server_error(e));
                    break;
                }
            }
        }
        results.push(ResultOutcome {
            columns,
            rows,
            affected_rows,
            last_insert_id,
            warnings,
            info,
        });
        if error.is_some() {
            break;
        }
    }
    Outcome { results, error }
}

/// Asserts two outcomes are the same, naming the statement.
pub fn assert_same(sql: &str, via_vdb: &Outcome, direct: &Outcome) {
    if via_vdb != direct {
        panic!(
            "through vdb and directly differ for:\n  {sql}\nvia vdb: {}\ndirect:  {}",
            summary(via_vdb),
            summary(direct)
        );
    }
}

fn summary(o: &Outcome) -> String {
    let s = format!("{o:?}");
    if s.len() > 3000 {
        format!("{}...", &s[..3000])
    } else {
        s
    }
}

/// The statements of a case file: one per line, `--` comments and blank
/// lines skipped; a line may hold several statements (multi-statement).
pub fn cases(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("-- "))
        .collect()
}

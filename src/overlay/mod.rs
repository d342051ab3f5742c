//! The overlay: reads over the merged view, and writes captured into the
//! delta (see ../shared/design/overlay.md).
//!
//! Reads: a statement that may name a changed table (a cheap name search)
//! is parsed for its table references, and each reference to a changed
//! table is replaced by that table's merged view as a derived table. The
//! source evaluates the query; vdb only splices text.
//!
//! Writes ([`write`]): computed by the source over the merged view, checked
//! and stored by vdb. Nothing in this module sends a write to the source:
//! it sends SELECTs, `EXPLAIN`, session SETs and MariaDB's read-only
//! `BEGIN NOT ATOMIC` blocks (typed variables and cursors, no tables
//! written), all in the session's read-only transaction mode.

pub mod alter;
pub mod catalog;
mod charset;
pub mod database;
pub mod ddl;
pub mod meta;
mod printed;
pub mod trigger;
pub mod view;
pub mod write;

use crate::delta::{DeltaState, Row, TableDelta, TableId, Window};
use crate::sql::columns::NamedColumns;
use crate::sql::restrict::{is_integer, Decimal, Lit, Pred, Probe, Test};
use crate::sql::rewrite::{qualifies_columns, quote_ident, splice, unqualify_columns};
use crate::sql::tables::table_refs;
use crate::upstream::UpstreamError;

/// Why the overlay could not serve a statement.
#[derive(Debug)]
pub enum OverlayError {
    /// The source failed or answered with an error (relayed as is).
    Upstream(UpstreamError),
    /// An error the server itself would raise for this statement, with the
    /// server's code, SQLSTATE and message (1062, 1048, 1451, ...).
    Server {
        /// Error code.
        code: u16,
        /// SQLSTATE.
        state: String,
        /// Message, as the server words it.
        message: String,
    },
    /// A statement form vdb cannot answer exactly yet, by name.
    Unsupported(String),
    /// A row the write changes is locked by another session's transaction
    /// (named): the caller waits for it and runs the write again.
    LockWait(crate::delta::locks::Owner),
}

impl From<UpstreamError> for OverlayError {
    fn from(e: UpstreamError) -> Self {
        OverlayError::Upstream(e)
    }
}

/// Asks the source for a query's rows; `None` when it cannot answer. Used
/// to learn the keys a join offers a changed table, and the keys of the
/// source rows a window of a scan holds ([`crate::delta::TableDelta::window_sql`]). The
/// flag says the statement may still go to the source as it is (the prober
/// may then send it along; see `session::prober`).
pub type Prober<'a> = &'a mut dyn FnMut(&str, bool) -> Option<Vec<Row>>;

/// The most rows a window of a scan's first rows holds (`LIMIT 20 OFFSET
/// 40` uses 60): its text grows with the changed rows among them, but the
/// probe reads all their keys (100,000 keys: under 1 MB, about 50 ms).
const MAX_WINDOW_ROWS: u64 = 100_000;

/// How many distinct join keys a probe may return before vdb gives up on
/// narrowing the join and embeds the whole merged view.
pub const MAX_PROBE_KEYS: usize = 1000;

/// Rewrites a read so that every changed table it names reads the merged
/// view. `None` when it names none (forward the text as it is).
///
/// Each reference embeds only the captured rows the query can use (see
/// [`crate::sql::restrict`]); a reference whose restriction no captured row
/// passes keeps its name. With a `prober`, a changed table joined to one
/// other table is narrowed to the join keys the other side offers, asked of
/// the source first (one extra round trip that saves materializing the
/// whole table). Prepared statements pass none: their text outlives the
/// answer.
pub fn rewrite_read(
    sql: &[u8],
    state: &DeltaState,
    db: Option<&str>,
    prober: Option<Prober>,
) -> Result<Option<String>, OverlayError> {
    Ok(rewrite_traced(sql, state, db, prober)?.map(|r| r.text))
}

/// A statement's kind as a refusal names it: its first keyword, with the
/// object keyword after it (`CHECKSUM TABLE`, `SHOW INDEX`).
fn statement_name(sql: &str) -> String {
    let mut words = sql
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_uppercase);
    let Some(first) = words.next() else {
        return "this statement".into();
    };
    match words.next() {
        Some(w)
            if matches!(
                w.as_str(),
                "TABLE" | "TABLES" | "INDEX" | "INDEXES" | "KEYS" | "COLUMNS" | "FIELDS" | "STATUS"
            ) =>
        {
            format!("{first} {w}")
        }
        _ => first,
    }
}

/// A read rewritten over the merged view.
#[derive(Debug, Clone)]
pub struct Rewritten {
    /// The text to send instead.
    pub text: String,
    /// The names the query knows each spliced derived table by (its alias,
    /// else the table's or view's name): the columns the session describes
    /// as the source describes the client's own query.
    pub derived: Vec<String>,
    /// Those of them that read a table vdb holds the definition of
    /// (created or altered through vdb), with it: the source cannot
    /// describe their columns, vdb does.
    pub created: Vec<(String, std::sync::Arc<crate::delta::TableMeta>)>,
    /// Every changed table spliced in, by the same names, with its
    /// definition.
    pub changed: Vec<(String, std::sync::Arc<crate::delta::TableMeta>)>,
    /// Result columns (by position) that became expressions over a changed
    /// table read in place ([`crate::sql::in_place`]): described as the
    /// source describes the client's own text, as a derived table's are.
    pub items: Vec<usize>,
}

/// [`rewrite_read`], saying which derived tables it spliced in.
pub fn rewrite_traced(
    sql: &[u8],
    state: &DeltaState,
    db: Option<&str>,
    mut prober: Option<Prober>,
) -> Result<Option<Rewritten>, OverlayError> {
    if state.is_empty() || !state.may_touch(sql) {
        return Ok(None);
    }
    let Ok(original) = std::str::from_utf8(sql) else {
        return Err(OverlayError::Unsupported(
            "a statement that is not UTF-8 text over a changed table".into(),
        ));
    };
    let text = original;
    let analyse = |text: &str| {
        table_refs(text).map_err(|e| {
            OverlayError::Unsupported(format!(
                "{} over changed data (vdb cannot analyse it: {})",
                statement_name(original),
                e.0
            ))
        })
    };
    let resolve = |r: &crate::sql::tables::TableRef| {
        Some(catalog::normalize(TableId {
            schema: r.schema.as_deref().or(db)?.to_string(),
            name: r.name.clone(),
        }))
    };
    // Views over changed tables read their definitions (which may name
    // other such views) in place.
    let mut derived: Vec<String> = Vec::new();
    let known_as =
        |r: &crate::sql::tables::TableRef| r.alias.clone().unwrap_or_else(|| r.name.clone());
    let mut expanded: Option<String> = None;
    let mut refs = analyse(text)?;
    for _ in 0..MAX_VIEW_DEPTH {
        if state.views.is_empty() {
            break;
        }
        let current = expanded.as_deref().unwrap_or(text);
        let mut any_view = false;
        let next = splice(current, &refs, |r| {
            let id = resolve(r)?;
            let d = state.views.get(&id)?;
            any_view = true;
            derived.push(known_as(r));
            Some(format!("({d})"))
        });
        if !any_view {
            break;
        }
        refs = analyse(&next)?;
        expanded = Some(next);
    }
    let text = expanded.as_deref().unwrap_or(text);
    let mode = Default::default();
    // ENUM and SET items of ORDER BY sort by their index, as the server
    // sorts them, not by the strings the merged view holds.
    let labelled: Vec<crate::sql::typed_use::Labelled> = refs
        .iter()
        .filter_map(|r| state.tables.get(&resolve(r)?))
        .flat_map(|t| t.meta.columns.iter())
        .filter(|c| matches!(c.column.data_type.as_str(), "enum" | "set"))
        .filter_map(|c| {
            let raw = crate::sql::typed_use::labels(&c.column.column_type);
            let labels = raw
                .iter()
                .map(|l| c.column.literal(Some(l)).ok())
                .collect::<Option<Vec<_>>>()?;
            Some(crate::sql::typed_use::Labelled {
                name: c.name.to_lowercase(),
                labels,
                set: c.column.data_type == "set",
                raw,
            })
        })
        .collect();
    let ordered = crate::sql::typed_use::index_order(text, &labelled, mode);
    let placed =
        crate::sql::typed_use::set_positions(ordered.as_deref().unwrap_or(text), &labelled, mode);
    let ordered = placed.or(ordered);
    if let Some(o) = &ordered {
        refs = analyse(o)?;
    }
    let text = ordered.as_deref().unwrap_or(text);
    // A select item whose text the splice changes (`1 IN (SELECT * FROM
    // t)`) keeps the name the server gives it: its text as written.
    let spliced: Vec<usize> = refs
        .iter()
        .filter(|r| {
            resolve(r)
                .is_some_and(|id| state.tables.contains_key(&id) || state.views.contains_key(&id))
        })
        .map(|r| r.name_span.start)
        .collect();
    // Only a subquery puts a table in a select item: a text with one
    // SELECT needs no lexing for it.
    let subqueries = crate::sql::count_ignore_case(text.as_bytes(), b"SELECT") > 1;
    let named = subqueries
        .then(|| crate::sql::items::keep_names(text, mode, &spliced))
        .flatten();
    if let Some(n) = &named {
        refs = analyse(n)?;
    }
    let text = named.as_deref().unwrap_or(text);
    let changed_columns = |types: &[&str]| -> Vec<String> {
        refs.iter()
            .filter_map(|r| state.tables.get(&resolve(r)?))
            .flat_map(|t| t.meta.columns.iter())
            .filter(|c| types.contains(&c.column.data_type.as_str()))
            .map(|c| c.name.to_lowercase())
            .collect()
    };
    if let Some(using) =
        crate::sql::typed_use::non_numeric_use(text.as_bytes(), &changed_columns(&["bit"]), mode)
    {
        return Err(OverlayError::Unsupported(format!(
            "a BIT column of a changed table used as {using} (vdb reads changed BIT columns as numbers)"
        )));
    }
    // A created (or altered) table's merged view has no source part to
    // keep a ZEROFILL column's padding: its values are plain numbers, padded
    // only where the session patches a result column.
    let zerofill: Vec<String> = refs
        .iter()
        .filter_map(|r| state.tables.get(&resolve(r)?))
        .filter(|t| t.meta.created)
        .flat_map(|t| t.meta.columns.iter())
        .filter(|c| c.column.column_type.contains("zerofill"))
        .map(|c| c.name.to_lowercase())
        .collect();
    if let Some(using) = crate::sql::typed_use::non_numeric_use(text.as_bytes(), &zerofill, mode) {
        return Err(OverlayError::Unsupported(format!(
            "a ZEROFILL column of a table created or altered through vdb used as {using} (its merged view holds the numbers unpadded)"
        )));
    }
    let labelled_columns = changed_columns(&["enum", "set"]);
    // `*` over the query's one table (a changed one) is its columns.
    let star: Option<Vec<String>> = match refs.as_slice() {
        [only] if !labelled_columns.is_empty() => resolve(only)
            .and_then(|id| state.tables.get(&id))
            .map(|t| t.meta.columns.iter().map(|c| c.name.clone()).collect()),
        _ => None,
    };
    if let Some(using) =
        crate::sql::typed_use::positional_use(text, &labelled_columns, star.as_deref(), mode)
    {
        return Err(OverlayError::Unsupported(format!(
            "{using} whose item may be an ENUM or SET column of a changed table (name the column: vdb sorts it by index then)"
        )));
    }
    if let Some(using) =
        crate::sql::typed_use::non_string_use(text.as_bytes(), &labelled_columns, mode)
    {
        return Err(OverlayError::Unsupported(format!(
            "an ENUM or SET column of a changed table used as {using} (vdb reads changed ENUM and SET columns as strings)"
        )));
    }
    if let Some(id) = refs
        .iter()
        .filter_map(resolve)
        .find(|id| state.schema.is_dropped(id))
    {
        return Err(meta::no_such_table(&id));
    }
    let used = NamedColumns::of(text, mode);
    if let ([only], true) = (refs.as_slice(), derived.is_empty()) {
        if let Some(t) = resolve(only).and_then(|id| state.tables.get(&id)) {
            if let Some(r) = read_in_place(text, only, t, &used)? {
                return Ok(Some(r));
            }
        }
    }
    let mut failure = None;
    let mut any = false;
    let mut unaliased: Vec<(String, String)> = Vec::new();
    let mut created = Vec::new();
    let mut changed = Vec::new();
    let out = splice(text, &refs, |r| {
        let id = resolve(r)?;
        let t = state.tables.get(&id)?;
        match narrowed_view(t, &r.restriction, &used, state, db, prober.as_mut()) {
            Ok(Some(d)) => {
                any = true;
                derived.push(known_as(r));
                if t.meta.created {
                    created.push((known_as(r), t.meta.clone()));
                }
                changed.push((known_as(r), t.meta.clone()));
                if r.alias.is_none() {
                    unaliased.push((id.schema, id.name));
                }
                Some(d.to_string())
            }
            Ok(None) => None,
            Err(e) => {
                failure = Some(e);
                None
            }
        }
    });
    if let Some(e) = failure {
        return Err(unwritable(e));
    }
    let out = if qualifies_columns(text, &unaliased) {
        unqualify_columns(&out, &unaliased)
    } else {
        out
    };
    Ok((any || !std::ptr::eq(text, original)).then_some(Rewritten {
        text: out,
        derived,
        created,
        changed,
        items: Vec::new(),
    }))
}

/// The refusal of a read whose merged view holds a value vdb cannot write
/// as a literal.
fn unwritable(e: crate::sql::literal::BadValue) -> OverlayError {
    OverlayError::Unsupported(format!(
        "reading a changed {} value vdb cannot write as a literal ({})",
        e.column_type, e.value
    ))
}

/// `sql`, a query of the one changed table `r` (`t`), with the table's
/// changed rows written where it reads them rather than as a derived
/// table (see [`crate::sql::in_place`]); `None` when that form does not
/// apply.
fn read_in_place(
    sql: &str,
    r: &crate::sql::tables::TableRef,
    t: &TableDelta,
    used: &NamedColumns,
) -> Result<Option<Rewritten>, OverlayError> {
    let mask = used.mask(t.meta.columns.iter().map(|c| c.name.as_str()));
    let parts = t
        .in_place_columns(&r.restriction.preds, mask.as_deref())
        .map_err(unwritable)?;
    let Some(parts) = parts else {
        return Ok(None);
    };
    let known_as = r.alias.clone().unwrap_or_else(|| r.name.clone());
    let all: Vec<String> = t.meta.columns.iter().map(|c| c.name.clone()).collect();
    let table = crate::sql::in_place::InPlaceTable {
        known_as: &known_as,
        all: &all,
        changed: &parts.columns,
    };
    let Some(done) =
        crate::sql::in_place::substitute(sql, Default::default(), &table, parts.exclude.as_deref())
    else {
        return Ok(None);
    };
    Ok(Some(Rewritten {
        text: done.text,
        derived: Vec::new(),
        created: Vec::new(),
        changed: vec![(known_as, t.meta.clone())],
        items: done.items,
    }))
}

/// `t.column IN (<keys>)`: the values the other side of a two-table join
/// offers `t` (see [`Probe`]), asked of the source over the merged view.
/// `None` when they are not a short list of integers `t`'s integer column
/// can be tested with exactly.
/// Whether `sql` reads a table or view the delta changes (a parse, no
/// text built): such a statement must never run at the source as it is.
pub fn touches_changed(sql: &[u8], state: &DeltaState, db: Option<&str>) -> bool {
    if state.is_empty() || !state.may_touch(sql) {
        return false;
    }
    let Some(refs) = std::str::from_utf8(sql)
        .ok()
        .and_then(|t| table_refs(t).ok())
    else {
        // Cannot tell: assume it does (it is then rewritten or refused).
        return true;
    };
    refs.iter().any(|r| {
        let Some(schema) = r.schema.as_deref().or(db) else {
            return false;
        };
        let id = catalog::normalize(TableId {
            schema: schema.to_string(),
            name: r.name.clone(),
        });
        state.tables.contains_key(&id)
            || state.views.contains_key(&id)
            || state.schema.dropped.contains(&id)
    })
}

/// [`rewrite_traced`] for one execution of a prepared statement: `sql` is
/// its text with `?` placeholders, `bound` the same text with this
/// execution's values in their place. The derived tables are narrowed by
/// what `bound` says (`id = 5` embeds only the captured rows with id 5),
/// and spliced into `sql`, whose placeholders stay, so the source binds
/// the client's parameters with their own types. `None` when it cannot be
/// done that way (views over changed tables, texts that do not line up):
/// the caller then uses the statement's unnarrowed text.
pub fn rewrite_bound(
    sql: &[u8],
    bound: &[u8],
    state: &DeltaState,
    db: Option<&str>,
    mut prober: Option<Prober>,
) -> Option<Rewritten> {
    if state.is_empty() || !state.may_touch(sql) {
        return None;
    }
    let text = std::str::from_utf8(sql).ok()?;
    let refs = table_refs(text).ok()?;
    let bound_refs = table_refs(std::str::from_utf8(bound).ok()?).ok()?;
    let lined_up = refs.len() == bound_refs.len()
        && refs
            .iter()
            .zip(&bound_refs)
            .all(|(a, b)| a.name == b.name && a.schema == b.schema && a.alias == b.alias);
    if !lined_up {
        return None;
    }
    let resolve = |r: &crate::sql::tables::TableRef| {
        Some(catalog::normalize(TableId {
            schema: r.schema.as_deref().or(db)?.to_string(),
            name: r.name.clone(),
        }))
    };
    // A view over changed tables is expanded by the text rewrite only
    // (any DDL makes the catalog's tables changed, and so the source's
    // views over them, such as sys's: only a statement naming one of
    // those is left to it).
    if refs
        .iter()
        .filter_map(&resolve)
        .any(|id| state.views.contains_key(&id))
    {
        return None;
    }
    let used = NamedColumns::of(text, Default::default());
    if let ([only], [b]) = (refs.as_slice(), bound_refs.as_slice()) {
        if let Some(t) = resolve(only).and_then(|id| state.tables.get(&id)) {
            match read_in_place(text, b, t, &used) {
                Ok(Some(r)) => return Some(r),
                Ok(None) => {}
                Err(_) => return None,
            }
        }
    }
    let mut derived = Vec::new();
    let mut created = Vec::new();
    let mut changed = Vec::new();
    let mut failed = false;
    let mut next = bound_refs.iter();
    let mut unaliased: Vec<(String, String)> = Vec::new();
    let out = splice(text, &refs, |r| {
        let b = next.next()?;
        let id = resolve(r)?;
        let t = state.tables.get(&id)?;
        match narrowed_view(t, &b.restriction, &used, state, db, prober.as_mut()) {
            Ok(Some(d)) => {
                let known_as = r.alias.clone().unwrap_or_else(|| r.name.clone());
                if t.meta.created {
                    created.push((known_as.clone(), t.meta.clone()));
                }
                changed.push((known_as.clone(), t.meta.clone()));
                derived.push(known_as);
                if r.alias.is_none() {
                    unaliased.push((id.schema, id.name));
                }
                Some(d.to_string())
            }
            Ok(None) => None,
            Err(_) => {
                failed = true;
                None
            }
        }
    });
    let text = if qualifies_columns(text, &unaliased) {
        unqualify_columns(&out, &unaliased)
    } else {
        out
    };
    (!failed).then_some(Rewritten {
        text,
        derived,
        created,
        changed,
        items: Vec::new(),
    })
}

/// The derived table for `t` holding only the captured rows `restriction`
/// admits (`None`: none, keep the table's name); a join is first narrowed
/// to the keys the other side offers, when `prober` may ask the source.
/// With a prober, a scan of the first rows reads a window of them, and a
/// whole scan is sorted into key order when the merged view would list
/// rows out of it.
fn narrowed_view(
    t: &TableDelta,
    restriction: &crate::sql::restrict::Restriction,
    used: &NamedColumns,
    state: &DeltaState,
    db: Option<&str>,
    prober: Option<&mut Prober>,
) -> Result<Option<std::sync::Arc<String>>, crate::sql::literal::BadValue> {
    let mut prober = prober;
    let mask = used.mask(t.meta.columns.iter().map(|c| c.name.as_str()));
    if let (Some(n), Some(p)) = (restriction.first_rows(), prober.as_mut()) {
        let sorted = restriction
            .sorted
            .as_ref()
            .map(|s| (s.column.as_str(), s.descending));
        if let Some(descending) = t.window_order(sorted).filter(|_| n <= MAX_WINDOW_ROWS) {
            let order = (descending, sorted.is_some());
            if let Some(v) = window(t, n as usize, order, mask.as_deref(), p)? {
                return Ok(Some(std::sync::Arc::new(v)));
            }
        }
    }
    // Sorted by another column: the source's first rows in that order,
    // and the delta's that may come among them.
    if let (Some(n), Some(s)) = (restriction.first_rows(), &restriction.sorted) {
        if let Some(j) = t.top_column(&s.column, mask.as_deref()) {
            let source = match prober.as_mut() {
                Some(p) if t.hidden.len() > MAX_NAMED_HIDDEN => top_keys(t, j, s.descending, n, p),
                _ => None,
            };
            let v = t.top_sql(j, s.descending, n, mask.as_deref(), source.as_deref())?;
            return Ok(Some(std::sync::Arc::new(v)));
        }
    }
    // A statement that returns the whole table as the scan gives it, over
    // a table with rows the merged view lists after the source's: sorted
    // into place when they belong among the source's rows, or when vdb
    // cannot tell (a key it does not know the order of).
    if let Some(p) = prober.as_mut().filter(|_| restriction.in_scan_order) {
        let in_order = if t.window_order(None).is_some() {
            p(&t.window_probe(true, 1, 0), false).map(|last| t.scan_in_key_order(last.first()))
        } else {
            t.sorts_by_source().then_some(false)
        };
        if in_order == Some(false) {
            return Ok(Some(std::sync::Arc::new(
                t.sorted_sql(mask.as_deref(), None)?,
            )));
        }
    }
    // The forms below count a scan's first rows as the source's scan gives
    // them.
    let first = restriction
        .first_rows()
        .filter(|_| restriction.sorted.is_none());
    let mut preds = restriction.preds.clone();
    // A join is worth a probe only when the query does not already bound
    // the table's key (the source branch would read it whole), and when
    // some captured row may pass what the query says.
    if let (Some(probe), Some(prober), false) = (&restriction.probe, prober, t.key_bounded(&preds))
    {
        if matches!(t.restricted_sql(&preds), Ok(Some(_))) {
            if let Some(keys) = join_keys(t, probe, state, db, prober) {
                preds.push(keys);
            }
        }
    }
    t.projected_sql(&preds, mask.as_deref(), restriction.scan, first)
}

/// Changed and deleted rows a scan sorted by a column leaves out by name
/// without asking the source which of them come first.
const MAX_NAMED_HIDDEN: usize = 64;

/// The keys of the source's first rows sorted by `column`, enough of
/// them that `n` are not changed or deleted in the delta (or all the
/// source has): what [`TableDelta::top_sql`] leaves out by name. `None`
/// when the source was not asked or four pages were not enough.
fn top_keys(
    t: &TableDelta,
    column: usize,
    descending: bool,
    n: u64,
    prober: &mut Prober,
) -> Option<Vec<Row>> {
    let mut page = n + n / 8 + 16;
    for _ in 0..4 {
        let keys = prober(&t.top_probe(column, descending, page), false)?;
        let exhausted = (keys.len() as u64) < page;
        let kept = keys
            .iter()
            .filter(|k| !t.hidden.contains_key(&t.encode_key(k)))
            .count() as u64;
        if kept >= n || exhausted {
            return Some(keys);
        }
        page *= 4;
    }
    None
}

/// The window of a scan's first `n` rows in key order (see
/// [`TableDelta::window_sql`]; `order`: descending, and sorted by the
/// query itself): the source's keys asked for page by page until they
/// place the window's last row. `None` when the source cannot be asked.
fn window(
    t: &TableDelta,
    n: usize,
    (descending, sorted): (bool, bool),
    used: Option<&[bool]>,
    prober: &mut Prober,
) -> Result<Option<String>, crate::sql::literal::BadValue> {
    let step = |source: &[Row], exhausted| {
        t.window_sql(source, exhausted, n, descending, sorted, used)
            .map(|w| match w {
                Window::Sql(v) => Some(Some(v)),
                Window::More => None,
                Window::Unordered => {
                    log::trace!(
                        "no window over {}: a key whose order vdb cannot tell",
                        t.meta.id.name
                    );
                    Some(None)
                }
            })
    };
    if n == 0 {
        return Ok(step(&[], true)?.flatten());
    }
    // Enough for a few rows deleted or moved among the first ones; each
    // later page is larger.
    let mut page = n as u64 + n as u64 / 8 + 16;
    let mut offset = 0;
    let mut source: Vec<Row> = Vec::new();
    for _ in 0..4 {
        let Some(rows) = prober(&t.window_probe(descending, page, offset), false) else {
            log::trace!(
                "no window over {}: the source was not asked",
                t.meta.id.name
            );
            return Ok(None);
        };
        let exhausted = (rows.len() as u64) < page;
        source.extend(rows);
        if let Some(done) = step(&source, exhausted)? {
            return Ok(done);
        }
        offset += page;
        page *= 4;
    }
    Ok(None)
}

fn join_keys(
    t: &TableDelta,
    probe: &Probe,
    state: &DeltaState,
    db: Option<&str>,
    prober: Prober,
) -> Option<Pred> {
    let column = t.meta.position(&probe.column)?;
    if !is_integer(&t.meta.columns[column].column) {
        return None;
    }
    let other = &probe.other;
    let q = quote_ident(other.alias.as_deref().unwrap_or(&other.name));
    let table = match &other.schema {
        Some(s) => format!("{}.{}", quote_ident(s), quote_ident(&other.name)),
        None => quote_ident(&other.name),
    };
    let probe_sql = |distinct: &str| {
        let mut sql = format!(
            "SELECT {distinct}{q}.{} FROM {table} AS {q}",
            quote_ident(&probe.other_column)
        );
        for (n, p) in probe.other_preds.iter().enumerate() {
            sql.push_str(if n == 0 { " WHERE " } else { " AND " });
            sql.push_str(&p.to_sql(&format!("{q}.{}", quote_ident(&p.column))));
        }
        sql.push_str(&format!(" LIMIT {}", MAX_PROBE_KEYS + 1));
        rewrite_read(sql.as_bytes(), state, db, None)
            .ok()
            .map(|r| r.unwrap_or(sql))
    };
    // Without DISTINCT the source answers sooner (no temporary table), and
    // a join's few keys are deduplicated here; only a side offering more
    // rows than keys vdb takes is asked again for its distinct keys.
    let first = |rows: Vec<Row>| -> Vec<crate::delta::Value> {
        rows.into_iter()
            .map(|r| r.into_iter().next().flatten())
            .collect()
    };
    let mut values = first(prober(&probe_sql("")?, true)?);
    if values.len() > MAX_PROBE_KEYS {
        values = first(prober(&probe_sql("DISTINCT ")?, true)?);
        if values.len() > MAX_PROBE_KEYS {
            return None;
        }
    }
    values.sort_unstable();
    values.dedup();
    let mut keys = Vec::with_capacity(values.len());
    for v in values.into_iter().flatten() {
        let d = Decimal::parse(std::str::from_utf8(&v).ok()?)?;
        d.as_i128()?;
        keys.push(Lit::Num(d));
    }
    Some(Pred {
        column: probe.column.clone(),
        test: Test::In(keys),
    })
}

/// How deep views over views are expanded.
const MAX_VIEW_DEPTH: usize = 8;

#[cfg(test)]
mod tests {
    use super::statement_name;

    #[test]
    fn refusals_name_the_statement_by_its_keywords() {
        assert_eq!(statement_name("checksum table t"), "CHECKSUM TABLE");
        assert_eq!(statement_name("SELECT 1"), "SELECT");
        assert_eq!(statement_name("  "), "this statement");
    }
}

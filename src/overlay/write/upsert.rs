//! INSERT ... ON DUPLICATE KEY UPDATE.
//!
//! The server takes the rows one at a time: a row that meets no existing
//! row on any unique key is inserted; otherwise the first row it meets
//! (primary key first, then the unique keys in index order) is updated by
//! the assignments, where a column name reads that row and `VALUES(col)`
//! the row that was to be inserted. Later rows see what earlier rows did.
//!
//! vdb follows that order. One query per unique key finds, for all rows at
//! once, which may meet anything; those rows (and every row after an update
//! that moved a unique value) are looked up again one at a time against
//! the statement's own state, and each update is computed over the merged
//! view like an UPDATE by identity key, with `VALUES(col)` replaced by the
//! typed literal of the row's value.

use crate::delta::Row;
use crate::delta::TableId;
use crate::sql::lexer::{lex, Kind};
use crate::sql::rewrite::quote_ident;
use crate::sql::tables::table_refs;
use crate::sql::write::{is_default, Assignment, Insert, InsertSource};

use super::autoinc::AutoInc;
use super::triggers::Fired;
use super::{literal, load, number, server, unsupported, OverlayError, Run, WriteOutcome, Writer};

/// What became of one row of the statement.
enum Fate {
    Inserted,
    /// Updated an existing row; whether any value changed.
    Updated(bool),
    /// IGNORE: the update would have made a duplicate.
    Skipped,
}

impl Run<'_, '_> {
    /// Runs the rows of an INSERT ... ON DUPLICATE KEY UPDATE, computed with
    /// provisional AUTO_INCREMENT values (`asks[i]` is None for a row that
    /// asked for one, else its own value).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn upsert(
        &mut self,
        w: &mut Writer,
        ins: &Insert,
        set: &[Assignment],
        rows: Vec<Row>,
        asks: &[Option<u64>],
        counter: u64,
        known_rows: Option<u64>,
        multi_row: bool,
    ) -> Result<WriteOutcome, OverlayError> {
        if ins.row_alias.is_some() {
            return unsupported("INSERT ... VALUES ... AS alias ... ON DUPLICATE KEY UPDATE");
        }
        let assigned =
            self.assignment_columns(set, "INSERT ... ON DUPLICATE KEY UPDATE", "UPDATE")?;
        if let InsertSource::Query(q) = &ins.source {
            self.refuse_select_names(q.clone(), set)?;
        }
        let sets_last_insert_id = set.iter().any(|a| self.sets_last_insert_id(a));
        let auto = self.meta.auto_column();
        let keys = self.meta.unique_keys.clone();
        // Which rows may meet anything, from one query per key.
        let indexed: Vec<(usize, Row)> = rows.iter().cloned().enumerate().collect();
        let mut may_meet = vec![false; rows.len()];
        for k in &keys {
            let (existing, earlier) = self.collisions(w, &indexed, &k.columns)?;
            for i in existing.keys().copied().chain(earlier.later_rows()) {
                may_meet[i] = true;
            }
        }
        let mut sim = AutoInc::new(counter, known_rows);
        let mut moved_unique = false;
        let mut fates = Vec::with_capacity(rows.len());
        let mut inserted: Vec<Row> = Vec::new();
        let mut first_generated = None;
        let mut last_row: Option<Row> = None;
        let (fires_insert, fires_update) =
            (self.fires_stepped("INSERT"), self.fires_stepped("UPDATE"));
        for (i, mut row) in rows.into_iter().enumerate() {
            let mut generated = None;
            if let Some(a) = auto {
                match asks[i] {
                    Some(v) => sim.explicit(v),
                    None => {
                        let v = sim.generate();
                        row[a] = Some(v.to_string().into_bytes());
                        generated = Some(v);
                    }
                }
            }
            sim.row_done();
            let met = if may_meet[i] || moved_unique {
                self.first_met(w, &row)?
            } else {
                None
            };
            let Some(ident) = met else {
                let key = self.key.clone();
                w.table(&self.meta, &key).insert(row.clone());
                if first_generated.is_none() {
                    first_generated = generated;
                }
                inserted.push(row.clone());
                if fires_insert {
                    self.fired.push(Fired {
                        event: "INSERT",
                        old: None,
                        new: Some(row.clone()),
                    });
                }
                last_row = Some(row);
                fates.push(Fate::Inserted);
                continue;
            };
            let mut exprs = Vec::with_capacity(set.len());
            for (a, &c) in set.iter().zip(&assigned) {
                exprs.push((c, self.with_inserted_values(a, c, &row)?));
            }
            let (from, alias) = self.target_text(&None);
            let conditions: Vec<String> = self
                .key
                .iter()
                .zip(&ident)
                .map(|(&c, v)| {
                    Ok(format!(
                        "{}.{} = {}",
                        quote_ident(&alias),
                        quote_ident(&self.meta.columns[c].name),
                        literal(&self.meta, c, v)?
                    ))
                })
                .collect::<Result<_, OverlayError>>()?;
            let tail = format!("WHERE {}", conditions.join(" AND "));
            let pairs = self.updated_rows(
                w,
                &exprs,
                (from.as_bytes(), &alias),
                tail.as_bytes(),
                ins.ignore,
            )?;
            let Some((old, new)) = pairs.first().cloned() else {
                return Err(server(
                    1032,
                    "HY000",
                    format!("Can't find record in '{}'", self.meta.id.name),
                ));
            };
            // A row that updates instead gives its value to the next row
            // (one whose update fails under IGNORE does not).
            let give_back = |sim: &mut AutoInc| {
                if let Some(v) = generated {
                    sim.give_back(v);
                }
            };
            let fired = Fired {
                event: "UPDATE",
                old: Some(old.clone()),
                new: Some(new.clone()),
            };
            let fires = fires_update;
            if old == new {
                give_back(&mut sim);
                if fires {
                    self.fired.push(fired);
                }
                last_row = Some(new);
                fates.push(Fate::Updated(false));
                continue;
            }
            if self.apply_updates(w, &pairs[..1], ins.ignore)?.is_empty() {
                for message in std::mem::take(&mut self.skipped_duplicates) {
                    self.warnings.push(("Warning", 1062, message));
                }
                fates.push(Fate::Skipped);
                continue;
            }
            give_back(&mut sim);
            if let Some(a) = auto {
                if let Some(v) = self.explicit_auto(&new, a) {
                    sim.explicit(v);
                }
            }
            moved_unique |= keys
                .iter()
                .any(|k| k.columns.iter().any(|&c| old[c] != new[c]));
            if fires {
                self.fired.push(fired);
            }
            last_row = Some(new);
            fates.push(Fate::Updated(true));
        }
        self.child_checks(w, &self.meta.clone(), &inserted)?;
        let key = self.key.clone();
        let t = w.table(&self.meta, &key);
        if auto.is_some() {
            t.next_auto = t.next_auto.max(sim.counter);
        }
        // The server's counters: `copied` (inserted, or updated with a
        // change), `updated` (changed), `touched` (updated at all).
        let records = fates.len() as u64;
        let copied = fates
            .iter()
            .filter(|f| matches!(f, Fate::Inserted | Fate::Updated(true)))
            .count() as u64;
        let updated = fates
            .iter()
            .filter(|f| matches!(f, Fate::Updated(true)))
            .count() as u64;
        let touched = fates
            .iter()
            .filter(|f| matches!(f, Fate::Updated(_)))
            .count() as u64;
        let affected = copied + if self.cx.found_rows { touched } else { updated };
        let mut last_insert_id = match (first_generated, auto, &last_row) {
            (Some(g), _, _) => g,
            (None, Some(a), Some(r)) if copied > 0 => number(&r[a]).unwrap_or(0),
            _ => 0,
        };
        if first_generated.is_none() && sets_last_insert_id {
            // LAST_INSERT_ID(expr) in an assignment ran in the source
            // session; the OK packet carries what it set.
            let r = self.cx.up.query("SELECT LAST_INSERT_ID()")?;
            last_insert_id = r.first().and_then(|r| number(&r[0])).unwrap_or(0);
        }
        let info = if multi_row {
            let duplicates = if ins.ignore {
                records - copied
            } else {
                updated
            };
            // The skipped rows' warnings are counted with the others the
            // statement raised.
            format!("Records: {records}  Duplicates: {duplicates}  Warnings: 0")
        } else {
            String::new()
        };
        Ok(WriteOutcome {
            raised: Vec::new(),
            affected,
            last_insert_id,
            generated_id: first_generated,
            info,
            returning: None,
            notes: Vec::new(),
            warnings: Vec::new(),
        })
    }

    /// The identity key of the first row of the merged view (as the
    /// statement has left it so far) that `row` meets on a unique key, in
    /// the order the server tests the keys.
    fn first_met(&mut self, w: &Writer, row: &Row) -> Result<Option<Row>, OverlayError> {
        let all: Vec<usize> = (0..self.meta.columns.len()).collect();
        let values = vec![(0usize, all.iter().map(|&c| &row[c]).collect::<Vec<_>>())];
        let cte = Self::rows_cte(&self.meta, "vdb_n", &values, &all)?;
        let ids = self.key_read_list("o");
        let mut branches = Vec::new();
        for (kn, k) in self.meta.unique_keys.iter().enumerate() {
            if k.columns.iter().any(|&c| row[c].is_none()) {
                continue;
            }
            let names: Vec<&str> = k
                .columns
                .iter()
                .map(|&c| self.meta.columns[c].name.as_str())
                .collect();
            let key_values = vec![(0usize, k.columns.iter().map(|&c| &row[c]).collect())];
            let view = self.view(w, self.table(), &names, &key_values)?;
            let on: Vec<String> = k
                .columns
                .iter()
                .map(|&c| {
                    let name = quote_ident(&self.meta.columns[c].name);
                    format!("o.{name} = n.vdb_c{c}")
                })
                .collect();
            branches.push(format!(
                "SELECT {kn} AS vdb_k, {ids} FROM vdb_n n JOIN {view} AS o ON {}",
                on.join(" AND ")
            ));
        }
        if branches.is_empty() {
            return Ok(None);
        }
        let q = format!(
            "WITH {cte} SELECT * FROM ({}) AS vdb_m ORDER BY vdb_k LIMIT 1",
            branches.join(" UNION ALL ")
        );
        Ok(self
            .cx
            .up
            .query(&q)?
            .into_iter()
            .next()
            .map(|mut r| self.key_stored(r.split_off(1))))
    }

    /// Assignment `a` (to column `c`) with each `VALUES(col)` replaced by
    /// the typed literal of `row`'s value, and DEFAULT by the default.
    fn with_inserted_values(
        &self,
        a: &Assignment,
        c: usize,
        row: &Row,
    ) -> Result<Vec<u8>, OverlayError> {
        if is_default(self.sql, &a.expr) {
            return Ok(self.default_expr(c)?.into_bytes());
        }
        let text = &self.sql[a.expr.clone()];
        let tokens = lex(text, self.cx.lex).tokens;
        let mut out = Vec::with_capacity(text.len());
        let mut at = 0;
        let mut i = 0;
        while i < tokens.len() {
            let t = &tokens[i];
            let is_values = t.kind == Kind::Word
                && (t.is_word(text, "VALUES") || t.is_word(text, "VALUE"))
                && tokens.get(i + 1).is_some_and(|p| p.is_punct(b'('));
            if !is_values {
                i += 1;
                continue;
            }
            // VALUES ( [schema .] [table .] column )
            let mut j = i + 2;
            let mut name = None;
            while let Some(tok) = tokens.get(j) {
                if let Some(n) = tok.name(text, self.cx.lex) {
                    name = Some(n);
                } else if !tok.is_punct(b'.') {
                    break;
                }
                j += 1;
            }
            let closes = tokens.get(j).is_some_and(|p| p.is_punct(b')'));
            let position = name.as_deref().and_then(|n| self.meta.position(n));
            let (Some(p), true) = (position, closes) else {
                return Err(server(
                    1054,
                    "42S22",
                    format!(
                        "Unknown column '{}' in 'field list'",
                        name.unwrap_or_default()
                    ),
                ));
            };
            let lit = literal(&self.meta, p, &row[p])?;
            out.extend_from_slice(&text[at..t.start]);
            out.extend_from_slice(lit.as_bytes());
            at = tokens[j].end;
            i = j + 1;
        }
        out.extend_from_slice(&text[at..]);
        Ok(out)
    }

    /// INSERT ... SELECT: a name in an assignment may also be a column of
    /// the query's tables, which the server resolves (or finds ambiguous,
    /// 1052) in ways vdb does not reproduce yet: refused by name.
    fn refuse_select_names(
        &mut self,
        query: std::ops::Range<usize>,
        set: &[Assignment],
    ) -> Result<(), OverlayError> {
        let text = String::from_utf8_lossy(&self.sql[query]).into_owned();
        let refs = table_refs(&text).map_err(|e| OverlayError::Unsupported(e.0))?;
        let mut names = Vec::new();
        for a in set {
            let expr = &self.sql[a.expr.clone()];
            let tokens = lex(expr, self.cx.lex).tokens;
            for (i, t) in tokens.iter().enumerate() {
                let inside_values = i >= 2
                    && tokens[i - 1].is_punct(b'(')
                    && (tokens[i - 2].is_word(expr, "VALUES")
                        || tokens[i - 2].is_word(expr, "VALUE"));
                let called = tokens.get(i + 1).is_some_and(|n| n.is_punct(b'('));
                let qualified = i > 0 && tokens[i - 1].is_punct(b'.');
                if inside_values || called || qualified {
                    continue;
                }
                names.extend(t.name(expr, self.cx.lex));
            }
        }
        for r in refs {
            let Some(schema) = r.schema.clone().or_else(|| self.cx.db.clone()) else {
                continue;
            };
            let id = TableId {
                schema,
                name: r.name.clone(),
            };
            let Ok(meta) = load(self.cx.up, self.cx.delta, &id) else {
                return unsupported(
                    "INSERT ... SELECT ... ON DUPLICATE KEY UPDATE reading a view or a table vdb cannot describe",
                );
            };
            if let Some(n) = names.iter().find(|n| meta.position(n).is_some()) {
                return unsupported(format!(
                    "INSERT ... SELECT ... ON DUPLICATE KEY UPDATE naming `{n}`, a column of the SELECT's table {id} (write VALUES({n}) or qualify it)"
                ));
            }
        }
        Ok(())
    }

    /// Whether assignment `a` calls LAST_INSERT_ID(expr).
    fn sets_last_insert_id(&self, a: &Assignment) -> bool {
        let text = &self.sql[a.expr.clone()];
        let tokens = lex(text, self.cx.lex).tokens;
        tokens.windows(3).any(|t| {
            t[0].is_word(text, "LAST_INSERT_ID") && t[1].is_punct(b'(') && !t[2].is_punct(b')')
        })
    }
}

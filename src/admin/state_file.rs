//! `--state FILE`: the delta and its snapshots kept across restarts.
//!
//! Saved atomically (a temporary file beside it, synced, then renamed
//! over it) at shutdown and on `CALL vdb.save()`; loaded at start when the
//! file exists. A file that does not decode, or whose tables no longer
//! match the source's definitions (the source's schema changed since), is
//! refused with the reason, and vdb does not start: a delta replayed over
//! other columns would answer wrongly.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use crate::delta::persist::{decode, encode, format_of, SavedSnapshot, INSTANTS};
use crate::delta::{Delta, DeltaState, Origin, TableDelta, TableId, TableMeta};
use crate::server::Shared;
use crate::upstream::Upstream;

use super::Snapshot;

/// Writes the current delta and every snapshot to `--state FILE`.
pub fn save(shared: &Shared) -> Result<(), String> {
    let Some(path) = &shared.config.state else {
        return Err("vdb.save() needs vdb started with --state FILE".into());
    };
    let current = shared.delta.current();
    let snapshots = shared.snapshots.lock().clone();
    let list: Vec<(&str, &str, &DeltaState)> = snapshots
        .iter()
        .map(|(n, s)| (n.as_str(), s.created_at.as_str(), &*s.state))
        .collect();
    let bytes = encode(&current, &list);
    write_atomically(path, &bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The rename itself must survive a crash.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// A state read from a file, not yet installed.
pub struct Loaded {
    /// The delta.
    pub current: DeltaState,
    /// The snapshots.
    pub snapshots: Vec<SavedSnapshot>,
    /// Saved by a vdb that kept TIMESTAMP values as wall-clock text (see
    /// [`instants_from_wall_clock`]).
    pub wall_clock: bool,
}

/// Reads `path`: `Ok(None)` when there is no such file yet.
pub fn load(path: &Path) -> Result<Option<Loaded>, String> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let (current, snapshots) = decode(&bytes)
        .map_err(|e| format!("{} is not a usable vdb state: {}", path.display(), e.0))?;
    let wall_clock = format_of(&bytes).is_some_and(|f| f < INSTANTS);
    Ok(Some(Loaded {
        current,
        snapshots,
        wall_clock,
    }))
}

/// A state saved by an earlier vdb kept each TIMESTAMP value as the text
/// its writing session saw, in that session's time zone; this one keeps
/// instants. The text is read as a time in the source's default time
/// zone (a new session's, which every session had that did not SET
/// another), by the source, in batches. A TIMESTAMP column that keys
/// rows cannot be converted so (the rows' keys would change): such a
/// state is refused with the reason.
pub fn instants_from_wall_clock(loaded: &mut Loaded, up: &mut Upstream) -> Result<(), String> {
    if !loaded.wall_clock {
        return Ok(());
    }
    let states =
        std::iter::once(&mut loaded.current).chain(loaded.snapshots.iter_mut().map(|s| &mut s.2));
    for state in states {
        let ids: Vec<TableId> = state.tables.keys().cloned().collect();
        for id in ids {
            let t = &state.tables[&id];
            let stamps: Vec<usize> = (0..t.meta.columns.len())
                .filter(|&i| t.meta.columns[i].column.data_type == "timestamp")
                .collect();
            if stamps.is_empty() {
                continue;
            }
            if t.counted || stamps.iter().any(|i| t.key.contains(i)) {
                return Err(format!(
                    "the state was saved by an earlier vdb, which kept TIMESTAMP values in the \
                     writing session's time zone, and {id} keys its rows by a TIMESTAMP column, \
                     which this vdb cannot convert: start without the file, or export the \
                     changes with the earlier vdb"
                ));
            }
            let mut texts: Vec<Vec<u8>> = Vec::new();
            for row in t.rows.values() {
                texts.extend(stamps.iter().filter_map(|&i| row[i].clone()));
            }
            if let Some(o) = &t.origin {
                for &i in &stamps {
                    if let crate::delta::Projected::Value(Some(v)) = &o.columns[i] {
                        texts.push(v.clone());
                    }
                }
            }
            texts.sort();
            texts.dedup();
            let instants = instants_of(up, &texts)?;
            let convert = |row: &mut [crate::delta::Value]| {
                for &i in &stamps {
                    if let Some(kept) = row[i].as_ref().and_then(|v| instants.get(v)) {
                        row[i] = Some(kept.clone());
                    }
                }
            };
            let mut table = (**t).clone();
            table.rows = table
                .rows
                .iter()
                .map(|(k, r)| {
                    let mut r = (**r).clone();
                    convert(&mut r);
                    (k.clone(), Arc::new(r))
                })
                .collect();
            if let Some(o) = &table.origin {
                let mut o = (**o).clone();
                for &i in &stamps {
                    if let crate::delta::Projected::Value(v) = &mut o.columns[i] {
                        if let Some(kept) = v.as_ref().and_then(|x| instants.get(x)) {
                            *v = Some(kept.clone());
                        }
                    }
                }
                table.origin = Some(Arc::new(o));
            }
            state.tables.insert(id, Arc::new(table));
        }
    }
    loaded.wall_clock = false;
    Ok(())
}

/// The instants (see [`crate::clock::instant_text`]) of wall-clock
/// texts, as the source reads them in its session's time zone. Texts it
/// does not read as one (the zero timestamp) are left out.
fn instants_of(
    up: &mut Upstream,
    texts: &[Vec<u8>],
) -> Result<std::collections::HashMap<Vec<u8>, Vec<u8>>, String> {
    let mut out = std::collections::HashMap::new();
    let temporal =
        |v: &[u8]| !v.is_empty() && v.iter().all(|&b| crate::sql::literal::temporal_byte(b));
    let usable: Vec<&Vec<u8>> = texts.iter().filter(|v| temporal(v)).collect();
    for batch in usable.chunks(500) {
        let items: Vec<String> = batch
            .iter()
            .map(|v| {
                let text = String::from_utf8_lossy(v);
                let digits = text.split_once('.').map_or(0, |(_, f)| f.len());
                format!("UNIX_TIMESTAMP(CAST('{text}' AS DATETIME({digits})))")
            })
            .collect();
        let rows = up
            .query(&format!("SELECT {}", items.join(", ")))
            .map_err(|e| format!("converting the state's TIMESTAMP values: {e}"))?;
        let Some(row) = rows.into_iter().next() else {
            continue;
        };
        for (text, seconds) in batch.iter().zip(row) {
            if let Some(kept) = seconds.as_deref().and_then(crate::clock::instant_text) {
                out.insert((*text).clone(), kept);
            }
        }
    }
    Ok(out)
}

/// Checks that every source table the loaded states changed still has the
/// definition it had (columns, types, key), reading the source through `up`.
pub fn check_against_source(loaded: &Loaded, up: &mut Upstream) -> Result<(), String> {
    let fresh = Delta::default();
    let mut seen = std::collections::HashSet::<TableId>::new();
    let states = std::iter::once(&loaded.current).chain(loaded.snapshots.iter().map(|s| &s.2));
    for state in states {
        for t in state.user_tables() {
            let saved: &Arc<TableMeta> = &t.meta;
            if let Some(o) = &t.origin {
                check_origin(t, o, up)?;
                continue;
            }
            if saved.created || !seen.insert(saved.id.clone()) {
                continue;
            }
            let now = crate::overlay::meta::load(up, &fresh, &saved.id).map_err(|e| {
                format!(
                    "the state changed {}, which the source cannot describe now ({e:?})",
                    saved.id
                )
            })?;
            let shape = |m: &TableMeta| {
                m.columns
                    .iter()
                    .map(|c| (c.name.clone(), c.column.column_type.clone(), c.nullable))
                    .collect::<Vec<_>>()
            };
            if shape(&now) != shape(saved) || now.delta_key() != saved.delta_key() {
                return Err(format!(
                    "the definition of {} at the source changed since the state was saved",
                    saved.id
                ));
            }
        }
    }
    Ok(())
}

/// A table an ALTER redefined without copying its rows reads them from a
/// source table (see [`crate::delta::Origin`]): each column it reads there
/// must still be there with values of the same kind, and the rows must
/// still be keyed by the same columns.
fn check_origin(t: &TableDelta, o: &Origin, up: &mut Upstream) -> Result<(), String> {
    let now = crate::overlay::meta::load(up, &Delta::default(), &o.table).map_err(|e| {
        format!(
            "the state reads {} for {}, which the source cannot describe now ({e:?})",
            o.table, t.meta.id
        )
    })?;
    let changed = || {
        format!(
            "the definition of {} at the source changed since the state was saved",
            o.table
        )
    };
    for (j, c) in t.meta.columns.iter().enumerate() {
        let Some(name) = t.source_column_name(j) else {
            continue;
        };
        let Some(i) = now.position(name) else {
            return Err(changed());
        };
        // A narrowing kept the values that were there (vdb checked them),
        // a conversion reads them through SQL made for the source's type;
        // any other type would read wrongly.
        let was = &now.columns[i].column;
        if crate::overlay::alter::kept_if(was, &c.column).is_none()
            && crate::overlay::alter::converted(was, &c.column).is_none()
        {
            return Err(changed());
        }
    }
    // Its hidden keys are the source's: keyed by the same columns.
    let keyed_by = t.key.iter().map(|&j| t.source_column_name(j));
    let identity = now.identity().unwrap_or(&[]).iter();
    let same_key = keyed_by.len() == identity.len()
        && keyed_by
            .zip(identity)
            .all(|(a, &i)| a.is_some_and(|a| a.eq_ignore_ascii_case(&now.columns[i].name)));
    if !same_key {
        return Err(changed());
    }
    Ok(())
}

/// Decides again, for this vdb, which triggers of the loaded states it can
/// run: the reasons a state file keeps are those of the vdb that saved it,
/// which may have refused what this one runs (AFTER triggers, before
/// format 6). Reads the source's stored routines through `up`.
pub fn judge_triggers_again(loaded: &mut Loaded, up: &mut Upstream) -> Result<(), String> {
    let states =
        std::iter::once(&mut loaded.current).chain(loaded.snapshots.iter_mut().map(|s| &mut s.2));
    for state in states {
        let judged = |meta: &Arc<TableMeta>, up: &mut Upstream| {
            let mut m = TableMeta::clone(meta);
            crate::overlay::meta::judge_triggers(up, &m.id.clone(), &mut m.triggers)
                .map_err(|e| format!("cannot read the triggers of {} ({e:?})", meta.id))?;
            // A file older than format 4 kept only the names: those stay
            // refused for the reason it gave.
            for (t, was) in m.triggers.iter_mut().zip(&meta.triggers) {
                if was.body.is_empty() {
                    t.blocked = was.blocked.clone();
                }
            }
            Ok::<_, String>(Arc::new(m))
        };
        for meta in state.schema.created.values_mut() {
            if !meta.triggers.is_empty() {
                *meta = judged(meta, up)?;
            }
        }
        for (id, t) in state.tables.iter_mut() {
            // A created table's delta shares the schema delta's definition.
            let meta = match state.schema.created.get(id) {
                Some(m) => m.clone(),
                None if !t.meta.triggers.is_empty() => judged(&t.meta, up)?,
                None => continue,
            };
            if !Arc::ptr_eq(&t.meta, &meta) {
                Arc::make_mut(t).meta = meta;
            }
        }
    }
    Ok(())
}

/// Makes a loaded state the process's delta and snapshots.
pub fn install(shared: &Shared, loaded: Loaded) {
    shared.delta.replace(&loaded.current);
    let mut snaps = shared.snapshots.lock();
    snaps.clear();
    for (name, created_at, state) in loaded.snapshots {
        snaps.insert(
            name,
            Snapshot {
                state: Arc::new(state),
                created_at,
            },
        );
    }
}

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

use crate::delta::persist::{decode, encode, SavedSnapshot};
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
    Ok(Some(Loaded { current, snapshots }))
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

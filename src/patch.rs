//! `vdb export` and `vdb apply`: command-line clients of a running vdb's
//! `CALL vdb.export()`. They speak to vdb and to the target as any client
//! does, through the `mysql` crate.

use std::fmt;

use mysql::consts::CapabilityFlags;
use mysql::prelude::Queryable;
use mysql::{Conn, Opts, OptsBuilder};

use crate::config::{ApplyFlags, ExportFlags};

/// Why a command failed, and the exit status it means.
#[derive(Debug)]
pub enum PatchError {
    /// vdb or the target could not be reached or refused a statement:
    /// exit status 2.
    Connect(String),
    /// The target drifted from the source the patch was made against, or
    /// a statement failed there; nothing was applied: exit status 1.
    NotApplied(String),
}

impl PatchError {
    /// The process exit status.
    pub fn exit_status(&self) -> u8 {
        match self {
            PatchError::Connect(_) => 2,
            PatchError::NotApplied(_) => 1,
        }
    }
}

impl fmt::Display for PatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatchError::Connect(s) | PatchError::NotApplied(s) => f.write_str(s),
        }
    }
}

/// The patch of the vdb at `connect`, one statement per entry.
fn fetch(
    connect: Option<&str>,
    user: Option<&str>,
    password: Option<&str>,
) -> Result<Vec<String>, PatchError> {
    let addr = connect.unwrap_or("127.0.0.1:3307");
    let (host, port) = match addr.rsplit_once(':') {
        Some((h, p)) => (
            h.trim_matches(|c| c == '[' || c == ']'),
            p.parse::<u16>().map_err(|_| {
                PatchError::Connect(format!("--connect {addr}: expected HOST:PORT"))
            })?,
        ),
        None => (addr, 3307),
    };
    let user = user
        .map(str::to_string)
        .or_else(|| std::env::var("VDB_USER").ok())
        .unwrap_or_else(|| "root".into());
    let password = password
        .map(str::to_string)
        .or_else(|| std::env::var("VDB_PASSWORD").ok());
    let opts = OptsBuilder::new()
        .ip_or_hostname(Some(host))
        .tcp_port(port)
        .user(Some(user))
        .pass(password)
        .prefer_socket(false);
    let mut conn = Conn::new(opts)
        .map_err(|e| PatchError::Connect(format!("cannot reach vdb at {addr}: {e}")))?;
    conn.query::<String, _>("CALL vdb.export()")
        .map_err(|e| PatchError::Connect(format!("CALL vdb.export() at {addr}: {e}")))
}

/// `vdb export`: the patch as a script on stdout.
pub fn export(f: &ExportFlags) -> Result<String, PatchError> {
    let statements = fetch(
        f.connect.as_deref(),
        f.user.as_deref(),
        f.password.as_deref(),
    )?;
    let mut out = String::from("-- vdb patch: apply in order to a copy of the source\n");
    for s in statements {
        out.push_str(&s);
        out.push_str(";\n");
    }
    Ok(out)
}

/// How many rows an UPDATE or DELETE of a patch must touch: the `LIMIT n`
/// it ends in; `None` for other statements.
pub fn expected_rows(statement: &str) -> Option<u64> {
    let upper = statement.get(..6)?.to_ascii_uppercase();
    if upper != "UPDATE" && upper != "DELETE" {
        return None;
    }
    let (_, n) = statement.rsplit_once(" LIMIT ")?;
    n.trim().parse().ok()
}

fn is_ddl(statement: &str) -> bool {
    let head = statement.split_whitespace().next().unwrap_or("");
    ["CREATE", "DROP", "ALTER"]
        .iter()
        .any(|k| head.eq_ignore_ascii_case(k))
}

/// `vdb apply`: the patch applied to the target, or nothing applied and a
/// report of what drifted. Returns what to print on success.
pub fn apply(f: &ApplyFlags) -> Result<String, PatchError> {
    let statements = fetch(
        f.connect.as_deref(),
        f.user.as_deref(),
        f.password.as_deref(),
    )?;
    // The session settings the patch starts with hold for its DDL too.
    let prelude: Vec<&String> = statements
        .iter()
        .take_while(|s| s.starts_with("SET ") || s.as_str() == crate::admin::export::CHECKS_OFF)
        .collect();
    // Then the DDL, with the sql_mode each trigger is created under.
    let ddl: Vec<&String> = statements[prelude.len()..]
        .iter()
        .take_while(|s| is_ddl(s) || s.starts_with("SET SQL_MODE = '"))
        .collect();
    // Then the rows, in one transaction; then what must follow them (the
    // triggers of the tables the DDL created, as in a dump) and the
    // session's settings back.
    let rest = &statements[prelude.len() + ddl.len()..];
    let rows = rest
        .iter()
        .take_while(|s| !is_ddl(s) && !s.starts_with("SET SQL_MODE = '"))
        .count();
    let dml: Vec<&String> = rest[..rows].iter().collect();
    let after = &rest[rows..];
    let mut report = String::new();
    if f.dry_run {
        report.push_str(&format!(
            "-- dry run: {} DDL and {} other statements would run on {}\n",
            ddl.len(),
            dml.len(),
            crate::config::redact(&f.target)
        ));
        for s in &statements {
            report.push_str(s);
            report.push_str(";\n");
        }
        if !ddl.is_empty() {
            report.push_str("-- the rows are not checked: they need the DDL applied first\n");
            return Ok(report);
        }
    }
    if statements.is_empty() {
        report.push_str("-- nothing to apply: vdb has no changes\n");
        return Ok(report);
    }
    let opts =
        Opts::from_url(&f.target).map_err(|e| PatchError::Connect(format!("--target: {e}")))?;
    // Updates count the rows they match, not only those they change.
    let opts = OptsBuilder::from_opts(opts)
        .additional_capabilities(CapabilityFlags::CLIENT_FOUND_ROWS)
        .prefer_socket(false);
    let mut conn = Conn::new(opts).map_err(|e| {
        PatchError::Connect(format!(
            "cannot reach the target {}: {e}",
            crate::config::redact(&f.target)
        ))
    })?;
    let run = |conn: &mut Conn, s: &str| -> Result<u64, String> {
        conn.query_drop(s).map_err(|e| e.to_string())?;
        Ok(conn.affected_rows())
    };
    for s in &prelude {
        run(&mut conn, s).map_err(PatchError::Connect)?;
    }
    if !f.dry_run {
        for s in &ddl {
            run(&mut conn, s).map_err(|e| {
                PatchError::NotApplied(format!("DDL failed on the target, stopping: {e}\n  {s}"))
            })?;
        }
    }
    run(&mut conn, "START TRANSACTION").map_err(PatchError::Connect)?;
    let mut drifted = Vec::new();
    let mut failed = None;
    let mut applied = 0u64;
    for s in &dml {
        match run(&mut conn, s) {
            Ok(n) => {
                applied += 1;
                if let Some(want) = expected_rows(s) {
                    if n != want {
                        drifted.push(format!("touched {n} rows, expected {want}: {s}"));
                    }
                }
            }
            Err(e) => {
                failed = Some(format!("{e}\n  {s}"));
                break;
            }
        }
    }
    if f.dry_run || !drifted.is_empty() || failed.is_some() {
        run(&mut conn, "ROLLBACK").map_err(PatchError::Connect)?;
    } else {
        run(&mut conn, "COMMIT").map_err(PatchError::Connect)?;
    }
    if let Some(e) = failed {
        return Err(PatchError::NotApplied(format!(
            "a statement failed on the target; nothing was applied (rolled back): {e}"
        )));
    }
    if !drifted.is_empty() {
        let mut msg = format!(
            "the target has drifted: {} statements did not touch the rows they name; nothing was applied (rolled back)\n",
            drifted.len()
        );
        for d in &drifted {
            msg.push_str("  ");
            msg.push_str(d);
            msg.push('\n');
        }
        if f.dry_run {
            report.push_str(&msg);
            return Err(PatchError::NotApplied(report));
        }
        return Err(PatchError::NotApplied(msg));
    }
    if !f.dry_run {
        for s in after {
            run(&mut conn, s).map_err(|e| {
                PatchError::NotApplied(format!(
                    "the rows were applied, but a statement after them failed on the target: {e}\n  {s}"
                ))
            })?;
        }
    }
    if f.dry_run {
        report.push_str(&format!(
            "-- checked: all {applied} statements touch exactly the rows they name (rolled back)\n"
        ));
    } else {
        report.push_str(&format!(
            "applied {} DDL and {applied} other statements to {}\n",
            ddl.len(),
            crate::config::redact(&f.target)
        ));
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_and_deletes_must_touch_their_limit() {
        assert_eq!(
            expected_rows("DELETE FROM `d`.`t` WHERE `id` = 2 LIMIT 1"),
            Some(1)
        );
        assert_eq!(
            expected_rows("UPDATE `d`.`t` SET `a` = ' LIMIT 9' WHERE `v` = 1 LIMIT 3"),
            Some(3)
        );
        assert_eq!(expected_rows("INSERT INTO `d`.`t` (`a`) VALUES (1)"), None);
        assert!(is_ddl("CREATE TABLE `d`.`t` (a int)") && !is_ddl("SET NAMES utf8mb4"));
    }
}

//! Executable comments as a given server reads them. `/*!NNNNN text */` is
//! `text` to a server whose version (MYSQL_VERSION_ID) is at least NNNNN,
//! and to every server when no number follows the `!`; MariaDB's
//! `/*M!NNNNNN text */` is the same to MariaDB and a comment to MySQL. Dumps
//! are full of them (`CREATE DATABASE /*!32312 IF NOT EXISTS*/ db`, a view's
//! `/*!50001 CREATE ALGORITHM=UNDEFINED */ /*!50013 DEFINER=... */ /*!50001
//! VIEW ...*/`).
//!
//! The lexer reads every executable comment as SQL whatever its version:
//! what vdb forwards, rewrites or refuses must not hang on a number. The
//! statements vdb runs itself (DDL) are read here as the source would read
//! them.

use std::borrow::Cow;

use super::lexer::{lex, LexMode};

/// A server version string as executable comments compare it
/// (MYSQL_VERSION_ID): `10.11.19-MariaDB` is 101119 (0 when it cannot be
/// read, so that only comments without a number run).
pub fn version_id(version: &str) -> u64 {
    // MariaDB's handshake says 5.5.5-10.11.19-MariaDB for old clients.
    let version = version.strip_prefix("5.5.5-").unwrap_or(version);
    let mut parts = version
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<u64>().unwrap_or(0));
    let (major, minor, patch) = (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    );
    major * 10000 + minor * 100 + patch
}

/// The server a text is read for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reader {
    /// Its MYSQL_VERSION_ID ([`version_id`]).
    pub version: u64,
    /// Whether it is MariaDB (which alone runs `/*M!`).
    pub mariadb: bool,
}

/// Whether `sql` holds `/*!` or `/*M!` anywhere (in a string too): the
/// cheap look every statement gets before [`as_read_by`] reads it.
pub fn has_executable_comment(sql: &[u8]) -> bool {
    let mut rest = sql;
    while let Some(i) = rest.iter().position(|&b| b == b'/') {
        let at = &rest[i..];
        if at.starts_with(b"/*!") || at.starts_with(b"/*M!") {
            return true;
        }
        rest = &at[1..];
    }
    false
}

/// `sql` as `reader` parses it: each executable comment it runs loses its
/// markers (as the server's own copy of the text loses them, which names
/// select items: `SELECT 1 /*!50000 + 1 */` has a column `1  + 1`; a
/// space is left where two tokens would otherwise join); each
/// it skips becomes an ordinary comment (its `!` a space), which ends, as
/// the server ends a comment it skips, at the first `*/` whatever it
/// holds. A statement of skipped comments alone stays a comment, which the
/// server answers with OK (a blank one would be 1065). Borrowed when the
/// text has no executable comment.
pub fn as_read_by(sql: &str, reader: Reader, mode: LexMode) -> Cow<'_, str> {
    if !has_executable_comment(sql.as_bytes()) {
        return Cow::Borrowed(sql);
    }
    let bytes = sql.as_bytes();
    // (from, to, replacement)
    let mut cuts: Vec<(usize, usize, &str)> = Vec::new();
    // Where the lexer's reading of the text is the server's: from the
    // start, and again after each skipped comment (the lexer reads its
    // content as SQL, where a string may hold the `*/` that ends it).
    let mut pos = 0;
    'text: while pos < bytes.len() {
        // Comment markers lie between tokens (the lexer reads a running
        // comment's SQL as tokens, and strings are tokens): only the gaps
        // are scanned.
        let tokens = lex(&bytes[pos..], mode).tokens;
        let mut gaps: Vec<(usize, usize)> = Vec::with_capacity(tokens.len() + 1);
        let mut at = pos;
        for t in &tokens {
            gaps.push((at, pos + t.start));
            at = pos + t.end;
        }
        gaps.push((at, bytes.len()));
        let mut running = false;
        for (from, to) in gaps {
            let mut i = from;
            while i < to {
                let rest = &bytes[i..to];
                if running && rest.starts_with(b"*/") {
                    cuts.push((i, i + 2, apart(bytes, i, i + 2)));
                    running = false;
                    i += 2;
                } else if !running && (rest.starts_with(b"/*!") || rest.starts_with(b"/*M!")) {
                    let maria_only = rest[2] == b'M';
                    let from_digits = i + if maria_only { 4 } else { 3 };
                    let (needed, n) = wanted_version(&bytes[from_digits..to]);
                    let runs = (!maria_only || reader.mariadb)
                        && needed <= reader.version
                        // MariaDB skips what `/*!` says to MySQL 5.7 and
                        // later: it does not have those features.
                        && !(reader.mariadb && !maria_only && (50700..=99999).contains(&needed));
                    if runs {
                        cuts.push((i, from_digits + n, apart(bytes, i, from_digits + n)));
                        running = true;
                        i = from_digits + n;
                        continue;
                    }
                    cuts.push((i + 2, from_digits, if maria_only { "  " } else { " " }));
                    match sql[from_digits..].find("*/") {
                        Some(e) => {
                            pos = from_digits + e + 2;
                            continue 'text;
                        }
                        // Unterminated: the server's error is for what
                        // it reads, an unterminated comment.
                        None => break 'text,
                    }
                } else if rest.starts_with(b"/*") {
                    // An ordinary comment: whatever it holds ends at its `*/`.
                    i = match sql[i + 2..to].find("*/") {
                        Some(e) => i + 2 + e + 2,
                        None => to,
                    };
                } else if rest[0] == b'#' || rest.starts_with(b"-- ") || rest.starts_with(b"--\t") {
                    i = sql[i..to].find('\n').map_or(to, |e| i + e + 1);
                } else {
                    i += 1;
                }
            }
        }
        break;
    }
    if cuts.is_empty() {
        // The markers were all inside strings or ordinary comments.
        return Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len());
    let mut at = 0;
    for (a, b, with) in cuts {
        out.push_str(&sql[at..a]);
        out.push_str(with);
        at = b;
    }
    out.push_str(&sql[at..]);
    Cow::Owned(out)
}

/// What takes the place of the marker at `from..to`: nothing when a blank
/// (or the text's edge) is beside it, else a space, so that no two tokens
/// join (`DROP/*!50000 TABLE*/t`).
fn apart(bytes: &[u8], from: usize, to: usize) -> &'static str {
    let blank = |b: Option<&u8>| b.is_none_or(|b| b.is_ascii_whitespace());
    if blank(from.checked_sub(1).and_then(|i| bytes.get(i))) || blank(bytes.get(to)) {
        ""
    } else {
        " "
    }
}

/// The version an executable comment asks for, read from the bytes after
/// its `!`, and how many bytes it took: five or six digits (of more, the
/// first six); fewer are no version but the comment's SQL (version 0).
fn wanted_version(after: &[u8]) -> (u64, usize) {
    let digits = after.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits < 5 {
        return (0, 0);
    }
    let n = digits.min(6);
    let version = after[..n]
        .iter()
        .fold(0u64, |v, d| v * 10 + u64::from(d - b'0'));
    (version, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARIADB: Reader = Reader {
        version: 101119,
        mariadb: true,
    };
    const MYSQL: Reader = Reader {
        version: 80036,
        mariadb: false,
    };

    /// The text read, its blanks collapsed and its ordinary comments left
    /// out (checked apart in `a_skipped_comment_is_an_ordinary_one`).
    fn read(sql: &str, r: Reader) -> String {
        let read = as_read_by(sql, r, LexMode::default());
        let mut out = String::new();
        let mut rest = read.as_ref();
        while let Some(a) = rest.find("/* ") {
            out.push_str(&rest[..a]);
            out.push(' ');
            rest = rest[a..].find("*/").map_or("", |e| &rest[a + e + 2..]);
        }
        out.push_str(rest);
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn version_ids_are_read_as_the_server_numbers_itself() {
        assert_eq!(version_id("10.11.19-MariaDB"), 101119);
        assert_eq!(version_id("5.5.5-10.11.19-MariaDB-log"), 101119);
        assert_eq!(version_id("8.0.36"), 80036);
        assert_eq!(version_id("garbage"), 0);
    }

    #[test]
    fn a_comment_for_this_version_or_older_is_sql() {
        assert_eq!(
            read(
                "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `d` /*!40100 DEFAULT CHARACTER SET latin1 */;",
                MARIADB
            ),
            "CREATE DATABASE IF NOT EXISTS `d` DEFAULT CHARACTER SET latin1 ;"
        );
        assert_eq!(
            read(
                "/*!50001 CREATE ALGORITHM=UNDEFINED */\n/*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */\n/*!50001 VIEW `v` AS select 1 AS `a` */",
                MARIADB
            ),
            "CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`localhost` SQL SECURITY DEFINER VIEW `v` AS select 1 AS `a`"
        );
        assert_eq!(read("/*! DROP TABLE t */", MYSQL), "DROP TABLE t");
    }

    #[test]
    fn a_comment_for_a_newer_server_or_the_other_kind_is_a_comment() {
        assert_eq!(
            read("/*M!999999\\- enable the sandbox mode */", MARIADB),
            ""
        );
        assert_eq!(
            read(
                "CREATE TABLE t (a INT) /*M!100100 PAGE_CHECKSUM=1 */",
                MYSQL
            ),
            "CREATE TABLE t (a INT)"
        );
        assert_eq!(
            read(
                "CREATE TABLE t (a INT) /*M!100100 PAGE_CHECKSUM=1 */",
                MARIADB
            ),
            "CREATE TABLE t (a INT) PAGE_CHECKSUM=1"
        );
        assert_eq!(
            read("CREATE TABLE t (a INT) /*!90000 COMMENT 'x' */", MYSQL),
            "CREATE TABLE t (a INT)"
        );
    }

    #[test]
    fn versions_are_five_or_six_digits_and_mariadb_skips_mysql_57_and_later() {
        // Checked on MariaDB 10.11 with `SELECT 1 /*!N + 1 */`.
        assert_eq!(read("SELECT 1 /*!50699 + 1 */", MARIADB), "SELECT 1 + 1");
        assert_eq!(read("SELECT 1 /*!50700 + 1 */", MARIADB), "SELECT 1");
        assert_eq!(read("SELECT 1 /*!80000 + 1 */", MARIADB), "SELECT 1");
        assert_eq!(read("SELECT 1 /*!80000 + 1 */", MYSQL), "SELECT 1 + 1");
        assert_eq!(read("SELECT 1 /*M!50700 + 1 */", MARIADB), "SELECT 1 + 1");
        assert_eq!(read("SELECT 1 /*!101119 + 1 */", MARIADB), "SELECT 1 + 1");
        assert_eq!(read("SELECT 1 /*!101120 + 1 */", MARIADB), "SELECT 1");
        // Seven digits: the first six are the version, the seventh is SQL.
        assert_eq!(
            read("SELECT 1 /*!1011190 + 1 */", MARIADB),
            "SELECT 1 0 + 1"
        );
        // Fewer than five: no version, the digits are SQL.
        assert_eq!(
            read("SELECT 1 /*!1234 + 1 */", MARIADB),
            "SELECT 1 1234 + 1"
        );
    }

    #[test]
    fn markers_in_strings_and_ordinary_comments_are_left_alone() {
        assert!(matches!(
            as_read_by(
                "INSERT INTO t VALUES ('/*!50000 x */')",
                MARIADB,
                LexMode::default()
            ),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            read("CREATE TABLE t (a INT COMMENT '/*!50000 x */')", MARIADB),
            "CREATE TABLE t (a INT COMMENT '/*!50000 x */')"
        );
        assert_eq!(
            as_read_by(
                "CREATE /* see /*!50000 */ TABLE t (a INT)",
                MARIADB,
                LexMode::default()
            ),
            "CREATE /* see /*!50000 */ TABLE t (a INT)"
        );
    }

    #[test]
    fn a_skipped_comment_is_an_ordinary_one_that_ends_at_the_first_close() {
        // The server answers a statement of comments with OK, a blank one
        // with 1065: the comment stays.
        assert_eq!(
            as_read_by(
                "/*M!999999\\- enable the sandbox mode */",
                MARIADB,
                LexMode::default()
            ),
            "/*  999999\\- enable the sandbox mode */"
        );
        assert_eq!(
            as_read_by("/*!99999 DROP TABLE t */;", MARIADB, LexMode::default()),
            "/* 99999 DROP TABLE t */;"
        );
        // It ends where the server ends it, inside the string: the rest
        // is SQL (and a syntax error there, as on the server).
        assert_eq!(
            read("SELECT 1 /*!99999 COMMENT '*/' + 1 */", MARIADB),
            "SELECT 1 ' + 1 */"
        );
        // After it, running comments are read again.
        assert_eq!(
            read("SELECT 1 /*!99999 x */ /*!50000 + 1 */", MARIADB),
            "SELECT 1 + 1"
        );
        // (After `'*/'` the server reads a `'` that opens a string: no
        // comment follows.)
        assert_eq!(
            as_read_by(
                "SELECT 1 /*!99999 '*/' /*!50000 + 1 */",
                MARIADB,
                LexMode::default()
            ),
            "SELECT 1 /* 99999 '*/' /*!50000 + 1 */"
        );
    }

    #[test]
    fn markers_leave_no_trace_where_the_server_leaves_none() {
        // Checked on MariaDB 10.11: the column is named `1  + 1`.
        assert_eq!(
            as_read_by("SELECT 1 /*!50000 + 1 */", MARIADB, LexMode::default()),
            "SELECT 1  + 1 "
        );
        assert_eq!(
            as_read_by("DROP/*!50000 TABLE*/t", MARIADB, LexMode::default()),
            "DROP TABLE t"
        );
    }

    #[test]
    fn tokens_either_side_of_a_marker_stay_apart() {
        assert_eq!(read("DROP/*!50000 TABLE*/t", MARIADB), "DROP TABLE t");
        assert_eq!(
            read("DROP/*!90000 TEMPORARY*/TABLE t", MARIADB),
            "DROP TABLE t"
        );
    }
}

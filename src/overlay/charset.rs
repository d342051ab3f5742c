//! Character sets and collations named in DDL, resolved and checked as
//! the server does, in one place for CREATE DATABASE, CREATE TABLE and
//! ALTER TABLE (which must all agree on what `utf8` means).

use crate::upstream::Upstream;

use super::ddl::server;
use super::meta::{text, text_literal};
use super::OverlayError;

/// A character set's name as the server stores it: lowercase, and `utf8`
/// read as `utf8mb3` (MariaDB's default `old_mode`, and MySQL's reading).
fn charset_name(name: &str) -> String {
    match name.to_ascii_lowercase().as_str() {
        "utf8" => "utf8mb3".to_string(),
        other => other.to_string(),
    }
}

/// A collation's name as the server stores it: `utf8_bin` is
/// `utf8mb3_bin`, as `utf8` is `utf8mb3`.
fn collation_name(name: &str) -> String {
    let name = name.to_ascii_lowercase();
    match name.strip_prefix("utf8_") {
        Some(rest) => format!("utf8mb3_{rest}"),
        None => name,
    }
}

/// The character set and collation a DDL clause names, checked in the
/// server's order: 1115 for an unknown character set, 1273 for an unknown
/// collation, 1253 for a collation of another character set. A character
/// set alone takes its default collation; a collation alone, its
/// character set. `None` when the clause names neither, so the caller
/// applies its own default (the table's, the database's, the server's).
pub(super) fn resolve(
    up: &mut Upstream,
    charset: Option<&str>,
    collation: Option<&str>,
) -> Result<Option<(String, String)>, OverlayError> {
    let default_collation = match charset {
        None => None,
        Some(given) => {
            let cs = charset_name(given);
            let rows = up.query(&format!(
                "SELECT DEFAULT_COLLATE_NAME FROM information_schema.CHARACTER_SETS WHERE CHARACTER_SET_NAME = {}",
                text_literal(&cs)
            ))?;
            match rows.first() {
                Some(r) => Some((cs, text(&r[0]))),
                None => {
                    return Err(server(
                        1115,
                        "42000",
                        format!("Unknown character set: '{given}'"),
                    ))
                }
            }
        }
    };
    let Some(given) = collation else {
        return Ok(default_collation);
    };
    let co = collation_name(given);
    let rows = up.query(&format!(
        "SELECT CHARACTER_SET_NAME FROM information_schema.COLLATIONS WHERE COLLATION_NAME = {}",
        text_literal(&co)
    ))?;
    let Some(row) = rows.first() else {
        return Err(server(
            1273,
            "HY000",
            format!("Unknown collation: '{given}'"),
        ));
    };
    let of = text(&row[0]);
    match default_collation {
        Some((cs, _)) if cs != of => Err(server(
            1253,
            "42000",
            format!("COLLATION '{co}' is not valid for CHARACTER SET '{cs}'"),
        )),
        _ => Ok(Some((of, co))),
    }
}

/// [`resolve`], or `default` (the table's, the database's) when the
/// clause names neither.
pub(super) fn resolve_or(
    up: &mut Upstream,
    charset: &Option<String>,
    collation: &Option<String>,
    default: &(String, String),
) -> Result<(String, String), OverlayError> {
    Ok(resolve(up, charset.as_deref(), collation.as_deref())?.unwrap_or_else(|| default.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_names_the_three_byte_character_set_and_its_collations() {
        assert_eq!(charset_name("UTF8"), "utf8mb3");
        assert_eq!(charset_name("utf8mb4"), "utf8mb4");
        assert_eq!(charset_name("Latin1"), "latin1");
        assert_eq!(collation_name("UTF8_BIN"), "utf8mb3_bin");
        assert_eq!(collation_name("utf8_general_ci"), "utf8mb3_general_ci");
        assert_eq!(collation_name("utf8mb4_bin"), "utf8mb4_bin");
    }
}

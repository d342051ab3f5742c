//! Column definitions of a table vdb holds the definition of (created or
//! altered through vdb), written as the server writes them for a real
//! table's columns: its database and name, type, display length, flags
//! (NOT NULL, keys, UNSIGNED, BINARY, BLOB, ENUM, SET, AUTO_INCREMENT,
//! NO_DEFAULT_VALUE) and decimals. The source cannot describe such a
//! table (it has none by that name, or an older one), and the merged view
//! it reads is a derived table of literals, whose columns the source
//! describes as literals (a BIGINT for an INT, no flags).
//!
//! Lengths follow the server's rule for results in a client character
//! set: a string column's length in characters times the result
//! character set's longest character (TEXT and BLOB lengths are bytes, so
//! times that alone); with no result character set, the column's own.

use std::collections::HashMap;

use crate::delta::TableMeta;
use crate::overlay::catalog::{character_length, type_arg};
use crate::protocol::coldef::ColumnDef;

/// What the source says about its character sets and collations.
#[derive(Debug, Default)]
pub struct Charsets {
    /// Collation name → (id, longest character of its character set).
    collations: HashMap<String, (u16, u32)>,
    /// Character set name → its default collation's id.
    defaults: HashMap<String, u16>,
    /// Character set name → its longest character.
    maxlen: HashMap<String, u32>,
}

impl Charsets {
    /// From rows of (collation id, collation name, character set, is
    /// default, longest character), as information_schema lists them.
    pub fn from_rows(rows: &[(u16, String, String, bool, u32)]) -> Charsets {
        let mut c = Charsets::default();
        for (id, name, charset, default, maxlen) in rows {
            c.collations.insert(name.clone(), (*id, *maxlen));
            c.maxlen.insert(charset.clone(), *maxlen);
            if *default {
                c.defaults.insert(charset.clone(), *id);
            }
        }
        c
    }

    /// The query that lists them, for [`Charsets::from_rows`].
    pub const QUERY: &'static str = "SELECT c.ID, c.COLLATION_NAME, c.CHARACTER_SET_NAME, \
         c.IS_DEFAULT = 'Yes', s.MAXLEN FROM information_schema.COLLATIONS c \
         JOIN information_schema.CHARACTER_SETS s ON s.CHARACTER_SET_NAME = c.CHARACTER_SET_NAME \
         WHERE c.ID IS NOT NULL";
}

const NOT_NULL: u16 = 0x0001;
const PRI_KEY: u16 = 0x0002;
const UNIQUE_KEY: u16 = 0x0004;
const MULTIPLE_KEY: u16 = 0x0008;
const BLOB: u16 = 0x0010;
const UNSIGNED: u16 = 0x0020;
const ZEROFILL: u16 = 0x0040;
const BINARY: u16 = 0x0080;
const ENUM: u16 = 0x0100;
const AUTO_INCREMENT: u16 = 0x0200;
const SET: u16 = 0x0800;
const NO_DEFAULT_VALUE: u16 = 0x1000;
const PART_KEY: u16 = 0x4000;

/// The binary character set's id.
const BINARY_ID: u16 = 63;

/// The definition the server sends for column `name` of `meta`, as the
/// query knows it by `table` (alias) and `alias`; `got` is what the source
/// sent for the merged view's column (its extended metadata, if any, is
/// kept). `results` is the session's character_set_results (`None`: no
/// conversion). `None` when `meta` has no such column.
pub fn definition(
    meta: &TableMeta,
    got: &ColumnDef,
    results: Option<&str>,
    charsets: &Charsets,
) -> Option<Vec<u8>> {
    let org_name = String::from_utf8_lossy(got.names[crate::protocol::coldef::ORG_NAME]);
    let i = meta
        .columns
        .iter()
        .position(|c| c.name.eq_ignore_ascii_case(&org_name))?;
    let c = &meta.columns[i];
    let data_type = c.column.data_type.as_str();
    let column_type = c.column.column_type.as_str();
    let unsigned = column_type.contains("unsigned");
    let zerofill = column_type.contains("zerofill");
    let arg = |n: usize| type_arg(column_type, n);
    // Characters (bytes for binary strings), as information_schema's
    // CHARACTER_MAXIMUM_LENGTH says.
    let capacity = character_length(&c.column).unwrap_or(1);
    let collation = c.column.collation.as_deref();
    let own = collation
        .and_then(|co| charsets.collations.get(co))
        .copied();
    // (charset id, longest character) of the result's strings.
    let text_charset = match results.filter(|r| *r != "binary") {
        Some(r) => match (charsets.defaults.get(r), charsets.maxlen.get(r)) {
            (Some(&id), Some(&max)) => (id, max),
            _ => own.unwrap_or((BINARY_ID, 1)),
        },
        None => own.unwrap_or((BINARY_ID, 1)),
    };
    let chars = |n: u64| n.saturating_mul(u64::from(text_charset.1));
    let fsp = || arg(0).unwrap_or(0);
    let mut flags = 0u16;
    let (kind, length, decimals, charset): (u8, u64, u8, u16) = match data_type {
        "tinyint" => (
            0x01,
            arg(0).unwrap_or(if unsigned { 3 } else { 4 }),
            0,
            BINARY_ID,
        ),
        "smallint" => (
            0x02,
            arg(0).unwrap_or(if unsigned { 5 } else { 6 }),
            0,
            BINARY_ID,
        ),
        "mediumint" => (
            0x09,
            arg(0).unwrap_or(if unsigned { 8 } else { 9 }),
            0,
            BINARY_ID,
        ),
        "int" | "integer" => (
            0x03,
            arg(0).unwrap_or(if unsigned { 10 } else { 11 }),
            0,
            BINARY_ID,
        ),
        "bigint" => (0x08, arg(0).unwrap_or(20), 0, BINARY_ID),
        "decimal" | "numeric" => {
            let (m, d) = (arg(0).unwrap_or(10), arg(1).unwrap_or(0));
            let length = m + u64::from(d > 0) + u64::from(!unsigned);
            (0xf6, length, d as u8, BINARY_ID)
        }
        "float" => (0x04, 12, 31, BINARY_ID),
        "double" | "real" => (0x05, 22, 31, BINARY_ID),
        "date" => {
            flags |= BINARY;
            (0x0a, 10, 0, BINARY_ID)
        }
        "datetime" | "timestamp" => {
            flags |= BINARY;
            if data_type == "timestamp" {
                flags |= UNSIGNED;
            }
            let f = fsp();
            let kind = if data_type == "timestamp" { 0x07 } else { 0x0c };
            (kind, 19 + if f > 0 { f + 1 } else { 0 }, f as u8, BINARY_ID)
        }
        "time" => {
            flags |= BINARY;
            let f = fsp();
            (0x0b, 10 + if f > 0 { f + 1 } else { 0 }, f as u8, BINARY_ID)
        }
        "year" => {
            flags |= UNSIGNED | ZEROFILL;
            (0x0d, 4, 0, BINARY_ID)
        }
        "bit" => {
            flags |= UNSIGNED;
            (0x10, arg(0).unwrap_or(1), 0, BINARY_ID)
        }
        "char" | "varchar" => {
            let kind = if data_type == "char" { 0xfe } else { 0xfd };
            (kind, chars(capacity), 0, text_charset.0)
        }
        "binary" | "varbinary" => {
            flags |= BINARY;
            let kind = if data_type == "binary" { 0xfe } else { 0xfd };
            (kind, capacity, 0, BINARY_ID)
        }
        // A TEXT's capacity is in bytes: as many characters of the result's
        // character set, as the server counts it.
        "tinytext" | "text" | "mediumtext" | "longtext" => {
            flags |= BLOB;
            (0xfc, chars(capacity), 0, text_charset.0)
        }
        "tinyblob" | "blob" | "mediumblob" | "longblob" => {
            flags |= BLOB | BINARY;
            (0xfc, capacity, 0, BINARY_ID)
        }
        "enum" | "set" => {
            flags |= if data_type == "enum" { ENUM } else { SET };
            (0xfe, chars(capacity), 0, text_charset.0)
        }
        _ => return None,
    };
    if charset != BINARY_ID && collation.is_some_and(|co| co.ends_with("_bin")) {
        flags |= BINARY;
    }
    if unsigned {
        flags |= UNSIGNED;
    }
    if zerofill {
        flags |= ZEROFILL;
    }
    if !c.nullable {
        flags |= NOT_NULL;
        if c.default.is_none() && !c.auto_increment {
            flags |= NO_DEFAULT_VALUE;
        }
    }
    if c.auto_increment {
        flags |= AUTO_INCREMENT;
    }
    flags |= key_flags(meta, i);
    let mut names = got.names;
    let schema = meta.id.schema.as_bytes();
    let org_table = meta.id.shown_name().as_bytes();
    let org_name = c.name.as_bytes();
    names[crate::protocol::coldef::SCHEMA] = schema;
    names[crate::protocol::coldef::ORG_TABLE] = org_table;
    names[crate::protocol::coldef::ORG_NAME] = org_name;
    let prefix = &got.rest[..got.rest.len() - 13];
    let mut rest = prefix.to_vec();
    rest.push(0x0c);
    rest.extend_from_slice(&charset.to_le_bytes());
    rest.extend_from_slice(&(length.min(u64::from(u32::MAX)) as u32).to_le_bytes());
    rest.push(kind);
    rest.extend_from_slice(&flags.to_le_bytes());
    rest.push(decimals);
    rest.extend_from_slice(&[0, 0]);
    Some(ColumnDef::encode(names, &rest))
}

/// The server's key flags for column `i`: PRI_KEY on every column of the
/// primary key (or of the first unique key of NOT NULL columns, which the
/// server takes as one), PART_KEY on every column of any key, and on the
/// first column of another key UNIQUE_KEY for a one-column unique key,
/// else MULTIPLE_KEY.
fn key_flags(meta: &TableMeta, i: usize) -> u16 {
    let primary = meta.primary_key().map(|k| k.name.as_str());
    let mut flags = 0;
    for (k, unique) in meta
        .unique_keys
        .iter()
        .map(|k| (k, true))
        .chain(meta.indexes.iter().map(|k| (k, false)))
    {
        if !k.columns.contains(&i) {
            continue;
        }
        flags |= PART_KEY;
        if Some(k.name.as_str()) == primary {
            flags |= PRI_KEY;
        } else if k.columns[0] == i {
            flags |= if unique && k.columns.len() == 1 {
                UNIQUE_KEY
            } else {
                MULTIPLE_KEY
            };
        }
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_arguments_and_enum_values_are_read_from_the_column_type() {
        assert_eq!(
            (
                type_arg("decimal(10,2) unsigned", 0),
                type_arg("decimal(10,2) unsigned", 1)
            ),
            (Some(10), Some(2))
        );
        assert_eq!(type_arg("int(11)", 0), Some(11));
        assert_eq!(type_arg("text", 0), None);
        let labels = |t: &str| -> Vec<String> {
            crate::sql::typed_use::labels(t)
                .iter()
                .map(|l| String::from_utf8_lossy(l).into_owned())
                .collect()
        };
        assert_eq!(labels("enum('a','bb','it''s')"), vec!["a", "bb", "it's"]);
        assert_eq!(labels("set('x','y')"), vec!["x", "y"]);
    }
}

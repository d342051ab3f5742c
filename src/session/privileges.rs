//! Column privileges as a client of vdb has them.
//!
//! `information_schema.COLUMNS.PRIVILEGES` (and so SHOW FULL COLUMNS'
//! `Privileges`) lists what the *current account* may do with each column.
//! vdb reads as its source account, often a SELECT-only one, so the source
//! says `select`; yet through vdb the client may write every table, as an
//! account with all privileges may, which the server shows as
//! `select,insert,update,references`. A GUI deciding from this whether a
//! grid is editable would otherwise take every table for read-only. The
//! columns of information_schema's own tables stay `select`, as the
//! server shows them to any account.

use crate::protocol::binrow;
use crate::protocol::coldef::{ColumnDef, ORG_NAME, ORG_TABLE, SCHEMA};
use crate::protocol::packet::{lenenc_int, put_lenenc_bytes};
use crate::protocol::response::ResultPatch;

/// What an account that may write a table sees in its columns' PRIVILEGES.
const WRITABLE: &[u8] = b"select,insert,update,references";

/// Rewrites the PRIVILEGES values of a result read from
/// information_schema.COLUMNS, after the patch the read already has (if
/// any) made its own changes.
pub struct Privileges<'a> {
    inner: Option<&'a mut dyn ResultPatch>,
    /// Whether the rows describe information_schema's own tables when the
    /// result has no TABLE_SCHEMA column to say (a SHOW FULL COLUMNS of
    /// one of them).
    catalog: bool,
    /// Per column of the current result set: its type, as binary rows
    /// need it.
    types: Vec<u8>,
    /// The PRIVILEGES columns of the current result set.
    privileges: Vec<usize>,
    /// Its TABLE_SCHEMA column, if it has one.
    schema: Option<usize>,
}

impl<'a> Privileges<'a> {
    /// A patch for a read that may show column privileges; `catalog` says
    /// a SHOW FULL COLUMNS names a table of information_schema.
    pub fn new(inner: Option<&'a mut dyn ResultPatch>, catalog: bool) -> Self {
        Privileges {
            inner,
            catalog,
            types: Vec::new(),
            privileges: Vec::new(),
            schema: None,
        }
    }

    /// Whether a row whose TABLE_SCHEMA is `schema` (NULL when `None`, or
    /// absent) describes information_schema's own table.
    fn of_catalog(&self, schema: Option<Option<&[u8]>>) -> bool {
        match schema {
            Some(s) => s.is_some_and(|s| s.eq_ignore_ascii_case(b"information_schema")),
            None => self.catalog,
        }
    }

    fn text_row(&self, payload: &[u8]) -> Option<Vec<u8>> {
        let mut values: Vec<Option<&[u8]>> = Vec::with_capacity(self.types.len());
        let mut pos = 0;
        while pos < payload.len() {
            if payload[pos] == 0xFB {
                values.push(None);
                pos += 1;
                continue;
            }
            let len = lenenc_int(payload, &mut pos)? as usize;
            values.push(Some(payload.get(pos..pos + len)?));
            pos += len;
        }
        let schema = self.schema.map(|i| values.get(i).copied().flatten());
        if self.of_catalog(schema) {
            return None;
        }
        let mut out = Vec::with_capacity(payload.len() + 32);
        for (i, v) in values.iter().enumerate() {
            match v {
                None => out.push(0xFB),
                Some(_) if self.privileges.contains(&i) => put_lenenc_bytes(&mut out, WRITABLE),
                Some(v) => put_lenenc_bytes(&mut out, v),
            }
        }
        Some(out)
    }

    fn binary_row(&self, payload: &[u8]) -> Option<Vec<u8>> {
        let spans = binrow::values(payload, &self.types)?;
        let value = |i: usize| -> Option<&[u8]> {
            let span = spans.get(i)?.clone()?;
            let v = &payload[span];
            let mut pos = 0;
            let len = lenenc_int(v, &mut pos)? as usize;
            v.get(pos..pos + len)
        };
        if self.of_catalog(self.schema.map(value)) {
            return None;
        }
        let header = 1 + (self.types.len() + 9) / 8;
        let mut out = payload.get(..header)?.to_vec();
        for (i, span) in spans.into_iter().enumerate() {
            let Some(span) = span else { continue };
            if self.privileges.contains(&i) {
                put_lenenc_bytes(&mut out, WRITABLE);
            } else {
                out.extend_from_slice(&payload[span]);
            }
        }
        Some(out)
    }
}

impl ResultPatch for Privileges<'_> {
    fn column(&mut self, index: usize, payload: &[u8]) -> Option<Vec<u8>> {
        if index == 0 {
            self.types.clear();
            self.privileges.clear();
            self.schema = None;
        }
        let replaced = self.inner.as_mut().and_then(|p| p.column(index, payload));
        let def = replaced.as_deref().unwrap_or(payload);
        if let Some(d) = ColumnDef::parse(def) {
            self.types.push(d.column_type());
            let of_columns = d.names[SCHEMA].eq_ignore_ascii_case(b"information_schema")
                && d.names[ORG_TABLE].eq_ignore_ascii_case(b"COLUMNS");
            if of_columns && d.names[ORG_NAME].eq_ignore_ascii_case(b"PRIVILEGES") {
                self.privileges.push(index);
            } else if of_columns && d.names[ORG_NAME].eq_ignore_ascii_case(b"TABLE_SCHEMA") {
                self.schema.get_or_insert(index);
            }
        } else {
            self.types.push(0xfd);
        }
        replaced
    }

    fn rows(&self) -> bool {
        !self.privileges.is_empty() || self.inner.as_ref().is_some_and(|p| p.rows())
    }

    fn row(&mut self, payload: &[u8], binary: bool) -> Option<Vec<u8>> {
        let inner = self
            .inner
            .as_mut()
            .filter(|p| p.rows())
            .and_then(|p| p.row(payload, binary));
        if self.privileges.is_empty() {
            return inner;
        }
        let row = inner.as_deref().unwrap_or(payload);
        let ours = if binary {
            self.binary_row(row)
        } else {
            self.text_row(row)
        };
        ours.or(inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(org_table: &str, name: &str, column_type: u8) -> Vec<u8> {
        let rest = [0x0c, 33, 0, 192, 0, 0, 0, column_type, 0, 0, 0, 0, 0];
        ColumnDef::encode(
            [
                b"def",
                b"information_schema",
                org_table.as_bytes(),
                org_table.as_bytes(),
                name.as_bytes(),
                name.as_bytes(),
            ],
            &rest,
        )
    }

    fn text(values: &[Option<&str>]) -> Vec<u8> {
        let mut out = Vec::new();
        for v in values {
            match v {
                None => out.push(0xFB),
                Some(v) => put_lenenc_bytes(&mut out, v.as_bytes()),
            }
        }
        out
    }

    #[test]
    fn a_read_only_accounts_column_privileges_read_as_a_writers() {
        let mut p = Privileges::new(None, false);
        p.column(0, &def("COLUMNS", "TABLE_SCHEMA", 0xfd));
        p.column(1, &def("COLUMNS", "COLUMN_NAME", 0xfd));
        p.column(2, &def("COLUMNS", "PRIVILEGES", 0xfd));
        assert!(p.rows());
        assert_eq!(
            p.row(&text(&[Some("shop"), Some("id"), Some("select")]), false),
            Some(text(&[
                Some("shop"),
                Some("id"),
                Some("select,insert,update,references")
            ]))
        );
        // information_schema's own columns stay select, as for any account.
        assert_eq!(
            p.row(
                &text(&[Some("INFORMATION_SCHEMA"), Some("x"), Some("select")]),
                false
            ),
            None
        );
    }

    #[test]
    fn results_without_privileges_are_left_alone() {
        let mut p = Privileges::new(None, false);
        p.column(0, &def("TABLES", "PRIVILEGES", 0xfd));
        assert!(!p.rows());
    }

    #[test]
    fn show_full_columns_of_a_catalog_table_keeps_select() {
        let mut p = Privileges::new(None, true);
        p.column(0, &def("COLUMNS", "COLUMN_NAME", 0xfd));
        p.column(1, &def("COLUMNS", "PRIVILEGES", 0xfd));
        assert_eq!(p.row(&text(&[Some("a"), Some("select")]), false), None);
    }

    #[test]
    fn binary_rows_are_rewritten_too() {
        let mut p = Privileges::new(None, false);
        p.column(0, &def("COLUMNS", "COLUMN_NAME", 0xfd));
        p.column(1, &def("COLUMNS", "PRIVILEGES", 0xfd));
        // Header 0x00, NULL bitmap (one byte for two columns), values.
        let mut row = vec![0, 0];
        put_lenenc_bytes(&mut row, b"a");
        put_lenenc_bytes(&mut row, b"select");
        let mut want = vec![0, 0];
        put_lenenc_bytes(&mut want, b"a");
        put_lenenc_bytes(&mut want, WRITABLE);
        assert_eq!(p.row(&row, true), Some(want));
    }
}

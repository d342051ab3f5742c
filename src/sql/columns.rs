//! Which columns a statement may read of its tables, from its tokens: a
//! derived table that stands for a changed table needs only those, and a
//! narrower derived table is cheaper for the source to materialize (the
//! rows it copies are smaller; see ../shared/design/overlay.md, section 2).
//!
//! The test is textual and errs towards more columns: a column is read
//! when its name appears anywhere as a word or quoted identifier (in any
//! clause, subquery or spliced view body), and every column is read when
//! the statement has a `*` that stands for columns (`SELECT *`, `t.*`) or
//! a NATURAL join (which compares the columns both sides share, unnamed).

use std::collections::HashSet;

use super::items::MODIFIERS;
use super::lexer::{lex, Kind, LexMode};

/// The column names a statement may read.
#[derive(Debug, Clone, Default)]
pub struct NamedColumns {
    /// Every column of every table (a `*` or a NATURAL join).
    all: bool,
    /// Every word and identifier of the text, lowercased.
    names: HashSet<String>,
}

/// Reserved words frequent in queries.
const RESERVED: &[&str] = &[
    "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "IS", "NULL", "BETWEEN", "AS", "ON",
    "JOIN", "LEFT", "INNER", "ORDER", "GROUP", "BY", "LIMIT", "DESC", "ASC", "LIKE", "UNION",
    "ALL", "DISTINCT", "HAVING", "CASE", "WHEN", "THEN", "ELSE", "EXISTS", "FOR", "UPDATE",
];

impl NamedColumns {
    /// What `sql` names.
    pub fn of(sql: &str, mode: LexMode) -> NamedColumns {
        let bytes = sql.as_bytes();
        let tokens = lex(bytes, mode).tokens;
        let mut used = NamedColumns::default();
        for (i, t) in tokens.iter().enumerate() {
            match t.kind {
                Kind::Word if t.is_word(bytes, "NATURAL") => used.all = true,
                // Numbers, and reserved words no unquoted column is named
                // (the common ones: each name costs a lowercase copy).
                Kind::Word
                    if bytes[t.start].is_ascii_digit()
                        || RESERVED.iter().any(|w| t.is_word(bytes, w)) => {}
                Kind::Word | Kind::QuotedIdent => {
                    if let Some(name) = t.name(bytes, mode) {
                        used.names.insert(name.to_lowercase());
                    }
                }
                Kind::Punct(b'*') => {
                    let star = match i.checked_sub(1).map(|p| &tokens[p]) {
                        None => true,
                        Some(p) if p.is_punct(b'.') || p.is_punct(b',') => true,
                        // SELECT or a word that may follow it.
                        Some(p) => {
                            p.is_word(bytes, "SELECT")
                                || MODIFIERS.iter().any(|w| p.is_word(bytes, w))
                        }
                    };
                    used.all |= star;
                }
                _ => {}
            }
        }
        used
    }

    /// Whether column `name` may be read. Names outside ASCII always may:
    /// the server compares column names accent-insensitively, which a
    /// lowercase comparison does not.
    pub fn reads(&self, name: &str) -> bool {
        self.all || !name.is_ascii() || self.names.contains(&name.to_lowercase())
    }

    /// Which of `columns` may be read; `None` when all of them may. At
    /// least one is kept (`SELECT COUNT(*) FROM t` reads rows, not
    /// columns, and a derived table needs a column).
    pub fn mask<'a>(&self, columns: impl IntoIterator<Item = &'a str>) -> Option<Vec<bool>> {
        if self.all {
            return None;
        }
        let mut mask: Vec<bool> = columns.into_iter().map(|c| self.reads(c)).collect();
        if mask.iter().all(|&m| m) {
            return None;
        }
        if !mask.iter().any(|&m| m) {
            if let Some(first) = mask.first_mut() {
                *first = true;
            }
        }
        Some(mask)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask(sql: &str) -> Option<Vec<bool>> {
        NamedColumns::of(sql, LexMode::default()).mask(["id", "k", "c", "pad"])
    }

    #[test]
    fn a_query_reads_the_columns_it_names_anywhere() {
        assert_eq!(
            mask("SELECT c FROM t WHERE id BETWEEN 1 AND 5"),
            Some(vec![true, false, true, false])
        );
        assert_eq!(
            mask("SELECT x.`C` FROM t x JOIN u ON u.a = x.K ORDER BY 1"),
            Some(vec![false, true, true, false])
        );
        assert_eq!(
            mask("SELECT 1 FROM u WHERE EXISTS (SELECT pad FROM t)"),
            Some(vec![false, false, false, true])
        );
    }

    #[test]
    fn a_star_or_a_natural_join_reads_every_column() {
        assert_eq!(mask("SELECT * FROM t"), None);
        assert_eq!(mask("SELECT DISTINCT * FROM t"), None);
        assert_eq!(mask("SELECT c, t.* FROM t"), None);
        assert_eq!(mask("SELECT c FROM t NATURAL JOIN u"), None);
        assert_eq!(mask("SELECT id, k, c, pad FROM t"), None);
    }

    #[test]
    fn a_product_or_count_star_is_not_a_star() {
        assert_eq!(
            mask("SELECT k * 2, COUNT(*) FROM t"),
            Some(vec![false, true, false, false])
        );
        // No column named: the first is kept, so the rows still count.
        assert_eq!(
            mask("SELECT COUNT(*) FROM t"),
            Some(vec![true, false, false, false])
        );
    }

    #[test]
    fn names_in_comments_and_strings_are_not_reads() {
        assert_eq!(
            mask("SELECT c /* pad */ FROM t WHERE 'k' = 'k'"),
            Some(vec![false, false, true, false])
        );
    }
}

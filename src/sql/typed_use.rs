//! Uses of BIT, ENUM and SET columns that the merged view cannot answer
//! exactly.
//!
//! ENUM and SET columns of a changed table become strings in the merged
//! view (no literal has their type): as strings they compare, match and
//! concatenate exactly, but they no longer sort by their index, add as
//! numbers or compare with numbers (`ORDER BY e`, `e + 0`, `e = 1`,
//! `MAX(e)`). [`index_order`] rewrites an `ORDER BY e` item to sort by
//! the index; [`non_string_use`] finds the other uses.
//!
//! No literal keeps the BIT type in a UNION, so the merged view of a
//! changed table reads its BIT columns as numbers (see
//! [`crate::sql::literal::Column::bit_width`]), and the session gives a
//! result column that is such a column its BIT type and bytes back. As a
//! number, a BIT value compares, sorts, adds and masks exactly as it does
//! as BIT; in a string context (CONCAT, LENGTH, CAST AS CHAR, JSON, LIKE)
//! or as the value of an expression the result would show (MIN, MAX,
//! IF, CASE, COALESCE) it would not. Such uses are found here, so that they
//! are refused rather than answered wrongly.

use super::lexer::{lex, unquote, Kind, LexMode, Token};

/// Functions whose result over a BIT argument is the same for its number.
const NUMERIC_FUNCTIONS: &[&str] = &[
    "ABS",
    "AVG",
    "BIN",
    "BIT_AND",
    "BIT_COUNT",
    "BIT_OR",
    "BIT_XOR",
    "COUNT",
    "HEX",
    "IN",
    "OCT",
    "SIGN",
    "SUM",
];

/// CAST and CONVERT targets that read a BIT value as its number.
const NUMERIC_TYPES: &[&str] = &[
    "DECIMAL", "DOUBLE", "FLOAT", "INT", "INTEGER", "REAL", "SIGNED", "UNSIGNED",
];

/// A lexed text, for finding the uses of some columns in it.
struct Scan<'a> {
    sql: &'a [u8],
    tokens: Vec<Token>,
}

/// One reference to a watched column.
struct Use {
    /// The column, lower case.
    name: String,
    /// The token of its name.
    at: usize,
    /// Its first token (`db`.`t`.`col` starts at `db`).
    first: usize,
    /// The innermost parenthesis open around it.
    open: Option<usize>,
}

impl<'a> Scan<'a> {
    fn new(sql: &'a [u8], mode: LexMode) -> Scan<'a> {
        Scan {
            sql,
            tokens: lex(sql, mode).tokens,
        }
    }

    /// Token `i` as an upper-case keyword, if it is a word.
    fn word(&self, i: usize) -> Option<String> {
        let t = self.tokens.get(i)?;
        (t.kind == Kind::Word)
            .then(|| String::from_utf8_lossy(t.text(self.sql)).to_ascii_uppercase())
    }

    /// References to the columns `watched` names (not qualifiers, not
    /// aliases), in text order.
    fn uses(&self, watched: impl Fn(&str) -> bool, mode: LexMode) -> Vec<Use> {
        let t = &self.tokens;
        let mut opens: Vec<usize> = Vec::new();
        let mut out = Vec::new();
        for (i, tok) in t.iter().enumerate() {
            let name = match tok.kind {
                Kind::Punct(b'(') => {
                    opens.push(i);
                    continue;
                }
                Kind::Punct(b')') => {
                    opens.pop();
                    continue;
                }
                Kind::QuotedIdent => unquote(tok.text(self.sql), mode),
                Kind::Word => tok.text(self.sql).to_vec(),
                _ => continue,
            };
            let name = String::from_utf8_lossy(&name).to_lowercase();
            if !watched(&name) || t.get(i + 1).is_some_and(|n| n.kind == Kind::Punct(b'.')) {
                continue;
            }
            let mut first = i;
            while first >= 2 && t[first - 1].kind == Kind::Punct(b'.') {
                first -= 2;
            }
            if first > 0 && self.word(first - 1).as_deref() == Some("AS") {
                continue;
            }
            out.push(Use {
                name,
                at: i,
                first,
                open: opens.last().copied(),
            });
        }
        out
    }

    /// The function whose parentheses open at `open` (`CONCAT(`), if any.
    fn function(&self, open: Option<usize>) -> Option<String> {
        let open = open.filter(|&o| o > 0)?;
        (self.tokens[open - 1].end == self.tokens[open].start)
            .then(|| self.word(open - 1))
            .flatten()
    }

    /// The target of the CAST or CONVERT a use at token `i` is the value
    /// of: the type after AS (or a comma), or `USING`.
    fn cast_target(&self, i: usize) -> Option<String> {
        let j = self.tokens[i + 1..]
            .iter()
            .position(|n| n.kind == Kind::Word)?
            + i
            + 1;
        match self.word(j)?.as_str() {
            "AS" => self.word(j + 1),
            w => Some(w.to_string()),
        }
    }
}

/// The first use in `sql` of a column named in `bit_columns` (lower case)
/// where its number and its BIT bytes would give different answers,
/// described for an error message; `None` when every use is numeric.
pub fn non_numeric_use(sql: &[u8], bit_columns: &[String], mode: LexMode) -> Option<String> {
    if bit_columns.is_empty() {
        return None;
    }
    let scan = Scan::new(sql, mode);
    for u in scan.uses(|n| bit_columns.iter().any(|c| c == n), mode) {
        let name = &u.name;
        if let Some(op) = scan.word(u.at + 1).filter(|w| {
            matches!(
                w.as_str(),
                "LIKE" | "REGEXP" | "RLIKE" | "SOUNDS" | "COLLATE"
            )
        }) {
            return Some(format!("{name} {op}"));
        }
        let before = u.first.checked_sub(1).and_then(|b| scan.word(b));
        if let Some(w) = before.filter(|w| matches!(w.as_str(), "THEN" | "ELSE")) {
            return Some(format!("CASE ... {w} {name}"));
        }
        let Some(f) = scan.function(u.open) else {
            continue;
        };
        if f == "CAST" || f == "CONVERT" {
            if scan
                .cast_target(u.at)
                .is_some_and(|t| NUMERIC_TYPES.contains(&t.as_str()))
            {
                continue;
            }
            return Some(format!("{f}({name} ...)"));
        }
        if !NUMERIC_FUNCTIONS.contains(&f.as_str()) {
            return Some(format!("{f}({name})"));
        }
    }
    None
}

/// Functions whose result over an ENUM or SET argument is the same for
/// its string.
const STRING_FUNCTIONS: &[&str] = &[
    "CHAR_LENGTH",
    "COALESCE",
    "CONCAT",
    "CONCAT_WS",
    "COUNT",
    "FIELD",
    "FIND_IN_SET",
    "IFNULL",
    "IN",
    "LCASE",
    "LEFT",
    "LENGTH",
    "LOWER",
    "NULLIF",
    "RIGHT",
    "SUBSTR",
    "SUBSTRING",
    "TRIM",
    "UCASE",
    "UPPER",
];

/// The first use in `sql` of a column named in `columns` (ENUM or SET
/// columns, lower case) where its string and its ENUM/SET value would give
/// different answers, described for an error message.
pub fn non_string_use(sql: &[u8], columns: &[String], mode: LexMode) -> Option<String> {
    if columns.is_empty() {
        return None;
    }
    let scan = Scan::new(sql, mode);
    let tokens = &scan.tokens;
    let word = |i: usize| scan.word(i);
    let number = |i: usize| {
        tokens
            .get(i)
            .is_some_and(|t| t.kind == Kind::Word && sql[t.start].is_ascii_digit())
    };
    let arithmetic = |i: usize| {
        tokens.get(i).is_some_and(|t| {
            matches!(
                t.kind,
                Kind::Punct(b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'^' | b'~')
            )
        })
    };
    let comparison = |i: usize| {
        tokens
            .get(i)
            .is_some_and(|t| matches!(t.kind, Kind::Punct(b'=' | b'<' | b'>' | b'!')))
    };
    for u in scan.uses(|n| columns.iter().any(|c| c == n), mode) {
        let (name, i, first) = (&u.name, u.at, u.first);
        // `e + 0`, `1 - e`, and `e = 1` / `e > 2` (a number compares with
        // the index).
        let mut after = i + 1;
        while comparison(after) {
            after += 1;
        }
        let mut before = first;
        while before > 0 && comparison(before - 1) {
            before -= 1;
        }
        if arithmetic(i + 1)
            || (first > 0 && arithmetic(first - 1))
            || (after > i + 1 && number(after))
            || (before < first && before > 0 && number(before - 1))
        {
            return Some(format!("{name} as a number"));
        }
        // The nearest clause keyword before it, at its own depth.
        let depth_start = u.open.map_or(0, |o| o + 1);
        let mut nested = 0i32;
        let clause = (depth_start..first)
            .rev()
            .find_map(|j| match tokens[j].kind {
                Kind::Punct(b')') => {
                    nested += 1;
                    None
                }
                Kind::Punct(b'(') => {
                    nested -= 1;
                    None
                }
                Kind::Word if nested == 0 => word(j).map(|w| (j, w)).filter(|(_, w)| {
                    matches!(
                        w.as_str(),
                        "BY" | "SELECT"
                            | "WHERE"
                            | "FROM"
                            | "ON"
                            | "HAVING"
                            | "SET"
                            | "VALUES"
                            | "WHEN"
                            | "THEN"
                            | "ELSE"
                            | "AND"
                            | "OR"
                            | "NOT"
                            | "JOIN"
                            | "USING"
                    )
                }),
                _ => None,
            });
        if let Some((at, _)) = clause.filter(|(_, w)| w == "BY") {
            let grouping = at > 0 && word(at - 1).as_deref() == Some("GROUP");
            // MariaDB sorts groups too, unless an ORDER BY follows.
            let ordered_later = (i..tokens.len()).any(|j| word(j).as_deref() == Some("ORDER"));
            if !grouping || !ordered_later {
                return Some(format!("ORDER BY or GROUP BY {name}"));
            }
        }
        let Some(f) = scan.function(u.open) else {
            continue;
        };
        if f == "CAST" || f == "CONVERT" {
            if scan
                .cast_target(i)
                .is_some_and(|t| matches!(t.as_str(), "CHAR" | "BINARY" | "NCHAR" | "USING"))
            {
                continue;
            }
            return Some(format!("{f}({name} ...)"));
        }
        if !STRING_FUNCTIONS.contains(&f.as_str()) {
            return Some(format!("{f}({name})"));
        }
    }
    None
}

/// An ENUM or SET column of a changed table, for [`index_order`].
#[derive(Debug, Clone)]
pub struct Labelled {
    /// The column name, lower case.
    pub name: String,
    /// Its labels in definition order, as SQL literals.
    pub labels: Vec<String>,
    /// A SET (sorts by its bit mask) rather than an ENUM (by its index).
    pub set: bool,
    /// Its labels as they are, in definition order.
    pub raw: Vec<Vec<u8>>,
}

/// The labels of an ENUM or SET column type as information_schema writes
/// it (`enum('a','it''s')`), in order.
pub fn labels(column_type: &str) -> Vec<Vec<u8>> {
    let Some(open) = column_type.find('(') else {
        return Vec::new();
    };
    let b = column_type.as_bytes();
    let mut out = Vec::new();
    let mut i = open + 1;
    while i < b.len() && b[i] == b'\'' {
        let mut label = Vec::new();
        i += 1;
        while i < b.len() {
            if b[i] == b'\'' && b.get(i + 1) == Some(&b'\'') {
                label.push(b'\'');
                i += 2;
            } else if b[i] == b'\'' {
                i += 1;
                break;
            } else {
                label.push(b[i]);
                i += 1;
            }
        }
        out.push(label);
        if b.get(i) == Some(&b',') {
            i += 1;
        }
    }
    out
}

/// `sql` with each whole `ORDER BY` item that is a column in `columns`
/// replaced by an expression that sorts as the server sorts the ENUM or
/// SET (by index, NULL first, '' before every label; a SET by its bit
/// mask); `None` when there is none.
pub fn index_order(sql: &str, columns: &[Labelled], mode: LexMode) -> Option<String> {
    if columns.is_empty() {
        return None;
    }
    let scan = Scan::new(sql.as_bytes(), mode);
    let tokens = &scan.tokens;
    let word = |i: usize| scan.word(i);
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for u in scan.uses(|n| columns.iter().any(|c| c.name == n), mode) {
        let (i, first, t) = (u.at, u.first, &tokens[u.at]);
        let Some(col) = columns.iter().find(|c| c.name == u.name) else {
            continue;
        };
        // A whole item: after `ORDER BY` or a comma of its list, before a
        // comma, a direction, LIMIT, a closing parenthesis or the end.
        let ends_item = match tokens.get(i + 1) {
            None => true,
            Some(n) => {
                matches!(n.kind, Kind::Punct(b',' | b')' | b';'))
                    || word(i + 1).is_some_and(|w| {
                        matches!(
                            w.as_str(),
                            "ASC" | "DESC" | "LIMIT" | "FOR" | "LOCK" | "UNION"
                        )
                    })
            }
        };
        if !ends_item || first == 0 {
            continue;
        }
        // Walk back over earlier items of the same list to its BY.
        let mut j = first - 1;
        let mut nested = 0i32;
        let by = loop {
            match tokens[j].kind {
                Kind::Punct(b')') => nested += 1,
                Kind::Punct(b'(') if nested == 0 => break None,
                Kind::Punct(b'(') => nested -= 1,
                Kind::Punct(b';') => break None,
                Kind::Word if nested == 0 => {
                    let w = word(j).unwrap_or_default();
                    if w == "BY" {
                        break Some(j);
                    }
                    if matches!(
                        w.as_str(),
                        "SELECT" | "FROM" | "WHERE" | "HAVING" | "ON" | "LIMIT" | "SET" | "AS"
                    ) {
                        break None;
                    }
                }
                _ => {}
            }
            if j == 0 {
                break None;
            }
            j -= 1;
        };
        let Some(by) = by else { continue };
        let item_start = tokens[first - 1].kind == Kind::Punct(b',') || first - 1 == by;
        if !item_start || by == 0 || word(by - 1).as_deref() != Some("ORDER") {
            continue;
        }
        let reference = &sql[tokens[first].start..t.end];
        let expr = if col.set {
            let bits: Vec<String> = col
                .labels
                .iter()
                .enumerate()
                .map(|(n, l)| {
                    format!(
                        "{} * (FIND_IN_SET({l}, {reference}) > 0)",
                        1u64 << n.min(63)
                    )
                })
                .collect();
            format!("({})", bits.join(" + "))
        } else {
            format!(
                "(FIELD({reference}, {}) + ({reference} IS NOT NULL))",
                col.labels.join(", ")
            )
        };
        edits.push((tokens[first].start, t.end, expr));
    }
    if edits.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(sql.len() + 64 * edits.len());
    let mut at = 0;
    for (start, end, expr) in edits {
        out.push_str(&sql[at..start]);
        out.push_str(&expr);
        at = end;
    }
    out.push_str(&sql[at..]);
    Some(out)
}

/// `sql` with each `FIND_IN_SET('label', s)` over a SET column in
/// `columns` answering as the server's does: for a constant and a SET
/// column it reads the bit mask and gives the label's place in the
/// column's definition (`FIND_IN_SET('sale', tags)` is 2 for a row holding
/// just 'sale' when the definition is `SET('new','sale','eco')`), where
/// over the merged view's string it would give the place in the value.
/// Items keep the names the server gives them. `None` when there is none.
pub fn set_positions(sql: &str, columns: &[Labelled], mode: LexMode) -> Option<String> {
    let sets: Vec<&Labelled> = columns.iter().filter(|c| c.set).collect();
    if sets.is_empty() {
        return None;
    }
    let bytes = sql.as_bytes();
    let scan = Scan::new(bytes, mode);
    let t = &scan.tokens;
    let mut edits: Vec<(usize, usize, Vec<u8>)> = Vec::new();
    for u in scan.uses(|n| sets.iter().any(|c| c.name == n), mode) {
        let Some(open) = u.open else { continue };
        let whole = scan.function(Some(open)).as_deref() == Some("FIND_IN_SET")
            && u.first == open + 3
            && t[open + 1].kind == Kind::Str
            && t[open + 2].kind == Kind::Punct(b',')
            && t.get(u.at + 1).is_some_and(|c| c.kind == Kind::Punct(b')'));
        if !whole {
            continue;
        }
        let Some(col) = sets.iter().find(|c| c.name == u.name) else {
            continue;
        };
        let wanted = unquote(t[open + 1].text(bytes), mode);
        let Some(place) = col.raw.iter().position(|l| l.eq_ignore_ascii_case(&wanted)) else {
            // Not a label: no row holds it, 0 either way.
            continue;
        };
        let call = &sql[t[open - 1].start..t[u.at + 1].end];
        edits.push((
            t[open - 1].start,
            t[u.at + 1].end,
            format!("(({call}) > 0) * {}", place + 1).into_bytes(),
        ));
    }
    if edits.is_empty() {
        return None;
    }
    let out = super::row_count::replace_keeping_names(bytes, t, edits);
    String::from_utf8(out).ok()
}

/// An `ORDER BY` or `GROUP BY` item of `sql` that is a position (`ORDER BY
/// 2`) whose select item is, or may be, one of `columns` (ENUM or SET
/// columns of changed tables, lower case): the server sorts those by
/// index, and [`index_order`] only rewrites items that name the column.
/// A select item that is an expression over one of `columns` counts; `*`
/// stands for `star` (the columns of the query's one table, when known),
/// and counts when unknown; a position whose select list cannot be found
/// counts too.
pub fn positional_use(
    sql: &str,
    columns: &[String],
    star: Option<&[String]>,
    mode: LexMode,
) -> Option<String> {
    if columns.is_empty() {
        return None;
    }
    let scan = Scan::new(sql.as_bytes(), mode);
    let t = &scan.tokens;
    let word = |i: usize| scan.word(i);
    let mut depth = Vec::with_capacity(t.len());
    let mut d = 0i32;
    for tok in t {
        if tok.kind == Kind::Punct(b')') {
            d -= 1;
        }
        depth.push(d);
        if tok.kind == Kind::Punct(b'(') {
            d += 1;
        }
    }
    let watched = |from: usize, to: usize| {
        (from..to).any(|k| {
            matches!(t[k].kind, Kind::Word | Kind::QuotedIdent)
                && t[k]
                    .name(scan.sql, mode)
                    .is_some_and(|n| columns.contains(&n.to_lowercase()))
        })
    };
    for p in 0..t.len() {
        let number = t[p].kind == Kind::Word && scan.sql[t[p].start].is_ascii_digit();
        if !number || p < 2 {
            continue;
        }
        // A whole item right after BY or a comma of an ORDER/GROUP BY list.
        let before = &t[p - 1];
        let after_by = word(p - 1).as_deref() == Some("BY");
        if !(after_by || before.kind == Kind::Punct(b',')) {
            continue;
        }
        let ends = match t.get(p + 1) {
            None => true,
            Some(n) => {
                matches!(n.kind, Kind::Punct(b',' | b')' | b';'))
                    || word(p + 1).is_some_and(|w| {
                        matches!(
                            w.as_str(),
                            "ASC"
                                | "DESC"
                                | "LIMIT"
                                | "HAVING"
                                | "WITH"
                                | "ORDER"
                                | "FOR"
                                | "LOCK"
                                | "UNION"
                                | "WINDOW"
                        )
                    })
            }
        };
        if !ends {
            continue;
        }
        // The list's BY, then ORDER or GROUP before it.
        let mut j = p - 1;
        while j > 0 && !(depth[j] == depth[p] && word(j).as_deref() == Some("BY")) {
            if depth[j] == depth[p]
                && word(j).is_some_and(|w| matches!(w.as_str(), "SELECT" | "FROM" | "WHERE"))
            {
                break;
            }
            j -= 1;
        }
        if word(j).as_deref() != Some("BY")
            || j == 0
            || !matches!(word(j - 1).as_deref(), Some("ORDER" | "GROUP"))
        {
            continue;
        }
        let what = format!("{} BY a position", word(j - 1).unwrap_or_default());
        // The select list at this depth: from the nearest SELECT before.
        let Some(select) = (0..j)
            .rev()
            .find(|&k| depth[k] == depth[p] && word(k).as_deref() == Some("SELECT"))
        else {
            return Some(what);
        };
        let end = (select + 1..t.len())
            .find(|&k| depth[k] == depth[p] && word(k).as_deref() == Some("FROM"))
            .unwrap_or(j - 1);
        let mut items = Vec::new();
        let mut from = select + 1;
        for k in select + 1..end {
            if depth[k] == depth[p] && t[k].kind == Kind::Punct(b',') {
                items.push((from, k));
                from = k + 1;
            }
        }
        items.push((from, end));
        // Each item: whether it may be a watched column (`*` is one item
        // per column of the table).
        let mut kinds: Vec<bool> = Vec::new();
        for (a, b) in items {
            if b > a && t[b - 1].kind == Kind::Punct(b'*') {
                match star {
                    Some(cols) => {
                        kinds.extend(cols.iter().map(|c| columns.contains(&c.to_lowercase())))
                    }
                    None => return Some(what),
                }
            } else {
                kinds.push(watched(a, b));
            }
        }
        let n: usize = std::str::from_utf8(t[p].text(scan.sql))
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        // Out of range is the server's own error.
        if n.checked_sub(1).and_then(|i| kinds.get(i)) == Some(&true) {
            return Some(what);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_by_an_enum_or_set_sorts_by_its_index() {
        assert_eq!(
            labels("enum('z','it''s','')"),
            vec![b"z".to_vec(), b"it's".to_vec(), b"".to_vec()]
        );
        let cols = [
            Labelled {
                name: "e".into(),
                labels: vec!["'z'".into(), "'a'".into()],
                set: false,
                raw: vec![b"z".to_vec(), b"a".to_vec()],
            },
            Labelled {
                name: "s".into(),
                labels: vec!["'x'".into(), "'y'".into()],
                set: true,
                raw: vec![b"x".to_vec(), b"y".to_vec()],
            },
        ];
        let r = |sql: &str| index_order(sql, &cols, LexMode::default());
        assert_eq!(
            r("SELECT e FROM t ORDER BY t.e DESC, id").unwrap(),
            "SELECT e FROM t ORDER BY (FIELD(t.e, 'z', 'a') + (t.e IS NOT NULL)) DESC, id"
        );
        assert_eq!(
            r("SELECT * FROM t WHERE e = 'a' ORDER BY id, `s` LIMIT 2").unwrap(),
            "SELECT * FROM t WHERE e = 'a' ORDER BY id, (1 * (FIND_IN_SET('x', `s`) > 0) + 2 * (FIND_IN_SET('y', `s`) > 0)) LIMIT 2"
        );
        // Not an item of its own, or not ORDER BY: left to the refusal.
        assert_eq!(r("SELECT e FROM t ORDER BY e + 0"), None);
        assert_eq!(r("SELECT e FROM t GROUP BY e"), None);
        assert_eq!(r("SELECT e FROM t WHERE e = 'z'"), None);
        // The rewritten text passes the refusal.
        let text = r("SELECT e FROM t ORDER BY e").unwrap();
        assert_eq!(check_enum(&text), None, "{text}");
    }

    #[test]
    fn find_in_set_of_a_label_in_a_set_column_gives_its_place_in_the_definition() {
        let cols = [Labelled {
            name: "tags".into(),
            labels: vec!["'new'".into(), "'sale'".into(), "'eco'".into()],
            set: true,
            raw: vec![b"new".to_vec(), b"sale".to_vec(), b"eco".to_vec()],
        }];
        let r = |sql: &str| set_positions(sql, &cols, LexMode::default());
        assert_eq!(
            r("SELECT sku, FIND_IN_SET('sale', p.tags) FROM p WHERE FIND_IN_SET('ECO', tags)")
                .unwrap(),
            "SELECT sku, ((FIND_IN_SET('sale', p.tags)) > 0) * 2 AS `FIND_IN_SET('sale', p.tags)` \
             FROM p WHERE ((FIND_IN_SET('ECO', tags)) > 0) * 3"
        );
        // Not a label, not a constant, or a string rather than the column.
        assert_eq!(r("SELECT FIND_IN_SET('old', tags) FROM p"), None);
        assert_eq!(r("SELECT FIND_IN_SET(sku, tags) FROM p"), None);
        assert_eq!(r("SELECT FIND_IN_SET('sale', CONCAT(tags)) FROM p"), None);
    }

    fn check_enum(sql: &str) -> Option<String> {
        non_string_use(sql.as_bytes(), &["e".to_string()], LexMode::default())
    }

    #[test]
    fn enum_strings_pass_and_indexes_are_found() {
        for ok in [
            "SELECT e FROM t WHERE e = 'a' AND t.e IN ('a', 'z') ORDER BY id",
            "SELECT CONCAT(e, '!'), COUNT(DISTINCT e) FROM t WHERE e LIKE 'a%' OR e <> 'z'",
            "SELECT id AS e FROM t",
            "SELECT id FROM t WHERE (e = 'z')",
            "SELECT e, COUNT(*) FROM t GROUP BY e ORDER BY 2",
            "SELECT id FROM t ORDER BY CAST(e AS CHAR), CONVERT(e USING utf8mb4)",
        ] {
            assert_eq!(check_enum(ok), None, "{ok}");
        }
        for (bad, found) in [
            ("SELECT id FROM t ORDER BY e", "ORDER BY or GROUP BY e"),
            (
                "SELECT id FROM t ORDER BY id, t.e DESC",
                "ORDER BY or GROUP BY e",
            ),
            (
                "SELECT e, COUNT(*) FROM t GROUP BY e",
                "ORDER BY or GROUP BY e",
            ),
            (
                "SELECT e, COUNT(*) FROM t GROUP BY e ORDER BY e",
                "ORDER BY or GROUP BY e",
            ),
            ("SELECT e + 0 FROM t", "e as a number"),
            ("SELECT id FROM t WHERE e = 1", "e as a number"),
            ("SELECT id FROM t WHERE 2 <= `e`", "e as a number"),
            ("SELECT MAX(e) FROM t", "MAX(e)"),
            ("SELECT CAST(e AS UNSIGNED) FROM t", "CAST(e ...)"),
        ] {
            assert_eq!(check_enum(bad).as_deref(), Some(found), "{bad}");
        }
    }

    fn check(sql: &str) -> Option<String> {
        non_numeric_use(sql.as_bytes(), &["mask".to_string()], LexMode::default())
    }

    #[test]
    fn numbers_pass_and_string_contexts_are_found() {
        for ok in [
            "SELECT mask FROM t WHERE mask = 5 ORDER BY mask",
            "SELECT t.mask + 0, mask & 4, HEX(mask), SUM(mask), COUNT(DISTINCT mask) FROM t",
            "SELECT id FROM t WHERE (mask > 2 AND mask IN (1, 2))",
            "SELECT CAST(t.`mask` AS UNSIGNED), CONVERT(mask, SIGNED) FROM t",
            "SELECT x AS mask FROM t",
            "SELECT masks FROM t",
        ] {
            assert_eq!(check(ok), None, "{ok}");
        }
        for (bad, found) in [
            ("SELECT CONCAT('b', mask) FROM t", "CONCAT(mask)"),
            ("SELECT MAX(mask) FROM t", "MAX(mask)"),
            ("SELECT CAST(mask AS CHAR) FROM t", "CAST(mask ...)"),
            ("SELECT id FROM t WHERE t.mask LIKE '5%'", "mask LIKE"),
            (
                "SELECT CASE WHEN id = 1 THEN t.mask END FROM t",
                "CASE ... THEN mask",
            ),
            (
                "SELECT JSON_OBJECT('m', `mask`) FROM t",
                "JSON_OBJECT(mask)",
            ),
        ] {
            assert_eq!(check(bad).as_deref(), Some(found), "{bad}");
        }
    }

    #[test]
    fn positions_naming_an_enum_item_are_found() {
        let cols = vec!["e".to_string()];
        let star = vec!["id".to_string(), "e".to_string()];
        let p = |sql: &str| positional_use(sql, &cols, Some(&star), LexMode::default());
        assert_eq!(
            p("SELECT id, e FROM t ORDER BY 2"),
            Some("ORDER BY a position".into())
        );
        assert_eq!(
            p("SELECT e, COUNT(*) FROM t GROUP BY 1"),
            Some("GROUP BY a position".into())
        );
        assert_eq!(
            p("SELECT * FROM t ORDER BY 2 DESC"),
            Some("ORDER BY a position".into())
        );
        assert_eq!(p("SELECT * FROM t ORDER BY 1 DESC"), None);
        assert_eq!(p("SELECT t.*, 1 FROM t ORDER BY 3"), None);
        assert_eq!(
            positional_use(
                "SELECT * FROM t, u ORDER BY 1",
                &cols,
                None,
                LexMode::default()
            ),
            Some("ORDER BY a position".into())
        );
        assert_eq!(
            p("SELECT id, e FROM t ORDER BY 1, 2 DESC LIMIT 3"),
            Some("ORDER BY a position".into())
        );
        assert_eq!(p("SELECT id, e FROM t ORDER BY 1"), None);
        assert_eq!(p("SELECT id, UPPER(name) FROM t ORDER BY 2"), None);
        assert_eq!(
            p("SELECT id FROM (SELECT e AS id FROM t ORDER BY 1) x"),
            Some("ORDER BY a position".into())
        );
        assert_eq!(p("SELECT id, e FROM t WHERE id = 2 ORDER BY id"), None);
        assert_eq!(p("SELECT id, e FROM t ORDER BY 9"), None);
    }
}

//! Table references remembered by statement shape.
//!
//! An application sends the same few statements over and over with
//! different literals (`SELECT c FROM t WHERE id = 17`, then `... = 912`).
//! Parsing one with sqlparser costs tens of microseconds, which is most of
//! what vdb adds to a point read of a changed table. What [`table_refs`]
//! finds depends on the literals only through the values its restrictions
//! compare with and the byte offsets of the names, so it is worked out once
//! per shape and then instantiated for each text of that shape.
//!
//! The shape is the token stream with each plain literal (an unsigned
//! integer or decimal, or a `'...'` string of printable ASCII without
//! quotes or backslashes) replaced by its class. A shape is analysed by
//! parsing its *sentinel text*: the statement with each such literal
//! replaced by a distinct value of the same class that no real statement
//! uses. A value in the result that is a sentinel stands for that literal;
//! a shape whose result uses a sentinel any other way (a string literal as
//! an alias, two strings run together) is not kept, and every text of it is
//! parsed whole.
//!
//! [`table_refs`]: super::tables::table_refs

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;

use super::lexer::{lex, Kind, LexMode};
use super::restrict::{Decimal, Lit, Named, Pred, Restriction, Test};
use super::tables::{AnalysisError, TableRef};

/// Longer texts are parsed each time: bulk INSERTs and long reports are
/// rarely repeated, and their keys would crowd out the short ones.
const MAX_TEXT: usize = 8 * 1024;

/// Shapes kept; the whole cache is dropped when it is full (an application
/// has far fewer statement shapes than this).
const MAX_SHAPES: usize = 2048;

/// Digits no real statement's literal starts with (checked: a text that
/// holds them anywhere is parsed whole).
const MARK: &str = "7304615829";

/// What a literal slot holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// Digits.
    Integer,
    /// Digits, a dot, digits.
    Decimal,
    /// `'...'`: printable ASCII, no quote or backslash.
    Text,
}

/// One literal of a text: its class and where it stands.
struct Slot {
    class: Class,
    span: Range<usize>,
}

/// The literals of a text that its shape abstracts, and its shape.
struct Shaped {
    key: Vec<u8>,
    slots: Vec<Slot>,
}

/// What a shape's sentinel text parsed to.
struct Template {
    refs: Vec<TableRef>,
    /// Where each slot's sentinel stands in the sentinel text.
    sentinel_spans: Vec<Range<usize>>,
}

/// Templates by shape text (`None`: a shape that is never kept).
type Templates = HashMap<Vec<u8>, Option<Arc<Template>>>;

fn cache() -> &'static Mutex<Templates> {
    static CACHE: OnceLock<Mutex<Templates>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// [`super::tables::table_refs`] of `sql`, from its shape's template when
/// one is known; `parse` does the work otherwise.
pub fn refs_by_shape(
    sql: &str,
    parse: impl Fn(&str) -> Result<Vec<TableRef>, AnalysisError>,
) -> Result<Vec<TableRef>, AnalysisError> {
    let Some(shaped) = shape(sql) else {
        return parse(sql);
    };
    let known = cache().lock().get(&shaped.key).cloned();
    let template = match known {
        Some(Some(t)) => t,
        Some(None) => return parse(sql),
        None => {
            let made = template(&shaped, sql, &parse).map(Arc::new);
            let mut c = cache().lock();
            if c.len() >= MAX_SHAPES {
                c.clear();
            }
            c.insert(shaped.key.clone(), made.clone());
            match made {
                Some(t) => t,
                None => return parse(sql),
            }
        }
    };
    Ok(instantiate(&template, &shaped, sql))
}

/// The shape of `sql`, `None` when it is not worth keeping or cannot be
/// told apart from the sentinels.
fn shape(sql: &str) -> Option<Shaped> {
    let b = sql.as_bytes();
    if b.len() > MAX_TEXT || b.contains(&0) || sql.contains(MARK) {
        return None;
    }
    // The dialect vdb's parse uses: backslash escapes, `"` quotes strings.
    let tokens = lex(b, LexMode::default()).tokens;
    let digits = |r: &Range<usize>| !r.is_empty() && b[r.clone()].iter().all(u8::is_ascii_digit);
    let dot_at = |i: usize| b.get(i) == Some(&b'.');
    let mut slots = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        let span = t.start..t.end;
        match t.kind {
            Kind::Word if digits(&span) => {
                // `5.25` is three tokens; a number next to any other dot
                // (`t.5`, `1.5.2`, `.5`) stays in the shape as written.
                let fraction = tokens
                    .get(i + 2)
                    .filter(|f| {
                        dot_at(t.end) && f.start == t.end + 1 && f.kind == Kind::Word && {
                            digits(&(f.start..f.end))
                        }
                    })
                    .copied();
                let end = fraction.map_or(t.end, |f| f.end);
                let before = t.start.checked_sub(1).is_some_and(dot_at);
                if !before && !dot_at(end) && !b.get(end).is_some_and(|c| c.is_ascii_alphabetic()) {
                    slots.push(Slot {
                        class: if fraction.is_some() {
                            Class::Decimal
                        } else {
                            Class::Integer
                        },
                        span: t.start..end,
                    });
                }
                i += if fraction.is_some() { 3 } else { 1 };
                continue;
            }
            // An introducer or prefix (`_utf8mb4'..'`, `X'..'`) makes it
            // another kind of literal: kept as written.
            Kind::Str
                if b[t.start] == b'\''
                    && !(i > 0
                        && tokens[i - 1].end == t.start
                        && tokens[i - 1].kind == Kind::Word)
                    && t.end - t.start >= 2
                    && b[t.end - 1] == b'\''
                    && b[t.start + 1..t.end - 1]
                        .iter()
                        .all(|c| (0x20..=0x7e).contains(c) && *c != b'\'' && *c != b'\\') =>
            {
                slots.push(Slot {
                    class: Class::Text,
                    span,
                });
            }
            _ => {}
        }
        i += 1;
    }
    let mut key = Vec::with_capacity(b.len());
    let mut at = 0;
    for s in &slots {
        key.extend_from_slice(&b[at..s.span.start]);
        key.push(0);
        key.push(match s.class {
            Class::Integer => b'i',
            Class::Decimal => b'd',
            Class::Text => b's',
        });
        at = s.span.end;
    }
    key.extend_from_slice(&b[at..]);
    Some(Shaped { key, slots })
}

/// The value slot `n` of `class` holds in the sentinel text (a string's
/// contents; [`sentinel`] quotes it).
fn sentinel_value(class: Class, n: usize) -> String {
    match class {
        Class::Integer => format!("{MARK}{n:05}"),
        Class::Decimal => format!("{MARK}{n:05}.5"),
        Class::Text => format!("v{MARK}{n:05}"),
    }
}

fn sentinel(class: Class, n: usize) -> String {
    match class {
        Class::Text => format!("'{}'", sentinel_value(class, n)),
        _ => sentinel_value(class, n),
    }
}

/// Parses the sentinel text of `shaped`; `None` when its result cannot be
/// instantiated for other texts of the shape.
fn template(
    shaped: &Shaped,
    sql: &str,
    parse: &impl Fn(&str) -> Result<Vec<TableRef>, AnalysisError>,
) -> Option<Template> {
    let mut text = String::with_capacity(sql.len() + 16 * shaped.slots.len());
    let mut sentinel_spans = Vec::with_capacity(shaped.slots.len());
    let mut at = 0;
    for (n, s) in shaped.slots.iter().enumerate() {
        text.push_str(&sql[at..s.span.start]);
        let start = text.len();
        text.push_str(&sentinel(s.class, n));
        sentinel_spans.push(start..text.len());
        at = s.span.end;
    }
    text.push_str(&sql[at..]);
    let refs = parse(&text).ok()?;
    let t = Template {
        refs,
        sentinel_spans,
    };
    // Every value that mentions a sentinel must be one, of its own class.
    let mut sound = true;
    let mut check = |lit: &Lit| {
        let (text, _) = unsigned(lit);
        if text.contains(MARK) {
            sound &= slot_of(lit)
                .is_some_and(|(n, _, class)| shaped.slots.get(n).is_some_and(|s| s.class == class));
        }
    };
    for r in &t.refs {
        visit_lits(&r.restriction, &mut check);
    }
    let clean = |s: &str| !s.contains(MARK);
    let named = |schema: &Option<String>, name: &str, alias: &Option<String>| {
        clean(name) && schema.iter().chain(alias).all(|s| clean(s))
    };
    let columns = |preds: &[Pred]| preds.iter().all(|p| clean(&p.column));
    let names_clean = t.refs.iter().all(|r| {
        named(&r.schema, &r.name, &r.alias)
            && columns(&r.restriction.preds)
            && r.restriction.probe.as_ref().is_none_or(|p| {
                let Named {
                    schema,
                    name,
                    alias,
                } = &p.other;
                clean(&p.column)
                    && clean(&p.other_column)
                    && named(schema, name, alias)
                    && columns(&p.other_preds)
            })
    });
    (sound && names_clean).then_some(t)
}

/// A literal's text without its sign, and whether it had one.
fn unsigned(lit: &Lit) -> (String, bool) {
    match lit {
        Lit::Num(d) => {
            let s = d.to_sql();
            match s.strip_prefix('-') {
                Some(rest) => (rest.to_string(), true),
                None => (s, false),
            }
        }
        Lit::Str(s) => (s.clone(), false),
    }
}

/// The slot a sentinel literal stands for, whether it is negated, and the
/// class of sentinel it is: its text (without the sign) is exactly a
/// sentinel value.
fn slot_of(lit: &Lit) -> Option<(usize, bool, Class)> {
    let (text, neg) = unsigned(lit);
    let digits = text.strip_prefix('v').unwrap_or(&text).strip_prefix(MARK)?;
    let n: usize = digits.get(..5)?.parse().ok()?;
    let class = match lit {
        Lit::Str(_) => Class::Text,
        Lit::Num(_) if digits.len() == 5 => Class::Integer,
        Lit::Num(_) => Class::Decimal,
    };
    (text == sentinel_value(class, n)).then_some((n, neg, class))
}

fn visit_lits(r: &Restriction, f: &mut impl FnMut(&Lit)) {
    let preds = r
        .preds
        .iter()
        .chain(r.probe.iter().flat_map(|p| p.other_preds.iter()));
    for p in preds {
        match &p.test {
            Test::Cmp(_, l) => f(l),
            Test::In(ls) => ls.iter().for_each(&mut *f),
            Test::IsNull | Test::IsNotNull => {}
        }
    }
    r.first.iter().flatten().for_each(f);
}

fn map_lits(r: &mut Restriction, f: &impl Fn(&Lit) -> Lit) {
    let preds = r
        .preds
        .iter_mut()
        .chain(r.probe.iter_mut().flat_map(|p| p.other_preds.iter_mut()));
    for p in preds {
        match &mut p.test {
            Test::Cmp(_, l) => *l = f(l),
            Test::In(ls) => ls.iter_mut().for_each(|l| *l = f(l)),
            Test::IsNull | Test::IsNotNull => {}
        }
    }
    for l in r.first.iter_mut().flatten() {
        *l = f(l);
    }
}

/// The template's references for `sql`: its literals in place of the
/// sentinels, its byte offsets for the names.
fn instantiate(t: &Template, shaped: &Shaped, sql: &str) -> Vec<TableRef> {
    let value = |n: usize, neg: bool| -> Option<Lit> {
        let s = shaped.slots.get(n)?;
        let text = &sql[s.span.clone()];
        Some(match s.class {
            Class::Text => Lit::Str(text[1..text.len() - 1].to_string()),
            _ if neg => Lit::Num(Decimal::parse(&format!("-{text}"))?),
            _ => Lit::Num(Decimal::parse(text)?),
        })
    };
    let lit = |l: &Lit| {
        slot_of(l)
            .and_then(|(n, neg, _)| value(n, neg))
            .unwrap_or_else(|| l.clone())
    };
    // A name never stands inside a literal: it moves by what the literals
    // before it grew or shrank.
    let offset = |o: usize| -> usize {
        match t.sentinel_spans.iter().rposition(|s| s.end <= o) {
            Some(n) => o - t.sentinel_spans[n].end + shaped.slots[n].span.end,
            None => o,
        }
    };
    t.refs
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.name_span = offset(r.name_span.start)..offset(r.name_span.end);
            map_lits(&mut r.restriction, &lit);
            r
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tables::table_refs;
    use super::*;

    fn uncached(sql: &str) -> Vec<TableRef> {
        super::super::tables::parse_refs(sql).unwrap()
    }

    /// Every text gets exactly what parsing it would give, whether it is
    /// the first of its shape or a later one.
    #[test]
    fn a_shape_answers_as_a_parse_would() {
        let texts = [
            "SELECT c FROM t WHERE id = 5",
            "SELECT c FROM t WHERE id = 123456",
            "SELECT c FROM t WHERE id = -7",
            "SELECT c FROM t WHERE id BETWEEN 10 AND 19 ORDER BY c",
            "SELECT c FROM t WHERE id BETWEEN 100000 AND 100099 ORDER BY c",
            "SELECT o.id FROM o JOIN s ON s.id = o.sid WHERE o.id BETWEEN 1 AND 10",
            "SELECT o.id FROM o JOIN s ON s.id = o.sid WHERE o.id BETWEEN 55555 AND 55564",
            "SELECT * FROM u WHERE email = 'ada@x' AND n IN (1, 2.5, 3)",
            "SELECT * FROM u WHERE email = 'bob-the-builder@example.com' AND n IN (10, 20.75, 3)",
            "SELECT * FROM u WHERE email = 'it''s' AND n = 1",
            "SELECT * FROM u WHERE email = 'a\\'b' AND n = 1",
            "SELECT 'x' 'y' FROM u WHERE n = 'x' 'y'",
            "SELECT * FROM u WHERE n = 1.5e3 OR n = 0x10 OR n = t.5",
            "SELECT * FROM `db`.`t` AS 'x' WHERE id = 3",
            "SELECT * FROM 1t WHERE id = 3",
            "SELECT * FROM t WHERE d = 5.25 AND e = 'é' AND f = 'abc'",
            "SELECT * FROM t WHERE d = 7.125 AND e = 'é' AND f = 'abcdefgh'",
            "SELECT * FROM t LIMIT 200",
            "SELECT * FROM t LIMIT 5",
            "SELECT id, c FROM t LIMIT 10 OFFSET 20",
            "SELECT id, c FROM t LIMIT 3 OFFSET 0",
            "SELECT id, c FROM t LIMIT 30, 10",
        ];
        for sql in texts {
            assert_eq!(table_refs(sql).unwrap(), uncached(sql), "{sql}");
            assert_eq!(table_refs(sql).unwrap(), uncached(sql), "{sql} (again)");
        }
        // The common shapes are kept (their later texts are not parsed).
        for sql in [
            texts[1], texts[6], texts[8], texts[16], texts[19], texts[21],
        ] {
            let key = shape(sql).unwrap().key;
            assert!(
                matches!(cache().lock().get(&key), Some(Some(_))),
                "{sql} is not kept"
            );
        }
        let key = shape(texts[11]).unwrap().key;
        assert!(
            matches!(cache().lock().get(&key), Some(None)),
            "strings run together are not kept"
        );
    }

    #[test]
    fn literals_are_abstracted_by_class() {
        let key = |s: &str| shape(s).unwrap().key;
        assert_eq!(
            key("SELECT 1 FROM t WHERE a = 5"),
            key("SELECT 2 FROM t WHERE a = 77")
        );
        assert_ne!(
            key("SELECT 1 FROM t WHERE a = 5"),
            key("SELECT 1 FROM t WHERE a = 5.5")
        );
        assert_ne!(
            key("SELECT 1 FROM t WHERE a = 5"),
            key("SELECT 1 FROM t WHERE a = '5'")
        );
        assert_eq!(
            key("SELECT 1 FROM t WHERE a = 'x'"),
            key("SELECT 1 FROM t WHERE a = 'yz'")
        );
        assert_ne!(
            key("SELECT 1 FROM t WHERE a = 'x'"),
            key("SELECT 1 FROM t WHERE a = 'y\\'z'")
        );
        assert!(shape(&format!("SELECT {MARK}")).is_none());
    }
}

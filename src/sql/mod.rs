//! SQL analysis: pure functions over statement text, no I/O.
//!
//! Architecture invariant: `sql/` does no I/O and knows nothing of packets
//! or sockets; it takes bytes and the session's lexing mode and returns
//! decisions and spliced text.

pub mod bind;
pub mod classify;
pub mod columns;
pub mod ddl;
pub mod in_place;
pub mod items;
pub mod lexer;
pub mod literal;
pub mod maintenance;
pub mod restrict;
pub mod rewrite;
pub mod row_count;
pub mod shapes;
pub mod tables;
pub mod temporary;
pub mod trigger;
pub mod typed_use;
pub mod versioned;
pub mod write;

/// `expr` with each name in it (a word or quoted identifier that `(` does
/// not follow, so not a function) that `f` maps, given the token's kind and
/// the name, replaced by what `f` gives: how an expression's column
/// references are renamed or become a block's variables.
pub fn replace_names(expr: &str, mut f: impl FnMut(lexer::Kind, &str) -> Option<String>) -> String {
    let b = expr.as_bytes();
    let mode = lexer::LexMode::default();
    let mut out = String::with_capacity(expr.len());
    let mut at = 0;
    for t in lexer::lex(b, mode).tokens {
        if b.get(t.end) == Some(&b'(') {
            continue;
        }
        let Some(new) = t.name(b, mode).and_then(|name| f(t.kind, &name)) else {
            continue;
        };
        out.push_str(&expr[at..t.start]);
        out.push_str(&new);
        at = t.end;
    }
    out.push_str(&expr[at..]);
    out
}

/// How often `needle` (ASCII, not empty) occurs in `hay`, ignoring ASCII
/// case (overlapping occurrences each count).
pub fn count_ignore_case(hay: &[u8], needle: &[u8]) -> usize {
    if needle.is_empty() || needle.len() > hay.len() {
        return 0;
    }
    hay.windows(needle.len())
        .filter(|w| w.eq_ignore_ascii_case(needle))
        .count()
}

/// Whether `needle` (ASCII) occurs in `hay`, ignoring ASCII case: a
/// cheap test before a statement is lexed.
pub fn contains_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    if needle.is_empty() || needle.len() > hay.len() {
        return needle.is_empty();
    }
    let first = needle[0].to_ascii_lowercase();
    let last = hay.len() - needle.len();
    (0..=last).any(|i| {
        hay[i].to_ascii_lowercase() == first
            && hay[i..i + needle.len()].eq_ignore_ascii_case(needle)
    })
}

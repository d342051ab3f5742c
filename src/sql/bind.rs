//! Binding the parameters of a server-side prepared write into its text.
//!
//! vdb runs a prepared INSERT, UPDATE or DELETE itself, as it runs the same
//! statement sent as text: each `?` placeholder becomes a literal the
//! server reads as the value it would have bound (the session renders the
//! values; this module places them and quotes strings).

use super::lexer::{lex, Kind, LexMode};

/// The placeholders and the values given do not line up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountMismatch {
    /// `?` placeholders in the text.
    pub placeholders: usize,
    /// Values given.
    pub values: usize,
}

/// `sql` with its `?` placeholders, in order, replaced by `literals`.
pub fn substitute(
    sql: &[u8],
    mode: LexMode,
    literals: &[Vec<u8>],
) -> Result<Vec<u8>, CountMismatch> {
    let lexed = lex(sql, mode);
    let marks: Vec<_> = lexed
        .tokens
        .iter()
        .filter(|t| t.kind == Kind::Punct(b'?'))
        .collect();
    if marks.len() != literals.len() {
        return Err(CountMismatch {
            placeholders: marks.len(),
            values: literals.len(),
        });
    }
    let extra: usize = literals.iter().map(Vec::len).sum();
    let mut out = Vec::with_capacity(sql.len() + extra + 2 * literals.len());
    let mut at = 0;
    for (t, lit) in marks.iter().zip(literals) {
        out.extend_from_slice(&sql[at..t.start]);
        // Spaces keep a literal from fusing with a neighbouring word or
        // sign (`-?` with -5 must not read as `--5`).
        out.push(b' ');
        out.extend_from_slice(lit);
        out.push(b' ');
        at = t.end;
    }
    out.extend_from_slice(&sql[at..]);
    Ok(out)
}

/// A string literal for `text`, in the client's character set, that the
/// server reads back byte for byte under `mode`: quotes doubled, and
/// backslashes doubled unless NO_BACKSLASH_ESCAPES. Multibyte characters
/// are copied whole, as the server lexes them, so a trail byte that looks
/// like a quote or a backslash is left alone.
pub fn quote_text(text: &[u8], mode: LexMode) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 2);
    out.push(b'\'');
    let mut i = 0;
    while i < text.len() {
        let n = mode.charset.char_len(&text[i..]);
        if n > 1 {
            out.extend_from_slice(&text[i..i + n]);
            i += n;
            continue;
        }
        match text[i] {
            b'\'' => out.extend_from_slice(b"''"),
            b'\\' if !mode.no_backslash_escapes => out.extend_from_slice(b"\\\\"),
            b => out.push(b),
        }
        i += 1;
    }
    out.push(b'\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::lexer::Charset;

    #[test]
    fn placeholders_outside_strings_and_comments_are_replaced_in_order() {
        let sql = b"INSERT INTO t VALUES (?, '?', -?) /* ? */ -- ?\n";
        let out = substitute(sql, LexMode::default(), &[b"1".to_vec(), b"-5".to_vec()]).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "INSERT INTO t VALUES ( 1 , '?', - -5 ) /* ? */ -- ?\n"
        );
        assert_eq!(
            substitute(b"SELECT ?", LexMode::default(), &[]),
            Err(CountMismatch {
                placeholders: 1,
                values: 0
            })
        );
    }

    #[test]
    fn strings_are_quoted_as_the_server_lexes_them() {
        let plain = LexMode::default();
        assert_eq!(quote_text(b"a'b\\c", plain), b"'a''b\\\\c'".to_vec());
        let nbe = LexMode {
            no_backslash_escapes: true,
            ..plain
        };
        assert_eq!(quote_text(b"a\\", nbe), b"'a\\'".to_vec());
        // In gbk 0x95 0x5C is one character: its second byte is no backslash.
        let gbk = LexMode {
            charset: Charset::Gbk,
            ..plain
        };
        assert_eq!(quote_text(b"\x95\x5c'", gbk), b"'\x95\x5c'''".to_vec());
    }
}

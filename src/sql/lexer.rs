//! A MySQL lexer that yields tokens with byte spans into the client's text.
//!
//! It is the cheap first look at every statement: comments are skipped except
//! executable ones (`/*! ... */`, `/*M! ... */`), whose content is lexed as
//! SQL because the server runs it; strings and quoted identifiers are single
//! tokens, lexed exactly as the server would under the session's sql_mode
//! (`NO_BACKSLASH_ESCAPES`, `ANSI_QUOTES`) and client character set (in
//! big5, sjis/cp932, gbk and gb18030 a multibyte character may contain the
//! byte of a backslash or a quote).

/// Client character sets whose multibyte characters can contain ASCII bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Charset {
    /// Every other character set: ASCII bytes are always ASCII characters.
    #[default]
    AsciiSafe,
    /// big5.
    Big5,
    /// sjis and cp932.
    Sjis,
    /// gbk (and gb2312, whose bytes are a subset).
    Gbk,
    /// gb18030 (two- and four-byte sequences).
    Gb18030,
}

impl Charset {
    /// Maps a character set name as `@@character_set_client` spells it.
    pub fn from_name(name: &str) -> Charset {
        match name.to_ascii_lowercase().as_str() {
            "big5" => Charset::Big5,
            "sjis" | "cp932" => Charset::Sjis,
            "gbk" | "gb2312" => Charset::Gbk,
            "gb18030" => Charset::Gb18030,
            _ => Charset::AsciiSafe,
        }
    }

    /// Maps a collation id from the handshake (ids below 256).
    pub fn from_collation_id(id: u8) -> Charset {
        match id {
            1 | 84 => Charset::Big5,
            13 | 88 | 95 | 96 => Charset::Sjis,
            24 | 28 | 86 | 87 => Charset::Gbk,
            248..=250 => Charset::Gb18030,
            _ => Charset::AsciiSafe,
        }
    }

    /// Length of the multibyte character starting at `s[0]`, or 1.
    pub fn char_len(self, s: &[u8]) -> usize {
        let (lead, trail) = match s {
            [l, t, ..] => (*l, *t),
            _ => return 1,
        };
        let two = match self {
            Charset::AsciiSafe => false,
            Charset::Big5 => {
                (0xA1..=0xF9).contains(&lead) && matches!(trail, 0x40..=0x7E | 0xA1..=0xFE)
            }
            Charset::Sjis => {
                matches!(lead, 0x81..=0x9F | 0xE0..=0xFC)
                    && matches!(trail, 0x40..=0x7E | 0x80..=0xFC)
            }
            Charset::Gbk => {
                (0x81..=0xFE).contains(&lead) && matches!(trail, 0x40..=0x7E | 0x80..=0xFE)
            }
            Charset::Gb18030 => {
                if (0x81..=0xFE).contains(&lead)
                    && (0x30..=0x39).contains(&trail)
                    && matches!(s.get(2..4), Some([a, b]) if (0x81..=0xFE).contains(a) && (0x30..=0x39).contains(b))
                {
                    return 4;
                }
                (0x81..=0xFE).contains(&lead) && matches!(trail, 0x40..=0x7E | 0x80..=0xFE)
            }
        };
        if two {
            2
        } else {
            1
        }
    }
}

/// How the session's settings change lexing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct LexMode {
    /// sql_mode has NO_BACKSLASH_ESCAPES: `\` is an ordinary character.
    pub no_backslash_escapes: bool,
    /// sql_mode has ANSI_QUOTES: `"..."` is an identifier.
    pub ansi_quotes: bool,
    /// The client character set.
    pub charset: Charset,
}

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A keyword, an unquoted identifier or a number.
    Word,
    /// A `` `backquoted` `` identifier (or `"double quoted"` under ANSI_QUOTES).
    QuotedIdent,
    /// A string literal (`'...'`, or `"..."` without ANSI_QUOTES).
    Str,
    /// `@name`, `@'name'` or `@@name`.
    Variable,
    /// Any other single byte: `(`, `)`, `,`, `=`, `.`, `;`, ...
    Punct(u8),
}

/// One token: its kind and its byte range in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: Kind,
    /// Byte offset of its first byte.
    pub start: usize,
    /// Byte offset one past its last byte.
    pub end: usize,
}

impl Token {
    /// The token's bytes.
    pub fn text<'a>(&self, sql: &'a [u8]) -> &'a [u8] {
        &sql[self.start..self.end]
    }

    /// Whether this is the word `kw` (ASCII, case-insensitive).
    pub fn is_word(&self, sql: &[u8], kw: &str) -> bool {
        self.kind == Kind::Word && self.text(sql).eq_ignore_ascii_case(kw.as_bytes())
    }

    /// Whether this is the punctuation byte `p`.
    pub fn is_punct(&self, p: u8) -> bool {
        self.kind == Kind::Punct(p)
    }

    /// The name a word or quoted identifier stands for (quotes removed);
    /// `None` for any other token.
    pub fn name(&self, sql: &[u8], mode: LexMode) -> Option<String> {
        match self.kind {
            Kind::Word => Some(String::from_utf8_lossy(self.text(sql)).into_owned()),
            Kind::QuotedIdent => {
                Some(String::from_utf8_lossy(&unquote(self.text(sql), mode)).into_owned())
            }
            _ => None,
        }
    }
}

/// Positions of the keyword `kw` outside any parentheses: a statement's
/// own clauses, not a subquery's.
pub fn top_level<'t>(
    sql: &'t [u8],
    t: &'t [Token],
    kw: &'t str,
) -> impl Iterator<Item = usize> + 't {
    let mut depth = 0i32;
    t.iter().enumerate().filter_map(move |(i, x)| {
        match x.kind {
            Kind::Punct(b'(') => depth += 1,
            Kind::Punct(b')') => depth -= 1,
            _ if depth == 0 && x.is_word(sql, kw) => return Some(i),
            _ => {}
        }
        None
    })
}

/// Parenthesis depth at token `i` (before it).
pub fn depth_at(t: &[Token], i: usize) -> i32 {
    t[..i].iter().fold(0, |d, x| match x.kind {
        Kind::Punct(b'(') => d + 1,
        Kind::Punct(b')') => d - 1,
        _ => d,
    })
}

/// `name` or `db.name` at token `i`: (database if given, name, the index
/// after it). How DDL and SHOW name a table, a view or a trigger.
pub fn name_at(
    sql: &[u8],
    t: &[Token],
    i: usize,
    mode: LexMode,
) -> Option<(Option<String>, String, usize)> {
    let first = t.get(i)?.name(sql, mode)?;
    if t.get(i + 1).is_some_and(|x| x.is_punct(b'.')) {
        Some((Some(first), t.get(i + 2)?.name(sql, mode)?, i + 3))
    } else {
        Some((None, first, i + 1))
    }
}

/// The tokens of a text, and whether it ended inside a string or comment
/// (the server will answer that with a syntax error).
#[derive(Debug, Default)]
pub struct Lexed {
    /// Tokens in order.
    pub tokens: Vec<Token>,
    /// The text ended inside a literal, quoted name or comment.
    pub unterminated: bool,
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// The tokens of one statement, without the `;` that may end it.
pub fn statement_tokens(sql: &[u8], mode: LexMode) -> Vec<Token> {
    let mut t = lex(sql, mode).tokens;
    while t.last().is_some_and(|x| x.is_punct(b';')) {
        t.pop();
    }
    t
}

/// Splits `sql` into tokens under `mode`.
pub fn lex(sql: &[u8], mode: LexMode) -> Lexed {
    let mut out = Lexed::default();
    let mut i = 0;
    let mut in_exec_comment = false;
    let n = sql.len();
    while i < n {
        let b = sql[i];
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C => i += 1,
            b'#' => i = skip_line(sql, i),
            b'-' if sql.get(i + 1) == Some(&b'-') && sql.get(i + 2).is_none_or(|c| *c <= b' ') => {
                i = skip_line(sql, i)
            }
            b'/' if sql.get(i + 1) == Some(&b'*') => {
                let exec = match sql.get(i + 2) {
                    Some(b'!') => Some(i + 3),
                    Some(b'M') if sql.get(i + 3) == Some(&b'!') => Some(i + 4),
                    _ => None,
                };
                match exec {
                    Some(mut j) if !in_exec_comment => {
                        // A version number may follow; the content is SQL
                        // whatever it says (vdb never assumes it is skipped).
                        while j < n && sql[j].is_ascii_digit() {
                            j += 1;
                        }
                        in_exec_comment = true;
                        i = j;
                    }
                    _ => match find(sql, i + 2, b"*/") {
                        Some(end) => i = end + 2,
                        None => {
                            out.unterminated = true;
                            i = n;
                        }
                    },
                }
            }
            b'*' if in_exec_comment && sql.get(i + 1) == Some(&b'/') => {
                in_exec_comment = false;
                i += 2;
            }
            b'\'' => {
                i = quoted(
                    sql,
                    i,
                    b'\'',
                    !mode.no_backslash_escapes,
                    mode,
                    Kind::Str,
                    &mut out,
                )
            }
            b'"' if mode.ansi_quotes => {
                i = quoted(sql, i, b'"', false, mode, Kind::QuotedIdent, &mut out)
            }
            b'"' => {
                i = quoted(
                    sql,
                    i,
                    b'"',
                    !mode.no_backslash_escapes,
                    mode,
                    Kind::Str,
                    &mut out,
                )
            }
            b'`' => i = quoted(sql, i, b'`', false, mode, Kind::QuotedIdent, &mut out),
            b'@' => {
                let start = i;
                i += 1;
                if sql.get(i) == Some(&b'@') {
                    i += 1;
                }
                match sql.get(i) {
                    Some(q @ (b'\'' | b'"' | b'`')) => {
                        let mut tmp = Lexed::default();
                        i = quoted(
                            sql,
                            i,
                            *q,
                            *q != b'`' && !mode.no_backslash_escapes,
                            mode,
                            Kind::Str,
                            &mut tmp,
                        );
                        out.unterminated |= tmp.unterminated;
                    }
                    _ => {
                        while i < n && (is_word_byte(sql[i]) || sql[i] == b'.') {
                            // `@@session.x` stays one token up to the dot only
                            // when the dot is followed by a word byte.
                            if sql[i] == b'.' && !sql.get(i + 1).is_some_and(|c| is_word_byte(*c)) {
                                break;
                            }
                            i += 1;
                        }
                    }
                }
                out.tokens.push(Token {
                    kind: Kind::Variable,
                    start,
                    end: i,
                });
            }
            _ if is_word_byte(b) => {
                let start = i;
                while i < n && is_word_byte(sql[i]) {
                    i += mode.charset.char_len(&sql[i..]);
                }
                let end = i.min(n);
                i = end;
                out.tokens.push(Token {
                    kind: Kind::Word,
                    start,
                    end,
                });
            }
            _ => {
                out.tokens.push(Token {
                    kind: Kind::Punct(b),
                    start: i,
                    end: i + 1,
                });
                i += 1;
            }
        }
    }
    if in_exec_comment {
        out.unterminated = true;
    }
    out
}

fn skip_line(sql: &[u8], i: usize) -> usize {
    match sql[i..].iter().position(|&c| c == b'\n') {
        Some(p) => i + p + 1,
        None => sql.len(),
    }
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Lexes a quoted token starting at `i` (the opening quote); returns the
/// offset after it.
fn quoted(
    sql: &[u8],
    i: usize,
    q: u8,
    escapes: bool,
    mode: LexMode,
    kind: Kind,
    out: &mut Lexed,
) -> usize {
    let n = sql.len();
    let mut j = i + 1;
    loop {
        if j >= n {
            out.unterminated = true;
            out.tokens.push(Token {
                kind,
                start: i,
                end: n,
            });
            return n;
        }
        let c = sql[j];
        if c >= 0x80 {
            j += mode.charset.char_len(&sql[j..]);
        } else if c == b'\\' && escapes {
            j += 2;
        } else if c == q {
            if sql.get(j + 1) == Some(&q) {
                j += 2;
            } else {
                out.tokens.push(Token {
                    kind,
                    start: i,
                    end: j + 1,
                });
                return j + 1;
            }
        } else {
            j += 1;
        }
    }
}

/// `sql` with each token that `literal` picks (by its index in `tokens`,
/// the text's tokens) replaced by `?`: the key under which texts that
/// differ only in those literals are kept alike.
pub fn literals_marked(sql: &[u8], tokens: &[Token], literal: impl Fn(usize) -> bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(sql.len());
    let mut at = 0;
    for (i, t) in tokens.iter().enumerate() {
        if literal(i) {
            out.extend_from_slice(&sql[at..t.start]);
            out.push(b'?');
            at = t.end;
        }
    }
    out.extend_from_slice(&sql[at..]);
    out
}

/// The value of a string literal token, with quotes removed and escapes
/// resolved as the server resolves them.
pub fn unquote(token: &[u8], mode: LexMode) -> Vec<u8> {
    let Some((&q, rest)) = token.split_first() else {
        return Vec::new();
    };
    let body = rest.strip_suffix(&[q]).unwrap_or(rest);
    let escapes = q != b'`' && !mode.no_backslash_escapes;
    let mut out = Vec::with_capacity(body.len());
    let mut j = 0;
    while j < body.len() {
        let c = body[j];
        if c >= 0x80 {
            let l = mode.charset.char_len(&body[j..]).min(body.len() - j);
            out.extend_from_slice(&body[j..j + l]);
            j += l;
        } else if c == b'\\' && escapes && j + 1 < body.len() {
            let e = body[j + 1];
            match e {
                b'0' => out.push(0),
                b'b' => out.push(8),
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                b'Z' => out.push(26),
                b'%' | b'_' => out.extend_from_slice(&[b'\\', e]),
                other => out.push(other),
            }
            j += 2;
        } else if c == q && body.get(j + 1) == Some(&q) {
            out.push(q);
            j += 2;
        } else {
            out.push(c);
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(sql: &str, mode: LexMode) -> Vec<String> {
        let l = lex(sql.as_bytes(), mode);
        l.tokens
            .iter()
            .map(|t| String::from_utf8_lossy(t.text(sql.as_bytes())).into_owned())
            .collect()
    }

    #[test]
    fn comments_are_skipped_but_executable_comments_are_sql() {
        let m = LexMode::default();
        assert_eq!(
            words("SELECT 1 -- x\n# y\n/* z */ , 2", m),
            ["SELECT", "1", ",", "2"]
        );
        assert_eq!(words("/*!40101 SET x=1 */", m), ["SET", "x", "=", "1"]);
        assert_eq!(
            words("/*M!100100 DELETE FROM t */", m),
            ["DELETE", "FROM", "t"]
        );
        assert_eq!(words("SELECT 1--2", m), ["SELECT", "1", "-", "-", "2"]);
    }

    #[test]
    fn strings_follow_the_backslash_rule_of_the_sql_mode() {
        let sql = r"SELECT 'a\'; DELETE FROM t; -- '";
        let normal = words(sql, LexMode::default());
        assert_eq!(normal.len(), 2, "one string literal: {normal:?}");
        let nbe = words(
            sql,
            LexMode {
                no_backslash_escapes: true,
                ..Default::default()
            },
        );
        assert!(nbe.contains(&"DELETE".to_string()), "{nbe:?}");
    }

    #[test]
    fn double_quotes_are_identifiers_under_ansi_quotes() {
        let l = lex(
            br#"SELECT "a\" FROM t"#,
            LexMode {
                ansi_quotes: true,
                ..Default::default()
            },
        );
        assert_eq!(l.tokens[1].kind, Kind::QuotedIdent);
        assert!(l
            .tokens
            .iter()
            .any(|t| t.is_word(br#"SELECT "a\" FROM t"#, "FROM")));
    }

    #[test]
    fn a_gbk_character_can_hide_a_backslash() {
        // 0xBF 0x5C is one GBK character; the quote after it closes the string.
        let sql = b"SELECT '\xbf\\' ; DELETE FROM t";
        let gbk = lex(
            sql,
            LexMode {
                charset: Charset::Gbk,
                ..Default::default()
            },
        );
        assert!(gbk.tokens.iter().any(|t| t.is_word(sql, "DELETE")));
        let latin = lex(sql, LexMode::default());
        assert!(!latin.tokens.iter().any(|t| t.is_word(sql, "DELETE")));
    }

    #[test]
    fn variables_and_unterminated_text() {
        assert_eq!(
            words("SET @@session.sql_mode = @a", LexMode::default()),
            ["SET", "@@session.sql_mode", "=", "@a"]
        );
        assert!(lex(b"SELECT 'abc", LexMode::default()).unterminated);
        assert!(lex(b"SELECT /* abc", LexMode::default()).unterminated);
    }

    #[test]
    fn unquote_resolves_escapes_and_doubled_quotes() {
        assert_eq!(
            unquote(br"'it''s \'x\' \n'", LexMode::default()),
            b"it's 'x' \n"
        );
        assert_eq!(
            unquote(
                br"'a\b'",
                LexMode {
                    no_backslash_escapes: true,
                    ..Default::default()
                }
            ),
            br"a\b"
        );
    }
}

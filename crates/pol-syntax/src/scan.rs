//! The one lexical scanner of `.pol` text: where comments, strings, brackets and line ends
//! begin and end, exactly as the grammar (`pol.pest`) delimits them.
//!
//! The grammar is the authority on what a file means; this scanner answers the questions
//! that must be asked around it, cheaply and without a parse: how deeply brackets nest
//! (before pest runs, so deep input cannot exhaust the stack), where the comments are (the
//! formatter keeps them), where a declaration starts (error recovery resumes there) and
//! where lines start (positions in messages). Keeping one scanner keeps those answers in
//! agreement with each other and with the grammar:
//!
//! - a line end is `\n`, `\r\n` or a lone `\r` (the grammar's `NEWLINE`);
//! - a comment runs from `#` to the end of its line, except that `#[` starts an attribute;
//! - a string runs from `"` to the next unescaped `"` (`\"` and `\\` are escapes), or is
//!   cut off by a line end or the end of the text (the grammar then reports an error);
//! - brackets are `(`, `[` and `{` and their closers, outside comments and strings.

use crate::MAX_NESTING;

/// The three kinds of bracket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bracket {
    /// `(` `)`
    Round,
    /// `[` `]`
    Square,
    /// `{` `}`
    Curly,
}

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// A run of spaces and tabs.
    Space,
    /// One line end: `\n`, `\r\n` or a lone `\r`.
    LineEnd,
    /// From `#` (not followed by `[`) to the end of the line, the line end excluded.
    Comment,
    /// A string with its quotes; `terminated` is false when a line end or the end of the
    /// text came before the closing quote (the string then stops before it).
    String {
        terminated: bool,
    },
    Open(Bracket),
    Close(Bracket),
    /// A run of ASCII letters, digits and `_`: a keyword, a name or a number.
    Word,
    /// Any other single character: punctuation, the `#` of `#[`, a non-ASCII letter.
    Other,
}

impl TokenKind {
    /// Whitespace, line ends and comments: what the grammar skips between tokens.
    pub fn is_trivia(self) -> bool {
        matches!(
            self,
            TokenKind::Space | TokenKind::LineEnd | TokenKind::Comment
        )
    }
}

/// One token: its kind and byte range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// The token's text in `source` (the text it was scanned from).
    pub fn text(self, source: &str) -> &str {
        source.get(self.start..self.end).unwrap_or("")
    }
}

/// The tokens of a text, in order. Every byte of the text belongs to exactly one token.
#[derive(Clone, Debug)]
pub struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

/// Scans `text` from its start.
pub fn scan(text: &str) -> Scanner<'_> {
    Scanner { text, pos: 0 }
}

/// Scans `text` from `pos`, which must be where a token starts (the start of a line always
/// is: comments and strings end at line ends).
pub fn scan_from(text: &str, pos: usize) -> Scanner<'_> {
    Scanner {
        text,
        pos: pos.min(text.len()),
    }
}

impl<'a> Scanner<'a> {
    /// Where the next token starts.
    pub fn position(&self) -> usize {
        self.pos
    }
}

impl Iterator for Scanner<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let first = *bytes.get(start)?;
        let (kind, end) = match first {
            b' ' | b'\t' => (
                TokenKind::Space,
                skip_while(bytes, start, |b| b == b' ' || b == b'\t'),
            ),
            b'\n' | b'\r' => (TokenKind::LineEnd, start + line_end_len(bytes, start)),
            b'#' if bytes.get(start + 1) != Some(&b'[') => (
                TokenKind::Comment,
                skip_while(bytes, start, |b| !is_line_break(b)),
            ),
            b'"' => string_end(bytes, start),
            b'(' => (TokenKind::Open(Bracket::Round), start + 1),
            b'[' => (TokenKind::Open(Bracket::Square), start + 1),
            b'{' => (TokenKind::Open(Bracket::Curly), start + 1),
            b')' => (TokenKind::Close(Bracket::Round), start + 1),
            b']' => (TokenKind::Close(Bracket::Square), start + 1),
            b'}' => (TokenKind::Close(Bracket::Curly), start + 1),
            b if is_word_byte(b) => (TokenKind::Word, skip_while(bytes, start, is_word_byte)),
            _ => {
                let len = self
                    .text
                    .get(start..)
                    .and_then(|rest| rest.chars().next())
                    .map_or(1, char::len_utf8);
                (TokenKind::Other, start + len)
            }
        };
        self.pos = end;
        Some(Token { kind, start, end })
    }
}

/// Whether `b` may appear in a [`TokenKind::Word`].
pub fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_line_break(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// The first index from `start` whose byte does not satisfy `keep`.
fn skip_while(bytes: &[u8], start: usize, keep: impl Fn(u8) -> bool) -> usize {
    let mut i = start;
    while bytes.get(i).is_some_and(|b| keep(*b)) {
        i += 1;
    }
    i
}

/// A string starting at `start` (a quote): its kind and end.
fn string_end(bytes: &[u8], start: usize) -> (TokenKind, usize) {
    let mut i = start + 1;
    loop {
        match bytes.get(i) {
            None => return (TokenKind::String { terminated: false }, i),
            Some(b'"') => return (TokenKind::String { terminated: true }, i + 1),
            Some(b'\n' | b'\r') => return (TokenKind::String { terminated: false }, i),
            // `\"` and `\\` are escapes; any other backslash is a character (the grammar
            // rejects it), and a line end still ends the string.
            Some(b'\\') if matches!(bytes.get(i + 1), Some(b'"' | b'\\')) => i += 2,
            // Bytes of multi-byte characters are never quotes, backslashes or line ends.
            Some(_) => i += 1,
        }
    }
}

/// The length of the line end at `i` in `bytes`: 2 for `\r\n`, 1 for `\n` or a lone `\r`,
/// 0 if there is none.
pub fn line_end_len(bytes: &[u8], i: usize) -> usize {
    match bytes.get(i) {
        Some(b'\n') => 1,
        Some(b'\r') if bytes.get(i + 1) == Some(&b'\n') => 2,
        Some(b'\r') => 1,
        _ => 0,
    }
}

/// How many line ends `text` holds (`\r\n` counts once).
pub fn count_line_ends(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut count = 0;
    let mut i = 0;
    while i < bytes.len() {
        match line_end_len(bytes, i) {
            0 => i += 1,
            n => {
                count += 1;
                i += n;
            }
        }
    }
    count
}

/// Whether a line starts at `at`: at the start of the text or right after a line end (not
/// between the `\r` and `\n` of one).
pub fn is_line_start(text: &str, at: usize) -> bool {
    let bytes = text.as_bytes();
    match at.checked_sub(1).and_then(|p| bytes.get(p)) {
        None => at == 0,
        Some(b'\n') => true,
        Some(b'\r') => bytes.get(at) != Some(&b'\n'),
        Some(_) => false,
    }
}

/// The start of the line after the one holding `at`, if there is one.
pub fn next_line_start(text: &str, at: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = at;
    // `at` may sit on the `\n` of a `\r\n`: that line end is the one to pass.
    if i > 0 && bytes.get(i) == Some(&b'\n') && bytes.get(i - 1) == Some(&b'\r') {
        return Some(i + 1);
    }
    while i < bytes.len() {
        match line_end_len(bytes, i) {
            0 => i += 1,
            n => return Some(i + n),
        }
    }
    None
}

/// The first place from `from` where brackets, counted from `from`, nest more than
/// [`MAX_NESTING`] deep. A closer without an opener counts as nothing, so the depth counted
/// from `from` is at least what any parse of the text after `from` nests.
pub fn too_deep(text: &str, from: usize) -> Option<usize> {
    let mut depth = 0usize;
    for token in scan_from(text, from) {
        match token.kind {
            TokenKind::Open(_) => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(token.start);
                }
            }
            TokenKind::Close(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        scan(text).map(|t| (t.kind, t.text(text))).collect()
    }

    #[test]
    fn every_byte_belongs_to_one_token() {
        let text = "fact a: bool \"x # y\" # note\r\n#[allow(w)]\rlet é = {1}\n\"cut\\\"\r";
        let mut at = 0;
        for t in scan(text) {
            assert_eq!(t.start, at);
            assert!(t.end > t.start);
            at = t.end;
        }
        assert_eq!(at, text.len());
    }

    #[test]
    fn comments_and_strings_end_where_the_grammar_ends_them() {
        use TokenKind::*;
        assert_eq!(
            kinds("# a\rb"),
            [(Comment, "# a"), (LineEnd, "\r"), (Word, "b")]
        );
        assert_eq!(
            kinds("# a\r\nb"),
            [(Comment, "# a"), (LineEnd, "\r\n"), (Word, "b")]
        );
        assert_eq!(
            kinds("\"a\\\"b\" c"),
            [
                (String { terminated: true }, "\"a\\\"b\""),
                (Space, " "),
                (Word, "c")
            ]
        );
        assert_eq!(
            kinds("\"a\\\rb"),
            [
                (String { terminated: false }, "\"a\\"),
                (LineEnd, "\r"),
                (Word, "b")
            ]
        );
        assert_eq!(
            kinds("\"a\\\\\" #x"),
            [
                (String { terminated: true }, "\"a\\\\\""),
                (Space, " "),
                (Comment, "#x")
            ]
        );
        // `#[` is an attribute, not a comment.
        assert_eq!(
            kinds("#[a]")
                .into_iter()
                .map(|(k, _)| k)
                .collect::<Vec<_>>(),
            [Other, Open(Bracket::Square), Word, Close(Bracket::Square)]
        );
    }

    #[test]
    fn line_ends_are_newline_crlf_or_a_lone_cr() {
        assert_eq!(count_line_ends("a\nb\r\nc\rd\n\r"), 5);
        let text = "a\r\nb\rc";
        assert!(is_line_start(text, 0));
        assert!(!is_line_start(text, 2));
        assert!(is_line_start(text, 3));
        assert!(is_line_start(text, 5));
        assert_eq!(next_line_start(text, 0), Some(3));
        assert_eq!(next_line_start(text, 2), Some(3));
        assert_eq!(next_line_start(text, 3), Some(5));
        assert_eq!(next_line_start(text, 5), None);
    }

    #[test]
    fn nesting_is_counted_outside_comments_and_strings() {
        let deep = "(".repeat(MAX_NESTING + 1);
        assert_eq!(too_deep(&deep, 0), Some(MAX_NESTING));
        assert_eq!(too_deep(&format!("# {deep}"), 0), None);
        assert_eq!(too_deep(&format!("\"{deep}\""), 0), None);
        assert_eq!(too_deep(&format!("# x\r{deep}"), 0), Some(4 + MAX_NESTING));
        assert_eq!(too_deep(&format!("\"x\r{deep}"), 0), Some(3 + MAX_NESTING));
        // Closers without openers do not go below zero.
        assert_eq!(too_deep(&format!(")){deep}"), 0), Some(2 + MAX_NESTING));
    }
}

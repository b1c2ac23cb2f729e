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
        matches!(self, TokenKind::Space | TokenKind::LineEnd | TokenKind::Comment)
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
    Scanner { text, pos: pos.min(text.len()) }
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
            b' ' | b'\t' => {
                (TokenKind::Space, skip_while(bytes, start, |b| b == b' ' || b == b'\t'))
            }
            b'\n' | b'\r' => (TokenKind::LineEnd, start + line_end_len(bytes, start)),
            b'#' if bytes.get(start + 1) != Some(&b'[') => {
                (TokenKind::Comment, skip_while(bytes, start, |b| !is_line_break(b)))
            }
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

/// How deeply brackets nest, counted from any place: the parser must not be given text in
/// which brackets, counted from where it starts, nest more than [`MAX_NESTING`] deep.
///
/// Counted from a place, a closer without an opener counts as nothing; so counted, the
/// depth at each bracket is at least what any parse from that place nests there. A file is
/// parsed from several places when it has syntax errors (recovery resumes after each), and
/// counting from the start of the file would count the braces that broken declarations
/// leave open against every declaration after them. So the depth is counted from each
/// place asked, in one pass for all of them: the places asked must not decrease.
#[derive(Clone, Debug)]
pub struct Nesting {
    /// Each bracket: its offset and the running count of openers minus closers after it.
    brackets: Vec<(usize, i64)>,
    /// The first bracket at or after the place last asked.
    start: usize,
    /// The next bracket to examine; those in `start..next` are known not too deep.
    next: usize,
    /// Indices in `start..next` with increasing running counts: `window[0]` is the lowest
    /// count in that stretch (a sliding minimum).
    window: std::collections::VecDeque<usize>,
}

impl Nesting {
    /// Finds the brackets of `text` (one scan).
    pub fn new(text: &str) -> Nesting {
        let mut count = 0i64;
        let brackets = scan(text)
            .filter_map(|t| {
                match t.kind {
                    TokenKind::Open(_) => count += 1,
                    TokenKind::Close(_) => count -= 1,
                    _ => return None,
                }
                Some((t.start, count))
            })
            .collect();
        Nesting { brackets, start: 0, next: 0, window: std::collections::VecDeque::new() }
    }

    /// The first bracket at or after `from` that, counting from `from`, is more than
    /// [`MAX_NESTING`] deep. `from` must not be less than the last place asked.
    pub fn first_too_deep(&mut self, from: usize) -> Option<usize> {
        while self.brackets.get(self.start).is_some_and(|(at, _)| *at < from) {
            self.start += 1;
        }
        while self.window.front().is_some_and(|i| *i < self.start) {
            self.window.pop_front();
        }
        self.next = self.next.max(self.start);
        // The running count just before `from`: where the depth counted from it is 0.
        let base =
            self.start.checked_sub(1).and_then(|i| self.brackets.get(i)).map_or(0, |(_, c)| *c);
        let limit = i64::try_from(MAX_NESTING).unwrap_or(i64::MAX);
        while let Some(&(at, count)) = self.brackets.get(self.next) {
            // Counted from `from`, the depth here is the count less the lowest count since.
            let lowest = self
                .window
                .front()
                .and_then(|i| self.brackets.get(*i))
                .map_or(base, |(_, c)| base.min(*c));
            if count - lowest > limit {
                // Not added to the window: a later place asked examines it again.
                return Some(at);
            }
            while self
                .window
                .back()
                .and_then(|i| self.brackets.get(*i))
                .is_some_and(|(_, c)| *c >= count)
            {
                self.window.pop_back();
            }
            self.window.push_back(self.next);
            self.next += 1;
        }
        None
    }
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
        assert_eq!(kinds("# a\rb"), [(Comment, "# a"), (LineEnd, "\r"), (Word, "b")]);
        assert_eq!(kinds("# a\r\nb"), [(Comment, "# a"), (LineEnd, "\r\n"), (Word, "b")]);
        assert_eq!(
            kinds("\"a\\\"b\" c"),
            [(String { terminated: true }, "\"a\\\"b\""), (Space, " "), (Word, "c")]
        );
        assert_eq!(
            kinds("\"a\\\rb"),
            [(String { terminated: false }, "\"a\\"), (LineEnd, "\r"), (Word, "b")]
        );
        assert_eq!(
            kinds("\"a\\\\\" #x"),
            [(String { terminated: true }, "\"a\\\\\""), (Space, " "), (Comment, "#x")]
        );
        // `#[` is an attribute, not a comment.
        assert_eq!(
            kinds("#[a]").into_iter().map(|(k, _)| k).collect::<Vec<_>>(),
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
        let first = |text: &str| Nesting::new(text).first_too_deep(0);
        let deep = "(".repeat(MAX_NESTING + 1);
        assert_eq!(first(&deep), Some(MAX_NESTING));
        assert_eq!(first(&"(".repeat(MAX_NESTING)), None);
        assert_eq!(first(&format!("# {deep}")), None);
        assert_eq!(first(&format!("\"{deep}\"")), None);
        assert_eq!(first(&format!("# x\r{deep}")), Some(4 + MAX_NESTING));
        assert_eq!(first(&format!("\"x\r{deep}")), Some(3 + MAX_NESTING));
        // Closers without openers do not go below zero.
        assert_eq!(first(&format!(")){deep}")), Some(2 + MAX_NESTING));
    }

    #[test]
    fn nesting_is_counted_from_each_place_asked() {
        // 40 braces left open, then 40 more: too deep from the start, not from the middle.
        let half = "{".repeat(40);
        let text = format!("{half}\n{half}x");
        let mut n = Nesting::new(&text);
        assert_eq!(n.first_too_deep(0), Some(41 + MAX_NESTING - 40));
        assert_eq!(n.first_too_deep(41), None);
        // Asking again from the same place gives the same answer.
        assert_eq!(n.first_too_deep(41), None);
    }

    /// Against the definition: from every place, the first bracket where a count from there
    /// (saturating at zero) passes the limit.
    #[test]
    fn nesting_agrees_with_counting_from_each_place() {
        let naive = |text: &str, from: usize| {
            let mut depth = 0usize;
            for t in scan_from(text, from) {
                match t.kind {
                    TokenKind::Open(_) => {
                        depth += 1;
                        if depth > MAX_NESTING {
                            return Some(t.start);
                        }
                    }
                    TokenKind::Close(_) => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
            None
        };
        // A deterministic mix of openers and closers, with long runs of each.
        let mut text = String::new();
        let mut state = 7u32;
        for _ in 0..3000 {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let run = (state >> 16) % 50;
            let c = match (state >> 8) % 5 {
                0 | 1 => '(',
                2 => '{',
                3 => ')',
                _ => 'x',
            };
            text.extend(std::iter::repeat_n(c, run as usize));
        }
        let mut n = Nesting::new(&text);
        for from in (0..text.len()).step_by(97) {
            assert_eq!(n.first_too_deep(from), naive(&text, from), "from {from}");
        }
    }
}

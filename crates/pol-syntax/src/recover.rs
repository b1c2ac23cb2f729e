//! Error recovery: every syntax error of a file, and every declaration that parses.
//!
//! A file is first parsed whole, as the grammar defines it; a file without errors costs one
//! parse. When that fails, the declarations before the failure are kept, the failing one
//! becomes an [`ItemKind::Broken`] with the grammar's error, and parsing resumes at the
//! next *declaration start*: a line that begins with a declaration keyword (`import`,
//! `enum`, `fact`, `const`, `let`, `param`, `program`, `policy`) or `#[`, in its first
//! column, as `pol fmt` lays declarations out.
//!
//! Where the grammar notices an error is not always where the declaration went wrong:
//! - a `}` missing before the next declaration (or the end of the file) is reported at the
//!   `{` it leaves open;
//! - a declaration that ran over the first line of the next one (`let a = b and` above
//!   `program chnv {`, where `program` reads as a name) is parsed again up to that line,
//!   so the error is reported there and the next declaration is kept;
//! - text that fails on the line where the previous declaration ended (`const a = 1 cite
//!   "unclosed`) breaks that declaration, not a nameless one after it.
//!
//! Input nested too deeply for the parser is refused declaration by declaration before
//! pest sees it ([`scan::Nesting`], counted from where each parse starts, so braces that
//! broken declarations leave open do not count against the ones after them); the text
//! before and after is parsed.
//!
//! Each failure costs a parse of the text from the last resumption to it, once whole and
//! once declaration by declaration, and scans of the same stretch; a declaration is parsed
//! again at most once when it swallowed the next one. pest's errors cost time in
//! proportion to the text after them (it looks for the end of the line from the end of its
//! input), so after the first error each parse is given a window of the text, ending at a
//! declaration start ([`WINDOW`], grown while a declaration runs past it), which gives what
//! a parse of all the rest would. Recovery stays linear in the size of the file.

use crate::ast::{BrokenDecl, DeclKeyword, Item, ItemKind, SourceFile};
use crate::grammar::{self, Converted, Failure};
use crate::scan::{self, Bracket, TokenKind};
use crate::{Diagnostic, FileId, Label, Parsed, Span, Spanned};

/// Parses a file, recovering from syntax errors (see the module documentation).
pub(crate) fn parse(file: FileId, text: &str) -> Parsed {
    parse_in_windows(file, text, WINDOW)
}

/// [`parse`], giving each parse after an error at least `window` bytes.
fn parse_in_windows(file: FileId, text: &str, window: usize) -> Parsed {
    let mut r = Recovery {
        file,
        text,
        window,
        nesting: scan::Nesting::new(text),
        items: Vec::new(),
        errors: Vec::new(),
    };
    r.parse();
    Parsed { file: SourceFile { items: r.items }, errors: r.errors }
}

/// How much text, at least, each parse after an error is given (bytes): the window
/// grows while a declaration runs past it.
const WINDOW: usize = 4 * 1024;

struct Recovery<'a> {
    file: FileId,
    text: &'a str,
    /// The least text each parse after an error is given ([`WINDOW`]).
    window: usize,
    /// Asked before each parse, from where it starts (which never moves back).
    nesting: scan::Nesting,
    items: Vec<Item>,
    errors: Vec<Diagnostic>,
}

impl Recovery<'_> {
    fn parse(&mut self) {
        let text = self.text;
        let mut pos = 0;
        // Where the stretch being parsed ends: the end of the file, or a declaration start
        // before which a stretch must be parsed first (a declaration that swallowed it, or
        // one holding brackets nested too deeply), innermost last.
        let mut ends = vec![text.len()];
        let mut window = self.window;
        while let Some(&end) = ends.last() {
            if pos >= end {
                ends.pop();
                continue;
            }
            // pest is never given brackets nested too deeply (counted from where it starts):
            // the declaration holding them is refused, the text before it parsed first.
            if let Some(deep) = self.nesting.first_too_deep(pos).filter(|d| *d < end) {
                let start = declaration_start_before(text, deep, pos);
                if start > pos {
                    ends.push(start);
                    continue;
                }
                let resume = next_declaration_start(text, deep + 1, end).unwrap_or(end);
                self.broken(pos, resume, crate::error::too_deep(self.file, deep));
                pos = resume;
                continue;
            }
            // A file without errors is parsed whole, once. After an error, the text is
            // parsed in windows ending at a declaration start: pest's errors cost time in
            // proportion to the text after them, so unbounded parses after many errors would
            // be quadratic.
            let stop = if self.errors.is_empty() {
                end
            } else {
                next_declaration_start(text, pos.saturating_add(window), end).unwrap_or(end)
            };
            let failure = match grammar::parse_file(self.file, text, pos, stop) {
                Ok(items) => {
                    self.keep(items);
                    pos = stop;
                    window = self.window;
                    continue;
                }
                // Failing at the window's end says nothing (a declaration may run past
                // it): try a larger window. Failing before it is what the whole parse
                // would do, which never gets further than the window let it.
                Err(failure) if failure.at >= stop && stop < end => {
                    window = window.saturating_mul(2);
                    continue;
                }
                Err(failure) => failure,
            };
            window = self.window;
            // The declarations before the failure end before it, so parsing them up to the
            // next declaration start after it reads them as the whole parse did.
            let bound = next_declaration_start(text, failure.at + 1, stop).unwrap_or(stop);
            let (mut items, failed_at) = grammar::parse_declarations(self.file, text, pos, bound);
            // The whole parse failed, so one declaration does; if none did (which cannot
            // happen), the failure's place stands for it.
            debug_assert!(failed_at.is_some(), "parse_file failed where declarations did not");
            let start = failed_at.unwrap_or(failure.at).clamp(pos, end);
            if let Some((index, cut)) = swallowed(text, &items, failure.at, pos, start) {
                // Parse the declaration that swallowed a declaration start up to it, then
                // go on from there.
                let rest = items.split_off(index);
                self.keep(items);
                pos = rest.first().map_or(pos, |i| converted_span(i).start as usize);
                ends.push(cut);
                continue;
            }
            self.keep(items);
            let resume =
                next_declaration_start(text, failure.at.max(start + 1), end).unwrap_or(end);
            let diagnostic = match self.unclosed_brace(&failure, start, end) {
                Some(d) => d,
                None => failure.diagnostic,
            };
            let start = self.continued(pos, start).unwrap_or(start);
            self.broken(start, resume, diagnostic);
            pos = resume;
        }
    }

    /// Text that fails on the line where the declaration before it ended continues that
    /// declaration (`const a = 1 cite "unclosed`: the grammar takes `const a = 1` and fails
    /// at `cite`): the declaration is the broken one. Takes it back and returns its start.
    fn continued(&mut self, from: usize, failed: usize) -> Option<usize> {
        let last = self.items.last()?;
        let (start, end) = (last.span.start as usize, last.span.end as usize);
        let same_line = start >= from
            && end <= failed
            && scan::count_line_ends(self.text.get(end..failed).unwrap_or("\n")) == 0;
        // A declaration broken already has its own error.
        if !same_line || matches!(last.kind, ItemKind::Broken(_)) {
            return None;
        }
        self.items.pop();
        Some(start)
    }

    fn keep(&mut self, items: Vec<Converted>) {
        for item in items {
            match item {
                Ok(item) => self.items.push(item),
                Err((span, d)) => self.broken(span.start as usize, span.end as usize, d),
            }
        }
    }

    /// Records the declaration in `text[start..end]` as broken, with its error.
    fn broken(&mut self, start: usize, end: usize, error: Diagnostic) {
        let (keyword, name) = self.head(start, end);
        // The declaration ends with its last token, not with the blanks and comments
        // before the next one.
        let end = scan::scan_from(self.text, start)
            .take_while(|t| t.start < end)
            .filter(|t| !t.kind.is_trivia())
            .last()
            .map_or(start, |t| t.end.min(end));
        self.items.push(Item {
            attrs: Vec::new(),
            kind: ItemKind::Broken(BrokenDecl { keyword, name }),
            span: Span::new(self.file, start, end),
        });
        self.errors.push(error);
    }

    /// The keyword and name a declaration in `text[start..end]` starts with, past its
    /// attributes, as far as they can be read.
    fn head(
        &self,
        start: usize,
        end: usize,
    ) -> (Option<Spanned<DeclKeyword>>, Option<crate::ast::Name>) {
        let text = self.text;
        let mut tokens = tokens_after_attributes(text, start, end).skip_while(|t| {
            t.kind == TokenKind::Word && DeclKeyword::MODIFIERS.contains(&t.text(text))
        });
        let Some(word) = tokens.next().filter(|t| t.kind == TokenKind::Word) else {
            return (None, None);
        };
        let Some(keyword) = DeclKeyword::from_word(word.text(text)) else {
            return (None, None);
        };
        let keyword = Spanned::new(keyword, Span::new(self.file, word.start, word.end));
        if keyword.node == DeclKeyword::Import {
            return (Some(keyword), None);
        }
        let Some(first) = tokens.next().filter(|t| is_ident(t.text(text))) else {
            return (Some(keyword), None);
        };
        let mut name_end = first.end;
        // A fact's name is a dotted path, written without blanks: `applicant.age`.
        if keyword.node == DeclKeyword::Fact {
            let bytes = text.as_bytes();
            while bytes.get(name_end) == Some(&b'.')
                && bytes.get(name_end + 1).is_some_and(|b| scan::is_word_byte(*b))
            {
                name_end =
                    scan::scan_from(text, name_end + 1).next().map_or(name_end + 1, |t| t.end);
            }
        }
        let name = text.get(first.start..name_end).unwrap_or("").to_string();
        let span = Span::new(self.file, first.start, name_end);
        (Some(keyword), Some(Spanned::new(name, span)))
    }

    /// A `}` missing before the next declaration or the end of the file: the error, at the
    /// `{` left open, for the declaration starting at `start`.
    fn unclosed_brace(&self, failure: &Failure, start: usize, to: usize) -> Option<Diagnostic> {
        if !failure.wants_close_brace {
            return None;
        }
        let text = self.text;
        let at = failure.at;
        let at_end =
            scan::scan_from(text, at).take_while(|t| t.start < to).all(|t| t.kind.is_trivia());
        // (Text before `to` is never at the end, so `at` is then inside the stretch.)
        if !(at_end || is_line_start_of_declaration(text, at)) {
            return None;
        }
        // The innermost `{` still open where the parser stopped.
        let mut open: Vec<(Bracket, usize)> = Vec::new();
        let mut last = None;
        for t in scan::scan_from(text, start).take_while(|t| t.start < at) {
            if !t.kind.is_trivia() {
                last = Some(t);
            }
            match t.kind {
                TokenKind::Open(b) => open.push((b, t.start)),
                TokenKind::Close(b) if open.last().is_some_and(|(o, _)| *o == b) => {
                    open.pop();
                }
                _ => {}
            }
        }
        let brace = open.iter().rev().find(|(b, _)| *b == Bracket::Curly).map(|(_, at)| *at)?;
        let (keyword, name) = self.head(start, at);
        let what = match (keyword, name) {
            (Some(k), Some(n)) => format!("`{} {}`", k.node.keyword(), n.node),
            (Some(k), None) => format!("this `{}`", k.node.keyword()),
            _ => "this declaration".to_string(),
        };
        let (noticed, noticed_label, help) = if at_end {
            // The end of the file has no line to show a label on: mark the last token.
            let last = last
                .map_or(failure.diagnostic.primary.span, |t| Span::new(self.file, t.start, t.end));
            (
                last,
                "the file ends after this, without the `}`",
                format!("add the missing `}}` at the end of {what}"),
            )
        } else {
            (
                failure.diagnostic.primary.span,
                "expected `}` before this declaration",
                format!("add the missing `}}` at the end of {what}, before the next declaration"),
            )
        };
        Some(
            Diagnostic::new(
                crate::codes::SYNTAX,
                format!("the `{{` of {what} is never closed"),
                Label::new(Span::new(self.file, brace, brace + 1), "this `{` is never closed"),
            )
            .with_label(Label::new(noticed, noticed_label))
            .with_help(help),
        )
    }
}

/// The tokens of `text[start..end]` other than blanks and comments, from the first one
/// after the attributes (`#[`, then everything up to the `]` that closes it).
fn tokens_after_attributes(
    text: &str,
    start: usize,
    end: usize,
) -> std::iter::Peekable<impl Iterator<Item = scan::Token> + '_> {
    let mut tokens = scan::scan_from(text, start)
        .take_while(move |t| t.start < end)
        .filter(|t| !t.kind.is_trivia())
        .peekable();
    while tokens.peek().is_some_and(|t| t.text(text) == "#") {
        tokens.next();
        let mut depth = 0usize;
        for t in tokens.by_ref() {
            match t.kind {
                TokenKind::Open(Bracket::Square) => depth += 1,
                TokenKind::Close(Bracket::Square) => depth = depth.saturating_sub(1),
                _ => {}
            }
            if depth == 0 {
                break;
            }
        }
    }
    tokens
}

/// A declaration that parsed but ran over the start of the next one: `let a = b and` with
/// `program chnv {` on the next line reads `program` as a name, and the error shows only at
/// `chnv`. When the last declaration start at or before the failure (`at`) lies inside a
/// declaration parsed since `from`, that declaration swallowed it: the index of that
/// declaration in `items` and the declaration start it must end before.
fn swallowed(
    text: &str,
    items: &[Converted],
    at: usize,
    from: usize,
    failed: usize,
) -> Option<(usize, usize)> {
    let cut = last_declaration_start(text, at, from)?;
    if cut >= failed {
        return None;
    }
    let index = items.iter().position(|item| {
        let span = converted_span(item);
        (span.start as usize) < cut && cut < span.end as usize
    })?;
    // The line its own keyword starts, after its attributes, is no other declaration.
    let span = converted_span(items.get(index)?);
    let own = tokens_after_attributes(text, span.start as usize, span.end as usize)
        .next()
        .map_or(span.start as usize, |t| t.start);
    (cut > own).then_some((index, cut))
}

fn converted_span(item: &Converted) -> Span {
    match item {
        Ok(item) => item.span,
        Err((span, _)) => *span,
    }
}

/// The last declaration start at or before `at` and after `floor`.
fn last_declaration_start(text: &str, at: usize, floor: usize) -> Option<usize> {
    let mut line = line_start_of(text, at, floor);
    loop {
        if line > floor && is_line_start_of_declaration(text, line) {
            return Some(line);
        }
        if line <= floor {
            return None;
        }
        line = line_start_of(text, line - 1, floor);
    }
}

/// Whether a name may be declared with `word`: a word that starts with a letter or `_` and
/// is not reserved.
fn is_ident(word: &str) -> bool {
    const RESERVED: [&str; 9] =
        ["and", "or", "not", "in", "true", "false", "unless", "cite", "when"];
    word.bytes().next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && word.bytes().all(scan::is_word_byte)
        && !RESERVED.contains(&word)
}

/// Whether a declaration starts at `at`: `#[` or a declaration keyword, first on its line.
fn is_line_start_of_declaration(text: &str, at: usize) -> bool {
    if !scan::is_line_start(text, at) {
        return false;
    }
    let rest = text.get(at..).unwrap_or("");
    if rest.starts_with("#[") {
        return true;
    }
    let starts_with_word = |word: &str| {
        rest.strip_prefix(word)
            .is_some_and(|after| !after.bytes().next().is_some_and(scan::is_word_byte))
    };
    DeclKeyword::ALL.iter().any(|k| starts_with_word(k.keyword()))
        || DeclKeyword::MODIFIERS.iter().any(|m| starts_with_word(m))
}

/// The first declaration start at or after `at` and before `to`.
fn next_declaration_start(text: &str, at: usize, to: usize) -> Option<usize> {
    let mut line =
        if scan::is_line_start(text, at) { at } else { scan::next_line_start(text, at)? };
    while line < to {
        if is_line_start_of_declaration(text, line) {
            return Some(line);
        }
        line = scan::next_line_start(text, line)?;
    }
    None
}

/// The last declaration start at or before `at` and after `floor`, together with the
/// attribute lines right above it; `floor` if there is none.
fn declaration_start_before(text: &str, at: usize, floor: usize) -> usize {
    let Some(mut line) = last_declaration_start(text, at, floor) else {
        return floor;
    };
    // `#[allow(...)]` lines belong to the declaration below them.
    while line > floor {
        let above = line_start_of(text, line - 1, floor);
        if !text.get(above..).is_some_and(|r| r.starts_with("#[")) {
            break;
        }
        line = above;
    }
    line
}

/// The start of the line holding `at`, or `floor` if that comes first.
fn line_start_of(text: &str, at: usize, floor: usize) -> usize {
    let mut i = at;
    while i > floor && !scan::is_line_start(text, i) {
        i -= 1;
    }
    i.max(floor)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]

    use super::*;

    /// The items (kind and span) and errors of a parse, spans included.
    fn outline(p: &Parsed) -> (Vec<(String, Span)>, &[Diagnostic]) {
        let items = p
            .file
            .items
            .iter()
            .map(|i| (format!("{:?}", i.kind).chars().take(60).collect(), i.span))
            .collect();
        (items, &p.errors)
    }

    /// Parsing in windows after an error gives what parsing the rest whole gives: with
    /// windows of a few bytes (so that declarations run past nearly every window), on the
    /// recovery fixtures, one after another and with good text between them.
    #[test]
    fn windows_change_nothing() {
        let fixtures = [
            include_str!("../tests/recovery/attributes_and_garbage.pol"),
            include_str!("../tests/recovery/literals.pol"),
            include_str!("../tests/recovery/missing_brace.pol"),
            include_str!("../tests/recovery/missing_brace_at_end.pol"),
            include_str!("../tests/recovery/several_errors.pol"),
            include_str!("../tests/recovery/strings.pol"),
            include_str!("../tests/recovery/swallowed_declaration.pol"),
        ];
        let good =
            "policy g \"q?\" {\n  require a: x cite \"c\"\nprogram p\n}\nfact y: bool \"y\"\n";
        let mut texts: Vec<String> = fixtures.iter().map(|f| f.to_string()).collect();
        texts.push(fixtures.join(good));
        texts.push(format!("{}{}", fixtures.concat(), good.repeat(20)));
        for text in &texts {
            let whole = parse_in_windows(FileId(0), text, usize::MAX);
            for window in [1, 7, 64, 300] {
                let windowed = parse_in_windows(FileId(0), text, window);
                assert_eq!(outline(&windowed), outline(&whole), "window {window}\n{text}");
            }
        }
    }

    #[test]
    fn declarations_start_first_on_their_line() {
        let text = "fact a: bool\n  program x\nprogram y {}\r#[allow(x)]\nfacts\npolicy";
        assert!(is_line_start_of_declaration(text, 0));
        assert!(!is_line_start_of_declaration(text, 15));
        let y = text.find("program y").unwrap_or(0);
        assert_eq!(next_declaration_start(text, 1, text.len()), Some(y));
        let attr = text.find("#[").unwrap_or(0);
        assert_eq!(next_declaration_start(text, y + 1, text.len()), Some(attr));
        let policy = text.find("policy").unwrap_or(0);
        assert_eq!(next_declaration_start(text, attr + 1, text.len()), Some(policy));
        assert_eq!(next_declaration_start(text, policy + 1, text.len()), None);
        assert_eq!(declaration_start_before(text, 16, 0), 0);
        assert_eq!(declaration_start_before(text, policy + 2, 0), policy);
        assert_eq!(declaration_start_before(text, policy, y + 1), policy);
        let facts = text.find("facts").unwrap_or(0);
        assert_eq!(declaration_start_before(text, facts, 0), attr);
        assert_eq!(declaration_start_before(text, 5, 3), 3);
    }
}

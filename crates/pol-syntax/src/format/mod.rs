//! `pol fmt`: the canonical layout of a `.pol` file.
//!
//! Nothing the author wrote is lost. Comments between declarations and between policy
//! lines are kept where they stand (a comment at the end of a line stays at its end); a
//! declaration or policy line with a comment *inside* it is kept verbatim. Before the
//! result is returned it is parsed again: if its tree differs from the original (spans
//! aside) or a comment went missing, formatting fails and the caller writes nothing.
//!
//! Comments are found by the one scanner (`scan.rs`), and every lookup of the comments in
//! a stretch of text is a binary search, so formatting is linear in the size of the file
//! whatever the number of comments. Line ends in the output are `\n`.

mod doc;
mod print;

use doc::{concat, nest, text, Doc};

use crate::ast::{Attribute, Item, ItemKind, PolicyItem, SourceFile};
use crate::scan::{self, Bracket, TokenKind};
use crate::{Diagnostic, FileId, Label, Span};

/// The line width the layout aims for.
pub const WIDTH: usize = 100;

/// Formats a file, or says why it cannot be formatted: its syntax errors (a file with any
/// is not formatted), or a failed check that the result means the same as the input.
pub fn format(file: FileId, source: &str) -> Result<String, Vec<Diagnostic>> {
    let ast = crate::parse(file, source).into_result()?;
    let comments = scan_comments(source);
    let layout = Layout { source, comments: &comments };
    let out = doc::render(&layout.file(&ast), WIDTH);
    let mut out = out.trim_end().to_string();
    out.push('\n');
    if out.trim().is_empty() {
        out.clear();
    }
    verify(file, source, &ast, &comments, &out).map_err(|d| vec![d])?;
    Ok(out)
}

/// Checks the formatted text parses to the same tree and keeps every comment.
fn verify(
    file: FileId,
    source: &str,
    ast: &SourceFile,
    comments: &[Comment],
    out: &str,
) -> Result<(), Diagnostic> {
    let fail = |why: &str| {
        Diagnostic::new(
            crate::codes::FORMAT_CHANGED_MEANING,
            format!("internal formatter error: {why}; the file was left unchanged"),
            Label::new(Span::new(file, 0, 0), "in this file"),
        )
        .with_help("this is a bug in pol fmt; please report it with the file")
    };
    let reparsed = crate::parse(file, out).into_result().map_err(|errors| {
        let first = errors.first().map_or("", |d| d.message.as_str());
        fail(&format!("the result does not parse ({first})"))
    })?;
    if &reparsed != ast {
        return Err(fail("the result means something else"));
    }
    let before: Vec<&str> = comments.iter().map(|c| c.text(source)).collect();
    let after_comments = scan_comments(out);
    let after: Vec<&str> = after_comments.iter().map(|c| c.text(out)).collect();
    if before != after {
        return Err(fail("a comment would be lost or moved"));
    }
    Ok(())
}

/// A `# ...` comment: its byte range, without the line end.
#[derive(Clone, Copy, Debug)]
struct Comment {
    start: usize,
    end: usize,
}

impl Comment {
    fn text(self, source: &str) -> &str {
        source.get(self.start..self.end).unwrap_or("").trim_end()
    }
}

/// The comments, in order: `#` outside a string and not starting an attribute `#[`, to the
/// end of its line.
fn scan_comments(source: &str) -> Vec<Comment> {
    scan::scan(source)
        .filter(|t| t.kind == TokenKind::Comment)
        .map(|t| Comment { start: t.start, end: t.end })
        .collect()
}

struct Layout<'a> {
    source: &'a str,
    comments: &'a [Comment],
}

impl Layout<'_> {
    fn slice(&self, start: usize, end: usize) -> &str {
        self.source.get(start..end).unwrap_or("")
    }

    /// The comments starting in `start..end`: a binary search, as every piece of code and
    /// every gap asks (a scan per question made formatting quadratic in comments).
    fn comments_in(&self, start: usize, end: usize) -> &[Comment] {
        let first = self.comments.partition_point(|c| c.start < start);
        let past = self.comments.partition_point(|c| c.start < end);
        self.comments.get(first..past.max(first)).unwrap_or(&[])
    }

    fn file(&self, ast: &SourceFile) -> Doc {
        let mut docs = Vec::new();
        let mut cursor = 0;
        for (i, item) in ast.items.iter().enumerate() {
            let start = start_of(&item.attrs, item.span);
            self.gap(&mut docs, cursor, start, i == 0, false);
            docs.push(self.item(item));
            cursor = item.span.end as usize;
        }
        self.gap_until(&mut docs, cursor, self.source.len(), ast.items.is_empty(), None);
        concat(docs)
    }

    /// Lays out what lies between two pieces of code: comments and at most one blank line.
    /// `at_start`: nothing precedes in this block; `force_break`: the next piece starts on
    /// a new line even if the source had it on the same line (a policy line). A gap that
    /// ends a block (`to` is the end of the file or a policy's `}`) lays out only comments.
    fn gap(&self, docs: &mut Vec<Doc>, from: usize, to: usize, at_start: bool, force_break: bool) {
        self.gap_until(docs, from, to, at_start, Some(force_break));
    }

    fn gap_until(
        &self,
        docs: &mut Vec<Doc>,
        from: usize,
        to: usize,
        at_start: bool,
        next: Option<bool>,
    ) {
        let mut pos = from;
        let mut first = at_start;
        for c in self.comments_in(from, to) {
            let newlines = scan::count_line_ends(self.slice(pos, c.start));
            if newlines == 0 && !first {
                docs.push(text(" "));
            } else {
                breaks(docs, newlines, first);
            }
            docs.push(text(c.text(self.source).to_string()));
            pos = c.end;
            first = false;
        }
        if let Some(force_break) = next {
            let newlines = scan::count_line_ends(self.slice(pos, to));
            breaks(docs, newlines.max(usize::from(force_break || !first)), first);
        }
    }

    /// The item as written, when a comment inside it forbids re-laying it out; its line
    /// ends become `\n` like the others (no string holds a line end, so none is changed).
    fn verbatim(&self, start: usize, end: usize) -> Doc {
        let written = self.slice(start, end).trim_end();
        let mut out = String::with_capacity(written.len());
        for t in scan::scan(written) {
            if t.kind == TokenKind::LineEnd {
                out.push('\n');
            } else {
                out.push_str(t.text(written));
            }
        }
        text(out)
    }

    fn has_comment(&self, start: usize, end: usize) -> bool {
        !self.comments_in(start, end).is_empty()
    }

    fn item(&self, item: &Item) -> Doc {
        let as_written = || self.verbatim(start_of(&item.attrs, item.span), item.span.end as usize);
        match &item.kind {
            // Not formatted: a file with a broken declaration has a syntax error.
            ItemKind::Broken(_) => as_written(),
            ItemKind::Policy(p) => self.policy(item, p).unwrap_or_else(as_written),
            kind => self.attributed(&item.attrs, item.span, || print::item(kind)),
        }
    }

    /// A declaration or policy line: kept verbatim if a comment sits inside it, else its
    /// attributes, one to a line, and `body`.
    fn attributed(&self, attrs: &[Attribute], span: Span, body: impl FnOnce() -> Doc) -> Doc {
        let (start, end) = (start_of(attrs, span), span.end as usize);
        if self.has_comment(start, end) {
            return self.verbatim(start, end);
        }
        let mut docs = attributes(attrs);
        docs.push(body());
        concat(docs)
    }

    /// A policy with its body's comments, or `None` if a comment sits in its head.
    fn policy(&self, item: &Item, p: &crate::ast::PolicyDecl) -> Option<Doc> {
        let head_end = p.doc.as_ref().map_or(p.name.span.end, |d| d.span.end) as usize;
        let brace = scan::scan_from(self.source, head_end)
            .take_while(|t| t.start < item.span.end as usize)
            .find(|t| t.kind == TokenKind::Open(Bracket::Curly))?
            .start;
        let close = (item.span.end as usize).checked_sub(1)?;
        if self.has_comment(start_of(&item.attrs, item.span), brace) {
            return None;
        }
        let mut docs = attributes(&item.attrs);
        docs.push(print::policy_head(p));
        let mut body = Vec::new();
        let mut cursor = brace + 1;
        for line in &p.items {
            let start = start_of(&line.attrs, line.span);
            self.gap(&mut body, cursor, start, false, true);
            body.push(self.policy_line(line));
            cursor = line.span.end as usize;
        }
        self.gap_until(&mut body, cursor, close, false, None);
        if p.items.is_empty() && body.is_empty() {
            docs.push(text("}"));
        } else {
            docs.push(nest(2, concat(body)));
            docs.push(Doc::HardLine);
            docs.push(text("}"));
        }
        Some(concat(docs))
    }

    fn policy_line(&self, line: &PolicyItem) -> Doc {
        self.attributed(&line.attrs, line.span, || print::policy_item(&line.kind))
    }
}

/// Line breaks for `newlines` in the source: one, plus one blank line if there was one.
fn breaks(docs: &mut Vec<Doc>, newlines: usize, at_start: bool) {
    if at_start {
        return;
    }
    if newlines >= 1 {
        docs.push(Doc::HardLine);
    }
    if newlines >= 2 {
        docs.push(Doc::HardLine);
    }
}

/// Where a declaration or policy line starts: at its first attribute, if it has one.
fn start_of(attrs: &[Attribute], span: Span) -> usize {
    attrs.first().map_or(span.start, |a| a.span.start.min(span.start)) as usize
}

/// The attributes before a declaration or policy line, one to a line.
fn attributes(attrs: &[Attribute]) -> Vec<Doc> {
    attrs.iter().flat_map(|a| [print::attribute(a), Doc::HardLine]).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::format;
    use crate::FileId;

    fn fmt(s: &str) -> String {
        format(FileId(0), s).unwrap()
    }

    /// `src` formats to `expected`, which formats to itself.
    #[track_caller]
    fn formats_to(src: &str, expected: &str) {
        assert_eq!(fmt(src), expected);
        assert_eq!(fmt(expected), expected, "idempotent");
    }

    #[test]
    fn lays_out_and_keeps_comments() {
        formats_to(
            "# head\nimport   \"facts.pol\"  # why\n\n\n\nconst a=365 days cite \"x\"\npolicy p \"q?\" {\n  # about r\n  require r : a>1 days and(b or c) cite \"y\"\n}\n",
            "# head\nimport \"facts.pol\" # why\n\nconst a = 365 days cite \"x\"\npolicy p \"q?\" {\n  # about r\n  require r: a > 1 day and (b or c) cite \"y\"\n}\n",
        );
    }

    #[test]
    fn long_rules_break_at_their_parts() {
        formats_to(
            "policy p \"q\" { exclude removal_proceedings: applicant.in_removal_proceedings unless applicant.status == daca cite \"seed 001: Foreigners in deportation proceedings\" }",
            "policy p \"q\" {\n  exclude removal_proceedings: applicant.in_removal_proceedings\n    unless applicant.status == daca\n    cite \"seed 001: Foreigners in deportation proceedings\"\n}\n",
        );
    }

    #[test]
    fn a_sentence_follows_the_citation_and_survives_formatting() {
        formats_to(
            "policy p \"q\" { exclude removal_proceedings: applicant.in_removal_proceedings unless applicant.status == daca cite \"seed 001: Foreigners in deportation proceedings\" says \"You are in removal proceedings and are not a DACA recipient.\" }",
            "policy p \"q\" {\n  exclude removal_proceedings: applicant.in_removal_proceedings\n    unless applicant.status == daca\n    cite \"seed 001: Foreigners in deportation proceedings\"\n    says \"You are in removal proceedings and are not a DACA recipient.\"\n}\n",
        );
        // A short rule keeps its sentence on its line.
        let short = "policy p \"q\" {\n  require a: x cite \"c\" says \"No x.\"\n}\n";
        assert_eq!(fmt(short), short);
    }

    /// Regression: the formatter ended comments only at `\n`, so a comment ended by a lone
    /// `\r` (where the grammar ends it) swallowed the next declaration, and `pol fmt`
    /// failed its own check (E0104) on a file `pol check` accepted.
    #[test]
    fn a_lone_carriage_return_ends_a_comment_as_the_grammar_says() {
        let src = "fact a: bool \"x\" # note\rfact b: bool \"y\"";
        assert!(crate::parse(FileId(0), src).is_ok());
        formats_to(src, "fact a: bool \"x\" # note\nfact b: bool \"y\"\n");
        // A blank line made of lone carriage returns is kept as a blank line.
        let src = "fact a: bool \"x\"\r\r# c\r\nfact b: bool \"y\"\r";
        assert_eq!(fmt(src), "fact a: bool \"x\"\n\n# c\nfact b: bool \"y\"\n");
    }

    #[test]
    fn a_declaration_kept_verbatim_gets_newline_line_ends() {
        let src = "policy p \"q\" {\r\n  require r: a # inner\r\n      and b cite \"y\"\r\n}\r\n";
        assert_eq!(fmt(src), src.replace("\r\n", "\n"));
    }

    #[test]
    fn a_file_with_syntax_errors_is_not_formatted() {
        let errors =
            format(FileId(0), "fact a: bool \"x\"\nfact b bool\nconst c = \n").unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert!(errors.iter().all(|d| d.code == crate::codes::SYNTAX));
    }

    #[test]
    fn a_comment_inside_a_line_keeps_it_verbatim() {
        let src = "policy p \"q\" {\n  require r: a # inner\n      and b cite \"y\"\n}\n";
        assert_eq!(fmt(src), src);
    }

    #[test]
    fn fixed_facts_and_constraints() {
        formats_to(
            "fixed  fact a.age : integer \"age\"\nconstraint code : a.nationality matches \"[A-Z]{2}\" because \"ISO\"\nconstraint adult:a.age>=0 cite \"c\"\n",
            "fixed fact a.age: integer \"age\"\nconstraint code: a.nationality matches \"[A-Z]{2}\" because \"ISO\"\nconstraint adult: a.age >= 0 cite \"c\"\n",
        );
    }
}

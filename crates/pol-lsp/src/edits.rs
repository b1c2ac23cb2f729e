//! Edits the server proposes: formatting a document, the quick fixes the compiler's
//! diagnostics carry as exact suggestions (a did-you-mean, a missing citation, an unused
//! allow), and for each lint, an `#[allow]` of it on the line it points into.

use std::collections::HashMap;

use lsp_types::{CodeAction, CodeActionKind, CodeActionOrCommand, TextEdit, Url, WorkspaceEdit};
use pol_syntax::ast::ItemKind;
use pol_syntax::{codes, Diagnostic, FileId, Span};

use crate::diagnostics::to_lsp;
use crate::line_index::{Encoding, LineIndex};
use crate::workspace::Analysis;

/// Why a document was not formatted.
pub enum FormatError {
    /// It does not parse: its diagnostics say why, so formatting quietly does nothing.
    Syntax,
    /// The formatter refused its own result (a bug, worth telling the user).
    Internal(String),
}

/// The edit that formats `text`, or none when it is formatted already. One edit replaces
/// the part between the unchanged start and the unchanged end.
pub fn format(text: &str, encoding: Encoding) -> Result<Vec<TextEdit>, FormatError> {
    let formatted = pol_syntax::format::format(FileId(0), text).map_err(|errors| {
        match errors.into_iter().find(|d| d.code == codes::FORMAT_CHANGED_MEANING) {
            Some(d) => FormatError::Internal(d.message),
            None => FormatError::Syntax,
        }
    })?;
    if formatted == text {
        return Ok(Vec::new());
    }
    let prefix = common_prefix(text, &formatted);
    let suffix =
        common_suffix(text.get(prefix..).unwrap_or(""), formatted.get(prefix..).unwrap_or(""));
    let lines = LineIndex::new(text);
    let range = lsp_types::Range::new(
        lines.position(text, prefix, encoding),
        lines.position(text, text.len() - suffix, encoding),
    );
    let new_text = formatted.get(prefix..formatted.len() - suffix).unwrap_or("").to_string();
    Ok(vec![TextEdit::new(range, new_text)])
}

/// The length of the common start of two texts, on a character boundary.
fn common_prefix(a: &str, b: &str) -> usize {
    let mut n = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !(a.is_char_boundary(n) && b.is_char_boundary(n)) {
        n -= 1;
    }
    n
}

/// The length of the common end of two texts, on a character boundary.
fn common_suffix(a: &str, b: &str) -> usize {
    let mut n = a.bytes().rev().zip(b.bytes().rev()).take_while(|(x, y)| x == y).count();
    while !(a.is_char_boundary(a.len() - n) && b.is_char_boundary(b.len() - n)) {
        n -= 1;
    }
    n
}

/// The quick fixes for the diagnostics of `file` that touch the bytes `start..=end`.
pub fn quick_fixes(
    a: &Analysis,
    file: FileId,
    start: u32,
    end: u32,
    uri: &Url,
) -> Vec<CodeActionOrCommand> {
    let mut out = Vec::new();
    // Parsed once per request, and only if a lint asks for it.
    let places = std::cell::OnceCell::new();
    for d in &a.compilation.diagnostics {
        let span = d.primary.span;
        if span.file != file || span.end < start || span.start > end {
            continue;
        }
        out.extend(suggested(a, file, d, uri));
        out.extend(allow_here(a, file, d, uri, &places));
    }
    out
}

/// The fix a diagnostic carries, if it applies in `file`.
fn suggested(a: &Analysis, file: FileId, d: &Diagnostic, uri: &Url) -> Option<CodeActionOrCommand> {
    let s = d.suggestion.as_ref().filter(|s| s.span.file == file)?;
    let span =
        if s.replacement.is_empty() { whole_line_if_emptied(a.text(file), s.span) } else { s.span };
    let edit = TextEdit::new(a.range(span), s.replacement.clone());
    // An error's fix is what the author meant; a lint's may not be.
    Some(quick_fix(a, d, uri, crate::capitalize(&s.message), edit, d.is_error()))
}

/// A quick fix for `d`: one edit to the document at `uri`.
fn quick_fix(
    a: &Analysis,
    d: &Diagnostic,
    uri: &Url,
    title: String,
    edit: TextEdit,
    preferred: bool,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![to_lsp(a, d)]),
        edit: Some(WorkspaceEdit::new(HashMap::from([(uri.clone(), vec![edit])]))),
        is_preferred: Some(preferred),
        ..CodeAction::default()
    })
}

/// For a lint: "Allow `lint` here", an `#[allow(lint, reason = "")]` line above the
/// declaration or policy line the lint points into. The reason is left for the author to
/// write: an empty one is an error (E0206), so the fix is not done until they say why.
/// None for `unused_allow`, whose fix is to remove the allow.
fn allow_here(
    a: &Analysis,
    file: FileId,
    d: &Diagnostic,
    uri: &Url,
    places: &std::cell::OnceCell<Vec<Span>>,
) -> Option<CodeActionOrCommand> {
    if d.code == codes::UNUSED_ALLOW {
        return None;
    }
    let lint = d.code.lint?;
    let text = a.text(file);
    let holds =
        |outer: &&Span| outer.start <= d.primary.span.start && d.primary.span.end <= outer.end;
    // The innermost: a line of a policy rather than the policy.
    let target = places
        .get_or_init(|| allowable_places(text, file))
        .iter()
        .filter(holds)
        .min_by_key(|s| s.end - s.start)?;
    let line_start =
        text.get(..target.start as usize).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1);
    let indent: String = text
        .get(line_start..target.start as usize)?
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    let at = Span::new(file, line_start, line_start);
    let edit = TextEdit::new(a.range(at), format!("{indent}#[allow({lint}, reason = \"\")]\n"));
    let title = format!("Allow `{lint}` here (then say why in `reason`)");
    Some(quick_fix(a, d, uri, title, edit, false))
}

/// Where an `#[allow]` can stand in `file`: before each declaration and each line of a
/// policy.
fn allowable_places(text: &str, file: FileId) -> Vec<Span> {
    let mut places = Vec::new();
    for item in pol_syntax::parse(file, text).file.items {
        places.push(item.span);
        if let ItemKind::Policy(p) = &item.kind {
            places.extend(p.items.iter().map(|line| line.span));
        }
    }
    places
}

/// A deletion that would leave its line blank takes the whole line with it.
fn whole_line_if_emptied(text: &str, span: Span) -> Span {
    let start = span.start as usize;
    let end = span.end as usize;
    let line_start = text.get(..start).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1);
    let line_end = text.get(end..).and_then(|t| t.find('\n')).map_or(text.len(), |i| end + i + 1);
    let before = text.get(line_start..start).unwrap_or("x");
    let after = text.get(end..line_end).unwrap_or("x");
    if before.trim().is_empty() && after.trim().is_empty() {
        Span::new(span.file, line_start, line_end)
    } else {
        span
    }
}

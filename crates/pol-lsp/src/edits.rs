//! Edits the server proposes: formatting a document, and the quick fixes the compiler's
//! diagnostics carry as exact suggestions (a did-you-mean, a missing citation, an unused
//! allow).

use std::collections::HashMap;

use lsp_types::{CodeAction, CodeActionKind, CodeActionOrCommand, TextEdit, Url, WorkspaceEdit};
use pol_syntax::{codes, FileId, Span};

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
        match errors
            .into_iter()
            .find(|d| d.code == codes::FORMAT_CHANGED_MEANING)
        {
            Some(d) => FormatError::Internal(d.message),
            None => FormatError::Syntax,
        }
    })?;
    if formatted == text {
        return Ok(Vec::new());
    }
    let prefix = common_prefix(text, &formatted);
    let suffix = common_suffix(
        text.get(prefix..).unwrap_or(""),
        formatted.get(prefix..).unwrap_or(""),
    );
    let lines = LineIndex::new(text);
    let range = lsp_types::Range::new(
        lines.position(text, prefix, encoding),
        lines.position(text, text.len() - suffix, encoding),
    );
    let new_text = formatted
        .get(prefix..formatted.len() - suffix)
        .unwrap_or("")
        .to_string();
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
    let mut n = a
        .bytes()
        .rev()
        .zip(b.bytes().rev())
        .take_while(|(x, y)| x == y)
        .count();
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
    for d in &a.compilation.diagnostics {
        let span = d.primary.span;
        if span.file != file || span.end < start || span.start > end {
            continue;
        }
        let Some(s) = &d.suggestion else {
            continue;
        };
        if s.span.file != file {
            continue;
        }
        let span = if s.replacement.is_empty() {
            whole_line_if_emptied(a.text(file), s.span)
        } else {
            s.span
        };
        let edit = TextEdit::new(a.range(span), s.replacement.clone());
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: capitalize(&s.message),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![to_lsp(a, d)]),
            edit: Some(WorkspaceEdit::new(HashMap::from([(
                uri.clone(),
                vec![edit],
            )]))),
            // An error's fix is what the author meant; a lint's may not be.
            is_preferred: Some(d.is_error()),
            ..CodeAction::default()
        }));
    }
    out
}

/// A deletion that would leave its line blank takes the whole line with it.
fn whole_line_if_emptied(text: &str, span: Span) -> Span {
    let start = span.start as usize;
    let end = span.end as usize;
    let line_start = text
        .get(..start)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line_end = text
        .get(end..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| end + i + 1);
    let before = text.get(line_start..start).unwrap_or("x");
    let after = text.get(end..line_end).unwrap_or("x");
    if before.trim().is_empty() && after.trim().is_empty() {
        Span::new(span.file, line_start, line_end)
    } else {
        span
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

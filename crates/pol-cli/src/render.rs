//! Rendering diagnostics and explanations for people (miette) and machines (JSON).

use std::fmt;

use miette::{
    Diagnostic as MietteDiagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan,
    MietteError, MietteSpanContents, Severity as MSeverity, SourceCode, SourceSpan, SpanContents,
};
use pol_compiler::{Source, SourceMap};
use pol_engine::{CaseProblem, LoadError, ProjectError};
use pol_syntax::{Diagnostic, Severity};
use serde::Serialize;

fn handler(colour: bool) -> GraphicalReportHandler {
    let theme = if colour { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false)
}

/// Source text shown under a report: a whole file, or one line of a larger file (a line of
/// a JSON-lines batch), numbered as in the file.
pub struct Snippet {
    pub name: String,
    pub text: String,
    /// Lines before `text` in its file.
    pub lines_before: usize,
}

impl Snippet {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Snippet {
        Snippet { name: name.into(), text: text.into(), lines_before: 0 }
    }
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.lines_before,
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// A report in miette's terms: one source, labelled spans, and related reports for labels
/// in other files.
pub struct Report {
    pub code: Option<String>,
    pub severity: MSeverity,
    pub message: String,
    pub help: Option<String>,
    pub source: Snippet,
    pub labels: Vec<LabeledSpan>,
    pub related: Vec<Report>,
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for Report {}

impl MietteDiagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code.as_ref().map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<MSeverity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn MietteDiagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|r| r as &dyn MietteDiagnostic)))
        }
    }
}

impl Report {
    pub fn render(&self, colour: bool) -> String {
        let shown = self.shortened();
        let mut out = String::new();
        if handler(colour).render_report(&mut out, &shown).is_err() {
            out = format!("{}\n", self.message);
        }
        out
    }

    /// The report with every source line longer than [`MAX_SHOWN_LINE`] cut to a window
    /// around its labels (or its start), marked with `…`. miette panics on a label more
    /// than 65,535 columns into a line, and a generated one-line file would otherwise be
    /// printed whole. Line numbers are kept; the column in miette's header is counted in the
    /// shortened line.
    fn shortened(&self) -> Report {
        let text = &self.source.text;
        let mut shown = String::new();
        // Per line: its original start and end, and where it starts in `shown`; for a cut
        // line also the window kept (original offsets) and where the window starts.
        let mut lines: Vec<ShownLine> = Vec::new();
        let mut cut = false;
        let mut at = 0;
        for line in text.split_inclusive('\n') {
            let (start, end) = (at, at + line.len());
            at = end;
            let shown_start = shown.len();
            let body = line.trim_end_matches(['\n', '\r']);
            if body.len() <= MAX_SHOWN_LINE {
                shown.push_str(line);
                lines.push((start, end, shown_start, None));
                continue;
            }
            cut = true;
            let first = self
                .labels
                .iter()
                .map(|l| l.offset())
                .filter(|o| (start..start + body.len()).contains(o))
                .min()
                .map_or(0, |o| o - start);
            let mut from = first.saturating_sub(MAX_SHOWN_LINE / 4);
            while !body.is_char_boundary(from) {
                from -= 1;
            }
            let mut to = (from + MAX_SHOWN_LINE).min(body.len());
            while !body.is_char_boundary(to) {
                to -= 1;
            }
            if from > 0 {
                shown.push('…');
            }
            let window_start = shown.len();
            shown.push_str(body.get(from..to).unwrap_or(""));
            if to < body.len() {
                shown.push('…');
            }
            shown.push_str(line.get(body.len()..).unwrap_or(""));
            lines.push((start, end, shown_start, Some((start + from, start + to, window_start))));
        }
        // Maps an original offset into `shown`, clamping it into its line's window.
        let map = |offset: usize| -> usize {
            let i = lines.partition_point(|(_, end, _, _)| *end <= offset);
            match lines.get(i) {
                None => shown.len(),
                Some((start, _, shown_start, None)) => shown_start + (offset - start),
                Some((_, _, _, Some((from, to, window_start)))) => {
                    window_start + (offset.clamp(*from, *to) - from)
                }
            }
        };
        let labels = if !cut {
            self.labels.clone()
        } else {
            self.labels
                .iter()
                .map(|l| {
                    let start = map(l.offset());
                    let end = map(l.offset() + l.len()).max(start);
                    let span = (start, end - start);
                    if l.primary() {
                        LabeledSpan::new_primary_with_span(l.label().map(str::to_string), span)
                    } else {
                        LabeledSpan::new_with_span(l.label().map(str::to_string), span)
                    }
                })
                .collect()
        };
        // Whatever came from a file or a case is shown, never obeyed by the terminal.
        let labels = labels
            .into_iter()
            .map(|l| {
                let label = l.label().map(|t| visible(t).into_owned());
                let span = (l.offset(), l.len());
                if l.primary() {
                    LabeledSpan::new_primary_with_span(label, span)
                } else {
                    LabeledSpan::new_with_span(label, span)
                }
            })
            .collect();
        let text = if cut { shown } else { text.clone() };
        Report {
            code: self.code.clone(),
            severity: self.severity,
            message: visible(&self.message).into_owned(),
            help: self.help.as_deref().map(|h| visible(h).into_owned()),
            source: Snippet {
                name: visible(&self.source.name).into_owned(),
                text: visible_source(&text).into_owned(),
                lines_before: self.source.lines_before,
            },
            labels,
            related: self.related.iter().map(Report::shortened).collect(),
        }
    }
}

/// A line of a shortened report: original start and end, start in the shown text, and for a
/// cut line the window kept (original start and end) and where it starts in the shown text.
type ShownLine = (usize, usize, usize, Option<(usize, usize, usize)>);

/// The longest source line a report shows whole (bytes).
const MAX_SHOWN_LINE: usize = 1024;

fn clamp(span: pol_syntax::Span, sources: &SourceMap) -> (usize, usize) {
    let len = sources.get(span.file).map_or(0, |s| s.text.len());
    let start = (span.start as usize).min(len);
    (start, (span.end as usize).min(len).saturating_sub(start))
}

/// Turns a diagnostic into a miette report over the lines of its source files it points at.
pub fn report(d: &Diagnostic, sources: &SourceMap) -> Report {
    let file = d.primary.span.file;
    // A file that could not be read has no text to show.
    let readable = sources.get(file).is_some_and(|s| !s.text.is_empty());
    let mut here = Vec::new();
    if readable {
        here.push(Mark {
            message: d.primary.message.clone(),
            span: clamp(d.primary.span, sources),
            primary: true,
        });
    }
    let mut related = Vec::new();
    for l in &d.secondary {
        let mark =
            Mark { message: l.message.clone(), span: clamp(l.span, sources), primary: false };
        if l.span.file == file {
            here.push(mark);
        } else {
            let (source, labels) = excerpt(sources, l.span.file, vec![mark]);
            related.push(Report {
                code: None,
                severity: MSeverity::Advice,
                message: l.message.clone(),
                help: None,
                source,
                labels,
                related: Vec::new(),
            });
        }
    }
    let (source, labels) = excerpt(sources, file, here);
    Report {
        code: Some(format!("pol::{}", d.code)),
        severity: match d.severity {
            Severity::Error => MSeverity::Error,
            Severity::Warning => MSeverity::Warning,
        },
        message: d.message.clone(),
        help: d.help.clone(),
        source,
        labels,
        related,
    }
}

/// A label of a report, before it is placed in an excerpt.
struct Mark {
    message: String,
    /// Start and length in the whole file.
    span: (usize, usize),
    primary: bool,
}

/// Lines of context an excerpt keeps around its labels (miette shows one).
const CONTEXT_LINES: usize = 2;

/// The lines of `file` that `marks` point at, with [`CONTEXT_LINES`] around them, numbered
/// as in the file, and the marks as labels in it. A report copies and miette scans only
/// these lines, and the line number comes from the file's line index: rendering many
/// diagnostics of a large file costs in proportion to the diagnostics, not to their number
/// times the file's size.
fn excerpt(
    sources: &SourceMap,
    file: pol_syntax::FileId,
    marks: Vec<Mark>,
) -> (Snippet, Vec<LabeledSpan>) {
    let (name, text) =
        sources.get(file).map_or(("<unknown>", ""), |s| (s.name.as_str(), s.text.as_str()));
    let lo = marks.iter().map(|m| m.span.0).min();
    let hi = marks.iter().map(|m| m.span.0.saturating_add(m.span.1)).max();
    let (Some(lo), Some(hi)) = (lo, hi) else {
        return (Snippet::new(name, ""), Vec::new());
    };
    let start = lines_back(text, lo, CONTEXT_LINES);
    let end = lines_on(text, hi, CONTEXT_LINES).max(start);
    let (line, _) = sources.line_col(pol_syntax::Span::new(file, start, start));
    let labels = marks
        .into_iter()
        .map(|m| {
            let span = (m.span.0.saturating_sub(start).min(end - start), m.span.1);
            if m.primary {
                LabeledSpan::new_primary_with_span(Some(m.message), span)
            } else {
                LabeledSpan::new_with_span(Some(m.message), span)
            }
        })
        .collect();
    let snippet = Snippet {
        name: name.to_string(),
        text: text.get(start..end).unwrap_or("").to_string(),
        lines_before: line.saturating_sub(1),
    };
    (snippet, labels)
}

/// The start of the line `lines` lines before the one holding `at`.
fn lines_back(text: &str, at: usize, lines: usize) -> usize {
    let mut at = floor_boundary(text, at);
    let line_start = |end: usize| text.get(..end).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1);
    let mut start = line_start(at);
    for _ in 0..lines {
        if start == 0 {
            break;
        }
        at = start - 1;
        start = line_start(at);
    }
    start
}

/// The end (after its line end) of the line `lines` lines after the one holding `at`.
fn lines_on(text: &str, at: usize, lines: usize) -> usize {
    let mut end = floor_boundary(text, at);
    for _ in 0..=lines {
        end = match text.get(end..).and_then(|t| t.find('\n')) {
            Some(i) => end + i + 1,
            None => return text.len(),
        };
    }
    end
}

fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// `text` with every control character but the line end and the tab written as an escape
/// (`\u{1b}`): a message quoting a case or a policy must not drive the terminal (colours,
/// titles, cursor moves).
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_control(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Source text with every control character but line ends and tabs replaced by `?` for each
/// of its bytes, so that label offsets stay where they were. A lone carriage return ends a
/// line in pol (and for miette): it is shown as the line end it is, never sent raw (it would
/// move the cursor back over the line).
fn visible_source(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_control_in_source) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            out.push(if chars.peek() == Some(&'\n') { '\r' } else { '\n' });
        } else if is_control_in_source(c) {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A control character a terminal may act on: C0 but the line end and the tab, DEL, C1.
fn is_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

fn is_control_in_source(c: char) -> bool {
    is_control(c) || c == '\r'
}

/// A case that could not be read or decided, as a report over its text.
pub fn case_problem(p: &CaseProblem) -> Report {
    let location = match (p.line, p.column) {
        (Some(l), Some(c)) => format!("{}:{l}:{c}: ", p.file),
        (Some(l), None) => format!("{}:{l}: ", p.file),
        _ => format!("{}: ", p.file),
    };
    let labels = match p.span {
        Some(span) => vec![LabeledSpan::new_primary_with_span(
            Some(p.field.clone().map_or("here".into(), |f| format!("`{f}`"))),
            span,
        )],
        None => Vec::new(),
    };
    Report {
        code: Some(format!("pol::{}", p.code)),
        severity: MSeverity::Error,
        message: format!("{location}{}", p.message),
        help: p.help.clone(),
        source: Snippet {
            name: p.file.clone(),
            text: p.text.clone(),
            lines_before: p.lines_before,
        },
        labels,
        related: Vec::new(),
    }
}

/// A file that cannot be read, reported as every diagnostic is.
pub fn load_error(e: &LoadError) -> Report {
    let sources = SourceMap::new(vec![Source { name: e.path.clone(), text: String::new() }]);
    report(&e.diagnostic(pol_syntax::FileId(0)), &sources)
}

/// A `pol.toml` that cannot be used.
pub fn project_error(e: &ProjectError) -> Report {
    let labels = match e.span {
        Some((start, end)) => vec![LabeledSpan::new_primary_with_span(
            Some("here".into()),
            (start, end.saturating_sub(start)),
        )],
        None => Vec::new(),
    };
    Report {
        code: Some(format!("pol::{}", pol_compiler::codes::PROJECT_FILE)),
        severity: MSeverity::Error,
        message: format!("{}: {}", e.file.display(), e.message),
        help: Some(e.help.clone()),
        source: Snippet::new(e.file.display().to_string(), e.text.clone()),
        labels,
        related: Vec::new(),
    }
}

/// The `$id` of `schemas/diagnostic.schema.json`, carried in every diagnostic object as
/// `schema`.
pub const DIAGNOSTIC_SCHEMA: &str = "urn:pol:diagnostic:1";

/// A diagnostic or any other error as one JSON object: `pol check --format json` on
/// standard output, and every error on standard error under `--error-format json`. The
/// fields are documented in `docs/cli.md` and `schemas/diagnostic.schema.json`; a test
/// validates real output against the schema.
#[derive(Serialize)]
pub struct JsonDiagnostic {
    pub schema: &'static str,
    /// `pol::` and the code; `null` for an error that has none (a misused command).
    pub code: Option<String>,
    /// The lint's name, for `#[allow]`; `null` for errors.
    pub lint: Option<&'static str>,
    pub severity: &'static str,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub start: Option<u32>,
    pub end: Option<u32>,
    pub label: Option<String>,
    pub help: Option<String>,
    pub secondary: Vec<JsonLabel>,
    /// The dotted path of the case field at fault (case errors only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The closest valid spelling, for a near miss (case errors only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

#[derive(Serialize)]
pub struct JsonLabel {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub start: u32,
    pub end: u32,
    pub label: String,
}

impl JsonDiagnostic {
    /// An error with no place (a misused command).
    pub fn message(message: impl Into<String>, help: Option<String>) -> JsonDiagnostic {
        JsonDiagnostic {
            schema: DIAGNOSTIC_SCHEMA,
            code: None,
            lint: None,
            severity: "error",
            message: message.into(),
            file: None,
            line: None,
            column: None,
            start: None,
            end: None,
            label: None,
            help,
            secondary: Vec::new(),
            field: None,
            suggestion: None,
        }
    }
}

/// A compiler diagnostic as JSON.
pub fn json(d: &Diagnostic, sources: &SourceMap) -> JsonDiagnostic {
    let (line, column) = sources.line_col(d.primary.span);
    JsonDiagnostic {
        code: Some(format!("pol::{}", d.code)),
        lint: d.code.lint,
        severity: d.severity.as_str(),
        file: Some(sources.name(d.primary.span.file).to_string()),
        line: Some(line),
        column: Some(column),
        start: Some(d.primary.span.start),
        end: Some(d.primary.span.end),
        label: Some(d.primary.message.clone()),
        secondary: d
            .secondary
            .iter()
            .map(|l| {
                let (line, column) = sources.line_col(l.span);
                JsonLabel {
                    file: sources.name(l.span.file).to_string(),
                    line,
                    column,
                    start: l.span.start,
                    end: l.span.end,
                    label: l.message.clone(),
                }
            })
            .collect(),
        ..JsonDiagnostic::message(d.message.clone(), d.help.clone())
    }
}

/// A case that could not be read or decided, as JSON: the file, the line and column when
/// the format reports them, the field and the suggestion.
pub fn json_case(p: &CaseProblem) -> JsonDiagnostic {
    JsonDiagnostic {
        code: Some(format!("pol::{}", p.code)),
        file: Some(p.file.clone()),
        line: p.line,
        column: p.column,
        label: p.field.as_ref().map(|f| format!("`{f}`")),
        field: p.field.clone(),
        suggestion: p.suggestion.clone(),
        ..JsonDiagnostic::message(p.message.clone(), p.help.clone())
    }
}

/// A file that cannot be read, as JSON.
pub fn json_load_error(e: &LoadError) -> JsonDiagnostic {
    JsonDiagnostic {
        code: Some(format!("pol::{}", pol_compiler::codes::POLICY_UNREADABLE)),
        file: Some(e.path.clone()),
        label: Some("cannot be read".into()),
        ..JsonDiagnostic::message(format!("`{}`: {}", e.path, e.message), Some(e.help.clone()))
    }
}

/// A `pol.toml` that cannot be used, as JSON.
pub fn json_project_error(e: &ProjectError) -> JsonDiagnostic {
    let place = e.span.map(|(start, end)| {
        let (line, column) = pol_syntax::span::line_col(&e.text, start);
        (line, column, start as u32, end as u32)
    });
    JsonDiagnostic {
        code: Some(format!("pol::{}", pol_compiler::codes::PROJECT_FILE)),
        file: Some(e.file.display().to_string()),
        line: place.map(|p| p.0),
        column: place.map(|p| p.1),
        start: place.map(|p| p.2),
        end: place.map(|p| p.3),
        label: place.map(|_| "here".to_string()),
        ..JsonDiagnostic::message(e.message.clone(), Some(e.help.clone()))
    }
}

//! The diagnostic type every phase reports with. Rendering (miette, JSON, SARIF) happens in
//! the CLI; phases only describe what is wrong, where, and how to fix it.

use crate::codes::Code;
use crate::span::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A place in the source with a short note on what is there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

impl Label {
    pub fn new(span: Span, message: impl Into<String>) -> Label {
        Label { span, message: message.into() }
    }
}

/// An exact fix: replace the text under `span` with `replacement` (an empty span inserts,
/// an empty replacement deletes). `help` says the same in prose for people; this is for
/// tools, which must not parse prose (an editor's quick fix, say).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    pub span: Span,
    pub replacement: String,
    /// What applying it does, as a short imperative: "replace with `applicant.status`".
    pub message: String,
}

/// One problem found in policy source or a case file.
///
/// `code` comes from the registry ([`crate::codes`]) and is documented in `docs/lints.md`;
/// `message` is lowercase without a trailing period, with the user's words in backticks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub primary: Label,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
    /// A fix a tool may apply as it stands (a did-you-mean, a missing citation).
    pub suggestion: Option<Suggestion>,
}

impl Diagnostic {
    /// A diagnostic of `code`, with the code's severity.
    pub fn new(code: Code, message: impl Into<String>, primary: Label) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.severity,
            message: message.into(),
            primary,
            secondary: Vec::new(),
            help: None,
            suggestion: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Attaches an exact fix; see [`Suggestion`].
    pub fn with_suggestion(
        mut self,
        span: Span,
        replacement: impl Into<String>,
        message: impl Into<String>,
    ) -> Diagnostic {
        self.suggestion =
            Some(Suggestion { span, replacement: replacement.into(), message: message.into() });
        self
    }

    /// A did-you-mean: says "did you mean `right`?" as help and suggests writing `right`
    /// in place of the text under `span`.
    pub fn with_did_you_mean(self, span: Span, right: &str) -> Diagnostic {
        self.with_help(format!("did you mean `{right}`?")).with_suggestion(
            span,
            right,
            format!("replace with `{right}`"),
        )
    }

    pub fn with_label(mut self, label: Label) -> Diagnostic {
        self.secondary.push(label);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics into the order they are reported: by file, position, then code.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.primary.span.file, a.primary.span.start, a.code, &a.message).cmp(&(
            b.primary.span.file,
            b.primary.span.start,
            b.code,
            &b.message,
        ))
    });
}

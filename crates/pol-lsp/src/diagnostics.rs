//! The compiler's diagnostics as LSP diagnostics.
//!
//! The range is the primary label's; the message is the diagnostic's, then the primary
//! label's note and the help (a did-you-mean reads "help: did you mean `x`?"), each on its
//! own line, as the CLI prints them; secondary labels become related information, which an
//! editor shows as links to the other places.

use std::collections::HashMap;
use std::path::PathBuf;

use lsp_types::{DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, NumberOrString};
use pol_syntax::{codes, Diagnostic, Severity};

use crate::workspace::Analysis;

/// The diagnostics of every file of a compiled set; files without any get an empty list,
/// which clears what an editor showed before.
pub fn by_file(a: &Analysis) -> HashMap<PathBuf, Vec<lsp_types::Diagnostic>> {
    let mut out: HashMap<PathBuf, Vec<lsp_types::Diagnostic>> =
        a.paths.iter().map(|p| (p.clone(), Vec::new())).collect();
    for d in &a.compilation.diagnostics {
        if let Some(path) = a.path(d.primary.span.file) {
            out.entry(path.to_path_buf()).or_default().push(to_lsp(a, d));
        }
    }
    out
}

pub fn to_lsp(a: &Analysis, d: &Diagnostic) -> lsp_types::Diagnostic {
    let mut message = d.message.clone();
    if !d.primary.message.is_empty() {
        message.push('\n');
        message.push_str(&d.primary.message);
    }
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .filter_map(|l| {
            Some(DiagnosticRelatedInformation {
                location: a.location(l.span)?,
                message: l.message.clone(),
            })
        })
        .collect();
    // Unused declarations and allows are shown faded, as editors do for unused code.
    let unnecessary = d.code == codes::UNUSED || d.code == codes::UNUSED_ALLOW;
    lsp_types::Diagnostic {
        range: a.range(d.primary.span),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.id.to_string())),
        code_description: None,
        source: Some("pol".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: unnecessary.then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: None,
    }
}

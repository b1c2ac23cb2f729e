//! `missing_citation` (W0502): every rule and date names its legal source.

use pol_syntax::ast::WindowEventKind;
use pol_syntax::codes;
use pol_syntax::{Diagnostic, Label, Span};

use crate::ir::*;

/// The text a suggested `cite` holds until the author names the source.
const CITE_PLACEHOLDER: &str = "TODO: name the legal source";

pub(super) fn check(set: &PolicySet, out: &mut Vec<Diagnostic>) {
    // `end` is where the declaration ends, where a `cite` would go (unknown for constants:
    // the IR keeps only the name's span).
    let mut report = |what: String, span: Span, end: Option<Span>| {
        let d = Diagnostic::new(
            codes::MISSING_CITATION,
            format!("{what} has no citation"),
            Label::new(span, "no `cite`"),
        )
        .with_help("every rule and date names its legal source: `cite \"seed 001: ...\"`");
        out.push(match end {
            Some(end) => d.with_suggestion(
                Span { start: end.end, ..end },
                format!(" cite \"{CITE_PLACEHOLDER}\""),
                "add a citation",
            ),
            None => d,
        });
    };
    for p in &set.policies {
        for r in &p.rules {
            if r.cite.is_none() {
                report(format!("rule `{}.{}`", p.name, r.name), r.name_span, Some(r.span));
            }
        }
        for f in &p.forms {
            if f.cite.is_none() {
                report(format!("form `{}` of `{}`", f.form, p.name), f.span, Some(f.span));
            }
        }
        for v in &p.validities {
            if v.cite.is_none() {
                report(format!("the validity of `{}`", p.name), v.span, Some(v.span));
            }
        }
    }
    for prog in &set.programs {
        for edge in prog.opened.iter().chain(prog.closed.iter()) {
            if edge.cite.is_none() {
                let kind = match edge.kind {
                    WindowEventKind::Opened => "opening",
                    _ => "closing",
                };
                report(
                    format!("the {kind} date of program `{}`", prog.name),
                    edge.span,
                    Some(edge.span),
                );
            }
        }
    }
    for c in &set.consts {
        if c.cite.is_none() && matches!(c.ty, crate::types::Type::Date) {
            report(format!("date `{}`", c.name), c.span, None);
        }
    }
    for p in &set.params {
        for v in &p.values {
            if v.cite.is_none() {
                report(format!("a value of parameter `{}`", p.name), v.span, Some(v.span));
            }
        }
    }
}

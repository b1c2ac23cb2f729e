//! `#[allow(lint, ..., reason = "...")]` attributes, checked during resolution: an unknown
//! lint (E0205) or a missing reason (E0206) is an error. The valid allows are kept in the
//! IR (`PolicySet::allows`) for the lints (`lints/allow.rs`) to apply.

use pol_syntax::ast::{self, ItemKind};
use pol_syntax::{Diagnostic, Label, Span};

use crate::codes;
use crate::ir::{Allow, AllowedLint};
use crate::suggest::UnknownLint;

/// Checks the attributes of every item and policy line and returns the valid allows.
/// Problems are errors pushed to `diags`: an unknown lint (E0205) or a missing reason
/// (E0206), since an allow must say why the author accepts what the lint found.
pub(crate) fn collect(
    files: &[Option<ast::SourceFile>],
    diags: &mut Vec<Diagnostic>,
) -> Vec<Allow> {
    let mut out = Vec::new();
    for file in files.iter().flatten() {
        for item in &file.items {
            for attr in &item.attrs {
                out.extend(check_attribute(attr, item.span, diags));
            }
            if let ItemKind::Policy(p) = &item.kind {
                for line in &p.items {
                    for attr in &line.attrs {
                        out.extend(check_attribute(attr, line.span, diags));
                    }
                }
            }
        }
    }
    out
}

fn check_attribute(
    attr: &ast::Attribute,
    scope: Span,
    diags: &mut Vec<Diagnostic>,
) -> Option<Allow> {
    let mut lints = Vec::new();
    for name in &attr.lints {
        match codes::lint_named(&name.node).and_then(|c| c.lint) {
            Some(known) => lints.push(AllowedLint { name: known, span: name.span }),
            None => diags.push(unknown_lint(name)),
        }
    }
    let reason = attr.reason.as_ref().map(|r| r.node.trim().to_string()).filter(|r| !r.is_empty());
    let Some(reason) = reason else {
        let (span, label) = match &attr.reason {
            Some(r) => (r.span, "the reason is empty"),
            None => (attr.span, "no `reason = \"...\"`"),
        };
        let names: Vec<&str> = attr.lints.iter().map(|n| n.node.as_str()).collect();
        diags.push(
            Diagnostic::new(
                codes::ALLOW_WITHOUT_REASON,
                "an `#[allow]` must say why the lint does not apply here",
                Label::new(span, label),
            )
            .with_help(format!(
                "add the reason: `#[allow({}, reason = \"...\")]`",
                names.join(", ")
            )),
        );
        return None;
    };
    Some(Allow { lints, reason, span: attr.span, scope })
}

fn unknown_lint(name: &ast::Name) -> Diagnostic {
    let d = Diagnostic::new(
        codes::UNKNOWN_LINT,
        format!("there is no lint called `{}`", name.node),
        Label::new(name.span, "unknown lint"),
    );
    // A code instead of a name: say which name it has, or that errors cannot be allowed.
    if let Some(code) = codes::lookup(&name.node) {
        return match code.lint {
            Some(lint) => d
                .with_help(format!("`#[allow]` takes lint names: write `{lint}`"))
                .with_suggestion(name.span, lint, format!("replace with `{lint}`")),
            None => d.with_help(format!(
                "`{}` is an error, not a lint: errors cannot be allowed, only fixed",
                code.id
            )),
        };
    }
    let unknown = UnknownLint::named(&name.node);
    match unknown.did_you_mean {
        Some(s) => d.with_did_you_mean(name.span, s),
        None => d.with_help(unknown.help()),
    }
}

//! `#[allow(lint, ..., reason = "...")]`: checking the attributes (E0205, E0206), silencing
//! the lints they name, and `unused_allow` (W0512) for an allow that silences nothing.
//!
//! An allow covers the declaration or policy line it stands before: a lint is silenced when
//! its primary span lies inside that item. An allow on a `policy` covers all its lines.

use pol_syntax::ast::{self, ItemKind};
use pol_syntax::{Diagnostic, Label, Span};

use crate::codes;
use crate::ir::{Allow, AllowedLint};
use crate::suggest::did_you_mean;

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
            Some(known) => lints.push(AllowedLint {
                name: known,
                span: name.span,
            }),
            None => diags.push(unknown_lint(name)),
        }
    }
    let reason = attr
        .reason
        .as_ref()
        .map(|r| r.node.trim().to_string())
        .filter(|r| !r.is_empty());
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
    Some(Allow {
        lints,
        reason,
        span: attr.span,
        scope,
    })
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
    match did_you_mean(&name.node, codes::lint_names()) {
        Some(s) => d.with_did_you_mean(name.span, s),
        None => d.with_help(format!(
            "the lints are: {}",
            codes::lint_names().collect::<Vec<_>>().join(", ")
        )),
    }
}

fn contains(outer: Span, inner: Span) -> bool {
    outer.file == inner.file && outer.start <= inner.start && inner.end <= outer.end
}

/// Drops the lint diagnostics an allow covers and reports each allowed lint that covered
/// nothing (`unused_allow`, itself subject to allows).
pub(crate) fn apply(allows: &[Allow], found: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut used: Vec<Vec<bool>> = allows.iter().map(|a| vec![false; a.lints.len()]).collect();
    let silence = |d: &Diagnostic, used: &mut Vec<Vec<bool>>| -> bool {
        let Some(lint) = d.code.lint else {
            return false;
        };
        let mut silenced = false;
        for (a, flags) in allows.iter().zip(used.iter_mut()) {
            if !contains(a.scope, d.primary.span) {
                continue;
            }
            for (l, flag) in a.lints.iter().zip(flags.iter_mut()) {
                if l.name == lint {
                    *flag = true;
                    silenced = true;
                }
            }
        }
        silenced
    };
    let mut out: Vec<Diagnostic> = found
        .into_iter()
        .filter(|d| !silence(d, &mut used))
        .collect();
    let mut stale = Vec::new();
    for (a, flags) in allows.iter().zip(&used) {
        for (i, (l, flag)) in a.lints.iter().zip(flags).enumerate() {
            if !flag && l.name != "unused_allow" {
                let (span, message) = removal(a, i);
                stale.push(
                    Diagnostic::new(
                        codes::UNUSED_ALLOW,
                        format!("`#[allow({})]` silences nothing here", l.name),
                        Label::new(l.span, format!("`{}` does not fire here", l.name)),
                    )
                    .with_help(
                        "remove it (or this lint name from it): the problem it allowed is gone",
                    )
                    .with_suggestion(span, "", message),
                );
            }
        }
    }
    for d in stale {
        if !silence(&d, &mut used) {
            out.push(d);
        }
    }
    out
}

/// What to delete to drop the `i`th lint of an allow: the whole attribute when it is the
/// only one, else the name with the comma that joins it to a neighbour.
fn removal(a: &Allow, i: usize) -> (Span, String) {
    let (Some(l), true) = (a.lints.get(i), a.lints.len() > 1) else {
        return (a.span, "remove the `#[allow]`".to_string());
    };
    let span = match (
        a.lints.get(i + 1),
        i.checked_sub(1).and_then(|p| a.lints.get(p)),
    ) {
        (Some(next), _) => l.span.with_end(next.span.start),
        (None, Some(prev)) => Span {
            start: prev.span.end,
            ..l.span
        },
        (None, None) => l.span,
    };
    (span, format!("remove `{}` from the `#[allow]`", l.name))
}

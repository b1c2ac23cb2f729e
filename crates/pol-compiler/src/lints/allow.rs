//! `#[allow(lint, ..., reason = "...")]`: silencing the lints they name, and `unused_allow`
//! (W0512) for an allow that silences nothing. The attributes are checked during
//! resolution (`resolve/allow.rs`: E0205, E0206).
//!
//! An allow covers the declaration or policy line it stands before: a lint is silenced when
//! its primary span lies inside that item. An allow on a `policy` covers all its lines.

use pol_syntax::{Diagnostic, Label, Span};

use crate::codes;
use crate::ir::Allow;

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
    let mut out: Vec<Diagnostic> = found.into_iter().filter(|d| !silence(d, &mut used)).collect();
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
    let span = match (a.lints.get(i + 1), i.checked_sub(1).and_then(|p| a.lints.get(p))) {
        (Some(next), _) => l.span.with_end(next.span.start),
        (None, Some(prev)) => Span { start: prev.span.end, ..l.span },
        (None, None) => l.span,
    };
    (span, format!("remove `{}` from the `#[allow]`", l.name))
}

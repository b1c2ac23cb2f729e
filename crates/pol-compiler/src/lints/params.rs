//! `parameter_unset` (W0513): a policy reads a dated parameter on dates before its first
//! value, where the parameter has no value and every case that needs it stays open.

use pol_syntax::codes;
use std::collections::HashSet;

use pol_syntax::{Diagnostic, Label, Span};

use crate::ir::*;
use crate::semantics::DecisionKind;

use super::logic::{Logic, Part, Sat};
use super::policy::Policy;

pub(super) fn check(
    set: &PolicySet,
    policy: &Policy,
    logic: &mut Logic,
    out: &mut Vec<Diagnostic>,
) {
    let reads = reads(set, policy.def);
    if reads.is_empty() {
        return;
    }
    // The cases that get past the first level: inside the window, and closed by no
    // `unavailable` rule. Parameters are read at `as_of`.
    let mut open: Vec<Part> = Vec::new();
    if let Some(w) = &policy.window {
        open.push((&w.open, true));
    }
    for t in &policy.triggers {
        if t.level == Some(DecisionKind::Unavailable) {
            open.push((&t.f, false));
        }
    }
    for (p, span) in reads {
        let Some(param) = set.params.get(p) else {
            continue;
        };
        let Some(first) = param.values.iter().min_by_key(|v| v.from) else {
            out.push(
                Diagnostic::new(
                    codes::PARAMETER_UNSET,
                    format!("parameter `{}` has no value on any date", param.name),
                    Label::new(span, "read here"),
                )
                .with_label(Label::new(param.span, "declared without a value"))
                .with_help("give it a value: `from DATE = VALUE cite \"...\"`"),
            );
            continue;
        };
        let before = logic.date_between(&None, None, Some(i64::from(first.from.0) - 1));
        let mut parts = open.clone();
        parts.push((&before, true));
        if logic.satisfiable(&parts) != Sat::Yes {
            continue;
        }
        out.push(
            Diagnostic::new(
                codes::PARAMETER_UNSET,
                format!(
                    "policy `{}` reads parameter `{}` on dates before its first value, {}",
                    policy.def.name, param.name, first.from
                ),
                Label::new(span, format!("unknown for a case dated before {}", first.from)),
            )
            .with_label(Label::new(first.span, "the first value"))
            .with_help(format!(
                "on a case dated before {}, the parameter is unknown, so what reads it cannot \
                 be decided (a rule stays open; a warning, form or validity is left out); give a \
                 value from the earliest date the policy answers for, or close the policy before \
                 that date (a program window, or an `unavailable` rule on `as_of`)",
                first.from
            )),
        );
    }
}

/// The parameters a policy reads, each with the first place in the policy that reads it
/// (the `let` that does, when it is read through one).
fn reads<'a>(set: &'a PolicySet, def: &'a PolicyDef) -> Vec<(ParamId, Span)> {
    let mut roots: Vec<&'a TExpr> = Vec::new();
    if let Some(at) = def.window.as_ref().and_then(|w| w.at.as_ref()) {
        roots.push(at);
    }
    for r in &def.rules {
        roots.push(&r.condition);
        roots.extend(r.unless.iter());
    }
    roots.extend(def.forms.iter().filter_map(|f| f.when.as_ref()));
    for v in &def.validities {
        roots.push(&v.value);
        roots.extend(v.when.iter());
    }
    let mut found: Vec<(ParamId, Span)> = Vec::new();
    let mut lets: HashSet<LetId> = HashSet::new();
    // An explicit stack: `let`s may chain deeply. Each entry carries the span in the
    // policy through which it was reached, if through a `let`.
    let mut stack: Vec<(&'a TExpr, Option<Span>)> =
        roots.into_iter().rev().map(|e| (e, None)).collect();
    while let Some((e, via)) = stack.pop() {
        match &e.kind {
            TExprKind::Param(p) => {
                if !found.iter().any(|(q, _)| q == p) {
                    found.push((*p, via.unwrap_or(e.span)));
                }
            }
            TExprKind::Let(l) => {
                if lets.insert(*l) {
                    if let Some(def) = set.lets.get(l) {
                        stack.push((&def.value, via.or(Some(e.span))));
                    }
                }
            }
            _ => stack.extend(e.children().rev().map(|x| (x, via))),
        }
    }
    found
}

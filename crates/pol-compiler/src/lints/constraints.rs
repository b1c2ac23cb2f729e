//! Case constraints no case can keep: `unsatisfiable_constraint` (W0514) and
//! `conflicting_constraints` (W0515).
//!
//! A constraint states what every valid case satisfies. One that no value satisfies makes
//! every case that gives its facts bad input, and every case that leaves them unknown
//! undecidable (no completion keeps it); two that no value satisfies together do the same.
//! Constraints that read `as_of` are judged for some date: `application.filed_on <= as_of`
//! and `application.filed_on >= 2030-01-01` are kept by a case decided in 2031.

use std::collections::BTreeSet;

use pol_syntax::codes;
use pol_syntax::{Diagnostic, Label};

use crate::ir::*;

use super::logic::{Formula, Logic, Sat};

pub(super) fn check(set: &PolicySet, logic: &mut Logic, out: &mut Vec<Diagnostic>) {
    let mut kept: Vec<(&ConstraintDef, &TExpr, Formula, BTreeSet<FactId>)> = Vec::new();
    for c in &set.constraints {
        match &c.kind {
            ConstraintKind::Condition(e) => {
                let f = logic.formula(e);
                match logic.satisfiable(&[(&f, true)]) {
                    Sat::No => out.push(unsatisfiable(c, e.span, "no value of its facts keeps it")),
                    Sat::Yes => kept.push((c, e, f, facts(set, e))),
                    Sat::Unknown => {}
                }
            }
            ConstraintKind::Pattern { pattern, text, .. } => {
                let (some, all) = pattern.examples(1);
                if some.is_empty() && all {
                    let span = c.span;
                    out.push(unsatisfiable(
                        c,
                        span,
                        &format!("no string fits the pattern \"{text}\""),
                    ));
                }
            }
        }
    }
    // Two constraints on a common fact that no case keeps together.
    for (i, (a, ea, fa, sa)) in kept.iter().enumerate() {
        for (b, eb, fb, sb) in kept.iter().skip(i + 1) {
            if sa.is_disjoint(sb) {
                continue;
            }
            if logic.satisfiable(&[(fa, true), (fb, true)]) == Sat::No {
                out.push(
                    Diagnostic::new(
                        codes::CONFLICTING_CONSTRAINTS,
                        format!(
                            "constraints `{}` and `{}` contradict each other: no case keeps both",
                            a.name, b.name
                        ),
                        Label::new(eb.span, "no value keeps this"),
                    )
                    .with_label(Label::new(ea.span, "together with this"))
                    .with_help(
                        "every case that gives these facts would be refused, and every case that \
                         leaves them unknown could not be decided; correct or remove one of them",
                    ),
                );
            }
        }
    }
}

fn unsatisfiable(c: &ConstraintDef, span: pol_syntax::Span, why: &str) -> Diagnostic {
    Diagnostic::new(
        codes::UNSATISFIABLE_CONSTRAINT,
        format!("constraint `{}` can never hold: {why}", c.name),
        Label::new(span, "no case keeps this"),
    )
    .with_help(
        "every case that gives these facts would be refused, and every case that leaves them \
         unknown could not be decided; state what every real case satisfies",
    )
}

/// The facts an expression reads (through `let`s).
fn facts(set: &PolicySet, e: &TExpr) -> BTreeSet<FactId> {
    let mut out = BTreeSet::new();
    let mut lets = vec![false; set.lets.len()];
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match &e.kind {
            TExprKind::Fact(f) => {
                out.insert(*f);
            }
            TExprKind::Let(l) => {
                if let Some(seen @ false) = lets.get_mut(l.index()) {
                    *seen = true;
                    if let Some(d) = set.lets.get(l.index()) {
                        stack.push(&d.value);
                    }
                }
            }
            TExprKind::Lit(_) | TExprKind::AsOf | TExprKind::Const(_) | TExprKind::Param(_) => {}
            TExprKind::Not(x) => stack.push(x),
            TExprKind::And(xs) | TExprKind::Or(xs) => stack.extend(xs),
            TExprKind::InList(x, xs) => {
                stack.push(x);
                stack.extend(xs);
            }
            TExprKind::Compare(_, a, b) | TExprKind::InSet(a, b) | TExprKind::Arith(_, a, b) => {
                stack.push(a);
                stack.push(b);
            }
            TExprKind::InRange {
                element, low, high, ..
            } => stack.extend([&**element, &**low, &**high]),
        }
    }
    out
}

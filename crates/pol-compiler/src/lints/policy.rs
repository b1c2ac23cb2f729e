//! A policy as the lints about its rules see it: each rule's *trigger*, the condition under
//! which it moves a case to its level (`require C` triggers on `not C`, `exclude C unless
//! E` on `C and not E`), and the program window as "the date lies in the window". A case
//! is decided at the first level (unavailable › ineligible › not_required) with a true
//! trigger, else `eligible`.

use pol_syntax::ast::RuleKind;
use pol_syntax::Span;

use crate::decide::DecisionKind;
use crate::ir::*;

use super::logic::{Formula, Logic, Sat};

/// A rule as the decision sees it.
pub(super) struct Trigger<'a> {
    pub(super) rule: &'a RuleDef,
    pub(super) level: Option<DecisionKind>,
    pub(super) f: Formula,
    /// Whether the trigger can be true, and can be false: a trigger that cannot is a
    /// constant condition, reported by the condition lints, and left alone here.
    pub(super) varies: bool,
}

/// The window of a policy's program, as a condition and where the policy names it.
pub(super) struct Window {
    pub(super) open: Formula,
    pub(super) span: Span,
    pub(super) program: String,
    /// The program's own dates leave no day open (reported by `empty_window`).
    pub(super) empty: bool,
}

pub(super) struct Policy<'a> {
    pub(super) def: &'a PolicyDef,
    pub(super) window: Option<Window>,
    pub(super) triggers: Vec<Trigger<'a>>,
}

impl<'a> Policy<'a> {
    pub(super) fn new(set: &PolicySet, def: &'a PolicyDef, logic: &mut Logic) -> Policy<'a> {
        let window = def.window.as_ref().and_then(|w| {
            let program = set.programs.get(w.program.index())?;
            let low = program.opened.as_ref().map(|e| i64::from(e.day.0));
            // Half-open: closed from the closing day on.
            let high = program.closed.as_ref().map(|e| i64::from(e.day.0) - 1);
            Some(Window {
                open: logic.date_between(&w.at, low, high),
                span: w.span,
                program: program.name.clone(),
                empty: matches!((low, high), (Some(l), Some(h)) if h < l),
            })
        });
        let triggers = def
            .rules
            .iter()
            .map(|r| {
                let c = logic.formula(&r.condition);
                let f = match (r.kind, &r.unless) {
                    (RuleKind::Require, _) => c.negate(),
                    (RuleKind::Exclude, Some(e)) => {
                        Formula::And(vec![c, logic.formula(e).negate()])
                    }
                    _ => c,
                };
                let varies = logic.satisfiable(&[(&f, true)]) == Sat::Yes
                    && logic.satisfiable(&[(&f, false)]) == Sat::Yes;
                Trigger {
                    rule: r,
                    level: DecisionKind::of_rule(r.kind),
                    f,
                    varies,
                }
            })
            .collect();
        Policy {
            def,
            window,
            triggers,
        }
    }
}

//! A policy as the lints about its rules see it: each rule's *trigger* (the condition under
//! which it moves a case to its level) and the program window as "the date lies in the
//! window", both as lint formulas built by the one statement of their meaning in
//! [`crate::semantics`].

use pol_syntax::Span;

use crate::ir::*;
use crate::semantics::{self, DecisionKind};

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

/// Builds rule triggers as lint formulas.
struct Formulas;

impl semantics::Conditions for Formulas {
    type Condition = Formula;

    fn not(&mut self, c: Formula) -> Formula {
        c.negate()
    }

    fn and(&mut self, a: Formula, b: Formula) -> Formula {
        Formula::And(vec![a, b])
    }
}

impl<'a> Policy<'a> {
    pub(super) fn new(set: &PolicySet, def: &'a PolicyDef, logic: &mut Logic) -> Policy<'a> {
        let window = def.window.as_ref().and_then(|w| {
            let program = set.programs.get(w.program)?;
            let (low, high) = semantics::window_days(program);
            Some(Window {
                open: logic.date_between(&w.at, low, high),
                span: w.span,
                program: program.name.clone(),
                empty: semantics::window_is_empty(program),
            })
        });
        let triggers = def
            .rules
            .iter()
            .map(|r| {
                let condition = logic.formula(&r.condition);
                let unless = r.unless.as_ref().map(|e| logic.formula(e));
                let f = semantics::trigger(&mut Formulas, r.kind, condition, unless);
                let varies = logic.satisfiable(&[(&f, true)]) == Sat::Yes
                    && logic.satisfiable(&[(&f, false)]) == Sat::Yes;
                Trigger { rule: r, level: crate::semantics::level_of(r.kind), f, varies }
            })
            .collect();
        Policy { def, window, triggers }
    }
}

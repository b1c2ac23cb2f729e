//! From a case to a decision.
//!
//! A fast three-valued pass over the plan decides most cases. When Kleene logic leaves the
//! decision open, it is settled exactly by the policy's decision diagram (`reason`): the
//! decisions every completion of the unknown facts can reach, and `missing`, the unknown
//! facts whose value changes them, best question first.
//!
//! This file is the fast pass and the outcome it fills; `settle.rs` is the exact settling
//! of an open decision and its sound fallback.

mod settle;

use crate::case::{Case, CaseError};
use crate::graph::PolicyGraph;
use crate::ir::{FactId, PolicySet};
use crate::plan::{self, Plan, PlanRule, Slots, Truth, FALSE, TRUE, UNKNOWN};
use crate::reason::query::{Allowed, Walk};
use crate::reason::{PolicyReasoner, Settled};
use crate::semantics::{self, ClosedBy, DecisionKind};
use crate::value::{Tri, Value};

use settle::{no_completion, open_facts, see, settle, Seen};

/// Why a case got its decision: a rule of the policy, or its program window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cause {
    /// The program window, closed for this case by the date named.
    ProgramWindow(ClosedBy),
    Rule(usize),
}

/// The result of evaluating one case against one policy, as indices into the policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub decision: DecisionKind,
    pub reasons: Vec<Cause>,
    /// Indices of `warn` rules that fired.
    pub warnings: Vec<usize>,
    /// Indices into the policy's forms (deduplicated by form name).
    pub forms: Vec<usize>,
    pub max_validity_days: Option<i64>,
    /// Unknown facts that could change the decision.
    pub missing: Vec<FactId>,
}

impl Default for Outcome {
    fn default() -> Outcome {
        Outcome {
            decision: DecisionKind::Incomplete,
            reasons: Vec::new(),
            warnings: Vec::new(),
            forms: Vec::new(),
            max_validity_days: None,
            missing: Vec::new(),
        }
    }
}

impl Outcome {
    /// Empties the outcome, keeping its buffers for the next case.
    pub fn clear(&mut self) {
        self.decision = DecisionKind::Incomplete;
        self.reasons.clear();
        self.warnings.clear();
        self.forms.clear();
        self.max_validity_days = None;
        self.missing.clear();
    }
}

/// Work space reused across cases.
#[derive(Default)]
pub struct Scratch {
    /// Every node's value, for explanations (filled by [`PolicyGraph::eval`]).
    pub values: Vec<Tri>,
    /// The slots the decision plan runs in.
    slots: Slots,
    /// What the case allows at each level of a decision diagram.
    fixed: Vec<Allowed>,
    walk: Walk,
    by_class: Vec<u16>,
    scored: Vec<(FactId, u64, u64)>,
    /// The truths over the completions that exact reasons are read from.
    seen: Seen,
    reasons_walk: Walk,
}

impl Scratch {
    /// The plan slots, for running another plan (the constraints) between decisions.
    pub(crate) fn slots_mut(&mut self) -> &mut Slots {
        &mut self.slots
    }
}

/// What deciding one case reads: the policy set, the policy's graph and reasoning, and
/// the constraints' graph.
pub struct Policy<'a> {
    pub set: &'a PolicySet,
    pub graph: &'a PolicyGraph,
    /// The plan compiled from `graph`.
    pub plan: &'a Plan,
    pub reasoner: &'a PolicyReasoner,
    pub constraints: &'a PolicyGraph,
}

/// Decides a case into `outcome`, reusing its buffers: once they have grown to fit, a case
/// that Kleene logic decides allocates nothing. Fails only when no completion of the
/// unknown facts keeps the case constraints.
pub fn decide_into(
    p: &Policy<'_>,
    case: &Case,
    scratch: &mut Scratch,
    outcome: &mut Outcome,
) -> Result<(), CaseError> {
    outcome.clear();
    let Some(as_of) = case.as_of else {
        return Err(CaseError::new("as_of", "the case has no `as_of` date", None));
    };
    let plan = p.plan;
    plan.run(p.set, &case.facts, as_of, &mut scratch.slots);
    let levels = plan_levels(plan, &scratch.slots.truths);
    let decided = match kleene_truths(levels) {
        Some(d) => Some(d),
        None => match settle(p, case, scratch) {
            Ok(Settled::Decided(d)) => Some(d),
            Ok(Settled::Open { missing }) => {
                outcome.missing = missing;
                None
            }
            Ok(Settled::NoCompletion) => return Err(no_completion(p, case)),
            Err(_) => {
                outcome.missing = open_facts(p, case, levels, &mut scratch.values);
                None
            }
        },
    };
    let truths = &scratch.slots.truths;
    let truth = |slot: u32| plan::get(truths, slot);
    // Reasons are Kleene's where Kleene logic settles them. Where it leaves one open (a
    // rule of the deciding level or the window unknown, or no decision at all), they are
    // read from the truths the rules take over the case's completions (`settle::see`;
    // `docs/semantics.md`, "Reasons").
    let mut see_truths =
        || see(p, case, &mut scratch.fixed, &mut scratch.reasons_walk, &mut scratch.seen);
    match decided {
        Some(d) => {
            outcome.decision = d;
            let window = plan.window.as_ref().filter(|_| d == DecisionKind::Unavailable);
            let closed_by = window.filter(|w| truth(w.open) == FALSE).map(|w| {
                let state = w.state(&case.facts, as_of, &scratch.slots);
                ClosedBy::of(state).unwrap_or(ClosedBy::Unknown)
            });
            let rules = plan.levels.get(d as usize).map_or(&[][..], |l| &l[..]);
            // A window known closed and the rules known true, noting whether one that
            // Kleene logic leaves unknown may yet hold in every completion.
            let mut open = window.is_some_and(|w| truth(w.open) == UNKNOWN);
            if let Some(closed_by) = closed_by {
                outcome.reasons.push(Cause::ProgramWindow(closed_by));
            }
            each_where(
                rules,
                |r| {
                    let t = truth(r.trigger);
                    open |= t == UNKNOWN && !p.reasoner.kleene_exact(r.rule);
                    t == TRUE
                },
                |r| outcome.reasons.push(Cause::Rule(r.rule)),
            );
            if open && see_truths() {
                // The rules (and the window) true in every completion; when none is, the
                // decision holds by cases (`x or not x`), and those true in some are
                // together the reason.
                outcome.reasons.clear();
                let seen = &scratch.seen;
                for holds in [Seen::always, Seen::sometimes] {
                    if window.is_some() && holds(seen.window_closed()) {
                        let closed_by = closed_by.unwrap_or(ClosedBy::Unknown);
                        outcome.reasons.push(Cause::ProgramWindow(closed_by));
                    }
                    each_where(
                        rules,
                        |r| holds(seen.rule(r.rule)),
                        |r| outcome.reasons.push(Cause::Rule(r.rule)),
                    );
                    if !outcome.reasons.is_empty() {
                        break;
                    }
                }
            } else if outcome.reasons.is_empty() {
                // Nothing is known to hold, so the decision was settled by cases: the rules
                // (and the window) Kleene logic leaves open are together the reason.
                if window.is_some_and(|w| truth(w.open) == UNKNOWN) {
                    outcome.reasons.push(Cause::ProgramWindow(ClosedBy::Unknown));
                }
                each_where(
                    rules,
                    |r| truth(r.trigger) == UNKNOWN,
                    |r| outcome.reasons.push(Cause::Rule(r.rule)),
                );
            }
        }
        None if see_truths() => {
            // The window and the rules still open, at a level some completion reaches.
            let seen = &scratch.seen;
            if plan.window.is_some() && Seen::open(seen.window_closed()) {
                outcome.reasons.push(Cause::ProgramWindow(ClosedBy::Unknown));
            }
            for r in &plan.rules {
                let Some(level) = r.level else { continue };
                if seen.live(level) && Seen::open(seen.rule(r.rule)) {
                    outcome.reasons.push(Cause::Rule(r.rule));
                }
            }
        }
        None => {
            // Beyond exact reasoning: the window and the rules Kleene logic leaves open.
            if plan.window.as_ref().is_some_and(|w| truth(w.open) == UNKNOWN) {
                outcome.reasons.push(Cause::ProgramWindow(ClosedBy::Unknown));
            }
            let open = open_mask(levels);
            for r in &plan.rules {
                let Some(level) = r.level else { continue };
                if open & level.bit() != 0 && truth(r.trigger) == UNKNOWN {
                    outcome.reasons.push(Cause::Rule(r.rule));
                }
            }
        }
    }
    each_where(&plan.warnings, |r| truth(r.trigger) == TRUE, |r| outcome.warnings.push(r.rule));
    if matches!(
        outcome.decision,
        DecisionKind::Eligible | DecisionKind::Ineligible | DecisionKind::Incomplete
    ) {
        for f in &plan.forms {
            if f.when.is_some_and(|w| truth(w) != TRUE) {
                continue;
            }
            let listed = outcome
                .forms
                .iter()
                .any(|j| plan.forms.get(*j).is_some_and(|o| o.first_of_name == f.first_of_name));
            if !listed {
                outcome.forms.push(f.form);
            }
        }
        for (value, when) in &plan.validities {
            if when.is_some_and(|w| truth(w) != TRUE) {
                continue;
            }
            let value = plan::read(*value, &case.facts, as_of, &scratch.slots);
            if let Some(Value::Duration(days, _)) = value {
                outcome.max_validity_days =
                    Some(outcome.max_validity_days.map_or(days, |m| m.max(days)));
            }
        }
    }
    Ok(())
}

/// Calls `f` on each rule that passes `test`, in order. The tests are gathered into a bit
/// set first, 64 rules at a time, without a branch per rule: case data decides each test,
/// so a branch per rule would often be mispredicted.
fn each_where(
    rules: &[PlanRule],
    mut test: impl FnMut(&PlanRule) -> bool,
    mut f: impl FnMut(&PlanRule),
) {
    for chunk in rules.chunks(64) {
        let mut m = 0u64;
        for (i, r) in chunk.iter().enumerate() {
            m |= u64::from(test(r)) << i;
        }
        while m != 0 {
            if let Some(r) = chunk.get(m.trailing_zeros() as usize) {
                f(r);
            }
            m &= m - 1;
        }
    }
}

/// The truth of each level that can pre-empt `eligible` (unavailable, ineligible, not
/// required), from the plan's slots: each level is the disjunction of its rules' triggers,
/// and `unavailable` also holds while the program window is closed.
pub(crate) fn plan_levels(plan: &Plan, truths: &[Truth]) -> [Truth; 3] {
    let mut levels = [FALSE; 3];
    for (level, rules) in levels.iter_mut().zip(&plan.levels) {
        *level = rules.iter().fold(FALSE, |m, r| m.max(plan::get(truths, r.trigger)));
    }
    if let (Some(w), Some(l)) = (&plan.window, levels.get_mut(0)) {
        *l = (*l).max(TRUE - plan::get(truths, w.open));
    }
    levels
}

/// The decision Kleene logic settles from the plan's level truths, if it does.
pub(crate) fn kleene_truths(levels: [Truth; 3]) -> Option<DecisionKind> {
    semantics::decision(levels.map(plan::as_bool))
}

/// The decisions still possible under Kleene logic, as [`DecisionKind::bit`]s.
fn open_mask(levels: [Truth; 3]) -> u8 {
    semantics::possible(levels.map(plan::as_bool)).0
}

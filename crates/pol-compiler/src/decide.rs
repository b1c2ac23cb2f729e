//! From node values to a decision.
//!
//! A fast three-valued pass decides most cases. When it leaves the decision open, the
//! decision is settled exactly (docs/semantics.md): the unknown facts that open rules read are given
//! representative values (one per interval cut by the constants they meet), the possible
//! decisions are enumerated, and `missing` lists exactly the facts whose value changes them.

use crate::graph::{NodeId, Op, PolicyGraph, Probe};
use crate::ir::{FactId, PolicySet};
use crate::plan::{self, Plan, PlanRule, Slots, Truth, FALSE, TRUE, UNKNOWN};
use crate::semantics::{self, ClosedBy, DecisionKind};
use crate::types::Type;
use crate::value::{Day, Symbol, Tri, Value};

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
    facts: Vec<Tri>,
}

/// Evaluations the exact settling may spend on one case before it gives up and reports
/// every open fact (a sound over-approximation).
const SETTLE_BUDGET: u32 = 20_000;

/// The view of one case the decider needs.
pub struct CaseView<'a> {
    pub facts: &'a [Tri],
    pub as_of: Day,
}

pub fn decide(
    set: &PolicySet,
    g: &PolicyGraph,
    case: CaseView<'_>,
    scratch: &mut Scratch,
) -> Outcome {
    let mut outcome = Outcome::default();
    decide_into(set, g, case, scratch, &mut outcome);
    outcome
}

/// Decides a case into `outcome`, reusing its buffers: once they have grown to fit, a case
/// that Kleene logic decides allocates nothing.
pub fn decide_into(
    set: &PolicySet,
    g: &PolicyGraph,
    case: CaseView<'_>,
    scratch: &mut Scratch,
    outcome: &mut Outcome,
) {
    outcome.clear();
    let plan = &g.plan;
    plan.run(set, case.facts, case.as_of, &mut scratch.slots);
    let levels = plan_levels(plan, &scratch.slots.truths);
    let decided = match kleene_truths(levels) {
        Some(d) => Some(d),
        None => {
            let mut settle = Settle {
                set,
                g,
                as_of: case.as_of,
                budget: SETTLE_BUDGET,
                slots: Slots::default(),
            };
            scratch.facts.clear();
            scratch.facts.extend_from_slice(case.facts);
            let (decision, missing) = settle.run(&mut scratch.facts);
            outcome.missing = missing;
            decision
        }
    };
    let truths = &scratch.slots.truths;
    let truth = |slot: u32| plan::get(truths, slot);
    match decided {
        Some(d) => {
            outcome.decision = d;
            if let Some(w) = plan.window.as_ref().filter(|w| truth(w.open) != TRUE) {
                if d == DecisionKind::Unavailable {
                    let state = w.state(case.facts, case.as_of, &scratch.slots);
                    let closed_by = ClosedBy::of(state).unwrap_or(ClosedBy::Unknown);
                    outcome.reasons.push(Cause::ProgramWindow(closed_by));
                }
            }
            let rules = plan.levels.get(d as usize).map_or(&[][..], |l| &l[..]);
            each_where(
                rules,
                |r| truth(r.trigger) == TRUE,
                |r| outcome.reasons.push(Cause::Rule(r.rule)),
            );
            if outcome.reasons.is_empty() {
                // Nothing fired and the window is open, so the decision was settled exactly:
                // a rule unknown under Kleene logic that holds in every completion (`x or
                // not x`) is the reason.
                if let Some(r) = rules.iter().find(|r| truth(r.trigger) == UNKNOWN) {
                    outcome.reasons.push(Cause::Rule(r.rule));
                }
            }
        }
        None => {
            outcome.decision = DecisionKind::Incomplete;
            if plan
                .window
                .as_ref()
                .is_some_and(|w| truth(w.open) == UNKNOWN)
            {
                outcome
                    .reasons
                    .push(Cause::ProgramWindow(ClosedBy::Unknown));
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
    each_where(
        &plan.warnings,
        |r| truth(r.trigger) == TRUE,
        |r| outcome.warnings.push(r.rule),
    );
    if matches!(
        outcome.decision,
        DecisionKind::Eligible | DecisionKind::Ineligible | DecisionKind::Incomplete
    ) {
        for f in &plan.forms {
            if f.when.is_some_and(|w| truth(w) != TRUE) {
                continue;
            }
            let listed = outcome.forms.iter().any(|j| {
                plan.forms
                    .get(*j)
                    .is_some_and(|o| o.first_of_name == f.first_of_name)
            });
            if !listed {
                outcome.forms.push(f.form);
            }
        }
        for (value, when) in &plan.validities {
            if when.is_some_and(|w| truth(w) != TRUE) {
                continue;
            }
            let value = plan::read(*value, case.facts, case.as_of, &scratch.slots);
            if let Some(Value::Duration(days, _)) = value {
                outcome.max_validity_days =
                    Some(outcome.max_validity_days.map_or(days, |m| m.max(days)));
            }
        }
    }
}

/// Calls `f` on each rule that passes `test`, in order. The tests are gathered into a bit
/// set first, 64 rules at a time, without a branch per rule: case data decides each test,
/// so a branch per rule would often be mispredicted.
fn each_where(rules: &[PlanRule], test: impl Fn(&PlanRule) -> bool, mut f: impl FnMut(&PlanRule)) {
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
fn plan_levels(plan: &Plan, truths: &[Truth]) -> [Truth; 3] {
    let mut levels = [FALSE; 3];
    for (level, rules) in levels.iter_mut().zip(&plan.levels) {
        *level = rules
            .iter()
            .fold(FALSE, |m, r| m.max(plan::get(truths, r.trigger)));
    }
    if let (Some(w), Some(l)) = (&plan.window, levels.get_mut(0)) {
        *l = (*l).max(TRUE - plan::get(truths, w.open));
    }
    levels
}

/// The decision Kleene logic settles from the plan's level truths, if it does.
fn kleene_truths(levels: [Truth; 3]) -> Option<DecisionKind> {
    semantics::decision(levels.map(plan::as_bool))
}

/// The decisions still possible under Kleene logic, as [`DecisionKind::bit`]s.
fn open_mask(levels: [Truth; 3]) -> u8 {
    semantics::possible(levels.map(plan::as_bool)).0
}

/// The truth of each level that can pre-empt `eligible`: unavailable, ineligible, not required.
fn level_values(g: &PolicyGraph, values: &[Tri]) -> [Tri; 3] {
    let get = |n: NodeId| values.get(n.index()).copied().flatten();
    let closed = g.window.map(|w| crate::ops::not(get(w)));
    let triggers = |level: DecisionKind| {
        g.rules
            .iter()
            .filter(move |r| semantics::level_of(r.kind) == Some(level))
            .map(move |r| get(r.trigger))
    };
    [
        crate::ops::or(
            closed
                .into_iter()
                .chain(triggers(DecisionKind::Unavailable)),
        ),
        crate::ops::or(triggers(DecisionKind::Ineligible)),
        crate::ops::or(triggers(DecisionKind::NotRequired)),
    ]
}

/// The levels still possible under Kleene logic (an over-approximation).
fn open_levels(levels: [Tri; 3]) -> Vec<DecisionKind> {
    semantics::possible(levels).iter().collect()
}

struct Settle<'a> {
    set: &'a PolicySet,
    g: &'a PolicyGraph,
    as_of: Day,
    budget: u32,
    /// Slots for running the plan on each completion tried.
    slots: Slots,
}

impl Settle<'_> {
    /// The decision if only one is possible, and the facts that change the possibilities.
    fn run(&mut self, facts: &mut Vec<Tri>) -> (Option<DecisionKind>, Vec<FactId>) {
        let mut values = Vec::new();
        let open = self.open_facts(facts, &mut values);
        let all = self.possible(facts, &mut values);
        if self.budget == 0 {
            return (None, open);
        }
        let definite: Vec<DecisionKind> = DecisionKind::DEFINITE
            .into_iter()
            .filter(|d| all & d.bit() != 0)
            .collect();
        if let [only] = definite[..] {
            return (Some(only), Vec::new());
        }
        let mut missing = Vec::new();
        for f in &open {
            let mut seen: Option<u8> = None;
            let mut differs = false;
            for v in self.candidates(*f, facts) {
                if let Some(slot) = facts.get_mut(f.index()) {
                    *slot = Some(v);
                }
                let p = self.possible(facts, &mut values);
                if let Some(slot) = facts.get_mut(f.index()) {
                    *slot = None;
                }
                if seen.is_some_and(|s| s != p) {
                    differs = true;
                    break;
                }
                seen = Some(p);
            }
            if differs {
                missing.push(*f);
            }
        }
        if self.budget == 0 || missing.is_empty() {
            // Out of budget, or the facts only matter jointly: report every open fact.
            return (None, open);
        }
        (None, missing)
    }

    /// The set of decisions (as bits) reachable by completing the unknown facts.
    fn possible(&mut self, facts: &mut Vec<Tri>, values: &mut Vec<Tri>) -> u8 {
        if self.budget == 0 {
            return 0xff;
        }
        self.budget -= 1;
        // Most completions are decided by Kleene logic: the plan tells, without evaluating
        // every node.
        self.g
            .plan
            .run(self.set, facts, self.as_of, &mut self.slots);
        let levels = plan_levels(&self.g.plan, &self.slots.truths);
        if let Some(d) = kleene_truths(levels) {
            return d.bit();
        }
        self.g.eval(self.set, facts, self.as_of, values);
        let open = self.open_facts_of(facts, values);
        let Some(f) = open.first().copied() else {
            return open_mask(levels);
        };
        let mut mask = 0u8;
        for v in self.candidates(f, facts) {
            if let Some(slot) = facts.get_mut(f.index()) {
                *slot = Some(v);
            }
            mask |= self.possible(facts, values);
            if let Some(slot) = facts.get_mut(f.index()) {
                *slot = None;
            }
        }
        mask
    }

    /// Unknown facts read by the rules of levels that are still open, in fact order.
    fn open_facts(&self, facts: &[Tri], values: &mut Vec<Tri>) -> Vec<FactId> {
        self.g.eval(self.set, facts, self.as_of, values);
        self.open_facts_of(facts, values)
    }

    /// [`Settle::open_facts`], given the node values of `facts`.
    fn open_facts_of(&self, facts: &[Tri], values: &[Tri]) -> Vec<FactId> {
        let levels = level_values(self.g, values);
        let open = open_levels(levels);
        let mut roots: Vec<NodeId> = Vec::new();
        if open.contains(&DecisionKind::Unavailable) {
            roots.extend(self.g.window);
        }
        for r in &self.g.rules {
            let Some(level) = semantics::level_of(r.kind) else {
                continue;
            };
            if open.contains(&level) && values.get(r.trigger.index()).copied().flatten().is_none() {
                roots.push(r.trigger);
            }
        }
        let mut seen = vec![false; self.g.nodes.len()];
        let mut out = Vec::new();
        while let Some(n) = roots.pop() {
            match seen.get_mut(n.index()) {
                Some(s) if !*s => *s = true,
                _ => continue,
            }
            let Some(node) = self.g.node(n) else { continue };
            // A subtree whose value is known cannot be changed by its facts.
            if values.get(n.index()).copied().flatten().is_some() {
                continue;
            }
            if let Op::Fact(f) = node.op {
                if facts.get(f.index()).copied().flatten().is_none() {
                    out.push(f);
                }
            }
            roots.extend(self.g.children(&node.op));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Representative values of fact `f`: every enum word, both truth values, and for
    /// ordered facts a value on each side of every cut point.
    fn candidates(&self, f: FactId, facts: &[Tri]) -> Vec<Value> {
        let Some(def) = self.set.facts.get(f.index()) else {
            return Vec::new();
        };
        let probe = self
            .g
            .probes
            .binary_search_by_key(&f, |(id, _)| *id)
            .ok()
            .and_then(|i| self.g.probes.get(i))
            .map(|(_, p)| p);
        let empty = Probe::default();
        let probe = probe.unwrap_or(&empty);
        match def.ty {
            Type::Bool => vec![Value::Bool(true), Value::Bool(false)],
            Type::Enum(e) => {
                let n = self.set.enums.get(e.index()).map_or(0, |d| d.words.len());
                (0..n as u16).map(Value::Word).collect()
            }
            Type::Set(_) => {
                // Only the tested words matter; try every combination of them.
                let words: Vec<u16> = (0..64u16)
                    .filter(|w| probe.words & (1u64 << w) != 0)
                    .collect();
                let n = words.len().min(8);
                (0u32..(1 << n))
                    .map(|combo| {
                        let bits = words
                            .iter()
                            .take(n)
                            .enumerate()
                            .filter(|(i, _)| combo & (1 << i) != 0)
                            .fold(0u64, |acc, (_, w)| acc | (1u64 << w));
                        Value::Words(bits)
                    })
                    .collect()
            }
            Type::Str => {
                let mut v = probe.strings.clone();
                // A string no policy mentions.
                v.push(Value::Str(Symbol(u32::MAX)));
                v
            }
            Type::Int | Type::Date | Type::Duration(_) => {
                let mut anchors = probe.anchors.clone();
                if def.ty == Type::Date {
                    anchors.push(i64::from(self.as_of.0));
                }
                if def.ty == Type::Int {
                    anchors.push(0);
                }
                for g in &probe.related {
                    if let Some(v) = facts
                        .get(g.index())
                        .copied()
                        .flatten()
                        .and_then(Value::ordinal)
                    {
                        anchors.push(v);
                    }
                }
                let mut points = Vec::new();
                for a in anchors {
                    for (n, unit) in std::iter::once((0, pol_syntax::ast::Unit::Days))
                        .chain(probe.offsets.iter().copied())
                    {
                        for sign in [1i64, -1] {
                            let base = if def.ty == Type::Date {
                                i32::try_from(a)
                                    .ok()
                                    .and_then(|d| Day(d).add(sign * n, unit))
                                    .map(|d| i64::from(d.0))
                            } else {
                                a.checked_add(sign * n)
                            };
                            let Some(base) = base else { continue };
                            points.extend([base - 1, base, base + 1]);
                        }
                    }
                }
                points.sort_unstable();
                points.dedup();
                points
                    .into_iter()
                    .filter_map(|p| match def.ty {
                        Type::Date => i32::try_from(p).ok().map(|d| Value::Date(Day(d))),
                        Type::Duration(u) => Some(Value::Duration(p, u)),
                        _ => Some(Value::Int(p)),
                    })
                    .collect()
            }
        }
    }
}

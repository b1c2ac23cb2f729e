//! Settling a decision Kleene logic leaves open: exactly, with the policy's decision diagram
//! (`reason`), or, for a policy beyond exact reasoning, with the sound answer (every
//! unknown fact under the open rules); and the truths the rules take over a case's
//! completions, which exact reasons are read from.

use crate::case::{Case, CaseError};
use crate::graph::{NodeId, Op};
use crate::ir::FactId;
use crate::plan::Truth;
use crate::reason::mdd::{bit, Ref, F, T, U};
use crate::reason::query::{Allowed, Walk};
use crate::reason::{self, Settled};
use crate::semantics::{self, DecisionKind};
use crate::value::Tri;

use super::{open_mask, Policy, Scratch};

/// Settles a case Kleene logic leaves open with the policy's decision diagram; `Err` when
/// the policy is beyond exact reasoning (`reason` says which policies are).
pub(super) fn settle(
    p: &Policy<'_>,
    case: &Case,
    scratch: &mut Scratch,
) -> Result<Settled, String> {
    let as_of = case.as_of.ok_or("no date")?;
    let view = p.reasoner.view(p.set, [p.graph, p.constraints], as_of)?;
    let d = view.regime.diagram.as_ref().ok_or("no diagram")?;
    p.reasoner.fix(p.set, &view, case, &mut scratch.fixed);
    let reach = scratch.walk.reach(d, &scratch.fixed) & reason::mdd::OUTCOMES;
    if reach == 0 {
        return Ok(Settled::NoCompletion);
    }
    if let Some(only) = reason::only(reach) {
        return Ok(Settled::Decided(only));
    }
    scratch.walk.prepare(d, &scratch.fixed);
    scratch.scored.clear();
    let scored = &mut scratch.scored;
    reason::per_fact(
        p.reasoner,
        &view,
        &scratch.fixed,
        case,
        &scratch.walk,
        &mut scratch.by_class,
        |fact, _, per, _| {
            let (sum, count, changes) = reason::score(reach, per);
            if changes {
                scored.push((fact, sum, count));
            }
        },
    );
    reason::rank(&mut scratch.scored);
    Ok(Settled::Open { missing: scratch.scored.iter().map(|(f, _, _)| *f).collect() })
}

/// The error for a case whose unknown facts have no value that keeps every constraint.
pub(super) fn no_completion(p: &Policy<'_>, case: &Case) -> CaseError {
    let unknown: Vec<&str> = p
        .reasoner
        .analysis
        .vars
        .iter()
        .filter(|v| case.facts.get(v.fact.index()).copied().flatten().is_none())
        .filter_map(|v| p.set.fact(v.fact).map(|d| d.path.as_str()))
        .collect();
    CaseError::new(
        unknown.first().map_or(String::new(), |f| (*f).to_string()),
        format!(
            "no value of {} keeps the constraints of the policies, given the known facts",
            unknown.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
        ),
        Some("check the known facts against the constraints they are tied to".into()),
    )
}

/// Every unknown fact under the rules Kleene logic leaves open: the sound answer for a
/// policy beyond exact reasoning (it may list a fact that cannot change the outcome, but
/// never decides a case a fact could still change).
pub(super) fn open_facts(
    p: &Policy<'_>,
    case: &Case,
    levels: [Truth; 3],
    values: &mut Vec<Tri>,
) -> Vec<FactId> {
    let Some(as_of) = case.as_of else {
        return Vec::new();
    };
    let g = p.graph;
    g.eval(p.set, &case.facts, as_of, values);
    let open = open_mask(levels);
    let mut roots: Vec<NodeId> = Vec::new();
    if open & DecisionKind::Unavailable.bit() != 0 {
        roots.extend(g.window);
    }
    for r in &g.rules {
        let Some(level) = semantics::level_of(r.kind) else {
            continue;
        };
        if open & level.bit() != 0 && values.get(r.trigger.index()).copied().flatten().is_none() {
            roots.push(r.trigger);
        }
    }
    let mut seen = vec![false; g.nodes.len()];
    let mut out = Vec::new();
    while let Some(n) = roots.pop() {
        match seen.get_mut(n.index()) {
            Some(s) if !*s => *s = true,
            _ => continue,
        }
        let Some(node) = g.node(n) else { continue };
        // A subtree whose value is known cannot be changed by its facts.
        if values.get(n.index()).copied().flatten().is_some() {
            continue;
        }
        if let Op::Fact(f) = node.op {
            if case.facts.get(f.index()).copied().flatten().is_none() {
                out.push(f);
            }
        }
        roots.extend(g.children(&node.op));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The truth values each rule that decides a level, and the window, take over the
/// completions of a case that keep the constraints, as bits of [`F`], [`U`] and [`T`]
/// (`docs/semantics.md`, "Reasons").
#[derive(Clone, Debug, Default)]
pub(super) struct Seen {
    /// "The window is closed" (never, without a window).
    window_closed: u16,
    /// By index into the policy's rules (unknown for a `warn` rule, which is never read).
    rules: Vec<u16>,
    /// Per level before `eligible`: whether some completion has every level before it
    /// false, so that this level may decide.
    live: [bool; 3],
}

impl Seen {
    /// True in every completion.
    pub(super) fn always(s: u16) -> bool {
        s == bit(T)
    }

    /// True in some completion.
    pub(super) fn sometimes(s: u16) -> bool {
        s & bit(T) != 0
    }

    /// Still open: neither false in every completion nor true in every one.
    pub(super) fn open(s: u16) -> bool {
        s != bit(F) && s != bit(T)
    }

    pub(super) fn window_closed(&self) -> u16 {
        self.window_closed
    }

    /// A rule's truths (unknown, and so open, for a rule the diagram does not hold).
    pub(super) fn rule(&self, rule: usize) -> u16 {
        self.rules.get(rule).copied().unwrap_or(bit(U))
    }

    pub(super) fn live(&self, level: DecisionKind) -> bool {
        self.live.get(level as usize).copied().unwrap_or(true)
    }
}

/// Fills `seen` for `case` from the policy's reason truths (`fixed` and `walk` are work
/// space); false where the reasoning is not exact (the reasons are then Kleene's, on the
/// sound side).
pub(super) fn see(
    p: &Policy<'_>,
    case: &Case,
    fixed: &mut Vec<Allowed>,
    walk: &mut Walk,
    seen: &mut Seen,
) -> bool {
    let Some(as_of) = case.as_of else {
        return false;
    };
    let Ok(view) = p.reasoner.view(p.set, [p.graph, p.constraints], as_of) else {
        return false;
    };
    let Some(truths) = view.regime.reasons.as_ref() else {
        return false;
    };
    p.reasoner.fix(p.set, &view, case, fixed);
    walk.reach(&truths.diagram, fixed);
    let of = |r: Ref| walk.reached_from(r) & (bit(F) | bit(U) | bit(T));
    seen.window_closed = truths.window_closed.map_or(bit(F), of);
    seen.rules.clear();
    for (rule, r) in &truths.rules {
        if seen.rules.len() <= *rule {
            seen.rules.resize(rule + 1, bit(U));
        }
        if let Some(s) = seen.rules.get_mut(*rule) {
            *s = of(*r);
        }
    }
    let [unavailable, either] = truths.before.map(|r| of(r) & bit(F) != 0);
    seen.live = [true, unavailable, either];
    true
}

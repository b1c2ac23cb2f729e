//! Settling a decision Kleene logic leaves open: exactly, with the policy's decision diagram
//! (`reason`), or, for a policy beyond exact reasoning, with the sound answer (every
//! unknown fact under the open rules).

use crate::case::{Case, CaseError};
use crate::graph::{NodeId, Op};
use crate::ir::FactId;
use crate::plan::Truth;
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
    Ok(Settled::Open {
        missing: scratch.scored.iter().map(|(f, _, _)| *f).collect(),
    })
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
            unknown
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
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

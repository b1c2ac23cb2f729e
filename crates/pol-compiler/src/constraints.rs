//! Case constraints as compiled: their conditions lowered into one graph of their own, a
//! plan that checks a case's known facts against them, and the patterns of string facts.
//!
//! A case whose known facts break a constraint is bad input ([`CaseConstraints::check`]);
//! the reasoning about unknown facts (`reason`) reads the same graph so that it only
//! considers completions that keep every constraint.

use crate::case::{Case, CaseError};
use crate::graph::{self, NodeId, PolicyGraph};
use crate::ir::{Basis, ConstraintId, ConstraintKind, FactId, PolicySet, TExpr, TExprKind};
use crate::plan::{self, Plan, Slots, FALSE};
use crate::source::SourceMap;
use crate::value::Value;

/// Every constraint of a policy set, ready to check cases.
#[derive(Clone, Debug)]
pub struct CaseConstraints {
    /// The conditions of the condition constraints, lowered like a policy's.
    pub graph: PolicyGraph,
    /// Each condition constraint and the node of its condition.
    pub conditions: Vec<(ConstraintId, NodeId)>,
    /// Each pattern constraint and its string fact.
    pub patterns: Vec<(ConstraintId, FactId)>,
    /// The facts each condition constraint reads, as `conditions`.
    pub reads: Vec<Vec<FactId>>,
    plan: Plan,
    /// The truth slot of each condition, as `conditions`.
    slots: Vec<u32>,
}

impl CaseConstraints {
    pub fn new(set: &PolicySet) -> CaseConstraints {
        let mut ids = Vec::new();
        let mut exprs = Vec::new();
        let mut patterns = Vec::new();
        for (id, c) in set.constraints.iter_enumerated() {
            match &c.kind {
                ConstraintKind::Condition(e) => {
                    ids.push(id);
                    exprs.push(e);
                }
                ConstraintKind::Pattern { fact, .. } => patterns.push((id, *fact)),
            }
        }
        let (graph, roots) = graph::lower_conditions(set, &exprs);
        let (plan, slots) = Plan::for_conditions(&graph, &roots);
        let reads = roots.iter().map(|r| graph.reads_under(*r).0).collect();
        CaseConstraints {
            graph,
            conditions: ids.into_iter().zip(roots).collect(),
            patterns,
            reads,
            plan,
            slots,
        }
    }

    /// Checks the known facts of `case` against every constraint: the first one they break
    /// is an error naming the field, the constraint and where it is declared. An unknown
    /// fact breaks nothing (the reasoning about unknowns keeps to the constraints instead).
    pub fn check(
        &self,
        set: &PolicySet,
        sources: &SourceMap,
        case: &Case,
        slots: &mut Slots,
    ) -> Result<(), CaseError> {
        for (id, fact) in &self.patterns {
            let Some(Value::Str(sym)) = case.facts.get(fact.index()).copied().flatten() else {
                continue;
            };
            let Some(def) = set.constraints.get(id) else {
                continue;
            };
            let ConstraintKind::Pattern { pattern, .. } = &def.kind else {
                continue;
            };
            let text = case.string(set, sym).unwrap_or("");
            if !pattern.matches(text) {
                return Err(broken(set, sources, case, *id, &[*fact], false));
            }
        }
        if self.conditions.is_empty() {
            return Ok(());
        }
        let Some(as_of) = case.as_of else {
            return Ok(());
        };
        self.plan.run(set, &case.facts, as_of, slots);
        for ((id, node), slot) in self.conditions.iter().zip(&self.slots) {
            if plan::get(&slots.truths, *slot) == FALSE {
                let (facts, as_of) = self.graph.reads_under(*node);
                return Err(broken(set, sources, case, *id, &facts, as_of));
            }
        }
        Ok(())
    }
}

/// The error for a case that breaks constraint `id`, reading `facts`.
fn broken(
    set: &PolicySet,
    sources: &SourceMap,
    case: &Case,
    id: ConstraintId,
    facts: &[FactId],
    reads_as_of: bool,
) -> CaseError {
    let Some(def) = set.constraints.get(id) else {
        return CaseError::new("", "the case breaks a constraint", None);
    };
    // The field is the first known fact as the constraint is written (`trip.return` in
    // `trip.return >= trip.depart`); the others it reads are shown with their values.
    let mut order = match &def.kind {
        ConstraintKind::Condition(e) => in_order(set, e),
        ConstraintKind::Pattern { fact, .. } => vec![*fact],
    };
    order.retain(|f| facts.contains(f) && case.facts.get(f.index()).copied().flatten().is_some());
    let (field, value) = match order.first().and_then(|f| set.fact(*f).map(|d| (f, d))) {
        Some((f, d)) => (d.path.clone(), case.show(set, *f)),
        None => (String::new(), "the case".to_string()),
    };
    let mut others: Vec<String> = order
        .iter()
        .skip(1)
        .filter_map(|f| set.fact(*f).map(|d| format!("`{}` = {}", d.path, case.show(set, *f))))
        .collect();
    if reads_as_of {
        if let Some(day) = case.as_of {
            others.push(format!("`as_of` = {day}"));
        }
    }
    let statement = match &def.kind {
        ConstraintKind::Condition(e) => sources.snippet(e.span).to_string(),
        ConstraintKind::Pattern { fact, text, .. } => {
            format!("{} matches \"{text}\"", set.fact(*fact).map_or("?", |d| d.path.as_str()),)
        }
    };
    let (line, _) = sources.line_col(def.span);
    let with =
        if others.is_empty() { String::new() } else { format!(", with {}", join_and(&others)) };
    let message = format!(
        "the value {value} breaks the constraint `{}` ({}:{line}){with}: {statement}",
        def.name,
        sources.name(def.span.file),
    );
    let help = match &def.basis {
        Basis::Cite(c) => format!("no real case can have this value (source: {})", c.text),
        Basis::Because(c) => format!("no real case can have this value: {}", c.text),
    };
    CaseError::new(field, message, Some(help))
}

/// The facts an expression reads, in the order they are written (through `let`s).
pub(crate) fn in_order(set: &PolicySet, e: &TExpr) -> Vec<FactId> {
    let mut out = Vec::new();
    let mut lets_seen = vec![false; set.lets.len()];
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match &e.kind {
            TExprKind::Fact(f) if !out.contains(f) => out.push(*f),
            TExprKind::Let(l) => {
                if let Some(seen @ false) = lets_seen.get_mut(l.index()) {
                    *seen = true;
                    if let Some(d) = set.lets.get(l) {
                        stack.push(&d.value);
                    }
                }
            }
            _ => {}
        }
        // Reversed, so that the first operand is read first.
        stack.extend(e.children().rev());
    }
    out
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => "the case".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

//! Beyond the decision: the question to ask next, and what change would give another
//! decision. Both read the policy's decision diagram for the case's date.

use std::sync::Arc;

use serde::Serialize;

use crate::case::{Case, CaseError};
use crate::decide::{Cause, Scratch};
use crate::ir::FactId;
use crate::plan::{self, Plan, Slots};
use crate::semantics::{self, ClosedBy, DecisionKind};
use crate::value::Value;
use crate::Compiled;

use crate::reason::query::{Allowed, Walk};
use crate::reason::values::{self, ValueSet};
use crate::reason::{self, mdd, PolicyReasoner, View};

/// What learning one unknown fact would leave possible.
#[derive(Clone, Debug, Serialize)]
pub struct Question {
    #[serde(skip)]
    pub fact: FactId,
    /// The fact's dotted path.
    #[serde(rename = "fact")]
    pub path: String,
    /// The number of outcomes still possible once the fact is known, averaged over the
    /// classes of its values that are possible (fewer is a better question).
    pub average: f64,
    /// Each possible class of its values and what it leaves possible.
    pub classes: Vec<ClassOutcome>,
}

/// One class of a fact's values and the outcomes still possible when the fact is in it.
#[derive(Clone, Debug, Serialize)]
pub struct ClassOutcome {
    pub values: ValueSet,
    /// The decisions still possible, in precedence order; `incomplete` stands for a
    /// completion whose arithmetic overflows, which no fact can decide.
    pub decisions: Vec<DecisionKind>,
}

/// The ranked questions of a case.
#[derive(Clone, Debug, Serialize)]
pub struct AskNext {
    /// The decisions every completion of the unknown facts can still reach.
    pub possible: Vec<DecisionKind>,
    /// The unknown facts that change them, best question first (the order of `missing`).
    pub questions: Vec<Question>,
    /// False when the policy is beyond exact reasoning: then there are no questions, and
    /// `missing` lists every unknown fact under the open rules.
    pub exact: bool,
}

/// A set of changes to known facts that leads to another decision.
#[derive(Clone, Debug, Serialize)]
pub struct Counterfactual {
    /// The decision the changed case gets (decided again by the engine).
    pub decision: DecisionKind,
    pub changes: Vec<Change>,
    /// The rules (and the program window) whose triggers flip, in policy order.
    pub rules: Vec<FlippedRule>,
}

/// One known fact with a new value.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    #[serde(skip)]
    pub fact: FactId,
    #[serde(rename = "fact")]
    pub path: String,
    /// The new value, as a case file writes it.
    pub value: serde_json::Value,
    /// The new value, typed.
    #[serde(skip)]
    pub typed: Value,
}

/// A rule whose trigger flips under a change set.
#[derive(Clone, Debug, Serialize)]
pub struct FlippedRule {
    #[serde(skip)]
    pub cause: Cause,
    /// `policy.rule`, or `policy.program_window`.
    pub rule: String,
    pub cite: Option<String>,
    /// The rule's reason in plain words, where the policy gives one.
    pub says: Option<String>,
}

/// A counterfactual in the shape of the contract: `{"decision": ..., "changes":
/// [{"fact": ..., "value": ...}], "rules": [rule ids]}`.
#[derive(Clone, Debug, Serialize)]
pub struct CounterfactualRecord<'a> {
    pub decision: DecisionKind,
    pub changes: &'a [Change],
    pub rules: Vec<&'a str>,
    /// The sentence (`says`) of each rule in `rules`, in the same order; `null` for a rule
    /// without one and for the program window.
    pub says: Vec<Option<&'a str>>,
}

impl Counterfactual {
    /// The contract's shape of this counterfactual.
    pub fn record(&self) -> CounterfactualRecord<'_> {
        CounterfactualRecord {
            decision: self.decision,
            changes: &self.changes,
            rules: self.rules.iter().map(|r| r.rule.as_str()).collect(),
            says: self.rules.iter().map(|r| r.says.as_deref()).collect(),
        }
    }
}

/// At most this many change sets per decision.
pub const PER_DECISION: usize = 3;
/// Cases the search for change sets may evaluate on the diagram before it stops; the sets
/// it reports are minimal and smallest first however early it stops.
pub const SEARCH_BUDGET: usize = 50_000;

/// A policy's reasoning, its view of a case's date, and the class of each level for the
/// case.
type Viewed<'a> = (&'a PolicyReasoner, Arc<View>, Vec<Allowed>);

impl Compiled {
    /// The policy's reasoning, its view of the case's date and the class of each level for
    /// the case (`None` when the policy is beyond exact reasoning on that date).
    fn view_of(&self, case: &Case) -> Result<Option<Viewed<'_>>, CaseError> {
        let (Some(policy), Some(as_of)) = (case.policy, case.as_of) else {
            return Err(CaseError::new("policy", "the case names no policy or date", None));
        };
        let (Some(g), Some(r)) = (self.graphs.get(policy), self.reasoner.policies.get(policy))
        else {
            return Ok(None);
        };
        let Ok(view) = r.view(&self.set, [g, &self.constraints.graph], as_of) else {
            return Ok(None);
        };
        let mut fixed = Vec::new();
        r.fix(&self.set, &view, case, &mut fixed);
        Ok(Some((r, view, fixed)))
    }

    /// For a case, the decisions still possible and, for every unknown fact that can change
    /// them, what each class of its values would leave possible: best question first, in
    /// the order of `missing`.
    pub fn ask_next(&self, case: &Case) -> Result<AskNext, CaseError> {
        let mut scratch = Scratch::default();
        let outcome = self.decide(case, &mut scratch)?;
        let Some((r, view, fixed)) = self.view_of(case)? else {
            return Ok(AskNext {
                possible: vec![outcome.decision],
                questions: Vec::new(),
                exact: false,
            });
        };
        let Some(d) = view.regime.diagram.as_ref() else {
            return Ok(AskNext {
                possible: vec![outcome.decision],
                questions: Vec::new(),
                exact: false,
            });
        };
        let mut walk = Walk::default();
        let reach = walk.reach(d, &fixed) & mdd::OUTCOMES;
        walk.prepare(d, &fixed);
        let mut questions = Vec::new();
        let mut per = Vec::new();
        reason::per_fact(r, &view, &fixed, case, &walk, &mut per, |fact, level, per, groups| {
            let (sum, count, changes) = reason::score(reach, per);
            if !changes {
                return;
            }
            let (Some(part), Some(def)) = (view.day.parts.get(level), self.set.fact(fact)) else {
                return;
            };
            let classes = per
                .iter()
                .enumerate()
                .filter(|(_, bits)| **bits & mdd::OUTCOMES != 0)
                .map(|(c, bits)| ClassOutcome {
                    values: match groups.and_then(|g| g.get(c)) {
                        Some((ranges, _)) => values::dates(ranges),
                        None => values::describe(&self.set, def.ty, part, c as u32),
                    },
                    decisions: reason::decisions(*bits & mdd::OUTCOMES),
                })
                .collect();
            questions.push((
                (fact, sum, count),
                Question {
                    fact,
                    path: def.path.clone(),
                    average: sum as f64 / count.max(1) as f64,
                    classes,
                },
            ));
        });
        let mut order: Vec<(FactId, u64, u64)> = questions.iter().map(|(k, _)| *k).collect();
        reason::rank(&mut order);
        let mut ranked = Vec::with_capacity(questions.len());
        for (f, _, _) in order {
            if let Some(i) = questions.iter().position(|(k, _)| k.0 == f) {
                ranked.push(questions.swap_remove(i).1);
            }
        }
        Ok(AskNext { possible: reason::decisions(reach), questions: ranked, exact: true })
    }

    /// For a case with a definite decision, the smallest sets of changes to its known facts
    /// that lead to each other definite decision: at most [`PER_DECISION`] per decision,
    /// smallest first, each minimal (no part of it gives that decision). Facts declared
    /// `fixed` and dates already past on `as_of` are never changed, and unknown facts stay
    /// unknown. Every set is decided again by the engine before it is returned.
    pub fn counterfactuals(&self, case: &Case) -> Result<Vec<Counterfactual>, CaseError> {
        let mut scratch = Scratch::default();
        let outcome = self.decide(case, &mut scratch)?;
        let now = outcome.decision;
        if now == DecisionKind::Incomplete {
            return Ok(Vec::new());
        }
        let Some((r, view, fixed)) = self.view_of(case)? else {
            return Ok(Vec::new());
        };
        let Some(d) = view.regime.diagram.as_ref() else {
            return Ok(Vec::new());
        };
        let as_of = case.as_of;
        // The levels whose fact is known and may change.
        let changeable: Vec<usize> = r
            .analysis
            .vars
            .iter()
            .enumerate()
            .filter(|(level, var)| {
                let Some(v) = case.facts.get(var.fact.index()).copied().flatten() else {
                    return false;
                };
                // The dates of a related pair move together: the search leaves them as they are.
                if var.pair.is_some() {
                    return false;
                }
                let fixed_fact = self.set.fact(var.fact).is_none_or(|f| f.fixed);
                let past = matches!((v, as_of), (Value::Date(day), Some(a)) if day < a);
                let classes = view.day.parts.get(*level).map_or(0, |p| p.classes);
                !fixed_fact && !past && classes > 1
            })
            .map(|(l, _)| l)
            .collect();
        let mut found: Vec<(DecisionKind, Vec<(usize, u32)>)> = Vec::new();
        let mut walk = Walk::default();
        let mut budget = SEARCH_BUDGET;
        let mut trial = fixed.clone();
        let full = |found: &Vec<(DecisionKind, Vec<(usize, u32)>)>, k: DecisionKind| {
            found.iter().filter(|(x, _)| *x == k).count() >= PER_DECISION
        };
        'sizes: for size in 1..=changeable.len() {
            let mut subset: Vec<usize> = (0..size).collect();
            loop {
                let levels: Vec<usize> =
                    subset.iter().filter_map(|i| changeable.get(*i).copied()).collect();
                // Free the chosen levels: if no other definite decision can be reached,
                // no assignment of them can reach one.
                trial.clone_from(&fixed);
                for l in &levels {
                    if let Some(t) = trial.get_mut(*l) {
                        *t = Allowed::Free;
                    }
                }
                budget = budget.saturating_sub(1);
                let reach = walk.reach(d, &trial) & mdd::OUTCOMES;
                let wanted: Vec<DecisionKind> = reason::decisions(reach)
                    .into_iter()
                    .filter(|k| *k != now && *k != DecisionKind::Incomplete && !full(&found, *k))
                    .collect();
                if !wanted.is_empty() {
                    // Every assignment of other classes to the chosen levels.
                    let arities: Vec<u32> = levels
                        .iter()
                        .map(|l| view.day.parts.get(*l).map_or(0, |p| p.classes))
                        .collect();
                    let mut choice: Vec<u32> = vec![0; levels.len()];
                    'assignments: loop {
                        let differs = levels
                            .iter()
                            .zip(&choice)
                            .all(|(l, c)| fixed.get(*l) != Some(&Allowed::One(*c)));
                        if differs {
                            for (l, c) in levels.iter().zip(&choice) {
                                if let Some(t) = trial.get_mut(*l) {
                                    *t = Allowed::One(*c);
                                }
                            }
                            if budget == 0 {
                                break 'sizes;
                            }
                            budget -= 1;
                            let reach = walk.reach(d, &trial) & mdd::OUTCOMES;
                            if let Some(k) = reason::only(reach) {
                                let pairs: Vec<(usize, u32)> =
                                    levels.iter().copied().zip(choice.iter().copied()).collect();
                                let minimal = !found.iter().any(|(x, set)| {
                                    *x == k && set.iter().all(|p| pairs.contains(p))
                                });
                                if k != now && !full(&found, k) && minimal {
                                    found.push((k, pairs));
                                }
                            }
                        }
                        // The next assignment, like an odometer.
                        let mut i = 0;
                        loop {
                            let (Some(c), Some(a)) = (choice.get_mut(i), arities.get(i)) else {
                                break 'assignments;
                            };
                            *c += 1;
                            if *c < *a {
                                break;
                            }
                            *c = 0;
                            i += 1;
                        }
                    }
                }
                if DecisionKind::DEFINITE.iter().filter(|k| **k != now).all(|k| full(&found, *k)) {
                    break 'sizes;
                }
                // The next subset of this size, in declaration order.
                let mut i = size;
                loop {
                    if i == 0 {
                        continue 'sizes;
                    }
                    i -= 1;
                    let limit = changeable.len() - size + i;
                    if let Some(s) = subset.get_mut(i) {
                        if *s < limit {
                            *s += 1;
                            let start = *s;
                            for (j, t) in subset.iter_mut().enumerate().skip(i + 1) {
                                *t = start + (j - i);
                            }
                            break;
                        }
                    }
                }
            }
        }
        // Concrete values, decided again by the engine.
        let mut out = Vec::new();
        let mut slots_before = Slots::default();
        let mut slots_after = Slots::default();
        let (Some(policy), Some(as_of)) = (case.policy, case.as_of) else {
            return Ok(out);
        };
        let Some(plan) = self.plans.get(policy) else {
            return Ok(out);
        };
        plan.run(&self.set, &case.facts, as_of, &mut slots_before);
        // Smallest first; among sets of one size, by decision in precedence order, then by
        // the declaration order of their facts.
        let facts_of = |pairs: &Vec<(usize, u32)>| -> Vec<FactId> {
            let mut f: Vec<FactId> =
                pairs.iter().filter_map(|(l, _)| r.analysis.vars.get(*l).map(|v| v.fact)).collect();
            f.sort_unstable();
            f
        };
        found.sort_by_cached_key(|(k, pairs)| (pairs.len(), *k, facts_of(pairs)));
        {
            for (k, pairs) in &found {
                let mut changed = case.clone();
                let mut changes = Vec::new();
                for (level, class) in pairs {
                    let (Some(var), Some(part)) =
                        (r.analysis.vars.get(*level), view.day.parts.get(*level))
                    else {
                        continue;
                    };
                    let current = case.facts.get(var.fact.index()).copied().flatten();
                    let pattern = var.pattern.and_then(|id| self.set.pattern(id));
                    let Some(v) = values::pick(
                        &self.set,
                        var.ty,
                        part,
                        *class,
                        current,
                        pattern,
                        &mut changed,
                    ) else {
                        continue;
                    };
                    if let Some(slot) = changed.facts.get_mut(var.fact.index()) {
                        *slot = Some(v);
                    }
                    changes.push((var.fact, var.ty, v));
                }
                let redecided = self.decide(&changed, &mut scratch).map(|o| o.decision);
                debug_assert_eq!(redecided.as_ref().ok(), Some(k), "a change set re-decides");
                if redecided.ok() != Some(*k) {
                    continue;
                }
                plan.run(&self.set, &changed.facts, as_of, &mut slots_after);
                let rules = self.flipped(policy, plan, &slots_before, &slots_after);
                changes.sort_by_key(|(f, _, _)| *f);
                out.push(Counterfactual {
                    decision: *k,
                    changes: changes
                        .into_iter()
                        .map(|(f, ty, v)| Change {
                            fact: f,
                            path: self.set.fact(f).map_or(String::new(), |d| d.path.clone()),
                            value: values::json(&self.set, &changed, ty, v),
                            typed: v,
                        })
                        .collect(),
                    rules,
                });
            }
        }
        Ok(out)
    }

    /// The decision rules (and the program window) whose triggers differ between two runs
    /// of a policy's plan.
    fn flipped(
        &self,
        policy: crate::ir::PolicyId,
        plan: &Plan,
        before: &Slots,
        after: &Slots,
    ) -> Vec<FlippedRule> {
        let Some(def) = self.set.policies.get(policy) else {
            return Vec::new();
        };
        let mut causes = Vec::new();
        if let Some(w) = &plan.window {
            if plan::get(&before.truths, w.open) != plan::get(&after.truths, w.open) {
                causes.push(Cause::ProgramWindow(ClosedBy::Unknown));
            }
        }
        for r in &plan.rules {
            if r.level.is_some()
                && plan::get(&before.truths, r.trigger) != plan::get(&after.truths, r.trigger)
            {
                causes.push(Cause::Rule(r.rule));
            }
        }
        causes
            .into_iter()
            .filter_map(|cause| {
                // The same reason a decision names for the rule or window.
                let source = match cause {
                    Cause::ProgramWindow(by) => semantics::window_reason(&self.set, def, by),
                    Cause::Rule(i) => semantics::rule_reason(def, i),
                }?;
                Some(FlippedRule {
                    cause,
                    rule: source.id(),
                    cite: source.cite.map(|c| c.text.clone()),
                    says: source.says.map(str::to_string),
                })
            })
            .collect()
    }
}

//! Exact reasoning about unknown facts: which decisions a case can still reach, which
//! unknown facts could change that (`missing`, ranked: the question to ask next), what
//! change of known facts would give another decision, and where two versions of a policy
//! decide differently.
//!
//! Each policy's decision is compiled into a multi-valued decision diagram (`mdd.rs`)
//! whose levels are the facts the decision reads and whose branches are the *classes* of
//! each fact's values: values the policy never tells apart share a class (`analysis.rs`).
//! Completions that break a case constraint lead to a leaf of their own, so they are never
//! counted. Because comparisons with `as_of` and dated parameters move the class
//! boundaries, a diagram belongs to a *regime*: the classes and truth tables fixed by a
//! date. Dates with equal tables share one diagram, built once, on first use, and kept in
//! the compiled policy (`PolicyReasoner`). Deciding a case Kleene logic leaves open then
//! costs two passes over a small diagram (`query.rs`), whatever the number of unknown facts.
//!
//! Relations between two dates by days (`trip.return > trip.depart + 365 days`) are
//! modelled exactly: the two facts become one *pair* level whose classes are the feasible
//! cells (first date, second date, difference). What the reasoning does not model, in a
//! rule that decides a level or a constraint on a fact the decision reads: a relation by
//! calendar months or years, between numbers or strings, or tying a fact to two others; a
//! comparison that reads one fact on both sides; a set fact tested for more than
//! `MAX_SET_WORDS` words; and diagrams beyond `mdd::MAX_NODES` nodes. For such a policy (the `inexact_reasoning` lint names it) a case
//! Kleene logic leaves open is `incomplete` with every unknown fact under the open rules
//! in `missing`: never a definite decision that a fact could still change. None of the
//! shipped policies is such a policy (a test holds them to it).

pub mod analysis;
pub mod build;
pub mod classes;
pub mod cuts;
pub mod kleene;
pub mod mdd;
pub mod query;
pub mod values;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use crate::case::Case;
use crate::constraints::CaseConstraints;
use crate::graph::PolicyGraph;
use crate::ids::IndexVec;
use crate::ir::{FactId, PolicyId, PolicySet};
use crate::semantics::DecisionKind;
use crate::value::{Day, Value};

use analysis::Analysis;
use classes::Day0;
use mdd::Diagram;
use query::{Allowed, Walk};

/// How many dates' classes one policy keeps before it starts over (a batch spread over
/// many years of `as_of` would otherwise grow the cache without bound).
const MAX_DAYS: usize = 8_192;

/// The reasoning of every policy of a set, by policy.
#[derive(Debug, Default)]
pub struct Reasoner {
    pub policies: IndexVec<PolicyId, PolicyReasoner>,
}

impl Reasoner {
    pub fn new(set: &PolicySet, graphs: &[PolicyGraph], constraints: &CaseConstraints) -> Reasoner {
        Reasoner {
            policies: graphs
                .iter()
                .map(|g| {
                    PolicyReasoner::new(
                        Analysis::new(set, g, constraints),
                        kleene::exact_triggers(set, g, constraints),
                    )
                })
                .collect(),
        }
    }
}

/// One policy's analysis and its diagrams, built on first use.
#[derive(Debug)]
pub struct PolicyReasoner {
    pub analysis: Analysis,
    /// By rule index: whether Kleene logic on the rule's trigger is exact (`kleene.rs`), so
    /// that its reasons need no reading of the completions.
    kleene_exact: Vec<bool>,
    undated: OnceLock<Result<Arc<View>, String>>,
    /// The classes and tables of the facts that do not depend on the date.
    stable: OnceLock<Vec<Option<classes::Stable>>>,
    days: RwLock<HashMap<Day, Arc<View>>>,
    /// Equal views of different dates, shared: a date costs an entry in `days`.
    views: RwLock<HashMap<Vec<u8>, Arc<View>>>,
    regimes: RwLock<HashMap<Vec<u8>, Arc<Regime>>>,
}

/// What one date fixes: the classes of each fact, and the regime's diagram.
#[derive(Debug)]
pub struct View {
    pub day: Day0,
    pub regime: Arc<Regime>,
}

/// One regime's decision diagram, and the truths its reasons are read from; `None` when
/// they grew past `mdd::MAX_NODES`.
#[derive(Debug)]
pub struct Regime {
    pub diagram: Option<Diagram>,
    pub reasons: Option<build::ReasonTruths>,
}

impl PolicyReasoner {
    /// The reasoning of one policy, from its analysis and, by rule index, whether Kleene
    /// logic on each trigger is exact ([`kleene::exact_triggers`]).
    pub fn new(analysis: Analysis, kleene_exact: Vec<bool>) -> PolicyReasoner {
        PolicyReasoner {
            analysis,
            kleene_exact,
            undated: OnceLock::new(),
            stable: OnceLock::new(),
            days: RwLock::new(HashMap::new()),
            views: RwLock::new(HashMap::new()),
            regimes: RwLock::new(HashMap::new()),
        }
    }

    /// Whether Kleene logic on the trigger of rule `rule` is exact: where it says unknown,
    /// some completion makes the trigger true and another false (`kleene.rs`).
    pub fn kleene_exact(&self, rule: usize) -> bool {
        self.kleene_exact.get(rule).copied().unwrap_or(false)
    }

    /// The classes and diagram for a date, or why the reasoning is not exact there.
    pub fn view(
        &self,
        set: &PolicySet,
        graphs: [&PolicyGraph; 2],
        as_of: Day,
    ) -> Result<Arc<View>, String> {
        if let Some(why) = &self.analysis.inexact {
            return Err(why.clone());
        }
        if !self.analysis.dated {
            return self.undated.get_or_init(|| self.make_view(set, graphs, as_of)).clone();
        }
        if let Some(v) = read(&self.days).get(&as_of) {
            return Ok(v.clone());
        }
        let view = self.make_view(set, graphs, as_of)?;
        let mut days = write(&self.days);
        if days.len() >= MAX_DAYS {
            days.clear();
        }
        days.insert(as_of, view.clone());
        Ok(view)
    }

    fn make_view(
        &self,
        set: &PolicySet,
        graphs: [&PolicyGraph; 2],
        as_of: Day,
    ) -> Result<Arc<View>, String> {
        let none = Vec::new();
        let stable = self.stable.get().unwrap_or(&none);
        let mut day = self.analysis.day(set, graphs, as_of, stable)?;
        if self.stable.get().is_none() {
            let _ = self.stable.set(self.analysis.stable(&day));
        }
        // A view is the regime and the classes of the dated facts: dates that agree on both
        // share one.
        let mut view_key = day.key.clone();
        for (var, part) in self.analysis.vars.iter().zip(&day.parts) {
            if var.dated {
                part.signature(&mut view_key);
            }
        }
        if let Some(v) = read(&self.views).get(&view_key) {
            return Ok(v.clone());
        }
        let cached = read(&self.regimes).get(&day.key).cloned();
        let regime = match cached {
            Some(r) => r,
            None => {
                let r = Arc::new(match build::build_with_reasons(&self.analysis, &day, graphs) {
                    Ok(built) => Regime { diagram: Some(built.decision), reasons: built.reasons },
                    Err(_) => Regime { diagram: None, reasons: None },
                });
                write(&self.regimes).entry(std::mem::take(&mut day.key)).or_insert(r).clone()
            }
        };
        if regime.diagram.is_none() {
            return Err("the decision diagram grew too large".into());
        }
        day.key = Vec::new();
        let view = Arc::new(View { day, regime });
        let mut views = write(&self.views);
        if views.len() >= MAX_DAYS {
            views.clear();
        }
        Ok(views.entry(view_key).or_insert(view).clone())
    }

    /// What the case allows at each level: the class of each known fact (free when
    /// unknown; for a pair of related dates of which one is known, the classes of the
    /// cells that date reaches), into `allowed`.
    pub fn fix(&self, set: &PolicySet, view: &View, case: &Case, allowed: &mut Vec<Allowed>) {
        allowed.clear();
        let known = |f: FactId| case.facts.get(f.index()).copied().flatten();
        for (var, part) in self.analysis.vars.iter().zip(&view.day.parts) {
            if let Some(pair) = &var.pair {
                let first = known(var.fact).and_then(Value::ordinal);
                let second = known(pair.other).and_then(Value::ordinal);
                allowed.push(part.pair_allowed(first, second));
                continue;
            }
            let Some(v) = known(var.fact) else {
                allowed.push(Allowed::Free);
                continue;
            };
            let text = match v {
                Value::Str(s) => case.string(set, s),
                _ => None,
            };
            let pattern = var.pattern.and_then(|id| set.pattern(id));
            let class = part.class(v, text, pattern);
            debug_assert!(class.is_some(), "a known value has no class: {v:?} of {:?}", var.fact);
            // A value with no class is treated as unknown: the sound side.
            allowed.push(class.map_or(Allowed::Free, Allowed::One));
        }
    }
}

/// For each unknown fact a diagram reads, what each class of its values leaves possible
/// (after [`Walk::reach`] and [`Walk::prepare`] under `allowed`): calls `each` with the
/// fact, its level and the outcomes of each class (`per` is reused).
pub(crate) fn per_fact(
    r: &PolicyReasoner,
    view: &View,
    allowed: &[Allowed],
    case: &Case,
    walk: &Walk,
    per: &mut Vec<u16>,
    mut each: impl FnMut(FactId, usize, &[u16], Option<&[(Vec<cuts::Interval>, Vec<u64>)]>),
) {
    let Some(d) = view.regime.diagram.as_ref() else {
        return;
    };
    let known = |f: FactId| case.facts.get(f.index()).copied().flatten();
    for (level, var) in r.analysis.vars.iter().enumerate() {
        match &var.pair {
            None => {
                if allowed.get(level) != Some(&Allowed::Free) {
                    continue;
                }
                walk.by_class(d, level, per);
                each(var.fact, level, per, None);
            }
            Some(pair) => {
                let Some(part) = view.day.parts.get(level) else {
                    continue;
                };
                let first = known(var.fact).and_then(Value::ordinal);
                let second = known(pair.other).and_then(Value::ordinal);
                for (member, fact, mine, other) in
                    [(0, var.fact, first, second), (1, pair.other, second, first)]
                {
                    if mine.is_some() {
                        continue;
                    }
                    let groups = part.pair_queries(member, other);
                    per.clear();
                    per.extend(groups.iter().map(|(_, bits)| walk.by_subset(d, level, bits)));
                    each(fact, level, per, Some(&groups));
                }
            }
        }
    }
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The decisions a reach set holds (`Incomplete` standing for a completion that an
/// overflow leaves undecided), in precedence order.
pub fn decisions(reach: u16) -> Vec<DecisionKind> {
    [
        (mdd::UNAVAILABLE, DecisionKind::Unavailable),
        (mdd::INELIGIBLE, DecisionKind::Ineligible),
        (mdd::NOT_REQUIRED, DecisionKind::NotRequired),
        (mdd::ELIGIBLE, DecisionKind::Eligible),
        (mdd::UNDEFINED, DecisionKind::Incomplete),
    ]
    .into_iter()
    .filter(|(leaf, _)| reach & mdd::bit(*leaf) != 0)
    .map(|(_, d)| d)
    .collect()
}

/// The only decision a reach set holds, if it holds one definite decision.
pub fn only(reach: u16) -> Option<DecisionKind> {
    match decisions(reach & mdd::OUTCOMES)[..] {
        [d] if d != DecisionKind::Incomplete => Some(d),
        _ => None,
    }
}

/// The leaf of a definite decision.
pub fn leaf(d: DecisionKind) -> mdd::Ref {
    match d {
        DecisionKind::Unavailable => mdd::UNAVAILABLE,
        DecisionKind::Ineligible => mdd::INELIGIBLE,
        DecisionKind::NotRequired => mdd::NOT_REQUIRED,
        DecisionKind::Eligible => mdd::ELIGIBLE,
        DecisionKind::Incomplete => mdd::UNDEFINED,
    }
}

/// The outcome of settling an open case exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Settled {
    /// One decision in every completion.
    Decided(DecisionKind),
    /// Several outcomes remain; the facts that change them, best question first.
    Open { missing: Vec<FactId> },
    /// No completion keeps every constraint.
    NoCompletion,
}

/// Counts of what each class of a fact leaves possible: `(sum of outcomes over the possible
/// classes, number of possible classes, whether some class changes the outcomes)`.
pub(crate) fn score(reach: u16, per_class: &[u16]) -> (u64, u64, bool) {
    let mut sum = 0u64;
    let mut count = 0u64;
    let mut changes = false;
    for r in per_class {
        let r = r & mdd::OUTCOMES;
        if r == 0 {
            continue;
        }
        sum += u64::from(r.count_ones());
        count += 1;
        changes |= r != reach;
    }
    (sum, count, changes)
}

/// Sorts facts by their average number of outcomes left (fewest first), ties in
/// declaration order.
pub(crate) fn rank(scored: &mut [(FactId, u64, u64)]) {
    scored.sort_by(|a, b| {
        // a.1 / a.2 against b.1 / b.2, without division.
        let left = u128::from(a.1) * u128::from(b.2.max(1));
        let right = u128::from(b.1) * u128::from(a.2.max(1));
        left.cmp(&right).then(a.0.cmp(&b.0))
    });
}

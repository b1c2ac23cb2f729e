//! The level rules: from one case's truths to a decision.
//!
//! A policy has four levels, in precedence order: `unavailable` (the program window does
//! not contain its date, or an `unavailable` rule fires), `ineligible` (an `exclude C
//! unless E` fires, iff C and not E; a `require C` fails, iff not C), `not_required` (a
//! `not_required` rule fires) and `eligible`. The decision is the first level whose trigger
//! is true while every level before it is false.

use pol_compiler::ir::{PolicyDef, PolicySet, RuleDef};
use pol_compiler::value::Value;
use pol_syntax::ast::RuleKind;

use crate::eval::{truth, Evaluator, Facts};

/// The decisions of the contract (`docs/cases.md`), in precedence order, `Incomplete` last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Decision {
    Unavailable,
    Ineligible,
    NotRequired,
    Eligible,
    Incomplete,
}

impl Decision {
    /// The four definite decisions, in precedence order.
    pub const DEFINITE: [Decision; 4] =
        [Decision::Unavailable, Decision::Ineligible, Decision::NotRequired, Decision::Eligible];

    /// The contract's word for the decision.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Unavailable => "unavailable",
            Decision::Ineligible => "ineligible",
            Decision::NotRequired => "not_required",
            Decision::Eligible => "eligible",
            Decision::Incomplete => "incomplete",
        }
    }

    pub(crate) fn bit(self) -> u8 {
        1 << self as u8
    }

    /// The definite decisions in a set of [`Decision::bit`]s.
    pub(crate) fn all_in(bits: u8) -> Vec<Decision> {
        Decision::DEFINITE.into_iter().filter(|d| bits & d.bit() != 0).collect()
    }
}

/// The level (0 unavailable, 1 ineligible, 2 not required) a rule moves a case to; `None`
/// for warnings.
pub(crate) fn level(kind: RuleKind) -> Option<usize> {
    match kind {
        RuleKind::Unavailable => Some(0),
        RuleKind::Require | RuleKind::Exclude => Some(1),
        RuleKind::NotRequired => Some(2),
        RuleKind::Warn => None,
    }
}

/// What one case makes of a policy's window and rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Truths {
    /// Whether the program window is closed on its date: `Some(false)` without a window.
    pub window_closed: Option<bool>,
    /// Per rule, by its index in the policy: its trigger (for `warn`, its condition).
    pub triggers: Vec<Option<bool>>,
}

/// The truths of every rule of `policy` (warnings only with `warnings`) for one case.
pub(crate) fn truths(
    ev: &mut Evaluator<'_>,
    set: &PolicySet,
    policy: &PolicyDef,
    facts: &Facts<'_>,
    warnings: bool,
) -> Truths {
    ev.forget();
    let window_closed = match &policy.window {
        None => Some(false),
        Some(w) => {
            let at = match &w.at {
                Some(e) => ev.eval(facts, e),
                None => Some(Value::Date(facts.as_of)),
            };
            match (at, set.programs.get(w.program)) {
                (Some(Value::Date(day)), Some(program)) => {
                    // Half-open: open on the opening date, closed from the closing date on.
                    let opened = program.opened.as_ref().is_none_or(|o| o.day <= day);
                    let not_closed = program.closed.as_ref().is_none_or(|c| day < c.day);
                    Some(!(opened && not_closed))
                }
                _ => None,
            }
        }
    };
    let triggers = policy
        .rules
        .iter()
        .map(|r| if r.kind == RuleKind::Warn && !warnings { None } else { trigger(ev, facts, r) })
        .collect();
    Truths { window_closed, triggers }
}

fn trigger(ev: &mut Evaluator<'_>, facts: &Facts<'_>, rule: &RuleDef) -> Option<bool> {
    let condition = truth(ev.eval(facts, &rule.condition));
    match rule.kind {
        RuleKind::Require => condition.map(|c| !c),
        RuleKind::Exclude => {
            let exception = match &rule.unless {
                Some(e) => truth(ev.eval(facts, e)),
                None => Some(false),
            };
            // C and not E, in Kleene logic.
            match (condition, exception) {
                (Some(false), _) | (_, Some(true)) => Some(false),
                (Some(true), Some(false)) => Some(true),
                _ => None,
            }
        }
        RuleKind::NotRequired | RuleKind::Unavailable | RuleKind::Warn => condition,
    }
}

/// The truth of each level before `eligible`: the Kleene disjunction of its triggers (and,
/// for `unavailable`, of the window being closed).
pub(crate) fn levels(policy: &PolicyDef, t: &Truths) -> [Option<bool>; 3] {
    let mut out = [Some(false); 3];
    let mut join = |level: usize, v: Option<bool>| {
        if let Some(slot) = out.get_mut(level) {
            *slot = match (*slot, v) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            };
        }
    };
    join(0, t.window_closed);
    for (rule, v) in policy.rules.iter().zip(&t.triggers) {
        if let Some(level) = level(rule.kind) {
            join(level, *v);
        }
    }
    out
}

/// The decision the levels give, or, when an unknown level comes first, the set (as
/// [`Decision::bit`]s) of decisions that unknown leaves open: every level from it to the
/// first true one, or to `eligible`.
pub(crate) fn decide(levels: [Option<bool>; 3]) -> Result<Decision, u8> {
    let mut open = 0u8;
    for (v, d) in levels.into_iter().zip(Decision::DEFINITE) {
        match v {
            Some(true) if open == 0 => return Ok(d),
            Some(true) => return Err(open | d.bit()),
            Some(false) => {}
            None => open |= d.bit(),
        }
    }
    if open == 0 {
        Ok(Decision::Eligible)
    } else {
        Err(open | Decision::Eligible.bit())
    }
}

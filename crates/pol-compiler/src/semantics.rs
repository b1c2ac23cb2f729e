//! The meaning of a decision, stated once.
//!
//! Every part of `pol` that needs to know what a rule does or how a decision is reached —
//! lowering to the evaluation graph, the decision plan, deciding, explaining, the lints —
//! asks this module rather than restating it:
//!
//! - the **decisions** and their precedence ([`DecisionKind`]): `unavailable` ›
//!   `ineligible` › `not_required` › `eligible`; `incomplete` when the known facts leave
//!   more than one possible;
//! - the **level** each rule kind moves a case to ([`level_of`]) and its **trigger**, the
//!   condition under which it does ([`trigger`]): `require C` on `not C`, `exclude C unless
//!   E` on `C and not E`, the others on `C`;
//! - the **program window**, half-open: open from the opening date, closed from the
//!   closing date on ([`window_state`], [`window_days`]);
//! - how **levels give a decision** under three-valued logic ([`decision`],
//!   [`possible`]): the first level whose trigger is true while every level before it is
//!   false; unknown when that cannot be settled;
//! - the **reason** a rule or a closed window contributes: its id, citation and place
//!   ([`rule_reason`], [`window_reason`]).

use pol_syntax::ast::RuleKind;
use pol_syntax::Span;
use serde::{Deserialize, Serialize};

use crate::ir::{Cite, PolicyDef, PolicySet, ProgramDef};
use crate::value::{Day, Tri, Value};

/// The five decisions of the contract, in precedence order (`Incomplete` last).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    Unavailable,
    Ineligible,
    NotRequired,
    Eligible,
    Incomplete,
}

impl DecisionKind {
    /// The definite decisions, in precedence order: when several levels hold, the first
    /// wins.
    pub const DEFINITE: [DecisionKind; 4] = [
        DecisionKind::Unavailable,
        DecisionKind::Ineligible,
        DecisionKind::NotRequired,
        DecisionKind::Eligible,
    ];

    /// The levels that can pre-empt `eligible`, in precedence order.
    pub const LEVELS: [DecisionKind; 3] =
        [DecisionKind::Unavailable, DecisionKind::Ineligible, DecisionKind::NotRequired];

    /// The contract's word for the decision.
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::Unavailable => "unavailable",
            DecisionKind::Ineligible => "ineligible",
            DecisionKind::NotRequired => "not_required",
            DecisionKind::Eligible => "eligible",
            DecisionKind::Incomplete => "incomplete",
        }
    }

    /// This decision as a member of a [`Decisions`] set.
    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of definite decisions (bit `d as u8` for decision `d`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Decisions(pub u8);

impl Decisions {
    pub fn contains(self, d: DecisionKind) -> bool {
        self.0 & d.bit() != 0
    }

    pub fn insert(&mut self, d: DecisionKind) {
        self.0 |= d.bit();
    }

    /// The decisions in precedence order.
    pub fn iter(self) -> impl Iterator<Item = DecisionKind> {
        DecisionKind::DEFINITE.into_iter().filter(move |d| self.contains(d.to_owned()))
    }

    pub fn len(self) -> usize {
        self.iter().count()
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The one decision in the set, if there is exactly one.
    pub fn only(self) -> Option<DecisionKind> {
        let mut it = self.iter();
        match (it.next(), it.next()) {
            (Some(d), None) => Some(d),
            _ => None,
        }
    }
}

/// The level a rule of `kind` moves a case to; warnings move it nowhere.
pub fn level_of(kind: RuleKind) -> Option<DecisionKind> {
    match kind {
        RuleKind::Unavailable => Some(DecisionKind::Unavailable),
        RuleKind::Require | RuleKind::Exclude => Some(DecisionKind::Ineligible),
        RuleKind::NotRequired => Some(DecisionKind::NotRequired),
        RuleKind::Warn => None,
    }
}

/// How conditions are combined, for [`trigger`]: graph nodes, lint formulas and the
/// independent model each build triggers in their own representation.
pub trait Conditions {
    type Condition;
    fn not(&mut self, c: Self::Condition) -> Self::Condition;
    fn and(&mut self, a: Self::Condition, b: Self::Condition) -> Self::Condition;
}

/// The trigger of a rule: the condition under which it moves a case to its level (for a
/// warning, under which it warns). `require C` triggers on `not C`; `exclude C unless E`
/// on `C and not E`; every other rule on its condition.
pub fn trigger<B: Conditions>(
    b: &mut B,
    kind: RuleKind,
    condition: B::Condition,
    unless: Option<B::Condition>,
) -> B::Condition {
    match (kind, unless) {
        (RuleKind::Require, _) => b.not(condition),
        (RuleKind::Exclude, Some(exception)) => {
            let not_exception = b.not(exception);
            b.and(condition, not_exception)
        }
        // The type checker allows `unless` only on exclusions (E0307).
        (_, _) => condition,
    }
}

/// Where a date lies with respect to a program window `[opened, closed)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WindowState {
    Open,
    /// Before the opening date.
    NotYetOpen,
    /// On or after the closing date.
    Closed,
}

impl WindowState {
    pub fn is_open(self) -> bool {
        self == WindowState::Open
    }
}

/// Where `day` lies in the window open from `opened` (inclusive) until `closed`
/// (exclusive): `terminated 2025-03-25` means closed on 2025-03-25.
pub fn window_state(opened: Option<Day>, closed: Option<Day>, day: Day) -> WindowState {
    if opened.is_some_and(|o| day < o) {
        WindowState::NotYetOpen
    } else if closed.is_some_and(|c| day >= c) {
        WindowState::Closed
    } else {
        WindowState::Open
    }
}

/// The first and last open day of a program's window as day numbers (inclusive; `None`
/// where the window is unbounded), for reasoning over intervals.
pub fn window_days(program: &ProgramDef) -> (Option<i64>, Option<i64>) {
    let first = program.opened.as_ref().map(|e| i64::from(e.day.0));
    let last = program.closed.as_ref().map(|e| i64::from(e.day.0) - 1);
    (first, last)
}

/// Whether a program's window is never open: it closes on or before the day it opens.
pub fn window_is_empty(program: &ProgramDef) -> bool {
    matches!(window_days(program), (Some(first), Some(last)) if last < first)
}

/// A three-valued truth, in any of the representations the evaluators use.
pub trait Truth: Copy {
    /// `Some(b)` when known, `None` when unknown.
    fn known(self) -> Option<bool>;
}

impl Truth for Option<bool> {
    fn known(self) -> Option<bool> {
        self
    }
}

impl Truth for Tri {
    fn known(self) -> Option<bool> {
        self.and_then(Value::as_bool)
    }
}

/// The decision that the truths of the levels (unavailable, ineligible, not required, in
/// that order) settle: the first level that is true while every level before it is false,
/// `eligible` when all are false; `None` when three-valued logic cannot settle it.
pub fn decision<T: Truth>(levels: [T; 3]) -> Option<DecisionKind> {
    for (t, d) in levels.into_iter().zip(DecisionKind::LEVELS) {
        match t.known() {
            Some(true) => return Some(d),
            Some(false) => {}
            None => return None,
        }
    }
    Some(DecisionKind::Eligible)
}

/// The decisions still possible given the truths of the levels: an over-approximation
/// when levels are unknown (three-valued logic does not see that `x or not x` holds).
pub fn possible<T: Truth>(levels: [T; 3]) -> Decisions {
    let mut out = Decisions::default();
    for (t, d) in levels.into_iter().zip(DecisionKind::LEVELS) {
        match t.known() {
            Some(true) => {
                out.insert(d);
                return out;
            }
            Some(false) => {}
            None => out.insert(d),
        }
    }
    out.insert(DecisionKind::Eligible);
    out
}

/// Which date of a program closed its window for a case: the citation of that date is the
/// legal source of the closure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClosedBy {
    /// The date lies before the opening date.
    Opening,
    /// The date lies on or after the closing date.
    Closing,
    /// The date is unknown: the window is open or closed depending on it.
    Unknown,
}

impl ClosedBy {
    /// Why a window in `state` keeps a case out, if it does.
    pub fn of(state: Option<WindowState>) -> Option<ClosedBy> {
        match state {
            Some(WindowState::Open) => None,
            Some(WindowState::NotYetOpen) => Some(ClosedBy::Opening),
            Some(WindowState::Closed) => Some(ClosedBy::Closing),
            None => Some(ClosedBy::Unknown),
        }
    }
}

/// What a rule or a program window contributes to a decision's reasons: the rule's id
/// (`policy.rule`), its citation and where it is written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReasonSource<'a> {
    pub policy: &'a str,
    /// The rule's name, or `program_window`.
    pub rule: &'a str,
    pub cite: Option<&'a Cite>,
    /// The rule's reason in plain words, where the policy gives one (never for a window).
    pub says: Option<&'a str>,
    pub span: Span,
}

impl ReasonSource<'_> {
    /// The reason's id, as the contract prints it: `policy.rule`.
    pub fn id(&self) -> String {
        format!("{}.{}", self.policy, self.rule)
    }
}

/// The name a program window goes by among a policy's rules.
pub const PROGRAM_WINDOW: &str = "program_window";

/// The reason rule `index` of `policy` contributes.
pub fn rule_reason(policy: &PolicyDef, index: usize) -> Option<ReasonSource<'_>> {
    let rule = policy.rules.get(index)?;
    Some(ReasonSource {
        policy: &policy.name,
        rule: &rule.name,
        cite: rule.cite.as_ref(),
        says: rule.says.as_deref(),
        span: rule.span,
    })
}

/// The reason a policy's program window contributes when `closed_by` keeps a case out:
/// cited by the program date that closed it (the opening date for a case before it, the
/// closing date for one on or after it), else by the policy's `program` line, else by
/// whichever date the program cites. Placed at the policy's `program` line.
pub fn window_reason<'a>(
    set: &'a PolicySet,
    policy: &'a PolicyDef,
    closed_by: ClosedBy,
) -> Option<ReasonSource<'a>> {
    let window = policy.window.as_ref()?;
    let program = set.programs.get(window.program);
    let opening = program.and_then(|p| p.opened.as_ref()?.cite.as_ref());
    let closing = program.and_then(|p| p.closed.as_ref()?.cite.as_ref());
    let by_date = match closed_by {
        ClosedBy::Opening => opening,
        ClosedBy::Closing => closing,
        ClosedBy::Unknown => None,
    };
    let cite = by_date.or(window.cite.as_ref()).or(closing).or(opening);
    Some(ReasonSource {
        policy: &policy.name,
        rule: PROGRAM_WINDOW,
        cite,
        says: None,
        span: window.span,
    })
}

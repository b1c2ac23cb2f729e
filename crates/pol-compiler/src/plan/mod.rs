//! The evaluation plan: a policy graph compiled to straight-line instructions over truth
//! values, for the decision pass that every case takes.
//!
//! [`PolicyGraph::eval`] computes a three-valued [`Value`] for every node, which is what
//! explanations and the exact settling of open decisions need. Deciding a case needs much
//! less: the truth of each rule's trigger, of each form's and validity's `when`, and the
//! validity values. The plan computes exactly those, each needed node once, in topological
//! order, into two flat arrays of slots that the caller reuses from case to case:
//!
//! - **truth slots** (`u8`) for conditions. Truths are encoded `False = 0 < Unknown = 1 <
//!   True = 2`, so Kleene `and` is the minimum, `or` the maximum and `not` is `2 - t`:
//!   no branches on unknowns.
//! - **value slots** ([`Tri`]) for the few computed non-boolean values (`date + duration`,
//!   dated parameters). Facts, `as_of` and constants are read where they are, never copied.
//!
//! Conditions of the common shapes are fused into one instruction that reads a fact slot
//! and tests a 64-bit mask: `status == daca`, `status != none`, `status in {h1, h4}` and
//! their negations become [`Ins::WordIn`]; `asylum in pending` and a disjunction of such
//! tests on one set fact become [`Ins::SetAny`]. Every fusion computes exactly what the
//! operators in `ops.rs` compute on the nodes it replaces; `tests/it/evaluation.rs` checks the
//! plan against [`PolicyGraph::eval`] on generated cases for every shipped policy.
//!
//! Running a plan allocates nothing, hashes nothing and compares no strings.
//!
//! The plan's parts: the instruction set (`ins.rs`), the compiler from a graph
//! (`compile.rs`), the fusion of common shapes into one instruction (`fuse.rs`) and the
//! interpreter (`run.rs`). The graph knows nothing of the plan: a plan is compiled from a
//! graph and kept beside it (`Compiled::plans`).
//!
//! [`PolicyGraph::eval`]: crate::graph::PolicyGraph::eval

mod compile;
mod fuse;
mod ins;
mod run;

use crate::semantics::{self, DecisionKind, WindowState};
use crate::value::{Day, Tri, Value};

pub use ins::{Ins, Src};
pub use run::{get, read};

/// A three-valued truth, ordered so that `and` is `min` and `or` is `max`.
pub type Truth = u8;
pub const FALSE: Truth = 0;
pub const UNKNOWN: Truth = 1;
pub const TRUE: Truth = 2;

/// The truth of a three-valued value: unknown unless it is a known boolean.
pub fn truth(v: Tri) -> Truth {
    match v {
        Some(Value::Bool(b)) => known(b),
        _ => UNKNOWN,
    }
}

/// A truth as an optional boolean: `None` when unknown.
pub fn as_bool(t: Truth) -> Option<bool> {
    match t {
        TRUE => Some(true),
        FALSE => Some(false),
        _ => None,
    }
}

/// `TRUE` or `FALSE`, without a branch: case data decides it, so a branch would be
/// mispredicted half the time.
pub(crate) fn known(b: bool) -> Truth {
    (b as Truth) << 1
}

pub(crate) fn tri(t: Truth) -> Tri {
    match t {
        TRUE => Some(Value::Bool(true)),
        FALSE => Some(Value::Bool(false)),
        _ => None,
    }
}

/// A rule as the decision reads it.
#[derive(Clone, Copy, Debug)]
pub struct PlanRule {
    /// Index into the policy's rules.
    pub rule: usize,
    /// The level the rule moves a case to; `None` for warnings.
    pub level: Option<DecisionKind>,
    /// The truth slot of its trigger.
    pub trigger: u32,
}

/// A program window as the decision reads it.
#[derive(Clone, Copy, Debug)]
pub struct PlanWindow {
    /// The truth slot of "the window is open".
    pub open: u32,
    pub opened: Option<Day>,
    pub closed: Option<Day>,
    /// The date the window is read at.
    pub at: Src,
}

impl PlanWindow {
    /// Where the date lies in the window for a case whose plan has run into `slots`;
    /// `None` when the date is unknown.
    pub fn state(&self, facts: &[Tri], as_of: Day, slots: &Slots) -> Option<WindowState> {
        match read(self.at, facts, as_of, slots) {
            Some(Value::Date(day)) => Some(semantics::window_state(self.opened, self.closed, day)),
            _ => None,
        }
    }
}

/// A form as the decision reads it.
#[derive(Clone, Copy, Debug)]
pub struct PlanForm {
    /// Index into the policy's forms.
    pub form: usize,
    /// The truth slot of its `when`, if any.
    pub when: Option<u32>,
    /// The index of the first form with the same name: forms of one name are listed once.
    pub first_of_name: usize,
}

/// A policy graph compiled for deciding cases.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub ins: Vec<Ins>,
    /// Operand runs of [`Ins::InList`].
    pub srcs: Vec<Src>,
    /// Operand runs of [`Ins::And`] and [`Ins::Or`]: truth slots.
    pub truths: Vec<u32>,
    pub truth_slots: u32,
    pub value_slots: u32,
    /// The policy's program window, if it has one.
    pub window: Option<PlanWindow>,
    /// Every rule, in the policy's order.
    pub rules: Vec<PlanRule>,
    /// The rules of each level that pre-empts `eligible` (unavailable, ineligible, not
    /// required), each in the policy's order: a decided case reads only its level's.
    pub levels: [Vec<PlanRule>; 3],
    /// The `warn` rules, in the policy's order.
    pub warnings: Vec<PlanRule>,
    pub forms: Vec<PlanForm>,
    /// Each validity's value and `when`.
    pub validities: Vec<(Src, Option<u32>)>,
}

/// The slots a plan runs in; reused from case to case.
#[derive(Clone, Debug, Default)]
pub struct Slots {
    pub truths: Vec<Truth>,
    pub values: Vec<Tri>,
}

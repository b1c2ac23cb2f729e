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
//! operators in `ops.rs` compute on the nodes it replaces; `tests/evaluation.rs` checks the
//! plan against [`PolicyGraph::eval`] on generated cases for every shipped policy.
//!
//! Running a plan allocates nothing, hashes nothing and compares no strings.

use std::collections::HashMap;

use pol_syntax::ast::CompareOp;

use crate::graph::{NodeId, Op, PolicyGraph};
use crate::ir::{ArithOp, FactId, ParamId, PolicySet};
use crate::ops;
use crate::semantics::{self, DecisionKind, WindowState};
use crate::types::Type;
use crate::value::{Day, Tri, Value};

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
fn known(b: bool) -> Truth {
    (b as Truth) << 1
}

fn tri(t: Truth) -> Tri {
    match t {
        TRUE => Some(Value::Bool(true)),
        FALSE => Some(Value::Bool(false)),
        _ => None,
    }
}

/// Where an instruction reads a value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Src {
    /// A literal or constant, folded in.
    K(Value),
    Fact(FactId),
    AsOf,
    /// A value slot.
    Val(u32),
    /// A truth slot, read as a value (a condition compared with another).
    Truth(u32),
    /// A value that is never known (see [`Op::Unknown`]).
    Unknown,
}

/// One step of a plan. `out` is a truth slot, except for [`Ins::Arith`] and [`Ins::Param`]
/// which fill value slots.
#[derive(Clone, Debug)]
pub enum Ins {
    /// A boolean fact as a condition.
    Bool {
        fact: FactId,
        out: u32,
    },
    /// An enum fact's word is in `mask` (bit `w` for word `w`); `other` is the truth when
    /// the fact holds a value that is not a word (which the type checker rules out, but the
    /// operators define).
    WordIn {
        fact: FactId,
        mask: u64,
        other: Truth,
        out: u32,
    },
    /// A set fact holds any word of `mask`.
    SetAny {
        fact: FactId,
        mask: u64,
        out: u32,
    },
    /// A constant truth.
    Const {
        t: Truth,
        out: u32,
    },
    /// A value read as a condition.
    Truthy {
        a: Src,
        out: u32,
    },
    Compare {
        op: CompareOp,
        a: Src,
        b: Src,
        out: u32,
    },
    /// An ordered comparison with a constant ordinal (`days > 180 days`): the constant
    /// side is on the right (`op` is flipped when it was on the left).
    CompareK {
        op: CompareOp,
        a: Src,
        k: i64,
        out: u32,
    },
    /// [`Ins::CompareK`] on a fact: the most common comparison, read straight from the slot.
    FactCompareK {
        op: CompareOp,
        fact: FactId,
        k: i64,
        out: u32,
    },
    /// `a in low..high` (or `..=`) with constant bounds.
    RangeK {
        a: Src,
        low: i64,
        high: i64,
        inclusive: bool,
        out: u32,
    },
    /// `a in {items}`: `items` is a run of [`Plan::srcs`].
    InList {
        a: Src,
        start: u32,
        len: u32,
        out: u32,
    },
    InSet {
        a: Src,
        set: Src,
        out: u32,
    },
    InRange {
        a: Src,
        low: Src,
        high: Src,
        inclusive: bool,
        out: u32,
    },
    Window {
        opened: Option<Day>,
        closed: Option<Day>,
        at: Src,
        out: u32,
    },
    Not {
        a: u32,
        out: u32,
    },
    /// Kleene conjunction of two truth slots (the common case: `C and not E`).
    And2 {
        a: u32,
        b: u32,
        out: u32,
    },
    Or2 {
        a: u32,
        b: u32,
        out: u32,
    },
    /// Kleene conjunction of a run of [`Plan::truths`].
    And {
        start: u32,
        len: u32,
        out: u32,
    },
    Or {
        start: u32,
        len: u32,
        out: u32,
    },
    /// Arithmetic into a value slot.
    Arith {
        op: ArithOp,
        a: Src,
        b: Src,
        out: u32,
    },
    /// A dated parameter's value on the case's date, into a value slot.
    Param {
        param: ParamId,
        out: u32,
    },
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

impl Plan {
    /// Compiles the parts of `g` a decision reads.
    pub fn new(set: &PolicySet, g: &PolicyGraph) -> Plan {
        let mut b = PlanBuilder {
            g,
            plan: Plan::default(),
            truth_of: HashMap::new(),
            value_of: HashMap::new(),
        };
        if let Some(w) = g.window {
            let open = b.truth(w);
            if let Some(Op::Window {
                opened, closed, at, ..
            }) = b.op(w).cloned()
            {
                let at = b.value(at);
                b.plan.window = Some(PlanWindow {
                    open,
                    opened,
                    closed,
                    at,
                });
            }
        }
        for r in &g.rules {
            let trigger = b.truth(r.trigger);
            let rule = PlanRule {
                rule: r.rule,
                level: crate::semantics::level_of(r.kind),
                trigger,
            };
            b.plan.rules.push(rule);
            match rule.level.and_then(|d| b.plan.levels.get_mut(d as usize)) {
                Some(level) => level.push(rule),
                None => b.plan.warnings.push(rule),
            }
        }
        let names: Vec<&str> = set
            .policies
            .get(g.policy.index())
            .map(|p| p.forms.iter().map(|f| f.form.as_str()).collect())
            .unwrap_or_default();
        for (i, when) in &g.forms {
            let when = when.map(|w| b.truth(w));
            let name = names.get(*i).copied();
            let first_of_name = names.iter().position(|n| Some(*n) == name).unwrap_or(*i);
            b.plan.forms.push(PlanForm {
                form: *i,
                when,
                first_of_name,
            });
        }
        for (_, value, when) in &g.validities {
            let value = b.value(*value);
            let when = when.map(|w| b.truth(w));
            b.plan.validities.push((value, when));
        }
        b.plan
    }

    /// Compiles the truth of each of `roots` (conditions outside any policy, such as the
    /// case constraints): the plan and the truth slot of each root, in order.
    pub fn for_conditions(g: &PolicyGraph, roots: &[NodeId]) -> (Plan, Vec<u32>) {
        let mut b = PlanBuilder {
            g,
            plan: Plan::default(),
            truth_of: HashMap::new(),
            value_of: HashMap::new(),
        };
        let slots = roots.iter().map(|r| b.truth(*r)).collect();
        (b.plan, slots)
    }

    /// Runs the plan for one case: fills `slots` (grown to fit, never shrunk).
    pub fn run(&self, set: &PolicySet, facts: &[Tri], as_of: Day, slots: &mut Slots) {
        let (nt, nv) = (self.truth_slots as usize, self.value_slots as usize);
        if slots.truths.len() < nt {
            slots.truths.resize(nt, UNKNOWN);
        }
        if slots.values.len() < nv {
            slots.values.resize(nv, None);
        }
        // A fact's slot, by reference: fused instructions look at the payload they need
        // without copying the whole value.
        let fact = |f: FactId| facts.get(f.index()).and_then(Option::as_ref);
        for ins in &self.ins {
            let (out, t) = match *ins {
                Ins::Bool { fact: f, out } => {
                    let t = match fact(f) {
                        Some(Value::Bool(b)) => known(*b),
                        _ => UNKNOWN,
                    };
                    (out, t)
                }
                Ins::WordIn {
                    fact: f,
                    mask,
                    other,
                    out,
                } => {
                    let t = match fact(f) {
                        Some(Value::Word(w)) if *w < 64 => known(mask & (1u64 << w) != 0),
                        // Not a word of any enum: equal to none of the mask's words.
                        Some(_) => other,
                        None => UNKNOWN,
                    };
                    (out, t)
                }
                Ins::SetAny { fact: f, mask, out } => {
                    let t = match fact(f) {
                        Some(Value::Words(bits)) => known(*bits & mask != 0),
                        _ => UNKNOWN,
                    };
                    (out, t)
                }
                Ins::Const { t, out } => (out, t),
                Ins::Truthy { a, out } => (out, truth(read(a, facts, as_of, slots))),
                Ins::Compare { op, a, b, out } => {
                    let v = ops::compare(
                        op,
                        read(a, facts, as_of, slots),
                        read(b, facts, as_of, slots),
                    );
                    (out, truth(v))
                }
                Ins::CompareK { op, a, k, out } => {
                    let t = match read(a, facts, as_of, slots).and_then(Value::ordinal) {
                        Some(v) => known(compare_ordinals(op, v, k)),
                        None => UNKNOWN,
                    };
                    (out, t)
                }
                Ins::FactCompareK {
                    op,
                    fact: f,
                    k,
                    out,
                } => {
                    let t = match fact(f).and_then(|v| v.ordinal()) {
                        Some(v) => known(compare_ordinals(op, v, k)),
                        None => UNKNOWN,
                    };
                    (out, t)
                }
                Ins::RangeK {
                    a,
                    low,
                    high,
                    inclusive,
                    out,
                } => {
                    let t = match read(a, facts, as_of, slots).and_then(Value::ordinal) {
                        Some(v) => known(v >= low && if inclusive { v <= high } else { v < high }),
                        None => UNKNOWN,
                    };
                    (out, t)
                }
                Ins::InList { a, start, len, out } => {
                    let items = self
                        .srcs
                        .get(start as usize..(start + len) as usize)
                        .unwrap_or(&[]);
                    let v = ops::in_list(
                        read(a, facts, as_of, slots),
                        items.iter().map(|s| read(*s, facts, as_of, slots)),
                    );
                    (out, truth(v))
                }
                Ins::InSet { a, set, out } => {
                    let v =
                        ops::in_set(read(a, facts, as_of, slots), read(set, facts, as_of, slots));
                    (out, truth(v))
                }
                Ins::InRange {
                    a,
                    low,
                    high,
                    inclusive,
                    out,
                } => {
                    let v = ops::in_range(
                        read(a, facts, as_of, slots),
                        read(low, facts, as_of, slots),
                        read(high, facts, as_of, slots),
                        inclusive,
                    );
                    (out, truth(v))
                }
                Ins::Window {
                    opened,
                    closed,
                    at,
                    out,
                } => {
                    let t = match read(at, facts, as_of, slots) {
                        Some(Value::Date(d)) => {
                            known(semantics::window_state(opened, closed, d).is_open())
                        }
                        _ => UNKNOWN,
                    };
                    (out, t)
                }
                Ins::Not { a, out } => (out, TRUE - get(&slots.truths, a)),
                Ins::And2 { a, b, out } => {
                    let t = get(&slots.truths, a).min(get(&slots.truths, b));
                    (out, t)
                }
                Ins::Or2 { a, b, out } => {
                    let t = get(&slots.truths, a).max(get(&slots.truths, b));
                    (out, t)
                }
                Ins::And { start, len, out } => {
                    let run = self.run_of(start, len);
                    let t = run.iter().fold(TRUE, |m, s| m.min(get(&slots.truths, *s)));
                    (out, t)
                }
                Ins::Or { start, len, out } => {
                    let run = self.run_of(start, len);
                    let t = run.iter().fold(FALSE, |m, s| m.max(get(&slots.truths, *s)));
                    (out, t)
                }
                Ins::Arith { op, a, b, out } => {
                    let v = ops::arith(
                        op,
                        read(a, facts, as_of, slots),
                        read(b, facts, as_of, slots),
                    );
                    if let Some(slot) = slots.values.get_mut(out as usize) {
                        *slot = v;
                    }
                    continue;
                }
                Ins::Param { param, out } => {
                    let v = set
                        .params
                        .get(param.index())
                        .and_then(|p| p.at(as_of))
                        .map(|v| v.value);
                    if let Some(slot) = slots.values.get_mut(out as usize) {
                        *slot = v;
                    }
                    continue;
                }
            };
            if let Some(slot) = slots.truths.get_mut(out as usize) {
                *slot = t;
            }
        }
    }

    fn run_of(&self, start: u32, len: u32) -> &[u32] {
        self.truths
            .get(start as usize..(start + len) as usize)
            .unwrap_or(&[])
    }
}

/// The truth in slot `i` (unknown if out of range, which a built plan never is).
pub fn get(truths: &[Truth], i: u32) -> Truth {
    truths.get(i as usize).copied().unwrap_or(UNKNOWN)
}

/// The value an operand reads.
pub fn read(src: Src, facts: &[Tri], as_of: Day, slots: &Slots) -> Tri {
    match src {
        Src::K(v) => Some(v),
        Src::Unknown => None,
        Src::Fact(f) => facts.get(f.index()).copied().flatten(),
        Src::AsOf => Some(Value::Date(as_of)),
        Src::Val(i) => slots.values.get(i as usize).copied().flatten(),
        Src::Truth(i) => tri(get(&slots.truths, i)),
    }
}

/// `v op k` on ordinals, as `ops::compare` orders values.
fn compare_ordinals(op: CompareOp, v: i64, k: i64) -> bool {
    match op {
        CompareOp::Lt => v < k,
        CompareOp::Le => v <= k,
        CompareOp::Gt => v > k,
        CompareOp::Ge => v >= k,
        CompareOp::Eq => v == k,
        CompareOp::Ne => v != k,
    }
}

/// The ordinal of a constant operand.
fn ordinal(src: Src) -> Option<i64> {
    match src {
        Src::K(v) => v.ordinal(),
        _ => None,
    }
}

/// `k op a` as `a flip(op) k`.
fn flip(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Lt => CompareOp::Gt,
        CompareOp::Le => CompareOp::Ge,
        CompareOp::Gt => CompareOp::Lt,
        CompareOp::Ge => CompareOp::Le,
        other => other,
    }
}

struct PlanBuilder<'a> {
    g: &'a PolicyGraph,
    plan: Plan,
    /// Nodes already compiled, so each is computed once.
    truth_of: HashMap<NodeId, u32>,
    value_of: HashMap<NodeId, Src>,
}

/// A condition that tests one fact against a mask of words.
#[derive(Clone, Copy)]
enum MaskTest {
    /// An enum fact's word is in the mask; `other` for a non-word value.
    Word(FactId, u64, Truth),
    /// A set fact holds a word of the mask.
    Set(FactId, u64),
}

impl PlanBuilder<'_> {
    fn op(&self, n: NodeId) -> Option<&Op> {
        self.g.node(n).map(|node| &node.op)
    }

    fn ty(&self, n: NodeId) -> Option<Type> {
        self.g.node(n).map(|node| node.ty)
    }

    /// The node a `let` stands for (lets are aliases).
    fn through_lets(&self, mut n: NodeId) -> NodeId {
        while let Some(Op::Let(_, body)) = self.op(n) {
            n = *body;
        }
        n
    }

    fn new_truth(&mut self) -> u32 {
        self.plan.truth_slots += 1;
        self.plan.truth_slots - 1
    }

    fn emit_truth(&mut self, make: impl FnOnce(u32) -> Ins) -> u32 {
        let out = self.new_truth();
        self.plan.ins.push(make(out));
        out
    }

    /// The truth slot of a condition node.
    fn truth(&mut self, n: NodeId) -> u32 {
        let n = self.through_lets(n);
        if let Some(slot) = self.truth_of.get(&n) {
            return *slot;
        }
        let slot = self.compile_truth(n);
        self.truth_of.insert(n, slot);
        slot
    }

    fn compile_truth(&mut self, n: NodeId) -> u32 {
        if let Some(test) = self.mask_test(n) {
            return self.emit_truth(|out| match test {
                MaskTest::Word(fact, mask, other) => Ins::WordIn {
                    fact,
                    mask,
                    other,
                    out,
                },
                MaskTest::Set(fact, mask) => Ins::SetAny { fact, mask, out },
            });
        }
        let Some(op) = self.op(n).cloned() else {
            debug_assert!(false, "plan: node {n:?} is not in the graph");
            return self.emit_truth(|out| Ins::Const { t: UNKNOWN, out });
        };
        match op {
            Op::Unknown => self.emit_truth(|out| Ins::Const { t: UNKNOWN, out }),
            Op::Lit(v) | Op::Const(_, v) => self.emit_truth(|out| Ins::Const {
                t: truth(Some(v)),
                out,
            }),
            Op::Fact(fact) if self.ty(n) == Some(Type::Bool) => {
                self.emit_truth(|out| Ins::Bool { fact, out })
            }
            Op::Not(a) => {
                let a = self.truth(a);
                self.emit_truth(|out| Ins::Not { a, out })
            }
            Op::And(run) | Op::Or(run) => {
                let operands: Vec<NodeId> = self.g.operands(run).to_vec();
                let slots: Vec<u32> = operands.iter().map(|o| self.truth(*o)).collect();
                let and = matches!(op, Op::And(_));
                if let [a, b] = slots[..] {
                    return if and {
                        self.emit_truth(|out| Ins::And2 { a, b, out })
                    } else {
                        self.emit_truth(|out| Ins::Or2 { a, b, out })
                    };
                }
                let start = self.plan.truths.len() as u32;
                self.plan.truths.extend_from_slice(&slots);
                let len = slots.len() as u32;
                if and {
                    self.emit_truth(|out| Ins::And { start, len, out })
                } else {
                    self.emit_truth(|out| Ins::Or { start, len, out })
                }
            }
            Op::Compare(cmp, a, b) => {
                let (a, b) = (self.value(a), self.value(b));
                let ordered = !matches!(cmp, CompareOp::Eq | CompareOp::Ne);
                match (ordinal(a), ordinal(b)) {
                    // `ops::compare` orders by ordinal: a constant side is just a number.
                    (None, Some(k)) if ordered => self.compare_k(cmp, a, k),
                    (Some(k), None) if ordered => self.compare_k(flip(cmp), b, k),
                    _ => self.emit_truth(|out| Ins::Compare { op: cmp, a, b, out }),
                }
            }
            Op::InList(e, run) => {
                let a = self.value(e);
                let items: Vec<NodeId> = self.g.operands(run).to_vec();
                let srcs: Vec<Src> = items.iter().map(|i| self.value(*i)).collect();
                let start = self.plan.srcs.len() as u32;
                self.plan.srcs.extend_from_slice(&srcs);
                let len = srcs.len() as u32;
                self.emit_truth(|out| Ins::InList { a, start, len, out })
            }
            Op::InSet(e, s) => {
                let (a, set) = (self.value(e), self.value(s));
                self.emit_truth(|out| Ins::InSet { a, set, out })
            }
            Op::InRange(e, lo, hi, inclusive) => {
                let (a, low, high) = (self.value(e), self.value(lo), self.value(hi));
                // `ops::in_range` is `a >= low and a < high`: with constant bounds, both
                // comparisons are known exactly when `a` has an ordinal.
                if let (Some(low), Some(high)) = (ordinal(low), ordinal(high)) {
                    return self.emit_truth(|out| Ins::RangeK {
                        a,
                        low,
                        high,
                        inclusive,
                        out,
                    });
                }
                self.emit_truth(|out| Ins::InRange {
                    a,
                    low,
                    high,
                    inclusive,
                    out,
                })
            }
            Op::Window {
                opened, closed, at, ..
            } => {
                let at = self.value(at);
                self.emit_truth(|out| Ins::Window {
                    opened,
                    closed,
                    at,
                    out,
                })
            }
            Op::Fact(_) | Op::AsOf | Op::Param(_) | Op::Arith(..) | Op::Let(..) => {
                let a = self.value(n);
                self.emit_truth(|out| Ins::Truthy { a, out })
            }
        }
    }

    fn compare_k(&mut self, op: CompareOp, a: Src, k: i64) -> u32 {
        match a {
            Src::Fact(fact) => self.emit_truth(|out| Ins::FactCompareK { op, fact, k, out }),
            a => self.emit_truth(|out| Ins::CompareK { op, a, k, out }),
        }
    }

    /// Where to read the value of a node.
    fn value(&mut self, n: NodeId) -> Src {
        let n = self.through_lets(n);
        if let Some(src) = self.value_of.get(&n) {
            return *src;
        }
        let src = match self.op(n).cloned() {
            Some(Op::Lit(v) | Op::Const(_, v)) => Src::K(v),
            Some(Op::Fact(f)) => Src::Fact(f),
            Some(Op::AsOf) => Src::AsOf,
            Some(Op::Param(param)) => {
                let out = self.plan.value_slots;
                self.plan.value_slots += 1;
                self.plan.ins.push(Ins::Param { param, out });
                Src::Val(out)
            }
            Some(Op::Arith(op, a, b)) => {
                let (a, b) = (self.value(a), self.value(b));
                let out = self.plan.value_slots;
                self.plan.value_slots += 1;
                self.plan.ins.push(Ins::Arith { op, a, b, out });
                Src::Val(out)
            }
            // Conditions used as values: read their truth slot.
            Some(_) => Src::Truth(self.truth(n)),
            None => {
                debug_assert!(false, "plan: node {n:?} is not in the graph");
                Src::Unknown
            }
        };
        self.value_of.insert(n, src);
        src
    }

    /// A literal enum word, if `n` is one.
    fn word(&self, n: NodeId) -> Option<u16> {
        match self.op(self.through_lets(n))? {
            Op::Lit(Value::Word(w)) | Op::Const(_, Value::Word(w)) if *w < 64 => Some(*w),
            _ => None,
        }
    }

    /// An enum or set fact, if `n` is one (not a boolean or other fact).
    fn fact_of(&self, n: NodeId, set: bool) -> Option<FactId> {
        let n = self.through_lets(n);
        match (self.op(n)?, self.ty(n)?) {
            (Op::Fact(f), Type::Enum(_)) if !set => Some(*f),
            (Op::Fact(f), Type::Set(_)) if set => Some(*f),
            _ => None,
        }
    }

    /// Recognizes a condition that tests one fact against a mask of words.
    fn mask_test(&self, n: NodeId) -> Option<MaskTest> {
        match self.op(n)? {
            // `fact == word`, `word == fact`, and `!=`: for a known word `x`, `x == w` is
            // bit `x` of `{w}`; a non-word value is never equal (`ops::compare`).
            Op::Compare(op @ (CompareOp::Eq | CompareOp::Ne), a, b) => {
                let (fact, w) = match (self.fact_of(*a, false), self.word(*b)) {
                    (Some(f), Some(w)) => (f, w),
                    _ => (self.fact_of(*b, false)?, self.word(*a)?),
                };
                let bit = 1u64 << w;
                Some(if *op == CompareOp::Eq {
                    MaskTest::Word(fact, bit, FALSE)
                } else {
                    MaskTest::Word(fact, !bit, TRUE)
                })
            }
            // `fact in {w1, w2}`: every item a known word, so never unknown for a known fact.
            Op::InList(e, run) => {
                let fact = self.fact_of(*e, false)?;
                let mut mask = 0u64;
                for item in self.g.operands(*run) {
                    mask |= 1u64 << self.word(*item)?;
                }
                Some(MaskTest::Word(fact, mask, FALSE))
            }
            // `w in set`: `ops::in_set` is unknown unless the set is known.
            Op::InSet(e, s) => {
                let w = self.word(*e)?;
                let fact = self.fact_of(*s, true)?;
                Some(MaskTest::Set(fact, 1u64 << w))
            }
            // `not (fact in {...})`: the complement, for a known word.
            Op::Not(a) => match self.mask_test(self.through_lets(*a))? {
                MaskTest::Word(fact, mask, other) => {
                    Some(MaskTest::Word(fact, !mask, TRUE - other))
                }
                MaskTest::Set(..) => None,
            },
            // A disjunction of tests of one fact: one test of the union of their masks.
            Op::Or(run) => {
                let mut merged: Option<MaskTest> = None;
                for item in self.g.operands(*run) {
                    let test = self.mask_test(self.through_lets(*item))?;
                    merged = Some(match (merged, test) {
                        (None, t) => t,
                        (Some(MaskTest::Word(f, m, o)), MaskTest::Word(g, n, p)) if f == g => {
                            MaskTest::Word(f, m | n, o.max(p))
                        }
                        (Some(MaskTest::Set(f, m)), MaskTest::Set(g, n)) if f == g => {
                            MaskTest::Set(f, m | n)
                        }
                        _ => return None,
                    });
                }
                merged
            }
            _ => None,
        }
    }
}

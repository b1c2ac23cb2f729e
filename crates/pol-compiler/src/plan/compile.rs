//! The compiler from a policy graph to a plan: only the nodes a decision reads, each once,
//! in topological order. Conditions of the common shapes are fused (`fuse.rs`).

use std::collections::HashMap;

use pol_syntax::ast::CompareOp;

use super::fuse::MaskTest;
use super::{truth, Ins, Plan, PlanForm, PlanRule, PlanWindow, Src, UNKNOWN};
use crate::graph::{NodeId, Op, PolicyGraph};
use crate::ir::PolicySet;
use crate::types::Type;

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
            if let Some(Op::Window { opened, closed, at, .. }) = b.op(w).cloned() {
                let at = b.value(at);
                b.plan.window = Some(PlanWindow { open, opened, closed, at });
            }
        }
        for r in &g.rules {
            let trigger = b.truth(r.trigger);
            let rule =
                PlanRule { rule: r.rule, level: crate::semantics::level_of(r.kind), trigger };
            b.plan.rules.push(rule);
            match rule.level.and_then(|d| b.plan.levels.get_mut(d as usize)) {
                Some(level) => level.push(rule),
                None => b.plan.warnings.push(rule),
            }
        }
        let names: Vec<&str> = set
            .policies
            .get(g.policy)
            .map(|p| p.forms.iter().map(|f| f.form.as_str()).collect())
            .unwrap_or_default();
        for (i, when) in &g.forms {
            let when = when.map(|w| b.truth(w));
            let name = names.get(*i).copied();
            let first_of_name = names.iter().position(|n| Some(*n) == name).unwrap_or(*i);
            b.plan.forms.push(PlanForm { form: *i, when, first_of_name });
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
}

/// The ordinal of a constant operand.
fn ordinal(src: Src) -> Option<i64> {
    match src {
        Src::K(v) => v.ordinal(),
        _ => None,
    }
}

pub(super) struct PlanBuilder<'a> {
    pub(super) g: &'a PolicyGraph,
    plan: Plan,
    /// Nodes already compiled, so each is computed once.
    truth_of: HashMap<NodeId, u32>,
    value_of: HashMap<NodeId, Src>,
}

impl PlanBuilder<'_> {
    pub(super) fn op(&self, n: NodeId) -> Option<&Op> {
        self.g.node(n).map(|node| &node.op)
    }

    pub(super) fn ty(&self, n: NodeId) -> Option<Type> {
        self.g.node(n).map(|node| node.ty)
    }

    /// The node a `let` stands for (lets are aliases).
    pub(super) fn through_lets(&self, mut n: NodeId) -> NodeId {
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
                MaskTest::Word(fact, mask, other) => Ins::WordIn { fact, mask, other, out },
                MaskTest::Set(fact, mask) => Ins::SetAny { fact, mask, out },
            });
        }
        let Some(op) = self.op(n).cloned() else {
            debug_assert!(false, "plan: node {n:?} is not in the graph");
            return self.emit_truth(|out| Ins::Const { t: UNKNOWN, out });
        };
        match op {
            Op::Unknown => self.emit_truth(|out| Ins::Const { t: UNKNOWN, out }),
            Op::Lit(v) | Op::Const(_, v) => {
                self.emit_truth(|out| Ins::Const { t: truth(Some(v)), out })
            }
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
                    (Some(k), None) if ordered => self.compare_k(cmp.flipped(), b, k),
                    (None, None) if ordered => {
                        self.emit_truth(|out| Ins::CompareOrdered { op: cmp, a, b, out })
                    }
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
                    return self.emit_truth(|out| Ins::RangeK { a, low, high, inclusive, out });
                }
                self.emit_truth(|out| Ins::InRange { a, low, high, inclusive, out })
            }
            Op::Window { opened, closed, at, .. } => {
                let at = self.value(at);
                self.emit_truth(|out| Ins::Window { opened, closed, at, out })
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
}

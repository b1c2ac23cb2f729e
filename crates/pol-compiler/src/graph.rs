//! The evaluation graph: one flat DAG per policy, in topological order.
//!
//! Facts, `as_of`, constants and parameters are the leaves; derived conditions, rules and
//! the decision levels sit above them. Evaluating a case is one pass over the node array,
//! each node computed once from its operands' slots: no allocation, hashing or string
//! comparison. Every node keeps the span it came from, so explanations lead back to source.

use std::collections::HashMap;

use pol_syntax::ast::{CompareOp, RuleKind};
use pol_syntax::Span;

use crate::ir::*;
use crate::ops;
use crate::semantics;
use crate::types::Type;
use crate::value::{Day, Tri, Value};

use crate::ids::IndexVec;
pub use crate::ids::NodeId;

/// A run of operands in [`PolicyGraph::operands`].
#[derive(Clone, Copy, Debug)]
pub struct Operands {
    pub start: u32,
    pub len: u32,
}

#[derive(Clone, Debug)]
pub enum Op {
    /// A value that is never known: what lowering produces for a state the checker rules
    /// out (a name with no definition), so that it fails closed rather than defaulting.
    Unknown,
    Lit(Value),
    Const(ConstId, Value),
    Fact(FactId),
    AsOf,
    Param(ParamId),
    /// A `let`: takes its body's value; kept as a node so explanations can name it.
    Let(LetId, NodeId),
    Not(NodeId),
    And(Operands),
    Or(Operands),
    Compare(CompareOp, NodeId, NodeId),
    InList(NodeId, Operands),
    InSet(NodeId, NodeId),
    InRange(NodeId, NodeId, NodeId, bool),
    Arith(ArithOp, NodeId, NodeId),
    /// True while `at` lies in the half-open window [opened, closed).
    Window {
        program: ProgramId,
        opened: Option<Day>,
        closed: Option<Day>,
        at: NodeId,
    },
}

#[derive(Clone, Debug)]
pub struct Node {
    pub op: Op,
    pub ty: Type,
    pub span: Span,
}

/// A rule as compiled: the node whose truth moves the case to the rule's level.
#[derive(Clone, Debug)]
pub struct RuleNode {
    /// Index into the policy's [`PolicyDef::rules`].
    pub rule: usize,
    pub kind: RuleKind,
    pub condition: NodeId,
    pub unless: Option<NodeId>,
    /// `require`: not condition; `exclude`: condition and not exception; others: condition.
    pub trigger: NodeId,
}

#[derive(Clone, Debug)]
pub struct PolicyGraph {
    pub policy: PolicyId,
    pub nodes: IndexVec<NodeId, Node>,
    pub operands: Vec<NodeId>,
    /// True when the program window is open for this case.
    pub window: Option<NodeId>,
    pub rules: Vec<RuleNode>,
    pub forms: Vec<(usize, Option<NodeId>)>,
    pub validities: Vec<(usize, NodeId, Option<NodeId>)>,
    /// The facts this policy reads (rules, forms and validity), in fact order.
    pub reads: Vec<FactId>,
    /// The node computed for each expression of the policy's source, by span: how an
    /// explanation finds the value of a condition it underlines.
    pub spans: HashMap<Span, NodeId>,
}

impl PolicyGraph {
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id)
    }

    pub fn operands(&self, ops: Operands) -> &[NodeId] {
        self.operands.get(ops.start as usize..(ops.start + ops.len) as usize).unwrap_or(&[])
    }

    /// The nodes an operation reads.
    pub fn children(&self, op: &Op) -> Vec<NodeId> {
        match op {
            Op::Unknown | Op::Lit(_) | Op::Const(..) | Op::Fact(_) | Op::AsOf | Op::Param(_) => {
                Vec::new()
            }
            Op::Let(_, b) | Op::Not(b) => vec![*b],
            Op::And(o) | Op::Or(o) => self.operands(*o).to_vec(),
            Op::InList(e, o) => {
                let mut v = vec![*e];
                v.extend_from_slice(self.operands(*o));
                v
            }
            Op::Compare(_, a, b) | Op::InSet(a, b) | Op::Arith(_, a, b) => vec![*a, *b],
            Op::InRange(a, b, c, _) => vec![*a, *b, *c],
            Op::Window { at, .. } => vec![*at],
        }
    }

    /// The nodes under `root`, `root` included, each once, in the order a depth-first walk
    /// meets them.
    pub fn under(&self, root: NodeId) -> Vec<NodeId> {
        let mut seen = vec![false; self.nodes.len()];
        let mut stack = vec![root];
        let mut under = Vec::new();
        while let Some(n) = stack.pop() {
            match seen.get_mut(n.index()) {
                Some(s) if !*s => *s = true,
                _ => continue,
            }
            under.push(n);
            if let Some(node) = self.node(n) {
                stack.extend(self.children(&node.op));
            }
        }
        under
    }

    /// The facts a node reads (in fact order), and whether it reads `as_of` (directly or
    /// through a dated parameter).
    pub fn reads_under(&self, root: NodeId) -> (Vec<FactId>, bool) {
        let mut facts = Vec::new();
        let mut as_of = false;
        for node in self.under(root).into_iter().filter_map(|n| self.node(n)) {
            match node.op {
                Op::Fact(f) => facts.push(f),
                Op::AsOf | Op::Param(_) => as_of = true,
                _ => {}
            }
        }
        facts.sort_unstable();
        facts.dedup();
        (facts, as_of)
    }

    /// Evaluates every node for one case into `values` (resized to fit, reused across
    /// cases so the loop does not allocate). Explanations and the exact settling of open
    /// decisions read every node; deciding a case runs the leaner plan compiled from
    /// the graph (`Compiled::plans`) instead.
    pub fn eval(&self, set: &PolicySet, facts: &[Tri], as_of: Day, values: &mut Vec<Tri>) {
        values.clear();
        values.resize(self.nodes.len(), None);
        for n in self.nodes.ids() {
            let v = self.eval_node(set, n, facts, as_of, values);
            if let Some(slot) = values.get_mut(n.index()) {
                *slot = v;
            }
        }
    }

    /// Evaluates only `nodes` (ascending, closed under operands: every operand of a listed
    /// node is listed) into `values`, which must hold a slot per node. The reasoning reads a
    /// few conditions for many values of one fact.
    pub fn eval_some(
        &self,
        set: &PolicySet,
        nodes: &[NodeId],
        facts: &[Tri],
        as_of: Day,
        values: &mut [Tri],
    ) {
        for n in nodes {
            let v = self.eval_node(set, *n, facts, as_of, values);
            if let Some(slot) = values.get_mut(n.index()) {
                *slot = v;
            }
        }
    }

    /// The value of node `n`, its operands read from `values`.
    fn eval_node(
        &self,
        set: &PolicySet,
        n: NodeId,
        facts: &[Tri],
        as_of: Day,
        values: &[Tri],
    ) -> Tri {
        let node = self.nodes.get(n)?;
        let get = |n: NodeId| values.get(n.index()).copied().flatten();
        match &node.op {
            Op::Unknown => None,
            Op::Lit(v) | Op::Const(_, v) => Some(*v),
            Op::Fact(f) => facts.get(f.index()).copied().flatten(),
            Op::AsOf => Some(Value::Date(as_of)),
            Op::Param(p) => set.params.get(p).and_then(|p| p.at(as_of)).map(|v| v.value),
            Op::Let(_, b) => get(*b),
            Op::Not(a) => ops::not(get(*a)),
            Op::And(o) => ops::and(self.operands(*o).iter().map(|n| get(*n))),
            Op::Or(o) => ops::or(self.operands(*o).iter().map(|n| get(*n))),
            Op::Compare(op, a, b) => ops::compare(*op, get(*a), get(*b)),
            Op::InList(e, o) => ops::in_list(get(*e), self.operands(*o).iter().map(|n| get(*n))),
            Op::InSet(e, s) => ops::in_set(get(*e), get(*s)),
            Op::InRange(e, lo, hi, inc) => ops::in_range(get(*e), get(*lo), get(*hi), *inc),
            Op::Arith(op, a, b) => ops::arith(*op, get(*a), get(*b)),
            Op::Window { opened, closed, at, .. } => match get(*at) {
                Some(Value::Date(d)) => {
                    Some(Value::Bool(semantics::window_state(*opened, *closed, d).is_open()))
                }
                _ => None,
            },
        }
    }
}

/// Lowers one checked policy (`policy`, which is `set.policies[id]`) to its graph.
pub fn lower(set: &PolicySet, id: PolicyId, policy: &PolicyDef) -> PolicyGraph {
    let mut b = Builder::new(set, id);
    if let Some(w) = &policy.window {
        let program = set.programs.get(w.program);
        let at = match (&w.at, program) {
            (Some(e), Some(_)) => b.expr(e),
            (None, Some(_)) => b.leaf(Leaf::AsOf, Type::Date, w.span),
            // Resolution rules this out; were it to happen, the window is never known
            // open, so the case can never be decided past it (fail closed).
            (_, None) => {
                debug_assert!(false, "lowering: program {:?} has no definition", w.program);
                b.push(Op::Unknown, Type::Date, w.span)
            }
        };
        let node = b.push(
            Op::Window {
                program: w.program,
                opened: program.and_then(|p| p.opened.as_ref()).map(|e| e.day),
                closed: program.and_then(|p| p.closed.as_ref()).map(|e| e.day),
                at,
            },
            Type::Bool,
            w.span,
        );
        b.g.window = Some(node);
    }
    for (i, rule) in policy.rules.iter().enumerate() {
        let condition = b.expr(&rule.condition);
        let unless = rule.unless.as_ref().map(|u| b.expr(u));
        let trigger = semantics::trigger(
            &mut TriggerNodes { b: &mut b, span: rule.span },
            rule.kind,
            condition,
            unless,
        );
        b.g.rules.push(RuleNode { rule: i, kind: rule.kind, condition, unless, trigger });
    }
    for (i, form) in policy.forms.iter().enumerate() {
        let when = form.when.as_ref().map(|w| b.expr(w));
        b.g.forms.push((i, when));
    }
    for (i, v) in policy.validities.iter().enumerate() {
        let value = b.expr(&v.value);
        let when = v.when.as_ref().map(|w| b.expr(w));
        b.g.validities.push((i, value, when));
    }
    let mut reads: Vec<FactId> = b
        .leaves
        .keys()
        .filter_map(|l| match l {
            Leaf::Fact(f) => Some(*f),
            _ => None,
        })
        .collect();
    reads.sort_unstable();
    b.g.reads = reads;
    b.g
}

/// Builds rule triggers as graph nodes, placed at the rule.
struct TriggerNodes<'b, 'a> {
    b: &'b mut Builder<'a>,
    span: Span,
}

impl semantics::Conditions for TriggerNodes<'_, '_> {
    type Condition = NodeId;

    fn not(&mut self, c: NodeId) -> NodeId {
        self.b.push(Op::Not(c), Type::Bool, self.span)
    }

    fn and(&mut self, a: NodeId, b: NodeId) -> NodeId {
        let ops = self.b.operand_run(&[a, b]);
        self.b.push(Op::And(ops), Type::Bool, self.span)
    }
}

/// Lowers conditions that belong to no policy (the case constraints) into one graph of
/// their own: the graph and the node of each condition, in order.
pub fn lower_conditions(set: &PolicySet, conditions: &[&TExpr]) -> (PolicyGraph, Vec<NodeId>) {
    // The graph belongs to no policy: its `policy` is an id no policy set mints.
    let mut b = Builder::new(set, PolicyId(u32::MAX));
    let roots = conditions.iter().map(|e| b.expr(e)).collect();
    (b.g, roots)
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Leaf {
    Fact(FactId),
    AsOf,
    Param(ParamId),
    Const(ConstId),
}

struct Builder<'a> {
    set: &'a PolicySet,
    g: PolicyGraph,
    /// Leaves are shared: each fact is read once per case however many rules use it.
    leaves: HashMap<Leaf, NodeId>,
    lets: HashMap<LetId, NodeId>,
}

impl<'a> Builder<'a> {
    /// A builder of an empty graph for `policy`.
    fn new(set: &'a PolicySet, policy: PolicyId) -> Self {
        Builder {
            set,
            g: PolicyGraph {
                policy,
                nodes: IndexVec::new(),
                operands: Vec::new(),
                window: None,
                rules: Vec::new(),
                forms: Vec::new(),
                validities: Vec::new(),
                reads: Vec::new(),
                spans: HashMap::new(),
            },
            leaves: HashMap::new(),
            lets: HashMap::new(),
        }
    }

    fn push(&mut self, op: Op, ty: Type, span: Span) -> NodeId {
        self.g.nodes.push(Node { op, ty, span })
    }

    fn operand_run(&mut self, ids: &[NodeId]) -> Operands {
        let start = self.g.operands.len() as u32;
        self.g.operands.extend_from_slice(ids);
        Operands { start, len: ids.len() as u32 }
    }

    fn leaf(&mut self, leaf: Leaf, ty: Type, span: Span) -> NodeId {
        if let Some(id) = self.leaves.get(&leaf) {
            return *id;
        }
        let op = match leaf {
            Leaf::Fact(f) => Op::Fact(f),
            Leaf::AsOf => Op::AsOf,
            Leaf::Param(p) => Op::Param(p),
            Leaf::Const(c) => match self.set.consts.get(c) {
                Some(def) => Op::Const(c, def.value),
                None => {
                    debug_assert!(false, "lowering: constant {c:?} has no definition");
                    Op::Unknown
                }
            },
        };
        let id = self.push(op, ty, span);
        self.leaves.insert(leaf, id);
        id
    }

    fn expr(&mut self, e: &TExpr) -> NodeId {
        let id = self.lower_expr(e);
        // The outermost expression at a span wins (`x not in S` is a `not` around an `in`).
        self.g.spans.insert(e.span, id);
        id
    }

    fn lower_expr(&mut self, e: &TExpr) -> NodeId {
        let op = match &e.kind {
            TExprKind::Lit(v) => Op::Lit(*v),
            TExprKind::Fact(f) => return self.leaf(Leaf::Fact(*f), e.ty, e.span),
            TExprKind::AsOf => return self.leaf(Leaf::AsOf, e.ty, e.span),
            TExprKind::Param(p) => return self.leaf(Leaf::Param(*p), e.ty, e.span),
            TExprKind::Const(c) => return self.leaf(Leaf::Const(*c), e.ty, e.span),
            TExprKind::Let(l) => {
                if let Some(id) = self.lets.get(l) {
                    return *id;
                }
                let Some(def) = self.set.lets.get(l) else {
                    debug_assert!(false, "lowering: let {l:?} has no definition");
                    return self.push(Op::Unknown, e.ty, e.span);
                };
                let body = self.expr(&def.value);
                let id = self.push(Op::Let(*l, body), e.ty, def.span);
                self.lets.insert(*l, id);
                return id;
            }
            TExprKind::Not(x) => Op::Not(self.expr(x)),
            TExprKind::And(xs) | TExprKind::Or(xs) => {
                let ids: Vec<NodeId> = xs.iter().map(|x| self.expr(x)).collect();
                let run = self.operand_run(&ids);
                if matches!(e.kind, TExprKind::And(_)) {
                    Op::And(run)
                } else {
                    Op::Or(run)
                }
            }
            TExprKind::Compare(op, l, r) => Op::Compare(*op, self.expr(l), self.expr(r)),
            TExprKind::InList(el, items) => {
                let el = self.expr(el);
                let ids: Vec<NodeId> = items.iter().map(|x| self.expr(x)).collect();
                Op::InList(el, self.operand_run(&ids))
            }
            TExprKind::InSet(el, s) => Op::InSet(self.expr(el), self.expr(s)),
            TExprKind::InRange { element, low, high, inclusive } => {
                Op::InRange(self.expr(element), self.expr(low), self.expr(high), *inclusive)
            }
            TExprKind::Arith(op, l, r) => Op::Arith(*op, self.expr(l), self.expr(r)),
        };
        self.push(op, e.ty, e.span)
    }
}

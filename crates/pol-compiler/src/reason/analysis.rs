//! What a policy's decision reads, and how each fact's values fall into classes.
//!
//! [`Analysis::new`] runs once per policy. It walks the *decision cone* (the program
//! window and the triggers of the rules that decide a level) and the constraints on the
//! facts it reads, and sorts every condition node by the facts under it:
//!
//! - none: a value fixed on the case's date (`as_of >= 2025-06-06`, a dated parameter);
//! - one fact: a *local* condition, whose value is a function of that fact alone;
//! - several facts: combined by `and`, `or`, `not` and comparisons of truths, which the
//!   diagram computes; any other node over several facts relates facts to each other
//!   (`trip.return > trip.depart + 1 year`), which the exact reasoning does not model
//!   (the analysis records it and the reasoning falls back, see `reason::mod`).
//!
//! [`Analysis::day`] then fixes the case's date: it evaluates what is fixed on that date,
//! cuts each ordered fact's values at the points where its comparisons change (`cuts.rs`),
//! evaluates each fact's local conditions on each candidate value (every bool, every enum
//! word, every combination of the words a set fact is tested for, each string a policy
//! names and "any other", each interval of an ordered fact), and groups values the policy
//! never tells apart into one class. The truth tables of the local conditions over the
//! classes, with the values fixed on the date, determine the diagram: equal tables share
//! one diagram (a *regime*), whatever the date.

use std::collections::HashMap;

use pol_syntax::ast::{CompareOp, RuleKind};

use crate::constraints::CaseConstraints;
use crate::graph::{NodeId, Op, PolicyGraph};
use crate::ir::{ConstraintId, ConstraintKind, FactId, PolicySet};
use crate::plan::{truth, Truth};
use crate::types::Type;
use crate::value::{Day, Symbol, Tri, Value};

use super::cuts::{self, Interval, Step};

/// The policy's graph and the constraints' graph.
pub const POLICY: usize = 0;
pub const CONSTRAINTS: usize = 1;

/// A set fact tested for more words than this is beyond exact reasoning (the classes are
/// the combinations of its tested words).
pub const MAX_SET_WORDS: usize = 12;
/// A fact with more classes than this is beyond exact reasoning.
pub const MAX_CLASSES: usize = 4096;

/// The symbol of a string no policy names (any other string).
pub const OTHER: Symbol = Symbol(u32::MAX);

/// Which facts a node reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sup {
    None,
    One(FactId),
    Many,
}

impl Sup {
    fn join(self, other: Sup) -> Sup {
        match (self, other) {
            (Sup::None, x) | (x, Sup::None) => x,
            (Sup::One(a), Sup::One(b)) if a == b => Sup::One(a),
            _ => Sup::Many,
        }
    }
}

/// A node of one of the two graphs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeRef {
    pub graph: usize,
    pub node: NodeId,
}

/// A local condition of a fact: a node, or a pattern constraint on a string fact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Atom {
    Node(NodeRef),
    Pattern(ConstraintId),
}

/// A comparison of a term of an ordered fact with a value fixed on the date.
#[derive(Clone, Debug)]
pub struct Cmp {
    pub graph: usize,
    pub op: CompareOp,
    /// Arithmetic from the fact outwards: (operator, fact on the left, other operand node,
    /// type of the fact's side, type of the result).
    pub steps: Vec<(crate::ir::ArithOp, bool, NodeId, Type, Type)>,
    pub k: K,
}

/// The fixed side of a comparison.
#[derive(Clone, Copy, Debug)]
pub enum K {
    Node(NodeId),
    Day(Day),
}

/// One fact the reasoning branches on: a level of the diagram.
#[derive(Clone, Debug)]
pub struct Var {
    pub fact: FactId,
    pub ty: Type,
    /// Its local conditions, in a fixed order (the columns of its truth table).
    pub atoms: Vec<Atom>,
    /// The nodes to evaluate, per graph, to read its atoms (ascending, closed under
    /// operands).
    pub eval: [Vec<NodeId>; 2],
    /// Ordered facts: its comparisons.
    pub cmps: Vec<Cmp>,
    /// Set facts: the nodes of the words tested for membership.
    pub words: Vec<NodeRef>,
    /// String facts: the nodes of the strings it is compared with.
    pub strings: Vec<NodeRef>,
    /// String facts: its pattern constraint, if any.
    pub pattern: Option<ConstraintId>,
    /// A pair of date facts related by conditions (`trip.return > trip.depart + 365
    /// days`): `fact` is the first of the two (in declaration order), this the second.
    pub pair: Option<PairVar>,
    /// Whether its classes or truths depend on the date (a comparison with `as_of` or a
    /// dated parameter): the others are computed once.
    pub dated: bool,
}

impl Var {
    pub(crate) fn new(fact: FactId, ty: Type) -> Var {
        Var {
            fact,
            ty,
            atoms: Vec::new(),
            eval: [Vec::new(), Vec::new()],
            cmps: Vec::new(),
            words: Vec::new(),
            strings: Vec::new(),
            pattern: None,
            pair: None,
            dated: false,
        }
    }

    /// The facts of the level: one, or the two of a pair.
    pub fn facts(&self) -> impl Iterator<Item = FactId> + '_ {
        std::iter::once(self.fact).chain(self.pair.as_ref().map(|p| p.other))
    }
}

/// The second fact of a pair level and how the two are related.
#[derive(Clone, Debug)]
pub struct PairVar {
    pub other: FactId,
    /// The comparisons of the second fact alone.
    pub other_cmps: Vec<Cmp>,
    /// Each relation, as a comparison of `d = other - fact` (in days) with a threshold.
    pub forms: Vec<PairForm>,
}

/// A relation between the two facts of a pair, as `d op t` where `d` is the second fact
/// minus the first (in days) and `t = first offset - second offset + sign × k`. Where a
/// term overflows the calendar the relation is unknown; those places are cut points of
/// the facts themselves.
#[derive(Clone, Debug)]
pub struct PairForm {
    pub graph: usize,
    pub op: CompareOp,
    /// The day durations added to the first fact's term (node, +1 or -1), and to the
    /// second's.
    pub first: Vec<(NodeId, i64)>,
    pub second: Vec<(NodeId, i64)>,
    /// The compared count of days, with its sign in `t`.
    pub k: Option<(NodeId, i64)>,
}

/// A term of a relation: its date fact, the day counts added (node, sign), and its
/// arithmetic as a comparison whose cut points are where the term leaves the calendar.
type DayTerm = (FactId, Vec<(NodeId, i64)>, Cmp);

/// A relation found while walking, before its facts are merged into one level.
#[derive(Clone, Debug)]
struct PendingPair {
    first: FactId,
    second: FactId,
    atom: NodeRef,
    form: PairForm,
    /// The arithmetic of each term, for their cut points where they overflow.
    first_cmp: Cmp,
    second_cmp: Cmp,
}

/// How the decision combines the levels' truths.
#[derive(Clone, Debug, Default)]
pub struct Levels {
    /// The program window's node (open while true).
    pub window: Option<NodeId>,
    /// The trigger nodes of the rules of each level that pre-empts `eligible`.
    pub triggers: [Vec<NodeId>; 3],
}

/// The static analysis of one policy.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub vars: Vec<Var>,
    /// The level of each fact, by `FactId`.
    pub level_of: Vec<Option<u32>>,
    pub levels: Levels,
    /// The constraints the reasoning keeps: condition nodes in the constraints' graph, and
    /// pattern constraints (as atoms of their fact).
    pub constraints: Vec<Atom>,
    /// Why exact reasoning does not apply, if it does not.
    pub inexact: Option<String>,
    /// Where, when a place can be named.
    pub inexact_at: Option<pol_syntax::Span>,
    /// Whether anything read depends on `as_of`.
    pub dated: bool,
    /// Per graph: which facts each node reads, and whether it reads `as_of`.
    pub sup: [Vec<Sup>; 2],
    /// Per graph: the nodes whose values (with every fact unknown) the day needs, ascending.
    pub base: [Vec<NodeId>; 2],
    /// The structural constants in the order the key lists them.
    pub fixed: Vec<NodeRef>,
}

fn graph_sup(g: &PolicyGraph) -> (Vec<Sup>, Vec<bool>) {
    let mut sup = Vec::with_capacity(g.nodes.len());
    let mut dated = Vec::with_capacity(g.nodes.len());
    for node in &g.nodes {
        let (s, d) = match node.op {
            Op::Fact(f) => (Sup::One(f), false),
            Op::AsOf | Op::Param(_) => (Sup::None, true),
            _ => g
                .children(&node.op)
                .iter()
                .fold((Sup::None, false), |acc, c| {
                    (
                        acc.0.join(sup.get(c.index()).copied().unwrap_or(Sup::Many)),
                        acc.1 || dated.get(c.index()).copied().unwrap_or(false),
                    )
                }),
        };
        sup.push(s);
        dated.push(d);
    }
    (sup, dated)
}

/// Whether a node combines truths (and so is built by the diagram when it reads several
/// facts) rather than comparing values.
fn structural(g: &PolicyGraph, n: NodeId) -> bool {
    let Some(node) = g.node(n) else { return false };
    match &node.op {
        Op::Not(_) | Op::And(_) | Op::Or(_) | Op::Let(..) => true,
        Op::Compare(CompareOp::Eq | CompareOp::Ne, a, _) | Op::InList(a, _) => {
            g.node(*a).is_some_and(|x| x.ty == Type::Bool)
        }
        _ => false,
    }
}

struct Walk<'a> {
    set: &'a PolicySet,
    graphs: [&'a PolicyGraph; 2],
    sup: [Vec<Sup>; 2],
    dated: [Vec<bool>; 2],
    vars: Vec<Var>,
    level_of: Vec<Option<u32>>,
    atom_seen: HashMap<(usize, NodeId), ()>,
    struct_seen: Vec<Vec<bool>>,
    fixed: Vec<NodeRef>,
    base: [Vec<bool>; 2],
    inexact: Option<String>,
    inexact_at: Option<pol_syntax::Span>,
    dated_any: bool,
    pairs: Vec<PendingPair>,
}

impl Walk<'_> {
    fn fail(&mut self, why: String, at: Option<pol_syntax::Span>) {
        if self.inexact.is_none() {
            self.inexact = Some(why);
            self.inexact_at = at;
        }
    }

    fn span(&self, gx: usize, n: NodeId) -> Option<pol_syntax::Span> {
        self.graphs.get(gx)?.node(n).map(|node| node.span)
    }

    fn sup(&self, gx: usize, n: NodeId) -> Sup {
        self.sup
            .get(gx)
            .and_then(|s| s.get(n.index()))
            .copied()
            .unwrap_or(Sup::Many)
    }

    fn var(&mut self, f: FactId) -> usize {
        if let Some(Some(l)) = self.level_of.get(f.index()) {
            return *l as usize;
        }
        let ty = self.set.fact(f).map_or(Type::Bool, |d| d.ty);
        let l = self.vars.len();
        self.vars.push(Var::new(f, ty));
        if let Some(slot) = self.level_of.get_mut(f.index()) {
            *slot = Some(l as u32);
        }
        l
    }

    /// Visits a condition the diagram must compute, in the order facts are first met.
    fn condition(&mut self, gx: usize, root: NodeId) {
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            let Some(g) = self.graphs.get(gx).copied() else {
                return;
            };
            if let Some(d) = self.dated.get(gx).and_then(|d| d.get(n.index())) {
                self.dated_any |= *d;
            }
            match self.sup(gx, n) {
                Sup::None => {
                    self.mark_base_deep(gx, n);
                    let key = NodeRef { graph: gx, node: n };
                    if !self.fixed.contains(&key) {
                        self.fixed.push(key);
                    }
                }
                Sup::One(f) => self.atom(gx, n, f),
                Sup::Many => {
                    let seen = self
                        .struct_seen
                        .get_mut(gx)
                        .and_then(|s| s.get_mut(n.index()));
                    match seen {
                        Some(s) if !*s => *s = true,
                        _ => continue,
                    }
                    if !structural(g, n) {
                        match self.pair_atom(gx, n) {
                            Ok(p) => {
                                self.var(p.first);
                                self.var(p.second);
                                self.mark_under(gx, n);
                                self.pairs.push(p);
                            }
                            Err(why) => {
                                let at = self.span(gx, n);
                                self.fail(why, at)
                            }
                        }
                        continue;
                    }
                    let Some(node) = g.node(n) else { continue };
                    // Children in reverse so the first operand's facts are met first.
                    let mut kids = g.children(&node.op);
                    kids.reverse();
                    stack.extend(kids);
                }
            }
        }
    }

    /// Marks the fixed nodes under a node for evaluation on each date.
    fn mark_under(&mut self, gx: usize, n: NodeId) {
        let Some(g) = self.graphs.get(gx).copied() else {
            return;
        };
        let mut seen = vec![false; g.nodes.len()];
        let mut stack = vec![n];
        while let Some(m) = stack.pop() {
            match seen.get_mut(m.index()) {
                Some(s) if !*s => *s = true,
                _ => continue,
            }
            if let Some(d) = self.dated.get(gx).and_then(|d| d.get(m.index())) {
                self.dated_any |= *d;
            }
            if self.sup(gx, m) == Sup::None {
                self.mark_base_deep(gx, m);
                continue;
            }
            if let Some(node) = g.node(m) {
                stack.extend(g.children(&node.op));
            }
        }
    }

    /// A relation between two date facts that the reasoning models exactly: a comparison
    /// of two terms `fact ± days`, or of the days between two such terms with a number of
    /// days fixed on the date.
    fn pair_atom(&self, gx: usize, n: NodeId) -> Result<PendingPair, String> {
        let g = self.graphs.get(gx).copied().ok_or("no graph")?;
        let node = g.node(n).ok_or("no node")?;
        let unsupported = || {
            "a condition relates facts to each other in a way the reasoning does not model"
                .to_string()
        };
        // A term: one date fact, plus or minus fixed day counts.
        let term = |m: NodeId| -> Option<DayTerm> {
            let Sup::One(f) = self.sup(gx, m) else {
                return None;
            };
            if self.set.fact(f).map(|d| d.ty) != Some(Type::Date) {
                return None;
            }
            let steps = self.term(gx, m, f).ok()?;
            let mut offsets = Vec::new();
            for (op, left, other, _, _) in &steps {
                let sign = match (op, left) {
                    (crate::ir::ArithOp::DatePlus, true) => 1,
                    (crate::ir::ArithOp::DateMinus, true) => -1,
                    _ => return None,
                };
                if g.node(*other).map(|o| o.ty) != Some(Type::Duration(pol_syntax::ast::Unit::Days))
                {
                    return None;
                }
                offsets.push((*other, sign));
            }
            // The term's own cut points: where it leaves the calendar.
            let cmp = Cmp {
                graph: gx,
                op: CompareOp::Ge,
                steps,
                k: K::Day(Day(i32::MIN)),
            };
            Some((f, offsets, cmp))
        };
        let (op, a, b, k) = match &node.op {
            Op::Compare(op, l, r) if g.node(*l).map(|x| x.ty) == Some(Type::Date) => {
                (*op, *l, *r, None)
            }
            Op::Compare(op, l, r) => {
                // `days between` compared with a fixed count (on either side).
                let (op, between, k) = if self.sup(gx, *r) == Sup::None {
                    (*op, *l, *r)
                } else if self.sup(gx, *l) == Sup::None {
                    (flip(*op), *r, *l)
                } else {
                    return Err(unsupported());
                };
                let mut b = between;
                while let Some(Op::Let(_, body)) = g.node(b).map(|x| &x.op) {
                    b = *body;
                }
                match g.node(b).map(|x| &x.op) {
                    Some(Op::Arith(crate::ir::ArithOp::DaysBetween, x, y)) => (op, *x, *y, Some(k)),
                    _ => return Err(unsupported()),
                }
            }
            _ => return Err(unsupported()),
        };
        let ((fa, oa, ca), (fb, ob, cb)) = match (term(a), term(b)) {
            (Some(x), Some(y)) if x.0 != y.0 => (x, y),
            _ => return Err(unsupported()),
        };
        // As `d op t` with d = second - first, first the earlier declared fact. With A the
        // left term and B the right: `A op B` is `B - A flip(op) 0`; `A - B op k` is
        // `B - A flip(op) -k`.
        let (first, second, a_first) = if fa < fb {
            (fa, fb, true)
        } else {
            (fb, fa, false)
        };
        // In terms of d = B - A (a_first) or d = A - B (otherwise):
        let op_d = if a_first { flip(op) } else { op };
        let form = PairForm {
            graph: gx,
            op: op_d,
            first: if a_first { oa.clone() } else { ob.clone() },
            second: if a_first { ob.clone() } else { oa.clone() },
            k: k.map(|k| (k, if a_first { -1 } else { 1 })),
        };
        let (first_cmp, second_cmp) = if a_first { (ca, cb) } else { (cb, ca) };
        Ok(PendingPair {
            first,
            second,
            atom: NodeRef { graph: gx, node: n },
            form,
            first_cmp,
            second_cmp,
        })
    }

    /// Merges the two facts of each relation into one level, in the order their first
    /// fact was met.
    fn merge_pairs(&mut self) {
        if self.pairs.is_empty() {
            return;
        }
        let mut partner: HashMap<FactId, FactId> = HashMap::new();
        let mut clash: Option<(FactId, NodeRef)> = None;
        for p in &self.pairs {
            for (x, y) in [(p.first, p.second), (p.second, p.first)] {
                match partner.get(&x) {
                    Some(z) if *z != y => clash = clash.or(Some((x, p.atom))),
                    _ => {
                        partner.insert(x, y);
                    }
                }
            }
        }
        if let Some((x, atom)) = clash {
            let name = self
                .set
                .fact(x)
                .map_or("?", |d| d.path.as_str())
                .to_string();
            let at = self.span(atom.graph, atom.node);
            self.fail(
                format!(
                    "`{name}` is related to two other facts; the reasoning models relations between two facts"
                ),
                at,
            );
            return;
        }
        let old = std::mem::take(&mut self.vars);
        let mut merged: Vec<Var> = Vec::with_capacity(old.len());
        let mut placed: HashMap<FactId, usize> = HashMap::new();
        let by_fact: HashMap<FactId, &Var> = old.iter().map(|v| (v.fact, v)).collect();
        for v in &old {
            if placed.contains_key(&v.fact) {
                continue;
            }
            let Some(other) = partner.get(&v.fact).copied() else {
                placed.insert(v.fact, merged.len());
                merged.push(v.clone());
                continue;
            };
            let (first, second) = if v.fact < other {
                (v.fact, other)
            } else {
                (other, v.fact)
            };
            let (Some(a), Some(b)) = (by_fact.get(&first), by_fact.get(&second)) else {
                continue;
            };
            let mut var = (*a).clone();
            for atom in &b.atoms {
                if !var.atoms.contains(atom) {
                    var.atoms.push(*atom);
                }
            }
            for (mine, theirs) in var.eval.iter_mut().zip(&b.eval) {
                mine.extend(theirs.iter().copied());
            }
            let mut pair = PairVar {
                other: second,
                other_cmps: b.cmps.clone(),
                forms: Vec::new(),
            };
            for p in self
                .pairs
                .iter()
                .filter(|p| p.first == first && p.second == second)
            {
                let atom = Atom::Node(p.atom);
                if !var.atoms.contains(&atom) {
                    var.atoms.push(atom);
                }
                if let (Some(g), Some(eval)) = (
                    self.graphs.get(p.atom.graph),
                    var.eval.get_mut(p.atom.graph),
                ) {
                    let mut seen = vec![false; g.nodes.len()];
                    let mut stack = vec![p.atom.node];
                    while let Some(m) = stack.pop() {
                        match seen.get_mut(m.index()) {
                            Some(s) if !*s => *s = true,
                            _ => continue,
                        }
                        eval.push(m);
                        if let Some(node) = g.node(m) {
                            stack.extend(g.children(&node.op));
                        }
                    }
                }
                var.cmps.push(p.first_cmp.clone());
                pair.other_cmps.push(p.second_cmp.clone());
                pair.forms.push(p.form.clone());
            }
            for eval in var.eval.iter_mut() {
                eval.sort_unstable();
                eval.dedup();
            }
            var.pair = Some(pair);
            placed.insert(first, merged.len());
            placed.insert(second, merged.len());
            merged.push(var);
        }
        for slot in self.level_of.iter_mut() {
            *slot = None;
        }
        for (f, l) in placed {
            if let Some(slot) = self.level_of.get_mut(f.index()) {
                *slot = Some(l as u32);
            }
        }
        self.vars = merged;
    }

    /// Marks a node fixed on the date and everything under it for evaluation.
    fn mark_base_deep(&mut self, gx: usize, n: NodeId) {
        let Some(g) = self.graphs.get(gx).copied() else {
            return;
        };
        let mut stack = vec![n];
        while let Some(m) = stack.pop() {
            let marked = self
                .base
                .get(gx)
                .and_then(|b| b.get(m.index()))
                .copied()
                .unwrap_or(true);
            if marked {
                continue;
            }
            self.mark_base(gx, m);
            if let Some(node) = g.node(m) {
                stack.extend(g.children(&node.op));
            }
        }
    }

    fn mark_base(&mut self, gx: usize, n: NodeId) {
        if let Some(b) = self.base.get_mut(gx).and_then(|b| b.get_mut(n.index())) {
            *b = true;
        }
    }

    /// Records a local condition of fact `f` and what it needs.
    fn atom(&mut self, gx: usize, n: NodeId, f: FactId) {
        if self.atom_seen.insert((gx, n), ()).is_some() {
            return;
        }
        let l = self.var(f);
        let Some(g) = self.graphs.get(gx).copied() else {
            return;
        };
        // The sub-DAG under the atom.
        let mut seen = vec![false; g.nodes.len()];
        let mut stack = vec![n];
        let mut under = Vec::new();
        while let Some(m) = stack.pop() {
            match seen.get_mut(m.index()) {
                Some(s) if !*s => *s = true,
                _ => continue,
            }
            under.push(m);
            if let Some(node) = g.node(m) {
                stack.extend(g.children(&node.op));
            }
        }
        under.sort_unstable();
        let ty = self.set.fact(f).map_or(Type::Bool, |d| d.ty);
        let mut cmps = Vec::new();
        let mut words = Vec::new();
        let mut strings = Vec::new();
        for m in &under {
            if let Some(d) = self.dated.get(gx).and_then(|d| d.get(m.index())) {
                self.dated_any |= *d;
            }
            if self.sup(gx, *m) == Sup::None {
                self.mark_base(gx, *m);
                continue;
            }
            let Some(node) = g.node(*m) else { continue };
            let operand_ordered = match &node.op {
                Op::Compare(_, a, _) | Op::InList(a, _) => {
                    g.node(*a).is_some_and(|x| x.ty.is_ordered())
                }
                Op::InRange(..) | Op::Window { .. } => true,
                _ => false,
            };
            match &node.op {
                Op::Compare(..) | Op::InList(..) | Op::InRange(..) | Op::Window { .. }
                    if ty.is_ordered() && operand_ordered =>
                {
                    match self.comparisons(gx, *m, f) {
                        Ok(mut c) => cmps.append(&mut c),
                        Err(why) => {
                            let at = self.span(gx, *m);
                            self.fail(why, at)
                        }
                    }
                }
                Op::InSet(w, _) if matches!(ty, Type::Set(_)) => words.push(NodeRef {
                    graph: gx,
                    node: *w,
                }),
                Op::Compare(_, a, b) if ty == Type::Str => {
                    for side in [a, b] {
                        if self.sup(gx, *side) == Sup::None {
                            strings.push(NodeRef {
                                graph: gx,
                                node: *side,
                            });
                        }
                    }
                }
                Op::InList(_, items) if ty == Type::Str => {
                    for item in g.operands(*items) {
                        if self.sup(gx, *item) == Sup::None {
                            strings.push(NodeRef {
                                graph: gx,
                                node: *item,
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        let Some(var) = self.vars.get_mut(l) else {
            return;
        };
        var.atoms.push(Atom::Node(NodeRef { graph: gx, node: n }));
        var.cmps.append(&mut cmps);
        var.words.append(&mut words);
        var.strings.append(&mut strings);
        if let Some(eval) = var.eval.get_mut(gx) {
            eval.extend(under);
            eval.sort_unstable();
            eval.dedup();
        }
    }

    /// The comparisons a comparison-like node of ordered fact `f` makes.
    fn comparisons(&self, gx: usize, n: NodeId, f: FactId) -> Result<Vec<Cmp>, String> {
        let Some(g) = self.graphs.get(gx).copied() else {
            return Ok(Vec::new());
        };
        let Some(node) = g.node(n) else {
            return Ok(Vec::new());
        };
        let one = |m: NodeId| self.sup(gx, m) == Sup::One(f);
        let none = |m: NodeId| self.sup(gx, m) == Sup::None;
        let self_relation = || {
            format!(
                "a comparison reads `{}` on both sides",
                self.set.fact(f).map_or("?", |d| d.path.as_str())
            )
        };
        let mut out = Vec::new();
        let mut pair = |op: CompareOp, term: NodeId, k: K| -> Result<(), String> {
            let steps = self.term(gx, term, f)?;
            out.push(Cmp {
                graph: gx,
                op,
                steps,
                k,
            });
            Ok(())
        };
        match &node.op {
            Op::Compare(op, a, b) => {
                if one(*a) && none(*b) {
                    pair(*op, *a, K::Node(*b))?;
                } else if one(*b) && none(*a) {
                    pair(flip(*op), *b, K::Node(*a))?;
                } else {
                    return Err(self_relation());
                }
            }
            Op::InRange(e, lo, hi, inclusive) => {
                let high = if *inclusive {
                    CompareOp::Le
                } else {
                    CompareOp::Lt
                };
                if one(*e) && none(*lo) && none(*hi) {
                    pair(CompareOp::Ge, *e, K::Node(*lo))?;
                    pair(high, *e, K::Node(*hi))?;
                } else if none(*e) && !(one(*lo) && one(*hi)) {
                    if one(*lo) {
                        pair(CompareOp::Le, *lo, K::Node(*e))?;
                    }
                    if one(*hi) {
                        pair(flip(high), *hi, K::Node(*e))?;
                    }
                } else {
                    return Err(self_relation());
                }
            }
            Op::InList(e, items) => {
                for item in g.operands(*items) {
                    if one(*e) && none(*item) {
                        pair(CompareOp::Eq, *e, K::Node(*item))?;
                    } else if none(*e) && one(*item) {
                        pair(CompareOp::Eq, *item, K::Node(*e))?;
                    } else if one(*e) && one(*item) {
                        return Err(self_relation());
                    }
                }
            }
            Op::Window {
                opened, closed, at, ..
            } => {
                if let Some(o) = opened {
                    pair(CompareOp::Ge, *at, K::Day(*o))?;
                }
                if let Some(c) = closed {
                    pair(CompareOp::Lt, *at, K::Day(*c))?;
                }
            }
            _ => {}
        }
        Ok(out)
    }

    /// The arithmetic from fact `f` up to `n`, innermost first.
    #[allow(clippy::type_complexity)]
    fn term(
        &self,
        gx: usize,
        mut n: NodeId,
        f: FactId,
    ) -> Result<Vec<(crate::ir::ArithOp, bool, NodeId, Type, Type)>, String> {
        let Some(g) = self.graphs.get(gx).copied() else {
            return Ok(Vec::new());
        };
        let mut steps = Vec::new();
        // Bounded by the graph's size: each step goes to an operand, earlier in the graph.
        for _ in 0..=g.nodes.len() {
            let Some(node) = g.node(n) else { break };
            match &node.op {
                Op::Fact(x) if *x == f => {
                    steps.reverse();
                    return Ok(steps);
                }
                Op::Let(_, b) => n = *b,
                Op::Arith(op, a, b) => {
                    let ty = node.ty;
                    let (fact_side, other, left) =
                        if self.sup(gx, *a) == Sup::One(f) && self.sup(gx, *b) == Sup::None {
                            (*a, *b, true)
                        } else if self.sup(gx, *b) == Sup::One(f) && self.sup(gx, *a) == Sup::None {
                            (*b, *a, false)
                        } else {
                            break;
                        };
                    let input = g.node(fact_side).map_or(ty, |x| x.ty);
                    steps.push((*op, left, other, input, ty));
                    n = fact_side;
                }
                _ => break,
            }
        }
        Err(format!(
            "a comparison computes with `{}` in a way the reasoning does not follow",
            self.set.fact(f).map_or("?", |d| d.path.as_str())
        ))
    }
}

fn flip(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Lt => CompareOp::Gt,
        CompareOp::Le => CompareOp::Ge,
        CompareOp::Gt => CompareOp::Lt,
        CompareOp::Ge => CompareOp::Le,
        other => other,
    }
}

impl Analysis {
    /// Analyses policy graph `g` with the constraints of its policy set.
    pub fn new(set: &PolicySet, g: &PolicyGraph, constraints: &CaseConstraints) -> Analysis {
        let cg = &constraints.graph;
        let (sp, dp) = graph_sup(g);
        let (sc, dc) = graph_sup(cg);
        let mut w = Walk {
            set,
            graphs: [g, cg],
            sup: [sp, sc],
            dated: [dp, dc],
            vars: Vec::new(),
            level_of: vec![None; set.facts.len()],
            atom_seen: HashMap::new(),
            struct_seen: vec![vec![false; g.nodes.len()], vec![false; cg.nodes.len()]],
            fixed: Vec::new(),
            base: [vec![false; g.nodes.len()], vec![false; cg.nodes.len()]],
            inexact: None,
            inexact_at: None,
            dated_any: false,
            pairs: Vec::new(),
        };
        let mut levels = Levels {
            window: g.window,
            ..Levels::default()
        };
        if let Some(win) = g.window {
            w.condition(POLICY, win);
        }
        for r in &g.rules {
            let level = match r.kind {
                RuleKind::Unavailable => 0,
                RuleKind::Require | RuleKind::Exclude => 1,
                RuleKind::NotRequired => 2,
                RuleKind::Warn => continue,
            };
            if let Some(l) = levels.triggers.get_mut(level) {
                l.push(r.trigger);
            }
            w.condition(POLICY, r.trigger);
        }
        // The constraints on the facts read, and on the facts they bring in, until no new
        // fact comes in.
        let mut kept: Vec<Atom> = Vec::new();
        let reads: Vec<(Atom, Vec<FactId>)> = constraints
            .conditions
            .iter()
            .map(|(_, node)| {
                (
                    Atom::Node(NodeRef {
                        graph: CONSTRAINTS,
                        node: *node,
                    }),
                    cg.reads_under(*node).0,
                )
            })
            .chain(
                constraints
                    .patterns
                    .iter()
                    .map(|(id, f)| (Atom::Pattern(*id), vec![*f])),
            )
            .collect();
        loop {
            let before = kept.len();
            for (atom, facts) in &reads {
                if kept.contains(atom) || facts.is_empty() {
                    continue;
                }
                let touches = facts
                    .iter()
                    .any(|f| w.level_of.get(f.index()).copied().flatten().is_some());
                if !touches {
                    continue;
                }
                kept.push(*atom);
                match atom {
                    Atom::Node(r) => w.condition(r.graph, r.node),
                    Atom::Pattern(id) => {
                        if let Some(f) = facts.first() {
                            let l = w.var(*f);
                            if let Some(v) = w.vars.get_mut(l) {
                                v.pattern = Some(*id);
                                v.atoms.push(Atom::Pattern(*id));
                            }
                        }
                    }
                }
            }
            if kept.len() == before {
                break;
            }
        }
        w.merge_pairs();
        for var in w.vars.iter_mut() {
            var.dated = var.eval.iter().zip(&w.dated).any(|(nodes, dated)| {
                nodes
                    .iter()
                    .any(|n| dated.get(n.index()).copied().unwrap_or(false))
            });
        }
        let Walk {
            vars,
            level_of,
            sup,
            fixed,
            base,
            inexact,
            inexact_at,
            dated_any,
            ..
        } = w;
        let base = base.map(|b| {
            b.iter()
                .enumerate()
                .filter(|(_, on)| **on)
                .map(|(i, _)| NodeId(i as u32))
                .collect()
        });
        Analysis {
            vars,
            level_of,
            levels,
            constraints: kept,
            inexact,
            inexact_at,
            dated: dated_any,
            sup,
            base,
            fixed,
        }
    }

    /// The level of a fact, if the decision reads it.
    pub fn level(&self, f: FactId) -> Option<u32> {
        self.level_of.get(f.index()).copied().flatten()
    }
}

/// How one fact's values fall into classes on one date.
#[derive(Clone, Debug)]
pub struct Partition {
    pub kind: PartKind,
    /// How many classes.
    pub classes: u32,
    /// The candidate values (in the order they were tried), with the class of each: the
    /// classes are unions of candidates.
    pub candidates: Vec<Candidate>,
    /// The class of each candidate.
    pub class_of: Vec<u16>,
}

/// One candidate value of a fact: a value to evaluate, and what it stands for.
#[derive(Clone, Debug, PartialEq)]
pub enum Candidate {
    /// Exactly this value (a bool, an enum word, a set of tested words, a named string).
    Value(Value),
    /// Any string the policies do not name; `fits` whether it fits the fact's pattern (when
    /// it has one).
    OtherString { fits: Option<bool> },
    /// The ordinals of an interval (days, integers or durations).
    Range(Interval),
    /// A cell of a pair of related dates: the first in one interval, the second in another,
    /// and their difference (second − first, in days) in a third; `at` is one point of it.
    Pair {
        first: Interval,
        second: Interval,
        difference: Interval,
        at: (i64, i64),
    },
}

/// How a known value finds its candidate.
#[derive(Clone, Debug)]
pub enum PartKind {
    Bool,
    /// Candidate `i` is word `i`.
    Words,
    /// Candidate `i` is the set holding tested word `words[j]` when bit `j` of `i` is set.
    Sets {
        words: Vec<u16>,
    },
    /// Named strings first, then the others (fitting, then not fitting the pattern).
    Strings {
        named: Vec<Symbol>,
        other_fits: Option<usize>,
        other_unfit: Option<usize>,
    },
    /// Candidate `i` is the interval from `starts[i]` to the next start.
    Ordered {
        starts: Vec<i64>,
    },
    /// A pair of dates: the intervals of each and of their difference, and the candidate
    /// of each feasible cell (first interval, second interval, difference interval).
    Pair {
        first: Vec<i64>,
        second: Vec<i64>,
        difference: Vec<i64>,
        cells: HashMap<(u32, u32, u32), u32>,
    },
}

/// The interval that `starts` puts `v` in, as an index.
pub fn interval_of(starts: &[i64], v: i64) -> Option<usize> {
    starts.partition_point(|s| *s <= v).checked_sub(1)
}

/// The interval `i` of `starts`, up to `hi`.
pub fn interval(starts: &[i64], i: usize, hi: i64) -> Option<Interval> {
    let lo = *starts.get(i)?;
    let hi = starts.get(i + 1).map_or(hi, |n| n.saturating_sub(1));
    Some(Interval { lo, hi })
}

/// The days a pair's difference can span.
pub fn difference_domain() -> Interval {
    let dom = fact_domain(Type::Date);
    Interval {
        lo: dom.lo - dom.hi,
        hi: dom.hi - dom.lo,
    }
}

impl Partition {
    /// Bytes that tell this partition apart from another of the same fact: where its
    /// candidates lie and which class each is in.
    pub fn signature(&self, out: &mut Vec<u8>) {
        let starts = |out: &mut Vec<u8>, v: &[i64]| {
            out.extend_from_slice(&(v.len() as u64).to_le_bytes());
            for x in v {
                out.extend_from_slice(&x.to_le_bytes());
            }
        };
        match &self.kind {
            PartKind::Bool | PartKind::Words => {}
            PartKind::Sets { words } => {
                for w in words {
                    out.extend_from_slice(&w.to_le_bytes());
                }
            }
            PartKind::Strings {
                named,
                other_fits,
                other_unfit,
            } => {
                for n in named {
                    out.extend_from_slice(&n.0.to_le_bytes());
                }
                out.push(u8::from(other_fits.is_some()));
                out.push(u8::from(other_unfit.is_some()));
            }
            PartKind::Ordered { starts: s } => starts(out, s),
            PartKind::Pair {
                first,
                second,
                difference,
                ..
            } => {
                starts(out, first);
                starts(out, second);
                starts(out, difference);
            }
        }
        for c in &self.class_of {
            out.extend_from_slice(&c.to_le_bytes());
        }
    }

    /// The candidate a known value falls in.
    pub fn candidate(
        &self,
        v: Value,
        text: Option<&str>,
        pattern: Option<&crate::pattern::Pattern>,
    ) -> Option<usize> {
        match (&self.kind, v) {
            (PartKind::Bool, Value::Bool(b)) => Some(usize::from(b)),
            (PartKind::Words, Value::Word(w)) => Some(w as usize),
            (PartKind::Sets { words }, Value::Words(bits)) => {
                let mut i = 0usize;
                for (j, w) in words.iter().enumerate() {
                    if *w < 64 && bits & (1u64 << w) != 0 {
                        i |= 1 << j;
                    }
                }
                Some(i)
            }
            (
                PartKind::Strings {
                    named,
                    other_fits,
                    other_unfit,
                },
                Value::Str(s),
            ) => match named.iter().position(|n| *n == s) {
                Some(i) => Some(i),
                None => {
                    let fits = match (pattern, text) {
                        (Some(p), Some(t)) => p.matches(t),
                        _ => true,
                    };
                    if fits {
                        other_fits.or(*other_unfit)
                    } else {
                        other_unfit.or(*other_fits)
                    }
                }
            },
            (PartKind::Ordered { starts }, v) => {
                let o = v.ordinal()?;
                let i = starts.partition_point(|s| *s <= o);
                i.checked_sub(1)
            }
            _ => None,
        }
    }

    /// The class a known value falls in.
    pub fn class(
        &self,
        v: Value,
        text: Option<&str>,
        pattern: Option<&crate::pattern::Pattern>,
    ) -> Option<u32> {
        let c = self.candidate(v, text, pattern)?;
        self.class_of.get(c).map(|c| u32::from(*c))
    }

    /// For a pair of related dates: the classes its cells allow, given the dates known
    /// (`None`: unknown).
    pub fn pair_allowed(&self, first: Option<i64>, second: Option<i64>) -> super::query::Allowed {
        use super::query::{set, Allowed};
        let PartKind::Pair {
            first: xs,
            second: ys,
            difference: ds,
            cells,
        } = &self.kind
        else {
            return Allowed::Free;
        };
        let dom = fact_domain(Type::Date);
        let span = difference_domain();
        let class = |i: usize, j: usize, m: usize| -> Option<u32> {
            let c = cells.get(&(i as u32, j as u32, m as u32))?;
            self.class_of.get(*c as usize).map(|c| u32::from(*c))
        };
        let mut bits = Vec::new();
        match (first, second) {
            (None, None) => return Allowed::Free,
            (Some(x), Some(y)) => {
                let found = (|| {
                    class(
                        interval_of(xs, x)?,
                        interval_of(ys, y)?,
                        interval_of(ds, y.checked_sub(x)?)?,
                    )
                })();
                return match found {
                    Some(c) => Allowed::One(c),
                    // A point outside every cell cannot be (the cells cover every pair).
                    None => Allowed::Some(Vec::new()),
                };
            }
            (Some(x), None) => {
                let Some(i) = interval_of(xs, x) else {
                    return Allowed::Some(Vec::new());
                };
                for j in 0..ys.len() {
                    let Some(y) = interval(ys, j, dom.hi) else {
                        continue;
                    };
                    let reach = Interval {
                        lo: y.lo - x,
                        hi: y.hi - x,
                    };
                    for m in 0..ds.len() {
                        let feasible =
                            interval(ds, m, span.hi).is_some_and(|d| !d.meet(reach).is_empty());
                        if let (true, Some(c)) = (feasible, class(i, j, m)) {
                            set(&mut bits, c);
                        }
                    }
                }
            }
            (None, Some(y)) => {
                let Some(j) = interval_of(ys, y) else {
                    return Allowed::Some(Vec::new());
                };
                for i in 0..xs.len() {
                    let Some(x) = interval(xs, i, dom.hi) else {
                        continue;
                    };
                    let reach = Interval {
                        lo: y - x.hi,
                        hi: y - x.lo,
                    };
                    for m in 0..ds.len() {
                        let feasible =
                            interval(ds, m, span.hi).is_some_and(|d| !d.meet(reach).is_empty());
                        if let (true, Some(c)) = (feasible, class(i, j, m)) {
                            set(&mut bits, c);
                        }
                    }
                }
            }
        }
        Allowed::Some(bits)
    }

    /// For an unknown date of a pair (`member` 0: the first, 1: the second): its values cut
    /// where what the pair allows changes, given the other date (`None`: unknown), and
    /// grouped by what they allow. Each group: its intervals and the classes it allows.
    pub fn pair_queries(
        &self,
        member: usize,
        other: Option<i64>,
    ) -> Vec<(Vec<Interval>, Vec<u64>)> {
        use super::query::Allowed;
        let PartKind::Pair {
            first: xs,
            second: ys,
            difference: ds,
            ..
        } = &self.kind
        else {
            return Vec::new();
        };
        let dom = fact_domain(Type::Date);
        let span = difference_domain();
        let (own, theirs) = if member == 0 { (xs, ys) } else { (ys, xs) };
        let mut points: Vec<i64> = own.clone();
        let diffs: Vec<Interval> = (0..ds.len())
            .filter_map(|m| interval(ds, m, span.hi))
            .collect();
        let others: Vec<Interval> = match other {
            Some(w) => vec![Interval { lo: w, hi: w }],
            None => (0..theirs.len())
                .filter_map(|j| interval(theirs, j, dom.hi))
                .collect(),
        };
        // Where a value starts or stops reaching a cell: the other's bounds moved by the
        // difference's bounds.
        for o in &others {
            for d in &diffs {
                let (a, b) = if member == 0 {
                    (
                        o.lo.saturating_sub(d.hi),
                        o.hi.saturating_sub(d.lo).saturating_add(1),
                    )
                } else {
                    (
                        o.lo.saturating_add(d.lo),
                        o.hi.saturating_add(d.hi).saturating_add(1),
                    )
                };
                points.extend([a, b]);
            }
        }
        points.retain(|p| *p >= dom.lo && *p <= dom.hi);
        points.push(dom.lo);
        points.sort_unstable();
        points.dedup();
        let mut groups: Vec<(Vec<Interval>, Vec<u64>)> = Vec::new();
        for i in 0..points.len() {
            let Some(r) = interval(&points, i, dom.hi) else {
                continue;
            };
            let allowed = if member == 0 {
                self.pair_allowed(Some(r.lo), other)
            } else {
                self.pair_allowed(other, Some(r.lo))
            };
            let bits = match allowed {
                Allowed::Some(b) => b,
                Allowed::One(c) => {
                    let mut b = Vec::new();
                    super::query::set(&mut b, c);
                    b
                }
                Allowed::Free => continue,
            };
            let mut trimmed = bits;
            while trimmed.last() == Some(&0) {
                trimmed.pop();
            }
            match groups.iter_mut().find(|(_, b)| *b == trimmed) {
                Some((rs, _)) => rs.push(r),
                None => groups.push((vec![r], trimmed)),
            }
        }
        groups
    }

    /// The candidates of a class.
    pub fn members(&self, class: u32) -> impl Iterator<Item = &Candidate> + '_ {
        self.candidates
            .iter()
            .zip(&self.class_of)
            .filter(move |(_, c)| u32::from(**c) == class)
            .map(|(v, _)| v)
    }
}

/// What one date fixes for a policy: the classes of each fact and the truth tables that
/// determine the diagram.
#[derive(Clone, Debug)]
pub struct Day0 {
    /// Shared between dates where the fact's classes do not depend on the date.
    pub parts: Vec<std::sync::Arc<Partition>>,
    /// Per level, per atom: the truth in each class.
    pub tables: Vec<std::sync::Arc<Vec<Vec<Truth>>>>,
    /// The truth of each structural constant, as [`Analysis::fixed`].
    pub fixed: Vec<Truth>,
    /// Everything the diagram depends on, as bytes: equal keys share a diagram.
    pub key: Vec<u8>,
}

/// The value a candidate is evaluated with.
pub fn representative(c: &Candidate, ty: Type) -> Option<Value> {
    match c {
        Candidate::Value(v) => Some(*v),
        Candidate::OtherString { .. } => Some(Value::Str(OTHER)),
        Candidate::Range(r) => cuts::value_of(ty, r.lo),
        Candidate::Pair { at, .. } => cuts::value_of(ty, at.0),
    }
}

/// The ordinals a fact of `ty` can hold in a case: every integer or duration, and the
/// dates a case can write (years 0000 to 9999).
pub fn fact_domain(ty: Type) -> Interval {
    match ty {
        Type::Date => {
            let day = |y, m, d| {
                pol_syntax::date::Date::new(y, m, d)
                    .map(|d| i64::from(Day::from_date(d).0))
                    .unwrap_or(0)
            };
            Interval {
                lo: day(0, 1, 1),
                hi: day(9999, 12, 31),
            }
        }
        _ => cuts::domain(ty),
    }
}

impl Analysis {
    /// Fixes the date: classes, tables and key. `None` when a fact has too many classes for
    /// exact reasoning on this date.
    pub fn day(
        &self,
        set: &PolicySet,
        graphs: [&PolicyGraph; 2],
        as_of: Day,
        stable: &[Option<Stable>],
    ) -> Result<Day0, String> {
        let base = self.base_values(set, graphs, as_of);
        let fixed_value = |gx: usize, n: NodeId| -> Tri {
            base.get(gx)
                .and_then(|b| b.get(n.index()))
                .copied()
                .flatten()
        };
        let mut parts = Vec::with_capacity(self.vars.len());
        let mut tables = Vec::with_capacity(self.vars.len());
        for (level, var) in self.vars.iter().enumerate() {
            if let Some(Some((part, table))) = stable.get(level) {
                parts.push(part.clone());
                tables.push(table.clone());
                continue;
            }
            let (kind, candidates) = self.candidates(set, var, &fixed_value)?;
            let rows = self.rows(set, graphs, as_of, var, &candidates, &base);
            let (class_of, table, classes) = group(&rows, var.atoms.len());
            if classes > MAX_CLASSES {
                return Err(format!(
                    "`{}` has more than {MAX_CLASSES} classes of values",
                    set.fact(var.fact).map_or("?", |d| d.path.as_str())
                ));
            }
            parts.push(std::sync::Arc::new(Partition {
                kind,
                classes: classes as u32,
                candidates,
                class_of,
            }));
            tables.push(std::sync::Arc::new(table));
        }
        let fixed = self.fixed_truths(&base);
        let key = key(&parts, &tables, &fixed);
        Ok(Day0 {
            parts,
            tables,
            fixed,
            key,
        })
    }

    /// The classes and tables of the facts that do not depend on the date, from one day:
    /// every later day reuses them.
    pub fn stable(&self, day: &Day0) -> Vec<Option<Stable>> {
        self.vars
            .iter()
            .zip(day.parts.iter().zip(&day.tables))
            .map(|(var, (p, t))| (!var.dated).then(|| (p.clone(), t.clone())))
            .collect()
    }

    /// The values fixed on the date: every node the day needs, with every fact unknown.
    pub fn base_values(
        &self,
        set: &PolicySet,
        graphs: [&PolicyGraph; 2],
        as_of: Day,
    ) -> [Vec<Tri>; 2] {
        let no_facts: Vec<Tri> = vec![None; set.facts.len()];
        let mut base: [Vec<Tri>; 2] = [
            vec![None; graphs[POLICY].nodes.len()],
            vec![None; graphs[CONSTRAINTS].nodes.len()],
        ];
        for gx in [POLICY, CONSTRAINTS] {
            if let (Some(g), Some(nodes), Some(out)) =
                (graphs.get(gx), self.base.get(gx), base.get_mut(gx))
            {
                g.eval_some(set, nodes, &no_facts, as_of, out);
            }
        }
        base
    }

    /// The truths of the structural constants, as [`Analysis::fixed`].
    pub fn fixed_truths(&self, base: &[Vec<Tri>; 2]) -> Vec<Truth> {
        self.fixed
            .iter()
            .map(|r| {
                truth(
                    base.get(r.graph)
                        .and_then(|b| b.get(r.node.index()))
                        .copied()
                        .flatten(),
                )
            })
            .collect()
    }

    /// The truth of each of `var`'s atoms on each candidate.
    pub fn rows(
        &self,
        set: &PolicySet,
        graphs: [&PolicyGraph; 2],
        as_of: Day,
        var: &Var,
        candidates: &[Candidate],
        base: &[Vec<Tri>; 2],
    ) -> Vec<Vec<Truth>> {
        let mut facts: Vec<Tri> = vec![None; set.facts.len()];
        let mut values: [Vec<Tri>; 2] = base.clone();
        let mut rows: Vec<Vec<Truth>> = Vec::with_capacity(candidates.len());
        for cand in candidates {
            let rep = representative(cand, var.ty);
            if let Some(slot) = facts.get_mut(var.fact.index()) {
                *slot = rep;
            }
            if let (Some(pair), Candidate::Pair { at, .. }) = (&var.pair, cand) {
                if let Some(slot) = facts.get_mut(pair.other.index()) {
                    *slot = cuts::value_of(Type::Date, at.1);
                }
            }
            for gx in [POLICY, CONSTRAINTS] {
                if let (Some(g), Some(nodes), Some(out)) =
                    (graphs.get(gx), var.eval.get(gx), values.get_mut(gx))
                {
                    g.eval_some(set, nodes, &facts, as_of, out);
                }
            }
            let row = var
                .atoms
                .iter()
                .map(|a| match a {
                    Atom::Node(r) => truth(
                        values
                            .get(r.graph)
                            .and_then(|v| v.get(r.node.index()))
                            .copied()
                            .flatten(),
                    ),
                    Atom::Pattern(id) => pattern_truth(set, *id, cand),
                })
                .collect();
            rows.push(row);
        }
        rows
    }

    /// The candidate values of a fact on a date, and how known values find theirs.
    pub fn candidates(
        &self,
        set: &PolicySet,
        var: &Var,
        fixed: &dyn Fn(usize, NodeId) -> Tri,
    ) -> Result<(PartKind, Vec<Candidate>), String> {
        let name = || {
            set.fact(var.fact)
                .map_or("?", |d| d.path.as_str())
                .to_string()
        };
        Ok(match var.ty {
            Type::Bool => (
                PartKind::Bool,
                vec![
                    Candidate::Value(Value::Bool(false)),
                    Candidate::Value(Value::Bool(true)),
                ],
            ),
            Type::Enum(e) => {
                let n = set.enums.get(e.index()).map_or(0, |d| d.words.len());
                (
                    PartKind::Words,
                    (0..n as u16)
                        .map(|w| Candidate::Value(Value::Word(w)))
                        .collect(),
                )
            }
            Type::Set(_) => {
                let mut words: Vec<u16> = var
                    .words
                    .iter()
                    .filter_map(|r| match fixed(r.graph, r.node) {
                        Some(Value::Word(w)) if w < 64 => Some(w),
                        _ => None,
                    })
                    .collect();
                words.sort_unstable();
                words.dedup();
                if words.len() > MAX_SET_WORDS {
                    return Err(format!(
                        "`{}` is tested for more than {MAX_SET_WORDS} words",
                        name()
                    ));
                }
                let candidates = (0u64..(1u64 << words.len()))
                    .map(|i| {
                        let bits = words
                            .iter()
                            .enumerate()
                            .filter(|(j, _)| i & (1 << j) != 0)
                            .fold(0u64, |acc, (_, w)| acc | (1u64 << w));
                        Candidate::Value(Value::Words(bits))
                    })
                    .collect();
                (PartKind::Sets { words }, candidates)
            }
            Type::Str => {
                let mut named: Vec<Symbol> = var
                    .strings
                    .iter()
                    .filter_map(|r| match fixed(r.graph, r.node) {
                        Some(Value::Str(s)) => Some(s),
                        _ => None,
                    })
                    .collect();
                named.sort_unstable();
                named.dedup();
                let mut candidates: Vec<Candidate> = named
                    .iter()
                    .map(|s| Candidate::Value(Value::Str(*s)))
                    .collect();
                let pattern = var
                    .pattern
                    .and_then(|id| match set.constraints.get(id.index()) {
                        Some(c) => match &c.kind {
                            ConstraintKind::Pattern { pattern, .. } => Some(pattern),
                            _ => None,
                        },
                        None => None,
                    });
                let (other_fits, other_unfit) = match pattern {
                    None => {
                        candidates.push(Candidate::OtherString { fits: None });
                        (Some(candidates.len() - 1), None)
                    }
                    Some(p) => {
                        let texts: Vec<&str> = named
                            .iter()
                            .filter_map(|s| set.strings.get(s.0 as usize).map(String::as_str))
                            .collect();
                        let mut fits_slot = None;
                        if other_fits(p, &texts) {
                            candidates.push(Candidate::OtherString { fits: Some(true) });
                            fits_slot = Some(candidates.len() - 1);
                        }
                        let mut unfit_slot = None;
                        if other_unfit(p, &texts) {
                            candidates.push(Candidate::OtherString { fits: Some(false) });
                            unfit_slot = Some(candidates.len() - 1);
                        }
                        (fits_slot, unfit_slot)
                    }
                };
                (
                    PartKind::Strings {
                        named,
                        other_fits,
                        other_unfit,
                    },
                    candidates,
                )
            }
            Type::Int | Type::Date | Type::Duration(_) => {
                let dom = fact_domain(var.ty);
                let starts = starts(var.ty, &var.cmps, fixed);
                if let Some(pair) = &var.pair {
                    return pair_candidates(set, var, pair, starts, fixed);
                }
                let candidates = starts
                    .iter()
                    .enumerate()
                    .filter_map(|(i, _)| interval(&starts, i, dom.hi).map(Candidate::Range))
                    .collect();
                (PartKind::Ordered { starts }, candidates)
            }
        })
    }
}

/// Where the comparisons of an ordered fact change value on the date: the first value of
/// each interval, starting with the least value of the fact.
fn starts(ty: Type, cmps: &[Cmp], fixed: &dyn Fn(usize, NodeId) -> Tri) -> Vec<i64> {
    let dom = fact_domain(ty);
    let mut starts = vec![dom.lo];
    for cmp in cmps {
        let k = match cmp.k {
            K::Node(n) => fixed(cmp.graph, n).and_then(Value::ordinal),
            K::Day(d) => Some(i64::from(d.0)),
        };
        let mut steps = Vec::with_capacity(cmp.steps.len());
        let mut known = true;
        for (op, left, other, input, output) in &cmp.steps {
            match fixed(cmp.graph, *other) {
                Some(v) => steps.push(Step {
                    op: *op,
                    fact_left: *left,
                    other: v,
                    input: *input,
                    output: *output,
                }),
                None => known = false,
            }
        }
        // An operand unknown on this date makes the comparison unknown for every value: it
        // cuts nothing.
        let (Some(k), true) = (k, known) else {
            continue;
        };
        let out = steps.last().map_or(ty, |s| s.output);
        let defined = cuts::pullback(&steps, cuts::domain(out), dom);
        let holds = cuts::pullback(&steps, cuts::results(cmp.op, k), dom);
        for i in [defined, holds] {
            if i.is_empty() {
                continue;
            }
            starts.push(i.lo);
            if let Some(next) = i.hi.checked_add(1) {
                starts.push(next);
            }
        }
    }
    starts.retain(|s| *s >= dom.lo && *s <= dom.hi);
    starts.sort_unstable();
    starts.dedup();
    starts
}

/// The candidates of a pair of related dates: every feasible cell of (first interval,
/// second interval, difference interval). A cell is feasible when some first date and
/// some second date in their intervals differ by a number of days in the third: the
/// differences between two intervals of integers fill an interval, so one intersection
/// tells.
fn pair_candidates(
    set: &PolicySet,
    var: &Var,
    pair: &PairVar,
    first: Vec<i64>,
    fixed: &dyn Fn(usize, NodeId) -> Tri,
) -> Result<(PartKind, Vec<Candidate>), String> {
    let dom = fact_domain(Type::Date);
    let second = starts(Type::Date, &pair.other_cmps, fixed);
    let span = difference_domain();
    let mut difference = vec![span.lo];
    for form in &pair.forms {
        let days = |terms: &[(NodeId, i64)]| -> Option<i128> {
            terms.iter().try_fold(0i128, |acc, (n, sign)| {
                let v = fixed(form.graph, *n).and_then(Value::ordinal)?;
                Some(acc + i128::from(*sign) * i128::from(v))
            })
        };
        let (Some(a), Some(b)) = (days(&form.first), days(&form.second)) else {
            continue;
        };
        let k = match form.k {
            Some((n, sign)) => match fixed(form.graph, n).and_then(Value::ordinal) {
                Some(v) => i128::from(sign) * i128::from(v),
                None => continue,
            },
            None => 0,
        };
        // Beyond the span of any difference, a threshold cuts nothing more.
        let bound = i128::from(span.hi) + 2;
        let t = (a - b + k).clamp(-bound, bound) as i64;
        let holds = cuts::results(form.op, t);
        if holds.is_empty() {
            continue;
        }
        difference.push(holds.lo);
        if let Some(next) = holds.hi.checked_add(1) {
            difference.push(next);
        }
    }
    difference.retain(|s| *s >= span.lo && *s <= span.hi);
    difference.sort_unstable();
    difference.dedup();
    let mut candidates = Vec::new();
    let mut cells = HashMap::new();
    for (i, _) in first.iter().enumerate() {
        let Some(x) = interval(&first, i, dom.hi) else {
            continue;
        };
        for (j, _) in second.iter().enumerate() {
            let Some(y) = interval(&second, j, dom.hi) else {
                continue;
            };
            let reach = Interval {
                lo: y.lo - x.hi,
                hi: y.hi - x.lo,
            };
            for (m, _) in difference.iter().enumerate() {
                let Some(d) = interval(&difference, m, span.hi) else {
                    continue;
                };
                let both = d.meet(reach);
                if both.is_empty() {
                    continue;
                }
                // One point of the cell: the least difference, then the least first date.
                let dd = both.lo;
                let xx = x.lo.max(y.lo - dd);
                if candidates.len() >= MAX_CLASSES * 4 {
                    return Err(format!(
                        "`{}` and its related fact have too many classes of values",
                        set.fact(var.fact).map_or("?", |f| f.path.as_str())
                    ));
                }
                cells.insert((i as u32, j as u32, m as u32), candidates.len() as u32);
                candidates.push(Candidate::Pair {
                    first: x,
                    second: y,
                    difference: d,
                    at: (xx, xx + dd),
                });
            }
        }
    }
    Ok((
        PartKind::Pair {
            first,
            second,
            difference,
            cells,
        },
        candidates,
    ))
}

/// Groups candidates the policy never tells apart (equal rows) into classes: the class of
/// each candidate, the truth table (per atom, per class) and the number of classes.
pub fn group(rows: &[Vec<Truth>], atoms: usize) -> (Vec<u16>, Vec<Vec<Truth>>, usize) {
    let mut class_of = Vec::with_capacity(rows.len());
    let mut signatures: HashMap<&Vec<Truth>, u16> = HashMap::new();
    let mut table: Vec<Vec<Truth>> = vec![Vec::new(); atoms];
    for row in rows {
        let next = signatures.len() as u16;
        let c = *signatures.entry(row).or_insert(next);
        if c == next {
            for (col, t) in table.iter_mut().zip(row) {
                col.push(*t);
            }
        }
        class_of.push(c);
    }
    let classes = signatures.len().max(1);
    (class_of, table, classes)
}

/// A fact's classes and truth table, shared between days.
pub type Stable = (std::sync::Arc<Partition>, std::sync::Arc<Vec<Vec<Truth>>>);

/// Everything a diagram depends on, as bytes.
pub fn key<P: std::ops::Deref<Target = Partition>, T: std::ops::Deref<Target = Vec<Vec<Truth>>>>(
    parts: &[P],
    tables: &[T],
    fixed: &[Truth],
) -> Vec<u8> {
    let mut key = Vec::new();
    for (part, table) in parts.iter().zip(tables) {
        key.extend_from_slice(&part.classes.to_le_bytes());
        for col in table.iter() {
            key.extend_from_slice(col);
        }
    }
    key.extend_from_slice(fixed);
    key
}

/// Whether a string the policies do not name can fit the pattern.
fn other_fits(p: &crate::pattern::Pattern, named: &[&str]) -> bool {
    let (examples, all) = p.examples(named.len() + 1);
    let outside = examples.iter().any(|e| !named.contains(&e.as_str()));
    // The search is bounded: when it neither found one nor saw every fitting string, a
    // fitting string may exist, and "possible" is the side that never decides wrongly.
    outside || !all
}

/// Whether a string the policies do not name can fail the pattern.
fn other_unfit(p: &crate::pattern::Pattern, named: &[&str]) -> bool {
    let long = "\u{1}".repeat(64);
    ["", "\u{0}", "~", "0", "a", "A", long.as_str()]
        .iter()
        .any(|s| !p.matches(s) && !named.contains(s))
}

/// The truth of a pattern constraint on a candidate string.
pub fn pattern_truth(set: &PolicySet, id: ConstraintId, cand: &Candidate) -> Truth {
    let Some(ConstraintKind::Pattern { pattern, .. }) =
        set.constraints.get(id.index()).map(|c| &c.kind)
    else {
        return crate::plan::UNKNOWN;
    };
    let known = |b: bool| {
        if b {
            crate::plan::TRUE
        } else {
            crate::plan::FALSE
        }
    };
    match cand {
        Candidate::Value(Value::Str(s)) => match set.strings.get(s.0 as usize) {
            Some(text) => known(pattern.matches(text)),
            None => crate::plan::UNKNOWN,
        },
        Candidate::OtherString { fits: Some(f) } => known(*f),
        _ => crate::plan::UNKNOWN,
    }
}

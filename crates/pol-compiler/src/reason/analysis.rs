//! What a policy's decision reads, and how each fact's values fall into classes.
//!
//! [`Analysis::new`] runs once per policy. It walks the *decision cone* (the program
//! window and the triggers of the rules that decide a level) and the constraints on the
//! facts it reads, and sorts every condition node by the facts under it:
//!
//! - none: a value fixed on the case's date (`as_of >= 2025-06-06`, a dated parameter);
//! - one fact: a *local* condition, whose value is a function of that fact alone;
//! - several facts: combined by `and`, `or`, `not` and comparisons of truths, which the
//!   diagram computes; or a relation between two dates by days (`trip.return >
//!   trip.depart + 365 days`), whose two facts become one *pair* level; any other node
//!   over several facts (by calendar months, between numbers, a fact related to two
//!   others) is not modelled: the analysis records why and the reasoning falls back (see
//!   `reason::mod`).
//!
//! `classes.rs` then fixes a case's date: the classes of each fact's values and the truth
//! tables that determine the diagram.

use std::collections::HashMap;

use pol_syntax::ast::CompareOp;

use crate::constraints::CaseConstraints;
use crate::graph::{NodeId, Op, PolicyGraph};
use crate::ir::{ConstraintId, FactId, PolicySet};
use crate::semantics;
use crate::types::Type;
use crate::value::{Day, Symbol};

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
            _ => g.children(&node.op).iter().fold((Sup::None, false), |acc, c| {
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
        self.sup.get(gx).and_then(|s| s.get(n.index())).copied().unwrap_or(Sup::Many)
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
                    let seen = self.struct_seen.get_mut(gx).and_then(|s| s.get_mut(n.index()));
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
            let cmp = Cmp { graph: gx, op: CompareOp::Ge, steps, k: K::Day(Day(i32::MIN)) };
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
                    (op.flipped(), *r, *l)
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
        // left term and B the right: `A op B` is `B - A op.flipped() 0`; `A - B op k` is
        // `B - A op.flipped() -k`.
        let (first, second, a_first) = if fa < fb { (fa, fb, true) } else { (fb, fa, false) };
        // In terms of d = B - A (a_first) or d = A - B (otherwise):
        let op_d = if a_first { op.flipped() } else { op };
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
            let name = self.set.fact(x).map_or("?", |d| d.path.as_str()).to_string();
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
            let (first, second) = if v.fact < other { (v.fact, other) } else { (other, v.fact) };
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
            let mut pair = PairVar { other: second, other_cmps: b.cmps.clone(), forms: Vec::new() };
            for p in self.pairs.iter().filter(|p| p.first == first && p.second == second) {
                let atom = Atom::Node(p.atom);
                if !var.atoms.contains(&atom) {
                    var.atoms.push(atom);
                }
                if let (Some(g), Some(eval)) =
                    (self.graphs.get(p.atom.graph), var.eval.get_mut(p.atom.graph))
                {
                    eval.extend(g.under(p.atom.node));
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
            let marked = self.base.get(gx).and_then(|b| b.get(m.index())).copied().unwrap_or(true);
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
        let mut under = g.under(n);
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
                Op::InSet(w, _) if matches!(ty, Type::Set(_)) => {
                    words.push(NodeRef { graph: gx, node: *w })
                }
                Op::Compare(_, a, b) if ty == Type::Str => {
                    for side in [a, b] {
                        if self.sup(gx, *side) == Sup::None {
                            strings.push(NodeRef { graph: gx, node: *side });
                        }
                    }
                }
                Op::InList(_, items) if ty == Type::Str => {
                    for item in g.operands(*items) {
                        if self.sup(gx, *item) == Sup::None {
                            strings.push(NodeRef { graph: gx, node: *item });
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
            out.push(Cmp { graph: gx, op, steps, k });
            Ok(())
        };
        match &node.op {
            Op::Compare(op, a, b) => {
                if one(*a) && none(*b) {
                    pair(*op, *a, K::Node(*b))?;
                } else if one(*b) && none(*a) {
                    pair(op.flipped(), *b, K::Node(*a))?;
                } else {
                    return Err(self_relation());
                }
            }
            Op::InRange(e, lo, hi, inclusive) => {
                let high = if *inclusive { CompareOp::Le } else { CompareOp::Lt };
                if one(*e) && none(*lo) && none(*hi) {
                    pair(CompareOp::Ge, *e, K::Node(*lo))?;
                    pair(high, *e, K::Node(*hi))?;
                } else if none(*e) && !(one(*lo) && one(*hi)) {
                    if one(*lo) {
                        pair(CompareOp::Le, *lo, K::Node(*e))?;
                    }
                    if one(*hi) {
                        pair(high.flipped(), *hi, K::Node(*e))?;
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
            Op::Window { opened, closed, at, .. } => {
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
        let mut levels = Levels { window: g.window, ..Levels::default() };
        if let Some(win) = g.window {
            w.condition(POLICY, win);
        }
        for r in &g.rules {
            let Some(level) = semantics::level_of(r.kind) else {
                continue;
            };
            if let Some(l) = levels.triggers.get_mut(level as usize) {
                l.push(r.trigger);
            }
            w.condition(POLICY, r.trigger);
        }
        // The constraints on the facts read, and on the facts they bring in, until no new
        // fact comes in.
        let mut kept: Vec<Atom> = Vec::new();
        let reads: Vec<(Atom, &[FactId])> = constraints
            .conditions
            .iter()
            .zip(&constraints.reads)
            .map(|((_, node), facts)| {
                (Atom::Node(NodeRef { graph: CONSTRAINTS, node: *node }), &facts[..])
            })
            .chain(
                constraints
                    .patterns
                    .iter()
                    .map(|(id, f)| (Atom::Pattern(*id), std::slice::from_ref(f))),
            )
            .collect();
        loop {
            let before = kept.len();
            for (atom, facts) in &reads {
                if kept.contains(atom) || facts.is_empty() {
                    continue;
                }
                let touches =
                    facts.iter().any(|f| w.level_of.get(f.index()).copied().flatten().is_some());
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
                nodes.iter().any(|n| dated.get(n.index()).copied().unwrap_or(false))
            });
        }
        let Walk { vars, level_of, sup, fixed, base, inexact, inexact_at, dated_any, .. } = w;
        let base = base.map(|b| {
            b.iter().enumerate().filter(|(_, on)| **on).map(|(i, _)| NodeId(i as u32)).collect()
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

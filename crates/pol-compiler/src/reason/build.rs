//! From a policy's conditions to its decision diagram, for one regime.
//!
//! The local conditions are truth tables over their fact's classes (`analysis.rs`); the nodes
//! over several facts combine them with three-valued `and`, `or`, `not` and equality of
//! truths, exactly as `ops.rs` does for one case. The levels are then read in precedence
//! order, as the plan's decision does for a complete case, and completions that break a
//! constraint lead to [`IMPOSSIBLE`].
//!
//! Beside the decision, the same conditions give the truths a decision's reasons are read
//! from ([`ReasonTruths`]): each rule's trigger and the window, over the completions that
//! keep the constraints.

use std::collections::HashMap;

use pol_syntax::ast::CompareOp;

use crate::graph::{NodeId, Op, PolicyGraph};
use crate::semantics;

use super::analysis::{Analysis, Atom, NodeRef, Sup};
use super::classes::Day0;
use super::mdd::{
    Diagram, Manager, Ref, TooLarge, ELIGIBLE, F, IMPOSSIBLE, INELIGIBLE, NOT_REQUIRED, T, U,
    UNAVAILABLE, UNDEFINED,
};

// Names of the leaf operations in the computed table.
const NOT: u32 = 1;
const AND: u32 = 2;
const OR: u32 = 3;
const EQ: u32 = 4;
const NE: u32 = 5;
const PAIR: u32 = 6;
const DECIDE: u32 = 7;
const VALID: u32 = 8;
const KEEP: u32 = 9;
const KEEP_TRUTH: u32 = 10;

fn not3(a: Ref) -> Ref {
    T - a.min(T)
}
fn and3(a: Ref, b: Ref) -> Ref {
    a.min(b)
}
fn or3(a: Ref, b: Ref) -> Ref {
    a.max(b)
}
fn eq3(a: Ref, b: Ref) -> Ref {
    if a == U || b == U {
        U
    } else if a == b {
        T
    } else {
        F
    }
}

/// The outcome of the three pre-empting levels' truths: the first true level while every
/// level before it is false; an unknown level leaves the outcome undefined.
fn decide(l0: Ref, l1: Ref, l2: Ref) -> Ref {
    for (t, outcome) in [(l0, UNAVAILABLE), (l1, INELIGIBLE), (l2, NOT_REQUIRED)] {
        match t {
            T => return outcome,
            F => {}
            _ => return UNDEFINED,
        }
    }
    ELIGIBLE
}

struct Builder<'a> {
    an: &'a Analysis,
    day: &'a Day0,
    graphs: [&'a PolicyGraph; 2],
    m: Manager,
    memo: HashMap<NodeRef, Ref>,
    atoms: HashMap<Atom, (u32, usize)>,
    fixed: HashMap<NodeRef, usize>,
}

/// A regime's diagrams: the decision of every completion, and what its reasons are read
/// from (`None` when that grew past [`super::mdd::MAX_NODES`]).
#[derive(Debug)]
pub struct Built {
    pub decision: Diagram,
    pub reasons: Option<ReasonTruths>,
}

/// The truths a decision's reasons are read from, each a root of one diagram whose leaves
/// are [`F`], [`U`] and [`T`] over the completions that keep the constraints (the others
/// lead to [`IMPOSSIBLE`]): the values each takes over a case's completions say which rules
/// hold in all of them, in some, or are still open (`docs/semantics.md`, "Reasons").
#[derive(Debug)]
pub struct ReasonTruths {
    pub diagram: Diagram,
    /// "The program window is closed", for a policy with a window.
    pub window_closed: Option<Ref>,
    /// Each rule that decides a level: its index among the policy's rules, and its
    /// trigger.
    pub rules: Vec<(usize, Ref)>,
    /// Whether `unavailable` holds, and whether `unavailable` or `ineligible` does: a
    /// completion where one is false reaches the next level.
    pub before: [Ref; 2],
}

/// Builds the decision diagram of a policy for the classes and tables of `day`.
pub fn build(an: &Analysis, day: &Day0, graphs: [&PolicyGraph; 2]) -> Result<Diagram, TooLarge> {
    let mut b = Builder::new(an, day, graphs);
    let (levels, valid) = (b.levels()?, b.valid()?);
    let root = b.decision(levels, valid)?;
    Ok(b.m.freeze(root))
}

/// Builds the decision diagram of a policy and the truths its reasons are read from.
pub fn build_with_reasons(
    an: &Analysis,
    day: &Day0,
    graphs: [&PolicyGraph; 2],
) -> Result<Built, TooLarge> {
    let mut b = Builder::new(an, day, graphs);
    let (levels, valid) = (b.levels()?, b.valid()?);
    let root = b.decision(levels, valid)?;
    let reasons = b.reasons(levels, valid).ok();
    Ok(Built { decision: b.m.freeze(root), reasons })
}

impl<'a> Builder<'a> {
    fn new(an: &'a Analysis, day: &'a Day0, graphs: [&'a PolicyGraph; 2]) -> Builder<'a> {
        let arity = day.parts.iter().map(|p| p.classes).collect();
        let mut atoms = HashMap::new();
        for (level, var) in an.vars.iter().enumerate() {
            for (col, atom) in var.atoms.iter().enumerate() {
                atoms.insert(*atom, (level as u32, col));
            }
        }
        let fixed = an.fixed.iter().enumerate().map(|(i, r)| (*r, i)).collect();
        Builder { an, day, graphs, m: Manager::new(arity), memo: HashMap::new(), atoms, fixed }
    }
}

impl Builder<'_> {
    /// The truths of the three levels that pre-empt `eligible`: `unavailable` (with the
    /// window closed), `ineligible`, `not_required`.
    fn levels(&mut self) -> Result<[Ref; 3], TooLarge> {
        let levels = &self.an.levels;
        let mut l0 = F;
        if let Some(w) = levels.window {
            let open = self.node(super::analysis::POLICY, w)?;
            l0 = self.m.map(NOT, not3, open)?;
        }
        let mut l = [l0, F, F];
        for (slot, triggers) in l.iter_mut().zip(levels.triggers.iter()) {
            for t in triggers {
                let x = self.node(super::analysis::POLICY, *t)?;
                *slot = self.m.apply(OR, or3, *slot, x)?;
            }
        }
        Ok(l)
    }

    /// Whether a completion keeps the constraints: it breaks one when one is false; an
    /// unknown (overflowing) constraint breaks nothing.
    fn valid(&mut self) -> Result<Ref, TooLarge> {
        let mut valid = T;
        for c in self.an.constraints.clone() {
            let x = match c {
                Atom::Node(r) => self.node(r.graph, r.node)?,
                Atom::Pattern(_) => self.atom(c)?,
            };
            let kept = self.m.map(VALID, |t| if t == F { F } else { T }, x)?;
            valid = self.m.apply(AND, and3, valid, kept)?;
        }
        Ok(valid)
    }

    fn decision(&mut self, levels: [Ref; 3], valid: Ref) -> Result<Ref, TooLarge> {
        let [l0, l1, l2] = levels;
        // Two of the truths in one leaf (3 × l1 + l2), then the decision.
        let pair = self.m.apply(PAIR, |a, b| a * 3 + b, l1, l2)?;
        let outcome = self.m.apply(DECIDE, |a, p| decide(a, p / 3, p % 3), l0, pair)?;
        self.m.apply(KEEP, |v, d| if v == F { IMPOSSIBLE } else { d }, valid, outcome)
    }

    /// The reasons' truths, each kept to the completions that keep the constraints.
    fn reasons(&mut self, levels: [Ref; 3], valid: Ref) -> Result<ReasonTruths, TooLarge> {
        let keep = |b: &mut Self, t: Ref| {
            b.m.apply(KEEP_TRUTH, |v, t| if v == F { IMPOSSIBLE } else { t }, valid, t)
        };
        let mut roots = Vec::new();
        let window_closed = match self.an.levels.window {
            Some(w) => {
                let open = self.node(super::analysis::POLICY, w)?;
                let closed = self.m.map(NOT, not3, open)?;
                roots.push(keep(self, closed)?);
                true
            }
            None => false,
        };
        let mut rules = Vec::new();
        let deciding: Vec<(usize, NodeId)> = self
            .graphs
            .get(super::analysis::POLICY)
            .map_or(&[][..], |g| &g.rules[..])
            .iter()
            .filter(|r| semantics::level_of(r.kind).is_some())
            .map(|r| (r.rule, r.trigger))
            .collect();
        for (rule, trigger) in deciding {
            let trigger = self.node(super::analysis::POLICY, trigger)?;
            roots.push(keep(self, trigger)?);
            rules.push(rule);
        }
        let [l0, l1, _] = levels;
        let either = self.m.apply(OR, or3, l0, l1)?;
        roots.push(keep(self, l0)?);
        roots.push(keep(self, either)?);
        let (diagram, roots) = self.m.freeze_all(&roots);
        let mut roots = roots.into_iter();
        let mut next = || roots.next().unwrap_or(U);
        let window_closed = window_closed.then(&mut next);
        let rules = rules.into_iter().map(|rule| (rule, next())).collect();
        let before = [next(), next()];
        Ok(ReasonTruths { diagram, window_closed, rules, before })
    }

    /// The diagram of a local condition: its truth table on its fact's level.
    fn atom(&mut self, atom: Atom) -> Result<Ref, TooLarge> {
        let Some((level, col)) = self.atoms.get(&atom).copied() else {
            return Ok(U);
        };
        let column: Vec<Ref> = self
            .day
            .tables
            .get(level as usize)
            .and_then(|t| t.get(col))
            .map(|c| c.iter().map(|t| Ref::from(*t)).collect())
            .unwrap_or_default();
        self.m.table(level, &column)
    }

    /// The diagram of a condition node.
    fn node(&mut self, gx: usize, n: NodeId) -> Result<Ref, TooLarge> {
        let key = NodeRef { graph: gx, node: n };
        if let Some(r) = self.memo.get(&key) {
            return Ok(*r);
        }
        let sup = self.an.sup.get(gx).and_then(|s| s.get(n.index())).copied().unwrap_or(Sup::Many);
        let r = match sup {
            Sup::None => match self.fixed.get(&key).and_then(|i| self.day.fixed.get(*i)) {
                Some(t) => Ref::from(*t),
                None => U,
            },
            Sup::One(_) => self.atom(Atom::Node(key))?,
            // A relation between the two dates of a pair is a local condition of the pair.
            Sup::Many if self.atoms.contains_key(&Atom::Node(key)) => self.atom(Atom::Node(key))?,
            Sup::Many => self.combine(gx, n)?,
        };
        self.memo.insert(key, r);
        Ok(r)
    }

    /// A node over several facts: a combination of truths (the analysis has checked that
    /// every such node is one).
    fn combine(&mut self, gx: usize, n: NodeId) -> Result<Ref, TooLarge> {
        let Some(g) = self.graphs.get(gx).copied() else {
            return Ok(U);
        };
        let Some(node) = g.node(n) else {
            return Ok(U);
        };
        Ok(match node.op.clone() {
            Op::Let(_, b) => self.node(gx, b)?,
            Op::Not(a) => {
                let a = self.node(gx, a)?;
                self.m.map(NOT, not3, a)?
            }
            Op::And(run) | Op::Or(run) => {
                let and = matches!(node.op, Op::And(_));
                let mut acc = if and { T } else { F };
                for x in g.operands(run).to_vec() {
                    let x = self.node(gx, x)?;
                    acc = if and {
                        self.m.apply(AND, and3, acc, x)?
                    } else {
                        self.m.apply(OR, or3, acc, x)?
                    };
                }
                acc
            }
            Op::Compare(op @ (CompareOp::Eq | CompareOp::Ne), a, b) => {
                let (a, b) = (self.node(gx, a)?, self.node(gx, b)?);
                let eq = self.m.apply(EQ, eq3, a, b)?;
                if op == CompareOp::Eq {
                    eq
                } else {
                    self.m.map(NE, not3, eq)?
                }
            }
            Op::InList(e, run) => {
                let e = self.node(gx, e)?;
                let mut acc = F;
                for item in g.operands(run).to_vec() {
                    let item = self.node(gx, item)?;
                    let eq = self.m.apply(EQ, eq3, e, item)?;
                    acc = self.m.apply(OR, or3, acc, eq)?;
                }
                acc
            }
            // The analysis never lets another node over several facts through.
            _ => U,
        })
    }
}

//! The rule triggers on which Kleene logic is already exact.
//!
//! Kleene logic on a case is sound but can leave open what the completions settle: `x or
//! not x` is unknown while `x` is, yet true in every completion. Exact reasons are read
//! from the completions (`decide::settle::see`), which for a dated policy first costs the
//! classes of the case's date. A trigger on which Kleene logic is exact needs none of that:
//! wherever it is unknown, some completion makes it true and another makes it false.
//!
//! The test is a sufficient condition, checked once per policy. The trigger combines, with
//! `and`, `or` and `not`, conditions of two sorts:
//!
//! - conditions that read no fact and whose value is always known on a case: literals,
//!   constants, `as_of` and comparisons of them (a dated parameter has no value before its
//!   first date, and arithmetic can overflow, so neither is taken);
//! - *free atoms*: conditions that read one fact and are true for some of its values and
//!   false for others, whatever the case: a `bool` fact, an enum fact compared with a word
//!   of an enum of two or more words or tested against some but not all of its words, a
//!   string fact compared with a string, a word tested for membership of a set fact.
//!
//! No fact is read by two atoms, and no constraint reads a fact of the trigger, so every
//! combination of values of its facts is some completion's. Then, by induction on the
//! formula: an unknown atom's fact is unknown, and its values make it true and false; an
//! unknown `a and b` has no false operand and some unknown ones, which read disjoint facts,
//! so completions make them all true, or one of them false; `or` likewise, `not` swaps.

use crate::constraints::CaseConstraints;
use crate::graph::{NodeId, Op, PolicyGraph};
use crate::ir::{EnumId, FactId, PolicySet};
use crate::types::Type;
use crate::value::Value;
use pol_syntax::ast::CompareOp;

/// For each of the policy's rules, by index, whether Kleene logic on its trigger is exact.
pub fn exact_triggers(
    set: &PolicySet,
    g: &PolicyGraph,
    constraints: &CaseConstraints,
) -> Vec<bool> {
    let mut constrained = vec![false; set.facts.len()];
    let constraint_facts =
        constraints.reads.iter().flatten().chain(constraints.patterns.iter().map(|(_, f)| f));
    for f in constraint_facts {
        if let Some(c) = constrained.get_mut(f.index()) {
            *c = true;
        }
    }
    let mut exact = vec![false; g.rules.iter().map(|r| r.rule + 1).max().unwrap_or(0)];
    for r in &g.rules {
        let mut formula =
            Formula { set, g, constrained: &constrained, read: vec![false; set.facts.len()] };
        if let Some(e) = exact.get_mut(r.rule) {
            *e = formula.exact(r.trigger);
        }
    }
    exact
}

struct Formula<'a> {
    set: &'a PolicySet,
    g: &'a PolicyGraph,
    /// Facts some constraint reads.
    constrained: &'a [bool],
    /// Facts an atom of the trigger already reads.
    read: Vec<bool>,
}

impl Formula<'_> {
    /// Whether Kleene logic on `n` is exact: `n` is a known condition, a free atom, or
    /// `and`, `or`, `not` of exact ones (with the facts of each atom read once).
    fn exact(&mut self, n: NodeId) -> bool {
        let Some(node) = self.g.node(n) else {
            return false;
        };
        match &node.op {
            Op::Not(a) | Op::Let(_, a) => self.exact(*a),
            Op::And(ops) | Op::Or(ops) => {
                let ops = self.g.operands(*ops);
                ops.iter().all(|o| self.exact(*o))
            }
            _ if self.known(n) => true,
            _ => match self.free_atom(&node.op) {
                Some(f) => self.read_once(f),
                None => false,
            },
        }
    }

    /// Whether `n` reads no fact and always has a value on a case.
    fn known(&self, n: NodeId) -> bool {
        let Some(node) = self.g.node(n) else {
            return false;
        };
        match &node.op {
            Op::Lit(_) | Op::Const(..) | Op::AsOf => true,
            Op::Unknown | Op::Fact(_) | Op::Param(_) | Op::Arith(..) | Op::Window { .. } => false,
            Op::Let(_, a) | Op::Not(a) => self.known(*a),
            op => self.g.children(op).into_iter().all(|c| self.known(c)),
        }
    }

    /// The fact of a free atom: a condition on one fact, true for some of its values and
    /// false for others whatever the rest of the case.
    fn free_atom(&self, op: &Op) -> Option<FactId> {
        match op {
            Op::Fact(f) => (self.fact_type(*f)? == Type::Bool).then_some(*f),
            Op::Compare(CompareOp::Eq | CompareOp::Ne, a, b) => {
                let (f, v) = match (self.fact_of(*a), self.fact_of(*b)) {
                    (Some(f), None) => (f, self.value(*b)?),
                    (None, Some(f)) => (f, self.value(*a)?),
                    _ => return None,
                };
                let free = match (self.fact_type(f)?, v) {
                    (Type::Bool, Value::Bool(_)) | (Type::Str, Value::Str(_)) => true,
                    (Type::Enum(e), Value::Word(_)) => self.words(e)? >= 2,
                    _ => false,
                };
                free.then_some(f)
            }
            Op::InList(e, list) => {
                let f = self.fact_of(*e)?;
                let list = self.g.operands(*list);
                let values: Option<Vec<Value>> = list.iter().map(|n| self.value(*n)).collect();
                let values = values?;
                let free = match self.fact_type(f)? {
                    // A string outside any finite list is always possible.
                    Type::Str => !values.is_empty(),
                    Type::Enum(e) => {
                        let mut listed = 0u64;
                        for v in &values {
                            let Value::Word(w) = v else { return None };
                            listed |= 1u64.checked_shl(u32::from(*w))?;
                        }
                        listed != 0 && listed.count_ones() < u32::try_from(self.words(e)?).ok()?
                    }
                    _ => false,
                };
                free.then_some(f)
            }
            Op::InSet(word, s) => {
                let f = self.fact_of(*s)?;
                let free = matches!(self.fact_type(f)?, Type::Set(_))
                    && matches!(self.value(*word)?, Value::Word(_));
                free.then_some(f)
            }
            _ => None,
        }
    }

    /// Marks `f` read; false when an atom read it before.
    fn read_once(&mut self, f: FactId) -> bool {
        let free = !self.constrained.get(f.index()).copied().unwrap_or(true);
        match self.read.get_mut(f.index()) {
            Some(read) if free && !*read => {
                *read = true;
                true
            }
            _ => false,
        }
    }

    fn fact_of(&self, n: NodeId) -> Option<FactId> {
        match self.g.node(n)?.op {
            Op::Fact(f) => Some(f),
            _ => None,
        }
    }

    fn value(&self, n: NodeId) -> Option<Value> {
        match &self.g.node(n)?.op {
            Op::Lit(v) | Op::Const(_, v) => Some(*v),
            _ => None,
        }
    }

    fn fact_type(&self, f: FactId) -> Option<Type> {
        Some(self.set.fact(f)?.ty)
    }

    fn words(&self, e: EnumId) -> Option<usize> {
        Some(self.set.enums.get(e)?.words.len())
    }
}

//! Fusion: conditions of the common shapes become one instruction that reads a fact slot
//! and tests a 64-bit mask (`status == daca`, `status in {h1, h4}`, `asylum in pending`,
//! their negations and disjunctions on one fact). Every fusion computes exactly what the
//! operators in `ops.rs` compute on the nodes it replaces.

use pol_syntax::ast::CompareOp;

use super::compile::PlanBuilder;
use super::{Truth, FALSE, TRUE};
use crate::graph::{NodeId, Op};
use crate::ir::FactId;
use crate::types::Type;
use crate::value::Value;

/// A condition that tests one fact against a mask of words.
#[derive(Clone, Copy)]
pub(super) enum MaskTest {
    /// An enum fact's word is in the mask; `other` for a non-word value.
    Word(FactId, u64, Truth),
    /// A set fact holds a word of the mask.
    Set(FactId, u64),
}

impl PlanBuilder<'_> {
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
    pub(super) fn mask_test(&self, n: NodeId) -> Option<MaskTest> {
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

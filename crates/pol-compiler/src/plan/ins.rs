//! The instruction set of a plan: where an instruction reads a value, and each step.

use pol_syntax::ast::CompareOp;

use crate::ir::{ArithOp, FactId, ParamId};
use crate::value::{Day, Value};

#[cfg(doc)]
use super::Plan;
use super::Truth;

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
    /// A value that is never known (see [`Op::Unknown`](crate::graph::Op::Unknown)).
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
    /// An ordered comparison (`<`, `<=`, `>`, `>=`) of two operands, neither constant:
    /// both are read as ordinals, as `ops::compare` orders values (`filed_on <= as_of`).
    CompareOrdered {
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
    /// `a in {items}`: `items` is a run of [`Plan::srcs`](super::Plan::srcs).
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
    /// Kleene conjunction of a run of [`Plan::truths`](super::Plan::truths).
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

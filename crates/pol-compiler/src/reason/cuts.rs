//! Where an ordered fact's comparisons change value: the *cut points* of integers,
//! durations and dates.
//!
//! A comparison reads a term of one fact (the fact, or the fact through date and number
//! arithmetic with values fixed on the case's date: `application.filed_on + 1 year`) and
//! compares it with a value fixed on that date. Every arithmetic step is monotone on the
//! interval of values where it is defined (off that interval it overflows or leaves the
//! calendar, and the comparison is unknown). So the set of fact values where a comparison
//! holds is an interval, found by pulling the interval of results back through each step
//! with a binary search that calls the language's own operators (`ops.rs`): the cut points
//! can never disagree with evaluation.

use pol_syntax::ast::{CompareOp, Unit};

use crate::ir::ArithOp;
use crate::ops;
use crate::types::Type;
use crate::value::{Day, Value};

/// An inclusive interval of ordinals; empty when `lo > hi`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interval {
    pub lo: i64,
    pub hi: i64,
}

impl Interval {
    pub const EMPTY: Interval = Interval { lo: 1, hi: 0 };

    pub fn is_empty(self) -> bool {
        self.lo > self.hi
    }

    pub fn meet(self, other: Interval) -> Interval {
        Interval { lo: self.lo.max(other.lo), hi: self.hi.min(other.hi) }
    }
}

/// One arithmetic step on the value that depends on the fact, with its other operand
/// fixed: `x + 30 days`, `2025-01-01 - x`.
#[derive(Clone, Copy, Debug)]
pub struct Step {
    pub op: ArithOp,
    /// Whether the fact's side is the left operand.
    pub fact_left: bool,
    pub other: Value,
    /// The type of the fact's side, and of the result.
    pub input: Type,
    pub output: Type,
}

impl Step {
    /// The step on one ordinal, through the language's own operator.
    fn apply(&self, v: i64) -> Option<i64> {
        let x = value_of(self.input, v)?;
        let (l, r) = if self.fact_left { (x, self.other) } else { (self.other, x) };
        ops::arith(self.op, Some(l), Some(r))?.ordinal()
    }

    /// Whether the result grows with the fact's side (else it shrinks).
    fn increasing(&self) -> bool {
        match self.op {
            ArithOp::IntAdd | ArithOp::DurAdd | ArithOp::DatePlus => true,
            ArithOp::IntSub | ArithOp::DurSub | ArithOp::DateMinus | ArithOp::DaysBetween => {
                self.fact_left
            }
        }
    }

    /// A point where the step is likely defined, to start looking from.
    fn guess(&self) -> i64 {
        let k = self.other.ordinal().unwrap_or(0);
        match (self.op, self.fact_left) {
            (ArithOp::IntAdd | ArithOp::DurAdd, _) => k.checked_neg().unwrap_or(0),
            (ArithOp::IntSub | ArithOp::DurSub, _) => k,
            (ArithOp::DatePlus | ArithOp::DateMinus, true) => match self.other {
                Value::Duration(n, Unit::Days) if self.op == ArithOp::DatePlus => {
                    n.checked_neg().unwrap_or(0)
                }
                Value::Duration(n, Unit::Days) => n,
                _ => 0,
            },
            (ArithOp::DatePlus | ArithOp::DateMinus, false) => 0,
            (ArithOp::DaysBetween, _) => k,
        }
    }
}

/// The ordinals a value of `ty` can have.
pub fn domain(ty: Type) -> Interval {
    match ty {
        Type::Date => Interval { lo: i64::from(i32::MIN), hi: i64::from(i32::MAX) },
        _ => Interval { lo: i64::MIN, hi: i64::MAX },
    }
}

/// The value of `ty` with ordinal `v`.
pub fn value_of(ty: Type, v: i64) -> Option<Value> {
    match ty {
        Type::Int => Some(Value::Int(v)),
        Type::Duration(u) => Some(Value::Duration(v, u)),
        Type::Date => i32::try_from(v).ok().map(|d| Value::Date(Day(d))),
        _ => None,
    }
}

/// The results `{y : y op k}` as an interval; for `!=`, the interval of `==` (its
/// complement has the same cut points).
pub fn results(op: CompareOp, k: i64) -> Interval {
    let (lo, hi) = match op {
        CompareOp::Lt => (i64::MIN, k.checked_sub(1)),
        CompareOp::Le => (i64::MIN, Some(k)),
        CompareOp::Gt => (k.saturating_add(1), Some(i64::MAX)),
        CompareOp::Ge => (k, Some(i64::MAX)),
        CompareOp::Eq | CompareOp::Ne => (k, Some(k)),
    };
    match (op, hi) {
        (CompareOp::Gt, _) if k == i64::MAX => Interval::EMPTY,
        (_, Some(hi)) => Interval { lo, hi },
        (_, None) => Interval::EMPTY,
    }
}

/// The fact values whose term, after `steps` (innermost first), lands in `target`: an
/// interval within `fact_domain`.
pub fn pullback(steps: &[Step], target: Interval, fact_domain: Interval) -> Interval {
    let mut want = target;
    for (i, step) in steps.iter().enumerate().rev() {
        if want.is_empty() {
            return Interval::EMPTY;
        }
        let input = if i == 0 { fact_domain } else { domain(step.input) };
        want = pull(step, want, input);
    }
    want.meet(fact_domain)
}

/// The inputs in `input` whose step result is defined and lies in `want`.
fn pull(step: &Step, want: Interval, input: Interval) -> Interval {
    let defined = defined_region(step, input);
    if defined.is_empty() {
        return Interval::EMPTY;
    }
    let f = |v: i64| step.apply(v);
    if step.increasing() {
        // First v with f(v) >= want.lo, last v with f(v) <= want.hi.
        let lo = first(defined, |v| f(v).is_some_and(|y| y >= want.lo));
        let hi = last(defined, |v| f(v).is_some_and(|y| y <= want.hi));
        match (lo, hi) {
            (Some(lo), Some(hi)) => Interval { lo, hi },
            _ => Interval::EMPTY,
        }
    } else {
        let lo = first(defined, |v| f(v).is_some_and(|y| y <= want.hi));
        let hi = last(defined, |v| f(v).is_some_and(|y| y >= want.lo));
        match (lo, hi) {
            (Some(lo), Some(hi)) => Interval { lo, hi },
            _ => Interval::EMPTY,
        }
    }
}

/// The interval of `input` on which the step is defined. The steps of the language are
/// defined on one interval each (numbers that do not overflow, dates on the calendar), so
/// from one defined point the two edges are found by binary search.
fn defined_region(step: &Step, input: Interval) -> Interval {
    let ok = |v: i64| step.apply(v).is_some();
    let mid = input.lo / 2 + input.hi / 2;
    let candidates = [step.guess(), 0, mid, input.lo, input.hi];
    let Some(p) =
        candidates.into_iter().filter(|v| *v >= input.lo && *v <= input.hi).find(|v| ok(*v))
    else {
        return Interval::EMPTY;
    };
    let lo = first(Interval { lo: input.lo, hi: p }, ok).unwrap_or(p);
    let hi = last(Interval { lo: p, hi: input.hi }, ok).unwrap_or(p);
    Interval { lo, hi }
}

/// The first `v` in `range` with `pred(v)`, for a predicate false then true on it.
fn first(range: Interval, pred: impl Fn(i64) -> bool) -> Option<i64> {
    if range.is_empty() || !pred(range.hi) {
        return None;
    }
    let (mut lo, mut hi) = (i128::from(range.lo), i128::from(range.hi));
    // INVARIANT: pred(hi); everything below lo is false.
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(i64::try_from(mid).unwrap_or(range.hi)) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    i64::try_from(lo).ok()
}

/// The last `v` in `range` with `pred(v)`, for a predicate true then false on it.
fn last(range: Interval, pred: impl Fn(i64) -> bool) -> Option<i64> {
    if range.is_empty() || !pred(range.lo) {
        return None;
    }
    let (mut lo, mut hi) = (i128::from(range.lo), i128::from(range.hi));
    // INVARIANT: pred(lo); everything above hi is false.
    while lo < hi {
        let mid = lo + (hi - lo + 1) / 2;
        if pred(i64::try_from(mid).unwrap_or(range.lo)) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    i64::try_from(lo).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn additions_pull_back_exactly_and_overflow_is_a_cut() {
        let all = domain(Type::Int);
        let plus = Step {
            op: ArithOp::DurAdd,
            fact_left: true,
            other: Value::Duration(i64::MAX, Unit::Days),
            input: Type::Duration(Unit::Days),
            output: Type::Duration(Unit::Days),
        };
        // x + MAX is defined for x <= 0.
        assert_eq!(pullback(&[plus], all, all), Interval { lo: i64::MIN, hi: 0 });
        // x + MAX > 0 for x in 1 - MAX ..= 0.
        let gt = results(CompareOp::Gt, 0);
        assert_eq!(pullback(&[plus], gt, all), Interval { lo: 1 - i64::MAX, hi: 0 });
        assert_eq!(results(CompareOp::Gt, i64::MAX), Interval::EMPTY);
        assert_eq!(results(CompareOp::Lt, i64::MAX), Interval { lo: i64::MIN, hi: i64::MAX - 1 });
    }

    #[test]
    fn calendar_steps_pull_back_by_search() {
        let d =
            |y, m, dd| i64::from(Day::from_date(pol_syntax::date::Date::new(y, m, dd).unwrap()).0);
        let year = Step {
            op: ArithOp::DatePlus,
            fact_left: true,
            other: Value::Duration(1, Unit::Years),
            input: Type::Date,
            output: Type::Date,
        };
        // x + 1 year < 2025-03-01 for x < 2024-03-01 (2024-02-29 + 1 year = 2025-02-28).
        let lt = results(CompareOp::Lt, d(2025, 3, 1));
        let got = pullback(&[year], lt, domain(Type::Date));
        assert_eq!(got.hi, d(2024, 2, 29));
        // c - x (days between a date and the fact) shrinks as x grows.
        let between = Step {
            op: ArithOp::DaysBetween,
            fact_left: false,
            other: Value::Date(Day(100)),
            input: Type::Date,
            output: Type::Duration(Unit::Days),
        };
        let ge30 = results(CompareOp::Ge, 30);
        let got = pullback(&[between], ge30, domain(Type::Date));
        assert_eq!(got.hi, 70);
    }
}

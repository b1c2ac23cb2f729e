//! The primitive operations of the language over three-valued values. The evaluation graph
//! and constant folding (`consteval.rs`) call these, so a constant means what the same
//! expression means in a rule. The independent model (`crates/pol-model`) has its own.

use pol_syntax::ast::CompareOp;

use crate::ir::ArithOp;
use crate::value::{Tri, Value};

pub fn not(v: Tri) -> Tri {
    v.and_then(Value::as_bool).map(|b| Value::Bool(!b))
}

/// Kleene conjunction: false wins over unknown.
pub fn and(items: impl IntoIterator<Item = Tri>) -> Tri {
    kleene(items, false)
}

/// Kleene disjunction: true wins over unknown.
pub fn or(items: impl IntoIterator<Item = Tri>) -> Tri {
    kleene(items, true)
}

/// `and` (`dominant` is false) and `or` (`dominant` is true): the dominant value wins over
/// unknown, and unknown over the other value.
#[inline]
fn kleene(items: impl IntoIterator<Item = Tri>, dominant: bool) -> Tri {
    let mut unknown = false;
    for v in items {
        match v.and_then(Value::as_bool) {
            Some(b) if b == dominant => return Some(Value::Bool(dominant)),
            Some(_) => {}
            None => unknown = true,
        }
    }
    if unknown {
        None
    } else {
        Some(Value::Bool(!dominant))
    }
}

pub fn compare(op: CompareOp, l: Tri, r: Tri) -> Tri {
    let (l, r) = (l?, r?);
    let b = match op {
        CompareOp::Eq => l == r,
        CompareOp::Ne => l != r,
        _ => {
            let (a, b) = (l.ordinal()?, r.ordinal()?);
            match op {
                CompareOp::Lt => a < b,
                CompareOp::Le => a <= b,
                CompareOp::Gt => a > b,
                _ => a >= b,
            }
        }
    };
    Some(Value::Bool(b))
}

/// `element in {items}`: true if any item equals it; unknown if an unknown item might.
pub fn in_list(element: Tri, items: impl IntoIterator<Item = Tri>) -> Tri {
    let el = element?;
    // `element == item1 or element == item2 or ...`.
    or(items.into_iter().map(|item| item.map(|v| Value::Bool(v == el))))
}

pub fn in_set(element: Tri, set: Tri) -> Tri {
    match (element?, set?) {
        (Value::Word(w), Value::Words(bits)) => {
            Some(Value::Bool(w < 64 && bits & (1u64 << w) != 0))
        }
        _ => None,
    }
}

pub fn in_range(element: Tri, low: Tri, high: Tri, inclusive: bool) -> Tri {
    let above = compare(CompareOp::Ge, element, low);
    let below = compare(if inclusive { CompareOp::Le } else { CompareOp::Lt }, element, high);
    and([above, below])
}

/// Arithmetic; an overflow or a date off the calendar is unknown rather than a panic.
pub fn arith(op: ArithOp, l: Tri, r: Tri) -> Tri {
    let (l, r) = (l?, r?);
    match (op, l, r) {
        (ArithOp::IntAdd, Value::Int(a), Value::Int(b)) => a.checked_add(b).map(Value::Int),
        (ArithOp::IntSub, Value::Int(a), Value::Int(b)) => a.checked_sub(b).map(Value::Int),
        (ArithOp::DurAdd, Value::Duration(a, u), Value::Duration(b, _)) => {
            a.checked_add(b).map(|n| Value::Duration(n, u))
        }
        (ArithOp::DurSub, Value::Duration(a, u), Value::Duration(b, _)) => {
            a.checked_sub(b).map(|n| Value::Duration(n, u))
        }
        (ArithOp::DatePlus, Value::Date(d), Value::Duration(n, u)) => d.add(n, u).map(Value::Date),
        (ArithOp::DateMinus, Value::Date(d), Value::Duration(n, u)) => {
            d.add(n.checked_neg()?, u).map(Value::Date)
        }
        (ArithOp::DaysBetween, Value::Date(a), Value::Date(b)) => {
            Some(Value::Duration(i64::from(a.0) - i64::from(b.0), pol_syntax::ast::Unit::Days))
        }
        _ => None,
    }
}

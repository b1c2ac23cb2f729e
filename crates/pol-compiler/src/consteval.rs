//! Constant folding: the value, at compile time, of an expression that reads no case.
//!
//! Resolution calls it for every constant and parameter value; the caller tells an
//! expression that reads the case (E0306) from one whose arithmetic overflows (E0308). It
//! walks the typed IR with the engine's own operators (`ops.rs`), so a constant means what
//! the same expression means in a rule. The engine's semantics, constants included, are
//! checked from outside by the independent model in `crates/pol-model`.

use crate::ir::{PolicySet, TExpr, TExprKind};
use crate::ops;
use crate::value::{Tri, Value};

/// The value of `e` when no case is at hand: facts, `as_of` and parameters (read at
/// `as_of`) are unknown, so an expression that needs them is `None`; so is one whose
/// arithmetic overflows or leaves the calendar. Kleene logic still applies: `false and
/// fact` is `false`.
pub fn eval_const(set: &PolicySet, e: &TExpr) -> Option<Value> {
    // Each let's value is remembered: expanding lets shared by other lets afresh on every
    // path would take exponential time.
    let mut lets = vec![None; set.lets.len()];
    fold(set, e, &mut lets)
}

fn fold(set: &PolicySet, e: &TExpr, lets: &mut Vec<Option<Tri>>) -> Tri {
    let mut ev = |x: &TExpr| fold(set, x, lets);
    match &e.kind {
        TExprKind::Lit(v) => Some(*v),
        TExprKind::Fact(_) | TExprKind::AsOf | TExprKind::Param(_) => None,
        TExprKind::Const(c) => set.consts.get(c).map(|c| c.value),
        TExprKind::Let(l) => {
            if let Some(Some(v)) = lets.get(l.index()) {
                return *v;
            }
            let v = fold(set, &set.lets.get(l)?.value, lets);
            if let Some(slot) = lets.get_mut(l.index()) {
                *slot = Some(v);
            }
            v
        }
        TExprKind::Not(x) => ops::not(ev(x)),
        TExprKind::And(xs) => ops::and(xs.iter().map(ev).collect::<Vec<_>>()),
        TExprKind::Or(xs) => ops::or(xs.iter().map(ev).collect::<Vec<_>>()),
        TExprKind::Compare(op, l, r) => {
            let l = ev(l);
            ops::compare(*op, l, ev(r))
        }
        TExprKind::InList(el, items) => {
            let el = ev(el);
            ops::in_list(el, items.iter().map(ev).collect::<Vec<_>>())
        }
        TExprKind::InSet(el, s) => {
            let el = ev(el);
            ops::in_set(el, ev(s))
        }
        TExprKind::InRange { element, low, high, inclusive } => {
            let (element, low) = (ev(element), ev(low));
            ops::in_range(element, low, ev(high), *inclusive)
        }
        TExprKind::Arith(op, l, r) => {
            let l = ev(l);
            ops::arith(*op, l, ev(r))
        }
    }
}

//! The reference evaluator: a deliberately naive tree-walker over the typed IR.
//!
//! It is the model the evaluation graph is checked against (tests compare them on generated
//! cases), and it evaluates constants at compile time. It is never on the hot path.

use crate::ir::{PolicySet, TExpr, TExprKind};
use crate::ops;
use crate::value::{Day, Tri, Value};

/// What an expression may read: facts by slot, and the case's date.
pub trait Env {
    fn fact(&self, slot: usize) -> Tri;
    fn as_of(&self) -> Option<Day>;
}

struct NoCase;

impl Env for NoCase {
    fn fact(&self, _: usize) -> Tri {
        None
    }
    fn as_of(&self) -> Option<Day> {
        None
    }
}

/// Evaluates `e` for a case. Lets are expanded in place and parameters read at `as_of`.
pub fn eval(set: &PolicySet, env: &dyn Env, e: &TExpr) -> Tri {
    // Each let's value is remembered for the rest of this evaluation: expanding lets shared
    // by other lets afresh on every path would take exponential time.
    let mut lets = vec![None; set.lets.len()];
    eval_in(set, env, e, &mut lets)
}

fn eval_in(set: &PolicySet, env: &dyn Env, e: &TExpr, lets: &mut Vec<Option<Tri>>) -> Tri {
    let mut ev = |x: &TExpr| eval_in(set, env, x, lets);
    match &e.kind {
        TExprKind::Lit(v) => Some(*v),
        TExprKind::Fact(f) => env.fact(f.index()),
        TExprKind::AsOf => env.as_of().map(Value::Date),
        TExprKind::Const(c) => set.consts.get(c.index()).map(|c| c.value),
        TExprKind::Param(p) => {
            let day = env.as_of()?;
            set.params.get(p.index())?.at(day).map(|v| v.value)
        }
        TExprKind::Let(l) => {
            if let Some(Some(v)) = lets.get(l.index()) {
                return *v;
            }
            let v = eval_in(set, env, &set.lets.get(l.index())?.value, lets);
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
        TExprKind::InRange {
            element,
            low,
            high,
            inclusive,
        } => {
            let (element, low) = (ev(element), ev(low));
            ops::in_range(element, low, ev(high), *inclusive)
        }
        TExprKind::Arith(op, l, r) => {
            let l = ev(l);
            ops::arith(*op, l, ev(r))
        }
    }
}

/// Evaluates an expression that must not depend on a case; `None` if it does.
pub fn eval_const(set: &PolicySet, e: &TExpr) -> Option<Value> {
    eval(set, &NoCase, e)
}

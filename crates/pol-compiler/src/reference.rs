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
    match &e.kind {
        TExprKind::Lit(v) => Some(*v),
        TExprKind::Fact(f) => env.fact(f.index()),
        TExprKind::AsOf => env.as_of().map(Value::Date),
        TExprKind::Const(c) => set.consts.get(c.index()).map(|c| c.value),
        TExprKind::Param(p) => {
            let day = env.as_of()?;
            set.params.get(p.index())?.at(day).map(|v| v.value)
        }
        TExprKind::Let(l) => eval(set, env, &set.lets.get(l.index())?.value),
        TExprKind::Not(x) => ops::not(eval(set, env, x)),
        TExprKind::And(xs) => ops::and(xs.iter().map(|x| eval(set, env, x))),
        TExprKind::Or(xs) => ops::or(xs.iter().map(|x| eval(set, env, x))),
        TExprKind::Compare(op, l, r) => ops::compare(*op, eval(set, env, l), eval(set, env, r)),
        TExprKind::InList(el, items) => {
            ops::in_list(eval(set, env, el), items.iter().map(|x| eval(set, env, x)))
        }
        TExprKind::InSet(el, s) => ops::in_set(eval(set, env, el), eval(set, env, s)),
        TExprKind::InRange {
            element,
            low,
            high,
            inclusive,
        } => ops::in_range(
            eval(set, env, element),
            eval(set, env, low),
            eval(set, env, high),
            *inclusive,
        ),
        TExprKind::Arith(op, l, r) => ops::arith(*op, eval(set, env, l), eval(set, env, r)),
    }
}

/// Evaluates an expression that must not depend on a case; `None` if it does.
pub fn eval_const(set: &PolicySet, e: &TExpr) -> Option<Value> {
    eval(set, &NoCase, e)
}

//! The three-valued evaluator: a plain tree walk over the typed IR.
//!
//! Every value is known or unknown (`None`). `and`/`or` are Kleene's (false wins a
//! conjunction, true a disjunction); every other operator is unknown as soon as an operand
//! it needs is, as `docs/semantics.md` says. Arithmetic that leaves 64 bits or the calendar is
//! unknown too (the language's documented rule, docs/testing.md "Open").

use pol_compiler::ir::{ArithOp, PolicySet, TExpr, TExprKind};
use pol_compiler::value::{Day, Symbol, Value};
use pol_compiler::Case;
use pol_syntax::ast::{CompareOp, Unit};

use crate::calendar;

/// One case as the model reads it: a value (or unknown) per fact, indexed by `FactId`,
/// and the date the case is decided on.
#[derive(Clone, Copy, Debug)]
pub struct Facts<'a> {
    pub values: &'a [Option<Value>],
    pub as_of: Day,
    /// The case's strings that no policy mentions (see [`Case::extra_strings`]).
    pub extra_strings: &'a [String],
}

impl<'a> Facts<'a> {
    /// The facts of a decoded case; `None` without an `as_of` date.
    pub fn of(case: &'a Case) -> Option<Facts<'a>> {
        Some(Facts { values: &case.facts, as_of: case.as_of?, extra_strings: &case.extra_strings })
    }
}

/// Evaluates `e` for one case: facts as given, parameters at `as_of`, lets expanded.
pub fn eval(set: &PolicySet, facts: &Facts<'_>, e: &TExpr) -> Option<Value> {
    Evaluator::new(set).eval(facts, e)
}

/// The truth of a value: `None` when it is unknown (or, which cannot happen in checked IR,
/// not a truth value).
pub fn truth(v: Option<Value>) -> Option<bool> {
    match v {
        Some(Value::Bool(b)) => Some(b),
        _ => None,
    }
}

/// A tree walker that remembers each `let`'s value until [`Evaluator::forget`]: lets shared
/// by other lets are expanded once per evaluation, not once per path to them.
pub(crate) struct Evaluator<'s> {
    set: &'s PolicySet,
    lets: Vec<Option<Option<Value>>>,
}

impl<'s> Evaluator<'s> {
    pub(crate) fn new(set: &'s PolicySet) -> Evaluator<'s> {
        Evaluator { set, lets: vec![None; set.lets.len()] }
    }

    /// Forgets the remembered lets: call between cases.
    pub(crate) fn forget(&mut self) {
        self.lets.iter_mut().for_each(|l| *l = None);
    }

    pub(crate) fn eval(&mut self, facts: &Facts<'_>, e: &TExpr) -> Option<Value> {
        match &e.kind {
            TExprKind::Lit(v) => Some(*v),
            TExprKind::Fact(f) => facts.values.get(f.index()).copied().flatten(),
            TExprKind::AsOf => Some(Value::Date(facts.as_of)),
            TExprKind::Const(c) => self.set.consts.get(c).map(|c| c.value),
            TExprKind::Param(p) => {
                // The value in force: the last one whose date is on or before `as_of`.
                let param = self.set.params.get(p)?;
                param
                    .values
                    .iter()
                    .filter(|v| v.from <= facts.as_of)
                    .max_by_key(|v| v.from)
                    .map(|v| v.value)
            }
            TExprKind::Let(l) => {
                if let Some(Some(v)) = self.lets.get(l.index()) {
                    return *v;
                }
                let set = self.set;
                let v = self.eval(facts, &set.lets.get(l)?.value);
                if let Some(slot) = self.lets.get_mut(l.index()) {
                    *slot = Some(v);
                }
                v
            }
            TExprKind::Not(x) => self.truth(facts, x).map(|b| Value::Bool(!b)),
            TExprKind::And(xs) => self.kleene(facts, xs, false),
            TExprKind::Or(xs) => self.kleene(facts, xs, true),
            TExprKind::Compare(op, l, r) => {
                let l = self.eval(facts, l);
                let r = self.eval(facts, r);
                compare(self.set, facts, *op, l?, r?).map(Value::Bool)
            }
            TExprKind::InList(element, items) => {
                // `x in {a, b}` is `x == a or x == b`, but unknown whenever `x` is.
                let x = self.eval(facts, element)?;
                let mut found = Some(false);
                for item in items {
                    match self.eval(facts, item) {
                        Some(v) if same(self.set, facts, x, v)? => return Some(Value::Bool(true)),
                        Some(_) => {}
                        None => found = None,
                    }
                }
                found.map(Value::Bool)
            }
            TExprKind::InSet(element, set) => {
                let word = self.eval(facts, element);
                let words = self.eval(facts, set);
                match (word?, words?) {
                    (Value::Word(w), Value::Words(bits)) => {
                        Some(Value::Bool(u32::from(w) < u64::BITS && (bits >> w) & 1 == 1))
                    }
                    _ => None,
                }
            }
            TExprKind::InRange { element, low, high, inclusive } => {
                // `lo <= x and x < hi` (or `x <= hi`), Kleene's `and`.
                let x = self.eval(facts, element);
                let lo = self.eval(facts, low);
                let hi = self.eval(facts, high);
                let above = x.zip(lo).and_then(|(x, lo)| Some(order(lo)? <= order(x)?));
                let below = x.zip(hi).and_then(|(x, hi)| {
                    let (x, hi) = (order(x)?, order(hi)?);
                    Some(if *inclusive { x <= hi } else { x < hi })
                });
                match (above, below) {
                    (Some(false), _) | (_, Some(false)) => Some(Value::Bool(false)),
                    (Some(true), Some(true)) => Some(Value::Bool(true)),
                    _ => None,
                }
            }
            TExprKind::Arith(op, l, r) => {
                let l = self.eval(facts, l);
                let r = self.eval(facts, r);
                arith(*op, l?, r?)
            }
        }
    }

    fn truth(&mut self, facts: &Facts<'_>, e: &TExpr) -> Option<bool> {
        truth(self.eval(facts, e))
    }

    /// Kleene's `and` (`decisive` false) or `or` (`decisive` true) of `xs`: one operand
    /// that is `decisive` decides it; else any unknown operand leaves it unknown.
    fn kleene(&mut self, facts: &Facts<'_>, xs: &[TExpr], decisive: bool) -> Option<Value> {
        let mut whole = Some(!decisive);
        for x in xs {
            match self.truth(facts, x) {
                Some(b) if b == decisive => return Some(Value::Bool(decisive)),
                Some(_) => {}
                None => whole = None,
            }
        }
        whole.map(Value::Bool)
    }
}

/// The number that orders values of one ordered type.
fn order(v: Value) -> Option<i64> {
    match v {
        Value::Int(n) | Value::Duration(n, _) => Some(n),
        Value::Date(d) => Some(i64::from(d.0)),
        _ => None,
    }
}

fn compare(set: &PolicySet, facts: &Facts<'_>, op: CompareOp, l: Value, r: Value) -> Option<bool> {
    Some(match op {
        CompareOp::Eq => same(set, facts, l, r)?,
        CompareOp::Ne => !same(set, facts, l, r)?,
        CompareOp::Lt => order(l)? < order(r)?,
        CompareOp::Le => order(l)? <= order(r)?,
        CompareOp::Gt => order(l)? > order(r)?,
        CompareOp::Ge => order(l)? >= order(r)?,
    })
}

/// Equality of two values of one type. Strings are equal when their texts are (a case's
/// own strings are interned apart from the policies'); a string whose text is not at hand
/// (a stand-in for "some string no policy mentions") equals only itself.
fn same(set: &PolicySet, facts: &Facts<'_>, l: Value, r: Value) -> Option<bool> {
    Some(match (l, r) {
        (Value::Str(a), Value::Str(b)) => match (text(set, facts, a), text(set, facts, b)) {
            (Some(a), Some(b)) => a == b,
            _ => a == b,
        },
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Word(a), Value::Word(b)) => a == b,
        (Value::Words(a), Value::Words(b)) => a == b,
        (Value::Int(a), Value::Int(b)) => a == b,
        (Value::Date(a), Value::Date(b)) => a == b,
        (Value::Duration(a, u), Value::Duration(b, v)) if u == v => a == b,
        _ => return None,
    })
}

fn text<'a>(set: &'a PolicySet, facts: &Facts<'a>, s: Symbol) -> Option<&'a str> {
    let i = s.0 as usize;
    match set.strings.get(i) {
        Some(t) => Some(t),
        None => facts.extra_strings.get(i.checked_sub(set.strings.len())?).map(String::as_str),
    }
}

fn arith(op: ArithOp, l: Value, r: Value) -> Option<Value> {
    match (op, l, r) {
        (ArithOp::IntAdd, Value::Int(a), Value::Int(b)) => a.checked_add(b).map(Value::Int),
        (ArithOp::IntSub, Value::Int(a), Value::Int(b)) => a.checked_sub(b).map(Value::Int),
        (ArithOp::DurAdd, Value::Duration(a, u), Value::Duration(b, v)) if u == v => {
            a.checked_add(b).map(|n| Value::Duration(n, u))
        }
        (ArithOp::DurSub, Value::Duration(a, u), Value::Duration(b, v)) if u == v => {
            a.checked_sub(b).map(|n| Value::Duration(n, u))
        }
        (ArithOp::DatePlus, Value::Date(d), Value::Duration(n, u)) => {
            calendar::add(d, n, u).map(Value::Date)
        }
        (ArithOp::DateMinus, Value::Date(d), Value::Duration(n, u)) => {
            calendar::add(d, n.checked_neg()?, u).map(Value::Date)
        }
        (ArithOp::DaysBetween, Value::Date(a), Value::Date(b)) => {
            Some(Value::Duration(i64::from(a.0) - i64::from(b.0), Unit::Days))
        }
        _ => None,
    }
}

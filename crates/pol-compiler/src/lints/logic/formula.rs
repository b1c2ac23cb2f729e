//! From typed conditions to formulas over abstract variables.
//!
//! A condition becomes a tree of `and`, `or`, `not` over atoms, each atom saying that one
//! variable lies in a [`Dom`]. A variable is what the lints can reason about:
//! - the value of a term (a fact, `as_of`, a parameter, or arithmetic over them), when it
//!   is compared with a constant: `applicant.age >= 18` is `age ∈ [18, MAX]`;
//! - the order of two terms, when neither is constant: `trip.return > trip.depart`;
//! - whether a word is in a set fact: `asylum in applicant.pending`.
//!
//! `let`s are expanded, constants are folded. The translation over-approximates: every
//! real case maps to an assignment of the variables (arithmetic results are independent
//! variables), so a formula the solver finds unsatisfiable is unsatisfiable for real.
//! What it cannot model becomes a fresh variable, which only makes it find less.

use std::collections::HashMap;

use pol_syntax::ast::CompareOp;

use crate::ir::*;
use crate::ops;
use crate::types::Type;
use crate::value::Value;

use super::domain::Dom;
use super::solve::{self, Budget, Part, Sat};

/// A variable of the solver.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VarId(pub u32);

/// A boolean formula over atoms `variable ∈ set`.
#[derive(Clone, Debug, PartialEq)]
pub enum Formula {
    Const(bool),
    Atom(VarId, Dom),
    Not(Box<Formula>),
    And(Vec<Formula>),
    Or(Vec<Formula>),
}

impl Formula {
    /// The number of nodes, to bound the expansion of `let`s.
    pub fn size(&self) -> usize {
        match self {
            Formula::Const(_) | Formula::Atom(..) => 1,
            Formula::Not(f) => 1 + f.size(),
            Formula::And(fs) | Formula::Or(fs) => 1 + fs.iter().map(Formula::size).sum::<usize>(),
        }
    }

    pub fn negate(self) -> Formula {
        match self {
            Formula::Const(b) => Formula::Const(!b),
            Formula::Not(f) => *f,
            f => Formula::Not(Box::new(f)),
        }
    }
}

/// A non-constant value, structurally: equal terms are the same variable.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Term {
    Fact(FactId),
    AsOf,
    Param(ParamId),
    /// A constant operand of arithmetic or membership, by a key of its value.
    Lit(u8, i64, i64),
    /// Arithmetic, by a key of the operator.
    Arith(u8, Box<Term>, Box<Term>),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum VarKey {
    Value(Term),
    /// The order of two different terms, the smaller (in `Term` order) first.
    Order(Term, Term),
    /// Whether the word `.1` is in the set `.0`.
    Member(Term, Term),
    /// A `let` too large to expand.
    Let(LetId),
    /// Something not modelled; equal to nothing else.
    Opaque(u32),
}

/// What an operand is: a known constant, a term, or something not modelled.
#[derive(Clone)]
enum Operand {
    Known(Value),
    Term(Term),
    Unknown,
}

/// Beyond this depth of `let`s within `let`s, a `let` is not expanded further.
const MAX_DEPTH: u32 = 128;
/// A `let` whose formula has more nodes than this is a variable of its own.
const MAX_LET_SIZE: usize = 2_000;

/// The steps of search one lint run may spend in all (see [`Budget`]): the shipped policies
/// take about a thousand, 1,200 synthetic rules under a million. Far more than policies
/// need, and a bound on the time a policy built to be slow to lint can take.
const RUN_BUDGET: usize = 10_000_000;

/// Translates the conditions of one policy set and answers questions about them. One
/// serves every check of a lint run, so the same fact is the same variable everywhere and
/// the run's budget is shared.
pub struct Logic<'s> {
    set: &'s PolicySet,
    vars: HashMap<VarKey, VarId>,
    lets: HashMap<LetId, Formula>,
    opaque: u32,
    depth: u32,
    budget: Budget,
}

impl<'s> Logic<'s> {
    pub fn new(set: &'s PolicySet) -> Logic<'s> {
        Logic {
            set,
            vars: HashMap::new(),
            lets: HashMap::new(),
            opaque: 0,
            depth: 0,
            budget: Budget::new(RUN_BUDGET),
        }
    }

    /// Whether some assignment makes every part true ([`solve::satisfiable`]).
    pub fn satisfiable(&mut self, parts: &[Part]) -> Sat {
        solve::satisfiable(parts, &mut self.budget)
    }

    /// A small unsatisfiable subset of `items` given `fixed` ([`solve::core`]).
    pub fn core(&mut self, fixed: &[Part], items: &[Part]) -> Vec<usize> {
        solve::core(fixed, items, &mut self.budget)
    }

    /// The steps of search left for this run.
    pub fn budget_left(&self) -> usize {
        self.budget.left()
    }

    fn var(&mut self, key: VarKey) -> VarId {
        let next = VarId(self.vars.len() as u32);
        *self.vars.entry(key).or_insert(next)
    }

    fn opaque(&mut self) -> Formula {
        self.opaque += 1;
        let v = self.var(VarKey::Opaque(self.opaque));
        Formula::Atom(v, Dom::boolean(true))
    }

    /// The formula of a boolean expression.
    pub fn formula(&mut self, e: &TExpr) -> Formula {
        if self.depth > MAX_DEPTH {
            return self.opaque();
        }
        self.depth += 1;
        let f = self.formula_inner(e);
        self.depth -= 1;
        f
    }

    fn formula_inner(&mut self, e: &TExpr) -> Formula {
        match &e.kind {
            TExprKind::Lit(Value::Bool(b)) => Formula::Const(*b),
            TExprKind::Const(c) => match self.set.consts.get(c).map(|c| c.value) {
                Some(Value::Bool(b)) => Formula::Const(b),
                _ => self.opaque(),
            },
            TExprKind::Fact(_) | TExprKind::Param(_) => match self.operand(e) {
                Operand::Term(t) => {
                    let v = self.var(VarKey::Value(t));
                    Formula::Atom(v, Dom::boolean(true))
                }
                _ => self.opaque(),
            },
            TExprKind::Let(l) => self.let_formula(*l),
            TExprKind::Not(x) => self.formula(x).negate(),
            TExprKind::And(xs) => Formula::And(xs.iter().map(|x| self.formula(x)).collect()),
            TExprKind::Or(xs) => Formula::Or(xs.iter().map(|x| self.formula(x)).collect()),
            TExprKind::Compare(op, l, r) => {
                if l.ty == Type::Bool {
                    let (a, b) = (self.formula(l), self.formula(r));
                    return match op {
                        CompareOp::Eq => same(a, b),
                        CompareOp::Ne => same(a, b).negate(),
                        _ => self.opaque(),
                    };
                }
                let (a, b) = (self.operand(l), self.operand(r));
                self.compare(*op, l.ty, a, b)
            }
            TExprKind::InList(el, items) => {
                let el_op = self.operand(el);
                let ops: Vec<Operand> = items.iter().map(|i| self.operand(i)).collect();
                self.in_list(el.ty, el_op, ops)
            }
            TExprKind::InSet(w, s) => match (self.operand(w), self.operand(s)) {
                (Operand::Known(w), Operand::Term(s)) => {
                    let v = self.var(VarKey::Member(s, lit(w)));
                    Formula::Atom(v, Dom::boolean(true))
                }
                (Operand::Term(w), Operand::Term(s)) => {
                    let v = self.var(VarKey::Member(s, w));
                    Formula::Atom(v, Dom::boolean(true))
                }
                (Operand::Known(w), Operand::Known(s)) => {
                    match ops::in_set(Some(w), Some(s)).and_then(Value::as_bool) {
                        Some(b) => Formula::Const(b),
                        None => self.opaque(),
                    }
                }
                _ => self.opaque(),
            },
            TExprKind::InRange { element, low, high, inclusive } => {
                let (el, lo, hi) = (self.operand(element), self.operand(low), self.operand(high));
                if let (Operand::Term(t), Operand::Known(lo), Operand::Known(hi)) = (&el, &lo, &hi)
                {
                    if let (Some(lo), Some(hi)) = (lo.ordinal(), hi.ordinal()) {
                        let hi = if *inclusive { Some(hi) } else { hi.checked_sub(1) };
                        let dom = hi.map_or(Dom::Ranges(Vec::new()), |hi| Dom::between(lo, hi));
                        let v = self.var(VarKey::Value(t.clone()));
                        return Formula::Atom(v, dom);
                    }
                }
                let upper = if *inclusive { CompareOp::Le } else { CompareOp::Lt };
                let ty = element.ty;
                Formula::And(vec![
                    self.compare(CompareOp::Ge, ty, el.clone(), lo),
                    self.compare(upper, ty, el, hi),
                ])
            }
            _ => self.opaque(),
        }
    }

    fn let_formula(&mut self, l: LetId) -> Formula {
        if let Some(f) = self.lets.get(&l) {
            return f.clone();
        }
        let set = self.set;
        let f = match set.lets.get(l) {
            Some(def) => self.formula(&def.value),
            None => self.opaque(),
        };
        let f = if f.size() > MAX_LET_SIZE {
            let v = self.var(VarKey::Let(l));
            Formula::Atom(v, Dom::boolean(true))
        } else {
            f
        };
        self.lets.insert(l, f.clone());
        f
    }

    /// The value of a non-boolean expression: a constant or a term.
    fn operand(&mut self, e: &TExpr) -> Operand {
        if self.depth > MAX_DEPTH {
            return Operand::Unknown;
        }
        self.depth += 1;
        let o = self.operand_inner(e);
        self.depth -= 1;
        o
    }

    fn operand_inner(&mut self, e: &TExpr) -> Operand {
        match &e.kind {
            TExprKind::Lit(v) => Operand::Known(*v),
            TExprKind::Const(c) => {
                self.set.consts.get(c).map_or(Operand::Unknown, |c| Operand::Known(c.value))
            }
            TExprKind::Fact(f) => Operand::Term(Term::Fact(*f)),
            TExprKind::AsOf => Operand::Term(Term::AsOf),
            TExprKind::Param(p) => Operand::Term(Term::Param(*p)),
            TExprKind::Let(l) => {
                let set = self.set;
                match set.lets.get(l) {
                    Some(def) => self.operand(&def.value),
                    None => Operand::Unknown,
                }
            }
            TExprKind::Arith(op, a, b) => match (self.operand(a), self.operand(b)) {
                (Operand::Known(x), Operand::Known(y)) => {
                    ops::arith(*op, Some(x), Some(y)).map_or(Operand::Unknown, Operand::Known)
                }
                (Operand::Unknown, _) | (_, Operand::Unknown) => Operand::Unknown,
                (x, y) => Operand::Term(Term::Arith(
                    arith_key(*op),
                    Box::new(term_of(x)),
                    Box::new(term_of(y)),
                )),
            },
            _ => Operand::Unknown,
        }
    }

    /// `a op b` for operands of type `ty` (not boolean).
    fn compare(&mut self, op: CompareOp, ty: Type, a: Operand, b: Operand) -> Formula {
        match (a, b) {
            (Operand::Known(x), Operand::Known(y)) => {
                match ops::compare(op, Some(x), Some(y)).and_then(Value::as_bool) {
                    Some(b) => Formula::Const(b),
                    None => self.opaque(),
                }
            }
            (Operand::Term(t), Operand::Known(k)) => self.constrain(t, ty, op, k),
            (Operand::Known(k), Operand::Term(t)) => self.constrain(t, ty, op.flipped(), k),
            (Operand::Term(x), Operand::Term(y)) => {
                if x == y {
                    // Under any values, a term equals itself.
                    return Formula::Const(matches!(
                        op,
                        CompareOp::Eq | CompareOp::Le | CompareOp::Ge
                    ));
                }
                let (x, y, op) = if x <= y { (x, y, op) } else { (y, x, op.flipped()) };
                let v = self.var(VarKey::Order(x, y));
                Formula::Atom(v, Dom::order(op))
            }
            _ => self.opaque(),
        }
    }

    /// The atom `t op k`.
    fn constrain(&mut self, t: Term, ty: Type, op: CompareOp, k: Value) -> Formula {
        let dom = match (ty, k) {
            (Type::Int | Type::Date | Type::Duration(_), k) => match k.ordinal() {
                Some(k) => Dom::compare(op, k),
                None => return self.opaque(),
            },
            (Type::Enum(e), Value::Word(w)) => {
                let count = self.set.enums.get(e).map_or(64, |d| d.words.len());
                let one = Dom::words(1u64 << w.min(63), count);
                match op {
                    CompareOp::Eq => one,
                    CompareOp::Ne => one.complement(),
                    _ => return self.opaque(),
                }
            }
            (Type::Str, Value::Str(s)) => match op {
                CompareOp::Eq => Dom::string(s),
                CompareOp::Ne => Dom::string(s).complement(),
                _ => return self.opaque(),
            },
            _ => return self.opaque(),
        };
        let v = self.var(VarKey::Value(t));
        Formula::Atom(v, dom)
    }

    /// `el in {items}`: one atom when the items are constants, else a disjunction.
    fn in_list(&mut self, ty: Type, el: Operand, items: Vec<Operand>) -> Formula {
        if let Operand::Term(t) = &el {
            let mut dom: Option<Dom> = None;
            let mut all_known = true;
            for item in &items {
                let Operand::Known(k) = item else {
                    all_known = false;
                    break;
                };
                let Formula::Atom(_, d) = self.constrain(t.clone(), ty, CompareOp::Eq, *k) else {
                    all_known = false;
                    break;
                };
                dom = match dom {
                    None => Some(d),
                    Some(acc) => acc.union(&d),
                };
                if dom.is_none() {
                    all_known = false;
                    break;
                }
            }
            if all_known {
                let v = self.var(VarKey::Value(t.clone()));
                return match dom {
                    Some(d) => Formula::Atom(v, d),
                    // `x in {}` holds for no value.
                    None => Formula::Const(false),
                };
            }
        }
        if matches!(el, Operand::Unknown) {
            return self.opaque();
        }
        let alternatives = items
            .into_iter()
            .map(|item| self.compare(CompareOp::Eq, ty, el.clone(), item))
            .collect();
        Formula::Or(alternatives)
    }

    /// "The date `at` (default `as_of`) lies in `[low, high]`": a policy's program window,
    /// which is not an expression of the language.
    pub fn date_between(
        &mut self,
        at: &Option<TExpr>,
        low: Option<i64>,
        high: Option<i64>,
    ) -> Formula {
        let operand = match at {
            Some(e) => self.operand(e),
            None => Operand::Term(Term::AsOf),
        };
        let dom = Dom::between(low.unwrap_or(i64::MIN), high.unwrap_or(i64::MAX));
        match operand {
            Operand::Term(t) => {
                let v = self.var(VarKey::Value(t));
                Formula::Atom(v, dom)
            }
            Operand::Known(k) => match k.ordinal() {
                Some(d) => Formula::Const(
                    Dom::between(d, d).intersect(&dom).is_some_and(|d| !d.is_empty()),
                ),
                None => self.opaque(),
            },
            Operand::Unknown => self.opaque(),
        }
    }
}

/// `a == b` for booleans.
fn same(a: Formula, b: Formula) -> Formula {
    Formula::Or(vec![
        Formula::And(vec![a.clone(), b.clone()]),
        Formula::And(vec![a.negate(), b.negate()]),
    ])
}

fn term_of(o: Operand) -> Term {
    match o {
        Operand::Known(v) => lit(v),
        Operand::Term(t) => t,
        // The callers rule this out; a literal that matches nothing keeps it harmless.
        Operand::Unknown => Term::Lit(u8::MAX, 0, 0),
    }
}

/// A constant as a term (for arithmetic and set membership).
fn lit(v: Value) -> Term {
    match v {
        Value::Bool(b) => Term::Lit(0, i64::from(b), 0),
        Value::Int(i) => Term::Lit(1, i, 0),
        Value::Date(d) => Term::Lit(2, i64::from(d.0), 0),
        Value::Duration(n, u) => Term::Lit(3, n, u as i64),
        Value::Str(s) => Term::Lit(4, i64::from(s.0), 0),
        Value::Word(w) => Term::Lit(5, i64::from(w), 0),
        // Bits as a signed number: a distinct key for a distinct set.
        Value::Words(b) => Term::Lit(6, b as i64, 0),
    }
}

fn arith_key(op: ArithOp) -> u8 {
    match op {
        ArithOp::IntAdd => 0,
        ArithOp::IntSub => 1,
        ArithOp::DurAdd => 2,
        ArithOp::DurSub => 3,
        ArithOp::DatePlus => 4,
        ArithOp::DateMinus => 5,
        ArithOp::DaysBetween => 6,
    }
}

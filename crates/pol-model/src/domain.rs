//! Representative values: for each fact a policy reads, a finite set of values such that
//! every value the fact could take behaves like one of them.
//!
//! Derived here from the typed IR, generously (more values than needed is only slower):
//! - bools: both; enums: every word; sets: every subset of the enum's words;
//! - strings: every string literal of the policy set, the known values of the other string
//!   facts, and one string nobody mentions;
//! - integers, dates and durations: every constant of the type the policy meets (literals,
//!   constants, every value of every parameter, program window dates, `as_of` for dates,
//!   0 for numbers, the known values of the other facts of the type), each moved by every
//!   offset the policy's arithmetic could add (durations for dates; integers for integers;
//!   for `date - date`, differences of the date constants for day counts), then one below
//!   and one above. Month and year offsets clamp at month ends, so around them four days on
//!   either side are taken. Dates stay within the years a case can write (0000 to 9999).

use std::collections::BTreeSet;

use pol_compiler::ir::{
    ArithOp, ConstraintKind, FactId, LetId, PolicyDef, PolicySet, TExpr, TExprKind,
};
use pol_compiler::types::Type;
use pol_compiler::value::{Day, Symbol, Value};
use pol_syntax::ast::Unit;

use crate::calendar;
use crate::eval::Facts;

/// Sets of more words than this are not enumerated subset by subset: only the words the
/// policy names are, with one word it does not name.
pub const MAX_SET_WORDS: usize = 12;

/// A stand-in for a string no policy mentions, as fact `f`'s value: its text is not at
/// hand, so it equals only itself. Stand-ins count down from `u32::MAX`, far past any
/// string table.
pub fn unmentioned_string(f: FactId) -> Symbol {
    Symbol(u32::MAX - f.0)
}

/// What a policy's expressions contain, for choosing representative values.
#[derive(Default, Debug)]
pub(crate) struct Constants {
    ints: BTreeSet<i64>,
    dates: BTreeSet<i64>,
    durations: BTreeSet<(i64, u8)>,
    /// Enum words named, as (enum, word).
    words: BTreeSet<(u32, u16)>,
    int_arith: bool,
    date_arith: bool,
    duration_arith: bool,
    days_between: bool,
    /// Facts read by the rules that decide (not warnings, forms or validity), in order.
    pub(crate) decision_facts: Vec<FactId>,
    /// Facts read anywhere in the policy, in order.
    pub(crate) all_facts: Vec<FactId>,
}

fn unit_code(u: Unit) -> u8 {
    match u {
        Unit::Days => 0,
        Unit::Months => 1,
        Unit::Years => 2,
    }
}

fn unit_of(code: u8) -> Unit {
    match code {
        0 => Unit::Days,
        1 => Unit::Months,
        _ => Unit::Years,
    }
}

struct Walk<'s> {
    set: &'s PolicySet,
    seen_lets: Vec<bool>,
    facts: BTreeSet<FactId>,
    out: Constants,
}

impl Walk<'_> {
    fn value(&mut self, v: Value, ty: Type) {
        match (v, ty) {
            (Value::Int(n), _) => {
                self.out.ints.insert(n);
            }
            (Value::Date(d), _) => {
                self.out.dates.insert(i64::from(d.0));
            }
            (Value::Duration(n, u), _) => {
                self.out.durations.insert((n, unit_code(u)));
            }
            (Value::Word(w), Type::Enum(e)) => {
                self.out.words.insert((e.0, w));
            }
            _ => {}
        }
    }

    fn expr(&mut self, e: &TExpr) {
        let mut stack = vec![e];
        while let Some(e) = stack.pop() {
            match &e.kind {
                TExprKind::Lit(v) => self.value(*v, e.ty),
                TExprKind::Fact(f) => {
                    self.facts.insert(*f);
                }
                TExprKind::AsOf => {}
                TExprKind::Const(c) => {
                    if let Some(c) = self.set.consts.get(c) {
                        self.value(c.value, c.ty);
                    }
                }
                TExprKind::Param(p) => {
                    if let Some(p) = self.set.params.get(p) {
                        for v in &p.values {
                            self.value(v.value, p.ty);
                        }
                    }
                }
                // Lets are walked once each, by `walk_all`.
                TExprKind::Let(_) => {}
                TExprKind::Not(x) => stack.push(x),
                TExprKind::And(xs) | TExprKind::Or(xs) => stack.extend(xs),
                TExprKind::InList(x, xs) => {
                    stack.push(x);
                    stack.extend(xs);
                }
                TExprKind::Compare(_, a, b) | TExprKind::InSet(a, b) => {
                    stack.push(a);
                    stack.push(b);
                }
                TExprKind::InRange { element, low, high, .. } => {
                    stack.extend([&**element, &**low, &**high])
                }
                TExprKind::Arith(op, a, b) => {
                    match op {
                        ArithOp::IntAdd | ArithOp::IntSub => self.out.int_arith = true,
                        ArithOp::DurAdd | ArithOp::DurSub => self.out.duration_arith = true,
                        ArithOp::DatePlus | ArithOp::DateMinus => self.out.date_arith = true,
                        ArithOp::DaysBetween => self.out.days_between = true,
                    }
                    stack.push(a);
                    stack.push(b);
                }
            }
        }
    }
}

/// The constants, arithmetic and facts of one policy.
pub(crate) fn constants(set: &PolicySet, policy: &PolicyDef) -> Constants {
    let mut walk = Walk {
        set,
        seen_lets: vec![false; set.lets.len()],
        facts: BTreeSet::new(),
        out: Constants::default(),
    };
    let mut deciding: Vec<&TExpr> = Vec::new();
    if let Some(w) = &policy.window {
        deciding.extend(&w.at);
        if let Some(p) = set.programs.get(w.program) {
            for edge in p.opened.iter().chain(&p.closed) {
                walk.out.dates.insert(i64::from(edge.day.0));
            }
        }
    }
    let mut others: Vec<&TExpr> = Vec::new();
    for r in &policy.rules {
        let into = if crate::levels::level(r.kind).is_some() { &mut deciding } else { &mut others };
        into.push(&r.condition);
        into.extend(&r.unless);
    }
    for f in &policy.forms {
        others.extend(&f.when);
    }
    for v in &policy.validities {
        others.push(&v.value);
        others.extend(&v.when);
    }
    for e in &deciding {
        walk_all(&mut walk, e);
    }
    walk.out.decision_facts = walk.facts.iter().copied().collect();
    for e in &others {
        walk_all(&mut walk, e);
    }
    walk.out.all_facts = walk.facts.iter().copied().collect();
    // The constraints' constants bound the facts too (`age >= 0`, `filed_on <= as_of`):
    // values on either side of them tell a completion that keeps a constraint from one
    // that breaks it.
    for c in &set.constraints {
        if let ConstraintKind::Condition(e) = &c.kind {
            walk_all(&mut walk, e);
        }
    }
    walk.out
}

/// Walks an expression and every `let` it reaches (each `let` once).
fn walk_all(walk: &mut Walk<'_>, e: &TExpr) {
    let set = walk.set;
    let mut pending: Vec<&TExpr> = vec![e];
    while let Some(e) = pending.pop() {
        walk.expr(e);
        for l in lets_in(e) {
            if let Some(seen) = walk.seen_lets.get_mut(l.index()) {
                if !*seen {
                    *seen = true;
                    if let Some(def) = set.lets.get(l) {
                        pending.push(&def.value);
                    }
                }
            }
        }
    }
}

/// The lets an expression names directly.
fn lets_in(e: &TExpr) -> Vec<LetId> {
    let mut out = Vec::new();
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        if let TExprKind::Let(l) = &e.kind {
            out.push(*l);
        }
        stack.extend(e.children());
    }
    out
}

/// Representative values of fact `f` for a case with `facts` known.
pub(crate) fn values(
    set: &PolicySet,
    constants: &Constants,
    f: FactId,
    facts: &Facts<'_>,
) -> Vec<Value> {
    let Some(def) = set.facts.get(f) else {
        return Vec::new();
    };
    // The known values of the other facts of the same type.
    let others = || {
        set.facts
            .iter()
            .enumerate()
            .filter(move |(i, g)| *i != f.index() && g.ty == def.ty)
            .filter_map(|(i, _)| facts.values.get(i).copied().flatten())
    };
    match def.ty {
        Type::Bool => vec![Value::Bool(false), Value::Bool(true)],
        Type::Enum(e) => {
            let n = set.enums.get(e).map_or(0, |d| d.words.len());
            (0..n).filter_map(|w| u16::try_from(w).ok()).map(Value::Word).collect()
        }
        Type::Set(e) => {
            let n = set.enums.get(e).map_or(0, |d| d.words.len());
            let words: Vec<u16> = if n <= MAX_SET_WORDS {
                (0..n).filter_map(|w| u16::try_from(w).ok()).collect()
            } else {
                let mut named: Vec<u16> = constants
                    .words
                    .iter()
                    .filter(|(en, _)| *en == e.0)
                    .map(|(_, w)| *w)
                    .take(MAX_SET_WORDS - 1)
                    .collect();
                if let Some(unnamed) =
                    (0..n).filter_map(|w| u16::try_from(w).ok()).find(|w| !named.contains(w))
                {
                    named.push(unnamed);
                }
                named
            };
            let words: Vec<u16> = words.into_iter().filter(|w| *w < 64).collect();
            (0u32..1 << words.len())
                .map(|subset| {
                    words
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| subset >> i & 1 == 1)
                        .fold(0u64, |bits, (_, w)| bits | 1 << w)
                })
                .map(Value::Words)
                .collect()
        }
        Type::Str => {
            let mut out: Vec<Value> = (0..set.strings.len())
                .filter_map(|i| u32::try_from(i).ok())
                .map(|i| Value::Str(Symbol(i)))
                .collect();
            out.extend(others());
            // A string no policy mentions, one per string fact: so two unknown string
            // facts can be equal (both take one's stand-in) or not.
            out.extend(
                set.facts
                    .iter()
                    .enumerate()
                    .filter(|(_, g)| g.ty == Type::Str)
                    .map(|(i, _)| Value::Str(unmentioned_string(FactId(i as u32)))),
            );
            let mut seen = BTreeSet::new();
            out.retain(|v| match v {
                Value::Str(s) => seen.insert(s.0),
                _ => false,
            });
            out
        }
        Type::Int => {
            let mut bases: BTreeSet<i64> = constants.ints.clone();
            bases.insert(0);
            bases.extend(others().filter_map(|v| match v {
                Value::Int(n) => Some(n),
                _ => None,
            }));
            let mut offsets = BTreeSet::from([0]);
            if constants.int_arith {
                offsets.extend(&constants.ints);
                offsets.extend(known_numbers(set, facts, |t| t == Type::Int));
            }
            numbers(&bases, &offsets).into_iter().map(Value::Int).collect()
        }
        Type::Duration(unit) => {
            let code = unit_code(unit);
            let same_unit =
                || constants.durations.iter().filter(move |(_, u)| *u == code).map(|(n, _)| *n);
            let mut bases: BTreeSet<i64> = same_unit().collect();
            bases.insert(0);
            bases.extend(others().filter_map(|v| match v {
                Value::Duration(n, _) => Some(n),
                _ => None,
            }));
            if constants.days_between && unit == Unit::Days {
                let dates = date_bases(constants, facts, set);
                for a in &dates {
                    for b in &dates {
                        bases.insert(a - b);
                    }
                }
            }
            let mut offsets = BTreeSet::from([0]);
            if constants.duration_arith {
                offsets.extend(same_unit());
                offsets.extend(known_numbers(set, facts, |t| t == Type::Duration(unit)));
            }
            numbers(&bases, &offsets).into_iter().map(|n| Value::Duration(n, unit)).collect()
        }
        Type::Date => {
            let mut bases = date_bases(constants, facts, set);
            bases.extend(others().filter_map(|v| match v {
                Value::Date(d) => Some(i64::from(d.0)),
                _ => None,
            }));
            let mut offsets: BTreeSet<(i64, u8)> = BTreeSet::from([(0, 0)]);
            if constants.date_arith || constants.days_between {
                offsets.extend(&constants.durations);
                // Known day counts another date may be compared with, through `d2 - d1`.
                offsets.extend(
                    known_numbers(set, facts, |t| t == Type::Duration(Unit::Days))
                        .map(|n| (n, unit_code(Unit::Days))),
                );
            }
            let mut points = BTreeSet::new();
            for b in &bases {
                let Ok(b) = i32::try_from(*b) else { continue };
                for (n, code) in &offsets {
                    let unit = unit_of(*code);
                    let spread = if unit == Unit::Days { 1 } else { 4 };
                    for sign in [1, -1] {
                        let Some(moved) =
                            n.checked_mul(sign).and_then(|n| calendar::add(Day(b), n, unit))
                        else {
                            continue;
                        };
                        for d in -spread..=spread {
                            if let Some(p) = calendar::add(moved, d, Unit::Days) {
                                points.insert(p);
                            }
                        }
                    }
                }
            }
            // Only the days a case can write (years 0000 to 9999): the engine refuses others.
            let first = calendar::days_from_civil(0, 1, 1);
            let last = calendar::days_from_civil(9999, 12, 31);
            points
                .into_iter()
                .filter(|d| (first..=last).contains(&i64::from(d.0)))
                .map(Value::Date)
                .collect()
        }
    }
}

/// The dates every date fact is tried around: the policy's date constants and `as_of`.
fn date_bases(constants: &Constants, facts: &Facts<'_>, set: &PolicySet) -> BTreeSet<i64> {
    let mut bases = constants.dates.clone();
    bases.insert(i64::from(facts.as_of.0));
    for (i, g) in set.facts.iter().enumerate() {
        if g.ty == Type::Date {
            if let Some(Value::Date(d)) = facts.values.get(i).copied().flatten() {
                bases.insert(i64::from(d.0));
            }
        }
    }
    bases
}

/// The known values of the facts whose type passes `ty`, as numbers.
fn known_numbers<'a>(
    set: &'a PolicySet,
    facts: &'a Facts<'_>,
    ty: impl Fn(Type) -> bool + 'a,
) -> impl Iterator<Item = i64> + 'a {
    set.facts.iter().zip(facts.values).filter(move |(g, _)| ty(g.ty)).filter_map(|(_, v)| match v {
        Some(Value::Int(n)) | Some(Value::Duration(n, _)) => Some(*n),
        _ => None,
    })
}

/// Every base moved by every offset either way, then one below and one above.
fn numbers(bases: &BTreeSet<i64>, offsets: &BTreeSet<i64>) -> Vec<i64> {
    let mut points = BTreeSet::new();
    for b in bases {
        for o in offsets {
            for moved in [b.checked_add(*o), b.checked_sub(*o)].into_iter().flatten() {
                for d in [-1, 0, 1] {
                    if let Some(p) = moved.checked_add(d) {
                        points.insert(p);
                    }
                }
            }
        }
    }
    points.into_iter().collect()
}

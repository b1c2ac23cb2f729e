//! How each fact's values fall into classes on one date.
//!
//! [`Analysis::day`] fixes the case's date: it evaluates what is fixed on that date, cuts
//! each ordered fact's values at the points where its comparisons change (`cuts.rs`),
//! evaluates each fact's local conditions on each candidate value (every bool, every enum
//! word, every combination of the words a set fact is tested for, each string a policy
//! names and "any other", each interval of an ordered fact, each feasible cell of a pair of
//! related dates), and groups values the policy never tells apart into one class. The truth
//! tables of the local conditions over the classes, with the values fixed on the date,
//! determine the diagram: equal tables share one diagram (a *regime*), whatever the date.

use std::collections::HashMap;

use crate::graph::{NodeId, PolicyGraph};
use crate::ir::{ConstraintId, ConstraintKind, PolicySet};
use crate::plan::{truth, Truth};
use crate::types::Type;
use crate::value::{Day, Symbol, Tri, Value};

use super::analysis::{
    Analysis, Atom, Cmp, PairVar, Var, CONSTRAINTS, K, MAX_CLASSES, MAX_SET_WORDS, OTHER, POLICY,
};
use super::cuts::{self, Interval, Step};

/// How one fact's values fall into classes on one date.
#[derive(Clone, Debug)]
pub struct Partition {
    pub kind: PartKind,
    /// How many classes.
    pub classes: u32,
    /// The candidate values (in the order they were tried), with the class of each: the
    /// classes are unions of candidates.
    pub candidates: Vec<Candidate>,
    /// The class of each candidate.
    pub class_of: Vec<u16>,
}

/// One candidate value of a fact: a value to evaluate, and what it stands for.
#[derive(Clone, Debug, PartialEq)]
pub enum Candidate {
    /// Exactly this value (a bool, an enum word, a set of tested words, a named string).
    Value(Value),
    /// Any string the policies do not name; `fits` whether it fits the fact's pattern (when
    /// it has one).
    OtherString { fits: Option<bool> },
    /// The ordinals of an interval (days, integers or durations).
    Range(Interval),
    /// A cell of a pair of related dates: the first in one interval, the second in another,
    /// and their difference (second − first, in days) in a third; `at` is one point of it.
    Pair { first: Interval, second: Interval, difference: Interval, at: (i64, i64) },
}

/// How a known value finds its candidate.
#[derive(Clone, Debug)]
pub enum PartKind {
    Bool,
    /// Candidate `i` is word `i`.
    Words,
    /// Candidate `i` is the set holding tested word `words[j]` when bit `j` of `i` is set.
    Sets {
        words: Vec<u16>,
    },
    /// Named strings first, then the others (fitting, then not fitting the pattern).
    Strings {
        named: Vec<Symbol>,
        other_fits: Option<usize>,
        other_unfit: Option<usize>,
    },
    /// Candidate `i` is the interval from `starts[i]` to the next start.
    Ordered {
        starts: Vec<i64>,
    },
    /// A pair of dates: the intervals of each and of their difference, and the candidate
    /// of each feasible cell (first interval, second interval, difference interval).
    Pair {
        first: Vec<i64>,
        second: Vec<i64>,
        difference: Vec<i64>,
        cells: HashMap<(u32, u32, u32), u32>,
    },
}

/// The interval that `starts` puts `v` in, as an index.
pub fn interval_of(starts: &[i64], v: i64) -> Option<usize> {
    starts.partition_point(|s| *s <= v).checked_sub(1)
}

/// The interval `i` of `starts`, up to `hi`.
pub fn interval(starts: &[i64], i: usize, hi: i64) -> Option<Interval> {
    let lo = *starts.get(i)?;
    let hi = starts.get(i + 1).map_or(hi, |n| n.saturating_sub(1));
    Some(Interval { lo, hi })
}

/// The days a pair's difference can span.
pub fn difference_domain() -> Interval {
    let dom = fact_domain(Type::Date);
    Interval { lo: dom.lo - dom.hi, hi: dom.hi - dom.lo }
}

impl Partition {
    /// Bytes that tell this partition apart from another of the same fact: where its
    /// candidates lie and which class each is in.
    pub fn signature(&self, out: &mut Vec<u8>) {
        let starts = |out: &mut Vec<u8>, v: &[i64]| {
            out.extend_from_slice(&(v.len() as u64).to_le_bytes());
            for x in v {
                out.extend_from_slice(&x.to_le_bytes());
            }
        };
        match &self.kind {
            PartKind::Bool | PartKind::Words => {}
            PartKind::Sets { words } => {
                for w in words {
                    out.extend_from_slice(&w.to_le_bytes());
                }
            }
            PartKind::Strings { named, other_fits, other_unfit } => {
                for n in named {
                    out.extend_from_slice(&n.0.to_le_bytes());
                }
                out.push(u8::from(other_fits.is_some()));
                out.push(u8::from(other_unfit.is_some()));
            }
            PartKind::Ordered { starts: s } => starts(out, s),
            PartKind::Pair { first, second, difference, .. } => {
                starts(out, first);
                starts(out, second);
                starts(out, difference);
            }
        }
        for c in &self.class_of {
            out.extend_from_slice(&c.to_le_bytes());
        }
    }

    /// The candidate a known value falls in.
    pub fn candidate(
        &self,
        v: Value,
        text: Option<&str>,
        pattern: Option<&crate::pattern::Pattern>,
    ) -> Option<usize> {
        match (&self.kind, v) {
            (PartKind::Bool, Value::Bool(b)) => Some(usize::from(b)),
            (PartKind::Words, Value::Word(w)) => Some(w as usize),
            (PartKind::Sets { words }, Value::Words(bits)) => {
                let mut i = 0usize;
                for (j, w) in words.iter().enumerate() {
                    if *w < 64 && bits & (1u64 << w) != 0 {
                        i |= 1 << j;
                    }
                }
                Some(i)
            }
            (PartKind::Strings { named, other_fits, other_unfit }, Value::Str(s)) => {
                match named.iter().position(|n| *n == s) {
                    Some(i) => Some(i),
                    None => {
                        let fits = match (pattern, text) {
                            (Some(p), Some(t)) => p.matches(t),
                            _ => true,
                        };
                        if fits {
                            other_fits.or(*other_unfit)
                        } else {
                            other_unfit.or(*other_fits)
                        }
                    }
                }
            }
            (PartKind::Ordered { starts }, v) => {
                let o = v.ordinal()?;
                let i = starts.partition_point(|s| *s <= o);
                i.checked_sub(1)
            }
            _ => None,
        }
    }

    /// The class a known value falls in.
    pub fn class(
        &self,
        v: Value,
        text: Option<&str>,
        pattern: Option<&crate::pattern::Pattern>,
    ) -> Option<u32> {
        let c = self.candidate(v, text, pattern)?;
        self.class_of.get(c).map(|c| u32::from(*c))
    }

    /// For a pair of related dates: the classes its cells allow, given the dates known
    /// (`None`: unknown).
    pub fn pair_allowed(&self, first: Option<i64>, second: Option<i64>) -> super::query::Allowed {
        use super::query::{set, Allowed};
        let PartKind::Pair { first: xs, second: ys, difference: ds, cells } = &self.kind else {
            return Allowed::Free;
        };
        let dom = fact_domain(Type::Date);
        let span = difference_domain();
        let class = |i: usize, j: usize, m: usize| -> Option<u32> {
            let c = cells.get(&(i as u32, j as u32, m as u32))?;
            self.class_of.get(*c as usize).map(|c| u32::from(*c))
        };
        let mut bits = Vec::new();
        match (first, second) {
            (None, None) => return Allowed::Free,
            (Some(x), Some(y)) => {
                let found = (|| {
                    class(
                        interval_of(xs, x)?,
                        interval_of(ys, y)?,
                        interval_of(ds, y.checked_sub(x)?)?,
                    )
                })();
                return match found {
                    Some(c) => Allowed::One(c),
                    // A point outside every cell cannot be (the cells cover every pair).
                    None => Allowed::Some(Vec::new()),
                };
            }
            (Some(x), None) => {
                let Some(i) = interval_of(xs, x) else {
                    return Allowed::Some(Vec::new());
                };
                for j in 0..ys.len() {
                    let Some(y) = interval(ys, j, dom.hi) else {
                        continue;
                    };
                    let reach = Interval { lo: y.lo - x, hi: y.hi - x };
                    for m in 0..ds.len() {
                        let feasible =
                            interval(ds, m, span.hi).is_some_and(|d| !d.meet(reach).is_empty());
                        if let (true, Some(c)) = (feasible, class(i, j, m)) {
                            set(&mut bits, c);
                        }
                    }
                }
            }
            (None, Some(y)) => {
                let Some(j) = interval_of(ys, y) else {
                    return Allowed::Some(Vec::new());
                };
                for i in 0..xs.len() {
                    let Some(x) = interval(xs, i, dom.hi) else {
                        continue;
                    };
                    let reach = Interval { lo: y - x.hi, hi: y - x.lo };
                    for m in 0..ds.len() {
                        let feasible =
                            interval(ds, m, span.hi).is_some_and(|d| !d.meet(reach).is_empty());
                        if let (true, Some(c)) = (feasible, class(i, j, m)) {
                            set(&mut bits, c);
                        }
                    }
                }
            }
        }
        Allowed::Some(bits)
    }

    /// For an unknown date of a pair (`member` 0: the first, 1: the second): its values cut
    /// where what the pair allows changes, given the other date (`None`: unknown), and
    /// grouped by what they allow. Each group: its intervals and the classes it allows.
    pub fn pair_queries(
        &self,
        member: usize,
        other: Option<i64>,
    ) -> Vec<(Vec<Interval>, Vec<u64>)> {
        use super::query::Allowed;
        let PartKind::Pair { first: xs, second: ys, difference: ds, .. } = &self.kind else {
            return Vec::new();
        };
        let dom = fact_domain(Type::Date);
        let span = difference_domain();
        let (own, theirs) = if member == 0 { (xs, ys) } else { (ys, xs) };
        let mut points: Vec<i64> = own.clone();
        let diffs: Vec<Interval> = (0..ds.len()).filter_map(|m| interval(ds, m, span.hi)).collect();
        let others: Vec<Interval> = match other {
            Some(w) => vec![Interval { lo: w, hi: w }],
            None => (0..theirs.len()).filter_map(|j| interval(theirs, j, dom.hi)).collect(),
        };
        // Where a value starts or stops reaching a cell: the other's bounds moved by the
        // difference's bounds.
        for o in &others {
            for d in &diffs {
                let (a, b) = if member == 0 {
                    (o.lo.saturating_sub(d.hi), o.hi.saturating_sub(d.lo).saturating_add(1))
                } else {
                    (o.lo.saturating_add(d.lo), o.hi.saturating_add(d.hi).saturating_add(1))
                };
                points.extend([a, b]);
            }
        }
        points.retain(|p| *p >= dom.lo && *p <= dom.hi);
        points.push(dom.lo);
        points.sort_unstable();
        points.dedup();
        let mut groups: Vec<(Vec<Interval>, Vec<u64>)> = Vec::new();
        for i in 0..points.len() {
            let Some(r) = interval(&points, i, dom.hi) else {
                continue;
            };
            let allowed = if member == 0 {
                self.pair_allowed(Some(r.lo), other)
            } else {
                self.pair_allowed(other, Some(r.lo))
            };
            let bits = match allowed {
                Allowed::Some(b) => b,
                Allowed::One(c) => {
                    let mut b = Vec::new();
                    super::query::set(&mut b, c);
                    b
                }
                Allowed::Free => continue,
            };
            let mut trimmed = bits;
            while trimmed.last() == Some(&0) {
                trimmed.pop();
            }
            match groups.iter_mut().find(|(_, b)| *b == trimmed) {
                Some((rs, _)) => rs.push(r),
                None => groups.push((vec![r], trimmed)),
            }
        }
        groups
    }

    /// The candidates of a class.
    pub fn members(&self, class: u32) -> impl Iterator<Item = &Candidate> + '_ {
        self.candidates
            .iter()
            .zip(&self.class_of)
            .filter(move |(_, c)| u32::from(**c) == class)
            .map(|(v, _)| v)
    }
}

/// What one date fixes for a policy: the classes of each fact and the truth tables that
/// determine the diagram.
#[derive(Clone, Debug)]
pub struct Day0 {
    /// Shared between dates where the fact's classes do not depend on the date.
    pub parts: Vec<std::sync::Arc<Partition>>,
    /// Per level, per atom: the truth in each class.
    pub tables: Vec<std::sync::Arc<Vec<Vec<Truth>>>>,
    /// The truth of each structural constant, as [`Analysis::fixed`].
    pub fixed: Vec<Truth>,
    /// Everything the diagram depends on, as bytes: equal keys share a diagram.
    pub key: Vec<u8>,
}

/// The value a candidate is evaluated with.
pub fn representative(c: &Candidate, ty: Type) -> Option<Value> {
    match c {
        Candidate::Value(v) => Some(*v),
        Candidate::OtherString { .. } => Some(Value::Str(OTHER)),
        Candidate::Range(r) => cuts::value_of(ty, r.lo),
        Candidate::Pair { at, .. } => cuts::value_of(ty, at.0),
    }
}

/// The ordinals a fact of `ty` can hold in a case: every integer or duration, and the
/// dates a case can write (years 0000 to 9999).
pub fn fact_domain(ty: Type) -> Interval {
    match ty {
        Type::Date => Interval { lo: i64::from(Day::FIRST.0), hi: i64::from(Day::LAST.0) },
        _ => cuts::domain(ty),
    }
}

impl Analysis {
    /// Fixes the date: classes, tables and key. `None` when a fact has too many classes for
    /// exact reasoning on this date.
    pub fn day(
        &self,
        set: &PolicySet,
        graphs: [&PolicyGraph; 2],
        as_of: Day,
        stable: &[Option<Stable>],
    ) -> Result<Day0, String> {
        let base = self.base_values(set, graphs, as_of);
        let fixed_value = |gx: usize, n: NodeId| -> Tri {
            base.get(gx).and_then(|b| b.get(n.index())).copied().flatten()
        };
        let mut parts = Vec::with_capacity(self.vars.len());
        let mut tables = Vec::with_capacity(self.vars.len());
        for (level, var) in self.vars.iter().enumerate() {
            if let Some(Some((part, table))) = stable.get(level) {
                parts.push(part.clone());
                tables.push(table.clone());
                continue;
            }
            let (kind, candidates) = self.candidates(set, var, &fixed_value)?;
            let rows = self.rows(set, graphs, as_of, var, &candidates, &base);
            let (class_of, table, classes) = group(&rows, var.atoms.len());
            if classes > MAX_CLASSES {
                return Err(format!(
                    "`{}` has more than {MAX_CLASSES} classes of values",
                    set.fact(var.fact).map_or("?", |d| d.path.as_str())
                ));
            }
            parts.push(std::sync::Arc::new(Partition {
                kind,
                classes: classes as u32,
                candidates,
                class_of,
            }));
            tables.push(std::sync::Arc::new(table));
        }
        let fixed = self.fixed_truths(&base);
        let key = key(&parts, &tables, &fixed);
        Ok(Day0 { parts, tables, fixed, key })
    }

    /// The classes and tables of the facts that do not depend on the date, from one day:
    /// every later day reuses them.
    pub fn stable(&self, day: &Day0) -> Vec<Option<Stable>> {
        self.vars
            .iter()
            .zip(day.parts.iter().zip(&day.tables))
            .map(|(var, (p, t))| (!var.dated).then(|| (p.clone(), t.clone())))
            .collect()
    }

    /// The values fixed on the date: every node the day needs, with every fact unknown.
    pub fn base_values(
        &self,
        set: &PolicySet,
        graphs: [&PolicyGraph; 2],
        as_of: Day,
    ) -> [Vec<Tri>; 2] {
        let no_facts: Vec<Tri> = vec![None; set.facts.len()];
        let mut base: [Vec<Tri>; 2] =
            [vec![None; graphs[POLICY].nodes.len()], vec![None; graphs[CONSTRAINTS].nodes.len()]];
        for gx in [POLICY, CONSTRAINTS] {
            if let (Some(g), Some(nodes), Some(out)) =
                (graphs.get(gx), self.base.get(gx), base.get_mut(gx))
            {
                g.eval_some(set, nodes, &no_facts, as_of, out);
            }
        }
        base
    }

    /// The truths of the structural constants, as [`Analysis::fixed`].
    pub fn fixed_truths(&self, base: &[Vec<Tri>; 2]) -> Vec<Truth> {
        self.fixed
            .iter()
            .map(|r| {
                truth(base.get(r.graph).and_then(|b| b.get(r.node.index())).copied().flatten())
            })
            .collect()
    }

    /// The truth of each of `var`'s atoms on each candidate.
    pub fn rows(
        &self,
        set: &PolicySet,
        graphs: [&PolicyGraph; 2],
        as_of: Day,
        var: &Var,
        candidates: &[Candidate],
        base: &[Vec<Tri>; 2],
    ) -> Vec<Vec<Truth>> {
        let mut facts: Vec<Tri> = vec![None; set.facts.len()];
        let mut values: [Vec<Tri>; 2] = base.clone();
        let mut rows: Vec<Vec<Truth>> = Vec::with_capacity(candidates.len());
        for cand in candidates {
            let rep = representative(cand, var.ty);
            if let Some(slot) = facts.get_mut(var.fact.index()) {
                *slot = rep;
            }
            if let (Some(pair), Candidate::Pair { at, .. }) = (&var.pair, cand) {
                if let Some(slot) = facts.get_mut(pair.other.index()) {
                    *slot = cuts::value_of(Type::Date, at.1);
                }
            }
            for gx in [POLICY, CONSTRAINTS] {
                if let (Some(g), Some(nodes), Some(out)) =
                    (graphs.get(gx), var.eval.get(gx), values.get_mut(gx))
                {
                    g.eval_some(set, nodes, &facts, as_of, out);
                }
            }
            let row = var
                .atoms
                .iter()
                .map(|a| match a {
                    Atom::Node(r) => truth(
                        values.get(r.graph).and_then(|v| v.get(r.node.index())).copied().flatten(),
                    ),
                    Atom::Pattern(id) => pattern_truth(set, *id, cand),
                })
                .collect();
            rows.push(row);
        }
        rows
    }

    /// The candidate values of a fact on a date, and how known values find theirs.
    pub fn candidates(
        &self,
        set: &PolicySet,
        var: &Var,
        fixed: &dyn Fn(usize, NodeId) -> Tri,
    ) -> Result<(PartKind, Vec<Candidate>), String> {
        let name = || set.fact(var.fact).map_or("?", |d| d.path.as_str()).to_string();
        Ok(match var.ty {
            Type::Bool => (
                PartKind::Bool,
                vec![Candidate::Value(Value::Bool(false)), Candidate::Value(Value::Bool(true))],
            ),
            Type::Enum(e) => {
                let n = set.enums.get(e).map_or(0, |d| d.words.len());
                (PartKind::Words, (0..n as u16).map(|w| Candidate::Value(Value::Word(w))).collect())
            }
            Type::Set(_) => {
                let mut words: Vec<u16> = var
                    .words
                    .iter()
                    .filter_map(|r| match fixed(r.graph, r.node) {
                        Some(Value::Word(w)) if w < 64 => Some(w),
                        _ => None,
                    })
                    .collect();
                words.sort_unstable();
                words.dedup();
                if words.len() > MAX_SET_WORDS {
                    return Err(format!(
                        "`{}` is tested for more than {MAX_SET_WORDS} words",
                        name()
                    ));
                }
                let candidates = (0u64..(1u64 << words.len()))
                    .map(|i| {
                        let bits = words
                            .iter()
                            .enumerate()
                            .filter(|(j, _)| i & (1 << j) != 0)
                            .fold(0u64, |acc, (_, w)| acc | (1u64 << w));
                        Candidate::Value(Value::Words(bits))
                    })
                    .collect();
                (PartKind::Sets { words }, candidates)
            }
            Type::Str => {
                let mut named: Vec<Symbol> = var
                    .strings
                    .iter()
                    .filter_map(|r| match fixed(r.graph, r.node) {
                        Some(Value::Str(s)) => Some(s),
                        _ => None,
                    })
                    .collect();
                named.sort_unstable();
                named.dedup();
                let mut candidates: Vec<Candidate> =
                    named.iter().map(|s| Candidate::Value(Value::Str(*s))).collect();
                let pattern = var.pattern.and_then(|id| set.pattern(id));
                let (other_fits, other_unfit) = match pattern {
                    None => {
                        candidates.push(Candidate::OtherString { fits: None });
                        (Some(candidates.len() - 1), None)
                    }
                    Some(p) => {
                        let texts: Vec<&str> = named
                            .iter()
                            .filter_map(|s| set.strings.get(s.0 as usize).map(String::as_str))
                            .collect();
                        let mut fits_slot = None;
                        if other_fits(p, &texts) {
                            candidates.push(Candidate::OtherString { fits: Some(true) });
                            fits_slot = Some(candidates.len() - 1);
                        }
                        let mut unfit_slot = None;
                        if other_unfit(p, &texts) {
                            candidates.push(Candidate::OtherString { fits: Some(false) });
                            unfit_slot = Some(candidates.len() - 1);
                        }
                        (fits_slot, unfit_slot)
                    }
                };
                (PartKind::Strings { named, other_fits, other_unfit }, candidates)
            }
            Type::Int | Type::Date | Type::Duration(_) => {
                let dom = fact_domain(var.ty);
                let starts = starts(var.ty, &var.cmps, fixed);
                if let Some(pair) = &var.pair {
                    return pair_candidates(set, var, pair, starts, fixed);
                }
                let candidates = starts
                    .iter()
                    .enumerate()
                    .filter_map(|(i, _)| interval(&starts, i, dom.hi).map(Candidate::Range))
                    .collect();
                (PartKind::Ordered { starts }, candidates)
            }
        })
    }
}

/// Where the comparisons of an ordered fact change value on the date: the first value of
/// each interval, starting with the least value of the fact.
fn starts(ty: Type, cmps: &[Cmp], fixed: &dyn Fn(usize, NodeId) -> Tri) -> Vec<i64> {
    let dom = fact_domain(ty);
    let mut starts = vec![dom.lo];
    for cmp in cmps {
        let k = match cmp.k {
            K::Node(n) => fixed(cmp.graph, n).and_then(Value::ordinal),
            K::Day(d) => Some(i64::from(d.0)),
        };
        let mut steps = Vec::with_capacity(cmp.steps.len());
        let mut known = true;
        for (op, left, other, input, output) in &cmp.steps {
            match fixed(cmp.graph, *other) {
                Some(v) => steps.push(Step {
                    op: *op,
                    fact_left: *left,
                    other: v,
                    input: *input,
                    output: *output,
                }),
                None => known = false,
            }
        }
        // An operand unknown on this date makes the comparison unknown for every value: it
        // cuts nothing.
        let (Some(k), true) = (k, known) else {
            continue;
        };
        let out = steps.last().map_or(ty, |s| s.output);
        let defined = cuts::pullback(&steps, cuts::domain(out), dom);
        let holds = cuts::pullback(&steps, cuts::results(cmp.op, k), dom);
        for i in [defined, holds] {
            cut_at_edges(&mut starts, i);
        }
    }
    in_order(starts, dom)
}

/// Adds the cuts at the edges of `i`: its first value, and the value after its last.
fn cut_at_edges(starts: &mut Vec<i64>, i: Interval) {
    if i.is_empty() {
        return;
    }
    starts.push(i.lo);
    if let Some(next) = i.hi.checked_add(1) {
        starts.push(next);
    }
}

/// The cuts that fall inside `dom`, in order, each once.
fn in_order(mut starts: Vec<i64>, dom: Interval) -> Vec<i64> {
    starts.retain(|s| *s >= dom.lo && *s <= dom.hi);
    starts.sort_unstable();
    starts.dedup();
    starts
}

/// The candidates of a pair of related dates: every feasible cell of (first interval,
/// second interval, difference interval). A cell is feasible when some first date and
/// some second date in their intervals differ by a number of days in the third: the
/// differences between two intervals of integers fill an interval, so one intersection
/// tells.
fn pair_candidates(
    set: &PolicySet,
    var: &Var,
    pair: &PairVar,
    first: Vec<i64>,
    fixed: &dyn Fn(usize, NodeId) -> Tri,
) -> Result<(PartKind, Vec<Candidate>), String> {
    let dom = fact_domain(Type::Date);
    let second = starts(Type::Date, &pair.other_cmps, fixed);
    let span = difference_domain();
    let mut difference = vec![span.lo];
    for form in &pair.forms {
        let days = |terms: &[(NodeId, i64)]| -> Option<i128> {
            terms.iter().try_fold(0i128, |acc, (n, sign)| {
                let v = fixed(form.graph, *n).and_then(Value::ordinal)?;
                Some(acc + i128::from(*sign) * i128::from(v))
            })
        };
        let (Some(a), Some(b)) = (days(&form.first), days(&form.second)) else {
            continue;
        };
        let k = match form.k {
            Some((n, sign)) => match fixed(form.graph, n).and_then(Value::ordinal) {
                Some(v) => i128::from(sign) * i128::from(v),
                None => continue,
            },
            None => 0,
        };
        // Beyond the span of any difference, a threshold cuts nothing more.
        let bound = i128::from(span.hi) + 2;
        let t = (a - b + k).clamp(-bound, bound) as i64;
        cut_at_edges(&mut difference, cuts::results(form.op, t));
    }
    let difference = in_order(difference, span);
    let mut candidates = Vec::new();
    let mut cells = HashMap::new();
    for (i, _) in first.iter().enumerate() {
        let Some(x) = interval(&first, i, dom.hi) else {
            continue;
        };
        for (j, _) in second.iter().enumerate() {
            let Some(y) = interval(&second, j, dom.hi) else {
                continue;
            };
            let reach = Interval { lo: y.lo - x.hi, hi: y.hi - x.lo };
            for (m, _) in difference.iter().enumerate() {
                let Some(d) = interval(&difference, m, span.hi) else {
                    continue;
                };
                let both = d.meet(reach);
                if both.is_empty() {
                    continue;
                }
                // One point of the cell: the least difference, then the least first date.
                let dd = both.lo;
                let xx = x.lo.max(y.lo - dd);
                if candidates.len() >= MAX_CLASSES * 4 {
                    return Err(format!(
                        "`{}` and its related fact have too many classes of values",
                        set.fact(var.fact).map_or("?", |f| f.path.as_str())
                    ));
                }
                cells.insert((i as u32, j as u32, m as u32), candidates.len() as u32);
                candidates.push(Candidate::Pair {
                    first: x,
                    second: y,
                    difference: d,
                    at: (xx, xx + dd),
                });
            }
        }
    }
    Ok((PartKind::Pair { first, second, difference, cells }, candidates))
}

/// Groups candidates the policy never tells apart (equal rows) into classes: the class of
/// each candidate, the truth table (per atom, per class) and the number of classes.
pub fn group(rows: &[Vec<Truth>], atoms: usize) -> (Vec<u16>, Vec<Vec<Truth>>, usize) {
    let mut class_of = Vec::with_capacity(rows.len());
    let mut signatures: HashMap<&Vec<Truth>, u16> = HashMap::new();
    let mut table: Vec<Vec<Truth>> = vec![Vec::new(); atoms];
    for row in rows {
        let next = signatures.len() as u16;
        let c = *signatures.entry(row).or_insert(next);
        if c == next {
            for (col, t) in table.iter_mut().zip(row) {
                col.push(*t);
            }
        }
        class_of.push(c);
    }
    let classes = signatures.len().max(1);
    (class_of, table, classes)
}

/// A fact's classes and truth table, shared between days.
pub type Stable = (std::sync::Arc<Partition>, std::sync::Arc<Vec<Vec<Truth>>>);

/// Everything a diagram depends on, as bytes.
pub fn key<P: std::ops::Deref<Target = Partition>, T: std::ops::Deref<Target = Vec<Vec<Truth>>>>(
    parts: &[P],
    tables: &[T],
    fixed: &[Truth],
) -> Vec<u8> {
    let mut key = Vec::new();
    for (part, table) in parts.iter().zip(tables) {
        key.extend_from_slice(&part.classes.to_le_bytes());
        for col in table.iter() {
            key.extend_from_slice(col);
        }
    }
    key.extend_from_slice(fixed);
    key
}

/// Whether a string the policies do not name can fit the pattern.
fn other_fits(p: &crate::pattern::Pattern, named: &[&str]) -> bool {
    let (examples, all) = p.examples(named.len() + 1);
    let outside = examples.iter().any(|e| !named.contains(&e.as_str()));
    // The search is bounded: when it neither found one nor saw every fitting string, a
    // fitting string may exist, and "possible" is the side that never decides wrongly.
    outside || !all
}

/// Whether a string the policies do not name can fail the pattern.
fn other_unfit(p: &crate::pattern::Pattern, named: &[&str]) -> bool {
    let long = "\u{1}".repeat(64);
    ["", "\u{0}", "~", "0", "a", "A", long.as_str()]
        .iter()
        .any(|s| !p.matches(s) && !named.contains(s))
}

/// The truth of a pattern constraint on a candidate string.
pub fn pattern_truth(set: &PolicySet, id: ConstraintId, cand: &Candidate) -> Truth {
    let Some(ConstraintKind::Pattern { pattern, .. }) = set.constraints.get(id).map(|c| &c.kind)
    else {
        return crate::plan::UNKNOWN;
    };
    let known = |b: bool| {
        if b {
            crate::plan::TRUE
        } else {
            crate::plan::FALSE
        }
    };
    match cand {
        Candidate::Value(Value::Str(s)) => match set.strings.get(s.0 as usize) {
            Some(text) => known(pattern.matches(text)),
            None => crate::plan::UNKNOWN,
        },
        Candidate::OtherString { fits: Some(f) } => known(*f),
        _ => crate::plan::UNKNOWN,
    }
}

//! Where two versions of a policy decide differently, found on their decision diagrams.
//!
//! The versions may come from two policy sets with different fact tables: facts are
//! matched by path, enum words and strings by their text. On each date that can matter (or
//! on the one date the caller names), each fact's values are cut into the classes either version tells apart; both decision
//! diagrams are built over those common classes, and a walk over their product finds every
//! pair of outcomes (old, new) some case reaches, with the path that reaches it: a witness
//! case that fixes only the facts on the path. Every witness is decided again by both
//! engines before it is reported.

use std::collections::{HashMap, VecDeque};

use serde::Serialize;

use crate::case::Case;
use crate::decide::Scratch;
use crate::ir::PolicyId;
use crate::semantics::DecisionKind;
use crate::types::Type;
use crate::value::{Day, Symbol, Value};
use crate::Compiled;

use crate::reason;
use crate::reason::analysis::{self, Analysis, Var};
use crate::reason::classes::{self, group, Candidate, Day0, PartKind, Partition};
use crate::reason::cuts::Interval;
use crate::reason::mdd::{self, Diagram, Ref, LEAVES};

/// How two versions of a policy differ.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// Each pair (old decision, new decision) that some case reaches, with a case.
    pub transitions: Vec<Transition>,
    /// False when a version is beyond exact reasoning: then no transition is reported.
    pub exact: bool,
    /// What the comparison could not do, in words.
    pub notes: Vec<String>,
}

/// One way the versions differ.
#[derive(Clone, Debug, Serialize)]
pub struct Transition {
    pub old: DecisionKind,
    pub new: DecisionKind,
    pub witness: Witness,
}

/// A case on which the versions decide differently: a date and a value for each fact that
/// matters (every other fact unknown).
#[derive(Clone, Debug, Serialize)]
pub struct Witness {
    pub as_of: String,
    pub facts: Vec<WitnessFact>,
}

#[derive(Clone, Debug, Serialize)]
pub struct WitnessFact {
    pub fact: String,
    pub value: serde_json::Value,
}

impl Witness {
    /// The witness as a case document for `policy`, with only the facts in `declared`.
    pub fn case(&self, policy: &str, declared: impl Fn(&str) -> bool) -> serde_json::Value {
        let mut root = serde_json::Map::new();
        root.insert("as_of".into(), self.as_of.clone().into());
        root.insert("policy".into(), policy.into());
        for f in &self.facts {
            if !declared(&f.fact) {
                continue;
            }
            let mut map = &mut root;
            let mut segments = f.fact.split('.').peekable();
            while let Some(seg) = segments.next() {
                if segments.peek().is_none() {
                    map.insert(seg.to_string(), f.value.clone());
                    break;
                }
                let entry = map
                    .entry(seg.to_string())
                    .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
                let serde_json::Value::Object(next) = entry else {
                    break;
                };
                map = next;
            }
        }
        serde_json::Value::Object(root)
    }
}

/// One version: its compiled set, policy and analysis.
struct Side<'a> {
    c: &'a Compiled,
    policy: PolicyId,
    name: String,
    an: &'a Analysis,
}

impl Side<'_> {
    fn graphs(&self) -> Option<[&crate::graph::PolicyGraph; 2]> {
        Some([self.c.graphs.get(self.policy)?, &self.c.constraints.graph])
    }

    fn var(&self, path: &str) -> Option<&Var> {
        self.an.vars.iter().find(|v| self.c.set.fact(v.fact).is_some_and(|f| f.path == path))
    }

    fn declares(&self, path: &str) -> Option<Type> {
        self.c.set.facts.iter().find(|f| f.path == path).map(|f| f.ty)
    }
}

/// A candidate value common to both versions: what it is written as, and what each
/// version evaluates (`None` on a version that does not read the fact).
#[derive(Clone, Debug)]
struct Common {
    json: serde_json::Value,
    sides: [Option<Candidate>; 2],
}

/// Compares policy `old_policy` of `old` with `new_policy` of `new`: on the date `on` when
/// given (cases decided that day), otherwise on every date where the versions can differ.
pub fn compare(
    old: &Compiled,
    old_policy: &str,
    new: &Compiled,
    new_policy: &str,
    on: Option<Day>,
) -> Result<Comparison, String> {
    let side = |x: &Compiled, name: &str| -> Result<PolicyId, String> {
        x.set.policy(name).ok_or_else(|| format!("there is no policy `{name}`"))
    };
    let old_id = side(old, old_policy)?;
    let new_id = side(new, new_policy)?;
    let (Some(ro), Some(rn)) =
        (old.reasoner.policies.get(old_id), new.reasoner.policies.get(new_id))
    else {
        return Err("the policy did not compile".into());
    };
    let sides = [
        Side { c: old, policy: old_id, name: old_policy.to_string(), an: &ro.analysis },
        Side { c: new, policy: new_id, name: new_policy.to_string(), an: &rn.analysis },
    ];
    let mut notes = Vec::new();
    for s in &sides {
        if let Some(why) = &s.an.inexact {
            notes.push(format!(
                "`{}` is beyond exact reasoning ({why}); no transitions are reported",
                s.name
            ));
        }
    }
    for s in &sides {
        if s.an.vars.iter().any(|v| v.pair.is_some()) {
            notes.push(format!(
                "`{}` relates two facts to each other; comparing such policies is not supported yet, so no transitions are reported",
                s.name
            ));
        }
    }
    if !notes.is_empty() {
        return Ok(Comparison { transitions: Vec::new(), exact: false, notes });
    }
    // The facts either version reads, matched by path.
    let mut paths: Vec<String> = Vec::new();
    for s in &sides {
        for v in &s.an.vars {
            if let Some(f) = s.c.set.fact(v.fact) {
                if !paths.contains(&f.path) {
                    paths.push(f.path.clone());
                }
            }
        }
    }
    for path in &paths {
        let (a, b) = (sides[0].declares(path), sides[1].declares(path));
        if let (Some(a), Some(b)) = (a, b) {
            if kind(a) != kind(b) {
                return Err(format!(
                    "`{path}` is {} in the old policies and {} in the new ones",
                    sides[0].c.set.type_name(a),
                    sides[1].c.set.type_name(b)
                ));
            }
        }
    }
    let mut found: Vec<Transition> = Vec::new();
    let days = match on {
        Some(day) => vec![day],
        None => dates(&sides),
    };
    for day in days {
        let Some(product) = product_on(&sides, &paths, day, &mut notes) else {
            continue;
        };
        for ((lo, ln), witness) in product {
            let (Some(o), Some(n)) = (outcome(lo), outcome(ln)) else {
                continue;
            };
            if o == n || found.iter().any(|t| t.old == o && t.new == n) {
                continue;
            }
            let w = Witness { as_of: day.to_string(), facts: witness };
            // Decided again by both engines.
            let decided: Vec<Option<DecisionKind>> =
                sides.iter().map(|s| decide_witness(s, &w)).collect();
            if decided == [Some(o), Some(n)] {
                found.push(Transition { old: o, new: n, witness: w });
            } else {
                // Only a constraint of one version on a fact it does not read can refuse a
                // witness the diagrams accept.
                let note = format!(
                    "a case for {} → {} breaks a constraint of one version",
                    o.as_str(),
                    n.as_str()
                );
                if !notes.contains(&note) {
                    notes.push(note);
                }
            }
        }
    }
    found.sort_by_key(|t| (t.old, t.new));
    Ok(Comparison { transitions: found, exact: true, notes })
}

/// The decision a leaf stands for (`None` for a completion that breaks a constraint).
fn outcome(leaf: Ref) -> Option<DecisionKind> {
    match leaf {
        mdd::UNAVAILABLE => Some(DecisionKind::Unavailable),
        mdd::INELIGIBLE => Some(DecisionKind::Ineligible),
        mdd::NOT_REQUIRED => Some(DecisionKind::NotRequired),
        mdd::ELIGIBLE => Some(DecisionKind::Eligible),
        mdd::UNDEFINED => Some(DecisionKind::Incomplete),
        _ => None,
    }
}

/// Types that hold the same kind of values (enums and sets are matched by their words).
fn kind(t: Type) -> u8 {
    match t {
        Type::Bool => 0,
        Type::Int => 1,
        Type::Date => 2,
        Type::Duration(u) => 3 + u as u8,
        Type::Str => 6,
        Type::Enum(_) => 7,
        Type::Set(_) => 8,
    }
}

/// The dates to try: every date either version names (literals, constants, windows,
/// parameter dates), the day before each, and each moved by every duration either names,
/// so that comparisons of `as_of` (plus a duration) with a date fall on both sides. Between
/// two of these dates the classes of either version keep their order, save where a
/// calendar duration and a day count cross in a leap year.
fn dates(sides: &[Side<'_>; 2]) -> Vec<Day> {
    let mut days: Vec<Day> = Vec::new();
    let mut durations = Vec::new();
    let mut dated = false;
    for s in sides {
        dated |= s.an.dated;
        let Some(graphs) = s.graphs() else { continue };
        for g in graphs {
            for node in &g.nodes {
                match &node.op {
                    crate::graph::Op::Lit(v) | crate::graph::Op::Const(_, v) => match v {
                        Value::Date(d) => days.push(*d),
                        Value::Duration(n, u) => durations.push((*n, *u)),
                        _ => {}
                    },
                    crate::graph::Op::Window { opened, closed, .. } => {
                        days.extend(opened.iter().chain(closed.iter()).copied())
                    }
                    crate::graph::Op::Param(p) => {
                        if let Some(def) = s.c.set.params.get(p) {
                            for v in &def.values {
                                days.push(v.from);
                                if let Value::Duration(n, u) = v.value {
                                    durations.push((n, u));
                                }
                                if let Value::Date(d) = v.value {
                                    days.push(d);
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let fallback = Day::from_date(pol_syntax::date::Date { year: 2000, month: 1, day: 1 });
    if !dated {
        return vec![days.iter().max().copied().unwrap_or(fallback)];
    }
    let mut out = days.clone();
    for d in &days {
        out.extend(d.add(-1, pol_syntax::ast::Unit::Days));
        for (n, u) in &durations {
            out.extend(d.add(*n, *u));
            out.extend(n.checked_neg().and_then(|m| d.add(m, *u)));
            out.extend(
                n.checked_neg()
                    .and_then(|m| d.add(m, *u))
                    .and_then(|x| x.add(1, pol_syntax::ast::Unit::Days)),
            );
        }
    }
    out.push(fallback);
    let dom = classes::fact_domain(Type::Date);
    out.retain(|d| i64::from(d.0) >= dom.lo && i64::from(d.0) <= dom.hi);
    out.sort_unstable();
    out.dedup();
    out.truncate(4_000);
    out
}

/// On one date: each pair of outcomes the two diagrams reach together, with the facts of
/// a path that reaches it.
/// Pairs of leaves (old, new) with the facts of a path to each.
type Reached = Vec<((Ref, Ref), Vec<WitnessFact>)>;

fn product_on(
    sides: &[Side<'_>; 2],
    paths: &[String],
    day: Day,
    notes: &mut Vec<String>,
) -> Option<Reached> {
    let [o, n] = sides;
    let (go, gn) = (o.graphs()?, n.graphs()?);
    let (do_, dn) = match (o.an.day(&o.c.set, go, day, &[]), n.an.day(&n.c.set, gn, day, &[])) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(why), _) | (_, Err(why)) => {
            if !notes.contains(&why) {
                notes.push(why);
            }
            return None;
        }
    };
    let bases = [o.an.base_values(&o.c.set, go, day), n.an.base_values(&n.c.set, gn, day)];
    // Common classes per fact.
    let mut levels: Vec<Level> = Vec::new();
    for path in paths {
        let vars = [o.var(path), n.var(path)];
        let parts = [part_of(o.an, &do_, path, &o.c.set), part_of(n.an, &dn, path, &n.c.set)];
        let commons = commons(sides, path, vars, parts, day);
        let mut rows: Vec<Vec<u8>> = vec![Vec::new(); commons.len()];
        let mut side_rows: [Vec<Vec<u8>>; 2] = [Vec::new(), Vec::new()];
        for (i, ((s, var), out)) in sides.iter().zip(vars).zip(side_rows.iter_mut()).enumerate() {
            let (Some(var), Some(graphs), Some(base)) = (var, s.graphs(), bases.get(i)) else {
                continue;
            };
            let cands: Vec<Candidate> = commons
                .iter()
                .map(|c| {
                    c.sides
                        .get(i)
                        .cloned()
                        .flatten()
                        .unwrap_or(Candidate::OtherString { fits: None })
                })
                .collect();
            let r = s.an.rows(&s.c.set, graphs, day, var, &cands, base);
            for (row, side_row) in rows.iter_mut().zip(&r) {
                row.extend_from_slice(side_row);
            }
            *out = r;
        }
        let (class_of, _, classes) = group(&rows, 0);
        // Each side's table over the common classes.
        let mut tables: [Vec<Vec<u8>>; 2] = [Vec::new(), Vec::new()];
        for ((var, rows), out) in vars.iter().zip(&side_rows).zip(tables.iter_mut()) {
            let Some(var) = var else { continue };
            let mut table: Vec<Vec<u8>> = vec![vec![mdd::U as u8; classes]; var.atoms.len()];
            for (cand, class) in class_of.iter().enumerate() {
                if let Some(row) = rows.get(cand) {
                    for (col, t) in table.iter_mut().zip(row) {
                        if let Some(slot) = col.get_mut(usize::from(*class)) {
                            *slot = *t;
                        }
                    }
                }
            }
            *out = table;
        }
        levels.push(Level {
            path: path.clone(),
            commons,
            class_of,
            classes: classes as u32,
            tables,
        });
    }
    // Both diagrams over the common levels.
    let mut diagrams = Vec::with_capacity(2);
    for (i, s) in sides.iter().enumerate() {
        let mut an = s.an.clone();
        an.vars = levels
            .iter()
            .map(|l| {
                s.var(&l.path).cloned().unwrap_or(Var::new(crate::ir::FactId(u32::MAX), Type::Bool))
            })
            .collect();
        let parts: Vec<std::sync::Arc<Partition>> = levels
            .iter()
            .map(|l| {
                std::sync::Arc::new(Partition {
                    kind: PartKind::Bool,
                    classes: l.classes,
                    candidates: Vec::new(),
                    class_of: Vec::new(),
                })
            })
            .collect();
        let tables = levels
            .iter()
            .map(|l| std::sync::Arc::new(l.tables.get(i).cloned().unwrap_or_default()))
            .collect();
        let fixed = match i {
            0 => do_.fixed.clone(),
            _ => dn.fixed.clone(),
        };
        let day0 = Day0 { parts, tables, fixed, key: Vec::new() };
        let graphs = s.graphs()?;
        match reason::build::build(&an, &day0, graphs) {
            Ok(d) => diagrams.push(d),
            Err(_) => {
                notes.push(format!("the diagram of `{}` grew too large on {day}", s.name));
                return None;
            }
        }
    }
    let (Some(a), Some(b)) = (diagrams.first(), diagrams.get(1)) else {
        return None;
    };
    Some(
        walk(a, b)
            .into_iter()
            .map(|(pair, path)| {
                let facts = path
                    .into_iter()
                    .filter_map(|(level, class)| {
                        let l = levels.get(level)?;
                        let first = l.class_of.iter().position(|c| u32::from(*c) == class)?;
                        let common = l.commons.get(first)?;
                        Some(WitnessFact { fact: l.path.clone(), value: common.json.clone() })
                    })
                    .collect();
                (pair, facts)
            })
            .collect(),
    )
}

/// One common level: its candidates, their classes, and each side's table.
struct Level {
    path: String,
    commons: Vec<Common>,
    class_of: Vec<u16>,
    classes: u32,
    tables: [Vec<Vec<u8>>; 2],
}

fn part_of<'d>(
    an: &Analysis,
    day: &'d Day0,
    path: &str,
    set: &crate::ir::PolicySet,
) -> Option<&'d Partition> {
    let l = an.vars.iter().position(|v| set.fact(v.fact).is_some_and(|f| f.path == path))?;
    day.parts.get(l).map(|p| &**p)
}

/// One version's view of one fact.
struct Seen<'s, 'a> {
    side: &'s Side<'a>,
    /// Its variable, when the version reads the fact.
    var: Option<&'s Var>,
    part: Option<&'s Partition>,
    /// The fact's type, when the version declares it.
    declared: Option<Type>,
}

impl Seen<'_, '_> {
    fn reads(&self) -> bool {
        self.var.is_some()
    }

    /// The words of the fact's enum in this version, if it declares it.
    fn words(&self) -> Option<&[String]> {
        match self.declared? {
            Type::Enum(e) | Type::Set(e) => self.side.c.set.enums.get(e).map(|d| &d.words[..]),
            _ => None,
        }
    }

    fn pattern(&self) -> Option<&crate::pattern::Pattern> {
        self.var.and_then(|v| pattern(self.side, v))
    }
}

/// The candidates both versions need for one fact: the union of what each tells apart.
fn commons(
    sides: &[Side<'_>; 2],
    path: &str,
    vars: [Option<&Var>; 2],
    parts: [Option<&Partition>; 2],
    day: Day,
) -> Vec<Common> {
    use serde_json::Value as J;
    let ty = vars.iter().flatten().map(|v| v.ty).next().unwrap_or(Type::Bool);
    let [so, sn] = sides;
    let [vo, vn] = vars;
    let [po, pn] = parts;
    let seen = [
        Seen { side: so, var: vo, part: po, declared: so.declares(path) },
        Seen { side: sn, var: vn, part: pn, declared: sn.declares(path) },
    ];
    let mut out = Vec::new();
    match ty {
        Type::Bool => {
            for b in [false, true] {
                out.push(Common {
                    json: J::Bool(b),
                    sides: seen
                        .each_ref()
                        .map(|x| x.reads().then_some(Candidate::Value(Value::Bool(b)))),
                });
            }
        }
        Type::Enum(_) => {
            let mut names: Vec<String> = Vec::new();
            for x in &seen {
                for w in x.words().unwrap_or(&[]) {
                    if !names.contains(w) {
                        names.push(w.clone());
                    }
                }
            }
            for name in names {
                // A word one version declares without it cannot be in a case for it.
                let missing = seen.iter().any(|x| x.words().is_some_and(|ws| !ws.contains(&name)));
                if missing {
                    continue;
                }
                let sides = seen.each_ref().map(|x| {
                    let w = x.words()?.iter().position(|w| *w == name)?;
                    x.reads().then_some(Candidate::Value(Value::Word(w as u16)))
                });
                out.push(Common { json: J::String(name), sides });
            }
        }
        Type::Set(_) => {
            let mut tested: Vec<String> = Vec::new();
            for x in &seen {
                if let (
                    Some(Partition { kind: PartKind::Sets { words }, .. }),
                    Some(Type::Set(e)),
                ) = (x.part, x.declared)
                {
                    for w in words {
                        let name = x.side.c.set.word(e, *w).to_string();
                        if !tested.contains(&name) {
                            tested.push(name);
                        }
                    }
                }
            }
            let k = tested.len().min(analysis::MAX_SET_WORDS);
            for combo in 0u64..(1u64 << k) {
                let held: Vec<&String> = tested
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| combo & (1 << j) != 0)
                    .map(|(_, w)| w)
                    .collect();
                // The bits of the combination in each version (None: a word it lacks).
                let bits = seen.each_ref().map(|x| {
                    let words = x.words()?;
                    held.iter().try_fold(0u64, |acc, h| {
                        let w = words.iter().position(|w| w == *h)?;
                        (w < 64).then_some(acc | (1u64 << w))
                    })
                });
                let lacking =
                    seen.iter().zip(&bits).any(|(x, b)| x.words().is_some() && b.is_none());
                if lacking {
                    continue;
                }
                let mut sides: [Option<Candidate>; 2] = [None, None];
                for ((slot, x), b) in sides.iter_mut().zip(&seen).zip(bits) {
                    if x.reads() {
                        *slot = b.map(|b| Candidate::Value(Value::Words(b)));
                    }
                }
                out.push(Common {
                    json: J::Array(held.iter().map(|h| J::String((*h).clone())).collect()),
                    sides,
                });
            }
        }
        Type::Str => {
            let mut texts: Vec<String> = Vec::new();
            for x in &seen {
                if let Some(Partition { kind: PartKind::Strings { named, .. }, .. }) = x.part {
                    for sym in named {
                        if let Some(t) = x.side.c.set.strings.get(sym.0 as usize) {
                            if !texts.contains(t) {
                                texts.push(t.clone());
                            }
                        }
                    }
                }
            }
            // Named strings, then strings no version names, one per way of fitting the
            // patterns.
            let mut others: Vec<String> = Vec::new();
            for x in &seen {
                if let Some(p) = x.pattern() {
                    others.extend(p.examples(texts.len() + 4).0);
                }
            }
            others.extend(["ZZ", "", "?", "\u{1}"].map(String::from));
            let mut seen_fits: Vec<[Option<bool>; 2]> = Vec::new();
            for text in texts.iter().cloned().chain(others) {
                let named = texts.contains(&text);
                let fits = seen.each_ref().map(|x| x.pattern().map(|p| p.matches(&text)));
                if !named {
                    if texts.contains(&text) || seen_fits.contains(&fits) {
                        continue;
                    }
                    seen_fits.push(fits);
                }
                let mut sides: [Option<Candidate>; 2] = [None, None];
                for ((slot, x), fit) in sides.iter_mut().zip(&seen).zip(fits) {
                    if !x.reads() {
                        continue;
                    }
                    let sym = x.side.c.set.strings.iter().position(|s| *s == text);
                    *slot = Some(match sym {
                        Some(n) if named => Candidate::Value(Value::Str(Symbol(n as u32))),
                        _ => Candidate::OtherString { fits: fit },
                    });
                }
                out.push(Common { json: J::String(text), sides });
            }
        }
        Type::Int | Type::Date | Type::Duration(_) => {
            let dom = classes::fact_domain(ty);
            let mut starts = vec![dom.lo];
            for x in &seen {
                if let Some(Partition { kind: PartKind::Ordered { starts: s }, .. }) = x.part {
                    starts.extend(s);
                }
            }
            starts.sort_unstable();
            starts.dedup();
            for (i, lo) in starts.iter().enumerate() {
                let hi = starts.get(i + 1).map_or(dom.hi, |n| n.saturating_sub(1));
                let r = Interval { lo: *lo, hi };
                let near = match ty {
                    Type::Date => i64::from(day.0),
                    _ => 0,
                };
                let v = near.clamp(r.lo, r.hi.max(r.lo));
                let json = match reason::cuts::value_of(ty, v) {
                    Some(Value::Date(d)) => J::String(d.to_string()),
                    _ => J::from(v),
                };
                out.push(Common {
                    json,
                    sides: seen.each_ref().map(|x| x.reads().then_some(Candidate::Range(r))),
                });
            }
        }
    }
    out
}

fn pattern<'a>(s: &Side<'a>, v: &Var) -> Option<&'a crate::pattern::Pattern> {
    s.c.set.pattern(v.pattern?)
}

/// Every pair of leaves the two diagrams reach together, with the (level, class) choices
/// of one path to it.
#[allow(clippy::type_complexity)]
fn walk(a: &Diagram, b: &Diagram) -> Vec<((Ref, Ref), Vec<(usize, u32)>)> {
    let kid = |d: &Diagram, r: Ref, level: u32, class: u32| -> Ref {
        if r < LEAVES || d.level_of(r) != level {
            return r;
        }
        d.kids_of((r - LEAVES) as usize).get(class as usize).copied().unwrap_or(r)
    };
    let mut index: HashMap<(Ref, Ref), usize> = HashMap::new();
    // Per pair: the pair it was first reached from, and by which (level, class).
    let mut parent: Vec<Option<(usize, usize, u32)>> = Vec::new();
    let mut pairs: Vec<(Ref, Ref)> = Vec::new();
    let mut leaves: Vec<((Ref, Ref), usize)> = Vec::new();
    let mut queue = VecDeque::new();
    let root = (a.root, b.root);
    index.insert(root, 0);
    pairs.push(root);
    parent.push(None);
    queue.push_back(0usize);
    while let Some(i) = queue.pop_front() {
        let Some((x, y)) = pairs.get(i).copied() else {
            continue;
        };
        if x < LEAVES && y < LEAVES {
            leaves.push(((x, y), i));
            continue;
        }
        let level = a.level_of(x).min(b.level_of(y));
        let arity = a.arity.get(level as usize).copied().unwrap_or(0);
        for c in 0..arity {
            let next = (kid(a, x, level, c), kid(b, y, level, c));
            if index.contains_key(&next) {
                continue;
            }
            let j = pairs.len();
            index.insert(next, j);
            pairs.push(next);
            parent.push(Some((i, level as usize, c)));
            queue.push_back(j);
        }
    }
    leaves
        .into_iter()
        .map(|(pair, mut i)| {
            let mut path = Vec::new();
            while let Some(Some((from, level, class))) = parent.get(i).copied() {
                path.push((level, class));
                i = from;
            }
            path.reverse();
            (pair, path)
        })
        .collect()
}

/// The decision a version's engine makes on a witness (`None` if it cannot read it).
fn decide_witness(s: &Side<'_>, w: &Witness) -> Option<DecisionKind> {
    let doc = w.case(&s.name, |p| s.declares(p).is_some());
    let text = doc.to_string();
    let mut case = Case::new(&s.c.set);
    let mut de = serde_json::Deserializer::from_str(&text);
    s.c.schema.decode(&s.c.set, &mut case, &mut de).ok()?;
    s.c.decide(&case, &mut Scratch::default()).ok().map(|o| o.decision)
}

//! Properties of evaluation on generated cases for the shipped policies, with cases drawn
//! from the compiled fact table (so they follow the policies as they change):
//!
//! - the case loader keeps every fact, and deciding is deterministic and independent of the
//!   order of the facts in the case file;
//! - the JSON decision round-trips through serde;
//! - the evaluation graph agrees with the reference evaluator on every rule;
//! - a definite decision never changes when an unknown fact becomes known;
//! - `incomplete` is honest: checked against a brute-force enumeration of the unknown facts
//!   (with more values per fact than the engine tries), the decision is the only possible
//!   one or `incomplete`; a fact not in `missing` cannot change the possible decisions; and
//!   each fact in `missing` can.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::sync::OnceLock;

use pol_compiler::ir::{FactId, PolicyId};
use pol_compiler::reference::{self, Env};
use pol_compiler::types::Type;
use pol_compiler::value::{Day, Symbol, Tri, Value};
use pol_compiler::{Case, Compiled, DecisionKind, DecisionRecord, Scratch, Source};
use pol_syntax::ast::{RuleKind, Unit};
use proptest::prelude::*;
use serde_json::json;

fn shipped() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies");
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "pol"))
            .collect();
        paths.sort();
        let sources = paths
            .iter()
            .map(|p| Source {
                name: format!("policies/{}", p.file_name().unwrap().to_string_lossy()),
                text: std::fs::read_to_string(p).unwrap(),
            })
            .collect();
        let c = pol_compiler::compile(sources);
        assert!(!c.has_errors(), "the shipped policies do not compile");
        c.compiled.unwrap()
    })
}

/// A generated case: a policy, a date, and per fact whether it is known and a raw number
/// from which its value is drawn.
#[derive(Clone, Debug)]
struct Spec {
    policy: usize,
    as_of: u64,
    facts: Vec<(bool, u64)>,
}

fn spec(known: f64) -> impl Strategy<Value = Spec> {
    let c = shipped();
    (
        0..c.set.policies.len(),
        any::<u64>(),
        prop::collection::vec(
            (prop::bool::weighted(known), any::<u64>()),
            c.set.facts.len(),
        ),
    )
        .prop_map(|(policy, as_of, facts)| Spec {
            policy,
            as_of,
            facts,
        })
}

/// The ordinals a policy compares a fact with (from the graph's probes), for drawing values
/// near its thresholds.
fn anchors(c: &Compiled, policy: usize, fact: usize) -> Vec<i64> {
    c.graphs[policy]
        .probes
        .iter()
        .find(|(f, _)| f.index() == fact)
        .map(|(_, p)| p.anchors.clone())
        .unwrap_or_default()
}

fn near(anchors: &[i64], raw: u64, fallback: i64) -> i64 {
    if anchors.is_empty() || raw.is_multiple_of(4) {
        return fallback;
    }
    let a = anchors[(raw / 4) as usize % anchors.len()];
    a + ((raw / 64) % 5) as i64 - 2
}

fn value(c: &Compiled, policy: usize, fact: usize, raw: u64, case: &mut Case) -> Value {
    let a = anchors(c, policy, fact);
    match c.set.facts[fact].ty {
        Type::Bool => Value::Bool(raw.is_multiple_of(2)),
        Type::Int => Value::Int(near(&a, raw, (raw % 100) as i64)),
        Type::Duration(u) => Value::Duration(near(&a, raw, (raw % 1_000) as i64), u),
        Type::Date => Value::Date(Day(near(&a, raw, 7_305 + (raw % 16_800) as i64) as i32)),
        Type::Str => {
            let n = c.set.strings.len() as u64;
            let i = raw % (n + 1);
            if i < n {
                Value::Str(Symbol(i as u32))
            } else {
                case.extra_strings.push("ZZ".into());
                Value::Str(Symbol((n as usize + case.extra_strings.len() - 1) as u32))
            }
        }
        Type::Enum(e) => Value::Word((raw % c.set.enums[e.index()].words.len() as u64) as u16),
        Type::Set(e) => {
            let n = c.set.enums[e.index()].words.len();
            Value::Words(raw & ((1u64 << n) - 1))
        }
    }
}

fn build(c: &Compiled, s: &Spec) -> Case {
    let mut case = Case::new(&c.set);
    case.policy = Some(PolicyId(s.policy as u32));
    let all: Vec<i64> = c.graphs[s.policy]
        .probes
        .iter()
        .filter(|(f, _)| c.set.facts[f.index()].ty == Type::Date)
        .flat_map(|(_, p)| p.anchors.clone())
        .collect();
    case.as_of = Some(Day(
        near(&all, s.as_of, 7_305 + (s.as_of % 16_800) as i64) as i32
    ));
    for (i, (known, raw)) in s.facts.iter().enumerate() {
        if *known {
            let v = value(c, s.policy, i, *raw, &mut case);
            case.facts[i] = Some(v);
        }
    }
    case
}

/// The case as a JSON document, its fields in the order `order` gives the facts.
fn to_json(c: &Compiled, case: &Case, order: &[usize]) -> String {
    let mut doc = serde_json::Map::new();
    let mut top = vec![
        ("as_of", json!(case.as_of.unwrap().to_string())),
        (
            "policy",
            json!(c.set.policies[case.policy.unwrap().index()].name),
        ),
    ];
    if order.first().is_some_and(|i| i % 2 == 1) {
        top.reverse();
    }
    for (k, v) in top {
        doc.insert(k.into(), v);
    }
    for &i in order {
        let Some(v) = case.facts[i] else { continue };
        let def = &c.set.facts[i];
        let json = match (def.ty, v) {
            (_, Value::Bool(b)) => json!(b),
            (_, Value::Int(n)) | (_, Value::Duration(n, _)) => json!(n),
            (_, Value::Date(d)) => json!(d.to_string()),
            (_, Value::Str(s)) => json!(case.string(&c.set, s).unwrap()),
            (Type::Enum(e), Value::Word(w)) => json!(c.set.word(e, w)),
            (Type::Set(e), Value::Words(bits)) => json!((0..64u16)
                .filter(|w| bits & (1 << w) != 0)
                .map(|w| c.set.word(e, w))
                .collect::<Vec<_>>()),
            _ => unreachable!(),
        };
        let mut obj = &mut doc;
        let mut segs: Vec<&str> = def.path.split('.').collect();
        let last = segs.pop().unwrap();
        for seg in segs {
            obj = obj
                .entry(seg)
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .unwrap();
        }
        obj.insert(last.into(), json);
    }
    serde_json::to_string(&doc).unwrap()
}

fn decode(c: &Compiled, text: &str) -> Case {
    let mut case = Case::new(&c.set);
    let mut de = serde_json::Deserializer::from_str(text);
    c.schema
        .decode(&c.set, &mut case, &mut de)
        .unwrap_or_else(|e| panic!("{}: {:?}\n{text}", e.format, e.case));
    case
}

fn record(c: &Compiled, case: &Case) -> DecisionRecord {
    let outcome = c.decide(case, &mut Scratch::default()).unwrap();
    c.record(case, &outcome)
}

fn decision(c: &Compiled, case: &Case) -> DecisionKind {
    c.decide(case, &mut Scratch::default()).unwrap().decision
}

/// Facts the case's policy reads, per its graph.
fn read_facts(c: &Compiled, case: &Case) -> Vec<FactId> {
    c.graphs[case.policy.unwrap().index()]
        .probes
        .iter()
        .map(|(f, _)| *f)
        .collect()
}

/// Many values of a fact for the brute force: more than the engine tries (every anchor of
/// the policy ± 0..=2 and ± every duration it adds, `as_of`, the known values of every
/// other fact of the type), so a missing representative shows up as a disagreement.
fn brute_values(c: &Compiled, case: &Case, f: FactId) -> Vec<Value> {
    let g = &c.graphs[case.policy.unwrap().index()];
    let def = &c.set.facts[f.index()];
    let probe = g.probes.iter().find(|(x, _)| *x == f).map(|(_, p)| p);
    match def.ty {
        Type::Bool => vec![Value::Bool(false), Value::Bool(true)],
        Type::Enum(e) => (0..c.set.enums[e.index()].words.len() as u16)
            .map(Value::Word)
            .collect(),
        Type::Set(e) => {
            let n = c.set.enums[e.index()].words.len();
            (0..1u64 << n).map(Value::Words).collect()
        }
        Type::Str => {
            let mut v: Vec<Value> = (0..c.set.strings.len() as u32)
                .map(|i| Value::Str(Symbol(i)))
                .collect();
            v.push(Value::Str(Symbol(u32::MAX)));
            v
        }
        Type::Int | Type::Date | Type::Duration(_) => {
            let mut bases: Vec<i64> = g
                .probes
                .iter()
                .flat_map(|(_, p)| p.anchors.iter().copied())
                .collect();
            bases.push(0);
            bases.push(i64::from(case.as_of.unwrap().0));
            for (i, other) in c.set.facts.iter().enumerate() {
                if other.ty == def.ty {
                    if let Some(v) = case.facts[i].and_then(Value::ordinal) {
                        bases.push(v);
                    }
                }
            }
            let mut offsets: Vec<(i64, Unit)> = vec![(0, Unit::Days)];
            for (_, p) in &g.probes {
                offsets.extend(p.offsets.iter().copied());
            }
            let _ = probe;
            let mut points = BTreeSet::new();
            for b in bases {
                for (n, unit) in &offsets {
                    for sign in [1, -1] {
                        let base = if def.ty == Type::Date {
                            Day(b as i32).add(sign * n, *unit).map(|d| i64::from(d.0))
                        } else {
                            Some(b + sign * n)
                        };
                        if let Some(base) = base {
                            for d in -2..=2 {
                                points.insert(base + d);
                            }
                        }
                    }
                }
            }
            points
                .into_iter()
                .map(|p| match def.ty {
                    Type::Date => Value::Date(Day(p as i32)),
                    Type::Duration(u) => Value::Duration(p, u),
                    _ => Value::Int(p),
                })
                .collect()
        }
    }
}

/// The decisions reachable by completing the unknown facts in `open` (brute force).
fn possible(c: &Compiled, case: &Case, open: &[FactId]) -> BTreeSet<DecisionKind> {
    let mut out = BTreeSet::new();
    let mut case = case.clone();
    fn go(
        c: &Compiled,
        case: &mut Case,
        open: &[FactId],
        out: &mut BTreeSet<DecisionKind>,
        scratch: &mut Scratch,
    ) {
        let Some((f, rest)) = open.split_first() else {
            out.insert(c.decide(case, scratch).unwrap().decision);
            return;
        };
        for v in brute_values(c, case, *f) {
            case.facts[f.index()] = Some(v);
            go(c, case, rest, out, scratch);
        }
        case.facts[f.index()] = None;
    }
    go(c, &mut case, open, &mut out, &mut Scratch::default());
    out
}

/// The shipped worked examples, decoded.
fn examples() -> &'static Vec<Case> {
    static EXAMPLES: OnceLock<Vec<Case>> = OnceLock::new();
    EXAMPLES.get_or_init(|| {
        let c = shipped();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/cases");
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        paths.sort();
        let mut out = Vec::new();
        for p in paths {
            let text = std::fs::read_to_string(&p).unwrap();
            let mut case = Case::new(&c.set);
            let (s, set) = (&c.schema, &c.set);
            let problem = match p.extension().and_then(|e| e.to_str()) {
                Some("json") => s
                    .decode(
                        set,
                        &mut case,
                        &mut serde_json::Deserializer::from_str(&text),
                    )
                    .err()
                    .map(|e| e.format.to_string()),
                Some("yaml") => s
                    .decode(set, &mut case, serde_yaml::Deserializer::from_str(&text))
                    .err()
                    .map(|e| e.format.to_string()),
                Some("toml") => s
                    .decode(set, &mut case, toml::Deserializer::new(&text))
                    .err()
                    .map(|e| e.format.to_string()),
                _ => continue,
            };
            assert!(problem.is_none(), "{}: {problem:?}", p.display());
            out.push(case);
        }
        assert!(out.len() >= 10, "only {} examples", out.len());
        out
    })
}

struct CaseEnv<'a>(&'a Case);

impl Env for CaseEnv<'_> {
    fn fact(&self, slot: usize) -> Tri {
        self.0.facts.get(slot).copied().flatten()
    }
    fn as_of(&self) -> Option<Day> {
        self.0.as_of
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The loader keeps every fact, and the decision does not depend on the order of the
    /// facts in the file or on the scratch space reused across a batch.
    #[test]
    fn deciding_is_deterministic_and_independent_of_fact_order(s in spec(0.6), seed in any::<u64>()) {
        let c = shipped();
        let case = build(c, &s);
        let forward: Vec<usize> = (0..c.set.facts.len()).collect();
        let mut shuffled = forward.clone();
        // A deterministic shuffle from the seed.
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let a = decode(c, &to_json(c, &case, &forward));
        let b = decode(c, &to_json(c, &case, &shuffled));
        prop_assert_eq!(&a.facts, &b.facts);
        for (i, v) in case.facts.iter().enumerate() {
            // Strings are re-interned on decoding; compare their text.
            match (v, a.facts[i]) {
                (Some(Value::Str(x)), Some(Value::Str(y))) => {
                    prop_assert_eq!(case.string(&c.set, *x), a.string(&c.set, y))
                }
                (v, w) => prop_assert_eq!(*v, w, "fact {} lost", c.set.facts[i].path),
            }
        }
        let mut scratch = Scratch::default();
        let first = c.decide(&a, &mut scratch).unwrap();
        let second = c.decide(&b, &mut scratch).unwrap();
        prop_assert_eq!(&first, &second);
        prop_assert_eq!(first, c.decide(&a, &mut Scratch::default()).unwrap());
    }

    /// The contract's decision object survives serialization, and `explain` reports the
    /// decision `eval` makes.
    #[test]
    fn the_json_decision_round_trips_and_explain_agrees(s in spec(0.6)) {
        let c = shipped();
        let case = build(c, &s);
        let r = record(c, &case);
        let back: DecisionRecord = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        prop_assert_eq!(&back, &r);
        prop_assert_eq!(c.explain(&case, false).unwrap().decision, r);
    }

    /// The evaluation graph and the reference tree-walker agree on every rule's condition and
    /// exception.
    #[test]
    fn the_graph_agrees_with_the_reference_evaluator(s in spec(0.6)) {
        let c = shipped();
        let case = build(c, &s);
        let p = case.policy.unwrap().index();
        let (policy, g) = (&c.set.policies[p], &c.graphs[p]);
        let mut values = Vec::new();
        g.eval(&c.set, &case.facts, case.as_of.unwrap(), &mut values);
        let env = CaseEnv(&case);
        for r in &g.rules {
            let def = &policy.rules[r.rule];
            prop_assert_eq!(
                values[r.condition.index()],
                reference::eval(&c.set, &env, &def.condition),
                "{}.{}", policy.name, def.name
            );
            if let (Some(u), Some(n)) = (&def.unless, r.unless) {
                prop_assert_eq!(values[n.index()], reference::eval(&c.set, &env, u));
            }
            if def.kind == RuleKind::Require {
                let cond = reference::eval(&c.set, &env, &def.condition).and_then(Value::as_bool);
                prop_assert_eq!(values[r.trigger.index()].and_then(Value::as_bool), cond.map(|b| !b));
            }
        }
    }

    /// A definite decision stays when any unknown fact the policy reads becomes known.
    #[test]
    fn a_definite_decision_never_changes_when_an_unknown_fact_becomes_known(
        s in spec(0.5),
        pick in any::<u64>(),
        raw in any::<u64>(),
    ) {
        let c = shipped();
        let mut case = build(c, &s);
        let d = decision(c, &case);
        prop_assume!(d != DecisionKind::Incomplete);
        let unknown: Vec<FactId> = read_facts(c, &case)
            .into_iter()
            .filter(|f| case.facts[f.index()].is_none())
            .collect();
        prop_assume!(!unknown.is_empty());
        let f = unknown[(pick % unknown.len() as u64) as usize];
        let v = value(c, s.policy, f.index(), raw, &mut case);
        case.facts[f.index()] = Some(v);
        prop_assert_eq!(decision(c, &case), d, "{} = {:?}", c.set.facts[f.index()].path, v);
    }

    /// `incomplete` exactly when more than one decision is possible, and `missing` lists
    /// exactly the facts whose value changes the possible decisions (docs/semantics.md), checked by
    /// brute force on generated cases with at most two unknown facts that the policy reads.
    #[test]
    fn incomplete_is_honest(s in spec(0.85)) {
        honest(&build(shipped(), &s))?;
    }

    /// The same on the worked examples with one or two of the facts their policy reads
    /// removed: realistic cases, which reach `eligible` and `not_required` far more often.
    #[test]
    fn incomplete_is_honest_on_examples_with_facts_removed(
        example in any::<prop::sample::Index>(),
        first in any::<prop::sample::Index>(),
        second in any::<prop::sample::Index>(),
        both in any::<bool>(),
    ) {
        let c = shipped();
        let mut case = examples()[example.index(examples().len())].clone();
        let known: Vec<FactId> = read_facts(c, &case)
            .into_iter()
            .filter(|f| case.facts[f.index()].is_some())
            .collect();
        prop_assume!(!known.is_empty());
        case.facts[first.get(&known).index()] = None;
        if both {
            case.facts[second.get(&known).index()] = None;
        }
        honest(&case)?;
    }
}

fn honest(case: &Case) -> Result<(), TestCaseError> {
    let c = shipped();
    let case = case.clone();
    let open: Vec<FactId> = read_facts(c, &case)
        .into_iter()
        .filter(|f| case.facts[f.index()].is_none())
        .collect();
    prop_assume!(open.len() <= 2);
    let r = record(c, &case);
    let all = possible(c, &case, &open);
    if all.len() == 1 {
        prop_assert_eq!(Some(&r.decision), all.first(), "the only possible decision");
        prop_assert!(r.missing.is_empty());
        return Ok(());
    }
    prop_assert_eq!(r.decision, DecisionKind::Incomplete, "possible: {:?}", all);
    let mut changes = Vec::new();
    for f in &open {
        let rest: Vec<FactId> = open.iter().copied().filter(|x| x != f).collect();
        let mut sets = BTreeSet::new();
        let mut with = case.clone();
        for v in brute_values(c, &case, *f) {
            with.facts[f.index()] = Some(v);
            sets.insert(possible(c, &with, &rest).into_iter().collect::<Vec<_>>());
        }
        if sets.len() > 1 {
            changes.push(c.set.facts[f.index()].path.clone());
        }
    }
    changes.sort();
    if changes.is_empty() {
        // The facts matter only jointly: every open fact is listed (ARCHITECTURE.md).
        let mut every: Vec<String> = open
            .iter()
            .map(|f| c.set.facts[f.index()].path.clone())
            .collect();
        every.sort();
        prop_assert_eq!(&r.missing, &every);
    } else {
        prop_assert_eq!(&r.missing, &changes, "possible: {:?}", all);
    }
    Ok(())
}

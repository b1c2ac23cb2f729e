//! Properties of evaluation on generated cases for the shipped policies, with cases drawn
//! from the compiled fact table (so they follow the policies as they change):
//!
//! - the case loader keeps every fact, and deciding is deterministic and independent of the
//!   order of the facts in the case file;
//! - the JSON decision round-trips through serde;
//! - a definite decision never changes when an unknown fact becomes known.
//!
//! What each decision should be (its reasons, `missing`, every condition's value) is
//! checked against the independent model of the semantics, in `crates/pol-model/tests`.

use pol_compiler::graph::Op;
use pol_compiler::ir::{FactId, PolicyId};
use pol_compiler::types::Type;
use pol_compiler::value::{Day, Symbol, Value};
use pol_compiler::{Case, Compiled, DecisionKind, DecisionRecord, Scratch};
use proptest::prelude::*;
use proptest::test_runner::{RngAlgorithm, RngSeed};
use serde_json::json;

use pol_test_support::spec::Spec;
use pol_test_support::{decide as record, decode_case as decode, shipped};

fn spec(known: f64) -> impl Strategy<Value = Spec> {
    pol_test_support::spec::spec(shipped(), known)
}

/// The ordinals a policy's graph names (its literals and constants), for drawing values
/// near its thresholds.
fn anchors(c: &Compiled, policy: PolicyId) -> Vec<i64> {
    let mut out: Vec<i64> = c.graphs[policy]
        .nodes
        .iter()
        .filter_map(|n| match &n.op {
            Op::Lit(v) | Op::Const(_, v) => v.ordinal(),
            _ => None,
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn near(anchors: &[i64], raw: u64, fallback: i64) -> i64 {
    if anchors.is_empty() || raw.is_multiple_of(4) {
        return fallback;
    }
    let a = anchors[(raw / 4) as usize % anchors.len()];
    a + ((raw / 64) % 5) as i64 - 2
}

fn value(c: &Compiled, policy: PolicyId, fact: FactId, raw: u64, case: &mut Case) -> Value {
    let a = anchors(c, policy);
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
        Type::Enum(e) => Value::Word((raw % c.set.enums[e].words.len() as u64) as u16),
        Type::Set(e) => {
            let n = c.set.enums[e].words.len();
            Value::Words(raw & ((1u64 << n) - 1))
        }
    }
}

fn build(c: &Compiled, s: &Spec) -> Case {
    let mut case = Case::new(&c.set);
    let policy = PolicyId(s.policy as u32);
    case.policy = Some(policy);
    let all = anchors(c, policy);
    case.as_of = Some(Day(near(&all, s.as_of, 7_305 + (s.as_of % 16_800) as i64) as i32));
    for (i, (known, raw)) in s.facts.iter().enumerate() {
        if *known {
            let v = value(c, policy, FactId(i as u32), *raw, &mut case);
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
        ("policy", json!(c.set.policies[case.policy.unwrap()].name)),
    ];
    if order.first().is_some_and(|i| i % 2 == 1) {
        top.reverse();
    }
    for (k, v) in top {
        doc.insert(k.into(), v);
    }
    for &i in order {
        let Some(v) = case.facts[i] else { continue };
        let def = &c.set.facts[FactId(i as u32)];
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
            obj = obj.entry(seg).or_insert_with(|| json!({})).as_object_mut().unwrap();
        }
        obj.insert(last.into(), json);
    }
    serde_json::to_string(&doc).unwrap()
}

/// Whether a case keeps every constraint (generated cases are drawn without them, and a
/// case that breaks one is an error, not a decision).
fn valid(c: &Compiled, case: &Case) -> bool {
    c.check_case(case, &mut Scratch::default()).is_ok()
}

fn decision(c: &Compiled, case: &Case) -> DecisionKind {
    c.decide(case, &mut Scratch::default()).unwrap().decision
}

/// Facts the case's policy reads, per its graph.
fn read_facts(c: &Compiled, case: &Case) -> Vec<FactId> {
    c.graphs[case.policy.unwrap()].reads.clone()
}

proptest! {
    // A fixed seed: CI tries the same cases on every run.
    #![proptest_config(ProptestConfig {
        cases: 256,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(0x706f_6c5f_7072_6f70),
        ..ProptestConfig::default()
    })]

    /// The loader keeps every fact, and the decision does not depend on the order of the
    /// facts in the file or on the scratch space reused across a batch.
    #[test]
    fn deciding_is_deterministic_and_independent_of_fact_order(s in spec(0.6), seed in any::<u64>()) {
        let c = shipped();
        let case = build(c, &s);
        prop_assume!(valid(c, &case));
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
                (v, w) => prop_assert_eq!(*v, w, "fact {} lost", c.set.facts[FactId(i as u32)].path),
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
        prop_assume!(valid(c, &case));
        let r = record(c, &case);
        let back: DecisionRecord = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        prop_assert_eq!(&back, &r);
        prop_assert_eq!(c.explain(&case, false).unwrap().decision, r);
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
        prop_assume!(valid(c, &case));
        let d = decision(c, &case);
        prop_assume!(d != DecisionKind::Incomplete);
        let unknown: Vec<FactId> = read_facts(c, &case)
            .into_iter()
            .filter(|f| case.facts[f.index()].is_none())
            .collect();
        prop_assume!(!unknown.is_empty());
        let f = unknown[(pick % unknown.len() as u64) as usize];
        let v = value(c, case.policy.unwrap(), f, raw, &mut case);
        case.facts[f.index()] = Some(v);
        // Exact reasoning counts only completions that keep the constraints.
        prop_assume!(valid(c, &case));
        prop_assert_eq!(decision(c, &case), d, "{} = {:?}", c.set.facts[f].path, v);
    }
}

/// The shipped policies are all within exact reasoning: no case of theirs falls back to
/// the over-approximation (every unknown fact under the open rules) that policies relating
/// facts in unmodelled ways get (lint W0516).
#[test]
fn every_shipped_policy_is_within_exact_reasoning() {
    let c = shipped();
    for (p, r) in c.set.policies.iter().zip(&c.reasoner.policies) {
        assert_eq!(r.analysis.inexact, None, "{}", p.name);
    }
}

//! Properties of evaluation on generated cases for the shipped policies, with cases drawn
//! from the compiled fact table (so they follow the policies as they change):
//!
//! - the case loader keeps every fact, and deciding is deterministic and independent of the
//!   order of the facts in the case file;
//! - the JSON decision round-trips through serde;
//! - the evaluation graph agrees with the reference evaluator on every rule;
//! - a definite decision never changes when an unknown fact becomes known;
//! - `incomplete` and `missing` are exact: checked against an independent brute-force model
//!   (below) that shares nothing with the engine's reasoning: it reads the typed IR with the
//!   reference evaluator, states the decision levels itself, and enumerates many values of
//!   every unknown fact (each constant the policy or a constraint names, moved by each
//!   duration and by a day either way). The decision is the only possible one or
//!   `incomplete`, and a fact is in `missing` exactly when some value of it alone changes
//!   the set of possible decisions.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::cell::RefCell;
use std::sync::OnceLock;

use pol_compiler::ir::{FactId, PolicyId};
use pol_compiler::reference::{self, Env};
use pol_compiler::types::Type;
use pol_compiler::value::{Day, Symbol, Tri, Value};
use pol_compiler::{Case, Compiled, DecisionKind, DecisionRecord, Scratch, Source};
use pol_syntax::ast::RuleKind;
use proptest::prelude::*;
use serde::de::DeserializeSeed;
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

/// The ordinals a policy names (from its typed IR), for drawing values near its thresholds.
fn anchors(c: &Compiled, policy: usize, _fact: usize) -> Vec<i64> {
    model::constants(c, PolicyId(policy as u32))
        .ordinals
        .into_iter()
        .collect()
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
    let all = anchors(c, s.policy, 0);
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

/// Whether a case keeps every constraint (generated cases are drawn without them).
fn valid(c: &Compiled, case: &Case) -> bool {
    c.check_case(case, &mut Scratch::default()).is_ok()
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
    let error = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    c.schema
        .seed(&c.set, &mut case, &error)
        .deserialize(&mut de)
        .unwrap_or_else(|e| panic!("{e}: {:?}\n{text}", error.borrow()));
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
    c.graphs[case.policy.unwrap().index()].reads.clone()
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
            let error = RefCell::new(None);
            let seed = c.schema.seed(&c.set, &mut case, &error);
            let ok = match p.extension().and_then(|e| e.to_str()) {
                Some("json") => seed
                    .deserialize(&mut serde_json::Deserializer::from_str(&text))
                    .is_ok(),
                Some("yaml") => seed
                    .deserialize(serde_yaml::Deserializer::from_str(&text))
                    .is_ok(),
                Some("toml") => seed.deserialize(toml::Deserializer::new(&text)).is_ok(),
                _ => continue,
            };
            assert!(ok, "{}: {:?}", p.display(), error.borrow());
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
        prop_assume!(valid(c, &case));
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
        prop_assume!(valid(c, &case));
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
        prop_assume!(valid(c, &case));
        prop_assert_eq!(decision(c, &case), d, "{} = {:?}", c.set.facts[f.index()].path, v);
    }

    /// `incomplete` exactly when more than one decision is possible, and `missing` lists
    /// exactly the facts whose value alone changes the possible decisions (DESIGN.md),
    /// checked against the brute-force model on generated cases with up to three unknown
    /// facts that the policy reads.
    #[test]
    fn incomplete_and_missing_are_exact(s in spec(0.8)) {
        honest(&build(shipped(), &s), 3)?;
    }

    /// The same on the worked examples with one to three of the facts their policy reads
    /// removed: realistic cases, which reach `eligible` and `not_required` far more often.
    #[test]
    fn incomplete_and_missing_are_exact_on_examples_with_facts_removed(
        example in any::<prop::sample::Index>(),
        remove in prop::collection::vec(any::<prop::sample::Index>(), 1..=3),
    ) {
        let c = shipped();
        let mut case = examples()[example.index(examples().len())].clone();
        let known: Vec<FactId> = read_facts(c, &case)
            .into_iter()
            .filter(|f| case.facts[f.index()].is_some())
            .collect();
        prop_assume!(!known.is_empty());
        for r in &remove {
            case.facts[r.get(&known).index()] = None;
        }
        honest(&case, 3)?;
    }
}

fn honest(case: &Case, max_unknown: usize) -> Result<(), TestCaseError> {
    let c = shipped();
    prop_assume!(valid(c, case));
    let m = model::Model::new(c, case.policy.unwrap());
    let unknown: Vec<FactId> = m
        .relevant
        .iter()
        .copied()
        .filter(|f| case.facts[f.index()].is_none())
        .collect();
    prop_assume!(unknown.len() <= max_unknown);
    check_against_model(c, &m, case, &unknown)
}

/// The engine's decision and `missing` against the model's enumeration.
fn check_against_model(
    c: &Compiled,
    m: &model::Model,
    case: &Case,
    unknown: &[FactId],
) -> Result<(), TestCaseError> {
    let e = m.enumerate(case, unknown);
    let decided = c.decide(case, &mut Scratch::default());
    if e.possible.is_empty() {
        prop_assert!(decided.is_err(), "no completion keeps the constraints");
        return Ok(());
    }
    let r = c.record(case, &decided.unwrap());
    let definite: Vec<&DecisionKind> = e
        .possible
        .iter()
        .filter(|d| **d != DecisionKind::Incomplete)
        .collect();
    if e.possible.len() == 1 && definite.len() == 1 {
        prop_assert_eq!(&r.decision, definite[0], "the only possible decision");
        prop_assert!(r.missing.is_empty());
        return Ok(());
    }
    prop_assert_eq!(
        r.decision,
        DecisionKind::Incomplete,
        "possible: {:?}",
        e.possible
    );
    let mut expected: Vec<String> = e
        .changes
        .iter()
        .map(|f| c.set.facts[f.index()].path.clone())
        .collect();
    expected.sort();
    let mut got = r.missing.clone();
    got.sort();
    prop_assert_eq!(got, expected, "possible: {:?}", e.possible);
    Ok(())
}

#[test]
fn the_advance_parole_cases_with_status_pending_reason_and_j1_unknown() {
    // A differential test found advance_parole cases with these four facts unknown whose
    // `missing` listed the J-1 flag, which cannot change the outcome alone.
    let c = shipped();
    let policy = c.set.policy("advance_parole").unwrap();
    let m = model::Model::new(c, policy);
    let fact = |p: &str| FactId(c.set.facts.iter().position(|f| f.path == p).unwrap() as u32);
    let unknown = [
        fact("applicant.status"),
        fact("applicant.pending"),
        fact("reason"),
        fact("applicant.j1_foreign_residence_requirement"),
    ];
    let others = [
        fact("applicant.location"),
        fact("applicant.private_bill_beneficiary"),
        fact("applicant.in_removal_proceedings"),
    ];
    let mut open = 0;
    for bits in 0..8u32 {
        let mut case = Case::new(&c.set);
        case.policy = Some(policy);
        case.as_of = Some(Day(20_000));
        let location = c.set.enums.iter().find(|e| e.name == "Location").unwrap();
        let word = |w: &str| location.words.iter().position(|x| x == w).unwrap() as u16;
        case.facts[others[0].index()] = Some(Value::Word(if bits & 1 == 0 {
            word("inside_us")
        } else {
            word("outside_us")
        }));
        case.facts[others[1].index()] = Some(Value::Bool(bits & 2 != 0));
        case.facts[others[2].index()] = Some(Value::Bool(bits & 4 != 0));
        let r = record(c, &case);
        if r.decision == DecisionKind::Incomplete {
            open += 1;
            assert!(
                !r.missing
                    .contains(&"applicant.j1_foreign_residence_requirement".to_string()),
                "{:?}",
                r.missing
            );
        }
        check_against_model(c, &m, &case, &unknown).unwrap();
    }
    assert!(open > 0);
}

#[test]
fn every_shipped_policy_is_within_exact_reasoning() {
    let c = shipped();
    for (p, r) in c.set.policies.iter().zip(&c.reasoner.policies) {
        assert_eq!(r.analysis.inexact, None, "{}", p.name);
    }
}

/// The brute-force model: the decision of DESIGN.md computed on the typed IR with the
/// reference evaluator, and every completion of the unknown facts from a generous list
/// of values per fact. It shares nothing with the decision diagrams.
mod model {
    use std::collections::BTreeSet;

    use pol_compiler::ir::{ConstraintKind, FactId, PolicyId, TExpr, TExprKind};
    use pol_compiler::reference::{self, Env};
    use pol_compiler::types::Type;
    use pol_compiler::value::{Day, Symbol, Tri, Value};
    use pol_compiler::{Case, Compiled, DecisionKind};
    use pol_syntax::ast::{RuleKind, Unit};

    /// What a policy (and the constraints) names.
    #[derive(Default)]
    pub struct Constants {
        pub ordinals: BTreeSet<i64>,
        pub durations: BTreeSet<(i64, Unit)>,
    }

    fn walk(c: &Compiled, e: &TExpr, out: &mut Constants, facts: &mut BTreeSet<FactId>) {
        let mut stack = vec![e];
        let mut lets = vec![false; c.set.lets.len()];
        while let Some(e) = stack.pop() {
            fn value(out: &mut Constants, v: &Value) {
                match v {
                    Value::Duration(n, u) => {
                        out.durations.insert((*n, *u));
                        out.ordinals.insert(*n);
                    }
                    v => {
                        if let Some(o) = v.ordinal() {
                            out.ordinals.insert(o);
                        }
                    }
                }
            }
            match &e.kind {
                TExprKind::Lit(v) => value(out, v),
                TExprKind::Const(k) => value(out, &c.set.consts[k.index()].value),
                TExprKind::Param(p) => {
                    for dv in &c.set.params[p.index()].values {
                        out.ordinals.insert(i64::from(dv.from.0));
                        value(out, &dv.value);
                    }
                }
                TExprKind::Fact(f) => {
                    facts.insert(*f);
                }
                TExprKind::AsOf => {}
                TExprKind::Let(l) => {
                    if !lets[l.index()] {
                        lets[l.index()] = true;
                        stack.push(&c.set.lets[l.index()].value);
                    }
                }
                TExprKind::Not(x) => stack.push(x),
                TExprKind::And(xs) | TExprKind::Or(xs) => stack.extend(xs),
                TExprKind::InList(x, xs) => {
                    stack.push(x);
                    stack.extend(xs);
                }
                TExprKind::Compare(_, a, b)
                | TExprKind::InSet(a, b)
                | TExprKind::Arith(_, a, b) => {
                    stack.push(a);
                    stack.push(b);
                }
                TExprKind::InRange {
                    element, low, high, ..
                } => stack.extend([&**element, &**low, &**high]),
            }
        }
    }

    /// The decision expressions of a policy (rules that decide a level, the window's date).
    fn decision_exprs(c: &Compiled, policy: PolicyId) -> Vec<&TExpr> {
        let p = &c.set.policies[policy.index()];
        let mut out = Vec::new();
        for r in &p.rules {
            if r.kind == RuleKind::Warn {
                continue;
            }
            out.push(&r.condition);
            out.extend(&r.unless);
        }
        if let Some(w) = &p.window {
            out.extend(&w.at);
        }
        out
    }

    pub fn constants(c: &Compiled, policy: PolicyId) -> Constants {
        let mut out = Constants::default();
        let mut facts = BTreeSet::new();
        let p = &c.set.policies[policy.index()];
        for r in &p.rules {
            walk(c, &r.condition, &mut out, &mut facts);
            if let Some(u) = &r.unless {
                walk(c, u, &mut out, &mut facts);
            }
        }
        if let Some(w) = &p.window {
            if let Some(at) = &w.at {
                walk(c, at, &mut out, &mut facts);
            }
            let program = &c.set.programs[w.program.index()];
            for e in program.opened.iter().chain(program.closed.iter()) {
                out.ordinals.insert(i64::from(e.day.0));
            }
        }
        for k in &c.set.constraints {
            if let ConstraintKind::Condition(e) = &k.kind {
                walk(c, e, &mut out, &mut facts);
            }
        }
        out
    }

    pub struct Model<'a> {
        c: &'a Compiled,
        policy: PolicyId,
        consts: Constants,
        /// The unknown facts that can matter: those the decision reads, and those tied to
        /// them by a constraint.
        pub relevant: Vec<FactId>,
    }

    /// What the enumeration found.
    pub struct Enumeration {
        pub possible: BTreeSet<DecisionKind>,
        /// The unknown facts some value of which alone changes `possible`.
        pub changes: Vec<FactId>,
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

    fn kleene_or(items: impl IntoIterator<Item = Option<bool>>) -> Option<bool> {
        let mut unknown = false;
        for i in items {
            match i {
                Some(true) => return Some(true),
                Some(false) => {}
                None => unknown = true,
            }
        }
        if unknown {
            None
        } else {
            Some(false)
        }
    }

    impl<'a> Model<'a> {
        pub fn new(c: &'a Compiled, policy: PolicyId) -> Model<'a> {
            let mut facts = BTreeSet::new();
            let mut sink = Constants::default();
            for e in decision_exprs(c, policy) {
                walk(c, e, &mut sink, &mut facts);
            }
            // Facts tied to those by a constraint, until none is added.
            loop {
                let before = facts.len();
                for k in &c.set.constraints {
                    let mut mine = BTreeSet::new();
                    match &k.kind {
                        ConstraintKind::Condition(e) => walk(c, e, &mut sink, &mut mine),
                        ConstraintKind::Pattern { fact, .. } => {
                            mine.insert(*fact);
                        }
                    }
                    if mine.iter().any(|f| facts.contains(f)) {
                        facts.extend(mine);
                    }
                }
                if facts.len() == before {
                    break;
                }
            }
            Model {
                c,
                policy,
                consts: constants(c, policy),
                relevant: facts.into_iter().collect(),
            }
        }

        /// The decision of a case in which every relevant fact is known; `None` when it
        /// breaks a constraint.
        pub fn decide(&self, case: &Case) -> Option<DecisionKind> {
            let set = &self.c.set;
            let env = CaseEnv(case);
            for k in &set.constraints {
                match &k.kind {
                    ConstraintKind::Condition(e) => {
                        if reference::eval(set, &env, e) == Some(Value::Bool(false)) {
                            return None;
                        }
                    }
                    ConstraintKind::Pattern { fact, pattern, .. } => {
                        if let Some(Value::Str(s)) = case.facts[fact.index()] {
                            if !pattern.matches(case.string(set, s).unwrap_or("")) {
                                return None;
                            }
                        }
                    }
                }
            }
            let p = &set.policies[self.policy.index()];
            let truth = |e: &TExpr| reference::eval(set, &env, e).and_then(Value::as_bool);
            let open = p.window.as_ref().map(|w| {
                let day = match &w.at {
                    Some(e) => match reference::eval(set, &env, e) {
                        Some(Value::Date(d)) => Some(d),
                        _ => None,
                    },
                    None => case.as_of,
                };
                let program = &set.programs[w.program.index()];
                day.map(|d| {
                    program.opened.as_ref().is_none_or(|o| d >= o.day)
                        && program.closed.as_ref().is_none_or(|x| d < x.day)
                })
            });
            let trigger = |r: &pol_compiler::ir::RuleDef| -> Option<bool> {
                let c = truth(&r.condition);
                match r.kind {
                    RuleKind::Require => c.map(|b| !b),
                    RuleKind::Exclude => {
                        let unless = r.unless.as_ref().map(truth);
                        match (c, unless) {
                            (Some(false), _) => Some(false),
                            (_, Some(Some(true))) => Some(false),
                            (Some(true), None | Some(Some(false))) => Some(true),
                            _ => None,
                        }
                    }
                    _ => c,
                }
            };
            let level = |kinds: &[RuleKind]| {
                kleene_or(
                    p.rules
                        .iter()
                        .filter(|r| kinds.contains(&r.kind))
                        .map(trigger),
                )
            };
            let levels = [
                kleene_or(
                    open.map(|o| o.map(|b| !b))
                        .into_iter()
                        .chain([level(&[RuleKind::Unavailable])]),
                ),
                level(&[RuleKind::Require, RuleKind::Exclude]),
                level(&[RuleKind::NotRequired]),
            ];
            let kinds = [
                DecisionKind::Unavailable,
                DecisionKind::Ineligible,
                DecisionKind::NotRequired,
            ];
            for (t, k) in levels.into_iter().zip(kinds) {
                match t {
                    Some(true) => return Some(k),
                    Some(false) => {}
                    None => return Some(DecisionKind::Incomplete),
                }
            }
            Some(DecisionKind::Eligible)
        }

        /// Values to try for an unknown fact.
        fn values(&self, case: &mut Case, f: FactId) -> Vec<Value> {
            let set = &self.c.set;
            let ty = set.facts[f.index()].ty;
            match ty {
                Type::Bool => vec![Value::Bool(false), Value::Bool(true)],
                Type::Enum(e) => (0..set.enums[e.index()].words.len() as u16)
                    .map(Value::Word)
                    .collect(),
                Type::Set(e) => {
                    let n = set.enums[e.index()].words.len();
                    assert!(n <= 8, "the model enumerates every subset");
                    (0..1u64 << n).map(Value::Words).collect()
                }
                Type::Str => {
                    let mut v: Vec<Value> = (0..set.strings.len() as u32)
                        .map(|i| Value::Str(Symbol(i)))
                        .collect();
                    for other in ["ZZ", "zz", ""] {
                        case.extra_strings.push(other.to_string());
                        v.push(Value::Str(Symbol(
                            (set.strings.len() + case.extra_strings.len() - 1) as u32,
                        )));
                    }
                    v
                }
                Type::Int | Type::Date | Type::Duration(_) => {
                    let mut bases: BTreeSet<i64> = self.consts.ordinals.clone();
                    bases.insert(0);
                    bases.insert(i64::from(case.as_of.unwrap().0));
                    for (i, other) in set.facts.iter().enumerate() {
                        if other.ty == ty {
                            if let Some(v) = case.facts[i].and_then(Value::ordinal) {
                                bases.insert(v);
                            }
                        }
                    }
                    let mut points = BTreeSet::new();
                    for b in bases {
                        for (n, unit) in std::iter::once((0, Unit::Days))
                            .chain(self.consts.durations.iter().copied())
                        {
                            for sign in [1i64, -1] {
                                let moved = match ty {
                                    Type::Date => i32::try_from(b)
                                        .ok()
                                        .and_then(|d| Day(d).add(sign * n, unit))
                                        .map(|d| i64::from(d.0)),
                                    _ => b.checked_add(sign * n),
                                };
                                if let Some(m) = moved {
                                    for d in -1..=1 {
                                        if let Some(p) = m.checked_add(d) {
                                            points.insert(p);
                                        }
                                    }
                                }
                            }
                        }
                    }
                    if ty != Type::Date {
                        points.extend([i64::MIN, i64::MIN + 1, i64::MAX - 1, i64::MAX]);
                    }
                    let (lo, hi) = (
                        i64::from(Day::from_date(pol_syntax::date::Date::new(0, 1, 1).unwrap()).0),
                        i64::from(
                            Day::from_date(pol_syntax::date::Date::new(9999, 12, 31).unwrap()).0,
                        ),
                    );
                    points
                        .into_iter()
                        .filter_map(|p| match ty {
                            Type::Date => {
                                (p >= lo && p <= hi).then_some(Value::Date(Day(p as i32)))
                            }
                            Type::Duration(u) => Some(Value::Duration(p, u)),
                            _ => Some(Value::Int(p)),
                        })
                        .collect()
                }
            }
        }

        /// Every completion of `unknown`: the decisions possible, and the facts some value
        /// of which alone changes them.
        pub fn enumerate(&self, case: &Case, unknown: &[FactId]) -> Enumeration {
            let mut work = case.clone();
            let values: Vec<Vec<Value>> =
                unknown.iter().map(|f| self.values(&mut work, *f)).collect();
            let mut possible = BTreeSet::new();
            let mut per: Vec<Vec<BTreeSet<DecisionKind>>> = values
                .iter()
                .map(|v| vec![BTreeSet::new(); v.len()])
                .collect();
            let mut choice = vec![0usize; unknown.len()];
            loop {
                for (i, f) in unknown.iter().enumerate() {
                    work.facts[f.index()] = Some(values[i][choice[i]]);
                }
                if let Some(d) = self.decide(&work) {
                    possible.insert(d);
                    for (i, c) in choice.iter().enumerate() {
                        per[i][*c].insert(d);
                    }
                }
                let mut i = 0;
                loop {
                    if i == choice.len() {
                        let changes = unknown
                            .iter()
                            .zip(&per)
                            .filter(|(_, sets)| {
                                sets.iter().any(|s| !s.is_empty() && *s != possible)
                            })
                            .map(|(f, _)| *f)
                            .collect();
                        return Enumeration { possible, changes };
                    }
                    choice[i] += 1;
                    if choice[i] < values[i].len() {
                        break;
                    }
                    choice[i] = 0;
                    i += 1;
                }
            }
        }
    }
}

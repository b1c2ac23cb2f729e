//! The engine against the independent model, on the shipped policies (`policies/*.pol`,
//! read from disk) and on cases drawn from their compiled fact table: adding a policy or a
//! fact needs no change here.
//!
//! - the graph's value of every condition is the model evaluator's;
//! - the decision, its reasons (as sets), warnings, forms and validity are the model's;
//! - `missing` is exactly the model's (as a set: the engine ranks it);
//! - cases that break a constraint are refused by both.

use crate::common;

use common::*;
use pol_compiler::ir::FactId;
use pol_compiler::{Case, Compiled};
use pol_model::{eval, Facts, Model};
use pol_test_support::spec::spec;
use pol_test_support::{examples, shipped};
use proptest::prelude::*;

/// Completions the model decides per generated case: generated cases past it are skipped.
/// `advance_parole` with everything its rules read unknown is 368,640.
const LIMIT: u64 = 400_000;

/// The engine decides the case as the model does, `missing` included.
fn decided(c: &Compiled, case: &Case) -> Result<(), TestCaseError> {
    let Some(m) = model(c, case, LIMIT) else {
        return Err(TestCaseError::reject(
            "too many completions for the model, or no valid completion",
        ));
    };
    let e = engine(c, case);
    agree(c, case, &e, &m)?;
    same_missing(c, case, &e, &m)
}

/// A worked example with some of the facts its policy decides on removed.
fn example_without(pick: &prop::sample::Index, removed: &[prop::sample::Index]) -> Case {
    let c = shipped();
    let mut case = pick.get(examples()).clone();
    let known: Vec<FactId> = Model::new(&c.set)
        .decision_facts(case.policy.unwrap())
        .into_iter()
        .filter(|f| case.facts[f.index()].is_some())
        .collect();
    if !known.is_empty() {
        for r in removed {
            case.facts[r.get(&known).index()] = None;
        }
    }
    case
}

proptest! {
    #![proptest_config(config(256))]

    /// Every rule's condition, exception and trigger, every form and validity condition and
    /// value, and the program window: the graph's values are the model evaluator's, numbers
    /// and dates at the edges of their types included.
    #[test]
    fn the_graph_agrees_with_the_model_on_every_condition(s in spec(shipped(), 0.6)) {
        let c = shipped();
        let case = build_with(c, &s, true);
        let p = case.policy.unwrap();
        let (policy, g) = (&c.set.policies[p], &c.graphs[p]);
        let mut values = Vec::new();
        g.eval(&c.set, &case.facts, case.as_of.unwrap(), &mut values);
        let facts = Facts::of(&case).unwrap();
        let model = |e| eval(&c.set, &facts, e);
        let k = kleene(c, &case);
        for r in &g.rules {
            let def = &policy.rules[r.rule];
            let name = format!("{}.{}", policy.name, def.name);
            prop_assert_eq!(values[r.condition.index()], model(&def.condition), "{}", name);
            if let (Some(u), Some(n)) = (&def.unless, r.unless) {
                prop_assert_eq!(values[n.index()], model(u), "{} unless", name);
            }
            prop_assert_eq!(
                pol_model::truth(values[r.trigger.index()]),
                k.triggers[r.rule],
                "{} trigger", name
            );
        }
        for (i, when) in &g.forms {
            if let (Some(w), Some(n)) = (&policy.forms[*i].when, when) {
                prop_assert_eq!(values[n.index()], model(w), "form {}", i);
            }
        }
        for (i, value, when) in &g.validities {
            let def = &policy.validities[*i];
            prop_assert_eq!(values[value.index()], model(&def.value), "validity {}", i);
            if let (Some(w), Some(n)) = (&def.when, when) {
                prop_assert_eq!(values[n.index()], model(w), "validity {} when", i);
            }
        }
        if let Some(w) = g.window {
            prop_assert_eq!(
                pol_model::truth(values[w.index()]),
                k.window_closed.map(|closed| !closed),
                "program window"
            );
        }
    }

    /// Generated cases, most facts known, some at the edges of their types.
    #[test]
    fn the_engine_decides_as_the_model_does(s in spec(shipped(), 0.6)) {
        decided(shipped(), &build_with(shipped(), &s, true))?;
    }

    /// The worked examples with one to three of the facts their policy decides on removed:
    /// realistic cases, which reach `eligible`, `not_required` and `incomplete` far more
    /// often than random ones.
    #[test]
    fn the_engine_decides_examples_with_facts_removed_as_the_model_does(
        pick in any::<prop::sample::Index>(),
        removed in prop::collection::vec(any::<prop::sample::Index>(), 1..=3),
    ) {
        decided(shipped(), &example_without(&pick, &removed))?;
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// Cases with most facts unknown: `missing` is every fact that can change the outcome,
    /// and none that cannot (`docs/cases.md`).
    #[test]
    fn missing_is_exactly_the_models(s in spec(shipped(), 0.3)) {
        decided(shipped(), &build(shipped(), &s))?;
    }

    #[test]
    fn missing_is_exactly_the_models_on_examples_with_facts_removed(
        pick in any::<prop::sample::Index>(),
        removed in prop::collection::vec(any::<prop::sample::Index>(), 1..=4),
    ) {
        decided(shipped(), &example_without(&pick, &removed))?;
    }
}

/// An `advance_parole` case with every fact its decision reads known: an H-1B worker with
/// adjustment of status pending, travelling for work with evidence (`not_required`).
fn advance_parole_case() -> Case {
    decode(
        shipped(),
        r#"{
  "policy": "advance_parole", "as_of": "2025-06-10",
  "applicant": {
    "location": "inside_us", "status": "h1", "pending": ["adjustment_of_status"],
    "in_removal_proceedings": false, "j1_foreign_residence_requirement": false,
    "private_bill_beneficiary": false
  },
  "reason": "employment", "evidence_submitted": true
}"#,
    )
}

/// Every subset of the facts `advance_parole` decides on, removed from one case: how the
/// case reads with the status, `pending`, `reason` and the J-1 flag among the unknowns.
fn each_subset(check: impl Fn(&Compiled, &Case) -> Result<(), TestCaseError>) {
    let c = shipped();
    let full = advance_parole_case();
    let policy = full.policy.unwrap();
    let facts = Model::new(&c.set).decision_facts(policy);
    assert_eq!(facts.len(), 8, "the facts advance_parole decides on changed");
    let mut failures = Vec::new();
    for subset in 0u32..1 << facts.len() {
        let mut case = full.clone();
        for (i, f) in facts.iter().enumerate() {
            if subset >> i & 1 == 1 {
                case.facts[f.index()] = None;
            }
        }
        if let Err(e) = check(c, &case) {
            failures.push(e.to_string());
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} subsets:\n{}",
        failures.len(),
        1 << facts.len(),
        failures.join("\n\n")
    );
}

fn every(c: &Compiled, case: &Case) -> Result<(), TestCaseError> {
    let m = model(c, case, Model::DEFAULT_LIMIT).expect("the model decides every subset");
    let e = engine(c, case);
    agree(c, case, &e, &m)?;
    same_missing(c, case, &e, &m)
}

#[test]
fn every_subset_of_unknown_facts_of_an_advance_parole_case() {
    each_subset(every);
}

/// A case decided on the first day a case can have (found by the `eval` fuzz target): no
/// parole can have expired before it, so `parole.valid_until` cannot change the outcome.
/// The model once tried the day before, which no case can hold.
#[test]
fn a_case_decided_on_the_first_possible_day() {
    let c = shipped();
    let case = decode(c, r#"{"policy": "parole_ead", "as_of": "0000-01-01"}"#);
    let m = model(c, &case, LIMIT).expect("the model decides it");
    assert!(!m.missing_paths(&c.set).contains(&"parole.valid_until".to_string()));
    if let Err(e) = decided(c, &case) {
        panic!("{e}");
    }
}

//! The model's own semantics, pinned down by hand on small policies: what every decision
//! below should be is worked out from the language's rules, not from any evaluator. The
//! engine is compared with the model elsewhere (`shipped.rs`, `generated.rs`); these tests
//! are why the model can be trusted to be the one that is right.

use crate::common;

use pol_compiler::value::{Day, Value};
use pol_compiler::Compiled;
use pol_model::{eval, truth, Decision, Facts, Model, ModelError, Verdict};

const FACTS: &str = r#"
enum Status { none, tps, daca, h1 }
enum Pending { adjustment_of_status, asylum }
fact status: Status "status"
fact pending: set of Pending "pending"
fact x: bool "x"
fact y: bool "y"
fact z: bool "z"
fact age: integer "age"
fact filed_on: date "filing date"
fact days_unlawful: days "unlawful presence"
fact nationality: string "country code"
fact other_nationality: string "another country code"
param fee: integer "fee" {
  from 2024-01-01 = 100 cite "one"
  from 2025-01-01 = 200 cite "two"
}
program window "a program" {
  opened 2024-01-01 cite "opened"
  closed 2025-01-01 cite "closed"
}
"#;

fn compiled(policy: &str) -> Compiled {
    pol_test_support::compile_beside(FACTS, policy)
}

/// The model's verdict on a JSON case (its `policy` is `p`), with its reasons and missing
/// facts by name.
fn verdict(c: &Compiled, json: &str) -> (Verdict, Vec<String>, Vec<String>) {
    let json = format!(r#"{{"policy": "p", {json}}}"#);
    let case = common::decode(c, &json);
    let v = Model::new(&c.set).decide_case(&case).unwrap();
    let (reasons, missing) = (v.reason_ids(&c.set), v.missing_paths(&c.set));
    (v, reasons, missing)
}

fn names(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|s| s.to_string()).collect()
}

#[test]
fn kleene_logic_settles_what_it_can_and_no_more() {
    let c = compiled(
        r#"policy p "q" {
  warn a: x and y
  warn b: x or y
  warn c: not x
  warn d: x in {}
}"#,
    );
    let p = &c.set.policies.first().unwrap();
    let case = common::decode(&c, r#"{"policy": "p", "as_of": "2024-06-01", "y": false}"#);
    let facts = Facts::of(&case).unwrap();
    let of = |i: usize| truth(eval(&c.set, &facts, &p.rules[i].condition));
    assert_eq!(of(0), Some(false), "false and unknown");
    assert_eq!(of(1), None, "unknown or false");
    assert_eq!(of(2), None, "not unknown");
    assert_eq!(of(3), None, "an unknown element is unknown even in an empty list");
    let case = common::decode(&c, r#"{"policy": "p", "as_of": "2024-06-01", "y": true}"#);
    let facts = Facts::of(&case).unwrap();
    assert_eq!(truth(eval(&c.set, &facts, &p.rules[1].condition)), Some(true), "unknown or true");
}

#[test]
fn the_first_level_that_holds_decides() {
    let c = compiled(
        r#"policy p "q" {
  unavailable closed: z
  require has_status: status != none
  exclude proceedings: x unless status == daca
  not_required exempt: y
}"#,
    );
    let cases = [
        (r#""z": true, "status": "none", "y": true"#, Decision::Unavailable),
        (r#""z": false, "status": "none", "y": true"#, Decision::Ineligible),
        (r#""z": false, "status": "tps", "x": true, "y": true"#, Decision::Ineligible),
        (r#""z": false, "status": "daca", "x": true, "y": true"#, Decision::NotRequired),
        (r#""z": false, "status": "tps", "x": false, "y": false"#, Decision::Eligible),
    ];
    for (facts, want) in cases {
        let (v, _, missing) = verdict(&c, &format!(r#""as_of": "2024-06-01", {facts}"#));
        assert_eq!(v.decision, want, "{facts}");
        assert_eq!(v.possible, vec![want]);
        assert!(missing.is_empty());
    }
}

#[test]
fn an_exclusion_proven_from_known_facts_decides_while_others_are_unknown() {
    let c = compiled(
        r#"policy p "q" {
  exclude proceedings: x unless status == daca
  not_required exempt: y and z
}"#,
    );
    let (v, reasons, missing) = verdict(&c, r#""as_of": "2024-06-01", "x": true, "status": "tps""#);
    assert_eq!(v.decision, Decision::Ineligible);
    assert_eq!(reasons, names(&["p.proceedings"]));
    assert!(missing.is_empty());
}

#[test]
fn missing_lists_exactly_the_facts_that_change_the_possible_decisions() {
    let c = compiled(
        r#"policy p "q" {
  exclude both: x and y
  not_required exempt: z and not z
}"#,
    );
    let (v, reasons, missing) = verdict(&c, r#""as_of": "2024-06-01""#);
    assert_eq!(v.decision, Decision::Incomplete);
    assert_eq!(v.possible, vec![Decision::Ineligible, Decision::Eligible]);
    assert_eq!(missing, names(&["x", "y"]), "z cannot change the outcome");
    assert_eq!(reasons, names(&["p.both"]), "exempt can never fire: not open");
    let (v, _, missing) = verdict(&c, r#""as_of": "2024-06-01", "x": false"#);
    assert_eq!(v.decision, Decision::Eligible);
    assert!(missing.is_empty());
}

#[test]
fn facts_that_matter_only_together_are_not_missing() {
    // Ineligible when x and y differ: fixing either one alone leaves both outcomes open.
    let c = compiled(
        r#"policy p "q" {
  exclude differ: (x and not y) or (y and not x)
}"#,
    );
    let (v, reasons, missing) = verdict(&c, r#""as_of": "2024-06-01""#);
    assert_eq!(v.decision, Decision::Incomplete);
    assert!(missing.is_empty(), "{missing:?}");
    assert_eq!(reasons, names(&["p.differ"]));
}

#[test]
fn kleene_gaps_are_settled_exactly_and_every_rule_that_may_fire_is_a_reason() {
    let c = compiled(
        r#"policy p "q" {
  require a: x or not x
  exclude b: age < 18
  exclude c: age >= 18
}"#,
    );
    let (v, reasons, missing) = verdict(&c, r#""as_of": "2024-06-01""#);
    assert_eq!(v.decision, Decision::Ineligible, "b or c fires for every age");
    assert!(missing.is_empty());
    // Neither fires for every age, so each of them is given.
    assert_eq!(reasons, names(&["p.b", "p.c"]));
    let (v, reasons, _) = verdict(&c, r#""as_of": "2024-06-01", "age": 30"#);
    assert_eq!(v.decision, Decision::Ineligible);
    assert_eq!(reasons, names(&["p.c"]));
}

#[test]
fn program_windows_are_half_open() {
    let c = compiled(
        r#"policy p "q" {
  program window
}"#,
    );
    for (as_of, want) in [
        ("2023-12-31", Decision::Unavailable),
        ("2024-01-01", Decision::Eligible),
        ("2024-12-31", Decision::Eligible),
        ("2025-01-01", Decision::Unavailable),
    ] {
        let (v, reasons, _) = verdict(&c, &format!(r#""as_of": "{as_of}""#));
        assert_eq!(v.decision, want, "{as_of}");
        let window = names(&["p.program_window"]);
        assert_eq!(reasons, if want == Decision::Unavailable { window } else { vec![] });
    }
}

#[test]
fn a_window_read_at_an_unknown_date_is_open_until_the_date_is_known() {
    let c = compiled(
        r#"policy p "q" {
  program window at filed_on
  require adult: age >= 18
}"#,
    );
    let (v, reasons, missing) = verdict(&c, r#""as_of": "2030-01-01", "age": 30"#);
    assert_eq!(v.decision, Decision::Incomplete);
    assert_eq!(v.possible, vec![Decision::Unavailable, Decision::Eligible]);
    assert_eq!(reasons, names(&["p.program_window"]));
    assert_eq!(missing, names(&["filed_on"]));
    let (v, _, _) = verdict(&c, r#""as_of": "2030-01-01", "age": 30, "filed_on": "2024-05-05""#);
    assert_eq!(v.decision, Decision::Eligible);
}

#[test]
fn dated_parameters_are_read_at_as_of_and_unknown_before_their_first_date() {
    let c = compiled(
        r#"policy p "q" {
  require cheap: fee < 150
}"#,
    );
    let at = |as_of: &str| verdict(&c, &format!(r#""as_of": "{as_of}""#)).0;
    assert_eq!(at("2024-01-01").decision, Decision::Eligible);
    assert_eq!(at("2024-12-31").decision, Decision::Eligible);
    assert_eq!(at("2025-01-01").decision, Decision::Ineligible);
    // Before the first date no fact can settle it: every level it leaves open is possible.
    let before = at("2023-12-31");
    assert_eq!(before.decision, Decision::Incomplete);
    assert_eq!(before.possible, vec![Decision::Ineligible, Decision::Eligible]);
    assert!(before.missing.is_empty());
}

#[test]
fn months_are_calendar_steps_clamped_to_the_month_end() {
    let c = compiled(
        r#"policy p "q" {
  require month_later: filed_on + 1 month == 2024-02-29
  require year_later: filed_on + 1 year <= 2025-02-28
}"#,
    );
    for (filed, want) in [
        ("2024-01-31", Decision::Eligible),
        ("2024-01-29", Decision::Eligible),
        ("2024-01-28", Decision::Ineligible),
        ("2024-02-01", Decision::Ineligible),
    ] {
        let (v, _, _) = verdict(&c, &format!(r#""as_of": "2024-06-01", "filed_on": "{filed}""#));
        assert_eq!(v.decision, want, "{filed}");
    }
    // Unknown filing date: the values tried straddle the clamped month end.
    let (v, _, missing) = verdict(&c, r#""as_of": "2024-06-01""#);
    assert_eq!(v.decision, Decision::Incomplete);
    assert_eq!(v.possible, vec![Decision::Ineligible, Decision::Eligible]);
    assert_eq!(missing, names(&["filed_on"]));
}

#[test]
fn strings_compare_by_text_and_two_unknown_strings_may_or_may_not_be_equal() {
    let c = compiled(
        r#"policy p "q" {
  require chnv: nationality in {"CU", "HT"}
  exclude same: nationality == other_nationality
}"#,
    );
    let (v, _, _) =
        verdict(&c, r#""as_of": "2024-06-01", "nationality": "CU", "other_nationality": "HT""#);
    assert_eq!(v.decision, Decision::Eligible);
    let (v, _, _) =
        verdict(&c, r#""as_of": "2024-06-01", "nationality": "XX", "other_nationality": "XX""#);
    assert_eq!(v.decision, Decision::Ineligible);
    assert_eq!(v.reason_ids(&c.set), names(&["p.chnv", "p.same"]));
    let (v, _, missing) = verdict(&c, r#""as_of": "2024-06-01", "other_nationality": "XX""#);
    assert_eq!(v.possible, vec![Decision::Ineligible, Decision::Eligible]);
    assert_eq!(missing, names(&["nationality"]));
    let (v, _, missing) = verdict(&c, r#""as_of": "2024-06-01", "nationality": "CU""#);
    assert_eq!(v.possible, vec![Decision::Ineligible, Decision::Eligible]);
    assert_eq!(missing, names(&["other_nationality"]));
}

#[test]
fn sets_range_over_every_subset() {
    let c = compiled(
        r#"policy p "q" {
  require something_pending: adjustment_of_status in pending or asylum in pending
  exclude both_pending: adjustment_of_status in pending and asylum in pending
}"#,
    );
    let (v, _, missing) = verdict(&c, r#""as_of": "2024-06-01""#);
    assert_eq!(v.possible, vec![Decision::Ineligible, Decision::Eligible]);
    assert_eq!(missing, names(&["pending"]));
    for (pending, want) in [
        ("[]", Decision::Ineligible),
        (r#"["asylum"]"#, Decision::Eligible),
        (r#"["asylum", "adjustment_of_status"]"#, Decision::Ineligible),
    ] {
        let (v, _, _) = verdict(&c, &format!(r#""as_of": "2024-06-01", "pending": {pending}"#));
        assert_eq!(v.decision, want, "{pending}");
    }
}

#[test]
fn durations_compared_with_a_difference_of_dates() {
    let c = compiled(
        r#"policy p "q" {
  exclude too_long: days_unlawful > filed_on - 2024-01-01
}"#,
    );
    // 2024-03-01 - 2024-01-01 = 60 days.
    let (v, _, _) =
        verdict(&c, r#""as_of": "2024-06-01", "filed_on": "2024-03-01", "days_unlawful": 60"#);
    assert_eq!(v.decision, Decision::Eligible);
    let (v, _, _) =
        verdict(&c, r#""as_of": "2024-06-01", "filed_on": "2024-03-01", "days_unlawful": 61"#);
    assert_eq!(v.decision, Decision::Ineligible);
    let (v, _, missing) = verdict(&c, r#""as_of": "2024-06-01", "days_unlawful": 3"#);
    assert_eq!(v.possible, vec![Decision::Ineligible, Decision::Eligible]);
    assert_eq!(missing, names(&["filed_on"]));
    let (v, _, missing) = verdict(&c, r#""as_of": "2024-06-01", "filed_on": "2024-03-01""#);
    assert_eq!(v.possible, vec![Decision::Ineligible, Decision::Eligible]);
    assert_eq!(missing, names(&["days_unlawful"]));
}

#[test]
fn arithmetic_that_overflows_is_unknown_and_no_fact_settles_it() {
    let c = compiled(
        r#"policy p "q" {
  require small: age + 9223372036854775807 > 0
}"#,
    );
    let (v, _, missing) = verdict(&c, r#""as_of": "2024-06-01", "age": 1"#);
    assert_eq!(v.decision, Decision::Incomplete);
    assert!(missing.is_empty());
    let (v, _, _) = verdict(&c, r#""as_of": "2024-06-01", "age": 0"#);
    assert_eq!(v.decision, Decision::Eligible);
    let (v, _, _) = verdict(&c, r#""as_of": "2024-06-01", "age": -1"#);
    assert_eq!(v.decision, Decision::Eligible);
}

#[test]
fn warnings_need_a_known_true_condition_and_forms_and_validity_follow_the_decision() {
    let c = compiled(
        r#"policy p "q" {
  form A-1
  form B-2 when x
  form A-1 when y
  validity 30 days
  validity 90 days when y
  exclude excluded: z
  warn careful: x
}"#,
    );
    let (v, _, _) = verdict(&c, r#""as_of": "2024-06-01", "x": true, "y": true, "z": false"#);
    assert_eq!(v.decision, Decision::Eligible);
    assert_eq!(v.warning_names(&c.set), names(&["careful"]));
    assert_eq!(v.forms, names(&["A-1", "B-2"]));
    assert_eq!(v.max_validity_days, Some(90));
    let (v, _, _) = verdict(&c, r#""as_of": "2024-06-01""#);
    assert_eq!(v.decision, Decision::Incomplete);
    assert!(v.warnings.is_empty());
    assert_eq!(v.forms, names(&["A-1"]));
    assert_eq!(v.max_validity_days, Some(30));
}

#[test]
fn forms_and_validity_are_not_given_for_unavailable_or_not_required() {
    let c = compiled(
        r#"policy p "q" {
  form A-1
  validity 30 days
  unavailable closed: z
  not_required exempt: y
}"#,
    );
    for facts in [r#""z": true"#, r#""z": false, "y": true"#] {
        let (v, _, _) = verdict(&c, &format!(r#""as_of": "2024-06-01", {facts}"#));
        assert!(v.forms.is_empty() && v.max_validity_days.is_none(), "{facts}");
    }
}

#[test]
fn the_model_refuses_cases_past_its_limit() {
    let c = compiled(
        r#"policy p "q" {
  require a: x and y and z
}"#,
    );
    let case = common::decode(&c, r#"{"policy": "p", "as_of": "2024-06-01"}"#);
    let model = Model::new(&c.set).with_limit(7);
    assert_eq!(model.decide_case(&case), Err(ModelError::TooLarge { completions: 8, limit: 7 }));
    assert_eq!(model.completions(case.policy.unwrap(), &Facts::of(&case).unwrap()), 8);
    assert!(Model::new(&c.set).with_limit(8).decide_case(&case).is_ok());
}

#[test]
fn representative_values_straddle_every_constant() {
    let c = compiled(
        r#"policy p "q" {
  require adult: age >= 18
  require recent: filed_on > 2024-02-29 - 1 month
}"#,
    );
    let case = common::decode(&c, r#"{"policy": "p", "as_of": "2024-06-01"}"#);
    let facts = Facts::of(&case).unwrap();
    let model = Model::new(&c.set);
    let policy = case.policy.unwrap();
    let fact = |path: &str| {
        pol_compiler::ir::FactId(c.set.facts.iter().position(|f| f.path == path).unwrap() as u32)
    };
    let ages = model.values(policy, fact("age"), &facts);
    for age in [17, 18, 19] {
        assert!(ages.contains(&Value::Int(age)), "{ages:?}");
    }
    let dates = model.values(policy, fact("filed_on"), &facts);
    // 2024-02-29 - 1 month = 2024-01-29; and as_of.
    for d in ["2024-01-28", "2024-01-29", "2024-01-30", "2024-06-01"] {
        let day = common::decode(&c, &format!(r#"{{"filed_on": "{d}"}}"#)).facts
            [fact("filed_on").index()];
        assert!(dates.contains(&day.unwrap()), "{d}");
    }
    assert!(dates.iter().all(|v| matches!(v, Value::Date(Day(_)))));
}

//! The semantics of docs/semantics.md, pinned down on small inline policies: three-valued logic,
//! decision levels, the exact `missing` list, windows, dates and outputs.

use pol_compiler::explain::RuleOutcome;
use pol_compiler::{compile, Compiled, DecisionKind, DecisionRecord, Scratch, Source};

/// The facts every policy of these tests imports: the fixture shared with `reasoning.rs`,
/// and the criminal record and the nationality as facts a case may leave open.
const FACTS: &str = concat!(
    include_str!("fixtures/facts.pol"),
    r#"fact criminal: bool "criminal record"
fact nationality: string "country code"
"#
);

use pol_test_support::{assert_decides, decode_case as case};

fn compiled(policy: &str) -> Compiled {
    pol_test_support::compile_beside(FACTS, policy)
}

fn decide(c: &Compiled, json: &str) -> DecisionRecord {
    pol_test_support::decide(c, &case(c, json))
}

const TRAVEL: &str = r#"
policy travel "May this person travel?" {
  form I-131 cite "c"
  form I-912 when waiver cite "c"
  validity 365 days cite "c"
  require has_status: status != none cite "c"
  exclude proceedings: in_proceedings unless status == daca cite "c"
  exclude crime: criminal cite "c"
  not_required dual_intent: status == h1 and adjustment_of_status in pending cite "c"
  warn bar_3y: days_unlawful in 181 days..365 days cite "c"
}
"#;

#[test]
fn an_exclusion_proven_from_known_facts_decides_while_others_are_unknown() {
    let c = compiled(TRAVEL);
    let r = decide(&c, r#"{"as_of":"2025-06-10","policy":"travel","criminal":true}"#);
    assert_eq!(r.decision, DecisionKind::Ineligible);
    assert_eq!(r.reasons.iter().map(|r| r.rule.as_str()).collect::<Vec<_>>(), ["travel.crime"]);
    assert!(r.missing.is_empty());
}

#[test]
fn incomplete_lists_exactly_the_facts_that_can_change_the_outcome() {
    let c = compiled(TRAVEL);
    // Status tps: the DACA exception cannot apply, dual intent cannot hold; only the
    // proceedings and the criminal record are open.
    assert_decides(
        &c,
        r#"{"as_of":"2025-06-10","policy":"travel","status":"tps"}"#,
        DecisionKind::Incomplete,
        &["in_proceedings", "criminal"],
    );
    // With status unknown, it matters too; `pending` matters (it decides not_required for h1).
    assert_decides(
        &c,
        r#"{"as_of":"2025-06-10","policy":"travel","in_proceedings":false,"criminal":false}"#,
        DecisionKind::Incomplete,
        &["status", "pending"],
    );
    // A warning's fact never makes a case incomplete.
    let r = decide(
        &c,
        r#"{"as_of":"2025-06-10","policy":"travel","status":"tps","in_proceedings":false,"criminal":false}"#,
    );
    assert_eq!(r.decision, DecisionKind::Eligible);
    assert!(r.warnings.is_empty());
}

#[test]
fn exceptions_and_levels_follow_the_precedence() {
    let c = compiled(TRAVEL);
    let r = decide(
        &c,
        r#"{"as_of":"2025-06-10","policy":"travel","status":"daca","in_proceedings":true,"criminal":false}"#,
    );
    assert_eq!(r.decision, DecisionKind::Eligible);
    let r = decide(
        &c,
        r#"{"as_of":"2025-06-10","policy":"travel","status":"h1","pending":["adjustment_of_status"],"in_proceedings":false,"criminal":false}"#,
    );
    assert_eq!(r.decision, DecisionKind::NotRequired);
    assert!(r.forms.is_empty(), "no forms when not required");
    assert_eq!(r.max_validity_days, None);
    // ineligible beats not_required
    let r = decide(
        &c,
        r#"{"as_of":"2025-06-10","policy":"travel","status":"h1","pending":["adjustment_of_status"],"in_proceedings":true,"criminal":false}"#,
    );
    assert_eq!(r.decision, DecisionKind::Ineligible);
    // every firing exclusion is a reason
    let r = decide(
        &c,
        r#"{"as_of":"2025-06-10","policy":"travel","status":"none","in_proceedings":true,"criminal":true}"#,
    );
    let rules: Vec<_> = r.reasons.iter().map(|r| r.rule.as_str()).collect();
    assert_eq!(rules, ["travel.has_status", "travel.proceedings", "travel.crime"]);
}

#[test]
fn warnings_forms_and_validity() {
    let c = compiled(TRAVEL);
    let base = r#""as_of":"2025-06-10","policy":"travel","status":"tps","in_proceedings":false,"criminal":false"#;
    for (days, warned) in [(180, false), (181, true), (364, true), (365, false)] {
        let r = decide(&c, &format!("{{{base},\"days_unlawful\":{days}}}"));
        assert_eq!(r.warnings == ["bar_3y"], warned, "{days} days");
    }
    let r = decide(&c, &format!("{{{base},\"waiver\":true}}"));
    assert_eq!(r.forms, ["I-131", "I-912"]);
    assert_eq!(r.max_validity_days, Some(365));
    let r = decide(&c, &format!("{{{base}}}"));
    assert_eq!(r.forms, ["I-131"], "an unknown condition adds no form");
}

#[test]
fn kleene_gaps_are_settled_exactly() {
    let c = compiled(r#"policy p "q" { exclude always: criminal or not criminal cite "c" }"#);
    assert_decides(&c, r#"{"as_of":"2025-06-10","policy":"p"}"#, DecisionKind::Ineligible, &[]);
}

#[test]
fn program_windows_are_half_open() {
    let c = compiled(
        r#"program chnv "c" { opened 2022-10-19 cite "o" terminated 2025-03-25 cite "t" }
           policy p "q" { program chnv  require ok: true cite "c" }"#,
    );
    let at = |d: &str| decide(&c, &format!(r#"{{"as_of":"{d}","policy":"p"}}"#)).decision;
    assert_eq!(at("2022-10-18"), DecisionKind::Unavailable);
    assert_eq!(at("2022-10-19"), DecisionKind::Eligible);
    assert_eq!(at("2025-03-24"), DecisionKind::Eligible);
    assert_eq!(at("2025-03-25"), DecisionKind::Unavailable);
    let r = decide(&c, r#"{"as_of":"2025-03-25","policy":"p"}"#);
    assert_eq!(r.reasons[0].rule, "p.program_window");
    assert_eq!(r.reasons[0].cite.as_deref(), Some("t"));
}

#[test]
fn a_window_read_at_an_unknown_date_is_incomplete() {
    let c = compiled(
        r#"program cmpp "c" { ended 2017-01-12 cite "e" }
           policy p "q" { program cmpp at filed_on  exclude crime: criminal cite "c" }"#,
    );
    assert_decides(
        &c,
        r#"{"as_of":"2025-06-10","policy":"p","criminal":false}"#,
        DecisionKind::Incomplete,
        &["filed_on"],
    );
    let r = decide(
        &c,
        r#"{"as_of":"2025-06-10","policy":"p","criminal":false,"filed_on":"2017-01-11"}"#,
    );
    assert_eq!(r.decision, DecisionKind::Eligible);
    // Unavailable wins even with the criminal record unknown.
    let r = decide(&c, r#"{"as_of":"2025-06-10","policy":"p","filed_on":"2017-01-12"}"#);
    assert_eq!(r.decision, DecisionKind::Unavailable);
}

#[test]
fn dates_add_calendar_months_clamped_to_the_month_end() {
    let c = compiled(
        r#"policy p "q" {
             require month_end: depart + 1 month == 2024-02-29 cite "c"
             require leap_year: 2024-02-29 + 1 year == 2025-02-28 cite "c"
             require days_between: back - depart == 30 days cite "c"
           }"#,
    );
    let r = decide(
        &c,
        r#"{"as_of":"2025-06-10","policy":"p","depart":"2024-01-31","back":"2024-03-01"}"#,
    );
    assert_eq!(r.decision, DecisionKind::Eligible, "{r:?}");
}

#[test]
fn dated_parameters_change_on_their_dates() {
    let c = compiled(
        r#"param fee: integer "fee" { from 2020-01-01 = 575 cite "a"  from 2024-04-01 = 630 cite "b" }
           policy p "q" { require cheap: fee < 600 cite "c" }"#,
    );
    let at = |d: &str| decide(&c, &format!(r#"{{"as_of":"{d}","policy":"p"}}"#)).decision;
    assert_eq!(at("2024-03-31"), DecisionKind::Eligible);
    assert_eq!(at("2024-04-01"), DecisionKind::Ineligible);
}

#[test]
fn strings_not_named_by_any_policy_still_compare() {
    let c = compiled(r#"policy p "q" { require chnv: nationality in {"CU", "HT"} cite "c" }"#);
    assert_eq!(
        decide(&c, r#"{"as_of":"2025-06-10","policy":"p","nationality":"CU"}"#).decision,
        DecisionKind::Eligible
    );
    assert_eq!(
        decide(&c, r#"{"as_of":"2025-06-10","policy":"p","nationality":"MX"}"#).decision,
        DecisionKind::Ineligible
    );
    let r = decide(&c, r#"{"as_of":"2025-06-10","policy":"p"}"#);
    assert_eq!(
        (r.decision, r.missing),
        (DecisionKind::Incomplete, vec!["nationality".to_string()])
    );
}

#[test]
fn explanations_label_conditions_with_the_case_values() {
    let c = compiled(TRAVEL);
    let case = case(
        &c,
        r#"{"as_of":"2025-06-10","policy":"travel","status":"tps","in_proceedings":true,"criminal":false}"#,
    );
    let ex = c.explain(&case, false).unwrap();
    assert_eq!(ex.decision.decision, DecisionKind::Ineligible);
    assert_eq!(ex.trace.len(), 1);
    let t = &ex.trace[0];
    assert_eq!((t.rule.as_str(), t.outcome), ("travel.proceedings", RuleOutcome::Fired));
    let labels: Vec<String> =
        t.conditions.iter().map(|c| format!("{} => {}", c.text, c.label())).collect();
    assert_eq!(
        labels,
        ["in_proceedings => true: in_proceedings = true", "status == daca => false: status = tps"]
    );
    // --all shows the rules that did not matter too.
    assert!(c.explain(&case, true).unwrap().trace.len() > 1);
}

/// A closed window has one reason, cited once: the decision's `reasons` and the
/// explanation's trace name the same citation, that of the date that closed the window
/// (here the termination, not the policy's `program` line), and a case before the opening
/// date is cited by the opening.
#[test]
fn a_closed_window_is_cited_by_the_date_that_closed_it_everywhere() {
    let c = compiled(
        r#"
program p "a program" {
  opened 2020-01-01 cite "opening notice"
  terminated 2025-03-25 cite "termination notice"
}
policy q "q?" {
  program p cite "the policy runs under program p"
  require r: criminal == false cite "c"
}
"#,
    );
    for (as_of, cite) in [("2025-06-10", "termination notice"), ("2019-06-10", "opening notice")] {
        let case = case(&c, &format!(r#"{{"as_of":"{as_of}","policy":"q","criminal":false}}"#));
        let ex = c.explain(&case, false).unwrap();
        assert_eq!(ex.decision.decision, DecisionKind::Unavailable);
        let json = serde_json::to_value(&ex).unwrap();
        assert_eq!(json["decision"]["reasons"][0]["cite"], cite, "{as_of}");
        assert_eq!(json["trace"][0]["cite"], cite, "{as_of}");
        // The batch writer prints the same reason.
        let record = serde_json::to_value(
            c.record(&case, &c.decide(&case, &mut Scratch::default()).unwrap()),
        )
        .unwrap();
        assert_eq!(record["reasons"][0]["cite"], cite, "{as_of}");
        let mut line = Vec::new();
        let outcome = c.decide(&case, &mut Scratch::default()).unwrap();
        assert!(pol_compiler::JsonWriter::new(&c).write(&case, &outcome, &mut line));
        let written: serde_json::Value = serde_json::from_slice(&line).unwrap();
        assert_eq!(written["reasons"][0]["cite"], cite, "{as_of}");
    }
    // Open, and shown with --all: the policy's own `program` line.
    let case = case(&c, r#"{"as_of":"2024-06-10","policy":"q","criminal":false}"#);
    let ex = c.explain(&case, true).unwrap();
    let json = serde_json::to_value(&ex).unwrap();
    assert_eq!(json["trace"][0]["cite"], "the policy runs under program p");
}

/// A rule's `says` sentence travels to its reason, its trace entry and the counterfactuals
/// that flip it; a rule without one carries none.
#[test]
fn sentences_travel_with_their_rules() {
    let c = compiled(
        r#"policy travel "q?" {
  exclude proceedings: in_proceedings cite "s1" says "You are in removal proceedings."
  exclude criminal: criminal cite "s2"
}"#,
    );
    let case = case(
        &c,
        r#"{"as_of":"2025-06-10","policy":"travel","in_proceedings":true,"criminal":false}"#,
    );
    let ex = c.explain(&case, true).unwrap();
    let says = Some("You are in removal proceedings.".to_string());
    assert_eq!(ex.decision.reasons[0].says, says);
    let traced: Vec<_> = ex.trace.iter().map(|t| (t.rule.as_str(), t.says.clone())).collect();
    assert_eq!(traced, [("travel.proceedings", says.clone()), ("travel.criminal", None)]);
    let flipped = &ex.counterfactuals[0].rules[0];
    assert_eq!((flipped.rule.as_str(), flipped.says.clone()), ("travel.proceedings", says));
}

/// An empty sentence, or one with a line break, is `E0403`.
#[test]
fn a_sentence_must_say_something_on_one_line() {
    for says in [r#""""#, r#"" ""#, r#""one\ntwo""#] {
        let c = compile(vec![
            Source {
                name: "facts.pol".into(),
                text: FACTS.into(),
            },
            Source {
                name: "policy.pol".into(),
                text: format!(
                    "import \"facts.pol\"\npolicy p \"q?\" {{ exclude x: criminal cite \"c\" says {says} }}"
                ),
            },
        ]);
        let codes: Vec<_> = c.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, [pol_compiler::codes::BAD_SENTENCE], "{says}");
    }
}

/// A case built by a program may hold dates no case file can write: they are refused
/// before deciding, naming the field (the reasoning classifies only years 0000 to 9999).
#[test]
fn dates_outside_the_calendar_are_refused_by_field() {
    use pol_compiler::value::{Day, Value};
    let c = compiled(r#"policy p "q" { require late: filed_on > as_of cite "c" }"#);
    let mut case = case(&c, r#"{"as_of":"2025-06-10","policy":"p"}"#);
    assert!(c.decide(&case, &mut Scratch::default()).is_ok());
    let (filed_on, _) = c.set.facts.iter().enumerate().find(|(_, f)| f.path == "filed_on").unwrap();
    case.facts[filed_on] = Some(Value::Date(Day(i32::MAX)));
    let e = c.decide(&case, &mut Scratch::default()).unwrap_err();
    assert_eq!(e.field, "filed_on");
    assert!(e.message.contains("out of range"), "{}", e.message);
    case.facts[filed_on] = None;
    case.as_of = Some(Day(i32::MIN));
    let e = c.decide(&case, &mut Scratch::default()).unwrap_err();
    assert_eq!(e.field, "as_of");
}

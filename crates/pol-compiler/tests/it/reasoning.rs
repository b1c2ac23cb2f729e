//! Exact reasoning about unknown facts, pinned down on small inline policies: `incomplete`
//! and `missing` at any number of unknowns, constraints, the order of `missing` (the
//! question to ask next), what would change a decision, overflow, and the comparison of
//! two versions of a policy.

use pol_compiler::compare::compare;
use pol_compiler::value::Day;
use pol_compiler::{Compiled, DecisionKind, DecisionRecord, Scratch};
use pol_syntax::date::Date;

/// The facts every policy of these tests imports: the fixture shared with `semantics.rs`,
/// an age, and the criminal record and the nationality as `fixed` facts (never asked).
const FACTS: &str = concat!(
    include_str!("fixtures/facts.pol"),
    r#"fixed fact criminal: bool "criminal record"
fact age: integer "age"
fixed fact nationality: string "country code"
"#
);

use pol_test_support::{assert_decides, compile_beside as compiled_with, decode_facts as case};

fn compiled(policy: &str) -> Compiled {
    compiled_with(FACTS, policy)
}

fn decide(c: &Compiled, json: &str) -> DecisionRecord {
    pol_test_support::decide(c, &case(c, json))
}

fn at(policy: &str, facts: &str) -> String {
    let sep = if facts.is_empty() { "" } else { "," };
    format!(r#"{{"as_of":"2025-06-10","policy":"{policy}"{sep}{facts}}}"#)
}

#[test]
fn kleene_gaps_are_closed_at_any_number_of_unknowns() {
    // `x or not x` holds in every completion, however many other facts are unknown.
    let c = compiled(
        r#"policy p "q" {
             exclude always: in_proceedings or not in_proceedings cite "c"
             require a: waiver cite "c"
             require b: criminal cite "c"
             require s: status != none cite "c"
           }"#,
    );
    assert_decides(&c, &at("p", ""), DecisionKind::Ineligible, &[]);
    // Both sides of an `or` on one fact, through a `let`, with a second fact.
    let c = compiled(
        r#"let young = age < 18
           policy p "q" {
             require either: young or (not young and status != none) cite "c"
           }"#,
    );
    let r = decide(&c, &at("p", ""));
    assert_eq!(r.decision, DecisionKind::Incomplete);
    assert_eq!(r.missing, ["status", "age"], "status splits 2 ways, age 2");
    assert_decides(&c, &at("p", r#""status":"tps""#), DecisionKind::Eligible, &[]);
}

#[test]
fn a_fact_that_cannot_change_the_outcome_is_never_missing() {
    // The exclusion needs status j1 (here: daca) *and* the flag; with status unknown the
    // flag alone never changes what is possible.
    let c = compiled(
        r#"policy p "q" {
             require basis: status in {tps, daca} or asylum in pending cite "c"
             exclude flag: status == daca and waiver cite "c"
             exclude crime: in_proceedings cite "c"
           }"#,
    );
    let r = decide(&c, &at("p", r#""in_proceedings":false"#));
    assert_eq!(r.decision, DecisionKind::Incomplete);
    assert!(!r.missing.contains(&"waiver".to_string()), "{:?}", r.missing);
    // Nor can `pending` alone: with it or without it, both decisions stay possible.
    assert_eq!(r.missing, ["status"]);
    // Once status is daca, the flag decides.
    let r = decide(&c, &at("p", r#""in_proceedings":false,"status":"daca""#));
    assert_eq!(r.missing, ["waiver"]);
}

#[test]
fn constraints_remove_impossible_completions() {
    let facts = format!(
        "{FACTS}\nconstraint adult_age: age >= 0 because \"ages are not negative\"\n\
         constraint filed_before: filed_on <= as_of because \"filed before it is decided\"\n"
    );
    // Without the constraint, a negative age would make the case ineligible.
    let c = compiled_with(
        &facts,
        r#"policy p "q" { exclude impossible: age < 0 cite "c"  require w: waiver cite "c" }"#,
    );
    assert_decides(&c, &at("p", r#""waiver":true"#), DecisionKind::Eligible, &[]);
    // The CMPP case: decided on 2016-06-01, every possible filing date is before the end.
    let c = compiled_with(
        &facts,
        r#"const ended = 2017-01-12 cite "c"
           policy cmpp "q" {
             unavailable program_window: filed_on >= ended cite "c"
             require w: waiver cite "c"
           }"#,
    );
    assert_decides(
        &c,
        r#"{"as_of":"2016-06-01","policy":"cmpp","waiver":true}"#,
        DecisionKind::Eligible,
        &[],
    );
    assert_decides(
        &c,
        r#"{"as_of":"2025-06-10","policy":"cmpp","waiver":true}"#,
        DecisionKind::Incomplete,
        &["filed_on"],
    );
    // A known value that breaks a constraint is bad input, naming the field.
    let bad = case(&c, r#"{"as_of":"2016-06-01","policy":"cmpp","filed_on":"2016-06-02"}"#);
    let e = c.decide(&bad, &mut Scratch::default()).unwrap_err();
    assert_eq!(e.field, "filed_on");
    assert!(e.message.contains("filed_before"), "{}", e.message);
    assert!(e.message.contains("facts.pol:"), "{}", e.message);
}

/// The rules of `reasons`, by name.
fn reasons(r: &DecisionRecord) -> Vec<&str> {
    r.reasons.iter().map(|x| x.rule.as_str()).collect()
}

/// Reasons are read over the completions that keep the constraints, not from Kleene logic:
/// a rule that can never fire, or that a constraint rules out, is not open; a rule true in
/// every completion is a reason though Kleene logic leaves it unknown.
#[test]
fn reasons_are_exact_over_the_completions() {
    let facts = format!(
        "{FACTS}\nconstraint filed_before: filed_on <= as_of because \"filed before it is decided\"\n"
    );
    let c = compiled_with(
        &facts,
        r#"program cmpp "c" { ended 2017-01-12 cite "e" }
           policy p "q" {
             program cmpp at filed_on
             exclude never: filed_on in 2024-03-01..2024-01-31 cite "c"
             exclude crime: criminal cite "c"
             exclude by_cases: age < 18 or age >= 18 unless waiver cite "c"
           }"#,
    );
    // Decided in 2016 with the filing date unknown: the constraint keeps the window open,
    // and an empty range never holds; only the record and the waiver are open.
    let r = decide(&c, r#"{"as_of":"2016-06-01","policy":"p"}"#);
    assert_eq!(r.decision, DecisionKind::Incomplete);
    assert_eq!(reasons(&r), ["p.crime", "p.by_cases"]);
    // Ineligible by the record; `by_cases` holds for every age, so it is a reason too,
    // though Kleene logic leaves `age < 18 or age >= 18` unknown.
    let r = decide(&c, r#"{"as_of":"2016-06-01","policy":"p","criminal":true,"waiver":false}"#);
    assert_eq!(r.decision, DecisionKind::Ineligible);
    assert_eq!(reasons(&r), ["p.crime", "p.by_cases"]);
    // In 2025 the filing date may fall after the end: the window is open to question.
    let r = decide(&c, r#"{"as_of":"2025-06-10","policy":"p","criminal":false,"waiver":true}"#);
    assert_eq!(r.decision, DecisionKind::Incomplete);
    assert_eq!(reasons(&r), ["p.program_window"]);
}

#[test]
fn a_pattern_constraint_leaves_only_fitting_strings() {
    let facts = format!(
        "{FACTS}\nconstraint code: nationality matches \"[A-Z]{{2}}\" because \"ISO codes\"\n"
    );
    // Only "cu" (lower case) would be excluded; it cannot be a nationality.
    let c =
        compiled_with(&facts, r#"policy p "q" { exclude lower: nationality == "cu" cite "c" }"#);
    let r = decide(&c, &at("p", ""));
    assert_eq!(r.decision, DecisionKind::Eligible);
    for bad in ["cu", "CUB", ""] {
        let x = case(&c, &at("p", &format!(r#""nationality":"{bad}""#)));
        let e = c.decide(&x, &mut Scratch::default()).unwrap_err();
        assert_eq!(e.field, "nationality", "{bad}");
    }
}

#[test]
fn missing_is_ranked_by_the_decisions_each_fact_leaves() {
    let c = compiled(
        r#"policy p "q" {
             require ok: status != none cite "c"
             exclude crime: in_proceedings cite "c"
             not_required dual: status == h1 and adjustment_of_status in pending cite "c"
           }"#,
    );
    // status: none → {ineligible}; h1 → {ineligible, not_required, eligible};
    // tps, daca → {ineligible, eligible}: (1 + 3 + 2) / 3 = 2.
    // in_proceedings: true → {ineligible}; false → all three: 2.
    // pending: with → all three; without → {ineligible, eligible}: 2.5.
    // Ties keep the declaration order (status before in_proceedings).
    let r = decide(&c, &at("p", ""));
    assert_eq!(r.missing, ["status", "in_proceedings", "pending"]);
    let ask = c.ask_next(&case(&c, &at("p", ""))).unwrap();
    assert!(ask.exact);
    assert_eq!(
        ask.questions.iter().map(|q| q.path.as_str()).collect::<Vec<_>>(),
        ["status", "in_proceedings", "pending"]
    );
    let status = &ask.questions[0];
    assert_eq!(status.average, 2.0);
    let none = status.classes.iter().find(|c| c.values.to_string() == "none").unwrap();
    assert_eq!(none.decisions, [DecisionKind::Ineligible]);
    assert_eq!(
        ask.possible,
        [DecisionKind::Ineligible, DecisionKind::NotRequired, DecisionKind::Eligible]
    );
}

#[test]
fn what_would_change_it_is_minimal_and_re_decided() {
    let c = compiled(
        r#"policy p "q" {
             exclude proceedings: in_proceedings unless status == daca cite "removal"
             exclude crime: criminal cite "crime"
             require basis: status != none cite "basis"
           }"#,
    );
    let x = case(&c, &at("p", r#""status":"tps","in_proceedings":true,"criminal":false"#));
    let cfs = c.counterfactuals(&x).unwrap();
    type Shown = (DecisionKind, Vec<(String, String)>, Vec<String>);
    let shown: Vec<Shown> = cfs
        .iter()
        .map(|cf| {
            (
                cf.decision,
                cf.changes.iter().map(|ch| (ch.path.clone(), ch.value.to_string())).collect(),
                cf.rules.iter().map(|r| r.rule.clone()).collect(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            (
                DecisionKind::Eligible,
                vec![("status".to_string(), "\"daca\"".to_string())],
                vec!["p.proceedings".to_string()]
            ),
            (
                DecisionKind::Eligible,
                vec![("in_proceedings".to_string(), "false".to_string())],
                vec!["p.proceedings".to_string()]
            ),
        ],
        "criminal is fixed, so no change adds the crime exclusion; status none and \
         in_proceedings false together are not needed for ineligible (already)"
    );
    assert_eq!(cfs[0].rules[0].cite.as_deref(), Some("removal"));
    // Every change set gives its decision, and no part of it does.
    for cf in &cfs {
        let mut changed = x.clone();
        for ch in &cf.changes {
            changed.facts[ch.fact.index()] = Some(ch.typed);
        }
        assert_eq!(c.decide(&changed, &mut Scratch::default()).unwrap().decision, cf.decision);
    }
}

#[test]
fn dates_already_past_are_not_changed() {
    let c = compiled(
        r#"policy p "q" {
             exclude trip: depart > 2025-12-01 cite "c"
             not_required early: filed_on < 2020-01-01 cite "c"
           }"#,
    );
    // Filed in 2024 (past), departing in 2026 (future): only the departure may change.
    let x = case(&c, &at("p", r#""filed_on":"2024-03-01","depart":"2026-01-01""#));
    assert_eq!(c.decide(&x, &mut Scratch::default()).unwrap().decision, DecisionKind::Ineligible);
    let cfs = c.counterfactuals(&x).unwrap();
    assert_eq!(cfs.len(), 1, "{cfs:?}");
    assert_eq!(cfs[0].decision, DecisionKind::Eligible);
    assert_eq!(cfs[0].changes.len(), 1);
    assert_eq!(cfs[0].changes[0].path, "depart");
    // The nearest date that clears the rule.
    assert_eq!(cfs[0].changes[0].value, "2025-12-01");
}

#[test]
fn overflow_never_decides_an_unknown() {
    let c = compiled(
        r#"policy p "q" {
             require age_max: age < 9223372036854775807 cite "c"
             exclude long: days_unlawful + 9223372036854775807 days > 0 days cite "c"
           }"#,
    );
    // days_unlawful: at most -MAX leaves {eligible, ineligible (age)}, from 1 - MAX to 0 only
    // ineligible, from 1 on an overflow with ineligible (age): 5/3 on average; age: below
    // the maximum all three, at it ineligible: 2.
    assert_decides(&c, &at("p", ""), DecisionKind::Incomplete, &["days_unlawful", "age"]);
    // A known age changes nothing definite.
    assert_decides(&c, &at("p", r#""age":30"#), DecisionKind::Incomplete, &["days_unlawful"]);
    let c = compiled(r#"policy p "q" { require young: age < 9223372036854775807 cite "c" }"#);
    assert_decides(&c, &at("p", ""), DecisionKind::Incomplete, &["age"]);
}

#[test]
fn versions_of_a_policy_are_compared_with_witnesses() {
    let old = compiled(
        r#"policy p "q" {
             exclude crime: criminal cite "c"
             require s: status != none cite "c"
           }"#,
    );
    let new = compiled(
        r#"policy p "q" {
             exclude crime: criminal cite "c"
             require s: status in {tps, daca} cite "c"
             exclude proceedings: in_proceedings cite "c"
           }"#,
    );
    let cmp = compare(&old, "p", &new, "p", None).unwrap();
    assert!(cmp.exact);
    let pairs: Vec<(DecisionKind, DecisionKind)> =
        cmp.transitions.iter().map(|t| (t.old, t.new)).collect();
    assert_eq!(pairs, [(DecisionKind::Eligible, DecisionKind::Ineligible)]);
    // The witness decides that way in both versions.
    let doc = cmp.transitions[0].witness.case("p", |_| true).to_string();
    assert_eq!(decide(&old, &doc).decision, DecisionKind::Eligible);
    assert_eq!(decide(&new, &doc).decision, DecisionKind::Ineligible);
    // Equal policies differ nowhere.
    assert!(compare(&old, "p", &old, "p", None).unwrap().transitions.is_empty());
}

/// Two dates related to each other (and by a constraint), checked against every pair of
/// dates in a window around the policy's constants.
#[test]
fn relations_between_two_dates_are_exact() {
    let facts = format!(
        "{FACTS}\nconstraint returns_after: back >= depart because \"a trip returns after it departs\"\n"
    );
    let c = compiled_with(
        &facts,
        r#"policy trip "q" {
             require short: back <= depart + 30 days cite "c"
             exclude early: depart < 2025-01-01 cite "c"
             require days: back - depart != 7 days cite "c"
           }"#,
    );
    let check = |known: &str, decision: DecisionKind, missing: &[&str]| {
        let r = decide(&c, &at("trip", known));
        assert_eq!(r.decision, decision, "{known}: {r:?}");
        assert_eq!(r.missing, missing, "{known}");
        // Every pair of dates in a window, decided one by one (complete cases: Kleene
        // logic alone), gives the same possible decisions and the same facts that change
        // them.
        let x = case(&c, &at("trip", known));
        let depart = c.set.facts.iter().position(|f| f.path == "depart").unwrap();
        let back = c.set.facts.iter().position(|f| f.path == "back").unwrap();
        let first =
            pol_compiler::value::Day::from_date(pol_syntax::date::Date::new(2024, 11, 20).unwrap())
                .0;
        let days: Vec<i32> = (first..first + 170).collect();
        let values = |slot: usize| -> Vec<Option<i32>> {
            match x.facts[slot] {
                Some(pol_compiler::value::Value::Date(d)) => vec![Some(d.0)],
                _ => days.iter().map(|d| Some(*d)).collect(),
            }
        };
        let mut all = std::collections::BTreeSet::new();
        let mut by_depart: std::collections::BTreeMap<
            i32,
            std::collections::BTreeSet<DecisionKind>,
        > = Default::default();
        let mut by_back: std::collections::BTreeMap<i32, std::collections::BTreeSet<DecisionKind>> =
            Default::default();
        let mut scratch = Scratch::default();
        for d in values(depart) {
            for b in values(back) {
                let mut y = x.clone();
                y.facts[depart] =
                    d.map(|d| pol_compiler::value::Value::Date(pol_compiler::value::Day(d)));
                y.facts[back] =
                    b.map(|b| pol_compiler::value::Value::Date(pol_compiler::value::Day(b)));
                let Ok(o) = c.decide(&y, &mut scratch) else {
                    continue;
                };
                all.insert(o.decision);
                by_depart.entry(d.unwrap()).or_default().insert(o.decision);
                by_back.entry(b.unwrap()).or_default().insert(o.decision);
            }
        }
        let only = |d: DecisionKind| all.len() == 1 && all.contains(&d);
        if decision == DecisionKind::Incomplete {
            assert!(all.len() > 1, "{known}: {all:?}");
        } else {
            assert!(only(decision), "{known}: {all:?}");
        }
        let mut changes = Vec::new();
        if x.facts[depart].is_none() && by_depart.values().any(|s| *s != all) {
            changes.push("depart");
        }
        if x.facts[back].is_none() && by_back.values().any(|s| *s != all) {
            changes.push("back");
        }
        let mut want: Vec<&str> = missing.to_vec();
        want.sort();
        changes.sort();
        assert_eq!(changes, want, "{known}: the window agrees");
    };
    check("", DecisionKind::Incomplete, &["depart", "back"]);
    check(r#""depart":"2025-02-01""#, DecisionKind::Incomplete, &["back"]);
    check(r#""depart":"2024-12-01""#, DecisionKind::Ineligible, &[]);
    check(r#""back":"2025-03-01""#, DecisionKind::Incomplete, &["depart"]);
    // Returning before 2025 means departing before 2025: excluded, whatever the date.
    check(r#""back":"2024-12-15""#, DecisionKind::Ineligible, &[]);
    check(r#""depart":"2025-02-01","back":"2025-02-20""#, DecisionKind::Eligible, &[]);
    check(r#""depart":"2025-02-01","back":"2025-02-08""#, DecisionKind::Ineligible, &[]);
    // The questions for the return date, given the departure: its dates grouped by the
    // cells of the pair they reach (seven days after, and more than thirty, fail different
    // rules).
    let ask = c.ask_next(&case(&c, &at("trip", r#""depart":"2025-02-01""#))).unwrap();
    assert_eq!(ask.questions.len(), 1);
    let shown: Vec<String> = ask.questions[0]
        .classes
        .iter()
        .map(|k| format!("{} -> {:?}", k.values, k.decisions))
        .collect();
    assert_eq!(
        shown,
        [
            "2025-02-01 to 2025-02-07, or 2025-02-09 to 2025-03-03 -> [Eligible]",
            "2025-02-08 -> [Ineligible]",
            "2025-03-04 or more -> [Ineligible]",
        ]
    );
}

/// A policy whose program's termination moves from 2025-03-25 to 2025-06-01: old, new.
fn moved_window() -> (Compiled, Compiled) {
    let version = |terminated: &str| {
        compiled(&format!(
            r#"program prog "p" {{ terminated {terminated} cite "t" }}
               policy p "q" {{ program prog  exclude crime: criminal cite "c" }}"#
        ))
    };
    (version("2025-03-25"), version("2025-06-01"))
}

/// Compared on one date, the versions differ only as cases of that date show: the moved
/// window shows on a date between the two ends, not after both.
#[test]
fn a_comparison_on_one_date_dates_its_witnesses_that_day() {
    let (old, new) = moved_window();
    let on = |text: &str| Some(Day::from_date(Date::parse_iso(text).unwrap()));
    let between = compare(&old, "p", &new, "p", on("2025-04-10")).unwrap();
    assert_eq!(between.transitions.len(), 2, "{:?}", between.notes);
    for t in &between.transitions {
        assert_eq!(t.witness.as_of, "2025-04-10");
    }
    let after = compare(&old, "p", &new, "p", on("2025-06-01")).unwrap();
    assert!(after.exact && after.transitions.is_empty(), "{after:?}");
}

#[test]
fn a_moved_window_is_found_with_a_date_that_falls_between() {
    let (old, new) = moved_window();
    let cmp = compare(&old, "p", &new, "p", None).unwrap();
    assert!(cmp.exact, "{:?}", cmp.notes);
    let pairs: Vec<(DecisionKind, DecisionKind)> =
        cmp.transitions.iter().map(|t| (t.old, t.new)).collect();
    assert_eq!(
        pairs,
        [
            (DecisionKind::Unavailable, DecisionKind::Ineligible),
            (DecisionKind::Unavailable, DecisionKind::Eligible)
        ]
    );
    for t in &cmp.transitions {
        let day = &t.witness.as_of;
        assert!(day.as_str() >= "2025-03-25" && day.as_str() < "2025-06-01", "{day}");
        let doc = t.witness.case("p", |_| true).to_string();
        assert_eq!(decide(&old, &doc).decision, t.old);
        assert_eq!(decide(&new, &doc).decision, t.new);
    }
}

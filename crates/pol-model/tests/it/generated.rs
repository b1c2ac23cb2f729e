//! The engine against the independent model on small generated policies: rules of every
//! kind over facts of every type (`gen/mod.rs`), compiled from text, with cases drawn from
//! the compiled fact table.
//!
//! Where the engine reasons exactly (no `inexact_reasoning` lint on the policy), it agrees
//! with the model on everything: the decision, reasons, warnings, forms, validity and the
//! exact `missing`. Where it does not (relations it does not model, such as a day count
//! against a difference of two unknown dates), it is sound: it never gives a decision the
//! model does not, it may answer `incomplete` where the model finds one decision, and its
//! `missing` holds every fact the model's does.

use crate::common;
use crate::gen;

use common::*;
use pol_compiler::{Case, Compiled, Source};
use proptest::prelude::*;

/// Completions the model decides per case; cases past it are skipped.
const LIMIT: u64 = 50_000;

/// How many cases each generated policy is tried on.
const CASES_PER_POLICY: usize = 6;

/// Fact knowledge and raw values for every case of a policy: more than any prelude has
/// facts, so adding a fact to the prelude needs no change here.
fn raw_cases() -> impl Strategy<Value = Vec<(u64, Vec<(bool, u64)>)>> {
    prop::collection::vec(
        (any::<u64>(), prop::collection::vec((prop::bool::weighted(0.6), any::<u64>()), 64)),
        CASES_PER_POLICY,
    )
}

/// The cases a generated policy is tried on.
fn cases(c: &Compiled, raw: &[(u64, Vec<(bool, u64)>)]) -> Vec<Case> {
    raw.iter()
        .map(|(as_of, facts)| {
            let spec = Spec {
                policy: 0,
                as_of: *as_of,
                facts: facts.iter().copied().take(c.set.facts.len()).collect(),
            };
            assert_eq!(spec.facts.len(), c.set.facts.len(), "more facts than raw values");
            build(c, &spec)
        })
        .collect()
}

/// Everything, where the engine reasons exactly; soundness where it does not.
fn exact(c: &Compiled, case: &Case, text: &str) -> Result<(), TestCaseError> {
    let Some(m) = model(c, case, LIMIT) else {
        return Ok(());
    };
    let e = engine(c, case);
    let what = || format!("{}\n{text}", show(c, case));
    let fail = |err: TestCaseError| TestCaseError::fail(format!("{err}\n{text}"));
    if exact_reasoning(c) {
        agree(c, case, &e, &m).map_err(fail)?;
        return same_missing(c, case, &e, &m).map_err(fail);
    }
    if e.decision.as_str() != "incomplete" {
        agree(c, case, &e, &m).map_err(fail)?;
    }
    let given = missing_set(&e);
    for f in m.missing_paths(&c.set) {
        prop_assert!(
            given.contains(&f),
            "`{}` can change the outcome but is not in missing {:?}\n{}",
            f,
            given,
            what()
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn the_engine_decides_generated_policies_as_the_model_does(
        text in gen::policy(),
        raw in raw_cases(),
    ) {
        let c = compile(gen::sources(&text));
        for case in cases(&c, &raw) {
            exact(&c, &case, &text)?;
        }
    }
}

/// One policy over the generator's prelude, and a JSON case for it: the engine and the
/// model agree on everything.
fn check(policy: &str, case: &str) {
    check_with("", policy, case);
}

/// [`check`], with declarations of its own (`decls`) beside the prelude's.
fn check_with(decls: &str, policy: &str, case: &str) {
    let c = compile(gen::sources(&format!("{decls}\npolicy gen \"q\" {{\n{policy}\n}}\n")));
    let case = decode(&c, &format!(r#"{{"policy": "gen", {case}}}"#));
    if let Err(e) = exact(&c, &case, policy) {
        panic!("{e}");
    }
}

// Each case below was found by the property above: the budgeted enumeration that came
// before the exact reasoning decided it differently from the model.

/// A day count compared with a difference of dates: the engine tries day counts near the
/// dates' day numbers, not near their difference, and decides `eligible` though 0 days
/// makes the case `ineligible`.
#[test]
fn a_day_count_compared_with_a_difference_of_dates() {
    check(
        "exclude r: n1 <= 3 days and n1 > d2 - d1",
        r#""as_of": "2024-01-29", "d1": "2024-05-05", "d2": "2019-02-02""#,
    );
}

/// A day count compared only with literals: the engine reads `1 days` as an offset, has no
/// day count to try, and decides `ineligible` from the completions of `i1` alone, though
/// `n1 = 0 days, i1 = 0` makes the case `eligible`.
#[test]
fn a_day_count_compared_with_a_literal() {
    check("require r: n1 < 1 days and i1 != 2", r#""as_of": "2024-01-01""#);
}

/// An integer compared with another plus an offset: the engine does not move `i2`'s
/// values by the `+ 3` on the other side, never tries `i2 > 6`, and decides `ineligible`.
#[test]
fn an_integer_compared_with_another_plus_an_offset() {
    check("require r: not (i1 + 3 >= i2)", r#""as_of": "2024-01-30", "i1": 3"#);
}

/// Two unknown strings: the engine gives both the same stand-in for "a string no policy
/// names", so `s1 == s2` always holds and it decides `unavailable`.
#[test]
fn two_unknown_strings_compared() {
    check("unavailable r: s1 == s2", r#""as_of": "2024-01-30""#);
}

/// A string compared with a known string no policy names: the engine never tries that
/// text for the unknown one, and misses it in `missing`.
#[test]
fn an_unknown_string_compared_with_a_known_one() {
    check("unavailable r: s1 == s2\nrequire q: b1", r#""as_of": "2024-01-30", "s2": "ZZ""#);
}

/// Two rules of one level that cover every case between them: the level is certain but
/// neither rule is. The engine gives the first as the reason; the model gives both.
#[test]
fn a_level_certain_only_by_cases_gives_every_rule_that_may_fire() {
    check("require a: i1 < 5\nrequire b: i1 >= 5", r#""as_of": "2024-01-30""#);
}

/// A rule that can never fire is not open: Kleene logic leaves it unknown, and the engine
/// listed it among an `incomplete` case's reasons until reasons were read from the truths
/// each rule takes over the completions.
#[test]
fn a_rule_that_can_never_fire_is_not_open() {
    check("require a: b1\nexclude b: d1 in 2024-03-01..2024-01-31", r#""as_of": "2024-01-30""#);
}

/// `unavailable` by a rule while the window's date is unknown: the window may be open, so
/// it is not a reason; the engine names it (it tests "not known open").
#[test]
fn a_window_that_may_be_open_is_not_a_reason() {
    check("program prog at d1\nunavailable r: b1", r#""as_of": "2024-06-01", "b1": true"#);
}

/// Two facts that matter only together (`d1 == d2`): no one of them changes the possible
/// decisions, so `missing` is empty (`docs/semantics.md`); the engine lists both.
#[test]
fn facts_that_matter_only_together_are_not_missing() {
    check("unavailable r: d2 - d1 == 0 days", r#""as_of": "2024-01-30""#);
}

/// An integer fact compared with the largest integer: with `i1` unknown, today's engine
/// computes `i64::MAX + 1` for a representative value and panics in a debug build
/// (`decide.rs`, `candidates`).
#[test]
fn an_integer_compared_with_the_largest_integer() {
    let c = compile(vec![Source {
        name: "p.pol".into(),
        text: "fact applicant.age: integer \"age\"\npolicy p \"q\" {\n  require young: applicant.age < 9223372036854775807\n}\n".into(),
    }]);
    let case = decode(&c, r#"{"policy": "p", "as_of": "2025-01-01"}"#);
    if let Err(e) = exact(&c, &case, "") {
        panic!("{e}");
    }
}

/// The same overflow through a known fact: `i2`'s value is a representative value for
/// `i1`, and one more than it overflows.
#[test]
fn an_integer_compared_with_a_fact_holding_the_largest_integer() {
    check("require r: i1 >= i2", r#""as_of": "2024-01-30", "i2": 9223372036854775807"#);
}

// Kleene logic's reasons stand where it is exact on every unknown rule of the deciding
// level (`reason/kleene.rs`). In each case below it is not: rule `b` is unknown under
// Kleene logic yet true in every completion, so it is a reason beside the known rule `a`.
fn a_certain_unknown_rule_is_a_reason(decls: &str, b: &str) {
    check_with(
        decls,
        &format!("exclude a: b1\nexclude b: {b}"),
        r#""as_of": "2024-01-30", "b1": true"#,
    );
}

/// A fact read twice: `b2 or not b2`.
#[test]
fn a_rule_true_by_cases_of_one_fact_is_a_reason() {
    a_certain_unknown_rule_is_a_reason("", "b2 or not b2");
}

/// An enum of one word: its fact can only be that word.
#[test]
fn a_rule_on_an_enum_of_one_word_is_a_reason() {
    a_certain_unknown_rule_is_a_reason("enum One { only }\nfact o1: One \"o1\"", "o1 == only");
}

/// An enum fact tested against every word of its enum.
#[test]
fn a_rule_on_every_word_of_an_enum_is_a_reason() {
    a_certain_unknown_rule_is_a_reason("", "e1 in {x, y, z}");
}

/// A fact a constraint holds true in every case.
#[test]
fn a_rule_a_constraint_makes_certain_is_a_reason() {
    a_certain_unknown_rule_is_a_reason(
        "fact b3: bool \"b3\"\nconstraint b3_holds: b3 because \"always\"",
        "b3",
    );
}

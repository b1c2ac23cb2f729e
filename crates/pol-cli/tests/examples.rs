//! Each worked example in `examples/cases`, one test per example and property, through the
//! binary (and each shipped policy test file in `tests/policies`, which passes alone and
//! follows its schema): some policy test asserts it; `explain --format json` agrees with `eval` and
//! follows its schema; the JSON carries every rule's
//! sentence; each citation is printed once; an incomplete case has no refusal marker; forms
//! and warnings appear only where they bear on the outcome. An example added to the folder
//! is checked without editing Rust. (A `harness = false` target, see ARCHITECTURE.md.)

// A `harness = false` target is not compiled as tests, so clippy's test exemptions do not
// apply: panicking is how a test here fails.
#![allow(clippy::panic, clippy::indexing_slicing)]

mod common;

use std::path::Path;

use common::{files, json_lines, pol, repo_path, root};
use datatest_stable::Result;
use pol_test_support::schemas::{assert_valid, validator};
use serde_json::Value;

/// `pol explain --format json` on the example.
fn explain_json(case: &str) -> Result<Value> {
    let run = pol(&["explain", "--format", "json", case]);
    assert_eq!(run.code, 0, "{case}\n{}", run.stderr);
    Ok(serde_json::from_str(&run.stdout)?)
}

/// The elements of a JSON array (none if it is not one).
fn items(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

/// `explain --format json` gives the same decision as `eval`, with the trace as data.
fn explains_as_it_evaluates(path: &Path) -> Result<()> {
    let case = repo_path(path);
    let eval = pol(&["eval", "--format", "json", &case]);
    let eval: Value = serde_json::from_str(&eval.stdout)?;
    let explain = explain_json(&case)?;
    assert_eq!(eval, explain["decision"], "{case}");
    let decisive = items(&explain["trace"]).iter().filter(|t| t["decisive"] == true).count();
    assert!(decisive >= items(&eval["reasons"]).len(), "{case}");
    Ok(())
}

/// `explain --format json`, with and without `--all`, follows
/// `schemas/explanation.schema.json`.
fn explanation_follows_its_schema(path: &Path) -> Result<()> {
    let case = repo_path(path);
    let v = validator("explanation.schema.json");
    for args in [
        vec!["explain", "--format", "json", case.as_str()],
        vec!["explain", "--format", "json", "--all", case.as_str()],
    ] {
        let run = pol(&args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        for line in json_lines(&run.stdout) {
            assert_eq!(line["schema"], "urn:pol:explanation:1");
            assert_valid(&v, &case, &line);
        }
    }
    Ok(())
}

/// Some policy test evaluates the example (and so asserts its decision).
fn is_asserted_by_a_policy_test(path: &Path) -> Result<()> {
    let case = repo_path(path);
    let tests: String = files("tests/policies")
        .iter()
        .map(|file| std::fs::read_to_string(root().join(file)).unwrap_or_default())
        .collect();
    assert!(tests.contains(&case), "no test in tests/policies evaluates {case}");
    Ok(())
}

/// `--format json` carries each rule's sentence on its reason, its trace entry and the
/// counterfactuals that flip it; the program window has none.
fn json_carries_the_sentences(path: &Path) -> Result<()> {
    let case = repo_path(path);
    let ex = explain_json(&case)?;
    let trace = items(&ex["trace"]);
    for reason in items(&ex["decision"]["reasons"]) {
        let traced = trace.iter().find(|t| t["rule"] == reason["rule"]);
        let Some(traced) = traced else {
            panic!("{case}: {reason} is not in the trace");
        };
        let window = traced["kind"] == "program";
        assert_eq!(reason["says"].is_string(), !window, "{case}: {reason}");
        assert_eq!(reason.get("says"), traced.get("says").filter(|s| !s.is_null()));
    }
    for t in trace {
        assert_eq!(t["says"].is_string(), t["kind"] != "program", "{case}: {t}");
    }
    for cf in items(&ex["counterfactuals"]) {
        assert_eq!(items(&cf["rules"]).len(), items(&cf["says"]).len(), "{case}: {cf}");
    }
    Ok(())
}

/// Each citation of a decisive rule is printed once; rules get no `help: cite:` (their
/// citation is in their source lines).
fn each_citation_is_printed_once(path: &Path) -> Result<()> {
    let case = repo_path(path);
    let human = pol(&["explain", &case]).stdout;
    assert!(!human.contains("help: cite:") || human.contains("program_window"), "{case}\n{human}");
    for t in items(&explain_json(&case)?["trace"]) {
        let cite = t["cite"].as_str().unwrap_or_default();
        // Long citations are wrapped in `help:`; compare their first words.
        let head: String = cite.chars().take(40).collect();
        assert!(
            human.matches(&head).count() <= 1,
            "{case}: `{}` cited more than once\n{human}",
            t["rule"]
        );
    }
    Ok(())
}

/// "Not yet decided" is not a refusal: no `×` on an incomplete case, and it says what to
/// ask next.
fn incomplete_has_no_refusal_marker(path: &Path) -> Result<()> {
    let case = repo_path(path);
    if explain_json(&case)?["decision"]["decision"] != "incomplete" {
        return Ok(());
    }
    let human = pol(&["explain", &case]).stdout;
    assert!(!human.contains('×'), "{case}\n{human}");
    // The paragraph is wrapped: compare it as one line.
    assert!(human.replace('\n', " ").contains("Ask next about: "), "{case}\n{human}");
    Ok(())
}

/// Forms only where the path may lead to filing; warnings only where the person may travel
/// or be paroled on this path.
fn forms_and_warnings_only_where_they_bear(path: &Path) -> Result<()> {
    let case = repo_path(path);
    let ex = explain_json(&case)?;
    let decision = ex["decision"]["decision"].as_str().unwrap_or_default();
    let human = pol(&["explain", &case]).stdout;
    if matches!(decision, "ineligible" | "unavailable" | "not_required") {
        assert!(!human.contains("forms:"), "{case}\n{human}");
    }
    if matches!(decision, "ineligible" | "unavailable") {
        assert!(!human.contains("warnings:"), "{case}\n{human}");
        assert!(!human.contains('⚠'), "{case}\n{human}");
    }
    if decision == "eligible" && !items(&ex["decision"]["forms"]).is_empty() {
        assert!(human.contains("forms:"), "{case}\n{human}");
    }
    Ok(())
}

/// A shipped policy test file passes on its own (`pol test FILE`) and follows
/// `schemas/policy-test.schema.json`.
fn policy_test_file_passes(path: &Path) -> Result<()> {
    let file = repo_path(path);
    let run = pol(&["test", &file]);
    assert_eq!(run.code, 0, "{file}:\n{}\n{}", run.stdout, run.stderr);
    let text = std::fs::read_to_string(path)?;
    let doc: Value = pol_engine::yaml::from_str(&text)?;
    assert_valid(&validator("policy-test.schema.json"), &file, &doc);
    Ok(())
}

datatest_stable::harness! {
    { test = explains_as_it_evaluates, root = "../../examples/cases" },
    { test = explanation_follows_its_schema, root = "../../examples/cases" },
    { test = is_asserted_by_a_policy_test, root = "../../examples/cases" },
    { test = json_carries_the_sentences, root = "../../examples/cases" },
    { test = each_citation_is_printed_once, root = "../../examples/cases" },
    { test = incomplete_has_no_refusal_marker, root = "../../examples/cases" },
    { test = forms_and_warnings_only_where_they_bear, root = "../../examples/cases" },
    { test = policy_test_file_passes, root = "../../tests/policies", pattern = r"\.yaml$" },
}

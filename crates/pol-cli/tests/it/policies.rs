//! The shipped policies, end to end through the `pol` binary: the policy tests pass, every
//! worked example is asserted by a test, and decisions and explanations of one example per
//! decision kind are snapshotted.

use crate::common;

use common::{assert_contains, files, pol, pol_with_stdin, stem};

/// `pol test` over tests/policies passes, and says so once, in cargo's words.
#[test]
fn policy_tests_pass() {
    let run = pol(&["test", "tests/policies"]);
    assert_eq!(run.code, 0, "pol test failed:\n{}\n{}", run.stdout, run.stderr);
    let last = run.stdout.lines().last().unwrap_or_default();
    assert!(last.starts_with("test result: ok. "), "last line: {last}");
    assert!(last.ends_with(" passed; 0 failed"), "last line: {last}");
    assert_eq!(run.stdout.matches("test result:").count(), 1);
    let passed: usize =
        last.trim_start_matches("test result: ok. ").split(' ').next().unwrap().parse().unwrap();
    assert!(passed >= 80, "only {passed} policy tests");
}

/// A failing policy test is reported with expected vs actual, and `pol test` exits 1.
#[test]
fn a_failing_policy_test_fails_the_run() {
    let dir = std::env::temp_dir().join(format!("pol-failing-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("wrong.yaml");
    std::fs::write(
        &file,
        "tests:\n  - name: a daca recipient is not refused for proceedings\n    case: {as_of: 2025-06-10, policy: advance_parole, applicant: {location: inside_us, status: daca, in_removal_proceedings: true, j1_foreign_residence_requirement: false, private_bill_beneficiary: false}, reason: funeral, evidence_submitted: true}\n    expect: {decision: ineligible}\n",
    )
    .unwrap();
    let run = pol(&["test", file.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert_contains(&run.stdout, "  decision:\n-   ineligible\n+   eligible\n");
    assert!(run.stdout.lines().last().unwrap().ends_with("0 passed; 1 failed"));
    let _ = std::fs::remove_dir_all(dir);
}

/// Every example evaluates (exit 0) in one batch.
#[test]
fn every_example_evaluates() {
    let examples = files("examples/cases");
    let mut args = vec!["eval", "--format", "json"];
    args.extend(examples.iter().map(String::as_str));
    let run = pol(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), examples.len());
}

/// One example per decision kind: the JSON decision and the explanation, snapshotted.
#[test]
fn decisions_and_explanations() {
    for example in [
        "examples/cases/asylum_applicant_in_removal_proceedings_advance_parole.toml",
        "examples/cases/venezuelan_tps_conference_canada_advance_parole.json",
        "examples/cases/h1b_engineer_pending_green_card_advance_parole.json",
        "examples/cases/cuban_doctor_filing_date_unknown_cmpp.json",
        "examples/cases/citizen_spouse_after_halt_family_pip.yaml",
        "examples/cases/honduran_nurse_humanitarian.json",
    ] {
        let eval = ["eval", "--format", "json", example];
        let explain = ["explain", example];
        let transcript =
            format!("{}\n{}", pol(&eval).transcript(&eval), pol(&explain).transcript(&explain));
        // `transcript` redacts what an edit to a shipped policy changes (line numbers,
        // the policies' digest), which these snapshots are not about.
        insta::assert_snapshot!(format!("decision__{}", stem(example)), transcript);
    }
}

/// Standard input is read as JSON lines.
#[test]
fn eval_reads_json_lines_from_stdin() {
    let input = "{\"id\":\"a\",\"as_of\":\"2025-06-10\",\"policy\":\"chnv_parole\"}\n{\"id\":\"b\",\"as_of\":\"2025-03-24\",\"policy\":\"chnv_parole\",\"applicant\":{\"nationality\":\"MX\"}}\n";
    let run = pol_with_stdin(&["eval", "--format", "json", "-"], input);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let decisions: Vec<serde_json::Value> =
        run.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(decisions[0]["decision"], "unavailable");
    assert_eq!(decisions[1]["decision"], "ineligible");
}

//! The command line as scripts, CI and editors use it: exit statuses (docs/cli.md, one test
//! per command), errors in place, errors as JSON, the CI formats of `pol check`, standard
//! input for `check` and `fmt`, `fmt --diff`, directories of cases, completions.

use crate::common;

use std::path::PathBuf;

use common::{assert_contains, assert_lacks, files, json_lines, pol, pol_in, pol_with_stdin, root};
use pol_compiler::codes;

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pol-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const GOOD_CASE: &str = "examples/cases/h1b_engineer_pending_green_card_advance_parole.json";
const BAD_CASE: &str = "tests/data/cases/err/unknown_field.json";
/// A policy with one error: a misspelt fact name.
const MISSPELT_POLICY: &str = "tests/data/check/err/name_misspelled_fact.pol";
const UNFORMATTED: &str = "fact   applicant.age :integer \"age\"\n";

fn status(args: &[&str]) -> i32 {
    pol(args).code
}

#[test]
fn check_exit_statuses() {
    assert_eq!(status(&["check", "tests/data/check/ok/declaration_order.pol"]), 0);
    assert_eq!(status(&["check", MISSPELT_POLICY]), 1);
    // A warning fails the check only at `--fail-level warning` (or `--deny warnings`).
    let warned = "tests/data/lints/W0501_unused.pol";
    assert_eq!(status(&["check", warned]), 0);
    assert_eq!(status(&["check", "--fail-level", "warning", warned]), 1);
    assert_eq!(status(&["check", "--fail-level", "error", warned]), 0);
    assert_eq!(status(&["check", "--deny", "warnings", warned]), 1);
    // Cannot look: misuse.
    assert_eq!(status(&["check", "no/such/policy.pol"]), 2);
    assert_eq!(status(&["check", "--format", "yaml"]), 2);
    assert_eq!(status(&["check", "-", "tests/data/check/ok"]), 2);
}

#[test]
fn eval_exit_statuses() {
    assert_eq!(status(&["eval", GOOD_CASE]), 0);
    assert_eq!(status(&["eval", "examples/cases"]), 0);
    assert_eq!(status(&["eval", BAD_CASE]), 1);
    assert_eq!(status(&["eval", "no/such/case.json"]), 2);
    // The worst wins: a bad case and a missing one.
    assert_eq!(status(&["eval", BAD_CASE, "no/such/case.json"]), 2);
    assert_eq!(status(&["eval", "no/such/cases.jsonl"]), 2);
    assert_eq!(status(&["eval"]), 2);
    // Policies that do not compile: the command cannot do its job.
    assert_eq!(status(&["--policies", "tests/data/check/err", "eval", GOOD_CASE]), 2);
}

#[test]
fn explain_exit_statuses() {
    assert_eq!(status(&["explain", GOOD_CASE]), 0);
    assert_eq!(status(&["explain", BAD_CASE]), 1);
    assert_eq!(status(&["explain", "no/such/case.json"]), 2);
    assert_eq!(status(&["--policies", "tests/data/check/err", "explain", GOOD_CASE]), 2);
}

#[test]
fn fmt_exit_statuses() {
    let dir = scratch("fmt-exit");
    let messy = dir.join("messy.pol");
    std::fs::write(&messy, UNFORMATTED).unwrap();
    let messy = messy.to_str().unwrap();
    let broken = dir.join("broken.pol");
    std::fs::write(&broken, "fact applicant.age integer\n").unwrap();
    let broken = broken.to_str().unwrap();
    assert_eq!(status(&["fmt", "--check", "tests/data/check/ok"]), 0);
    assert_eq!(status(&["fmt", "--check", messy]), 1);
    assert_eq!(status(&["fmt", "--diff", messy]), 1);
    // Not formatted is a finding; cannot parse is "cannot do the job".
    assert_eq!(status(&["fmt", "--check", broken]), 2);
    assert_eq!(status(&["fmt", broken]), 2);
    assert_eq!(status(&["fmt", "--check", "no/such/dir"]), 2);
    assert_eq!(status(&["fmt", messy]), 0);
    assert_eq!(status(&["fmt", "--check", messy]), 0);
}

#[test]
fn test_exit_statuses() {
    assert_eq!(status(&["test", "tests/policies/chnv_parole.yaml"]), 0);
    assert_eq!(status(&["test", "no/such/tests"]), 2);
    assert_eq!(status(&["--policies", "tests/data/check/err", "test", "tests/policies"]), 2);
    // A failing test: `policies.rs` (a_failing_policy_test_fails_the_run) asserts 1.
}

#[test]
fn completions_exit_statuses_and_scripts() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef pol"),
        ("fish", "complete -c pol"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let run = pol(&["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(run.stdout.contains(marker), "{shell}:\n{}", run.stdout);
        assert!(run.stdout.contains("explain"), "{shell}: no subcommands");
    }
    assert_eq!(status(&["completions", "tcsh"]), 2);
}

#[test]
fn help_has_examples_and_the_exit_status() {
    for command in ["check", "eval", "explain", "fmt", "test", "diff", "completions"] {
        let run = pol(&[command, "--help"]);
        assert_eq!(run.code, 0);
        assert!(run.stdout.contains("Examples:"), "{command}:\n{}", run.stdout);
        assert!(run.stdout.contains(&format!("pol {command}")), "{command}");
    }
    let run = pol(&["eval", "--help"]);
    assert_contains(&run.stdout, "directories of case files");
}

/// The contract's errors in place: a bad third line of JSON lines answers as the third line
/// of output, naming the field, the suggestion and the line's `id`.
#[test]
fn a_bad_line_gets_an_error_object_in_its_place() {
    let input = [
        r#"{"id":"a","as_of":"2025-06-10","policy":"chnv_parole"}"#,
        r#"{"id":"b","as_of":"2025-03-24","policy":"chnv_parole","applicant":{"nationality":"MX"}}"#,
        r#"{"id":"case-17","as_of":"2025-06-10","policy":"advance_parole","applicant":{"natinality":"UA"}}"#,
        r#"{"id":"d","as_of":"2025-06-10","policy":"chnv_parole"}"#,
        "",
        r#"{"as_of":"2025-06-10","policy":"chnv_parole""#,
        r#"{"id":"g","as_of":"2025-06-10","policy":"chnv_parole"}"#,
    ]
    .join("\n");
    let dir = scratch("in-place");
    let file = dir.join("cases.jsonl");
    std::fs::write(&file, &input).unwrap();
    for extra in [&[][..], &["-j", "3", "--chunk-bytes", "40"][..]] {
        let mut args = vec!["eval", "--format", "json"];
        args.extend_from_slice(extra);
        args.push(file.to_str().unwrap());
        let run = pol(&args);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let lines = json_lines(&run.stdout);
        assert_eq!(lines.len(), 6, "{}", run.stdout);
        let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap_or("-")).collect();
        assert_eq!(ids, ["a", "b", "case-17", "d", "-", "g"], "{}", run.stdout);
        let third = &lines[2];
        assert_eq!(third["line"], 3);
        assert!(third.get("decision").is_none());
        assert_eq!(third["error"]["field"], "applicant.natinality");
        assert_eq!(third["error"]["suggestion"], "applicant.nationality");
        assert_eq!(third["error"]["code"], format!("pol::{}", codes::CASE_FIELD));
        assert!(third["error"]["message"].is_string());
        assert_eq!(lines[4]["line"], 6, "blank lines keep their numbers");
        assert_eq!(lines[4]["error"]["code"], format!("pol::{}", codes::CASE_UNREADABLE));
        // The people's message still goes to standard error.
        assert_contains(&run.stderr, "cases.jsonl:3");
    }
    // Human output prints no error objects.
    let run = pol(&["eval", file.to_str().unwrap()]);
    assert_lacks(&run.stdout, "\"error\"");
}

/// Whole files get an error object naming the file, in order among the decisions.
#[test]
fn a_bad_case_file_gets_an_error_object_in_its_place() {
    let run =
        pol(&["eval", "--format", "json", GOOD_CASE, BAD_CASE, "no/such/case.yaml", GOOD_CASE]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let lines = json_lines(&run.stdout);
    assert_eq!(lines.len(), 4, "{}", run.stdout);
    assert!(lines[0]["decision"].is_string());
    assert_eq!(lines[1]["file"], BAD_CASE);
    assert!(lines[1]["error"]["field"].is_string(), "{}", lines[1]);
    assert_eq!(lines[2]["file"], "no/such/case.yaml");
    assert!(lines[3]["decision"].is_string());
    // `explain --format json` likewise.
    let run = pol(&["explain", "--format", "json", BAD_CASE]);
    assert_eq!(run.code, 1);
    assert_eq!(json_lines(&run.stdout)[0]["file"], BAD_CASE);
}

/// `pol eval DIR` decides every case file under it, in path order.
#[test]
fn eval_walks_directories() {
    let dir = scratch("eval-dir");
    std::fs::create_dir_all(dir.join("b")).unwrap();
    let case = |id: &str| {
        format!("{{\"id\":\"{id}\",\"as_of\":\"2025-06-10\",\"policy\":\"chnv_parole\"}}")
    };
    std::fs::write(dir.join("b/2.json"), case("b2")).unwrap();
    std::fs::write(dir.join("a.json"), case("a")).unwrap();
    std::fs::write(dir.join("c.jsonl"), format!("{}\n{}\n", case("c1"), case("c2"))).unwrap();
    std::fs::write(dir.join("b/1.yaml"), "id: b1\nas_of: 2025-06-10\npolicy: chnv_parole\n")
        .unwrap();
    std::fs::write(dir.join("notes.txt"), "not a case").unwrap();
    let run = pol(&["eval", "--format", "json", dir.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ids: Vec<String> =
        json_lines(&run.stdout).iter().map(|l| l["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids, ["a", "b1", "b2", "c1", "c2"]);
    let empty = scratch("eval-empty-dir");
    assert_eq!(status(&["eval", empty.to_str().unwrap()]), 2);
    // Every shipped example, through its directory.
    let run = pol(&["eval", "--format", "json", "examples/cases"]);
    assert_eq!(run.stdout.lines().count(), files("examples/cases").len());
}

/// Under `--error-format json`, standard error holds only JSON objects, one per line.
#[test]
fn errors_as_json() {
    for args in [
        &["--error-format", "json", "eval", BAD_CASE][..],
        &["--error-format", "json", "eval", "no/such/case.json"][..],
        &["--error-format", "json", "check", MISSPELT_POLICY][..],
        &["--error-format", "json", "--policies", "tests/data/check/err", "explain", GOOD_CASE][..],
        &["--error-format", "json", "fmt", "--check", "no/such/dir"][..],
        &["--error-format=json", "eval", "--bogus"][..],
        &["--error-format", "json", "test", "no/such/tests"][..],
    ] {
        let run = pol(args);
        assert_ne!(run.code, 0, "{args:?}");
        let lines = json_lines(&run.stderr);
        assert!(!lines.is_empty(), "{args:?}: nothing on standard error");
        for l in &lines {
            assert_eq!(l["schema"], "urn:pol:diagnostic:1", "{args:?}: {l}");
            assert_eq!(l["severity"], "error", "{args:?}: {l}");
        }
    }
    let run = pol(&["--error-format", "json", "eval", BAD_CASE]);
    let l = &json_lines(&run.stderr)[0];
    assert_eq!(l["code"], format!("pol::{}", codes::CASE_FIELD));
    assert_eq!(l["file"], BAD_CASE);
    assert!(l["line"].as_u64().unwrap() >= 1);
    assert!(l["field"].is_string());
    // The summary line for people is left out.
    let run = pol(&["--error-format", "json", "check", MISSPELT_POLICY]);
    assert_lacks(&run.stderr, "checked 1 file");
}

#[test]
fn check_for_github_actions() {
    let run = pol(&["check", "--format", "github", MISSPELT_POLICY]);
    assert_eq!(run.code, 1);
    let line = run.stdout.lines().next().unwrap();
    assert!(
        line.starts_with("::error file=tests/data/check/err/name_misspelled_fact.pol,line="),
        "{line}"
    );
    assert!(line.contains(&format!(",title=pol {}::", codes::UNKNOWN_NAME.id)), "{line}");
    assert!(!line.contains('\n'));
    let run = pol(&["check", "--format", "github", "tests/data/lints/W0501_unused.pol"]);
    assert!(run.stdout.starts_with("::warning file="), "{}", run.stdout);
    assert_eq!(run.code, 0);
}

#[test]
fn check_in_plain_lines() {
    let run = pol(&["check", "--format", "plain", MISSPELT_POLICY]);
    assert_eq!(run.code, 1);
    let line = run.stdout.lines().next().unwrap();
    let parts: Vec<&str> = line.splitn(4, ':').collect();
    assert_eq!(parts[0], MISSPELT_POLICY);
    assert!(parts[1].parse::<usize>().unwrap() >= 1, "{line}");
    assert!(parts[2].parse::<usize>().unwrap() >= 1, "{line}");
    assert!(parts[3].starts_with(&format!(" error[{}]: ", codes::UNKNOWN_NAME.id)), "{line}");
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
}

#[test]
fn check_as_junit() {
    let run = pol(&[
        "check",
        "--format",
        "junit",
        MISSPELT_POLICY,
        "tests/data/check/ok/declaration_order.pol",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let xml = &run.stdout;
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(
        xml.contains("<testsuite name=\"tests/data/check/err/name_misspelled_fact.pol\""),
        "{xml}"
    );
    assert!(xml.contains("<failure"), "{xml}");
    assert!(xml.contains(&format!("type=\"pol::{}\"", codes::UNKNOWN_NAME)), "{xml}");
    assert!(xml.contains("name=\"no problems\""), "{xml}");
    // Below the fail level a warning is a passing case that carries it.
    let run = pol(&["check", "--format", "junit", "tests/data/lints/W0501_unused.pol"]);
    assert_eq!(run.code, 0);
    assert_lacks(&run.stdout, "<failure");
    assert_contains(&run.stdout, codes::UNUSED.id);
}

/// `pol check -` compiles standard input as `<stdin>`, its imports found from the working
/// directory.
#[test]
fn check_reads_standard_input() {
    let policy = "import \"policies/facts.pol\"\n\npolicy p \"q?\" {\n  require a: applicant.age >= 18 cite \"x\"\n}\n";
    let run = pol_with_stdin(&["check", "-"], policy);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = pol_with_stdin(&["check", "--format", "plain", "-"], "fact x: nope \"t\"\n");
    assert_eq!(run.code, 1);
    assert!(run.stdout.starts_with("<stdin>:1:"), "{}", run.stdout);
}

#[test]
fn fmt_shows_a_unified_diff_and_writes_nothing() {
    let dir = scratch("fmt-diff");
    let file = dir.join("messy.pol");
    std::fs::write(&file, UNFORMATTED).unwrap();
    let name = file.to_str().unwrap();
    let run = pol(&["fmt", "--diff", name]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.starts_with(&format!("--- {name}\n+++ {name}\n@@ ")), "{}", run.stdout);
    assert_contains(&run.stdout, "-fact   applicant.age :integer \"age\"");
    assert_contains(&run.stdout, "+fact applicant.age: integer \"age\"");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), UNFORMATTED);
}

/// `pol fmt -`: standard input to standard output, for format-on-save.
#[test]
fn fmt_formats_standard_input() {
    let run = pol_with_stdin(&["fmt", "-"], UNFORMATTED);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "fact applicant.age: integer \"age\"\n");
    let again = pol_with_stdin(&["fmt", "-"], &run.stdout);
    assert_eq!(again.stdout, run.stdout);
    assert_eq!(pol_with_stdin(&["fmt", "--check", "-"], UNFORMATTED).code, 1);
    assert_eq!(pol_with_stdin(&["fmt", "--check", "-"], &run.stdout).code, 0);
    let diff = pol_with_stdin(&["fmt", "--diff", "-"], UNFORMATTED);
    assert!(diff.stdout.starts_with("--- <stdin>\n+++ <stdin>\n"), "{}", diff.stdout);
    let broken = pol_with_stdin(&["fmt", "-"], "fact x integer\n");
    assert_eq!(broken.code, 2);
    assert!(broken.stdout.is_empty());
    assert_contains(&broken.stderr, "<stdin>");
}

/// The project's own policies run through the pre-commit hook of docs/cli.md cleanly.
#[test]
fn the_shipped_policies_pass_the_hooks() {
    let run = pol_in(&root(), &["fmt", "--check"], "");
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let run = pol_in(&root(), &["check", "--format", "plain"], "");
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

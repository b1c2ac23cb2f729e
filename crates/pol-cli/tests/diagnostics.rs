//! Data-driven tests of what `pol` tells people, one test per fixture file: each fixture
//! under `tests/data/{check,cases}/{ok,err}` and `tests/data/lints` is run through the real
//! binary and what it says checked (and, for an error, snapshotted); each worked example in
//! `examples/cases` explains as it evaluates. A file added to one of these folders is a new
//! test. (A `harness = false` target: datatest-stable makes the tests, see ARCHITECTURE.md.)

// A `harness = false` target is not compiled as tests, so clippy's test exemptions do not
// apply: panicking is how a test here fails.
#![allow(clippy::panic, clippy::indexing_slicing)]

mod common;

use std::path::Path;

use common::{codes_in, pol, repo_path, stem};
use datatest_stable::Result;

/// An erroneous policy makes `pol check` exit 1 with a rendered, coded diagnostic.
fn check_err(path: &Path) -> Result<()> {
    let file = repo_path(path);
    let args = ["check", file.as_str()];
    let run = pol(&args);
    insta::assert_snapshot!(format!("check_err__{}", stem(&file)), run.transcript(&args));
    assert_eq!(run.code, 1, "{file}: expected exit 1\n{}", run.stderr);
    assert!(
        run.stderr.contains("pol::E"),
        "{file}: no error code in\n{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("panicked"),
        "{file}: panic\n{}",
        run.stderr
    );
    Ok(())
}

/// A bad case file makes `pol eval` exit 1 and name the place and the field.
fn case_err(path: &Path) -> Result<()> {
    let file = repo_path(path);
    let args = ["eval", "--format", "json", file.as_str()];
    let run = pol(&args);
    insta::assert_snapshot!(format!("case_err__{}", stem(&file)), run.transcript(&args));
    assert_eq!(run.code, 1, "{file}: expected exit 1\n{}", run.stderr);
    assert!(
        run.stderr.contains(&file),
        "{file}: the message does not name the file\n{}",
        run.stderr
    );
    Ok(())
}

/// A correct policy checks clean: no errors, no warnings.
fn check_ok(path: &Path) -> Result<()> {
    let file = repo_path(path);
    let run = pol(&["check", "--deny", "warnings", file.as_str()]);
    assert_eq!(
        run.code, 0,
        "{file}: expected a clean check\n{}",
        run.stderr
    );
    assert!(
        run.stderr.ends_with("no problems\n"),
        "{file}:\n{}",
        run.stderr
    );
    Ok(())
}

/// `<code>_<name>.pol` fires `<code>` and nothing else, exits 1 for an error and 0 for a
/// warning, and reads as its snapshot says.
fn lint_fires(path: &Path) -> Result<()> {
    let file = repo_path(path);
    let name = stem(&file);
    let code = name.split('_').next().unwrap_or_default().to_string();
    assert!(
        pol_compiler::codes::lookup(&code).is_some(),
        "{file}: the name must start with a registered code"
    );
    let args = ["check", file.as_str()];
    let run = pol(&args);
    insta::assert_snapshot!(format!("lint__{name}"), run.transcript(&args));
    let expected = if code.starts_with('E') { 1 } else { 0 };
    assert_eq!(run.code, expected, "{file}: exit status\n{}", run.stderr);
    let found = codes_in(&run.stderr);
    assert!(!found.is_empty(), "{file}: no diagnostic\n{}", run.stderr);
    assert!(
        found.iter().all(|c| *c == code),
        "{file}: expected only {code}, found {found:?}\n{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{file}: panic");
    Ok(())
}

/// `explain --format json` gives the same decision as `eval`, with the trace as data.
fn example_explains_as_it_evaluates(path: &Path) -> Result<()> {
    let example = repo_path(path);
    let eval = pol(&["eval", "--format", "json", &example]);
    let explain = pol(&["explain", "--format", "json", &example]);
    let eval: serde_json::Value = serde_json::from_str(&eval.stdout)?;
    let explain: serde_json::Value = serde_json::from_str(&explain.stdout)?;
    assert_eq!(eval, explain["decision"], "{example}");
    let decisive = explain["trace"]
        .as_array()
        .map_or(0, |t| t.iter().filter(|t| t["decisive"] == true).count());
    let reasons = eval["reasons"].as_array().map_or(0, Vec::len);
    assert!(decisive >= reasons, "{example}");
    Ok(())
}

datatest_stable::harness! {
    { test = check_err, root = "../../tests/data/check/err" },
    { test = case_err, root = "../../tests/data/cases/err" },
    { test = check_ok, root = "../../tests/data/check/ok" },
    // The fixtures directly in the folder; `ok/` holds the clean ones.
    { test = lint_fires, root = "../../tests/data/lints", pattern = r"^[^/]+\.pol$" },
    { test = check_ok, root = "../../tests/data/lints/ok" },
    { test = example_explains_as_it_evaluates, root = "../../examples/cases" },
}

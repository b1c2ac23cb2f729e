//! Data-driven tests of what `pol` tells people, one test per fixture file: each fixture
//! under `tests/data/{check,cases}/{ok,err}` and `tests/data/lints` is run through the real
//! binary and what it says checked (and, for an error, snapshotted); each impossible case
//! (`tests/data/cases/impossible`) is refused naming its field; `pol` survives each file
//! of the bad-input corpus (`tests/data/bad-input/{policies,cases}`), snapshotted. A file
//! added to one of these folders is a new test. (A `harness = false` target:
//! datatest-stable makes the tests, see ARCHITECTURE.md.)

// A `harness = false` target is not compiled as tests, so clippy's test exemptions do not
// apply: panicking is how a test here fails.
#![allow(clippy::panic, clippy::indexing_slicing)]

mod common;

use std::path::Path;

use common::{assert_contains, assert_survives, codes_in, name_of, pol, repo_path, stem};
use datatest_stable::Result;

/// An erroneous policy makes `pol check` exit 1 with a rendered, coded diagnostic.
fn check_err(path: &Path) -> Result<()> {
    let file = repo_path(path);
    let args = ["check", file.as_str()];
    let run = pol(&args);
    insta::assert_snapshot!(format!("check_err__{}", stem(&file)), run.transcript(&args));
    assert_eq!(run.code, 1, "{file}: expected exit 1\n{}", run.stderr);
    assert!(run.stderr.contains("pol::E"), "{file}: no error code in\n{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{file}: panic\n{}", run.stderr);
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
    assert_eq!(run.code, 0, "{file}: expected a clean check\n{}", run.stderr);
    assert!(run.stderr.ends_with("no problems\n"), "{file}:\n{}", run.stderr);
    Ok(())
}

/// `<code>_<name>.pol` fires `<code>` and nothing else, exits 1 for an error and 0 for a
/// warning, and reads as its snapshot says. A lint that is off by default is turned on
/// with `--warn`.
fn lint_fires(path: &Path) -> Result<()> {
    let file = repo_path(path);
    let name = stem(&file);
    let code = name.split('_').next().unwrap_or_default().to_string();
    let Some(registered) = pol_compiler::codes::lookup(&code) else {
        panic!("{file}: the name must start with a registered code");
    };
    let mut args = vec!["check", file.as_str()];
    if let (Some(lint), pol_compiler::codes::Level::Allow) =
        (registered.lint, registered.default_level)
    {
        args.extend(["--warn", lint]);
    }
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

/// A policy of the bad-input corpus: `pol check` and `pol fmt --check` (which never
/// writes) survive it, and an error has a code.
fn bad_input_policy(path: &Path) -> Result<()> {
    let file = repo_path(path);
    let args = ["check", file.as_str()];
    let run = pol(&args);
    assert_survives(&args, &run, &[0, 1, 2]);
    if run.code == 1 {
        assert!(run.stderr.contains("pol::E"), "{file}: no code\n{}", run.stderr);
    }
    insta::assert_snapshot!(
        format!("bad_input__policies__{}", name_of(&file)),
        run.transcript(&args)
    );
    let args = ["fmt", "--check", file.as_str()];
    let run = pol(&args);
    assert_survives(&args, &run, &[0, 1, 2]);
    insta::assert_snapshot!(format!("bad_input__fmt__{}", name_of(&file)), run.transcript(&args));
    Ok(())
}

/// A case of the bad-input corpus: `pol eval` and `pol explain` survive it, and an error
/// names the file.
fn bad_input_case(path: &Path) -> Result<()> {
    let file = repo_path(path);
    for command in ["eval", "explain"] {
        let args = [command, "--format", "json", file.as_str()];
        let run = pol(&args);
        assert_survives(&args, &run, &[0, 1]);
        if run.code == 1 {
            assert!(run.stderr.contains(&file), "{file}: file not named\n{}", run.stderr);
        }
        insta::assert_snapshot!(
            format!("bad_input__cases__{command}__{}", name_of(&file)),
            run.transcript(&args)
        );
    }
    Ok(())
}

/// The field each fixture gets wrong.
fn field_of(name: &str) -> &'static str {
    match name {
        n if n.starts_with("nationality") || n == "one_impossible_line" => "applicant.nationality",
        "negative_age" => "applicant.age",
        "negative_unlawful_presence" => "applicant.unlawful_presence_days",
        "filed_after_as_of" => "application.filed_on",
        "trip_returns_before_departing" => "trip.return",
        other => panic!("no expectation for {other}"),
    }
}

/// A case with a value no real case can have makes `pol eval` exit 1 with E0604 naming
/// the field and the constraint, in the human and the JSON output formats.
fn impossible_value(path: &Path) -> Result<()> {
    let file = repo_path(path);
    let name = stem(&file);
    for format in ["human", "json"] {
        let args = ["eval", "--format", format, file.as_str()];
        let run = pol(&args);
        assert_eq!(run.code, 1, "{file}: expected exit 1\n{}", run.stderr);
        assert!(
            run.stderr.contains(&format!("pol::{}", pol_compiler::codes::CONSTRAINT_BROKEN)),
            "{file}\n{}",
            run.stderr
        );
        let field = field_of(&name);
        assert!(
            run.stderr.contains(&format!("`{field}`")),
            "{file}: does not name `{field}`\n{}",
            run.stderr
        );
        assert_contains(&run.stderr, "facts.pol:");
        insta::assert_snapshot!(format!("impossible__{format}__{name}"), run.transcript(&args));
    }
    Ok(())
}

datatest_stable::harness! {
    { test = check_err, root = "../../tests/data/check/err" },
    { test = case_err, root = "../../tests/data/cases/err" },
    { test = check_ok, root = "../../tests/data/check/ok" },
    // The fixtures directly in the folder; `ok/` holds the clean ones.
    { test = lint_fires, root = "../../tests/data/lints", pattern = r"^[^/]+\.pol$" },
    { test = check_ok, root = "../../tests/data/lints/ok" },
    { test = bad_input_policy, root = "../../tests/data/bad-input/policies" },
    { test = impossible_value, root = "../../tests/data/cases/impossible" },
    { test = bad_input_case, root = "../../tests/data/bad-input/cases" },
}

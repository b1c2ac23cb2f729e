//! Data-driven snapshot tests of what `pol` tells people: every fixture under
//! `tests/data/<kind>/{ok,err}` is run through the real binary and its output snapshotted.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{files, pol, stem};

/// Each erroneous policy makes `pol check` exit 1 with a rendered, coded diagnostic.
#[test]
fn check_err() {
    for file in files("tests/data/check/err") {
        let args = ["check", file.as_str()];
        let run = pol(&args);
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
        insta::assert_snapshot!(format!("check_err__{}", stem(&file)), run.transcript(&args));
    }
}

/// Each bad case file makes `pol eval` exit 1 and name the place and the field.
#[test]
fn case_err() {
    for file in files("tests/data/cases/err") {
        let args = ["eval", "--format", "json", file.as_str()];
        let run = pol(&args);
        assert_eq!(run.code, 1, "{file}: expected exit 1\n{}", run.stderr);
        assert!(
            run.stderr.contains(&file),
            "{file}: the message does not name the file\n{}",
            run.stderr
        );
        insta::assert_snapshot!(format!("case_err__{}", stem(&file)), run.transcript(&args));
    }
}

/// Each correct policy checks clean: no errors, no warnings.
#[test]
fn check_ok() {
    for file in files("tests/data/check/ok") {
        let args = ["check", "--deny", "warnings", file.as_str()];
        let run = pol(&args);
        assert_eq!(
            run.code, 0,
            "{file}: expected a clean check\n{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("no problems"),
            "{file}:\n{}",
            run.stderr
        );
    }
}

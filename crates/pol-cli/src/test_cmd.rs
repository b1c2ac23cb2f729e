//! `pol test`: runs policy tests (`pol_engine::testing`) and reports them as `cargo test`
//! does.

use std::path::{Path, PathBuf};

use pol_compiler::Scratch;
use pol_engine::testing::{self, TestCaseError, Verdict};
use pol_engine::PolicySource;

use crate::{emit, explain, out, render, Exit};

/// Writes one line on standard output; once output has failed, the run stops (`out`
/// settles the status).
macro_rules! say {
    ($($arg:tt)*) => {
        if out::text(&format!("{}\n", format_args!($($arg)*))).is_err() {
            return Exit::Misuse;
        }
    };
}

pub fn run(policies: Option<&Path>, paths: &[PathBuf]) -> Exit {
    let engine = match crate::engine(policies) {
        Ok(e) => e,
        Err(e) => return e,
    };
    let compiled = engine.compiled();
    let roots = if !paths.is_empty() {
        paths.to_vec()
    } else if let PolicySource::Project(p) = engine.source() {
        vec![p.tests.clone()]
    } else {
        vec![PathBuf::from("tests/policies")]
    };
    let (files, problems) = testing::test_files(&roots);
    if !problems.is_empty() {
        for e in &problems {
            emit::load_error(e);
        }
        return Exit::Misuse;
    }
    let mut tests = Vec::new();
    let mut load_errors = Vec::new();
    for file in &files {
        match testing::read_tests(compiled, file) {
            Ok(mut t) => tests.append(&mut t),
            Err(e) => load_errors.push(e),
        }
    }
    say!("\nrunning {} tests", tests.len());
    let mut failures = Vec::new();
    let mut scratch = Scratch::default();
    for t in &tests {
        let result = match testing::run(compiled, t, &mut scratch) {
            Verdict::Pass => Ok(()),
            Verdict::Fail { differences, .. } => {
                let explanation = t
                    .case
                    .as_ref()
                    .ok()
                    .and_then(|case| compiled.explain(case, false).ok())
                    .map(|ex| explain::human(compiled, &ex, false))
                    .unwrap_or_default();
                Err(format!("{}\n\n{explanation}", differences.join("\n")))
            }
            Verdict::Error(TestCaseError::Case(p)) => Err(render::case_problem(&p).render(false)),
            Verdict::Error(TestCaseError::Test(why)) => Err(why),
        };
        match result {
            Ok(()) => say!("test {} ... ok", t.name),
            Err(why) => {
                say!("test {} ... FAILED", t.name);
                failures.push((t.name.clone(), why));
            }
        }
    }
    for e in &load_errors {
        say!("test file error: {e}");
    }
    if !failures.is_empty() {
        say!("\nfailures:\n");
        for (name, why) in &failures {
            say!("---- {name} ----\n{why}\n");
        }
    }
    let failed = failures.len() + load_errors.len();
    let passed = tests.len() - failures.len();
    let status = if failed == 0 { "ok" } else { "FAILED" };
    say!("\ntest result: {status}. {passed} passed; {failed} failed");
    say!("{passed} passed, {failed} failed");
    if failed == 0 {
        Exit::Ok
    } else {
        Exit::BadInput
    }
}

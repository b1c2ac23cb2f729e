//! `pol test`: runs policy tests (`pol_engine::testing`, which reads and runs them) and
//! renders the results: for people (failures as expected/actual diffs, the summary once),
//! as one JSON document, or as JUnit XML for CI.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::mpsc::RecvTimeoutError;

use notify::RecursiveMode;
use pol_engine::coverage::Coverage;
use pol_engine::testing::{self, Difference, Filter, Report, Verdict};
use pol_engine::watch::WatchTarget;
use pol_engine::{CaseProblem, PolicySource};
use quick_junit::{NonSuccessKind, SerializeError, TestCase, TestCaseStatus, TestSuite};
use serde_json::json;

use crate::{emit, explain, out, render, Exit};

pub use crate::cli::TestFormat;

/// The options of `pol test`.
pub struct TestOptions {
    pub filter: Filter,
    pub verbose: bool,
    pub format: TestFormat,
    pub coverage: bool,
    /// Fail when coverage is below this percentage (implies `coverage`).
    pub coverage_min: Option<f64>,
    /// Run again after every change, until interrupted.
    pub watch: bool,
}

pub fn run(policies: Option<&Path>, paths: &[PathBuf], opts: &TestOptions) -> Exit {
    if opts.watch {
        watch(policies, paths, opts)
    } else {
        match crate::policy_source(policies) {
            Ok(source) => once(&source, paths, opts).0,
            Err(exit) => exit,
        }
    }
}

/// The test files or directories to run: those named, else the project's tests, else
/// `tests/policies`.
fn test_roots(source: &PolicySource, paths: &[PathBuf]) -> Vec<PathBuf> {
    if !paths.is_empty() {
        paths.to_vec()
    } else if let PolicySource::Project(p) = source {
        vec![p.tests.clone()]
    } else {
        vec![PathBuf::from("tests/policies")]
    }
}

/// `pol test --watch`: runs the tests, then again after each change to the policy set (the
/// files it imports included), the tests, their case files or `pol.toml`, until interrupted
/// or standard output closes. What is watched is worked out again before each wait, as an
/// edit may import another file or move the set or the tests.
fn watch(policies: Option<&Path>, paths: &[PathBuf], opts: &TestOptions) -> Exit {
    let (changed, changes) = std::sync::mpsc::channel::<PathBuf>();
    let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        if event.kind.is_access() {
            return;
        }
        for path in event.paths.into_iter().filter(|p| is_watched_file(p)) {
            let _ = changed.send(path);
        }
    });
    let mut watcher = match watcher {
        Ok(w) => w,
        Err(e) => {
            emit::error(&format!("cannot watch for changes: {e}"), None);
            return Exit::Misuse;
        }
    };
    let mut watching: Vec<PathBuf> = Vec::new();
    loop {
        // `pol.toml` is read once a round: an edit to it may move the set or the tests.
        let cwd = std::env::current_dir().unwrap_or_default();
        let (exit, targets) = match PolicySource::choose(policies, &cwd) {
            Ok(source) => {
                crate::note_builtin(&source, &cwd);
                let (exit, read) = once(&source, paths, opts);
                (exit, watch_targets(&source, paths, read))
            }
            // When `pol.toml` cannot be read, the file itself is watched, so that its fix
            // is seen.
            Err(e) => {
                emit::project_error(&e);
                (Exit::Misuse, vec![WatchTarget { path: e.file, recursive: false }])
            }
        };
        if out::flush().is_err() {
            return exit;
        }
        for path in watching.drain(..) {
            let _ = notify::Watcher::unwatch(&mut watcher, &path);
        }
        for WatchTarget { path, recursive } in targets {
            let mode =
                if recursive { RecursiveMode::Recursive } else { RecursiveMode::NonRecursive };
            match notify::Watcher::watch(&mut watcher, &path, mode) {
                Ok(()) => watching.push(path),
                // A test directory not made yet, say: the rest are still watched.
                Err(e) => emit::note(&format!("note: cannot watch {}: {e}\n", path.display())),
            }
        }
        if watching.is_empty() {
            emit::error(
                "--watch: there is nothing to watch",
                Some("name test files or directories that exist, or run in a project"),
            );
            return Exit::Misuse;
        }
        let shown: Vec<String> = watching.iter().map(|p| crate::relative_to(&cwd, p)).collect();
        emit::note(&format!("watching {} for changes (Ctrl-C to stop)\n", shown.join(", ")));
        // Waiting is checked each second against a reader that went away
        // (`pol test --watch | head`): no run could be shown, so none is waited for.
        let first = loop {
            match changes.recv_timeout(std::time::Duration::from_secs(1)) {
                Ok(path) => break path,
                Err(RecvTimeoutError::Timeout) if stdout_reader_gone() => {
                    let gone = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
                    out::record(out::Stream::Stdout, &gone);
                    return exit;
                }
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return exit,
            }
        };
        // An editor's save, or a checkout, is several events: run once they stop.
        while changes.recv_timeout(pol_engine::watch::CHANGES_SETTLE).is_ok() {}
        crate::out(&format!(
            "\n{} changed: running the tests again\n",
            crate::relative_to(&cwd, &first)
        ));
    }
}

/// What `pol test --watch` watches: the policy set's directories, the tests and the
/// project file, with all below them; and the directory of every other file the last run
/// read (a policy an import reached outside the set's directory, a test's case file).
fn watch_targets(source: &PolicySource, paths: &[PathBuf], read: Vec<PathBuf>) -> Vec<WatchTarget> {
    let mut trees = source.watched_paths();
    trees.extend(test_roots(source, paths));
    if let PolicySource::Project(p) = source {
        trees.push(p.file());
    }
    pol_engine::watch::watch_targets(trees, read)
}

/// Whether standard output is a pipe or socket whose reader has closed it. A write would
/// say so too, but a watch writes nothing while it waits.
fn stdout_reader_gone() -> bool {
    use rustix::event::{poll, PollFd, PollFlags, Timespec};
    let stdout = std::io::stdout();
    let mut fds = [PollFd::new(&stdout, PollFlags::empty())];
    let now = Timespec { tv_sec: 0, tv_nsec: 0 };
    matches!(poll(&mut fds, Some(&now)), Ok(n) if n > 0)
        && fds.iter().any(|fd| fd.revents().intersects(PollFlags::ERR | PollFlags::HUP))
}

/// Whether a change to `path` may change what the tests say: a policy file, a test file
/// or case file (JSON, YAML, TOML), or a project file.
fn is_watched_file(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == pol_engine::project::PROJECT_FILE)
        || path
            .extension()
            .is_some_and(|e| ["pol", "yaml", "yml", "json", "toml"].iter().any(|known| e == *known))
}

/// Runs the tests once and reports them. Also returns the files read on the way (the
/// policy files, imports included, and the tests' case files), for `--watch`.
fn once(source: &PolicySource, paths: &[PathBuf], opts: &TestOptions) -> (Exit, Vec<PathBuf>) {
    let engine = match pol_engine::Engine::load(source.clone()) {
        Ok(engine) => engine,
        // The broken file may be one an import reached: its fix must be seen too.
        Err(failure) => {
            return (crate::report_failure(&failure), source.files_read(&failure.sources))
        }
    };
    let mut read = source.files_read(&engine.compiled().sources);
    let compiled = engine.compiled();
    let roots = test_roots(engine.source(), paths);
    let suite = match testing::load(compiled, &roots) {
        Ok(s) => s,
        Err(problems) => {
            for e in &problems {
                emit::load_error(e);
            }
            return (Exit::Misuse, read);
        }
    };
    read.extend(suite.tests().filter_map(|t| t.case_file.clone()));
    let with_coverage = opts.coverage || opts.coverage_min.is_some();
    let report = testing::run_suite(compiled, &suite, &opts.filter, with_coverage);
    let below_min = match (&report.coverage, opts.coverage_min) {
        (Some(c), Some(min)) => c.percent < min,
        _ => false,
    };
    match opts.format {
        TestFormat::Human => crate::out(&human(&engine, &suite.problems, &report, opts)),
        TestFormat::Json => {
            match serde_json::to_string_pretty(&to_json(&suite.problems, &report)) {
                Ok(s) => crate::out(&format!("{s}\n")),
                Err(e) => emit::error(&format!("cannot write JSON: {e}"), None),
            }
        }
        TestFormat::Junit => match junit(&suite.problems, &report) {
            Ok(xml) => crate::out(&xml),
            Err(e) => emit::error(&format!("cannot write JUnit XML: {e}"), None),
        },
    }
    if below_min && opts.format != TestFormat::Human {
        if let (Some(c), Some(min)) = (&report.coverage, opts.coverage_min) {
            emit::error(
                &format!("coverage {:.1}% is below the minimum of {min}%", c.percent),
                None,
            );
        }
    }
    let failed = report.failed() + report.errors() + suite.problems.len();
    let exit = if failed == 0 && !below_min { Exit::Ok } else { Exit::BadInput };
    (exit, read)
}

/// The report for people, in `cargo test`'s shape: failures with their diffs and
/// explanations, coverage if asked for, and the summary, once, last.
fn human(
    engine: &pol_engine::Engine,
    problems: &[CaseProblem],
    report: &Report<'_>,
    opts: &TestOptions,
) -> String {
    let compiled = engine.compiled();
    let mut out = String::new();
    let filtered = if report.filtered_out > 0 {
        format!(" ({} filtered out)", report.filtered_out)
    } else {
        String::new()
    };
    let count = report.results.len();
    let plural = if count == 1 { "" } else { "s" };
    let _ = writeln!(out, "\nrunning {count} test{plural}{filtered}");
    if opts.verbose {
        for r in &report.results {
            let status = match r.verdict {
                Verdict::Pass => "ok",
                Verdict::Fail(_) => "FAILED",
                Verdict::Error(_) => "ERROR",
            };
            let decision = r
                .record
                .as_ref()
                .map_or("not decided".to_string(), |d| d.decision.as_str().to_string());
            let _ =
                writeln!(out, "test {} ... {status}: {decision} ({})", r.test.name, r.test.place());
        }
    }
    let mut failures = String::new();
    for p in problems {
        let _ = writeln!(failures, "---- {} ----", p.file);
        failures.push_str(&render::case_problem(p).render(false));
        failures.push('\n');
    }
    for r in &report.results {
        match &r.verdict {
            Verdict::Pass => continue,
            Verdict::Fail(differences) => {
                let _ = writeln!(failures, "---- {} ({}) ----", r.test.name, r.test.place());
                failures.push_str(&diff(differences));
                let explanation = r
                    .test
                    .case
                    .as_ref()
                    .ok()
                    .and_then(|case| compiled.explain(case, false).ok())
                    .map(|ex| explain::human(compiled, &ex, false))
                    .unwrap_or_default();
                let _ = writeln!(failures, "\n{explanation}");
            }
            Verdict::Error(p) => {
                let _ = writeln!(failures, "---- {} ({}) ----", r.test.name, r.test.place());
                failures.push_str(&render::case_problem(p).render(false));
                failures.push('\n');
            }
        }
    }
    if !failures.is_empty() {
        let _ = write!(out, "\nfailures:\n\n{failures}");
    }
    if let Some(c) = &report.coverage {
        out.push_str(&coverage_human(c, opts.verbose));
        if let Some(min) = opts.coverage_min.filter(|m| c.percent < *m) {
            let _ = writeln!(out, "coverage {:.1}% is below the minimum of {min}%", c.percent);
        }
    }
    let errors = report.errors() + problems.len();
    let failed = report.failed();
    let status = if failed + errors == 0 { "ok" } else { "FAILED" };
    let errors = if errors > 0 { format!("; {errors} errors") } else { String::new() };
    let filtered = if report.filtered_out > 0 {
        format!("; {} filtered out", report.filtered_out)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "\ntest result: {status}. {} passed; {failed} failed{errors}{filtered}",
        report.passed()
    );
    out
}

/// A failure as a diff: `- expected` and `+ actual` lines under each field that differs
/// (lists element by element, elements both have shown as context).
pub fn diff(differences: &[Difference]) -> String {
    let mut out = String::from("- expected\n+ actual\n");
    for d in differences {
        let _ = writeln!(out, "  {}:", d.field.name());
        let (mut e, mut a) = (d.expected.iter().peekable(), d.actual.iter().peekable());
        // Both sides are sorted: a merge shows each element once, marked by its side.
        loop {
            match (e.peek(), a.peek()) {
                (Some(x), Some(y)) if x == y => {
                    let _ = writeln!(out, "    {x}");
                    e.next();
                    a.next();
                }
                (Some(x), Some(y)) if d.expected.len() == 1 && d.actual.len() == 1 => {
                    let _ = writeln!(out, "-   {x}\n+   {y}");
                    e.next();
                    a.next();
                }
                (Some(x), Some(y)) if x < y => {
                    let _ = writeln!(out, "-   {x}");
                    e.next();
                }
                (Some(_), Some(y)) => {
                    let _ = writeln!(out, "+   {y}");
                    a.next();
                }
                (Some(x), None) => {
                    let _ = writeln!(out, "-   {x}");
                    e.next();
                }
                (None, Some(y)) => {
                    let _ = writeln!(out, "+   {y}");
                    a.next();
                }
                (None, None) => break,
            }
        }
    }
    out
}

fn coverage_human(c: &Coverage, verbose: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\ncoverage: {:.1}% ({} of {} outcomes of rules, windows, parameters and conditional forms)",
        c.percent, c.covered, c.total
    );
    for p in &c.policies {
        let _ = writeln!(
            out,
            "  {:<28} {:>5.1}%  {:>3}/{:<3} ({} tests)",
            p.policy, p.percent, p.covered, p.total, p.tests
        );
        if verbose {
            for s in p.subjects() {
                for o in &s.outcomes {
                    let _ = writeln!(
                        out,
                        "    {}:{}  {} {}: {} ({} cases)",
                        s.file, s.line, s.kind, s.name, o.description, o.seen
                    );
                }
            }
        }
    }
    let uncovered: Vec<_> = c.uncovered().collect();
    if !uncovered.is_empty() {
        out.push_str("not covered (no test's case shows it):\n");
        for (p, s, o) in uncovered {
            let _ = writeln!(
                out,
                "  {}:{}  {}.{} ({}): {}",
                s.file, s.line, p.policy, s.name, s.kind, o.description
            );
        }
    }
    out
}

fn problem_json(p: &CaseProblem) -> serde_json::Value {
    json!({
        "code": format!("pol::{}", p.code),
        "file": p.file,
        "line": p.line,
        "column": p.column,
        "field": p.field,
        "message": p.message,
        "help": p.help,
        "suggestion": p.suggestion,
    })
}

/// One JSON document: every test run with its status, decision and differences, the
/// problems of files that are not test files, the summary, and coverage if asked for.
fn to_json(problems: &[CaseProblem], report: &Report<'_>) -> serde_json::Value {
    let tests: Vec<serde_json::Value> = report
        .results
        .iter()
        .map(|r| {
            let (status, differences, error) = match &r.verdict {
                Verdict::Pass => ("pass", Vec::new(), None),
                Verdict::Fail(d) => (
                    "fail",
                    d.iter()
                        .map(|d| {
                            json!({"field": d.field.name(), "expected": d.expected, "actual": d.actual})
                        })
                        .collect(),
                    None,
                ),
                Verdict::Error(p) => ("error", Vec::new(), Some(problem_json(p))),
            };
            json!({
                "name": r.test.name,
                "file": r.test.file.display().to_string(),
                "line": r.test.line,
                "status": status,
                "decision": r.record.as_ref().map(|d| d.decision.as_str()),
                "differences": differences,
                "error": error,
            })
        })
        .collect();
    let mut doc = json!({
        "tests": tests,
        "problems": problems.iter().map(problem_json).collect::<Vec<_>>(),
        "summary": {
            "passed": report.passed(),
            "failed": report.failed(),
            "errors": report.errors() + problems.len(),
            "filtered_out": report.filtered_out,
        },
    });
    if let (Some(c), Some(obj)) = (&report.coverage, doc.as_object_mut()) {
        obj.insert("coverage".into(), serde_json::to_value(c).unwrap_or_default());
    }
    doc
}

/// JUnit XML, as CI systems read it: one `testsuite` per test file, one `testcase` per
/// test (with its `file` and `line`), a `failure` with the diff or an `error` with the
/// problem. quick-junit writes it (and drops what XML 1.0 cannot hold), as for `pol check`.
fn junit(problems: &[CaseProblem], report: &Report<'_>) -> Result<String, SerializeError> {
    let mut out = quick_junit::Report::new("pol test");
    let mut suite: Option<TestSuite> = None;
    for r in &report.results {
        let file = r.test.file.display().to_string();
        if suite.as_ref().is_none_or(|s| s.name.as_str() != file) {
            out.add_test_suites(suite.take());
            suite = Some(TestSuite::new(file.as_str()));
        }
        let (class, name) = r.test.name.split_once("::").unwrap_or(("", &r.test.name));
        let status = match &r.verdict {
            Verdict::Pass => TestCaseStatus::success(),
            Verdict::Fail(d) => {
                let fields: Vec<&str> = d.iter().map(|d| d.field.name()).collect();
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status
                    .set_message(format!("differs in {}", fields.join(", ")))
                    .set_type("mismatch")
                    .set_description(diff(d));
                status
            }
            Verdict::Error(p) => problem_status(p),
        };
        let mut case = TestCase::new(name, status);
        case.set_classname(class);
        case.extra.insert("file".into(), file.as_str().into());
        if let Some(line) = r.test.line {
            case.extra.insert("line".into(), line.to_string().into());
        }
        if let Some(s) = suite.as_mut() {
            s.add_test_case(case);
        }
    }
    out.add_test_suites(suite);
    for p in problems {
        let mut case = TestCase::new("(test file)", problem_status(p));
        case.set_classname(p.file.as_str());
        case.extra.insert("file".into(), p.file.as_str().into());
        let mut suite = TestSuite::new(p.file.as_str());
        suite.add_test_case(case);
        out.add_test_suite(suite);
    }
    out.to_string().map(|s| s + "\n")
}

/// A test that could not run (or a test file that could not be read), as a JUnit `error`.
fn problem_status(p: &CaseProblem) -> TestCaseStatus {
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
    status
        .set_message(p.message.as_str())
        .set_type(format!("pol::{}", p.code))
        .set_description(render::case_problem(p).render(false));
    status
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use pol_engine::testing::Field;

    #[test]
    fn diffs_mark_each_side() {
        let d = diff(&[
            Difference {
                field: Field::Decision,
                expected: vec!["ineligible".into()],
                actual: vec!["eligible".into()],
            },
            Difference {
                field: Field::Reasons,
                expected: vec!["p.a".into(), "p.b".into()],
                actual: vec!["p.b".into(), "p.c".into()],
            },
        ]);
        assert_eq!(
            d,
            "- expected\n+ actual\n  decision:\n-   ineligible\n+   eligible\n  reasons:\n-   p.a\n    p.b\n+   p.c\n"
        );
    }

    #[test]
    fn junit_escapes_what_a_test_file_says_and_drops_what_xml_cannot_hold() {
        let problem = CaseProblem::plain("tests/a<b.yaml", "a<b & \"c\"\u{1}".into(), None);
        let report = Report { results: Vec::new(), filtered_out: 0, coverage: None };
        let xml = junit(&[problem], &report).unwrap();
        assert!(xml.contains("message=\"a&lt;b &amp; &quot;c&quot;\""), "{xml}");
        assert!(xml.contains("classname=\"tests/a&lt;b.yaml\""), "{xml}");
        assert!(!xml.contains('\u{1}'), "{xml}");
    }
}

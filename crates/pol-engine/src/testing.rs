//! Policy tests as data: a test file (YAML) holds `tests:`, each a case (inline, or a
//! `case_file` relative to the test file) and the expected decision, reasons, warnings,
//! forms, missing facts and validity. This module finds, reads and runs them; front-ends
//! report the results.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use pol_compiler::{Case, Compiled, DecisionRecord, Scratch};
use serde_json::Value;

use crate::cases::{self, CaseProblem};
use crate::load::{self, LoadError};

/// One test: its name (`file stem::name`), its case, and what is expected of its decision.
pub struct PolicyTest {
    pub name: String,
    /// The test file.
    pub file: PathBuf,
    /// The case, or why it could not be read.
    pub case: Result<Case, TestCaseError>,
    pub expect: Value,
}

/// Why a test's case could not be read.
#[derive(Clone, Debug)]
pub enum TestCaseError {
    /// The case file (or inline case) has a problem, with its place.
    Case(Box<CaseProblem>),
    /// The test itself is malformed.
    Test(String),
}

/// What running a test found.
pub enum Verdict {
    Pass,
    /// The decision differs from what is expected: one line per difference.
    Fail {
        differences: Vec<String>,
        record: Box<DecisionRecord>,
    },
    /// The test could not be run.
    Error(TestCaseError),
}

/// The test files at `paths`: `*.yaml`/`*.yml` files named or found under directories (by
/// the engine's one walker, inside each directory's project), with one problem for each
/// path that cannot be read or file that is refused.
pub fn test_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<LoadError>) {
    let found = load::find(
        paths,
        load::Kind::Tests,
        &load::Confinement::around_all(paths),
    );
    let mut files: Vec<PathBuf> = found.files.into_iter().map(|f| f.path).collect();
    files.sort();
    (files, found.problems)
}

/// Reads the tests of one file; an error when the file itself cannot be read or is not a
/// test file.
pub fn read_tests(c: &Compiled, path: &Path) -> Result<Vec<PolicyTest>, String> {
    let text = load::read_text_with(path, load::Reached::Named, crate::limits::TEST_FILE)
        .map_err(|e| format!("{}: {}", e.path, e.message))?;
    let doc: Value =
        crate::yaml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let list = doc
        .get("tests")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{}: expected a top-level `tests:` list", path.display()))?;
    let stem = path
        .file_stem()
        .map_or("tests".into(), |s| s.to_string_lossy().to_string());
    let dir = path.parent().unwrap_or(Path::new(""));
    let within = load::Confinement::around(path);
    let mut out = Vec::new();
    for (i, entry) in list.iter().enumerate() {
        let name = entry
            .get("name")
            .and_then(Value::as_str)
            .map_or(format!("#{}", i + 1), str::to_string);
        let name = format!("{stem}::{name}");
        let expect = entry.get("expect").cloned().unwrap_or(Value::Null);
        let case = if let Some(file) = entry.get("case_file").and_then(Value::as_str) {
            let case_path = dir.join(file);
            // A test names its case file: it may not lead out of the tests' project.
            if within.contains(&case_path) == Some(false) {
                out.push(PolicyTest {
                    name,
                    file: path.to_path_buf(),
                    case: Err(TestCaseError::Test(format!(
                        "`{}` lies outside the project; a test's case file must lie inside it",
                        case_path.display()
                    ))),
                    expect,
                });
                continue;
            }
            let mut read = cases::read_file(c, &case_path);
            match read.pop() {
                Some(r) if read.is_empty() => {
                    r.result.map_err(|p| TestCaseError::Case(Box::new(p)))
                }
                _ => Err(TestCaseError::Test(format!(
                    "`{}` must hold exactly one case",
                    case_path.display()
                ))),
            }
        } else if let Some(value) = entry.get("case") {
            decode_inline(c, value.clone())
                .map_err(|e| TestCaseError::Test(format!("{}: test `{name}`: {e}", path.display())))
        } else {
            Err(TestCaseError::Test(format!(
                "{}: test `{name}` has neither `case` nor `case_file`",
                path.display()
            )))
        };
        out.push(PolicyTest {
            name,
            file: path.to_path_buf(),
            case,
            expect,
        });
    }
    Ok(out)
}

/// Runs one test.
pub fn run(c: &Compiled, test: &PolicyTest, scratch: &mut Scratch) -> Verdict {
    let case = match &test.case {
        Ok(case) => case,
        Err(e) => return Verdict::Error(e.clone()),
    };
    match c.decide(case, scratch) {
        Ok(outcome) => {
            let record = c.record(case, &outcome);
            let differences = compare(&test.expect, &record);
            if differences.is_empty() {
                Verdict::Pass
            } else {
                Verdict::Fail {
                    differences,
                    record: Box::new(record),
                }
            }
        }
        Err(e) => Verdict::Error(TestCaseError::Test(format!(
            "the case cannot be decided: {e}"
        ))),
    }
}

fn decode_inline(c: &Compiled, value: Value) -> Result<Case, String> {
    let mut case = Case::new(&c.set);
    c.schema
        .decode(&c.set, &mut case, value)
        .map_err(|e| e.case.map_or(e.format.to_string(), |e| e.to_string()))?;
    Ok(case)
}

/// The differences between what a test expects and the decision made.
fn compare(expect: &Value, actual: &DecisionRecord) -> Vec<String> {
    let mut problems = Vec::new();
    match expect.get("decision").and_then(Value::as_str) {
        Some(d) if d == actual.decision.as_str() => {}
        Some(d) => problems.push(format!(
            "decision: expected {d}, got {}",
            actual.decision.as_str()
        )),
        None => problems.push("the test has no `expect.decision`".to_string()),
    }
    let reasons: Vec<String> = actual.reasons.iter().map(|r| r.rule.clone()).collect();
    for (key, got) in [
        ("reasons", &reasons),
        ("warnings", &actual.warnings),
        ("forms", &actual.forms),
        ("missing", &actual.missing),
    ] {
        let Some(want) = expect.get(key) else {
            continue;
        };
        let want: BTreeSet<String> = want
            .as_array()
            .map(|s| {
                s.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let got: BTreeSet<String> = got.iter().cloned().collect();
        if want != got {
            problems.push(format!("{key}: expected {want:?}, got {got:?}"));
        }
    }
    if let Some(want) = expect.get("max_validity_days") {
        let want = want.as_i64();
        if want != actual.max_validity_days {
            problems.push(format!(
                "max_validity_days: expected {want:?}, got {:?}",
                actual.max_validity_days
            ));
        }
    }
    problems
}

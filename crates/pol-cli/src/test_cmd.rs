//! `pol test`: policy tests as data. A test file holds `tests:`, each a case (inline, or a
//! `case_file` relative to the test file) and the expected decision, reasons, warnings,
//! forms, missing facts and validity. Output follows `cargo test`.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use pol_compiler::{Case, Compiled, DecisionRecord, Scratch};
use serde::de::DeserializeSeed;
use serde_yaml::Value;

use crate::{cases, compile_policies, explain, Exit};

/// One test: a name, a case, and what is expected of its decision.
struct TestCase {
    name: String,
    case: Result<Case, String>,
    expect: Value,
}

pub fn run(policies: Option<&Path>, paths: &[PathBuf]) -> Exit {
    let compiled = match compile_policies(policies) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let roots = if paths.is_empty() {
        vec![PathBuf::from("tests/policies")]
    } else {
        paths.to_vec()
    };
    let mut files = Vec::new();
    for root in &roots {
        if root.is_dir() {
            if let Err(e) = crate::load::walk(root, &["yaml", "yml"], &mut files) {
                eprintln!("error: cannot read `{}`: {e}", root.display());
                return Exit::Misuse;
            }
        } else if root.is_file() {
            files.push(root.clone());
        } else {
            eprintln!("error: no test file or directory at `{}`\n  help: pass a directory of *.yaml policy tests, like tests/policies", root.display());
            return Exit::Misuse;
        }
    }
    files.sort();
    let mut tests = Vec::new();
    let mut load_errors = Vec::new();
    for file in &files {
        match load_file(&compiled, file) {
            Ok(mut t) => tests.append(&mut t),
            Err(e) => load_errors.push(e),
        }
    }
    println!("\nrunning {} tests", tests.len());
    let mut failures = Vec::new();
    let mut scratch = Scratch::default();
    for t in &tests {
        let result = match &t.case {
            Ok(case) => match compiled.decide(case, &mut scratch) {
                Ok(outcome) => {
                    let record = compiled.record(case, &outcome);
                    let problems = compare(&t.expect, &record);
                    if problems.is_empty() {
                        Ok(())
                    } else {
                        let explanation = compiled
                            .explain(case, false)
                            .map(|ex| explain::human(&compiled, &ex, false))
                            .unwrap_or_default();
                        Err(format!("{}\n\n{explanation}", problems.join("\n")))
                    }
                }
                Err(e) => Err(format!("the case cannot be decided: {e}")),
            },
            Err(e) => Err(e.clone()),
        };
        match result {
            Ok(()) => println!("test {} ... ok", t.name),
            Err(why) => {
                println!("test {} ... FAILED", t.name);
                failures.push((t.name.clone(), why));
            }
        }
    }
    for e in &load_errors {
        println!("test file error: {e}");
    }
    if !failures.is_empty() {
        println!("\nfailures:\n");
        for (name, why) in &failures {
            println!("---- {name} ----\n{why}\n");
        }
    }
    let failed = failures.len() + load_errors.len();
    let passed = tests.len() - failures.len();
    let status = if failed == 0 { "ok" } else { "FAILED" };
    println!("\ntest result: {status}. {passed} passed; {failed} failed");
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        Exit::Ok
    } else {
        Exit::BadInput
    }
}

fn load_file(c: &Compiled, path: &Path) -> Result<Vec<TestCase>, String> {
    let text = crate::load::read_text(path).map_err(|e| format!("{}: {}", e.path, e.message))?;
    let doc: Value = serde_yaml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let list = doc
        .get("tests")
        .and_then(Value::as_sequence)
        .ok_or_else(|| format!("{}: expected a top-level `tests:` list", path.display()))?;
    let stem = path
        .file_stem()
        .map_or("tests".into(), |s| s.to_string_lossy().to_string());
    let dir = path.parent().unwrap_or(Path::new(""));
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
            let mut read = cases::read_file(c, &case_path);
            match read.pop() {
                Some(r) if read.is_empty() => r.result.map_err(|p| p.report().render(false)),
                _ => Err(format!(
                    "`{}` must hold exactly one case",
                    case_path.display()
                )),
            }
        } else if let Some(value) = entry.get("case") {
            decode_inline(c, value.clone())
                .map_err(|e| format!("{}: test `{name}`: {e}", path.display()))
        } else {
            Err(format!(
                "{}: test `{name}` has neither `case` nor `case_file`",
                path.display()
            ))
        };
        out.push(TestCase { name, case, expect });
    }
    Ok(out)
}

fn decode_inline(c: &Compiled, value: Value) -> Result<Case, String> {
    let mut case = Case::new(&c.set);
    let error = RefCell::new(None);
    let result = c.schema.seed(&c.set, &mut case, &error).deserialize(value);
    if let Err(e) = result {
        return Err(error.into_inner().map_or(e.to_string(), |e| e.to_string()));
    }
    c.schema
        .check_required(&c.set, &case)
        .map_err(|e| e.to_string())?;
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
            .as_sequence()
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

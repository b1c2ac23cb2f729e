//! The policy author's loop, end to end through the `pol` binary: edits are seen (project
//! discovery, `--version`), policy tests are typed and say what they cover (`pol test`,
//! its formats and coverage), and every rule change has a decision diff (`pol diff`).

use crate::common;

use std::path::{Path, PathBuf};

use common::{assert_contains, pol, pol_in, root, Run};

/// A fresh temporary directory for one test.
fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("pol-author-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// A copy of the repository's project: pol.toml, the policies, their tests and the
/// examples the tests read.
fn project_copy(name: &str) -> PathBuf {
    let d = temp(name);
    std::fs::copy(root().join("pol.toml"), d.join("pol.toml")).unwrap();
    for dir in ["policies", "tests/policies", "examples/cases"] {
        copy_dir(&root().join(dir), &d.join(dir));
    }
    d
}

fn move_chnv_termination(policies: &Path) {
    let file = policies.join("programs.pol");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("terminated 2025-03-25"));
    std::fs::write(&file, text.replace("terminated 2025-03-25", "terminated 2025-04-24")).unwrap();
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

// ---- the policy set in use ----

/// `--version` names the policy set and its digest, the receipt every decision carries.
#[test]
fn version_names_the_policy_set_and_its_digest() {
    let run = pol(&["--version"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut lines = run.stdout.lines();
    assert_eq!(lines.next(), Some(format!("pol {}", env!("CARGO_PKG_VERSION")).as_str()));
    let second = lines.next().unwrap();
    let expected = format!("policies: project {} (sha256:", root().join("pol.toml").display());
    assert!(second.starts_with(&expected), "{second}");
    let eval =
        pol(&["eval", "--format", "json", "examples/cases/venezuelan_chnv_with_supporter.json"]);
    let receipt = json(&eval.stdout)["receipt"]["policies"].as_str().unwrap().to_string();
    assert!(second.ends_with(&format!("({receipt})")), "{second}");

    // Outside any project: the built-in set, the same policies, the same digest.
    let d = temp("version-builtin");
    let run = pol_in(&d, &["--version"], "");
    assert_eq!(run.stdout.lines().nth(1), Some(format!("policies: built-in ({receipt})").as_str()));
    assert_eq!(run.stderr, "");
    // `--policies DIR` names the directory.
    let dir = root().join("policies");
    let run = pol_in(&d, &["--policies", dir.to_str().unwrap(), "--version"], "");
    assert_contains(&run.stdout, &format!("policies: directory {}", dir.display()));
    let _ = std::fs::remove_dir_all(d);
}

/// When the built-in set is used but .pol files here differ from it, a note says so once,
/// with how to use them; identical copies say nothing.
#[test]
fn local_policies_that_differ_from_the_built_in_set_are_noted() {
    let d = temp("local-differ");
    copy_dir(&root().join("policies"), &d.join("policies"));
    let run = pol_in(&d, &["--version"], "");
    assert_eq!(run.stderr, "", "identical copies are not noted");
    move_chnv_termination(&d.join("policies"));
    let run = pol_in(
        &d,
        &[
            "eval",
            "--format",
            "json",
            root().join("examples/cases/haitian_chnv_after_termination.yaml").to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr.matches("note:").count(), 1, "{}", run.stderr);
    assert_contains(&run.stderr, "built-in");
    assert_contains(&run.stderr, "--policies policies");
    assert_contains(&run.stderr, "pol.toml");
    // A .pol file in the directory itself counts too.
    let e = temp("local-differ-here");
    std::fs::write(e.join("mine.pol"), "fact x: bool \"x\"\n").unwrap();
    let run = pol_in(&e, &["--version"], "");
    assert_contains(&run.stderr, "`.`");
    // `pol check` with no paths checks the set in use, and notes it the same way.
    let run = pol_in(&e, &["check"], "");
    assert_eq!(run.stderr.matches("note:").count(), 1, "{}", run.stderr);
    assert_contains(&run.stderr, "`.`");
    // Commands given files use no policy set, so there is nothing to note.
    for command in [&["fmt", "--check", "mine.pol"][..], &["check", "mine.pol"]] {
        let run = pol_in(&e, command, "");
        assert!(!run.stderr.contains("note:"), "{command:?}: {}", run.stderr);
    }
    let _ = std::fs::remove_dir_all(d);
    let _ = std::fs::remove_dir_all(e);
}

/// In a copy of the repository, an edit to policies/programs.pol is seen by `pol test` run
/// from the copy's root: the tests it breaks fail, with their diffs.
#[test]
fn an_edit_in_a_project_is_seen_by_pol_test() {
    let d = project_copy("edit-seen");
    let run = pol_in(&d, &["test"], "");
    assert_eq!(run.code, 0, "{}", run.stdout);
    move_chnv_termination(&d.join("policies"));
    let run = pol_in(&d, &["test"], "");
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_contains(&run.stdout, "---- chnv_parole::");
    assert!(
        run.stdout.contains("-   unavailable\n"),
        "the expected decision is shown\n{}",
        run.stdout
    );
    assert_contains(&run.stdout, "tests/policies/chnv_parole.yaml:");
    assert_eq!(run.stdout.matches("test result:").count(), 1);
    let _ = std::fs::remove_dir_all(d);
}

/// `pol test --watch` started in `dir`, standard output piped, standard error to `stderr`.
fn start_watch(dir: &Path, stderr: std::process::Stdio) -> std::process::Child {
    common::pol_command(dir, &["test", "--watch"])
        .stdout(std::process::Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap()
}

/// A running `pol test --watch` whose two streams are read line by line, killed when
/// dropped.
struct Watch {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    /// Lines read but not yet waited for: the two streams' lines may arrive in either
    /// order, so a line waited for may already be among them.
    seen: Vec<String>,
}

impl Watch {
    fn start(dir: &Path) -> Watch {
        use std::io::BufRead;
        let mut child = start_watch(dir, std::process::Stdio::piped());
        let (tx, lines) = std::sync::mpsc::channel::<String>();
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        for stream in [Box::new(stdout) as Box<dyn std::io::Read + Send>, Box::new(stderr)] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        Watch { child, lines, seen: Vec::new() }
    }

    /// Waits (up to a minute) for a line starting with `start`.
    fn wait_for(&mut self, start: &str) {
        if let Some(i) = self.seen.iter().position(|l| l.starts_with(start)) {
            self.seen.remove(i);
            return;
        }
        loop {
            match self.lines.recv_timeout(std::time::Duration::from_secs(60)) {
                Ok(line) if line.starts_with(start) => return,
                Ok(line) => self.seen.push(line),
                Err(_) => panic!("no line starting `{start}` after:\n{}", self.seen.join("\n")),
            }
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `pol test --watch` runs the tests, waits, and runs them again when a policy or a case
/// file changes: the edit that breaks a test shows as a failure without running `pol test`
/// again.
#[test]
fn pol_test_watch_runs_again_after_an_edit() {
    let d = project_copy("watch");
    let mut watch = Watch::start(&d);
    watch.wait_for("test result: ok.");
    // The edit is made once the watch is in place.
    watch.wait_for("watching ");
    move_chnv_termination(&d.join("policies"));
    watch.wait_for("policies/programs.pol changed: running the tests again");
    watch.wait_for("---- chnv_parole::");
    watch.wait_for("test result: FAILED.");
    // A case file a test reads, outside the test directory, is watched too.
    watch.wait_for("watching ");
    let case = d.join("examples/cases/haitian_chnv_after_termination.yaml");
    let text = std::fs::read_to_string(&case).unwrap();
    std::fs::write(&case, text + "\n").unwrap();
    watch.wait_for("examples/cases/haitian_chnv_after_termination.yaml changed");
    drop(watch);
    let _ = std::fs::remove_dir_all(d);
}

/// A file an import reaches outside the policy directory is watched too, and still after
/// an edit that breaks it: its fix is seen.
#[test]
fn pol_test_watch_follows_imports_out_of_the_policy_directory() {
    let d = temp("watch-import");
    let facts = common::project_with_a_shared_import(&d);
    let mut watch = Watch::start(&d);
    watch.wait_for("test result: ok. 1 passed");
    watch.wait_for("watching ");
    std::fs::write(&facts, "fact young: bool \"is young\n").unwrap();
    watch.wait_for("shared/facts.pol changed: running the tests again");
    watch.wait_for("error: the policies do not compile");
    watch.wait_for("watching ");
    std::fs::write(&facts, "fact young: bool \"is young\"\n").unwrap();
    watch.wait_for("shared/facts.pol changed: running the tests again");
    watch.wait_for("test result: ok. 1 passed");
    drop(watch);
    let _ = std::fs::remove_dir_all(d);
}

/// A watch whose reader goes away (`pol test --watch | head`) ends as a closed pipe does,
/// with status 141, rather than waiting for edits no one will see.
#[test]
fn pol_test_watch_stops_when_its_reader_does() {
    use std::io::BufRead;
    use std::time::{Duration, Instant};

    let d = project_copy("watch-reader-gone");
    let mut child = start_watch(&d, std::process::Stdio::null());
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.starts_with("test result:") {
        line.clear();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "no summary");
    }
    drop(stdout);
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("pol test --watch went on without a reader");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(141));
    let _ = std::fs::remove_dir_all(d);
}

// ---- typed tests ----

fn fixture_test(args: &[&str]) -> common::Run {
    let mut all = vec!["--policies", "tests/data/policy-tests/policies", "test"];
    all.extend_from_slice(args);
    pol(&all)
}

/// A failing test: expected vs actual, field by field, with the test's place; the summary
/// once, last.
#[test]
fn a_failure_is_a_diff_with_its_place() {
    let args = ["test", "tests/data/policy-tests/failing.yaml"];
    let run = fixture_test(&args[1..]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout.matches("test result:").count(), 1);
    assert!(run.stdout.trim_end().ends_with("test result: FAILED. 1 passed; 1 failed"));
    insta::assert_snapshot!("failing", run.transcript(&args));
}

/// A misspelt key is an error naming the file, its line and the right spelling; exit 1.
#[test]
fn a_misspelt_key_names_its_line_and_spelling() {
    let args = ["test", "tests/data/policy-tests/misspelt.yaml"];
    let run = fixture_test(&args[1..]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("misspelt.yaml:5:7"), "file and line\n{}", run.stdout);
    assert!(run.stdout.contains("unknown field `decison`"));
    assert!(run.stdout.contains("did you mean `decision`?"));
    insta::assert_snapshot!("misspelt", run.transcript(&args));
}

/// Every test of a file that is not one is reported, each at its line, and the others
/// still run: one mistake does not hide the next.
#[test]
fn every_mistake_of_a_test_file_is_reported() {
    let args = ["test", "tests/data/policy-tests/several_mistakes.yaml"];
    let run = fixture_test(&args[1..]);
    assert_eq!(run.code, 1);
    for place in [":7:7: unknown field `decison`", ":18:16:", ":20:5: two tests are named"] {
        assert_contains(&run.stdout, place);
    }
    assert!(run.stdout.trim_end().ends_with("1 passed; 0 failed; 3 errors"), "{}", run.stdout);
    insta::assert_snapshot!("several_mistakes", run.transcript(&args));
}

/// Values of the wrong type and names the policy does not have are errors, not ignored.
#[test]
fn wrong_types_and_unknown_names_are_errors() {
    let run = fixture_test(&["tests/data/policy-tests/wrong_types.yaml"]);
    assert_eq!(run.code, 1);
    assert_contains(&run.stdout, "sequence");
    let args = ["test", "tests/data/policy-tests/unknown_names.yaml"];
    let run = fixture_test(&args[1..]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("did you mean `travel.banned`?"));
    assert!(run.stdout.contains("applicant.location"));
    insta::assert_snapshot!("unknown_names", run.transcript(&args));
    // Each kind of mistake the issue found passing before.
    let d = temp("wrong-types");
    for (body, says) in [
        ("warning: [x]", "did you mean `warnings`?"),
        ("reasons: \"not a list\"", "sequence"),
        ("forms: [I-131, 42]", "integer `42`"),
        ("max_validity_days: soon", "i64"),
    ] {
        let file = d.join("t.yaml");
        std::fs::write(
            &file,
            format!("tests:\n  - name: t\n    case: {{as_of: 2025-06-10, policy: chnv_parole, applicant: {{nationality: HT}}}}\n    expect:\n      decision: unavailable\n      {body}\n"),
        )
        .unwrap();
        let run = pol(&["test", file.to_str().unwrap()]);
        assert_eq!(run.code, 1, "{body}: {}", run.stdout);
        assert!(run.stdout.contains(says), "{body}: {}", run.stdout);
        assert!(run.stdout.contains("t.yaml:6:"), "{body}: {}", run.stdout);
    }
    let _ = std::fs::remove_dir_all(d);
}

/// `--run` keeps the tests whose name contains the pattern, or matches it as a glob;
/// `-v` lists every test with its decision.
#[test]
fn run_filters_and_verbose_lists_decisions() {
    let run = pol(&["test", "--run", "daca", "-v"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let listed: Vec<&str> =
        run.stdout.lines().filter(|l| l.starts_with("test ") && l.contains(" ... ")).collect();
    assert!(!listed.is_empty());
    for line in &listed {
        assert!(line.contains("daca"), "{line}");
        assert!(line.contains(" ... ok: "), "{line}");
    }
    assert!(run.stdout.contains("filtered out"));
    let glob = pol(&["test", "--run", "chnv_parole::*termination*", "-v"]);
    assert_eq!(glob.code, 0, "{}", glob.stdout);
    let n = glob.stdout.lines().filter(|l| l.starts_with("test chnv_parole::")).count();
    assert!(n >= 1, "{}", glob.stdout);
    assert!(!glob.stdout.contains("test advance_parole::"));
    assert!(glob.stdout.contains("unavailable"));
}

/// `--format json` is one document with every test and the summary; `--format junit` is
/// JUnit XML with a failure per failing test.
#[test]
fn json_and_junit_reports() {
    let run = fixture_test(&["--format", "json", "tests/data/policy-tests/failing.yaml"]);
    assert_eq!(run.code, 1);
    let doc = json(&run.stdout);
    assert_eq!(doc["summary"]["passed"], 1);
    assert_eq!(doc["summary"]["failed"], 1);
    let failed = &doc["tests"][1];
    assert_eq!(failed["status"], "fail");
    assert_eq!(failed["line"], 10);
    assert_eq!(failed["decision"], "ineligible");
    assert_eq!(failed["differences"][0]["field"], "decision");
    assert_eq!(failed["differences"][0]["expected"][0], "eligible");

    let run = fixture_test(&["--format", "junit", "tests/data/policy-tests/failing.yaml"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("junit", run.stdout);
}

// ---- coverage ----

/// `--coverage --format json` reports every rule of every policy, and the shipped suite
/// reaches 100%; `--coverage-min 100` holds it there.
#[test]
fn the_shipped_suite_covers_every_rule() {
    let run = pol(&["test", "--coverage", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run.stdout);
    let coverage = &doc["coverage"];
    let set = pol_compiler::compile(
        common::files("policies")
            .into_iter()
            .map(|f| pol_compiler::Source {
                text: std::fs::read_to_string(root().join(&f)).unwrap(),
                name: f,
            })
            .collect(),
    )
    .compiled
    .unwrap()
    .set;
    let policies = coverage["policies"].as_array().unwrap();
    assert_eq!(policies.len(), set.policies.len());
    for (p, def) in policies.iter().zip(&set.policies) {
        assert_eq!(p["policy"], def.name.as_str());
        let rules: Vec<&str> =
            p["rules"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
        let declared: Vec<&str> = def.rules.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(rules, declared, "{}", def.name);
        assert_eq!(p["window"].is_null(), def.window.is_none(), "{}", def.name);
    }
    let uncovered: Vec<String> =
        policies
            .iter()
            .flat_map(|p| {
                let subjects = p["rules"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .chain(p["window"].as_object().map(|_| &p["window"]))
                    .chain(p["parameters"].as_array().unwrap())
                    .chain(p["forms"].as_array().unwrap());
                subjects
                    .flat_map(|s| {
                        s["outcomes"].as_array().unwrap().iter().filter(|o| o["seen"] == 0).map(
                            move |o| format!("{}.{}: {}", p["policy"], s["name"], o["outcome"]),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
    assert!(uncovered.is_empty(), "not covered: {uncovered:#?}");
    assert_eq!(coverage["percent"], 100.0);

    let run = pol(&["test", "--coverage-min", "100"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

/// Coverage names what a partial suite misses, in the policy's words, and
/// `--coverage-min` fails below its bar.
#[test]
fn coverage_names_what_is_missing() {
    let args =
        ["test", "--coverage", "--coverage-min", "100", "tests/data/policy-tests/failing.yaml"];
    let run = fixture_test(&args[1..]);
    assert_eq!(run.code, 1);
    assert_contains(&run.stdout, "not covered");
    assert_contains(&run.stdout, "below the minimum of 100%");
    insta::assert_snapshot!("coverage", run.transcript(&args));
}

/// A bar that is no percentage is misuse, not a bar every coverage passes (`NaN`) or none
/// can reach (`150`).
#[test]
fn a_coverage_bar_is_a_percentage() {
    for bar in ["NaN", "150", "-1", "inf"] {
        let run = pol(&["test", &format!("--coverage-min={bar}")]);
        assert_eq!(run.code, 2, "{bar}: {}", run.stdout);
        assert_contains(&run.stderr, "give a percentage from 0 to 100");
    }
}

// ---- pol diff ----

/// `chnv_parole`'s part of a `pol diff --format json` report.
fn chnv_in(doc: &serde_json::Value) -> &serde_json::Value {
    doc["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["policy"] == "chnv_parole")
        .expect("chnv_parole is reported")
}

/// The witnesses of `chnv_parole`'s transitions out of `unavailable`, checking each lies in
/// the weeks the moved termination opened.
fn chnv_witnesses_in_the_new_weeks(doc: &serde_json::Value) -> usize {
    let chnv = chnv_in(doc);
    let out_of_unavailable: Vec<&serde_json::Value> = chnv["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["from"] == "unavailable")
        .collect();
    assert!(!out_of_unavailable.is_empty(), "{doc:#}");
    for t in &out_of_unavailable {
        assert!(t["to"] != "unavailable");
        let witnesses = t["witnesses"].as_array().unwrap();
        assert!(!witnesses.is_empty(), "{t:#}");
        for w in witnesses {
            let as_of = w["as_of"].as_str().unwrap();
            assert!(("2025-03-25".."2025-04-24").contains(&as_of), "witness as of {as_of}: {w}");
            assert_eq!(w["policy"], "chnv_parole");
        }
    }
    out_of_unavailable.len()
}

/// A scratch directory `name` holding a copy of the shipped policies with the CHNV
/// termination moved to 2025-04-24: the directory, and the copy's path.
fn moved_chnv_copy(name: &str) -> (PathBuf, String) {
    let d = temp(name);
    let copy = d.join("policies");
    copy_dir(&root().join("policies"), &copy);
    move_chnv_termination(&copy);
    let copy = copy.to_str().unwrap().to_string();
    (d, copy)
}

/// Moving the CHNV termination to 2025-04-24: transitions out of `unavailable`, each with a
/// witness dated in [2025-03-25, 2025-04-24), synthesized and from a corpus; the JSON has
/// exactly the documented shape.
#[test]
fn diff_finds_what_moving_the_chnv_termination_changes() {
    let (d, copy) = moved_chnv_copy("diff-chnv");
    let copy = copy.as_str();

    let run = pol(&["diff", "policies", copy, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run.stdout);
    assert_eq!(chnv_witnesses_in_the_new_weeks(&doc), 3, "{doc:#}");
    // Exactly {"policies": [{"policy", "transitions": [{"from", "to", "count", "witnesses"}]}]}.
    assert_eq!(doc.as_object().unwrap().len(), 1);
    for p in doc["policies"].as_array().unwrap() {
        let keys: Vec<&String> = p.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["policy", "transitions"]);
        for t in p["transitions"].as_array().unwrap() {
            let keys: Vec<&String> = t.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["count", "from", "to", "witnesses"]);
            assert!(t["count"].is_null(), "synthesized only: {t}");
        }
        if p["policy"] != "chnv_parole" {
            assert_eq!(p["transitions"], serde_json::json!([]), "{p}");
        }
    }

    // Each synthesized witness is decided as reported by each set (`pol eval`), and the
    // changes to and from `incomplete` are found too (a witness with facts unknown).
    let chnv = chnv_in(&doc);
    let mut pairs = Vec::new();
    for (i, t) in chnv["transitions"].as_array().unwrap().iter().enumerate() {
        pairs.push((t["from"].as_str().unwrap(), t["to"].as_str().unwrap()));
        let case = d.join(format!("witness-{i}.json"));
        std::fs::write(&case, t["witnesses"][0].to_string()).unwrap();
        for (set, expected) in [("policies", &t["from"]), (copy, &t["to"])] {
            let args = ["--policies", set, "eval", "--format", "json"];
            let run = pol(&[&args[..], &[case.to_str().unwrap()]].concat());
            assert_eq!(run.code, 0, "{}", run.stderr);
            assert_eq!(&json(&run.stdout)["decision"], expected, "{set}: {t}");
        }
    }
    assert!(pairs.contains(&("unavailable", "incomplete")), "{pairs:?}");

    // A corpus: a case in the new weeks is counted and is its own witness, with its id.
    let corpus = corpus(
        &d,
        "corpus.jsonl",
        &[
            r#"{"id":"a","as_of":"2025-04-01","policy":"chnv_parole","applicant":{"nationality":"HT","serious_criminal_record":false,"removal_order":false,"security_risk":false},"sponsor":{"financial_support":true}}"#,
            r#"{"id":"b","as_of":"2025-05-01","policy":"chnv_parole","applicant":{"nationality":"HT"}}"#,
            r#"{"id":"c","as_of":"2025-04-02","policy":"chnv_parole","applicant":{"nationality":"VE","serious_criminal_record":false,"removal_order":false,"security_risk":false},"sponsor":{"financial_support":true}}"#,
        ],
    );
    let run = diff_cases("policies", copy, &["--format", "json"], &[&corpus, "examples/cases"]);
    let doc = json(&run.stdout);
    chnv_witnesses_in_the_new_weeks(&doc);
    let chnv = chnv_in(&doc);
    let to_eligible = chnv["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["from"] == "unavailable" && t["to"] == "eligible")
        .unwrap();
    assert!(to_eligible["count"].as_u64().unwrap() >= 2, "{to_eligible}");
    assert_eq!(to_eligible["witnesses"][0]["id"], "a");
    assert_eq!(to_eligible["witnesses"][1]["id"], "c");

    // Only the corpus.
    let run = diff_cases("policies", copy, &["--no-synthesis"], &[&corpus]);
    assert_contains(&run.stdout, "unavailable   → eligible      2 cases");
    assert_contains(&run.stdout, "e.g. a");
    let _ = std::fs::remove_dir_all(d);
}

/// `--as-of`: synthesized cases are decided on that date only. The moved CHNV termination
/// shows on a date in the new weeks and not on the new closing date; a date that does not
/// exist is misuse.
#[test]
fn diff_as_of_a_date_synthesizes_cases_of_that_date() {
    let (d, copy) = moved_chnv_copy("diff-as-of");
    let copy = copy.as_str();

    let run = pol(&["diff", "policies", copy, "--format", "json", "--as-of", "2025-04-10"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run.stdout);
    let transitions = chnv_in(&doc)["transitions"].as_array().unwrap().clone();
    assert!(!transitions.is_empty(), "{doc:#}");
    for t in &transitions {
        for w in t["witnesses"].as_array().unwrap() {
            assert_eq!(w["as_of"], "2025-04-10", "{t}");
        }
    }
    let run = pol(&["diff", "policies", copy, "--as-of", "2025-04-24", "--exit-code"]);
    assert_eq!(run.code, 0, "no change on the new closing date: {}", run.stdout);
    assert_contains(&run.stdout, "synthesized from the policies as of 2025-04-24");

    let run = pol(&["diff", "policies", copy, "--as-of", "2025-02-30"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_contains(&run.stderr, "February 2025 has 28 days");
    let _ = std::fs::remove_dir_all(d);
}

/// Writes the cases `lines` (JSON, one a line) as the corpus file `dir/NAME`; its path.
fn corpus(dir: &Path, name: &str, lines: &[&str]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, lines.iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    path.to_string_lossy().into_owned()
}

/// `pol diff OLD NEW OPTIONS --cases CASES...`, which must succeed.
fn diff_cases(old: &str, new: &str, options: &[&str], cases: &[&str]) -> Run {
    let run = pol(&[&["diff", old, new][..], options, &["--cases"], cases].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    run
}

/// `pol diff --git REV` compares the policies at a revision with the working tree; the
/// markdown is a table per changed policy.
#[test]
fn diff_against_a_git_revision() {
    let d = project_copy("diff-git");
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(&d)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.org")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.org")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {:?}", out);
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "policies"]);
    move_chnv_termination(&d.join("policies"));
    let args = ["diff", "--git", "HEAD", "--format", "markdown"];
    let run = pol_in(&d, &args, "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_contains(&run.stdout, "| `unavailable` | `eligible` | – (synthesized) |");
    assert_contains(&run.stdout, "policies at HEAD");
    let run = pol_in(&d, &["diff", "--git", "HEAD", "--exit-code"], "");
    assert_eq!(run.code, 1, "changes make --exit-code fail");
    let run = pol_in(&d, &["diff", "--git", "no-such-revision"], "");
    assert_eq!(run.code, 2, "{}", run.stderr);
    let _ = std::fs::remove_dir_all(d);
}

/// A case only one set can decode is reported, not compared.
#[test]
fn diff_reports_cases_only_one_set_can_decode() {
    let d = temp("diff-one-sided");
    let copy = d.join("policies");
    copy_dir(&root().join("policies"), &copy);
    let facts = copy.join("facts.pol");
    let text = std::fs::read_to_string(&facts).unwrap();
    std::fs::write(
        &facts,
        format!(
            "{text}#[allow(unused, reason = \"test\")]\nfact applicant.new_fact: bool \"new\"\n"
        ),
    )
    .unwrap();
    let corpus = corpus(
        &d,
        "c.jsonl",
        &[
            r#"{"id":"x","as_of":"2025-06-10","policy":"chnv_parole","applicant":{"new_fact":true}}"#,
        ],
    );
    let copy = copy.to_str().unwrap();
    let run = diff_cases("policies", copy, &["--no-synthesis"], &[&corpus]);
    assert_contains(&run.stderr, "1 corpus cases can be decoded by only one");
    assert_contains(&run.stderr, "c.jsonl:1");
    let _ = std::fs::remove_dir_all(d);
}

/// A policy the exact reasoning does not model is not compared: `pol diff` says so on
/// standard error and still diffs the corpus.
#[test]
fn diff_notes_a_policy_it_cannot_compare() {
    let d = temp("diff-inexact");
    let fixture =
        std::fs::read_to_string(root().join("tests/data/lints/W0516_inexact_reasoning.pol"))
            .unwrap();
    let (old, new) = (d.join("old"), d.join("new"));
    for (dir, text) in [(&old, fixture.clone()), (&new, fixture.replace("1 month", "2 months"))] {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("trip.pol"), text).unwrap();
    }
    let corpus = corpus(
        &d,
        "c.jsonl",
        &[
            r#"{"id":"long","as_of":"2025-06-10","policy":"short_trip","trip":{"depart":"2025-07-01","return":"2025-08-15"}}"#,
        ],
    );
    let (old, new) = (old.to_str().unwrap(), new.to_str().unwrap());
    let run = diff_cases(old, new, &["--format", "json"], &[&corpus]);
    assert_contains(
        &run.stderr,
        "note: short_trip: cases synthesized from the policies may miss changes",
    );
    let doc = json(&run.stdout);
    let t = &doc["policies"][0]["transitions"];
    assert_eq!(t.as_array().unwrap().len(), 1, "{doc:#}");
    assert_eq!(t[0]["from"], "ineligible");
    assert_eq!(t[0]["to"], "eligible");
    assert_eq!(t[0]["count"], 1);
    let _ = std::fs::remove_dir_all(d);
}

// ---- the format's schema ----

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("schemas/policy-test.schema.json")).unwrap();
    jsonschema::validator_for(&json(&text)).expect("the schema compiles")
}

fn yaml_file(path: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    pol_engine::yaml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The schema accepts what `pol test` accepts and rejects what it rejects (each shipped
/// test file is validated in `examples.rs`).
#[test]
fn the_schema_accepts_what_pol_test_accepts() {
    let validator = schema();
    for good in ["failing.yaml", "unknown_names.yaml"] {
        let doc = yaml_file(&format!("tests/data/policy-tests/{good}"));
        assert!(validator.is_valid(&doc), "{good}");
    }
    for bad in ["misspelt.yaml", "wrong_types.yaml"] {
        let doc = yaml_file(&format!("tests/data/policy-tests/{bad}"));
        assert!(!validator.is_valid(&doc), "{bad} should be rejected");
    }
    let both = serde_json::json!({"tests": [{"name": "t", "case": {"as_of": "2025-06-10", "policy": "p"}, "case_file": "x.json", "expect": {"decision": "eligible"}}]});
    assert!(!validator.is_valid(&both));
    let forms = serde_json::json!({"tests": [{"name": "t", "case_file": "x.json", "expect": {"decision": "eligible", "forms": ["I-131", 42]}}]});
    assert!(!validator.is_valid(&forms));
}

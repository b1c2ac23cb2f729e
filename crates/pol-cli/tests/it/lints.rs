//! The lint catalogue, end to end (each fixture under `tests/data/lints` firing its code is
//! a test of `diagnostics.rs`): the shipped policies are clean, the output formats
//! keep their shape (JSON fields, SARIF 2.1.0 against the official schema), and
//! `docs/lints.md` stays in step with the code registry.

use crate::common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use common::{assert_contains, codes_in, pol, root, Run};
use pol_compiler::codes::{self, ALL as CODES};
use pol_compiler::{compile_with, LintLevels, Lints, Source};

/// The policies `pol` ships with pass their own checks, warnings denied: no diagnostic at all.
#[test]
fn shipped_policies_are_clean() {
    for args in
        [&["check", "--deny", "warnings"][..], &["check", "--deny", "warnings", "policies"][..]]
    {
        let run = pol(args);
        assert_eq!(run.code, 0, "pol {}\n{}", args.join(" "), run.stderr);
        let json = pol(&[args, &["--format", "json"][..]].concat());
        assert_eq!(json.stdout, "", "pol {} --format json reported diagnostics", args.join(" "));
    }
}

#[test]
fn deny_warnings_fails_the_check() {
    let file = "tests/data/lints/W0509_never_eligible.pol";
    let run = pol(&["check", file]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = pol(&["check", "--deny", "warnings", file]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_contains(
        &run.stderr,
        "0 errors, 1 warning (warnings fail the check: `--fail-level warning`)",
    );
    // With JSON, the status says the same; the output stays one object per line.
    let run = pol(&["check", "--deny", "warnings", "--format", "json", file]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout.lines().count(), 1);
}

/// A scratch project: `pol.toml` holding `manifest`, one policy whose rule has no `says`
/// in `policies/`, and a copy of it outside the policy directory.
fn project_with(name: &str, manifest: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pol-levels-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("policies")).unwrap();
    std::fs::write(dir.join("pol.toml"), manifest).unwrap();
    let policy = "fact x: bool \"x\"\npolicy p \"p?\" {\n  require x: x cite \"c\"\n}\n";
    std::fs::write(dir.join("policies/p.pol"), policy).unwrap();
    std::fs::write(dir.join("fixture.pol"), policy).unwrap();
    dir
}

/// A project's `[lints]` set the levels of its own policies' lints; the command line sets
/// them over the project's; files outside the policy directory keep the defaults.
#[test]
fn a_project_and_the_command_line_set_lint_levels() {
    let dir = project_with("set", "[lints]\nmissing_says = \"deny\"\n");
    let says = codes::MISSING_SAYS.id;
    for args in [&["check"][..], &["check", "policies"], &["check", "policies/p.pol"]] {
        let run = common::pol_in(&dir, args, "");
        assert_eq!(run.code, 1, "pol {}\n{}", args.join(" "), run.stderr);
        assert_eq!(codes_in(&run.stderr), [says], "{}", run.stderr);
        assert_contains(&run.stderr, "1 error, 0 warnings");
        assert_contains(
            &run.stderr,
            "note: `missing_says` is an error here: `missing_says = \"deny\"` in the project's pol.toml",
        );
    }
    let json = common::pol_in(&dir, &["check", "--format", "json"], "");
    let d: serde_json::Value = serde_json::from_str(json.stdout.trim()).unwrap();
    assert_eq!((d["severity"].as_str(), d["lint"].as_str()), (Some("error"), Some("missing_says")));
    // The command line over the project.
    for (flag, code) in [("--warn", 0), ("-W", 0), ("--allow", 0), ("-A", 0)] {
        let run = common::pol_in(&dir, &["check", flag, "missing_says"], "");
        assert_eq!(run.code, code, "{flag}: {}", run.stderr);
    }
    let allowed = common::pol_in(&dir, &["check", "--allow", "missing_says"], "");
    assert_contains(&allowed.stderr, "no problems");
    // Not the project's policies: the defaults, where `missing_says` is off.
    let fixture = common::pol_in(&dir, &["check", "fixture.pol"], "");
    assert_eq!(fixture.code, 0, "{}", fixture.stderr);
    assert_contains(&fixture.stderr, "no problems");
    let denied = common::pol_in(&dir, &["check", "-D", "missing_says", "fixture.pol"], "");
    assert_eq!(denied.code, 1, "{}", denied.stderr);
    // Another lint, turned off for the project: the rule's missing citation in a second file.
    std::fs::write(
        dir.join("policies/q.pol"),
        "import \"p.pol\"\npolicy q \"q?\" {\n  require x: x says \"X.\"\n}\n",
    )
    .unwrap();
    let both = common::pol_in(&dir, &["check", "--format", "plain"], "");
    let citation = format!("warning[{}]", codes::MISSING_CITATION.id);
    assert!(both.stdout.contains(&citation), "{}", both.stdout);
    std::fs::write(
        dir.join("pol.toml"),
        "[lints]\nmissing_says = \"deny\"\nmissing_citation = \"allow\"\n",
    )
    .unwrap();
    let quiet = common::pol_in(&dir, &["check", "--format", "plain"], "");
    assert!(!quiet.stdout.contains(codes::MISSING_CITATION.id), "{}", quiet.stdout);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A lint name or level that is not one is named with the one meant: in `pol.toml` as
/// E0605 at its place, on the command line as misuse. One lint at two levels is misuse.
#[test]
fn a_wrong_lint_level_says_what_was_meant() {
    let dir = project_with("wrong", "[lints]\nmissing_say = \"deny\"\n");
    let run = common::pol_in(&dir, &["check"], "");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_contains(&run.stderr, codes::PROJECT_FILE.id);
    assert_contains(&run.stderr, "`missing_say` is not a lint");
    assert_contains(&run.stderr, "did you mean `missing_says`?");
    std::fs::write(dir.join("pol.toml"), "[lints]\nunused = \"warning\"\n").unwrap();
    let run = common::pol_in(&dir, &["check"], "");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_contains(&run.stderr, "`warning` is not a lint level");
    assert_contains(&run.stderr, "did you mean `\"warn\"`?");
    let _ = std::fs::remove_dir_all(&dir);

    assert_misuse(
        &["check", "--deny", "contradictoin"],
        &["`--deny contradictoin`: `contradictoin` is not a lint", "did you mean `contradiction`?"],
    );
    assert_misuse(
        &["check", "-A", "unused", "-D", "unused"],
        &["`unused` is given two levels, with `--allow` and `--deny`"],
    );
    assert_misuse(
        &["check", "--allow", "warnings"],
        &["`--deny warnings` makes every warning fail the check"],
    );
}

/// SARIF tells code scanning that a lint off by default is a rule not enabled.
#[test]
fn sarif_marks_a_lint_off_by_default_as_not_enabled() {
    let run = pol(&["check", "--format", "sarif", "tests/data/lints/W0509_never_eligible.pol"]);
    let log: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    for (rule, code) in rules.iter().zip(CODES) {
        let enabled = &rule["defaultConfiguration"]["enabled"];
        match code.default_level {
            codes::Level::Allow => assert_eq!(enabled, false, "{}", code.id),
            _ => assert!(enabled.is_null(), "{}", code.id),
        }
    }
}

/// `pol ARGS` is misuse (exit 2), and standard error says each of `says`.
fn assert_misuse(args: &[&str], says: &[&str]) {
    let run = pol(args);
    assert_eq!(run.code, 2, "pol {}\n{}", args.join(" "), run.stderr);
    for s in says {
        assert_contains(&run.stderr, s);
    }
}

/// `pol check --explain` prints a code's page from the binary itself, by id or lint name;
/// a word that is neither is misuse, with the code meant.
#[test]
fn explain_prints_a_codes_page() {
    let says = codes::MISSING_SAYS;
    for word in [says.id, "missing_says"] {
        let run = pol(&["check", "--explain", word]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stdout.starts_with(&format!("## {} `missing_says`", says.id)),
            "{}",
            run.stdout
        );
        assert_contains(&run.stdout, "Bad:");
        assert_contains(&run.stdout, "Good:");
    }
    assert_misuse(
        &["check", "--explain", "missing_say"],
        &["`missing_say` is not a diagnostic code or lint", "did you mean `missing_says`?"],
    );
}

/// No page `pol check --explain` prints names a file of this repository: an installed
/// `pol` comes without it.
#[test]
fn explain_pages_name_no_repository_file() {
    for code in codes::ALL {
        let run = pol(&["check", "--explain", code.id]);
        assert_eq!(run.code, 0, "{}: {}", code.id, run.stderr);
        for path in ["docs/", ".md", "schemas/"] {
            assert!(!run.stdout.contains(path), "{}: its page names `{path}`", code.id);
        }
    }
}

#[test]
fn misuse_exits_2() {
    for args in [
        &["check", "tests/data/lints/no_such_file.pol"][..],
        &["check", "--deny", "errors"][..],
        &["check", "--format", "xml"][..],
    ] {
        let run = pol(args);
        assert_eq!(run.code, 2, "pol {}\n{}", args.join(" "), run.stderr);
    }
}

/// A file only imported may serve policies that were not loaded: what is unused there is
/// reported when the whole set is checked, not when one policy is.
#[test]
fn unused_is_judged_over_the_files_named() {
    let one = pol(&["check", "tests/data/lints/set/policy.pol"]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    assert_contains(&one.stderr, "no problems");
    let all = pol(&["check", "tests/data/lints/set"]);
    assert_eq!(codes_in(&all.stderr), [codes::UNUSED.id], "{}", all.stderr);
    assert_contains(&all.stderr, "applicant.age");
}

/// `--format json`: one object per diagnostic with exactly the documented fields.
#[test]
fn json_objects_have_the_documented_fields() {
    let run = pol(&[
        "check",
        "--format",
        "json",
        "tests/data/lints/W0507_duplicate_rule.pol",
        "tests/data/lints/W0501_unused.pol",
    ]);
    let fields: BTreeSet<&str> = [
        "schema",
        "code",
        "lint",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "start",
        "end",
        "label",
        "help",
        "secondary",
    ]
    .into();
    let label_fields: BTreeSet<&str> = ["file", "line", "column", "start", "end", "label"].into();
    let mut lines = 0;
    for line in run.stdout.lines() {
        lines += 1;
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let keys: BTreeSet<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, fields, "{line}");
        assert!(v["code"].as_str().unwrap().starts_with("pol::W05"));
        assert_eq!(v["severity"], "warning");
        assert!(v["lint"].is_string());
        assert!(v["line"].as_u64().unwrap() >= 1);
        for l in v["secondary"].as_array().unwrap() {
            let keys: BTreeSet<&str> = l.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys, label_fields, "{line}");
        }
    }
    assert_eq!(lines, 6, "{}", run.stdout);
    // Errors have no lint name.
    let run =
        pol(&["check", "--format", "json", "tests/data/lints/E0206_allow_without_reason.pol"]);
    let v: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(v["lint"], serde_json::Value::Null);
    assert_eq!(v["code"], format!("pol::{}", codes::ALLOW_WITHOUT_REASON));
}

fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("tests/data/sarif/sarif-schema-2.1.0.json"))
        .expect("the vendored SARIF schema");
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

/// `--format sarif` is a valid SARIF 2.1.0 log, and its results point at its rules.
#[test]
fn sarif_validates_against_the_schema() {
    let validator = sarif_validator();
    let cases: [&[&str]; 5] = [
        &["tests/data/lints/W0509_never_eligible.pol"],
        // A file that cannot be read is a result like any other.
        &["tests/data/lints/no_such_file.pol"],
        &[
            "tests/data/lints/W0502_missing_citation.pol",
            "tests/data/lints/W0511_parameter_order.pol",
        ],
        &["tests/data/lints/E0205_unknown_lint.pol"],
        &["tests/data/lints/ok/near_misses.pol"],
    ];
    for paths in cases {
        let mut args = vec!["check", "--format", "sarif"];
        args.extend_from_slice(paths);
        let run = pol(&args);
        let log: serde_json::Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{paths:?}: not JSON: {e}\n{}", run.stdout));
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{paths:?}: {errors:#?}");
        assert!(run.stderr.is_empty(), "{paths:?}: {}", run.stderr);
        let run0 = &log["runs"][0];
        let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), CODES.len());
        for result in run0["results"].as_array().unwrap() {
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], result["ruleId"]);
            let region = &result["locations"][0]["physicalLocation"]["region"];
            assert!(region["startLine"].as_u64().unwrap() >= 1);
        }
    }
    let missing = pol(&["check", "--format", "sarif", "tests/data/lints/no_such_file.pol"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stdout.contains(&format!("\"{}\"", codes::POLICY_UNREADABLE)));
    // Something invalid is caught, so the validation above means something.
    let bad = serde_json::json!({ "version": "2.1.0", "runs": [{ "results": [] }] });
    assert!(!validator.is_valid(&bad));
}

/// One `## CODE` section of `docs/lints.md`.
struct Section {
    code: String,
    lint: Option<String>,
    summary: String,
    /// Code blocks after "Bad:" and "Good:": (language, text).
    bad: Vec<(String, String)>,
    good: Vec<(String, String)>,
}

fn doc_sections() -> Vec<Section> {
    let text = std::fs::read_to_string(root().join("docs/lints.md")).unwrap();
    let mut sections: Vec<Section> = Vec::new();
    let mut lines = text.lines().peekable();
    let mut target: Option<bool> = None; // Some(true) after "Bad:", Some(false) after "Good:"
    while let Some(line) = lines.next() {
        if let Some(head) = line.strip_prefix("## ") {
            let mut words = head.split_whitespace();
            let code = words.next().unwrap_or_default();
            let is_code = code.len() == 5
                && (code.starts_with('E') || code.starts_with('W'))
                && code[1..].chars().all(|c| c.is_ascii_digit());
            if !is_code {
                continue;
            }
            let lint = words.next().map(|w| w.trim_matches('`').to_string());
            // The summary: the first non-empty line after the heading.
            let summary =
                lines.by_ref().find(|l| !l.trim().is_empty()).unwrap_or_default().to_string();
            sections.push(Section {
                code: code.to_string(),
                lint,
                summary,
                bad: Vec::new(),
                good: Vec::new(),
            });
            target = None;
            continue;
        }
        match line.trim() {
            "Bad:" => target = Some(true),
            "Good:" => target = Some(false),
            fence if fence.starts_with("```") && target.is_some() => {
                let lang = fence.trim_start_matches('`').to_string();
                let body: Vec<&str> =
                    lines.by_ref().take_while(|l| !l.starts_with("```")).collect();
                let block = (lang, body.join("\n") + "\n");
                if let (Some(s), Some(bad)) = (sections.last_mut(), target) {
                    if bad {
                        s.bad.push(block);
                    } else {
                        s.good.push(block);
                    }
                }
                target = None;
            }
            _ => {}
        }
    }
    sections
}

/// Lowercase, without a trailing period: how summaries compare.
fn normal(s: &str) -> String {
    s.trim().trim_end_matches('.').to_lowercase()
}

/// Every registered code has a section with its lint name and summary, and a bad and a
/// good example; every section's code is registered.
#[test]
fn docs_and_codes_agree() {
    let sections = doc_sections();
    let documented: Vec<&str> = sections.iter().map(|s| s.code.as_str()).collect();
    let registered: Vec<&str> = CODES.iter().map(|c| c.id).collect();
    assert_eq!(documented, registered, "docs/lints.md sections, in code order");
    for (s, c) in sections.iter().zip(CODES) {
        assert_eq!(s.lint.as_deref(), c.lint, "{}: lint name in the heading", s.code);
        assert_eq!(normal(&s.summary), normal(c.summary), "{}: summary", s.code);
        assert!(
            !s.bad.is_empty() && !s.good.is_empty(),
            "{}: needs a bad and a good example",
            s.code
        );
    }
}

/// A fresh directory for the bad or the good example of lint `code`.
fn example_dir(code: &str, bad: bool) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("pol-lint-docs-{}-{code}-{bad}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The bad example of lint `code` exits with `bad_exit`, naming the code on standard
/// error; the good one exits 0.
fn assert_does_what_it_says(code: &str, bad: bool, bad_exit: i32, run: &Run) {
    if bad {
        assert_eq!(run.code, bad_exit, "{code}: {}", run.stderr);
        assert!(run.stderr.contains(code), "{code}: {}", run.stderr);
    } else {
        assert_eq!(run.code, 0, "{code}: {}", run.stderr);
    }
}

/// Every lint at its default level, but the lint of `code` (the section's) at least warns:
/// a lint that is off by default shows what it finds once turned on.
fn turned_on(code: &str) -> LintLevels {
    let mut levels = LintLevels::default();
    if let Some(c) = codes::lookup(code).filter(|c| c.default_level == codes::Level::Allow) {
        levels.set(c.lint.unwrap(), codes::Level::Warn).unwrap();
    }
    levels
}

/// The `pol` examples of `docs/lints.md` do what they say: the bad one gets its code, the
/// good one compiles with no diagnostic at all. The case-file examples (`json`) are run
/// through `pol eval`.
#[test]
fn doc_examples_do_what_they_say() {
    for s in doc_sections() {
        for (bad, blocks) in [(true, &s.bad), (false, &s.good)] {
            for (lang, text) in blocks {
                match lang.as_str() {
                    "pol" => {
                        let c = compile_with(
                            vec![Source { name: "example.pol".into(), text: text.clone() }],
                            Lints::Run(turned_on(&s.code)),
                        );
                        let codes: Vec<&str> = c.diagnostics.iter().map(|d| d.code.id).collect();
                        if bad {
                            assert!(
                                codes.contains(&s.code.as_str()),
                                "{}: the bad example gives {codes:?}\n{text}",
                                s.code
                            );
                        } else {
                            assert!(
                                codes.is_empty(),
                                "{}: the good example gives {codes:?}\n{text}",
                                s.code
                            );
                        }
                    }
                    "json" => {
                        let dir = example_dir(&s.code, bad);
                        std::fs::create_dir_all(&dir).unwrap();
                        let path = dir.join(if bad { "bad.json" } else { "good.json" });
                        std::fs::write(&path, text).unwrap();
                        let path = path.to_string_lossy().into_owned();
                        let run = pol(&["eval", "--format", "json", path.as_str()]);
                        assert_does_what_it_says(&s.code, bad, 1, &run);
                        let _ = std::fs::remove_dir_all(&dir);
                    }
                    // A project file: `pol check` in a project that has it.
                    "toml" => {
                        let dir = example_dir(&s.code, bad);
                        std::fs::create_dir_all(dir.join("policies")).unwrap();
                        std::fs::write(dir.join("pol.toml"), text).unwrap();
                        std::fs::write(
                            dir.join("policies/p.pol"),
                            "fact x: bool \"x\"\npolicy p \"p?\" {\n  require x: x cite \"c\" says \"X.\"\n}\n",
                        )
                        .unwrap();
                        let run = common::pol_in(&dir, &["check"], "");
                        assert_does_what_it_says(&s.code, bad, 2, &run);
                        let _ = std::fs::remove_dir_all(&dir);
                    }
                    // A policy test file: `pol test` on it, against the shipped policies.
                    "yaml" => {
                        let dir = example_dir(&s.code, bad);
                        std::fs::create_dir_all(&dir).unwrap();
                        let path = dir.join("example.yaml");
                        std::fs::write(&path, text).unwrap();
                        let path = path.to_string_lossy().into_owned();
                        let run = pol(&["test", path.as_str()]);
                        if bad {
                            assert_eq!(run.code, 1, "{}: {}", s.code, run.stdout);
                            let all = format!("{}{}", run.stdout, run.stderr);
                            assert!(all.contains(&s.code), "{}: {all}", s.code);
                        } else {
                            assert_eq!(run.code, 0, "{}: {}{}", s.code, run.stdout, run.stderr);
                        }
                        let _ = std::fs::remove_dir_all(&dir);
                    }
                    // Not runnable as it stands (a command line, an elided enum).
                    "text" => {}
                    other => panic!("{}: unknown example language `{other}`", s.code),
                }
            }
        }
    }
}

//! The JSON Schemas in `schemas/` describe what `pol` really prints: every decision, error
//! in place, explanation and diagnostic produced here is validated against its schema
//! (each worked example's explanation, one test per example, in `examples.rs`).

use crate::common;

use common::json_lines;
use common::{files, pol, pol_with_stdin};
use pol_test_support::schemas::{assert_valid, schema, validator};
use serde_json::Value;

/// Every `$id` is the `schema` value its outputs carry, and the schemas are valid JSON
/// Schemas (draft 2020-12).
#[test]
fn the_schemas_are_schemas() {
    for (file, id) in [
        ("decision.schema.json", "urn:pol:decision:1.1"),
        ("case-error.schema.json", "urn:pol:case-error:1.1"),
        ("explanation.schema.json", "urn:pol:explanation:1"),
        ("diagnostic.schema.json", "urn:pol:diagnostic:1"),
    ] {
        let s = schema(file);
        assert_eq!(s["$id"], id, "{file}");
        assert!(jsonschema::meta::is_valid(&s), "{file} is not a valid schema");
        validator(file);
    }
}

/// `pol schema NAME` prints the schema in `schemas/` byte for byte, and every file there is
/// one `pol schema` lists: a schema added to the repository is built in too. What it prints
/// names no file of the repository.
#[test]
fn pol_schema_prints_every_schema_in_the_repository() {
    let list = pol(&["schema"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    let mut files: Vec<String> = std::fs::read_dir(common::root().join("schemas"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut listed: Vec<String> = list
        .stdout
        .lines()
        .map(|l| format!("{}.schema.json", l.split(' ').next().unwrap()))
        .collect();
    listed.sort();
    assert_eq!(listed, files);
    for file in files {
        let name = file.trim_end_matches(".schema.json");
        let run = pol(&["schema", name]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        let expected = std::fs::read_to_string(common::root().join("schemas").join(&file)).unwrap();
        assert!(run.stdout == expected, "`pol schema {name}` differs from schemas/{file}");
        // Printed to users of the binary, who have no `docs/` and no `schemas/`.
        for path in ["docs/", ".schema.json"] {
            assert!(!expected.contains(path), "schemas/{file} names `{path}`");
        }
    }
    let wrong = pol(&["schema", "decisions"]);
    assert_eq!(wrong.code, 2);
    assert!(wrong.stderr.contains("'decision'"), "{}", wrong.stderr);
}

/// Every line of `eval --format json` is a decision or an error in place.
#[test]
fn decisions_and_errors_in_place_follow_their_schemas() {
    let decision = validator("decision.schema.json");
    let error = validator("case-error.schema.json");
    let mut args = vec!["eval", "--format", "json"];
    let examples = files("examples/cases");
    args.extend(examples.iter().map(String::as_str));
    args.extend(["tests/data/cases/err", "no/such/case.json"]);
    let run = pol(&args);
    let lines = json_lines(&run.stdout);
    let (mut decisions, mut errors) = (0, 0);
    for line in &lines {
        if line.get("decision").is_some() {
            decisions += 1;
            assert_valid(&decision, "decision", line);
        } else {
            errors += 1;
            assert_valid(&error, "error in place", line);
        }
    }
    assert!(decisions >= examples.len(), "{}", run.stdout);
    assert!(errors >= 5, "{}", run.stdout);
    // A case without an `id` has none in its decision: the field is left out, not null.
    let anonymous = pol_with_stdin(
        &["eval", "--format", "json", "-"],
        "{\"as_of\":\"2025-06-10\",\"policy\":\"chnv_parole\"}\n{\"as_of\":\"2025-06-10\",\"policy\":\"chnv_parole\",\"oops\":1}\n",
    );
    let lines = json_lines(&anonymous.stdout);
    assert!(lines[0].get("id").is_none(), "{}", anonymous.stdout);
    assert_valid(&decision, "anonymous decision", &lines[0]);
    assert!(lines[1].get("id").is_none(), "{}", anonymous.stdout);
    assert_valid(&error, "anonymous error", &lines[1]);
    // The schema is not vacuous: a decision without its receipt, or with a field the
    // contract does not list, is refused.
    let mut broken = lines[0].clone();
    broken.as_object_mut().unwrap().remove("receipt");
    assert!(!decision.is_valid(&broken));
    let mut extra = lines[0].clone();
    extra["verdict"] = Value::from("eligible");
    assert!(!decision.is_valid(&extra));
}

/// The schema is not vacuous: an explanation with an outcome the schema does not list is
/// refused. (Each worked example's explanation is validated in `examples.rs`.)
#[test]
fn the_explanation_schema_refuses_a_broken_explanation() {
    let v = validator("explanation.schema.json");
    let mut broken =
        json_lines(&pol(&["explain", "--format", "json", &files("examples/cases")[0]]).stdout)[0]
            .clone();
    assert_valid(&v, "the first example", &broken);
    broken["trace"][0]["outcome"] = Value::from("maybe");
    assert!(!v.is_valid(&broken));
}

/// `check --format json` and `--error-format json` print diagnostic objects.
#[test]
fn diagnostics_follow_their_schema() {
    let v = validator("diagnostic.schema.json");
    let mut checked = 0;
    for dir in ["tests/data/lints", "tests/data/check/err"] {
        for file in files(dir) {
            let run = pol(&["check", "--format", "json", &file]);
            for line in json_lines(&run.stdout) {
                assert_eq!(line["schema"], "urn:pol:diagnostic:1");
                assert_valid(&v, &file, &line);
                checked += 1;
            }
        }
    }
    assert!(checked >= 30, "only {checked} diagnostics");
    // Errors on standard error, from every kind of failure.
    let runs: [&[&str]; 6] = [
        &["eval", "tests/data/cases/err"],
        &["eval", "no/such/case.json"],
        &["check", "tests/data/check/err/name_misspelled_fact.pol"],
        &["--policies", "tests/data/check/err", "eval", "examples/cases"],
        &["eval", "--no-such-flag"],
        &["fmt", "tests/data/check/err/parse_missing_colon.pol", "--check"],
    ];
    for args in runs {
        let mut all = vec!["--error-format", "json"];
        all.extend_from_slice(args);
        let run = pol(&all);
        let lines = json_lines(&run.stderr);
        assert!(!lines.is_empty(), "{args:?}: nothing on standard error");
        for line in lines {
            assert_valid(&v, &format!("{args:?}"), &line);
        }
    }
    let case = json_lines(
        &pol(&["--error-format", "json", "eval", "tests/data/cases/err/unknown_field.json"]).stderr,
    );
    assert!(case[0]["field"].is_string(), "{:?}", case[0]);
    let mut broken = case[0].clone();
    broken["severity"] = Value::from("fatal");
    assert!(!v.is_valid(&broken));
}

/// `schemas/project.schema.json` describes `pol.toml` as `pol` reads it (for editors that
/// validate TOML against a schema): one property per lint, with its code and summary; the
/// repository's `pol.toml` follows it, and a misspelt key, lint or level does not.
#[test]
fn the_project_schema_lists_every_lint() {
    use pol_compiler::codes;
    let s = schema("project.schema.json");
    assert!(jsonschema::meta::is_valid(&s), "not a valid schema");
    let lints = s["properties"]["lints"]["properties"].as_object().unwrap();
    let mut named: Vec<&str> = lints.keys().map(String::as_str).collect();
    let mut expected: Vec<&str> = codes::lint_names().collect();
    named.sort_unstable();
    expected.sort_unstable();
    assert_eq!(named, expected, "one property per lint");
    for code in codes::ALL.iter().filter(|c| c.is_lint()) {
        let described = &lints[code.lint.unwrap()]["description"];
        assert_eq!(described, &format!("{}: {}.", code.id, code.summary), "{}", code.id);
    }
    let v = validator("project.schema.json");
    let text = std::fs::read_to_string(common::root().join("pol.toml")).unwrap();
    let ours: Value = serde_json::to_value(toml::from_str::<toml::Table>(&text).unwrap()).unwrap();
    assert_valid(&v, "pol.toml", &ours);
    for bad in [
        serde_json::json!({"polices": "rules"}),
        serde_json::json!({"lints": {"missing_say": "deny"}}),
        serde_json::json!({"lints": {"unused": "warning"}}),
    ] {
        assert!(!v.is_valid(&bad), "{bad} should be rejected");
    }
}

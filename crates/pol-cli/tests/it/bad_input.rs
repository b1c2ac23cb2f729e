//! The bad-input corpus: whatever `pol` is given, it answers with a diagnostic and a
//! documented exit status (docs/cases.md: 0 all decided, 1 bad input, 2 misuse or policies that
//! do not compile), never a panic (101) or a signal, and never dumps a huge input back.
//!
//! Committed inputs live in `tests/data/bad-input/{policies,cases}` (one test per file, in
//! `diagnostics.rs`); large ones are generated here at run time. Every transcript is
//! snapshotted.

use crate::common;

use pol_compiler::codes;

use std::path::{Path, PathBuf};

use common::{assert_contains, assert_survives, pol, Run};

/// A directory for generated inputs; transcripts show it as `<generated>`.
fn generated_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bad-input");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `pol` inside the generated directory with paths relative to it, so messages (and
/// where miette wraps them) do not depend on where the target directory is.
fn run_generated(name: &str, args: &[&str], allowed: &[i32]) -> Run {
    let dir = generated_dir();
    let prefix = format!("{}/", dir.display());
    let args: Vec<&str> =
        args.iter().map(|a| a.strip_prefix(prefix.as_str()).unwrap_or(a)).collect();
    let run = common::pol_in(&dir, &args, "");
    assert_survives(&args, &run, allowed);
    insta::assert_snapshot!(format!("generated__{name}"), run.transcript(&args));
    run
}

fn write(name: &str, contents: impl AsRef<[u8]>) -> String {
    let path = generated_dir().join(name);
    std::fs::write(&path, contents).unwrap();
    path.display().to_string()
}

fn check(name: &str, text: String) -> Run {
    let file = write(name, text);
    run_generated(&common::stem(name), &["check", &file], &[1])
}

/// JSON lines that start with a byte-order mark (as Windows tools write them) decode as
/// whole case files do, from a file and from standard input.
#[test]
fn json_lines_with_a_byte_order_mark() {
    let line = r#"{"as_of":"2025-06-10","policy":"chnv_parole","applicant":{"nationality":"US"}}"#;
    let text = format!("\u{feff}{line}\n{line}\n");
    let file = write("bom.jsonl", &text);
    let plain =
        pol(&["eval", "--format", "json", &write("plain.jsonl", format!("{line}\n{line}\n"))]);
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    let from_file = pol(&["eval", "--format", "json", &file]);
    assert_eq!(from_file.code, 0, "{}", from_file.stderr);
    assert_eq!(from_file.stdout, plain.stdout);
    let from_stdin = common::pol_in(&common::root(), &["eval", "--format", "json", "-"], &text);
    assert_eq!(from_stdin.stdout, plain.stdout, "{}", from_stdin.stderr);
}

#[test]
fn ten_thousand_nested_brackets() {
    let deep = format!("{}x{}", "(".repeat(10_000), ")".repeat(10_000));
    let run = check(
        "deep_nesting.pol",
        format!("fact x: bool \"x\"\npolicy p \"q\" {{\n  require r: {deep} cite \"c\"\n}}\n"),
    );
    assert!(run.stderr.contains(&format!("pol::{}", codes::NESTING_TOO_DEEP)));
}

/// Regression: miette panics on a label more than 65,535 columns into a line; reports now
/// show a window of a long line.
#[test]
fn a_megabyte_line() {
    let run = check("long_line.pol", format!("fact x: bool \"{}\" oops\n", "a".repeat(1 << 20)));
    assert!(run.stderr.contains("`oops`"));
    let file = write(
        "long_line.json",
        format!(
            "{{\"as_of\": \"2025-06-10\", \"policy\": \"advance_parole\", \"id\": \"{}\", \"bogus\": 1}}",
            "a".repeat(1 << 20)
        ),
    );
    let run = run_generated("long_line_case", &["eval", &file], &[1]);
    assert!(run.stderr.contains("`bogus`"));
}

#[test]
fn a_huge_file_with_one_error_at_the_end() {
    let mut text = String::from("fact x: bool \"x\"\n");
    for i in 0..20_000 {
        text.push_str(&format!("# line {i} of a long file\n"));
    }
    text.push_str("policy p \"q\" {\n  require r: x = true cite \"c\"\n}\n");
    let run = check("huge.pol", text);
    assert_contains(&run.stderr, "huge.pol:20003:");
}

#[test]
fn five_thousand_chained_lets_and_a_long_sum() {
    let mut text = String::from("fact x: bool \"x\"\nlet l0 = x\n");
    for i in 1..5_000 {
        text.push_str(&format!("let l{i} = l{} and x\n", i - 1));
    }
    text.push_str("policy p \"q\" {\n  require r: l4999 cite \"c\"\n}\n");
    assert!(check("let_chain.pol", text).stderr.contains(&format!("pol::{}", codes::TOO_DEEP)));
    let sum = vec!["1"; 100_000].join(" + ");
    let text = format!(
        "fact n: integer \"n\"\npolicy p \"q\" {{\n  require r: n == {sum} cite \"c\"\n}}\n"
    );
    assert!(check("long_sum.pol", text).stderr.contains(&format!("pol::{}", codes::TOO_DEEP)));
}

#[test]
fn ten_thousand_nested_arrays_in_a_case() {
    let file = write(
        "deep.json",
        format!(
            "{{\"as_of\": \"2025-06-10\", \"policy\": \"advance_parole\", \"applicant\": {{\"pending\": {}{}}}}}",
            "[".repeat(10_000),
            "]".repeat(10_000)
        ),
    );
    run_generated("deep_case", &["eval", &file], &[1]);
    let yaml = write(
        "deep.yaml",
        format!(
            "as_of: \"2025-06-10\"\npolicy: advance_parole\napplicant: {}{}\n",
            "[".repeat(10_000),
            "]".repeat(10_000)
        ),
    );
    run_generated("deep_case_yaml", &["eval", &yaml], &[1]);
}

#[test]
fn a_batch_with_one_bad_line_among_a_thousand() {
    let mut text = String::new();
    for i in 0..1_000 {
        if i == 500 {
            text.push_str("{\"as_of\": \"2025-06-10\", \"policy\": \"advance_parole\", \"applicant\": {\"status\": \"tpss\"}}\n");
        } else {
            text.push_str(&format!(
                "{{\"id\": \"c{i}\", \"as_of\": \"2025-06-10\", \"policy\": \"advance_parole\", \"applicant\": {{\"location\": \"outside_us\"}}}}\n"
            ));
        }
    }
    let file = write("batch.jsonl", text);
    let args = ["eval", "--format", "json", file.as_str()];
    let run = pol(&args);
    assert_survives(&args, &run, &[1]);
    assert_eq!(
        run.stdout.lines().count(),
        1000,
        "the good cases are decided, the bad one answered in its place"
    );
    let bad = run.stdout.lines().nth(500).unwrap_or_default();
    assert!(bad.starts_with("{\"line\":501,\"error\":"), "{bad}");
    assert_contains(&run.stderr, "batch.jsonl:501:");
}

#[test]
fn a_directory_where_a_file_was_expected() {
    let dir = generated_dir().join("a_directory.json");
    std::fs::create_dir_all(&dir).unwrap();
    let dir = dir.display().to_string();
    // `eval` reads a directory's case files (none here); `explain` takes one file.
    run_generated("directory_as_case", &["eval", &dir], &[2]);
    run_generated("directory_as_explain_case", &["explain", &dir], &[2]);
    let empty = generated_dir().join("no_policies_here");
    std::fs::create_dir_all(&empty).unwrap();
    let empty = empty.display().to_string();
    run_generated("directory_without_policies", &["check", &empty], &[2]);
    let case = "examples/cases/honduran_nurse_humanitarian.json";
    run_generated(
        "policies_directory_without_policies",
        &["eval", "--policies", &empty, case],
        &[2],
    );
    run_generated(
        "missing_file",
        &["eval", "tests/data/bad-input/no-such-file.json"],
        // A path that cannot be read is misuse (docs/cli.md, "Exit status").
        &[2],
    );
}

#[test]
fn an_unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let file =
        write("unreadable.json", "{\"as_of\": \"2025-06-10\", \"policy\": \"advance_parole\"}");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&file).is_ok() {
        // Running as root: permissions do not stop reading, so there is nothing to test.
        let _ = std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644));
        return;
    }
    let args = ["eval", file.as_str()];
    let run = pol(&args);
    let _ = std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644));
    assert_survives(&args, &run, &[2]);
    assert_contains(&run.stderr, "cannot read the file");
}

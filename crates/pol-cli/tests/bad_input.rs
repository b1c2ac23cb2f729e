//! The bad-input corpus: whatever `pol` is given, it answers with a diagnostic and a
//! documented exit status (CASES.md: 0 all decided, 1 bad input, 2 misuse or policies that
//! do not compile), never a panic (101) or a signal, and never dumps a huge input back.
//!
//! Committed inputs live in `tests/data/bad-input/{policies,cases}`; large ones are
//! generated here at run time. Every transcript is snapshotted.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};

use common::{pol, Run};

/// A fixture's snapshot name: its file name, extension included (`empty.json` and
/// `empty.yaml` are different inputs).
#[allow(dead_code)]
fn name_of(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().replace('.', "_"))
        .unwrap_or_default()
}

/// Diagnostics are bounded whatever the input's size.
const MAX_OUTPUT: usize = 64 * 1024;

fn assert_survives(args: &[&str], run: &Run, allowed: &[i32]) {
    let what = args.join(" ");
    assert!(
        run.code != 101 && run.code >= 0,
        "`pol {what}` crashed (exit {}):\n{}",
        run.code,
        run.stderr
    );
    assert!(
        !run.stderr.contains("panicked"),
        "`pol {what}` panicked:\n{}",
        run.stderr
    );
    assert!(
        allowed.contains(&run.code),
        "`pol {what}` exited {}, expected one of {allowed:?}:\n{}",
        run.code,
        run.stderr
    );
    assert!(
        run.stderr.len() < MAX_OUTPUT,
        "`pol {what}` printed {} bytes of diagnostics",
        run.stderr.len()
    );
}

/// A directory for generated inputs; transcripts show it as `<generated>`.
fn generated_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bad-input");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run_generated(name: &str, args: &[&str], allowed: &[i32]) -> Run {
    let run = pol(args);
    assert_survives(args, &run, allowed);
    let dir = generated_dir().display().to_string();
    let transcript = run.transcript(args).replace(&dir, "<generated>");
    insta::assert_snapshot!(format!("generated__{name}"), transcript);
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

/// Regression: miette panics on a label more than 65,535 columns into a line; reports now
/// show a window of a long line.
#[test]
fn a_megabyte_line() {
    let run = check(
        "long_line.pol",
        format!("fact x: bool \"{}\" oops\n", "a".repeat(1 << 20)),
    );
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

//! Colour goes only where it belongs: decided for standard output and standard error each
//! on its own, from whether that stream is a terminal and from the environment. A real
//! pseudo-terminal comes from util-linux `script` (Debian's essential `bsdutils`).

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::root;

const CASE: &str = "examples/cases/h1b_engineer_pending_green_card_advance_parole.json";
const ESC: char = '\u{1b}';

/// `pol` with a clean colour environment: a colour terminal type, and none of the
/// variables that force or forbid colour (the test runner may have any of them).
fn command(program: &str) -> Command {
    let mut c = Command::new(program);
    c.current_dir(root()).env("TERM", "xterm-256color").env_remove("POL_POLICIES");
    for var in
        ["NO_COLOR", "CLICOLOR_FORCE", "FORCE_COLOR", "CLICOLOR", "COLORTERM", "IGNORE_IS_TERMINAL"]
    {
        c.env_remove(var);
    }
    c
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Runs `pol ARGS` inside a pseudo-terminal (its standard input, output and error are the
/// terminal unless `redirect` sends standard output to a file), with `env` set; returns
/// what the terminal showed and what went to the file.
fn in_terminal(args: &[&str], env: &[(&str, &str)], redirect: Option<&Path>) -> (String, String) {
    let mut line = shell_quote(env!("CARGO_BIN_EXE_pol"));
    for a in args {
        line.push(' ');
        line.push_str(&shell_quote(a));
    }
    if let Some(file) = redirect {
        line.push_str(" > ");
        line.push_str(&shell_quote(&file.to_string_lossy()));
    }
    let mut c = command("script");
    c.args(["-qec", &line, "/dev/null"]);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap_or_else(|e| {
        panic!(
            "cannot run `script` (util-linux, Debian package bsdutils) for a pseudo-terminal: {e}"
        )
    });
    let file = redirect.map(|f| std::fs::read_to_string(f).unwrap_or_default()).unwrap_or_default();
    (String::from_utf8_lossy(&out.stdout).into_owned(), file)
}

/// `pol ARGS` with standard output and error piped to this test, `env` set.
fn piped(args: &[&str], env: &[(&str, &str)]) -> (String, String) {
    let mut c = command(env!("CARGO_BIN_EXE_pol"));
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pol-colour-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("out.txt")
}

/// The terminal shows colour, so the checks below that find none mean something.
#[test]
fn a_terminal_gets_colour() {
    let (shown, _) = in_terminal(&["explain", CASE], &[], None);
    assert!(shown.contains(ESC), "no colour on a terminal:\n{shown}");
    assert!(shown.contains("advance_parole"), "{shown}");
}

/// `pol explain case.json > file` in a terminal: the file gets no escape code.
#[test]
fn output_redirected_to_a_file_is_plain() {
    let file = scratch("redirect");
    let (_, written) = in_terminal(&["explain", CASE], &[], Some(&file));
    assert!(written.contains("advance_parole"), "{written}");
    assert!(!written.contains(ESC), "escape codes in the file:\n{written}");
}

/// Standard error is decided on its own: with standard output in a file, a report on the
/// terminal is still coloured, and the file still plain.
#[test]
fn each_stream_is_decided_on_its_own() {
    let file = scratch("streams");
    let bad = root().join("tests/data/cases/err/unknown_field.json");
    let (shown, written) =
        in_terminal(&["eval", "--format", "json", &bad.to_string_lossy()], &[], Some(&file));
    assert!(shown.contains(ESC), "the report on the terminal is plain:\n{shown}");
    assert!(written.contains("\"error\""), "{written}");
    assert!(!written.contains(ESC), "{written}");
}

/// `CLICOLOR_FORCE`, `FORCE_COLOR` and `--color always` colour even into a pipe.
#[test]
fn colour_can_be_forced_into_a_pipe() {
    let (plain, _) = piped(&["explain", CASE], &[]);
    assert!(!plain.contains(ESC), "colour in a pipe:\n{plain}");
    for env in [[("CLICOLOR_FORCE", "1")], [("FORCE_COLOR", "1")]] {
        let (out, _) = piped(&["explain", CASE], &env);
        assert!(out.contains(ESC), "{env:?} did not force colour:\n{out}");
    }
    let (out, _) = piped(&["--color", "always", "explain", CASE], &[]);
    assert!(out.contains(ESC), "--color always:\n{out}");
    let (_, err) =
        piped(&["--color", "always", "eval", "tests/data/cases/err/unknown_field.json"], &[]);
    assert!(err.contains(ESC), "--color always on standard error:\n{err}");
    let (out, _) = piped(&["explain", CASE], &[("FORCE_COLOR", "0")]);
    assert!(!out.contains(ESC), "FORCE_COLOR=0 forced colour:\n{out}");
}

/// `NO_COLOR`, `TERM=dumb` and `--color never` keep even a terminal plain.
#[test]
fn colour_can_be_refused_on_a_terminal() {
    for (args, env) in [
        (vec!["explain", CASE], vec![("NO_COLOR", "1")]),
        (vec!["explain", CASE], vec![("TERM", "dumb")]),
        (vec!["--color", "never", "explain", CASE], vec![]),
        // The flag outranks the environment.
        (vec!["--color", "never", "explain", CASE], vec![("FORCE_COLOR", "1")]),
    ] {
        let (shown, _) = in_terminal(&args, &env, None);
        assert!(shown.contains("advance_parole"), "{args:?} {env:?}:\n{shown}");
        assert!(!shown.contains(ESC), "{args:?} {env:?}: colour on the terminal:\n{shown}");
    }
}

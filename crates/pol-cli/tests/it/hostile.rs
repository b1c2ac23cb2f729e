//! The hostile-input suite (issue 15): the attacks of an attacker and a fault injector,
//! replayed at sizes CI can afford. Each asserts the exit status, the message, and that
//! nothing else was touched (docs/cli.md, "Exit status", "Limits", "Which files pol
//! reads").

use crate::common;

use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{assert_contains, assert_lacks, pol_command, root, Run};

/// A policy `pol fmt` rewrites (the rule is not indented).
const UNFORMATTED: &str = "fact a: bool \"a\"\npolicy p \"q\" {\nrequire r: a cite \"c\"\n}\n";

/// Held while a child is spawned. A child forked by another test thread holds copies of
/// this process's pipe ends until it execs; a closed-pipe test must be sure no such copy of
/// its read end is alive, or a write may succeed into the pipe's buffer.
static SPAWN: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn spawn(cmd: &mut Command) -> std::process::Child {
    let _held = SPAWN.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    cmd.spawn().unwrap()
}

/// Runs `pol` in `dir`, killed (and the test failed) past `limit`.
fn run_within(dir: &Path, args: &[&str], limit: Duration) -> Run {
    let mut child = spawn(pol_command(dir, args).stdout(Stdio::piped()).stderr(Stdio::piped()));
    // Read both streams on threads, so a chatty child cannot block on a full pipe.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut s).unwrap();
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut s).unwrap();
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`pol {}` did not end within {limit:?}", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err.join().unwrap()).into_owned(),
    }
}

fn pol_at(dir: &Path, args: &[&str]) -> Run {
    run_within(dir, args, Duration::from_secs(60))
}

/// Runs `pol` with its standard output (or error) sent to `/dev/full`.
fn into_full(args: &[&str], stderr_full: bool) -> Run {
    let full = || std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let mut cmd = pol_command(&root(), args);
    if stderr_full {
        cmd.stdout(Stdio::piped()).stderr(full());
    } else {
        cmd.stdout(full()).stderr(Stdio::piped());
    }
    let child = spawn(&mut cmd);
    Run::from(child.wait_with_output().unwrap())
}

/// Runs `pol` with its standard output a pipe whose reader is gone before `pol` starts (so
/// the outcome does not depend on how fast either side runs).
fn into_closed_pipe(args: &[&str]) -> Run {
    let held = SPAWN.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let child = pol_command(&root(), args).stdout(writer).stderr(Stdio::piped()).spawn().unwrap();
    drop(held);
    Run::from(child.wait_with_output().unwrap())
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

/// A project: `pol.toml` and `policies/` holding `files`.
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempdir();
    write(&dir.path().join("pol.toml"), "policies = \"policies\"\ntests = \"tests\"\n");
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    for (name, text) in files {
        write(&dir.path().join("policies").join(name), text);
    }
    dir
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

const CASE: &str = "examples/cases/citizen_spouse_before_halt_family_pip.json";

#[test]
fn a_closed_pipe_ends_quietly_with_141() {
    let commands: [&[&str]; 4] = [
        &["check", "--format", "sarif", "policies"],
        &["test"],
        &["explain", CASE],
        &["eval", "--format", "json", CASE],
    ];
    for args in commands {
        for _ in 0..3 {
            let run = into_closed_pipe(args);
            assert_eq!(run.code, 141, "pol {}: {}", args.join(" "), run.stderr);
            assert_lacks(&run.stderr, "panicked");
        }
    }
}

#[test]
fn a_full_disk_is_one_line_and_exit_2() {
    let commands: [&[&str]; 4] = [
        &["check", "--format", "sarif", "policies"],
        &["test"],
        &["explain", CASE],
        &["eval", CASE],
    ];
    for args in commands {
        let run = into_full(args, false);
        assert_eq!(run.code, 2, "pol {}: {}", args.join(" "), run.stderr);
        assert_eq!(
            run.stderr.matches("error: cannot write to standard output").count(),
            1,
            "{}",
            run.stderr
        );
        // Never blamed on the input.
        assert_lacks(&run.stderr, "cannot read");
    }
    // Standard error full: the status says it alone.
    let run = into_full(&["check", "no/such/dir"], true);
    assert_eq!(run.code, 2);
    let run = into_full(&["eval", "tests/data/bad-input/cases/feb_30.json"], true);
    assert_eq!(run.code, 2);
}

#[test]
fn a_huge_jobs_count_is_clamped() {
    let dir = tempdir();
    let lines = root().join("tests/data/bad-input/cases/mixed_lines.jsonl");
    let file = dir.path().join("cases.jsonl");
    std::fs::copy(lines, &file).unwrap();
    let file = file.display().to_string();
    let diff = ["diff", "policies", "policies", "--no-synthesis", "--cases", &file];
    for command in [&["eval", "--format", "json", &file][..], &diff[..]] {
        let one = pol_at(&root(), &[command, &["--jobs", "1"]].concat());
        for jobs in ["4611686018427387904", "1000000", "18446744073709551615"] {
            let many = run_within(
                &root(),
                &[command, &["--jobs", jobs]].concat(),
                Duration::from_secs(20),
            );
            assert_eq!(many.code, one.code, "{command:?}: {}", many.stderr);
            assert_eq!(many.stdout, one.stdout, "{command:?}");
        }
    }
}

#[test]
fn link_loops_and_fifos_end_with_one_message_each() {
    let dir = project(&[("a.pol", "fact a: bool \"a\"\n")]);
    let policies = dir.path().join("policies");
    symlink(".", policies.join("loop1")).unwrap();
    symlink(".", policies.join("loop2")).unwrap();
    let made = spawn(Command::new("mkfifo").arg(policies.join("pipe.pol"))).wait().unwrap();
    assert!(made.success());
    for args in [&["check"][..], &["fmt", "--check"], &["check", "--policies", "policies"]] {
        let run = run_within(dir.path(), args, Duration::from_secs(10));
        assert_eq!(run.code, 2, "pol {}: {}", args.join(" "), run.stderr);
        assert_eq!(run.stderr.matches("a loop").count(), 2, "{}", run.stderr);
        assert_eq!(run.stderr.matches("a FIFO (named pipe)").count(), 1, "{}", run.stderr);
    }
}

#[test]
fn endless_inputs_stop_at_a_limit() {
    let run = run_within(&root(), &["check", "/dev/zero"], Duration::from_secs(20));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_contains(&run.stderr, "larger than 16 MiB");
    // JSON lines that never end a line: the line is reported, the stream given up.
    let dir = tempdir();
    symlink("/dev/zero", dir.path().join("zero.jsonl")).unwrap();
    let run = run_within(
        dir.path(),
        &["eval", "--policies", &root().join("policies").display().to_string(), "zero.jsonl"],
        Duration::from_secs(30),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_contains(&run.stderr, "longer than 8 MiB");
    // `pol diff` reads a corpus of JSON lines the same way (it once held the whole line).
    let policies = root().join("policies").display().to_string();
    let run = run_within(
        dir.path(),
        &["diff", &policies, &policies, "--cases", "zero.jsonl"],
        Duration::from_secs(30),
    );
    assert_contains(&run.stderr, "zero.jsonl:1: the line is longer than 8 MiB");
    assert_contains(&run.stderr, "runs on past 256 MiB");
    // A line just over the limit that does end is refused by both, at its line.
    let long = dir.path().join("long.jsonl");
    write(&long, &format!("\n{}\n", "x".repeat((8 << 20) + 10)));
    for args in [
        &["eval", "--policies", &policies, "long.jsonl"][..],
        &["diff", &policies, &policies, "--cases", "long.jsonl"],
    ] {
        let run = run_within(dir.path(), args, Duration::from_secs(30));
        assert_contains(&run.stderr, "long.jsonl:2: the line is longer than 8 MiB");
    }
    // A case document: refused past its limit, in its place (a finding about the input).
    let big = dir.path().join("big.json");
    write(&big, &format!("{{\"id\": \"{}\"}}", "x".repeat(9 << 20)));
    let run = pol_at(&root(), &["eval", &big.display().to_string()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_contains(&run.stderr, "larger than 8 MiB");
}

#[test]
fn files_outside_the_project_are_refused_without_quoting_them() {
    let outside = tempdir();
    let secret = outside.path().join("shadow");
    write(&secret, "root:SECRET-HASH:20228:0:99999:7:::\n");
    write(&outside.path().join("outside.pol"), "fact leaked: bool \"SECRET-FACT\"\n");
    let dir = project(&[(
        "main.pol",
        "import \"x.pol\"\nfact a: bool \"a\"\npolicy p \"q\" {\n  require r: a cite \"c\"\n}\n",
    )]);
    symlink(&secret, dir.path().join("policies/x.pol")).unwrap();
    let run = pol_at(dir.path(), &["check"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_contains(&run.stderr, "lies outside");
    assert_lacks(&run.stderr, "SECRET");
    assert_lacks(&run.stderr, "shadow");
    // The refusal is the import's one error: the file is not "missing" as well.
    assert_lacks(&run.stderr, "cannot find the imported file");
    // Named on the command line, the link is refused all the same.
    let run = pol_at(dir.path(), &["check", "policies/x.pol"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_contains(&run.stderr, "lies outside");
    assert_lacks(&run.stderr, "SECRET");
    // `..` out of the project.
    let rel = pathdiff(outside.path(), &dir.path().join("policies"));
    let dir =
        project(&[("main.pol", &format!("import \"{rel}/outside.pol\"\nfact a: bool \"a\"\n"))]);
    let run = pol_at(dir.path(), &["check"]);
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert_contains(&run.stderr, "lies outside");
    assert_lacks(&run.stderr, "SECRET");
    assert_lacks(&run.stderr, "cannot find the imported file");
}

/// `to` relative to `from`, through `..`.
fn pathdiff(to: &Path, from: &Path) -> String {
    let to = to.canonicalize().unwrap();
    let from = from.canonicalize().unwrap();
    let up = from.components().count() - 1;
    format!("{}{}", "../".repeat(up), to.display().to_string().trim_start_matches('/'))
        .trim_end_matches('/')
        .to_string()
}

#[test]
fn control_characters_are_shown_not_obeyed() {
    let dir = tempdir();
    let case = dir.path().join("case.json");
    write(
        &case,
        "{\"as_of\": \"2025-06-10\", \"policy\": \"advance_parole\", \"\\u001b]0;owned\\u0007\\u001b[31m\": 1}",
    );
    let run = pol_at(&root(), &["eval", &case.display().to_string()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!run.stderr.contains('\u{1b}'), "{:?}", run.stderr);
    assert!(!run.stderr.contains('\u{7}'), "{:?}", run.stderr);
    assert_contains(&run.stderr, "\\u{1b}");
    // Raw bytes in a policy's source line, under an error.
    let policy = dir.path().join("p.pol");
    write(&policy, "fact a: bool \"\u{1b}[2J\" oops\n");
    let run = pol_at(&root(), &["check", &policy.display().to_string()]);
    assert_ne!(run.code, 0);
    assert!(!run.stderr.contains('\u{1b}'), "{:?}", run.stderr);
}

#[test]
fn fmt_overwrites_nothing_through_a_planted_link() {
    let victim_dir = tempdir();
    let victim = victim_dir.path().join("victim");
    write(&victim, "precious\n");
    let dir = tempdir();
    let file = dir.path().join("a.pol");
    write(&file, UNFORMATTED);
    // The names the temporary file once had (`.NAME.pol-fmt-PID`), for many a PID.
    for pid in 1..200 {
        symlink(&victim, dir.path().join(format!(".a.pol.pol-fmt-{pid}"))).unwrap();
    }
    let before = listing(dir.path());
    let run = pol_at(dir.path(), &["fmt", "a.pol"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    assert_ne!(std::fs::read_to_string(&file).unwrap(), UNFORMATTED);
    // No temporary file left behind.
    assert_eq!(listing(dir.path()), before);
}

#[test]
fn fmt_leaves_a_read_only_file_alone() {
    let dir = tempdir();
    let file = dir.path().join("a.pol");
    write(&file, UNFORMATTED);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o444)).unwrap();
    let run = pol_at(dir.path(), &["fmt", "a.pol"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_contains(&run.stderr, "read-only");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), UNFORMATTED);
    assert_eq!(listing(dir.path()), ["a.pol"]);
}

#[test]
fn fmt_formats_a_link_through_and_keeps_it() {
    let dir = tempdir();
    write(&dir.path().join("real.pol"), UNFORMATTED);
    symlink("real.pol", dir.path().join("link.pol")).unwrap();
    let run = pol_at(dir.path(), &["fmt", "link.pol"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let link = std::fs::symlink_metadata(dir.path().join("link.pol")).unwrap();
    assert!(link.file_type().is_symlink());
    assert_ne!(std::fs::read_to_string(dir.path().join("real.pol")).unwrap(), UNFORMATTED);
    assert_eq!(listing(dir.path()), ["link.pol", "real.pol"]);
}

#[test]
fn fmt_keeps_crlf_and_a_byte_order_mark() {
    let dir = tempdir();
    let file = dir.path().join("a.pol");
    let text = format!("\u{feff}{}", UNFORMATTED.replace('\n', "\r\n"));
    write(&file, &text);
    let run = pol_at(dir.path(), &["fmt", "a.pol"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let after = std::fs::read_to_string(&file).unwrap();
    assert_ne!(after, text);
    assert!(after.starts_with('\u{feff}'), "{after:?}");
    assert_eq!(after.matches('\n').count(), after.matches("\r\n").count(), "{after:?}");
    // Formatted once, it stays as it is.
    let run = pol_at(dir.path(), &["fmt", "--check", "a.pol"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn an_overflow_never_decides_an_unknown() {
    let dir = tempdir();
    write(
        &dir.path().join("overflow.pol"),
        "fact age: integer \"age\"\nfact days: days \"days\"\n\
         policy p \"q\" {\n  require age_max: age < 9223372036854775807 cite \"c\"\n  \
         exclude long: days + 9223372036854775807 days > 0 days cite \"c\"\n}\n",
    );
    write(&dir.path().join("case.json"), "{\"as_of\": \"2025-06-10\", \"policy\": \"p\"}");
    let run = pol_at(dir.path(), &["eval", "--policies", ".", "--format", "json", "case.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let record: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(record["decision"], "incomplete");
    let mut missing: Vec<&str> =
        record["missing"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    missing.sort_unstable();
    assert_eq!(missing, ["age", "days"]);
}

#[test]
fn batch_errors_on_standard_error_are_capped() {
    let dir = tempdir();
    let file = dir.path().join("bad.jsonl");
    write(&file, &"{\"bogus\": 1}\n".repeat(500));
    let run = pol_at(&root(), &["eval", "--format", "json", &file.display().to_string()]);
    assert_eq!(run.code, 1);
    // Every error has its place on standard output; standard error stops at 100.
    assert_eq!(run.stdout.lines().count(), 500);
    assert_eq!(run.stderr.matches("pol::E").count(), 100, "{}", run.stderr);
    assert_contains(&run.stderr, "and 400 more");
}

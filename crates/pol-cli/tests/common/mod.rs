//! Running the `pol` binary from tests, at the workspace root, without colour.

// Not every test file uses every helper; a helper that cannot do its job fails the test.
#![allow(dead_code, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap_or_default()
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Run {
    /// The command, its exit status and its output, as a snapshot shows them, with what
    /// changes whenever a shipped policy does redacted (see [`redact_shipped`]).
    pub fn transcript(&self, args: &[&str]) -> String {
        let mut s = format!("$ pol {}\nexit: {}\n", args.join(" "), self.code);
        if !self.stdout.is_empty() {
            s.push_str("--- stdout\n");
            s.push_str(&self.stdout);
        }
        if !self.stderr.is_empty() {
            s.push_str("--- stderr\n");
            s.push_str(&self.stderr);
        }
        redact_shipped(&s)
    }
}

/// Runs `pol args...` in the workspace root with `stdin` as standard input.
pub fn pol_with_stdin(args: &[&str], stdin: &str) -> Run {
    pol_in(&root(), args, stdin)
}

/// Runs `pol args...` in `dir` with `stdin` as standard input.
pub fn pol_in(dir: &Path, args: &[&str], stdin: &str) -> Run {
    let mut child = pol_command(dir, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run pol: {e}"));
    if let Some(mut input) = child.stdin.take() {
        use std::io::Write;
        let _ = input.write_all(stdin.as_bytes());
    }
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("pol did not finish: {e}"));
    Run::from(out)
}

/// `pol args...` as every test runs it: in `dir`, without colour, blind to a
/// `POL_POLICIES` set where the tests run, with nothing on standard input (the caller
/// sets the streams it reads or writes).
pub fn pol_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pol"));
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("POL_POLICIES")
        .stdin(Stdio::null());
    command
}

/// Fails, showing the whole text, unless `text` contains `needle`.
#[track_caller]
pub fn assert_contains(text: &str, needle: &str) {
    assert!(text.contains(needle), "expected {needle:?} in:\n{text}");
}

/// Fails, showing the whole text, if `text` contains `needle`.
#[track_caller]
pub fn assert_lacks(text: &str, needle: &str) {
    assert!(!text.contains(needle), "unexpected {needle:?} in:\n{text}");
}

pub fn pol(args: &[&str]) -> Run {
    pol_with_stdin(args, "")
}

/// Files directly under `dir` (relative to the root), sorted, as root-relative paths.
pub fn files(dir: &str) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root().join(dir))
        .unwrap_or_else(|e| panic!("cannot list {dir}: {e}"))
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| format!("{dir}/{}", e.file_name().to_string_lossy()))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no fixtures in {dir}");
    out
}

/// A path given by a data-driven test (relative to this crate, or absolute) as the
/// repository-relative path `pol` is given and its transcripts show.
pub fn repo_path(path: &Path) -> String {
    let absolute = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let relative = absolute.strip_prefix(root()).unwrap_or(&absolute);
    relative.to_string_lossy().replace('\\', "/")
}

/// The diagnostic codes a transcript shows (`pol::E0201`), in order of appearance.
pub fn codes_in(text: &str) -> Vec<String> {
    text.match_indices("pol::")
        .filter_map(|(i, _)| text.get(i + 5..i + 10))
        .map(str::to_string)
        .collect()
}

/// A fixture's snapshot name: its file name, extension included (`empty.json` and
/// `empty.yaml` are different inputs).
pub fn name_of(path: &str) -> String {
    Path::new(path).file_name().map(|n| n.to_string_lossy().replace('.', "_")).unwrap_or_default()
}

/// Diagnostics are bounded whatever the input's size.
const MAX_OUTPUT: usize = 64 * 1024;

/// `pol args` survived its input: no crash or panic, an exit status in `allowed`, and
/// bounded diagnostics.
pub fn assert_survives(args: &[&str], run: &Run, allowed: &[i32]) {
    let what = args.join(" ");
    assert!(
        run.code != 101 && run.code >= 0,
        "`pol {what}` crashed (exit {}):\n{}",
        run.code,
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "`pol {what}` panicked:\n{}", run.stderr);
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

pub fn stem(path: &str) -> String {
    Path::new(path).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// `text` without what changes when a shipped policy changes in a way the test is not
/// about: the policy set's digest (`sha256:…`), and the positions of places in
/// `policies/` (in `file:line:col`, in a JSON line that names a shipped file, and in the
/// gutter of a source snippet from a shipped file). A comment line added to a shipped
/// policy then fails no snapshot; fixture policies keep their numbers.
pub fn redact_shipped(text: &str) -> String {
    use regex::Regex;
    use std::sync::OnceLock;
    static RULES: OnceLock<[(Regex, &str); 3]> = OnceLock::new();
    let rules = RULES.get_or_init(|| {
        let re = |r: &str| Regex::new(r).unwrap_or_else(|e| panic!("{r}: {e}"));
        // The shipped files by name: a message may wrap a path before `facts.pol:70`.
        let mut names: Vec<String> = std::fs::read_dir(root().join("policies"))
            .map(|entries| {
                entries
                    .flatten()
                    .filter_map(|e| {
                        let name = e.file_name().to_string_lossy().to_string();
                        name.strip_suffix(".pol").map(regex::escape)
                    })
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        [
            (re(r"sha256:[0-9a-f]{64}"), "sha256:[digest]"),
            (
                // `policies/` itself (or a shipped name alone), not a fixture directory.
                re(&format!(
                    r"(?m)(^|[^/\w.-])((?:policies/)?(?:{})\.pol):[0-9]+(:[0-9]+)?",
                    names.join("|")
                )),
                "$1$2:[line]",
            ),
            (
                // The list of the shipped policies in a help, however it wraps.
                re(r"(the policies are: )advance_parole[\w, ]*(\n {8}\w[\w, ]*)*"),
                "$1[the shipped policies]",
            ),
        ]
    });
    // A JSON line that names a shipped file: every position in it is in a shipped file
    // (reasons, trace entries and their conditions).
    static POSITION: OnceLock<Regex> = OnceLock::new();
    let position = POSITION.get_or_init(|| {
        Regex::new(r#""(line|column|start|end)":([0-9]+)"#).unwrap_or_else(|e| panic!("{e}"))
    });
    let text: String = text
        .split_inclusive('\n')
        .map(|line| {
            if line.starts_with('{') && line.contains(r#""file":"policies/"#) {
                position.replace_all(line, r#""$1":"[n]""#).into_owned()
            } else {
                line.to_string()
            }
        })
        .collect();
    let mut out = text;
    for (re, with) in rules {
        out = re.replace_all(&out, *with).into_owned();
    }
    // Gutters of snippets quoted from a shipped file: ` 56 │ ...` between its header
    // (`╭─[policies/x.pol:[line]]`) and its end (`╰─`).
    static GUTTER: OnceLock<Regex> = OnceLock::new();
    let gutter =
        GUTTER.get_or_init(|| Regex::new(r"^(\s*[0-9]+) │").unwrap_or_else(|e| panic!("{e}")));
    let mut in_shipped = false;
    let mut lines = Vec::new();
    for line in out.split_inclusive('\n') {
        if line.contains("╭─[") {
            in_shipped = line.contains("╭─[policies/");
        } else if line.trim_start().starts_with("╰─") {
            in_shipped = false;
        }
        if in_shipped {
            // `N`, right-aligned in the gutter's width.
            let line = gutter
                .replace(line, |c: &regex::Captures<'_>| format!("{:>1$} │", "N", c[1].len()));
            lines.push(line.into_owned());
        } else {
            lines.push(line.to_string());
        }
    }
    lines.concat()
}

/// The JSON values of a JSON Lines text.
pub fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {e}\n{l}")))
        .collect()
}

/// A project in `dir` whose one policy, `policies/p.pol`, imports its fact from
/// `shared/facts.pol`, outside the policy directory; its test (`tests/p.yaml`) expects a
/// young applicant to be eligible. Returns the shared file, for a test to edit.
pub fn project_with_a_shared_import(dir: &Path) -> PathBuf {
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        let written = std::fs::create_dir_all(path.parent().unwrap_or(dir))
            .and_then(|()| std::fs::write(&path, text));
        if let Err(e) = written {
            panic!("cannot write {}: {e}", path.display());
        }
        path
    };
    write("pol.toml", "policies = \"policies\"\ntests = \"tests\"\n");
    write(
        "policies/p.pol",
        "import \"../shared/facts.pol\"\npolicy p \"P\" {\n  require r: young cite \"c\" says \"s\"\n}\n",
    );
    write(
        "tests/p.yaml",
        "tests:\n  - name: young\n    case: {as_of: 2025-01-01, policy: p, young: true}\n    expect: {decision: eligible}\n",
    );
    write("shared/facts.pol", "fact young: bool \"is young\"\n")
}

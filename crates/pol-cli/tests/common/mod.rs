//! Running the `pol` binary from tests, at the workspace root, without colour.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_default()
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The command, its exit status and its output, as a snapshot shows them.
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
        s
    }
}

/// Runs `pol args...` in the workspace root with `stdin` as standard input.
pub fn pol_with_stdin(args: &[&str], stdin: &str) -> Run {
    pol_in(&root(), args, stdin)
}

/// Runs `pol args...` in `dir` with `stdin` as standard input.
pub fn pol_in(dir: &Path, args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pol"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("POL_POLICIES")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run pol: {e}"));
    if let Some(mut input) = child.stdin.take() {
        use std::io::Write;
        let _ = input.write_all(stdin.as_bytes());
    }
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("pol did not finish: {e}"));
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
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

pub fn stem(path: &str) -> String {
    Path::new(path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

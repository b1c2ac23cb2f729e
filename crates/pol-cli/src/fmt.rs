//! `pol fmt`: rewrite policy files in the canonical layout, atomically; or only say which
//! are not formatted (`--check`), or show the changes as a unified diff (`--diff`). `pol fmt
//! -` formats standard input to standard output, for format-on-save and pre-commit hooks.
//!
//! Rewriting a file never loses or clobbers what the user wrote (docs/cli.md, "pol fmt"):
//! - the new text is written to a temporary file created in the same directory with a
//!   random name and `O_CREAT | O_EXCL` (`tempfile`), so a link planted under a predictable
//!   name cannot redirect the write; it takes the file's permissions through its own
//!   handle, and is removed on every path out that can run (drop);
//! - just before the rename, the file is read again, and when its bytes, length or
//!   modification time changed since it was read (an editor saved, a line was appended),
//!   the new text is dropped and the file left as it is;
//! - a read-only file is not rewritten;
//! - a symbolic link is formatted through: its target (inside the project, as every file
//!   `pol` reads) is rewritten, and the link stays a link;
//! - a byte-order mark and CRLF line ends are kept.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use pol_engine::{limits, load, PolicySource};

use crate::{emit, out, Exit};

/// What `pol fmt` does with a file that is not formatted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Rewrite it.
    Write,
    /// Name it, and exit 1.
    Check,
    /// Print the changes as a unified diff, and exit 1.
    Diff,
}

impl Mode {
    pub fn of(check: bool, diff: bool) -> Mode {
        match (check, diff) {
            (_, true) => Mode::Diff,
            (true, false) => Mode::Check,
            (false, false) => Mode::Write,
        }
    }
}

pub fn run(policies: Option<&Path>, paths: &[PathBuf], mode: Mode) -> Exit {
    if paths.iter().any(|p| p.as_os_str() == "-") {
        if paths.len() > 1 {
            emit::error(
                "`-` (standard input) must be the only path",
                Some("format standard input and files in separate runs"),
            );
            return Exit::Misuse;
        }
        return stdin(mode);
    }
    // Named paths are formatted as they are; the policy set in use matters only without
    // them (as for `pol check`).
    let source = if paths.is_empty() {
        match crate::policy_source(policies) {
            Ok(s) => Some(s),
            Err(e) => return e,
        }
    } else {
        None
    };
    let roots: Vec<PathBuf> = match source {
        None => paths.to_vec(),
        Some(PolicySource::Directory(dir)) => vec![dir],
        Some(PolicySource::Project(project)) => vec![project.policies],
        Some(_) => {
            emit::error(
                "name the files or directories to format, like `pol fmt policies/`",
                Some("the shipped policies are built into pol and cannot be rewritten in place"),
            );
            return Exit::Misuse;
        }
    };
    let found = load::find(&roots, load::Kind::Policies, &load::Confinement::around_all(&roots));
    if !found.problems.is_empty() {
        for e in &found.problems {
            emit::load_error(e);
        }
        return Exit::Misuse;
    }
    let files = found.files;
    let mut exit = Exit::Ok;
    let mut changed = 0;
    for file in &files {
        let path = &file.path;
        let original = match Original::read(path, file.reached) {
            Ok(o) => o,
            Err(e) => {
                emit::load_error(&e);
                exit = exit.max(Exit::Misuse);
                continue;
            }
        };
        let text = match load::text_of(original.bytes.clone()) {
            Ok(t) => t,
            Err((message, help)) => {
                emit::load_error(&load::LoadError {
                    path: path.display().to_string(),
                    message,
                    help,
                });
                exit = exit.max(Exit::Misuse);
                continue;
            }
        };
        let name = path.display().to_string();
        let Some(formatted) = format(&name, &text) else {
            exit = exit.max(Exit::Misuse);
            continue;
        };
        let formatted = original.layout.apply(&formatted);
        if formatted.as_bytes() == original.bytes.as_slice() {
            continue;
        }
        // What is shown (`--check`, `--diff`) is the text without the mark.
        let text = original.layout.apply(&text.replace("\r\n", "\n"));
        changed += 1;
        let report = match mode {
            Mode::Check => {
                exit = exit.max(Exit::BadInput);
                format!("{name}: not formatted\n")
            }
            Mode::Diff => {
                exit = exit.max(Exit::BadInput);
                diff(&name, &text, &formatted)
            }
            Mode::Write => match rewrite(path, &original, &formatted) {
                Ok(()) => format!("formatted {name}\n"),
                Err(refusal) => {
                    emit::error(
                        &format!("cannot write {name}: {}", refusal.message),
                        Some(&refusal.help),
                    );
                    exit = exit.max(Exit::Misuse);
                    continue;
                }
            },
        };
        if out::text(&report).is_err() {
            return exit.max(Exit::Misuse);
        }
    }
    if mode != Mode::Write && changed == 0 && exit == Exit::Ok {
        emit::note(&format!(
            "{} file{} formatted\n",
            files.len(),
            if files.len() == 1 { " is" } else { "s are" }
        ));
    }
    exit
}

/// `pol fmt -`: standard input, formatted, on standard output (or with `--check`, nothing
/// but the exit status; with `--diff`, the diff).
fn stdin(mode: Mode) -> Exit {
    let bytes = match load::read_limited(std::io::stdin(), 0, limits::POLICY_FILE) {
        Ok(bytes) => bytes,
        Err(load::Limited::TooLarge) => {
            emit::error(
                &format!(
                    "standard input is larger than {}, the most pol reads of a policy file",
                    limits::describe(limits::POLICY_FILE)
                ),
                Some("split the policy into files that import each other"),
            );
            return Exit::Misuse;
        }
        Err(load::Limited::Io(e)) => {
            emit::error(&format!("cannot read standard input: {e}"), None);
            return Exit::Misuse;
        }
    };
    let layout = Layout::of(&bytes);
    let text = match load::text_of(bytes) {
        Ok(t) => t,
        Err((message, help)) => {
            emit::error(&message.replace("the file", "standard input"), Some(&help));
            return Exit::Misuse;
        }
    };
    let Some(formatted) = format("<stdin>", &text) else {
        return Exit::Misuse;
    };
    let formatted = layout.apply(&formatted);
    let text = layout.apply(&text.replace("\r\n", "\n"));
    let (output, exit) = match mode {
        Mode::Write => (formatted, Exit::Ok),
        Mode::Check if formatted == text => (String::new(), Exit::Ok),
        Mode::Check => ("<stdin>: not formatted\n".to_string(), Exit::BadInput),
        Mode::Diff if formatted == text => (String::new(), Exit::Ok),
        Mode::Diff => (diff("<stdin>", &text, &formatted), Exit::BadInput),
    };
    // A failed write is settled in `main`.
    let _ = out::text(&output);
    exit
}

/// The canonical layout of `text`, or `None` after reporting why it cannot be formatted (it
/// does not parse, or formatting would change its meaning).
fn format(name: &str, text: &str) -> Option<String> {
    match pol_syntax::format::format(pol_syntax::FileId(0), text) {
        Ok(f) => Some(f),
        Err(errors) => {
            let sources = pol_compiler::SourceMap::new(vec![pol_compiler::Source {
                name: name.to_string(),
                text: text.to_string(),
            }]);
            for d in &errors {
                emit::diagnostic(d, &sources);
            }
            None
        }
    }
}

/// The changes from `before` to `after` as a unified diff with three lines of context,
/// headed `--- NAME` / `+++ NAME` as `diff -u` and `git diff` write them.
fn diff(name: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(name, name)
        .to_string()
}

/// The line ends and byte-order mark of a file, kept when it is rewritten.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Layout {
    bom: bool,
    crlf: bool,
}

impl Layout {
    /// The layout of `bytes`: CRLF when most of its lines end so.
    fn of(bytes: &[u8]) -> Layout {
        let lines = memchr::memchr_iter(b'\n', bytes).count();
        let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count();
        Layout {
            bom: bytes.starts_with("\u{feff}".as_bytes()),
            crlf: crlf > 0 && crlf.saturating_mul(2) >= lines,
        }
    }

    /// `text` (line ends `\n`, no mark) in this layout.
    fn apply(self, text: &str) -> String {
        let mut out = String::with_capacity(text.len().saturating_add(text.len() / 16));
        if self.bom {
            out.push('\u{feff}');
        }
        if self.crlf {
            out.push_str(&text.replace('\n', "\r\n"));
        } else {
            out.push_str(text);
        }
        out
    }
}

/// A file as `pol fmt` read it: its bytes, and what tells whether it changed since.
struct Original {
    bytes: Vec<u8>,
    len: u64,
    modified: Option<SystemTime>,
    layout: Layout,
}

impl Original {
    fn read(path: &Path, reached: load::Reached) -> Result<Original, load::LoadError> {
        let bytes = load::read_bytes(path, reached, limits::POLICY_FILE)?;
        let meta = std::fs::metadata(path).ok();
        Ok(Original {
            layout: Layout::of(&bytes),
            len: meta.as_ref().map_or(bytes.len() as u64, std::fs::Metadata::len),
            modified: meta.and_then(|m| m.modified().ok()),
            bytes,
        })
    }

    /// Whether the file at `path` is still what was read.
    fn unchanged(&self, path: &Path) -> bool {
        let Ok(now) = Original::read(path, load::Reached::Named) else {
            return false;
        };
        now.len == self.len && now.modified == self.modified && now.bytes == self.bytes
    }
}

/// Why a file was not rewritten.
struct Refusal {
    message: String,
    help: String,
}

impl Refusal {
    fn new(message: impl Into<String>, help: impl Into<String>) -> Refusal {
        Refusal { message: message.into(), help: help.into() }
    }

    fn io(e: &std::io::Error) -> Refusal {
        Refusal::new(e.to_string(), "the file was left as it was")
    }
}

/// Replaces the file at `path` (through a link, its target) with `text`, atomically: a
/// temporary file beside it, renamed over it, unless the file changed since `original` was
/// read or is read-only.
fn rewrite(path: &Path, original: &Original, text: &str) -> Result<(), Refusal> {
    // A link is formatted through: the target is rewritten and the link stays.
    let target = std::fs::canonicalize(path).map_err(|e| Refusal::io(&e))?;
    let meta = std::fs::metadata(&target).map_err(|e| Refusal::io(&e))?;
    if meta.permissions().readonly() {
        return Err(Refusal::new(
            "the file is read-only",
            "make it writable (chmod u+w) to format it, or check it with `pol fmt --check`",
        ));
    }
    let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = target.file_name().map_or("policy".into(), |n| n.to_string_lossy().into_owned());
    // A random name, created new: nothing planted under it can be followed. Dropped (and
    // so removed) on every path out below, unless renamed.
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".pol-fmt")
        .tempfile_in(dir)
        .map_err(|e| Refusal::io(&e))?;
    tmp.write_all(text.as_bytes())
        .and_then(|()| tmp.as_file().set_permissions(meta.permissions()))
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| Refusal::io(&e))?;
    if !original.unchanged(&target) {
        return Err(Refusal::new(
            "the file changed while pol was formatting it",
            "the file was left as it was; run `pol fmt` again",
        ));
    }
    tmp.persist(&target).map_err(|e| Refusal::io(&e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    /// A line appended between the read and the rename is not lost: the write is refused,
    /// and no temporary file is left.
    #[test]
    fn a_file_changed_while_formatting_is_left_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pol");
        std::fs::write(&path, "fact a: bool \"a\"\n").unwrap();
        let original = Original::read(&path, load::Reached::Named).unwrap();
        let mut file = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"fact b: bool \"b\"\n").unwrap();
        drop(file);
        let refused = rewrite(&path, &original, "fact a: bool \"a\"\n").err().unwrap();
        assert!(refused.message.contains("changed"), "{}", refused.message);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "fact a: bool \"a\"\nfact b: bool \"b\"\n"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn layouts_are_kept() {
        let crlf = Layout::of(b"\xef\xbb\xbfa\r\nb\r\n");
        assert_eq!(crlf, Layout { bom: true, crlf: true });
        assert_eq!(crlf.apply("a\nb\n"), "\u{feff}a\r\nb\r\n");
        let lf = Layout::of(b"a\nb\r\nc\n");
        assert_eq!(lf.apply("a\n"), "a\n");
    }
}

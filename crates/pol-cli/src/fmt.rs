//! `pol fmt`: rewrite policy files in the canonical layout, atomically; or only say which
//! are not formatted (`--check`), or show the changes as a unified diff (`--diff`). `pol fmt
//! -` formats standard input to standard output, for format-on-save and pre-commit hooks.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use pol_engine::{load, PolicySource};

use crate::{emit, Exit};

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
    let source = match crate::policy_source(policies) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let roots: Vec<PathBuf> = match (paths.is_empty(), source) {
        (false, _) => paths.to_vec(),
        (true, PolicySource::Directory(dir)) => vec![dir],
        (true, PolicySource::Project(project)) => vec![project.policies],
        (true, _) => {
            emit::error(
                "name the files or directories to format, like `pol fmt policies/`",
                Some("the shipped policies are built into pol and cannot be rewritten in place"),
            );
            return Exit::Misuse;
        }
    };
    let mut problems = Vec::new();
    let files = load::policy_files(&roots, &mut problems);
    if !problems.is_empty() {
        for e in &problems {
            emit::load_error(e);
        }
        return Exit::Misuse;
    }
    let mut exit = Exit::Ok;
    let mut changed = 0;
    let mut out = std::io::stdout().lock();
    for path in &files {
        let text = match load::read_text(path) {
            Ok(t) => t,
            Err(e) => {
                emit::load_error(&e);
                exit = exit.max(Exit::Misuse);
                continue;
            }
        };
        let name = path.display().to_string();
        let Some(formatted) = format(&name, &text) else {
            exit = exit.max(Exit::Misuse);
            continue;
        };
        if formatted == text {
            continue;
        }
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
            Mode::Write => match write_atomically(path, &formatted) {
                Ok(()) => format!("formatted {name}\n"),
                Err(e) => {
                    emit::error(
                        &format!("cannot write {name}: {e}"),
                        Some("the file was left as it was"),
                    );
                    exit = exit.max(Exit::Misuse);
                    continue;
                }
            },
        };
        if out.write_all(report.as_bytes()).is_err() {
            return exit;
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
    let mut bytes = Vec::new();
    if let Err(e) = std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes) {
        emit::error(&format!("cannot read standard input: {e}"), None);
        return Exit::Misuse;
    }
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
    let (output, exit) = match mode {
        Mode::Write => (formatted, Exit::Ok),
        Mode::Check if formatted == text => (String::new(), Exit::Ok),
        Mode::Check => ("<stdin>: not formatted\n".to_string(), Exit::BadInput),
        Mode::Diff if formatted == text => (String::new(), Exit::Ok),
        Mode::Diff => (diff("<stdin>", &text, &formatted), Exit::BadInput),
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(output.as_bytes()).and_then(|()| out.flush());
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

/// Writes beside the file and renames over it, so the file is never half written.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or("policy".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.pol-fmt-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, meta.permissions())?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

//! Finding and reading policy files: the built-in set, a project's or any directory, or
//! named files, plus whatever they import. Reading is the only I/O here; what cannot be
//! read becomes a diagnostic like any other, so every output format reports it.

use std::path::{Path, PathBuf};

use pol_compiler::codes;
use pol_compiler::source::normalize;
use pol_compiler::{Compilation, ImportError, Lints, NoResolver, Resolver, Source};
use pol_syntax::{Diagnostic, FileId, Label, Span};

use crate::project::{Project, ProjectError};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// Where a policy set comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicySource {
    /// The shipped policies, compiled into `pol`.
    Builtin,
    /// A project's policy directory (found by its `pol.toml`).
    Project(Project),
    /// Every `.pol` file under a directory.
    Directory(PathBuf),
    /// Named files and directories: for checking some files (and what they import).
    Paths(Vec<PathBuf>),
}

impl PolicySource {
    /// The policy set to use when `pol` runs in `cwd`: the directory given (`--policies`),
    /// else the project `cwd` lies in, else the built-in set.
    pub fn choose(explicit: Option<&Path>, cwd: &Path) -> Result<PolicySource, ProjectError> {
        if let Some(dir) = explicit {
            return Ok(PolicySource::Directory(dir.to_path_buf()));
        }
        Ok(match Project::discover(cwd)? {
            Some(project) => PolicySource::Project(project),
            None => PolicySource::Builtin,
        })
    }

    /// How to name the set to people: `built-in`, `project /path/pol.toml`, a directory.
    pub fn describe(&self) -> String {
        match self {
            PolicySource::Builtin => "built-in".to_string(),
            PolicySource::Project(p) => format!("project {}", p.file().display()),
            PolicySource::Directory(d) => format!("directory {}", d.display()),
            PolicySource::Paths(paths) => {
                let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                names.join(", ")
            }
        }
    }

    /// The project, if the set is a project's.
    pub fn project(&self) -> Option<&Project> {
        match self {
            PolicySource::Project(p) => Some(p),
            _ => None,
        }
    }
}

/// A policy set as loaded: the compilation (with every diagnostic, read errors included)
/// and the names of the files asked for (the rest were reached through imports).
pub struct Loaded {
    pub compilation: Compilation,
    pub roots: Vec<String>,
}

/// Reads and compiles the policy set of `source`.
pub fn load(source: &PolicySource, lints: Lints) -> Loaded {
    let (roots, mut problems) = match source {
        PolicySource::Builtin => (builtin(), Vec::new()),
        PolicySource::Project(p) => read_roots(std::slice::from_ref(&p.policies)),
        PolicySource::Directory(d) => read_roots(std::slice::from_ref(d)),
        PolicySource::Paths(paths) => read_roots(paths),
    };
    let names: Vec<String> = roots.iter().map(|s| s.name.clone()).collect();
    // What could not be read is a file of the set with no text and a diagnostic at its
    // start: rendered, counted and exited on like every other diagnostic.
    let mut sources = roots;
    let mut unreadable = Vec::new();
    for problem in problems.drain(..) {
        let file = FileId(sources.len() as u32);
        sources.push(Source {
            name: problem.path.clone(),
            text: String::new(),
        });
        unreadable.push(problem.diagnostic(file));
    }
    // The built-in set is whole; only files from disk import files from disk.
    let mut compilation = match source {
        PolicySource::Builtin => pol_compiler::compile_from(sources, &mut NoResolver, lints),
        _ => pol_compiler::compile_from(sources, &mut FileResolver, lints),
    };
    if !unreadable.is_empty() {
        compilation.compiled = None;
        compilation.diagnostics.extend(unreadable);
        pol_syntax::diagnostic::sort(&mut compilation.diagnostics);
    }
    Loaded {
        compilation,
        roots: names,
    }
}

/// The shipped policies, as compiled into the binary.
pub fn builtin() -> Vec<Source> {
    embedded::POLICIES
        .iter()
        .map(|(name, text)| Source {
            name: (*name).to_string(),
            text: (*text).to_string(),
        })
        .collect()
}

/// Where, in `cwd` or its `policies/` directory, `.pol` files lie that differ from the
/// built-in set (a file it does not have, or the same name with other text): the policies
/// a person working there probably means, though `pol` would use the built-in ones.
pub fn local_policies_differ(cwd: &Path) -> Option<PathBuf> {
    let builtin = embedded::POLICIES;
    for dir in [cwd.to_path_buf(), cwd.join("policies")] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let differs = entries.flatten().any(|e| {
            let path = e.path();
            if path.extension().is_none_or(|x| x != "pol") || !path.is_file() {
                return false;
            }
            let name = e.file_name().to_string_lossy().to_string();
            let same = builtin
                .iter()
                .find(|(n, _)| n.rsplit('/').next() == Some(&name));
            match (same, std::fs::read_to_string(&path)) {
                (Some((_, text)), Ok(local)) => local != *text,
                _ => true,
            }
        });
        if differs {
            return Some(dir);
        }
    }
    None
}

/// Why a policy file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub path: String,
    pub message: String,
    pub help: String,
}

impl LoadError {
    /// The diagnostic for this error, placed at the start of `file` (the unreadable file,
    /// added to the set with no text).
    pub fn diagnostic(&self, file: FileId) -> Diagnostic {
        Diagnostic::new(
            codes::POLICY_UNREADABLE,
            format!("`{}`: {}", self.path, self.message),
            Label::new(Span::new(file, 0, 0), "cannot be read"),
        )
        .with_help(self.help.clone())
    }
}

/// Imports, read from disk: only `.pol` files, only regular files.
pub struct FileResolver;

impl Resolver for FileResolver {
    fn resolve(&mut self, name: &str) -> Result<Option<String>, ImportError> {
        let path = Path::new(name);
        if !path.exists() {
            return Ok(None);
        }
        read_text(path).map(Some).map_err(|e| ImportError {
            message: e.message,
            help: e.help,
        })
    }
}

/// How a file is named in diagnostics, decisions and imports: its path relative to the
/// working directory where it can be (a project found above it gives `../policies/...`),
/// as given otherwise, normalized.
pub fn source_name(path: &Path) -> String {
    let relative = match std::env::current_dir() {
        Ok(cwd) if path.is_absolute() => pathdiff::diff_paths(path, cwd),
        _ => None,
    };
    let path = relative.as_deref().unwrap_or(path);
    normalize(&path.to_string_lossy().replace('\\', "/"))
}

/// Reads the `.pol` files at `paths` (files, or directories searched recursively), with
/// the paths that could not be read.
fn read_roots(paths: &[PathBuf]) -> (Vec<Source>, Vec<LoadError>) {
    let mut sources = Vec::new();
    let mut problems = Vec::new();
    for path in policy_files(paths, &mut problems) {
        match read_text(&path) {
            Ok(text) => sources.push(Source {
                name: source_name(&path),
                text,
            }),
            Err(e) => problems.push(e),
        }
    }
    (sources, problems)
}

/// The `.pol` files at `paths`: the files named, and those under the directories named.
pub fn policy_files(paths: &[PathBuf], problems: &mut Vec<LoadError>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            if let Err(e) = walk(p, &["pol"], &mut found) {
                problems.push(LoadError {
                    path: p.display().to_string(),
                    message: format!("cannot read the directory: {e}"),
                    help: "check the path and its permissions".into(),
                });
                continue;
            }
            found.sort();
            if found.is_empty() {
                problems.push(LoadError {
                    path: p.display().to_string(),
                    message: "the directory holds no `.pol` files".into(),
                    help: "point at a directory of policies, like `policies/`".into(),
                });
            }
            out.extend(found);
        } else if p.exists() {
            out.push(p.clone());
        } else {
            problems.push(LoadError {
                path: p.display().to_string(),
                message: "no such file or directory".into(),
                help: "check the path; policy files end in `.pol`".into(),
            });
        }
    }
    out
}

/// Why `path` cannot be read.
fn unreadable(path: &Path, e: &std::io::Error) -> LoadError {
    LoadError {
        path: path.display().to_string(),
        message: if path.is_dir() {
            "this is a directory, not a file".to_string()
        } else {
            format!("cannot read the file: {e}")
        },
        help: "check the path and its permissions".into(),
    }
}

/// Opens a file for streaming, with the same messages as [`read_text`] when it cannot.
pub fn open(path: &Path) -> Result<std::fs::File, LoadError> {
    let fail = |e: std::io::Error| unreadable(path, &e);
    let file = std::fs::File::open(path).map_err(fail)?;
    if path.is_dir() {
        return Err(fail(std::io::Error::other("a directory")));
    }
    Ok(file)
}

/// Reads a file as UTF-8 text (without a byte-order mark), saying where it is not UTF-8.
pub fn read_text(path: &Path) -> Result<String, LoadError> {
    let bytes = std::fs::read(path).map_err(|e| unreadable(path, &e))?;
    text_of(bytes).map_err(|(message, help)| LoadError {
        path: path.display().to_string(),
        message,
        help,
    })
}

/// Bytes as UTF-8 text without a byte-order mark (as some Windows editors write), or a
/// message saying where they are not UTF-8 and how to fix it.
pub fn text_of(bytes: Vec<u8>) -> Result<String, (String, String)> {
    let bytes = match bytes.strip_prefix("\u{feff}".as_bytes()) {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(e.as_bytes());
        let (line, col) = pol_syntax::span::line_col(&text, at);
        (
            format!("the file is not valid UTF-8 (at line {line}, column {col}, byte {at})"),
            "save the file as UTF-8".into(),
        )
    })
}

/// Collects the files under `dir` (recursively) whose extension is one of `extensions`.
pub fn walk(dir: &Path, extensions: &[&str], out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, extensions, out)?;
        } else if path
            .extension()
            .is_some_and(|e| extensions.iter().any(|x| e == *x))
        {
            out.push(path);
        }
    }
    Ok(())
}

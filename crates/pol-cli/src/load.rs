//! Finding and reading policy files: the embedded set, a directory, or named files, plus
//! whatever they import.

use std::path::{Path, PathBuf};

use pol_compiler::source::normalize;
use pol_compiler::Source;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// Why policy files could not be read.
#[derive(Debug)]
pub struct LoadError {
    pub path: String,
    pub message: String,
    pub help: String,
}

/// The shipped policies, as compiled into the binary.
pub fn embedded() -> Vec<Source> {
    embedded::POLICIES
        .iter()
        .map(|(name, text)| Source {
            name: (*name).to_string(),
            text: (*text).to_string(),
        })
        .collect()
}

/// The policy set to decide cases with: `dir` if given, else the embedded policies.
pub fn policy_set(dir: Option<&Path>) -> Result<Vec<Source>, LoadError> {
    match dir {
        Some(d) => load_paths(&[d.to_path_buf()]),
        None => Ok(embedded()),
    }
}

/// Reads the `.pol` files at `paths` (files, or directories searched recursively) and every
/// file they import, transitively.
pub fn load_paths(paths: &[PathBuf]) -> Result<Vec<Source>, LoadError> {
    let queue = root_files(paths)?;
    load_with_imports(queue)
}

/// The names (as sources are named) of the `.pol` files at `paths` themselves, without the
/// files they import.
pub fn root_names(paths: &[PathBuf]) -> Result<Vec<String>, LoadError> {
    Ok(root_files(paths)?.iter().map(|p| source_name(p)).collect())
}

fn source_name(path: &Path) -> String {
    normalize(&path.to_string_lossy().replace('\\', "/"))
}

/// The `.pol` files at `paths`: the files named, and those under the directories named.
fn root_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
    let mut queue: Vec<PathBuf> = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &["pol"], &mut found).map_err(|e| LoadError {
                path: p.display().to_string(),
                message: format!("cannot read the directory: {e}"),
                help: "check the path and its permissions".into(),
            })?;
            found.sort();
            if found.is_empty() {
                return Err(LoadError {
                    path: p.display().to_string(),
                    message: "the directory holds no `.pol` files".into(),
                    help: "point at a directory of policies, like `policies/`".into(),
                });
            }
            queue.extend(found);
        } else if p.exists() {
            queue.push(p.clone());
        } else {
            return Err(LoadError {
                path: p.display().to_string(),
                message: "no such file or directory".into(),
                help: "check the path; policy files end in `.pol`".into(),
            });
        }
    }
    Ok(queue)
}

fn load_with_imports(mut queue: Vec<PathBuf>) -> Result<Vec<Source>, LoadError> {
    let mut sources: Vec<Source> = Vec::new();
    let mut i = 0;
    while let Some(path) = queue.get(i).cloned() {
        i += 1;
        let name = source_name(&path);
        if sources.iter().any(|s| s.name == name) {
            continue;
        }
        let text = read_text(&path)?;
        // Follow imports so a single file can be checked on its own; those of a file with
        // syntax errors too, so that its other declarations resolve.
        let parsed = pol_syntax::parse(pol_syntax::FileId(0), &text);
        for item in &parsed.file.items {
            if let pol_syntax::ast::ItemKind::Import(imp) = &item.kind {
                let target = path.parent().unwrap_or(Path::new("")).join(&imp.path.node);
                // Only policy files: an import must not make `pol` read (and quote in
                // its diagnostics) any other file on the machine.
                if target.is_file() && target.extension().is_some_and(|e| e == "pol") {
                    queue.push(target);
                }
            }
        }
        sources.push(Source { name, text });
    }
    Ok(sources)
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

/// Reads a file as UTF-8 text, saying where it is not.
pub fn read_text(path: &Path) -> Result<String, LoadError> {
    let bytes = std::fs::read(path).map_err(|e| unreadable(path, &e))?;
    // A byte-order mark, as some Windows editors write, is not part of the text.
    let bytes = match bytes.strip_prefix("\u{feff}".as_bytes()) {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(e.as_bytes());
        let (line, col) = pol_syntax::span::line_col(&text, at);
        LoadError {
            path: path.display().to_string(),
            message: format!(
                "the file is not valid UTF-8 (at line {line}, column {col}, byte {at})"
            ),
            help: "save the file as UTF-8".into(),
        }
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

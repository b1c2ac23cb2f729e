//! Source texts as the compiler receives them: a name and the text, nothing read from disk.

use std::collections::HashMap;
use std::sync::OnceLock;

use pol_syntax::{FileId, LineIndex, Span};

/// One `.pol` file. `name` is how the file is shown (`policies/advance_parole.pol`) and how
/// `import`s are matched: an import is joined to the importing file's directory and
/// normalised lexically.
#[derive(Clone, Debug)]
pub struct Source {
    pub name: String,
    pub text: String,
}

/// The files of one compilation, indexed by [`FileId`].
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    /// The files. Add or change files only through [`SourceMap::new`]: positions are
    /// computed from an index of each file's lines, built once.
    pub files: Vec<Source>,
    /// Each file's line starts, built on the first position asked of it, so that
    /// positions cost a binary search each rather than a scan of the file.
    lines: Vec<OnceLock<LineIndex>>,
}

impl SourceMap {
    pub fn new(files: Vec<Source>) -> SourceMap {
        let lines = files.iter().map(|_| OnceLock::new()).collect();
        SourceMap { files, lines }
    }

    pub fn get(&self, file: FileId) -> Option<&Source> {
        self.files.get(file.0 as usize)
    }

    pub fn name(&self, file: FileId) -> &str {
        self.get(file).map_or("<unknown>", |s| s.name.as_str())
    }

    /// 1-based line and column (in characters) of the start of `span`; (0, 0) for a file
    /// not in the map.
    pub fn line_col(&self, span: Span) -> (usize, usize) {
        let Some(source) = self.get(span.file) else {
            return (0, 0);
        };
        let offset = span.start as usize;
        match self.lines.get(span.file.0 as usize) {
            Some(lines) => {
                lines.get_or_init(|| LineIndex::new(&source.text)).line_col(&source.text, offset)
            }
            // A file pushed onto `files` after the map was made: no index to keep.
            None => pol_syntax::span::line_col(&source.text, offset),
        }
    }

    /// The text under `span`.
    pub fn snippet(&self, span: Span) -> &str {
        self.get(span.file).and_then(|s| s.text.get(span.range())).unwrap_or("")
    }

    /// Finds the file an `import` names, relative to the importing file.
    pub fn resolve_import(&self, from: FileId, import: &str) -> Option<FileId> {
        self.import_index().resolve(self, from, import)
    }

    /// The files by normalized name, for resolving many imports: one lookup each, rather
    /// than normalizing every name for every import (quadratic in a large policy set).
    pub fn import_index(&self) -> ImportIndex {
        let mut by_name = HashMap::with_capacity(self.files.len());
        for (i, f) in self.files.iter().enumerate() {
            // The first file of a name wins, as a search in order would find it.
            by_name.entry(normalize(&f.name)).or_insert(FileId(i as u32));
        }
        ImportIndex { by_name }
    }
}

/// The files of a [`SourceMap`] by normalized name.
pub struct ImportIndex {
    by_name: HashMap<String, FileId>,
}

impl ImportIndex {
    /// Finds the file an `import` names, relative to the importing file.
    pub fn resolve(&self, sources: &SourceMap, from: FileId, import: &str) -> Option<FileId> {
        self.by_name.get(&import_name(sources.name(from), import)).copied()
    }
}

/// Removes `.` and resolves `..` segments without touching the file system.
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if matches!(parts.last(), Some(p) if *p != "..") {
                    parts.pop();
                } else {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    if path.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

/// The normalized name of the file that `import` names in the file `importer`: the import
/// joined to the importer's directory, `.` and `..` resolved lexically.
pub fn import_name(importer: &str, import: &str) -> String {
    let dir = importer.rfind('/').map_or("", |i| importer.get(..=i).unwrap_or(""));
    normalize(&format!("{dir}{import}"))
}

/// Where the compiler finds the files that policies import. The compiler never reads a
/// file itself: the caller's resolver does (from disk, from memory, from an editor's
/// unsaved buffers), and each file is read and parsed once.
pub trait Resolver {
    /// The text of the `.pol` file called `name` (normalized, as [`import_name`] names
    /// it), `Ok(None)` when there is no such file, an error when it exists but cannot be
    /// read or may not be imported.
    fn resolve(&mut self, name: &str) -> Result<Option<String>, ImportError>;
}

/// Why an imported file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    pub message: String,
    pub help: String,
}

/// A resolver that finds nothing: every imported file must be among the sources given.
pub struct NoResolver;

impl Resolver for NoResolver {
    fn resolve(&mut self, _: &str) -> Result<Option<String>, ImportError> {
        Ok(None)
    }
}

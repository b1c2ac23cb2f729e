//! The files the server knows: open documents (the editor's unsaved text) laid over the
//! files on disk, grouped into policy sets, each compiled on demand.
//!
//! A set is recompiled whole after any change to one of its files: the shipped set
//! compiles in a few milliseconds (docs/performance.md), well inside what an editor waits
//! for, and a whole compilation keeps every cross-file fact (imports, duplicates, unused
//! declarations, lints) exact without tracking dependencies.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use pol_compiler::source::{normalize, ImportError, Resolver};
use pol_compiler::{Compilation, LintLevels, Lints, Source};
use pol_engine::project::ProjectError;
use pol_syntax::{codes, FileId, Span};

use crate::line_index::{Encoding, LineIndex};
use crate::project::{self, SetDir};

/// A document the editor has open.
#[derive(Clone, Debug)]
pub struct Document {
    pub text: String,
    pub version: i32,
}

/// Open documents, and the policy sets they (and the workspace folders) belong to.
#[derive(Default)]
pub struct Workspace {
    documents: HashMap<PathBuf, Document>,
    sets: Vec<PolicySet>,
    /// Project files found unusable, by path, to be shown on them.
    pub project_errors: BTreeMap<PathBuf, ProjectError>,
}

/// One policy set: a directory of `.pol` files and what they import.
pub struct PolicySet {
    pub dir: SetDir,
    /// The last compilation, `None` when a file of the set changed since.
    analysis: Option<Rc<Analysis>>,
    /// The files the last compilation read (kept when `analysis` is dropped), so that a
    /// change to one, imported from outside the directory included, reaches this set.
    read: Vec<PathBuf>,
    /// Whether `analysis` holds diagnostics not yet sent to the client.
    pub unpublished: bool,
    /// What was last published for each file, to send only what changed.
    pub published: HashMap<PathBuf, Published>,
}

/// The diagnostics last sent for a file, and the document version they were for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Published {
    pub version: Option<i32>,
    pub diagnostics: Vec<lsp_types::Diagnostic>,
}

/// One compilation of a set, with what the server needs to map it to positions.
pub struct Analysis {
    /// The set's directory.
    pub dir: PathBuf,
    pub compilation: Compilation,
    /// The path of each file, indexed by `FileId`.
    pub paths: Vec<PathBuf>,
    lines: Vec<LineIndex>,
    pub encoding: Encoding,
    /// The lint levels the set was checked at (its project's `[lints]`).
    pub lints: LintLevels,
}

impl Workspace {
    pub fn open(&mut self, path: PathBuf, text: String, version: i32) {
        self.documents.insert(path.clone(), Document { text, version });
        self.touch(&path);
    }

    pub fn document(&self, path: &Path) -> Option<&Document> {
        self.documents.get(path)
    }

    pub fn document_mut(&mut self, path: &Path) -> Option<&mut Document> {
        self.documents.get_mut(path)
    }

    pub fn close(&mut self, path: &Path) {
        self.documents.remove(path);
        self.touch(path);
    }

    /// The text of `path`: the open document's, else the file's on disk.
    pub fn text(&self, path: &Path) -> Option<String> {
        match self.documents.get(path) {
            Some(d) => Some(d.text.clone()),
            None => read(path),
        }
    }

    /// Marks the sets that read `path` as changed; if none did, the set it belongs to
    /// (created if new).
    pub fn touch(&mut self, path: &Path) {
        let mut found = false;
        for set in &mut self.sets {
            if set.read.iter().any(|p| p == path) {
                set.analysis = None;
                found = true;
            }
        }
        if !found {
            let i = self.set_index(path);
            if let Some(set) = self.sets.get_mut(i) {
                set.analysis = None;
            }
        }
    }

    /// Marks every set as changed (files changed on disk).
    pub fn touch_all(&mut self) {
        for set in &mut self.sets {
            set.analysis = None;
        }
    }

    /// Forgets every set (a `pol.toml` changed): they are found again from the open
    /// documents. Returns the diagnostics they had published, to be cleared.
    pub fn forget_sets(&mut self) -> Vec<PathBuf> {
        let published = self.sets.drain(..).flat_map(|s| s.published.into_keys()).collect();
        self.project_errors.clear();
        let open: Vec<PathBuf> = self.documents.keys().cloned().collect();
        for path in open {
            self.touch(&path);
        }
        published
    }

    /// Adds the set of a workspace folder, if the folder is in a project.
    pub fn add_folder(&mut self, folder: &Path) {
        let (project, problem) = project::discover(folder);
        self.note(problem);
        if let Some(project) = project {
            let dir = SetDir::of_project(project);
            if dir.dir.is_dir() && !self.sets.iter().any(|s| s.dir == dir) {
                self.sets.push(PolicySet::new(dir));
            }
        }
    }

    /// The index of the set `path` belongs to: the first whose last compilation read it,
    /// else the one its project names (created if new).
    fn set_index(&mut self, path: &Path) -> usize {
        let compiled_it = self.sets.iter().position(|s| s.read.iter().any(|p| p == path));
        if let Some(i) = compiled_it {
            return i;
        }
        let (dir, problem) = project::set_for(path);
        self.note(problem);
        if let Some(i) = self.sets.iter().position(|s| s.dir == dir) {
            return i;
        }
        self.sets.push(PolicySet::new(dir));
        self.sets.len() - 1
    }

    fn note(&mut self, problem: Option<ProjectError>) {
        if let Some(e) = problem {
            self.project_errors.insert(e.file.clone(), e);
        }
    }

    /// The compiled set `path` belongs to, compiling it if it changed.
    pub fn analysis(&mut self, path: &Path, encoding: Encoding) -> Option<Rc<Analysis>> {
        let i = self.set_index(path);
        self.analyze(i, encoding)
    }

    fn analyze(&mut self, i: usize, encoding: Encoding) -> Option<Rc<Analysis>> {
        let set = self.sets.get(i)?;
        if let Some(a) = &set.analysis {
            if a.encoding == encoding {
                return Some(a.clone());
            }
        }
        let analysis = Rc::new(self.compile(&set.dir, encoding));
        let set = self.sets.get_mut(i)?;
        set.read.clone_from(&analysis.paths);
        set.analysis = Some(analysis.clone());
        set.unpublished = true;
        Some(analysis)
    }

    /// Compiles every set that changed; returns the sets with diagnostics to publish.
    pub fn refresh(&mut self, encoding: Encoding) -> Vec<(usize, Rc<Analysis>)> {
        let mut out = Vec::new();
        for i in 0..self.sets.len() {
            let Some(analysis) = self.analyze(i, encoding) else {
                continue;
            };
            if let Some(set) = self.sets.get_mut(i) {
                if set.unpublished {
                    set.unpublished = false;
                    out.push((i, analysis));
                }
            }
        }
        out
    }

    pub fn set_mut(&mut self, i: usize) -> Option<&mut PolicySet> {
        self.sets.get_mut(i)
    }

    /// Every compiled set, compiling those that changed (for workspace-wide requests).
    pub fn analyses(&mut self, encoding: Encoding) -> Vec<Rc<Analysis>> {
        (0..self.sets.len()).filter_map(|i| self.analyze(i, encoding)).collect()
    }

    /// Reads and compiles the set in `dir`: its `.pol` files (open documents as the editor
    /// has them), and the files they import from elsewhere (read by the compiler through
    /// an [`Overlay`] resolver, open documents again first).
    fn compile(&self, set: &SetDir, encoding: Encoding) -> Analysis {
        let dir = set.dir.as_path();
        let mut paths: BTreeSet<PathBuf> = BTreeSet::new();
        walk(dir, set.recursive, &mut paths);
        paths.extend(
            self.documents
                .keys()
                .filter(|p| {
                    let inside = match set.recursive {
                        true => p.starts_with(dir),
                        false => p.parent() == Some(dir),
                    };
                    inside && is_policy_file(p)
                })
                .cloned(),
        );
        let roots = paths
            .iter()
            .filter_map(|path| Some(Source { name: source_name(path), text: self.text(path)? }))
            .collect();
        let mut overlay = Overlay {
            documents: &self.documents,
            files: pol_engine::load::FileResolver::within(pol_engine::load::Confinement::around(
                dir,
            )),
        };
        let compilation =
            pol_compiler::compile_from(roots, &mut overlay, Lints::Run(set.lints.clone()));
        let files = &compilation.sources.files;
        Analysis {
            lints: set.lints.clone(),
            dir: dir.to_path_buf(),
            paths: files.iter().map(|s| PathBuf::from(&s.name)).collect(),
            lines: files.iter().map(|s| LineIndex::new(&s.text)).collect(),
            compilation,
            encoding,
        }
    }
}

/// Imported files as the compiler asks for them (by normalized path): the open
/// document's text, else the file's on disk.
struct Overlay<'a> {
    documents: &'a HashMap<PathBuf, Document>,
    /// Reads files on disk inside the set's project only, as `pol check` does.
    files: pol_engine::load::FileResolver,
}

impl Resolver for Overlay<'_> {
    fn resolve(&mut self, name: &str) -> Result<Option<String>, ImportError> {
        let path = Path::new(name);
        if let Some(doc) = self.documents.get(path) {
            return Ok(Some(doc.text.clone()));
        }
        self.files.resolve(name)
    }
}

impl PolicySet {
    fn new(dir: SetDir) -> PolicySet {
        PolicySet {
            dir,
            analysis: None,
            read: Vec::new(),
            unpublished: false,
            published: HashMap::new(),
        }
    }
}

impl Analysis {
    pub fn file_id(&self, path: &Path) -> Option<FileId> {
        self.paths.iter().position(|p| p == path).map(|i| FileId(i as u32))
    }

    pub fn path(&self, file: FileId) -> Option<&Path> {
        self.paths.get(file.0 as usize).map(PathBuf::as_path)
    }

    pub fn text(&self, file: FileId) -> &str {
        self.compilation.sources.get(file).map_or("", |s| s.text.as_str())
    }

    /// The LSP range of a span.
    pub fn range(&self, span: Span) -> lsp_types::Range {
        match self.lines.get(span.file.0 as usize) {
            Some(lines) => lines.range(self.text(span.file), span, self.encoding),
            None => lsp_types::Range::default(),
        }
    }

    /// The byte offset of an LSP position in `file`.
    pub fn offset(&self, file: FileId, pos: lsp_types::Position) -> u32 {
        let offset = match self.lines.get(file.0 as usize) {
            Some(lines) => lines.offset(self.text(file), pos, self.encoding),
            None => 0,
        };
        u32::try_from(offset).unwrap_or(u32::MAX)
    }

    /// The LSP location of a span.
    pub fn location(&self, span: Span) -> Option<lsp_types::Location> {
        let uri = lsp_types::Url::from_file_path(self.path(span.file)?).ok()?;
        Some(lsp_types::Location::new(uri, self.range(span)))
    }

    /// How a file is named in hovers: relative to the set's directory when inside it.
    pub fn display_name(&self, file: FileId) -> String {
        let Some(path) = self.path(file) else {
            return String::new();
        };
        match path.strip_prefix(&self.dir).ok() {
            Some(rel) => rel.to_string_lossy().into_owned(),
            None => path.to_string_lossy().into_owned(),
        }
    }

    /// A file of the set that failed to parse (so its names are not indexed), if any.
    pub fn has_syntax_errors(&self) -> Option<FileId> {
        self.compilation
            .diagnostics
            .iter()
            .find(|d| is_syntax_error(d))
            .map(|d| d.primary.span.file)
    }

    /// Whether `file` failed to parse.
    pub fn is_broken(&self, file: FileId) -> bool {
        self.compilation
            .diagnostics
            .iter()
            .any(|d| d.primary.span.file == file && is_syntax_error(d))
    }
}

/// How the compiler names a file: its path with `/` separators, so that imports, which
/// are written with `/`, resolve against it.
fn source_name(path: &Path) -> String {
    normalize(&path.to_string_lossy().replace('\\', "/"))
}

/// Whether a diagnostic is the parser's: the file it is in has no (or only a partial) tree.
fn is_syntax_error(d: &pol_syntax::Diagnostic) -> bool {
    [codes::SYNTAX, codes::NESTING_TOO_DEEP, codes::MALFORMED_LITERAL, codes::INTERNAL]
        .contains(&d.code)
}

fn is_policy_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "pol")
}

/// A file's text, if it can be read as UTF-8 (a byte-order mark dropped).
fn read(path: &Path) -> Option<String> {
    pol_engine::load::read_text(path).ok()
}

/// The `.pol` files in `dir`, and under it if `recursive` (skipping hidden directories).
fn walk(dir: &Path, recursive: bool, out: &mut BTreeSet<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if path.is_dir() {
            if recursive && !hidden {
                walk(&path, true, out);
            }
        } else if is_policy_file(&path) {
            out.insert(path);
        }
    }
}

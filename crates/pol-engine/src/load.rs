//! Finding and reading files: the built-in policy set, a project's or any directory, named
//! files, whatever policies import, and the case and test files under directories. Reading
//! is the only I/O here; what cannot be read becomes a diagnostic like any other, so every
//! output format reports it.
//!
//! Policy directories come from pull requests and case directories from other systems, so
//! every read here keeps three rules (ARCHITECTURE.md, "Confinement"):
//! - **One walker** ([`find`], over `walkdir`) for every command: entries in name order;
//!   a symbolic link back to a directory being walked (a loop) is reported, not followed;
//!   a directory or file reached twice through links is read once; only regular files are
//!   read (a FIFO, device or socket is refused by its type before it is opened, and files
//!   found are opened with `O_NONBLOCK`, so one swapped in after the check cannot block).
//! - **Confinement**: a file found by a walk, and every imported file, is read only when its
//!   canonical path (links resolved) lies inside the project ([`Confinement`]); otherwise it
//!   is refused with a message that quotes nothing of it.
//! - **Limits** (`crate::limits`): every read is bounded ([`read_bytes`]); a policy set is
//!   bounded as a whole ([`FileResolver`]).

use std::collections::HashSet;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use pol_compiler::codes;
use pol_compiler::source::normalize;
use pol_compiler::{Compilation, ImportError, Lints, NoResolver, Resolver, Source, SourceMap};
use pol_syntax::{Diagnostic, FileId, Label, Span};

use crate::limits;
use crate::project::{Project, ProjectError, PROJECT_FILE};

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
        let project = match explicit {
            Some(_) => None,
            None => Project::discover(cwd)?,
        };
        Ok(PolicySource::choose_from(explicit, project))
    }

    /// [`choose`](Self::choose), for a caller that has already looked for the project.
    pub fn choose_from(explicit: Option<&Path>, project: Option<Project>) -> PolicySource {
        match (explicit, project) {
            (Some(dir), _) => PolicySource::Directory(dir.to_path_buf()),
            (None, Some(project)) => PolicySource::Project(project),
            (None, None) => PolicySource::Builtin,
        }
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

    /// The files and directories the set is read from, for a front-end that follows
    /// changes (`pol serve --watch`, `pol test --watch`); none for the built-in set, which
    /// is compiled in. A project's `pol.toml` is not among them: what it changes is more
    /// than the set.
    pub fn watched_paths(&self) -> Vec<PathBuf> {
        match self {
            PolicySource::Builtin => Vec::new(),
            PolicySource::Project(p) => vec![p.policies.clone()],
            PolicySource::Directory(d) => vec![d.clone()],
            PolicySource::Paths(paths) => paths.clone(),
        }
    }

    /// The files a load of this set read, as paths: the roots and every file they import
    /// (`sources` is the load's, compiled or not). None for the built-in set, whose sources
    /// are compiled in.
    pub fn files_read(&self, sources: &SourceMap) -> Vec<PathBuf> {
        match self {
            PolicySource::Builtin => Vec::new(),
            _ => sources.files.iter().map(|s| PathBuf::from(&s.name)).collect(),
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
    if *source == PolicySource::Builtin {
        let compilation = pol_compiler::compile_from(builtin(), &mut NoResolver, lints);
        let roots = embedded::POLICIES.iter().map(|(n, _)| n.to_string()).collect();
        return Loaded { compilation, roots };
    }
    let (paths, within) = match source {
        PolicySource::Project(p) => (vec![p.policies.clone()], Confinement::of_project(&p.root)),
        PolicySource::Directory(d) => (vec![d.clone()], Confinement::around(d)),
        PolicySource::Paths(paths) => (paths.clone(), Confinement::around_all(paths)),
        PolicySource::Builtin => (Vec::new(), Confinement::nothing()),
    };
    let mut resolver = FileResolver::within(within.clone());
    let found = find(&paths, Kind::Policies, &within);
    let mut problems = found.problems;
    let mut roots = Vec::new();
    for file in &found.files {
        // A file named on the command line is confined too: `pol check $(git diff
        // --name-only)` must not print a linked secret.
        if within.contains(&file.path) == Some(false) {
            problems.push(within.refusal(&file.path));
            continue;
        }
        match resolver.read(&file.path, file.reached) {
            Ok(text) => roots.push(Source { name: source_name(&file.path), text }),
            Err(e) => problems.push(e),
        }
    }
    compile(roots, problems, &mut resolver, lints)
}

/// Compiles `roots`, reading what they import through `resolver`; `problems` are the
/// files that could not be read, each reported at its start.
pub fn compile(
    roots: Vec<Source>,
    problems: Vec<LoadError>,
    resolver: &mut dyn Resolver,
    lints: Lints,
) -> Loaded {
    let names: Vec<String> = roots.iter().map(|s| s.name.clone()).collect();
    // What could not be read is a file of the set with no text and a diagnostic at its
    // start: rendered, counted and exited on like every other diagnostic.
    let mut sources = roots;
    let mut unreadable = Vec::new();
    for problem in problems {
        let file = FileId(u32::try_from(sources.len()).unwrap_or(u32::MAX));
        sources.push(Source { name: problem.path.clone(), text: String::new() });
        unreadable.push(problem.diagnostic(file));
    }
    let mut compilation = pol_compiler::compile_from(sources, resolver, lints);
    if !unreadable.is_empty() {
        compilation.compiled = None;
        compilation.diagnostics.extend(unreadable);
        pol_syntax::diagnostic::sort(&mut compilation.diagnostics);
    }
    Loaded { compilation, roots: names }
}

/// The shipped policies, as compiled into the binary.
pub fn builtin() -> Vec<Source> {
    embedded::POLICIES
        .iter()
        .map(|(name, text)| Source { name: (*name).to_string(), text: (*text).to_string() })
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
            let same = builtin.iter().find(|(n, _)| n.rsplit('/').next() == Some(&name));
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

/// Why a file could not be read (or was refused).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub path: String,
    pub message: String,
    pub help: String,
}

impl LoadError {
    fn new(path: &Path, message: impl Into<String>, help: impl Into<String>) -> LoadError {
        LoadError { path: path.display().to_string(), message: message.into(), help: help.into() }
    }

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

/// The directories `pol` may read from for one command: the project the paths it was
/// given lie in (the directory holding the nearest `pol.toml` above them), else the
/// directories given (for a file, its directory). Held as canonical paths, so a file is
/// inside when its own canonical path (every link resolved) starts with one of them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Confinement {
    roots: Vec<PathBuf>,
}

impl Confinement {
    /// Only the project whose root is `root`.
    pub fn of_project(root: &Path) -> Confinement {
        Confinement { roots: canonical(root).into_iter().collect() }
    }

    /// The project `path` lies in, else `path` itself (for a file, its directory).
    pub fn around(path: &Path) -> Confinement {
        // A file's directory, not the file's own canonical path: a link named on the command
        // line must not move the confinement to where it leads.
        let dir = if path.is_dir() {
            canonical(path)
        } else {
            match path.parent().filter(|p| !p.as_os_str().is_empty()) {
                Some(parent) => canonical(parent),
                None => canonical(Path::new(".")),
            }
        };
        let Some(dir) = dir else {
            return Confinement::nothing();
        };
        let root = dir
            .ancestors()
            .find(|d| d.join(PROJECT_FILE).is_file())
            .map_or_else(|| dir.clone(), Path::to_path_buf);
        Confinement { roots: vec![root] }
    }

    /// Every path's confinement ([`Confinement::around`]) together.
    pub fn around_all(paths: &[PathBuf]) -> Confinement {
        let mut roots: Vec<PathBuf> =
            paths.iter().flat_map(|p| Confinement::around(p).roots).collect();
        roots.sort();
        roots.dedup();
        Confinement { roots }
    }

    /// Nowhere: every file is refused.
    pub fn nothing() -> Confinement {
        Confinement::default()
    }

    /// Whether the canonical path `canonical` lies inside.
    pub fn allows(&self, canonical: &Path) -> bool {
        self.roots.iter().any(|r| canonical.starts_with(r))
    }

    /// Whether the file at `path` lies inside (its links resolved); `None` when it cannot
    /// be resolved (it does not exist, or a link leads nowhere).
    pub fn contains(&self, path: &Path) -> Option<bool> {
        canonical(path).map(|c| self.allows(&c))
    }

    /// How to name the confinement to people: its first directory.
    fn describe(&self) -> String {
        self.roots.first().map_or("the project".to_string(), |r| format!("`{}`", r.display()))
    }

    /// Why `path` is refused: it lies outside. The message names only the path as the user
    /// wrote it and the directory it should lie in, never where it leads (a link to
    /// `/etc/shadow` must not print its target, let alone its lines).
    fn refusal(&self, path: &Path) -> LoadError {
        LoadError::new(
            path,
            format!(
                "this file lies outside {} (it is, or passes through, a link that leads out); pol reads only files inside the project",
                self.describe()
            ),
            "copy the file into the project, or run pol from a project (pol.toml) that holds it",
        )
    }
}

fn canonical(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok()
}

/// The kind of files a command looks for under directories.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `.pol` files.
    Policies,
    /// Policy tests: `.yaml`, `.yml`.
    Tests,
    /// Case files: `.json`, `.jsonl`, `.ndjson`, `.yaml`, `.yml`, `.toml`.
    Cases,
}

impl Kind {
    /// The extensions of the files of this kind found under a directory.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Kind::Policies => &["pol"],
            Kind::Tests => &["yaml", "yml"],
            Kind::Cases => crate::cases::CASE_EXTENSIONS,
        }
    }

    fn none_found(self) -> (&'static str, &'static str) {
        match self {
            Kind::Policies => (
                "the directory holds no `.pol` files",
                "point at a directory of policies, like `policies/`",
            ),
            Kind::Tests => (
                "the directory holds no policy tests (`.yaml` or `.yml` files)",
                "pass a directory of *.yaml policy tests, like tests/policies",
            ),
            Kind::Cases => (
                "the directory holds no case files",
                "case files end in .json, .jsonl, .yaml, .yml or .toml",
            ),
        }
    }

    fn missing(self) -> &'static str {
        match self {
            Kind::Policies => "check the path; policy files end in `.pol`",
            Kind::Tests => "pass a directory of *.yaml policy tests, like tests/policies",
            Kind::Cases => "check the path; case files end in .json, .jsonl, .yaml, .yml or .toml",
        }
    }
}

/// How a file was reached, which decides how it is opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reached {
    /// Named on the command line: read whatever it is (a FIFO from `<(...)` too), unless
    /// it is a directory.
    Named,
    /// Found under a directory or through an import: only a regular file, opened so that
    /// it cannot block.
    Found,
}

/// A file to read, and how it was reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundFile {
    pub path: PathBuf,
    pub reached: Reached,
}

/// What [`find`] found: the files, each once and in order (the paths named, each
/// directory's files sorted by name), and what was refused or could not be read, one
/// problem each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    pub files: Vec<FoundFile>,
    pub problems: Vec<LoadError>,
}

/// The files of `kind` at `paths`: each file named (whatever its extension), and under each
/// directory named, the files of that kind, found by the one walker ([`walk`]) inside
/// `within`.
pub fn find(paths: &[PathBuf], kind: Kind, within: &Confinement) -> Found {
    let mut found = Found::default();
    for p in paths {
        if p.is_dir() {
            let mut under = walk(p, kind.extensions(), within);
            if under.files.is_empty() && under.problems.is_empty() {
                let (message, help) = kind.none_found();
                under.problems.push(LoadError::new(p, message, help));
            }
            found.files.append(&mut under.files);
            found.problems.append(&mut under.problems);
        } else if std::fs::symlink_metadata(p).is_ok() {
            found.files.push(FoundFile { path: p.clone(), reached: Reached::Named });
        } else {
            found.problems.push(LoadError::new(p, "no such file or directory", kind.missing()));
        }
    }
    found
}

/// The files under `dir` (recursively) whose extension is one of `extensions`, sorted by
/// name, each once; and one problem for each link loop, each entry that cannot be read,
/// each file of those extensions that is not a regular file, and each one (or each
/// directory) outside `within`.
pub fn walk(dir: &Path, extensions: &[&str], within: &Confinement) -> Found {
    let mut found = Found::default();
    let wanted = |p: &Path| p.extension().is_some_and(|e| extensions.iter().any(|x| e == *x));
    // Directories and files already taken, by canonical path: a second way to reach them
    // (a link to a sibling) adds nothing, and without this a few links make a walk
    // exponential.
    let mut dirs: HashSet<PathBuf> = HashSet::new();
    let mut files: HashSet<PathBuf> = HashSet::new();
    let mut entries = walkdir::WalkDir::new(dir).follow_links(true).sort_by_file_name().into_iter();
    while let Some(next) = entries.next() {
        let entry = match next {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().map_or_else(|| dir.to_path_buf(), Path::to_path_buf);
                if let Some(ancestor) = e.loop_ancestor() {
                    found.problems.push(LoadError::new(
                        &path,
                        format!(
                            "a symbolic link back to `{}`, which holds it (a loop); pol does not follow it",
                            ancestor.display()
                        ),
                        "remove the link",
                    ));
                } else if wanted(&path) || !is_dangling_link(&path) {
                    let why = e.io_error().map_or_else(|| e.to_string(), ToString::to_string);
                    found.problems.push(LoadError::new(
                        &path,
                        format!("cannot be read: {why}"),
                        "check the path and its permissions",
                    ));
                }
                continue;
            }
        };
        let path = entry.path();
        if entry.file_type().is_dir() {
            let Some(real) = canonical(path) else {
                continue;
            };
            if !within.allows(&real) {
                found.problems.push(within.refusal(path));
                entries.skip_current_dir();
            } else if !dirs.insert(real) {
                entries.skip_current_dir();
            }
            continue;
        }
        if !wanted(path) {
            continue;
        }
        if !entry.file_type().is_file() {
            found.problems.push(not_regular(path, entry.file_type()));
            continue;
        }
        match canonical(path) {
            Some(real) if !within.allows(&real) => found.problems.push(within.refusal(path)),
            Some(real) => {
                if files.insert(real) {
                    found
                        .files
                        .push(FoundFile { path: path.to_path_buf(), reached: Reached::Found });
                }
            }
            None => found.problems.push(LoadError::new(
                path,
                "cannot be read: the file disappeared",
                "check the path",
            )),
        }
    }
    found
}

/// Whether `path` is a symbolic link to nothing.
fn is_dangling_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
        && std::fs::metadata(path).is_err()
}

/// Why a file that is not a regular file is refused.
fn not_regular(path: &Path, kind: std::fs::FileType) -> LoadError {
    LoadError::new(
        path,
        format!(
            "this is {}, not a regular file; pol reads only regular files it finds",
            describe_type(kind)
        ),
        "remove it, or give it another name",
    )
}

fn describe_type(kind: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else {
        "a special file"
    }
}

/// Reads the policy files of a set and everything they import, from disk: only `.pol`
/// files (the compiler asks for nothing else), only regular files inside the set's
/// [`Confinement`], each at most [`limits::POLICY_FILE`], all together at most
/// [`limits::POLICY_SET`].
#[derive(Clone, Debug)]
pub struct FileResolver {
    within: Confinement,
    /// Bytes of policy text still allowed in this set.
    budget: u64,
}

impl FileResolver {
    /// A resolver that reads only inside `within`.
    pub fn within(within: Confinement) -> FileResolver {
        FileResolver { within, budget: limits::POLICY_SET }
    }

    /// Reads one policy file of the set, counting it against the set's budget.
    pub fn read(&mut self, path: &Path, reached: Reached) -> Result<String, LoadError> {
        let limit = limits::POLICY_FILE.min(self.budget);
        let bytes = read_bytes(path, reached, limit).map_err(|e| {
            if limit < limits::POLICY_FILE && e.message.contains("larger than") {
                LoadError::new(
                    path,
                    format!(
                        "the policy set is larger than {}, the most pol reads",
                        limits::describe(limits::POLICY_SET)
                    ),
                    "split the policies into smaller sets",
                )
            } else {
                e
            }
        })?;
        self.budget = self.budget.saturating_sub(bytes.len() as u64);
        text_of(bytes).map_err(|(message, help)| LoadError::new(path, message, help))
    }
}

impl Resolver for FileResolver {
    fn resolve(&mut self, name: &str) -> Result<Option<String>, ImportError> {
        let path = Path::new(name);
        if std::fs::symlink_metadata(path).is_err() {
            return Ok(None);
        }
        let refused = |e: LoadError| ImportError { message: e.message, help: e.help };
        match self.within.contains(path) {
            Some(true) => {}
            Some(false) => return Err(refused(self.within.refusal(path))),
            None => {
                return Err(ImportError {
                    message: "a symbolic link that leads nowhere".into(),
                    help: "fix or remove the link".into(),
                })
            }
        }
        self.read(path, Reached::Found).map(Some).map_err(refused)
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

/// Opens a file for reading: a file found must be a regular file (checked on the open
/// file, which was opened without blocking); a file named must not be a directory.
pub fn open_file(path: &Path, reached: Reached) -> Result<std::fs::File, LoadError> {
    let fail = |e: std::io::Error| {
        LoadError::new(
            path,
            format!("cannot read the file: {e}"),
            "check the path and its permissions",
        )
    };
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    if reached == Reached::Found {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| {
        if path.is_dir() {
            LoadError::new(
                path,
                "this is a directory, not a file",
                "name a file, or the directory's files",
            )
        } else {
            fail(e)
        }
    })?;
    let kind = file.metadata().map_err(fail)?.file_type();
    if kind.is_dir() {
        return Err(LoadError::new(
            path,
            "this is a directory, not a file",
            "name a file, or the directory's files",
        ));
    }
    if reached == Reached::Found && !kind.is_file() {
        return Err(not_regular(path, kind));
    }
    Ok(file)
}

/// Opens a file named on the command line for streaming (a FIFO or standard input's
/// device too), with the same messages as [`read_text`] when it cannot.
pub fn open(path: &Path) -> Result<std::fs::File, LoadError> {
    open_file(path, Reached::Named)
}

/// Reads at most `limit` bytes of the file at `path`: through `take`, so a file that never
/// ends (`/dev/zero`) or one too large costs at most `limit` bytes; past the limit, an error
/// naming it.
pub fn read_bytes(path: &Path, reached: Reached, limit: u64) -> Result<Vec<u8>, LoadError> {
    let file = open_file(path, reached)?;
    let hint = file.metadata().map_or(0, |m| m.len()).min(limit);
    read_limited(file, hint, limit).map_err(|e| match e {
        Limited::TooLarge => too_large(path, limit),
        Limited::Io(e) => LoadError::new(
            path,
            format!("cannot read the file: {e}"),
            "check the path and its permissions",
        ),
    })
}

/// Why a bounded read failed.
#[derive(Debug)]
pub enum Limited {
    /// More than the limit.
    TooLarge,
    Io(std::io::Error),
}

/// Reads `reader` to its end, at most `limit` bytes (`hint`: the size expected).
pub fn read_limited(reader: impl std::io::Read, hint: u64, limit: u64) -> Result<Vec<u8>, Limited> {
    let mut bytes = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
    reader.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(Limited::Io)?;
    if bytes.len() as u64 > limit {
        return Err(Limited::TooLarge);
    }
    Ok(bytes)
}

/// The error for a file past its limit.
pub fn too_large(path: &Path, limit: u64) -> LoadError {
    LoadError::new(
        path,
        format!(
            "the file is larger than {}, the most pol reads of a file like it",
            limits::describe(limit)
        ),
        "split it into smaller files",
    )
}

/// Reads a policy file named on the command line as UTF-8 text (without a byte-order
/// mark), at most [`limits::POLICY_FILE`] bytes, saying where it is not UTF-8.
pub fn read_text(path: &Path) -> Result<String, LoadError> {
    read_text_with(path, Reached::Named, limits::POLICY_FILE)
}

/// Reads a file as UTF-8 text (without a byte-order mark), at most `limit` bytes.
pub fn read_text_with(path: &Path, reached: Reached, limit: u64) -> Result<String, LoadError> {
    let bytes = read_bytes(path, reached, limit)?;
    text_of(bytes).map_err(|(message, help)| LoadError::new(path, message, help))
}

/// The UTF-8 byte-order mark some Windows tools put at the start of a text file.
const BOM: &[u8] = "\u{feff}".as_bytes();

/// A stream read without the byte-order mark it may start with, as whole files are
/// ([`text_of`]): JSON lines written by a Windows tool decode like any others.
pub struct WithoutBom<R> {
    inner: R,
    /// The first bytes, read to look for the mark, until they are handed on.
    head: Vec<u8>,
    started: bool,
}

impl<R: std::io::Read> WithoutBom<R> {
    pub fn new(inner: R) -> WithoutBom<R> {
        WithoutBom { inner, head: Vec::new(), started: false }
    }
}

impl<R: std::io::Read> std::io::Read for WithoutBom<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.started {
            let mut first = [0u8; 3];
            let mut got = 0;
            while got < first.len() {
                match self.inner.read(first.get_mut(got..).unwrap_or_default()) {
                    Ok(0) => break,
                    Ok(n) => got += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            self.started = true;
            let first = first.get(..got).unwrap_or_default();
            if first != BOM {
                self.head = first.to_vec();
            }
        }
        if !self.head.is_empty() {
            let n = self.head.len().min(buf.len());
            if let (Some(to), Some(from)) = (buf.get_mut(..n), self.head.get(..n)) {
                to.copy_from_slice(from);
            }
            self.head.drain(..n);
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

/// Bytes as UTF-8 text without a byte-order mark (as some Windows editors write), or a
/// message saying where they are not UTF-8 and how to fix it.
pub fn text_of(bytes: Vec<u8>) -> Result<String, (String, String)> {
    let bytes = match bytes.strip_prefix(BOM) {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use std::io::Read;

    use super::WithoutBom;

    /// Reads `bytes` through [`WithoutBom`], the source giving one byte per read (as a pipe
    /// may), into a buffer of `buf` bytes at a time.
    fn read(bytes: &[u8], buf: usize) -> Vec<u8> {
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                match (self.0.split_first(), out.first_mut()) {
                    (Some((b, rest)), Some(o)) => {
                        *o = *b;
                        self.0 = rest;
                        Ok(1)
                    }
                    _ => Ok(0),
                }
            }
        }
        let mut r = WithoutBom::new(Trickle(bytes));
        let mut out = Vec::new();
        let mut chunk = vec![0u8; buf];
        loop {
            let n = r.read(&mut chunk).unwrap();
            if n == 0 {
                return out;
            }
            out.extend_from_slice(&chunk[..n]);
        }
    }

    #[test]
    fn a_byte_order_mark_at_the_start_is_dropped_and_nothing_else() {
        for buf in [1, 2, 64] {
            assert_eq!(read(b"\xef\xbb\xbf{}\n", buf), b"{}\n");
            assert_eq!(read(b"{}\n", buf), b"{}\n");
            // Not a whole mark, or a mark later on: kept as they are.
            assert_eq!(read(b"\xef\xbb", buf), b"\xef\xbb");
            assert_eq!(read(b"{}\n\xef\xbb\xbf", buf), b"{}\n\xef\xbb\xbf");
            assert_eq!(read(b"", buf), b"");
        }
    }
}

//! Which policy set a file belongs to.
//!
//! A project is a directory with a `pol.toml`, found by walking up from the file; its
//! policy directory is what `pol.toml` names (`policies = "dir"`, default `policies`), and
//! its set is every `.pol` file under it. A file outside any project's policy directory
//! belongs to the set of the `.pol` files in its own directory.
//!
//! The project file is read by the engine (`pol_engine::project`), as `pol` itself reads
//! it; this module only decides which set a file is in, and so which lint levels apply:
//! the project's `[lints]` for its policy directory, as `pol check` applies them, every
//! lint's default for loose files. A `pol.toml` that cannot be used is shown as a
//! diagnostic on it, and its files are treated as loose files meanwhile.

use std::path::{Path, PathBuf};

use pol_compiler::LintLevels;
use pol_engine::project::{Project, ProjectError};
use pol_syntax::codes;

use crate::line_index::{Encoding, LineIndex};

pub use pol_engine::project::PROJECT_FILE;

/// The directory of a policy set, whether the set is everything under it (a project's
/// policy directory, as `pol check` reads it) or only the files directly in it (a loose
/// file's directory, which may be a home directory full of other things), and the lint
/// levels it is checked at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetDir {
    pub dir: PathBuf,
    pub recursive: bool,
    pub lints: LintLevels,
}

impl SetDir {
    /// A project's policy set.
    pub fn of_project(project: Project) -> SetDir {
        SetDir { dir: project.policies, recursive: true, lints: project.lints }
    }
}

/// The policy set `file` belongs to, and the problem with the project file that had to
/// be passed over, if any.
pub fn set_for(file: &Path) -> (SetDir, Option<ProjectError>) {
    let dir = file.parent().unwrap_or(Path::new("/")).to_path_buf();
    let (project, problem) = discover(&dir);
    let set = match project {
        Some(project) if file.starts_with(&project.policies) => SetDir::of_project(project),
        _ => SetDir { dir, recursive: false, lints: LintLevels::default() },
    };
    (set, problem)
}

/// The project that `dir` is in (walking up), if any. A `pol.toml` that cannot be used is
/// returned beside `None`, to be shown on that file; the caller falls back to the file's
/// own directory.
pub fn discover(dir: &Path) -> (Option<Project>, Option<ProjectError>) {
    match Project::discover(dir) {
        Ok(project) => (project, None),
        Err(e) => (None, Some(e)),
    }
}

/// A project file's problem as an LSP diagnostic on that file (its whole first line when
/// the place is not known).
pub fn diagnostic(e: &ProjectError, encoding: Encoding) -> lsp_types::Diagnostic {
    let lines = LineIndex::new(&e.text);
    let (start, end) = e.span.unwrap_or((0, e.text.find('\n').unwrap_or(e.text.len())));
    lsp_types::Diagnostic {
        range: lsp_types::Range::new(
            lines.position(&e.text, start, encoding),
            lines.position(&e.text, end, encoding),
        ),
        severity: Some(lsp_types::DiagnosticSeverity::ERROR),
        code: Some(lsp_types::NumberOrString::String(codes::PROJECT_FILE.id.to_string())),
        source: Some("pol".to_string()),
        message: format!("{}\nhelp: {}", e.message, e.help),
        ..lsp_types::Diagnostic::default()
    }
}

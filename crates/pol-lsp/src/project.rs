//! Which policy set a file belongs to.
//!
//! A project is a directory with a `pol.toml`, found by walking up from the file; its
//! policy directory is what `pol.toml` names (`policies = "dir"`, default `policies`), and
//! its set is every `.pol` file under it. A file outside any project's policy directory
//! belongs to the set of the `.pol` files in its own directory.
//!
//! The project file is read by the engine (`pol_engine::project`), as `pol` itself reads
//! it; this module only decides which set a file is in.

use std::path::{Path, PathBuf};

pub use pol_engine::project::PROJECT_FILE;

/// The directory of a policy set, and whether the set is everything under it (a project's
/// policy directory, as `pol check` reads it) or only the files directly in it (a loose
/// file's directory, which may be a home directory full of other things).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetDir {
    pub dir: PathBuf,
    pub recursive: bool,
}

/// The policy set `file` belongs to.
pub fn set_for(file: &Path) -> SetDir {
    let dir = file.parent().unwrap_or(Path::new("/")).to_path_buf();
    match discover(&dir) {
        Some(policies) if file.starts_with(&policies) => SetDir {
            dir: policies,
            recursive: true,
        },
        _ => SetDir {
            dir,
            recursive: false,
        },
    }
}

/// The policy directory of the project that `dir` is in (walking up), if any. A
/// `pol.toml` that cannot be used is reported on standard error (the editor's log) and
/// ignored: the file's directory is used instead.
pub fn discover(dir: &Path) -> Option<PathBuf> {
    match pol_engine::project::Project::discover(dir) {
        Ok(project) => project.map(|p| p.policies),
        Err(e) => {
            eprintln!("pol lsp: {}: {} ({})", e.file.display(), e.message, e.help);
            None
        }
    }
}

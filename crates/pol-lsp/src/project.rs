//! Which policy set a file belongs to.
//!
//! A project is a directory with a `pol.toml`, found by walking up from the file; its
//! policy directory is what `pol.toml` names (`policies = "dir"`, default `policies`). A
//! file outside any project's policy directory belongs to the set of its own directory.
//!
//! `policy_dir_for` is the one place that knows this, so that when the shared project
//! discovery of the driver crate lands, switching to it is a change here only.

use std::path::{Path, PathBuf};

/// The name of the project file.
pub const PROJECT_FILE: &str = "pol.toml";

/// The policy directory of the set `file` belongs to.
pub fn policy_dir_for(file: &Path) -> PathBuf {
    let dir = file.parent().unwrap_or(Path::new("/")).to_path_buf();
    match discover(&dir) {
        Some(policies) if file.starts_with(&policies) => policies,
        _ => dir,
    }
}

/// The policy directory of the project that `dir` is in (walking up), if any.
pub fn discover(dir: &Path) -> Option<PathBuf> {
    let root = dir.ancestors().find(|d| d.join(PROJECT_FILE).is_file())?;
    let text = std::fs::read_to_string(root.join(PROJECT_FILE)).ok()?;
    let named = toml::from_str::<toml::Table>(&text)
        .ok()
        .and_then(|t| t.get("policies")?.as_str().map(str::to_string));
    Some(root.join(named.as_deref().unwrap_or("policies")))
}

//! What a front-end that follows edits (`pol test --watch`, `pol serve --watch`) watches,
//! so that an edit to any file a run read is seen: the directories the set and the tests
//! are read from, and the directory of every other file read on the way (a policy an import
//! reached in `../shared/`, a test's case file in `examples/cases/`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// File changes closer together than this are one edit: an editor's save is several
/// events, and a `git checkout` many.
pub const CHANGES_SETTLE: Duration = Duration::from_millis(200);

/// A path to watch, and whether what lies below it counts too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchTarget {
    pub path: PathBuf,
    pub recursive: bool,
}

/// Each of `trees` with all below it, then the directory of each of `files` that lies
/// outside every tree, alone (its subdirectories hold nothing that was read). Paths are
/// compared with links and `..` resolved: `policies/../shared` does not lie under
/// `policies`. A tree that does not exist yet is kept, for its watch to fail and say so.
pub fn watch_targets(
    trees: Vec<PathBuf>,
    files: impl IntoIterator<Item = PathBuf>,
) -> Vec<WatchTarget> {
    let under: Vec<PathBuf> = trees.iter().map(|t| canonical(t)).collect();
    let dirs: BTreeSet<PathBuf> = files
        .into_iter()
        .map(|file| canonical(directory_of(&file)))
        .filter(|dir| !under.iter().any(|tree| dir.starts_with(tree)))
        .collect();
    trees
        .into_iter()
        .map(|path| WatchTarget { path, recursive: true })
        .chain(dirs.into_iter().map(|path| WatchTarget { path, recursive: false }))
        .collect()
}

/// The directory a file lies in; `.` for a bare name.
fn directory_of(file: &Path) -> &Path {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// `path` with links and `..` resolved, or as it is when it cannot be (it does not exist).
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_file_outside_the_trees_adds_its_directory_alone() {
        let root = tempfile::tempdir().unwrap();
        let policies = root.path().join("policies");
        let shared = root.path().join("shared");
        std::fs::create_dir_all(policies.join("sub")).unwrap();
        std::fs::create_dir_all(&shared).unwrap();
        let targets = watch_targets(
            vec![policies.clone()],
            [policies.join("sub/a.pol"), policies.join("../shared/b.pol"), shared.join("c.pol")],
        );
        let shared = std::fs::canonicalize(shared).unwrap();
        assert_eq!(
            targets,
            [
                WatchTarget { path: policies, recursive: true },
                WatchTarget { path: shared, recursive: false },
            ]
        );
    }
}

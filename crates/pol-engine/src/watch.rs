//! What a front-end that follows edits (`pol test --watch`, `pol serve --watch`) watches,
//! so that an edit to any file a run read is seen: the directories the set and the tests
//! are read from, and the directory of every other file read on the way (a policy an import
//! reached in `../shared/`, a test's case file in `examples/cases/`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use pol_compiler::source::normalize;

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
        .map(|file| canonical(&file))
        .filter(|file| !under.iter().any(|tree| file.starts_with(tree)))
        .filter_map(|file| file.parent().map(Path::to_path_buf))
        .collect();
    trees
        .into_iter()
        .map(|path| WatchTarget { path, recursive: true })
        .chain(dirs.into_iter().map(|path| WatchTarget { path, recursive: false }))
        .collect()
}

/// `path`, absolute, with links and `..` resolved. A path that does not exist (a file just
/// deleted, a directory not made yet) has its `.` and `..` taken as written (as source
/// names are), so that it still compares with those that do.
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        PathBuf::from(normalize(&absolute.to_string_lossy()))
    })
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

    /// A file that is gone (deleted while watched, or a directory that could not be read,
    /// named as the file a load failed on) still compares with the trees, written relative
    /// or not: the tree itself or a file below it adds no directory of its own.
    #[test]
    fn a_file_that_is_gone_still_compares_with_the_trees() {
        let root = tempfile::tempdir().unwrap();
        let policies = root.path().join("policies");
        std::fs::create_dir_all(&policies).unwrap();
        // As a load names its files: relative to the working directory.
        let cwd = std::env::current_dir().unwrap();
        let relative = pathdiff::diff_paths(policies.join("gone/p.pol"), cwd).unwrap();
        let targets = watch_targets(
            vec![policies.clone()],
            [
                policies.join("deleted.pol"),
                policies.join("sub/../gone.pol"),
                policies.clone(),
                relative,
            ],
        );
        assert_eq!(targets, [WatchTarget { path: policies, recursive: true }]);
    }
}

//! `pol fmt` on every `.pol` file in the repository: formatting succeeds on every file that
//! parses (its own check guarantees the same tree and the same comments), and is idempotent.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use pol_syntax::format::format;
use pol_syntax::FileId;

fn pol_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            pol_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "pol") {
            out.push(path);
        }
    }
}

#[test]
fn formatting_is_idempotent_and_faithful_on_every_policy_in_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for dir in ["policies", "tests/data"] {
        pol_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 20, "found only {} files", files.len());
    let mut formatted = 0;
    for path in files {
        // The bad-input corpus holds files that are not UTF-8 on purpose.
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if !pol_syntax::parse(FileId(0), &text).is_ok() {
            continue;
        }
        let once = format(FileId(0), &text)
            .unwrap_or_else(|d| panic!("{}: {}", path.display(), d[0].message));
        let twice = format(FileId(0), &once).unwrap();
        assert_eq!(
            once,
            twice,
            "{}: formatting twice changed it",
            path.display()
        );
        formatted += 1;
    }
    assert!(formatted > 20);
}

#[test]
fn the_shipped_policies_are_formatted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies");
    let mut files = Vec::new();
    pol_files(&root, &mut files);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            format(FileId(0), &text).unwrap(),
            text,
            "{} is not formatted: run `pol fmt policies`",
            path.display()
        );
    }
}

//! The bad-input corpus (`tests/data/bad-input`) through the properties the fuzz targets
//! assert (`fuzz/fuzz_targets/{parse,case}.rs`), in the normal test suite: a corpus file
//! that crashed a target once (a span splitting a character in `key_span`) stays a test
//! that runs on every `cargo test`, not only under `cargo +nightly fuzz`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use pol_compiler::{Case, Scratch, Source, SourceMap};
use pol_engine::cases::{decode_checked, Format};
use pol_syntax::FileId;

fn corpus(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/bad-input")
        .join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no corpus in {}", dir.display());
    files
}

/// The `case` target: every corpus file, as each of the four formats (the target picks
/// the format by its first byte), decodes or fails with a problem whose span lies inside
/// the text, on character boundaries.
#[test]
fn the_case_target_passes_on_the_corpus() {
    let engine =
        pol_engine::Engine::builtin().unwrap_or_else(|_| panic!("the built-in policies compile"));
    let c = engine.compiled();
    for path in corpus("cases") {
        let bytes = std::fs::read(&path).unwrap();
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        for format in [Format::Json, Format::Yaml, Format::Toml, Format::JsonLines] {
            let documents: Vec<&str> = if format == Format::JsonLines {
                text.lines().collect()
            } else {
                vec![text]
            };
            for doc in documents {
                let format = if format == Format::JsonLines {
                    Format::Json
                } else {
                    format
                };
                let mut case = Case::new(&c.set);
                let mut scratch = Scratch::default();
                if let Err(problem) =
                    decode_checked(c, "fuzz.case", doc, format, &mut case, &mut scratch)
                {
                    let what = format!("{} as {format:?}: {problem:?}", path.display());
                    assert_eq!(problem.file, "fuzz.case", "{what}");
                    assert!(!problem.message.is_empty(), "{what}");
                    if let Some((start, len)) = problem.span {
                        assert!(start + len <= problem.text.len(), "{what}: span outside");
                        assert!(
                            problem.text.is_char_boundary(start)
                                && problem.text.is_char_boundary(start + len),
                            "{what}: span splits a character"
                        );
                    }
                }
            }
        }
    }
}

/// The `parse` target: parsing is deterministic, one error per broken declaration, every
/// label inside its file on character boundaries, and formatting what parses idempotent.
#[test]
fn the_parse_target_passes_on_the_corpus() {
    for path in corpus("policies").into_iter().chain(corpus("cases")) {
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        let what = path.display().to_string();
        let first = pol_syntax::parse(FileId(0), &text);
        assert_eq!(first, pol_syntax::parse(FileId(0), &text), "{what}");
        let broken = first
            .file
            .items
            .iter()
            .filter(|i| matches!(i.kind, pol_syntax::ast::ItemKind::Broken(_)))
            .count();
        assert_eq!(broken, first.errors.len(), "{what}");
        if first.is_ok() {
            let once = pol_syntax::format::format(FileId(0), &text).unwrap();
            let twice = pol_syntax::format::format(FileId(0), &once).unwrap();
            assert_eq!(once, twice, "{what}: formatting is not idempotent");
        }
        let map = SourceMap::new(vec![Source {
            name: "fuzz.pol".into(),
            text: text.clone(),
        }]);
        for d in &first.errors {
            for label in std::iter::once(&d.primary).chain(&d.secondary) {
                let file = &map.get(label.span.file).unwrap().text;
                let (start, end) = (label.span.start as usize, label.span.end as usize);
                assert!(start <= end && end <= file.len(), "{what}: {d:?}");
                assert!(
                    file.is_char_boundary(start) && file.is_char_boundary(end),
                    "{what}: {d:?} splits a character"
                );
            }
        }
    }
}

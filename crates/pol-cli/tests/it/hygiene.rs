//! Workspace hygiene that no compiler flag alone guarantees: every crate root (library,
//! binary, build script, fuzz target) forbids unsafe code itself, so copying a file out of
//! the workspace or dropping `[lints] workspace = true` does not silently allow it; the
//! parser and compiler do no I/O; no code literal outside the registry; the lock file keeps
//! the set-up bound.

use crate::common;

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if name != "target" && name != "corpus" && name != "artifacts" {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_crate_root_forbids_unsafe_code() {
    let root = common::root();
    let roots = [
        "crates/pol-syntax/src/lib.rs",
        "crates/pol-compiler/src/lib.rs",
        "crates/pol-lsp/src/lib.rs",
        "crates/pol-lsp/benches/diagnostics.rs",
        "crates/pol-cli/src/main.rs",
        "fuzz/src/lib.rs",
        "fuzz/fuzz_targets/parse.rs",
        "fuzz/fuzz_targets/check.rs",
        "fuzz/fuzz_targets/case.rs",
        "fuzz/fuzz_targets/eval.rs",
    ];
    for file in roots {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        assert!(text.contains("#![forbid(unsafe_code)]"), "{file} does not forbid unsafe code");
    }
    // And no file uses the keyword at all (outside comments, approximately). The needles are
    // split so this file does not match itself.
    let needles = [concat!("uns", "afe {"), concat!("uns", "afe fn"), concat!("uns", "afe impl")];
    let mut files = Vec::new();
    rust_files(&root.join("crates"), &mut files);
    rust_files(&root.join("fuzz"), &mut files);
    assert!(files.len() > 20);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            assert!(
                !needles.iter().any(|n| code.contains(n)),
                "{}:{}: unsafe code",
                f.display(),
                i + 1
            );
        }
    }
}

/// The language cannot reach the outside world (docs/language.md): the parser and compiler
/// name no file, network, process, environment or clock API, and chrono is built without
/// its clock.
#[test]
fn the_parser_and_compiler_do_no_io_and_read_no_clock() {
    let root = common::root();
    let mut files = Vec::new();
    rust_files(&root.join("crates/pol-syntax/src"), &mut files);
    rust_files(&root.join("crates/pol-compiler/src"), &mut files);
    assert!(files.len() > 10);
    let needles = [
        "std::fs",
        "std::net",
        "std::env",
        "std::process",
        "std::io",
        "std::time",
        "SystemTime",
        "Instant",
        "Utc",
        "Local",
        "File::",
    ];
    // Formatting numbers into an in-memory `Vec<u8>` (the JSON decision writer) goes
    // through `std::io::Write`; that import is the one use of `std::io` allowed.
    let in_memory_write = "use std::io::Write as _;";
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap().replace(in_memory_write, "");
        for needle in needles {
            assert!(!text.contains(needle), "{} names `{needle}`", f.display());
        }
    }
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let chrono = manifest.lines().find(|l| l.starts_with("chrono")).unwrap();
    assert!(chrono.contains("default-features = false") && !chrono.contains("clock"), "{chrono}");
}

/// Diagnostic codes are typed constants registered once (`crates/pol-syntax/src/codes.rs`):
/// no other source file, test or fuzz target spells a code in a string, so a code cannot
/// drift from the registry unnoticed.
#[test]
fn no_code_literal_outside_the_registry() {
    let root = common::root();
    let mut files = Vec::new();
    for dir in ["crates", "fuzz", "benches"] {
        rust_files(&root.join(dir), &mut files);
    }
    let registry = root.join("crates/pol-syntax/src/codes.rs");
    let mut found = Vec::new();
    for f in files.iter().filter(|f| **f != registry) {
        let text = std::fs::read_to_string(f).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            // Inside a string literal: after an odd number of quotes on the line.
            let mut in_string = false;
            let bytes = code.as_bytes();
            for (j, b) in bytes.iter().enumerate() {
                if *b == b'"' && (j == 0 || bytes[j - 1] != b'\\') {
                    in_string = !in_string;
                }
                let spelled = in_string
                    && (*b == b'E' || *b == b'W')
                    && bytes.get(j + 1) == Some(&b'0')
                    && bytes.get(j + 2..j + 5).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
                    && !bytes.get(j + 5).is_some_and(u8::is_ascii_alphanumeric)
                    && (j == 0 || !(bytes[j - 1].is_ascii_alphanumeric() || bytes[j - 1] == b'/'));
                if spelled {
                    found.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "diagnostic codes spelled outside the registry (use `codes::NAME`):\n{}",
        found.join("\n")
    );
}

/// What `pol` says to people never sends them to a file of this repository (`see
/// docs/cli.md`): an installed `pol` comes without it. A message says what to do itself.
#[test]
fn no_message_points_at_a_repository_file() {
    let root = common::root();
    let mut files = Vec::new();
    rust_files(&root.join("crates"), &mut files);
    let mut found = Vec::new();
    for f in files.iter().filter(|f| f.components().any(|c| c.as_os_str() == "src")) {
        let text = std::fs::read_to_string(f).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.trim_start();
            // Comments, and a file built in (the lints page `pol check --explain` prints).
            if code.starts_with("//") || code.contains("include_str!(") {
                continue;
            }
            // In a string: after the line's first quote.
            let in_string = code.split_once('"').map_or("", |(_, s)| s);
            if in_string.contains("docs/") && in_string.contains(".md") {
                found.push(format!("{}:{}: {}", f.display(), i + 1, code));
            }
        }
    }
    assert!(found.is_empty(), "messages that point at a repository file:\n{}", found.join("\n"));
}

/// The set-up bound (docs/performance.md, "Set-up"): two pins in `Cargo.lock` keep ICU4X's
/// forty-odd crates out of a fresh build. A `cargo update` that lifts them brings the first
/// `cargo run` back over two minutes on two cores; re-pin, or measure and say why not.
#[test]
fn the_lock_file_keeps_icu_out_of_the_build() {
    let lock = std::fs::read_to_string(common::root().join("Cargo.lock")).unwrap();
    let icu: Vec<&str> = lock
        .lines()
        .filter_map(|line| line.strip_prefix("name = \""))
        .filter_map(|name| name.strip_suffix('"'))
        .filter(|name| name.starts_with("icu_"))
        .collect();
    assert!(
        icu.is_empty(),
        "Cargo.lock builds ICU4X ({}); pin it out again with \
         `cargo update -p textwrap --precise 0.16.2` and \
         `cargo update -p idna_adapter --precise 1.0.0` (see the root Cargo.toml)",
        icu.join(", ")
    );
}

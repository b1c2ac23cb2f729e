//! Embeds the shipped `policies/` in the binary, so `pol` works from any directory and
//! after `cargo install`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let policies = manifest.join("../../policies");
    // A directory makes cargo rescan everything beneath it for changes.
    println!("cargo:rerun-if-changed={}", policies.display());
    let mut files = Vec::new();
    collect(&policies, &mut files);
    files.sort();
    let mut out = String::from(
        "/// The shipped policy files: (name, text).\npub static POLICIES: &[(&str, &str)] = &[\n",
    );
    for path in &files {
        let rel = path.strip_prefix(&policies).unwrap_or(path);
        let name = format!("policies/{}", rel.to_string_lossy().replace('\\', "/"));
        let abs = path.canonicalize().unwrap_or_else(|_| path.clone());
        let _ = writeln!(out, "    ({name:?}, include_str!({:?})),", abs.to_string_lossy());
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("embedded.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        println!("cargo:warning=cannot write {}: {e}", dest.display());
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "pol") {
            out.push(path);
        }
    }
}

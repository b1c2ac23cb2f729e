//! The VS Code extension's TextMate grammar (`editors/vscode/syntaxes/pol.tmLanguage.json`):
//! it gives every piece of text in the shipped policies and the accepted test files a
//! scope (checked with VS Code's own tokenizer, `vscode-textmate`, by
//! `editors/vscode/test/tokenize.js`), and it knows every keyword of the grammar.
//!
//! The tokenizer test needs Node.js and `npm ci --prefix editors/vscode` (CI's `.ci/run`
//! does it); it fails, rather than passing silently, when either is missing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn pol_files(dir: &Path, only_ok: bool, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            pol_files(&path, only_ok, out);
        } else if path.extension().is_some_and(|e| e == "pol")
            && (!only_ok || path.components().any(|c| c.as_os_str() == "ok"))
        {
            out.push(path);
        }
    }
}

#[test]
fn the_grammar_gives_every_token_a_scope() {
    let root = repo();
    let extension = root.join("editors/vscode");
    assert!(
        extension.join("node_modules/vscode-textmate").is_dir(),
        "editors/vscode/node_modules is missing: run `npm ci --prefix editors/vscode` (CI's .ci/run does)"
    );
    let mut files = Vec::new();
    pol_files(&root.join("policies"), false, &mut files);
    let shipped = files.len();
    pol_files(&root.join("tests/data"), true, &mut files);
    pol_files(&root.join("crates/pol-lsp/tests/fixtures"), false, &mut files);
    files.sort();
    assert!(shipped >= 8 && files.len() > shipped, "{files:?}");
    let out = Command::new("node")
        .arg("test/tokenize.js")
        .args(&files)
        .current_dir(&extension)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `node` (Node.js is needed for this test): {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!("{} files", files.len())) && stdout.contains(" 0 without a scope"),
        "{stdout}"
    );
}

/// The words the grammar's regular expressions name in groups like `\b(and|or|not)\b`
/// (`days?` stands for `day` and `days`).
fn grammar_words(v: &serde_json::Value, out: &mut BTreeSet<String>) {
    match v {
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                if k == "match" || k == "begin" {
                    let re = x.as_str().unwrap_or("");
                    for group in re.split('(').skip(1) {
                        let group = group.split(')').next().unwrap_or("");
                        for alt in group.split('|') {
                            match alt.strip_suffix('?') {
                                Some(stem) => {
                                    out.insert(stem.to_string());
                                    let mut shorter = stem.to_string();
                                    shorter.pop();
                                    out.insert(shorter);
                                }
                                None => {
                                    out.insert(alt.to_string());
                                }
                            }
                        }
                    }
                }
                grammar_words(x, out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| grammar_words(x, out)),
        _ => {}
    }
}

#[test]
fn the_grammar_knows_every_keyword() {
    let root = repo();
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("editors/vscode/syntaxes/pol.tmLanguage.json")).unwrap(),
    )
    .unwrap();
    let mut known = BTreeSet::new();
    grammar_words(&json, &mut known);
    // `pol_syntax::KEYWORDS` is held to pol.pest by pol-syntax's own test.
    let keywords = pol_syntax::KEYWORDS;
    let missing: Vec<&&str> = keywords.iter().filter(|k| !known.contains(**k)).collect();
    assert!(missing.is_empty(), "keywords the TextMate grammar does not name: {missing:?}");
}

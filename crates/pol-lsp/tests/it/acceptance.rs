//! The acceptance session on a copy of the shipped policies: a misspelling shows as a
//! diagnostic with the right name offered; hover, definition, completion, formatting,
//! rename and semantic tokens work on the real set. Assertions read the shipped text rather than hard-coding
//! its lines, so editing a policy does not break them.

use crate::support;

use serde_json::json;
use support::{apply, copy_dir, labels, position, repo, scratch, Session};

const POLICY: &str = "policies/advance_parole.pol";
const FACT: &str = "applicant.in_removal_proceedings";

/// A directory of the test `test`'s own holding a copy of `policies/` (and nothing else: no
/// `pol.toml`, so the set is the opened file's directory). Tests run at once, so each has
/// its own.
fn shipped(test: &str) -> std::path::PathBuf {
    let dir = scratch(&format!("shipped-{test}"));
    copy_dir(&repo().join("policies"), &dir.join("policies"));
    dir
}

#[test]
fn acceptance_on_the_shipped_policies() {
    let source = shipped("acceptance");
    let mut s = Session::start("acceptance", &source, json!({}));
    let _ = std::fs::remove_dir_all(&source);
    let text = s.read(POLICY);
    s.open(POLICY);

    // A misspelt fact, unsaved: a diagnostic on the word, offering the right name.
    let misspelt = text.replacen(FACT, "applicant.in_removal_procedings", 1);
    s.change(POLICY, 2, &misspelt);
    let published = s.diagnostics(POLICY);
    let diagnostics = published["diagnostics"].as_array().unwrap();
    let (line, col) = position(&misspelt, "applicant.in_removal_procedings", 0, 0);
    let d = diagnostics
        .iter()
        .find(|d| d["range"]["start"]["line"] == line)
        .unwrap_or_else(|| panic!("no diagnostic on line {line}: {published}"));
    assert_eq!(d["range"]["start"]["character"], col);
    assert_eq!(
        d["range"]["end"]["character"],
        col + "applicant.in_removal_procedings".len() as u32
    );
    let offered = d["message"].as_str().unwrap().contains(FACT)
        || d["relatedInformation"].to_string().contains(FACT);
    assert!(offered, "{d}");
    assert_eq!(published["version"], 2);

    // Back to the saved text: the diagnostic goes away.
    s.change(POLICY, 3, &text);
    assert_eq!(s.diagnostics(POLICY)["diagnostics"], json!([]));

    // Hover on `applicant.status` shows its doc string, as facts.pol declares it.
    let facts = s.read("policies/facts.pol");
    let declaration = facts
        .lines()
        .find(|l| l.trim_start_matches("fixed ").starts_with("fact applicant.status:"))
        .unwrap();
    let doc = declaration.split('"').nth(1).unwrap();
    let at = s.at(POLICY, &text, "applicant.status", 0, 3);
    let hover = s.ok("textDocument/hover", at.clone());
    assert!(hover["contents"]["value"].as_str().unwrap().contains(doc), "{hover}");

    // Definition points into facts.pol, at the declaration.
    let definition = s.ok("textDocument/definition", at);
    assert_eq!(definition["uri"], "$ROOT/policies/facts.pol");
    let (line, col) = position(&facts, "fact applicant.status:", 0, 5);
    assert_eq!(definition["range"]["start"], json!({"line": line, "character": col}));

    // Completion after `applicant.` offers `status`.
    let typing = text.replacen("applicant.status", "applicant.", 1);
    let items = s.complete(POLICY, 4, &typing, ("applicant.", 10), Some("."));
    assert!(labels(&items).contains(&"status".into()), "{items}");

    // Formatting a badly indented policy returns edits that restore the layout.
    let messy = text.replace("\n  ", "\n      ");
    s.change(POLICY, 5, &messy);
    let edits = s.format_document(POLICY);
    assert!(!edits.as_array().unwrap().is_empty());
    assert_eq!(apply(&messy, &edits), text);

    // Renaming a `let` changes its declaration and every use.
    s.change(POLICY, 6, &text);
    let uses = text.matches("any_pending").count();
    assert!(uses > 2);
    let mut params = s.at(POLICY, &text, "any_pending", 1, 0);
    params["newName"] = json!("something_pending");
    let edit = s.ok("textDocument/rename", params);
    let edits = &edit["changes"]["$ROOT/policies/advance_parole.pol"];
    assert_eq!(edits.as_array().unwrap().len(), uses);
    assert_eq!(apply(&text, edits), text.replace("any_pending", "something_pending"));
    assert_eq!(edit["changes"].as_object().unwrap().len(), 1);

    assert_eq!(s.shutdown(), 0);
}

/// Every shipped policy file's semantic tokens land on names as the file writes them.
#[test]
fn semantic_tokens_on_every_shipped_file() {
    let source = shipped("tokens");
    let mut s = Session::start("acceptance-tokens", &source, json!({}));
    let legend = s.initialized["capabilities"]["semanticTokensProvider"]["legend"].clone();
    let mut files: Vec<_> = std::fs::read_dir(source.join("policies"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pol"))
        .collect();
    files.sort();
    assert!(files.len() >= 8, "{files:?}");
    for name in files {
        let relative = format!("policies/{name}");
        let text = s.open(&relative);
        let params = json!({"textDocument": {"uri": s.uri(&relative)}});
        let data = s.ok("textDocument/semanticTokens/full", params)["data"].clone();
        let tokens = support::decode_tokens(&text, &legend, &data);
        assert!(!tokens.is_empty(), "{relative}: no tokens");
        for t in &tokens {
            let name = t.split(' ').next().unwrap();
            let is_name = name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
            assert!(is_name, "{relative}: token `{t}` is not a name");
        }
    }
    let _ = std::fs::remove_dir_all(&source);
    assert_eq!(s.shutdown(), 0);
}

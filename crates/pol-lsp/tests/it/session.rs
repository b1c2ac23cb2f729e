//! A whole editing session over the fixture project (`tests/fixtures/project`: a
//! `pol.toml` naming `rules/` as the policy directory), every answer snapshotted.

use crate::support;

use serde_json::{json, Value};
use support::{apply, labels, strings, Session};

fn fixture() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/project")
}

fn start(test: &str) -> Session {
    Session::start(test, &fixture(), json!({}))
}

/// A session on the fixture project's policies with `project` as its `pol.toml`, written
/// before the server starts.
fn start_with_project(test: &str, project: &str) -> Session {
    let source = support::scratch(&format!("{test}-src"));
    support::copy_dir(&fixture().join("rules"), &source.join("rules"));
    std::fs::write(source.join("pol.toml"), project).unwrap();
    let s = Session::start(test, &source, json!({}));
    let _ = std::fs::remove_dir_all(&source);
    s
}

/// `text` of `TRAVEL` with the edit of code action `fix` applied.
fn with_fix(text: &str, fix: &Value) -> String {
    apply(text, &fix["edit"]["changes"]["$ROOT/rules/travel.pol"])
}

/// A session on the fixture project with `lints` as its `[lints]` table, `TRAVEL` open.
fn travel_with_lints(test: &str, lints: &str) -> Session {
    let mut s = start_with_project(test, &format!("policies = \"rules\"\n[lints]\n{lints}\n"));
    s.open(TRAVEL);
    s
}

/// Runs `body` in a session on a fresh copy of the fixture project, then shuts the server
/// down, which must exit cleanly.
fn in_session(test: &str, body: impl FnOnce(&mut Session)) {
    let mut s = start(test);
    body(&mut s);
    assert_eq!(s.shutdown(), 0);
}

const TRAVEL: &str = "rules/travel.pol";

#[test]
fn capabilities() {
    let mut s = start("capabilities");
    insta::assert_json_snapshot!(s.initialized.clone());
    // A second `initialize` is refused.
    let again = s.request("initialize", json!({"capabilities": {}}));
    assert_eq!(again["error"]["code"], -32600, "{again}");
    // A client that offers UTF-8 positions gets them.
    let utf8 = Session::start(
        "capabilities-utf8",
        &fixture(),
        json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}),
    );
    assert_eq!(utf8.initialized["capabilities"]["positionEncoding"], "utf-8");
    assert_eq!(utf8.shutdown(), 0);
    assert_eq!(s.shutdown(), 0);
}

#[test]
fn diagnostics_on_open_and_change() {
    in_session("diagnostics", |s| {
        s.open(TRAVEL);
        // The set's problems, file by file: the lint in travel.pol, and the unused fact in
        // facts.pol (not open, but part of the set).
        insta::assert_json_snapshot!("open_travel", s.diagnostics(TRAVEL));
        insta::assert_json_snapshot!("open_facts", s.diagnostics("rules/facts.pol"));
        // An unsaved change with a misspelt enum word and fact path.
        let text = s.read(TRAVEL);
        let edited = text
            .replace("reason in {medical, funeral}", "reason in {medical, funerl}")
            .replace("unless applicant.status", "unless applicant.stats");
        s.change(TRAVEL, 2, &edited);
        insta::assert_json_snapshot!("changed_travel", s.diagnostics(TRAVEL));
        // The quick fixes for the misspellings, applied, leave the file as it was.
        let fixes = s.whole_file_fixes(TRAVEL);
        insta::assert_json_snapshot!("quick_fixes", fixes);
        let mut fixed = edited.clone();
        for fix in fixes.as_array().unwrap() {
            if fix["isPreferred"] == true {
                let edits = &fix["edit"]["changes"]["$ROOT/rules/travel.pol"];
                fixed = apply(&fixed, edits);
            }
        }
        assert_eq!(fixed, text);
        s.change(TRAVEL, 3, &fixed);
        let clean = s.diagnostics(TRAVEL);
        assert_eq!(clean["version"], 3);
        assert_eq!(clean["diagnostics"].as_array().unwrap().len(), 1, "{clean}");
    });
}

/// An edit to a declaration shows in the files that use it, before anything is saved.
#[test]
fn edits_reach_importing_files() {
    in_session("importers", |s| {
        s.open(TRAVEL);
        let _ = s.diagnostics(TRAVEL);
        let facts = s.read("rules/facts.pol");
        s.open("rules/facts.pol");
        s.change(
            "rules/facts.pol",
            2,
            &facts.replace("fact reason: Reason", "fact reasons: Reason"),
        );
        let d = s.diagnostics(TRAVEL);
        let messages = strings(&d["diagnostics"], "message");
        assert!(
            messages
                .iter()
                .any(|m| m.contains("unknown name `reason`")
                    && m.contains("did you mean `reasons`?")),
            "{messages:?}"
        );
        // The file on disk is untouched.
        assert_eq!(s.read("rules/facts.pol"), facts);
    });
}

#[test]
fn hover() {
    in_session("hover", |s| {
        let text = s.open(TRAVEL);
        let mut hovers = serde_json::Map::new();
        for (what, needle, nth, into) in [
            ("fact", "applicant.status", 0, 12),
            ("enum word", "daca", 0, 1),
            ("set fact", "applicant.pending", 0, 0),
            ("let", "any_pending", 1, 3),
            ("program", "program travel", 0, 9),
            ("const", "one_year", 0, 2),
            ("rule", "removal", 0, 3),
            ("policy", "travel_permit", 0, 3),
        ] {
            let r = s.ok("textDocument/hover", s.at(TRAVEL, &text, needle, nth, into));
            hovers.insert(what.into(), r);
        }
        insta::assert_json_snapshot!(Value::Object(hovers));
        // A dated parameter shows its periods; an enum its words.
        let params = s.read("rules/params.pol");
        let fee = s.ok("textDocument/hover", s.at("rules/params.pol", &params, "fee", 0, 1));
        insta::assert_snapshot!("param", fee["contents"]["value"].as_str().unwrap());
        let facts = s.read("rules/facts.pol");
        let status = s.ok("textDocument/hover", s.at("rules/facts.pol", &facts, "Status", 0, 1));
        insta::assert_snapshot!("enum", status["contents"]["value"].as_str().unwrap());
        // A fixed fact says so, and names the constraints that read it; a constraint shows what
        // it states and why.
        let nationality = s.ok(
            "textDocument/hover",
            s.at("rules/facts.pol", &facts, "applicant.nationality", 0, 12),
        );
        insta::assert_snapshot!("fixed_fact", nationality["contents"]["value"].as_str().unwrap());
        for (name, needle) in [
            ("constraint_because", "nationality_code"),
            ("constraint_cite", "presence_not_negative"),
        ] {
            let c = s.ok("textDocument/hover", s.at("rules/facts.pol", &facts, needle, 0, 2));
            insta::assert_snapshot!(name, c["contents"]["value"].as_str().unwrap());
        }
        // Nothing to say between names.
        let blank = s.ok("textDocument/hover", s.at(TRAVEL, &text, "policy", 0, 0));
        assert_eq!(blank, Value::Null);
    });
}

#[test]
fn definition_and_references() {
    in_session("navigation", |s| {
        let text = s.open(TRAVEL);
        let mut out = serde_json::Map::new();
        for (what, needle, nth) in [
            ("fact", "applicant.status", 1),
            ("enum word", "tps", 1),
            ("let", "any_pending", 2),
            ("program", "program travel", 0),
            ("import", "\"params.pol\"", 0),
        ] {
            let into = if what == "program" { 9 } else { 2 };
            out.insert(
                what.into(),
                s.ok("textDocument/definition", s.at(TRAVEL, &text, needle, nth, into)),
            );
        }
        insta::assert_json_snapshot!("definition", Value::Object(out));
        let mut at = s.at(TRAVEL, &text, "any_pending", 0, 0);
        at["context"] = json!({"includeDeclaration": true});
        insta::assert_json_snapshot!("references", s.ok("textDocument/references", at));
        // References from the declaration in another file, without it.
        let facts = s.read("rules/facts.pol");
        let mut at = s.at("rules/facts.pol", &facts, "applicant.status", 0, 0);
        at["context"] = json!({"includeDeclaration": false});
        let refs = s.ok("textDocument/references", at);
        let files = strings(&refs, "uri");
        assert_eq!(
            files,
            ["$ROOT/rules/other.pol", "$ROOT/rules/travel.pol", "$ROOT/rules/travel.pol"]
        );
    });
}

/// A name's declaration and uses in the open file are marked together; semantic tokens
/// colour every name by what it names.
#[test]
fn highlights_and_semantic_tokens() {
    in_session("tokens", |s| {
        let text = s.open(TRAVEL);
        // Highlight kinds: 2 a read, 3 a write (the declaration).
        let kinds = |marks: Value| -> Vec<i64> {
            let marks = marks.as_array().cloned().unwrap_or_default();
            marks.iter().filter_map(|m| m["kind"].as_i64()).collect()
        };
        let at = s.at(TRAVEL, &text, "any_pending", 2, 0);
        assert_eq!(kinds(s.ok("textDocument/documentHighlight", at)), [3, 2, 2]);
        // A fact declared in another file: only its uses in this one.
        let at = s.at(TRAVEL, &text, "applicant.status", 0, 2);
        assert_eq!(kinds(s.ok("textDocument/documentHighlight", at)), [2, 2]);

        let legend = s.initialized["capabilities"]["semanticTokensProvider"]["legend"].clone();
        let params = json!({"textDocument": {"uri": s.uri(TRAVEL)}});
        let data = s.ok("textDocument/semanticTokens/full", params)["data"].clone();
        let tokens = support::decode_tokens(&text, &legend, &data);
        for expected in [
            "any_pending variable declaration",
            "applicant.status property",
            "tps enumMember readonly",
            "travel namespace",
            "travel_permit class declaration",
            "one_year variable readonly",
            "has_basis function declaration",
            "reason property",
        ] {
            assert!(tokens.iter().any(|t| t == expected), "no token `{expected}` in {tokens:#?}");
        }
        // Names only: keywords, strings and numbers are the grammar's.
        for t in &tokens {
            let name = t.split(' ').next().unwrap_or_default();
            assert!(name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.'), "{t}");
        }
        // Columns count UTF-16 units: a name after `"ÉÉ"` is found where the editor has it.
        let edited = format!(
            "{text}\npolicy notes \"Noted?\" {{\n  warn odd: applicant.nationality == \"ÉÉ\" or any_pending\n}}\n"
        );
        s.change(TRAVEL, 2, &edited);
        let params = json!({"textDocument": {"uri": s.uri(TRAVEL)}});
        let data = s.ok("textDocument/semanticTokens/full", params)["data"].clone();
        let tokens = support::decode_tokens(&edited, &legend, &data);
        assert_eq!(tokens.last().map(String::as_str), Some("any_pending variable"), "{tokens:#?}");
    });
}

/// Where a constant, a dated parameter or a program is used, a hint after the name says
/// what it stands for; facts and other names get none.
#[test]
fn inlay_hints() {
    in_session("hints", |s| {
        let text =
            s.read(TRAVEL) + "\npolicy fees \"Is the fee high?\" {\n  warn costly: fee > 600\n}\n";
        s.open_with(TRAVEL, &text);
        let params = json!({
            "textDocument": {"uri": s.uri(TRAVEL)},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": text.lines().count(), "character": 0}},
        });
        let hints = s.ok("textDocument/inlayHint", params);
        let hints: Vec<(u32, u32, &str)> = hints
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                let at = &h["position"];
                let line = at["line"].as_u64().unwrap() as u32;
                (line, at["character"].as_u64().unwrap() as u32, h["label"].as_str().unwrap())
            })
            .collect();
        let after = |needle: &str| {
            let (line, character) = support::position(&text, needle, 0, needle.len());
            (line, character)
        };
        let (line, character) = after("validity one_year");
        assert!(hints.contains(&(line, character, "= 365 days")), "{hints:?}");
        let (line, character) = after("program travel");
        let window = "opened 2020-01-01, closed 2025-03-25";
        assert!(hints.contains(&(line, character, window)), "{hints:?}");
        // The fee in force today: the period from 2024-04-01 (the test runs after it).
        let (line, character) = after("costly: fee");
        let fee = "= 630 since 2024-04-01";
        assert!(hints.contains(&(line, character, fee)), "{hints:?}");
        assert_eq!(hints.len(), 3, "{hints:?}");
    });
}

#[test]
fn symbols() {
    in_session("symbols", |s| {
        s.open(TRAVEL);
        insta::assert_json_snapshot!(
            "document_symbols",
            s.ok("textDocument/documentSymbol", json!({"textDocument": {"uri": s.uri(TRAVEL)}}))
        );
        insta::assert_json_snapshot!(
            "workspace_symbols",
            s.ok("workspace/symbol", json!({"query": "pend"}))
        );
        // Constraints are in the outline (with `cite` or `because`), and fixed facts say so.
        let facts = s.ok(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": s.uri("rules/facts.pol")}}),
        );
        let outline: Vec<String> = facts
            .as_array()
            .unwrap()
            .iter()
            .map(|d| format!("{} {} {}", d["kind"], d["name"], d["detail"]))
            .collect();
        insta::assert_snapshot!("facts_outline", outline.join("\n"));
    });
}

#[test]
fn completion() {
    in_session("completion", |s| {
        let text = s.open(TRAVEL);
        // Completions at the end of `needle`.
        let complete = |s: &mut Session, text: &str, needle: &str, trigger: Option<&str>| {
            s.complete(TRAVEL, 2, text, (needle, needle.chars().count()), trigger)
        };
        // Fact paths, segment by segment.
        let typed = text.replace("reason in {medical", "applicant. in {medical");
        let after_dot = complete(s, &typed, "applicant.", Some("."));
        insta::assert_json_snapshot!("after_applicant_dot", after_dot);
        let typed = text.replace("reason in {medical", "applicant.st in {medical");
        let partial = complete(s, &typed, "applicant.st", None);
        assert!(labels(&partial).contains(&"status".to_string()));
        // The enum words valid after a comparison, and inside a set (less those written).
        let typed = text.replace("unless applicant.status == daca", "unless applicant.status == ");
        let words = complete(s, &typed, "applicant.status == ", None);
        assert_eq!(labels(&words), ["none", "tps", "daca", "parolee"]);
        let typed = text.replace("reason in {medical, funeral}", "reason in {medical, ");
        let words = complete(s, &typed, "reason in {medical, ", Some(","));
        assert_eq!(labels(&words), ["funeral", "tourism"]);
        let typed = text.replace("{tps, daca}", "{t");
        let words = complete(s, &typed, "applicant.status in {t", None);
        assert_eq!(labels(&words), ["none", "tps", "daca", "parolee"]);
        // After `program`, the programs; after a fact's colon, the types.
        let typed = text.replace("program travel", "program t");
        assert_eq!(labels(&complete(s, &typed, "program t", None)), ["travel"]);
        // Elsewhere: keywords, declared names and the first segments of fact paths.
        let typed = text.replace("or any_pending\n", "or an\n");
        let general = labels(&complete(s, &typed, "or an", None));
        for wanted in ["any_pending", "one_year", "applicant", "reason", "trip", "require"] {
            assert!(general.contains(&wanted.to_string()), "{wanted} in {general:?}");
        }
        // A trigger character where nothing is wanted gives nothing.
        let typed = text.replace("form I-131", "form I-131,");
        assert_eq!(complete(s, &typed, "form I-131,", Some(",")), json!([]));
        let facts = s.read("rules/facts.pol");
        s.open("rules/facts.pol");
        let typed = facts.replace("fact reason: Reason", "fact reason: Re");
        s.change("rules/facts.pol", 2, &typed);
        let at = s.at("rules/facts.pol", &typed, "fact reason: Re", 0, 15);
        let types = labels(&s.ok("textDocument/completion", at));
        for wanted in ["Reason", "Status", "bool", "date", "set of"] {
            assert!(types.contains(&wanted.to_string()), "{wanted} in {types:?}");
        }
        // The same after `fixed fact`; a new declaration may be a constraint.
        let typed = facts.replace(
            "fixed fact applicant.nationality: string",
            "fixed fact applicant.nationality: Sta",
        );
        s.change("rules/facts.pol", 3, &typed);
        let at = s.at("rules/facts.pol", &typed, "nationality: Sta", 0, 16);
        let types = labels(&s.ok("textDocument/completion", at));
        assert!(types.contains(&"Status".to_string()), "{types:?}");
        assert!(types.contains(&"string".to_string()), "{types:?}");
        let typed = format!("{facts}\ncons");
        s.change("rules/facts.pol", 4, &typed);
        let at = s.at("rules/facts.pol", &typed, "\ncons", 0, 5);
        let words = labels(&s.ok("textDocument/completion", at));
        for wanted in ["constraint", "fixed", "because", "matches"] {
            assert!(words.contains(&wanted.to_string()), "{wanted} in {words:?}");
        }
    });
}

/// A rule with no sentence, where the project asks for one: the quick fix adds an empty
/// `says`, which stays an error until the author writes the sentence.
#[test]
fn a_missing_sentence_is_added_for_the_author_to_write() {
    let mut s = travel_with_lints("missing-says", "missing_says = \"warn\"");
    let says = pol_syntax::codes::MISSING_SAYS.id;
    let diags = s.diagnostics(TRAVEL);
    let d = diags["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == says)
        .unwrap_or_else(|| panic!("no {says}: {diags}"))
        .clone();
    let fixes = s.fixes(TRAVEL, &d);
    assert_eq!(fixes[0]["title"], "Add the sentence for the applicant");
    let text = s.read(TRAVEL);
    let fixed = with_fix(&text, &fixes[0]);
    assert!(fixed.contains("cite \"seed 001: a basis\" says \"\"\n"), "{fixed}");
    s.change(TRAVEL, 2, &fixed);
    let after = s.diagnostics(TRAVEL);
    let codes = strings(&after["diagnostics"], "code");
    assert!(codes.contains(&pol_syntax::codes::BAD_SENTENCE.id), "{after}");
    assert_eq!(s.shutdown(), 0);
}

/// In an `#[allow(...)]`, completion offers the lints not yet named, and hover on one says
/// what it finds and its level in this project.
#[test]
fn lint_names_in_an_allow() {
    let mut s = travel_with_lints("allow-lints", "missing_says = \"deny\"");
    let text = s.read(TRAVEL);
    let line = "#[allow(missing_citation, miss";
    let typed = text.replacen("policy ", &format!("{line}\npolicy "), 1);
    let names = labels(&s.complete(TRAVEL, 2, &typed, (line, line.len()), None));
    assert!(names.contains(&"missing_says".to_string()), "{names:?}");
    assert!(!names.contains(&"missing_citation".to_string()), "named already: {names:?}");
    assert!(!names.iter().any(|n| n.starts_with('E')), "{names:?}");
    // After a comma (a trigger character), too; past `reason`, nothing is a lint name.
    let line = "#[allow(unused,";
    let typed = text.replacen("policy ", &format!("{line}\npolicy "), 1);
    let items = s.complete(TRAVEL, 3, &typed, (line, line.len()), Some(","));
    let says = items.as_array().unwrap().iter().find(|i| i["label"] == "missing_says").unwrap();
    assert_eq!(says["detail"], format!("{} · an error", pol_syntax::codes::MISSING_SAYS.id));
    let line = "#[allow(unused, reason = \"x\", ";
    let typed = text.replacen("policy ", &format!("{line}\npolicy "), 1);
    let names = labels(&s.complete(TRAVEL, 4, &typed, (line, line.len()), None));
    assert!(!names.contains(&"missing_says".to_string()), "{names:?}");
    // Hover on a lint name.
    let line = "#[allow(missing_says, reason = \"x\")]";
    let typed = text.replacen("policy ", &format!("{line}\npolicy "), 1);
    s.change(TRAVEL, 5, &typed);
    let hover = s.ok("textDocument/hover", s.at(TRAVEL, &typed, "missing_says", 0, 3));
    let value = hover["contents"]["value"].as_str().unwrap();
    let head = format!("**`missing_says`** · lint {}", pol_syntax::codes::MISSING_SAYS.id);
    assert!(value.starts_with(&head), "{value}");
    assert!(value.ends_with("Here an error (by default off)."), "{value}");
    assert_eq!(s.shutdown(), 0);
}

#[test]
fn formatting() {
    in_session("formatting", |s| {
        let text = s.read(TRAVEL);
        // Formatted already: no edits.
        s.open(TRAVEL);
        let none = s.format_document(TRAVEL);
        assert_eq!(none, json!([]));
        // Badly indented, unsaved: one edit over the lines that change.
        let messy = text.replace("  require justified:", "        require     justified:");
        s.change(TRAVEL, 2, &messy);
        let edits = s.format_document(TRAVEL);
        insta::assert_json_snapshot!(edits);
        assert_eq!(apply(&messy, &edits), text);
        // A file that does not parse is left alone (its diagnostics say why).
        s.change(TRAVEL, 3, &text.replace("require has_basis:", "require has_basis"));
        let none = s.format_document(TRAVEL);
        assert_eq!(none, Value::Null);
    });
}

/// The error message of a rename, of what `at` points at to `new_name`, that the server
/// refuses (empty if it did not).
fn refused_rename(s: &mut Session, mut at: Value, new_name: &str) -> String {
    at["newName"] = json!(new_name);
    let answer = s.request("textDocument/rename", at);
    answer["error"]["message"].as_str().unwrap_or_default().to_string()
}

#[test]
fn rename() {
    in_session("rename", |s| {
        let text = s.open(TRAVEL);
        let at = s.at(TRAVEL, &text, "any_pending", 1, 2);
        insta::assert_json_snapshot!("prepare", s.ok("textDocument/prepareRename", at.clone()));
        let mut params = at.clone();
        params["newName"] = json!("something_pending");
        let edit = s.ok("textDocument/rename", params);
        insta::assert_json_snapshot!("let", edit);
        let renamed = apply(&text, &edit["changes"]["$ROOT/rules/travel.pol"]);
        assert_eq!(renamed, text.replace("any_pending", "something_pending"));
        // A fact, across files (the editor applies the edit; the server sees the new texts).
        let mut params = s.at(TRAVEL, &text, "applicant.status", 0, 3);
        params["newName"] = json!("applicant.basis");
        let edit = s.ok("textDocument/rename", params);
        let files: Vec<&String> = edit["changes"].as_object().unwrap().keys().collect();
        assert_eq!(
            files,
            ["$ROOT/rules/facts.pol", "$ROOT/rules/other.pol", "$ROOT/rules/travel.pol"]
        );
        // A fact a constraint reads: the constraint's use is renamed with the rest.
        let mut params = s.at(TRAVEL, &text, "applicant.unlawful_presence_days", 0, 3);
        params["newName"] = json!("applicant.days_unlawful");
        let edit = s.ok("textDocument/rename", params);
        let facts = s.read("rules/facts.pol");
        let renamed = apply(&facts, &edit["changes"]["$ROOT/rules/facts.pol"]);
        assert_eq!(
            renamed,
            facts.replace("applicant.unlawful_presence_days", "applicant.days_unlawful")
        );
        assert!(renamed.contains("constraint presence_not_negative: applicant.days_unlawful >= 0"));
        // A constraint, by its name (nothing refers to it).
        let mut params = s.at("rules/facts.pol", &facts, "nationality_code", 0, 2);
        params["newName"] = json!("two_letter_nationality");
        let edit = s.ok("textDocument/rename", params);
        assert_eq!(
            apply(&facts, &edit["changes"]["$ROOT/rules/facts.pol"]),
            facts.replace("nationality_code", "two_letter_nationality")
        );
        let at_code = s.at("rules/facts.pol", &facts, "nationality_code", 0, 2);
        let clash = refused_rename(s, at_code, "presence_not_negative");
        assert!(clash.contains("already declared"), "{clash}");
        // Refused: a clash, a keyword, a path for a non-fact.
        for (name, why) in [
            ("one_year", "already declared"),
            ("not", "keyword"),
            ("a.b", "not a valid name"),
            ("1x", "not a valid name"),
        ] {
            let message = refused_rename(s, at.clone(), name);
            assert!(message.contains(why), "{name}: {message}");
        }
        // Refused while a file of the set does not parse.
        s.change(TRAVEL, 2, &text.replace("require has_basis:", "require has_basis"));
        let at_let = s.at(TRAVEL, &text, "any_pending", 1, 2);
        let message = refused_rename(s, at_let, "x");
        assert!(message.contains("syntax error"), "{message}");
    });
}

#[test]
fn lint_fixes() {
    in_session("lint-fixes", |s| {
        s.open(TRAVEL);
        let diags = s.diagnostics(TRAVEL);
        let fixes = s.fixes(TRAVEL, &diags["diagnostics"][0]);
        let title = fixes[0]["title"].as_str().unwrap();
        assert_eq!(title, "Add a citation");
        let text = s.read(TRAVEL);
        let fixed = with_fix(&text, &fixes[0]);
        assert!(
            fixed.contains("and any_pending cite \"TODO: name the legal source\"\n}"),
            "{fixed}"
        );
        // Or allow the lint on its line: the reason is the author's to write, and until
        // they do, the empty one is an error.
        assert_eq!(fixes[1]["title"], "Allow `missing_citation` here (then say why in `reason`)");
        let allowed = with_fix(&text, &fixes[1]);
        let rule_line = allowed
            .lines()
            .skip_while(|l| !l.contains("#[allow(missing_citation"))
            .take(2)
            .collect::<Vec<_>>();
        assert_eq!(rule_line.len(), 2, "{allowed}");
        let indent = |l: &str| l.len() - l.trim_start().len();
        assert_eq!(indent(rule_line[0]), indent(rule_line[1]), "{allowed}");
        s.change(TRAVEL, 2, &allowed);
        let d = s.diagnostics(TRAVEL);
        let codes = strings(&d["diagnostics"], "code");
        assert_eq!(codes, [pol_syntax::codes::ALLOW_WITHOUT_REASON.id], "{d}");
        let reasoned = allowed.replace("reason = \"\"", "reason = \"cited in the file header\"");
        s.change(TRAVEL, 3, &reasoned);
        let d = s.diagnostics(TRAVEL);
        assert_eq!(d["diagnostics"], json!([]), "{d}");
        // An `#[allow]` that silences nothing: the fix removes its line.
        let params = s.read("rules/params.pol");
        let unused =
            params.replace("const one_year", "#[allow(unused, reason = \"x\")]\nconst one_year");
        s.open_with("rules/params.pol", &unused);
        let d = s.diagnostics("rules/params.pol");
        let w0512 = d["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == pol_syntax::codes::UNUSED_ALLOW.id)
            .unwrap()
            .clone();
        let fixes = s.fixes("rules/params.pol", &w0512);
        assert_eq!(fixes[0]["title"], "Remove the `#[allow]`");
        let fixed = apply(&unused, &fixes[0]["edit"]["changes"]["$ROOT/rules/params.pol"]);
        assert_eq!(fixed, params);
    });
}

/// Columns count UTF-16 units unless the client chose UTF-8, when they count bytes.
#[test]
fn positions_in_both_encodings() {
    const OTHER: &str = "rules/other.pol";
    for (encoding, capabilities) in
        [("utf-16", json!({})), ("utf-8", json!({"general": {"positionEncodings": ["utf-8"]}}))]
    {
        let mut s = Session::start(&format!("encoding-{encoding}"), &fixture(), capabilities);
        let text = s.read(OTHER);
        s.open(OTHER);
        let line = text.lines().position(|l| l.contains("𝄞")).unwrap();
        let line_text = text.lines().nth(line).unwrap();
        let prefix = &line_text[..line_text.find("applicant.status").unwrap()];
        let column = if encoding == "utf-8" {
            prefix.len()
        } else {
            prefix.chars().map(char::len_utf16).sum()
        };
        let hover = s.ok(
            "textDocument/hover",
            json!({"textDocument": {"uri": s.uri(OTHER)}, "position": {"line": line, "character": column + 2}}),
        );
        assert!(
            hover["contents"]["value"].as_str().unwrap().contains("fact applicant.status"),
            "{encoding}: {hover}"
        );
        assert_eq!(hover["range"]["start"]["character"], column, "{encoding}");
        assert_eq!(hover["range"]["end"]["character"], column + 16, "{encoding}");
        assert_eq!(s.shutdown(), 0);
    }
}

/// A file outside the project's policy directory is compiled with the files beside it,
/// not with those in the directories below (which may be anything).
#[test]
fn a_loose_file_is_compiled_with_its_directory_only() {
    in_session("loose", |s| {
        std::fs::create_dir_all(s.path("notes/deeper")).unwrap();
        std::fs::write(s.path("notes/a.pol"), "fact x: bool \"x\"\nlet y = x\n").unwrap();
        std::fs::write(s.path("notes/b.pol"), "fact z: bool \"z\"\n").unwrap();
        // Would clash with `x` if it were read.
        std::fs::write(s.path("notes/deeper/c.pol"), "fact x: bool \"again\"\n").unwrap();
        s.open("notes/a.pol");
        let d = s.diagnostics("notes/a.pol");
        let codes = strings(&d["diagnostics"], "code");
        assert_eq!(codes, [pol_syntax::codes::UNUSED.id], "{d}");
        // b.pol is in the set (its unused fact is reported), c.pol is not.
        let b = s.diagnostics("notes/b.pol");
        assert_eq!(b["diagnostics"].as_array().unwrap().len(), 1, "{b}");
        let symbols = s.ok("workspace/symbol", json!({"query": "x"}));
        let files: Vec<&str> = symbols
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["location"]["uri"].as_str().unwrap())
            .collect();
        assert!(!files.iter().any(|f| f.contains("deeper")), "{files:?}");
    });
}

/// A `pol.toml` that cannot be used is shown on it, with a did-you-mean; meanwhile its
/// files are compiled as loose files. Fixing it (and the editor saying so) clears it.
#[test]
fn a_broken_project_file_is_shown_on_it() {
    // Broken before the server starts, so the workspace folder's project is broken too.
    let mut s = start_with_project("broken-project", "polices = \"rules\"\n");
    s.open(TRAVEL);
    let d = s.diagnostics("pol.toml");
    insta::assert_json_snapshot!(d);
    // The policies still get their diagnostics, from the files beside them.
    let travel = s.diagnostics(TRAVEL);
    assert_eq!(travel["diagnostics"][0]["code"], pol_syntax::codes::MISSING_CITATION.id);
    s.write_on_disk("pol.toml", "policies = \"rules\"\n");
    let cleared = s.diagnostics("pol.toml");
    assert_eq!(cleared["diagnostics"], json!([]));
    assert_eq!(s.shutdown(), 0);
}

/// The project's `[lints]` set the levels of its policies' lints, as `pol check` does:
/// a denied lint is an error, an allowed one is not shown; changing `pol.toml` changes them.
#[test]
fn the_project_sets_lint_levels() {
    let mut s = travel_with_lints("lint-levels", "missing_citation = \"deny\"");
    let travel = s.diagnostics(TRAVEL);
    let d = &travel["diagnostics"][0];
    assert_eq!(d["code"], pol_syntax::codes::MISSING_CITATION.id, "{travel}");
    assert_eq!(d["severity"], 1, "an error: {travel}");
    s.write_on_disk("pol.toml", "policies = \"rules\"\n[lints]\nmissing_citation = \"allow\"\n");
    let travel = s.diagnostics(TRAVEL);
    let citation = pol_syntax::codes::MISSING_CITATION.id;
    assert!(!strings(&travel["diagnostics"], "code").contains(&citation));
    assert_eq!(s.shutdown(), 0);
}

/// A file imported from outside the policy directory belongs to the set that imports it:
/// an unsaved edit to it shows in the importing file.
#[test]
fn an_edit_to_a_file_imported_from_elsewhere_reaches_its_importers() {
    in_session("outside-import", |s| {
        std::fs::create_dir_all(s.path("shared")).unwrap();
        let common = "fact shared.flag: bool \"a shared flag\"\n";
        std::fs::write(s.path("shared/common.pol"), common).unwrap();
        let uses_shared = "import \"../shared/common.pol\"\n\n\
            policy shared_policy \"Q?\" {\n  require flag: shared.flag cite \"x\"\n}\n";
        std::fs::write(s.path("rules/uses_shared.pol"), uses_shared).unwrap();
        s.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [
                {"uri": s.uri("shared/common.pol"), "type": 1},
                {"uri": s.uri("rules/uses_shared.pol"), "type": 1},
            ]}),
        );
        s.open("rules/uses_shared.pol");
        assert_eq!(s.diagnostics("rules/uses_shared.pol")["diagnostics"], json!([]));
        // Definition crosses into the imported file.
        let text = s.read("rules/uses_shared.pol");
        let at = s.at("rules/uses_shared.pol", &text, "shared.flag", 0, 2);
        assert_eq!(s.ok("textDocument/definition", at)["uri"], "$ROOT/shared/common.pol");
        s.open("shared/common.pol");
        s.change("shared/common.pol", 2, &common.replace("shared.flag", "shared.flags"));
        let d = s.diagnostics("rules/uses_shared.pol");
        let message = d["diagnostics"][0]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("unknown name `shared.flag`") && message.contains("`shared.flags`"),
            "{d}"
        );
    });
}

/// A syntax error in one declaration hides only that declaration: the others of the file
/// are still checked (a misspelling in the policy is reported with its fix) and still have
/// hover, definition and completion. The broken `let` is known to exist, so its uses are
/// not reported as unknown.
#[test]
fn a_syntax_error_hides_only_its_declaration() {
    in_session("tolerance", |s| {
        let text = s.open(TRAVEL);
        let broken = text
            .replace("asylum in applicant.pending or tps", "asylum in applicant.pending or or tps")
            .replace("unless applicant.status == daca", "unless applicant.stauts == daca");
        s.change(TRAVEL, 2, &broken);
        insta::assert_json_snapshot!(s.diagnostics(TRAVEL));
        // The misspelling's quick fix is offered as usual.
        let fixes = s.whole_file_fixes(TRAVEL);
        assert_eq!(fixes[0]["title"], "Replace with `applicant.status`", "{fixes}");
        // Hover and definition in the policy, which parses.
        let hover =
            s.ok("textDocument/hover", s.at(TRAVEL, &broken, "applicant.status in {tps", 0, 3));
        assert!(
            hover["contents"]["value"].as_str().unwrap().contains("fact applicant.status: Status"),
            "{hover}"
        );
        let definition =
            s.ok("textDocument/definition", s.at(TRAVEL, &broken, "program travel", 0, 9));
        assert_eq!(definition["uri"], "$ROOT/rules/params.pol");
        // Completion after a fact's dot, in the file with the error.
        let typing = broken.replace("reason in {medical", "applicant. in {medical");
        let items = s.complete(TRAVEL, 3, &typing, ("applicant. in", 10), Some("."));
        assert!(labels(&items).contains(&"status".into()), "{items}");
    });
}

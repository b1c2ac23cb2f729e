//! Error recovery on the fixture files in `tests/recovery/`: every syntax error of a file is
//! reported, every declaration that parses is kept, and a declaration with an error is kept
//! as broken with its keyword and name. Each snapshot lists the declarations (line, kind,
//! name) and the errors with their places (line:column, from `LineIndex`).

use std::fmt::Write as _;

use pol_syntax::ast::{Item, ItemKind};
use pol_syntax::{parse, FileId, LineIndex, Span};

fn describe(item: &Item) -> String {
    match &item.kind {
        ItemKind::Import(i) => format!("import {:?}", i.path.node),
        ItemKind::Enum(e) => format!("enum {}", e.name.node),
        ItemKind::Fact(f) => format!("fact {}", f.path.node),
        ItemKind::Const(c) => format!("const {}", c.name.node),
        ItemKind::Let(l) => format!("let {}", l.name.node),
        ItemKind::Param(p) => format!("param {}", p.name.node),
        ItemKind::Program(p) => format!("program {}", p.name.node),
        ItemKind::Policy(p) => format!("policy {} ({} lines)", p.name.node, p.items.len()),
        ItemKind::Constraint(c) => format!("constraint {}", c.name.node),
        ItemKind::Broken(b) => format!(
            "BROKEN {} {}",
            b.keyword.as_ref().map_or("(no keyword)", |k| k.node.keyword()),
            b.name.as_ref().map_or("(no name)", |n| n.node.as_str())
        ),
    }
}

fn summary(text: &str) -> String {
    let parsed = parse(FileId(0), text);
    let index = LineIndex::new(text);
    let at = |span: Span| {
        let (l, c) = index.line_col(text, span.start as usize);
        format!("{l}:{c}")
    };
    let mut out = String::from("declarations:\n");
    for item in &parsed.file.items {
        let attrs = if item.attrs.is_empty() {
            String::new()
        } else {
            format!(" with {} attribute(s)", item.attrs.len())
        };
        writeln!(out, "  {} {}{attrs}", at(item.span), describe(item)).unwrap();
    }
    out.push_str("errors:\n");
    for d in &parsed.errors {
        writeln!(out, "  {} at {}: {}", d.code, at(d.primary.span), d.message).unwrap();
        writeln!(out, "    {}: {}", at(d.primary.span), d.primary.message).unwrap();
        for l in &d.secondary {
            writeln!(out, "    {}: {}", at(l.span), l.message).unwrap();
        }
        if let Some(h) = &d.help {
            writeln!(out, "    help: {h}").unwrap();
        }
    }
    out
}

/// One snapshot per file of `tests/recovery/` (a file added there is a new snapshot).
#[test]
fn fixtures() {
    insta::glob!("../recovery", "*.pol", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let parsed = parse(FileId(0), &text);
        let broken =
            parsed.file.items.iter().filter(|i| matches!(i.kind, ItemKind::Broken(_))).count();
        assert!(broken > 0, "{}: every fixture has an error", path.display());
        assert_eq!(
            broken,
            parsed.errors.len(),
            "{}: one error per broken declaration",
            path.display()
        );
        insta::assert_snapshot!(summary(&text));
    });
}

/// A file without errors parses as before recovery existed: the same tree as the whole
/// file parsed at once, and nothing broken.
#[test]
fn a_good_file_has_no_broken_declarations() {
    let text =
        "enum E { a, b }\nfact e: E \"e\"\npolicy p \"q?\" {\n  require r: e == a cite \"c\"\n}\n";
    let parsed = parse(FileId(0), text);
    assert!(parsed.is_ok());
    assert_eq!(parsed.file.items.len(), 3);
}

/// The declaration holding brackets nested too deeply is refused before pest sees it; the
/// declarations before and after it are parsed.
#[test]
fn too_deep_nesting_breaks_only_its_declaration() {
    let deep = format!("{}x{}", "(".repeat(10_000), ")".repeat(10_000));
    let text = format!(
        "fact x: bool \"x\"\n#[allow(unused, reason = \"r\")]\npolicy p \"q\" {{\n  require r: {deep} cite \"c\"\n}}\nfact y: bool \"y\"\n"
    );
    let parsed = parse(FileId(0), &text);
    let kinds: Vec<String> = parsed.file.items.iter().map(describe).collect();
    assert_eq!(kinds, ["fact x", "BROKEN policy p", "fact y"]);
    let codes: Vec<&str> = parsed.errors.iter().map(|d| d.code.id).collect();
    assert_eq!(codes, [pol_syntax::codes::NESTING_TOO_DEEP.id]);
    // Its attribute belongs to it, not to the text before.
    assert_eq!(parsed.file.items[1].span.start as usize, text.find("#[").unwrap());
}

/// Braces that broken declarations leave open do not count against the declarations
/// after them: nesting is counted from where each parse starts. (Counted from the start of
/// the file, the 65th unclosed policy was refused as "nested too deeply".)
#[test]
fn unclosed_braces_do_not_add_up_to_too_deep() {
    let mut text = String::new();
    for i in 0..200 {
        writeln!(text, "policy p{i} \"q?\" {{\n  require r{i}: true cite \"c\"\n").unwrap();
    }
    let parsed = parse(FileId(0), &text);
    assert_eq!(parsed.errors.len(), 200);
    assert!(
        parsed.errors.iter().all(|d| d.message.ends_with("is never closed")),
        "{:#?}",
        parsed.errors.iter().find(|d| !d.message.ends_with("is never closed"))
    );
    // Deep nesting after them is still refused, and only its declaration.
    let deep = format!("{}x{}", "(".repeat(100), ")".repeat(100));
    write!(text, "fact x: bool \"x\"\npolicy deep \"q\" {{\n  require r: {deep} cite \"c\"\n}}\nfact y: bool \"y\"\n").unwrap();
    let parsed = parse(FileId(0), &text);
    let codes: Vec<&str> = parsed.errors.iter().map(|d| d.code.id).collect();
    assert_eq!(codes.len(), 201);
    assert_eq!(codes.last(), Some(&pol_syntax::codes::NESTING_TOO_DEEP.id));
    let kinds: Vec<String> = parsed.file.items.iter().rev().take(3).map(describe).collect();
    assert_eq!(kinds, ["fact y", "BROKEN policy deep", "fact x"]);
}

/// Many errors in a large file: each is reported, in order, and the good declarations
/// between them are kept.
#[test]
fn an_error_in_every_other_declaration() {
    let mut text = String::new();
    for i in 0..500 {
        writeln!(text, "fact good_{i}: bool \"g\"").unwrap();
        writeln!(text, "fact bad_{i} bool").unwrap();
    }
    let parsed = parse(FileId(0), &text);
    assert_eq!(parsed.errors.len(), 500);
    assert_eq!(parsed.file.items.len(), 1000);
    let index = LineIndex::new(&text);
    for (i, d) in parsed.errors.iter().enumerate() {
        let (line, _) = index.line_col(&text, d.primary.span.start as usize);
        assert_eq!(line, 2 * i + 2, "{}", d.message);
    }
}

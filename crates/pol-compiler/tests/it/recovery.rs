//! A syntax error is reported once, where it is: declarations that do not parse still
//! declare their names ("poisoned"), so resolution reports nothing that merely follows from
//! the error, in the same file or another.

use std::fmt::Write as _;

use pol_compiler::{compile, Compilation, Source};

fn compile_texts(files: &[(&str, &str)]) -> Compilation {
    compile(
        files
            .iter()
            .map(|(name, text)| Source { name: (*name).into(), text: (*text).into() })
            .collect(),
    )
}

/// One line per diagnostic: place, code, message, and the places of its secondary labels.
fn listing(c: &Compilation) -> String {
    let mut out = String::new();
    for d in &c.diagnostics {
        let (line, col) = c.sources.line_col(d.primary.span);
        let file = c.sources.name(d.primary.span.file);
        writeln!(out, "{file}:{line}:{col} {} {}", d.code, d.message).unwrap();
        for l in &d.secondary {
            let (line, col) = c.sources.line_col(l.span);
            writeln!(out, "    {}:{line}:{col} {}", c.sources.name(l.span.file), l.message)
                .unwrap();
        }
    }
    out
}

/// Declarations in `facts.pol` break in four ways; `policy.pol` uses every one of them.
const FACTS: &str = r#"enum Status { none, tps, daca
fact status: Status "status"
fact age: integer "age"
const opened = 2025-02-30 cite "no such day"
let grown = age >= 18 and
program chnv "CHNV" {
  terminated 2025-03-25 cite "c"

param fee: integer "fee" {
  from 2024-04-01 = 630 cite "c"
}
"#;

const POLICY: &str = r#"import "facts.pol"
policy p "q?" {
  program chnv
  require a: status == daca cite "c"
  require b: grown cite "c"
  require c: opened > 2020-01-01 cite "c"
  require d: fee > 10 cite "c"
  require e: age > 18 cite "c"
}
"#;

#[test]
fn errors_in_one_file_do_not_cascade_into_another() {
    let c = compile_texts(&[("facts.pol", FACTS), ("policy.pol", POLICY)]);
    assert!(c.compiled.is_none());
    assert!(
        c.diagnostics.iter().all(|d| c.sources.name(d.primary.span.file) == "facts.pol"),
        "{}",
        listing(&c)
    );
    insta::assert_snapshot!(listing(&c));
}

/// The control: without the syntax errors, the same uses resolve, so the silence above is
/// the poisoning's doing, not names that were never checked.
#[test]
fn the_same_files_without_syntax_errors_compile() {
    let fixed = FACTS
        .replace("daca\n", "daca }\n")
        .replace("2025-02-30", "2025-02-28")
        .replace("age >= 18 and", "age >= 18")
        .replace("cite \"c\"\n\nparam", "cite \"c\"\n}\nparam");
    let c = compile_texts(&[("facts.pol", &fixed), ("policy.pol", POLICY)]);
    let errors: Vec<_> = c.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// A name that no declaration, broken or not, declares is still reported.
#[test]
fn unknown_names_are_still_reported_beside_a_syntax_error() {
    let policy = POLICY.replace("age > 18", "agee > 18");
    let c = compile_texts(&[("facts.pol", FACTS), ("policy.pol", &policy)]);
    let in_policy: Vec<_> = c
        .diagnostics
        .iter()
        .filter(|d| c.sources.name(d.primary.span.file) == "policy.pol")
        .map(|d| (d.code, d.message.as_str()))
        .collect();
    assert_eq!(in_policy, [(pol_compiler::codes::UNKNOWN_NAME, "unknown name `agee`")]);
}

/// A file whose `import` cannot be read does not report the names that import would have
/// made visible; names declared nowhere are still reported.
#[test]
fn a_broken_import_hides_nothing_else() {
    let facts = "enum Status { none, daca }\nfact status: Status \"s\"\nfact age: integer \"a\"\nprogram chnv \"c\" {}\n";
    let policy = "import \"facts.pol\nfact local: Status \"l\"\npolicy p \"q?\" {\n  program chnv\n  require a: age > 18 and status == daca cite \"c\"\n  require b: nowhere cite \"c\"\n}\n";
    let c = compile_texts(&[("facts.pol", facts), ("policy.pol", policy)]);
    insta::assert_snapshot!(listing(&c));
}

/// An import of a file that is not there, or that the loader refuses to read, is one error,
/// at the import: the names it would have shown are not reported again. A name no file
/// declares is still reported beside a missing import (that file cannot declare it);
/// beside a refused one it may be declared in the file pol was not shown.
#[test]
fn a_failed_import_is_one_error() {
    use pol_compiler::codes::{POLICY_UNREADABLE, UNKNOWN_NAME};
    struct Refusing;
    impl pol_compiler::Resolver for Refusing {
        fn resolve(&mut self, name: &str) -> Result<Option<String>, pol_compiler::ImportError> {
            Err(pol_compiler::ImportError {
                message: format!("`{name}` lies outside the project"),
                help: "copy it into the project".into(),
            })
        }
    }
    let facts = "fact age: integer \"a\"\nprogram chnv \"c\" {}\nenum Status { none }\n";
    let uses = "policy p \"q?\" {\n  program chnv\n  require a: age > 18 cite \"c\"\n  require b: nowhere cite \"c\"\n}\nfact local: Status \"l\"\n";
    let missing = format!("import \"fact.pol\"\n{uses}");
    let c = compile_texts(&[("facts.pol", facts), ("policy.pol", &missing)]);
    assert_eq!(
        listing(&c),
        format!(
            "policy.pol:1:8 {UNKNOWN_NAME} cannot find the imported file `fact.pol`\n\
             policy.pol:5:14 {UNKNOWN_NAME} unknown name `nowhere`\n"
        )
    );
    let refused = format!("import \"../shared/facts.pol\"\n{uses}");
    let c = pol_compiler::compile_from(
        vec![Source { name: "policy.pol".into(), text: refused }],
        &mut Refusing,
        pol_compiler::Lints::Skip,
    );
    assert_eq!(
        listing(&c),
        format!(
            "policy.pol:1:8 {POLICY_UNREADABLE} cannot read the imported file \
             `../shared/facts.pol`: `../shared/facts.pol` lies outside the project\n"
        )
    );
}

/// A fact or parameter whose type is unknown is one error, at the type: its uses are not
/// reported again as unknown names.
#[test]
fn an_unknown_type_is_one_error_at_the_type() {
    let text = "fact days: duration \"d\"\nparam fee: money \"f\" {\n  from 2024-01-01 = 1 cite \"c\"\n}\npolicy p \"q?\" {\n  require a: days > 0 days and fee > 0 cite \"c\"\n  require b: nowhere cite \"c\"\n}\n";
    let c = compile_texts(&[("p.pol", text)]);
    let found: Vec<_> =
        c.diagnostics.iter().map(|d| (d.code, c.sources.line_col(d.primary.span).0)).collect();
    use pol_compiler::codes::{UNKNOWN_NAME, UNKNOWN_TYPE};
    assert_eq!(found, [(UNKNOWN_TYPE, 1), (UNKNOWN_TYPE, 2), (UNKNOWN_NAME, 7)], "{}", listing(&c));
}

//! The symbol index (`pol_compiler::symbols`) and structured suggestions, on a small
//! two-file fixture: every reference shown as the text it underlines and the declaration
//! it resolves to, so a change in resolution shows in the snapshot.

use std::fmt::Write as _;

use pol_compiler::symbols::SymbolKind;
use pol_compiler::{compile, Compilation, Source};

const FACTS: &str = r#"enum Status { none, tps, daca } "a status"
enum Pending { asylum, tps }
fact applicant.status: Status "current status"
fact applicant.pending: set of Pending "applications pending"
fact filed_on: date "filing date"
const cutoff = 2025-03-25 cite "seed 000: a date"
const grace = 30 days
param fee: integer "a fee" {
  from 2020-01-01 = 575 cite "seed 001: $575"
  from 2024-04-01 = 630
}
program chnv "CHNV" {
  opened 2023-01-05 cite "seed 000: opened"
  terminated cutoff cite "seed 000: terminated"
}
fixed fact nationality: string "country code"
constraint code: nationality matches "[A-Z]{2}" because "two capital letters"
constraint filed_before_deciding: filed_on <= as_of cite "seed 000: filed"
"#;

const POLICY: &str = r#"import "facts.pol"

let protected = applicant.status in {tps, daca} or asylum in applicant.pending

policy p "a question" {
  program chnv
  exclude late: filed_on >= cutoff + grace unless protected cite "seed 000: late"
  require fee_known: fee > 0
}
"#;

fn fixture(policy: &str) -> Compilation {
    compile(vec![
        Source { name: "facts.pol".into(), text: FACTS.into() },
        Source { name: "policy.pol".into(), text: policy.into() },
    ])
}

fn render_index(c: &Compilation) -> String {
    let idx = &c.index;
    let mut out = String::new();
    writeln!(out, "symbols:").unwrap();
    for s in &idx.symbols {
        let parent = s.parent.map(|p| idx.symbol(p).unwrap().name.clone());
        let enum_type = s.info.enum_type.map(|p| idx.symbol(p).unwrap().name.clone());
        writeln!(
            out,
            "  {} {} `{}` in {} (outline `{}`) parent={parent:?} type={:?} enum={enum_type:?} doc={:?} cite={:?} value={:?}",
            c.sources.name(s.name_span.file),
            s.kind.keyword(),
            s.name,
            c.sources.snippet(s.name_span),
            c.sources.snippet(s.span).lines().next().unwrap_or(""),
            s.info.type_name,
            s.info.doc,
            s.info.cite,
            s.info.value,
        )
        .unwrap();
        if s.info.fixed {
            writeln!(out, "    fixed").unwrap();
        }
        if let Some(because) = &s.info.because {
            writeln!(out, "    because={because:?}").unwrap();
        }
        if let Some(statement) = s.info.statement {
            writeln!(out, "    states `{}`", c.sources.snippet(statement)).unwrap();
        }
        for p in &s.info.periods {
            writeln!(out, "    from {} = {} cite={:?}", p.from, p.value, p.cite).unwrap();
        }
        for w in &s.info.window {
            writeln!(out, "    {} {} cite={:?}", w.event, w.date, w.cite).unwrap();
        }
    }
    writeln!(out, "references:").unwrap();
    for r in &idx.references {
        let t = idx.symbol(r.target).unwrap();
        writeln!(
            out,
            "  {}:{} `{}` -> {} `{}`",
            c.sources.name(r.span.file),
            c.sources.line_col(r.span).0,
            c.sources.snippet(r.span),
            t.kind.keyword(),
            t.name
        )
        .unwrap();
    }
    writeln!(out, "imports:").unwrap();
    for i in &idx.imports {
        writeln!(out, "  {} -> {}", c.sources.snippet(i.span), c.sources.name(i.file)).unwrap();
    }
    out
}

#[test]
fn index_of_a_clean_set() {
    let c = fixture(POLICY);
    assert!(c.diagnostics.iter().all(|d| !d.is_error()), "{:#?}", c.diagnostics);
    insta::assert_snapshot!(render_index(&c));
}

#[test]
fn lookups_find_declarations_and_their_uses() {
    let c = fixture(POLICY);
    let idx = &c.index;
    let (status, sym) = idx.value_named("applicant.status").unwrap();
    assert_eq!(sym.kind, SymbolKind::Fact);
    // A use in policy.pol resolves to the declaration in facts.pol.
    let policy = pol_syntax::FileId(1);
    let at = POLICY.find("applicant.status").unwrap() as u32 + 3;
    assert_eq!(idx.at(policy, at).map(|(id, _)| id), Some(status));
    assert_eq!(idx.references_to(status).count(), 1);
    // The declaration's own name is found too.
    let decl = FACTS.find("applicant.status").unwrap() as u32;
    assert_eq!(idx.at(pol_syntax::FileId(0), decl).map(|(id, _)| id), Some(status));
    // A word used in two enums resolves by the type it is compared with.
    let tps_uses: Vec<_> = idx
        .references
        .iter()
        .filter(|r| c.sources.snippet(r.span) == "tps")
        .map(|r| idx.symbol(r.target).unwrap().parent)
        .collect();
    let (status_enum, _) =
        idx.symbols.iter().enumerate().find(|(_, s)| s.name == "Status").unwrap();
    assert_eq!(tps_uses, vec![Some(pol_compiler::symbols::SymbolId(status_enum as u32))]);
}

/// With errors, what did resolve is still indexed: the misspelt name is not, the rest is.
#[test]
fn index_survives_errors() {
    let broken = POLICY.replace("fee > 0", "fea > 0");
    let c = fixture(&broken);
    assert!(c.diagnostics.iter().any(|d| d.is_error()));
    let names: Vec<&str> = c.index.references.iter().map(|r| c.sources.snippet(r.span)).collect();
    assert!(names.contains(&"applicant.status"), "{names:?}");
    assert!(names.contains(&"cutoff"), "{names:?}");
    assert!(!names.contains(&"fea"), "{names:?}");
    // The rule with the error is still in the outline.
    assert!(c.index.symbols.iter().any(|s| s.name == "fee_known"));
}

/// Each did-you-mean carries an exact replacement; so do the lints with an obvious fix.
#[test]
fn suggestions_are_exact() {
    let policy = r#"import "fact.pol"
import "facts.pol"

#[allow(unused, contradiction, reason = "testing")]
let protected = applicant.status in {tps, dacca} or asylum in applicant.pending
#[allow(unsued, reason = "testing")]
let other = applicant.stauts == none

policy p "a question" {
  program chvn
  require known: fee > 0
}
"#;
    let mut out = String::new();
    for d in fixture(policy).diagnostics {
        if let Some(s) = &d.suggestion {
            writeln!(
                out,
                "{} {}: replace `{}` with `{}` ({})",
                d.code,
                d.message,
                policy.get(s.span.range()).unwrap_or("?"),
                s.replacement,
                s.message
            )
            .unwrap();
        }
    }
    let lints = r#"import "facts.pol"
#[allow(unused, contradiction, reason = "testing")]
let protected = applicant.status in {tps, daca} or asylum in applicant.pending
#[allow(unused, reason = "testing")]
let other = protected
#[allow(contradiction, reason = "testing")]
let third = other
policy p "a question" {
  require known: fee > 0 and protected
  form I-131
}
"#;
    for d in fixture(lints).diagnostics {
        if d.primary.span.file != pol_syntax::FileId(1) {
            continue;
        }
        if let Some(s) = &d.suggestion {
            let mut fixed = lints.to_string();
            fixed.replace_range(s.span.range(), &s.replacement);
            let line = pol_syntax::span::line_col(&fixed, s.span.start as usize).0;
            writeln!(
                out,
                "{} {} ({}): line {line} becomes `{}`",
                d.code,
                d.message,
                s.message,
                fixed.lines().nth(line - 1).unwrap_or("")
            )
            .unwrap();
        }
    }
    insta::assert_snapshot!(out);
}

//! `pol explain`: the decision, then each deciding rule as a report over its source lines
//! (on standard output, coloured when standard output takes colour), or the explanation as
//! one JSON object (`schemas/explanation.schema.json`).

use std::path::Path;

use miette::{LabeledSpan, Severity};
use pol_compiler::explain::{Explanation, RuleOutcome, RuleTrace, TraceKind};
use pol_compiler::Compiled;

use pol_engine::{CaseProblem, ErrorInPlace};
use serde::Serialize;

use crate::out;
use crate::render::{self, Report};
use crate::{emit, plain, term, Exit, OutputFormat};

/// The `$id` of `schemas/explanation.schema.json`, carried in every explanation as `schema`.
pub const EXPLANATION_SCHEMA: &str = "urn:pol:explanation:1";

/// An explanation as `--format json` prints it: the schema it follows, then its fields.
#[derive(Serialize)]
struct Versioned<'a> {
    schema: &'static str,
    #[serde(flatten)]
    explanation: &'a Explanation,
}

pub fn run(policies: Option<&Path>, path: &Path, format: OutputFormat, all: bool) -> Exit {
    let engine = match crate::engine(policies) {
        Ok(e) => e,
        Err(e) => return e,
    };
    let compiled = engine.compiled();
    if path.as_os_str() != "-" {
        if let Err(e) = pol_engine::load::open(path) {
            // A path that cannot be read: misuse, reported in its place all the same.
            let problem = CaseProblem::plain(&e.path, e.message, Some(e.help));
            emit::case_problem(&problem);
            if format == OutputFormat::Json {
                write_json(&in_place(&problem, None, None));
            }
            return Exit::Misuse;
        }
    }
    let colour = term::get().stdout_colour;
    let mut exit = Exit::Ok;
    for read in engine.read_cases(path) {
        let id = match &read.result {
            Ok(case) => case.id.clone(),
            Err(_) => read.id,
        };
        let explained = read.result.and_then(|case| {
            compiled.explain(&case, all).map_err(|e| CaseProblem::undecidable(&read.origin, e))
        });
        let written = match explained {
            Ok(ex) => match format {
                OutputFormat::Json => {
                    write_json(&Versioned { schema: EXPLANATION_SCHEMA, explanation: &ex })
                }
                OutputFormat::Human => write(&human(compiled, &ex, colour)),
            },
            Err(problem) => {
                exit = Exit::BadInput;
                emit::case_problem(&problem);
                match format {
                    OutputFormat::Json => write_json(&in_place(&problem, read.line, id)),
                    OutputFormat::Human => true,
                }
            }
        };
        if !written {
            break;
        }
    }
    exit
}

/// The error object in the place of an explanation (docs/cases.md, "Errors in place").
fn in_place(p: &CaseProblem, line: Option<usize>, id: Option<String>) -> ErrorInPlace {
    ErrorInPlace { file: line.is_none().then(|| p.file.clone()), line, id, error: p.error_object() }
}

/// Writes to standard output; `false` once output has failed (`out` settles the status).
fn write(text: &str) -> bool {
    out::text(text).is_ok()
}

fn write_json(value: &impl Serialize) -> bool {
    out::json_line(value).is_ok()
}

/// The explanation for people: a paragraph in plain words for the caseworker (the
/// decision, why, what to do next), then for the policy's authors one report per rule over
/// its source lines, the questions still open and what would change the decision.
pub fn human(c: &Compiled, ex: &Explanation, colour: bool) -> String {
    let d = &ex.decision;
    let bearing = plain::bearing(ex);
    let mut out = plain::paragraph(c, ex, colour);
    out.push('\n');
    if bearing.forms && !d.forms.is_empty() {
        out.push_str(&format!("forms: {}\n", d.forms.join(", ")));
        if let Some(days) = d.max_validity_days {
            out.push_str(&format!("max validity: {days} days\n"));
        }
        out.push('\n');
    }
    for t in &ex.trace {
        if t.kind == TraceKind::Warn && t.decisive && !bearing.warnings {
            continue;
        }
        out.push_str(&rule_report(c, t).render(colour));
        out.push('\n');
    }
    if !d.missing.is_empty() {
        out.push_str("questions still open, best first:\n");
        for (i, m) in d.missing.iter().enumerate() {
            let doc = c
                .set
                .facts
                .iter()
                .find(|f| &f.path == m)
                .and_then(|f| f.doc.as_deref())
                .map_or(String::new(), |doc| format!(" ({doc})"));
            out.push_str(&format!("  {}. {m}{doc}\n", i + 1));
        }
        out.push('\n');
    }
    if !ex.counterfactuals.is_empty() {
        out.push_str("what would change it:\n");
        for cf in &ex.counterfactuals {
            let changes: Vec<String> =
                cf.changes.iter().map(|c| format!("{} were {}", c.path, c.value)).collect();
            let rules: Vec<&str> = cf.rules.iter().map(|r| r.rule.as_str()).collect();
            out.push_str(&format!(
                "  - {} if {} ({})\n",
                cf.decision.as_str(),
                changes.join(" and "),
                rules.join(", ")
            ));
        }
        out.push('\n');
    }
    if bearing.warnings && !d.warnings.is_empty() {
        out.push_str(&format!("warnings: {}\n", d.warnings.join(", ")));
    }
    out
}

fn rule_report(c: &Compiled, t: &RuleTrace) -> Report {
    let verb = match (t.kind, t.outcome) {
        (TraceKind::Exclude, RuleOutcome::Fired) => "excludes this case",
        (TraceKind::Require, RuleOutcome::NotMet) => "is not met",
        (TraceKind::Require, RuleOutcome::Held) => "is met",
        (TraceKind::NotRequired, RuleOutcome::Fired) => "makes this unnecessary",
        (TraceKind::Unavailable, RuleOutcome::Fired) => "closes this policy for the case",
        (TraceKind::Program, RuleOutcome::Fired) => "is closed on this date",
        (TraceKind::Program, RuleOutcome::DidNotFire) => "is open on this date",
        (TraceKind::Warn, RuleOutcome::Fired) => "warns",
        (_, RuleOutcome::Open) => "is not settled by the facts given",
        _ => "does not apply",
    };
    let text =
        c.sources.files.iter().find(|s| s.name == t.file).map_or(String::new(), |s| s.text.clone());
    let len = text.len();
    // What the report shows: the rule's lines and the line after them.
    let shown_end = text
        .get((t.end as usize).min(len)..)
        .and_then(|rest| rest.match_indices('\n').nth(1))
        .map_or(len, |(i, _)| (t.end as usize).min(len) + i);
    let shown = text.get((t.start as usize).min(len)..shown_end).unwrap_or("");
    let mut labels: Vec<LabeledSpan> = t
        .conditions
        .iter()
        .map(|cond| {
            let start = (cond.start as usize).min(len);
            let end = (cond.end as usize).min(len);
            let label = if cond.in_exception {
                format!("exception {}", cond.label())
            } else {
                cond.label()
            };
            LabeledSpan::new_with_span(Some(label), (start, end - start))
        })
        .collect();
    if labels.is_empty() {
        let start = (t.start as usize).min(len);
        labels.push(LabeledSpan::new_with_span(None, (start, (t.end as usize).min(len) - start)));
    }
    Report {
        code: None,
        // `×` only for what decided the case against the person; a rule not yet settled
        // is not a refusal.
        severity: match (t.decisive, t.kind, t.outcome) {
            (true, TraceKind::Warn, _) => Severity::Warning,
            (true, TraceKind::NotRequired, _) | (true, _, RuleOutcome::Open) | (false, _, _) => {
                Severity::Advice
            }
            (true, _, _) => Severity::Error,
        },
        message: format!("`{}` {verb} ({}:{}:{})", t.rule, t.file, t.line, t.column),
        // A rule's citation is in its source lines, shown above; a program window's may be
        // on the program's date, elsewhere: then it is printed here, once.
        help: t
            .cite
            .as_ref()
            .filter(|cite| !shown.contains(cite.as_str()))
            .map(|c| format!("cite: {c}")),
        source: render::Snippet::new(t.file.clone(), text),
        labels,
        related: Vec::new(),
    }
}

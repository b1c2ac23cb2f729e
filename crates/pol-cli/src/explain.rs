//! `pol explain`: the decision, then each deciding rule as a report over its source lines
//! (on standard output, coloured when standard output takes colour), or the explanation as
//! one JSON object (`schemas/explanation.schema.json`).

use std::path::Path;

use miette::{LabeledSpan, Severity};
use pol_compiler::explain::{headline, Explanation, RuleOutcome, RuleTrace, TraceKind};
use pol_compiler::Compiled;

use pol_engine::{CaseProblem, ErrorInPlace};
use serde::Serialize;

use crate::out;
use crate::render::{self, Report};
use crate::{emit, term, Exit, OutputFormat};

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
            compiled
                .explain(&case, all)
                .map_err(|e| CaseProblem::undecidable(&read.origin, e))
        });
        let written = match explained {
            Ok(ex) => match format {
                OutputFormat::Json => write_json(&Versioned {
                    schema: EXPLANATION_SCHEMA,
                    explanation: &ex,
                }),
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
    ErrorInPlace {
        file: line.is_none().then(|| p.file.clone()),
        line,
        id,
        error: p.error_object(),
    }
}

/// Writes to standard output; `false` once output has failed (`out` settles the status).
fn write(text: &str) -> bool {
    out::text(text).is_ok()
}

fn write_json(value: &impl Serialize) -> bool {
    out::json_line(value).is_ok()
}

/// The explanation for people: headline, one report per rule, and what is still needed.
pub fn human(c: &Compiled, ex: &Explanation, colour: bool) -> String {
    let d = &ex.decision;
    let mut out = String::new();
    let who =
        d.id.as_deref()
            .map_or(String::new(), |id| format!("{}: ", render::visible(id)));
    out.push_str(&format!(
        "{who}{} (as of {})\n\n",
        headline(d.decision, &d.policy),
        d.as_of
    ));
    let decisive: Vec<&RuleTrace> = ex.trace.iter().filter(|t| t.decisive).collect();
    if decisive.is_empty() && d.decision == pol_compiler::DecisionKind::Eligible {
        out.push_str("no exclusion applies and every requirement is met.\n\n");
    }
    for t in &ex.trace {
        out.push_str(&rule_report(c, t).render(colour));
        out.push('\n');
    }
    if !d.missing.is_empty() {
        out.push_str("facts still needed to decide:\n");
        for m in &d.missing {
            let doc = c
                .set
                .facts
                .iter()
                .find(|f| &f.path == m)
                .and_then(|f| f.doc.as_deref())
                .map_or(String::new(), |doc| format!(" ({doc})"));
            out.push_str(&format!("  - {m}{doc}\n"));
        }
        out.push('\n');
    }
    if !ex.counterfactuals.is_empty() {
        out.push_str("what would change it:\n");
        for cf in &ex.counterfactuals {
            let changes: Vec<String> = cf
                .changes
                .iter()
                .map(|c| format!("{} were {}", c.path, c.value))
                .collect();
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
    if !d.warnings.is_empty() {
        out.push_str(&format!("warnings: {}\n", d.warnings.join(", ")));
    }
    if !d.forms.is_empty() {
        out.push_str(&format!("forms: {}\n", d.forms.join(", ")));
    }
    if let Some(days) = d.max_validity_days {
        out.push_str(&format!("max validity: {days} days\n"));
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
        (_, RuleOutcome::Open) => "cannot be decided from the facts given",
        _ => "does not apply",
    };
    let text = c
        .sources
        .files
        .iter()
        .find(|s| s.name == t.file)
        .map_or(String::new(), |s| s.text.clone());
    let len = text.len();
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
        labels.push(LabeledSpan::new_with_span(
            None,
            (start, (t.end as usize).min(len) - start),
        ));
    }
    Report {
        code: None,
        severity: match (t.decisive, t.kind) {
            (true, TraceKind::Warn) => Severity::Warning,
            (true, _) => Severity::Error,
            (false, _) => Severity::Advice,
        },
        message: format!("`{}` {verb} ({}:{}:{})", t.rule, t.file, t.line, t.column),
        help: t.cite.as_ref().map(|c| format!("cite: {c}")),
        source: render::Snippet::new(t.file.clone(), text),
        labels,
        related: Vec::new(),
    }
}

//! `pol eval`: decide cases and print the contract's decision objects.

use std::path::{Path, PathBuf};

use pol_compiler::{DecisionRecord, Scratch};

use crate::{cases, compile_policies, render, Exit, OutputFormat};

pub fn run(policies: Option<&Path>, paths: &[PathBuf], format: OutputFormat) -> Exit {
    let compiled = match compile_policies(policies) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let colour = render::use_colour();
    let mut scratch = Scratch::default();
    let mut exit = Exit::Ok;
    for path in paths {
        for read in cases::read_file(&compiled, path) {
            let outcome = read.result.and_then(|case| {
                compiled
                    .decide(&case, &mut scratch)
                    .map(|o| compiled.record(&case, &o))
                    .map_err(|e| cases::CaseProblem {
                        field: Some(e.field.clone()),
                        help: e.help.clone(),
                        ..cases::CaseProblem::plain(&read.origin, e.to_string(), None)
                    })
            });
            match outcome {
                Ok(record) => print_record(&record, format),
                Err(problem) => {
                    exit = Exit::BadInput;
                    eprint!("{}", problem.report().render(colour));
                }
            }
        }
    }
    exit
}

fn print_record(record: &DecisionRecord, format: OutputFormat) {
    match format {
        OutputFormat::Json => match serde_json::to_string(record) {
            Ok(line) => println!("{line}"),
            Err(e) => eprintln!("error: cannot write the decision: {e}"),
        },
        OutputFormat::Human => print!("{}", human(record)),
    }
}

/// A decision for people: one headline, then its details.
pub fn human(r: &DecisionRecord) -> String {
    let mut out = String::new();
    let who =
        r.id.as_deref()
            .map_or(String::new(), |id| format!("{id}: "));
    out.push_str(&format!(
        "{who}{} for {} (as of {})\n",
        r.decision.as_str(),
        r.policy,
        r.as_of
    ));
    for reason in &r.reasons {
        let cite = reason
            .cite
            .as_deref()
            .map_or(String::new(), |c| format!("\n      cite: {c}"));
        let label = if r.decision == pol_compiler::DecisionKind::Incomplete {
            "open"
        } else {
            "because"
        };
        out.push_str(&format!(
            "  {label}: {} ({}:{}){cite}\n",
            reason.rule, reason.file, reason.line
        ));
    }
    if !r.missing.is_empty() {
        out.push_str(&format!("  missing: {}\n", r.missing.join(", ")));
    }
    if !r.warnings.is_empty() {
        out.push_str(&format!("  warnings: {}\n", r.warnings.join(", ")));
    }
    if !r.forms.is_empty() {
        out.push_str(&format!("  forms: {}\n", r.forms.join(", ")));
    }
    if let Some(days) = r.max_validity_days {
        out.push_str(&format!("  max validity: {days} days\n"));
    }
    out
}

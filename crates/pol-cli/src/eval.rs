//! `pol eval`: decide cases and print the contract's decision objects.
//!
//! A JSON, YAML or TOML file is one case; a directory stands for every case file under it.
//! JSON lines (`.jsonl`, or `-` for standard input) stream through [`crate::batch`]:
//! decided on every core, written in input order. With `--format json`, a case that cannot
//! be decided gets an error object in its place (docs/cases.md, "Errors in place").

use std::path::{Path, PathBuf};
use std::time::Instant;

use pol_compiler::{Compiled, DecisionRecord, Scratch};
use pol_engine::{CaseProblem, ErrorInPlace, Format};

use crate::batch::{self, Totals};
use crate::out::{self, Stopped};
use crate::{emit, term, Exit, OutputFormat};

/// How `pol eval` runs, beyond the files it reads.
#[derive(Clone, Copy, Debug)]
pub struct EvalOptions {
    pub format: OutputFormat,
    /// Print the summary of decisions by kind even when standard error is not a terminal.
    pub summary: bool,
    /// Worker threads for JSON lines (default: one per core).
    pub jobs: Option<usize>,
    /// Bytes of JSON lines per chunk of work.
    pub chunk_bytes: usize,
}

pub fn run(policies: Option<&Path>, paths: &[PathBuf], opts: EvalOptions) -> Exit {
    let start = Instant::now();
    let engine = match crate::engine(policies) {
        Ok(e) => e,
        Err(e) => return e,
    };
    let compiled = engine.compiled();
    let terminal = term::stderr_is_terminal();
    let json = opts.format == OutputFormat::Json;
    let mut scratch = Scratch::default();
    let mut totals = Totals::default();
    let mut streamed = false;
    let mut exit = Exit::Ok;
    for found in pol_engine::cases::case_files(paths) {
        let path = match found {
            Ok(p) => p,
            Err(e) => {
                // A path that cannot be read: misuse, reported in its place all the same.
                let problem = CaseProblem::plain(&e.path, e.message, Some(e.help));
                emit::case_problem(&problem);
                if json && write_error(&problem, None, None).is_err() {
                    return exit;
                }
                exit = exit.max(Exit::Misuse);
                continue;
            }
        };
        if Format::of(&path) == Some(Format::JsonLines) {
            streamed = true;
            match stream(compiled, &path, opts, terminal) {
                Ok(t) => totals.add(&t),
                Err(Stop::Output) => return exit,
                Err(Stop::Unreadable(problem)) => {
                    emit::case_problem(&problem);
                    if json && write_error(&problem, None, None).is_err() {
                        return exit;
                    }
                    exit = exit.max(Exit::Misuse);
                }
            }
            continue;
        }
        for read in engine.read_cases(&path) {
            let id = match &read.result {
                Ok(case) => case.id.clone(),
                Err(_) => read.id,
            };
            let outcome = read.result.and_then(|case| {
                compiled
                    .decide(&case, &mut scratch)
                    .map(|o| (case, o))
                    .map_err(|e| CaseProblem::undecidable(&read.origin, e))
            });
            match outcome {
                Ok((case, outcome)) => {
                    if let Some(kind) = totals.decided.get_mut(outcome.decision as usize) {
                        *kind += 1;
                    }
                    // One case: build the record (a batch writes from pre-rendered
                    // fragments instead, which cost more to prepare than one case takes).
                    let record = compiled.record(&case, &outcome);
                    let written = match opts.format {
                        OutputFormat::Json => out::json_line(&record),
                        OutputFormat::Human => out::text(&human(&record)),
                    };
                    if written.is_err() {
                        return exit;
                    }
                }
                Err(problem) => {
                    totals.bad += 1;
                    emit::case_problem(&problem);
                    if json && write_error(&problem, read.line, id).is_err() {
                        return exit;
                    }
                }
            }
        }
    }
    if opts.summary || (streamed && terminal) {
        emit::note(&batch::summary(&totals, start.elapsed()));
    }
    if totals.bad > 0 {
        exit = exit.max(Exit::BadInput);
    }
    exit
}

/// The error object in the place of a case's decision: for a line of JSON lines its
/// number, else the file.
fn write_error(p: &CaseProblem, line: Option<usize>, id: Option<String>) -> Result<(), Stopped> {
    out::json_line(&ErrorInPlace {
        file: line.is_none().then(|| p.file.clone()),
        line,
        id,
        error: p.error_object(),
    })
}

/// Why a stream stopped short.
enum Stop {
    /// Output could not be written (the reader went away, the disk is full): stop; `main`
    /// settles the status.
    Output,
    /// The input could not be opened or read.
    Unreadable(Box<CaseProblem>),
}

/// Streams one JSON-lines file (or standard input) through the batch pipeline.
fn stream(c: &Compiled, path: &Path, opts: EvalOptions, terminal: bool) -> Result<Totals, Stop> {
    let stdin = path.as_os_str() == "-";
    let name = if stdin { "<stdin>".to_string() } else { path.display().to_string() };
    let (input, size): (Box<dyn std::io::Read + Send>, Option<u64>) = if stdin {
        (Box::new(std::io::stdin()), None)
    } else {
        let file = pol_engine::load::open(path).map_err(|e| {
            Stop::Unreadable(Box::new(CaseProblem::plain(&name, e.message, Some(e.help))))
        })?;
        let size = file.metadata().ok().filter(|m| m.is_file()).map(|m| m.len());
        (Box::new(file), size)
    };
    // `--jobs` is clamped to a few per core: `--jobs 4611686018427387904` is not a request
    // the machine can honour (docs/cli.md, "Limits").
    let workers = pol_engine::limits::workers(opts.jobs);
    let batch_opts = batch::Options {
        format: opts.format,
        chunk_bytes: opts.chunk_bytes,
        workers,
        // The bar would break the one-object-per-line stream of `--error-format json`.
        progress: terminal && !term::json_errors(),
    };
    batch::run(c, &name, input, size, batch_opts).map_err(|e| match e {
        batch::Failure::Output => Stop::Output,
        batch::Failure::Input(e) => {
            let message = if stdin {
                format!("cannot read standard input: {e}")
            } else {
                format!("cannot read the file: {e}")
            };
            Stop::Unreadable(Box::new(CaseProblem::plain(
                &name,
                message,
                Some("send UTF-8 JSON lines".into()),
            )))
        }
    })
}

/// A decision for people: one headline, then its details.
pub fn human(r: &DecisionRecord) -> String {
    let mut out = String::new();
    let who =
        r.id.as_deref().map_or(String::new(), |id| format!("{}: ", crate::render::visible(id)));
    out.push_str(&format!("{who}{} for {} (as of {})\n", r.decision.as_str(), r.policy, r.as_of));
    for reason in &r.reasons {
        let cite = reason.cite.as_deref().map_or(String::new(), |c| format!("\n      cite: {c}"));
        let label =
            if r.decision == pol_compiler::DecisionKind::Incomplete { "open" } else { "because" };
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

//! `pol eval`: decide cases and print the contract's decision objects.
//!
//! A JSON, YAML or TOML file is one case. JSON lines (`.jsonl`, or `-` for standard input)
//! stream through [`crate::batch`]: decided on every core, written in input order.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use pol_compiler::{Compiled, DecisionRecord, Scratch};
use pol_engine::{CaseProblem, Format};

use crate::batch::{self, Totals};
use crate::{render, Exit, OutputFormat};

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
    let colour = render::use_colour();
    let terminal = std::io::stderr().is_terminal();
    let mut scratch = Scratch::default();
    let mut totals = Totals::default();
    let mut streamed = false;
    for path in paths {
        if Format::of(path) == Some(Format::JsonLines) {
            streamed = true;
            match stream(compiled, path, opts, colour, terminal) {
                Ok(t) => totals.add(&t),
                Err(Stop::BrokenPipe) => return Exit::Ok,
                Err(Stop::Problem(problem)) => {
                    totals.bad += 1;
                    eprint!("{}", render::case_problem(&problem).render(colour));
                }
            }
            continue;
        }
        for read in engine.read_cases(path) {
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
                    let text = match opts.format {
                        OutputFormat::Json => match serde_json::to_string(&record) {
                            Ok(line) => line + "\n",
                            Err(e) => {
                                eprintln!("error: cannot write the decision: {e}");
                                continue;
                            }
                        },
                        OutputFormat::Human => human(&record),
                    };
                    if std::io::stdout().write_all(text.as_bytes()).is_err() {
                        return Exit::Ok;
                    }
                }
                Err(problem) => {
                    totals.bad += 1;
                    eprint!("{}", render::case_problem(&problem).render(colour));
                }
            }
        }
    }
    if opts.summary || (streamed && terminal) {
        eprint!("{}", batch::summary(&totals, start.elapsed()));
    }
    if totals.bad > 0 {
        Exit::BadInput
    } else {
        Exit::Ok
    }
}

/// Why a stream stopped short.
enum Stop {
    /// The reader of our output went away (`pol eval big.jsonl | head`): stop quietly.
    BrokenPipe,
    /// The input could not be opened or read.
    Problem(Box<CaseProblem>),
}

/// Streams one JSON-lines file (or standard input) through the batch pipeline.
fn stream(
    c: &Compiled,
    path: &Path,
    opts: EvalOptions,
    colour: bool,
    terminal: bool,
) -> Result<Totals, Stop> {
    let stdin = path.as_os_str() == "-";
    let name = if stdin {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    let (input, size): (Box<dyn std::io::Read + Send>, Option<u64>) = if stdin {
        (Box::new(std::io::stdin()), None)
    } else {
        let file = pol_engine::load::open(path).map_err(|e| {
            Stop::Problem(Box::new(CaseProblem::plain(&name, e.message, Some(e.help))))
        })?;
        let size = file
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len());
        (Box::new(file), size)
    };
    let workers = opts.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let batch_opts = batch::Options {
        format: opts.format,
        chunk_bytes: opts.chunk_bytes,
        workers,
        colour,
        progress: terminal,
    };
    batch::run(c, &name, input, size, batch_opts).map_err(|e| {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Stop::BrokenPipe
        } else {
            let message = if stdin {
                format!("cannot read standard input: {e}")
            } else {
                format!("cannot read the file: {e}")
            };
            Stop::Problem(Box::new(CaseProblem::plain(
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

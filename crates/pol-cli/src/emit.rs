//! Everything `pol` says on standard error goes through here: each error as a report for
//! people (coloured when standard error takes colour) or, under `--error-format json`, as
//! one JSON object per line (`schemas/diagnostic.schema.json`). Notes for people (summary
//! lines) are left out of the JSON form, so that standard error then holds only objects.

use std::io::Write;

use pol_compiler::SourceMap;
use pol_engine::{CaseProblem, LoadError, ProjectError};
use pol_syntax::Diagnostic;

use crate::out::{self, Stream};
use crate::render::{self, JsonDiagnostic, Report};
use crate::term;

/// A compiler diagnostic.
pub fn diagnostic(d: &Diagnostic, sources: &SourceMap) {
    either(|| render::report(d, sources), || render::json(d, sources));
}

/// A case that could not be read or decided.
pub fn case_problem(p: &CaseProblem) {
    either(|| render::case_problem(p), || render::json_case(p));
}

/// A file or directory that cannot be read.
pub fn load_error(e: &LoadError) {
    either(|| render::load_error(e), || render::json_load_error(e));
}

/// A `pol.toml` that cannot be used.
pub fn project_error(e: &ProjectError) {
    either(|| render::project_error(e), || render::json_project_error(e));
}

/// An error with no place in a file: `error: MESSAGE`, then `help: HELP`.
pub fn error(message: &str, help: Option<&str>) {
    if term::json_errors() {
        json(&JsonDiagnostic::message(message, help.map(str::to_string)));
    } else {
        // Messages quote paths and inputs: never let them drive the terminal.
        let help = help.map_or(String::new(), |h| format!("\n  help: {}", render::visible(h)));
        write(&format!("error: {}{help}\n", render::visible(message)));
    }
}

/// A line for people only (a summary); not written under `--error-format json`.
pub fn note(text: &str) {
    if !term::json_errors() {
        write(text);
    }
}

/// The human or the JSON form of one error, whichever this run uses.
fn either(human: impl FnOnce() -> Report, machine: impl FnOnce() -> JsonDiagnostic) {
    if term::json_errors() {
        json(&machine());
    } else {
        write(&human().render(term::get().stderr_colour));
    }
}

/// The text of a report as this run prints it on standard error (batches render reports
/// on worker threads, then write them in input order).
pub fn case_problem_text(p: &CaseProblem) -> String {
    if term::json_errors() {
        json_line(&render::json_case(p))
    } else {
        render::case_problem(p).render(term::get().stderr_colour)
    }
}

fn json(d: &JsonDiagnostic) {
    write(&json_line(d));
}

fn json_line(d: &JsonDiagnostic) -> String {
    match serde_json::to_string(d) {
        Ok(line) => line + "\n",
        // A struct of strings and numbers always serializes; say something all the same.
        Err(_) => format!(
            "{{\"schema\":\"{}\",\"code\":null,\"severity\":\"error\",\"message\":\"cannot write an error\"}}\n",
            render::DIAGNOSTIC_SCHEMA
        ),
    }
}

/// Writes to standard error. A failure cannot be reported where it happened; it is
/// remembered, and the exit status says it (`out::settle`).
pub fn write(text: &str) {
    write_bytes(text.as_bytes());
}

/// Writes bytes (text rendered earlier, on another thread) to standard error, as [`write`].
pub fn write_bytes(bytes: &[u8]) {
    if out::failed_on(Stream::Stderr) {
        return;
    }
    if let Err(e) = std::io::stderr().lock().write_all(bytes) {
        out::record(Stream::Stderr, &e);
    }
}

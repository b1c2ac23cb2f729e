//! `pol`: check, evaluate, explain and test parole policies written in the pol language.
#![forbid(unsafe_code)]
// Output goes through `out` (standard output) and `emit` (standard error), which never
// panic on a failed write: the `print!` family does.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod batch;
mod check;
mod cli;
mod codes_doc;
mod diff;
mod emit;
mod eval;
mod explain;
mod fmt;
mod out;
mod plain;
mod render;
mod term;
mod test_cmd;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

pub use cli::{CheckFormat, OutputFormat};
use cli::{Cli, Command, ErrorFormat};

/// How `pol` ends (docs/cli.md, "Exit status"; the same for every command). Ordered, so
/// that a run that meets several ends with the worst (`Ord::max`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// The command did its job and found nothing wrong: every case decided, the check
    /// clean, every test passed, every file formatted.
    Ok = 0,
    /// Findings or bad input: a check found errors (or warnings at `--fail-level
    /// warning`), a case could not be decided, a test failed, a file is not formatted.
    BadInput = 1,
    /// The command could not do its job: it was misused, a path cannot be read or written,
    /// the policies a command needs do not compile, a file to format does not parse, its
    /// output could not be written.
    Misuse = 2,
    /// The reader of its output went away (a closed pipe): the run stopped early, quietly,
    /// with the status a shell gives a filter stopped by `SIGPIPE` (128 + 13). See `out`.
    Closed = 141,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    term::init(cli.color, cli.error_format);
    let policies = cli.policies.as_deref();
    let command = match (cli.version, cli.command) {
        (true, _) => return ExitCode::from(version(policies) as u8),
        (false, Some(c)) => c,
        (false, None) => {
            let _ = Cli::command().print_help();
            return ExitCode::from(Exit::Misuse as u8);
        }
    };
    let exit = match command {
        Command::Check(args) => check::run(policies, &args),
        Command::Eval { cases, format, summary, jobs, chunk_bytes } => eval::run(
            policies,
            &cases,
            eval::EvalOptions {
                format,
                summary,
                jobs: jobs.map(std::num::NonZeroUsize::get),
                chunk_bytes,
            },
        ),
        Command::Explain { case, format, all } => explain::run(policies, &case, format, all),
        Command::Test { paths, run, verbose, format, coverage, coverage_min, watch } => {
            test_cmd::run(
                policies,
                &paths,
                &test_cmd::TestOptions {
                    filter: pol_engine::testing::Filter { pattern: run },
                    verbose,
                    format,
                    coverage,
                    coverage_min,
                    watch,
                },
            )
        }
        Command::Diff(args) => diff::run(policies, &args),
        Command::Fmt { paths, check, diff } => {
            fmt::run(policies, &paths, fmt::Mode::of(check, diff))
        }
        Command::Serve(args) => serve(policies, args),
        Command::Completions { shell } => completions(shell),
        Command::Schema { name } => schema(name.as_deref()),
        // The protocol's own exit code: 0 after `shutdown`, else 1.
        Command::Lsp => match pol_lsp::run_stdio() {
            0 => Exit::Ok,
            _ => Exit::BadInput,
        },
    };
    ExitCode::from(out::settle(exit) as u8)
}

/// A command line clap refuses: help and version as clap prints them (exit 0); anything
/// else is misuse (exit 2), reported as JSON when `--error-format json` was asked for.
fn usage_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let exit = if e.use_stderr() {
            emit::write(&rendered(e, supports_color::Stream::Stderr));
            Exit::Misuse
        } else {
            let _ = out::text(&rendered(e, supports_color::Stream::Stdout));
            Exit::Ok
        };
        return ExitCode::from(out::settle(exit) as u8);
    }
    // The flags could not be parsed, so look for the error format among the raw arguments.
    let args: Vec<String> = std::env::args().collect();
    let json = args
        .windows(2)
        .any(|w| matches!(w, [flag, value] if flag == "--error-format" && value == "json"))
        || args.iter().any(|a| a == "--error-format=json");
    term::init(cli::ColorWhen::Auto, if json { ErrorFormat::Json } else { ErrorFormat::Human });
    if json {
        // clap's first line names the problem; the rest is usage and a tip.
        let rendered = e.to_string();
        let first = rendered.lines().next().unwrap_or("the command line is not valid");
        emit::error(first.trim_start_matches("error: "), Some("run `pol --help` for usage"));
    } else {
        emit::write(&rendered(e, supports_color::Stream::Stderr));
    }
    ExitCode::from(out::settle(Exit::Misuse) as u8)
}

/// clap's message (help, version, or what is wrong), coloured when `stream` takes colour.
fn rendered(e: &clap::Error, stream: supports_color::Stream) -> String {
    let styled = e.render();
    if supports_color::on(stream).is_some() {
        styled.ansi().to_string()
    } else {
        styled.to_string()
    }
}

/// `pol serve`: the decision service (the `pol-serve` crate) on the policy set in use.
fn serve(policies: Option<&std::path::Path>, args: cli::ServeArgs) -> Exit {
    let engine = match engine(policies) {
        Ok(e) => e,
        Err(e) => return e,
    };
    let decision_log = args.decision_log.map(|path| {
        if path.as_os_str() == "-" {
            pol_serve::LogTarget::Stdout
        } else {
            pol_serve::LogTarget::File(path)
        }
    });
    let options = pol_serve::Options {
        addr: args.addr,
        watch: args.watch,
        config: pol_serve::Config {
            limits: pol_serve::Limits {
                max_body_bytes: args.max_body,
                max_batch_cases: args.max_batch,
                request_timeout: std::time::Duration::from_millis(args.timeout_ms),
            },
            decision_log,
            redact: args.redact,
        },
    };
    match pol_serve::run(engine, options) {
        Ok(()) => Exit::Ok,
        Err(e) => {
            emit::error(&e.to_string(), None);
            Exit::Misuse
        }
    }
}

/// `pol completions SHELL`: the completion script, on standard output.
fn completions(shell: clap_complete::Shell) -> Exit {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "pol", &mut script);
    // A failed write is settled in `main`.
    let _ = out::bytes(&script);
    Exit::Ok
}

/// `pol schema`: the schema named, or (with none) the list of them. The name was checked
/// against the list by the argument parser.
fn schema(name: Option<&str>) -> Exit {
    use pol_engine::schemas;
    match name {
        Some(name) => match schemas::find(name) {
            Some(schema) => out(schema.text),
            None => {
                emit::error(
                    &format!("no schema named `{name}`"),
                    Some("run `pol schema` for the list"),
                );
                return Exit::Misuse;
            }
        },
        None => {
            let width = schemas::names().map(str::len).max().unwrap_or(0);
            for schema in schemas::SCHEMAS {
                out(&format!("{:width$}  {}\n", schema.name, schema.summary));
            }
        }
    }
    Exit::Ok
}

/// Writes `text` to standard output; a closed pipe (`pol ... | head`) ends the output
/// quietly rather than with a panic.
pub fn out(text: &str) {
    // A failed write is recorded and becomes the exit status (`out::settle`).
    let _ = out::text(text);
}

/// `pol --version`: the version, and the policy set `pol` uses here with its digest (the
/// receipt every decision carries).
fn version(policies: Option<&std::path::Path>) -> Exit {
    out(&format!("pol {}\n", env!("CARGO_PKG_VERSION")));
    let source = match policy_source(policies) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let described = source.describe();
    match pol_engine::Engine::load(source) {
        Ok(engine) => out(&format!("policies: {described} ({})\n", engine.receipt().policies)),
        Err(_) => out(&format!("policies: {described} (does not compile: see `pol check`)\n")),
    }
    Exit::Ok
}

/// The policy set `pol` uses here: `--policies DIR`, else the project (`pol.toml`) the
/// working directory lies in, else the built-in set. A malformed `pol.toml` is reported.
/// When the built-in set is chosen but `.pol` files here differ from it, a note says so
/// (once), with how to use them instead.
pub fn policy_source(dir: Option<&std::path::Path>) -> Result<pol_engine::PolicySource, Exit> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let source = pol_engine::PolicySource::choose(dir, &cwd).map_err(|e| {
        emit::project_error(&e);
        Exit::Misuse
    })?;
    note_builtin(&source, &cwd);
    Ok(source)
}

/// When `source` is the built-in set but `cwd` holds `.pol` files that differ from it, says
/// so once: an author who forgot `--policies` or `pol.toml` would otherwise test the wrong
/// set.
pub fn note_builtin(source: &pol_engine::PolicySource, cwd: &std::path::Path) {
    if *source != pol_engine::PolicySource::Builtin {
        return;
    }
    static NOTE: std::sync::Once = std::sync::Once::new();
    if let Some(local) = pol_engine::load::local_policies_differ(cwd) {
        NOTE.call_once(|| {
            let shown = relative_to(cwd, &local);
            emit::note(&format!(
                "note: using the built-in policies, but the .pol files in `{shown}` differ from them; \
                 to use those files, pass `--policies {shown}` or add a pol.toml here \
                 (`policies = \"{shown}\"`)\n"
            ));
        });
    }
}

/// `path` as people in `cwd` name it: relative to `cwd` when inside it (`.` for `cwd`
/// itself), else as given.
pub fn relative_to(cwd: &std::path::Path, path: &std::path::Path) -> String {
    match path.strip_prefix(cwd) {
        Ok(rel) if rel.as_os_str().is_empty() => ".".to_string(),
        Ok(rel) => rel.display().to_string(),
        Err(_) => path.display().to_string(),
    }
}

/// `path` with links and `..` resolved where it exists, else as given: for telling whether
/// one path lies under another.
pub fn canonical(path: &std::path::Path) -> std::path::PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Loads and compiles the policy set for deciding cases, printing diagnostics on failure.
pub fn engine(dir: Option<&std::path::Path>) -> Result<pol_engine::Engine, Exit> {
    let source = policy_source(dir)?;
    // Only errors are shown here, and lints never stop compilation: they are skipped
    // (`pol check` runs them).
    pol_engine::Engine::load(source).map_err(|failure| report_failure(&failure))
}

/// Prints why a policy set did not load: its errors, then what to do.
pub fn report_failure(failure: &pol_engine::Failure) -> Exit {
    for d in failure.diagnostics.iter().filter(|d| d.is_error()) {
        emit::diagnostic(d, &failure.sources);
    }
    if failure.diagnostics.iter().any(|d| d.code == pol_compiler::codes::POLICY_UNREADABLE) {
        emit::error("the policy set cannot be read; fix the paths above", None);
    } else {
        emit::error(
            "the policies do not compile; fix the errors above (`pol check` lists them too)",
            None,
        );
    }
    Exit::Misuse
}

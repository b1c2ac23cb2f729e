//! `pol`: check, evaluate, explain and test parole policies written in the pol language.
#![forbid(unsafe_code)]

mod batch;
mod check;
mod eval;
mod explain;
mod fmt;
mod render;
mod test_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// How `pol` ends: the contract's exit statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Every case was decided, or the check is clean.
    Ok = 0,
    /// Bad input: a case could not be decided, a check found errors, a test failed.
    BadInput = 1,
    /// The command was misused or the policies do not compile.
    Misuse = 2,
}

#[derive(Parser)]
#[command(
    name = "pol",
    version,
    about = "Parole policy as code: check, evaluate, explain and test .pol policies"
)]
struct Cli {
    /// Policy directory to use instead of the shipped policies.
    #[arg(long, global = true, env = "POL_POLICIES", value_name = "DIR")]
    policies: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check policy files for errors and lints (default: the policy set in use).
    Check {
        /// `.pol` files or directories to check.
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
        /// `--deny warnings` makes any warning fail the check.
        #[arg(long, value_name = "warnings")]
        deny: Vec<DenyLevel>,
    },
    /// Decide cases (JSON, YAML, TOML, or JSON lines; `-` reads JSON lines from stdin).
    Eval {
        #[arg(required = true, value_name = "CASE")]
        cases: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
        /// Print decisions by kind on standard error at the end (always shown for JSON
        /// lines when standard error is a terminal).
        #[arg(long)]
        summary: bool,
        /// Worker threads for JSON lines (default: one per core).
        #[arg(long, short = 'j', value_name = "N")]
        jobs: Option<std::num::NonZeroUsize>,
        /// Bytes of JSON lines per chunk of work (tuning and tests).
        #[arg(long, hide = true, default_value_t = 256 * 1024)]
        chunk_bytes: usize,
    },
    /// Explain why a case got its decision, pointing at the policy lines that decided it.
    Explain {
        #[arg(value_name = "CASE")]
        case: PathBuf,
        #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
        /// Also show the rules that did not decide the case.
        #[arg(long)]
        all: bool,
    },
    /// Rewrite `.pol` files in the canonical layout (comments kept; writes are atomic).
    Fmt {
        /// Files or directories to format (default: --policies DIR).
        paths: Vec<PathBuf>,
        /// Only report files that are not formatted, and exit 1 if any.
        #[arg(long)]
        check: bool,
    },
    /// Run policy tests (case + expected decision) found under directories or files.
    Test {
        /// Test files or directories (default: tests/policies).
        paths: Vec<PathBuf>,
    },
    /// Run the language server on standard input and output, for editors (docs/editors.md).
    Lsp,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum CheckFormat {
    Human,
    Json,
    Sarif,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum OutputFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum DenyLevel {
    Warnings,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let policies = cli.policies.as_deref();
    let exit = match cli.command {
        Command::Check {
            paths,
            format,
            deny,
        } => check::run(policies, &paths, format, !deny.is_empty()),
        Command::Eval {
            cases,
            format,
            summary,
            jobs,
            chunk_bytes,
        } => eval::run(
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
        Command::Test { paths } => test_cmd::run(policies, &paths),
        Command::Fmt { paths, check } => fmt::run(policies, &paths, check),
        // The protocol's own exit code: 0 after `shutdown`, 1 if the client just left.
        Command::Lsp => return ExitCode::from(u8::try_from(pol_lsp::run_stdio()).unwrap_or(1)),
    };
    ExitCode::from(exit as u8)
}

/// The policy set `pol` uses here: `--policies DIR`, else the project (`pol.toml`) the
/// working directory lies in, else the built-in set. A malformed `pol.toml` is reported.
pub fn policy_source(dir: Option<&std::path::Path>) -> Result<pol_engine::PolicySource, Exit> {
    let cwd = std::env::current_dir().unwrap_or_default();
    pol_engine::PolicySource::choose(dir, &cwd).map_err(|e| {
        eprint!("{}", render::project_error(&e).render(render::use_colour()));
        Exit::Misuse
    })
}

/// Loads and compiles the policy set for deciding cases, printing diagnostics on failure.
pub fn engine(dir: Option<&std::path::Path>) -> Result<pol_engine::Engine, Exit> {
    let source = policy_source(dir)?;
    // Only errors are shown here, and lints never stop compilation: they are skipped
    // (`pol check` runs them).
    pol_engine::Engine::load(source).map_err(|failure| {
        let colour = render::use_colour();
        for d in failure.diagnostics.iter().filter(|d| d.is_error()) {
            eprint!("{}", render::report(d, &failure.sources).render(colour));
        }
        if failure
            .diagnostics
            .iter()
            .any(|d| d.code == pol_compiler::codes::POLICY_UNREADABLE)
        {
            eprintln!("error: the policy set cannot be read; fix the paths above");
        } else {
            eprintln!("error: the policies do not compile; fix the errors above (`pol check` lists them too)");
        }
        Exit::Misuse
    })
}

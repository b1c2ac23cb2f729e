//! `pol`: check, evaluate, explain and test parole policies written in the pol language.
#![forbid(unsafe_code)]

mod batch;
mod check;
mod diff;
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
    about = "Parole policy as code: check, evaluate, explain and test .pol policies",
    disable_version_flag = true,
    arg_required_else_help = true
)]
struct Cli {
    /// Policy directory to use instead of the project's (`pol.toml`) or the shipped ones.
    #[arg(long, global = true, env = "POL_POLICIES", value_name = "DIR")]
    policies: Option<PathBuf>,
    /// Print the version of `pol` and the policy set it uses here, with its digest.
    #[arg(short = 'V', long)]
    version: bool,
    #[command(subcommand)]
    command: Option<Command>,
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
    /// Show how decisions change between two policy sets: for each policy, the decision
    /// transitions with counts over a corpus and witness cases (from the corpus, and
    /// synthesized from the policies).
    Diff {
        /// OLD and NEW policy directories; with --git, at most NEW (default: the policies
        /// in use here).
        #[arg(value_name = "DIR")]
        sets: Vec<PathBuf>,
        /// Compare the policies as they were at git revision REV with the working tree.
        #[arg(long, value_name = "REV")]
        git: Option<String>,
        /// Corpus of cases: JSON, YAML, TOML or JSON-lines files, or directories of them.
        #[arg(long, value_name = "FILE", num_args = 1..)]
        cases: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = diff::DiffFormat::Human)]
        format: diff::DiffFormat,
        /// Witness cases shown per transition.
        #[arg(long, default_value_t = 3, value_name = "N")]
        witnesses: usize,
        /// Worker threads for JSON-lines corpora (default: one per core).
        #[arg(long, short = 'j', value_name = "N")]
        jobs: Option<std::num::NonZeroUsize>,
        /// Compare only the corpus; do not synthesize cases from the policies.
        #[arg(long)]
        no_synthesis: bool,
        /// Exit with status 1 when some decision changes (as `git diff --exit-code`).
        #[arg(long)]
        exit_code: bool,
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
        /// Test files or directories (default: the project's tests, or tests/policies).
        paths: Vec<PathBuf>,
        /// Run only the tests whose name (`file::test name`) contains PATTERN, or matches
        /// it as a glob when it has `*` or `?`.
        #[arg(long, value_name = "PATTERN")]
        run: Option<String>,
        /// List every test with its decision (and, with --coverage, every outcome).
        #[arg(long, short = 'v')]
        verbose: bool,
        #[arg(long, value_enum, default_value_t = test_cmd::TestFormat::Human)]
        format: test_cmd::TestFormat,
        /// Report which outcomes of each rule, window, parameter and conditional form the
        /// tests reach.
        #[arg(long)]
        coverage: bool,
        /// Fail when coverage is below PERCENT (implies --coverage).
        #[arg(long, value_name = "PERCENT")]
        coverage_min: Option<f64>,
    },
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
    let command = match (cli.version, cli.command) {
        (true, _) => return ExitCode::from(version(policies) as u8),
        (false, Some(c)) => c,
        // `arg_required_else_help` prints the help for a bare `pol`.
        (false, None) => return ExitCode::from(Exit::Misuse as u8),
    };
    let exit = match command {
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
        Command::Test {
            paths,
            run,
            verbose,
            format,
            coverage,
            coverage_min,
        } => test_cmd::run(
            policies,
            &paths,
            &test_cmd::TestOptions {
                filter: pol_engine::testing::Filter { pattern: run },
                verbose,
                format,
                coverage,
                coverage_min,
            },
        ),
        Command::Fmt { paths, check } => fmt::run(policies, &paths, check),
        Command::Diff {
            sets,
            git,
            cases,
            format,
            witnesses,
            jobs,
            no_synthesis,
            exit_code,
        } => diff::run(
            policies,
            &diff::DiffArgs {
                sets,
                git,
                cases,
                format,
                witnesses,
                jobs: jobs.map(std::num::NonZeroUsize::get),
                no_synthesis,
                exit_code,
            },
        ),
    };
    ExitCode::from(exit as u8)
}

/// Writes `text` to standard output; a closed pipe (`pol ... | head`) ends the output
/// quietly rather than with a panic.
pub fn emit(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// `pol --version`: the version, and the policy set `pol` uses here with its digest (the
/// receipt every decision carries).
fn version(policies: Option<&std::path::Path>) -> Exit {
    emit(&format!("pol {}\n", env!("CARGO_PKG_VERSION")));
    let source = match policy_source(policies) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let described = source.describe();
    match pol_engine::Engine::load(source) {
        Ok(engine) => emit(&format!(
            "policies: {described} ({})\n",
            engine.receipt().policies
        )),
        Err(_) => emit(&format!(
            "policies: {described} (does not compile: see `pol check`)\n"
        )),
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
        eprint!("{}", render::project_error(&e).render(render::use_colour()));
        Exit::Misuse
    })?;
    if source == pol_engine::PolicySource::Builtin {
        static NOTE: std::sync::Once = std::sync::Once::new();
        if let Some(local) = pol_engine::load::local_policies_differ(&cwd) {
            NOTE.call_once(|| {
                let shown = local
                    .strip_prefix(&cwd)
                    .ok()
                    .filter(|p| !p.as_os_str().is_empty())
                    .map_or(".".to_string(), |p| p.display().to_string());
                eprintln!(
                    "note: using the built-in policies, but the .pol files in `{shown}` differ from them; \
                     to use those files, pass `--policies {shown}` or add a pol.toml here \
                     (`policies = \"{shown}\"`)"
                );
            });
        }
    }
    Ok(source)
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

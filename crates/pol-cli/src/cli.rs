//! The command line as clap sees it: every command, flag and value, with the examples its
//! `--help` shows. It depends on clap alone, so the man-page test can build the same
//! definition (`tests/it/man.rs`) and `pol completions` can describe it to shells.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use pol_compiler::value::Day;

const EXAMPLES: &str = "\
Examples:
  pol check                              errors and lints for the policies in use
  pol eval --format json case.json       the contract's decision object
  pol explain case.yaml                  why: the deciding rules, with citations
  pol test                               the project's policy tests
  pol fmt --check                        is every policy in the canonical layout?

Exit status: 0 success; 1 findings or bad input (a check error, a case not decided, a
failed test, a file not formatted); 2 misuse, an unreadable path, or policies that do not
compile for a command that needs them. `pol COMMAND --help` says more of each command.";

const CHECK_EXAMPLES: &str = "\
Examples:
  pol check                                   the policy set in use
  pol check policies/                         every .pol file under a directory
  pol check --fail-level warning              warnings fail the check too (CI)
  pol check --deny missing_says               a lint fails the check (pol.toml: [lints])
  pol check --explain W0503                   what a code means, with examples
  pol check --format github                   annotations in a GitHub Actions log
  pol check --format sarif > pol.sarif        for code scanning
  pol check --format plain                    file:line:col: error[code]: message
  pol check - < policy.pol                    standard input, imports from here

Exit status: 0 no finding at the fail level; 1 findings; 2 misuse or a path that cannot be
read.";

const EVAL_EXAMPLES: &str = "\
Examples:
  pol eval case.json                          a decision for people
  pol eval --format json case.yaml            the contract's decision object
  pol eval --format json cases.jsonl          one object per input line, errors in place
  pol eval --format json - < cases.jsonl      JSON lines from standard input
  pol eval examples/cases                     every case file under a directory

Exit status: 0 every case decided (whatever the decision); 1 a case could not be decided;
2 misuse, a path that cannot be read, or policies that do not compile.";

const EXPLAIN_EXAMPLES: &str = "\
Examples:
  pol explain case.json                       the deciding rules, underlined
  pol explain --all case.json                 also the rules that did not decide it
  pol explain --format json case.json         the trace as data, with counterfactuals

Exit status: 0 explained; 1 the case could not be decided; 2 misuse, a path that cannot
be read, or policies that do not compile.";

const FMT_EXAMPLES: &str = "\
Examples:
  pol fmt                                     the project's policies, in place
  pol fmt --check                             list the files that are not formatted
  pol fmt --diff policies/                    show the changes, write nothing
  pol fmt - < policy.pol > formatted.pol      standard input to standard output

Exit status: 0 formatted (or nothing to do); 1 with --check or --diff, a file is not
formatted; 2 misuse, a file that cannot be read or written, or one that does not parse.";

const TEST_EXAMPLES: &str = "\
Examples:
  pol test                                    the project's tests (pol.toml `tests`)
  pol test tests/policies/chnv.yaml           one test file
  pol test --run daca -v                      tests whose name contains \"daca\", with decisions
  pol test --coverage-min 100                 fail unless every rule outcome is tested
  pol test --format junit > junit.xml         JUnit XML for CI

Exit status: 0 every test passed; 1 a test failed; 2 misuse or policies that do not
compile.";

const DIFF_EXAMPLES: &str = "\
Examples:
  pol diff policies/ ../other/policies/       two policy directories
  pol diff --git HEAD                         the policies at HEAD vs the working tree
  pol diff --git main --cases examples/cases  with counts over a corpus of cases
  pol diff --git main --format markdown       for a pull-request comment

Exit status: 0 (with --exit-code: 1 when a decision changes); 2 misuse or policies that
do not compile.";

const SERVE_EXAMPLES: &str = "\
Examples:
  pol serve                                   http://127.0.0.1:8080, the policies in use
  pol serve --policies my-policies --watch    while authoring: reload on every save
  pol serve --decision-log decisions.jsonl --redact applicant.nationality,id
  curl -d @case.json localhost:8080/v1/decide the decision, as `pol eval --format json`

Endpoints: POST /v1/decide, POST /v1/explain, GET /v1/policies, GET /v1/openapi.json,
GET /healthz, GET /readyz, GET /metrics, and the intake page at /. SIGHUP reloads the
policies (a set that does not compile is refused; the old one keeps serving); SIGTERM or
SIGINT stops after the requests in flight.

Exit status: 0 stopped by a signal; 2 misuse, an address that cannot be listened on, a
decision log that cannot be opened, or policies that do not compile.";

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  pol completions bash > ~/.local/share/bash-completion/completions/pol
  pol completions zsh > ~/.zfunc/_pol
  pol completions fish > ~/.config/fish/completions/pol.fish
  pol completions powershell >> $PROFILE";

const SCHEMA_EXAMPLES: &str = "\
Examples:
  pol schema                        the schemas, with what each describes
  pol schema decision > decision.schema.json
  pol schema diagnostic             what --error-format json prints, one object a line";

const LSP_EXAMPLES: &str = "\
Examples:
  pol lsp                                     run by an editor, not by hand

Exit status: 0 after the client's `shutdown` and `exit`; 1 when the client sends `exit`
without `shutdown`, or closes standard input first (as the protocol asks).";

/// `pol`: parole policy as code.
#[derive(Parser)]
#[command(
    name = "pol",
    about = "Parole policy as code: check, evaluate, explain and test .pol policies",
    after_help = EXAMPLES,
    disable_version_flag = true,
    arg_required_else_help = true
)]
pub struct Cli {
    /// Policy directory to use instead of the project's (pol.toml) or the shipped policies.
    #[arg(long, global = true, env = "POL_POLICIES", value_name = "DIR")]
    pub policies: Option<PathBuf>,
    /// When to colour: `auto` decides for each stream (a terminal, unless NO_COLOR or
    /// TERM=dumb; CLICOLOR_FORCE or FORCE_COLOR force it).
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t = ColorWhen::Auto,
        value_name = "WHEN"
    )]
    pub color: ColorWhen,
    /// How errors are reported on standard error: for people, or one JSON object per line.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t = ErrorFormat::Human,
        value_name = "FORMAT"
    )]
    pub error_format: ErrorFormat,
    /// Print the version of `pol` and the policy set it uses here, with its digest.
    #[arg(short = 'V', long)]
    pub version: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Check policy files for errors and lints (default: the policy set in use).
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Decide cases: JSON, YAML or TOML files, JSON lines, or directories of them (`-`: JSON
    /// lines on standard input).
    #[command(after_help = EVAL_EXAMPLES)]
    Eval {
        /// Case files, directories of case files (searched recursively, in name order), or
        /// `-` for JSON lines on standard input.
        #[arg(required = true, value_name = "CASE")]
        cases: Vec<PathBuf>,
        /// `json` prints the contract's decision object per case.
        #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
        /// Print decisions by kind on standard error at the end (always shown for JSON
        /// lines when standard error is a terminal).
        #[arg(long)]
        summary: bool,
        /// Worker threads for JSON lines (default: one per core; at most four per core).
        #[arg(long, short = 'j', value_name = "N")]
        jobs: Option<NonZeroUsize>,
        /// Bytes of JSON lines per chunk of work (tuning and tests).
        #[arg(long, hide = true, default_value_t = 256 * 1024)]
        chunk_bytes: usize,
    },
    /// Explain why a case got its decision, pointing at the policy lines that decided it.
    #[command(after_help = EXPLAIN_EXAMPLES)]
    Explain {
        /// The case file (JSON, YAML or TOML; a `.jsonl` file explains every line).
        #[arg(value_name = "CASE")]
        case: PathBuf,
        /// `json` prints the decision, the trace and the counterfactuals as one object.
        #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
        /// Also show the rules that did not decide the case.
        #[arg(long)]
        all: bool,
    },
    /// Rewrite `.pol` files in the canonical layout (comments kept; writes are atomic).
    #[command(after_help = FMT_EXAMPLES)]
    Fmt {
        /// Files or directories to format (default: the project's or --policies DIR); `-`
        /// formats standard input to standard output.
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Only report files that are not formatted, and exit 1 if any.
        #[arg(long)]
        check: bool,
        /// Print a unified diff of the changes instead of writing them; exit 1 if any.
        #[arg(long)]
        diff: bool,
    },
    /// Run policy tests (case + expected decision) found under directories or files.
    #[command(after_help = TEST_EXAMPLES)]
    Test {
        /// Test files or directories (default: the project's tests, else tests/policies).
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Run only the tests whose name (`file::test name`) contains PATTERN, or matches
        /// it as a glob when it has `*` or `?`.
        #[arg(long, value_name = "PATTERN")]
        run: Option<String>,
        /// List every test with its decision (and, with --coverage, every outcome).
        #[arg(long, short = 'v')]
        verbose: bool,
        /// `json`: one document with every test; `junit`: JUnit XML for CI.
        #[arg(long, value_enum, default_value_t = TestFormat::Human)]
        format: TestFormat,
        /// Report which outcomes of each rule, window, parameter and conditional form the
        /// tests reach.
        #[arg(long)]
        coverage: bool,
        /// Fail when coverage is below PERCENT, from 0 to 100 (implies --coverage).
        #[arg(long, value_name = "PERCENT", value_parser = parse_percent)]
        coverage_min: Option<f64>,
        /// Run the tests again whenever a policy file (or a file it imports), a test file,
        /// a case file the tests read or pol.toml changes, until interrupted (Ctrl-C).
        #[arg(long, short = 'w')]
        watch: bool,
    },
    /// Show how decisions change between two policy sets: for each policy, the decision
    /// transitions with counts over a corpus and witness cases (from the corpus, and
    /// synthesized from the policies).
    #[command(after_help = DIFF_EXAMPLES)]
    Diff(DiffArgs),
    /// Serve decisions over HTTP, with an intake page for caseworkers at /.
    #[command(after_help = SERVE_EXAMPLES)]
    Serve(ServeArgs),
    /// Print a completion script for a shell.
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the JSON Schema of a document pol reads or writes (without a name, list them)
    ///
    /// Documents name their schema by URN (`"schema": "urn:pol:decision:1.1"`); this prints
    /// the schema of this very version.
    #[command(after_help = SCHEMA_EXAMPLES)]
    Schema {
        /// The schema to print.
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(pol_engine::schemas::names()))]
        name: Option<String>,
    },
    /// Run the language server on standard input and output, for editors.
    #[command(after_help = LSP_EXAMPLES)]
    Lsp,
}

/// `pol check`: what to check, how to show it, and how much each lint matters.
#[derive(clap::Args)]
pub struct CheckArgs {
    /// `.pol` files or directories to check; `-` reads one file from standard input
    /// (named `<stdin>`, its imports found from the working directory).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output: `human` on standard error; the others on standard output.
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
    /// The least severity that fails the check (exit 1).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_level: Option<FailLevel>,
    /// Do not report these lints (over the project's `[lints]`).
    #[arg(long, short = 'A', value_name = "LINT", value_delimiter = ',')]
    pub allow: Vec<String>,
    /// Report these lints as warnings (over the project's `[lints]`).
    #[arg(long, short = 'W', value_name = "LINT", value_delimiter = ',')]
    pub warn: Vec<String>,
    /// Report these lints as errors, which fail the check (over the project's `[lints]`);
    /// `--deny warnings` is `--fail-level warning`.
    #[arg(long, short = 'D', value_name = "LINT", value_delimiter = ',')]
    pub deny: Vec<String>,
    /// Explain a diagnostic code (`W0518`) or lint (`missing_says`), with a bad and a good
    /// example, instead of checking.
    #[arg(long, value_name = "CODE")]
    pub explain: Option<String>,
}

/// `pol diff`: the two policy sets, the corpus, and how to show the transitions.
#[derive(clap::Args)]
pub struct DiffArgs {
    /// OLD and NEW policy directories; with --git, at most NEW (default: the policies
    /// in use here).
    #[arg(value_name = "DIR")]
    pub sets: Vec<PathBuf>,
    /// Compare the policies as they were at git revision REV with the working tree.
    #[arg(long, value_name = "REV")]
    pub git: Option<String>,
    /// Corpus of cases: JSON, YAML, TOML or JSON-lines files, or directories of them.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub cases: Vec<PathBuf>,
    /// Synthesize only cases decided on DATE (YYYY-MM-DD), such as today, instead of on
    /// every date where the policies can differ; corpus cases keep their own dates.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<Day>,
    /// `markdown` for a pull-request comment; `json` is `{"policies": [...]}`.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
    /// Witness cases shown per transition.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub witnesses: usize,
    /// Worker threads for JSON-lines corpora (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<NonZeroUsize>,
    /// Compare only the corpus; do not synthesize cases from the policies.
    #[arg(long)]
    pub no_synthesis: bool,
    /// Exit with status 1 when some decision changes (as `git diff --exit-code`).
    #[arg(long)]
    pub exit_code: bool,
}

/// A whole number of at least 1, for the service's limits: a limit of 0 leaves no room for
/// any request.
fn at_least_one<N>(text: &str) -> Result<N, String>
where
    N: std::str::FromStr + PartialOrd + From<u8>,
    N::Err: std::fmt::Display,
{
    match text.trim().parse::<N>() {
        Ok(n) if n >= N::from(1) => Ok(n),
        Ok(_) => Err("a limit of 0 leaves no room for any request; give at least 1".to_string()),
        Err(e) => Err(e.to_string()),
    }
}

/// A percentage from 0 to 100 (`NaN` is none: every coverage would pass it).
fn parse_percent(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err("give a percentage from 0 to 100, like 90 or 87.5".to_string()),
    }
}

/// A date as cases write it, `YYYY-MM-DD`.
fn parse_date(text: &str) -> Result<Day, String> {
    pol_syntax::date::Date::parse_iso(text).map(Day::from_date)
}

/// `pol serve`: where to listen, the decision log, reloading and limits. The limits'
/// defaults are `pol_serve::Limits::default()` (a test keeps them equal).
#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback unless you choose otherwise).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub addr: std::net::SocketAddr,
    /// Append one JSON line per decision, with its receipt, to FILE (`-`: standard output).
    #[arg(long, value_name = "FILE")]
    pub decision_log: Option<PathBuf>,
    /// Replace these facts' values in the decision log: dotted paths, groups (`trip`), or
    /// `id`; repeat the flag or separate with commas.
    #[arg(long, value_name = "FIELD", value_delimiter = ',')]
    pub redact: Vec<String>,
    /// Reload the policies whenever a policy file (or a file it imports) changes (SIGHUP
    /// always reloads).
    #[arg(long)]
    pub watch: bool,
    /// Largest request body, in bytes (at least 1).
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024, value_parser = at_least_one::<usize>)]
    pub max_body: usize,
    /// Most cases in one request (at least 1).
    #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = at_least_one::<usize>)]
    pub max_batch: usize,
    /// Longest a request may take, in milliseconds (at least 1).
    #[arg(long, value_name = "MS", default_value_t = 10_000, value_parser = at_least_one::<u64>)]
    pub timeout_ms: u64,
}

/// `pol check --format`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum CheckFormat {
    /// Reports with the source lines they point at, on standard error.
    Human,
    /// One JSON object per diagnostic and line (`pol schema diagnostic`).
    Json,
    /// A SARIF 2.1.0 log, for code-scanning tools.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=...`): annotations on the diff.
    Github,
    /// A JUnit XML report: one test case per file, a failure per finding.
    Junit,
    /// One line per diagnostic, `file:line:col: severity[code]: message`, for editors'
    /// error parsers and screen readers.
    Plain,
}

/// `--format` of `eval` and `explain`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum OutputFormat {
    /// For people.
    Human,
    /// JSON (`pol schema decision`, `pol schema explanation`).
    Json,
}

/// `pol check --fail-level`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq, PartialOrd, Ord)]
pub enum FailLevel {
    /// Warnings fail the check too.
    Warning,
    /// Only errors fail the check (the default).
    Error,
}

/// `--color`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ColorWhen {
    /// For each stream: when it is a terminal, unless the environment says otherwise.
    Auto,
    Always,
    Never,
}

/// `--error-format`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ErrorFormat {
    /// Reports with the source lines they point at.
    Human,
    /// One JSON object per error and line (`pol schema diagnostic`).
    Json,
}

/// `pol test --format`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum TestFormat {
    /// Failures as expected/actual diffs, then the summary, for people.
    Human,
    /// One JSON document: every test, problems, the summary, coverage.
    Json,
    /// JUnit XML, for CI.
    Junit,
}

/// `pol diff --format`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum DiffFormat {
    /// For a terminal.
    Human,
    /// `{"policies": [...]}`.
    Json,
    /// Tables for a pull-request comment.
    Markdown,
}

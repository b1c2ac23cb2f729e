//! Policy tests as data (`docs/testing-policies.md`): a YAML file holds `tests:`, each a
//! named case (inline, or a `case_file` beside the test file) and what its decision must
//! be. This module reads them into typed tests, runs them and reports typed results, with
//! rule coverage on request ([`crate::coverage`]); front-ends only render.
//!
//! The format is typed: every key is known (`deny_unknown_fields`, with "did you mean"),
//! every value has its type (a list of names is a list of strings, not "anything"), and
//! every name an expectation uses (a rule, a warning, a form, a fact) is checked against the
//! policy set, so a test cannot pass by saying nothing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use pol_compiler::codes;
use pol_compiler::semantics::PROGRAM_WINDOW;
use pol_compiler::{did_you_mean, Case, Compiled, DecisionKind, DecisionRecord, Scratch};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use crate::cases::{self, CaseProblem};
use crate::coverage::{self, Coverage};
use crate::load::{self, LoadError};

// ---- the format ----

/// A test file: `tests:` and nothing else.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    tests: Vec<TestSpec>,
}

/// One test as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestSpec {
    name: Text,
    #[serde(default)]
    description: Option<Text>,
    /// The case, inline: a mapping in the contract's shape (docs/cases.md).
    #[serde(default)]
    case: Option<serde_json::Value>,
    /// The case, in a file (JSON, YAML or TOML) relative to the test file.
    #[serde(default)]
    case_file: Option<Text>,
    expect: Expect,
}

/// What a test expects of the decision. `decision` is required; every other field is
/// checked only when given (lists as sets, so order does not matter).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub decision: DecisionKind,
    /// Rule ids, `policy.rule` (or `policy.program_window`).
    #[serde(default)]
    pub reasons: Option<Vec<Text>>,
    /// Warning codes (the names of the policy's `warn` rules).
    #[serde(default)]
    pub warnings: Option<Vec<Text>>,
    #[serde(default)]
    pub forms: Option<Vec<Text>>,
    /// Fact paths.
    #[serde(default)]
    pub missing: Option<Vec<Text>>,
    /// Absent: not checked; `null`: no maximum; a number of days.
    #[serde(default, deserialize_with = "present")]
    pub max_validity_days: Option<Option<i64>>,
}

/// The keys of a test and of `expect`, for "did you mean" (serde names them too; these are
/// used when a message does not).
pub const TEST_KEYS: [&str; 5] = ["name", "description", "case", "case_file", "expect"];
pub const EXPECT_KEYS: [&str; 6] =
    ["decision", "reasons", "warnings", "forms", "missing", "max_validity_days"];

/// A string written as a string: a number, a bool or null where a name is expected is an
/// error, not a name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

// ---- tests, read ----

/// One test, read: its name (`file stem::name`), where it is written, its case (or why the
/// case cannot be read) and what it expects.
#[derive(Clone, Debug)]
pub struct PolicyTest {
    /// `advance_parole::daca recipient in removal proceedings`: the file's stem and the
    /// test's name.
    pub name: String,
    pub description: Option<String>,
    /// The test file.
    pub file: PathBuf,
    /// The 1-based line of the test in its file, when it can be found.
    pub line: Option<usize>,
    pub case: Result<Case, Box<CaseProblem>>,
    /// The case file the test reads (`case_file:`), resolved against the test file's
    /// directory; `None` for a case given inline, or a file outside the project (refused).
    pub case_file: Option<PathBuf>,
    pub expect: Expect,
    /// Byte range of the test in its file's text, for placing problems.
    region: (usize, usize),
}

impl PolicyTest {
    /// `file:line` (or the file alone).
    pub fn place(&self) -> String {
        match self.line {
            Some(l) => format!("{}:{l}", self.file.display()),
            None => self.file.display().to_string(),
        }
    }
}

/// The tests of one file.
#[derive(Clone, Debug)]
pub struct TestFile {
    pub path: PathBuf,
    /// The file's text (for showing where problems are).
    pub text: String,
    pub tests: Vec<PolicyTest>,
}

/// Every test found: the files read, and the problems of files that could not be read as
/// test files (each with its place).
#[derive(Clone, Debug, Default)]
pub struct Suite {
    pub files: Vec<TestFile>,
    pub problems: Vec<CaseProblem>,
}

impl Suite {
    /// Every test, in file order.
    pub fn tests(&self) -> impl Iterator<Item = &PolicyTest> {
        self.files.iter().flat_map(|f| f.tests.iter())
    }
}

/// The test files at `paths`: `*.yaml`/`*.yml` files named or found under directories (by
/// the engine's one walker, inside each directory's project), with one problem for each
/// path that cannot be read or file that is refused.
pub fn test_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<LoadError>) {
    let found = load::find(paths, load::Kind::Tests, &load::Confinement::around_all(paths));
    let mut files: Vec<PathBuf> = found.files.into_iter().map(|f| f.path).collect();
    files.sort();
    // Named as people will look for them: relative to where `pol` runs, when they can be.
    let files = files.into_iter().map(|f| PathBuf::from(load::source_name(&f))).collect();
    (files, found.problems)
}

/// Reads every test file at `paths` (files, or directories searched for `*.yaml`); the
/// problems finding them (a path that cannot be read, a file refused), one each.
pub fn load(c: &Compiled, paths: &[PathBuf]) -> Result<Suite, Vec<LoadError>> {
    let (files, problems) = test_files(paths);
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut suite = Suite::default();
    for path in files {
        let (file, problems) = read_file(c, &path);
        suite.files.extend(file);
        suite.problems.extend(problems);
    }
    Ok(suite)
}

/// Reads the tests of one file, and the problems that keep tests from being read, each
/// placed: the file as a whole when it cannot be read or is not a test file, else each
/// test that is not one (an unknown key, a value of the wrong type, a name already
/// taken). The tests that can be read are kept, so one mistake does not hide the others.
pub fn read_file(c: &Compiled, path: &Path) -> (Option<TestFile>, Vec<CaseProblem>) {
    match load::read_text_with(path, load::Reached::Named, crate::limits::TEST_FILE) {
        Ok(text) => read_text(c, path, text),
        Err(e) => {
            let name = path.display().to_string();
            (None, vec![CaseProblem::plain(&name, e.message, Some(e.help))])
        }
    }
}

/// [`read_file`] on the text of the test file at `path` (case files it names are read
/// relative to `path`).
pub fn read_text(c: &Compiled, path: &Path, text: String) -> (Option<TestFile>, Vec<CaseProblem>) {
    let name = path.display().to_string();
    let (specs, mut problems) = match specs(&text) {
        Ok(specs) => (specs, Vec::new()),
        Err(errors) => {
            let problems = errors.into_iter().map(|e| file_problem(&name, &text, e)).collect();
            return (None, problems);
        }
    };
    let stem = path.file_stem().map_or("tests".into(), |s| s.to_string_lossy().to_string());
    let dir = path.parent().unwrap_or(Path::new(""));
    let within = load::Confinement::around(path);
    let mut seen = BTreeSet::new();
    let mut tests = Vec::new();
    for (place, spec) in specs {
        let region = place.unwrap_or((0, text.len()));
        let t = match spec {
            Ok(t) => t,
            Err(e) => {
                problems.push(file_problem(&name, &text, e));
                continue;
            }
        };
        let line = place.map(|(start, _)| pol_syntax::span::line_col(&text, start).0);
        let at = |key: &str| key_offset(&text, region, key).unwrap_or(region.0);
        if !seen.insert(t.name.0.clone()) {
            problems.push(placed(
                &name,
                &text,
                at("name"),
                format!("two tests are named `{}`", t.name.0),
                "give each test of a file its own name: `pol test --run NAME` and reports find tests by name".into(),
                None,
            ));
            continue;
        }
        // A test names its case file: it may not lead out of the tests' project.
        let case_file = t
            .case_file
            .as_ref()
            .map(|file| dir.join(&file.0))
            .filter(|path| within.contains(path) != Some(false));
        let case = match (t.case, t.case_file) {
            (Some(value), None) => decode_inline(c, &name, &text, region, value),
            (None, Some(file)) => match &case_file {
                Some(path) => read_case_file(c, path),
                None => Err(Box::new(placed(
                    &name,
                    &text,
                    at("case_file"),
                    format!("`{}` lies outside the project", file.0),
                    "a test's case file must lie inside the project".into(),
                    None,
                ))),
            },
            (Some(_), Some(_)) => Err(Box::new(placed(
                &name,
                &text,
                at("case_file"),
                format!("test `{}` has both `case` and `case_file`", t.name.0),
                "give the case inline (`case:`) or in a file (`case_file:`), not both".into(),
                None,
            ))),
            (None, None) => Err(Box::new(placed(
                &name,
                &text,
                region.0,
                format!("test `{}` has neither `case` nor `case_file`", t.name.0),
                "give the case inline (`case: {as_of: ..., policy: ..., ...}`) or in a file (`case_file: ../../examples/cases/x.json`)".into(),
                None,
            ))),
        };
        tests.push(PolicyTest {
            name: format!("{stem}::{}", t.name.0),
            description: t.description.map(|d| d.0),
            file: path.to_path_buf(),
            line,
            case,
            case_file,
            expect: t.expect,
            region,
        });
    }
    let file = TestFile { path: path.to_path_buf(), text, tests };
    (Some(file), problems)
}

/// A YAML error: the reader's message and the byte offset it names.
struct YamlError {
    message: String,
    offset: Option<usize>,
    /// An alias to an anchor the text read does not define.
    unknown_anchor: bool,
}

/// One test as written, or why it is not one; with the byte range it is written in, when
/// the layout tells it.
type Spec = (Option<(usize, usize)>, Result<TestSpec, YamlError>);

/// The tests of a file. When the file does not read as a whole and its first problem lies
/// inside one test of a block list, each test is read on its own, so that every test with
/// a problem is reported and the others still run. Otherwise, or when a test cannot be
/// read alone (an alias to an anchor in another test), the file's first error is all
/// that can be told.
fn specs(text: &str) -> Result<Vec<Spec>, Vec<YamlError>> {
    let first = match parse::<FileSpec>(text) {
        Ok(spec) => {
            let items = Items::of(text).filter(|o| o.starts.len() == spec.tests.len());
            return Ok(spec
                .tests
                .into_iter()
                .enumerate()
                .map(|(i, t)| (items.as_ref().and_then(|o| o.region(i)), Ok(t)))
                .collect());
        }
        Err(e) => e,
    };
    // How many tests the file holds is not known: take the layout's items.
    let Some(items) = Items::of(text) else {
        return Err(vec![first]);
    };
    let regions: Vec<(usize, usize)> =
        (0..items.starts.len()).filter_map(|i| items.region(i)).collect();
    let inside = |at: Option<usize>, (start, end): (usize, usize)| {
        at.is_some_and(|at| start <= at && at < end)
    };
    if !regions.iter().any(|r| inside(first.offset, *r)) {
        return Err(vec![first]);
    }
    let mut specs = Vec::new();
    for region in regions {
        // A list of one, from the start of its line so that its indentation is kept: a
        // block sequence YAML reads alone.
        let line_start = text.get(..region.0).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1);
        let item = text.get(line_start..region.1).unwrap_or("");
        match parse::<Vec<TestSpec>>(item) {
            Ok(mut one) if one.len() == 1 => specs.push((Some(region), Ok(one.remove(0)))),
            Err(mut e) if !e.unknown_anchor => {
                e.offset = e.offset.map(|at| at + line_start);
                specs.push((Some(region), Err(e)));
            }
            _ => return Err(vec![first]),
        }
    }
    Ok(specs)
}

/// Reads YAML with the reader every YAML read in pol uses ([`crate::yaml`]).
fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    crate::yaml::from_str(text).map_err(|e| YamlError {
        offset: crate::yaml::offset(&e, text),
        message: crate::yaml::message(&e),
        unknown_anchor: matches!(e, crate::yaml::Error::UnknownAnchor { .. }),
    })
}

/// A problem with a test file as a whole, from the YAML reader's error: placed where the
/// reader says, with "did you mean" for an unknown key or word.
fn file_problem(file: &str, text: &str, e: YamlError) -> CaseProblem {
    let message = cases::strip_position(&e.message);
    let near_miss = near_miss(&message);
    let (help, suggestion) = match &near_miss {
        Some((_, right)) => (format!("did you mean `{right}`?"), Some(right.clone())),
        None if message.contains("unknown field") => (
            format!(
                "a test holds {}; `expect` holds {}",
                list(&TEST_KEYS),
                list(&EXPECT_KEYS)
            ),
            None,
        ),
        None => (
            "a test file is `tests:`, a list of tests, each with `name`, `case` or `case_file`, and `expect`".into(),
            None,
        ),
    };
    match e.offset {
        Some(at) => placed(file, text, at, message, help, suggestion),
        None => {
            let mut p = CaseProblem::plain(file, message, Some(help));
            p.code = codes::TEST_FILE;
            p.suggestion = suggestion;
            p
        }
    }
}

fn list(keys: &[&str]) -> String {
    let names: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
    names.join(", ")
}

/// For serde's "unknown field `x`, expected one of `a`, `b`" (and "unknown variant"), the
/// word written and the closest one expected.
fn near_miss(message: &str) -> Option<(String, String)> {
    let (_, rest) = message
        .split_once("unknown field `")
        .or_else(|| message.split_once("unknown variant `"))?;
    let (wrong, rest) = rest.split_once('`')?;
    // serde writes "expected one of `a`, `b`" (or "`a` or `b`"); some readers drop the
    // backticks.
    let list = rest.split_once("expected")?.1;
    let list = list.trim_start().trim_start_matches("one of").replace(" or ", ",");
    let expected: Vec<&str> = list
        .split(',')
        .map(|w| w.trim().trim_matches(|c: char| c == '`' || c == '.'))
        .filter(|w| !w.is_empty() && !w.contains(' '))
        .collect();
    let right = did_you_mean(wrong, expected.iter().copied())?;
    Some((wrong.to_string(), right.to_string()))
}

/// A test-file problem at byte `at` of the file's text.
fn placed(
    file: &str,
    text: &str,
    at: usize,
    message: String,
    help: String,
    suggestion: Option<String>,
) -> CaseProblem {
    let at = floor_boundary(text, at);
    let end = text.get(at..).and_then(|rest| rest.find('\n')).map_or(text.len(), |n| at + n);
    let (line, column) = pol_syntax::span::line_col(text, at);
    CaseProblem {
        code: codes::TEST_FILE,
        line: Some(line),
        column: Some(column),
        message,
        help: Some(help),
        suggestion,
        text: text.to_string(),
        span: Some((at, end.saturating_sub(at).max(1).min(text.len() - at))),
        ..CaseProblem::plain(file, String::new(), None)
    }
}

fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Where the tests of the top-level `tests:` list are written, read from the text's layout
/// (block style: each item a `-` at one indentation), so that problems are placed at their
/// test without a second parser.
struct Items {
    /// The byte offset of each item's `-`.
    starts: Vec<usize>,
    /// Where the list ends: the first line indented less than its items, or the text's end.
    end: usize,
}

impl Items {
    /// The items as the layout shows them, however many; `None` when the layout is not a
    /// block list (a flow list), so no line is claimed rather than a wrong one.
    fn of(text: &str) -> Option<Items> {
        let mut starts = Vec::new();
        let mut in_tests = false;
        let mut indent: Option<usize> = None;
        let mut at = 0;
        for line in text.split_inclusive('\n') {
            let start = at;
            at += line.len();
            let body = line.trim_end_matches(['\n', '\r']);
            let trimmed = body.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let this = body.len() - trimmed.len();
            if !in_tests {
                if this == 0 && (trimmed == "tests:" || trimmed.starts_with("tests: #")) {
                    in_tests = true;
                }
                continue;
            }
            let item = trimmed == "-" || trimmed.starts_with("- ");
            match indent {
                None if item => {
                    indent = Some(this);
                    starts.push(start + this);
                }
                Some(i) if item && this == i => starts.push(start + this),
                Some(i) if this < i || (this == i && !item) => {
                    return Some(Items { starts, end: start });
                }
                Some(_) => {}
                None => return None,
            }
        }
        (!starts.is_empty()).then_some(Items { starts, end: text.len() })
    }

    /// The byte range of the `i`th item.
    fn region(&self, i: usize) -> Option<(usize, usize)> {
        let start = *self.starts.get(i)?;
        Some((start, self.starts.get(i + 1).copied().unwrap_or(self.end)))
    }
}

/// The offset of the first `key:` in `region` (at the start of a line, after any `- `).
fn key_offset(text: &str, region: (usize, usize), key: &str) -> Option<usize> {
    let body = text.get(region.0..region.1)?;
    let mut at = region.0;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim_start().trim_start_matches("- ").trim_start();
        let skipped = line.len() - trimmed.len();
        if let Some(rest) = trimmed.strip_prefix(key) {
            if rest.trim_start().starts_with(':') {
                return Some(at + skipped);
            }
        }
        at += line.len();
    }
    None
}

/// Decodes an inline case, placing problems at the field's key within the test.
fn decode_inline(
    c: &Compiled,
    file: &str,
    text: &str,
    region: (usize, usize),
    value: serde_json::Value,
) -> Result<Case, Box<CaseProblem>> {
    let mut case = Case::new(&c.set);
    c.schema
        .decode(&c.set, &mut case, value)
        .map_err(|e| {
            let case_at = key_offset(text, region, "case").unwrap_or(region.0);
            let (field, message, help, suggestion) = match e.case {
                Some(err) => (
                    (!err.field.is_empty()).then(|| err.field.clone()),
                    err.to_string(),
                    err.help.clone(),
                    err.suggestion.clone(),
                ),
                None => (
                    None,
                    cases::strip_position(&e.format.to_string()),
                    Some("a case is a mapping of facts, with `as_of` and `policy`".into()),
                    None,
                ),
            };
            // The field's key inside the test (inline mappings too), else the `case:` line.
            let at = field
                .as_deref()
                .and_then(|f| cases::locate_field(text.get(case_at..region.1)?, f))
                .map_or(case_at, |i| case_at + i);
            let mut p = placed(file, text, at, message, String::new(), suggestion);
            p.code = codes::CASE_FIELD;
            p.field = field;
            p.help = help;
            Box::new(p)
        })
        .map(|()| case)
}

fn read_case_file(c: &Compiled, path: &Path) -> Result<Case, Box<CaseProblem>> {
    let mut read = cases::read_file(c, path);
    match read.pop() {
        Some(r) if read.is_empty() => r.result.map_err(Box::new),
        _ => Err(Box::new(CaseProblem::plain(
            &path.display().to_string(),
            "a test's case file must hold exactly one case".into(),
            Some("use a .json, .yaml or .toml file with one case, not JSON lines".into()),
        ))),
    }
}

// ---- running ----

/// Which tests to run: all, or those whose name contains a pattern (or matches it as a
/// glob, when it has `*` or `?`).
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub pattern: Option<String>,
}

impl Filter {
    pub fn matches(&self, name: &str) -> bool {
        match &self.pattern {
            None => true,
            Some(p) if p.contains(['*', '?']) => glob(p.as_bytes(), name.as_bytes()),
            Some(p) => name.contains(p.as_str()),
        }
    }
}

/// Whether `name` matches the glob `pattern` as a whole (`*` any run, `?` one byte).
fn glob(pattern: &[u8], name: &[u8]) -> bool {
    // The classic two-pointer match with backtracking to the last `*`: linear in practice.
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, n));
                p += 1;
            }
            Some(&c) if c == b'?' || Some(&c) == name.get(n) => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    p = sp + 1;
                    n = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    pattern.get(p..).is_some_and(|rest| rest.iter().all(|c| *c == b'*'))
}

/// A field of the decision a test checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    Decision,
    Reasons,
    Warnings,
    Forms,
    Missing,
    MaxValidityDays,
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::Decision => "decision",
            Field::Reasons => "reasons",
            Field::Warnings => "warnings",
            Field::Forms => "forms",
            Field::Missing => "missing",
            Field::MaxValidityDays => "max_validity_days",
        }
    }
}

/// One field whose value differs from what the test expects. Lists are sorted; a single
/// value is a list of one (`null` for none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    pub field: Field,
    pub expected: Vec<String>,
    pub actual: Vec<String>,
}

/// What running a test found.
#[derive(Clone, Debug)]
pub enum Verdict {
    Pass,
    /// The decision differs from what is expected, field by field.
    Fail(Vec<Difference>),
    /// The test could not be run: its case cannot be read or decided, or an expectation
    /// names a rule, warning, form or fact the policy does not have.
    Error(Box<CaseProblem>),
}

/// A test and what running it found.
#[derive(Clone, Debug)]
pub struct TestResult<'a> {
    pub test: &'a PolicyTest,
    pub verdict: Verdict,
    /// The decision made, when the case could be decided.
    pub record: Option<DecisionRecord>,
}

/// What running a suite found.
#[derive(Clone, Debug)]
pub struct Report<'a> {
    /// The tests run, in file order.
    pub results: Vec<TestResult<'a>>,
    /// Tests the filter left out.
    pub filtered_out: usize,
    /// Rule coverage of the tests run, when asked for.
    pub coverage: Option<Coverage>,
}

impl Report<'_> {
    pub fn passed(&self) -> usize {
        self.count(|v| matches!(v, Verdict::Pass))
    }
    pub fn failed(&self) -> usize {
        self.count(|v| matches!(v, Verdict::Fail(_)))
    }
    pub fn errors(&self) -> usize {
        self.count(|v| matches!(v, Verdict::Error(_)))
    }
    fn count(&self, f: impl Fn(&Verdict) -> bool) -> usize {
        self.results.iter().filter(|r| f(&r.verdict)).count()
    }
}

/// Runs the tests of `suite` that `filter` keeps; with `with_coverage`, also measures which
/// outcomes of each rule the tests' cases reach ([`crate::coverage`]).
pub fn run_suite<'a>(
    c: &Compiled,
    suite: &'a Suite,
    filter: &Filter,
    with_coverage: bool,
) -> Report<'a> {
    let mut scratch = Scratch::default();
    let mut tracker = with_coverage.then(|| coverage::Tracker::new(c));
    let mut results = Vec::new();
    let mut filtered_out = 0;
    for file in &suite.files {
        for test in &file.tests {
            if !filter.matches(&test.name) {
                filtered_out += 1;
                continue;
            }
            let (verdict, record) = run(c, file, test, &mut scratch);
            if let (Some(t), Ok(case), Some(_)) = (tracker.as_mut(), &test.case, &record) {
                t.observe(case);
            }
            results.push(TestResult { test, verdict, record });
        }
    }
    Report { results, filtered_out, coverage: tracker.map(coverage::Tracker::finish) }
}

/// Runs one test of `file`.
pub fn run(
    c: &Compiled,
    file: &TestFile,
    test: &PolicyTest,
    scratch: &mut Scratch,
) -> (Verdict, Option<DecisionRecord>) {
    let case = match &test.case {
        Ok(case) => case,
        Err(e) => return (Verdict::Error(e.clone()), None),
    };
    let outcome = match c.decide(case, scratch) {
        Ok(o) => o,
        Err(e) => {
            let origin = test.place();
            return (Verdict::Error(Box::new(CaseProblem::undecidable(&origin, e))), None);
        }
    };
    let record = c.record(case, &outcome);
    if let Err(problem) = check_names(c, file, test, &record.policy) {
        return (Verdict::Error(problem), Some(record));
    }
    let differences = compare(&test.expect, &record);
    let verdict = if differences.is_empty() { Verdict::Pass } else { Verdict::Fail(differences) };
    (verdict, Some(record))
}

/// Every name an expectation uses must be one the policy has: a misspelt rule would
/// otherwise only ever make the test fail for the wrong reason (or, for an expected-absent
/// name, pass for one).
fn check_names(
    c: &Compiled,
    file: &TestFile,
    test: &PolicyTest,
    policy: &str,
) -> Result<(), Box<CaseProblem>> {
    let Some(def) = c.set.policies.iter().find(|p| p.name == policy) else {
        return Ok(());
    };
    use pol_syntax::ast::RuleKind;
    let reasons: Vec<String> = def
        .rules
        .iter()
        .filter(|r| r.kind != RuleKind::Warn)
        .map(|r| format!("{policy}.{}", r.name))
        .chain(def.window.iter().map(|_| format!("{policy}.{PROGRAM_WINDOW}")))
        .collect();
    let warnings: Vec<String> =
        def.rules.iter().filter(|r| r.kind == RuleKind::Warn).map(|r| r.name.clone()).collect();
    let forms: Vec<String> = def.forms.iter().map(|f| f.form.clone()).collect();
    let facts: Vec<String> = c.set.facts.iter().map(|f| f.path.clone()).collect();
    let e = &test.expect;
    let of_policy = |what: &str| format!("{what} of `{policy}`");
    for (field, given, known, what) in [
        (Field::Reasons, &e.reasons, &reasons, of_policy("a rule")),
        (Field::Warnings, &e.warnings, &warnings, of_policy("a warning")),
        (Field::Forms, &e.forms, &forms, of_policy("a form")),
        (Field::Missing, &e.missing, &facts, "a fact of the policy set".to_string()),
    ] {
        for name in given.iter().flatten() {
            if known.contains(&name.0) {
                continue;
            }
            let suggestion = did_you_mean(&name.0, known.iter().map(String::as_str));
            let help = match suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None if known.is_empty() => format!("`{policy}` has none"),
                None => format!("`{policy}` has: {}", known.join(", ")),
            };
            let at = key_offset(&file.text, test.region, field.name()).unwrap_or(test.region.0);
            return Err(Box::new(placed(
                &file.path.display().to_string(),
                &file.text,
                at,
                format!(
                    "test `{}`: `expect.{}` names `{}`, which is not {what}",
                    test.name,
                    field.name(),
                    name.0
                ),
                help,
                suggestion.map(str::to_string),
            )));
        }
    }
    Ok(())
}

/// The fields of `actual` that differ from what `expect` says.
pub fn compare(expect: &Expect, actual: &DecisionRecord) -> Vec<Difference> {
    let mut out = Vec::new();
    if expect.decision != actual.decision {
        out.push(Difference {
            field: Field::Decision,
            expected: vec![expect.decision.as_str().to_string()],
            actual: vec![actual.decision.as_str().to_string()],
        });
    }
    let reasons: Vec<String> = actual.reasons.iter().map(|r| r.rule.clone()).collect();
    for (field, want, got) in [
        (Field::Reasons, &expect.reasons, &reasons),
        (Field::Warnings, &expect.warnings, &actual.warnings),
        (Field::Forms, &expect.forms, &actual.forms),
        (Field::Missing, &expect.missing, &actual.missing),
    ] {
        let Some(want) = want else { continue };
        let want: BTreeSet<String> = want.iter().map(|t| t.0.clone()).collect();
        let got: BTreeSet<String> = got.iter().cloned().collect();
        if want != got {
            out.push(Difference {
                field,
                expected: want.into_iter().collect(),
                actual: got.into_iter().collect(),
            });
        }
    }
    if let Some(want) = expect.max_validity_days {
        if want != actual.max_validity_days {
            let show = |v: Option<i64>| v.map_or("null".to_string(), |d| d.to_string());
            out.push(Difference {
                field: Field::MaxValidityDays,
                expected: vec![show(want)],
                actual: vec![show(actual.max_validity_days)],
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;

    #[test]
    fn globs_match_whole_names() {
        assert!(glob(b"advance_parole::*daca*", b"advance_parole::a daca case"));
        assert!(!glob(b"advance_parole::*daca", b"advance_parole::a daca case"));
        assert!(glob(b"*::h?b*", b"x::h1b worker"));
        assert!(glob(b"*", b""));
        assert!(!glob(b"a", b""));
        let f = Filter { pattern: Some("daca".into()) };
        assert!(f.matches("advance_parole::a daca case"));
        assert!(!f.matches("chnv_parole::x"));
    }

    #[test]
    fn near_misses_are_read_from_serde_messages() {
        let m = "tests[0].expect: unknown field `decison`, expected one of `decision`, `reasons`";
        assert_eq!(near_miss(m), Some(("decison".to_string(), "decision".to_string())));
        let m = "unknown variant `eligble`, expected one of `unavailable`, `eligible`";
        assert_eq!(near_miss(m).unwrap().1, "eligible");
        let m = "unknown field `decison`, expected one of decision, reasons, warnings";
        assert_eq!(near_miss(m).unwrap().1, "decision");
        let m = "unknown field `warning`, expected `decision` or `warnings`";
        assert_eq!(near_miss(m).unwrap().1, "warnings");
        assert_eq!(near_miss("invalid type: string"), None);
    }

    #[test]
    fn each_test_is_read_alone_only_where_it_can_be() {
        let good = "  - name: a\n    case_file: a.json\n    expect: {decision: eligible}\n";
        let bad = "  - name: b\n    case_file: b.json\n    expect: {decison: eligible}\n";
        // Two mistakes, each in its test; the good test is kept.
        let text = format!("tests:\n{bad}{good}{bad}");
        let Err(first) = parse::<FileSpec>(&text) else { panic!("the file reads") };
        let read = specs(&text).unwrap_or_else(|_| panic!("not read test by test"));
        let errors: Vec<Option<usize>> =
            read.iter().filter_map(|(_, s)| s.as_ref().err().map(|e| e.offset)).collect();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0], first.offset, "the first is the file's own first error");
        assert!(read[1].1.is_ok());
        // A test that reads an anchor of another cannot be read alone: the file's first
        // error is all that is told.
        let anchored = "  - name: c\n    case_file: &f a.json\n    expect: {decision: eligible}\n";
        let alias = "  - name: d\n    case_file: *f\n    expect: {decision: eligible}\n";
        let text = format!("tests:\n{anchored}{alias}{bad}");
        let Err(errors) = specs(&text) else { panic!("read test by test") };
        assert_eq!(errors.len(), 1);
        // A mistake outside the tests' list: the file's error alone.
        let Err(errors) = specs(&format!("tests:\n{good}other: 1\n")) else {
            panic!("read test by test")
        };
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn items_are_found_by_layout() {
        let text = "# c\ntests:\n  - name: a\n    expect: {decision: eligible}\n\n  # x\n  - name: b\n    expect:\n      decision: eligible\n";
        let o = Items::of(text).unwrap();
        assert_eq!(pol_syntax::span::line_col(text, o.starts[0]).0, 3);
        assert_eq!(pol_syntax::span::line_col(text, o.starts[1]).0, 7);
        assert_eq!(o.end, text.len());
        assert!(Items::of("tests: [{name: a}]\n").is_none());
        let zero = "tests:\n- name: a\n- name: b\nother: 1\n";
        let o = Items::of(zero).unwrap();
        assert_eq!(o.starts.len(), 2);
        assert_eq!(&zero[o.region(1).unwrap().0..o.end], "- name: b\n");
    }
}

//! `pol check`: errors and lints for policy files, for people (`human`), for scripts
//! (`json`, one object per line), for code-scanning tools (`sarif`, SARIF 2.1.0), for CI
//! logs (`github` annotations, `junit` XML) and for editors and screen readers (`plain`,
//! one line per diagnostic).

use std::path::{Path, PathBuf};

use pol_compiler::codes::{self, Level};
use pol_compiler::{Compilation, LintLevels, Lints, Source, SourceMap};
use pol_engine::project::Project;
use pol_engine::PolicySource;
use pol_syntax::{Diagnostic, Severity};

use crate::cli::{CheckArgs, FailLevel};
use crate::{emit, out, render, CheckFormat, Exit};

pub fn run(policies: Option<&Path>, args: &CheckArgs) -> Exit {
    if let Some(word) = &args.explain {
        return explain_code(word);
    }
    // The project is read once: for its lint levels and, with no paths, its policy set.
    let cwd = std::env::current_dir().unwrap_or_default();
    let project = match Project::discover(&cwd) {
        Ok(project) => project,
        Err(e) => {
            emit::project_error(&e);
            return Exit::Misuse;
        }
    };
    let levels = match levels(policies, args, project.as_ref(), &cwd) {
        Ok(levels) => levels,
        Err(e) => return e,
    };
    let (lints, level) = (levels.merged(), levels.fail);
    let (paths, format) = (&args.paths, args.format);
    let stdin = paths.iter().any(|p| p.as_os_str() == "-");
    if stdin && paths.len() > 1 {
        emit::error(
            "`-` (standard input) must be the only path",
            Some("check standard input and files in separate runs"),
        );
        return Exit::Misuse;
    }
    let (compilation, roots) = if stdin {
        match from_stdin(lints) {
            Ok(c) => (c, Some(vec!["<stdin>".to_string()])),
            Err(e) => return e,
        }
    } else {
        let source = if paths.is_empty() {
            let source = PolicySource::choose_from(policies, project);
            crate::note_builtin(&source, &cwd);
            source
        } else {
            PolicySource::Paths(paths.to_vec())
        };
        let loaded = pol_engine::load::load(&source, Lints::Run(lints));
        let roots = (!paths.is_empty()).then_some(loaded.roots);
        (loaded.compilation, roots)
    };
    let map = &compilation.sources;
    let mut diags = compilation.diagnostics.clone();
    // A file reached only through an `import` may serve policies that were not loaded, so
    // what is unused there is not known: report that only for the files asked about.
    if let Some(roots) = &roots {
        diags.retain(|d| {
            let whole_set =
                d.code.lint.is_some_and(|l| pol_compiler::lints::WHOLE_SET_LINTS.contains(&l));
            !whole_set || roots.iter().any(|r| r == map.name(d.primary.span.file))
        });
    }
    let fails = |d: &Diagnostic| d.is_error() || level == FailLevel::Warning;
    let text = match format {
        CheckFormat::Human => {
            print_human(&diags, map, &levels);
            String::new()
        }
        CheckFormat::Json => diags
            .iter()
            .filter_map(|d| serde_json::to_string(&render::json(d, map)).ok())
            .map(|line| line + "\n")
            .collect(),
        CheckFormat::Sarif => match serde_json::to_string_pretty(&sarif(&diags, map)) {
            Ok(s) => s + "\n",
            Err(e) => {
                emit::error(&format!("cannot write SARIF: {e}"), None);
                return Exit::Misuse;
            }
        },
        CheckFormat::Github => diags.iter().map(|d| github(d, map)).collect(),
        CheckFormat::Plain => diags.iter().map(|d| plain(d, map)).collect(),
        CheckFormat::Junit => match junit(&diags, map, &fails) {
            Ok(s) => s,
            Err(e) => {
                emit::error(&format!("cannot write JUnit XML: {e}"), None);
                return Exit::Misuse;
            }
        },
    };
    // A failed write is settled in `main` (out.rs): quietly for a closed pipe, else one
    // line and exit 2.
    if !text.is_empty() && out::text(&text).is_err() {
        return Exit::Misuse;
    }
    if diags.iter().any(|d| d.code == codes::POLICY_UNREADABLE) {
        // A path that cannot be read is a misuse, not a finding.
        Exit::Misuse
    } else if diags.iter().any(fails) {
        Exit::BadInput
    } else {
        Exit::Ok
    }
}

/// `pol check -`: standard input compiled as one file named `<stdin>`, its imports read
/// from disk relative to the working directory.
fn from_stdin(lints: LintLevels) -> Result<Compilation, Exit> {
    let limit = pol_engine::limits::POLICY_FILE;
    let bytes = match pol_engine::load::read_limited(std::io::stdin(), 0, limit) {
        Ok(bytes) => bytes,
        Err(pol_engine::load::Limited::TooLarge) => {
            emit::error(
                &format!(
                    "standard input is larger than {}, the most pol reads of a policy file",
                    pol_engine::limits::describe(limit)
                ),
                Some("split the policy into files that import each other"),
            );
            return Err(Exit::Misuse);
        }
        Err(pol_engine::load::Limited::Io(e)) => {
            emit::error(&format!("cannot read standard input: {e}"), None);
            return Err(Exit::Misuse);
        }
    };
    let text = pol_engine::load::text_of(bytes).map_err(|(message, help)| {
        emit::error(&message.replace("the file", "standard input"), Some(&help));
        Exit::BadInput
    })?;
    let source = Source { name: "<stdin>".into(), text };
    Ok(pol_compiler::compile_from(
        vec![source],
        // Imports are read relative to the working directory, and only inside its project.
        &mut pol_engine::load::FileResolver::within(pol_engine::load::Confinement::around(
            Path::new("."),
        )),
        Lints::Run(lints),
    ))
}

/// `pol check --explain CODE`: the code's page, on standard output.
fn explain_code(word: &str) -> Exit {
    let Some(text) = crate::codes_doc::lookup(word).and_then(crate::codes_doc::section) else {
        let help = match crate::codes_doc::closest(word) {
            Some(meant) => format!("did you mean `{meant}`?"),
            None => format!(
                "name a code like `{}` or a lint like `contradiction`",
                codes::CONTRADICTION.id
            ),
        };
        emit::error(&format!("`{word}` is not a diagnostic code or lint"), Some(&help));
        return Exit::Misuse;
    };
    if out::text(&format!("{text}\n")).is_err() {
        return Exit::Misuse;
    }
    Exit::Ok
}

/// The levels of this check, by where they were set.
struct Levels {
    /// The project's `[lints]`, when the files checked are its policies.
    project: LintLevels,
    /// `--allow`, `--warn` and `--deny`, over the project's.
    flags: LintLevels,
    fail: FailLevel,
}

impl Levels {
    fn merged(&self) -> LintLevels {
        self.project.clone().overridden_by(&self.flags)
    }

    /// Why `code` is reported at the level it is, when that is not its default: so that a
    /// warning code reported as an error, say, is not a surprise.
    fn why(&self, code: codes::Code) -> Option<String> {
        let lint = code.lint?;
        let level = self.merged().level(code);
        if level == code.default_level {
            return None;
        }
        // An allowed lint is not reported, so it needs no note.
        let reported = match level.severity()? {
            Severity::Error => "an error",
            Severity::Warning => "a warning",
        };
        let set_by = if self.flags.iter().any(|(n, _)| n == lint) {
            format!("`--{} {lint}` on the command line", level.as_str())
        } else {
            format!("`{lint} = \"{}\"` in the project's pol.toml ([lints])", level.as_str())
        };
        Some(format!("`{lint}` is {reported} here: {set_by}"))
    }
}

/// The lint levels and the fail level of this check: the project's `[lints]` when the
/// files checked are its policies ([`project_levels`]), then `--allow`, `--warn` and
/// `--deny`. `--deny warnings` is `--fail-level warning`, kept for existing scripts.
fn levels(
    policies: Option<&Path>,
    args: &CheckArgs,
    project: Option<&Project>,
    cwd: &Path,
) -> Result<Levels, Exit> {
    let project = project_levels(policies, &args.paths, project, cwd);
    let mut flags = LintLevels::default();
    let mut given: Vec<(&str, &str)> = Vec::new();
    let mut deny_warnings = false;
    for (flag, names, level) in [
        ("--allow", &args.allow, Level::Allow),
        ("--warn", &args.warn, Level::Warn),
        ("--deny", &args.deny, Level::Deny),
    ] {
        for name in names {
            if level == Level::Deny && name == "warnings" {
                deny_warnings = true;
                continue;
            }
            if let Some((_, other)) = given.iter().find(|(n, f)| n == name && f != &flag) {
                emit::error(
                    &format!("`{name}` is given two levels, with `{other}` and `{flag}`"),
                    Some("name each lint once on the command line"),
                );
                return Err(Exit::Misuse);
            }
            given.push((name, flag));
            if let Err(unknown) = flags.set(name, level) {
                let help = match name.as_str() {
                    "warnings" => "`--deny warnings` makes every warning fail the check; to \
                                   silence a lint, name it"
                        .to_string(),
                    _ => unknown.help(),
                };
                emit::error(&format!("`{flag} {name}`: `{name}` is not a lint"), Some(&help));
                return Err(Exit::Misuse);
            }
        }
    }
    let fail = match (args.fail_level, deny_warnings) {
        (Some(level), _) => level,
        (None, true) => FailLevel::Warning,
        (None, false) => FailLevel::Error,
    };
    Ok(Levels { project, flags, fail })
}

/// The levels of the project the working directory lies in, when what is checked is its
/// policy set or files of it: a project's `[lints]` are about its own policies, not about
/// other `.pol` files below its root (test fixtures, examples). Else every lint's default.
fn project_levels(
    policies: Option<&Path>,
    paths: &[PathBuf],
    project: Option<&Project>,
    cwd: &Path,
) -> LintLevels {
    let Some(project) = project else {
        return LintLevels::default();
    };
    let home = crate::canonical(&project.policies);
    let its_own = match paths {
        [] => policies.is_none(),
        paths => paths
            .iter()
            .all(|p| p.as_os_str() != "-" && crate::canonical(&cwd.join(p)).starts_with(&home)),
    };
    if its_own {
        project.lints.clone()
    } else {
        LintLevels::default()
    }
}

/// Reports of one code shown to people at most; the rest are counted in one line (every
/// other format lists them all).
pub const MAX_SHOWN_PER_CODE: usize = 20;

fn print_human(diags: &[Diagnostic], map: &SourceMap, levels: &Levels) {
    let level = levels.fail;
    // Under `--error-format json` every diagnostic is an object, for tools: none is left out.
    let cap = if crate::term::json_errors() { usize::MAX } else { MAX_SHOWN_PER_CODE };
    let mut shown: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for d in diags {
        let n = shown.entry(d.code.id).or_default();
        *n += 1;
        if *n <= cap {
            emit::diagnostic(d, map);
        }
    }
    // Once per lint whose level is not its default, where the level comes from.
    let mut changed: Vec<codes::Code> = diags.iter().map(|d| d.code).collect();
    changed.sort();
    changed.dedup();
    for why in changed.into_iter().filter_map(|c| levels.why(c)) {
        emit::note(&format!("note: {why}\n"));
    }
    for (code, n) in &shown {
        if *n > cap {
            emit::note(&format!(
                "… and {} more like this (pol::{code}); `pol check --format plain` lists them all\n",
                n - cap
            ));
        }
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    // A file that could not be read is in the map, to anchor its error, but was not checked.
    let unreadable: std::collections::BTreeSet<_> = diags
        .iter()
        .filter(|d| d.code == codes::POLICY_UNREADABLE)
        .map(|d| d.primary.span.file)
        .collect();
    let files = map.files.len().saturating_sub(unreadable.len());
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if diags.is_empty() {
        emit::note(&format!("checked {files} file{}: no problems\n", plural(files)));
    } else {
        emit::note(&format!(
            "checked {files} file{}: {errors} error{}, {warnings} warning{}{}\n",
            plural(files),
            plural(errors),
            plural(warnings),
            if level == FailLevel::Warning && warnings > 0 {
                " (warnings fail the check: `--fail-level warning`)"
            } else {
                ""
            }
        ));
    }
}

/// The code as people read it: `E0201`, with the lint's name for a lint (`W0503
/// contradiction`).
fn code_name(d: &Diagnostic) -> String {
    match d.code.lint {
        Some(lint) => format!("{} {lint}", d.code.id),
        None => d.code.id.to_string(),
    }
}

/// The message and, after it, how to fix it.
fn message_with_help(d: &Diagnostic) -> String {
    match &d.help {
        Some(h) => format!("{}\nhelp: {h}", d.message),
        None => d.message.clone(),
    }
}

/// One GitHub Actions workflow command: an annotation on the diagnostic's place.
fn github(d: &Diagnostic, map: &SourceMap) -> String {
    let command = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let (line, col) = map.line_col(d.primary.span);
    let (end_line, end_col) =
        map.line_col(pol_syntax::Span { start: d.primary.span.end, ..d.primary.span });
    format!(
        "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
        github_property(map.name(d.primary.span.file)),
        line.max(1),
        col.max(1),
        end_line.max(line).max(1),
        end_col.max(1),
        github_property(&format!("pol {}", code_name(d))),
        github_data(&message_with_help(d)),
    )
}

/// A workflow command's message: `%`, CR and LF escaped (GitHub's `escapeData`).
fn github_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A workflow command's property value: also `:` and `,` escaped (`escapeProperty`).
fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One line per diagnostic, as GNU tools and compilers write them
/// (`file:line:col: severity[code]: message`), so editors can jump to it and a screen
/// reader reads it in one breath.
fn plain(d: &Diagnostic, map: &SourceMap) -> String {
    let (line, col) = map.line_col(d.primary.span);
    format!(
        "{}:{}:{}: {}[{}]: {}\n",
        render::visible(map.name(d.primary.span.file)),
        line.max(1),
        col.max(1),
        d.severity.as_str(),
        d.code.id,
        render::visible(&d.message.replace('\n', " ")),
    )
}

/// A JUnit XML report: one test suite per file checked, one test case per diagnostic (a
/// failure at or above the fail level, else a passing case that carries the warning), and a
/// passing `no problems` case for a clean file.
fn junit(
    diags: &[Diagnostic],
    map: &SourceMap,
    fails: &dyn Fn(&Diagnostic) -> bool,
) -> Result<String, quick_junit::SerializeError> {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut report = Report::new("pol check");
    for (i, source) in map.files.iter().enumerate() {
        let file = pol_syntax::FileId(i as u32);
        let mut suite = TestSuite::new(source.name.as_str());
        let mine: Vec<&Diagnostic> = diags.iter().filter(|d| d.primary.span.file == file).collect();
        if mine.is_empty() {
            let mut case = TestCase::new("no problems", TestCaseStatus::success());
            case.set_classname(source.name.as_str());
            suite.add_test_case(case);
        }
        for d in mine {
            let (line, col) = map.line_col(d.primary.span);
            let place = format!("{}:{}:{}", source.name, line.max(1), col.max(1));
            let name = format!("{} at {}:{}", code_name(d), line.max(1), col.max(1));
            let text = format!(
                "{place}: {}[{}]: {}",
                d.severity.as_str(),
                d.code.id,
                message_with_help(d)
            );
            let mut case = if fails(d) {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status
                    .set_message(d.message.as_str())
                    .set_type(format!("pol::{}", d.code))
                    .set_description(text);
                TestCase::new(name, status)
            } else {
                let mut case = TestCase::new(name, TestCaseStatus::success());
                case.set_system_out(text);
                case
            };
            case.set_classname(source.name.as_str());
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report.to_string().map(|s| s + "\n")
}

/// The URI of the official SARIF 2.1.0 schema (OASIS, errata 01).
pub const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The diagnostics as a SARIF 2.1.0 log: one run of the `pol` driver, whose rules are every
/// registered code (so `ruleIndex` is the code's place in the registry), and one result
/// per diagnostic. Regions count columns in Unicode code points, as the human output does.
pub fn sarif(diags: &[Diagnostic], map: &SourceMap) -> serde_json::Value {
    let level = |s: pol_syntax::Severity| s.as_str();
    let rules: Vec<serde_json::Value> = codes::ALL
        .iter()
        .map(|c| {
            // A lint that is off until a project turns it on is a rule not enabled.
            let configuration = match c.default_level {
                Level::Allow => serde_json::json!({ "enabled": false, "level": level(c.severity) }),
                Level::Warn | Level::Deny => serde_json::json!({ "level": level(c.severity) }),
            };
            serde_json::json!({
                "id": c.id,
                "name": c.lint.unwrap_or(c.id),
                "shortDescription": { "text": c.summary },
                "defaultConfiguration": configuration,
            })
        })
        .collect();
    let location = |span: pol_syntax::Span, message: &str| {
        let (start_line, start_column) = map.line_col(span);
        let (end_line, end_column) = map.line_col(pol_syntax::Span { start: span.end, ..span });
        serde_json::json!({
            "physicalLocation": {
                "artifactLocation": { "uri": file_uri(map.name(span.file)) },
                "region": {
                    "startLine": start_line.max(1),
                    "startColumn": start_column.max(1),
                    "endLine": end_line.max(start_line).max(1),
                    "endColumn": end_column.max(1),
                },
            },
            "message": { "text": message },
        })
    };
    let results: Vec<serde_json::Value> = diags
        .iter()
        .map(|d| {
            let text = match &d.help {
                Some(h) => format!("{}\nhelp: {h}", d.message),
                None => d.message.clone(),
            };
            let mut result = serde_json::Map::new();
            result.insert("ruleId".into(), d.code.id.into());
            if let Some(i) = codes::ALL.iter().position(|c| *c == d.code) {
                result.insert("ruleIndex".into(), i.into());
            }
            result.insert("level".into(), level(d.severity).into());
            result.insert("message".into(), serde_json::json!({ "text": text }));
            result.insert(
                "locations".into(),
                serde_json::json!([location(d.primary.span, &d.primary.message)]),
            );
            if !d.secondary.is_empty() {
                let related: Vec<serde_json::Value> = d
                    .secondary
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        let mut v = location(l.span, &l.message);
                        if let Some(obj) = v.as_object_mut() {
                            obj.insert("id".into(), i.into());
                        }
                        v
                    })
                    .collect();
                result.insert("relatedLocations".into(), related.into());
            }
            serde_json::Value::Object(result)
        })
        .collect();
    serde_json::json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "pol",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "invocations": [{ "executionSuccessful": true }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

/// A source name as a URI reference: relative names stay relative (to the directory
/// `pol` ran in), absolute paths become `file://` URIs; anything but unreserved
/// characters and `/` is percent-encoded.
fn file_uri(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    if name.starts_with('/') {
        out.push_str("file://");
    }
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::file_uri;

    #[test]
    fn uris_are_encoded() {
        assert_eq!(file_uri("policies/facts.pol"), "policies/facts.pol");
        assert_eq!(file_uri("my policies/a b.pol"), "my%20policies/a%20b.pol");
        assert_eq!(file_uri("/tmp/x.pol"), "file:///tmp/x.pol");
        assert_eq!(file_uri("é.pol"), "%C3%A9.pol");
    }
}

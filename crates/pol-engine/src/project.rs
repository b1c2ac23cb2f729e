//! Policy projects: a `pol.toml` at a project's root names its policy and test
//! directories, and `pol` finds it by walking up from the working directory, as cargo
//! finds `Cargo.toml`.
//!
//! ```toml
//! # pol.toml
//! policies = "policies"        # the .pol files (default: "policies")
//! tests = "tests/policies"     # the policy tests (default: "tests")
//!
//! [lints]                      # lint levels for `pol check` and the editor
//! missing_says = "deny"        # "allow", "warn" or "deny"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pol_compiler::codes::Level;
use pol_compiler::{did_you_mean, LintLevels};
use serde::Deserialize;
use toml::Spanned;

/// The name of a project file.
pub const PROJECT_FILE: &str = "pol.toml";

/// A policy project, found by its `pol.toml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    /// The directory that holds `pol.toml`.
    pub root: PathBuf,
    /// The policy directory (absolute, or relative to where `pol` runs).
    pub policies: PathBuf,
    /// The policy-test directory.
    pub tests: PathBuf,
    /// The levels its `[lints]` table sets.
    pub lints: LintLevels,
}

/// A `pol.toml` that cannot be used: where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectError {
    /// The project file.
    pub file: PathBuf,
    /// The file's text, for showing the place (empty when it could not be read).
    pub text: String,
    /// The byte range at fault, when known.
    pub span: Option<(usize, usize)>,
    pub message: String,
    pub help: String,
}

/// What `pol.toml` may hold.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    policies: Option<String>,
    tests: Option<String>,
    /// Lint name to level, both checked after decoding, so that a misspelling is named
    /// with the word that was meant.
    lints: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
}

const KEYS: [&str; 3] = ["policies", "tests", "lints"];

impl Project {
    /// The project whose `pol.toml` is in `start` or the nearest directory above it.
    pub fn discover(start: &Path) -> Result<Option<Project>, ProjectError> {
        for dir in start.ancestors() {
            let file = dir.join(PROJECT_FILE);
            if file.is_file() {
                return Project::read(&file).map(Some);
            }
        }
        Ok(None)
    }

    /// Reads the project file `file`.
    pub fn read(file: &Path) -> Result<Project, ProjectError> {
        let fail = |text: &str, span, message: String, help: &str| ProjectError {
            file: file.to_path_buf(),
            text: text.to_string(),
            span,
            message,
            help: help.to_string(),
        };
        let text = crate::load::read_text_with(
            file,
            crate::load::Reached::Found,
            crate::limits::PROJECT_FILE,
        )
        .map_err(|e| fail("", None, e.message, "check the file and its permissions"))?;
        let manifest: Manifest = toml::from_str(&text).map_err(|e| {
            let message = e.message().to_string();
            let span = e.span().map(|s| (s.start, s.end));
            // serde names an unknown key; say which key was meant.
            let unknown =
                message.strip_prefix("unknown field `").and_then(|rest| rest.split('`').next());
            let help = match unknown.and_then(|k| did_you_mean(k, KEYS)) {
                Some(key) => format!("did you mean `{key}`?"),
                None => format!(
                    "a project file holds `policies = \"DIR\"`, `tests = \"DIR\"` and a \
                     `[lints]` table (keys: {})",
                    KEYS.join(", ")
                ),
            };
            fail(&text, span, message, &help)
        })?;
        let lints = lint_levels(manifest.lints.unwrap_or_default())
            .map_err(|(span, message, help)| fail(&text, Some(span), message, &help))?;
        let root = file.parent().unwrap_or(Path::new("")).to_path_buf();
        Ok(Project {
            policies: root.join(manifest.policies.as_deref().unwrap_or("policies")),
            tests: root.join(manifest.tests.as_deref().unwrap_or("tests")),
            root,
            lints,
        })
    }

    /// The project file.
    pub fn file(&self) -> PathBuf {
        self.root.join(PROJECT_FILE)
    }
}

/// The `[lints]` table as levels; the first unknown lint or level as its place, the
/// message and the help.
fn lint_levels(
    table: BTreeMap<Spanned<String>, Spanned<String>>,
) -> Result<LintLevels, ((usize, usize), String, String)> {
    let place = |s: std::ops::Range<usize>| (s.start, s.end);
    let mut levels = LintLevels::default();
    // In file order, so that the first mistake reported is the first one written.
    let mut entries: Vec<_> = table.into_iter().collect();
    entries.sort_by_key(|(name, _)| name.span().start);
    for (name, level) in entries {
        let Some(value) = Level::named(level.get_ref()) else {
            let names = Level::ALL.map(Level::as_str);
            let help = match did_you_mean(level.get_ref(), names) {
                Some(meant) => format!("did you mean `\"{meant}\"`?"),
                None => format!("a lint's level is one of {}", quoted(&names)),
            };
            return Err((
                place(level.span()),
                format!("`{}` is not a lint level", level.get_ref()),
                help,
            ));
        };
        if let Err(unknown) = levels.set(name.get_ref(), value) {
            return Err((
                place(name.span()),
                format!("`{}` is not a lint", unknown.name),
                unknown.help(),
            ));
        }
    }
    Ok(levels)
}

/// `"allow"`, `"warn"` or `"deny"`.
fn quoted(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`\"{n}\"`")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("pol-project-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("a/b")).unwrap();
        d
    }

    #[test]
    fn the_nearest_project_file_above_wins() {
        let d = dir("nearest");
        std::fs::write(d.join(PROJECT_FILE), "policies = \"rules\"\n").unwrap();
        let p = Project::discover(&d.join("a/b")).unwrap().unwrap();
        assert_eq!(p.root, d);
        assert_eq!(p.policies, d.join("rules"));
        assert_eq!(p.tests, d.join("tests"));
        std::fs::write(d.join("a").join(PROJECT_FILE), "tests = \"t\"\n").unwrap();
        let p = Project::discover(&d.join("a/b")).unwrap().unwrap();
        assert_eq!(p.root, d.join("a"));
        assert_eq!(p.policies, d.join("a/policies"));
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn a_misspelt_key_is_an_error_naming_the_right_one() {
        let d = dir("misspelt");
        std::fs::write(d.join(PROJECT_FILE), "polices = \"rules\"\n").unwrap();
        let e = Project::discover(&d).unwrap_err();
        assert!(e.message.contains("unknown field `polices`"), "{}", e.message);
        assert_eq!(e.help, "did you mean `policies`?");
        assert_eq!(e.span, Some((0, 7)));
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn the_lints_table_sets_levels() {
        let d = dir("lints");
        std::fs::write(
            d.join(PROJECT_FILE),
            "[lints]\nmissing_says = \"deny\"\nunused = \"allow\"\n",
        )
        .unwrap();
        let p = Project::discover(&d).unwrap().unwrap();
        let set: Vec<_> = p.lints.iter().collect();
        assert_eq!(set, [("missing_says", Level::Deny), ("unused", Level::Allow)]);
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn a_misspelt_lint_or_level_is_an_error_at_its_place() {
        let d = dir("bad-lints");
        let file = d.join(PROJECT_FILE);
        // The text, then the message, the help and the text at the place.
        let cases = [
            (
                "[lints]\nunused = \"allow\"\nmissing_say = \"deny\"\n",
                "`missing_say` is not a lint",
                "did you mean `missing_says`?",
                "missing_say",
            ),
            (
                "[lints]\nunused = \"warning\"\n",
                "`warning` is not a lint level",
                "did you mean `\"warn\"`?",
                "\"warning\"",
            ),
            (
                "[lints]\nunused = \"loud\"\n",
                "`loud` is not a lint level",
                "a lint's level is one of `\"allow\"`, `\"warn\"` or `\"deny\"`",
                "\"loud\"",
            ),
        ];
        for (text, message, help, place) in cases {
            std::fs::write(&file, text).unwrap();
            let e = Project::discover(&d).unwrap_err();
            assert_eq!((e.message.as_str(), e.help.as_str()), (message, help));
            let (start, end) = e.span.unwrap();
            assert_eq!(&text[start..end], place);
        }
        let _ = std::fs::remove_dir_all(d);
    }
}

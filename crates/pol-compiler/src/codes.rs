//! The registry of diagnostic codes. `docs/lints.md` documents every code listed here, and
//! a test keeps the two in step.

use pol_syntax::Severity;

/// A diagnostic code: its stable name, default severity, lint name (for `#[allow]`) and a
/// one-line description.
#[derive(Clone, Copy, Debug)]
pub struct Code {
    pub code: &'static str,
    pub severity: Severity,
    /// The name used in `#[allow(...)]`; only lints (warnings) have one.
    pub lint: Option<&'static str>,
    pub summary: &'static str,
}

const fn error(code: &'static str, summary: &'static str) -> Code {
    Code {
        code,
        severity: Severity::Error,
        lint: None,
        summary,
    }
}

const fn lint(code: &'static str, name: &'static str, summary: &'static str) -> Code {
    Code {
        code,
        severity: Severity::Warning,
        lint: Some(name),
        summary,
    }
}

pub const CODES: &[Code] = &[
    error(
        "E0101",
        "syntax error: the text does not fit the grammar here",
    ),
    error("E0102", "brackets nested too deeply"),
    error("E0103", "a literal (date, integer or string) is malformed"),
    error("E0201", "unknown name, program or imported file"),
    error("E0202", "a name is declared twice"),
    error("E0203", "unknown type"),
    error(
        "E0204",
        "a program or policy has conflicting window declarations",
    ),
    error("E0301", "an expression has the wrong type for its place"),
    error("E0302", "an operation does not apply to these types"),
    error(
        "E0303",
        "an enum word is not a word of the enum it is compared with",
    ),
    error("E0304", "durations in different units are mixed"),
    error("E0305", "an enum has more than 64 words"),
    error("E0306", "a constant depends on the case"),
    error("E0307", "`unless` on a rule that is not an exclusion"),
    error(
        "E0308",
        "a constant's value overflows or leaves the calendar",
    ),
    error("E0401", "a `let` or constant is defined in terms of itself"),
    error("E0402", "definitions or an expression nested too deeply"),
    lint(
        "W0501",
        "unused",
        "a fact, constant, parameter, `let` or program is declared but never used",
    ),
    lint(
        "W0502",
        "missing_citation",
        "a rule, date or dated value has no citation",
    ),
    error(
        "E0601",
        "a case field is unknown, missing or has a value of the wrong type",
    ),
    error(
        "E0602",
        "a case file cannot be read or is not valid JSON, YAML or TOML",
    ),
    error("E0603", "a policy file cannot be read"),
];

pub fn lookup(code: &str) -> Option<&'static Code> {
    CODES.iter().find(|c| c.code == code)
}

//! The registry of diagnostic codes. `docs/lints.md` documents every code listed here, and
//! a test keeps the two in step.

use pol_syntax::Severity;

/// A diagnostic code: its stable name, default severity, lint name (for `#[allow]`) and a
/// one-line description.
#[derive(Clone, Copy, Debug)]
pub struct Code {
    /// `E0303`, `W0501`: never changes once released.
    pub code: &'static str,
    pub severity: Severity,
    /// The name used in `#[allow(...)]`; only lints (warnings) have one.
    pub lint: Option<&'static str>,
    /// One line, as in `docs/lints.md`.
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

/// Every code, in order. Errors are `E`, lints (warnings that `#[allow]` can silence) `W`;
/// the second and third digits name the phase: 01 parsing, 02 names, 03 types, 04 `let`s,
/// 05 lints, 06 case files.
pub const CODES: &[Code] = &[
    error(
        "E0101",
        "syntax error: the text does not fit the grammar here",
    ),
    error("E0102", "brackets nested too deeply"),
    error("E0103", "a literal (date, integer or string) is malformed"),
    error(
        "E0104",
        "internal formatter error: the formatted text would differ in meaning",
    ),
    error("E0201", "unknown name, program or imported file"),
    error("E0202", "a name is declared twice"),
    error("E0203", "unknown type"),
    error(
        "E0204",
        "a program or policy has conflicting window declarations",
    ),
    error("E0205", "an `#[allow]` names a lint that does not exist"),
    error("E0206", "an `#[allow]` gives no reason"),
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
    error(
        "E0309",
        "a constraint's pattern is malformed, or a fact has two patterns",
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
        "a rule, form, validity, date or dated value has no citation",
    ),
    lint(
        "W0503",
        "contradiction",
        "a condition, or a part of one, can never be true",
    ),
    lint(
        "W0504",
        "tautology",
        "a condition, or a part of one, is always true",
    ),
    lint(
        "W0505",
        "redundant",
        "a part of a condition never changes its result",
    ),
    lint(
        "W0506",
        "dead_exception",
        "the `unless` exception of an exclusion can never apply",
    ),
    lint(
        "W0507",
        "duplicate_rule",
        "two rules of a policy decide exactly the same cases",
    ),
    lint(
        "W0508",
        "shadowed_rule",
        "a rule never decides: an earlier level decides every case it applies to",
    ),
    lint(
        "W0509",
        "never_eligible",
        "no case can ever be `eligible` under a policy",
    ),
    lint(
        "W0510",
        "empty_window",
        "a program window closes on or before the day it opens",
    ),
    lint(
        "W0511",
        "parameter_order",
        "the dated values of a parameter are out of date order or share a date",
    ),
    lint("W0512", "unused_allow", "an `#[allow]` silences nothing"),
    lint(
        "W0513",
        "parameter_unset",
        "a policy reads a parameter on dates before its first value",
    ),
    lint(
        "W0514",
        "unsatisfiable_constraint",
        "a case constraint that no case can satisfy",
    ),
    lint(
        "W0515",
        "conflicting_constraints",
        "two case constraints that no case can satisfy together",
    ),
    lint(
        "W0516",
        "inexact_reasoning",
        "a policy's decision relates facts in a way the exact reasoning does not model",
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
    error(
        "E0604",
        "a case's known facts break a constraint of the policies (a value no real case can have)",
    ),
];

/// The registered code `code` (like `W0503`).
pub fn lookup(code: &str) -> Option<&'static Code> {
    CODES.iter().find(|c| c.code == code)
}

/// The lint called `name` (like `contradiction`).
pub fn lint_named(name: &str) -> Option<&'static Code> {
    CODES.iter().find(|c| c.lint == Some(name))
}

/// The names of every lint, in code order.
pub fn lint_names() -> impl Iterator<Item = &'static str> {
    CODES.iter().filter_map(|c| c.lint)
}

/// The lint name of a diagnostic code, if the code is a lint.
pub fn lint_of(code: &str) -> Option<&'static str> {
    lookup(code).and_then(|c| c.lint)
}

//! The registry of diagnostic codes: every code `pol` reports, as a typed constant.
//!
//! A diagnostic carries a [`Code`], never a string, so a code that drifts is a compile
//! error rather than a silent typo; `docs/lints.md` documents every code in [`ALL`], and a
//! test keeps the two in step (another forbids code literals outside this file).
//!
//! The first digit pair after the letter names the phase: `01` parsing, `02` names, `03`
//! types, `04` definitions, `05` lints, `06` input files (cases and policies). `E` codes are
//! errors; `W` codes are lints, warnings that `#[allow(name, reason = "...")]` silences.
//! Each lint has a default [`Level`], which a project (`pol.toml`'s `[lints]`) or
//! `pol check --allow/--warn/--deny` may change.

use std::fmt;

use crate::diagnostic::Severity;

/// A diagnostic code: its stable id, severity, lint name (for `#[allow]`), default level
/// and a one-line summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code {
    /// `E0303`, `W0501`: never changes once released.
    pub id: &'static str,
    /// How a diagnostic of this code is reported when nothing changes its level.
    pub severity: Severity,
    /// The name used in `#[allow(...)]`; only lints have one.
    pub lint: Option<&'static str>,
    /// A lint's level where no project or flag sets one: most lints warn; a few that
    /// only some projects want (a house rule) are off until turned on. `Deny` for errors,
    /// whose level cannot be changed.
    pub default_level: Level,
    /// One line, as in `docs/lints.md`.
    pub summary: &'static str,
}

impl Code {
    /// Whether this code is a lint (a warning that `#[allow]` can silence).
    pub fn is_lint(self) -> bool {
        self.lint.is_some()
    }
}

/// How much a lint matters, as rustc and Cargo's `[lints]` say it: not reported, reported
/// as a warning, or reported as an error (which fails `pol check`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

impl Level {
    /// Every level, from the least to the most severe.
    pub const ALL: [Level; 3] = [Level::Allow, Level::Warn, Level::Deny];

    /// The level called `name` (`allow`, `warn`, `deny`).
    pub fn named(name: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == name)
    }

    /// The level's name, as `pol.toml` and the command line write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }

    /// The severity a diagnostic at this level is reported with; `None` when it is not
    /// reported.
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Allow => None,
            Level::Warn => Some(Severity::Warning),
            Level::Deny => Some(Severity::Error),
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id)
    }
}

const fn error(id: &'static str, summary: &'static str) -> Code {
    Code { id, severity: Severity::Error, lint: None, default_level: Level::Deny, summary }
}

/// A lint that warns unless a project or flag says otherwise.
const fn lint(id: &'static str, name: &'static str, summary: &'static str) -> Code {
    Code { id, severity: Severity::Warning, lint: Some(name), default_level: Level::Warn, summary }
}

/// A lint that is off unless a project or flag turns it on: a house rule some projects
/// keep, not a sign that a policy is wrong.
const fn lint_off_by_default(id: &'static str, name: &'static str, summary: &'static str) -> Code {
    Code { default_level: Level::Allow, ..lint(id, name, summary) }
}

// ---- 01: parsing ----
/// A bug in `pol` itself, never the author's mistake.
pub const INTERNAL: Code = error("E0100", "internal error: a bug in pol, not in the input");
pub const SYNTAX: Code = error("E0101", "syntax error: the text does not fit the grammar here");
pub const NESTING_TOO_DEEP: Code = error("E0102", "brackets nested too deeply");
pub const MALFORMED_LITERAL: Code =
    error("E0103", "a literal (date, integer or string) is malformed");
pub const FORMAT_CHANGED_MEANING: Code =
    error("E0104", "internal formatter error: the formatted text would differ in meaning");

// ---- 02: names ----
pub const UNKNOWN_NAME: Code = error("E0201", "unknown name, program or imported file");
pub const DUPLICATE_NAME: Code = error("E0202", "a name is declared twice");
pub const UNKNOWN_TYPE: Code = error("E0203", "unknown type");
pub const CONFLICTING_WINDOW: Code =
    error("E0204", "a program or policy has conflicting window declarations");
pub const UNKNOWN_LINT: Code = error("E0205", "an `#[allow]` names a lint that does not exist");
pub const ALLOW_WITHOUT_REASON: Code = error("E0206", "an `#[allow]` gives no reason");

// ---- 03: types ----
pub const WRONG_TYPE: Code = error("E0301", "an expression has the wrong type for its place");
pub const OPERATOR_TYPES: Code = error("E0302", "an operation does not apply to these types");
pub const WORD_NOT_IN_ENUM: Code =
    error("E0303", "an enum word is not a word of the enum it is compared with");
pub const UNIT_MISMATCH: Code = error("E0304", "durations in different units are mixed");
pub const ENUM_TOO_LARGE: Code = error("E0305", "an enum has more than 64 words");
pub const CONST_READS_CASE: Code = error("E0306", "a constant depends on the case");
pub const UNLESS_ON_NON_EXCLUSION: Code =
    error("E0307", "`unless` on a rule that is not an exclusion");
pub const CONST_OUT_OF_RANGE: Code =
    error("E0308", "a constant's value overflows or leaves the calendar");
pub const BAD_PATTERN: Code =
    error("E0309", "a constraint's pattern is malformed, or a fact has two patterns");

// ---- 04: definitions ----
pub const DEFINITION_CYCLE: Code =
    error("E0401", "a `let` or constant is defined in terms of itself");
pub const TOO_DEEP: Code = error("E0402", "definitions or an expression nested too deeply");
pub const BAD_SENTENCE: Code =
    error("E0403", "a rule's `says` sentence is empty or spans several lines");

// ---- 05: lints ----
pub const UNUSED: Code = lint(
    "W0501",
    "unused",
    "a fact, constant, parameter, `let` or program is declared but never used",
);
pub const MISSING_CITATION: Code = lint(
    "W0502",
    "missing_citation",
    "a rule, form, validity, date or dated value has no citation",
);
pub const CONTRADICTION: Code =
    lint("W0503", "contradiction", "a condition, or a part of one, can never be true");
pub const TAUTOLOGY: Code =
    lint("W0504", "tautology", "a condition, or a part of one, is always true");
pub const REDUNDANT: Code =
    lint("W0505", "redundant", "a part of a condition never changes its result");
pub const DEAD_EXCEPTION: Code =
    lint("W0506", "dead_exception", "the `unless` exception of an exclusion can never apply");
pub const DUPLICATE_RULE: Code =
    lint("W0507", "duplicate_rule", "two rules of a policy decide exactly the same cases");
pub const SHADOWED_RULE: Code = lint(
    "W0508",
    "shadowed_rule",
    "a rule never decides: an earlier level decides every case it applies to",
);
pub const NEVER_ELIGIBLE: Code =
    lint("W0509", "never_eligible", "no case can ever be `eligible` under a policy");
pub const EMPTY_WINDOW: Code =
    lint("W0510", "empty_window", "a program window closes on or before the day it opens");
pub const PARAMETER_ORDER: Code = lint(
    "W0511",
    "parameter_order",
    "the dated values of a parameter are out of date order or share a date",
);
pub const UNUSED_ALLOW: Code = lint("W0512", "unused_allow", "an `#[allow]` silences nothing");
pub const PARAMETER_UNSET: Code =
    lint("W0513", "parameter_unset", "a policy reads a parameter on dates before its first value");
pub const UNSATISFIABLE_CONSTRAINT: Code =
    lint("W0514", "unsatisfiable_constraint", "a case constraint that no case can satisfy");
pub const CONFLICTING_CONSTRAINTS: Code = lint(
    "W0515",
    "conflicting_constraints",
    "two case constraints that no case can satisfy together",
);
pub const INEXACT_REASONING: Code = lint(
    "W0516",
    "inexact_reasoning",
    "a policy's decision relates facts in a way the exact reasoning does not model",
);
pub const STALE_CITATION_DATE: Code = lint(
    "W0517",
    "stale_citation_date",
    "a citation quotes a date that the cited rule or declaration does not use",
);
pub const MISSING_SAYS: Code =
    lint_off_by_default("W0518", "missing_says", "a rule gives no reason in plain words (`says`)");

// ---- 06: input files ----
pub const CASE_FIELD: Code =
    error("E0601", "a case field is unknown, missing or has a value of the wrong type");
pub const CASE_UNREADABLE: Code =
    error("E0602", "a case file cannot be read or is not valid JSON, YAML or TOML");
pub const POLICY_UNREADABLE: Code = error("E0603", "a policy file cannot be read");
pub const CONSTRAINT_BROKEN: Code = error(
    "E0604",
    "a case's known facts break a constraint of the policies (a value no real case can have)",
);
pub const PROJECT_FILE: Code =
    error("E0605", "a project file (`pol.toml`) cannot be read or holds an unknown key");
pub const TEST_FILE: Code =
    error("E0606", "a policy test file holds an unknown key, a wrong type or an unknown name");

/// Every code, in order.
pub const ALL: &[Code] = &[
    INTERNAL,
    SYNTAX,
    NESTING_TOO_DEEP,
    MALFORMED_LITERAL,
    FORMAT_CHANGED_MEANING,
    UNKNOWN_NAME,
    DUPLICATE_NAME,
    UNKNOWN_TYPE,
    CONFLICTING_WINDOW,
    UNKNOWN_LINT,
    ALLOW_WITHOUT_REASON,
    WRONG_TYPE,
    OPERATOR_TYPES,
    WORD_NOT_IN_ENUM,
    UNIT_MISMATCH,
    ENUM_TOO_LARGE,
    CONST_READS_CASE,
    UNLESS_ON_NON_EXCLUSION,
    CONST_OUT_OF_RANGE,
    BAD_PATTERN,
    DEFINITION_CYCLE,
    TOO_DEEP,
    BAD_SENTENCE,
    UNUSED,
    MISSING_CITATION,
    CONTRADICTION,
    TAUTOLOGY,
    REDUNDANT,
    DEAD_EXCEPTION,
    DUPLICATE_RULE,
    SHADOWED_RULE,
    NEVER_ELIGIBLE,
    EMPTY_WINDOW,
    PARAMETER_ORDER,
    UNUSED_ALLOW,
    PARAMETER_UNSET,
    UNSATISFIABLE_CONSTRAINT,
    CONFLICTING_CONSTRAINTS,
    INEXACT_REASONING,
    STALE_CITATION_DATE,
    MISSING_SAYS,
    CASE_FIELD,
    CASE_UNREADABLE,
    POLICY_UNREADABLE,
    CONSTRAINT_BROKEN,
    PROJECT_FILE,
    TEST_FILE,
];

/// The registered code with id `id` (like `W0503`).
pub fn lookup(id: &str) -> Option<Code> {
    ALL.iter().copied().find(|c| c.id == id)
}

/// The lint called `name` (like `contradiction`).
pub fn lint_named(name: &str) -> Option<Code> {
    ALL.iter().copied().find(|c| c.lint == Some(name))
}

/// The names of every lint, in code order.
pub fn lint_names() -> impl Iterator<Item = &'static str> {
    ALL.iter().filter_map(|c| c.lint)
}

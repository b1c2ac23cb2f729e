//! Case decoding: a serde visitor driven by the compiled fact table writes each value
//! straight into its slot, with no generic JSON tree in between.
//!
//! The format (JSON, YAML, TOML) is the caller's choice of `Deserializer`; this module only
//! knows the shape of a case. Errors carry a structured [`CaseError`] beside serde's own
//! message, so the caller can add the position its format reports.
//!
//! `schema.rs` holds the shape of a case (a tree of field names ending in fact slots);
//! `decode.rs` the serde seeds that walk a document along it.

mod decode;
mod schema;

use std::fmt;

use crate::ir::{FactId, PolicyId, PolicySet};
use crate::value::{Day, Symbol, Tri, Value};

pub use schema::CaseSchema;

/// One case, decoded: its identity, date, policy and a slot per declared fact.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Case {
    pub id: Option<String>,
    pub as_of: Option<Day>,
    pub policy: Option<PolicyId>,
    /// Indexed by [`FactId`]; `None` is unknown.
    pub facts: Vec<Tri>,
    /// Strings the case holds that no policy mentions; `Symbol(n + i)` is `extra[i]` where
    /// `n` is the size of the policy set's string table.
    pub extra_strings: Vec<String>,
}

impl Case {
    pub fn new(set: &PolicySet) -> Case {
        Case { facts: vec![None; set.facts.len()], ..Case::default() }
    }

    /// The text of a string value.
    pub fn string<'a>(&'a self, set: &'a PolicySet, s: Symbol) -> Option<&'a str> {
        let n = set.strings.len();
        let i = s.0 as usize;
        if i < n {
            set.strings.get(i).map(String::as_str)
        } else {
            self.extra_strings.get(i - n).map(String::as_str)
        }
    }

    /// Renders a fact's value for people.
    pub fn show(&self, set: &PolicySet, f: FactId) -> String {
        let Some(def) = set.fact(f) else {
            return "?".into();
        };
        match self.facts.get(f.index()).copied().flatten() {
            None => "unknown".into(),
            Some(Value::Str(s)) => match self.string(set, s) {
                Some(t) => format!("\"{t}\""),
                None => "?".into(),
            },
            Some(v) => set.display(def.ty, v),
        }
    }
}

/// What was wrong with a case, and where in its structure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseError {
    /// Dotted path of the field (`applicant.stauts`), empty for the document itself.
    pub field: String,
    pub message: String,
    pub help: Option<String>,
    /// The closest valid spelling of what was written (a field path, an enum word, a
    /// policy name), for "did you mean" and automatic fixes.
    pub suggestion: Option<String>,
}

impl CaseError {
    /// An error in `field` with a message and help, and no suggestion.
    pub fn new(field: impl Into<String>, message: impl Into<String>, help: Option<String>) -> Self {
        CaseError { field: field.into(), message: message.into(), help, suggestion: None }
    }
}

/// Why a case document could not be decoded: the structured problem when the case's shape
/// was at fault, and the format's own error, which carries the position.
#[derive(Debug)]
pub struct DecodeError<E> {
    /// What the case got wrong (a field, a value), when the format itself was fine.
    pub case: Option<CaseError>,
    /// The deserializer's error: its message and, for most formats, the position.
    pub format: E,
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "field `{}`: {}", self.field, self.message)
        }
    }
}

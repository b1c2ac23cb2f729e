//! The decision object of the contract (CASES.md), exactly as it is printed.

use serde::{Deserialize, Serialize};

use crate::decide::DecisionKind;

/// One decision, as `pol eval --format json` prints it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub policy: String,
    pub as_of: String,
    pub decision: DecisionKind,
    pub reasons: Vec<Reason>,
    pub warnings: Vec<String>,
    pub forms: Vec<String>,
    pub max_validity_days: Option<i64>,
    pub missing: Vec<String>,
}

/// A rule (or program window) that decided the case, with its source and citation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub rule: String,
    pub cite: Option<String>,
    pub file: String,
    pub line: usize,
}

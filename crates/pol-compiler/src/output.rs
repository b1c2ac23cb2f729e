//! The decision object of the contract (docs/cases.md), exactly as it is printed.

use std::io::Write as _;

use serde::{Deserialize, Serialize};

use crate::case::Case;
use crate::decide::{Cause, Outcome};
use crate::ids::IndexVec;
use crate::ir::PolicyId;
use crate::receipt::Receipt;
use crate::semantics::{ClosedBy, DecisionKind};
use crate::value::Day;
use crate::Compiled;

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
    /// The version of `pol` and the digest of the policy set that decided.
    pub receipt: Receipt,
}

/// A rule (or program window) that decided the case, with its source and citation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub rule: String,
    pub cite: Option<String>,
    pub file: String,
    pub line: usize,
    /// The rule's reason in plain words (`says "..."`), where the policy gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub says: Option<String>,
}

/// Writes decision objects as JSON straight from an [`Outcome`], byte for byte what
/// `serde_json::to_string(&compiled.record(case, outcome))` prints, without building the
/// record: every policy name, reason (with its citation and line), warning, form and fact
/// path is rendered once, here, and a decision is written by copying fragments.
///
/// This is what makes JSON output cheap enough for batches of millions of cases; the
/// equivalence with [`Compiled::record`] is tested on generated cases
/// (`tests/it/evaluation.rs`).
pub struct JsonWriter {
    policies: IndexVec<PolicyId, PolicyJson>,
    /// `,"receipt":{...}}`: the end of every decision.
    receipt: String,
    /// Each fact's path as a JSON string.
    facts: Vec<String>,
}

/// The pre-rendered parts of one policy's decisions.
struct PolicyJson {
    /// `"advance_parole"`.
    name: String,
    /// The reason object of the program window, if the policy has one, for each way the
    /// window can keep a case out (by [`ClosedBy`], in declaration order).
    window: [Option<String>; 3],
    /// The reason object of each rule, by rule index.
    reasons: Vec<Option<String>>,
    /// Each rule's name as a JSON string (for warnings).
    names: Vec<String>,
    /// Each form's name as a JSON string.
    forms: Vec<String>,
}

fn json<T: Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

impl JsonWriter {
    pub fn new(c: &Compiled) -> JsonWriter {
        let policies = c
            .set
            .policies
            .iter_enumerated()
            .map(|(p, def)| {
                let case = Case { policy: Some(p), ..Case::default() };
                // One reason at a time, rendered by the record itself: the fragments cannot
                // drift from what `record` prints.
                let reason = |cause: Cause| {
                    let outcome = Outcome { reasons: vec![cause], ..Outcome::default() };
                    c.record(&case, &outcome).reasons.first().map(json)
                };
                PolicyJson {
                    name: json(&def.name),
                    window: [ClosedBy::Opening, ClosedBy::Closing, ClosedBy::Unknown]
                        .map(|by| reason(Cause::ProgramWindow(by))),
                    reasons: (0..def.rules.len()).map(|i| reason(Cause::Rule(i))).collect(),
                    names: def.rules.iter().map(|r| json(&r.name)).collect(),
                    forms: def.forms.iter().map(|f| json(&f.form)).collect(),
                }
            })
            .collect();
        let facts = c.set.facts.iter().map(|f| json(&f.path)).collect();
        JsonWriter { policies, receipt: format!(",\"receipt\":{}}}", json(&c.receipt)), facts }
    }

    /// Appends the decision object for `outcome` (no newline). Returns false, writing
    /// nothing, for a case without a policy (which cannot be decided).
    pub fn write(&self, case: &Case, outcome: &Outcome, out: &mut Vec<u8>) -> bool {
        let Some(p) = case.policy.and_then(|p| self.policies.get(p)) else {
            return false;
        };
        out.push(b'{');
        if let Some(id) = &case.id {
            out.extend_from_slice(b"\"id\":");
            let _ = serde_json::to_writer(&mut *out, id);
            out.push(b',');
        }
        out.extend_from_slice(b"\"policy\":");
        out.extend_from_slice(p.name.as_bytes());
        out.extend_from_slice(b",\"as_of\":\"");
        if let Some(day) = case.as_of {
            write_day(day, out);
        }
        out.extend_from_slice(b"\",\"decision\":\"");
        out.extend_from_slice(outcome.decision.as_str().as_bytes());
        out.extend_from_slice(b"\",\"reasons\":[");
        let reasons = outcome.reasons.iter().filter_map(|cause| match cause {
            Cause::ProgramWindow(by) => p.window.get(*by as usize).and_then(Option::as_ref),
            Cause::Rule(i) => p.reasons.get(*i).and_then(Option::as_ref),
        });
        list(reasons, out);
        out.extend_from_slice(b"],\"warnings\":[");
        list(outcome.warnings.iter().filter_map(|i| p.names.get(*i)), out);
        out.extend_from_slice(b"],\"forms\":[");
        list(outcome.forms.iter().filter_map(|i| p.forms.get(*i)), out);
        out.extend_from_slice(b"],\"max_validity_days\":");
        match outcome.max_validity_days {
            Some(days) => {
                let _ = write!(out, "{days}");
            }
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"missing\":[");
        // In the outcome's order: best question first.
        list(outcome.missing.iter().filter_map(|f| self.facts.get(f.index())), out);
        out.push(b']');
        out.extend_from_slice(self.receipt.as_bytes());
        true
    }
}

/// Comma-separated fragments.
fn list<'a>(items: impl Iterator<Item = &'a String>, out: &mut Vec<u8>) {
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(item.as_bytes());
    }
}

/// `YYYY-MM-DD`, as [`Day`]'s `Display` prints it (Howard Hinnant's `civil_from_days`);
/// years outside 1..=9999 go through `Display` itself.
fn write_day(day: Day, out: &mut Vec<u8>) {
    let z = i64::from(day.0) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    if (1..=9999).contains(&y) {
        let digits =
            [y / 1000, y / 100 % 10, y / 10 % 10, y % 10, -1, m / 10, m % 10, -1, d / 10, d % 10];
        out.extend(digits.iter().map(|n| if *n < 0 { b'-' } else { b'0' + *n as u8 }));
    } else {
        let _ = write!(out, "{day}");
    }
}

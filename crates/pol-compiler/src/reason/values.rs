//! Classes of values as people and JSON see them, and concrete values picked from a class.

use std::fmt;

use serde::Serialize;

use crate::case::Case;
use crate::ir::PolicySet;
use crate::types::Type;
use crate::value::{Day, Symbol, Value};

use super::classes::{Candidate, PartKind, Partition};
use super::cuts::Interval;

/// The values of one class of a fact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueSet {
    Bool(bool),
    /// Enum words.
    Words(Vec<String>),
    /// Set facts: the words the policy tests, and each combination of them the class
    /// holds (the tested words in the set; words the policy never tests do not matter).
    Sets {
        tested: Vec<String>,
        holding: Vec<Vec<String>>,
    },
    /// Strings the policies name, and whether any other string is in the class (with
    /// whether it fits the fact's pattern, when the fact has one).
    Strings {
        named: Vec<String>,
        others: Option<Others>,
    },
    /// Intervals of integers, durations or dates; an absent bound is no bound.
    Ranges(Vec<Range>),
}

/// "Any other string", possibly limited by the fact's pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Others {
    Any,
    Fitting,
    NotFitting,
}

/// An inclusive interval of values, written as the case writes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Range {
    pub from: Option<String>,
    pub to: Option<String>,
}

impl fmt::Display for ValueSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueSet::Bool(b) => write!(f, "{b}"),
            ValueSet::Words(w) => write!(f, "{}", w.join(" or ")),
            ValueSet::Sets { holding, .. } => {
                let combos: Vec<String> = holding
                    .iter()
                    .map(|c| if c.is_empty() { "none of them".to_string() } else { c.join(" + ") })
                    .collect();
                if combos.len() > 4 {
                    write!(
                        f,
                        "{}, or {} more combinations",
                        combos.get(..3).map_or(String::new(), |c| c.join("; ")),
                        combos.len() - 3
                    )
                } else {
                    write!(f, "{}", combos.join("; "))
                }
            }
            ValueSet::Strings { named, others } => {
                let mut parts: Vec<String> = named.iter().map(|s| format!("\"{s}\"")).collect();
                match others {
                    Some(Others::Any) => parts.push("any other string".into()),
                    Some(Others::Fitting) => {
                        parts.push("any other string of the right shape".into())
                    }
                    Some(Others::NotFitting) => parts.push("a string of the wrong shape".into()),
                    None => {}
                }
                write!(f, "{}", parts.join(" or "))
            }
            ValueSet::Ranges(ranges) => {
                let parts: Vec<String> = ranges
                    .iter()
                    .map(|r| match (&r.from, &r.to) {
                        (Some(a), Some(b)) if a == b => a.clone(),
                        (Some(a), Some(b)) => format!("{a} to {b}"),
                        (Some(a), None) => format!("{a} or more"),
                        (None, Some(b)) => format!("{b} or less"),
                        (None, None) => "any value".to_string(),
                    })
                    .collect();
                write!(f, "{}", parts.join(", or "))
            }
        }
    }
}

/// Intervals of dates as a class of values.
pub fn dates(ranges: &[Interval]) -> ValueSet {
    let dom = super::classes::fact_domain(Type::Date);
    ValueSet::Ranges(
        ranges
            .iter()
            .map(|r| Range {
                from: (r.lo > dom.lo).then(|| show(Type::Date, r.lo)),
                to: (r.hi < dom.hi).then(|| show(Type::Date, r.hi)),
            })
            .collect(),
    )
}

/// An ordinal of `ty` as the case writes it.
fn show(ty: Type, v: i64) -> String {
    match ty {
        Type::Date => i32::try_from(v).map_or(v.to_string(), |d| Day(d).to_string()),
        Type::Duration(u) => format!("{v} {}", u.plural()),
        _ => v.to_string(),
    }
}

/// The values of class `class` of a fact of type `ty`.
pub fn describe(set: &PolicySet, ty: Type, part: &Partition, class: u32) -> ValueSet {
    let members: Vec<&Candidate> = part.members(class).collect();
    match (ty, &part.kind) {
        (Type::Bool, _) => {
            ValueSet::Bool(members.iter().any(|m| **m == Candidate::Value(Value::Bool(true))))
        }
        (Type::Enum(e), _) => ValueSet::Words(
            members
                .iter()
                .filter_map(|m| match m {
                    Candidate::Value(Value::Word(w)) => Some(set.word(e, *w).to_string()),
                    _ => None,
                })
                .collect(),
        ),
        (Type::Set(e), PartKind::Sets { words }) => ValueSet::Sets {
            tested: words.iter().map(|w| set.word(e, *w).to_string()).collect(),
            holding: members
                .iter()
                .filter_map(|m| match m {
                    Candidate::Value(Value::Words(bits)) => Some(
                        words
                            .iter()
                            .filter(|w| **w < 64 && bits & (1u64 << **w) != 0)
                            .map(|w| set.word(e, *w).to_string())
                            .collect(),
                    ),
                    _ => None,
                })
                .collect(),
        },
        (Type::Str, _) => {
            let mut named = Vec::new();
            let mut others = None;
            for m in &members {
                match m {
                    Candidate::Value(Value::Str(s)) => {
                        named.push(set.strings.get(s.0 as usize).cloned().unwrap_or_default())
                    }
                    Candidate::OtherString { fits } => {
                        others = Some(match fits {
                            None => Others::Any,
                            Some(true) => Others::Fitting,
                            Some(false) => Others::NotFitting,
                        })
                    }
                    _ => {}
                }
            }
            ValueSet::Strings { named, others }
        }
        (ty, _) => {
            let dom = super::classes::fact_domain(ty);
            // Adjacent intervals of one class read as one.
            let mut ranges: Vec<Interval> = Vec::new();
            for m in &members {
                if let Candidate::Range(r) = m {
                    match ranges.last_mut() {
                        Some(last) if last.hi.checked_add(1) == Some(r.lo) => last.hi = r.hi,
                        _ => ranges.push(*r),
                    }
                }
            }
            ValueSet::Ranges(
                ranges
                    .iter()
                    .map(|r| Range {
                        from: (r.lo > dom.lo).then(|| show(ty, r.lo)),
                        to: (r.hi < dom.hi).then(|| show(ty, r.hi)),
                    })
                    .collect(),
            )
        }
    }
}

/// A value of class `class` as close as the class allows to `current` (the fact's value
/// now, if known): the change a person would make. Strings the policies do not name get a
/// text of their own in `case`.
pub fn pick(
    set: &PolicySet,
    ty: Type,
    part: &Partition,
    class: u32,
    current: Option<Value>,
    pattern: Option<&crate::pattern::Pattern>,
    case: &mut Case,
) -> Option<Value> {
    let members: Vec<&Candidate> = part.members(class).collect();
    match (ty, &part.kind) {
        (Type::Set(_), PartKind::Sets { words }) => {
            let tested = words.iter().filter(|w| **w < 64).fold(0u64, |acc, w| acc | (1u64 << w));
            let now = match current {
                Some(Value::Words(b)) => b,
                _ => 0,
            };
            members
                .iter()
                .filter_map(|m| match m {
                    Candidate::Value(Value::Words(b)) => Some(*b),
                    _ => None,
                })
                .min_by_key(|b| ((b ^ now) & tested).count_ones())
                .map(|b| Value::Words((now & !tested) | b))
        }
        (Type::Str, _) => members.iter().find_map(|m| match m {
            Candidate::Value(v) => Some(*v),
            Candidate::OtherString { fits } => {
                let text = other_string(set, *fits, pattern)?;
                let n = set.strings.len() + case.extra_strings.len();
                case.extra_strings.push(text);
                Some(Value::Str(Symbol(n as u32)))
            }
            _ => None,
        }),
        (Type::Int | Type::Date | Type::Duration(_), _) => {
            let at = current.and_then(Value::ordinal).unwrap_or(0);
            members
                .iter()
                .filter_map(|m| match m {
                    Candidate::Range(r) => Some(at.clamp(r.lo, r.hi.max(r.lo))),
                    _ => None,
                })
                .min_by_key(|v| v.abs_diff(at))
                .and_then(|v| super::cuts::value_of(ty, v))
        }
        _ => members.iter().find_map(|m| match m {
            Candidate::Value(v) => Some(*v),
            _ => None,
        }),
    }
}

/// A text for "any other string": one the policies do not name that fits the pattern (or
/// does not, as asked).
fn other_string(
    set: &PolicySet,
    fits: Option<bool>,
    pattern: Option<&crate::pattern::Pattern>,
) -> Option<String> {
    let named = |s: &str| set.strings.iter().any(|n| n == s);
    let mut candidates: Vec<String> =
        ["ZZ", "XX", "QQ", "other", "?", ""].iter().map(|s| s.to_string()).collect();
    if let Some(p) = pattern {
        let (examples, _) = p.examples(set.strings.len() + 4);
        candidates.splice(0..0, examples);
    }
    candidates.into_iter().find(|c| {
        !named(c)
            && match (fits, pattern) {
                (Some(want), Some(p)) => p.matches(c) == want,
                _ => true,
            }
    })
}

/// A value as a case file writes it, for JSON.
pub fn json(set: &PolicySet, case: &Case, ty: Type, v: Value) -> serde_json::Value {
    use serde_json::Value as J;
    match (ty, v) {
        (_, Value::Bool(b)) => J::Bool(b),
        (_, Value::Int(i)) | (_, Value::Duration(i, _)) => J::from(i),
        (_, Value::Date(d)) => J::String(d.to_string()),
        (_, Value::Str(s)) => J::String(case.string(set, s).unwrap_or("").to_string()),
        (Type::Enum(e), Value::Word(w)) => J::String(set.word(e, w).to_string()),
        (Type::Set(e), Value::Words(bits)) => J::Array(
            (0..64u16)
                .filter(|w| bits & (1u64 << w) != 0)
                .map(|w| J::String(set.word(e, w).to_string()))
                .collect(),
        ),
        (_, v) => J::String(set.display(ty, v)),
    }
}

//! The shape of a case: a tree of field names, built once per policy set from the facts'
//! dotted paths, ending in fact slots (with each fact's type looked up once, here).

use serde::de;

use super::{decode, Case, CaseError, DecodeError};
use crate::ir::{FactId, PolicySet};
use crate::types::Type;

/// The shape of a case: a tree of field names ending in fact slots.
#[derive(Debug)]
pub struct CaseSchema {
    pub(super) root: Group,
    /// Every fact's path and the built-in fields, for "did you mean".
    pub(super) fact_paths: Vec<String>,
    /// The date facts, in declaration order: the ones whose range every case is checked for.
    date_facts: Vec<FactId>,
}

#[derive(Debug, Default)]
pub(super) struct Group {
    pub(super) fields: Vec<Entry>,
}

/// A field of a group: its key, its dotted path from the root (computed once here, so
/// decoding builds no strings), and what it holds.
#[derive(Debug)]
pub(super) struct Entry {
    pub(super) name: String,
    /// `name`'s length and first bytes in one word: most keys are told apart by one integer
    /// comparison, before their bytes are compared.
    pub(super) tag: u64,
    pub(super) path: String,
    pub(super) field: Field,
}

/// A key's length and first seven bytes, as one word.
pub(super) fn tag(key: &str) -> u64 {
    let mut word = [0u8; 8];
    for (w, b) in word.iter_mut().zip(key.bytes().take(7)) {
        *w = b;
    }
    word[7] = key.len().min(255) as u8;
    u64::from_le_bytes(word)
}

impl Group {
    fn push(&mut self, prefix: &str, name: &str, field: Field) {
        let path = if prefix.is_empty() { name.to_string() } else { format!("{prefix}.{name}") };
        self.fields.push(Entry { name: name.to_string(), tag: tag(name), path, field });
    }
}

#[derive(Debug)]
pub(super) enum Field {
    Group(Group),
    /// A fact, with its type (looked up once here rather than for every value).
    Fact(FactId, Type),
    Id,
    AsOf,
    Policy,
}

impl CaseSchema {
    pub fn new(set: &PolicySet) -> CaseSchema {
        let mut root = Group::default();
        root.push("", "id", Field::Id);
        root.push("", "as_of", Field::AsOf);
        root.push("", "policy", Field::Policy);
        for (id, fact) in set.facts.iter_enumerated() {
            let mut group = &mut root;
            // The length of the path of the current group (`applicant` in `applicant.age`).
            let mut end = 0;
            let mut segments = fact.path.split('.').peekable();
            while let Some(seg) = segments.next() {
                let prefix = fact.path.get(..end).unwrap_or("");
                if segments.peek().is_none() {
                    group.push(prefix, seg, Field::Fact(id, fact.ty));
                    break;
                }
                let pos = group
                    .fields
                    .iter()
                    .position(|e| e.name == seg && matches!(e.field, Field::Group(_)));
                let pos = match pos {
                    Some(p) => p,
                    None => {
                        group.push(prefix, seg, Field::Group(Group::default()));
                        group.fields.len() - 1
                    }
                };
                end = if end == 0 { seg.len() } else { end + 1 + seg.len() };
                match group.fields.get_mut(pos) {
                    Some(Entry { field: Field::Group(g), .. }) => group = g,
                    _ => break,
                }
            }
        }
        let mut fact_paths: Vec<String> = set.facts.iter().map(|f| f.path.clone()).collect();
        fact_paths.extend(["id", "as_of", "policy"].map(String::from));
        let date_facts = set
            .facts
            .iter_enumerated()
            .filter(|(_, f)| f.ty == Type::Date)
            .map(|(id, _)| id)
            .collect();
        CaseSchema { root, fact_paths, date_facts }
    }

    /// Decodes one case document from any serde deserializer into `case` (cleared
    /// first, its buffers reused), checking that it has what every case must have.
    pub fn decode<'de, D: de::Deserializer<'de>>(
        &self,
        set: &PolicySet,
        case: &mut Case,
        deserializer: D,
    ) -> Result<(), DecodeError<D::Error>> {
        self.decode_facts(set, case, deserializer)?;
        self.check_required(set, case)
            .map_err(|e| DecodeError { format: de::Error::custom(&e), case: Some(e) })
    }

    /// [`CaseSchema::decode`] without requiring `as_of` and `policy`: a document of facts,
    /// as a partly filled form or a test builds one.
    pub fn decode_facts<'de, D: de::Deserializer<'de>>(
        &self,
        set: &PolicySet,
        case: &mut Case,
        deserializer: D,
    ) -> Result<(), DecodeError<D::Error>> {
        case.facts.clear();
        case.facts.resize(set.facts.len(), None);
        case.id = None;
        case.as_of = None;
        case.policy = None;
        case.extra_strings.clear();
        decode::decode(self, set, case, deserializer)
    }

    /// The date facts, in declaration order.
    pub fn date_facts(&self) -> &[FactId] {
        &self.date_facts
    }

    /// Checks what every case must have once decoded.
    pub fn check_required(&self, set: &PolicySet, case: &Case) -> Result<(), CaseError> {
        if case.as_of.is_none() {
            return Err(CaseError::new(
                "as_of",
                "the case has no `as_of` date",
                Some("add `as_of`, the date the case is decided on, like \"2025-06-10\"".into()),
            ));
        }
        if case.policy.is_none() {
            let names: Vec<&str> = set.policies.iter().map(|p| p.name.as_str()).collect();
            return Err(CaseError::new(
                "policy",
                "the case does not name a `policy`",
                Some(format!("add `policy`, one of: {}", names.join(", "))),
            ));
        }
        Ok(())
    }
}

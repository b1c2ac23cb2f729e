//! Case decoding: a serde visitor driven by the compiled fact table writes each value
//! straight into its slot, with no generic JSON tree in between.
//!
//! The format (JSON, YAML, TOML) is the caller's choice of `Deserializer`; this module only
//! knows the shape of a case. Errors carry a structured [`CaseError`] beside serde's own
//! message, so the caller can add the position its format reports.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use crate::ir::{FactId, PolicyId, PolicySet};
use crate::suggest::did_you_mean;
use crate::types::Type;
use crate::value::{Day, Symbol, Tri, Value};

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
        Case {
            facts: vec![None; set.facts.len()],
            ..Case::default()
        }
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
        CaseError {
            field: field.into(),
            message: message.into(),
            help,
            suggestion: None,
        }
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

/// The shape of a case: a tree of field names ending in fact slots.
#[derive(Debug)]
pub struct CaseSchema {
    root: Group,
    fact_paths: Vec<String>,
}

#[derive(Debug, Default)]
struct Group {
    fields: Vec<Entry>,
}

/// A field of a group: its key, its dotted path from the root (computed once here, so
/// decoding builds no strings), and what it holds.
#[derive(Debug)]
struct Entry {
    name: String,
    /// `name`'s length and first bytes in one word: most keys are told apart by one integer
    /// comparison, before their bytes are compared.
    tag: u64,
    path: String,
    field: Field,
}

/// A key's length and first seven bytes, as one word.
fn tag(key: &str) -> u64 {
    let mut word = [0u8; 8];
    for (w, b) in word.iter_mut().zip(key.bytes().take(7)) {
        *w = b;
    }
    word[7] = key.len().min(255) as u8;
    u64::from_le_bytes(word)
}

impl Group {
    fn push(&mut self, prefix: &str, name: &str, field: Field) {
        let path = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        };
        self.fields.push(Entry {
            name: name.to_string(),
            tag: tag(name),
            path,
            field,
        });
    }
}

#[derive(Debug)]
enum Field {
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
                end = if end == 0 {
                    seg.len()
                } else {
                    end + 1 + seg.len()
                };
                match group.fields.get_mut(pos) {
                    Some(Entry {
                        field: Field::Group(g),
                        ..
                    }) => group = g,
                    _ => break,
                }
            }
        }
        let mut fact_paths: Vec<String> = set.facts.iter().map(|f| f.path.clone()).collect();
        fact_paths.extend(["id", "as_of", "policy"].map(String::from));
        CaseSchema { root, fact_paths }
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
        self.check_required(set, case).map_err(|e| DecodeError {
            format: de::Error::custom(&e),
            case: Some(e),
        })
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
        // serde's error type is the deserializer's; the structured error travels beside it.
        let error = RefCell::new(None);
        let seed = CaseSeed {
            cx: Cx {
                schema: self,
                set,
                case: RefCell::new(case),
                error: &error,
            },
        };
        seed.deserialize(deserializer)
            .map_err(|format| DecodeError {
                case: error.into_inner(),
                format,
            })
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

struct Cx<'a> {
    schema: &'a CaseSchema,
    set: &'a PolicySet,
    case: RefCell<&'a mut Case>,
    error: &'a RefCell<Option<CaseError>>,
}

impl Cx<'_> {
    fn fail<E: de::Error>(&self, field: &str, message: String, help: Option<String>) -> E {
        self.fail_suggesting(field, message, help, None)
    }

    /// [`Cx::fail`], naming the closest valid spelling.
    fn fail_suggesting<E: de::Error>(
        &self,
        field: &str,
        message: String,
        help: Option<String>,
        suggestion: Option<&str>,
    ) -> E {
        let err = CaseError {
            field: field.to_string(),
            message,
            help,
            suggestion: suggestion.map(str::to_string),
        };
        let text = err.to_string();
        // Keep the first error: serde may wrap it as it unwinds.
        let mut slot = self.error.borrow_mut();
        if slot.is_none() {
            *slot = Some(err);
        }
        E::custom(text)
    }
}

/// Decodes a whole case document.
struct CaseSeed<'a> {
    cx: Cx<'a>,
}

impl<'de> DeserializeSeed<'de> for CaseSeed<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        // `any`, not `map`: a document that is not a map is then named by the visitor
        // ("expected a case: a map of facts") in every format, not by the format's parser.
        d.deserialize_any(GroupVisitor {
            cx: &self.cx,
            group: &self.cx.schema.root,
            prefix: "",
        })
    }
}

struct GroupVisitor<'c, 'a> {
    cx: &'c Cx<'a>,
    group: &'a Group,
    /// The group's dotted path, empty for the document.
    prefix: &'a str,
}

/// Which fields of a group have been given: a bit per field (a `Vec` only for groups of
/// more than 64 fields), so a field given twice is caught without allocating.
enum Seen {
    Few(u64),
    Many(Vec<bool>),
}

impl Seen {
    fn new(fields: usize) -> Seen {
        if fields <= 64 {
            Seen::Few(0)
        } else {
            Seen::Many(vec![false; fields])
        }
    }

    /// Marks field `i`; false if it was already marked.
    fn mark(&mut self, i: usize) -> bool {
        match self {
            Seen::Few(bits) => {
                let bit = 1u64 << (i % 64);
                let fresh = *bits & bit == 0;
                *bits |= bit;
                fresh
            }
            Seen::Many(v) => match v.get_mut(i) {
                Some(s) => !std::mem::replace(s, true),
                None => true,
            },
        }
    }
}

impl<'de> Visitor<'de> for GroupVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.prefix.is_empty() {
            write!(f, "a case: a map of facts")
        } else {
            write!(f, "a map of the facts under `{}`", self.prefix)
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = Seen::new(self.group.fields.len());
        while let Some(index) = map.next_key_seed(KeySeed { v: &self })? {
            let Some(entry) = self.group.fields.get(index) else {
                continue;
            };
            let path = entry.path.as_str();
            if !seen.mark(index) {
                return Err(self.cx.fail(
                    path,
                    "this field is given twice".into(),
                    Some("keep one value".into()),
                ));
            }
            match &entry.field {
                Field::Group(g) => map.next_value_seed(GroupSeed {
                    cx: self.cx,
                    group: g,
                    prefix: path,
                })?,
                Field::Fact(f, ty) => map.next_value_seed(ValueSeed {
                    cx: self.cx,
                    fact: *f,
                    ty: *ty,
                    path,
                })?,
                Field::Id => {
                    map.next_value_seed(TextSeed {
                        cx: self.cx,
                        path,
                        kind: Text::Id,
                    })?;
                }
                Field::AsOf => {
                    let invalid = map.next_value_seed(TextSeed {
                        cx: self.cx,
                        path,
                        kind: Text::AsOf,
                    })?;
                    if let Some(text) = invalid {
                        parse_day(self.cx, path, &text)?;
                    }
                }
                Field::Policy => {
                    let unknown = map.next_value_seed(TextSeed {
                        cx: self.cx,
                        path,
                        kind: Text::Policy,
                    })?;
                    if let Some(name) = unknown {
                        return Err(unknown_policy(self.cx, path, &name));
                    }
                }
            }
        }
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

struct GroupSeed<'c, 'a> {
    cx: &'c Cx<'a>,
    group: &'a Group,
    prefix: &'a str,
}

impl<'de> DeserializeSeed<'de> for GroupSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(GroupVisitor {
            cx: self.cx,
            group: self.group,
            prefix: self.prefix,
        })
    }
}

/// Finds a key among a group's fields, or fails with a "did you mean".
struct KeySeed<'v, 'c, 'a> {
    v: &'v GroupVisitor<'c, 'a>,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_, '_, '_> {
    type Value = usize;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_, '_, '_> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<usize, E> {
        let t = tag(key);
        if let Some(i) = self
            .v
            .group
            .fields
            .iter()
            .position(|e| e.tag == t && e.name == key)
        {
            return Ok(i);
        }
        let path = if self.v.prefix.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.v.prefix)
        };
        // The fields of this group (a misspelled group is nearer its own name than any fact
        // under it: `aplicant` means `applicant`, not `applicant.age`), then every fact.
        let here = self.v.group.fields.iter().map(|e| e.path.as_str());
        let candidates = here.chain(self.v.cx.schema.fact_paths.iter().map(String::as_str));
        let suggestion = did_you_mean(&path, candidates);
        let help = match suggestion {
            Some(s) => format!("did you mean `{s}`?"),
            None if self.v.prefix.is_empty() => {
                let here: Vec<String> = self
                    .v
                    .group
                    .fields
                    .iter()
                    .map(|e| format!("`{}`", e.name))
                    .collect();
                format!("a case holds: {}", here.join(", "))
            }
            None => {
                let here: Vec<&str> = self
                    .v
                    .group
                    .fields
                    .iter()
                    .map(|e| e.name.as_str())
                    .collect();
                format!("`{}` has the fields: {}", self.v.prefix, here.join(", "))
            }
        };
        Err(self.v.cx.fail_suggesting(
            &path,
            "no policy declares this field".into(),
            Some(help),
            suggestion,
        ))
    }
}

/// The built-in text fields of a case.
#[derive(Clone, Copy)]
enum Text {
    Id,
    AsOf,
    Policy,
}

/// Reads a built-in text field into the case (`null` leaves it absent). An invalid date or
/// a name that names no policy is returned, for the caller to report once the value has
/// been read: formats place such an error after the value (or, like TOML, at its key).
struct TextSeed<'c, 'a, 'p> {
    cx: &'c Cx<'a>,
    path: &'p str,
    kind: Text,
}

impl TextSeed<'_, '_, '_> {
    fn what(&self) -> &'static str {
        match self.kind {
            Text::Id => "a string",
            Text::AsOf => "a date like \"2025-06-10\"",
            Text::Policy => "a policy name",
        }
    }
}

impl<'de> DeserializeSeed<'de> for TextSeed<'_, '_, '_> {
    type Value = Option<String>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TextSeed<'_, '_, '_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}", self.what())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<String>, E> {
        match self.kind {
            Text::Id => self.cx.case.borrow_mut().id = Some(v.to_string()),
            Text::AsOf => match pol_syntax::date::Date::parse_iso(v) {
                Ok(d) => self.cx.case.borrow_mut().as_of = Some(Day::from_date(d)),
                Err(_) => return Ok(Some(v.to_string())),
            },
            Text::Policy => match self.cx.set.policy(v) {
                Some(p) => self.cx.case.borrow_mut().policy = Some(p),
                None => return Ok(Some(v.to_string())),
            },
        }
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<String>, A::Error> {
        // TOML dates arrive as a one-entry map holding their text.
        let key: Option<String> = map.next_key()?;
        match key.as_deref() {
            Some("$__toml_private_datetime") => {
                let text = map.next_value::<String>()?;
                self.visit_str(&text)
            }
            _ => Err(self.cx.fail(
                self.path,
                format!("expected {}, found a map", self.what()),
                None,
            )),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<String>, E> {
        Err(self.cx.fail(
            self.path,
            format!("expected {}, found the number {v}", self.what()),
            Some("write it in quotes".into()),
        ))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<String>, E> {
        Err(self.cx.fail(
            self.path,
            format!("expected {}, found the number {v}", self.what()),
            Some("write it in quotes".into()),
        ))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Option<String>, E> {
        Err(self.cx.fail(
            self.path,
            format!("expected {}, found `{v}`", self.what()),
            None,
        ))
    }
}

fn unknown_policy<E: de::Error>(cx: &Cx, path: &str, name: &str) -> E {
    let names: Vec<&str> = cx.set.policies.iter().map(|p| p.name.as_str()).collect();
    let suggestion = did_you_mean(name, names.iter().copied());
    let help = match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("the policies are: {}", names.join(", ")),
    };
    cx.fail_suggesting(
        path,
        format!("there is no policy `{name}`"),
        Some(help),
        suggestion,
    )
}

fn parse_day<E: de::Error>(cx: &Cx, path: &str, text: &str) -> Result<Day, E> {
    pol_syntax::date::Date::parse_iso(text)
        .map(Day::from_date)
        .map_err(|why| {
            cx.fail(
                path,
                format!("`{text}` is not a valid date: {why}"),
                Some("dates are written YYYY-MM-DD, like \"2025-06-10\"".into()),
            )
        })
}

/// Decodes one fact's value into its slot.
struct ValueSeed<'c, 'a, 'p> {
    cx: &'c Cx<'a>,
    fact: FactId,
    ty: Type,
    path: &'p str,
}

impl ValueSeed<'_, '_, '_> {
    fn ty(&self) -> Type {
        self.ty
    }

    fn store(&self, v: Value) {
        if let Some(slot) = self.cx.case.borrow_mut().facts.get_mut(self.fact.index()) {
            *slot = Some(v);
        }
    }

    fn mismatch<E: de::Error>(&self, found: String) -> E {
        let ty = self.ty();
        let want = match ty {
            Type::Bool => "`true` or `false`".to_string(),
            Type::Int => "a whole number".to_string(),
            Type::Date => "a date like \"2025-06-10\"".to_string(),
            Type::Duration(u) => format!("a whole number of {}", u.plural()),
            Type::Str => "a string".to_string(),
            Type::Enum(_) => format!("one of the words of `{}`", self.cx.set.type_name(ty)),
            Type::Set(_) => format!(
                "a list of words of `{}`",
                self.cx.set.type_name(ty).trim_start_matches("set of ")
            ),
        };
        let help = match ty {
            Type::Enum(e) | Type::Set(e) => Some(format!(
                "the words are: {}",
                self.cx
                    .set
                    .enums
                    .get(e.index())
                    .map(|d| d.words.join(", "))
                    .unwrap_or_default()
            )),
            _ => None,
        };
        self.cx
            .fail(self.path, format!("expected {want}, found {found}"), help)
    }

    fn word<E: de::Error>(&self, e: crate::ir::EnumId, text: &str) -> Result<u16, E> {
        let Some(def) = self.cx.set.enums.get(e) else {
            return Err(self.mismatch(format!("\"{text}\"")));
        };
        match def.words.iter().position(|w| w == text) {
            Some(i) => Ok(i as u16),
            None => {
                let suggestion = did_you_mean(text, def.words.iter().map(String::as_str));
                let help = match suggestion {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("the words are: {}", def.words.join(", ")),
                };
                Err(self.cx.fail_suggesting(
                    self.path,
                    format!("`{text}` is not a word of `{}`", def.name),
                    Some(help),
                    suggestion,
                ))
            }
        }
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a value of type {}", self.cx.set.type_name(self.ty()))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        match self.ty() {
            Type::Bool => {
                self.store(Value::Bool(v));
                Ok(())
            }
            _ => Err(self.mismatch(format!("`{v}`"))),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        match self.ty() {
            Type::Int => {
                self.store(Value::Int(v));
                Ok(())
            }
            Type::Duration(u) => {
                self.store(Value::Duration(v, u));
                Ok(())
            }
            _ => Err(self.mismatch(format!("the number {v}"))),
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        match i64::try_from(v) {
            Ok(i) => self.visit_i64(i),
            Err(_) => Err(self.cx.fail(
                self.path,
                format!("the number {v} is too large"),
                Some(format!("numbers range up to {}", i64::MAX)),
            )),
        }
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<(), E> {
        match i64::try_from(v) {
            Ok(i) => self.visit_i64(i),
            Err(_) => Err(self.cx.fail(
                self.path,
                format!("the number {v} does not fit in 64 bits"),
                None,
            )),
        }
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<(), E> {
        match i64::try_from(v) {
            Ok(i) => self.visit_i64(i),
            Err(_) => Err(self.cx.fail(
                self.path,
                format!("the number {v} does not fit in 64 bits"),
                None,
            )),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        match self.ty() {
            // A whole number past 64 bits, which a format read as a float (YAML does).
            Type::Int | Type::Duration(_) if v.fract() == 0.0 && v.abs() >= i64::MAX as f64 => {
                Err(self.cx.fail(
                    self.path,
                    format!("the number {v:e} does not fit in 64 bits"),
                    Some(format!("numbers range from {} to {}", i64::MIN, i64::MAX)),
                ))
            }
            Type::Int | Type::Duration(_) => Err(self.cx.fail(
                self.path,
                format!("expected a whole number within 64 bits, found {v}"),
                Some("write a whole number without a decimal point or exponent".into()),
            )),
            _ => Err(self.mismatch(format!("the number {v}"))),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        match self.ty() {
            Type::Date => {
                let day = parse_day(self.cx, self.path, v)?;
                self.store(Value::Date(day));
                Ok(())
            }
            Type::Enum(e) => {
                let w = self.word(e, v)?;
                self.store(Value::Word(w));
                Ok(())
            }
            Type::Str => {
                let set = self.cx.set;
                let sym = match set.strings.iter().position(|s| s == v) {
                    Some(i) => Symbol(i as u32),
                    None => {
                        let mut case = self.cx.case.borrow_mut();
                        let i = match case.extra_strings.iter().position(|s| s == v) {
                            Some(i) => i,
                            None => {
                                case.extra_strings.push(v.to_string());
                                case.extra_strings.len() - 1
                            }
                        };
                        Symbol((set.strings.len() + i) as u32)
                    }
                };
                self.store(Value::Str(sym));
                Ok(())
            }
            _ => Err(self.mismatch(format!("\"{v}\""))),
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        // `null` states explicitly that the fact is unknown.
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Type::Set(e) = self.ty() else {
            return Err(self.mismatch("a list".into()));
        };
        let mut bits = 0u64;
        while let Some(word) = seq.next_element_seed(WordSeed { v: &self, e })? {
            bits |= 1u64 << word.min(63);
        }
        self.store(Value::Words(bits));
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let key: Option<String> = map.next_key()?;
        match (key.as_deref(), self.ty()) {
            (Some("$__toml_private_datetime"), Type::Date) => {
                let text: String = map.next_value()?;
                let day = parse_day(self.cx, self.path, &text)?;
                self.store(Value::Date(day));
                Ok(())
            }
            _ => Err(self.mismatch("a map".into())),
        }
    }
}

struct WordSeed<'v, 'c, 'a, 'p> {
    v: &'v ValueSeed<'c, 'a, 'p>,
    e: crate::ir::EnumId,
}

impl<'de> DeserializeSeed<'de> for WordSeed<'_, '_, '_, '_> {
    type Value = u16;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<u16, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for WordSeed<'_, '_, '_, '_> {
    type Value = u16;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a word")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<u16, E> {
        self.v.word(self.e, v)
    }
}

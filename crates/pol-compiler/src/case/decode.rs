//! The serde seeds that decode a case document along its schema, writing each value
//! straight into its slot. Each seed knows one kind of field (a group, a built-in text
//! field, a fact's value); the two that read a single string and look it up (a field name,
//! an enum word) share their scaffolding through [`Lookup`].

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use super::schema::{tag, CaseSchema, Field, Group};
use super::{Case, CaseError, DecodeError};
use crate::ir::{EnumId, FactId, PolicySet};
use crate::suggest::did_you_mean;
use crate::types::Type;
use crate::value::{Day, Symbol, Value};

/// Decodes one document into `case` (already cleared), keeping the first structured error
/// beside the format's own.
pub(super) fn decode<'de, D: de::Deserializer<'de>>(
    schema: &CaseSchema,
    set: &PolicySet,
    case: &mut Case,
    deserializer: D,
) -> Result<(), DecodeError<D::Error>> {
    // serde's error type is the deserializer's; the structured error travels beside it.
    let error = RefCell::new(None);
    let cx = Cx { schema, set, case: RefCell::new(case), error: &error };
    // The document is the root group.
    let seed = GroupSeed { cx: &cx, group: &schema.root, prefix: "" };
    seed.deserialize(deserializer)
        .map_err(|format| DecodeError { case: error.into_inner(), format })
}

/// A seed that reads one string (a field name, an enum word) and looks it up: the serde
/// scaffolding is written once, in [`Named`], and each look-up states only what it expects
/// and what it finds.
trait Lookup: Sized {
    type Found;
    /// What the look-up expects, for the format's "invalid type" messages.
    const EXPECTING: &'static str;
    /// Ask the format for any value (`true`), or for a string (field names).
    const ANY: bool;
    fn find<E: de::Error>(self, text: &str) -> Result<Self::Found, E>;
}

/// Reads one string and looks it up with `L`.
struct Named<L>(L);

impl<'de, L: Lookup> DeserializeSeed<'de> for Named<L> {
    type Value = L::Found;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<L::Found, D::Error> {
        if L::ANY {
            d.deserialize_any(self)
        } else {
            d.deserialize_str(self)
        }
    }
}

impl<'de, L: Lookup> Visitor<'de> for Named<L> {
    type Value = L::Found;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(L::EXPECTING)
    }
    fn visit_str<E: de::Error>(self, text: &str) -> Result<L::Found, E> {
        self.0.find(text)
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
        while let Some(index) = map.next_key_seed(Named(KeySeed { v: &self }))? {
            let Some(entry) = self.group.fields.get(index) else {
                continue;
            };
            let path = entry.path.as_str();
            let text = |kind| TextSeed { cx: self.cx, path, kind };
            if !seen.mark(index) {
                return Err(self.cx.fail(
                    path,
                    "this field is given twice".into(),
                    Some("keep one value".into()),
                ));
            }
            match &entry.field {
                Field::Group(g) => {
                    map.next_value_seed(GroupSeed { cx: self.cx, group: g, prefix: path })?
                }
                Field::Fact(f, ty) => {
                    map.next_value_seed(ValueSeed { cx: self.cx, fact: *f, ty: *ty, path })?
                }
                Field::Id => {
                    map.next_value_seed(text(Text::Id))?;
                }
                Field::AsOf => {
                    let invalid = map.next_value_seed(text(Text::AsOf))?;
                    if let Some(text) = invalid {
                        parse_day(self.cx, path, &text)?;
                    }
                }
                Field::Policy => {
                    let unknown = map.next_value_seed(text(Text::Policy))?;
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

/// Decodes a group of fields: the whole document (the root group, `prefix` empty) or the
/// map under a dotted prefix (`applicant`).
struct GroupSeed<'c, 'a> {
    cx: &'c Cx<'a>,
    group: &'a Group,
    prefix: &'a str,
}

impl<'de> DeserializeSeed<'de> for GroupSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        // `any`, not `map`: a document (or group) that is not a map is then named by the
        // visitor ("expected a case: a map of facts") in every format, not by its parser.
        d.deserialize_any(GroupVisitor { cx: self.cx, group: self.group, prefix: self.prefix })
    }
}

/// Finds a key among a group's fields, or fails with a "did you mean".
struct KeySeed<'v, 'c, 'a> {
    v: &'v GroupVisitor<'c, 'a>,
}

impl Lookup for KeySeed<'_, '_, '_> {
    type Found = usize;
    const EXPECTING: &'static str = "a field name";
    const ANY: bool = false;

    fn find<E: de::Error>(self, key: &str) -> Result<usize, E> {
        let t = tag(key);
        if let Some(i) = self.v.group.fields.iter().position(|e| e.tag == t && e.name == key) {
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
                let here: Vec<String> =
                    self.v.group.fields.iter().map(|e| format!("`{}`", e.name)).collect();
                format!("a case holds: {}", here.join(", "))
            }
            None => {
                let here: Vec<&str> = self.v.group.fields.iter().map(|e| e.name.as_str()).collect();
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
            _ => {
                Err(self.cx.fail(self.path, format!("expected {}, found a map", self.what()), None))
            }
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
        Err(self.cx.fail(self.path, format!("expected {}, found `{v}`", self.what()), None))
    }
}

fn unknown_policy<E: de::Error>(cx: &Cx, path: &str, name: &str) -> E {
    let names: Vec<&str> = cx.set.policies.iter().map(|p| p.name.as_str()).collect();
    let suggestion = did_you_mean(name, names.iter().copied());
    let help = match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("the policies are: {}", names.join(", ")),
    };
    cx.fail_suggesting(path, format!("there is no policy `{name}`"), Some(help), suggestion)
}

fn parse_day<E: de::Error>(cx: &Cx, path: &str, text: &str) -> Result<Day, E> {
    pol_syntax::date::Date::parse_iso(text).map(Day::from_date).map_err(|why| {
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
                self.cx.set.enums.get(e).map(|d| d.words.join(", ")).unwrap_or_default()
            )),
            _ => None,
        };
        self.cx.fail(self.path, format!("expected {want}, found {found}"), help)
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

impl ValueSeed<'_, '_, '_> {
    /// A 128-bit number: read as 64 bits when it fits.
    fn wide<E: de::Error, N: Copy + fmt::Display>(self, v: N) -> Result<(), E>
    where
        i64: TryFrom<N>,
    {
        match i64::try_from(v) {
            Ok(i) => self.visit_i64(i),
            Err(_) => Err(self.cx.fail(
                self.path,
                format!("the number {v} does not fit in 64 bits"),
                None,
            )),
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
        self.wide(v)
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<(), E> {
        self.wide(v)
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
        while let Some(word) = seq.next_element_seed(Named(WordSeed { v: &self, e }))? {
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
    e: EnumId,
}

impl Lookup for WordSeed<'_, '_, '_, '_> {
    type Found = u16;
    const EXPECTING: &'static str = "a word";
    const ANY: bool = true;

    fn find<E: de::Error>(self, word: &str) -> Result<u16, E> {
        self.v.word(self.e, word)
    }
}

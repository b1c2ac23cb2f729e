//! What `GET /v1/policies` says of the policy set in force: each policy with its question
//! and the facts it reads (type, doc string, enum words), the set's receipt, and a JSON
//! Schema of a case. Rendered once per set, when it is loaded.

use pol_compiler::ir::{ConstraintKind, FactDef, FactId, PolicySet};
use pol_compiler::types::Type;
use pol_compiler::Compiled;
use pol_engine::Receipt;
use serde::Serialize;
use serde_json::{json, Map, Value};

/// The catalogue document.
#[derive(Serialize)]
struct Catalogue<'a> {
    receipt: &'a Receipt,
    policies: Vec<PolicyInfo<'a>>,
    /// A JSON Schema (draft 2020-12) that every well-formed case satisfies.
    case_schema: Value,
}

#[derive(Serialize)]
struct PolicyInfo<'a> {
    name: &'a str,
    /// The question the policy answers: its doc string.
    question: Option<&'a str>,
    /// The facts its rules, forms, validities and program window read, in declaration
    /// order.
    facts: Vec<FactInfo<'a>>,
}

/// One fact a policy reads. Fields are only ever added: a client ignores what it does not
/// know.
#[derive(Serialize)]
struct FactInfo<'a> {
    /// The dotted path, as a case spells it (`applicant.status`).
    path: &'a str,
    /// `bool`, `integer`, `date`, `duration`, `string`, `enum` or `set`.
    #[serde(rename = "type")]
    ty: &'static str,
    /// For a duration, the unit a case gives it in (`days`).
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<&'static str>,
    /// The fact's doc string: the question in plain words.
    doc: Option<&'a str>,
    /// For an enum, the words it may take; for a set, the words it may hold.
    #[serde(skip_serializing_if = "Option::is_none")]
    words: Option<&'a [String]>,
    /// The case constraints that read the fact: what a valid case keeps (a case breaking
    /// one is refused with E0604).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    constraints: Vec<ConstraintInfo<'a>>,
}

/// A case constraint, as the catalogue shows it.
#[derive(Serialize)]
struct ConstraintInfo<'a> {
    name: &'a str,
    /// The declaration's condition or pattern, as written.
    text: &'a str,
    /// Its citation, or the reason stated with `because`.
    basis: &'a str,
}

/// The catalogue of `c` as JSON text.
pub(crate) fn render(c: &Compiled) -> String {
    let set = &c.set;
    let policies = set
        .policies
        .iter()
        .zip(&c.graphs)
        .map(|(policy, graph)| PolicyInfo {
            name: &policy.name,
            question: policy.doc.as_deref(),
            facts: graph
                .reads
                .iter()
                .filter_map(|id| Some((*id, set.fact(*id)?)))
                .map(|(id, f)| fact_info(c, id, f))
                .collect(),
        })
        .collect();
    let catalogue = Catalogue { receipt: &c.receipt, policies, case_schema: case_schema(set) };
    // Serializing plain data to a string cannot fail; an empty object keeps the route alive
    // if it ever did.
    serde_json::to_string(&catalogue).unwrap_or_else(|_| "{}".into())
}

fn fact_info<'a>(c: &'a Compiled, id: FactId, f: &'a FactDef) -> FactInfo<'a> {
    let set = &c.set;
    let words = |e: pol_compiler::ir::EnumId| set.enums.get(e).map(|d| d.words.as_slice());
    let (ty, unit, words) = match f.ty {
        Type::Bool => ("bool", None, None),
        Type::Int => ("integer", None, None),
        Type::Date => ("date", None, None),
        Type::Duration(u) => ("duration", Some(u.plural()), None),
        Type::Str => ("string", None, None),
        Type::Enum(e) => ("enum", None, words(e)),
        Type::Set(e) => ("set", None, words(e)),
    };
    FactInfo {
        path: &f.path,
        ty,
        unit,
        doc: f.doc.as_deref(),
        words,
        constraints: constraints_of(c, id),
    }
}

/// The constraints that read fact `id`, in declaration order.
fn constraints_of(c: &Compiled, id: FactId) -> Vec<ConstraintInfo<'_>> {
    let cc = &c.constraints;
    let conditions = cc
        .conditions
        .iter()
        .zip(&cc.reads)
        .filter(|(_, reads)| reads.contains(&id))
        .map(|((k, _), _)| *k);
    let patterns = cc.patterns.iter().filter(|(_, fact)| *fact == id).map(|(k, _)| *k);
    let mut ids: Vec<_> = conditions.chain(patterns).collect();
    ids.sort_by_key(|k| k.index());
    ids.into_iter()
        .filter_map(|k| c.set.constraints.get(k))
        .map(|def| ConstraintInfo {
            name: &def.name,
            text: match &def.kind {
                ConstraintKind::Pattern { text, .. } => text,
                ConstraintKind::Condition(e) => c.sources.snippet(e.span),
            },
            basis: def.basis.text(),
        })
        .collect()
}

const DATE_PATTERN: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

/// A JSON Schema of a case of `set`: the built-in fields, then every fact nested by its
/// dotted path. Any fact (and group) may be `null`, which means unknown, as does absence;
/// unknown fields are rejected, as `pol` rejects them.
pub(crate) fn case_schema(set: &PolicySet) -> Value {
    let mut properties = Map::new();
    properties.insert(
        "id".into(),
        json!({"type": ["string", "null"], "description": "optional case identifier, echoed in the decision"}),
    );
    properties.insert(
        "as_of".into(),
        json!({"type": "string", "format": "date", "pattern": DATE_PATTERN,
               "description": "the date the case is decided on"}),
    );
    let names: Vec<&str> = set.policies.iter().map(|p| p.name.as_str()).collect();
    properties
        .insert("policy".into(), json!({"enum": names, "description": "the policy to evaluate"}));
    for f in &set.facts {
        insert_fact(&mut properties, set, f);
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "A case",
        "type": "object",
        "required": ["as_of", "policy"],
        "additionalProperties": false,
        "properties": properties,
    })
}

/// Puts `f`'s schema at its path, creating the groups on the way.
fn insert_fact(root: &mut Map<String, Value>, set: &PolicySet, f: &FactDef) {
    let mut group = root;
    let mut segments = f.path.split('.').peekable();
    while let Some(segment) = segments.next() {
        if segments.peek().is_none() {
            group.insert(segment.to_string(), fact_schema(set, f));
            return;
        }
        let entry = group.entry(segment.to_string()).or_insert_with(
            || json!({"type": ["object", "null"], "additionalProperties": false, "properties": {}}),
        );
        match entry.get_mut("properties").and_then(Value::as_object_mut) {
            Some(properties) => group = properties,
            // A fact and a group of the same name cannot both be declared.
            None => return,
        }
    }
}

fn fact_schema(set: &PolicySet, f: &FactDef) -> Value {
    let words = |e: pol_compiler::ir::EnumId| -> Vec<Value> {
        set.enums
            .get(e)
            .map(|d| d.words.iter().map(|w| Value::from(w.as_str())).collect())
            .unwrap_or_default()
    };
    let mut schema = match f.ty {
        Type::Bool => json!({"type": ["boolean", "null"]}),
        Type::Int => json!({"type": ["integer", "null"]}),
        Type::Duration(_) => json!({"type": ["integer", "null"]}),
        Type::Date => {
            json!({"type": ["string", "null"], "format": "date", "pattern": DATE_PATTERN})
        }
        Type::Str => json!({"type": ["string", "null"]}),
        Type::Enum(e) => {
            let mut w = words(e);
            w.push(Value::Null);
            json!({ "enum": w })
        }
        Type::Set(e) => json!({"type": ["array", "null"], "items": {"enum": words(e)}}),
    };
    let unit = match f.ty {
        Type::Duration(u) => format!("a whole number of {}", u.plural()),
        _ => String::new(),
    };
    let description = match (&f.doc, unit.is_empty()) {
        (Some(doc), true) => doc.clone(),
        (Some(doc), false) => format!("{doc} ({unit})"),
        (None, _) => unit,
    };
    if let (false, Some(object)) = (description.is_empty(), schema.as_object_mut()) {
        object.insert("description".into(), Value::from(description));
    }
    schema
}

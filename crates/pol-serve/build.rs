//! Builds the service's OpenAPI document from the hand-written `src/openapi.base.json`
//! (routes, requests, the service's own objects) and the repository's schemas of the
//! objects `pol` prints: `schemas/decision.schema.json` becomes the `Decision` component
//! and `schemas/explanation.schema.json` the `Explanation` one. The service answers with
//! exactly those objects, so the document states them once, as `pol` does.
//!
//! Each schema is put in whole, with its references rewritten to point into the document
//! (`#/$defs/reason` → `#/components/schemas/Decision/$defs/reason`, and a schema's `$id` →
//! its component): OpenAPI tools resolve `#/components/...` references, while few look for
//! an `$id` embedded in a component. A reference that cannot be rewritten fails the build.

use std::path::PathBuf;

use serde_json::Value;

/// The schemas put in, as (file in `schemas/`, component name).
const EMBEDDED: &[(&str, &str)] =
    &[("decision.schema.json", "Decision"), ("explanation.schema.json", "Explanation")];

fn main() {
    if let Err(message) = build() {
        // `cargo::error` fails the build with this message.
        println!("cargo::error=building the OpenAPI document: {message}");
    }
}

fn build() -> Result<(), String> {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let base = manifest.join("src/openapi.base.json");
    let schemas = manifest.join("../../schemas");
    println!("cargo::rerun-if-changed={}", base.display());
    let mut doc = read(&base)?;
    let mut components = Vec::new();
    for (file, name) in EMBEDDED {
        let path = schemas.join(file);
        println!("cargo::rerun-if-changed={}", path.display());
        let schema = read(&path)?;
        let id = schema
            .get("$id")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{} has no `$id`", path.display()))?
            .to_string();
        components.push((id, *name, schema));
    }
    let ids: Vec<(String, &str)> =
        components.iter().map(|(id, name, _)| (id.clone(), *name)).collect();
    let slots = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        .ok_or("src/openapi.base.json has no `components.schemas`")?;
    for (id, name, mut schema) in components {
        let Value::Object(fields) = &mut schema else {
            return Err(format!("the schema `{id}` is not an object"));
        };
        fields.remove("$schema");
        fields.remove("$id");
        fields.insert(
            "$comment".into(),
            format!("pol's schema `{id}`, with its references pointing into this document").into(),
        );
        rewrite_refs(&mut schema, name, &ids)?;
        if slots.insert(name.to_string(), schema).is_some() {
            return Err(format!("src/openapi.base.json defines `{name}`, which comes from `{id}`"));
        }
    }
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("openapi.json");
    std::fs::write(&out, text + "\n").map_err(|e| format!("cannot write {}: {e}", out.display()))
}

fn read(path: &std::path::Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))
}

/// Points every `$ref` of the component `name` into the document: a local reference
/// (`#/...`) into the component, a reference to an embedded schema's `$id` at its component.
fn rewrite_refs(value: &mut Value, name: &str, ids: &[(String, &str)]) -> Result<(), String> {
    match value {
        Value::Object(fields) => {
            if let Some(Value::String(target)) = fields.get_mut("$ref") {
                *target = rewritten(target, name, ids)?;
            }
            fields.values_mut().try_for_each(|v| rewrite_refs(v, name, ids))
        }
        Value::Array(items) => items.iter_mut().try_for_each(|v| rewrite_refs(v, name, ids)),
        _ => Ok(()),
    }
}

fn rewritten(target: &str, name: &str, ids: &[(String, &str)]) -> Result<String, String> {
    let (resource, pointer) = target.split_once('#').unwrap_or((target, ""));
    let component = if resource.is_empty() {
        name
    } else {
        ids.iter()
            .find(|(id, _)| id == resource)
            .map(|(_, component)| *component)
            .ok_or_else(|| format!("`{name}` refers to `{target}`, which is not put in"))?
    };
    if !(pointer.is_empty() || pointer.starts_with('/')) {
        return Err(format!("`{name}` refers to the anchor `{target}`"));
    }
    Ok(format!("#/components/schemas/{component}{pointer}"))
}

//! The JSON Schemas of `schemas/`, for validating what `pol` and `pol serve` print.

use serde_json::Value;

use crate::{read, root};

/// The JSON Schema `schemas/NAME`.
pub fn schema(name: &str) -> Value {
    let text = read(&root().join("schemas").join(name));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A validator for `schemas/NAME`, with every schema it may refer to known by its `$id`
/// (the explanation refers to the decision by its `$id`); nothing is fetched. Formats
/// (dates, URIs) are validated too.
pub fn validator(name: &str) -> jsonschema::Validator {
    let mut registry = jsonschema::Registry::new();
    for file in ["decision", "case-error", "explanation", "diagnostic"] {
        let s = schema(&format!("{file}.schema.json"));
        let id = s.get("$id").and_then(Value::as_str).unwrap_or_default().to_string();
        registry = registry.add(id, s).unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    let registry = registry.prepare().unwrap_or_else(|e| panic!("the schemas' registry: {e}"));
    jsonschema::options()
        .with_registry(&registry)
        .should_validate_formats(true)
        .build(&schema(name))
        .unwrap_or_else(|e| panic!("{name} does not compile: {e}"))
}

/// `value` is valid against `v`; else fails with every error, naming `what`.
pub fn assert_valid(v: &jsonschema::Validator, what: &str, value: &Value) {
    let errors: Vec<String> =
        v.iter_errors(value).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}\n{value}");
}

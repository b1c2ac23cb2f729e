//! The JSON Schemas of what `pol` reads and writes, built into the binary so that a system
//! that reads `pol`'s output can get the schema of the very version it runs (`pol schema
//! decision`): the objects name their schema by a URN (`"schema": "urn:pol:diagnostic:1"`),
//! which resolves nowhere else. The files are `schemas/` in the repository.

/// One schema: the name `pol schema` takes, what it describes, and its text.
pub struct Schema {
    /// The name on the command line: `decision`, `policy-test`, ...
    pub name: &'static str,
    /// What the schema describes, in a few words.
    pub summary: &'static str,
    /// The schema, as JSON text.
    pub text: &'static str,
}

/// A [`Schema`] named `$name`, read from `schemas/$name.schema.json`.
macro_rules! schema {
    ($name:literal, $summary:literal) => {
        Schema {
            name: $name,
            summary: $summary,
            text: include_str!(concat!("../../../schemas/", $name, ".schema.json")),
        }
    };
}

/// Every schema, in the order `pol schema` lists them.
pub static SCHEMAS: &[Schema] = &[
    schema!("decision", "a decision: `pol eval --format json`, `pol serve`"),
    schema!("case-error", "a case that could not be decided, in its decision's place"),
    schema!("explanation", "why a case got its decision: `pol explain --format json`"),
    schema!("diagnostic", "a diagnostic: `pol check --format json`, `--error-format json`"),
    schema!("policy-test", "a file of policy tests, as `pol test` reads it"),
    schema!("project", "a project file, `pol.toml`"),
];

/// The schema named `name`, if there is one.
pub fn find(name: &str) -> Option<&'static Schema> {
    SCHEMAS.iter().find(|s| s.name == name)
}

/// The names of every schema, for a command line's list of possible values.
pub fn names() -> impl Iterator<Item = &'static str> {
    SCHEMAS.iter().map(|s| s.name)
}

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

/// Every schema, in the order `pol schema` lists them.
pub static SCHEMAS: &[Schema] = &[
    Schema {
        name: "decision",
        summary: "a decision, as `pol eval --format json` prints it and `pol serve` answers",
        text: include_str!("../../../schemas/decision.schema.json"),
    },
    Schema {
        name: "case-error",
        summary: "a case that could not be decided, printed where its decision would stand",
        text: include_str!("../../../schemas/case-error.schema.json"),
    },
    Schema {
        name: "explanation",
        summary: "why a case got its decision, as `pol explain --format json` prints it",
        text: include_str!("../../../schemas/explanation.schema.json"),
    },
    Schema {
        name: "diagnostic",
        summary: "a diagnostic or error, under `pol check --format json` or `--error-format json`",
        text: include_str!("../../../schemas/diagnostic.schema.json"),
    },
    Schema {
        name: "policy-test",
        summary: "a file of policy tests, as `pol test` reads it",
        text: include_str!("../../../schemas/policy-test.schema.json"),
    },
    Schema {
        name: "project",
        summary: "a project file, `pol.toml`",
        text: include_str!("../../../schemas/project.schema.json"),
    },
];

/// The schema named `name`, if there is one.
pub fn find(name: &str) -> Option<&'static Schema> {
    SCHEMAS.iter().find(|s| s.name == name)
}

/// The names of every schema, for a command line's list of possible values.
pub fn names() -> impl Iterator<Item = &'static str> {
    SCHEMAS.iter().map(|s| s.name)
}

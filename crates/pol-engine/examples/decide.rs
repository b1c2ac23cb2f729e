//! Embedding the `pol` engine: load the shipped policies, decide a case given as a JSON
//! string, print the decision.
//!
//! ```sh
//! cargo run -p pol-engine --example decide
//! ```
#![forbid(unsafe_code)]

use std::io::Write;

use pol_engine::{Engine, Format};

/// A Venezuelan TPS holder going to a conference in Canada (a practical example of the
/// sources behind the advance parole policy).
const CASE: &str = r#"{
  "id": "conference-trip",
  "as_of": "2025-06-10",
  "policy": "advance_parole",
  "applicant": {
    "location": "inside_us",
    "nationality": "VE",
    "status": "tps",
    "pending": [],
    "in_removal_proceedings": false,
    "j1_foreign_residence_requirement": false,
    "private_bill_beneficiary": false
  },
  "reason": "education",
  "evidence_submitted": true
}"#;

/// Decides [`CASE`] with the built-in policies and writes the decision as JSON to `out`.
pub fn run(out: &mut dyn Write) -> Result<(), Box<dyn std::error::Error>> {
    let engine = Engine::builtin().map_err(|f| {
        format!("the built-in policies do not compile: {} errors", f.diagnostics.len())
    })?;
    let case = engine.decode(CASE, Format::Json).map_err(|p| format!("bad case: {}", p.message))?;
    let decision = engine.decide(&case).map_err(|p| p.message)?;
    writeln!(out, "{}", serde_json::to_string_pretty(&decision)?)?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    run(&mut std::io::stdout().lock())
}

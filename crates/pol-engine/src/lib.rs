//! The `pol` engine: what every front-end embeds — the `pol` command line, the language
//! server, the decision service, fuzz targets and other Rust programs.
//!
//! It loads a policy set (the built-in one, a project's, a directory, or sources in
//! memory, imports read once through a resolver), decodes cases from JSON, YAML or TOML
//! text or any serde deserializer with positioned errors, decides and explains them, and
//! runs policy tests. The meaning of a decision lives in [`pol_compiler`], which does no
//! I/O; this crate adds files and formats. Rendering, exit codes and flags belong to the
//! front-ends.
//!
//! ```
//! use pol_engine::{Engine, Format};
//!
//! let engine = Engine::builtin().map_err(|f| f.diagnostics.len())?;
//! let case = engine
//!     .decode(
//!         r#"{"as_of": "2025-06-10", "policy": "chnv_parole", "applicant": {"nationality": "HT"}}"#,
//!         Format::Json,
//!     )
//!     .map_err(|p| p.message.len())?;
//! let decision = engine.decide(&case).map_err(|p| p.message.len())?;
//! assert_eq!(decision.decision.as_str(), "unavailable");
//! # Ok::<(), usize>(())
//! ```
#![forbid(unsafe_code)]

pub mod cases;
pub mod coverage;
pub mod diff;
pub mod doc;
pub mod limits;
pub mod lines;
pub mod load;
pub mod project;
pub mod schemas;
pub mod testing;
pub mod watch;
pub mod yaml;

use std::path::Path;

pub use pol_compiler::case::DecodeError;
pub use pol_compiler::explain::Explanation;
pub use pol_compiler::{
    codes, Case, CaseError, Compilation, Compiled, DecisionKind, DecisionRecord, Lints, Outcome,
    Receipt, Resolver, Scratch, Source, SourceMap,
};
pub use pol_syntax::Diagnostic;

pub use cases::{CaseProblem, ErrorInPlace, ErrorObject, Format, ReadCase};
pub use load::{LoadError, Loaded, PolicySource};
pub use project::{Project, ProjectError};

/// A compiled policy set and where it came from, ready to decide and explain cases.
pub struct Engine {
    compiled: Compiled,
    source: PolicySource,
}

/// A policy set that does not compile (or cannot be read): every diagnostic, and the
/// files to show them in.
pub struct Failure {
    pub diagnostics: Vec<Diagnostic>,
    pub sources: SourceMap,
}

impl Failure {
    fn of(compilation: Compilation) -> Failure {
        Failure { diagnostics: compilation.diagnostics, sources: compilation.sources }
    }
}

impl Engine {
    /// Loads and compiles the policy set of `source`, without lints (they never stop a set
    /// from compiling; `pol check` runs them through [`load::load`]).
    pub fn load(source: PolicySource) -> Result<Engine, Failure> {
        let loaded = load::load(&source, Lints::Skip);
        match loaded.compilation.compiled {
            Some(compiled) => Ok(Engine { compiled, source }),
            None => Err(Failure::of(loaded.compilation)),
        }
    }

    /// The shipped policies, compiled into `pol`.
    pub fn builtin() -> Result<Engine, Failure> {
        Engine::load(PolicySource::Builtin)
    }

    /// A policy set from sources in memory; files they import are found through
    /// `resolver` (use [`pol_compiler::NoResolver`] when every file is given).
    pub fn from_sources(
        sources: Vec<Source>,
        resolver: &mut dyn Resolver,
    ) -> Result<Engine, Failure> {
        let compilation = pol_compiler::compile_from(sources, resolver, Lints::Skip);
        match compilation.compiled {
            Some(compiled) => Ok(Engine { compiled, source: PolicySource::Paths(Vec::new()) }),
            None => Err(Failure::of(compilation)),
        }
    }

    /// The compiled set: its policies, facts and the fast paths (`decide_into`,
    /// [`pol_compiler::JsonWriter`]) for loops over many cases.
    pub fn compiled(&self) -> &Compiled {
        &self.compiled
    }

    /// Where the set came from.
    pub fn source(&self) -> &PolicySource {
        &self.source
    }

    /// The version of `pol` and the digest of the policy set, as every decision carries.
    pub fn receipt(&self) -> &Receipt {
        &self.compiled.receipt
    }

    /// Decodes one case document given as text (positions in errors are in `text`).
    pub fn decode(&self, text: &str, format: Format) -> Result<Case, CaseProblem> {
        self.decode_named("<input>", text, format)
    }

    /// [`Engine::decode`], naming the document `name` in problems.
    pub fn decode_named(
        &self,
        name: &str,
        text: &str,
        format: Format,
    ) -> Result<Case, CaseProblem> {
        let mut case = Case::new(&self.compiled.set);
        cases::decode(&self.compiled, name, text, format, &mut case)?;
        Ok(case)
    }

    /// Decodes one case from any serde deserializer (a `serde_json::Value`, a request
    /// body, ...): the structured problem beside the format's own error.
    pub fn decode_from<'de, D: serde::Deserializer<'de>>(
        &self,
        deserializer: D,
    ) -> Result<Case, DecodeError<D::Error>> {
        let mut case = Case::new(&self.compiled.set);
        self.compiled.schema.decode(&self.compiled.set, &mut case, deserializer)?;
        Ok(case)
    }

    /// Reads every case of a file (one per line for JSON lines; `-` is standard input).
    pub fn read_cases(&self, path: &Path) -> Vec<ReadCase> {
        cases::read_file(&self.compiled, path)
    }

    /// Decides a case: the contract's decision object.
    pub fn decide(&self, case: &Case) -> Result<DecisionRecord, CaseProblem> {
        let outcome = self
            .compiled
            .decide(case, &mut Scratch::default())
            .map_err(|e| CaseProblem::undecidable("<case>", e))?;
        Ok(self.compiled.record(case, &outcome))
    }

    /// Decides and explains a case; with `all`, rules that did not matter are included.
    pub fn explain(&self, case: &Case, all: bool) -> Result<Explanation, CaseProblem> {
        self.compiled.explain(case, all).map_err(|e| CaseProblem::undecidable("<case>", e))
    }
}

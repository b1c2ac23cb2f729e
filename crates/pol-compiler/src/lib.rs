//! The `pol` compiler: from policy source to decisions and explanations.
//!
//! Pipeline: source text → AST ([`pol_syntax`]) → typed IR ([`ir::PolicySet`], by
//! [`resolve`]) → evaluation graph per policy ([`graph::PolicyGraph`]) → decision
//! ([`decide`]) and, on request, explanation ([`explain`]).
//!
//! This crate does no I/O: it takes texts and returns values and diagnostics. Reading files,
//! rendering diagnostics and exit codes belong to the CLI.
#![forbid(unsafe_code)]

pub mod case;
pub mod codes;
pub mod decide;
pub mod explain;
pub mod graph;
pub mod ir;
pub mod lints;
mod ops;
pub mod output;
pub mod plan;
pub mod reference;
pub mod resolve;
pub mod source;
mod suggest;
pub mod symbols;
mod typeck;
pub mod types;
pub mod value;

use pol_syntax::{Diagnostic, Span};

pub use case::{Case, CaseError, CaseSchema};
pub use decide::{DecisionKind, Outcome, Scratch};
pub use output::{DecisionRecord, JsonWriter, Reason};
pub use source::{Source, SourceMap};
pub use suggest::did_you_mean;

use crate::decide::{CaseView, Cause};
use crate::graph::{NodeId, PolicyGraph};
use crate::ir::PolicySet;

/// A compiled policy set, ready to decide cases.
pub struct Compiled {
    pub sources: SourceMap,
    pub set: PolicySet,
    /// One graph per policy, indexed like `set.policies`.
    pub graphs: Vec<PolicyGraph>,
    pub schema: CaseSchema,
    pub usage: resolve::Usage,
}

/// The result of compiling: the policy set if there were no errors, and every diagnostic
/// (errors and lint warnings) in source order.
pub struct Compilation {
    pub compiled: Option<Compiled>,
    pub diagnostics: Vec<Diagnostic>,
    /// The files compiled, for rendering the diagnostics.
    pub sources: SourceMap,
    /// Declarations and what each resolved name refers to (for editors), built even when
    /// there are errors.
    pub index: symbols::SymbolIndex,
}

impl Compilation {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses, resolves, type checks, lints and lowers a set of policy files.
pub fn compile(sources: Vec<Source>) -> Compilation {
    compile_with(sources, Lints::Run)
}

/// Whether [`compile_with`] runs the lints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lints {
    Run,
    /// Skip them: for deciding cases, where only errors are shown. Lints never stop a
    /// policy set from compiling, so the result is the same less the lint warnings.
    Skip,
}

/// [`compile`], choosing whether to lint.
pub fn compile_with(sources: Vec<Source>, lints: Lints) -> Compilation {
    let sources = SourceMap::new(sources);
    let mut diagnostics = Vec::new();
    let files: Vec<_> = sources
        .files
        .iter()
        .enumerate()
        .map(
            |(i, s)| match pol_syntax::parse(pol_syntax::FileId(i as u32), &s.text) {
                Ok(f) => Some(f),
                Err(d) => {
                    diagnostics.push(d);
                    None
                }
            },
        )
        .collect();
    let mut resolved = resolve::resolve(&sources, &files);
    diagnostics.append(&mut resolved.diagnostics);
    let index = std::mem::take(&mut resolved.index);
    let failed = diagnostics.iter().any(Diagnostic::is_error);
    if !failed && lints == Lints::Run {
        diagnostics.extend(lints::lint(&resolved.set, &resolved.usage));
    }
    pol_syntax::diagnostic::sort(&mut diagnostics);
    if failed {
        return Compilation {
            compiled: None,
            diagnostics,
            sources,
            index,
        };
    }
    let set = resolved.set;
    let graphs = (0..set.policies.len())
        .filter_map(|i| graph::lower(&set, ir::PolicyId(i as u32)))
        .collect();
    let schema = CaseSchema::new(&set);
    Compilation {
        compiled: Some(Compiled {
            sources: sources.clone(),
            set,
            graphs,
            schema,
            usage: resolved.usage,
        }),
        diagnostics,
        sources,
        index,
    }
}

impl Compiled {
    /// Decides a decoded case. The case must have `as_of` and `policy`
    /// ([`CaseSchema::check_required`]).
    pub fn decide(&self, case: &Case, scratch: &mut Scratch) -> Result<Outcome, CaseError> {
        let mut outcome = Outcome::default();
        self.decide_into(case, scratch, &mut outcome)?;
        Ok(outcome)
    }

    /// Decides a decoded case into `outcome`, reusing its buffers: the form for loops over
    /// many cases, which then allocate nothing per case that Kleene logic decides.
    pub fn decide_into(
        &self,
        case: &Case,
        scratch: &mut Scratch,
        outcome: &mut Outcome,
    ) -> Result<(), CaseError> {
        self.schema.check_required(&self.set, case)?;
        let (Some(policy), Some(as_of)) = (case.policy, case.as_of) else {
            return Err(CaseError {
                field: String::new(),
                message: "incomplete case".into(),
                help: None,
            });
        };
        let g = self.graphs.get(policy.index()).ok_or_else(|| CaseError {
            field: "policy".into(),
            message: "the policy did not compile".into(),
            help: None,
        })?;
        decide::decide_into(
            &self.set,
            g,
            CaseView {
                facts: &case.facts,
                as_of,
            },
            scratch,
            outcome,
        );
        Ok(())
    }

    /// The contract's decision object for an outcome.
    pub fn record(&self, case: &Case, outcome: &Outcome) -> DecisionRecord {
        let policy = case.policy.and_then(|p| self.set.policies.get(p.index()));
        let policy_name = policy.map_or(String::new(), |p| p.name.clone());
        let reason = |cause: &Cause| -> Option<Reason> {
            let p = policy?;
            let (rule, cite, span) = match cause {
                Cause::ProgramWindow => {
                    let w = p.window.as_ref()?;
                    let program = self.set.programs.get(w.program.index());
                    let cite = w
                        .cite
                        .as_ref()
                        .or_else(|| {
                            program.and_then(|p| p.closed.as_ref().and_then(|e| e.cite.as_ref()))
                        })
                        .or_else(|| {
                            program.and_then(|p| p.opened.as_ref().and_then(|e| e.cite.as_ref()))
                        });
                    (
                        "program_window".to_string(),
                        cite.map(|c| c.text.clone()),
                        w.span,
                    )
                }
                Cause::Rule(i) => {
                    let r = p.rules.get(*i)?;
                    (
                        r.name.clone(),
                        r.cite.as_ref().map(|c| c.text.clone()),
                        r.span,
                    )
                }
            };
            Some(Reason {
                rule: format!("{}.{rule}", p.name),
                cite,
                file: self.sources.name(span.file).to_string(),
                line: self.sources.line_col(span).0,
            })
        };
        DecisionRecord {
            id: case.id.clone(),
            policy: policy_name,
            as_of: case.as_of.map_or(String::new(), |d| d.to_string()),
            decision: outcome.decision,
            reasons: outcome.reasons.iter().filter_map(reason).collect(),
            warnings: outcome
                .warnings
                .iter()
                .filter_map(|i| policy.and_then(|p| p.rules.get(*i)).map(|r| r.name.clone()))
                .collect(),
            forms: outcome
                .forms
                .iter()
                .filter_map(|i| policy.and_then(|p| p.forms.get(*i)).map(|f| f.form.clone()))
                .collect(),
            max_validity_days: outcome.max_validity_days,
            missing: {
                let mut m: Vec<String> = outcome
                    .missing
                    .iter()
                    .filter_map(|f| self.set.fact(*f).map(|d| d.path.clone()))
                    .collect();
                m.sort();
                m
            },
        }
    }

    /// Decides a case and explains the decision. With `all`, rules that did not matter are
    /// included (marked not decisive).
    pub fn explain(&self, case: &Case, all: bool) -> Result<explain::Explanation, CaseError> {
        let mut scratch = Scratch::default();
        let outcome = self.decide(case, &mut scratch)?;
        let (Some(g), Some(as_of)) = (
            case.policy.and_then(|p| self.graphs.get(p.index())),
            case.as_of,
        ) else {
            return Err(CaseError {
                field: "policy".into(),
                message: "no such policy".into(),
                help: None,
            });
        };
        // Deciding ran only the plan; an explanation reads every node.
        g.eval(&self.set, &case.facts, as_of, &mut scratch.values);
        Ok(explain::explain(
            self,
            case,
            &outcome,
            &scratch.values,
            g,
            all,
        ))
    }

    /// The graph node computed for the expression at `span`.
    pub fn node_at(&self, g: &PolicyGraph, span: Span) -> Option<NodeId> {
        g.spans.get(&span).copied()
    }

    /// The policy names, in declaration order.
    pub fn policy_names(&self) -> impl Iterator<Item = &str> {
        self.set.policies.iter().map(|p| p.name.as_str())
    }
}

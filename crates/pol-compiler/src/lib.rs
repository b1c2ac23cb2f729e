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
pub mod compare;
mod consteval;
pub mod constraints;
pub mod decide;
pub mod explain;
pub mod explore;
pub mod graph;
pub mod ids;
pub mod ir;
pub mod lints;
mod ops;
pub mod output;
pub mod pattern;
pub mod plan;
pub mod reason;
pub mod receipt;
pub mod resolve;
pub mod semantics;
pub mod source;
mod suggest;
pub mod symbols;
mod typeck;
pub mod types;
pub mod value;

use std::collections::HashSet;

use pol_syntax::{Diagnostic, Span};

pub use case::{Case, CaseError, CaseSchema};
pub use compare::{compare, Comparison, Transition, Witness};
pub use decide::{Outcome, Scratch};
pub use explore::{AskNext, ClassOutcome, Counterfactual, Question};
pub use lints::LintLevels;
pub use output::{DecisionRecord, JsonWriter, Reason};
/// The registry of diagnostic codes (defined beside the diagnostic type, in `pol-syntax`).
pub use pol_syntax::codes;
pub use receipt::Receipt;
pub use semantics::DecisionKind;
pub use source::{ImportError, NoResolver, Resolver, Source, SourceMap};
pub use suggest::did_you_mean;

use crate::decide::Cause;
use crate::graph::{NodeId, PolicyGraph};
use crate::ids::IndexVec;
use crate::ir::{FactId, PolicyId, PolicySet};
use crate::plan::Plan;

/// A compiled policy set, ready to decide cases.
pub struct Compiled {
    pub sources: SourceMap,
    pub set: PolicySet,
    /// One graph per policy, indexed like `set.policies`.
    pub graphs: IndexVec<PolicyId, PolicyGraph>,
    /// What deciding a case evaluates, compiled from each graph: the triggers, `when`s
    /// and validities as straight-line instructions; indexed like `set.policies`.
    pub plans: IndexVec<PolicyId, Plan>,
    pub schema: CaseSchema,
    pub usage: resolve::Usage,
    /// The version of `pol` and the digest of the policy set, carried by every decision.
    pub receipt: Receipt,
    /// The case constraints, ready to check cases and to bound the reasoning.
    pub constraints: constraints::CaseConstraints,
    /// Exact reasoning about unknown facts, per policy (diagrams built on first use).
    pub reasoner: reason::Reasoner,
}

/// The result of compiling: the policy set if there were no errors, and every diagnostic
/// (errors and lint warnings) in source order.
pub struct Compilation {
    pub compiled: Option<Compiled>,
    pub diagnostics: Vec<Diagnostic>,
    /// The files compiled (the roots and every file they import), for rendering the
    /// diagnostics.
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

/// Whether compilation runs the lints, and at which levels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lints {
    /// Run them, each at its level here (`LintLevels::default()`: each lint's own).
    Run(LintLevels),
    /// Skip them: for deciding cases, where only errors are shown. Lints never stop a
    /// policy set from compiling, so the result is the same less the lint warnings.
    Skip,
}

/// Parses, resolves, type checks, lints and lowers a set of policy files, all given.
pub fn compile(sources: Vec<Source>) -> Compilation {
    compile_with(sources, Lints::Run(LintLevels::default()))
}

/// [`compile`], choosing whether to lint.
pub fn compile_with(sources: Vec<Source>, lints: Lints) -> Compilation {
    compile_from(sources, &mut NoResolver, lints)
}

/// Compiles `roots` and every file they import, found through `resolver`: each file is
/// read (by the resolver) and parsed once.
pub fn compile_from(roots: Vec<Source>, resolver: &mut dyn Resolver, lints: Lints) -> Compilation {
    let mut diagnostics = Vec::new();
    let (sources, files, refused) = parse_with_imports(roots, resolver, &mut diagnostics);
    let mut resolved = resolve::resolve(&sources, &files, &refused);
    diagnostics.append(&mut resolved.diagnostics);
    let index = std::mem::take(&mut resolved.index);
    if diagnostics.iter().any(Diagnostic::is_error) {
        pol_syntax::diagnostic::sort(&mut diagnostics);
        return Compilation { compiled: None, diagnostics, sources, index };
    }
    let set = resolved.set;
    let graphs: IndexVec<PolicyId, PolicyGraph> =
        set.policies.iter_enumerated().map(|(id, policy)| graph::lower(&set, id, policy)).collect();
    let plans = graphs.iter().map(|g| Plan::new(&set, g)).collect();
    let schema = CaseSchema::new(&set);
    let constraints = constraints::CaseConstraints::new(&set);
    let reasoner = reason::Reasoner::new(&set, &graphs, &constraints);
    if let Lints::Run(levels) = &lints {
        // After lowering: one lint reads the policies' reasoning.
        diagnostics.extend(lints::lint(&set, &resolved.usage, &reasoner, levels));
    }
    pol_syntax::diagnostic::sort(&mut diagnostics);
    Compilation {
        compiled: Some(Compiled {
            receipt: Receipt::of(&sources),
            sources: sources.clone(),
            set,
            graphs,
            plans,
            schema,
            usage: resolved.usage,
            constraints,
            reasoner,
        }),
        diagnostics,
        sources,
        index,
    }
}

/// Parses `roots`, then every `.pol` file they import (transitively) that is not among
/// them, asking `resolver` for its text. Also returns the (normalized) names of the files
/// the resolver refused: their error is reported here, so resolution does not report
/// those imports again as missing.
fn parse_with_imports(
    roots: Vec<Source>,
    resolver: &mut dyn Resolver,
    diagnostics: &mut Vec<Diagnostic>,
) -> (SourceMap, Vec<Option<pol_syntax::ast::SourceFile>>, HashSet<String>) {
    let mut refused = HashSet::new();
    let mut known: HashSet<String> = roots.iter().map(|s| source::normalize(&s.name)).collect();
    let mut sources = roots;
    let mut files = Vec::with_capacity(sources.len());
    let mut i = 0;
    while let Some(source) = sources.get(i) {
        let file = pol_syntax::FileId(i as u32);
        // Every file yields a tree: a declaration with a syntax error is kept as a broken
        // one whose name resolution treats as declared, so the error is reported once, here;
        // the imports of a file with errors are still followed.
        let parsed = pol_syntax::parse(file, &source.text);
        diagnostics.extend(parsed.errors);
        let parsed = Some(parsed.file);
        let mut imported = Vec::new();
        for item in parsed.iter().flat_map(|f| &f.items) {
            let pol_syntax::ast::ItemKind::Import(import) = &item.kind else {
                continue;
            };
            let name = source::import_name(&source.name, &import.path.node);
            // Only policy files: an import must not make `pol` read (and quote in its
            // diagnostics) any other file. Resolution reports the import as unknown.
            if !name.ends_with(".pol") || !known.insert(name.clone()) {
                continue;
            }
            match resolver.resolve(&name) {
                Ok(Some(text)) => imported.push(Source { name, text }),
                Ok(None) => {}
                Err(e) => {
                    diagnostics.push(
                        Diagnostic::new(
                            codes::POLICY_UNREADABLE,
                            format!("cannot read the imported file `{name}`: {}", e.message),
                            pol_syntax::Label::new(import.path.span, "imported here"),
                        )
                        .with_help(e.help),
                    );
                    refused.insert(name);
                }
            }
        }
        files.push(parsed);
        sources.extend(imported);
        i += 1;
    }
    (SourceMap::new(sources), files, refused)
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
        self.check_case(case, scratch)?;
        self.decide_checked_into(case, scratch, outcome)
    }

    /// [`Compiled::decide_into`] for a case [`Compiled::check_case`] has already accepted
    /// (the CLI checks while decoding, to report the field's position): the constraints
    /// are not checked again. Still fails when no completion of the unknown facts keeps
    /// them.
    pub fn decide_checked_into(
        &self,
        case: &Case,
        scratch: &mut Scratch,
        outcome: &mut Outcome,
    ) -> Result<(), CaseError> {
        let p = self.policy_of(case)?;
        decide::decide_into(&p, case, scratch, outcome)
    }

    /// What deciding a case of its policy reads.
    fn policy_of(&self, case: &Case) -> Result<decide::Policy<'_>, CaseError> {
        let policy = case
            .policy
            .ok_or_else(|| CaseError::new("policy", "the case does not name a `policy`", None))?;
        let (Some(graph), Some(plan), Some(reasoner)) =
            (self.graphs.get(policy), self.plans.get(policy), self.reasoner.policies.get(policy))
        else {
            return Err(CaseError::new(
                "policy",
                "the case names a policy of another policy set",
                None,
            ));
        };
        Ok(decide::Policy {
            set: &self.set,
            graph,
            plan,
            reasoner,
            constraints: &self.constraints.graph,
        })
    }

    /// Checks what every decoded case must satisfy before it is decided: `as_of` and
    /// `policy` are given, and no known fact breaks a constraint of the policy set.
    pub fn check_case(&self, case: &Case, scratch: &mut Scratch) -> Result<(), CaseError> {
        self.schema.check_required(&self.set, case)?;
        check_dates(&self.set, self.schema.date_facts(), case)?;
        self.constraints.check(&self.set, &self.sources, case, scratch.slots_mut())
    }

    /// The contract's decision object for an outcome.
    pub fn record(&self, case: &Case, outcome: &Outcome) -> DecisionRecord {
        let policy = case.policy.and_then(|p| self.set.policies.get(p));
        let policy_name = policy.map_or(String::new(), |p| p.name.clone());
        let reason = |cause: &Cause| -> Option<Reason> {
            let source = match *cause {
                Cause::ProgramWindow(by) => semantics::window_reason(&self.set, policy?, by),
                Cause::Rule(i) => semantics::rule_reason(policy?, i),
            }?;
            Some(self.reason(&source))
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
            // Best question first (the order the reasoning ranked them in).
            missing: outcome
                .missing
                .iter()
                .filter_map(|f| self.set.fact(*f).map(|d| d.path.clone()))
                .collect(),
            receipt: self.receipt.clone(),
        }
    }

    /// The contract's reason object for what a rule or window contributes.
    pub fn reason(&self, source: &semantics::ReasonSource<'_>) -> Reason {
        Reason {
            rule: source.id(),
            cite: source.cite.map(|c| c.text.clone()),
            file: self.sources.name(source.span.file).to_string(),
            line: self.sources.line_col(source.span).0,
            says: source.says.map(str::to_string),
        }
    }

    /// Decides a case and explains the decision. With `all`, rules that did not matter are
    /// included (marked not decisive).
    pub fn explain(&self, case: &Case, all: bool) -> Result<explain::Explanation, CaseError> {
        let mut scratch = Scratch::default();
        let outcome = self.decide(case, &mut scratch)?;
        let (Some(g), Some(as_of)) = (case.policy.and_then(|p| self.graphs.get(p)), case.as_of)
        else {
            return Err(CaseError::new(
                "policy",
                "the case names a policy of another policy set",
                None,
            ));
        };
        let counterfactuals = self.counterfactuals(case)?;
        let ask_next = match outcome.decision {
            DecisionKind::Incomplete => Some(self.ask_next(case)?),
            _ => None,
        };
        // Deciding ran only the plan; an explanation reads every node.
        g.eval(&self.set, &case.facts, as_of, &mut scratch.values);
        let mut explanation =
            explain::explain(self, case, &outcome, &scratch.values, g, all, counterfactuals);
        explanation.ask_next = ask_next;
        Ok(explanation)
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

/// Every date of a case lies in the years a case file can write (0000 to 9999): the
/// reasoning classifies only those, and a [`Case`] built by a program could hold others.
fn check_dates(set: &PolicySet, dates: &[FactId], case: &Case) -> Result<(), CaseError> {
    let outside = |d: value::Day| !(value::Day::FIRST..=value::Day::LAST).contains(&d);
    let help = || Some("dates run from 0000-01-01 to 9999-12-31".to_string());
    if case.as_of.is_some_and(outside) {
        return Err(CaseError::new("as_of", "the date is out of range", help()));
    }
    for fact in dates {
        if let Some(value::Value::Date(d)) = case.facts.get(fact.index()).copied().flatten() {
            if outside(d) {
                let path = set.fact(*fact).map_or(String::new(), |f| f.path.clone());
                return Err(CaseError::new(path, "the date is out of range", help()));
            }
        }
    }
    Ok(())
}

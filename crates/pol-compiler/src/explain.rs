//! Explanations: the trace of the rules that decided a case, read off the evaluation graph.
//!
//! Nothing here runs during `eval`; an explanation re-reads the node values of the case and
//! walks each deciding rule's expression, labelling every atomic condition with its value
//! and the case's values of the facts it reads.

use serde::Serialize;

use pol_syntax::ast::RuleKind;
use pol_syntax::Span;

use crate::case::Case;
use crate::decide::{Cause, Outcome};
use crate::explore::{AskNext, Counterfactual};
use crate::graph::PolicyGraph;
use crate::ir::{PolicyDef, TExpr, TExprKind};
use crate::output::DecisionRecord;
use crate::semantics::{self, ClosedBy, DecisionKind};
use crate::value::Value;
use crate::Compiled;

/// The explanation of one decision.
#[derive(Clone, Debug, Serialize)]
pub struct Explanation {
    pub decision: DecisionRecord,
    /// The rules that decided the case (all rules with `--all`), in policy order.
    pub trace: Vec<RuleTrace>,
    /// What would change a definite decision: the smallest sets of changes to known facts
    /// that lead to each other decision (`Compiled::counterfactuals`), in the shape of the
    /// contract: `{"decision", "changes": [{"fact", "value"}], "rules": [ids]}`.
    #[serde(serialize_with = "records")]
    pub counterfactuals: Vec<Counterfactual>,
    /// For an `incomplete` decision: the decisions still possible and the ranked questions
    /// (`Compiled::ask_next`), for the opening paragraph of human explanations. The JSON
    /// carries the same ranking as the decision's `missing`.
    #[serde(skip)]
    pub ask_next: Option<AskNext>,
}

fn records<S: serde::Serializer>(items: &[Counterfactual], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(items.len()))?;
    for c in items {
        seq.serialize_element(&c.record())?;
    }
    seq.end()
}

/// What a traced line of a policy is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceKind {
    Require,
    Exclude,
    NotRequired,
    Unavailable,
    Warn,
    /// The policy's program window.
    Program,
}

impl From<RuleKind> for TraceKind {
    fn from(kind: RuleKind) -> TraceKind {
        match kind {
            RuleKind::Require => TraceKind::Require,
            RuleKind::Exclude => TraceKind::Exclude,
            RuleKind::NotRequired => TraceKind::NotRequired,
            RuleKind::Unavailable => TraceKind::Unavailable,
            RuleKind::Warn => TraceKind::Warn,
        }
    }
}

/// What a rule (or the program window) did for a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleOutcome {
    /// The trigger is true: an exclusion, exemption or warning applies, the window is
    /// closed.
    Fired,
    /// A requirement is not met.
    NotMet,
    /// A requirement is met.
    Held,
    /// The trigger is false.
    DidNotFire,
    /// The trigger cannot be settled from the facts given.
    Open,
}

/// A three-valued truth as explanations show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TruthValue {
    True,
    False,
    Unknown,
}

impl TruthValue {
    pub fn of(b: Option<bool>) -> TruthValue {
        match b {
            Some(true) => TruthValue::True,
            Some(false) => TruthValue::False,
            None => TruthValue::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TruthValue::True => "true",
            TruthValue::False => "false",
            TruthValue::Unknown => "unknown",
        }
    }
}

/// The state of a program window as explanations show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowValue {
    Open,
    Closed,
    Unknown,
}

/// The value an atomic condition of a trace shows: a truth, or for the program window its
/// state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum ConditionValue {
    Truth(TruthValue),
    Window(WindowValue),
}

impl ConditionValue {
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionValue::Truth(t) => t.as_str(),
            ConditionValue::Window(WindowValue::Open) => "open",
            ConditionValue::Window(WindowValue::Closed) => "closed",
            ConditionValue::Window(WindowValue::Unknown) => "unknown",
        }
    }
}

/// One rule's part in a decision.
#[derive(Clone, Debug, Serialize)]
pub struct RuleTrace {
    /// `policy.rule`, or `policy.program_window`.
    pub rule: String,
    pub kind: TraceKind,
    pub outcome: RuleOutcome,
    /// Whether this rule decided the case (false only for rules shown by `--all`).
    pub decisive: bool,
    pub cite: Option<String>,
    /// The rule's reason in plain words (`says "..."`); `null` where the policy gives none
    /// and for the program window.
    pub says: Option<String>,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub start: u32,
    pub end: u32,
    pub conditions: Vec<ConditionTrace>,
}

/// An atomic condition of a rule with its value for this case.
#[derive(Clone, Debug, Serialize)]
pub struct ConditionTrace {
    /// The condition's source text.
    pub text: String,
    pub value: ConditionValue,
    pub start: u32,
    pub end: u32,
    pub line: usize,
    pub column: usize,
    /// The facts (and named values) the condition reads, with this case's values.
    pub facts: Vec<FactValue>,
    /// Whether this condition sits in the rule's `unless` exception.
    pub in_exception: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct FactValue {
    pub name: String,
    pub value: String,
}

impl ConditionTrace {
    /// A label for the condition: its value and the values it read.
    pub fn label(&self) -> String {
        if self.facts.is_empty() {
            return self.value.as_str().to_string();
        }
        let facts: Vec<String> =
            self.facts.iter().map(|f| format!("{} = {}", f.name, f.value)).collect();
        format!("{}: {}", self.value.as_str(), facts.join(", "))
    }
}

pub(crate) fn explain(
    c: &Compiled,
    case: &Case,
    outcome: &Outcome,
    values: &[Option<Value>],
    g: &PolicyGraph,
    all: bool,
    counterfactuals: Vec<Counterfactual>,
) -> Explanation {
    let policy = c.set.policies.get(g.policy);
    let decision = c.record(case, outcome);
    let mut trace = Vec::new();
    let Some(policy) = policy else {
        return Explanation { decision, trace, counterfactuals, ask_next: None };
    };
    let truth = |span: Span| -> Option<bool> {
        c.node_at(g, span)
            .and_then(|n| values.get(n.index()).copied().flatten())
            .and_then(Value::as_bool)
    };
    if let (Some(w), Some(node)) = (&policy.window, g.window) {
        let open = values.get(node.index()).copied().flatten().and_then(Value::as_bool);
        let closed_by = outcome.reasons.iter().find_map(|cause| match cause {
            Cause::ProgramWindow(by) => Some(*by),
            Cause::Rule(_) => None,
        });
        if closed_by.is_some() || all {
            trace.push(window_trace(c, case, policy, w, open, closed_by, values, g));
        }
    }
    for r in &g.rules {
        let Some(def) = policy.rules.get(r.rule) else {
            continue;
        };
        let decisive = outcome.reasons.contains(&Cause::Rule(r.rule))
            || (def.kind == RuleKind::Warn && outcome.warnings.contains(&r.rule));
        if !decisive && !all {
            continue;
        }
        let trigger = values.get(r.trigger.index()).copied().flatten().and_then(Value::as_bool);
        let outcome_word = match (def.kind, trigger) {
            (_, None) => RuleOutcome::Open,
            (RuleKind::Require, Some(true)) => RuleOutcome::NotMet,
            (RuleKind::Require, Some(false)) => RuleOutcome::Held,
            (_, Some(true)) => RuleOutcome::Fired,
            (_, Some(false)) => RuleOutcome::DidNotFire,
        };
        let mut conditions = Vec::new();
        atoms(c, case, &def.condition, false, &truth, &mut conditions);
        if let Some(u) = &def.unless {
            atoms(c, case, u, true, &truth, &mut conditions);
        }
        let Some(source) = semantics::rule_reason(policy, r.rule) else {
            continue;
        };
        let (line, column) = c.sources.line_col(source.span);
        trace.push(RuleTrace {
            rule: source.id(),
            kind: def.kind.into(),
            outcome: outcome_word,
            decisive,
            cite: source.cite.map(|c| c.text.clone()),
            says: source.says.map(str::to_string),
            file: c.sources.name(source.span.file).to_string(),
            line,
            column,
            start: def.span.start,
            end: def.span.end,
            conditions,
        });
    }
    Explanation { decision, trace, counterfactuals, ask_next: None }
}

#[allow(clippy::too_many_arguments)]
fn window_trace(
    c: &Compiled,
    case: &Case,
    policy: &PolicyDef,
    w: &crate::ir::ProgramWindow,
    open: Option<bool>,
    closed_by: Option<ClosedBy>,
    values: &[Option<Value>],
    g: &PolicyGraph,
) -> RuleTrace {
    let program = c.set.programs.get(w.program);
    let date_name =
        w.at.as_ref().map_or("as_of".to_string(), |e| c.sources.snippet(e.span).to_string());
    let date_value = match &w.at {
        Some(e) => c
            .node_at(g, e.span)
            .and_then(|n| values.get(n.index()).copied().flatten())
            .map_or("unknown".to_string(), |v| c.set.display(crate::types::Type::Date, v)),
        None => case.as_of.map_or("unknown".to_string(), |d| d.to_string()),
    };
    let mut facts = vec![FactValue { name: date_name, value: date_value }];
    if let Some(p) = program {
        if let Some(o) = &p.opened {
            facts.push(FactValue { name: format!("{} opened", p.name), value: o.day.to_string() });
        }
        if let Some(e) = &p.closed {
            facts.push(FactValue {
                name: format!("{} {}", p.name, e.kind.keyword()),
                value: e.day.to_string(),
            });
        }
    }
    // The same reason the decision names: one citation for the window, wherever shown.
    let reason = semantics::window_reason(&c.set, policy, closed_by.unwrap_or(ClosedBy::Unknown));
    let cite = reason.and_then(|r| r.cite).map(|c| c.text.clone());
    let (line, column) = c.sources.line_col(w.span);
    let value = match open {
        Some(true) => WindowValue::Open,
        Some(false) => WindowValue::Closed,
        None => WindowValue::Unknown,
    };
    RuleTrace {
        rule: reason
            .map_or_else(|| format!("{}.{}", policy.name, semantics::PROGRAM_WINDOW), |r| r.id()),
        kind: TraceKind::Program,
        outcome: match open {
            Some(false) => RuleOutcome::Fired,
            Some(true) => RuleOutcome::DidNotFire,
            None => RuleOutcome::Open,
        },
        decisive: closed_by.is_some(),
        cite,
        says: None,
        file: c.sources.name(w.span.file).to_string(),
        line,
        column,
        start: w.span.start,
        end: w.span.end,
        conditions: vec![ConditionTrace {
            text: c.sources.snippet(w.span).to_string(),
            value: ConditionValue::Window(value),
            start: w.span.start,
            end: w.span.end,
            line,
            column,
            facts,
            in_exception: false,
        }],
    }
}

/// Collects the atomic conditions of `e` (descending through `and`, `or`, `not`).
fn atoms(
    c: &Compiled,
    case: &Case,
    e: &TExpr,
    in_exception: bool,
    truth: &dyn Fn(Span) -> Option<bool>,
    out: &mut Vec<ConditionTrace>,
) {
    let mut stack = vec![e];
    let mut found = Vec::new();
    while let Some(e) = stack.pop() {
        match &e.kind {
            TExprKind::And(xs) | TExprKind::Or(xs) => stack.extend(xs.iter().rev()),
            TExprKind::Not(x)
                if matches!(x.kind, TExprKind::And(_) | TExprKind::Or(_) | TExprKind::Not(_)) =>
            {
                stack.push(x)
            }
            _ => found.push(e),
        }
    }
    for e in found {
        let value = ConditionValue::Truth(TruthValue::of(truth(e.span)));
        let mut facts = Vec::new();
        reads(c, case, e, &mut facts);
        let (line, column) = c.sources.line_col(e.span);
        out.push(ConditionTrace {
            text: c.sources.snippet(e.span).to_string(),
            value,
            start: e.span.start,
            end: e.span.end,
            line,
            column,
            facts,
            in_exception,
        });
    }
}

/// The named values an expression reads, with their values for this case.
fn reads(c: &Compiled, case: &Case, e: &TExpr, out: &mut Vec<FactValue>) {
    let mut stack = vec![e];
    // Each `let` body is read once: lets shared by lets would otherwise be walked once per
    // path, exponentially often.
    let mut lets_seen = vec![false; c.set.lets.len()];
    while let Some(e) = stack.pop() {
        let entry = match &e.kind {
            TExprKind::Fact(f) => c.set.fact(*f).map(|d| (d.path.clone(), case.show(&c.set, *f))),
            TExprKind::AsOf => {
                Some(("as_of".to_string(), case.as_of.map_or("unknown".into(), |d| d.to_string())))
            }
            TExprKind::Const(k) => {
                c.set.consts.get(k).map(|d| (d.name.clone(), c.set.display(d.ty, d.value)))
            }
            TExprKind::Param(p) => c.set.params.get(p).map(|d| {
                let v = case
                    .as_of
                    .and_then(|day| d.at(day))
                    .map_or("no value yet".to_string(), |v| c.set.display(d.ty, v.value));
                (d.name.clone(), v)
            }),
            TExprKind::Let(l) => {
                if let Some(seen @ false) = lets_seen.get_mut(l.index()) {
                    *seen = true;
                    if let Some(d) = c.set.lets.get(l) {
                        stack.push(&d.value);
                    }
                }
                None
            }
            TExprKind::Lit(_) => None,
            TExprKind::Not(x) => {
                stack.push(x);
                None
            }
            TExprKind::And(xs) | TExprKind::Or(xs) => {
                stack.extend(xs.iter());
                None
            }
            TExprKind::InList(a, xs) => {
                stack.push(a);
                stack.extend(xs.iter());
                None
            }
            TExprKind::Compare(_, a, b) | TExprKind::InSet(a, b) | TExprKind::Arith(_, a, b) => {
                stack.push(b);
                stack.push(a);
                None
            }
            TExprKind::InRange { element, low, high, .. } => {
                stack.push(high);
                stack.push(low);
                stack.push(element);
                None
            }
        };
        if let Some((name, value)) = entry {
            if !out.iter().any(|f| f.name == name) {
                out.push(FactValue { name, value });
            }
        }
    }
}

/// A one-line summary of a decision for people.
pub fn headline(d: DecisionKind, policy: &str) -> String {
    match d {
        DecisionKind::Eligible => {
            format!("eligible for `{policy}`: every requirement is met and no exclusion applies")
        }
        DecisionKind::Ineligible => format!("ineligible for `{policy}`"),
        DecisionKind::NotRequired => format!("`{policy}` is not required for this person"),
        DecisionKind::Unavailable => format!("`{policy}` is unavailable on this date"),
        DecisionKind::Incomplete => format!("incomplete: the facts given cannot settle `{policy}`"),
    }
}

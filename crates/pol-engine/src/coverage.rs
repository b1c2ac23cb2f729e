//! Rule coverage in legal units: which outcomes of each rule, window, parameter and
//! conditional form the cases of a test suite reach.
//!
//! A line of a policy is covered when the tests show it doing each thing it can do: a rule's
//! trigger seen true and seen false (a requirement failed and met, an exclusion applying
//! and not), an `unless` exception seen excusing a case its exclusion would catch, a program
//! window seen open and closed at each edge it has (before the opening date, from the
//! closing date on), a dated parameter read in each of its periods, a warning and a
//! conditional form each seen fired. Values are read from the evaluation graph
//! ([`pol_compiler::graph::PolicyGraph::eval`]), so an outcome counts only when it is known,
//! never when it is unknown.

use pol_compiler::graph::{NodeId, Op, PolicyGraph};
use pol_compiler::ir::ParamId;
use pol_compiler::semantics::{self, WindowState, PROGRAM_WINDOW};
use pol_compiler::value::{Tri, Value};
use pol_compiler::{Case, Compiled};
use pol_syntax::ast::RuleKind;
use serde::Serialize;

/// Coverage of a whole suite: every policy of the set, in declaration order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Coverage {
    /// `covered / total`, as a percentage (100 when there is nothing to cover).
    pub percent: f64,
    pub covered: usize,
    pub total: usize,
    pub policies: Vec<PolicyCoverage>,
}

/// Coverage of one policy.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicyCoverage {
    pub policy: String,
    /// Tests whose case names this policy (and was decided).
    pub tests: u32,
    pub percent: f64,
    pub covered: usize,
    pub total: usize,
    /// Each rule (warnings included), in the policy's order.
    pub rules: Vec<Subject>,
    /// The program window, if the policy has one.
    pub window: Option<Subject>,
    /// Each dated parameter the policy reads.
    pub parameters: Vec<Subject>,
    /// Each form with a `when` condition.
    pub forms: Vec<Subject>,
}

/// A rule, window, parameter or form, and its outcomes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Subject {
    /// The rule's name, `program_window`, the parameter's or the form's name.
    pub name: String,
    /// `require`, `exclude`, `not_required`, `unavailable`, `warn`, `window`, `parameter`,
    /// `form`.
    pub kind: &'static str,
    pub file: String,
    pub line: usize,
    pub outcomes: Vec<OutcomeCoverage>,
}

/// One thing a subject can do, and how many test cases showed it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutcomeCoverage {
    /// `triggered`, `not_triggered`, `exception_applies`, `open`, `before_opening`,
    /// `after_closing`, `period`, `fired`.
    pub outcome: &'static str,
    /// The outcome in the policy's words ("requirement not met", "closed from 2025-03-25").
    pub description: String,
    pub seen: u32,
}

impl Coverage {
    /// Every outcome no test reached: (policy, subject, outcome).
    pub fn uncovered(&self) -> impl Iterator<Item = (&PolicyCoverage, &Subject, &OutcomeCoverage)> {
        self.policies.iter().flat_map(|p| {
            p.subjects().flat_map(move |s| {
                s.outcomes.iter().filter(|o| o.seen == 0).map(move |o| (p, s, o))
            })
        })
    }
}

impl PolicyCoverage {
    /// Rules, window, parameters and forms, in that order.
    pub fn subjects(&self) -> impl Iterator<Item = &Subject> {
        self.rules
            .iter()
            .chain(self.window.iter())
            .chain(self.parameters.iter())
            .chain(self.forms.iter())
    }
}

/// What to read from a case's node values to see one outcome.
#[derive(Clone, Copy, Debug)]
enum Check {
    /// The node's value is the given truth.
    Is(NodeId, bool),
    /// Both nodes are true (an exclusion's condition and its exception).
    Both(NodeId, NodeId),
    /// The window's date (the node) lies in the given state.
    Window {
        at: NodeId,
        state: WindowState,
        opened: Option<pol_compiler::value::Day>,
        closed: Option<pol_compiler::value::Day>,
    },
    /// The parameter is read on a date in its period `period` (from its `period`th value
    /// until the next).
    Period(ParamId, usize),
}

/// Where each counted outcome of a policy is, in its coverage report.
#[derive(Clone, Copy, Debug)]
enum Slot {
    Rule(usize, usize),
    Window(usize),
    Parameter(usize, usize),
    Form(usize, usize),
}

/// Counts outcomes over the cases shown to it.
pub struct Tracker<'c> {
    c: &'c Compiled,
    report: Vec<PolicyCoverage>,
    checks: Vec<Vec<(Check, Slot)>>,
    values: Vec<Tri>,
}

impl<'c> Tracker<'c> {
    /// Lists every outcome of every policy of `c`, none seen yet.
    pub fn new(c: &'c Compiled) -> Tracker<'c> {
        let mut report = Vec::new();
        let mut checks = Vec::new();
        for (def, g) in c.set.policies.iter().zip(&c.graphs) {
            let (p, k) = outcomes(c, def, g);
            report.push(p);
            checks.push(k);
        }
        Tracker { c, report, checks, values: Vec::new() }
    }

    /// Counts the outcomes `case` reaches (a case the set cannot decide counts nothing).
    pub fn observe(&mut self, case: &Case) {
        let (Some(policy), Some(as_of)) = (case.policy, case.as_of) else {
            return;
        };
        let (Some(g), Some(report), Some(checks)) = (
            self.c.graphs.get(policy),
            self.report.get_mut(policy.index()),
            self.checks.get(policy.index()),
        ) else {
            return;
        };
        g.eval(&self.c.set, &case.facts, as_of, &mut self.values);
        report.tests += 1;
        let get = |n: NodeId| self.values.get(n.index()).copied().flatten();
        for (check, slot) in checks {
            let seen = match *check {
                Check::Is(n, want) => get(n) == Some(Value::Bool(want)),
                Check::Both(a, b) => {
                    get(a) == Some(Value::Bool(true)) && get(b) == Some(Value::Bool(true))
                }
                Check::Window { at, state, opened, closed } => {
                    matches!(get(at), Some(Value::Date(d))
                    if semantics::window_state(opened, closed, d) == state)
                }
                Check::Period(p, period) => {
                    let values = self.c.set.params.get(p).map_or(&[][..], |p| &p.values[..]);
                    let now = values.iter().rposition(|v| v.from <= as_of);
                    now == Some(period)
                }
            };
            if seen {
                if let Some(o) = outcome_mut(report, *slot) {
                    o.seen = o.seen.saturating_add(1);
                }
            }
        }
    }

    /// The coverage seen so far.
    pub fn finish(self) -> Coverage {
        let mut policies = self.report;
        let (mut covered, mut total) = (0, 0);
        for p in &mut policies {
            let (seen, all) = p
                .subjects()
                .flat_map(|s| s.outcomes.iter())
                .fold((0, 0), |(seen, all), o| (seen + usize::from(o.seen > 0), all + 1));
            p.total = all;
            p.covered = seen;
            p.percent = percent(p.covered, p.total);
            covered += p.covered;
            total += p.total;
        }
        Coverage { percent: percent(covered, total), covered, total, policies }
    }
}

fn percent(covered: usize, total: usize) -> f64 {
    if total == 0 {
        100.0
    } else {
        // Rounded to a tenth, so that reports and `--coverage-min` agree on what they show.
        ((covered as f64) * 1000.0 / (total as f64)).floor() / 10.0
    }
}

fn outcome_mut(p: &mut PolicyCoverage, slot: Slot) -> Option<&mut OutcomeCoverage> {
    match slot {
        Slot::Rule(s, o) => p.rules.get_mut(s)?.outcomes.get_mut(o),
        Slot::Window(o) => p.window.as_mut()?.outcomes.get_mut(o),
        Slot::Parameter(s, o) => p.parameters.get_mut(s)?.outcomes.get_mut(o),
        Slot::Form(s, o) => p.forms.get_mut(s)?.outcomes.get_mut(o),
    }
}

fn outcome(outcome: &'static str, description: impl Into<String>) -> OutcomeCoverage {
    OutcomeCoverage { outcome, description: description.into(), seen: 0 }
}

/// Every outcome of one policy, and how to see each.
fn outcomes(
    c: &Compiled,
    def: &pol_compiler::ir::PolicyDef,
    g: &PolicyGraph,
) -> (PolicyCoverage, Vec<(Check, Slot)>) {
    let place = |span: pol_syntax::Span| {
        (c.sources.name(span.file).to_string(), c.sources.line_col(span).0)
    };
    let mut checks = Vec::new();
    let mut rules = Vec::new();
    for r in &g.rules {
        let Some(rule) = def.rules.get(r.rule) else {
            continue;
        };
        let (file, line) = place(rule.span);
        let kind = r.kind.keyword();
        let (yes, no) = match r.kind {
            RuleKind::Require => ("requirement not met", "requirement met"),
            RuleKind::Exclude => ("excludes a case", "does not exclude"),
            RuleKind::NotRequired => ("exempts a case", "does not exempt"),
            RuleKind::Unavailable => ("closes the policy", "leaves it open"),
            RuleKind::Warn => ("warns", ""),
        };
        let s = rules.len();
        let mut list =
            vec![outcome(if r.kind == RuleKind::Warn { "fired" } else { "triggered" }, yes)];
        checks.push((Check::Is(r.trigger, true), Slot::Rule(s, 0)));
        if r.kind != RuleKind::Warn {
            list.push(outcome("not_triggered", no));
            checks.push((Check::Is(r.trigger, false), Slot::Rule(s, 1)));
        }
        if let Some(unless) = r.unless {
            checks.push((Check::Both(r.condition, unless), Slot::Rule(s, list.len())));
            list.push(outcome(
                "exception_applies",
                "the exception excuses a case the exclusion would catch",
            ));
        }
        rules.push(Subject { name: rule.name.clone(), kind, file, line, outcomes: list });
    }
    let window = g.window.and_then(|w| {
        let node = g.node(w)?;
        let Op::Window { opened, closed, at, .. } = node.op else {
            return None;
        };
        let (file, line) = place(node.span);
        let mut list = Vec::new();
        let mut add = |state, name, description: String| {
            checks.push((Check::Window { at, state, opened, closed }, Slot::Window(list.len())));
            list.push(outcome(name, description));
        };
        add(WindowState::Open, "open", "open".into());
        if let Some(d) = opened {
            add(WindowState::NotYetOpen, "before_opening", format!("before it opens on {d}"));
        }
        if let Some(d) = closed {
            add(WindowState::Closed, "after_closing", format!("closed from {d} on"));
        }
        Some(Subject {
            name: PROGRAM_WINDOW.to_string(),
            kind: "window",
            file,
            line,
            outcomes: list,
        })
    });
    let mut params: Vec<ParamId> = g
        .nodes
        .iter()
        .filter_map(|n| match n.op {
            Op::Param(p) => Some(p),
            _ => None,
        })
        .collect();
    params.sort_unstable();
    params.dedup();
    let mut parameters = Vec::new();
    for p in params {
        let Some(param) = c.set.params.get(p) else {
            continue;
        };
        let (file, line) = place(param.span);
        let s = parameters.len();
        let list = param
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                checks.push((Check::Period(p, i), Slot::Parameter(s, i)));
                outcome("period", format!("read in force from {}", v.from))
            })
            .collect();
        parameters.push(Subject {
            name: param.name.clone(),
            kind: "parameter",
            file,
            line,
            outcomes: list,
        });
    }
    let mut forms = Vec::new();
    for (i, when) in &g.forms {
        let (Some(when), Some(form)) = (when, def.forms.get(*i)) else {
            continue;
        };
        let (file, line) = place(form.span);
        checks.push((Check::Is(*when, true), Slot::Form(forms.len(), 0)));
        forms.push(Subject {
            name: form.form.clone(),
            kind: "form",
            file,
            line,
            outcomes: vec![outcome("fired", "listed (its condition holds)")],
        });
    }
    (
        PolicyCoverage {
            policy: def.name.clone(),
            tests: 0,
            percent: 100.0,
            covered: 0,
            total: 0,
            rules,
            window,
            parameters,
            forms,
        },
        checks,
    )
}

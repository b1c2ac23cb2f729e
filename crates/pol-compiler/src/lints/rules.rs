//! How the rules of a policy interact: `duplicate_rule` (W0507), `shadowed_rule` (W0508)
//! and `never_eligible` (W0509), over the triggers and window of [`Policy`].

use pol_syntax::ast::RuleKind;
use pol_syntax::codes;
use pol_syntax::{Diagnostic, Label, Span};

use crate::ir::*;
use crate::semantics::DecisionKind;

use super::logic::formula::VarId;
use super::logic::{Formula, Logic, Part, Sat};
use super::policy::Policy;

pub(super) fn check(policy: &Policy, logic: &mut Logic, out: &mut Vec<Diagnostic>) {
    policy.never_eligible(logic, out);
    policy.shadowed(logic, out);
    policy.duplicates(logic, out);
}

impl Policy<'_> {
    fn id(&self, r: &RuleDef) -> String {
        format!("`{}.{}`", self.def.name, r.name)
    }

    /// `never_eligible`: a case is eligible when the window is open and no trigger of a
    /// deciding rule holds. If no case can be, name the fewest rules that see to it.
    fn never_eligible(&self, logic: &mut Logic, out: &mut Vec<Diagnostic>) {
        let mut items: Vec<Part> = Vec::new();
        // Where each item is, what to say there, and whether it is reported on its own
        // when it alone is to blame (an empty window, a constant condition).
        let mut spans: Vec<(Span, String, bool)> = Vec::new();
        if let Some(w) = &self.window {
            items.push((&w.open, true));
            spans.push((
                w.span,
                format!("open only inside the window of program `{}`", w.program),
                w.empty,
            ));
        }
        for t in self.triggers.iter().filter(|t| t.level.is_some()) {
            items.push((&t.f, false));
            spans.push((t.rule.name_span, blocks(t.rule.kind).to_string(), !t.varies));
        }
        if logic.satisfiable(&items) != Sat::No {
            return;
        }
        let culprits = logic.core(&[], &items);
        if let [one] = culprits.as_slice() {
            if spans.get(*one).is_none_or(|s| s.2) {
                return;
            }
        }
        let mut d = Diagnostic::new(
            codes::NEVER_ELIGIBLE,
            format!("no case can be `eligible` under `{}`", self.def.name),
            Label::new(self.def.name_span, "never `eligible`"),
        )
        .with_help(
            "every case is decided before `eligible` by the underlined rules: whatever meets \
             the requirements is excluded, exempted or unavailable. Check their conditions \
             and bounds",
        );
        for (span, text, _) in culprits.iter().filter_map(|&i| spans.get(i)) {
            d = d.with_label(Label::new(*span, text.clone()));
        }
        out.push(d);
    }

    /// `shadowed_rule`: a rule whose every case an earlier level decides never decides.
    fn shadowed(&self, logic: &mut Logic, out: &mut Vec<Diagnostic>) {
        for t in &self.triggers {
            let Some(level) = t.level else { continue };
            if !t.varies {
                continue;
            }
            let mut items: Vec<Part> = Vec::new();
            let mut spans: Vec<(Span, String)> = Vec::new();
            // The window comes first, even among the `unavailable` rules: a closure that
            // only applies outside it adds nothing. An empty window is reported as such.
            if let Some(w) = self.window.as_ref().filter(|w| !w.empty) {
                items.push((&w.open, true));
                spans.push((
                    w.span,
                    format!("unavailable outside the window of program `{}`", w.program),
                ));
            }
            for h in &self.triggers {
                if h.level.is_some_and(|l| l < level) {
                    items.push((&h.f, false));
                    spans.push((
                        h.rule.name_span,
                        format!("decides first, as {}", level_word(h.level)),
                    ));
                }
            }
            let fixed = [(&t.f, true)];
            let all: Vec<Part> = fixed.iter().copied().chain(items.iter().copied()).collect();
            if items.is_empty() || logic.satisfiable(&all) != Sat::No {
                continue;
            }
            let culprits = logic.core(&fixed, &items);
            // An `unavailable` rule shares its level with the window: it still shows among
            // the reasons, but it never changes a decision.
            let (message, label, help) = if level == DecisionKind::Unavailable {
                (
                    format!(
                        "{} adds nothing: the program window already closes every case it \
                         applies to",
                        self.id(t.rule)
                    ),
                    "never changes a decision",
                    "every case this rule makes unavailable is outside the program's window \
                     already; remove it, or correct its dates",
                )
            } else {
                (
                    format!(
                        "{} never decides a case: every case it applies to is decided before it",
                        self.id(t.rule)
                    ),
                    "never decides",
                    "a case is decided at the first level that applies (unavailable, then \
                     ineligible, then not_required), and every case this rule applies to is \
                     decided by an underlined rule first. Remove it, or narrow the earlier rule",
                )
            };
            let mut d =
                Diagnostic::new(codes::SHADOWED_RULE, message, Label::new(t.rule.name_span, label))
                    .with_help(help);
            for (span, text) in culprits.iter().filter_map(|&i| spans.get(i)) {
                d = d.with_label(Label::new(*span, text.clone()));
            }
            out.push(d);
        }
    }

    /// `duplicate_rule`: two rules of one level (or two warnings) with the same trigger.
    fn duplicates(&self, logic: &mut Logic, out: &mut Vec<Diagnostic>) {
        // Equal triggers read the same variables, so only pairs with equal variable sets
        // are compared; this keeps the pass near-linear in the number of rules.
        let keys: Vec<Vec<VarId>> = self.triggers.iter().map(|t| vars(&t.f)).collect();
        let mut reported = vec![false; self.triggers.len()];
        for (j, b) in self.triggers.iter().enumerate() {
            for (i, a) in self.triggers.iter().enumerate().take(j) {
                if !a.varies
                    || !b.varies
                    || a.level != b.level
                    || reported.get(j).copied().unwrap_or(true)
                    || keys.get(i) != keys.get(j)
                {
                    continue;
                }
                let same = logic.satisfiable(&[(&a.f, true), (&b.f, false)]) == Sat::No
                    && logic.satisfiable(&[(&a.f, false), (&b.f, true)]) == Sat::No;
                if !same {
                    continue;
                }
                if let Some(flag) = reported.get_mut(j) {
                    *flag = true;
                }
                let what = if a.rule.kind == b.rule.kind {
                    "has the same condition as"
                } else {
                    "decides exactly the same cases as"
                };
                out.push(
                    Diagnostic::new(
                        codes::DUPLICATE_RULE,
                        format!("{} {what} {}", self.id(b.rule), self.id(a.rule)),
                        Label::new(b.rule.name_span, "this rule"),
                    )
                    .with_label(Label::new(a.rule.name_span, "the same condition as this one"))
                    .with_help(
                        "keep one of the two rules (with both citations), or correct the \
                         condition that was meant to differ",
                    ),
                );
            }
        }
    }
}

/// How a rule keeps a case from `eligible`, for labels.
fn blocks(kind: RuleKind) -> &'static str {
    match kind {
        RuleKind::Require => "a case must meet this requirement",
        RuleKind::Exclude => "and must not be excluded by this",
        RuleKind::NotRequired => "and must not be exempted by this",
        RuleKind::Unavailable => "and must not be made unavailable by this",
        RuleKind::Warn => "",
    }
}

fn level_word(level: Option<DecisionKind>) -> &'static str {
    level.map_or("a warning", DecisionKind::as_str)
}

/// The variables a formula reads, sorted.
fn vars(f: &Formula) -> Vec<VarId> {
    let mut out = Vec::new();
    let mut stack = vec![f];
    while let Some(f) = stack.pop() {
        match f {
            Formula::Const(_) => {}
            Formula::Atom(v, _) => out.push(*v),
            Formula::Not(x) => stack.push(x),
            Formula::And(xs) | Formula::Or(xs) => stack.extend(xs.iter()),
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

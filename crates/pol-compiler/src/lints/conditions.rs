//! Conditions whose value never depends on the case: `contradiction` (W0503), `tautology`
//! (W0504), `redundant` (W0505) and `dead_exception` (W0506).
//!
//! Each part of a condition is judged *where it is tested*: a conjunct matters only when
//! the other conjuncts hold, a disjunct only when the other disjuncts fail, an exception
//! only when its exclusion's condition holds. A part that is always false (or always true)
//! there is reported once, at the outermost such part, with the few other conditions that
//! force it (a minimal core found by deletion).

use pol_syntax::ast::RuleKind;
use pol_syntax::codes;
use pol_syntax::{Diagnostic, Label, Span};

use crate::ir::*;
use crate::types::Type;

use super::logic::{Formula, Logic, Part, Sat};

pub(super) fn check(set: &PolicySet, logic: &mut Logic, out: &mut Vec<Diagnostic>) {
    let mut cx = Walk { logic, out };
    for l in &set.lets {
        if l.value.ty == Type::Bool {
            cx.condition(&l.value, Place::Let(l));
        }
    }
    for p in &set.policies {
        for r in &p.rules {
            cx.condition(&r.condition, Place::Rule(p, r));
            if let Some(e) = &r.unless {
                cx.exception(p, r, e);
            }
        }
        // Forms declared on one line share their `when`: judge it once.
        let mut seen: Vec<Span> = Vec::new();
        for f in &p.forms {
            if let Some(w) = &f.when {
                if !seen.contains(&w.span) {
                    seen.push(w.span);
                    cx.condition(w, Place::Form(p, f));
                }
            }
        }
        for v in &p.validities {
            if let Some(w) = &v.when {
                cx.condition(w, Place::Validity(p));
            }
        }
    }
}

/// Where a condition stands, for messages.
#[derive(Clone, Copy)]
enum Place<'a> {
    Rule(&'a PolicyDef, &'a RuleDef),
    /// The `unless` of an exclusion.
    Exception(&'a PolicyDef, &'a RuleDef),
    Let(&'a LetDef),
    Form(&'a PolicyDef, &'a FormDef),
    Validity(&'a PolicyDef),
}

impl Place<'_> {
    /// "the condition of `p.r`", for messages about a part of it.
    fn describe(self) -> String {
        match self {
            Place::Rule(p, r) => format!("the condition of `{}.{}`", p.name, r.name),
            Place::Exception(p, r) => format!("the exception of `{}.{}`", p.name, r.name),
            Place::Let(l) => format!("`let {}`", l.name),
            Place::Form(p, f) => format!("the condition of form `{}` in `{}`", f.form, p.name),
            Place::Validity(p) => format!("the condition of a validity of `{}`", p.name),
        }
    }
}

/// A condition analysed for the walk: its formula and, for `and`/`or`/`not`, its parts.
struct Node<'e> {
    expr: &'e TExpr,
    f: Formula,
    shape: Shape<'e>,
}

enum Shape<'e> {
    Leaf,
    Not(Box<Node<'e>>),
    And(Vec<Node<'e>>),
    Or(Vec<Node<'e>>),
}

impl<'e> Node<'e> {
    fn build(logic: &mut Logic, expr: &'e TExpr) -> Node<'e> {
        // Recursion follows the expression tree, whose depth the parser bounds; `let`s are
        // leaves here (the formula expands them).
        match &expr.kind {
            TExprKind::Not(x) => {
                let inner = Node::build(logic, x);
                Node { expr, f: inner.f.clone().negate(), shape: Shape::Not(Box::new(inner)) }
            }
            TExprKind::And(xs) => {
                let kids: Vec<Node> = xs.iter().map(|x| Node::build(logic, x)).collect();
                Node {
                    expr,
                    f: Formula::And(kids.iter().map(|k| k.f.clone()).collect()),
                    shape: Shape::And(kids),
                }
            }
            TExprKind::Or(xs) => {
                let kids: Vec<Node> = xs.iter().map(|x| Node::build(logic, x)).collect();
                Node {
                    expr,
                    f: Formula::Or(kids.iter().map(|k| k.f.clone()).collect()),
                    shape: Shape::Or(kids),
                }
            }
            _ => Node { expr, f: logic.formula(expr), shape: Shape::Leaf },
        }
    }
}

/// Why a condition that surrounds a part holds where the part is tested.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// And-ed with the part: holds.
    Beside,
    /// Or-ed with the part: fails (else the part would not matter).
    Alternative,
    /// The condition of the exclusion whose exception this is: holds.
    Condition,
}

#[derive(Clone, Copy)]
struct Given<'a> {
    f: &'a Formula,
    role: Role,
    span: Span,
}

impl<'a> Given<'a> {
    fn part(&self) -> Part<'a> {
        (self.f, self.role != Role::Alternative)
    }
}

/// What the walk found about a part.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Found {
    /// Always this value where it is tested (reported).
    Constant(bool),
    Open,
}

struct Walk<'l, 's, 'o> {
    logic: &'l mut Logic<'s>,
    out: &'o mut Vec<Diagnostic>,
}

impl Walk<'_, '_, '_> {
    fn condition(&mut self, e: &TExpr, place: Place) {
        let node = Node::build(self.logic, e);
        self.walk(&node, &mut Vec::new(), place, true);
    }

    /// An exception matters only when its exclusion's condition holds.
    fn exception(&mut self, p: &PolicyDef, r: &RuleDef, e: &TExpr) {
        let condition = Node::build(self.logic, &r.condition);
        // A condition that never holds is reported on its own; its exception then means
        // nothing either way.
        if self.logic.satisfiable(&[(&condition.f, true)]) != Sat::Yes {
            return;
        }
        let node = Node::build(self.logic, e);
        let mut given =
            vec![Given { f: &condition.f, role: Role::Condition, span: r.condition.span }];
        self.walk(&node, &mut given, Place::Exception(p, r), true);
    }

    fn walk<'n>(
        &mut self,
        node: &'n Node,
        given: &mut Vec<Given<'n>>,
        place: Place,
        root: bool,
    ) -> Found {
        for value in [false, true] {
            // `node` is always `value` where tested iff `given ∧ node ≠ value` has no model.
            let mut parts: Vec<Part> = given.iter().map(Given::part).collect();
            parts.push((&node.f, !value));
            match self.logic.satisfiable(&parts) {
                Sat::No => {
                    self.report(node, value, given, place, root);
                    return Found::Constant(value);
                }
                // Unsettled: say nothing, and do not look inside, where the context might
                // be contradictory without our knowing.
                Sat::Unknown => return Found::Open,
                Sat::Yes => {}
            }
        }
        match &node.shape {
            Shape::Leaf => {}
            Shape::Not(inner) => {
                self.walk(inner, given, place, false);
            }
            Shape::And(kids) => self.walk_siblings(kids, given, place, Role::Beside),
            Shape::Or(kids) => self.walk_siblings(kids, given, place, Role::Alternative),
        }
        Found::Open
    }

    /// Each of `kids` is tested where the others hold (`Beside`) or fail (`Alternative`).
    /// A sibling already reported as redundant is left out of the others' context, so that
    /// `x > 5 and x > 5` is reported once. Walking from the last makes the later copy the
    /// one reported.
    fn walk_siblings<'n>(
        &mut self,
        kids: &'n [Node],
        given: &mut Vec<Given<'n>>,
        place: Place,
        role: Role,
    ) {
        let mut dropped = vec![false; kids.len()];
        for i in (0..kids.len()).rev() {
            let before = given.len();
            for (j, k) in kids.iter().enumerate() {
                if j != i && !dropped.get(j).copied().unwrap_or(false) {
                    given.push(Given { f: &k.f, role, span: k.expr.span });
                }
            }
            let Some(kid) = kids.get(i) else { continue };
            let found = self.walk(kid, given, place, false);
            given.truncate(before);
            // A conjunct always true, or a disjunct always false, changes nothing.
            let redundant = match role {
                Role::Alternative => found == Found::Constant(false),
                _ => found == Found::Constant(true),
            };
            if redundant {
                if let Some(d) = dropped.get_mut(i) {
                    *d = true;
                }
            }
        }
    }

    fn report(&mut self, node: &Node, value: bool, given: &[Given], place: Place, root: bool) {
        let fixed = [(&node.f, !value)];
        let items: Vec<Part> = given.iter().map(Given::part).collect();
        let reasons: Vec<Given> = self
            .logic
            .core(&fixed, &items)
            .into_iter()
            .filter_map(|i| given.get(i).copied())
            .collect();
        let d = if reasons.is_empty() {
            self.constant(node, value, place, root)
        } else {
            in_context(node, value, &reasons, place)
        };
        self.out.push(d);
    }

    /// A part that is constant on its own.
    fn constant(&mut self, node: &Node, value: bool, place: Place, root: bool) -> Diagnostic {
        let (code, message, help) = if root {
            root_message(place, value)
        } else {
            let what = if value { "always true" } else { "never true" };
            (
                if value { codes::TAUTOLOGY } else { codes::CONTRADICTION },
                format!("a part of {} is {what}", place.describe()),
                format!(
                    "this part does not depend on the case; correct it, or remove it{}",
                    if value { "" } else { " (and what it guards)" }
                ),
            )
        };
        let culprits = culprits(self.logic, node, value);
        let d = |primary: Label| {
            Diagnostic::new(code, message.clone(), primary).with_help(help.clone())
        };
        match culprits.as_slice() {
            [one] => d(Label::new(one.expr.span, describe_constant(one.expr, value))),
            // More than a few parts would clutter the picture more than explain it.
            [first, .., last] if culprits.len() <= 3 => {
                let (others, verb) =
                    if culprits.len() == 2 { ("condition", "does") } else { ("conditions", "do") };
                let text = if value {
                    format!("covers every case the underlined {others} {verb} not")
                } else {
                    format!("cannot hold together with the underlined {others}")
                };
                let mut d = d(Label::new(last.expr.span, text));
                d = d.with_label(Label::new(first.expr.span, "this condition"));
                if let [_, middle, _] = culprits.as_slice() {
                    d = d.with_label(Label::new(middle.expr.span, "this condition"));
                }
                d
            }
            _ => d(Label::new(node.expr.span, describe_constant(node.expr, value))),
        }
    }
}

/// The few parts that make `node` constant on its own: the conjuncts that contradict each
/// other, the disjuncts that cover every case. A single culprit that is itself such a
/// conjunction or disjunction is looked into, so the labels land on the comparisons.
fn culprits<'n>(logic: &mut Logic, node: &'n Node<'n>, value: bool) -> Vec<&'n Node<'n>> {
    let mut at = node;
    // Each step goes one level down the expression tree, whose depth the parser bounds.
    loop {
        let kids = match (&at.shape, value) {
            (Shape::And(kids), false) | (Shape::Or(kids), true) => kids,
            _ => return vec![at],
        };
        let parts: Vec<Part> = kids.iter().map(|k| (&k.f, !value)).collect();
        let found: Vec<&Node> =
            logic.core(&[], &parts).into_iter().filter_map(|i| kids.get(i)).collect();
        match found.as_slice() {
            [one] => at = one,
            [] => return vec![at],
            _ => return found,
        }
    }
}

/// A part constant where it is tested because of `reasons`.
fn in_context(node: &Node, value: bool, reasons: &[Given], place: Place) -> Diagnostic {
    // An exception tested only against its exclusion's condition.
    let exception = match (place, reasons) {
        (Place::Exception(p, r), [g]) if g.role == Role::Condition => Some((p, r)),
        _ => None,
    };
    let (code, message, label, help) = match (exception, value) {
        (Some((p, r)), false) => (
            codes::DEAD_EXCEPTION,
            format!("the exception of `{}.{}` can never apply", p.name, r.name),
            "never true when the exclusion's condition holds",
            "an exception matters only for the cases its exclusion's condition covers, and \
             none of them meets it; correct the exception or remove the `unless`",
        ),
        (Some((p, r)), true) => (
            codes::CONTRADICTION,
            format!("exclusion `{}.{}` can never apply", p.name, r.name),
            "always true when the exclusion's condition holds",
            "every case the condition covers is excepted, so the rule excludes no one; \
             correct the exception or the condition",
        ),
        (None, false) if reasons.iter().all(|g| g.role != Role::Alternative) => (
            codes::CONTRADICTION,
            format!("a part of {} can never be true", place.describe()),
            "never true where it is tested",
            "it contradicts what it is combined with (underlined); correct the bounds or the \
             words",
        ),
        (None, true) => (
            codes::REDUNDANT,
            format!("a part of {} is always true where it is tested", place.describe()),
            "always true here",
            "the underlined condition already implies it; remove it, or correct it if \
             another bound was meant",
        ),
        (None, false) => (
            codes::REDUNDANT,
            format!("a part of {} never changes its result", place.describe()),
            "never decides",
            "whenever it holds, an underlined alternative holds too; remove it, or correct \
             it if another bound was meant",
        ),
    };
    let mut d = Diagnostic::new(code, message, Label::new(node.expr.span, label)).with_help(help);
    for g in reasons {
        let text = match (g.role, value) {
            (Role::Beside, false) => "it contradicts this",
            (Role::Beside, true) => "this already implies it",
            (Role::Alternative, false) => "this already covers it",
            (Role::Alternative, true) => "this covers every other case",
            (Role::Condition, false) => "the exclusion's condition",
            (Role::Condition, true) => "this condition implies the exception",
        };
        d = d.with_label(Label::new(g.span, text));
    }
    d
}

/// The label of a part that is constant on its own.
fn describe_constant(e: &TExpr, value: bool) -> String {
    let is_const = |x: &TExpr| matches!(x.kind, TExprKind::Lit(_) | TExprKind::Const(_));
    match &e.kind {
        TExprKind::InRange { low, high, .. } if !value && is_const(low) && is_const(high) => {
            "this range is empty".into()
        }
        TExprKind::InList(_, items) if !value && items.is_empty() => {
            "nothing is in an empty set".into()
        }
        TExprKind::Compare(_, l, r) if is_const(l) && is_const(r) => {
            format!("compares two constants: always {value}")
        }
        _ if value => "always true".into(),
        _ => "never true".into(),
    }
}

/// The message of a whole condition that is constant, by what it decides.
fn root_message(place: Place, value: bool) -> (codes::Code, String, String) {
    let code = if value { codes::TAUTOLOGY } else { codes::CONTRADICTION };
    let (message, help) = match (place, value) {
        (Place::Rule(p, r), _) => {
            let id = format!("`{}.{}`", p.name, r.name);
            match (r.kind, value) {
                (RuleKind::Require, false) => (
                    format!("requirement {id} can never be met"),
                    format!("no case meets it, so every case is ineligible under `{}`; correct the condition", p.name),
                ),
                (RuleKind::Require, true) => (
                    format!("requirement {id} always holds"),
                    "it never makes a case ineligible; correct the condition or remove the rule".into(),
                ),
                (RuleKind::Warn, false) => (
                    format!("warning {id} can never fire"),
                    "correct the condition or remove the warning".into(),
                ),
                (RuleKind::Warn, true) => (
                    format!("warning {id} fires for every case"),
                    "a warning that always fires tells nothing; correct the condition".into(),
                ),
                (kind, false) => (
                    format!("{} {id} can never apply", kind_noun(kind)),
                    "its condition holds for no case; correct the condition or remove the rule".into(),
                ),
                (kind, true) => (
                    format!("{} {id} applies to every case", kind_noun(kind)),
                    format!(
                        "every case that reaches it is {}; correct the condition",
                        match kind {
                            RuleKind::NotRequired => "not_required",
                            RuleKind::Unavailable => "unavailable",
                            _ => "ineligible",
                        }
                    ),
                ),
            }
        }
        (Place::Exception(p, r), false) => {
            return (
                codes::DEAD_EXCEPTION,
                format!("the exception of `{}.{}` can never apply", p.name, r.name),
                "it holds for no case; correct it or remove the `unless`".into(),
            )
        }
        (Place::Exception(p, r), true) => (
            format!("exclusion `{}.{}` can never apply", p.name, r.name),
            "its exception holds for every case, so it excludes no one; correct the exception"
                .into(),
        ),
        (Place::Let(l), _) => (
            format!("`let {}` is always {value}", l.name),
            format!("everything that uses it sees `{value}`; correct the condition"),
        ),
        (Place::Form(p, f), true) => (
            format!("the condition of form `{}` in `{}` always holds", f.form, p.name),
            "write the form without `when`, or correct the condition".into(),
        ),
        (Place::Form(p, f), false) => (
            format!("form `{}` of `{}` is never asked for", f.form, p.name),
            "its `when` holds for no case; correct the condition or remove the form".into(),
        ),
        (Place::Validity(p), true) => (
            format!("the condition of a validity of `{}` always holds", p.name),
            "write the validity without `when`, or correct the condition".into(),
        ),
        (Place::Validity(p), false) => (
            format!("a validity of `{}` never applies", p.name),
            "its `when` holds for no case; correct the condition or remove the line".into(),
        ),
    };
    (code, message, help)
}

fn kind_noun(kind: RuleKind) -> &'static str {
    match kind {
        RuleKind::Require => "requirement",
        RuleKind::Exclude => "exclusion",
        RuleKind::NotRequired => "exemption",
        RuleKind::Unavailable => "closure",
        RuleKind::Warn => "warning",
    }
}

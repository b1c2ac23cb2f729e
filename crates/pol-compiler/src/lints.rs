//! Lints: checks that find policies which compile but are probably wrong.

use pol_syntax::ast::WindowEventKind;
use pol_syntax::{Diagnostic, Label};

use crate::ir::*;
use crate::resolve::{Binding, Usage};

/// Runs every lint over a checked policy set.
pub fn lint(set: &PolicySet, usage: &Usage) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    unused(set, usage, &mut out);
    missing_citations(set, &mut out);
    out
}

fn unused(set: &PolicySet, usage: &Usage, out: &mut Vec<Diagnostic>) {
    let used = |b: Binding| usage.bindings.get(&b).copied().unwrap_or(0) > 0;
    let mut report = |what: &str, name: &str, span, help: &str| {
        out.push(
            Diagnostic::warning(
                "W0501",
                format!("{what} `{name}` is never used"),
                Label::new(span, "declared here"),
            )
            .with_help(help.to_string()),
        );
    };
    for (i, c) in set.consts.iter().enumerate() {
        if !used(Binding::Const(ConstId(i as u32))) {
            report("constant", &c.name, c.span, "use it in a rule or remove it");
        }
    }
    for (i, p) in set.params.iter().enumerate() {
        if !used(Binding::Param(ParamId(i as u32))) {
            report(
                "parameter",
                &p.name,
                p.span,
                "use it in a rule, form or validity, or remove it",
            );
        }
    }
    for (i, l) in set.lets.iter().enumerate() {
        if !used(Binding::Let(LetId(i as u32))) {
            report("`let`", &l.name, l.span, "use it in a rule or remove it");
        }
    }
    for (i, p) in set.programs.iter().enumerate() {
        if usage.programs.get(i).copied().unwrap_or(0) == 0 {
            report(
                "program",
                &p.name,
                p.span,
                "tie a policy to it with `program NAME` or remove it",
            );
        }
    }
    let _ = set.facts.iter();
}

fn missing_citations(set: &PolicySet, out: &mut Vec<Diagnostic>) {
    let mut report = |what: String, span| {
        out.push(
            Diagnostic::warning(
                "W0502",
                format!("{what} has no citation"),
                Label::new(span, "add `cite \"...\"` here"),
            )
            .with_help("every rule and date names its legal source: `cite \"seed 001: ...\"`"),
        );
    };
    for p in &set.policies {
        for r in &p.rules {
            if r.cite.is_none() {
                report(format!("rule `{}.{}`", p.name, r.name), r.span);
            }
        }
        for f in &p.forms {
            if f.cite.is_none() {
                report(format!("form `{}` of `{}`", f.form, p.name), f.span);
            }
        }
        for v in &p.validities {
            if v.cite.is_none() {
                report(format!("the validity of `{}`", p.name), v.span);
            }
        }
    }
    for prog in &set.programs {
        for edge in prog.opened.iter().chain(prog.closed.iter()) {
            if edge.cite.is_none() {
                let kind = match edge.kind {
                    WindowEventKind::Opened => "opening",
                    _ => "closing",
                };
                report(
                    format!("the {kind} date of program `{}`", prog.name),
                    edge.span,
                );
            }
        }
    }
    for c in &set.consts {
        if c.cite.is_none() && matches!(c.ty, crate::types::Type::Date) {
            report(format!("date `{}`", c.name), c.span);
        }
    }
    for p in &set.params {
        for v in &p.values {
            if v.cite.is_none() {
                report(format!("a value of parameter `{}`", p.name), v.span);
            }
        }
    }
}

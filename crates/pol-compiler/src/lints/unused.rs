//! `unused` (W0501): declarations nothing reads.

use pol_syntax::codes;
use pol_syntax::{Diagnostic, Label, Span};

use crate::ir::*;
use crate::resolve::Usage;

pub(super) fn check(set: &PolicySet, usage: &Usage, out: &mut Vec<Diagnostic>) {
    let used = |b: Binding| usage.bindings.get(&b).copied().unwrap_or(0) > 0;
    let mut report = |what: &str, name: &str, span: Span, help: &str| {
        out.push(
            Diagnostic::new(
                codes::UNUSED,
                format!("{what} `{name}` is never used"),
                Label::new(span, "declared here"),
            )
            .with_help(help.to_string()),
        );
    };
    for (id, f) in set.facts.iter_enumerated() {
        if !used(Binding::Fact(id)) {
            report(
                "fact",
                &f.path,
                f.span,
                "no rule, `let`, form or validity reads it; remove it, or keep it with \
                 `#[allow(unused, reason = \"...\")]` if the case contract defines it",
            );
        }
    }
    for (id, c) in set.consts.iter_enumerated() {
        if !used(Binding::Const(id)) {
            report("constant", &c.name, c.span, "use it in a rule or remove it");
        }
    }
    for (id, p) in set.params.iter_enumerated() {
        if !used(Binding::Param(id)) {
            report(
                "parameter",
                &p.name,
                p.span,
                "use it in a rule, form or validity, or remove it",
            );
        }
    }
    for (id, l) in set.lets.iter_enumerated() {
        if !used(Binding::Let(id)) {
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
}

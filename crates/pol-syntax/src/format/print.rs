//! The canonical layout of each construct, as a [`Doc`].

use super::doc::{concat, group, nest, text, Doc};
use crate::ast::*;

/// Binding strength, loosest first; an operand weaker than its place is parenthesised.
fn precedence(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Or(_) => 1,
        ExprKind::And(_) => 2,
        ExprKind::Not(..) => 3,
        ExprKind::Compare(..) | ExprKind::In { .. } | ExprKind::InRange { .. } => 4,
        ExprKind::Sum(..) => 5,
        _ => 6,
    }
}

pub fn expr(e: &Expr, min: u8) -> Doc {
    let doc = match &e.kind {
        ExprKind::Bool(b) => text(b.to_string()),
        ExprKind::Int(i) => text(i.to_string()),
        ExprKind::Date(d) => text(d.to_string()),
        ExprKind::Duration(n, unit) => {
            let word = match (n.abs() == 1, unit) {
                (true, Unit::Days) => "day",
                (true, Unit::Months) => "month",
                (true, Unit::Years) => "year",
                (false, u) => u.plural(),
            };
            text(format!("{n} {word}"))
        }
        ExprKind::Str(s) => text(string(s)),
        ExprKind::Name(n) => text(n.clone()),
        ExprKind::Set(items) => set(items),
        ExprKind::Not(count, inner) => {
            let mut parts = vec![text("not ".repeat(*count as usize))];
            parts.push(expr(inner, 4));
            concat(parts)
        }
        ExprKind::Or(items) => chain("or", items, 2),
        ExprKind::And(items) => chain("and", items, 3),
        ExprKind::Compare(op, l, r) => {
            concat(vec![expr(l, 5), text(format!(" {} ", op.symbol())), expr(r, 5)])
        }
        ExprKind::In { negated, element, collection } => concat(vec![
            expr(element, 5),
            text(if *negated { " not in " } else { " in " }),
            expr(collection, 5),
        ]),
        ExprKind::InRange { negated, element, low, high, inclusive } => concat(vec![
            expr(element, 5),
            text(if *negated { " not in " } else { " in " }),
            expr(low, 5),
            text(if *inclusive { "..=" } else { ".." }),
            expr(high, 5),
        ]),
        ExprKind::Sum(first, rest) => {
            let mut parts = vec![expr(first, 6)];
            for (op, term) in rest {
                parts.push(text(if *op == AddOp::Add { " + " } else { " - " }));
                parts.push(expr(term, 6));
            }
            concat(parts)
        }
    };
    if precedence(e) < min {
        concat(vec![text("("), doc, text(")")])
    } else {
        doc
    }
}

/// `a or b or c`: on one line, or one operand a line with the operator leading.
fn chain(op: &str, items: &[Expr], min: u8) -> Doc {
    let mut parts = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            parts.push(Doc::Line);
            parts.push(text(format!("{op} ")));
        }
        parts.push(expr(item, min));
    }
    group(concat(parts))
}

/// `{a, b}` on one line, or members filling lines inside the braces.
fn set(items: &[Expr]) -> Doc {
    if items.is_empty() {
        return text("{}");
    }
    let members = fill(items.iter().map(|i| expr(i, 1)).collect());
    group(concat(vec![
        text("{"),
        nest(2, concat(vec![Doc::SoftLine, members, Doc::IfBreak(",")])),
        Doc::SoftLine,
        text("}"),
    ]))
}

/// Items separated by `, `, each moving to the next line only when it does not fit.
fn fill(items: Vec<Doc>) -> Doc {
    let mut parts = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        if i == 0 {
            parts.push(item);
        } else {
            parts.push(text(","));
            parts.push(group(concat(vec![Doc::Line, item])));
        }
    }
    concat(parts)
}

pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A trailing part that moves to its own line (indented by `indent`) when the line is full.
fn tail(indent: usize, doc: Doc) -> Doc {
    nest(indent, concat(vec![Doc::Line, doc]))
}

fn cite(c: &Option<Citation>, indent: usize) -> Doc {
    match c {
        Some(c) => tail(indent, text(format!("cite {}", string(&c.text)))),
        None => concat(Vec::new()),
    }
}

fn doc_string(d: &Option<crate::Spanned<String>>, indent: usize) -> Doc {
    match d {
        Some(d) => tail(indent, text(string(&d.node))),
        None => concat(Vec::new()),
    }
}

fn type_expr(t: &TypeExpr) -> String {
    match t {
        TypeExpr::Named(n) => n.node.clone(),
        TypeExpr::SetOf(n) => format!("set of {}", n.node),
    }
}

pub fn attribute(a: &Attribute) -> Doc {
    let mut parts: Vec<String> = a.lints.iter().map(|l| l.node.clone()).collect();
    if let Some(r) = &a.reason {
        parts.push(format!("reason = {}", string(&r.node)));
    }
    text(format!("#[allow({})]", parts.join(", ")))
}

/// A top-level declaration (without its attributes or the policy body's comments, which
/// the caller lays out).
pub fn item(kind: &ItemKind) -> Doc {
    match kind {
        ItemKind::Import(i) => text(format!("import {}", string(&i.path.node))),
        ItemKind::Enum(e) => {
            let words = concat(vec![
                Doc::Line,
                fill(e.words.iter().map(|w| text(w.node.clone())).collect()),
                Doc::IfBreak(","),
            ]);
            concat(vec![
                group(concat(vec![
                    text(format!("enum {} {{", e.name.node)),
                    nest(2, words),
                    Doc::Line,
                    text("}"),
                ])),
                group(doc_string(&e.doc, 2)),
            ])
        }
        ItemKind::Fact(f) => group(concat(vec![
            text(format!(
                "{}fact {}: {}",
                if f.fixed { "fixed " } else { "" },
                f.path.node,
                type_expr(&f.ty)
            )),
            doc_string(&f.doc, 2),
        ])),
        ItemKind::Constraint(c) => {
            let body = match &c.body {
                ConstraintBody::Condition(e) => expr(e, 1),
                ConstraintBody::Pattern { fact, pattern } => {
                    text(format!("{} matches {}", fact.node, string(&pattern.node)))
                }
            };
            group(concat(vec![
                group(concat(vec![text(format!("constraint {}:", c.name.node)), tail(2, body)])),
                tail(2, text(format!("{} {}", c.basis.keyword(), string(c.basis.text())))),
            ]))
        }
        ItemKind::Const(c) => group(concat(vec![
            text(format!("const {} = ", c.name.node)),
            expr(&c.value, 1),
            cite(&c.cite, 2),
        ])),
        ItemKind::Let(l) => group(concat(vec![
            text(format!("let {} =", l.name.node)),
            nest(2, concat(vec![Doc::Line, expr(&l.value, 1)])),
            cite(&l.cite, 2),
        ])),
        ItemKind::Param(p) => {
            let mut body = Vec::new();
            for v in &p.values {
                body.push(Doc::HardLine);
                body.push(group(concat(vec![
                    text(format!("from {} = ", v.from.node)),
                    expr(&v.value, 1),
                    cite(&v.cite, 2),
                ])));
            }
            block(
                group(concat(vec![
                    text(format!("param {}: {}", p.name.node, type_expr(&p.ty))),
                    doc_string(&p.doc, 2),
                ])),
                body,
            )
        }
        ItemKind::Program(p) => {
            let mut body = Vec::new();
            for ev in &p.events {
                let date = match &ev.date {
                    WindowDate::Literal(d) => d.node.to_string(),
                    WindowDate::Named(n) => n.node.clone(),
                };
                body.push(Doc::HardLine);
                body.push(group(concat(vec![
                    text(format!("{} {date}", ev.kind.node.keyword())),
                    cite(&ev.cite, 2),
                ])));
            }
            block(
                group(concat(vec![
                    text(format!("program {}", p.name.node)),
                    doc_string(&p.doc, 2),
                ])),
                body,
            )
        }
        // Policies are laid out by the caller, which interleaves their comments.
        ItemKind::Policy(p) => policy_head(p),
        // The caller keeps a broken declaration as written (and a file with one is never
        // formatted); there is nothing to lay out.
        ItemKind::Broken(_) => {
            debug_assert!(false, "a broken declaration reached the layout");
            text("")
        }
    }
}

/// `HEAD {` + body lines + `}`, or `HEAD {}` when empty.
fn block(head: Doc, body: Vec<Doc>) -> Doc {
    if body.is_empty() {
        return concat(vec![head, text(" {}")]);
    }
    concat(vec![head, text(" {"), nest(2, concat(body)), Doc::HardLine, text("}")])
}

/// `policy NAME "question" {`.
pub fn policy_head(p: &PolicyDecl) -> Doc {
    // The question stays on the head line however long: it is one string.
    let question = p.doc.as_ref().map_or(String::new(), |d| format!(" {}", string(&d.node)));
    text(format!("policy {}{question} {{", p.name.node))
}

/// One line of a policy body.
pub fn policy_item(kind: &PolicyItemKind) -> Doc {
    match kind {
        PolicyItemKind::Program(u) => {
            let mut parts = vec![text(format!("program {}", u.program.node))];
            if let Some(at) = &u.at {
                parts.push(text(" at "));
                parts.push(expr(at, 1));
            }
            parts.push(cite(&u.cite, 2));
            group(concat(parts))
        }
        PolicyItemKind::Forms(f) => {
            let names: Vec<&str> = f.forms.iter().map(|n| n.node.as_str()).collect();
            let mut head = vec![text(format!("form {}", names.join(", ")))];
            if let Some(w) = &f.when {
                head.push(tail(2, concat(vec![text("when "), expr(w, 1)])));
            }
            group(concat(vec![group(concat(head)), cite(&f.cite, 2)]))
        }
        PolicyItemKind::Validity(v) => {
            let mut head = vec![text("validity "), expr(&v.value, 1)];
            if let Some(w) = &v.when {
                head.push(tail(2, concat(vec![text("when "), expr(w, 1)])));
            }
            group(concat(vec![group(concat(head)), cite(&v.cite, 2)]))
        }
        PolicyItemKind::Rule(r) => {
            // `kind name: condition` stays together when it fits; `unless` and `cite` move
            // to their own lines first.
            let mut parts = vec![group(concat(vec![
                text(format!("{} {}:", r.kind.node.keyword(), r.name.node)),
                tail(2, expr(&r.condition, 1)),
            ]))];
            if let Some(u) = &r.unless {
                parts.push(tail(2, concat(vec![text("unless "), expr(u, 1)])));
            }
            parts.push(cite(&r.cite, 2));
            if let Some(s) = &r.says {
                parts.push(tail(2, text(format!("says {}", string(&s.text)))));
            }
            group(concat(parts))
        }
    }
}

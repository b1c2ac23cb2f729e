//! Case constraints: each `constraint` checked (a condition, or a pattern a string fact's
//! whole value fits), with its citation or reason.

use std::collections::HashMap;

use pol_syntax::ast::{self, ItemKind};
use pol_syntax::codes;
use pol_syntax::{Diagnostic, Label, Span};

use super::{file_items, Checker};
use crate::ir::*;
use crate::types::Type;

impl<'a> Checker<'a> {
    /// Checks every `constraint`: a condition over the case, or a pattern on a string fact.
    pub(super) fn check_constraints(&mut self, files: &[Option<ast::SourceFile>]) {
        let mut names: HashMap<String, Span> = HashMap::new();
        let mut patterned: HashMap<FactId, Span> = HashMap::new();
        for (file, item) in file_items(files) {
            let ItemKind::Constraint(c) = &item.kind else {
                continue;
            };
            if !self.is_first("constraint", &c.name, names.get(&c.name.node).copied()) {
                continue;
            }
            names.insert(c.name.node.clone(), c.name.span);
            let kind = match &c.body {
                ast::ConstraintBody::Condition(e) => {
                    match self.check_typed(e, file, Type::Bool, "a constraint") {
                        Some(te) => ConstraintKind::Condition(te),
                        None => continue,
                    }
                }
                ast::ConstraintBody::Pattern { fact, pattern } => {
                    let Some(te) = self.check_name_expr(fact, file) else {
                        continue;
                    };
                    let TExprKind::Fact(f) = te.kind else {
                        self.error(
                            Diagnostic::new(
                                codes::WRONG_TYPE,
                                format!("`{}` is not a fact", fact.node),
                                Label::new(fact.span, "a pattern applies to a string fact"),
                            )
                            .with_help("write `FACT matches \"PATTERN\"` with a `string` fact"),
                        );
                        continue;
                    };
                    if te.ty != Type::Str {
                        let found = self.set.type_name(te.ty);
                        self.error(
                            Diagnostic::new(
                                codes::WRONG_TYPE,
                                format!("a pattern applies to a string fact, and `{}` is {found}", fact.node),
                                Label::new(fact.span, format!("this is {found}")),
                            )
                            .with_help("state a range or a set of values instead: `FACT >= 0`, `FACT in {...}`"),
                        );
                        continue;
                    }
                    if let Some(first) = patterned.get(&f) {
                        let first = *first;
                        self.error(
                            Diagnostic::new(
                                codes::BAD_PATTERN,
                                format!("`{}` already has a pattern", fact.node),
                                Label::new(pattern.span, "a second pattern"),
                            )
                            .with_label(Label::new(first, "the first pattern"))
                            .with_help(
                                "write one pattern that states the whole shape of the value",
                            ),
                        );
                        continue;
                    }
                    let parsed = match crate::pattern::Pattern::parse(&pattern.node) {
                        Ok(p) => p,
                        Err(why) => {
                            self.error(
                                Diagnostic::new(
                                    codes::BAD_PATTERN,
                                    format!("the pattern `{}` is malformed: {why}", pattern.node),
                                    Label::new(pattern.span, "not a pattern"),
                                )
                                .with_help("a pattern is characters and classes like `[A-Z]`, each optionally repeated: `[A-Z]{2}`"),
                            );
                            continue;
                        }
                    };
                    patterned.insert(f, pattern.span);
                    ConstraintKind::Pattern {
                        fact: f,
                        pattern: parsed,
                        text: pattern.node.clone(),
                        fact_span: fact.span,
                    }
                }
            };
            let basis = match &c.basis {
                ast::Basis::Cite(x) => Basis::Cite(Cite { text: x.text.clone(), span: x.span }),
                ast::Basis::Because(x) => {
                    Basis::Because(Cite { text: x.text.clone(), span: x.span })
                }
            };
            self.set.constraints.push(ConstraintDef {
                name: c.name.node.clone(),
                kind,
                basis,
                span: item.span,
                name_span: c.name.span,
            });
        }
    }
}

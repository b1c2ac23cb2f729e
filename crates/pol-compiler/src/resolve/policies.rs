//! Policies: each policy's rules, forms, validities and window, checked in the scope of its
//! file.

use std::collections::HashMap;

use pol_syntax::ast::{self, ItemKind, PolicyItemKind, Unit};
use pol_syntax::codes;
use pol_syntax::{Diagnostic, FileId, Label, Span};

use super::{cite, file_items, Checker};
use crate::ir::*;
use crate::types::Type;

impl<'a> Checker<'a> {
    pub(super) fn check_policies(&mut self, files: &[Option<ast::SourceFile>]) {
        let mut seen: HashMap<String, Span> = HashMap::new();
        for (file, item) in file_items(files) {
            let ItemKind::Policy(p) = &item.kind else {
                continue;
            };
            if !self.is_first("policy", &p.name, seen.get(&p.name.node).copied()) {
                continue;
            }
            seen.insert(p.name.node.clone(), p.name.span);
            let def = self.check_policy(file, p, item.span);
            self.set.policies.push(def);
        }
    }

    pub(super) fn check_policy(
        &mut self,
        file: FileId,
        p: &ast::PolicyDecl,
        span: Span,
    ) -> PolicyDef {
        let mut def = PolicyDef {
            name: p.name.node.clone(),
            doc: p.doc.as_ref().map(|d| d.node.clone()),
            window: None,
            forms: Vec::new(),
            validities: Vec::new(),
            rules: Vec::new(),
            span,
            name_span: p.name.span,
        };
        let mut rule_names: HashMap<String, Span> = HashMap::new();
        for item in &p.items {
            let line = self.without_attrs(item.span, &item.attrs);
            match &item.kind {
                PolicyItemKind::Program(u) => {
                    if let Some(w) = &def.window {
                        let first = w.span;
                        self.error(
                            Diagnostic::new(
                                codes::CONFLICTING_WINDOW,
                                format!("policy `{}` names more than one program", p.name.node),
                                Label::new(line, "second program"),
                            )
                            .with_label(Label::new(first, "first program"))
                            .with_help("a policy belongs to at most one program"),
                        );
                        continue;
                    }
                    let Some(program) = self.lookup_program(file, &u.program) else {
                        continue;
                    };
                    let Some(at) = self.check_clause(
                        u.at.as_ref(),
                        file,
                        Type::Date,
                        "the date a program window is read at",
                    ) else {
                        continue;
                    };
                    // `program NAME [at DATE]`, without the citation, is what explanations underline.
                    let end = at.as_ref().map_or(u.program.span, |a| a.span);
                    def.window = Some(ProgramWindow {
                        program,
                        at,
                        cite: cite(&u.cite),
                        span: line.to(end).with_end(end.end),
                    });
                }
                PolicyItemKind::Forms(f) => {
                    let Some(when) =
                        self.check_clause(f.when.as_ref(), file, Type::Bool, "a form condition")
                    else {
                        continue;
                    };
                    for form in &f.forms {
                        def.forms.push(FormDef {
                            form: form.node.clone(),
                            when: when.clone(),
                            cite: cite(&f.cite),
                            span: line,
                        });
                    }
                }
                PolicyItemKind::Validity(v) => {
                    let Some(value) = self.check_expr(&v.value, file) else {
                        continue;
                    };
                    if value.ty != Type::Duration(Unit::Days) {
                        let found = self.set.type_name(value.ty);
                        let help = match value.ty {
                            Type::Duration(Unit::Years) => "a validity is a number of days: write `365 days` rather than `1 year`",
                            Type::Duration(Unit::Months) => "a validity is a number of days: write `180 days` rather than `6 months`",
                            Type::Int => "add the unit: `365 days`",
                            _ => "a validity is a duration in days, like `365 days`",
                        };
                        self.error(
                            Diagnostic::new(
                                codes::UNIT_MISMATCH,
                                format!("a validity must be in days, but this is {found}"),
                                Label::new(value.span, format!("this is {found}")),
                            )
                            .with_help(help),
                        );
                        continue;
                    }
                    let Some(when) = self.check_clause(
                        v.when.as_ref(),
                        file,
                        Type::Bool,
                        "a validity condition",
                    ) else {
                        continue;
                    };
                    def.validities.push(ValidityDef {
                        value,
                        when,
                        cite: cite(&v.cite),
                        span: line,
                    });
                }
                PolicyItemKind::Rule(r) => {
                    if let Some(first) = rule_names.get(&r.name.node) {
                        let first = *first;
                        self.duplicate("rule", &r.name.node, r.name.span, first);
                        continue;
                    }
                    rule_names.insert(r.name.node.clone(), r.name.span);
                    let cond = self.check_typed(&r.condition, file, Type::Bool, "a rule condition");
                    let unless = self.check_clause(
                        r.unless.as_ref(),
                        file,
                        Type::Bool,
                        "an `unless` exception",
                    );
                    if r.unless.is_some() && r.kind.node != ast::RuleKind::Exclude {
                        self.error(
                            Diagnostic::new(
                                codes::UNLESS_ON_NON_EXCLUSION,
                                format!(
                                    "`unless` only applies to `exclude` rules, not `{}`",
                                    r.kind.node.keyword()
                                ),
                                Label::new(r.kind.span, "not an exclusion"),
                            )
                            .with_help(
                                "fold the exception into the condition with `and not (...)`",
                            ),
                        );
                        continue;
                    }
                    if let Some(s) = &r.says {
                        if let Some(problem) = sentence_problem(&s.text) {
                            self.error(
                                Diagnostic::new(
                                    codes::BAD_SENTENCE,
                                    format!("the sentence of `{}` {problem}", r.name.node),
                                    Label::new(s.span, "not one sentence"),
                                )
                                .with_help(
                                    "write the rule's reason as one sentence for the applicant, \
                                     like `says \"You are in removal proceedings.\"`, or leave \
                                     `says` out",
                                ),
                            );
                        }
                    }
                    let (Some(condition), Some(unless)) = (cond, unless) else {
                        continue;
                    };
                    def.rules.push(RuleDef {
                        kind: r.kind.node,
                        name: r.name.node.clone(),
                        condition,
                        unless,
                        cite: cite(&r.cite),
                        says: r.says.as_ref().map(|s| s.text.trim().to_string()),
                        span: line,
                        name_span: r.name.span,
                    });
                }
            }
        }
        def
    }
}

/// What is wrong with a rule's `says` sentence, if anything: it is shown on one line as the
/// rule's reason, so it must say something and fit on a line.
fn sentence_problem(text: &str) -> Option<&'static str> {
    if text.trim().is_empty() {
        Some("is empty")
    } else if text.contains(['\n', '\r']) {
        Some("spans several lines")
    } else {
        None
    }
}

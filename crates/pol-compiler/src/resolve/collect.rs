//! Collection: every enum, fact, constant, parameter and `let` is declared (and its type
//! resolved) before any body is checked, so declaration order does not matter.

use pol_syntax::ast::{self, ItemKind, TypeExpr, Unit};
use pol_syntax::codes;
use pol_syntax::{Diagnostic, FileId, Label};

use super::deferred::Deferred;
use super::{cite, file_items, Binding, Checker};
use crate::ir::*;
use crate::suggest::did_you_mean;
use crate::symbols::Declared;
use crate::types::Type;
use crate::value::{Day, Value};

impl<'a> Checker<'a> {
    pub(super) fn collect_enums(&mut self, files: &[Option<ast::SourceFile>]) {
        for (file, item) in file_items(files) {
            let ItemKind::Enum(e) = &item.kind else {
                continue;
            };
            let first = self.types.get(&e.name.node).map(|(_, _, span)| *span);
            if !self.is_first("enum", &e.name, first) {
                continue;
            }
            if e.words.len() > 64 {
                self.error(
                    Diagnostic::new(
                        codes::ENUM_TOO_LARGE,
                        format!(
                            "enum `{}` has {} words; at most 64 are supported",
                            e.name.node,
                            e.words.len()
                        ),
                        Label::new(e.name.span, "too many words"),
                    )
                    .with_help("split the enum into smaller ones"),
                );
                continue;
            }
            let mut words: Vec<String> = Vec::new();
            let mut spans = Vec::new();
            for w in &e.words {
                if let Some(i) = words.iter().position(|x| *x == w.node) {
                    let first = spans.get(i).copied().unwrap_or(w.span);
                    self.duplicate("enum word", &w.node, w.span, first);
                    continue;
                }
                words.push(w.node.clone());
                spans.push(w.span);
            }
            let id = self.set.enums.push(EnumDef {
                name: e.name.node.clone(),
                words,
                word_spans: spans,
                span: e.name.span,
            });
            self.types.insert(e.name.node.clone(), (id, file, e.name.span));
        }
    }

    /// The type fact or parameter `name` is declared with. A value of a broken type is
    /// broken too: its name is poisoned, so that its uses are not new errors.
    fn declared_type(&mut self, file: FileId, name: &str, ty: &TypeExpr) -> Option<Type> {
        let resolved = self.resolve_type(file, ty);
        if resolved.is_none() {
            self.poisoned.untyped(name);
        }
        resolved
    }

    fn resolve_type(&mut self, file: FileId, ty: &TypeExpr) -> Option<Type> {
        let (name, is_set) = match ty {
            TypeExpr::Named(n) => (n, false),
            TypeExpr::SetOf(n) => (n, true),
        };
        let builtin = match name.node.as_str() {
            "bool" => Some(Type::Bool),
            "integer" => Some(Type::Int),
            "date" => Some(Type::Date),
            "days" => Some(Type::Duration(Unit::Days)),
            "months" => Some(Type::Duration(Unit::Months)),
            "years" => Some(Type::Duration(Unit::Years)),
            "string" => Some(Type::Str),
            _ => None,
        };
        if let (Some(t), false) = (builtin, is_set) {
            return Some(t);
        }
        match self.types.get(&name.node) {
            Some((id, declared, _)) if self.is_visible(file, *declared) => {
                let id = *id;
                self.refer(name.span, Declared::Enum(id));
                Some(if is_set { Type::Set(id) } else { Type::Enum(id) })
            }
            found => {
                let hidden = found.is_some();
                // Poisoned: the parser reported why this type is missing or not visible.
                if self.poisoned.ty(&name.node) || self.poisoned.hides(file, hidden) {
                    return None;
                }
                let mut candidates: Vec<&str> = self.types.keys().map(String::as_str).collect();
                if !is_set {
                    candidates
                        .extend(["bool", "integer", "date", "days", "months", "years", "string"]);
                }
                let suggestion = did_you_mean(&name.node, candidates).map(str::to_string);
                let mut d = Diagnostic::new(
                    codes::UNKNOWN_TYPE,
                    format!("unknown type `{}`", name.node),
                    Label::new(
                        name.span,
                        if hidden { "declared in a file not imported here" } else { "not a type" },
                    ),
                );
                d = match (hidden, suggestion) {
                    (true, _) => d.with_help("add an `import` of the file that declares it"),
                    (false, Some(s)) => d.with_did_you_mean(name.span, &s),
                    (false, None) if is_set => d.with_help("`set of` takes the name of an enum"),
                    (false, None) => d.with_help(
                        "types are bool, integer, date, days, months, years, string, an enum name or `set of` an enum name",
                    ),
                };
                self.error(d);
                None
            }
        }
    }

    pub(super) fn collect_values(&mut self, files: &'a [Option<ast::SourceFile>]) {
        // Facts first, so constants may not shadow them silently.
        for (file, item) in file_items(files) {
            let ItemKind::Fact(f) = &item.kind else {
                continue;
            };
            let Some(ty) = self.declared_type(file, &f.path.node, &f.ty) else {
                continue;
            };
            let id = self.set.facts.next_id();
            if self.declare_value(&f.path, Binding::Fact(id), file) {
                self.set.facts.push(FactDef {
                    path: f.path.node.clone(),
                    ty,
                    doc: f.doc.as_ref().map(|d| d.node.clone()),
                    fixed: f.fixed,
                    span: f.path.span,
                });
            }
        }
        // Declare every constant, parameter and `let` before checking any body, so bodies
        // may name declarations in any order and any file.
        let mut params = Vec::new();
        for (file, item) in file_items(files) {
            match &item.kind {
                ItemKind::Const(c) => {
                    let id = self.set.consts.next_id();
                    if self.declare_value(&c.name, Binding::Const(id), file) {
                        self.deferred_consts.push(Deferred::new(&c.value, file));
                        self.set.consts.push(ConstDef {
                            name: c.name.node.clone(),
                            // Replaced by the checked value in `check_const`.
                            ty: Type::Bool,
                            value: Value::Bool(false),
                            cite: cite(&c.cite),
                            span: c.name.span,
                        });
                    }
                }
                ItemKind::Param(p) => {
                    let Some(ty) = self.declared_type(file, &p.name.node, &p.ty) else {
                        continue;
                    };
                    let id = self.set.params.next_id();
                    if self.declare_value(&p.name, Binding::Param(id), file) {
                        self.set.params.push(ParamDef {
                            name: p.name.node.clone(),
                            ty,
                            doc: p.doc.as_ref().map(|d| d.node.clone()),
                            values: Vec::new(),
                            span: p.name.span,
                        });
                        params.push((id, p, file));
                    }
                }
                ItemKind::Let(l) => {
                    let id = self.set.lets.next_id();
                    if self.declare_value(&l.name, Binding::Let(id), file) {
                        self.deferred_lets.push(Deferred::new(&l.value, file));
                        self.set.lets.push(LetDef {
                            name: l.name.node.clone(),
                            // Replaced by the checked body in `check_let`.
                            value: TExpr {
                                kind: TExprKind::Lit(Value::Bool(false)),
                                ty: Type::Bool,
                                span: l.value.span,
                            },
                            cite: cite(&l.cite),
                            span: l.name.span,
                        });
                    }
                }
                _ => {}
            }
        }
        // `deferred_consts` holds a body per constant, pushed with it.
        for id in self.set.consts.ids() {
            self.check_const(id);
        }
        for (id, p, file) in params {
            let values = self.param_values(id, p, file);
            if let Some(def) = self.set.params.get_mut(id) {
                def.values = values;
            }
        }
        // `deferred_lets` holds a body per `let`, pushed with it.
        for id in self.set.lets.ids() {
            self.check_let(id);
        }
    }

    pub(super) fn param_values(
        &mut self,
        id: ParamId,
        p: &ast::ParamDecl,
        file: FileId,
    ) -> Vec<DatedValue> {
        let ty = self.set.params.get(id).map_or(Type::Bool, |d| d.ty);
        let mut values = Vec::new();
        for v in &p.values {
            let Some(te) = self.check_expr(&v.value, file) else {
                continue;
            };
            if te.ty != ty {
                let found = self.set.type_name(te.ty);
                let want = self.set.type_name(ty);
                self.error(
                    Diagnostic::new(
                        codes::WRONG_TYPE,
                        format!(
                            "parameter `{}` is declared {want} but this value is {found}",
                            p.name.node
                        ),
                        Label::new(te.span, format!("this is {found}")),
                    )
                    .with_label(Label::new(p.ty.span(), "declared type"))
                    .with_help(format!("give a value of type {want}")),
                );
                continue;
            }
            let Some(value) = self.const_value(&te) else {
                continue;
            };
            values.push(DatedValue {
                from: Day::from_date(v.from.node),
                value,
                cite: cite(&v.cite),
                span: v.span,
            });
        }
        values
    }
}

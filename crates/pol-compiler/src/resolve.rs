//! Name resolution: from parsed files to the typed [`PolicySet`].
//!
//! Declarations are collected from every file first (so order does not matter), then each
//! body is type checked in the scope of its own file: its own declarations and those of the
//! files it imports. Errors never stop the pass; every problem is reported.

use pol_syntax::codes;
use std::collections::HashMap;

use pol_syntax::ast::{self, ItemKind, PolicyItemKind, TypeExpr, Unit, WindowDate};
use pol_syntax::{Diagnostic, FileId, Label, Span};

use crate::ir::*;
use crate::source::SourceMap;
use crate::suggest::did_you_mean;
use crate::symbols::{self, Declared, SymbolIndex};
use crate::types::Type;
use crate::value::{Day, Value};

mod poisoned;
use poisoned::Poisoned;

/// What a value name refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Binding {
    Fact(FactId),
    Const(ConstId),
    Let(LetId),
    Param(ParamId),
}

/// Where each declaration is used, for the unused-declaration lints.
#[derive(Clone, Debug, Default)]
pub struct Usage {
    pub bindings: HashMap<Binding, u32>,
    pub programs: Vec<u32>,
}

/// The result of resolution and type checking.
pub struct Resolved {
    pub set: PolicySet,
    pub usage: Usage,
    pub diagnostics: Vec<Diagnostic>,
    /// Declarations and what each resolved name refers to, for editors.
    pub index: SymbolIndex,
}

/// How deep definitions (`let`s and constants) may be nested through each other before the
/// checker stops: it recurses through them, so the depth is bounded.
pub const MAX_DEFINITION_DEPTH: usize = 256;

/// How deep one expression may be, counting through the `let`s it uses (a `let` counts as
/// deep as its body) and one level per term of a sum. Lowering, constant folding,
/// and cloning or dropping the typed IR all recurse over expressions, so this bounds their
/// stack whatever the input.
pub const MAX_EXPRESSION_DEPTH: u32 = 128;

#[derive(Clone, Copy, PartialEq, Eq)]
enum DeferredState {
    Pending,
    InProgress,
    Done,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DeferredKind {
    Let,
    Const,
}

/// A body checked on first use rather than in declaration order.
struct Deferred<'a> {
    body: &'a ast::Expr,
    file: FileId,
    state: DeferredState,
    ty: Option<Type>,
    /// The height of the checked body (as lowering sees it: through the lets it uses).
    height: u32,
}

impl<'a> Deferred<'a> {
    fn new(body: &'a ast::Expr, file: FileId) -> Self {
        Deferred {
            body,
            file,
            state: DeferredState::Pending,
            ty: None,
            height: 0,
        }
    }
}

pub(crate) struct Checker<'a> {
    pub(crate) sources: &'a SourceMap,
    pub(crate) set: PolicySet,
    pub(crate) diags: Vec<Diagnostic>,
    pub(crate) usage: Usage,
    /// Files visible from each file (itself and its imports).
    visible: Vec<Vec<FileId>>,
    /// Value names (facts, consts, lets, params) with their declaring file and span.
    pub(crate) values: HashMap<String, (Binding, FileId, Span)>,
    types: HashMap<String, (EnumId, FileId, Span)>,
    programs: HashMap<String, (ProgramId, FileId, Span)>,
    strings: HashMap<String, u32>,
    deferred_lets: Vec<Deferred<'a>>,
    deferred_consts: Vec<Deferred<'a>>,
    /// Definitions being checked inside one another right now.
    depth: usize,
    /// Expressions being checked inside one another right now (see
    /// [`MAX_EXPRESSION_DEPTH`]).
    pub(crate) expr_depth: u32,
    /// Each name resolved so far and what it resolved to, for the symbol index
    /// (`Checker::refer`).
    pub(crate) references: Vec<(Span, Declared)>,
    /// Names declared by declarations that do not parse (see `resolve/poisoned.rs`).
    pub(crate) poisoned: Poisoned,
}

/// Resolves and type checks parsed files. `files[i]` is the AST of `FileId(i)` (or `None`
/// if it failed to parse).
pub fn resolve<'a>(sources: &'a SourceMap, files: &'a [Option<ast::SourceFile>]) -> Resolved {
    let mut cx = Checker {
        sources,
        set: PolicySet::default(),
        diags: Vec::new(),
        usage: Usage::default(),
        visible: Vec::new(),
        values: HashMap::new(),
        types: HashMap::new(),
        programs: HashMap::new(),
        strings: HashMap::new(),
        deferred_lets: Vec::new(),
        deferred_consts: Vec::new(),
        depth: 0,
        expr_depth: 0,
        references: Vec::new(),
        poisoned: Poisoned::collect(files),
    };
    cx.resolve_imports(files);
    cx.collect_enums(files);
    cx.collect_values(files);
    cx.collect_programs(files);
    cx.check_constraints(files);
    cx.check_policies(files);
    cx.set.allows = crate::lints::allow::collect(files, &mut cx.diags);
    cx.usage.programs.resize(cx.set.programs.len(), 0);
    let checked = symbols::CheckedBodies {
        consts: cx.deferred_consts.iter().map(|d| d.ty).collect(),
        lets: cx.deferred_lets.iter().map(|d| d.ty).collect(),
    };
    let index = symbols::build(files, &cx.set, &cx.references, &checked);
    Resolved {
        set: cx.set,
        usage: cx.usage,
        diagnostics: cx.diags,
        index,
    }
}

fn file_items(files: &[Option<ast::SourceFile>]) -> impl Iterator<Item = (FileId, &ast::Item)> {
    files.iter().enumerate().flat_map(|(i, f)| {
        f.iter()
            .flat_map(move |f| f.items.iter().map(move |it| (FileId(i as u32), it)))
    })
}

impl<'a> Checker<'a> {
    pub(crate) fn error(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn resolve_imports(&mut self, files: &[Option<ast::SourceFile>]) {
        self.visible = (0..files.len()).map(|i| vec![FileId(i as u32)]).collect();
        let index = self.sources.import_index();
        for (file, item) in file_items(files) {
            let ItemKind::Import(import) = &item.kind else {
                continue;
            };
            match index.resolve(self.sources, file, &import.path.node) {
                Some(target) => {
                    self.refer(import.path.span, Declared::File(target));
                    if let Some(v) = self.visible.get_mut(file.0 as usize) {
                        v.push(target);
                    }
                }
                None => {
                    let names: Vec<&str> =
                        self.sources.files.iter().map(|f| f.name.as_str()).collect();
                    let mut d = Diagnostic::new(
                        codes::UNKNOWN_NAME,
                        format!("cannot find the imported file `{}`", import.path.node),
                        Label::new(import.path.span, "no such policy file"),
                    );
                    let base = import.path.node.rsplit('/').next().unwrap_or("");
                    let hint = names
                        .iter()
                        .map(|n| n.rsplit('/').next().unwrap_or(n))
                        .collect::<Vec<_>>();
                    d = match did_you_mean(base, hint) {
                        Some(s) => {
                            // The same directory, the file name corrected.
                            let dir_len = import.path.node.len() - base.len();
                            let dir = import.path.node.get(..dir_len).unwrap_or("");
                            d.with_help(format!("did you mean `{s}`?")).with_suggestion(
                                import.path.span,
                                format!("\"{dir}{s}\""),
                                format!("replace with `{dir}{s}`"),
                            )
                        }
                        None => d.with_help(
                            "imports are paths relative to the importing file, like `import \"facts.pol\"`",
                        ),
                    };
                    self.error(d);
                }
            }
        }
    }

    pub(crate) fn is_visible(&self, from: FileId, declared_in: FileId) -> bool {
        self.visible
            .get(from.0 as usize)
            .is_some_and(|v| v.contains(&declared_in))
    }

    fn duplicate(&mut self, what: &str, name: &str, span: Span, first: Span) {
        self.error(
            Diagnostic::new(
                codes::DUPLICATE_NAME,
                format!("{what} `{name}` is declared twice"),
                Label::new(span, "declared again here"),
            )
            .with_label(Label::new(first, "first declared here"))
            .with_help(duplicate_help(what, span, first)),
        );
    }

    fn collect_enums(&mut self, files: &[Option<ast::SourceFile>]) {
        for (file, item) in file_items(files) {
            let ItemKind::Enum(e) = &item.kind else {
                continue;
            };
            if let Some((_, _, first)) = self.types.get(&e.name.node) {
                let first = *first;
                self.duplicate("enum", &e.name.node, e.name.span, first);
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
            self.types
                .insert(e.name.node.clone(), (id, file, e.name.span));
        }
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
                Some(if is_set {
                    Type::Set(id)
                } else {
                    Type::Enum(id)
                })
            }
            found => {
                let hidden = found.is_some();
                // Poisoned: the parser reported why this type is missing or not visible.
                if self.poisoned.ty(&name.node) || (hidden && self.poisoned.blind(file)) {
                    return None;
                }
                let mut candidates: Vec<&str> = self.types.keys().map(String::as_str).collect();
                if !is_set {
                    candidates.extend([
                        "bool", "integer", "date", "days", "months", "years", "string",
                    ]);
                }
                let suggestion = did_you_mean(&name.node, candidates).map(str::to_string);
                let mut d = Diagnostic::new(
                    codes::UNKNOWN_TYPE,
                    format!("unknown type `{}`", name.node),
                    Label::new(
                        name.span,
                        if hidden {
                            "declared in a file not imported here"
                        } else {
                            "not a type"
                        },
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

    fn declare_value(&mut self, name: &ast::Name, binding: Binding, file: FileId) -> bool {
        if name.node == "as_of" || name.node == "id" || name.node == "policy" {
            self.error(
                Diagnostic::new(
                    codes::DUPLICATE_NAME,
                    format!(
                        "`{}` is built in to every case and cannot be declared",
                        name.node
                    ),
                    Label::new(name.span, "built-in name"),
                )
                .with_help("choose another name"),
            );
            return false;
        }
        if let Some((_, _, first)) = self.values.get(&name.node) {
            let first = *first;
            self.duplicate("name", &name.node, name.span, first);
            return false;
        }
        self.values
            .insert(name.node.clone(), (binding, file, name.span));
        true
    }

    fn collect_values(&mut self, files: &'a [Option<ast::SourceFile>]) {
        // Facts first, so constants may not shadow them silently.
        for (file, item) in file_items(files) {
            let ItemKind::Fact(f) = &item.kind else {
                continue;
            };
            let Some(ty) = self.resolve_type(file, &f.ty) else {
                // A fact of a broken type is broken too: its uses are not new errors.
                self.poisoned.untyped(&f.path.node);
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
                    let Some(ty) = self.resolve_type(file, &p.ty) else {
                        // A parameter of a broken type is broken too.
                        self.poisoned.untyped(&p.name.node);
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

    fn param_values(&mut self, id: ParamId, p: &ast::ParamDecl, file: FileId) -> Vec<DatedValue> {
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

    /// Evaluates a constant expression (no facts, no `as_of`).
    fn const_value(&mut self, te: &TExpr) -> Option<Value> {
        match crate::consteval::eval_const(&self.set, te) {
            Some(v) => Some(v),
            None if !reads_case(te) => {
                self.error(
                    Diagnostic::new(
                        codes::CONST_OUT_OF_RANGE,
                        "the value of this constant is out of range",
                        Label::new(te.span, "overflows 64 bits or leaves the calendar"),
                    )
                    .with_help(
                        "integers and durations are 64-bit, and dates must stay on the calendar",
                    ),
                );
                None
            }
            None => {
                self.error(
                    Diagnostic::new(
                        codes::CONST_READS_CASE,
                        "a constant must not depend on the case",
                        Label::new(te.span, "this reads a fact, `as_of` or a `let`"),
                    )
                    .with_help("use `let` for a value computed from facts"),
                );
                None
            }
        }
    }

    /// Starts checking a deferred body; `Err` carries its type when it is already known, or
    /// `None` after reporting a cycle.
    fn enter(
        &mut self,
        kind: DeferredKind,
        index: usize,
    ) -> Result<(&'a ast::Expr, FileId), Option<Type>> {
        let (list, defs_name, span) = match kind {
            DeferredKind::Let => (
                &mut self.deferred_lets,
                self.set.lets.get(index).map(|d| d.name.clone()),
                self.set.lets.get(index).map(|d| d.span),
            ),
            DeferredKind::Const => (
                &mut self.deferred_consts,
                self.set.consts.get(index).map(|d| d.name.clone()),
                self.set.consts.get(index).map(|d| d.span),
            ),
        };
        let Some(d) = list.get_mut(index) else {
            return Err(None);
        };
        match d.state {
            DeferredState::Done => Err(d.ty),
            DeferredState::InProgress => {
                let what = if kind == DeferredKind::Let {
                    "a `let`"
                } else {
                    "a constant"
                };
                if let (Some(name), Some(span)) = (defs_name, span) {
                    self.error(
                        Diagnostic::new(
                            codes::DEFINITION_CYCLE,
                            format!("`{name}` is defined in terms of itself"),
                            Label::new(span, "this definition depends on itself"),
                        )
                        .with_help(format!("break the cycle: {what} may use other definitions, but not one that leads back to it")),
                    );
                }
                Err(None)
            }
            DeferredState::Pending => {
                if self.depth >= MAX_DEFINITION_DEPTH {
                    if let (Some(name), Some(span)) = (defs_name, span) {
                        self.error(
                            Diagnostic::new(
                                codes::TOO_DEEP,
                                format!("`{name}` is defined through more than {MAX_DEFINITION_DEPTH} nested definitions"),
                                Label::new(span, "too deep"),
                            )
                            .with_help("define it more directly, with fewer `let`s or constants in between"),
                        );
                    }
                    return Err(None);
                }
                d.state = DeferredState::InProgress;
                self.depth += 1;
                Ok((d.body, d.file))
            }
        }
    }

    fn leave(&mut self, kind: DeferredKind, index: usize, ty: Option<Type>) {
        self.depth = self.depth.saturating_sub(1);
        let list = match kind {
            DeferredKind::Let => &mut self.deferred_lets,
            DeferredKind::Const => &mut self.deferred_consts,
        };
        if let Some(d) = list.get_mut(index) {
            d.state = DeferredState::Done;
            d.ty = ty;
        }
    }

    /// Type checks a `let` body once, on first use, detecting cycles.
    pub(crate) fn check_let(&mut self, id: LetId) -> Option<Type> {
        let (body, file) = match self.enter(DeferredKind::Let, id.index()) {
            Ok(b) => b,
            Err(ty) => return ty,
        };
        let checked = self.check_expr(body, file);
        let ty = checked.as_ref().map(|te| te.ty);
        let height = checked.as_ref().map_or(0, |te| self.height(te));
        if let Some(d) = self.deferred_lets.get_mut(id.index()) {
            d.height = height;
        }
        if let (Some(te), Some(def)) = (checked, self.set.lets.get_mut(id)) {
            def.value = te;
        }
        self.leave(DeferredKind::Let, id.index(), ty);
        ty
    }

    /// The height of a checked `let` body (0 if it is not checked yet).
    pub(crate) fn let_height(&self, id: LetId) -> u32 {
        self.deferred_lets.get(id.index()).map_or(0, |d| d.height)
    }

    /// Checks and evaluates a constant once, on first use, detecting cycles.
    pub(crate) fn check_const(&mut self, id: ConstId) -> Option<Type> {
        let (body, file) = match self.enter(DeferredKind::Const, id.index()) {
            Ok(b) => b,
            Err(ty) => return ty,
        };
        let value = self
            .check_expr(body, file)
            .and_then(|te| self.const_value(&te).map(|v| (te.ty, v)));
        if let (Some((ty, v)), Some(def)) = (value, self.set.consts.get_mut(id)) {
            def.ty = ty;
            def.value = v;
        }
        let ty = value.map(|(ty, _)| ty);
        self.leave(DeferredKind::Const, id.index(), ty);
        ty
    }

    fn collect_programs(&mut self, files: &[Option<ast::SourceFile>]) {
        for (file, item) in file_items(files) {
            let ItemKind::Program(p) = &item.kind else {
                continue;
            };
            if let Some((_, _, first)) = self.programs.get(&p.name.node) {
                let first = *first;
                self.duplicate("program", &p.name.node, p.name.span, first);
                continue;
            }
            let mut opened: Option<WindowEdge> = None;
            let mut closed: Option<WindowEdge> = None;
            for ev in &p.events {
                let Some(day) = self.window_day(file, &ev.date) else {
                    continue;
                };
                let edge = WindowEdge {
                    kind: ev.kind.node,
                    day,
                    cite: cite(&ev.cite),
                    span: ev.span,
                };
                let slot = if ev.kind.node.opens() {
                    &mut opened
                } else {
                    &mut closed
                };
                if let Some(first) = slot {
                    let first_span = first.span;
                    self.error(
                        Diagnostic::new(
                            codes::CONFLICTING_WINDOW,
                            format!(
                                "program `{}` has two {} dates",
                                p.name.node,
                                if ev.kind.node.opens() {
                                    "opening"
                                } else {
                                    "closing"
                                }
                            ),
                            Label::new(ev.span, "second date"),
                        )
                        .with_label(Label::new(first_span, "first date"))
                        .with_help("a program window has at most one opening and one closing date"),
                    );
                    continue;
                }
                *slot = Some(edge);
            }
            let id = self.set.programs.push(ProgramDef {
                name: p.name.node.clone(),
                doc: p.doc.as_ref().map(|d| d.node.clone()),
                opened,
                closed,
                span: p.name.span,
            });
            self.programs
                .insert(p.name.node.clone(), (id, file, p.name.span));
        }
    }

    fn window_day(&mut self, file: FileId, date: &WindowDate) -> Option<Day> {
        match date {
            WindowDate::Literal(d) => Some(Day::from_date(d.node)),
            WindowDate::Named(n) => {
                let expr = ast::Expr {
                    kind: ast::ExprKind::Name(n.node.clone()),
                    span: n.span,
                };
                let te = self.check_expr(&expr, file)?;
                match (te.ty, &te.kind) {
                    (Type::Date, TExprKind::Const(c)) => match self.set.consts.get(c)?.value {
                        Value::Date(d) => Some(d),
                        _ => None,
                    },
                    _ => {
                        self.error(
                            Diagnostic::new(
                                codes::WRONG_TYPE,
                                format!("`{}` is not a date constant", n.node),
                                Label::new(n.span, "expected a date constant"),
                            )
                            .with_help("write a date like 2025-03-25 or name a `const` date"),
                        );
                        None
                    }
                }
            }
        }
    }

    fn check_policies(&mut self, files: &[Option<ast::SourceFile>]) {
        let mut seen: HashMap<String, Span> = HashMap::new();
        for (file, item) in file_items(files) {
            let ItemKind::Policy(p) = &item.kind else {
                continue;
            };
            if let Some(first) = seen.get(&p.name.node) {
                let first = *first;
                self.duplicate("policy", &p.name.node, p.name.span, first);
                continue;
            }
            seen.insert(p.name.node.clone(), p.name.span);
            let def = self.check_policy(file, p, item.span);
            self.set.policies.push(def);
        }
    }

    fn check_policy(&mut self, file: FileId, p: &ast::PolicyDecl, span: Span) -> PolicyDef {
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
                    let at = match &u.at {
                        Some(e) => match self.check_typed(
                            e,
                            file,
                            Type::Date,
                            "the date a program window is read at",
                        ) {
                            Some(te) => Some(te),
                            None => continue,
                        },
                        None => None,
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
                    let when = match &f.when {
                        Some(e) => {
                            match self.check_typed(e, file, Type::Bool, "a form condition") {
                                Some(te) => Some(te),
                                None => continue,
                            }
                        }
                        None => None,
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
                    let when = match &v.when {
                        Some(e) => {
                            match self.check_typed(e, file, Type::Bool, "a validity condition") {
                                Some(te) => Some(te),
                                None => continue,
                            }
                        }
                        None => None,
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
                    let unless = match &r.unless {
                        Some(e) => self
                            .check_typed(e, file, Type::Bool, "an `unless` exception")
                            .map(Some),
                        None => Some(None),
                    };
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

    /// Checks every `constraint`: a condition over the case, or a pattern on a string fact.
    fn check_constraints(&mut self, files: &[Option<ast::SourceFile>]) {
        let mut names: HashMap<String, Span> = HashMap::new();
        let mut patterned: HashMap<FactId, Span> = HashMap::new();
        for (file, item) in file_items(files) {
            let ItemKind::Constraint(c) = &item.kind else {
                continue;
            };
            if let Some(first) = names.get(&c.name.node) {
                let first = *first;
                self.duplicate("constraint", &c.name.node, c.name.span, first);
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
                    let expr = ast::Expr {
                        kind: ast::ExprKind::Name(fact.node.clone()),
                        span: fact.span,
                    };
                    let Some(te) = self.check_expr(&expr, file) else {
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
                ast::Basis::Cite(x) => Basis::Cite(Cite {
                    text: x.text.clone(),
                    span: x.span,
                }),
                ast::Basis::Because(x) => Basis::Because(Cite {
                    text: x.text.clone(),
                    span: x.span,
                }),
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

    fn lookup_program(&mut self, file: FileId, name: &ast::Name) -> Option<ProgramId> {
        match self.programs.get(&name.node) {
            Some((id, declared, _)) if self.is_visible(file, *declared) => {
                let id = *id;
                self.refer(name.span, Declared::Program(id));
                if let Some(n) = self.usage.programs.get_mut(id.index()) {
                    *n += 1;
                } else {
                    self.usage.programs.resize(id.index() + 1, 0);
                    if let Some(n) = self.usage.programs.get_mut(id.index()) {
                        *n += 1;
                    }
                }
                Some(id)
            }
            found => {
                let hidden = found.is_some();
                // Poisoned: the parser reported why this program is missing or not visible.
                if self.poisoned.program(&name.node) || (hidden && self.poisoned.blind(file)) {
                    return None;
                }
                let suggestion = did_you_mean(&name.node, self.programs.keys().map(String::as_str))
                    .map(str::to_string);
                let d = Diagnostic::new(
                    codes::UNKNOWN_NAME,
                    format!("unknown program `{}`", name.node),
                    Label::new(
                        name.span,
                        if hidden {
                            "declared in a file not imported here"
                        } else {
                            "no program has this name"
                        },
                    ),
                );
                let d = match (hidden, suggestion) {
                    (true, _) => {
                        d.with_help("add an `import` of the file that declares the program")
                    }
                    (false, Some(s)) => d.with_did_you_mean(name.span, &s),
                    (false, None) => {
                        d.with_help("declare it with `program NAME { opened DATE ... }`")
                    }
                };
                self.error(d);
                None
            }
        }
    }

    /// `span` without the attributes at its start, so that a rule's location (and the line a
    /// decision's reason reports) is the rule's own line, not its `#[allow]`.
    fn without_attrs(&self, span: Span, attrs: &[ast::Attribute]) -> Span {
        let Some(last) = attrs.last() else {
            return span;
        };
        let text = self.sources.get(span.file).map_or("", |s| s.text.as_str());
        // Skip the blanks and comments between the last attribute and the line itself.
        let at = pol_syntax::scan::scan_from(text, last.span.end as usize)
            .find(|t| !t.kind.is_trivia())
            .map_or(text.len(), |t| t.start);
        Span {
            start: u32::try_from(at).map_or(span.end, |a| a.min(span.end)),
            ..span
        }
    }

    /// Interns a string literal.
    pub(crate) fn intern(&mut self, s: &str) -> u32 {
        if let Some(i) = self.strings.get(s) {
            return *i;
        }
        let i = self.set.strings.len() as u32;
        self.set.strings.push(s.to_string());
        self.strings.insert(s.to_string(), i);
        i
    }

    pub(crate) fn visible_value_names(&self, file: FileId) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .values
            .iter()
            .filter(|(_, (_, f, _))| self.is_visible(file, *f))
            .map(|(n, _)| n.as_str())
            .collect();
        names.push("as_of");
        names.sort_unstable();
        names
    }
}

fn cite(c: &Option<ast::Citation>) -> Option<Cite> {
    c.as_ref().map(|c| Cite {
        text: c.text.clone(),
        span: c.span,
    })
}

/// Whether an expression reads anything of a case: a fact, `as_of`, a parameter (read at
/// `as_of`) or a `let` (which may read facts). Without those, a constant that has no value
/// overflowed.
fn reads_case(e: &TExpr) -> bool {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match &e.kind {
            TExprKind::Fact(_) | TExprKind::AsOf | TExprKind::Param(_) | TExprKind::Let(_) => {
                return true
            }
            _ => {}
        }
        stack.extend(e.children());
    }
    false
}

/// How to fix a name declared twice: a rule or an enum word lives in one policy or enum, so
/// the fix is to rename or drop one; two declarations in one file, likewise; across files,
/// to keep one and import its file where it is used.
fn duplicate_help(what: &str, span: Span, first: Span) -> String {
    match what {
        "rule" => "rule names are unique within a policy (reasons and tests name a rule \
                   `policy.rule`): rename one of the two"
            .to_string(),
        "enum word" => "list each word once".to_string(),
        "policy" => "policy names are unique in a policy set (cases name the policy they \
                     ask about): rename one of the two"
            .to_string(),
        _ if span.file == first.file => format!("rename one of the two {what}s, or remove one"),
        _ => format!(
            "declare each {what} once, in one file, and `import` that file where it is used"
        ),
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

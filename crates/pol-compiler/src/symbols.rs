//! The symbol index: what an editor asks about names.
//!
//! Every declaration, with the span of its name and of the whole declaration, and every
//! name in an expression, a type or a policy's `program` line, with the declaration it
//! resolved to. Resolution records each reference as it resolves it
//! (`Checker::refer`, in `resolve/`); [`build`] then joins the references to the
//! declarations found in the files and to what the checked set knows of each (its type,
//! value, doc string, citation), so that go to definition, find references, rename, hover
//! and outlines need no name resolution of their own: an editor reads the compiler's.
//!
//! The index is built even when the set has errors. A name that resolved is indexed; one
//! that did not (misspelt, not imported) is not, and its diagnostic says why. A declaration
//! that did not parse contributes nothing.

use std::collections::HashMap;

use pol_syntax::ast::{self, ItemKind, PolicyItemKind, RuleKind};
use pol_syntax::{FileId, Span};

use crate::ids::IndexVec;
use crate::ir::{Binding, ConstId, EnumId, LetId, PolicySet, ProgramId};
use crate::types::Type;

/// Declarations and the references to them, for one compilation.
#[derive(Clone, Debug, Default)]
pub struct SymbolIndex {
    /// Every declaration, in file order; a [`SymbolId`] indexes this.
    pub symbols: Vec<Symbol>,
    /// Every resolved name, sorted by span.
    pub references: Vec<Reference>,
    /// Every `import` whose file was found, sorted by span.
    pub imports: Vec<ImportRef>,
}

/// A declaration's place in [`SymbolIndex::symbols`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SymbolId(pub u32);

impl SymbolId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One declaration.
#[derive(Clone, Debug)]
pub struct Symbol {
    /// The name as declared (a fact's whole dotted path).
    pub name: String,
    pub kind: SymbolKind,
    /// The name in the declaration: where go to definition lands.
    pub name_span: Span,
    /// The whole declaration, attributes included: what an outline selects.
    pub span: Span,
    /// The enum of an enum word, the policy of a rule.
    pub parent: Option<SymbolId>,
    pub info: SymbolInfo,
}

/// What kind of declaration a [`Symbol`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    Enum,
    EnumWord,
    Fact,
    Const,
    Let,
    Param,
    Program,
    Policy,
    Rule(RuleKind),
    /// A case constraint: `constraint nationality_code: ... cite "..."`.
    Constraint,
}

impl SymbolKind {
    /// The keyword that declares it (`fact`, `exclude`); an enum word's is `enum`.
    pub fn keyword(self) -> &'static str {
        match self {
            SymbolKind::Enum | SymbolKind::EnumWord => "enum",
            SymbolKind::Fact => "fact",
            SymbolKind::Const => "const",
            SymbolKind::Let => "let",
            SymbolKind::Param => "param",
            SymbolKind::Program => "program",
            SymbolKind::Policy => "policy",
            SymbolKind::Rule(k) => k.keyword(),
            SymbolKind::Constraint => "constraint",
        }
    }

    /// Whether the name stands for a value in expressions: a fact, constant, `let` or
    /// parameter (the names that share one namespace).
    pub fn is_value(self) -> bool {
        matches!(self, SymbolKind::Fact | SymbolKind::Const | SymbolKind::Let | SymbolKind::Param)
    }
}

/// What the checked set knows of a declaration. Fields that do not apply, or that checking
/// could not establish (the value of a constant whose body has an error), are empty.
#[derive(Clone, Debug, Default)]
pub struct SymbolInfo {
    /// The type, as messages write it (`Status`, `set of PendingApplication`, `days`); for
    /// an enum word, its enum.
    pub type_name: Option<String>,
    /// The enum an enum-typed or set-typed value, or an enum word, belongs to.
    pub enum_type: Option<SymbolId>,
    pub doc: Option<String>,
    pub cite: Option<String>,
    /// A constant's value, as messages write values (`365 days`, `2025-03-25`).
    pub value: Option<String>,
    /// A dated parameter's values, in date order.
    pub periods: Vec<Period>,
    /// A program's window: its opening and closing dates.
    pub window: Vec<WindowNote>,
    /// A `fixed fact`: neither the person nor their case can change it.
    pub fixed: bool,
    /// A constraint's reason stated in words (`because "..."`); a cited one is in `cite`.
    pub because: Option<String>,
    /// A constraint's condition or `FACT matches "PATTERN"`, where it is written.
    pub statement: Option<Span>,
}

/// One `from DATE = value` of a parameter.
#[derive(Clone, Debug)]
pub struct Period {
    pub from: String,
    pub value: String,
    pub cite: Option<String>,
}

/// One end of a program's window: `terminated 2025-03-25`.
#[derive(Clone, Debug)]
pub struct WindowNote {
    /// The event's keyword (`opened`, `terminated`).
    pub event: &'static str,
    pub date: String,
    pub cite: Option<String>,
}

/// A name that resolved to a declaration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reference {
    pub span: Span,
    pub target: SymbolId,
}

/// An `import` and the file it names. `span` is the quoted path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportRef {
    pub span: Span,
    pub file: FileId,
}

impl SymbolIndex {
    pub fn symbol(&self, id: SymbolId) -> Option<&Symbol> {
        self.symbols.get(id.index())
    }

    /// The declaration named at `offset` in `file`, by a reference or by the declaration
    /// itself, with the span of the name there (an offset just past a name counts, as a
    /// cursor at its end is on it).
    pub fn at(&self, file: FileId, offset: u32) -> Option<(SymbolId, Span)> {
        let covers = |s: Span| s.file == file && s.start <= offset && offset <= s.end;
        self.references.iter().find(|r| covers(r.span)).map(|r| (r.target, r.span)).or_else(|| {
            self.symbols
                .iter()
                .enumerate()
                .find(|(_, s)| covers(s.name_span))
                .map(|(i, s)| (SymbolId(i as u32), s.name_span))
        })
    }

    /// The spans that name `target` in expressions, types and `program` lines (not its
    /// declaration).
    pub fn references_to(&self, target: SymbolId) -> impl Iterator<Item = Span> + '_ {
        self.references.iter().filter(move |r| r.target == target).map(|r| r.span)
    }

    /// The declarations of one file, in order.
    pub fn in_file(&self, file: FileId) -> impl Iterator<Item = (SymbolId, &Symbol)> {
        self.symbols
            .iter()
            .enumerate()
            .filter(move |(_, s)| s.name_span.file == file)
            .map(|(i, s)| (SymbolId(i as u32), s))
    }

    /// The children of a symbol (an enum's words, a policy's rules), in order.
    pub fn children(&self, parent: SymbolId) -> impl Iterator<Item = (SymbolId, &Symbol)> {
        self.symbols
            .iter()
            .enumerate()
            .filter(move |(_, s)| s.parent == Some(parent))
            .map(|(i, s)| (SymbolId(i as u32), s))
    }

    /// The value declaration (fact, constant, `let`, parameter) called `name`. Values
    /// share one namespace across the set, so there is at most one.
    pub fn value_named(&self, name: &str) -> Option<(SymbolId, &Symbol)> {
        self.symbols
            .iter()
            .enumerate()
            .find(|(_, s)| s.kind.is_value() && s.name == name)
            .map(|(i, s)| (SymbolId(i as u32), s))
    }
}

/// A declaration as resolution knows it, before the index gives it a [`SymbolId`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Declared {
    Value(Binding),
    Enum(EnumId),
    Word(EnumId, u16),
    Program(ProgramId),
    /// The file an `import` names.
    File(FileId),
}

/// The types of the constants and `let`s whose bodies checked, indexed by their ids: the
/// IR holds placeholders for the others.
pub(crate) struct CheckedBodies {
    pub consts: IndexVec<ConstId, Option<Type>>,
    pub lets: IndexVec<LetId, Option<Type>>,
}

/// Builds the index from the parsed files, the checked set and the references resolution
/// recorded.
pub(crate) fn build(
    files: &[Option<ast::SourceFile>],
    set: &PolicySet,
    references: &[(Span, Declared)],
    checked: &CheckedBodies,
) -> SymbolIndex {
    let declared = declared_names(set);
    let mut b = Builder {
        set,
        checked,
        index: SymbolIndex::default(),
        by_name_span: HashMap::new(),
        typed_values: Vec::new(),
    };
    for file in files.iter().flatten() {
        for item in &file.items {
            b.item(item, &declared);
        }
    }
    b.link_enum_types();
    let mut index = b.index;
    for (span, target) in references {
        if let Declared::File(file) = target {
            index.imports.push(ImportRef { span: *span, file: *file });
            continue;
        }
        let target = name_span(set, *target).and_then(|s| b.by_name_span.get(&s));
        if let Some(target) = target {
            index.references.push(Reference { span: *span, target: *target });
        }
    }
    index.references.sort_by_key(|r| r.span);
    index.references.dedup();
    index.imports.sort_by_key(|i| i.span);
    index
}

/// The name spans of the declarations the checked set holds: a declaration that is not
/// here (declared twice, or with an unknown type) is not indexed.
fn declared_names(set: &PolicySet) -> HashMap<Span, Declared> {
    let enums = set.enums.iter_enumerated();
    let enums = enums.map(|(id, d)| (d.span, Declared::Enum(id)));
    let facts = set.facts.iter_enumerated();
    let facts = facts.map(|(id, d)| (d.span, Declared::Value(Binding::Fact(id))));
    let consts = set.consts.iter_enumerated();
    let consts = consts.map(|(id, d)| (d.span, Declared::Value(Binding::Const(id))));
    let lets = set.lets.iter_enumerated();
    let lets = lets.map(|(id, d)| (d.span, Declared::Value(Binding::Let(id))));
    let params = set.params.iter_enumerated();
    let params = params.map(|(id, d)| (d.span, Declared::Value(Binding::Param(id))));
    let programs = set.programs.iter_enumerated();
    let programs = programs.map(|(id, d)| (d.span, Declared::Program(id)));
    enums.chain(facts).chain(consts).chain(lets).chain(params).chain(programs).collect()
}

/// The span of the name a declaration was declared with.
fn name_span(set: &PolicySet, d: Declared) -> Option<Span> {
    Some(match d {
        Declared::Value(Binding::Fact(id)) => set.facts.get(id)?.span,
        Declared::Value(Binding::Const(id)) => set.consts.get(id)?.span,
        Declared::Value(Binding::Let(id)) => set.lets.get(id)?.span,
        Declared::Value(Binding::Param(id)) => set.params.get(id)?.span,
        Declared::Enum(id) => set.enums.get(id)?.span,
        Declared::Word(id, w) => *set.enums.get(id)?.word_spans.get(w as usize)?,
        Declared::Program(id) => set.programs.get(id)?.span,
        Declared::File(_) => return None,
    })
}

struct Builder<'a> {
    set: &'a PolicySet,
    checked: &'a CheckedBodies,
    index: SymbolIndex,
    by_name_span: HashMap<Span, SymbolId>,
    /// Values and their types, for [`Builder::link_enum_types`].
    typed_values: Vec<(SymbolId, Type)>,
}

impl Builder<'_> {
    fn push(
        &mut self,
        name: &ast::Name,
        kind: SymbolKind,
        span: Span,
        parent: Option<SymbolId>,
        info: SymbolInfo,
    ) -> SymbolId {
        let id = SymbolId(self.index.symbols.len() as u32);
        self.index.symbols.push(Symbol {
            name: name.node.clone(),
            kind,
            name_span: name.span,
            span,
            parent,
            info,
        });
        self.by_name_span.insert(name.span, id);
        id
    }

    fn item(&mut self, item: &ast::Item, declared: &HashMap<Span, Declared>) {
        let set = self.set;
        let doc = |d: &Option<pol_syntax::Spanned<String>>| d.as_ref().map(|d| d.node.clone());
        let cite = |c: &Option<ast::Citation>| c.as_ref().map(|c| c.text.clone());
        let name = match &item.kind {
            ItemKind::Enum(e) => &e.name,
            ItemKind::Fact(f) => &f.path,
            ItemKind::Const(c) => &c.name,
            ItemKind::Let(l) => &l.name,
            ItemKind::Param(p) => &p.name,
            ItemKind::Program(p) => &p.name,
            ItemKind::Policy(p) => {
                self.policy(item, p);
                return;
            }
            ItemKind::Constraint(c) => {
                self.constraint(item, c);
                return;
            }
            // Imports declare nothing; a declaration that did not parse (when the parser
            // keeps one) has no checked body to index.
            _ => return,
        };
        let Some(d) = declared.get(&name.span).copied() else {
            return;
        };
        match (d, &item.kind) {
            (Declared::Enum(id), ItemKind::Enum(e)) => {
                let info = SymbolInfo { doc: doc(&e.doc), ..SymbolInfo::default() };
                let parent = self.push(name, SymbolKind::Enum, item.span, None, info);
                let Some(def) = set.enums.get(id) else {
                    return;
                };
                for word in e.words.iter().filter(|w| def.word_spans.contains(&w.span)) {
                    let info = SymbolInfo {
                        type_name: Some(def.name.clone()),
                        enum_type: Some(parent),
                        ..SymbolInfo::default()
                    };
                    self.push(word, SymbolKind::EnumWord, word.span, Some(parent), info);
                }
            }
            (Declared::Value(Binding::Fact(id)), ItemKind::Fact(f)) => {
                let ty = set.fact(id).map(|d| d.ty);
                let info = SymbolInfo {
                    type_name: ty.map(|t| set.type_name(t)),
                    doc: doc(&f.doc),
                    fixed: f.fixed,
                    ..SymbolInfo::default()
                };
                let id = self.push(name, SymbolKind::Fact, item.span, None, info);
                self.typed_values.extend(ty.map(|t| (id, t)));
            }
            (Declared::Value(Binding::Const(id)), ItemKind::Const(c)) => {
                let def = set.consts.get(id);
                let ty = self.checked.consts.get(id).copied().flatten();
                let info = SymbolInfo {
                    type_name: ty.map(|t| set.type_name(t)),
                    value: ty.zip(def).map(|(t, d)| set.display(t, d.value)),
                    cite: cite(&c.cite),
                    ..SymbolInfo::default()
                };
                let id = self.push(name, SymbolKind::Const, item.span, None, info);
                self.typed_values.extend(ty.map(|t| (id, t)));
            }
            (Declared::Value(Binding::Let(id)), ItemKind::Let(l)) => {
                let ty = self.checked.lets.get(id).copied().flatten();
                let info = SymbolInfo {
                    type_name: ty.map(|t| set.type_name(t)),
                    cite: cite(&l.cite),
                    ..SymbolInfo::default()
                };
                let id = self.push(name, SymbolKind::Let, item.span, None, info);
                self.typed_values.extend(ty.map(|t| (id, t)));
            }
            (Declared::Value(Binding::Param(id)), ItemKind::Param(p)) => {
                let def = set.params.get(id);
                let info = SymbolInfo {
                    type_name: def.map(|d| set.type_name(d.ty)),
                    doc: doc(&p.doc),
                    periods: def.map_or_else(Vec::new, |d| {
                        d.values
                            .iter()
                            .map(|v| Period {
                                from: v.from.to_string(),
                                value: set.display(d.ty, v.value),
                                cite: v.cite.as_ref().map(|c| c.text.clone()),
                            })
                            .collect()
                    }),
                    ..SymbolInfo::default()
                };
                let id = self.push(name, SymbolKind::Param, item.span, None, info);
                self.typed_values.extend(def.map(|d| (id, d.ty)));
            }
            (Declared::Program(id), ItemKind::Program(p)) => {
                let def = set.programs.get(id);
                let window = def.map_or_else(Vec::new, |d| {
                    d.opened
                        .iter()
                        .chain(d.closed.iter())
                        .map(|e| WindowNote {
                            event: e.kind.keyword(),
                            date: e.day.to_string(),
                            cite: e.cite.as_ref().map(|c| c.text.clone()),
                        })
                        .collect()
                });
                let info = SymbolInfo { doc: doc(&p.doc), window, ..SymbolInfo::default() };
                self.push(name, SymbolKind::Program, item.span, None, info);
            }
            _ => {}
        }
    }

    /// A policy and its rules. Rules are indexed as written, even one whose condition has
    /// an error: nothing refers to a rule by name, so an outline is all they serve.
    fn policy(&mut self, item: &ast::Item, p: &ast::PolicyDecl) {
        let info =
            SymbolInfo { doc: p.doc.as_ref().map(|d| d.node.clone()), ..SymbolInfo::default() };
        let parent = self.push(&p.name, SymbolKind::Policy, item.span, None, info);
        for line in &p.items {
            let PolicyItemKind::Rule(r) = &line.kind else {
                continue;
            };
            let info = SymbolInfo {
                cite: r.cite.as_ref().map(|c| c.text.clone()),
                ..SymbolInfo::default()
            };
            self.push(&r.name, SymbolKind::Rule(r.kind.node), line.span, Some(parent), info);
        }
    }

    /// A case constraint, indexed as written like a rule (nothing refers to it by name);
    /// the facts it reads are references like any others.
    fn constraint(&mut self, item: &ast::Item, c: &ast::ConstraintDecl) {
        let statement = match &c.body {
            ast::ConstraintBody::Condition(e) => e.span,
            ast::ConstraintBody::Pattern { fact, pattern } => fact.span.to(pattern.span),
        };
        let (cite, because) = match &c.basis {
            ast::Basis::Cite(x) => (Some(x.text.clone()), None),
            ast::Basis::Because(x) => (None, Some(x.text.clone())),
        };
        let info =
            SymbolInfo { cite, because, statement: Some(statement), ..SymbolInfo::default() };
        self.push(&c.name, SymbolKind::Constraint, item.span, None, info);
    }

    /// Points every enum- or set-typed value at its enum's symbol (known once every enum
    /// is indexed).
    fn link_enum_types(&mut self) {
        for (id, ty) in std::mem::take(&mut self.typed_values) {
            let (Type::Enum(e) | Type::Set(e)) = ty else {
                continue;
            };
            let target =
                self.set.enums.get(e).and_then(|d| self.by_name_span.get(&d.span).copied());
            if let (Some(target), Some(sym)) = (target, self.index.symbols.get_mut(id.index())) {
                sym.info.enum_type = Some(target);
            }
        }
    }
}

//! Name resolution: from parsed files to the typed [`PolicySet`].
//!
//! Declarations are collected from every file first (so order does not matter), then each
//! body is type checked in the scope of its own file: its own declarations and those of the
//! files it imports. Errors never stop the pass; every problem is reported.
//!
//! One job per module: `imports.rs` (what each file sees), `collect.rs` (declarations and
//! their types), `deferred.rs` (`let` and constant bodies checked on first use, cycles),
//! `consts.rs` (constant evaluation), `programs.rs`, `policies.rs`, `constraints.rs`,
//! `allow.rs` (`#[allow]` attributes) and `poisoned.rs` (names of declarations that do not
//! parse). This file holds the checker's
//! state, the driver ([`resolve`]) and what every part shares: declaring a name, visibility,
//! duplicates, interning.

use std::collections::{HashMap, HashSet};

use pol_syntax::ast;
use pol_syntax::codes;
use pol_syntax::{Diagnostic, FileId, Label, Span};

use crate::ir::*;
use crate::source::SourceMap;
use crate::symbols::{self, Declared, SymbolIndex};

mod allow;
mod collect;
mod constraints;
mod consts;
mod deferred;
mod imports;
mod poisoned;
mod policies;
mod programs;

use deferred::Deferred;
use poisoned::Poisoned;

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
pub fn resolve<'a>(
    sources: &'a SourceMap,
    files: &'a [Option<ast::SourceFile>],
    refused_imports: &HashSet<String>,
) -> Resolved {
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
    cx.resolve_imports(files, refused_imports);
    cx.collect_enums(files);
    cx.collect_values(files);
    cx.collect_programs(files);
    cx.check_constraints(files);
    cx.check_policies(files);
    cx.set.allows = allow::collect(files, &mut cx.diags);
    cx.usage.programs.resize(cx.set.programs.len(), 0);
    let checked = symbols::CheckedBodies {
        consts: cx.deferred_consts.iter().map(|d| d.ty).collect(),
        lets: cx.deferred_lets.iter().map(|d| d.ty).collect(),
    };
    let index = symbols::build(files, &cx.set, &cx.references, &checked);
    Resolved { set: cx.set, usage: cx.usage, diagnostics: cx.diags, index }
}

fn file_items(files: &[Option<ast::SourceFile>]) -> impl Iterator<Item = (FileId, &ast::Item)> {
    files.iter().enumerate().flat_map(|(i, f)| {
        f.iter().flat_map(move |f| f.items.iter().map(move |it| (FileId(i as u32), it)))
    })
}

impl<'a> Checker<'a> {
    /// Records that the name at `span` resolved to `target`, for the symbol index.
    pub(crate) fn refer(&mut self, span: Span, target: Declared) {
        self.references.push((span, target));
    }

    pub(crate) fn error(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    pub(crate) fn is_visible(&self, from: FileId, declared_in: FileId) -> bool {
        self.visible.get(from.0 as usize).is_some_and(|v| v.contains(&declared_in))
    }

    /// A name standing alone where a declaration is meant (a window's date constant, the
    /// fact of a pattern), checked as the expression it would be in a rule: resolved,
    /// counted as used, and reported if unknown.
    fn check_name_expr(&mut self, name: &ast::Name, file: FileId) -> Option<TExpr> {
        let expr = ast::Expr { kind: ast::ExprKind::Name(name.node.clone()), span: name.span };
        self.check_expr(&expr, file)
    }

    /// Whether `name` is declared here first: when `first` (where a declaration of the same
    /// kind and name was seen before) is given, this one is reported as its duplicate.
    fn is_first(&mut self, what: &str, name: &ast::Name, first: Option<Span>) -> bool {
        match first {
            Some(first) => {
                self.duplicate(what, &name.node, name.span, first);
                false
            }
            None => true,
        }
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

    fn declare_value(&mut self, name: &ast::Name, binding: Binding, file: FileId) -> bool {
        if name.node == "as_of" || name.node == "id" || name.node == "policy" {
            self.error(
                Diagnostic::new(
                    codes::DUPLICATE_NAME,
                    format!("`{}` is built in to every case and cannot be declared", name.node),
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
        self.values.insert(name.node.clone(), (binding, file, name.span));
        true
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
        Span { start: u32::try_from(at).map_or(span.end, |a| a.min(span.end)), ..span }
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
    c.as_ref().map(|c| Cite { text: c.text.clone(), span: c.span })
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

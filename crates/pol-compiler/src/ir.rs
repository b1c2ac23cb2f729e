//! The typed IR: a policy set after name resolution and type checking.
//!
//! What can no longer happen here: an unresolved name, an ill-typed expression, a duplicate
//! declaration, a cyclic `let`. Every node keeps the span it came from.

use pol_syntax::ast::{CompareOp, RuleKind, Unit, WindowEventKind};
use pol_syntax::Span;

use crate::types::Type;
use crate::value::{Day, Value};

use crate::ids::IndexVec;
pub use crate::ids::{ConstId, ConstraintId, EnumId, FactId, LetId, ParamId, PolicyId, ProgramId};

/// What a value name refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Binding {
    Fact(FactId),
    Const(ConstId),
    Let(LetId),
    Param(ParamId),
}

/// A cited source: the text and where the `cite` is.
#[derive(Clone, Debug, PartialEq)]
pub struct Cite {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct EnumDef {
    pub name: String,
    pub words: Vec<String>,
    pub word_spans: Vec<Span>,
    pub span: Span,
}

/// A declared input fact. Its [`FactId`] is also its slot in a case record.
#[derive(Clone, Debug)]
pub struct FactDef {
    pub path: String,
    pub ty: Type,
    pub doc: Option<String>,
    /// Declared `fixed`: neither the person nor their case can change it (a nationality, an
    /// age), so "what would change it" never proposes a new value for it.
    pub fixed: bool,
    pub span: Span,
}

/// A case constraint: what holds for every valid case (`constraint NAME: ...`).
#[derive(Clone, Debug)]
pub struct ConstraintDef {
    pub name: String,
    pub kind: ConstraintKind,
    pub basis: Basis,
    /// The whole declaration.
    pub span: Span,
    pub name_span: Span,
}

/// What a constraint states.
#[derive(Clone, Debug)]
pub enum ConstraintKind {
    /// A condition that is never false for a valid case (unknown is not a violation).
    Condition(TExpr),
    /// A string fact whose whole value fits a pattern.
    Pattern {
        fact: FactId,
        pattern: crate::pattern::Pattern,
        /// The pattern as written, for messages.
        text: String,
        fact_span: Span,
    },
}

/// Why a constraint holds: a cited source or a stated reason.
#[derive(Clone, Debug)]
pub enum Basis {
    Cite(Cite),
    Because(Cite),
}

impl Basis {
    pub fn text(&self) -> &str {
        match self {
            Basis::Cite(c) | Basis::Because(c) => &c.text,
        }
    }
}

#[derive(Clone, Debug)]
pub struct ConstDef {
    pub name: String,
    pub ty: Type,
    pub value: Value,
    pub cite: Option<Cite>,
    pub span: Span,
}

/// A dated parameter: values in increasing date order, each holding until the next.
#[derive(Clone, Debug)]
pub struct ParamDef {
    pub name: String,
    pub ty: Type,
    pub doc: Option<String>,
    pub values: Vec<DatedValue>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct DatedValue {
    pub from: Day,
    pub value: Value,
    pub cite: Option<Cite>,
    pub span: Span,
}

impl ParamDef {
    /// The value in force on `day`, or `None` before the first date.
    pub fn at(&self, day: Day) -> Option<&DatedValue> {
        self.values.iter().rev().find(|v| v.from <= day)
    }
}

#[derive(Clone, Debug)]
pub struct LetDef {
    pub name: String,
    pub value: TExpr,
    pub cite: Option<Cite>,
    pub span: Span,
}

/// A program and the window in which it takes applications: open from `opened` (if any)
/// until the day before `closed` (if any).
#[derive(Clone, Debug)]
pub struct ProgramDef {
    pub name: String,
    pub doc: Option<String>,
    pub opened: Option<WindowEdge>,
    pub closed: Option<WindowEdge>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct WindowEdge {
    pub kind: WindowEventKind,
    pub day: Day,
    pub cite: Option<Cite>,
    pub span: Span,
}

/// A policy: one question, one decision.
#[derive(Clone, Debug)]
pub struct PolicyDef {
    pub name: String,
    pub doc: Option<String>,
    pub window: Option<ProgramWindow>,
    pub forms: Vec<FormDef>,
    pub validities: Vec<ValidityDef>,
    pub rules: Vec<RuleDef>,
    pub span: Span,
    pub name_span: Span,
}

/// A policy's tie to a program: unavailable when the date `at` (default `as_of`) falls
/// outside the program's window.
#[derive(Clone, Debug)]
pub struct ProgramWindow {
    pub program: ProgramId,
    pub at: Option<TExpr>,
    pub cite: Option<Cite>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct FormDef {
    pub form: String,
    pub when: Option<TExpr>,
    pub cite: Option<Cite>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ValidityDef {
    pub value: TExpr,
    pub when: Option<TExpr>,
    pub cite: Option<Cite>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct RuleDef {
    pub kind: RuleKind,
    pub name: String,
    pub condition: TExpr,
    pub unless: Option<TExpr>,
    pub cite: Option<Cite>,
    /// The rule's reason in plain words (`says "..."`), shown to the applicant and the
    /// caseworker.
    pub says: Option<String>,
    pub span: Span,
    pub name_span: Span,
}

/// A typed expression.
#[derive(Clone, Debug)]
pub struct TExpr {
    pub kind: TExprKind,
    pub ty: Type,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum TExprKind {
    Lit(Value),
    Fact(FactId),
    AsOf,
    Const(ConstId),
    Param(ParamId),
    Let(LetId),
    Not(Box<TExpr>),
    And(Vec<TExpr>),
    Or(Vec<TExpr>),
    Compare(CompareOp, Box<TExpr>, Box<TExpr>),
    /// Membership in a literal list `{a, b}`.
    InList(Box<TExpr>, Vec<TExpr>),
    /// Membership of an enum word in a set fact.
    InSet(Box<TExpr>, Box<TExpr>),
    InRange {
        element: Box<TExpr>,
        low: Box<TExpr>,
        high: Box<TExpr>,
        inclusive: bool,
    },
    Arith(ArithOp, Box<TExpr>, Box<TExpr>),
}

impl TExpr {
    /// The expression's operands, in source order: the one walk over a typed expression's
    /// children that every pass shares.
    pub fn children(&self) -> impl DoubleEndedIterator<Item = &TExpr> + '_ {
        let none: [Option<&TExpr>; 3] = [None, None, None];
        let (around, list): ([Option<&TExpr>; 3], &[TExpr]) = match &self.kind {
            TExprKind::Lit(_)
            | TExprKind::Fact(_)
            | TExprKind::AsOf
            | TExprKind::Const(_)
            | TExprKind::Param(_)
            | TExprKind::Let(_) => (none, &[]),
            TExprKind::Not(x) => ([Some(&**x), None, None], &[]),
            TExprKind::And(xs) | TExprKind::Or(xs) => (none, xs),
            TExprKind::InList(x, xs) => ([Some(&**x), None, None], xs),
            TExprKind::Compare(_, a, b) | TExprKind::InSet(a, b) | TExprKind::Arith(_, a, b) => {
                ([Some(&**a), Some(&**b), None], &[])
            }
            TExprKind::InRange { element, low, high, .. } => {
                ([Some(&**element), Some(&**low), Some(&**high)], &[])
            }
        };
        // `InList`'s element comes before its list; no other kind has both.
        let [first, rest @ ..] = around;
        first.into_iter().chain(list.iter()).chain(rest.into_iter().flatten())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArithOp {
    IntAdd,
    IntSub,
    DurAdd,
    DurSub,
    /// date + duration, date - duration (the duration's unit is carried by the value).
    DatePlus,
    DateMinus,
    /// date - date: the number of days between.
    DaysBetween,
}

/// `#[allow(lint, ..., reason = "...")]` after checking: every lint it names is known.
/// A lint whose primary span lies inside `scope` is not reported.
#[derive(Clone, Debug)]
pub struct Allow {
    pub lints: Vec<AllowedLint>,
    pub reason: String,
    /// The attribute itself.
    pub span: Span,
    /// The declaration or policy line the attribute stands before, attributes included.
    pub scope: Span,
}

/// One lint named in an [`Allow`].
#[derive(Clone, Debug)]
pub struct AllowedLint {
    /// The lint's name, as in `codes::CODES`.
    pub name: &'static str,
    pub span: Span,
}

/// The whole checked policy set.
#[derive(Clone, Debug, Default)]
pub struct PolicySet {
    pub enums: IndexVec<EnumId, EnumDef>,
    pub facts: IndexVec<FactId, FactDef>,
    pub consts: IndexVec<ConstId, ConstDef>,
    pub params: IndexVec<ParamId, ParamDef>,
    pub lets: IndexVec<LetId, LetDef>,
    pub programs: IndexVec<ProgramId, ProgramDef>,
    pub policies: IndexVec<PolicyId, PolicyDef>,
    /// The case constraints of every file, in declaration order.
    pub constraints: IndexVec<ConstraintId, ConstraintDef>,
    /// Interned string literals; `Symbol(i)` is `strings[i]`.
    pub strings: Vec<String>,
    /// The `#[allow]` attributes of every file, for the lints.
    pub allows: Vec<Allow>,
}

impl PolicySet {
    pub fn policy(&self, name: &str) -> Option<PolicyId> {
        self.policies.iter_enumerated().find(|(_, p)| p.name == name).map(|(id, _)| id)
    }

    pub fn fact(&self, id: FactId) -> Option<&FactDef> {
        self.facts.get(id)
    }

    /// The pattern of constraint `id`, if it is a pattern constraint.
    pub fn pattern(&self, id: ConstraintId) -> Option<&crate::pattern::Pattern> {
        match &self.constraints.get(id)?.kind {
            ConstraintKind::Pattern { pattern, .. } => Some(pattern),
            ConstraintKind::Condition(_) => None,
        }
    }

    /// Renders a value for people: enum words by name, dates as ISO dates.
    pub fn display(&self, ty: Type, value: Value) -> String {
        match (ty, value) {
            (_, Value::Bool(b)) => b.to_string(),
            (_, Value::Int(i)) => i.to_string(),
            (_, Value::Date(d)) => d.to_string(),
            (_, Value::Duration(n, u)) => format!("{n} {}", unit_word(n, u)),
            (_, Value::Str(s)) => match self.strings.get(s.0 as usize) {
                Some(text) => format!("\"{text}\""),
                None => "another string".to_string(),
            },
            (Type::Enum(e), Value::Word(w)) => self.word(e, w).to_string(),
            (Type::Set(e), Value::Words(bits)) => {
                let words: Vec<&str> = (0..64u16)
                    .filter(|i| bits & (1u64 << i) != 0)
                    .map(|i| self.word(e, i))
                    .collect();
                format!("{{{}}}", words.join(", "))
            }
            (_, Value::Word(w)) => format!("word #{w}"),
            (_, Value::Words(bits)) => format!("{bits:#b}"),
        }
    }

    pub fn word(&self, e: EnumId, w: u16) -> &str {
        self.enums.get(e).and_then(|d| d.words.get(w as usize)).map_or("?", String::as_str)
    }

    pub fn type_name(&self, ty: Type) -> String {
        match ty {
            Type::Bool => "bool".into(),
            Type::Int => "integer".into(),
            Type::Date => "date".into(),
            Type::Duration(u) => u.plural().into(),
            Type::Str => "string".into(),
            Type::Enum(e) => self.enums.get(e).map_or("enum".into(), |d| d.name.clone()),
            Type::Set(e) => {
                format!("set of {}", self.enums.get(e).map_or("enum", |d| d.name.as_str()))
            }
        }
    }
}

fn unit_word(n: i64, u: Unit) -> &'static str {
    match (n == 1, u) {
        (true, Unit::Days) => "day",
        (true, Unit::Months) => "month",
        (true, Unit::Years) => "year",
        (false, u) => u.plural(),
    }
}

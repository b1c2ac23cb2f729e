//! The abstract syntax tree of a `.pol` file. Every node carries its [`Span`].
//!
//! The AST is what the author wrote, with names unresolved and types unchecked. Long
//! `and`/`or` chains and sums are n-ary, so no ordinary policy produces a deep tree.

pub use crate::date::Date;
use crate::span::{Span, Spanned};

/// Equality of nodes that carry a span, comparing everything but the span: trees parsed
/// from differently formatted text compare equal.
macro_rules! eq_ignoring_span {
    ($($name:ident { $($field:ident),* })*) => {$(
        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                true $(&& self.$field == other.$field)*
            }
        }
    )*};
}

eq_ignoring_span! {    Item { attrs, kind }
    Attribute { lints, reason }
    ParamValue { from, value, cite }
    WindowEvent { kind, date, cite }
    PolicyItem { attrs, kind }
    Citation { text }
    Sentence { text }
    Expr { kind }
}

/// A name as written (an identifier or a dotted fact path).
pub type Name = Spanned<String>;

/// One parsed `.pol` file.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceFile {
    pub items: Vec<Item>,
}

/// A top-level declaration with its attributes.
#[derive(Clone, Debug)]
pub struct Item {
    pub attrs: Vec<Attribute>,
    pub kind: ItemKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind {
    Import(Import),
    Enum(EnumDecl),
    Fact(FactDecl),
    Const(ConstDecl),
    Let(LetDecl),
    Param(ParamDecl),
    Program(ProgramDecl),
    Policy(PolicyDecl),
    Constraint(ConstraintDecl),
    /// A declaration that does not parse. The parser reported why; this keeps its place,
    /// and its keyword and name when they could be read.
    Broken(BrokenDecl),
}

/// A declaration with a syntax error (or a literal the parser rejects). When its keyword
/// and name could be read (`program chnv {` ...), the name is *poisoned*: known to exist,
/// its body broken. Resolution treats it as declared, so uses of it elsewhere are not
/// reported as unknown: the one error is the parser's.
#[derive(Clone, Debug, PartialEq)]
pub struct BrokenDecl {
    /// The declaration keyword it starts with, if it starts with one.
    pub keyword: Option<Spanned<DeclKeyword>>,
    /// The name it declares: a name, or a dotted path for a `fact`; `None` for an `import`,
    /// or when no name follows the keyword.
    pub name: Option<Name>,
}

/// The keywords a declaration starts with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeclKeyword {
    Import,
    Enum,
    Fact,
    Const,
    Let,
    Param,
    Program,
    Policy,
    Constraint,
}

impl DeclKeyword {
    /// Every declaration keyword.
    pub const ALL: [DeclKeyword; 9] = [
        DeclKeyword::Import,
        DeclKeyword::Enum,
        DeclKeyword::Fact,
        DeclKeyword::Const,
        DeclKeyword::Let,
        DeclKeyword::Param,
        DeclKeyword::Program,
        DeclKeyword::Policy,
        DeclKeyword::Constraint,
    ];

    /// Words that may come before a declaration keyword (`fixed fact ...`).
    pub const MODIFIERS: [&'static str; 1] = ["fixed"];

    pub fn keyword(self) -> &'static str {
        match self {
            DeclKeyword::Import => "import",
            DeclKeyword::Enum => "enum",
            DeclKeyword::Fact => "fact",
            DeclKeyword::Const => "const",
            DeclKeyword::Let => "let",
            DeclKeyword::Param => "param",
            DeclKeyword::Program => "program",
            DeclKeyword::Policy => "policy",
            DeclKeyword::Constraint => "constraint",
        }
    }

    /// The keyword spelled `word`, if it is one.
    pub fn from_word(word: &str) -> Option<DeclKeyword> {
        DeclKeyword::ALL.into_iter().find(|k| k.keyword() == word)
    }
}

/// `#[allow(lint, ..., reason = "...")]`: silences lints on the item it precedes.
#[derive(Clone, Debug)]
pub struct Attribute {
    pub lints: Vec<Name>,
    pub reason: Option<Spanned<String>>,
    pub span: Span,
}

/// `import "facts.pol"`: makes that file's declarations visible in this one.
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    pub path: Spanned<String>,
}

/// `enum Status { none, tps, daca } "doc"`: a closed set of words.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumDecl {
    pub name: Name,
    pub words: Vec<Name>,
    pub doc: Option<Spanned<String>>,
}

/// `fact applicant.age: integer "age in whole years"`: an input of every case.
/// `fixed fact ...` marks a fact that neither the person nor their case can change (a
/// nationality, an age): "what would change it" never changes it.
#[derive(Clone, Debug, PartialEq)]
pub struct FactDecl {
    pub fixed: bool,
    pub path: Name,
    pub ty: TypeExpr,
    pub doc: Option<Spanned<String>>,
}

/// A type as written: `bool`, `integer`, `date`, `days`, `months`, `years`, `string`,
/// an enum name, or `set of` an enum name.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeExpr {
    Named(Name),
    SetOf(Name),
}

impl TypeExpr {
    pub fn span(&self) -> Span {
        match self {
            TypeExpr::Named(n) | TypeExpr::SetOf(n) => n.span,
        }
    }
}

/// `constraint name: condition cite "..."` (or `because "..."`): what holds for every valid
/// case. A case whose known facts break it is bad input, and reasoning about unknown facts
/// only considers values that keep it.
#[derive(Clone, Debug, PartialEq)]
pub struct ConstraintDecl {
    pub name: Name,
    pub body: ConstraintBody,
    pub basis: Basis,
}

/// What a constraint states.
#[derive(Clone, Debug, PartialEq)]
pub enum ConstraintBody {
    /// A condition over facts, `as_of` and named values: `applicant.age >= 0`.
    Condition(Expr),
    /// `applicant.nationality matches "[A-Z]{2}"`: the whole string fits the pattern.
    Pattern { fact: Name, pattern: Spanned<String> },
}

/// Why a constraint holds: a cited source, or a reason stated in words.
#[derive(Clone, Debug, PartialEq)]
pub enum Basis {
    Cite(Citation),
    Because(Citation),
}

impl Basis {
    /// The text of the source or the reason.
    pub fn text(&self) -> &str {
        match self {
            Basis::Cite(c) | Basis::Because(c) => &c.text,
        }
    }

    pub fn keyword(&self) -> &'static str {
        match self {
            Basis::Cite(_) => "cite",
            Basis::Because(_) => "because",
        }
    }
}

/// `const name = value cite "..."`: a named value, the same on every date.
#[derive(Clone, Debug, PartialEq)]
pub struct ConstDecl {
    pub name: Name,
    pub value: Expr,
    pub cite: Option<Citation>,
}

/// `let name = condition`: a named derived value, shared by rules.
#[derive(Clone, Debug, PartialEq)]
pub struct LetDecl {
    pub name: Name,
    pub value: Expr,
    pub cite: Option<Citation>,
}

/// `param name: type "doc" { from DATE = value cite "..." ... }`: a value that changes on
/// given dates and is read at the case's `as_of`.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamDecl {
    pub name: Name,
    pub ty: TypeExpr,
    pub doc: Option<Spanned<String>>,
    pub values: Vec<ParamValue>,
}

/// One `from DATE = value` line of a dated parameter.
#[derive(Clone, Debug)]
pub struct ParamValue {
    pub from: Spanned<Date>,
    pub value: Expr,
    pub cite: Option<Citation>,
    pub span: Span,
}

/// `program chnv "doc" { opened ... terminated ... }`: a program and its window.
#[derive(Clone, Debug, PartialEq)]
pub struct ProgramDecl {
    pub name: Name,
    pub doc: Option<Spanned<String>>,
    pub events: Vec<WindowEvent>,
}

/// `terminated 2025-03-25 cite "..."`: one end of a program window.
#[derive(Clone, Debug)]
pub struct WindowEvent {
    pub kind: Spanned<WindowEventKind>,
    pub date: WindowDate,
    pub cite: Option<Citation>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowEventKind {
    Opened,
    Closed,
    Terminated,
    Halted,
    Ended,
}

impl WindowEventKind {
    pub const ALL: [WindowEventKind; 5] = [
        WindowEventKind::Opened,
        WindowEventKind::Closed,
        WindowEventKind::Terminated,
        WindowEventKind::Halted,
        WindowEventKind::Ended,
    ];

    /// Whether this event opens the window (only `opened` does).
    pub fn opens(self) -> bool {
        matches!(self, WindowEventKind::Opened)
    }

    pub fn keyword(self) -> &'static str {
        match self {
            WindowEventKind::Opened => "opened",
            WindowEventKind::Closed => "closed",
            WindowEventKind::Terminated => "terminated",
            WindowEventKind::Halted => "halted",
            WindowEventKind::Ended => "ended",
        }
    }

    /// The event spelled `word`, if it is one.
    pub fn from_word(word: &str) -> Option<WindowEventKind> {
        WindowEventKind::ALL.into_iter().find(|k| k.keyword() == word)
    }
}

/// The date of a window event: a literal or the name of a date constant.
#[derive(Clone, Debug, PartialEq)]
pub enum WindowDate {
    Literal(Spanned<Date>),
    Named(Name),
}

impl WindowDate {
    pub fn span(&self) -> Span {
        match self {
            WindowDate::Literal(d) => d.span,
            WindowDate::Named(n) => n.span,
        }
    }
}

/// `policy name "question" { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyDecl {
    pub name: Name,
    pub doc: Option<Spanned<String>>,
    pub items: Vec<PolicyItem>,
}

#[derive(Clone, Debug)]
pub struct PolicyItem {
    pub attrs: Vec<Attribute>,
    pub kind: PolicyItemKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PolicyItemKind {
    Program(ProgramUse),
    Forms(FormsDecl),
    Validity(ValidityDecl),
    Rule(Rule),
}

/// `program chnv` (window read at `as_of`) or `program cmpp at application.filed_on`.
#[derive(Clone, Debug, PartialEq)]
pub struct ProgramUse {
    pub program: Name,
    pub at: Option<Expr>,
    pub cite: Option<Citation>,
}

/// `form I-131, I-134 when condition cite "..."`.
#[derive(Clone, Debug, PartialEq)]
pub struct FormsDecl {
    pub forms: Vec<Name>,
    pub when: Option<Expr>,
    pub cite: Option<Citation>,
}

/// `validity 365 days when condition cite "..."`.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidityDecl {
    pub value: Expr,
    pub when: Option<Expr>,
    pub cite: Option<Citation>,
}

/// `exclude name: condition unless exception cite "..."` and its siblings.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub kind: Spanned<RuleKind>,
    pub name: Name,
    pub condition: Expr,
    pub unless: Option<Expr>,
    pub cite: Option<Citation>,
    /// `says "..."`: the rule's reason in plain words, for the applicant and the caseworker.
    pub says: Option<Sentence>,
}

/// `says "..."`: a rule's reason in plain words. The span covers the whole clause.
#[derive(Clone, Debug)]
pub struct Sentence {
    pub text: String,
    pub span: Span,
}

/// What a rule does when its condition holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleKind {
    /// `require`: ineligible when the condition is false.
    Require,
    /// `exclude`: ineligible when the condition is true (and the exception is not).
    Exclude,
    /// `not_required`: the person does not need this at all.
    NotRequired,
    /// `unavailable`: the policy is closed for this case.
    Unavailable,
    /// `warn`: adds a warning code.
    Warn,
}

impl RuleKind {
    pub const ALL: [RuleKind; 5] = [
        RuleKind::Require,
        RuleKind::Exclude,
        RuleKind::NotRequired,
        RuleKind::Unavailable,
        RuleKind::Warn,
    ];

    pub fn keyword(self) -> &'static str {
        match self {
            RuleKind::Require => "require",
            RuleKind::Exclude => "exclude",
            RuleKind::NotRequired => "not_required",
            RuleKind::Unavailable => "unavailable",
            RuleKind::Warn => "warn",
        }
    }

    /// The rule kind spelled `word`, if it is one.
    pub fn from_word(word: &str) -> Option<RuleKind> {
        RuleKind::ALL.into_iter().find(|k| k.keyword() == word)
    }
}

/// `cite "..."`: the legal source of a rule or date.
#[derive(Clone, Debug)]
pub struct Citation {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Bool(bool),
    Int(i64),
    Date(Date),
    Duration(i64, Unit),
    Str(String),
    /// A fact path, a constant, let, parameter or enum word; resolved by the compiler.
    Name(String),
    /// `{a, b, c}`.
    Set(Vec<Expr>),
    /// `not` applied `count` times.
    Not(u32, Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Compare(CompareOp, Box<Expr>, Box<Expr>),
    /// `x in S` (negated: `x not in S`).
    In {
        negated: bool,
        element: Box<Expr>,
        collection: Box<Expr>,
    },
    /// `x in lo..hi` or `x in lo..=hi` (negated: `not in`).
    InRange {
        negated: bool,
        element: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
        inclusive: bool,
    },
    /// `a + b - c`: the first term, then signed terms.
    Sum(Box<Expr>, Vec<(AddOp, Expr)>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    /// The operator with its sides swapped: `k op a` is `a op.flipped() k`.
    pub fn flipped(self) -> CompareOp {
        match self {
            CompareOp::Lt => CompareOp::Gt,
            CompareOp::Le => CompareOp::Ge,
            CompareOp::Gt => CompareOp::Lt,
            CompareOp::Ge => CompareOp::Le,
            CompareOp::Eq | CompareOp::Ne => self,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AddOp {
    Add,
    Sub,
}

/// The unit of a duration. Days are exact; months and years are calendar steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Unit {
    Days,
    Months,
    Years,
}

impl Unit {
    pub fn plural(self) -> &'static str {
        match self {
            Unit::Days => "days",
            Unit::Months => "months",
            Unit::Years => "years",
        }
    }
}

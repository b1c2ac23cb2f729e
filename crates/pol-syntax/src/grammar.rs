//! The pest grammar and the one module that sees its parse tree: conversion to the AST.

use pest::iterators::{Pair, Pairs};
use pest::Parser;

use crate::ast::*;
use crate::date::Date;
use crate::{Diagnostic, FileId, Label, Span, Spanned};

#[derive(pest_derive::Parser)]
#[grammar = "pol.pest"]
pub(crate) struct PolParser;

type Result<T> = std::result::Result<T, Diagnostic>;

/// A declaration the grammar accepted, converted to the AST; or, when its conversion failed
/// (a literal out of range, say), its span and the error.
pub(crate) type Converted = std::result::Result<Item, (Span, Diagnostic)>;

/// Where and why a stretch of text does not fit the grammar.
pub(crate) struct Failure {
    /// The error as the grammar reports it: at the furthest place any rule reached.
    pub diagnostic: Diagnostic,
    /// That place, as a byte offset in the whole text.
    pub at: usize,
    /// Whether a `}` was one of the things expected there.
    pub wants_close_brace: bool,
}

/// Parses `text[from..to]` as a whole file: every declaration in it, or where it first
/// fails to fit the grammar.
pub(crate) fn parse_file(
    file: FileId,
    text: &str,
    from: usize,
    to: usize,
) -> std::result::Result<Vec<Converted>, Failure> {
    let cx = Cx { file, base: from };
    let slice = text.get(from..to).unwrap_or("");
    let mut pairs = PolParser::parse(Rule::file, slice).map_err(|e| cx.failure(text, e))?;
    let Some(root) = pairs.next() else {
        let span = Span::new(file, from, to);
        return Ok(vec![Err((span, cx.internal_at(from, to, "empty parse")))]);
    };
    let mut items = Vec::new();
    for pair in root.into_inner() {
        match pair.as_rule() {
            Rule::item => items.push(cx.converted(pair)),
            Rule::EOI => {}
            _ => items.push(Err((cx.span(&pair), cx.unexpected(&pair)))),
        }
    }
    Ok(items)
}

/// Parses the declarations of `text[from..to]` one at a time, up to the first that does
/// not fit the grammar: those before it, and where it starts (`None` if all fit). A
/// declaration parses alone exactly as it does within the file (the grammar is a PEG: what
/// a rule matches at a place does not depend on what follows), so these are the
/// declarations [`parse_file`] read before it failed.
pub(crate) fn parse_declarations(
    file: FileId,
    text: &str,
    from: usize,
    to: usize,
) -> (Vec<Converted>, Option<usize>) {
    let mut items = Vec::new();
    let mut pos = from;
    loop {
        // What the grammar skips between declarations: blanks, line ends and comments.
        pos = crate::scan::scan_from(text, pos)
            .find(|t| !t.kind.is_trivia() || t.start >= to)
            .map_or(text.len(), |t| t.start)
            .min(to);
        if pos >= to {
            return (items, None);
        }
        let cx = Cx { file, base: pos };
        let slice = text.get(pos..to).unwrap_or("");
        let Ok(mut pairs) = PolParser::parse(Rule::item, slice) else {
            return (items, Some(pos));
        };
        let Some(pair) = pairs.next() else {
            return (items, Some(pos));
        };
        let end = pos + pair.as_span().end();
        items.push(cx.converted(pair));
        if end <= pos {
            // A declaration is never empty; stop rather than loop.
            debug_assert!(false, "an empty declaration at {pos}");
            return (items, Some(pos));
        }
        pos = end;
    }
}

/// Conversion context: the file id stamped on every span, and where in the file the text
/// given to pest starts (pest's offsets are relative to it).
struct Cx {
    file: FileId,
    base: usize,
}

impl Cx {
    /// The pair's span without the whitespace pest skips after an optional part that did
    /// not match, so labels underline exactly what the author wrote.
    fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        let trimmed = pair.as_str().trim_end_matches([' ', '\t', '\r', '\n']).len();
        Span::new(self.file, self.base + s.start(), self.base + s.start() + trimmed)
    }

    /// A pest error as a [`Failure`], with offsets in the whole text.
    fn failure(&self, text: &str, err: pest::error::Error<Rule>) -> Failure {
        let (diagnostic, at, wants_close_brace) =
            crate::error::from_pest(self.file, text, self.base, err);
        Failure { diagnostic, at, wants_close_brace }
    }

    /// One declaration, converted; a failed conversion keeps the declaration's span.
    fn converted(&self, pair: Pair<Rule>) -> Converted {
        let span = self.span(&pair);
        self.item(pair).map_err(|d| (span, d))
    }

    fn name(&self, pair: &Pair<Rule>) -> Name {
        Spanned::new(pair.as_str().to_string(), self.span(pair))
    }

    /// INVARIANT: the grammar guarantees the shapes this module expects; a mismatch is a
    /// bug in this file, reported as a diagnostic rather than a panic. `at` is relative to
    /// the text pest parsed.
    fn internal(&self, at: usize, what: &str) -> Diagnostic {
        self.internal_at(self.base + at, self.base + at, what)
    }

    /// An internal error over a byte range of the whole file.
    fn internal_at(&self, start: usize, end: usize, what: &str) -> Diagnostic {
        crate::error::internal(Span::new(self.file, start, end), what)
    }

    fn unexpected(&self, pair: &Pair<Rule>) -> Diagnostic {
        self.internal(pair.as_span().start(), &format!("unexpected {:?}", pair.as_rule()))
    }

    fn next<'a>(&self, pairs: &mut Pairs<'a, Rule>, at: &Pair<Rule>) -> Result<Pair<'a, Rule>> {
        pairs.next().ok_or_else(|| self.internal(at.as_span().end(), "missing part"))
    }

    /// The next significant pair, skipping punctuation and keywords.
    fn next_sig<'a>(&self, pairs: &mut Pairs<'a, Rule>, at: &Pair<Rule>) -> Result<Pair<'a, Rule>> {
        loop {
            let p = self.next(pairs, at)?;
            if !is_token(p.as_rule()) {
                return Ok(p);
            }
        }
    }

    fn item(&self, pair: Pair<Rule>) -> Result<Item> {
        let span = self.span(&pair);
        let mut attrs = Vec::new();
        let mut kind = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::attribute => attrs.push(self.attribute(p)?),
                Rule::import => kind = Some(ItemKind::Import(self.import(p)?)),
                Rule::enum_decl => kind = Some(ItemKind::Enum(self.enum_decl(p)?)),
                Rule::fact_decl => kind = Some(ItemKind::Fact(self.fact_decl(p)?)),
                Rule::const_decl => {
                    let (name, value, cite) = self.binding(p)?;
                    kind = Some(ItemKind::Const(ConstDecl { name, value, cite }))
                }
                Rule::let_decl => {
                    let (name, value, cite) = self.binding(p)?;
                    kind = Some(ItemKind::Let(LetDecl { name, value, cite }))
                }
                Rule::param_decl => kind = Some(ItemKind::Param(self.param_decl(p)?)),
                Rule::program_decl => kind = Some(ItemKind::Program(self.program_decl(p)?)),
                Rule::policy_decl => kind = Some(ItemKind::Policy(self.policy_decl(p)?)),
                Rule::constraint_decl => {
                    kind = Some(ItemKind::Constraint(self.constraint_decl(p)?))
                }
                _ => return Err(self.unexpected(&p)),
            }
        }
        let kind = kind.ok_or_else(|| {
            self.internal_at(span.start as usize, span.end as usize, "item without body")
        })?;
        Ok(Item { attrs, kind, span })
    }

    fn attribute(&self, pair: Pair<Rule>) -> Result<Attribute> {
        let span = self.span(&pair);
        let mut lints = Vec::new();
        let mut reason = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => lints.push(self.name(&p)),
                Rule::reason => {
                    let mut inner = p.clone().into_inner();
                    let s = self.next_sig(&mut inner, &p)?;
                    reason = Some(self.string(&s)?);
                }
                _ => {}
            }
        }
        Ok(Attribute { lints, reason, span })
    }

    fn import(&self, pair: Pair<Rule>) -> Result<Import> {
        let mut inner = pair.clone().into_inner();
        let s = self.next_sig(&mut inner, &pair)?;
        Ok(Import { path: self.string(&s)? })
    }

    fn enum_decl(&self, pair: Pair<Rule>) -> Result<EnumDecl> {
        let mut name = None;
        let mut words = Vec::new();
        let mut doc = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::ident if name.is_none() => name = Some(self.name(&p)),
                Rule::ident => words.push(self.name(&p)),
                Rule::doc => doc = Some(self.doc(p)?),
                _ => {}
            }
        }
        let name = name.ok_or_else(|| self.internal(pair.as_span().start(), "enum name"))?;
        Ok(EnumDecl { name, words, doc })
    }

    fn fact_decl(&self, pair: Pair<Rule>) -> Result<FactDecl> {
        let fixed = pair.clone().into_inner().any(|p| p.as_rule() == Rule::kw_fixed);
        let mut inner = pair.clone().into_inner();
        let path = self.name(&self.next_sig(&mut inner, &pair)?);
        let ty = self.type_expr(self.next_sig(&mut inner, &pair)?)?;
        let doc = match inner.find(|p| p.as_rule() == Rule::doc) {
            Some(d) => Some(self.doc(d)?),
            None => None,
        };
        Ok(FactDecl { fixed, path, ty, doc })
    }

    fn constraint_decl(&self, pair: Pair<Rule>) -> Result<ConstraintDecl> {
        let mut inner = pair.clone().into_inner();
        let name = self.name(&self.next_sig(&mut inner, &pair)?);
        let body_pair = self.next_sig(&mut inner, &pair)?;
        let body = match body_pair.as_rule() {
            Rule::pattern_test => {
                let mut parts = body_pair.clone().into_inner();
                let fact = self.name(&self.next_sig(&mut parts, &body_pair)?);
                let pattern = self.string(&self.next_sig(&mut parts, &body_pair)?)?;
                ConstraintBody::Pattern { fact, pattern }
            }
            _ => ConstraintBody::Condition(self.expr(body_pair)?),
        };
        let basis_pair = self.next_sig(&mut inner, &pair)?;
        let basis = match basis_pair.as_rule() {
            Rule::because => {
                let mut parts = basis_pair.clone().into_inner();
                let s = self.string(&self.next_sig(&mut parts, &basis_pair)?)?;
                Basis::Because(Citation { text: s.node, span: self.span(&basis_pair) })
            }
            _ => Basis::Cite(self.citation(basis_pair)?),
        };
        Ok(ConstraintDecl { name, body, basis })
    }

    fn type_expr(&self, pair: Pair<Rule>) -> Result<TypeExpr> {
        let mut inner = pair.clone().into_inner();
        let first = self.next(&mut inner, &pair)?;
        match first.as_rule() {
            Rule::ident => Ok(TypeExpr::Named(self.name(&first))),
            Rule::set_type => {
                let mut set = first.clone().into_inner();
                let elem = self.next_sig(&mut set, &first)?;
                Ok(TypeExpr::SetOf(self.name(&elem)))
            }
            _ => Err(self.unexpected(&first)),
        }
    }

    fn doc(&self, pair: Pair<Rule>) -> Result<Spanned<String>> {
        let mut inner = pair.clone().into_inner();
        self.string(&self.next(&mut inner, &pair)?)
    }

    /// The rest of a parameter, program or policy after its head: its doc string, and each
    /// part of rule `part` (a dated value, a window event, a policy line), converted by
    /// `convert`.
    fn doc_and_items<T>(
        &self,
        rest: Pairs<Rule>,
        part: Rule,
        convert: fn(&Self, Pair<Rule>) -> Result<T>,
    ) -> Result<(Option<Spanned<String>>, Vec<T>)> {
        let mut doc = None;
        let mut items = Vec::new();
        for p in rest {
            if p.as_rule() == Rule::doc {
                doc = Some(self.doc(p)?);
            } else if p.as_rule() == part {
                items.push(convert(self, p)?);
            }
        }
        Ok((doc, items))
    }

    fn citation(&self, pair: Pair<Rule>) -> Result<Citation> {
        let (text, span) = self.quoted_clause(pair)?;
        Ok(Citation { text, span })
    }

    /// The citation among the remaining parts of a declaration, if it has one.
    fn citation_in(&self, mut rest: Pairs<Rule>) -> Result<Option<Citation>> {
        rest.find(|p| p.as_rule() == Rule::citation).map(|c| self.citation(c)).transpose()
    }

    /// `says "..."`: a rule's reason in plain words.
    fn sentence(&self, pair: Pair<Rule>) -> Result<crate::ast::Sentence> {
        let (text, span) = self.quoted_clause(pair)?;
        Ok(crate::ast::Sentence { text, span })
    }

    /// A keyword and a string (`cite "..."`, `says "..."`): the string, and the span of the
    /// whole clause.
    fn quoted_clause(&self, pair: Pair<Rule>) -> Result<(String, Span)> {
        let mut inner = pair.clone().into_inner();
        let s = self.string(&self.next_sig(&mut inner, &pair)?)?;
        Ok((s.node, self.span(&pair)))
    }

    /// `const` and `let`: a name, a value and an optional citation.
    fn binding(&self, pair: Pair<Rule>) -> Result<(Name, Expr, Option<Citation>)> {
        let mut inner = pair.clone().into_inner();
        let name = self.name(&self.next_sig(&mut inner, &pair)?);
        let value = self.expr(self.next_sig(&mut inner, &pair)?)?;
        let cite = self.citation_in(inner)?;
        Ok((name, value, cite))
    }

    fn param_decl(&self, pair: Pair<Rule>) -> Result<ParamDecl> {
        let mut inner = pair.clone().into_inner();
        let name = self.name(&self.next_sig(&mut inner, &pair)?);
        let ty = self.type_expr(self.next_sig(&mut inner, &pair)?)?;
        let (doc, values) = self.doc_and_items(inner, Rule::param_value, Self::param_value)?;
        Ok(ParamDecl { name, ty, doc, values })
    }

    fn param_value(&self, pair: Pair<Rule>) -> Result<ParamValue> {
        let span = self.span(&pair);
        let mut inner = pair.clone().into_inner();
        let from = self.date(&self.next_sig(&mut inner, &pair)?)?;
        let value = self.expr(self.next_sig(&mut inner, &pair)?)?;
        let cite = self.citation_in(inner)?;
        Ok(ParamValue { from, value, cite, span })
    }

    fn program_decl(&self, pair: Pair<Rule>) -> Result<ProgramDecl> {
        let mut inner = pair.clone().into_inner();
        let name = self.name(&self.next_sig(&mut inner, &pair)?);
        let (doc, events) = self.doc_and_items(inner, Rule::window_event, Self::window_event)?;
        Ok(ProgramDecl { name, doc, events })
    }

    fn window_event(&self, pair: Pair<Rule>) -> Result<WindowEvent> {
        let span = self.span(&pair);
        let mut inner = pair.clone().into_inner();
        let kind_pair = self.next(&mut inner, &pair)?;
        let kind = WindowEventKind::from_word(kind_pair.as_str())
            .ok_or_else(|| self.unexpected(&kind_pair))?;
        let date_pair = self.next(&mut inner, &pair)?;
        let date_inner = self.next(&mut date_pair.clone().into_inner(), &date_pair)?;
        let date = match date_inner.as_rule() {
            Rule::date => WindowDate::Literal(self.date(&date_inner)?),
            _ => WindowDate::Named(self.name(&date_inner)),
        };
        let cite = self.citation_in(inner)?;
        Ok(WindowEvent { kind: Spanned::new(kind, self.span(&kind_pair)), date, cite, span })
    }

    fn policy_decl(&self, pair: Pair<Rule>) -> Result<PolicyDecl> {
        let mut inner = pair.clone().into_inner();
        let name = self.name(&self.next_sig(&mut inner, &pair)?);
        let (doc, items) = self.doc_and_items(inner, Rule::policy_item, Self::policy_item)?;
        Ok(PolicyDecl { name, doc, items })
    }

    fn policy_item(&self, pair: Pair<Rule>) -> Result<PolicyItem> {
        let span = self.span(&pair);
        let mut attrs = Vec::new();
        let mut kind = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::attribute => attrs.push(self.attribute(p)?),
                Rule::program_use => kind = Some(PolicyItemKind::Program(self.program_use(p)?)),
                Rule::forms_decl => kind = Some(PolicyItemKind::Forms(self.forms_decl(p)?)),
                Rule::validity_decl => {
                    kind = Some(PolicyItemKind::Validity(self.validity_decl(p)?))
                }
                Rule::rule => kind = Some(PolicyItemKind::Rule(self.rule(p)?)),
                _ => return Err(self.unexpected(&p)),
            }
        }
        let kind = kind.ok_or_else(|| {
            self.internal_at(span.start as usize, span.end as usize, "empty policy item")
        })?;
        Ok(PolicyItem { attrs, kind, span })
    }

    fn program_use(&self, pair: Pair<Rule>) -> Result<ProgramUse> {
        let mut program = None;
        let mut at = None;
        let mut cite = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::ident => program = Some(self.name(&p)),
                Rule::expr => at = Some(self.expr(p)?),
                Rule::citation => cite = Some(self.citation(p)?),
                _ => {}
            }
        }
        let program =
            program.ok_or_else(|| self.internal(pair.as_span().start(), "program name"))?;
        Ok(ProgramUse { program, at, cite })
    }

    fn forms_decl(&self, pair: Pair<Rule>) -> Result<FormsDecl> {
        let mut forms = Vec::new();
        let mut when = None;
        let mut cite = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::form_name => forms.push(self.name(&p)),
                Rule::expr => when = Some(self.expr(p)?),
                Rule::citation => cite = Some(self.citation(p)?),
                _ => {}
            }
        }
        Ok(FormsDecl { forms, when, cite })
    }

    fn validity_decl(&self, pair: Pair<Rule>) -> Result<ValidityDecl> {
        let mut exprs = Vec::new();
        let mut cite = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::expr => exprs.push(self.expr(p)?),
                Rule::citation => cite = Some(self.citation(p)?),
                _ => {}
            }
        }
        let mut exprs = exprs.into_iter();
        let value =
            exprs.next().ok_or_else(|| self.internal(pair.as_span().start(), "validity value"))?;
        Ok(ValidityDecl { value, when: exprs.next(), cite })
    }

    fn rule(&self, pair: Pair<Rule>) -> Result<crate::ast::Rule> {
        let mut inner = pair.clone().into_inner();
        let kind_pair = self.next(&mut inner, &pair)?;
        let kind =
            RuleKind::from_word(kind_pair.as_str()).ok_or_else(|| self.unexpected(&kind_pair))?;
        let name = self.name(&self.next_sig(&mut inner, &pair)?);
        let condition = self.expr(self.next_sig(&mut inner, &pair)?)?;
        let mut unless = None;
        let mut cite = None;
        let mut says = None;
        for p in inner {
            match p.as_rule() {
                Rule::unless_clause => {
                    let mut u = p.clone().into_inner();
                    unless = Some(self.expr(self.next_sig(&mut u, &p)?)?);
                }
                Rule::citation => cite = Some(self.citation(p)?),
                Rule::says => says = Some(self.sentence(p)?),
                _ => {}
            }
        }
        Ok(crate::ast::Rule {
            kind: Spanned::new(kind, self.span(&kind_pair)),
            name,
            condition,
            unless,
            cite,
            says,
        })
    }

    // ----- expressions -----

    fn expr(&self, pair: Pair<Rule>) -> Result<Expr> {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::expr => self.chain(pair, Rule::conjunction, ExprKind::Or, span),
            Rule::conjunction => self.chain(pair, Rule::negation, ExprKind::And, span),
            Rule::negation => {
                let mut count = 0u32;
                let mut operand = None;
                for p in pair.clone().into_inner() {
                    match p.as_rule() {
                        Rule::kw_not => count += 1,
                        _ => operand = Some(self.expr(p)?),
                    }
                }
                let operand = operand.ok_or_else(|| {
                    self.internal_at(span.start as usize, span.end as usize, "negation")
                })?;
                if count == 0 {
                    Ok(operand)
                } else {
                    Ok(Expr { kind: ExprKind::Not(count, Box::new(operand)), span })
                }
            }
            Rule::comparison => self.comparison(pair),
            Rule::sum => {
                let mut inner = pair.clone().into_inner();
                let first = self.expr(self.next(&mut inner, &pair)?)?;
                let mut rest = Vec::new();
                while let Some(op) = inner.next() {
                    let op = if op.as_str() == "+" { AddOp::Add } else { AddOp::Sub };
                    rest.push((op, self.expr(self.next(&mut inner, &pair)?)?));
                }
                if rest.is_empty() {
                    Ok(first)
                } else {
                    Ok(Expr { kind: ExprKind::Sum(Box::new(first), rest), span })
                }
            }
            Rule::paren => {
                let mut inner = pair.clone().into_inner();
                let e = self.expr(self.next_sig(&mut inner, &pair)?)?;
                // Keep the parenthesised span so labels underline what the author grouped.
                Ok(Expr { kind: e.kind, span })
            }
            Rule::set_literal => {
                let mut items = Vec::new();
                for p in pair.into_inner() {
                    if p.as_rule() == Rule::expr {
                        items.push(self.expr(p)?);
                    }
                }
                Ok(Expr { kind: ExprKind::Set(items), span })
            }
            Rule::duration => {
                let mut inner = pair.clone().into_inner();
                let n = self.integer(&self.next(&mut inner, &pair)?)?;
                let unit = match self.next(&mut inner, &pair)?.as_str() {
                    "day" | "days" => Unit::Days,
                    "month" | "months" => Unit::Months,
                    _ => Unit::Years,
                };
                Ok(Expr { kind: ExprKind::Duration(n, unit), span })
            }
            Rule::date => Ok(Expr { kind: ExprKind::Date(self.date(&pair)?.node), span }),
            Rule::integer => Ok(Expr { kind: ExprKind::Int(self.integer(&pair)?), span }),
            Rule::boolean => Ok(Expr { kind: ExprKind::Bool(pair.as_str() == "true"), span }),
            Rule::string => Ok(Expr { kind: ExprKind::Str(self.string(&pair)?.node), span }),
            Rule::path => Ok(Expr { kind: ExprKind::Name(pair.as_str().to_string()), span }),
            _ => Err(self.unexpected(&pair)),
        }
    }

    /// `a op b op c` for `and`/`or`: one operand stays itself, more become one n-ary node.
    fn chain(
        &self,
        pair: Pair<Rule>,
        operand: Rule,
        make: fn(Vec<Expr>) -> ExprKind,
        span: Span,
    ) -> Result<Expr> {
        let mut operands = Vec::new();
        for p in pair.into_inner() {
            if p.as_rule() == operand {
                operands.push(self.expr(p)?);
            }
        }
        if operands.len() == 1 {
            if let Some(only) = operands.pop() {
                return Ok(only);
            }
        }
        Ok(Expr { kind: make(operands), span })
    }

    fn comparison(&self, pair: Pair<Rule>) -> Result<Expr> {
        let span = self.span(&pair);
        let mut inner = pair.clone().into_inner();
        let lhs = self.expr(self.next(&mut inner, &pair)?)?;
        let Some(tail) = inner.next() else {
            return Ok(lhs);
        };
        let mut parts = tail.clone().into_inner();
        let op = self.next(&mut parts, &tail)?;
        match tail.as_rule() {
            Rule::compare_tail => {
                let rhs = self.expr(self.next(&mut parts, &tail)?)?;
                let op = match op.as_str() {
                    "==" => CompareOp::Eq,
                    "!=" => CompareOp::Ne,
                    "<=" => CompareOp::Le,
                    ">=" => CompareOp::Ge,
                    "<" => CompareOp::Lt,
                    _ => CompareOp::Gt,
                };
                Ok(Expr { kind: ExprKind::Compare(op, Box::new(lhs), Box::new(rhs)), span })
            }
            _ => {
                let negated = op.as_str().starts_with("not");
                let first = self.expr(self.next(&mut parts, &tail)?)?;
                match parts.next() {
                    None => Ok(Expr {
                        kind: ExprKind::In {
                            negated,
                            element: Box::new(lhs),
                            collection: Box::new(first),
                        },
                        span,
                    }),
                    Some(range_op) => {
                        let high = self.expr(self.next(&mut parts, &tail)?)?;
                        Ok(Expr {
                            kind: ExprKind::InRange {
                                negated,
                                element: Box::new(lhs),
                                low: Box::new(first),
                                high: Box::new(high),
                                inclusive: range_op.as_str() == "..=",
                            },
                            span,
                        })
                    }
                }
            }
        }
    }

    // ----- tokens -----

    fn string(&self, pair: &Pair<Rule>) -> Result<Spanned<String>> {
        let raw = pair.as_str();
        let body = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
        let mut out = String::with_capacity(body.len());
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some(other) => out.push(other),
                    None => {}
                }
            } else {
                out.push(c);
            }
        }
        Ok(Spanned::new(out, self.span(pair)))
    }

    fn integer(&self, pair: &Pair<Rule>) -> Result<i64> {
        pair.as_str().parse::<i64>().map_err(|_| {
            Diagnostic::new(
                crate::codes::MALFORMED_LITERAL,
                format!("integer `{}` is too large", pair.as_str()),
                Label::new(self.span(pair), "does not fit in 64 bits"),
            )
            .with_help(format!("integers range up to {}", i64::MAX))
        })
    }

    fn date(&self, pair: &Pair<Rule>) -> Result<Spanned<Date>> {
        let span = self.span(pair);
        Date::parse_iso(pair.as_str()).map(|d| Spanned::new(d, span)).map_err(|why| {
            Diagnostic::new(
                crate::codes::MALFORMED_LITERAL,
                format!("`{}` is not a valid date", pair.as_str()),
                Label::new(span, why),
            )
            .with_help("dates are written YYYY-MM-DD and must exist on the calendar")
        })
    }
}

/// Punctuation and keywords: present in the tree for error messages, skipped when building.
fn is_token(r: Rule) -> bool {
    matches!(
        r,
        Rule::lparen
            | Rule::rparen
            | Rule::lbrace
            | Rule::rbrace
            | Rule::comma
            | Rule::colon
            | Rule::equals
            | Rule::kw_allow
            | Rule::kw_reason
            | Rule::kw_import
            | Rule::kw_enum
            | Rule::kw_fact
            | Rule::kw_fixed
            | Rule::kw_constraint
            | Rule::kw_matches
            | Rule::kw_because
            | Rule::kw_set
            | Rule::kw_of
            | Rule::kw_const
            | Rule::kw_let
            | Rule::kw_param
            | Rule::kw_from
            | Rule::kw_program
            | Rule::kw_policy
            | Rule::kw_at
            | Rule::kw_form
            | Rule::kw_validity
            | Rule::kw_when
            | Rule::kw_unless
            | Rule::kw_cite
            | Rule::kw_says
    )
}

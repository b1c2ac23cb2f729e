//! Type checking of expressions, including the resolution of bare enum words, which take
//! their meaning from the other side of a comparison or membership test.

use pol_syntax::ast::{self, AddOp, CompareOp, ExprKind, Unit};
use pol_syntax::codes;
use pol_syntax::{Diagnostic, FileId, Label, Span};

use crate::ir::*;
use crate::resolve::{Checker, MAX_EXPRESSION_DEPTH};
use crate::suggest::did_you_mean;
use crate::symbols::Declared;
use crate::types::Type;
use crate::value::{Day, Symbol, Value};

/// An expression checked without context: typed, or a bare word waiting for an enum type.
enum Checked {
    Typed(TExpr),
    Word(String, Span),
}

impl Checker<'_> {
    /// Checks an optional clause (`at`, `when`, `unless`) like [`Self::check_typed`]:
    /// `Some(None)` when it is not written, `None` when it is written but does not check.
    pub(crate) fn check_clause(
        &mut self,
        clause: Option<&ast::Expr>,
        file: FileId,
        want: Type,
        what: &str,
    ) -> Option<Option<TExpr>> {
        match clause {
            Some(e) => self.check_typed(e, file, want, what).map(Some),
            None => Some(None),
        }
    }

    /// Checks an expression that must have type `want`; `what` names the place for messages.
    pub(crate) fn check_typed(
        &mut self,
        e: &ast::Expr,
        file: FileId,
        want: Type,
        what: &str,
    ) -> Option<TExpr> {
        let te = self.check_expr(e, file)?;
        if te.ty == want {
            return Some(te);
        }
        let found = self.set.type_name(te.ty);
        let want_name = self.set.type_name(want);
        let help = if want == Type::Bool && matches!(te.ty, Type::Enum(_)) {
            format!("compare it with a word: `{} == ...`", self.sources.snippet(te.span))
        } else {
            format!("{what} must be {want_name}")
        };
        self.error(
            Diagnostic::new(
                codes::WRONG_TYPE,
                format!("expected {want_name} for {what}, found {found}"),
                Label::new(te.span, format!("this is {found}")),
            )
            .with_help(help),
        );
        None
    }

    /// Checks an expression in the scope of `file`.
    pub(crate) fn check_expr(&mut self, e: &ast::Expr, file: FileId) -> Option<TExpr> {
        match self.check_any(e, file)? {
            Checked::Typed(t) => Some(t),
            Checked::Word(w, span) => {
                self.unknown_name(&w, span, file);
                None
            }
        }
    }

    fn unknown_name(&mut self, name: &str, span: Span, file: FileId) {
        if let Some((_, declared, _)) = self.values.get(name) {
            if !self.is_visible(file, *declared) {
                let declared_in = self.sources.name(*declared).to_string();
                self.error(
                    Diagnostic::new(
                        codes::UNKNOWN_NAME,
                        format!("`{name}` is declared in `{declared_in}`, which this file does not import"),
                        Label::new(span, "not visible here"),
                    )
                    .with_help(format!("add `import \"{}\"` at the top of this file", declared_in.rsplit('/').next().unwrap_or(&declared_in))),
                );
                return;
            }
        }
        let names = self.visible_value_names(file);
        let suggestion = did_you_mean(name, names.iter().copied()).map(str::to_string);
        let d = Diagnostic::new(
            codes::UNKNOWN_NAME,
            format!("unknown name `{name}`"),
            Label::new(span, "not a fact, constant, parameter or `let`"),
        );
        let d = match suggestion {
            Some(s) => d.with_did_you_mean(span, &s),
            None => d.with_help(
                "declare it (`fact`, `const`, `param` or `let`) or import the file that does",
            ),
        };
        self.error(d);
    }

    /// A bare word compared with a string (`applicant.nationality == UA`): meant as text,
    /// unless it is a near miss of a name in scope (then it is a typo of that name).
    fn bare_word_for_string(&mut self, other: &TExpr, w: &str, span: Span, file: FileId) {
        let names = self.visible_value_names(file);
        if self.values.contains_key(w) || did_you_mean(w, names.iter().copied()).is_some() {
            self.unknown_name(w, span, file);
            return;
        }
        let subject = self.sources.snippet(other.span).to_string();
        self.error(
            Diagnostic::new(
                codes::UNKNOWN_NAME,
                format!("unknown name `{w}`"),
                Label::new(span, "a bare word, not text"),
            )
            .with_help(format!(
                "`{subject}` is a string: to compare it with the text {w}, quote it: `\"{w}\"`"
            )),
        );
    }

    /// Checks an expression one level deeper, refusing to go past
    /// [`MAX_EXPRESSION_DEPTH`] so that no later walk over the result can exhaust the stack.
    fn check_any(&mut self, e: &ast::Expr, file: FileId) -> Option<Checked> {
        if self.expr_depth >= MAX_EXPRESSION_DEPTH {
            self.too_deep(e.span);
            return None;
        }
        self.expr_depth += 1;
        let checked = self.check_level(e, file);
        self.expr_depth -= 1;
        checked
    }

    fn too_deep(&mut self, span: Span) {
        self.error(
            Diagnostic::new(
                codes::TOO_DEEP,
                format!("this expression is nested more than {MAX_EXPRESSION_DEPTH} levels deep"),
                Label::new(span, "too deep"),
            )
            .with_help(
                "the depth counts through the `let`s an expression uses and each term of a sum; write it more simply",
            ),
        );
    }

    /// The height of a checked expression as lowering and constant folding walk it:
    /// through `let`s (as deep as their bodies) and one level per term of a sum.
    pub(crate) fn height(&self, e: &TExpr) -> u32 {
        let mut max = 0;
        let mut stack = vec![(e, 1u32)];
        while let Some((e, h)) = stack.pop() {
            let here = match &e.kind {
                TExprKind::Let(l) => h.saturating_add(self.let_height(*l)),
                _ => h,
            };
            max = max.max(here);
            let below = h.saturating_add(1);
            stack.extend(e.children().map(|x| (x, below)));
        }
        max
    }

    fn check_level(&mut self, e: &ast::Expr, file: FileId) -> Option<Checked> {
        let span = e.span;
        let typed = |kind, ty| Some(Checked::Typed(TExpr { kind, ty, span }));
        match &e.kind {
            ExprKind::Bool(b) => typed(TExprKind::Lit(Value::Bool(*b)), Type::Bool),
            ExprKind::Int(i) => typed(TExprKind::Lit(Value::Int(*i)), Type::Int),
            ExprKind::Date(d) => typed(TExprKind::Lit(Value::Date(Day::from_date(*d))), Type::Date),
            ExprKind::Duration(n, u) => {
                typed(TExprKind::Lit(Value::Duration(*n, *u)), Type::Duration(*u))
            }
            ExprKind::Str(s) => {
                let sym = self.intern(s);
                typed(TExprKind::Lit(Value::Str(Symbol(sym))), Type::Str)
            }
            ExprKind::Name(n) => self.check_name(n, span, file),
            ExprKind::Set(_) => {
                self.error(
                    Diagnostic::new(
                        codes::WRONG_TYPE,
                        "a set literal can only follow `in`",
                        Label::new(span, "set used as a value"),
                    )
                    .with_help("test membership: `applicant.status in {h1, h4}`"),
                );
                None
            }
            ExprKind::Not(count, inner) => {
                let inner = self.check_typed(inner, file, Type::Bool, "`not`")?;
                // `not not x` is `x`: keep one negation for an odd count.
                if count % 2 == 0 {
                    Some(Checked::Typed(TExpr { span, ..inner }))
                } else {
                    typed(TExprKind::Not(Box::new(inner)), Type::Bool)
                }
            }
            ExprKind::And(items) | ExprKind::Or(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                let word = if matches!(e.kind, ExprKind::And(_)) { "`and`" } else { "`or`" };
                for item in items {
                    match self.check_typed(item, file, Type::Bool, &format!("an operand of {word}"))
                    {
                        Some(t) => out.push(t),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                let kind = if matches!(e.kind, ExprKind::And(_)) {
                    TExprKind::And(out)
                } else {
                    TExprKind::Or(out)
                };
                typed(kind, Type::Bool)
            }
            ExprKind::Compare(op, lhs, rhs) => {
                let (l, r) = self.check_pair(lhs, rhs, file)?;
                self.check_comparable(*op, &l, &r)?;
                typed(TExprKind::Compare(*op, Box::new(l), Box::new(r)), Type::Bool)
            }
            ExprKind::In { negated, element, collection } => {
                let te = self.check_in(element, collection, file, span)?;
                Some(Checked::Typed(negate(*negated, te)))
            }
            ExprKind::InRange { negated, element, low, high, inclusive } => {
                let el = self.check_expr(element, file)?;
                let lo = self.check_expr(low, file)?;
                let hi = self.check_expr(high, file)?;
                self.check_comparable(CompareOp::Ge, &el, &lo)?;
                self.check_comparable(CompareOp::Le, &el, &hi)?;
                let te = TExpr {
                    kind: TExprKind::InRange {
                        element: Box::new(el),
                        low: Box::new(lo),
                        high: Box::new(hi),
                        inclusive: *inclusive,
                    },
                    ty: Type::Bool,
                    span,
                };
                Some(Checked::Typed(negate(*negated, te)))
            }
            ExprKind::Sum(first, rest) => {
                // A sum becomes a left-nested chain one level deeper per term, built here
                // without recursion: bound its height before it grows.
                let room = MAX_EXPRESSION_DEPTH.saturating_sub(self.expr_depth) + 1;
                let mut acc = self.check_expr(first, file)?;
                let mut height = self.height(&acc);
                for (op, term) in rest {
                    let rhs = self.check_expr(term, file)?;
                    height = height.max(self.height(&rhs)) + 1;
                    if height > room {
                        self.too_deep(span);
                        return None;
                    }
                    acc = self.check_arith(*op, acc, rhs)?;
                }
                Some(Checked::Typed(acc))
            }
        }
    }

    fn check_name(&mut self, name: &str, span: Span, file: FileId) -> Option<Checked> {
        if name == "as_of" {
            return Some(Checked::Typed(TExpr { kind: TExprKind::AsOf, ty: Type::Date, span }));
        }
        let Some((binding, declared, _)) = self.values.get(name).copied() else {
            // Poisoned: declared by a declaration that does not parse, or perhaps in a file
            // this file's import was refused; nothing to check.
            if self.poisoned.value(name) || self.poisoned.hides(file, false) {
                return None;
            }
            return Some(Checked::Word(name.to_string(), span));
        };
        if !self.is_visible(file, declared) {
            // Poisoned: an `import` of this file that failed may be the one that shows it.
            if self.poisoned.hides(file, true) {
                return None;
            }
            return Some(Checked::Word(name.to_string(), span));
        }
        *self.usage.bindings.entry(binding).or_insert(0) += 1;
        self.refer(span, Declared::Value(binding));
        let (kind, ty) = match binding {
            Binding::Fact(f) => (TExprKind::Fact(f), self.set.facts.get(f)?.ty),
            Binding::Const(c) => (TExprKind::Const(c), self.check_const(c)?),
            Binding::Param(p) => (TExprKind::Param(p), self.set.params.get(p)?.ty),
            Binding::Let(l) => {
                let ty = self.check_let(l)?;
                // The let's body is walked from here: it must fit in the depth left.
                let room = MAX_EXPRESSION_DEPTH.saturating_sub(self.expr_depth);
                if self.let_height(l) > room {
                    self.too_deep(span);
                    return None;
                }
                (TExprKind::Let(l), ty)
            }
        };
        Some(Checked::Typed(TExpr { kind, ty, span }))
    }

    /// Checks both sides of a comparison, resolving a bare word against the other side.
    fn check_pair(
        &mut self,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        file: FileId,
    ) -> Option<(TExpr, TExpr)> {
        let l = self.check_any(lhs, file);
        let r = self.check_any(rhs, file);
        match (l?, r?) {
            (Checked::Typed(l), Checked::Typed(r)) => Some((l, r)),
            (Checked::Typed(l), Checked::Word(w, s)) => {
                let r = self.word_for(&l, &w, s, file)?;
                Some((l, r))
            }
            (Checked::Word(w, s), Checked::Typed(r)) => {
                let l = self.word_for(&r, &w, s, file)?;
                Some((l, r))
            }
            (Checked::Word(w, s), Checked::Word(_, _)) => {
                self.unknown_name(&w, s, file);
                None
            }
        }
    }

    /// Resolves bare word `w` as a word of the enum that `other` has (or contains).
    fn word_for(&mut self, other: &TExpr, w: &str, span: Span, file: FileId) -> Option<TExpr> {
        let e = match other.ty {
            Type::Enum(e) | Type::Set(e) => e,
            Type::Str => {
                self.bare_word_for_string(other, w, span, file);
                return None;
            }
            _ => {
                self.unknown_name(w, span, file);
                return None;
            }
        };
        let def = self.set.enums.get(e)?;
        match def.words.iter().position(|x| x == w) {
            Some(i) => {
                self.refer(span, Declared::Word(e, i as u16));
                Some(TExpr { kind: TExprKind::Lit(Value::Word(i as u16)), ty: Type::Enum(e), span })
            }
            None => {
                let enum_name = def.name.clone();
                let suggestion =
                    did_you_mean(w, def.words.iter().map(String::as_str)).map(str::to_string);
                let words = def.words.join(", ");
                let enum_span = def.span;
                let subject = self.sources.snippet(other.span).to_string();
                let d = Diagnostic::new(
                    codes::WORD_NOT_IN_ENUM,
                    format!("`{w}` is not a word of `{enum_name}`, the type of `{subject}`"),
                    Label::new(span, format!("not in `{enum_name}`")),
                )
                .with_label(Label::new(enum_span, format!("`{enum_name}` is declared here")));
                let d = match suggestion {
                    Some(s) => d.with_did_you_mean(span, &s),
                    None => d.with_help(format!("`{enum_name}` has the words: {words}")),
                };
                self.error(d);
                None
            }
        }
    }

    fn check_comparable(&mut self, op: CompareOp, l: &TExpr, r: &TExpr) -> Option<()> {
        let ordered = !matches!(op, CompareOp::Eq | CompareOp::Ne);
        if l.ty == r.ty && (!ordered || l.ty.is_ordered()) {
            return Some(());
        }
        let (lt, rt) = (self.set.type_name(l.ty), self.set.type_name(r.ty));
        let span = l.span.to(r.span);
        let d = match (l.ty, r.ty) {
            // Each side carries its own label and neither spans the other (a label over
            // the whole comparison would overlap them, and the report would draw their
            // markers past the end of the expression).
            (Type::Duration(a), Type::Duration(b)) => Diagnostic::new(
                codes::UNIT_MISMATCH,
                format!("comparing {} with {} loses meaning", a.plural(), b.plural()),
                Label::new(l.span, format!("in {}", a.plural())),
            )
            .with_label(Label::new(r.span, format!("in {}", b.plural())))
            .with_help(format!(
                "a year is not a whole number of days; write both sides in the same unit, e.g. `365 days` instead of `1 year` (the fact is in {})",
                a.plural()
            )),
            (Type::Duration(u), Type::Int) | (Type::Int, Type::Duration(u)) => Diagnostic::new(
                codes::UNIT_MISMATCH,
                format!("comparing {} with a plain integer", u.plural()),
                Label::new(span, "units differ"),
            )
            .with_help(format!("give the number its unit, like `180 {}`", u.plural())),
            _ if l.ty == r.ty => Diagnostic::new(
                codes::OPERATOR_TYPES,
                format!("{lt} values have no order; `{}` does not apply", op.symbol()),
                Label::new(span, format!("{lt} compared with `{}`", op.symbol())),
            )
            .with_help("use `==`, `!=` or `in`"),
            _ => Diagnostic::new(
                codes::OPERATOR_TYPES,
                format!("cannot compare {lt} with {rt}"),
                Label::new(l.span, format!("this is {lt}")),
            )
            .with_label(Label::new(r.span, format!("this is {rt}")))
            .with_help("both sides of a comparison must have the same type"),
        };
        self.error(d);
        None
    }

    fn check_in(
        &mut self,
        element: &ast::Expr,
        collection: &ast::Expr,
        file: FileId,
        span: Span,
    ) -> Option<TExpr> {
        if let ExprKind::Set(items) = &collection.kind {
            let el = self.check_expr(element, file)?;
            let mut out = Vec::with_capacity(items.len());
            let mut ok = true;
            for item in items {
                let checked = match self.check_any(item, file) {
                    Some(Checked::Typed(t)) => Some(t),
                    Some(Checked::Word(w, s)) => self.word_for(&el, &w, s, file),
                    None => None,
                };
                match checked {
                    Some(t) if t.ty == el.ty => out.push(t),
                    Some(t) => {
                        let (et, it) = (self.set.type_name(el.ty), self.set.type_name(t.ty));
                        self.error(
                            Diagnostic::new(
                                codes::OPERATOR_TYPES,
                                format!("a {it} cannot be a member of a set tested against {et}"),
                                Label::new(t.span, format!("this is {it}")),
                            )
                            .with_label(Label::new(el.span, format!("this is {et}")))
                            .with_help("every member must have the type of the value tested"),
                        );
                        ok = false;
                    }
                    None => ok = false,
                }
            }
            if !ok {
                return None;
            }
            return Some(TExpr {
                kind: TExprKind::InList(Box::new(el), out),
                ty: Type::Bool,
                span,
            });
        }
        let coll = self.check_expr(collection, file)?;
        let Type::Set(e) = coll.ty else {
            let ct = self.set.type_name(coll.ty);
            self.error(
                Diagnostic::new(
                    codes::OPERATOR_TYPES,
                    format!("`in` needs a set or a range, found {ct}"),
                    Label::new(coll.span, format!("this is {ct}")),
                )
                .with_help("write a set `{a, b}`, a range `lo..hi`, or name a `set of` fact"),
            );
            return None;
        };
        let el = match self.check_any(element, file)? {
            Checked::Typed(t) => t,
            Checked::Word(w, s) => self.word_for(&coll, &w, s, file)?,
        };
        if el.ty != Type::Enum(e) {
            let (et, ct) = (self.set.type_name(el.ty), self.set.type_name(coll.ty));
            self.error(
                Diagnostic::new(
                    codes::OPERATOR_TYPES,
                    format!("a {et} cannot be a member of a {ct}"),
                    Label::new(el.span, format!("this is {et}")),
                )
                .with_help("test a word of the set's enum"),
            );
            return None;
        }
        Some(TExpr { kind: TExprKind::InSet(Box::new(el), Box::new(coll)), ty: Type::Bool, span })
    }

    fn check_arith(&mut self, op: AddOp, l: TExpr, r: TExpr) -> Option<TExpr> {
        use ArithOp::*;
        let result = match (op, l.ty, r.ty) {
            (AddOp::Add, Type::Int, Type::Int) => Some((IntAdd, Type::Int)),
            (AddOp::Sub, Type::Int, Type::Int) => Some((IntSub, Type::Int)),
            (AddOp::Add, Type::Duration(a), Type::Duration(b)) if a == b => Some((DurAdd, l.ty)),
            (AddOp::Sub, Type::Duration(a), Type::Duration(b)) if a == b => Some((DurSub, l.ty)),
            (AddOp::Add, Type::Date, Type::Duration(_)) => Some((DatePlus, Type::Date)),
            (AddOp::Sub, Type::Date, Type::Duration(_)) => Some((DateMinus, Type::Date)),
            (AddOp::Sub, Type::Date, Type::Date) => Some((DaysBetween, Type::Duration(Unit::Days))),
            _ => None,
        };
        let span = l.span.to(r.span);
        match result {
            Some((op, ty)) => {
                Some(TExpr { kind: TExprKind::Arith(op, Box::new(l), Box::new(r)), ty, span })
            }
            None => {
                let (lt, rt) = (self.set.type_name(l.ty), self.set.type_name(r.ty));
                let sym = if op == AddOp::Add { "+" } else { "-" };
                let help = match (l.ty, r.ty) {
                    (Type::Duration(_), Type::Duration(_)) => "durations add only in the same unit".to_string(),
                    (Type::Duration(_), Type::Date) => "write the date first: `date + duration`".to_string(),
                    (Type::Date, Type::Int) => "give the number a unit: `date + 30 days`".to_string(),
                    _ => "dates take durations (`date + 30 days`), dates subtract to days, integers and same-unit durations add".to_string(),
                };
                self.error(
                    Diagnostic::new(
                        codes::OPERATOR_TYPES,
                        format!("cannot compute {lt} {sym} {rt}"),
                        Label::new(span, "mismatched operands"),
                    )
                    .with_help(help),
                );
                None
            }
        }
    }
}

fn negate(negated: bool, te: TExpr) -> TExpr {
    if negated {
        let span = te.span;
        TExpr { kind: TExprKind::Not(Box::new(te)), ty: Type::Bool, span }
    } else {
        te
    }
}

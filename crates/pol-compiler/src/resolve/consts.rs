//! Constant evaluation: a constant's body is checked like a `let`'s, then folded to a value
//! at compile time (`consteval.rs`).

use pol_syntax::codes;
use pol_syntax::{Diagnostic, Label};

use super::deferred::DeferredItem;
use super::Checker;
use crate::ir::*;
use crate::types::Type;
use crate::value::Value;

impl<'a> Checker<'a> {
    /// Checks and evaluates a constant once, on first use, detecting cycles.
    pub(crate) fn check_const(&mut self, id: ConstId) -> Option<Type> {
        let (body, file) = match self.enter(DeferredItem::Const(id)) {
            Ok(b) => b,
            Err(ty) => return ty,
        };
        let value =
            self.check_expr(body, file).and_then(|te| self.const_value(&te).map(|v| (te.ty, v)));
        if let (Some((ty, v)), Some(def)) = (value, self.set.consts.get_mut(id)) {
            def.ty = ty;
            def.value = v;
        }
        let ty = value.map(|(ty, _)| ty);
        self.leave(DeferredItem::Const(id), ty);
        ty
    }

    /// Evaluates a constant expression (no facts, no `as_of`).
    pub(super) fn const_value(&mut self, te: &TExpr) -> Option<Value> {
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

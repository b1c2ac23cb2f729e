//! Deferred checking: the bodies of `let`s and constants are checked on first use rather
//! than in declaration order, which also finds cycles between them and bounds how deep they
//! nest.

use pol_syntax::ast;
use pol_syntax::codes;
use pol_syntax::{Diagnostic, FileId, Label};

use super::{Checker, MAX_DEFINITION_DEPTH};
use crate::ir::*;
use crate::types::Type;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum DeferredState {
    Pending,
    InProgress,
    Done,
}

/// A declaration whose body is checked on first use.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum DeferredItem {
    Let(LetId),
    Const(ConstId),
}

/// A body checked on first use rather than in declaration order.
pub(super) struct Deferred<'a> {
    pub(super) body: &'a ast::Expr,
    pub(super) file: FileId,
    pub(super) state: DeferredState,
    pub(super) ty: Option<Type>,
    /// The height of the checked body (as lowering sees it: through the lets it uses).
    pub(super) height: u32,
}

impl<'a> Deferred<'a> {
    pub(super) fn new(body: &'a ast::Expr, file: FileId) -> Self {
        Deferred { body, file, state: DeferredState::Pending, ty: None, height: 0 }
    }
}

impl<'a> Checker<'a> {
    /// Starts checking a deferred body; `Err` carries its type when it is already known, or
    /// `None` after reporting a cycle.
    pub(super) fn enter(
        &mut self,
        item: DeferredItem,
    ) -> Result<(&'a ast::Expr, FileId), Option<Type>> {
        let (list, index, defs_name, span) = match item {
            DeferredItem::Let(id) => (
                &mut self.deferred_lets,
                id.index(),
                self.set.lets.get(id).map(|d| d.name.clone()),
                self.set.lets.get(id).map(|d| d.span),
            ),
            DeferredItem::Const(id) => (
                &mut self.deferred_consts,
                id.index(),
                self.set.consts.get(id).map(|d| d.name.clone()),
                self.set.consts.get(id).map(|d| d.span),
            ),
        };
        let Some(d) = list.get_mut(index) else {
            return Err(None);
        };
        match d.state {
            DeferredState::Done => Err(d.ty),
            DeferredState::InProgress => {
                let what =
                    if matches!(item, DeferredItem::Let(_)) { "a `let`" } else { "a constant" };
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

    pub(super) fn leave(&mut self, item: DeferredItem, ty: Option<Type>) {
        self.depth = self.depth.saturating_sub(1);
        let (list, index) = match item {
            DeferredItem::Let(id) => (&mut self.deferred_lets, id.index()),
            DeferredItem::Const(id) => (&mut self.deferred_consts, id.index()),
        };
        if let Some(d) = list.get_mut(index) {
            d.state = DeferredState::Done;
            d.ty = ty;
        }
    }

    /// Type checks a `let` body once, on first use, detecting cycles.
    pub(crate) fn check_let(&mut self, id: LetId) -> Option<Type> {
        let (body, file) = match self.enter(DeferredItem::Let(id)) {
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
        self.leave(DeferredItem::Let(id), ty);
        ty
    }

    /// The height of a checked `let` body (0 if it is not checked yet).
    pub(crate) fn let_height(&self, id: LetId) -> u32 {
        self.deferred_lets.get(id.index()).map_or(0, |d| d.height)
    }
}

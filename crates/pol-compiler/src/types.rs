//! The types of the language.

use pol_syntax::ast::Unit;

use crate::ids::EnumId;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    Bool,
    Int,
    Date,
    Duration(Unit),
    Str,
    Enum(EnumId),
    /// A set fact of enum words.
    Set(EnumId),
}

impl Type {
    /// Whether values of this type are ordered (`<`, ranges).
    pub fn is_ordered(self) -> bool {
        matches!(self, Type::Int | Type::Date | Type::Duration(_))
    }
}

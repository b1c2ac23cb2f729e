//! The parser of the `pol` policy language.
//!
//! [`parse`] turns source text into a spanned [`ast::SourceFile`] or a [`Diagnostic`] that
//! says what was expected, in words a policy author knows. pest is an implementation detail:
//! nothing outside this crate sees a pest `Pair` or rule name.
#![forbid(unsafe_code)]

pub mod ast;
pub mod codes;
pub mod date;
pub mod diagnostic;
mod error;
pub mod format;
mod grammar;
pub mod span;

pub use crate::codes::Code;
pub use diagnostic::{Diagnostic, Label, Severity, Suggestion};
pub use span::{FileId, Span, Spanned};

/// Deepest nesting of brackets the parser accepts. Deeper input is rejected before parsing
/// so neither pest nor later tree walks can exhaust the stack.
pub const MAX_NESTING: usize = 64;

/// Parses one file. `file` is stamped on every span.
pub fn parse(file: FileId, text: &str) -> Result<ast::SourceFile, Diagnostic> {
    error::check_nesting(file, text)?;
    grammar::parse_file(file, text)
}

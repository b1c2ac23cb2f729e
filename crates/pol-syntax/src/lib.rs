//! The parser of the `pol` policy language.
//!
//! [`parse`] turns source text into a spanned [`ast::SourceFile`] and a [`Diagnostic`] for
//! every syntax error, each saying what was expected in words a policy author knows. A
//! declaration with an error is kept as [`ast::ItemKind::Broken`] and the others are parsed
//! (see `recover.rs`). pest is an implementation detail: nothing outside this crate sees a
//! pest `Pair` or rule name.
#![forbid(unsafe_code)]

pub mod ast;
pub mod codes;
pub mod date;
pub mod diagnostic;
mod error;
pub mod format;
mod grammar;
pub mod keywords;
mod recover;
pub mod scan;
pub mod span;

pub use crate::codes::Code;
pub use diagnostic::{Diagnostic, Label, Severity, Suggestion};
pub use keywords::KEYWORDS;
pub use span::{FileId, LineIndex, Span, Spanned};

/// Deepest nesting of brackets the parser accepts. Deeper input is rejected before parsing
/// so neither pest nor later tree walks can exhaust the stack.
pub const MAX_NESTING: usize = 64;

/// A parsed file: every declaration, and every syntax error.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    /// The declarations in source order. Each one with a syntax error is an
    /// [`ast::ItemKind::Broken`] in its place, with the error in `errors`.
    pub file: ast::SourceFile,
    /// The syntax errors, in source order. Empty exactly when no item is broken.
    pub errors: Vec<Diagnostic>,
}

impl Parsed {
    /// Whether the file parsed without errors.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// All or nothing: the tree if the file has no syntax error, else every error.
    pub fn into_result(self) -> Result<ast::SourceFile, Vec<Diagnostic>> {
        if self.errors.is_empty() {
            Ok(self.file)
        } else {
            Err(self.errors)
        }
    }
}

/// Parses one file, recovering from syntax errors: the result holds every declaration that
/// parses and an error for each one that does not. `file` is stamped on every span.
pub fn parse(file: FileId, text: &str) -> Parsed {
    recover::parse(file, text)
}

//! Names declared by declarations that do not parse: *poisoned*, known to exist with their
//! bodies broken.
//!
//! The parser keeps such a declaration as [`ItemKind::Broken`] with its keyword and name
//! when it could read them, and reports the syntax error. Resolution treats a poisoned
//! name as declared but unusable: a use of it is neither resolved nor reported, and nor is
//! anything that only follows from it (a fact whose type is a broken enum is poisoned in
//! turn). A file with an `import` whose path could not be read is *blind*: a name declared
//! in a file it does not import may be one that import would have brought in.
//!
//! This is the only place resolution knows about syntax errors; the checks that consult it
//! are marked `// Poisoned:` in `resolve/` and `typeck.rs`.

use std::collections::HashSet;

use pol_syntax::ast::{self, DeclKeyword, ItemKind};
use pol_syntax::FileId;

/// The poisoned names of a set of files.
#[derive(Debug, Default)]
pub(crate) struct Poisoned {
    /// Facts, constants, `let`s and parameters.
    values: HashSet<String>,
    /// Enums.
    types: HashSet<String>,
    programs: HashSet<String>,
    /// Files with a broken `import`.
    blind: HashSet<FileId>,
}

impl Poisoned {
    /// The names the broken declarations of `files` declare.
    pub(crate) fn collect(files: &[Option<ast::SourceFile>]) -> Poisoned {
        let mut p = Poisoned::default();
        for (i, f) in files.iter().enumerate() {
            for item in f.iter().flat_map(|f| &f.items) {
                let ItemKind::Broken(b) = &item.kind else {
                    continue;
                };
                let Some(keyword) = &b.keyword else {
                    continue;
                };
                let name = b.name.as_ref().map(|n| n.node.clone());
                match (keyword.node, name) {
                    (DeclKeyword::Import, _) => {
                        p.blind.insert(FileId(i as u32));
                    }
                    // Nothing refers to a policy or a constraint by name.
                    (_, None) | (DeclKeyword::Policy | DeclKeyword::Constraint, _) => {}
                    (DeclKeyword::Enum, Some(n)) => {
                        p.types.insert(n);
                    }
                    (DeclKeyword::Program, Some(n)) => {
                        p.programs.insert(n);
                    }
                    (
                        DeclKeyword::Fact
                        | DeclKeyword::Const
                        | DeclKeyword::Let
                        | DeclKeyword::Param,
                        Some(n),
                    ) => {
                        p.values.insert(n);
                    }
                }
            }
        }
        p
    }

    /// Whether the value `name` (fact, constant, `let` or parameter) is poisoned.
    pub(crate) fn value(&self, name: &str) -> bool {
        self.values.contains(name)
    }

    /// Whether the enum `name` is poisoned.
    pub(crate) fn ty(&self, name: &str) -> bool {
        self.types.contains(name)
    }

    /// Whether the program `name` is poisoned.
    pub(crate) fn program(&self, name: &str) -> bool {
        self.programs.contains(name)
    }

    /// Whether `file` has a broken `import`, so that what it cannot see may be what that
    /// import would have shown it.
    pub(crate) fn blind(&self, file: FileId) -> bool {
        self.blind.contains(&file)
    }

    /// A fact or parameter `name` whose type did not resolve: its type's failure is
    /// reported once (or follows from a syntax error), so uses of the name are not errors
    /// of their own.
    pub(crate) fn untyped(&mut self, name: &str) {
        self.values.insert(name.to_string());
    }
}

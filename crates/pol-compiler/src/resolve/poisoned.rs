//! Names declared by declarations that do not parse: *poisoned*, known to exist with their
//! bodies broken.
//!
//! The parser keeps such a declaration as [`ItemKind::Broken`] with its keyword and name
//! when it could read them, and reports the syntax error. Resolution treats a poisoned
//! name as declared but unusable: a use of it is neither resolved nor reported, and nor is
//! anything that only follows from it (a fact whose type is a broken enum is poisoned in
//! turn). A file with an `import` that does not parse, or names no file of the set, is
//! *blind*: a name declared in a file it does not import may be one that import would have
//! brought in. A file with an `import` the loader refused to read (outside the project) is
//! *unsighted*: any name may be declared in the file it was not shown. The import's own
//! error is the one reported, not every name it would have brought in.
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
    /// Files with a broken `import`, or one of a file not in the set.
    blind: HashSet<FileId>,
    /// Files with an `import` the loader refused to read.
    unsighted: HashSet<FileId>,
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

    /// Marks `file` as importing a file that is not in the set (reported at the import).
    pub(crate) fn blind_file(&mut self, file: FileId) {
        self.blind.insert(file);
    }

    /// Marks `file` as importing a file the loader refused to read (reported there).
    pub(crate) fn unsighted_file(&mut self, file: FileId) {
        self.unsighted.insert(file);
    }

    /// Whether a name `file` cannot see is not an error of its own: `declared_elsewhere`
    /// (in a file `file` does not import) and `file` is blind, or `file` is unsighted.
    pub(crate) fn hides(&self, file: FileId, declared_elsewhere: bool) -> bool {
        (declared_elsewhere && self.blind.contains(&file)) || self.unsighted.contains(&file)
    }

    /// A fact or parameter `name` whose type did not resolve: its type's failure is
    /// reported once (or follows from a syntax error), so uses of the name are not errors
    /// of their own.
    pub(crate) fn untyped(&mut self, name: &str) {
        self.values.insert(name.to_string());
    }
}

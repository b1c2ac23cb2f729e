//! Lint levels: how much each lint matters in a project. Every lint has a default level
//! in the code registry ([`codes::Code::default_level`]); a project's `pol.toml`
//! (`[lints]`) and `pol check --allow/--warn/--deny` set others. Levels are applied after
//! `#[allow]`, so an allow still counts as used when its lint is off project-wide.

use std::collections::BTreeMap;

use pol_syntax::codes::{self, Code, Level};
use pol_syntax::Diagnostic;

use crate::suggest::UnknownLint;

/// The level of each lint that differs from its default, by lint name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct LintLevels {
    levels: BTreeMap<&'static str, Level>,
}

impl LintLevels {
    /// Sets the level of the lint called `name`; later settings win.
    pub fn set(&mut self, name: &str, level: Level) -> Result<(), UnknownLint> {
        let Some(lint) = codes::lint_named(name).and_then(|c| c.lint) else {
            return Err(UnknownLint::named(name));
        };
        self.levels.insert(lint, level);
        Ok(())
    }

    /// These levels, with `other`'s laid over them.
    pub fn overridden_by(mut self, other: &LintLevels) -> LintLevels {
        self.levels.extend(&other.levels);
        self
    }

    /// The level of `code`'s lint: as set, else the lint's default. Errors are `Deny`.
    pub fn level(&self, code: Code) -> Level {
        code.lint.and_then(|name| self.levels.get(name)).copied().unwrap_or(code.default_level)
    }

    /// The lints set to a level, by name, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, Level)> + '_ {
        self.levels.iter().map(|(name, level)| (*name, *level))
    }

    /// Drops the lints that are allowed and reports each other one at its level's
    /// severity. Errors pass unchanged.
    pub(crate) fn apply(&self, found: Vec<Diagnostic>) -> Vec<Diagnostic> {
        found
            .into_iter()
            .filter_map(|mut d| {
                if d.code.is_lint() {
                    d.severity = self.level(d.code).severity()?;
                }
                Some(d)
            })
            .collect()
    }
}

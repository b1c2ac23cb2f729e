//! Lints: checks that find policies which compile but are probably wrong.
//!
//! Each family of checks is a module; every check reads the typed IR and pushes warnings
//! with a code from [`crate::codes`]. [`lint`] runs them all, then drops what an
//! `#[allow(lint, reason = "...")]` silences ([`allow`]).
//!
//! The checks about what conditions can be true reason over a small abstract domain per
//! term ([`logic`]): intervals for ordered values, word sets for enums. A check whose
//! question is too large to settle within a budget stays silent: a lint never guesses.

pub mod allow;
mod citations;
mod conditions;
mod dates;
pub mod logic;
mod params;
mod policy;
mod rules;
mod stale;
mod unused;

use pol_syntax::Diagnostic;

use crate::ir::PolicySet;
use crate::resolve::Usage;

/// Lints that can only be judged over the whole policy set: a declaration unused by the
/// files at hand may serve a policy file that was not loaded. A caller checking only some
/// files of a set reports these only for the files it was asked about.
pub const WHOLE_SET_LINTS: &[&str] = &["unused", "unused_allow"];

/// Runs every lint over a checked policy set and applies its `#[allow]` attributes.
pub fn lint(set: &PolicySet, usage: &Usage) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    unused::check(set, usage, &mut found);
    citations::check(set, &mut found);
    stale::check(set, &mut found);
    // One translator for all, so a fact is the same variable in every rule.
    let mut logic = logic::Logic::new(set);
    conditions::check(set, &mut logic, &mut found);
    for def in &set.policies {
        let policy = policy::Policy::new(set, def, &mut logic);
        rules::check(&policy, &mut logic, &mut found);
        params::check(set, &policy, &mut logic, &mut found);
    }
    dates::check(set, &mut found);
    allow::apply(&set.allows, found)
}

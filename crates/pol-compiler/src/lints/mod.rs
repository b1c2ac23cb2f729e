//! Lints: checks that find policies which compile but are probably wrong.
//!
//! Each family of checks is a module; every check reads the typed IR and pushes warnings
//! with a code from [`crate::codes`]. [`lint`] runs them all, drops what an
//! `#[allow(lint, reason = "...")]` silences ([`allow`]), then applies the project's lint
//! levels ([`levels`]).
//!
//! The checks about what conditions can be true reason over a small abstract domain per
//! term ([`logic`]): intervals for ordered values, word sets for enums. A check whose
//! question is too large to settle within a budget stays silent: a lint never guesses.

pub mod allow;
mod citations;
mod conditions;
mod constraints;
mod dates;
pub mod levels;
pub mod logic;
mod params;
mod policy;
mod rules;
mod says;
mod stale;
mod unused;

use pol_syntax::codes;
use pol_syntax::{Diagnostic, Label};

use crate::ir::PolicySet;
use crate::resolve::Usage;

pub use crate::suggest::UnknownLint;
pub use levels::LintLevels;

/// Lints that can only be judged over the whole policy set: a declaration unused by the
/// files at hand may serve a policy file that was not loaded. A caller checking only some
/// files of a set reports these only for the files it was asked about.
pub const WHOLE_SET_LINTS: &[&str] = &["unused", "unused_allow"];

/// Runs every lint over a checked policy set (with its policies' reasoning, for
/// `inexact_reasoning`), applies its `#[allow]` attributes, then `levels`.
pub fn lint(
    set: &PolicySet,
    usage: &Usage,
    reasoner: &crate::reason::Reasoner,
    levels: &LintLevels,
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    unused::check(set, usage, &mut found);
    citations::check(set, &mut found);
    says::check(set, &mut found);
    stale::check(set, &mut found);
    // One translator for all, so a fact is the same variable in every rule.
    let mut logic = logic::Logic::new(set);
    conditions::check(set, &mut logic, &mut found);
    constraints::check(set, &mut logic, &mut found);
    for def in &set.policies {
        let policy = policy::Policy::new(set, def, &mut logic);
        rules::check(&policy, &mut logic, &mut found);
        params::check(set, &policy, &mut logic, &mut found);
    }
    dates::check(set, &mut found);
    reasoning(set, reasoner, &mut found);
    levels.apply(allow::apply(&set.allows, found))
}

/// `inexact_reasoning` (W0516): a policy whose decision `pol` cannot reason about exactly
/// when facts are unknown (see `reason`).
fn reasoning(set: &PolicySet, reasoner: &crate::reason::Reasoner, found: &mut Vec<Diagnostic>) {
    for (p, r) in set.policies.iter().zip(&reasoner.policies) {
        let Some(why) = &r.analysis.inexact else {
            continue;
        };
        let at = r.analysis.inexact_at.unwrap_or(p.name_span);
        found.push(
            Diagnostic::new(
                codes::INEXACT_REASONING,
                format!("`pol` cannot reason exactly about `{}` when facts are unknown: {why}", p.name),
                Label::new(at, "not modelled exactly"),
            )
            .with_help(
                "a case that Kleene logic leaves open is then `incomplete` with every unknown fact \
                 under its open rules in `missing`, even facts that cannot change the outcome; \
                 relate at most two dates to each other, by a number of days \
                 (`trip.return <= trip.depart + 30 days`)",
            ),
        );
    }
}

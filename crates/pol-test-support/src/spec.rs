//! Generated cases for property tests, before they meet a policy set: which policy, a
//! date, and per fact whether it is known and a number its value is drawn from. Each test
//! turns a [`Spec`] into a case its own way (the model's tests draw values near the
//! model's representative values, the engine's near the graph's constants).

use pol_compiler::Compiled;
use proptest::prelude::*;

/// A generated case, before it meets a policy set.
#[derive(Clone, Debug)]
pub struct Spec {
    /// The index of the case's policy.
    pub policy: usize,
    /// The number the case's `as_of` date is drawn from.
    pub as_of: u64,
    /// Per fact of the fact table: whether it is known, and the number its value is drawn
    /// from.
    pub facts: Vec<(bool, u64)>,
}

/// Specs for `c`: any of its policies, every fact of its fact table, each known with
/// probability `known`.
pub fn spec(c: &Compiled, known: f64) -> impl Strategy<Value = Spec> {
    (
        0..c.set.policies.len().max(1),
        any::<u64>(),
        prop::collection::vec(
            (prop::bool::weighted(known), any::<u64>()),
            c.set.facts.len(),
        ),
    )
        .prop_map(|(policy, as_of, facts)| Spec {
            policy,
            as_of,
            facts,
        })
}

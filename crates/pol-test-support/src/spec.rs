//! What property tests generate: cases before they meet a policy set ([`Spec`]: which
//! policy, a date, and per fact whether it is known and a number its value is drawn from;
//! each test turns one into a case its own way), and conditions written as `.pol` text
//! ([`conditions`]).

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
        prop::collection::vec((prop::bool::weighted(known), any::<u64>()), c.set.facts.len()),
    )
        .prop_map(|(policy, as_of, facts)| Spec { policy, as_of, facts })
}

/// Conditions combining `atoms` under `and`, `or` and `not`, at most `depth` levels deep and
/// of about `size` atoms, as `.pol` text (each combination in brackets).
pub fn conditions(
    atoms: impl Strategy<Value = String> + 'static,
    depth: u32,
    size: u32,
) -> impl Strategy<Value = String> {
    atoms.prop_recursive(depth, size, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4)
                .prop_map(|xs| format!("({})", xs.join(" and "))),
            prop::collection::vec(inner.clone(), 2..4)
                .prop_map(|xs| format!("({})", xs.join(" or "))),
            inner.prop_map(|x| format!("not ({x})")),
        ]
    })
}

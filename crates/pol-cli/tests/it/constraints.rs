//! Values no real case can have (`docs/cases.md`: "a nationality that is not two upper-case
//! letters, a negative age or day count, an application filed after `as_of`, a trip that
//! returns before it departs"): each fixture under `tests/data/cases/impossible` makes
//! `pol eval` exit 1 with E0604 naming the field and the constraint, in the human and the
//! JSON output formats (one test per fixture, in `diagnostics.rs`), and `pol explain`
//! refuses them too.

use crate::common;

use common::{assert_contains, pol};

/// `pol explain` refuses them the same way.
#[test]
fn explain_refuses_them_too() {
    let run = pol(&["explain", "tests/data/cases/impossible/trip_returns_before_departing.json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_contains(&run.stderr, &format!("pol::{}", pol_compiler::codes::CONSTRAINT_BROKEN));
}

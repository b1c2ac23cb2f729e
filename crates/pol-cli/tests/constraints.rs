//! Values no real case can have (`docs/cases.md`: "a nationality that is not two upper-case
//! letters, a negative age or day count, an application filed after `as_of`, a trip that
//! returns before it departs"): each fixture under `tests/data/cases/impossible` makes
//! `pol eval` exit 1 with E0604 naming the field and the constraint, in the human and the
//! JSON output formats.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{files, pol, stem};

/// The field each fixture gets wrong.
fn field_of(name: &str) -> &'static str {
    match name {
        n if n.starts_with("nationality") || n == "one_impossible_line" => "applicant.nationality",
        "negative_age" => "applicant.age",
        "negative_unlawful_presence" => "applicant.unlawful_presence_days",
        "filed_after_as_of" => "application.filed_on",
        "trip_returns_before_departing" => "trip.return",
        other => panic!("no expectation for {other}"),
    }
}

#[test]
fn impossible_values_are_refused_naming_the_field() {
    let fixtures = files("tests/data/cases/impossible");
    assert!(fixtures.len() >= 7);
    for file in fixtures {
        let name = stem(&file);
        for format in ["human", "json"] {
            let args = ["eval", "--format", format, file.as_str()];
            let run = pol(&args);
            assert_eq!(run.code, 1, "{file}: expected exit 1\n{}", run.stderr);
            assert!(
                run.stderr
                    .contains(&format!("pol::{}", pol_compiler::codes::CONSTRAINT_BROKEN)),
                "{file}\n{}",
                run.stderr
            );
            let field = field_of(&name);
            assert!(
                run.stderr.contains(&format!("`{field}`")),
                "{file}: does not name `{field}`\n{}",
                run.stderr
            );
            assert!(run.stderr.contains("facts.pol:"), "{}", run.stderr);
            insta::assert_snapshot!(
                format!("impossible__{format}__{name}"),
                run.transcript(&args)
            );
        }
    }
}

/// `pol explain` refuses them the same way.
#[test]
fn explain_refuses_them_too() {
    let run = pol(&[
        "explain",
        "tests/data/cases/impossible/trip_returns_before_departing.json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("pol::{}", pol_compiler::codes::CONSTRAINT_BROKEN)),
        "{}",
        run.stderr
    );
}

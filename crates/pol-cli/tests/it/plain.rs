//! Explanations in plain words: every shipped rule says why in a sentence, human
//! `pol explain` opens with a paragraph a caseworker can act on (snapshotted on each
//! practical example of the seeds), prints each citation once, shows forms and warnings only
//! where they bear on the outcome, and `--format json` carries the sentences.

use crate::common;

use common::{files, pol, stem};

/// What the opening of a human explanation is: its first block (the paragraph) and, when
/// the second block lists forms, that block too.
fn opening(stdout: &str) -> String {
    let mut blocks = stdout.split("\n\n");
    let mut out = blocks.next().unwrap_or_default().to_string();
    if let Some(next) = blocks.next().filter(|b| b.starts_with("forms:")) {
        out.push_str("\n\n");
        out.push_str(next);
    }
    out.push('\n');
    out
}

/// `pol explain EXAMPLE` opens with a paragraph a caseworker can act on (snapshotted).
fn opens_with_a_paragraph(example: &str) {
    let args = ["explain", example];
    let run = pol(&args);
    assert_eq!(run.code, 0, "{example}\n{}", run.stderr);
    let opening = opening(&run.stdout);
    // The paragraph names the case, says the decision in words and, for a definite
    // decision, what would change it.
    let id = serde_json::from_str::<serde_json::Value>(
        &pol(&["eval", "--format", "json", example]).stdout,
    )
    .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(opening.starts_with(&format!("{id}: ")), "{opening}");
    assert!(
        !opening.contains(".pol:"),
        "the paragraph is for the caseworker, not the author:\n{opening}"
    );
    // The paragraph quotes no place in a policy and no digest (asserted above), so
    // nothing in it changes when a shipped policy gains a line.
    insta::assert_snapshot!(
        format!("opening__{}", stem(example)),
        format!("$ pol {}\n{opening}", args.join(" "))
    );
}

/// One test per example: the practical examples of seed 000
/// (docs/seeds/000_d8b158c377ed51e2.txt), one case each in `examples/cases/`, and beside
/// them (all eligible but one) one example of each other kind of decision and of each way
/// to be unavailable.
macro_rules! open_with_a_paragraph {
    ($($test:ident: $example:literal,)*) => {
        $(
            #[test]
            fn $test() {
                opens_with_a_paragraph($example);
            }
        )*
    };
}

open_with_a_paragraph! {
    // "A Honduran nurse requests humanitarian parole to accompany her U.S.-resident mother
    // during urgent surgery."
    honduran_nurse: "examples/cases/honduran_nurse_humanitarian.json",
    // "An Ecuadorian student is granted humanitarian parole to donate an organ to her sister"
    ecuadorian_organ_donor: "examples/cases/ecuadorian_organ_donor_humanitarian.yaml",
    // "A Venezuelan TPS beneficiary obtains advance parole to attend an academic conference
    // in Canada."
    venezuelan_tps_conference:
        "examples/cases/venezuelan_tps_conference_canada_advance_parole.json",
    // "A Guatemalan father seeks humanitarian parole to assist his son during urgent
    // treatment in New Jersey."
    guatemalan_father: "examples/cases/guatemalan_father_humanitarian.toml",
    // "A Salvadoran mother with humanitarian parole obtains an EAD ... When the permit
    // expires, ..." (both halves)
    salvadoran_mother_ead: "examples/cases/salvadoran_mother_humanitarian_parole_ead.yaml",
    salvadoran_mother_expired_ead: "examples/cases/salvadoran_mother_parole_expired_ead.toml",
    // "A Honduran TPS beneficiary requests advance parole to attend her father's funeral in
    // Guatemala."
    honduran_tps_funeral: "examples/cases/honduran_tps_father_funeral_advance_parole.yaml",
    // "A lawful permanent resident uncle in California files Form I-134A to sponsor his
    // Salvadoran niece seeking humanitarian parole for medical reasons."
    salvadoran_niece: "examples/cases/salvadoran_niece_lpr_uncle_humanitarian.json",
    // The other decisions and ways to be unavailable.
    asylum_in_proceedings:
        "examples/cases/asylum_applicant_in_removal_proceedings_advance_parole.toml",
    h1b_pending_green_card: "examples/cases/h1b_engineer_pending_green_card_advance_parole.json",
    chnv_after_termination: "examples/cases/haitian_chnv_after_termination.yaml",
    before_cfrp_created: "examples/cases/cuban_brother_before_cfrp_created.yaml",
    trip_reason_unknown: "examples/cases/tps_holder_trip_reason_unknown_advance_parole.toml",
    military_relationship_unproven:
        "examples/cases/military_relationship_unproven_parole_in_place.json",
}

/// Every rule of every shipped policy has a sentence.
#[test]
fn every_shipped_rule_says_why() {
    let Ok(engine) = pol_engine::Engine::builtin() else {
        panic!("the shipped policies do not load");
    };
    let mut rules = 0;
    for policy in &engine.compiled().set.policies {
        for rule in &policy.rules {
            rules += 1;
            let says = rule.says.as_deref().unwrap_or_default();
            assert!(
                says.ends_with('.') && says.chars().next().is_some_and(char::is_uppercase),
                "{}.{} has no sentence (`says \"...\"`), or not one: {says:?}",
                policy.name,
                rule.name
            );
        }
    }
    assert!(rules > 40, "only {rules} rules found");
}

fn explain_json(case: &str) -> serde_json::Value {
    let run = pol(&["explain", "--format", "json", case]);
    assert_eq!(run.code, 0, "{case}\n{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

// What every worked example's explanation must do (sentences carried in JSON, each
// citation once, no refusal marker when incomplete, forms and warnings only where they
// bear) is checked one test per example in `examples.rs`; these are the particular cases.

/// A rule's sentence is its reason's `says` in `--format json`.
#[test]
fn json_carries_the_sentences() {
    let ex =
        explain_json("examples/cases/asylum_applicant_in_removal_proceedings_advance_parole.toml");
    assert_eq!(
        ex["decision"]["reasons"][0]["says"],
        "You are in removal proceedings and are not a DACA recipient."
    );
}

/// The examples include incomplete cases, so `examples.rs` checks their markers.
#[test]
fn some_examples_are_incomplete() {
    let seen = files("examples/cases")
        .iter()
        .filter(|case| explain_json(case)["decision"]["decision"] == "incomplete")
        .count();
    assert!(seen >= 2, "only {seen} incomplete examples");
}

/// CHNV after its termination: the re-entry warning does not bear on a closed program.
#[test]
fn a_closed_program_has_no_reentry_warning() {
    let human = pol(&["explain", "examples/cases/haitian_chnv_after_termination.yaml"]).stdout;
    assert!(!human.contains("reentry_not_guaranteed"), "{human}");
}

//! Structured random cases against the shipped policies: facts unknown or drawn near the
//! constants each policy compares them with. Deciding is deterministic, `eval` and
//! `explain` agree, the JSON decision round-trips, the evaluation graph agrees with the
//! independent model's evaluator on every rule, and the decision and its reasons are the
//! model's.
#![no_main]
#![forbid(unsafe_code)]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let c = pol_fuzz::shipped();
    let mut u = Unstructured::new(data);
    if let Ok(Some(case)) = pol_fuzz::arbitrary_case(c, &mut u) {
        pol_fuzz::check_case(c, &case);
        pol_fuzz::decision_agrees_with_model(c, &case);
    }
});

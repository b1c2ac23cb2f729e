//! Structured random cases against the shipped policies: facts unknown or drawn near the
//! constants each policy compares them with. Deciding is deterministic, `eval` and
//! `explain` agree, the JSON decision round-trips, and the evaluation graph agrees with the
//! reference evaluator on every rule.
#![no_main]
#![forbid(unsafe_code)]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let c = pol_fuzz::shipped();
    let mut u = Unstructured::new(data);
    if let Ok(Some(case)) = pol_fuzz::arbitrary_case(c, &mut u) {
        pol_fuzz::check_case(c, &case);
    }
});

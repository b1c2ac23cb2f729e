//! The whole check pipeline on arbitrary text, compiled beside the shipped declarations
//! (`facts.pol`, `programs.pol`, `parameters.pol`) so imports resolve: every diagnostic is
//! well formed and renders; a set that compiles has no errors, and each of its policies
//! decides generated cases with the graph agreeing with the independent model's evaluator.
//! (Not yet with the model's decision: see `pol_fuzz::decision_agrees_with_model`.)
#![no_main]
#![forbid(unsafe_code)]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use pol_compiler::Source;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources: Vec<Source> = pol_fuzz::shipped_declarations().to_vec();
    sources.push(Source { name: "policies/fuzz.pol".into(), text: text.to_string() });
    let compilation = pol_compiler::compile(sources);
    for d in &compilation.diagnostics {
        pol_fuzz::check_diagnostic(d, &compilation.sources);
    }
    match &compilation.compiled {
        Some(c) => {
            assert!(!compilation.has_errors(), "compiled with errors");
            assert_eq!(c.graphs.len(), c.set.policies.len(), "a policy without a graph");
            // Cases drawn from the text's own bytes, so runs are reproducible.
            let mut u = Unstructured::new(data);
            for _ in 0..4 {
                match pol_fuzz::arbitrary_case(c, &mut u) {
                    Ok(Some(case)) => pol_fuzz::check_case(c, &case),
                    _ => break,
                }
            }
        }
        None => assert!(compilation.has_errors(), "no policy set and no error"),
    }
});

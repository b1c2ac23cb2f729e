//! The embedding example runs, as part of the test suite, and prints a decision.

#[path = "../../examples/decide.rs"]
#[allow(dead_code)]
mod decide;

#[test]
fn the_embedding_example_decides_its_case() {
    let mut out = Vec::new();
    decide::run(&mut out).unwrap();
    let decision: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(decision["id"], "conference-trip");
    assert_eq!(decision["policy"], "advance_parole");
    assert_eq!(decision["decision"], "eligible");
    assert!(decision["receipt"]["policies"].as_str().unwrap().starts_with("sha256:"));
}

//! What `pol explain --format json` adds beyond the decision: counterfactuals ("what would
//! change it") for a definite decision, and `missing` in ranked order for an open one.

use crate::common;

use common::pol;

fn explain(case: &str) -> serde_json::Value {
    serde_json::from_str(&explain_text(case)).unwrap()
}

/// The JSON text `pol explain --format json` prints for a case.
fn explain_text(case: &str) -> String {
    let dir = std::env::temp_dir().join(format!("pol-reasoning-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!(
        "{:x}.json",
        case.len() * 7919 + case.bytes().map(usize::from).sum::<usize>()
    ));
    std::fs::write(&path, case).unwrap();
    let run = pol(&["explain", "--format", "json", path.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout.trim().to_string()
}

#[test]
fn a_tps_holder_in_removal_proceedings_would_be_eligible_without_them() {
    let case = r#"{"as_of": "2025-06-10", "policy": "advance_parole", "reason": "funeral",
            "applicant": {"location": "inside_us", "status": "tps", "pending": [],
                          "in_removal_proceedings": true, "private_bill_beneficiary": false,
                          "j1_foreign_residence_requirement": false},
            "evidence_submitted": true}"#;
    let ex = explain(case);
    assert_eq!(ex["decision"]["decision"], "ineligible");
    let cfs = ex["counterfactuals"].as_array().unwrap();
    let wanted = serde_json::json!({
        "decision": "eligible",
        "changes": [{"fact": "applicant.in_removal_proceedings", "value": false}],
        "rules": ["advance_parole.removal_proceedings"],
        "says": ["You are in removal proceedings and are not a DACA recipient."]
    });
    assert!(cfs.contains(&wanted), "{cfs:#?}");
    // The contract's shape, in its order.
    let text = explain_text(case);
    assert!(
        text.contains(r#""counterfactuals":[{"decision":"eligible","changes":[{"fact":"#),
        "{text}"
    );
}

#[test]
fn missing_comes_best_question_first() {
    let ex = explain(r#"{"as_of": "2025-06-10", "policy": "advance_parole"}"#);
    assert_eq!(ex["decision"]["decision"], "incomplete");
    let missing: Vec<&str> =
        ex["decision"]["missing"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    // Location splits into inside (all decisions open) and outside (ineligible); the J-1
    // requirement excludes on its own (docs/changes/003), so it comes next. Every fact
    // the policy reads can change the decision here, so every one is listed.
    assert_eq!(
        missing,
        [
            "applicant.location",
            "applicant.j1_foreign_residence_requirement",
            "applicant.private_bill_beneficiary",
            "applicant.status",
            "applicant.pending",
            "applicant.in_removal_proceedings",
            "reason",
            "evidence_submitted"
        ]
    );
    assert_eq!(ex["counterfactuals"], serde_json::json!([]));
}

//! Each worked example in `examples/cases` through the service, one test per example and
//! property: decided byte for byte as `pol eval --format json` prints it (posted as written
//! and as JSON), explained as `pol explain --format json` prints it, both answers valid
//! against the OpenAPI document's schemas and the repository's, and the case accepted by the
//! catalogue's case schema. An example added to the folder is checked without editing Rust.
//! (A `harness = false` target, see ARCHITECTURE.md.)

// A `harness = false` target is not compiled as tests, so clippy's test exemptions do not
// apply: panicking is how a test here fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::future::Future;
use std::path::Path;

use axum::body::Body;
use common::{call, post_json};
use datatest_stable::Result;
use pol_serve::{Config, Service};
use pol_test_support::schemas::{assert_valid, validator};
use serde_json::Value;

/// Runs a test's requests on a runtime of its own (the harness calls tests on plain threads).
fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

fn service() -> Service {
    common::service(Config::default())
}

/// `POST /v1/decide` answers what `pol eval --format json` prints, for the file as written
/// (JSON, YAML or TOML, by content type) and as JSON.
fn decided_as_pol_eval_prints_it(path: &Path) -> Result<()> {
    let expected = common::eval_json(&common::builtin(), path);
    block_on(async {
        let s = service();
        let answer = common::post_file(&s, "/v1/decide", path).await;
        assert_eq!(answer.content_type, "application/json");
        assert_eq!(answer.body, expected, "as written");
        let answer = post_json(&s, "/v1/decide", &common::as_json(path)).await;
        assert_eq!(answer.body, expected, "as JSON");
    });
    Ok(())
}

/// `POST /v1/explain` answers what `pol explain --format json` prints.
fn explained_as_pol_explain_prints_it(path: &Path) -> Result<()> {
    let expected = common::explain_json(&common::builtin(), path, false);
    block_on(async {
        let answer = common::post_file(&service(), "/v1/explain", path).await;
        assert_eq!(answer.body, expected);
    });
    Ok(())
}

/// The decision and the explanation follow the OpenAPI document's schemas and the
/// repository's schemas of what `pol` prints.
fn answers_follow_the_documented_schemas(path: &Path) -> Result<()> {
    block_on(async {
        let s = service();
        let case = common::as_json(path);
        let decision = post_json(&s, "/v1/decide", &case).await.json();
        let explanation = post_json(&s, "/v1/explain", &case).await.json();
        for (what, answer, schemas) in [
            (
                "decision",
                &decision,
                [common::openapi_schema("Decision"), validator("decision.schema.json")],
            ),
            (
                "explanation",
                &explanation,
                [common::openapi_schema("Explanation"), validator("explanation.schema.json")],
            ),
        ] {
            for schema in schemas {
                assert_valid(&schema, what, answer);
            }
        }
    });
    Ok(())
}

/// The catalogue's case schema (`GET /v1/policies`) accepts the case.
fn accepted_by_the_catalogue_case_schema(path: &Path) -> Result<()> {
    let catalogue = block_on(async {
        call(&service(), "GET", "/v1/policies", None, Body::empty()).await.json()
    });
    let case_schema = jsonschema::validator_for(&catalogue["case_schema"])?;
    let case: Value = serde_json::from_str(&common::as_json(path))?;
    assert_valid(&case_schema, "the case", &case);
    Ok(())
}

datatest_stable::harness! {
    { test = decided_as_pol_eval_prints_it, root = "../../examples/cases" },
    { test = explained_as_pol_explain_prints_it, root = "../../examples/cases" },
    { test = answers_follow_the_documented_schemas, root = "../../examples/cases" },
    { test = accepted_by_the_catalogue_case_schema, root = "../../examples/cases" },
}

//! The decision service over HTTP, in process: decisions byte for byte as `pol eval`
//! prints them, errors in place, bad input as 4xx with the field and the right name,
//! limits, health, metrics, the OpenAPI document, the catalogue, the decision log.

use crate::common;

use std::collections::BTreeSet;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use common::{call, post_json, service};
use pol_engine::codes;
use pol_serve::{Config, Limits, LogTarget, Service};
use serde_json::{json, Value};

/// The codes of error objects: `pol::` and the diagnostic code.
fn field_code() -> String {
    format!("pol::{}", codes::CASE_FIELD)
}

fn unreadable_code() -> String {
    format!("pol::{}", codes::CASE_UNREADABLE)
}

fn default() -> Service {
    service(Config::default())
}

/// A case with a misspelt field: `natinality` for `nationality`.
const MISSPELT: &str = r#"{"id": "case-17", "as_of": "2025-06-10", "policy": "advance_parole", "applicant": {"natinality": "CU"}}"#;

/// `?all=true` traces the rules that did not decide, too. (Each example is decided and
/// explained as `pol` prints it by `tests/examples.rs`, one test per example.)
#[tokio::test]
async fn explain_all_traces_the_rules_that_did_not_decide() {
    let s = default();
    let path = common::root()
        .join("examples/cases/daca_recipient_in_removal_proceedings_advance_parole.toml");
    let expected = common::explain_json(&common::builtin(), &path, true);
    let text = std::fs::read_to_string(&path).unwrap();
    let answer = call(&s, "POST", "/v1/explain?all=true", Some("application/toml"), text).await;
    assert_eq!(answer.body, expected);
}

/// A query parameter the route does not take, or a switch that is no boolean, is a 400
/// naming it (with the closest name), never silently ignored as `?al=true` once was.
#[tokio::test]
async fn an_unknown_query_parameter_is_a_400() {
    let s = default();
    let case = r#"{"as_of": "2025-06-10", "policy": "chnv_parole"}"#;
    for (route, message, help) in [
        ("/v1/explain?al=true", "unknown query parameter `al`", "did you mean `all`?"),
        ("/v1/explain?all=maybe", "`all=maybe` is not a boolean", "`all=true`"),
        ("/v1/decide?all=true", "unknown query parameter `all`", "takes no query parameters"),
    ] {
        let answer = post_json(&s, route, case).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{route}");
        let body = answer.json();
        assert_eq!(body["error"]["code"], "bad_query", "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains(message), "{body}");
        assert!(body["help"].as_str().unwrap().contains(help), "{body}");
        assert!(common::openapi_schema("Rejection").is_valid(&body));
    }
    let plain = post_json(&s, "/v1/explain", case).await;
    let off = post_json(&s, "/v1/explain?all=false", case).await;
    assert_eq!(off.status, StatusCode::OK);
    assert_eq!(off.body, plain.body);
}

#[tokio::test]
async fn a_misspelt_field_is_a_422_naming_the_field_and_the_right_name() {
    let answer = post_json(&default(), "/v1/decide", MISSPELT).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = answer.json();
    assert_eq!(body["error"]["code"], field_code());
    assert_eq!(body["error"]["field"], "applicant.natinality");
    assert_eq!(body["error"]["suggestion"], "applicant.nationality");
    assert_eq!(body["id"], "case-17");
    assert!(body["help"].as_str().unwrap().contains("applicant.nationality"), "{body}");
    // The position of the key in the body, as `pol eval` reports it.
    let problem = common::builtin().decode(MISSPELT, pol_engine::Format::Json).err().unwrap();
    assert_eq!(body["line"], problem.line.unwrap());
    assert_eq!(body["column"], problem.column.unwrap());
    assert_eq!(body["error"]["message"], problem.message);
    let at = MISSPELT.find("natinality").unwrap();
    assert!((at..at + 2).contains(&problem.column.unwrap()), "{problem:?}");
}

#[tokio::test]
async fn bad_input_is_4xx_never_5xx() {
    let s = default();
    let (unreadable, field) = (unreadable_code(), field_code());
    let bodies: &[(&str, &String)] = &[
        ("{\"as_of\": \"2025-06-10\", \"policy\": \"advance_parole\"", &unreadable),
        ("", &unreadable),
        ("null", &field),
        ("42", &unreadable),
        ("[1, 2", &unreadable),
        (r#"{"as_of": "2025-13-40", "policy": "advance_parole"}"#, &field),
        (r#"{"as_of": "2025-06-10", "policy": "advance_parol"}"#, &field),
        (r#"{"as_of": "2025-06-10"}"#, &field),
        (
            r#"{"as_of": "2025-06-10", "policy": "advance_parole", "applicant": {"status": "dacca"}}"#,
            &field,
        ),
        (
            r#"{"as_of": "2025-06-10", "policy": "advance_parole", "applicant": {"age": "old"}}"#,
            &field,
        ),
    ];
    for (body, code) in bodies {
        for path in ["/v1/decide", "/v1/explain"] {
            let answer = post_json(&s, path, body).await;
            assert!(answer.status.is_client_error(), "{path} {body}: {}", answer.status);
            assert_eq!(
                answer.json()["error"]["code"],
                code.as_str(),
                "{path} {body}: {}",
                answer.body
            );
        }
    }
    // Not UTF-8.
    let answer = call(&s, "POST", "/v1/decide", None, vec![b'{', 0xff, b'}']).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    // A near-miss policy name and enum word get suggestions.
    let answer =
        post_json(&s, "/v1/decide", r#"{"as_of": "2025-06-10", "policy": "advance_parol"}"#).await;
    assert_eq!(answer.json()["error"]["suggestion"], "advance_parole");
    // Explain takes one case.
    let answer = post_json(&s, "/v1/explain", "[]").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
}

/// Three cases, the second misspelt, with a blank line before the third.
fn three_lines() -> String {
    let good = |id: &str| {
        format!(
            r#"{{"id": "{id}", "as_of": "2025-06-10", "policy": "chnv_parole", "applicant": {{"nationality": "HT"}}}}"#
        )
    };
    format!("{}\n{}\n\n{}\n", good("a"), MISSPELT, good("c"))
}

#[tokio::test]
async fn json_lines_get_an_error_object_in_place_of_a_bad_line() {
    let s = default();
    let body = three_lines();
    for content_type in [Some("application/x-ndjson"), Some("application/json"), None] {
        let answer = call(&s, "POST", "/v1/decide", content_type, body.clone()).await;
        assert_eq!(answer.status, StatusCode::OK, "{content_type:?}");
        assert_eq!(answer.content_type, "application/x-ndjson");
        let lines: Vec<&str> = answer.body.lines().collect();
        assert_eq!(lines.len(), 3, "{}", answer.body);
        // The decisions are those of the cases alone.
        let input: Vec<&str> = body.lines().filter(|l| !l.is_empty()).collect();
        let alone = post_json(&s, "/v1/decide", input[0]).await.body;
        assert_eq!(format!("{}\n", lines[0]), alone);
        let alone = post_json(&s, "/v1/decide", input[2]).await.body;
        assert_eq!(format!("{}\n", lines[2]), alone);
        let error: Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(
            error,
            json!({"line": 2, "id": "case-17", "error": {
                "code": field_code(),
                "field": "applicant.natinality",
                "message": "field `applicant.natinality`: no policy declares this field",
                "suggestion": "applicant.nationality"}})
        );
    }
    // Lines are counted as in the body, blank ones included.
    let answer = common::post_lines(&s, format!("\n\n{MISSPELT}\n")).await;
    assert_eq!(serde_json::from_str::<Value>(answer.body.trim()).unwrap()["line"], 3);
}

#[tokio::test]
async fn an_array_gets_an_array_with_an_error_object_at_the_bad_index() {
    let s = default();
    let lines = three_lines();
    let cases: Vec<&str> = lines.lines().filter(|l| !l.is_empty()).collect();
    let body = format!("[{}]", cases.join(",\n"));
    let answer = post_json(&s, "/v1/decide", &body).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.ends_with("]\n"));
    let results: Vec<Value> = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[1]["index"], 1);
    assert_eq!(results[1]["id"], "case-17");
    assert_eq!(results[1]["error"]["suggestion"], "applicant.nationality");
    let alone: Value = post_json(&s, "/v1/decide", cases[2]).await.json();
    assert_eq!(results[2], alone);
    // Each element is the bytes of the one-case answer; the error's fields are in the
    // contract's order.
    let error = format!(
        concat!(
            r#"{{"index":1,"id":"case-17","error":{{"code":"{}","field":"applicant.natinality","#,
            r#""message":"field `applicant.natinality`: no policy declares this field","suggestion":"applicant.nationality"}}}}"#
        ),
        field_code()
    );
    let expected = format!(
        "[{},{error},{}]\n",
        post_json(&s, "/v1/decide", cases[0]).await.body.trim_end(),
        post_json(&s, "/v1/decide", cases[2]).await.body.trim_end(),
    );
    assert_eq!(answer.body, expected);
    // An empty batch is answered with an empty one.
    assert_eq!(post_json(&s, "/v1/decide", "[]").await.body, "[]\n");
}

#[tokio::test]
async fn limits_are_413_and_408() {
    let limits = Limits {
        max_body_bytes: 4096,
        max_batch_cases: 3,
        request_timeout: Duration::from_millis(300),
    };
    let s = service(Config { limits, ..Config::default() });
    // Too many bytes.
    let big = format!("[{}]", vec![MISSPELT; 100].join(","));
    let answer = post_json(&s, "/v1/decide", &big).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer.json()["error"]["code"], "body_too_large");
    // Too many cases, as an array or as lines.
    let four = format!("[{}]", [MISSPELT; 4].join(","));
    let answer = post_json(&s, "/v1/decide", &four).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer.json()["error"]["code"], "batch_too_large");
    let lines = format!("{}\n", [MISSPELT; 4].join("\n"));
    let answer = common::post_lines(&s, lines).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    // Three are fine.
    let three = format!("[{}]", [MISSPELT; 3].join(","));
    assert_eq!(post_json(&s, "/v1/decide", &three).await.status, StatusCode::OK);
    // A body that never ends.
    let answer = call(&s, "POST", "/v1/decide", None, Body::new(Stalled)).await;
    assert_eq!(answer.status, StatusCode::REQUEST_TIMEOUT);
    assert_eq!(answer.json()["error"]["code"], "timeout");
}

/// A request body that never sends anything.
struct Stalled;

impl http_body::Body for Stalled {
    type Data = Bytes;
    type Error = std::convert::Infallible;
    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        Poll::Pending
    }
}

#[tokio::test]
async fn health_readiness_and_unknown_routes() {
    let s = default();
    let health = call(&s, "GET", "/healthz", None, Body::empty()).await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json(), json!({"status": "ok"}));
    let ready = call(&s, "GET", "/readyz", None, Body::empty()).await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.json()["receipt"]["policies"], s.receipt().policies);
    s.drain();
    let draining = call(&s, "GET", "/readyz", None, Body::empty()).await;
    assert_eq!(draining.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(draining.json()["ready"], false);

    let missing = call(&s, "GET", "/v2/decide", None, Body::empty()).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["error"]["code"], "not_found");
    let wrong = call(&s, "GET", "/v1/decide", None, Body::empty()).await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong.headers["allow"], "POST");
    assert_eq!(wrong.json()["error"]["code"], "method_not_allowed");
}

#[tokio::test]
async fn metrics_are_prometheus_text() {
    let s = default();
    post_json(&s, "/v1/decide", MISSPELT).await;
    let path = common::root()
        .join("examples/cases/daca_recipient_in_removal_proceedings_advance_parole.toml");
    let text = std::fs::read_to_string(path).unwrap();
    call(&s, "POST", "/v1/decide", Some("application/toml"), text).await;
    let answer = call(&s, "GET", "/metrics", None, Body::empty()).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.content_type.starts_with("application/openmetrics-text"));
    let m = &answer.body;
    assert!(m.contains("# TYPE pol_http_requests counter"), "{m}");
    assert!(m.contains(r#"pol_http_requests_total{route="/v1/decide",status="422"} 1"#), "{m}");
    assert!(m.contains(r#"pol_http_requests_total{route="/v1/decide",status="200"} 1"#), "{m}");
    assert!(m.contains("# TYPE pol_http_request_duration_seconds histogram"), "{m}");
    assert!(m.contains(r#"pol_http_request_duration_seconds_count{route="/v1/decide"} 2"#), "{m}");
    assert!(m.contains(r#"pol_decisions_total{decision="eligible"} 1"#), "{m}");
    assert!(m.contains(r#"pol_decisions_total{decision="ineligible"} 0"#), "{m}");
    assert!(m.contains(r#"pol_reloads_total{result="ok"} 0"#), "{m}");
    assert!(m.trim_end().ends_with("# EOF"), "{m}");
    // Every sample line is `name{labels} value`.
    for line in m.lines().filter(|l| !l.starts_with('#')) {
        let (name, value) = line.rsplit_once(' ').unwrap();
        assert!(name.starts_with("pol_"), "{line}");
        assert!(value.parse::<f64>().is_ok(), "{line}");
    }
}

#[tokio::test]
async fn the_openapi_document_lists_exactly_the_routes_served() {
    let s = default();
    let served = call(&s, "GET", "/v1/openapi.json", None, Body::empty()).await;
    assert_eq!(served.status, StatusCode::OK);
    let doc = served.json();
    assert_eq!(doc, common::openapi());
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            assert!(operation["responses"].is_object(), "{method} {path}");
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let routes: BTreeSet<(String, String)> =
        pol_serve::routes::ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    assert_eq!(documented, routes, "every route documented, every documented route served");
    // Every route is served: nothing documented answers 404 or 405.
    let case = r#"{"as_of": "2025-06-10", "policy": "chnv_parole"}"#;
    for (method, path) in &routes {
        let answer = call(&s, method, path, Some("application/json"), case.to_string()).await;
        assert_eq!(answer.status, StatusCode::OK, "{method} {path}: {}", answer.body);
    }
    // Every `$ref` points into the document.
    let text = pol_serve::routes::OPENAPI;
    for reference in text.split("\"$ref\": \"#/").skip(1) {
        let pointer = format!("/{}", reference.split('"').next().unwrap());
        assert!(doc.pointer(&pointer).is_some(), "{pointer}");
    }
}

/// The document describes decisions and explanations with the repository's own schemas,
/// put in whole: a hand-written copy would drift from what `pol` prints.
#[test]
fn the_openapi_document_carries_the_schemas_pol_prints() {
    let doc = common::openapi();
    let components = &doc["components"]["schemas"];
    for (file, name) in
        [("decision.schema.json", "Decision"), ("explanation.schema.json", "Explanation")]
    {
        let ours = pol_test_support::schemas::schema(file);
        let theirs = &components[name];
        for part in ["required", "properties", "$defs"] {
            let keys = |v: &Value| match &v[part] {
                Value::Object(m) => m.keys().cloned().collect::<Vec<_>>(),
                Value::Array(a) => a.iter().map(|x| x.to_string()).collect(),
                _ => Vec::new(),
            };
            assert_eq!(keys(theirs), keys(&ours), "{name}: {part}");
        }
    }
    // Every reference resolves inside the document.
    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                out.extend(m.get("$ref").and_then(Value::as_str));
                m.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.contains(&"#/components/schemas/Decision/$defs/reason"));
    for r in all {
        let pointer = r.strip_prefix('#').unwrap_or_else(|| panic!("{r} leaves the document"));
        assert!(doc.pointer(pointer).is_some(), "{r} points at nothing");
    }
}

#[tokio::test]
async fn errors_and_listings_follow_the_documented_schemas() {
    // (Decisions and explanations of every example: `tests/examples.rs`.)
    let s = default();
    let rejection = post_json(&s, "/v1/decide", MISSPELT).await.json();
    assert!(common::openapi_schema("Rejection").is_valid(&rejection), "{rejection}");
    let batch = common::post_lines(&s, three_lines()).await;
    let error: Value = serde_json::from_str(batch.body.lines().nth(1).unwrap()).unwrap();
    assert!(common::openapi_schema("ErrorInPlace").is_valid(&error), "{error}");
    assert!(
        pol_test_support::schemas::validator("case-error.schema.json").is_valid(&error),
        "{error}"
    );
    let catalogue = call(&s, "GET", "/v1/policies", None, Body::empty()).await.json();
    assert!(common::openapi_schema("Catalogue").is_valid(&catalogue));
    let ready = call(&s, "GET", "/readyz", None, Body::empty()).await.json();
    assert!(common::openapi_schema("Readiness").is_valid(&ready));
}

#[tokio::test]
async fn the_catalogue_lists_questions_facts_and_a_case_schema() {
    let s = default();
    let answer = call(&s, "GET", "/v1/policies", None, Body::empty()).await;
    assert_eq!(answer.status, StatusCode::OK);
    let catalogue = answer.json();
    assert_eq!(catalogue["receipt"]["policies"], s.receipt().policies);
    let policies = catalogue["policies"].as_array().unwrap();
    let names: Vec<&str> = policies.iter().map(|p| p["name"].as_str().unwrap()).collect();
    let Ok(shipped) = pol_engine::Engine::builtin() else {
        panic!("the built-in policies compile")
    };
    assert_eq!(names.len(), shipped.compiled().set.policies.len(), "{names:?}");
    let ap = policies.iter().find(|p| p["name"] == "advance_parole").unwrap();
    assert!(ap["question"].as_str().unwrap().starts_with("May this person, inside the U.S."));
    let facts = ap["facts"].as_array().unwrap();
    let fact = |path: &str| facts.iter().find(|f| f["path"] == path).cloned();
    let status = fact("applicant.status").unwrap();
    assert_eq!(status["type"], "enum");
    assert_eq!(status["doc"], "current basis for being in the U.S.");
    assert!(status["words"].as_array().unwrap().contains(&json!("daca")));
    assert_eq!(fact("applicant.pending").unwrap()["type"], "set");
    assert_eq!(fact("applicant.in_removal_proceedings").unwrap()["type"], "bool");
    let days = fact("applicant.unlawful_presence_days").unwrap();
    assert_eq!((days["type"].as_str(), days["unit"].as_str()), (Some("duration"), Some("days")));
    // A fact's case constraints come with it.
    assert_eq!(
        days["constraints"],
        json!([{
            "name": "unlawful_presence_not_negative",
            "text": "applicant.unlawful_presence_days >= 0 days",
            "basis": "a count of days is never negative (the case contract)"
        }])
    );
    assert!(status.get("constraints").is_none());
    // Facts it does not read are not listed: parole programs are for `parole_ead`.
    assert!(fact("parole.program").is_none());

    // The case schema refuses a misspelt field (and accepts every example:
    // `tests/examples.rs`).
    let case_schema = jsonschema::validator_for(&catalogue["case_schema"]).unwrap();
    let misspelt: Value = serde_json::from_str(MISSPELT).unwrap();
    assert!(!case_schema.is_valid(&misspelt));
    assert!(!case_schema.is_valid(&json!({"as_of": "2025-06-10", "policy": "no_such_policy"})));
    assert!(!case_schema.is_valid(&json!({"policy": "chnv_parole"})));
    assert!(case_schema.is_valid(
        &json!({"as_of": "2025-06-10", "policy": "chnv_parole", "applicant": {"status": null}})
    ));
}

#[tokio::test]
async fn the_page_is_served_with_its_script_and_style() {
    let s = default();
    for (path, content_type) in [
        ("/", "text/html; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
    ] {
        let answer = call(&s, "GET", path, None, Body::empty()).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.content_type, content_type);
        let csp = answer.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.starts_with("default-src 'self'"), "{csp}");
    }
    let page = call(&s, "GET", "/", None, Body::empty()).await.body;
    // Nothing is loaded from elsewhere.
    assert!(!page.contains("http://") && !page.contains("https://") && !page.contains("//cdn"));
    assert!(page.contains(r#"aria-live="polite""#));
}

#[tokio::test]
async fn the_decision_log_has_one_redacted_line_per_decision() {
    let dir = common::temp_dir();
    let log = dir.path().join("decisions.jsonl");
    // An existing log is appended to, never truncated.
    std::fs::write(&log, "{\"earlier\":true}\n").unwrap();
    let s = service(Config {
        decision_log: Some(LogTarget::File(log.clone())),
        redact: vec!["applicant.nationality".into(), "id".into(), "trip".into()],
        ..Config::default()
    });
    let path =
        common::root().join("examples/cases/venezuelan_tps_conference_canada_advance_parole.json");
    let case = std::fs::read_to_string(&path).unwrap();
    let single = post_json(&s, "/v1/decide", &case).await;
    assert_eq!(single.status, StatusCode::OK);
    let batch = common::post_lines(&s, three_lines()).await;
    assert_eq!(batch.status, StatusCode::OK);
    post_json(&s, "/v1/explain", &case).await;
    s.close_log();

    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // The earlier line, the single case, two decided lines of the batch (the bad one has
    // no decision), the explained case.
    assert_eq!(lines.len(), 5, "{text}");
    assert_eq!(lines[0], json!({"earlier": true}));
    let first = &lines[1];
    assert!(first["at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(first["case"]["id"], "[redacted]");
    assert_eq!(first["case"]["applicant"]["nationality"], "[redacted]");
    assert_eq!(first["case"]["trip"]["depart"], "[redacted]");
    assert_eq!(first["case"]["applicant"]["status"], "tps");
    assert_eq!(first["case"]["policy"], "advance_parole");
    let mut decision: Value = serde_json::from_str(&single.body).unwrap();
    assert_ne!(decision["id"], "[redacted]");
    decision["id"] = json!("[redacted]");
    assert_eq!(first["decision"], decision);
    assert_eq!(first["decision"]["receipt"]["policies"], s.receipt().policies);
    assert!(!text.contains("\"VE\""), "a redacted value leaked: {text}");
    assert_eq!(lines[2]["case"]["applicant"]["nationality"], "[redacted]");
    assert_eq!(lines[2]["decision"]["decision"], "unavailable");
    assert_eq!(lines[4]["decision"], decision);
}

/// A decision log on a full disk: the decision already given stays queued, and the service
/// gives no other (503, `/readyz` not ready) rather than decide what it cannot record.
#[tokio::test]
async fn no_decision_is_given_while_the_decision_log_cannot_be_written() {
    let s = service(Config {
        decision_log: Some(LogTarget::File("/dev/full".into())),
        ..Config::default()
    });
    let case = r#"{"as_of": "2025-06-10", "policy": "chnv_parole"}"#;
    let first = post_json(&s, "/v1/decide", case).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    // The writer finds out on its own thread; wait for it, boundedly.
    let mut ready = call(&s, "GET", "/readyz", None, Body::empty()).await;
    for _ in 0..500 {
        if ready.status == StatusCode::SERVICE_UNAVAILABLE {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        ready = call(&s, "GET", "/readyz", None, Body::empty()).await;
    }
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    let ready = ready.json();
    assert_eq!(ready["ready"], false);
    assert!(ready["reason"].as_str().unwrap().contains("decision log"), "{ready}");
    assert!(common::openapi_schema("Readiness").is_valid(&ready));
    for route in ["/v1/decide", "/v1/explain"] {
        let refused = post_json(&s, route, case).await;
        assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE, "{route}");
        let body = refused.json();
        assert_eq!(body["error"]["code"], "decision_log_unwritable", "{body}");
        assert!(common::openapi_schema("Rejection").is_valid(&body));
    }
}

#[test]
fn a_misspelt_redaction_is_refused_with_the_right_name() {
    let error = Service::new(
        common::builtin(),
        Config { redact: vec!["applicant.nationalty".into()], ..Config::default() },
    )
    .err()
    .unwrap();
    let message = error.to_string();
    assert!(message.contains("applicant.nationalty"), "{message}");
    assert!(message.contains("did you mean `applicant.nationality`"), "{message}");
    // `--redact a,,b`: the empty name is called what it is.
    let error = Service::new(
        common::builtin(),
        Config { redact: vec!["id".into(), String::new()], ..Config::default() },
    )
    .err()
    .unwrap();
    assert!(error.to_string().contains("an empty path"), "{error}");
}

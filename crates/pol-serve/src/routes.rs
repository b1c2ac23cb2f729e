//! The endpoints: one table, from which the router is built and against which the OpenAPI
//! document is checked (every route documented, every documented route served).
//!
//! No endpoint writes policies: the policy set changes only when an operator reloads it
//! (SIGHUP, or `--watch` while authoring).

use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::Router;

use crate::request::{self, Rejection};
use crate::{decide, page, Service};

/// The OpenAPI 3.1 document of the service: `openapi.base.json` with the repository's
/// decision and explanation schemas put in by `build.rs`. A test holds it to [`ROUTES`].
pub const OPENAPI: &str = include_str!(concat!(env!("OUT_DIR"), "/openapi.json"));

/// Every route the service answers: method and path.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/app.js"),
    ("GET", "/style.css"),
    ("POST", "/v1/decide"),
    ("POST", "/v1/explain"),
    ("GET", "/v1/policies"),
    ("GET", "/v1/openapi.json"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
];

/// The handler of a route in [`ROUTES`].
fn handler(method: &str, path: &str) -> Option<MethodRouter<Service>> {
    Some(match (method, path) {
        ("GET", "/") => get(|| async { page::asset(page::INDEX) }),
        ("GET", "/app.js") => get(|| async { page::asset(page::SCRIPT) }),
        ("GET", "/style.css") => get(|| async { page::asset(page::STYLE) }),
        ("POST", "/v1/decide") => post(decide),
        ("POST", "/v1/explain") => post(explain),
        ("GET", "/v1/policies") => get(policies),
        ("GET", "/v1/openapi.json") => get(|| async { json(OPENAPI.to_string()) }),
        ("GET", "/healthz") => get(|| async { json("{\"status\":\"ok\"}\n".to_string()) }),
        ("GET", "/readyz") => get(ready),
        ("GET", "/metrics") => get(metrics),
        _ => return None,
    })
}

/// The router: every route of [`ROUTES`], a JSON 404 for other paths and 405 for other
/// methods, each request timed, counted and bounded by the request timeout.
pub(crate) fn router(service: Service) -> Router {
    let mut router = Router::new();
    for (method, path) in ROUTES {
        if let Some(h) = handler(method, path) {
            router = router.route(path, h.fallback(method_not_allowed));
        } else {
            debug_assert!(false, "route {method} {path} has no handler");
        }
    }
    router
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(service.clone(), observe))
        .with_state(service)
}

/// The label a request is counted under: its route's path, or `other`.
fn route_label(path: &str) -> &'static str {
    ROUTES.iter().find(|(_, p)| *p == path).map_or("other", |(_, p)| p)
}

/// Times and counts every request, and answers 408 past the request timeout.
async fn observe(State(service): State<Service>, request: Request, next: Next) -> Response {
    let route = route_label(request.uri().path());
    let start = Instant::now();
    let limit = service.shared().limits.request_timeout;
    let response = match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => Rejection::new(
            StatusCode::REQUEST_TIMEOUT,
            "timeout",
            format!("the request took longer than {} ms", limit.as_millis()),
            Some("send the body promptly, or fewer cases per request".into()),
        )
        .into_response(),
    };
    service.shared().metrics.request(route, response.status().as_u16(), start.elapsed());
    response
}

fn json(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Bodies larger than this are decided on a thread that may block, so a large batch does
/// not hold up the requests sharing its worker.
const INLINE_BYTES: usize = 64 * 1024;

/// Reads a body of cases and answers it with `answer` (on a blocking thread when large).
async fn with_cases<F>(service: Service, headers: HeaderMap, body: Body, answer: F) -> Response
where
    F: for<'a> FnOnce(&Service, &crate::policies::Snapshot, request::Cases<'a>) -> Response
        + Send
        + 'static,
{
    let limits = service.shared().limits;
    let bytes = match request::read_body(body, limits.max_body_bytes).await {
        Ok(b) => b,
        Err(rejection) => return rejection.into_response(),
    };
    let large = bytes.len() > INLINE_BYTES;
    let work = move || {
        let text = match request::text(&bytes) {
            Ok(t) => t,
            Err(rejection) => return rejection.into_response(),
        };
        let cases = match request::cases(&headers, text) {
            Ok(c) => c,
            Err(rejection) => return rejection.into_response(),
        };
        let count = cases.len();
        if count > limits.max_batch_cases {
            return Rejection::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "batch_too_large",
                format!(
                    "the request holds {count} cases; at most {} decided per request",
                    match limits.max_batch_cases {
                        1 => "1 is".to_string(),
                        most => format!("{most} are"),
                    }
                ),
                Some("split the batch into several requests".into()),
            )
            .into_response();
        }
        // The set in force now decides every case of this request, even if a reload
        // swaps in another meanwhile.
        let snapshot = service.shared().policies.current();
        answer(&service, &snapshot, cases)
    };
    if large {
        tokio::task::spawn_blocking(work)
            .await
            .unwrap_or_else(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response())
    } else {
        work()
    }
}

/// 503 while the decision log cannot be written: no decision is given that it would not
/// record (fail closed). The service decides again once a write succeeds.
fn unlogged(service: &Service) -> Option<Response> {
    let why = service.shared().log.as_ref()?.failure()?;
    Some(
        Rejection::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "decision_log_unwritable",
            format!("the decision log cannot be written ({why}), and no decision is given that it does not record"),
            Some("try again later: the service decides again once the log can be written (its operator may need to free disk space)".into()),
        )
        .into_response(),
    )
}

/// The switches a request's query sets, each of `known` (`?all`, `?all=true`, `?all=false`,
/// `1`, `0`): an unknown parameter or a value that is not a boolean is a 400 naming the
/// closest known one, never silently ignored.
fn switches(uri: &Uri, known: &[&'static str]) -> Result<Vec<&'static str>, Response> {
    let mut on = Vec::new();
    for part in uri.query().unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        let Some(switch) = known.iter().find(|k| **k == name) else {
            let help = match pol_compiler::did_you_mean(name, known.iter().copied()) {
                Some(near) => format!("did you mean `{near}`?"),
                None if known.is_empty() => "this route takes no query parameters".to_string(),
                None => format!("this route takes only `{}`", known.join("`, `")),
            };
            return Err(bad_query(format!("unknown query parameter `{name}`"), help));
        };
        match value {
            "" | "true" | "1" => on.push(*switch),
            "false" | "0" => {}
            _ => {
                return Err(bad_query(
                    format!("`{name}={value}` is not a boolean"),
                    format!("write `{name}=true` or `{name}=false`"),
                ))
            }
        }
    }
    Ok(on)
}

fn bad_query(message: String, help: String) -> Response {
    Rejection::new(StatusCode::BAD_REQUEST, "bad_query", message, Some(help)).into_response()
}

async fn decide(
    State(service): State<Service>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Err(refused) = switches(&uri, &[]) {
        return refused;
    }
    if let Some(refused) = unlogged(&service) {
        return refused;
    }
    with_cases(service, headers, body, |service, snapshot, cases| {
        decide::decide(service.shared(), snapshot, cases)
    })
    .await
}

async fn explain(
    State(service): State<Service>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // `?all=true` (or `?all`): also the rules that did not decide the case.
    let all = match switches(&uri, &["all"]) {
        Ok(on) => on.contains(&"all"),
        Err(refused) => return refused,
    };
    if let Some(refused) = unlogged(&service) {
        return refused;
    }
    with_cases(service, headers, body, move |service, snapshot, cases| {
        decide::explain(service.shared(), snapshot, cases, all)
    })
    .await
}

async fn policies(State(service): State<Service>) -> Response {
    json(service.shared().policies.current().catalogue.clone())
}

async fn ready(State(service): State<Service>) -> Response {
    let receipt = service.receipt();
    let draining = service.shared().draining.load(std::sync::atomic::Ordering::Relaxed);
    let log_failure = service.shared().log.as_ref().and_then(|l| l.failure());
    let body = match (&log_failure, draining) {
        (_, true) => {
            serde_json::json!({"ready": false, "receipt": receipt, "reason": "shutting down"})
        }
        (Some(why), false) => serde_json::json!({
            "ready": false,
            "receipt": receipt,
            "reason": format!("the decision log cannot be written: {why}"),
        }),
        (None, false) => serde_json::json!({"ready": true, "receipt": receipt}),
    };
    let status = if draining || log_failure.is_some() {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    (status, json(format!("{body}\n"))).into_response()
}

async fn metrics(State(service): State<Service>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")],
        service.shared().metrics.render(),
    )
        .into_response()
}

async fn not_found(uri: Uri) -> Response {
    Rejection::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no route `{}`", uri.path()),
        Some("the routes are listed in /v1/openapi.json".into()),
    )
    .into_response()
}

async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    let allowed: Vec<&str> =
        ROUTES.iter().filter(|(_, p)| *p == uri.path()).map(|(m, _)| *m).collect();
    let mut response = Rejection::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("`{}` does not answer {method}", uri.path()),
        Some(format!("use {}", allowed.join(" or "))),
    )
    .into_response();
    if let Ok(value) = allowed.join(", ").parse() {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

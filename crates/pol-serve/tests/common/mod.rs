//! Helpers for the service's tests: a service on the built-in policies, requests through
//! the router in process, and a plain HTTP/1.1 client for tests on a real socket.

// Each test binary uses some of these helpers.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use pol_engine::{Engine, Format};
use pol_serve::{Config, Service};
use serde_json::{json, Value};
use tower::ServiceExt;

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn builtin() -> Engine {
    Engine::builtin().unwrap_or_else(|f| panic!("{} diagnostics", f.diagnostics.len()))
}

pub fn service(config: Config) -> Service {
    Service::new(builtin(), config).unwrap_or_else(|e| panic!("{e}"))
}

/// A response, read whole.
pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// Sends one request through the router, in process.
pub async fn call(
    service: &Service,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: impl Into<Body>,
) -> Answer {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(ct) = content_type {
        request = request.header("content-type", ct);
    }
    let request = request.body(body.into()).unwrap();
    let response = service.router().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let content_type =
        headers.get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    Answer { status, content_type, headers, body: String::from_utf8(bytes.to_vec()).unwrap() }
}

/// Posts a case file as written (JSON, YAML or TOML, by its content type) to `route`, which
/// must answer 200.
pub async fn post_file(service: &Service, route: &str, file: &Path) -> Answer {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let answer = call(service, "POST", route, Some(content_type(file)), text).await;
    assert_eq!(answer.status, StatusCode::OK, "{}: {}", file.display(), answer.body);
    answer
}

/// Posts a batch of JSON cases, one a line, to `/v1/decide`.
pub async fn post_lines(service: &Service, lines: impl Into<Body>) -> Answer {
    call(service, "POST", "/v1/decide", Some("application/x-ndjson"), lines).await
}

pub async fn post_json(service: &Service, path: &str, body: &str) -> Answer {
    call(service, "POST", path, Some("application/json"), body.to_string()).await
}

/// The content type a case file is posted with.
pub fn content_type(path: &Path) -> &'static str {
    match Format::of(path) {
        Some(Format::Yaml) => "application/yaml",
        Some(Format::Toml) => "application/toml",
        _ => "application/json",
    }
}

/// What `pol eval --format json FILE` prints for a one-case file: the decision record,
/// serialized, and a newline (the CLI's one-case path, through the engine).
pub fn eval_json(engine: &Engine, path: &Path) -> String {
    let read = engine.read_cases(path);
    assert_eq!(read.len(), 1, "{}", path.display());
    let case = read.into_iter().next().unwrap().result.unwrap();
    let record = engine.decide(&case).unwrap();
    serde_json::to_string(&record).unwrap() + "\n"
}

/// What `pol explain --format json [--all] FILE` prints for a one-case file: the schema
/// the explanation follows, then its own fields.
pub fn explain_json(engine: &Engine, path: &Path, all: bool) -> String {
    let case = engine.read_cases(path).remove(0).result.unwrap();
    let fields = serde_json::to_string(&engine.explain(&case, all).unwrap()).unwrap();
    format!("{{\"schema\":\"urn:pol:explanation:1\",{}\n", fields.strip_prefix('{').unwrap())
}

/// A case file as JSON text (YAML and TOML converted by the format's own serde reader).
pub fn as_json(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let value: serde_json::Value = match Format::of(path) {
        Some(Format::Yaml) => pol_engine::yaml::from_str(&text).unwrap(),
        Some(Format::Toml) => {
            let value: toml::Value = toml::from_str(&text).unwrap();
            toml_to_json(value)
        }
        _ => serde_json::from_str(&text).unwrap(),
    };
    value.to_string()
}

/// TOML dates become their text, as a JSON case writes them.
fn toml_to_json(value: toml::Value) -> serde_json::Value {
    match value {
        toml::Value::String(s) => s.into(),
        toml::Value::Integer(i) => i.into(),
        toml::Value::Float(f) => f.into(),
        toml::Value::Boolean(b) => b.into(),
        toml::Value::Datetime(d) => d.to_string().into(),
        toml::Value::Array(a) => a.into_iter().map(toml_to_json).collect(),
        toml::Value::Table(t) => t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect(),
    }
}

/// One request over a real socket (HTTP/1.1, `Connection: close`): status and body.
pub fn http(addr: SocketAddr, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    parse_response(&response)
}

/// The status and body of an HTTP/1.1 response with a Content-Length.
pub fn parse_response(response: &str) -> (u16, String) {
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {response:?}"));
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

/// A fresh directory under the system's temporary directory, removed when dropped.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// Copies the shipped policy files into `dir`.
pub fn copy_policies(dir: &Path) {
    for entry in std::fs::read_dir(root().join("policies")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "pol") {
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
    }
}

/// The service's OpenAPI document.
pub fn openapi() -> Value {
    serde_json::from_str(pol_serve::routes::OPENAPI).unwrap()
}

/// A validator for one of the OpenAPI document's schemas (`#/components/schemas/NAME`).
pub fn openapi_schema(name: &str) -> jsonschema::Validator {
    let doc = openapi();
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/components/schemas/{name}"),
        "components": doc["components"],
    });
    jsonschema::validator_for(&root).unwrap()
}

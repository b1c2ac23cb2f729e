//! Reading a request body into cases, within the limits, and the error answers a client
//! gets when it cannot be read.
//!
//! A body is one case, a JSON array of cases, or JSON lines (one case per line):
//! - `Content-Type: application/x-ndjson` (or `application/jsonl`): JSON lines;
//! - `application/yaml`, `application/toml`: one case in that format;
//! - anything else is JSON, and the body says which: `[` opens an array; two or more
//!   non-blank lines whose first is a whole object on its own line (`{...}`) are JSON
//!   lines; otherwise the body is one case (pretty-printed or not).

use axum::body::Body;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use pol_engine::{codes, CaseProblem, Format};
use serde::Serialize;
use serde_json::value::RawValue;

/// What a request body holds.
pub(crate) enum Cases<'a> {
    /// One case document.
    One(&'a str, Format),
    /// JSON lines: answered line for line.
    Lines(&'a str),
    /// A JSON array: answered element for element, as an array.
    Array(Vec<&'a RawValue>),
}

impl Cases<'_> {
    /// How many cases the body holds.
    pub fn len(&self) -> usize {
        match self {
            Cases::One(..) => 1,
            Cases::Lines(text) => text.lines().filter(|l| !l.trim().is_empty()).count(),
            Cases::Array(items) => items.len(),
        }
    }
}

/// Reads the whole body, refusing more than `limit` bytes.
pub(crate) async fn read_body(body: Body, limit: usize) -> Result<axum::body::Bytes, Rejection> {
    use http_body_util::BodyExt;
    let collected = http_body_util::Limited::new(body, limit).collect().await;
    collected.map(|c| c.to_bytes()).map_err(|e| {
        if e.is::<http_body_util::LengthLimitError>() {
            Rejection::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!("the request body is larger than {limit} bytes"),
                Some("send fewer cases per request".into()),
            )
        } else {
            Rejection::new(
                StatusCode::BAD_REQUEST,
                "body_unreadable",
                format!("the request body cannot be read: {e}"),
                None,
            )
        }
    })
}

/// The body as text: cases are UTF-8.
pub(crate) fn text(bytes: &[u8]) -> Result<&str, Rejection> {
    std::str::from_utf8(bytes).map_err(|e| {
        Rejection::new(
            StatusCode::BAD_REQUEST,
            code(codes::CASE_UNREADABLE),
            format!(
                "the request body is not UTF-8 text (invalid byte at offset {})",
                e.valid_up_to()
            ),
            Some("send cases as UTF-8 JSON".into()),
        )
    })
}

/// What the body holds, by its content type and, for JSON, its shape.
pub(crate) fn cases<'a>(headers: &HeaderMap, text: &'a str) -> Result<Cases<'a>, Rejection> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .unwrap_or_default();
    match media.as_str() {
        "application/x-ndjson"
        | "application/ndjson"
        | "application/jsonl"
        | "application/x-jsonlines"
        | "application/jsonlines" => return Ok(Cases::Lines(text)),
        "application/yaml" | "application/x-yaml" | "text/yaml" => {
            return Ok(Cases::One(text, Format::Yaml))
        }
        "application/toml" => return Ok(Cases::One(text, Format::Toml)),
        _ => {}
    }
    let body = text.trim_start_matches('\u{feff}').trim_start();
    if body.starts_with('[') {
        return serde_json::from_str::<Vec<&RawValue>>(text).map(Cases::Array).map_err(|e| {
            Rejection::new(
                StatusCode::BAD_REQUEST,
                code(codes::CASE_UNREADABLE),
                format!("the JSON array of cases is malformed: {}", strip_position(&e)),
                Some("send one case (an object), an array of cases, or JSON lines".into()),
            )
            .at(e.line(), e.column())
        });
    }
    let mut lines = body.lines().filter(|l| !l.trim().is_empty());
    let first_is_whole = lines.next().is_some_and(|l| {
        let l = l.trim();
        l.starts_with('{') && l.ends_with('}')
    });
    if first_is_whole && lines.next().is_some() {
        return Ok(Cases::Lines(text));
    }
    Ok(Cases::One(text, Format::Json))
}

/// A diagnostic code as error objects spell it (`pol::` and the code), as
/// [`CaseProblem::error_object`] does.
pub(crate) fn code(c: pol_engine::codes::Code) -> String {
    format!("pol::{c}")
}

/// serde_json appends "at line L column C"; the answer gives them as fields.
fn strip_position(e: &serde_json::Error) -> String {
    let message = e.to_string();
    match message.find(" at line ") {
        Some(i) => message.get(..i).unwrap_or(&message).to_string(),
        None => message,
    }
}

/// An answer that is not a decision: a 4xx with a JSON body saying what was wrong and how
/// to fix it.
///
/// ```json
/// {"line": 1, "column": 63, "id": "case-17",
///  "error": {"code": "pol::E0601", "field": "applicant.natinality",
///            "message": "field `applicant.natinality`: no policy declares this field",
///            "suggestion": "applicant.nationality"},
///  "help": "did you mean `applicant.nationality`?"}
/// ```
#[derive(Debug)]
pub(crate) struct Rejection {
    pub status: StatusCode,
    pub body: RejectionBody,
}

#[derive(Debug, Serialize)]
pub(crate) struct RejectionBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    error: pol_engine::ErrorObject,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<String>,
}

impl Rejection {
    /// `code` is `pol::` and a diagnostic code ([`code`]) for problems with a case, else a
    /// word naming the limit or route problem (`body_too_large`, `not_found`).
    pub fn new(
        status: StatusCode,
        code: impl Into<String>,
        message: String,
        help: Option<String>,
    ) -> Rejection {
        Rejection {
            status,
            body: RejectionBody {
                line: None,
                column: None,
                id: None,
                error: pol_engine::ErrorObject {
                    code: code.into(),
                    field: None,
                    message,
                    suggestion: None,
                },
                help,
            },
        }
    }

    fn at(mut self, line: usize, column: usize) -> Rejection {
        self.body.line = Some(line);
        self.body.column = Some(column);
        self
    }

    /// A case that could not be read or decided: 400 when the text is malformed, 422 when
    /// a field is wrong (unknown, missing, or of the wrong type), as `pol eval` reports it.
    pub fn case(problem: &CaseProblem, id: Option<String>) -> Rejection {
        let status = if problem.code == codes::CASE_UNREADABLE {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        Rejection {
            status,
            body: RejectionBody {
                line: problem.line,
                column: problem.column,
                id,
                error: problem.error_object(),
                help: problem.help.clone(),
            },
        }
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let mut body = serde_json::to_string(&self.body).unwrap_or_else(|_| "{}".into());
        body.push('\n');
        (self.status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
    }
}

//! `POST /v1/decide` and `POST /v1/explain`: cases in, decisions out.
//!
//! One case is answered with its decision object, byte for byte what `pol eval --format
//! json` prints for it (the [`JsonWriter`](pol_compiler::JsonWriter) is tested to print what
//! the record serializes to). A batch is answered case for case, in order, an error object
//! standing in the place of a case that cannot be decided (the contract's "errors in
//! place"): `{"line": 3, "id": "case-17", "error": {...}}` for JSON lines (1-based, blank
//! lines counted as `pol eval` counts them), `{"index": 2, ...}` for an array (0-based).

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use pol_compiler::{Compiled, Outcome, Scratch};
use pol_engine::cases::{self, id_in, id_of, ErrorInPlace};
use pol_engine::{Case, CaseProblem, Format};
use serde::Serialize;

use crate::metrics::Tally;
use crate::policies::Snapshot;
use crate::request::{Cases, Rejection};
use crate::Shared;

/// The name problems give the request body (`pol eval` gives the file's).
const ORIGIN: &str = "<request>";

/// Answers a decide request whose body is `cases`.
pub(crate) fn decide(shared: &Shared, snapshot: &Snapshot, cases: Cases<'_>) -> Response {
    let mut tally = Tally::default();
    let response = match cases {
        Cases::One(text, format) => match decide_one(shared, snapshot, text, format, &mut tally) {
            Ok(mut decision) => {
                decision.push(b'\n');
                json(decision, "application/json")
            }
            Err(rejection) => rejection.into_response(),
        },
        Cases::Lines(text) => {
            let out = decide_lines(shared, snapshot, text, &mut tally);
            json(out, "application/x-ndjson")
        }
        Cases::Array(items) => {
            let out = decide_array(shared, snapshot, &items, &mut tally);
            json(out, "application/json")
        }
    };
    shared.metrics.decided(&tally);
    response
}

/// Answers an explain request: `pol explain --format json`'s object for one case; with
/// `all`, the rules that did not decide it too.
pub(crate) fn explain(
    shared: &Shared,
    snapshot: &Snapshot,
    cases: Cases<'_>,
    all: bool,
) -> Response {
    let Cases::One(text, format) = cases else {
        return Rejection::new(
            StatusCode::BAD_REQUEST,
            crate::request::code(pol_engine::codes::CASE_UNREADABLE),
            "explain takes one case; decide batches with POST /v1/decide".into(),
            Some("send one case (a JSON object)".into()),
        )
        .into_response();
    };
    let engine = &snapshot.engine;
    let explained = decode(snapshot, text, format).and_then(|case| {
        engine
            .compiled()
            .explain(&case, all)
            .map(|ex| (case, ex))
            .map_err(|e| CaseProblem::undecidable(ORIGIN, e))
    });
    match explained {
        Ok((case, explanation)) => {
            let mut tally = Tally::default();
            tally.add(explanation.decision.decision);
            shared.metrics.decided(&tally);
            if let Some(log) = &shared.log {
                let decision = serde_json::to_vec(&explanation.decision).unwrap_or_default();
                log.record(&engine.compiled().set, &case, &decision);
            }
            let versioned = Versioned { schema: EXPLANATION_SCHEMA, explanation: &explanation };
            match serde_json::to_vec(&versioned) {
                Ok(mut body) => {
                    body.push(b'\n');
                    json(body, "application/json")
                }
                // Serializing plain data cannot fail; if it ever did, it is our bug.
                Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
            }
        }
        Err(problem) => Rejection::case(&problem, id_in(text, format)).into_response(),
    }
}

/// The `$id` of `schemas/explanation.schema.json`, which every explanation names first, as
/// `pol explain --format json` prints it (a test of the CLI holds the two to the same
/// bytes).
const EXPLANATION_SCHEMA: &str = "urn:pol:explanation:1";

/// An explanation as it is sent: the schema it follows, then its fields.
#[derive(Serialize)]
struct Versioned<'a> {
    schema: &'static str,
    #[serde(flatten)]
    explanation: &'a pol_engine::Explanation,
}

fn json(body: Vec<u8>, content_type: &'static str) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

fn decode(snapshot: &Snapshot, text: &str, format: Format) -> Result<Case, CaseProblem> {
    snapshot.engine.decode_named(ORIGIN, text, format)
}

/// Decides one case document: its decision object (no newline), or why it has none.
fn decide_one(
    shared: &Shared,
    snapshot: &Snapshot,
    text: &str,
    format: Format,
    tally: &mut Tally,
) -> Result<Vec<u8>, Rejection> {
    let case =
        decode(snapshot, text, format).map_err(|p| Rejection::case(&p, id_in(text, format)))?;
    let mut decider = Decider::new(snapshot);
    let mut out = Vec::with_capacity(1024);
    decider.decide(&case, &mut out, tally).map_err(|p| Rejection::case(&p, case.id.clone()))?;
    if let Some(log) = &shared.log {
        log.record(&snapshot.engine.compiled().set, &case, &out);
    }
    Ok(out)
}

/// Decides cases one after another, reusing its buffers.
struct Decider<'s> {
    snapshot: &'s Snapshot,
    scratch: Scratch,
    outcome: Outcome,
}

impl<'s> Decider<'s> {
    fn new(snapshot: &'s Snapshot) -> Decider<'s> {
        Decider { snapshot, scratch: Scratch::default(), outcome: Outcome::default() }
    }

    /// Appends the decision object of `case` to `out` (no newline).
    fn decide(
        &mut self,
        case: &Case,
        out: &mut Vec<u8>,
        tally: &mut Tally,
    ) -> Result<(), CaseProblem> {
        let compiled = self.snapshot.engine.compiled();
        compiled
            .decide_into(case, &mut self.scratch, &mut self.outcome)
            .map_err(|e| CaseProblem::undecidable(ORIGIN, e))?;
        if !self.snapshot.writer.write(case, &self.outcome, out) {
            // Only a case without a policy has no decision object, and decoding refuses
            // those; a case of another set cannot reach here either.
            debug_assert!(false, "a decided case has no decision object");
            return Err(CaseProblem::plain(
                ORIGIN,
                "the case has no policy to decide".into(),
                None,
            ));
        }
        tally.add(self.outcome.decision);
        Ok(())
    }
}

/// The contract's error in place for an element of an array: `{"index": 2, "id":
/// "case-17", "error": {...}}` (an array has no lines; JSON lines use the engine's
/// [`ErrorInPlace`], with `line`).
#[derive(Serialize)]
struct ErrorAtIndex {
    index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    error: pol_engine::ErrorObject,
}

fn write_json(value: &impl Serialize, out: &mut Vec<u8>) {
    // Plain data serializes; the error case cannot happen, and would leave `null`.
    if serde_json::to_writer(&mut *out, value).is_err() {
        out.extend_from_slice(b"null");
    }
}

/// Decides JSON lines: one line out per non-blank line in.
fn decide_lines(shared: &Shared, snapshot: &Snapshot, text: &str, tally: &mut Tally) -> Vec<u8> {
    let mut batch = Batch::new(shared, snapshot, text.len() * 2);
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let number = i + 1;
        batch.answer(
            |compiled, case| cases::decode_line(compiled, ORIGIN, line, number, case),
            tally,
            |error| ErrorInPlace { file: None, line: Some(number), id: id_of(line), error },
        );
        batch.out.push(b'\n');
    }
    batch.finish()
}

/// Decides a JSON array: an array out, element for element.
fn decide_array(
    shared: &Shared,
    snapshot: &Snapshot,
    items: &[&serde_json::value::RawValue],
    tally: &mut Tally,
) -> Vec<u8> {
    let mut batch = Batch::new(shared, snapshot, items.len() * 1024);
    batch.out.push(b'[');
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            batch.out.push(b',');
        }
        let text = item.get();
        batch.answer(
            |compiled, case| cases::decode(compiled, ORIGIN, text, Format::Json, case),
            tally,
            |error| ErrorAtIndex { index, id: id_of(text), error },
        );
    }
    batch.out.extend_from_slice(b"]\n");
    batch.finish()
}

/// A batch being answered: one decider and one case buffer reused for every case, the
/// answer so far, and the decision-log lines to record at the end.
struct Batch<'s> {
    shared: &'s Shared,
    compiled: &'s Compiled,
    decider: Decider<'s>,
    case: Case,
    out: Vec<u8>,
    log: String,
}

impl<'s> Batch<'s> {
    fn new(shared: &'s Shared, snapshot: &'s Snapshot, capacity: usize) -> Batch<'s> {
        let compiled = snapshot.engine.compiled();
        Batch {
            shared,
            compiled,
            decider: Decider::new(snapshot),
            case: Case::new(&compiled.set),
            out: Vec::with_capacity(capacity),
            log: String::new(),
        }
    }

    /// Decodes one case with `decode` and appends its decision; when it cannot be decoded
    /// or decided, appends in its place the error object `in_place` makes of the problem.
    fn answer<E: Serialize>(
        &mut self,
        decode: impl FnOnce(&Compiled, &mut Case) -> Result<(), CaseProblem>,
        tally: &mut Tally,
        in_place: impl FnOnce(pol_engine::ErrorObject) -> E,
    ) {
        let start = self.out.len();
        let decided = decode(self.compiled, &mut self.case)
            .and_then(|()| self.decider.decide(&self.case, &mut self.out, tally));
        match decided {
            Ok(()) => {
                if let (Some(l), Some(decision)) = (&self.shared.log, self.out.get(start..)) {
                    l.line_into(&self.compiled.set, &self.case, decision, &mut self.log);
                }
            }
            Err(problem) => {
                self.out.truncate(start);
                write_json(&in_place(problem.error_object()), &mut self.out);
            }
        }
    }

    /// The answer, once the decision-log lines are recorded.
    fn finish(self) -> Vec<u8> {
        if let Some(l) = &self.shared.log {
            l.record_lines(self.log);
        }
        self.out
    }
}

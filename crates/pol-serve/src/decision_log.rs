//! The decision log (`--decision-log FILE|-`): one JSON line per decision, appended,
//!
//! ```json
//! {"at":"2025-06-10T14:03:07.120Z","case":{"as_of":"2025-06-10","policy":"advance_parole","applicant":{"nationality":"[redacted]"}},"decision":{...,"receipt":{...}}}
//! ```
//!
//! `case` is the case as decided: the facts it gives, in the engine's words (whatever format
//! it came in), with every `--redact` path replaced by [`REDACTED`]; `decision` is the
//! decision object the client received, receipt included, so the decision can be
//! reproduced and tied to the rules in force.
//!
//! Lines are written by one thread, in the order they were logged, and flushed whenever
//! the queue runs empty. The queue is bounded: when the disk falls far behind, requests
//! wait for it rather than lose their lines or let memory grow.

use std::io::Write;
use std::sync::mpsc::{self, Receiver, SyncSender};

use pol_compiler::ir::PolicySet;
use pol_compiler::types::Type;
use pol_compiler::value::Value as Fact;
use pol_engine::{Case, Compiled};
use serde_json::{Map, Value};

use crate::{LogTarget, ServeError};

/// What a redacted value is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Lines waiting to be written before requests wait for the disk.
const QUEUE: usize = 65_536;

/// The paths whose values the log hides.
#[derive(Clone, Debug, Default)]
pub(crate) struct Redaction {
    paths: Vec<String>,
}

impl Redaction {
    /// Checks each path against the policy set: a fact, a group of facts (`applicant`), or
    /// `id`. A misspelt path is an error, never a silent leak.
    pub fn new(paths: &[String], c: &Compiled) -> Result<Redaction, ServeError> {
        let facts: Vec<&str> = c.set.facts.iter().map(|f| f.path.as_str()).collect();
        for path in paths {
            let known = path == "id"
                || facts
                    .iter()
                    .any(|f| *f == path || under(f, path) && !path.is_empty());
            if !known {
                let candidates = facts.iter().copied().chain(["id"]);
                return Err(ServeError::Redact {
                    path: path.clone(),
                    suggestion: pol_compiler::did_you_mean(path, candidates).map(String::from),
                });
            }
        }
        Ok(Redaction {
            paths: paths.to_vec(),
        })
    }

    fn hides(&self, path: &str) -> bool {
        self.paths.iter().any(|p| p == path || under(path, p))
    }
}

/// Whether `path` lies in the group `group` (`applicant.age` in `applicant`).
fn under(path: &str, group: &str) -> bool {
    path.strip_prefix(group)
        .is_some_and(|rest| rest.starts_with('.'))
}

enum Message {
    Line(String),
    /// Answer once every line sent before is written and flushed.
    Flush(SyncSender<()>),
}

pub(crate) struct DecisionLog {
    queue: SyncSender<Message>,
    redaction: Redaction,
}

impl DecisionLog {
    /// Opens the log (a file is created if absent and only ever appended to) and starts its
    /// writer thread.
    pub fn open(target: &LogTarget, redaction: Redaction) -> Result<DecisionLog, ServeError> {
        let out: Box<dyn Write + Send> = match target {
            LogTarget::Stdout => Box::new(std::io::stdout()),
            LogTarget::File(path) => Box::new(
                std::fs::OpenOptions::new()
                    .append(true)
                    .create(true)
                    .open(path)
                    .map_err(|error| ServeError::DecisionLog {
                        path: path.clone(),
                        error,
                    })?,
            ),
        };
        let (queue, lines) = mpsc::sync_channel(QUEUE);
        // The thread ends when the log is dropped (its queue closes).
        std::thread::Builder::new()
            .name("pol-decision-log".into())
            .spawn(move || write_lines(lines, std::io::BufWriter::new(out)))
            .map_err(ServeError::Io)?;
        Ok(DecisionLog { queue, redaction })
    }

    /// Logs one decision: `decision` is the decision object as sent (JSON, no newline).
    pub fn record(&self, set: &PolicySet, case: &Case, decision: &[u8]) {
        let mut line = String::with_capacity(256 + decision.len());
        self.line_into(set, case, decision, &mut line);
        let _ = self.queue.send(Message::Line(line));
    }

    /// Logs many decisions at once (one batch request): fewer hand-overs to the writer.
    pub fn record_lines(&self, lines: String) {
        if !lines.is_empty() {
            let _ = self.queue.send(Message::Line(lines));
        }
    }

    /// Appends the log line for one decision (with its newline) to `out`.
    pub fn line_into(&self, set: &PolicySet, case: &Case, decision: &[u8], out: &mut String) {
        let at = timestamp(std::time::SystemTime::now());
        let case_json = self.case_json(set, case);
        let decision = String::from_utf8_lossy(decision);
        let decision = if self.redaction.hides("id") && case.id.is_some() {
            match serde_json::from_str::<Value>(&decision) {
                Ok(mut d) => {
                    if let Some(id) = d.get_mut("id") {
                        *id = Value::from(REDACTED);
                    }
                    d.to_string()
                }
                Err(_) => decision.into_owned(),
            }
        } else {
            decision.into_owned()
        };
        out.push_str("{\"at\":\"");
        out.push_str(&at);
        out.push_str("\",\"case\":");
        out.push_str(&case_json.to_string());
        out.push_str(",\"decision\":");
        out.push_str(decision.trim_end());
        out.push_str("}\n");
    }

    /// Waits until every line logged so far is written and flushed.
    pub fn close(&self) {
        let (done, wait) = mpsc::sync_channel(1);
        if self.queue.send(Message::Flush(done)).is_ok() {
            let _ = wait.recv();
        }
    }

    /// The case as the engine read it, redacted.
    fn case_json(&self, set: &PolicySet, case: &Case) -> Value {
        let mut root = Map::new();
        if let Some(id) = &case.id {
            root.insert("id".into(), self.shown("id", Value::from(id.as_str())));
        }
        if let Some(day) = case.as_of {
            root.insert("as_of".into(), Value::from(day.to_string()));
        }
        if let Some(policy) = case.policy.and_then(|p| set.policies.get(p)) {
            root.insert("policy".into(), Value::from(policy.name.as_str()));
        }
        for (def, value) in set.facts.iter().zip(&case.facts) {
            let Some(value) = value else { continue };
            let json = self.shown(&def.path, fact_json(set, case, def.ty, *value));
            insert(&mut root, &def.path, json);
        }
        Value::Object(root)
    }

    fn shown(&self, path: &str, value: Value) -> Value {
        if self.redaction.hides(path) {
            Value::from(REDACTED)
        } else {
            value
        }
    }
}

/// `2025-06-10T14:03:07.120Z`: RFC 3339 in UTC, to the millisecond.
fn timestamp(now: std::time::SystemTime) -> String {
    let since = now
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = since.as_secs();
    // The calendar date by the engine's own day arithmetic.
    let day = pol_compiler::value::Day(i32::try_from(seconds / 86_400).unwrap_or(i32::MAX));
    let s = seconds % 86_400;
    format!(
        "{day}T{:02}:{:02}:{:02}.{:03}Z",
        s / 3600,
        s / 60 % 60,
        s % 60,
        since.subsec_millis()
    )
}

/// A fact's value as a case gives it.
fn fact_json(set: &PolicySet, case: &Case, ty: Type, value: Fact) -> Value {
    match (ty, value) {
        (_, Fact::Bool(b)) => Value::from(b),
        (_, Fact::Int(i)) | (_, Fact::Duration(i, _)) => Value::from(i),
        (_, Fact::Date(d)) => Value::from(d.to_string()),
        (_, Fact::Str(s)) => Value::from(case.string(set, s).unwrap_or_default()),
        (Type::Enum(e), Fact::Word(w)) => Value::from(set.word(e, w)),
        (Type::Set(e), Fact::Words(bits)) => Value::Array(
            (0..64u16)
                .filter(|i| bits & (1u64 << i) != 0)
                .map(|i| Value::from(set.word(e, i)))
                .collect(),
        ),
        // A word of no enum cannot be decoded; shown as the number it is.
        (_, Fact::Word(w)) => Value::from(w),
        (_, Fact::Words(bits)) => Value::from(bits),
    }
}

/// Puts `value` at the dotted `path` of `root`, creating groups on the way.
fn insert(root: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            root.insert(path.to_string(), value);
        }
        Some((group, rest)) => {
            let entry = root
                .entry(group.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(map) = entry {
                insert(map, rest, value);
            }
        }
    }
}

/// The writer thread: writes lines in order, flushing whenever the queue runs empty.
fn write_lines(lines: Receiver<Message>, mut out: impl Write) {
    let mut failed = false;
    let report = |e: std::io::Error, failed: &mut bool| {
        if !*failed {
            crate::log(&format!("cannot write the decision log: {e}"));
        }
        *failed = true;
    };
    while let Ok(message) = lines.recv() {
        let mut pending = Some(message);
        while let Some(message) = pending.take() {
            match message {
                Message::Line(line) => match out.write_all(line.as_bytes()) {
                    Ok(()) => failed = false,
                    Err(e) => report(e, &mut failed),
                },
                Message::Flush(done) => {
                    if let Err(e) = out.flush() {
                        report(e, &mut failed);
                    }
                    let _ = done.send(());
                }
            }
            pending = lines.try_recv().ok();
        }
        if let Err(e) = out.flush() {
            report(e, &mut failed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc_3339_utc() {
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(1_749_564_187_120);
        assert_eq!(timestamp(at), "2025-06-10T14:03:07.120Z");
        assert_eq!(timestamp(std::time::UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn groups_hide_their_facts_only() {
        let r = Redaction {
            paths: vec!["trip".into(), "id".into()],
        };
        assert!(r.hides("trip.depart") && r.hides("trip") && r.hides("id"));
        assert!(!r.hides("tripwire") && !r.hides("applicant.id"));
    }
}

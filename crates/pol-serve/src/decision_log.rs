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
//!
//! A write that fails (a full disk, a file system gone read-only) loses nothing: the bytes
//! not written are kept and tried again, with a growing pause, until they are written.
//! Meanwhile the log is *failing* ([`DecisionLog::failure`]): the service then gives no
//! decision, since it could not log it (fail closed), and `/readyz` answers 503.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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

/// Bytes the writer takes from the queue before writing them: one write carries many lines,
/// and what a failing disk leaves unwritten stays bounded.
const BATCH_BYTES: usize = 1024 * 1024;

/// The pause before writing again after a failed write, doubled after each failure up to
/// [`RETRY_MAX`].
const RETRY_MIN: Duration = Duration::from_millis(50);
const RETRY_MAX: Duration = Duration::from_secs(2);

/// How long [`DecisionLog::close`] waits for the lines logged so far to be written.
const CLOSE_WAIT: Duration = Duration::from_secs(10);

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
                || facts.iter().any(|f| *f == path || under(f, path) && !path.is_empty());
            if !known {
                let candidates = facts.iter().copied().chain(["id"]);
                return Err(ServeError::Redact {
                    path: path.clone(),
                    suggestion: pol_compiler::did_you_mean(path, candidates).map(String::from),
                });
            }
        }
        Ok(Redaction { paths: paths.to_vec() })
    }

    fn hides(&self, path: &str) -> bool {
        self.paths.iter().any(|p| p == path || under(path, p))
    }
}

/// Whether `path` lies in the group `group` (`applicant.age` in `applicant`).
fn under(path: &str, group: &str) -> bool {
    path.strip_prefix(group).is_some_and(|rest| rest.starts_with('.'))
}

enum Message {
    Line(String),
    /// Answer once every line sent before is written and flushed.
    Flush(SyncSender<()>),
}

pub(crate) struct DecisionLog {
    queue: SyncSender<Message>,
    redaction: Redaction,
    health: Arc<Health>,
}

/// What the writer thread tells the service about the log.
#[derive(Debug, Default)]
struct Health {
    /// Whether the last write failed (read on every request, so kept apart from `why`).
    failing: AtomicBool,
    /// Why it failed, in words.
    why: Mutex<String>,
    /// Lines logged and not yet written.
    unwritten: AtomicU64,
}

impl Health {
    fn failed(&self, error: &std::io::Error) {
        if !self.failing.swap(true, Ordering::AcqRel) {
            crate::log(&format!(
                "cannot write the decision log: {error}; no decision is given until it can be \
                 written (the lines not written are kept and tried again)"
            ));
        }
        if let Ok(mut why) = self.why.lock() {
            *why = error.to_string();
        }
    }

    fn written(&self, lines: u64) {
        self.unwritten.fetch_sub(lines, Ordering::AcqRel);
    }

    fn recovered(&self) {
        if self.failing.swap(false, Ordering::AcqRel) {
            crate::log("the decision log is written again; deciding again");
        }
    }
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
                    .map_err(|error| ServeError::DecisionLog { path: path.clone(), error })?,
            ),
        };
        let (queue, lines) = mpsc::sync_channel(QUEUE);
        let health = Arc::new(Health::default());
        let writer = Arc::clone(&health);
        // The thread ends when the log is dropped (its queue closes).
        std::thread::Builder::new()
            .name("pol-decision-log".into())
            .spawn(move || write_lines(&lines, out, &writer))
            .map_err(ServeError::Io)?;
        Ok(DecisionLog { queue, redaction, health })
    }

    /// Why the log cannot be written now, when it cannot: no decision should then be given.
    pub fn failure(&self) -> Option<String> {
        if !self.health.failing.load(Ordering::Acquire) {
            return None;
        }
        Some(
            self.health.why.lock().map_or_else(|_| "a write failed".to_string(), |why| why.clone()),
        )
    }

    /// Logs one decision: `decision` is the decision object as sent (JSON, no newline).
    pub fn record(&self, set: &PolicySet, case: &Case, decision: &[u8]) {
        let mut line = String::with_capacity(256 + decision.len());
        self.line_into(set, case, decision, &mut line);
        self.send(line, 1);
    }

    /// Logs many decisions at once (one batch request): fewer hand-overs to the writer.
    pub fn record_lines(&self, lines: String) {
        if !lines.is_empty() {
            let count = lines.bytes().filter(|b| *b == b'\n').count() as u64;
            self.send(lines, count);
        }
    }

    /// Hands `count` lines to the writer.
    fn send(&self, lines: String, count: u64) {
        self.health.unwritten.fetch_add(count, Ordering::AcqRel);
        if self.queue.send(Message::Line(lines)).is_err() {
            // Only a writer thread that died drops the queue's other end.
            crate::log(&format!("the decision log lost {count} line(s): its writer stopped"));
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

    /// Waits until every line logged so far is written and flushed, or says how many are
    /// not when the disk still refuses them after [`CLOSE_WAIT`].
    pub fn close(&self) {
        let (done, wait) = mpsc::sync_channel(1);
        let flushed =
            self.queue.send(Message::Flush(done)).is_ok() && wait.recv_timeout(CLOSE_WAIT).is_ok();
        let unwritten = self.health.unwritten.load(Ordering::Acquire);
        if !flushed && unwritten > 0 {
            crate::log(&format!(
                "the decision log could not be written: the last {unwritten} decision(s) are not in it"
            ));
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
    let since = now.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let seconds = since.as_secs();
    // The calendar date by the engine's own day arithmetic.
    let day = pol_compiler::value::Day::from_unix_seconds(seconds);
    let s = seconds % 86_400;
    format!("{day}T{:02}:{:02}:{:02}.{:03}Z", s / 3600, s / 60 % 60, s % 60, since.subsec_millis())
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
            let entry = root.entry(group.to_string()).or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(map) = entry {
                insert(map, rest, value);
            }
        }
    }
}

/// The writer thread: writes lines in order, flushing whenever the queue runs empty. Bytes
/// a failed write leaves are kept and written first, after a pause; flush requests are
/// answered once everything before them is written.
fn write_lines(lines: &Receiver<Message>, mut out: impl Write, health: &Health) {
    let mut unwritten: Vec<u8> = Vec::new();
    let mut flushes: Vec<SyncSender<()>> = Vec::new();
    let mut open = true;
    let mut pause = RETRY_MIN;
    while open || !unwritten.is_empty() {
        // With everything written, wait for lines; with some left, only until the next try.
        let first = if unwritten.is_empty() {
            lines.recv().map_err(|_| RecvTimeoutError::Disconnected)
        } else {
            lines.recv_timeout(pause)
        };
        match first {
            Ok(message) => take(message, &mut unwritten, &mut flushes),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => open = false,
        }
        while open && unwritten.len() < BATCH_BYTES {
            match lines.try_recv() {
                Ok(message) => take(message, &mut unwritten, &mut flushes),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => open = false,
            }
        }
        match write_some(&mut out, &mut unwritten, health) {
            Ok(()) => {
                pause = RETRY_MIN;
                for done in flushes.drain(..) {
                    let _ = done.send(());
                }
            }
            Err(e) => {
                health.failed(&e);
                if !open {
                    // Dropped while the disk refuses: nobody is left to wait for it.
                    return;
                }
                pause = (pause * 2).min(RETRY_MAX);
            }
        }
    }
}

fn take(message: Message, unwritten: &mut Vec<u8>, flushes: &mut Vec<SyncSender<()>>) {
    match message {
        Message::Line(line) => unwritten.extend_from_slice(line.as_bytes()),
        Message::Flush(done) => flushes.push(done),
    }
}

/// Writes `unwritten` and flushes, removing what was written; on a failure what is left
/// is exactly what was not written.
fn write_some(
    out: &mut impl Write,
    unwritten: &mut Vec<u8>,
    health: &Health,
) -> std::io::Result<()> {
    let mut done = 0;
    let result = loop {
        match unwritten.get(done..) {
            Some(rest) if !rest.is_empty() => match out.write(rest) {
                Ok(0) => break Err(std::io::ErrorKind::WriteZero.into()),
                Ok(n) => done += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            },
            _ => break out.flush(),
        }
    };
    let written = unwritten.drain(..done.min(unwritten.len()));
    let lines = written.as_slice().iter().filter(|b| **b == b'\n').count() as u64;
    drop(written);
    health.written(lines);
    if result.is_ok() {
        health.recovered();
    }
    result
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    /// A disk that refuses writes while `refuse` is set, after taking the first five bytes
    /// of the first refused write.
    struct Disk {
        bytes: Arc<Mutex<Vec<u8>>>,
        refuse: Arc<AtomicBool>,
        partial: bool,
    }

    impl Write for Disk {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let mut bytes = self.bytes.lock().unwrap();
            if self.refuse.load(Ordering::Acquire) {
                if !self.partial {
                    self.partial = true;
                    let n = buf.len().min(5);
                    bytes.extend_from_slice(&buf[..n]);
                    return Ok(n);
                }
                return Err(std::io::Error::other("no space left on device"));
            }
            bytes.extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Waits (a bounded while) until `done` holds.
    fn eventually(done: impl Fn() -> bool) -> bool {
        (0..500).any(|_| {
            std::thread::sleep(Duration::from_millis(10));
            done()
        })
    }

    /// Lines a full disk refuses are kept, written once the disk takes them again, in order
    /// and each exactly once; the log says it is failing meanwhile.
    #[test]
    fn a_refused_write_loses_no_line() {
        let bytes = Arc::new(Mutex::new(Vec::new()));
        let refuse = Arc::new(AtomicBool::new(true));
        let disk = Disk { bytes: Arc::clone(&bytes), refuse: Arc::clone(&refuse), partial: false };
        let health = Arc::new(Health::default());
        let (queue, lines) = mpsc::sync_channel(QUEUE);
        let writer = Arc::clone(&health);
        let thread = std::thread::spawn(move || write_lines(&lines, disk, &writer));
        let sent = ["{\"a\":1}\n", "{\"b\":2}\n", "{\"c\":3}\n"];
        for line in sent {
            health.unwritten.fetch_add(1, Ordering::AcqRel);
            queue.send(Message::Line(line.to_string())).unwrap();
        }
        assert!(eventually(|| health.failing.load(Ordering::Acquire)));
        assert_eq!(bytes.lock().unwrap().len(), 5, "only what the disk took");

        refuse.store(false, Ordering::Release);
        let (done, wait) = mpsc::sync_channel(1);
        queue.send(Message::Flush(done)).unwrap();
        wait.recv_timeout(CLOSE_WAIT).unwrap();
        assert_eq!(String::from_utf8(bytes.lock().unwrap().clone()).unwrap(), sent.concat());
        assert!(!health.failing.load(Ordering::Acquire));
        assert_eq!(health.unwritten.load(Ordering::Acquire), 0);
        drop(queue);
        thread.join().unwrap();
    }

    #[test]
    fn timestamps_are_rfc_3339_utc() {
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(1_749_564_187_120);
        assert_eq!(timestamp(at), "2025-06-10T14:03:07.120Z");
        assert_eq!(timestamp(std::time::UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn groups_hide_their_facts_only() {
        let r = Redaction { paths: vec!["trip".into(), "id".into()] };
        assert!(r.hides("trip.depart") && r.hides("trip") && r.hides("id"));
        assert!(!r.hides("tripwire") && !r.hides("applicant.id"));
    }
}

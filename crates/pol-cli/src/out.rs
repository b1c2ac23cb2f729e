//! Everything `pol` writes on standard output goes through here, as everything it writes on
//! standard error goes through [`crate::emit`]. A write that fails is never a panic (the
//! `print!` family panics) and never silent: the first failure on either stream is
//! remembered, the command stops producing output, and [`settle`] turns it into the exit
//! status (docs/cli.md, "Exit status"):
//!
//! - a reader that went away (`pol test | head -1`: a closed pipe) ends the run quietly with
//!   status 141, the status a shell reports for a Unix filter stopped by `SIGPIPE` (`cat`,
//!   `grep`, `git log`), so `set -o pipefail` treats `pol` as it treats them. It is not 0:
//!   the run did not finish (cases were not decided, tests not run), and a pipeline must not
//!   read an unfinished run as a success. `pol` cannot die of the signal itself (the Rust
//!   runtime ignores `SIGPIPE` and the workspace forbids unsafe code), so it exits with the
//!   status instead;
//! - any other failure (a full disk, `/dev/full`, an I/O error) is one line on standard
//!   error, `error: cannot write to standard output: ...`, and status 2: the output is
//!   incomplete, and the input is not to blame. When standard error is what failed, the
//!   status says it alone.

use std::io::{ErrorKind, Write};
use std::sync::Mutex;

use crate::{emit, Exit};

/// A standard stream `pol` writes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    fn name(self) -> &'static str {
        match self {
            Stream::Stdout => "standard output",
            Stream::Stderr => "standard error",
        }
    }
}

/// The first write that failed: on which stream, and why.
#[derive(Debug)]
struct Failure {
    stream: Stream,
    kind: ErrorKind,
    message: String,
}

static FAILURE: Mutex<Option<Failure>> = Mutex::new(None);

/// Output stopped: a write failed (now or before). The command should stop producing
/// output and return; [`settle`] decides the status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stopped;

/// Remembers a failed write (only the first counts: later ones follow from it).
pub fn record(stream: Stream, e: &std::io::Error) {
    if let Ok(mut failure) = FAILURE.lock() {
        if failure.is_none() {
            *failure = Some(Failure { stream, kind: e.kind(), message: e.to_string() });
        }
    }
}

/// Whether a write has failed on either stream.
pub fn stopped() -> bool {
    FAILURE.lock().map_or(true, |f| f.is_some())
}

/// Whether the first failed write was on `stream`.
pub fn failed_on(stream: Stream) -> bool {
    FAILURE.lock().map_or(true, |f| f.as_ref().is_some_and(|f| f.stream == stream))
}

/// Writes `bytes` to standard output.
pub fn bytes(bytes: &[u8]) -> Result<(), Stopped> {
    if stopped() {
        return Err(Stopped);
    }
    let mut out = std::io::stdout().lock();
    out.write_all(bytes).map_err(|e| {
        record(Stream::Stdout, &e);
        Stopped
    })
}

/// Writes `text` to standard output.
pub fn text(text: &str) -> Result<(), Stopped> {
    bytes(text.as_bytes())
}

/// Writes `value` as one line of JSON to standard output.
pub fn json_line(value: &impl serde::Serialize) -> Result<(), Stopped> {
    match serde_json::to_string(value) {
        Ok(line) => text(&(line + "\n")),
        // Our output types are strings, numbers and lists: they always serialize.
        Err(e) => {
            emit::error(&format!("cannot write the output as JSON: {e}"), None);
            Err(Stopped)
        }
    }
}

/// Flushes standard output (it is line-buffered: a last line without a line end, or a
/// write to a full disk, surfaces only here).
pub fn flush() -> Result<(), Stopped> {
    if stopped() {
        return Err(Stopped);
    }
    std::io::stdout().lock().flush().map_err(|e| {
        record(Stream::Stdout, &e);
        Stopped
    })
}

/// The exit status of a run that ended with `exit`, given what became of its output: a
/// closed pipe is [`Exit::Closed`]; any other failed write is reported (on standard error,
/// unless that is what failed) and is at least [`Exit::Misuse`].
pub fn settle(exit: Exit) -> Exit {
    let _ = flush();
    let failure = FAILURE.lock().ok().and_then(|mut f| f.take());
    let Some(failure) = failure else {
        return exit;
    };
    if failure.kind == ErrorKind::BrokenPipe {
        return Exit::Closed;
    }
    if failure.stream == Stream::Stdout {
        emit::error(
            &format!("cannot write to {}: {}", failure.stream.name(), failure.message),
            Some("the output is incomplete; free space or choose another place for it"),
        );
    }
    exit.max(Exit::Misuse)
}

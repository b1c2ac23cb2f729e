//! JSON-RPC over a byte stream (`Content-Length` framing), for standard input and output.
//!
//! lsp-server's own stdio transport stops reading at the first malformed message, which
//! would end the server. This one answers instead, as JSON-RPC asks: text that is not
//! JSON gets a parse error (id `null`); JSON that is not a request, response or
//! notification gets an invalid-request error when it has an id (a notification without
//! one cannot be answered and is dropped with a line on standard error); a header without
//! a length is skipped. Only the end of the input or the `exit` notification ends reading.

use std::io::{self, BufRead, Read, Write};
use std::thread;

use crossbeam_channel::{unbounded, Receiver, Sender};
use lsp_server::{Connection, Message};
use serde_json::{json, Value};

/// The largest message body read; a longer one is skipped and answered with an error, so
/// that a bad length cannot make the server allocate without bound.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// The longest header line read at once.
const MAX_HEADER_BYTES: u64 = 4096;

/// What the writer thread writes: a message from the server, or an error reply built here
/// for input no message could be made of.
enum Outgoing {
    Message(Message),
    Raw(Value),
    /// The server has finished: write nothing more, even if the reader (blocked on input
    /// that may never come) could still queue a reply.
    End,
}

/// A connection over `input` and `output`, with the threads that read and write them.
pub fn connect<R, W>(input: R, output: W) -> (Connection, Threads)
where
    R: BufRead + Send + 'static,
    W: Write + Send + 'static,
{
    let (to_server, from_reader) = unbounded::<Message>();
    let (to_writer, writer_queue) = unbounded::<Outgoing>();
    let (from_server, server_out) = unbounded::<Message>();
    let raw = to_writer.clone();
    let reader = thread::spawn(move || read_loop(input, &to_server, &raw));
    // The server's messages and the reader's raw replies go out through one writer.
    let forward = thread::spawn(move || {
        for m in server_out {
            if to_writer.send(Outgoing::Message(m)).is_err() {
                return;
            }
        }
        let _ = to_writer.send(Outgoing::End);
    });
    let writer = thread::spawn(move || write_loop(output, &writer_queue));
    (
        Connection { sender: from_server, receiver: from_reader },
        Threads { _reader: reader, forward, writer },
    )
}

/// The transport's threads. The reader is not waited for: it may be blocked reading
/// input that never comes.
pub struct Threads {
    _reader: thread::JoinHandle<()>,
    forward: thread::JoinHandle<()>,
    writer: thread::JoinHandle<()>,
}

impl Threads {
    /// Waits until everything the server sent has been written. Call after dropping the
    /// connection.
    pub fn finish(self) {
        let _ = self.forward.join();
        let _ = self.writer.join();
    }
}

fn write_loop<W: Write>(mut output: W, queue: &Receiver<Outgoing>) {
    for out in queue {
        let result = match out {
            Outgoing::Message(m) => m.write(&mut output),
            Outgoing::Raw(v) => {
                let body = v.to_string();
                write!(output, "Content-Length: {}\r\n\r\n{body}", body.len())
                    .and_then(|()| output.flush())
            }
            Outgoing::End => return,
        };
        if let Err(e) = result {
            eprintln!("pol lsp: cannot write to the client: {e}");
            return;
        }
    }
}

fn read_loop<R: BufRead>(mut input: R, server: &Sender<Message>, raw: &Sender<Outgoing>) {
    loop {
        let body = match read_frame(&mut input) {
            Ok(Frame::Body(body)) => body,
            Ok(Frame::TooLong(len)) => {
                let _ = raw.send(Outgoing::Raw(error(
                    Value::Null,
                    -32600,
                    &format!(
                        "message of {len} bytes is longer than the {MAX_MESSAGE_BYTES} accepted"
                    ),
                )));
                continue;
            }
            Ok(Frame::BadHeader(why)) => {
                eprintln!("pol lsp: skipped a malformed header: {why}");
                continue;
            }
            Ok(Frame::End) => return,
            Err(e) => {
                eprintln!("pol lsp: cannot read from the client: {e}");
                return;
            }
        };
        match serde_json::from_slice::<Message>(&body) {
            // lsp-server reads a request whose id it cannot hold (a number beyond 32
            // bits) as a notification; it must be answered, not dropped.
            Ok(Message::Notification(_)) if has_id(&body) => {
                let _ = raw.send(Outgoing::Raw(
                    reply_to_malformed(&body, "unsupported id")
                        .unwrap_or_else(|| error(Value::Null, -32600, "unsupported id")),
                ));
            }
            Ok(message) => {
                let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
                if server.send(message).is_err() || exit {
                    return;
                }
            }
            Err(e) => {
                if let Some(reply) = reply_to_malformed(&body, &e.to_string()) {
                    let _ = raw.send(Outgoing::Raw(reply));
                }
            }
        }
    }
}

/// Whether a body has an `id`, as only requests and responses do.
fn has_id(body: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(default)]
        id: Option<serde::de::IgnoredAny>,
    }
    serde_json::from_slice::<Probe>(body).is_ok_and(|p| p.id.is_some())
}

/// The error reply to a body that is not a message, if it can have one.
fn reply_to_malformed(body: &[u8], why: &str) -> Option<Value> {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return Some(error(Value::Null, -32700, &format!("not JSON: {why}")));
    };
    match value.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => {
            Some(error(id.clone(), -32600, &format!("not a valid request: {why}")))
        }
        _ => {
            eprintln!("pol lsp: dropped a malformed notification: {why}");
            None
        }
    }
}

fn error(id: Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

enum Frame {
    Body(Vec<u8>),
    TooLong(usize),
    BadHeader(String),
    End,
}

/// Reads one `Content-Length` framed body.
fn read_frame<R: BufRead>(input: &mut R) -> io::Result<Frame> {
    let mut length: Option<usize> = None;
    let mut bad: Option<String> = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        // A header line is short; reading one in pieces bounds what garbage can cost.
        if input.by_ref().take(MAX_HEADER_BYTES).read_until(b'\n', &mut line)? == 0 {
            return Ok(Frame::End);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            break;
        }
        match text.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(n) => length = Some(n),
                    Err(_) => bad = Some(format!("bad length {:?}", value.trim())),
                }
            }
            Some(_) => {}
            None => bad = Some(format!("not a header: {text:?}")),
        }
    }
    let Some(length) = length else {
        return Ok(Frame::BadHeader(bad.unwrap_or_else(|| "no Content-Length".to_string())));
    };
    if length > MAX_MESSAGE_BYTES {
        io::copy(&mut input.take(length as u64), &mut io::sink())?;
        return Ok(Frame::TooLong(length));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    Ok(Frame::Body(body))
}

//! The server over a byte stream, fed what a broken or hostile client might send: every
//! request gets an answer (an error where it must), nothing stops the server but `exit`,
//! and the exit code is the protocol's.

use std::io::{Cursor, Write};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

/// Output shared with the server's writer thread.
#[derive(Clone, Default)]
struct Output(Arc<Mutex<Vec<u8>>>);

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

fn message(v: Value) -> Vec<u8> {
    frame(&v.to_string())
}

/// Runs the server over `input` to its end; returns its exit code and every message it
/// wrote.
fn run(input: Vec<u8>) -> (i32, Vec<Value>) {
    let out = Output::default();
    let code = pol_lsp::run(Cursor::new(input), out.clone());
    let bytes = out.0.lock().unwrap().clone();
    let text = String::from_utf8(bytes).unwrap();
    let mut messages = Vec::new();
    let mut rest = text.as_str();
    while let Some(header_end) = rest.find("\r\n\r\n") {
        let length: usize =
            rest[..header_end].trim().strip_prefix("Content-Length: ").unwrap().parse().unwrap();
        let body = &rest[header_end + 4..header_end + 4 + length];
        messages.push(serde_json::from_str(body).unwrap());
        rest = &rest[header_end + 4 + length..];
    }
    (code, messages)
}

/// The answer to request `id`.
fn answer(messages: &[Value], id: Value) -> &Value {
    messages
        .iter()
        .find(|m| m["id"] == id && m.get("method").is_none())
        .unwrap_or_else(|| panic!("no answer to {id} in {messages:#?}"))
}

#[test]
fn every_request_is_answered_and_only_exit_ends_the_server() {
    let dir = std::env::temp_dir().join(format!("pol-lsp-robust-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("a.pol");
    std::fs::write(&file, "fact x: bool \"x\"\n").unwrap();
    let uri = lsp_types::Url::from_file_path(&file).unwrap().to_string();
    let mut input = Vec::new();
    // Before `initialize`: refused.
    input.extend(message(
        json!({"jsonrpc": "2.0", "id": 1, "method": "textDocument/hover", "params": {}}),
    ));
    // `initialize` with parameters that do not decode, then a good one.
    input.extend(message(
        json!({"jsonrpc": "2.0", "id": 2, "method": "initialize", "params": {"capabilities": 5}}),
    ));
    input.extend(message(
        json!({"jsonrpc": "2.0", "id": 3, "method": "initialize", "params": {"capabilities": {}}}),
    ));
    input.extend(message(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}})));
    // Not JSON; JSON but no message, with an id; an id too large for lsp-server.
    input.extend(frame("{not json"));
    input.extend(message(json!({"jsonrpc": "2.0", "id": 4, "what": "?"})));
    input.extend(message(
        json!({"jsonrpc": "2.0", "id": 1_099_511_627_776_u64, "method": "shutdown"}),
    ));
    // A header without a length, then a good message.
    input.extend(b"X-Nonsense: 1\r\n\r\n");
    // Unknown method; bad parameters; a notification with bad parameters.
    input
        .extend(message(json!({"jsonrpc": "2.0", "id": 5, "method": "pol/unknown", "params": {}})));
    input.extend(message(
        json!({"jsonrpc": "2.0", "id": 6, "method": "textDocument/hover", "params": {"x": 1}}),
    ));
    input.extend(message(
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"nope": true}}),
    ));
    // A document edited at positions far outside it, then asked about.
    input.extend(message(json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": {"uri": uri, "languageId": "pol", "version": 1, "text": "fact x: bool \"x\"\n"}}})));
    input.extend(message(json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": uri, "version": 2},
        "contentChanges": [{"range": {"start": {"line": 99, "character": 7}, "end": {"line": 3, "character": 999}}, "text": "# é\n"}]}})));
    input.extend(message(json!({"jsonrpc": "2.0", "id": 7, "method": "textDocument/hover", "params": {
        "textDocument": {"uri": uri}, "position": {"line": 4_000_000_000_u32, "character": 4_000_000_000_u32}}})));
    input.extend(message(
        json!({"jsonrpc": "2.0", "id": 20, "method": "textDocument/documentHighlight", "params": {
        "textDocument": {"uri": uri}, "position": {"line": 4_000_000_000_u32, "character": 0}}}),
    ));
    input.extend(message(
        json!({"jsonrpc": "2.0", "id": 21, "method": "textDocument/semanticTokens/full", "params": {
        "textDocument": {"uri": uri}}}),
    ));
    input.extend(message(json!({"jsonrpc": "2.0", "id": 22, "method": "textDocument/inlayHint", "params": {
        "textDocument": {"uri": uri},
        "range": {"start": {"line": 4_000_000_000_u32, "character": 0}, "end": {"line": 0, "character": 0}}}})));
    // Requests about a file that does not exist, and a URI that is not a file.
    input.extend(message(json!({"jsonrpc": "2.0", "id": 8, "method": "textDocument/definition", "params": {
        "textDocument": {"uri": "file:///nowhere/b.pol"}, "position": {"line": 0, "character": 0}}})));
    input.extend(message(json!({"jsonrpc": "2.0", "id": 9, "method": "textDocument/formatting", "params": {
        "textDocument": {"uri": "untitled:Untitled-1"}, "options": {"tabSize": 2, "insertSpaces": true}}})));
    // An orderly end; a request after `shutdown` is refused.
    input.extend(message(json!({"jsonrpc": "2.0", "id": 10, "method": "shutdown"})));
    input.extend(message(
        json!({"jsonrpc": "2.0", "id": 11, "method": "textDocument/hover", "params": {}}),
    ));
    input.extend(message(json!({"jsonrpc": "2.0", "method": "exit"})));
    // Never read: `exit` ended the server.
    input.extend(message(json!({"jsonrpc": "2.0", "id": 12, "method": "shutdown"})));

    let (code, messages) = run(input);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 0);
    let code_of = |id: Value| answer(&messages, id)["error"]["code"].clone();
    assert_eq!(code_of(json!(1)), -32002);
    assert_eq!(code_of(json!(2)), -32602);
    assert!(answer(&messages, json!(3))["result"]["capabilities"].is_object());
    assert_eq!(code_of(Value::Null), -32700);
    assert_eq!(code_of(json!(4)), -32600);
    assert_eq!(code_of(json!(1_099_511_627_776_u64)), -32600);
    assert_eq!(code_of(json!(5)), -32601);
    assert_eq!(code_of(json!(6)), -32602);
    assert_eq!(answer(&messages, json!(7))["result"], Value::Null);
    assert_eq!(answer(&messages, json!(20))["result"], Value::Null);
    // Tokens for whatever the edit left: five numbers each.
    let tokens = &answer(&messages, json!(21))["result"]["data"];
    assert!(tokens.as_array().is_some_and(|t| t.len() % 5 == 0), "{tokens}");
    // A range that ends before it starts holds no hint.
    assert_eq!(answer(&messages, json!(22))["result"], json!([]));
    assert_eq!(answer(&messages, json!(8))["result"], Value::Null);
    assert_eq!(answer(&messages, json!(9))["result"], Value::Null);
    assert_eq!(answer(&messages, json!(10))["result"], Value::Null);
    assert_eq!(code_of(json!(11)), -32600);
    assert!(messages.iter().all(|m| m["id"] != 12));
}

#[test]
fn without_shutdown_the_exit_code_is_one() {
    let mut input = message(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
    );
    input.extend(message(json!({"jsonrpc": "2.0", "method": "exit"})));
    assert_eq!(run(input).0, 1);
    // The input closing without `exit` ends the server too (the client is gone).
    let input = message(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
    );
    let (code, messages) = run(input);
    assert_eq!(code, 1);
    assert_eq!(messages.len(), 1);
}

#[test]
fn an_overlong_message_is_refused_without_reading_it_into_memory() {
    let mut input =
        format!("Content-Length: {}\r\n\r\n", pol_lsp::transport::MAX_MESSAGE_BYTES + 1)
            .into_bytes();
    input.extend(vec![b' '; 1024]);
    let (code, messages) = run(input);
    assert_eq!(code, 1);
    assert_eq!(messages[0]["error"]["code"], -32600, "{messages:?}");
}

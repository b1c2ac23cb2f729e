//! `pol lsp` speaks the protocol on standard input and output, and exits with the
//! protocol's code; an editing session over the binary's pipes shows the issue's acceptance
//! (a misspelling found, with the right name offered; definition in the real files). The
//! server itself, hover included, is tested in depth in `crates/pol-lsp`.

use crate::common;

use common::assert_contains;

fn frame(body: &str) -> String {
    format!("Content-Length: {}\r\n\r\n{body}", body.len())
}

#[test]
fn pol_lsp_serves_standard_input_until_exit() {
    let input = [
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#,
        r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#,
        r#"{"jsonrpc":"2.0","method":"exit"}"#,
    ]
    .map(frame)
    .concat();
    let run = common::pol_with_stdin(&["lsp"], &input);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_contains(&run.stdout, r#""serverInfo":{"name":"pol""#);
    assert_contains(&run.stdout, r#""id":2,"result":null"#);
    // Input that ends without `exit`: the client is gone, and the code says so.
    let run = common::pol_with_stdin(&["lsp"], "");
    assert_eq!(run.code, 1);
}

/// A `pol lsp` process spoken to through its pipes, one frame at a time.
struct Client {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    frames: std::sync::mpsc::Receiver<serde_json::Value>,
    next_id: i64,
}

impl Client {
    fn start(dir: &std::path::Path) -> Client {
        use std::io::{BufRead, Read};
        use std::process::Stdio;
        let mut child = common::pol_command(dir, &["lsp"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let (send, frames) = std::sync::mpsc::channel();
        std::thread::spawn(move || loop {
            let mut length = None;
            loop {
                let mut line = String::new();
                if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(n) = line.strip_prefix("Content-Length: ") {
                    length = n.parse::<usize>().ok();
                }
            }
            let mut body = vec![0; length.unwrap()];
            stdout.read_exact(&mut body).unwrap();
            if send.send(serde_json::from_slice(&body).unwrap()).is_err() {
                return;
            }
        });
        Client { child, stdin, frames, next_id: 0 }
    }

    fn send(&mut self, message: serde_json::Value) {
        use std::io::Write;
        self.stdin.write_all(frame(&message.to_string()).as_bytes()).unwrap();
        self.stdin.flush().unwrap();
    }

    /// The next message `wanted` accepts, skipping others.
    fn wait(&self, wanted: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        loop {
            let message = self
                .frames
                .recv_timeout(std::time::Duration::from_secs(60))
                .expect("pol lsp did not answer within a minute");
            if wanted(&message) {
                return message;
            }
        }
    }

    fn request(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(
            serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
        );
        let answer = self.wait(|m| m["id"] == id);
        assert!(answer.get("error").is_none(), "{answer}");
        answer["result"].clone()
    }

    fn notify(&mut self, method: &str, params: serde_json::Value) {
        self.send(serde_json::json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }
}

/// The line and UTF-16 column of the first `needle` in `text` (ASCII here).
fn position(text: &str, needle: &str) -> serde_json::Value {
    let at = text.find(needle).unwrap();
    let before = &text[..at];
    let line = before.matches('\n').count();
    let column = at - before.rfind('\n').map_or(0, |i| i + 1);
    serde_json::json!({"line": line, "character": column})
}

fn file_uri(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}

#[test]
fn an_editing_session_over_standard_input_and_output() {
    let dir = std::env::temp_dir().join(format!("pol-cli-lsp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("policies")).unwrap();
    let dir = dir.canonicalize().unwrap();
    let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies");
    for entry in std::fs::read_dir(shipped).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join("policies").join(entry.file_name())).unwrap();
    }
    let policy = dir.join("policies/advance_parole.pol");
    let uri = file_uri(&policy);
    let text = std::fs::read_to_string(&policy).unwrap();

    let mut pol = Client::start(&dir);
    let init = pol
        .request("initialize", serde_json::json!({"capabilities": {}, "rootUri": file_uri(&dir)}));
    assert_eq!(init["serverInfo"]["name"], "pol");
    pol.notify("initialized", serde_json::json!({}));
    pol.notify(
        "textDocument/didOpen",
        serde_json::json!({"textDocument": {"uri": uri, "languageId": "pol", "version": 1, "text": text}}),
    );
    // An unsaved misspelling: a diagnostic over the word, offering the right name.
    let misspelt =
        text.replacen("applicant.in_removal_proceedings", "applicant.in_removal_procedings", 1);
    pol.notify(
        "textDocument/didChange",
        serde_json::json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": misspelt}]}),
    );
    let published = pol.wait(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri.as_str()
            && m["params"]["version"] == 2
    });
    let at = position(&misspelt, "applicant.in_removal_procedings");
    let diagnostic = published["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["range"]["start"] == at)
        .unwrap_or_else(|| panic!("no diagnostic at {at}: {published}"));
    assert_eq!(
        diagnostic["range"]["end"]["character"],
        at["character"].as_u64().unwrap() + "applicant.in_removal_procedings".len() as u64
    );
    assert!(
        diagnostic["message"].as_str().unwrap().contains("`applicant.in_removal_proceedings`"),
        "{diagnostic}"
    );
    // Definition on the saved text answers with the real file (what hover shows is
    // pol-lsp's to test: crates/pol-lsp/tests/it/acceptance.rs on these policies).
    pol.notify(
        "textDocument/didChange",
        serde_json::json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": text}]}),
    );
    let on_status = serde_json::json!({"textDocument": {"uri": uri}, "position": position(&text, "applicant.status")});
    let definition = pol.request("textDocument/definition", on_status);
    assert_eq!(definition["uri"], file_uri(&dir.join("policies/facts.pol")).as_str());
    assert_eq!(pol.request("shutdown", serde_json::Value::Null), serde_json::Value::Null);
    pol.notify("exit", serde_json::Value::Null);
    let status = pol.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

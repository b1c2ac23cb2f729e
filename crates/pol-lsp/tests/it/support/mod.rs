//! A test client: runs the server in-process on a memory connection, over a copy of a
//! policy directory in a fresh temporary directory, and speaks JSON-RPC to it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)]

use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{json, Value};

/// How long a test waits for the server before failing.
const PATIENCE: Duration = Duration::from_secs(30);

pub struct Session {
    client: Connection,
    server: Option<JoinHandle<i32>>,
    /// The temporary directory the files were copied to.
    pub root: PathBuf,
    next_id: i32,
    /// Notifications received while waiting for something else, oldest first.
    pub pending: Vec<Notification>,
    /// The answer to `initialize`.
    pub initialized: Value,
    /// The version of each open document (by path relative to the root).
    versions: std::collections::HashMap<String, i32>,
}

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fresh temporary directory for a test's files (`pol-lsp-NAME-PID`), emptied of what an
/// earlier run left there.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pol-lsp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Copies the directory `from`, with what it holds, to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

impl Session {
    /// Copies `from` to a new temporary directory and starts a server, initialized with
    /// `capabilities` and that directory as its workspace folder.
    pub fn start(test: &str, from: &Path, capabilities: Value) -> Session {
        let root = std::env::temp_dir().join(format!("pol-lsp-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        copy_dir(from, &root);
        let root = std::fs::canonicalize(&root).unwrap();
        let (server_side, client) = Connection::memory();
        let server = std::thread::spawn(move || pol_lsp::serve(&server_side));
        let mut s = Session {
            client,
            server: Some(server),
            root,
            next_id: 0,
            pending: Vec::new(),
            initialized: Value::Null,
            versions: std::collections::HashMap::new(),
        };
        let folder = s.uri("");
        let init = s.request(
            "initialize",
            json!({
                "capabilities": capabilities,
                "workspaceFolders": [{"uri": folder, "name": "test"}],
            }),
        );
        assert!(init.get("result").is_some(), "{init}");
        s.initialized = init["result"].clone();
        s.notify("initialized", json!({}));
        s
    }

    /// The `file:` URI of a path relative to the root.
    pub fn uri(&self, relative: &str) -> String {
        let path = if relative.is_empty() { self.root.clone() } else { self.root.join(relative) };
        lsp_types::Url::from_file_path(path).unwrap().to_string()
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).unwrap()
    }

    /// The code actions the server offers for `diagnostic` of the file at `relative`.
    pub fn fixes(&mut self, relative: &str, diagnostic: &Value) -> Value {
        let params = json!({
            "textDocument": {"uri": self.uri(relative)},
            "range": diagnostic["range"],
            "context": {"diagnostics": [diagnostic]},
        });
        self.ok("textDocument/codeAction", params)
    }

    /// Writes `text` to the file at `relative`, as a tool outside the editor would, and
    /// says so as the editor's file watcher does.
    pub fn write_on_disk(&self, relative: &str, text: &str) {
        std::fs::write(self.path(relative), text).unwrap();
        self.notify(
            "workspace/didChangeWatchedFiles",
            serde_json::json!({"changes": [{"uri": self.uri(relative), "type": 2}]}),
        );
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.client
            .sender
            .send(Message::Notification(Notification { method: method.into(), params }))
            .unwrap();
    }

    /// Sends a request and returns the whole response (`result` or `error`), as JSON.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.client
            .sender
            .send(Message::Request(Request { id: id.clone(), method: method.into(), params }))
            .unwrap();
        loop {
            match self.client.receiver.recv_timeout(PATIENCE).unwrap() {
                Message::Response(r) if r.id == id => return serde_json::to_value(r).unwrap(),
                Message::Notification(n) => self.pending.push(n),
                // Our side does not answer the server's requests (file watcher registration).
                Message::Request(_) | Message::Response(_) => {}
            }
        }
    }

    /// `result` of a request that must succeed, with the root's path replaced by `$ROOT`.
    pub fn ok(&mut self, method: &str, params: Value) -> Value {
        let r = self.request(method, params);
        let Some(result) = r.get("result") else {
            panic!("{method} failed: {r}");
        };
        self.redact(result.clone())
    }

    /// Opens a file as it is on disk.
    /// Opens a file of the project in the editor as it is on disk; its text.
    pub fn open(&mut self, relative: &str) -> String {
        let text = self.read(relative);
        self.open_with(relative, &text);
        text
    }

    pub fn open_with(&mut self, relative: &str, text: &str) {
        self.versions.insert(relative.to_string(), 1);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {
                "uri": self.uri(relative), "languageId": "pol", "version": 1, "text": text,
            }}),
        );
    }

    /// The code actions offered for the whole of `relative`: the fixes of every diagnostic
    /// in it.
    pub fn whole_file_fixes(&mut self, relative: &str) -> Value {
        let uri = self.uri(relative);
        let whole =
            json!({"start": {"line": 0, "character": 0}, "end": {"line": 99, "character": 0}});
        self.ok(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": []}}),
        )
    }

    /// The edits that format the open document `relative` (two-space indents).
    pub fn format_document(&mut self, relative: &str) -> Value {
        let uri = self.uri(relative);
        let options = json!({"tabSize": 2, "insertSpaces": true});
        self.ok(
            "textDocument/formatting",
            json!({"textDocument": {"uri": uri}, "options": options}),
        )
    }

    /// Types `text` into `relative` (as version `version`) and asks for the completions
    /// `into` characters into the first `needle`, as if `trigger` had just been typed.
    pub fn complete(
        &mut self,
        relative: &str,
        version: i32,
        text: &str,
        (needle, into): (&str, usize),
        trigger: Option<&str>,
    ) -> Value {
        self.change(relative, version, text);
        let mut at = self.at(relative, text, needle, 0, into);
        if let Some(t) = trigger {
            at["context"] = json!({"triggerKind": 2, "triggerCharacter": t});
        }
        self.ok("textDocument/completion", at)
    }

    /// Replaces the whole text of an open document (unsaved).
    pub fn change(&mut self, relative: &str, version: i32, text: &str) {
        self.versions.insert(relative.to_string(), version);
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": self.uri(relative), "version": version},
                "contentChanges": [{"text": text}],
            }),
        );
    }

    /// The diagnostics published for a file (redacted), waiting for them: for an open
    /// document, those for its latest version; for another file, the first not yet read.
    pub fn diagnostics(&mut self, relative: &str) -> Value {
        let uri = self.uri(relative);
        let version = self.versions.get(relative).copied();
        let matches = |n: &Notification| {
            n.method == "textDocument/publishDiagnostics"
                && n.params["uri"] == uri.as_str()
                && version.is_none_or(|v| n.params["version"] == v)
        };
        if let Some(i) = self.pending.iter().position(matches) {
            let n = self.pending.remove(i);
            return self.redact(n.params);
        }
        loop {
            match self.client.receiver.recv_timeout(PATIENCE).unwrap() {
                Message::Notification(n) if matches(&n) => return self.redact(n.params),
                Message::Notification(n) => self.pending.push(n),
                _ => {}
            }
        }
    }

    /// Text document and position parameters for the `nth` (from 0) occurrence of
    /// `needle` in `relative`'s current text, `into` characters into it.
    pub fn at(&self, relative: &str, text: &str, needle: &str, nth: usize, into: usize) -> Value {
        let (line, character) = position(text, needle, nth, into);
        json!({
            "textDocument": {"uri": self.uri(relative)},
            "position": {"line": line, "character": character},
        })
    }

    /// Replaces the root's path and URI in every string with `$ROOT`.
    pub fn redact(&self, v: Value) -> Value {
        let uri = self.uri("");
        let path = self.root.to_string_lossy().into_owned();
        redact(v, &uri, &path)
    }

    /// Ends the session as a client should; returns the server's exit code.
    pub fn shutdown(mut self) -> i32 {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r["result"], Value::Null, "{r}");
        self.notify("exit", Value::Null);
        let code = self.server.take().unwrap().join().unwrap();
        let _ = std::fs::remove_dir_all(&self.root);
        code
    }
}

fn redact(v: Value, uri: &str, path: &str) -> Value {
    match v {
        Value::String(s) => Value::String(s.replace(uri, "$ROOT").replace(path, "$ROOT")),
        Value::Array(a) => Value::Array(a.into_iter().map(|x| redact(x, uri, path)).collect()),
        Value::Object(o) => Value::Object(
            o.into_iter().map(|(k, x)| (k.replace(uri, "$ROOT"), redact(x, uri, path))).collect(),
        ),
        other => other,
    }
}

/// The zero-based line and UTF-16 column of a place in `text`.
pub fn position(text: &str, needle: &str, nth: usize, into: usize) -> (u32, u32) {
    let start = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` #{nth} not found"))
        .0;
    let offset = start + needle.char_indices().nth(into).map_or(needle.len(), |(i, _)| i);
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let col: usize = before.rsplit('\n').next().unwrap().chars().map(char::len_utf16).sum();
    (line as u32, col as u32)
}

/// Applies LSP text edits (non-overlapping, UTF-16 positions) to a text.
pub fn apply(text: &str, edits: &Value) -> String {
    let mut edits: Vec<&Value> = edits.as_array().unwrap().iter().collect();
    let offset = |p: &Value| -> usize {
        let (line, col) =
            (p["line"].as_u64().unwrap() as usize, p["character"].as_u64().unwrap() as usize);
        let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (i, c) in text[line_start..].char_indices() {
            if units >= col || c == '\n' {
                return line_start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    edits.sort_by_key(|e| std::cmp::Reverse(offset(&e["range"]["start"])));
    let mut out = text.to_string();
    for e in edits {
        let (s, t) = (offset(&e["range"]["start"]), offset(&e["range"]["end"]));
        out.replace_range(s..t, e["newText"].as_str().unwrap());
    }
    out
}

/// The string `key` of each object of a JSON array, in order.
pub fn strings<'a>(list: &'a Value, key: &str) -> Vec<&'a str> {
    list.as_array().unwrap().iter().map(|item| item[key].as_str().unwrap()).collect()
}

/// The labels of a completion answer, in order.
pub fn labels(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap().to_string()).collect()
}

/// Semantic tokens as `NAME TYPE MODIFIERS...`, read back from their relative encoding
/// (UTF-16 columns) against `text`.
pub fn decode_tokens(text: &str, legend: &Value, data: &Value) -> Vec<String> {
    let lines: Vec<Vec<u16>> = text.lines().map(|l| l.encode_utf16().collect()).collect();
    let numbers: Vec<u64> = data.as_array().unwrap().iter().map(|n| n.as_u64().unwrap()).collect();
    let name_of = |i: u64, key: &str| legend[key][i as usize].as_str().unwrap().to_string();
    let (mut line, mut col) = (0, 0);
    let mut out = Vec::new();
    for t in numbers.chunks(5) {
        let [delta_line, delta_col, len, ty, modifiers] = *t else {
            panic!("a token is five numbers: {t:?}");
        };
        if delta_line > 0 {
            col = 0;
        }
        line += delta_line as usize;
        col += delta_col as usize;
        let units = &lines[line][col..col + len as usize];
        let mut words = vec![String::from_utf16(units).unwrap(), name_of(ty, "tokenTypes")];
        let count = legend["tokenModifiers"].as_array().unwrap().len() as u64;
        words.extend(
            (0..count).filter(|i| modifiers & (1 << i) != 0).map(|i| name_of(i, "tokenModifiers")),
        );
        out.push(words.join(" "));
    }
    out
}

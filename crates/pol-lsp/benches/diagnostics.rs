#![forbid(unsafe_code)]
//! How long an editor waits for diagnostics after an edit: `didChange` on one shipped
//! policy to the `publishDiagnostics` for it, through the whole server (an in-memory
//! connection, the set recompiled from the unsaved text). The target is 50 ms.
//!
//! Run: `cargo bench -p pol-lsp --bench diagnostics` (figures: docs/performance.md).
//! `compile/shipped` is the baseline measured in the same run: compiling the same set,
//! lints included, with no server around it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{json, Value};

const POLICY: &str = "advance_parole.pol";

/// A copy of the shipped policies in a fresh directory.
fn shipped_copy() -> PathBuf {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies");
    let dir = std::env::temp_dir().join(format!("pol-lsp-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    std::fs::canonicalize(dir).unwrap()
}

fn send(c: &Connection, method: &str, params: Value) {
    c.sender.send(Message::Notification(Notification { method: method.into(), params })).unwrap();
}

/// Waits for the diagnostics of `uri`; returns how many there are.
fn diagnostics(c: &Connection, uri: &str) -> usize {
    loop {
        let m = c.receiver.recv_timeout(Duration::from_secs(30)).unwrap();
        if let Message::Notification(n) = m {
            if n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri {
                return n.params["diagnostics"].as_array().unwrap().len();
            }
        }
    }
}

fn edit_to_diagnostics(cr: &mut Criterion) {
    let dir = shipped_copy();
    let path = dir.join(POLICY);
    let uri = lsp_types::Url::from_file_path(&path).unwrap().to_string();
    let text = std::fs::read_to_string(&path).unwrap();
    // Two versions that differ in their diagnostics, so every edit publishes anew.
    let misspelt =
        text.replacen("applicant.in_removal_proceedings", "applicant.in_removal_procedings", 1);
    assert_ne!(misspelt, text);

    let (server, client) = Connection::memory();
    let thread = std::thread::spawn(move || pol_lsp::serve(&server));
    client
        .sender
        .send(Message::Request(Request {
            id: RequestId::from(1),
            method: "initialize".into(),
            params: json!({"capabilities": {}}),
        }))
        .unwrap();
    send(&client, "initialized", json!({}));
    send(
        &client,
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "pol", "version": 1, "text": text}}),
    );
    let mut version = 1;
    let mut group = cr.benchmark_group("lsp");
    group.bench_function("edit_to_diagnostics", |b| {
        b.iter(|| {
            version += 1;
            let (new, want) = if version % 2 == 0 { (&misspelt, 1) } else { (&text, 0) };
            send(
                &client,
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": version},
                       "contentChanges": [{"text": new}]}),
            );
            assert_eq!(diagnostics(&client, &uri), want);
        })
    });
    // Edits that keep the set compiling (a comment added and removed): each one is
    // compiled through lowering and every lint, the exact-reasoning lint included, which
    // an edit with an error skips.
    let commented = format!("{text}\n# an edit\n");
    group.bench_function("clean_edit_to_diagnostics", |b| {
        b.iter(|| {
            version += 1;
            let new = if version % 2 == 0 { &commented } else { &text };
            send(
                &client,
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": version},
                       "contentChanges": [{"text": new}]}),
            );
            assert_eq!(diagnostics(&client, &uri), 0);
        })
    });
    group.finish();

    // The baseline: the compiler alone, on the same files.
    let sources: Vec<pol_compiler::Source> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            pol_compiler::Source {
                name: path.to_string_lossy().into_owned(),
                text: std::fs::read_to_string(&path).unwrap(),
            }
        })
        .collect();
    let mut group = cr.benchmark_group("compile");
    group.bench_function("shipped", |b| {
        b.iter(|| black_box(pol_compiler::compile(sources.clone())))
    });
    group.finish();

    client
        .sender
        .send(Message::Request(Request {
            id: RequestId::from(2),
            method: "shutdown".into(),
            params: Value::Null,
        }))
        .unwrap();
    send(&client, "exit", Value::Null);
    thread.join().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, edit_to_diagnostics);
criterion_main!(benches);

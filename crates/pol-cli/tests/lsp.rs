//! `pol lsp` speaks the protocol on standard input and output, and exits with the
//! protocol's code. (The server itself is tested in `crates/pol-lsp`.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

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
    assert!(
        run.stdout.contains(r#""serverInfo":{"name":"pol""#),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(r#""id":2,"result":null"#),
        "{}",
        run.stdout
    );
    // Input that ends without `exit`: the client is gone, and the code says so.
    let run = common::pol_with_stdin(&["lsp"], "");
    assert_eq!(run.code, 1);
}

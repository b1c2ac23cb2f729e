//! The `pol` language server: what `pol lsp` runs.
//!
//! It speaks the Language Server Protocol over standard input and output and offers, for
//! `.pol` files: diagnostics (errors and lints, with codes, related places and
//! did-you-mean) computed from the editor's unsaved text on every change; hover; go to
//! definition, find references and highlights of a name's uses; semantic tokens (names
//! coloured by what they name); inlay hints (a constant's value, a parameter's value
//! today, a program's window, where they are used); document and workspace symbols; completion; formatting;
//! rename; and quick fixes. `docs/editors.md` describes each and how to set up an editor.
//!
//! Everything it knows about names comes from the compiler (`pol_compiler::symbols`): the
//! server maps spans to positions and back, and compiles the policy set an edited file
//! belongs to (`pol.toml`'s policy directory, else the file's directory) with the open
//! documents laid over the files on disk.
//!
//! Invariants: no message makes it panic or stop; an unknown or malformed request is
//! answered with an error; it ends only on `exit` (or when its input closes).
#![forbid(unsafe_code)]

mod completion;
mod diagnostics;
mod edits;
mod hints;
mod hover;
pub mod line_index;
mod navigation;
pub mod project;
mod server;
mod tokens;
pub mod transport;
mod workspace;

pub use lsp_server::Connection;

/// `s` with its first letter in capitals: a message or summary as a title or sentence.
fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Serves a client over standard input and output until it sends `exit`. Returns the exit
/// code the protocol asks for: 0 after an orderly `shutdown`, else 1.
pub fn run_stdio() -> i32 {
    let input = std::io::BufReader::new(std::io::stdin());
    run(input, std::io::stdout())
}

/// Serves a client over any pair of streams (for tests, and for `run_stdio`).
pub fn run<R, W>(input: R, output: W) -> i32
where
    R: std::io::BufRead + Send + 'static,
    W: std::io::Write + Send + 'static,
{
    let (connection, threads) = transport::connect(input, output);
    let code = serve(&connection);
    drop(connection);
    threads.finish();
    code
}

/// Serves a client over a connection (an in-memory one in tests). Returns as
/// [`run_stdio`] does.
pub fn serve(connection: &Connection) -> i32 {
    server::serve(connection)
}

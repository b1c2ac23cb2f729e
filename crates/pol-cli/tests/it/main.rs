//! `pol-cli`'s integration tests, one module per subject. They are one test binary, not one
//! per file: the crates are linked once, and the shared helpers compiled once.
//! (`cargo test -p pol-cli --test it MODULE::` runs one module.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "../common/mod.rs"]
mod common;

mod author;
mod bad_input;
mod batch;
mod cli;
mod colour;
mod constraints;
mod fmt;
#[cfg(target_os = "linux")]
mod hostile;
mod hygiene;
mod lints;
mod lsp;
mod man;
mod plain;
mod policies;
mod reasoning;
mod schemas;
mod serve;

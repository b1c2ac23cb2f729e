//! `pol-serve`'s integration tests, one module per subject. They are one test binary, not one
//! per file: the crates are linked once, and the shared helpers compiled once.
//! (`cargo test -p pol-serve --test it MODULE::` runs one module.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "../common/mod.rs"]
mod common;

mod browser;
mod http;
mod lifecycle;

//! `pol-model`'s integration tests, one module per subject. They are one test binary, not one
//! per file: the crates are linked once, and the shared helpers compiled once.
//! (`cargo test -p pol-model --test it MODULE::` runs one module.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;
mod gen;

mod generated;
mod model;
mod shipped;

//! The parser on arbitrary bytes: it never panics, never reports an internal error, every
//! error points inside the input on character boundaries, parsing is deterministic, and
//! each declaration recovery keeps as broken comes with one error.
//! What parses also formats (`pol fmt` verifies its own output means the same and keeps
//! every comment, so a failure there is a formatter bug), and formatting is idempotent.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    pol_test_support::targets::parse(&String::from_utf8_lossy(data));
});

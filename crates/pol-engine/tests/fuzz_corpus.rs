//! The bad-input corpus (`tests/data/bad-input`) and the policy test files through the
//! properties the fuzz targets
//! assert (`pol_test_support::targets`), in the normal test suite, one test per file and
//! target: a corpus file that crashed a target once (a span splitting a character in
//! `key_span`) stays a test that runs on every `cargo test`, not only under
//! `cargo +nightly fuzz`. A file added to the corpus is a new test.

use std::path::Path;

use pol_engine::cases::Format;
use pol_test_support::targets;

/// The `parse` target on the file's text (its bytes, lossily decoded as the target does).
fn parse(_: &Path, bytes: Vec<u8>) -> datatest_stable::Result<()> {
    targets::parse(&String::from_utf8_lossy(&bytes));
    Ok(())
}

/// The `case` target on the file as each of the four formats (the target picks the format
/// by its first byte): it decodes or fails with a well-formed problem.
fn case(_: &Path, bytes: Vec<u8>) -> datatest_stable::Result<()> {
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Ok(());
    };
    let c = pol_test_support::shipped();
    for format in [Format::Json, Format::Yaml, Format::Toml, Format::JsonLines] {
        targets::case(c, text, format, |_| {});
    }
    Ok(())
}

/// The `test_file` target on a policy test file: read, every problem well formed.
fn test_file(_: &Path, bytes: Vec<u8>) -> datatest_stable::Result<()> {
    targets::test_file(pol_test_support::shipped(), &String::from_utf8_lossy(&bytes));
    Ok(())
}

datatest_stable::harness! {
    { test = test_file, root = "../../tests/data/policy-tests", pattern = r"\.yaml$" },
    { test = test_file, root = "../../tests/policies" },
    // What the fuzzer found, kept.
    { test = test_file, root = "../../fuzz/findings", pattern = r"^test_file-" },
    { test = parse, root = "../../tests/data/bad-input/policies" },
    { test = parse, root = "../../tests/data/bad-input/cases" },
    { test = case, root = "../../tests/data/bad-input/cases" },
}

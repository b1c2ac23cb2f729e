//! The parser on arbitrary bytes: it never panics, never reports an internal error, every
//! error points inside the input on character boundaries, parsing is deterministic, and
//! each declaration recovery keeps as broken comes with one error.
//! What parses also formats (`pol fmt` verifies its own output means the same and keeps
//! every comment, so a failure there is a formatter bug), and formatting is idempotent.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use pol_compiler::{Source, SourceMap};
use pol_syntax::FileId;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let first = pol_syntax::parse(FileId(0), &text);
    let second = pol_syntax::parse(FileId(0), &text);
    assert_eq!(first, second, "parsing is not deterministic");
    let broken = first
        .file
        .items
        .iter()
        .filter(|i| matches!(i.kind, pol_syntax::ast::ItemKind::Broken(_)))
        .count();
    assert_eq!(
        broken,
        first.errors.len(),
        "one error per broken declaration"
    );
    if first.is_ok() {
        let once = pol_syntax::format::format(FileId(0), &text)
            .unwrap_or_else(|d| panic!("formatting what parses failed: {d:?}"));
        let twice = pol_syntax::format::format(FileId(0), &once)
            .unwrap_or_else(|d| panic!("formatting the formatted text failed: {d:?}"));
        assert_eq!(once, twice, "formatting is not idempotent");
    }
    let map = SourceMap::new(vec![Source {
        name: "fuzz.pol".into(),
        text: text.into_owned(),
    }]);
    for d in &first.errors {
        pol_fuzz::check_diagnostic(d, &map);
    }
});

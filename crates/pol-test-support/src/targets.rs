//! What the fuzz targets (`fuzz/fuzz_targets/`) assert of one input, stated once: the
//! targets call these on what libFuzzer generates, and the engine's `fuzz_corpus` test calls
//! them on every file of the bad-input corpus, so a file that once crashed a target stays
//! a test of the normal suite.

use pol_compiler::{Case, Compiled, Scratch, Source, SourceMap};
use pol_engine::cases::{decode_checked, CaseProblem, Format};
use pol_syntax::{Diagnostic, FileId};

/// The `parse` target: parsing is deterministic, each declaration recovery keeps as
/// broken comes with one error, what parses formats idempotently, and every error is
/// well formed ([`check_diagnostic`]).
pub fn parse(text: &str) {
    let first = pol_syntax::parse(FileId(0), text);
    let second = pol_syntax::parse(FileId(0), text);
    assert_eq!(first, second, "parsing is not deterministic");
    let broken = first
        .file
        .items
        .iter()
        .filter(|i| matches!(i.kind, pol_syntax::ast::ItemKind::Broken(_)))
        .count();
    assert_eq!(broken, first.errors.len(), "one error per broken declaration");
    if first.is_ok() {
        let once = pol_syntax::format::format(FileId(0), text)
            .unwrap_or_else(|d| panic!("formatting what parses failed: {d:?}"));
        let twice = pol_syntax::format::format(FileId(0), &once)
            .unwrap_or_else(|d| panic!("formatting the formatted text failed: {d:?}"));
        assert_eq!(once, twice, "formatting is not idempotent");
    }
    let map = SourceMap::new(vec![Source { name: "fuzz.pol".into(), text: text.into() }]);
    for d in &first.errors {
        check_diagnostic(d, &map);
    }
}

/// Every label of a diagnostic lies inside its file, on character boundaries; the code is
/// registered; and no phase reports an internal error.
pub fn check_diagnostic(d: &Diagnostic, sources: &SourceMap) {
    for label in std::iter::once(&d.primary).chain(&d.secondary) {
        let text = &sources
            .get(label.span.file)
            .unwrap_or_else(|| panic!("{d:?}: label in an unknown file"))
            .text;
        let (s, e) = (label.span.start as usize, label.span.end as usize);
        assert!(s <= e && e <= text.len(), "{d:?}: span outside the input");
        assert!(
            text.is_char_boundary(s) && text.is_char_boundary(e),
            "{d:?}: span splits a character"
        );
    }
    assert!(pol_compiler::codes::ALL.contains(&d.code), "{d:?}: unregistered code");
    assert_ne!(d.code, pol_compiler::codes::INTERNAL, "{d:?}: an internal error");
    // The user's own words may say "internal"; the parser's internal errors say this.
    assert!(
        !d.help.as_deref().unwrap_or("").contains("this is a bug in pol"),
        "{d:?}: an internal error reached the user"
    );
}

/// The `case` target: `text` read as `format` (JSON Lines one line at a time) either
/// decodes, and `decided` is given the case, or fails with a problem that names the file,
/// says something and points inside the text ([`check_problem`]).
pub fn case(c: &Compiled, text: &str, format: Format, mut decided: impl FnMut(&Case)) {
    let (documents, format): (Vec<&str>, Format) = match format {
        Format::JsonLines => (text.lines().collect(), Format::Json),
        _ => (vec![text], format),
    };
    for doc in documents {
        let mut case = Case::new(&c.set);
        let mut scratch = Scratch::default();
        match decode_checked(c, "fuzz.case", doc, format, &mut case, &mut scratch) {
            Ok(()) => decided(&case),
            Err(problem) => check_problem(&problem),
        }
    }
}

/// A policy test file read from `text`: it never panics; every problem is well formed
/// ([`check_problem_in`]); a file with no test read has a problem that says why; a test is
/// placed on a line of the file.
pub fn test_file(c: &Compiled, text: &str) {
    // In a directory that does not exist: a case file a test names is never read.
    let path = std::path::Path::new("/nonexistent-pol-fuzz/fuzz.yaml");
    let (file, problems) = pol_engine::testing::read_text(c, path, text.to_string());
    for problem in &problems {
        check_problem_in(problem, &path.display().to_string());
    }
    let Some(file) = file else {
        assert!(!problems.is_empty(), "no tests and no problem");
        return;
    };
    // Lines as YAML and pol count them: a lone CR ends one too.
    let lines = pol_syntax::span::line_col(text, text.len()).0;
    for test in &file.tests {
        assert!(test.line.is_none_or(|l| l <= lines), "{test:?}: line outside");
        if let Err(problem) = &test.case {
            assert!(!problem.message.is_empty(), "{problem:?}: no message");
        }
    }
}

/// A case problem names the case's file, says something, and its span lies inside the
/// text, on character boundaries.
pub fn check_problem(problem: &CaseProblem) {
    check_problem_in(problem, "fuzz.case");
}

/// [`check_problem`] for a problem of the file named `file`.
pub fn check_problem_in(problem: &CaseProblem, file: &str) {
    assert_eq!(problem.file, file, "{problem:?}");
    assert!(!problem.message.is_empty(), "{problem:?}: no message");
    if let Some((start, len)) = problem.span {
        let end = start.checked_add(len);
        assert!(end.is_some_and(|end| end <= problem.text.len()), "{problem:?}: span outside");
        assert!(
            end.is_some_and(
                |end| problem.text.is_char_boundary(start) && problem.text.is_char_boundary(end)
            ),
            "{problem:?}: span splits a character"
        );
    }
}

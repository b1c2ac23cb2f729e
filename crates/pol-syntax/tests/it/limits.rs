//! Inputs at and past the parser's limits get a diagnostic, never a crash: deep nesting is
//! refused before pest runs, whatever hides it from the bracket scan.

use pol_syntax::{codes, parse, Code, FileId, MAX_NESTING};

/// The code of the file's first syntax error, if any.
fn code(text: &str) -> Option<Code> {
    parse(FileId(0), text).errors.first().map(|d| d.code)
}

fn rule(condition: &str) -> String {
    format!("fact x: bool \"x\"\npolicy p \"q\" {{\n  require r: {condition} cite \"c\"\n}}\n")
}

#[test]
fn ten_thousand_levels_of_each_bracket_are_refused_up_front() {
    for (open, close) in [("(", ")"), ("{", "}"), ("[", "]")] {
        let deep = format!("{}x{}", open.repeat(10_000), close.repeat(10_000));
        assert_eq!(code(&rule(&deep)), Some(codes::NESTING_TOO_DEEP), "{open}");
    }
}

#[test]
fn nesting_at_the_limit_parses() {
    // The policy's own braces count as one level.
    let ok = format!("{}x{}", "(".repeat(MAX_NESTING - 1), ")".repeat(MAX_NESTING - 1));
    assert_eq!(code(&rule(&ok)), None);
    let over = format!("{}x{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
    assert_eq!(code(&rule(&over)), Some(codes::NESTING_TOO_DEEP));
}

/// Regression (found while testing limits): a comment ended by a lone `\r` hid the rest of
/// its line from the bracket scan, though the grammar ends comments there, so deep nesting
/// after it reached pest.
#[test]
fn a_carriage_return_ends_a_comment_for_the_bracket_scan_too() {
    let deep = format!("# c\r{}x{}", "(".repeat(10_000), ")".repeat(10_000));
    assert_eq!(code(&rule(&deep)), Some(codes::NESTING_TOO_DEEP));
    // The same for a string cut off by `\r`.
    let deep = format!("\"c\r{}x{}", "(".repeat(10_000), ")".repeat(10_000));
    assert_eq!(code(&rule(&deep)), Some(codes::NESTING_TOO_DEEP));
}

#[test]
fn long_flat_input_parses_without_deep_recursion() {
    // Wide, not deep: 20,000 operands of `and`, and 10,000 `not`s.
    let wide = vec!["x"; 20_000].join(" and ");
    assert_eq!(code(&rule(&wide)), None);
    let nots = format!("{}x", "not ".repeat(10_000));
    assert_eq!(code(&rule(&nots)), None);
    // One very long line of comment.
    assert_eq!(code(&format!("# {}\n", "a".repeat(100_000))), None);
}

#[test]
fn malformed_literals_are_diagnosed() {
    assert_eq!(code(&rule("x == 99999999999999999999")), Some(codes::MALFORMED_LITERAL));
    assert_eq!(code(&rule("x == 2025-02-30")), Some(codes::MALFORMED_LITERAL));
    assert_eq!(code(&rule("x == 2025-13-01")), Some(codes::MALFORMED_LITERAL));
    assert_eq!(code(&rule("x == 2024-02-29")), None);
    assert_eq!(code(&rule("x == 2023-02-29")), Some(codes::MALFORMED_LITERAL));
}

#[test]
fn empty_nul_and_odd_characters_never_panic() {
    assert_eq!(code(""), None);
    assert_eq!(code("   \n\t\r\n"), None);
    for text in [
        "\0",
        "fact\0x: bool",
        "fact x: bool \"a\0b\"",
        "\u{feff}fact x: bool",
        "\u{1F600}",
        "policy p \"é\" { require r: é cite \"c\" }",
    ] {
        let _ = code(text);
        for d in parse(FileId(0), text).errors {
            let (s, e) = (d.primary.span.start as usize, d.primary.span.end as usize);
            assert!(s <= e && e <= text.len(), "{text:?}: {d:?}");
            assert!(text.is_char_boundary(s) && text.is_char_boundary(e), "{text:?}: {d:?}");
        }
    }
}

/// Regression (case fuzzer): an offset inside a multi-byte character counted the whole text
/// before it, so a message named the wrong line.
#[test]
fn line_and_column_of_an_offset_inside_a_character() {
    use pol_syntax::span::line_col;
    use pol_syntax::LineIndex;
    let text = "ab\n\u{4f4ec}x\ncd";
    let index = LineIndex::new(text);
    for (offset, expected) in [(4, (2, 1)), (7, (2, 2)), (100, (3, 3))] {
        assert_eq!(line_col(text, offset), expected, "line_col at {offset}");
        assert_eq!(index.line_col(text, offset), expected, "LineIndex at {offset}");
    }
}

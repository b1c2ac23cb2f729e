//! The case loader on arbitrary JSON, YAML and TOML (the first byte picks the format): it
//! never panics; a problem names the file, points inside the text and renders; a case that
//! loads decides, with `eval` and `explain` agreeing, the graph agreeing with the
//! independent model's evaluator, and the decision with the model's.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use pol_compiler::Case;
use pol_engine::cases::{decode_checked, Format};

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let format = match first % 4 {
        0 => Format::Json,
        1 => Format::Yaml,
        2 => Format::Toml,
        _ => Format::JsonLines,
    };
    let c = pol_fuzz::shipped();
    let documents: Vec<&str> = if format == Format::JsonLines {
        text.lines().collect()
    } else {
        vec![text]
    };
    for doc in documents {
        let mut case = Case::new(&c.set);
        let format = if format == Format::JsonLines {
            Format::Json
        } else {
            format
        };
        let mut scratch = pol_compiler::Scratch::default();
        match decode_checked(c, "fuzz.case", doc, format, &mut case, &mut scratch) {
            Ok(()) => {
                pol_fuzz::check_case(c, &case);
                pol_fuzz::decision_agrees_with_model(c, &case);
            }
            Err(problem) => {
                assert_eq!(problem.file, "fuzz.case");
                if let Some((start, len)) = problem.span {
                    assert!(
                        start + len <= problem.text.len(),
                        "{problem:?}: span outside"
                    );
                    assert!(
                        problem.text.is_char_boundary(start)
                            && problem.text.is_char_boundary(start + len),
                        "{problem:?}: span splits a character"
                    );
                }
                assert!(!problem.message.is_empty());
            }
        }
    }
});

//! The case loader on arbitrary JSON, YAML and TOML (the first byte picks the format): it
//! never panics; a problem names the file, points inside the text and renders; a case that
//! loads decides, with `eval` and `explain` agreeing, the graph agreeing with the
//! independent model's evaluator, and the decision with the model's.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use pol_engine::cases::Format;

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
    pol_test_support::targets::case(c, text, format, |case| {
        pol_fuzz::check_case(c, case);
        pol_fuzz::decision_agrees_with_model(c, case);
    });
});

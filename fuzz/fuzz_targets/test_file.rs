//! The policy test file reader on arbitrary text: it never panics; a problem names the
//! file, points inside the text and says something; a file with no test read says why;
//! every test it reads is placed on a line of the file. Test by test reading (after a
//! first error inside one test) is what this exercises most.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    pol_test_support::targets::test_file(pol_fuzz::shipped(), text);
});

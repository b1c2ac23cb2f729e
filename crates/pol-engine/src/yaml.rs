//! YAML, read with `serde-saphyr` (a YAML parser and serde deserializer in safe Rust, with
//! budgets against hostile input) and configured once here for cases and policy tests:
//!
//! - YAML 1.2 scalars: `yes`, `no`, `on` and `off` are words, not booleans; `017` and
//!   `1_000` are text, not numbers; an unquoted date (`as_of: 2025-06-10`) is text, as a
//!   case expects it.
//! - An application tag (`!custom`) is refused, never silently dropped; YAML's own tags
//!   keep their meaning, except that a `!!binary` scalar is not decoded into text (as with
//!   serde_yaml: a base64 date is not a date).
//! - A merge key (`<<: *defaults`) is refused: a case states each fact where it stands.
//! - Aliases are replayed within the parser's budget, so an alias bomb is refused, not
//!   expanded; nesting, documents and sizes are bounded likewise.
//! - One document per file: a second `---` is an error.
//! - Errors carry a position; pol renders its own report, so the parser's snippet is off.

use serde::de::DeserializeOwned;

pub use serde_saphyr::Error;

/// The options every YAML read in pol uses.
fn options() -> serde_saphyr::Options {
    // `Options` is non-exhaustive: start from the defaults (the budgets) and set ours.
    let mut options = serde_saphyr::Options::default();
    options.with_snippet = false;
    options.strict_booleans = true;
    options.reject_unsupported_tags = true;
    options.ignore_binary_tag_for_string = true;
    // As YAML 1.2 core and serde_yaml: `017` and `1_000` are text, not numbers.
    options.leading_zero_numbers_as_strings = true;
    options.underscored_numbers_as_strings = true;
    options.merge_keys = serde_saphyr::MergeKeyPolicy::Error;
    options
}

/// Reads one YAML document into `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    serde_saphyr::from_str_with_options(text, options())
}

/// Runs `f` on a deserializer over one YAML document (for a `DeserializeSeed`, such as the
/// case decoder), refusing a second document.
pub fn with_deserializer<'de, R>(
    text: &'de str,
    f: impl for<'e> FnOnce(serde_saphyr::Deserializer<'de, 'e>) -> Result<R, Error>,
) -> Result<R, Error> {
    serde_saphyr::with_deserializer_from_str_with_options(text, options(), f)
}

/// The byte offset in `text` an error points at, if it knows its place.
pub fn offset(e: &Error, text: &str) -> Option<usize> {
    let location = e.location()?;
    if let Some(byte) = location.span().byte_offset() {
        return usize::try_from(byte).ok();
    }
    let line = usize::try_from(location.line()).ok()?;
    let column = usize::try_from(location.column()).ok()?;
    (line > 0).then(|| crate::cases::offset_of(text, line, column))
}

/// The error's message, in pol's words where the parser's speak to programmers.
pub fn message(e: &Error) -> String {
    match e {
        Error::MultipleDocuments { .. } => {
            "a second YAML document starts here; a file holds one (remove the `---` and what follows, or split the file)"
                .to_string()
        }
        _ => e.to_string(),
    }
}

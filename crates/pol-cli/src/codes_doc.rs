//! `pol check --explain CODE`: the page of `docs/lints.md` on one diagnostic code — what
//! it finds, why, and a bad and a good example — built into the binary, so that an
//! installed `pol` explains its codes without the repository (as `rustc --explain` does).

use pol_compiler::codes::{self, Code};

/// `docs/lints.md`, whose sections a test holds to the registry: one per code, each with
/// its summary and a bad and a good example that do what they say.
const LINTS_MD: &str = include_str!("../../../docs/lints.md");

/// The code `word` names: its id (`W0518`, `pol::W0518`) or, for a lint, its name.
pub fn lookup(word: &str) -> Option<Code> {
    let word = word.trim();
    let id = word.strip_prefix("pol::").unwrap_or(word);
    codes::lookup(&id.to_ascii_uppercase()).or_else(|| codes::lint_named(word))
}

/// The closest code id or lint name to `word`, for "did you mean".
pub fn closest(word: &str) -> Option<&'static str> {
    let ids = codes::ALL.iter().map(|c| c.id);
    pol_compiler::did_you_mean(word, ids.chain(codes::lint_names()))
}

/// The section on `code`: from its heading to the next one, without trailing blank lines.
pub fn section(code: Code) -> Option<&'static str> {
    let heading = format!("## {}", code.id);
    let start = LINTS_MD.match_indices(&heading).map(|(i, _)| i).find(|&i| {
        let at_line_start = i == 0 || LINTS_MD.get(i - 1..i) == Some("\n");
        let ends_word =
            LINTS_MD.get(i + heading.len()..).is_some_and(|rest| rest.starts_with([' ', '\n']));
        at_line_start && ends_word
    })?;
    let rest = LINTS_MD.get(start..)?;
    let end = rest.get(1..).and_then(|r| r.find("\n## ")).map_or(rest.len(), |i| i + 2);
    rest.get(..end).map(str::trim_end)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::panic)]
    use super::*;

    /// Every registered code has its section, headed by its own id, and names its lint.
    #[test]
    fn every_code_has_its_section() {
        for code in codes::ALL {
            let Some(text) = section(*code) else {
                panic!("{}: no section in the lints page", code.id);
            };
            let first = text.lines().next().unwrap_or_default();
            assert!(first.starts_with(&format!("## {}", code.id)), "{first}");
            assert!(!text.contains("\n## "), "{}: runs into the next section", code.id);
            if let Some(lint) = code.lint {
                assert!(first.contains(lint), "{first}");
            }
        }
    }

    #[test]
    fn codes_are_found_by_id_or_lint_name() {
        let id = codes::MISSING_SAYS.id;
        assert_eq!(lookup(id), Some(codes::MISSING_SAYS));
        let spelt = format!("pol::{}", id.to_ascii_lowercase());
        assert_eq!(lookup(&spelt), Some(codes::MISSING_SAYS));
        assert_eq!(lookup("missing_says"), Some(codes::MISSING_SAYS));
        assert_eq!(lookup("missing_say"), None);
        assert_eq!(closest("missing_say"), Some("missing_says"));
    }
}

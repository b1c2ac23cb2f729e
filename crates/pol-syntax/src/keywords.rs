//! The words of the language: those the grammar (`pol.pest`) reads as keywords or keeps
//! from names. Tools that list them (completion in `pol lsp`, the editor grammar's test)
//! read this list; a test holds it to the grammar, so a keyword added there is missed
//! nowhere.

/// Every keyword of the language, roughly in the order a file meets them.
pub const KEYWORDS: &[&str] = &[
    "import",
    "enum",
    "fixed",
    "fact",
    "const",
    "let",
    "param",
    "from",
    "program",
    "policy",
    "constraint",
    "matches",
    "because",
    "opened",
    "closed",
    "terminated",
    "halted",
    "ended",
    "at",
    "form",
    "validity",
    "when",
    "require",
    "exclude",
    "not_required",
    "unavailable",
    "warn",
    "unless",
    "cite",
    "says",
    "and",
    "or",
    "not",
    "in",
    "true",
    "false",
    "day",
    "days",
    "month",
    "months",
    "year",
    "years",
    "set",
    "of",
    "allow",
    "reason",
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// The words the grammar's keyword rules spell: the `kw_` rules, the rule and window
    /// kinds, units, booleans and the reserved words.
    fn grammar_keywords() -> BTreeSet<&'static str> {
        let mut words = BTreeSet::new();
        for line in include_str!("pol.pest").lines() {
            let Some((rule, body)) = line.split_once('=') else {
                continue;
            };
            let rule = rule.trim();
            let keyword_rule = rule.starts_with("kw_")
                || ["rule_kind", "window_kind", "unit", "boolean", "reserved"].contains(&rule);
            if !keyword_rule {
                continue;
            }
            let literals = body.split('"').skip(1).step_by(2);
            words.extend(
                literals.filter(|w| {
                    w.len() > 1 && w.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                }),
            );
        }
        words
    }

    #[test]
    fn the_list_is_the_grammars_keywords() {
        let grammar = grammar_keywords();
        assert!(grammar.len() > 30, "{grammar:?}");
        let listed: BTreeSet<&str> = super::KEYWORDS.iter().copied().collect();
        assert_eq!(listed.len(), super::KEYWORDS.len(), "a keyword listed twice");
        let unlisted: Vec<_> = grammar.difference(&listed).collect();
        let unknown: Vec<_> = listed.difference(&grammar).collect();
        assert!(unlisted.is_empty(), "keywords of pol.pest not in KEYWORDS: {unlisted:?}");
        assert!(unknown.is_empty(), "KEYWORDS the grammar does not have: {unknown:?}");
    }
}

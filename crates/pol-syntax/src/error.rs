//! Turning pest's errors into diagnostics that speak the author's language.

use crate::ast::{DeclKeyword, RuleKind, WindowEventKind};
use crate::grammar::Rule;
use crate::{Diagnostic, FileId, Label, Span, MAX_NESTING};

/// What an author calls the thing a grammar rule matches. The match is exhaustive, so a new
/// rule cannot be added without a name for error messages.
pub(crate) fn describe(r: Rule) -> Option<&'static str> {
    Some(match r {
        Rule::EOI => "end of file",
        Rule::WHITESPACE | Rule::COMMENT | Rule::ident_char | Rule::string_inner | Rule::plain_char | Rule::not_newline | Rule::declaration => return None,
        Rule::primary => "an expression",
        Rule::file | Rule::item => "a declaration (`fact`, `enum`, `const`, `let`, `param`, `program`, `policy`, `constraint` or `import`)",
        Rule::attribute => "an attribute like `#[allow(lint, reason = \"...\")]`",
        Rule::reason => "`reason = \"...\"`",
        Rule::import => "an `import \"file.pol\"`",
        Rule::enum_decl => "an `enum` declaration",
        Rule::fact_decl => "a `fact` declaration",
        Rule::constraint_decl => "a `constraint` declaration",
        Rule::pattern_test => "`FACT matches \"PATTERN\"`",
        Rule::because => "a stated reason `because \"...\"`",
        Rule::type_expr => "a type (`bool`, `integer`, `date`, `days`, `string`, an enum name or `set of` an enum)",
        Rule::set_type => "`set of` an enum name",
        Rule::doc => "a doc string",
        Rule::const_decl => "a `const` declaration",
        Rule::let_decl => "a `let` declaration",
        Rule::param_decl => "a `param` declaration",
        Rule::param_value => "a dated value like `from 2024-04-01 = 630`",
        Rule::program_decl => "a `program` declaration",
        Rule::window_event => "a window date (`opened`, `closed`, `terminated`, `halted` or `ended`)",
        Rule::window_kind => "`opened`, `closed`, `terminated`, `halted` or `ended`",
        Rule::window_date => "a date like 2025-03-25 or the name of a date constant",
        Rule::policy_decl => "a `policy` declaration",
        Rule::policy_item => "a policy line (`program`, `form`, `validity`, `require`, `exclude`, `not_required`, `unavailable` or `warn`)",
        Rule::program_use => "`program NAME`",
        Rule::forms_decl => "`form I-131, ...`",
        Rule::form_name => "a form name like `I-131`",
        Rule::validity_decl => "`validity DURATION`",
        Rule::rule => "a rule (`require`, `exclude`, `not_required`, `unavailable` or `warn`)",
        Rule::rule_kind => "`require`, `exclude`, `not_required`, `unavailable` or `warn`",
        Rule::unless_clause => "`unless CONDITION`",
        Rule::citation => "a citation `cite \"...\"`",
        Rule::says => "the rule's reason in plain words `says \"...\"`",
        Rule::expr
        | Rule::conjunction
        | Rule::negation
        | Rule::comparison
        | Rule::sum
        | Rule::paren => "an expression",
        Rule::compare_tail => "a comparison",
        Rule::membership_tail => "`in` or `not in`",
        Rule::compare_op => "a comparison operator (`==`, `!=`, `<`, `<=`, `>`, `>=`)",
        Rule::in_op => "`in` or `not in`",
        Rule::range_op => "`..` or `..=`",
        Rule::add_op => "`+` or `-`",
        Rule::set_literal => "a set like `{a, b}`",
        Rule::duration => "a duration like `90 days`",
        Rule::unit => "a unit (`days`, `months` or `years`)",
        Rule::boolean => "`true` or `false`",
        Rule::date => "a date like 2025-03-25",
        Rule::integer => "an integer",
        Rule::string => "a string in double quotes",
        Rule::path => "a name",
        Rule::ident | Rule::word => "a name",
        Rule::reserved => "a reserved word",
        Rule::lparen => "`(`",
        Rule::rparen => "`)`",
        Rule::lbrace => "`{`",
        Rule::rbrace => "`}`",
        Rule::comma => "`,`",
        Rule::colon => "`:`",
        Rule::equals => "`=`",
        Rule::kw_allow => "`allow`",
        Rule::kw_reason => "`reason`",
        Rule::kw_import => "`import`",
        Rule::kw_enum => "`enum`",
        Rule::kw_fact => "`fact`",
        Rule::kw_fixed => "`fixed`",
        Rule::kw_constraint => "`constraint`",
        Rule::kw_matches => "`matches`",
        Rule::kw_because => "`because`",
        Rule::kw_set => "`set`",
        Rule::kw_of => "`of`",
        Rule::kw_const => "`const`",
        Rule::kw_let => "`let`",
        Rule::kw_param => "`param`",
        Rule::kw_from => "`from`",
        Rule::kw_program => "`program`",
        Rule::kw_policy => "`policy`",
        Rule::kw_at => "`at`",
        Rule::kw_form => "`form`",
        Rule::kw_validity => "`validity`",
        Rule::kw_when => "`when`",
        Rule::kw_unless => "`unless`",
        Rule::kw_cite => "`cite`",
        Rule::kw_says => "`says`",
        Rule::kw_and => "`and`",
        Rule::kw_or => "`or`",
        Rule::kw_not => "`not`",
        Rule::kw_in => "`in`",
    })
}

/// Converts a pest error into a diagnostic naming what was expected. pest parsed the text
/// from `base` on; `text` is the whole file. Returns the diagnostic, the offset of the error
/// in the file, and whether a `}` was among the things expected there.
pub(crate) fn from_pest(
    file: FileId,
    text: &str,
    base: usize,
    err: pest::error::Error<Rule>,
) -> (Diagnostic, usize, bool) {
    let pos = base
        + match err.location {
            pest::error::InputLocation::Pos(p) => p,
            pest::error::InputLocation::Span((s, _)) => s,
        };
    let positives: &[Rule] = match &err.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => positives,
        pest::error::ErrorVariant::CustomError { .. } => &[],
    };
    let wants_close_brace = positives.contains(&Rule::rbrace);
    // pest reports a string it cannot read at its opening quote, as if no string were
    // there; say what is wrong with it instead.
    if let Some(d) = bad_string(file, text, pos) {
        return (d, pos, wants_close_brace);
    }
    let mut expected: Vec<&'static str> = positives.iter().filter_map(|r| describe(*r)).collect();
    expected.sort_unstable_by_key(|e| (reading_order(e), *e));
    expected.dedup();
    // An expression is a superset of its pieces; say the general thing once.
    if expected.contains(&"an expression") {
        expected.retain(|e| {
            !matches!(
                *e,
                "a name"
                    | "an integer"
                    | "a date like 2025-03-25"
                    | "a string in double quotes"
                    | "`true` or `false`"
                    | "a duration like `90 days`"
                    | "a set like `{a, b}`"
                    | "`(`"
                    | "`not`"
            )
        });
    }
    let found = found_at(text, pos);
    let span = Span::new(file, pos, pos + found.1);
    let message = if expected.is_empty() {
        format!("unexpected {}", found.0)
    } else {
        format!("expected {}, found {}", join_or(&expected), found.0)
    };
    let label = if expected.is_empty() {
        "not expected here".to_string()
    } else {
        format!("expected {} here", join_or(&expected))
    };
    let construct = Construct::around(text, pos, positives);
    let diagnostic = Diagnostic::new(crate::codes::SYNTAX, message, Label::new(span, label))
        .with_help(help_for(&expected, &found.0, construct));
    (diagnostic, pos, wants_close_brace)
}

/// The error in a string starting at `pos` that the grammar cannot read: no closing quote
/// on its line, or an escape other than `\"`, `\\` and `\n`.
fn bad_string(file: FileId, text: &str, pos: usize) -> Option<Diagnostic> {
    let token = crate::scan::scan_from(text, pos).next()?;
    let crate::scan::TokenKind::String { terminated } = token.kind else {
        return None;
    };
    if !terminated {
        return Some(
            Diagnostic::new(
                crate::codes::SYNTAX,
                "this string is not closed on its line",
                Label::new(
                    Span::new(file, token.start, token.end),
                    "no closing `\"` before the end of the line",
                ),
            )
            .with_help("end the string with `\"` on the same line; write a quote inside a string as `\\\"`"),
        );
    }
    let body = token.text(text);
    let mut chars = body.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            continue;
        }
        match chars.next() {
            Some((_, '"' | '\\' | 'n')) => {}
            Some((j, other)) => {
                let at = token.start + i;
                return Some(
                    Diagnostic::new(
                        crate::codes::SYNTAX,
                        format!("unknown escape `\\{}` in a string", other.escape_default()),
                        Label::new(
                            Span::new(file, at, token.start + j + other.len_utf8()),
                            "not an escape",
                        ),
                    )
                    .with_help("a string may hold `\\\"` (a quote), `\\\\` (a backslash) and `\\n` (a new line)"),
                );
            }
            None => {}
        }
    }
    None
}

/// A bug in the parser: the grammar accepted a shape its conversion does not expect.
pub(crate) fn internal(span: Span, what: &str) -> Diagnostic {
    Diagnostic::new(
        crate::codes::INTERNAL,
        format!("internal parser error: {what}"),
        Label::new(span, "here"),
    )
    .with_help("this is a bug in pol; please report it with the file")
}

/// Brackets nested more than [`MAX_NESTING`] deep, the one at `at` being too deep.
pub(crate) fn too_deep(file: FileId, at: usize) -> Diagnostic {
    Diagnostic::new(
        crate::codes::NESTING_TOO_DEEP,
        format!("brackets are nested more than {MAX_NESTING} levels deep"),
        Label::new(Span::new(file, at, at + 1), "this bracket is too deep"),
    )
    .with_help("name an inner part with `let NAME = ...` and use the name instead")
}

/// Where an expected thing stands in the list an author reads: what closes the construct
/// first (`}`, `)`), then other punctuation, then keywords, then descriptions ("a policy
/// line (...)"), so that a list reads "expected `}` or a policy line (...)" rather than
/// ending on a lone bracket after a list of keywords.
fn reading_order(expected: &str) -> u8 {
    match expected {
        "`}`" | "`)`" => 0,
        _ if expected.starts_with('`')
            && !expected.trim_matches('`').chars().any(char::is_alphanumeric) =>
        {
            1
        }
        _ if expected.starts_with('`') => 2,
        "end of file" => 4,
        _ => 3,
    }
}

/// Describes the token at `pos` and its length in bytes.
fn found_at(text: &str, pos: usize) -> (String, usize) {
    let rest = text.get(pos..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        return ("end of file".to_string(), 0);
    };
    if first.is_alphanumeric() || first == '_' {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
            .take(40)
            .collect();
        let len = word.len();
        return (format!("`{word}`"), len);
    }
    if first == '\n' || first == '\r' {
        return ("end of line".to_string(), 0);
    }
    if first == '\0' {
        return ("a NUL byte".to_string(), 1);
    }
    if first == '"' {
        let len = crate::scan::scan_from(text, pos).next().map_or(1, |t| t.end - t.start);
        return ("a string".to_string(), len);
    }
    (format!("`{}`", first.escape_default()), first.len_utf8())
}

fn help_for(expected: &[&str], found: &str, construct: Option<Construct>) -> String {
    if expected.contains(&"a stated reason `because \"...\"`") {
        return "a constraint ends with its source or its reason: `cite \"...\"` or `because \"...\"`"
            .to_string();
    }
    if expected.contains(&"a citation `cite \"...\"`") && expected.len() <= 4 {
        return "every rule ends with its source: `cite \"seed 001: ...\"`".to_string();
    }
    if expected.contains(&"`:`") {
        return "a rule reads `require NAME: CONDITION`, a fact `fact NAME: TYPE`".to_string();
    }
    if found.starts_with("`=`") {
        return "compare with `==`; `=` only introduces a value in `const`, `let` and `param`"
            .to_string();
    }
    if found.starts_with("`&`") || found.starts_with("`|`") || found.starts_with("`!`") {
        return "write logic with the words `and`, `or` and `not`".to_string();
    }
    match construct {
        Some(c) => format!("{} is written `{}`", c.noun(), c.shape()),
        // Outside any construct, where only a declaration's keyword may stand (an installed
        // `pol` has no docs to point at).
        None => "begin each declaration with one of the keywords named, spelt as shown".to_string(),
    }
}

/// The construct a syntax error stands in, for the help line that shows how it is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Construct {
    /// A declaration, by the keyword it starts with.
    Declaration(DeclKeyword),
    /// The lines of a policy: `program NAME`, `form ...`, `validity ...` and its rules.
    ProgramUse,
    Forms,
    Validity,
    Rule,
}

/// How far back [`Construct::around`] looks for the line that starts the construct.
const LINES_BACK: usize = 200;

impl Construct {
    /// The construct the error at `pos` stands in: the one whose keyword starts the nearest
    /// line above the error (lines that go on a construct, such as `unless`, `cite` or a
    /// program's window dates, belong to the one above them). `None` where a declaration
    /// may start, since then the error is not inside one; between the lines of a policy,
    /// the policy. Strings end on their line, so a line's first word is never inside one.
    fn around(text: &str, pos: usize, positives: &[Rule]) -> Option<Construct> {
        if positives.iter().any(|r| {
            matches!(r, Rule::item | Rule::kw_fact | Rule::kw_import | Rule::kw_enum | Rule::EOI)
        }) {
            return None;
        }
        if positives.iter().any(|r| matches!(r, Rule::policy_item | Rule::rule | Rule::rule_kind)) {
            return Some(Construct::Declaration(DeclKeyword::Policy));
        }
        let before = text.get(..pos)?;
        before.rsplit('\n').take(LINES_BACK).enumerate().find_map(|(i, line)| {
            let words = line.trim_start();
            // The error's own line counts only when a word stands before the error.
            if i == 0 && words.is_empty() {
                return None;
            }
            let indented = words.len() < line.len();
            let word = words.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next()?;
            Construct::starting_with(word, indented)
        })
    }

    /// The construct a line starting with `word` begins or goes on.
    fn starting_with(word: &str, indented: bool) -> Option<Construct> {
        // A policy's `program` line is indented; a `program` declaration is not.
        if word == "program" && indented {
            return Some(Construct::ProgramUse);
        }
        let declaration = if DeclKeyword::MODIFIERS.contains(&word) {
            Some(DeclKeyword::Fact)
        } else if word == "from" {
            Some(DeclKeyword::Param)
        } else if WindowEventKind::from_word(word).is_some() {
            Some(DeclKeyword::Program)
        } else {
            DeclKeyword::from_word(word)
        };
        if let Some(k) = declaration {
            return Some(Construct::Declaration(k));
        }
        match word {
            "form" => Some(Construct::Forms),
            "validity" => Some(Construct::Validity),
            _ => RuleKind::from_word(word).map(|_| Construct::Rule),
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Construct::Declaration(k) => match k {
                DeclKeyword::Import => "an import",
                DeclKeyword::Enum => "an enum",
                DeclKeyword::Fact => "a fact",
                DeclKeyword::Const => "a constant",
                DeclKeyword::Let => "a named condition",
                DeclKeyword::Param => "a dated parameter",
                DeclKeyword::Program => "a program",
                DeclKeyword::Policy => "a policy",
                DeclKeyword::Constraint => "a constraint",
            },
            Construct::ProgramUse => "a policy's program",
            Construct::Forms => "a policy's forms",
            Construct::Validity => "a policy's validity",
            Construct::Rule => "a rule",
        }
    }

    /// How the construct is written, with its optional parts; the words in capitals stand
    /// for what the author writes (a test holds each shape to the grammar).
    fn shape(self) -> &'static str {
        match self {
            Construct::Declaration(k) => match k {
                DeclKeyword::Import => r#"import "facts.pol""#,
                DeclKeyword::Enum => r#"enum NAME { word, word } "what it is""#,
                DeclKeyword::Fact => r#"fact PATH: TYPE "the question to ask""#,
                DeclKeyword::Const => r#"const NAME = VALUE cite "...""#,
                DeclKeyword::Let => "let NAME = CONDITION",
                DeclKeyword::Param => {
                    r#"param NAME: TYPE "what it is" { from DATE = VALUE cite "..." }"#
                }
                DeclKeyword::Program => {
                    r#"program NAME "what it is" { opened DATE cite "..."  terminated DATE cite "..." }"#
                }
                DeclKeyword::Policy => {
                    r#"policy NAME "the question" { program NAME  require NAME: CONDITION cite "..." }"#
                }
                DeclKeyword::Constraint => r#"constraint NAME: CONDITION because "...""#,
            },
            Construct::ProgramUse => r#"program NAME at DATE cite "...""#,
            Construct::Forms => r#"form I-131, I-134 when CONDITION cite "...""#,
            Construct::Validity => r#"validity 365 days when CONDITION cite "...""#,
            Construct::Rule => r#"require NAME: CONDITION unless CONDITION cite "..." says "...""#,
        }
    }
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use super::*;

    /// Each shape, its capitals filled in, parses: the help never shows a form the grammar
    /// refuses. Policy lines are tried inside a policy.
    #[test]
    fn every_construct_shape_parses() {
        let policy_lines =
            [Construct::ProgramUse, Construct::Forms, Construct::Validity, Construct::Rule];
        let declarations = DeclKeyword::ALL.map(Construct::Declaration);
        for c in declarations.into_iter().chain(policy_lines) {
            let filled = c
                .shape()
                .replace("PATH", "a.b")
                .replace("NAME", "x")
                .replace("TYPE", "bool")
                .replace("VALUE", "1")
                .replace("DATE", "2025-01-01")
                .replace("CONDITION", "a.b");
            let text = match c {
                Construct::Declaration(_) => format!("{filled}\n"),
                _ => format!("policy p \"q\" {{\n  {filled}\n}}\n"),
            };
            let parsed = crate::parse(FileId(0), &text);
            assert!(parsed.is_ok(), "{c:?}: {text}\n{:?}", parsed.errors);
        }
    }

    /// The help of the first error in `text`.
    fn help(text: &str) -> String {
        let parsed = crate::parse(FileId(0), text);
        let first = parsed.errors.first().unwrap_or_else(|| panic!("no error: {text}"));
        first.help.clone().unwrap_or_default()
    }

    #[test]
    fn the_help_shows_how_the_construct_around_the_error_is_written() {
        let program = help("program kids opened 2024-01-01 cite \"x\"\n");
        assert!(program.starts_with("a program is written `program NAME"), "{program}");
        // A line that goes on a construct belongs to it.
        let rule = help("policy p \"q\" {\n  require a: b.c\n    unless cite \"x\"\n}\n");
        assert!(rule.starts_with("a rule is written `require NAME"), "{rule}");
        let window = help("program p \"q\" {\n  opened 2024-01-01\n  terminated soon later\n}\n");
        assert!(window.starts_with("a program is written"), "{window}");
        // Between the lines of a policy, the policy.
        let policy = help("policy p \"q\" {\n  requre a: b cite \"x\"\n}\n");
        assert!(policy.starts_with("a policy is written"), "{policy}");
    }

    /// Where a declaration may start, the error is in none: the declaration above is not
    /// blamed for a misspelt keyword below it.
    #[test]
    fn a_misspelt_declaration_is_not_blamed_on_the_one_above() {
        let text = "fact a: bool \"x\"\npolcy p \"q\" {\n}\n";
        let h = help(text);
        assert!(!h.contains("a fact is written"), "{h}");
    }
}

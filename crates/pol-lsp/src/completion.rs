//! Completion: fact paths segment by segment, the enum words valid at the cursor, types,
//! programs, keywords, declared names, and lint names in an `#[allow(...)]`.
//!
//! What is declared, and the type of each name, come from the symbol index. Only the
//! cursor's context (after `applicant.`, after `applicant.status ==`, inside `in { ... }`)
//! is read from the text around it: while an author types, the line under the cursor
//! rarely parses.

use std::collections::BTreeMap;

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, Documentation, MarkupContent,
    MarkupKind, TextEdit,
};
use pol_compiler::symbols::{Symbol, SymbolKind};
use pol_syntax::codes::{self, Level};
use pol_syntax::{FileId, Span};

use crate::workspace::Analysis;

/// The completions at byte `offset` of `file`. `trigger` is the character that asked for
/// them, if one did: after `.`, `{` or `,` only a context that wants something gets any.
pub fn complete(
    a: &Analysis,
    file: FileId,
    offset: u32,
    trigger: Option<&str>,
) -> Vec<CompletionItem> {
    let text = a.text(file);
    let offset = (offset as usize).min(text.len());
    let Some(before) = text.get(..offset) else {
        return Vec::new();
    };
    let word_start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .map_or(0, |i| i + 1);
    let prefix = before.get(word_start..).unwrap_or("");
    let scope = Scope::new(a, file);
    if let Some(dot) = prefix.rfind('.') {
        let segment_start = word_start + dot + 1;
        let edit = Span::new(file, segment_start, offset);
        return fact_segments(a, &scope, prefix.get(..dot).unwrap_or(""), edit);
    }
    let edit = Span::new(file, word_start, offset);
    let head = before.get(..word_start).unwrap_or("");
    if let Some(listed) = allowed_so_far(head) {
        return lint_names(a, &listed, edit);
    }
    if let Some(subject) = compared_with(head).or_else(|| set_member_of(head)) {
        let listed = listed_words(head);
        return enum_words(a, subject, &listed, edit);
    }
    if matches!(trigger, Some(".") | Some("{") | Some(",")) {
        return Vec::new();
    }
    let previous = last_word(head.trim_end());
    if previous == Some("program") {
        return declared(a, &scope, |k| k == SymbolKind::Program, edit);
    }
    if head.trim_end().ends_with(':') && declares_type(head) {
        let mut items = declared(a, &scope, |k| k == SymbolKind::Enum, edit);
        items.extend(keywords(TYPES, CompletionItemKind::TYPE_PARAMETER, edit, a));
        items.extend(keywords(&["set of"], CompletionItemKind::KEYWORD, edit, a));
        return items;
    }
    let mut items = keywords(pol_syntax::KEYWORDS, CompletionItemKind::KEYWORD, edit, a);
    items.extend(keywords(BUILT_IN_NAMES, CompletionItemKind::KEYWORD, edit, a));
    items.extend(declared(a, &scope, |k| k.is_value() && k != SymbolKind::Fact, edit));
    items.extend(fact_segments(a, &scope, "", edit));
    items
}

/// The names visible from a file: its own and those of the files it imports (all of them
/// when the file does not parse, as its imports are then unknown).
struct Scope {
    files: Option<Vec<FileId>>,
}

impl Scope {
    fn new(a: &Analysis, file: FileId) -> Scope {
        if a.is_broken(file) {
            return Scope { files: None };
        }
        let mut files = vec![file];
        files.extend(
            a.compilation.index.imports.iter().filter(|i| i.span.file == file).map(|i| i.file),
        );
        Scope { files: Some(files) }
    }

    fn sees(&self, s: &Symbol) -> bool {
        self.files.as_ref().is_none_or(|f| f.contains(&s.name_span.file))
    }
}

/// The next segment of every fact path that starts with `parent.` (or every first segment
/// when `parent` is empty): `applicant.` gives `status`, `pending`, ...
fn fact_segments(a: &Analysis, scope: &Scope, parent: &str, edit: Span) -> Vec<CompletionItem> {
    let mut segments: BTreeMap<&str, Option<&Symbol>> = BTreeMap::new();
    for s in &a.compilation.index.symbols {
        if !s.kind.is_value() || !scope.sees(s) {
            continue;
        }
        let rest = if parent.is_empty() {
            s.name.as_str()
        } else {
            match s.name.strip_prefix(parent).and_then(|r| r.strip_prefix('.')) {
                Some(r) => r,
                None => continue,
            }
        };
        // Top-level names other than facts are offered by name, not here.
        if parent.is_empty() && s.kind != SymbolKind::Fact {
            continue;
        }
        match rest.split_once('.') {
            Some((segment, _)) => {
                segments.entry(segment).or_insert(None);
            }
            None => {
                segments.insert(rest, Some(s));
            }
        }
    }
    segments
        .into_iter()
        .map(|(segment, leaf)| match leaf {
            Some(s) => item(a, segment, CompletionItemKind::FIELD, s, edit),
            None => CompletionItem {
                label: segment.to_string(),
                kind: Some(CompletionItemKind::MODULE),
                detail: Some(format!(
                    "{}{segment}.…",
                    if parent.is_empty() { String::new() } else { format!("{parent}.") }
                )),
                text_edit: Some(text_edit(a, edit, segment)),
                ..CompletionItem::default()
            },
        })
        .collect()
}

/// The words of the enum of the value called `subject`, less those already `listed`.
fn enum_words(a: &Analysis, subject: &str, listed: &[&str], edit: Span) -> Vec<CompletionItem> {
    let index = &a.compilation.index;
    let Some(enum_id) = index.value_named(subject).and_then(|(_, s)| s.info.enum_type) else {
        return Vec::new();
    };
    index
        .children(enum_id)
        .filter(|(_, w)| !listed.contains(&w.name.as_str()))
        .map(|(_, w)| item(a, &w.name, CompletionItemKind::ENUM_MEMBER, w, edit))
        .collect()
}

/// Declarations of the kinds `wanted` admits, by name.
fn declared(
    a: &Analysis,
    scope: &Scope,
    wanted: impl Fn(SymbolKind) -> bool,
    edit: Span,
) -> Vec<CompletionItem> {
    let index = &a.compilation.index;
    index
        .symbols
        .iter()
        .filter(|s| wanted(s.kind) && scope.sees(s))
        .map(|s| {
            let kind = match s.kind {
                SymbolKind::Const | SymbolKind::Param => CompletionItemKind::CONSTANT,
                SymbolKind::Let => CompletionItemKind::VARIABLE,
                SymbolKind::Enum => CompletionItemKind::ENUM,
                SymbolKind::Program => CompletionItemKind::EVENT,
                _ => CompletionItemKind::TEXT,
            };
            item(a, &s.name, kind, s, edit)
        })
        .collect()
}

fn item(
    a: &Analysis,
    label: &str,
    kind: CompletionItemKind,
    s: &Symbol,
    edit: Span,
) -> CompletionItem {
    let detail = match s.kind {
        SymbolKind::EnumWord | SymbolKind::Enum | SymbolKind::Program => {
            s.info.type_name.clone().or_else(|| Some(s.kind.keyword().to_string()))
        }
        _ => s.info.type_name.clone(),
    };
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        documentation: s.info.doc.as_ref().map(|d| {
            Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::PlainText,
                value: d.clone(),
            })
        }),
        text_edit: Some(text_edit(a, edit, label)),
        ..CompletionItem::default()
    }
}

fn keywords(
    words: &[&str],
    kind: CompletionItemKind,
    edit: Span,
    a: &Analysis,
) -> Vec<CompletionItem> {
    words
        .iter()
        .map(|w| CompletionItem {
            label: (*w).to_string(),
            kind: Some(kind),
            text_edit: Some(text_edit(a, edit, w)),
            ..CompletionItem::default()
        })
        .collect()
}

fn text_edit(a: &Analysis, span: Span, text: &str) -> CompletionTextEdit {
    CompletionTextEdit::Edit(TextEdit::new(a.range(span), text.to_string()))
}

/// The lints not yet named in the `#[allow(...)]` the cursor is in, each with its code,
/// its default level and its summary.
fn lint_names(a: &Analysis, listed: &[&str], edit: Span) -> Vec<CompletionItem> {
    codes::ALL
        .iter()
        .filter_map(|c| Some((c, c.lint?)))
        .filter(|(_, name)| !listed.contains(name))
        .map(|(c, name)| CompletionItem {
            label: name.to_string(),
            kind: Some(CompletionItemKind::VALUE),
            detail: Some(format!("{} · {}", c.id, level_words(a.lints.level(*c)))),
            documentation: Some(Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::PlainText,
                value: c.summary.to_string(),
            })),
            text_edit: Some(text_edit(a, edit, name)),
            ..CompletionItem::default()
        })
        .collect()
}

/// A lint's level as a word for people.
pub fn level_words(level: Level) -> &'static str {
    match level {
        Level::Allow => "off",
        Level::Warn => "a warning",
        Level::Deny => "an error",
    }
}

/// The lint names already written in the `#[allow(` the cursor is in, before its
/// `reason`; `None` when the cursor is not among its lint names.
pub fn allowed_so_far(head: &str) -> Option<Vec<&str>> {
    let line = head.rsplit('\n').next().unwrap_or("");
    let open = line.rfind("#[allow(")?;
    let inside = line.get(open + "#[allow(".len()..)?;
    let names_only = inside
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ',' || c.is_whitespace());
    if !names_only || inside.contains("reason") {
        return None;
    }
    Some(inside.split(|c: char| c == ',' || c.is_whitespace()).filter(|w| !w.is_empty()).collect())
}

/// The subject of a comparison the cursor is the right side of: `applicant.status ==`.
fn compared_with(head: &str) -> Option<&str> {
    let rest = head.trim_end();
    let rest = rest.strip_suffix("==").or_else(|| rest.strip_suffix("!="))?;
    last_path(rest.trim_end())
}

/// The subject of a set the cursor is inside of: `reason in {funeral, `.
fn set_member_of(head: &str) -> Option<&str> {
    // Back over the words and commas already in the set, to its `{`.
    let open = head.rfind(|c: char| {
        !(c.is_ascii_alphanumeric() || c == '_' || c == ',' || c.is_whitespace())
    })?;
    if head.get(open..open + 1) != Some("{") {
        return None;
    }
    let before = head.get(..open)?.trim_end();
    let before = before.strip_suffix("in")?;
    // `in` as a word: `...status in {`, not `...contain{`.
    if !before.ends_with(char::is_whitespace) {
        return None;
    }
    let before = before.trim_end();
    let before = before.strip_suffix("not").map_or(before, str::trim_end);
    last_path(before)
}

/// The words already written in the set the cursor is in.
fn listed_words(head: &str) -> Vec<&str> {
    let Some(open) = head.rfind('{') else {
        return Vec::new();
    };
    head.get(open + 1..)
        .unwrap_or("")
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The dotted name `text` ends with.
fn last_path(text: &str) -> Option<&str> {
    let start = text
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .map_or(0, |i| i + 1);
    text.get(start..).filter(|p| !p.is_empty())
}

/// The word `text` ends with.
fn last_word(text: &str) -> Option<&str> {
    let start = text.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
    text.get(start..).filter(|p| !p.is_empty())
}

/// Whether the line before the cursor declares a fact or parameter, whose type follows.
fn declares_type(head: &str) -> bool {
    let line = head.rsplit('\n').next().unwrap_or("").trim_start();
    line.starts_with("fact ") || line.starts_with("fixed fact ") || line.starts_with("param ")
}

/// Names the language gives a meaning beside its keywords ([`pol_syntax::KEYWORDS`]).
const BUILT_IN_NAMES: &[&str] = &["as_of"];

/// The types the language names itself.
const TYPES: &[&str] = &["bool", "integer", "date", "days", "months", "years", "string"];

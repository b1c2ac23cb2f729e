//! Hover: what a name is, from the symbol index. A fact shows its type, doc string, whether
//! it is `fixed` and the constraints that read it; an enum word its enum, a rule its
//! citation, a constant its value, a dated parameter each of its periods, a constraint what
//! it states and its citation or reason; every hover ends with where the name is declared.
//! A lint name in an `#[allow(...)]` shows its code, what it finds and its level here.

use std::fmt::Write as _;

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};
use pol_compiler::symbols::{Symbol, SymbolId, SymbolKind};
use pol_syntax::{codes, FileId, Span};

use crate::workspace::Analysis;

/// The hover at byte `offset` of `file`, if a name is there.
pub fn hover(a: &Analysis, file: FileId, offset: u32) -> Option<Hover> {
    if let Some(found) = lint_at(a, file, offset) {
        return Some(found);
    }
    let index = &a.compilation.index;
    let (id, span) = index.at(file, offset)?;
    let sym = index.symbol(id)?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown(a, id, sym),
        }),
        range: Some(a.range(span)),
    })
}

/// The hover of a lint name among the names of an `#[allow(...)]`, if one is at `offset`.
fn lint_at(a: &Analysis, file: FileId, offset: u32) -> Option<Hover> {
    let text = a.text(file);
    let at = (offset as usize).min(text.len());
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let start = text.get(..at)?.rfind(|c: char| !is_name(c)).map_or(0, |i| i + 1);
    let end = text.get(at..)?.find(|c: char| !is_name(c)).map_or(text.len(), |i| at + i);
    crate::completion::allowed_so_far(text.get(..start)?)?;
    let code = codes::lint_named(text.get(start..end)?)?;
    let name = code.lint?;
    let level = crate::completion::level_words(a.lints.level(code));
    let default = crate::completion::level_words(code.default_level);
    let value = format!(
        "**`{name}`** · lint {}\n\n{}.\n\nHere {level} (by default {default}).",
        code.id,
        crate::capitalize(code.summary),
    );
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value }),
        range: Some(a.range(Span::new(file, start, end))),
    })
}

/// The hover text of a symbol: a `pol` code line saying what it is, then its doc string,
/// value, periods and citation, then where it is declared.
pub fn markdown(a: &Analysis, id: SymbolId, sym: &Symbol) -> String {
    let index = &a.compilation.index;
    let info = &sym.info;
    let mut out = String::from("```pol\n");
    let ty = info.type_name.as_deref();
    match sym.kind {
        SymbolKind::Fact => {
            let fixed = if info.fixed { "fixed " } else { "" };
            let _ = write!(out, "{fixed}fact {}: {}", sym.name, ty.unwrap_or("?"));
        }
        SymbolKind::Const => {
            let _ = write!(out, "const {}", sym.name);
            if let Some(ty) = ty {
                let _ = write!(out, ": {ty}");
            }
            if let Some(v) = &info.value {
                let _ = write!(out, " = {v}");
            }
        }
        SymbolKind::Let => {
            let _ = write!(out, "let {}", sym.name);
            if let Some(ty) = ty {
                let _ = write!(out, ": {ty}");
            }
        }
        SymbolKind::Param => {
            let _ = write!(out, "param {}: {}", sym.name, ty.unwrap_or("?"));
        }
        SymbolKind::Enum => {
            let words: Vec<&str> = index.children(id).map(|(_, w)| w.name.as_str()).collect();
            let _ = write!(out, "enum {} {{ {} }}", sym.name, words.join(", "));
        }
        SymbolKind::EnumWord => {
            let _ = write!(out, "{}: {}", sym.name, ty.unwrap_or("?"));
        }
        SymbolKind::Program => {
            let _ = write!(out, "program {}", sym.name);
        }
        SymbolKind::Policy => {
            let _ = write!(out, "policy {}", sym.name);
        }
        SymbolKind::Rule(kind) => {
            let policy = sym.parent.and_then(|p| index.symbol(p));
            let _ = write!(out, "{} {}", kind.keyword(), sym.name);
            if let Some(p) = policy {
                let _ = write!(out, "  # in policy {}", p.name);
            }
        }
        SymbolKind::Constraint => {
            let _ = write!(out, "constraint {}", sym.name);
            if let Some(statement) = info.statement {
                let _ = write!(out, ": {}", a.compilation.sources.snippet(statement));
            }
        }
    }
    out.push_str("\n```\n");
    if let Some(doc) = &info.doc {
        let _ = write!(out, "\n{}\n", escape(doc));
    }
    if sym.kind == SymbolKind::EnumWord {
        let doc = info.enum_type.and_then(|e| index.symbol(e)).and_then(|e| e.info.doc.as_deref());
        if let Some(doc) = doc {
            let _ = write!(out, "\n{}\n", escape(doc));
        }
    }
    if !info.periods.is_empty() {
        out.push_str("\n| from | value | source |\n|---|---|---|\n");
        for p in &info.periods {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                p.from,
                cell(&p.value),
                p.cite.as_deref().map_or("(no citation)".to_string(), cell)
            );
        }
    }
    for w in &info.window {
        let _ = write!(out, "\n{} {}", w.event, w.date);
        if let Some(c) = &w.cite {
            let _ = write!(out, ": *{}*", escape(c));
        }
        out.push('\n');
    }
    if let Some(cite) = &info.cite {
        let _ = write!(out, "\ncite: *{}*\n", escape(cite));
    }
    if let Some(because) = &info.because {
        let _ = write!(out, "\nbecause: *{}*\n", escape(because));
    }
    if info.fixed {
        out.push_str(
            "\nFixed: neither the person nor their case can change it, so what would change \
             a decision never changes it.\n",
        );
    }
    if sym.kind == SymbolKind::Fact {
        constraints_on(a, id, &mut out);
    }
    let line = a.compilation.sources.line_col(sym.name_span).0;
    let _ = write!(out, "\ndeclared in `{}`, line {line}", a.display_name(sym.name_span.file));
    out
}

/// The constraints whose statement reads the fact `id`, one line each.
fn constraints_on(a: &Analysis, id: SymbolId, out: &mut String) {
    let index = &a.compilation.index;
    let uses: Vec<pol_syntax::Span> = index.references_to(id).collect();
    let reads = |statement: pol_syntax::Span| {
        uses.iter().any(|u| {
            u.file == statement.file && statement.start <= u.start && u.end <= statement.end
        })
    };
    let mut first = true;
    for c in &index.symbols {
        let Some(statement) = c.info.statement.filter(|s| reads(*s)) else {
            continue;
        };
        if first {
            out.push_str("\nConstrained by:\n");
            first = false;
        }
        let _ = writeln!(
            out,
            "- `{}`: `{}`",
            c.name,
            one_line(a.compilation.sources.snippet(statement)).replace('`', "'")
        );
    }
}

/// Text on one line, each run of blanks and line ends one space.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text shown as Markdown: characters Markdown would read as markup are escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Text for a table cell: escaped, on one line.
fn cell(text: &str) -> String {
    escape(&text.replace('\n', " "))
}

//! Hover: what a name is, from the symbol index. A fact shows its type and doc string, an
//! enum word its enum, a rule its citation, a constant its value, a dated parameter each
//! of its periods; every hover ends with where the name is declared.

use std::fmt::Write as _;

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};
use pol_compiler::symbols::{Symbol, SymbolId, SymbolKind};
use pol_syntax::FileId;

use crate::workspace::Analysis;

/// The hover at byte `offset` of `file`, if a name is there.
pub fn hover(a: &Analysis, file: FileId, offset: u32) -> Option<Hover> {
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

/// The hover text of a symbol: a `pol` code line saying what it is, then its doc string,
/// value, periods and citation, then where it is declared.
pub fn markdown(a: &Analysis, id: SymbolId, sym: &Symbol) -> String {
    let index = &a.compilation.index;
    let info = &sym.info;
    let mut out = String::from("```pol\n");
    let ty = info.type_name.as_deref();
    match sym.kind {
        SymbolKind::Fact => {
            let _ = write!(out, "fact {}: {}", sym.name, ty.unwrap_or("?"));
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
    }
    out.push_str("\n```\n");
    if let Some(doc) = &info.doc {
        let _ = write!(out, "\n{}\n", escape(doc));
    }
    if sym.kind == SymbolKind::EnumWord {
        let doc = info
            .enum_type
            .and_then(|e| index.symbol(e))
            .and_then(|e| e.info.doc.as_deref());
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
    let line = a.compilation.sources.line_col(sym.name_span).0;
    let _ = write!(
        out,
        "\ndeclared in `{}`, line {line}",
        a.display_name(sym.name_span.file)
    );
    out
}

/// Text shown as Markdown: characters Markdown would read as markup are escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|'
        ) {
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

//! Go to definition, find references, outlines and rename, all read off the compiler's
//! symbol index: the server resolves no name itself.

use std::collections::HashMap;

use lsp_types::{
    DocumentHighlight, DocumentHighlightKind, DocumentSymbol, Location, PrepareRenameResponse,
    SymbolInformation, SymbolKind as LspKind, TextEdit, Url, WorkspaceEdit,
};
use pol_compiler::symbols::{Symbol, SymbolId, SymbolKind};
use pol_syntax::{FileId, Span};

use crate::workspace::Analysis;

/// Where the name at `offset` is declared; on an `import`, the imported file.
pub fn definition(a: &Analysis, file: FileId, offset: u32) -> Option<Location> {
    let index = &a.compilation.index;
    if let Some(import) = index
        .imports
        .iter()
        .find(|i| i.span.file == file && i.span.start <= offset && offset <= i.span.end)
    {
        return a.location(Span::new(import.file, 0, 0));
    }
    let sym = index.symbol(index.at(file, offset)?.0)?;
    a.location(sym.name_span)
}

/// Every use of the name at `offset`, and its declaration if asked.
pub fn references(
    a: &Analysis,
    file: FileId,
    offset: u32,
    include_declaration: bool,
) -> Option<Vec<Location>> {
    let index = &a.compilation.index;
    let (id, _) = index.at(file, offset)?;
    let sym = index.symbol(id)?;
    let declaration = include_declaration.then_some(sym.name_span);
    Some(
        declaration
            .into_iter()
            .chain(index.references_to(id))
            .filter_map(|s| a.location(s))
            .collect(),
    )
}

/// The declaration and the uses of the name at `offset` that lie in `file`, for the editor
/// to mark together: the declaration as written to, the uses as read.
pub fn highlights(a: &Analysis, file: FileId, offset: u32) -> Option<Vec<DocumentHighlight>> {
    let index = &a.compilation.index;
    let (id, _) = index.at(file, offset)?;
    let sym = index.symbol(id)?;
    let mark = |span: Span, kind| DocumentHighlight { range: a.range(span), kind: Some(kind) };
    let declaration =
        (sym.name_span.file == file).then(|| mark(sym.name_span, DocumentHighlightKind::WRITE));
    let uses = index
        .references_to(id)
        .filter(|s| s.file == file)
        .map(|s| mark(s, DocumentHighlightKind::READ));
    Some(declaration.into_iter().chain(uses).collect())
}

/// The outline of one file: its declarations, with an enum's words under the enum and a
/// policy's rules under the policy.
pub fn document_symbols(a: &Analysis, file: FileId) -> Vec<DocumentSymbol> {
    let index = &a.compilation.index;
    index
        .in_file(file)
        .filter(|(_, s)| s.parent.is_none())
        .map(|(id, s)| {
            let children: Vec<DocumentSymbol> =
                index.children(id).map(|(_, c)| document_symbol(a, c, None)).collect();
            document_symbol(a, s, (!children.is_empty()).then_some(children))
        })
        .collect()
}

#[allow(deprecated)] // `deprecated` is a field every constructor must name.
fn document_symbol(
    a: &Analysis,
    s: &Symbol,
    children: Option<Vec<DocumentSymbol>>,
) -> DocumentSymbol {
    DocumentSymbol {
        name: s.name.clone(),
        detail: detail(s),
        kind: kind(s.kind),
        tags: None,
        deprecated: None,
        range: a.range(s.span.to(s.name_span)),
        selection_range: a.range(s.name_span),
        children,
    }
}

/// Every declaration of the sets whose name contains the query's characters in order
/// (ignoring case), as editors match symbol queries.
#[allow(deprecated)] // as above
pub fn workspace_symbols(
    analyses: &[std::rc::Rc<Analysis>],
    query: &str,
) -> Vec<SymbolInformation> {
    let query = query.to_lowercase();
    let mut out = Vec::new();
    for a in analyses {
        let index = &a.compilation.index;
        for s in &index.symbols {
            if !subsequence(&query, &s.name.to_lowercase()) {
                continue;
            }
            let Some(location) = a.location(s.name_span) else {
                continue;
            };
            out.push(SymbolInformation {
                name: s.name.clone(),
                kind: kind(s.kind),
                tags: None,
                deprecated: None,
                location,
                container_name: s.parent.and_then(|p| index.symbol(p)).map(|p| p.name.clone()),
            });
        }
    }
    out
}

fn subsequence(query: &str, name: &str) -> bool {
    let mut chars = name.chars();
    query.chars().all(|q| chars.any(|c| c == q))
}

fn kind(k: SymbolKind) -> LspKind {
    match k {
        SymbolKind::Enum => LspKind::ENUM,
        SymbolKind::EnumWord => LspKind::ENUM_MEMBER,
        SymbolKind::Fact => LspKind::FIELD,
        SymbolKind::Const => LspKind::CONSTANT,
        SymbolKind::Let => LspKind::VARIABLE,
        SymbolKind::Param => LspKind::PROPERTY,
        SymbolKind::Program => LspKind::EVENT,
        SymbolKind::Policy => LspKind::CLASS,
        SymbolKind::Rule(_) => LspKind::METHOD,
        // What every case must satisfy, as an interface states what its implementations do.
        SymbolKind::Constraint => LspKind::INTERFACE,
    }
}

fn detail(s: &Symbol) -> Option<String> {
    match s.kind {
        SymbolKind::Rule(k) => Some(k.keyword().to_string()),
        SymbolKind::EnumWord => None,
        SymbolKind::Constraint => {
            Some(if s.info.because.is_some() { "because".to_string() } else { "cite".to_string() })
        }
        SymbolKind::Fact if s.info.fixed => s.info.type_name.as_ref().map(|t| format!("fixed {t}")),
        _ => s.info.type_name.clone(),
    }
}

/// Why a rename cannot be done, said to the user.
pub type RenameError = String;

/// The name under the cursor that a rename would change, and its current text.
pub fn prepare_rename(
    a: &Analysis,
    file: FileId,
    offset: u32,
) -> Result<PrepareRenameResponse, RenameError> {
    let (id, span) = renamable_at(a, file, offset)?;
    let sym = a.compilation.index.symbol(id).ok_or_else(|| "nothing to rename here".to_string())?;
    Ok(PrepareRenameResponse::RangeWithPlaceholder {
        range: a.range(span),
        placeholder: sym.name.clone(),
    })
}

/// Renames the declaration under the cursor and every use of it, in every file of the set.
pub fn rename(
    a: &Analysis,
    file: FileId,
    offset: u32,
    new_name: &str,
) -> Result<WorkspaceEdit, RenameError> {
    let (id, _) = renamable_at(a, file, offset)?;
    let index = &a.compilation.index;
    let sym = index.symbol(id).ok_or_else(|| "nothing to rename here".to_string())?;
    check_new_name(a, id, sym, new_name)?;
    let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
    for span in std::iter::once(sym.name_span).chain(index.references_to(id)) {
        let Some(location) = a.location(span) else {
            continue;
        };
        changes
            .entry(location.uri)
            .or_default()
            .push(TextEdit::new(location.range, new_name.to_string()));
    }
    Ok(WorkspaceEdit::new(changes))
}

/// The symbol under the cursor and the span of the name there, if it can be renamed.
fn renamable_at(a: &Analysis, file: FileId, offset: u32) -> Result<(SymbolId, Span), RenameError> {
    // A file that does not parse has no indexed names, so its uses would be missed.
    if let Some(broken) = a.has_syntax_errors() {
        return Err(format!(
            "cannot rename while `{}` has a syntax error: its uses of the name would be missed",
            a.display_name(broken)
        ));
    }
    a.compilation
        .index
        .at(file, offset)
        .ok_or_else(|| "there is no declared name here to rename".to_string())
}

/// Whether `new` can replace the name of `sym`: a word (a dotted path for a fact), not a
/// keyword, and not the name of another declaration it would then clash with.
fn check_new_name(a: &Analysis, id: SymbolId, sym: &Symbol, new: &str) -> Result<(), RenameError> {
    let words: Vec<&str> = new.split('.').collect();
    let is_word = |w: &str| {
        let mut chars = w.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let dotted = sym.kind == SymbolKind::Fact;
    if !words.iter().all(|w| is_word(w)) || (!dotted && words.len() > 1) {
        return Err(format!(
            "`{new}` is not a valid name: use letters, digits and `_`, starting with a letter{}",
            if dotted { " (dotted for a fact)" } else { "" }
        ));
    }
    if let Some(first) = words.first() {
        if RESERVED.contains(first) || BUILT_IN.contains(&new) {
            return Err(format!("`{new}` is a keyword or built-in name"));
        }
    }
    let index = &a.compilation.index;
    if sym.kind == SymbolKind::Enum && BUILT_IN_TYPES.contains(&new) {
        return Err(format!("`{new}` is a built-in type"));
    }
    let clashes = |s: &Symbol| match sym.kind {
        k if k.is_value() => s.kind.is_value(),
        // Words clash within their enum, rules within their policy.
        SymbolKind::EnumWord => s.kind == SymbolKind::EnumWord && s.parent == sym.parent,
        SymbolKind::Rule(_) => matches!(s.kind, SymbolKind::Rule(_)) && s.parent == sym.parent,
        k => s.kind == k,
    };
    let clash = index
        .symbols
        .iter()
        .enumerate()
        .find(|(i, s)| *i != id.index() && s.name == new && clashes(s));
    if let Some((_, other)) = clash {
        let line = a.compilation.sources.line_col(other.name_span).0;
        return Err(format!(
            "`{new}` is already declared in `{}`, line {line}",
            a.display_name(other.name_span.file)
        ));
    }
    Ok(())
}

/// Words the grammar reserves: an identifier may not be one.
const RESERVED: &[&str] = &["and", "or", "not", "in", "true", "false", "unless", "cite", "when"];

/// The types the language names itself.
const BUILT_IN_TYPES: &[&str] = &["bool", "integer", "date", "days", "months", "years", "string"];

/// Names every case has.
const BUILT_IN: &[&str] = &["as_of", "id", "policy"];

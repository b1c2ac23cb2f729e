//! Semantic tokens: every name in a file, coloured by what it names. The editor's grammar
//! colours keywords, strings and dates; only the compiler knows whether `status` is a fact,
//! a constant or an enum word, so names are the tokens sent, read off the symbol index.

use lsp_types::{SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokensLegend};
use pol_compiler::symbols::SymbolKind;
use pol_syntax::{FileId, Span};

use crate::workspace::Analysis;

/// The token types, in legend order: a token's type is its index here.
const TYPES: [SemanticTokenType; 7] = [
    SemanticTokenType::ENUM,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::NAMESPACE,
    SemanticTokenType::CLASS,
    SemanticTokenType::FUNCTION,
];

/// The modifiers, in legend order: bit `i` of a token's modifiers is the `i`th.
const MODIFIERS: [SemanticTokenModifier; 2] =
    [SemanticTokenModifier::DECLARATION, SemanticTokenModifier::READONLY];
const DECLARATION: u32 = 1;
const READONLY: u32 = 1 << 1;

/// The legend the server announces: the names of the types and modifiers tokens use.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend { token_types: TYPES.to_vec(), token_modifiers: MODIFIERS.to_vec() }
}

/// A declaration kind's token type (an index into [`TYPES`]) and modifiers.
fn token_of(kind: SymbolKind) -> (u32, u32) {
    match kind {
        SymbolKind::Enum => (0, 0),
        SymbolKind::EnumWord => (1, READONLY),
        SymbolKind::Fact => (2, 0),
        SymbolKind::Let => (3, 0),
        // A constant never changes; a dated parameter has one value on a case's date.
        SymbolKind::Const | SymbolKind::Param => (3, READONLY),
        SymbolKind::Program => (4, 0),
        SymbolKind::Policy => (5, 0),
        SymbolKind::Rule(_) | SymbolKind::Constraint => (6, 0),
    }
}

/// The tokens of `file`: each declaration's name and each name that refers to one, in
/// order, encoded relative to the one before as the protocol asks.
pub fn semantic_tokens(a: &Analysis, file: FileId) -> Vec<SemanticToken> {
    let index = &a.compilation.index;
    let declared = index.in_file(file).map(|(_, s)| (s.name_span, s.kind, DECLARATION));
    let used = index
        .references
        .iter()
        .filter(|r| r.span.file == file)
        .filter_map(|r| Some((r.span, index.symbol(r.target)?.kind, 0)));
    let mut found: Vec<(Span, SymbolKind, u32)> = declared.chain(used).collect();
    found.sort_by_key(|(span, _, _)| (span.start, span.end));
    found.dedup_by_key(|(span, _, _)| span.start);
    let mut tokens = Vec::with_capacity(found.len());
    let (mut line, mut start) = (0, 0);
    for (span, kind, modifiers) in found {
        let range = a.range(span);
        // Tokens lie on one line; a name never spans two.
        if range.start.line != range.end.line || range.end.character <= range.start.character {
            continue;
        }
        let (token_type, kind_modifiers) = token_of(kind);
        let delta_line = range.start.line - line;
        let delta_start =
            if delta_line == 0 { range.start.character - start } else { range.start.character };
        tokens.push(SemanticToken {
            delta_line,
            delta_start,
            length: range.end.character - range.start.character,
            token_type,
            token_modifiers_bitset: modifiers | kind_modifiers,
        });
        (line, start) = (range.start.line, range.start.character);
    }
    tokens
}

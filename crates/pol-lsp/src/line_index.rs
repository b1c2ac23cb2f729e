//! Byte offsets (the compiler's spans) to LSP positions and back.
//!
//! An LSP position is a zero-based line and a column counted in UTF-16 code units, unless
//! client and server agreed on UTF-8 (`positionEncoding`), when it counts bytes. A column
//! past the end of its line means the end of the line; a line past the end of the text
//! means the end of the text; a column inside a character means the start of that
//! character. Nothing a client sends makes these functions fail.

use lsp_types::{Position, Range};
use pol_syntax::Span;

/// How columns are counted, as negotiated at initialization.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// The start of every line of one text.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset of the first character of each line; `line_starts[0] == 0`.
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { line_starts }
    }

    /// The position of byte `offset` of `text` (clamped to the text).
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|s| *s <= offset) - 1;
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let before = text.get(start..offset).unwrap_or("");
        let col = match enc {
            Encoding::Utf8 => before.len(),
            Encoding::Utf16 => before.chars().map(char::len_utf16).sum(),
        };
        Position::new(to_u32(line), to_u32(col))
    }

    /// The byte offset in `text` of `pos`, clamped as the module says.
    pub fn offset(&self, text: &str, pos: Position, enc: Encoding) -> usize {
        let Some(&start) = self.line_starts.get(pos.line as usize) else {
            return text.len();
        };
        let end = self.line_starts.get(pos.line as usize + 1).map_or(text.len(), |next| next - 1);
        let line = text.get(start..end).unwrap_or("");
        // A `\r` before the `\n` is part of the line break, not of the line.
        let line = line.strip_suffix('\r').unwrap_or(line);
        let want = pos.character as usize;
        let mut units = 0;
        for (i, c) in line.char_indices() {
            let width = match enc {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
            };
            if units + width > want {
                return start + i;
            }
            units += width;
        }
        start + line.len()
    }

    pub fn range(&self, text: &str, span: Span, enc: Encoding) -> Range {
        Range::new(
            self.position(text, span.start as usize, enc),
            self.position(text, span.end as usize, enc),
        )
    }

    /// The byte range of `range` in `text` (start and end clamped, end not before start).
    pub fn byte_range(&self, text: &str, range: Range, enc: Encoding) -> std::ops::Range<usize> {
        let start = self.offset(text, range.start, enc);
        let end = self.offset(text, range.end, enc).max(start);
        start..end
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns_count_surrogate_pairs() {
        // `é` is one UTF-16 unit and two bytes; `𝄞` is two units and four bytes.
        let text = "a\né𝄞x\r\nlast";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap_or(0);
        assert_eq!(idx.position(text, x, Encoding::Utf16), Position::new(1, 3));
        assert_eq!(idx.position(text, x, Encoding::Utf8), Position::new(1, 6));
        assert_eq!(idx.offset(text, Position::new(1, 3), Encoding::Utf16), x);
        assert_eq!(idx.offset(text, Position::new(1, 6), Encoding::Utf8), x);
        // Inside the surrogate pair: the start of the character.
        assert_eq!(
            idx.offset(text, Position::new(1, 2), Encoding::Utf16),
            text.find('𝄞').unwrap_or(0)
        );
        // Past the end of a line (before `\r\n`), and past the last line.
        assert_eq!(idx.offset(text, Position::new(1, 99), Encoding::Utf16), x + 1);
        assert_eq!(idx.offset(text, Position::new(9, 0), Encoding::Utf16), text.len());
        assert_eq!(idx.position(text, text.len() + 5, Encoding::Utf16), Position::new(2, 4));
    }
}

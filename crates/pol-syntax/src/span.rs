//! Source positions: small copyable spans; lines and columns are computed only when rendering.

use std::fmt;

/// Identifies one source file in a set of files. The meaning of the number belongs to
/// whoever loaded the files (the CLI's source map); the parser only carries it along.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one file.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    /// The smallest span covering both (which must be in the same file).
    pub fn to(self, other: Span) -> Span {
        Span { file: self.file, start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    /// The same start with another end.
    pub fn with_end(self, end: u32) -> Span {
        Span { end: end.max(self.start), ..self }
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}..{}", self.file.0, self.start, self.end)
    }
}

/// A value with the place it came from. Spans do not take part in equality, so trees
/// parsed from differently formatted text compare equal.
#[derive(Clone, Debug)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
    }
}

impl<T: Eq> Eq for Spanned<T> {}

/// Where the lines of a text start, for turning byte offsets into lines and columns.
///
/// Built once per text in one pass; each lookup is a binary search over the line starts
/// plus, only in text that is not all ASCII, a count of at most [`LineIndex::BLOCK`] bytes.
/// Lines end as the grammar ends them: at `\n`, `\r\n` or a lone `\r`
/// ([`crate::scan::line_end_len`]). Lines and columns count from 1; columns count
/// characters (Unicode scalar values), not bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offset of the start of each line; the first is 0.
    starts: Vec<usize>,
    /// For text that is not all ASCII: the number of characters before each multiple of
    /// [`LineIndex::BLOCK`] bytes. Empty for ASCII text, where columns are byte counts.
    chars_before_block: Vec<usize>,
    /// The length of the text the index was built from.
    len: usize,
}

impl LineIndex {
    /// Bytes per block of the character-count table.
    pub const BLOCK: usize = 256;

    /// Indexes `text`.
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match crate::scan::line_end_len(bytes, i) {
                0 => i += 1,
                n => {
                    i += n;
                    starts.push(i);
                }
            }
        }
        let chars_before_block = if text.is_ascii() {
            Vec::new()
        } else {
            let mut table = Vec::with_capacity(bytes.len() / Self::BLOCK + 1);
            let mut chars = 0;
            for block in bytes.chunks(Self::BLOCK) {
                table.push(chars);
                chars += count_chars(block);
            }
            table.push(chars);
            table
        };
        LineIndex { starts, chars_before_block, len: bytes.len() }
    }

    /// How many lines the text has (a text ending in a line end has an empty last line).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The 1-based line and column of byte `offset` in `text`, which must be the text the
    /// index was built from. An offset past the end counts as the end; an offset inside a
    /// character counts as that character.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        debug_assert_eq!(text.len(), self.len, "a line index of another text");
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        // The last line starting at or before `offset`; the first starts at 0.
        let line = self.starts.partition_point(|s| *s <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let column = if self.chars_before_block.is_empty() {
            offset - start
        } else {
            self.chars_before(text, offset) - self.chars_before(text, start)
        };
        (line, column + 1)
    }

    /// The number of characters before byte `offset` (a character boundary).
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let block = offset / Self::BLOCK;
        let base = self.chars_before_block.get(block).copied().unwrap_or(0);
        let from = block * Self::BLOCK;
        base + text.as_bytes().get(from..offset).map_or(0, count_chars)
    }
}

/// The characters that start in `bytes`: every byte but UTF-8 continuation bytes.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count()
}

/// The 1-based line and column (in characters) of byte `offset` in `text`, for a single
/// message: it scans the text up to `offset`. For many positions in one text, build a
/// [`LineIndex`] once.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let bytes = text.as_bytes();
    let (mut line, mut start, mut i) = (1, 0, 0);
    while i < offset {
        match crate::scan::line_end_len(bytes, i) {
            0 => i += 1,
            // A line end that `offset` splits (`\r|\n`) has not ended the line yet.
            n if i + n > offset => break,
            n => {
                i += n;
                line += 1;
                start = i;
            }
        }
    }
    let column = bytes.get(start..offset).map_or(0, count_chars);
    (line, column + 1)
}

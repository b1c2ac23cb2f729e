//! Case files: JSON, YAML and TOML by extension, `.jsonl` for one JSON case a line. Every
//! problem becomes a [`CaseProblem`] naming the file, the position, the field and, for a
//! near miss, the right spelling.

use std::path::{Path, PathBuf};

use pol_compiler::case::DecodeError;
use pol_compiler::codes::{self, Code};
use pol_compiler::{Case, CaseError, Compiled, Scratch};
use serde::Serialize;

use crate::limits;
use crate::load::{self, LoadError};

/// The format of a case document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    /// One JSON case per line.
    JsonLines,
    Yaml,
    Toml,
}

impl Format {
    /// The format a file's extension names; `-` (standard input) is read as JSON lines.
    pub fn of(path: &Path) -> Option<Format> {
        if path.as_os_str() == "-" {
            return Some(Format::JsonLines);
        }
        match path.extension()?.to_str()? {
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" => Some(Format::JsonLines),
            "yaml" | "yml" => Some(Format::Yaml),
            "toml" => Some(Format::Toml),
            _ => None,
        }
    }
}

/// A case that could not be read or decided, with where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseProblem {
    pub code: Code,
    /// The file (`<stdin>` for standard input).
    pub file: String,
    /// 1-based line and column in the file, when the format reports a position.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The dotted path of the field at fault.
    pub field: Option<String>,
    pub message: String,
    pub help: Option<String>,
    /// The closest valid spelling of what was written, for a near miss.
    pub suggestion: Option<String>,
    /// The source text (the document, or one line of a JSON-lines file) and the byte range
    /// in it to underline, for rendering.
    pub text: String,
    pub span: Option<(usize, usize)>,
    /// Lines of the file before `text` (for one line of a JSON-lines file).
    pub lines_before: usize,
}

impl CaseProblem {
    /// A problem with a file as a whole (no position): it cannot be read, its format is
    /// unknown.
    pub fn plain(file: &str, message: String, help: Option<String>) -> CaseProblem {
        CaseProblem {
            code: codes::CASE_UNREADABLE,
            file: file.to_string(),
            line: None,
            column: None,
            field: None,
            message,
            help,
            suggestion: None,
            text: String::new(),
            span: None,
            lines_before: 0,
        }
    }

    /// A decoded case the compiled set cannot decide (a case of another policy set).
    pub fn undecidable(origin: &str, e: CaseError) -> CaseProblem {
        CaseProblem {
            code: codes::CASE_FIELD,
            field: (!e.field.is_empty()).then(|| e.field.clone()),
            help: e.help.clone(),
            suggestion: e.suggestion.clone(),
            ..CaseProblem::plain(origin, e.to_string(), None)
        }
    }

    /// Where the problem is, as a terminal names a place: `cases.jsonl:3`, or the file
    /// alone when the format gives no line.
    pub fn place(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}", self.file),
            None => self.file.clone(),
        }
    }

    /// The problem as the contract's error object, which stands in the place of a
    /// decision (`docs/cases.md`, "Errors in place").
    pub fn error_object(&self) -> ErrorObject {
        ErrorObject {
            code: format!("pol::{}", self.code),
            field: self.field.clone(),
            message: self.message.clone(),
            suggestion: self.suggestion.clone(),
        }
    }
}

/// A case that was not decided, at the place its decision would stand in a JSON batch
/// (the contract's "Errors in place"): `{"line": 3, "id": "case-17", "error": {...}}` for a
/// line of JSON lines, `{"file": "case.json", "error": {...}}` for a whole file; `id` when
/// the case names one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ErrorInPlace {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub error: ErrorObject,
}

/// `{"code": "pol::E0601", "field": ..., "message": ..., "suggestion": ...}`: why a case
/// was not decided, where its decision would stand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ErrorObject {
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

/// Decodes one case document of `format` (one line, for JSON lines) into `case` and
/// checks it: `as_of` and `policy` given, no known fact breaking a constraint of the
/// policies.
pub fn decode(
    c: &Compiled,
    file: &str,
    text: &str,
    format: Format,
    case: &mut Case,
) -> Result<(), CaseProblem> {
    decode_checked(c, file, text, format, case, &mut Scratch::default())
}

/// [`decode`], with the work space of the constraint check reused (for loops over many
/// cases, which then decide with `Compiled::decide_checked_into`).
pub fn decode_checked(
    c: &Compiled,
    file: &str,
    text: &str,
    format: Format,
    case: &mut Case,
    scratch: &mut Scratch,
) -> Result<(), CaseProblem> {
    let result: Result<(), (Option<CaseError>, String, Option<usize>)> = match format {
        Format::Json | Format::JsonLines => {
            let mut de = serde_json::Deserializer::from_str(text);
            c.schema
                .decode(&c.set, case, &mut de)
                .and_then(|()| de.end().map_err(|e| DecodeError { case: None, format: e }))
                .map_err(|e| {
                    let offset = offset_of(text, e.format.line(), e.format.column());
                    (e.case, e.format.to_string(), Some(offset))
                })
        }
        Format::Yaml => {
            // The YAML deserializer lives only inside the closure; the structured error
            // comes out beside the format's.
            let mut structured = None;
            let result = crate::yaml::with_deserializer(text, |de| {
                c.schema.decode(&c.set, case, de).map_err(|e| {
                    structured = e.case;
                    e.format
                })
            });
            result
                .map_err(|e| (structured, crate::yaml::message(&e), crate::yaml::offset(&e, text)))
        }
        Format::Toml => c.schema.decode(&c.set, case, toml::Deserializer::new(text)).map_err(|e| {
            let at = e.format.span().map(|s| s.start);
            (e.case, e.format.message().to_string(), at)
        }),
    };
    result.map_err(|(structured, raw, offset)| problem(file, text, structured, raw, offset))?;
    c.check_case(case, scratch).map_err(|e| {
        // A value no real case can have, at the field that holds it (or a case that lacks
        // `as_of` or `policy`, which `decode` has already refused).
        let code = if e.field == "as_of" || e.field == "policy" {
            codes::CASE_FIELD
        } else {
            codes::CONSTRAINT_BROKEN
        };
        CaseProblem { code, ..problem(file, text, Some(e), String::new(), None) }
    })
}

fn problem(
    file: &str,
    text: &str,
    structured: Option<CaseError>,
    raw: String,
    offset: Option<usize>,
) -> CaseProblem {
    // Some formats report the document rather than the field; find the field's key instead.
    let field_at = structured.as_ref().and_then(|e| locate_field(text, &e.field));
    let offset = match (offset, field_at) {
        (Some(0) | None, Some(at)) => Some(at),
        // An empty document has no place to show.
        _ if text.trim().is_empty() => None,
        // A document that is not a case at all, reported without a place: its start.
        (None, None) if structured.is_none() => text.find(|c: char| !c.is_whitespace()),
        (o, _) => o,
    };
    // Formats report byte offsets, sometimes inside a character (toml, after an invalid
    // one): start at that character so the place shown and the place named agree.
    let offset = offset.map(|o| floor_char_boundary(text, o));
    let span = offset.map(|o| key_span(text, o));
    let (line, column) = match offset {
        Some(o) => {
            let (l, c) = pol_syntax::span::line_col(text, span.map_or(o, |s| s.0));
            (Some(l), Some(c))
        }
        None => (None, None),
    };
    let located = |code| CaseProblem {
        code,
        line,
        column,
        text: text.to_string(),
        span,
        ..CaseProblem::plain(file, String::new(), None)
    };
    match structured {
        Some(e) => CaseProblem {
            field: (!e.field.is_empty()).then(|| e.field.clone()),
            message: e.to_string(),
            help: e.help,
            suggestion: e.suggestion,
            ..located(codes::CASE_FIELD)
        },
        None => CaseProblem {
            message: describe_raw(&raw),
            help: Some(
                "a case is one JSON object, YAML mapping or TOML table of facts, with `as_of` and `policy`"
                    .into(),
            ),
            ..located(codes::CASE_UNREADABLE)
        },
    }
}

/// The largest character boundary at or before `offset` (within the text).
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut o = offset.min(text.len());
    while !text.is_char_boundary(o) {
        o -= 1;
    }
    o
}

/// The byte offset of the key of `field` (its last dotted segment), if it appears as a key.
pub(crate) fn locate_field(text: &str, field: &str) -> Option<usize> {
    let key = field.rsplit('.').next().filter(|k| !k.is_empty())?;
    let mut from = 0;
    while let Some(i) = text.get(from..)?.find(key) {
        let start = from + i;
        let end = start + key.len();
        let before = text.get(..start)?.chars().next_back();
        let after = text.get(end..)?.trim_start_matches(['"', '\'', ' ', '\t']);
        let boundary = before.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        if boundary && (after.starts_with(':') || after.starts_with('=')) {
            return Some(start);
        }
        from = end;
    }
    None
}

/// The format's own message, or a plain one where it gives none (toml says nothing about
/// some characters it rejects, such as a control character in a comment).
fn describe_raw(raw: &str) -> String {
    let message = strip_position(raw);
    if message.trim().is_empty() {
        "the text is malformed here: this character or token is not allowed".to_string()
    } else {
        message
    }
}

/// serde_json and serde-saphyr append "at line L column C"; the report shows the place
/// itself.
pub(crate) fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message.get(..i).unwrap_or(message).to_string(),
        None => message.to_string(),
    }
}

/// The byte offset of 1-based `line` and `column` (counted in characters) in `text`.
pub(crate) fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col = column.saturating_sub(1);
            let byte = l.char_indices().nth(col).map_or(l.len(), |(b, _)| b);
            return offset + byte;
        }
        offset += l.len();
    }
    text.len()
}

/// Widens an error position to the quoted key or value that ends (or starts) there, as a
/// (start, length) byte range on character boundaries.
fn key_span(text: &str, offset: usize) -> (usize, usize) {
    let end = floor_char_boundary(text, offset);
    let bytes = text.as_bytes();
    // JSON reports the position just after the offending token.
    if end > 0 && bytes.get(end - 1) == Some(&b'"') {
        if let Some(start) = text.get(..end - 1).and_then(|t| t.rfind('"')) {
            return (start, end - start);
        }
    }
    if end > 0 && bytes.get(end - 1).is_some_and(|b| b.is_ascii_alphanumeric()) {
        // The token starts after the last character that cannot be part of it, which may
        // be several bytes long (adding one byte split a 4-byte character: the `case` fuzz
        // target's finding on tests/data/bad-input/cases/toml_error_inside_a_multibyte_character.toml).
        let start = text
            .get(..end)
            .and_then(|t| {
                t.char_indices()
                    .rfind(|(_, c)| {
                        !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-' || *c == '.')
                    })
                    .map(|(i, c)| i + c.len_utf8())
            })
            .unwrap_or(0);
        return (start, end - start);
    }
    // YAML and TOML report the start of the token: up to the end of the line or the next
    // separator, and at least one whole character.
    let rest = text.get(end..).unwrap_or("");
    let first = rest.chars().next().map_or(0, char::len_utf8);
    let len = rest.find(['\n', ':', '=', ',']).unwrap_or(rest.len()).max(first).min(rest.len());
    (end, floor_char_boundary(rest, len))
}

/// One case read from a file, or the problem with it.
pub struct ReadCase {
    /// Where the case came from: the file, with `:LINE` for JSON lines.
    pub origin: String,
    /// The 1-based line of a JSON-lines file the case stands on.
    pub line: Option<usize>,
    /// For a case that could not be decoded, the `id` it names (read loosely), to pair the
    /// problem with the case.
    pub id: Option<String>,
    pub result: Result<Case, CaseProblem>,
}

/// The case files at `paths`, in order: each file named (whatever its extension; `-` for
/// standard input) and, for a directory, every case file under it (`.json`, `.jsonl`,
/// `.ndjson`, `.yaml`, `.yml`, `.toml`), sorted by path, found by the engine's one walker
/// inside the directory's project (`load::walk`). A path that does not exist, a directory
/// that holds no case file, and each file under it that is refused (outside the project, not
/// a regular file, a link loop) is an error in its place.
pub fn case_files(paths: &[PathBuf]) -> Vec<Result<PathBuf, LoadError>> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Ok(p.clone()));
        } else if p.is_dir() {
            let found = load::find(
                std::slice::from_ref(p),
                load::Kind::Cases,
                &load::Confinement::around(p),
            );
            let mut here: Vec<(String, Result<PathBuf, LoadError>)> = found
                .files
                .into_iter()
                .map(|f| (f.path.display().to_string(), Ok(f.path)))
                .chain(found.problems.into_iter().map(|e| (e.path.clone(), Err(e))))
                .collect();
            here.sort_by(|a, b| a.0.cmp(&b.0));
            out.extend(here.into_iter().map(|(_, r)| r));
        } else {
            out.push(load::open(p).map(|_| p.clone()));
        }
    }
    out
}

/// The extensions of case files found under a directory.
pub const CASE_EXTENSIONS: &[&str] = &["json", "jsonl", "ndjson", "yaml", "yml", "toml"];

/// Reads every case in a file (one, or one per line for JSON lines; `-` is standard input).
pub fn read_file(c: &Compiled, path: &Path) -> Vec<ReadCase> {
    let stdin = path.as_os_str() == "-";
    let name = if stdin { "<stdin>".to_string() } else { path.display().to_string() };
    let whole_file = |result| vec![ReadCase { origin: name.clone(), line: None, id: None, result }];
    let Some(format) = Format::of(path) else {
        return whole_file(Err(CaseProblem::plain(
            &name,
            "cannot tell the case format from the file name".into(),
            Some("name case files *.json, *.yaml, *.yml, *.toml or *.jsonl".into()),
        )));
    };
    // A document is one case; JSON lines read whole are many (`pol eval` streams them).
    let limit = match format {
        Format::JsonLines => limits::CASE_LINES_FILE,
        Format::Json | Format::Yaml | Format::Toml => limits::CASE_FILE,
    };
    let text = if stdin {
        match load::read_limited(std::io::stdin(), 0, limit) {
            Ok(bytes) => load::text_of(bytes).map_err(|(message, help)| {
                CaseProblem::plain(&name, message.replace("the file", "standard input"), Some(help))
            }),
            Err(load::Limited::TooLarge) => Err(CaseProblem::plain(
                &name,
                format!(
                    "standard input is larger than {}, the most pol reads of it here",
                    limits::describe(limit)
                ),
                Some("decide large batches of JSON lines with `pol eval -`".into()),
            )),
            Err(load::Limited::Io(e)) => Err(CaseProblem::plain(
                &name,
                format!("cannot read standard input: {e}"),
                Some("send UTF-8 JSON lines".into()),
            )),
        }
    } else {
        load::read_text_with(path, load::Reached::Named, limit)
            .map_err(|e| CaseProblem::plain(&name, e.message, Some(e.help)))
    };
    let text = match text {
        Ok(t) => t,
        Err(p) => return whole_file(Err(p)),
    };
    if format == Format::JsonLines {
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let mut case = Case::new(&c.set);
            let result = match line_text(&name, i + 1, line.as_bytes()) {
                Ok(None) => continue,
                Ok(Some(line)) => decode_line(c, &name, line, i + 1, &mut case).map(|()| case),
                Err(problem) => Err(problem),
            };
            out.push(ReadCase {
                origin: format!("{name}:{}", i + 1),
                line: Some(i + 1),
                id: result.is_err().then(|| id_of(line)).flatten(),
                result,
            });
        }
        return out;
    }
    let mut case = Case::new(&c.set);
    let result = decode(c, &name, &text, format, &mut case).map(|()| case);
    vec![ReadCase {
        origin: name.clone(),
        line: None,
        id: result.is_err().then(|| id_in(&text, format)).flatten(),
        result,
    }]
}

/// Line `number` of JSON lines in `file` as text to decode: `None` for a blank line; a
/// problem, placed on the line, for one that is not UTF-8 or is longer than
/// [`limits::CASE_LINE`]. The one reading of a line for `pol eval`, `pol diff` and whole
/// files, so that all hold the same limit.
pub fn line_text<'a>(
    file: &str,
    number: usize,
    bytes: &'a [u8],
) -> Result<Option<&'a str>, CaseProblem> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let column = String::from_utf8_lossy(bytes.get(..at).unwrap_or(&[])).chars().count() + 1;
        CaseProblem {
            line: Some(number),
            column: Some(column),
            ..CaseProblem::plain(
                file,
                // Bytes count from 0, as for a whole file (`load::read_text`).
                format!("the line is not valid UTF-8 (at byte {at} of the line)"),
                Some("save the file as UTF-8".into()),
            )
        }
    })?;
    if bytes.len() > limits::CASE_LINE {
        return Err(line_too_long(file, number));
    }
    Ok(Some(text).filter(|t| !t.trim().is_empty()))
}

/// The problem of a line of JSON lines longer than [`limits::CASE_LINE`]: it is not read
/// (nor quoted); the lines after it are.
pub fn line_too_long(file: &str, number: usize) -> CaseProblem {
    CaseProblem {
        line: Some(number),
        ..CaseProblem::plain(
            file,
            format!(
                "the line is longer than {}, the most pol reads of one case",
                limits::describe(limits::CASE_LINE as u64)
            ),
            Some("a case is one JSON object of facts; check that lines end where cases do".into()),
        )
    }
}

/// Decodes line `number` (1-based) of a JSON-lines file, reporting positions in the file.
pub fn decode_line(
    c: &Compiled,
    file: &str,
    line: &str,
    number: usize,
    case: &mut Case,
) -> Result<(), CaseProblem> {
    decode_line_checked(c, file, line, number, case, &mut Scratch::default())
}

/// [`decode_line`] with a reused work space (see [`decode_checked`]).
pub fn decode_line_checked(
    c: &Compiled,
    file: &str,
    line: &str,
    number: usize,
    case: &mut Case,
    scratch: &mut Scratch,
) -> Result<(), CaseProblem> {
    decode_checked(c, file, line, Format::Json, case, scratch).map_err(|mut p| {
        // Positions are within the line; report the file's line number.
        p.line = Some(number);
        p.lines_before = number.saturating_sub(1);
        p
    })
}

/// Just the `id` of a case, every other field ignored.
#[derive(serde::Deserialize)]
struct WithId {
    id: Option<String>,
}

/// The `id` a JSON case names, read loosely: for pairing an error with its case when the
/// case itself could not be decoded.
pub fn id_of(json: &str) -> Option<String> {
    serde_json::from_str::<WithId>(json).ok()?.id
}

/// The `id` a case document of `format` names, read loosely ([`id_of`] for any format).
pub fn id_in(text: &str, format: Format) -> Option<String> {
    match format {
        Format::Json | Format::JsonLines => id_of(text),
        Format::Yaml => crate::yaml::from_str::<WithId>(text).ok()?.id,
        Format::Toml => toml::from_str::<WithId>(text).ok()?.id,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn key_spans_stay_on_character_boundaries() {
        // A 4-byte character at the reported offset: the span covers it whole.
        let text = "a = \"\u{1F600}\"\n";
        // The token after a 4-byte character starts after all of it.
        let after = "\u{4f4ec}SSS\n";
        assert_eq!(key_span(after, 7), (4, 3));
        for offset in 0..=text.len() {
            let (start, len) = key_span(text, offset);
            assert!(text.is_char_boundary(start), "{offset}");
            assert!(text.is_char_boundary(start + len), "{offset}");
        }
    }

    #[test]
    fn ids_are_read_loosely() {
        assert_eq!(id_of(r#"{"id": "c1", "policy": 3}"#), Some("c1".into()));
        assert_eq!(id_of(r#"{"policy": "x"}"#), None);
        assert_eq!(id_of("not json"), None);
    }
}

//! Reading case files: JSON, YAML and TOML by extension, `.jsonl` for one JSON case a line.
//! Every problem becomes a [`CaseProblem`] naming the file, the position and the field.

use std::cell::RefCell;
use std::path::Path;

use miette::{LabeledSpan, Severity};
use pol_compiler::{Case, CaseError, Compiled, Scratch};
use serde::de::DeserializeSeed;

use crate::render::Report;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
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

/// A case that could not be read, with where and why.
#[derive(Debug)]
pub struct CaseProblem {
    pub code: &'static str,
    pub file: String,
    /// 1-based line and column, when the format reports a position.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub field: Option<String>,
    pub message: String,
    pub help: Option<String>,
    /// The source text and byte range to underline, for rendering.
    pub text: String,
    pub span: Option<(usize, usize)>,
    /// Lines of the file before `text` (for one line of a JSON-lines file).
    pub lines_before: usize,
}

impl CaseProblem {
    pub fn plain(file: &str, message: String, help: Option<String>) -> CaseProblem {
        CaseProblem {
            code: "E0602",
            file: file.to_string(),
            line: None,
            column: None,
            field: None,
            message,
            help,
            text: String::new(),
            span: None,
            lines_before: 0,
        }
    }

    pub fn report(&self) -> Report {
        let location = match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}: ", self.file),
            (Some(l), None) => format!("{}:{l}: ", self.file),
            _ => format!("{}: ", self.file),
        };
        let labels = match self.span {
            Some(span) => vec![LabeledSpan::new_primary_with_span(
                Some(
                    self.field
                        .clone()
                        .map_or("here".into(), |f| format!("`{f}`")),
                ),
                span,
            )],
            None => Vec::new(),
        };
        Report {
            code: Some(format!("pol::{}", self.code)),
            severity: Severity::Error,
            message: format!("{location}{}", self.message),
            help: self.help.clone(),
            source: crate::render::Snippet {
                name: self.file.clone(),
                text: self.text.clone(),
                lines_before: self.lines_before,
            },
            labels,
            related: Vec::new(),
        }
    }
}

/// Decodes one case document of `format` into `case` and checks it: `as_of` and `policy`
/// given, no known fact breaking a constraint of the policies (`scratch` is the work space
/// of that check).
pub fn decode(
    c: &Compiled,
    file: &str,
    text: &str,
    format: Format,
    case: &mut Case,
    scratch: &mut Scratch,
) -> Result<(), CaseProblem> {
    let error = RefCell::new(None);
    let result: Result<(), (String, Option<usize>)> = {
        let seed = c.schema.seed(&c.set, case, &error);
        match format {
            Format::Json | Format::JsonLines => {
                let mut de = serde_json::Deserializer::from_str(text);
                seed.deserialize(&mut de)
                    .and_then(|()| de.end())
                    .map_err(|e| {
                        let offset = offset_of(text, e.line(), e.column());
                        (e.to_string(), Some(offset))
                    })
            }
            Format::Yaml => seed
                .deserialize(serde_yaml::Deserializer::from_str(text))
                .map_err(|e| (e.to_string(), e.location().map(|l| l.index()))),
            Format::Toml => seed
                .deserialize(toml::Deserializer::new(text))
                .map_err(|e| (e.message().to_string(), e.span().map(|s| s.start))),
        }
    };
    let structured = error.into_inner();
    match result {
        Ok(()) => {
            c.schema
                .check_required(&c.set, case)
                .map_err(|e| problem(file, text, Some(e), String::new(), None))?;
            c.check_case(case, scratch).map_err(|e| CaseProblem {
                // A value no real case can have: E0604, at the field that holds it.
                code: "E0604",
                ..problem(file, text, Some(e), String::new(), None)
            })
        }
        Err((raw, offset)) => Err(problem(file, text, structured, raw, offset)),
    }
}

fn problem(
    file: &str,
    text: &str,
    structured: Option<CaseError>,
    raw: String,
    offset: Option<usize>,
) -> CaseProblem {
    // Some formats report the document rather than the field; find the field's key instead.
    let field_at = structured
        .as_ref()
        .and_then(|e| locate_field(text, &e.field));
    let offset = match (offset, field_at) {
        (Some(0) | None, Some(at)) => Some(at),
        (o, _) => o,
    };
    // Formats report byte offsets, sometimes inside a character (toml, after an invalid
    // one): start at that character so the place shown and the place named agree.
    let offset = offset.map(|o| {
        let mut o = o.min(text.len());
        while !text.is_char_boundary(o) {
            o -= 1;
        }
        o
    });
    let span = offset.map(|o| key_span(text, o));
    let (line, column) = match offset {
        Some(o) => {
            let (l, c) = pol_syntax::span::line_col(text, span.map_or(o, |s| s.0));
            (Some(l), Some(c))
        }
        None => (None, None),
    };
    match structured {
        Some(e) => CaseProblem {
            code: "E0601",
            file: file.to_string(),
            line,
            column,
            field: (!e.field.is_empty()).then(|| e.field.clone()),
            message: e.to_string(),
            help: e.help,
            text: text.to_string(),
            span,
            lines_before: 0,
        },
        None => CaseProblem {
            code: "E0602",
            file: file.to_string(),
            line,
            column,
            field: None,
            message: describe_raw(&raw),
            help: Some(
                "a case is one JSON object, YAML mapping or TOML table of facts (see CASES.md)"
                    .into(),
            ),
            text: text.to_string(),
            span,
            lines_before: 0,
        },
    }
}

/// The byte offset of the key of `field` (its last dotted segment), if it appears as a key.
fn locate_field(text: &str, field: &str) -> Option<usize> {
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

/// serde_json and serde_yaml append "at line L column C"; the report shows the place itself.
fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message.get(..i).unwrap_or(message).to_string(),
        None => message.to_string(),
    }
}

fn offset_of(text: &str, line: usize, column: usize) -> usize {
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

/// Widens an error position to the quoted key or value that ends (or starts) there.
fn key_span(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let bytes = text.as_bytes();
    // JSON reports the position just after the offending token.
    let end = offset;
    if end > 0 && bytes.get(end - 1) == Some(&b'"') {
        if let Some(start) = text.get(..end - 1).and_then(|t| t.rfind('"')) {
            return (start, end - start);
        }
    }
    if end > 0
        && bytes
            .get(end - 1)
            .is_some_and(|b| b.is_ascii_alphanumeric())
    {
        let start = text
            .get(..end)
            .and_then(|t| {
                t.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'))
            })
            .map_or(0, |i| i + 1);
        return (start, end - start);
    }
    // YAML and TOML report the start of the token.
    let rest = text.get(offset..).unwrap_or("");
    let len = rest
        .find(['\n', ':', '=', ','])
        .unwrap_or(rest.len())
        .max(1)
        .min(rest.len());
    (offset, len)
}

/// One case read from a file, or the problem with it.
pub struct ReadCase {
    /// Where the case came from: the file, with `:LINE` for JSON lines.
    pub origin: String,
    pub result: Result<Case, CaseProblem>,
}

/// Reads every case in a file (one, or one per line for JSON lines).
pub fn read_file(c: &Compiled, path: &Path) -> Vec<ReadCase> {
    let name = if path.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    let Some(format) = Format::of(path) else {
        return vec![ReadCase {
            origin: name.clone(),
            result: Err(CaseProblem::plain(
                &name,
                "cannot tell the case format from the file name".into(),
                Some("name case files *.json, *.yaml, *.yml, *.toml or *.jsonl".into()),
            )),
        }];
    };
    let text = if path.as_os_str() == "-" {
        let mut s = String::new();
        match std::io::Read::read_to_string(&mut std::io::stdin(), &mut s) {
            Ok(_) => Ok(s),
            Err(e) => Err(crate::load::LoadError {
                path: name.clone(),
                message: format!("cannot read standard input: {e}"),
                help: "send UTF-8 JSON lines".into(),
            }),
        }
    } else {
        crate::load::read_text(path)
    };
    let text = match text {
        Ok(t) => t,
        Err(e) => {
            return vec![ReadCase {
                origin: name.clone(),
                result: Err(CaseProblem::plain(&name, e.message, Some(e.help))),
            }];
        }
    };
    let mut scratch = Scratch::default();
    if format == Format::JsonLines {
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let origin = format!("{name}:{}", i + 1);
            let mut case = Case::new(&c.set);
            let result = decode(c, &name, line, Format::Json, &mut case, &mut scratch)
                .map(|()| case)
                .map_err(|mut p| {
                    // Positions are within the line; report the file's line number.
                    p.line = Some(i + 1);
                    p.lines_before = i;
                    p
                });
            out.push(ReadCase { origin, result });
        }
        return out;
    }
    let mut case = Case::new(&c.set);
    let result = decode(c, &name, &text, format, &mut case, &mut scratch).map(|()| case);
    vec![ReadCase {
        origin: name,
        result,
    }]
}

//! A small pretty-printing document algebra (after Wadler's "prettier printer"): text,
//! line breaks that become spaces when their group fits on one line, nesting, and groups.

/// A layout-independent description of text.
#[derive(Clone, Debug)]
pub enum Doc {
    Text(String),
    /// A space when its group is flat, a newline when broken.
    Line,
    /// Nothing when its group is flat, a newline when broken.
    SoftLine,
    /// Always a newline.
    HardLine,
    /// Text printed only when the enclosing group is broken (a trailing comma).
    IfBreak(&'static str),
    Nest(usize, Box<Doc>),
    Group(Box<Doc>),
    Concat(Vec<Doc>),
}

pub fn text(s: impl Into<String>) -> Doc {
    Doc::Text(s.into())
}

pub fn nest(indent: usize, doc: Doc) -> Doc {
    Doc::Nest(indent, Box::new(doc))
}

pub fn group(doc: Doc) -> Doc {
    Doc::Group(Box::new(doc))
}

pub fn concat(docs: Vec<Doc>) -> Doc {
    Doc::Concat(docs)
}

/// The width of `doc` printed flat, or `None` if it cannot be flat (a hard line).
fn flat_width(doc: &Doc, limit: usize) -> Option<usize> {
    let mut width = 0usize;
    let mut stack = vec![doc];
    while let Some(d) = stack.pop() {
        match d {
            Doc::Text(s) => width += s.chars().count(),
            Doc::Line => width += 1,
            Doc::SoftLine | Doc::IfBreak(_) => {}
            Doc::HardLine => return None,
            Doc::Nest(_, inner) | Doc::Group(inner) => stack.push(inner),
            Doc::Concat(items) => stack.extend(items.iter().rev()),
        }
        if width > limit {
            return None;
        }
    }
    Some(width)
}

/// Renders `doc` in lines of at most `width` characters where groups allow.
pub fn render(doc: &Doc, width: usize) -> String {
    let mut out = String::new();
    let mut column = 0usize;
    // (indent, flat, doc), processed last-in first-out.
    let mut stack: Vec<(usize, bool, &Doc)> = vec![(0, false, doc)];
    while let Some((indent, flat, d)) = stack.pop() {
        match d {
            Doc::Text(s) => {
                out.push_str(s);
                column += s.chars().count();
            }
            Doc::Line | Doc::SoftLine if flat => {
                if matches!(d, Doc::Line) {
                    out.push(' ');
                    column += 1;
                }
            }
            Doc::Line | Doc::SoftLine | Doc::HardLine => {
                while out.ends_with(' ') {
                    out.pop();
                }
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', indent));
                column = indent;
            }
            Doc::IfBreak(s) => {
                if !flat {
                    out.push_str(s);
                    column += s.chars().count();
                }
            }
            Doc::Nest(n, inner) => stack.push((indent + n, flat, inner)),
            Doc::Group(inner) => {
                let fits = flat || flat_width(inner, width.saturating_sub(column)).is_some();
                stack.push((indent, fits, inner));
            }
            Doc::Concat(items) => stack.extend(items.iter().rev().map(|i| (indent, flat, i))),
        }
    }
    out
}

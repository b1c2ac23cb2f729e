//! Rule tables generated from the policies, for documentation that cannot drift from
//! them: `docs/policies.md` holds them between markers, and a test rewrites them
//! (`POL_BLESS=1`) or fails when they are stale.
//!
//! ```text
//! <!-- pol:rules advance_parole -->
//! | id | kind | condition | unless | citation |
//! ...
//! <!-- /pol:rules -->
//! ```

use pol_compiler::ir::{PolicyDef, TExpr};
use pol_compiler::Compiled;
use pol_syntax::ast::RuleKind;

/// Which table of a policy: its decision rules, or its warnings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    Rules,
    Warnings,
}

impl Table {
    /// The word used in markers: `rules`, `warnings`.
    pub fn marker(self) -> &'static str {
        match self {
            Table::Rules => "rules",
            Table::Warnings => "warnings",
        }
    }
}

/// The markdown table of `policy`'s rules (every kind but `warn`) or warnings, with each
/// condition as written in the policy and each citation in full.
pub fn table(c: &Compiled, policy: &PolicyDef, which: Table) -> String {
    let text = |e: &TExpr| source_text(c, e);
    let mut out = String::new();
    match which {
        Table::Rules => {
            out.push_str("| id | kind | condition | unless | citation |\n|---|---|---|---|---|\n");
            for r in policy.rules.iter().filter(|r| r.kind != RuleKind::Warn) {
                out.push_str(&format!(
                    "| `{}` | {} | {} | {} | {} |\n",
                    r.name,
                    r.kind.keyword(),
                    code(&text(&r.condition)),
                    r.unless.as_ref().map_or(String::new(), |u| code(&text(u))),
                    cell(r.cite.as_ref().map_or("", |c| c.text.as_str())),
                ));
            }
        }
        Table::Warnings => {
            out.push_str("| code | condition | citation |\n|---|---|---|\n");
            for r in policy.rules.iter().filter(|r| r.kind == RuleKind::Warn) {
                out.push_str(&format!(
                    "| `{}` | {} | {} |\n",
                    r.name,
                    code(&text(&r.condition)),
                    cell(r.cite.as_ref().map_or("", |c| c.text.as_str())),
                ));
            }
        }
    }
    out
}

/// An expression's text as written, on one line.
fn source_text(c: &Compiled, e: &TExpr) -> String {
    let text = c
        .sources
        .get(e.span.file)
        .and_then(|s| s.text.get(e.span.start as usize..e.span.end as usize))
        .unwrap_or("");
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // A list laid out one word a line ends in a trailing comma: `{a, b, }` reads `{a, b}`.
    one_line.replace("{ ", "{").replace(", }", "}").replace(" }", "}")
}

/// Inline code in a table cell.
fn code(s: &str) -> String {
    format!("`{}`", s.replace('|', "\\|"))
}

/// Text in a table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// Rewrites every `<!-- pol:KIND POLICY -->` … `<!-- /pol:KIND -->` block of `doc` with
/// the table generated from `c`. Errors name a marker whose policy does not exist or
/// which is not closed.
pub fn rewrite(c: &Compiled, doc: &str) -> Result<String, String> {
    let mut out = String::with_capacity(doc.len());
    let mut rest = doc;
    while let Some(start) = rest.find("<!-- pol:") {
        let (before, from) = rest.split_at(start);
        out.push_str(before);
        let head_end = from.find("-->").ok_or("a `<!-- pol:` marker is not closed with `-->`")?;
        let head = from.get("<!-- pol:".len()..head_end).unwrap_or("").trim();
        let (which, policy) =
            head.split_once(' ').ok_or_else(|| format!("marker `{head}` names no policy"))?;
        let table_kind = match which {
            "rules" => Table::Rules,
            "warnings" => Table::Warnings,
            other => return Err(format!("unknown table `{other}` (rules, warnings)")),
        };
        let def = c
            .set
            .policies
            .iter()
            .find(|p| p.name == policy.trim())
            .ok_or_else(|| format!("marker names `{policy}`, which is not a policy"))?;
        let end_marker = format!("<!-- /pol:{which} -->");
        let end = from
            .find(&end_marker)
            .ok_or_else(|| format!("`<!-- pol:{head} -->` has no `{end_marker}`"))?;
        out.push_str(from.get(..head_end + 3).unwrap_or(""));
        out.push('\n');
        out.push_str(&table(c, def, table_kind));
        out.push_str(&end_marker);
        rest = from.get(end + end_marker.len()..).unwrap_or("");
    }
    out.push_str(rest);
    Ok(out)
}

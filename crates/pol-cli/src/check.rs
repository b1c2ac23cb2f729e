//! `pol check`: errors and lints for policy files, for people (`human`), for scripts
//! (`json`, one object per line) and for code-scanning tools (`sarif`, SARIF 2.1.0).

use std::path::{Path, PathBuf};

use pol_compiler::codes;
use pol_compiler::{Lints, SourceMap};
use pol_engine::PolicySource;
use pol_syntax::Diagnostic;

use crate::{render, CheckFormat, Exit};

pub fn run(
    policies: Option<&Path>,
    paths: &[PathBuf],
    format: CheckFormat,
    deny_warnings: bool,
) -> Exit {
    let source = if paths.is_empty() {
        match crate::policy_source(policies) {
            Ok(s) => s,
            Err(e) => return e,
        }
    } else {
        PolicySource::Paths(paths.to_vec())
    };
    let loaded = pol_engine::load::load(&source, Lints::Run);
    let roots = (!paths.is_empty()).then_some(loaded.roots);
    let compilation = loaded.compilation;
    let map = &compilation.sources;
    let mut diags = compilation.diagnostics.clone();
    // A file reached only through an `import` may serve policies that were not loaded, so
    // what is unused there is not known: report that only for the files asked about.
    if let Some(roots) = &roots {
        diags.retain(|d| {
            let whole_set = d
                .code
                .lint
                .is_some_and(|l| pol_compiler::lints::WHOLE_SET_LINTS.contains(&l));
            !whole_set || roots.iter().any(|r| r == map.name(d.primary.span.file))
        });
    }
    match format {
        CheckFormat::Human => print_human(&diags, map, deny_warnings),
        CheckFormat::Json => {
            for d in &diags {
                if let Ok(line) = serde_json::to_string(&render::json(d, map)) {
                    println!("{line}");
                }
            }
        }
        CheckFormat::Sarif => match serde_json::to_string_pretty(&sarif(&diags, map)) {
            Ok(s) => println!("{s}"),
            Err(e) => eprintln!("error: cannot write SARIF: {e}"),
        },
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    if diags.iter().any(|d| d.code == codes::POLICY_UNREADABLE) {
        // A path that cannot be read is a misuse, not a finding.
        Exit::Misuse
    } else if errors > 0 || (deny_warnings && warnings > 0) {
        Exit::BadInput
    } else {
        Exit::Ok
    }
}

fn print_human(diags: &[Diagnostic], map: &SourceMap, deny_warnings: bool) {
    let colour = render::use_colour();
    for d in diags {
        eprint!("{}", render::report(d, map).render(colour));
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let files = map.files.len();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if diags.is_empty() {
        eprintln!("checked {files} file{}: no problems", plural(files));
    } else {
        eprintln!(
            "checked {files} file{}: {errors} error{}, {warnings} warning{}{}",
            plural(files),
            plural(errors),
            plural(warnings),
            if deny_warnings && warnings > 0 {
                " (denied by `--deny warnings`)"
            } else {
                ""
            }
        );
    }
}

/// The URI of the official SARIF 2.1.0 schema (OASIS, errata 01).
pub const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The diagnostics as a SARIF 2.1.0 log: one run of the `pol` driver, whose rules are every
/// registered code (so `ruleIndex` is the code's place in the registry), and one result
/// per diagnostic. Regions count columns in Unicode code points, as the human output does.
pub fn sarif(diags: &[Diagnostic], map: &SourceMap) -> serde_json::Value {
    let level = |s: pol_syntax::Severity| s.as_str();
    let rules: Vec<serde_json::Value> = codes::ALL
        .iter()
        .map(|c| {
            serde_json::json!({
                "id": c.id,
                "name": c.lint.unwrap_or(c.id),
                "shortDescription": { "text": c.summary },
                "defaultConfiguration": { "level": level(c.severity) },
            })
        })
        .collect();
    let location = |span: pol_syntax::Span, message: &str| {
        let (start_line, start_column) = map.line_col(span);
        let (end_line, end_column) = map.line_col(pol_syntax::Span {
            start: span.end,
            ..span
        });
        serde_json::json!({
            "physicalLocation": {
                "artifactLocation": { "uri": file_uri(map.name(span.file)) },
                "region": {
                    "startLine": start_line.max(1),
                    "startColumn": start_column.max(1),
                    "endLine": end_line.max(start_line).max(1),
                    "endColumn": end_column.max(1),
                },
            },
            "message": { "text": message },
        })
    };
    let results: Vec<serde_json::Value> = diags
        .iter()
        .map(|d| {
            let text = match &d.help {
                Some(h) => format!("{}\nhelp: {h}", d.message),
                None => d.message.clone(),
            };
            let mut result = serde_json::Map::new();
            result.insert("ruleId".into(), d.code.id.into());
            if let Some(i) = codes::ALL.iter().position(|c| *c == d.code) {
                result.insert("ruleIndex".into(), i.into());
            }
            result.insert("level".into(), level(d.severity).into());
            result.insert("message".into(), serde_json::json!({ "text": text }));
            result.insert(
                "locations".into(),
                serde_json::json!([location(d.primary.span, &d.primary.message)]),
            );
            if !d.secondary.is_empty() {
                let related: Vec<serde_json::Value> = d
                    .secondary
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        let mut v = location(l.span, &l.message);
                        if let Some(obj) = v.as_object_mut() {
                            obj.insert("id".into(), i.into());
                        }
                        v
                    })
                    .collect();
                result.insert("relatedLocations".into(), related.into());
            }
            serde_json::Value::Object(result)
        })
        .collect();
    serde_json::json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "pol",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "invocations": [{ "executionSuccessful": true }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

/// A source name as a URI reference: relative names stay relative (to the directory
/// `pol` ran in), absolute paths become `file://` URIs; anything but unreserved
/// characters and `/` is percent-encoded.
fn file_uri(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    if name.starts_with('/') {
        out.push_str("file://");
    }
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::file_uri;

    #[test]
    fn uris_are_encoded() {
        assert_eq!(file_uri("policies/facts.pol"), "policies/facts.pol");
        assert_eq!(file_uri("my policies/a b.pol"), "my%20policies/a%20b.pol");
        assert_eq!(file_uri("/tmp/x.pol"), "file:///tmp/x.pol");
        assert_eq!(file_uri("é.pol"), "%C3%A9.pol");
    }
}

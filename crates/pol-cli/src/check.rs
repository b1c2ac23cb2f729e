//! `pol check`: errors and lints for policy files.

use std::path::{Path, PathBuf};

use pol_syntax::Diagnostic;

use crate::{load, render, CheckFormat, Exit};

pub fn run(
    policies: Option<&Path>,
    paths: &[PathBuf],
    format: CheckFormat,
    deny_warnings: bool,
) -> Exit {
    let sources = if paths.is_empty() {
        load::policy_set(policies)
    } else {
        load::load_paths(paths)
    };
    let sources = match sources {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "error[pol::E0603]: {}: {}\n  help: {}",
                e.path, e.message, e.help
            );
            return Exit::Misuse;
        }
    };
    let compilation = pol_compiler::compile(sources);
    let map = &compilation.sources;
    let diags = &compilation.diagnostics;
    match format {
        CheckFormat::Human => print_human(diags, map),
        CheckFormat::Json => {
            for d in diags {
                if let Ok(line) = serde_json::to_string(&render::json(d, map)) {
                    println!("{line}");
                }
            }
        }
        CheckFormat::Sarif => {
            match serde_json::to_string_pretty(&crate::check::sarif(diags, map)) {
                Ok(s) => println!("{s}"),
                Err(e) => eprintln!("error: cannot write SARIF: {e}"),
            }
        }
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    if errors > 0 || (deny_warnings && warnings > 0) {
        Exit::BadInput
    } else {
        Exit::Ok
    }
}

fn print_human(diags: &[Diagnostic], map: &pol_compiler::SourceMap) {
    let colour = render::use_colour();
    for d in diags {
        eprint!("{}", render::report(d, map).render(colour));
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let files = map.files.len();
    if diags.is_empty() {
        eprintln!(
            "checked {files} file{}: no problems",
            if files == 1 { "" } else { "s" }
        );
    } else {
        eprintln!(
            "checked {files} file{}: {errors} error{}, {warnings} warning{}",
            if files == 1 { "" } else { "s" },
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" }
        );
    }
}

/// The diagnostics as a SARIF 2.1.0 log.
pub fn sarif(diags: &[Diagnostic], map: &pol_compiler::SourceMap) -> serde_json::Value {
    let rules: Vec<serde_json::Value> = pol_compiler::codes::CODES
        .iter()
        .map(|c| {
            serde_json::json!({
                "id": format!("pol::{}", c.code),
                "name": c.lint.unwrap_or(c.code),
                "shortDescription": { "text": c.summary },
                "defaultConfiguration": { "level": c.severity.as_str() },
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = diags
        .iter()
        .map(|d| {
            let region = |span: pol_syntax::Span| {
                let (sl, sc) = map.line_col(span);
                let end = pol_syntax::Span { start: span.end, ..span };
                let (el, ec) = map.line_col(end);
                serde_json::json!({ "startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec.max(1) })
            };
            let location = |span: pol_syntax::Span, message: &str| {
                serde_json::json!({
                    "physicalLocation": {
                        "artifactLocation": { "uri": map.name(span.file) },
                        "region": region(span),
                    },
                    "message": { "text": message },
                })
            };
            let text = match &d.help {
                Some(h) => format!("{}\nhelp: {h}", d.message),
                None => d.message.clone(),
            };
            serde_json::json!({
                "ruleId": format!("pol::{}", d.code),
                "level": d.severity.as_str(),
                "message": { "text": text },
                "locations": [location(d.primary.span, &d.primary.message)],
                "relatedLocations": d.secondary.iter().enumerate().map(|(i, l)| {
                    let mut v = location(l.span, &l.message);
                    if let Some(obj) = v.as_object_mut() {
                        obj.insert("id".into(), serde_json::json!(i));
                    }
                    v
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "pol",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/pol",
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

//! `pol diff OLD NEW` and `pol diff --git REV`: the decision changes between two policy
//! sets (`pol_engine::diff` finds them), rendered for a terminal, as JSON, or as markdown
//! for a pull-request comment.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use pol_engine::diff::{self, Diff, Options, Side};
use pol_engine::{Engine, PolicySource};

use crate::{emit, Exit};

pub use crate::cli::{DiffArgs, DiffFormat};

pub fn run(policies: Option<&Path>, args: &DiffArgs) -> Exit {
    // The new set: the second directory, the one directory given with --git, or the set in
    // use here (--policies, the project's, else `policies/`).
    let new_dir = match (&args.git, args.sets.as_slice()) {
        (None, [_, new]) => new.clone(),
        (Some(_), [new]) => new.clone(),
        (Some(_), []) => match crate::policy_source(policies) {
            Ok(PolicySource::Project(p)) => p.policies,
            Ok(PolicySource::Directory(d)) => d,
            Ok(_) => PathBuf::from("policies"),
            Err(e) => return e,
        },
        _ => {
            emit::error(
                "give two policy directories (`pol diff OLD NEW`) or a revision \
                 (`pol diff --git REV [NEW]`)",
                None,
            );
            return Exit::Misuse;
        }
    };
    let exported = match &args.git {
        Some(rev) => match diff::export_git(rev, &new_dir) {
            Ok(e) => Some(e),
            Err(e) => {
                emit::load_error(&e);
                return Exit::Misuse;
            }
        },
        None => None,
    };
    let old_dir = match (&exported, args.sets.first()) {
        (Some(e), _) => e.dir.clone(),
        (None, Some(old)) => old.clone(),
        (None, None) => return Exit::Misuse,
    };
    let shown = |p: &Path| pol_engine::load::source_name(p);
    let old_name = match &args.git {
        Some(rev) => format!("{} at {rev}", shown(&new_dir)),
        None => shown(&old_dir),
    };
    let new_name = shown(&new_dir);
    let (Some(old), Some(new)) = (load(&old_dir, &old_name), load(&new_dir, &new_name)) else {
        return Exit::Misuse;
    };
    let opts = Options {
        witnesses: args.witnesses,
        threads: pol_engine::limits::workers(args.jobs.map(std::num::NonZeroUsize::get)),
        synthesize: !args.no_synthesis,
        as_of: args.as_of,
    };
    let found = match diff::diff(old.compiled(), new.compiled(), &args.cases, &opts) {
        Ok(d) => d,
        Err(e) => {
            emit::load_error(&e);
            return Exit::Misuse;
        }
    };
    match args.format {
        DiffFormat::Human => crate::out(&human(&found, &old_name, &new_name, args)),
        DiffFormat::Markdown => crate::out(&markdown(&found, &old_name, &new_name, args)),
        DiffFormat::Json => match serde_json::to_string_pretty(&found.report) {
            Ok(s) => crate::out(&format!("{s}\n")),
            Err(e) => emit::error(&format!("cannot write JSON: {e}"), None),
        },
    }
    emit::write(&problems(&found, &old_name, &new_name));
    let changed = found.report.policies.iter().any(|p| !p.transitions.is_empty());
    if args.exit_code && changed {
        Exit::BadInput
    } else {
        Exit::Ok
    }
}

/// Loads one side, reporting why it cannot be used.
fn load(dir: &Path, name: &str) -> Option<Engine> {
    match Engine::load(PolicySource::Directory(dir.to_path_buf())) {
        Ok(e) => Some(e),
        Err(failure) => {
            for d in failure.diagnostics.iter().filter(|d| d.is_error()) {
                emit::diagnostic(d, &failure.sources);
            }
            emit::error(
                &format!("the policies of {name} do not compile; fix the errors above"),
                None,
            );
            None
        }
    }
}

/// A witness in one line: its `id` when it has one, else the case as compact JSON.
fn witness(w: &serde_json::Value) -> String {
    match w.get("id").and_then(|i| i.as_str()) {
        Some(id) => id.to_string(),
        None => serde_json::to_string(w).unwrap_or_default(),
    }
}

fn corpus_line(d: &Diff, args: &DiffArgs) -> String {
    let synthesized = match args.as_of {
        Some(day) => format!("cases synthesized from the policies as of {day}"),
        None => "cases synthesized from the policies".to_string(),
    };
    match (args.cases.is_empty(), args.no_synthesis) {
        (true, false) => format!("over {synthesized}"),
        (false, false) => format!("over {} corpus cases and {synthesized}", d.cases),
        (false, true) => format!("over {} corpus cases", d.cases),
        (true, true) => "over no cases (give --cases, or allow synthesized cases)".to_string(),
    }
}

fn human(d: &Diff, old: &str, new: &str, args: &DiffArgs) -> String {
    let mut out = format!("decision changes from {old} to {new}, {}\n", corpus_line(d, args));
    for p in &d.report.policies {
        if p.transitions.is_empty() {
            let _ = writeln!(out, "\n{}: no decision changes", p.policy);
            continue;
        }
        let _ = writeln!(out, "\n{}", p.policy);
        for t in &p.transitions {
            let count = match t.count {
                Some(1) => "1 case".to_string(),
                Some(n) => format!("{n} cases"),
                None => "synthesized".to_string(),
            };
            let _ = writeln!(out, "  {:<13} → {:<13} {count}", t.from.as_str(), t.to.as_str());
            for w in &t.witnesses {
                let _ = writeln!(out, "      e.g. {}", witness(w));
            }
        }
    }
    for name in &d.only_old {
        let _ = writeln!(out, "\n{name}: only in {old}");
    }
    for name in &d.only_new {
        let _ = writeln!(out, "\n{name}: only in {new}");
    }
    out
}

fn markdown(d: &Diff, old: &str, new: &str, args: &DiffArgs) -> String {
    let mut out =
        format!("#### Decision changes\n\nFrom `{old}` to `{new}`, {}.\n", corpus_line(d, args));
    let changed: Vec<_> = d.report.policies.iter().filter(|p| !p.transitions.is_empty()).collect();
    if changed.is_empty() {
        out.push_str("\nNo decision changes.\n");
    }
    for p in changed {
        let _ = writeln!(
            out,
            "\n**`{}`**\n\n| from | to | cases | witnesses |\n|---|---|---|---|",
            p.policy
        );
        for t in &p.transitions {
            let count = t.count.map_or("– (synthesized)".to_string(), |n| n.to_string());
            let witnesses: Vec<String> = t
                .witnesses
                .iter()
                .map(|w| format!("`{}`", witness(w).replace('|', "\\|")))
                .collect();
            let _ = writeln!(
                out,
                "| `{}` | `{}` | {count} | {} |",
                t.from.as_str(),
                t.to.as_str(),
                witnesses.join("<br>")
            );
        }
    }
    let same: Vec<String> = d
        .report
        .policies
        .iter()
        .filter(|p| p.transitions.is_empty())
        .map(|p| format!("`{}`", p.policy))
        .collect();
    if !same.is_empty() {
        let _ = writeln!(out, "\nNo decision changes: {}.", same.join(", "));
    }
    for name in &d.only_old {
        let _ = writeln!(out, "\n`{name}` is only in `{old}`.");
    }
    for name in &d.only_new {
        let _ = writeln!(out, "\n`{name}` is only in `{new}`.");
    }
    out
}

/// What the comparison of the policies could not do, and corpus cases that could not be
/// compared, for standard error.
fn problems(d: &Diff, old: &str, new: &str) -> String {
    let mut out = String::new();
    for n in &d.notes {
        let _ = writeln!(
            out,
            "note: {}: cases synthesized from the policies may miss changes: {}",
            n.policy, n.message
        );
    }
    uncompared(
        &mut out,
        d.one_sided,
        "only one of the two sets and were not compared",
        d.one_sided_examples.iter().map(|o| {
            let (ok, bad) = match o.decoded_by {
                Side::Old => (old, new),
                Side::New => (new, old),
            };
            let why = format!("read by {ok}, not by {bad}: {}", o.problem.message);
            (o.problem.place(), why)
        }),
    );
    uncompared(
        &mut out,
        d.unreadable,
        "neither set",
        d.unreadable_examples.iter().map(|p| (p.place(), p.message.clone())),
    );
    out
}

/// The note on `count` corpus cases that were not compared because they can be decoded
/// by `by` (nothing when there are none), then the first few: where each is, and why.
fn uncompared(
    out: &mut String,
    count: u64,
    by: &str,
    examples: impl Iterator<Item = (String, String)>,
) {
    if count == 0 {
        return;
    }
    let _ = writeln!(out, "note: {count} corpus cases can be decoded by {by}:");
    for (place, why) in examples {
        let _ = writeln!(out, "  {place}: {why}");
    }
}

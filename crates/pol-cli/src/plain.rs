//! The opening paragraph of `pol explain`, in plain words for a caseworker: the decision,
//! why (the `says` sentences of the rules that decided it), and what to do next (the next
//! question for an incomplete case, what would change a definite one).
//!
//! Everything here reads the explanation only; rule ids and source lines follow below the
//! paragraph, for the policy's authors.

use pol_compiler::explain::{Explanation, RuleOutcome, RuleTrace, TraceKind};
use pol_compiler::ir::FactDef;
use pol_compiler::reason::values::ValueSet;
use pol_compiler::value::Value;
use pol_compiler::{Compiled, Counterfactual, DecisionKind};

/// The width the paragraph is wrapped to.
const WIDTH: usize = 88;
/// At most this many change sets in the paragraph: the smallest for each of the first
/// decisions they lead to (the full list follows below it).
const SHOWN_COUNTERFACTUALS: usize = 2;

/// What of a decision bears on the person: the parts of the explanation a caseworker acts
/// on, decided once for the paragraph and the sections below it.
#[derive(Clone, Copy, Debug)]
pub struct Bearing {
    /// The warnings matter: the person may travel or be paroled on this path.
    pub warnings: bool,
    /// The forms (and the validity) matter: the path may lead to filing.
    pub forms: bool,
}

/// What bears on the outcome of `ex`: warnings where the person may still get or not need
/// the document (eligible, not required, or still possible), forms where filing may
/// follow (eligible, or still possible).
pub fn bearing(ex: &Explanation) -> Bearing {
    let possible = possible(ex);
    Bearing {
        warnings: possible
            .iter()
            .any(|d| matches!(d, DecisionKind::Eligible | DecisionKind::NotRequired)),
        forms: possible.contains(&DecisionKind::Eligible),
    }
}

/// The decisions still possible: the decision itself when definite.
fn possible(ex: &Explanation) -> Vec<DecisionKind> {
    match (&ex.ask_next, ex.decision.decision) {
        (Some(ask), DecisionKind::Incomplete) => ask.possible.clone(),
        (_, d) => vec![d],
    }
}

/// The opening paragraph, wrapped, ending with a newline. `colour` makes the decision bold.
pub fn paragraph(c: &Compiled, ex: &Explanation, colour: bool) -> String {
    let d = &ex.decision;
    let mut sentences = vec![decision_sentence(ex, colour)];
    for t in ex.trace.iter().filter(|t| is_reason(t)) {
        sentences.push(reason_sentence(c, t));
    }
    // Warnings only once the person may travel on this path; an open case lists them below.
    if bearing(ex).warnings && d.decision != DecisionKind::Incomplete {
        for t in ex.trace.iter().filter(|t| t.decisive && t.kind == TraceKind::Warn) {
            sentences.push(match &t.says {
                Some(s) => s.clone(),
                None => format!("Note the warning `{}`.", name_of(&t.rule)),
            });
        }
    }
    if d.decision == DecisionKind::Eligible && !d.forms.is_empty() {
        sentences.push(format!("File {}.", forms(&d.forms)));
    }
    match d.decision {
        DecisionKind::Incomplete => sentences.extend(next_question(c, ex)),
        _ => sentences.extend(what_would_change_it(c, &ex.counterfactuals)),
    }
    let who = d.id.as_deref().map_or(String::new(), |id| format!("{id}: "));
    // A case's id and values are shown with their control characters escaped.
    let text = crate::render::visible(&format!("{who}{}", sentences.join(" "))).into_owned();
    // Dates and form names are never split at their hyphens.
    let options =
        textwrap::Options::new(WIDTH).word_splitter(textwrap::WordSplitter::NoHyphenation);
    let mut out = textwrap::fill(&text, options);
    out.push('\n');
    out
}

/// Whether a trace entry is one of the decision's reasons (not a warning, not an open rule).
fn is_reason(t: &RuleTrace) -> bool {
    t.decisive
        && t.kind != TraceKind::Warn
        && matches!(t.outcome, RuleOutcome::Fired | RuleOutcome::NotMet)
}

fn decision_sentence(ex: &Explanation, colour: bool) -> String {
    let d = &ex.decision;
    let bold = |s: &str| {
        if colour {
            format!("\u{1b}[1m{s}\u{1b}[0m")
        } else {
            s.to_string()
        }
    };
    let (policy, as_of) = (&d.policy, &d.as_of);
    match d.decision {
        DecisionKind::Eligible => format!(
            "{} for {policy} as of {as_of}: every requirement is met and no exclusion applies; \
             the grant is still discretionary.",
            bold("Eligible")
        ),
        DecisionKind::Ineligible => format!("{} for {policy} as of {as_of}.", bold("Not eligible")),
        DecisionKind::NotRequired => {
            format!("{}: this person does not need {policy} as of {as_of}.", bold("Not required"))
        }
        DecisionKind::Unavailable => {
            format!("{}: {policy} is closed as of {as_of}.", bold("Unavailable"))
        }
        DecisionKind::Incomplete => {
            let words: Vec<&str> = possible(ex).iter().map(|d| word(*d)).collect();
            format!(
                "{}: with the facts given, {policy} as of {as_of} may still be {}.",
                bold("Not decided yet"),
                or_list(&words)
            )
        }
    }
}

/// A decision in words, as the paragraph uses it after "would be" or "may still be".
fn word(d: DecisionKind) -> &'static str {
    match d {
        DecisionKind::Eligible => "eligible",
        DecisionKind::Ineligible => "ineligible",
        DecisionKind::NotRequired => "not required",
        DecisionKind::Unavailable => "unavailable",
        DecisionKind::Incomplete => "undecidable from any facts",
    }
}

/// A decision after "it would".
fn would(d: DecisionKind) -> String {
    match d {
        DecisionKind::NotRequired => "not be required".to_string(),
        d => format!("be {}", word(d)),
    }
}

/// The rule's own sentence, or one made from its kind when the policy gives none.
fn reason_sentence(c: &Compiled, t: &RuleTrace) -> String {
    if let Some(s) = &t.says {
        return s.clone();
    }
    let name = name_of(&t.rule);
    match t.kind {
        TraceKind::Require => format!("The requirement `{name}` is not met."),
        TraceKind::Exclude => format!("The exclusion `{name}` applies."),
        TraceKind::NotRequired => format!("The exemption `{name}` applies."),
        TraceKind::Unavailable => format!("`{name}` closes this policy for the case."),
        TraceKind::Warn => format!("Note the warning `{name}`."),
        TraceKind::Program => window_sentence(c, t),
    }
}

/// Why a program window keeps the case out, from the dates the trace shows: `[the date read,
/// "program opened", "program <closing word>"]`.
fn window_sentence(c: &Compiled, t: &RuleTrace) -> String {
    let Some(cond) = t.conditions.first() else {
        return "The program is closed on this date.".to_string();
    };
    let Some((date, rest)) = cond.facts.split_first() else {
        return "The program is closed on this date.".to_string();
    };
    let on = match date.name.as_str() {
        "as_of" => "on the date of the decision".to_string(),
        path => match fact(c, path).and_then(|f| f.doc.as_deref()) {
            Some(doc) => format!("for the {doc} ({})", date.value),
            None => format!("for {path} = {}", date.value),
        },
    };
    let mut opened = None;
    let mut closed = None;
    for event in rest {
        match event.name.rsplit_once(' ') {
            Some((program, "opened")) => opened = Some((program, event.value.as_str())),
            Some((program, kind)) => closed = Some((program, kind, event.value.as_str())),
            None => {}
        }
    }
    // Dates print as YYYY-MM-DD, so they compare as text.
    match (opened, closed) {
        (Some((program, from)), _) if date.value.as_str() < from => {
            format!("The {program} program had not opened yet {on}: it opened on {from}.")
        }
        (_, Some((program, kind, day))) => {
            format!("The {program} program is closed {on}: it {kind} on {day}.")
        }
        _ => format!("The program is closed {on}."),
    }
}

/// For an incomplete case: the best question to ask next, in the fact's own words.
fn next_question(c: &Compiled, ex: &Explanation) -> Option<String> {
    let first = ex.decision.missing.first()?;
    let asked = match fact(c, first).and_then(|f| f.doc.as_deref()) {
        Some(doc) => format!("Ask next about: {doc} ({first})."),
        None => format!("Ask next about: {first}."),
    };
    // For a yes-or-no question, what each answer leads to.
    let answers = ex
        .ask_next
        .as_ref()
        .and_then(|a| a.questions.first())
        .filter(|q| q.path == *first)
        .map(|q| {
            q.classes
                .iter()
                .filter_map(|class| match (&class.values, class.decisions.as_slice()) {
                    (ValueSet::Bool(b), [one]) => {
                        Some(format!("if {}, {}", if *b { "yes" } else { "no" }, word(*one)))
                    }
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .filter(|a| a.len() >= 2);
    Some(match answers {
        Some(a) => format!("{asked} The answer decides it: {}.", a.join("; ")),
        None => asked,
    })
}

/// For a definite decision: the smallest changes that lead to other decisions, the first of
/// each decision before a second for any.
fn what_would_change_it(c: &Compiled, cfs: &[Counterfactual]) -> Option<String> {
    let mut groups: Vec<(DecisionKind, Vec<&Counterfactual>)> = Vec::new();
    for cf in cfs {
        if groups.len() < SHOWN_COUNTERFACTUALS && groups.iter().all(|(d, _)| *d != cf.decision) {
            groups.push((cf.decision, vec![cf]));
        }
    }
    for cf in cfs {
        let shown: usize = groups.iter().map(|(_, g)| g.len()).sum();
        if shown >= SHOWN_COUNTERFACTUALS {
            break;
        }
        if let Some((_, g)) = groups.iter_mut().find(|(d, _)| *d == cf.decision) {
            if !g.iter().any(|x| std::ptr::eq(*x, cf)) {
                g.push(cf);
            }
        }
    }
    if groups.is_empty() {
        return None;
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(d, g)| {
            let conditions: Vec<String> = g.iter().map(|cf| condition(c, cf)).collect();
            format!("{} {}", would(*d), conditions.join(", or "))
        })
        .collect();
    Some(format!("It would {}.", parts.join("; it would ")))
}

/// "if “DOC” were VALUE and ...", in the facts' own words.
fn condition(c: &Compiled, cf: &Counterfactual) -> String {
    let changes: Vec<String> = cf
        .changes
        .iter()
        .map(|ch| {
            let def = c.set.fact(ch.fact);
            let value = value_words(c, def, ch.typed);
            match def.and_then(|f| f.doc.as_deref()) {
                Some(doc) => format!("“{doc}” were {value}"),
                None => format!("{} were {value}", ch.path),
            }
        })
        .collect();
    let changes: Vec<&str> = changes.iter().map(String::as_str).collect();
    format!("if {}", series(&changes))
}

/// A fact's value in words: yes or no, a word, a list of words, a date, a number of days.
fn value_words(c: &Compiled, def: Option<&FactDef>, value: Value) -> String {
    match (def, value) {
        (_, Value::Bool(b)) => (if b { "yes" } else { "no" }).to_string(),
        (Some(f), Value::Words(0)) if matches!(f.ty, pol_compiler::types::Type::Set(_)) => {
            "none".to_string()
        }
        (Some(f), v) => {
            let shown = c.set.display(f.ty, v);
            let inner = shown.trim_start_matches('{').trim_end_matches('}');
            let words: Vec<&str> = inner.split(", ").collect();
            and_list(&words)
        }
        (None, v) => format!("{v:?}"),
    }
}

fn fact<'a>(c: &'a Compiled, path: &str) -> Option<&'a FactDef> {
    c.set.facts.iter().find(|f| f.path == path)
}

/// `policy.rule` → `rule`.
fn name_of(id: &str) -> &str {
    id.rsplit_once('.').map_or(id, |(_, name)| name)
}

/// "Form I-131", "Forms I-131 and I-134A".
fn forms(names: &[String]) -> String {
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    match names.as_slice() {
        [one] => format!("Form {one}"),
        _ => format!("Forms {}", and_list(&names)),
    }
}

/// "a", "a and b", "a, b, and c": a series whose items may hold "and" themselves.
fn series(items: &[&str]) -> String {
    match items {
        [init @ .., last] if init.len() >= 2 => format!("{}, and {last}", init.join(", ")),
        _ => and_list(items),
    }
}

fn and_list(items: &[&str]) -> String {
    joined(items, "and")
}

fn or_list(items: &[&str]) -> String {
    joined(items, "or")
}

fn joined(items: &[&str], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

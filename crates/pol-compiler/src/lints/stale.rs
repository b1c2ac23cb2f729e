//! `stale_citation_date` (W0517): a citation quotes a date the cited line does not use.
//!
//! When a rule changes (a program's termination moves, a threshold date is corrected) the
//! quote that justified the old date tends to stay behind. A quoted date — "March 25,
//! 2025", "Jan. 12, 2017", "2025-03-25" — that differs from every date the rule or
//! declaration uses (its window dates, the literals, constants and parameters it reads) is
//! reported. A line that uses no date at all is not checked: its quote may date its source.

use std::collections::HashSet;

use pol_syntax::codes;
use pol_syntax::{Diagnostic, Label};

use crate::ir::*;
use crate::value::{Day, Value};

pub(super) fn check(set: &PolicySet, out: &mut Vec<Diagnostic>) {
    let mut check = |what: String, cite: Option<&Cite>, used: Vec<Day>| {
        if let Some(cite) = cite {
            stale(&what, cite, &used, out);
        }
    };
    for p in &set.policies {
        if let Some(w) = &p.window {
            let mut used = Vec::new();
            if let Some(program) = set.programs.get(w.program) {
                used.extend(program.opened.iter().chain(program.closed.iter()).map(|e| e.day));
            }
            used.extend(dates_in(set, &w.at));
            check(format!("the `program` line of `{}`", p.name), w.cite.as_ref(), used);
        }
        for r in &p.rules {
            let used = dates_in(set, std::iter::once(&r.condition).chain(&r.unless));
            let what = format!("rule `{}.{}`", p.name, r.name);
            check(what, r.cite.as_ref(), used);
        }
        for f in &p.forms {
            let used = dates_in(set, &f.when);
            check(format!("form `{}` of `{}`", f.form, p.name), f.cite.as_ref(), used);
        }
        for v in &p.validities {
            let used = dates_in(set, std::iter::once(&v.value).chain(&v.when));
            check(format!("the validity of `{}`", p.name), v.cite.as_ref(), used);
        }
    }
    for prog in &set.programs {
        for edge in prog.opened.iter().chain(prog.closed.iter()) {
            check(
                format!("the `{}` date of program `{}`", edge.kind.keyword(), prog.name),
                edge.cite.as_ref(),
                vec![edge.day],
            );
        }
    }
    for c in &set.consts {
        let used = match c.value {
            Value::Date(d) => vec![d],
            _ => Vec::new(),
        };
        check(format!("constant `{}`", c.name), c.cite.as_ref(), used);
    }
    for l in &set.lets {
        let mut used = Vec::new();
        dates_of(set, &l.value, &mut used, &mut HashSet::new());
        check(format!("`let {}`", l.name), l.cite.as_ref(), used);
    }
    for p in &set.params {
        for v in &p.values {
            let mut used = vec![v.from];
            if let Value::Date(d) = v.value {
                used.push(d);
            }
            check(
                format!("the value of parameter `{}` from {}", p.name, v.from),
                v.cite.as_ref(),
                used,
            );
        }
    }
}

/// Reports each date `cite` quotes that is not among `used` (when `used` is not empty).
fn stale(what: &str, cite: &Cite, used: &[Day], out: &mut Vec<Diagnostic>) {
    if used.is_empty() {
        return;
    }
    let mut uses: Vec<String> = used.iter().map(Day::to_string).collect();
    uses.sort();
    uses.dedup();
    for (quoted, day) in quoted_dates(&cite.text) {
        if used.contains(&day) {
            continue;
        }
        out.push(
            Diagnostic::new(
                codes::STALE_CITATION_DATE,
                format!(
                    "the citation of {what} quotes {quoted} ({day}), a date it does not use ({})",
                    uses.join(", ")
                ),
                Label::new(cite.span, format!("quotes {day}")),
            )
            .with_help(
                "if the date in the policy changed, cite the source of the new date; if the \
                 quote is right, the date in the policy may be stale",
            ),
        );
    }
}

/// Every date an expression uses: date literals, date constants, the dates of the
/// parameters it reads, and those of the `let`s it reads (each once).
/// The dates the expressions of one line use, in order (a `let` read twice counts once).
fn dates_in<'e>(set: &PolicySet, exprs: impl IntoIterator<Item = &'e TExpr>) -> Vec<Day> {
    let mut used = Vec::new();
    let mut seen = HashSet::new();
    for e in exprs {
        dates_of(set, e, &mut used, &mut seen);
    }
    used
}

fn dates_of(set: &PolicySet, e: &TExpr, out: &mut Vec<Day>, seen: &mut HashSet<LetId>) {
    match &e.kind {
        TExprKind::Lit(Value::Date(d)) => out.push(*d),
        TExprKind::Lit(_) | TExprKind::Fact(_) | TExprKind::AsOf => {}
        TExprKind::Const(c) => {
            if let Some(Value::Date(d)) = set.consts.get(c).map(|c| c.value) {
                out.push(d);
            }
        }
        TExprKind::Param(p) => {
            for v in set.params.get(p).map_or(&[][..], |p| &p.values[..]) {
                out.push(v.from);
                if let Value::Date(d) = v.value {
                    out.push(d);
                }
            }
        }
        TExprKind::Let(l) => {
            if seen.insert(*l) {
                if let Some(def) = set.lets.get(l) {
                    dates_of(set, &def.value, out, seen);
                }
            }
        }
        TExprKind::Not(x) => dates_of(set, x, out, seen),
        TExprKind::And(xs) | TExprKind::Or(xs) => {
            for x in xs {
                dates_of(set, x, out, seen);
            }
        }
        TExprKind::Compare(_, a, b) | TExprKind::InSet(a, b) | TExprKind::Arith(_, a, b) => {
            dates_of(set, a, out, seen);
            dates_of(set, b, out, seen);
        }
        TExprKind::InList(x, items) => {
            dates_of(set, x, out, seen);
            for i in items {
                dates_of(set, i, out, seen);
            }
        }
        TExprKind::InRange { element, low, high, .. } => {
            for x in [element, low, high] {
                dates_of(set, x, out, seen);
            }
        }
    }
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The month a word names: in full, or abbreviated to three letters (or `Sept`), with an
/// optional period.
fn month(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| {
            *m == w || (w.len() <= 4 && m.starts_with(&w) && (w.len() == 3 || w == "sept"))
        })
        .map(|i| i as u32 + 1)
}

/// A day of the month: `25`, `25th`, `1st`, with an optional trailing comma.
fn day_of_month(word: &str) -> Option<u32> {
    let w = word.trim_end_matches(',');
    let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = w.get(digits.len()..).unwrap_or("");
    if !matches!(suffix, "" | "st" | "nd" | "rd" | "th") || digits.is_empty() || digits.len() > 2 {
        return None;
    }
    digits.parse().ok().filter(|d| (1..=31).contains(d))
}

/// A four-digit year, with trailing punctuation allowed.
fn year(word: &str) -> Option<i32> {
    let w = word.trim_end_matches(|c: char| !c.is_ascii_digit());
    (w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit())).then(|| w.parse().ok()).flatten()
}

fn day(y: i32, m: u32, d: u32) -> Option<Day> {
    let date = pol_syntax::date::Date { year: y, month: m, day: d };
    chrono::NaiveDate::from_ymd_opt(y, m, d).map(|_| Day::from_date(date))
}

/// The full dates a text quotes, as written and as days: "March 25, 2025", "25 March
/// 2025", "2025-03-25". Years alone ("in 2007") and months alone are not dates.
pub(crate) fn quoted_dates(text: &str) -> Vec<(String, Day)> {
    let mut out = Vec::new();
    let words: Vec<&str> = text
        .split(|c: char| {
            c.is_whitespace() || c == '(' || c == ')' || c == '“' || c == '”' || c == '"'
        })
        .filter(|w| !w.is_empty())
        .collect();
    for (i, w) in words.iter().enumerate() {
        let next = |k: usize| words.get(i + k).copied().unwrap_or("");
        // March 25, 2025 or 25 March 2025 (tried in that order)
        let month_first = (month(w), day_of_month(next(1)), year(next(2)));
        let day_first = (day_of_month(w), month(next(1)), year(next(2)));
        if let ((Some(m), Some(d), Some(y)), _) | (_, (Some(d), Some(m), Some(y))) =
            (month_first, day_first)
        {
            if let Some(day) = day(y, m, d) {
                let year = next(2).trim_end_matches(['.', ';', ':', ',']);
                out.push((format!("{w} {} {year}", next(1)), day));
            }
            continue;
        }
        // 2025-03-25
        let iso = w.trim_matches(|c: char| !c.is_ascii_digit());
        let parts: Vec<&str> = iso.split('-').collect();
        if let [y, m, d] = parts[..] {
            if y.len() == 4 && m.len() == 2 && d.len() == 2 {
                if let (Ok(y), Ok(m), Ok(d)) = (y.parse(), m.parse(), d.parse()) {
                    if let Some(day) = day(y, m, d) {
                        out.push((iso.to_string(), day));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(text: &str) -> Vec<String> {
        quoted_dates(text).into_iter().map(|(_, d)| d.to_string()).collect()
    }

    #[test]
    fn quoted_dates_are_found_in_every_spelling() {
        assert_eq!(days("terminated by DHS on March 25, 2025, pursuant to notice"), ["2025-03-25"]);
        assert_eq!(days("repealed on January 12, 2017. However"), ["2017-01-12"]);
        assert_eq!(days("As of November 15, 2024, a federal judge"), ["2024-11-15"]);
        assert_eq!(days("on Jan. 12th, 2017 and 2025-03-25;"), ["2017-01-12", "2025-03-25"]);
        assert_eq!(days("(6 June 2025)"), ["2025-06-06"]);
        assert_eq!(days("Sept 1, 2020"), ["2020-09-01"]);
        // Not full dates, or not dates at all.
        assert!(days("created in 2007").is_empty());
        assert!(days("between May and June 2025").is_empty());
        assert!(days("may 2025").is_empty());
        assert!(days("March 32, 2025 and 2025-02-30").is_empty());
        assert!(days("Form I-131 costs $ 575").is_empty());
    }
}

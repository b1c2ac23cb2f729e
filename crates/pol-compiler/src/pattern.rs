//! String patterns of case constraints (`applicant.nationality matches "[A-Z]{2}"`).
//!
//! A pattern is a sequence of items, each a character or a character class with an
//! optional repetition: `A`, `\.`, `.`, `[A-Z]`, `[^0-9]`, then `?`, `*`, `+`, `{n}`,
//! `{n,}` or `{n,m}`. The whole value must fit. There is no alternation or grouping: a
//! pattern states the shape of a code or identifier, and keeping the language this small
//! lets the reasoning decide exactly whether a string other than the ones a policy names
//! can fit it ([`Pattern::examples`]).

use std::collections::BTreeSet;

/// The largest repetition count a pattern may write (`{n,m}` with `m` at most this).
pub const MAX_REPEAT: u32 = 1_000;

/// A parsed pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    items: Vec<Item>,
    /// The items expanded into steps, once.
    steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Item {
    set: CharSet,
    min: u32,
    /// `None`: unbounded.
    max: Option<u32>,
}

/// The characters one item accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
struct CharSet {
    /// Sorted, disjoint inclusive ranges.
    ranges: Vec<(char, char)>,
    negated: bool,
}

impl CharSet {
    fn any() -> CharSet {
        CharSet { ranges: Vec::new(), negated: true }
    }

    fn one(c: char) -> CharSet {
        CharSet { ranges: vec![(c, c)], negated: false }
    }

    fn contains(&self, c: char) -> bool {
        self.ranges.iter().any(|(a, b)| *a <= c && c <= *b) != self.negated
    }

    /// A few characters of the set, in order, for building examples.
    fn samples(&self, limit: usize) -> Vec<char> {
        let mut out = Vec::new();
        if self.negated {
            // Printable ASCII first, then beyond.
            let mut c = ' ';
            while out.len() < limit && (c as u32) < 0x3000 {
                if self.contains(c) {
                    out.push(c);
                }
                c = char::from_u32(c as u32 + 1).unwrap_or('\u{3000}');
            }
            return out;
        }
        for (a, b) in &self.ranges {
            let mut c = *a;
            loop {
                if out.len() >= limit {
                    return out;
                }
                out.push(c);
                if c >= *b {
                    break;
                }
                match char::from_u32(c as u32 + 1) {
                    Some(n) => c = n,
                    None => break,
                }
            }
        }
        out
    }
}

impl Pattern {
    /// Parses a pattern, or says what is wrong with it.
    pub fn parse(text: &str) -> Result<Pattern, String> {
        let chars: Vec<char> = text.chars().collect();
        let mut items = Vec::new();
        let mut i = 0;
        let mut total: u64 = 0;
        while let Some(&c) = chars.get(i) {
            i += 1;
            let set = match c {
                '.' => CharSet::any(),
                '[' => {
                    let (set, next) = class(&chars, i)?;
                    i = next;
                    set
                }
                '\\' => {
                    let e = chars
                        .get(i)
                        .copied()
                        .ok_or("the pattern ends with a lone `\\`")?;
                    i += 1;
                    CharSet::one(e)
                }
                '(' | ')' | '|' => {
                    return Err(format!(
                        "`{c}` is not supported: a pattern is a sequence of characters and classes, without groups or alternatives"
                    ))
                }
                '^' | '$' => {
                    return Err(format!(
                        "`{c}` is not needed: the whole value must always fit the pattern"
                    ))
                }
                '?' | '*' | '+' | '{' => {
                    return Err(format!("`{c}` repeats nothing: put it after a character or a class"))
                }
                ']' | '}' => return Err(format!("`{c}` closes nothing; write `\\{c}` for the character")),
                c => CharSet::one(c),
            };
            let (min, max, next) = repetition(&chars, i)?;
            i = next;
            total += u64::from(max.unwrap_or(min.max(1)));
            if total > u64::from(MAX_REPEAT) * 4 {
                return Err("the pattern is too long to check".into());
            }
            items.push(Item { set, min, max });
        }
        let mut p = Pattern { items, steps: Vec::new() };
        p.steps = p.expand();
        Ok(p)
    }

    /// Whether the whole of `s` fits the pattern.
    pub fn matches(&self, s: &str) -> bool {
        // States: positions in the expanded sequence, where an item with bounds min..max
        // becomes `min` required steps then `max - min` optional ones (or a loop when
        // unbounded). Checking a case's value allocates nothing while the pattern has fewer
        // than 64 steps, which patterns for codes and identifiers always have.
        if self.steps.len() < 64 {
            return self.matches_small(s);
        }
        let steps = &self.steps;
        let n = steps.len();
        let mut current = vec![false; n + 1];
        if let Some(first) = current.get_mut(0) {
            *first = true;
        }
        close(steps, &mut current);
        for c in s.chars() {
            let mut next = vec![false; n + 1];
            for (i, step) in steps.iter().enumerate() {
                if current.get(i).copied().unwrap_or(false) && step.set.contains(c) {
                    let to = if step.kind == StepKind::Loop { i } else { i + 1 };
                    if let Some(t) = next.get_mut(to) {
                        *t = true;
                    }
                }
            }
            close(steps, &mut next);
            if !next.iter().any(|b| *b) {
                return false;
            }
            current = next;
        }
        current.get(n).copied().unwrap_or(false)
    }

    /// [`Pattern::matches`] with the states as the bits of one word.
    fn matches_small(&self, s: &str) -> bool {
        let steps = &self.steps;
        let close = |mut states: u64| -> u64 {
            for (i, step) in steps.iter().enumerate() {
                if step.kind != StepKind::Required && states & (1u64 << i) != 0 {
                    states |= 1u64 << (i + 1);
                }
            }
            states
        };
        let mut current = close(1);
        for c in s.chars() {
            let mut next = 0u64;
            for (i, step) in steps.iter().enumerate() {
                if current & (1u64 << i) != 0 && step.set.contains(c) {
                    let to = if step.kind == StepKind::Loop { i } else { i + 1 };
                    next |= 1u64 << to;
                }
            }
            current = close(next);
            if current == 0 {
                return false;
            }
        }
        current & (1u64 << steps.len()) != 0
    }

    /// Up to `limit` distinct strings that fit the pattern, shortest and smallest first
    /// as far as a bounded search finds them, and whether that list is every string that
    /// fits (`true` when the search ran out of strings rather than of patience).
    pub fn examples(&self, limit: usize) -> (BTreeSet<String>, bool) {
        let steps = &self.steps;
        let mut found = BTreeSet::new();
        let mut budget: u32 = 20_000;
        let mut exhausted = true;
        let mut prefix = String::new();
        let ok = walk(steps, 0, &mut prefix, &mut found, limit, &mut budget);
        if !ok || found.len() >= limit {
            exhausted = false;
        }
        // An unbounded repetition of a non-empty set fits infinitely many strings.
        if steps.iter().any(|s| s.kind == StepKind::Loop && !s.set.samples(1).is_empty()) {
            exhausted = false;
        }
        (found, exhausted)
    }

    fn expand(&self) -> Vec<Step> {
        let mut out = Vec::new();
        for item in &self.items {
            for _ in 0..item.min {
                out.push(Step { set: item.set.clone(), kind: StepKind::Required });
            }
            match item.max {
                Some(max) => {
                    for _ in item.min..max {
                        out.push(Step { set: item.set.clone(), kind: StepKind::Optional });
                    }
                }
                None => out.push(Step { set: item.set.clone(), kind: StepKind::Loop }),
            }
        }
        out
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StepKind {
    Required,
    Optional,
    Loop,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Step {
    set: CharSet,
    kind: StepKind,
}

/// Adds the positions reachable without reading a character (skipping optional steps and
/// loops), in order: every such move goes forward.
fn close(steps: &[Step], states: &mut [bool]) {
    for (i, step) in steps.iter().enumerate() {
        if step.kind != StepKind::Required && states.get(i).copied().unwrap_or(false) {
            if let Some(s) = states.get_mut(i + 1) {
                *s = true;
            }
        }
    }
}

/// Depth-first search for fitting strings; false when the budget ran out.
fn walk(
    steps: &[Step],
    at: usize,
    prefix: &mut String,
    found: &mut BTreeSet<String>,
    limit: usize,
    budget: &mut u32,
) -> bool {
    if found.len() >= limit {
        return true;
    }
    if *budget == 0 {
        return false;
    }
    *budget -= 1;
    let Some(step) = steps.get(at) else {
        found.insert(prefix.clone());
        return true;
    };
    let mut ok = true;
    if step.kind != StepKind::Required {
        ok &= walk(steps, at + 1, prefix, found, limit, budget);
    }
    // A loop is tried once: one more character is enough to tell strings apart.
    for c in step.set.samples(limit.saturating_add(1)) {
        if found.len() >= limit {
            break;
        }
        prefix.push(c);
        ok &= walk(steps, at + 1, prefix, found, limit, budget);
        prefix.pop();
    }
    ok
}

/// A class `[...]` starting after its `[`; returns the set and the index after `]`.
fn class(chars: &[char], mut i: usize) -> Result<(CharSet, usize), String> {
    let mut negated = false;
    if chars.get(i) == Some(&'^') {
        negated = true;
        i += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let c = *chars.get(i).ok_or("a class `[` is not closed with `]`")?;
        i += 1;
        if c == ']' && !first {
            break;
        }
        first = false;
        let lo = if c == '\\' {
            let e = *chars.get(i).ok_or("the pattern ends with a lone `\\`")?;
            i += 1;
            e
        } else {
            c
        };
        if chars.get(i) == Some(&'-') && chars.get(i + 1).is_some_and(|n| *n != ']') {
            let mut hi = *chars.get(i + 1).ok_or("a range in a class has no end")?;
            i += 2;
            if hi == '\\' {
                hi = *chars.get(i).ok_or("the pattern ends with a lone `\\`")?;
                i += 1;
            }
            if hi < lo {
                return Err(format!("the range `{lo}-{hi}` runs backwards"));
            }
            ranges.push((lo, hi));
        } else {
            ranges.push((lo, lo));
        }
    }
    ranges.sort_unstable();
    let mut merged: Vec<(char, char)> = Vec::new();
    for (a, b) in ranges {
        match merged.last_mut() {
            Some(last) if (last.1 as u32).saturating_add(1) >= a as u32 => {
                last.1 = last.1.max(b);
            }
            _ => merged.push((a, b)),
        }
    }
    Ok((CharSet { ranges: merged, negated }, i))
}

/// The repetition after an item, if any: (min, max, index after it).
fn repetition(chars: &[char], i: usize) -> Result<(u32, Option<u32>, usize), String> {
    match chars.get(i) {
        Some('?') => Ok((0, Some(1), i + 1)),
        Some('*') => Ok((0, None, i + 1)),
        Some('+') => Ok((1, None, i + 1)),
        Some('{') => {
            let close = chars
                .get(i..)
                .and_then(|rest| rest.iter().position(|c| *c == '}'))
                .ok_or("a repetition `{` is not closed with `}`")?;
            let body: String = chars.get(i + 1..i + close).unwrap_or(&[]).iter().collect();
            let number = |s: &str| -> Result<u32, String> {
                let n: u32 = s.trim().parse().map_err(|_| {
                    format!("`{{{body}}}` is not a repetition like `{{2}}` or `{{1,3}}`")
                })?;
                if n > MAX_REPEAT {
                    return Err(format!("repetitions go up to {MAX_REPEAT}"));
                }
                Ok(n)
            };
            let (min, max) = match body.split_once(',') {
                None => {
                    let n = number(&body)?;
                    (n, Some(n))
                }
                Some((a, b)) if b.trim().is_empty() => (number(a)?, None),
                Some((a, b)) => (number(a)?, Some(number(b)?)),
            };
            if max.is_some_and(|m| m < min) {
                return Err(format!("`{{{body}}}` allows fewer than it requires"));
            }
            Ok((min, max, i + close + 1))
        }
        _ => Ok((1, Some(1), i)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn two_upper_case_letters() {
        let p = Pattern::parse("[A-Z]{2}").unwrap();
        assert!(p.matches("CU"));
        for bad in ["cu", "CUB", "", "C", "C1", "Cu"] {
            assert!(!p.matches(bad), "{bad}");
        }
        let (some, all) = p.examples(5);
        assert_eq!(some.len(), 5);
        assert!(!all);
        assert!(some.iter().all(|s| p.matches(s)));
    }

    #[test]
    fn repetitions_classes_and_escapes() {
        let p = Pattern::parse(r"[A-Z][a-z]*\.?[0-9]{1,3}").unwrap();
        for ok in ["A1", "Abc.123", "Z.9"] {
            assert!(p.matches(ok), "{ok}");
        }
        for bad in ["a1", "A1234", "A.", "Ab..1"] {
            assert!(!p.matches(bad), "{bad}");
        }
        assert!(Pattern::parse("[^0-9]+").unwrap().matches("ab"));
        assert!(!Pattern::parse("[^0-9]+").unwrap().matches("a1"));
        assert!(Pattern::parse(".*").unwrap().matches(""));
    }

    #[test]
    fn long_patterns_match_like_short_ones() {
        // 70 steps: past the one-word state set.
        let p = Pattern::parse("[A-Z]{69}x?").unwrap();
        assert!(p.matches(&"A".repeat(69)));
        assert!(p.matches(&format!("{}x", "B".repeat(69))));
        assert!(!p.matches(&"A".repeat(68)));
        assert!(!p.matches(&"A".repeat(70)));
        let q = Pattern::parse("[A-Z]{62}x?").unwrap();
        assert!(q.matches(&"A".repeat(62)) && !q.matches(&"A".repeat(61)));
    }

    #[test]
    fn a_finite_pattern_lists_every_string() {
        let p = Pattern::parse("[AB]x?").unwrap();
        let (all, exhausted) = p.examples(10);
        assert!(exhausted);
        assert_eq!(all.into_iter().collect::<Vec<_>>(), ["A", "Ax", "B", "Bx"]);
    }

    #[test]
    fn malformed_patterns_say_why() {
        for bad in ["(A|B)", "[A-Z", "A{2", "*", "A{3,1}", "[Z-A]", "^A$", "\\", "A{2000}"] {
            assert!(Pattern::parse(bad).is_err(), "{bad}");
        }
    }
}

//! "Did you mean" suggestions for near-miss names, and what to say of a lint name that is
//! not one.

use pol_syntax::codes;

/// The candidate closest to `name`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    // Jaro-Winkler counts a swap of neighbours as two mismatches and weighs them heavily in
    // a short word (`tsp` scores 0.56 against `tps`), so one edit — a letter added, dropped,
    // changed or two neighbours swapped — is a near miss too, in words of three letters or
    // more (in shorter ones one edit is most of the word: `h3` is not a typo of `h1`).
    let mut one_edit: Option<&str> = None;
    let long_enough = name.chars().count() >= 3;
    for c in candidates {
        let score = strsim::jaro_winkler(name, c);
        // Also accept a match on the last dotted segment (`stauts` for `applicant.status`).
        let tail = c.rsplit('.').next().unwrap_or(c);
        let score = score.max(strsim::jaro_winkler(name, tail) - 0.02);
        if score > best.map_or(0.0, |b| b.0) {
            best = Some((score, c));
        }
        if one_edit.is_none()
            && long_enough
            && (strsim::osa_distance(name, c) == 1 || strsim::osa_distance(name, tail) == 1)
        {
            one_edit = Some(c);
        }
    }
    best.filter(|(s, _)| *s >= 0.84).map(|(_, c)| c).or(one_edit)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn finds_typos_and_rejects_strangers() {
        let names = ["applicant.status", "applicant.age", "reason"];
        assert_eq!(did_you_mean("applicant.stauts", names), Some("applicant.status"));
        assert_eq!(did_you_mean("resaon", names), Some("reason"));
        assert_eq!(did_you_mean("zebra", names), None);
    }

    #[test]
    fn a_swap_of_neighbours_in_a_short_word_is_a_near_miss() {
        let words = ["none", "tps", "daca", "h1", "h4"];
        assert_eq!(did_you_mean("tsp", words), Some("tps"));
        assert_eq!(did_you_mean("dacca", words), Some("daca"));
        // Two letters: one edit is most of the word.
        assert_eq!(did_you_mean("h3", words), None);
        assert_eq!(did_you_mean("xyz", words), None);
    }
}

/// A lint name that is not one, with the closest that is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownLint {
    pub name: String,
    pub did_you_mean: Option<&'static str>,
}

impl UnknownLint {
    /// `name`, which is not a lint, with the lint it is closest to.
    pub fn named(name: &str) -> UnknownLint {
        UnknownLint {
            name: name.to_string(),
            did_you_mean: did_you_mean(name, codes::lint_names()),
        }
    }

    /// How to fix it: the lint that was meant, or every lint's name.
    pub fn help(&self) -> String {
        match self.did_you_mean {
            Some(meant) => format!("did you mean `{meant}`?"),
            None => {
                let names: Vec<&str> = codes::lint_names().collect();
                format!("the lints are: {}", names.join(", "))
            }
        }
    }
}

//! "Did you mean" suggestions for near-miss names.

/// The candidate closest to `name`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(name, c);
        // Also accept a match on the last dotted segment (`stauts` for `applicant.status`).
        let tail = c.rsplit('.').next().unwrap_or(c);
        let score = score.max(strsim::jaro_winkler(name, tail) - 0.02);
        if score > best.map_or(0.0, |b| b.0) {
            best = Some((score, c));
        }
    }
    best.filter(|(s, _)| *s >= 0.84).map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn finds_typos_and_rejects_strangers() {
        let names = ["applicant.status", "applicant.age", "reason"];
        assert_eq!(
            did_you_mean("applicant.stauts", names),
            Some("applicant.status")
        );
        assert_eq!(did_you_mean("resaon", names), Some("reason"));
        assert_eq!(did_you_mean("zebra", names), None);
    }
}

//! `missing_says` (W0518, off by default): a rule with no reason in plain words. `pol
//! explain` then has only the rule's name and citation to show the applicant; a project
//! whose explanations reach applicants turns this on (`pol.toml`: `missing_says = "deny"`).

use pol_syntax::codes;
use pol_syntax::{Diagnostic, Label, Span};

use crate::ir::PolicySet;

pub(super) fn check(set: &PolicySet, out: &mut Vec<Diagnostic>) {
    for p in &set.policies {
        for r in p.rules.iter().filter(|r| r.says.is_none()) {
            out.push(
                Diagnostic::new(
                    codes::MISSING_SAYS,
                    format!("rule `{}.{}` gives no reason in plain words", p.name, r.name),
                    Label::new(r.name_span, "no `says`"),
                )
                .with_help(
                    "end the rule with one sentence that tells the applicant what this rule \
                     found: `says \"You are not a national of Cuba, Haiti, Nicaragua or Venezuela.\"`",
                )
                // An empty sentence is an error (E0403): the fix is done when the author
                // has written it, never by a placeholder that passes.
                .with_suggestion(
                    Span {
                        start: r.span.end,
                        ..r.span
                    },
                    " says \"\"",
                    "add the sentence for the applicant",
                ),
            );
        }
    }
}

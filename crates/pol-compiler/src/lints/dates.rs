//! Dates that cannot be meant: `empty_window` (W0510) and `parameter_order` (W0511).

use pol_syntax::codes;
use pol_syntax::{Diagnostic, Label};

use crate::ir::*;
use crate::semantics;

pub(super) fn check(set: &PolicySet, out: &mut Vec<Diagnostic>) {
    for p in &set.programs {
        empty_window(p, out);
    }
    for p in &set.params {
        parameter_order(p, out);
    }
}

/// A window that closes on or before the day it opens is never open.
fn empty_window(p: &ProgramDef, out: &mut Vec<Diagnostic>) {
    let (Some(opened), Some(closed)) = (&p.opened, &p.closed) else {
        return;
    };
    if !semantics::window_is_empty(p) {
        return;
    }
    let when = if closed.day == opened.day { "on the day it opens" } else { "before it opens" };
    out.push(
        Diagnostic::new(
            codes::EMPTY_WINDOW,
            format!("program `{}` closes {when}: its window is never open", p.name),
            Label::new(closed.span, format!("{} {}", closed.kind.keyword(), closed.day)),
        )
        .with_label(Label::new(opened.span, format!("opened {}", opened.day)))
        .with_help(
            "a window is open from its opening date until the day before its closing date; \
             check both dates",
        ),
    );
}

/// Each value holds from its date until the next one's, so the dates must increase.
fn parameter_order(p: &ParamDef, out: &mut Vec<Diagnostic>) {
    for pair in p.values.windows(2) {
        let [earlier, later] = pair else { continue };
        if later.from > earlier.from {
            continue;
        }
        let d = if later.from == earlier.from {
            Diagnostic::new(
                codes::PARAMETER_ORDER,
                format!("two values of parameter `{}` start on {}", p.name, later.from),
                Label::new(later.span, "starts on the same day"),
            )
            .with_label(Label::new(earlier.span, "as this one"))
            .with_help("only one value can hold on a day: keep the right one")
        } else {
            Diagnostic::new(
                codes::PARAMETER_ORDER,
                format!("the values of parameter `{}` are not in date order", p.name),
                Label::new(later.span, format!("from {}, earlier than the line above", later.from)),
            )
            .with_label(Label::new(earlier.span, format!("from {}", earlier.from)))
            .with_help(
                "list the values from the earliest date to the latest: each value holds from \
                 its date until the date of the next line",
            )
        };
        out.push(d);
    }
}

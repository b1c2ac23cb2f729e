//! Inlay hints: what a name stands for, shown where it is used, so that an author reading a
//! rule sees the numbers and dates it compares with without hovering: a constant's value
//! (`one_year` `= 365 days`), a dated parameter's value today and since when, and a
//! program's window after `program NAME`.

use lsp_types::{InlayHint, InlayHintLabel};
use pol_compiler::symbols::{Period, Symbol, SymbolKind};
use pol_syntax::FileId;

use crate::workspace::Analysis;

/// The hints for the names used in `file` between byte offsets `start` and `end`, on the
/// day `today` (`YYYY-MM-DD`, which orders as the calendar does).
pub fn inlay_hints(
    a: &Analysis,
    file: FileId,
    start: u32,
    end: u32,
    today: &str,
) -> Vec<InlayHint> {
    let index = &a.compilation.index;
    index
        .references
        .iter()
        .filter(|r| r.span.file == file && start <= r.span.start && r.span.end <= end)
        .filter_map(|r| {
            let label = label(index.symbol(r.target)?, today)?;
            Some(InlayHint {
                position: a.range(r.span).end,
                label: InlayHintLabel::String(label),
                kind: None,
                text_edits: None,
                tooltip: None,
                padding_left: Some(true),
                padding_right: None,
                data: None,
            })
        })
        .collect()
}

/// What a use of `sym` is shown with, if anything.
fn label(sym: &Symbol, today: &str) -> Option<String> {
    let info = &sym.info;
    match sym.kind {
        SymbolKind::Const => info.value.as_ref().map(|v| format!("= {v}")),
        SymbolKind::Param => Some(match in_force(&info.periods, today) {
            Some(p) => format!("= {} since {}", p.value, p.from),
            None => format!("no value until {}", info.periods.first()?.from),
        }),
        SymbolKind::Program if !info.window.is_empty() => {
            let ends: Vec<String> =
                info.window.iter().map(|w| format!("{} {}", w.event, w.date)).collect();
            Some(ends.join(", "))
        }
        _ => None,
    }
}

/// The period of a dated parameter in force on `today`: the last to start on or before it
/// (the periods are in date order).
fn in_force<'p>(periods: &'p [Period], today: &str) -> Option<&'p Period> {
    periods.iter().rev().find(|p| p.from.as_str() <= today)
}

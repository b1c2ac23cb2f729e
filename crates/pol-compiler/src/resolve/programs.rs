//! Programs: their windows (the dates a program opened and closed), and the names policies
//! use to refer to them.

use pol_syntax::ast::{self, ItemKind, WindowDate};
use pol_syntax::codes;
use pol_syntax::{Diagnostic, FileId, Label};

use super::{cite, file_items, Checker};
use crate::ir::*;
use crate::suggest::did_you_mean;
use crate::symbols::Declared;
use crate::types::Type;
use crate::value::{Day, Value};

impl<'a> Checker<'a> {
    pub(super) fn collect_programs(&mut self, files: &[Option<ast::SourceFile>]) {
        for (file, item) in file_items(files) {
            let ItemKind::Program(p) = &item.kind else {
                continue;
            };
            let first = self.programs.get(&p.name.node).map(|(_, _, span)| *span);
            if !self.is_first("program", &p.name, first) {
                continue;
            }
            let mut opened: Option<WindowEdge> = None;
            let mut closed: Option<WindowEdge> = None;
            for ev in &p.events {
                let Some(day) = self.window_day(file, &ev.date) else {
                    continue;
                };
                let edge =
                    WindowEdge { kind: ev.kind.node, day, cite: cite(&ev.cite), span: ev.span };
                let slot = if ev.kind.node.opens() { &mut opened } else { &mut closed };
                if let Some(first) = slot {
                    let first_span = first.span;
                    self.error(
                        Diagnostic::new(
                            codes::CONFLICTING_WINDOW,
                            format!(
                                "program `{}` has two {} dates",
                                p.name.node,
                                if ev.kind.node.opens() { "opening" } else { "closing" }
                            ),
                            Label::new(ev.span, "second date"),
                        )
                        .with_label(Label::new(first_span, "first date"))
                        .with_help("a program window has at most one opening and one closing date"),
                    );
                    continue;
                }
                *slot = Some(edge);
            }
            let id = self.set.programs.push(ProgramDef {
                name: p.name.node.clone(),
                doc: p.doc.as_ref().map(|d| d.node.clone()),
                opened,
                closed,
                span: p.name.span,
            });
            self.programs.insert(p.name.node.clone(), (id, file, p.name.span));
        }
    }

    pub(super) fn window_day(&mut self, file: FileId, date: &WindowDate) -> Option<Day> {
        match date {
            WindowDate::Literal(d) => Some(Day::from_date(d.node)),
            WindowDate::Named(n) => {
                let te = self.check_name_expr(n, file)?;
                match (te.ty, &te.kind) {
                    (Type::Date, TExprKind::Const(c)) => match self.set.consts.get(c)?.value {
                        Value::Date(d) => Some(d),
                        _ => None,
                    },
                    _ => {
                        self.error(
                            Diagnostic::new(
                                codes::WRONG_TYPE,
                                format!("`{}` is not a date constant", n.node),
                                Label::new(n.span, "expected a date constant"),
                            )
                            .with_help("write a date like 2025-03-25 or name a `const` date"),
                        );
                        None
                    }
                }
            }
        }
    }

    pub(super) fn lookup_program(&mut self, file: FileId, name: &ast::Name) -> Option<ProgramId> {
        match self.programs.get(&name.node) {
            Some((id, declared, _)) if self.is_visible(file, *declared) => {
                let id = *id;
                self.refer(name.span, Declared::Program(id));
                if let Some(n) = self.usage.programs.get_mut(id.index()) {
                    *n += 1;
                } else {
                    self.usage.programs.resize(id.index() + 1, 0);
                    if let Some(n) = self.usage.programs.get_mut(id.index()) {
                        *n += 1;
                    }
                }
                Some(id)
            }
            found => {
                let hidden = found.is_some();
                // Poisoned: the parser reported why this program is missing or not visible.
                if self.poisoned.program(&name.node) || self.poisoned.hides(file, hidden) {
                    return None;
                }
                let suggestion = did_you_mean(&name.node, self.programs.keys().map(String::as_str))
                    .map(str::to_string);
                let d = Diagnostic::new(
                    codes::UNKNOWN_NAME,
                    format!("unknown program `{}`", name.node),
                    Label::new(
                        name.span,
                        if hidden {
                            "declared in a file not imported here"
                        } else {
                            "no program has this name"
                        },
                    ),
                );
                let d = match (hidden, suggestion) {
                    (true, _) => {
                        d.with_help("add an `import` of the file that declares the program")
                    }
                    (false, Some(s)) => d.with_did_you_mean(name.span, &s),
                    (false, None) => {
                        d.with_help("declare it with `program NAME { opened DATE ... }`")
                    }
                };
                self.error(d);
                None
            }
        }
    }
}

//! Imports: which files each file sees (itself and the files it imports).

use pol_syntax::ast::{self, ItemKind};
use pol_syntax::codes;
use pol_syntax::{Diagnostic, FileId, Label};

use std::collections::HashSet;

use super::{file_items, Checker};
use crate::source::import_name;
use crate::suggest::did_you_mean;
use crate::symbols::Declared;

impl<'a> Checker<'a> {
    /// `refused` names the files the import resolver would not read: their error is
    /// reported where imports are followed, so an import of one is not "missing" too. A
    /// failed import is its one error: the names it would have shown are not reported
    /// again (`poisoned.rs`).
    pub(super) fn resolve_imports(
        &mut self,
        files: &[Option<ast::SourceFile>],
        refused: &HashSet<String>,
    ) {
        self.visible = (0..files.len()).map(|i| vec![FileId(i as u32)]).collect();
        let index = self.sources.import_index();
        for (file, item) in file_items(files) {
            let ItemKind::Import(import) = &item.kind else {
                continue;
            };
            match index.resolve(self.sources, file, &import.path.node) {
                Some(target) => {
                    self.refer(import.path.span, Declared::File(target));
                    if let Some(v) = self.visible.get_mut(file.0 as usize) {
                        v.push(target);
                    }
                }
                None if self.sources.files.get(file.0 as usize).is_some_and(|importer| {
                    refused.contains(&import_name(&importer.name, &import.path.node))
                }) =>
                {
                    self.poisoned.unsighted_file(file);
                }
                None => {
                    self.poisoned.blind_file(file);
                    let names: Vec<&str> =
                        self.sources.files.iter().map(|f| f.name.as_str()).collect();
                    let mut d = Diagnostic::new(
                        codes::UNKNOWN_NAME,
                        format!("cannot find the imported file `{}`", import.path.node),
                        Label::new(import.path.span, "no such policy file"),
                    );
                    let base = import.path.node.rsplit('/').next().unwrap_or("");
                    let hint =
                        names.iter().map(|n| n.rsplit('/').next().unwrap_or(n)).collect::<Vec<_>>();
                    d = match did_you_mean(base, hint) {
                        Some(s) => {
                            // The same directory, the file name corrected.
                            let dir_len = import.path.node.len() - base.len();
                            let dir = import.path.node.get(..dir_len).unwrap_or("");
                            d.with_help(format!("did you mean `{s}`?")).with_suggestion(
                                import.path.span,
                                format!("\"{dir}{s}\""),
                                format!("replace with `{dir}{s}`"),
                            )
                        }
                        None => d.with_help(
                            "imports are paths relative to the importing file, like `import \"facts.pol\"`",
                        ),
                    };
                    self.error(d);
                }
            }
        }
    }
}

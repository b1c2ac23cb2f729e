//! The modules of the compiler read in the direction of the phases and never back: no two
//! top-level modules of `src/` depend on each other, directly or through others
//! (ARCHITECTURE.md, "Module order"). A dependency is a `crate::module` path in code
//! (comments aside). It reads the sources, so it lives here: the compiler does no I/O.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The top-level modules each top-level module names in its code.
fn dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut files = vec![src.clone()];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path.strip_prefix(&src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let module = first.to_str().unwrap().trim_end_matches(".rs").to_string();
        if module == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let entry = deps.entry(module.clone()).or_default();
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or("");
            for (i, _) in code.match_indices("crate::") {
                let rest = &code[i + "crate::".len()..];
                let name: String =
                    rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                // `crate::Compiled` and the like are the crate root's items, not modules.
                if !name.is_empty() && name != module && name.chars().all(|c| !c.is_uppercase()) {
                    entry.insert(name);
                }
            }
        }
    }
    deps
}

#[test]
fn no_module_depends_on_itself_through_others() {
    let deps = dependencies();
    assert!(deps.contains_key("graph") && deps.contains_key("resolve"));
    for start in deps.keys() {
        // Depth-first from `start`, keeping the path, until `start` comes round again.
        let mut stack: Vec<Vec<&str>> = vec![vec![start.as_str()]];
        let mut seen = BTreeSet::new();
        while let Some(path) = stack.pop() {
            let last = *path.last().unwrap();
            for next in deps.get(last).into_iter().flatten() {
                assert!(next != start, "module cycle: {} -> {start}", path.join(" -> "));
                if seen.insert(next.as_str()) {
                    let mut longer = path.clone();
                    longer.push(next);
                    stack.push(longer);
                }
            }
        }
    }
}

//! The man pages in `docs/man/` are generated from the command's own definition
//! (`src/cli.rs`) and kept in the repository. This test regenerates them and fails when
//! they are stale; `POL_BLESS=1 cargo test -p pol-cli --test it man::` rewrites them.

#[path = "../../src/cli.rs"]
#[allow(dead_code)]
mod cli;

use crate::common;

use std::collections::BTreeMap;

use clap::CommandFactory;

/// Every page: `pol.1`, and `pol-COMMAND.1` for each command (generated into a directory
/// of the caller's, as tests run at once).
fn pages(tag: &str) -> BTreeMap<String, Vec<u8>> {
    let dir = std::env::temp_dir().join(format!("pol-man-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    clap_mangen::generate_to(cli::Cli::command(), &dir).unwrap();
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        out.insert(name, std::fs::read(&path).unwrap());
    }
    let _ = std::fs::remove_dir_all(&dir);
    out
}

#[test]
fn the_man_pages_are_current() {
    let shipped = common::root().join("docs/man");
    let bless = std::env::var_os("POL_BLESS").is_some_and(|v| v == "1");
    let generated = pages("current");
    assert!(generated.contains_key("pol.1"), "{:?}", generated.keys());
    assert!(generated.contains_key("pol-check.1"), "{:?}", generated.keys());
    let mut stale = Vec::new();
    for (name, text) in &generated {
        let path = shipped.join(name);
        if std::fs::read(&path).ok().as_ref() != Some(text) {
            if bless {
                std::fs::create_dir_all(&shipped).unwrap();
                std::fs::write(&path, text).unwrap();
            } else {
                stale.push(name.clone());
            }
        }
    }
    // A page for a command that no longer exists is stale too.
    for entry in std::fs::read_dir(&shipped).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".1") && !generated.contains_key(&name) {
            if bless {
                std::fs::remove_file(entry.path()).unwrap();
            } else {
                stale.push(format!("{name} (no such command)"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "the man pages in docs/man are stale: {stale:?}\n\
         regenerate them with `POL_BLESS=1 cargo test -p pol-cli --test it man::` and commit the result"
    );
}

/// The page says what the command says of itself.
#[test]
fn the_main_page_lists_every_command_and_the_exit_status() {
    let pages = pages("main");
    let main = String::from_utf8_lossy(&pages["pol.1"]).into_owned();
    for command in ["check", "eval", "explain", "fmt", "test", "completions"] {
        assert!(main.contains(command), "pol.1 does not name `{command}`");
        assert!(pages.contains_key(&format!("pol-{command}.1")));
    }
    assert!(main.contains("Exit status"), "{main}");
}

/// An installed `pol` has its help and its man pages, not the repository's `docs/`: no
/// command's help sends the reader to a file there.
#[test]
fn no_page_points_at_a_repository_doc() {
    let mut found = Vec::new();
    for (name, text) in pages("docs") {
        let text = String::from_utf8_lossy(&text);
        for line in text.lines().filter(|l| l.contains("docs/") && l.contains(".md")) {
            found.push(format!("{name}: {line}"));
        }
    }
    assert!(found.is_empty(), "help that points at docs/:\n{}", found.join("\n"));
}

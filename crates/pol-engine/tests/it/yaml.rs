//! What a YAML case or policy-test file means, pinned: the behaviours pol relies on from its
//! YAML reader, so that changing the reader cannot change them unnoticed.

use std::time::{Duration, Instant};

use pol_engine::{CaseProblem, Engine, Format};

fn engine() -> Engine {
    Engine::builtin()
        .unwrap_or_else(|f| panic!("the shipped policies compile: {:?}", f.diagnostics))
}

fn decode(text: &str) -> Result<pol_compiler::Case, CaseProblem> {
    engine().decode_named("case.yaml", text, Format::Yaml)
}

fn problem(text: &str) -> CaseProblem {
    match decode(text) {
        Ok(_) => panic!("decoded, but should not have:\n{text}"),
        Err(p) => p,
    }
}

#[test]
fn an_unquoted_date_is_text() {
    let case =
        decode("as_of: 2025-06-10\npolicy: advance_parole\ntrip:\n  depart: 2025-07-01\n").unwrap();
    assert!(case.as_of.is_some());
    let record = engine().decide(&case).unwrap();
    assert_eq!(record.as_of, "2025-06-10");
}

#[test]
fn yes_and_no_are_words_not_booleans() {
    let p = problem(
        "as_of: \"2025-06-10\"\npolicy: advance_parole\napplicant:\n  in_removal_proceedings: yes\n",
    );
    assert_eq!(p.field.as_deref(), Some("applicant.in_removal_proceedings"), "{p:?}");
    assert_eq!(p.line, Some(4), "{p:?}");
}

#[test]
fn a_tag_is_refused() {
    for text in [
        "as_of: \"2025-06-10\"\npolicy: !custom advance_parole\n",
        "as_of: !!binary MjAyNS0wNi0xMA==\npolicy: advance_parole\n",
        "!!map\nas_of: \"2025-06-10\"\npolicy: !tagged advance_parole\n",
    ] {
        let p = problem(text);
        assert!(p.line.is_some(), "no position for a tag: {p:?}");
    }
}

#[test]
fn two_documents_are_refused() {
    let p = problem(
        "as_of: \"2025-06-10\"\npolicy: advance_parole\n---\nas_of: \"2025-06-11\"\npolicy: advance_parole\n",
    );
    assert!(p.message.contains("document"), "{p:?}");
}

#[test]
fn a_merge_key_is_refused() {
    let p = problem(
        "base: &b\n  status: tps\nas_of: \"2025-06-10\"\npolicy: advance_parole\napplicant:\n  <<: *b\n",
    );
    assert!(p.line.is_some(), "{p:?}");
}

#[test]
fn errors_name_their_place() {
    let p = problem("as_of: \"2025-06-10\"\npolicy: advance_parole\napplicant:\n  stauts: tps\n");
    assert_eq!(p.line, Some(4), "{p:?}");
    assert_eq!(p.column, Some(3), "{p:?}");
    assert_eq!(p.suggestion.as_deref(), Some("applicant.status"), "{p:?}");
    let p = problem("as_of: \"2025-06-10\"\npolicy: [advance_parole\n");
    assert!(p.line.is_some(), "a syntax error has a place: {p:?}");
}

/// An alias bomb in a policy-test file (read whole, before any case is decoded) is refused
/// quickly, not expanded into billions of nodes.
#[test]
fn an_alias_bomb_is_refused() {
    let dir = std::env::temp_dir().join(format!("pol-yaml-bomb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bomb.yaml");
    let mut text = String::from("a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n");
    for (name, prev) in [
        ("b", "a"),
        ("c", "b"),
        ("d", "c"),
        ("e", "d"),
        ("f", "e"),
        ("g", "f"),
        ("h", "g"),
        ("i", "h"),
    ] {
        let refs = vec![format!("*{prev}"); 9].join(",");
        text.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    text.push_str("tests: []\n");
    std::fs::write(&file, text).unwrap();
    let engine = engine();
    let start = Instant::now();
    let (read, problems) = pol_engine::testing::read_file(engine.compiled(), &file);
    assert!(read.is_none() && !problems.is_empty(), "an alias bomb was accepted");
    assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
    let _ = std::fs::remove_dir_all(dir);
}

/// The loose read of an `id` for pairing errors with cases works in every format.
#[test]
fn ids_are_read_from_every_format() {
    use pol_engine::cases::id_in;
    assert_eq!(
        id_in("id: c-7\npolicy: [unclosed", Format::Yaml),
        None,
        "a document that does not parse has no id"
    );
    assert_eq!(id_in("id: c-7\nother: 1\n", Format::Yaml), Some("c-7".into()));
    assert_eq!(id_in("id = \"c-8\"\nother = 1\n", Format::Toml), Some("c-8".into()));
    assert_eq!(id_in("{\"id\": \"c-9\", \"x\": [1]}", Format::Json), Some("c-9".into()));
}

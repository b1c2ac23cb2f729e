//! `pol fmt` through the binary: `--check`, rewriting in place, and refusing to touch a file
//! it cannot format.

use crate::common;

use pol_compiler::codes;

use common::{assert_contains, pol};

#[test]
fn check_then_format_then_check() {
    let dir = std::env::temp_dir().join(format!("pol-fmt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("p.pol");
    let path = file.to_str().unwrap();
    let original = "# keep me\nconst   a = 365 days   cite \"x\" # and me\npolicy p \"q\" { require r : a > 1 days cite \"y\" }\n";
    std::fs::write(&file, original).unwrap();

    let run = pol(&["fmt", "--check", path]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("not formatted"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original, "--check must not write");

    let run = pol(&["fmt", path]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let formatted = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        formatted,
        "# keep me\nconst a = 365 days cite \"x\" # and me\npolicy p \"q\" {\n  require r: a > 1 day cite \"y\"\n}\n"
    );
    assert_eq!(pol(&["fmt", "--check", path]).code, 0);
    let leftovers: Vec<_> =
        std::fs::read_dir(&dir).unwrap().flatten().filter(|e| e.path() != file).collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_file_that_does_not_parse_is_left_alone() {
    let dir = std::env::temp_dir().join(format!("pol-fmt-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.pol");
    std::fs::write(&file, "policy p \"q\" { require r applicant.x }\n").unwrap();
    let run = pol(&["fmt", file.to_str().unwrap()]);
    // It cannot be formatted at all: "cannot do the job" (2), not a finding (docs/cli.md).
    assert_eq!(run.code, 2);
    assert_contains(&run.stderr, &format!("pol::{}", codes::SYNTAX));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "policy p \"q\" { require r applicant.x }\n"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Outside a project, with no policy directory, there is nothing to format; in a project,
/// `pol fmt` formats the project's policies (the shipped ones are formatted).
#[test]
fn fmt_formats_the_project_or_needs_something_to_format() {
    let outside = std::env::temp_dir().join(format!("pol-fmt-nothing-{}", std::process::id()));
    std::fs::create_dir_all(&outside).unwrap();
    assert_eq!(common::pol_in(&outside, &["fmt"], "").code, 2);
    let _ = std::fs::remove_dir_all(&outside);
    assert_eq!(pol(&["fmt", "no/such/dir"]).code, 2);
    let run = pol(&["fmt", "--check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

//! What pol's tests, benches and fuzz targets share, stated once: where the repository is,
//! the shipped policies (read and compiled) and the worked examples (decoded), compiling
//! small policies written inline in a test, decoding a case given as JSON text, and (feature
//! `schemas`) validating output against the repository's JSON Schemas.
//!
//! Test support, so it panics with a message naming what went wrong instead of returning
//! errors: a helper that fails is a test that fails.

#![allow(clippy::panic)]

#[cfg(feature = "schemas")]
pub mod schemas;
#[cfg(feature = "proptest")]
pub mod spec;
pub mod targets;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use pol_compiler::{
    Case, Compiled, DecisionKind, DecisionRecord, LintLevels, Lints, Scratch, Source,
};
use pol_engine::cases::Format;

/// The repository's root directory (the workspace's, also when the fuzz crate's own
/// workspace builds this crate).
pub fn root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    here.canonicalize().unwrap_or(here)
}

/// The files directly in `dir` whose extension is one of `exts`, in name order.
pub fn files(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    let mut paths: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| exts.iter().any(|x| e == *x)))
        .collect();
    paths.sort();
    paths
}

/// The text of `path`.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The shipped `policies/*.pol`, read from disk, named `policies/NAME.pol`, in name order.
pub fn shipped_sources() -> Vec<Source> {
    files(&root().join("policies"), &["pol"])
        .into_iter()
        .map(|path| Source { name: format!("policies/{}", file_name(&path)), text: read(&path) })
        .collect()
}

/// The shipped policies, compiled once per process.
pub fn shipped() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| compile_ok(shipped_sources(), Lints::Skip))
}

/// The worked examples (`examples/cases/*.{json,yaml,toml}`), decoded for the shipped
/// policies as `pol` decodes them, once per process, in name order.
pub fn examples() -> &'static [Case] {
    static EXAMPLES: OnceLock<Vec<Case>> = OnceLock::new();
    EXAMPLES.get_or_init(|| {
        let c = shipped();
        let dir = root().join("examples/cases");
        files(&dir, &["json", "yaml", "toml"])
            .into_iter()
            .map(|path| {
                let format = Format::of(&path)
                    .unwrap_or_else(|| panic!("{}: not a case format", path.display()));
                let name = path.display().to_string();
                let mut case = Case::new(&c.set);
                pol_engine::cases::decode(c, &name, &read(&path), format, &mut case)
                    .unwrap_or_else(|p| panic!("{name}: {}", p.message));
                case
            })
            .collect()
    })
}

/// Compiles policy texts that must compile; an error fails with the diagnostics and the
/// texts. Lints never stop compilation: skip them where only the result matters.
pub fn compile_ok(sources: Vec<Source>, lints: Lints) -> Compiled {
    let compilation = pol_compiler::compile_with(sources.clone(), lints);
    let errors: Vec<_> = compilation.diagnostics.iter().filter(|d| d.is_error()).collect();
    let texts: String = sources.iter().map(|s| s.text.as_str()).collect();
    assert!(errors.is_empty(), "{errors:#?}\n{texts}");
    compilation.compiled.unwrap_or_else(|| panic!("no compiled policies and no error\n{texts}"))
}

/// Compiles a policy written in a test beside the declarations it uses: `facts` is
/// `facts.pol`, and `policy` is `policy.pol`, which imports it. Lints run, so every inline
/// policy of the tests also exercises them.
pub fn compile_beside(facts: &str, policy: &str) -> Compiled {
    compile_ok(
        vec![
            Source { name: "facts.pol".into(), text: facts.into() },
            Source { name: "policy.pol".into(), text: format!("import \"facts.pol\"\n{policy}") },
        ],
        Lints::Run(LintLevels::default()),
    )
}

/// Decodes a JSON case, which must name its `as_of` date and its `policy`.
pub fn decode_case(c: &Compiled, json: &str) -> Case {
    let mut case = Case::new(&c.set);
    let mut de = serde_json::Deserializer::from_str(json);
    c.schema
        .decode(&c.set, &mut case, &mut de)
        .unwrap_or_else(|e| panic!("{}: {:?}\n{json}", e.format, e.case));
    case
}

/// Decodes a JSON document of facts (`as_of` and `policy` may be left out).
pub fn decode_facts(c: &Compiled, json: &str) -> Case {
    let mut case = Case::new(&c.set);
    let mut de = serde_json::Deserializer::from_str(json);
    c.schema
        .decode_facts(&c.set, &mut case, &mut de)
        .unwrap_or_else(|e| panic!("{}: {:?}\n{json}", e.format, e.case));
    case
}

/// Decides the JSON case `json` (which names its `as_of` and `policy`) and checks its
/// decision and its `missing` facts, in order; the record, for further checks.
#[track_caller]
pub fn assert_decides(
    c: &Compiled,
    json: &str,
    decision: DecisionKind,
    missing: &[&str],
) -> DecisionRecord {
    let r = decide(c, &decode_case(c, json));
    assert_eq!(r.decision, decision, "{json}");
    assert_eq!(r.missing, missing, "{json}");
    r
}

/// The engine's decision record for `case`.
pub fn decide(c: &Compiled, case: &Case) -> DecisionRecord {
    let outcome =
        c.decide(case, &mut Scratch::default()).unwrap_or_else(|e| panic!("cannot decide: {e}"));
    c.record(case, &outcome)
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

//! Benchmark support for `pol`: the hand-written floor the engine is measured against, a
//! generator of cases, and a generator of large policy sets.
//!
//! The benchmarks themselves are in `benches/pol.rs` (`cargo bench -p pol-bench --features criterion`); the
//! whole-program timings are in `run-batch.sh`. Figures: `docs/performance.md`.
#![forbid(unsafe_code)]

pub mod floor;
pub mod gen;
pub mod scale;

use std::path::{Path, PathBuf};

use pol_compiler::Source;

/// The shipped policy directory (`policies/` at the workspace root), or `POL_POLICIES`.
pub fn policy_dir() -> PathBuf {
    std::env::var_os("POL_POLICIES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies"))
}

/// Every `.pol` file under `dir`, as sources named like the CLI names them.
pub fn read_policies(dir: &Path) -> std::io::Result<Vec<Source>> {
    // The engine's one walker, confined to the directory itself.
    let within = pol_engine::load::Confinement::around(dir);
    let found = pol_engine::load::walk(dir, &["pol"], &within);
    if let Some(problem) = found.problems.first() {
        return Err(std::io::Error::other(format!("{}: {}", problem.path, problem.message)));
    }
    let mut paths: Vec<PathBuf> = found.files.into_iter().map(|f| f.path).collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p)?;
            let rel = p.strip_prefix(dir).unwrap_or(&p);
            Ok(Source {
                name: format!("policies/{}", rel.to_string_lossy().replace('\\', "/")),
                text,
            })
        })
        .collect()
}

/// Decodes one JSON case.
pub fn decode_line(c: &pol_compiler::Compiled, line: &str) -> Result<pol_compiler::Case, String> {
    let mut case = pol_compiler::Case::new(&c.set);
    pol_engine::cases::decode(c, "<line>", line, pol_engine::Format::Json, &mut case)
        .map_err(|p| p.message)?;
    Ok(case)
}

/// Decodes one JSON case and decides it with `pol`, as `pol eval --format json` would.
pub fn decide_line(
    c: &pol_compiler::Compiled,
    line: &str,
) -> Result<pol_compiler::DecisionRecord, String> {
    let case = decode_line(c, line)?;
    let outcome =
        c.decide(&case, &mut pol_compiler::Scratch::default()).map_err(|e| e.to_string())?;
    Ok(c.record(&case, &outcome))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    /// The floor implements the shipped `advance_parole`: it agrees with `pol` on complete
    /// cases.
    #[test]
    fn the_floor_agrees_with_pol() {
        let c = pol_test_support::shipped();
        let opts =
            gen::Options { policy: Some("advance_parole".into()), ..gen::Options::default() };
        let mut g = gen::Generator::new(c, opts, 7);
        for _ in 0..2000 {
            let line = g.case();
            if let Err(e) = floor::agrees_with_pol(c, &line) {
                panic!("{e}");
            }
        }
    }

    /// The scaled policy set compiles, with N times the policies.
    #[test]
    fn a_scaled_set_compiles() {
        let sources = pol_test_support::shipped_sources();
        let n = pol_test_support::shipped().set.policies.len();
        let scaled = scale::scaled(&sources, 3);
        let compiled =
            pol_test_support::compile_ok(scaled, pol_compiler::Lints::Run(Default::default()));
        assert_eq!(compiled.set.policies.len(), 3 * n);
    }

    #[test]
    fn dates_round_trip() {
        for d in [0, 1, 59, 60, 365, 10_957, 20_000, -1, -719_468] {
            assert_eq!(floor::parse_date(&gen::show_date(i64::from(d))), Some(d));
        }
        assert_eq!(floor::parse_date("2024-02-30"), None);
    }
}

//! Generators for the timing script (`run-batch.sh`):
//!
//! - `pol-bench cases N [--policy NAME] [--known P] [--seed S]`: N cases as JSON lines on
//!   standard output, for the shipped policies (or `POL_POLICIES`).
//! - `pol-bench eval N`: decides 1024 prepared complete `advance_parole` cases N times
//!   and prints the time per case (for profilers: `valgrind --tool=callgrind`, `perf`).
//! - `pol-bench policies DIR N`: the shipped policies copied N times, renamed apart, under
//!   `DIR` (see `pol_bench::scale`).
#![forbid(unsafe_code)]

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use pol_bench::gen::{Generator, Options};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pol-bench: {e}");
            eprintln!("usage: pol-bench cases N [--policy NAME] [--known P] [--seed S]\n       pol-bench policies DIR N");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let sources = pol_bench::read_policies(&pol_bench::policy_dir()).map_err(|e| e.to_string())?;
    match args.first().map(String::as_str) {
        Some("cases") => {
            let n: u64 = number(args.get(1))?;
            let mut opts = Options::default();
            let mut seed = 1;
            let mut rest = args.iter().skip(2);
            while let Some(flag) = rest.next() {
                let value = rest.next().ok_or(format!("{flag} needs a value"))?;
                match flag.as_str() {
                    "--policy" => opts.policy = Some(value.clone()),
                    "--known" => opts.known = value.parse().map_err(|e| format!("{flag}: {e}"))?,
                    "--seed" => seed = value.parse().map_err(|e| format!("{flag}: {e}"))?,
                    _ => return Err(format!("unknown flag {flag}")),
                }
            }
            let compiled =
                pol_compiler::compile(sources).compiled.ok_or("the policies do not compile")?;
            let mut g = Generator::new(&compiled, opts, seed);
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
            for _ in 0..n {
                writeln!(out, "{}", g.case()).map_err(|e| e.to_string())?;
            }
            out.flush().map_err(|e| e.to_string())
        }
        Some("eval") => {
            let rounds: u64 = number(args.get(1))?;
            let compiled =
                pol_compiler::compile(sources).compiled.ok_or("the policies do not compile")?;
            let opts = Options { policy: Some("advance_parole".into()), ..Options::default() };
            let mut g = Generator::new(&compiled, opts, 42);
            let mut cases = Vec::new();
            for _ in 0..1024 {
                let line = g.case();
                cases.push(pol_bench::decode_line(&compiled, &line)?);
            }
            let mut scratch = pol_compiler::Scratch::default();
            let mut outcome = pol_compiler::Outcome::default();
            let mut kinds = [0u64; 5];
            let start = std::time::Instant::now();
            for _ in 0..rounds {
                for case in &cases {
                    compiled
                        .decide_into(case, &mut scratch, &mut outcome)
                        .map_err(|e| e.to_string())?;
                    if let Some(k) = kinds.get_mut(outcome.decision as usize) {
                        *k += 1;
                    }
                }
            }
            let n = rounds * cases.len() as u64;
            let ns = start.elapsed().as_nanos() as f64 / n.max(1) as f64;
            println!("{n} decisions, {ns:.1} ns per case; by kind {kinds:?}");
            Ok(())
        }
        Some("policies") => {
            let dir = Path::new(args.get(1).ok_or("no directory")?);
            let n: usize = number(args.get(2))?;
            for s in pol_bench::scale::scaled(&sources, n) {
                let rel = s.name.strip_prefix("policies/").unwrap_or(&s.name);
                let path = dir.join(rel);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
                }
                std::fs::write(&path, s.text).map_err(|e| format!("{}: {e}", path.display()))?;
            }
            Ok(())
        }
        _ => Err("no command".into()),
    }
}

fn number<T: std::str::FromStr>(arg: Option<&String>) -> Result<T, String> {
    arg.ok_or("a number is missing")?.parse().map_err(|_| "not a number".to_string())
}

//! `pol` against the hand-written floor (`pol_bench::floor`), on the shipped policies.
//!
//! Run: `cargo bench -p pol-bench --features criterion` (figures and how to read them: docs/performance.md).
//! Each group measures a batch of cases per iteration; criterion's "thrpt" is cases per
//! second, and time / batch size is the time per case.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use criterion::measurement::WallTime;
use criterion::{
    criterion_group, criterion_main, BatchSize, BenchmarkGroup, Criterion, Throughput,
};
use pol_bench::floor;
use pol_bench::gen::{Generator, Options};
use pol_compiler::{Case, CaseError, Compiled, JsonWriter, Outcome, Scratch};

/// Cases per iteration: enough to average over decisions of every kind.
const BATCH: usize = 1024;

fn shipped() -> Compiled {
    let sources = pol_bench::read_policies(&pol_bench::policy_dir()).unwrap();
    pol_compiler::compile(sources).compiled.unwrap()
}

/// Complete `advance_parole` cases as JSON lines; the floor must agree with `pol` on each.
fn lines(c: &Compiled, known: f64) -> Vec<String> {
    let opts = Options { policy: Some("advance_parole".into()), known, ids: true };
    let mut g = Generator::new(c, opts, 42);
    let lines: Vec<String> = (0..BATCH).map(|_| g.case()).collect();
    if known >= 1.0 {
        for l in &lines {
            floor::agrees_with_pol(c, l).unwrap();
        }
    }
    lines
}

fn decode(c: &Compiled, line: &str, case: &mut Case) {
    let mut de = serde_json::Deserializer::from_str(line);
    c.schema.decode(&c.set, case, &mut de).unwrap();
}

/// Each line decoded into a case of its own, so that a timed loop decides only.
fn decoded<'l>(c: &Compiled, lines: impl IntoIterator<Item = &'l String>) -> Vec<Case> {
    lines
        .into_iter()
        .map(|l| {
            let mut case = Case::new(&c.set);
            decode(c, l, &mut case);
            case
        })
        .collect()
}

/// How a timed loop decides a case: `Compiled::decide_into` checks it against the case
/// constraints first (the library's default); `Compiled::decide_checked_into` takes a case
/// checked when it was decoded, as `pol eval` and `pol serve` decide (the decision alone).
type Decide = fn(&Compiled, &Case, &mut Scratch, &mut Outcome) -> Result<(), CaseError>;

/// Times deciding every one of `cases` with reused buffers.
fn bench_decide(
    group: &mut BenchmarkGroup<'_, WallTime>,
    id: String,
    c: &Compiled,
    cases: &[Case],
    decide: Decide,
) {
    let mut scratch = Scratch::default();
    // Every case keeps the constraints, so either way of deciding is timed on the same cases.
    for case in cases {
        c.check_case(case, &mut scratch).unwrap();
    }
    let mut outcome = Outcome::default();
    group.bench_function(id, |b| {
        b.iter(|| {
            for case in cases {
                decide(c, black_box(case), &mut scratch, &mut outcome).unwrap();
                black_box(&outcome);
            }
        })
    });
}

/// (1) In-process evaluation of a prepared (decoded) case.
fn evaluation(cr: &mut Criterion) {
    let c = shipped();
    let mut group = cr.benchmark_group("eval");
    group.throughput(Throughput::Elements(BATCH as u64));
    for (name, known) in [("complete", 1.0), ("partial", 0.9)] {
        let lines = lines(&c, known);
        let cases = decoded(&c, &lines);
        bench_decide(&mut group, format!("pol/{name}"), &c, &cases, Compiled::decide_into);
        let checked = format!("pol-checked/{name}");
        bench_decide(&mut group, checked, &c, &cases, Compiled::decide_checked_into);
        if known >= 1.0 {
            let structs: Vec<floor::Case> =
                lines.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
            group.bench_function(format!("floor/{name}"), |b| {
                b.iter(|| {
                    for case in &structs {
                        black_box(floor::advance_parole(black_box(case)));
                    }
                })
            });
        }
    }
    group.finish();
}

/// (2) A JSON line to a decision, on one thread; and to the decision's JSON line (the
/// floor's line has no citations or source lines, so it is shorter than `pol`'s).
fn json(cr: &mut Criterion) {
    let c = shipped();
    let lines = lines(&c, 1.0);
    let mut group = cr.benchmark_group("json");
    group.throughput(Throughput::Elements(BATCH as u64));
    let mut case = Case::new(&c.set);
    let mut scratch = Scratch::default();
    let mut outcome = Outcome::default();
    group.bench_function("pol/decision", |b| {
        b.iter(|| {
            for l in &lines {
                decode(&c, black_box(l), &mut case);
                c.decide_into(&case, &mut scratch, &mut outcome).unwrap();
                black_box(&outcome);
            }
        })
    });
    group.bench_function("floor/decision", |b| {
        b.iter(|| {
            for l in &lines {
                let case: floor::Case = serde_json::from_str(black_box(l)).unwrap();
                black_box(floor::advance_parole(&case));
            }
        })
    });
    // As the batch mode writes decisions: from pre-rendered fragments.
    let writer = JsonWriter::new(&c);
    let mut out = Vec::with_capacity(1 << 20);
    group.bench_function("pol/line", |b| {
        b.iter(|| {
            out.clear();
            for l in &lines {
                decode(&c, black_box(l), &mut case);
                c.decide_into(&case, &mut scratch, &mut outcome).unwrap();
                writer.write(&case, &outcome, &mut out);
                out.push(b'\n');
            }
            black_box(&out);
        })
    });
    group.bench_function("floor/line", |b| {
        b.iter(|| {
            out.clear();
            for l in &lines {
                let case: floor::Case = serde_json::from_str(black_box(l)).unwrap();
                let o = floor::advance_parole(&case);
                let as_of = pol_bench::gen::show_date(i64::from(case.as_of.0));
                floor::write_record(&case, &as_of, &o, &mut out).unwrap();
            }
            black_box(&out);
        })
    });
    group.finish();
}

/// (5) Exact reasoning: a case with every fact unknown (only `as_of` and `policy`), decided
/// on each shipped policy, dates spread over 2015–2026 (so policies that read `as_of` meet
/// many dates); and `advance_parole` cases with 30% of the facts unknown, against complete
/// ones in the same run.
fn reasoning(cr: &mut Criterion) {
    let c = shipped();
    let mut group = cr.benchmark_group("reason");
    group.throughput(Throughput::Elements(BATCH as u64));
    for name in c.policy_names().map(str::to_string).collect::<Vec<_>>() {
        let opts = Options { policy: Some(name.clone()), known: 0.0, ids: false };
        let mut g = Generator::new(&c, opts, 7);
        let lines: Vec<String> = (0..BATCH).map(|_| g.case()).collect();
        let cases = decoded(&c, &lines);
        bench_decide(&mut group, format!("unknown/{name}"), &c, &cases, Compiled::decide_into);
    }
    for (name, known) in [("complete", 1.0), ("unknown30", 0.7)] {
        let cases = decoded(&c, &lines(&c, known));
        bench_decide(
            &mut group,
            format!("advance_parole/{name}"),
            &c,
            &cases,
            Compiled::decide_into,
        );
    }
    group.finish();
}

/// (3) Loading (reading the files) and compiling the shipped policies.
fn load_and_compile(cr: &mut Criterion) {
    let dir = pol_bench::policy_dir();
    cr.bench_function("compile/shipped", |b| {
        b.iter(|| {
            let sources = pol_bench::read_policies(&dir).unwrap();
            black_box(pol_compiler::compile(sources).compiled.is_some())
        })
    });
}

/// (4) Checking (parse, resolve, type check, lint, lower) the shipped policies and sets
/// 10 and 100 times larger: the cost should grow linearly.
fn check(cr: &mut Criterion) {
    let sources = pol_bench::read_policies(&pol_bench::policy_dir()).unwrap();
    let mut group = cr.benchmark_group("check");
    group.sample_size(10);
    for n in [1, 10, 100] {
        let set = if n == 1 { sources.clone() } else { pol_bench::scale::scaled(&sources, n) };
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(format!("x{n}"), |b| {
            b.iter_batched(
                || set.clone(),
                |s| {
                    let compilation = pol_compiler::compile(s);
                    assert!(!compilation.has_errors());
                    black_box(compilation.diagnostics.len())
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, evaluation, json, reasoning, load_and_compile, check);
criterion_main!(benches);

//! The parser crate's text work at 1×, 2× and 4× the input, which should cost 1×, 2× and
//! 4× the time (criterion's "thrpt", in bytes per second, stays flat):
//!
//! - `fmt`: `pol_syntax::format::format` of a policy file with a comment on every line;
//! - `positions`: the line and column of one position per line of a file through
//!   `SourceMap::line_col`, as rendering one diagnostic per line does (the map is new each
//!   iteration, so each includes indexing the file);
//! - `parse/errors`: `pol_syntax::parse` of a file with a syntax error in every other
//!   declaration (each reported, each good declaration kept), beside `parse/clean`, the
//!   same file without the errors, and `parse/errors_first`: all the errors, then all the
//!   good text.
//!
//! Run: `cargo bench -p pol-bench --features criterion --bench syntax` (figures: docs/performance.md).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use pol_compiler::{Source, SourceMap};
use pol_syntax::{FileId, Span};

/// A policy file of `blocks` blocks, each of 12 lines, every line with a comment: a
/// comment line, facts and a constant with comments after them, and a policy whose lines
/// carry comments. About 440 bytes a block.
fn commented_policy(blocks: usize) -> String {
    let mut out = String::new();
    for i in 0..blocks {
        write!(
            out,
            r#"# Block {i}: what the facts below mean.
fact applicant.f{i}: bool "fact {i}" # read by r{i}
fact applicant.g{i}: integer "age {i}" # read by r{i}
const limit{i} = {i} cite "seed {i}" # a limit
# The policy of block {i}.
policy p{i} "May they travel?" {{ # the question
  # Why r{i} exists.
  require r{i}: applicant.f{i} cite "seed {i}" # r{i}
  # Why s{i} exists.
  exclude s{i}: applicant.g{i} > limit{i} cite "seed {i}" # s{i}
}} # end of p{i}

"#
        )
        .unwrap();
    }
    out
}

/// Blocks in the 1× input of each benchmark.
const FMT_BLOCKS: usize = 400;
const POSITION_BLOCKS: usize = 100;

fn fmt(cr: &mut Criterion) {
    let mut group = cr.benchmark_group("fmt");
    group.sample_size(10);
    for n in [1, 2, 4] {
        let text = commented_policy(FMT_BLOCKS * n);
        // Formatting checks its own result; the input must format.
        pol_syntax::format::format(FileId(0), &text).unwrap();
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(format!("x{n}"), |b| {
            b.iter(|| black_box(pol_syntax::format::format(FileId(0), &text).unwrap().len()))
        });
    }
    group.finish();
}

fn positions(cr: &mut Criterion) {
    let mut group = cr.benchmark_group("positions");
    group.sample_size(10);
    for n in [1, 2, 4] {
        let text = commented_policy(POSITION_BLOCKS * n);
        // One position at the middle of every line.
        let mut spans = Vec::new();
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            let at = (start + line.len() / 2) as u32;
            spans.push(Span { file: FileId(0), start: at, end: at });
            start += line.len();
        }
        let source = Source { name: "p.pol".into(), text: text.clone() };
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(format!("x{n}"), |b| {
            b.iter_batched(
                || SourceMap::new(vec![source.clone()]),
                |map| {
                    let mut sum = 0;
                    for span in &spans {
                        let (line, column) = map.line_col(*span);
                        sum += line + column;
                    }
                    black_box(sum)
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

/// `blocks` blocks of two facts and two policies; with `errors`, the second fact has its
/// `:` missing and the second policy its `}` (the next block's first line shows it).
fn policy_with_errors(blocks: usize, errors: bool) -> String {
    let (colon, brace) = if errors { ("", "") } else { (":", "}") };
    let mut out = String::new();
    for i in 0..blocks {
        write!(
            out,
            r#"fact applicant.f{i}: bool "fact {i}"
fact applicant.g{i}{colon} integer "age {i}"
policy p{i} "May they travel?" {{
  require r{i}: applicant.f{i} cite "seed {i}"
}}
policy q{i} "May they travel?" {{
  require s{i}: applicant.f{i} cite "seed {i}"
{brace}
"#
        )
        .unwrap();
    }
    out
}

const RECOVERY_BLOCKS: usize = 1000;

fn recovery(cr: &mut Criterion) {
    let mut group = cr.benchmark_group("parse");
    group.sample_size(10);
    for shape in ["clean", "errors", "errors_first"] {
        for n in [1, 2, 4] {
            let blocks = RECOVERY_BLOCKS * n;
            let (text, expected) = match shape {
                "clean" => (policy_with_errors(blocks, false), 0),
                "errors" => (policy_with_errors(blocks, true), 2 * blocks),
                // Every error before all the good text: each error must not cost time in
                // proportion to the text after it.
                _ => {
                    let mut text = String::new();
                    for i in 0..blocks {
                        writeln!(text, "fact applicant.e{i} integer \"no colon\"").unwrap();
                    }
                    text.push_str(&policy_with_errors(blocks, false));
                    (text, blocks)
                }
            };
            assert_eq!(pol_syntax::parse(FileId(0), &text).errors.len(), expected);
            group.throughput(Throughput::Bytes(text.len() as u64));
            group.bench_function(format!("{shape}/x{n}"), |b| {
                b.iter(|| black_box(pol_syntax::parse(FileId(0), &text).errors.len()))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, fmt, positions, recovery);
criterion_main!(benches);

//! Streaming evaluation of JSON lines (`pol eval cases.jsonl`, `pol eval -`): millions of
//! cases, across all cores, in memory that does not grow with the input.
//!
//! Three kinds of thread, joined by bounded channels:
//!
//! ```text
//!  reader ──chunks of whole lines──► workers (one per core) ──output──► writer (this thread)
//!    ▲                                decode, decide, render           reorders by chunk,
//!    └──────────────── a permit per chunk written ◄─────────────────── writes, counts
//! ```
//!
//! The reader cuts the input into chunks of whole lines and numbers them; each worker
//! decodes, decides and renders a chunk's cases into its own buffers (decisions for
//! standard output, problems for standard error, with the points where they interleave);
//! the writer puts chunks back in input order and writes them. A chunk is read only when
//! the writer has returned a permit for an earlier one, so at most `permits` chunks (with
//! their output) exist at once, whatever the size of the input.
//!
//! A bad line becomes a problem report with its line number on standard error and, with
//! `--format json`, an error object in its place on standard output (docs/cases.md,
//! "Errors in place"), so output line N answers input line N; the lines around it are
//! decided as usual.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read};
use std::sync::mpsc::{sync_channel, Receiver};
use std::time::{Duration, Instant};

use pol_compiler::{Case, Compiled, DecisionKind, JsonWriter, Outcome, Scratch};

use indicatif::HumanCount;
use pol_engine::cases::{self, CaseProblem, ErrorInPlace};
use pol_engine::lines::{self, Chunk};

use crate::out::{self, Stopped};
use crate::{emit, OutputFormat};

/// The largest chunk of input handed to a worker at once (`--chunk-bytes` is clamped).
pub const MAX_CHUNK_BYTES: usize = 1024 * 1024;

/// Problem reports a batch writes on standard error at most; past it they are counted
/// and summed up in one line at the end. The errors in place on standard output (`--format
/// json`) are never capped.
pub const MAX_REPORTED_PROBLEMS: u64 = 100;

/// Why a batch stopped short.
#[derive(Debug)]
pub enum Failure {
    /// The input could not be read.
    Input(std::io::Error),
    /// The output could not be written (recorded by `out`; `main` settles the status).
    Output,
}

/// How to run a batch.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub format: OutputFormat,
    /// Bytes of input per chunk (a chunk always holds whole lines, so a longer line makes a
    /// longer chunk).
    pub chunk_bytes: usize,
    /// Worker threads.
    pub workers: usize,
    /// Show a progress bar on standard error.
    pub progress: bool,
}

/// What a batch did.
#[derive(Clone, Copy, Debug, Default)]
pub struct Totals {
    /// Cases decided, by [`DecisionKind`] (in its declaration order).
    pub decided: [u64; 5],
    /// Lines that could not be read or decided.
    pub bad: u64,
}

impl Totals {
    pub fn add(&mut self, other: &Totals) {
        for (a, b) in self.decided.iter_mut().zip(other.decided) {
            *a += b;
        }
        self.bad += other.bad;
    }

    pub fn cases(&self) -> u64 {
        self.decided.iter().sum()
    }
}

/// A chunk's output.
struct Done {
    seq: u64,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// Where a problem report goes between decisions: (end in `stdout`, end in `stderr`),
    /// so a terminal shows them in input order.
    breaks: Vec<(usize, usize)>,
    totals: Totals,
    /// Input bytes the chunk covered, for the progress bar.
    input: u64,
}

/// Decides every JSON line of `input` (named `name` in reports; `size` in bytes if known,
/// for the progress bar's ETA), writing decisions to standard output and problems to
/// standard error in input order.
pub fn run(
    c: &Compiled,
    name: &str,
    input: Box<dyn Read + Send>,
    size: Option<u64>,
    opts: Options,
) -> Result<Totals, Failure> {
    let workers = opts.workers.max(1);
    // Chunks out at once: enough for every worker to hold one while the writer waits for
    // an earlier one. Bounded, since `workers` is (`workers()`).
    let permits = workers.saturating_mul(2).saturating_add(2);
    let chunk_bytes = opts.chunk_bytes.clamp(1, MAX_CHUNK_BYTES);
    let writer = match opts.format {
        OutputFormat::Json => Some(JsonWriter::new(c)),
        OutputFormat::Human => None,
    };
    let (chunk_tx, chunk_rx) = sync_channel::<Chunk>(workers);
    let (done_tx, done_rx) = sync_channel::<Done>(permits);
    let (permit_tx, permit_rx) = sync_channel::<()>(permits);
    for _ in 0..permits {
        let _ = permit_tx.send(());
    }
    std::thread::scope(|scope| {
        let reader = std::thread::Builder::new()
            .name("pol-reader".into())
            .spawn_scoped(scope, move || {
                // A chunk is read only once a permit is free.
                lines::read_chunks(input, chunk_bytes, |chunk| {
                    permit_rx.recv().is_ok() && chunk_tx.send(chunk).is_ok()
                })
            })
            .map_err(Failure::Input)?;
        let writer = writer.as_ref();
        // Only the workers hold the chunk receiver and the senders of decided chunks:
        // when they stop, the reader's sends fail too.
        lines::spawn_workers(scope, "pol-worker", workers, chunk_rx, move |chunks| {
            let mut worker = Worker::new(c, name, writer);
            for chunk in chunks {
                if done_tx.send(worker.chunk(chunk)).is_err() {
                    break;
                }
            }
        })
        .map_err(Failure::Input)?;
        let totals = write_in_order(&done_rx, &permit_tx, size, opts);
        // The writer stops early only when output fails; let the reader stop too.
        drop(done_rx);
        drop(permit_tx);
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the reader thread stopped")));
        let totals = totals.map_err(|Stopped| Failure::Output)?;
        read.map_err(Failure::Input)?;
        Ok(totals)
    })
}

/// Decodes, decides and renders chunks; one per thread, its buffers reused.
struct Worker<'a> {
    c: &'a Compiled,
    name: &'a str,
    writer: Option<&'a JsonWriter>,
    case: Case,
    scratch: Scratch,
    outcome: Outcome,
}

impl<'a> Worker<'a> {
    fn new(c: &'a Compiled, name: &'a str, writer: Option<&'a JsonWriter>) -> Worker<'a> {
        Worker {
            c,
            name,
            writer,
            case: Case::new(&c.set),
            scratch: Scratch::default(),
            outcome: Outcome::default(),
        }
    }

    fn chunk(&mut self, chunk: Chunk) -> Done {
        let mut done = Done {
            seq: chunk.seq,
            stdout: Vec::with_capacity(chunk.bytes.len() * 3),
            stderr: Vec::new(),
            breaks: Vec::new(),
            totals: Totals::default(),
            input: chunk.bytes.len() as u64,
        };
        if chunk.overlong {
            let problem = cases::line_too_long(self.name, chunk.first_line as usize);
            self.report(problem, chunk.first_line, None, &mut done);
            return done;
        }
        let bytes = chunk.bytes.as_slice();
        let mut number = chunk.first_line;
        let mut start = 0;
        while start <= bytes.len() {
            let (line, next) = match memchr::memchr(b'\n', bytes.get(start..).unwrap_or(&[])) {
                Some(i) => {
                    let line = bytes.get(start..start + i).unwrap_or(&[]);
                    // `str::lines` strips the `\r` of a `\r\n`, and only that.
                    (line.strip_suffix(b"\r").unwrap_or(line), start + i + 1)
                }
                None => (bytes.get(start..).unwrap_or(&[]), bytes.len() + 1),
            };
            start = next;
            match self.line(line, number, &mut done.stdout) {
                Ok(Some(kind)) => {
                    if let Some(n) = done.totals.decided.get_mut(kind as usize) {
                        *n += 1;
                    }
                }
                Ok(None) => {}
                Err(problem) => {
                    let id = std::str::from_utf8(line).ok().and_then(cases::id_of);
                    self.report(problem, number, id, &mut done);
                }
            }
            number += 1;
        }
        done
    }

    /// A line that cannot be decided: counted, an error in its place (`--format json`) and
    /// a report on standard error.
    fn report(&self, problem: CaseProblem, number: u64, id: Option<String>, done: &mut Done) {
        done.totals.bad += 1;
        if self.writer.is_some() {
            self.error_in_place(&problem, number, id, &mut done.stdout);
        }
        done.stderr.extend_from_slice(emit::case_problem_text(&problem).as_bytes());
        done.breaks.push((done.stdout.len(), done.stderr.len()));
    }

    /// The error object standing in the place of line `number`'s decision.
    fn error_in_place(
        &self,
        problem: &CaseProblem,
        number: u64,
        id: Option<String>,
        out: &mut Vec<u8>,
    ) {
        let object = ErrorInPlace {
            file: None,
            line: Some(number as usize),
            id,
            error: problem.error_object(),
        };
        if serde_json::to_writer(&mut *out, &object).is_ok() {
            out.push(b'\n');
        }
    }

    /// Decides one line (`None` for a blank one) and writes its decision to `out`.
    fn line(
        &mut self,
        bytes: &[u8],
        number: u64,
        out: &mut Vec<u8>,
    ) -> Result<Option<DecisionKind>, CaseProblem> {
        let n = number as usize;
        let origin = || format!("{}:{n}", self.name);
        let Some(text) = cases::line_text(self.name, n, bytes)? else {
            return Ok(None);
        };
        cases::decode_line_checked(self.c, self.name, text, n, &mut self.case, &mut self.scratch)?;
        // The case has been checked while decoding, constraints included.
        self.c
            .decide_checked_into(&self.case, &mut self.scratch, &mut self.outcome)
            .map_err(|e| CaseProblem::undecidable(&origin(), e))?;
        match self.writer {
            Some(w) => {
                if w.write(&self.case, &self.outcome, out) {
                    out.push(b'\n');
                }
            }
            None => {
                let record = self.c.record(&self.case, &self.outcome);
                out.extend_from_slice(crate::eval::human(&record).as_bytes());
            }
        }
        Ok(Some(self.outcome.decision))
    }
}

/// Writes chunks in input order as they finish, returning a permit for each. Problem
/// reports on standard error stop after [`MAX_REPORTED_PROBLEMS`]; the rest are counted
/// and summed up in one line at the end (the errors in place on standard output are all
/// written).
fn write_in_order(
    done: &Receiver<Done>,
    permits: &std::sync::mpsc::SyncSender<()>,
    size: Option<u64>,
    opts: Options,
) -> Result<Totals, Stopped> {
    let progress = opts.progress.then(|| Progress::new(size));
    let mut totals = Totals::default();
    let mut waiting: BTreeMap<u64, Done> = BTreeMap::new();
    let mut next = 0;
    let mut reported: u64 = 0;
    let mut unreported: u64 = 0;
    while let Ok(d) = done.recv() {
        waiting.insert(d.seq, d);
        while let Some(d) = waiting.remove(&next) {
            let mut write = || -> Result<(), Stopped> {
                let (mut o, mut e) = (0, 0);
                for (o_end, e_end) in &d.breaks {
                    out::bytes(d.stdout.get(o..*o_end).unwrap_or(&[]))?;
                    out::flush()?;
                    if reported < MAX_REPORTED_PROBLEMS {
                        reported += 1;
                        emit::write_bytes(d.stderr.get(e..*e_end).unwrap_or(&[]));
                    } else {
                        unreported = unreported.saturating_add(1);
                    }
                    (o, e) = (*o_end, *e_end);
                }
                out::bytes(d.stdout.get(o..).unwrap_or(&[]))
            };
            match &progress {
                Some(p) if !d.stderr.is_empty() || p.stdout_is_terminal => {
                    p.bar.suspend(write)?;
                }
                _ => write()?,
            }
            totals.add(&d.totals);
            if let Some(p) = &progress {
                p.advance(d.input, &totals);
            }
            next += 1;
            let _ = permits.send(());
        }
    }
    out::flush()?;
    if let Some(p) = progress {
        p.bar.finish_and_clear();
    }
    if unreported > 0 {
        emit::note(&format!(
            "… and {} more problems like these, not shown (pol shows the first {MAX_REPORTED_PROBLEMS}; \
             with --format json every one has an error in its place on standard output)\n",
            HumanCount(unreported)
        ));
    }
    Ok(totals)
}

/// The progress bar: bytes read of a file (with rate and ETA), or cases decided from a
/// stream.
struct Progress {
    bar: indicatif::ProgressBar,
    start: Instant,
    stdout_is_terminal: bool,
}

impl Progress {
    fn new(size: Option<u64>) -> Progress {
        let bar = match size {
            Some(total) => {
                let bar = indicatif::ProgressBar::new(total);
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{bar:30} {percent:>3}% {msg} · ETA {eta}",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                bar
            }
            None => {
                let bar = indicatif::ProgressBar::new_spinner();
                bar.set_style(
                    indicatif::ProgressStyle::with_template("{spinner} {msg}")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
                );
                bar
            }
        };
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr_with_hz(10));
        bar.enable_steady_tick(Duration::from_millis(100));
        Progress { bar, start: Instant::now(), stdout_is_terminal: std::io::stdout().is_terminal() }
    }

    fn advance(&self, bytes: u64, totals: &Totals) {
        self.bar.inc(bytes);
        let cases = totals.cases() + totals.bad;
        let rate = cases as f64 / self.start.elapsed().as_secs_f64().max(1e-9);
        self.bar.set_message(format!(
            "{} cases · {} cases/s",
            HumanCount(cases),
            HumanCount(rate as u64)
        ));
    }
}

/// The end-of-run summary: decisions by kind, lines not decided, time and rate.
pub fn summary(totals: &Totals, elapsed: Duration) -> String {
    let kinds = [
        DecisionKind::Eligible,
        DecisionKind::Ineligible,
        DecisionKind::NotRequired,
        DecisionKind::Unavailable,
        DecisionKind::Incomplete,
    ];
    let by_kind: Vec<String> = kinds
        .iter()
        .map(|k| {
            let n = totals.decided.get(*k as usize).copied().unwrap_or(0);
            format!("{} {}", HumanCount(n), k.as_str())
        })
        .collect();
    let secs = elapsed.as_secs_f64();
    let rate = (totals.cases() + totals.bad) as f64 / secs.max(1e-9);
    format!(
        "{} cases decided: {}; {} not decided ({secs:.2} s, {} cases/s)\n",
        HumanCount(totals.cases()),
        by_kind.join(", "),
        HumanCount(totals.bad),
        HumanCount(rate as u64),
    )
}

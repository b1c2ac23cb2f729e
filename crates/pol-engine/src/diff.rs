//! Decision diffs between two policy sets: for each policy, which decisions change
//! (`unavailable → eligible`, ...), how often over a corpus of cases, and witness cases
//! that show each change — from the corpus, and synthesized from the policies themselves
//! so that a change no corpus case reaches is still seen.
//!
//! A case is decoded by each set's own engine (the sets may declare different facts); a
//! case only one of them can decode is reported, not compared. Corpus files of JSON lines
//! are diffed on several threads, each deciding with reused buffers
//! ([`pol_compiler::Compiled::decide_into`]).
//!
//! Synthesized witnesses come from [`synthesize`], which enumerates representative values:
//! every bool, one enum word per class of words the policies never tell apart, each side
//! of each constant a fact meets, and `as_of` on each side of each date the policies
//! mention. It is the one place an exact symbolic comparison will replace.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Mutex};

use pol_compiler::graph::{NodeId, Op, PolicyGraph};
use pol_compiler::ir::{FactId, PolicySet};
use pol_compiler::types::Type;
use pol_compiler::value::{Day, Value};
use pol_compiler::{Case, Compiled, DecisionKind, Outcome, Scratch};
use pol_syntax::ast::{CompareOp, RuleKind};
use serde::Serialize;

use crate::cases::{self, CaseProblem, Format};
use crate::load::{self, LoadError};

/// What `pol diff --format json` prints: exactly `{"policies": [...]}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DiffReport {
    /// Every policy both sets have, in the new set's order.
    pub policies: Vec<PolicyDiff>,
}

/// The decision changes of one policy.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicyDiff {
    pub policy: String,
    /// In decision order of `from`, then `to`.
    pub transitions: Vec<Transition>,
}

/// Cases the old set decides `from` and the new set decides `to`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Transition {
    pub from: DecisionKind,
    pub to: DecisionKind,
    /// How many corpus cases change so; `None` when only synthesized cases show it.
    pub count: Option<u64>,
    /// Cases that show the change, in the contract's shape: corpus cases as given (with
    /// an `id`: their own, else where they were read), else synthesized ones.
    pub witnesses: Vec<serde_json::Value>,
}

/// Which set could read a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Old,
    New,
}

/// A corpus case only one set can decode (or decide), with the other set's problem.
#[derive(Clone, Debug)]
pub struct OneSided {
    /// The set that could decode it.
    pub decoded_by: Side,
    pub problem: CaseProblem,
}

/// The whole result: the report, and what could not be compared.
#[derive(Clone, Debug)]
pub struct Diff {
    pub report: DiffReport,
    /// Policies only one set has.
    pub only_old: Vec<String>,
    pub only_new: Vec<String>,
    /// Corpus cases read (decoded by at least one set or not).
    pub cases: u64,
    /// Corpus cases only one set can decode: how many, and the first few.
    pub one_sided: u64,
    pub one_sided_examples: Vec<OneSided>,
    /// Corpus cases neither set can decode: how many, and the first few.
    pub unreadable: u64,
    pub unreadable_examples: Vec<CaseProblem>,
}

/// How to diff.
#[derive(Clone, Debug)]
pub struct Options {
    /// Witnesses kept per transition (at least one).
    pub witnesses: usize,
    /// Worker threads for JSON-lines corpora.
    pub threads: usize,
    /// Also synthesize witness cases from the policies.
    pub synthesize: bool,
    /// Cases synthesized per policy at most.
    pub budget: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            witnesses: 3,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            synthesize: true,
            budget: 100_000,
        }
    }
}

/// How many problem examples are kept.
const EXAMPLES: usize = 5;

/// Diffs the decisions of `old` and `new` over the cases in `corpus` (files, or
/// directories searched for case files) and over cases synthesized from the policies.
pub fn diff(
    old: &Compiled,
    new: &Compiled,
    corpus: &[PathBuf],
    opts: &Options,
) -> Result<Diff, LoadError> {
    let k = opts.witnesses.max(1);
    let mut tally = Tally::default();
    for (i, path) in corpus_files(corpus)?.iter().enumerate() {
        let t = diff_file(old, new, i as u32, path, opts, k);
        tally.merge(t, k);
    }
    let mut policies = Vec::new();
    for (p, def) in new.set.policies.iter().enumerate() {
        if old.set.policy(&def.name).is_none() {
            continue;
        }
        let mut found: BTreeMap<(DecisionKind, DecisionKind), Transition> = BTreeMap::new();
        for ((policy, from, to), f) in &tally.transitions {
            if *policy as usize != p {
                continue;
            }
            found.insert(
                (*from, *to),
                Transition {
                    from: *from,
                    to: *to,
                    count: Some(f.count),
                    witnesses: f.witnesses.iter().map(|(_, w)| w.value()).collect(),
                },
            );
        }
        if opts.synthesize {
            for s in synthesize(old, new, &def.name, opts.budget, k) {
                found.entry((s.from, s.to)).or_insert_with(|| Transition {
                    from: s.from,
                    to: s.to,
                    count: None,
                    witnesses: s.witnesses,
                });
            }
        }
        policies.push(PolicyDiff {
            policy: def.name.clone(),
            transitions: found.into_values().collect(),
        });
    }
    let names = |a: &Compiled, b: &Compiled| -> Vec<String> {
        a.set
            .policies
            .iter()
            .filter(|p| b.set.policy(&p.name).is_none())
            .map(|p| p.name.clone())
            .collect()
    };
    Ok(Diff {
        report: DiffReport { policies },
        only_old: names(old, new),
        only_new: names(new, old),
        cases: tally.cases,
        one_sided: tally.one_sided,
        one_sided_examples: tally
            .one_sided_examples
            .into_iter()
            .map(|(_, o)| o)
            .collect(),
        unreadable: tally.unreadable,
        unreadable_examples: tally
            .unreadable_examples
            .into_iter()
            .map(|(_, p)| p)
            .collect(),
    })
}

/// The case files at `paths`: files named, and `.json`, `.jsonl`, `.yaml`, `.yml` and
/// `.toml` files under directories named, sorted.
pub fn corpus_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            load::walk(
                p,
                &["json", "jsonl", "ndjson", "yaml", "yml", "toml"],
                &mut found,
            )
            .map_err(|e| LoadError {
                path: p.display().to_string(),
                message: format!("cannot read the directory: {e}"),
                help: "check the path and its permissions".into(),
            })?;
            found.sort();
            out.extend(found);
        } else if p.exists() || p.as_os_str() == "-" {
            out.push(p.clone());
        } else {
            return Err(LoadError {
                path: p.display().to_string(),
                message: "no such file or directory".into(),
                help: "pass case files (JSON, YAML, TOML or JSON lines) or directories of them"
                    .into(),
            });
        }
    }
    Ok(out)
}

// ---- the corpus ----

/// Where a corpus case was read: file index and line (0 for a whole-file case); witnesses
/// are the first cases in this order.
type Pos = (u32, u64);

/// A corpus case kept as a witness: its text, its format and where it was read.
#[derive(Clone, Debug)]
struct Witness {
    text: String,
    format: Format,
    origin: String,
}

impl Witness {
    /// The case as given, as JSON, with an `id` (where it was read, if it has none).
    fn value(&self) -> serde_json::Value {
        let parsed: Option<serde_json::Value> = match self.format {
            Format::Json | Format::JsonLines => serde_json::from_str(&self.text).ok(),
            Format::Yaml => crate::yaml::from_str(&self.text).ok(),
            Format::Toml => toml::from_str(&self.text).ok(),
        };
        let mut v = parsed.unwrap_or(serde_json::Value::Null);
        if let Some(obj) = v.as_object_mut() {
            obj.entry("id")
                .or_insert_with(|| serde_json::Value::String(self.origin.clone()));
        }
        v
    }
}

#[derive(Default)]
struct Found {
    count: u64,
    /// The first witnesses, by position.
    witnesses: Vec<(Pos, Witness)>,
}

/// What one worker (or one file) found.
#[derive(Default)]
struct Tally {
    transitions: HashMap<(u32, DecisionKind, DecisionKind), Found>,
    cases: u64,
    one_sided: u64,
    one_sided_examples: Vec<(Pos, OneSided)>,
    unreadable: u64,
    unreadable_examples: Vec<(Pos, CaseProblem)>,
}

/// Keeps the `k` first items of `list` by position.
fn keep_first<T>(list: &mut Vec<(Pos, T)>, k: usize) {
    list.sort_by_key(|(p, _)| *p);
    list.truncate(k);
}

impl Tally {
    fn merge(&mut self, other: Tally, k: usize) {
        for (key, f) in other.transitions {
            let mine = self.transitions.entry(key).or_default();
            mine.count += f.count;
            mine.witnesses.extend(f.witnesses);
            keep_first(&mut mine.witnesses, k);
        }
        self.cases += other.cases;
        self.one_sided += other.one_sided;
        self.one_sided_examples.extend(other.one_sided_examples);
        keep_first(&mut self.one_sided_examples, EXAMPLES);
        self.unreadable += other.unreadable;
        self.unreadable_examples.extend(other.unreadable_examples);
        keep_first(&mut self.unreadable_examples, EXAMPLES);
    }
}

/// One set's buffers for deciding cases in a loop.
struct Decider<'c> {
    c: &'c Compiled,
    case: Case,
    scratch: Scratch,
    outcome: Outcome,
}

impl<'c> Decider<'c> {
    fn new(c: &'c Compiled) -> Decider<'c> {
        Decider {
            c,
            case: Case::new(&c.set),
            scratch: Scratch::default(),
            outcome: Outcome::default(),
        }
    }

    /// Decodes and decides one case document; the decision, or the problem.
    fn decide(&mut self, file: &str, text: &str, format: Format) -> Result<(), CaseProblem> {
        cases::decode(self.c, file, text, format, &mut self.case)?;
        self.c
            .decide_into(&self.case, &mut self.scratch, &mut self.outcome)
            .map_err(|e| CaseProblem::undecidable(file, e))
    }
}

/// Both sets' deciders, and what they found.
struct Worker<'c> {
    old: Decider<'c>,
    new: Decider<'c>,
    tally: Tally,
    k: usize,
}

impl<'c> Worker<'c> {
    fn new(old: &'c Compiled, new: &'c Compiled, k: usize) -> Worker<'c> {
        Worker {
            old: Decider::new(old),
            new: Decider::new(new),
            tally: Tally::default(),
            k,
        }
    }

    /// Compares one case document read at `pos` from file `name` (on `line` of a
    /// JSON-lines file).
    fn case(&mut self, pos: Pos, name: &str, line: Option<u64>, text: &str, format: Format) {
        self.tally.cases += 1;
        let at_line = |mut p: CaseProblem| {
            if let Some(n) = line {
                p.line = usize::try_from(n).ok();
                p.lines_before = p.line.unwrap_or(1).saturating_sub(1);
            }
            p
        };
        let old = self.old.decide(name, text, format).map_err(at_line);
        let new = self.new.decide(name, text, format).map_err(at_line);
        match (old, new) {
            (Ok(()), Ok(())) => {
                let (from, to) = (self.old.outcome.decision, self.new.outcome.decision);
                let Some(policy) = self.new.case.policy else {
                    return;
                };
                if from == to {
                    return;
                }
                let found = self
                    .tally
                    .transitions
                    .entry((policy.0, from, to))
                    .or_default();
                found.count += 1;
                // Positions only grow within a worker's chunk; a later chunk's cases are
                // kept too and sorted out on merging.
                if found.witnesses.len() < self.k {
                    found.witnesses.push((
                        pos,
                        Witness {
                            text: text.to_string(),
                            format,
                            origin: match line {
                                Some(n) => format!("{name}:{n}"),
                                None => name.to_string(),
                            },
                        },
                    ));
                }
            }
            (Ok(()), Err(problem)) => self.one_sided(pos, Side::Old, problem),
            (Err(problem), Ok(())) => self.one_sided(pos, Side::New, problem),
            (Err(problem), Err(_)) => {
                self.tally.unreadable += 1;
                if self.tally.unreadable_examples.len() < EXAMPLES {
                    self.tally.unreadable_examples.push((pos, problem));
                }
            }
        }
    }

    fn one_sided(&mut self, pos: Pos, decoded_by: Side, problem: CaseProblem) {
        self.tally.one_sided += 1;
        if self.tally.one_sided_examples.len() < EXAMPLES {
            self.tally.one_sided_examples.push((
                pos,
                OneSided {
                    decoded_by,
                    problem,
                },
            ));
        }
    }

    /// The JSON lines of `chunk`, the first on line `first` of file `file`.
    fn lines(&mut self, file: u32, name: &str, first: u64, chunk: &[u8]) {
        for (i, line) in chunk.split(|b| *b == b'\n').enumerate() {
            let number = first + i as u64;
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match std::str::from_utf8(line) {
                Ok(text) => self.case((file, number), name, Some(number), text, Format::JsonLines),
                Err(e) => {
                    self.tally.cases += 1;
                    self.tally.unreadable += 1;
                    if self.tally.unreadable_examples.len() < EXAMPLES {
                        let mut problem = CaseProblem::plain(
                            name,
                            format!("the line is not valid UTF-8 (at byte {})", e.valid_up_to()),
                            Some("save the file as UTF-8".into()),
                        );
                        problem.line = usize::try_from(number).ok();
                        self.tally
                            .unreadable_examples
                            .push(((file, number), problem));
                    }
                }
            }
        }
    }
}

/// Diffs one corpus file.
fn diff_file(
    old: &Compiled,
    new: &Compiled,
    index: u32,
    path: &Path,
    opts: &Options,
    k: usize,
) -> Tally {
    let name = if path.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    let unreadable = |problem: CaseProblem| Tally {
        cases: 1,
        unreadable: 1,
        unreadable_examples: vec![((index, 0), problem)],
        ..Tally::default()
    };
    let Some(format) = Format::of(path) else {
        return unreadable(CaseProblem::plain(
            &name,
            "cannot tell the case format from the file name".into(),
            Some("name case files *.json, *.yaml, *.yml, *.toml or *.jsonl".into()),
        ));
    };
    if format == Format::JsonLines {
        let reader: Box<dyn Read + Send> = if path.as_os_str() == "-" {
            Box::new(std::io::stdin())
        } else {
            match load::open(path) {
                Ok(f) => Box::new(f),
                Err(e) => return unreadable(CaseProblem::plain(&name, e.message, Some(e.help))),
            }
        };
        return json_lines(old, new, index, &name, reader, opts.threads.max(1), k);
    }
    let text = match load::read_text(path) {
        Ok(t) => t,
        Err(e) => return unreadable(CaseProblem::plain(&name, e.message, Some(e.help))),
    };
    let mut w = Worker::new(old, new, k);
    w.case((index, 0), &name, None, &text, format);
    w.tally
}

/// Bytes of JSON lines handed to a worker at a time.
const CHUNK: usize = 256 * 1024;

/// Diffs a JSON-lines stream on `threads` workers: this thread cuts it into chunks of
/// whole lines; each worker decodes and decides with its own reused buffers.
fn json_lines(
    old: &Compiled,
    new: &Compiled,
    file: u32,
    name: &str,
    mut reader: Box<dyn Read + Send>,
    threads: usize,
    k: usize,
) -> Tally {
    let (tx, rx) = mpsc::sync_channel::<(u64, Vec<u8>)>(threads * 2);
    let rx = Mutex::new(rx);
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let rx = &rx;
                s.spawn(move || {
                    let mut w = Worker::new(old, new, k);
                    loop {
                        let next = match rx.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => break,
                        };
                        match next {
                            Ok((first, chunk)) => w.lines(file, name, first, &chunk),
                            Err(_) => break,
                        }
                    }
                    w.tally
                })
            })
            .collect();
        let mut tally = Tally::default();
        let mut carry: Vec<u8> = Vec::new();
        let mut line = 1u64;
        loop {
            let mut buf = std::mem::take(&mut carry);
            let start = buf.len();
            buf.resize(start + CHUNK, 0);
            let n = loop {
                match reader.read(buf.get_mut(start..).unwrap_or_default()) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        tally.unreadable += 1;
                        tally.unreadable_examples.push((
                            (file, line),
                            CaseProblem::plain(name, format!("cannot read: {e}"), None),
                        ));
                        break 0;
                    }
                }
            };
            buf.truncate(start + n);
            let end = n == 0;
            let cut = if end {
                buf.len()
            } else {
                match buf.iter().rposition(|b| *b == b'\n') {
                    Some(i) => i + 1,
                    // No whole line yet: read on.
                    None => {
                        carry = buf;
                        continue;
                    }
                }
            };
            let rest = buf.split_off(cut);
            let lines = buf.iter().filter(|b| **b == b'\n').count() as u64;
            if !buf.is_empty() && tx.send((line, buf)).is_err() {
                break;
            }
            line += lines;
            carry = rest;
            if end {
                break;
            }
        }
        drop(tx);
        for w in workers {
            if let Ok(t) = w.join() {
                tally.merge(t, k);
            }
        }
        tally
    })
}

// ---- synthesized witnesses ----

/// A decision change found on a synthesized case.
#[derive(Clone, Debug, PartialEq)]
pub struct Synthesized {
    pub from: DecisionKind,
    pub to: DecisionKind,
    /// The simplest cases found (fewest unknown facts, then the plainest values), in the
    /// contract's shape.
    pub witnesses: Vec<serde_json::Value>,
}

/// The decision changes of `policy` between `old` and `new` that representative cases
/// show, with up to `k` witnesses each; at most `budget` cases are tried.
///
/// Representative values: every bool; one enum word per class of words that no
/// comparison in either set tells apart; for sets of words, each combination of those
/// classes; strings the policies compare with and one they do not; for numbers and dates,
/// each side of each constant a fact meets (and of `as_of`, for dates); every fact also
/// unknown (first no fact, then one, then two). `as_of` takes each side of each date the
/// policy mentions. Past the budget the cases are a deterministic sample.
pub fn synthesize(
    old: &Compiled,
    new: &Compiled,
    policy: &str,
    budget: usize,
    k: usize,
) -> Vec<Synthesized> {
    let sides: Vec<(&Compiled, &PolicyGraph)> = [old, new]
        .into_iter()
        .filter_map(|c| {
            let id = c.set.policy(policy)?;
            Some((c, c.graphs.get(id.index())?))
        })
        .collect();
    if sides.len() != 2 {
        return Vec::new();
    }
    let facts = relevant_facts(&sides);
    let dates = as_of_candidates(&sides);
    let per_date = (budget / dates.len().max(1)).max(1);
    let mut old_d = Decider::new(old);
    let mut new_d = Decider::new(new);
    let mut found: BTreeMap<(DecisionKind, DecisionKind), Vec<Candidate>> = BTreeMap::new();
    let mut order = 0usize;
    for as_of in dates {
        let columns: Vec<(&str, Vec<serde_json::Value>)> = facts
            .iter()
            .map(|f| (f.path.as_str(), f.candidates(as_of)))
            .collect();
        // Every fact known first, then one unknown, then two: an `incomplete` decision
        // needs only one unknown fact to show, and each level is much larger than the last.
        // Each level may spend half of what is left (the last, all of it).
        let mut left = per_date;
        for unknowns in 0..=columns.len().min(2) {
            let level = if unknowns == columns.len().min(2) {
                left
            } else {
                left.div_ceil(2)
            };
            let subsets = combinations(columns.len(), unknowns);
            let each = (level / subsets.len().max(1)).max(1);
            for unknown in subsets {
                let known: Vec<&(&str, Vec<serde_json::Value>)> = columns
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !unknown.contains(i))
                    .map(|(_, c)| c)
                    .collect();
                let total = known
                    .iter()
                    .try_fold(1usize, |acc, (_, v)| acc.checked_mul(v.len()))
                    .unwrap_or(usize::MAX);
                let mut sample = Sample::new(total, each.min(left));
                while let Some(mut index) = sample.next() {
                    left = left.saturating_sub(1);
                    let mut case = serde_json::Map::new();
                    case.insert("as_of".into(), as_of.to_string().into());
                    case.insert("policy".into(), policy.into());
                    // How far from the plainest case: the sum of the positions of the
                    // values chosen (each fact's first value is its plainest).
                    let mut weight = 0;
                    for (path, values) in &known {
                        let size = values.len().max(1);
                        let choice = index % size;
                        index /= size;
                        weight += choice;
                        if let Some(v) = values.get(choice) {
                            insert(&mut case, path, v.clone());
                        }
                    }
                    let case = serde_json::Value::Object(case);
                    let (Some(from), Some(to)) =
                        (old_d.decide_value(&case), new_d.decide_value(&case))
                    else {
                        continue;
                    };
                    if from == to {
                        continue;
                    }
                    order += 1;
                    let list = found.entry((from, to)).or_default();
                    list.push(((unknowns, weight, order), case));
                    if list.len() > k * 4 {
                        list.sort_by_key(|(rank, _)| *rank);
                        list.truncate(k);
                    }
                }
            }
        }
    }
    found
        .into_iter()
        .map(|((from, to), mut list)| {
            list.sort_by_key(|(rank, _)| *rank);
            list.truncate(k);
            Synthesized {
                from,
                to,
                witnesses: list.into_iter().map(|(_, c)| c).collect(),
            }
        })
        .collect()
}

impl Decider<'_> {
    /// Decodes and decides a synthesized case; `None` when this set cannot.
    fn decide_value(&mut self, case: &serde_json::Value) -> Option<DecisionKind> {
        self.c
            .schema
            .decode(&self.c.set, &mut self.case, case)
            .ok()?;
        self.c
            .decide_into(&self.case, &mut self.scratch, &mut self.outcome)
            .ok()?;
        Some(self.outcome.decision)
    }
}

/// A synthesized witness, ranked simplest first (facts unknown, how far its values are
/// from each fact's plainest, when it was found), and the case.
type Candidate = ((usize, usize, usize), serde_json::Value);

/// Sets `path` (dotted) in a JSON object.
fn insert(
    obj: &mut serde_json::Map<String, serde_json::Value>,
    path: &str,
    value: serde_json::Value,
) {
    match path.split_once('.') {
        None => {
            obj.insert(path.to_string(), value);
        }
        Some((head, rest)) => {
            let entry = obj
                .entry(head.to_string())
                .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
            if let Some(inner) = entry.as_object_mut() {
                insert(inner, rest, value);
            }
        }
    }
}

/// Every subset of `size` of the numbers `0..n`, each sorted, in lexicographic order.
fn combinations(n: usize, size: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut current = Vec::with_capacity(size);
    fn walk(
        from: usize,
        n: usize,
        size: usize,
        current: &mut Vec<usize>,
        out: &mut Vec<Vec<usize>>,
    ) {
        if current.len() == size {
            out.push(current.clone());
            return;
        }
        for i in from..n {
            current.push(i);
            walk(i + 1, n, size, current, out);
            current.pop();
        }
    }
    walk(0, n, size, &mut current, &mut out);
    out
}

/// Which combinations to try: all of them in order when they fit the budget, else a
/// deterministic spread-out sample.
struct Sample {
    total: usize,
    taken: usize,
    budget: usize,
    state: u64,
}

impl Sample {
    fn new(total: usize, budget: usize) -> Sample {
        Sample {
            total,
            taken: 0,
            budget,
            state: 0x9E37_79B9_7F4A_7C15,
        }
    }

    fn next(&mut self) -> Option<usize> {
        if self.taken >= self.total.min(self.budget) || self.total == 0 {
            return None;
        }
        let i = self.taken;
        self.taken += 1;
        if self.total <= self.budget || i == 0 {
            return Some(i);
        }
        // xorshift64*: any index, repeatable from run to run.
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        let r = self.state.wrapping_mul(0x2545_F491_4F6C_DD1D);
        Some((r % self.total as u64) as usize)
    }
}

/// A fact a policy's decision reads (in either set), and what to try for it.
struct FactSpace {
    path: String,
    kind: Space,
}

enum Space {
    Bool,
    /// One word per class.
    Words(Vec<String>),
    /// Sets of words: each combination of one word per class.
    WordSets(Vec<String>),
    Strings(Vec<String>),
    Numbers(Vec<i64>),
    Dates {
        anchors: Vec<i64>,
        offsets: Vec<i64>,
    },
}

impl FactSpace {
    /// The values to try (the fact is also tried unknown).
    fn candidates(&self, as_of: Day) -> Vec<serde_json::Value> {
        use serde_json::Value as J;
        match &self.kind {
            // Most flags are conditions that exclude (a record, a risk, an order): false is
            // the plainer case, tried first.
            Space::Bool => vec![J::Bool(false), J::Bool(true)],
            Space::Words(words) => words.iter().map(|w| J::String(w.clone())).collect(),
            Space::WordSets(words) => {
                // The empty set, each word alone, each pair, and all of them: membership
                // tests read one word at a time, so larger sets add little.
                let mut sets: Vec<Vec<&String>> = vec![Vec::new()];
                sets.extend(words.iter().map(|w| vec![w]));
                for (i, a) in words.iter().enumerate() {
                    for b in words.iter().skip(i + 1) {
                        sets.push(vec![a, b]);
                    }
                }
                if words.len() > 2 {
                    sets.push(words.iter().collect());
                }
                sets.into_iter()
                    .map(|s| J::Array(s.into_iter().map(|w| J::String(w.clone())).collect()))
                    .collect()
            }
            Space::Strings(s) => s.iter().map(|s| J::String(s.clone())).collect(),
            Space::Numbers(n) => n.iter().map(|n| J::from(*n)).collect(),
            Space::Dates { anchors, offsets } => {
                let mut days: Vec<i64> = Vec::new();
                for a in anchors.iter().copied().chain([i64::from(as_of.0)]) {
                    for o in std::iter::once(0).chain(offsets.iter().flat_map(|o| [*o, -*o])) {
                        if let Some(b) = a.checked_add(o) {
                            days.extend([b - 1, b, b + 1]);
                        }
                    }
                }
                days.sort_unstable();
                days.dedup();
                days.into_iter()
                    .filter_map(|d| i32::try_from(d).ok())
                    .map(|d| J::String(Day(d).to_string()))
                    .collect()
            }
        }
    }
}

/// The nodes a decision reads from: the triggers of every rule but warnings, and the
/// program window.
fn decision_roots(g: &PolicyGraph) -> Vec<NodeId> {
    g.rules
        .iter()
        .filter(|r| r.kind != RuleKind::Warn)
        .map(|r| r.trigger)
        .chain(g.window)
        .collect()
}

/// The facts the decision reads, in either set, by path (in the new set's order first).
fn relevant_facts(sides: &[(&Compiled, &PolicyGraph)]) -> Vec<FactSpace> {
    let mut paths: Vec<String> = Vec::new();
    for (c, g) in sides.iter().rev() {
        let mut seen = vec![false; g.nodes.len()];
        let mut stack = decision_roots(g);
        let mut facts = Vec::new();
        while let Some(n) = stack.pop() {
            match seen.get_mut(n.index()) {
                Some(s) if !*s => *s = true,
                _ => continue,
            }
            let Some(node) = g.node(n) else { continue };
            if let Op::Fact(f) = node.op {
                facts.push(f);
            }
            stack.extend(g.children(&node.op));
        }
        facts.sort_unstable();
        for f in facts {
            if let Some(def) = c.set.fact(f) {
                if !paths.contains(&def.path) {
                    paths.push(def.path.clone());
                }
            }
        }
    }
    paths
        .into_iter()
        .filter_map(|path| {
            let kind = space(sides, &path)?;
            Some(FactSpace { path, kind })
        })
        .collect()
}

/// What to try for the fact at `path`, from how both sets' graphs use it.
fn space(sides: &[(&Compiled, &PolicyGraph)], path: &str) -> Option<Space> {
    let (c0, _) = sides
        .iter()
        .find(|(c, _)| fact_id(&c.set, path).is_some())?;
    let ty = c0.set.fact(fact_id(&c0.set, path)?)?.ty;
    Some(match ty {
        Type::Bool => Space::Bool,
        Type::Enum(_) | Type::Set(_) => {
            let words = word_classes(sides, path);
            if matches!(ty, Type::Set(_)) {
                Space::WordSets(words)
            } else {
                Space::Words(words)
            }
        }
        Type::Str => {
            let mut strings: Vec<String> = Vec::new();
            for (c, g) in sides {
                let Some(f) = fact_id(&c.set, path) else {
                    continue;
                };
                for p in probe(g, f).map_or(&[][..], |p| &p.strings[..]) {
                    if let Value::Str(s) = p {
                        if let Some(t) = c.set.strings.get(s.0 as usize) {
                            if !strings.contains(t) {
                                strings.push(t.clone());
                            }
                        }
                    }
                }
            }
            // And one no policy mentions.
            let other = ["XX", "XY", "ZZ"]
                .into_iter()
                .find(|s| !strings.iter().any(|t| t == s))
                .unwrap_or("XZ");
            strings.push(other.to_string());
            Space::Strings(strings)
        }
        Type::Int | Type::Duration(_) => {
            let mut points = vec![0i64];
            for (c, g) in sides {
                let Some(f) = fact_id(&c.set, path) else {
                    continue;
                };
                if let Some(p) = probe(g, f) {
                    for a in &p.anchors {
                        points.extend([a.saturating_sub(1), *a, a.saturating_add(1)]);
                    }
                }
            }
            points.sort_unstable();
            points.dedup();
            Space::Numbers(points)
        }
        Type::Date => {
            let (mut anchors, mut offsets) = (Vec::new(), Vec::new());
            for (c, g) in sides {
                let Some(f) = fact_id(&c.set, path) else {
                    continue;
                };
                if let Some(p) = probe(g, f) {
                    anchors.extend(&p.anchors);
                    offsets.extend(
                        p.offsets
                            .iter()
                            .filter(|(_, u)| *u == pol_syntax::ast::Unit::Days)
                            .map(|(n, _)| *n),
                    );
                }
            }
            anchors.sort_unstable();
            anchors.dedup();
            offsets.sort_unstable();
            offsets.dedup();
            Space::Dates { anchors, offsets }
        }
    })
}

fn fact_id(set: &PolicySet, path: &str) -> Option<FactId> {
    set.facts
        .iter()
        .position(|f| f.path == path)
        .map(|i| FactId(i as u32))
}

fn probe(g: &PolicyGraph, f: FactId) -> Option<&pol_compiler::graph::Probe> {
    g.probes
        .binary_search_by_key(&f, |(id, _)| *id)
        .ok()
        .and_then(|i| g.probes.get(i))
        .map(|(_, p)| p)
}

/// One word per class of the enum words of the fact at `path` that no comparison in
/// either set tells apart (a word's class is the set of tests it passes). When the fact
/// is compared with something other than words, every word is its own class.
fn word_classes(sides: &[(&Compiled, &PolicyGraph)], path: &str) -> Vec<String> {
    // Every word of the fact's enum in either set, in declaration order.
    let mut words: Vec<String> = Vec::new();
    // Per word, the tests it passes (test number = position in `tests`).
    let mut tests: Vec<Vec<String>> = Vec::new();
    let mut split_all = false;
    for (c, g) in sides {
        let Some(f) = fact_id(&c.set, path) else {
            continue;
        };
        let Some(def) = c.set.fact(f) else { continue };
        let e = match def.ty {
            Type::Enum(e) | Type::Set(e) => e,
            _ => continue,
        };
        for w in c.set.enums.get(e.index()).map_or(&[][..], |d| &d.words[..]) {
            if !words.contains(w) {
                words.push(w.clone());
            }
        }
        let is_fact = |n: NodeId| matches!(leaf(g, n).map(|x| &x.op), Some(Op::Fact(x)) if *x == f);
        let word = |n: NodeId| match leaf(g, n).map(|x| &x.op) {
            Some(Op::Lit(Value::Word(w)) | Op::Const(_, Value::Word(w))) => {
                Some(c.set.word(e, *w).to_string())
            }
            _ => None,
        };
        for node in &g.nodes {
            match &node.op {
                Op::Compare(op, a, b) if is_fact(*a) || is_fact(*b) => {
                    let other = if is_fact(*a) { *b } else { *a };
                    match (op, word(other)) {
                        (CompareOp::Eq | CompareOp::Ne, Some(w)) => tests.push(vec![w]),
                        _ => split_all = true,
                    }
                }
                Op::InList(el, items) if is_fact(*el) => {
                    let list: Option<Vec<String>> =
                        g.operands(*items).iter().map(|n| word(*n)).collect();
                    match list {
                        Some(l) => tests.push(l),
                        None => split_all = true,
                    }
                }
                Op::InSet(el, set) if is_fact(*set) => match word(*el) {
                    Some(w) => tests.push(vec![w]),
                    None => split_all = true,
                },
                _ => {}
            }
        }
    }
    if split_all {
        return words;
    }
    let mut classes: Vec<(Vec<usize>, String)> = Vec::new();
    for w in &words {
        let signature: Vec<usize> = tests
            .iter()
            .enumerate()
            .filter(|(_, t)| t.contains(w))
            .map(|(i, _)| i)
            .collect();
        if !classes.iter().any(|(s, _)| *s == signature) {
            classes.push((signature, w.clone()));
        }
    }
    classes.into_iter().map(|(_, w)| w).collect()
}

/// The node a `let` chain stands for.
fn leaf(g: &PolicyGraph, mut n: NodeId) -> Option<&pol_compiler::graph::Node> {
    loop {
        let node = g.node(n)?;
        match node.op {
            Op::Let(_, body) => n = body,
            _ => return Some(node),
        }
    }
}

/// `as_of` values to try: each side of each date the policy mentions (window edges,
/// dates it compares with, parameter dates), in either set; a fixed date when it mentions
/// none.
fn as_of_candidates(sides: &[(&Compiled, &PolicyGraph)]) -> Vec<Day> {
    let mut days: Vec<i64> = Vec::new();
    for (c, g) in sides {
        for node in &g.nodes {
            match &node.op {
                Op::Lit(Value::Date(d)) | Op::Const(_, Value::Date(d)) => {
                    days.push(i64::from(d.0));
                }
                Op::Window { opened, closed, .. } => {
                    days.extend(opened.iter().chain(closed.iter()).map(|d| i64::from(d.0)));
                }
                Op::Param(p) => {
                    for v in c
                        .set
                        .params
                        .get(p.index())
                        .map_or(&[][..], |p| &p.values[..])
                    {
                        days.push(i64::from(v.from.0));
                        if let Value::Date(d) = v.value {
                            days.push(i64::from(d.0));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let mut out: Vec<i64> = days.iter().flat_map(|d| [d - 1, *d, d + 1]).collect();
    out.sort_unstable();
    out.dedup();
    if out.is_empty() {
        // 2025-06-10: any date will do when none matters.
        out.push(20249);
    }
    out.into_iter()
        .filter_map(|d| i32::try_from(d).ok().map(Day))
        .collect()
}

// ---- the old set from git ----

/// A policy directory as it was at a git revision, written to a temporary directory that
/// is removed when this is dropped.
#[derive(Debug)]
pub struct Exported {
    /// The exported policy directory.
    pub dir: PathBuf,
    root: PathBuf,
}

impl Drop for Exported {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Exports the `.pol` files under `dir` (a directory of a git work tree) as they were at
/// revision `rev`, with `git ls-tree` and `git show`.
pub fn export_git(rev: &str, dir: &Path) -> Result<Exported, LoadError> {
    let fail = |message: String, help: &str| LoadError {
        path: format!("{}@{rev}", dir.display()),
        message,
        help: help.to_string(),
    };
    let git = |args: &[&str]| -> Result<Vec<u8>, LoadError> {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .map_err(|e| {
                fail(
                    format!("cannot run git: {e}"),
                    "install git, or pass two directories: `pol diff OLD NEW`",
                )
            })?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
            return Err(fail(
                format!("git {}: {err}", args.join(" ")),
                "name a revision of this repository (a commit, a branch, a tag, HEAD~1)",
            ));
        }
        Ok(out.stdout)
    };
    if rev.starts_with('-') {
        return Err(fail(
            "a revision cannot start with `-`".into(),
            "name a commit, a branch or a tag",
        ));
    }
    let prefix = String::from_utf8_lossy(&git(&["rev-parse", "--show-prefix"])?)
        .trim()
        .to_string();
    let listing = git(&[
        "ls-tree",
        "-r",
        "--name-only",
        "--full-tree",
        rev,
        "--",
        &format!(":/{prefix}"),
    ])?;
    let listing = String::from_utf8_lossy(&listing).to_string();
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let root = std::env::temp_dir().join(format!(
        "pol-diff-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let exported = Exported {
        dir: root.join("policies"),
        root,
    };
    let mut count = 0;
    for file in listing.lines().filter(|f| f.ends_with(".pol")) {
        let rel = file.strip_prefix(&prefix).unwrap_or(file);
        let text = git(&["show", &format!("{rev}:{file}")])?;
        let target = exported.dir.join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                fail(
                    format!("cannot write {}: {e}", parent.display()),
                    "check the temporary directory",
                )
            })?;
        }
        std::fs::write(&target, text).map_err(|e| {
            fail(
                format!("cannot write {}: {e}", target.display()),
                "check the temporary directory",
            )
        })?;
        count += 1;
    }
    if count == 0 {
        return Err(fail(
            "no .pol files here at that revision".into(),
            "name a revision at which the policy directory held policies",
        ));
    }
    Ok(exported)
}

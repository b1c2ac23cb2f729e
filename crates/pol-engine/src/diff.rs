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
//! Synthesized witnesses come from [`synthesize`], which asks the engine's exact comparison
//! of the two versions of each policy ([`pol_compiler::compare`]) for every pair of
//! decisions some case reaches, with a witness case for each: a change is found whether or
//! not a corpus case shows it.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use pol_compiler::value::Day;
use pol_compiler::{Case, Compiled, DecisionKind, Outcome, Scratch};
use serde::Serialize;

use crate::cases::{self, CaseProblem, Format};
use crate::limits;
use crate::lines::{self, Chunk};
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
    /// What the comparison of the policies could not do, per policy (its synthesized
    /// witnesses may then be incomplete or missing).
    pub notes: Vec<Note>,
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

/// Something the comparison of one policy could not do.
#[derive(Clone, Debug, PartialEq)]
pub struct Note {
    pub policy: String,
    pub message: String,
}

/// How to diff.
#[derive(Clone, Debug)]
pub struct Options {
    /// Witnesses kept per transition (at least one).
    pub witnesses: usize,
    /// Worker threads for JSON-lines corpora (clamped by [`limits::workers`]).
    pub threads: usize,
    /// Also find witness cases from the policies (the engine's comparison).
    pub synthesize: bool,
    /// Synthesize only cases decided on this date; `None`: on every date where the versions
    /// can differ. Corpus cases keep their own dates.
    pub as_of: Option<Day>,
}

impl Default for Options {
    fn default() -> Options {
        Options { witnesses: 3, threads: limits::workers(None), synthesize: true, as_of: None }
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
    let mut notes = Vec::new();
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
            let (synthesized, why) = synthesize(old, new, &def.name, opts.as_of);
            for s in synthesized {
                found.entry((s.from, s.to)).or_insert_with(|| Transition {
                    from: s.from,
                    to: s.to,
                    count: None,
                    witnesses: vec![s.witness],
                });
            }
            notes.extend(why.into_iter().map(|message| Note { policy: def.name.clone(), message }));
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
        notes,
        only_old: names(old, new),
        only_new: names(new, old),
        cases: tally.cases,
        one_sided: tally.one_sided,
        one_sided_examples: tally.one_sided_examples.into_iter().map(|(_, o)| o).collect(),
        unreadable: tally.unreadable,
        unreadable_examples: tally.unreadable_examples.into_iter().map(|(_, p)| p).collect(),
    })
}

/// The case files at `paths`: files named (and `-`, standard input), and `.json`,
/// `.jsonl`, `.yaml`, `.yml` and `.toml` files under directories named, by the engine's
/// one walker; the first problem finding them is the error.
pub fn corpus_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
    let (mut out, named): (Vec<PathBuf>, Vec<PathBuf>) =
        paths.iter().cloned().partition(|p| p.as_os_str() == "-");
    let found = load::find(&named, load::Kind::Cases, &load::Confinement::around_all(&named));
    if let Some(problem) = found.problems.into_iter().next() {
        return Err(problem);
    }
    out.extend(found.files.into_iter().map(|f| f.path));
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
            obj.entry("id").or_insert_with(|| serde_json::Value::String(self.origin.clone()));
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
        Worker { old: Decider::new(old), new: Decider::new(new), tally: Tally::default(), k }
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
                let found = self.tally.transitions.entry((policy.0, from, to)).or_default();
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
            (Err(problem), Err(_)) => self.unreadable(pos, problem),
        }
    }

    fn one_sided(&mut self, pos: Pos, decoded_by: Side, problem: CaseProblem) {
        self.tally.one_sided += 1;
        if self.tally.one_sided_examples.len() < EXAMPLES {
            self.tally.one_sided_examples.push((pos, OneSided { decoded_by, problem }));
        }
    }

    /// The cases of a chunk of JSON lines of file `file`; a line that cannot be read is one
    /// unreadable case.
    fn chunk(&mut self, file: u32, name: &str, chunk: &Chunk) {
        let first = chunk.first_line;
        if chunk.overlong {
            self.tally.cases += 1;
            self.unreadable(
                (file, first),
                cases::line_too_long(name, usize::try_from(first).unwrap_or(usize::MAX)),
            );
            return;
        }
        for (i, line) in chunk.bytes.split(|b| *b == b'\n').enumerate() {
            let number = first + i as u64;
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let at = usize::try_from(number).unwrap_or(usize::MAX);
            match cases::line_text(name, at, line) {
                Ok(None) => {}
                Ok(Some(text)) => {
                    self.case((file, number), name, Some(number), text, Format::JsonLines)
                }
                Err(problem) => {
                    self.tally.cases += 1;
                    self.unreadable((file, number), problem);
                }
            }
        }
    }

    /// A case of the corpus (already counted) that cannot be read.
    fn unreadable(&mut self, at: Pos, problem: CaseProblem) {
        self.tally.unreadable += 1;
        if self.tally.unreadable_examples.len() < EXAMPLES {
            self.tally.unreadable_examples.push((at, problem));
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
    let name =
        if path.as_os_str() == "-" { "<stdin>".to_string() } else { path.display().to_string() };
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
        return json_lines(old, new, index, &name, reader, opts.threads, k);
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

/// Diffs a JSON-lines stream on `threads` workers (clamped): this thread cuts it into
/// chunks of whole lines ([`lines::read_chunks`], as `pol eval` does); each worker decodes
/// and decides with its own reused buffers. When the system refuses threads, the workers
/// it gave do the work; when it gives none, this thread does.
fn json_lines(
    old: &Compiled,
    new: &Compiled,
    file: u32,
    name: &str,
    reader: Box<dyn Read + Send>,
    threads: usize,
    k: usize,
) -> Tally {
    let threads = limits::workers(Some(threads));
    let (tx, rx) = mpsc::sync_channel::<Chunk>(threads.saturating_mul(2));
    std::thread::scope(|s| {
        let workers = lines::spawn_workers(s, "pol-diff", threads, rx, |chunks| {
            let mut w = Worker::new(old, new, k);
            for chunk in chunks {
                w.chunk(file, name, &chunk);
            }
            w.tally
        })
        .unwrap_or_default();
        // No worker: this thread decides each chunk as it cuts it.
        let mut here = workers.is_empty().then(|| Worker::new(old, new, k));
        let mut tally = Tally::default();
        let read = lines::read_chunks(reader, CHUNK, |chunk| match here.as_mut() {
            Some(w) => {
                w.chunk(file, name, &chunk);
                true
            }
            None => tx.send(chunk).is_ok(),
        });
        drop(tx);
        if let Err(e) = read {
            tally.unreadable += 1;
            // After every line read: where the reading stopped.
            tally.unreadable_examples.push((
                (file, u64::MAX),
                CaseProblem::plain(name, format!("cannot read: {e}"), None),
            ));
        }
        for w in workers {
            if let Ok(t) = w.join() {
                tally.merge(t, k);
            }
        }
        if let Some(w) = here {
            tally.merge(w.tally, k);
        }
        tally
    })
}

// ---- synthesized witnesses ----

/// The decision changes of `policy` that the policies themselves show.
///
/// Cases with every fact that matters known come from the engine's exact comparison
/// ([`pol_compiler::compare`]): every transition, with one witness each, a value for each
/// fact that matters and every other fact unknown. Cases with unknown facts (where
/// `incomplete` comes from) are that comparison's witnesses with one, then two, of their
/// facts made unknown, decided by both sets: a transition to or from `incomplete` is
/// found next to each transition the comparison finds, first with the fewest unknowns.
/// A fact only one set declares appears when that set reads it.
///
/// With `as_of`, every case is decided on that date.
///
/// Also returns what the comparison could not do (a version beyond exact reasoning, facts
/// declared with different types), in words.
pub fn synthesize(
    old: &Compiled,
    new: &Compiled,
    policy: &str,
    as_of: Option<Day>,
) -> (Vec<Synthesized>, Vec<String>) {
    let cmp = match pol_compiler::compare(old, policy, new, policy, as_of) {
        Ok(cmp) => cmp,
        Err(why) => return (Vec::new(), vec![why]),
    };
    let mut found: Vec<Synthesized> = cmp
        .transitions
        .iter()
        .map(|t| Synthesized { from: t.old, to: t.new, witness: t.witness.case(policy, |_| true) })
        .collect();
    let (mut old_d, mut new_d) = (Decider::new(old), Decider::new(new));
    for unknowns in 1..=2 {
        for t in &cmp.transitions {
            let facts = &t.witness.facts;
            for dropped in combinations(facts.len(), unknowns) {
                let partial = pol_compiler::Witness {
                    as_of: t.witness.as_of.clone(),
                    facts: facts
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| !dropped.contains(i))
                        .map(|(_, f)| f.clone())
                        .collect(),
                };
                let case = partial.case(policy, |_| true);
                let (Some(from), Some(to)) = (old_d.decide_value(&case), new_d.decide_value(&case))
                else {
                    continue;
                };
                if from != to && !found.iter().any(|s| (s.from, s.to) == (from, to)) {
                    found.push(Synthesized { from, to, witness: case });
                }
            }
        }
    }
    found.sort_by_key(|s| (s.from, s.to));
    (found, cmp.notes)
}

impl Decider<'_> {
    /// Decodes and decides a synthesized case; `None` when this set cannot.
    fn decide_value(&mut self, case: &serde_json::Value) -> Option<DecisionKind> {
        self.c.schema.decode(&self.c.set, &mut self.case, case).ok()?;
        self.c.decide_into(&self.case, &mut self.scratch, &mut self.outcome).ok()?;
        Some(self.outcome.decision)
    }
}

/// Every subset of `size` of the numbers `0..n`, each sorted, in lexicographic order.
fn combinations(n: usize, size: usize) -> Vec<Vec<usize>> {
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
    let mut out = Vec::new();
    walk(0, n, size, &mut Vec::with_capacity(size), &mut out);
    out
}

/// A decision change found by comparing the policies.
#[derive(Clone, Debug, PartialEq)]
pub struct Synthesized {
    pub from: DecisionKind,
    pub to: DecisionKind,
    /// A case the old set decides `from` and the new set `to`, in the contract's shape.
    pub witness: serde_json::Value,
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
        let out =
            std::process::Command::new("git").arg("-C").arg(dir).args(args).output().map_err(
                |e| {
                    fail(
                        format!("cannot run git: {e}"),
                        "install git, or pass two directories: `pol diff OLD NEW`",
                    )
                },
            )?;
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
    let prefix = String::from_utf8_lossy(&git(&["rev-parse", "--show-prefix"])?).trim().to_string();
    let listing =
        git(&["ls-tree", "-r", "--name-only", "--full-tree", rev, "--", &format!(":/{prefix}")])?;
    let listing = String::from_utf8_lossy(&listing).to_string();
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let root = std::env::temp_dir().join(format!(
        "pol-diff-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let exported = Exported { dir: root.join("policies"), root };
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
            fail(format!("cannot write {}: {e}", target.display()), "check the temporary directory")
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

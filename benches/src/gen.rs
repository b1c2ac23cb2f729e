//! Generated cases: JSON lines for any compiled policy set, driven by its fact table.
//!
//! Deterministic for a seed, so timings and golden outputs can be reproduced.

use pol_compiler::ir::{FactId, PolicySet};
use pol_compiler::types::Type;
use pol_compiler::Compiled;
use serde_json::{Map, Value};

/// A small, fast, deterministic random number generator (xorshift64*).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct Options {
    /// The policy every case names; `None` picks one at random per case.
    pub policy: Option<String>,
    /// How likely each fact the policy reads is to be given (1.0: complete cases, which
    /// Kleene logic always decides).
    pub known: f64,
    /// Whether cases carry an `id`.
    pub ids: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options { policy: None, known: 1.0, ids: true }
    }
}

/// Generates cases for a compiled policy set.
pub struct Generator<'a> {
    c: &'a Compiled,
    opts: Options,
    rng: Rng,
    /// For each policy, the facts its graph reads.
    reads: Vec<Vec<FactId>>,
    count: u64,
}

const COUNTRIES: [&str; 10] = ["CU", "HT", "NI", "VE", "UA", "HN", "MX", "SV", "GT", "EC"];
/// 2015-01-01 and 2026-12-31 as day numbers.
const FIRST_DAY: u64 = 16_436;
const LAST_DAY: u64 = 20_818;

impl<'a> Generator<'a> {
    pub fn new(c: &'a Compiled, opts: Options, seed: u64) -> Generator<'a> {
        let reads = c.graphs.iter().map(|g| g.reads.clone()).collect();
        Generator { c, opts, rng: Rng::new(seed), reads, count: 0 }
    }

    /// The next case, as one line of JSON (without the newline). Values are drawn until
    /// the case keeps the policies' constraints (an application filed after `as_of`, a trip
    /// that returns before it departs), as every real case does.
    pub fn case(&mut self) -> String {
        self.count += 1;
        let mut line = self.draw();
        for _ in 0..1_000 {
            if self.valid(&line) {
                break;
            }
            line = self.draw();
        }
        line
    }

    /// Whether a drawn case keeps the constraints.
    fn valid(&self, line: &str) -> bool {
        let mut case = pol_compiler::Case::new(&self.c.set);
        pol_engine::cases::decode(self.c, "<line>", line, pol_engine::Format::Json, &mut case)
            .is_ok()
    }

    fn draw(&mut self) -> String {
        let set = &self.c.set;
        let position = match &self.opts.policy {
            Some(p) => set.policy(p).map_or(0, |id| id.index()),
            None => self.rng.below(set.policies.len() as u64) as usize,
        };
        let policy = set.policies.ids().nth(position);
        let mut root = Map::new();
        if self.opts.ids {
            root.insert("id".into(), Value::from(format!("case-{}", self.count)));
        }
        root.insert("as_of".into(), Value::from(self.date()));
        let name = policy.and_then(|id| set.policies.get(id)).map_or("", |p| p.name.as_str());
        root.insert("policy".into(), Value::from(name));
        let reads = self.reads.get(position).cloned().unwrap_or_default();
        for f in reads {
            if !self.rng.chance(self.opts.known) {
                continue;
            }
            let Some(def) = set.fact(f) else { continue };
            let value = self.value(set, def.ty);
            insert(&mut root, &def.path, value);
        }
        Value::Object(root).to_string()
    }

    fn date(&mut self) -> String {
        let day = FIRST_DAY + self.rng.below(LAST_DAY - FIRST_DAY + 1);
        show_date(day as i64)
    }

    fn value(&mut self, set: &PolicySet, ty: Type) -> Value {
        match ty {
            Type::Bool => Value::from(self.rng.chance(0.3)),
            Type::Int => Value::from(self.rng.below(90)),
            Type::Duration(_) => Value::from(self.rng.below(800)),
            Type::Date => Value::from(self.date()),
            Type::Str => {
                let i = self.rng.below(COUNTRIES.len() as u64) as usize;
                Value::from(COUNTRIES.get(i).copied().unwrap_or("CU"))
            }
            Type::Enum(e) => {
                let words = set.enums.get(e).map_or(&[][..], |d| &d.words[..]);
                let i = self.rng.below(words.len() as u64) as usize;
                Value::from(words.get(i).cloned().unwrap_or_default())
            }
            Type::Set(e) => {
                let words = set.enums.get(e).map_or(&[][..], |d| &d.words[..]);
                let picked: Vec<Value> = words
                    .iter()
                    .filter(|_| self.rng.chance(0.2))
                    .map(|w| Value::from(w.as_str()))
                    .collect();
                Value::Array(picked)
            }
        }
    }
}

/// Puts `value` at the dotted `path` of `root`, creating the groups on the way.
fn insert(root: &mut Map<String, Value>, path: &str, value: Value) {
    let mut segments = path.split('.').peekable();
    let mut map = root;
    while let Some(seg) = segments.next() {
        if segments.peek().is_none() {
            map.insert(seg.to_string(), value);
            return;
        }
        let entry = map.entry(seg.to_string()).or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(next) = entry else { return };
        map = next;
    }
}

/// `YYYY-MM-DD` for a day number, as `pol` prints dates.
pub fn show_date(days: i64) -> String {
    i32::try_from(days)
        .map_or_else(|_| days.to_string(), |d| pol_compiler::value::Day(d).to_string())
}

//! Deciding a case by brute force: every completion of its unknown facts, over the
//! representative values of [`crate::domain`], decided by the level rules.

use pol_compiler::ir::{ConstraintKind, FactId, PolicyDef, PolicyId, PolicySet, TExpr};
use pol_compiler::value::Value;
use pol_compiler::Case;
use pol_syntax::ast::RuleKind;

use crate::domain::{self, Constants};
use crate::eval::{truth, Evaluator, Facts};
use crate::levels::{self, Decision, Truths};

/// Why a case got its decision: a rule of the policy (by index), or its program window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    ProgramWindow,
    Rule(usize),
}

/// The model's decision on one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub policy: PolicyId,
    /// The only possible decision, or `Incomplete`.
    pub decision: Decision,
    /// The definite decisions some completion of the unknown facts reaches.
    pub possible: Vec<Decision>,
    /// For a definite decision, the rules of its level (and the window, for `unavailable`)
    /// that are true in every completion; when none is, the decision holds only because one
    /// of several always does, and those true in some completion are given. For
    /// `incomplete`, the window and rules still open: true in some completions and not in
    /// others, at a level that some completion reaches with every level before it false.
    pub reasons: Vec<Reason>,
    /// Indices of the `warn` rules whose condition is known true (Kleene logic on the case).
    pub warnings: Vec<usize>,
    /// The forms, by name, in order, each once; for `eligible`, `ineligible` and
    /// `incomplete` decisions, those without a `when` or whose `when` is known true.
    pub forms: Vec<String>,
    /// The largest validity (in days) whose `when` is known true, for the same decisions.
    pub max_validity_days: Option<i64>,
    /// The unknown facts two of whose values lead to different sets of possible decisions
    /// (every other unknown fact still free), in fact order.
    pub missing: Vec<FactId>,
    /// How many completions were decided.
    pub completions: u64,
}

impl Verdict {
    /// The reasons as the contract names them: `policy.rule`, `policy.program_window`;
    /// sorted.
    pub fn reason_ids(&self, set: &PolicySet) -> Vec<String> {
        let Some(p) = set.policies.get(self.policy) else {
            return Vec::new();
        };
        let mut out: Vec<String> = self
            .reasons
            .iter()
            .filter_map(|r| match r {
                Reason::ProgramWindow => Some(format!("{}.program_window", p.name)),
                Reason::Rule(i) => p.rules.get(*i).map(|r| format!("{}.{}", p.name, r.name)),
            })
            .collect();
        out.sort();
        out
    }

    /// The missing facts by path, sorted.
    pub fn missing_paths(&self, set: &PolicySet) -> Vec<String> {
        let mut out: Vec<String> =
            self.missing.iter().filter_map(|f| set.fact(*f).map(|d| d.path.clone())).collect();
        out.sort();
        out
    }

    /// The warning codes, in rule order.
    pub fn warning_names(&self, set: &PolicySet) -> Vec<String> {
        let Some(p) = set.policies.get(self.policy) else {
            return Vec::new();
        };
        self.warnings.iter().filter_map(|i| p.rules.get(*i).map(|r| r.name.clone())).collect()
    }
}

/// Why the model could not decide a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelError {
    /// The case names no policy of the set, or has no `as_of`.
    NotACase,
    /// Deciding would take more completions than the model's limit.
    TooLarge { completions: u64, limit: u64 },
    /// A fact has no value to try (which no checked policy set allows).
    NoValues(FactId),
    /// No completion of the case keeps every constraint: no real case has these facts.
    NoCompletion,
}

/// The model of a policy set's semantics.
pub struct Model<'s> {
    set: &'s PolicySet,
    limit: u64,
}

/// Which truth values a trigger took over the completions.
const SEEN_FALSE: u8 = 1;
const SEEN_UNKNOWN: u8 = 2;
const SEEN_TRUE: u8 = 4;

fn seen(v: Option<bool>) -> u8 {
    match v {
        Some(false) => SEEN_FALSE,
        None => SEEN_UNKNOWN,
        Some(true) => SEEN_TRUE,
    }
}

impl<'s> Model<'s> {
    /// Completions the model decides before it gives up: about a second in a debug build.
    pub const DEFAULT_LIMIT: u64 = 1 << 20;

    pub fn new(set: &'s PolicySet) -> Model<'s> {
        Model { set, limit: Model::DEFAULT_LIMIT }
    }

    /// The same model with another limit on the completions it decides per case.
    pub fn with_limit(self, limit: u64) -> Model<'s> {
        Model { limit, ..self }
    }

    /// Decides a decoded case.
    pub fn decide_case(&self, case: &Case) -> Result<Verdict, ModelError> {
        let policy = case.policy.ok_or(ModelError::NotACase)?;
        let facts = Facts::of(case).ok_or(ModelError::NotACase)?;
        self.decide(policy, &facts)
    }

    /// The facts whose values can bear on `policy`'s decision (its window's date and every
    /// rule but warnings), in fact order.
    pub fn decision_facts(&self, policy: PolicyId) -> Vec<FactId> {
        self.constants(policy).map(|c| c.decision_facts).unwrap_or_default()
    }

    /// Every fact `policy` reads (warnings, forms and validity included), in fact order.
    pub fn facts_read(&self, policy: PolicyId) -> Vec<FactId> {
        self.constants(policy).map(|c| c.all_facts).unwrap_or_default()
    }

    /// The representative values of `fact` for `policy`, given the case's other facts.
    pub fn values(&self, policy: PolicyId, fact: FactId, facts: &Facts<'_>) -> Vec<Value> {
        self.constants(policy)
            .map(|c| domain::values(self.set, &c, fact, facts))
            .unwrap_or_default()
    }

    /// The completions deciding the case takes: the product of the numbers of
    /// representative values of its unknown decision facts (saturating).
    pub fn completions(&self, policy: PolicyId, facts: &Facts<'_>) -> u64 {
        let Some(c) = self.constants(policy) else {
            return 0;
        };
        self.unknown(&c, facts)
            .iter()
            .map(|f| domain::values(self.set, &c, *f, facts).len() as u64)
            .fold(1u64, u64::saturating_mul)
    }

    fn constants(&self, policy: PolicyId) -> Option<Constants> {
        let p = self.set.policies.get(policy)?;
        Some(domain::constants(self.set, p))
    }

    fn unknown(&self, c: &Constants, facts: &Facts<'_>) -> Vec<FactId> {
        c.decision_facts
            .iter()
            .copied()
            .filter(|f| facts.values.get(f.index()).copied().flatten().is_none())
            .collect()
    }

    /// Decides a case for `policy`: every completion of the unknown facts its decision
    /// reads is decided by the level rules.
    pub fn decide(&self, policy: PolicyId, facts: &Facts<'_>) -> Result<Verdict, ModelError> {
        let set = self.set;
        let p = set.policies.get(policy).ok_or(ModelError::NotACase)?;
        let constants = domain::constants(set, p);
        let unknown = self.unknown(&constants, facts);
        let domains: Vec<Vec<Value>> =
            unknown.iter().map(|f| domain::values(set, &constants, *f, facts)).collect();
        let completions = domains.iter().map(|d| d.len() as u64).fold(1u64, u64::saturating_mul);
        if let Some(f) = unknown.iter().zip(&domains).find_map(|(f, d)| d.is_empty().then_some(*f))
        {
            // Every type has a value; an enum without words cannot be declared.
            debug_assert!(false, "no representative values for fact {f:?}");
            return Err(ModelError::NoValues(f));
        }
        if completions > self.limit {
            return Err(ModelError::TooLarge { completions, limit: self.limit });
        }

        let mut ev = Evaluator::new(set);
        let mut work: Vec<Option<Value>> = facts.values.to_vec();
        let mut at = vec![0usize; unknown.len()];
        let mut tally = Tally {
            possible: 0,
            rules: vec![0; p.rules.len()],
            window: 0,
            live: [false; 3],
            by_value: domains.iter().map(|d| vec![0; d.len()]).collect(),
        };
        loop {
            for ((f, d), i) in unknown.iter().zip(&domains).zip(&at) {
                if let Some(slot) = work.get_mut(f.index()) {
                    *slot = d.get(*i).copied();
                }
            }
            let completion = Facts { values: &work, ..*facts };
            if keeps_constraints(&mut ev, set, &completion) {
                let t = levels::truths(&mut ev, set, p, &completion, false);
                tally.add(p, &t, &at);
            }
            // The next completion, odometer fashion.
            let mut carried = true;
            for (i, d) in at.iter_mut().zip(&domains) {
                *i += 1;
                if *i < d.len() {
                    carried = false;
                    break;
                }
                *i = 0;
            }
            if carried {
                break;
            }
        }

        if tally.possible == 0 {
            return Err(ModelError::NoCompletion);
        }
        let possible = Decision::all_in(tally.possible);
        let decision = match possible[..] {
            [only] => only,
            _ => Decision::Incomplete,
        };
        let missing = unknown
            .iter()
            .zip(&tally.by_value)
            .filter(|(_, sets)| {
                // A value no completion keeping the constraints takes is not a value the
                // fact can have.
                let mut taken = sets.iter().filter(|s| **s != 0);
                let first = taken.next();
                taken.any(|s| Some(s) != first)
            })
            .map(|(f, _)| *f)
            .collect();
        let reasons = tally.reasons(p, decision);

        // Warnings, forms and validity read the case itself, in Kleene logic.
        let given = levels::truths(&mut ev, set, p, facts, true);
        let warnings = p
            .rules
            .iter()
            .zip(&given.triggers)
            .enumerate()
            .filter(|(_, (r, t))| r.kind == RuleKind::Warn && **t == Some(true))
            .map(|(i, _)| i)
            .collect();
        let (mut forms, mut max_validity_days) = (Vec::new(), None);
        if matches!(decision, Decision::Eligible | Decision::Ineligible | Decision::Incomplete) {
            let holds = |ev: &mut Evaluator<'_>, when: &Option<TExpr>| match when {
                None => true,
                Some(w) => truth(ev.eval(facts, w)) == Some(true),
            };
            for f in &p.forms {
                if holds(&mut ev, &f.when) && !forms.contains(&f.form) {
                    forms.push(f.form.clone());
                }
            }
            for v in &p.validities {
                if !holds(&mut ev, &v.when) {
                    continue;
                }
                if let Some(Value::Duration(days, _)) = ev.eval(facts, &v.value) {
                    max_validity_days = Some(max_validity_days.map_or(days, |m: i64| m.max(days)));
                }
            }
        }
        Ok(Verdict {
            policy,
            decision,
            possible,
            reasons,
            warnings,
            forms,
            max_validity_days,
            missing,
            completions,
        })
    }
}

/// Whether a completion keeps every case constraint: no condition is false, and every
/// string whose text is at hand fits its pattern. A stand-in for a string no policy names
/// is taken to fit (a pattern for codes admits strings the policies do not name).
fn keeps_constraints(ev: &mut Evaluator<'_>, set: &PolicySet, facts: &Facts<'_>) -> bool {
    set.constraints.iter().all(|c| match &c.kind {
        ConstraintKind::Condition(e) => truth(ev.eval(facts, e)) != Some(false),
        ConstraintKind::Pattern { fact, pattern, .. } => {
            match facts.values.get(fact.index()).copied().flatten() {
                Some(Value::Str(s)) => {
                    let n = set.strings.len();
                    let i = s.0 as usize;
                    let text =
                        if i < n { set.strings.get(i) } else { facts.extra_strings.get(i - n) };
                    text.is_none_or(|t| pattern.matches(t))
                }
                _ => true,
            }
        }
    })
}

/// What the completions of one case gave.
struct Tally {
    /// The decisions reached, as [`Decision::bit`]s.
    possible: u8,
    /// Per rule, the truth values its trigger took.
    rules: Vec<u8>,
    /// The truth values "the window is closed" took.
    window: u8,
    /// Per level before `eligible`: whether some completion has every level before it false.
    live: [bool; 3],
    /// Per unknown fact, per representative value: the decisions reached with that value.
    by_value: Vec<Vec<u8>>,
}

impl Tally {
    fn add(&mut self, p: &PolicyDef, t: &Truths, at: &[usize]) {
        let lv = levels::levels(p, t);
        let reached = match levels::decide(lv) {
            Ok(d) => d.bit(),
            // Unknown even with every fact known (arithmetic that overflows, a parameter
            // read before its first date): any level it leaves open is possible.
            Err(open) => open,
        };
        self.possible |= reached;
        for (s, v) in self.rules.iter_mut().zip(&t.triggers) {
            *s |= seen(*v);
        }
        self.window |= seen(t.window_closed);
        let mut before_false = true;
        for (live, v) in self.live.iter_mut().zip(lv) {
            *live |= before_false;
            before_false &= v == Some(false);
        }
        for (sets, i) in self.by_value.iter_mut().zip(at) {
            if let Some(s) = sets.get_mut(*i) {
                *s |= reached;
            }
        }
    }

    fn reasons(&self, p: &PolicyDef, decision: Decision) -> Vec<Reason> {
        let rules = || {
            p.rules
                .iter()
                .zip(&self.rules)
                .enumerate()
                .filter_map(|(i, (r, s))| Some((i, levels::level(r.kind)?, *s)))
        };
        let has_window = p.window.is_some();
        if decision == Decision::Incomplete {
            let open = |s: u8| s != SEEN_FALSE && s != SEEN_TRUE;
            let mut out = Vec::new();
            if has_window && open(self.window) {
                out.push(Reason::ProgramWindow);
            }
            out.extend(
                rules()
                    .filter(|(_, l, s)| self.live.get(*l) == Some(&true) && open(*s))
                    .map(|(i, _, _)| Reason::Rule(i)),
            );
            return out;
        }
        let level = decision as usize;
        let pick = |test: &dyn Fn(u8) -> bool| {
            let mut out = Vec::new();
            if level == 0 && has_window && test(self.window) {
                out.push(Reason::ProgramWindow);
            }
            out.extend(
                rules()
                    .filter(|(_, l, s)| *l == level && test(*s))
                    .map(|(i, _, _)| Reason::Rule(i)),
            );
            out
        };
        let always = pick(&|s| s == SEEN_TRUE);
        if always.is_empty() {
            pick(&|s| s & SEEN_TRUE != 0)
        } else {
            always
        }
    }
}

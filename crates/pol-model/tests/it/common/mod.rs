//! What the model tests share: loading policies, generating cases from a compiled fact
//! table, and comparing the engine's decision with the model's.

use pol_compiler::ir::{FactId, PolicyId, TExpr, TExprKind};
use pol_compiler::types::Type;
use pol_compiler::value::{Day, Symbol, Value};
use pol_compiler::{Case, Compiled, DecisionRecord, Scratch, Source};
use pol_model::{eval, truth, Decision, Facts, Model, ModelError, Verdict};
use pol_syntax::ast::RuleKind;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed};

/// Proptest settings for CI: a fixed number of cases from a fixed seed, so every run
/// tries the same cases; failures found are still saved in `proptest-regressions/`.
pub fn config(cases: u32) -> Config {
    Config {
        cases,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(0x706f_6c5f_6d6f_6465),
        ..Config::default()
    }
}

pub use pol_test_support::decode_facts as decode;

/// Compiles policy texts that must compile (lints skipped: they never stop compilation).
pub fn compile(sources: Vec<Source>) -> Compiled {
    pol_test_support::compile_ok(sources, pol_compiler::Lints::Skip)
}

pub use pol_test_support::spec::Spec;

/// The dates a policy's decision could turn on, for drawing `as_of`: every date constant,
/// parameter date and program window date it meets.
fn dates_of(c: &Compiled, policy: PolicyId) -> Vec<i64> {
    let mut out = Vec::new();
    let p = &c.set.policies[policy];
    if let Some(w) = &p.window {
        let program = &c.set.programs[w.program];
        for e in program.opened.iter().chain(&program.closed) {
            out.push(i64::from(e.day.0));
        }
    }
    let mut stack: Vec<&TExpr> = Vec::new();
    for r in &p.rules {
        stack.push(&r.condition);
        stack.extend(&r.unless);
    }
    for v in &p.validities {
        stack.push(&v.value);
    }
    let mut seen = vec![false; c.set.lets.len()];
    while let Some(e) = stack.pop() {
        match &e.kind {
            TExprKind::Lit(Value::Date(d)) => out.push(i64::from(d.0)),
            TExprKind::Const(k) => {
                if let Value::Date(d) = c.set.consts[k].value {
                    out.push(i64::from(d.0));
                }
            }
            TExprKind::Param(k) => {
                out.extend(c.set.params[k].values.iter().map(|v| i64::from(v.from.0)))
            }
            TExprKind::Let(l) if !seen[l.index()] => {
                seen[l.index()] = true;
                stack.push(&c.set.lets[l].value);
            }
            _ => {}
        }
        stack.extend(e.children());
    }
    out
}

/// A day near one of `anchors` (one in four: anywhere in 1990-2035).
fn near(anchors: &[i64], raw: u64) -> Day {
    if anchors.is_empty() || raw.is_multiple_of(4) {
        return Day(7_305 + (raw % 16_800) as i32);
    }
    let a = anchors[(raw / 4) as usize % anchors.len()];
    Day((a + ((raw / 64) % 5) as i64 - 2) as i32)
}

/// A value of fact `f`: usually one of the model's representative values for the policy
/// (so values straddle every threshold), sometimes any value of the type, and with
/// `extremes` sometimes one at the edge of what the type holds.
fn value(
    c: &Compiled,
    model: &Model<'_>,
    case: &mut Case,
    f: FactId,
    raw: u64,
    extremes: bool,
) -> Value {
    let def = &c.set.facts[f];
    if extremes && raw % 16 == 1 {
        let pick = (raw / 16) as usize;
        let number = [i64::MIN, i64::MAX, i64::MIN + 1, i64::MAX - 1][pick % 4];
        // Day numbers of 0000-01-01 and 9999-12-31, and the ends of what a day holds.
        let day = [-719_528, 2_932_896, -719_527, 2_932_895][pick % 4];
        match def.ty {
            Type::Int => return Value::Int(number),
            Type::Duration(u) => return Value::Duration(number, u),
            Type::Date => return Value::Date(Day(day)),
            _ => {}
        }
    }
    let facts = Facts {
        values: &vec![None; c.set.facts.len()],
        as_of: case.as_of.unwrap(),
        extra_strings: &[],
    };
    let reps = model.values(case.policy.unwrap(), f, &facts);
    let pick = !raw.is_multiple_of(8) && !reps.is_empty();
    let v = if pick {
        reps[(raw / 8) as usize % reps.len()]
    } else {
        match def.ty {
            Type::Bool => Value::Bool(raw.is_multiple_of(2)),
            Type::Int => Value::Int((raw % 120) as i64),
            Type::Duration(u) => Value::Duration((raw % 1_000) as i64, u),
            Type::Date => Value::Date(Day(7_305 + (raw % 16_800) as i32)),
            Type::Str => Value::Str(Symbol(u32::MAX)),
            Type::Enum(e) => Value::Word((raw % c.set.enums[e].words.len() as u64) as u16),
            Type::Set(e) => {
                let n = c.set.enums[e].words.len().min(63);
                Value::Words(raw & ((1u64 << n) - 1))
            }
        }
    };
    // Strings no policy names live in the case, each text once (as decoding keeps them).
    if let Value::Str(s) = v {
        if s.0 as usize >= c.set.strings.len() {
            let text = format!("Z{}", raw % 3);
            let i = match case.extra_strings.iter().position(|t| *t == text) {
                Some(i) => i,
                None => {
                    case.extra_strings.push(text);
                    case.extra_strings.len() - 1
                }
            };
            return Value::Str(Symbol((c.set.strings.len() + i) as u32));
        }
    }
    v
}

/// The case a spec describes.
pub fn build(c: &Compiled, s: &Spec) -> Case {
    build_with(c, s, false)
}

/// The case a spec describes; with `extremes`, some numbers and dates lie at the edges of
/// their types (`i64::MIN`, ...), as only a program, not a case file, can give them, and
/// dates lie on the first and last days a case can have (0000-01-01, 9999-12-31).
pub fn build_with(c: &Compiled, s: &Spec, extremes: bool) -> Case {
    let model = Model::new(&c.set);
    let mut case = Case::new(&c.set);
    let policy = PolicyId(s.policy as u32);
    case.policy = Some(policy);
    case.as_of = Some(near(&dates_of(c, policy), s.as_of));
    for (i, (known, raw)) in s.facts.iter().enumerate() {
        if *known {
            let v = value(c, &model, &mut case, FactId(i as u32), *raw, extremes);
            case.facts[i] = Some(v);
        }
    }
    case
}

/// The engine's decision object.
pub fn engine(c: &Compiled, case: &Case) -> DecisionRecord {
    let outcome = c.decide(case, &mut Scratch::default()).unwrap();
    c.record(case, &outcome)
}

/// The model's verdict, or `None` past `limit` completions or when no completion keeps
/// the constraints (then the engine refuses the case too: checked here).
pub fn model(c: &Compiled, case: &Case, limit: u64) -> Option<Verdict> {
    let refused = c.decide(case, &mut Scratch::default()).is_err();
    match Model::new(&c.set).with_limit(limit).decide_case(case) {
        Ok(v) => {
            assert!(!refused, "the engine refuses a case the model decides\n{}", show(c, case));
            Some(v)
        }
        Err(ModelError::NoCompletion) => {
            assert!(
                refused,
                "the engine decides a case no completion of which keeps the constraints\n{}",
                show(c, case)
            );
            None
        }
        Err(ModelError::TooLarge { .. }) => None,
        Err(e) => panic!("{e:?}"),
    }
}

/// Whether the engine reasons exactly about every policy of the set (no `inexact_reasoning`
/// lint): elsewhere it may answer `incomplete` where one decision is possible, and list
/// more facts in `missing` than matter.
pub fn exact_reasoning(c: &Compiled) -> bool {
    c.reasoner.policies.iter().all(|r| r.analysis.inexact.is_none())
}

/// The engine's `missing` as a set (the engine ranks it; the model does not).
pub fn missing_set(e: &DecisionRecord) -> Vec<String> {
    let mut out = e.missing.clone();
    out.sort();
    out
}

/// `missing` is the model's, as a set.
pub fn same_missing(
    c: &Compiled,
    case: &Case,
    e: &DecisionRecord,
    m: &Verdict,
) -> Result<(), TestCaseError> {
    let mut expected = m.missing_paths(&c.set);
    expected.sort();
    prop_assert_eq!(
        missing_set(e),
        expected,
        "missing; the model finds possible {:?}\n{}",
        m.possible,
        show(c, case)
    );
    Ok(())
}

/// The case as text, for failure messages: the facts it gives.
pub fn show(c: &Compiled, case: &Case) -> String {
    let mut out = format!(
        "policy {} as_of {}",
        c.set.policies[case.policy.unwrap()].name,
        case.as_of.unwrap()
    );
    for ((id, def), v) in c.set.facts.iter_enumerated().zip(&case.facts) {
        if v.is_some() {
            out += &format!("\n  {} = {}", def.path, case.show(&c.set, id));
        }
    }
    out
}

/// The engine and the model agree on the decision, the warnings, forms and validity, and
/// on the reasons (as sets).
///
/// Where the engine reasons exactly (no `inexact_reasoning`), its reasons are the model's:
/// the rules true in every completion (or, when none is, in some), and for `incomplete` the
/// rules still open at a level some completion reaches. Elsewhere its reasons are Kleene
/// logic's, which are the model's only where Kleene logic alone settles which rules hold.
pub fn agree(
    c: &Compiled,
    case: &Case,
    e: &DecisionRecord,
    m: &Verdict,
) -> Result<(), TestCaseError> {
    same_decision(c, case, e, m)?;
    let expected = m.reason_ids(&c.set);
    if exact_reasoning(c) || kleene_reasons(c, case, m.decision) == expected {
        prop_assert_eq!(reasons(e), expected, "reasons\n{}", show(c, case));
    }
    Ok(())
}

/// The engine's reasons, as a sorted set of ids.
pub fn reasons(e: &DecisionRecord) -> Vec<String> {
    let mut out: Vec<String> = e.reasons.iter().map(|r| r.rule.clone()).collect();
    out.sort();
    out.dedup();
    out
}

/// The same decision, warnings, forms and validity.
pub fn same_decision(
    c: &Compiled,
    case: &Case,
    e: &DecisionRecord,
    m: &Verdict,
) -> Result<(), TestCaseError> {
    let what = || show(c, case);
    prop_assert_eq!(
        e.decision.as_str(),
        m.decision.as_str(),
        "decision; the model finds possible {:?}\n{}",
        m.possible,
        what()
    );
    prop_assert_eq!(&e.warnings, &m.warning_names(&c.set), "warnings\n{}", what());
    prop_assert_eq!(&e.forms, &m.forms, "forms\n{}", what());
    prop_assert_eq!(e.max_validity_days, m.max_validity_days, "validity\n{}", what());
    Ok(())
}

/// What Kleene logic alone makes of a case, by the model's evaluator: whether the window
/// is closed (`None` for unknown; `Some(false)` without a window) and each rule's trigger.
pub struct Kleene {
    pub window_closed: Option<bool>,
    pub triggers: Vec<Option<bool>>,
    /// The levels (0 unavailable, 1 ineligible, 2 not required, 3 eligible) Kleene logic
    /// leaves possible: up to the first true one.
    pub open_levels: Vec<usize>,
}

/// The level a rule kind moves a case to; `None` for warnings.
pub fn level(kind: RuleKind) -> Option<usize> {
    match kind {
        RuleKind::Unavailable => Some(0),
        RuleKind::Require | RuleKind::Exclude => Some(1),
        RuleKind::NotRequired => Some(2),
        RuleKind::Warn => None,
    }
}

pub fn kleene(c: &Compiled, case: &Case) -> Kleene {
    let facts = Facts::of(case).unwrap();
    let p = &c.set.policies[case.policy.unwrap()];
    let t = |e: &TExpr| truth(eval(&c.set, &facts, e));
    let window_closed = match &p.window {
        None => Some(false),
        Some(w) => {
            let at = match &w.at {
                Some(e) => eval(&c.set, &facts, e),
                None => Some(Value::Date(facts.as_of)),
            };
            let program = &c.set.programs[w.program];
            match at {
                Some(Value::Date(d)) => Some(
                    !(program.opened.as_ref().is_none_or(|o| o.day <= d)
                        && program.closed.as_ref().is_none_or(|e| d < e.day)),
                ),
                _ => None,
            }
        }
    };
    let triggers: Vec<Option<bool>> = p
        .rules
        .iter()
        .map(|r| {
            let cond = t(&r.condition);
            match r.kind {
                RuleKind::Require => cond.map(|b| !b),
                RuleKind::Exclude => {
                    let unless = r.unless.as_ref().map_or(Some(false), t);
                    match (cond, unless) {
                        (Some(false), _) | (_, Some(true)) => Some(false),
                        (Some(true), Some(false)) => Some(true),
                        _ => None,
                    }
                }
                _ => cond,
            }
        })
        .collect();
    let mut levels = [vec![window_closed], vec![], vec![]];
    for (r, v) in p.rules.iter().zip(&triggers) {
        if let Some(l) = level(r.kind) {
            levels[l].push(*v);
        }
    }
    let mut open_levels = Vec::new();
    for (i, l) in levels.iter().enumerate() {
        if l.contains(&Some(true)) {
            open_levels.push(i);
            return Kleene { window_closed, triggers, open_levels };
        }
        if l.contains(&None) {
            open_levels.push(i);
        }
    }
    open_levels.push(3);
    Kleene { window_closed, triggers, open_levels }
}

/// The reasons Kleene logic alone gives (sorted ids): for a definite decision, the rules
/// of its level known true (and the window, known closed, for `unavailable`), or when none
/// is, those unknown; for
/// `incomplete`, the window and the rules of open levels that are unknown.
pub fn kleene_reasons(c: &Compiled, case: &Case, decision: Decision) -> Vec<String> {
    let k = kleene(c, case);
    let p = &c.set.policies[case.policy.unwrap()];
    let mut out = Vec::new();
    let window = p.window.is_some();
    if decision == Decision::Incomplete {
        if window && k.window_closed.is_none() {
            out.push(format!("{}.program_window", p.name));
        }
        for (r, v) in p.rules.iter().zip(&k.triggers) {
            if level(r.kind).is_some_and(|l| k.open_levels.contains(&l)) && v.is_none() {
                out.push(format!("{}.{}", p.name, r.name));
            }
        }
    } else {
        // Those known to hold; when none is, the level was settled by cases and those
        // that may hold are the reason.
        let at = decision as usize;
        for known in [Some(true), None] {
            if at == 0 && window && k.window_closed == known {
                out.push(format!("{}.program_window", p.name));
            }
            for (r, v) in p.rules.iter().zip(&k.triggers) {
                if level(r.kind) == Some(at) && *v == known {
                    out.push(format!("{}.{}", p.name, r.name));
                }
            }
            if !out.is_empty() {
                break;
            }
        }
    }
    out.sort();
    out
}

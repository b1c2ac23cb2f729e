//! What the fuzz targets share beyond `pol_test_support` (the shipped policies, and the
//! properties of the `parse` and `case` targets, which the normal suite also runs on the
//! bad-input corpus): structured random cases drawn from the compiled fact table, and the
//! properties of a decided case.
//!
//! Cases are read with the engine `pol` itself embeds (`pol_engine`), so the targets
//! exercise the code `pol` runs, not a copy. Rendering is the CLI's and is exercised by its
//! bad-input corpus.
#![forbid(unsafe_code)]
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::OnceLock;

use arbitrary::{Result as AResult, Unstructured};
use pol_compiler::graph::PolicyGraph;
use pol_compiler::ir::RuleDef;
use pol_compiler::types::Type;
use pol_compiler::value::{Day, Symbol, Tri, Value};
use pol_compiler::{Case, Compiled, DecisionKind, DecisionRecord, Scratch, Source};
use pol_model::Facts;
use pol_syntax::ast::RuleKind;

pub use pol_test_support::targets::check_diagnostic;
pub use pol_test_support::{shipped, shipped_sources};

/// The shipped declarations (`facts.pol`, `programs.pol`, `parameters.pol`) that the check
/// target compiles beside its input, read once per process.
pub fn shipped_declarations() -> &'static [Source] {
    static DECLS: OnceLock<Vec<Source>> = OnceLock::new();
    DECLS.get_or_init(|| {
        shipped_sources()
            .into_iter()
            .filter(|s| {
                ["facts.pol", "programs.pol", "parameters.pol"].iter().any(|n| s.name.ends_with(n))
            })
            .collect()
    })
}

/// A day, mostly in the years policies talk about, sometimes at the calendar's edges.
pub fn arbitrary_day(u: &mut Unstructured, anchors: &[i64]) -> AResult<Day> {
    Ok(Day(match u.int_in_range(0..=9u8)? {
        0 => *u.choose(&[-719_528, 2_932_896, 0, -1, i32::MIN, i32::MAX])?,
        1..=3 if !anchors.is_empty() => {
            let a = *u.choose(anchors)?;
            i32::try_from(a).unwrap_or(0).saturating_add(u.int_in_range(-2..=2)?)
        }
        // 1990-01-01 ..= 2035-12-31
        _ => u.int_in_range(7_305..=24_106)?,
    }))
}

fn arbitrary_number(u: &mut Unstructured, anchors: &[i64]) -> AResult<i64> {
    Ok(match u.int_in_range(0..=9u8)? {
        0 => *u.choose(&[0, 1, -1, i64::MIN, i64::MAX, i64::from(i32::MAX) + 1])?,
        1..=4 if !anchors.is_empty() => u.choose(anchors)?.saturating_add(u.int_in_range(-2..=2)?),
        5 => u.arbitrary()?,
        _ => u.int_in_range(-5..=1_000)?,
    })
}

/// The ordinals a policy graph names (literals, constants, window dates), to draw values
/// next to.
fn constants(g: &PolicyGraph) -> Vec<i64> {
    let mut out = Vec::new();
    for node in &g.nodes {
        match &node.op {
            pol_compiler::graph::Op::Lit(v) | pol_compiler::graph::Op::Const(_, v) => {
                out.extend(v.ordinal())
            }
            pol_compiler::graph::Op::Window { opened, closed, .. } => {
                out.extend(opened.iter().chain(closed.iter()).map(|d| i64::from(d.0)))
            }
            _ => {}
        }
    }
    out
}

/// A value of type `ty`, drawn to hit the constants the policy compares with.
pub fn arbitrary_value(
    c: &Compiled,
    g: Option<&PolicyGraph>,
    fact: usize,
    ty: Type,
    u: &mut Unstructured,
    case: &mut Case,
) -> AResult<Value> {
    let _ = fact;
    let anchors: Vec<i64> = g.map(constants).unwrap_or_default();
    Ok(match ty {
        Type::Bool => Value::Bool(u.arbitrary()?),
        Type::Int => Value::Int(arbitrary_number(u, &anchors)?),
        Type::Duration(unit) => Value::Duration(arbitrary_number(u, &anchors)?, unit),
        Type::Date => Value::Date(arbitrary_day(u, &anchors)?),
        Type::Str => {
            let n = c.set.strings.len();
            let i = u.int_in_range(0..=n)?;
            if i < n {
                Value::Str(Symbol(i as u32))
            } else {
                // A text no policy names, as the decoder keeps one: a text the set names is
                // always its symbol there, so the stand-in must not be one of them. Two
                // capitals, like the country codes the shipped facts hold.
                let unnamed = ('A'..='Z')
                    .rev()
                    .flat_map(|a| ('A'..='Z').rev().map(move |b| format!("{a}{b}")))
                    .find(|t| !c.set.strings.contains(t))
                    .unwrap_or_default();
                case.extra_strings.push(unnamed);
                Value::Str(Symbol((n + case.extra_strings.len() - 1) as u32))
            }
        }
        Type::Enum(e) => {
            let n = c.set.enums.get(e).map_or(1, |d| d.words.len().max(1));
            Value::Word(u.int_in_range(0..=n - 1)? as u16)
        }
        Type::Set(e) => {
            let n = c.set.enums.get(e).map_or(0, |d| d.words.len());
            let mask = if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
            Value::Words(u.arbitrary::<u64>()? & mask)
        }
    })
}

/// A case for one of `c`'s policies, each fact unknown or given an arbitrary value.
pub fn arbitrary_case(c: &Compiled, u: &mut Unstructured) -> AResult<Option<Case>> {
    if c.set.policies.is_empty() {
        return Ok(None);
    }
    let mut case = Case::new(&c.set);
    let p = c.set.policies.ids().nth(u.choose_index(c.set.policies.len())?);
    case.policy = p;
    let g = p.and_then(|p| c.graphs.get(p));
    let as_of_anchors: Vec<i64> = g.map(constants).unwrap_or_default();
    case.as_of = Some(arbitrary_day(u, &as_of_anchors)?);
    if u.ratio(1, 8)? {
        case.id = Some("fuzz".into());
    }
    for (i, f) in c.set.facts.iter().enumerate() {
        if u.ratio(1, 3)? {
            continue;
        }
        let v = arbitrary_value(c, g, i, f.ty, u, &mut case)?;
        case.facts[i] = Some(v);
    }
    Ok(Some(case))
}

/// The value of `e` in `case`, by the independent model of the semantics (`pol-model`).
fn model_eval(c: &Compiled, case: &Case, e: &pol_compiler::ir::TExpr) -> Tri {
    let facts = Facts::of(case)?;
    pol_model::eval(&c.set, &facts, e)
}

fn truth(v: Tri) -> Option<bool> {
    v.and_then(Value::as_bool)
}

/// The value a rule's trigger must have, from the model's evaluator.
pub fn model_trigger(c: &Compiled, case: &Case, rule: &RuleDef) -> Option<bool> {
    let cond = truth(model_eval(c, case, &rule.condition));
    match rule.kind {
        RuleKind::Require => cond.map(|b| !b),
        RuleKind::Exclude => {
            let not_unless = match &rule.unless {
                Some(u) => truth(model_eval(c, case, u)).map(|b| !b),
                None => Some(true),
            };
            match (cond, not_unless) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            }
        }
        _ => cond,
    }
}

/// The evaluation graph agrees with the independent model's evaluator on every rule's
/// condition, exception and trigger, on every form and validity condition, and on the
/// program window; and where Kleene logic settles the decision from the model's triggers,
/// the decision is that one.
pub fn graph_agrees_with_model(c: &Compiled, case: &Case, decision: DecisionKind) {
    let Some(p) = case.policy else { return };
    let (Some(policy), Some(g), Some(as_of)) = (c.set.policies.get(p), c.graphs.get(p), case.as_of)
    else {
        return;
    };
    let mut values = Vec::new();
    g.eval(&c.set, &case.facts, as_of, &mut values);
    let node = |n: pol_compiler::graph::NodeId| values.get(n.index()).copied().flatten();
    let mut levels: [Vec<Option<bool>>; 3] = Default::default();
    if let Some(w) = &policy.window {
        let at = match &w.at {
            Some(e) => model_eval(c, case, e),
            None => Some(Value::Date(as_of)),
        };
        let program = &c.set.programs[w.program];
        let open = match at {
            Some(Value::Date(d)) => Some(
                program.opened.as_ref().is_none_or(|o| d >= o.day)
                    && program.closed.as_ref().is_none_or(|e| d < e.day),
            ),
            _ => None,
        };
        let graph_open = g.window.and_then(|n| truth(node(n)));
        assert_eq!(graph_open, open, "program window of `{}`", policy.name);
        levels[0].push(open.map(|b| !b));
    }
    for r in &g.rules {
        let def = &policy.rules[r.rule];
        let cond = model_eval(c, case, &def.condition);
        assert_eq!(node(r.condition), cond, "condition of `{}.{}`", policy.name, def.name);
        if let (Some(u), Some(n)) = (&def.unless, r.unless) {
            assert_eq!(
                node(n),
                model_eval(c, case, u),
                "exception of `{}.{}`",
                policy.name,
                def.name
            );
        }
        let trigger = model_trigger(c, case, def);
        assert_eq!(truth(node(r.trigger)), trigger, "trigger of `{}.{}`", policy.name, def.name);
        let level = match def.kind {
            RuleKind::Unavailable => 0,
            RuleKind::Require | RuleKind::Exclude => 1,
            RuleKind::NotRequired => 2,
            RuleKind::Warn => continue,
        };
        levels[level].push(trigger);
    }
    for (i, when) in &g.forms {
        if let (Some(w), Some(n)) = (&policy.forms[*i].when, when) {
            assert_eq!(node(*n), model_eval(c, case, w), "form condition");
        }
    }
    for (i, value, when) in &g.validities {
        let def = &policy.validities[*i];
        assert_eq!(node(*value), model_eval(c, case, &def.value), "validity");
        if let (Some(w), Some(n)) = (&def.when, when) {
            assert_eq!(node(*n), model_eval(c, case, w), "validity condition");
        }
    }
    // Kleene: the first level true while all before it are false.
    let mut kleene = Some(DecisionKind::Eligible);
    for (level, d) in levels.iter().zip(DecisionKind::DEFINITE) {
        let v = if level.contains(&Some(true)) {
            Some(true)
        } else if level.iter().all(|t| *t == Some(false)) {
            Some(false)
        } else {
            None
        };
        match v {
            Some(true) => {
                kleene = Some(d);
                break;
            }
            Some(false) => {}
            None => {
                kleene = None;
                break;
            }
        }
    }
    if let Some(d) = kleene {
        assert_eq!(decision, d, "Kleene logic over the model's triggers");
    }
}

/// The most completions of a case's unknown facts the model enumerates per fuzz input.
pub const MODEL_LIMIT: u64 = 2_000;

/// Where the model can enumerate the case (at most [`MODEL_LIMIT`] completions), the
/// decision and its reasons are the model's, and every fact the model finds missing is in
/// `missing`. For the shipped policies only: on arbitrary policies the engine's
/// representative values still miss completions the model finds (docs/testing.md, "Open").
pub fn decision_agrees_with_model(c: &Compiled, case: &Case) {
    let Ok(v) = pol_model::Model::new(&c.set).with_limit(MODEL_LIMIT).decide_case(case) else {
        return;
    };
    // A case the engine refuses (a date outside 0000..9999, which the model does not
    // check, or a broken constraint) has no decision to compare; `check_case` covers the
    // refusal. (The `eval` run of issue 15 stopped on `expect` here.)
    let Ok(outcome) = c.decide(case, &mut Scratch::default()) else {
        return;
    };
    let record = c.record(case, &outcome);
    assert_eq!(
        record.decision.as_str(),
        v.decision.as_str(),
        "the model's decision (possible: {:?})",
        v.possible
    );
    // The reasons are the model's: the rules true in every completion (or, when none is,
    // in some), and for `incomplete` those still open. (Every shipped policy reasons
    // exactly; on one that did not, the engine's reasons would be Kleene logic's.)
    let given: std::collections::BTreeSet<String> =
        record.reasons.iter().map(|r| r.rule.clone()).collect();
    let exact: std::collections::BTreeSet<String> = v.reason_ids(&c.set).into_iter().collect();
    let reasons_exactly = case
        .policy
        .and_then(|p| c.reasoner.policies.get(p))
        .is_some_and(|r| r.analysis.inexact.is_none());
    if reasons_exactly {
        assert_eq!(given, exact, "the model's reasons");
    } else {
        assert!(
            given.is_subset(&exact) || exact.is_subset(&given),
            "the model's reasons: the engine gives {given:?}, the model {exact:?}"
        );
    }
    for f in v.missing_paths(&c.set) {
        assert!(
            record.missing.contains(&f),
            "`{f}` can change the outcome but is not missing: {} gives {:?}",
            show(c, case),
            record.missing
        );
    }
}

/// A case as text for failure messages: its policy, `as_of` and known facts.
fn show(c: &Compiled, case: &Case) -> String {
    let policy = case.policy.and_then(|p| c.set.policies.get(p)).map_or("?", |p| p.name.as_str());
    let mut out = format!("{policy} as of {:?}", case.as_of);
    for (i, v) in case.facts.iter().enumerate() {
        if v.is_some() {
            let id = pol_compiler::ir::FactId(i as u32);
            if let Some(f) = c.set.fact(id) {
                out += &format!(", {} = {}", f.path, case.show(&c.set, id));
            }
        }
    }
    out
}

/// The properties of one decoded case: deciding is deterministic and independent of
/// the scratch space; `eval` and `explain` agree; the JSON decision round-trips; the graph
/// agrees with the model.
pub fn check_case(c: &Compiled, case: &Case) {
    let mut scratch = Scratch::default();
    // A value no real case can have is refused (E0604), as is a case whose unknown facts
    // have no value that keeps the constraints; anything else decides.
    let Ok(outcome) = c.decide(case, &mut scratch) else {
        return;
    };
    // Reuse the scratch on a second run, as `pol eval` does across a batch.
    let again = c.decide(case, &mut scratch).expect("decides twice");
    assert_eq!(outcome, again, "deciding twice");
    let record = c.record(case, &outcome);
    let explained = c.explain(case, false).expect("explains");
    assert_eq!(explained.decision, record, "`eval` and `explain` disagree");
    let all = c.explain(case, true).expect("explains all");
    assert_eq!(all.decision, record, "`explain --all` disagrees");
    let json = serde_json::to_string(&record).expect("serializes");
    let back: DecisionRecord = serde_json::from_str(&json).expect("parses back");
    assert_eq!(back, record, "the JSON decision does not round-trip");
    let _ = serde_json::to_string(&explained).expect("explanation serializes");
    if outcome.decision != DecisionKind::Incomplete {
        assert!(outcome.missing.is_empty(), "a definite decision with missing facts");
    }
    graph_agrees_with_model(c, case, outcome.decision);
}

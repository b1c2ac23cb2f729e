//! The condition lints are sound: on generated conditions, whatever they claim is checked
//! against the independent model's evaluator (`pol-model`) over many combinations of small fact values (which
//! straddle every constant the conditions use).
//!
//! - "can never fire" (W0503 on the whole condition): no combination makes it true;
//! - "fires for every case" (W0504 on the whole condition): no combination makes it false;
//! - a redundant part (W0505) or a contradictory part (W0503): replacing it by the value
//!   the lint says it always has where it is tested changes no result.

use pol_compiler::codes;
use pol_compiler::ir::{PolicySet, TExpr, TExprKind};
use pol_compiler::value::{Day, Tri, Value};
use pol_compiler::{compile, Source};
use pol_model::Facts;
use pol_syntax::ast::Unit;
use proptest::prelude::*;

const PRELUDE: &str = r#"
enum S { x, y, z }
enum P { u, v }
fact a: integer "a"
fact b: integer "b"
fact s: S "s"
fact f: bool "f"
fact d: date "d"
fact p: set of P "p"
fact n: days "n"
"#;

/// An atomic condition over the prelude's facts, with constants in 0..=3 (the language has
/// no negative literals).
fn atom() -> impl Strategy<Value = String> {
    let k = 0i64..=3;
    let op = prop::sample::select(vec!["==", "!=", "<", "<=", ">", ">="]);
    let eq = prop::sample::select(vec!["==", "!="]);
    let word = prop::sample::select(vec!["x", "y", "z"]);
    let day = prop::sample::select(vec!["2024-01-01", "2024-06-01", "2025-01-01"]);
    prop_oneof![
        (op.clone(), k.clone()).prop_map(|(o, k)| format!("a {o} {k}")),
        (op.clone(), k.clone()).prop_map(|(o, k)| format!("b {o} {k}")),
        (op.clone(), k.clone()).prop_map(|(o, k)| format!("n {o} {k} days")),
        op.clone().prop_map(|o| format!("a {o} b")),
        (eq, word.clone()).prop_map(|(o, w)| format!("s {o} {w}")),
        prop::collection::vec(word, 0..3).prop_map(|ws| format!("s in {{{}}}", ws.join(", "))),
        Just("f".to_string()),
        (op, day.clone()).prop_map(|(o, d)| format!("d {o} {d}")),
        (k.clone(), k, any::<bool>())
            .prop_map(|(lo, hi, inc)| format!("a in {lo}..{}{hi}", if inc { "=" } else { "" })),
        prop::sample::select(vec!["u", "v"]).prop_map(|w| format!("{w} in p")),
        (day.clone(), day).prop_map(|(lo, hi)| format!("as_of in {lo}..{hi}")),
    ]
}

fn condition() -> impl Strategy<Value = String> {
    pol_test_support::spec::conditions(atom(), 3, 12)
}

/// Every combination of fact values: each straddles the constants above.
struct Case {
    facts: Vec<Tri>,
    as_of: Day,
}

/// The value of `e` in `case`, by the independent model.
fn eval(set: &PolicySet, case: &Case, e: &TExpr) -> Tri {
    let facts = Facts { values: &case.facts, as_of: case.as_of, extra_strings: &[] };
    pol_model::eval(set, &facts, e)
}

fn day(y: i32, m: u32, d: u32) -> Day {
    Day::from_date(pol_syntax::ast::Date { year: y, month: m, day: d })
}

fn cases() -> Vec<Case> {
    let ints = [-1i64, 0, 1, 2, 3, 4];
    let days = [
        day(2023, 12, 31),
        day(2024, 1, 1),
        day(2024, 3, 1),
        day(2024, 6, 1),
        day(2024, 9, 1),
        day(2025, 1, 1),
        day(2025, 2, 1),
    ];
    let mut out = Vec::new();
    // Slots follow the prelude: a, b, s, f, d, p, n.
    for a in ints {
        for b in [-1i64, 0, 2, 4] {
            for s in 0u16..3 {
                for f in [false, true] {
                    for (i, d) in days.iter().enumerate() {
                        for p in 0u64..4 {
                            let n = [0i64, 1, 2, 3, 4][i % 5];
                            let as_of = days[(i + p as usize) % days.len()];
                            out.push(Case {
                                facts: vec![
                                    Some(Value::Int(a)),
                                    Some(Value::Int(b)),
                                    Some(Value::Word(s)),
                                    Some(Value::Bool(f)),
                                    Some(Value::Date(*d)),
                                    Some(Value::Words(p)),
                                    Some(Value::Duration(n, Unit::Days)),
                                ],
                                as_of,
                            });
                        }
                    }
                }
            }
        }
    }
    out
}

/// The condition with the sub-expression at `target` replaced by the constant `value`.
fn evaluate_with(set: &PolicySet, e: &TExpr, case: &Case, target: Option<(&TExpr, bool)>) -> Tri {
    if let Some((t, v)) = target {
        if std::ptr::eq(e, t) {
            return Some(Value::Bool(v));
        }
    }
    let go = |x: &TExpr| evaluate_with(set, x, case, target);
    match &e.kind {
        TExprKind::Not(x) => go(x).and_then(|v| v.as_bool()).map(|b| Value::Bool(!b)),
        TExprKind::And(xs) => kleene(xs.iter().map(|x| go(x).and_then(|v| v.as_bool())), false),
        TExprKind::Or(xs) => kleene(xs.iter().map(|x| go(x).and_then(|v| v.as_bool())), true),
        _ => eval(set, case, e),
    }
}

/// Kleene's `and` (`decisive` false) or `or` (`decisive` true) of `operands`: the decisive
/// value if an operand has it, else unknown if an operand is unknown, else the other value.
fn kleene(operands: impl Iterator<Item = Option<bool>>, decisive: bool) -> Tri {
    let vs: Vec<Option<bool>> = operands.collect();
    if vs.contains(&Some(decisive)) {
        Some(Value::Bool(decisive))
    } else if vs.iter().all(Option::is_some) {
        Some(Value::Bool(!decisive))
    } else {
        None
    }
}

/// The sub-expression whose span is `span`.
fn find(e: &TExpr, span: pol_syntax::Span) -> Option<&TExpr> {
    if e.span == span {
        return Some(e);
    }
    match &e.kind {
        TExprKind::Not(x) => find(x, span),
        TExprKind::And(xs) | TExprKind::Or(xs) => xs.iter().find_map(|x| find(x, span)),
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn what_the_condition_lints_claim_holds(cond in condition()) {
        let text = format!("{PRELUDE}policy q \"q?\" {{\n  warn w: {cond} cite \"x\"\n}}\n");
        let c = compile(vec![Source { name: "t.pol".into(), text: text.clone() }]);
        let Some(compiled) = c.compiled else {
            // Some generated conditions do not type check (a range over a set); skip them.
            return Ok(());
        };
        let set = &compiled.set;
        let whole = &set.policies.first().unwrap().rules[0].condition;
        let cases = cases();
        for d in &c.diagnostics {
            let claim = match d.code {
                codes::CONTRADICTION if d.message.contains("can never fire") => Some((whole, false)),
                codes::TAUTOLOGY if d.message.contains("fires for every case") => Some((whole, true)),
                _ => None,
            };
            if let Some((e, value)) = claim {
                for case in &cases {
                    let got = eval(set, case, e);
                    prop_assert_ne!(got, Some(Value::Bool(!value)), "{}\n{}", d.message, text);
                }
                continue;
            }
            // A part said constant where it is tested: fixing it to that value changes
            // nothing. The code, or for `redundant` the label, says which value.
            let value = match (d.code, d.primary.message.as_str()) {
                (codes::CONTRADICTION, _) if d.message.starts_with("a part of") => false,
                (codes::TAUTOLOGY, _) if d.message.starts_with("a part of") => true,
                (codes::REDUNDANT, m) if m.contains("always true") => true,
                (codes::REDUNDANT, m) if m.contains("never decides") => false,
                _ => continue,
            };
            let Some(part) = find(whole, d.primary.span) else { continue };
            for case in &cases {
                let before = evaluate_with(set, whole, case, None);
                let after = evaluate_with(set, whole, case, Some((part, value)));
                prop_assert_eq!(before, after, "{}: {}\n{}", d.code, d.message, text);
            }
        }
    }
}

/// A policy of a few rules of random kinds, maybe tied to a program window.
fn policy() -> impl Strategy<Value = String> {
    let kind = prop::sample::select(vec!["require", "exclude", "not_required", "unavailable"]);
    let rule = (kind, condition(), prop::option::of(atom()));
    let window = prop::option::of(prop::sample::select(vec![
        "opened 2024-01-01 cite \"x\"",
        "closed 2024-06-01 cite \"x\"",
        "opened 2024-03-01 cite \"x\"\n  closed 2025-01-01 cite \"x\"",
    ]));
    (prop::collection::vec(rule, 1..5), window).prop_map(|(rules, window)| {
        let mut text = String::new();
        if let Some(w) = window {
            text.push_str(&format!("program g \"g\" {{\n  {w}\n}}\n"));
        }
        text.push_str("policy q \"q?\" {\n");
        if text.starts_with("program") {
            text.push_str("  program g\n");
        }
        for (i, (kind, cond, unless)) in rules.into_iter().enumerate() {
            let unless = match (kind, unless) {
                ("exclude", Some(e)) => format!(" unless {e}"),
                _ => String::new(),
            };
            text.push_str(&format!("  {kind} r{i}: {cond}{unless} cite \"x\"\n"));
        }
        text.push_str("}\n");
        text
    })
}

/// The level each rule moves a case to (0 unavailable, 1 ineligible, 2 not required) with
/// its trigger's value, the decision (3 for eligible), by the semantics of docs/semantics.md, and
/// whether the program window is closed.
fn decide(set: &PolicySet, case: &Case) -> (Vec<(usize, bool)>, usize, bool) {
    use pol_syntax::ast::RuleKind;
    let p = &set.policies.first().unwrap();
    let truth = |e: &TExpr| eval(set, case, e).and_then(|v| v.as_bool()).unwrap_or(false);
    let mut triggers = Vec::new();
    for r in &p.rules {
        let c = truth(&r.condition);
        let (level, t) = match r.kind {
            RuleKind::Require => (1, !c),
            RuleKind::Exclude => (1, c && !r.unless.as_ref().is_some_and(&truth)),
            RuleKind::NotRequired => (2, c),
            _ => (0, c),
        };
        triggers.push((level, t));
    }
    let closed = p.window.as_ref().is_some_and(|w| {
        let prog = &set.programs[w.program];
        let d = case.as_of;
        prog.opened.as_ref().is_some_and(|o| d < o.day)
            || prog.closed.as_ref().is_some_and(|c| d >= c.day)
    });
    let decision = (0..3)
        .find(|l| (*l == 0 && closed) || triggers.iter().any(|(lv, t)| lv == l && *t))
        .unwrap_or(3);
    (triggers, decision, closed)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn what_the_rule_lints_claim_holds(body in policy()) {
        let text = format!("{PRELUDE}{body}");
        let c = compile(vec![Source { name: "t.pol".into(), text: text.clone() }]);
        let Some(compiled) = c.compiled else { return Ok(()) };
        let set = &compiled.set;
        let rule_at = |span: pol_syntax::Span| {
            set.policies.first().unwrap().rules.iter().position(|r| r.name_span == span)
        };
        let cases = cases();
        for d in &c.diagnostics {
            for case in &cases {
                let (triggers, decision, closed) = decide(set, case);
                match d.code {
                    codes::NEVER_ELIGIBLE => prop_assert_ne!(decision, 3, "{}\n{}", d.message, text),
                    codes::SHADOWED_RULE => {
                        let r = rule_at(d.primary.span).unwrap();
                        let (level, t) = triggers[r];
                        // Beside the window, an `unavailable` rule only ever restates it.
                        let decides = if level == 0 { !closed } else { decision == level };
                        prop_assert!(!(t && decides), "{}\n{}", d.message, text);
                    }
                    codes::DUPLICATE_RULE => {
                        let b = rule_at(d.primary.span).unwrap();
                        let a = rule_at(d.secondary[0].span).unwrap();
                        prop_assert_eq!(triggers[a].1, triggers[b].1, "{}\n{}", d.message, text);
                    }
                    _ => {}
                }
            }
        }
    }
}

//! Small generated policies: a few rules of every kind over a few facts of each type,
//! written as `.pol` text and compiled, so the engine meets conditions the shipped
//! policies never write.

#![allow(dead_code)]

use pol_compiler::Source;
use proptest::prelude::*;

/// The declarations every generated policy is compiled with: facts of each type, a
/// constant, a dated parameter, a program with a window.
pub const PRELUDE: &str = r#"
enum E { x, y, z }
enum P { u, v }
fact b1: bool "b1"
fact b2: bool "b2"
fact i1: integer "i1"
fact i2: integer "i2"
fact d1: date "d1"
fact d2: date "d2"
fact n1: days "n1"
fact s1: string "s1"
fact s2: string "s2"
fact e1: E "e1"
fact p1: set of P "p1"
const kday = 2024-06-15 cite "k"
param lim: integer "lim" {
  from 2024-01-01 = 1 cite "l1"
  from 2025-01-01 = 2 cite "l2"
}
program prog "prog" {
  opened 2024-01-01 cite "o"
  closed 2025-01-01 cite "c"
}
"#;

fn op() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["==", "!=", "<", "<=", ">", ">="])
}

fn date() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["2024-01-31", "2024-02-29", "2024-03-01", "2025-01-01", "kday"])
}

/// An atomic condition over the prelude's facts.
pub fn atom() -> impl Strategy<Value = String> {
    let k = 0i64..=3;
    let unit = prop::sample::select(vec!["days", "months", "years"]);
    let word = prop::sample::select(vec!["x", "y", "z"]);
    let string = prop::sample::select(vec!["\"CU\"", "\"HT\""]);
    prop_oneof![
        prop::sample::select(vec!["b1", "b2"]).prop_map(String::from),
        (prop::sample::select(vec!["i1", "i2"]), op(), k.clone())
            .prop_map(|(f, o, k)| format!("{f} {o} {k}")),
        op().prop_map(|o| format!("i1 {o} i2")),
        (k.clone(), op()).prop_map(|(k, o)| format!("i1 + {k} {o} i2")),
        (op(), k.clone()).prop_map(|(o, k)| format!("i1 - i2 {o} {k}")),
        op().prop_map(|o| format!("i1 {o} lim")),
        (k.clone(), k.clone(), any::<bool>())
            .prop_map(|(lo, hi, inc)| format!("i1 in {lo}..{}{hi}", if inc { "=" } else { "" })),
        (prop::sample::select(vec!["d1", "d2"]), op(), date())
            .prop_map(|(f, o, d)| format!("{f} {o} {d}")),
        (1i64..=2, unit.clone(), op(), date())
            .prop_map(|(n, u, o, d)| format!("d1 + {n} {u} {o} {d}")),
        (1i64..=2, unit, op()).prop_map(|(n, u, o)| format!("d1 - {n} {u} {o} d2")),
        (op(), prop::sample::select(vec![0i64, 30, 31]))
            .prop_map(|(o, n)| format!("d2 - d1 {o} {n} days")),
        op().prop_map(|o| format!("d1 {o} as_of")),
        (op(), date()).prop_map(|(o, d)| format!("as_of {o} {d}")),
        (date(), date()).prop_map(|(a, b)| format!("d1 in {a}..{b}")),
        (op(), k.clone()).prop_map(|(o, k)| format!("n1 {o} {k} days")),
        op().prop_map(|o| format!("n1 {o} d2 - d1")),
        (prop::sample::select(vec!["==", "!="]), string.clone())
            .prop_map(|(o, s)| format!("s1 {o} {s}")),
        prop::collection::vec(string, 0..3).prop_map(|s| format!("s1 in {{{}}}", s.join(", "))),
        Just("s1 == s2".to_string()),
        (prop::sample::select(vec!["==", "!="]), word.clone())
            .prop_map(|(o, w)| format!("e1 {o} {w}")),
        (prop::sample::select(vec!["in", "not in"]), prop::collection::vec(word, 0..3))
            .prop_map(|(o, ws)| format!("e1 {o} {{{}}}", ws.join(", "))),
        (prop::sample::select(vec!["u", "v"]), prop::sample::select(vec!["in", "not in"]))
            .prop_map(|(w, o)| format!("{w} {o} p1")),
    ]
}

/// A condition: atoms under `and`, `or` and `not`, a few levels deep; sometimes a `let`.
pub fn condition(lets: bool) -> impl Strategy<Value = String> {
    let leaf = if lets {
        prop_oneof![
            6 => atom(),
            1 => prop::sample::select(vec!["l1".to_string(), "l2".to_string()]),
        ]
        .boxed()
    } else {
        atom().boxed()
    };
    pol_test_support::spec::conditions(leaf, 2, 8)
}

fn rule() -> impl Strategy<Value = (String, String, Option<String>)> {
    (
        prop::sample::select(vec![
            "require",
            "require",
            "exclude",
            "exclude",
            "not_required",
            "unavailable",
            "warn",
        ]),
        condition(true),
        prop::option::weighted(0.4, condition(true)),
    )
        .prop_map(|(k, c, u)| {
            let u = if k == "exclude" { u } else { None };
            (k.to_string(), c, u)
        })
}

/// A generated policy file (`policy gen`), compiled beside [`PRELUDE`].
pub fn policy() -> impl Strategy<Value = String> {
    (
        condition(false),
        condition(false),
        prop::sample::select(vec!["", "program prog\n", "program prog at d1\n"]),
        prop::option::weighted(0.5, condition(true)),
        prop::option::weighted(0.5, condition(true)),
        prop::collection::vec(rule(), 1..6),
    )
        .prop_map(|(l1, l2, window, form_when, validity_when, rules)| {
            let mut text = format!("let l1 = {l1}\nlet l2 = l1 or {l2}\n");
            text += "policy gen \"generated\" {\n";
            text += window;
            text += "form A-1\n";
            if let Some(w) = form_when {
                text += &format!("form B-2 when {w}\n");
            }
            if let Some(w) = validity_when {
                text += &format!("validity 30 days when {w}\n");
            }
            text += "validity d1 - as_of when d1 >= as_of\n";
            for (i, (kind, c, unless)) in rules.iter().enumerate() {
                text += &format!("{kind} r{i}: {c}");
                if let Some(u) = unless {
                    text += &format!(" unless {u}");
                }
                text += "\n";
            }
            text += "}\n";
            text
        })
}

/// The sources of a generated policy.
pub fn sources(policy: &str) -> Vec<Source> {
    vec![
        Source { name: "prelude.pol".into(), text: PRELUDE.into() },
        Source { name: "gen.pol".into(), text: format!("import \"prelude.pol\"\n{policy}") },
    ]
}

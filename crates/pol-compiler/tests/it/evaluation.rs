//! The decision plan (`plan.rs`) computes what the full graph evaluation computes, for every
//! node a decision reads, on generated cases: the shipped policies, and a policy written to
//! exercise every fused instruction shape.

use pol_compiler::graph::{Op, PolicyGraph};
use pol_compiler::plan::{self, Slots};
use pol_compiler::types::Type;
use pol_compiler::value::{Day, Symbol, Tri, Value};
use pol_compiler::{Case, Compiled, JsonWriter, Lints, Outcome, Source};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        if items.is_empty() {
            None
        } else {
            Some(items[self.below(items.len() as u64) as usize])
        }
    }
}

/// The ordinals and strings a policy graph holds as literals, constants, window dates and
/// parameter values: where its comparisons change, to draw values next to.
fn constants(c: &Compiled, g: &PolicyGraph) -> (Vec<i64>, Vec<Value>) {
    let mut ordinals = Vec::new();
    let mut strings = Vec::new();
    for node in &g.nodes {
        match &node.op {
            Op::Lit(v) | Op::Const(_, v) => match v {
                Value::Str(_) => strings.push(*v),
                v => ordinals.extend(v.ordinal()),
            },
            Op::Window { opened, closed, .. } => {
                ordinals.extend(opened.iter().chain(closed).map(|d| i64::from(d.0)))
            }
            Op::Param(p) => {
                ordinals.extend(c.set.params[p].values.iter().filter_map(|v| v.value.ordinal()))
            }
            _ => {}
        }
    }
    (ordinals, strings)
}

/// A random value for a fact of `ty`, often next to a constant the policy compares with.
fn value(c: &Compiled, g: &PolicyGraph, _f: usize, ty: Type, rng: &mut Rng) -> Value {
    let (anchors, strings) = constants(c, g);
    let near = |rng: &mut Rng| -> i64 {
        let anchor = rng.pick(&anchors).unwrap_or(rng.below(1000) as i64);
        anchor + rng.below(5) as i64 - 2 + if rng.below(4) == 0 { 365 } else { 0 }
    };
    match ty {
        Type::Bool => Value::Bool(rng.below(2) == 0),
        Type::Int => Value::Int(near(rng)),
        Type::Duration(u) => Value::Duration(near(rng), u),
        Type::Date => Value::Date(Day(if rng.below(3) == 0 {
            17_000 + rng.below(4000) as i32
        } else {
            near(rng) as i32
        })),
        Type::Str => rng
            .pick(&strings)
            .filter(|_| rng.below(3) != 0)
            .unwrap_or(Value::Str(Symbol(c.set.strings.len() as u32 + 1))),
        Type::Enum(e) => Value::Word(rng.below(c.set.enums[e].words.len() as u64) as u16),
        Type::Set(e) => {
            let n = c.set.enums[e].words.len();
            let all = if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
            Value::Words(rng.next() & rng.next() & all)
        }
    }
}

/// Runs `cases` generated cases through every policy of `c`, comparing the plan's slots with
/// the graph's node values for every trigger, `when`, window and validity.
fn plan_agrees_with_graph(c: &Compiled, cases: usize) {
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let mut slots = Slots::default();
    let mut values = Vec::new();
    for (g, plan) in c.graphs.iter().zip(&c.plans) {
        for _ in 0..cases {
            let mut facts: Vec<Tri> = vec![None; c.set.facts.len()];
            for (f, def) in c.set.facts.iter().enumerate() {
                if rng.below(10) < 7 {
                    facts[f] = Some(value(c, g, f, def.ty, &mut rng));
                }
            }
            let as_of = Day(16_000 + rng.below(5000) as i32);
            plan.run(&c.set, &facts, as_of, &mut slots);
            g.eval(&c.set, &facts, as_of, &mut values);
            let node_truth = |n: pol_compiler::graph::NodeId| plan::truth(values[n.index()]);
            let policy = &c.set.policies[g.policy].name;
            for (r, pr) in g.rules.iter().zip(&plan.rules) {
                assert_eq!(r.rule, pr.rule);
                assert_eq!(
                    plan::get(&slots.truths, pr.trigger),
                    node_truth(r.trigger),
                    "{policy}: rule {} on {facts:?} as of {as_of:?}",
                    r.rule
                );
            }
            if let (Some(w), Some(pw)) = (g.window, plan.window) {
                assert_eq!(plan::get(&slots.truths, pw.open), node_truth(w), "{policy}: window");
            }
            assert_eq!(g.window.is_some(), plan.window.is_some());
            for ((_, when), pf) in g.forms.iter().zip(&plan.forms) {
                assert_eq!(when.map(node_truth), pf.when.map(|w| plan::get(&slots.truths, w)));
            }
            for ((_, v, when), (pv, pwhen)) in g.validities.iter().zip(&plan.validities) {
                assert_eq!(values[v.index()], plan::read(*pv, &facts, as_of, &slots));
                assert_eq!(when.map(node_truth), pwhen.map(|w| plan::get(&slots.truths, w)));
            }
        }
    }
}

use pol_test_support::{compile_ok, shipped};

#[test]
fn the_plan_agrees_with_the_graph_on_the_shipped_policies() {
    plan_agrees_with_graph(shipped(), 3000);
}

/// Every shape the plan fuses, and the shapes it leaves to the general instructions.
const SHAPES: &str = r#"
enum Status { none, tps, daca, h1, j1 }
enum Pending { adjustment_of_status, asylum, tps }
fact status: Status "status"
fact other_status: Status "another status"
fact pending: set of Pending "pending"
fact flag: bool "a flag"
fact other_flag: bool "another flag"
fact days: days "a count of days"
fact age: integer "age"
fact filed_on: date "filing date"
fact back: date "return"
fact country: string "country"
const limit = 180 days cite "c"
const start = 2020-01-01 cite "c"
param fee: integer "a fee" {
  from 2016-12-23 = 575 cite "c"
  from 2024-04-01 = 630 cite "c"
}
let pending_any = asylum in pending or tps in pending or adjustment_of_status in pending
let protected = status in {tps, daca} or status == j1
program window "a program" {
  opened 2018-01-01 cite "c"
  closed 2024-06-01 cite "c"
}
policy shapes "Every shape" {
  program window at filed_on cite "c"
  form I-131 cite "c"
  form I-912 when flag cite "c"
  form I-131 when other_flag cite "c"
  validity 365 days cite "c"
  validity back - filed_on when back >= filed_on cite "c"
  require a: status != none cite "c"
  require b: not (status in {h1, j1}) or daca == status cite "c"
  exclude c: status not in {tps} and protected unless pending_any cite "c"
  exclude d: flag == other_flag and not flag cite "c"
  exclude e: tps in pending or status == tps cite "c"
  not_required f: status == other_status cite "c"
  not_required g: days in limit..365 days or age in 14..=79 cite "c"
  unavailable h: filed_on + 6 months > start + 3 years cite "c"
  unavailable i: country in {"CU", "HT"} and fee > 600 cite "c"
  warn j: as_of - filed_on > 90 days or true cite "c"
  warn k: flag or not flag cite "c"
}
"#;

#[test]
fn the_plan_agrees_with_the_graph_on_every_shape() {
    let shapes = vec![Source { name: "shapes.pol".into(), text: SHAPES.into() }];
    plan_agrees_with_graph(&compile_ok(shapes, Lints::Run(Default::default())), 20_000);
}

/// The JSON writer's line for `case` is its decision record, serialized.
fn assert_writes_the_record(writer: &JsonWriter, c: &Compiled, case: &Case, outcome: &Outcome) {
    let mut out = Vec::new();
    assert!(writer.write(case, outcome, &mut out));
    let expected = serde_json::to_string(&c.record(case, outcome)).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), expected);
}

/// The JSON writer prints exactly what serializing the decision record prints, for every
/// decision kind, with and without ids (escapes included), across the shipped policies.
#[test]
fn the_json_writer_prints_the_record() {
    let c = shipped();
    let writer = JsonWriter::new(c);
    let mut rng = Rng(0xC0FF_EE00_1234_5678);
    let ids = ["case-1", "", "quote \" backslash \\ tab \t", "é ü ✓", "\u{1}\u{1f}"];
    let mut scratch = pol_compiler::Scratch::default();
    let mut kinds = std::collections::BTreeSet::new();
    let mut refused = 0;
    // Random cases reach some decision kinds only rarely (`not_required` needs three
    // exclusions of `advance_parole` known false as well as its own rule true), and which
    // ones a fixed seed reaches changes whenever a policy or a fact is added: the worked
    // examples, which cover every kind, are written too.
    let cases = 30_000;
    for _ in 0..cases {
        let mut case = pol_compiler::Case::new(&c.set);
        // Strings no policy names (`value` draws the second of these).
        case.extra_strings = vec!["ZY".into(), "ZZ".into()];
        let p = rng.below(c.graphs.len() as u64) as usize;
        let g = &c.graphs[c.graphs.ids().nth(p).unwrap()];
        case.policy = Some(g.policy);
        case.as_of = Some(Day(16_000 + rng.below(5000) as i32));
        case.id = rng.pick(&ids).filter(|_| rng.below(4) != 0).map(String::from);
        for (f, def) in c.set.facts.iter().enumerate() {
            if rng.below(10) < 8 {
                case.facts[f] = Some(value(c, g, f, def.ty, &mut rng));
            }
        }
        // Random values break the constraints now and then (a trip that returns before it
        // departs): those cases are refused, not decided.
        let Ok(outcome) = c.decide(&case, &mut scratch) else {
            refused += 1;
            continue;
        };
        kinds.insert(outcome.decision);
        assert_writes_the_record(&writer, c, &case, &outcome);
    }
    for case in pol_test_support::examples() {
        let outcome = c.decide(case, &mut scratch).unwrap();
        kinds.insert(outcome.decision);
        assert_writes_the_record(&writer, c, case, &outcome);
    }
    assert_eq!(kinds.len(), 5, "every decision kind: {kinds:?}");
    assert!(refused < cases * 4 / 5, "{refused} cases refused, too few decided");
}

//! Policies at and past the compiler's limits get a diagnostic, never a crash or a hang:
//! chains of thousands of `let`s, sums of thousands of terms, and `let`s shared so often
//! that expanding them would take exponential time.
//!
//! Each check runs on a thread with a 2 MiB stack (a test thread's; the `pol` binary's main
//! thread has 8 MiB), so a bound that is too loose fails here rather than in the field.

use std::time::{Duration, Instant};

use pol_compiler::codes;
use pol_compiler::resolve::MAX_EXPRESSION_DEPTH;
use pol_compiler::{compile, Case, Compilation, Scratch, Source};

fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap_or_else(|_| panic!("panicked or overflowed"))
}

fn compile_one(text: String) -> Compilation {
    compile(vec![Source { name: "limits.pol".into(), text }])
}

fn codes(c: &Compilation) -> Vec<codes::Code> {
    c.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.code).collect()
}

/// Compiles, then decides and explains one case with `x` unknown and one with every fact
/// true, all on the small stack, and returns the error codes.
fn compile_and_run(text: String) -> Vec<codes::Code> {
    on_small_stack(move || {
        let c = compile_one(text);
        let codes = codes(&c);
        if let Some(compiled) = &c.compiled {
            for json in [
                r#"{"as_of": "2025-01-01", "policy": "p"}"#,
                r#"{"as_of": "2025-01-01", "policy": "p", "x": true, "n": 1}"#,
            ] {
                let mut case = Case::new(&compiled.set);
                let mut de = serde_json::Deserializer::from_str(json);
                compiled.schema.decode(&compiled.set, &mut case, &mut de).unwrap();
                let outcome = compiled.decide(&case, &mut Scratch::default()).unwrap();
                let explained = compiled.explain(&case, true).unwrap();
                assert_eq!(explained.decision.decision, outcome.decision);
            }
            // Cloning and dropping the typed IR recurse too.
            drop(compiled.set.clone());
        }
        codes
    })
}

const FACTS: &str = "fact x: bool \"x\"\nfact n: integer \"n\"\n";

fn policy(condition: &str) -> String {
    format!("policy p \"q\" {{\n  require r: {condition} cite \"c\"\n}}\n")
}

/// Regression: a chain of thousands of `let`s declared in order was checked one at a time
/// but lowered recursively, and overflowed the stack.
#[test]
fn a_chain_of_five_thousand_lets_in_declaration_order_is_refused() {
    let mut text = String::from(FACTS);
    text.push_str("let l0 = x\n");
    for i in 1..5_000 {
        text.push_str(&format!("let l{i} = l{} and x\n", i - 1));
    }
    text.push_str(&policy("l4999"));
    assert_eq!(compile_and_run(text), vec![codes::TOO_DEEP]);
}

#[test]
fn a_chain_of_five_thousand_lets_in_reverse_order_is_refused() {
    let mut text = String::from(FACTS);
    for i in (1..5_000).rev() {
        text.push_str(&format!("let l{i} = l{} and x\n", i - 1));
    }
    text.push_str("let l0 = x\n");
    text.push_str(&policy("l4999"));
    let codes = compile_and_run(text);
    assert!(!codes.is_empty());
    assert!(codes.iter().all(|c| *c == codes::TOO_DEEP), "{codes:?}");
}

/// Regression: a sum became a left-nested chain one level per term, so a long sum overflowed
/// the stack when lowered or dropped.
#[test]
fn a_sum_of_a_hundred_thousand_terms_is_refused() {
    let sum = vec!["1"; 100_000].join(" + ");
    let text = format!("{FACTS}{}", policy(&format!("n == {sum}")));
    assert_eq!(compile_and_run(text), vec![codes::TOO_DEEP]);
}

#[test]
fn the_deepest_accepted_expressions_evaluate_and_explain() {
    // A let chain as deep as the bound allows: each link is two levels (`and`, the name).
    let mut deepest = None;
    for links in (1..200).rev() {
        let mut text = String::from(FACTS);
        text.push_str("let l0 = x\n");
        for i in 1..links {
            text.push_str(&format!("let l{i} = l{} and x\n", i - 1));
        }
        text.push_str(&policy(&format!("l{}", links - 1)));
        if codes(&compile_one(text.clone())).is_empty() {
            deepest = Some(text);
            break;
        }
    }
    let text = deepest.expect("some chain compiles");
    assert!(text.lines().count() > (MAX_EXPRESSION_DEPTH as usize) / 3);
    assert_eq!(compile_and_run(text), Vec::<codes::Code>::new());
    // A sum just inside the bound.
    let sum = vec!["1"; (MAX_EXPRESSION_DEPTH as usize) - 8].join(" + ");
    let text = format!("{FACTS}{}", policy(&format!("n == {sum}")));
    assert_eq!(compile_and_run(text), Vec::<codes::Code>::new());
    // Brackets nested as deep as the parser allows, around a let chain.
    let text = format!(
        "{FACTS}let a = x and x\n{}",
        policy(&format!("{}a{}", "not (".repeat(60), ")".repeat(60)))
    );
    assert_eq!(compile_and_run(text), Vec::<codes::Code>::new());
}

/// `let`s that use the one before twice describe a tree of 2^60 paths: every walk over the
/// IR or the graph must share them rather than expand them.
#[test]
fn lets_shared_exponentially_often_compile_decide_and_explain_quickly() {
    for (op, first) in [("and", "x"), ("==", "n > 1"), ("or", "not x")] {
        let mut text = String::from(FACTS);
        text.push_str(&format!("let a0 = {first}\n"));
        for i in 1..60 {
            text.push_str(&format!("let a{i} = a{} {op} a{}\n", i - 1, i - 1));
        }
        text.push_str("const c = 1\n");
        text.push_str(&policy("a59"));
        let start = Instant::now();
        assert_eq!(compile_and_run(text), Vec::<codes::Code>::new(), "{op}");
        assert!(start.elapsed() < Duration::from_secs(10), "{op}: {:?}", start.elapsed());
    }
}

/// A constant computed from a `let` would be expanded by the constant evaluator; shared
/// exponentially, that must not hang either.
#[test]
fn a_constant_from_exponentially_shared_lets_does_not_hang() {
    let mut text = String::from(FACTS);
    text.push_str("let a0 = true\n");
    for i in 1..60 {
        text.push_str(&format!("let a{i} = a{} == a{}\n", i - 1, i - 1));
    }
    text.push_str("const c = a59\n");
    text.push_str(&policy("x == c"));
    let start = Instant::now();
    let _ = compile_and_run(text);
    assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
}

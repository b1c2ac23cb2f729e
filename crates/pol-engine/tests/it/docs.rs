//! The documentation of the shipped policies cannot drift from them: the rule tables of
//! `docs/policies.md` are generated (`POL_BLESS=1 cargo test -p pol-engine --test it docs::`
//! rewrites them; otherwise a stale table fails), and every quote a policy attributes to a
//! seed appears verbatim in that seed (`docs/seeds/`).

use pol_compiler::ir::Cite;
use pol_engine::{Engine, PolicySource};
use pol_test_support::root;

fn shipped() -> Engine {
    Engine::load(PolicySource::Directory(root().join("policies")))
        .map_err(|f| f.diagnostics.len())
        .expect("the shipped policies compile")
}

/// The tables between `<!-- pol:rules P -->` markers are what the policies say.
#[test]
fn policy_tables_are_generated_from_the_policies() {
    let engine = shipped();
    let path = root().join("docs/policies.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let fresh = pol_engine::doc::rewrite(engine.compiled(), &doc).unwrap();
    // Every shipped policy but one just added has its table; a new policy's prose and
    // table are written with it, and its absence here fails no test.
    let documented = engine
        .compiled()
        .policy_names()
        .filter(|p| doc.contains(&format!("<!-- pol:rules {p} -->")))
        .count();
    assert!(documented >= 8, "docs/policies.md has {documented} rule tables");
    if std::env::var_os("POL_BLESS").is_some() {
        std::fs::write(&path, fresh).unwrap();
        return;
    }
    assert!(
        fresh == doc,
        "docs/policies.md: a rule table is stale; run `POL_BLESS=1 cargo test -p pol-engine --test it docs::` and review the diff"
    );
}

/// A seed's text as the quotes may cite it: bullets and line breaks dropped, spaces
/// collapsed.
fn normal(text: &str) -> String {
    text.replace('•', " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every `cite "seed NNN: …"` quote of the shipped policies is in `docs/seeds/NNN_*.txt`,
/// word for word: quotes of different seeds are separated by `; `, and `…` marks what a
/// quote leaves out.
#[test]
fn every_seed_quote_is_verbatim() {
    let seeds: Vec<(String, String)> = std::fs::read_dir(root().join("docs/seeds"))
        .unwrap()
        .flatten()
        .map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            (name, normal(&std::fs::read_to_string(e.path()).unwrap()))
        })
        .collect();
    let engine = shipped();
    let set = &engine.compiled().set;
    // Every `cite` of the set, whether a declaration carries one or not.
    let mut cited: Vec<Option<&Cite>> = Vec::new();
    for p in &set.policies {
        cited.extend(p.window.iter().map(|w| w.cite.as_ref()));
        cited.extend(p.rules.iter().map(|r| r.cite.as_ref()));
        cited.extend(p.forms.iter().map(|f| f.cite.as_ref()));
        cited.extend(p.validities.iter().map(|v| v.cite.as_ref()));
    }
    for prog in &set.programs {
        cited.extend(prog.opened.iter().chain(&prog.closed).map(|e| e.cite.as_ref()));
    }
    cited.extend(set.consts.iter().map(|c| c.cite.as_ref()));
    cited.extend(set.lets.iter().map(|l| l.cite.as_ref()));
    for p in &set.params {
        cited.extend(p.values.iter().map(|v| v.cite.as_ref()));
    }
    let cites: Vec<&str> = cited.into_iter().flatten().map(|c| c.text.as_str()).collect();
    let (checked, wrong) = misquotes(&cites, &seeds);
    assert!(wrong.is_empty(), "quotes not found verbatim:\n{}", wrong.join("\n"));
    assert!(checked > 50, "only {checked} quotes checked");
}

/// How many quote fragments were checked, and those not found verbatim in their seed.
fn misquotes(cites: &[&str], seeds: &[(String, String)]) -> (usize, Vec<String>) {
    let mut checked = 0;
    let mut wrong = Vec::new();
    for cite in cites {
        // The seed the current quote is from; `None` while a quote names another source
        // (the contract).
        let mut seed: Option<&(String, String)> = None;
        for part in cite.split("; ") {
            let quote = match part.strip_prefix("seed ") {
                Some(rest) => {
                    let Some((number, quote)) = rest.split_once(": ") else {
                        wrong.push(format!("`{part}`: a seed quote is `seed NNN: text`"));
                        continue;
                    };
                    seed = seeds.iter().find(|(name, _)| name.starts_with(&format!("{number}_")));
                    if seed.is_none() {
                        wrong.push(format!("`{part}`: no docs/seeds/{number}_*.txt"));
                    }
                    quote
                }
                None if part.contains(": ") && !part.starts_with(char::is_lowercase) => {
                    // Another source (`contract (docs/cases.md): …`).
                    seed = None;
                    continue;
                }
                None => part,
            };
            let Some((name, text)) = seed else { continue };
            for fragment in quote.split('…') {
                let fragment = normal(fragment);
                if fragment.is_empty() {
                    continue;
                }
                checked += 1;
                if !text.contains(&fragment) {
                    wrong.push(format!("{name} does not say: \"{fragment}\""));
                }
            }
        }
    }
    (checked, wrong)
}

/// The check fails for a quote that is not in its seed, or names a seed that does not
/// exist; it reads bullets and line breaks as spaces and skips other sources.
#[test]
fn a_misquote_is_caught() {
    let seeds = vec![(
        "000_x.txt".to_string(),
        normal("Who does not qualify?\n\n  • People with serious criminal records or inadmissible offenses.\n"),
    )];
    let cites = [
        "seed 000: Who does not qualify? … People with serious criminal records",
        "contract (docs/cases.md): May this person? ; seed 000: People with serious",
        "seed 000: People with minor criminal records",
        "seed 009: anything",
    ];
    let (checked, wrong) = misquotes(&cites, &seeds);
    assert_eq!(checked, 4);
    assert_eq!(wrong.len(), 2, "{wrong:#?}");
    assert!(wrong[0].contains("minor"));
    assert!(wrong[1].contains("009"));
}

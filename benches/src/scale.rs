//! A policy set N times larger than the shipped one: N copies of every file, each copy's
//! declarations renamed apart (`advance_parole` becomes `advance_parole_k7` in copy 7), so
//! the copies compile together as one set of N × as many policies, facts and rules.

use std::collections::HashSet;

use pol_compiler::Source;

/// `n` renamed copies of `sources`, the files of copy `k` under `kK/`.
pub fn scaled(sources: &[Source], n: usize) -> Vec<Source> {
    let names = declared_names(sources);
    let mut out = Vec::with_capacity(sources.len() * n);
    for k in 0..n {
        for s in sources {
            let name = match s.name.strip_prefix("policies/") {
                Some(rest) => format!("policies/k{k}/{rest}"),
                None => format!("k{k}/{}", s.name),
            };
            out.push(Source { name, text: rename(&s.text, &names, k) });
        }
    }
    out
}

/// The names declared at the top level of the files (what each copy renames), and among
/// them the program names.
fn declared_names(sources: &[Source]) -> (HashSet<String>, HashSet<String>) {
    const KEYWORDS: [&str; 8] =
        ["enum", "fact", "const", "param", "let", "program", "policy", "constraint"];
    let mut names = HashSet::new();
    let mut programs = HashSet::new();
    for s in sources {
        let tokens = tokens(&s.text);
        for pair in tokens.windows(2) {
            if let [(Tok::Name, kw, _), (Tok::Name, name, _)] = pair {
                if KEYWORDS.contains(kw) {
                    names.insert((*name).to_string());
                }
                if *kw == "program" {
                    programs.insert((*name).to_string());
                }
            }
        }
    }
    (names, programs)
}

/// `text` with every declared name (outside strings and comments) suffixed with `_kK`.
/// Program names are renamed only after the keyword `program`: enum words may share them
/// (`parole.program == chnv`), and a bare word is never a declaration.
fn rename(text: &str, (names, programs): &(HashSet<String>, HashSet<String>), k: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut last = 0;
    let mut previous = "";
    for (tok, word, at) in tokens(text) {
        if tok != Tok::Name {
            continue;
        }
        let rename = names.contains(word) && (!programs.contains(word) || previous == "program");
        if rename {
            out.push_str(text.get(last..at + word.len()).unwrap_or(""));
            out.push_str(&format!("_k{k}"));
            last = at + word.len();
        }
        previous = word;
    }
    out.push_str(text.get(last..).unwrap_or(""));
    out
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tok {
    Name,
    Other,
}

/// Names (dotted paths included) with their byte offsets; strings and comments skipped.
fn tokens(text: &str) -> Vec<(Tok, &str, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'#' => {
                while bytes.get(i).is_some_and(|c| *c != b'\n') {
                    i += 1;
                }
            }
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    i += 1;
                    if c == b'\\' {
                        i += 1;
                    } else if c == b'"' {
                        break;
                    }
                }
            }
            b if b.is_ascii_alphabetic() || b == b'_' => {
                let start = i;
                while bytes
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'.')
                {
                    i += 1;
                }
                // A trailing dot is punctuation, not part of the name.
                let mut end = i;
                while end > start && bytes.get(end - 1) == Some(&b'.') {
                    end -= 1;
                }
                out.push((Tok::Name, text.get(start..end).unwrap_or(""), start));
            }
            b if b.is_ascii_digit() => {
                while bytes
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'.')
                {
                    i += 1;
                }
                out.push((Tok::Other, "", i));
            }
            _ => i += 1,
        }
    }
    out
}

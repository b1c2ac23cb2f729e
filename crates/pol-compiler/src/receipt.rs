//! The receipt every decision carries: the version of `pol` and a digest of the policy set
//! that decided it, so a logged decision can be reproduced and tied to the rules in force.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::source::SourceMap;

/// `{"pol": "0.1.0", "policies": "sha256:…"}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Receipt {
    /// The version of `pol` that decided.
    pub pol: String,
    /// `sha256:` and the hex digest of the policy set.
    pub policies: String,
}

impl Receipt {
    /// The receipt of a policy set: its digest does not depend on where the set lies on
    /// disk, only on its files' names relative to the set's directory and their texts.
    pub fn of(sources: &SourceMap) -> Receipt {
        Receipt { pol: env!("CARGO_PKG_VERSION").to_string(), policies: digest(sources) }
    }
}

/// `sha256:<hex>` over the files sorted by name relative to their common directory, each
/// as its name, a NUL, its length (8 bytes, little-endian) and its text.
pub fn digest(sources: &SourceMap) -> String {
    let names: Vec<&str> = sources.files.iter().map(|s| s.name.as_str()).collect();
    let prefix = common_directory(&names);
    let mut files: Vec<(&str, &str)> = sources
        .files
        .iter()
        .map(|s| {
            let name = s.name.get(prefix..).unwrap_or(&s.name);
            (name, s.text.as_str())
        })
        .collect();
    files.sort_unstable();
    let mut hash = Sha256::new();
    for (name, text) in files {
        hash.update(name.as_bytes());
        hash.update([0]);
        hash.update((text.len() as u64).to_le_bytes());
        hash.update(text.as_bytes());
    }
    let mut out = String::from("sha256:");
    for byte in hash.finalize() {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// The length of the longest directory prefix (ending in `/`) that every name shares.
fn common_directory(names: &[&str]) -> usize {
    let Some((first, rest)) = names.split_first() else {
        return 0;
    };
    let mut len = first.rfind('/').map_or(0, |i| i + 1);
    for name in rest {
        while len > 0
            && !(name.len() >= len && name.as_bytes().get(..len) == first.as_bytes().get(..len))
        {
            len = first.get(..len - 1).and_then(|p| p.rfind('/')).map_or(0, |i| i + 1);
        }
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

    fn map(files: &[(&str, &str)]) -> SourceMap {
        SourceMap::new(
            files.iter().map(|(n, t)| Source { name: (*n).into(), text: (*t).into() }).collect(),
        )
    }

    #[test]
    fn the_digest_ignores_where_the_set_lies_and_the_order_of_its_files() {
        let a = map(&[("policies/a.pol", "x"), ("policies/b.pol", "y")]);
        let b = map(&[("/tmp/p/b.pol", "y"), ("/tmp/p/a.pol", "x")]);
        assert_eq!(digest(&a), digest(&b));
        assert!(digest(&a).starts_with("sha256:"));
        assert_eq!(digest(&a).len(), "sha256:".len() + 64);
    }

    #[test]
    fn the_digest_changes_with_a_name_or_a_text() {
        let a = map(&[("policies/a.pol", "x"), ("policies/b.pol", "y")]);
        let renamed = map(&[("policies/a.pol", "x"), ("policies/c.pol", "y")]);
        let edited = map(&[("policies/a.pol", "x"), ("policies/b.pol", "y ")]);
        // The boundary between name and text is unambiguous.
        let shifted = map(&[("policies/a.pol", "x"), ("policies/b.po", "ly")]);
        for other in [renamed, edited, shifted] {
            assert_ne!(digest(&a), digest(&other));
        }
    }

    #[test]
    fn the_common_directory_ends_at_a_slash() {
        assert_eq!(common_directory(&["p/ab.pol", "p/ac.pol"]), 2);
        assert_eq!(common_directory(&["p/q/a.pol", "p/r/b.pol"]), 2);
        assert_eq!(common_directory(&["a.pol", "p/b.pol"]), 0);
        assert_eq!(common_directory(&["p/a.pol"]), 2);
        assert_eq!(common_directory(&[]), 0);
    }
}

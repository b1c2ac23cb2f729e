//! What conditions can be true: a translation of conditions into formulas over abstract
//! variables ([`formula`]), the abstract domain of each variable ([`domain`]) and a
//! bounded satisfiability search ([`solve`]). [`Logic`] holds the translation and the
//! budget of one lint run and is what the lints ask.

pub mod domain;
pub mod formula;
pub mod solve;

pub use domain::Dom;
pub use formula::{Formula, Logic};
pub use solve::{Budget, Part, Sat};

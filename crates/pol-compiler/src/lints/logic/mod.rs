//! What conditions can be true: a translation of conditions into formulas over abstract
//! variables ([`formula`]), the abstract domain of each variable ([`domain`]) and a
//! bounded satisfiability search ([`solve`]).

pub mod domain;
pub mod formula;
pub mod solve;

pub use domain::Dom;
pub use formula::{Formula, Logic};
pub use solve::{core, satisfiable, Part, Sat};

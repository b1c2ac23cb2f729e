//! An independent model of `pol`'s semantics, to test the engine against.
//!
//! # What it is
//!
//! A second implementation of what a policy means, written from the language's semantics
//! (`docs/language.md`, the case contract and the design notes) rather than from the
//! engine. It shares with `pol-compiler` only the *types* of the typed IR and of cases
//! (`ir::PolicySet`, `TExpr`, `types::Type`, `value::{Value, Day, Symbol}`, `Case`): no
//! operator, graph, plan, probe or decision code. A mistake in the engine's operators, its
//! calendar, its choice of representative values or its settling of open decisions shows
//! up as a disagreement, not as a shared blind spot. It is never on a hot path: it is for
//! tests (`tests/` here, `pol-compiler`'s lint soundness test, the fuzz targets).
//!
//! - [`eval()`]: a three-valued tree walker over `TExpr` with its own operators (Kleene
//!   `and`/`or`/`not`; comparisons, `in` a list, a set fact or a range, and arithmetic on
//!   integers, durations and dates, unknown as soon as an operand is); dated parameters
//!   read at `as_of` (the last value from on or before it; unknown before the first);
//!   lets expanded, each once per evaluation.
//! - [`calendar`]: its own day-number calendar (`date + N months` clamps to the month's
//!   last day: 2024-01-31 + 1 month = 2024-02-29).
//! - [`Model::decide`]: the decision by the level rules (`unavailable` › `ineligible` ›
//!   `not_required` › `eligible`; the program window is half-open, `[opened, closed)`, at
//!   `as_of` or the window's `at` date), by brute force over every completion of the
//!   unknown facts the decision reads, each fact ranging over its representative values
//!   ([`Model::values`]); then the [`Verdict`]: `reasons`, the exact `missing` set (a fact
//!   is listed iff two of its values, every other unknown fact still free, lead to
//!   different sets of possible decisions), warnings, forms and the longest validity.
//!
//! ```text
//! let model = Model::new(&compiled.set);
//! let verdict = model.decide_case(&case)?;      // or model.decide(policy, &Facts { .. })
//! verdict.decision;                             // Decision::Incomplete, ...
//! verdict.possible;                             // the definite decisions still reachable
//! verdict.reason_ids(&compiled.set);            // ["advance_parole.inside_us", ...]
//! verdict.missing_paths(&compiled.set);         // ["applicant.status", ...]
//! ```
//!
//! # What it does differently, on purpose
//!
//! - **No shortcuts.** The engine runs a fused plan and settles open decisions only when
//!   Kleene logic leaves them open, within a budget. The model enumerates every completion
//!   of every unknown fact, always: slow, and obviously exact over its values.
//! - **Its own representative values**, derived from the constants in the typed IR and
//!   deliberately generous ([`domain`]): every subset of a set fact's words; every string
//!   of the policy set, the other string facts' known values and one stand-in per string
//!   fact for "a string nobody mentions" (so two unknown strings can be equal or not); each
//!   constant, `as_of` and known value of another fact of the type, moved by every offset
//!   the policy's arithmetic could add (known day counts too), ± 1 (± 4 days around month
//!   and year steps, which clamp). The engine's probes are not used.
//! - **Strings compare by text**, not by interned symbol.
//! - **Exact reasons.** A definite decision's reasons are the rules of its level true in
//!   *every* completion (Kleene-true rules always are), and the window when it is closed in
//!   every completion; when nothing is (two rules of the level cover every case between
//!   them, `age < 18` and `age >= 18`), everything of the level true in some completion.
//!   For `incomplete`, the window and the rules whose truth differs between completions, at
//!   a level some completion reaches with every level before it false: a rule Kleene logic
//!   leaves unknown but that can never fire is not open.
//! - **Arithmetic on days** is exact in 64 bits, then must fit a `Day`; month arithmetic
//!   needs both dates within years −262143..=262142 (the range case files are read into).
//!
//! # Limits
//!
//! - The brute force decides `product of the unknown facts' value counts` completions
//!   (about a microsecond each, optimised); past [`Model::DEFAULT_LIMIT`] (about a million;
//!   [`Model::with_limit`] changes it) it returns [`ModelError::TooLarge`]. For scale:
//!   `advance_parole` with every fact it decides on unknown is 2 × 18 × 64 × 10 × 2 × 2 × 2
//!   = 184,320 completions, a fifth of a second.
//! - Sets over enums of more than [`domain::MAX_SET_WORDS`] words range over subsets of the
//!   words the policy names plus one it does not name.
//! - Representative values are exact for comparisons of a fact with constants, with known
//!   facts, and with one unknown fact moved by one offset; chains of offsets between
//!   several unknown facts (`a + 1 month + 30 days < b`) may need values it does not try.
//! - Constraints on cases (`docs/cases.md`) are modelled as the contract
//!   states them: a completion that breaks one is no case, so it is skipped; a value no valid
//!   completion takes is not missing; a case no completion keeps is
//!   `ModelError::NoCompletion`.
//! - A completion that is still undetermined with every fact known (arithmetic that
//!   overflows, a parameter read before its first date) counts as reaching every level
//!   Kleene logic leaves open, as the engine does.

#![forbid(unsafe_code)]

pub mod calendar;
pub mod domain;
mod eval;
mod exact;
mod levels;

pub use eval::{eval, truth, Facts};
pub use exact::{Model, ModelError, Reason, Verdict};
pub use levels::Decision;

//! The abstract domain: the set of values one variable may take.
//!
//! Three shapes cover every type of the language. Each is closed under intersection and
//! complement, which is all the solver needs: a conjunction intersects, a negation
//! complements, and a set that becomes empty proves a contradiction.

use pol_syntax::ast::CompareOp;

use crate::value::Symbol;

/// A set of values of one variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dom {
    /// Ordered values (integers, dates as day numbers, durations in one unit): sorted,
    /// disjoint, non-adjacent closed intervals.
    Ranges(Vec<(i64, i64)>),
    /// A finite universe of at most 64 values, one bit each: the words of an enum, the
    /// booleans ([`FALSE`], [`TRUE`]) or the order of two terms ([`LT`], [`EQ`], [`GT`]).
    /// `all` is the universe, so a complement stays inside it.
    Bits { bits: u64, all: u64 },
    /// Strings: exactly `syms` or, when `except`, every string but `syms` (sorted).
    Strs { except: bool, syms: Vec<Symbol> },
}

/// Bit of `false` in a boolean [`Dom::Bits`].
pub const FALSE: u64 = 0b01;
/// Bit of `true` in a boolean [`Dom::Bits`].
pub const TRUE: u64 = 0b10;
/// Bits of the order of two terms `a`, `b`: `a < b`, `a == b`, `a > b`.
pub const LT: u64 = 0b001;
pub const EQ: u64 = 0b010;
pub const GT: u64 = 0b100;

impl Dom {
    /// A boolean that is `value`.
    pub fn boolean(value: bool) -> Dom {
        Dom::Bits { bits: if value { TRUE } else { FALSE }, all: FALSE | TRUE }
    }

    /// The order relation `op` as a subset of `{LT, EQ, GT}`.
    pub fn order(op: CompareOp) -> Dom {
        let bits = match op {
            CompareOp::Lt => LT,
            CompareOp::Le => LT | EQ,
            CompareOp::Eq => EQ,
            CompareOp::Ne => LT | GT,
            CompareOp::Gt => GT,
            CompareOp::Ge => GT | EQ,
        };
        Dom::Bits { bits, all: LT | EQ | GT }
    }

    /// The words `bits` of an enum with `count` words.
    pub fn words(bits: u64, count: usize) -> Dom {
        let all = if count >= 64 { u64::MAX } else { (1u64 << count) - 1 };
        Dom::Bits { bits: bits & all, all }
    }

    /// The ordered values `v` with `v op k`.
    pub fn compare(op: CompareOp, k: i64) -> Dom {
        let r = match op {
            CompareOp::Lt => k.checked_sub(1).map(|k| vec![(i64::MIN, k)]),
            CompareOp::Le => Some(vec![(i64::MIN, k)]),
            CompareOp::Eq => Some(vec![(k, k)]),
            CompareOp::Ne => return Dom::Ranges(vec![(k, k)]).complement(),
            CompareOp::Gt => k.checked_add(1).map(|k| vec![(k, i64::MAX)]),
            CompareOp::Ge => Some(vec![(k, i64::MAX)]),
        };
        Dom::Ranges(r.unwrap_or_default())
    }

    /// The ordered values from `low` to `high`, both included (empty if `high < low`).
    pub fn between(low: i64, high: i64) -> Dom {
        Dom::Ranges(if low <= high { vec![(low, high)] } else { Vec::new() })
    }

    /// Exactly the string `s`.
    pub fn string(s: Symbol) -> Dom {
        Dom::Strs { except: false, syms: vec![s] }
    }

    /// Whether no value is left.
    pub fn is_empty(&self) -> bool {
        match self {
            Dom::Ranges(r) => r.is_empty(),
            Dom::Bits { bits, .. } => *bits == 0,
            Dom::Strs { except, syms } => !except && syms.is_empty(),
        }
    }

    /// Every value of the universe that is not in `self`.
    pub fn complement(&self) -> Dom {
        match self {
            Dom::Ranges(r) => Dom::Ranges(complement_ranges(r)),
            Dom::Bits { bits, all } => Dom::Bits { bits: all & !bits, all: *all },
            Dom::Strs { except, syms } => Dom::Strs { except: !except, syms: syms.clone() },
        }
    }

    /// The values in both. `None` if the two are of different shapes, which the
    /// translation never produces for one variable.
    pub fn intersect(&self, other: &Dom) -> Option<Dom> {
        Some(match (self, other) {
            (Dom::Ranges(a), Dom::Ranges(b)) => Dom::Ranges(intersect_ranges(a, b)),
            (Dom::Bits { bits: a, all }, Dom::Bits { bits: b, .. }) => {
                Dom::Bits { bits: a & b, all: *all }
            }
            (Dom::Strs { except: ea, syms: a }, Dom::Strs { except: eb, syms: b }) => {
                match (ea, eb) {
                    (false, false) => Dom::Strs {
                        except: false,
                        syms: a.iter().filter(|s| b.contains(s)).copied().collect(),
                    },
                    (false, true) => Dom::Strs {
                        except: false,
                        syms: a.iter().filter(|s| !b.contains(s)).copied().collect(),
                    },
                    (true, false) => Dom::Strs {
                        except: false,
                        syms: b.iter().filter(|s| !a.contains(s)).copied().collect(),
                    },
                    (true, true) => {
                        let mut syms: Vec<Symbol> = a.iter().chain(b).copied().collect();
                        syms.sort_unstable();
                        syms.dedup();
                        Dom::Strs { except: true, syms }
                    }
                }
            }
            _ => return None,
        })
    }

    /// The values in either (`None` for different shapes).
    pub fn union(&self, other: &Dom) -> Option<Dom> {
        // De Morgan keeps one implementation of the set algebra.
        Some(self.complement().intersect(&other.complement())?.complement())
    }
}

fn complement_ranges(r: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let mut out = Vec::with_capacity(r.len() + 1);
    // i128, so that the gap after `i64::MAX` does not overflow.
    let mut next = i128::from(i64::MIN);
    for &(a, b) in r {
        if i128::from(a) > next {
            out.extend(clamp(next, i128::from(a) - 1));
        }
        next = i128::from(b) + 1;
    }
    if next <= i128::from(i64::MAX) {
        out.extend(clamp(next, i128::from(i64::MAX)));
    }
    out
}

fn clamp(a: i128, b: i128) -> Option<(i64, i64)> {
    Some((i64::try_from(a).ok()?, i64::try_from(b).ok()?))
}

fn intersect_ranges(a: &[(i64, i64)], b: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while let (Some(&(a0, a1)), Some(&(b0, b1))) = (a.get(i), b.get(j)) {
        let (lo, hi) = (a0.max(b0), a1.min(b1));
        if lo <= hi {
            out.push((lo, hi));
        }
        if a1 < b1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use CompareOp::*;

    #[test]
    fn ranges_intersect_and_complement() {
        let adult = Dom::compare(Ge, 18);
        let child = Dom::compare(Lt, 16);
        assert!(adult.intersect(&child).is_some_and(|d| d.is_empty()));
        let teen =
            Dom::compare(Ge, 13).intersect(&Dom::compare(Le, 19)).unwrap_or(Dom::Ranges(vec![]));
        assert_eq!(teen, Dom::between(13, 19));
        assert_eq!(teen.complement(), Dom::Ranges(vec![(i64::MIN, 12), (20, i64::MAX)]));
        assert_eq!(teen.complement().complement(), teen);
        assert!(Dom::compare(Lt, i64::MIN).is_empty());
        assert!(Dom::compare(Gt, i64::MAX).is_empty());
        assert_eq!(Dom::compare(Ne, 5).complement(), Dom::between(5, 5));
    }

    #[test]
    fn bits_and_strings() {
        let tps_or_daca = Dom::words(0b110, 5);
        assert_eq!(tps_or_daca.complement(), Dom::words(0b11001, 5));
        let cu = Dom::string(Symbol(1));
        let not_cu = cu.complement();
        assert!(cu.intersect(&not_cu).is_some_and(|d| d.is_empty()));
        assert!(!not_cu.is_empty());
        let either = cu.union(&Dom::string(Symbol(2)));
        assert_eq!(either, Some(Dom::Strs { except: false, syms: vec![Symbol(1), Symbol(2)] }));
        assert!(Dom::boolean(true).intersect(&Dom::boolean(false)).is_some_and(|d| d.is_empty()));
        assert_eq!(Dom::order(Le).complement(), Dom::order(Gt));
    }
}

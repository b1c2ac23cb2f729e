//! The interpreter: runs a plan for one case into its slots. It allocates nothing, hashes
//! nothing and compares no strings.

use pol_syntax::ast::CompareOp;

use super::{known, tri, truth, Ins, Plan, Slots, Src, Truth, FALSE, TRUE, UNKNOWN};
use crate::ir::{FactId, PolicySet};
use crate::ops;
use crate::semantics;
use crate::value::{Day, Tri, Value};

impl Plan {
    /// Runs the plan for one case: fills `slots` (grown to fit, never shrunk).
    pub fn run(&self, set: &PolicySet, facts: &[Tri], as_of: Day, slots: &mut Slots) {
        let (nt, nv) = (self.truth_slots as usize, self.value_slots as usize);
        if slots.truths.len() < nt {
            slots.truths.resize(nt, UNKNOWN);
        }
        if slots.values.len() < nv {
            slots.values.resize(nv, None);
        }
        // The slots as slices held here: through `slots`, each one-byte store may alias
        // the vectors' own pointers, and the loop reloaded them for every instruction.
        let truths: &mut [Truth] = &mut slots.truths;
        let values: &mut [Tri] = &mut slots.values;
        // A fact's slot, by reference: fused instructions look at the payload they need
        // without copying the whole value.
        let fact = |f: FactId| facts.get(f.index()).and_then(Option::as_ref);
        for ins in &self.ins {
            let (out, t) = match *ins {
                Ins::Bool { fact: f, out } => {
                    let t = match fact(f) {
                        Some(Value::Bool(b)) => known(*b),
                        _ => UNKNOWN,
                    };
                    (out, t)
                }
                Ins::WordIn { fact: f, mask, other, out } => {
                    let t = match fact(f) {
                        Some(Value::Word(w)) if *w < 64 => known(mask & (1u64 << w) != 0),
                        // Not a word of any enum: equal to none of the mask's words.
                        Some(_) => other,
                        None => UNKNOWN,
                    };
                    (out, t)
                }
                Ins::SetAny { fact: f, mask, out } => {
                    let t = match fact(f) {
                        Some(Value::Words(bits)) => known(*bits & mask != 0),
                        _ => UNKNOWN,
                    };
                    (out, t)
                }
                Ins::Const { t, out } => (out, t),
                Ins::Truthy { a, out } => (out, truth(read_in(a, facts, as_of, truths, values))),
                Ins::Compare { op, a, b, out } => {
                    let v = ops::compare(
                        op,
                        read_in(a, facts, as_of, truths, values),
                        read_in(b, facts, as_of, truths, values),
                    );
                    (out, truth(v))
                }
                Ins::CompareOrdered { op, a, b, out } => {
                    let a = read_in(a, facts, as_of, truths, values).and_then(Value::ordinal);
                    let b = read_in(b, facts, as_of, truths, values).and_then(Value::ordinal);
                    let t = match (a, b) {
                        (Some(a), Some(b)) => known(compare_ordinals(op, a, b)),
                        _ => UNKNOWN,
                    };
                    (out, t)
                }
                Ins::CompareK { op, a, k, out } => {
                    let t = match read_in(a, facts, as_of, truths, values).and_then(Value::ordinal)
                    {
                        Some(v) => known(compare_ordinals(op, v, k)),
                        None => UNKNOWN,
                    };
                    (out, t)
                }
                Ins::FactCompareK { op, fact: f, k, out } => {
                    let t = match fact(f).and_then(|v| v.ordinal()) {
                        Some(v) => known(compare_ordinals(op, v, k)),
                        None => UNKNOWN,
                    };
                    (out, t)
                }
                Ins::RangeK { a, low, high, inclusive, out } => {
                    let t = match read_in(a, facts, as_of, truths, values).and_then(Value::ordinal)
                    {
                        Some(v) => known(v >= low && if inclusive { v <= high } else { v < high }),
                        None => UNKNOWN,
                    };
                    (out, t)
                }
                Ins::InList { a, start, len, out } => {
                    let items =
                        self.srcs.get(start as usize..(start + len) as usize).unwrap_or(&[]);
                    let v = ops::in_list(
                        read_in(a, facts, as_of, truths, values),
                        items.iter().map(|s| read_in(*s, facts, as_of, truths, values)),
                    );
                    (out, truth(v))
                }
                Ins::InSet { a, set, out } => {
                    let v = ops::in_set(
                        read_in(a, facts, as_of, truths, values),
                        read_in(set, facts, as_of, truths, values),
                    );
                    (out, truth(v))
                }
                Ins::InRange { a, low, high, inclusive, out } => {
                    let v = ops::in_range(
                        read_in(a, facts, as_of, truths, values),
                        read_in(low, facts, as_of, truths, values),
                        read_in(high, facts, as_of, truths, values),
                        inclusive,
                    );
                    (out, truth(v))
                }
                Ins::Window { opened, closed, at, out } => {
                    let t = match read_in(at, facts, as_of, truths, values) {
                        Some(Value::Date(d)) => {
                            known(semantics::window_state(opened, closed, d).is_open())
                        }
                        _ => UNKNOWN,
                    };
                    (out, t)
                }
                Ins::Not { a, out } => (out, TRUE - get(truths, a)),
                Ins::And2 { a, b, out } => {
                    let t = get(truths, a).min(get(truths, b));
                    (out, t)
                }
                Ins::Or2 { a, b, out } => {
                    let t = get(truths, a).max(get(truths, b));
                    (out, t)
                }
                Ins::And { start, len, out } => {
                    let run = self.run_of(start, len);
                    let t = run.iter().fold(TRUE, |m, s| m.min(get(truths, *s)));
                    (out, t)
                }
                Ins::Or { start, len, out } => {
                    let run = self.run_of(start, len);
                    let t = run.iter().fold(FALSE, |m, s| m.max(get(truths, *s)));
                    (out, t)
                }
                Ins::Arith { op, a, b, out } => {
                    let v = ops::arith(
                        op,
                        read_in(a, facts, as_of, truths, values),
                        read_in(b, facts, as_of, truths, values),
                    );
                    if let Some(slot) = values.get_mut(out as usize) {
                        *slot = v;
                    }
                    continue;
                }
                Ins::Param { param, out } => {
                    let v = set.params.get(param).and_then(|p| p.at(as_of)).map(|v| v.value);
                    if let Some(slot) = values.get_mut(out as usize) {
                        *slot = v;
                    }
                    continue;
                }
            };
            if let Some(slot) = truths.get_mut(out as usize) {
                *slot = t;
            }
        }
    }

    fn run_of(&self, start: u32, len: u32) -> &[u32] {
        self.truths.get(start as usize..(start + len) as usize).unwrap_or(&[])
    }
}

/// The truth in slot `i` (unknown if out of range, which a built plan never is).
pub fn get(truths: &[Truth], i: u32) -> Truth {
    truths.get(i as usize).copied().unwrap_or(UNKNOWN)
}

/// The value an operand reads, once the plan has run into `slots`.
pub fn read(src: Src, facts: &[Tri], as_of: Day, slots: &Slots) -> Tri {
    read_in(src, facts, as_of, &slots.truths, &slots.values)
}

/// [`read`] from the slots' truths and values.
fn read_in(src: Src, facts: &[Tri], as_of: Day, truths: &[Truth], values: &[Tri]) -> Tri {
    match src {
        Src::K(v) => Some(v),
        Src::Unknown => None,
        Src::Fact(f) => facts.get(f.index()).copied().flatten(),
        Src::AsOf => Some(Value::Date(as_of)),
        Src::Val(i) => values.get(i as usize).copied().flatten(),
        Src::Truth(i) => tri(get(truths, i)),
    }
}

/// `v op k` on ordinals, as `ops::compare` orders values.
fn compare_ordinals(op: CompareOp, v: i64, k: i64) -> bool {
    match op {
        CompareOp::Lt => v < k,
        CompareOp::Le => v <= k,
        CompareOp::Gt => v > k,
        CompareOp::Ge => v >= k,
        CompareOp::Eq => v == k,
        CompareOp::Ne => v != k,
    }
}

//! Questions asked of one diagram for one case, in a few passes over flat arrays.
//!
//! A case fixes the class of each known fact and leaves the others free. [`Walk::reach`]
//! computes, bottom-up, the outcomes reachable under every node (`down`). For the facts
//! still unknown, [`Walk::by_class`] also needs the nodes reachable from the root and, for
//! each level, the outcomes of the edges that skip it (`bypass`): the outcomes possible
//! once a fact is in class `c` are the bypass of its level and the `down` of branch `c` of
//! every reachable node on its level. So every question about every unknown fact costs two
//! passes over the diagram, not one per fact and class.

use super::mdd::{Diagram, Ref, LEAVES};

/// What a case allows at one level: any class, one class (a known fact), or some classes
/// (a bit set: a pair of related dates of which one is known).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Allowed {
    Free,
    One(u32),
    Some(Vec<u64>),
}

impl Allowed {
    /// Whether class `c` is allowed.
    pub fn has(&self, c: u32) -> bool {
        match self {
            Allowed::Free => true,
            Allowed::One(x) => *x == c,
            Allowed::Some(bits) => has(bits, c),
        }
    }
}

/// Whether bit `c` is set.
pub fn has(bits: &[u64], c: u32) -> bool {
    bits.get((c / 64) as usize).is_some_and(|w| w & (1u64 << (c % 64)) != 0)
}

/// Sets bit `c`, growing the set.
pub fn set(bits: &mut Vec<u64>, c: u32) {
    let w = (c / 64) as usize;
    if bits.len() <= w {
        bits.resize(w + 1, 0);
    }
    if let Some(word) = bits.get_mut(w) {
        *word |= 1u64 << (c % 64);
    }
}

/// Work space reused across cases.
#[derive(Clone, Debug, Default)]
pub struct Walk {
    down: Vec<u16>,
    reached: Vec<bool>,
    bypass: Vec<u16>,
}

impl Walk {
    fn down_of(&self, r: Ref) -> u16 {
        if r < LEAVES {
            1 << r
        } else {
            self.down.get((r - LEAVES) as usize).copied().unwrap_or(0)
        }
    }

    /// The outcomes reachable from the root when level `l` is held to `allowed[l]`, as bits
    /// of leaf codes.
    pub fn reach(&mut self, d: &Diagram, allowed: &[Allowed]) -> u16 {
        let n = d.nodes();
        self.down.clear();
        self.down.resize(n, 0);
        for i in (0..n).rev() {
            let level = d.level.get(i).copied().unwrap_or(0) as usize;
            let kids = d.kids_of(i);
            let bits = match allowed.get(level) {
                Some(Allowed::One(c)) => kids.get(*c as usize).map_or(0, |k| self.down_of(*k)),
                Some(Allowed::Some(set)) => kids
                    .iter()
                    .enumerate()
                    .filter(|(c, _)| has(set, *c as u32))
                    .fold(0, |acc, (_, k)| acc | self.down_of(*k)),
                _ => kids.iter().fold(0, |acc, k| acc | self.down_of(*k)),
            };
            if let Some(slot) = self.down.get_mut(i) {
                *slot = bits;
            }
        }
        self.down_of(d.root)
    }

    /// After [`Walk::reach`]: the leaves reachable from `r`, one of the roots of a diagram
    /// frozen with several ([`super::mdd::Manager::freeze_all`]).
    pub fn reached_from(&self, r: Ref) -> u16 {
        self.down_of(r)
    }

    /// After [`Walk::prepare`]: the outcomes reachable with level `level` held to the
    /// classes of `subset`.
    pub fn by_subset(&self, d: &Diagram, level: usize, subset: &[u64]) -> u16 {
        let mut out = self.bypass.get(level).copied().unwrap_or(0);
        for node in d.by_level.get(level).map_or(&[][..], |v| &v[..]) {
            let i = *node as usize;
            if !self.reached.get(i).copied().unwrap_or(false) {
                continue;
            }
            for (c, k) in d.kids_of(i).iter().enumerate() {
                if has(subset, c as u32) {
                    out |= self.down_of(*k);
                }
            }
        }
        out
    }

    /// After [`Walk::reach`] with the same `allowed`: for level `level`, the outcomes
    /// reachable with that level's fact in each of its classes. Call [`Walk::prepare`]
    /// once first.
    pub fn by_class(&self, d: &Diagram, level: usize, out: &mut Vec<u16>) {
        let arity = d.arity.get(level).copied().unwrap_or(0) as usize;
        out.clear();
        let skip = self.bypass.get(level).copied().unwrap_or(0);
        out.resize(arity, skip);
        for node in d.by_level.get(level).map_or(&[][..], |v| &v[..]) {
            let i = *node as usize;
            if !self.reached.get(i).copied().unwrap_or(false) {
                continue;
            }
            for (slot, k) in out.iter_mut().zip(d.kids_of(i)) {
                *slot |= self.down_of(*k);
            }
        }
    }

    /// After [`Walk::reach`]: marks the nodes reachable from the root under `allowed` and
    /// gathers, per level, the outcomes of the edges that jump over it.
    pub fn prepare(&mut self, d: &Diagram, allowed: &[Allowed]) {
        let n = d.nodes();
        let levels = d.levels();
        self.reached.clear();
        self.reached.resize(n, false);
        self.bypass.clear();
        self.bypass.resize(levels, 0);
        let root = d.root;
        let root_level = d.level_of(root) as usize;
        let root_bits = self.down_of(root);
        for b in self.bypass.iter_mut().take(root_level) {
            *b |= root_bits;
        }
        if root >= LEAVES {
            if let Some(r) = self.reached.get_mut((root - LEAVES) as usize) {
                *r = true;
            }
        }
        for i in 0..n {
            if !self.reached.get(i).copied().unwrap_or(false) {
                continue;
            }
            let level = d.level.get(i).copied().unwrap_or(0) as usize;
            let kids = d.kids_of(i);
            let visit = |walk: &mut Walk, k: Ref| {
                let to = d.level_of(k) as usize;
                let bits = walk.down_of(k);
                for b in walk.bypass.iter_mut().take(to).skip(level + 1) {
                    *b |= bits;
                }
                if k >= LEAVES {
                    if let Some(r) = walk.reached.get_mut((k - LEAVES) as usize) {
                        *r = true;
                    }
                }
            };
            match allowed.get(level) {
                Some(Allowed::One(c)) => {
                    if let Some(k) = kids.get(*c as usize) {
                        visit(self, *k);
                    }
                }
                Some(Allowed::Some(set)) => {
                    for (c, k) in kids.iter().enumerate() {
                        if has(set, c as u32) {
                            visit(self, *k);
                        }
                    }
                }
                _ => {
                    for k in kids {
                        visit(self, *k);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::super::mdd::{bit, Manager, ELIGIBLE, F, INELIGIBLE, T};
    use super::*;

    #[test]
    fn reach_and_by_class() {
        // level 0: x in {a, b, c}; level 1: y bool. Ineligible when x == a and y, else eligible.
        let mut m = Manager::new(vec![3, 2]);
        let x = m.table(0, &[T, F, F]).unwrap();
        let y = m.table(1, &[F, T]).unwrap();
        let both = m.apply(1, |a, b| a.min(b), x, y).unwrap();
        let d = m.apply(2, |t, _| if t == T { INELIGIBLE } else { ELIGIBLE }, both, F).unwrap();
        let d = m.freeze(d);
        let mut w = Walk::default();
        let free = [Allowed::Free, Allowed::Free];
        let all = w.reach(&d, &free);
        assert_eq!(all, bit(INELIGIBLE) | bit(ELIGIBLE));
        w.prepare(&d, &free);
        let mut out = Vec::new();
        w.by_class(&d, 0, &mut out);
        assert_eq!(out, [bit(INELIGIBLE) | bit(ELIGIBLE), bit(ELIGIBLE), bit(ELIGIBLE)]);
        w.by_class(&d, 1, &mut out);
        assert_eq!(out, [bit(ELIGIBLE), bit(INELIGIBLE) | bit(ELIGIBLE)]);
        // With x known to be b, y cannot change anything.
        let fixed = [Allowed::One(1), Allowed::Free];
        assert_eq!(w.reach(&d, &fixed), bit(ELIGIBLE));
        w.prepare(&d, &fixed);
        w.by_class(&d, 1, &mut out);
        assert_eq!(out, [bit(ELIGIBLE), bit(ELIGIBLE)]);
        // x in {a, b}: both outcomes stay possible.
        let some = [Allowed::Some(vec![0b011]), Allowed::Free];
        assert_eq!(w.reach(&d, &some), bit(INELIGIBLE) | bit(ELIGIBLE));
        w.prepare(&d, &free);
        w.reach(&d, &free);
        w.prepare(&d, &free);
        assert_eq!(w.by_subset(&d, 0, &[0b110]), bit(ELIGIBLE));
    }
}

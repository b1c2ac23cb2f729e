//! Multi-valued decision diagrams: hash-consed, reduced and ordered, with multi-valued
//! terminals.
//!
//! A variable (a *level*) has as many branches as its fact has classes of values. Leaves
//! are small codes: the three truths of a condition ([`F`], [`U`], [`T`]) while a policy's
//! conditions are combined, then the outcomes of a decision ([`UNAVAILABLE`] …
//! [`IMPOSSIBLE`]). [`Manager`] builds diagrams (apply with a computed table, iterative so
//! that deep diagrams cannot exhaust the stack); [`Diagram`] is one frozen root (or several
//! sharing their nodes) with its nodes in level order, which the per-case queries (`query.rs`) walk as flat arrays.

use std::collections::HashMap;

/// A node or a leaf: values below [`LEAVES`] are leaves, the others `LEAVES + node index`.
pub type Ref = u32;

/// How many leaf codes there are.
pub const LEAVES: u32 = 16;

/// A condition is false, unknown (an overflow on these values) or true: Kleene's order, as
/// in the plan (`plan::Truth`).
pub const F: Ref = 0;
pub const U: Ref = 1;
pub const T: Ref = 2;

/// The outcomes of a completion: the four decisions (in `DecisionKind` order), a decision
/// that an overflow leaves open, and a completion that breaks a constraint.
pub const UNAVAILABLE: Ref = 3;
pub const INELIGIBLE: Ref = 4;
pub const NOT_REQUIRED: Ref = 5;
pub const ELIGIBLE: Ref = 6;
pub const UNDEFINED: Ref = 7;
pub const IMPOSSIBLE: Ref = 8;

/// Reach bits of the outcomes that are possible cases (every outcome but [`IMPOSSIBLE`]).
pub const OUTCOMES: u16 = 0b0_1111_1000;

/// The bit of a leaf in a reach set.
pub const fn bit(leaf: Ref) -> u16 {
    1 << leaf
}

/// Nodes one build may create before it gives up (the reasoning then falls back to a sound
/// over-approximation: see `reason::mod`).
pub const MAX_NODES: usize = 1 << 20;

/// The build ran out of room.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooLarge;

/// The level of reference `r` among nodes testing `level` (a node's level, indexed by node),
/// over levels `0..arity.len()`; leaves (and a node that is not there) sit below every level.
fn level_of(arity: &[u32], level: &[u32], r: Ref) -> u32 {
    let below = arity.len() as u32;
    if r < LEAVES {
        return below;
    }
    level.get((r - LEAVES) as usize).copied().unwrap_or(below)
}

/// Builds diagrams over levels `0..arity.len()`, level `i` with `arity[i]` branches.
pub struct Manager {
    arity: Vec<u32>,
    level: Vec<u32>,
    start: Vec<u32>,
    kids: Vec<Ref>,
    unique: HashMap<(u32, Box<[Ref]>), Ref>,
    computed: HashMap<(u32, Ref, Ref), Ref>,
}

impl Manager {
    pub fn new(arity: Vec<u32>) -> Manager {
        Manager {
            arity,
            level: Vec::new(),
            start: Vec::new(),
            kids: Vec::new(),
            unique: HashMap::new(),
            computed: HashMap::new(),
        }
    }

    pub fn levels(&self) -> usize {
        self.arity.len()
    }

    /// The level of a reference; leaves sit below every level.
    pub fn level_of(&self, r: Ref) -> u32 {
        level_of(&self.arity, &self.level, r)
    }

    /// Branch `class` of `r` when `r` tests `level`; `r` itself when it does not.
    pub fn kid(&self, r: Ref, level: u32, class: u32) -> Ref {
        if r < LEAVES || self.level_of(r) != level {
            return r;
        }
        let i = (r - LEAVES) as usize;
        let s = self.start.get(i).copied().unwrap_or(0) as usize;
        self.kids.get(s + class as usize).copied().unwrap_or(r)
    }

    /// The node testing `level` with these branches (one per class), reduced and shared.
    pub fn node(&mut self, level: u32, kids: &[Ref]) -> Result<Ref, TooLarge> {
        let Some(first) = kids.first().copied() else {
            return Ok(U);
        };
        if kids.iter().all(|k| *k == first) {
            return Ok(first);
        }
        let key = (level, kids.to_vec().into_boxed_slice());
        if let Some(r) = self.unique.get(&key) {
            return Ok(*r);
        }
        if self.level.len() >= MAX_NODES {
            return Err(TooLarge);
        }
        let r = LEAVES + self.level.len() as u32;
        self.level.push(level);
        self.start.push(self.kids.len() as u32);
        self.kids.extend_from_slice(kids);
        self.unique.insert(key, r);
        Ok(r)
    }

    /// A diagram over one level: `leaves[c]` for class `c`.
    pub fn table(&mut self, level: u32, leaves: &[Ref]) -> Result<Ref, TooLarge> {
        self.node(level, leaves)
    }

    /// Combines two diagrams leaf by leaf with `op`. `id` names `op` in the computed table:
    /// two calls with the same id must pass the same function.
    pub fn apply(
        &mut self,
        id: u32,
        op: impl Fn(Ref, Ref) -> Ref,
        a: Ref,
        b: Ref,
    ) -> Result<Ref, TooLarge> {
        // An explicit stack: the depth of a diagram is the number of its levels, which the
        // input decides.
        struct Frame {
            a: Ref,
            b: Ref,
            level: u32,
            next: u32,
            kids: Vec<Ref>,
        }
        let mut result: Option<Ref> = None;
        let mut stack: Vec<Frame> = Vec::new();
        let mut pending = Some((a, b));
        loop {
            if let Some((x, y)) = pending.take() {
                if x < LEAVES && y < LEAVES {
                    result = Some(op(x, y));
                } else if let Some(r) = self.computed.get(&(id, x, y)) {
                    result = Some(*r);
                } else {
                    let level = self.level_of(x).min(self.level_of(y));
                    stack.push(Frame { a: x, b: y, level, next: 0, kids: Vec::new() });
                }
            }
            let Some(top) = stack.last_mut() else {
                return Ok(result.unwrap_or(U));
            };
            if let Some(r) = result.take() {
                top.kids.push(r);
                top.next += 1;
            }
            let arity = self.arity.get(top.level as usize).copied().unwrap_or(0);
            if top.next < arity {
                let (x, y, level, class) = (top.a, top.b, top.level, top.next);
                pending = Some((self.kid(x, level, class), self.kid(y, level, class)));
                continue;
            }
            let Some(done) = stack.pop() else {
                return Ok(U);
            };
            let r = self.node(done.level, &done.kids)?;
            self.computed.insert((id, done.a, done.b), r);
            result = Some(r);
        }
    }

    /// Maps every leaf of `a` through `op` (`id` names `op`, as for [`Manager::apply`]).
    pub fn map(&mut self, id: u32, op: impl Fn(Ref) -> Ref, a: Ref) -> Result<Ref, TooLarge> {
        self.apply(id, |x, _| op(x), a, F)
    }

    /// The diagram rooted at `root`, frozen for queries.
    pub fn freeze(&self, root: Ref) -> Diagram {
        self.freeze_all(&[root]).0
    }

    /// The diagrams rooted at each of `roots`, frozen together (sharing their nodes; the
    /// first is the diagram's [`Diagram::root`]), and each root's reference in it.
    pub fn freeze_all(&self, roots: &[Ref]) -> (Diagram, Vec<Ref>) {
        // The nodes reachable from the roots, renumbered in level order so that every node
        // comes after the nodes that point to it.
        let mut reachable = Vec::new();
        let mut seen = HashMap::new();
        let mut stack = roots.to_vec();
        while let Some(r) = stack.pop() {
            if r < LEAVES || seen.contains_key(&r) {
                continue;
            }
            seen.insert(r, 0u32);
            reachable.push(r);
            let level = self.level_of(r);
            let arity = self.arity.get(level as usize).copied().unwrap_or(0);
            for c in 0..arity {
                stack.push(self.kid(r, level, c));
            }
        }
        reachable.sort_by_key(|r| (self.level_of(*r), *r));
        for (i, r) in reachable.iter().enumerate() {
            seen.insert(*r, LEAVES + i as u32);
        }
        let renumber = |r: Ref| -> Ref {
            if r < LEAVES {
                r
            } else {
                seen.get(&r).copied().unwrap_or(U)
            }
        };
        let mut d = Diagram {
            arity: self.arity.clone(),
            level: Vec::with_capacity(reachable.len()),
            start: Vec::with_capacity(reachable.len() + 1),
            kids: Vec::new(),
            root: roots.first().map_or(F, |r| renumber(*r)),
            by_level: vec![Vec::new(); self.arity.len()],
        };
        for (i, r) in reachable.iter().enumerate() {
            let level = self.level_of(*r);
            d.level.push(level);
            d.start.push(d.kids.len() as u32);
            let arity = self.arity.get(level as usize).copied().unwrap_or(0);
            for c in 0..arity {
                d.kids.push(renumber(self.kid(*r, level, c)));
            }
            if let Some(l) = d.by_level.get_mut(level as usize) {
                l.push(i as u32);
            }
        }
        d.start.push(d.kids.len() as u32);
        let roots = roots.iter().map(|r| renumber(*r)).collect();
        (d, roots)
    }
}

/// One frozen diagram: node `i` (reference `LEAVES + i`) tests `level[i]`, its branches are
/// `kids[start[i]..start[i + 1]]`, and nodes are in level order.
#[derive(Clone, Debug)]
pub struct Diagram {
    pub arity: Vec<u32>,
    pub level: Vec<u32>,
    pub start: Vec<u32>,
    pub kids: Vec<Ref>,
    pub root: Ref,
    /// The nodes of each level.
    pub by_level: Vec<Vec<u32>>,
}

impl Diagram {
    pub fn nodes(&self) -> usize {
        self.level.len()
    }

    pub fn levels(&self) -> usize {
        self.arity.len()
    }

    /// The branches of node `i`.
    pub fn kids_of(&self, i: usize) -> &[Ref] {
        let s = self.start.get(i).copied().unwrap_or(0) as usize;
        let e = self.start.get(i + 1).copied().unwrap_or(0) as usize;
        self.kids.get(s..e).unwrap_or(&[])
    }

    /// The level of a reference (leaves below every level).
    pub fn level_of(&self, r: Ref) -> u32 {
        level_of(&self.arity, &self.level, r)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn and3(a: Ref, b: Ref) -> Ref {
        a.min(b)
    }
    fn or3(a: Ref, b: Ref) -> Ref {
        a.max(b)
    }

    #[test]
    fn reduced_and_shared() {
        let mut m = Manager::new(vec![2, 3]);
        let x = m.table(0, &[F, T]).unwrap();
        let y = m.table(1, &[F, T, T]).unwrap();
        assert_eq!(m.table(1, &[T, T, T]).unwrap(), T, "a node with equal kids is its kid");
        assert_eq!(m.table(1, &[F, T, T]).unwrap(), y, "hash-consed");
        let xy = m.apply(1, and3, x, y).unwrap();
        let yx = m.apply(1, and3, y, x).unwrap();
        assert_eq!(xy, yx);
        // x or not x is true.
        let not_x = m.map(2, |t| 2 - t, x).unwrap();
        assert_eq!(m.apply(3, or3, x, not_x).unwrap(), T);
        let d = m.freeze(xy);
        assert_eq!(d.nodes(), 2);
        assert_eq!(d.level_of(d.root), 0);
        assert_eq!(d.kids_of(0)[0], F);
    }

    #[test]
    fn deep_diagrams_do_not_recurse() {
        let n = 20_000;
        let mut m = Manager::new(vec![2; n]);
        let mut acc = T;
        for level in (0..n as u32).rev() {
            let v = m.table(level, &[F, T]).unwrap();
            acc = m.apply(1, and3, v, acc).unwrap();
        }
        let d = m.freeze(acc);
        assert_eq!(d.nodes(), n);
    }
}

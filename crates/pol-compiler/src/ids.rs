//! Typed ids: the index of a declaration in the collection that owns it.
//!
//! Ids sit below every phase (the typed IR, the types, the graph and the plan all name
//! declarations by them), so the modules that use them depend on this one and not on each
//! other. An id is minted only by the collection it indexes, when the item is pushed.

macro_rules! id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);
        impl $name {
            /// The position of the item in the collection that owns it.
            pub fn index(self) -> usize { self.0 as usize }
        }
        impl Id for $name {
            fn from_index(index: usize) -> Self {
                // Collections hold far fewer than 2^32 items (a policy set is text a person
                // wrote); were one to overflow, the id names no item and `get` says so.
                debug_assert!(u32::try_from(index).is_ok(), "id overflow");
                $name(u32::try_from(index).unwrap_or(u32::MAX))
            }
            fn index(self) -> usize { self.0 as usize }
        }
    )*};
}

id!(
    /// An `enum` declaration (`PolicySet::enums`).
    EnumId,
    /// A `fact` declaration (`PolicySet::facts`); also its slot in a case record.
    FactId,
    /// A `const` declaration (`PolicySet::consts`).
    ConstId,
    /// A `param` declaration (`PolicySet::params`).
    ParamId,
    /// A `let` declaration (`PolicySet::lets`).
    LetId,
    /// A `program` declaration (`PolicySet::programs`).
    ProgramId,
    /// A `policy` declaration (`PolicySet::policies`).
    PolicyId,
    /// A `constraint` declaration (`PolicySet::constraints`).
    ConstraintId,
    /// A node of a policy's evaluation graph (`PolicyGraph::nodes`).
    NodeId,
);

/// A typed id: the position of an item in the [`IndexVec`] that owns it.
pub trait Id: Copy {
    /// The id of the item at `index`. Only [`IndexVec`] mints ids from positions.
    fn from_index(index: usize) -> Self;
    /// The position of the item in the collection that owns it.
    fn index(self) -> usize;
}

/// What may look up an item of an [`IndexVec`] of `I`s: its typed id, by value or by
/// reference. Never a bare `usize`: code that walks a collection by position uses
/// [`IndexVec::iter_enumerated`] or [`IndexVec::ids`] and so holds ids.
pub trait Position<I> {
    fn position(self) -> usize;
}

impl<I: Id> Position<I> for I {
    fn position(self) -> usize {
        self.index()
    }
}

impl<I: Id> Position<I> for &I {
    fn position(self) -> usize {
        self.index()
    }
}

/// A vector indexed by a typed id: `facts[fact]` for a `FactId`, never an `EnumId`.
///
/// *Invariant:* an id is minted only by the collection it indexes ([`IndexVec::push`],
/// [`IndexVec::next_id`] just before a push, [`IndexVec::iter_enumerated`], `ids`), and
/// items are never removed, so an id names an item that exists. [`IndexVec::get`] is the checked path, for
/// code that must fail closed on an id from elsewhere; `collection[id]` relies on the
/// invariant. It reads as a slice (`iter`, `len`) through `Deref`.
#[derive(Clone, PartialEq, Eq)]
pub struct IndexVec<I, T> {
    raw: Vec<T>,
    id: std::marker::PhantomData<fn(I) -> I>,
}

impl<I: Id, T> IndexVec<I, T> {
    pub fn new() -> Self {
        IndexVec::from(Vec::new())
    }

    /// Adds `item` and returns its id: the only way an id is minted.
    pub fn push(&mut self, item: T) -> I {
        let id = I::from_index(self.raw.len());
        self.raw.push(item);
        id
    }

    /// The id the next [`push`](IndexVec::push) returns, for a declaration that must be
    /// named before its item is complete.
    pub fn next_id(&self) -> I {
        I::from_index(self.raw.len())
    }

    /// The item `at` names, if any: the checked path.
    pub fn get(&self, at: impl Position<I>) -> Option<&T> {
        self.raw.get(at.position())
    }

    /// The item `at` names, mutably, if any.
    pub fn get_mut(&mut self, at: impl Position<I>) -> Option<&mut T> {
        self.raw.get_mut(at.position())
    }

    /// Each item with its id, in order.
    pub fn iter_enumerated(&self) -> impl ExactSizeIterator<Item = (I, &T)> + '_ {
        self.raw.iter().enumerate().map(|(i, item)| (I::from_index(i), item))
    }

    /// The id of every item, in order.
    pub fn ids(&self) -> impl ExactSizeIterator<Item = I> {
        (0..self.raw.len()).map(I::from_index)
    }

    /// The items as a plain vector, positions for ids.
    pub fn into_raw(self) -> Vec<T> {
        self.raw
    }
}

impl<I: Id, T> Default for IndexVec<I, T> {
    fn default() -> Self {
        IndexVec::new()
    }
}

impl<I, T> From<Vec<T>> for IndexVec<I, T> {
    fn from(raw: Vec<T>) -> Self {
        IndexVec { raw, id: std::marker::PhantomData }
    }
}

impl<I, T> FromIterator<T> for IndexVec<I, T> {
    fn from_iter<It: IntoIterator<Item = T>>(items: It) -> Self {
        IndexVec::from(items.into_iter().collect::<Vec<T>>())
    }
}

impl<I, T> std::ops::Deref for IndexVec<I, T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.raw
    }
}

impl<I, T> std::ops::DerefMut for IndexVec<I, T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.raw
    }
}

impl<'a, I, T> IntoIterator for &'a IndexVec<I, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.raw.iter()
    }
}

impl<I, T> IntoIterator for IndexVec<I, T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.raw.into_iter()
    }
}

impl<I, T: std::fmt::Debug> std::fmt::Debug for IndexVec<I, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.raw.fmt(f)
    }
}

impl<I: Id, T, K: Position<I>> std::ops::Index<K> for IndexVec<I, T> {
    type Output = T;
    // Ids are minted only by `push` on this collection and items are never removed (the
    // invariant above), so an id is in bounds; code that may hold a foreign id uses `get`.
    #[allow(clippy::indexing_slicing)]
    fn index(&self, at: K) -> &T {
        &self.raw[at.position()]
    }
}

impl<I: Id, T, K: Position<I>> std::ops::IndexMut<K> for IndexVec<I, T> {
    // As `index`: ids are minted only by `push` on this collection.
    #[allow(clippy::indexing_slicing)]
    fn index_mut(&mut self, at: K) -> &mut T {
        &mut self.raw[at.position()]
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn push_mints_the_id_that_finds_the_item() {
        let mut facts: IndexVec<FactId, &str> = IndexVec::new();
        assert_eq!(facts.next_id(), FactId(0));
        let age = facts.push("age");
        let status = facts.push("status");
        assert_eq!((age, status), (FactId(0), FactId(1)));
        assert_eq!((facts[age], facts[status]), ("age", "status"));
        assert_eq!(facts.get(status), Some(&"status"));
        // An id this collection did not mint is refused by the checked path.
        assert_eq!(facts.get(FactId(2)), None);
        let pairs: Vec<_> = facts.iter_enumerated().collect();
        assert_eq!(pairs, [(age, &"age"), (status, &"status")]);
        assert_eq!(facts.ids().collect::<Vec<_>>(), [age, status]);
    }
}

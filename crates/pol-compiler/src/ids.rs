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
);

//! pyflakes' "different forks" test: two bindings on different branches of the same `if`,
//! `try` or `match` do not redefine each other (`try: import json` / `except: json = None`).
//!
//! Each binding keeps the chain of branching statements above it. An entry names the branching
//! statement, the direct child of it that leads to the binding, and the group of alternatives that
//! child belongs to (the `if` body; a `try` body with its `else`; one `except` handler; one `case`
//! body). Two bindings are on different forks when their deepest common ancestor is a branching
//! statement and they sit in different groups of it.

use std::rc::Rc;

/// Group of a direct child that belongs to no alternative (an `if` test or `else`, a `finally`).
pub(crate) const NO_GROUP: i32 = -1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ForkEntry {
    pub fork: usize,
    pub child: usize,
    pub group: i32,
}

/// A binding's chain of branching statements, leaf first, sharing its ancestors with every other
/// binding made under the same statements: taking a snapshot is O(1) however deep the `elif`
/// chain, which a copied slice was not.
#[derive(Debug, Clone, Default)]
pub(crate) struct ForkPath(Option<Rc<ForkLink>>);

#[derive(Debug)]
struct ForkLink {
    entry: ForkEntry,
    parent: ForkPath,
}

impl ForkPath {
    pub fn push(&self, entry: ForkEntry) -> ForkPath {
        ForkPath(Some(Rc::new(ForkLink {
            entry,
            parent: self.clone(),
        })))
    }

    /// The path without its last entry.
    pub fn parent(&self) -> ForkPath {
        self.0
            .as_ref()
            .map_or_else(ForkPath::default, |link| link.parent.clone())
    }

    /// The entries, root first.
    fn entries(&self) -> Vec<ForkEntry> {
        let mut entries = Vec::new();
        let mut current = &self.0;
        while let Some(link) = current {
            entries.push(link.entry);
            current = &link.parent.0;
        }
        entries.reverse();
        entries
    }

    fn same(&self, other: &ForkPath) -> bool {
        match (&self.0, &other.0) {
            (Some(left), Some(right)) => Rc::ptr_eq(left, right),
            (None, None) => true,
            _ => false,
        }
    }
}

pub(crate) fn different_forks(left: &ForkPath, right: &ForkPath) -> bool {
    if left.0.is_none() || right.0.is_none() || left.same(right) {
        return false;
    }
    let (left, right) = (left.entries(), right.entries());
    for (l, r) in left.iter().zip(&right) {
        if l.fork != r.fork {
            // They parted below the last shared branching statement, at a plain statement.
            return false;
        }
        if l.child != r.child {
            return l.group != r.group;
        }
    }
    false
}

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

pub(crate) type ForkPath = Rc<[ForkEntry]>;

pub(crate) fn different_forks(left: &[ForkEntry], right: &[ForkEntry]) -> bool {
    for (l, r) in left.iter().zip(right) {
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

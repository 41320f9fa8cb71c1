//! What files tell each other, in terms every language shares: the names a file exports and the
//! workspace files it depends on. The dependency graph, the server's reach after an edit and
//! (later) the store and `affected` are built on these alone.

use std::hash::{Hash, Hasher};

use rustc_hash::FxHasher;

use crate::file::SourceFile;

/// The names a file defines for the files depending on it (its module index).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Exports {
    /// Every name the file defines at its top level, sorted (conditional definitions included).
    pub names: Vec<String>,
    /// Any name may be defined: the file did not parse (its names are a best guess), or it
    /// answers for every name (Python's module `__getattr__`). Dependents are not told that a
    /// name is missing.
    pub open: bool,
    /// The modules whose names this file re-exports wholesale (`from m import *`, `export * from
    /// "m"`), as the language writes them; compared, never interpreted, outside the language.
    pub reexported_from: Vec<String>,
}

impl Exports {
    pub fn defines(&self, name: &str) -> bool {
        self.names
            .binary_search_by(|candidate| candidate.as_str().cmp(name))
            .is_ok()
    }

    /// The exports of a file that could not be read or parsed: any name may be defined.
    pub fn unknown() -> Self {
        Self {
            open: true,
            ..Self::default()
        }
    }
}

/// One workspace file another depends on, and what the dependent reads of it. The kind of edge
/// follows from the fields: with no names and no re-export, only the file's existence matters
/// (`import m`, a submodule); with names, the dependent's findings depend on whether the file
/// defines each; with `reexports`, the dependent's own exports include the file's.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Dependency {
    pub file: SourceFile,
    /// The names read from the file, as [`name_key`]s, sorted.
    pub names: Box<[u64]>,
    /// The dependent re-exports everything the file exports.
    pub reexports: bool,
}

/// A name as the dependency graph keeps it: a hash rather than the string, which would cost
/// memory for every import of a large workspace. Two names with the same key only make an edit
/// reach a file it did not need to.
pub fn name_key(name: &str) -> u64 {
    let mut hasher = FxHasher::default();
    name.hash(&mut hasher);
    hasher.finish()
}

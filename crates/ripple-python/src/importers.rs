//! What an edit of a module can change for the files importing it: the edges of the workspace's
//! import graph, each with the names the importer's findings depend on, and the difference
//! between two versions of a module's exports in those terms. The server walks these backwards
//! after an edit to check only the importers whose findings can change.
//!
//! An importer's findings depend on another workspace file only through `import_diagnostics`:
//! `import m` needs `m` to exist (a question about the set of files, not their text), and
//! `from m import a, b` needs `m` to define `a` and `b` (`member_lookup`), directly or through
//! its star imports. So the edge records the names, and whether it is a star import (the
//! importer then exports what the module exports, and its own importers see the change).

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use ripple_core::SourceFile;
use rustc_hash::{FxHashSet, FxHasher};

use crate::db::Db;
use crate::queries::{absolute_module, file_module, imports, resolve};
use crate::resolve::{ModuleKind, ResolvedModule, submodule};
use crate::semantic::{ImportKind, ModuleExports};

/// A workspace file that a file imports, and what of it the importer depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImportedFile {
    pub file: SourceFile,
    /// The names imported from it with `from m import ...`, as `name_key`s, sorted.
    pub names: Box<[u64]>,
    /// `from m import *`: the importer re-exports the file's names.
    pub star: bool,
}

/// A name as the import graph keeps it: a hash rather than the string, which would cost memory
/// for every import of a large workspace. Two names with the same key only make an edit reach
/// a file it did not need to.
pub fn name_key(name: &str) -> u64 {
    let mut hasher = FxHasher::default();
    name.hash(&mut hasher);
    hasher.finish()
}

/// The workspace files this file imports (modules, and submodules named by `from m import sub`).
#[salsa::tracked(returns(ref))]
pub fn imported_files(db: &dyn Db, file: SourceFile) -> Arc<[ImportedFile]> {
    let importer = file_module(db, file);
    let mut found: Vec<ImportedFile> = Vec::new();
    let mut add = |target: SourceFile, names: &[u64], star: bool| match found
        .iter_mut()
        .find(|edge| edge.file == target)
    {
        Some(edge) => {
            let mut merged: Vec<u64> = edge.names.iter().chain(names).copied().collect();
            merged.sort_unstable();
            merged.dedup();
            edge.names = merged.into();
            edge.star |= star;
        }
        None => {
            let mut names = names.to_vec();
            names.sort_unstable();
            names.dedup();
            found.push(ImportedFile {
                file: target,
                names: names.into(),
                star,
            });
        }
    };
    for request in imports(db, file).iter() {
        let Ok(absolute) = absolute_module(importer.as_ref(), request.level, &request.module)
        else {
            continue;
        };
        let Some(target) = resolve(db, &absolute) else {
            continue;
        };
        if let ModuleKind::Source(target_file) = target.kind {
            let names: Vec<u64> = match request.kind {
                ImportKind::From => request
                    .names
                    .iter()
                    .map(|(name, _)| name_key(name))
                    .collect(),
                ImportKind::Module | ImportKind::Star => Vec::new(),
            };
            add(target_file, &names, request.kind == ImportKind::Star);
        }
        for (name, _) in &request.names {
            if let Some(ResolvedModule {
                kind: ModuleKind::Source(sub),
                ..
            }) = submodule(db, target, name)
            {
                // A submodule edge: only its existence matters, which the file set decides.
                add(sub, &[], false);
            }
        }
    }
    found.sort_by_key(|edge| salsa::plumbing::AsId::as_id(&edge.file));
    found.into()
}

/// What changed, for importers, between two versions of a module's exports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportChange {
    Nothing,
    /// These names (`name_key`s) appeared or disappeared.
    Names(FxHashSet<u64>),
    /// Whether any name is defined may have changed (a parse error came or went, `__getattr__`,
    /// the star imports).
    Everything,
}

impl ExportChange {
    pub fn between(before: &ModuleExports, after: &ModuleExports) -> Self {
        if before.incomplete != after.incomplete
            || before.has_getattr != after.has_getattr
            || before.star_imports != after.star_imports
        {
            return Self::Everything;
        }
        if before.incomplete || before.has_getattr {
            // Every name "may be defined" before and after: nothing an importer sees changed.
            return Self::Nothing;
        }
        // Both lists are sorted: walk them together.
        let mut changed = FxHashSet::default();
        let (mut old, mut new) = (
            before.names.iter().peekable(),
            after.names.iter().peekable(),
        );
        loop {
            match (old.peek(), new.peek()) {
                (None, None) => break,
                (Some(a), Some(b)) if a == b => {
                    old.next();
                    new.next();
                }
                (Some(a), Some(b)) if a < b => {
                    changed.insert(name_key(a));
                    old.next();
                }
                (Some(_), Some(b)) | (None, Some(b)) => {
                    changed.insert(name_key(b));
                    new.next();
                }
                (Some(a), None) => {
                    changed.insert(name_key(a));
                    old.next();
                }
            }
        }
        if changed.is_empty() {
            Self::Nothing
        } else {
            Self::Names(changed)
        }
    }

    /// Whether an importer of `names` (an edge's `names`) can see this change.
    pub fn affects(&self, names: &[u64]) -> bool {
        match self {
            Self::Nothing => false,
            Self::Names(changed) => names.iter().any(|name| changed.contains(name)),
            Self::Everything => !names.is_empty(),
        }
    }

    /// Adds `other` to this change; whether anything was added.
    pub fn absorb(&mut self, other: &ExportChange) -> bool {
        match (&mut *self, other) {
            (_, Self::Nothing) | (Self::Everything, _) => false,
            (this, Self::Everything) => {
                *this = Self::Everything;
                true
            }
            (Self::Nothing, Self::Names(names)) => {
                *self = Self::Names(names.clone());
                true
            }
            (Self::Names(mine), Self::Names(names)) => {
                let before = mine.len();
                mine.extend(names.iter().copied());
                mine.len() != before
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exports(names: &[&str]) -> ModuleExports {
        let mut names: Vec<String> = names.iter().map(|name| name.to_string()).collect();
        names.sort();
        ModuleExports {
            names,
            ..ModuleExports::default()
        }
    }

    #[test]
    fn a_rename_changes_the_old_and_the_new_name_only() {
        let change = ExportChange::between(
            &exports(&["a", "helper", "z"]),
            &exports(&["a", "helperx", "z"]),
        );
        let expected: FxHashSet<u64> = [name_key("helper"), name_key("helperx")]
            .into_iter()
            .collect();
        assert_eq!(change, ExportChange::Names(expected));
        assert!(change.affects(&[name_key("helper")]));
        assert!(!change.affects(&[name_key("a"), name_key("z")]));
        assert!(
            !change.affects(&[]),
            "a plain `import m` depends on no name"
        );
    }

    #[test]
    fn the_same_names_are_no_change_and_a_parse_error_is_every_change() {
        let before = exports(&["a", "b"]);
        assert_eq!(
            ExportChange::between(&before, &before.clone()),
            ExportChange::Nothing
        );
        let broken = ModuleExports {
            incomplete: true,
            ..before.clone()
        };
        assert_eq!(
            ExportChange::between(&before, &broken),
            ExportChange::Everything
        );
        let star = ModuleExports {
            star_imports: vec![("m".to_string(), 0)],
            ..before.clone()
        };
        assert_eq!(
            ExportChange::between(&before, &star),
            ExportChange::Everything
        );
    }

    #[test]
    fn changes_add_up() {
        let mut change = ExportChange::Nothing;
        assert!(change.absorb(&ExportChange::Names([1].into_iter().collect())));
        assert!(!change.absorb(&ExportChange::Names([1].into_iter().collect())));
        assert!(change.absorb(&ExportChange::Names([2].into_iter().collect())));
        assert!(change.affects(&[2]));
        assert!(change.absorb(&ExportChange::Everything));
        assert!(!change.absorb(&ExportChange::Names([3].into_iter().collect())));
        assert_eq!(change, ExportChange::Everything);
    }
}

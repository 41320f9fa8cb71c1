//! A Python file's edges in the workspace's dependency graph: each workspace file it imports,
//! with the names its findings depend on. The workspace walks these backwards after an edit to
//! check only the importers whose findings can change.
//!
//! An importer's findings depend on another workspace file only through `import_diagnostics`:
//! `import m` needs `m` to exist (a question about the set of files, not their text), and
//! `from m import a, b` needs `m` to define `a` and `b` (`member_lookup`), directly or through
//! its star imports. So the edge records the names, and whether it is a star import (the
//! importer then exports what the module exports, and its own importers see the change).

use std::sync::Arc;

use ripple_core::{Db, Dependency, SourceFile, name_key};

use crate::queries::{absolute_module, file_module, imports, resolve_import};
use crate::resolve::{ModuleKind, ResolvedModule, submodule};
use crate::semantic::ImportKind;

/// The workspace files this file imports (modules, and submodules named by `from m import sub`).
#[salsa::tracked(returns(ref))]
pub fn imported_files(db: &dyn Db, file: SourceFile) -> Arc<[Dependency]> {
    let importer = file_module(db, file);
    let mut found: Vec<Dependency> = Vec::new();
    let mut add = |target: SourceFile, names: &[u64], star: bool| match found
        .iter_mut()
        .find(|edge| edge.file == target)
    {
        Some(edge) => {
            let mut merged: Vec<u64> = edge.names.iter().chain(names).copied().collect();
            merged.sort_unstable();
            merged.dedup();
            edge.names = merged.into();
            edge.reexports |= star;
        }
        None => {
            let mut names = names.to_vec();
            names.sort_unstable();
            names.dedup();
            found.push(Dependency {
                file: target,
                names: names.into(),
                reexports: star,
            });
        }
    };
    for request in imports(db, file).iter() {
        let Ok(absolute) = absolute_module(importer.as_ref(), request.level, &request.module)
        else {
            continue;
        };
        let Some(target) = resolve_import(db, file, request.level, &absolute) else {
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

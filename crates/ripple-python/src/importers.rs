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

use crate::queries::{absolute_module, importer_module, imports, resolve_import};
use crate::resolve::{ModuleKind, ResolvedModule, submodule};
use crate::semantic::ImportKind;

/// The workspace files this file imports (modules, and submodules named by `from m import sub`).
#[salsa::tracked(returns(ref))]
pub fn imported_files(db: &dyn Db, file: SourceFile) -> Arc<[Dependency]> {
    let importer = importer_module(db, file);
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

/// The names through which the file's imports look for files (`Language::lookups`): every part
/// of every module it imports, as written and made absolute (a relative import looks in its
/// package), and every name it imports from one (a submodule may answer for it). Resolution
/// tries nothing else: a file coming or going (`presence`) changes where one of this file's
/// imports resolves only if it is found by one of these names.
#[salsa::tracked(returns(ref))]
pub fn lookups(db: &dyn Db, file: SourceFile) -> Arc<[u64]> {
    let importer = importer_module(db, file);
    let mut keys: Vec<u64> = Vec::new();
    for request in imports(db, file).iter() {
        let parts = |module: &str| {
            module
                .split('.')
                .filter(|part| !part.is_empty())
                .map(name_key)
                .collect::<Vec<u64>>()
        };
        keys.extend(parts(&request.module));
        if let Ok(absolute) = absolute_module(importer.as_ref(), request.level, &request.module) {
            keys.extend(parts(&absolute));
        }
        keys.extend(request.names.iter().map(|(name, _)| name_key(name)));
    }
    keys.sort_unstable();
    keys.dedup();
    keys.into()
}

/// The names by which an import finds `path` when it comes or goes (`Language::presence`): a
/// module file by its name (a package's `__init__` by its folder's), a folder by its own (a
/// namespace package, or the package its files make).
pub fn presence(path: &std::path::Path, is_dir: bool) -> ripple_core::Presence {
    use ripple_core::Presence;
    let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
        // A name that is not UTF-8 names no module; say so only when sure.
        return Presence::Unknown;
    };
    if is_dir {
        return Presence::Names(vec![name.to_string()]);
    }
    // Sources, stubs and compiled modules (`m.cpython-311-x86_64-linux-gnu.so`, `m.pyd`).
    let Some((stem, _)) = name.split_once('.') else {
        return Presence::Irrelevant;
    };
    let module = name.ends_with(".py")
        || name.ends_with(".pyi")
        || name.ends_with(".so")
        || name.ends_with(".pyd");
    if !module {
        return Presence::Irrelevant;
    }
    if stem == "__init__" {
        return match path
            .parent()
            .and_then(|folder| folder.file_name())
            .and_then(|folder| folder.to_str())
        {
            Some(folder) => Presence::Names(vec![folder.to_string()]),
            None => Presence::Unknown,
        };
    }
    Presence::Names(vec![stem.to_string()])
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use ripple_core::Presence;

    use super::presence;

    #[test]
    fn modules_are_found_by_their_name_packages_by_their_folder_s() {
        let names = |path: &str, is_dir: bool| presence(Path::new(path), is_dir);
        let named = |name: &str| Presence::Names(vec![name.to_string()]);
        assert_eq!(names("/w/app/models.py", false), named("models"));
        assert_eq!(names("/w/app/models.pyi", false), named("models"));
        assert_eq!(names("/w/app/__init__.py", false), named("app"));
        assert_eq!(
            names("/w/app/_speed.cpython-311-x86_64-linux-gnu.so", false),
            named("_speed")
        );
        assert_eq!(names("/w/app", true), named("app"));
        assert_eq!(names("/w/README.md", false), Presence::Irrelevant);
        assert_eq!(names("/w/Makefile", false), Presence::Irrelevant);
    }
}

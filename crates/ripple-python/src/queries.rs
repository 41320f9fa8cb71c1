//! The tracked queries of the Python analysis, from a file's text to its diagnostics:
//!
//! ```text
//! analysis(file) ─┬─ local_diagnostics(file) ─────────────────────────────────────────────┐
//!                 ├─ imports(file) ───────────────────────┐                               ├─ all_diagnostics
//!                 └─ exports(file) ─ member_lookup(name) ─┴─ import_diagnostics(importer) ┘
//!                                    resolve_module(name) ┘
//! ```
//!
//! `exports`, `imports` and `local_diagnostics` compare equal across edits that do not change
//! them, so salsa backdates them and an edit inside a function body re-runs nothing that depends
//! only on what the file exports; `member_lookup` answers for one name, so an edit that adds or
//! removes a name re-runs only the import checks of that name's importers.

use std::borrow::Cow;
use std::sync::Arc;

use ripple_core::{
    Db, Diagnostic, Exports, FileContents, IO_ERROR_CODE, LineIndex, SourceFile, Suppressions,
    TextRange,
};
use rustc_hash::FxHashSet;

use crate::db::{SearchRoot, SearchRootKind, document_parses, search_roots};
use crate::module_name::{ModuleName, module_name_of_path};
use crate::resolve::{
    ModuleKind, ResolvedModule, resolve_from_script_dir, resolve_module, script_dir, submodule,
};
use crate::rules::Rule;
use crate::semantic::{FileAnalysis, ImportKind, ImportRequest, analyze_parsed, analyze_source};
use crate::stored;

/// Parses and analyses one file. The tree is not kept: the analysis is all later queries need,
/// and keeping every tree of a large workspace would cost more memory than the text itself.
/// Open documents are the exception: their trees are kept outside salsa, up to date with each
/// edit (`DocumentParses`), and used here when they match the text.
///
/// Only the most recently used analyses are kept whole (salsa's LRU, applied at each new
/// revision): the queries below keep the parts of it they hand on, and what no query kept (a
/// file's line index and local findings, when its findings came from the store) is not held
/// for 100,000 files. An evicted analysis is found again in the store, or computed again.
#[salsa::tracked(returns(ref), lru = 4096)]
pub fn analysis(db: &dyn Db, file: SourceFile) -> FileAnalysis {
    let path = file.path(db);
    let file_name = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("");
    let is_package_init = matches!(file_name, "__init__.py" | "__init__.pyi");
    let is_stub = file_name.ends_with(".pyi");
    let documents = document_parses(db);
    match file.contents(db) {
        FileContents::Text(text) => match documents.and_then(|trees| trees.get(path, text)) {
            Some(tree) => analyze_parsed(text, &tree, is_package_init, is_stub),
            None => {
                documents.inspect(|trees| trees.count_full());
                analyze_source(text, is_package_init, is_stub)
            }
        },
        // Never an open document (that would be `Text`): from the store when the file's bytes
        // were analysed before (known from its stat, else from reading it), else a full parse.
        FileContents::OnDisk(known) => {
            let key = |digest| stored::analysis_key(digest, is_package_init, is_stub);
            if let Some(analysis) = known
                .as_ref()
                .and_then(|digest| stored::load(db, &key(digest)))
            {
                return analysis;
            }
            match db.read_file(path) {
                Ok(read) => {
                    let key = read.digest.as_ref().map(key);
                    if let Some(analysis) = key.as_ref().and_then(|key| stored::load(db, key)) {
                        return analysis;
                    }
                    documents.inspect(|trees| trees.count_full());
                    let analysis = analyze_source(&read.text, is_package_init, is_stub);
                    if let Some(key) = key {
                        stored::save(db, &key, &analysis);
                    }
                    analysis
                }
                Err(failure) => unanalysable_contents(&failure),
            }
        }
        failure => unanalysable_contents(failure),
    }
}

fn unanalysable_contents(failure: &FileContents) -> FileAnalysis {
    match failure {
        FileContents::Undecodable(reason) => unanalysable(Rule::SyntaxError.code(), reason),
        FileContents::Unreadable(reason) => unanalysable(IO_ERROR_CODE, reason),
        // `read_file` answers with text or a failure, never these.
        FileContents::Text(_) | FileContents::OnDisk(_) => {
            unanalysable(IO_ERROR_CODE, "the file's text could not be read")
        }
    }
}

fn unanalysable(code: &'static str, reason: &str) -> FileAnalysis {
    FileAnalysis::unparsable_with_code(code, reason)
}

/// What the file defines for its importers.
#[salsa::tracked(returns(ref))]
pub fn exports(db: &dyn Db, file: SourceFile) -> Arc<Exports> {
    analysis(db, file).exports.clone()
}

/// The imports the file makes.
#[salsa::tracked(returns(ref))]
pub fn imports(db: &dyn Db, file: SourceFile) -> Arc<[ImportRequest]> {
    analysis(db, file).imports.clone()
}

/// Findings that depend on this file alone.
#[salsa::tracked(returns(ref))]
pub fn local_diagnostics(db: &dyn Db, file: SourceFile) -> Arc<[Diagnostic]> {
    analysis(db, file).diagnostics.clone()
}

/// The file's module name and whether it is a package, if it has one.
#[salsa::tracked(returns(ref))]
pub fn file_module(db: &dyn Db, file: SourceFile) -> Option<(String, bool)> {
    module_name_of_path(file.path(db), search_roots(db))
}

/// The name a file's relative imports start from: its module name on the search path, else
/// its name under the folder it runs from (`resolve::script_dir`, the first folder above it
/// that is not a package), as Python gives it when that folder is on `sys.path` (pytest puts a
/// test's there; `python -m` its working directory): `proj-1.0/pkg/rel.py` is `pkg.rel`, so its
/// `from .template import x` is `pkg.template`, found in `proj-1.0/`.
#[salsa::tracked(returns(ref))]
pub fn importer_module(db: &dyn Db, file: SourceFile) -> Option<(String, bool)> {
    if let Some(name) = file_module(db, file) {
        return Some(name.clone());
    }
    let dir = script_dir(db, file).as_ref()?;
    module_name_of_path(
        file.path(db),
        &[SearchRoot {
            path: dir.clone(),
            kind: SearchRootKind::Workspace,
        }],
    )
}

/// Findings that depend on other files: unresolved imports and missing module members.
#[salsa::tracked(returns(ref))]
pub fn import_diagnostics(db: &dyn Db, file: SourceFile) -> Vec<Diagnostic> {
    let requests = imports(db, file);
    if requests.is_empty() {
        return Vec::new();
    }
    let importer = importer_module(db, file);
    let mut diagnostics = Vec::new();
    for request in requests.iter() {
        check_import(db, file, importer.as_ref(), request, &mut diagnostics);
    }
    diagnostics.sort_by(|a, b| (a.range, a.code).cmp(&(b.range, b.code)));
    diagnostics.dedup();
    diagnostics
}

/// Where the analysed text's lines are: what turns the file's findings into positions, for
/// files whose text is no longer held.
#[salsa::tracked(returns(ref))]
pub fn line_index(db: &dyn Db, file: SourceFile) -> Arc<LineIndex> {
    analysis(db, file).lines.clone()
}

/// The file's `# noqa` comments.
#[salsa::tracked(returns(ref))]
pub fn noqa_directives(db: &dyn Db, file: SourceFile) -> Arc<Suppressions> {
    analysis(db, file).noqa.clone()
}

/// Every finding for the file, sorted by position, `# noqa` not applied.
#[salsa::tracked(returns(ref))]
pub fn all_diagnostics(db: &dyn Db, file: SourceFile) -> Arc<[Diagnostic]> {
    let local = local_diagnostics(db, file);
    let imported = import_diagnostics(db, file);
    if imported.is_empty() {
        // Most files: the local findings, already sorted, shared rather than copied.
        return local.clone();
    }
    let mut diagnostics = local.to_vec();
    diagnostics.extend(imported.iter().cloned());
    diagnostics.sort_by(|a, b| (a.range, a.code).cmp(&(b.range, b.code)));
    diagnostics.into()
}

fn report(diagnostics: &mut Vec<Diagnostic>, rule: Rule, range: TextRange, message: String) {
    diagnostics.push(Diagnostic::new(
        rule.code(),
        rule.severity(),
        range,
        message,
    ));
}

/// Turns a relative import into an absolute module name, from the importing module's name.
pub(crate) fn absolute_module<'a>(
    importer: Option<&(String, bool)>,
    level: u32,
    module: &'a str,
) -> Result<Cow<'a, str>, &'static str> {
    if level == 0 {
        return Ok(Cow::Borrowed(module));
    }
    let Some((name, is_package)) = importer else {
        return Err("relative import in a file that is not part of a package");
    };
    let mut parts: Vec<&str> = name.split('.').collect();
    if !is_package {
        parts.pop();
    }
    for _ in 1..level {
        if parts.pop().is_none() {
            break;
        }
    }
    let levels_available = parts.len();
    if levels_available == 0 {
        return Err("relative import beyond the top-level package");
    }
    if !module.is_empty() {
        parts.push(module);
    }
    Ok(Cow::Owned(parts.join(".")))
}

pub(crate) fn resolve<'db>(db: &'db dyn Db, name: &str) -> Option<&'db ResolvedModule> {
    resolve_module(db, ModuleName::new(db, name)).as_ref()
}

/// The module an import in `importer` names (`absolute`, already made absolute from `level`
/// dots): on the search path, else, for an absolute import, in the folder `importer` runs from.
/// The one resolution of an import: the checks, the star-import walk and the dependency graph
/// all ask this, so that an edge exists wherever a finding read another file.
pub(crate) fn resolve_import<'db>(
    db: &'db dyn Db,
    importer: SourceFile,
    level: u32,
    absolute: &str,
) -> Option<&'db ResolvedModule> {
    // A relative import of a file named from the folder it runs from resolves there alone.
    if level > 0 && file_module(db, importer).is_none() {
        return resolve_from_script_dir(db, importer, absolute);
    }
    match resolve(db, absolute) {
        Some(target) => Some(target),
        None if level == 0 => resolve_from_script_dir(db, importer, absolute),
        None => None,
    }
}

fn check_import(
    db: &dyn Db,
    file: SourceFile,
    importer: Option<&(String, bool)>,
    request: &ImportRequest,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if request.level == 0 && request.module == "__future__" {
        return;
    }
    if request.level > 0 && importer.is_none() {
        // A script outside any importable package: Python's behaviour depends on how it is run.
        return;
    }
    // Only a finding shows the import as written: most imports resolve.
    let shown = || format!("{}{}", ".".repeat(request.level as usize), request.module);
    let absolute = match absolute_module(importer, request.level, &request.module) {
        Ok(absolute) => absolute,
        Err(reason) => {
            if !request.optional {
                report(
                    diagnostics,
                    Rule::UnresolvedImport,
                    request.range,
                    format!("cannot resolve import `{}`: {reason}", shown()),
                );
            }
            return;
        }
    };
    let Some(target) = resolve_import(db, file, request.level, &absolute) else {
        if !request.optional {
            report(
                diagnostics,
                Rule::UnresolvedImport,
                request.range,
                format!(
                    "cannot resolve import `{}`: no such module on the search path",
                    shown()
                ),
            );
        }
        return;
    };
    if request.kind != ImportKind::From || !target.is_first_party() {
        return;
    }
    let mut visited = FxHashSet::default();
    for (name, range) in &request.names {
        visited.clear();
        if module_may_define(db, target, name, &mut visited) {
            continue;
        }
        // A submodule is a member of its package (`from . import sub`). Asked second: most
        // imported names are defined, and this asks the file system.
        if submodule(db, target, name).is_none() {
            report(
                diagnostics,
                Rule::MissingModuleMember,
                *range,
                format!("module `{absolute}` has no member `{name}`"),
            );
        }
    }
}

/// Whether `module` defines `name`, directly or through its star imports. Anything ripple cannot
/// see into (a library, an unresolved star import, a file that does not parse) may define it.
fn module_may_define(
    db: &dyn Db,
    module: &ResolvedModule,
    name: &str,
    visited: &mut FxHashSet<SourceFile>,
) -> bool {
    let file = match module.kind {
        ModuleKind::Source(file) => file,
        ModuleKind::Namespace => return false,
        ModuleKind::External(_) | ModuleKind::Stdlib => return true,
    };
    if !visited.insert(file) {
        return false;
    }
    match member_lookup(db, ModuleMember::new(db, file, name)) {
        MemberLookup::MayBeDefined => return true,
        MemberLookup::NotDefined => return false,
        MemberLookup::ThroughStarImports => {}
    }
    let module_name = importer_module(db, file);
    for source in &exports(db, file).reexported_from {
        // As the checker keeps them: a relative import's leading dots, then the module.
        let star_module = source.trim_start_matches('.');
        let level = (source.len() - star_module.len()) as u32;
        let Ok(absolute) = absolute_module(module_name.as_ref(), level, star_module) else {
            return true;
        };
        match resolve_import(db, file, level, &absolute) {
            None => return true,
            Some(target) => {
                if module_may_define(db, target, name, visited) {
                    return true;
                }
            }
        }
    }
    false
}

/// A name imported from a workspace module: the key of `member_lookup`.
#[salsa::interned(debug)]
struct ModuleMember<'db> {
    file: SourceFile,
    #[returns(ref)]
    name: String,
}

/// What a module's own exports say about one name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum MemberLookup {
    /// Defined, or the module may define anything (`__getattr__`, a file that does not parse).
    MayBeDefined,
    NotDefined,
    /// Not defined by the module itself; its star imports may bring it.
    ThroughStarImports,
}

/// Whether the module defines one name. Importers depend on this rather than on the module's
/// whole `exports`, so removing or adding a name re-checks only the files importing that name:
/// a rename in a module imported by thousands of files re-runs the import checks of the few
/// that use it, and every other importer's check is backdated.
#[salsa::tracked]
fn member_lookup<'db>(db: &'db dyn Db, member: ModuleMember<'db>) -> MemberLookup {
    let exported = exports(db, *member.file(db));
    if exported.open || exported.defines(member.name(db)) {
        MemberLookup::MayBeDefined
    } else if exported.reexported_from.is_empty() {
        MemberLookup::NotDefined
    } else {
        MemberLookup::ThroughStarImports
    }
}

//! Import resolution with `sys.path` semantics: the first search root that has a module wins,
//! packages (`__init__`) before modules, stubs (`.pyi`) before sources, and directories without
//! `__init__` merged across roots into namespace packages (PEP 420). Submodules are searched in
//! their parent's directories only, as Python's import system does.

use std::path::{Path, PathBuf};

use ripple_core::{Db, PathKind, SourceFile};

use crate::db::{SearchRootKind, search_roots};
use crate::module_name::ModuleName;
use crate::stdlib::is_stdlib_module;

/// What an import found.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ModuleKind {
    /// A workspace file: first-party, analysed, its members checked.
    Source(SourceFile),
    /// A file on disk outside the workspace (a library, an extra path): exists, not loaded.
    External(PathBuf),
    /// A namespace package: directories only.
    Namespace,
    /// A standard library module known by name.
    Stdlib,
}

/// A directory in which a package's submodules are searched.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchDir {
    pub path: PathBuf,
    /// Looked up among the workspace's files rather than on disk.
    pub in_workspace: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResolvedModule {
    pub kind: ModuleKind,
    pub search_dirs: Vec<SearchDir>,
}

impl ResolvedModule {
    /// Only workspace modules have their members checked.
    pub fn is_first_party(&self) -> bool {
        match self.kind {
            ModuleKind::Source(_) => true,
            ModuleKind::Namespace => {
                !self.search_dirs.is_empty() && self.search_dirs.iter().all(|dir| dir.in_workspace)
            }
            ModuleKind::External(_) | ModuleKind::Stdlib => false,
        }
    }
}

/// Resolves a dotted module name. Equal results backdate, so a new file elsewhere in the
/// workspace re-runs this cheap lookup but nothing that depends on an unchanged answer.
#[salsa::tracked(returns(ref))]
pub fn resolve_module<'db>(db: &'db dyn Db, name: ModuleName<'db>) -> Option<ResolvedModule> {
    let project = db.project();
    // Resolutions that looked at the disk must run again when the disk may have changed.
    let _ = project.disk_generation(db);
    let dotted = name.dotted(db);
    match dotted.rsplit_once('.') {
        None => resolve_top_level(db, dotted),
        Some((parent, last)) => {
            let parent = ModuleName::new(db, parent);
            let parent = resolve_module(db, parent).as_ref()?;
            if parent.kind == ModuleKind::Stdlib {
                return is_stdlib_module(dotted).then(|| ResolvedModule {
                    kind: ModuleKind::Stdlib,
                    search_dirs: Vec::new(),
                });
            }
            find_in_dirs(db, parent.search_dirs.iter().cloned(), last)
        }
    }
}

fn resolve_top_level(db: &dyn Db, name: &str) -> Option<ResolvedModule> {
    let mut namespace_dirs = Vec::new();
    for root in search_roots(db) {
        let dir = match root.kind {
            SearchRootKind::BuiltinStdlib => {
                // A real module beats namespace folders met earlier on the path (PEP 420), so an
                // `email/` folder without `__init__.py` does not hide the standard library.
                if is_stdlib_module(name) {
                    return Some(ResolvedModule {
                        kind: ModuleKind::Stdlib,
                        search_dirs: Vec::new(),
                    });
                }
                continue;
            }
            SearchRootKind::Workspace => SearchDir {
                path: root.path.clone(),
                in_workspace: true,
            },
            SearchRootKind::Extra | SearchRootKind::Library => SearchDir {
                path: root.path.clone(),
                in_workspace: false,
            },
        };
        match find_in_dir(db, &dir, name) {
            Found::Module(module) => return Some(module),
            Found::NamespacePortion(portion) => namespace_dirs.push(portion),
            Found::Nothing => {}
        }
    }
    namespace(namespace_dirs)
}

fn find_in_dirs(
    db: &dyn Db,
    dirs: impl Iterator<Item = SearchDir>,
    name: &str,
) -> Option<ResolvedModule> {
    let mut namespace_dirs = Vec::new();
    for dir in dirs {
        match find_in_dir(db, &dir, name) {
            Found::Module(module) => return Some(module),
            Found::NamespacePortion(portion) => namespace_dirs.push(portion),
            Found::Nothing => {}
        }
    }
    namespace(namespace_dirs)
}

fn namespace(dirs: Vec<SearchDir>) -> Option<ResolvedModule> {
    (!dirs.is_empty()).then_some(ResolvedModule {
        kind: ModuleKind::Namespace,
        search_dirs: dirs,
    })
}

enum Found {
    Module(ResolvedModule),
    NamespacePortion(SearchDir),
    Nothing,
}

/// Looks for `name` in one directory: package, then stub, then module, then namespace portion.
fn find_in_dir(db: &dyn Db, dir: &SearchDir, name: &str) -> Found {
    let package_dir = dir.path.join(name);
    if dir.in_workspace {
        let project = db.project();
        let files = project.files(db);
        for init in ["__init__.pyi", "__init__.py"] {
            if let Some(file) = files.get(&package_dir.join(init)) {
                return Found::Module(ResolvedModule {
                    kind: ModuleKind::Source(*file),
                    search_dirs: vec![SearchDir {
                        path: package_dir,
                        in_workspace: true,
                    }],
                });
            }
        }
        for extension in ["pyi", "py"] {
            if let Some(file) = files.get(&dir.path.join(format!("{name}.{extension}"))) {
                return Found::Module(ResolvedModule {
                    kind: ModuleKind::Source(*file),
                    search_dirs: Vec::new(),
                });
            }
        }
        if project.directories(db).contains(&package_dir) {
            return Found::NamespacePortion(SearchDir {
                path: package_dir,
                in_workspace: true,
            });
        }
    }
    // Outside the workspace, or excluded from it (a `build/` folder, a vendored tree): the disk
    // decides, and the module is not analysed.
    find_on_disk(db, &dir.path, &package_dir, name)
}

fn find_on_disk(db: &dyn Db, dir: &Path, package_dir: &Path, name: &str) -> Found {
    for init in ["__init__.pyi", "__init__.py"] {
        let path = package_dir.join(init);
        if db.path_kind(&path) == PathKind::File {
            return Found::Module(ResolvedModule {
                kind: ModuleKind::External(path),
                search_dirs: vec![SearchDir {
                    path: package_dir.to_path_buf(),
                    in_workspace: false,
                }],
            });
        }
    }
    for extension in ["pyi", "py"] {
        let path = dir.join(format!("{name}.{extension}"));
        if db.path_kind(&path) == PathKind::File {
            return Found::Module(ResolvedModule {
                kind: ModuleKind::External(path),
                search_dirs: Vec::new(),
            });
        }
    }
    // Compiled extension modules: `name.so`, `name.cpython-311-x86_64-linux-gnu.so`, `name.pyd`.
    let prefix = format!("{name}.");
    if let Some(extension) = db
        .entries_starting_with(dir, &prefix)
        .into_iter()
        .find(|entry| {
            entry.strip_prefix(&prefix).is_some_and(|rest| {
                rest.ends_with(".so") || rest.ends_with(".pyd") || rest == "so" || rest == "pyd"
            })
        })
    {
        return Found::Module(ResolvedModule {
            kind: ModuleKind::External(dir.join(extension.as_str())),
            search_dirs: Vec::new(),
        });
    }
    if db.path_kind(package_dir) == PathKind::Directory {
        return Found::NamespacePortion(SearchDir {
            path: package_dir.to_path_buf(),
            in_workspace: false,
        });
    }
    Found::Nothing
}

/// The submodule `name` of a resolved package, searched in the package's own directories.
pub fn submodule(db: &dyn Db, package: &ResolvedModule, name: &str) -> Option<ResolvedModule> {
    find_in_dirs(db, package.search_dirs.iter().cloned(), name)
}

/// Resolves an absolute import from the folder a script or test runs in. Python puts a script's
/// folder first on `sys.path`, and pytest (in its default mode) the first folder above a test
/// file that is not a package; `tests/test_a.py` importing its sibling `helpers` works either
/// way. Tried only for imports the search roots cannot resolve.
pub fn resolve_from_script_dir<'db>(
    db: &'db dyn Db,
    importer: SourceFile,
    dotted: &str,
) -> Option<&'db ResolvedModule> {
    let dir = script_dir(db, importer).as_ref()?;
    let key = ScriptDirImport::new(db, dir, dotted);
    resolve_script_dir_import(db, key).as_ref()
}

/// The folder a file runs from as a script or test: its own, or the first above it that is not
/// a package. `None` when that folder is a search root, which resolution already searched.
/// Kept per file, so that the walk up is made once per file rather than once per import, and
/// the lookups below are shared by every file that runs from the same folder.
#[salsa::tracked(returns(ref))]
pub(crate) fn script_dir(db: &dyn Db, file: SourceFile) -> Option<PathBuf> {
    let project = db.project();
    // Whether a folder is a package can depend on files outside the workspace.
    let _ = project.disk_generation(db);
    let mut dir = file.path(db).parent()?;
    while is_package_dir(db, dir) {
        dir = dir.parent()?;
    }
    if search_roots(db).iter().any(|root| root.path == dir) {
        return None;
    }
    Some(dir.to_path_buf())
}

/// A module name imported by files that run from folder `dir`: the key that lets them all share
/// one lookup (a folder of tests importing the same uninstalled library would otherwise walk the
/// disk once per file and import).
#[salsa::interned(debug)]
struct ScriptDirImport<'db> {
    #[returns(ref)]
    dir: PathBuf,
    #[returns(ref)]
    dotted: String,
}

#[salsa::tracked(returns(ref))]
fn resolve_script_dir_import<'db>(
    db: &'db dyn Db,
    key: ScriptDirImport<'db>,
) -> Option<ResolvedModule> {
    let project = db.project();
    // Like `resolve_module`, this looks at the disk.
    let _ = project.disk_generation(db);
    let dir = key.dir(db);
    let mut parts = key.dotted(db).split('.');
    let first = parts.next()?;
    let start = SearchDir {
        path: dir.clone(),
        in_workspace: project.directories(db).contains(dir),
    };
    let mut module = match find_in_dir(db, &start, first) {
        Found::Module(module) => module,
        Found::NamespacePortion(portion) => ResolvedModule {
            kind: ModuleKind::Namespace,
            search_dirs: vec![portion],
        },
        Found::Nothing => return None,
    };
    for part in parts {
        module = find_in_dirs(db, module.search_dirs.iter().cloned(), part)?;
    }
    Some(module)
}

fn is_package_dir(db: &dyn Db, dir: &Path) -> bool {
    let project = db.project();
    let files = project.files(db);
    ["__init__.py", "__init__.pyi"].iter().any(|init| {
        let path = dir.join(init);
        files.contains_key(&path) || db.path_kind(&path) == PathKind::File
    })
}

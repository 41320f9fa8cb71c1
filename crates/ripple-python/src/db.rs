use std::path::{Path, PathBuf};
use std::sync::Arc;

use ripple_core::SourceFile;
use rustc_hash::{FxHashMap, FxHashSet};

/// What a path is on disk, as far as module resolution cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    File,
    Directory,
    Missing,
}

/// Kinds of import roots, in the order Python's `sys.path` gives them meaning.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SearchRootKind {
    /// The workspace (or its `src/`): files are salsa inputs, first-party.
    Workspace,
    /// An `extra-paths` entry or other directory read from disk, not loaded.
    Extra,
    /// The standard library from the built-in list of module names (no interpreter needed).
    BuiltinStdlib,
    /// A standard library or site-packages directory of the configured interpreter.
    Library,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchRoot {
    pub path: PathBuf,
    pub kind: SearchRootKind,
}

/// The workspace as the database sees it: its files and where imports are searched.
#[salsa::input(debug)]
pub struct Project {
    /// Every workspace file, by absolute path.
    #[returns(ref)]
    pub files: Arc<FxHashMap<PathBuf, SourceFile>>,
    /// Every directory holding a workspace file, with its ancestors up to the workspace root.
    #[returns(ref)]
    pub directories: Arc<FxHashSet<PathBuf>>,
    /// Import roots, searched in order.
    #[returns(ref)]
    pub search_roots: Arc<[SearchRoot]>,
    /// Bumped whenever library directories may have changed on disk, so resolutions that
    /// looked at the disk run again.
    pub disk_generation: u64,
}

/// The database the Python analysis runs on.
#[salsa::db]
pub trait Db: ripple_core::Db {
    /// The one project of this database.
    fn project(&self) -> Project;

    /// What `path` is on disk. Implementations may cache; they must forget what they cached
    /// when `Project::disk_generation` changes.
    fn path_kind(&self, path: &Path) -> PathKind;

    /// The names of the entries of directory `dir` (empty when it cannot be read), cached like
    /// `path_kind`. Used to find compiled extension modules, whose file names vary by platform.
    fn directory_entries(&self, dir: &Path) -> Arc<[String]>;

    /// Reads a workspace file whose input is `FileContents::OnDisk`: its text, or why it has
    /// none (`Unreadable` or `Undecodable`: not UTF-8, too large...).
    fn read_file(&self, path: &Path) -> Result<String, ripple_core::FileContents>;

    /// The trees of open documents, which the analysis uses instead of parsing again.
    fn document_parses(&self) -> &crate::parse::DocumentParses;
}

//! The workspace as the database sees it: its files and folders.

use std::path::PathBuf;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::file::SourceFile;

/// What a path is on disk, for languages resolving imports outside the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PathKind {
    File,
    Directory,
    Missing,
}

/// The one project of a database: every workspace file of every language, and the folders
/// holding them.
#[salsa::input(debug)]
pub struct Project {
    /// Every workspace file, by absolute path.
    #[returns(ref)]
    pub files: Arc<FxHashMap<PathBuf, SourceFile>>,
    /// Every directory holding a workspace file, with its ancestors up to the workspace root.
    #[returns(ref)]
    pub directories: Arc<FxHashSet<PathBuf>>,
    /// Bumped whenever paths outside the file set may have changed on disk, so that answers
    /// that looked at the disk (`Db::path_kind`) are computed again.
    pub disk_generation: u64,
}

//! Helpers shared by ripple's end-to-end tests.

pub mod lsp_client;

use std::path::{Path, PathBuf};

/// Writes `files` (relative path, text) under a new temporary directory.
pub fn write_tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir =
        tempfile::tempdir().unwrap_or_else(|error| panic!("cannot create a temp dir: {error}"));
    for (path, text) in files {
        write_file(dir.path(), path, text.as_bytes());
    }
    dir
}

/// Writes one file, creating its parent directories.
pub fn write_file(root: &Path, relative: &str, bytes: &[u8]) -> PathBuf {
    let path = root.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|error| panic!("cannot create {}: {error}", parent.display()));
    }
    std::fs::write(&path, bytes)
        .unwrap_or_else(|error| panic!("cannot write {}: {error}", path.display()));
    path
}

/// The canonical form of a temporary directory's path (macOS and some CI systems link /tmp).
pub fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

//! Finding the workspace root and walking it for source files.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;

use ripple_core::{LanguageId, Languages};

use crate::config::Config;
use crate::paths::{FileRole, exclude_matcher, file_role, is_excluded_dir};

/// Markers of a workspace root, nearest first.
const ROOT_MARKERS: &[&str] = &["ripple.toml", "pyproject.toml", ".git"];

/// The workspace root for `path`: the nearest ancestor (or `path` itself) holding `ripple.toml`,
/// `pyproject.toml` or `.git`, else `path` (its folder, for a file).
pub fn find_root(path: &Path) -> PathBuf {
    find_marked_root(path).unwrap_or_else(|| start_dir(path).to_path_buf())
}

/// The nearest ancestor of `path` (or `path` itself) holding a root marker, if any.
pub fn find_marked_root(path: &Path) -> Option<PathBuf> {
    start_dir(path)
        .ancestors()
        .find(|dir| ROOT_MARKERS.iter().any(|marker| dir.join(marker).exists()))
        .map(Path::to_path_buf)
}

fn start_dir(path: &Path) -> &Path {
    if path.is_file() {
        path.parent().unwrap_or(path)
    } else {
        path
    }
}

/// A problem met while walking, reported without stopping the walk.
#[derive(Debug, Clone)]
pub struct WalkProblem {
    pub path: Option<PathBuf>,
    pub message: String,
}

/// The result of walking a workspace.
#[derive(Debug, Default)]
pub struct WalkResult {
    /// Absolute paths of source files with their languages, sorted by path.
    pub files: Vec<(PathBuf, LanguageId)>,
    /// Every folder walked (the root included): what a kept walk checks is unchanged.
    pub folders: Vec<PathBuf>,
    pub problems: Vec<WalkProblem>,
}

/// Walks `root` for the source files of `languages`, honouring `.gitignore`/`.ignore` files inside the workspace,
/// hidden files, the built-in exclusions and the config's `exclude`. Ignore files above the
/// root are not read: the root is the boundary of what ripple checks. Symbolic links are not
/// followed, so a link loop cannot trap the walk.
pub fn walk_workspace(root: &Path, config: &Config, languages: &Languages) -> WalkResult {
    let mut result = WalkResult::default();
    let mut glob_problems = Vec::new();
    let excludes = exclude_matcher(config, &mut glob_problems);
    result
        .problems
        .extend(glob_problems.into_iter().map(|message| WalkProblem {
            path: None,
            message,
        }));
    let excludes_for_filter = excludes.clone();
    let root_for_filter = root.to_path_buf();
    let walker = WalkBuilder::new(root)
        .hidden(true)
        .parents(false)
        .git_ignore(true)
        .git_global(false)
        .git_exclude(true)
        .require_git(false)
        .follow_links(false)
        .filter_entry(move |entry| {
            let path = entry.path();
            if entry.depth() == 0 {
                return true;
            }
            let relative = path.strip_prefix(&root_for_filter).unwrap_or(path);
            if excludes_for_filter.is_match(relative) {
                return false;
            }
            let is_dir = entry.file_type().is_some_and(|kind| kind.is_dir());
            !(is_dir && is_excluded_dir(path))
        })
        .build_parallel();
    let found = std::sync::Mutex::new(WalkResult::default());
    walker.run(|| {
        Box::new(|entry| {
            let mut found = found
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            match entry {
                Ok(entry) => {
                    let path = entry.path();
                    let is_dir = entry.file_type().is_some_and(|kind| kind.is_dir());
                    if is_dir {
                        found.folders.push(path.to_path_buf());
                    } else if let FileRole::Source(language) = file_role(languages, path) {
                        found.files.push((path.to_path_buf(), language));
                    }
                }
                Err(error) => found.problems.push(WalkProblem {
                    path: walk_error_path(&error),
                    message: error.to_string(),
                }),
            }
            ignore::WalkState::Continue
        })
    });
    let found = found
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    result.files.extend(found.files);
    result.folders.extend(found.folders);
    result.problems.extend(found.problems);
    result
        .files
        .sort_unstable_by(|(a, _), (b, _)| path_order(a, b));
    result.problems.sort_by(|a, b| a.path.cmp(&b.path));
    result
}

/// The order paths are kept in: by their bytes, which for the walk's absolute, normalised paths
/// is a fixed order as good as any. (Comparing `Path`s component by component made the sorts of
/// a 27,000-file walk a tenth of a second on the thread every worker waits for.)
pub(crate) fn path_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    a.as_os_str()
        .as_encoded_bytes()
        .cmp(b.as_os_str().as_encoded_bytes())
}

fn walk_error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error_path(err)
        }
        _ => None,
    }
}

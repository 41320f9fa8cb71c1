//! Finding the workspace root and walking it for Python files.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::WalkBuilder;

use crate::config::Config;

/// Markers of a workspace root, nearest first.
const ROOT_MARKERS: &[&str] = &["ripple.toml", "pyproject.toml", ".git"];

/// Directories never walked: version control, virtual environments, caches, build output and
/// dependency folders (the same list ruff excludes by default).
const ALWAYS_EXCLUDED_DIRS: &[&str] = &[
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pyenv",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pycache__",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
];

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

/// Whether `path` is a Python source or stub file by name.
pub fn is_python_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|ext| ext.to_str()),
        Some("py" | "pyi")
    )
}

/// Whether a directory is excluded by name or is a virtual environment.
pub fn is_excluded_dir(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("");
    ALWAYS_EXCLUDED_DIRS.contains(&name)
        || name.ends_with(".egg-info")
        || path.join("pyvenv.cfg").is_file()
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
    /// Absolute paths of Python files, sorted.
    pub files: Vec<PathBuf>,
    pub problems: Vec<WalkProblem>,
}

/// Compiles the config's `exclude` globs; bad globs become problems.
pub fn exclude_matcher(config: &Config, problems: &mut Vec<WalkProblem>) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for pattern in &config.exclude {
        // A pattern without a slash matches at any depth, as in .gitignore.
        let pattern = if pattern.contains('/') {
            pattern.trim_start_matches("./").to_string()
        } else {
            format!("**/{pattern}")
        };
        for pattern in [pattern.clone(), format!("{pattern}/**")] {
            match Glob::new(&pattern) {
                Ok(glob) => {
                    builder.add(glob);
                }
                Err(error) => problems.push(WalkProblem {
                    path: None,
                    message: format!("invalid exclude pattern `{pattern}`: {error}"),
                }),
            }
        }
    }
    builder.build().unwrap_or_else(|error| {
        problems.push(WalkProblem {
            path: None,
            message: format!("invalid exclude patterns: {error}"),
        });
        GlobSet::empty()
    })
}

/// Walks `root` for Python files, honouring `.gitignore`/`.ignore` files inside the workspace,
/// hidden files, the built-in exclusions and the config's `exclude`. Ignore files above the
/// root are not read: the root is the boundary of what ripple checks. Symbolic links are not
/// followed, so a link loop cannot trap the walk.
pub fn walk_workspace(root: &Path, config: &Config) -> WalkResult {
    let mut result = WalkResult::default();
    let excludes = exclude_matcher(config, &mut result.problems);
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
                    if !is_dir && is_python_file(path) {
                        found.files.push(path.to_path_buf());
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
    result.problems.extend(found.problems);
    sort_paths(&mut result.files);
    result.problems.sort_by(|a, b| a.path.cmp(&b.path));
    result
}

/// Sorts paths by their bytes, which for the walk's absolute, normalised paths is a fixed order
/// as good as any: comparing `Path`s component by component made the sorts of a 27,000-file
/// walk a tenth of a second on the thread every worker waits for.
pub(crate) fn sort_paths(paths: &mut [PathBuf]) {
    paths.sort_unstable_by(|a, b| {
        a.as_os_str()
            .as_encoded_bytes()
            .cmp(b.as_os_str().as_encoded_bytes())
    });
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

/// Files whose change alters which files the walk finds: a change to one reloads the workspace.
pub const IGNORE_FILE_NAMES: &[&str] = &[".gitignore", ".ignore"];

/// The walk's rules asked of one path at a time: whether `walk_workspace` would find a file. A
/// file created, changed or deleted on disk is judged by these, so a watcher's event never adds a
/// file that a fresh load of the workspace would skip (a `.gitignore`d, hidden or excluded one).
/// The ignore files read are cached for the life of the value: make one per batch of changes.
pub struct WalkRules {
    root: PathBuf,
    excludes: GlobSet,
    /// Per directory, its ignore files in precedence order (`.ignore` before `.gitignore`).
    ignore_files: std::collections::HashMap<PathBuf, Vec<ignore::gitignore::Gitignore>>,
    /// `.git/info/exclude`, lowest in precedence.
    git_exclude: Option<ignore::gitignore::Gitignore>,
}

impl WalkRules {
    pub fn new(root: &Path, config: &Config) -> Self {
        let exclude = root.join(".git").join("info").join("exclude");
        let git_exclude = exclude
            .is_file()
            .then(|| ignore::gitignore::Gitignore::new(&exclude).0);
        Self {
            root: root.to_path_buf(),
            excludes: exclude_matcher(config, &mut Vec::new()),
            ignore_files: std::collections::HashMap::new(),
            git_exclude,
        }
    }

    /// Whether the walk would find `path` as a Python file (its existence is not checked).
    pub fn includes(&mut self, path: &Path) -> bool {
        let Ok(relative) = path.strip_prefix(&self.root) else {
            return false;
        };
        if !is_python_file(path) {
            return false;
        }
        // Every folder on the way must be walked into, then the file itself kept.
        let mut current = self.root.clone();
        let components: Vec<_> = relative.components().collect();
        for (index, component) in components.iter().enumerate() {
            current.push(component);
            let is_dir = index + 1 < components.len();
            let hidden = current
                .file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with('.'));
            let relative = current.strip_prefix(&self.root).unwrap_or(&current);
            if hidden
                || self.excludes.is_match(relative)
                || (is_dir && is_excluded_dir(&current))
                || self.ignored(&current.clone(), is_dir)
            {
                return false;
            }
        }
        true
    }

    /// Whether ignore files inside the root ignore `path`: the deepest folder's files decide
    /// first, as in git (and in the `ignore` crate's walk).
    fn ignored(&mut self, path: &Path, is_dir: bool) -> bool {
        let mut folder = path.parent();
        while let Some(dir) = folder.filter(|dir| dir.starts_with(&self.root)) {
            for matcher in self.ignore_files_of(dir) {
                let verdict = matcher.matched(path, is_dir);
                if verdict.is_ignore() {
                    return true;
                }
                if verdict.is_whitelist() {
                    return false;
                }
            }
            folder = dir.parent();
        }
        self.git_exclude
            .as_ref()
            .is_some_and(|matcher| matcher.matched(path, is_dir).is_ignore())
    }

    fn ignore_files_of(&mut self, dir: &Path) -> &[ignore::gitignore::Gitignore] {
        self.ignore_files
            .entry(dir.to_path_buf())
            .or_insert_with(|| {
                [".ignore", ".gitignore"]
                    .into_iter()
                    .map(|name| dir.join(name))
                    .filter(|file| file.is_file())
                    .map(|file| ignore::gitignore::Gitignore::new(file).0)
                    .collect()
            })
    }
}

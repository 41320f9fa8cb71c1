//! Which paths matter: the one place that decides whether a path is a workspace source file (and
//! of which language), a configuration or ignore file, or something to pass over. The walk, the
//! judging of a disk change, the server's file watcher and the watch patterns it asks an editor
//! for all ask here, so that they can never disagree.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use ripple_core::{LanguageId, Languages};

use crate::config::{CONFIG_FILE_NAMES, Config};

/// Directories never walked: version control, virtual environments, caches, build output and
/// dependency folders (the list ruff excludes by default).
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

/// Files whose change alters which files the walk finds: a change to one reloads the workspace.
pub const IGNORE_FILE_NAMES: &[&str] = &[".gitignore", ".ignore"];

/// What a path is to the workspace, by its name alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRole {
    /// A source file of this language.
    Source(LanguageId),
    /// `ripple.toml` or `pyproject.toml`: settings.
    Config,
    /// `.gitignore` or `.ignore`: which files the walk finds.
    IgnoreFile,
    /// Nothing ripple reads.
    Other,
}

/// The role of `path`, by its name.
pub fn file_role(languages: &Languages, path: &Path) -> FileRole {
    let name = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("");
    if CONFIG_FILE_NAMES.contains(&name) {
        FileRole::Config
    } else if IGNORE_FILE_NAMES.contains(&name) {
        FileRole::IgnoreFile
    } else {
        languages
            .of_path(path)
            .map_or(FileRole::Other, FileRole::Source)
    }
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

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.starts_with('.'))
}

/// Compiles the config's `exclude` globs; a bad glob is described in `problems`.
pub fn exclude_matcher(config: &Config, problems: &mut Vec<String>) -> GlobSet {
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
                Err(error) => {
                    problems.push(format!("invalid exclude pattern `{pattern}`: {error}"))
                }
            }
        }
    }
    builder.build().unwrap_or_else(|error| {
        problems.push(format!("invalid exclude patterns: {error}"));
        GlobSet::empty()
    })
}

/// The glob patterns an editor watching files for ripple is asked to report: every language's
/// sources, the configuration and the ignore files.
pub fn watch_globs(languages: &Languages) -> Vec<String> {
    let mut globs: Vec<String> = languages
        .extensions()
        .map(|extension| format!("**/*.{extension}"))
        .collect();
    globs.extend(
        CONFIG_FILE_NAMES
            .iter()
            .chain(IGNORE_FILE_NAMES)
            .map(|name| format!("**/{name}")),
    );
    globs
}

/// Whether a change at `path` may matter to the workspace at `root`: a source, configuration or
/// ignore file outside hidden and excluded folders. A coarse test, for a file watcher's flood of
/// events (ignore files and `exclude` are applied when the change is applied, by
/// [`WalkRules`]).
pub fn may_matter(languages: &Languages, root: &Path, path: &Path) -> bool {
    if file_role(languages, path) == FileRole::Other {
        return false;
    }
    let relative = path.strip_prefix(root).unwrap_or(path);
    let mut current = root.to_path_buf();
    for component in relative.parent().into_iter().flat_map(Path::components) {
        current.push(component);
        if is_hidden(&current) || is_excluded_dir(&current) {
            return false;
        }
    }
    true
}

/// The walk's rules asked of one path at a time: whether `walk_workspace` would find a file. A
/// file created, changed or deleted on disk is judged by these, so a watcher's event never adds a
/// file that a fresh load of the workspace would skip (a `.gitignore`d, hidden or excluded one).
/// The ignore files read are cached for the life of the value: make one per batch of changes.
pub struct WalkRules {
    root: PathBuf,
    languages: Languages,
    excludes: GlobSet,
    /// Per directory, its ignore files in precedence order (`.ignore` before `.gitignore`).
    ignore_files: std::collections::HashMap<PathBuf, Vec<ignore::gitignore::Gitignore>>,
    /// `.git/info/exclude`, lowest in precedence.
    git_exclude: Option<ignore::gitignore::Gitignore>,
}

impl WalkRules {
    pub fn new(root: &Path, config: &Config, languages: &Languages) -> Self {
        let exclude = root.join(".git").join("info").join("exclude");
        let git_exclude = exclude
            .is_file()
            .then(|| ignore::gitignore::Gitignore::new(&exclude).0);
        Self {
            root: root.to_path_buf(),
            languages: languages.clone(),
            excludes: exclude_matcher(config, &mut Vec::new()),
            ignore_files: std::collections::HashMap::new(),
            git_exclude,
        }
    }

    /// The language of `path` if the walk would find it as a source file (its existence is not
    /// checked).
    pub fn source_language(&mut self, path: &Path) -> Option<LanguageId> {
        let FileRole::Source(language) = file_role(&self.languages, path) else {
            return None;
        };
        let relative = path.strip_prefix(&self.root).ok()?;
        // Every folder on the way must be walked into, then the file itself kept.
        let mut current = self.root.clone();
        let components: Vec<_> = relative.components().collect();
        for (index, component) in components.iter().enumerate() {
            current.push(component);
            let is_dir = index + 1 < components.len();
            let relative = current.strip_prefix(&self.root).unwrap_or(&current);
            if is_hidden(&current)
                || self.excludes.is_match(relative)
                || (is_dir && is_excluded_dir(&current))
                || self.ignored(&current.clone(), is_dir)
            {
                return None;
            }
        }
        Some(language)
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

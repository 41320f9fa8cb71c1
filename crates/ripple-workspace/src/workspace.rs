//! A loaded workspace: its root, configuration, files as salsa inputs, and checking.

use ripple_python::Db as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use ripple_core::{Diagnostic, FileContents, SourceFile};
use ripple_python::{Project, SearchRoot, SearchRootKind, check_file};
use rustc_hash::{FxHashMap, FxHashSet};
use salsa::{Durability, Setter};

use crate::config::{LoadedConfig, load_config};
use crate::database::RippleDatabase;
use crate::discovery::{sort_paths, walk_workspace};
use crate::interpreter::discover_environment;

/// Stack size of checking threads: the analysis recurses (boundedly) over deeply nested code.
const WORKER_STACK_BYTES: usize = 64 * 1024 * 1024;

/// The process's checking threads, shared by every workspace it loads (a server reloading its
/// configuration, a test loading thousands of fresh workspaces) rather than started per load.
fn worker_pool() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(WORKER_STACK_BYTES)
            .thread_name(|index| format!("ripple-worker-{index}"))
            .build()
            .unwrap_or_else(|_| {
                // Building a pool only fails when threads cannot be spawned at all; fall back
                // to default settings rather than refuse to check.
                rayon::ThreadPoolBuilder::new()
                    .build()
                    .unwrap_or_else(|error| panic!("cannot start worker threads: {error}"))
            })
    })
}

/// A problem of the workspace rather than of one Python file: a bad config, an unreadable
/// directory, an interpreter that would not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceProblem {
    pub path: PathBuf,
    pub line: u32,
    pub code: &'static str,
    pub message: String,
}

/// The diagnostics of one file.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub file: SourceFile,
    pub path: PathBuf,
    pub diagnostics: Arc<[Diagnostic]>,
}

pub struct Workspace {
    root: PathBuf,
    config: LoadedConfig,
    db: RippleDatabase,
    project: Project,
    problems: Vec<WorkspaceProblem>,
    /// Bumped whenever files are added or removed: where imports resolve may have changed.
    file_set_generation: u64,
    /// The files in path order, kept with the file set rather than sorted at every ask.
    sorted_files: Arc<[SourceFile]>,
}

impl Workspace {
    /// Discovers and loads the workspace at `root`. `explicit` are files and folders the user
    /// named: they are checked even when the walk would skip them (a `build/` folder, a hidden
    /// one), as a user who names a path means it.
    pub fn load(root: &Path, explicit: &[PathBuf]) -> Self {
        Self::load_with(root, explicit, true)
    }

    /// A workspace of only the `files` named, with `root`'s configuration and import search
    /// roots: for an editor with no workspace folder, where walking the file's folder could mean
    /// walking a home directory.
    pub fn load_files_only(root: &Path, files: &[PathBuf]) -> Self {
        Self::load_with(root, files, false)
    }

    fn load_with(root: &Path, explicit: &[PathBuf], walk_root: bool) -> Self {
        let root = root.to_path_buf();
        let config = load_config(&root);
        let mut problems: Vec<WorkspaceProblem> = config
            .problems
            .iter()
            .map(|problem| WorkspaceProblem {
                path: problem.path.clone(),
                line: problem.line,
                code: "invalid-configuration",
                message: problem.message.clone(),
            })
            .collect();
        let started = std::time::Instant::now();
        let walk = if walk_root {
            walk_workspace(&root, &config.config)
        } else {
            Default::default()
        };
        tracing::debug!(files = walk.files.len(), elapsed = ?started.elapsed(), "walked the workspace");
        for problem in walk.problems {
            problems.push(WorkspaceProblem {
                path: problem.path.unwrap_or_else(|| root.clone()),
                line: 0,
                code: ripple_python::IO_ERROR_CODE,
                message: problem.message,
            });
        }
        let mut paths = walk.files;
        for path in explicit {
            if path.is_dir() {
                if !paths.iter().any(|file| file.starts_with(path)) {
                    paths.extend(walk_workspace(path, &config.config).files);
                }
            } else if !paths.contains(path) {
                paths.push(path.clone());
            }
        }
        sort_paths(&mut paths);
        paths.dedup();

        let environment = discover_environment(&root, config.config.python.as_deref());
        if let Some(problem) = environment.problem {
            problems.push(WorkspaceProblem {
                path: config.source.clone().unwrap_or_else(|| root.clone()),
                line: 0,
                code: "invalid-configuration",
                message: problem,
            });
        }
        let search_roots = search_roots(&root, &config, environment.library_roots);

        let mut db = RippleDatabase::default();
        let mut files = FxHashMap::default();
        let mut directories = FxHashSet::default();
        let mut sorted_files = Vec::with_capacity(paths.len());
        for path in paths {
            add_directories(&root, &path, &mut directories);
            // Read when analysed, not now: see `FileContents::OnDisk`.
            let file = SourceFile::new(&db, path.clone(), FileContents::OnDisk, 0);
            files.insert(path, file);
            sorted_files.push(file);
        }
        tracing::debug!(elapsed = ?started.elapsed(), "created the inputs");
        // Workspace files change all the time (LOW, salsa's default); the search roots and the
        // libraries behind them change only with the environment (HIGH), so queries that read
        // nothing else are never re-verified after an edit.
        let project = Project::builder(
            Arc::new(files),
            Arc::new(directories),
            Arc::from(search_roots),
            0,
        )
        .search_roots_durability(Durability::HIGH)
        .disk_generation_durability(Durability::HIGH)
        .new(&db);
        db.set_project(project);
        Self {
            root,
            config,
            db,
            project,
            problems,
            file_set_generation: 0,
            sorted_files: sorted_files.into(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn config(&self) -> &LoadedConfig {
        &self.config
    }

    pub fn db(&self) -> &RippleDatabase {
        &self.db
    }

    pub fn problems(&self) -> &[WorkspaceProblem] {
        &self.problems
    }

    /// Changes whenever a file is added or removed (not when one is edited): an `ImportGraph`
    /// is valid for the generation it was built in.
    pub fn file_set_generation(&self) -> u64 {
        self.file_set_generation
    }

    /// Every workspace file, sorted by path (see `sort_paths`).
    pub fn files(&self) -> Arc<[SourceFile]> {
        self.sorted_files.clone()
    }

    pub fn file_count(&self) -> usize {
        self.sorted_files.len()
    }

    pub fn file(&self, path: &Path) -> Option<SourceFile> {
        self.project.files(&self.db).get(path).copied()
    }

    /// `path` relative to the root, with `/` separators, as the output contract wants.
    pub fn display_path(&self, path: &Path) -> String {
        let relative = path.strip_prefix(&self.root).unwrap_or(path);
        let parts: Vec<String> = relative
            .components()
            .map(|part| part.as_os_str().to_string_lossy().into_owned())
            .collect();
        parts.join("/")
    }

    /// Checks `files` in parallel, one database handle per worker. `on_file_done` is called
    /// once per finished file, from worker threads.
    pub fn check(
        &self,
        files: &[SourceFile],
        respect_noqa: bool,
        on_file_done: &(dyn Fn() + Sync),
    ) -> Vec<FileReport> {
        check_files(&self.db, files, respect_noqa, on_file_done)
    }

    /// A read-only handle for checking on another thread while this workspace takes edits. An
    /// edit cancels the snapshot's running queries (they unwind with `salsa::Cancelled`) and
    /// waits for the snapshot to be dropped.
    pub fn snapshot(&self) -> WorkspaceSnapshot {
        WorkspaceSnapshot {
            db: self.db.clone(),
        }
    }

    /// Replaces the text of a workspace file, as an editor or a watcher would.
    pub fn set_file_contents(&mut self, path: &Path, contents: FileContents) -> Option<SourceFile> {
        let file = self.file(path)?;
        let revision = file.revision(&self.db) + 1;
        file.set_contents(&mut self.db).to(contents);
        file.set_revision(&mut self.db).to(revision);
        Some(file)
    }

    /// Files changed on disk (created, modified or deleted), as a watcher reports them: each is
    /// marked to be read again when next analysed, and kept only if a fresh walk would find it,
    /// so that a watcher's event never adds a `.gitignore`d, hidden or excluded file that a
    /// fresh load would skip.
    pub fn apply_disk_changes(&mut self, paths: Vec<PathBuf>) {
        let mut rules = crate::WalkRules::new(&self.root, &self.config.config);
        let walked: Vec<(PathBuf, bool)> = paths
            .into_iter()
            .map(|path| {
                let walked = rules.includes(&path);
                (path, walked)
            })
            .collect();
        let unwalked = walked.iter().any(|(_, walked)| !walked);
        let changes = walked
            .into_iter()
            .map(|(path, walked)| {
                let contents = (walked && path.is_file()).then_some(FileContents::OnDisk);
                (path, contents)
            })
            .collect();
        self.apply_file_changes(changes);
        if unwalked {
            // Not a workspace file, yet still importable from a search root (an excluded or
            // ignored folder under the root): what resolution cached about the disk is stale.
            self.forget_disk();
        }
    }

    /// The editor's text for an open document: set as the file's next revision, and its tree
    /// brought up to date (incrementally when the edit allows) for the analysis to use.
    pub fn set_document_text(&mut self, path: &Path, text: Arc<str>) {
        self.add_file(path, FileContents::Text(text.clone()));
        // After the input is set: no check holds the previous tree any more.
        self.db.document_parses().update(path, text);
    }

    /// A document closed: its tree is dropped and the disk is the truth again.
    pub fn close_document(&mut self, path: &Path) {
        self.db.document_parses().remove(path);
        self.apply_disk_changes(vec![path.to_path_buf()]);
    }

    /// Adds a new file (or replaces an existing file's text).
    pub fn add_file(&mut self, path: &Path, contents: FileContents) {
        self.apply_file_changes(vec![(path.to_path_buf(), Some(contents))]);
    }

    /// Removes a file from the workspace.
    pub fn remove_file(&mut self, path: &Path) {
        self.apply_file_changes(vec![(path.to_path_buf(), None)]);
    }

    /// Applies a batch of changes, `None` meaning the file is gone. New and removed files
    /// change the file set, which is rebuilt once for the whole batch (a checkout of a thousand
    /// files must not copy the set a thousand times); edits to known files are plain writes.
    pub fn apply_file_changes(&mut self, changes: Vec<(PathBuf, Option<FileContents>)>) {
        let mut added = Vec::new();
        let mut removed = Vec::new();
        for (path, contents) in changes {
            match contents {
                Some(contents) if self.file(&path).is_some() => {
                    self.set_file_contents(&path, contents);
                }
                Some(contents) => added.push((path, contents)),
                None if self.file(&path).is_some() => removed.push(path),
                None => {}
            }
        }
        if added.is_empty() && removed.is_empty() {
            return;
        }
        let mut files = (**self.project.files(&self.db)).clone();
        for path in &removed {
            files.remove(path);
        }
        let directories = if removed.is_empty() {
            // Only new folders to add.
            let mut directories = (**self.project.directories(&self.db)).clone();
            for (path, _) in &added {
                add_directories(&self.root, path, &mut directories);
            }
            directories
        } else {
            // A removal may empty a folder: rebuild the set from the remaining files.
            let mut directories = FxHashSet::default();
            for path in files.keys().chain(added.iter().map(|(path, _)| path)) {
                add_directories(&self.root, path, &mut directories);
            }
            directories
        };
        for (path, contents) in added {
            let file = SourceFile::new(&self.db, path.clone(), contents, 0);
            files.insert(path, file);
        }
        self.replace_files(files, directories);
    }

    /// Installs a new file set: resolution reads it, and anything cached about the disk may be
    /// stale too (the files came from there).
    fn replace_files(
        &mut self,
        files: FxHashMap<PathBuf, SourceFile>,
        directories: FxHashSet<PathBuf>,
    ) {
        self.file_set_generation += 1;
        let mut paths: Vec<PathBuf> = files.keys().cloned().collect();
        sort_paths(&mut paths);
        self.sorted_files = paths
            .iter()
            .filter_map(|path| files.get(path).copied())
            .collect();
        self.project.set_files(&mut self.db).to(Arc::new(files));
        self.project
            .set_directories(&mut self.db)
            .to(Arc::new(directories));
        self.forget_disk();
    }

    /// The disk changed under the workspace: forget cached lookups and re-resolve.
    fn forget_disk(&mut self) {
        self.db.forget_disk();
        let generation = self.project.disk_generation(&self.db) + 1;
        self.project
            .set_disk_generation(&mut self.db)
            .with_durability(Durability::HIGH)
            .to(generation);
    }
}

/// Files larger than this are not analysed (generated data, not code a person edits).
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// A database handle for checking on another thread; see [`Workspace::snapshot`].
pub struct WorkspaceSnapshot {
    db: RippleDatabase,
}

impl WorkspaceSnapshot {
    pub fn check(
        &self,
        files: &[SourceFile],
        respect_noqa: bool,
        on_file_done: &(dyn Fn() + Sync),
    ) -> Vec<FileReport> {
        check_files(&self.db, files, respect_noqa, on_file_done)
    }

    pub fn db(&self) -> &RippleDatabase {
        &self.db
    }
}

fn check_files(
    db: &RippleDatabase,
    files: &[SourceFile],
    respect_noqa: bool,
    on_file_done: &(dyn Fn() + Sync),
) -> Vec<FileReport> {
    // A few files (an editor's keystroke) are checked right here: handing them to the pool
    // would cost more than checking them.
    if files.len() <= 2 {
        return files
            .iter()
            .map(|&file| {
                let diagnostics = check_file(db, file, respect_noqa);
                on_file_done();
                FileReport {
                    file,
                    path: file.path(db).clone(),
                    diagnostics,
                }
            })
            .collect();
    }
    // A database handle is `Send` but not `Sync`: each worker clones its own from a shared
    // one behind a lock.
    let shared = std::sync::Mutex::new(db.clone());
    let handle = || {
        shared
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    };
    worker_pool().install(|| {
        files
            .par_iter()
            .map_init(handle, |db, &file| {
                let diagnostics = check_file(db, file, respect_noqa);
                on_file_done();
                FileReport {
                    file,
                    path: file.path(db).clone(),
                    diagnostics,
                }
            })
            .collect()
    })
}

/// Reads a file's text (for `FileContents::OnDisk` inputs, when analysed), or why it has none:
/// a file that cannot be read is still a file, with a reason. Only regular files are read: a
/// FIFO named `x.py` would block a read forever. The file is opened once and asked its kind and
/// size through the open handle (not by path, then opened): a cold check reads every file.
pub fn read_contents(path: &Path) -> Result<String, FileContents> {
    let unreadable =
        |error: std::io::Error| FileContents::Unreadable(format!("cannot read the file: {error}"));
    let mut file = open_without_blocking(path).map_err(unreadable)?;
    let metadata = file.metadata().map_err(unreadable)?;
    if !metadata.is_file() {
        return Err(FileContents::Unreadable(
            "not a regular file (a directory, pipe or device named like Python source)".into(),
        ));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(FileContents::Unreadable(format!(
            "file is {} MiB, larger than the {} MiB ripple analyses",
            metadata.len() / (1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    let bytes = read_expecting(&mut file, metadata.len()).map_err(unreadable)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(FileContents::Unreadable(format!(
            "file grew past the {} MiB ripple analyses while being read",
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    ripple_core::decode_source(bytes)
}

/// Reads a file of `expected` bytes to its end, into a buffer of that size. (`File::read_to_end`
/// would ask the file's size again, an fstat and an lseek per file; a reader without that hint
/// reads in growing chunks instead, more calls still.) A file that grew meanwhile is read on,
/// up to one byte past the limit, for the caller to refuse.
fn read_expecting(file: &mut std::fs::File, expected: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    // One byte more than expected, so that the read which finds the end has room to.
    let mut bytes = vec![0; usize::try_from(expected).unwrap_or(0).saturating_add(1)];
    let mut filled = 0;
    loop {
        match file.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(read) => {
                filled += read;
                if filled == bytes.len() {
                    file.take(MAX_FILE_BYTES.saturating_sub(expected))
                        .read_to_end(&mut bytes)?;
                    filled = bytes.len();
                    break;
                }
            }
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    bytes.truncate(filled);
    Ok(bytes)
}

/// Opens for reading without waiting for a writer: opening a FIFO blocks until one comes,
/// unless asked not to (which changes nothing for a regular file).
#[cfg(unix)]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

fn add_directories(root: &Path, file: &Path, directories: &mut FxHashSet<PathBuf>) {
    let mut current = file.parent();
    while let Some(dir) = current {
        if !directories.insert(dir.to_path_buf()) || dir == root || !dir.starts_with(root) {
            break;
        }
        current = dir.parent();
    }
}

/// Import roots in `sys.path` order: the workspace (its `src/` first when it is a layout folder
/// rather than a package), `extra-paths`, the standard library, then the environment.
fn search_roots(
    root: &Path,
    config: &LoadedConfig,
    library_roots: Vec<PathBuf>,
) -> Vec<SearchRoot> {
    let mut roots = Vec::new();
    let src = root.join("src");
    if src.is_dir() && !src.join("__init__.py").is_file() {
        roots.push(SearchRoot {
            path: src,
            kind: SearchRootKind::Workspace,
        });
    }
    roots.push(SearchRoot {
        path: root.to_path_buf(),
        kind: SearchRootKind::Workspace,
    });
    for extra in &config.config.extra_paths {
        let path = if extra.is_absolute() {
            extra.clone()
        } else {
            root.join(extra)
        };
        let kind = if path.starts_with(root) {
            SearchRootKind::Workspace
        } else {
            SearchRootKind::Extra
        };
        roots.insert(roots.len() - 1, SearchRoot { path, kind });
    }
    roots.push(SearchRoot {
        path: PathBuf::new(),
        kind: SearchRootKind::BuiltinStdlib,
    });
    for path in library_roots {
        roots.push(SearchRoot {
            path,
            kind: SearchRootKind::Library,
        });
    }
    roots
}

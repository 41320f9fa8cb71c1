//! A loaded workspace: its root, configuration, files as salsa inputs of every registered
//! language, the dependency graph between them, and checking.

mod digests;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ripple_core::{
    FileContents, INVALID_CONFIGURATION_CODE, IO_ERROR_CODE, LanguageId, Languages, LoadContext,
    Project, SourceFile, TextEdit,
};
use rustc_hash::{FxHashMap, FxHashSet};
use salsa::{Durability, Setter};

use crate::cache::{CacheSave, LoadOptions, WorkspaceCache, cache_dir, walk_key};
use crate::checking::{CheckOptions, FileReport, check_files, worker_pool};
use crate::config::{LoadedConfig, load_config};
use crate::database::RippleDatabase;
use crate::discovery::{WalkResult, path_order, walk_workspace};
use crate::graph::FileGraph;
use crate::paths::WalkRules;
use crate::results::ResultCache;
use crate::selection::RuleSelection;

/// A problem of the workspace rather than of one source file: a bad config, an unreadable
/// directory, an interpreter that would not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceProblem {
    pub path: PathBuf,
    pub line: u32,
    pub code: &'static str,
    pub message: String,
}

pub struct Workspace {
    root: PathBuf,
    config: LoadedConfig,
    languages: Languages,
    db: RippleDatabase,
    project: Project,
    problems: Vec<WorkspaceProblem>,
    /// The rules reported: the configuration's, narrowed by a front end (`--select`).
    selection: RuleSelection,
    /// Bumped whenever files are added or removed: where imports resolve may have changed.
    file_set_generation: u64,
    /// The files in path order, kept with the file set rather than sorted at every ask.
    sorted_files: Arc<[SourceFile]>,
    /// Who depends on whom, when known: what an edit can reach. Dropped whenever the file set
    /// changes (imports anywhere may resolve differently).
    graph: Option<FileGraph>,
    /// The store of results between runs, when there is one.
    cache: Option<WorkspaceCache>,
}

/// A dependency graph built on a snapshot, for the file set it was built from.
pub struct BuiltGraph {
    file_set_generation: u64,
    graph: FileGraph,
}

impl Workspace {
    /// Discovers and loads the workspace at `root`, with the source files of `languages`.
    /// `explicit` are files and folders the user named: they are checked even when the walk
    /// would skip them (a `build/` folder, a hidden one), as a user who names a path means it.
    pub fn load(root: &Path, explicit: &[PathBuf], languages: &Languages) -> Self {
        Self::load_with(root, explicit, true, languages, &LoadOptions::default())
    }

    /// `load` with a store of results (`options.cache`).
    pub fn load_with_options(
        root: &Path,
        explicit: &[PathBuf],
        languages: &Languages,
        options: &LoadOptions,
    ) -> Self {
        Self::load_with(root, explicit, true, languages, options)
    }

    /// A workspace of only the `files` named, with `root`'s configuration and import search
    /// roots: for an editor with no workspace folder, where walking the file's folder could mean
    /// walking a home directory.
    pub fn load_files_only(root: &Path, files: &[PathBuf], languages: &Languages) -> Self {
        Self::load_with(root, files, false, languages, &LoadOptions::default())
    }

    /// `load_files_only` with a store of results (`options.cache`).
    pub fn load_files_only_with_options(
        root: &Path,
        files: &[PathBuf],
        languages: &Languages,
        options: &LoadOptions,
    ) -> Self {
        Self::load_with(root, files, false, languages, options)
    }

    fn load_with(
        root: &Path,
        explicit: &[PathBuf],
        walk_root: bool,
        languages: &Languages,
        options: &LoadOptions,
    ) -> Self {
        let root = root.to_path_buf();
        let config = load_config(&root, languages);
        let opening = std::time::Instant::now();
        let mut cache = cache_dir(&options.cache, &root, config.config.cache_dir.as_deref())
            .map(|dir| WorkspaceCache::open(&dir, options.build, &root));
        tracing::debug!(elapsed = ?opening.elapsed(), "opened the cache");
        let mut problems: Vec<WorkspaceProblem> = config
            .problems
            .iter()
            .map(|problem| WorkspaceProblem {
                path: problem.path.clone(),
                line: problem.line,
                code: INVALID_CONFIGURATION_CODE,
                message: problem.message.clone(),
            })
            .collect();
        let started = std::time::Instant::now();
        let walk_key = walk_key(&config.config.exclude, languages);
        let kept = cache
            .as_ref()
            .filter(|_| walk_root)
            .and_then(|cache| cache.kept_walk(&walk_key, languages, worker_pool()));
        let walk = match kept {
            Some(files) => WalkResult {
                files,
                ..WalkResult::default()
            },
            None if walk_root => {
                let walk_started = crate::cache::now_ns();
                let walk = walk_workspace(&root, &config.config, languages);
                if let Some(cache) = &mut cache
                    && walk.problems.is_empty()
                {
                    cache.keep_walk(
                        walk_key,
                        walk_started,
                        &walk.folders,
                        &walk.files,
                        worker_pool(),
                    );
                }
                walk
            }
            None => WalkResult::default(),
        };
        tracing::debug!(files = walk.files.len(), elapsed = ?started.elapsed(), "walked the workspace");
        for problem in walk.problems {
            problems.push(WorkspaceProblem {
                path: problem.path.unwrap_or_else(|| root.clone()),
                line: 0,
                code: IO_ERROR_CODE,
                message: problem.message,
            });
        }
        let mut paths = walk.files;
        for path in explicit {
            if path.is_dir() {
                if !paths.iter().any(|(file, _)| file.starts_with(path)) {
                    paths.extend(walk_workspace(path, &config.config, languages).files);
                }
            } else if !paths.iter().any(|(file, _)| file == path)
                && let Some(language) = languages.of_path(path)
            {
                paths.push((path.clone(), language));
            }
        }
        paths.sort_unstable_by(|(a, _), (b, _)| path_order(a, b));
        paths.dedup_by(|(a, _), (b, _)| a == b);

        let digests = match &mut cache {
            Some(cache) => cache.known_digests(&paths, worker_pool()),
            None => vec![None; paths.len()],
        };
        tracing::debug!(elapsed = ?started.elapsed(), "looked the files up in the stat index");
        let mut db = RippleDatabase::new(
            languages.clone(),
            cache.as_ref().map(|cache| cache.store.clone()),
        );
        let mut files = FxHashMap::default();
        let mut directories = FxHashSet::default();
        let mut sorted_files = Vec::with_capacity(paths.len());
        let mut previous_folder: Option<PathBuf> = None;
        for ((path, language), digest) in paths.into_iter().zip(digests) {
            // Files come in path order: a folder's files are next to each other.
            if previous_folder.as_deref() != path.parent() {
                add_directories(&root, &path, &mut directories);
                previous_folder = path.parent().map(Path::to_path_buf);
            }
            // Read when analysed, not now (and not at all when its digest is known and its
            // results stored): see `FileContents::OnDisk`.
            let file =
                SourceFile::new(&db, path.clone(), FileContents::OnDisk(digest), 0, language);
            files.insert(path, file);
            sorted_files.push(file);
        }
        tracing::debug!(elapsed = ?started.elapsed(), "created the inputs");
        // Workspace files change all the time (LOW, salsa's default); what lies outside them
        // changes rarely (HIGH), so queries that read nothing else are never re-verified after
        // an edit.
        let project = Project::builder(Arc::new(files), Arc::new(directories), 0)
            .disk_generation_durability(Durability::HIGH)
            .new(&db);
        db.set_project(project);
        let context = LoadContext {
            root: &root,
            settings: &config.config.language,
        };
        for (_, language) in languages.iter() {
            for problem in language.load(&db, &context) {
                problems.push(WorkspaceProblem {
                    path: config.source.clone().unwrap_or_else(|| root.clone()),
                    line: problem
                        .setting
                        .and_then(|setting| config.line_of(setting))
                        .unwrap_or(0),
                    code: INVALID_CONFIGURATION_CODE,
                    message: problem.message,
                });
            }
        }
        if let Some(cache) = &mut cache {
            // After the languages' loads: their environments are part of the findings' context.
            cache.start_results(&db, &sorted_files);
        }
        let selection = RuleSelection::new(
            languages,
            config.config.select.as_deref(),
            &config.config.ignore,
        );
        Self {
            root,
            config,
            languages: languages.clone(),
            db,
            project,
            problems,
            selection,
            file_set_generation: 0,
            sorted_files: sorted_files.into(),
            graph: None,
            cache,
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn config(&self) -> &LoadedConfig {
        &self.config
    }

    pub fn languages(&self) -> &Languages {
        &self.languages
    }

    pub fn db(&self) -> &RippleDatabase {
        &self.db
    }

    pub fn problems(&self) -> &[WorkspaceProblem] {
        &self.problems
    }

    /// The rules reported.
    pub fn selection(&self) -> &RuleSelection {
        &self.selection
    }

    /// Narrows the rules reported (a front end's `--select` and `--ignore`).
    pub fn set_selection(&mut self, selection: RuleSelection) {
        self.selection = selection;
    }

    /// Changes whenever a file is added or removed (not when one is edited).
    pub fn file_set_generation(&self) -> u64 {
        self.file_set_generation
    }

    /// Every workspace file, sorted by path (see `discovery::path_order`).
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
        // By bytes: the workspace's paths are the walk's, normalised under the root, and this
        // runs once per reported file (component by component, it was a twentieth of a warm
        // check of 27,000 files).
        let root = self.root.as_os_str().as_encoded_bytes();
        let bytes = path.as_os_str().as_encoded_bytes();
        let relative = match bytes.strip_prefix(root) {
            Some(rest) if rest.first() == Some(&std::path::MAIN_SEPARATOR_STR.as_bytes()[0]) => {
                &rest[1..]
            }
            _ => {
                let relative = path.strip_prefix(&self.root).unwrap_or(path);
                let parts: Vec<String> = relative
                    .components()
                    .map(|part| part.as_os_str().to_string_lossy().into_owned())
                    .collect();
                return parts.join("/");
            }
        };
        let text = String::from_utf8_lossy(relative);
        if std::path::MAIN_SEPARATOR == '/' {
            text.into_owned()
        } else {
            text.replace(std::path::MAIN_SEPARATOR, "/")
        }
    }

    /// Checks `files` in parallel; see [`WorkspaceSnapshot::check`].
    pub fn check(
        &self,
        files: &[SourceFile],
        respect_suppressions: bool,
        on_file_done: &(dyn Fn() + Sync),
    ) -> Vec<FileReport> {
        self.snapshot()
            .check(files, respect_suppressions, on_file_done)
    }

    /// One file's findings as reported (suppressions and the selection applied).
    pub fn check_one(&self, file: SourceFile) -> FileReport {
        let options = CheckOptions {
            selection: self.selection.clone(),
            respect_suppressions: true,
        };
        let results = self.cache.as_ref().and_then(|cache| cache.results());
        crate::checking::check_file_kept(
            &self.db,
            results.map(|results| &**results),
            file,
            &options,
        )
    }

    /// A read-only handle for checking on another thread while this workspace takes edits. An
    /// edit cancels the snapshot's running queries (they unwind with `salsa::Cancelled`) and
    /// waits for the snapshot to be dropped.
    pub fn snapshot(&self) -> WorkspaceSnapshot {
        WorkspaceSnapshot {
            db: self.db.clone(),
            selection: self.selection.clone(),
            file_set_generation: self.file_set_generation,
            results: self
                .cache
                .as_ref()
                .and_then(|cache| cache.results().cloned()),
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
        let mut rules = WalkRules::new(&self.root, &self.config.config, &self.languages);
        let walked: Vec<(PathBuf, Option<LanguageId>)> = paths
            .into_iter()
            .map(|path| {
                let language = rules.source_language(&path);
                (path, language)
            })
            .collect();
        let unwalked = walked.iter().any(|(_, language)| language.is_none());
        let changes = walked
            .into_iter()
            .map(|(path, language)| {
                let contents = language
                    .filter(|_| path.is_file())
                    .map(|language| (FileContents::ON_DISK, language));
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

    /// The editor's text for an open document: set as the file's next revision, and the
    /// language told (it may keep the document's syntax tree up to date incrementally). `edit`
    /// is the change from the document's previous text, when the editor said it; `language`
    /// is the editor's word for a file whose name does not say (a script without an extension).
    /// A document no registered language owns is not part of the workspace.
    pub fn set_document_text(
        &mut self,
        path: &Path,
        text: Arc<str>,
        edit: Option<TextEdit>,
        language: Option<LanguageId>,
    ) {
        let language = match self.file(path) {
            Some(file) => Some(file.language(&self.db)),
            None => self.languages.of_path(path).or(language),
        };
        let Some(language) = language else {
            return;
        };
        self.apply_file_changes(vec![(
            path.to_path_buf(),
            Some((FileContents::Text(text.clone()), language)),
        )]);
        // After the input is set: no check holds the language's previous tree any more.
        if let Some(owner) = self.languages.get(language) {
            owner.document_changed(&self.db, path, text, edit);
        }
    }

    /// A document closed: the language forgets it and the disk is the truth again.
    pub fn close_document(&mut self, path: &Path) {
        if let Some(file) = self.file(path)
            && let Some(language) = self.languages.get(file.language(&self.db))
        {
            language.document_closed(&self.db, path);
        }
        self.apply_disk_changes(vec![path.to_path_buf()]);
    }

    /// Adds a new file (or replaces an existing file's text), of the language its name says.
    pub fn add_file(&mut self, path: &Path, contents: FileContents) {
        if let Some(language) = self.languages.of_path(path) {
            self.apply_file_changes(vec![(path.to_path_buf(), Some((contents, language)))]);
        }
    }

    /// Removes a file from the workspace.
    pub fn remove_file(&mut self, path: &Path) {
        self.apply_file_changes(vec![(path.to_path_buf(), None)]);
    }

    /// Applies a batch of changes, `None` meaning the file is gone. New and removed files
    /// change the file set, which is rebuilt once for the whole batch (a checkout of a thousand
    /// files must not copy the set a thousand times); edits to known files are plain writes.
    pub fn apply_file_changes(
        &mut self,
        changes: Vec<(PathBuf, Option<(FileContents, LanguageId)>)>,
    ) {
        let mut added = Vec::new();
        let mut removed = Vec::new();
        for (path, contents) in changes {
            match contents {
                Some((contents, _)) if self.file(&path).is_some() => {
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
        for (path, (contents, language)) in added {
            let file = SourceFile::new(&self.db, path.clone(), contents, 0, language);
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
        // Where imports resolve may have changed anywhere.
        self.graph = None;
        let mut paths: Vec<PathBuf> = files.keys().cloned().collect();
        paths.sort_unstable_by(|a, b| path_order(a, b));
        self.sorted_files = paths
            .iter()
            .filter_map(|path| files.get(path).copied())
            .collect();
        self.project.set_files(&mut self.db).to(Arc::new(files));
        self.project
            .set_directories(&mut self.db)
            .to(Arc::new(directories));
        self.forget_disk();
        if let Some(cache) = &mut self.cache {
            // Imports anywhere may resolve differently: findings of the old file set are not
            // this one's.
            cache.start_results(&self.db, &self.sorted_files);
            cache.files_changed();
        }
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

    // ----- the store ------------------------------------------------------------------------

    /// The directory results are kept in between runs, if they are.
    pub fn cache_dir(&self) -> Option<&Path> {
        self.cache.as_ref().map(|cache| cache.store.dir())
    }

    /// The store results are kept in, if they are: build steps (tasks) keep theirs in it too.
    pub fn store(&self) -> Option<Arc<ripple_store::Store>> {
        self.cache.as_ref().map(|cache| cache.store.clone())
    }

    /// Per-file results (found in the store, computed) so far.
    pub fn cache_counts(&self) -> (u64, u64) {
        self.db.result_counts()
    }

    /// What to write to keep what was learned since the last save (the results computed, the
    /// files' digests); run it on any thread. `None` without a store.
    pub fn save_cache(&mut self) -> Option<CacheSave> {
        let cache = self.cache.as_mut()?;
        cache.record_reads(self.db.take_read_records());
        cache.record_probes(self.db.take_probed_folders());
        let files = self.project.files(&self.db);
        let root = &self.root;
        let save = cache.save(&self.db, files.len(), |relative| {
            files.contains_key(&root.join(relative))
        });
        if cache.results().is_none() {
            // The disk changed under this run: a new epoch from here on.
            cache.start_results(&self.db, &self.sorted_files);
        }
        Some(save)
    }

    /// What went wrong with the store so far (each once): for the front end to show.
    pub fn cache_warnings(&self) -> Vec<String> {
        self.cache
            .as_ref()
            .map(|cache| cache.store.take_warnings())
            .unwrap_or_default()
    }

    /// The workspace files `file` depends on directly, as its language says. Builds the
    /// dependency graph first if there is none (from the store's kept interfaces on a warm
    /// run: no file is analysed for it).
    pub fn dependencies_of(&mut self, file: SourceFile) -> Vec<SourceFile> {
        if self.graph.is_none() {
            self.build_graph(&[]);
        }
        match &mut self.graph {
            Some(graph) => graph.dependencies_of(&self.db, file),
            None => Vec::new(),
        }
    }

    // ----- the dependency graph -------------------------------------------------------------

    /// Who depends on whom, built first if it is not known.
    pub fn graph(&mut self) -> &FileGraph {
        if self.graph.is_none() {
            self.build_graph(&[]);
        }
        self.graph.get_or_insert_default()
    }

    /// The findings kept for the current state, when there is a store.
    pub(crate) fn results_cache(&self) -> Option<Arc<ResultCache>> {
        self.cache.as_ref()?.results().cloned()
    }

    /// The epoch of the folders outside the workspace that resolution looked in.
    pub(crate) fn disk_epoch(&self) -> Option<ripple_core::Digest> {
        Some(self.cache.as_ref()?.disk_epoch())
    }

    /// Whether the workspace knows who depends on whom for its current file set.
    pub fn has_graph(&self) -> bool {
        self.graph.is_some()
    }

    /// Builds the dependency graph of every file now (cheap once they are checked: each file's
    /// edges and exports are kept with its findings, or memoized by checking it). `changed` are files whose text is newer than what their
    /// dependents were last shown: the next change of one reaches all its dependents.
    pub fn build_graph(&mut self, changed: &[SourceFile]) {
        let kept = self.kept_interfaces();
        let files = self.sorted_files.iter().copied().zip(kept);
        let mut graph = FileGraph::build_from(&self.db, files);
        graph.forget(changed);
        self.graph = Some(graph);
    }

    /// Each file's interface as kept with its findings, found on the checking threads (a
    /// store read and the inputs' digests each: a third of a second at 100,000 files on one).
    pub(crate) fn kept_interfaces(&self) -> Vec<Option<crate::graph::FileInterface>> {
        self.map_files(|db, results, _, file| results?.interface(db, file))
    }

    /// `f` of every file, in path order, on the checking threads, each with a database handle
    /// of its own and the findings kept for this state.
    pub(crate) fn map_files<T: Send>(
        &self,
        f: impl Fn(&RippleDatabase, Option<&ResultCache>, usize, SourceFile) -> T + Sync,
    ) -> Vec<T> {
        use rayon::prelude::*;
        let results = self.cache.as_ref().and_then(|cache| cache.results());
        let results = results.map(|results| &**results);
        // A database handle is `Send` but not `Sync`: each worker clones its own.
        let shared = std::sync::Mutex::new(self.db.clone());
        let handle = || {
            shared
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .clone()
        };
        let files: &[SourceFile] = &self.sorted_files;
        worker_pool().install(|| {
            files
                .par_iter()
                .enumerate()
                .map_init(handle, |db, (index, &file)| f(db, results, index, file))
                .collect()
        })
    }

    /// Installs a graph built on a snapshot, unless files were added or removed since. What
    /// queries keep only for a while (the analyses beyond the most recent, after a check that
    /// analysed many files) is let go now rather than at the next edit.
    pub fn install_graph(&mut self, built: BuiltGraph) {
        if built.file_set_generation == self.file_set_generation {
            self.graph = Some(built.graph);
            use salsa::Database as _;
            self.db.synthetic_write(Durability::LOW);
        }
    }

    /// The files whose findings a change of `changed` can affect, `changed` included; `None`
    /// when the graph is not known (every file may be affected). Until `confirm_reached`, the
    /// next call still compares with what dependents were shown before, so a check that never
    /// completed leaves no dependent unreached.
    pub fn reach(&mut self, changed: &[SourceFile]) -> Option<Vec<SourceFile>> {
        let graph = self.graph.as_mut()?;
        Some(graph.reach(&self.db, changed))
    }

    /// Files whose text changed without asking what they reach: their edges are read again
    /// before the next `reach`.
    pub fn mark_changed(&mut self, changed: impl IntoIterator<Item = SourceFile>) {
        if let Some(graph) = &mut self.graph {
            graph.mark_changed(changed);
        }
    }

    /// The check of everything `reach` returned has completed and been published: dependents
    /// now show the changed files' current exports.
    pub fn confirm_reached(&mut self) {
        if let Some(graph) = &mut self.graph {
            graph.confirm(&self.db);
        }
    }
}

/// A database handle for checking on another thread; see [`Workspace::snapshot`].
pub struct WorkspaceSnapshot {
    db: RippleDatabase,
    selection: RuleSelection,
    file_set_generation: u64,
    results: Option<Arc<ResultCache>>,
}

impl WorkspaceSnapshot {
    /// Checks `files` in parallel, one database handle per worker, with the workspace's rule
    /// selection and (unless `respect_suppressions` is false) suppression comments applied.
    /// `on_file_done` is called once per finished file, from worker threads.
    pub fn check(
        &self,
        files: &[SourceFile],
        respect_suppressions: bool,
        on_file_done: &(dyn Fn() + Sync),
    ) -> Vec<FileReport> {
        let options = CheckOptions {
            selection: self.selection.clone(),
            respect_suppressions,
        };
        check_files(
            &self.db,
            self.results.as_deref(),
            files,
            &options,
            on_file_done,
        )
    }

    /// The dependency graph of `files` (all the workspace's), from what the store keeps with
    /// their findings or what checking them memoized, for `Workspace::install_graph`.
    pub fn build_graph(&self, files: &[SourceFile]) -> BuiltGraph {
        let stored = |file| {
            self.results
                .as_ref()
                .and_then(|results| results.interface(&self.db, file))
        };
        BuiltGraph {
            file_set_generation: self.file_set_generation,
            graph: FileGraph::build(&self.db, files, &stored),
        }
    }

    pub fn db(&self) -> &RippleDatabase {
        &self.db
    }
}

fn add_directories(root: &Path, file: &Path, directories: &mut FxHashSet<PathBuf>) {
    let mut current = file.parent();
    while let Some(dir) = current {
        // Asked first: most files' folders are known already, and inserting copies the path.
        if directories.contains(dir) {
            break;
        }
        directories.insert(dir.to_path_buf());
        if dir == root || !dir.starts_with(root) {
            break;
        }
        current = dir.parent();
    }
}

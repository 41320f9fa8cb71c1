//! A workspace's use of the store: which store (the command line's, the environment's, the
//! configuration's or the default `.ripple_cache/`), the stat fast path at load (each file's
//! digest from what `stat` says of it), and saving what a run learned.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use ripple_core::{Db as _, Digest, LanguageId, SourceFile};
use ripple_store::{DiskIndex, FileStat, FolderSeen, Store, WalkIndex};
use rustc_hash::FxHashMap;

use crate::database::RippleDatabase;
use crate::results::{ResultCache, file_set_digest};

/// The store's directory name at a workspace root, unless configured otherwise.
pub const DEFAULT_CACHE_DIR: &str = ".ripple_cache";

/// Where a workspace keeps results between runs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CacheChoice {
    /// No store: nothing is read or written (`--no-cache`).
    #[default]
    Disabled,
    /// The configuration's `cache-dir`, else `.ripple_cache/` at the workspace root.
    Default,
    /// This directory (`--cache-dir`, `RIPPLE_CACHE_DIR`), which wins over the configuration.
    Dir(PathBuf),
}

/// How a workspace is loaded.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub cache: CacheChoice,
    /// ripple's own build, mixed into every stored key: a result of another build never
    /// matches (see `docs/architecture.md`).
    pub build: Digest,
}

/// The directory a workspace at `root` keeps its store in.
pub fn cache_dir(choice: &CacheChoice, root: &Path, configured: Option<&Path>) -> Option<PathBuf> {
    match choice {
        CacheChoice::Disabled => None,
        CacheChoice::Dir(dir) => Some(dir.clone()),
        CacheChoice::Default => Some(match configured {
            Some(dir) if dir.is_absolute() => dir.to_path_buf(),
            Some(dir) => root.join(dir),
            None => root.join(DEFAULT_CACHE_DIR),
        }),
    }
}

/// The store a workspace uses, and what it knows of its files' digests.
pub(crate) struct WorkspaceCache {
    pub store: Arc<Store>,
    root: PathBuf,
    /// Each file's stat and digest as last known (relative path), for the next stat index.
    known: FxHashMap<std::ffi::OsString, (FileStat, Digest)>,
    /// The stat index on disk differs from `known`.
    dirty: bool,
    /// The folders outside the workspace that stored findings depend on, and their epoch.
    disk: DiskIndex,
    /// A folder changed while this run looked in it: the next run starts a new epoch.
    disk_moved: bool,
    /// The findings kept for the current file set.
    results: Option<Arc<ResultCache>>,
    /// A walk made this run, to keep: the index and when the walk started.
    walk: Option<(WalkIndex, i64)>,
    /// Files were added or removed since the load: `known` may hold files no longer there.
    files_changed: bool,
    /// The context of the findings kept, as the last save recorded it (`ResultsContext`).
    recorded_context: Option<Digest>,
}

/// What the kept findings' context was made of, recorded at a save whose context was new, so
/// that `ripple explain` can say what changed since: the context's parts, and the file set in
/// its order (a finding's inputs are kept as positions in it).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct ResultsContext {
    pub context: [u8; 32],
    pub file_set: [u8; 32],
    pub disk_epoch: [u8; 32],
    /// Each language's name and environment digest.
    pub environments: Vec<(String, [u8; 32])>,
    /// The files, relative to the root, in file-set order.
    pub files: Vec<String>,
}

impl ResultsContext {
    pub const RECORD: &'static str = "results";
    const CONTEXT_RECORD: &'static str = "results-context";

    pub fn read(store: &Store, root: &Path) -> Option<Self> {
        postcard::from_bytes(&store.read_record(root, Self::RECORD)?).ok()
    }
}

/// What decides which files a walk keeps besides the disk: the excludes and the languages'
/// extensions.
pub(crate) fn walk_key(excludes: &[String], languages: &ripple_core::Languages) -> Digest {
    let mut parts: Vec<Vec<u8>> = vec![b"walk".to_vec()];
    parts.extend(excludes.iter().map(|exclude| exclude.as_bytes().to_vec()));
    parts.push(b"extensions".to_vec());
    for (id, language) in languages.iter() {
        for extension in language.extensions() {
            parts.push(format!("{}:{extension}", id.index()).into_bytes());
        }
    }
    let parts: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    Digest::of_parts(&parts)
}

/// Stats many paths in parallel (`None` for one that cannot be stat'ed).
pub(crate) fn stat_all(paths: &[PathBuf], pool: &rayon::ThreadPool) -> Vec<Option<FileStat>> {
    pool.install(|| {
        paths
            .par_iter()
            .map(|path| std::fs::metadata(path).ok().map(|meta| FileStat::of(&meta)))
            .collect()
    })
}

impl WorkspaceCache {
    pub fn open(dir: &Path, build: Digest, root: &Path) -> Self {
        let store = Arc::new(Store::open(dir, build));
        let disk = store.read_disk_index(root);
        Self {
            store,
            root: root.to_path_buf(),
            known: FxHashMap::default(),
            // A folder's stat brought up to date is worth keeping: the next run trusts it.
            dirty: disk.refreshed,
            disk,
            disk_moved: false,
            results: None,
            walk: None,
            files_changed: false,
            recorded_context: None,
        }
        .with_recorded_context()
    }

    fn with_recorded_context(mut self) -> Self {
        self.recorded_context = self
            .store
            .read_record(&self.root, ResultsContext::CONTEXT_RECORD)
            .and_then(|bytes| Some(Digest::from_bytes(bytes.try_into().ok()?)));
        self
    }

    /// Files were added or removed: the next save forgets the digests of files that are gone.
    pub fn files_changed(&mut self) {
        self.files_changed = true;
    }

    /// The files a walk would find now, from the last run's walk when no folder or ignore file
    /// it read has changed since.
    pub fn kept_walk(
        &self,
        key: &Digest,
        languages: &ripple_core::Languages,
        pool: &rayon::ThreadPool,
    ) -> Option<Vec<(PathBuf, LanguageId)>> {
        let index = self.store.read_walk_index(&self.root)?;
        if index.key != *key
            || !index.still_holds(&self.root, now_ns(), |paths| stat_all(paths, pool))
        {
            return None;
        }
        let files: Option<Vec<(PathBuf, LanguageId)>> = index
            .files
            .iter()
            .map(|(relative, language)| {
                let language = languages
                    .iter()
                    .map(|(id, _)| id)
                    .find(|id| id.index() == usize::from(*language))?;
                Some((self.root.join(relative), language))
            })
            .collect();
        files
    }

    /// Keeps a walk that found `files` in `folders`, started at `started_ns`, for the next run.
    pub fn keep_walk(
        &mut self,
        key: Digest,
        started_ns: i64,
        folders: &[PathBuf],
        files: &[(PathBuf, LanguageId)],
        pool: &rayon::ThreadPool,
    ) {
        let relative = |path: &Path| path.strip_prefix(&self.root).ok().map(Path::to_path_buf);
        let stats = stat_all(folders, pool);
        let Some(folders): Option<Vec<(PathBuf, FileStat)>> = folders
            .iter()
            .zip(stats)
            .map(|(folder, stat)| Some((relative(folder)?, stat?)))
            .collect()
        else {
            return;
        };
        let mut candidates: Vec<PathBuf> = folders
            .iter()
            .flat_map(|(folder, _)| {
                crate::paths::IGNORE_FILE_NAMES
                    .iter()
                    .map(move |name| folder.join(name))
            })
            .collect();
        candidates.push(PathBuf::from(".git/info/exclude"));
        let absolute: Vec<PathBuf> = candidates.iter().map(|path| self.root.join(path)).collect();
        let ignore_files = candidates
            .into_iter()
            .zip(stat_all(&absolute, pool))
            // Absent ones are not kept: creating one changes its folder's times.
            .filter(|(_, stat)| stat.is_some())
            .collect();
        let Some(files): Option<Vec<(PathBuf, u16)>> = files
            .iter()
            .map(|(path, language)| Some((relative(path)?, u16::try_from(language.index()).ok()?)))
            .collect()
        else {
            return;
        };
        self.walk = Some((
            WalkIndex::new(key, folders, ignore_files, files),
            started_ns,
        ));
    }

    /// Keeps findings for this file set from now on (after a load, or files added or removed).
    pub fn start_results(&mut self, db: &RippleDatabase, files: &[SourceFile]) {
        let mut parts: Vec<Digest> = vec![file_set_digest(db, files), self.disk.epoch];
        for (_, language) in db.languages().iter() {
            parts.push(Digest::of(language.name().as_bytes()));
            parts.push(language.environment(db));
        }
        let parts: Vec<&[u8]> = parts.iter().map(|digest| &digest.as_bytes()[..]).collect();
        let context = Digest::of_parts(&parts);
        self.results = Some(Arc::new(ResultCache::new(
            self.store.clone(),
            context,
            files.into(),
        )));
    }

    /// The disk epoch: bumped whenever a folder outside the file set that resolution looked
    /// in changed (a library installed or upgraded).
    pub fn disk_epoch(&self) -> Digest {
        self.disk.epoch
    }

    pub fn results(&self) -> Option<&Arc<ResultCache>> {
        self.results.as_ref()
    }

    /// Takes in the folders looked in since the last call. An answer that differs from the
    /// one recorded means a folder changed while this epoch's results looked in it.
    pub fn record_probes(&mut self, probes: Vec<FolderSeen>) {
        if probes.is_empty() {
            return;
        }
        // Found by hash: a linear search per probe, comparing paths component by component,
        // was a fifth of the save of a cold run at 27k files.
        let mut position: FxHashMap<std::ffi::OsString, usize> = self
            .disk
            .folders
            .iter()
            .enumerate()
            .map(|(index, folder)| (folder.path.as_os_str().to_os_string(), index))
            .collect();
        for probe in probes {
            let Some(&index) = position.get(probe.path.as_os_str()) else {
                position.insert(
                    probe.path.as_os_str().to_os_string(),
                    self.disk.folders.len(),
                );
                self.disk.folders.push(probe);
                self.dirty = true;
                continue;
            };
            // The recorded stat stays: answers recorded earlier were not asked again, and a
            // changed stat makes the next run ask them.
            let recorded = &mut self.disk.folders[index];
            if recorded.stat.is_some() != probe.stat.is_some() {
                // Appeared or went while this epoch's results looked in it.
                self.disk_moved = true;
                continue;
            }
            let (names_moved, names_added) = merge_answers(&mut recorded.names, probe.names);
            let (prefixes_moved, prefixes_added) =
                merge_answers(&mut recorded.prefixes, probe.prefixes);
            self.disk_moved |= names_moved || prefixes_moved;
            self.dirty |= names_added || prefixes_added;
        }
    }

    /// The digest of each file that the stat fast path can vouch for, in `paths` order (`None`
    /// for files that must be read). Stats the files in parallel.
    pub fn known_digests(
        &mut self,
        paths: &[(PathBuf, LanguageId)],
        pool: &rayon::ThreadPool,
    ) -> Vec<Option<Digest>> {
        let index = self.store.read_stat_index(&self.root);
        if index.is_empty() {
            // Nothing to vouch for (a cold run): stat'ing every file would only cost, ~20 ms
            // at 27k files. Reading each file takes its stat for the next run.
            self.dirty = !paths.is_empty();
            return vec![None; paths.len()];
        }
        let now = now_ns();
        let root = &self.root;
        let found: Vec<Option<(PathBuf, FileStat, Digest)>> = pool.install(|| {
            paths
                .par_iter()
                .map(|(path, _)| {
                    // `metadata`, not `symlink_metadata`: a linked file is read through its
                    // link, so its target's stat is what tells a change.
                    let stat = FileStat::of(&std::fs::metadata(path).ok()?);
                    let relative = path.strip_prefix(root).ok()?;
                    let digest = index.digest(relative, &stat, now)?;
                    Some((relative.to_path_buf(), stat, digest))
                })
                .collect()
        });
        let trusted = found.iter().filter(|entry| entry.is_some()).count();
        // Files that must be read (new, changed, racy) or gone: the index changes.
        self.dirty = trusted != paths.len() || trusted != index.len();
        found
            .into_iter()
            .map(|entry| {
                let (relative, stat, digest) = entry?;
                self.known.insert(relative.into_os_string(), (stat, digest));
                Some(digest)
            })
            .collect()
    }

    /// Takes in what reading files found (absolute paths) since the last call.
    pub fn record_reads(&mut self, reads: Vec<(PathBuf, FileStat, Digest)>) {
        for (path, stat, digest) in reads {
            if let Ok(relative) = path.strip_prefix(&self.root) {
                self.known
                    .insert(relative.as_os_str().to_os_string(), (stat, digest));
                self.dirty = true;
            }
        }
    }

    /// What to write to keep this run's results, for the files still in the workspace (there
    /// are `file_count`, and `is_file(relative)` tells them); `CacheSave::run` writes it, on
    /// any thread.
    pub fn save(
        &mut self,
        db: &RippleDatabase,
        file_count: usize,
        is_file: impl Fn(&Path) -> bool,
    ) -> CacheSave {
        let mut context = None;
        if let Some(results) = &self.results {
            results.save(db);
            if results.used() && self.recorded_context != Some(results.context()) {
                context = Some(self.results_context(db, results));
                self.recorded_context = Some(results.context());
            }
        }
        let disk = if self.disk_moved {
            // Results of this epoch may have seen a folder before it changed: none is kept.
            self.disk = DiskIndex::fresh();
            self.disk_moved = false;
            self.results = None;
            Some(self.disk.clone())
        } else {
            self.dirty.then(|| self.disk.clone())
        };
        let before = self.known.len();
        if std::mem::take(&mut self.files_changed) || self.known.len() != file_count {
            // Files gone since `known` was built, or read but not the workspace's (an import
            // of an excluded folder): kept, they would make every next run rewrite the index.
            self.known
                .retain(|relative, _| is_file(Path::new(relative)));
        }
        let dirty = std::mem::take(&mut self.dirty) || self.known.len() != before;
        let index = dirty.then(|| {
            let mut entries: Vec<(std::ffi::OsString, FileStat, Digest)> = self
                .known
                .iter()
                .map(|(relative, (stat, digest))| (relative.clone(), *stat, *digest))
                .collect();
            // Bytewise, not by path components: the order only makes the file reproducible,
            // and comparing 100k paths component by component took a tenth of a warm run.
            entries.sort_unstable_by(|a, b| a.0.as_encoded_bytes().cmp(b.0.as_encoded_bytes()));
            entries
        });
        let (hits, misses) = db.result_counts();
        let walk = self.walk.take();
        CacheSave {
            store: self.store.clone(),
            root: self.root.clone(),
            index,
            disk,
            counts: ripple_store::CacheCounts { hits, misses },
            walk,
            context,
        }
    }

    fn results_context(&self, db: &RippleDatabase, results: &ResultCache) -> ResultsContext {
        let relative = |path: &Path| {
            path.strip_prefix(&self.root)
                .unwrap_or(path)
                .to_string_lossy()
                .replace(std::path::MAIN_SEPARATOR, "/")
        };
        ResultsContext {
            context: *results.context().as_bytes(),
            file_set: *file_set_digest(db, results.files()).as_bytes(),
            disk_epoch: *self.disk.epoch.as_bytes(),
            environments: db
                .languages()
                .iter()
                .map(|(_, language)| {
                    (
                        language.name().to_string(),
                        *language.environment(db).as_bytes(),
                    )
                })
                .collect(),
            files: results
                .files()
                .iter()
                .map(|file| relative(file.path(db)))
                .collect(),
        }
    }
}

/// Writing what a run learned to the store: its new results and the stat index.
pub struct CacheSave {
    store: Arc<Store>,
    root: PathBuf,
    index: Option<Vec<(std::ffi::OsString, FileStat, Digest)>>,
    disk: Option<DiskIndex>,
    counts: ripple_store::CacheCounts,
    walk: Option<(WalkIndex, i64)>,
    /// A new context of the kept findings, to record.
    context: Option<ResultsContext>,
}

impl CacheSave {
    /// Writes; never fails (a store that cannot be written says so in its warnings).
    pub fn run(self) {
        self.store.flush();
        if let Some(context) = &self.context
            && let Ok(bytes) = postcard::to_allocvec(context)
        {
            // The record first: a run killed between the two writes records it again.
            self.store
                .write_record(&self.root, ResultsContext::RECORD, &bytes);
            self.store
                .write_record(&self.root, ResultsContext::CONTEXT_RECORD, &context.context);
        }
        if let Some(entries) = &self.index {
            self.store.write_stat_index(&self.root, entries);
        }
        if let Some(disk) = &self.disk {
            self.store.write_disk_index(&self.root, disk);
        }
        if let Some((walk, started)) = &self.walk {
            self.store.write_walk_index(&self.root, walk, *started);
        }
        self.store.record_run(self.counts);
    }
}

pub(crate) fn now_ns() -> i64 {
    ripple_store::now_ns()
}

/// Adds to `recorded` the answers it lacks from `seen`: whether one of `seen` contradicts a
/// recorded answer (the folder moved), and whether any was added.
fn merge_answers<A: Copy + PartialEq>(
    recorded: &mut Vec<(String, A)>,
    seen: Vec<(String, A)>,
) -> (bool, bool) {
    let known: FxHashMap<String, A> = recorded.iter().cloned().collect();
    let mut moved = false;
    let before = recorded.len();
    for (name, answer) in seen {
        match known.get(&name) {
            Some(was) => moved |= *was != answer,
            None => recorded.push((name, answer)),
        }
    }
    (moved, recorded.len() > before)
}

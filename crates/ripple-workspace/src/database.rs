//! The concrete salsa database: one for every language registered, with the services the
//! language boundary promises them (the project, file reading, cached disk lookups, each
//! language's own state).

use std::any::Any;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use dashmap::DashMap;
use ripple_core::{
    Digest, FileContents, LanguageId, Languages, PathKind, Project, QueryStats, ReadText,
};
use ripple_store::{FileStat, FolderSeen, Store, matching_digest};
use rustc_hash::{FxBuildHasher, FxHashMap};

/// What resolution asked of one folder since the last `take_probed_folders`.
#[derive(Default)]
struct FolderProbe {
    stat: Option<FileStat>,
    names: FxHashMap<String, PathKind>,
    prefixes: FxHashMap<String, Digest>,
}

/// One answer a folder gave.
enum Answer<'a> {
    Kind(&'a str, PathKind),
    Listing(&'a str, Digest),
}

#[salsa::db]
#[derive(Clone)]
pub struct RippleDatabase {
    storage: salsa::Storage<Self>,
    stats: Arc<QueryStats>,
    project: Option<Project>,
    languages: Languages,
    /// Each language's state (`Language::new_state`), by `LanguageId`; shared with snapshots.
    language_states: Arc<[Box<dyn Any + Send + Sync>]>,
    /// What library paths are on disk, so a module imported from a thousand files is looked up
    /// once. Cleared together with a bump of `Project::disk_generation`. (Fx-hashed: these are
    /// asked hundreds of thousands of times in a cold check, and SipHash was most of the cost.
    /// Keyed by the path's bytes: `Path`'s own hash walks its components, and was a tenth of
    /// what keeping results added to a cold run; two spellings of one path only cost a
    /// second lookup.)
    disk: Arc<DashMap<OsString, PathKind, FxBuildHasher>>,
    listings: Arc<DashMap<OsString, Arc<[String]>, FxBuildHasher>>,
    /// Where results are kept between runs, when they are.
    store: Option<Arc<Store>>,
    /// What reading files found this run: each file's stat and digest, for the next run's stat
    /// fast path.
    read_records: Arc<Mutex<Vec<(PathBuf, FileStat, Digest)>>>,
    /// The digest of each file read this run, by path: a dependency's digest when its
    /// dependents' findings are kept.
    read_digests: Arc<DashMap<OsString, Digest, FxBuildHasher>>,
    /// The folders that resolution looked in, each with its stat (or `None`: absent) when
    /// first looked in and the answers it gave: what stored findings depend on of the disk.
    probed_folders: Arc<DashMap<OsString, FolderProbe, FxBuildHasher>>,
    results: Arc<ResultCounts>,
}

/// Per-file results found in the store and computed, this run.
#[derive(Debug, Default)]
pub struct ResultCounts {
    found: AtomicU64,
    computed: AtomicU64,
}

impl ResultCounts {
    /// (found in the store, computed).
    pub fn get(&self) -> (u64, u64) {
        (
            self.found.load(Ordering::Relaxed),
            self.computed.load(Ordering::Relaxed),
        )
    }
}

impl RippleDatabase {
    /// A database for `languages`, keeping results in `store` when there is one.
    pub fn new(languages: Languages, store: Option<Arc<Store>>) -> Self {
        let stats = Arc::new(QueryStats::default());
        let observer = stats.clone();
        let language_states = languages
            .iter()
            .map(|(_, language)| language.new_state())
            .collect();
        Self {
            storage: salsa::Storage::new(Some(Box::new(move |event| observer.observe(&event)))),
            stats,
            project: None,
            languages,
            language_states,
            disk: Arc::new(DashMap::default()),
            listings: Arc::new(DashMap::default()),
            store,
            read_records: Arc::default(),
            read_digests: Arc::default(),
            probed_folders: Arc::default(),
            results: Arc::default(),
        }
    }

    pub fn store(&self) -> Option<&Arc<Store>> {
        self.store.as_ref()
    }

    /// (found in the store, computed) per-file results so far.
    pub fn result_counts(&self) -> (u64, u64) {
        self.results.get()
    }

    /// The counters behind `result_counts`, to read from another thread.
    pub fn result_counter(&self) -> Arc<ResultCounts> {
        self.results.clone()
    }

    /// The digest of the file at `path` as read this run, if it was.
    pub fn read_digest(&self, path: &Path) -> Option<Digest> {
        self.read_digests
            .get(path.as_os_str())
            .map(|digest| *digest)
    }

    /// Counts a file's findings taken from the store.
    pub fn count_found(&self) {
        self.results.found.fetch_add(1, Ordering::Relaxed);
    }

    /// The folders looked in since the last call: their stats then and the answers they gave.
    pub fn take_probed_folders(&self) -> Vec<FolderSeen> {
        let keys: Vec<OsString> = self
            .probed_folders
            .iter()
            .map(|entry| entry.key().clone())
            .collect();
        keys.into_iter()
            .filter_map(|key| self.probed_folders.remove(&key))
            .map(|(folder, probe)| {
                let mut seen = FolderSeen {
                    path: PathBuf::from(folder),
                    stat: probe.stat,
                    names: probe.names.into_iter().collect(),
                    prefixes: probe.prefixes.into_iter().collect(),
                };
                if seen.stat.is_none() {
                    // A missing folder's answers are all "nothing": its absence says it all.
                    seen.names.clear();
                    seen.prefixes.clear();
                }
                seen
            })
            .collect()
    }

    /// Notes what resolution learnt of `folder` (only when a store keeps what it found).
    fn probe(&self, folder: &Path, answer: Answer<'_>) {
        if self.store.is_none() {
            return;
        }
        let mut probe = self
            .probed_folders
            .entry(folder.as_os_str().to_os_string())
            .or_insert_with(|| FolderProbe {
                stat: std::fs::metadata(folder)
                    .ok()
                    .map(|meta| FileStat::of(&meta)),
                ..FolderProbe::default()
            });
        match answer {
            Answer::Kind(name, kind) => {
                probe.names.insert(name.to_owned(), kind);
            }
            Answer::Listing(prefix, digest) => {
                probe.prefixes.insert(prefix.to_owned(), digest);
            }
        }
    }

    /// The stats and digests of the files read since the last call.
    pub fn take_read_records(&self) -> Vec<(PathBuf, FileStat, Digest)> {
        std::mem::take(
            &mut *self
                .read_records
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }

    pub fn set_project(&mut self, project: Project) {
        self.project = Some(project);
    }

    pub fn stats(&self) -> &QueryStats {
        &self.stats
    }

    /// Forgets what was cached about the disk; call before bumping `disk_generation`.
    pub fn forget_disk(&self) {
        self.disk.clear();
        self.listings.clear();
    }

    /// The query name of a salsa ingredient, for statistics.
    pub fn query_name(&self, ingredient: salsa::IngredientIndex) -> String {
        use salsa::Database as _;
        self.ingredient_debug_name(ingredient).into_owned()
    }

    /// Executions per query name since the database was created, sorted by name.
    pub fn query_totals(&self) -> Vec<(String, u64)> {
        let mut totals: Vec<(String, u64)> = self
            .stats
            .totals()
            .into_iter()
            .map(|(ingredient, count)| (self.query_name(ingredient), count))
            .collect();
        totals.sort();
        totals
    }

    /// Executions per query name in a recorded log, sorted by name.
    pub fn count_by_query(&self, records: &[ripple_core::ExecutionRecord]) -> Vec<(String, u64)> {
        let mut counts: std::collections::BTreeMap<String, u64> = Default::default();
        for record in records {
            *counts
                .entry(self.query_name(record.ingredient))
                .or_default() += 1;
        }
        counts.into_iter().collect()
    }
}

#[salsa::db]
impl salsa::Database for RippleDatabase {}

#[salsa::db]
impl ripple_core::Db for RippleDatabase {
    fn query_stats(&self) -> &QueryStats {
        &self.stats
    }

    fn project(&self) -> Project {
        match self.project {
            Some(project) => project,
            // Every database is given its project when the workspace is created, before any
            // query runs; a missing project is a bug in the front end, not bad input.
            None => panic!("RippleDatabase::project called before set_project"),
        }
    }

    fn languages(&self) -> &Languages {
        &self.languages
    }

    fn path_kind(&self, path: &Path) -> PathKind {
        if let Some(kind) = self.disk.get(path.as_os_str()) {
            return *kind;
        }
        let kind = ripple_store::path_kind(path);
        // Whether `path` exists, and as what, changes only with its folder's entries.
        if let (Some(folder), Some(name)) = (
            path.parent(),
            path.file_name().and_then(|name| name.to_str()),
        ) {
            self.probe(folder, Answer::Kind(name, kind));
        }
        self.disk.insert(path.as_os_str().to_os_string(), kind);
        kind
    }

    fn entries_starting_with(&self, dir: &Path, prefix: &str) -> Vec<String> {
        let entries = match self.listings.get(dir.as_os_str()) {
            Some(entries) => entries.clone(),
            None => {
                let entries: Arc<[String]> = ripple_store::list_folder(dir).into();
                self.listings
                    .insert(dir.as_os_str().to_os_string(), entries.clone());
                entries
            }
        };
        self.probe(
            dir,
            Answer::Listing(prefix, matching_digest(&entries, prefix)),
        );
        entries
            .iter()
            .filter(|name| name.starts_with(prefix))
            .cloned()
            .collect()
    }

    fn read_file(&self, path: &Path) -> Result<ReadText, FileContents> {
        let read = crate::read::read_contents(path, self.store.is_some())?;
        let digest = read.digest.map(|(digest, stat)| {
            self.read_digests
                .insert(path.as_os_str().to_os_string(), digest);
            self.read_records
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .push((path.to_path_buf(), stat, digest));
            digest
        });
        Ok(ReadText {
            text: read.text,
            digest,
        })
    }

    fn with_stored_result(&self, inputs: &Digest, found: &mut dyn FnMut(&[u8])) {
        let Some(store) = &self.store else {
            return;
        };
        if let Some(value) = store.get(&store.key(inputs)) {
            self.results.found.fetch_add(1, Ordering::Relaxed);
            found(&value);
        }
    }

    fn store_result(&self, inputs: &Digest, value: Vec<u8>) {
        self.results.computed.fetch_add(1, Ordering::Relaxed);
        if let Some(store) = &self.store {
            store.put(store.key(inputs), value);
        }
    }

    fn language_state(&self, language: LanguageId) -> Option<&(dyn Any + Send + Sync)> {
        self.language_states
            .get(language.index())
            .map(|state| &**state)
    }
}

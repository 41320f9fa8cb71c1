//! A workspace's use of the store: which store (the command line's, the environment's, the
//! configuration's or the default `.ripple_cache/`), the stat fast path at load (each file's
//! digest from what `stat` says of it), and saving what a run learned.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use ripple_core::{Digest, LanguageId};
use ripple_store::{FileStat, Store};
use rustc_hash::FxHashMap;

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
    known: FxHashMap<PathBuf, (FileStat, Digest)>,
    /// The stat index on disk differs from `known`.
    dirty: bool,
}

impl WorkspaceCache {
    pub fn open(dir: &Path, build: Digest, root: &Path) -> Self {
        Self {
            store: Arc::new(Store::open(dir, build)),
            root: root.to_path_buf(),
            known: FxHashMap::default(),
            dirty: false,
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
                self.known.insert(relative, (stat, digest));
                Some(digest)
            })
            .collect()
    }

    /// Takes in what reading files found (absolute paths) since the last call.
    pub fn record_reads(&mut self, reads: Vec<(PathBuf, FileStat, Digest)>) {
        for (path, stat, digest) in reads {
            if let Ok(relative) = path.strip_prefix(&self.root) {
                self.known.insert(relative.to_path_buf(), (stat, digest));
                self.dirty = true;
            }
        }
    }

    /// What to write to keep this run's results, for files still in the workspace
    /// (`is_file(relative)`); done by `CacheSave::run`, on any thread.
    pub fn save(&mut self, is_file: impl Fn(&Path) -> bool) -> CacheSave {
        let before = self.known.len();
        self.known.retain(|relative, _| is_file(relative));
        let dirty = std::mem::take(&mut self.dirty) || self.known.len() != before;
        let index = dirty.then(|| {
            let mut entries: Vec<(PathBuf, FileStat, Digest)> = self
                .known
                .iter()
                .map(|(relative, (stat, digest))| (relative.clone(), *stat, *digest))
                .collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            entries
        });
        CacheSave {
            store: self.store.clone(),
            root: self.root.clone(),
            index,
        }
    }
}

/// Writing what a run learned to the store: its new results and the stat index.
pub struct CacheSave {
    store: Arc<Store>,
    root: PathBuf,
    index: Option<Vec<(PathBuf, FileStat, Digest)>>,
}

impl CacheSave {
    /// Writes; never fails (a store that cannot be written says so in its warnings).
    pub fn run(self) {
        self.store.flush();
        if let Some(entries) = &self.index {
            self.store.write_stat_index(&self.root, entries);
        }
        self.store.record_run();
    }
}

fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_nanos()).unwrap_or(i64::MAX)
        })
}

//! The store: ripple's one place for computed results, kept by content-addressed keys in a
//! directory (`.ripple_cache/` by default), so that nothing is computed twice.
//!
//! ```text
//! .ripple_cache/
//!   CACHEDIR.TAG  .gitignore      marks for backup tools and git (`*`)
//!   pack-*.rpk                    immutable packs of entries (`pack.rs`)
//!   stat/<root>.idx               per workspace root: the stat fast path (`stat_index.rs`)
//!   last-run                      hits and misses of the last run, for `ripple cache stats`
//! ```
//!
//! Architecture invariant: the store can make ripple faster, never wrong and never failing.
//! Keys are digests of everything that can change a value (the caller's business; see
//! docs/architecture.md); an entry that is damaged, unreadable or missing is a miss; a store
//! that cannot be read or written is a warning, once, and the run goes on without it. No
//! process ever waits for another: packs are written whole under temporary names and renamed,
//! never changed after, and a pack deleted by another process's merge stays readable to those
//! that opened it.

mod disk_index;
mod maintenance;
mod pack;
mod stat_index;
mod walk_index;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use ripple_core::Digest;

pub use disk_index::{DiskIndex, FolderSeen, list as list_folder, matching_digest, path_kind};
pub use maintenance::{StoreInfo, clean, parse_duration, parse_size, prune};
pub use pack::Blob;
pub use stat_index::{FileStat, IndexProblem, StatIndex};
pub use walk_index::WalkIndex;

use pack::{Opened, Pack};

/// More packs than this are merged into one at the end of a run.
const MAX_PACKS: usize = 8;

/// Packs of other ripple builds are removed once they have not been written for this long.
const OTHER_BUILDS_KEPT: Duration = Duration::from_secs(30 * 24 * 60 * 60);

fn is_older_than(modified: std::time::SystemTime, age: Duration) -> bool {
    modified.elapsed().is_ok_and(|elapsed| elapsed > age)
}

const CACHEDIR_TAG: &str = "Signature: 8a477f597d28d172789f06886806bc55\n\
# This file is a cache directory tag created by ripple.\n\
# For information about cache directory tags see https://bford.info/cachedir/\n";

/// The store of one run (or one server session).
pub struct Store {
    dir: PathBuf,
    /// Mixed into every key: results of another ripple build never match.
    build: Digest,
    /// Newest first; the packs this process writes join them.
    packs: std::sync::RwLock<Vec<Pack>>,
    today: u32,
    /// Values put since the last flush, by key (a value put twice is kept once, and found by
    /// `get` before it is written: four copies of a file are analysed once).
    pending: Mutex<Pending>,
    /// Entries read this run that were last used before today: copied into this run's pack
    /// so that pruning by age keeps what is still used.
    promoted: Mutex<Vec<(Digest, Blob)>>,
    hits: AtomicU64,
    misses: AtomicU64,
    warnings: Mutex<Vec<String>>,
    /// What was found damaged, for one warning.
    damage: Mutex<Vec<String>>,
    /// A write failed (read-only, full disk): later writes are not attempted.
    write_failed: std::sync::atomic::AtomicBool,
}

#[derive(Default)]
struct Pending {
    values: rustc_hash::FxHashMap<Digest, std::sync::Arc<[u8]>>,
    /// The keys in the order they were first put: written in that order, values computed
    /// together (a task run's results) lie together, and are read together (`get_many`).
    order: Vec<Digest>,
    bytes: usize,
}

/// Values put but not written past this size are written at once, so that a cold run of a large
/// workspace does not hold them all.
const PENDING_BYTES: usize = 64 * 1024 * 1024;

/// Hit and miss counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheCounts {
    pub hits: u64,
    pub misses: u64,
}

impl Store {
    /// Opens (creating it if needed) the store at `dir` for results of `build`. Never fails:
    /// a directory that cannot be created or read gives an empty store that remembers why
    /// (see `take_warnings`).
    pub fn open(dir: &Path, build: Digest) -> Self {
        let store = Self {
            dir: dir.to_path_buf(),
            build,
            packs: std::sync::RwLock::new(Vec::new()),
            today: today(),
            pending: Mutex::new(Pending::default()),
            promoted: Mutex::new(Vec::new()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            warnings: Mutex::new(Vec::new()),
            damage: Mutex::new(Vec::new()),
            write_failed: Default::default(),
        };
        if let Err(error) = prepare(dir) {
            store.warn(format!(
                "cannot use the cache directory {}: {error}; results are not kept",
                dir.display()
            ));
            store.write_failed.store(true, Ordering::Relaxed);
            if !dir.is_dir() {
                return store;
            }
        }
        let mut paths = match pack_paths(dir) {
            Ok(paths) => paths,
            Err(error) => {
                store.warn(format!(
                    "cannot read the cache directory {}: {error}; results are not reused",
                    dir.display()
                ));
                Vec::new()
            }
        };
        // Newest first: a key found twice is the same value anyway (keys are digests).
        paths.sort_by_key(|(_, modified)| std::cmp::Reverse(*modified));
        let mut foreign = 0;
        let mut damaged = 0;
        for (path, modified) in paths {
            match Pack::open(&path, Some(&build)) {
                Ok(Opened::OtherBuild) if is_older_than(modified, OTHER_BUILDS_KEPT) => {
                    // Results of a build not run for a month: an old version's, most likely.
                    let _ = std::fs::remove_file(&path);
                }
                Ok(Opened::Pack(pack)) => {
                    damaged += usize::from(pack.truncated);
                    write(&store.packs).push(pack);
                }
                Ok(Opened::Foreign) => foreign += 1,
                Ok(Opened::Gone | Opened::OtherBuild) => {}
                Err(error) => store.warn(format!("cannot read {}: {error}", path.display())),
            }
        }
        if foreign > 0 {
            store.note_damage(format!(
                "{foreign} file(s) written by another version of ripple, ignored"
            ));
        }
        if damaged > 0 {
            store.note_damage(format!(
                "{damaged} file(s) cut short, as by a crash while writing"
            ));
        }
        store
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The store's key for a result whose inputs digest to `inputs`.
    pub fn key(&self, inputs: &Digest) -> Digest {
        // The same bytes as two updates, hashed at once: a `Hasher`'s set-up and finalization
        // cost more than the 64 bytes, looked up once per stored result.
        let mut bytes = [0u8; 64];
        bytes[..32].copy_from_slice(self.build.as_bytes());
        bytes[32..].copy_from_slice(inputs.as_bytes());
        Digest::from_bytes(*blake3::hash(&bytes).as_bytes())
    }

    /// The value stored for `key`, if any is intact. Counts a hit when there is one.
    pub fn get(&self, key: &Digest) -> Option<Blob> {
        if let Some(value) = lock(&self.pending).values.get(key) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Some(value.to_vec());
        }
        let packs = read(&self.packs);
        for pack in packs.iter() {
            match pack.get(key) {
                None => continue,
                Some(Ok(entry)) => {
                    self.hits.fetch_add(1, Ordering::Relaxed);
                    if entry.last_used < self.today {
                        lock(&self.promoted).push((*key, entry.value.clone()));
                    }
                    return Some(entry.value);
                }
                Some(Err(pack::Damaged)) => {
                    self.warn_once_damaged(&pack.path);
                }
            }
        }
        None
    }

    /// The values stored for `keys`, in their order, as `get` would find them one by one, but
    /// with entries that lie together in a pack read together.
    pub fn get_many(&self, keys: &[Digest]) -> Vec<Option<Blob>> {
        let mut values: Vec<Option<Blob>> = vec![None; keys.len()];
        {
            let pending = lock(&self.pending);
            for (value, key) in values.iter_mut().zip(keys) {
                *value = pending.values.get(key).map(|value| value.to_vec());
            }
        }
        let packs = read(&self.packs);
        for pack in packs.iter() {
            // Newest first, as `get`: only what no newer pack (or a damaged entry of one) gave.
            let wanted: Vec<usize> = (0..keys.len()).filter(|&i| values[i].is_none()).collect();
            if wanted.is_empty() {
                break;
            }
            let asked: Vec<Digest> = wanted.iter().map(|&i| keys[i]).collect();
            for (position, entry) in pack.get_many(&asked) {
                let index = wanted[position];
                match entry {
                    Ok(entry) => {
                        if entry.last_used < self.today {
                            lock(&self.promoted).push((keys[index], entry.value.clone()));
                        }
                        values[index] = Some(entry.value);
                    }
                    Err(pack::Damaged) => self.warn_once_damaged(&pack.path),
                }
            }
        }
        let found = values.iter().filter(|value| value.is_some()).count();
        self.hits.fetch_add(found as u64, Ordering::Relaxed);
        values
    }

    /// Keeps `value` for `key`, written at the next `flush` (or at once, when much is waiting).
    /// Counts a miss: it was computed.
    pub fn put(&self, key: Digest, value: Vec<u8>) {
        self.misses.fetch_add(1, Ordering::Relaxed);
        let full = {
            let mut pending = lock(&self.pending);
            let length = value.len();
            if pending.values.insert(key, value.into()).is_none() {
                pending.bytes += length;
                pending.order.push(key);
            }
            pending.bytes > PENDING_BYTES
        };
        if full {
            self.flush();
        }
    }

    pub fn counts(&self) -> CacheCounts {
        CacheCounts {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }

    /// Writes what this run computed (and the older entries it used) as one new pack, and
    /// merges the packs when there are many. Safe to call from any thread, any number of
    /// times: each call writes what came since the last.
    pub fn flush(&self) {
        if self.write_failed.load(Ordering::Relaxed) {
            return;
        }
        let pending = std::mem::take(&mut *lock(&self.pending));
        let promoted = std::mem::take(&mut *lock(&self.promoted));
        if pending.values.is_empty() && promoted.is_empty() {
            return;
        }
        let today = self.today;
        let mut entries = pending
            .order
            .iter()
            .filter_map(|key| Some((*key, &**pending.values.get(key)?, today)))
            .chain(
                promoted
                    .iter()
                    .map(|(key, value)| (*key, value.as_slice(), today)),
            );
        let written = match pack::write(&self.dir, &self.build, &mut entries) {
            Ok(written) => written,
            Err(error) => {
                self.write_failed.store(true, Ordering::Relaxed);
                self.warn(format!(
                    "cannot write to the cache in {}: {error}; this run's results are not kept",
                    self.dir.display()
                ));
                return;
            }
        };
        // What was written stays findable by this process (a server runs for hours).
        if let Ok(Opened::Pack(pack)) = Pack::open(&written, Some(&self.build)) {
            write(&self.packs).insert(0, pack);
        }
        if read(&self.packs).len() > MAX_PACKS
            && let Err(error) = maintenance::merge(&self.dir, Some(&self.build), None, None)
        {
            self.warn(format!(
                "cannot merge the cache files in {}: {error}",
                self.dir.display()
            ));
        }
    }

    /// Records a run's hits and misses (the caller's measure: files whose results were found
    /// and computed) for `ripple cache stats`.
    pub fn record_run(&self, counts: CacheCounts) {
        if self.write_failed.load(Ordering::Relaxed) {
            return;
        }
        let text = format!("hits {}\nmisses {}\n", counts.hits, counts.misses);
        let temporary = self.dir.join(format!("tmp-{}", pack::unique_name()));
        let written = std::fs::write(&temporary, text)
            .and_then(|()| std::fs::rename(&temporary, self.dir.join("last-run")));
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
    }

    /// Where the stat index of the workspace at `root` lives.
    pub fn stat_index_path(&self, root: &Path) -> PathBuf {
        let name = blake3::hash(root.as_os_str().as_encoded_bytes()).to_hex();
        self.dir.join("stat").join(format!("{}.idx", &name[..32]))
    }

    /// The stat index of the workspace at `root`; empty (with a warning when it was damaged)
    /// when there is none to use.
    pub fn read_stat_index(&self, root: &Path) -> StatIndex {
        if !self.dir.is_dir() {
            // Already said: the directory is not usable.
            return StatIndex::default();
        }
        match StatIndex::read(&self.stat_index_path(root)) {
            Ok(index) => index,
            Err(IndexProblem::Missing) => StatIndex::default(),
            Err(IndexProblem::Unusable(why)) => {
                self.note_damage(format!("the file index is not usable ({why})"));
                StatIndex::default()
            }
        }
    }

    /// Replaces the stat index of the workspace at `root`.
    pub fn write_stat_index(&self, root: &Path, entries: &[(OsString, FileStat, Digest)]) {
        if self.write_failed.load(Ordering::Relaxed) {
            return;
        }
        let written = StatIndex::write(&self.stat_index_path(root), entries, now_ns());
        if let Err(error) = written {
            self.write_failed.store(true, Ordering::Relaxed);
            self.warn(format!(
                "cannot write to the cache in {}: {error}; this run's results are not kept",
                self.dir.display()
            ));
        }
    }

    /// Where the disk index of the workspace at `root` lives.
    fn disk_index_path(&self, root: &Path) -> PathBuf {
        let mut path = self.stat_index_path(root);
        path.set_extension("disk");
        path
    }

    /// The disk index of the workspace at `root` if it still holds (every folder as recorded),
    /// else a fresh epoch.
    pub fn read_disk_index(&self, root: &Path) -> DiskIndex {
        if !self.dir.is_dir() {
            return DiskIndex::fresh();
        }
        match DiskIndex::read(&self.disk_index_path(root)) {
            Some(mut index) => {
                if index.still_holds(now_ns()) {
                    index
                } else {
                    DiskIndex::fresh()
                }
            }
            None => DiskIndex::fresh(),
        }
    }

    /// Replaces the disk index of the workspace at `root`.
    pub fn write_disk_index(&self, root: &Path, index: &DiskIndex) {
        if self.write_failed.load(Ordering::Relaxed) {
            return;
        }
        if let Err(error) = index.write(&self.disk_index_path(root), now_ns()) {
            self.write_failed.store(true, Ordering::Relaxed);
            self.warn(format!(
                "cannot write to the cache in {}: {error}; this run's results are not kept",
                self.dir.display()
            ));
        }
    }

    fn walk_index_path(&self, root: &Path) -> PathBuf {
        let mut path = self.stat_index_path(root);
        path.set_extension("walk");
        path
    }

    /// The walk of the workspace at `root` kept by the last run, if any.
    pub fn read_walk_index(&self, root: &Path) -> Option<WalkIndex> {
        WalkIndex::read(&self.walk_index_path(root))
    }

    /// Keeps a walk of the workspace at `root` that started at `walk_started_ns`.
    pub fn write_walk_index(&self, root: &Path, index: &WalkIndex, walk_started_ns: i64) {
        if self.write_failed.load(Ordering::Relaxed) {
            return;
        }
        if let Err(error) = index.write(&self.walk_index_path(root), walk_started_ns) {
            self.write_failed.store(true, Ordering::Relaxed);
            self.warn(format!(
                "cannot write to the cache in {}: {error}; this run's results are not kept",
                self.dir.display()
            ));
        }
    }

    /// A small record of the workspace at `root` kept beside its indexes
    /// (`stat/<root>.<kind>`), as last written by any process: `None` when there is none or it
    /// is damaged (each carries a CRC). For facts that only make ripple's answers better, such
    /// as which result a task's target had last; never for anything a result depends on.
    pub fn read_record(&self, root: &Path, kind: &str) -> Option<Vec<u8>> {
        let data = std::fs::read(self.record_path(root, kind)).ok()?;
        unseal(&data).map(<[u8]>::to_vec)
    }

    /// Replaces the record `kind` of the workspace at `root` (whole: a process killed while
    /// writing leaves the previous one).
    pub fn write_record(&self, root: &Path, kind: &str, bytes: &[u8]) {
        if self.write_failed.load(Ordering::Relaxed) {
            return;
        }
        let mut body = bytes.to_vec();
        seal(&mut body);
        if let Err(error) = write_whole(&self.record_path(root, kind), &body) {
            self.write_failed.store(true, Ordering::Relaxed);
            self.warn(format!(
                "cannot write to the cache in {}: {error}; this run's results are not kept",
                self.dir.display()
            ));
        }
    }

    fn record_path(&self, root: &Path, kind: &str) -> PathBuf {
        let mut path = self.stat_index_path(root);
        path.set_extension(kind);
        path
    }

    /// The warnings so far, each once, and what was found damaged as one warning; the caller
    /// shows them.
    pub fn take_warnings(&self) -> Vec<String> {
        let mut warnings = std::mem::take(&mut *lock(&self.warnings));
        let damage = std::mem::take(&mut *lock(&self.damage));
        if !damage.is_empty() {
            warnings.push(format!(
                "the cache in {} was damaged or foreign ({}); what was intact was used, the rest recomputed (`ripple cache clean` starts afresh)",
                self.dir.display(),
                damage.join("; ")
            ));
        }
        warnings
    }

    /// Something found damaged: said once, with the rest, by `take_warnings`.
    fn note_damage(&self, what: String) {
        let mut damage = lock(&self.damage);
        if !damage.contains(&what) {
            tracing::debug!("cache damage: {what}");
            damage.push(what);
        }
    }

    fn warn(&self, warning: String) {
        let mut warnings = lock(&self.warnings);
        if !warnings.contains(&warning) {
            tracing::debug!("cache: {warning}");
            warnings.push(warning);
        }
    }

    fn warn_once_damaged(&self, path: &Path) {
        let name = path
            .file_name()
            .map_or_else(String::new, |name| name.to_string_lossy().into_owned());
        self.note_damage(format!("damaged entries in {name}"));
    }
}

/// Appends the check of an index file: CRC-32 of what comes before.
pub(crate) fn seal(body: &mut Vec<u8>) {
    let check = crc32fast::hash(body);
    body.extend_from_slice(&check.to_le_bytes());
}

/// An index file's body if its check holds.
pub(crate) fn unseal(data: &[u8]) -> Option<&[u8]> {
    let (body, check) = data.split_at_checked(data.len().checked_sub(4)?)?;
    (crc32fast::hash(body).to_le_bytes() == check).then_some(body)
}

/// Writes `bytes` at `path` whole: to a temporary name beside it, then renamed into place (its
/// folder made first).
pub(crate) fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let temporary = dir.join(format!("tmp-{}", pack::unique_name()));
    let written =
        std::fs::write(&temporary, bytes).and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// Creates the directory with its marks: `CACHEDIR.TAG` (backup tools skip it) and a
/// `.gitignore` of `*` (git ignores it wherever it is).
fn prepare(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, text) in [(".gitignore", "*\n"), ("CACHEDIR.TAG", CACHEDIR_TAG)] {
        let path = dir.join(name);
        if !path.exists() {
            std::fs::write(&path, text)?;
        }
    }
    Ok(())
}

/// Every pack in `dir`, with its modification time.
fn pack_paths(dir: &Path) -> std::io::Result<Vec<(PathBuf, std::time::SystemTime)>> {
    let mut found = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(found),
        Err(error) => return Err(error),
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path
            .extension()
            .is_some_and(|extension| extension == pack::EXTENSION)
        {
            let modified = entry
                .metadata()
                .and_then(|metadata| metadata.modified())
                .unwrap_or(std::time::UNIX_EPOCH);
            found.push((path, modified));
        }
    }
    Ok(found)
}

fn today() -> u32 {
    (now_ns() / 86_400_000_000_000).clamp(0, i64::from(u32::MAX)) as u32
}

pub fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_nanos()).unwrap_or(i64::MAX)
        })
}

/// A pause after each entry written (`RIPPLE_TEST_CACHE_WRITE_PAUSE_US`): only for the test that
/// kills a process while it writes, so that its kills land inside the write.
fn write_pace() -> Option<Duration> {
    let micros: u64 = std::env::var("RIPPLE_TEST_CACHE_WRITE_PAUSE_US")
        .ok()?
        .parse()
        .ok()?;
    Some(Duration::from_micros(micros))
}

fn read<T>(lock: &std::sync::RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn write<T>(lock: &std::sync::RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests;

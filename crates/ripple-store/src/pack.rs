//! Pack files: immutable files of store entries, written whole to a temporary name and renamed
//! into place, never changed after. A run writes at most one; merging writes one from several.
//!
//! ```text
//! header:  b"RIPPLEPK"  format version (u32 LE)  0 (u32)
//! entry:   key (32 bytes)  last used, in days since 1970 (u32 LE)  length (u32 LE)
//!          check (8 bytes: CRC-32 of key and value, then zeros)  value (length bytes)
//! ```
//!
//! Each entry carries its own check, so a damaged or truncated pack loses only the entries
//! that are damaged: they read as misses, and the caller says so once. Written by hand rather
//! than with an embedded database: the whole format is these two lines, every reader and
//! writer in any number of processes works without a lock, and a reader keeps reading a pack
//! that another process deletes (see `docs/benchmarks.md` for the comparison with redb).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ripple_core::Digest;
use rustc_hash::FxHashMap;

pub(crate) const MAGIC: &[u8; 8] = b"RIPPLEPK";
/// Bumped whenever the layout above changes.
pub(crate) const FORMAT_VERSION: u32 = 2;
const HEADER_LEN: usize = 16;
const ENTRY_HEADER_LEN: usize = 32 + 4 + 4 + 8;
pub(crate) const EXTENSION: &str = "rpk";

/// What opening a pack found.
pub(crate) enum Opened {
    Pack(Pack),
    /// Written by a ripple with another format: left alone.
    Foreign,
    /// Vanished between listing and opening (another process merged it away).
    Gone,
}

/// One pack, read whole: its bytes and where each entry's value lies.
pub(crate) struct Pack {
    pub path: PathBuf,
    data: Arc<[u8]>,
    /// Key -> (offset of the entry header).
    entries: FxHashMap<Digest, u32>,
    /// The file ended inside an entry (a crash while writing, a truncated copy).
    pub truncated: bool,
}

impl Pack {
    pub fn open(path: &Path) -> std::io::Result<Opened> {
        let data = match std::fs::read(path) {
            Ok(data) => data,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Opened::Gone),
            Err(error) => return Err(error),
        };
        if data.len() < HEADER_LEN || &data[..8] != MAGIC || read_u32(&data, 8) != FORMAT_VERSION {
            return Ok(Opened::Foreign);
        }
        let mut entries = FxHashMap::default();
        let mut offset = HEADER_LEN;
        let mut truncated = false;
        while offset < data.len() {
            if offset + ENTRY_HEADER_LEN > data.len() {
                truncated = true;
                break;
            }
            let length = read_u32(&data, offset + 36) as usize;
            let end = offset + ENTRY_HEADER_LEN + length;
            if end > data.len() || u32::try_from(offset).is_err() {
                truncated = true;
                break;
            }
            let mut key = [0; 32];
            key.copy_from_slice(&data[offset..offset + 32]);
            entries.insert(Digest::from_bytes(key), offset as u32);
            offset = end;
        }
        Ok(Opened::Pack(Pack {
            path: path.to_path_buf(),
            data: data.into(),
            entries,
            truncated,
        }))
    }

    pub fn keys(&self) -> impl Iterator<Item = &Digest> {
        self.entries.keys()
    }

    /// The entry for `key`: its value and the day it was last used, if present and intact.
    pub fn get(&self, key: &Digest) -> Option<Result<Entry, Damaged>> {
        let offset = *self.entries.get(key)? as usize;
        Some(self.entry_at(offset))
    }

    fn entry_at(&self, offset: usize) -> Result<Entry, Damaged> {
        let last_used = read_u32(&self.data, offset + 32);
        let length = read_u32(&self.data, offset + 36) as usize;
        let check = &self.data[offset + 40..offset + 48];
        let start = offset + ENTRY_HEADER_LEN;
        let key = &self.data[offset..offset + 32];
        let value = &self.data[start..start + length];
        if check != &entry_check(key, value)[..] {
            return Err(Damaged);
        }
        Ok(Entry {
            value: Blob {
                data: self.data.clone(),
                start,
                end: start + length,
            },
            last_used,
        })
    }

    /// Every intact entry, for merging.
    pub fn intact_entries(&self) -> impl Iterator<Item = (Digest, Entry)> + '_ {
        self.entries
            .iter()
            .filter_map(|(key, &offset)| Some((*key, self.entry_at(offset as usize).ok()?)))
    }
}

/// A value read from a pack, sharing the pack's bytes.
#[derive(Clone)]
pub struct Blob {
    data: Arc<[u8]>,
    start: usize,
    end: usize,
}

impl Blob {
    pub fn from_vec(bytes: Vec<u8>) -> Self {
        let end = bytes.len();
        Self {
            data: bytes.into(),
            start: 0,
            end,
        }
    }
}

impl std::ops::Deref for Blob {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.data[self.start..self.end]
    }
}

pub(crate) struct Entry {
    pub value: Blob,
    pub last_used: u32,
}

/// An entry whose check does not match its bytes.
#[derive(Debug)]
pub(crate) struct Damaged;

/// A checksum of an entry, to tell damage (a flipped or missing byte) from data: CRC-32 of the
/// key and the value. Not a digest: keys are digests already, and the check only has to catch
/// accidents, at the speed of reading (blake3 here cost a fifth of a warm run's reading).
fn entry_check(key: &[u8], value: &[u8]) -> [u8; 8] {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(key);
    hasher.update(value);
    let mut check = [0; 8];
    check[..4].copy_from_slice(&hasher.finalize().to_le_bytes());
    check
}

fn read_u32(data: &[u8], at: usize) -> u32 {
    let mut bytes = [0; 4];
    bytes.copy_from_slice(&data[at..at + 4]);
    u32::from_le_bytes(bytes)
}

/// Writes a pack of `entries` into `dir`, under a temporary name first and renamed into place
/// once whole, so no reader ever sees half of it. Returns its path.
pub(crate) fn write(
    dir: &Path,
    entries: &mut dyn Iterator<Item = (Digest, &[u8], u32)>,
) -> std::io::Result<PathBuf> {
    let unique = unique_name();
    let temporary = dir.join(format!("tmp-{unique}"));
    let result = write_to(&temporary, entries);
    if let Err(error) = result {
        let _ = std::fs::remove_file(&temporary);
        return Err(error);
    }
    let path = dir.join(format!("pack-{unique}.{EXTENSION}"));
    if let Err(error) = std::fs::rename(&temporary, &path) {
        let _ = std::fs::remove_file(&temporary);
        return Err(error);
    }
    Ok(path)
}

fn write_to(
    path: &Path,
    entries: &mut dyn Iterator<Item = (Digest, &[u8], u32)>,
) -> std::io::Result<()> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    out.write_all(MAGIC)?;
    out.write_all(&FORMAT_VERSION.to_le_bytes())?;
    out.write_all(&0u32.to_le_bytes())?;
    let pace = crate::write_pace();
    for (key, value, last_used) in entries {
        let length = u32::try_from(value.len())
            .map_err(|_| std::io::Error::other("a cache entry larger than 4 GiB"))?;
        out.write_all(key.as_bytes())?;
        out.write_all(&last_used.to_le_bytes())?;
        out.write_all(&length.to_le_bytes())?;
        out.write_all(&entry_check(key.as_bytes(), value))?;
        out.write_all(value)?;
        if let Some(pace) = pace {
            out.flush()?;
            std::thread::sleep(pace);
        }
    }
    out.flush()?;
    Ok(())
}

/// A name no other process or thread picks: the time, the process and a counter.
pub(crate) fn unique_name() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    format!(
        "{nanos:x}-{:x}-{:x}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

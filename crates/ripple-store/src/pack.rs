//! Pack files: immutable files of store entries, written whole to a temporary name and renamed
//! into place, never changed after. A run writes at most one; merging writes one from several.
//!
//! ```text
//! header:  b"RIPPLEPK"  format version (u32 LE)  0 (u32)  build (32 bytes)
//! entry:   key (32 bytes)  last used, in days since 1970 (u32 LE)  length (u32 LE)
//!          check (8 bytes: CRC-32 of key and value, then zeros)  value (length bytes)
//! index:   per entry, sorted by key: key (32)  offset (u64 LE)  length (u32 LE)
//! trailer: index offset (u64 LE)  entry count (u32 LE)  CRC-32 of the index (u32 LE)
//!          b"RIPPLEND"
//! ```
//!
//! A reader reads the header, the trailer and the index, and then only the entries it asks for
//! (a warm run reads a file's kept findings, not its analysis; a pack of another build is not
//! read past its header). Each entry carries its own check, so a damaged pack loses only the
//! entries that are damaged: they read as misses, and the caller says so once; a pack whose
//! index is damaged or missing is read whole instead. Written by hand rather than with an
//! embedded database: the whole format is these lines, every reader and writer in any number of
//! processes works without a lock, and a reader keeps reading a pack another process deletes
//! (`docs/benchmarks.md` has the comparison with redb and a directory of files).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use ripple_core::Digest;

pub(crate) const MAGIC: &[u8; 8] = b"RIPPLEPK";
const END: &[u8; 8] = b"RIPPLEND";
/// Bumped whenever the layout above changes.
pub(crate) const FORMAT_VERSION: u32 = 3;
const HEADER_LEN: usize = 16 + 32;
const ENTRY_HEADER_LEN: usize = 32 + 4 + 4 + 8;
const INDEX_ENTRY_LEN: usize = 32 + 8 + 4;
const TRAILER_LEN: usize = 8 + 4 + 4 + 8;
pub(crate) const EXTENSION: &str = "rpk";

/// What opening a pack found.
pub(crate) enum Opened {
    Pack(Pack),
    /// Written by a ripple with another format: left alone.
    Foreign,
    /// Results of another ripple build: never used by this one, left for pruning.
    OtherBuild,
    /// Vanished between listing and opening (another process merged it away).
    Gone,
}

/// One pack: where each entry lies, and the open file to read them from.
pub(crate) struct Pack {
    pub path: PathBuf,
    /// The ripple build whose results these are.
    pub build: Digest,
    file: PackFile,
    /// (key, offset of the entry header, length of the value), sorted by key.
    entries: Vec<(Digest, u64, u32)>,
    /// The file ended inside an entry, or its index was damaged (a crash while writing, a
    /// truncated copy): what could be found was found by reading it whole.
    pub truncated: bool,
}

impl Pack {
    /// Opens the pack at `path` if it holds results of `build` (`None`: of any build, for
    /// maintenance).
    pub fn open(path: &Path, build: Option<&Digest>) -> std::io::Result<Opened> {
        let file = match std::fs::File::open(path) {
            Ok(file) => PackFile::new(file),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Opened::Gone),
            Err(error) => return Err(error),
        };
        let size = file.len()?;
        let mut header = [0; HEADER_LEN];
        if size < (HEADER_LEN + TRAILER_LEN) as u64 || file.read_at(&mut header, 0).is_err() {
            return Ok(Opened::Foreign);
        }
        if &header[..8] != MAGIC || read_u32(&header, 8) != FORMAT_VERSION {
            return Ok(Opened::Foreign);
        }
        if build.is_some_and(|build| &header[16..48] != build.as_bytes()) {
            return Ok(Opened::OtherBuild);
        }
        let mut pack_build = [0; 32];
        pack_build.copy_from_slice(&header[16..48]);
        let (entries, truncated) = match read_index(&file, size) {
            Some(entries) => (entries, false),
            None => (scan(&file, size)?, true),
        };
        Ok(Opened::Pack(Pack {
            path: path.to_path_buf(),
            build: Digest::from_bytes(pack_build),
            file,
            entries,
            truncated,
        }))
    }

    pub fn keys(&self) -> impl Iterator<Item = &Digest> {
        self.entries.iter().map(|(key, _, _)| key)
    }

    /// The entry for `key`: its value and the day it was last used, if present and intact.
    pub fn get(&self, key: &Digest) -> Option<Result<Entry, Damaged>> {
        let found = self
            .entries
            .binary_search_by(|(candidate, _, _)| candidate.cmp(key))
            .ok()?;
        let (_, offset, length) = self.entries[found];
        Some(self.entry_at(key, offset, length))
    }

    /// The entries for those of `keys` this pack holds, as (position in `keys`, entry), read
    /// in as few reads as their places allow: entries a run wrote together lie together, and
    /// one read per entry made thousands of system calls of a run that replays thousands.
    pub fn get_many(&self, keys: &[Digest]) -> Vec<(usize, Result<Entry, Damaged>)> {
        // Entries closer than this are read in one go, gap included; no read exceeds SPAN.
        const GAP: u64 = 16 << 10;
        const SPAN: u64 = 4 << 20;
        let mut places: Vec<(u64, u32, usize)> = keys
            .iter()
            .enumerate()
            .filter_map(|(position, key)| {
                let found = self
                    .entries
                    .binary_search_by(|(candidate, _, _)| candidate.cmp(key))
                    .ok()?;
                let (_, offset, length) = self.entries[found];
                Some((offset, length, position))
            })
            .collect();
        places.sort_unstable();
        let end_of = |(offset, length, _): (u64, u32, usize)| {
            offset + ENTRY_HEADER_LEN as u64 + u64::from(length)
        };
        let mut found = Vec::with_capacity(places.len());
        let mut first = 0;
        while first < places.len() {
            let start = places[first].0;
            let mut end = end_of(places[first]);
            let mut last = first + 1;
            while let Some(&next) = places.get(last) {
                if next.0 > end + GAP || end_of(next).max(end) - start > SPAN {
                    break;
                }
                end = end.max(end_of(next));
                last += 1;
            }
            let mut span = vec![0; usize::try_from(end - start).unwrap_or(0)];
            let read = self.file.read_at(&mut span, start).is_ok();
            for &(offset, length, position) in &places[first..last] {
                let entry = if read {
                    let from = usize::try_from(offset - start).unwrap_or(usize::MAX);
                    let bytes = span
                        .get(from..from.saturating_add(ENTRY_HEADER_LEN + length as usize))
                        .ok_or(Damaged);
                    bytes.and_then(|bytes| {
                        let last_used = checked_entry(&keys[position], length, bytes)?;
                        Ok(Entry {
                            value: bytes[ENTRY_HEADER_LEN..].to_vec(),
                            last_used,
                        })
                    })
                } else {
                    Err(Damaged)
                };
                found.push((position, entry));
            }
            first = last;
        }
        found
    }

    fn entry_at(&self, key: &Digest, offset: u64, length: u32) -> Result<Entry, Damaged> {
        let mut bytes = vec![0; ENTRY_HEADER_LEN + length as usize];
        self.file.read_at(&mut bytes, offset).map_err(|_| Damaged)?;
        let last_used = checked_entry(key, length, &bytes)?;
        bytes.drain(..ENTRY_HEADER_LEN);
        Ok(Entry {
            value: bytes,
            last_used,
        })
    }

    /// Every intact entry, in the order they were written, for merging.
    pub fn intact_entries(&self) -> impl Iterator<Item = (Digest, Entry)> + '_ {
        let mut placed: Vec<&(Digest, u64, u32)> = self.entries.iter().collect();
        placed.sort_unstable_by_key(|(_, offset, _)| *offset);
        placed.into_iter().filter_map(|(key, offset, length)| {
            Some((*key, self.entry_at(key, *offset, *length).ok()?))
        })
    }
}

/// When `bytes` (an entry's header and value) are the entry for `key` and intact, the day it
/// was last used.
fn checked_entry(key: &Digest, length: u32, bytes: &[u8]) -> Result<u32, Damaged> {
    if bytes.len() != ENTRY_HEADER_LEN + length as usize
        || &bytes[..32] != key.as_bytes()
        || read_u32(bytes, 36) != length
    {
        return Err(Damaged);
    }
    let check = entry_check(&bytes[..32], &bytes[ENTRY_HEADER_LEN..]);
    if bytes[40..48] != check {
        return Err(Damaged);
    }
    Ok(read_u32(bytes, 32))
}

/// The index, from the trailer, if it is whole and its check holds.
fn read_index(file: &PackFile, size: u64) -> Option<Vec<(Digest, u64, u32)>> {
    let mut trailer = [0; TRAILER_LEN];
    file.read_at(&mut trailer, size - TRAILER_LEN as u64).ok()?;
    if &trailer[16..24] != END {
        return None;
    }
    let index_offset = read_u64(&trailer, 0);
    let count = read_u32(&trailer, 8) as usize;
    let check = read_u32(&trailer, 12);
    let index_len = count.checked_mul(INDEX_ENTRY_LEN)?;
    if index_offset.checked_add(index_len as u64)? != size - TRAILER_LEN as u64 {
        return None;
    }
    let mut index = vec![0; index_len];
    file.read_at(&mut index, index_offset).ok()?;
    if crc32fast::hash(&index) != check {
        return None;
    }
    let entries: Vec<(Digest, u64, u32)> = index
        .chunks_exact(INDEX_ENTRY_LEN)
        .map(|chunk| {
            let mut key = [0; 32];
            key.copy_from_slice(&chunk[..32]);
            (
                Digest::from_bytes(key),
                read_u64(chunk, 32),
                read_u32(chunk, 40),
            )
        })
        .collect();
    let ordered = entries.windows(2).all(|pair| pair[0].0 < pair[1].0);
    let inside = entries.iter().all(|(_, offset, length)| {
        *offset >= HEADER_LEN as u64
            && offset + ENTRY_HEADER_LEN as u64 + u64::from(*length) <= index_offset
    });
    (ordered && inside).then_some(entries)
}

/// The entries of a pack whose index cannot be used, found by reading it whole.
fn scan(file: &PackFile, size: u64) -> std::io::Result<Vec<(Digest, u64, u32)>> {
    let mut data = vec![0; usize::try_from(size).unwrap_or(0)];
    file.read_at(&mut data, 0)?;
    let mut entries = Vec::new();
    let mut offset = HEADER_LEN;
    while offset + ENTRY_HEADER_LEN <= data.len() {
        let length = read_u32(&data, offset + 36) as usize;
        let end = offset + ENTRY_HEADER_LEN + length;
        if end > data.len() {
            break;
        }
        let mut key = [0; 32];
        key.copy_from_slice(&data[offset..offset + 32]);
        entries.push((Digest::from_bytes(key), offset as u64, length as u32));
        offset = end;
    }
    entries.sort_by_key(|entry| entry.0);
    entries.dedup_by(|a, b| a.0 == b.0);
    Ok(entries)
}

/// A value read from a pack.
pub type Blob = Vec<u8>;

pub(crate) struct Entry {
    pub value: Vec<u8>,
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

fn read_u64(data: &[u8], at: usize) -> u64 {
    let mut bytes = [0; 8];
    bytes.copy_from_slice(&data[at..at + 8]);
    u64::from_le_bytes(bytes)
}

/// Writes a pack of `entries` (of ripple build `build`) into `dir`, under a temporary name first
/// and renamed into place once whole, so no reader ever sees half of it. Returns its path.
pub(crate) fn write(
    dir: &Path,
    build: &Digest,
    entries: &mut dyn Iterator<Item = (Digest, &[u8], u32)>,
) -> std::io::Result<PathBuf> {
    let unique = unique_name();
    let temporary = dir.join(format!("tmp-{unique}"));
    let result = write_to(&temporary, build, entries);
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
    build: &Digest,
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
    out.write_all(build.as_bytes())?;
    let pace = crate::write_pace();
    let mut offset = HEADER_LEN as u64;
    let mut index: Vec<(Digest, u64, u32)> = Vec::new();
    for (key, value, last_used) in entries {
        let length = u32::try_from(value.len())
            .map_err(|_| std::io::Error::other("a cache entry larger than 4 GiB"))?;
        out.write_all(key.as_bytes())?;
        out.write_all(&last_used.to_le_bytes())?;
        out.write_all(&length.to_le_bytes())?;
        out.write_all(&entry_check(key.as_bytes(), value))?;
        out.write_all(value)?;
        index.push((key, offset, length));
        offset += (ENTRY_HEADER_LEN + value.len()) as u64;
        if let Some(pace) = pace {
            out.flush()?;
            std::thread::sleep(pace);
        }
    }
    index.sort_by_key(|entry| entry.0);
    index.dedup_by(|a, b| a.0 == b.0);
    let mut encoded = Vec::with_capacity(index.len() * INDEX_ENTRY_LEN);
    for (key, entry_offset, length) in &index {
        encoded.extend_from_slice(key.as_bytes());
        encoded.extend_from_slice(&entry_offset.to_le_bytes());
        encoded.extend_from_slice(&length.to_le_bytes());
    }
    out.write_all(&encoded)?;
    out.write_all(&offset.to_le_bytes())?;
    out.write_all(&(index.len() as u32).to_le_bytes())?;
    out.write_all(&crc32fast::hash(&encoded).to_le_bytes())?;
    out.write_all(END)?;
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

/// A file read at offsets from any thread: `pread` where there is one.
struct PackFile {
    #[cfg(unix)]
    file: std::fs::File,
    #[cfg(not(unix))]
    file: std::sync::Mutex<std::fs::File>,
}

impl PackFile {
    fn new(file: std::fs::File) -> Self {
        #[cfg(unix)]
        return Self { file };
        #[cfg(not(unix))]
        return Self {
            file: std::sync::Mutex::new(file),
        };
    }

    fn len(&self) -> std::io::Result<u64> {
        #[cfg(unix)]
        return Ok(self.file.metadata()?.len());
        #[cfg(not(unix))]
        return Ok(self
            .file
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .metadata()?
            .len());
    }

    fn read_at(&self, buffer: &mut [u8], offset: u64) -> std::io::Result<()> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileExt as _;
            self.file.read_exact_at(buffer, offset)
        }
        #[cfg(not(unix))]
        {
            use std::io::{Read as _, Seek as _};
            let mut file = self
                .file
                .lock()
                .map_err(|_| std::io::Error::other("poisoned"))?;
            file.seek(std::io::SeekFrom::Start(offset))?;
            file.read_exact(buffer)
        }
    }
}

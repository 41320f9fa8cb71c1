//! The stat fast path: for each file of one workspace, what `stat` said of it and the digest of
//! its bytes then, so that a warm run knows an unchanged file's digest without reading it.
//!
//! An entry is trusted only when the file's size, modification and change times, inode and
//! device all match, and the file was last modified clearly before the index was written (as
//! git does with its index): a file changed within the timestamp granularity of the moment its
//! entry was written could change again without its times moving, so it is read again. A clock
//! that went backwards makes every entry whose times are not clearly in the past untrusted too.
//!
//! ```text
//! b"RIPPLEST"  format version (u32 LE)  written at, ns since 1970 (i64 LE)  count (u32 LE)
//! per entry: path length (u32 LE)  path bytes (relative to the root)  size (u64)  mtime ns
//!            (i64)  ctime ns (i64)  inode (u64)  device (u64)  digest (32 bytes)
//! CRC-32 of everything before (4 bytes LE): it catches damage, keys are digests already
//! ```

use std::ffi::OsString;
use std::path::Path;

use ripple_core::Digest;
use rustc_hash::FxHashMap;

const MAGIC: &[u8; 8] = b"RIPPLEST";
const FORMAT_VERSION: u32 = 2;
/// How long before the index was written a file must have been modified last for its entry to
/// be trusted: far above any file system's timestamp granularity (ext4 and APFS: 1 ns, but the
/// kernel's clock ticks are coarser; FAT: 2 s).
const RACY_MARGIN_NS: i64 = 3_000_000_000;

/// The margin in use: `RACY_MARGIN_NS`, or `RIPPLE_TEST_RACY_MARGIN_MS` for tests that change
/// files and run ripple within the same seconds and must still take the fast path.
pub(crate) fn racy_margin_ns() -> i64 {
    static MARGIN: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    *MARGIN.get_or_init(|| {
        std::env::var("RIPPLE_TEST_RACY_MARGIN_MS")
            .ok()
            .and_then(|value| value.parse::<i64>().ok())
            .map_or(RACY_MARGIN_NS, |millis| millis.saturating_mul(1_000_000))
    })
}

/// What `stat` says of a file, as far as telling a change goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FileStat {
    pub size: u64,
    pub mtime_ns: i64,
    pub ctime_ns: i64,
    pub inode: u64,
    pub device: u64,
}

impl FileStat {
    #[cfg(unix)]
    pub fn of(metadata: &std::fs::Metadata) -> Self {
        use std::os::unix::fs::MetadataExt as _;
        Self {
            size: metadata.size(),
            mtime_ns: metadata.mtime() * 1_000_000_000 + metadata.mtime_nsec(),
            ctime_ns: metadata.ctime() * 1_000_000_000 + metadata.ctime_nsec(),
            inode: metadata.ino(),
            device: metadata.dev(),
        }
    }

    #[cfg(not(unix))]
    pub fn of(metadata: &std::fs::Metadata) -> Self {
        let mtime_ns = metadata
            .modified()
            .ok()
            .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |elapsed| elapsed.as_nanos() as i64);
        Self {
            size: metadata.len(),
            mtime_ns,
            ctime_ns: mtime_ns,
            inode: 0,
            device: 0,
        }
    }
}

/// The stat index of one workspace.
#[derive(Debug, Default)]
pub struct StatIndex {
    written_ns: i64,
    /// By relative path, hashed as bytes (hashing a `Path` walks its components).
    entries: FxHashMap<OsString, (FileStat, Digest)>,
}

/// Why an index could not be read.
#[derive(Debug)]
pub enum IndexProblem {
    /// Absent: a first run.
    Missing,
    /// Written by another format of ripple, or damaged: it is rebuilt.
    Unusable(String),
}

impl StatIndex {
    pub fn read(path: &Path) -> Result<Self, IndexProblem> {
        let data = match std::fs::read(path) {
            Ok(data) => data,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(IndexProblem::Missing);
            }
            Err(error) => return Err(IndexProblem::Unusable(format!("cannot read it: {error}"))),
        };
        Self::parse(&data).ok_or_else(|| {
            IndexProblem::Unusable("it is damaged or written by another ripple version".into())
        })
    }

    fn parse(data: &[u8]) -> Option<Self> {
        if data.len() < 24 + 4 || &data[..8] != MAGIC {
            return None;
        }
        let body = crate::unseal(data)?;
        let mut reader = Reader::new(body, 8);
        if reader.u32()? != FORMAT_VERSION {
            return None;
        }
        let written_ns = reader.i64()?;
        let count = reader.u32()? as usize;
        let mut entries = FxHashMap::with_capacity_and_hasher(count, Default::default());
        for _ in 0..count {
            let length = reader.u32()? as usize;
            let path = reader.bytes(length)?;
            let path = OsString::from(std::str::from_utf8(path).ok()?);
            let stat = FileStat {
                size: reader.u64()?,
                mtime_ns: reader.i64()?,
                ctime_ns: reader.i64()?,
                inode: reader.u64()?,
                device: reader.u64()?,
            };
            let mut digest = [0; 32];
            digest.copy_from_slice(reader.bytes(32)?);
            entries.insert(path, (stat, Digest::from_bytes(digest)));
        }
        reader.at_end().then_some(Self {
            written_ns,
            entries,
        })
    }

    /// The digest of the file at `relative` if its entry can be trusted for `stat`, now.
    pub fn digest(&self, relative: &Path, stat: &FileStat, now_ns: i64) -> Option<Digest> {
        let (known, digest) = self.entries.get(relative.as_os_str())?;
        let settled = self.written_ns.min(now_ns) - racy_margin_ns();
        (known == stat && stat.mtime_ns < settled && stat.ctime_ns < settled).then_some(*digest)
    }

    /// The digest recorded for the file at `relative`, whatever its stat is now: what it held
    /// when the index was written (for `ripple explain`, never for a result).
    pub fn recorded(&self, relative: &Path) -> Option<Digest> {
        self.entries
            .get(relative.as_os_str())
            .map(|(_, digest)| *digest)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Writes an index of `entries` (paths relative to the root) at `path` (whole, then
    /// renamed into place).
    pub fn write(
        path: &Path,
        entries: &[(OsString, FileStat, Digest)],
        now_ns: i64,
    ) -> std::io::Result<()> {
        let mut body = Vec::with_capacity(64 + entries.len() * 100);
        body.extend_from_slice(MAGIC);
        body.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        body.extend_from_slice(&now_ns.to_le_bytes());
        let mut count = 0u32;
        let count_at = body.len();
        body.extend_from_slice(&0u32.to_le_bytes());
        for (relative, stat, digest) in entries {
            let Some(text) = relative.to_str() else {
                // Not UTF-8: such a file is simply read again next time.
                continue;
            };
            let Ok(length) = u32::try_from(text.len()) else {
                continue;
            };
            body.extend_from_slice(&length.to_le_bytes());
            body.extend_from_slice(text.as_bytes());
            body.extend_from_slice(&stat.size.to_le_bytes());
            body.extend_from_slice(&stat.mtime_ns.to_le_bytes());
            body.extend_from_slice(&stat.ctime_ns.to_le_bytes());
            body.extend_from_slice(&stat.inode.to_le_bytes());
            body.extend_from_slice(&stat.device.to_le_bytes());
            body.extend_from_slice(digest.as_bytes());
            count += 1;
        }
        body[count_at..count_at + 4].copy_from_slice(&count.to_le_bytes());
        crate::seal(&mut body);
        crate::write_whole(path, &body)
    }
}

/// Reads little-endian numbers and byte strings off a buffer, refusing to read past its end.
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8], at: usize) -> Self {
        Self { data, at }
    }

    pub(crate) fn at_end(&self) -> bool {
        self.at == self.data.len()
    }

    pub(crate) fn bytes(&mut self, length: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(length)?;
        let bytes = self.data.get(self.at..end)?;
        self.at = end;
        Some(bytes)
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        let mut bytes = [0; 4];
        bytes.copy_from_slice(self.bytes(4)?);
        Some(u32::from_le_bytes(bytes))
    }

    pub(crate) fn u64(&mut self) -> Option<u64> {
        let mut bytes = [0; 8];
        bytes.copy_from_slice(self.bytes(8)?);
        Some(u64::from_le_bytes(bytes))
    }

    pub(crate) fn i64(&mut self) -> Option<i64> {
        self.u64().map(|value| value as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(mtime_ns: i64) -> FileStat {
        FileStat {
            size: 10,
            mtime_ns,
            ctime_ns: mtime_ns,
            inode: 7,
            device: 1,
        }
    }

    #[test]
    fn entries_round_trip_and_are_trusted_only_when_settled() {
        let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
        let path = dir.path().join("index");
        let digest = Digest::of(b"text");
        let written = 100 * RACY_MARGIN_NS;
        let old = stat(written - 2 * RACY_MARGIN_NS);
        let racy = stat(written - RACY_MARGIN_NS / 2);
        StatIndex::write(
            &path,
            &[("a.py".into(), old, digest), ("b.py".into(), racy, digest)],
            written,
        )
        .unwrap_or_else(|error| panic!("{error}"));
        let index = StatIndex::read(&path).unwrap_or_else(|problem| panic!("{problem:?}"));
        assert_eq!(index.len(), 2);
        let later = written + RACY_MARGIN_NS;
        assert_eq!(index.digest(Path::new("a.py"), &old, later), Some(digest));
        // Modified just before the index was written: read again.
        assert_eq!(index.digest(Path::new("b.py"), &racy, later), None);
        // Same size, another time or inode (a checkout, an `mv` over it): read again.
        let moved = FileStat { inode: 8, ..old };
        assert_eq!(index.digest(Path::new("a.py"), &moved, later), None);
        let touched = FileStat {
            ctime_ns: old.ctime_ns + 1,
            ..old
        };
        assert_eq!(index.digest(Path::new("a.py"), &touched, later), None);
        // The clock went back to before the file was modified: nothing is settled.
        assert_eq!(index.digest(Path::new("a.py"), &old, old.mtime_ns), None);
    }

    #[test]
    fn a_damaged_index_is_refused() {
        let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
        let path = dir.path().join("index");
        StatIndex::write(&path, &[("a.py".into(), stat(1), Digest::of(b"x"))], 10)
            .unwrap_or_else(|error| panic!("{error}"));
        let mut bytes = std::fs::read(&path).unwrap_or_default();
        bytes[30] ^= 1;
        std::fs::write(&path, &bytes).unwrap_or_else(|error| panic!("{error}"));
        assert!(matches!(
            StatIndex::read(&path),
            Err(IndexProblem::Unusable(_))
        ));
        std::fs::write(&path, &bytes[..20]).unwrap_or_else(|error| panic!("{error}"));
        assert!(matches!(
            StatIndex::read(&path),
            Err(IndexProblem::Unusable(_))
        ));
        assert!(matches!(
            StatIndex::read(&dir.path().join("absent")),
            Err(IndexProblem::Missing)
        ));
    }
}

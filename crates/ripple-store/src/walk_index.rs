//! The walk kept between runs (git's "untracked cache"): the source files a walk of a
//! workspace found, with the folders it walked and the ignore files it read, each with its
//! `stat`. While every folder is as it was (a file added, removed or renamed in a folder
//! changes the folder's times) and every ignore file is unchanged, a walk would find the same
//! files, so a warm run need not read a folder or compile an ignore file at all.
//!
//! ```text
//! b"RIPPLEWK"  format version (u32 LE)  written at, ns (i64 LE)  key (32 bytes)
//! folders: count (u32), then per folder: path (u32 length, bytes)  stat (5 x 8 bytes)
//! ignore files: count, then per file: path  present (u8)  stat
//! files: count, then per file: path  language (u16 LE)
//! CRC-32 of everything before (4 bytes LE): it catches damage, keys are digests already
//! ```
//!
//! Paths are relative to the workspace root. The index's time is when the walk *started*: the
//! folders' stats are taken after the walk read them, so a folder changed meanwhile has a time
//! after the walk's start and is not trusted.

use std::path::{Path, PathBuf};

use ripple_core::Digest;

use crate::stat_index::{FileStat, Reader, racy_margin_ns};

const MAGIC: &[u8; 8] = b"RIPPLEWK";
const FORMAT_VERSION: u32 = 2;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WalkIndex {
    /// A digest of what decides which files a walk keeps besides the disk (the configuration's
    /// excludes, the languages' extensions).
    pub key: Digest,
    written_ns: i64,
    pub folders: Vec<(PathBuf, FileStat)>,
    pub ignore_files: Vec<(PathBuf, Option<FileStat>)>,
    /// The files found, with their languages' indexes.
    pub files: Vec<(PathBuf, u16)>,
}

impl WalkIndex {
    pub fn new(
        key: Digest,
        folders: Vec<(PathBuf, FileStat)>,
        ignore_files: Vec<(PathBuf, Option<FileStat>)>,
        files: Vec<(PathBuf, u16)>,
    ) -> Self {
        Self {
            key,
            written_ns: 0,
            folders,
            ignore_files,
            files,
        }
    }

    pub fn read(path: &Path) -> Option<Self> {
        let data = std::fs::read(path).ok()?;
        if data.len() < 8 + 4 + 8 + 32 + 12 + 4 || &data[..8] != MAGIC {
            return None;
        }
        let body = crate::unseal(&data)?;
        let mut reader = Reader::new(body, 8);
        if reader.u32()? != FORMAT_VERSION {
            return None;
        }
        let written_ns = reader.i64()?;
        let mut key = [0; 32];
        key.copy_from_slice(reader.bytes(32)?);
        let path = |reader: &mut Reader<'_>| -> Option<PathBuf> {
            let length = reader.u32()? as usize;
            Some(PathBuf::from(
                std::str::from_utf8(reader.bytes(length)?).ok()?,
            ))
        };
        let stat = |reader: &mut Reader<'_>| -> Option<FileStat> {
            Some(FileStat {
                size: reader.u64()?,
                mtime_ns: reader.i64()?,
                ctime_ns: reader.i64()?,
                inode: reader.u64()?,
                device: reader.u64()?,
            })
        };
        let count = reader.u32()? as usize;
        let mut folders = Vec::with_capacity(count.min(1 << 20));
        for _ in 0..count {
            folders.push((path(&mut reader)?, stat(&mut reader)?));
        }
        let count = reader.u32()? as usize;
        let mut ignore_files = Vec::with_capacity(count.min(1 << 20));
        for _ in 0..count {
            let file = path(&mut reader)?;
            let present = reader.bytes(1)?[0] == 1;
            let stat = stat(&mut reader)?;
            ignore_files.push((file, present.then_some(stat)));
        }
        let count = reader.u32()? as usize;
        let mut files = Vec::with_capacity(count.min(1 << 24));
        for _ in 0..count {
            let file = path(&mut reader)?;
            let mut language = [0; 2];
            language.copy_from_slice(reader.bytes(2)?);
            files.push((file, u16::from_le_bytes(language)));
        }
        reader.at_end().then_some(Self {
            key: Digest::from_bytes(key),
            written_ns,
            folders,
            ignore_files,
            files,
        })
    }

    /// Whether a walk of `root` now would find the same files: every folder and ignore file as
    /// recorded, and settled well before the index was written.
    /// `stat_all` stats many paths (in parallel, as the caller sees fit).
    pub fn still_holds(
        &self,
        root: &Path,
        now_ns: i64,
        stat_all: impl Fn(&[PathBuf]) -> Vec<Option<FileStat>>,
    ) -> bool {
        let settled = self.written_ns.min(now_ns) - racy_margin_ns();
        let is_settled = |stat: &FileStat| stat.mtime_ns < settled && stat.ctime_ns < settled;
        let folders: Vec<PathBuf> = self
            .folders
            .iter()
            .map(|(path, _)| root.join(path))
            .collect();
        let found = stat_all(&folders);
        let folders_hold = self
            .folders
            .iter()
            .zip(found)
            .all(|((_, recorded), current)| {
                current.is_some_and(|current| current == *recorded && is_settled(&current))
            });
        folders_hold
            && self.ignore_files.iter().all(|(path, recorded)| {
                let current = std::fs::metadata(root.join(path))
                    .ok()
                    .map(|meta| FileStat::of(&meta));
                match (recorded, current) {
                    (None, None) => true,
                    (Some(recorded), Some(current)) => *recorded == current && is_settled(&current),
                    _ => false,
                }
            })
    }

    /// Writes the index; `walk_started_ns` is when the walk that found these files began.
    pub fn write(&self, path: &Path, walk_started_ns: i64) -> std::io::Result<()> {
        fn put_path(body: &mut Vec<u8>, path: &Path) -> bool {
            let Some(text) = path.to_str() else {
                return false;
            };
            body.extend_from_slice(&(text.len() as u32).to_le_bytes());
            body.extend_from_slice(text.as_bytes());
            true
        }
        fn put_stat(body: &mut Vec<u8>, stat: &FileStat) {
            body.extend_from_slice(&stat.size.to_le_bytes());
            body.extend_from_slice(&stat.mtime_ns.to_le_bytes());
            body.extend_from_slice(&stat.ctime_ns.to_le_bytes());
            body.extend_from_slice(&stat.inode.to_le_bytes());
            body.extend_from_slice(&stat.device.to_le_bytes());
        }
        // A path that is not UTF-8 cannot be kept: without it the walk would be wrong, so the
        // whole index is not written.
        let mut body = Vec::with_capacity(64 + self.files.len() * 64 + self.folders.len() * 80);
        body.extend_from_slice(MAGIC);
        body.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        body.extend_from_slice(&walk_started_ns.to_le_bytes());
        body.extend_from_slice(self.key.as_bytes());
        body.extend_from_slice(&(self.folders.len() as u32).to_le_bytes());
        for (folder, stat) in &self.folders {
            if !put_path(&mut body, folder) {
                return Ok(());
            }
            put_stat(&mut body, stat);
        }
        body.extend_from_slice(&(self.ignore_files.len() as u32).to_le_bytes());
        for (file, stat) in &self.ignore_files {
            if !put_path(&mut body, file) {
                return Ok(());
            }
            body.push(u8::from(stat.is_some()));
            put_stat(&mut body, &stat.unwrap_or_default());
        }
        body.extend_from_slice(&(self.files.len() as u32).to_le_bytes());
        for (file, language) in &self.files {
            if !put_path(&mut body, file) {
                return Ok(());
            }
            body.extend_from_slice(&language.to_le_bytes());
        }
        crate::seal(&mut body);
        crate::write_whole(path, &body)
    }
}

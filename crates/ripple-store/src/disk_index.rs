//! What a workspace's results read of the disk outside its own files: the folders in which
//! import resolution looked (site-packages, extra paths, excluded folders, and the workspace's
//! own folders for what the walk does not keep), each with its `stat` when looked in (or its
//! absence) and the answers it gave: the entries asked about by name and what each was, and
//! the entries listed by prefix. A result stored under an *epoch* is valid while every answer
//! is as it was. A folder whose `stat` is unchanged gave the same answers; one whose `stat`
//! changed is asked again, so that an entry the results never asked about (`.mypy_cache` or
//! `__pycache__` appearing beside the files) keeps the epoch. A run that finds an answer
//! changed starts a new epoch, and every result of the old one is a miss.
//!
//! ```text
//! b"RIPPLEDK"  format version (u32 LE)  written at, ns (i64 LE)  epoch (32 bytes)  count (u32)
//! per folder: path (u32 LE length, bytes)  present (u8)  size, mtime, ctime, inode, device
//!             (as in the stat index)  names (u32 LE)  per name: name (length, bytes), kind (u8:
//!             0 missing, 1 file, 2 folder)  prefixes (u32 LE)  per prefix: prefix (length,
//!             bytes), digest of the matching names (32 bytes)
//! CRC-32 of everything before (4 bytes LE): it catches damage, keys are digests already
//! ```

use std::path::{Path, PathBuf};

use ripple_core::{Digest, PathKind};

use crate::stat_index::{FileStat, Reader, racy_margin_ns};

const MAGIC: &[u8; 8] = b"RIPPLEDK";
const FORMAT_VERSION: u32 = 3;

/// What resolution saw of one folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FolderSeen {
    pub path: PathBuf,
    /// Its stat when looked in; `None`: it was missing, and whatever was asked of it answered
    /// "nothing", so no answer is kept: the folder appearing is the change.
    pub stat: Option<FileStat>,
    /// Entries asked about by name, and what each was.
    pub names: Vec<(String, PathKind)>,
    /// Listings asked for by prefix, and the digest of the names that matched.
    pub prefixes: Vec<(String, Digest)>,
}

impl FolderSeen {
    /// Whether every answer the folder gave is the same now (asks the disk again).
    pub fn answers_hold(&self) -> bool {
        self.names
            .iter()
            .all(|(name, kind)| path_kind(&self.path.join(name)) == *kind)
            && (self.prefixes.is_empty() || {
                let entries = list(&self.path);
                self.prefixes
                    .iter()
                    .all(|(prefix, digest)| matching_digest(&entries, prefix) == *digest)
            })
    }
}

/// What `path` is on disk, following links, as resolution asks it.
pub fn path_kind(path: &Path) -> PathKind {
    match std::fs::metadata(path) {
        Ok(metadata) if metadata.is_dir() => PathKind::Directory,
        Ok(_) => PathKind::File,
        Err(_) => PathKind::Missing,
    }
}

/// The names of the entries of `folder` (none when it cannot be read).
pub fn list(folder: &Path) -> Vec<String> {
    match std::fs::read_dir(folder) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .filter_map(|entry| entry.file_name().into_string().ok())
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The digest of the names in `entries` that start with `prefix`, in any order given.
pub fn matching_digest(entries: &[String], prefix: &str) -> Digest {
    let mut matching: Vec<&str> = entries
        .iter()
        .map(String::as_str)
        .filter(|name| name.starts_with(prefix))
        .collect();
    matching.sort_unstable();
    let parts: Vec<&[u8]> = matching.iter().map(|name| name.as_bytes()).collect();
    Digest::of_parts(&parts)
}

/// The folders one epoch's results depend on.
#[derive(Debug, Clone, Default)]
pub struct DiskIndex {
    pub epoch: Digest,
    written_ns: i64,
    pub folders: Vec<FolderSeen>,
    /// A folder's stat was brought up to date by `still_holds`: the index is worth rewriting.
    pub refreshed: bool,
}

impl DiskIndex {
    /// A new epoch, which no stored result belongs to.
    pub fn fresh() -> Self {
        let epoch = Digest::of_parts(&[
            b"disk epoch",
            &crate::now_ns().to_le_bytes(),
            &std::process::id().to_le_bytes(),
            crate::pack::unique_name().as_bytes(),
        ]);
        Self {
            epoch,
            written_ns: 0,
            folders: Vec::new(),
            refreshed: false,
        }
    }

    pub fn read(path: &Path) -> Option<Self> {
        let data = std::fs::read(path).ok()?;
        if data.len() < 8 + 4 + 8 + 32 + 4 + 4 || &data[..8] != MAGIC {
            return None;
        }
        let body = crate::unseal(&data)?;
        let mut reader = Reader::new(body, 8);
        if reader.u32()? != FORMAT_VERSION {
            return None;
        }
        let written_ns = reader.i64()?;
        let mut epoch = [0; 32];
        epoch.copy_from_slice(reader.bytes(32)?);
        let count = reader.u32()? as usize;
        let mut folders = Vec::with_capacity(count.min(1 << 20));
        for _ in 0..count {
            let path = PathBuf::from(read_text(&mut reader)?);
            let present = reader.bytes(1)?[0] == 1;
            let stat = FileStat {
                size: reader.u64()?,
                mtime_ns: reader.i64()?,
                ctime_ns: reader.i64()?,
                inode: reader.u64()?,
                device: reader.u64()?,
            };
            let names = (0..reader.u32()?)
                .map(|_| {
                    let name = read_text(&mut reader)?;
                    let kind = match reader.bytes(1)?[0] {
                        0 => PathKind::Missing,
                        1 => PathKind::File,
                        2 => PathKind::Directory,
                        _ => return None,
                    };
                    Some((name, kind))
                })
                .collect::<Option<Vec<_>>>()?;
            let prefixes = (0..reader.u32()?)
                .map(|_| {
                    let prefix = read_text(&mut reader)?;
                    let mut digest = [0; 32];
                    digest.copy_from_slice(reader.bytes(32)?);
                    Some((prefix, Digest::from_bytes(digest)))
                })
                .collect::<Option<Vec<_>>>()?;
            folders.push(FolderSeen {
                path,
                stat: present.then_some(stat),
                names,
                prefixes,
            });
        }
        reader.at_end().then_some(Self {
            epoch: Digest::from_bytes(epoch),
            written_ns,
            folders,
            refreshed: false,
        })
    }

    /// Whether every folder gives the answers it gave. A folder as recorded, and already so
    /// well before the index was written (a folder changed in the same instant could change
    /// again unseen), is taken at its word; any other is asked again, and its stat brought up
    /// to date when its answers hold (`refreshed`).
    pub fn still_holds(&mut self, now_ns: i64) -> bool {
        let settled = self.written_ns.min(now_ns) - racy_margin_ns();
        let mut refreshed = false;
        for folder in &mut self.folders {
            let current = std::fs::metadata(&folder.path)
                .ok()
                .map(|meta| FileStat::of(&meta));
            let unchanged = match (&folder.stat, &current) {
                (None, None) => true,
                (Some(recorded), Some(current)) => {
                    recorded == current && current.mtime_ns < settled && current.ctime_ns < settled
                }
                // A folder that appeared or went: its answers are not kept (see `FolderSeen`).
                _ => return false,
            };
            if unchanged {
                continue;
            }
            if !folder.answers_hold() {
                return false;
            }
            if folder.stat != current {
                folder.stat = current;
                refreshed = true;
            }
        }
        self.refreshed = refreshed;
        true
    }

    pub fn write(&self, path: &Path, now_ns: i64) -> std::io::Result<()> {
        let mut body = Vec::with_capacity(64 + self.folders.len() * 96);
        body.extend_from_slice(MAGIC);
        body.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        body.extend_from_slice(&now_ns.to_le_bytes());
        body.extend_from_slice(self.epoch.as_bytes());
        let folders: Vec<(&str, &FolderSeen)> = self
            .folders
            .iter()
            .filter_map(|folder| Some((folder.path.to_str()?, folder)))
            .collect();
        body.extend_from_slice(&(folders.len() as u32).to_le_bytes());
        for (text, folder) in folders {
            write_text(&mut body, text);
            body.push(u8::from(folder.stat.is_some()));
            let stat = folder.stat.unwrap_or_default();
            body.extend_from_slice(&stat.size.to_le_bytes());
            body.extend_from_slice(&stat.mtime_ns.to_le_bytes());
            body.extend_from_slice(&stat.ctime_ns.to_le_bytes());
            body.extend_from_slice(&stat.inode.to_le_bytes());
            body.extend_from_slice(&stat.device.to_le_bytes());
            body.extend_from_slice(&(folder.names.len() as u32).to_le_bytes());
            for (name, kind) in &folder.names {
                write_text(&mut body, name);
                body.push(match kind {
                    PathKind::Missing => 0,
                    PathKind::File => 1,
                    PathKind::Directory => 2,
                });
            }
            body.extend_from_slice(&(folder.prefixes.len() as u32).to_le_bytes());
            for (prefix, digest) in &folder.prefixes {
                write_text(&mut body, prefix);
                body.extend_from_slice(digest.as_bytes());
            }
        }
        crate::seal(&mut body);
        crate::write_whole(path, &body)
    }
}

fn read_text(reader: &mut Reader<'_>) -> Option<String> {
    let length = reader.u32()? as usize;
    std::str::from_utf8(reader.bytes(length)?)
        .ok()
        .map(str::to_owned)
}

fn write_text(body: &mut Vec<u8>, text: &str) {
    body.extend_from_slice(&(text.len() as u32).to_le_bytes());
    body.extend_from_slice(text.as_bytes());
}

//! What a workspace's results read of the disk outside its own files: the folders in which
//! import resolution looked for libraries (site-packages, extra paths, excluded folders), each
//! with its `stat` when looked in (or its absence). A result stored under an *epoch* is valid
//! while every folder of that epoch is as it was: adding, removing or renaming an entry of a
//! folder changes the folder's times. A run that finds any folder changed starts a new epoch,
//! and every result of the old one is a miss.
//!
//! ```text
//! b"RIPPLEDK"  format version (u32 LE)  written at, ns (i64 LE)  epoch (32 bytes)  count (u32)
//! per folder: path length (u32 LE)  path bytes  present (u8)  size, mtime, ctime, inode,
//!             device (as in the stat index)
//! CRC-32 of everything before (4 bytes LE): it catches damage, keys are digests already
//! ```

use std::path::{Path, PathBuf};

use ripple_core::Digest;

use crate::stat_index::{FileStat, Reader, racy_margin_ns};

const MAGIC: &[u8; 8] = b"RIPPLEDK";
const FORMAT_VERSION: u32 = 2;

/// The folders one epoch's results depend on.
#[derive(Debug, Clone, Default)]
pub struct DiskIndex {
    pub epoch: Digest,
    written_ns: i64,
    pub folders: Vec<(PathBuf, Option<FileStat>)>,
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
            let length = reader.u32()? as usize;
            let path = PathBuf::from(std::str::from_utf8(reader.bytes(length)?).ok()?);
            let present = reader.bytes(1)?[0] == 1;
            let stat = FileStat {
                size: reader.u64()?,
                mtime_ns: reader.i64()?,
                ctime_ns: reader.i64()?,
                inode: reader.u64()?,
                device: reader.u64()?,
            };
            folders.push((path, present.then_some(stat)));
        }
        reader.at_end().then_some(Self {
            epoch: Digest::from_bytes(epoch),
            written_ns,
            folders,
        })
    }

    /// Whether every folder is as recorded, and was already so well before the index was
    /// written (a folder changed in the same instant could change again unseen).
    pub fn still_holds(&self, now_ns: i64) -> bool {
        let settled = self.written_ns.min(now_ns) - racy_margin_ns();
        self.folders.iter().all(|(path, recorded)| {
            let current = std::fs::metadata(path).ok().map(|meta| FileStat::of(&meta));
            match (recorded, current) {
                (None, None) => true,
                (Some(recorded), Some(current)) => {
                    *recorded == current && current.mtime_ns < settled && current.ctime_ns < settled
                }
                _ => false,
            }
        })
    }

    pub fn write(&self, path: &Path, now_ns: i64) -> std::io::Result<()> {
        let mut body = Vec::with_capacity(64 + self.folders.len() * 96);
        body.extend_from_slice(MAGIC);
        body.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        body.extend_from_slice(&now_ns.to_le_bytes());
        body.extend_from_slice(self.epoch.as_bytes());
        let folders: Vec<(&str, &Option<FileStat>)> = self
            .folders
            .iter()
            .filter_map(|(path, stat)| Some((path.to_str()?, stat)))
            .collect();
        body.extend_from_slice(&(folders.len() as u32).to_le_bytes());
        for (text, stat) in folders {
            body.extend_from_slice(&(text.len() as u32).to_le_bytes());
            body.extend_from_slice(text.as_bytes());
            body.push(u8::from(stat.is_some()));
            let stat = stat.unwrap_or_default();
            body.extend_from_slice(&stat.size.to_le_bytes());
            body.extend_from_slice(&stat.mtime_ns.to_le_bytes());
            body.extend_from_slice(&stat.ctime_ns.to_le_bytes());
            body.extend_from_slice(&stat.inode.to_le_bytes());
            body.extend_from_slice(&stat.device.to_le_bytes());
        }
        crate::seal(&mut body);
        crate::write_whole(path, &body)
    }
}

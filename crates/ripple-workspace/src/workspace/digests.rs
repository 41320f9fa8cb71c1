//! What build steps (tasks) key their results on: digests of the workspace's files as tools
//! read them, of all of them, and of what lies outside them.

use std::path::Path;

use ripple_core::{Digest, FileContents, SourceFile};

use super::Workspace;

impl Workspace {
    /// The digest of a workspace file's bytes on disk, which is what a tool run on it reads:
    /// the stat fast path's digest or the read's; else (an open document, whose unsaved text
    /// no tool sees, or a file not read yet) the file is read now. `None` when it cannot be
    /// read (it is gone, or unreadable).
    pub fn file_digest(&self, file: SourceFile) -> Option<Digest> {
        self.disk_digest(file.path(&self.db), file.contents(&self.db))
    }

    fn disk_digest(&self, path: &Path, contents: &FileContents) -> Option<Digest> {
        match contents {
            FileContents::OnDisk(Some(digest)) => Some(*digest),
            FileContents::OnDisk(None) => self
                .db
                .read_digest(path)
                .or_else(|| std::fs::read(path).ok().map(|bytes| Digest::of(&bytes))),
            _ => std::fs::read(path).ok().map(|bytes| Digest::of(&bytes)),
        }
    }

    /// A digest of every workspace file's path, language, bytes on disk (`file_digest`) and, for
    /// an open document, its text: whatever is computed from the workspace's files alone (the
    /// dependency graph, a task's keys) is a function of it.
    pub fn contents_digest(&self) -> Digest {
        // One buffer hashed once: an update per field cost more than the hashing (blake3's
        // per-call overhead), a tenth of a no-change `check --tasks` on django.
        let mut bytes: Vec<u8> = Vec::with_capacity(32 + self.sorted_files.len() * 96);
        bytes.extend_from_slice(b"workspace contents");
        for &file in self.sorted_files.iter() {
            // Each field read once: at thousands of files, the reads are most of the cost.
            let path = file.path(&self.db);
            let contents = file.contents(&self.db);
            let path_bytes = path.as_os_str().as_encoded_bytes();
            bytes.extend_from_slice(&(path_bytes.len() as u64).to_le_bytes());
            bytes.extend_from_slice(path_bytes);
            bytes.extend_from_slice(&(file.language(&self.db).index() as u64).to_le_bytes());
            match self.disk_digest(path, contents) {
                Some(digest) => {
                    bytes.push(1);
                    bytes.extend_from_slice(digest.as_bytes());
                }
                None => bytes.push(0),
            }
            // An open document's text decides its imports, so the graph, as much as its bytes
            // on disk do.
            match contents {
                FileContents::Text(text) => {
                    bytes.push(1);
                    bytes.extend_from_slice(Digest::of(text.as_bytes()).as_bytes());
                }
                _ => bytes.push(0),
            }
        }
        Digest::from_bytes(*blake3::hash(&bytes).as_bytes())
    }

    /// What findings that depend on imports depend on besides the workspace's files: each
    /// language's environment (Python's search roots) and the disk epoch (libraries outside
    /// the workspace: an install or upgrade starts a new epoch).
    pub fn environment_digest(&self) -> Digest {
        let mut parts: Vec<Digest> = Vec::new();
        if let Some(cache) = &self.cache {
            parts.push(cache.disk_epoch());
        }
        for (_, language) in self.languages.iter() {
            parts.push(Digest::of(language.name().as_bytes()));
            parts.push(language.environment(&self.db));
        }
        let parts: Vec<&[u8]> = parts.iter().map(|digest| &digest.as_bytes()[..]).collect();
        Digest::of_parts(&parts)
    }
}

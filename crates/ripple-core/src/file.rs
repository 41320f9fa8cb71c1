use std::path::PathBuf;
use std::sync::Arc;

use crate::digest::Digest;

/// Which registered language a file belongs to: its index in `Languages`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LanguageId(u16);

impl LanguageId {
    /// The id of the `index`th registered language (registries hold a handful).
    pub(crate) fn new(index: usize) -> Self {
        Self(u16::try_from(index).unwrap_or(u16::MAX))
    }

    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

/// What was read for a file. A file that cannot be read or decoded still exists as an input, so
/// that the problem is reported as a diagnostic on that file rather than aborting a whole run.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FileContents {
    /// Text given by a front end: an editor's buffer, a test's source.
    Text(Arc<str>),
    /// The file's text is on disk at its path, read each time the file is analysed. Workspace
    /// files are loaded this way, so a workspace of 100,000 files does not hold all their text
    /// once analysed (the analysis keeps what later queries need, the line index among it).
    /// Setting it again (after a watcher's event) is what tells the database the file changed.
    /// The digest of its bytes, when the stat fast path knows it without reading the file: a
    /// language can then find its stored results without reading the file at all.
    OnDisk(Option<Digest>),
    /// The bytes are not UTF-8 or look binary; the reason says where and why.
    Undecodable(String),
    /// The file could not be read at all (permissions, vanished, is a directory...).
    Unreadable(String),
}

impl FileContents {
    /// The contents of a file on disk whose digest is not known.
    pub const ON_DISK: FileContents = FileContents::OnDisk(None);

    /// Decodes bytes read from disk (see `decode_source`).
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        match decode_source(bytes) {
            Ok(text) => FileContents::Text(Arc::from(text)),
            Err(undecodable) => undecodable,
        }
    }
}

/// A workspace file's text as read from disk, and the digest of its bytes when the database
/// keeps a store (a language keys its stored results by it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadText {
    pub text: String,
    pub digest: Option<Digest>,
}

/// Decodes a source file's bytes into its text, or says why it has none (`Undecodable`). Text
/// must be UTF-8 (Python's default by PEP 3120, and the only encoding ripple supports) and must
/// not contain NUL bytes, which CPython and the TypeScript compiler reject too. A byte order
/// mark is dropped.
pub fn decode_source(bytes: Vec<u8>) -> Result<String, FileContents> {
    if let Some(position) = memchr::memchr(0, &bytes) {
        return Err(FileContents::Undecodable(format!(
            "file contains a NUL byte at offset {position}: it looks binary, not source text"
        )));
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..'\u{feff}'.len_utf8());
            }
            Ok(text)
        }
        Err(error) => Err(FileContents::Undecodable(format!(
            "file is not valid UTF-8 (invalid byte at offset {}); ripple reads source files as UTF-8",
            error.utf8_error().valid_up_to()
        ))),
    }
}

/// One workspace source file, the unit of input to the database (library files are never
/// inputs: resolution only asks whether they exist). `revision` counts the changes the front
/// end applied to this file; salsa tracks its own revisions, this one is for humans and editors.
/// `language` is the registered language that owns the file, decided by its name when it is
/// added, and never changed.
#[salsa::input(debug)]
pub struct SourceFile {
    #[returns(ref)]
    pub path: PathBuf,
    #[returns(ref)]
    pub contents: FileContents,
    pub revision: u64,
    #[returns(copy)]
    pub language: LanguageId,
}

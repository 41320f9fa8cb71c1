//! Reading a workspace file's text: the one place the database gets files from disk.

use std::path::Path;

use ripple_core::{Digest, FileContents};
use ripple_store::FileStat;

/// Files larger than this are not analysed (generated data, not code a person edits).
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// A file read from disk: its text, and (when asked for) the digest of its bytes with what
/// `stat` said of the file as it was read.
pub struct ReadFile {
    pub text: String,
    pub digest: Option<(Digest, FileStat)>,
}

/// Reads a file's text (for `FileContents::OnDisk` inputs, when analysed), or why it has none:
/// a file that cannot be read is still a file, with a reason. Only regular files are read: a
/// FIFO named `x.py` would block a read forever. The file is opened once and asked its kind and
/// size through the open handle (not by path, then opened): a cold check reads every file.
/// With `digest`, the bytes are hashed too, and the handle's `stat` kept (as the bytes read
/// were when it was taken, or newer: a later change shows as a changed stat next time).
pub fn read_contents(path: &Path, digest: bool) -> Result<ReadFile, FileContents> {
    let unreadable =
        |error: std::io::Error| FileContents::Unreadable(format!("cannot read the file: {error}"));
    let mut file = open_without_blocking(path).map_err(unreadable)?;
    let metadata = file.metadata().map_err(unreadable)?;
    if !metadata.is_file() {
        return Err(FileContents::Unreadable(
            "not a regular file (a directory, pipe or device named like source)".into(),
        ));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(FileContents::Unreadable(format!(
            "file is {} MiB, larger than the {} MiB ripple analyses",
            metadata.len() / (1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    let bytes = read_expecting(&mut file, metadata.len()).map_err(unreadable)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(FileContents::Unreadable(format!(
            "file grew past the {} MiB ripple analyses while being read",
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    let digest = digest.then(|| (Digest::of(&bytes), FileStat::of(&metadata)));
    let text = ripple_core::decode_source(bytes)?;
    Ok(ReadFile { text, digest })
}

/// Reads a file of `expected` bytes to its end, into a buffer of that size. (`File::read_to_end`
/// would ask the file's size again, an fstat and an lseek per file; a reader without that hint
/// reads in growing chunks instead, more calls still.) A file that grew meanwhile is read on,
/// up to one byte past the limit, for the caller to refuse.
fn read_expecting(file: &mut std::fs::File, expected: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    // One byte more than expected, so that the read which finds the end has room to.
    let mut bytes = vec![0; usize::try_from(expected).unwrap_or(0).saturating_add(1)];
    let mut filled = 0;
    loop {
        match file.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(read) => {
                filled += read;
                if filled == bytes.len() {
                    file.take(MAX_FILE_BYTES.saturating_sub(expected))
                        .read_to_end(&mut bytes)?;
                    filled = bytes.len();
                    break;
                }
            }
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    bytes.truncate(filled);
    Ok(bytes)
}

/// Opens for reading without waiting for a writer: opening a FIFO blocks until one comes,
/// unless asked not to (which changes nothing for a regular file).
#[cfg(unix)]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

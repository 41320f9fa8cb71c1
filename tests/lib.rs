//! Helpers shared by ripple's end-to-end tests.

pub mod lsp_client;
pub mod task_fixtures;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ripple_core::Languages;

/// The languages these tests check: Python, as the `ripple` binary registers it.
pub fn languages() -> Languages {
    Languages::new(vec![Arc::new(ripple_python::Python)])
}

/// Writes `files` (relative path, text) under a new temporary directory.
pub fn write_tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir =
        tempfile::tempdir().unwrap_or_else(|error| panic!("cannot create a temp dir: {error}"));
    for (path, text) in files {
        write_file(dir.path(), path, text.as_bytes());
    }
    dir
}

/// Writes one file, creating its parent directories.
pub fn write_file(root: &Path, relative: &str, bytes: &[u8]) -> PathBuf {
    let path = root.join(relative);
    write_contents(&path, bytes);
    path
}

/// Writes `contents` to `path`, creating its parent directories.
pub fn write_contents(path: &Path, contents: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|error| panic!("cannot create {}: {error}", parent.display()));
    }
    std::fs::write(path, contents)
        .unwrap_or_else(|error| panic!("cannot write {}: {error}", path.display()));
}

/// Every file's diagnostics, by display path, sorted.
pub fn check_all(
    workspace: &ripple_workspace::Workspace,
) -> Vec<(String, Vec<ripple_core::Diagnostic>)> {
    let files = workspace.files();
    let mut reports: Vec<_> = workspace
        .check(&files, true, &|| {})
        .into_iter()
        .map(|report| {
            (
                workspace.display_path(&report.path),
                report.diagnostics.to_vec(),
            )
        })
        .collect();
    reports.sort_by(|a, b| a.0.cmp(&b.0));
    reports
}

/// The char boundary at or after `offset` (clamped to the text), never between the `\r` and
/// `\n` of a line break, where no LSP position can point.
pub fn char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset += 1;
    }
    let bytes = text.as_bytes();
    if offset > 0 && offset < bytes.len() && bytes[offset - 1] == b'\r' && bytes[offset] == b'\n' {
        offset -= 1;
    }
    offset
}

/// The canonical form of a temporary directory's path (macOS and some CI systems link /tmp).
pub fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// A small seeded generator (splitmix64), so a failing sequence replays exactly from its seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (0 when `bound` is 0).
    pub fn below(&mut self, bound: usize) -> usize {
        if bound == 0 {
            return 0;
        }
        (self.next_u64() % bound as u64) as usize
    }
}

/// A count from the environment (to run a generator longer), else `default`.
pub fn env_count(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(value) => value
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a whole number, not {value:?}")),
        Err(_) => default,
    }
}

/// Byte offsets where lines start; lines end at `\n`, `\r\n` or `\r` only, as in LSP. Written
/// apart from the server's own line index, so tests check one against the other.
pub fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    for (index, &byte) in bytes.iter().enumerate() {
        let ends_line = byte == b'\n' || (byte == b'\r' && bytes.get(index + 1) != Some(&b'\n'));
        if ends_line {
            starts.push(index + 1);
        }
    }
    starts
}

/// The length of `text` in the encoding's code units.
pub fn code_units(text: &str, encoding: ripple_core::PositionEncoding) -> u32 {
    let count = match encoding {
        ripple_core::PositionEncoding::Utf8 => text.len(),
        ripple_core::PositionEncoding::Utf16 => text.encode_utf16().count(),
    };
    count as u32
}

/// The LSP position `(line, character)` of a byte offset (a char boundary).
pub fn lsp_position(
    text: &str,
    offset: usize,
    encoding: ripple_core::PositionEncoding,
) -> (u32, u32) {
    let starts = line_starts(text);
    let line = starts.partition_point(|&start| start <= offset) - 1;
    (
        line as u32,
        code_units(&text[starts[line]..offset], encoding),
    )
}

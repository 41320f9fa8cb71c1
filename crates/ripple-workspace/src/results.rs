//! A file's findings kept between runs, so that a run where a file and what it depends on are
//! unchanged neither analyses it nor checks its imports again.
//!
//! A file's findings are a function of its own bytes and of its *context*: the set of workspace
//! files (where imports resolve), the languages' environments (search roots, settings), the
//! folders outside the workspace that resolution looked in (the disk epoch, `DiskIndex`), and
//! the bytes of the files whose exports its findings read: the files it imports names from and,
//! transitively, the files those re-export. The key holds the file's path and bytes and the
//! context; the value holds the findings and the digests of those files, checked against their
//! current digests before the value is used. Renames, deletions and new files change the file
//! set, so they are always seen: every file's findings are then computed again from stored
//! analyses.
//!
//! The value also keeps the file's interface for the dependency graph (its edges and its
//! exports' name keys), which depends on nothing the key does not hold, so that a server's warm
//! start builds its graph without analysing a single file: 277 -> 117 MiB settled on 27,000
//! files (`docs/benchmarks.md`).

use std::path::Path;
use std::sync::{Arc, Mutex};

use ripple_core::{
    Db, Dependency, Diagnostic, Digest, FileContents, IO_ERROR_CODE, Languages, LineIndex,
    LineIndexParts, Severity, SourceFile, Suppression, Suppressions, TextRange,
};
use ripple_store::Store;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

use crate::database::RippleDatabase;
use crate::graph::{ExportKeys, FileInterface};

/// Findings before suppressions and selection, and what places them.
#[derive(Clone)]
pub(crate) struct Findings {
    pub diagnostics: Arc<[Diagnostic]>,
    pub suppressions: Arc<Suppressions>,
    pub lines: Arc<LineIndex>,
}

/// The kept findings of one workspace state (its context digest), shared by a workspace and
/// its snapshots.
pub(crate) struct ResultCache {
    store: Arc<Store>,
    context: Digest,
    /// The file set, in path order: inputs are kept as positions in it (the context holds the
    /// file set's digest, so a position means the same file whenever the key matches).
    files: Arc<[SourceFile]>,
    positions: rustc_hash::FxHashMap<SourceFile, u32>,
    /// Findings computed whose inputs' digests were not known yet: kept at the next save.
    computed: Mutex<Vec<(SourceFile, Findings)>>,
    /// Findings were kept for this state, or found kept: a context worth recording.
    used: std::sync::atomic::AtomicBool,
}

impl ResultCache {
    pub fn new(store: Arc<Store>, context: Digest, files: Arc<[SourceFile]>) -> Self {
        let positions = files
            .iter()
            .enumerate()
            .filter_map(|(position, file)| Some((*file, u32::try_from(position).ok()?)))
            .collect();
        Self {
            store,
            context,
            files,
            positions,
            computed: Mutex::new(Vec::new()),
            used: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Whether findings of this state were kept or found (`ripple explain` records only the
    /// contexts of states whose findings are kept).
    pub fn used(&self) -> bool {
        self.used.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn mark_used(&self) {
        // Read first: a store per file from every checking thread would bounce the line.
        if !self.used.load(std::sync::atomic::Ordering::Relaxed) {
            self.used.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// What every kept finding of this state depends on besides its file (its key's context).
    pub fn context(&self) -> Digest {
        self.context
    }

    /// The file set, in the order inputs are kept as positions in.
    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    fn key(&self, language: &str, path: &Path, content: &Digest) -> Digest {
        findings_key(&self.store, &self.context, language, path, content)
    }

    /// The kept findings of `file`, if its bytes are known and nothing they depend on changed.
    pub fn find(&self, db: &RippleDatabase, file: SourceFile) -> Option<Findings> {
        let value = self.valid_entry(db, file)?;
        self.mark_used();
        let stored: Stored<'_> = postcard::from_bytes(&value).ok()?;
        stored.decode(db.languages())
    }

    /// What the dependency graph needs of `file`, kept with its findings: its edges and its
    /// exports, without analysing it. `None` when its findings are not kept (or not valid).
    pub fn interface(&self, db: &RippleDatabase, file: SourceFile) -> Option<FileInterface> {
        let value = self.valid_entry(db, file)?;
        let stored: Stored<'_> = postcard::from_bytes(&value).ok()?;
        let interface: StoredInterface<'_> = postcard::from_bytes(stored.interface).ok()?;
        interface.decode(&self.files)
    }

    /// The value kept for `file`'s bytes and context, if every file it read is unchanged.
    fn valid_entry(&self, db: &RippleDatabase, file: SourceFile) -> Option<ripple_store::Blob> {
        let FileContents::OnDisk(Some(content)) = file.contents(db) else {
            return None;
        };
        let language = db.languages().get(file.language(db))?;
        let value = self
            .store
            .get(&self.key(language.name(), file.path(db), content))?;
        // The inputs lead the value (`Stored`), so they are checked before anything is decoded.
        let (inputs, _): (Vec<(u32, [u8; 16])>, _) = postcard::take_from_bytes(&value).ok()?;
        for (position, digest) in &inputs {
            let input = *self.files.get(*position as usize)?;
            if short(&current_digest(db, input)?) != *digest {
                return None;
            }
        }
        Some(value)
    }

    /// Keeps `findings` of `file`: encoded now, on the checking thread that computed them
    /// (what a file's findings read was read to compute them, so its inputs' digests are
    /// known), else at the next save.
    pub fn computed(&self, db: &RippleDatabase, file: SourceFile, findings: &Findings) {
        self.mark_used();
        match self.entry(db, file, findings) {
            Some((key, bytes)) => self.store.put(key, bytes),
            None => lock(&self.computed).push((file, findings.clone())),
        }
    }

    /// Puts the findings computed since the last save that could not be encoded then in the
    /// store, for each file whose bytes and inputs' bytes are known by now.
    pub fn save(&self, db: &RippleDatabase) {
        let computed = std::mem::take(&mut *lock(&self.computed));
        for (file, findings) in computed {
            if let Some((key, bytes)) = self.entry(db, file, &findings) {
                self.store.put(key, bytes);
            }
        }
    }

    /// The key and value that keep `findings` of `file`; `None` while the digest of the file
    /// or of one of its inputs is not known (an open document's text, a file not read).
    fn entry(
        &self,
        db: &RippleDatabase,
        file: SourceFile,
        findings: &Findings,
    ) -> Option<(Digest, Vec<u8>)> {
        let content = current_digest(db, file)?;
        let language = db.languages().get(file.language(db))?;
        let inputs = inputs_of(db, file, &self.positions)?;
        let interface = encode_interface(db, file, &self.positions)?;
        let key = self.key(language.name(), file.path(db), &content);
        Some((key, encode(findings, &inputs, &interface)?))
    }
}

/// The store's key of the findings of the file at `path` with bytes `content`, in `context`.
pub(crate) fn findings_key(
    store: &Store,
    context: &Digest,
    language: &str,
    path: &Path,
    content: &Digest,
) -> Digest {
    store.key(&Digest::of_parts(&[
        b"findings",
        context.as_bytes(),
        language.as_bytes(),
        path.as_os_str().as_encoded_bytes(),
        content.as_bytes(),
    ]))
}

/// The interface kept with the findings under `key` (of an earlier state), whatever became of
/// the files those findings read: the edges of a file whose resolution is known not to have
/// changed since. `file_at` maps positions in that state's file set to files now.
pub(crate) fn earlier_interface(
    store: &Store,
    key: &Digest,
    file_at: &dyn Fn(u32) -> Option<SourceFile>,
) -> Option<FileInterface> {
    let value = store.get(key)?;
    let stored: Stored<'_> = postcard::from_bytes(&value).ok()?;
    let interface: StoredInterface<'_> = postcard::from_bytes(stored.interface).ok()?;
    interface.decode_with(file_at)
}

/// The inputs a kept findings value lists (positions in its file set, short digests).
pub(crate) fn stored_inputs(value: &[u8]) -> Option<Vec<(u32, [u8; 16])>> {
    postcard::take_from_bytes(value)
        .ok()
        .map(|(inputs, _)| inputs)
}

/// The digest of a file's bytes, as the stat fast path knew it or as it was read this run.
pub(crate) fn current_digest(db: &RippleDatabase, file: SourceFile) -> Option<Digest> {
    match file.contents(db) {
        FileContents::OnDisk(Some(digest)) => Some(*digest),
        FileContents::OnDisk(None) => db.read_digest(file.path(db)),
        _ => None,
    }
}

/// The start of a digest, as inputs are kept: 128 bits tell a changed file as surely as 256.
pub(crate) fn short(digest: &Digest) -> [u8; 16] {
    let mut bytes = [0; 16];
    bytes.copy_from_slice(&digest.as_bytes()[..16]);
    bytes
}

/// The files whose bytes a file's findings read, as positions in the file set, with their
/// digests: those it depends on for names or re-exports, and transitively what those
/// re-export. `None` when one's digest is not known (an open document's, or a file not read).
fn inputs_of(
    db: &RippleDatabase,
    file: SourceFile,
    positions: &rustc_hash::FxHashMap<SourceFile, u32>,
) -> Option<Vec<(u32, [u8; 16])>> {
    let language_of = |of: SourceFile| db.languages().get(of.language(db));
    let dependencies =
        |of: SourceFile| language_of(of).map(|language| language.dependencies(db, of));
    let mut seen: FxHashSet<SourceFile> = FxHashSet::default();
    let mut pending: Vec<SourceFile> = dependencies(file)?
        .iter()
        .filter(|edge| !edge.names.is_empty() || edge.reexports)
        .map(|edge| edge.file)
        .collect();
    let mut inputs = Vec::new();
    while let Some(input) = pending.pop() {
        if input == file || !seen.insert(input) {
            continue;
        }
        inputs.push((*positions.get(&input)?, short(&current_digest(db, input)?)));
        // Only a file that re-exports others can bring their names (its own exports say).
        let reexports = language_of(input)
            .is_some_and(|language| !language.exports(db, input).reexported_from.is_empty());
        if reexports {
            pending.extend(
                dependencies(input)?
                    .iter()
                    .filter(|edge| edge.reexports)
                    .map(|edge| edge.file),
            );
        }
    }
    inputs.sort();
    Some(inputs)
}

#[derive(Serialize, Deserialize)]
struct Stored<'a> {
    /// First: `valid_entry` reads them alone.
    inputs: Vec<(u32, [u8; 16])>,
    #[serde(borrow)]
    diagnostics: Vec<(&'a str, u8, u32, u32, &'a str)>,
    #[serde(borrow)]
    suppressions: Vec<(u32, u32, Option<Vec<&'a str>>)>,
    /// Only for files with findings: nothing else is placed.
    #[serde(borrow)]
    lines: Option<LineIndexParts<'a>>,
    /// A `StoredInterface`, encoded apart: only the server's graph decodes it.
    #[serde(borrow)]
    interface: &'a [u8],
}

/// A file's `FileInterface` as kept: files as positions in the file set, name keys as 8
/// little-endian bytes each (a varint of a 64-bit hash would take 10).
#[derive(Serialize, Deserialize)]
struct StoredInterface<'a> {
    /// (position, the names' keys, re-exports).
    #[serde(borrow)]
    edges: Vec<(u32, &'a [u8], bool)>,
    #[serde(borrow)]
    names: &'a [u8],
    open: bool,
    #[serde(borrow)]
    reexported_from: &'a [u8],
    /// `Language::lookups`, when the language says them.
    #[serde(borrow)]
    lookups: Option<&'a [u8]>,
}

fn key_bytes(keys: &[u64]) -> Vec<u8> {
    keys.iter().flat_map(|key| key.to_le_bytes()).collect()
}

fn keys_of(bytes: &[u8]) -> Option<Box<[u64]>> {
    bytes.len().is_multiple_of(8).then_some(())?;
    Some(
        bytes
            .chunks_exact(8)
            .map(|chunk| {
                let mut key = [0; 8];
                key.copy_from_slice(chunk);
                u64::from_le_bytes(key)
            })
            .collect(),
    )
}

/// The encoded `StoredInterface` of `file`; `None` when an edge leaves the file set.
fn encode_interface(
    db: &RippleDatabase,
    file: SourceFile,
    positions: &rustc_hash::FxHashMap<SourceFile, u32>,
) -> Option<Vec<u8>> {
    let language = db.languages().get(file.language(db))?;
    let dependencies = language.dependencies(db, file);
    let exports = ExportKeys::of(&language.exports(db, file));
    let edges = dependencies
        .iter()
        .map(|edge| {
            Some((
                *positions.get(&edge.file)?,
                key_bytes(&edge.names),
                edge.reexports,
            ))
        })
        .collect::<Option<Vec<_>>>()?;
    let (names, reexported_from) = (
        key_bytes(&exports.names),
        key_bytes(&exports.reexported_from),
    );
    let lookups = language
        .lookups(db, file)
        .map(|lookups| key_bytes(&lookups));
    postcard::to_allocvec(&StoredInterface {
        edges: edges
            .iter()
            .map(|(position, names, reexports)| (*position, names.as_slice(), *reexports))
            .collect(),
        names: &names,
        open: exports.open,
        reexported_from: &reexported_from,
        lookups: lookups.as_deref(),
    })
    .ok()
}

impl StoredInterface<'_> {
    fn decode(&self, files: &[SourceFile]) -> Option<FileInterface> {
        self.decode_with(&|position| files.get(position as usize).copied())
    }

    /// The interface, the positions of its edges in its file set given by `file_at`.
    fn decode_with(&self, file_at: &dyn Fn(u32) -> Option<SourceFile>) -> Option<FileInterface> {
        let dependencies = self
            .edges
            .iter()
            .map(|&(position, names, reexports)| {
                Some(Dependency {
                    file: file_at(position)?,
                    names: keys_of(names)?,
                    reexports,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        let names = keys_of(self.names)?;
        // Sorted when written: anything else is not a value this build wrote.
        names.is_sorted().then_some(())?;
        Some(FileInterface {
            dependencies: dependencies.into(),
            exports: ExportKeys {
                names,
                open: self.open,
                reexported_from: keys_of(self.reexported_from)?,
            },
            lookups: match self.lookups {
                Some(bytes) => Some(keys_of(bytes)?.into()),
                None => None,
            },
        })
    }
}

fn encode(findings: &Findings, inputs: &[(u32, [u8; 16])], interface: &[u8]) -> Option<Vec<u8>> {
    let stored = Stored {
        diagnostics: findings
            .diagnostics
            .iter()
            .map(|diagnostic| {
                (
                    diagnostic.code,
                    severity_byte(diagnostic.severity),
                    diagnostic.range.start,
                    diagnostic.range.end,
                    &*diagnostic.message,
                )
            })
            .collect(),
        suppressions: findings
            .suppressions
            .entries()
            .iter()
            .map(|(start, end, suppression)| {
                let codes = match suppression {
                    Suppression::All => None,
                    Suppression::Codes(codes) => Some(codes.to_vec()),
                };
                (*start, *end, codes)
            })
            .collect(),
        lines: (!findings.diagnostics.is_empty()).then(|| findings.lines.to_parts()),
        inputs: inputs.to_vec(),
        interface,
    };
    postcard::to_allocvec(&stored).ok()
}

impl Stored<'_> {
    fn decode(&self, languages: &Languages) -> Option<Findings> {
        let code = |code: &str| -> Option<&'static str> {
            match code {
                IO_ERROR_CODE => Some(IO_ERROR_CODE),
                _ => languages
                    .rule(code)
                    .map(|rule| rule.code)
                    .filter(|known| *known == code),
            }
        };
        let diagnostics = self
            .diagnostics
            .iter()
            .map(|&(name, severity, start, end, message)| {
                (start <= end).then_some(())?;
                Some(Diagnostic::new(
                    code(name)?,
                    severity_of(severity)?,
                    TextRange { start, end },
                    message,
                ))
            })
            .collect::<Option<Vec<_>>>()?;
        let suppressions = self
            .suppressions
            .iter()
            .map(|(start, end, codes)| {
                let suppression = match codes {
                    None => Suppression::All,
                    Some(codes) => Suppression::Codes(
                        codes
                            .iter()
                            .map(|name| code(name))
                            .collect::<Option<Vec<_>>>()?
                            .into(),
                    ),
                };
                Some((*start, *end, suppression))
            })
            .collect::<Option<Vec<_>>>()?;
        let lines = match &self.lines {
            Some(parts) => LineIndex::from_parts(parts)?,
            None => LineIndex::new(""),
        };
        Some(Findings {
            diagnostics: diagnostics.into(),
            suppressions: Arc::new(Suppressions::new(suppressions)),
            lines: Arc::new(lines),
        })
    }
}

fn severity_byte(severity: Severity) -> u8 {
    match severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Information => 2,
        Severity::Hint => 3,
    }
}

fn severity_of(byte: u8) -> Option<Severity> {
    Some(match byte {
        0 => Severity::Error,
        1 => Severity::Warning,
        2 => Severity::Information,
        3 => Severity::Hint,
        _ => return None,
    })
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The digest of a workspace's file set: every file's path and language, in path order.
pub(crate) fn file_set_digest(db: &dyn Db, files: &[SourceFile]) -> Digest {
    // The same bytes as an update per field, in one buffer: blake3's per-call overhead was
    // most of the cost.
    let mut bytes: Vec<u8> = Vec::with_capacity(8 + files.len() * 64);
    bytes.extend_from_slice(b"file set");
    for file in files {
        let path = file.path(db).as_os_str().as_encoded_bytes();
        bytes.extend_from_slice(&(path.len() as u64).to_le_bytes());
        bytes.extend_from_slice(path);
        bytes.extend_from_slice(&(file.language(db).index() as u64).to_le_bytes());
    }
    Digest::from_bytes(*blake3::hash(&bytes).as_bytes())
}

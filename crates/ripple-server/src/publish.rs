//! Diagnostics to the editor: pushed after each check (only what changed), or pulled by the
//! client per document or for the workspace, with result ids that change when they do.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use ripple_core::{Diagnostic, LineIndex, PositionEncoding, Severity};
use ripple_workspace::{DiagnosticMode, FileReport, Workspace};
use tower_lsp_server::UriExt;
use tower_lsp_server::lsp_types::{self as lsp, Uri};

use crate::document::{Document, file_path, lsp_range};
use crate::events::PullResult;
use crate::outbox::{EncodedDiagnostics, Outbox, publish_frame};
use crate::touched::Touched;

/// The result id of an empty report for a file no longer reported on: the client holding it
/// needs nothing more.
const CLEARED: &str = "cleared";

/// Reports decided and sent at a time: their frames leave while the next are encoded, so that
/// a first check of 100,000 files never holds all its frames at once.
const PUBLISH_WINDOW: usize = 2048;

/// What was last pushed to the editor, so that only changes are sent.
#[derive(Default)]
pub struct Publisher {
    /// What each file's last publish said, as a fingerprint: a workspace's tens of thousands
    /// of published lists are not kept a second time in LSP's form.
    published: HashMap<PathBuf, Fingerprint>,
    /// The same, before conversion: a file whose text and findings did not change is skipped
    /// without converting positions (in workspace mode, most files after most edits).
    published_raw: HashMap<PathBuf, Arc<[Diagnostic]>>,
    /// What tasks (mypy, pytest, ...) say of each file, shown after ripple's own findings:
    /// LSP replaces a file's whole list, so each publish carries both, and neither wipes the
    /// other.
    tasks: HashMap<PathBuf, Vec<lsp::Diagnostic>>,
}

impl Publisher {
    /// Pushes the diagnostics of a finished check: each report that differs from what the file
    /// last showed (or whose document was edited: its publish names the version it describes),
    /// and an empty list for files no longer reported on.
    pub fn publish(
        &mut self,
        outbox: &Outbox,
        touched: &Touched,
        reports: Vec<FileReport>,
        documents: &HashMap<PathBuf, Document>,
        encoding: PositionEncoding,
    ) {
        // What to send for each report is decided, and its frame encoded, in parallel (a
        // first check of 100,000 files publishes tens of thousands); then sent in order, one
        // window at a time.
        let mut reported = HashSet::with_capacity(reports.len());
        for window in reports.chunks(PUBLISH_WINDOW) {
            let decisions: Vec<Decision> = window
                .par_iter()
                .map(|report| self.decide(report, touched, documents, encoding))
                .collect();
            for (report, decision) in window.iter().zip(decisions) {
                reported.insert(report.path.clone());
                let fingerprint = match decision {
                    Decision::Skip => continue,
                    Decision::Remember(fingerprint) => fingerprint,
                    Decision::Send(fingerprint, frame) => {
                        tracing::debug!(path = %report.path.display(), count = report.diagnostics.len(), "publish");
                        outbox.send_frame(frame);
                        fingerprint
                    }
                };
                self.published_raw
                    .insert(report.path.clone(), report.diagnostics.clone());
                self.published.insert(report.path.clone(), fingerprint);
            }
        }
        // Files no longer reported on (closed in open-files mode, deleted): clear what they
        // showed. Only touched files can have stopped being reported, unless everything was: a
        // keystroke must not walk every published file of a 100,000-file workspace.
        let stale: Vec<PathBuf> = if touched.everything {
            self.published
                .keys()
                .filter(|path| !reported.contains(*path))
                .cloned()
                .collect()
        } else {
            touched
                .closed
                .iter()
                .chain(&touched.files)
                .filter(|path| self.published.contains_key(*path) && !reported.contains(*path))
                .cloned()
                .collect::<HashSet<PathBuf>>()
                .into_iter()
                .collect()
        };
        for path in stale {
            self.published.remove(&path);
            self.published_raw.remove(&path);
            if let Some(uri) = Uri::from_file_path(&path) {
                // What tasks said of it stays until a task run says otherwise.
                let left = self.tasks.get(&path).cloned().unwrap_or_default();
                outbox.publish(uri, left, None);
            }
        }
    }

    /// Shows what a task run changed: for each path, its tasks' diagnostics now, published
    /// with ripple's own findings of the file (`own`; none for a file ripple does not check,
    /// such as the config file a failed task is reported on).
    pub fn show_tasks(
        &mut self,
        outbox: &Outbox,
        changed: HashMap<PathBuf, Vec<lsp::Diagnostic>>,
        own: impl Fn(&Path) -> Option<FileReport>,
        documents: &HashMap<PathBuf, Document>,
        encoding: PositionEncoding,
    ) {
        for (path, list) in changed {
            if list.is_empty() {
                self.tasks.remove(&path);
            } else {
                self.tasks.insert(path.clone(), list);
            }
            let mut all = match own(&path) {
                Some(report) => {
                    self.published_raw
                        .insert(path.clone(), report.diagnostics.clone());
                    to_lsp(&report.diagnostics, &report.lines, encoding)
                }
                None => Vec::new(),
            };
            all.extend(self.tasks.get(&path).cloned().unwrap_or_default());
            let Ok(encoded) = EncodedDiagnostics::new(&all) else {
                continue;
            };
            let version = documents.get(&path).map(|document| document.version);
            let frame =
                Uri::from_file_path(&path).and_then(|uri| publish_frame(&uri, &encoded, version));
            if let Some(frame) = frame {
                outbox.send_frame(frame);
                self.published
                    .insert(path.clone(), Fingerprint::of(encoded.as_bytes()));
            }
        }
    }

    /// What tasks say of `path`, for a pull.
    pub fn task_diagnostics(&self, path: &Path) -> &[lsp::Diagnostic] {
        self.tasks.get(path).map_or(&[], Vec::as_slice)
    }
}

/// What to do with one report of a check.
enum Decision {
    /// Nothing changed for the client.
    Skip,
    /// Record these as published without sending them (the client already shows them, or
    /// shows nothing and there is nothing to show).
    Remember(Fingerprint),
    /// Send this frame, and record these as published.
    Send(Fingerprint, Vec<u8>),
}

/// A published list of diagnostics, as a 128-bit digest of its JSON (every field, whatever
/// ripple sets): equal fingerprints are equal lists, as surely as two 128-bit keys differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fingerprint([u8; 16]);

impl Fingerprint {
    /// The fingerprint of a list encoded as JSON: hashed whole, which blake3 does many
    /// chunks at a time (fed piece by piece by the serializer, it was a sixth of a warm
    /// start's work).
    fn of(json: &[u8]) -> Self {
        let mut bytes = [0; 16];
        bytes.copy_from_slice(&blake3::hash(json).as_bytes()[..16]);
        Self(bytes)
    }
}

impl Publisher {
    /// Whether a report is sent: when it differs from what the file last showed, or its
    /// document was edited (its publish names the version it describes); never to show nothing
    /// where nothing was shown (a client starts with no diagnostics: most files of a large
    /// workspace, at the first check).
    fn decide(
        &self,
        report: &FileReport,
        touched: &Touched,
        documents: &HashMap<PathBuf, Document>,
        encoding: PositionEncoding,
    ) -> Decision {
        let text_changed = touched.everything || touched.files.contains(&report.path);
        if !text_changed && self.published_raw.get(&report.path) == Some(&report.diagnostics) {
            return Decision::Skip;
        }
        let version = documents.get(&report.path).map(|d| d.version);
        let shown = self.published.get(&report.path);
        let from_tasks = self.task_diagnostics(&report.path);
        if report.diagnostics.is_empty()
            && from_tasks.is_empty()
            && version.is_none()
            && shown.is_none()
        {
            return Decision::Remember(Fingerprint::of(b"[]"));
        }
        let mut all = to_lsp(&report.diagnostics, &report.lines, encoding);
        all.extend_from_slice(from_tasks);
        let diagnostics = match EncodedDiagnostics::new(&all) {
            Ok(diagnostics) => diagnostics,
            Err(error) => {
                // Cannot happen (LSP's types always serialize); were it to, the file's last
                // publish is left as it was rather than a wrong list sent.
                tracing::error!("cannot encode the diagnostics of a publish: {error}");
                return Decision::Skip;
            }
        };
        let fingerprint = Fingerprint::of(diagnostics.as_bytes());
        let edited = version.is_some() && touched.files.contains(&report.path);
        if !edited && shown == Some(&fingerprint) {
            return Decision::Remember(fingerprint);
        }
        let frame = Uri::from_file_path(&report.path)
            .and_then(|uri| publish_frame(&uri, &diagnostics, version));
        match frame {
            Some(frame) => Decision::Send(fingerprint, frame),
            None => Decision::Remember(fingerprint),
        }
    }
}

/// A file's diagnostics for a pull request, with a result id that changes when they do.
/// `from_tasks` are what tasks say of the file, shown after ripple's own findings; a file
/// ripple does not check has a report only when tasks say something of it.
pub fn pull(
    workspace: &Workspace,
    path: &Path,
    encoding: PositionEncoding,
    from_tasks: Vec<lsp::Diagnostic>,
) -> Option<(String, Vec<lsp::Diagnostic>)> {
    let (mut converted, revision) = match workspace.file(path) {
        Some(file) => {
            let report = workspace.check_one(file);
            (
                to_lsp(&report.diagnostics, &report.lines, encoding),
                *file.revision(workspace.db()),
            )
        }
        None if !from_tasks.is_empty() => (Vec::new(), 0),
        None => return None,
    };
    converted.extend(from_tasks);
    let id = result_id(&converted, revision);
    Some((id, converted))
}

/// `workspace/diagnostic`: the files the diagnostic mode reports on that are not open (an
/// open document's diagnostics are pulled for the document, at its version), unchanged where
/// the client's result id is current; and an empty report for each file the client holds
/// results for that is no longer reported on (closed in open-files mode, deleted).
pub fn pull_workspace(
    workspace: &Workspace,
    mode: DiagnosticMode,
    documents: &HashMap<PathBuf, Document>,
    previous: Vec<(Uri, String)>,
    encoding: PositionEncoding,
    from_tasks: &dyn Fn(&Path) -> Vec<lsp::Diagnostic>,
) -> Vec<(Uri, PullResult)> {
    let held: HashMap<PathBuf, String> = previous
        .into_iter()
        .filter_map(|(uri, id)| Some((file_path(&uri)?, id)))
        .collect();
    let reported: Vec<PathBuf> = match mode {
        DiagnosticMode::Workspace => workspace
            .files()
            .iter()
            .map(|file| file.path(workspace.db()).clone())
            .filter(|path| !documents.contains_key(path))
            .collect(),
        DiagnosticMode::OpenFiles => Vec::new(),
    };
    let mut items = Vec::new();
    for path in &reported {
        let (Some((id, diagnostics)), Some(uri)) = (
            pull(workspace, path, encoding, from_tasks(path)),
            Uri::from_file_path(path),
        ) else {
            continue;
        };
        let result = if held.get(path) == Some(&id) {
            PullResult::Unchanged(id)
        } else {
            PullResult::Full(id, diagnostics)
        };
        items.push((uri, result));
    }
    let reported: HashSet<&PathBuf> = reported.iter().collect();
    for (path, id) in &held {
        if reported.contains(path) || documents.contains_key(path) || id == CLEARED {
            continue;
        }
        if let Some(uri) = Uri::from_file_path(path) {
            items.push((uri, PullResult::Full(CLEARED.into(), Vec::new())));
        }
    }
    items
}

fn to_lsp(
    diagnostics: &[Diagnostic],
    lines: &LineIndex,
    encoding: PositionEncoding,
) -> Vec<lsp::Diagnostic> {
    diagnostics
        .iter()
        .map(|diagnostic| lsp::Diagnostic {
            range: lsp_range(lines, diagnostic.range, encoding),
            severity: Some(match diagnostic.severity {
                Severity::Error => lsp::DiagnosticSeverity::ERROR,
                Severity::Warning => lsp::DiagnosticSeverity::WARNING,
                Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
                Severity::Hint => lsp::DiagnosticSeverity::HINT,
            }),
            code: Some(lsp::NumberOrString::String(diagnostic.code.to_string())),
            source: Some("ripple".to_string()),
            message: diagnostic.message.to_string(),
            ..lsp::Diagnostic::default()
        })
        .collect()
}

fn result_id(diagnostics: &[lsp::Diagnostic], revision: u64) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for diagnostic in diagnostics {
        diagnostic.message.hash(&mut hasher);
        format!("{:?}", diagnostic.range).hash(&mut hasher);
    }
    format!("{revision}-{:x}", hasher.finish())
}

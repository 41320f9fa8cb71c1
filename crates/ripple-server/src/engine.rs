//! The one loop that owns the database. Every notification reaches it through a channel and is
//! applied in arrival order. Checking runs on a snapshot of the database on another thread, so
//! the loop keeps taking edits: an edit that arrives during a check cancels it (salsa unwinds the
//! snapshot's queries with `Cancelled`), its results are dropped, never published, and the next
//! check covers everything changed since the last publish. A burst of keystrokes is thus checked
//! for the newest text only.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ripple_core::{Diagnostic, LineIndex, PositionEncoding, SourceFile};
use ripple_python::Db as _;
use ripple_workspace::{
    CONFIG_FILE_NAMES, DiagnosticMode, FileReport, IGNORE_FILE_NAMES, ImportGraph, RuleSelection,
    Workspace, WorkspaceSnapshot, is_python_file,
};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tower_lsp_server::UriExt;
use tower_lsp_server::lsp_types::{self as lsp, FileEvent, TextDocumentContentChangeEvent, Uri};

use crate::document::{Document, lsp_range};
use crate::outbox::Outbox;

/// The result id of an empty report for a file no longer reported on: the client holding it
/// needs nothing more.
const CLEARED: &str = "cleared";

/// A re-check touching more files than this reports progress (a branch switch, not a keystroke).
const PROGRESS_THRESHOLD: usize = 20;

/// Settings the editor sends (`initializationOptions`, `workspace/didChangeConfiguration`). An
/// editor setting the user chose wins over the project's configuration file, as it is the more
/// specific choice (this user, this editor); unset ones fall back to the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientSettings {
    pub diagnostic_mode: Option<DiagnosticMode>,
}

impl ClientSettings {
    /// Reads the settings ripple knows from a JSON object; unknown keys are ignored (clients send
    /// their own), and a bad value is logged and left unset rather than refusing the session.
    pub fn from_json(value: Option<&Value>) -> Self {
        let mut settings = Self::default();
        let Some(mode) = value.and_then(|value| value.get("diagnosticMode")) else {
            return settings;
        };
        settings.diagnostic_mode = match mode.as_str() {
            Some("open-files" | "openFiles") => Some(DiagnosticMode::OpenFiles),
            Some("workspace") => Some(DiagnosticMode::Workspace),
            _ => {
                tracing::warn!(
                    "ignoring diagnosticMode {mode}: expected \"open-files\" or \"workspace\""
                );
                None
            }
        };
        settings
    }
}

/// What the client told us at initialization that the loop needs.
#[derive(Debug, Clone)]
pub struct Session {
    pub root: Option<PathBuf>,
    pub client_settings: ClientSettings,
    pub encoding: PositionEncoding,
    pub pull_diagnostics: bool,
    /// The pulling client takes `workspace/diagnostic/refresh`.
    pub refresh_pulled: bool,
    pub progress: bool,
    /// The client watches files for us; otherwise the server watches the workspace itself.
    pub client_watches: bool,
}

pub enum Event {
    Initialized(Session),
    Open {
        uri: Uri,
        text: String,
        version: i32,
    },
    Change {
        uri: Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    },
    Save {
        uri: Uri,
    },
    Close {
        uri: Uri,
    },
    WatchedFiles(Vec<FileEvent>),
    Configuration(ClientSettings),
    /// The session is over: the loop ends after the events queued before this one.
    Stop,
    Stats(oneshot::Sender<Value>),
    PullDocument {
        uri: Uri,
        previous_result_id: Option<String>,
        reply: oneshot::Sender<Option<PullResult>>,
    },
    PullWorkspace {
        /// The result ids the client holds, by document.
        previous: Vec<(Uri, String)>,
        reply: oneshot::Sender<Vec<(Uri, PullResult)>>,
    },
    /// A check started by the loop finished; `reports` is `None` when an edit cancelled it.
    CheckDone {
        generation: u64,
        reports: Option<Vec<FileReport>>,
        /// The import graph, when the job asked for one, with the file-set generation it is of.
        graph: Option<(u64, ImportGraph)>,
    },
}

/// The answer to `textDocument/diagnostic`.
pub enum PullResult {
    /// Same diagnostics as the result id the client already has.
    Unchanged(String),
    Full(String, Vec<lsp::Diagnostic>),
}

/// Statistics the `ripple/stats` request reports.
#[derive(Default)]
struct Stats {
    last_edit_latency: Option<Duration>,
    last_edit_queries: Vec<(String, u64)>,
    /// How many files the last published check covered: what the last change reached.
    last_checked_files: usize,
    edits: u64,
    full_loads: u64,
}

pub struct Engine {
    outbox: Outbox,
    /// The loop's own channel, for the file watcher it may start.
    events: mpsc::UnboundedSender<Event>,
    watcher: Option<Box<dyn std::any::Any>>,
    session: Option<Session>,
    workspace: Option<Workspace>,
    selection: RuleSelection,
    documents: HashMap<PathBuf, Document>,
    /// What each file's last publish said, so only changes are sent.
    published: HashMap<PathBuf, Vec<lsp::Diagnostic>>,
    /// The same, before conversion: a file whose text and findings did not change is skipped
    /// without converting positions (in workspace mode, most files after most edits).
    published_raw: HashMap<PathBuf, Arc<[Diagnostic]>>,
    stats: Stats,
    /// Bumped for every check started; a finished check of an older generation is stale.
    generation: u64,
    /// The running check's generation, and every change since the last publish that it covers.
    in_flight: Option<(u64, Touched)>,
    /// Changes applied since the running check started (it cannot see them).
    pending: Touched,
    /// When the oldest unpublished change arrived, for the latency statistic.
    pending_since: Option<Instant>,
    /// `ripple/stats` requests wait for the running check, so they describe the last edit.
    waiting_for_check: Vec<Event>,
    /// The thread that runs checks, one at a time, on snapshots.
    checker: std::sync::mpsc::Sender<CheckJob>,
    /// Who imports whom, for the workspace's file-set generation it was built in: what an edit
    /// can reach, so that only that is checked.
    import_graph: Option<(u64, ImportGraph)>,
}

/// One check for the check thread.
struct CheckJob {
    generation: u64,
    snapshot: WorkspaceSnapshot,
    files: Vec<SourceFile>,
    progress: bool,
    /// Build the import graph of `files` (all the workspace's) after checking them, for this
    /// file-set generation.
    build_graph: Option<u64>,
}

/// Starts the thread that runs checks (a long-lived one: a fresh thread per keystroke, with the
/// large stack the analysis wants, would cost more than the check).
fn start_check_thread(
    outbox: Outbox,
    events: mpsc::UnboundedSender<Event>,
) -> std::sync::mpsc::Sender<CheckJob> {
    let (jobs, receiver) = std::sync::mpsc::channel::<CheckJob>();
    let spawned = std::thread::Builder::new()
        .name("ripple-check".into())
        .stack_size(64 * 1024 * 1024)
        .spawn(move || {
            while let Ok(job) = receiver.recv() {
                let CheckJob {
                    generation,
                    snapshot,
                    files,
                    progress,
                    build_graph,
                } = job;
                let progress =
                    progress.then(|| outbox.begin_progress("ripple: checking", files.len()));
                let reports = salsa::Cancelled::catch(std::panic::AssertUnwindSafe(|| {
                    let reports = check_with_progress(&snapshot, &files, progress.as_ref());
                    // Reads only what the check just memoized.
                    let graph = build_graph
                        .map(|generation| (generation, ImportGraph::build(snapshot.db(), &files)));
                    (reports, graph)
                }));
                // Release the snapshot before reporting: a waiting edit can go ahead.
                drop(snapshot);
                if let Some(progress) = progress {
                    let message = match &reports {
                        Ok(_) => format!("checked {} files", files.len()),
                        Err(_) => "interrupted by a newer change".to_string(),
                    };
                    progress.end(message);
                }
                let (reports, graph) = match reports {
                    Ok((reports, graph)) => (Some(reports), graph),
                    Err(_) => (None, None),
                };
                let done = Event::CheckDone {
                    generation,
                    reports,
                    graph,
                };
                if events.send(done).is_err() {
                    break;
                }
            }
        });
    if let Err(error) = spawned {
        tracing::error!("cannot start the check thread: {error}");
    }
    jobs
}

impl Engine {
    pub fn new(outbox: Outbox, events: mpsc::UnboundedSender<Event>) -> Self {
        let checker = start_check_thread(outbox.clone(), events.clone());
        Self {
            checker,
            outbox,
            events,
            watcher: None,
            session: None,
            workspace: None,
            selection: RuleSelection::default(),
            documents: HashMap::new(),
            published: HashMap::new(),
            published_raw: HashMap::new(),
            stats: Stats::default(),
            generation: 0,
            in_flight: None,
            pending: Touched::default(),
            pending_since: None,
            waiting_for_check: Vec::new(),
            import_graph: None,
        }
    }

    /// Runs until every sender is gone (the server shut down).
    pub fn run(mut self, mut events: mpsc::UnboundedReceiver<Event>) {
        while let Some(first) = events.blocking_recv() {
            let mut batch = vec![first];
            while let Ok(more) = events.try_recv() {
                batch.push(more);
            }
            let mut changed = false;
            let mut replies = Vec::new();
            let stop = batch.iter().any(|event| matches!(event, Event::Stop));
            for event in batch {
                match event {
                    Event::Stop => {}
                    Event::CheckDone {
                        generation,
                        reports,
                        graph,
                    } => self.finish_check(generation, reports, graph),
                    Event::Stats(_) => self.waiting_for_check.push(event),
                    Event::PullDocument { .. } | Event::PullWorkspace { .. } => replies.push(event),
                    other => {
                        if self.pending_since.is_none() {
                            self.pending_since = Some(Instant::now());
                        }
                        let mut touched = std::mem::take(&mut self.pending);
                        // Applying an edit cancels a running check: the setter waits until the
                        // snapshot's queries have unwound.
                        self.apply(other, &mut touched);
                        self.pending = touched;
                        changed = true;
                    }
                }
            }
            if changed && self.pending.any() {
                self.start_check();
            }
            for reply in replies {
                self.answer(reply);
            }
            if self.in_flight.is_none() {
                for waiting in std::mem::take(&mut self.waiting_for_check) {
                    self.answer(waiting);
                }
            }
            if stop {
                return;
            }
        }
    }

    /// Starts checking what changed since the last publish, on a snapshot, on the check thread.
    /// A check still running is cancelled by the edits that led here; the new one covers its
    /// changes too.
    fn start_check(&mut self) {
        let pull = self.session.as_ref().is_some_and(|s| s.pull_diagnostics);
        if self.workspace.is_none() || pull {
            // Nothing to push: pulled diagnostics are computed when asked for. A change the
            // client cannot see (the disk, the configuration, a save's importers, a closed
            // file) makes it pull again.
            let touched = std::mem::take(&mut self.pending);
            let refresh = self.session.as_ref().is_some_and(|s| s.refresh_pulled);
            let unseen = touched.everything
                || !touched.saved.is_empty()
                || !touched.closed.is_empty()
                || touched
                    .files
                    .iter()
                    .any(|path| !self.documents.contains_key(path));
            if refresh && unseen {
                self.outbox.refresh_diagnostics();
            }
            self.stats.edits += 1;
            return;
        }
        let mut covered = self
            .in_flight
            .take()
            .map(|(_, touched)| touched)
            .unwrap_or_default();
        covered.merge(std::mem::take(&mut self.pending));
        if (self.generation == 0 || covered.everything)
            && let Some(workspace) = &self.workspace
        {
            workspace.db().stats().start_recording();
        }
        self.generation += 1;
        let generation = self.generation;
        let (files, covers_workspace) = self.files_to_report(&covered);
        let many = covered.files.len() > PROGRESS_THRESHOLD
            || (covered.everything && files.len() > PROGRESS_THRESHOLD);
        let progress = many && self.session.as_ref().is_some_and(|s| s.progress);
        tracing::debug!(
            generation,
            changed = covered.files.len(),
            everything = covered.everything,
            reported = files.len(),
            "check started"
        );
        self.in_flight = Some((generation, covered));
        let Some(workspace) = self.workspace.as_ref() else {
            return;
        };
        // A check of everything rebuilds the graph: its edges and the exports importers were
        // shown must describe what this check publishes, or the next edit is compared with an
        // older state.
        let build_graph = covers_workspace.then(|| workspace.file_set_generation());
        let job = CheckJob {
            generation,
            snapshot: workspace.snapshot(),
            files,
            progress,
            build_graph,
        };
        if self.checker.send(job).is_err() {
            tracing::error!("the check thread has stopped; diagnostics are no longer updated");
            self.in_flight = None;
        }
    }

    fn finish_check(
        &mut self,
        generation: u64,
        reports: Option<Vec<FileReport>>,
        graph: Option<(u64, ImportGraph)>,
    ) {
        if self.in_flight.as_ref().map(|(current, _)| *current) != Some(generation) {
            // A newer check has started since: this one is stale, whatever it found.
            tracing::debug!(generation, "stale check dropped");
            return;
        }
        let Some(reports) = reports else {
            // Cancelled, and no newer check yet: the edit that cancelled it will start one.
            tracing::debug!(generation, "cancelled check dropped");
            return;
        };
        if self.pending.any() {
            // Edits were applied after this check's snapshot was taken (it finished before they
            // could cancel it): its results may describe older text, and published now they
            // would carry the newer document version. The check that follows this batch covers
            // its changes and the new ones.
            tracing::debug!(generation, "check outdated by later edits dropped");
            return;
        }
        tracing::debug!(generation, "check done");
        let Some((_, touched)) = self.in_flight.take() else {
            return;
        };
        if let (Some((built_for, graph)), Some(workspace)) = (graph, &self.workspace)
            && built_for == workspace.file_set_generation()
        {
            self.import_graph = Some((built_for, graph));
        }
        if let (Some((_, graph)), Some(workspace)) = (&mut self.import_graph, &self.workspace) {
            // What this check reached is about to be published: importers now show it.
            graph.confirm(workspace.db());
        }
        self.stats.last_checked_files = reports.len();
        self.publish(&touched, reports);
        self.stats.edits += 1;
        self.stats.last_edit_latency = self.pending_since.take().map(|since| since.elapsed());
        if let Some(workspace) = &self.workspace {
            let records = workspace.db().stats().take_recording();
            self.stats.last_edit_queries = workspace.db().count_by_query(&records);
            workspace.db().stats().start_recording();
        }
    }

    fn diagnostic_mode(&self, workspace: &Workspace) -> DiagnosticMode {
        self.session
            .as_ref()
            .and_then(|session| session.client_settings.diagnostic_mode)
            .unwrap_or(workspace.config().config.diagnostic_mode)
    }

    fn encoding(&self) -> PositionEncoding {
        self.session
            .as_ref()
            .map_or(PositionEncoding::Utf16, |session| session.encoding)
    }

    fn apply(&mut self, event: Event, touched: &mut Touched) {
        match event {
            Event::Initialized(session) => {
                let watch_root = (!session.client_watches)
                    .then(|| session.root.clone())
                    .flatten();
                self.session = Some(session);
                self.load_workspace();
                self.index();
                if let Some(root) = watch_root {
                    self.watcher = crate::watcher::watch(&root, self.events.clone())
                        .map(|watcher| Box::new(watcher) as Box<dyn std::any::Any>);
                }
                touched.everything = true;
            }
            Event::Open { uri, text, version } => {
                let Some(path) = file_path(&uri) else {
                    tracing::warn!("ignoring a document that is not a file: {}", uri.as_str());
                    return;
                };
                self.documents
                    .insert(path.clone(), Document::new(&text, version));
                self.set_text(&path, text);
                touched.files.insert(path);
            }
            Event::Change {
                uri,
                version,
                changes,
            } => {
                let Some(path) = file_path(&uri) else { return };
                let encoding = self.encoding();
                let Some(document) = self.documents.get_mut(&path) else {
                    tracing::warn!("change to a document that is not open: {}", uri.as_str());
                    return;
                };
                if version <= document.version {
                    tracing::warn!(
                        "out-of-order change to {} (version {version} after {}); applied anyway",
                        uri.as_str(),
                        document.version
                    );
                }
                for clamped in document.apply(&changes, encoding) {
                    tracing::warn!("clamped an edit of {}: {}", uri.as_str(), clamped.0);
                }
                document.version = version;
                let text = document.text();
                self.set_text(&path, text);
                touched.files.insert(path);
            }
            Event::Save { uri } => {
                if let Some(path) = file_path(&uri) {
                    touched.saved.insert(path.clone());
                    touched.files.insert(path);
                }
            }
            Event::Close { uri } => {
                let Some(path) = file_path(&uri) else { return };
                self.documents.remove(&path);
                // The disk is the truth again, if the walk would find the file at all.
                if let Some(workspace) = &mut self.workspace {
                    workspace.close_document(&path);
                }
                touched.closed.insert(path.clone());
                touched.files.insert(path);
            }
            Event::WatchedFiles(changes) => self.apply_disk_changes(changes, touched),
            Event::Configuration(settings) => {
                if let Some(session) = &mut self.session
                    && session.client_settings != settings
                {
                    tracing::info!(?settings, "the editor's settings changed");
                    session.client_settings = settings;
                    // The set of reported files may change: report on all, clear the rest.
                    touched.everything = true;
                }
            }
            Event::Stats(_)
            | Event::PullDocument { .. }
            | Event::PullWorkspace { .. }
            | Event::CheckDone { .. }
            | Event::Stop => {}
        }
    }

    fn load_workspace(&mut self) {
        let Some(root) = self.session.as_ref().and_then(|s| s.root.clone()) else {
            tracing::info!("no workspace folder: only open documents are checked");
            return;
        };
        let started = Instant::now();
        let mut workspace = Workspace::load(&root, &[]);
        for (path, document) in &self.documents {
            workspace.set_document_text(path, document.text().into());
        }
        let config = &workspace.config().config;
        self.selection = RuleSelection::new(config.select.as_deref(), &config.ignore);
        tracing::info!(
            files = workspace.file_count(),
            elapsed = ?started.elapsed(),
            "loaded the workspace at {}",
            root.display()
        );
        self.workspace = Some(workspace);
        self.import_graph = None;
        self.stats.full_loads += 1;
    }

    /// Analyses every workspace file once, with progress, so that cross-file answers are ready
    /// before the first edit arrives.
    fn index(&mut self) {
        let Some(workspace) = &self.workspace else {
            return;
        };
        let files = workspace.files();
        let progress = self
            .session
            .as_ref()
            .is_some_and(|s| s.progress)
            .then(|| self.outbox.begin_progress("ripple: indexing", files.len()));
        check_with_progress(&workspace.snapshot(), &files, progress.as_ref());
        if let Some(progress) = progress {
            progress.end(format!("indexed {} files", files.len()));
        }
        // Pulled diagnostics are computed per request and never use the graph. In workspace
        // mode, the full check that follows indexing builds it.
        let pull = self.session.as_ref().is_some_and(|s| s.pull_diagnostics);
        if !pull && self.diagnostic_mode(workspace) == DiagnosticMode::OpenFiles {
            let graph = ImportGraph::build(workspace.db(), &files);
            self.import_graph = Some((workspace.file_set_generation(), graph));
        }
    }

    /// An open document's text: the file's next revision, parsed incrementally when possible.
    fn set_text(&mut self, path: &Path, text: String) {
        self.ensure_workspace(path);
        if let Some(workspace) = &mut self.workspace {
            workspace.set_document_text(path, text.into());
        }
    }

    /// With no workspace folder, a workspace for the first file the editor names.
    fn ensure_workspace(&mut self, path: &Path) {
        if self.workspace.is_none() {
            // No workspace folder: the file's project when a marker (`pyproject.toml`, `.git`)
            // shows one, else the open files alone, as walking the file's folder could mean
            // walking a home directory.
            self.workspace = Some(match ripple_workspace::find_marked_root(path) {
                Some(root) => Workspace::load(&root, &[]),
                None => Workspace::load_files_only(path.parent().unwrap_or(path), &[]),
            });
        }
    }

    /// Files changed on disk (a save elsewhere, a `git checkout`): open documents keep the
    /// editor's text; configuration changes reload the workspace.
    fn apply_disk_changes(&mut self, changes: Vec<FileEvent>, touched: &mut Touched) {
        let mut reload = false;
        let mut batch = Vec::new();
        for change in changes {
            let Some(path) = file_path(&change.uri) else {
                continue;
            };
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if CONFIG_FILE_NAMES.contains(&name) || IGNORE_FILE_NAMES.contains(&name) {
                // Settings or the set of walked files changed: start from a fresh load.
                reload = true;
                continue;
            }
            if !is_python_file(&path) || self.documents.contains_key(&path) {
                continue;
            }
            batch.push(path.clone());
            touched.files.insert(path);
        }
        if let Some(workspace) = &mut self.workspace {
            workspace.apply_disk_changes(batch);
        }
        if reload {
            tracing::info!("configuration changed: reloading the workspace");
            self.load_workspace();
            touched.everything = true;
        }
    }

    /// Which files to report on after a change, in the current diagnostic mode, and whether
    /// they are all the workspace's files.
    fn files_to_report(&mut self, touched: &Touched) -> (Vec<SourceFile>, bool) {
        let Some(workspace) = &self.workspace else {
            return (Vec::new(), false);
        };
        let mode = self.diagnostic_mode(workspace);
        if self
            .import_graph
            .as_ref()
            .is_some_and(|(built_for, _)| *built_for != workspace.file_set_generation())
        {
            // Files were added or removed: imports anywhere may resolve differently.
            self.import_graph = None;
        }
        let changed: Vec<SourceFile> = touched
            .files
            .iter()
            .filter_map(|path| workspace.file(path))
            .collect();
        let db = workspace.db();
        match mode {
            DiagnosticMode::Workspace => match &mut self.import_graph {
                // Only what the edit can reach: the rest is known unchanged.
                Some((_, graph)) if !touched.everything => (graph.reach(db, &changed), false),
                _ => (workspace.files().to_vec(), true),
            },
            DiagnosticMode::OpenFiles => {
                let mut files: Vec<SourceFile> = self
                    .documents
                    .keys()
                    .filter_map(|path| workspace.file(path))
                    .collect();
                let saved: Vec<SourceFile> = touched
                    .saved
                    .iter()
                    .filter_map(|path| workspace.file(path))
                    .collect();
                if let Some((_, graph)) = &mut self.import_graph {
                    graph.mark_changed(changed);
                }
                if !saved.is_empty() {
                    // On save, the saved files' importers anywhere in the workspace are
                    // re-checked and published too: the on-save incremental check.
                    // Without a graph (files were added or removed since), build one: it asks
                    // what every file imports, as finding the importers would anyway.
                    let (_, graph) = self.import_graph.get_or_insert_with(|| {
                        let mut graph = ImportGraph::build(db, &workspace.files());
                        // Built from the saved text: what the importers were shown before is
                        // unknown, so every importer of a saved file is checked.
                        graph.forget(&saved);
                        (workspace.file_set_generation(), graph)
                    });
                    for file in graph.reach(db, &saved) {
                        if !files.contains(&file) {
                            files.push(file);
                        }
                    }
                }
                (files, false)
            }
        }
    }

    fn publish(&mut self, touched: &Touched, reports: Vec<FileReport>) {
        if self
            .session
            .as_ref()
            .is_some_and(|session| session.pull_diagnostics)
        {
            return;
        }
        let Some(workspace) = &self.workspace else {
            return;
        };
        let encoding = self.encoding();
        let mut reported = HashSet::new();
        for report in reports {
            reported.insert(report.path.clone());
            let text_changed = touched.everything || touched.files.contains(&report.path);
            if !text_changed && self.published_raw.get(&report.path) == Some(&report.diagnostics) {
                continue;
            }
            self.published_raw
                .insert(report.path.clone(), report.diagnostics.clone());
            let lines = ripple_python::line_index(workspace.db(), report.file);
            let diagnostics = to_lsp(&report.diagnostics, lines, encoding, &self.selection);
            let version = self.documents.get(&report.path).map(|d| d.version);
            // Unchanged diagnostics are not sent again, except for an edited document: its
            // publish tells the client which version the diagnostics describe.
            let edited = version.is_some() && touched.files.contains(&report.path);
            if !edited && self.published.get(&report.path) == Some(&diagnostics) {
                continue;
            }
            if let Some(uri) = Uri::from_file_path(&report.path) {
                tracing::debug!(
                    path = %report.path.display(),
                    ?version,
                    count = diagnostics.len(),
                    "publish"
                );
                self.outbox.publish(uri, diagnostics.clone(), version);
            }
            self.published.insert(report.path, diagnostics);
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
                self.outbox.publish(uri, Vec::new(), None);
            }
        }
    }

    fn answer(&mut self, event: Event) {
        match event {
            Event::Stats(reply) => {
                let _ = reply.send(self.stats_json());
            }
            Event::PullDocument {
                uri,
                previous_result_id,
                reply,
            } => {
                let result = file_path(&uri).and_then(|path| self.pull(&path));
                let answer = result.map(|(id, diagnostics)| {
                    if previous_result_id.as_deref() == Some(id.as_str()) {
                        PullResult::Unchanged(id)
                    } else {
                        PullResult::Full(id, diagnostics)
                    }
                });
                if let Some(since) = self.pending_since.take() {
                    // Pulled: the edit's receive -> answer latency.
                    self.stats.last_edit_latency = Some(since.elapsed());
                }
                let _ = reply.send(answer);
            }
            Event::PullWorkspace { previous, reply } => {
                let _ = reply.send(self.pull_workspace(previous));
            }
            _ => {}
        }
    }

    /// `workspace/diagnostic`: the files the diagnostic mode reports on that are not open (an
    /// open document's diagnostics are pulled for the document, at its version), unchanged
    /// where the client's result id is current; and an empty report for each file the client
    /// holds results for that is no longer reported on (closed in open-files mode, deleted).
    fn pull_workspace(&self, previous: Vec<(Uri, String)>) -> Vec<(Uri, PullResult)> {
        let Some(workspace) = &self.workspace else {
            return Vec::new();
        };
        let held: HashMap<PathBuf, String> = previous
            .into_iter()
            .filter_map(|(uri, id)| Some((file_path(&uri)?, id)))
            .collect();
        let reported: Vec<PathBuf> = match self.diagnostic_mode(workspace) {
            DiagnosticMode::Workspace => workspace
                .files()
                .iter()
                .map(|file| file.path(workspace.db()).clone())
                .filter(|path| !self.documents.contains_key(path))
                .collect(),
            DiagnosticMode::OpenFiles => Vec::new(),
        };
        let mut items = Vec::new();
        for path in &reported {
            let (Some((id, diagnostics)), Some(uri)) = (self.pull(path), Uri::from_file_path(path))
            else {
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
            if reported.contains(path) || self.documents.contains_key(path) || id == CLEARED {
                continue;
            }
            if let Some(uri) = Uri::from_file_path(path) {
                items.push((uri, PullResult::Full(CLEARED.into(), Vec::new())));
            }
        }
        items
    }

    /// A file's diagnostics for a pull request, with a result id that changes when they do.
    fn pull(&self, path: &Path) -> Option<(String, Vec<lsp::Diagnostic>)> {
        let workspace = self.workspace.as_ref()?;
        let file = workspace.file(path)?;
        let diagnostics = ripple_python::check_file(workspace.db(), file, true);
        let lines = ripple_python::line_index(workspace.db(), file);
        let converted = to_lsp(&diagnostics, lines, self.encoding(), &self.selection);
        let id = result_id(&converted, *file.revision(workspace.db()));
        Some((id, converted))
    }

    fn stats_json(&self) -> Value {
        let Some(workspace) = &self.workspace else {
            return json!({"files": 0});
        };
        let totals = workspace.db().query_totals();
        let (full_parses, incremental_parses) = workspace.db().document_parses().counts();
        json!({
            "files": workspace.file_count(),
            "openDocuments": self.documents.len(),
            "queries": totals
                .into_iter()
                .map(|(name, count)| (name, json!(count)))
                .collect::<serde_json::Map<String, Value>>(),
            "lastEditQueries": self.stats.last_edit_queries.iter().cloned()
                .map(|(name, count)| (name, json!(count)))
                .collect::<serde_json::Map<String, Value>>(),
            // Open documents are reparsed incrementally where an edit allows
            // (ripple_python::parse); other files are parsed in full.
            "parses": {"full": full_parses, "incremental": incremental_parses},
            "lastEditLatencyMs": self.stats.last_edit_latency.map(|d| d.as_secs_f64() * 1000.0),
            "edits": self.stats.edits,
            "lastCheckedFiles": self.stats.last_checked_files,
            "workspaceLoads": self.stats.full_loads,
            "memoryBytes": resident_memory(),
        })
    }
}

/// Checks `files` while a second thread reports progress, if asked.
fn check_with_progress(
    checker: &WorkspaceSnapshot,
    files: &[SourceFile],
    progress: Option<&crate::outbox::ProgressReporter>,
) -> Vec<FileReport> {
    let done = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let reporter = progress.map(|progress| {
            let done = &done;
            let total = files.len();
            scope.spawn(move || progress.report_until_done(done, total))
        });
        let tick = || {
            done.fetch_add(1, Ordering::Relaxed);
        };
        // Stop the reporter even when the check unwinds (cancelled by an edit).
        struct StopReporter<'a>(&'a AtomicUsize);
        impl Drop for StopReporter<'_> {
            fn drop(&mut self) {
                self.0.store(usize::MAX, Ordering::Relaxed);
            }
        }
        let stop = StopReporter(&done);
        let reports = checker.check(files, true, &tick);
        drop(stop);
        if let Some(reporter) = reporter {
            let _ = reporter.join();
        }
        reports
    })
}

/// What a batch of events changed.
#[derive(Default, Clone)]
struct Touched {
    files: HashSet<PathBuf>,
    saved: HashSet<PathBuf>,
    closed: HashSet<PathBuf>,
    everything: bool,
}

impl Touched {
    fn any(&self) -> bool {
        self.everything || !self.files.is_empty()
    }

    fn merge(&mut self, other: Touched) {
        self.files.extend(other.files);
        self.saved.extend(other.saved);
        self.closed.extend(other.closed);
        self.everything |= other.everything;
    }
}

fn file_path(uri: &Uri) -> Option<PathBuf> {
    if uri.scheme().is_none_or(|scheme| scheme.as_str() != "file") {
        return None;
    }
    uri.to_file_path().map(|path| path.into_owned())
}

fn to_lsp(
    diagnostics: &[Diagnostic],
    lines: &LineIndex,
    encoding: PositionEncoding,
    selection: &RuleSelection,
) -> Vec<lsp::Diagnostic> {
    if diagnostics.is_empty() {
        return Vec::new();
    }
    diagnostics
        .iter()
        .filter(|diagnostic| selection.allows(diagnostic.code))
        .map(|diagnostic| lsp::Diagnostic {
            range: lsp_range(lines, diagnostic.range, encoding),
            severity: Some(match diagnostic.severity {
                ripple_core::Severity::Error => lsp::DiagnosticSeverity::ERROR,
                ripple_core::Severity::Warning => lsp::DiagnosticSeverity::WARNING,
                ripple_core::Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
                ripple_core::Severity::Hint => lsp::DiagnosticSeverity::HINT,
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

/// Resident memory of the process, from `/proc` where there is one.
fn resident_memory() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

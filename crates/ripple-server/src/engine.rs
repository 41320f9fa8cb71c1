//! The one loop that owns the workspace. Every message reaches it through one channel and is
//! handled in arrival order: editor events are applied, requests answered after the edits queued
//! before them. Checking runs on a snapshot on the check thread (`check_thread`), so the loop
//! keeps taking edits: an edit that arrives during a check cancels it, its results are dropped,
//! never published, and the next check covers everything changed since the last publish. A
//! burst of keystrokes is thus checked for the newest text only.

mod answers;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ripple_core::{Languages, PositionEncoding, SourceFile};
use ripple_workspace::{DiagnosticMode, FileRole, LoadOptions, Workspace, file_role};
use tokio::sync::mpsc;
use tower_lsp_server::lsp_types::FileEvent;

use crate::check_thread::{
    CheckJob, CheckProgress, CheckReply, Replies, check_with_progress, indexed_message,
    start_check_thread,
};
use crate::document::{Document, file_path};
use crate::events::{EditorEvent, Message, Request, Session, TasksDone};
use crate::outbox::Outbox;
use crate::publish::Publisher;
use crate::stats::Stats;
use crate::tasks::{EditorTasks, Why};
use crate::touched::Touched;

/// A re-check touching more files than this reports progress (a branch switch, not a keystroke).
const PROGRESS_THRESHOLD: usize = 20;

pub struct Engine {
    outbox: Outbox,
    languages: Languages,
    /// How workspaces are loaded: with the store of results, usually.
    options: LoadOptions,
    /// The loop's own channel, for the file watcher it may start.
    messages: mpsc::UnboundedSender<Message>,
    /// The file watcher, once set up; watching lasts as long as it is kept.
    watcher: std::sync::Arc<std::sync::Mutex<Option<Box<dyn std::any::Any + Send>>>>,
    session: Option<Session>,
    workspace: Option<Workspace>,
    documents: HashMap<PathBuf, Document>,
    publisher: Publisher,
    stats: Stats,
    /// Bumped for every check started; a finished check of an older generation is stale.
    generation: u64,
    /// Whether every file's results have been computed once (by `index`, or by the first
    /// check of every file that was not cancelled): until then, a check of every file is the
    /// server's indexing, and its progress says so.
    indexed: bool,
    /// The running check's generation, and every change since the last publish that it covers.
    in_flight: Option<(u64, Touched)>,
    /// Changes applied since the running check started (it cannot see them).
    pending: Touched,
    /// When the oldest unpublished change arrived, for the latency statistic.
    pending_since: Option<Instant>,
    /// `ripple/stats` requests wait for the running check, so they describe the last edit.
    waiting_for_check: Vec<Request>,
    /// The thread that runs checks, one at a time, on snapshots.
    checker: std::sync::mpsc::Sender<CheckJob>,
    /// Saves of the cache still being written.
    saving: Vec<std::thread::JoinHandle<()>>,
    /// The workspace's tasks (mypy, pytest, ...), run after saves.
    tasks: Option<EditorTasks>,
}

impl Engine {
    pub fn new(
        outbox: Outbox,
        messages: mpsc::UnboundedSender<Message>,
        languages: Languages,
        options: LoadOptions,
    ) -> Self {
        let (for_replies, for_graphs) = (messages.clone(), messages.clone());
        let replies = Replies {
            on_reply: Box::new(move |reply| for_replies.send(Message::Checked(reply)).is_ok()),
            on_graph: Box::new(move |generation, graph| {
                for_graphs.send(Message::Graph(generation, graph)).is_ok()
            }),
        };
        let checker = start_check_thread(outbox.clone(), replies);
        Self {
            checker,
            outbox,
            languages,
            options,
            messages,
            watcher: Default::default(),
            session: None,
            workspace: None,
            documents: HashMap::new(),
            publisher: Publisher::default(),
            stats: Stats::default(),
            generation: 0,
            indexed: false,
            in_flight: None,
            pending: Touched::default(),
            pending_since: None,
            waiting_for_check: Vec::new(),
            saving: Vec::new(),
            tasks: None,
        }
    }

    /// Runs until every sender is gone (the server shut down) or a `Stop` arrives.
    pub fn run(mut self, mut messages: mpsc::UnboundedReceiver<Message>) {
        while let Some(first) = messages.blocking_recv() {
            let mut batch = vec![first];
            while let Ok(more) = messages.try_recv() {
                batch.push(more);
            }
            let mut changed = false;
            let mut requests = Vec::new();
            let mut stop = false;
            for message in batch {
                match message {
                    Message::Stop => stop = true,
                    Message::Checked(reply) => self.finish_check(reply),
                    Message::Graph(generation, graph) => self.install_graph(generation, graph),
                    Message::TasksDone(done) => self.show_tasks(done),
                    Message::TrustAnswer { trusted, table } => {
                        let granted = self
                            .tasks
                            .as_mut()
                            .is_some_and(|tasks| tasks.answered(trusted, table));
                        if granted {
                            self.start_tasks(Why::Trusted);
                        }
                    }
                    Message::Request(request @ Request::Stats(_)) => {
                        self.waiting_for_check.push(request)
                    }
                    Message::Request(request) => requests.push(request),
                    Message::Editor(event) => {
                        if self.pending_since.is_none() {
                            self.pending_since = Some(Instant::now());
                        }
                        let mut touched = std::mem::take(&mut self.pending);
                        // Applying an edit cancels a running check: the setter waits until the
                        // snapshot's queries have unwound.
                        self.apply(event, &mut touched);
                        self.pending = touched;
                        changed = true;
                    }
                }
            }
            if changed && self.pending.any() {
                self.start_check();
            }
            for request in requests {
                self.answer(request);
            }
            if self.in_flight.is_none() {
                for waiting in std::mem::take(&mut self.waiting_for_check) {
                    self.answer(waiting);
                }
            }
            if stop {
                // No process a task started outlives the session.
                if let Some(tasks) = &mut self.tasks {
                    tasks.stop();
                }
                // Saves started earlier finish first: they hold what this one does not repeat.
                for save in std::mem::take(&mut self.saving) {
                    let _ = save.join();
                }
                if let Some(save) = self.workspace.as_mut().and_then(Workspace::save_cache) {
                    save.run();
                }
                return;
            }
        }
    }

    // ----- editor events --------------------------------------------------------------------

    fn apply(&mut self, event: EditorEvent, touched: &mut Touched) {
        match event {
            EditorEvent::Initialized(session) => {
                let watch_root = (!session.client_watches)
                    .then(|| session.root.clone())
                    .flatten();
                self.session = Some(session);
                // Before the walk: a change made while the workspace loads is not missed (it
                // waits in the loop's channel until the workspace is there).
                if let Some(root) = watch_root {
                    self.start_watching(root);
                }
                self.load_workspace();
                self.index();
                touched.everything = true;
            }
            EditorEvent::Open {
                uri,
                language_id,
                text,
                version,
            } => {
                let Some(path) = file_path(&uri) else {
                    tracing::warn!("ignoring a document that is not a file: {}", uri.as_str());
                    return;
                };
                let document = Document::new(&text, version).with_language(&language_id);
                self.documents.insert(path.clone(), document);
                self.set_text(&path, text, None);
                touched.files.insert(path);
            }
            EditorEvent::Change {
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
                let applied = document.apply(&changes, encoding);
                for clamped in applied.clamped {
                    tracing::warn!("clamped an edit of {}: {}", uri.as_str(), clamped.0);
                }
                document.version = version;
                let text = document.text();
                self.set_text(&path, text, applied.edit);
                touched.files.insert(path);
            }
            EditorEvent::Save { uri } => {
                if let Some(path) = file_path(&uri) {
                    if !self.documents.contains_key(&path)
                        && matches!(file_role(&self.languages, &path), FileRole::Source(_))
                        && let Some(workspace) = &mut self.workspace
                    {
                        // Saved but not open here: the disk holds the new text, and what the
                        // save runs must see it rather than wait for a watcher.
                        workspace.apply_disk_changes(vec![path.clone()]);
                    }
                    touched.saved.insert(path.clone());
                    touched.files.insert(path);
                }
            }
            EditorEvent::Close { uri } => {
                let Some(path) = file_path(&uri) else { return };
                self.documents.remove(&path);
                // The disk is the truth again, if the walk would find the file at all.
                if let Some(workspace) = &mut self.workspace {
                    workspace.close_document(&path);
                }
                touched.closed.insert(path.clone());
                touched.files.insert(path);
            }
            EditorEvent::WatchedFiles(changes) => self.apply_disk_changes(changes, touched),
            EditorEvent::Configuration(settings) => {
                if let Some(session) = &mut self.session
                    && session.client_settings != settings
                {
                    tracing::info!(?settings, "the editor's settings changed");
                    if let Some(tasks) = &mut self.tasks {
                        tasks.set_enabled(settings.tasks.unwrap_or(true));
                    }
                    session.client_settings = settings;
                    // The set of reported files may change: report on all, clear the rest.
                    touched.everything = true;
                }
            }
        }
    }

    /// Watches the workspace on a thread of its own: setting up watches on thousands of
    /// folders takes a while, and the first check need not wait for it.
    fn start_watching(&mut self, root: PathBuf) {
        let messages = self.messages.clone();
        let languages = self.languages.clone();
        let slot = self.watcher.clone();
        let spawned = std::thread::Builder::new()
            .name("ripple-watch-setup".into())
            .spawn(move || {
                let on_changes = Box::new(move |changes| {
                    messages
                        .send(Message::Editor(EditorEvent::WatchedFiles(changes)))
                        .is_ok()
                });
                if let Some(watcher) = crate::watcher::watch(&root, languages, on_changes) {
                    *slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) =
                        Some(Box::new(watcher));
                }
            });
        if let Err(error) = spawned {
            tracing::warn!("cannot start watching the workspace: {error}");
        }
    }

    fn load_workspace(&mut self) {
        let Some(root) = self.session.as_ref().and_then(|s| s.root.clone()) else {
            tracing::info!("no workspace folder: only open documents are checked");
            return;
        };
        let started = Instant::now();
        let mut workspace =
            Workspace::load_with_options(&root, &[], &self.languages, &self.options);
        for (path, document) in &self.documents {
            let language = document.language(&self.languages);
            workspace.set_document_text(path, document.text().into(), None, language);
        }
        tracing::info!(
            files = workspace.file_count(),
            elapsed = ?started.elapsed(),
            "loaded the workspace at {}",
            root.display()
        );
        if let Some(tasks) = &mut self.tasks {
            tasks.stop();
        }
        let enabled = self
            .session
            .as_ref()
            .and_then(|session| session.client_settings.tasks)
            .unwrap_or(true);
        self.tasks = Some(EditorTasks::new(&workspace, enabled, self.messages.clone()));
        self.workspace = Some(workspace);
        self.stats.full_loads += 1;
    }

    /// Analyses every workspace file once, with progress, so that cross-file answers are ready
    /// before the first edit arrives. Not when every file is about to be checked and pushed
    /// anyway (workspace diagnostics, pushed): that check, on the check thread, is the index.
    fn index(&mut self) {
        let progress_wanted = self.session.as_ref().is_some_and(|s| s.progress);
        let pull = self.session.as_ref().is_some_and(|s| s.pull_diagnostics);
        let Some(workspace) = &mut self.workspace else {
            return;
        };
        if !pull && diagnostic_mode(self.session.as_ref(), workspace) == DiagnosticMode::Workspace {
            return;
        }
        let files = workspace.files();
        let progress =
            progress_wanted.then(|| self.outbox.begin_progress("ripple: indexing", files.len()));
        check_with_progress(&workspace.snapshot(), &files, progress.as_ref());
        if let Some(progress) = progress {
            progress.end(indexed_message(files.len(), workspace.cache_counts()));
        }
        self.indexed = true;
        save_cache_in_background(workspace, &mut self.saving);
        // Pulled diagnostics are computed per request and never use the graph. In workspace
        // mode, the full check that follows indexing builds it.
        let mode = diagnostic_mode(self.session.as_ref(), workspace);
        if !pull && mode == DiagnosticMode::OpenFiles {
            workspace.build_graph(&[]);
        }
    }

    /// An open document's text: the file's next revision, parsed incrementally when possible.
    fn set_text(&mut self, path: &Path, text: String, edit: Option<ripple_core::TextEdit>) {
        self.ensure_workspace(path);
        let language = self
            .documents
            .get(path)
            .and_then(|document| document.language(&self.languages));
        if let Some(workspace) = &mut self.workspace {
            workspace.set_document_text(path, text.into(), edit, language);
        }
    }

    /// With no workspace folder, a workspace for the first file the editor names.
    fn ensure_workspace(&mut self, path: &Path) {
        if self.workspace.is_none() {
            // No workspace folder: the file's project when a marker (`pyproject.toml`, `.git`)
            // shows one, else the open files alone, as walking the file's folder could mean
            // walking a home directory.
            self.workspace = Some(match ripple_workspace::find_marked_root(path) {
                Some(root) => Workspace::load(&root, &[], &self.languages),
                None => {
                    Workspace::load_files_only(path.parent().unwrap_or(path), &[], &self.languages)
                }
            });
        }
    }

    /// Files changed on disk (a save elsewhere, a `git checkout`): open documents keep the
    /// editor's text; configuration and ignore-file changes reload the workspace.
    fn apply_disk_changes(&mut self, changes: Vec<FileEvent>, touched: &mut Touched) {
        let mut reload = false;
        let mut batch = Vec::new();
        for change in changes {
            let Some(path) = file_path(&change.uri) else {
                continue;
            };
            match file_role(&self.languages, &path) {
                // Settings or the set of walked files changed: start from a fresh load.
                FileRole::Config | FileRole::IgnoreFile => reload = true,
                FileRole::Source(_) if !self.documents.contains_key(&path) => {
                    batch.push(path.clone());
                    touched.files.insert(path);
                }
                FileRole::Source(_) | FileRole::Other => {}
            }
        }
        touched.disk |= !batch.is_empty();
        if let Some(workspace) = &mut self.workspace {
            workspace.apply_disk_changes(batch);
        }
        if reload {
            tracing::info!("configuration changed: reloading the workspace");
            self.load_workspace();
            touched.everything = true;
        }
    }

    // ----- checking -------------------------------------------------------------------------

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
            self.tasks_after(&touched);
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
        // With workspace diagnostics pushed, `index` leaves the first check of every file to
        // this check: it is the indexing, whatever the workspace's size.
        let indexes = !self.indexed && covers_workspace;
        let progress = self
            .session
            .as_ref()
            .is_some_and(|s| s.progress)
            .then_some(if indexes {
                CheckProgress::Indexing
            } else {
                CheckProgress::Checking
            })
            .filter(|_| indexes || many);
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
        // A check of everything rebuilds the graph: its edges and the exports dependents were
        // shown must describe what this check publishes, or the next edit is compared with an
        // older state.
        let job = CheckJob {
            generation,
            snapshot: workspace.snapshot(),
            files,
            progress,
            build_graph: covers_workspace.then(|| workspace.files()),
        };
        if self.checker.send(job).is_err() {
            tracing::error!("the check thread has stopped; diagnostics are no longer updated");
            self.in_flight = None;
        }
    }

    /// Which files to report on after a change, in the current diagnostic mode, and whether
    /// they are all the workspace's files.
    fn files_to_report(&mut self, touched: &Touched) -> (Vec<SourceFile>, bool) {
        let mode = match &self.workspace {
            Some(workspace) => diagnostic_mode(self.session.as_ref(), workspace),
            None => return (Vec::new(), false),
        };
        let Some(workspace) = &mut self.workspace else {
            return (Vec::new(), false);
        };
        let changed: Vec<SourceFile> = touched
            .files
            .iter()
            .filter_map(|path| workspace.file(path))
            .collect();
        match mode {
            DiagnosticMode::Workspace => {
                // Only what the edit can reach: the rest is known unchanged.
                let reached = (!touched.everything)
                    .then(|| workspace.reach(&changed))
                    .flatten();
                match reached {
                    Some(files) => (files, false),
                    None => (workspace.files().to_vec(), true),
                }
            }
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
                workspace.mark_changed(changed);
                if !saved.is_empty() {
                    // On save, the saved files' dependents anywhere in the workspace are
                    // re-checked and published too: the on-save incremental check. Without a
                    // graph (files were added or removed since), build one, from the saved
                    // text: what their dependents were shown before is unknown, so every
                    // dependent of a saved file is checked.
                    if !workspace.has_graph() {
                        workspace.build_graph(&saved);
                    }
                    for file in workspace.reach(&saved).unwrap_or_default() {
                        if !files.contains(&file) {
                            files.push(file);
                        }
                    }
                }
                (files, false)
            }
        }
    }

    /// A graph built after the check of `generation`: it describes what that check published,
    /// so it is taken only if nothing changed since (no newer check, no edit waiting).
    fn install_graph(&mut self, generation: u64, graph: ripple_workspace::BuiltGraph) {
        if generation != self.generation || self.in_flight.is_some() || self.pending.any() {
            tracing::debug!(generation, "graph of an older state dropped");
            return;
        }
        if let Some(workspace) = &mut self.workspace {
            // Unless files came or went since: then a later check builds one.
            workspace.install_graph(graph);
        }
    }

    fn finish_check(&mut self, reply: CheckReply) {
        let CheckReply {
            generation,
            reports,
        } = reply;
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
        self.indexed |= touched.everything;
        if let Some(workspace) = &mut self.workspace {
            // What this check reached is about to be published: dependents now show it.
            workspace.confirm_reached();
        }
        if touched.everything
            || touched
                .files
                .iter()
                .any(|path| !self.documents.contains_key(path))
        {
            // Files were read from disk: keep what was learned of them.
            if let Some(workspace) = &mut self.workspace {
                save_cache_in_background(workspace, &mut self.saving);
            }
        }
        self.stats.last_checked_files = reports.len();
        let pull = self.session.as_ref().is_some_and(|s| s.pull_diagnostics);
        if !pull {
            let encoding = self.encoding();
            let publishing = Instant::now();
            let count = reports.len();
            self.publisher
                .publish(&self.outbox, &touched, reports, &self.documents, encoding);
            tracing::debug!(generation, files = count, elapsed = ?publishing.elapsed(), "published");
        }
        self.stats.edits += 1;
        self.stats.last_edit_latency = self.pending_since.take().map(|since| since.elapsed());
        if let Some(workspace) = &self.workspace {
            let records = workspace.db().stats().take_recording();
            self.stats.last_edit_queries = workspace.db().count_by_query(&records);
            workspace.db().stats().start_recording();
        }
        self.tasks_after(&touched);
    }

    // ----- tasks ----------------------------------------------------------------------------

    /// After a check (or, pulling, a batch of changes): the first time, the tasks' kept results
    /// are shown; after a save or a change on disk, what it made due runs.
    fn tasks_after(&mut self, touched: &Touched) {
        let Some(tasks) = &self.tasks else { return };
        if !tasks.started() {
            self.start_tasks(Why::Start);
        } else if !touched.saved.is_empty() || touched.disk || touched.everything {
            self.start_tasks(Why::Change {
                saved: !touched.saved.is_empty(),
                disk: touched.disk || touched.everything,
            });
        }
    }

    fn start_tasks(&mut self, why: Why) {
        let progress = self.session.as_ref().is_some_and(|s| s.progress);
        if let (Some(tasks), Some(workspace)) = (&mut self.tasks, &mut self.workspace) {
            tasks.start(workspace, why, &self.outbox, progress);
        }
    }

    /// A task run finished: what changed is shown (pushed with ripple's own findings, or
    /// pulled again).
    fn show_tasks(&mut self, done: TasksDone) {
        let encoding = self.encoding();
        let Some(changed) = self
            .tasks
            .as_mut()
            .and_then(|tasks| tasks.finish(done, encoding))
        else {
            return;
        };
        if changed.is_empty() {
            return;
        }
        let pull = self.session.as_ref().is_some_and(|s| s.pull_diagnostics);
        if pull {
            if self.session.as_ref().is_some_and(|s| s.refresh_pulled) {
                self.outbox.refresh_diagnostics();
            }
            return;
        }
        let workspace = self.workspace.as_ref();
        let mode = workspace.map(|workspace| diagnostic_mode(self.session.as_ref(), workspace));
        let documents = &self.documents;
        // ripple's own findings go with them only where ripple reports: every file in
        // workspace mode, open documents otherwise.
        let own = |path: &Path| {
            let workspace = workspace?;
            let reported = mode == Some(DiagnosticMode::Workspace) || documents.contains_key(path);
            reported
                .then(|| workspace.file(path))
                .flatten()
                .map(|file| workspace.check_one(file))
        };
        self.publisher
            .show_tasks(&self.outbox, changed, own, &self.documents, encoding);
    }

    fn task_diagnostics(
        &self,
        path: &Path,
        encoding: PositionEncoding,
    ) -> Vec<tower_lsp_server::lsp_types::Diagnostic> {
        self.tasks
            .as_ref()
            .map(|tasks| tasks.diagnostics_of(path, encoding))
            .unwrap_or_default()
    }

    fn encoding(&self) -> PositionEncoding {
        self.session
            .as_ref()
            .map_or(PositionEncoding::Utf16, |session| session.encoding)
    }
}

/// Writes what the workspace learned (new results, the files' digests) on a thread of its
/// own, so that no edit waits for the disk; warnings go to the log.
fn save_cache_in_background(
    workspace: &mut Workspace,
    saving: &mut Vec<std::thread::JoinHandle<()>>,
) {
    for warning in workspace.cache_warnings() {
        tracing::warn!("cache: {warning}");
    }
    saving.retain(|save| !save.is_finished());
    if let Some(save) = workspace.save_cache() {
        let spawned = std::thread::Builder::new()
            .name("ripple-cache-save".into())
            .spawn(move || save.run());
        match spawned {
            Ok(handle) => saving.push(handle),
            Err(error) => tracing::warn!("cannot start the thread that saves the cache: {error}"),
        }
    }
}

/// The diagnostic mode: the editor's setting if it made one, else the configuration's.
fn diagnostic_mode(session: Option<&Session>, workspace: &Workspace) -> DiagnosticMode {
    session
        .and_then(|session| session.client_settings.diagnostic_mode)
        .unwrap_or(workspace.config().config.diagnostic_mode)
}

//! Tasks in the editor (`[tasks.NAME]` with `on = ["save"]`): when a check that covers a save
//! (or a change on disk) completes, the loop plans the tasks on the workspace and runs what is
//! missing on a thread of its own, so edits go on meanwhile. Results replayed from the store
//! cost no process. At the start, kept results are shown and nothing runs: a process starts
//! only for a result that a save (or the user's trust, just given) made due.
//!
//! What runs is exact: a result is missing when its key (its target's import closure, the
//! task's inputs, the tool) changed. A target whose result was already missing before the
//! save, with the same key (it was stale when the editor started), is not run by a save that
//! does not reach it. A newer save cancels the run in progress (its process groups are killed)
//! and its results are never shown.
//!
//! Commands come from the workspace's configuration, so nothing runs until the user trusts the
//! workspace with this exact task table (`ripple trust`, `RIPPLE_TRUST=1`, or the "Trust"
//! answer to the one message the server shows); an editor that says the workspace is not
//! trusted (VS Code's restricted mode: the setting `tasks: false`) turns tasks off.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use ripple_core::{Digest, PositionEncoding};
use ripple_tasks::{
    RunOptions, TaskDefinition, TaskDiagnostic, TaskTable, TasksReport, Trigger, TrustStore,
    prepare_tasks, read_tasks, severity_of,
};
use ripple_workspace::Workspace;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tower_lsp_server::lsp_types as lsp;

use crate::events::{Message, TasksDone};
use crate::outbox::Outbox;

/// The answer that trusts the workspace, in the message that asks.
pub const TRUST_ACTION: &str = "Trust";
const NOT_NOW_ACTION: &str = "Not now";

/// Whether this session may run the workspace's commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trust {
    Trusted,
    /// Not trusted; whether the user was asked already this session.
    Untrusted {
        asked: bool,
    },
    /// The editor turned tasks off (an untrusted editor workspace).
    Off,
}

/// What one task did in this session, for `ripple/stats`.
#[derive(Debug, Default, Clone)]
struct TaskStats {
    runs: u64,
    hits: u64,
    misses: u64,
    processes: u64,
    failures: u64,
    total_ms: u64,
    last: Option<(usize, usize, usize)>,
}

pub struct EditorTasks {
    root: PathBuf,
    table: TaskTable,
    trust: Trust,
    generation: u64,
    /// Whether tasks were planned once in this session (the first plan shows kept results).
    started: bool,
    /// The run in progress: its generation, its cancel flag and its thread.
    running: Option<(u64, Arc<AtomicBool>, std::thread::JoinHandle<()>)>,
    /// Results left out on purpose (missing when the session started, or when tasks were last
    /// planned without running), by task and target, with their keys: a later run computes
    /// one only when its key changed, i.e. a change reached it.
    left_out: HashMap<(String, String), Digest>,
    stats: BTreeMap<String, TaskStats>,
    /// Every path that shows task diagnostics, with them and the task that gave each.
    shown: HashMap<PathBuf, Vec<(String, TaskDiagnostic)>>,
    messages: mpsc::UnboundedSender<Message>,
}

impl EditorTasks {
    /// The tasks of a freshly loaded workspace; `enabled` is the editor's word (false in an
    /// untrusted editor workspace).
    pub fn new(
        workspace: &Workspace,
        enabled: bool,
        messages: mpsc::UnboundedSender<Message>,
    ) -> Self {
        let table = read_tasks(workspace.config());
        for problem in &table.problems {
            tracing::warn!("tasks: {problem:?}");
        }
        let trust = if !enabled {
            Trust::Off
        } else if trusted_by_environment() || table_trusted(workspace.root(), &table) {
            Trust::Trusted
        } else {
            Trust::Untrusted { asked: false }
        };
        Self {
            root: workspace.root().to_path_buf(),
            table,
            trust,
            generation: 0,
            started: false,
            running: None,
            left_out: HashMap::new(),
            stats: BTreeMap::new(),
            shown: HashMap::new(),
            messages,
        }
    }

    /// The tasks the server runs: those with any `on` trigger.
    fn served(&self) -> Vec<&TaskDefinition> {
        self.table
            .tasks
            .iter()
            .filter(|task| !task.on.is_empty())
            .collect()
    }

    pub fn started(&self) -> bool {
        self.started
    }

    /// The editor's setting changed: tasks on or off.
    pub fn set_enabled(&mut self, enabled: bool) {
        match (enabled, self.trust) {
            (false, _) => {
                self.cancel();
                self.trust = Trust::Off;
            }
            (true, Trust::Off) => {
                self.trust = if trusted_by_environment() || table_trusted(&self.root, &self.table) {
                    Trust::Trusted
                } else {
                    Trust::Untrusted { asked: false }
                };
            }
            (true, _) => {}
        }
    }

    /// Plans the tasks and runs what is due: at the start (`Start`) nothing runs and what is
    /// kept is shown; after a save or a disk change, what the change made missing runs; after
    /// the user trusted the workspace, everything missing runs.
    pub fn start(&mut self, workspace: &mut Workspace, why: Why, outbox: &Outbox, progress: bool) {
        self.started = true;
        if self.served().is_empty() {
            return;
        }
        match self.trust {
            Trust::Off => return,
            Trust::Untrusted { asked: false } => {
                self.trust = Trust::Untrusted { asked: true };
                self.ask_for_trust(outbox);
                return;
            }
            Trust::Untrusted { asked: true } => return,
            Trust::Trusted => {}
        }
        self.cancel();
        self.generation += 1;
        let generation = self.generation;
        let cancel = Arc::new(AtomicBool::new(false));
        let jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
        let tasks: Vec<&TaskDefinition> = self.served();
        let options = RunOptions {
            jobs,
            force: false,
            only: &[],
            cancel: &cancel,
        };
        let mut run = prepare_tasks(workspace, &tasks, &options);
        let missing = run.missing();
        let runs: HashMap<&str, Option<OnlyNew>> = tasks
            .iter()
            .map(|task| (task.name.as_str(), why.runs(task)))
            .collect();
        let left_out = &self.left_out;
        run.retain_missing(
            |task, target, key| match runs.get(task).copied().flatten() {
                None => false,
                Some(OnlyNew(false)) => true,
                Some(OnlyNew(true)) => {
                    left_out.get(&(task.to_string(), target.to_string())) != Some(&key)
                }
            },
        );
        // What this run leaves out stays left out with its key; what it computes is no longer.
        let computed: HashSet<(String, String)> = run
            .missing()
            .into_iter()
            .map(|(task, target, _)| (task, target))
            .collect();
        self.left_out.clear();
        for (task, target, key) in missing {
            if !computed.contains(&(task.clone(), target.clone())) {
                self.left_out.insert((task, target), key);
            }
        }
        tracing::debug!(generation, ?why, to_run = ?run.to_run(), "tasks planned");
        let outbox = outbox.clone();
        let messages = self.messages.clone();
        let flag = cancel.clone();
        let spawned = std::thread::Builder::new()
            .name("ripple-tasks".into())
            .spawn(move || {
                let reporter = (progress && run.runs_anything()).then(|| {
                    let counts: Vec<String> = run
                        .to_run()
                        .into_iter()
                        .filter(|(_, count)| *count > 0)
                        .map(|(name, count)| format!("{name} 0/{count} targets"))
                        .collect();
                    outbox.begin_progress_with("ripple: tasks", counts.join(", "))
                });
                let report = run.execute(jobs, &flag, &|now| {
                    if let Some(reporter) = &reporter {
                        let (done, total) = now
                            .tasks
                            .iter()
                            .fold((0, 0), |(d, t), (_, done, total)| (d + done, t + total));
                        reporter.report(now.message(), done * 100 / total.max(1));
                    }
                });
                if let Some(reporter) = reporter {
                    let message = if report.cancelled {
                        "interrupted by a newer change".to_string()
                    } else {
                        summary(&report)
                    };
                    reporter.end(message);
                }
                let _ = messages.send(Message::TasksDone(TasksDone { generation, report }));
            });
        match spawned {
            Ok(thread) => self.running = Some((generation, cancel, thread)),
            Err(error) => tracing::error!("cannot start the thread that runs tasks: {error}"),
        }
    }

    /// Cancels the run in progress, if any: its processes are killed, its results dropped.
    pub fn cancel(&mut self) {
        if let Some((_, cancel, _)) = &self.running {
            cancel.store(true, Ordering::Relaxed);
        }
    }

    /// At the end of the session: the run in progress is cancelled and waited for, so that no
    /// process it started outlives the server.
    pub fn stop(&mut self) {
        self.cancel();
        if let Some((_, _, thread)) = self.running.take() {
            let _ = thread.join();
        }
    }

    /// A run finished: the paths whose task diagnostics changed, with what they show now
    /// (empty: nothing any more). A run that a newer one replaced says nothing.
    pub fn finish(
        &mut self,
        done: TasksDone,
        encoding: PositionEncoding,
    ) -> Option<HashMap<PathBuf, Vec<lsp::Diagnostic>>> {
        if self.running.as_ref().map(|(generation, _, _)| *generation) != Some(done.generation) {
            tracing::debug!(generation = done.generation, "stale task run dropped");
            return None;
        }
        if let Some((_, _, thread)) = self.running.take() {
            let _ = thread.join();
        }
        if done.report.cancelled {
            return None;
        }
        let mut now: HashMap<PathBuf, Vec<(String, TaskDiagnostic)>> = HashMap::new();
        for outcome in &done.report.outcomes {
            let stats = self.stats.entry(outcome.name.clone()).or_default();
            stats.runs += 1;
            stats.hits += outcome.hits as u64;
            stats.misses += outcome.runs as u64;
            stats.processes += outcome.processes as u64;
            stats.failures += outcome.failures as u64;
            stats.total_ms += outcome.duration_ms;
            stats.last = Some((outcome.targets, outcome.hits, outcome.runs));
            for diagnostic in &outcome.diagnostics {
                now.entry(self.root.join(&diagnostic.path))
                    .or_default()
                    .push((outcome.name.clone(), diagnostic.clone()));
            }
        }
        let mut changed = HashMap::new();
        for path in self.shown.keys().chain(now.keys()) {
            if self.shown.get(path) != now.get(path) && !changed.contains_key(path) {
                let list = now
                    .get(path)
                    .map(|diagnostics| to_lsp(path, diagnostics, encoding))
                    .unwrap_or_default();
                changed.insert(path.clone(), list);
            }
        }
        self.shown = now;
        Some(changed)
    }

    /// The user answered the message asking for trust.
    pub fn answered(&mut self, trusted: bool, table: Option<Digest>) -> bool {
        if !trusted || table != self.table.digest {
            return false;
        }
        let Some(digest) = self.table.digest else {
            return false;
        };
        let (mut store, warning) = TrustStore::load();
        if let Some(warning) = warning {
            tracing::warn!("trust: {warning}");
        }
        match store.trust(&self.root, digest) {
            Ok(file) => tracing::info!(
                "trusted {} (recorded in {})",
                self.root.display(),
                file.display()
            ),
            // Trusted for this session all the same: the user said so.
            Err(error) => tracing::warn!("cannot record the trust: {error}"),
        }
        self.trust = Trust::Trusted;
        true
    }

    fn ask_for_trust(&self, outbox: &Outbox) {
        let commands: Vec<String> = self
            .served()
            .iter()
            .map(|task| format!("{} (`{}`)", task.name, task.command.join(" ")))
            .collect();
        let message = format!(
            "ripple: this workspace's configuration defines tasks that run commands: {}. Run them? (`ripple trust` does the same from a terminal; a change to the tasks asks again.)",
            commands.join(", ")
        );
        let messages = self.messages.clone();
        let table = self.table.digest;
        outbox.ask(
            message,
            vec![TRUST_ACTION.to_string(), NOT_NOW_ACTION.to_string()],
            move |answer| {
                let trusted = answer.as_deref() == Some(TRUST_ACTION);
                let _ = messages.send(Message::TrustAnswer { trusted, table });
            },
        );
    }

    /// `ripple/stats`' `tasks`: per task, this session's runs, targets replayed (hits) and
    /// computed (misses), processes, and their time.
    /// Whether the user trusts this workspace's task commands.
    pub fn trusted(&self) -> bool {
        matches!(self.trust, Trust::Trusted)
    }

    pub fn to_json(&self) -> Value {
        let mut tasks = serde_json::Map::new();
        for (name, stats) in &self.stats {
            let mean = stats.total_ms.checked_div(stats.processes).unwrap_or(0);
            let last = stats.last.map(
                |(targets, hits, runs)| json!({"targets": targets, "hits": hits, "runs": runs}),
            );
            tasks.insert(
                name.clone(),
                json!({
                    "runs": stats.runs,
                    "hits": stats.hits,
                    "misses": stats.misses,
                    "processes": stats.processes,
                    "failures": stats.failures,
                    "total_ms": stats.total_ms,
                    "mean_ms": mean,
                    "last": last,
                }),
            );
        }
        json!({
            "trusted": self.trust == Trust::Trusted,
            "running": self.running.is_some(),
            "tasks": tasks,
        })
    }

    /// Task diagnostics for a pull request.
    pub fn diagnostics_of(&self, path: &Path, encoding: PositionEncoding) -> Vec<lsp::Diagnostic> {
        self.shown
            .get(path)
            .map(|diagnostics| to_lsp(path, diagnostics, encoding))
            .unwrap_or_default()
    }
}

/// Why tasks are planned, which decides what runs (`on` in the task's table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// The session's first check: `on = ["check"]` tasks run what is missing.
    Start,
    /// Files were saved (`on = ["save"]` tasks run what the saves made missing), or changed on
    /// disk or in the configuration (`on = ["check"]` tasks run what is missing).
    Change { saved: bool, disk: bool },
    /// The user trusted the workspace: every task the server runs runs what is missing.
    Trusted,
}

impl Why {
    /// Whether `task`'s missing results run, and whether only those the change made missing
    /// (a save runs what it reaches, not what an earlier run left out).
    fn runs(self, task: &TaskDefinition) -> Option<OnlyNew> {
        let on = |trigger| task.on.contains(&trigger);
        match self {
            Why::Start => on(Trigger::Check).then_some(OnlyNew(false)),
            Why::Change { disk: true, .. } if on(Trigger::Check) => Some(OnlyNew(false)),
            Why::Change { saved: true, .. } if on(Trigger::Save) => Some(OnlyNew(true)),
            Why::Change { .. } => None,
            Why::Trusted => Some(OnlyNew(false)),
        }
    }
}

/// Only the results a change made missing run, not those an earlier run left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct OnlyNew(bool);

fn trusted_by_environment() -> bool {
    std::env::var_os("RIPPLE_TRUST").is_some_and(|value| value == "1")
}

fn table_trusted(root: &Path, table: &TaskTable) -> bool {
    let Some(digest) = table.digest else {
        return false;
    };
    let (store, warning) = TrustStore::load();
    if let Some(warning) = warning {
        tracing::warn!("trust: {warning}");
    }
    store.is_trusted(root, digest)
}

fn summary(report: &TasksReport) -> String {
    let parts: Vec<String> = report
        .outcomes
        .iter()
        .map(|outcome| {
            format!(
                "{}: {} run, {} from the cache",
                outcome.name, outcome.runs, outcome.hits
            )
        })
        .collect();
    parts.join("; ")
}

/// Task diagnostics in LSP's form. Columns are kept in UTF-16; a client that chose UTF-8 gets
/// them converted against the file on disk, which is what the tool read.
fn to_lsp(
    path: &Path,
    diagnostics: &[(String, TaskDiagnostic)],
    encoding: PositionEncoding,
) -> Vec<lsp::Diagnostic> {
    let lines: Option<Vec<String>> = (encoding == PositionEncoding::Utf8)
        .then(|| std::fs::read_to_string(path).ok())
        .flatten()
        .map(|text| text.lines().map(str::to_string).collect());
    let position = |(line, column): (u32, u32)| {
        let character = match lines.as_ref().and_then(|lines| lines.get(line as usize)) {
            Some(text) => utf8_column(text, column),
            None => column,
        };
        lsp::Position { line, character }
    };
    diagnostics
        .iter()
        .map(|(source, diagnostic)| lsp::Diagnostic {
            range: lsp::Range {
                start: position(diagnostic.start),
                end: position(diagnostic.end),
            },
            severity: Some(match severity_of(&diagnostic.severity) {
                ripple_core::Severity::Error => lsp::DiagnosticSeverity::ERROR,
                ripple_core::Severity::Warning => lsp::DiagnosticSeverity::WARNING,
                ripple_core::Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
                ripple_core::Severity::Hint => lsp::DiagnosticSeverity::HINT,
            }),
            code: Some(lsp::NumberOrString::String(diagnostic.code.clone())),
            source: Some(source.clone()),
            message: diagnostic.message.clone(),
            ..lsp::Diagnostic::default()
        })
        .collect()
}

/// A UTF-16 column of `text` as a UTF-8 one.
fn utf8_column(text: &str, utf16: u32) -> u32 {
    let mut units = 0u32;
    for (at, c) in text.char_indices() {
        if units >= utf16 {
            return u32::try_from(at).unwrap_or(u32::MAX);
        }
        units += c.len_utf16() as u32;
    }
    u32::try_from(text.len()).unwrap_or(u32::MAX)
}

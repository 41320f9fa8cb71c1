//! Running tasks: each task is planned (`plan.rs`), its found results replayed, and its
//! missing ones run in batches on a pool of `jobs` threads, one process group per batch. A
//! result is stored only when its run ended as the tool ends a good run; a failure (the tool
//! missing, crashing, timing out, exiting with an unexpected code, or writing what its reader
//! cannot read) is one diagnostic on the task's line in the config file, never cached, and
//! other tasks go on.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use ripple_core::Digest;
use ripple_store::Store;
use ripple_workspace::Workspace;
use serde::Serialize;

use crate::definition::TaskDefinition;
use crate::diagnostics::{TaskDiagnostic, place, relative};
use crate::plan::{Planner, StoredResult, Unit};
use crate::readers::{ToolOutput, tail};
use crate::record::TaskRecord;
use crate::runner::{self, Ended};

/// The code of the diagnostic a failed run gives.
pub const TASK_FAILED_CODE: &str = "task-failed";

pub struct RunOptions<'a> {
    /// Processes at once.
    pub jobs: usize,
    /// Run every target, found results or not.
    pub force: bool,
    /// Only the targets under these absolute paths; all when empty.
    pub only: &'a [PathBuf],
    /// Set from another thread (Ctrl-C, a newer edit): running processes are killed.
    pub cancel: &'a AtomicBool,
}

/// What one task's run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TaskOutcome {
    pub name: String,
    /// The targets it covered this run.
    pub targets: usize,
    /// Results replayed from the store.
    pub hits: usize,
    /// Results computed by running the tool.
    pub runs: usize,
    pub processes: usize,
    pub failures: usize,
    /// Time its processes took, summed.
    pub duration_ms: u64,
    #[serde(skip)]
    pub diagnostics: Vec<TaskDiagnostic>,
}

#[derive(Debug, Default)]
pub struct TasksReport {
    pub outcomes: Vec<TaskOutcome>,
    pub cancelled: bool,
}

/// Runs `tasks` on the workspace. The store (the workspace's) keeps the results; the caller
/// flushes it (`Workspace::save_cache` does).
pub fn run_tasks(
    workspace: &mut Workspace,
    tasks: &[&TaskDefinition],
    options: &RunOptions<'_>,
) -> TasksReport {
    prepare_tasks(workspace, tasks, options).execute(options.jobs, options.cancel, &|_| {})
}

/// A run planned on the workspace: what was found is replayed already, what is missing waits
/// in batches. It runs without the workspace (`execute`), so that a server can plan on the
/// thread that owns the workspace and run the processes elsewhere while edits go on.
pub struct PreparedRun {
    root: PathBuf,
    store: Option<Arc<Store>>,
    tasks: Vec<TaskDefinition>,
    outcomes: Vec<TaskOutcome>,
    queue: VecDeque<Batch>,
    /// Each task's resolved program (empty for a task that could not be planned).
    paths: Vec<PathBuf>,
    record: TaskRecord,
}

/// How far a run's processes have come, reported after each batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunProgress {
    /// Per task that runs anything: its name, the targets done, the targets to run.
    pub tasks: Vec<(String, usize, usize)>,
    /// The time left, from the durations the targets' last runs took; `None` when no target
    /// left has run before.
    pub left: Option<Duration>,
}

impl RunProgress {
    /// `mypy 3/12 targets, pytest 0/4 targets (about 20 s left)`.
    pub fn message(&self) -> String {
        let tasks: Vec<String> = self
            .tasks
            .iter()
            .map(|(name, done, total)| format!("{name} {done}/{total} targets"))
            .collect();
        let mut text = tasks.join(", ");
        if let Some(left) = self.left {
            text.push_str(&format!(
                " (about {} left)",
                seconds(left.max(Duration::from_secs(1)))
            ));
        }
        text
    }
}

/// Plans `tasks`: their found results replayed, the rest batched for `execute`.
pub fn prepare_tasks(
    workspace: &mut Workspace,
    tasks: &[&TaskDefinition],
    options: &RunOptions<'_>,
) -> PreparedRun {
    let root = workspace.root().to_path_buf();
    let store = workspace.store();
    let mut outcomes: Vec<TaskOutcome> = Vec::new();
    let mut queue: VecDeque<Batch> = VecDeque::new();
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut planner = Planner::new(workspace, store.as_deref(), options.cancel);
    for (index, task) in tasks.iter().enumerate() {
        let mut outcome = TaskOutcome {
            name: task.name.clone(),
            ..TaskOutcome::default()
        };
        let planning = std::time::Instant::now();
        let planned = planner.plan(task, options.only, options.force);
        tracing::debug!(task = %task.name, elapsed = ?planning.elapsed(), "planned");
        match planned {
            Err(message) => {
                outcome.failures = 1;
                outcome.diagnostics.push(failure(task, &root, message));
                paths.push(PathBuf::new());
            }
            Ok(plan) => {
                outcome.targets = plan.units.iter().map(|unit| unit.targets.len()).sum();
                let mut missing = Vec::new();
                for unit in plan.units {
                    match unit.found {
                        Some(found) => {
                            outcome.hits += unit.targets.len();
                            outcome.diagnostics.extend(found.diagnostics);
                        }
                        None => missing.push(unit),
                    }
                }
                let inputs: Vec<(String, Option<[u8; 32]>)> = plan
                    .inputs
                    .iter()
                    .map(|(path, digest)| (path.clone(), digest.map(|d| *d.as_bytes())))
                    .collect();
                for units in batches(task, missing, options.jobs) {
                    queue.push_back(Batch {
                        task: index,
                        units,
                        inputs: inputs.clone(),
                    });
                }
                paths.push(plan.tool.path);
            }
        }
        outcomes.push(outcome);
    }
    // Durations serve the estimates of what runs: a run that replays everything needs none.
    let record = store
        .as_deref()
        .filter(|_| !queue.is_empty())
        .map(|store| TaskRecord::read(store, &root))
        .unwrap_or_default();
    PreparedRun {
        root,
        store,
        tasks: tasks.iter().map(|task| (*task).clone()).collect(),
        outcomes,
        queue,
        paths,
        record,
    }
}

impl PreparedRun {
    /// Per task, the targets this run will run (not replay).
    pub fn to_run(&self) -> Vec<(String, usize)> {
        let mut counts = vec![0; self.tasks.len()];
        for batch in &self.queue {
            counts[batch.task] += batch.targets();
        }
        self.tasks
            .iter()
            .zip(counts)
            .map(|(task, count)| (task.name.clone(), count))
            .collect()
    }

    /// Whether any process is to be started.
    pub fn runs_anything(&self) -> bool {
        !self.queue.is_empty()
    }

    /// The results this run is to compute: task name, target (empty for a whole-task result)
    /// and the key the result will be kept under.
    pub fn missing(&self) -> Vec<(String, String, Digest)> {
        self.queue
            .iter()
            .flat_map(|batch| {
                let name = &self.tasks[batch.task].name;
                batch.units.iter().map(move |unit| {
                    let target = unit.targets.first().cloned().unwrap_or_default();
                    let target = if unit.targets.len() > 1 {
                        String::new()
                    } else {
                        target
                    };
                    (name.clone(), target, unit.key)
                })
            })
            .collect()
    }

    /// Keeps only the missing results `keep` (given the task, the target as `missing` names
    /// it, and the key) says to compute; the others are left out of this run's report.
    pub fn retain_missing(&mut self, keep: impl Fn(&str, &str, Digest) -> bool) {
        let tasks = &self.tasks;
        for batch in &mut self.queue {
            let name = &tasks[batch.task].name;
            batch.units.retain(|unit| {
                let target = match unit.targets.as_slice() {
                    [one] => one.as_str(),
                    _ => "",
                };
                keep(name, target, unit.key)
            });
        }
        self.queue.retain(|batch| !batch.units.is_empty());
    }

    /// Runs the missing results on `jobs` threads, calling `on_progress` after each batch (from
    /// the thread that ran it), and reports every task's diagnostics, replayed and run.
    pub fn execute(
        self,
        jobs: usize,
        cancel: &AtomicBool,
        on_progress: &(dyn Fn(&RunProgress) + Sync),
    ) -> TasksReport {
        let PreparedRun {
            root,
            store,
            tasks,
            mut outcomes,
            queue,
            paths,
            mut record,
        } = self;
        let estimates: Vec<Option<u64>> = queue
            .iter()
            .map(|batch| estimate(&record, &tasks[batch.task].name, batch))
            .collect();
        let totals: Vec<usize> = {
            let mut totals = vec![0; tasks.len()];
            for batch in &queue {
                totals[batch.task] += batch.targets();
            }
            totals
        };
        let tracker = Mutex::new(Tracker {
            done: vec![0; tasks.len()],
            left_ms: estimates.iter().flatten().sum(),
            unknown: estimates.iter().filter(|e| e.is_none()).count(),
            batches_left: queue.len(),
        });
        let queue: VecDeque<(Batch, Option<u64>)> = queue.into_iter().zip(estimates).collect();
        let finished: Mutex<Vec<(usize, BatchResult)>> = Mutex::new(Vec::new());
        let pool = Pool {
            state: Mutex::new(PoolState {
                queue,
                running: vec![0; tasks.len()],
            }),
            changed: Condvar::new(),
        };
        let context = BatchContext {
            root: &root,
            store: store.as_deref(),
            cancel,
        };
        let task_refs: Vec<&TaskDefinition> = tasks.iter().collect();
        let jobs = jobs.max(1);
        let progress = |tracker: &Tracker| RunProgress {
            tasks: totals
                .iter()
                .enumerate()
                .filter(|(_, total)| **total > 0)
                .map(|(index, total)| (tasks[index].name.clone(), tracker.done[index], *total))
                .collect(),
            left: (tracker.unknown == 0 && tracker.batches_left > 0).then(|| {
                let parallel = u64::try_from(jobs.min(tracker.batches_left)).unwrap_or(1);
                Duration::from_millis(tracker.left_ms / parallel.max(1))
            }),
        };
        std::thread::scope(|scope| {
            for _ in 0..jobs {
                scope.spawn(|| {
                    while let Some((batch, estimate)) = pool.next(&task_refs, cancel) {
                        let task = &tasks[batch.task];
                        let result = context.run(task, &paths[batch.task], &batch);
                        lock(&finished).push((batch.task, result));
                        pool.done(batch.task);
                        let now = {
                            let mut tracker = lock(&tracker);
                            tracker.done[batch.task] += batch.targets();
                            tracker.batches_left = tracker.batches_left.saturating_sub(1);
                            match estimate {
                                Some(ms) => tracker.left_ms = tracker.left_ms.saturating_sub(ms),
                                None => tracker.unknown = tracker.unknown.saturating_sub(1),
                            }
                            progress(&tracker)
                        };
                        if !cancel.load(Ordering::Relaxed) {
                            on_progress(&now);
                        }
                    }
                });
            }
        });

        let mut cancelled = cancel.load(Ordering::Relaxed);
        for (index, result) in finished.into_inner().unwrap_or_else(|p| p.into_inner()) {
            let outcome = &mut outcomes[index];
            outcome.processes += 1;
            outcome.duration_ms += result.duration_ms;
            match result.outcome {
                Ran::Cancelled => cancelled = true,
                Ran::Failed(diagnostic) => {
                    outcome.failures += 1;
                    if !outcome.diagnostics.contains(&diagnostic) {
                        outcome.diagnostics.push(diagnostic);
                    }
                }
                Ran::Done(results) => {
                    for (targets, key, stored) in results {
                        outcome.runs += targets.len();
                        for target in targets {
                            record.ran_now(&outcome.name, target, stored.duration_ms, key);
                        }
                        outcome.diagnostics.extend(stored.diagnostics);
                    }
                }
            }
        }
        for outcome in &mut outcomes {
            outcome.diagnostics.sort_by(|a, b| {
                (&a.path, a.start, &a.code, &a.message)
                    .cmp(&(&b.path, b.start, &b.code, &b.message))
            });
            // A finding about no file is given to every target of its batch; it is shown once.
            outcome.diagnostics.dedup();
        }
        if let Some(store) = store.as_deref()
            && outcomes.iter().any(|outcome| outcome.runs > 0)
        {
            record.write(store, &root);
        }
        TasksReport {
            outcomes,
            cancelled,
        }
    }
}

/// What the progress of a run counts as its batches end.
struct Tracker {
    done: Vec<usize>,
    /// The estimated milliseconds of the batches left whose targets all ran before.
    left_ms: u64,
    /// Batches left with a target that never ran (no estimate).
    unknown: usize,
    batches_left: usize,
}

/// A batch's expected duration: the sum of its targets' shares at their last runs; `None` if
/// one never ran.
fn estimate(record: &TaskRecord, task: &str, batch: &Batch) -> Option<u64> {
    let durations = record.runs.get(task)?;
    batch
        .units
        .iter()
        .flat_map(|unit| &unit.targets)
        .map(|target| durations.get(target).copied())
        .sum()
}

/// The state of each target of a task, for `ripple tasks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetState {
    /// Its result for the current inputs is in the store.
    Fresh,
    /// It had a result, for other inputs.
    Stale,
    NeverRun,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskStatus {
    pub name: String,
    pub command: Vec<String>,
    /// Target → state; a whole-task result is listed under each of its targets.
    pub targets: BTreeMap<String, TargetState>,
    /// Why the task cannot run (its tool is missing), if it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// The state of every target of `tasks`, computed as a run would, running nothing but the
/// tools' `--version` (once per tool version: it is kept in the store).
/// `may_run`: whether the workspace's commands may run (a tool whose identity the store does
/// not know is run with `--version`); when not, such a task's status is a problem saying so.
pub fn task_status(
    workspace: &mut Workspace,
    tasks: &[&TaskDefinition],
    may_run: bool,
) -> Vec<TaskStatus> {
    let root = workspace.root().to_path_buf();
    let store = workspace.store();
    let record = store
        .as_deref()
        .map(|store| TaskRecord::read(store, &root))
        .unwrap_or_default();
    let never = AtomicBool::new(false);
    let mut planner = Planner::new(workspace, store.as_deref(), &never).may_run(may_run);
    let mut statuses = Vec::new();
    for task in tasks {
        let mut status = TaskStatus {
            name: task.name.clone(),
            command: task.command.clone(),
            targets: BTreeMap::new(),
            problem: None,
        };
        match planner.plan(task, &[], false) {
            Err(message) => status.problem = Some(message),
            Ok(plan) => {
                for unit in plan.units {
                    for target in unit.targets {
                        let state = if unit.found.is_some() {
                            TargetState::Fresh
                        } else if record.ran(&task.name, &target) {
                            TargetState::Stale
                        } else {
                            TargetState::NeverRun
                        };
                        status.targets.insert(target, state);
                    }
                }
            }
        }
        statuses.push(status);
    }
    statuses
}

/// The batches waiting, and how many of each task's are running (for its `jobs` limit).
struct Pool {
    state: Mutex<PoolState>,
    changed: Condvar,
}

struct PoolState {
    /// Each batch with its estimated duration.
    queue: VecDeque<(Batch, Option<u64>)>,
    running: Vec<usize>,
}

impl Pool {
    /// The next batch whose task may start another process; `None` when none is left (or the
    /// run is cancelled). Waits while every waiting batch's task is at its limit.
    fn next(&self, tasks: &[&TaskDefinition], cancel: &AtomicBool) -> Option<(Batch, Option<u64>)> {
        let mut state = lock(&self.state);
        loop {
            if cancel.load(Ordering::Relaxed) || state.queue.is_empty() {
                return None;
            }
            let running = &state.running;
            let ready = state.queue.iter().position(|(batch, _)| {
                tasks[batch.task]
                    .jobs
                    .is_none_or(|limit| running[batch.task] < limit)
            });
            if let Some(next) = ready.and_then(|at| state.queue.remove(at)) {
                state.running[next.0.task] += 1;
                return Some(next);
            }
            // Woken when a process ends; the timeout bounds the wait for a cancellation.
            state = self
                .changed
                .wait_timeout(state, Duration::from_millis(50))
                .map_or_else(|poisoned| poisoned.into_inner().0, |(state, _)| state);
        }
    }

    fn done(&self, task: usize) {
        let mut state = lock(&self.state);
        state.running[task] = state.running[task].saturating_sub(1);
        self.changed.notify_all();
    }
}

struct Batch {
    task: usize,
    units: Vec<Unit>,
    inputs: Vec<(String, Option<[u8; 32]>)>,
}

impl Batch {
    fn targets(&self) -> usize {
        self.units.iter().map(|unit| unit.targets.len()).sum()
    }
}

enum Ran {
    /// Each unit's targets, key and result (stored already).
    Done(Vec<(Vec<String>, Digest, StoredResult)>),
    Failed(TaskDiagnostic),
    Cancelled,
}

struct BatchResult {
    outcome: Ran,
    duration_ms: u64,
}

/// Splits the units to run into batches: one a process for `{file}`, `batch` a process when
/// set, else spread evenly over the job slots the task may use.
fn batches(task: &TaskDefinition, units: Vec<Unit>, jobs: usize) -> Vec<Vec<Unit>> {
    if units.is_empty() {
        return Vec::new();
    }
    let size = if task.one_per_process() || !task.takes_targets() {
        1
    } else {
        task.batch
            .unwrap_or_else(|| {
                units
                    .len()
                    .div_ceil(task.jobs.unwrap_or(jobs).min(jobs).max(1))
            })
            .max(1)
    };
    let mut batches = Vec::new();
    let mut units = units.into_iter().peekable();
    while units.peek().is_some() {
        batches.push(units.by_ref().take(size).collect());
    }
    batches
}

struct BatchContext<'a> {
    root: &'a Path,
    store: Option<&'a ripple_store::Store>,
    cancel: &'a AtomicBool,
}

/// Report files are named by process and by a counter: batches run at once never share one.
static REPORTS: AtomicU64 = AtomicU64::new(0);

impl BatchContext<'_> {
    fn run(&self, task: &TaskDefinition, program: &Path, batch: &Batch) -> BatchResult {
        let targets: Vec<String> = if task.takes_targets() {
            batch
                .units
                .iter()
                .flat_map(|unit| unit.targets.clone())
                .collect()
        } else {
            Vec::new()
        };
        let report = task.writes_report().then(|| {
            std::env::temp_dir().join(format!(
                "ripple-{}-{}-{}.report",
                std::process::id(),
                task.name,
                REPORTS.fetch_add(1, Ordering::Relaxed)
            ))
        });
        if let Some(report) = &report {
            let _ = std::fs::remove_file(report);
        }
        let mut argv = task.argv(&targets, self.root, report.as_deref());
        // The program found when the tool was identified, so the key names what runs.
        if let Some(first) = argv.first_mut() {
            *first = program.to_string_lossy().into_owned();
        }
        tracing::debug!(task = %task.name, targets = targets.len(), "running {:?}", argv);
        let finished = match runner::run(&argv, self.root, task.timeout, self.cancel) {
            Ok(finished) => finished,
            Err(error) => {
                return BatchResult {
                    outcome: Ran::Failed(failure(task, self.root, error.to_string())),
                    duration_ms: 0,
                };
            }
        };
        let report_bytes = report.as_ref().and_then(|report| {
            let bytes = std::fs::read(report).ok();
            let _ = std::fs::remove_file(report);
            bytes
        });
        let duration_ms = u64::try_from(finished.duration.as_millis()).unwrap_or(u64::MAX);
        let outcome = self.read(task, batch, &finished, report_bytes.as_deref());
        BatchResult {
            outcome,
            duration_ms,
        }
    }

    fn read(
        &self,
        task: &TaskDefinition,
        batch: &Batch,
        finished: &runner::Finished,
        report: Option<&[u8]>,
    ) -> Ran {
        let stderr = || {
            let text = tail(&finished.stderr, 12);
            let text = if text.is_empty() {
                tail(&finished.stdout, 12)
            } else {
                text
            };
            if text.is_empty() {
                String::new()
            } else {
                format!(":\n{text}")
            }
        };
        let code = match finished.ended {
            Ended::Cancelled => return Ran::Cancelled,
            Ended::TimedOut => {
                return Ran::Failed(failure(
                    task,
                    self.root,
                    format!(
                        "timed out after {} (its processes were killed); raise `timeout` if it needs longer",
                        seconds(task.timeout)
                    ),
                ));
            }
            Ended::Signalled(signal) => {
                return Ran::Failed(failure(
                    task,
                    self.root,
                    format!(
                        "`{}` was killed by signal {signal}{}",
                        task.command[0],
                        stderr()
                    ),
                ));
            }
            Ended::Exited(code) => code,
        };
        if !task.exit_codes.contains(&code) {
            return Ran::Failed(failure(
                task,
                self.root,
                format!(
                    "`{}` exited with code {code} (a good run exits with {:?}; set `exit-codes` if this one is){}",
                    task.command[0],
                    task.exit_codes,
                    stderr()
                ),
            ));
        }
        let output = ToolOutput {
            stdout: &finished.stdout,
            stderr: &finished.stderr,
            report,
            root: self.root,
        };
        let found = match task.format.read(&output) {
            Ok(found) => found,
            Err(message) => {
                return Ran::Failed(failure(
                    task,
                    self.root,
                    format!(
                        "cannot read its output as `{}`: {message}",
                        task.format.name()
                    ),
                ));
            }
        };
        // pytest's 5 is "no tests collected": nothing to say is the right answer.
        let nothing_expected = code == 0 || (code == 5 && task.format.needs_report());
        if found.is_empty() && !nothing_expected {
            return Ran::Failed(failure(
                task,
                self.root,
                format!(
                    "`{}` exited with code {code} but reported nothing `{}` can read{}",
                    task.command[0],
                    task.format.name(),
                    stderr()
                ),
            ));
        }
        let config = relative(self.root, &task.config_path).unwrap_or_default();
        let placed = place(found, self.root, (&task.config_path, task.line), &task.name);
        // Each finding goes to the result of the target it is about. One about no file (put
        // on the task's line) goes to every target of the batch; one about a file that is not
        // a target of this batch is dropped: it belongs to that file's own result.
        let mut by_target: BTreeMap<&str, Vec<TaskDiagnostic>> = BTreeMap::new();
        let mut unplaced = Vec::new();
        let whole = !task.takes_targets();
        for diagnostic in placed {
            if whole {
                by_target.entry("").or_default().push(diagnostic);
            } else if let Some(unit) = batch
                .units
                .iter()
                .find(|unit| unit.targets[0] == diagnostic.path)
            {
                by_target
                    .entry(unit.targets[0].as_str())
                    .or_default()
                    .push(diagnostic);
            } else if diagnostic.path == config && diagnostic.start.0 == task.line {
                unplaced.push(diagnostic);
            } else {
                tracing::debug!(task = %task.name, path = %diagnostic.path, "a finding outside the batch's targets is left to their own results");
            }
        }
        let share = u64::try_from(finished.duration.as_millis()).unwrap_or(u64::MAX)
            / u64::try_from(batch.units.len().max(1)).unwrap_or(1);
        let mut results = Vec::with_capacity(batch.units.len());
        for unit in &batch.units {
            let name = if whole { "" } else { unit.targets[0].as_str() };
            let mut diagnostics = by_target.remove(name).unwrap_or_default();
            diagnostics.extend(unplaced.iter().cloned());
            let stored = StoredResult {
                diagnostics,
                inputs: batch.inputs.clone(),
                duration_ms: share,
                exit_code: code,
            };
            if let Some(store) = self.store {
                store.put(store.key(&unit.key), stored.encode());
                if let Some(manifest) = &unit.manifest {
                    store.put(
                        crate::manifest::manifest_key(store, &unit.key),
                        manifest.clone(),
                    );
                }
            }
            results.push((unit.targets.clone(), unit.key, stored));
        }
        Ran::Done(results)
    }
}

/// The one diagnostic of a failed run: on the task's line in its config file.
fn failure(task: &TaskDefinition, root: &Path, message: String) -> TaskDiagnostic {
    let path = relative(root, &task.config_path).unwrap_or_else(|| "ripple.toml".into());
    TaskDiagnostic {
        path,
        start: (task.line, 0),
        end: (task.line, 0),
        severity: "error".into(),
        code: TASK_FAILED_CODE.into(),
        message: format!("task `{}`: {message}", task.name),
    }
}

fn seconds(duration: Duration) -> String {
    let seconds = duration.as_secs_f64();
    if seconds < 1.0 {
        format!("{} ms", duration.as_millis())
    } else {
        format!("{seconds:.0} s")
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

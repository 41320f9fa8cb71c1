//! The thread that runs checks, one at a time, on snapshots of the database, so that the loop
//! keeps taking edits meanwhile. An edit cancels the running check (salsa unwinds the snapshot's
//! queries with `Cancelled`); the reply then says so and carries no results.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ripple_core::SourceFile;
use ripple_workspace::{BuiltGraph, FileReport, WorkspaceSnapshot};

use crate::outbox::{Outbox, ProgressReporter};

/// One check for the check thread.
pub struct CheckJob {
    pub generation: u64,
    pub snapshot: WorkspaceSnapshot,
    pub files: Vec<SourceFile>,
    /// Whether, and as what, the check reports progress.
    pub progress: Option<CheckProgress>,
    /// Build the dependency graph of these files (all the workspace's) after replying with the
    /// check's results: the graph is sent on its own (`on_graph`), so that publishing does not
    /// wait for it.
    pub build_graph: Option<Arc<[SourceFile]>>,
}

/// What a check's progress is called: the first check of every file (with workspace
/// diagnostics pushed) is the server's indexing, and says so as the separate indexing pass
/// does; a later large re-check (a branch switch) is a check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckProgress {
    Indexing,
    Checking,
}

/// The end of indexing's progress: how many files, and how many of their results came from
/// the cache (counted since the server started).
pub fn indexed_message(files: usize, (found, computed): (u64, u64)) -> String {
    if found > 0 {
        format!("indexed {files} files ({found} from the cache, {computed} analysed)")
    } else {
        format!("indexed {files} files")
    }
}

/// What a check found, back to the loop.
pub struct CheckReply {
    pub generation: u64,
    /// `None` when an edit cancelled the check.
    pub reports: Option<Vec<FileReport>>,
}

/// Where a check's reply goes, and a built graph; each returns false once nobody listens.
pub struct Replies {
    pub on_reply: OnReply,
    /// A graph built after the check of this generation.
    pub on_graph: Box<dyn Fn(u64, BuiltGraph) -> bool + Send>,
}

/// Where a check's reply goes; returns false once nobody listens any more.
pub type OnReply = Box<dyn Fn(CheckReply) -> bool + Send>;

/// Starts the thread that runs checks (a long-lived one: a fresh thread per keystroke, with the
/// large stack the analysis wants, would cost more than the check). Replies go to `on_reply`.
pub fn start_check_thread(outbox: Outbox, replies: Replies) -> std::sync::mpsc::Sender<CheckJob> {
    let (jobs, receiver) = std::sync::mpsc::channel::<CheckJob>();
    let spawned = std::thread::Builder::new()
        .name("ripple-check".into())
        .stack_size(64 * 1024 * 1024)
        .spawn(move || {
            while let Ok(job) = receiver.recv() {
                if !run(&outbox, job, &replies) {
                    break;
                }
            }
        });
    if let Err(error) = spawned {
        tracing::error!("cannot start the check thread: {error}");
    }
    jobs
}

/// Runs one job; false once nobody listens for replies.
fn run(outbox: &Outbox, job: CheckJob, replies: &Replies) -> bool {
    let CheckJob {
        generation,
        snapshot,
        files,
        progress,
        build_graph,
    } = job;
    let reporter = progress.map(|kind| {
        let title = match kind {
            CheckProgress::Indexing => "ripple: indexing",
            CheckProgress::Checking => "ripple: checking",
        };
        outbox.begin_progress(title, files.len())
    });
    let outcome = salsa::Cancelled::catch(std::panic::AssertUnwindSafe(|| {
        check_with_progress(&snapshot, &files, reporter.as_ref())
    }));
    if let Some(reporter) = reporter {
        let message = match (&outcome, progress) {
            (Err(_), _) => "interrupted by a newer change".to_string(),
            (Ok(_), Some(CheckProgress::Indexing)) => {
                indexed_message(files.len(), snapshot.db().result_counts())
            }
            (Ok(_), _) => format!("checked {} files", files.len()),
        };
        reporter.end(message);
    }
    let cancelled = outcome.is_err();
    let reply = CheckReply {
        generation,
        reports: outcome.ok(),
    };
    if !(replies.on_reply)(reply) {
        return false;
    }
    if let Some(all) = build_graph.filter(|_| !cancelled) {
        // Each file's edges and exports from the store when its findings came from there,
        // else from what checking it memoized: no file is analysed for the graph.
        let graph =
            salsa::Cancelled::catch(std::panic::AssertUnwindSafe(|| snapshot.build_graph(&all)));
        // Release the snapshot before replying: a waiting edit can go ahead.
        drop(snapshot);
        if let Ok(graph) = graph {
            return (replies.on_graph)(generation, graph);
        }
    }
    true
}

/// Checks `files` while a second thread reports progress, if asked, with how many of the
/// files' results came from the cache.
pub fn check_with_progress(
    snapshot: &WorkspaceSnapshot,
    files: &[SourceFile],
    progress: Option<&ProgressReporter>,
) -> Vec<FileReport> {
    let done = AtomicUsize::new(0);
    let counts = snapshot.db().result_counter();
    let (found_before, computed_before) = counts.get();
    let detail = move || {
        let (found, computed) = counts.get();
        let found = found - found_before;
        let computed = computed - computed_before;
        if found == 0 {
            String::new()
        } else {
            format!(" ({found} from the cache, {computed} analysed)")
        }
    };
    std::thread::scope(|scope| {
        let reporter = progress.map(|progress| {
            let done = &done;
            let total = files.len();
            let detail = &detail;
            scope.spawn(move || progress.report_until_done(done, total, detail))
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
        let reports = snapshot.check(files, true, &tick);
        drop(stop);
        if let Some(reporter) = reporter {
            let _ = reporter.join();
        }
        reports
    })
}

//! Watching the workspace ourselves, for clients that cannot watch files for us (no dynamic
//! registration of `workspace/didChangeWatchedFiles`). Changes are batched into bursts and
//! handed to a callback as the same events a client would send.
//!
//! notify's events are taken directly rather than through notify-debouncer-mini: that debouncer
//! drops the event kind, and on Linux notify reports every *open* of a file. ripple reads a file
//! when it analyses it, so each check's reads looked like changes and started the next check,
//! forever. Only events that can change a file's contents or existence count here; the burst
//! batcher below does the debouncing.

use std::collections::HashMap;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{Event as NotifyEvent, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use ripple_core::Languages;
use tower_lsp_server::UriExt;
use tower_lsp_server::lsp_types::{FileChangeType, FileEvent, Uri};

/// Quiet time across all paths before a burst (a `git checkout` writing a thousand files over
/// several debounce ticks) is delivered as one batch: one re-check, one progress.
const BURST_QUIET: Duration = Duration::from_millis(200);
/// A burst that never goes quiet (a build writing files for minutes) is still delivered this often.
const BURST_MAX: Duration = Duration::from_secs(2);

/// Where a burst of changes goes; returns false once nobody listens any more.
pub type OnChanges = Box<dyn Fn(Vec<FileEvent>) -> bool + Send>;

/// Starts watching `root` for changes to the files that matter to a workspace of `languages`
/// (`ripple_workspace::may_matter`); the watch lasts as long as the returned value.
pub fn watch(
    root: &Path,
    languages: Languages,
    on_changes: OnChanges,
) -> Option<RecommendedWatcher> {
    let root_for_filter = root.to_path_buf();
    let bursts = start_burst_batcher(on_changes)?;
    let handler = move |result: notify::Result<NotifyEvent>| {
        let event = match result {
            Ok(event) => event,
            Err(error) => {
                tracing::warn!("file watching failed: {error}");
                return;
            }
        };
        if !changes_contents(&event.kind) {
            return;
        }
        let changes: Vec<FileEvent> = event
            .paths
            .iter()
            .filter(|path| ripple_workspace::may_matter(&languages, &root_for_filter, path))
            .filter_map(|path| {
                let typ = if path.exists() {
                    FileChangeType::CHANGED
                } else {
                    FileChangeType::DELETED
                };
                Some(FileEvent {
                    uri: Uri::from_file_path(path)?,
                    typ,
                })
            })
            .collect();
        if !changes.is_empty() {
            let _ = bursts.send(changes);
        }
    };
    let mut watcher = match notify::recommended_watcher(handler) {
        Ok(watcher) => watcher,
        Err(error) => {
            tracing::warn!("cannot watch {}: {error}", root.display());
            return None;
        }
    };
    if let Err(error) = watcher.watch(root, RecursiveMode::Recursive) {
        tracing::warn!("cannot watch {}: {error}", root.display());
        return None;
    }
    tracing::info!("watching {} for changes", root.display());
    Some(watcher)
}

/// Whether an event can mean new contents, a new file or a gone one. Opening, reading and
/// closing without writing cannot (and ripple's own reads cause them); a close after writing
/// can, and so can anything notify cannot classify.
fn changes_contents(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        EventKind::Any
        | EventKind::Create(_)
        | EventKind::Modify(_)
        | EventKind::Remove(_)
        | EventKind::Other => true,
    }
}

/// Starts the thread that merges the watcher's deliveries into bursts; it ends when the watcher
/// (the sender) is dropped or nobody listens for bursts.
fn start_burst_batcher(on_changes: OnChanges) -> Option<mpsc::Sender<Vec<FileEvent>>> {
    let (sender, receiver) = mpsc::channel::<Vec<FileEvent>>();
    let spawned = std::thread::Builder::new()
        .name("ripple-watch-batcher".into())
        .spawn(move || {
            while let Ok(first) = receiver.recv() {
                let started = Instant::now();
                let mut burst: Vec<FileEvent> = first;
                while started.elapsed() < BURST_MAX {
                    match receiver.recv_timeout(BURST_QUIET) {
                        Ok(more) => burst.extend(more),
                        Err(_) => break,
                    }
                }
                if !on_changes(latest_per_file(burst)) {
                    return;
                }
            }
        });
    match spawned {
        Ok(_) => Some(sender),
        Err(error) => {
            tracing::warn!("cannot start the file watcher's batcher: {error}");
            None
        }
    }
}

/// One event per file, the last one seen (created then deleted is deleted).
fn latest_per_file(burst: Vec<FileEvent>) -> Vec<FileEvent> {
    let mut position: HashMap<String, usize> = HashMap::new();
    let mut latest: Vec<FileEvent> = Vec::with_capacity(burst.len());
    for change in burst {
        match position.get(change.uri.as_str()) {
            Some(&index) => latest[index] = change,
            None => {
                position.insert(change.uri.as_str().to_string(), latest.len());
                latest.push(change);
            }
        }
    }
    latest
}

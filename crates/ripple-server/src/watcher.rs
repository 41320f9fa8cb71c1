//! Watching the workspace ourselves, for clients that cannot watch files for us (no dynamic
//! registration of `workspace/didChangeWatchedFiles`). Changes are batched into bursts and
//! delivered to the engine loop as the same event a client would send.
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
use ripple_workspace::{CONFIG_FILE_NAMES, IGNORE_FILE_NAMES, is_excluded_dir, is_python_file};
use tokio::sync::mpsc::UnboundedSender;
use tower_lsp_server::UriExt;
use tower_lsp_server::lsp_types::{FileChangeType, FileEvent, Uri};

use crate::engine::Event;

/// Quiet time across all paths before a burst (a `git checkout` writing a thousand files over
/// several debounce ticks) is delivered as one batch: one re-check, one progress.
const BURST_QUIET: Duration = Duration::from_millis(200);
/// A burst that never goes quiet (a build writing files for minutes) is still delivered this often.
const BURST_MAX: Duration = Duration::from_secs(2);

/// Starts watching `root`; the watch lasts as long as the returned value.
pub fn watch(root: &Path, events: UnboundedSender<Event>) -> Option<RecommendedWatcher> {
    let root_for_filter = root.to_path_buf();
    let bursts = start_burst_batcher(events)?;
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
            .filter(|path| is_relevant(&root_for_filter, path))
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

/// Starts the thread that merges the debouncer's deliveries into bursts; it ends when the
/// debouncer (the sender) is dropped.
fn start_burst_batcher(events: UnboundedSender<Event>) -> Option<mpsc::Sender<Vec<FileEvent>>> {
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
                if events
                    .send(Event::WatchedFiles(latest_per_file(burst)))
                    .is_err()
                {
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

/// Python files and configuration, outside `.git`, virtual environments, caches and build output.
fn is_relevant(root: &Path, path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("");
    if !is_python_file(path)
        && !CONFIG_FILE_NAMES.contains(&name)
        && !IGNORE_FILE_NAMES.contains(&name)
    {
        return false;
    }
    let relative = path.strip_prefix(root).unwrap_or(path);
    let mut current = root.to_path_buf();
    for component in relative.parent().into_iter().flat_map(Path::components) {
        current.push(component);
        let hidden = current
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.starts_with('.'));
        if hidden || is_excluded_dir(&current) {
            return false;
        }
    }
    true
}

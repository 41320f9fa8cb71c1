//! Watching the workspace ourselves, for clients that cannot watch files for us (no dynamic
//! registration of `workspace/didChangeWatchedFiles`). Changes are debounced and delivered to
//! the engine loop as the same event a client would send.

use std::collections::HashMap;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify_debouncer_mini::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};
use ripple_workspace::{CONFIG_FILE_NAMES, IGNORE_FILE_NAMES, is_excluded_dir, is_python_file};
use tokio::sync::mpsc::UnboundedSender;
use tower_lsp_server::UriExt;
use tower_lsp_server::lsp_types::{FileChangeType, FileEvent, Uri};

use crate::engine::Event;

/// Per-path debounce of the notify events (an editor's save is several events).
const DEBOUNCE: Duration = Duration::from_millis(50);
/// Quiet time across all paths before a burst (a `git checkout` writing a thousand files over
/// several debounce ticks) is delivered as one batch: one re-check, one progress.
const BURST_QUIET: Duration = Duration::from_millis(200);
/// A burst that never goes quiet (a build writing files for minutes) is still delivered this often.
const BURST_MAX: Duration = Duration::from_secs(2);

/// Starts watching `root`; the watch lasts as long as the returned value.
pub fn watch(root: &Path, events: UnboundedSender<Event>) -> Option<Debouncer<RecommendedWatcher>> {
    let root_for_filter = root.to_path_buf();
    let bursts = start_burst_batcher(events)?;
    let handler = move |result: DebounceEventResult| {
        let changes: Vec<FileEvent> = match result {
            Ok(changes) => changes
                .into_iter()
                .filter(|change| is_relevant(&root_for_filter, &change.path))
                .filter_map(|change| {
                    let typ = if change.path.exists() {
                        FileChangeType::CHANGED
                    } else {
                        FileChangeType::DELETED
                    };
                    Some(FileEvent {
                        uri: Uri::from_file_path(&change.path)?,
                        typ,
                    })
                })
                .collect(),
            Err(error) => {
                tracing::warn!("file watching failed: {error}");
                return;
            }
        };
        if !changes.is_empty() {
            let _ = bursts.send(changes);
        }
    };
    let mut debouncer = match new_debouncer(DEBOUNCE, handler) {
        Ok(debouncer) => debouncer,
        Err(error) => {
            tracing::warn!("cannot watch {}: {error}", root.display());
            return None;
        }
    };
    if let Err(error) = debouncer.watcher().watch(root, RecursiveMode::Recursive) {
        tracing::warn!("cannot watch {}: {error}", root.display());
        return None;
    }
    tracing::info!("watching {} for changes", root.display());
    Some(debouncer)
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

//! Watching the workspace ourselves, for clients that cannot watch files for us (no dynamic
//! registration of `workspace/didChangeWatchedFiles`). Changes are debounced and delivered to
//! the engine loop as the same event a client would send.

use std::path::Path;
use std::time::Duration;

use notify_debouncer_mini::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};
use ripple_workspace::{CONFIG_FILE_NAMES, is_excluded_dir, is_python_file};
use tokio::sync::mpsc::UnboundedSender;
use tower_lsp_server::UriExt;
use tower_lsp_server::lsp_types::{FileChangeType, FileEvent, Uri};

use crate::engine::Event;

/// Quiet time before a burst of changes (a checkout) is delivered as one batch.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// Starts watching `root`; the watch lasts as long as the returned value.
pub fn watch(root: &Path, events: UnboundedSender<Event>) -> Option<Debouncer<RecommendedWatcher>> {
    let root_for_filter = root.to_path_buf();
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
            let _ = events.send(Event::WatchedFiles(changes));
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

/// Python files and configuration, outside `.git`, virtual environments, caches and build output.
fn is_relevant(root: &Path, path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("");
    if !is_python_file(path) && !CONFIG_FILE_NAMES.contains(&name) {
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

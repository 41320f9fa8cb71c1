//! Answering requests: `ripple/stats`, pulls and `ripple/explain`, after the edits queued
//! before them.

use crate::events::{PullResult, Request};
use crate::publish::{pull, pull_workspace};

use super::{Engine, diagnostic_mode, file_path};

impl Engine {
    pub(super) fn answer(&mut self, request: Request) {
        let encoding = self.encoding();
        match request {
            Request::Stats(reply) => {
                let mut stats = self
                    .stats
                    .to_json(self.workspace.as_ref(), self.documents.len());
                let watching = self.watcher.lock().is_ok_and(|watcher| watcher.is_some());
                if let Some(object) = stats.as_object_mut() {
                    object.insert("watching".into(), watching.into());
                    if let Some(tasks) = &self.tasks {
                        object.insert("tasks".into(), tasks.to_json());
                    }
                }
                let _ = reply.send(stats);
            }
            Request::PullDocument {
                uri,
                previous_result_id,
                reply,
            } => {
                let result = match (&self.workspace, file_path(&uri)) {
                    (Some(workspace), Some(path)) => {
                        let from_tasks = self.task_diagnostics(&path, encoding);
                        pull(workspace, &path, encoding, from_tasks)
                    }
                    _ => None,
                };
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
            Request::Explain { uri, task, reply } => {
                let _ = reply.send(self.explain(&uri, task.as_deref()));
            }
            Request::PullWorkspace { previous, reply } => {
                let items = match &self.workspace {
                    Some(workspace) => pull_workspace(
                        workspace,
                        diagnostic_mode(self.session.as_ref(), workspace),
                        &self.documents,
                        previous,
                        encoding,
                        &|path| self.task_diagnostics(path, encoding),
                    ),
                    None => Vec::new(),
                };
                let _ = reply.send(items);
            }
        }
    }

    /// `ripple/explain` for the document at `uri`: nothing is saved, so the answer compares
    /// with the results kept at the last save.
    fn explain(
        &mut self,
        uri: &tower_lsp_server::lsp_types::Uri,
        task: Option<&str>,
    ) -> Result<serde_json::Value, String> {
        let path = file_path(uri).ok_or_else(|| format!("`{}` is not a file", uri.as_str()))?;
        let trusted = self.tasks.as_ref().is_some_and(|tasks| tasks.trusted());
        let workspace = self
            .workspace
            .as_mut()
            .ok_or_else(|| "no workspace is loaded".to_string())?;
        let explanation = match task {
            None => workspace.explain(&path).ok_or_else(|| {
                format!("`{}` is not a file the workspace checks", path.display())
            })?,
            Some(name) => {
                let table = ripple_tasks::read_tasks(workspace.config());
                let task = table
                    .tasks
                    .iter()
                    .find(|task| task.name == name)
                    .ok_or_else(|| format!("there is no task `{name}`"))?;
                ripple_tasks::explain_target(workspace, task, &path, trusted)?
            }
        };
        serde_json::to_value(&explanation).map_err(|error| error.to_string())
    }
}

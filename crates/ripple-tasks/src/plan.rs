//! Planning a task's run: its tool, targets and keys, each key looked up in the store. What is
//! found is replayed; the rest are the units the engine runs.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use ripple_core::Digest;
use ripple_store::Store;
use ripple_workspace::Workspace;
use serde::{Deserialize, Serialize};

use crate::closure::ClosureDigests;
use crate::definition::{Deps, TaskDefinition};
use crate::diagnostics::TaskDiagnostic;
use crate::keys::{all_targets, target_key, task_base};
use crate::targets::{OtherFiles, Target, digest_of_file, inputs_of, targets_of};
use crate::tool::{Tool, identify};

/// A result as kept in the store.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredResult {
    pub diagnostics: Vec<TaskDiagnostic>,
    /// The task's `inputs` and their digests when the result was made (for `ripple explain`).
    pub inputs: Vec<(String, Option<[u8; 32]>)>,
    pub duration_ms: u64,
    pub exit_code: i32,
}

impl StoredResult {
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        postcard::from_bytes(bytes).ok()
    }

    pub fn encode(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }
}

/// One result to have: of one target, or of the whole task when its command names no targets.
#[derive(Debug, Clone)]
pub struct Unit {
    /// The targets the result covers (one, or all of the task's for a whole-task result).
    pub targets: Vec<String>,
    /// The store's key.
    pub key: Digest,
    pub found: Option<StoredResult>,
}

pub struct Plan {
    pub tool: Tool,
    pub units: Vec<Unit>,
    pub inputs: Vec<(String, Option<Digest>)>,
}

/// The run's shared state while planning: the closure digests and the walk serve every task.
pub struct Planner<'a> {
    pub workspace: &'a mut Workspace,
    pub store: Option<&'a Store>,
    pub cancel: &'a AtomicBool,
    pub closures: ClosureDigests,
    pub others: OtherFiles,
}

impl Planner<'_> {
    /// The plan for `task`, its units restricted to targets under `only` (all when empty). A
    /// task whose tool cannot be found gives the message to report instead.
    pub fn plan(
        &mut self,
        task: &TaskDefinition,
        only: &[PathBuf],
        force: bool,
    ) -> Result<Plan, String> {
        let root = self.workspace.root().to_path_buf();
        let program = task.command.first().map_or("", String::as_str);
        let tool = identify(
            program,
            task.version_command.as_deref(),
            &root,
            self.store,
            self.cancel,
        )?;
        let inputs = inputs_of(task, &root, &mut self.others);
        let environment = (task.deps == Deps::Imports).then(|| self.workspace.environment_digest());
        let base = task_base(task, tool.identity, &inputs, environment);
        let targets = targets_of(task, self.workspace, &mut self.others);

        let wanted = |target: &Target| {
            only.is_empty()
                || only
                    .iter()
                    .any(|path| root.join(&target.relative).starts_with(path))
        };
        let mut units = Vec::new();
        if task.takes_targets() {
            let mut everything: Option<Digest> = None;
            for target in targets.iter().filter(|target| wanted(target)) {
                let depends_on = match (task.deps, target.file) {
                    (Deps::File, _) => self.content(&root, target),
                    (Deps::Imports, Some(file)) => self.closures.of(self.workspace, file),
                    // Imports of a file ripple does not read are unknown: every target counts.
                    (Deps::Imports, None) | (Deps::All, _) => {
                        *everything.get_or_insert_with(|| self.every_target(&root, task, &targets))
                    }
                };
                units.push(Unit {
                    targets: vec![target.relative.clone()],
                    key: target_key(base, &target.relative, depends_on),
                    found: None,
                });
            }
        } else if targets.iter().any(wanted) {
            let depends_on = self.every_target(&root, task, &targets);
            units.push(Unit {
                targets: targets
                    .iter()
                    .map(|target| target.relative.clone())
                    .collect(),
                key: target_key(base, "", depends_on),
                found: None,
            });
        }
        if !force && let Some(store) = self.store {
            for unit in &mut units {
                unit.found = store
                    .get(&store.key(&unit.key))
                    .and_then(|bytes| StoredResult::decode(&bytes));
            }
        }
        Ok(Plan {
            tool,
            units,
            inputs,
        })
    }

    fn content(&self, root: &Path, target: &Target) -> Digest {
        let digest = match target.file {
            Some(file) => self.workspace.file_digest(file),
            None => digest_of_file(&root.join(&target.relative)),
        };
        Digest::of(&crate::closure::content_part(digest))
    }

    /// What a result that depends on every target depends on: each target's contents, or
    /// its closure when results follow imports.
    fn every_target(&mut self, root: &Path, task: &TaskDefinition, targets: &[Target]) -> Digest {
        let mut parts = Vec::with_capacity(targets.len());
        for target in targets {
            let digest = match (task.deps, target.file) {
                (Deps::Imports, Some(file)) => self.closures.of(self.workspace, file),
                _ => self.content(root, target),
            };
            parts.push((target.relative.clone(), digest));
        }
        all_targets(&parts)
    }
}

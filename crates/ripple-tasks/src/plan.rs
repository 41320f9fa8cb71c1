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

/// The run's shared state while planning: the closure digests, the walk and the digest of the
/// workspace's contents serve every task.
pub struct Planner<'a> {
    workspace: &'a mut Workspace,
    store: Option<&'a Store>,
    cancel: &'a AtomicBool,
    closures: ClosureDigests,
    others: OtherFiles,
    contents: Option<Digest>,
}

impl<'a> Planner<'a> {
    pub fn new(
        workspace: &'a mut Workspace,
        store: Option<&'a Store>,
        cancel: &'a AtomicBool,
    ) -> Self {
        Self {
            workspace,
            store,
            cancel,
            closures: ClosureDigests::default(),
            others: OtherFiles::default(),
            contents: None,
        }
    }

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
            let wanted: Vec<&Target> = targets.iter().filter(|target| wanted(target)).collect();
            // Every key is a function of the base, the targets and the workspace's contents
            // (which decide each closure): with all of those as they were at an earlier run,
            // that run's keys are replayed without building the graph or any closure, the
            // bulk of a no-change run's planning.
            let memo = (!force)
                .then_some(self.store)
                .flatten()
                .map(|store| (store, self.memo_key(&root, base, &wanted, only)));
            let remembered = memo
                .as_ref()
                .and_then(|(store, key)| store.get(&store.key(key)))
                .and_then(|bytes| postcard::from_bytes::<Vec<[u8; 32]>>(&bytes).ok())
                .filter(|keys| keys.len() == wanted.len());
            match remembered {
                Some(keys) => {
                    for (target, key) in wanted.iter().zip(keys) {
                        units.push(Unit {
                            targets: vec![target.relative.clone()],
                            key: Digest::from_bytes(key),
                            found: None,
                        });
                    }
                }
                None => {
                    let mut everything: Option<Digest> = None;
                    for target in &wanted {
                        let depends_on = match (task.deps, target.file) {
                            (Deps::File, _) => self.content(&root, target),
                            (Deps::Imports, Some(file)) => self.closures.of(self.workspace, file),
                            // Imports of a file ripple does not read are unknown: every target
                            // counts.
                            (Deps::Imports, None) | (Deps::All, _) => *everything
                                .get_or_insert_with(|| self.every_target(&root, task, &targets)),
                        };
                        units.push(Unit {
                            targets: vec![target.relative.clone()],
                            key: target_key(base, &target.relative, depends_on),
                            found: None,
                        });
                    }
                    if let Some((store, key)) = memo {
                        let keys: Vec<[u8; 32]> =
                            units.iter().map(|unit| *unit.key.as_bytes()).collect();
                        if let Ok(bytes) = postcard::to_allocvec(&keys) {
                            store.put(store.key(&key), bytes);
                        }
                    }
                }
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

    /// The key under which a run remembers the keys of `wanted`: the task's base, the targets
    /// asked for, the workspace's contents, and the bytes of the targets outside it.
    fn memo_key(
        &mut self,
        root: &Path,
        base: Digest,
        wanted: &[&Target],
        only: &[PathBuf],
    ) -> Digest {
        let contents = *self
            .contents
            .get_or_insert_with(|| self.workspace.contents_digest());
        // One buffer hashed once (see `Workspace::contents_digest`).
        let mut bytes: Vec<u8> = Vec::with_capacity(96 + wanted.len() * 64);
        bytes.extend_from_slice(b"task plan");
        bytes.extend_from_slice(base.as_bytes());
        bytes.extend_from_slice(contents.as_bytes());
        for path in only {
            bytes.extend_from_slice(b"only");
            bytes.extend_from_slice(path.as_os_str().as_encoded_bytes());
            bytes.push(0);
        }
        for target in wanted {
            bytes.extend_from_slice(target.relative.as_bytes());
            bytes.push(0);
            if target.file.is_none() {
                bytes.extend_from_slice(&crate::closure::content_part(digest_of_file(
                    &root.join(&target.relative),
                )));
            }
        }
        Digest::from_bytes(*blake3::hash(&bytes).as_bytes())
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

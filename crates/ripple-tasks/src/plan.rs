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
use crate::manifest::{KeyParts, Manifests};
use crate::targets::{
    OtherFiles, Target, digest_of_file, inputs_of, targets_in_file_set, targets_of,
};
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
    /// What the result will be made from (`manifest.rs`), for a result to compute.
    pub manifest: Option<Vec<u8>>,
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
    /// Whether a tool may be run to learn its identity (`--version`) when the store does not
    /// know it: only for a workspace whose commands the user trusts.
    may_run: bool,
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
            may_run: true,
        }
    }

    /// A planner that runs none of the workspace's commands: a tool whose identity the store
    /// does not know makes its task's plan an error saying so.
    pub fn may_run(mut self, may_run: bool) -> Self {
        self.may_run = may_run;
        self
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
            self.may_run,
        )?;
        let inputs = inputs_of(task, &root, &mut self.others);
        let environment = (task.deps == Deps::Imports).then(|| self.workspace.environment_digest());
        let base = task_base(task, tool.identity, &inputs, environment);
        let mut units = Vec::new();
        if task.takes_targets() {
            units = self.target_units(task, base, only, force);
        } else {
            let targets = targets_of(task, self.workspace, &mut self.others);
            if targets.iter().any(|target| wanted(&root, only, target)) {
                let depends_on = self.every_target(&root, task, &targets);
                units.push(Unit {
                    targets: targets
                        .iter()
                        .map(|target| target.relative.clone())
                        .collect(),
                    key: target_key(base, "", depends_on),
                    found: None,
                    manifest: None,
                });
            }
        }
        if !force && let Some(store) = self.store {
            let keys: Vec<Digest> = units.iter().map(|unit| store.key(&unit.key)).collect();
            for (unit, value) in units.iter_mut().zip(store.get_many(&keys)) {
                unit.found = value.and_then(|bytes| StoredResult::decode(&bytes));
            }
        }
        if let Some(store) = self.store
            && units.iter().any(|unit| unit.found.is_none())
        {
            let parts = KeyParts {
                task,
                tool: tool.identity,
                inputs: &inputs,
                environment,
            };
            self.add_manifests(store, &parts, &mut units);
        }
        Ok(Plan {
            tool,
            units,
            inputs,
        })
    }

    /// The manifests of the units to compute (`manifest.rs`), over one snapshot kept now.
    fn add_manifests(&mut self, store: &Store, parts: &KeyParts<'_>, units: &mut [Unit]) {
        let task = parts.task;
        let root = self.workspace.root().to_path_buf();
        let whole = !task.takes_targets();
        let needs_every = whole
            || task.deps == Deps::All
            || (task.deps == Deps::Imports
                && units.iter().any(|unit| {
                    unit.found.is_none()
                        && unit
                            .targets
                            .first()
                            .is_some_and(|target| self.workspace.file(&root.join(target)).is_none())
                }));
        let every: Vec<String> = if needs_every {
            targets_of(task, self.workspace, &mut self.others)
                .into_iter()
                .map(|target| target.relative)
                .collect()
        } else {
            Vec::new()
        };
        let mut manifests = Manifests::new(self.workspace);
        let mut built = Vec::new();
        for (index, unit) in units.iter().enumerate() {
            if unit.found.is_none() {
                let target = unit.targets.first().map_or("", String::as_str);
                built.push((index, manifests.manifest(parts, target, &every, whole)));
            }
        }
        let snapshot = manifests.keep_snapshot(store);
        for (index, mut manifest) in built {
            manifest.snapshot = snapshot;
            units[index].manifest = postcard::to_allocvec(&manifest).ok();
        }
    }

    /// One unit per target of `task` under `only`.
    ///
    /// Every key is a function of the base, the targets and the workspace's contents (which
    /// decide each closure): with all of those as they were at an earlier run, that run's
    /// targets and keys are replayed without building the graph or any closure, the bulk of a
    /// no-change run's planning. When the workspace's file set holds every target (the globs
    /// name only languages ripple reads), the targets follow from the contents too, and are
    /// remembered with the keys instead of being matched again.
    fn target_units(
        &mut self,
        task: &TaskDefinition,
        base: Digest,
        only: &[PathBuf],
        force: bool,
    ) -> Vec<Unit> {
        let root = self.workspace.root().to_path_buf();
        let store = if force { None } else { self.store };
        let from_file_set = targets_in_file_set(task, self.workspace);
        let early = store
            .filter(|_| from_file_set)
            .map(|store| (store, self.memo_key(&root, base, only, None)));
        if let Some(units) = early.and_then(|(store, key)| remembered(store, &key)) {
            return units;
        }
        let targets = targets_of(task, self.workspace, &mut self.others);
        let wanted: Vec<&Target> = targets
            .iter()
            .filter(|target| wanted(&root, only, target))
            .collect();
        let memo = early.or_else(|| {
            store.map(|store| (store, self.memo_key(&root, base, only, Some(&wanted))))
        });
        if !from_file_set && let Some(units) = memo.and_then(|(store, key)| remembered(store, &key))
        {
            return units;
        }
        let mut units = Vec::with_capacity(wanted.len());
        let mut everything: Option<Digest> = None;
        for target in &wanted {
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
                manifest: None,
            });
        }
        if let Some((store, key)) = memo {
            store.put(store.key(&key), Remembered::encode(&units));
        }
        units
    }

    /// The key under which a run remembers its targets under `only` and their keys: the
    /// task's base, the workspace's contents, and unless the targets follow from those (None),
    /// the targets themselves and the bytes of those outside the workspace's files.
    fn memo_key(
        &mut self,
        root: &Path,
        base: Digest,
        only: &[PathBuf],
        wanted: Option<&[&Target]>,
    ) -> Digest {
        let contents = *self
            .contents
            .get_or_insert_with(|| self.workspace.contents_digest());
        // One buffer hashed once (see `Workspace::contents_digest`).
        let targets = wanted.unwrap_or_default();
        let mut bytes: Vec<u8> = Vec::with_capacity(96 + targets.len() * 64);
        bytes.extend_from_slice(b"task plan");
        bytes.extend_from_slice(base.as_bytes());
        bytes.extend_from_slice(contents.as_bytes());
        for path in only {
            bytes.extend_from_slice(b"only");
            bytes.extend_from_slice(path.as_os_str().as_encoded_bytes());
            bytes.push(0);
        }
        match wanted {
            None => bytes.extend_from_slice(b"targets from the file set"),
            Some(targets) => {
                for target in targets {
                    bytes.extend_from_slice(target.relative.as_bytes());
                    bytes.push(0);
                    if target.file.is_none() {
                        bytes.extend_from_slice(&crate::closure::content_part(digest_of_file(
                            &root.join(&target.relative),
                        )));
                    }
                }
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

/// Whether `target` is under one of `only` (every target is when `only` is empty).
fn wanted(root: &Path, only: &[PathBuf], target: &Target) -> bool {
    only.is_empty()
        || only
            .iter()
            .any(|path| root.join(&target.relative).starts_with(path))
}

/// The units a run remembered under `key` (see `Planner::target_units`).
fn remembered(store: &Store, key: &Digest) -> Option<Vec<Unit>> {
    Remembered::decode(&store.get(&store.key(key))?)
}

/// A run's targets and keys, as remembered: their number (u32 LE), the keys (32 bytes each),
/// then the targets, each ended by a NUL (which no path holds). Laid out by hand: thousands of
/// small values decoded one by one through serde cost more than the rest of a no-change plan.
struct Remembered;

impl Remembered {
    fn encode(units: &[Unit]) -> Vec<u8> {
        let names: usize = units
            .iter()
            .map(|unit| unit.targets.first().map_or(0, String::len) + 1)
            .sum();
        let mut bytes = Vec::with_capacity(4 + units.len() * 32 + names);
        bytes.extend_from_slice(&u32::try_from(units.len()).unwrap_or(u32::MAX).to_le_bytes());
        for unit in units {
            bytes.extend_from_slice(unit.key.as_bytes());
        }
        for unit in units {
            bytes.extend_from_slice(unit.targets.first().map_or("", String::as_str).as_bytes());
            bytes.push(0);
        }
        bytes
    }

    /// The units, unless the bytes are not such a list (damaged, or of another layout).
    fn decode(bytes: &[u8]) -> Option<Vec<Unit>> {
        let (count, rest) = bytes.split_first_chunk::<4>()?;
        let count = usize::try_from(u32::from_le_bytes(*count)).ok()?;
        let (keys, names) = rest.split_at_checked(count.checked_mul(32)?)?;
        let names = std::str::from_utf8(names).ok()?;
        let targets: Vec<&str> = names.split_terminator('\0').collect();
        let (keys, _) = keys.as_chunks::<32>();
        if targets.len() != count || !names.ends_with('\0') && count > 0 {
            return None;
        }
        Some(
            targets
                .into_iter()
                .zip(keys)
                .map(|(target, key)| Unit {
                    targets: vec![target.to_string()],
                    key: Digest::from_bytes(*key),
                    found: None,
                    manifest: None,
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(target: &str, n: u8) -> Unit {
        Unit {
            targets: vec![target.to_string()],
            key: Digest::of(&[n]),
            found: None,
            manifest: None,
        }
    }

    #[test]
    fn remembered_units_come_back_as_they_were_and_damage_is_no_answer() {
        let units = vec![unit("a.py", 1), unit("dir with space/é.py", 2), unit("", 3)];
        let bytes = Remembered::encode(&units);
        let back = Remembered::decode(&bytes).unwrap_or_default();
        let pairs = |units: &[Unit]| -> Vec<(Vec<String>, Digest)> {
            units
                .iter()
                .map(|unit| (unit.targets.clone(), unit.key))
                .collect()
        };
        assert_eq!(pairs(&back), pairs(&units));
        assert_eq!(
            Remembered::decode(&Remembered::encode(&[])).map(|units| units.len()),
            Some(0)
        );
        // Cut short, one name too many or too few, a name that is not UTF-8: no units.
        assert!(Remembered::decode(&bytes[..bytes.len() - 1]).is_none());
        assert!(Remembered::decode(&bytes[..40]).is_none());
        assert!(Remembered::decode(&[bytes.as_slice(), b"x\0"].concat()).is_none());
        let mut foreign = bytes.clone();
        let last = foreign.len() - 2;
        foreign[last] = 0xff;
        assert!(Remembered::decode(&foreign).is_none());
        assert!(Remembered::decode(&[]).is_none());
    }
}

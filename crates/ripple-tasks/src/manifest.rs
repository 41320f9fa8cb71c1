//! What a task result was made from, kept beside it so that `ripple explain` can say exactly
//! which inputs changed since: the parts of its key (the task's definition, the tool's
//! identity, the listed variables, the `inputs`, the import environment) and the files its
//! key's dependency part covers, each with its digest and the file it was reached through (the
//! chain from the target). Written only when a result is computed, never when one is replayed.
//!
//! The files of all the results one plan computes are kept once, in a snapshot (path and
//! digest of each), and each manifest lists positions in it: a mypy run over a workspace keeps
//! thousands of results whose closures share most of their files.

use std::path::Path;

use ripple_core::{Digest, SourceFile};
use ripple_store::Store;
use ripple_workspace::Workspace;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::closure::closure_edges;
use crate::definition::{Deps, TaskDefinition};
use crate::targets::digest_of_file;

/// Marks a member reached from no other: the target itself, or one of every target.
pub const NO_PARENT: u32 = u32::MAX;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub definition: [u8; 32],
    pub tool: [u8; 32],
    /// Each listed variable and a digest of its value (`None`: unset).
    pub env: Vec<(String, Option<[u8; 16]>)>,
    /// Each of the task's `inputs` and its digest (`None`: missing).
    pub inputs: Vec<(String, Option<[u8; 16]>)>,
    /// The import environment (search paths, libraries' epoch), for `deps = "imports"`.
    pub environment: Option<[u8; 32]>,
    /// The snapshot the members are positions in.
    pub snapshot: [u8; 32],
    /// (position in the snapshot, position in `members` of the member it was reached from).
    pub members: Vec<(u32, u32)>,
}

/// Paths relative to the root, with their digests.
pub type Snapshot = Vec<(String, Option<[u8; 16]>)>;

pub fn manifest_key(store: &Store, result: &Digest) -> Digest {
    store.key(&Digest::of_parts(&[b"task manifest", result.as_bytes()]))
}

pub fn snapshot_key(store: &Store, snapshot: &[u8; 32]) -> Digest {
    store.key(&Digest::of_parts(&[b"task snapshot", snapshot]))
}

pub fn short(digest: Option<Digest>) -> Option<[u8; 16]> {
    digest.map(|digest| {
        let mut bytes = [0; 16];
        bytes.copy_from_slice(&digest.as_bytes()[..16]);
        bytes
    })
}

/// A digest of a variable's value as the key holds it (`None`: unset).
pub fn variable(name: &str) -> Option<[u8; 16]> {
    std::env::var_os(name).and_then(|value| short(Some(Digest::of(value.as_encoded_bytes()))))
}

/// The key's parts shared by every result of one plan of a task.
pub struct KeyParts<'a> {
    pub task: &'a TaskDefinition,
    pub tool: Digest,
    pub inputs: &'a [(String, Option<Digest>)],
    pub environment: Option<Digest>,
}

/// Builds the manifests of the results a plan computes, sharing one snapshot.
pub struct Manifests<'w> {
    workspace: &'w mut Workspace,
    edges: FxHashMap<SourceFile, Vec<SourceFile>>,
    /// Position in `snapshot` of each relative path.
    positions: FxHashMap<String, u32>,
    snapshot: Snapshot,
}

impl<'w> Manifests<'w> {
    pub fn new(workspace: &'w mut Workspace) -> Self {
        Self {
            workspace,
            edges: FxHashMap::default(),
            positions: FxHashMap::default(),
            snapshot: Vec::new(),
        }
    }

    /// The members of `target`'s result: what its key's dependency part covers. `every` is
    /// every target of the task, for results that depend on all of them.
    /// `whole`: the result is the whole task's, not one target's.
    fn members(
        &mut self,
        deps: Deps,
        target: &str,
        every: &[String],
        whole: bool,
    ) -> Vec<(u32, u32)> {
        let root = self.workspace.root().to_path_buf();
        let file_of = |workspace: &Workspace, relative: &str| workspace.file(&root.join(relative));
        let mut members: Vec<(u32, u32)> = Vec::new();
        let mut seen: rustc_hash::FxHashSet<u32> = Default::default();
        let starts: Vec<String> = match (deps, file_of(self.workspace, target)) {
            _ if whole => every.to_vec(),
            (Deps::File, _) | (Deps::Imports, Some(_)) => vec![target.to_string()],
            (Deps::Imports, None) | (Deps::All, _) => every.to_vec(),
        };
        let follow = deps == Deps::Imports;
        // Breadth first, so each member's parent is on a shortest chain from the target.
        let mut queue: std::collections::VecDeque<(SourceFile, u32)> = Default::default();
        for start in starts {
            let position = self.position(&start);
            if seen.insert(position) {
                members.push((position, NO_PARENT));
                if follow && let Some(file) = file_of(self.workspace, &start) {
                    queue.push_back((file, (members.len() - 1) as u32));
                }
            }
        }
        while let Some((file, at)) = queue.pop_front() {
            let workspace = &mut *self.workspace;
            let edges = self
                .edges
                .entry(file)
                .or_insert_with(|| closure_edges(workspace, file))
                .clone();
            for edge in edges {
                let relative = self.workspace.display_path(edge.path(self.workspace.db()));
                let position = self.position(&relative);
                if seen.insert(position) {
                    members.push((position, at));
                    queue.push_back((edge, (members.len() - 1) as u32));
                }
            }
        }
        members
    }

    fn position(&mut self, relative: &str) -> u32 {
        if let Some(&position) = self.positions.get(relative) {
            return position;
        }
        let root = self.workspace.root();
        let digest = match self.workspace.file(&root.join(relative)) {
            Some(file) => self.workspace.file_digest(file),
            None => digest_of_file(&root.join(relative)),
        };
        let position = u32::try_from(self.snapshot.len()).unwrap_or(u32::MAX);
        self.snapshot.push((relative.to_string(), short(digest)));
        self.positions.insert(relative.to_string(), position);
        position
    }

    /// The manifest of the result of `target` (the first of a unit's targets; `whole` for a
    /// result of the whole task).
    pub fn manifest(
        &mut self,
        parts: &KeyParts<'_>,
        target: &str,
        every: &[String],
        whole: bool,
    ) -> Manifest {
        let members = self.members(parts.task.deps, target, every, whole);
        Manifest {
            definition: *parts.task.digest.as_bytes(),
            tool: *parts.tool.as_bytes(),
            env: parts
                .task
                .env
                .iter()
                .map(|name| (name.clone(), variable(name)))
                .collect(),
            inputs: parts
                .inputs
                .iter()
                .map(|(path, digest)| (path.clone(), short(*digest)))
                .collect(),
            environment: parts.environment.map(|digest| *digest.as_bytes()),
            snapshot: [0; 32],
            members,
        }
    }

    /// Keeps the snapshot in `store`; its digest, which the manifests name.
    pub fn keep_snapshot(self, store: &Store) -> [u8; 32] {
        let bytes = postcard::to_allocvec(&self.snapshot).unwrap_or_default();
        let digest = *Digest::of(&bytes).as_bytes();
        store.put(snapshot_key(store, &digest), bytes);
        digest
    }
}

/// A manifest and its snapshot, as kept for the result under `key`.
pub fn read(store: &Store, key: &Digest) -> Option<(Manifest, Snapshot)> {
    let manifest: Manifest = postcard::from_bytes(&store.get(&manifest_key(store, key))?).ok()?;
    let snapshot: Snapshot =
        postcard::from_bytes(&store.get(&snapshot_key(store, &manifest.snapshot))?).ok()?;
    Some((manifest, snapshot))
}

/// The chain of paths from the target to the member at `at`, by the members' parents.
pub fn chain(manifest: &Manifest, snapshot: &Snapshot, at: usize) -> Vec<String> {
    let mut chain = Vec::new();
    let mut index = at;
    // Bounded by the members' count: a damaged manifest cannot loop.
    for _ in 0..=manifest.members.len() {
        let Some(&(position, parent)) = manifest.members.get(index) else {
            break;
        };
        if let Some((path, _)) = snapshot.get(position as usize) {
            chain.push(path.clone());
        }
        if parent == NO_PARENT {
            break;
        }
        index = parent as usize;
    }
    chain.reverse();
    chain
}

/// The current digest of a member: the workspace file's bytes on disk, or the file's.
pub fn current(workspace: &Workspace, relative: &str) -> Option<[u8; 16]> {
    let path = workspace.root().join(relative);
    short(match workspace.file(&path) {
        Some(file) => workspace.file_digest(file),
        None => digest_of_file(Path::new(&path)),
    })
}

//! The digest of a file's dependency closure (`deps = "imports"`): the file, what it imports,
//! transitively, as the workspace's import graph says, and what Python runs before it:
//!
//! - the `__init__.py` of its package and of every package above it (importing `a.b.c` runs
//!   `a/__init__.py` and `a/b/__init__.py` first);
//! - the nearest `conftest.py` at or above its folder, and the next one above that one, up to
//!   the root (the ones pytest loads for a test file), with what they import. Every task with
//!   `deps = "imports"` counts them, not only pytest's: a `conftest.py` change re-runs mypy on
//!   the files below it too, which costs a run and is never wrong.
//!
//! What the graph cannot see (imports built at run time with `importlib`, `__import__` or
//! plugins found by entry point, data files a test opens, libraries outside the workspace
//! beyond their environment's digest) belongs in the task's `inputs`.
//!
//! The digest is a Merkle digest over the graph's strongly connected components, computed in
//! one pass over the closure: a component's digest covers its members' paths and contents and
//! the digests of the components it reaches, so it changes exactly when something in the
//! closure does, and a target's key costs the size of its component, not of its closure
//! (`django` has 2,800 files whose closures hold hundreds each).

use std::path::Path;

use ripple_core::{Digest, SourceFile};
use ripple_workspace::Workspace;
use rustc_hash::{FxHashMap, FxHashSet};

/// Closure digests, kept for one state of the workspace (a run).
#[derive(Default)]
pub struct ClosureDigests {
    done: FxHashMap<SourceFile, Digest>,
}

struct Frame {
    node: SourceFile,
    edges: Vec<SourceFile>,
    next: usize,
}

impl ClosureDigests {
    /// The digest of the closure of `start`. Tarjan's algorithm, with an explicit stack so a
    /// deep import chain cannot overflow the thread's.
    pub fn of(&mut self, workspace: &mut Workspace, start: SourceFile) -> Digest {
        if let Some(digest) = self.done.get(&start) {
            return *digest;
        }
        // index, lowlink
        let mut marks: FxHashMap<SourceFile, (u32, u32)> = FxHashMap::default();
        let mut edges_of: FxHashMap<SourceFile, Vec<SourceFile>> = FxHashMap::default();
        let mut on_stack: FxHashSet<SourceFile> = FxHashSet::default();
        let mut stack: Vec<SourceFile> = Vec::new();
        let mut frames: Vec<Frame> = Vec::new();
        let mut counter = 0u32;

        let mut enter = |node: SourceFile,
                         workspace: &mut Workspace,
                         marks: &mut FxHashMap<SourceFile, (u32, u32)>,
                         stack: &mut Vec<SourceFile>,
                         on_stack: &mut FxHashSet<SourceFile>|
         -> Frame {
            marks.insert(node, (counter, counter));
            counter += 1;
            stack.push(node);
            on_stack.insert(node);
            Frame {
                node,
                edges: closure_edges(workspace, node),
                next: 0,
            }
        };
        let frame = enter(start, workspace, &mut marks, &mut stack, &mut on_stack);
        frames.push(frame);
        while let Some(frame) = frames.last_mut() {
            if let Some(&next) = frame.edges.get(frame.next) {
                frame.next += 1;
                if self.done.contains_key(&next) {
                    continue;
                }
                if let Some(&(index, _)) = marks.get(&next) {
                    if on_stack.contains(&next) {
                        let node = frame.node;
                        lower(&mut marks, node, index);
                    }
                    continue;
                }
                let frame = enter(next, workspace, &mut marks, &mut stack, &mut on_stack);
                frames.push(frame);
                continue;
            }
            let Some(frame) = frames.pop() else { break };
            let node = frame.node;
            edges_of.insert(node, frame.edges);
            let (index, low) = marks.get(&node).copied().unwrap_or_default();
            if index == low {
                let mut members = Vec::new();
                while let Some(member) = stack.pop() {
                    on_stack.remove(&member);
                    members.push(member);
                    if member == node {
                        break;
                    }
                }
                let digest = self.component_digest(workspace, &members, &edges_of);
                for member in members {
                    self.done.insert(member, digest);
                }
            }
            if let Some(parent) = frames.last() {
                let parent = parent.node;
                lower(&mut marks, parent, low);
            }
        }
        self.done.get(&start).copied().unwrap_or_else(|| {
            // Unreachable: `start` is the first node entered, so its component is the last
            // closed. A digest of its own bytes alone would be wrong-but-quiet; this is loud.
            Digest::of(b"ripple: closure digest missing")
        })
    }

    fn component_digest(
        &self,
        workspace: &Workspace,
        members: &[SourceFile],
        edges_of: &FxHashMap<SourceFile, Vec<SourceFile>>,
    ) -> Digest {
        let member_set: FxHashSet<SourceFile> = members.iter().copied().collect();
        let mut contents: Vec<(String, Option<Digest>)> = members
            .iter()
            .map(|&member| {
                (
                    workspace.display_path(member.path(workspace.db())),
                    workspace.file_digest(member),
                )
            })
            .collect();
        contents.sort();
        let mut reached: Vec<Digest> = members
            .iter()
            .flat_map(|member| edges_of.get(member).into_iter().flatten())
            .filter(|next| !member_set.contains(next))
            .filter_map(|next| self.done.get(next).copied())
            .collect();
        reached.sort_by_key(|digest| *digest.as_bytes());
        reached.dedup();
        let mut parts: Vec<Vec<u8>> = vec![b"ripple closure 1".to_vec()];
        for (path, digest) in &contents {
            parts.push(path.as_bytes().to_vec());
            parts.push(content_part(*digest));
        }
        parts.push(b"reaches".to_vec());
        for digest in &reached {
            parts.push(digest.as_bytes().to_vec());
        }
        let parts: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        Digest::of_parts(&parts)
    }
}

/// A file's digest as a key part; a file that cannot be read counts as such, so that it
/// coming back changes the key.
pub fn content_part(digest: Option<Digest>) -> Vec<u8> {
    match digest {
        Some(digest) => digest.as_bytes().to_vec(),
        None => b"missing".to_vec(),
    }
}

fn lower(marks: &mut FxHashMap<SourceFile, (u32, u32)>, node: SourceFile, to: u32) {
    if let Some(mark) = marks.get_mut(&node) {
        mark.1 = mark.1.min(to);
    }
}

/// What `file` depends on directly: its imports, its package's `__init__.py` and the
/// `conftest.py` that pytest loads before it.
pub(crate) fn closure_edges(workspace: &mut Workspace, file: SourceFile) -> Vec<SourceFile> {
    let mut edges = workspace.dependencies_of(file);
    let path = file.path(workspace.db()).to_path_buf();
    let is_python = path
        .extension()
        .is_some_and(|extension| extension == "py" || extension == "pyi");
    if is_python && let Some(folder) = path.parent() {
        let root = workspace.root().to_path_buf();
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or("");
        // The package `file` is in, or for a package's `__init__.py` the one above.
        let package = if name == "__init__.py" {
            folder.parent()
        } else {
            Some(folder)
        };
        if let Some(package) = package.filter(|package| package.starts_with(&root)) {
            edges.extend(workspace.file(&package.join("__init__.py")));
        }
        let start = if name == "conftest.py" {
            folder.parent()
        } else {
            Some(folder)
        };
        if let Some(conftest) = start.and_then(|start| nearest(workspace, start, &root)) {
            edges.push(conftest);
        }
    }
    edges.sort_by_key(|edge| edge.path(workspace.db()).to_path_buf());
    edges.dedup();
    edges.retain(|&edge| edge != file);
    edges
}

/// The nearest `conftest.py` of the workspace at or above `folder`, up to `root`.
fn nearest(workspace: &Workspace, folder: &Path, root: &Path) -> Option<SourceFile> {
    folder
        .ancestors()
        .take_while(|dir| dir.starts_with(root))
        .find_map(|dir| workspace.file(&dir.join("conftest.py")))
}

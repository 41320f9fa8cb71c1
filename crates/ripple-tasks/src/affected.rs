//! Which of a task's targets a change may give another result: the reverse of its key. A
//! result depends on the task's table, its `inputs`, and by `deps` on the target alone, on the
//! target's closure (`closure.rs`: imports, the `__init__.py` above it, the `conftest.py` pytest
//! loads), or on every target. So a target is affected when the table or an input changed, or
//! when what its key covers changed: for `deps = "imports"`, when a file of its closure is
//! among the workspace's affected files (`Workspace::affected_by`), or when an `__init__.py` or
//! `conftest.py` above it came or went.

use std::path::Path;

use ripple_core::SourceFile;
use ripple_workspace::{Affected, Change, ChangeKind, Workspace};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::closure::closure_edges;
use crate::definition::{Deps, TaskDefinition};
use crate::targets::{OtherFiles, targets_of};

/// The targets of each task a change may affect, relative to the root, sorted. One walk of the
/// graph serves every task with `deps = "imports"`.
pub struct TaskAffected {
    others: OtherFiles,
    /// The files whose closure holds an affected file, once computed.
    reached: Option<FxHashSet<SourceFile>>,
}

impl TaskAffected {
    pub fn new() -> Self {
        Self {
            others: OtherFiles::default(),
            reached: None,
        }
    }

    /// The targets of `task` that `changes` (whose effect on the workspace's files is
    /// `affected`) may give another result.
    pub fn targets(
        &mut self,
        workspace: &mut Workspace,
        task: &TaskDefinition,
        changes: &[Change],
        affected: &Affected,
    ) -> Vec<String> {
        let root = workspace.root().to_path_buf();
        let targets = targets_of(task, workspace, &mut self.others);
        let relative = |path: &Path| crate::diagnostics::relative(&root, path);
        let changed: Vec<(String, ChangeKind)> = changes
            .iter()
            .filter_map(|change| Some((relative(&change.path)?, change.kind)))
            .collect();
        let everything = affected.everything.is_some()
            || changes.iter().any(|change| change.path == task.config_path)
            || changed
                .iter()
                .any(|(path, _)| is_input(task, path.strip_prefix("./").unwrap_or(path)));
        let names = |targets: &mut dyn Iterator<Item = &crate::targets::Target>| -> Vec<String> {
            targets.map(|target| target.relative.clone()).collect()
        };
        if everything {
            return names(&mut targets.iter());
        }
        let is_target_change = |(path, _): &(String, ChangeKind)| task.files_matcher.is_match(path);
        match task.deps {
            Deps::All if changed.iter().any(is_target_change) => names(&mut targets.iter()),
            Deps::All => Vec::new(),
            Deps::File => {
                let touched: FxHashSet<&str> = changed
                    .iter()
                    .filter(|(_, kind)| *kind != ChangeKind::Deleted)
                    .map(|(path, _)| path.as_str())
                    .collect();
                names(
                    &mut targets
                        .iter()
                        .filter(|target| touched.contains(target.relative.as_str())),
                )
            }
            Deps::Imports => {
                // Imports of a target ripple does not read are unknown: its key covers every
                // target, so any change among them affects them all.
                let unread_changed = changed.iter().any(|change| {
                    is_target_change(change) && workspace.file(&root.join(&change.0)).is_none()
                });
                if unread_changed && targets.iter().any(|target| target.file.is_none()) {
                    return names(&mut targets.iter());
                }
                let reached = self.reached(workspace, changes, affected);
                names(
                    &mut targets
                        .iter()
                        .filter(|target| target.file.is_some_and(|file| reached.contains(&file))),
                )
            }
        }
    }

    /// The workspace files whose closure holds a file `affected` seeds, or lies under an
    /// `__init__.py` or `conftest.py` that came or went.
    fn reached(
        &mut self,
        workspace: &mut Workspace,
        changes: &[Change],
        affected: &Affected,
    ) -> &FxHashSet<SourceFile> {
        self.reached.get_or_insert_with(|| {
            let files = workspace.files();
            let mut seeds: Vec<SourceFile> = affected.seeds.clone();
            for change in changes.iter().filter(|c| c.kind != ChangeKind::Modified) {
                let name = change.path.file_name().and_then(|name| name.to_str());
                if !matches!(name, Some("__init__.py" | "conftest.py")) {
                    continue;
                }
                if let Some(folder) = change.path.parent() {
                    seeds.extend(
                        files
                            .iter()
                            .copied()
                            .filter(|file| file.path(workspace.db()).starts_with(folder)),
                    );
                }
            }
            let mut dependents: FxHashMap<SourceFile, Vec<SourceFile>> = FxHashMap::default();
            for &file in files.iter() {
                for edge in closure_edges(workspace, file) {
                    dependents.entry(edge).or_default().push(file);
                }
            }
            let mut reached: FxHashSet<SourceFile> = seeds.iter().copied().collect();
            while let Some(file) = seeds.pop() {
                for &dependent in dependents.get(&file).into_iter().flatten() {
                    if reached.insert(dependent) {
                        seeds.push(dependent);
                    }
                }
            }
            reached
        })
    }
}

impl Default for TaskAffected {
    fn default() -> Self {
        Self::new()
    }
}

/// Whether `path` (relative to the root) is one of the task's `inputs`.
fn is_input(task: &TaskDefinition, path: &str) -> bool {
    task.inputs_matcher.is_match(path)
        || task
            .inputs
            .iter()
            .any(|input| input.strip_prefix("./").unwrap_or(input) == path)
}

//! The files a task checks (its `files` globs) and the other files its results depend on (its
//! `inputs`). Targets in a language ripple reads are taken from the workspace's file set (so
//! ripple's `exclude` and `.gitignore` apply, and the digests the check computed are reused);
//! anything else is found by a walk with the same rules.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;
use ripple_core::{Digest, SourceFile};
use ripple_workspace::{Workspace, is_excluded_dir};

use crate::definition::TaskDefinition;

/// One file a task checks.
#[derive(Debug, Clone)]
pub struct Target {
    /// Relative to the root, `/`-separated: what the tool is given and results are keyed by.
    pub relative: String,
    /// The workspace's file, when it is one (its imports are known).
    pub file: Option<SourceFile>,
}

/// The files under the root that are not the workspace's, found once per run and only when a
/// task needs them: (relative path, absolute path).
#[derive(Default)]
pub struct OtherFiles {
    walked: Option<Vec<(String, PathBuf)>>,
}

impl OtherFiles {
    fn get(&mut self, root: &Path) -> &[(String, PathBuf)] {
        self.walked.get_or_insert_with(|| walk(root))
    }
}

/// The targets of `task`, sorted by path.
pub fn targets_of(
    task: &TaskDefinition,
    workspace: &Workspace,
    others: &mut OtherFiles,
) -> Vec<Target> {
    let mut targets: Vec<Target> = workspace
        .files()
        .iter()
        .filter_map(|&file| {
            let relative = workspace.display_path(file.path(workspace.db()));
            task.files_matcher.is_match(&relative).then_some(Target {
                relative,
                file: Some(file),
            })
        })
        .collect();
    if !targets_in_file_set(task, workspace) {
        let root = workspace.root().to_path_buf();
        for (relative, path) in others.get(&root) {
            if task.files_matcher.is_match(relative) && workspace.file(path).is_none() {
                targets.push(Target {
                    relative: relative.clone(),
                    file: None,
                });
            }
        }
    }
    targets.sort_by(|a, b| a.relative.cmp(&b.relative));
    targets.dedup_by(|a, b| a.relative == b.relative);
    targets
}

/// Whether every `files` glob ends in an extension of a language the workspace reads, so the
/// workspace's file set holds every target and no walk is needed.
pub(crate) fn targets_in_file_set(task: &TaskDefinition, workspace: &Workspace) -> bool {
    task.files.iter().all(|glob| {
        let name = glob.rsplit('/').next().unwrap_or(glob);
        name.rsplit_once('.').is_some_and(|(_, extension)| {
            extension.chars().all(|c| c.is_ascii_alphanumeric())
                && workspace
                    .languages()
                    .extensions()
                    .any(|known| known == extension)
        })
    })
}

/// The task's `inputs` with their digests, sorted by path: plain paths are read directly
/// (a missing one counts as missing, so creating it changes the key), globs match the walk.
pub fn inputs_of(
    task: &TaskDefinition,
    root: &Path,
    others: &mut OtherFiles,
) -> Vec<(String, Option<Digest>)> {
    let mut inputs: Vec<(String, Option<Digest>)> = Vec::new();
    let mut globbed = false;
    for input in &task.inputs {
        let input = input.strip_prefix("./").unwrap_or(input);
        if input.contains(['*', '?', '[', '{']) {
            globbed = true;
        } else {
            inputs.push((input.to_string(), digest_of_file(&root.join(input))));
        }
    }
    if globbed {
        for (relative, path) in others.get(root) {
            if task.inputs_matcher.is_match(relative) {
                inputs.push((relative.clone(), digest_of_file(path)));
            }
        }
    }
    inputs.sort();
    inputs.dedup();
    inputs
}

pub fn digest_of_file(path: &Path) -> Option<Digest> {
    std::fs::read(path).ok().map(|bytes| Digest::of(&bytes))
}

/// Every file under the root, by the workspace walk's rules (`.gitignore`, hidden files and
/// the built-in exclusions such as virtual environments and `node_modules`).
fn walk(root: &Path) -> Vec<(String, PathBuf)> {
    let walker = WalkBuilder::new(root)
        .hidden(true)
        .parents(false)
        .git_ignore(true)
        .git_global(false)
        .git_exclude(true)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|entry| {
            entry.depth() == 0
                || !(entry.file_type().is_some_and(|kind| kind.is_dir())
                    && is_excluded_dir(entry.path()))
        })
        .build();
    let mut files = Vec::new();
    for entry in walker.flatten() {
        if !entry.file_type().is_some_and(|kind| kind.is_file()) {
            continue;
        }
        let path = entry.into_path();
        if let Some(relative) = crate::diagnostics::relative(root, &path) {
            files.push((relative, path));
        }
    }
    files
}

//! Why a file's kept findings do or do not hold now (`ripple explain`): fresh, stale or never
//! computed, and when stale exactly which of what they were computed from changed since.
//!
//! A kept findings value is keyed by its file's bytes and its context, and lists the files
//! whose bytes it read (as positions in the file set, with their digests). The last save that
//! met a new context recorded what it was made of and its file set (`ResultsContext`), and the
//! stat index holds each file's digest as of that save: together they name, for a file whose
//! key no longer finds anything, the value it had and each input with its old digest.

use std::path::Path;

use ripple_core::{Digest, SourceFile};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::cache::ResultsContext;
use crate::results::{findings_key, short, stored_inputs};
use crate::workspace::Workspace;

/// The state of a kept result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Freshness {
    /// Kept, and everything it was made from is as it was.
    Fresh,
    /// Kept for an earlier state: something it was made from changed.
    Stale,
    /// Nothing kept (never computed, or pruned since).
    NeverRun,
}

/// One input of a result that changed: its path, its digest then and now (128-bit, hex;
/// `None` when it did not exist), and the chain of imports from the explained file to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangedInput {
    pub path: String,
    pub old: Option<String>,
    pub new: Option<String>,
    pub chain: Vec<String>,
}

/// A change to what every result of a state depends on, rather than to one input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "what", rename_all = "kebab-case")]
pub enum StateChange {
    /// Files came or went (imports may resolve elsewhere).
    Files {
        added: Vec<String>,
        removed: Vec<String>,
    },
    /// A language's environment (Python's search roots, its settings) changed.
    Environment { language: String },
    /// A folder outside the workspace that resolution looked in changed (an install).
    Libraries,
    /// Something else the result's key holds (a task's definition, its tool, a variable).
    Other { detail: String },
}

/// The answer of `ripple explain` for one file (or one target of a task).
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub path: String,
    pub task: Option<String>,
    pub status: Freshness,
    /// The inputs that changed, the file itself first when it did.
    pub changed: Vec<ChangedInput>,
    pub state: Vec<StateChange>,
}

pub(crate) fn hex(digest: &[u8]) -> String {
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

impl Workspace {
    /// Explains the kept findings of the workspace file at `path` (`None`: not one).
    pub fn explain(&mut self, path: &Path) -> Option<Explanation> {
        let file = self.file(path)?;
        let display = self.display_path(path);
        let mut explanation = Explanation {
            path: display.clone(),
            task: None,
            status: Freshness::NeverRun,
            changed: Vec::new(),
            state: Vec::new(),
        };
        let Some(store) = self.store() else {
            return Some(explanation);
        };
        let language = self.languages().get(file.language(self.db()))?.name();
        // The bytes on disk now, read if this load has not (a changed file is not read until
        // it is checked; a file touched but unchanged keeps its findings).
        let now = self.file_digest(file);
        let root = self.root().to_path_buf();

        // Kept for these bytes in this state: fresh unless a file it read changed since.
        let results = self.results_cache();
        if let (Some(results), Some(now)) = (&results, now) {
            let key = findings_key(&store, &results.context(), language, path, &now);
            if let Some(inputs) = store.get(&key).and_then(|value| stored_inputs(&value)) {
                let paths: Vec<String> = inputs
                    .iter()
                    .filter_map(|(position, _)| {
                        let input = results.files().get(*position as usize)?;
                        Some(self.display_path(input.path(self.db())))
                    })
                    .collect();
                let positions = inputs.iter().map(|(_, old)| *old);
                explanation.changed = self.changed_inputs(file, paths.into_iter().zip(positions));
                explanation.status = if explanation.changed.is_empty() {
                    Freshness::Fresh
                } else {
                    Freshness::Stale
                };
                return Some(explanation);
            }
        }

        // Else the findings the last save kept for the file, in the state it recorded.
        let relative = path.strip_prefix(&root).unwrap_or(path);
        let (Some(recorded), Some(before)) = (
            ResultsContext::read(&store, &root),
            store.read_stat_index(&root).recorded(relative),
        ) else {
            return Some(explanation);
        };
        let old_key = findings_key(
            &store,
            &Digest::from_bytes(recorded.context),
            language,
            path,
            &before,
        );
        let Some(inputs) = store.get(&old_key).and_then(|value| stored_inputs(&value)) else {
            return Some(explanation);
        };
        explanation.status = Freshness::Stale;
        if now.map(|digest| short(&digest)) != Some(short(&before)) {
            explanation.changed.push(ChangedInput {
                path: display.clone(),
                old: Some(hex(&short(&before))),
                new: now.map(|digest| hex(&short(&digest))),
                chain: vec![display.clone()],
            });
        }
        let read: Vec<(String, [u8; 16])> = inputs
            .into_iter()
            .filter_map(|(position, old)| {
                Some((recorded.files.get(position as usize)?.clone(), old))
            })
            .collect();
        let changed = self.changed_inputs(file, read.into_iter());
        explanation.changed.extend(changed);
        explanation.state = self.state_changes(&recorded, results.as_deref());
        Some(explanation)
    }

    /// Of the inputs `file`'s findings read (display path, digest then), those whose bytes
    /// differ now, with the chain of imports from `file` to each.
    fn changed_inputs(
        &mut self,
        file: SourceFile,
        read: impl Iterator<Item = (String, [u8; 16])>,
    ) -> Vec<ChangedInput> {
        let root = self.root().to_path_buf();
        let display = self.display_path(file.path(self.db()));
        let mut changed = Vec::new();
        for (input, old) in read {
            let current = self
                .file(&root.join(&input))
                .and_then(|input| self.file_digest(input));
            if current.map(|digest| short(&digest)) == Some(old) {
                continue;
            }
            let chain = self
                .import_chain(file, &root.join(&input))
                .unwrap_or_else(|| vec![display.clone(), input.clone()]);
            changed.push(ChangedInput {
                path: input,
                old: Some(hex(&old)),
                new: current.map(|digest| hex(&short(&digest))),
                chain,
            });
        }
        changed
    }

    /// What changed in the state every result depends on since `recorded`.
    fn state_changes(
        &self,
        recorded: &ResultsContext,
        results: Option<&crate::results::ResultCache>,
    ) -> Vec<StateChange> {
        let mut changes = Vec::new();
        let now: Vec<String> = self
            .files()
            .iter()
            .map(|file| self.display_path(file.path(self.db())))
            .collect();
        let then: FxHashSet<&str> = recorded.files.iter().map(String::as_str).collect();
        let current: FxHashSet<&str> = now.iter().map(String::as_str).collect();
        let mut added: Vec<String> = now
            .iter()
            .filter(|path| !then.contains(path.as_str()))
            .cloned()
            .collect();
        let mut removed: Vec<String> = recorded
            .files
            .iter()
            .filter(|path| !current.contains(path.as_str()))
            .cloned()
            .collect();
        if !added.is_empty() || !removed.is_empty() {
            added.sort();
            removed.sort();
            changes.push(StateChange::Files { added, removed });
        }
        let environments: FxHashMap<&str, [u8; 32]> = recorded
            .environments
            .iter()
            .map(|(name, digest)| (name.as_str(), *digest))
            .collect();
        for (_, language) in self.languages().iter() {
            let now = *language.environment(self.db()).as_bytes();
            if environments.get(language.name()) != Some(&now) {
                changes.push(StateChange::Environment {
                    language: language.name().to_string(),
                });
            }
        }
        if self
            .disk_epoch()
            .is_some_and(|epoch| *epoch.as_bytes() != recorded.disk_epoch)
        {
            changes.push(StateChange::Libraries);
        }
        if changes.is_empty()
            && results
                .is_some_and(|results| results.context() != Digest::from_bytes(recorded.context))
        {
            changes.push(StateChange::Other {
                detail: "the state the findings were kept for".to_string(),
            });
        }
        changes
    }

    /// The shortest chain of imports from `from` to the file at `to`, as display paths.
    pub(crate) fn import_chain(&mut self, from: SourceFile, to: &Path) -> Option<Vec<String>> {
        let target = self.file(to)?;
        let mut parent: FxHashMap<SourceFile, SourceFile> = FxHashMap::default();
        let mut queue = std::collections::VecDeque::from([from]);
        let mut seen: FxHashSet<SourceFile> = FxHashSet::from_iter([from]);
        while let Some(file) = queue.pop_front() {
            if file == target {
                let mut chain = vec![file];
                let mut at = file;
                while let Some(&before) = parent.get(&at) {
                    chain.push(before);
                    at = before;
                }
                chain.reverse();
                return Some(
                    chain
                        .into_iter()
                        .map(|file| self.display_path(file.path(self.db())))
                        .collect(),
                );
            }
            for next in self.dependencies_of(file) {
                if seen.insert(next) {
                    parent.insert(next, file);
                    queue.push_back(next);
                }
            }
        }
        None
    }
}

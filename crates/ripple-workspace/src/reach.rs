//! Which files an edit can reach: the workspace's import graph, reversed, kept up to date edit by
//! edit, so that after an edit the server checks the edited files and the importers whose
//! findings can change rather than all of a 100,000-file workspace. (salsa would find the rest
//! unchanged, but only after being asked about every one of them: tens of milliseconds per
//! 10,000 files.)
//!
//! Each edge carries the names the importer takes from the file (`ripple_python::importers`).
//! After an edit, the file's exports are compared with those its importers were last checked
//! against: only importers of a name that appeared or disappeared are reached, and, past a file
//! that star-imports the edited one, that file's importers of those names. A body edit reaches
//! no importer; renaming a function reaches the files that import it, not the thousands that
//! import something else from the same module. Where an import resolves depends on the set of
//! files, not on their text: a change to the set invalidates the graph
//! (`Workspace::file_set_generation`), and the caller checks everything instead.

use std::sync::Arc;

use ripple_core::SourceFile;
use ripple_python::{Db, ExportChange, ImportedFile, ModuleExports, exports, imported_files};
use rustc_hash::{FxHashMap, FxHashSet};

#[derive(Default)]
pub struct ImportGraph {
    /// What each file imports from the workspace.
    forward: FxHashMap<SourceFile, Arc<[ImportedFile]>>,
    importers: FxHashMap<SourceFile, FxHashSet<SourceFile>>,
    /// Each file's exports as its importers' published findings saw them.
    seen: FxHashMap<SourceFile, Arc<ModuleExports>>,
    /// Files edited since their edges were read: re-read before the next walk.
    stale: FxHashSet<SourceFile>,
    /// Files whose importers were reached but whose check has not completed yet.
    unconfirmed: FxHashSet<SourceFile>,
}

impl ImportGraph {
    /// The graph of `files`, as checked. Cheap once they are checked (the queries are memoized).
    pub fn build(db: &dyn Db, files: &[SourceFile]) -> Self {
        let mut graph = Self::default();
        for &file in files {
            graph.read_edges(db, file);
            graph.seen.insert(file, exports(db, file).clone());
        }
        graph
    }

    /// The files whose findings `changed` can affect, `changed` included. Reads the exports of
    /// changed files that have importers (the check would analyse them first anyway). The edges
    /// of files changed in earlier calls are re-read first (they were checked since, so this
    /// reads memoized answers); those of `changed` are marked for the next call.
    ///
    /// Until `confirm` says the check of what this returned has completed, the next call still
    /// compares with the exports seen before: a cancelled check leaves nothing unreached.
    pub fn reach(&mut self, db: &dyn Db, changed: &[SourceFile]) -> Vec<SourceFile> {
        let now: FxHashSet<SourceFile> = changed.iter().copied().collect();
        let refresh: Vec<SourceFile> = self
            .stale
            .iter()
            .filter(|file| !now.contains(file))
            .copied()
            .collect();
        for file in refresh {
            self.stale.remove(&file);
            self.read_edges(db, file);
        }
        self.stale.extend(changed.iter().copied());
        self.unconfirmed.extend(changed.iter().copied());

        let mut reached = now;
        let mut order: Vec<SourceFile> = changed.to_vec();
        // Each file whose exports changed for its importers, with what changed. A star-importer
        // changes as the file it star-imports does; `spread` keeps what each file was walked
        // with, so cycles of star imports end.
        let mut queue: Vec<(SourceFile, ExportChange)> = Vec::new();
        for &file in changed {
            if self.importers.get(&file).is_none_or(FxHashSet::is_empty) {
                continue;
            }
            let after = exports(db, file);
            let change = match self.seen.get(&file) {
                Some(before) => ExportChange::between(before, after),
                None => ExportChange::Everything,
            };
            queue.push((file, change));
        }
        let mut spread: FxHashMap<SourceFile, ExportChange> = FxHashMap::default();
        while let Some((file, change)) = queue.pop() {
            let Some(importers) = self.importers.get(&file) else {
                continue;
            };
            for &importer in importers {
                let Some(edge) = self
                    .forward
                    .get(&importer)
                    .and_then(|edges| edges.iter().find(|edge| edge.file == file))
                else {
                    continue;
                };
                if change.affects(&edge.names) && reached.insert(importer) {
                    order.push(importer);
                }
                if edge.star
                    && spread
                        .entry(importer)
                        .or_insert(ExportChange::Nothing)
                        .absorb(&change)
                {
                    queue.push((importer, change.clone()));
                }
            }
        }
        order
    }

    /// The check of everything `reach` returned since the last confirmation has completed and
    /// been published: its importers now show the changed files' current exports.
    pub fn confirm(&mut self, db: &dyn Db) {
        for file in std::mem::take(&mut self.unconfirmed) {
            self.seen.insert(file, exports(db, file).clone());
        }
    }

    /// Forgets what the importers of `files` were shown: the next change of one reaches all its
    /// importers. For a graph built from text newer than the importers' published findings.
    pub fn forget(&mut self, files: &[SourceFile]) {
        for file in files {
            self.seen.remove(file);
        }
    }

    /// Marks files whose text changed without asking what they reach (their edges are re-read
    /// before the next walk).
    pub fn mark_changed(&mut self, changed: impl IntoIterator<Item = SourceFile>) {
        self.stale.extend(changed);
    }

    fn read_edges(&mut self, db: &dyn Db, file: SourceFile) {
        if let Some(old) = self.forward.remove(&file) {
            for edge in old.iter() {
                if let Some(importers) = self.importers.get_mut(&edge.file) {
                    importers.remove(&file);
                }
            }
        }
        let edges = imported_files(db, file).clone();
        for edge in edges.iter() {
            self.importers.entry(edge.file).or_default().insert(file);
        }
        self.forward.insert(file, edges);
    }
}

//! Which files an edit can reach: the workspace's import graph, reversed, kept up to date edit by
//! edit, so that after an edit the server checks the edited files and those that can see them
//! rather than all of a 100,000-file workspace. (salsa would find the rest unchanged, but only
//! after being asked about every one of them: tens of milliseconds per 10,000 files.)
//!
//! A file's findings depend on other files only through `import_diagnostics`, which reads the
//! exports of the modules it imports from and, through their star imports, of the modules those
//! star-import. So an edit of `f` can change the findings of `f`, of every file importing `f`,
//! and, past a file that star-imports, of the files importing that one. Where an import
//! resolves depends on the set of files, not on their text: a change to the set invalidates the
//! graph (`Workspace::file_set_generation`), and the caller checks everything instead.

use std::sync::Arc;

use ripple_core::SourceFile;
use ripple_python::{Db, ImportKind, imported_files, imports};
use rustc_hash::{FxHashMap, FxHashSet};

#[derive(Default)]
pub struct ImportGraph {
    /// What each file imports from the workspace, and whether any of its imports is a star.
    forward: FxHashMap<SourceFile, (Arc<[SourceFile]>, bool)>,
    importers: FxHashMap<SourceFile, FxHashSet<SourceFile>>,
    /// Files edited since their edges were read: re-read before the next walk.
    stale: FxHashSet<SourceFile>,
}

impl ImportGraph {
    /// The graph of `files`. Cheap once they are checked (the queries are memoized).
    pub fn build(db: &dyn Db, files: &[SourceFile]) -> Self {
        let mut graph = Self::default();
        for &file in files {
            graph.read_edges(db, file);
        }
        graph
    }

    /// The files whose findings `changed` can affect, `changed` included. The edges of files
    /// changed in earlier calls are re-read first (they were checked since, so this reads
    /// memoized answers); those of `changed` are marked for the next call instead, so the caller
    /// does not analyse the new text here, before its check does.
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

        let mut reached = now.clone();
        let mut order: Vec<SourceFile> = changed.to_vec();
        let mut queue: Vec<SourceFile> = changed.to_vec();
        while let Some(file) = queue.pop() {
            let Some(importers) = self.importers.get(&file) else {
                continue;
            };
            for &importer in importers {
                if reached.insert(importer) {
                    order.push(importer);
                    // What a star-importer exports includes `file`'s names: its importers see
                    // the change too.
                    if self.forward.get(&importer).is_some_and(|(_, star)| *star) {
                        queue.push(importer);
                    }
                }
            }
        }
        order
    }

    /// Marks files whose text changed without asking what they reach (their edges are re-read
    /// before the next walk).
    pub fn mark_changed(&mut self, changed: impl IntoIterator<Item = SourceFile>) {
        self.stale.extend(changed);
    }

    fn read_edges(&mut self, db: &dyn Db, file: SourceFile) {
        if let Some((old, _)) = self.forward.remove(&file) {
            for imported in old.iter() {
                if let Some(importers) = self.importers.get_mut(imported) {
                    importers.remove(&file);
                }
            }
        }
        let targets = imported_files(db, file).clone();
        let star = imports(db, file)
            .iter()
            .any(|request| request.kind == ImportKind::Star);
        for &imported in targets.iter() {
            self.importers.entry(imported).or_default().insert(file);
        }
        self.forward.insert(file, (targets, star));
    }
}

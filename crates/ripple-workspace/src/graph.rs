//! Which files an edit can reach: the workspace's dependency graph, reversed, kept up to date
//! edit by edit, so that after an edit the server checks the edited files and the dependents
//! whose findings can change rather than all of a 100,000-file workspace. (salsa would find the
//! rest unchanged, but only after being asked about every one of them: tens of milliseconds per
//! 10,000 files.) The graph is language-neutral: its edges are what each file's language says
//! it depends on (`Language::dependencies`), its nodes' interfaces what it exports.
//!
//! Each edge carries the names the importer takes from the file.
//! After an edit, the file's exports are compared with those its importers were last checked
//! against: only importers of a name that appeared or disappeared are reached, and, past a file
//! that star-imports the edited one, that file's importers of those names. A body edit reaches
//! no importer; renaming a function reaches the files that import it, not the thousands that
//! import something else from the same module. Where an import resolves depends on the set of
//! files, not on their text: a change to the set invalidates the graph
//! (`Workspace::file_set_generation`), and the caller checks everything instead.

use std::sync::Arc;

use ripple_core::{Db, Dependency, Exports, SourceFile, name_key};
use rustc_hash::{FxHashMap, FxHashSet};

/// What a file exports, as its language says, in the graph's terms.
fn exports(db: &dyn Db, file: SourceFile) -> ExportKeys {
    match db.languages().get(file.language(db)) {
        Some(language) => ExportKeys::of(&language.exports(db, file)),
        None => ExportKeys::of(&Exports::unknown()),
    }
}

/// A file's exports as the graph compares them: the keys of its names (`name_key`) rather than
/// the names, a few bytes a name for every file of a large workspace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportKeys {
    /// Sorted; two names with one key are both kept, so that either one's going is seen.
    pub names: Box<[u64]>,
    /// See `Exports::open`.
    pub open: bool,
    /// The keys of `Exports::reexported_from`, in its order.
    pub reexported_from: Box<[u64]>,
}

impl ExportKeys {
    pub fn of(exports: &Exports) -> Self {
        let mut names: Vec<u64> = exports.names.iter().map(|name| name_key(name)).collect();
        names.sort_unstable();
        Self {
            names: names.into(),
            open: exports.open,
            reexported_from: exports
                .reexported_from
                .iter()
                .map(|module| name_key(module))
                .collect(),
        }
    }
}

/// What the graph needs of one file: its edges and its exports. From the store on a warm start
/// (no file analysed to build the graph), else from the language's memoized answers.
pub struct FileInterface {
    pub dependencies: Arc<[Dependency]>,
    pub exports: ExportKeys,
    /// `Language::lookups`: what `affected` needs when files come or go (not kept in the graph).
    pub lookups: Option<Arc<[u64]>>,
}

/// The workspace files a file depends on, as its language says.
fn dependencies(db: &dyn Db, file: SourceFile) -> Arc<[Dependency]> {
    match db.languages().get(file.language(db)) {
        Some(language) => language.dependencies(db, file),
        None => Arc::from([]),
    }
}

#[derive(Default)]
pub struct FileGraph {
    /// What each file depends on in the workspace.
    forward: FxHashMap<SourceFile, Arc<[Dependency]>>,
    importers: FxHashMap<SourceFile, FxHashSet<SourceFile>>,
    /// Each file's exports as its importers' published findings saw them.
    seen: FxHashMap<SourceFile, ExportKeys>,
    /// Files edited since their edges were read: re-read before the next walk.
    stale: FxHashSet<SourceFile>,
    /// Files whose importers were reached but whose check has not completed yet.
    unconfirmed: FxHashSet<SourceFile>,
}

impl FileGraph {
    /// The graph of `files`, as checked: each file's interface from `stored` when it has one
    /// (it must describe the file's current text and file set), else from its language (cheap
    /// once the file is checked: the queries are memoized).
    pub fn build(
        db: &dyn Db,
        files: &[SourceFile],
        stored: &dyn Fn(SourceFile) -> Option<FileInterface>,
    ) -> Self {
        Self::build_from(db, files.iter().map(|&file| (file, stored(file))))
    }

    /// `build`, with each file's stored interface found already (on many threads).
    pub fn build_from(
        db: &dyn Db,
        files: impl Iterator<Item = (SourceFile, Option<FileInterface>)>,
    ) -> Self {
        let mut graph = Self::default();
        for (file, stored) in files {
            match stored {
                Some(interface) => {
                    graph.add_edges(file, interface.dependencies);
                    graph.seen.insert(file, interface.exports);
                }
                None => {
                    graph.read_edges(db, file);
                    graph.seen.insert(file, exports(db, file));
                }
            }
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
                Some(before) => ExportChange::between(before, &after),
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
                if edge.reexports
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

    /// `seeds` and every file that depends on one of them, directly or through others, with no
    /// regard to what changed in them: what a change of unknown extent can reach.
    pub fn dependents_closure(&self, seeds: &[SourceFile]) -> FxHashSet<SourceFile> {
        let mut reached: FxHashSet<SourceFile> = seeds.iter().copied().collect();
        let mut queue: Vec<SourceFile> = seeds.to_vec();
        while let Some(file) = queue.pop() {
            for &importer in self.importers.get(&file).into_iter().flatten() {
                if reached.insert(importer) {
                    queue.push(importer);
                }
            }
        }
        reached
    }

    /// The check of everything `reach` returned since the last confirmation has completed and
    /// been published: its importers now show the changed files' current exports.
    pub fn confirm(&mut self, db: &dyn Db) {
        for file in std::mem::take(&mut self.unconfirmed) {
            self.seen.insert(file, exports(db, file));
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

    /// The workspace files `file` depends on directly, its edges read again first when its
    /// text changed since they were (so a build step's inputs are those of the current text).
    pub fn dependencies_of(&mut self, db: &dyn Db, file: SourceFile) -> Vec<SourceFile> {
        if self.stale.remove(&file) {
            self.read_edges(db, file);
        }
        match self.forward.get(&file) {
            Some(edges) => edges.iter().map(|edge| edge.file).collect(),
            None => {
                self.read_edges(db, file);
                self.forward
                    .get(&file)
                    .map(|edges| edges.iter().map(|edge| edge.file).collect())
                    .unwrap_or_default()
            }
        }
    }

    fn read_edges(&mut self, db: &dyn Db, file: SourceFile) {
        if let Some(old) = self.forward.remove(&file) {
            for edge in old.iter() {
                if let Some(importers) = self.importers.get_mut(&edge.file) {
                    importers.remove(&file);
                }
            }
        }
        self.add_edges(file, dependencies(db, file));
    }

    fn add_edges(&mut self, file: SourceFile, edges: Arc<[Dependency]>) {
        for edge in edges.iter() {
            self.importers.entry(edge.file).or_default().insert(file);
        }
        self.forward.insert(file, edges);
    }
}

/// What changed, for importers, between two versions of a module's exports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportChange {
    Nothing,
    /// These names (`name_key`s) appeared or disappeared.
    Names(FxHashSet<u64>),
    /// Whether any name is defined may have changed (a parse error came or went, a module came
    /// to answer for every name, what it re-exports).
    Everything,
}

impl ExportChange {
    pub fn between(before: &ExportKeys, after: &ExportKeys) -> Self {
        if before.open != after.open || before.reexported_from != after.reexported_from {
            return Self::Everything;
        }
        if before.open {
            // Every name "may be defined" before and after: nothing an importer sees changed.
            return Self::Nothing;
        }
        // Both lists are sorted: walk them together. A key held a different number of times
        // changed (one of the names sharing it came or went).
        let mut changed = FxHashSet::default();
        let (mut old, mut new) = (
            before.names.iter().peekable(),
            after.names.iter().peekable(),
        );
        loop {
            match (old.peek(), new.peek()) {
                (None, None) => break,
                (Some(a), Some(b)) if a == b => {
                    old.next();
                    new.next();
                }
                (Some(&&a), Some(&&b)) if a < b => {
                    changed.insert(a);
                    old.next();
                }
                (Some(_), Some(&&b)) | (None, Some(&&b)) => {
                    changed.insert(b);
                    new.next();
                }
                (Some(&&a), None) => {
                    changed.insert(a);
                    old.next();
                }
            }
        }
        if changed.is_empty() {
            Self::Nothing
        } else {
            Self::Names(changed)
        }
    }

    /// Whether an importer of `names` (an edge's `names`) can see this change.
    pub fn affects(&self, names: &[u64]) -> bool {
        match self {
            Self::Nothing => false,
            Self::Names(changed) => names.iter().any(|name| changed.contains(name)),
            Self::Everything => !names.is_empty(),
        }
    }

    /// Adds `other` to this change; whether anything was added.
    pub fn absorb(&mut self, other: &ExportChange) -> bool {
        match (&mut *self, other) {
            (_, Self::Nothing) | (Self::Everything, _) => false,
            (this, Self::Everything) => {
                *this = Self::Everything;
                true
            }
            (Self::Nothing, Self::Names(names)) => {
                *self = Self::Names(names.clone());
                true
            }
            (Self::Names(mine), Self::Names(names)) => {
                let before = mine.len();
                mine.extend(names.iter().copied());
                mine.len() != before
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exports(names: &[&str]) -> ExportKeys {
        let mut names: Vec<String> = names.iter().map(|name| name.to_string()).collect();
        names.sort();
        ExportKeys::of(&Exports {
            names,
            ..Exports::default()
        })
    }

    #[test]
    fn a_rename_changes_the_old_and_the_new_name_only() {
        let change = ExportChange::between(
            &exports(&["a", "helper", "z"]),
            &exports(&["a", "helperx", "z"]),
        );
        let expected: FxHashSet<u64> = [name_key("helper"), name_key("helperx")]
            .into_iter()
            .collect();
        assert_eq!(change, ExportChange::Names(expected));
        assert!(change.affects(&[name_key("helper")]));
        assert!(!change.affects(&[name_key("a"), name_key("z")]));
        assert!(
            !change.affects(&[]),
            "a plain `import m` depends on no name"
        );
    }

    #[test]
    fn the_same_names_are_no_change_and_a_parse_error_is_every_change() {
        let before = exports(&["a", "b"]);
        assert_eq!(
            ExportChange::between(&before, &before.clone()),
            ExportChange::Nothing
        );
        let broken = ExportKeys {
            open: true,
            ..before.clone()
        };
        assert_eq!(
            ExportChange::between(&before, &broken),
            ExportChange::Everything
        );
        let star = ExportKeys {
            reexported_from: [name_key("m")].into(),
            ..before.clone()
        };
        assert_eq!(
            ExportChange::between(&before, &star),
            ExportChange::Everything
        );
    }

    #[test]
    fn a_name_that_shares_its_key_with_another_is_seen_going() {
        let both = ExportKeys {
            names: [5, 5, 9].into(),
            ..ExportKeys::default()
        };
        let one = ExportKeys {
            names: [5, 9].into(),
            ..ExportKeys::default()
        };
        assert_eq!(
            ExportChange::between(&both, &one),
            ExportChange::Names([5].into_iter().collect())
        );
    }

    #[test]
    fn changes_add_up() {
        let mut change = ExportChange::Nothing;
        assert!(change.absorb(&ExportChange::Names([1].into_iter().collect())));
        assert!(!change.absorb(&ExportChange::Names([1].into_iter().collect())));
        assert!(change.absorb(&ExportChange::Names([2].into_iter().collect())));
        assert!(change.affects(&[2]));
        assert!(change.absorb(&ExportChange::Everything));
        assert!(!change.absorb(&ExportChange::Names([3].into_iter().collect())));
        assert_eq!(change, ExportChange::Everything);
    }
}

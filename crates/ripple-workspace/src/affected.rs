//! What a change to a workspace's files can affect: the files whose findings may differ from
//! what they were before the change, for `ripple affected` (CI runs only what a change reaches).
//!
//! The answer is taken on the workspace as it is now, after the change, and is safe rather than
//! exact: a file is affected when it changed, when one of the names its imports look up
//! (`Language::lookups`) finds a file or folder that came or went (`Language::presence`), or
//! when it depends, directly or through others, on such a file. That over-approaches what the
//! server's edit-by-edit reach computes (which compares exports), because the exports before the
//! change are not known here. A change to the configuration, or to a file that decides which
//! files the walk finds, affects every file.

use std::path::{Path, PathBuf};

use ripple_core::{Db as _, Digest, FileContents, Presence, SourceFile, name_key};
use rustc_hash::FxHashSet;

use crate::cache::ResultsContext;
use crate::config::Settings;
use crate::graph::{FileGraph, FileInterface};
use crate::paths::{FileRole, file_role};
use crate::results::{earlier_interface, findings_key};
use crate::workspace::Workspace;

/// How a path changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    Added,
    Deleted,
    Modified,
    /// Changed, and perhaps added or deleted: all that is known of a path someone named.
    Unknown,
}

/// One changed path, absolute.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    pub path: PathBuf,
    pub kind: ChangeKind,
    /// What the file held before, for a configuration file whose settings may not have
    /// changed (a version bump in `pyproject.toml`): `None` when not known.
    pub before: Option<Before>,
}

/// A file's contents before a change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Before {
    Missing,
    Bytes(Vec<u8>),
}

/// Why the whole workspace is affected, when it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Everything {
    /// The configuration the workspace loaded, or one it would load, changed.
    Configuration(PathBuf),
    /// A file deciding which files the walk finds (`.gitignore`) changed.
    IgnoreFile(PathBuf),
    /// A file came or went whose meaning to imports a language cannot say.
    UnknownPresence(PathBuf),
}

/// The workspace files a change may affect.
#[derive(Debug, Clone)]
pub struct Affected {
    /// Set when every file is affected, with why.
    pub everything: Option<Everything>,
    /// The affected files, in path order.
    pub files: Vec<SourceFile>,
    /// The files affected by the change itself (changed, or looking up a name whose file came
    /// or went), in path order: the rest are affected through their dependencies.
    pub seeds: Vec<SourceFile>,
}

impl Workspace {
    /// The files whose findings `changes` may affect (see the module's comment).
    pub fn affected_by(&mut self, changes: &[Change]) -> Affected {
        let all = self.files();
        if let Some(why) = self.affects_everything(changes) {
            return Affected {
                everything: Some(why),
                files: all.to_vec(),
                seeds: all.to_vec(),
            };
        }
        let mut seeds: FxHashSet<SourceFile> = changes
            .iter()
            .filter(|change| change.kind != ChangeKind::Deleted)
            .filter_map(|change| self.file(&change.path))
            .collect();

        let (names, unknown) = self.presence_names(changes);
        if let Some(path) = unknown {
            return Affected {
                everything: Some(Everything::UnknownPresence(path)),
                files: all.to_vec(),
                seeds: all.to_vec(),
            };
        }
        let started = std::time::Instant::now();
        let reached = if names.is_empty() {
            let seed_list: Vec<SourceFile> = seeds.iter().copied().collect();
            self.graph().dependents_closure(&seed_list)
        } else {
            // Files came or went: the findings kept are for another file set, but a file whose
            // bytes are unchanged and none of whose lookups finds what came or went resolves
            // its imports as it did, so its interface from the last recorded state holds.
            let keys: FxHashSet<u64> = names.iter().map(|name| name_key(name)).collect();
            let interfaces: Vec<Option<FileInterface>> = self
                .kept_interfaces()
                .into_iter()
                .zip(self.earlier_interfaces())
                .map(|(kept, earlier)| kept.or(earlier))
                .collect();
            // A language's lookups only for a file with neither (a new file, a changed one).
            let computed = self.map_files(|db, _, index, file| {
                if interfaces.get(index).is_some_and(Option::is_some) {
                    return None;
                }
                let language = db.languages().get(file.language(db))?;
                Some(language.lookups(db, file))
            });
            let mut found = Vec::with_capacity(all.len());
            for ((&file, interface), computed) in all.iter().zip(interfaces).zip(computed) {
                let lookups = match (&interface, computed) {
                    (Some(interface), _) => interface.lookups.clone(),
                    (None, computed) => computed.flatten(),
                };
                let looks_up = lookups
                    .as_ref()
                    .is_none_or(|lookups| lookups.iter().any(|key| keys.contains(key)));
                if looks_up {
                    seeds.insert(file);
                }
                // A seed's resolution may have changed: its edges come from its language.
                found.push((file, interface.filter(|_| !looks_up)));
            }
            let interfaces = found;
            tracing::debug!(
                earlier = interfaces.iter().filter(|(_, kept)| kept.is_some()).count(),
                "interfaces kept or from the last state"
            );
            let graph = FileGraph::build_from(self.db(), interfaces.into_iter());
            let seed_list: Vec<SourceFile> = seeds.iter().copied().collect();
            graph.dependents_closure(&seed_list)
        };
        tracing::debug!(elapsed = ?started.elapsed(), names = names.len(), "the dependency graph");
        let in_order = |set: &FxHashSet<SourceFile>| -> Vec<SourceFile> {
            all.iter()
                .copied()
                .filter(|file| set.contains(file))
                .collect()
        };
        Affected {
            everything: None,
            files: in_order(&reached),
            seeds: in_order(&seeds),
        }
    }

    /// Each file's interface as the last recorded state kept it, for a file whose bytes are
    /// those of then, while the languages' environments and the libraries' epoch are too.
    fn earlier_interfaces(&self) -> Vec<Option<FileInterface>> {
        let none = || self.files().iter().map(|_| None).collect();
        let Some(store) = self.store() else {
            return none();
        };
        let root = self.root().to_path_buf();
        let Some(recorded) = ResultsContext::read(&store, &root) else {
            return none();
        };
        let same_environment = self.disk_epoch().map(|epoch| *epoch.as_bytes())
            == Some(recorded.disk_epoch)
            && self.languages().iter().all(|(_, language)| {
                recorded.environments.iter().any(|(name, digest)| {
                    name == language.name()
                        && *digest == *language.environment(self.db()).as_bytes()
                })
            });
        if !same_environment {
            return none();
        }
        let stat = store.read_stat_index(&root);
        let then: Vec<Option<SourceFile>> = recorded
            .files
            .iter()
            .map(|path| self.file(&root.join(path)))
            .collect();
        let context = Digest::from_bytes(recorded.context);
        self.map_files(|db, _, _, file| {
            let FileContents::OnDisk(Some(now)) = file.contents(db) else {
                return None;
            };
            let path = file.path(db);
            let relative = path.strip_prefix(&root).unwrap_or(path);
            if stat.recorded(relative) != Some(*now) {
                return None;
            }
            let language = db.languages().get(file.language(db))?.name();
            let key = findings_key(&store, &context, language, path, now);
            earlier_interface(&store, &key, &|position| {
                then.get(position as usize).copied().flatten()
            })
        })
    }

    fn affects_everything(&self, changes: &[Change]) -> Option<Everything> {
        for change in changes {
            match file_role(self.languages(), &change.path) {
                FileRole::Config if self.settings_changed(change, changes) => {
                    return Some(Everything::Configuration(change.path.clone()));
                }
                FileRole::IgnoreFile => return Some(Everything::IgnoreFile(change.path.clone())),
                _ => {}
            }
        }
        None
    }

    /// Whether a change to a configuration file may change the settings this workspace
    /// loads: only the root's files are read, `ripple.toml` before `pyproject.toml`, and of
    /// `pyproject.toml` only `[tool.ripple]`.
    fn settings_changed(&self, change: &Change, changes: &[Change]) -> bool {
        if change.path.parent() != Some(self.root()) {
            return false;
        }
        let is_pyproject = change
            .path
            .file_name()
            .is_some_and(|name| name == "pyproject.toml");
        let ripple_toml = self.root().join("ripple.toml");
        // `ripple.toml`, there and unchanged, hides `pyproject.toml`'s settings.
        if is_pyproject
            && ripple_toml.is_file()
            && !changes.iter().any(|other| other.path == ripple_toml)
        {
            return false;
        }
        let before = match &change.before {
            None => return true,
            Some(Before::Missing) => None,
            Some(Before::Bytes(bytes)) => Some(bytes.as_slice()),
        };
        let now = std::fs::read(&change.path).ok();
        Settings::of(before, is_pyproject) != Settings::of(now.as_deref(), is_pyproject)
    }

    /// The names by which imports find the files and folders that came or went, and the first
    /// path a language could not say that of.
    fn presence_names(&self, changes: &[Change]) -> (Vec<String>, Option<PathBuf>) {
        let mut names: Vec<String> = Vec::new();
        let mut unknown = None;
        let mut ask = |path: &Path, is_dir: bool| {
            for (_, language) in self.languages().iter() {
                match language.presence(path, is_dir) {
                    Presence::Irrelevant => {}
                    Presence::Names(found) => names.extend(found),
                    Presence::Unknown => {
                        unknown.get_or_insert_with(|| path.to_path_buf());
                    }
                }
            }
        };
        let came_or_went = |kind: ChangeKind| kind != ChangeKind::Modified;
        for change in changes.iter().filter(|change| came_or_went(change.kind)) {
            ask(&change.path, false);
        }
        for folder in self.folders_that_came_or_went(changes) {
            ask(&folder, true);
        }
        names.sort();
        names.dedup();
        (names, unknown)
    }

    /// Folders under the root that hold no workspace file but added ones (they came), or that
    /// held a deleted file and hold no workspace file now (they went).
    fn folders_that_came_or_went(&self, changes: &[Change]) -> Vec<PathBuf> {
        let came_or_went: Vec<&Change> = changes
            .iter()
            .filter(|change| change.kind != ChangeKind::Modified)
            .collect();
        if came_or_went.is_empty() {
            return Vec::new();
        }
        let added: FxHashSet<&Path> = came_or_went
            .iter()
            .filter(|change| matches!(change.kind, ChangeKind::Added | ChangeKind::Unknown))
            .map(|change| change.path.as_path())
            .collect();
        // Per folder under the root: the workspace files under it, and how many were added.
        let files = self.files();
        let mut held: rustc_hash::FxHashMap<&Path, (usize, usize)> = Default::default();
        for path in files.iter().map(|file| file.path(self.db()).as_path()) {
            let was_added = added.contains(path);
            for folder in path.ancestors().skip(1) {
                if folder == self.root() || !folder.starts_with(self.root()) {
                    break;
                }
                let counts = held.entry(folder).or_default();
                counts.0 += 1;
                counts.1 += usize::from(was_added);
            }
        }
        let mut folders: Vec<PathBuf> = Vec::new();
        let mut asked: FxHashSet<&Path> = FxHashSet::default();
        for change in came_or_went {
            for folder in change.path.ancestors().skip(1) {
                if folder == self.root() || !folder.starts_with(self.root()) {
                    break;
                }
                if !asked.insert(folder) {
                    continue;
                }
                let (total, new) = held.get(folder).copied().unwrap_or_default();
                let went = change.kind != ChangeKind::Added && total == 0;
                let came = change.kind != ChangeKind::Deleted && total > 0 && total == new;
                if went || came {
                    folders.push(folder.to_path_buf());
                }
            }
        }
        folders
    }
}

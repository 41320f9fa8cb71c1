//! The concrete salsa database: one for every language registered, with the services the
//! language boundary promises them (the project, file reading, cached disk lookups, each
//! language's own state).

use std::any::Any;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use dashmap::DashMap;
use ripple_core::{FileContents, LanguageId, Languages, PathKind, Project, QueryStats};
use rustc_hash::FxBuildHasher;

#[salsa::db]
#[derive(Clone)]
pub struct RippleDatabase {
    storage: salsa::Storage<Self>,
    stats: Arc<QueryStats>,
    project: Option<Project>,
    languages: Languages,
    /// Each language's state (`Language::new_state`), by `LanguageId`; shared with snapshots.
    language_states: Arc<[Box<dyn Any + Send + Sync>]>,
    /// What library paths are on disk, so a module imported from a thousand files is looked up
    /// once. Cleared together with a bump of `Project::disk_generation`. (Fx-hashed: these are
    /// asked hundreds of thousands of times in a cold check, and SipHash was most of the cost.)
    disk: Arc<DashMap<PathBuf, PathKind, FxBuildHasher>>,
    listings: Arc<DashMap<PathBuf, Arc<[String]>, FxBuildHasher>>,
}

impl RippleDatabase {
    pub fn new(languages: Languages) -> Self {
        let stats = Arc::new(QueryStats::default());
        let observer = stats.clone();
        let language_states = languages
            .iter()
            .map(|(_, language)| language.new_state())
            .collect();
        Self {
            storage: salsa::Storage::new(Some(Box::new(move |event| observer.observe(&event)))),
            stats,
            project: None,
            languages,
            language_states,
            disk: Arc::new(DashMap::default()),
            listings: Arc::new(DashMap::default()),
        }
    }

    pub fn set_project(&mut self, project: Project) {
        self.project = Some(project);
    }

    pub fn stats(&self) -> &QueryStats {
        &self.stats
    }

    /// Forgets what was cached about the disk; call before bumping `disk_generation`.
    pub fn forget_disk(&self) {
        self.disk.clear();
        self.listings.clear();
    }

    /// The query name of a salsa ingredient, for statistics.
    pub fn query_name(&self, ingredient: salsa::IngredientIndex) -> String {
        use salsa::Database as _;
        self.ingredient_debug_name(ingredient).into_owned()
    }

    /// Executions per query name since the database was created, sorted by name.
    pub fn query_totals(&self) -> Vec<(String, u64)> {
        let mut totals: Vec<(String, u64)> = self
            .stats
            .totals()
            .into_iter()
            .map(|(ingredient, count)| (self.query_name(ingredient), count))
            .collect();
        totals.sort();
        totals
    }

    /// Executions per query name in a recorded log, sorted by name.
    pub fn count_by_query(&self, records: &[ripple_core::ExecutionRecord]) -> Vec<(String, u64)> {
        let mut counts: std::collections::BTreeMap<String, u64> = Default::default();
        for record in records {
            *counts
                .entry(self.query_name(record.ingredient))
                .or_default() += 1;
        }
        counts.into_iter().collect()
    }
}

#[salsa::db]
impl salsa::Database for RippleDatabase {}

#[salsa::db]
impl ripple_core::Db for RippleDatabase {
    fn query_stats(&self) -> &QueryStats {
        &self.stats
    }

    fn project(&self) -> Project {
        match self.project {
            Some(project) => project,
            // Every database is given its project when the workspace is created, before any
            // query runs; a missing project is a bug in the front end, not bad input.
            None => panic!("RippleDatabase::project called before set_project"),
        }
    }

    fn languages(&self) -> &Languages {
        &self.languages
    }

    fn path_kind(&self, path: &Path) -> PathKind {
        if let Some(kind) = self.disk.get(path) {
            return *kind;
        }
        let kind = match std::fs::metadata(path) {
            Ok(metadata) if metadata.is_dir() => PathKind::Directory,
            Ok(_) => PathKind::File,
            Err(_) => PathKind::Missing,
        };
        self.disk.insert(path.to_path_buf(), kind);
        kind
    }

    fn directory_entries(&self, dir: &Path) -> Arc<[String]> {
        if let Some(entries) = self.listings.get(dir) {
            return entries.clone();
        }
        let entries: Arc<[String]> = match std::fs::read_dir(dir) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .filter_map(|entry| entry.file_name().into_string().ok())
                .collect(),
            Err(_) => Arc::from([]),
        };
        self.listings.insert(dir.to_path_buf(), entries.clone());
        entries
    }

    fn read_file(&self, path: &Path) -> Result<String, FileContents> {
        crate::read::read_contents(path)
    }

    fn language_state(&self, language: LanguageId) -> Option<&(dyn Any + Send + Sync)> {
        self.language_states
            .get(language.index())
            .map(|state| &**state)
    }
}

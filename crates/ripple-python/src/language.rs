//! Python at the language boundary: what the workspace, the server and the command line ask of
//! a Python file, answered by this crate's queries.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ripple_core::{
    Db, Dependency, Diagnostic, Digest, Exports, Language, LineIndex, LoadContext, LoadProblem,
    ParseCounts, Presence, RuleInfo, SettingInfo, SettingKind, SourceFile, Suppressions, TextEdit,
};
use salsa::Durability;

use crate::db::{PythonSettings, PythonState, document_parses};
use crate::environment::{discover_environment, search_roots};
use crate::rules::RULES;

/// The Python language: `.py` sources and `.pyi` stubs.
#[derive(Debug, Default, Clone, Copy)]
pub struct Python;

/// The interpreter whose `sys.path` gives the standard library and site-packages.
const PYTHON_SETTING: &str = "python";
/// More import roots, relative to the workspace root.
const EXTRA_PATHS_SETTING: &str = "extra-paths";

impl Language for Python {
    fn name(&self) -> &'static str {
        "python"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["py", "pyi"]
    }

    fn rules(&self) -> &'static [RuleInfo] {
        RULES
    }

    fn settings(&self) -> &'static [SettingInfo] {
        &[
            SettingInfo {
                key: PYTHON_SETTING,
                kind: SettingKind::String,
            },
            SettingInfo {
                key: EXTRA_PATHS_SETTING,
                kind: SettingKind::Strings,
            },
        ]
    }

    fn new_state(&self) -> Box<dyn std::any::Any + Send + Sync> {
        Box::new(PythonState::default())
    }

    fn load(&self, db: &dyn Db, context: &LoadContext<'_>) -> Vec<LoadProblem> {
        let python = context.settings.string(PYTHON_SETTING).map(PathBuf::from);
        let environment = discover_environment(db, context.root, python.as_deref());
        let roots = search_roots(
            context.root,
            context.settings.strings(EXTRA_PATHS_SETTING),
            environment.library_roots,
        );
        // The search roots and the libraries behind them change only with the environment,
        // which reloads the workspace.
        let _settings = PythonSettings::builder(Arc::from(roots))
            .search_roots_durability(Durability::HIGH)
            .new(db);
        environment
            .problem
            .map(|message| LoadProblem {
                setting: python.is_some().then_some(PYTHON_SETTING),
                message,
            })
            .into_iter()
            .collect()
    }

    fn environment(&self, db: &dyn Db) -> Digest {
        let mut parts: Vec<Vec<u8>> = vec![b"python search roots".to_vec()];
        for root in crate::db::search_roots(db) {
            parts.push(format!("{:?}", root.kind).into_bytes());
            parts.push(root.path.as_os_str().as_encoded_bytes().to_vec());
        }
        let parts: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        Digest::of_parts(&parts)
    }

    fn diagnostics(&self, db: &dyn Db, file: SourceFile) -> Arc<[Diagnostic]> {
        crate::queries::all_diagnostics(db, file).clone()
    }

    fn suppressions(&self, db: &dyn Db, file: SourceFile) -> Arc<Suppressions> {
        crate::queries::noqa_directives(db, file).clone()
    }

    fn line_index(&self, db: &dyn Db, file: SourceFile) -> Arc<LineIndex> {
        crate::queries::line_index(db, file).clone()
    }

    fn exports(&self, db: &dyn Db, file: SourceFile) -> Arc<Exports> {
        crate::queries::exports(db, file).clone()
    }

    fn dependencies(&self, db: &dyn Db, file: SourceFile) -> Arc<[Dependency]> {
        crate::importers::imported_files(db, file).clone()
    }

    fn lookups(&self, db: &dyn Db, file: SourceFile) -> Option<Arc<[u64]>> {
        Some(crate::importers::lookups(db, file).clone())
    }

    fn presence(&self, path: &Path, is_dir: bool) -> Presence {
        crate::importers::presence(path, is_dir)
    }

    fn document_changed(&self, db: &dyn Db, path: &Path, text: Arc<str>, edit: Option<TextEdit>) {
        if let Some(trees) = document_parses(db) {
            trees.update(path, text, edit);
        }
    }

    fn document_closed(&self, db: &dyn Db, path: &Path) {
        if let Some(trees) = document_parses(db) {
            trees.remove(path);
        }
    }

    fn parse_counts(&self, db: &dyn Db) -> ParseCounts {
        let (full, incremental) = document_parses(db).map_or((0, 0), |trees| trees.counts());
        ParseCounts { full, incremental }
    }
}

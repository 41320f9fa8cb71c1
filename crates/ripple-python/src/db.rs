//! What the Python analysis keeps in and beside the database: its import search roots (a salsa
//! input of its own, set when a workspace is loaded) and the trees of open documents.

use std::path::PathBuf;
use std::sync::Arc;

use ripple_core::{Db, language_state};

use crate::parse::DocumentParses;

/// Kinds of import roots, in the order Python's `sys.path` gives them meaning.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SearchRootKind {
    /// The workspace (or its `src/`): files are salsa inputs, first-party.
    Workspace,
    /// An `extra-paths` entry or other directory read from disk, not loaded.
    Extra,
    /// The standard library from the built-in list of module names (no interpreter needed).
    BuiltinStdlib,
    /// A standard library or site-packages directory of the configured interpreter.
    Library,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchRoot {
    pub path: PathBuf,
    pub kind: SearchRootKind,
}

/// Where Python imports are searched, in order. One per database, created when the workspace
/// is loaded (`Python::load`); it changes only with the environment, so it is set with high
/// durability and queries that read nothing else are never re-verified after an edit.
#[salsa::input(singleton, debug)]
pub struct PythonSettings {
    #[returns(ref)]
    pub search_roots: Arc<[SearchRoot]>,
}

/// The import search roots of this database's workspace (none before it is loaded).
pub(crate) fn search_roots(db: &dyn Db) -> &[SearchRoot] {
    match PythonSettings::try_get(db) {
        Some(settings) => settings.search_roots(db),
        None => &[],
    }
}

/// What Python keeps beside each database: the trees of open documents.
#[derive(Debug, Default)]
pub struct PythonState {
    pub document_parses: DocumentParses,
}

/// The trees of open documents, which the analysis uses instead of parsing again.
pub fn document_parses(db: &dyn Db) -> Option<&DocumentParses> {
    language_state::<PythonState>(db).map(|state| &state.document_parses)
}

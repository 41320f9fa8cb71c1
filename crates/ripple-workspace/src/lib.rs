//! The workspace: the concrete salsa database, discovery of the root and its files, which
//! paths matter, the configuration, the language-neutral dependency graph, rule selection and
//! suppressions, and checking files in parallel. It works with every registered language
//! through `ripple_core::Language` and names none of them.
//!
//! Architecture invariant: nothing here speaks LSP or prints, and nothing here depends on a
//! language crate; front ends (the CLI, the server) decide how to show what this crate returns.

mod affected;
mod cache;
mod checking;
mod config;
mod database;
mod discovery;
mod explain;
mod graph;
mod paths;
mod read;
mod results;
mod selection;
#[cfg(test)]
mod test_language;
mod workspace;

pub use affected::{Affected, Before, Change, ChangeKind, Everything};
pub use cache::{CacheChoice, CacheSave, DEFAULT_CACHE_DIR, LoadOptions, cache_dir};
pub use checking::{CheckOptions, FileReport, check_file, worker_pool};
pub use config::{
    CONFIG_FILE_NAMES, Config, ConfigProblem, DiagnosticMode, LoadedConfig, load_config,
};
pub use database::{ResultCounts, RippleDatabase};
pub use discovery::{WalkProblem, find_marked_root, find_root, walk_workspace};
pub use explain::{ChangedInput, Explanation, Freshness, StateChange};
pub use graph::{ExportChange, FileGraph};
pub use paths::{
    FileRole, IGNORE_FILE_NAMES, WalkRules, file_role, is_excluded_dir, may_matter, watch_globs,
};
pub use read::{ReadFile, read_contents};
pub use ripple_store::Store;
pub use selection::{RuleSelection, parse_rule};
pub use workspace::{BuiltGraph, Workspace, WorkspaceProblem, WorkspaceSnapshot};

//! The workspace: the concrete salsa database, discovery of the root and its files, the
//! configuration, search roots from the Python environment, and checking files in parallel.
//!
//! Architecture invariant: nothing here speaks LSP or prints; front ends (the CLI, the server)
//! decide how to show what this crate returns.

mod config;
mod database;
mod discovery;
mod interpreter;
mod reach;
mod selection;
mod workspace;

pub use config::{
    CONFIG_FILE_NAMES, Config, ConfigProblem, DiagnosticMode, LoadedConfig, load_config, parse_rule,
};
pub use database::RippleDatabase;
pub use discovery::{
    IGNORE_FILE_NAMES, WalkProblem, WalkRules, find_marked_root, find_root, is_excluded_dir,
    is_python_file, walk_workspace,
};
pub use interpreter::{Environment, discover_environment};
pub use reach::ImportGraph;
pub use selection::RuleSelection;
pub use workspace::{FileReport, Workspace, WorkspaceProblem, WorkspaceSnapshot, read_contents};

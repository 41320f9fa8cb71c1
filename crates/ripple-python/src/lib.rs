//! Python for ripple: parsing (ruff's parser), scopes and bindings with pyflakes' semantics,
//! what each module exports, import resolution with `sys.path` semantics, and the rules. The
//! rest of ripple reaches it only through [`Python`], its implementation of the language
//! boundary (`ripple_core::Language`).
//!
//! Architecture invariant: this crate knows nothing of LSP, of the file system walk, of
//! configuration files, of the store or of the command line. It reads workspace files only
//! through the database (`ripple_core::Db`), asks it whether a library path exists, and runs
//! the configured interpreter once per load to learn its `sys.path`.

mod builtins;
mod db;
mod environment;
mod importers;
mod language;
mod module_name;
pub mod parse;
mod queries;
mod resolve;
mod rules;
pub mod semantic;
mod stdlib;
mod stored;

pub use db::{PythonSettings, PythonState, SearchRoot, SearchRootKind, document_parses};
pub use importers::imported_files;
pub use language::Python;
pub use module_name::{ModuleName, module_name_of_path};
pub use queries::{
    all_diagnostics, analysis, exports, file_module, import_diagnostics, imports, line_index,
    local_diagnostics, noqa_directives,
};
pub use resolve::{ModuleKind, ResolvedModule, resolve_module};
pub use rules::Rule;
pub use semantic::{FileAnalysis, ImportKind, ImportRequest, MAX_NESTING, analyze_source};

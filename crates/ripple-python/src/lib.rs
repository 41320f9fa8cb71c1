//! Python for ripple: parsing (ruff's parser), scopes and bindings with pyflakes' semantics,
//! what each module exports, import resolution with `sys.path` semantics, and the rules.
//!
//! Architecture invariant: this crate knows nothing of LSP, of the file system walk or of
//! configuration files. It reads files only through salsa inputs, and asks the database (the
//! `Db` trait) for the little it needs from disk: whether a library path exists.

mod builtins;
mod db;
mod importers;
mod module_name;
pub mod parse;
mod queries;
mod resolve;
mod rules;
pub mod semantic;
mod stdlib;

pub use db::{Db, PathKind, Project, SearchRoot, SearchRootKind};
pub use importers::{ExportChange, ImportedFile, imported_files, name_key};
pub use module_name::{ModuleName, module_name_of_path};
pub use queries::{
    all_diagnostics, analysis, check_file, exports, file_module, import_diagnostics, imports,
    line_index, local_diagnostics, noqa_directives,
};
pub use resolve::{ModuleKind, ResolvedModule, resolve_module};
pub use rules::{IO_ERROR_CODE, Rule};
pub use semantic::{
    FileAnalysis, ImportKind, ImportRequest, MAX_NESTING, ModuleExports, analyze_source,
};

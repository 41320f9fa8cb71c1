//! Foundations shared by every ripple crate: text positions and edits, file inputs, the
//! project, diagnostics and suppressions, the language boundary (`Language`, `Languages`), the
//! base salsa database trait and its execution statistics.
//!
//! Architecture invariant: this crate knows no particular language and no protocol. It never
//! parses, never speaks LSP and never touches the file system.

mod diagnostic;
mod digest;
mod file;
mod language;
mod module_index;
mod project;
mod stats;
mod suppress;
mod text;

pub use diagnostic::{
    Diagnostic, INVALID_CONFIGURATION_CODE, IO_ERROR_CODE, SYNTAX_ERROR_CODE, Severity,
};
pub use digest::Digest;
pub use file::{FileContents, LanguageId, ReadText, SourceFile, decode_source};
pub use language::{
    Db, Language, LanguageSettings, Languages, LoadContext, LoadProblem, ParseCounts, Presence,
    RuleInfo, SettingInfo, SettingKind, SettingValue, language_state,
};
pub use module_index::{Dependency, Exports, name_key};
pub use project::{PathKind, Project};
pub use stats::{ExecutionRecord, QueryStats};
pub use suppress::{Suppression, Suppressions};
pub use text::{LineIndex, LineIndexParts, Position, PositionEncoding, TextEdit, TextRange};

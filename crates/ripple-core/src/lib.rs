//! Foundations shared by every ripple crate: text positions, file inputs, diagnostics and the base
//! salsa database trait with its execution statistics.
//!
//! Architecture invariant: this crate knows no language and no protocol. It never parses, never
//! speaks LSP and never touches the file system.

mod db;
mod diagnostic;
mod file;
mod stats;
mod text;

pub use db::Db;
pub use diagnostic::{Diagnostic, Severity};
pub use file::{FileContents, SourceFile, decode_source};
pub use stats::{ExecutionRecord, QueryStats};
pub use text::{LineIndex, Position, PositionEncoding, TextRange};

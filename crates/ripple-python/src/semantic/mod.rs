//! One pass over a parsed file: scopes and bindings with pyflakes' semantics, producing the
//! file's local diagnostics, the imports it makes and what it exports to importers.
//!
//! `analyze.rs` is the entry point; `checker.rs` (statements), `definitions.rs` (imports, `def`, `class`) and
//! `expressions.rs` walk the tree and tell
//! the binding model (`model.rs`, with `scope.rs` and `fork.rs`) what they meet; `noqa.rs`
//! reads `# noqa` comments; `helpers.rs` holds small readers of syntax.

mod analysis;
mod analyze;
mod checker;
mod definitions;
mod expressions;
mod fork;
mod helpers;
mod model;
mod noqa;
mod scope;

pub use analysis::{FileAnalysis, ImportKind, ImportRequest};
pub use analyze::{analyze_parsed, analyze_source};
pub use checker::MAX_NESTING;

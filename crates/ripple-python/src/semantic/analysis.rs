//! What one pass over a file produces: everything the rest of the engine needs from it.

use std::sync::Arc;

use ripple_core::{Diagnostic, Exports, LineIndex, Suppressions, TextRange};

/// Everything the rest of the engine needs from one file, computed in one pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileAnalysis {
    /// Findings that depend on this file alone, before `# noqa` comments are applied.
    /// (Shared pieces: the queries that project them out clone a pointer, not the data.)
    pub diagnostics: Arc<[Diagnostic]>,
    pub imports: Arc<[ImportRequest]>,
    /// What the module defines for importers. Its star imports are kept as the modules they
    /// name, with a relative import's leading dots (`..m`).
    pub exports: Arc<Exports>,
    /// The file's `# noqa` comments.
    pub noqa: Arc<Suppressions>,
    /// Where the analysed text's lines and multi-byte characters are, to turn the findings'
    /// byte ranges into positions once the text itself is gone.
    pub lines: Arc<LineIndex>,
}

impl FileAnalysis {
    pub(crate) fn unparsable_with_code(code: &'static str, reason: &str) -> Self {
        Self {
            diagnostics: Arc::from([Diagnostic::new(
                code,
                ripple_core::Severity::Error,
                TextRange::empty(0),
                reason,
            )]),
            imports: Arc::from([]),
            exports: Arc::new(Exports::unknown()),
            noqa: Arc::default(),
            lines: Arc::new(LineIndex::new("")),
        }
    }
}

/// What kind of import statement a request comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImportKind {
    /// `import a.b.c`
    Module,
    /// `from m import x, y`
    From,
    /// `from m import *`
    Star,
}

/// One import statement's module reference (one per module in `import a, b`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImportRequest {
    pub kind: ImportKind,
    /// Dotted module name without the leading dots of a relative import (may be empty).
    pub module: String,
    /// Number of leading dots.
    pub level: u32,
    /// Range of the module reference, where unresolved imports are reported.
    pub range: TextRange,
    /// Names imported by `from m import ...`, with their ranges.
    pub names: Vec<(String, TextRange)>,
    /// Inside a `try` whose handlers catch `ImportError` (or a parent): a missing module is
    /// expected and not reported.
    pub optional: bool,
}

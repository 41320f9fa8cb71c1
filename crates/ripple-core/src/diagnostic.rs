use std::sync::Arc;

use crate::text::TextRange;

/// A file that its language cannot parse, or whose bytes are not text: the same code in every
/// language.
pub const SYNTAX_ERROR_CODE: &str = "syntax-error";

/// A file that could not be read at all: not a rule, never suppressed or deselected.
pub const IO_ERROR_CODE: &str = "io-error";

/// A problem of the configuration rather than of a source file: not a rule either.
pub const INVALID_CONFIGURATION_CODE: &str = "invalid-configuration";

/// How serious a diagnostic is; the names match the LSP severities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }
}

/// One finding in one file. Ranges are byte offsets into the file's text; front ends convert them
/// to line/column in the encoding their consumer asked for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub range: TextRange,
    pub severity: Severity,
    /// Stable rule code, such as `undefined-name`.
    pub code: &'static str,
    /// Shared, not copied: one finding sits in several memos (the file's own, the merged list),
    /// and a workspace can hold hundreds of thousands of them.
    pub message: Arc<str>,
}

impl Diagnostic {
    pub fn new(
        code: &'static str,
        severity: Severity,
        range: TextRange,
        message: impl Into<Arc<str>>,
    ) -> Self {
        Self {
            range,
            severity,
            code,
            message: message.into(),
        }
    }
}

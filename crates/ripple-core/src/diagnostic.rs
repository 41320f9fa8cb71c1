use std::sync::Arc;

use crate::text::TextRange;

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

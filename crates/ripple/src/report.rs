//! What a run reports, before it is rendered (`output.rs`, `sarif.rs`): its findings, each
//! positioned for output, and its summary.

use std::borrow::Cow;
use std::sync::Arc;

use ripple_core::{Diagnostic, LineIndex, Position, PositionEncoding};
use ripple_workspace::WorkspaceProblem;
use serde::Serialize;

/// One diagnostic, positioned for output. The path is shared by a file's findings and the
/// message with the diagnostic: a large workspace has hundreds of thousands of findings.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub path: Arc<str>,
    #[serde(skip)]
    pub start: Position,
    pub range: Range,
    pub severity: &'static str,
    /// Ripple's rule code, or the tool's own code for a task's finding.
    pub code: Cow<'static, str>,
    pub message: Arc<str>,
    /// `ripple`, or the name of the task that found it.
    pub source: Cow<'static, str>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Range {
    pub start: Position,
    pub end: Position,
}

impl Finding {
    pub fn from_diagnostic(path: &Arc<str>, lines: &LineIndex, diagnostic: &Diagnostic) -> Self {
        let start = lines.position(diagnostic.range.start, PositionEncoding::Utf16);
        let end = lines.position(diagnostic.range.end, PositionEncoding::Utf16);
        Self {
            path: path.clone(),
            start,
            range: Range { start, end },
            severity: diagnostic.severity.as_str(),
            code: Cow::Borrowed(diagnostic.code),
            message: diagnostic.message.clone(),
            source: Cow::Borrowed("ripple"),
        }
    }

    pub fn from_problem(path: &str, problem: &WorkspaceProblem) -> Self {
        let start = Position {
            line: problem.line,
            character: 0,
        };
        Self {
            path: path.into(),
            start,
            range: Range { start, end: start },
            severity: "error",
            code: Cow::Borrowed(problem.code),
            message: problem.message.as_str().into(),
            source: Cow::Borrowed("ripple"),
        }
    }

    /// A task's finding, its path made relative to the current display root by `display`.
    pub fn from_task(
        display: Arc<str>,
        task: &str,
        diagnostic: ripple_tasks::TaskDiagnostic,
    ) -> Self {
        let position = |(line, character): (u32, u32)| Position { line, character };
        let start = position(diagnostic.start);
        Self {
            path: display,
            start,
            range: Range {
                start,
                end: position(diagnostic.end),
            },
            severity: ripple_tasks::severity_of(&diagnostic.severity).as_str(),
            code: Cow::Owned(diagnostic.code),
            message: diagnostic.message.into(),
            source: Cow::Owned(task.to_string()),
        }
    }
}

pub struct Report {
    pub findings: Vec<Finding>,
    pub files: usize,
    pub duration_ms: u128,
    pub cache: CacheSummary,
    /// What each task run did (`--tasks`), by name.
    pub tasks: Vec<ripple_tasks::TaskOutcome>,
}

/// Per-file results found in the store and computed this run.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CacheSummary {
    pub hits: u64,
    pub misses: u64,
}

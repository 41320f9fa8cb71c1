//! A task's findings placed in the workspace: paths relative to the root with `/`, 0-based
//! lines, UTF-16 columns (the JSON contract's and LSP's default), whatever unit the tool
//! counted in. A finding about no file, or about a file outside the workspace, is put on the
//! task's line in the config file, so that nothing a tool said is lost.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ripple_core::Severity;
use serde::{Deserialize, Serialize};

use crate::readers::{ColumnUnit, Location, ToolDiagnostic};

/// One finding of a task, as reported and kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskDiagnostic {
    /// Relative to the root, `/`-separated.
    pub path: String,
    pub start: (u32, u32),
    pub end: (u32, u32),
    pub severity: String,
    /// The tool's code; the task name stands in when the tool gives none.
    pub code: String,
    pub message: String,
}

/// Places what a tool said. `config` is the config file and the task's line in it.
pub fn place(
    found: Vec<ToolDiagnostic>,
    root: &Path,
    config: (&Path, u32),
    task: &str,
) -> Vec<TaskDiagnostic> {
    let config_path = relative(root, config.0).unwrap_or_else(|| "ripple.toml".into());
    let mut texts: HashMap<String, Option<Vec<String>>> = HashMap::new();
    let mut placed = Vec::with_capacity(found.len());
    for diagnostic in found {
        let code = diagnostic.code.clone().unwrap_or_else(|| task.to_string());
        let severity = diagnostic.severity.as_str().to_string();
        let path = diagnostic.path.as_deref().and_then(|path| {
            let path = Path::new(path);
            if path.is_absolute() {
                relative(root, path)
            } else {
                let text = path.to_string_lossy().replace('\\', "/");
                let text = text.strip_prefix("./").unwrap_or(&text).to_string();
                (!text.split('/').any(|part| part == "..")).then_some(text)
            }
        });
        let Some(path) = path else {
            let message = match &diagnostic.path {
                Some(outside) => format!("{outside}: {}", diagnostic.message),
                None => diagnostic.message.clone(),
            };
            placed.push(TaskDiagnostic {
                path: config_path.clone(),
                start: (config.1, 0),
                end: (config.1, 0),
                severity,
                code,
                message: format!("{task}: {message}"),
            });
            continue;
        };
        let lines = texts
            .entry(path.clone())
            .or_insert_with(|| {
                (diagnostic.unit != ColumnUnit::Utf16)
                    .then(|| std::fs::read_to_string(root.join(&path)).ok())
                    .flatten()
                    .map(|text| text.lines().map(str::to_string).collect())
            })
            .as_deref();
        let start = position(diagnostic.start, diagnostic.unit, lines);
        let end = diagnostic
            .end
            .map_or(start, |end| position(end, diagnostic.unit, lines));
        placed.push(TaskDiagnostic {
            path,
            start,
            end: if end < start { start } else { end },
            severity,
            code,
            message: diagnostic.message,
        });
    }
    placed.sort_by(|a, b| (&a.path, a.start, &a.code).cmp(&(&b.path, b.start, &b.code)));
    placed
}

/// A 1-based tool location as a 0-based line and UTF-16 column.
fn position(location: Location, unit: ColumnUnit, lines: Option<&[String]>) -> (u32, u32) {
    let line = location.line.saturating_sub(1);
    let column = location.column.saturating_sub(1);
    let column = match (unit, lines.and_then(|lines| lines.get(line as usize))) {
        (ColumnUnit::Utf16, _) | (_, None) => column,
        (ColumnUnit::Chars, Some(text)) => {
            let units: usize = text
                .chars()
                .take(column as usize)
                .map(char::len_utf16)
                .sum();
            u32::try_from(units).unwrap_or(column)
        }
        (ColumnUnit::Bytes, Some(text)) => {
            let end = (column as usize).min(text.len());
            let end = (0..=end)
                .rev()
                .find(|&at| text.is_char_boundary(at))
                .unwrap_or(0);
            u32::try_from(text[..end].encode_utf16().count()).unwrap_or(column)
        }
    };
    (line, column)
}

/// `path` relative to `root`, `/`-separated; `None` outside it. Tools print paths as they were
/// given (relative to the working directory, which is the root) or absolute, sometimes through
/// a link: the root's real path is tried too.
pub fn relative(root: &Path, path: &Path) -> Option<String> {
    let inside = path
        .strip_prefix(root)
        .ok()
        .map(Path::to_path_buf)
        .or_else(|| {
            let real_root = std::fs::canonicalize(root).ok()?;
            let real_path = std::fs::canonicalize(path).unwrap_or_else(|_| PathBuf::from(path));
            real_path
                .strip_prefix(real_root)
                .ok()
                .map(Path::to_path_buf)
        })?;
    let parts: Vec<String> = inside
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

/// A severity as kept.
pub fn severity_of(text: &str) -> Severity {
    match text {
        "warning" => Severity::Warning,
        "information" => Severity::Information,
        "hint" => Severity::Hint,
        _ => Severity::Error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(path: Option<&str>, line: u32, column: u32, unit: ColumnUnit) -> ToolDiagnostic {
        ToolDiagnostic {
            path: path.map(str::to_string),
            start: Location { line, column },
            end: None,
            unit,
            severity: Severity::Error,
            code: None,
            message: "m".into(),
        }
    }

    #[test]
    fn columns_become_utf16_and_paths_relative() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("a.py"), "x = 1\ns = \"é😀\" + y\n").expect("write");
        let absolute = dir.path().join("a.py").to_string_lossy().into_owned();
        let placed = place(
            vec![
                // `y` is the 12th character, the 13th UTF-16 unit, the 16th byte (1-based).
                found(Some(&absolute), 2, 12, ColumnUnit::Chars),
                found(Some("./a.py"), 2, 16, ColumnUnit::Bytes),
                found(Some("a.py"), 2, 13, ColumnUnit::Utf16),
            ],
            dir.path(),
            (&dir.path().join("ripple.toml"), 4),
            "t",
        );
        for diagnostic in &placed {
            assert_eq!(diagnostic.path, "a.py");
            assert_eq!(diagnostic.start, (1, 12), "{diagnostic:?}");
            assert_eq!(diagnostic.code, "t");
        }
    }

    #[test]
    fn findings_about_no_file_or_outside_go_on_the_task_line() {
        let dir = tempfile::tempdir().expect("temp dir");
        let placed = place(
            vec![
                found(None, 0, 0, ColumnUnit::Utf16),
                found(Some("/elsewhere/x.py"), 3, 1, ColumnUnit::Utf16),
                found(Some("../x.py"), 3, 1, ColumnUnit::Utf16),
            ],
            dir.path(),
            (&dir.path().join("ripple.toml"), 7),
            "lint",
        );
        assert_eq!(placed.len(), 3);
        assert!(
            placed
                .iter()
                .all(|d| d.path == "ripple.toml" && d.start == (7, 0))
        );
        assert!(placed.iter().any(|d| d.message.contains("/elsewhere/x.py")));
    }
}

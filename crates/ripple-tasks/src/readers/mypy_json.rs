//! mypy's `-O json` (mypy >= 1.11): one object a line, `{"file", "line", "column", "message",
//! "hint", "code", "severity"}`; lines are 1-based, columns 0-based (-1: none), in characters.
//! A `note` right after an error on the same line belongs to it (mypy's "Did you mean ...?",
//! "See https://..."), and is added to its message rather than shown apart.

use ripple_core::Severity;

use super::{ColumnUnit, Location, ToolDiagnostic, string};

pub fn read(stdout: &[u8]) -> Result<Vec<ToolDiagnostic>, String> {
    let text = String::from_utf8_lossy(stdout);
    let mut found: Vec<ToolDiagnostic> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if !line.starts_with('{') {
            // mypy writes nothing else in this mode but, on a crash, its traceback; the exit
            // code tells that apart.
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(line)
            .map_err(|error| format!("a line of the output is not JSON ({error}): {line}"))?;
        let Some(message) = string(value.get("message")) else {
            return Err(format!("a line of the output has no `message`: {line}"));
        };
        let row = value
            .get("line")
            .and_then(serde_json::Value::as_i64)
            .unwrap_or(0)
            .max(0);
        let column = value
            .get("column")
            .and_then(serde_json::Value::as_i64)
            .unwrap_or(-1);
        let start = Location {
            line: u32::try_from(row).unwrap_or(0),
            column: u32::try_from(column + 1).unwrap_or(0),
        };
        let path = string(value.get("file"));
        let severity = match value.get("severity").and_then(serde_json::Value::as_str) {
            Some("note") => Severity::Information,
            Some("warning") => Severity::Warning,
            _ => Severity::Error,
        };
        let mut message = message;
        if let Some(hint) = string(value.get("hint")).filter(|hint| !hint.is_empty()) {
            message = format!("{message}\n{hint}");
        }
        if severity == Severity::Information
            && let Some(previous) = found.last_mut()
            && previous.severity == Severity::Error
            && previous.path == path
            && previous.start.line == start.line
        {
            previous.message.push('\n');
            previous.message.push_str(&message);
            continue;
        }
        found.push(ToolDiagnostic {
            path,
            start,
            end: None,
            unit: ColumnUnit::Chars,
            severity,
            code: string(value.get("code")),
            message,
        });
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_notes_and_hints() {
        let output = br#"{"file": "src/a.py", "line": 3, "column": 4, "message": "Name \"x\" is not defined", "hint": null, "code": "name-defined", "severity": "error"}
{"file": "src/a.py", "line": 3, "column": 4, "message": "Did you mean \"y\"?", "hint": null, "code": null, "severity": "note"}
{"file": "src/b.py", "line": 1, "column": -1, "message": "Library stubs not installed", "hint": "Hint: \"python3 -m pip install types-x\"", "code": "import-untyped", "severity": "error"}
"#;
        let found = read(output).expect("read");
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].start, Location { line: 3, column: 5 });
        assert_eq!(found[0].code.as_deref(), Some("name-defined"));
        assert!(found[0].message.ends_with("Did you mean \"y\"?"));
        assert_eq!(found[1].start.column, 0);
        assert!(found[1].message.contains("pip install"));
    }

    #[test]
    fn a_broken_line_is_an_error() {
        assert!(read(b"{\"file\": ").is_err());
        assert!(read(b"{\"file\": \"a.py\"}").is_err());
        assert_eq!(read(b"Success: no issues found\n"), Ok(Vec::new()));
    }
}

//! `eslint -f json`: an array of files, `{"filePath", "messages": [{"ruleId", "severity" (1
//! warning, 2 error), "message", "line", "column", "endLine", "endColumn"}]}`; 1-based, columns
//! in UTF-16 code units. `ruleId` is null for a parse error.

use ripple_core::Severity;

use super::{ColumnUnit, Location, ToolDiagnostic, json, number, string};

pub fn read(stdout: &[u8]) -> Result<Vec<ToolDiagnostic>, String> {
    if stdout.iter().all(u8::is_ascii_whitespace) {
        return Err("the tool printed nothing (eslint -f json prints `[]` at least)".into());
    }
    let files: Vec<serde_json::Value> = json(stdout, "eslint's JSON (an array of files)")?;
    let mut found = Vec::new();
    for file in &files {
        let path = string(file.get("filePath"));
        let Some(messages) = file.get("messages").and_then(serde_json::Value::as_array) else {
            return Err(format!("a file has no `messages`: {file}"));
        };
        for message in messages {
            let text = string(message.get("message"))
                .ok_or_else(|| format!("a message has no `message`: {message}"))?;
            let end_line = number(message.get("endLine"));
            found.push(ToolDiagnostic {
                path: path.clone(),
                start: Location {
                    line: number(message.get("line")),
                    column: number(message.get("column")),
                },
                end: (end_line > 0).then(|| Location {
                    line: end_line,
                    column: number(message.get("endColumn")),
                }),
                unit: ColumnUnit::Utf16,
                severity: match number(message.get("severity")) {
                    1 => Severity::Warning,
                    _ => Severity::Error,
                },
                code: Some(string(message.get("ruleId")).unwrap_or_else(|| "syntax-error".into())),
                message: text,
            });
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_of_every_file() {
        let output = br#"[{"filePath": "/w/a.js", "messages": [{"ruleId": "no-unused-vars", "severity": 2, "message": "'x' is assigned a value but never used.", "line": 1, "column": 7, "endLine": 1, "endColumn": 8}], "errorCount": 1},
{"filePath": "/w/b.js", "messages": [{"ruleId": null, "fatal": true, "severity": 2, "message": "Parsing error: Unexpected token", "line": 3, "column": 1}]},
{"filePath": "/w/c.js", "messages": [{"ruleId": "eqeqeq", "severity": 1, "message": "Expected '==='", "line": 2, "column": 3}]}]"#;
        let found = read(output).expect("read");
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].end, Some(Location { line: 1, column: 8 }));
        assert_eq!(found[1].code.as_deref(), Some("syntax-error"));
        assert_eq!(found[1].end, None);
        assert_eq!(found[2].severity, Severity::Warning);
    }

    #[test]
    fn not_eslint_json_is_an_error() {
        assert!(read(b"Oops! Something went wrong!").is_err());
        assert!(read(b"[{\"filePath\": \"a\"}]").is_err());
    }
}

//! `ruff check --output-format json`: an array of `{"code", "message", "filename", "location":
//! {"row", "column"}, "end_location"}`, 1-based, columns in characters; `code` is null for a
//! syntax error.

use ripple_core::Severity;

use super::{ColumnUnit, Location, ToolDiagnostic, json, number, string};

pub fn read(stdout: &[u8]) -> Result<Vec<ToolDiagnostic>, String> {
    if stdout.iter().all(u8::is_ascii_whitespace) {
        return Err("the tool printed nothing (ruff prints `[]` when it finds nothing)".into());
    }
    let items: Vec<serde_json::Value> = json(stdout, "a JSON array of ruff diagnostics")?;
    items
        .iter()
        .map(|item| {
            let message = string(item.get("message"))
                .ok_or_else(|| format!("a diagnostic has no `message`: {item}"))?;
            let at = |key: &str| {
                item.get(key).map(|location| Location {
                    line: number(location.get("row")),
                    column: number(location.get("column")),
                })
            };
            Ok(ToolDiagnostic {
                path: string(item.get("filename")),
                start: at("location").unwrap_or_default(),
                end: at("end_location"),
                unit: ColumnUnit::Chars,
                severity: Severity::Error,
                code: Some(string(item.get("code")).unwrap_or_else(|| "syntax-error".into())),
                message,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_and_syntax_errors() {
        let output = br#"[{"code": "F401", "message": "`os` imported but unused", "filename": "/w/a.py", "location": {"row": 1, "column": 8}, "end_location": {"row": 1, "column": 10}, "fix": null},
{"code": null, "message": "SyntaxError: Expected an expression", "filename": "/w/b.py", "location": {"row": 2, "column": 5}, "end_location": {"row": 2, "column": 5}}]"#;
        let found = read(output).expect("read");
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].code.as_deref(), Some("F401"));
        assert_eq!(
            found[0].end,
            Some(Location {
                line: 1,
                column: 10
            })
        );
        assert_eq!(found[1].code.as_deref(), Some("syntax-error"));
    }

    #[test]
    fn not_json_is_an_error() {
        assert!(read(b"error: unexpected argument").is_err());
        assert!(read(b"").is_err());
        assert_eq!(read(b"[]"), Ok(Vec::new()));
    }
}

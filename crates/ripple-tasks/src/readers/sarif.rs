//! SARIF 2.1.0 (on stdout, or in `{report}`): every `runs[].results[]`, at its first location's
//! `physicalLocation` (`artifactLocation.uri`, resolved through `uriBaseId` and the run's
//! `originalUriBaseIds`; `region` 1-based, columns in the run's `columnKind`: UTF-16 code units
//! unless it says `unicodeCodePoints`). A result without a `level` is a warning, as the
//! standard says.

use ripple_core::Severity;

use super::{ColumnUnit, Location, ToolDiagnostic, json, number, string};

pub fn read(bytes: &[u8]) -> Result<Vec<ToolDiagnostic>, String> {
    let log: serde_json::Value = json(bytes, "a SARIF log")?;
    let Some(runs) = log.get("runs").and_then(serde_json::Value::as_array) else {
        return Err("the SARIF log has no `runs`".into());
    };
    let mut found = Vec::new();
    for run in runs {
        let unit = match run.get("columnKind").and_then(serde_json::Value::as_str) {
            Some("unicodeCodePoints") => ColumnUnit::Chars,
            _ => ColumnUnit::Utf16,
        };
        let bases = run.get("originalUriBaseIds");
        let Some(results) = run.get("results").and_then(serde_json::Value::as_array) else {
            continue;
        };
        for result in results {
            let message = result
                .get("message")
                .and_then(|message| string(message.get("text")))
                .ok_or_else(|| format!("a result has no `message.text`: {result}"))?;
            let physical = result
                .get("locations")
                .and_then(|locations| locations.get(0))
                .and_then(|location| location.get("physicalLocation"));
            let path = physical
                .and_then(|physical| physical.get("artifactLocation"))
                .and_then(|artifact| {
                    let uri = string(artifact.get("uri"))?;
                    let base = string(artifact.get("uriBaseId")).and_then(|id| {
                        bases
                            .and_then(|bases| bases.get(&id))
                            .and_then(|base| string(base.get("uri")))
                    });
                    Some(resolve(base.as_deref(), &uri))
                });
            let region = physical.and_then(|physical| physical.get("region"));
            let at = |line: &str, column: &str| Location {
                line: number(region.and_then(|region| region.get(line))),
                column: number(region.and_then(|region| region.get(column))),
            };
            let start = at("startLine", "startColumn");
            let end = at("endLine", "endColumn");
            found.push(ToolDiagnostic {
                path,
                start,
                end: (end.line > 0 || end.column > 0).then_some(Location {
                    line: if end.line > 0 { end.line } else { start.line },
                    column: end.column,
                }),
                unit,
                severity: match result.get("level").and_then(serde_json::Value::as_str) {
                    Some("error") => Severity::Error,
                    Some("note") => Severity::Information,
                    Some("none") => Severity::Hint,
                    _ => Severity::Warning,
                },
                code: string(result.get("ruleId")),
                message,
            });
        }
    }
    Ok(found)
}

/// A path from a result's URI: `file:` URIs decoded to their path, relative ones joined to
/// their base (itself a URI or a path).
fn resolve(base: Option<&str>, uri: &str) -> String {
    if let Some(path) = file_path(uri) {
        return path;
    }
    match base {
        Some(base) => {
            let base = file_path(base).unwrap_or_else(|| base.to_string());
            let separator = if base.ends_with('/') { "" } else { "/" };
            format!("{base}{separator}{}", percent_decode(uri))
        }
        None => percent_decode(uri),
    }
}

fn file_path(uri: &str) -> Option<String> {
    let rest = uri.strip_prefix("file://")?;
    // `file:///abs` or `file://localhost/abs`.
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    Some(percent_decode(path))
}

/// `%20` and the like, as URIs write bytes that are not plain characters.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%'
            && let Some(hex) = text.get(index + 1..index + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            decoded.push(byte);
            index += 3;
            continue;
        }
        decoded.push(bytes[index]);
        index += 1;
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_with_bases_uris_and_levels() {
        let log = br#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
          "originalUriBaseIds": {"SRC": {"uri": "file:///w/src/"}},
          "results": [
            {"ruleId": "R1", "level": "error", "message": {"text": "bad"},
             "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a%20b.py", "uriBaseId": "SRC"}, "region": {"startLine": 2, "startColumn": 3, "endColumn": 6}}}]},
            {"ruleId": "R2", "message": {"text": "meh"},
             "locations": [{"physicalLocation": {"artifactLocation": {"uri": "file:///w/c.py"}, "region": {"startLine": 1}}}]},
            {"message": {"text": "global"}}
          ]}]}"#;
        let found = read(log).expect("read");
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].path.as_deref(), Some("/w/src/a b.py"));
        assert_eq!(found[0].end, Some(Location { line: 2, column: 6 }));
        assert_eq!(found[0].severity, Severity::Error);
        assert_eq!(found[1].path.as_deref(), Some("/w/c.py"));
        assert_eq!(found[1].severity, Severity::Warning);
        assert_eq!(found[2].path, None);
    }

    #[test]
    fn not_sarif_is_an_error() {
        assert!(read(b"{}").is_err());
        assert!(read(b"nope").is_err());
    }
}

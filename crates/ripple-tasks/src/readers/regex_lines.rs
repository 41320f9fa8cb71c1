//! `format = "regex"`: each line of the output (stdout, then stderr) that the task's `pattern`
//! matches is a finding. Named groups: `message` (required), `file`, `line`, `column`,
//! `end_line`, `end_column` (1-based, columns in characters), `severity` (`error`, `warning`,
//! `note`/`info`, `hint`; error otherwise) and `code`.

use regex::Regex;
use ripple_core::Severity;

use super::{ColumnUnit, Location, ToolDiagnostic};

const GROUPS: &[&str] = &[
    "file",
    "line",
    "column",
    "end_line",
    "end_column",
    "severity",
    "code",
    "message",
];

pub fn compile(pattern: Option<&str>) -> Result<Regex, String> {
    let Some(pattern) = pattern else {
        return Err(
            "format `regex` needs a `pattern` with named groups, at least `(?P<message>...)`"
                .into(),
        );
    };
    let regex = Regex::new(pattern)
        .map_err(|error| format!("`pattern` is not a valid regular expression: {error}"))?;
    let names: Vec<&str> = regex.capture_names().flatten().collect();
    if !names.contains(&"message") {
        return Err("`pattern` needs a `(?P<message>...)` group".into());
    }
    if let Some(unknown) = names.iter().find(|name| !GROUPS.contains(name)) {
        return Err(format!(
            "`pattern` has a group `{unknown}` that means nothing here (known: {})",
            GROUPS.join(", ")
        ));
    }
    Ok(regex)
}

pub fn read(pattern: &Regex, stdout: &[u8], stderr: &[u8]) -> Vec<ToolDiagnostic> {
    let mut found = Vec::new();
    for output in [stdout, stderr] {
        let text = String::from_utf8_lossy(output);
        for line in text.lines() {
            let Some(captures) = pattern.captures(line) else {
                continue;
            };
            let text = |name: &str| captures.name(name).map(|found| found.as_str());
            let number = |name: &str| {
                text(name)
                    .and_then(|text| text.trim().parse().ok())
                    .unwrap_or(0)
            };
            let end_line = number("end_line");
            found.push(ToolDiagnostic {
                path: text("file").map(str::to_string),
                start: Location {
                    line: number("line"),
                    column: number("column"),
                },
                end: (end_line > 0).then(|| Location {
                    line: end_line,
                    column: number("end_column"),
                }),
                unit: ColumnUnit::Chars,
                severity: match text("severity").map(str::to_ascii_lowercase).as_deref() {
                    Some("warning" | "warn" | "w") => Severity::Warning,
                    Some("note" | "info" | "information") => Severity::Information,
                    Some("hint") => Severity::Hint,
                    _ => Severity::Error,
                },
                code: text("code").map(str::to_string),
                message: text("message").unwrap_or_default().to_string(),
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_groups_make_findings() {
        let pattern = compile(Some(
            r"^(?P<file>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<code>\w+) (?P<message>.+)$",
        ))
        .expect("compiles");
        let found = read(
            &pattern,
            b"a.sh:3:7: SC2086 Double quote to prevent globbing\nnoise\n",
            b"b.sh:1:1: SC1000 x\n",
        );
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].start, Location { line: 3, column: 7 });
        assert_eq!(found[1].path.as_deref(), Some("b.sh"));
    }

    #[test]
    fn patterns_are_checked() {
        assert!(compile(None).is_err());
        assert!(compile(Some("(")).is_err());
        assert!(compile(Some("(?P<file>.+)")).is_err());
        assert!(compile(Some("(?P<message>.+)(?P<colour>x)")).is_err());
    }
}

//! tsc's plain diagnostics (`--pretty false`, the default when not on a terminal):
//! `src/a.ts(3,5): error TS2322: Type 'string' is not assignable to type 'number'.`, with
//! the rest of a long message on the following, indented lines; and `error TS5023: ...` for
//! what concerns no file. 1-based, columns in UTF-16 code units.

use std::sync::LazyLock;

use regex::Regex;
use ripple_core::Severity;

use super::{ColumnUnit, Location, ToolDiagnostic};

static IN_FILE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^(?P<file>.+?)\((?P<line>\d+),(?P<column>\d+)\): (?P<severity>error|warning|message|suggestion) (?P<code>TS\d+): (?P<message>.*)$").ok()
});
static NO_FILE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^(?P<severity>error|warning|message) (?P<code>TS\d+): (?P<message>.*)$").ok()
});

pub fn read(stdout: &[u8]) -> Result<Vec<ToolDiagnostic>, String> {
    let (Some(in_file), Some(no_file)) = (&*IN_FILE, &*NO_FILE) else {
        return Err("internal error: the tsc patterns do not compile".into());
    };
    let text = String::from_utf8_lossy(stdout);
    let mut found: Vec<ToolDiagnostic> = Vec::new();
    for line in text.lines() {
        if let Some(captures) = in_file.captures(line) {
            let number = |name: &str| {
                captures
                    .name(name)
                    .and_then(|text| text.as_str().parse().ok())
                    .unwrap_or(0)
            };
            found.push(ToolDiagnostic {
                path: captures.name("file").map(|file| file.as_str().to_string()),
                start: Location {
                    line: number("line"),
                    column: number("column"),
                },
                end: None,
                unit: ColumnUnit::Utf16,
                severity: severity(captures.name("severity").map(|s| s.as_str())),
                code: captures.name("code").map(|code| code.as_str().to_string()),
                message: captures
                    .name("message")
                    .map_or_else(String::new, |message| message.as_str().to_string()),
            });
        } else if let Some(captures) = no_file.captures(line) {
            found.push(ToolDiagnostic {
                path: None,
                start: Location::default(),
                end: None,
                unit: ColumnUnit::Utf16,
                severity: severity(captures.name("severity").map(|s| s.as_str())),
                code: captures.name("code").map(|code| code.as_str().to_string()),
                message: captures
                    .name("message")
                    .map_or_else(String::new, |message| message.as_str().to_string()),
            });
        } else if line.starts_with(' ')
            && let Some(previous) = found.last_mut()
        {
            previous.message.push('\n');
            previous.message.push_str(line.trim());
        }
    }
    Ok(found)
}

fn severity(text: Option<&str>) -> Severity {
    match text {
        Some("warning") => Severity::Warning,
        Some("message") | Some("suggestion") => Severity::Information,
        _ => Severity::Error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_with_and_without_files_and_continuations() {
        let output = b"src/a.ts(3,5): error TS2322: Type 'string' is not assignable to type 'number'.\nsrc/b (1).ts(10,1): error TS2345: Argument of type 'A' is not assignable.\n  Property 'x' is missing.\nerror TS5023: Unknown compiler option 'foo'.\nFound 3 errors.\n";
        let found = read(output).expect("read");
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].path.as_deref(), Some("src/a.ts"));
        assert_eq!(found[0].start, Location { line: 3, column: 5 });
        assert_eq!(found[1].path.as_deref(), Some("src/b (1).ts"));
        assert!(found[1].message.ends_with("Property 'x' is missing."));
        assert_eq!(found[2].path, None);
        assert_eq!(found[2].code.as_deref(), Some("TS5023"));
    }
}

//! Reading a tool's output into diagnostics: one module per format. A reader sees the
//! process's output (and its report file, for formats that write one) and returns what the
//! tool said, with the tool's own paths, positions and codes; `diagnostics.rs` then places them
//! in the workspace. Output a reader cannot parse is an error naming what was wrong: a task is
//! never silently clean.

mod eslint_json;
mod junit;
mod mypy_json;
mod regex_lines;
mod ruff_json;
mod sarif;
mod tsc;

use std::path::Path;

use ripple_core::Severity;

/// How a task's output is read.
#[derive(Debug, Clone)]
pub enum OutputFormat {
    /// mypy >= 1.11 with `-O json`: one JSON object a line.
    MypyJson,
    /// `ruff check --output-format json`.
    RuffJson,
    /// `eslint -f json`.
    EslintJson,
    /// tsc's `file(line,col): error TSnnnn: message` lines (`--pretty false`).
    Tsc,
    /// A JUnit XML report (pytest `--junitxml={report}`): each failing test at its `def`.
    Junit,
    /// SARIF 2.1.0, on stdout or in `{report}`.
    Sarif,
    /// Lines matched by a regular expression with named groups.
    Regex(regex::Regex),
}

/// The unit of the columns a reader returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnUnit {
    /// UTF-16 code units (what LSP and JavaScript tools count).
    Utf16,
    /// Unicode scalar values (what Python tools count).
    Chars,
    /// UTF-8 bytes.
    Bytes,
}

/// A place in a file as a tool gives it: 1-based line and column, 0 when it did not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Location {
    pub line: u32,
    pub column: u32,
}

/// One finding as the tool reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolDiagnostic {
    /// The file as the tool named it (absolute, relative to the root, or a `file:` URI);
    /// `None` for a finding about no file.
    pub path: Option<String>,
    pub start: Location,
    pub end: Option<Location>,
    pub unit: ColumnUnit,
    pub severity: Severity,
    /// The tool's own code (`name-defined`, `F401`, `TS2322`).
    pub code: Option<String>,
    pub message: String,
}

/// What a tool's run left to read.
pub struct ToolOutput<'a> {
    pub stdout: &'a [u8],
    pub stderr: &'a [u8],
    /// The `{report}` file's contents, when the command has one.
    pub report: Option<&'a [u8]>,
    /// The workspace root (paths in reports are relative to it, or to the tool's working
    /// directory, which is the root).
    pub root: &'a Path,
}

impl OutputFormat {
    pub const NAMES: &'static [&'static str] = &[
        "mypy-json",
        "ruff-json",
        "eslint-json",
        "tsc",
        "junit",
        "sarif",
        "regex",
    ];

    /// The format named `name`; `regex` takes its `pattern`.
    pub fn parse(name: &str, pattern: Option<&str>) -> Result<Self, String> {
        Ok(match name {
            "mypy-json" => Self::MypyJson,
            "ruff-json" => Self::RuffJson,
            "eslint-json" => Self::EslintJson,
            "tsc" => Self::Tsc,
            "junit" => Self::Junit,
            "sarif" => Self::Sarif,
            "regex" => Self::Regex(regex_lines::compile(pattern)?),
            other => {
                return Err(format!(
                    "unknown format `{other}` (known: {})",
                    Self::NAMES.join(", ")
                ));
            }
        })
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::MypyJson => "mypy-json",
            Self::RuffJson => "ruff-json",
            Self::EslintJson => "eslint-json",
            Self::Tsc => "tsc",
            Self::Junit => "junit",
            Self::Sarif => "sarif",
            Self::Regex(_) => "regex",
        }
    }

    /// Whether the output is in a report file rather than on stdout.
    pub fn needs_report(&self) -> bool {
        matches!(self, Self::Junit)
    }

    /// The exit codes with which the tool ran to its end, found something or not. mypy, ruff,
    /// eslint: 0 clean, 1 findings (2 is a crash or a usage error). tsc: 1 and 2 are errors
    /// found. pytest: 1 tests failed, 5 no tests collected (a file whose tests are all
    /// deselected).
    pub fn usual_exit_codes(&self) -> &'static [i32] {
        match self {
            Self::Tsc => &[0, 1, 2],
            Self::Junit => &[0, 1, 5],
            _ => &[0, 1],
        }
    }

    /// The findings in a run's output.
    pub fn read(&self, output: &ToolOutput<'_>) -> Result<Vec<ToolDiagnostic>, String> {
        match self {
            Self::MypyJson => mypy_json::read(output.stdout),
            Self::RuffJson => ruff_json::read(output.stdout),
            Self::EslintJson => eslint_json::read(output.stdout),
            Self::Tsc => tsc::read(output.stdout),
            Self::Junit => match output.report {
                Some(report) => junit::read(report, output.root),
                None => Err("the tool wrote no report file".into()),
            },
            Self::Sarif => sarif::read(output.report.unwrap_or(output.stdout)),
            Self::Regex(pattern) => Ok(regex_lines::read(pattern, output.stdout, output.stderr)),
        }
    }
}

/// Text of a tool's output, for messages: lossy, and only its end when it is long.
pub fn tail(bytes: &[u8], lines: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let kept: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    let start = kept.len().saturating_sub(lines);
    kept[start..].join("\n")
}

/// A JSON number as a 1-based line or column, 0 when absent or not a number.
fn number(value: Option<&serde_json::Value>) -> u32 {
    value
        .and_then(serde_json::Value::as_u64)
        .and_then(|number| u32::try_from(number).ok())
        .unwrap_or(0)
}

fn string(value: Option<&serde_json::Value>) -> Option<String> {
    value
        .and_then(serde_json::Value::as_str)
        .map(str::to_string)
}

/// `what` for messages: "output is not ..." with the serde error's place.
fn json<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, String> {
    serde_json::from_slice(bytes).map_err(|error| {
        format!(
            "the output is not {what} ({error}); it began: {}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).trim()
        )
    })
}

//! Rendering findings: human, JSON (the documented contract) and GitHub annotations.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use ripple_core::{Diagnostic, Languages, LineIndex, Position, PositionEncoding};
use ripple_workspace::{Workspace, WorkspaceProblem};
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
    pub code: &'static str,
    pub message: Arc<str>,
    pub source: &'static str,
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
            code: diagnostic.code,
            message: diagnostic.message.clone(),
            source: "ripple",
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
            code: problem.code,
            message: problem.message.as_str().into(),
            source: "ripple",
        }
    }
}

pub struct Report {
    pub findings: Vec<Finding>,
    pub files: usize,
    pub duration_ms: u128,
    pub cache: CacheSummary,
}

/// Per-file results found in the store and computed this run.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CacheSummary {
    pub hits: u64,
    pub misses: u64,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    diagnostics: &'a [Finding],
    summary: JsonSummary,
}

#[derive(Serialize)]
struct JsonSummary {
    files: usize,
    diagnostics: usize,
    duration_ms: u128,
    cache: CacheSummary,
}

pub fn write_json(out: &mut impl Write, report: &Report) -> anyhow::Result<()> {
    let json = JsonReport {
        diagnostics: &report.findings,
        summary: JsonSummary {
            files: report.files,
            diagnostics: report.findings.len(),
            duration_ms: report.duration_ms,
            cache: report.cache,
        },
    };
    serde_json::to_writer(&mut *out, &json)?;
    writeln!(out)?;
    Ok(())
}

pub fn write_human(out: &mut impl Write, report: &Report, color: bool) -> anyhow::Result<()> {
    let (bold, red, yellow, cyan, reset) = if color {
        ("\x1b[1m", "\x1b[31m", "\x1b[33m", "\x1b[36m", "\x1b[0m")
    } else {
        ("", "", "", "", "")
    };
    for finding in &report.findings {
        let severity_color = if finding.severity == "error" {
            red
        } else {
            yellow
        };
        writeln!(
            out,
            "{bold}{}:{}:{}{reset}: {severity_color}{}{reset} [{cyan}{}{reset}] {}",
            finding.path,
            finding.start.line + 1,
            finding.start.character + 1,
            finding.severity,
            finding.code,
            finding.message
        )?;
    }
    let count = report.findings.len();
    let noun = if count == 1 { "problem" } else { "problems" };
    let files = if report.files == 1 { "file" } else { "files" };
    if count == 0 {
        writeln!(
            out,
            "No problems in {} {files} ({} ms).",
            report.files, report.duration_ms
        )?;
    } else {
        writeln!(
            out,
            "Found {count} {noun} in {} {files} ({} ms).",
            report.files, report.duration_ms
        )?;
    }
    Ok(())
}

/// GitHub Actions workflow commands, which annotate the pull request's diff.
pub fn write_github(out: &mut impl Write, report: &Report) -> anyhow::Result<()> {
    for finding in &report.findings {
        let level = match finding.severity {
            "error" => "error",
            "warning" => "warning",
            _ => "notice",
        };
        writeln!(
            out,
            "::{level} title=ripple ({}),file={},line={},col={},endLine={},endColumn={}::{}",
            escape_property(finding.code),
            escape_property(&finding.path),
            finding.range.start.line + 1,
            finding.range.start.character + 1,
            finding.range.end.line + 1,
            finding.range.end.character + 1,
            escape_data(&format!("{} [{}]", finding.message, finding.code))
        )?;
    }
    Ok(())
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn write_stats(workspace: &Workspace, files: usize, elapsed: Duration) {
    let totals = workspace.db().query_totals();
    eprintln!(
        "ripple stats: {files} files checked in {} ms",
        elapsed.as_millis()
    );
    let (hits, misses) = workspace.cache_counts();
    match workspace.cache_dir() {
        Some(dir) => eprintln!("  cache: {hits} hits, {misses} misses ({})", dir.display()),
        None => eprintln!("  cache: off ({misses} results computed)"),
    }
    eprintln!("  {:<28} {:>10}", "query", "executions");
    for (name, count) in totals {
        eprintln!("  {name:<28} {count:>10}");
    }
}

/// `ripple rules [CODE]`: each rule's code, aliases and documentation, per language that checks
/// it (a code two languages share means the same thing in both, with each its own examples).
pub fn print_rules(languages: &Languages, code: Option<&str>) -> anyhow::Result<ExitCode> {
    let wanted = code
        .map(|code| ripple_workspace::parse_rule(languages, code).map_err(anyhow::Error::msg))
        .transpose()?;
    let several = languages.len() > 1;
    let mut out = std::io::stdout().lock();
    for (_, language) in languages.iter() {
        for rule in language.rules() {
            if wanted.is_some_and(|wanted| wanted != rule.code) {
                continue;
            }
            let aliases = rule.aliases.join(", ");
            let aliases = if aliases.is_empty() { "-" } else { &aliases };
            if several {
                writeln!(out, "# {} ({aliases}) in {}", rule.code, language.name())?;
            } else {
                writeln!(out, "# {} ({aliases})", rule.code)?;
            }
            // Doc comments keep the space after `///`.
            for line in rule.documentation.lines() {
                writeln!(out, "{}", line.strip_prefix(' ').unwrap_or(line))?;
            }
            writeln!(out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

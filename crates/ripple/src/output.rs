//! Rendering findings: human, JSON (the documented contract), GitHub annotations and SARIF
//! (`sarif.rs`).

use std::borrow::Cow;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use rayon::prelude::*;
use ripple_core::Languages;
use ripple_workspace::Workspace;

pub use crate::report::{CacheSummary, Finding, Range, Report};

/// The shape of `--format json`, for the test that the hand-written output matches it.
#[cfg(test)]
#[derive(serde::Serialize)]
struct JsonReport<'a> {
    diagnostics: &'a [Finding],
    summary: JsonSummary,
}

#[cfg(test)]
#[derive(serde::Serialize)]
struct JsonSummary {
    files: usize,
    diagnostics: usize,
    duration_ms: u128,
    cache: CacheSummary,
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    tasks: std::collections::BTreeMap<String, ripple_tasks::TaskOutcome>,
}

/// `--format json`, written directly rather than through `serde_json`'s serializer: the
/// report is one fixed shape, and a run with 77,000 findings spent a quarter of its time in
/// escaping the field names. Strings are escaped as `serde_json` escapes them, so the output is
/// the same byte for byte (a test holds that).
/// `pool` formats the findings, in order, while this thread writes them.
pub fn write_json(
    out: &mut impl Write,
    report: &Report,
    pool: &rayon::ThreadPool,
) -> anyhow::Result<()> {
    out.write_all(b"{\"diagnostics\":[")?;
    // Formatted in parallel a window at a time (a large workspace has hundreds of thousands
    // of findings, 100 MB of JSON), written in order. The window's buffers are made once and
    // reused: allocated and freed per window, they left 60 MB more resident at 108k files.
    const CHUNK: usize = 512;
    const CHUNKS_PER_WINDOW: usize = 16;
    let mut buffers: Vec<Vec<u8>> = vec![Vec::new(); CHUNKS_PER_WINDOW];
    let mut first = true;
    if report.findings.len() <= CHUNK * 4 {
        // A few findings: waking the threads would cost more than formatting them here.
        let mut buffer = Vec::new();
        for finding in &report.findings {
            buffer.push(b',');
            write_finding(&mut buffer, finding)?;
        }
        out.write_all(buffer.get(1..).unwrap_or_default())?;
    }
    for window in report
        .findings
        .chunks(CHUNK * CHUNKS_PER_WINDOW)
        .filter(|_| report.findings.len() > CHUNK * 4)
    {
        pool.install(|| {
            window
                .par_chunks(CHUNK)
                .zip(buffers.par_iter_mut())
                .for_each(|(chunk, buffer)| {
                    buffer.clear();
                    for finding in chunk {
                        buffer.push(b',');
                        // Writing to a Vec cannot fail.
                        let _ = write_finding(buffer, finding);
                    }
                })
        });
        let used = window.len().div_ceil(CHUNK);
        for buffer in &buffers[..used] {
            // Every finding is preceded by a comma but the very first.
            let skip = usize::from(std::mem::take(&mut first));
            out.write_all(buffer.get(skip..).unwrap_or_default())?;
        }
    }
    write!(
        out,
        "],\"summary\":{{\"files\":{},\"diagnostics\":{},\"duration_ms\":{},\"cache\":{{\"hits\":{},\"misses\":{}}}",
        report.files,
        report.findings.len(),
        report.duration_ms,
        report.cache.hits,
        report.cache.misses
    )?;
    if !report.tasks.is_empty() {
        let tasks: std::collections::BTreeMap<&str, &ripple_tasks::TaskOutcome> = report
            .tasks
            .iter()
            .map(|outcome| (outcome.name.as_str(), outcome))
            .collect();
        out.write_all(b",\"tasks\":")?;
        serde_json::to_writer(&mut *out, &tasks)?;
    }
    out.write_all(b"}}")?;
    writeln!(out)?;
    Ok(())
}

fn write_finding(out: &mut impl Write, finding: &Finding) -> anyhow::Result<()> {
    out.write_all(b"{\"path\":")?;
    write_string(out, &finding.path)?;
    let Range { start, end } = finding.range;
    let mut number = itoa::Buffer::new();
    out.write_all(b",\"range\":{\"start\":{\"line\":")?;
    out.write_all(number.format(start.line).as_bytes())?;
    out.write_all(b",\"character\":")?;
    out.write_all(number.format(start.character).as_bytes())?;
    out.write_all(b"},\"end\":{\"line\":")?;
    out.write_all(number.format(end.line).as_bytes())?;
    out.write_all(b",\"character\":")?;
    out.write_all(number.format(end.character).as_bytes())?;
    out.write_all(b"}},\"severity\":")?;
    write_string(out, finding.severity)?;
    out.write_all(b",\"code\":")?;
    write_string(out, &finding.code)?;
    out.write_all(b",\"message\":")?;
    write_string(out, &finding.message)?;
    out.write_all(b",\"source\":")?;
    write_string(out, &finding.source)?;
    out.write_all(b"}")?;
    Ok(())
}

/// A JSON string, escaped as `serde_json` escapes it (the JSON test holds that byte for byte):
/// written by hand because tools' messages often quote names (`"str"`), and serde's writer took
/// a fifth of a run replaying a mypy task's findings.
fn write_string(out: &mut impl Write, text: &str) -> anyhow::Result<()> {
    out.write_all(b"\"")?;
    // Which bytes need an escape, looked up rather than compared thrice per byte.
    const ESCAPED: [bool; 256] = {
        let mut table = [false; 256];
        let mut byte = 0;
        while byte < 0x20 {
            table[byte] = true;
            byte += 1;
        }
        table[b'"' as usize] = true;
        table[b'\\' as usize] = true;
        table
    };
    let mut rest = text.as_bytes();
    // Runs of bytes that need no escape are written whole.
    while let Some(at) = rest.iter().position(|&byte| ESCAPED[usize::from(byte)]) {
        out.write_all(&rest[..at])?;
        let byte = rest[at];
        let escaped: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                &[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(byte >> 4)],
                    HEX[usize::from(byte & 0xf)],
                ]
            }
        };
        out.write_all(escaped)?;
        rest = &rest[at + 1..];
    }
    out.write_all(rest)?;
    out.write_all(b"\"")?;
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
        let code = if finding.source == "ripple" {
            Cow::Borrowed(&*finding.code)
        } else {
            Cow::Owned(format!("{} {}", finding.source, finding.code))
        };
        writeln!(
            out,
            "{bold}{}:{}:{}{reset}: {severity_color}{}{reset} [{cyan}{code}{reset}] {}",
            finding.path,
            finding.start.line + 1,
            finding.start.character + 1,
            finding.severity,
            finding.message
        )?;
    }
    for task in &report.tasks {
        let targets = if task.targets == 1 {
            "target"
        } else {
            "targets"
        };
        let processes = if task.processes == 1 {
            "process"
        } else {
            "processes"
        };
        let failed = match task.failures {
            0 => String::new(),
            1 => ", 1 failed".to_string(),
            failures => format!(", {failures} failed"),
        };
        writeln!(
            out,
            "{}: {} {targets}, {} from the cache, {} run in {} {processes} ({} ms){failed}.",
            task.name, task.targets, task.hits, task.runs, task.processes, task.duration_ms
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
            "::{level} title={} ({}),file={},line={},col={},endLine={},endColumn={}::{}",
            escape_property(&finding.source),
            escape_property(&finding.code),
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

/// Writes `report` to stdout in `format`. SARIF also says where the paths are relative to
/// (`root`) and describes the rules of `languages`, those that ran (`None` when only tasks did).
pub fn write_report(
    format: crate::options::Format,
    report: &Report,
    root: &std::path::Path,
    languages: Option<&Languages>,
) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    let stdout = std::io::stdout();
    let color = format == crate::options::Format::Human
        && stdout.is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    // Stdout is line-buffered: unbuffered here, 300,000 findings were 110,000 write calls.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    match format {
        crate::options::Format::Human => write_human(&mut out, report, color)?,
        crate::options::Format::Json => {
            write_json(&mut out, report, ripple_workspace::worker_pool())?
        }
        crate::options::Format::Github => write_github(&mut out, report)?,
        crate::options::Format::Sarif => {
            crate::sarif::write_sarif(&mut out, report, root, languages)?
        }
    }
    out.flush()?;
    Ok(())
}

/// Per task: targets, results replayed and run, processes and their time (`--stats`).
pub fn write_task_stats(tasks: &[ripple_tasks::TaskOutcome]) {
    for task in tasks {
        eprintln!(
            "  task {}: {} targets, {} hits, {} runs, {} processes, {} failures, {} ms",
            task.name,
            task.targets,
            task.hits,
            task.runs,
            task.processes,
            task.failures,
            task.duration_ms
        );
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use ripple_core::Position;

    /// The hand-written JSON is what `serde_json` writes for the same report.
    /// `count` findings, alternating a plain one and one whose strings need escaping.
    fn report_of(count: usize) -> Report {
        let position = |line, character| Position { line, character };
        let kinds = [
            ("pkg/mod.py", "plain message", "unused-import"),
            (
                "dir with \"quotes\"/é.py",
                "tab\there, newline\nthere, \\ and \u{1}, \r\u{8}\u{c}\u{1f}\u{7f} \"str\"",
                "undefined-name",
            ),
        ];
        let findings: Vec<Finding> = (0..count)
            .map(|index| {
                let (path, message, code) = kinds[index % 2];
                Finding {
                    path: path.into(),
                    start: position(index as u32, 3),
                    range: Range {
                        start: position(index as u32, 3),
                        end: position(index as u32 + 1, 0),
                    },
                    severity: "warning",
                    code: code.into(),
                    message: message.into(),
                    source: if index % 3 == 0 {
                        "ripple".into()
                    } else {
                        "mypy".into()
                    },
                }
            })
            .collect();
        Report {
            findings,
            files: 2,
            duration_ms: 12,
            cache: CacheSummary { hits: 1, misses: 1 },
            tasks: if count == 2 {
                vec![ripple_tasks::TaskOutcome {
                    name: "mypy".into(),
                    targets: 3,
                    hits: 2,
                    runs: 1,
                    processes: 1,
                    failures: 0,
                    duration_ms: 40,
                    diagnostics: Vec::new(),
                }]
            } else {
                Vec::new()
            },
        }
    }

    #[test]
    fn json_is_what_serde_json_writes() {
        // None, a few, and several of the windows formatted in parallel, the last one partial.
        for count in [0, 2, 3 * 8192 + 5] {
            let report = report_of(count);
            let mut ours = Vec::new();
            write_json(&mut ours, &report, ripple_workspace::worker_pool())
                .unwrap_or_else(|error| panic!("{error}"));
            let mut theirs = serde_json::to_vec(&JsonReport {
                diagnostics: &report.findings,
                summary: JsonSummary {
                    files: report.files,
                    diagnostics: report.findings.len(),
                    duration_ms: report.duration_ms,
                    cache: report.cache,
                    tasks: report
                        .tasks
                        .iter()
                        .map(|outcome| (outcome.name.clone(), outcome.clone()))
                        .collect(),
                },
            })
            .unwrap_or_default();
            theirs.push(b'\n');
            assert!(ours == theirs, "{count} findings: the JSON differs");
        }
    }
}

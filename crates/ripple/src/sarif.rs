//! `--format sarif`: SARIF 2.1.0, the log GitHub code scanning and other viewers take.
//!
//! ripple's own findings are one run, each task's another under its own `tool.driver`: a task's
//! codes are its tool's, and GitHub keeps alerts per run category, so uploading the log of a
//! run without some task leaves that task's alerts alone.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;

use ripple_core::{INVALID_CONFIGURATION_CODE, IO_ERROR_CODE, Languages, SYNTAX_ERROR_CODE};
use serde::Serialize;

use crate::report::{Finding, Report};

/// GitHub rejects an upload of more runs than this.
const MAX_RUNS: usize = 20;

/// The codes ripple reports outside any language's rules, described here when no language
/// describes them: with their short and full descriptions.
const SHARED_CODES: &[(&str, &str, &str)] = &[
    (
        SYNTAX_ERROR_CODE,
        "A file that cannot be parsed or decoded.",
        "Reports a file that its language cannot parse, or whose bytes are not text: ripple checks nothing else in it.",
    ),
    (
        IO_ERROR_CODE,
        "A file or folder that could not be read.",
        "Reports a file or folder that ripple could not read at all. It is not a rule: it is never suppressed nor deselected.",
    ),
    (
        INVALID_CONFIGURATION_CODE,
        "A problem in the configuration.",
        "Reports a key, value or task of the configuration (`ripple.toml` or `[tool.ripple]` in `pyproject.toml`) that ripple cannot use: the rest of the configuration applies, with defaults for what is wrong, and the tasks of a bad table do not run.",
    ),
];

/// Where a location with no file of its own is put: a finding about the workspace as a whole.
const WORKSPACE_FILE: &str = "ripple.toml";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    automation_details: AutomationDetails,
    original_uri_base_ids: BaseIds,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    semantic_version: Option<&'static str>,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: Cow<'a, str>,
    /// Only ripple's rules have one: a tool's code is all ripple knows of the tool's rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    short_description: Text<String>,
    full_description: Text<String>,
    help: Help,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_configuration: Option<Configuration>,
}

#[derive(Serialize)]
struct Text<T> {
    text: T,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct AutomationDetails {
    id: String,
}

#[derive(Serialize, Clone)]
struct BaseIds {
    #[serde(rename = "%SRCROOT%")]
    source_root: Uri,
}

#[derive(Serialize, Clone)]
struct Uri {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: Cow<'a, str>,
    rule_index: usize,
    level: &'static str,
    message: Text<&'a str>,
    locations: [Location<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation<'a>,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation<'a> {
    uri: Cow<'a, str>,
    uri_base_id: &'static str,
}

/// 1-based lines and columns, the columns in UTF-16 code units (the run's `columnKind`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

/// Writes `report` as a SARIF log. `root` is the workspace root the findings' paths are
/// relative to; `languages` are those whose rules ran, `None` when only tasks ran (`ripple
/// run`), whose log then has no run of ripple's own (uploaded, an empty one would close
/// ripple's alerts).
pub fn write_sarif(
    out: &mut impl Write,
    report: &Report,
    root: &Path,
    languages: Option<&Languages>,
) -> anyhow::Result<()> {
    let base = BaseIds {
        source_root: Uri {
            uri: root_uri(root),
        },
    };
    // Every task that ran gets a run, even with nothing found: an empty run is what closes
    // the alerts of what was fixed.
    let mut by_task: BTreeMap<&str, Vec<&Finding>> = report
        .tasks
        .iter()
        .map(|outcome| (outcome.name.as_str(), Vec::new()))
        .collect();
    let mut own = Vec::new();
    for finding in &report.findings {
        if finding.source == "ripple" {
            own.push(finding);
        } else {
            by_task.entry(&finding.source).or_default().push(finding);
        }
    }
    let mut runs = Vec::new();
    if languages.is_some() || !own.is_empty() {
        let rules = own_rules(languages);
        runs.push(run(
            "ripple",
            "ripple/".into(),
            rules,
            own,
            Holds::Ripple,
            &base,
        ));
    }
    let room = MAX_RUNS - runs.len();
    let mut tasks: Vec<_> = by_task.into_iter().collect();
    // Past GitHub's limit, the last tasks share one run, their codes named by task.
    let merged = if tasks.len() > room {
        tasks.split_off(room - 1)
    } else {
        Vec::new()
    };
    for (name, findings) in tasks {
        runs.push(run(
            name,
            format!("ripple/tasks/{name}/"),
            Vec::new(),
            findings,
            Holds::Task,
            &base,
        ));
    }
    if !merged.is_empty() {
        let findings = merged
            .into_iter()
            .flat_map(|(_, findings)| findings)
            .collect();
        runs.push(run(
            "ripple-tasks",
            "ripple/tasks/".into(),
            Vec::new(),
            findings,
            Holds::Tasks,
            &base,
        ));
    }
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs,
    };
    serde_json::to_writer(&mut *out, &log)?;
    writeln!(out)?;
    Ok(())
}

/// Whose findings a run holds. ripple's rules are all described; a task's are the codes its
/// findings use, and in a run several tasks share, they are named `TASK/CODE` (two tools may
/// use one code for different things).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Holds {
    Ripple,
    Task,
    Tasks,
}

fn run<'a>(
    name: &'a str,
    automation_id: String,
    mut rules: Vec<Rule<'a>>,
    findings: Vec<&'a Finding>,
    holds: Holds,
    base: &BaseIds,
) -> Run<'a> {
    let mut index: HashMap<Cow<'a, str>, usize> = rules
        .iter()
        .enumerate()
        .map(|(at, rule)| (rule.id.clone(), at))
        .collect();
    if holds != Holds::Ripple {
        let codes: BTreeMap<Cow<'a, str>, &'a Finding> = findings
            .iter()
            .map(|finding| (rule_id(finding, holds), *finding))
            .collect();
        for (code, finding) in codes {
            index.insert(code.clone(), rules.len());
            rules.push(task_rule(code, &finding.source, &finding.code));
        }
    }
    let mut results = Vec::with_capacity(findings.len());
    // Files have many findings, and they come by file: a path is encoded once.
    let mut last_path: Option<(&str, Cow<'a, str>)> = None;
    for finding in findings {
        let id = rule_id(finding, holds);
        let rule_index = match index.get(&id) {
            Some(&at) => at,
            None => {
                // A code no rule describes (none should be): described as it comes.
                index.insert(id.clone(), rules.len());
                rules.push(unknown_rule(id.clone()));
                rules.len() - 1
            }
        };
        let uri = match &last_path {
            Some((path, uri)) if *path == &*finding.path => uri.clone(),
            _ => {
                let uri = relative_uri(&finding.path);
                last_path = Some((&finding.path, uri.clone()));
                uri
            }
        };
        let start = finding.range.start;
        let end = finding.range.end.max(start);
        results.push(SarifResult {
            rule_id: id,
            rule_index,
            level: level(finding.severity),
            message: Text {
                text: &finding.message,
            },
            locations: [Location {
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation {
                        uri,
                        uri_base_id: "%SRCROOT%",
                    },
                    region: Region {
                        start_line: start.line + 1,
                        start_column: start.character + 1,
                        end_line: end.line + 1,
                        end_column: end.character + 1,
                    },
                },
            }],
        });
    }
    let own = holds == Holds::Ripple;
    Run {
        tool: Tool {
            driver: Driver {
                name,
                version: own.then_some(env!("CARGO_PKG_VERSION")),
                semantic_version: own.then_some(env!("CARGO_PKG_VERSION")),
                rules,
            },
        },
        automation_details: AutomationDetails { id: automation_id },
        original_uri_base_ids: base.clone(),
        column_kind: "utf16CodeUnits",
        results,
    }
}

fn rule_id(finding: &Finding, holds: Holds) -> Cow<'_, str> {
    match holds {
        Holds::Tasks => Cow::Owned(format!("{}/{}", finding.source, finding.code)),
        Holds::Ripple | Holds::Task => Cow::Borrowed(&finding.code),
    }
}

/// SARIF has three levels where LSP has four severities.
fn level(severity: &str) -> &'static str {
    match severity {
        "error" => "error",
        "warning" => "warning",
        _ => "note",
    }
}

/// Every rule of the languages, then the shared codes no language describes.
fn own_rules(languages: Option<&Languages>) -> Vec<Rule<'static>> {
    let mut rules: Vec<Rule<'static>> = languages
        .map(Languages::rules)
        .unwrap_or_default()
        .into_iter()
        .map(|rule| {
            let documentation: String = rule
                .documentation
                .lines()
                // Doc comments keep the space after `///`.
                .map(|line| line.strip_prefix(' ').unwrap_or(line))
                .collect::<Vec<_>>()
                .join("\n");
            let what = section(&documentation, "What it does");
            Rule {
                id: Cow::Borrowed(rule.code),
                name: Some(pascal_case(rule.code)),
                short_description: Text {
                    text: first_sentence(&what).to_string(),
                },
                help: Help {
                    text: documentation.trim().to_string(),
                    markdown: documentation.trim().to_string(),
                },
                full_description: Text { text: what },
                default_configuration: Some(Configuration {
                    level: level(rule.severity.as_str()),
                }),
            }
        })
        .collect();
    for &(code, short, full) in SHARED_CODES {
        if rules.iter().any(|rule| rule.id == code) {
            continue;
        }
        rules.push(Rule {
            id: Cow::Borrowed(code),
            name: Some(pascal_case(code)),
            short_description: Text {
                text: short.to_string(),
            },
            full_description: Text {
                text: full.to_string(),
            },
            help: Help {
                text: full.to_string(),
                markdown: full.to_string(),
            },
            default_configuration: Some(Configuration { level: "error" }),
        });
    }
    rules
}

fn task_rule<'a>(id: Cow<'a, str>, task: &str, code: &str) -> Rule<'a> {
    let (short, full) = if code == ripple_tasks::TASK_FAILED_CODE {
        (
            format!("The task `{task}` failed."),
            format!(
                "ripple ran the task `{task}` of the workspace's configuration, and its command failed, timed out or wrote what ripple could not read: the finding says which."
            ),
        )
    } else {
        (
            format!("`{code}`, as the task `{task}` reports it."),
            format!(
                "`{code}` is the code of the tool that the task `{task}` of the workspace's configuration runs, not one of ripple's rules: ripple ran the task and reports what the tool found. The tool's documentation describes the code."
            ),
        )
    };
    Rule {
        id,
        name: None,
        short_description: Text { text: short },
        help: Help {
            text: full.clone(),
            markdown: full.clone(),
        },
        full_description: Text { text: full },
        default_configuration: None,
    }
}

fn unknown_rule(id: Cow<'_, str>) -> Rule<'_> {
    let text = format!("`{id}`.");
    Rule {
        name: None,
        short_description: Text { text: text.clone() },
        full_description: Text { text: text.clone() },
        help: Help {
            text: text.clone(),
            markdown: text,
        },
        id,
        default_configuration: None,
    }
}

/// The text of the documentation's `## TITLE` section, its lines joined.
fn section(documentation: &str, title: &str) -> String {
    let heading = format!("## {title}");
    documentation
        .lines()
        .skip_while(|line| line.trim() != heading)
        .skip(1)
        .take_while(|line| !line.starts_with("## "))
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn first_sentence(text: &str) -> &str {
    match text.find(". ") {
        Some(at) => &text[..=at],
        None => text,
    }
}

/// `unused-import` as `UnusedImport`, the form SARIF asks of a rule's name.
fn pascal_case(code: &str) -> String {
    code.split(|c: char| !c.is_ascii_alphanumeric())
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
        })
        .collect()
}

/// `path` (relative to the root, with `/`) as a relative URI reference.
fn relative_uri(path: &str) -> Cow<'_, str> {
    let path = if path.is_empty() {
        WORKSPACE_FILE
    } else {
        path
    };
    // `:` too, or a first segment `a:b` would read as a scheme.
    percent_encode(path, b"/")
}

/// The root as a `file:` URI ending in `/`, as SARIF wants a base URI.
fn root_uri(root: &Path) -> String {
    let text = root.to_string_lossy().replace('\\', "/");
    let path = text.trim_start_matches('/').trim_end_matches('/');
    format!("file:///{}/", percent_encode(path, b"/:"))
}

/// Encodes every byte but the unreserved ones and `keep`: spaces, `%`, `#`, `?` and non-ASCII
/// letters in file names would otherwise make the URI mean another file, or none.
fn percent_encode<'a>(text: &'a str, keep: &[u8]) -> Cow<'a, str> {
    let plain =
        |byte: u8| byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) || keep.contains(&byte);
    if text.bytes().all(plain) {
        return Cow::Borrowed(text);
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut encoded = String::with_capacity(text.len() + 8);
    for byte in text.bytes() {
        if plain(byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push('%');
            encoded.push(char::from(HEX[usize::from(byte >> 4)]));
            encoded.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
    }
    Cow::Owned(encoded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{CacheSummary, Range};
    use ripple_core::Position;
    use serde_json::Value;

    fn finding(
        path: &str,
        start: (u32, u32),
        end: (u32, u32),
        code: &str,
        source: &str,
    ) -> Finding {
        let position = |(line, character)| Position { line, character };
        Finding {
            path: path.into(),
            start: position(start),
            range: Range {
                start: position(start),
                end: position(end),
            },
            severity: "warning",
            code: code.to_string().into(),
            message: format!("{code} here").into(),
            source: source.to_string().into(),
        }
    }

    fn sarif(report: &Report) -> Value {
        let languages = ripple_tests::languages();
        let mut out = Vec::new();
        write_sarif(
            &mut out,
            report,
            Path::new("/work/my root"),
            Some(&languages),
        )
        .unwrap_or_else(|error| panic!("{error}"));
        let again = {
            let mut out = Vec::new();
            write_sarif(
                &mut out,
                report,
                Path::new("/work/my root"),
                Some(&languages),
            )
            .unwrap_or_else(|error| panic!("{error}"));
            out
        };
        assert!(
            out == again,
            "the SARIF of one report differs between writes"
        );
        serde_json::from_slice(&out).unwrap_or_else(|error| panic!("{error}"))
    }

    #[test]
    fn positions_are_one_based_and_paths_uris() {
        let report = Report {
            findings: vec![
                finding("a b/é.py", (0, 0), (0, 4), "unused-import", "ripple"),
                finding("m.py", (4, 7), (5, 2), "E501", "ruff"),
                finding("", (0, 0), (0, 0), IO_ERROR_CODE, "ripple"),
            ],
            files: 2,
            duration_ms: 1,
            cache: CacheSummary { hits: 0, misses: 2 },
            tasks: Vec::new(),
        };
        let log = sarif(&report);
        assert_eq!(log["version"], "2.1.0");
        let runs = log["runs"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        assert_eq!(runs.len(), 2, "{log}");
        let (own, ruff) = (&runs[0], &runs[1]);
        assert_eq!(
            own["originalUriBaseIds"]["%SRCROOT%"]["uri"],
            "file:///work/my%20root/"
        );
        let first = &own["results"][0];
        assert_eq!(
            first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "a%20b/%C3%A9.py"
        );
        let region = &first["locations"][0]["physicalLocation"]["region"];
        assert_eq!(
            (
                &region["startLine"],
                &region["startColumn"],
                &region["endLine"],
                &region["endColumn"]
            ),
            (&1.into(), &1.into(), &1.into(), &5.into())
        );
        let index = first["ruleIndex"].as_u64().unwrap_or(u64::MAX) as usize;
        assert_eq!(own["tool"]["driver"]["rules"][index]["id"], "unused-import");
        assert_eq!(
            own["tool"]["driver"]["rules"][index]["name"],
            "UnusedImport"
        );
        let workspace = &own["results"][1]["locations"][0]["physicalLocation"];
        assert_eq!(workspace["artifactLocation"]["uri"], WORKSPACE_FILE);
        assert_eq!(workspace["region"]["startLine"], 1);

        assert_eq!(ruff["tool"]["driver"]["name"], "ruff");
        assert_eq!(ruff["automationDetails"]["id"], "ripple/tasks/ruff/");
        assert_eq!(ruff["tool"]["driver"]["rules"][0]["id"], "E501");
        let region = &ruff["results"][0]["locations"][0]["physicalLocation"]["region"];
        assert_eq!(
            (
                &region["startLine"],
                &region["startColumn"],
                &region["endLine"],
                &region["endColumn"]
            ),
            (&5.into(), &8.into(), &6.into(), &3.into())
        );
    }

    #[test]
    fn tasks_past_the_limit_share_a_run() {
        let findings = (0..30)
            .map(|task| finding("a.py", (0, 0), (0, 1), "same", &format!("task{task:02}")))
            .collect();
        let report = Report {
            findings,
            files: 1,
            duration_ms: 1,
            cache: CacheSummary { hits: 0, misses: 1 },
            tasks: Vec::new(),
        };
        let log = sarif(&report);
        let runs = log["runs"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        assert_eq!(runs.len(), MAX_RUNS);
        let last = &runs[MAX_RUNS - 1];
        assert_eq!(last["results"].as_array().map(Vec::len), Some(12));
        assert_eq!(last["results"][11]["ruleId"], "task29/same");
        assert_eq!(last["tool"]["driver"]["rules"][11]["id"], "task29/same");
    }
}

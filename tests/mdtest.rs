//! Rule tests written as Markdown pages (in the spirit of ty's mdtest): prose, then code blocks
//! that form a small workspace, with the expected findings as comments on the offending lines:
//!
//! ````markdown
//! ## Undefined names in a function
//!
//! `app.py`:
//!
//! ```py
//! def f():
//!     return x  # error: [undefined-name]
//! ```
//! ````
//!
//! Every `##` or `###` section with code blocks is one test case. A block is named by the
//! `` `path`: `` line just before it (`main.py` when unnamed); `ripple.toml` blocks configure the
//! case. An assertion is `# error: [code]` or `# warning: [code]`, optionally followed by a quoted
//! part of the message; a line may hold several. Lines without assertions must have no findings.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use ripple_tests::{canonical, languages, write_tree};
use ripple_workspace::Workspace;

struct Case {
    title: String,
    files: Vec<(String, String)>,
}

fn parse_cases(markdown: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut title = String::from("(top)");
    let mut files: Vec<(String, String)> = Vec::new();
    let mut pending_name: Option<String> = None;
    let mut in_block: Option<(String, String)> = None;
    for line in markdown.lines() {
        if let Some((name, text)) = &mut in_block {
            if line.trim_start().starts_with("```") {
                files.push((name.clone(), std::mem::take(text)));
                in_block = None;
            } else {
                text.push_str(line);
                text.push('\n');
            }
            continue;
        }
        if line.starts_with("## ") || line.starts_with("### ") {
            if !files.is_empty() {
                cases.push(Case {
                    title: title.clone(),
                    files: std::mem::take(&mut files),
                });
            }
            title = line.trim_start_matches('#').trim().to_string();
            continue;
        }
        let trimmed = line.trim();
        if trimmed.starts_with('`') && trimmed.ends_with("`:") && trimmed.len() > 3 {
            pending_name = Some(trimmed[1..trimmed.len() - 2].to_string());
            continue;
        }
        if let Some(language) = trimmed.strip_prefix("```") {
            let default = if language.starts_with("toml") {
                "ripple.toml"
            } else if language.starts_with("pyi") {
                "main.pyi"
            } else {
                "main.py"
            };
            let name = pending_name.take().unwrap_or_else(|| default.to_string());
            in_block = Some((name, String::new()));
        }
    }
    if !files.is_empty() {
        cases.push(Case { title, files });
    }
    cases
}

/// (file, 1-based line, severity, code) and optional message fragments.
type Key = (String, u32, String, String);

fn expectations(files: &[(String, String)]) -> (BTreeSet<Key>, Vec<(Key, String)>) {
    let mut keys = BTreeSet::new();
    let mut messages = Vec::new();
    for (path, text) in files {
        if !path.ends_with(".py") && !path.ends_with(".pyi") {
            continue;
        }
        for (index, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(position) = rest.find(['e', 'w']).filter(|_| !rest.is_empty()) {
                let candidate = &rest[position..];
                let severity = if candidate.starts_with("error: [") {
                    "error"
                } else if candidate.starts_with("warning: [") {
                    "warning"
                } else {
                    rest = &rest[position + 1..];
                    continue;
                };
                let after = &candidate[severity.len() + 3..];
                let Some(end) = after.find(']') else { break };
                let code = after[..end].to_string();
                let key = (path.clone(), index as u32 + 1, severity.to_string(), code);
                let tail = after[end + 1..].trim_start();
                if let Some(quoted) = tail.strip_prefix('"')
                    && let Some(close) = quoted.find('"')
                {
                    messages.push((key.clone(), quoted[..close].to_string()));
                }
                keys.insert(key);
                rest = &after[end + 1..];
            }
        }
    }
    (keys, messages)
}

fn run_case(case: &Case) -> Result<(), String> {
    let refs: Vec<(&str, &str)> = case
        .files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    let dir = write_tree(&refs);
    if !case.files.iter().any(|(path, _)| path == "ripple.toml") {
        std::fs::write(dir.path().join("ripple.toml"), "").map_err(|e| e.to_string())?;
    }
    let root = canonical(dir.path());
    let workspace = Workspace::load(&root, &[], &languages());
    let files = workspace.files();
    let reports = workspace.check(&files, true, &|| {});
    let mut actual = BTreeSet::new();
    let mut actual_messages = Vec::new();
    for report in reports {
        let display = workspace.display_path(&report.path);
        for diagnostic in report.diagnostics.iter() {
            let line = report.lines.line_of(diagnostic.range.start) + 1;
            let key = (
                display.clone(),
                line,
                diagnostic.severity.as_str().to_string(),
                diagnostic.code.to_string(),
            );
            actual_messages.push((key.clone(), diagnostic.message.clone()));
            actual.insert(key);
        }
    }
    let (expected, expected_messages) = expectations(&case.files);
    let mut problems = String::new();
    for missing in expected.difference(&actual) {
        let _ = writeln!(
            problems,
            "  expected but not reported: {}:{} {}: [{}]",
            missing.0, missing.1, missing.2, missing.3
        );
    }
    for extra in actual.difference(&expected) {
        let message = actual_messages
            .iter()
            .find(|(key, _)| key == extra)
            .map_or("", |(_, message)| &**message);
        let _ = writeln!(
            problems,
            "  reported but not expected: {}:{} {}: [{}] {message}",
            extra.0, extra.1, extra.2, extra.3
        );
    }
    for (key, fragment) in expected_messages {
        let found = actual_messages
            .iter()
            .any(|(actual_key, message)| *actual_key == key && message.contains(&fragment));
        if !found {
            let _ = writeln!(
                problems,
                "  no message containing {fragment:?} at {}:{} [{}]",
                key.0, key.1, key.3
            );
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[test]
fn markdown_rule_tests() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("mdtest");
    let mut pages: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    pages.sort();
    assert!(!pages.is_empty(), "no Markdown tests in {}", dir.display());
    let filter = std::env::var("MDTEST").ok();
    let mut failures = String::new();
    let mut count = 0;
    for page in pages {
        let name = page
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if filter
            .as_ref()
            .is_some_and(|filter| !name.contains(filter.as_str()))
        {
            continue;
        }
        let markdown = std::fs::read_to_string(&page).unwrap_or_else(|error| panic!("{error}"));
        for case in parse_cases(&markdown) {
            count += 1;
            if let Err(problems) = run_case(&case) {
                let _ = writeln!(failures, "{name} > {}:\n{problems}", case.title);
            }
        }
    }
    assert!(count > 0, "no test cases ran");
    assert!(failures.is_empty(), "Markdown tests failed:\n{failures}");
    eprintln!("{count} Markdown test cases passed");
}

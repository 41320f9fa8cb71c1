//! JUnit XML reports (pytest `--junitxml={report}`): each `<testcase>` with a `<failure>` or
//! `<error>` child is a finding at the test's `def` line, with the failure's message. The
//! test's file is its `file` attribute when the report has one (pytest's `xunit1` family),
//! else found from `classname` (`tests.test_api.TestUser`: the longest prefix that is a file
//! under the root, the rest its classes); the `def` line is its `line` attribute (0-based in
//! pytest's reports) or found in the file by name. A collection error (`classname=""`,
//! `name="tests.test_x"`) is put at the top of that file.

use std::path::Path;

use ripple_core::Severity;

use super::{ColumnUnit, Location, ToolDiagnostic};

pub fn read(report: &[u8], root: &Path) -> Result<Vec<ToolDiagnostic>, String> {
    let text = std::str::from_utf8(report)
        .map_err(|error| format!("the report is not UTF-8 text ({error})"))?;
    if text.trim().is_empty() {
        return Err("the report file is empty".into());
    }
    let document = roxmltree::Document::parse(text)
        .map_err(|error| format!("the report is not XML ({error})"))?;
    let top = document.root_element().tag_name().name();
    if top != "testsuites" && top != "testsuite" {
        return Err(format!(
            "the report is not JUnit XML (its root element is <{top}>, not <testsuites> or <testsuite>)"
        ));
    }
    let mut found = Vec::new();
    for case in document
        .descendants()
        .filter(|node| node.has_tag_name("testcase"))
    {
        let Some(problem) = case
            .children()
            .find(|child| child.has_tag_name("failure") || child.has_tag_name("error"))
        else {
            continue;
        };
        let kind = problem.tag_name().name();
        let name = case.attribute("name").unwrap_or_default();
        let classname = case.attribute("classname").unwrap_or_default();
        let detail = problem.text().unwrap_or_default().trim();
        let mut message = problem
            .attribute("message")
            .map(str::trim)
            .filter(|message| !message.is_empty())
            .or_else(|| detail.lines().last())
            .unwrap_or(kind)
            .to_string();
        let test = if classname.is_empty() {
            name.to_string()
        } else {
            format!("{classname}::{name}")
        };
        message = format!(
            "{test} {}: {message}",
            if kind == "error" { "errored" } else { "failed" }
        );

        let (path, classes) = match case.attribute("file") {
            Some(file) => (Some(file.to_string()), classes_of(classname)),
            None if classname.is_empty() => {
                (module_file(root, name).map(|(path, _)| path), Vec::new())
            }
            None => match module_file(root, classname) {
                Some((path, classes)) => (Some(path), classes),
                None => (None, Vec::new()),
            },
        };
        let line = match (
            case.attribute("line")
                .and_then(|line| line.parse::<u32>().ok()),
            &path,
        ) {
            (Some(line), _) => line + 1,
            (None, Some(path)) if !classname.is_empty() => {
                def_line(&root.join(path), &classes, name).unwrap_or(0)
            }
            _ => 0,
        };
        found.push(ToolDiagnostic {
            path,
            start: Location { line, column: 0 },
            end: None,
            unit: ColumnUnit::Chars,
            severity: Severity::Error,
            code: Some(
                if kind == "error" {
                    "test-error"
                } else {
                    "test-failed"
                }
                .to_string(),
            ),
            message,
        });
    }
    Ok(found)
}

/// The classes in a `classname` whose file is given: the parts that start with a capital.
fn classes_of(classname: &str) -> Vec<String> {
    classname
        .split('.')
        .filter(|part| part.starts_with(|c: char| c.is_ascii_uppercase()))
        .map(str::to_string)
        .collect()
}

/// The file of a dotted module path under `root` (the longest prefix that names a `.py`
/// file), and the rest (the test's classes).
fn module_file(root: &Path, dotted: &str) -> Option<(String, Vec<String>)> {
    let parts: Vec<&str> = dotted.split('.').collect();
    (1..=parts.len()).rev().find_map(|length| {
        let relative = format!("{}.py", parts[..length].join("/"));
        root.join(&relative).is_file().then(|| {
            (
                relative,
                parts[length..]
                    .iter()
                    .map(|part| part.to_string())
                    .collect(),
            )
        })
    })
}

/// The 1-based line of `def NAME` (parameters of a parametrized test, `[...]`, cut off), after
/// the classes' `class` lines when the test is in classes.
fn def_line(path: &Path, classes: &[String], name: &str) -> Option<u32> {
    let text = std::fs::read_to_string(path).ok()?;
    let function = name.split('[').next().unwrap_or(name);
    let mut wanted = classes.iter();
    let mut class = wanted.next();
    for (number, line) in text.lines().enumerate() {
        let code = line.trim_start();
        match class {
            Some(class_name) => {
                if let Some(rest) = code.strip_prefix("class ")
                    && rest.trim_start().starts_with(class_name.as_str())
                    && rest.trim_start()[class_name.len()..].starts_with([':', '(', ' '])
                {
                    class = wanted.next();
                }
            }
            None => {
                let code = code.strip_prefix("async ").unwrap_or(code);
                if let Some(rest) = code.strip_prefix("def ")
                    && let Some(rest) = rest.trim_start().strip_prefix(function)
                    && rest.trim_start().starts_with('(')
                {
                    return u32::try_from(number + 1).ok();
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_put_at_their_def_lines() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("tests")).expect("mkdir");
        std::fs::write(
            dir.path().join("tests/test_api.py"),
            "import pytest\n\ndef test_ok():\n    pass\n\nclass TestUser:\n    def test_ok(self):\n        pass\n\n    @pytest.mark.parametrize('x', [1])\n    def test_name(self, x):\n        assert x == 2\n",
        )
        .expect("write");
        let report = br#"<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="1" failures="1" tests="3">
<testcase classname="tests.test_api" name="test_ok" time="0.001"/>
<testcase classname="tests.test_api.TestUser" name="test_name[1]" time="0.001"><failure message="assert 1 == 2">x = 1
    def test_name(self, x):
&gt;       assert x == 2
E       assert 1 == 2</failure></testcase>
<testcase classname="" name="tests.test_broken" time="0.000"><error message="collection failure">ImportError</error></testcase>
<testcase classname="tests.test_api" name="test_skip"><skipped message="no"/></testcase>
</testsuite></testsuites>"#;
        let found = read(report, dir.path()).expect("read");
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].path.as_deref(), Some("tests/test_api.py"));
        assert_eq!(found[0].start.line, 11);
        assert!(
            found[0].message.contains("assert 1 == 2"),
            "{}",
            found[0].message
        );
        assert_eq!(found[0].code.as_deref(), Some("test-failed"));
        assert_eq!(found[1].path, None);
        assert_eq!(found[1].code.as_deref(), Some("test-error"));
    }

    #[test]
    fn xunit1_reports_give_file_and_line() {
        let report = br#"<testsuite><testcase classname="tests.test_a" name="test_x" file="tests/test_a.py" line="4"><failure message="boom"/></testcase></testsuite>"#;
        let found = read(report, Path::new("/nowhere")).expect("read");
        assert_eq!(found[0].path.as_deref(), Some("tests/test_a.py"));
        assert_eq!(found[0].start.line, 5);
    }

    #[test]
    fn not_junit_is_an_error() {
        assert!(read(b"", Path::new("/")).is_err());
        assert!(read(b"<html/>", Path::new("/")).is_err());
        assert!(read(b"<testsuite", Path::new("/")).is_err());
    }
}

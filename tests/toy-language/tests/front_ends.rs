//! The toy language through both front ends of a `ripple` binary that registers it
//! (`ripple-toy`): `ripple check` reports toy findings beside Python's, with selection and
//! suppressions applied, and `ripple lsp` publishes and clears them as documents change, and
//! re-checks a document when a file it imports changes on disk.

use std::path::{Path, PathBuf};
use std::process::Command;

use ripple_tests::lsp_client::{LspClient, file_uri};
use ripple_tests::{canonical, write_tree};
use serde_json::{Value, json};

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ripple-toy"))
}

fn workspace(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = write_tree(files);
    let root = canonical(dir.path());
    (dir, root)
}

fn check(root: &Path, args: &[&str]) -> (i32, Value) {
    let output = Command::new(binary())
        .arg("check")
        .args(["--format", "json"])
        .args(args)
        .current_dir(root)
        .output()
        .unwrap_or_else(|error| panic!("cannot run ripple-toy: {error}"));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "not JSON ({error}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    (output.status.code().unwrap_or(-1), json)
}

fn findings(json: &Value) -> Vec<(String, u64, String)> {
    json["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|diagnostic| {
            (
                diagnostic["path"].as_str().unwrap_or("").to_string(),
                diagnostic["range"]["start"]["line"].as_u64().unwrap_or(0),
                diagnostic["code"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

const FILES: &[(&str, &str)] = &[
    ("ripple.toml", ""),
    ("shapes.toy", "def circle\n"),
    (
        "app.toy",
        "import shapes\nuse shapes.circle\nuse shapes.square\nuse shapes.oval # allow: T2\n",
    ),
    ("lib/util.py", "import os\n"),
];

#[test]
fn check_reports_toy_findings_beside_python_ones() {
    let (_dir, root) = workspace(FILES);
    let (code, json) = check(&root, &[]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(
        findings(&json),
        [
            (
                "app.toy".to_string(),
                2,
                "missing-module-member".to_string()
            ),
            ("lib/util.py".to_string(), 0, "unused-import".to_string()),
        ]
    );
    assert_eq!(json["summary"]["files"], 3);

    // Selection by code (or alias) spans the languages that share the code.
    let (_, json) = check(&root, &["--select", "T2"]);
    assert_eq!(findings(&json).len(), 1);
    let (code, json) = check(&root, &["--ignore", "missing-module-member,F401"]);
    assert_eq!((code, findings(&json).len()), (0, 0));
    // A path names one file to report on; the rest of the workspace is still analysed.
    let (_, json) = check(&root, &["app.toy"]);
    assert_eq!(findings(&json).len(), 1);
}

#[test]
fn check_refuses_files_no_language_owns() {
    let (_dir, root) = workspace(&[("ripple.toml", ""), ("notes.txt", "hello\n")]);
    let output = Command::new(binary())
        .args(["check", "notes.txt"])
        .current_dir(&root)
        .output()
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(".toy") && stderr.contains(".py"),
        "{stderr}"
    );
}

fn codes(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|item| item["code"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn the_server_publishes_and_clears_toy_diagnostics() {
    let (_dir, root) = workspace(FILES);
    let mut client = LspClient::start(&binary(), &root);
    // The client watches files for the server: disk changes arrive as notifications.
    client.initialize(
        &root,
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
    );
    let app = root.join("app.toy");
    let uri = file_uri(&app);
    let text = std::fs::read_to_string(&app).unwrap_or_default();
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "toy", "version": 1, "text": text}}),
    );
    let items = client.diagnostics(&uri, |items| !items.is_empty());
    assert_eq!(codes(&items), ["missing-module-member"]);
    assert_eq!(items[0]["range"]["start"]["line"], 2);

    // Defining the missing name in the imported file, on disk, clears the open document.
    let shapes = root.join("shapes.toy");
    std::fs::write(&shapes, "def circle\ndef square\n").unwrap_or_else(|error| panic!("{error}"));
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&shapes), "type": 2}]}),
    );
    client.diagnostics(&uri, <[Value]>::is_empty);

    // Typing a bad line in the document shows a syntax error at once; removing it clears it.
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                "text": "oops\n",
            }],
        }),
    );
    let items = client.diagnostics(&uri, |items| !items.is_empty());
    assert_eq!(codes(&items), ["syntax-error"]);
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 3},
            "contentChanges": [{
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}},
                "text": "",
            }],
        }),
    );
    client.diagnostics(&uri, <[Value]>::is_empty);
    assert!(client.shutdown_and_exit().success());
}

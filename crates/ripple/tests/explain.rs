//! `ripple explain` and `ripple/explain`: fresh, stale and never-computed results, the exact
//! inputs that changed (old and new digests) and the chain of imports to each, for ripple's own
//! findings and for a task's results.

use std::path::Path;
use std::process::{Command, Output};

use ripple_core::Digest;
use ripple_tests::lsp_client::{LspClient, file_uri};
use ripple_tests::{canonical, write_file, write_tree};
use serde_json::{Value, json};

fn ripple(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ripple"))
        .args(args)
        .current_dir(dir)
        .env_remove("RIPPLE_TRUST")
        .env("XDG_STATE_HOME", dir.join(".state"))
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|error| panic!("cannot run ripple: {error}"))
}

fn explain(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["explain", "--format", "json"];
    all.extend_from_slice(args);
    let output = ripple(dir, &all, &[]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| panic!("not JSON: {error}"))
}

/// The 128-bit digest explain shows for these bytes.
fn digest(bytes: &[u8]) -> String {
    Digest::of(bytes).as_bytes()[..16]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Checks, then waits out the racily-clean window so that the next run trusts the stat index.
fn check(dir: &Path, env: &[(&str, &str)]) {
    let output = ripple(dir, &["check", "--tasks"], env);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

const D_BEFORE: &str = "def x():\n    return 1\n";
const D_AFTER: &str = "def x():\n    return 2\n\n\ndef y():\n    return 3\n";

fn project() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = write_tree(&[
        (
            "ripple.toml",
            "[tasks.lint]\ncommand = [\"sh\", \"-c\", \"true\", \"{files}\"]\n\
             files = [\"tests/*.py\"]\nformat = \"regex\"\n\
             pattern = \"(?P<file>.+):(?P<line>\\\\d+): (?P<message>.+)\"\n\
             inputs = [\"lint.ini\"]\n",
        ),
        ("lint.ini", "[lint]\n"),
        // a reads x from b, which re-exports c, which re-exports d.
        ("a.py", "from b import x\n\nprint(x)\n"),
        ("b.py", "from c import *\n"),
        ("c.py", "from d import *\n"),
        ("d.py", D_BEFORE),
        ("pkg/__init__.py", ""),
        ("pkg/models.py", "class User:\n    pass\n"),
        (
            "pkg/api.py",
            "from pkg.models import User\n\n\ndef get():\n    return User()\n",
        ),
        (
            "tests/test_api.py",
            "from pkg.api import get\n\n\ndef test():\n    get()\n",
        ),
    ]);
    let root = canonical(dir.path());
    (dir, root)
}

#[test]
fn ripple_s_findings_name_the_input_that_changed_through_re_exports() {
    let (_dir, root) = project();
    let never = explain(&root, &["a.py"]);
    assert_eq!(never["status"], "never-run", "{never}");
    check(&root, &[("RIPPLE_TRUST", "1")]);
    std::thread::sleep(std::time::Duration::from_millis(3200));
    check(&root, &[("RIPPLE_TRUST", "1")]);
    let fresh = explain(&root, &["a.py"]);
    assert_eq!(fresh["status"], "fresh", "{fresh}");
    assert_eq!(fresh["changed"], json!([]));

    write_file(&root, "d.py", D_AFTER.as_bytes());
    let stale = explain(&root, &["a.py"]);
    assert_eq!(stale["status"], "stale", "{stale}");
    assert_eq!(
        stale["changed"],
        json!([{
            "path": "d.py",
            "old": digest(D_BEFORE.as_bytes()),
            "new": digest(D_AFTER.as_bytes()),
            "chain": ["a.py", "b.py", "c.py", "d.py"],
        }])
    );
    // A file that reads nothing from d is untouched by the change.
    assert_eq!(explain(&root, &["pkg/api.py"])["status"], "fresh");

    // A file that came: the state changed, and says how.
    write_file(&root, "e.py", b"import os\n");
    let later = explain(&root, &["a.py"]);
    assert_eq!(later["status"], "stale");
    assert_eq!(
        later["state"],
        json!([{"what": "files", "added": ["e.py"], "removed": []}])
    );
    // Explaining saves nothing: it still compares with what the last check kept.
    assert_eq!(explain(&root, &["a.py"])["changed"][0]["path"], "d.py");
    let human = ripple(&root, &["explain", "a.py"], &[]);
    let said = String::from_utf8_lossy(&human.stdout);
    assert!(
        said.contains("stale") && said.contains("a.py -> b.py -> c.py -> d.py"),
        "{said}"
    );

    let output = ripple(&root, &["explain", "lint.ini"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a file the workspace checks"));
}

#[test]
fn a_task_s_result_names_the_change_deep_in_its_closure_and_its_inputs() {
    let (_dir, root) = project();
    let trusted = [("RIPPLE_TRUST", "1")];
    check(&root, &trusted);
    let explained = |args: &[&str]| {
        let mut all = vec!["explain", "--format", "json"];
        all.extend_from_slice(args);
        let output = ripple(&root, &all, &trusted);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice::<Value>(&output.stdout).unwrap_or(Value::Null)
    };
    let fresh = explained(&["tests/test_api.py", "--task", "lint"]);
    assert_eq!(fresh["status"], "fresh", "{fresh}");
    assert_eq!(fresh["task"], "lint");

    let before = "class User:\n    pass\n";
    let after = "class User:\n    name = 'x'\n";
    write_file(&root, "pkg/models.py", after.as_bytes());
    write_file(&root, "lint.ini", b"[lint]\nstrict = 1\n");
    let stale = explained(&["tests/test_api.py", "--task", "lint"]);
    assert_eq!(stale["status"], "stale", "{stale}");
    assert_eq!(
        stale["changed"],
        json!([
            {
                "path": "lint.ini",
                "old": digest(b"[lint]\n"),
                "new": digest(b"[lint]\nstrict = 1\n"),
                "chain": ["tests/test_api.py", "lint.ini"],
            },
            {
                "path": "pkg/models.py",
                "old": digest(before.as_bytes()),
                "new": digest(after.as_bytes()),
                "chain": ["tests/test_api.py", "pkg/api.py", "pkg/models.py"],
            },
        ])
    );
    // Without trust the tool is known from the store: nothing runs, the answer is the same.
    let untrusted = explain(&root, &["tests/test_api.py", "--task", "lint"]);
    assert_eq!(untrusted["changed"], stale["changed"]);

    // A changed definition is said as such.
    let config = std::fs::read_to_string(root.join("ripple.toml")).unwrap_or_default();
    write_file(
        &root,
        "ripple.toml",
        config
            .replace("format", "timeout = \"5m\"\nformat")
            .as_bytes(),
    );
    let redefined = explained(&["tests/test_api.py", "--task", "lint"]);
    assert!(
        redefined["state"]
            .as_array()
            .is_some_and(|state| state.iter().any(|change| change["detail"]
                .as_str()
                .is_some_and(|detail| detail.contains("definition")))),
        "{redefined}"
    );
    let output = ripple(&root, &["explain", "a.py", "--task", "lint"], &trusted);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a target"));
}

#[test]
fn the_server_answers_ripple_explain_with_the_same_json() {
    let (_dir, root) = project();
    check(&root, &[("RIPPLE_TRUST", "1")]);
    write_file(&root, "lint.ini", b"[lint]\nstrict = 1\n");
    write_file(&root, "d.py", D_AFTER.as_bytes());
    let from_cli = explain(&root, &["tests/test_api.py", "--task", "lint"]);
    assert_eq!(from_cli["status"], "stale");

    // Not trusted here (no RIPPLE_TRUST, nobody answers the trust question): the server runs
    // no task, so its answer for the task compares the same kept result with the same disk.
    let mut client = LspClient::start_with_env(
        Path::new(env!("CARGO_BIN_EXE_ripple")),
        &root,
        &[("XDG_STATE_HOME", &root.join(".state").to_string_lossy())],
    );
    client.initialize(&root, json!({}));
    let test = file_uri(&root.join("tests/test_api.py"));
    let answer = client.request(
        "ripple/explain",
        json!({"textDocument": {"uri": test}, "task": "lint"}),
    );
    assert_eq!(answer["result"], from_cli, "{answer}");
    // Once the server has checked the workspace, its own findings of a.py are kept for d.py
    // as it is now: fresh (before that check, the kept ones were stale).
    client.request("ripple/stats", Value::Null);
    let a = file_uri(&root.join("a.py"));
    let answer = client.request("ripple/explain", json!({"textDocument": {"uri": a}}));
    assert_eq!(answer["result"]["status"], "fresh", "{answer}");
    let wrong = client.request(
        "ripple/explain",
        json!({"textDocument": {"uri": file_uri(&root.join("lint.ini"))}}),
    );
    assert!(wrong["error"]["message"].is_string(), "{wrong}");
    assert!(client.shutdown_and_exit().success());
}

//! The `ripple` binary as users and CI run it: exit codes, output formats, rule selection, and
//! bad input that must give a clear diagnostic rather than a crash or a hang.

use std::path::Path;
use std::process::{Command, Output};

use ripple_tests::{write_file, write_tree};

fn ripple(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ripple"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|error| panic!("cannot run ripple: {error}"))
}

fn json(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let output = ripple(dir, &all);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let value = serde_json::from_str(&stdout).unwrap_or_else(|error| {
        panic!(
            "not JSON ({error}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().unwrap_or(-1), value)
}

fn codes(value: &serde_json::Value) -> Vec<(String, String)> {
    value["diagnostics"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|item| {
                    (
                        item["path"].as_str().unwrap_or("").to_string(),
                        item["code"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn exit_codes_say_clean_findings_or_error() {
    let dir = write_tree(&[
        ("ripple.toml", ""),
        ("clean.py", "print(1)\n"),
        ("bad.py", "import os\n"),
    ]);
    assert_eq!(
        ripple(dir.path(), &["check", "clean.py"]).status.code(),
        Some(0)
    );
    assert_eq!(ripple(dir.path(), &["check"]).status.code(), Some(1));
    let missing = ripple(dir.path(), &["check", "nope.py"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does not exist"));
    assert_eq!(
        ripple(dir.path(), &["check", "--format", "xml"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        ripple(dir.path(), &["check", "--select", "F999"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(ripple(dir.path(), &["--version"]).status.code(), Some(0));
    assert_eq!(ripple(dir.path(), &["help"]).status.code(), Some(0));
}

#[test]
fn a_file_outside_any_project_is_checked_without_loading_its_folder() {
    // No ripple.toml, pyproject.toml or .git: a script among other files.
    let dir = write_tree(&[
        (
            "script.py",
            "import os\nimport helper\n\nprint(helper.VALUE)\n",
        ),
        ("helper.py", "VALUE = 1\n"),
        ("unrelated.py", "print(undefined)\n"),
    ]);
    let (code, value) = json(dir.path(), &["script.py"]);
    assert_eq!(code, 1);
    assert_eq!(
        codes(&value),
        vec![("script.py".into(), "unused-import".into())],
        "its sibling module still resolves: {value}"
    );
    assert_eq!(
        value["summary"]["files"], 1,
        "only the named file is loaded: {value}"
    );
}

#[test]
fn a_folder_named_on_the_command_line_is_checked_even_if_excluded() {
    let dir = write_tree(&[
        ("ripple.toml", ""),
        ("build/gen.py", "import os\n"),
        (".hidden/x.py", "import sys\n"),
    ]);
    let (code, all) = json(dir.path(), &[]);
    assert_eq!(code, 0, "the walk skips build/ and hidden folders: {all}");
    let (code, build) = json(dir.path(), &["build"]);
    assert_eq!(code, 1);
    assert_eq!(
        codes(&build),
        vec![("build/gen.py".into(), "unused-import".into())]
    );
    let (_, hidden) = json(dir.path(), &[".hidden/x.py"]);
    assert_eq!(
        codes(&hidden),
        vec![(".hidden/x.py".into(), "unused-import".into())]
    );
}

#[test]
fn json_output_follows_the_contract() {
    let dir = write_tree(&[
        ("pyproject.toml", "[project]\nname = \"x\"\n"),
        ("pkg/__init__.py", ""),
        ("pkg/mod.py", "x = 'é😀'; print(undefined)\nimport os\n"),
    ]);
    let (code, value) = json(&dir.path().join("pkg"), &[]);
    assert_eq!(code, 1);
    let diagnostics = value["diagnostics"].as_array().cloned().unwrap_or_default();
    assert_eq!(diagnostics.len(), 2, "{value}");
    let first = &diagnostics[0];
    assert_eq!(
        first["path"], "pkg/mod.py",
        "paths are relative to the workspace root"
    );
    assert_eq!(first["code"], "undefined-name");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["source"], "ripple");
    // `x = 'é😀'; print(` is 16 UTF-16 code units (the emoji counts two).
    assert_eq!(
        first["range"]["start"],
        serde_json::json!({"line": 0, "character": 17})
    );
    assert_eq!(
        first["range"]["end"],
        serde_json::json!({"line": 0, "character": 26})
    );
    assert_eq!(diagnostics[1]["code"], "unused-import");
    assert_eq!(value["summary"]["files"], 2);
    assert_eq!(value["summary"]["diagnostics"], 2);
    assert!(value["summary"]["duration_ms"].is_u64());
}

#[test]
fn select_and_ignore_accept_codes_and_ruff_aliases() {
    let dir = write_tree(&[("ripple.toml", ""), ("m.py", "import os\nprint(nope)\n")]);
    let (_, all) = json(dir.path(), &[]);
    assert_eq!(codes(&all).len(), 2);
    let (_, only) = json(dir.path(), &["--select", "F401"]);
    assert_eq!(codes(&only), vec![("m.py".into(), "unused-import".into())]);
    let (code, none) = json(dir.path(), &["--ignore", "unused-import,F821"]);
    assert_eq!(code, 0);
    assert!(codes(&none).is_empty());
    std::fs::write(dir.path().join("ripple.toml"), "ignore = [\"F401\"]\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let (_, configured) = json(dir.path(), &[]);
    assert_eq!(
        codes(&configured),
        vec![("m.py".into(), "undefined-name".into())]
    );
}

#[test]
fn human_and_github_formats() {
    let dir = write_tree(&[("ripple.toml", ""), ("m.py", "import os\n")]);
    let human = ripple(dir.path(), &["check"]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("m.py:1:8: warning [unused-import] `os` imported but unused"),
        "{text}"
    );
    assert!(text.contains("Found 1 problem in 1 file"), "{text}");
    let github = ripple(dir.path(), &["check", "--format", "github"]);
    let text = String::from_utf8_lossy(&github.stdout);
    assert!(
        text.starts_with("::warning title=ripple (unused-import),file=m.py,line=1,col=8"),
        "{text}"
    );
}

#[test]
fn stats_go_to_stderr() {
    let dir = write_tree(&[("ripple.toml", ""), ("m.py", "print(1)\n")]);
    let output = ripple(dir.path(), &["check", "--stats", "--format", "json"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("analysis"), "{stderr}");
    assert!(serde_json::from_slice::<serde_json::Value>(&output.stdout).is_ok());
}

#[test]
fn a_broken_config_is_reported_and_defaults_apply() {
    let dir = write_tree(&[
        ("ripple.toml", "select = [\"F401\"\nbogus"),
        ("m.py", "import os\nprint(x)\n"),
    ]);
    let (code, value) = json(dir.path(), &[]);
    assert_eq!(code, 1);
    let found = codes(&value);
    assert!(
        found.contains(&("ripple.toml".into(), "invalid-configuration".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("m.py".into(), "undefined-name".into())),
        "defaults select every rule: {found:?}"
    );
}

#[test]
fn bad_files_get_a_diagnostic_not_a_crash() {
    let dir = write_tree(&[("ripple.toml", "")]);
    let root = dir.path();
    write_file(root, "latin1.py", b"x = '\xe9'\n");
    write_file(root, "binary.py", b"\x7fELF\x02\x01\x01\x00\x00\x00");
    let mut huge = String::with_capacity(21 * 1024 * 1024);
    while huge.len() < 20 * 1024 * 1024 {
        huge.push_str("value = [1, 2, 3]  # padding padding padding\n");
    }
    write_file(root, "huge.py", huge.as_bytes());
    let parens = format!("x = {}1{}\n", "(".repeat(10_000), ")".repeat(10_000));
    write_file(root, "parens.py", parens.as_bytes());
    let mut blocks = String::new();
    for depth in 0..10_000 {
        blocks.push_str(&" ".repeat(depth));
        blocks.push_str("if x:\n");
    }
    blocks.push_str(&" ".repeat(10_000));
    blocks.push_str("pass\n");
    write_file(root, "blocks.py", blocks.as_bytes());
    let mut elifs = String::from("x = 0\nif x == 0:\n    y = 0\n");
    for branch in 1..4_000 {
        elifs.push_str(&format!("elif x == {branch}:\n    y = {branch}\n"));
    }
    write_file(root, "elifs.py", elifs.as_bytes());
    let plus = format!("x = {}1\n", "1+".repeat(200_000));
    write_file(root, "plus.py", plus.as_bytes());
    let all_chain = format!("__all__ = {}[]\n", "[\"a\"] + ".repeat(100_000));
    write_file(root, "all_chain.py", all_chain.as_bytes());
    std::fs::create_dir_all(root.join("dir.py")).unwrap_or_else(|e| panic!("{e}"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        symlink("loop_b.py", root.join("loop_a.py")).unwrap_or_else(|e| panic!("{e}"));
        symlink("loop_a.py", root.join("loop_b.py")).unwrap_or_else(|e| panic!("{e}"));
        symlink(".", root.join("self_link")).unwrap_or_else(|e| panic!("{e}"));
        let fifo = root.join("pipe.py");
        let made = Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|status| status.success()), "mkfifo failed");
    }

    let (code, value) = json(root, &[]);
    assert_eq!(code, 1, "{value}");
    let found = codes(&value);
    let has = |path: &str, code: &str| found.contains(&(path.to_string(), code.to_string()));
    assert!(has("latin1.py", "syntax-error"), "{found:?}");
    assert!(has("binary.py", "syntax-error"), "{found:?}");
    assert!(has("parens.py", "syntax-error"), "{found:?}");
    assert!(
        has("blocks.py", "syntax-error") || has("blocks.py", "undefined-name"),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|(path, _)| path == "huge.py"),
        "{found:?}"
    );
    for deep in ["elifs.py", "plus.py", "all_chain.py"] {
        assert!(has(deep, "syntax-error"), "{deep}: {found:?}");
    }
    #[cfg(unix)]
    {
        assert!(has("loop_a.py", "io-error"), "{found:?}");
        assert!(has("pipe.py", "io-error"), "{found:?}");
    }
    let message = value["diagnostics"]
        .as_array()
        .and_then(|items| items.iter().find(|item| item["path"] == "latin1.py"))
        .and_then(|item| item["message"].as_str())
        .unwrap_or("")
        .to_string();
    assert!(message.contains("not valid UTF-8"), "{message}");
}

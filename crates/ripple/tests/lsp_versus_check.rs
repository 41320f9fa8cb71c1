//! The incremental server against the from-scratch checker, end to end: a client drives
//! `ripple lsp` with random opens, edits, saves, closes and on-disk changes (reported through
//! `workspace/didChangeWatchedFiles`); at the end every open document is saved, and the last
//! diagnostics published for each file must equal what `ripple check --format json` reports for
//! the files on disk. `RIPPLE_LSP_STEPS` and `RIPPLE_LSP_SEED` run longer or other sequences.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use ripple_core::PositionEncoding;
use ripple_tests::lsp_client::{LspClient, file_uri};
use ripple_tests::{
    Rng, canonical, char_boundary, env_count, lsp_position, write_contents, write_tree,
};
use serde_json::{Value, json};

const MODULES: &[&str] = &["a.py", "b.py", "c.py", "pkg/__init__.py", "pkg/m.py"];

/// Lines the generator inserts: definitions other modules import, imports that resolve or not,
/// uses, and characters that make positions hard.
const LINES: &[&str] = &[
    "value = 1\n",
    "def helper():\n    return value\n",
    "from b import value\n",
    "from a import helper\n",
    "from pkg.m import thing\n",
    "from pkg import m\n",
    "from b import *\n",
    "from pkg.m import *\n",
    "import c\n",
    "import missing\n",
    "print(value, helper)\n",
    "thing = 'é😀'\n",
    "__all__ = ['thing', 'gone']\n",
    "from . import m\n",
    "x = undefined\n",
    "# 😀 comment\r\n",
];

/// A diagnostic as both front ends report it.
type Finding = (String, u32, u32, String, String);

#[test]
fn random_editor_and_disk_events_end_where_a_fresh_check_does() {
    let steps = env_count("RIPPLE_LSP_STEPS", 300);
    let seed = env_count("RIPPLE_LSP_SEED", 0x15b) as u64;
    let mut random = Rng::new(seed);
    let dir = write_tree(&[
        ("ripple.toml", "diagnostic-mode = \"workspace\"\n"),
        ("a.py", "from b import value\n\nprint(value)\n"),
        ("b.py", "value = 1\n"),
        ("pkg/__init__.py", ""),
        ("pkg/m.py", "thing = 1\n"),
    ]);
    let root = canonical(dir.path());
    let mut client = LspClient::start(&binary(), &root);
    client.initialize(
        &root,
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
    );
    // Open documents: path -> (version, the editor's text).
    let mut open: BTreeMap<String, (i32, String)> = BTreeMap::new();

    let mut log: Vec<String> = Vec::new();
    for _ in 0..steps {
        if random.below(15) == 0 {
            // Let the server catch up now and then, so checks finish, publish and are cancelled
            // at many points of the sequence, not only at the end.
            client.request("ripple/stats", Value::Null);
        }
        let module = MODULES[random.below(MODULES.len())].to_string();
        let path = root.join(&module);
        let uri = file_uri(&path);
        match (random.below(10), open.get_mut(&module)) {
            (0..=4, Some((version, text))) => {
                *version += 1;
                let change = random_change(text, &mut random);
                log.push(format!("{module}: change {change} -> {text:?}"));
                client.notify(
                    "textDocument/didChange",
                    json!({"textDocument": {"uri": uri, "version": *version},
                           "contentChanges": [change]}),
                );
            }
            (5, Some((_, text))) => {
                write_contents(&path, text);
                log.push(format!("{module}: save"));
                client.notify(
                    "textDocument/didSave",
                    json!({"textDocument": {"uri": uri}}),
                );
                watched(&mut client, &uri, 2);
            }
            (6, Some(_)) => {
                open.remove(&module);
                log.push(format!("{module}: close"));
                client.notify(
                    "textDocument/didClose",
                    json!({"textDocument": {"uri": uri}}),
                );
            }
            (0..=6, None) => {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                client.notify(
                    "textDocument/didOpen",
                    json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1,
                                            "text": text}}),
                );
                log.push(format!("{module}: open {text:?}"));
                open.insert(module, (1, text));
            }
            (7, _) if path.exists() => {
                std::fs::remove_file(&path).unwrap_or_else(|error| panic!("{error}"));
                log.push(format!("{module}: deleted on disk"));
                watched(&mut client, &uri, 3);
            }
            _ => {
                // Written on disk by something else (a checkout, a formatter, another editor).
                let text: String = (0..1 + random.below(4))
                    .map(|_| LINES[random.below(LINES.len())])
                    .collect();
                let created = !path.exists();
                write_contents(&path, &text);
                log.push(format!("{module}: written on disk {text:?}"));
                watched(&mut client, &uri, if created { 1 } else { 2 });
            }
        }
    }
    // The editor saves everything: the disk now holds what the server was told.
    for (module, (_, text)) in &open {
        let path = root.join(module);
        write_contents(&path, text);
        client.notify(
            "textDocument/didSave",
            json!({"textDocument": {"uri": file_uri(&path)}}),
        );
    }
    // Stats answer after the running check; its publishes may still be on their way.
    client.request("ripple/stats", Value::Null);
    client.drain(std::time::Duration::from_millis(500));

    let published = last_published(&client, &root);
    let checked = check_from_scratch(&root);
    let publishes = client
        .seen
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .count();
    eprintln!(
        "{steps} events, {publishes} publishes, {} findings at the end",
        checked.len()
    );
    if published != checked {
        let differing: BTreeSet<&String> = published
            .symmetric_difference(&checked)
            .map(|finding| &finding.0)
            .collect();
        let history: Vec<&String> = log
            .iter()
            .filter(|line| differing.iter().any(|path| line.starts_with(path.as_str())))
            .collect();
        panic!(
            "the server's last publishes differ from a fresh `ripple check` (seed {seed}, {steps} \
             steps)\nonly published: {:#?}\nonly checked: {:#?}\nevents of those files:\n{history:#?}",
            published.difference(&checked).collect::<Vec<_>>(),
            checked.difference(&published).collect::<Vec<_>>(),
        );
    }
    assert!(client.shutdown_and_exit().success());
}

/// Names that modules define and import, in the cross-file test below.
const NAMES: &[&str] = &["alpha", "beta", "gamma", "delta", "epsilon"];

/// The text of a module defining `names`, maybe broken, maybe with `__getattr__`, maybe
/// star-importing `extra`.
fn module_text(random: &mut Rng, names: &[&str]) -> String {
    let mut text = String::new();
    if random.below(6) == 0 {
        text.push_str("from extra import *\n");
    }
    for name in names {
        if random.below(2) == 0 {
            text.push_str(&format!("def {name}():\n    return 1\n\n"));
        } else {
            text.push_str(&format!("{name} = 1\n"));
        }
    }
    match random.below(12) {
        0 => text.push_str("def broken(:\n"),
        1 => text.push_str("def __getattr__(name):\n    return name\n"),
        _ => {}
    }
    text
}

fn some_names(random: &mut Rng) -> Vec<&'static str> {
    NAMES
        .iter()
        .copied()
        .filter(|_| random.below(2) == 0)
        .collect()
}

/// The import graph's reach, end to end: the names a module defines change (the open document
/// `core.py`, rewritten; `extra.py`, which it may star-import, and the importers, on disk), and
/// at many points along the way every file's last publish must equal a fresh `ripple check`. An
/// importer the reach wrongly skipped keeps a stale finding and fails the comparison.
#[test]
fn renames_reach_exactly_the_importers_whose_findings_change() {
    let steps = env_count("RIPPLE_LSP_STEPS", 300);
    let seed = env_count("RIPPLE_LSP_SEED", 0x5ee) as u64;
    let mut random = Rng::new(seed);
    let dir = write_tree(&[
        ("ripple.toml", "diagnostic-mode = \"workspace\"\n"),
        ("core.py", "alpha = 1\nbeta = 1\n"),
        ("extra.py", "gamma = 1\n"),
        ("hub.py", "from core import *\n"),
    ]);
    let root = canonical(dir.path());
    let importers: Vec<String> = (0..8).map(|i| format!("user{i}.py")).collect();
    let importer_text = |random: &mut Rng| -> String {
        let source = ["core", "hub", "extra"][random.below(3)];
        match random.below(5) {
            0 => format!("import {source}\n\nprint({source})\n"),
            _ => {
                let names = some_names(random);
                if names.is_empty() {
                    format!("from {source} import alpha\n\nprint(alpha)\n")
                } else {
                    let list = names.join(", ");
                    format!("from {source} import {list}\n\nprint({list})\n")
                }
            }
        }
    };
    for importer in &importers {
        write_contents(&root.join(importer), importer_text(&mut random));
    }
    let mut client = LspClient::start(&binary(), &root);
    client.initialize(
        &root,
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
    );
    let core = root.join("core.py");
    let core_uri = file_uri(&core);
    let mut core_text = "alpha = 1\nbeta = 1\n".to_string();
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": core_uri, "languageId": "python", "version": 1,
                                "text": core_text}}),
    );
    let mut version = 1;
    let mut log: Vec<String> = Vec::new();
    let mut comparisons = 0;
    for step in 0..steps {
        match random.below(6) {
            0..=2 => {
                version += 1;
                let names = some_names(&mut random);
                core_text = module_text(&mut random, &names);
                log.push(format!("core.py: {core_text:?}"));
                client.notify(
                    "textDocument/didChange",
                    json!({"textDocument": {"uri": core_uri, "version": version},
                           "contentChanges": [{"text": core_text}]}),
                );
            }
            3 => {
                let names = some_names(&mut random);
                let text = module_text(&mut random, &names).replace("from extra import *\n", "");
                log.push(format!("extra.py: {text:?}"));
                write_contents(&root.join("extra.py"), &text);
                watched(&mut client, &file_uri(&root.join("extra.py")), 2);
            }
            4 => {
                let text = if random.below(2) == 0 {
                    "from core import *\n".to_string()
                } else {
                    "from core import *\nfrom extra import *\n".to_string()
                };
                log.push(format!("hub.py: {text:?}"));
                write_contents(&root.join("hub.py"), &text);
                watched(&mut client, &file_uri(&root.join("hub.py")), 2);
            }
            _ => {
                let importer = &importers[random.below(importers.len())];
                let text = importer_text(&mut random);
                log.push(format!("{importer}: {text:?}"));
                write_contents(&root.join(importer), &text);
                watched(&mut client, &file_uri(&root.join(importer)), 2);
            }
        }
        if random.below(10) == 0 || step + 1 == steps {
            // The editor saves: the disk now holds what the server was told.
            write_contents(&core, &core_text);
            client.notify(
                "textDocument/didSave",
                json!({"textDocument": {"uri": core_uri}}),
            );
            client.request("ripple/stats", Value::Null);
            client.drain(std::time::Duration::from_millis(300));
            let published = last_published(&client, &root);
            let checked = check_from_scratch(&root);
            comparisons += 1;
            assert!(
                published == checked,
                "after step {step} (seed {seed}), the server's last publishes differ from a \
                 fresh `ripple check`\nonly published: {:#?}\nonly checked: {:#?}\nevents:\n{log:#?}",
                published.difference(&checked).collect::<Vec<_>>(),
                checked.difference(&published).collect::<Vec<_>>(),
            );
        }
    }
    eprintln!("{steps} events, {comparisons} comparisons");
    assert!(client.shutdown_and_exit().success());
}

/// A warm start builds the dependency graph from the store (no file is analysed for it): an
/// edit that removes a name reaches the importers of that name, directly and through a star
/// import, and no other file.
#[test]
fn a_warm_start_reaches_the_importers_of_a_removed_name() {
    let dir = write_tree(&[
        ("ripple.toml", "diagnostic-mode = \"workspace\"\n"),
        ("core.py", "alpha = 1\nbeta = 2\n"),
        ("user.py", "from core import alpha\n\nprint(alpha)\n"),
        ("other.py", "from core import beta\n\nprint(beta)\n"),
        ("hub.py", "from core import *\n"),
        ("via_hub.py", "from hub import alpha\n\nprint(alpha)\n"),
    ]);
    let root = canonical(dir.path());
    // Nothing changes on disk during this test: what the `ripple check` saw is trusted at once
    // (not only 3 s after it wrote its indexes), so the server starts warm.
    let trusted = [("RIPPLE_TEST_RACY_MARGIN_MS", "0")];
    let before = check_from_scratch_with_env(&root, &trusted);
    assert!(
        before.iter().all(|finding| finding.0 == "hub.py"),
        "only hub.py's star import is reported: {before:?}"
    );
    let mut client = LspClient::start_with_env(&binary(), &root, &trusted);
    client.initialize(&root, json!({}));
    let mut stats = Value::Null;
    for _ in 0..200 {
        stats = client.request("ripple/stats", Value::Null)["result"].clone();
        if stats["graph"] == true {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    assert_eq!(stats["graph"], true, "no graph: {stats}");
    assert_eq!(stats["cache"]["misses"], 0, "a file was analysed: {stats}");
    let analysed = stats["queries"]["analysis"].as_u64().unwrap_or(0);
    assert_eq!(
        analysed, 0,
        "files were analysed to build the graph: {stats}"
    );

    let core_uri = file_uri(&root.join("core.py"));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": core_uri, "languageId": "python", "version": 1,
                                "text": "alpha = 1\nbeta = 2\n"}}),
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": core_uri, "version": 2},
               "contentChanges": [{"text": "beta = 2\n"}]}),
    );
    for importer in ["user.py", "via_hub.py"] {
        let uri = file_uri(&root.join(importer));
        client.diagnostics(&uri, |items| {
            items
                .iter()
                .any(|item| item["message"].as_str().unwrap_or("").contains("alpha"))
        });
    }
    // `{}` as "no params", as several clients send it, is accepted too.
    let stats = client.request("ripple/stats", json!({}))["result"].clone();
    assert_eq!(
        stats["lastCheckedFiles"], 3,
        "core.py and the two importers of `alpha`, not other.py nor hub.py: {stats}"
    );
    assert!(client.shutdown_and_exit().success());
}

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ripple"))
}

fn watched(client: &mut LspClient, uri: &str, kind: u32) {
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri, "type": kind}]}),
    );
}

/// A random incremental change to `text` (which is updated), positioned in UTF-16.
fn random_change(text: &mut String, random: &mut Rng) -> Value {
    let start = char_boundary(text, random.below(text.len() + 1));
    let end = char_boundary(text, start + random.below(8));
    let inserted = match random.below(3) {
        0 => String::new(),
        1 => LINES[random.below(LINES.len())].to_string(),
        _ => ["x", "\n", " ", "é", "😀", "(", "#"][random.below(7)].to_string(),
    };
    let (start_line, start_character) = lsp_position(text, start, PositionEncoding::Utf16);
    let (end_line, end_character) = lsp_position(text, end, PositionEncoding::Utf16);
    text.replace_range(start..end, &inserted);
    json!({
        "range": {"start": {"line": start_line, "character": start_character},
                  "end": {"line": end_line, "character": end_character}},
        "text": inserted,
    })
}

/// The last diagnostics published for each file, as findings; files whose last publish was
/// empty have none.
fn last_published(client: &LspClient, root: &Path) -> BTreeSet<Finding> {
    let mut last: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for message in &client.seen {
        if message["method"] != "textDocument/publishDiagnostics" {
            continue;
        }
        let uri = message["params"]["uri"].as_str().unwrap_or("");
        let path = uri.trim_start_matches("file://");
        let relative = Path::new(path)
            .strip_prefix(root)
            .map(|p| p.to_string_lossy().to_string())
            .unwrap_or_else(|_| path.to_string());
        let items = message["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        last.insert(relative, items);
    }
    last.into_iter()
        .flat_map(|(path, items)| {
            items
                .into_iter()
                .map(move |item| finding(path.clone(), &item))
        })
        .collect()
}

fn check_from_scratch(root: &Path) -> BTreeSet<Finding> {
    check_from_scratch_with_env(root, &[])
}

fn check_from_scratch_with_env(root: &Path, env: &[(&str, &str)]) -> BTreeSet<Finding> {
    let output = Command::new(binary())
        .args(["check", "--format", "json"])
        .envs(env.iter().copied())
        .current_dir(root)
        .output()
        .unwrap_or_else(|error| panic!("cannot run ripple check: {error}"));
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("ripple check printed no JSON ({error}): {output:?}"));
    report["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|item| finding(item["path"].as_str().unwrap_or("").to_string(), &item))
        .collect()
}

fn finding(path: String, item: &Value) -> Finding {
    let start = &item["range"]["start"];
    (
        path,
        start["line"].as_u64().unwrap_or(u64::MAX) as u32,
        start["character"].as_u64().unwrap_or(u64::MAX) as u32,
        item["code"].as_str().unwrap_or("").to_string(),
        item["message"].as_str().unwrap_or("").to_string(),
    )
}

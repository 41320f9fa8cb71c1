//! `ripple lsp` end to end: the real binary, spoken to over stdio by a small LSP client.

use std::path::{Path, PathBuf};

use ripple_tests::lsp_client::{LspClient, file_uri};
use ripple_tests::{canonical, write_tree};
use serde_json::{Value, json};

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ripple"))
}

fn start(root: &Path, capabilities: Value) -> LspClient {
    let mut client = LspClient::start(&binary(), root);
    client.initialize(root, capabilities);
    client
}

fn open(client: &mut LspClient, path: &Path, text: &str) -> String {
    let uri = file_uri(path);
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}),
    );
    uri
}

fn change(client: &mut LspClient, uri: &str, version: i32, range: [u32; 4], text: &str) {
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{
                "range": {"start": {"line": range[0], "character": range[1]},
                          "end": {"line": range[2], "character": range[3]}},
                "text": text,
            }],
        }),
    );
}

fn codes(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|item| item["code"].as_str().unwrap_or("").to_string())
        .collect()
}

fn workspace(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = write_tree(files);
    let root = canonical(dir.path());
    (dir, root)
}

#[test]
fn lifecycle_exit_codes() {
    let (_dir, root) = workspace(&[("ripple.toml", "")]);
    let client = start(&root, json!({}));
    assert!(client.shutdown_and_exit().success());

    let mut client = start(&root, json!({}));
    client.notify("exit", Value::Null);
    assert_eq!(
        client.wait_for_exit().code(),
        Some(1),
        "exit without shutdown"
    );
}

#[test]
fn requests_before_initialize_and_after_shutdown_get_errors() {
    let (_dir, root) = workspace(&[("ripple.toml", "")]);
    let mut client = LspClient::start(&binary(), &root);
    let early = client.request("ripple/stats", Value::Null);
    assert_eq!(
        early["error"]["code"], -32002,
        "server not initialized: {early}"
    );
    client.initialize(&root, json!({}));
    let shutdown = client.request("shutdown", Value::Null);
    assert!(shutdown.get("error").is_none());
    let late = client.request("ripple/stats", Value::Null);
    assert_eq!(
        late["error"]["code"], -32600,
        "invalid request after shutdown: {late}"
    );
}

#[test]
fn an_error_appears_while_typing_and_clears_when_fixed() {
    let (_dir, root) = workspace(&[("ripple.toml", ""), ("app.py", "value = 1\nprint(value)\n")]);
    let mut client = start(&root, json!({"window": {"workDoneProgress": true}}));
    let uri = open(
        &mut client,
        &root.join("app.py"),
        "value = 1\nprint(value)\n",
    );
    client.diagnostics(&uri, |items| items.is_empty());

    // Typing `valeu` instead of `value`.
    change(&mut client, &uri, 2, [1, 6, 1, 11], "valeu");
    let items = client.diagnostics(&uri, |items| !items.is_empty());
    assert_eq!(codes(&items), vec!["undefined-name"]);
    assert_eq!(
        items[0]["range"]["start"],
        json!({"line": 1, "character": 6})
    );

    change(&mut client, &uri, 3, [1, 6, 1, 11], "value");
    client.diagnostics(&uri, |items| items.is_empty());
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn removing_a_name_in_one_file_reports_in_its_importer() {
    let (_dir, root) = workspace(&[
        ("ripple.toml", "diagnostic-mode = \"workspace\"\n"),
        ("b.py", "def helper():\n    return 1\n"),
        ("a.py", "from b import helper\n\nprint(helper())\n"),
    ]);
    let mut client = start(&root, json!({}));
    let a = file_uri(&root.join("a.py"));
    let b = open(
        &mut client,
        &root.join("b.py"),
        "def helper():\n    return 1\n",
    );
    change(&mut client, &b, 2, [0, 4, 0, 10], "assist");
    let items = client.diagnostics(&a, |items| !items.is_empty());
    assert_eq!(codes(&items), vec!["missing-module-member"]);
    change(&mut client, &b, 3, [0, 4, 0, 10], "helper");
    client.diagnostics(&a, |items| items.is_empty());
}

/// In workspace mode an edit is checked where it reaches, not everywhere: the edited file, the
/// importers of the names it added or removed, and past a star import the star-importer's
/// importers of those names.
#[test]
fn an_edit_checks_only_the_files_it_reaches_through_imports_and_star_imports() {
    let (_dir, root) = workspace(&[
        ("ripple.toml", "diagnostic-mode = \"workspace\"\n"),
        ("b.py", "def helper():\n    return 1\n\n\nOTHER = 2\n"),
        ("a.py", "from b import *\n"),
        ("c.py", "from a import helper\n\nprint(helper())\n"),
        ("d.py", "from b import OTHER\n\nprint(OTHER)\n"),
        ("e.py", "import b\n\nprint(b)\n"),
        ("unrelated.py", "import os\n\nprint(os.sep)\n"),
    ]);
    let mut client = start(&root, json!({}));
    let c = file_uri(&root.join("c.py"));
    let b = open(
        &mut client,
        &root.join("b.py"),
        "def helper():\n    return 1\n\n\nOTHER = 2\n",
    );
    // Indexed and checked once in full before the edit.
    client.diagnostics(&b, |items| items.is_empty());
    change(&mut client, &b, 2, [0, 4, 0, 10], "assist");
    let items = client.diagnostics(&c, |items| !items.is_empty());
    assert_eq!(codes(&items), vec!["missing-module-member"]);
    let stats = client.request("ripple/stats", Value::Null)["result"].clone();
    assert_eq!(stats["files"], 6, "{stats}");
    assert_eq!(
        stats["lastCheckedFiles"], 2,
        "b and c: not a (its star import needs b to exist, nothing more), not d (imports \
         another name), not e (a plain import), not unrelated.py: {stats}"
    );
    // A body edit reaches no importer.
    change(&mut client, &b, 3, [1, 11, 1, 12], "3");
    client.diagnostics(&b, |items| items.is_empty());
    let stats = client.request("ripple/stats", Value::Null)["result"].clone();
    assert_eq!(stats["lastCheckedFiles"], 1, "{stats}");
    // Undone, the rename reaches c again and clears its finding.
    change(&mut client, &b, 4, [0, 4, 0, 10], "helper");
    client.diagnostics(&c, |items| items.is_empty());
}

#[test]
fn a_body_edit_reruns_nothing_for_other_files_and_stats_say_so() {
    let (_dir, root) = workspace(&[
        ("ripple.toml", ""),
        ("b.py", "def helper():\n    return 1\n"),
        ("a.py", "from b import helper\n\nprint(helper())\n"),
    ]);
    let mut client = start(&root, json!({}));
    let b = open(
        &mut client,
        &root.join("b.py"),
        "def helper():\n    return 1\n",
    );
    client.diagnostics(&b, |items| items.is_empty());
    change(&mut client, &b, 2, [1, 11, 1, 12], "2");
    // Stats are answered after the edit queued before them.
    let stats = client.request("ripple/stats", Value::Null)["result"].clone();
    assert_eq!(stats["files"], 2, "{stats}");
    let last = &stats["lastEditQueries"];
    assert_eq!(last["analysis"], 1, "only b.py is re-analysed: {stats}");
    assert!(
        last.get("import_diagnostics").is_none() || last["import_diagnostics"] == 1,
        "{stats}"
    );
    assert!(stats["lastEditLatencyMs"].is_number(), "{stats}");
    assert!(stats["memoryBytes"].is_number(), "{stats}");
    // The open (full) parse, then the edit's incremental one: only `return 1` was reparsed.
    assert_eq!(stats["parses"]["incremental"], 1, "{stats}");
}

#[test]
fn indexing_reports_progress_with_a_created_token() {
    let mut files = vec![("ripple.toml".to_string(), String::new())];
    for index in 0..60 {
        files.push((
            format!("pkg/m{index}.py"),
            format!("import os\nvalue{index} = os.sep\n"),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let (_dir, root) = workspace(&refs);
    let mut client = start(&root, json!({"window": {"workDoneProgress": true}}));
    let create = client.wait(|m| m["method"] == "window/workDoneProgress/create");
    let token = create["params"]["token"].clone();
    let begin =
        client.wait(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "begin");
    assert_eq!(begin["params"]["token"], token);
    let end = client.wait(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end");
    assert_eq!(end["params"]["token"], token);
    assert!(
        end["params"]["value"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("60")
    );
}

#[test]
fn a_small_workspace_in_workspace_mode_reports_its_indexing() {
    // With workspace diagnostics pushed, the first check of every file is the indexing: a
    // client sees it begin and end however few files there are (a regression: below the
    // re-check threshold it reported nothing, and editors waiting for indexing never saw it).
    let (_dir, root) = workspace(&[
        ("ripple.toml", "diagnostic-mode = \"workspace\"\n"),
        ("a.py", "import os\n"),
        ("b.py", "x = 1\n"),
    ]);
    let mut client = start(&root, json!({"window": {"workDoneProgress": true}}));
    let begin =
        client.wait(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "begin");
    assert_eq!(
        begin["params"]["value"]["title"], "ripple: indexing",
        "{begin}"
    );
    let end = client.wait(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end");
    assert_eq!(end["params"]["token"], begin["params"]["token"]);
    let message = end["params"]["value"]["message"].as_str().unwrap_or("");
    assert!(message.starts_with("indexed 2 files"), "{end}");
    let items = client.diagnostics(&file_uri(&root.join("a.py")), |items| !items.is_empty());
    assert_eq!(codes(&items), vec!["unused-import"]);
    // A later one-file change is a keystroke, not an indexing: no second progress.
    let uri = open(&mut client, &root.join("b.py"), "x = 1\n");
    change(&mut client, &uri, 2, [0, 4, 0, 5], "2");
    client.request("ripple/stats", Value::Null);
    client.drain(std::time::Duration::from_millis(200));
    // (`wait` took the first begin out of `seen`.)
    assert_eq!(progress_count(&client, "begin"), 0, "{:#?}", client.seen);
}

fn pull_workspace(client: &mut LspClient, previous: Value) -> Vec<Value> {
    let response = client.request(
        "workspace/diagnostic",
        json!({"previousResultIds": previous}),
    );
    response["result"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("no items: {response}"))
}

#[test]
fn pull_diagnostics_when_the_client_asks_for_them() {
    let (_dir, root) = workspace(&[
        ("ripple.toml", ""),
        ("m.py", "import os\n"),
        ("closed.py", "print(undefined)\n"),
    ]);
    let mut client = LspClient::start(&binary(), &root);
    let init = client.initialize(
        &root,
        json!({"textDocument": {"diagnostic": {}},
               "workspace": {"diagnostic": {"refreshSupport": true}}}),
    );
    assert!(
        init["result"]["capabilities"]["diagnosticProvider"].is_object(),
        "{init}"
    );
    let uri = open(&mut client, &root.join("m.py"), "import os\n");
    let first = client.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(first["result"]["kind"], "full", "{first}");
    assert_eq!(
        codes(first["result"]["items"].as_array().map_or(&[][..], |v| v)),
        vec!["unused-import"]
    );
    let id = first["result"]["resultId"].clone();
    let again = client.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}, "previousResultId": id}),
    );
    assert_eq!(again["result"]["kind"], "unchanged", "{again}");
    // Open-files mode: the workspace report has nothing (the open document is pulled itself).
    let items = pull_workspace(&mut client, json!([]));
    assert!(items.is_empty(), "{items:?}");

    // Workspace mode: closed files are reported, and the client is asked to pull again.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ripple": {"diagnosticMode": "workspace"}}}),
    );
    client.wait(|m| m["method"] == "workspace/diagnostic/refresh");
    let items = pull_workspace(&mut client, json!([]));
    let closed = file_uri(&root.join("closed.py"));
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["uri"], closed.as_str());
    assert_eq!(items[0]["kind"], "full");
    assert_eq!(
        codes(items[0]["items"].as_array().map_or(&[][..], |v| v)),
        vec!["undefined-name"]
    );
    let held = json!([{"uri": closed, "value": items[0]["resultId"]}]);
    let items = pull_workspace(&mut client, held.clone());
    assert_eq!(items[0]["kind"], "unchanged", "{items:?}");

    // A disk change the client cannot see: it is asked to pull again, and the report changes.
    std::fs::write(root.join("closed.py"), "value = 1\nprint(value)\n")
        .unwrap_or_else(|e| panic!("{e}"));
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": closed, "type": 2}]}),
    );
    client.wait(|m| m["method"] == "workspace/diagnostic/refresh");
    let items = pull_workspace(&mut client, held);
    assert_eq!(items[0]["kind"], "full", "{items:?}");
    assert_eq!(items[0]["items"], json!([]));

    // Back to open-files: the closed file's results are cleared once, then left alone.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ripple": {"diagnosticMode": "open-files"}}}),
    );
    let held = json!([{"uri": closed, "value": "some-old-id"}]);
    let items = pull_workspace(&mut client, held);
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(
        (items[0]["kind"].clone(), items[0]["items"].clone()),
        (json!("full"), json!([]))
    );
    let cleared = json!([{"uri": closed, "value": items[0]["resultId"]}]);
    assert!(pull_workspace(&mut client, cleared).is_empty());
    assert!(
        !client
            .seen
            .iter()
            .any(|m| m["method"] == "textDocument/publishDiagnostics"),
        "no pushes in pull mode"
    );
}

#[test]
fn positions_follow_the_negotiated_encoding() {
    let text = "s = 'é😀'; print(nope)\n";
    let (_dir, root) = workspace(&[("ripple.toml", ""), ("u.py", text)]);
    for (capabilities, encoding, character) in [
        (json!({}), "utf-16", 17),
        (
            json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}),
            "utf-8",
            20,
        ),
    ] {
        let mut client = LspClient::start(&binary(), &root);
        let init = client.initialize(&root, capabilities);
        assert_eq!(init["result"]["capabilities"]["positionEncoding"], encoding);
        let uri = open(&mut client, &root.join("u.py"), text);
        let items = client.diagnostics(&uri, |items| !items.is_empty());
        assert_eq!(
            items[0]["range"]["start"]["character"], character,
            "{encoding}"
        );
        // An edit after the emoji, in the same encoding: rename `nope` to `print`.
        change(
            &mut client,
            &uri,
            2,
            [0, character, 0, character + 4],
            "print",
        );
        client.diagnostics(&uri, |items| items.is_empty());
    }
}

#[test]
fn a_watched_file_change_and_a_created_module_resolve_imports() {
    let (_dir, root) = workspace(&[
        ("ripple.toml", "diagnostic-mode = \"workspace\"\n"),
        ("main.py", "import later\n\nprint(later)\n"),
    ]);
    let mut client = start(
        &root,
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
    );
    let main = file_uri(&root.join("main.py"));
    let items = client.diagnostics(&main, |items| !items.is_empty());
    assert_eq!(codes(&items), vec!["unresolved-import"]);
    client.wait(|m| m["method"] == "client/registerCapability");
    std::fs::write(root.join("later.py"), "").unwrap_or_else(|e| panic!("{e}"));
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&root.join("later.py")), "type": 1}]}),
    );
    client.diagnostics(&main, |items| items.is_empty());
}

#[test]
fn bad_input_gets_an_error_or_a_log_line_and_the_server_keeps_serving() {
    let (_dir, root) = workspace(&[("ripple.toml", ""), ("m.py", "x = 1\n")]);
    let mut client = start(&root, json!({}));
    client.send_raw("{this is not json");
    let unknown = client.request("ripple/unknownMethod", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    // Edits to a document never opened, and out-of-range edits, are logged and skipped.
    change(
        &mut client,
        "file:///nowhere/never.py",
        2,
        [0, 0, 0, 1],
        "x",
    );
    let uri = open(&mut client, &root.join("m.py"), "x = 1\n");
    change(&mut client, &uri, 2, [40, 0, 99, 99], "print(y)\n");
    let items = client.diagnostics(&uri, |items| !items.is_empty());
    assert_eq!(codes(&items), vec!["undefined-name"]);
    let stats = client.request("ripple/stats", Value::Null);
    assert!(stats["result"].is_object(), "{stats}");
    assert!(client.shutdown_and_exit().success());
}

/// `main.py` imports `VALUE` from `lib.py`; `gen/` holds 1,000 modules; workspace mode.
fn thousand_file_workspace() -> (tempfile::TempDir, PathBuf) {
    let mut files = vec![
        (
            "ripple.toml".to_string(),
            "diagnostic-mode = \"workspace\"\n".to_string(),
        ),
        (
            "main.py".to_string(),
            "from lib import VALUE\n\nprint(VALUE)\n".to_string(),
        ),
        ("lib.py".to_string(), "VALUE = 1\n".to_string()),
    ];
    for index in 0..1_000 {
        files.push((format!("gen/m{index}.py"), format!("x{index} = 1\n")));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    workspace(&refs)
}

/// How many `$/progress` notifications of `kind` (begin, report, end) the client has seen.
fn progress_count(client: &LspClient, kind: &str) -> usize {
    client
        .seen
        .iter()
        .filter(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == kind)
        .count()
}

#[test]
fn a_thousand_file_change_lands_as_one_batch_with_one_progress() {
    let (_dir, root) = thousand_file_workspace();
    let mut client = start(
        &root,
        json!({"window": {"workDoneProgress": true},
               "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
    );
    let main = file_uri(&root.join("main.py"));
    // Clean files are not published at first (a client starts with nothing to clear): the end
    // of the first check's progress says it is done.
    client.wait(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end");
    client.seen.clear();

    // A checkout: every generated module gains an unused import, and `lib` loses `VALUE`.
    let mut changes = Vec::new();
    for index in 0..1_000 {
        let path = root.join(format!("gen/m{index}.py"));
        std::fs::write(&path, format!("import os\nx{index} = 1\n"))
            .unwrap_or_else(|e| panic!("{e}"));
        changes.push(json!({"uri": file_uri(&path), "type": 2}));
    }
    std::fs::write(root.join("lib.py"), "OTHER = 1\n").unwrap_or_else(|e| panic!("{e}"));
    changes.push(json!({"uri": file_uri(&root.join("lib.py")), "type": 2}));
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": changes}),
    );

    let items = client.diagnostics(&main, |items| !items.is_empty());
    assert_eq!(codes(&items), vec!["missing-module-member"]);
    let last = file_uri(&root.join("gen/m999.py"));
    let items = client.diagnostics(&last, |items| !items.is_empty());
    assert_eq!(codes(&items), vec!["unused-import"]);
    assert_eq!(
        (
            progress_count(&client, "begin"),
            progress_count(&client, "end")
        ),
        (1, 1),
        "one progress for the batch"
    );
}

#[test]
fn a_thousand_file_checkout_seen_by_the_servers_own_watcher_is_one_batch() {
    let (_dir, root) = thousand_file_workspace();
    // No dynamic registration: the server watches the disk with `notify`.
    let mut client = start(&root, json!({"window": {"workDoneProgress": true}}));
    let main = file_uri(&root.join("main.py"));
    client.wait(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end");
    // The watch is set up on a thread of its own: wait until it is.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while client.request("ripple/stats", Value::Null)["result"]["watching"] != true {
        assert!(
            std::time::Instant::now() < deadline,
            "the server never watched"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    client.seen.clear();

    for index in 0..1_000 {
        let path = root.join(format!("gen/m{index}.py"));
        std::fs::write(&path, format!("import os\nx{index} = 1\n"))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(root.join("lib.py"), "OTHER = 1\n").unwrap_or_else(|e| panic!("{e}"));

    let items = client.diagnostics(&main, |items| !items.is_empty());
    assert_eq!(codes(&items), vec!["missing-module-member"]);
    for index in [0, 500, 999] {
        let uri = file_uri(&root.join(format!("gen/m{index}.py")));
        let items = client.diagnostics(&uri, |items| !items.is_empty());
        assert_eq!(codes(&items), vec!["unused-import"], "gen/m{index}.py");
    }
    assert_eq!(
        (
            progress_count(&client, "begin"),
            progress_count(&client, "end")
        ),
        (1, 1),
        "one progress for the burst"
    );
}

#[test]
fn editor_settings_choose_the_diagnostic_mode_and_apply_without_a_restart() {
    let (_dir, root) = workspace(&[
        ("ripple.toml", ""),
        ("closed.py", "import os\n"),
        ("open.py", ""),
    ]);
    let mut client = LspClient::start(&binary(), &root);
    let uri = file_uri(&root);
    client.initialize_with(json!({
        "processId": null,
        "rootUri": uri,
        "capabilities": {},
        "initializationOptions": {"diagnosticMode": "workspace"},
    }));
    let closed = file_uri(&root.join("closed.py"));
    let items = client.diagnostics(&closed, |items| !items.is_empty());
    assert_eq!(codes(&items), vec!["unused-import"]);

    open(&mut client, &root.join("open.py"), "import sys\n");
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ripple": {"diagnosticMode": "open-files"}}}),
    );
    // The closed file is no longer reported on: what it showed is cleared.
    client.diagnostics(&closed, |items| items.is_empty());

    // A bad value is logged and ignored: the file's setting (open-files) applies.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"diagnosticMode": 42}}),
    );
    let stats = client.request("ripple/stats", Value::Null);
    assert!(stats["result"].is_object(), "{stats}");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn without_a_workspace_folder_only_the_file_s_project_or_the_file_is_loaded() {
    // No marker anywhere up to the temp dir: the open file alone, not its folder's siblings.
    let (_dir, root) = workspace(&[("loose.py", "import os\n"), ("sibling.py", "")]);
    let mut client = LspClient::start(&binary(), &root);
    client.initialize_with(json!({"processId": null, "rootUri": null, "capabilities": {}}));
    let uri = open(
        &mut client,
        &root.join("loose.py"),
        "import os\nimport sibling\n",
    );
    let items = client.diagnostics(&uri, |items| !items.is_empty());
    // The sibling still resolves (its folder is a search root) without being loaded.
    assert_eq!(codes(&items), vec!["unused-import", "unused-import"]);
    let stats = client.request("ripple/stats", Value::Null);
    assert_eq!(stats["result"]["files"], 1, "{stats}");

    // With a project marker above it, the project is loaded.
    let (_project_dir, project) =
        workspace(&[("pyproject.toml", ""), ("pkg/a.py", ""), ("pkg/b.py", "")]);
    let mut client = LspClient::start(&binary(), &project);
    client.initialize_with(json!({"processId": null, "rootUri": null, "capabilities": {}}));
    let uri = open(&mut client, &project.join("pkg/a.py"), "import os\n");
    client.diagnostics(&uri, |items| !items.is_empty());
    let stats = client.request("ripple/stats", Value::Null);
    assert_eq!(stats["result"]["files"], 2, "{stats}");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn a_client_that_never_answers_a_progress_request_still_gets_diagnostics() {
    let (_dir, root) = workspace(&[("ripple.toml", ""), ("m.py", "import os\n")]);
    let mut client = LspClient::start(&binary(), &root);
    client.answers_requests = false;
    client.initialize(&root, json!({"window": {"workDoneProgress": true}}));
    let uri = open(&mut client, &root.join("m.py"), "import os\n");
    let items = client.diagnostics(&uri, |items| !items.is_empty());
    assert_eq!(codes(&items), vec!["unused-import"]);
    assert!(
        !client.seen.iter().any(|m| m["method"] == "$/progress"),
        "no progress on a token the client never created"
    );
}

#[test]
fn a_config_change_applies_without_a_restart() {
    let (_dir, root) = workspace(&[("ripple.toml", ""), ("m.py", "import os\n")]);
    let mut client = start(
        &root,
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
    );
    let uri = open(&mut client, &root.join("m.py"), "import os\n");
    let items = client.diagnostics(&uri, |items| !items.is_empty());
    assert_eq!(codes(&items), vec!["unused-import"]);
    std::fs::write(root.join("ripple.toml"), "ignore = [\"F401\"]\n")
        .unwrap_or_else(|e| panic!("{e}"));
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&root.join("ripple.toml")), "type": 2}]}),
    );
    client.diagnostics(&uri, |items| items.is_empty());
}

#[test]
fn the_open_document_wins_over_the_disk_until_closed() {
    let (_dir, root) = workspace(&[("ripple.toml", ""), ("m.py", "import os\n")]);
    let mut client = start(&root, json!({}));
    let uri = open(&mut client, &root.join("m.py"), "import os\nprint(os)\n");
    client.diagnostics(&uri, |items| items.is_empty());
    std::fs::write(root.join("m.py"), "import sys\n").unwrap_or_else(|e| panic!("{e}"));
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri, "type": 2}]}),
    );
    let stats = client.request("ripple/stats", Value::Null);
    assert!(stats["result"].is_object());
    assert!(
        !client
            .seen
            .iter()
            .any(|m| m["method"] == "textDocument/publishDiagnostics"
                && !m["params"]["diagnostics"]
                    .as_array()
                    .is_some_and(Vec::is_empty)),
        "the disk change must not replace the open text"
    );
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    // Closed in open-files mode: what it showed is cleared.
    client.diagnostics(&uri, |items| items.is_empty());
}

#[test]
fn without_client_watching_the_server_watches_the_disk_itself() {
    let (_dir, root) = workspace(&[
        ("ripple.toml", "diagnostic-mode = \"workspace\"\n"),
        ("main.py", "import later\n\nprint(later)\n"),
        (".venv/ignored.py", ""),
    ]);
    let mut client = start(&root, json!({}));
    let main = file_uri(&root.join("main.py"));
    let items = client.diagnostics(&main, |items| !items.is_empty());
    assert_eq!(codes(&items), vec!["unresolved-import"]);
    // Created on disk, with no notification from the client.
    std::fs::write(root.join("later.py"), "").unwrap_or_else(|e| panic!("{e}"));
    client.diagnostics(&main, |items| items.is_empty());
    std::fs::remove_file(root.join("later.py")).unwrap_or_else(|e| panic!("{e}"));
    let items = client.diagnostics(&main, |items| !items.is_empty());
    assert_eq!(codes(&items), vec!["unresolved-import"]);

    // Opening and reading files changes nothing (the server's own reads open them too: taken
    // for changes, each check started the next, forever).
    std::thread::sleep(std::time::Duration::from_millis(600));
    let checks = |client: &mut LspClient| {
        client.request("ripple/stats", Value::Null)["result"]["edits"]
            .as_u64()
            .unwrap_or_else(|| panic!("no edit count in the statistics"))
    };
    let before = checks(&mut client);
    for _ in 0..5 {
        let _ = std::fs::read_to_string(root.join("main.py"));
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(1_000));
    assert_eq!(checks(&mut client), before, "reads were taken for changes");
}

#[test]
fn rapid_edits_during_long_checks_end_in_the_state_of_the_last_edit() {
    let mut files = vec![
        (
            "ripple.toml".to_string(),
            "diagnostic-mode = \"workspace\"\n".to_string(),
        ),
        ("core.py".to_string(), "NAME = 1\n".to_string()),
    ];
    for index in 0..1_500 {
        files.push((
            format!("users/u{index}.py"),
            "from core import NAME\n\nprint(NAME)\n".to_string(),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let (_dir, root) = workspace(&refs);
    let mut client = start(&root, json!({}));
    let core = open(&mut client, &root.join("core.py"), "NAME = 1\n");
    client.diagnostics(&core, |items| items.is_empty());
    // Each edit renames NAME (breaking 1,500 importers) or renames it back, while the checks
    // those edits start are still running.
    for version in 2..40 {
        let text = if version % 2 == 0 { "NAMX" } else { "NAME" };
        change(&mut client, &core, version, [0, 0, 0, 4], text);
    }
    // The last edit (version 39) restores NAME: every importer must end clean, and the edited
    // document's publishes must never go back to an older version.
    let last_user = file_uri(&root.join("users/u1499.py"));
    let final_core = client.wait(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == core.as_str()
            && m["params"]["version"] == 39
    });
    assert!(
        final_core["params"]["diagnostics"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );
    let stats = client.request("ripple/stats", Value::Null);
    assert!(stats["result"].is_object());
    let versions: Vec<i64> = client
        .seen
        .iter()
        .filter(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == core.as_str()
        })
        .filter_map(|m| m["params"]["version"].as_i64())
        .collect();
    assert!(
        versions.windows(2).all(|pair| pair[0] <= pair[1]),
        "{versions:?}"
    );
    // Whatever was published for an importer last must be the clean state.
    let last = client.seen.iter().rev().find(|m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == last_user.as_str()
    });
    if let Some(last) = last {
        assert!(
            last["params"]["diagnostics"]
                .as_array()
                .is_some_and(Vec::is_empty),
            "{last}"
        );
    }
}

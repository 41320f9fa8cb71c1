//! Tasks in the editor, end to end: `ripple lsp` spoken to over stdio, with the real tools of
//! `tests/tools/install.sh` (mypy, pytest, ruff, tsc). Trust is asked once and recorded; a save
//! runs what it reaches and replays the rest; task diagnostics are published beside ripple's
//! own; a newer save cancels the run in progress (its process group is killed); a restart
//! replays everything and runs nothing.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ripple_tests::lsp_client::{LspClient, file_uri};
use ripple_tests::task_fixtures::{group_gone, project, read_pid, tools_dir};
use ripple_tests::{canonical, write_contents, write_tree};
use serde_json::{Value, json};

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ripple"))
}

/// A server on `root` whose trust file lives under `state`, choosing `choice` when asked.
fn start(root: &Path, state: &Path, choice: Option<&str>) -> LspClient {
    let state = state.to_string_lossy().into_owned();
    let mut client = LspClient::start_with_env(
        &binary(),
        root,
        &[("XDG_STATE_HOME", &state), ("RIPPLE_TRUST", "0")],
    );
    client.chooses = choice.map(str::to_string);
    client.initialize(root, json!({"window": {"workDoneProgress": true}}));
    client
}

/// `ripple/stats` once the task run it finds in progress (if any) is over and `ready` holds.
fn task_stats(client: &mut LspClient, ready: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let stats = client.request("ripple/stats", Value::Null)["result"]["tasks"].clone();
        if stats["running"] == false && ready(&stats) {
            return stats;
        }
        assert!(
            Instant::now() < deadline,
            "the tasks never settled: {stats}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn last(stats: &Value, task: &str, field: &str) -> u64 {
    stats["tasks"][task]["last"][field]
        .as_u64()
        .unwrap_or_else(|| panic!("no {task}.last.{field} in {stats}"))
}

fn sources(items: &[Value]) -> Vec<String> {
    let mut all: Vec<String> = items
        .iter()
        .map(|item| format!("{}:{}", item["source"].as_str().unwrap_or(""), item["code"]))
        .collect();
    all.sort();
    all
}

fn save(client: &mut LspClient, path: &Path, text: &str) {
    write_contents(path, text);
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": file_uri(path)}}),
    );
}

#[test]
fn a_save_runs_what_it_reaches_and_publishes_beside_ripple_s_own() {
    let Some(tools) = tools_dir() else { return };
    let dir = project(&tools);
    let root = canonical(dir.path());
    // An unused import: ripple's own finding and ruff's, in one list.
    write_contents(
        &root.join("app/util.py"),
        "import os\n\n\ndef shout(text: str) -> str:\n    return text.upper()\n",
    );
    let state = tempfile::tempdir().expect("state dir");
    let mut client = start(&root, state.path(), Some("Trust"));

    // Asked once; "Trust" runs every task.
    let asked = client.wait(|message| message["method"] == "window/showMessageRequest");
    let question = asked["params"]["message"].as_str().unwrap_or("");
    assert!(
        question.contains("mypy") && question.contains("ripple trust"),
        "{asked}"
    );
    let stats = task_stats(&mut client, |stats| stats["tasks"]["mypy"]["runs"] == 1);
    assert_eq!(stats["trusted"], true);
    assert_eq!(last(&stats, "mypy", "runs"), 8, "{stats}");
    assert_eq!(last(&stats, "pytest", "runs"), 2);
    assert_eq!(last(&stats, "tsc", "runs"), 1);

    let util = file_uri(&root.join("app/util.py"));
    let text = std::fs::read_to_string(root.join("app/util.py")).expect("util.py");
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": util, "languageId": "python", "version": 1, "text": text}}),
    );
    let items = client.diagnostics(&util, |items| items.len() >= 2);
    assert_eq!(
        sources(&items),
        vec!["ripple:\"unused-import\"", "ruff:\"F401\""],
        "{items:?}"
    );
    // A file ripple does not check shows its task's findings too.
    let main_ts = file_uri(&root.join("web/main.ts"));
    let items = client.diagnostics(&main_ts, |items| !items.is_empty());
    assert_eq!(sources(&items), vec!["tsc:\"TS2322\""]);
    let test_util = file_uri(&root.join("tests/test_util.py"));
    let items = client.diagnostics(&test_util, |items| !items.is_empty());
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["source"], "pytest");
    assert_eq!(
        items[0]["range"]["start"]["line"], 7,
        "at the failing test's def"
    );
    let progress: Vec<&Value> = client
        .seen
        .iter()
        .filter(|message| message["method"] == "$/progress")
        .collect();
    assert!(
        progress
            .iter()
            .any(|message| message["params"]["value"]["message"]
                .as_str()
                .is_some_and(|text| text.contains("mypy 0/8 targets"))),
        "{progress:#?}"
    );

    // A body edit saved in app/models.py: mypy for it and its two importers, pytest for the
    // test that imports it, ruff for the file; the rest replayed.
    let models = root.join("app/models.py");
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": file_uri(&models), "languageId": "python", "version": 1,
               "text": "def price() -> int:\n    return 3\n"}}),
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": file_uri(&models), "version": 2},
               "contentChanges": [{"text": "def price() -> int:\n    return \"3\"\n"}]}),
    );
    save(
        &mut client,
        &models,
        "def price() -> int:\n    return \"3\"\n",
    );
    let stats = task_stats(&mut client, |stats| stats["tasks"]["mypy"]["runs"] == 2);
    assert_eq!(last(&stats, "mypy", "runs"), 3, "{stats}");
    assert_eq!(last(&stats, "mypy", "hits"), 5);
    assert_eq!(last(&stats, "pytest", "runs"), 1);
    assert_eq!(last(&stats, "ruff", "runs"), 1);
    assert_eq!(last(&stats, "tsc", "runs"), 0);
    let items = client.diagnostics(&file_uri(&models), |items| !items.is_empty());
    assert_eq!(sources(&items), vec!["mypy:\"return-value\""]);
    assert!(client.shutdown_and_exit().success());

    // A new session: trusted already (nothing asked), every result replayed, none run.
    let mut client = start(&root, state.path(), None);
    let stats = task_stats(&mut client, |stats| stats["tasks"]["mypy"]["runs"] == 1);
    assert_eq!(last(&stats, "mypy", "runs"), 0, "{stats}");
    assert_eq!(last(&stats, "mypy", "hits"), 8, "{stats}");
    assert_eq!(stats["tasks"]["mypy"]["processes"], 0);
    let items = client.diagnostics(&main_ts, |items| !items.is_empty());
    assert_eq!(sources(&items), vec!["tsc:\"TS2322\""]);
    assert!(
        !client
            .seen
            .iter()
            .any(|message| message["method"] == "window/showMessageRequest"),
        "asked again"
    );
    assert!(client.shutdown_and_exit().success());
}

/// A task that writes its process group's id to a file named after its target and sleeps.
const SLEEPER: &str =
    r#"["sh", "-c", "echo $$ > \"$1.group\"; sleep 60 & sleep 60; true", "sh", "{file}"]"#;

#[test]
fn a_newer_save_cancels_the_run_and_an_untrusted_workspace_runs_nothing() {
    let dir = write_tree(&[
        (
            "ripple.toml",
            &format!(
                "[tasks.slow]\ncommand = {SLEEPER}\nfiles = [\"*.py\"]\nformat = \"ruff-json\"\n"
            ),
        ),
        ("a.py", "x = 1\n"),
    ]);
    let root = canonical(dir.path());
    let state = tempfile::tempdir().expect("state dir");

    // Not trusted, the question dismissed: a save runs nothing.
    let mut client = start(&root, state.path(), None);
    client.wait(|message| message["method"] == "window/showMessageRequest");
    save(&mut client, &root.join("a.py"), "x = 2\n");
    let stats = client.request("ripple/stats", Value::Null)["result"]["tasks"].clone();
    assert_eq!(stats["trusted"], false, "{stats}");
    std::thread::sleep(Duration::from_millis(300));
    assert!(!root.join("a.py.group").exists(), "an untrusted task ran");
    assert!(client.shutdown_and_exit().success());

    // Trusted: a save starts the task; a newer save kills its process group and starts again;
    // the end of the session kills the second.
    let mut client = start(&root, state.path(), Some("Trust"));
    client.wait(|message| message["method"] == "window/showMessageRequest");
    let first = read_pid(&root.join("a.py.group"));
    std::fs::remove_file(root.join("a.py.group")).expect("remove");
    save(&mut client, &root.join("a.py"), "x = 3\n");
    let second = read_pid(&root.join("a.py.group"));
    assert_ne!(first, second);
    assert!(group_gone(first), "the cancelled run's processes are left");
    assert!(client.shutdown_and_exit().success());
    assert!(group_gone(second), "a task's processes outlived the server");
}

/// A task that appends a line to `<target>.<task>` each time it runs and finds nothing.
fn counting(name: &str, on: &str) -> String {
    format!(
        "[tasks.{name}]\ncommand = [\"sh\", \"-c\", \"echo run >> \\\"$1.$0\\\"; echo '[]'\", \"{name}\", \"{{file}}\"]\nfiles = [\"*.py\"]\ndeps = \"file\"\nformat = \"ruff-json\"\non = {on}\n"
    )
}

fn runs_of(root: &Path, marker: &str) -> usize {
    std::fs::read_to_string(root.join(marker)).map_or(0, |text| text.lines().count())
}

#[test]
fn each_task_runs_on_its_triggers() {
    let table = [
        counting("saved", "[\"save\"]"),
        counting("checked", "[\"check\"]"),
        counting("never", "[]"),
    ]
    .concat();
    let dir = write_tree(&[("ripple.toml", &table), ("a.py", "x = 1\n")]);
    let root = canonical(dir.path());
    let state = tempfile::tempdir().expect("state dir");

    // Trusting runs every task the server runs; `on = []` is for `ripple check --tasks` only.
    let mut client = start(&root, state.path(), Some("Trust"));
    let stats = task_stats(&mut client, |stats| stats["tasks"]["saved"]["runs"] == 1);
    assert_eq!(last(&stats, "saved", "runs"), 1, "{stats}");
    assert_eq!(last(&stats, "checked", "runs"), 1);
    assert!(stats["tasks"]["never"].is_null(), "{stats}");
    assert!(client.shutdown_and_exit().success());
    assert_eq!(
        (runs_of(&root, "a.py.saved"), runs_of(&root, "a.py.checked")),
        (1, 1)
    );
    assert_eq!(runs_of(&root, "a.py.never"), 0);

    // Changed while no server ran: the next start runs the `check` task; the `save` task
    // waits for a save.
    write_contents(&root.join("a.py"), "x = 2\n");
    let mut client = start(&root, state.path(), None);
    let stats = task_stats(&mut client, |stats| stats["tasks"]["checked"]["runs"] == 1);
    assert_eq!(last(&stats, "checked", "runs"), 1, "{stats}");
    assert_eq!(last(&stats, "saved", "runs"), 0, "{stats}");
    assert_eq!(
        (runs_of(&root, "a.py.saved"), runs_of(&root, "a.py.checked")),
        (1, 2)
    );
    save(&mut client, &root.join("a.py"), "x = 3\n");
    // (A watcher may see the write first and plan once more: wait for the save's run.)
    let stats = task_stats(&mut client, |stats| {
        stats["tasks"]["saved"]["last"]["runs"] == 1
    });
    assert_eq!(last(&stats, "saved", "hits"), 0, "{stats}");
    assert_eq!(runs_of(&root, "a.py.saved"), 2);
    assert!(client.shutdown_and_exit().success());
}

//! Tasks end to end, through the real binary: trust, the result cache (what re-runs after an
//! edit, an input or an environment change, and what is replayed), failures, timeouts and
//! Ctrl-C leaving no process behind. The real tools (mypy, pytest, ruff, tsc) are the pinned
//! ones `tests/tools/install.sh` puts in `tests/.venv-tasks` and `tests/.node-tasks`; the test
//! command runs it first, so under CI a missing tool is a failure, not a skip.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ripple_tests::task_fixtures::{group_gone, project, read_pid, tools_dir};
use ripple_tests::{write_contents, write_tree};
use serde_json::Value;

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ripple"))
}

/// A command of the binary in `root`, with its own trust file and cache (under `state`).
fn ripple(root: &Path, state: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(binary());
    command
        .args(args)
        .current_dir(root)
        .env("XDG_STATE_HOME", state)
        .env_remove("RIPPLE_TRUST")
        .env_remove("RIPPLE_CACHE_DIR")
        .env("NO_COLOR", "1");
    command
}

struct Checked {
    code: i32,
    json: Value,
    stderr: String,
}

fn check(root: &Path, state: &Path, args: &[&str], env: &[(&str, &str)]) -> Checked {
    let mut command = ripple(root, state, &["check", "--format", "json"]);
    command.args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("ripple runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    Checked {
        code: output.status.code().unwrap_or(-1),
        json,
        stderr,
    }
}

/// `summary.tasks.NAME.FIELD` of a run.
fn count(run: &Checked, task: &str, field: &str) -> u64 {
    run.json["summary"]["tasks"][task][field]
        .as_u64()
        .unwrap_or_else(|| panic!("no {task}.{field} in {}\n{}", run.json, run.stderr))
}

fn task_diagnostics<'a>(run: &'a Checked, task: &str) -> Vec<&'a Value> {
    run.json["diagnostics"]
        .as_array()
        .map(|all| all.iter().filter(|d| d["source"] == task).collect())
        .unwrap_or_default()
}

fn trust(root: &Path, state: &Path) {
    let output = ripple(root, state, &["trust"])
        .output()
        .expect("ripple trust runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn an_untrusted_workspace_runs_nothing_until_trusted() {
    let dir = write_tree(&[
        (
            "ripple.toml",
            "[tasks.touch]\ncommand = [\"sh\", \"-c\", \"touch ran; true\", \"{files}\"]\nfiles = [\"*.py\"]\nformat = \"regex\"\npattern = '^(?P<file>[^:]+):(?P<line>\\d+): (?P<message>.*)$'\n",
        ),
        ("a.py", "x = 1\n"),
    ]);
    let state = tempfile::tempdir().expect("state dir");
    let root = dir.path();
    let refused = check(root, state.path(), &["--tasks"], &[]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("ripple trust"),
        "{}",
        refused.stderr
    );
    assert!(!root.join("ran").exists(), "an untrusted task ran");
    // Without --tasks, nothing runs and nothing is refused.
    let plain = check(root, state.path(), &[], &[]);
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    assert!(!root.join("ran").exists());

    trust(root, state.path());
    let trusted = check(root, state.path(), &["--tasks"], &[]);
    assert_eq!(trusted.code, 0, "{}", trusted.stderr);
    assert!(root.join("ran").exists(), "the trusted task did not run");

    // A changed table needs trust again; --trust and RIPPLE_TRUST=1 trust for one run.
    let config = std::fs::read_to_string(root.join("ripple.toml")).expect("config");
    write_contents(
        &root.join("ripple.toml"),
        config.replace("touch ran", "touch ran2"),
    );
    assert_eq!(check(root, state.path(), &["--tasks"], &[]).code, 2);
    assert!(!root.join("ran2").exists());
    assert_eq!(
        check(root, state.path(), &["--tasks", "--trust"], &[]).code,
        0
    );
    assert!(root.join("ran2").exists());
    std::fs::remove_file(root.join("ran2")).expect("remove");
    let once = check(
        root,
        state.path(),
        &["--tasks", "--no-cache"],
        &[("RIPPLE_TRUST", "1")],
    );
    assert_eq!(once.code, 0, "{}", once.stderr);
    assert!(root.join("ran2").exists());
    // Trust given once is not kept.
    assert_eq!(
        check(root, state.path(), &["--tasks", "--no-cache"], &[]).code,
        2
    );
}

/// A task that writes its process group's id, starts a grandchild and sleeps.
const SLEEPER: &str =
    "[\"sh\", \"-c\", \"echo $$ > group; sleep 60 & sleep 60; true\", \"{files}\"]";

/// `ripple run` and `ripple tasks` keep what they learn as `check` does: a second run on a
/// fresh cache replays every `deps = "imports"` result.
#[test]
fn run_alone_replays_what_it_ran() {
    let dir = write_tree(&[
        (
            "ripple.toml",
            "[tasks.count]\ncommand = [\"sh\", \"-c\", \"echo run >> runs; echo '[]'\", \"{files}\"]\nfiles = [\"*.py\"]\nformat = \"ruff-json\"\njobs = 1\n",
        ),
        ("a.py", "import b\n"),
        ("b.py", "x = 1\n"),
    ]);
    let state = tempfile::tempdir().expect("state dir");
    let root = dir.path();
    trust(root, state.path());
    let runs = || std::fs::read_to_string(root.join("runs")).map_or(0, |text| text.lines().count());
    let run = || {
        let output = ripple(root, state.path(), &["run", "count"])
            .output()
            .expect("ripple run");
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    run();
    assert_eq!(runs(), 1);
    run();
    assert_eq!(runs(), 1, "the second run ran again");
    let listed = ripple(root, state.path(), &["tasks", "--format", "json"])
        .output()
        .expect("ripple tasks");
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap_or_default();
    assert_eq!(listed["tasks"][0]["targets"]["a.py"], "fresh", "{listed}");
    write_contents(&root.join("b.py"), "x = 2\n");
    run();
    assert_eq!(runs(), 2, "a change to an import did not run");
}

#[test]
fn a_timeout_kills_the_whole_process_group_and_says_so() {
    let dir = write_tree(&[
        (
            "ripple.toml",
            &format!(
                "[tasks.slow]\ncommand = {SLEEPER}\nfiles = [\"*.py\"]\nformat = \"ruff-json\"\ntimeout = \"1s\"\n\n[tasks.other]\ncommand = [\"sh\", \"-c\", \"echo '[]'\", \"{{files}}\"]\nfiles = [\"*.py\"]\nformat = \"ruff-json\"\n"
            ),
        ),
        ("a.py", "x = 1\n"),
    ]);
    let state = tempfile::tempdir().expect("state dir");
    let run = check(dir.path(), state.path(), &["--tasks", "--trust"], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let failed = task_diagnostics(&run, "slow");
    assert_eq!(failed.len(), 1, "{}", run.json);
    assert_eq!(failed[0]["code"], "task-failed");
    assert_eq!(failed[0]["path"], "ripple.toml");
    assert_eq!(failed[0]["range"]["start"]["line"], 0);
    assert!(
        failed[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("timed out")
    );
    // The other task ran to its end.
    assert_eq!(count(&run, "other", "runs"), 1);
    assert_eq!(count(&run, "slow", "failures"), 1);
    let group = read_pid(&dir.path().join("group"));
    assert!(group_gone(group), "a process of the timed-out task is left");
    // A failure is not kept: the next run tries again.
    let again = check(dir.path(), state.path(), &["--tasks", "--trust"], &[]);
    assert_eq!(count(&again, "slow", "failures"), 1);
    assert_eq!(count(&again, "other", "hits"), 1);
}

#[test]
#[cfg(unix)]
fn ctrl_c_stops_the_tools_and_keeps_nothing() {
    let dir = write_tree(&[
        (
            "ripple.toml",
            &format!(
                "[tasks.slow]\ncommand = {SLEEPER}\nfiles = [\"*.py\"]\nformat = \"ruff-json\"\n"
            ),
        ),
        ("a.py", "x = 1\n"),
    ]);
    let state = tempfile::tempdir().expect("state dir");
    let mut child = ripple(dir.path(), state.path(), &["check", "--tasks", "--trust"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ripple starts");
    let group = read_pid(&dir.path().join("group"));
    let pid = libc::pid_t::try_from(child.id()).expect("a pid");
    // SAFETY: kill takes a pid and a signal number.
    unsafe {
        libc::kill(pid, libc::SIGINT);
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "ripple did not stop on Ctrl-C");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(130));
    assert!(group_gone(group), "a process of the cancelled task is left");
}

#[test]
fn a_missing_tool_or_a_bad_table_is_a_diagnostic_on_the_config() {
    let dir = write_tree(&[
        (
            "ripple.toml",
            "[tasks.gone]\ncommand = [\"ripple-no-such-tool\", \"{files}\"]\nfiles = [\"*.py\"]\nformat = \"ruff-json\"\n\n[tasks.bad]\ncommand = [\"true\", \"{file\"]\nfiles = [\"*.py\"]\nformat = \"ruff-json\"\ncolour = \"red\"\n\n[tasks.crash]\ncommand = [\"sh\", \"-c\", \"echo boom >&2; exit 3\", \"{files}\"]\nfiles = [\"*.py\"]\nformat = \"ruff-json\"\n\n[tasks.garbled]\ncommand = [\"sh\", \"-c\", \"echo not json; exit 1\", \"{files}\"]\nfiles = [\"*.py\"]\nformat = \"ruff-json\"\njobs = 1\n",
        ),
        ("a.py", "x = 1\n"),
    ]);
    let state = tempfile::tempdir().expect("state dir");
    let run = check(dir.path(), state.path(), &["--tasks", "--trust"], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let gone = task_diagnostics(&run, "gone");
    assert_eq!(gone.len(), 1, "{}", run.json);
    assert!(
        gone[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("not on PATH")
    );
    assert_eq!(gone[0]["range"]["start"]["line"], 0);
    let crash = task_diagnostics(&run, "crash");
    assert_eq!(crash.len(), 1, "{}", run.json);
    let message = crash[0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("exited with code 3") && message.contains("boom"),
        "{message}"
    );
    let garbled = task_diagnostics(&run, "garbled");
    assert_eq!(garbled.len(), 1, "{}", run.json);
    assert!(
        garbled[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("garbled")
    );
    // The bad table is reported where it is wrong, and does not run.
    let problems: Vec<&Value> = run.json["diagnostics"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter(|d| d["code"] == "invalid-configuration")
                .collect()
        })
        .unwrap_or_default();
    let lines: Vec<u64> = problems
        .iter()
        .filter_map(|d| d["range"]["start"]["line"].as_u64())
        .collect();
    assert!(lines.contains(&6), "the `{{file` line: {lines:?}");
    assert!(lines.contains(&9), "the unknown key's line: {lines:?}");
    assert!(run.json["summary"]["tasks"]["bad"].is_null());
}

// ----- the real tools ----------------------------------------------------------------------

#[test]
fn real_tools_rerun_only_what_a_change_reaches() {
    let Some(tools) = tools_dir() else { return };
    let dir = project(&tools);
    let root = dir.path();
    let state = tempfile::tempdir().expect("state dir");
    trust(root, state.path());
    let run = |env: &[(&str, &str)]| check(root, state.path(), &["--tasks", "-j", "2"], env);

    let first = run(&[]);
    assert_eq!(first.code, 1, "{}\n{}", first.json, first.stderr);
    for task in ["mypy", "ruff", "pytest", "tsc"] {
        assert_eq!(count(&first, task, "failures"), 0, "{task}: {}", first.json);
    }
    let targets = 8; // every .py file, none of web/
    assert_eq!(count(&first, "mypy", "targets"), 8, "{}", first.json);
    assert_eq!(count(&first, "mypy", "runs"), 8);
    assert_eq!(
        count(&first, "mypy", "processes"),
        1,
        "`jobs = 1`: one batch"
    );
    assert_eq!(count(&first, "ruff", "processes"), 2, "spread over -j 2");
    assert_eq!(count(&first, "ruff", "runs"), targets);
    assert_eq!(count(&first, "pytest", "runs"), 2);
    assert_eq!(count(&first, "tsc", "runs"), 1);
    // pytest: the failing test at its `def` line (0-based 7), its message from the report.
    let failing = task_diagnostics(&first, "pytest");
    assert_eq!(failing.len(), 1, "{}", first.json);
    assert_eq!(failing[0]["path"], "tests/test_util.py");
    assert_eq!(failing[0]["range"]["start"]["line"], 7);
    // tsc: the type error with its code.
    let tsc = task_diagnostics(&first, "tsc");
    assert_eq!(tsc.len(), 1, "{}", first.json);
    assert_eq!(tsc[0]["code"], "TS2322");
    assert_eq!(tsc[0]["path"], "web/main.ts");
    assert!(
        task_diagnostics(&first, "mypy").is_empty(),
        "{}",
        first.json
    );

    // A second identical run runs nothing and says the same.
    let second = run(&[]);
    for task in ["mypy", "ruff", "pytest", "tsc"] {
        assert_eq!(count(&second, task, "runs"), 0, "{task}: {}", second.json);
        assert_eq!(count(&second, task, "processes"), 0);
    }
    assert_eq!(second.json["diagnostics"], first.json["diagnostics"]);

    // A body edit in app/models.py: mypy re-runs it and its importers (app/api.py and
    // tests/test_api.py, which imports it), pytest only tests/test_api.py, ruff only the file.
    write_contents(
        &root.join("app/models.py"),
        "def price() -> int:\n    return \"3\"\n",
    );
    let edited = run(&[]);
    assert_eq!(count(&edited, "mypy", "runs"), 3, "{}", edited.json);
    assert_eq!(count(&edited, "mypy", "hits"), 5);
    assert_eq!(count(&edited, "pytest", "runs"), 1);
    assert_eq!(count(&edited, "ruff", "runs"), 1);
    assert_eq!(count(&edited, "tsc", "runs"), 0);
    let mypy = task_diagnostics(&edited, "mypy");
    assert_eq!(mypy.len(), 1, "{}", edited.json);
    assert_eq!(mypy[0]["code"], "return-value");
    assert_eq!(mypy[0]["path"], "app/models.py");
    assert_eq!(mypy[0]["range"]["start"]["character"], 11);
    // The broken price fails test_total now too.
    assert_eq!(
        task_diagnostics(&edited, "pytest").len(),
        2,
        "{}",
        edited.json
    );

    // A listed input re-runs every result of its task; so does a listed environment value.
    write_contents(
        &root.join("mypy.ini"),
        "[mypy]\nwarn_unused_ignores = True\n",
    );
    let input = run(&[]);
    assert_eq!(count(&input, "mypy", "runs"), 8, "{}", input.json);
    assert_eq!(count(&input, "ruff", "runs"), 0);
    let flavour = run(&[("RIPPLE_TEST_MYPY_FLAVOUR", "strict")]);
    assert_eq!(count(&flavour, "mypy", "runs"), 8);
    let back = run(&[]);
    assert_eq!(
        count(&back, "mypy", "runs"),
        0,
        "the unset value's results are kept"
    );

    // A conftest.py change re-runs the tests below it.
    write_contents(&root.join("tests/conftest.py"), "import app.util\n");
    let conftest = run(&[]);
    assert_eq!(count(&conftest, "pytest", "runs"), 2, "{}", conftest.json);

    // `ripple tasks` tells fresh from stale from never run; `ripple run` runs one task.
    write_contents(
        &root.join("app/util.py"),
        "def shout(text: str) -> str:\n    return text.upper() + \"\"\n",
    );
    write_contents(&root.join("app/extra.py"), "X = 1\n");
    let listed = ripple(root, state.path(), &["tasks", "--format", "json"])
        .output()
        .expect("ripple tasks runs");
    let listed: Value = serde_json::from_slice(&listed.stdout).expect("JSON");
    let ruff = listed["tasks"]
        .as_array()
        .and_then(|tasks| tasks.iter().find(|task| task["name"] == "ruff"))
        .expect("the ruff task");
    assert_eq!(ruff["targets"]["app/util.py"], "stale", "{ruff}");
    assert_eq!(ruff["targets"]["app/extra.py"], "never-run");
    assert_eq!(ruff["targets"]["app/api.py"], "fresh");
    let ran = ripple(
        root,
        state.path(),
        &["run", "ruff", "app", "--trust", "--format", "json"],
    )
    .output()
    .expect("ripple run runs");
    let ran: Value = serde_json::from_slice(&ran.stdout).expect("JSON");
    assert_eq!(ran["summary"]["tasks"]["ruff"]["runs"], 2, "{ran}");
    assert_eq!(ran["summary"]["tasks"]["ruff"]["hits"], 3);
    let forced = ripple(
        root,
        state.path(),
        &[
            "run", "ruff", "app", "--trust", "--force", "--format", "json",
        ],
    )
    .output()
    .expect("ripple run runs");
    let forced: Value = serde_json::from_slice(&forced.stdout).expect("JSON");
    assert_eq!(forced["summary"]["tasks"]["ruff"]["runs"], 5, "{forced}");
}

//! `ripple affected` on real git repositories built by the tests: what a change reaches, how
//! git's states (committed, staged, unstaged, untracked, renamed, deleted) are read, and the
//! clear errors for histories it cannot read. `tests/affected_safety.py` checks the answers
//! against `ripple check` over random histories.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use ripple_tests::{write_file, write_tree};

fn ripple(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ripple"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot run ripple: {error}"));
    if let Some(mut input) = child.stdin.take() {
        use std::io::Write;
        let _ = input.write_all(stdin.unwrap_or("").as_bytes());
    }
    child
        .wait_with_output()
        .unwrap_or_else(|error| panic!("ripple did not finish: {error}"))
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap_or_else(|error| panic!("cannot run git: {error}"));
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A repository with one commit of `files`.
fn repository(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = write_tree(files);
    git(dir.path(), &["init", "-q", "-b", "main"]);
    for (key, value) in [
        ("user.email", "test@example.invalid"),
        ("user.name", "test"),
        ("commit.gpgsign", "false"),
    ] {
        git(dir.path(), &["config", key, value]);
    }
    commit(dir.path(), "start");
    dir
}

fn commit(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", message]);
}

/// `ripple affected ARGS --format json`, which must succeed.
fn affected(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["affected", "--format", "json"];
    all.extend_from_slice(args);
    let output = ripple(dir, &all, None);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "not JSON ({error}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

fn list(value: &serde_json::Value) -> Vec<&str> {
    value
        .as_array()
        .map(|items| items.iter().filter_map(|item| item.as_str()).collect())
        .unwrap_or_default()
}

const PROJECT: &[(&str, &str)] = &[
    (
        "ripple.toml",
        "[tasks.pytest]\ncommand = [\"pytest\", \"--junitxml={report}\", \"{files}\"]\n\
         files = [\"tests/**/test_*.py\"]\nformat = \"junit\"\ninputs = [\"pytest.ini\"]\n\
         [tasks.lint]\ncommand = [\"lint\", \"{files}\"]\nfiles = [\"**/*.py\"]\n\
         format = \"ruff-json\"\ndeps = \"file\"\n",
    ),
    ("pytest.ini", "[pytest]\n"),
    ("app/__init__.py", ""),
    ("app/models.py", "class User:\n    pass\n"),
    (
        "app/api.py",
        "from app.models import User\n\n\ndef get():\n    return User()\n",
    ),
    ("app/unrelated.py", "import os\n\nprint(os.sep)\n"),
    (
        "tests/test_api.py",
        "from app.api import get\n\n\ndef test_get():\n    assert get()\n",
    ),
    (
        "tests/test_other.py",
        "from app.unrelated import os\n\n\ndef test_os():\n    assert os\n",
    ),
    ("tests/conftest.py", "import pytest\n"),
];

#[test]
fn an_edit_reaches_the_importers_and_the_tests_that_import_it() {
    let repo = repository(PROJECT);
    let root = repo.path();
    write_file(root, "app/models.py", b"class User:\n    name = 1\n");
    let answer = affected(root, &["--since", "HEAD"]);
    assert_eq!(list(&answer["changed"]), ["app/models.py"]);
    assert_eq!(
        list(&answer["affected"]),
        ["app/api.py", "app/models.py", "tests/test_api.py"]
    );
    assert_eq!(list(&answer["tasks"]["pytest"]), ["tests/test_api.py"]);
    assert_eq!(list(&answer["tasks"]["lint"]), ["app/models.py"]);
    assert!(answer["everything"].is_null());
    assert_eq!(answer["since"], "HEAD");

    // Human output and --print0 list the same, for shells and xargs.
    let human = ripple(root, &["affected", "--since", "HEAD"], None);
    assert_eq!(
        String::from_utf8_lossy(&human.stdout),
        "app/api.py\napp/models.py\ntests/test_api.py\n"
    );
    let targets = ripple(
        root,
        &[
            "affected", "--since", "HEAD", "--task", "pytest", "--print0",
        ],
        None,
    );
    assert_eq!(targets.stdout, b"tests/test_api.py\0");
    // Only what lies under the paths given.
    let under = affected(root, &["--since", "HEAD", "tests"]);
    assert_eq!(list(&under["affected"]), ["tests/test_api.py"]);
}

#[test]
fn staged_unstaged_and_untracked_changes_all_count() {
    let repo = repository(PROJECT);
    let root = repo.path();
    write_file(root, ".gitignore", b"scratch.py\n");
    commit(root, "ignore scratch");
    write_file(root, "app/models.py", b"class User:\n    staged = 1\n");
    git(root, &["add", "app/models.py"]);
    write_file(root, "app/unrelated.py", b"import os\nprint(os.sep, 1)\n");
    // Untracked, not ignored: counted. Ignored: not.
    write_file(root, "app/new.py", b"from app.api import get\n");
    write_file(root, "scratch.py", b"import app.models\n");
    let answer = affected(root, &["--since", "HEAD~1"]);
    assert_eq!(
        list(&answer["changed"]),
        [
            ".gitignore",
            "app/models.py",
            "app/new.py",
            "app/unrelated.py"
        ]
    );
    // .gitignore decides which files the workspace holds: everything is affected.
    assert!(
        answer["everything"]
            .as_str()
            .is_some_and(|why| why.contains(".gitignore"))
    );

    let answer = affected(root, &["--since", "HEAD"]);
    assert_eq!(
        list(&answer["changed"]),
        ["app/models.py", "app/new.py", "app/unrelated.py"]
    );
    assert_eq!(
        list(&answer["affected"]),
        [
            "app/api.py",
            "app/models.py",
            "app/new.py",
            "app/unrelated.py",
            "tests/test_api.py",
            "tests/test_other.py"
        ]
    );
}

#[test]
fn a_deleted_or_moved_module_reaches_the_files_that_imported_it() {
    let repo = repository(PROJECT);
    let root = repo.path();
    git(root, &["mv", "app/models.py", "app/entities.py"]);
    commit(root, "move models");
    let answer = affected(root, &["--since", "HEAD~1"]);
    // A rename is a deletion and an addition.
    assert_eq!(
        list(&answer["changed"]),
        ["app/entities.py", "app/models.py"]
    );
    // app/api.py no longer resolves `app.models`: it and what imports it are affected.
    assert_eq!(
        list(&answer["affected"]),
        ["app/api.py", "app/entities.py", "tests/test_api.py"]
    );
    let check = ripple(root, &["check", "--format", "json", "--no-cache"], None);
    assert!(
        String::from_utf8_lossy(&check.stdout).contains("cannot resolve import `app.models`"),
        "the importer really fails: {}",
        String::from_utf8_lossy(&check.stdout)
    );

    // A module that appears where an import looked in vain.
    write_file(root, "app/models.py", b"class User:\n    pass\n");
    let answer = affected(root, &["--since", "HEAD"]);
    assert_eq!(list(&answer["changed"]), ["app/models.py"]);
    assert_eq!(
        list(&answer["affected"]),
        ["app/api.py", "app/models.py", "tests/test_api.py"]
    );
}

#[test]
fn configuration_inputs_and_conftest_changes() {
    let repo = repository(PROJECT);
    let root = repo.path();
    write_file(root, "ripple.toml", b"ignore = [\"unused-import\"]\n");
    let answer = affected(root, &["--since", "HEAD"]);
    assert!(
        answer["everything"]
            .as_str()
            .is_some_and(|why| why.contains("ripple.toml"))
    );
    assert_eq!(list(&answer["affected"]).len(), 7);
    git(root, &["checkout", "-q", "--", "ripple.toml"]);

    // A task's input re-runs all its targets, and nothing else.
    write_file(root, "pytest.ini", b"[pytest]\naddopts = -q\n");
    let answer = affected(root, &["--since", "HEAD"]);
    assert_eq!(list(&answer["affected"]), Vec::<&str>::new());
    assert_eq!(
        list(&answer["tasks"]["pytest"]),
        ["tests/test_api.py", "tests/test_other.py"]
    );
    assert_eq!(list(&answer["tasks"]["lint"]), Vec::<&str>::new());
    git(root, &["checkout", "-q", "--", "pytest.ini"]);

    // pytest loads the conftest before every test below it.
    write_file(root, "tests/conftest.py", b"import pytest\nimport app\n");
    let answer = affected(root, &["--since", "HEAD"]);
    assert_eq!(list(&answer["affected"]), ["tests/conftest.py"]);
    assert_eq!(
        list(&answer["tasks"]["pytest"]),
        ["tests/test_api.py", "tests/test_other.py"]
    );
    // Deleted, it still affects them.
    std::fs::remove_file(root.join("tests/conftest.py")).unwrap_or_else(|error| panic!("{error}"));
    let answer = affected(root, &["--since", "HEAD"]);
    assert_eq!(
        list(&answer["tasks"]["pytest"]),
        ["tests/test_api.py", "tests/test_other.py"]
    );
}

#[test]
fn pyproject_changes_affect_everything_only_when_ripple_s_settings_change() {
    let repo = repository(&[
        (
            "pyproject.toml",
            "[project]\nname = \"demo\"\nversion = \"1.0\"\n\n[tool.ripple]\nignore = []\n",
        ),
        ("a.py", "import b\n"),
        ("b.py", "x = 1\n"),
        ("c.py", "import os\n"),
    ]);
    let root = repo.path();
    write_file(
        root,
        "pyproject.toml",
        b"[project]\nname = \"demo\"\nversion = \"1.1\"\n\n[tool.ripple]\n# same\nignore = []\n",
    );
    let answer = affected(root, &["--since", "HEAD"]);
    assert_eq!(list(&answer["changed"]), ["pyproject.toml"]);
    assert!(answer["everything"].is_null());
    assert_eq!(list(&answer["affected"]), Vec::<&str>::new());

    write_file(
        root,
        "pyproject.toml",
        b"[project]\nname = \"demo\"\n\n[tool.ripple]\nignore = [\"unused-import\"]\n",
    );
    let answer = affected(root, &["--since", "HEAD"]);
    assert!(
        answer["everything"]
            .as_str()
            .is_some_and(|why| why.contains("pyproject.toml"))
    );
    assert_eq!(list(&answer["affected"]), ["a.py", "b.py", "c.py"]);
    // From standard input the earlier text is unknown: every file, to be safe.
    let output = ripple(
        root,
        &["affected", "--stdin", "--format", "json"],
        Some("pyproject.toml\n"),
    );
    let answer: serde_json::Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(list(&answer["affected"]), ["a.py", "b.py", "c.py"]);
}

#[test]
fn a_relative_import_in_a_package_under_an_unimportable_folder_is_followed() {
    // `proj-1.0/` names no module: the test runs from it, where `pkg.rel` is importable and
    // its `from .template import ...` reaches `pkg/template.py`.
    let repo = repository(&[
        (
            "ripple.toml",
            "[tasks.pytest]\ncommand = [\"pytest\", \"--junitxml={report}\", \"{files}\"]\n\
             files = [\"**/test_*.py\"]\nformat = \"junit\"\n",
        ),
        ("proj-1.0/pkg/__init__.py", ""),
        ("proj-1.0/pkg/template.py", "def render():\n    return 1\n"),
        (
            "proj-1.0/pkg/rel.py",
            "from .template import render\n\nprint(render)\n",
        ),
        (
            "proj-1.0/test_rel.py",
            "from pkg.rel import render\n\n\ndef test():\n    render()\n",
        ),
    ]);
    let root = repo.path();
    write_file(
        root,
        "proj-1.0/pkg/template.py",
        b"def render():\n    return 2\n",
    );
    let answer = affected(root, &["--since", "HEAD"]);
    assert_eq!(
        list(&answer["affected"]),
        [
            "proj-1.0/pkg/rel.py",
            "proj-1.0/pkg/template.py",
            "proj-1.0/test_rel.py"
        ]
    );
    assert_eq!(list(&answer["tasks"]["pytest"]), ["proj-1.0/test_rel.py"]);
}

#[test]
fn merge_base_ranges_and_paths_from_standard_input() {
    let repo = repository(PROJECT);
    let root = repo.path();
    git(root, &["checkout", "-q", "-b", "feature"]);
    write_file(root, "app/unrelated.py", b"import os\nprint(1)\n");
    commit(root, "feature");
    git(root, &["checkout", "-q", "main"]);
    write_file(root, "app/models.py", b"class User:\n    later = 1\n");
    commit(root, "main moves on");
    git(root, &["checkout", "-q", "feature"]);
    // Against main itself, main's own change shows (reverted on this branch); against the
    // merge base, only the branch's.
    let direct = affected(root, &["--since", "main"]);
    assert_eq!(
        list(&direct["changed"]),
        ["app/models.py", "app/unrelated.py"]
    );
    let merge_base = affected(root, &["--since", "main..."]);
    assert_eq!(list(&merge_base["changed"]), ["app/unrelated.py"]);
    assert_ne!(merge_base["base"], direct["base"]);

    let output = ripple(
        root,
        &["affected", "--stdin", "--format", "json"],
        Some("app/models.py\r\ngone.py\n\n"),
    );
    assert_eq!(output.status.code(), Some(0));
    let answer: serde_json::Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(list(&answer["changed"]), ["app/models.py", "gone.py"]);
    assert!(answer["since"].is_null());
    assert!(list(&answer["affected"]).contains(&"app/api.py"));
}

#[test]
fn histories_it_cannot_read_are_clear_errors() {
    let plain = write_tree(&[("ripple.toml", ""), ("a.py", "import os\n")]);
    let output = ripple(plain.path(), &["affected", "--since", "HEAD"], None);
    assert_eq!(output.status.code(), Some(2));
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("not in a git repository") && said.contains("--stdin"),
        "{said}"
    );

    let repo = repository(PROJECT);
    let output = ripple(
        repo.path(),
        &["affected", "--since", "no-such-branch"],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("names no commit"));
    let output = ripple(repo.path(), &["affected", "--since", "--output=x"], None);
    assert_eq!(output.status.code(), Some(2));
    let output = ripple(repo.path(), &["affected"], None);
    assert_eq!(
        output.status.code(),
        Some(2),
        "--since or --stdin is required"
    );
    let output = ripple(
        repo.path(),
        &["affected", "--since", "HEAD", "--task", "nope"],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no task `nope`"));

    // A shallow clone that lacks the revision asked for.
    write_file(repo.path(), "app/models.py", b"class User:\n    v = 2\n");
    commit(repo.path(), "second");
    let shallow = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
    let source = format!("file://{}", repo.path().display());
    git(
        shallow.path(),
        &["clone", "-q", "--depth", "1", &source, "clone"],
    );
    let clone = shallow.path().join("clone");
    let output = ripple(&clone, &["affected", "--since", "HEAD~1"], None);
    assert_eq!(output.status.code(), Some(2));
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("shallow") && said.contains("fetch"), "{said}");
    // What the clone has works.
    assert_eq!(
        ripple(&clone, &["affected", "--since", "HEAD"], None)
            .status
            .code(),
        Some(0)
    );
}

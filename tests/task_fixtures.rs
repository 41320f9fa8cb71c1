//! Fixtures of the task tests (the command line's and the server's): the real tools' folder,
//! a project that uses them, and what tells a process group is gone.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::write_tree;

/// Whether a process of group `group` still runs (killed ones take a moment to go).
pub fn group_gone(group: u32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if !ripple_tasks::runner::group_running(group) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

pub fn read_pid(path: &Path) -> u32 {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(pid) = std::fs::read_to_string(path)
            .ok()
            .and_then(|text| text.trim().parse().ok())
        {
            return pid;
        }
        assert!(Instant::now() < deadline, "the task never started");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The pinned tools of `tests/tools/install.sh`' folder; `None` (a skip) outside CI when
/// they are not installed.
pub fn tools_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    let ready = dir.join(".venv-tasks/bin/mypy").is_file()
        && dir.join(".node-tasks/node_modules/.bin/tsc").is_file();
    if ready {
        return std::fs::canonicalize(dir).ok();
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the task tools are missing: tests/tools/install.sh installs them"
    );
    eprintln!("skipped: run tests/tools/install.sh to install the task tools");
    None
}

/// A small project checked by mypy, pytest, ruff and tsc.
pub fn project(tools: &Path) -> tempfile::TempDir {
    let venv = tools.join(".venv-tasks/bin");
    let tsc = tools.join(".node-tasks/node_modules/.bin/tsc");
    let config = format!(
        r#"[tasks.mypy]
command = ["{venv}/mypy", "-O", "json", "--follow-imports=silent", "--no-incremental", "{{files}}"]
files = ["app/**/*.py", "tests/**/*.py"]
inputs = ["mypy.ini"]
env = ["RIPPLE_TEST_MYPY_FLAVOUR"]
format = "mypy-json"
# mypy processes in one folder share .mypy_cache, and crash when two write it at once.
jobs = 1

[tasks.pytest]
command = ["{venv}/python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml={{report}}", "{{files}}"]
files = ["tests/test_*.py"]
version-command = ["{venv}/python", "-m", "pytest", "--version"]
format = "junit"

[tasks.ruff]
command = ["{venv}/ruff", "check", "--no-cache", "--output-format", "json", "{{files}}"]
files = ["**/*.py"]
deps = "file"
format = "ruff-json"

[tasks.tsc]
command = ["{tsc}", "-p", ".", "--noEmit", "--pretty", "false"]
files = ["web/**/*.ts"]
inputs = ["tsconfig.json"]
deps = "all"
format = "tsc"
"#,
        venv = venv.display(),
        tsc = tsc.display()
    );
    write_tree(&[
        ("ripple.toml", &config),
        ("mypy.ini", "[mypy]\n"),
        ("app/__init__.py", ""),
        ("app/models.py", "def price() -> int:\n    return 3\n"),
        (
            "app/api.py",
            "from app.models import price\n\n\ndef total(count: int) -> int:\n    return price() * count\n",
        ),
        (
            "app/util.py",
            "def shout(text: str) -> str:\n    return text.upper()\n",
        ),
        ("tests/__init__.py", ""),
        ("tests/conftest.py", ""),
        (
            "tests/test_api.py",
            "from app.api import total\n\n\ndef test_total():\n    assert total(2) == 6\n",
        ),
        (
            "tests/test_util.py",
            "from app.util import shout\n\n\ndef test_shout():\n    assert shout(\"a\") == \"A\"\n\n\ndef test_broken():\n    assert shout(\"a\") == \"b\"\n",
        ),
        (
            "tsconfig.json",
            r#"{"compilerOptions": {"strict": true, "noEmit": true, "target": "es2020"}, "include": ["web"]}"#,
        ),
        ("web/main.ts", "export const count: number = \"three\";\n"),
    ])
}

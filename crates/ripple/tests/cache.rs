//! The store of results end to end, through the real binary: a warm run says exactly what a
//! `--no-cache` run says, after any changes between runs, after processes killed while writing,
//! with a damaged, foreign, read-only or full store, and with several processes on one store.
//! The cache can make ripple faster, never wrong and never failing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

use ripple_tests::{Rng, canonical, env_count, write_contents, write_tree};
use serde_json::Value;

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ripple"))
}

fn command(root: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(binary());
    command
        .args(["check", "--format", "json"])
        .args(args)
        .current_dir(root)
        .env_remove("RIPPLE_CACHE_DIR")
        // Files change within milliseconds of runs here: a margin of 20 ms (instead of 3 s)
        // lets the stat fast path vouch for them, so that it is what these tests exercise.
        .env("RIPPLE_TEST_RACY_MARGIN_MS", "20")
        .env("NO_COLOR", "1");
    command
}

/// What a run reports, without what may differ between equal runs (its time and cache counts),
/// with its exit code and the warnings it printed.
struct Run {
    code: i32,
    report: String,
    cache: Value,
    stderr: String,
}

fn finish(output: Output) -> Run {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let value: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|error| panic!("not JSON ({error}): {stdout}\nstderr: {stderr}"));
    let report = format!(
        "{}\nfiles {} diagnostics {}",
        value["diagnostics"], value["summary"]["files"], value["summary"]["diagnostics"]
    );
    Run {
        code: output.status.code().unwrap_or(-1),
        report,
        cache: value["summary"]["cache"].clone(),
        stderr,
    }
}

fn run(root: &Path, args: &[&str]) -> Run {
    finish(
        command(root, args)
            .output()
            .unwrap_or_else(|error| panic!("cannot run ripple: {error}")),
    )
}

/// Checks that a run with the store says what a run without it says.
fn assert_same_as_no_cache(root: &Path, args: &[&str], context: &str) -> Run {
    let warm = run(root, args);
    let cold = run(root, &["--no-cache"]);
    assert_eq!(
        (warm.code, &warm.report),
        (cold.code, &cold.report),
        "{context}: the cached run differs from --no-cache\nstderr: {}",
        warm.stderr
    );
    warm
}

fn hits(run: &Run) -> u64 {
    run.cache["hits"].as_u64().unwrap_or(0)
}

fn misses(run: &Run) -> u64 {
    run.cache["misses"].as_u64().unwrap_or(0)
}

/// A small package whose modules import each other, with findings of every kind.
fn project() -> (tempfile::TempDir, PathBuf) {
    let dir = write_tree(&[
        ("pyproject.toml", "[tool.ripple]\n"),
        (
            "app/__init__.py",
            "from .models import Model\n__all__ = ['Model', 'gone']\n",
        ),
        ("app/models.py", "import os\n\nclass Model:\n    pass\n"),
        (
            "app/views.py",
            "from app.models import Model, Missing\nprint(Model)\n",
        ),
        ("app/util.py", "def helper():\n    x = 1\n    return y\n"),
        ("scripts/run.py", "import app.views\nimport nonexistent\n"),
        // A project below the root: `pkg` resolves from the folder its files run from.
        ("projects/tool/pkg/__init__.py", ""),
        ("projects/tool/pkg/core.py", "value = 1\n"),
        (
            "projects/tool/pkg/user.py",
            "from pkg.core import value\nprint(value)\n",
        ),
    ]);
    let root = canonical(dir.path());
    (dir, root)
}

/// Moves a file's modification time back, as a `git checkout` of an old commit or a copy that
/// keeps times can.
fn set_mtime(path: &Path, time: SystemTime) {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    file.set_modified(time)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
}

#[test]
fn a_warm_run_reads_nothing_twice_and_says_the_same() {
    let (_dir, root) = project();
    let cold = assert_same_as_no_cache(&root, &[], "first run");
    assert_eq!((hits(&cold), misses(&cold)), (0, 8), "{}", cold.stderr);
    assert!(root.join(".ripple_cache/CACHEDIR.TAG").is_file());
    assert_eq!(
        std::fs::read_to_string(root.join(".ripple_cache/.gitignore")).unwrap_or_default(),
        "*\n"
    );
    let warm = assert_same_as_no_cache(&root, &[], "second run");
    assert_eq!((hits(&warm), misses(&warm)), (8, 0));
    assert!(warm.stderr.is_empty(), "{}", warm.stderr);

    // A renamed module: its importers see it at once, from stored exports.
    std::fs::rename(root.join("app/models.py"), root.join("app/model.py"))
        .unwrap_or_else(|error| panic!("{error}"));
    let renamed = assert_same_as_no_cache(&root, &[], "after a rename");
    assert_eq!(
        misses(&renamed),
        0,
        "the renamed file's bytes are stored already"
    );
    assert!(renamed.report.contains("unresolved-import"));

    // The stats command reports the last run.
    let stats = Command::new(binary())
        .args(["cache", "stats", "--format", "json"])
        .current_dir(&root)
        .output()
        .unwrap_or_else(|error| panic!("{error}"));
    let stats: Value = serde_json::from_slice(&stats.stdout).unwrap_or_default();
    assert_eq!(stats["lastRun"]["misses"], 0, "{stats}");
    assert!(stats["entries"].as_u64().unwrap_or(0) >= 5, "{stats}");
    assert!(stats["bytes"].as_u64().unwrap_or(0) > 0, "{stats}");

    // `--cache-dir` and RIPPLE_CACHE_DIR move the store; `clean` removes it.
    let elsewhere = root.join("elsewhere");
    let moved = run(&root, &["--cache-dir", "elsewhere"]);
    assert_eq!(hits(&moved), 0);
    assert!(elsewhere.join("CACHEDIR.TAG").is_file());
    let by_env = finish(
        command(&root, &[])
            .env("RIPPLE_CACHE_DIR", &elsewhere)
            .output()
            .unwrap_or_else(|error| panic!("{error}")),
    );
    assert_eq!(misses(&by_env), 0);
    let cleaned = Command::new(binary())
        .args(["cache", "clean"])
        .current_dir(&root)
        .output()
        .unwrap_or_else(|error| panic!("{error}"));
    assert!(cleaned.status.success());
    assert!(!root.join(".ripple_cache").exists());
}

/// Findings kept for a file are used only while the files they read are unchanged: a name
/// removed from an imported module, or from a module re-exported through a star import, and a
/// module appearing in a library folder outside the workspace, each change the importer's
/// findings although the importer itself did not change.
#[test]
fn kept_findings_follow_what_they_read() {
    let library = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
    let library = canonical(library.path());
    let (_dir, root) = {
        let dir = write_tree(&[
            (
                "a.py",
                "from b import x\nfrom star import y\nimport installed\nprint(x, y, installed)\n",
            ),
            ("b.py", "x = 1\n"),
            ("star.py", "from deep import *\n"),
            ("deep.py", "y = 2\n"),
            // A compiled module, missing until it appears in the library folder.
            ("c.py", "import compiled\n"),
            // Resolved from the folder the importer runs from, not the search path.
            ("projects/tool/pkg/__init__.py", ""),
            ("projects/tool/pkg/core.py", "value = 1\n"),
            (
                "projects/tool/pkg/user.py",
                "from pkg.core import value\nprint(value)\n",
            ),
        ]);
        let root = canonical(dir.path());
        (dir, root)
    };
    write_contents(
        &root.join("ripple.toml"),
        format!("extra-paths = [\"{}\"]\n", library.display()),
    );
    let settle = || std::thread::sleep(Duration::from_millis(30));
    let codes_of = |run: &Run, path: &str| -> Vec<String> {
        let value: Value =
            serde_json::from_str(run.report.split('\n').next().unwrap_or("[]")).unwrap_or_default();
        value
            .as_array()
            .into_iter()
            .flatten()
            .filter(|item| item["path"] == path)
            .map(|item| item["code"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let codes = |run: &Run| codes_of(run, "a.py");
    settle();
    let first = assert_same_as_no_cache(&root, &[], "first");
    assert_eq!(codes(&first), ["unresolved-import"], "{}", first.report);
    settle();
    let warm = assert_same_as_no_cache(&root, &[], "warm");
    assert_eq!(hits(&warm), 8);

    // Entries no result asked about, beside the files and the libraries (what mypy, pytest
    // and an editor leave): every result is kept.
    std::fs::create_dir_all(root.join(".mypy_cache/3.11"))
        .unwrap_or_else(|error| panic!("{error}"));
    std::fs::create_dir_all(root.join("projects/tool/pkg/__pycache__"))
        .unwrap_or_else(|error| panic!("{error}"));
    write_contents(&library.join("notes.txt"), "");
    write_contents(&root.join("README.md"), "");
    settle();
    let unrelated = assert_same_as_no_cache(&root, &[], "unrelated entries");
    assert_eq!(
        (hits(&unrelated), misses(&unrelated)),
        (8, 0),
        "{}",
        unrelated.stderr
    );

    write_contents(&root.join("projects/tool/pkg/core.py"), "other = 1\n");
    settle();
    let from_its_folder =
        assert_same_as_no_cache(&root, &[], "a name removed, found from a script's folder");
    assert!(
        from_its_folder.report.contains("no member `value`"),
        "{}",
        from_its_folder.report
    );

    write_contents(&root.join("b.py"), "z = 1\n");
    settle();
    let direct = assert_same_as_no_cache(&root, &[], "a name removed from b");
    assert_eq!(
        codes(&direct),
        ["missing-module-member", "unresolved-import"]
    );

    write_contents(&root.join("deep.py"), "w = 2\n");
    settle();
    let through_star = assert_same_as_no_cache(&root, &[], "a name removed behind a star import");
    assert_eq!(
        codes(&through_star),
        [
            "missing-module-member",
            "missing-module-member",
            "unresolved-import"
        ]
    );

    write_contents(&library.join("installed.py"), "");
    settle();
    let installed = assert_same_as_no_cache(&root, &[], "a module installed outside");
    assert_eq!(
        codes(&installed),
        ["missing-module-member", "missing-module-member"]
    );

    let unresolved = |run: &Run| codes_of(run, "c.py").contains(&"unresolved-import".to_string());
    assert!(unresolved(&installed), "{}", installed.report);
    write_contents(
        &library.join("compiled.cpython-311-x86_64-linux-gnu.so"),
        "",
    );
    settle();
    let compiled = assert_same_as_no_cache(&root, &[], "a compiled module installed outside");
    assert!(!unresolved(&compiled), "{}", compiled.report);
}

/// Random sequences of changes between runs; after each, the warm run equals `--no-cache`.
#[test]
fn warm_runs_equal_no_cache_runs_after_random_changes() {
    let steps = env_count("RIPPLE_CACHE_STEPS", 40);
    let mut random = Rng::new(env_count("RIPPLE_CACHE_SEED", 3) as u64);
    let (_dir, root) = project();
    let modules = [
        "app/models.py",
        "app/views.py",
        "app/util.py",
        "app/extra.py",
        "lib/external.py",
        "scripts/run.py",
        "projects/tool/pkg/core.py",
        "projects/tool/pkg/user.py",
    ];
    let texts = [
        "import os\n\nclass Model:\n    pass\n",
        "import sys\n\nclass Model:\n    pass\n",
        "from app.models import Model, Missing\nprint(Model)\n",
        "from app.extra import value\nprint(value)\n",
        "value = 1\n",
        "valuf = 1\n",
        "def helper(:\n",
        "import external\nexternal.run()\n",
        "from . import models\nfrom .util import helper  # noqa: F401\n",
        "__all__ = ['missing']\n",
        "from pkg.core import value\nprint(value)\n",
        "from pkg.user import *\n",
    ];
    let configs = [
        "[tool.ripple]\n",
        "[tool.ripple]\nignore = [\"unused-import\"]\n",
        "[tool.ripple]\nextra-paths = [\"lib\"]\n",
        "[tool.ripple]\nexclude = [\"scripts\"]\n",
        "[tool.ripple]\npython = \"./fakepy\"\n",
    ];
    // A stand-in interpreter: its sys.path names `lib/` or not, and it changes between runs.
    let interpreter = |with_lib: bool| {
        let lib = if with_lib {
            root.join("lib").display().to_string()
        } else {
            String::new()
        };
        format!("#!/bin/sh\necho {lib}\n")
    };
    let fakepy = root.join("fakepy");
    write_contents(&fakepy, interpreter(false));
    make_executable(&fakepy);
    for step in 0..steps {
        let what = random.below(9);
        let path = root.join(modules[random.below(modules.len())]);
        let context = format!("step {step} (change {what} of {})", path.display());
        match what {
            0 | 1 => write_contents(&path, texts[random.below(texts.len())]),
            2 => {
                // Same size, same modification time: only the change time tells.
                if let Ok(old) = std::fs::read_to_string(&path)
                    && let Ok(modified) = std::fs::metadata(&path).and_then(|m| m.modified())
                {
                    let flipped: String = old
                        .chars()
                        .map(|c| {
                            if c == 'a' {
                                'b'
                            } else if c == 'b' {
                                'a'
                            } else {
                                c
                            }
                        })
                        .collect();
                    write_contents(&path, flipped);
                    set_mtime(&path, modified);
                }
            }
            3 => {
                let _ = std::fs::remove_file(&path);
            }
            4 => {
                let target = root.join(modules[random.below(modules.len())]);
                if path.exists() && !target.exists() {
                    if let Some(parent) = target.parent() {
                        std::fs::create_dir_all(parent).unwrap_or_else(|error| panic!("{error}"));
                    }
                    std::fs::rename(&path, &target).unwrap_or_else(|error| panic!("{error}"));
                }
            }
            5 => write_contents(
                &root.join("pyproject.toml"),
                configs[random.below(configs.len())],
            ),
            6 => {
                write_contents(&fakepy, interpreter(random.below(2) == 0));
                make_executable(&fakepy);
            }
            7 => {
                // An ignore file edited in place: the folder's times do not move, the walk's
                // answer does.
                let ignores = ["", "scripts/\n", "app/util.py\n", "*.py\n!app/*.py\n"];
                write_contents(
                    &root.join(".gitignore"),
                    ignores[random.below(ignores.len())],
                );
            }
            _ => {
                // Written, run at once, and written again with the same size and time: the
                // run's index was written within the margin of the first write, so the file
                // must be read again (git's racily clean entry).
                let text = texts[random.below(texts.len())];
                write_contents(&path, text);
                let modified = std::fs::metadata(&path).and_then(|m| m.modified());
                let _ = run(&root, &[]);
                write_contents(&path, text.replace('a', "b").replace('o', "0"));
                if let Ok(modified) = modified {
                    set_mtime(&path, modified);
                }
            }
        }
        // Past the margin: the next run may trust what the last one recorded.
        std::thread::sleep(Duration::from_millis(30));
        assert_same_as_no_cache(&root, &[], &context);
    }
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755));
}

#[cfg(not(unix))]
fn make_executable(_: &Path) {}

/// A workspace of `count` modules, for runs long enough to be killed while they write.
fn many_modules(count: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = write_tree(&[("ripple.toml", "")]);
    let root = canonical(dir.path());
    for index in 0..count {
        write_contents(
            &root.join(format!("pkg/m{index}.py")),
            format!(
                "import os\nfrom pkg.m{} import value{}\nvalue{index} = {index}\n",
                (index + 1) % count,
                (index + 1) % count
            ),
        );
    }
    write_contents(&root.join("pkg/__init__.py"), "");
    (dir, root)
}

/// Processes killed (SIGKILL) at random points of their run, most of them while writing the
/// store (each entry written is followed by a pause for that); after each, a run gives the
/// right answer, and the store keeps working.
#[test]
fn processes_killed_while_writing_leave_a_usable_store() {
    let kills = env_count("RIPPLE_CACHE_KILLS", 20);
    let (_dir, root) = many_modules(200);
    let mut random = Rng::new(5);
    let mut killed_while_running = 0;
    // New contents for some files, so that every run has something to write.
    let change = |random: &mut Rng, round: usize| {
        for _ in 0..40 {
            let index = random.below(200);
            write_contents(
                &root.join(format!("pkg/m{index}.py")),
                format!("import os\nvalue{index} = {round}\n"),
            );
        }
    };
    let paced = || {
        let mut paced = command(&root, &[]);
        paced
            .env("RIPPLE_TEST_CACHE_WRITE_PAUSE_US", "500")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        paced
    };
    // How long a run with these changes takes here (after a first one fills the store), so
    // that kills land anywhere within one.
    let _ = paced().status();
    change(&mut random, kills);
    let started = Instant::now();
    let _ = paced().status();
    let span = started.elapsed().as_millis().max(20) as usize;
    for round in 0..kills {
        change(&mut random, round);
        let mut child = paced()
            .spawn()
            .unwrap_or_else(|error| panic!("cannot run ripple: {error}"));
        std::thread::sleep(Duration::from_millis(random.below(span * 9 / 10) as u64));
        if child.try_wait().ok().flatten().is_none() {
            killed_while_running += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
        let after = assert_same_as_no_cache(&root, &[], &format!("after kill {round}"));
        assert!(
            !after.stderr.contains("panicked"),
            "round {round}: {}",
            after.stderr
        );
    }
    assert!(
        killed_while_running * 2 >= kills,
        "only {killed_while_running} of {kills} kills landed while ripple ran"
    );
    // No temporary file is left to grow the store: a later run's merge or `clean` removes them,
    // and they never count as packs.
    let warm = assert_same_as_no_cache(&root, &[], "at the end");
    assert!(misses(&warm) == 0, "{}", warm.cache);
}

fn cache_files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![root.join(".ripple_cache")];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path
                .extension()
                .is_some_and(|extension| extension == "rpk" || extension == "idx")
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn damaged_truncated_and_foreign_stores_are_warnings_and_the_result_is_right() {
    let (_dir, root) = project();
    type Damage = fn(&mut Vec<u8>);
    let damages: [(&str, Damage); 4] = [
        ("flipped bytes", |bytes| {
            for index in (20..bytes.len()).step_by(37) {
                bytes[index] ^= 0x5a;
            }
        }),
        ("cut in half", |bytes| bytes.truncate(bytes.len() / 2)),
        ("emptied", Vec::clear),
        ("another version", |bytes| {
            if bytes.len() > 12 {
                bytes[8] = 0x77;
            }
        }),
    ];
    for (name, damage) in damages {
        let _ = run(&root, &[]);
        let files = cache_files(&root);
        assert!(!files.is_empty());
        for file in &files {
            let mut bytes = std::fs::read(file).unwrap_or_default();
            damage(&mut bytes);
            std::fs::write(file, &bytes).unwrap_or_else(|error| panic!("{error}"));
        }
        let damaged = assert_same_as_no_cache(&root, &[], name);
        let warnings = damaged
            .stderr
            .lines()
            .filter(|line| line.contains("warning"))
            .count();
        assert!(warnings <= 1, "{name}: {}", damaged.stderr);
        assert!(!damaged.stderr.contains("panicked"), "{}", damaged.stderr);
        // And the store heals: the run after is warm again.
        let healed = assert_same_as_no_cache(&root, &[], name);
        assert!(hits(&healed) > 0, "{name}: {}", healed.stderr);
        std::fs::remove_dir_all(root.join(".ripple_cache"))
            .unwrap_or_else(|error| panic!("{error}"));
    }
}

/// The cache directory cannot be made (a file is in the way): one warning, the right result.
#[test]
fn a_cache_directory_that_cannot_be_made_is_one_warning() {
    let (_dir, root) = project();
    write_contents(&root.join("blocked"), "not a directory");
    let blocked = assert_same_as_no_cache(&root, &["--cache-dir", "blocked/cache"], "blocked");
    assert_eq!(
        blocked.stderr.lines().count(),
        1,
        "one warning: {}",
        blocked.stderr
    );
}

/// A full disk, for real: the process may write only a few kilobytes (RLIMIT_FSIZE), so the
/// store's writes fail part way; the run still reports everything right, with one warning.
#[cfg(unix)]
#[test]
fn a_full_disk_is_one_warning_and_the_result_is_right() {
    use std::os::unix::process::CommandExt as _;
    let (_dir, root) = many_modules(100);
    let mut limited = command(&root, &[]);
    // SAFETY: only async-signal-safe calls (setrlimit, signal) between fork and exec.
    unsafe {
        limited.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 8 * 1024,
                rlim_max: 8 * 1024,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // Past the limit, a write fails with EFBIG instead of killing the process.
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    let full = finish(limited.output().unwrap_or_else(|error| panic!("{error}")));
    let cold = run(&root, &["--no-cache"]);
    assert_eq!((full.code, &full.report), (cold.code, &cold.report));
    assert_eq!(full.stderr.lines().count(), 1, "{}", full.stderr);
    assert!(full.stderr.contains("cannot write"), "{}", full.stderr);
    // With room again, the store fills and serves.
    let _ = run(&root, &[]);
    let warm = assert_same_as_no_cache(&root, &[], "after the full disk");
    assert_eq!(misses(&warm), 0, "{}", warm.stderr);
}

/// A read-only cache directory: results are read from it, nothing is written, one warning.
/// Run as another user when the tests run as root (root writes anywhere).
#[cfg(unix)]
#[test]
fn a_read_only_cache_is_used_and_not_written() {
    use std::os::unix::fs::PermissionsExt as _;
    use std::os::unix::process::CommandExt as _;
    let (dir, root) = project();
    let _ = run(&root, &[]);
    let before = cache_files(&root);
    let cache = root.join(".ripple_cache");
    // Readable by anyone, writable by no one but root.
    for path in [dir.path(), root.as_path()] {
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755));
    }
    set_tree_mode(&root, 0o755, 0o644);
    set_tree_mode(&cache, 0o555, 0o444);
    // Something to write: a file the store has not seen.
    write_contents(&root.join("app/new.py"), "import os\n");
    let _ = std::fs::set_permissions(
        root.join("app/new.py"),
        std::fs::Permissions::from_mode(0o644),
    );
    let mut read_only = command(&root, &[]);
    // SAFETY: only async-signal-safe calls between fork and exec.
    if unsafe { libc::geteuid() } == 0 {
        unsafe {
            read_only.pre_exec(|| {
                if libc::setgid(65534) != 0 || libc::setuid(65534) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let result = finish(read_only.output().unwrap_or_else(|error| panic!("{error}")));
    let cold = run(&root, &["--no-cache"]);
    assert_eq!(
        (result.code, &result.report),
        (cold.code, &cold.report),
        "{}",
        result.stderr
    );
    assert!(hits(&result) >= 5, "{} {}", result.cache, result.stderr);
    assert_eq!(result.stderr.lines().count(), 1, "{}", result.stderr);
    assert_eq!(cache_files(&root), before, "nothing was written");
    set_tree_mode(&cache, 0o755, 0o644);
}

#[cfg(unix)]
fn set_tree_mode(dir: &Path, dirs: u32, files: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(dirs));
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(files));
            }
        }
    }
}

/// Four `ripple check` at once and a running server, on one store, while files change: all
/// finish promptly with the right answer.
#[test]
fn several_processes_share_one_store() {
    use ripple_tests::lsp_client::LspClient;
    let (_dir, root) = many_modules(150);
    let mut server = LspClient::start(&binary(), &root);
    server.initialize(
        &root,
        serde_json::json!({"window": {"workDoneProgress": true}}),
    );
    let mut random = Rng::new(9);
    for round in 0..4 {
        for _ in 0..10 {
            let index = random.below(150);
            write_contents(
                &root.join(format!("pkg/m{index}.py")),
                format!("import sys\nvalue{index} = {round}\n"),
            );
        }
        let started = Instant::now();
        let children: Vec<_> = (0..4)
            .map(|_| {
                command(&root, &[])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap_or_else(|error| panic!("cannot run ripple: {error}"))
            })
            .collect();
        let outputs: Vec<Run> = children
            .into_iter()
            .map(|child| {
                finish(
                    child
                        .wait_with_output()
                        .unwrap_or_else(|error| panic!("{error}")),
                )
            })
            .collect();
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "round {round} took {:?}",
            started.elapsed()
        );
        let cold = run(&root, &["--no-cache"]);
        for output in &outputs {
            assert_eq!(
                (output.code, &output.report),
                (cold.code, &cold.report),
                "round {round}"
            );
            assert!(output.stderr.is_empty(), "round {round}: {}", output.stderr);
        }
    }
    assert!(server.shutdown_and_exit().success());
    assert_same_as_no_cache(&root, &[], "after the server");
}

//! The command line's side of tasks: `ripple tasks` (each target's state), `ripple run NAME`
//! (one task), `ripple trust` (allow a workspace's commands), and what `check --tasks` shares
//! with them: choosing tasks, asking for trust, Ctrl-C.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, bail};
use clap::Args;
use ripple_core::Languages;
use ripple_tasks::{RunOptions, TaskDefinition, TaskTable, TrustStore};
use ripple_workspace::{LoadOptions, Workspace, find_root};

use crate::options::{CacheArgs, Format, build_id};
use crate::output::{self, Finding, Report};

/// Set by Ctrl-C (SIGINT) and SIGTERM: the running tools' process groups are killed.
pub static CANCEL: AtomicBool = AtomicBool::new(false);

/// From here on, Ctrl-C cancels the tasks (their processes are killed, nothing half-done is
/// kept) instead of killing ripple at once and leaving the tools running.
pub fn cancel_on_interrupt() {
    #[cfg(unix)]
    {
        extern "C" fn interrupted(_signal: libc::c_int) {
            // Only an atomic store: nothing else is safe in a signal handler.
            CANCEL.store(true, Ordering::Relaxed);
        }
        let handler = interrupted as extern "C" fn(libc::c_int) as libc::sighandler_t;
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
        unsafe {
            libc::signal(libc::SIGINT, handler);
            libc::signal(libc::SIGTERM, handler);
        }
    }
}

/// The exit code of a run cut short by Ctrl-C, as shells give a process killed by SIGINT.
pub const INTERRUPTED: u8 = 130;

/// The tasks `names` asks for (all when empty), and the table's problems as findings.
pub fn choose<'a>(
    table: &'a TaskTable,
    names: &[String],
) -> anyhow::Result<Vec<&'a TaskDefinition>> {
    let names: Vec<&str> = names
        .iter()
        .map(|name| name.trim())
        .filter(|name| !name.is_empty())
        .collect();
    if names.is_empty() {
        return Ok(table.tasks.iter().collect());
    }
    let mut chosen = Vec::new();
    for name in names {
        match table.get(name) {
            Some(task) => chosen.push(task),
            None => {
                let known: Vec<&str> = table.tasks.iter().map(|task| task.name.as_str()).collect();
                bail!(
                    "no task `{name}` in the configuration{}",
                    if known.is_empty() {
                        " (it defines none that can run)".to_string()
                    } else {
                        format!(" (its tasks: {})", known.join(", "))
                    }
                )
            }
        }
    }
    Ok(chosen)
}

/// Whether the user trusts `root` with `table`'s commands: by `ripple trust`, or for this run
/// by `--trust` or `RIPPLE_TRUST=1`. An error saying what to run when not.
pub fn ensure_trusted(root: &Path, table: &TaskTable, once: bool) -> anyhow::Result<()> {
    let Some(digest) = table.digest else {
        return Ok(());
    };
    if once || std::env::var_os("RIPPLE_TRUST").is_some_and(|value| value == "1") {
        return Ok(());
    }
    let (trust, warning) = TrustStore::load();
    if let Some(warning) = warning {
        eprintln!("ripple: warning: {warning}");
    }
    if trust.is_trusted(root, digest) {
        return Ok(());
    }
    bail!(
        "the tasks of {} run commands from its configuration, which this user has not trusted (or it changed since): read them (`ripple tasks`), then run `ripple trust {}`; `--trust` or RIPPLE_TRUST=1 trusts for one run",
        root.display(),
        shell_word(root)
    )
}

fn shell_word(path: &Path) -> String {
    let text = path.to_string_lossy();
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c))
    {
        text.into_owned()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// The findings of a task run, their paths as `check` shows them, under `wanted` paths.
/// The tasks' diagnostics as findings, taken out of `outcomes` (which keep their counts).
pub fn findings_of(
    workspace: &Workspace,
    outcomes: &mut [ripple_tasks::TaskOutcome],
) -> Vec<Finding> {
    let root = workspace.root();
    let mut findings = Vec::with_capacity(outcomes.iter().map(|o| o.diagnostics.len()).sum());
    for outcome in outcomes {
        // A task's diagnostics come sorted by path: each path is made relative once.
        let mut last: Option<(String, std::sync::Arc<str>)> = None;
        for diagnostic in std::mem::take(&mut outcome.diagnostics) {
            let display = match &last {
                Some((path, display)) if *path == diagnostic.path => display.clone(),
                _ => {
                    let display: std::sync::Arc<str> =
                        workspace.display_path(&root.join(&diagnostic.path)).into();
                    last = Some((diagnostic.path.clone(), display.clone()));
                    display
                }
            };
            findings.push(Finding::from_task(display, &outcome.name, diagnostic));
        }
    }
    findings
}

/// Task table problems as findings on the config file.
pub fn problems_of(workspace: &Workspace, table: &TaskTable) -> Vec<Finding> {
    table
        .problems
        .iter()
        .map(|problem| {
            let problem = ripple_workspace::WorkspaceProblem {
                path: problem.path.clone(),
                line: problem.line,
                code: ripple_core::INVALID_CONFIGURATION_CODE,
                message: problem.message.clone(),
            };
            Finding::from_problem(&workspace.display_path(&problem.path), &problem)
        })
        .collect()
}

fn load(
    path: Option<&Path>,
    cache: &CacheArgs,
    languages: &Languages,
) -> anyhow::Result<Workspace> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let start = cwd.join(path.unwrap_or(Path::new(".")));
    let start = std::fs::canonicalize(&start)
        .with_context(|| format!("cannot resolve `{}`", start.display()))?;
    let root = find_root(&start);
    let options = LoadOptions {
        cache: cache.choice(&cwd),
        build: build_id(),
    };
    Ok(Workspace::load_with_options(
        &root,
        &[],
        languages,
        &options,
    ))
}

#[derive(Debug, Args)]
pub struct TasksArgs {
    /// A path in the workspace (default: the current directory).
    #[arg(value_name = "PATH")]
    path: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    #[command(flatten)]
    cache: CacheArgs,
}

/// `ripple tasks`: each task, and each of its targets fresh (its result for the current inputs
/// is kept), stale (it had one, for other inputs) or never run.
pub fn list(args: TasksArgs, languages: &Languages) -> anyhow::Result<ExitCode> {
    let mut workspace = load(args.path.as_deref(), &args.cache, languages)?;
    let table = ripple_tasks::read_tasks(workspace.config());
    let tasks: Vec<&TaskDefinition> = table.tasks.iter().collect();
    // Listing runs nothing of the workspace's unless it is trusted: a tool the store does not
    // know yet is then shown as unknown rather than run with `--version`.
    let trusted = ensure_trusted(workspace.root(), &table, false).is_ok();
    let statuses = ripple_tasks::task_status(&mut workspace, &tasks, trusted);
    keep(&mut workspace);
    let mut out = std::io::stdout().lock();
    if args.format == Format::Json {
        let problems: Vec<serde_json::Value> = table
            .problems
            .iter()
            .map(|problem| {
                serde_json::json!({
                    "path": workspace.display_path(&problem.path),
                    "line": problem.line,
                    "message": problem.message,
                })
            })
            .collect();
        serde_json::to_writer(
            &mut out,
            &serde_json::json!({ "tasks": statuses, "problems": problems }),
        )?;
        writeln!(out)?;
    } else {
        for problem in &table.problems {
            writeln!(
                out,
                "{}:{}: {}",
                workspace.display_path(&problem.path),
                problem.line + 1,
                problem.message
            )?;
        }
        if statuses.is_empty() && table.problems.is_empty() {
            writeln!(
                out,
                "No tasks: define them as [tasks.NAME] in ripple.toml or [tool.ripple.tasks.NAME] in pyproject.toml."
            )?;
        }
        for status in &statuses {
            writeln!(out, "{}: {}", status.name, status.command.join(" "))?;
            if let Some(problem) = &status.problem {
                writeln!(out, "  cannot run: {problem}")?;
                continue;
            }
            let count = |state| status.targets.values().filter(|s| **s == state).count();
            writeln!(
                out,
                "  {} targets: {} fresh, {} stale, {} never run",
                status.targets.len(),
                count(ripple_tasks::TargetState::Fresh),
                count(ripple_tasks::TargetState::Stale),
                count(ripple_tasks::TargetState::NeverRun)
            )?;
            for (target, state) in &status.targets {
                let state = match state {
                    ripple_tasks::TargetState::Fresh => "fresh",
                    ripple_tasks::TargetState::Stale => "stale",
                    ripple_tasks::TargetState::NeverRun => "never run",
                };
                writeln!(out, "  {state:<10} {target}")?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The task to run.
    name: String,
    /// Only its targets under these paths (default: all of them).
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Run every target, even those whose result for the current inputs is kept.
    #[arg(long)]
    force: bool,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Trust the workspace's task commands for this run.
    #[arg(long)]
    trust: bool,
    /// Processes at once (default: the number of cores).
    #[arg(short = 'j', long, value_name = "N")]
    jobs: Option<usize>,
    /// Print statistics to stderr.
    #[arg(long)]
    stats: bool,
    #[command(flatten)]
    cache: CacheArgs,
}

/// `ripple run NAME [PATH...]`: one task, its kept results replayed unless `--force`.
pub fn run(args: RunArgs, languages: &Languages) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let mut only = Vec::new();
    for path in &args.paths {
        let path = cwd.join(path);
        only.push(
            std::fs::canonicalize(&path)
                .with_context(|| format!("`{}` does not exist", path.display()))?,
        );
    }
    let mut workspace = load(only.first().map(PathBuf::as_path), &args.cache, languages)?;
    let table = ripple_tasks::read_tasks(workspace.config());
    let tasks = choose(&table, std::slice::from_ref(&args.name))?;
    ensure_trusted(workspace.root(), &table, args.trust)?;
    cancel_on_interrupt();
    let options = RunOptions {
        jobs: jobs(args.jobs)?,
        force: args.force,
        only: &only,
        cancel: &CANCEL,
    };
    let mut ran = ripple_tasks::run_tasks(&mut workspace, &tasks, &options);
    keep(&mut workspace);
    let mut findings = findings_of(&workspace, &mut ran.outcomes);
    findings.sort_by(|a, b| (&a.path, a.start, &a.code).cmp(&(&b.path, b.start, &b.code)));
    let report = Report {
        findings,
        files: ran.outcomes.iter().map(|outcome| outcome.targets).sum(),
        duration_ms: started.elapsed().as_millis(),
        cache: output::CacheSummary {
            hits: ran.outcomes.iter().map(|o| o.hits as u64).sum(),
            misses: ran.outcomes.iter().map(|o| o.runs as u64).sum(),
        },
        tasks: ran.outcomes,
    };
    output::write_report(args.format, &report, workspace.root(), None)?;
    if args.stats {
        output::write_task_stats(&report.tasks);
    }
    for warning in workspace.cache_warnings() {
        eprintln!("ripple: warning: {warning}");
    }
    if ran.cancelled {
        eprintln!("ripple: interrupted; the tasks' processes were stopped");
        return Ok(ExitCode::from(INTERRUPTED));
    }
    Ok(if report.findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `-j N`: at least one; the cores by default.
/// Writes what the run learned, indexes included: flushing the store alone left no disk
/// index, so every run began a new disk epoch and no `deps = "imports"` result was replayed.
fn keep(workspace: &mut Workspace) {
    if let Some(save) = workspace.save_cache() {
        save.run();
    }
}

pub fn jobs(requested: Option<usize>) -> anyhow::Result<usize> {
    match requested {
        Some(0) => bail!("-j takes 1 or more processes"),
        Some(jobs) => Ok(jobs),
        None => Ok(std::thread::available_parallelism().map_or(1, |cores| cores.get())),
    }
}

#[derive(Debug, Args)]
pub struct TrustArgs {
    /// A path in the workspace (default: the current directory).
    #[arg(value_name = "PATH")]
    path: Option<PathBuf>,
}

/// `ripple trust [PATH]`: lets the workspace's current task table run.
pub fn trust(args: TrustArgs, languages: &Languages) -> anyhow::Result<ExitCode> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let start = cwd.join(args.path.unwrap_or_else(|| PathBuf::from(".")));
    let start = std::fs::canonicalize(&start)
        .with_context(|| format!("cannot resolve `{}`", start.display()))?;
    let root = find_root(&start);
    let config = ripple_workspace::load_config(&root, languages);
    let table = ripple_tasks::read_tasks(&config);
    let Some(digest) = table.digest else {
        println!("{} defines no tasks: nothing to trust.", root.display());
        return Ok(ExitCode::SUCCESS);
    };
    let (mut store, _) = TrustStore::load();
    let file = store.trust(&root, digest).map_err(anyhow::Error::msg)?;
    println!(
        "Trusted {} with its {} task(s): {} (kept in {}). A change to the tasks needs trust again.",
        root.display(),
        table.tasks.len(),
        table
            .tasks
            .iter()
            .map(|task| task.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        file.display()
    );
    Ok(ExitCode::SUCCESS)
}

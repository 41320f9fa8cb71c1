//! `ripple check`: load the workspace, check the files under the given paths, report.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use ripple_core::Languages;
use ripple_workspace::{LoadOptions, Workspace, find_marked_root, find_root, parse_rule};

use crate::options::{CacheArgs, Format, build_id};
use crate::output::{self, Finding, Report};
use crate::tasks_command;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to report on (default: the current directory).
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Only these rules (comma-separated codes; other tools' codes, such as ruff's F-codes, are
    /// accepted).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    select: Option<Vec<String>>,
    /// Not these rules (comma-separated codes).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    ignore: Vec<String>,
    /// Print query statistics to stderr.
    #[arg(long)]
    stats: bool,
    /// Report findings even where a `# noqa` comment silences them.
    #[arg(long)]
    ignore_noqa: bool,
    /// Run the workspace's tasks too (all, or the named ones: `--tasks=mypy,pytest`).
    #[arg(long, value_name = "NAMES", num_args = 0..=1, require_equals = true, value_delimiter = ',', default_missing_value = "")]
    tasks: Option<Vec<String>>,
    /// Trust the workspace's task commands for this run (as `ripple trust` does for good).
    #[arg(long)]
    trust: bool,
    /// Task processes at once (default: the number of cores).
    #[arg(short = 'j', long, value_name = "N")]
    jobs: Option<usize>,
    #[command(flatten)]
    pub cache: CacheArgs,
}

/// Files below which a progress bar is not worth drawing.
const PROGRESS_THRESHOLD: usize = 200;

/// Findings are sorted on the checking threads from this many (below, waking them costs more).
const PARALLEL_SORT_FROM: usize = 50_000;

pub fn run(args: CheckArgs, languages: &Languages) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let select = args
        .select
        .as_ref()
        .map(|codes| parse_rules(languages, codes))
        .transpose()?;
    let ignore = parse_rules(languages, &args.ignore)?;

    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let paths: Vec<PathBuf> = if args.paths.is_empty() {
        vec![cwd.clone()]
    } else {
        args.paths.iter().map(|path| cwd.join(path)).collect()
    };
    let mut absolute = Vec::new();
    for path in &paths {
        if !path.exists() {
            bail!(
                "`{}` does not exist: give a file or directory to check",
                path.display()
            );
        }
        absolute.push(
            std::fs::canonicalize(path)
                .with_context(|| format!("cannot resolve `{}`", path.display()))?,
        );
    }
    let root = find_root(&absolute[0]);
    for path in &absolute {
        if path.is_file() && languages.of_path(path).is_none() {
            let extensions: Vec<String> = languages
                .extensions()
                .map(|extension| format!(".{extension}"))
                .collect();
            bail!(
                "`{}` is not a file ripple checks (those end in {})",
                path.display(),
                extensions.join(", ")
            );
        }
        if !path.starts_with(&root) {
            bail!(
                "`{}` is outside the workspace `{}` (found from the first path); check each workspace separately",
                path.display(),
                root.display()
            );
        }
    }

    let explicit: Vec<PathBuf> = if args.paths.is_empty() {
        Vec::new()
    } else {
        absolute.clone()
    };
    // Named paths with no project marker above them (a loose script in a big folder): only
    // they are loaded, not everything around them.
    let unmarked = find_marked_root(&absolute[0]).is_none();
    let options = LoadOptions {
        cache: args.cache.choice(&cwd),
        build: build_id(),
    };
    let mut workspace = if unmarked && !explicit.is_empty() {
        Workspace::load_files_only_with_options(&root, &explicit, languages, &options)
    } else {
        Workspace::load_with_options(&root, &explicit, languages, &options)
    };
    let selection = workspace.selection().refine(select.as_deref(), &ignore);
    workspace.set_selection(selection);
    let task_table = ripple_tasks::read_tasks(workspace.config());
    let tasks = match &args.tasks {
        Some(names) => {
            let tasks = tasks_command::choose(&task_table, names)?;
            tasks_command::ensure_trusted(&root, &task_table, args.trust)?;
            tasks
        }
        None => Vec::new(),
    };
    let jobs = tasks_command::jobs(args.jobs)?;

    let files: Vec<_> = workspace
        .files()
        .iter()
        .copied()
        .filter(|file| {
            let path = file.path(workspace.db());
            absolute.iter().any(|wanted| path.starts_with(wanted))
        })
        .collect();

    let progress = progress_bar(files.len());
    let tick = || {
        if let Some(bar) = &progress {
            bar.inc(1);
        }
    };
    // The tasks are planned (and their misses run) on a thread of their own while this one
    // checks the workspace on the worker threads: a run that replays every task result would
    // otherwise wait for the check to end before even looking its results up.
    let snapshot = workspace.snapshot();
    let (reports, tasks_ran) = std::thread::scope(|scope| {
        let tasks_ran = (!tasks.is_empty()).then(|| {
            let (workspace, tasks, explicit, absolute) =
                (&mut workspace, &tasks, &explicit, &absolute);
            scope.spawn(move || {
                tasks_command::cancel_on_interrupt();
                // Only the targets under the paths asked about; all of them for the whole
                // workspace.
                let only = if explicit.is_empty() {
                    Vec::new()
                } else {
                    absolute.clone()
                };
                let options = ripple_tasks::RunOptions {
                    jobs,
                    force: false,
                    only: &only,
                    cancel: &tasks_command::CANCEL,
                };
                let mut ran = ripple_tasks::run_tasks(workspace, tasks, &options);
                let findings = tasks_command::findings_of(workspace, &mut ran.outcomes);
                (ran, findings)
            })
        });
        let checking = Instant::now();
        let reports = snapshot.check(&files, !args.ignore_noqa, &tick);
        tracing::debug!(elapsed = ?checking.elapsed(), "checked {} files", files.len());
        let tasks_ran = tasks_ran.map(|thread| {
            thread
                .join()
                .map_err(|_| anyhow::anyhow!("the tasks' run stopped unexpectedly"))
        });
        (reports, tasks_ran)
    });
    drop(snapshot);
    let (ran, task_findings) = tasks_ran.transpose()?.unwrap_or_default();
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }

    // What this run learned is written for the next while the report is built and written:
    // a cold run at 27k files writes ~50 MB (its entries were encoded on the checking
    // threads), ~50 ms that would otherwise follow the report. The scope waits for it, so a
    // run never ends with its store half written, even when writing the report fails.
    let save = workspace.save_cache();
    let report = std::thread::scope(|scope| -> anyhow::Result<Report> {
        if let Some(save) = save {
            scope.spawn(move || save.run());
        }
        // Built on this thread: in parallel it took 30-50 MB more (rayon's collect of an unsized
        // iterator) for no gain that stood out of the noise at 108k files.
        let mut findings =
            Vec::with_capacity(reports.iter().map(|report| report.diagnostics.len()).sum());
        for report in reports
            .iter()
            .filter(|report| !report.diagnostics.is_empty())
        {
            let display: std::sync::Arc<str> = workspace.display_path(&report.path).into();
            for diagnostic in report.diagnostics.iter() {
                findings.push(Finding::from_diagnostic(
                    &display,
                    &report.lines,
                    diagnostic,
                ));
            }
        }
        for problem in workspace.problems() {
            if absolute
                .iter()
                .any(|wanted| problem.path.starts_with(wanted))
                || problem.path == root
                || Some(&problem.path) == workspace.config().source.as_ref()
            {
                findings.push(Finding::from_problem(
                    &workspace.display_path(&problem.path),
                    problem,
                ));
            }
        }
        findings.extend(tasks_command::problems_of(&workspace, &task_table));
        findings.extend(task_findings);
        // Ordered by every field, so that the order is the same whatever the sort. Large lists
        // are sorted unstably (no scratch copy of every finding) on the checking threads, not
        // rayon's global pool, whose threads would keep memory of their own. Small ones are
        // sorted here, stably: the findings come as a few sorted runs (ripple's, file by file,
        // and each task's), which that sort merges in about one pass.
        fn order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
            fn key(f: &Finding) -> impl Ord + '_ {
                (
                    &f.path,
                    f.start,
                    &f.code,
                    &f.source,
                    &f.message,
                    f.range.end,
                    f.severity,
                )
            }
            key(a).cmp(&key(b))
        }
        if findings.len() < PARALLEL_SORT_FROM {
            findings.sort_by(order);
        } else {
            ripple_workspace::worker_pool().install(|| findings.par_sort_unstable_by(order));
        }
        let (hits, misses) = workspace.cache_counts();
        let report = Report {
            findings,
            files: files.len(),
            duration_ms: started.elapsed().as_millis(),
            cache: output::CacheSummary { hits, misses },
            tasks: ran.outcomes,
        };
        output::write_report(args.format, &report, &root, Some(languages))?;
        tracing::debug!(elapsed = ?started.elapsed(), "reported");
        Ok(report)
    })?;
    tracing::debug!(elapsed = ?started.elapsed(), "saved the cache");
    for warning in workspace.cache_warnings() {
        eprintln!("ripple: warning: {warning}");
    }
    if args.stats {
        output::write_stats(&workspace, files.len(), started.elapsed());
        output::write_task_stats(&report.tasks);
    }
    if ran.cancelled {
        eprintln!("ripple: interrupted; the tasks' processes were stopped");
        return Ok(ExitCode::from(tasks_command::INTERRUPTED));
    }
    // The process ends here: freeing every memoized result of a large workspace, or every
    // finding, one by one would only delay the exit; the operating system reclaims the memory
    // at once.
    std::mem::forget(workspace);
    std::mem::forget(reports);
    let code = if report.findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    };
    std::mem::forget(report);
    Ok(code)
}

fn parse_rules(languages: &Languages, codes: &[String]) -> anyhow::Result<Vec<&'static str>> {
    codes
        .iter()
        .filter(|code| !code.trim().is_empty())
        .map(|code| parse_rule(languages, code).map_err(anyhow::Error::msg))
        .collect()
}

fn progress_bar(total: usize) -> Option<ProgressBar> {
    if total < PROGRESS_THRESHOLD || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(total as u64);
    let style =
        ProgressStyle::with_template("{spinner} checking {pos}/{len} files {wide_bar} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}

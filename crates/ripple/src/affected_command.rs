//! `ripple affected`: the files a change may affect, and each task's targets it may give
//! another result, so that CI runs only those.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use ripple_core::Languages;
use ripple_workspace::{Change, ChangeKind, Everything, LoadOptions, Workspace, find_root};
use serde::Serialize;

use crate::options::{CacheArgs, build_id};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AffectedFormat {
    Human,
    Json,
}

#[derive(Debug, Args)]
pub struct AffectedArgs {
    /// The revision to compare the working tree with (`REV...`: with the merge base of REV and
    /// HEAD). Committed, staged, unstaged and untracked (not ignored) changes all count.
    #[arg(long, value_name = "REV", required_unless_present = "stdin")]
    since: Option<String>,
    /// Read the changed paths from standard input instead of git, one a line (or separated by
    /// NULs), relative to the current directory.
    #[arg(long, conflicts_with = "since")]
    stdin: bool,
    /// Only report what lies under these paths (the whole workspace is still considered).
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = AffectedFormat::Human)]
    format: AffectedFormat,
    /// The targets of this task instead of the affected files (human and --print0), and only
    /// this task in the JSON.
    #[arg(long, value_name = "NAME")]
    task: Option<String>,
    /// Print the list with a NUL after each path (for `xargs -0`).
    #[arg(long, conflicts_with = "format")]
    print0: bool,
    #[command(flatten)]
    cache: CacheArgs,
}

#[derive(Serialize)]
struct AffectedReport<'a> {
    since: Option<&'a str>,
    /// The commit compared with, when git was asked.
    base: Option<&'a str>,
    changed: Vec<String>,
    affected: Vec<String>,
    /// Why every file is affected, when it is.
    everything: Option<String>,
    tasks: std::collections::BTreeMap<String, Vec<String>>,
}

pub fn run(args: AffectedArgs, languages: &Languages) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let start = match args.paths.first() {
        Some(path) => cwd.join(path),
        None => cwd.clone(),
    };
    let start = std::fs::canonicalize(&start)
        .with_context(|| format!("`{}` does not exist", start.display()))?;
    let root = find_root(&start);
    let only: Vec<PathBuf> = args
        .paths
        .iter()
        .map(|path| {
            let path = cwd.join(path);
            std::fs::canonicalize(&path).unwrap_or(path)
        })
        .collect();

    let options = LoadOptions {
        cache: args.cache.choice(&cwd),
        build: build_id(),
    };
    // git reads the changes (it stats every tracked file, and walks for untracked ones) while
    // the workspace loads (it stats them too): at 100,000 files each takes about a third of a
    // second.
    let (found, mut workspace) = std::thread::scope(|scope| {
        let reading = scope.spawn(|| match &args.since {
            Some(revision) => crate::git::changes_since(&root, revision)
                .map(|found| (found.changes, Some(found.base))),
            None => changes_from_stdin(&cwd).map(|changes| (changes, None)),
        });
        let workspace = Workspace::load_with_options(&root, &[], languages, &options);
        let found = reading
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("reading the changes stopped unexpectedly")));
        (found, workspace)
    });
    let (changes, base) = found?;
    let changes: Vec<Change> = changes
        .into_iter()
        .filter(|change| change.path.starts_with(&root))
        .collect();
    tracing::debug!(elapsed = ?started.elapsed(), changes = changes.len(), "read the changes and loaded the workspace");
    let table = ripple_tasks::read_tasks(workspace.config());
    if let Some(name) = &args.task
        && !table.tasks.iter().any(|task| &task.name == name)
    {
        let names: Vec<&str> = table.tasks.iter().map(|task| task.name.as_str()).collect();
        bail!(
            "there is no task `{name}` (the workspace's tasks: {})",
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        );
    }

    let affected = workspace.affected_by(&changes);
    tracing::debug!(elapsed = ?started.elapsed(), files = affected.files.len(), "found the affected files");
    let wanted = |path: &Path| only.is_empty() || only.iter().any(|under| path.starts_with(under));
    let mut tasks = std::collections::BTreeMap::new();
    let mut per_task = ripple_tasks::TaskAffected::new();
    for task in &table.tasks {
        if args.task.as_ref().is_some_and(|name| name != &task.name) {
            continue;
        }
        let targets: Vec<String> = per_task
            .targets(&mut workspace, task, &changes, &affected)
            .into_iter()
            .filter(|target| wanted(&root.join(target)))
            .collect();
        tasks.insert(task.name.clone(), targets);
    }
    let mut changed: Vec<String> = changes
        .iter()
        .filter(|change| wanted(&change.path))
        .map(|change| workspace.display_path(&change.path))
        .collect();
    changed.sort();
    changed.dedup();
    let mut affected_paths: Vec<String> = affected
        .files
        .iter()
        .map(|file| file.path(workspace.db()))
        .filter(|path| wanted(path))
        .map(|path| workspace.display_path(path))
        .collect();
    affected_paths.sort();
    let everything = affected.everything.as_ref().map(|why| match why {
        Everything::Configuration(path) => {
            format!(
                "the configuration `{}` changed",
                workspace.display_path(path)
            )
        }
        Everything::IgnoreFile(path) => format!(
            "`{}` changed which files the workspace holds",
            workspace.display_path(path)
        ),
        Everything::UnknownPresence(path) => format!(
            "`{}` came or went, and what imports it is unknown",
            workspace.display_path(path)
        ),
    });
    // Nothing is saved: the cache keeps describing the state the last check left, which the
    // next `affected` (after files came or went) and `explain` start from.

    let listed: Vec<String> = match &args.task {
        Some(name) => tasks.get(name).cloned().unwrap_or_default(),
        None => affected_paths.clone(),
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.print0 {
        for path in &listed {
            out.write_all(path.as_bytes())?;
            out.write_all(b"\0")?;
        }
    } else if args.format == AffectedFormat::Json {
        let report = AffectedReport {
            since: args.since.as_deref(),
            base: base.as_deref(),
            changed,
            affected: affected_paths,
            everything: everything.clone(),
            tasks,
        };
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
    } else {
        for path in &listed {
            writeln!(out, "{path}")?;
        }
    }
    out.flush()?;
    if std::io::stderr().is_terminal() && args.format == AffectedFormat::Human && !args.print0 {
        let what = match &args.task {
            Some(name) => format!("targets of `{name}`"),
            None => "files".to_string(),
        };
        eprintln!(
            "ripple: {} {what} affected of {} in the workspace{}",
            listed.len(),
            workspace.file_count(),
            everything
                .map(|why| format!(" (all of them: {why})"))
                .unwrap_or_default()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The changed paths named on standard input. A path that exists may have been added or
/// changed; one that does not was deleted.
fn changes_from_stdin(cwd: &Path) -> anyhow::Result<Vec<Change>> {
    let mut input = Vec::new();
    std::io::stdin()
        .read_to_end(&mut input)
        .context("cannot read the changed paths from standard input")?;
    let separator = if input.contains(&0) { 0 } else { b'\n' };
    let mut changes = Vec::new();
    for line in input.split(|&byte| byte == separator) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let text = std::str::from_utf8(line)
            .with_context(|| "a path on standard input is not UTF-8".to_string())?;
        let path = cwd.join(text);
        let path = match std::fs::canonicalize(&path) {
            Ok(path) => path,
            // Gone: its folder may still be resolved through links.
            Err(_) => match (path.parent(), path.file_name()) {
                (Some(folder), Some(name)) => std::fs::canonicalize(folder)
                    .map(|folder| folder.join(name))
                    .unwrap_or(path.clone()),
                _ => path.clone(),
            },
        };
        let kind = if path.exists() {
            ChangeKind::Unknown
        } else {
            ChangeKind::Deleted
        };
        changes.push(Change {
            path,
            kind,
            before: None,
        });
    }
    changes.sort();
    changes.dedup();
    Ok(changes)
}

//! `ripple explain PATH [--task NAME]`: whether the file's kept result (or a task's for it) is
//! fresh, stale or never computed, and when stale which inputs changed, with the chain of
//! imports through which each reaches the file.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use ripple_core::Languages;
use ripple_workspace::{Explanation, Freshness, LoadOptions, StateChange, Workspace, find_root};

use crate::affected_command::AffectedFormat;
use crate::options::{CacheArgs, build_id};

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The file to explain.
    #[arg(value_name = "PATH")]
    path: PathBuf,
    /// Explain this task's result for the file (a target of it) instead of ripple's own.
    #[arg(long, value_name = "NAME")]
    task: Option<String>,
    #[arg(long, value_enum, default_value_t = AffectedFormat::Human)]
    format: AffectedFormat,
    #[command(flatten)]
    cache: CacheArgs,
}

pub fn run(args: ExplainArgs, languages: &Languages) -> anyhow::Result<ExitCode> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let path = std::fs::canonicalize(cwd.join(&args.path))
        .with_context(|| format!("`{}` does not exist", args.path.display()))?;
    let root = find_root(&path);
    let options = LoadOptions {
        cache: args.cache.choice(&cwd),
        build: build_id(),
    };
    // Read only: nothing this command learns is saved, so the next explanation still compares
    // with the results the last check kept.
    let mut workspace = Workspace::load_with_options(&root, &[], languages, &options);
    let explanation = match &args.task {
        None => match workspace.explain(&path) {
            Some(explanation) => explanation,
            None => bail!(
                "`{}` is not a file the workspace checks (give a source file of {})",
                path.display(),
                root.display()
            ),
        },
        Some(name) => {
            let table = ripple_tasks::read_tasks(workspace.config());
            let Some(task) = table.tasks.iter().find(|task| &task.name == name) else {
                bail!("there is no task `{name}`");
            };
            let trusted = crate::tasks_command::ensure_trusted(&root, &table, false).is_ok();
            ripple_tasks::explain_target(&mut workspace, task, &path, trusted)
                .map_err(anyhow::Error::msg)?
        }
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        AffectedFormat::Json => {
            serde_json::to_writer(&mut out, &explanation)?;
            writeln!(out)?;
        }
        AffectedFormat::Human => write_human(&mut out, &explanation)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn write_human(out: &mut impl Write, explanation: &Explanation) -> anyhow::Result<()> {
    let whose = match &explanation.task {
        Some(task) => format!("the result of `{task}` for {}", explanation.path),
        None => format!("ripple's findings for {}", explanation.path),
    };
    match explanation.status {
        Freshness::Fresh => writeln!(out, "{whose}: fresh (kept, and nothing it read changed)")?,
        Freshness::NeverRun => writeln!(out, "{whose}: never computed (nothing is kept)")?,
        Freshness::Stale => writeln!(out, "{whose}: stale")?,
    }
    let short = |digest: &Option<String>| match digest {
        Some(digest) => digest.chars().take(12).collect(),
        None => "(none)".to_string(),
    };
    for input in &explanation.changed {
        writeln!(
            out,
            "  changed: {}  {} -> {}\n    via {}",
            input.path,
            short(&input.old),
            short(&input.new),
            input.chain.join(" -> ")
        )?;
    }
    for change in &explanation.state {
        match change {
            StateChange::Files { added, removed } => {
                writeln!(
                    out,
                    "  files came ({}) or went ({}): imports may resolve elsewhere",
                    added.len(),
                    removed.len()
                )?;
                for path in added.iter().take(10) {
                    writeln!(out, "    + {path}")?;
                }
                for path in removed.iter().take(10) {
                    writeln!(out, "    - {path}")?;
                }
            }
            StateChange::Environment { language } => writeln!(
                out,
                "  the {language} environment changed (search paths, settings)"
            )?,
            StateChange::Libraries => writeln!(
                out,
                "  a library folder outside the workspace changed (an install or upgrade)"
            )?,
            StateChange::Other { detail } => writeln!(out, "  {detail}")?,
        }
    }
    Ok(())
}

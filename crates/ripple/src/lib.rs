//! The `ripple` command: `ripple check` for the command line and CI, `ripple lsp` for editors,
//! `ripple rules`. The binary (`main.rs`) registers the languages and calls [`main`]; a test
//! can build a `ripple` with other languages the same way.

mod affected_command;
mod cache_command;
mod check;
mod explain_command;
mod git;
mod options;
mod output;
mod report;
mod sarif;
mod tasks_command;

use std::process::ExitCode;

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use ripple_core::Languages;

#[derive(Parser)]
#[command(
    name = "ripple",
    version,
    about = "An incremental checker: pyflakes-class name checks plus cross-file import checks.",
    disable_help_subcommand = false
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check the workspace containing PATH and report on the given paths.
    Check(check::CheckArgs),
    /// Serve the Language Server Protocol on stdin/stdout (for editors).
    Lsp {
        /// Accepted for clients that pass it; stdio is the only transport.
        #[arg(long)]
        stdio: bool,
        /// Write logs to this file instead of stderr.
        #[arg(long, value_name = "FILE")]
        log_file: Option<std::path::PathBuf>,
    },
    /// The files a change since a revision may affect, and the task targets it may re-run.
    Affected(affected_command::AffectedArgs),
    /// Whether a file's kept result (or a task's) is fresh, stale or never computed, and why.
    Explain(explain_command::ExplainArgs),
    /// Look after the cache of results: `stats`, `clean`, `prune`.
    Cache(cache_command::CacheCommand),
    /// List the workspace's tasks and the state of their targets (fresh, stale, never run).
    Tasks(tasks_command::TasksArgs),
    /// Run one task on its targets (or those under the given paths).
    Run(tasks_command::RunArgs),
    /// Trust the workspace's task table to run its commands.
    Trust(tasks_command::TrustArgs),
    /// Describe the rules ripple checks.
    Rules {
        /// Only this rule (its code or a ruff alias).
        code: Option<String>,
    },
}

/// Runs the command line with `languages` registered: parses the arguments, sets up logging and
/// runs the subcommand. The process exit code is returned.
pub fn main(languages: Languages) -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { 2 } else { 0 };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    let log_file = match &cli.command {
        Command::Lsp { log_file, .. } => log_file.clone(),
        _ => None,
    };
    init_logging(log_file.as_deref());
    let result = match cli.command {
        Command::Check(args) => check::run(args, &languages),
        Command::Affected(args) => affected_command::run(args, &languages),
        Command::Explain(args) => explain_command::run(args, &languages),
        Command::Cache(command) => cache_command::run(command, &languages),
        Command::Lsp { stdio: _, .. } => ripple_server::run_stdio(languages, server_options())
            .map(|code| ExitCode::from(u8::try_from(code).unwrap_or(1))),
        Command::Tasks(args) => tasks_command::list(args, &languages),
        Command::Run(args) => tasks_command::run(args, &languages),
        Command::Trust(args) => tasks_command::trust(args, &languages),
        Command::Rules { code } => output::print_rules(&languages, code.as_deref()),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("ripple: error: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// How the language server loads workspaces: with the store of results (`RIPPLE_CACHE_DIR`,
/// else the configuration's `cache-dir`, else `.ripple_cache/`), unless `RIPPLE_NO_CACHE=1`.
fn server_options() -> ripple_workspace::LoadOptions {
    let cache = if std::env::var_os("RIPPLE_NO_CACHE").is_some_and(|value| value == "1") {
        ripple_workspace::CacheChoice::Disabled
    } else {
        match std::env::var_os("RIPPLE_CACHE_DIR").filter(|dir| !dir.is_empty()) {
            Some(dir) => ripple_workspace::CacheChoice::Dir(PathBuf::from(dir)),
            None => ripple_workspace::CacheChoice::Default,
        }
    };
    ripple_workspace::LoadOptions {
        cache,
        build: options::build_id(),
    }
}

/// Logs go to stderr (never stdout: for `ripple lsp` that is the protocol) or to `log_file`,
/// filtered by `RIPPLE_LOG` (for example `RIPPLE_LOG=debug`).
fn init_logging(log_file: Option<&std::path::Path>) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RIPPLE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let file = log_file.and_then(|path| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|error| {
                eprintln!(
                    "ripple: cannot open the log file {}: {error}",
                    path.display()
                )
            })
            .ok()
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false);
    let _ = match file {
        Some(file) => builder.with_writer(std::sync::Mutex::new(file)).try_init(),
        None => builder.with_writer(std::io::stderr).try_init(),
    };
}

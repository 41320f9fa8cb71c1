//! The `ripple` command: `ripple check` for the command line and CI.

mod check;
mod output;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The analysis allocates many small, short-lived objects (syntax trees, bindings) from several
/// threads; mimalloc serves that pattern markedly faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "ripple",
    version,
    about = "An incremental Python checker: pyflakes-class name checks plus cross-file import checks.",
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
    /// Describe the rules ripple checks.
    Rules {
        /// Only this rule (its code or a ruff alias).
        code: Option<String>,
    },
}

fn main() -> ExitCode {
    init_logging();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { 2 } else { 0 };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Rules { code } => output::print_rules(code.as_deref()),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("ripple: error: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// Logs go to stderr, filtered by `RIPPLE_LOG` (for example `RIPPLE_LOG=debug`).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RIPPLE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

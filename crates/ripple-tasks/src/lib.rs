//! Tasks: the workspace's own tools (mypy, pytest, ruff, eslint, tsc, ...) run as build steps.
//! Each result is kept in the store under a key made of everything it depends on (the task's
//! definition, the tool's identity, the listed environment values and input files, and the
//! contents of the target's dependency closure), so a run replays every result whose inputs
//! are unchanged and runs the tool only on the rest, in parallel, in process groups that a
//! timeout or a cancellation kills whole.
//!
//! The flow: `definition` reads `[tasks.NAME]`; `targets` finds each task's files; `keys`
//! computes their keys (`closure` the import closures); `engine` replays hits and runs the
//! misses through `runner`, whose output `readers` parse and `diagnostics` place; `record`
//! remembers which targets ever had a result (for `ripple tasks`); `trust` says whether the
//! user allowed this workspace's commands to run.

mod affected;
mod closure;
mod command;
mod config_lines;
mod definition;
mod diagnostics;
mod engine;
mod explain;
mod keys;
mod manifest;
mod plan;
mod readers;
mod record;
pub mod runner;
mod targets;
mod tool;
mod trust;

pub use affected::TaskAffected;
pub use definition::{Deps, TaskDefinition, TaskTable, Trigger, parse_timeout, read_tasks};
pub use diagnostics::{TaskDiagnostic, severity_of};
pub use engine::{
    PreparedRun, RunOptions, RunProgress, TASK_FAILED_CODE, TargetState, TaskOutcome, TaskStatus,
    TasksReport, prepare_tasks, run_tasks, task_status,
};
pub use explain::explain_target;
pub use readers::OutputFormat;
pub use trust::{TrustStore, trust_file};

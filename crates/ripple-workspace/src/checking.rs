//! Checking files: each file's findings from its language, with suppression comments and the
//! rule selection applied here, once, for every front end; many files in parallel.

use std::sync::Arc;

use rayon::prelude::*;
use ripple_core::{Db, Diagnostic, LineIndex, SourceFile};

use crate::database::RippleDatabase;
use crate::results::{Findings, ResultCache};
use crate::selection::RuleSelection;

/// Stack size of checking threads: the analysis recurses (boundedly) over deeply nested code.
const WORKER_STACK_BYTES: usize = 64 * 1024 * 1024;

/// The process's checking threads, shared by every workspace it loads (a server reloading its
/// configuration, a test loading thousands of fresh workspaces) rather than started per load.
pub fn worker_pool() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(WORKER_STACK_BYTES)
            .thread_name(|index| format!("ripple-worker-{index}"))
            .build()
            .unwrap_or_else(|_| {
                // Building a pool only fails when threads cannot be spawned at all; fall back
                // to default settings rather than refuse to check.
                rayon::ThreadPoolBuilder::new()
                    .build()
                    .unwrap_or_else(|error| panic!("cannot start worker threads: {error}"))
            })
    })
}

/// The diagnostics of one file, and what places them: its line index turns their byte ranges
/// into positions in whichever encoding a front end speaks.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub file: SourceFile,
    pub path: std::path::PathBuf,
    /// Sorted by position; suppressed and deselected findings removed.
    pub diagnostics: Arc<[Diagnostic]>,
    pub lines: Arc<LineIndex>,
}

/// How findings are filtered before they are reported.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub selection: RuleSelection,
    /// Whether suppression comments (`# noqa`) apply.
    pub respect_suppressions: bool,
}

/// The findings of one file as reported: its language's findings without those a suppression
/// comment silences or the selection leaves out. Shared with the language's memo unless
/// something was filtered out.
pub fn check_file(db: &dyn Db, file: SourceFile, options: &CheckOptions) -> FileReport {
    report(db, file, findings(db, file), options)
}

/// A file's findings from its language (suppressions not applied).
fn findings(db: &dyn Db, file: SourceFile) -> Findings {
    match db.languages().get(file.language(db)) {
        Some(language) => Findings {
            diagnostics: language.diagnostics(db, file),
            suppressions: language.suppressions(db, file),
            lines: language.line_index(db, file),
        },
        // Files are only ever created for registered languages.
        None => Findings {
            diagnostics: Arc::from([]),
            suppressions: Arc::default(),
            lines: Arc::new(LineIndex::new("")),
        },
    }
}

/// A file's findings as reported, from the store when kept there and still valid.
pub(crate) fn check_file_kept(
    db: &RippleDatabase,
    kept: Option<&ResultCache>,
    file: SourceFile,
    options: &CheckOptions,
) -> FileReport {
    let Some(kept) = kept else {
        return check_file(db, file, options);
    };
    if let Some(found) = kept.find(db, file) {
        db.count_found();
        return report(db, file, found, options);
    }
    let computed = findings(db, file);
    kept.computed(db, file, &computed);
    report(db, file, computed, options)
}

fn report(db: &dyn Db, file: SourceFile, findings: Findings, options: &CheckOptions) -> FileReport {
    let Findings {
        diagnostics,
        suppressions,
        lines,
    } = findings;
    let suppressions = Some(suppressions)
        .filter(|_| options.respect_suppressions)
        .filter(|suppressions| !suppressions.is_empty());
    let kept = |diagnostic: &Diagnostic| {
        options.selection.allows(diagnostic.code)
            && !suppressions
                .as_ref()
                .is_some_and(|suppressions| suppressions.suppresses(diagnostic))
    };
    let diagnostics = if diagnostics.iter().all(kept) {
        diagnostics
    } else {
        diagnostics.iter().filter(|d| kept(d)).cloned().collect()
    };
    FileReport {
        file,
        path: file.path(db).clone(),
        diagnostics,
        lines,
    }
}

/// Checks `files` in parallel, one database handle per worker. `on_file_done` is called once
/// per finished file, from worker threads.
pub(crate) fn check_files(
    db: &RippleDatabase,
    kept: Option<&ResultCache>,
    files: &[SourceFile],
    options: &CheckOptions,
    on_file_done: &(dyn Fn() + Sync),
) -> Vec<FileReport> {
    // A few files (an editor's keystroke) are checked right here: handing them to the pool
    // would cost more than checking them.
    if files.len() <= 2 {
        return files
            .iter()
            .map(|&file| {
                let report = check_file_kept(db, kept, file, options);
                on_file_done();
                report
            })
            .collect();
    }
    // A database handle is `Send` but not `Sync`: each worker clones its own from a shared
    // one behind a lock.
    let shared = std::sync::Mutex::new(db.clone());
    let handle = || {
        shared
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    };
    worker_pool().install(|| {
        files
            .par_iter()
            .map_init(handle, |db, &file| {
                let report = check_file_kept(db, kept, file, options);
                on_file_done();
                report
            })
            .collect()
    })
}

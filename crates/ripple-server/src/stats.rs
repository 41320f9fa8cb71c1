//! What `ripple/stats` reports: the workspace, query executions, parses, and the last edit.

use std::time::Duration;

use ripple_core::ParseCounts;
use ripple_workspace::Workspace;
use serde_json::{Value, json};

/// What the loop counts as it goes.
#[derive(Default)]
pub struct Stats {
    pub last_edit_latency: Option<Duration>,
    pub last_edit_queries: Vec<(String, u64)>,
    /// How many files the last published check covered: what the last change reached.
    pub last_checked_files: usize,
    pub edits: u64,
    pub full_loads: u64,
}

impl Stats {
    /// The answer to `ripple/stats`.
    pub fn to_json(&self, workspace: Option<&Workspace>, open_documents: usize) -> Value {
        let Some(workspace) = workspace else {
            return json!({"files": 0});
        };
        let totals = workspace.db().query_totals();
        let (found, computed) = workspace.cache_counts();
        let parses =
            workspace
                .languages()
                .iter()
                .fold(ParseCounts::default(), |sum, (_, language)| {
                    let counts = language.parse_counts(workspace.db());
                    ParseCounts {
                        full: sum.full + counts.full,
                        incremental: sum.incremental + counts.incremental,
                    }
                });
        json!({
            "files": workspace.file_count(),
            "openDocuments": open_documents,
            "queries": totals
                .into_iter()
                .map(|(name, count)| (name, json!(count)))
                .collect::<serde_json::Map<String, Value>>(),
            "lastEditQueries": self.last_edit_queries.iter().cloned()
                .map(|(name, count)| (name, json!(count)))
                .collect::<serde_json::Map<String, Value>>(),
            // Open documents are reparsed incrementally where an edit allows; other files are
            // parsed in full.
            "parses": {"full": parses.full, "incremental": parses.incremental},
            "lastEditLatencyMs": self.last_edit_latency.map(|d| d.as_secs_f64() * 1000.0),
            "edits": self.edits,
            "lastCheckedFiles": self.last_checked_files,
            "workspaceLoads": self.full_loads,
            // Files whose findings came from the store, and those analysed, since the load.
            "cache": {"hits": found, "misses": computed},
            // Whether who depends on whom is known: without it an edit re-checks everything.
            "graph": workspace.has_graph(),
            "memoryBytes": resident_memory(),
        })
    }
}

/// Resident memory of the process, from `/proc` where there is one.
fn resident_memory() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

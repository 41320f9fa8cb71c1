//! What the workspace's task runs left behind besides their results: for each task, the
//! targets that ever had a result and how long their last run took. It tells a stale target
//! (it had a result, its inputs changed since) from one never run, and gives durations for
//! progress estimates. Only ever makes answers better: a lost record loses no result.

use std::collections::BTreeMap;
use std::path::Path;

use ripple_store::Store;
use serde::{Deserialize, Serialize};

const KIND: &str = "tasks";

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct TaskRecord {
    /// Task name → target → milliseconds of its last run (its share of its batch's).
    pub runs: BTreeMap<String, BTreeMap<String, u64>>,
}

impl TaskRecord {
    pub fn read(store: &Store, root: &Path) -> Self {
        store
            .read_record(root, KIND)
            .and_then(|bytes| postcard::from_bytes(&bytes).ok())
            .unwrap_or_default()
    }

    pub fn write(&self, store: &Store, root: &Path) {
        if let Ok(bytes) = postcard::to_allocvec(self) {
            store.write_record(root, KIND, &bytes);
        }
    }

    pub fn ran(&self, task: &str, target: &str) -> bool {
        self.runs
            .get(task)
            .is_some_and(|targets| targets.contains_key(target))
    }
}

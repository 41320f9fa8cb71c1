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
    /// Task name → target → the key of its last result, whose manifest `ripple explain`
    /// compares with the present.
    pub keys: BTreeMap<String, BTreeMap<String, [u8; 32]>>,
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

    /// `target` of `task` was just computed, in `ms`, under `key`.
    pub fn ran_now(&mut self, task: &str, target: String, ms: u64, key: ripple_core::Digest) {
        self.keys
            .entry(task.to_string())
            .or_default()
            .insert(target.clone(), *key.as_bytes());
        self.runs
            .entry(task.to_string())
            .or_default()
            .insert(target, ms);
    }

    /// The key of the last result computed for `target` of `task`.
    pub fn last_key(&self, task: &str, target: &str) -> Option<ripple_core::Digest> {
        let key = self.keys.get(task)?.get(target)?;
        Some(ripple_core::Digest::from_bytes(*key))
    }

    pub fn ran(&self, task: &str, target: &str) -> bool {
        self.runs
            .get(task)
            .is_some_and(|targets| targets.contains_key(target))
    }
}

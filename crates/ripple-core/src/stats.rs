use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use salsa::{EventKind, IngredientIndex};

/// One query execution, as reported by salsa: which query (by ingredient) and for which key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExecutionRecord {
    pub ingredient: IngredientIndex,
    pub key: salsa::Id,
}

/// Counts query executions. Totals are always kept; the per-execution log is kept only while
/// recording is switched on (tests and `ripple/stats` use it to see what an edit re-ran).
#[derive(Debug, Default)]
pub struct QueryStats {
    totals: Mutex<Vec<(IngredientIndex, u64)>>,
    recording: AtomicBool,
    log: Mutex<Vec<ExecutionRecord>>,
}

impl QueryStats {
    /// Feeds one salsa event; install this in the database's event callback.
    pub fn observe(&self, event: &salsa::Event) {
        if let EventKind::WillExecute { database_key } = event.kind {
            let ingredient = database_key.ingredient_index();
            {
                let mut totals = lock(&self.totals);
                match totals.iter_mut().find(|(index, _)| *index == ingredient) {
                    Some((_, count)) => *count += 1,
                    None => totals.push((ingredient, 1)),
                }
            }
            if self.recording.load(Ordering::Relaxed) {
                lock(&self.log).push(ExecutionRecord {
                    ingredient,
                    key: database_key.key_index(),
                });
            }
        }
    }

    /// Starts a fresh execution log.
    pub fn start_recording(&self) {
        lock(&self.log).clear();
        self.recording.store(true, Ordering::Relaxed);
    }

    /// Stops recording and returns what executed since `start_recording`.
    pub fn take_recording(&self) -> Vec<ExecutionRecord> {
        self.recording.store(false, Ordering::Relaxed);
        std::mem::take(&mut *lock(&self.log))
    }

    /// Total executions per query ingredient since the database was created.
    pub fn totals(&self) -> Vec<(IngredientIndex, u64)> {
        lock(&self.totals).clone()
    }
}

/// A poisoned lock only means another thread panicked while counting; the counts stay usable.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

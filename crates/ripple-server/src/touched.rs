//! What a batch of events changed: the loop gathers it while applying events, checks what it
//! reaches, and publishes with it.

use std::collections::HashSet;
use std::path::PathBuf;

#[derive(Default, Clone)]
pub struct Touched {
    /// Files whose text (or existence) changed.
    pub files: HashSet<PathBuf>,
    pub saved: HashSet<PathBuf>,
    pub closed: HashSet<PathBuf>,
    /// Files changed on disk by something other than the editor's saves (a checkout, a tool).
    pub disk: bool,
    /// Anything may have changed (a load, a branch switch the graph cannot follow, a setting).
    pub everything: bool,
}

impl Touched {
    pub fn any(&self) -> bool {
        self.everything || !self.files.is_empty()
    }

    pub fn merge(&mut self, other: Touched) {
        self.files.extend(other.files);
        self.saved.extend(other.saved);
        self.closed.extend(other.closed);
        self.disk |= other.disk;
        self.everything |= other.everything;
    }
}

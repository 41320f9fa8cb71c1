//! Which workspaces the user allowed to run their task commands, and with which task table.
//! A workspace's configuration is someone else's code until its user says otherwise (a cloned
//! repository must not run a command by being opened), so trust is given per canonical root
//! path and per digest of the task table, as Neovim's `vim.secure` keeps a file's path and
//! hash, and direnv's `allow` its `.envrc`'s: any change to the table asks again.
//!
//! Kept in `$XDG_STATE_HOME/ripple/trust.json` (default `~/.local/state/ripple/trust.json`),
//! one entry per root.

use std::path::{Path, PathBuf};

use ripple_core::Digest;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct TrustEntry {
    root: PathBuf,
    /// The task table's digest, hex.
    tasks: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct TrustFile {
    trusted: Vec<TrustEntry>,
}

/// The user's trusted workspaces.
#[derive(Debug)]
pub struct TrustStore {
    path: Option<PathBuf>,
    file: TrustFile,
}

/// Where trust is kept; `None` when neither `XDG_STATE_HOME` nor `HOME` is set.
pub fn trust_file() -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .filter(|dir| !dir.is_empty() && Path::new(dir).is_absolute())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|home| !home.is_empty())
                .map(|home| PathBuf::from(home).join(".local").join("state"))
        })?;
    Some(state.join("ripple").join("trust.json"))
}

impl TrustStore {
    /// Reads the trust file. A missing one trusts nothing; a damaged one too, and says so
    /// (the next `trust` rewrites it).
    pub fn load() -> (Self, Option<String>) {
        let path = trust_file();
        let mut warning = None;
        let file = match path.as_deref().map(std::fs::read) {
            None => TrustFile::default(),
            Some(Err(error)) if error.kind() == std::io::ErrorKind::NotFound => TrustFile::default(),
            Some(Err(error)) => {
                warning = Some(format!("cannot read the trust file: {error}"));
                TrustFile::default()
            }
            Some(Ok(bytes)) => serde_json::from_slice(&bytes).unwrap_or_else(|error| {
                warning = Some(format!(
                    "the trust file {} is damaged ({error}); no workspace is trusted until `ripple trust` is run again",
                    path.as_deref().unwrap_or(Path::new("")).display()
                ));
                TrustFile::default()
            }),
        };
        (Self { path, file }, warning)
    }

    /// Whether the workspace at `root` is trusted with the task table digested as `table`.
    pub fn is_trusted(&self, root: &Path, table: Digest) -> bool {
        let root = canonical(root);
        let table = table.to_hex();
        self.file
            .trusted
            .iter()
            .any(|entry| entry.root == root && entry.tasks == table)
    }

    /// Trusts the workspace at `root` with the task table `table` (and no other it had).
    pub fn trust(&mut self, root: &Path, table: Digest) -> Result<PathBuf, String> {
        let Some(path) = self.path.clone() else {
            return Err(
                "neither XDG_STATE_HOME nor HOME is set: there is nowhere to keep trust".into(),
            );
        };
        let root = canonical(root);
        self.file.trusted.retain(|entry| entry.root != root);
        self.file.trusted.push(TrustEntry {
            root,
            tasks: table.to_hex(),
        });
        self.file.trusted.sort_by(|a, b| a.root.cmp(&b.root));
        let text = serde_json::to_vec_pretty(&self.file).map_err(|error| error.to_string())?;
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)
            .map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
        // Written beside and renamed over: a process killed while writing leaves the old file.
        let temporary = path.with_extension(format!("json.{}", std::process::id()));
        std::fs::write(&temporary, text)
            .and_then(|()| std::fs::rename(&temporary, &path))
            .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
        Ok(path)
    }
}

fn canonical(root: &Path) -> PathBuf {
    std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf())
}

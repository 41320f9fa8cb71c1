//! What changed in a git repository since a revision, read with the `git` command (porcelain
//! output with `-z`, which git keeps stable for scripts) rather than by reading `.git`: the
//! command knows every repository layout, worktree, packed ref and index extension.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use ripple_workspace::{Before, Change, ChangeKind};

/// The changes between a revision and the working tree.
pub struct Changes {
    /// The commit compared with (the merge base, for `REV...`).
    pub base: String,
    /// Every changed path under the repository, absolute: committed, staged and unstaged
    /// changes, and untracked files that are not ignored. Renames are a deletion and an
    /// addition.
    pub changes: Vec<Change>,
}

/// The changes since `revision` (any revision git takes; `REV...` means since the merge base
/// of REV and HEAD) in the repository holding `dir`.
pub fn changes_since(dir: &Path, revision: &str) -> anyhow::Result<Changes> {
    let top = git(dir, &["rev-parse", "--show-toplevel"]).map_err(|error| {
        anyhow::anyhow!(
            "`{}` is not in a git repository ({error}); name the changed paths with --stdin instead",
            dir.display()
        )
    })?;
    let top = PathBuf::from(text(top)?.trim_end_matches(['\n', '\r']));
    let top = std::fs::canonicalize(&top).unwrap_or(top);

    let (spec, merge_base) = match revision.strip_suffix("...") {
        Some(spec) => (spec, true),
        None => (revision, false),
    };
    if spec.is_empty() || spec.starts_with('-') {
        bail!("`{revision}` is not a revision");
    }
    let verified = git(
        &top,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &format!("{spec}^{{commit}}"),
        ],
    );
    let commit = match verified {
        Ok(output) => text(output)?.trim().to_string(),
        Err(_) => {
            let shallow = git(&top, &["rev-parse", "--is-shallow-repository"])
                .ok()
                .and_then(|output| text(output).ok())
                .is_some_and(|answer| answer.trim() == "true");
            if shallow {
                bail!(
                    "`{spec}` is not in this clone, which is shallow: fetch the history it needs \
                     (`git fetch --unshallow`, or `fetch-depth: 0` for actions/checkout)"
                );
            }
            bail!("`{spec}` names no commit of this repository");
        }
    };
    let base = if merge_base {
        let found = git(&top, &["merge-base", &commit, "HEAD"]).with_context(|| {
            format!("`{spec}` and HEAD have no merge base (in a shallow clone, fetch more history)")
        })?;
        text(found)?.trim().to_string()
    } else {
        commit
    };

    let mut changes = Vec::new();
    let diff = git(
        &top,
        &[
            "diff",
            "--name-status",
            "-z",
            "--no-renames",
            "--no-ext-diff",
            "--ignore-submodules=dirty",
            &base,
            "--",
        ],
    )?;
    let mut fields = diff
        .split(|&byte| byte == 0)
        .filter(|field| !field.is_empty());
    while let (Some(status), Some(path)) = (fields.next(), fields.next()) {
        let kind = match status.first() {
            Some(b'A') => ChangeKind::Added,
            Some(b'D') => ChangeKind::Deleted,
            _ => ChangeKind::Modified,
        };
        let relative = path_of(path)?;
        let before = match kind {
            ChangeKind::Added => Some(Before::Missing),
            _ if is_config(&relative) => show(&top, &base, path).map(Before::Bytes),
            _ => None,
        };
        changes.push(Change {
            path: top.join(relative),
            kind,
            before,
        });
    }
    let untracked = git(
        &top,
        &["ls-files", "-z", "--others", "--exclude-standard", "--"],
    )?;
    for path in untracked
        .split(|&byte| byte == 0)
        .filter(|path| !path.is_empty())
    {
        changes.push(Change {
            path: top.join(path_of(path)?),
            kind: ChangeKind::Added,
            before: Some(Before::Missing),
        });
    }
    changes.sort();
    changes.dedup();
    Ok(Changes { base, changes })
}

/// Whether `path` may be a configuration file, whose earlier text tells whether its settings
/// changed (`Change::before`).
fn is_config(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| ripple_workspace::CONFIG_FILE_NAMES.contains(&name))
}

/// The contents of `path` (as git printed it, relative to the top) at `commit`.
fn show(top: &Path, commit: &str, path: &[u8]) -> Option<Vec<u8>> {
    let spec = format!("{commit}:{}", std::str::from_utf8(path).ok()?);
    git(top, &["cat-file", "blob", &spec]).ok()
}

/// Runs git in `dir` and returns its standard output; an error holds what it said.
fn git(dir: &Path, arguments: &[&str]) -> anyhow::Result<Vec<u8>> {
    // No optional locks: a read-only question must not rewrite the index (CI checkouts may be
    // read-only, and another git may hold the lock).
    let output = Command::new("git")
        .arg("--no-optional-locks")
        .arg("-C")
        .arg(dir)
        .args(arguments)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .context("cannot run git (is it installed and on PATH?)")?;
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stderr);
        bail!(
            "`git {}` failed: {}",
            arguments.join(" "),
            said.trim().lines().next().unwrap_or("no message")
        );
    }
    Ok(output.stdout)
}

fn text(bytes: Vec<u8>) -> anyhow::Result<String> {
    String::from_utf8(bytes).context("git printed something that is not UTF-8")
}

#[cfg(unix)]
fn path_of(bytes: &[u8]) -> anyhow::Result<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    Ok(PathBuf::from(std::ffi::OsStr::from_bytes(bytes)))
}

#[cfg(not(unix))]
fn path_of(bytes: &[u8]) -> anyhow::Result<PathBuf> {
    Ok(PathBuf::from(
        std::str::from_utf8(bytes).context("a path from git is not UTF-8")?,
    ))
}

//! Which tool a task runs, for its key: the executable `command[0]` names (found as a shell
//! would, on `PATH`, or relative to the root when it holds a `/`) and its identity, a digest of
//! the executable's bytes and of its version output (`--version`, or the task's
//! `version-command`). The bytes tell a replaced binary; the version tells an upgrade behind an
//! unchanged entry script (`mypy` in a virtual environment is a three-line Python script).
//! Both are kept in the store by the executable's stat, so a warm run starts no process.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use ripple_core::Digest;
use ripple_store::{FileStat, Store};

use crate::runner::{self, Ended};

pub struct Tool {
    pub path: PathBuf,
    pub identity: Digest,
}

/// How long a `--version` may take.
const VERSION_TIMEOUT: Duration = Duration::from_secs(60);

/// The tool `program` names, with its identity. Unless `may_run`, the identity comes from the
/// store or not at all: learning it runs the tool, a command of the workspace's.
pub fn identify(
    program: &str,
    version_command: Option<&[String]>,
    root: &Path,
    store: Option<&Store>,
    cancel: &AtomicBool,
    may_run: bool,
) -> Result<Tool, String> {
    let path = find_program(program, root).ok_or_else(|| {
        if program.contains('/') {
            format!("`{program}` does not exist or is not executable (it is looked for relative to the workspace root)")
        } else {
            format!("`{program}` is not on PATH: install it, or give its path in `command`")
        }
    })?;
    let metadata = std::fs::metadata(&path)
        .map_err(|error| format!("cannot read `{}`: {error}", path.display()))?;
    let stat = FileStat::of(&metadata);
    let version_argv: Vec<String> = match version_command {
        Some(argv) => argv.to_vec(),
        None => vec![path.to_string_lossy().into_owned(), "--version".into()],
    };
    let memo = Digest::of_parts(&[
        b"ripple tool identity 1",
        path.as_os_str().as_encoded_bytes(),
        &stat.size.to_le_bytes(),
        &stat.mtime_ns.to_le_bytes(),
        &stat.ctime_ns.to_le_bytes(),
        &stat.inode.to_le_bytes(),
        &stat.device.to_le_bytes(),
        version_argv.join("\0").as_bytes(),
    ]);
    if let Some(store) = store
        && let Some(value) = store.get(&store.key(&memo))
        && let Ok(bytes) = <[u8; 32]>::try_from(&value[..])
    {
        return Ok(Tool {
            path,
            identity: Digest::from_bytes(bytes),
        });
    }
    if !may_run {
        return Err(format!(
            "which `{program}` this is is not known until the task runs once: that runs a command of the workspace's, which needs trust (`ripple trust`)"
        ));
    }
    let bytes = std::fs::read(&path)
        .map_err(|error| format!("cannot read `{}`: {error}", path.display()))?;
    let content = Digest::of(&bytes);
    drop(bytes);
    // A tool without `--version` (a script of the workspace's own) is known by its bytes.
    let version = match runner::run(&version_argv, root, VERSION_TIMEOUT, cancel) {
        Ok(done) if matches!(done.ended, Ended::Exited(0)) => [done.stdout, done.stderr].concat(),
        _ => Vec::new(),
    };
    let identity = Digest::of_parts(&[content.as_bytes(), &version]);
    if let Some(store) = store {
        store.put(store.key(&memo), identity.as_bytes().to_vec());
    }
    Ok(Tool { path, identity })
}

/// The executable `program` names, as `execvp` would find it.
pub fn find_program(program: &str, root: &Path) -> Option<PathBuf> {
    if program.is_empty() {
        return None;
    }
    if program.contains('/') {
        let path = root.join(program);
        return is_executable(&path).then_some(path);
    }
    let search = std::env::var_os("PATH")?;
    std::env::split_paths(&search)
        .map(|dir| {
            if dir.as_os_str().is_empty() {
                root.to_path_buf()
            } else {
                dir
            }
        })
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .is_ok_and(|metadata| metadata.is_file() && metadata.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(unix)]
    fn a_changed_version_is_a_different_tool() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let tool = dir.path().join("tool");
        let never = AtomicBool::new(false);
        let write = |version: &str| {
            std::fs::write(&tool, format!("#!/bin/sh\necho {version}\n")).expect("write");
            std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        };
        write("1.0");
        let first = identify("./tool", None, dir.path(), None, &never, true).expect("found");
        let again = identify("./tool", None, dir.path(), None, &never, true).expect("found");
        assert_eq!(first.identity, again.identity);
        write("2.0");
        let upgraded = identify("./tool", None, dir.path(), None, &never, true).expect("found");
        assert_ne!(first.identity, upgraded.identity);
        // Untrusted, a tool the store does not know is not run to learn what it is.
        let marker = dir.path().join("ran");
        std::fs::write(&tool, format!("#!/bin/sh\ntouch {}\n", marker.display())).expect("write");
        assert!(
            identify("./tool", None, dir.path(), None, &never, false)
                .is_err_and(|message| message.contains("ripple trust"))
        );
        assert!(!marker.exists(), "the tool ran");
        assert!(identify("./missing", None, dir.path(), None, &never, true).is_err());
        assert!(
            identify("ripple-no-such-tool", None, dir.path(), None, &never, true)
                .is_err_and(|message| message.contains("not on PATH"))
        );
    }
}

//! Library search roots from a Python environment: the configured interpreter's `sys.path`, or
//! a virtual environment found in the workspace (`.venv`, `venv`) or in `VIRTUAL_ENV`. The
//! interpreter's answer is kept in the store, keyed by the interpreter's path and file identity,
//! and used again while none of the folders it named has changed (a `.pth` file added by an
//! install changes its folder), so that a warm run does not start Python.

use std::path::{Path, PathBuf};
use std::process::Command;

use ripple_core::{Db, Digest};

/// Where library roots came from, for messages and statistics.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    pub library_roots: Vec<PathBuf>,
    pub problem: Option<String>,
}

/// Finds the library roots for a workspace.
pub fn discover_environment(db: &dyn Db, root: &Path, python: Option<&Path>) -> Environment {
    if let Some(python) = python {
        let python = if python.is_absolute() {
            python.to_path_buf()
        } else if python.components().count() > 1 {
            root.join(python)
        } else {
            python.to_path_buf()
        };
        let key = interpreter_key(&python);
        if let Some(roots) = key.as_ref().and_then(|key| stored_roots(db, key)) {
            return Environment {
                library_roots: roots,
                problem: None,
            };
        }
        let environment = interpreter_paths(&python);
        if let (Some(key), None) = (key, &environment.problem) {
            store_roots(db, &key, &environment.library_roots);
        }
        return environment;
    }
    for name in [".venv", "venv"] {
        let venv = root.join(name);
        if venv.join("pyvenv.cfg").is_file() {
            return Environment {
                library_roots: venv_site_packages(&venv),
                problem: None,
            };
        }
    }
    if let Some(venv) = std::env::var_os("VIRTUAL_ENV") {
        return Environment {
            library_roots: venv_site_packages(Path::new(&venv)),
            problem: None,
        };
    }
    Environment::default()
}

/// `lib/python3.X/site-packages` (POSIX) or `Lib/site-packages` (Windows) of a venv.
fn venv_site_packages(venv: &Path) -> Vec<PathBuf> {
    let mut roots = Vec::new();
    let windows = venv.join("Lib").join("site-packages");
    if windows.is_dir() {
        roots.push(windows);
    }
    if let Ok(entries) = std::fs::read_dir(venv.join("lib")) {
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path().join("site-packages"))
            .filter(|path| path.is_dir())
            .collect();
        found.sort();
        roots.extend(found);
    }
    roots
}

/// The inputs of an interpreter's `sys.path`: where the interpreter is and which file it is
/// (following links: a virtual environment's `python` is one), or `None` when it cannot be
/// found.
fn interpreter_key(python: &Path) -> Option<Digest> {
    let found = if python.components().count() > 1 {
        python.to_path_buf()
    } else {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .map(|dir| dir.join(python))
            .find(|candidate| candidate.is_file())?
    };
    let identity = |metadata: std::fs::Metadata| -> Vec<u8> {
        let modified = metadata
            .modified()
            .ok()
            .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |elapsed| elapsed.as_nanos());
        let mut bytes = metadata.len().to_le_bytes().to_vec();
        bytes.extend_from_slice(&modified.to_le_bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt as _;
            bytes.extend_from_slice(&metadata.ino().to_le_bytes());
            bytes.extend_from_slice(&metadata.dev().to_le_bytes());
        }
        bytes
    };
    let link = identity(std::fs::symlink_metadata(&found).ok()?);
    let target = identity(std::fs::metadata(&found).ok()?);
    Some(Digest::of_parts(&[
        b"python sys.path",
        found.as_os_str().as_encoded_bytes(),
        &link,
        &target,
    ]))
}

/// The modification time of a folder, as the stored `sys.path` records it.
fn folder_time(path: &Path) -> Option<u128> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    Some(
        modified
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_nanos(),
    )
}

/// The stored `sys.path`, if every folder in it still has the time it had.
fn stored_roots(db: &dyn Db, key: &Digest) -> Option<Vec<PathBuf>> {
    let mut found = None;
    db.with_stored_result(key, &mut |bytes| {
        found = postcard::from_bytes::<Vec<(String, u128)>>(bytes).ok();
    });
    let roots = found?;
    roots
        .into_iter()
        .map(|(path, time)| {
            let path = PathBuf::from(path);
            (folder_time(&path) == Some(time)).then_some(path)
        })
        .collect()
}

fn store_roots(db: &dyn Db, key: &Digest, roots: &[PathBuf]) {
    let entries: Option<Vec<(String, u128)>> = roots
        .iter()
        .map(|root| Some((root.to_str()?.to_string(), folder_time(root)?)))
        .collect();
    if let Some(bytes) = entries.and_then(|entries| postcard::to_allocvec(&entries).ok()) {
        db.store_result(key, bytes);
    }
}

/// Asks the interpreter for its `sys.path`.
fn interpreter_paths(python: &Path) -> Environment {
    let output = Command::new(python)
        .args(["-I", "-c", "import sys\nfor p in sys.path:\n    print(p)"])
        .output();
    match output {
        Ok(output) if output.status.success() => {
            let text = String::from_utf8_lossy(&output.stdout);
            let library_roots = text
                .lines()
                .filter(|line| !line.is_empty())
                .map(PathBuf::from)
                .filter(|path| path.is_dir())
                .collect();
            Environment {
                library_roots,
                problem: None,
            }
        }
        Ok(output) => Environment {
            library_roots: Vec::new(),
            problem: Some(format!(
                "the configured interpreter `{}` failed ({}): {}",
                python.display(),
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            )),
        },
        Err(error) => Environment {
            library_roots: Vec::new(),
            problem: Some(format!(
                "cannot run the configured interpreter `{}`: {error}",
                python.display()
            )),
        },
    }
}

/// Import roots in `sys.path` order: the workspace (its `src/` first when it is a layout folder
/// rather than a package), `extra-paths`, the standard library, then the environment.
pub fn search_roots(
    root: &Path,
    extra_paths: &[String],
    library_roots: Vec<PathBuf>,
) -> Vec<crate::db::SearchRoot> {
    use crate::db::{SearchRoot, SearchRootKind};
    let mut roots = Vec::new();
    let src = root.join("src");
    if src.is_dir() && !src.join("__init__.py").is_file() {
        roots.push(SearchRoot {
            path: src,
            kind: SearchRootKind::Workspace,
        });
    }
    roots.push(SearchRoot {
        path: root.to_path_buf(),
        kind: SearchRootKind::Workspace,
    });
    for extra in extra_paths {
        let extra = Path::new(extra);
        let path = if extra.is_absolute() {
            extra.to_path_buf()
        } else {
            root.join(extra)
        };
        let kind = if path.starts_with(root) {
            SearchRootKind::Workspace
        } else {
            SearchRootKind::Extra
        };
        roots.insert(roots.len() - 1, SearchRoot { path, kind });
    }
    roots.push(SearchRoot {
        path: PathBuf::new(),
        kind: SearchRootKind::BuiltinStdlib,
    });
    for path in library_roots {
        roots.push(SearchRoot {
            path,
            kind: SearchRootKind::Library,
        });
    }
    roots
}

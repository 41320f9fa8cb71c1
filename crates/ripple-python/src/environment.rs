//! Library search roots from a Python environment: the configured interpreter's `sys.path`, or
//! a virtual environment found in the workspace (`.venv`, `venv`) or in `VIRTUAL_ENV`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where library roots came from, for messages and statistics.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    pub library_roots: Vec<PathBuf>,
    pub problem: Option<String>,
}

/// Finds the library roots for a workspace.
pub fn discover_environment(root: &Path, python: Option<&Path>) -> Environment {
    if let Some(python) = python {
        let python = if python.is_absolute() {
            python.to_path_buf()
        } else if python.components().count() > 1 {
            root.join(python)
        } else {
            python.to_path_buf()
        };
        return interpreter_paths(&python);
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

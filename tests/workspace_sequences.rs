//! Random multi-file sequences: definitions that other files import appear and go, modules are
//! created, renamed and deleted (so imports resolve and stop resolving), `__all__` changes,
//! `__init__.py` comes and goes, the configuration changes, and some steps land as one batch
//! (a checkout). Changes reach the workspace the way the server applies them: an editor's text
//! through `add_file`, disk changes through `apply_file_changes`, a configuration change by
//! reloading. After every step, every file's diagnostics equal a fresh load of the same files.
//!
//! A failure is shrunk (operations dropped while it still fails) and printed. `RIPPLE_WORKSPACE_STEPS`
//! and `RIPPLE_WORKSPACE_SEED` run longer or other sequences (see docs/testing.md).

use std::path::PathBuf;

use ripple_tests::{Rng, canonical, check_all, env_count, languages, write_contents, write_tree};
use ripple_workspace::Workspace;

/// Modules the sequences write, as paths under the root. `pkg/__init__.py` is toggled; `lib/` is
/// only importable while the configuration names it in `extra-paths`.
const MODULES: &[&str] = &[
    "a.py",
    "b.py",
    "c.py",
    "stubbed.pyi",
    "pkg/__init__.py",
    "pkg/m.py",
    "pkg/n.py",
    "pkg/sub/x.py",
    "lib/extra.py",
];

/// Names modules define, import and export.
const NAMES: &[&str] = &["alpha", "beta", "gamma", "delta"];

/// Module names as imports spell them, including ones that never exist.
const IMPORTABLE: &[&str] = &[
    "a",
    "b",
    "c",
    "stubbed",
    "pkg",
    "pkg.m",
    "pkg.n",
    "pkg.sub",
    "pkg.sub.x",
    "extra",
    "missing",
    "os",
];

const CONFIGS: &[&str] = &[
    "",
    "ignore = [\"unused-import\"]\n",
    "extra-paths = [\"lib\"]\n",
    "extra-paths = [\"lib\"]\nselect = [\"unresolved-import\", \"missing-module-member\"]\n",
    "exclude = [\"pkg/sub\"]\n",
    "this is not toml\n",
];

/// `.gitignore` contents: folders, globs, and a re-included file under an ignored folder's
/// contents.
const IGNORES: &[&str] = &[
    "",
    "pkg/sub/\n",
    "lib\n",
    "*.pyi\n",
    "pkg/sub/*\n!pkg/sub/x.py\n",
    "/b.py\n",
];

#[derive(Debug, Clone)]
enum Operation {
    /// The editor's text for a file: it opens (or stays open) and wins over the disk.
    EditorWrite {
        path: String,
        text: String,
    },
    /// The editor closes the file: the disk is the truth again.
    EditorClose {
        path: String,
    },
    /// A file written on disk, seen by the watcher.
    DiskWrite {
        path: String,
        text: String,
    },
    DiskDelete {
        path: String,
    },
    /// Several disk changes delivered together (a checkout, a rename).
    Batch(Vec<Operation>),
    /// `ripple.toml` rewritten: the server reloads the workspace.
    Config {
        text: String,
    },
    /// `.gitignore` rewritten: the walked files change, and the server reloads too.
    Ignore {
        text: String,
    },
}

#[test]
fn random_multi_file_sequences_match_a_fresh_check() {
    let steps = env_count("RIPPLE_WORKSPACE_STEPS", 1_000);
    let seed = env_count("RIPPLE_WORKSPACE_SEED", 0xf11e5) as u64;
    let mut random = Rng::new(seed);
    let mut model = Model::new();
    let mut applied = Vec::new();
    for step in 0..steps {
        let operation = random_operation(&mut random, &model.existing());
        applied.push(operation.clone());
        if let Err(failure) = model.apply(&operation) {
            let shrunk = shrink(applied);
            panic!(
                "step {step} (seed {seed}): {failure}\nshrunk to {} operation(s), keep it as a \
                 regression case:\n{shrunk:#?}",
                shrunk.len()
            );
        }
    }
    eprintln!("{steps} workspace steps, no mismatch");
}

/// Sequences a generator once found failing, shrunk; each must stay fixed.
#[test]
fn regression_sequences() {
    let cases: Vec<Vec<Operation>> = vec![
        // A file written in a `.gitignore`d folder is not the workspace's: a watcher's event once
        // added it, where a fresh walk skips it.
        vec![
            Operation::Ignore {
                text: "lib\n".into(),
            },
            Operation::DiskWrite {
                path: "lib/extra.py".into(),
                text: "import os\n".into(),
            },
        ],
        // A module created in an excluded folder is not a workspace file, but it is importable:
        // resolution once kept its cached "no such file" for the folder.
        vec![
            Operation::Config {
                text: "exclude = [\"pkg/sub\"]\n".into(),
            },
            Operation::DiskWrite {
                path: "c.py".into(),
                text: "from pkg.sub.x import *\n".into(),
            },
            Operation::DiskWrite {
                path: "pkg/sub/x.py".into(),
                text: "alpha = 1\n".into(),
            },
        ],
        // A stub and a module of one name: the stub wins until it is deleted.
        vec![
            Operation::DiskWrite {
                path: "stubbed.pyi".into(),
                text: "alpha: int\n".into(),
            },
            Operation::DiskWrite {
                path: "a.py".into(),
                text: "from stubbed import alpha, beta\nprint(alpha, beta)\n".into(),
            },
            Operation::DiskDelete {
                path: "stubbed.pyi".into(),
            },
        ],
    ];
    for operations in cases {
        if let Err(failure) = replay(&operations) {
            panic!("{operations:#?}: {failure}");
        }
    }
}

fn random_operation(random: &mut Rng, existing: &[String]) -> Operation {
    match random.below(100) {
        0..=39 => {
            let path = MODULES[random.below(MODULES.len())].to_string();
            let text = random_module(random);
            if random.below(4) == 0 {
                Operation::EditorWrite { path, text }
            } else {
                Operation::DiskWrite { path, text }
            }
        }
        40..=59 if !existing.is_empty() => {
            // A small change to an existing module: a line added or removed.
            let path = existing[random.below(existing.len())].clone();
            Operation::DiskWrite {
                text: String::new(),
                path: format!("{path}\0tweak{}", random.next_u64()),
            }
        }
        60..=69 if !existing.is_empty() => Operation::DiskDelete {
            path: existing[random.below(existing.len())].clone(),
        },
        70..=77 if !existing.is_empty() => {
            // A rename: the old name disappears and the new one appears in one batch.
            let from = existing[random.below(existing.len())].clone();
            let to = MODULES[random.below(MODULES.len())].to_string();
            Operation::Batch(vec![
                Operation::DiskDelete { path: from.clone() },
                Operation::DiskWrite {
                    path: to,
                    text: format!("{from}\0copy"),
                },
            ])
        }
        78..=85 => Operation::Batch(
            (0..2 + random.below(5))
                .map(|_| {
                    let path = MODULES[random.below(MODULES.len())].to_string();
                    if random.below(4) == 0 {
                        Operation::DiskDelete { path }
                    } else {
                        Operation::DiskWrite {
                            path,
                            text: random_module(random),
                        }
                    }
                })
                .collect(),
        ),
        86..=88 => Operation::EditorClose {
            path: MODULES[random.below(MODULES.len())].to_string(),
        },
        89..=90 => Operation::Config {
            text: CONFIGS[random.below(CONFIGS.len())].to_string(),
        },
        91..=92 => Operation::Ignore {
            text: IGNORES[random.below(IGNORES.len())].to_string(),
        },
        _ => {
            // Toggle the package's `__init__.py`.
            let path = "pkg/__init__.py".to_string();
            if existing.contains(&path) {
                Operation::DiskDelete { path }
            } else {
                Operation::DiskWrite {
                    path,
                    text: random_module(random),
                }
            }
        }
    }
}

/// A module of a few random lines: definitions, imports of every form, uses, `__all__`.
fn random_module(random: &mut Rng) -> String {
    let mut text = String::new();
    for _ in 0..1 + random.below(6) {
        text.push_str(&random_line(random));
    }
    text
}

fn random_line(random: &mut Rng) -> String {
    let name = NAMES[random.below(NAMES.len())];
    let other = NAMES[random.below(NAMES.len())];
    let module = IMPORTABLE[random.below(IMPORTABLE.len())];
    match random.below(16) {
        0 | 1 => format!("{name} = 1\n"),
        2 => format!("def {name}():\n    return {other}\n"),
        3 => format!("class {name}:\n    pass\n"),
        4 | 5 => format!("from {module} import {name}\n"),
        6 => format!("import {module}\n"),
        7 => format!("from . import {name}\n"),
        8 => format!(
            "from .{} import {name}\n",
            ["m", "n", "sub", "x"][random.below(4)]
        ),
        9 => format!("from {module} import *\n"),
        10 => format!("__all__ = [\"{name}\", \"{other}\"]\n"),
        11 => format!("__all__ += [\"{name}\"]\n"),
        12 => format!("print({name})\n"),
        13 => format!("import {module} as alias\nprint(alias.{name})\n"),
        14 => format!(
            "try:\n    import {module}\nexcept ImportError:\n    {module_name} = None\n",
            module_name = module.replace('.', "_")
        ),
        _ => "def __getattr__(name):\n    return name\n".to_string(),
    }
}

/// The files on disk, the editor's open documents and the incremental workspace.
struct Model {
    _dir: tempfile::TempDir,
    root: PathBuf,
    /// Open documents (relative path -> the editor's text).
    open: std::collections::BTreeMap<String, String>,
    /// What each deleted file held when it was deleted (`None`: it did not exist).
    deleted: std::collections::BTreeMap<String, Option<String>>,
    workspace: Workspace,
}

impl Model {
    fn new() -> Self {
        let dir = write_tree(&[
            ("ripple.toml", ""),
            ("a.py", "from b import alpha\nprint(alpha)\n"),
            ("b.py", "alpha = 1\n"),
        ]);
        let root = canonical(dir.path());
        let workspace = Workspace::load(&root, &[], &languages());
        Self {
            _dir: dir,
            root,
            open: Default::default(),
            deleted: Default::default(),
            workspace,
        }
    }

    /// Module paths that exist on disk, relative to the root.
    fn existing(&self) -> Vec<String> {
        MODULES
            .iter()
            .filter(|path| self.root.join(path).is_file())
            .map(|path| path.to_string())
            .collect()
    }

    fn apply(&mut self, operation: &Operation) -> Result<(), String> {
        match operation {
            Operation::EditorWrite { path, text } => {
                self.open.insert(path.clone(), text.clone());
                self.workspace.set_document_text(
                    &self.root.join(path),
                    text.as_str().into(),
                    None,
                    None,
                );
            }
            Operation::EditorClose { path } => {
                if self.open.remove(path).is_some() {
                    self.workspace.close_document(&self.root.join(path));
                }
            }
            Operation::Config { text } => {
                write_contents(&self.root.join("ripple.toml"), text);
                self.workspace = self.load();
            }
            Operation::Ignore { text } => {
                write_contents(&self.root.join(".gitignore"), text);
                self.workspace = self.load();
            }
            Operation::DiskWrite { .. } | Operation::DiskDelete { .. } | Operation::Batch(_) => {
                let mut changed = Vec::new();
                self.apply_on_disk(operation, &mut changed);
                // The editor's text wins over the disk while a document is open.
                changed.retain(|path| {
                    let relative = path.strip_prefix(&self.root).unwrap_or(path);
                    !self
                        .open
                        .contains_key(&relative.to_string_lossy().to_string())
                });
                self.workspace.apply_disk_changes(changed);
            }
        }
        self.compare()
    }

    /// Changes the disk and collects what the watcher would report.
    fn apply_on_disk(&mut self, operation: &Operation, changed: &mut Vec<PathBuf>) {
        match operation {
            Operation::DiskWrite { path, text } => {
                let (path, text) = self.resolve_placeholder(path, text);
                let full = self.root.join(&path);
                write_contents(&full, &text);
                changed.push(full);
            }
            Operation::DiskDelete { path } => {
                let full = self.root.join(path);
                let held = match self.open.get(path) {
                    Some(text) => Some(text.clone()),
                    None => std::fs::read_to_string(&full).ok(),
                };
                self.deleted.insert(path.clone(), held);
                let _ = std::fs::remove_file(&full);
                changed.push(full);
            }
            Operation::Batch(operations) => {
                for operation in operations {
                    self.apply_on_disk(operation, changed);
                }
            }
            Operation::EditorWrite { .. }
            | Operation::EditorClose { .. }
            | Operation::Config { .. }
            | Operation::Ignore { .. } => {}
        }
    }

    /// Tweaks and renames name their text by what is on disk when they run (so a shrunk sequence
    /// stays meaningful): `PATH\0tweakN` adds or drops a line of PATH, and the text
    /// `FROM\0copy` is what FROM held before it was deleted (its last text: the editor's while it
    /// was open, else the disk's).
    fn resolve_placeholder(&self, path: &str, text: &str) -> (String, String) {
        if let Some((path, tweak)) = path.split_once("\0tweak") {
            let old = std::fs::read_to_string(self.root.join(path)).unwrap_or_default();
            let seed: u64 = tweak.parse().unwrap_or(0);
            return (path.to_string(), tweak_text(&old, seed));
        }
        if let Some((from, _)) = text.split_once("\0copy") {
            let held = self.deleted.get(from).cloned().flatten();
            return (path.to_string(), held.unwrap_or_default());
        }
        (path.to_string(), text.to_string())
    }

    /// A fresh load, as the server makes one: the walk, then the open documents' texts (an open
    /// document is checked even where the walk would skip it).
    fn load(&self) -> Workspace {
        let mut workspace = Workspace::load(&self.root, &[], &languages());
        for (path, text) in &self.open {
            workspace.set_document_text(&self.root.join(path), text.as_str().into(), None, None);
        }
        workspace
    }

    fn compare(&self) -> Result<(), String> {
        let incremental = check_all(&self.workspace);
        let fresh = check_all(&self.load());
        if incremental == fresh {
            return Ok(());
        }
        let files: Vec<String> = MODULES
            .iter()
            .filter_map(|path| {
                let text = std::fs::read_to_string(self.root.join(path)).ok()?;
                Some(format!("--- {path}\n{text}"))
            })
            .collect();
        let differing: Vec<String> = incremental
            .iter()
            .chain(&fresh)
            .filter(|report| !(incremental.contains(report) && fresh.contains(report)))
            .map(|(path, diagnostics)| {
                let side = if incremental.contains(&(path.clone(), diagnostics.clone())) {
                    "incremental"
                } else {
                    "fresh"
                };
                let lines: Vec<String> = diagnostics
                    .iter()
                    .map(|d| {
                        format!(
                            "    {}..{} {} {}",
                            d.range.start, d.range.end, d.code, d.message
                        )
                    })
                    .collect();
                format!("{side} {path}:\n{}", lines.join("\n"))
            })
            .collect();
        Err(format!(
            "incremental and fresh checks differ\nfiles:\n{}\ndiffering reports:\n{}",
            files.join(""),
            differing.join("\n")
        ))
    }
}

/// Adds a random line to a module or drops one of its lines.
fn tweak_text(old: &str, seed: u64) -> String {
    let mut random = Rng::new(seed);
    let mut lines: Vec<String> = old.lines().map(|line| format!("{line}\n")).collect();
    if !lines.is_empty() && random.below(2) == 0 {
        lines.remove(random.below(lines.len()));
    } else {
        let at = random.below(lines.len() + 1);
        lines.insert(at, random_line(&mut random));
    }
    lines.concat()
}

fn replay(operations: &[Operation]) -> Result<(), String> {
    let mut model = Model::new();
    for operation in operations {
        model.apply(operation)?;
    }
    Ok(())
}

/// Drops blocks of operations, halving the block size, while the sequence still fails (the
/// delta-debugging way: long failing runs shrink in few replays).
fn shrink(mut operations: Vec<Operation>) -> Vec<Operation> {
    let mut block = operations.len().div_ceil(2).max(1);
    loop {
        let mut start = 0;
        while start < operations.len() {
            let end = (start + block).min(operations.len());
            let mut candidate = operations.clone();
            candidate.drain(start..end);
            if replay(&candidate).is_err() {
                operations = candidate;
            } else {
                start = end;
            }
        }
        if block == 1 {
            return operations;
        }
        block = block.div_ceil(2);
    }
}

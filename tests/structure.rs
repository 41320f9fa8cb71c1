//! The house rules of docs/architecture.md, checked on the sources themselves:
//!
//! 1. no file-level import circle inside a crate: if `a.rs` names something of `b.rs`, nothing
//!    `b.rs` names leads back to `a.rs` (the crate root, which only declares and re-exports,
//!    is not a node);
//! 2. no hand-written source file over 800 lines unless its header says why (a `//! Long file:`
//!    line);
//! 3. the workspace, the server and the core depend on no language crate, and the binary names
//!    a language crate only in `main.rs`, where languages are registered.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const LONG_FILE_LINES: usize = 800;
const LANGUAGE_CRATES: &[&str] = &["ripple_python"];

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("crates")
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            found.push(path);
        }
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

/// A file's module path inside its crate (`semantic/checker`, `semantic` for
/// `semantic/mod.rs`), or `None` for the crate root.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).ok()?.with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|last| last == "mod") {
        parts.pop();
    }
    if parts.len() == 1 && (parts[0] == "lib" || parts[0] == "main") {
        return None;
    }
    Some(parts.join("/"))
}

/// The code that is not a unit-test module (tests may reach anywhere).
fn without_tests(text: &str) -> &str {
    match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    }
}

/// Every path a `use` item names, its groups expanded: `use crate::{a::X, b::{Y, Z}}` names
/// `crate::a::X`, `crate::b::Y` and `crate::b::Z`.
fn use_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        // A `use` item starts its line (after `pub`, `pub(crate)`, ...); "use `{x}`" in a
        // message is not one.
        let line_start = rest[..at].rfind('\n').map_or(0, |newline| newline + 1);
        let before = rest[line_start..at].trim();
        let boundary = before.is_empty() || before.starts_with("pub");
        let after = &rest[at + 4..];
        let Some(end) = after.find(';') else { break };
        if boundary {
            expand("", &after[..end], &mut paths);
        }
        rest = &after[end..];
    }
    paths
}

fn expand(prefix: &str, tree: &str, paths: &mut Vec<String>) {
    let tree: String = tree.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(open) = tree.find('{') else {
        let path = tree.split(" as ").next().unwrap_or("").to_string();
        paths.push(format!("{prefix}{path}"));
        return;
    };
    let head = format!("{prefix}{}", &tree[..open]);
    let close = tree
        .rfind('}')
        .filter(|&close| close > open)
        .unwrap_or(tree.len());
    let inner = &tree[open + 1..close];
    let mut depth = 0;
    let mut start = 0;
    for (index, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                expand(&head, &inner[start..index], paths);
                start = index + 1;
            }
            _ => {}
        }
    }
    if start < inner.len() {
        expand(&head, &inner[start..], paths);
    }
}

/// Paths written inline in code: `crate::a::b(...)`, `super::x`.
fn inline_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for keyword in ["crate::", "super::", "self::"] {
        let mut rest = code;
        while let Some(at) = rest.find(keyword) {
            let boundary = at == 0 || {
                let before = rest.as_bytes()[at - 1];
                !(before.is_ascii_alphanumeric() || before == b'_' || before == b':')
            };
            let tail: String = rest[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            // `super::{a, b}` is a `use` group, read by `use_paths`.
            let named = tail.trim_end_matches(':');
            if boundary && named.contains("::") {
                paths.push(named.to_string());
            }
            rest = &rest[at + keyword.len()..];
        }
    }
    paths
}

/// The module a path names (the longest prefix that is a file of the crate), from `current`.
fn target(
    current: &str,
    is_mod_file: bool,
    path: &str,
    modules: &BTreeSet<String>,
) -> Option<String> {
    let mut parts: Vec<&str> = path.split("::").filter(|part| !part.is_empty()).collect();
    let mut base: Vec<String> = Vec::new();
    let here: Vec<String> = current.split('/').map(str::to_string).collect();
    match parts.first().copied() {
        Some("crate") => {
            parts.remove(0);
        }
        Some("super") => {
            // `super` of `a/b.rs` is `a`; of `a/mod.rs` (module `a`) the crate root.
            base = here.clone();
            if !is_mod_file || !current.is_empty() {
                base.pop();
            }
            parts.remove(0);
            while parts.first() == Some(&"super") {
                base.pop();
                parts.remove(0);
            }
        }
        Some("self") => {
            base = here.clone();
            parts.remove(0);
        }
        Some(first) => {
            // A child module of a `mod.rs` file, named without `self::`.
            let child = format!("{current}/{first}");
            if !is_mod_file || !modules.contains(&child) {
                return None;
            }
            base = here.clone();
        }
        None => return None,
    }
    (0..=parts.len()).rev().find_map(|taken| {
        let mut module = base.clone();
        module.extend(parts[..taken].iter().map(|part| part.to_string()));
        let module = module.join("/");
        modules.contains(&module).then_some(module)
    })
}

/// Import edges between the files of one crate.
fn import_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let named: Vec<(String, PathBuf)> = files
        .iter()
        .filter_map(|file| Some((module_of(src, file)?, file.clone())))
        .collect();
    let modules: BTreeSet<String> = named.iter().map(|(module, _)| module.clone()).collect();
    let mut graph = BTreeMap::new();
    for (module, file) in &named {
        let text = read(file);
        let code = without_tests(&text);
        let is_mod_file = file.file_name().is_some_and(|name| name == "mod.rs");
        let mut edges = BTreeSet::new();
        for path in use_paths(code).into_iter().chain(inline_paths(code)) {
            if let Some(target) = target(module, is_mod_file, &path, &modules)
                && &target != module
            {
                edges.insert(target);
            }
        }
        graph.insert(module.clone(), edges);
    }
    graph
}

/// The circles of a graph: its strongly connected components of more than one node.
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let reaches = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_string()];
        while let Some(node) = stack.pop() {
            for next in graph.get(&node).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        seen
    };
    let reach: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|node| (node, reaches(node))).collect();
    let mut found: Vec<Vec<String>> = Vec::new();
    for node in graph.keys() {
        let circle: Vec<String> = graph
            .keys()
            .filter(|other| {
                *other == node || (reach[node].contains(*other) && reach[other].contains(node))
            })
            .cloned()
            .collect();
        if circle.len() > 1 && !found.contains(&circle) {
            found.push(circle);
        }
    }
    found
}

fn crate_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(crates_dir())
        .unwrap_or_else(|error| panic!("cannot list crates/: {error}"))
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.join("src").is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn no_file_imports_a_file_that_imports_it_back() {
    let mut problems = Vec::new();
    for dir in crate_dirs() {
        for circle in circles(&import_graph(&dir.join("src"))) {
            problems.push(format!("{}: {}", dir.display(), circle.join(" <-> ")));
        }
    }
    assert!(
        problems.is_empty(),
        "import circles:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_checker_sees_circles() {
    let mut graph = BTreeMap::new();
    graph.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    graph.insert("b".to_string(), BTreeSet::from(["c".to_string()]));
    graph.insert("c".to_string(), BTreeSet::from(["a".to_string()]));
    graph.insert("d".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(circles(&graph), vec![vec!["a", "b", "c"]]);
    let modules: BTreeSet<String> = [
        "semantic",
        "semantic/checker",
        "semantic/fork",
        "semantic/scope",
        "db",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    let found = |current: &str, is_mod: bool, code: &str| -> BTreeSet<String> {
        use_paths(code)
            .into_iter()
            .chain(inline_paths(code))
            .filter_map(|path| target(current, is_mod, &path, &modules))
            .collect()
    };
    let set = |modules: &[&str]| -> BTreeSet<String> {
        modules.iter().map(|module| module.to_string()).collect()
    };
    assert_eq!(
        found(
            "semantic/checker",
            false,
            "use super::scope::{Scope, Binding};\nuse super::{fork::F, scope::S};"
        ),
        set(&["semantic/fork", "semantic/scope"])
    );
    assert_eq!(
        found("semantic", true, "pub use checker::analyze;"),
        set(&["semantic/checker"])
    );
    assert_eq!(
        found(
            "semantic/scope",
            false,
            "let x = crate::db::search_roots(db);"
        ),
        set(&["db"])
    );
    assert_eq!(found("db", false, "use std::path::Path;"), set(&[]));
}

#[test]
fn long_files_say_why() {
    let mut problems = Vec::new();
    for dir in crate_dirs() {
        let mut files = Vec::new();
        rust_files(&dir.join("src"), &mut files);
        for file in files {
            let text = read(&file);
            let lines = text.lines().count();
            let header_says_why = text
                .lines()
                .take_while(|line| line.starts_with("//!") || line.is_empty())
                .any(|line| line.starts_with("//! Long file:"));
            if lines > LONG_FILE_LINES && !header_says_why {
                problems.push(format!("{} ({lines} lines)", file.display()));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "files over {LONG_FILE_LINES} lines whose header has no `//! Long file:` line:\n{}",
        problems.join("\n")
    );
}

#[test]
fn only_the_binary_names_a_language_crate() {
    let mut problems = Vec::new();
    for dir in crate_dirs() {
        let name = dir
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let is_language = LANGUAGE_CRATES
            .iter()
            .any(|language| language.replace('_', "-") == name);
        if is_language {
            continue;
        }
        let manifest = read(&dir.join("Cargo.toml"));
        for language in LANGUAGE_CRATES {
            let dependency = language.replace('_', "-");
            let depends = manifest
                .lines()
                .any(|line| line.trim_start().starts_with(&dependency));
            if depends && name != "ripple" {
                problems.push(format!("{name}/Cargo.toml depends on {dependency}"));
            }
        }
        let mut files = Vec::new();
        rust_files(&dir.join("src"), &mut files);
        for file in files {
            let text = read(&file);
            let registers = name == "ripple" && file.ends_with("src/main.rs");
            for language in LANGUAGE_CRATES {
                if text.contains(language) && !registers {
                    problems.push(format!("{} names {language}", file.display()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

//! The language boundary end to end in the engine, with the toy language beside Python in one
//! workspace: the workspace finds and checks toy files, the language-neutral dependency graph
//! knows their dependents, and salsa re-runs exactly what an edit ripples into.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ripple_core::{FileContents, Languages};
use ripple_tests::{Rng, canonical, check_all, write_tree};
use ripple_workspace::Workspace;
use salsa::plumbing::AsId;

fn languages() -> Languages {
    Languages::new(vec![
        Arc::new(ripple_python::Python),
        Arc::new(ripple_toy::Toy),
    ])
}

const SHAPES: &str = "def circle\ndef square\n";

fn workspace() -> (tempfile::TempDir, PathBuf, Workspace) {
    let dir = write_tree(&[
        ("ripple.toml", ""),
        ("shapes.toy", SHAPES),
        ("round.toy", "import shapes\nuse shapes.circle\n"),
        ("boxy.toy", "import shapes\nuse shapes.square\n"),
        ("alone.toy", "def nothing\n"),
        ("app.py", "import os\n\nprint(os.sep)\n"),
    ]);
    let root = canonical(dir.path());
    let workspace = Workspace::load(&root, &[], &languages());
    (dir, root, workspace)
}

fn edit(workspace: &mut Workspace, root: &Path, file: &str, text: &str) {
    let path = root.join(file);
    std::fs::write(&path, text).unwrap_or_else(|error| panic!("{error}"));
    workspace
        .set_file_contents(&path, FileContents::Text(text.into()))
        .unwrap_or_else(|| panic!("{file} is not in the workspace"));
}

/// The (query, file) pairs that executed since recording started, outside `edited`.
fn executed_outside(workspace: &Workspace, edited: &str) -> BTreeSet<(String, String)> {
    let records = workspace.db().stats().take_recording();
    let files: Vec<(salsa::Id, String)> = workspace
        .files()
        .iter()
        .map(|file| {
            (
                file.as_id(),
                workspace.display_path(file.path(workspace.db())),
            )
        })
        .collect();
    records
        .iter()
        .filter_map(|record| {
            let (_, path) = files.iter().find(|(id, _)| *id == record.key)?;
            Some((workspace.db().query_name(record.ingredient), path.clone()))
        })
        .filter(|(_, path)| path != edited)
        .collect()
}

fn codes_of(report: &[(String, Vec<ripple_core::Diagnostic>)], path: &str) -> Vec<&'static str> {
    report
        .iter()
        .find(|(file, _)| file == path)
        .map(|(_, diagnostics)| diagnostics.iter().map(|d| d.code).collect())
        .unwrap_or_default()
}

#[test]
fn both_languages_are_found_and_checked() {
    let (_dir, _root, workspace) = workspace();
    let paths: Vec<String> = workspace
        .files()
        .iter()
        .map(|file| workspace.display_path(file.path(workspace.db())))
        .collect();
    assert_eq!(
        paths,
        ["alone.toy", "app.py", "boxy.toy", "round.toy", "shapes.toy"]
    );
    let report = check_all(&workspace);
    assert!(
        report.iter().all(|(_, diagnostics)| diagnostics.is_empty()),
        "{report:?}"
    );
}

#[test]
fn an_edit_that_keeps_the_exports_reruns_nothing_in_dependents() {
    let (_dir, root, mut workspace) = workspace();
    check_all(&workspace);
    workspace.db().stats().start_recording();
    edit(
        &mut workspace,
        &root,
        "shapes.toy",
        "# shapes\ndef circle\n\ndef square\n",
    );
    check_all(&workspace);
    let elsewhere = executed_outside(&workspace, "shapes.toy");
    assert!(elsewhere.is_empty(), "re-ran {elsewhere:?}");
}

#[test]
fn removing_a_name_reruns_only_its_users_and_the_graph_reaches_only_them() {
    let (_dir, root, mut workspace) = workspace();
    check_all(&workspace);
    workspace.build_graph(&[]);
    let shapes = workspace
        .file(&root.join("shapes.toy"))
        .unwrap_or_else(|| panic!("no shapes.toy"));

    workspace.db().stats().start_recording();
    edit(&mut workspace, &root, "shapes.toy", "def circle\n");
    let reached: Vec<String> = workspace
        .reach(&[shapes])
        .unwrap_or_else(|| panic!("the graph was built"))
        .iter()
        .map(|file| workspace.display_path(file.path(workspace.db())))
        .collect();
    assert_eq!(reached, ["shapes.toy", "boxy.toy"], "only boxy uses square");
    workspace.confirm_reached();

    let after = check_all(&workspace);
    let elsewhere = executed_outside(&workspace, "shapes.toy");
    let expected: BTreeSet<(String, String)> = [
        ("all_diagnostics".to_string(), "boxy.toy".to_string()),
        ("import_diagnostics".to_string(), "boxy.toy".to_string()),
    ]
    .into_iter()
    .collect();
    assert_eq!(elsewhere, expected);
    assert_eq!(codes_of(&after, "boxy.toy"), ["missing-module-member"]);
    assert!(codes_of(&after, "round.toy").is_empty());

    // Putting the name back reaches boxy again, and nothing else.
    edit(&mut workspace, &root, "shapes.toy", SHAPES);
    let reached = workspace.reach(&[shapes]).unwrap_or_default();
    assert_eq!(reached.len(), 2, "shapes.toy and boxy.toy");
}

#[test]
fn a_new_or_removed_file_changes_what_imports_resolve_to() {
    let (_dir, root, mut workspace) = workspace();
    check_all(&workspace);
    let circles = root.join("circles.toy");
    std::fs::write(
        &circles,
        "import shapes\nuse shapes.circle\nuse shapes.oval\n",
    )
    .unwrap_or_else(|error| panic!("{error}"));
    workspace.apply_disk_changes(vec![circles.clone()]);
    assert!(!workspace.has_graph(), "the file set changed");
    let report = check_all(&workspace);
    assert_eq!(codes_of(&report, "circles.toy"), ["missing-module-member"]);

    std::fs::remove_file(root.join("shapes.toy")).unwrap_or_else(|error| panic!("{error}"));
    workspace.apply_disk_changes(vec![root.join("shapes.toy")]);
    let report = check_all(&workspace);
    assert_eq!(codes_of(&report, "round.toy"), ["unresolved-import"]);
    assert_eq!(codes_of(&report, "circles.toy"), ["unresolved-import"]);
}

/// After any sequence of edits, additions and removals of toy and Python files, the
/// incremental result equals a fresh load of the same files.
#[test]
fn incremental_results_equal_a_fresh_load() {
    const TEXTS: &[&str] = &[
        "def circle\ndef square\n",
        "def circle\n",
        "import shapes\nuse shapes.circle\nuse shapes.square\n",
        "import boxy\nuse boxy.anything\n",
        "this is not toy\n",
        "use shapes.circle # allow\n",
        "import shapes\nuse shapes.triangle # allow: T2\n",
    ];
    const FILES: &[&str] = &["shapes.toy", "round.toy", "boxy.toy", "extra.toy"];
    let (_dir, root, mut workspace) = workspace();
    let mut random = Rng::new(11);
    for step in 0..80 {
        let name = FILES[random.below(FILES.len())];
        let path = root.join(name);
        if random.below(5) == 0 && path.exists() {
            std::fs::remove_file(&path).unwrap_or_else(|error| panic!("{error}"));
            workspace.apply_disk_changes(vec![path]);
        } else {
            let text = TEXTS[random.below(TEXTS.len())];
            std::fs::write(&path, text).unwrap_or_else(|error| panic!("{error}"));
            workspace.apply_disk_changes(vec![path]);
        }
        let incremental = check_all(&workspace);
        let fresh = check_all(&Workspace::load(&root, &[], &languages()));
        assert_eq!(incremental, fresh, "step {step}");
    }
}

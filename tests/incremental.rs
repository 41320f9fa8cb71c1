//! The incremental engine's invariants, proven by reading salsa's execution events:
//!
//! 1. an edit inside a function body of `b.py` re-runs nothing for the files that import `b`;
//! 2. removing a name from `b.py` re-runs the import checks of the files that import that name
//!    from `b`, and nothing else for any other file, even files importing other names from `b`;
//! 3. after any sequence of edits, the incremental result equals a from-scratch check.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ripple_core::{ExecutionRecord, FileContents};
use ripple_tests::{Rng, canonical, check_all, languages, write_tree};
use ripple_workspace::Workspace;
use salsa::plumbing::AsId;

const B_ORIGINAL: &str = "def helper():\n    return 1\n\n\nCONSTANT = 2\n";

fn workspace() -> (tempfile::TempDir, PathBuf, Workspace) {
    let dir = write_tree(&[
        ("ripple.toml", ""),
        ("b.py", B_ORIGINAL),
        (
            "a.py",
            "from b import helper, CONSTANT\n\nprint(helper(), CONSTANT)\n",
        ),
        ("d.py", "import b\n\nprint(b.helper())\n"),
        ("f.py", "from b import helper\n\nprint(helper())\n"),
        ("c.py", "import os\n\nprint(os.sep)\n"),
    ]);
    let root = canonical(dir.path());
    let workspace = Workspace::load(&root, &[], &languages());
    (dir, root, workspace)
}

/// The (query, file) pairs that executed, for queries keyed by a file.
fn executions(workspace: &Workspace, records: &[ExecutionRecord]) -> BTreeSet<(String, String)> {
    let by_id: Vec<(salsa::Id, String)> = workspace
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
            let (_, path) = by_id.iter().find(|(id, _)| *id == record.key)?;
            let query = workspace.db().query_name(record.ingredient);
            Some((query, path.clone()))
        })
        .collect()
}

/// Stops recording and returns the (query, file) executions for files other than `edited`.
fn executions_outside(workspace: &Workspace, edited: &str) -> BTreeSet<(String, String)> {
    let records = workspace.db().stats().take_recording();
    executions(workspace, &records)
        .into_iter()
        .filter(|(_, file)| file != edited)
        .collect()
}

fn edit(workspace: &mut Workspace, root: &Path, file: &str, text: &str) {
    let path = root.join(file);
    std::fs::write(&path, text).unwrap_or_else(|error| panic!("{error}"));
    workspace
        .set_file_contents(&path, FileContents::Text(text.into()))
        .unwrap_or_else(|| panic!("{file} is not in the workspace"));
}

#[test]
fn a_body_edit_reruns_nothing_in_importers() {
    let (_dir, root, mut workspace) = workspace();
    let before = check_all(&workspace);
    assert!(
        before.iter().all(|(_, diagnostics)| diagnostics.is_empty()),
        "{before:?}"
    );

    workspace.db().stats().start_recording();
    edit(
        &mut workspace,
        &root,
        "b.py",
        &B_ORIGINAL.replace("return 1", "x = 41\n    return x + 1"),
    );
    let after = check_all(&workspace);
    let records = workspace.db().stats().take_recording();
    let ran = executions(&workspace, &records);

    assert!(ran.contains(&("analysis".into(), "b.py".into())), "{ran:?}");
    let elsewhere: Vec<_> = ran.iter().filter(|(_, file)| file != "b.py").collect();
    assert!(
        elsewhere.is_empty(),
        "an edit inside b's function body re-ran {elsewhere:?}"
    );
    assert_eq!(before, after);
}

#[test]
fn removing_a_name_reruns_only_the_importers_import_checks() {
    let (_dir, root, mut workspace) = workspace();
    check_all(&workspace);

    workspace.db().stats().start_recording();
    edit(
        &mut workspace,
        &root,
        "b.py",
        "def helper():\n    return 1\n",
    );
    let after = check_all(&workspace);
    let elsewhere = executions_outside(&workspace, "b.py");
    let expected: BTreeSet<(String, String)> = [
        ("import_diagnostics".to_string(), "a.py".to_string()),
        ("all_diagnostics".to_string(), "a.py".to_string()),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        elsewhere, expected,
        "only a.py imports CONSTANT from b; f.py imports only helper"
    );

    let a = after
        .iter()
        .find(|(path, _)| path == "a.py")
        .map(|(_, d)| d.clone())
        .unwrap_or_default();
    let codes: Vec<&str> = a.iter().map(|diagnostic| diagnostic.code).collect();
    assert_eq!(codes, vec!["missing-module-member"]);

    // Putting the name back clears the finding, again re-running only a's import checks.
    workspace.db().stats().start_recording();
    edit(&mut workspace, &root, "b.py", B_ORIGINAL);
    let restored = check_all(&workspace);
    assert_eq!(executions_outside(&workspace, "b.py"), expected);
    assert!(
        restored
            .iter()
            .all(|(_, diagnostics)| diagnostics.is_empty())
    );
}

const B_VARIANTS: &[&str] = &[
    B_ORIGINAL,
    "def helper():\n    return 1\n",
    "CONSTANT = 3\n",
    "def helper(:\n",
    "from c import *\n",
    "def __getattr__(name):\n    return name\n",
    "import os\nunused = os\n\ndef helper():\n    y = 1\n    return undefined_name\n\nCONSTANT = 1\n",
];

const A_VARIANTS: &[&str] = &[
    "from b import helper, CONSTANT\n\nprint(helper(), CONSTANT)\n",
    "from b import helper\nimport e\n",
    "from . import b\nimport sys\n",
    "from e import value\nprint(value)\n",
    "import b.missing\n",
];

const E_VARIANTS: &[&str] = &[
    "value = 1\n",
    "other = 2\n",
    "from b import CONSTANT as value\n",
];

#[test]
fn incremental_results_equal_a_fresh_check_after_many_edits() {
    let (_dir, root, mut workspace) = workspace();
    let mut random = Rng::new(7);
    let mut e_exists = false;
    for step in 0..120 {
        match random.below(4) {
            0 => edit(
                &mut workspace,
                &root,
                "b.py",
                B_VARIANTS[random.below(B_VARIANTS.len())],
            ),
            1 => edit(
                &mut workspace,
                &root,
                "a.py",
                A_VARIANTS[random.below(A_VARIANTS.len())],
            ),
            2 => {
                let path = root.join("e.py");
                if e_exists {
                    std::fs::remove_file(&path).unwrap_or_else(|error| panic!("{error}"));
                    workspace.remove_file(&path);
                } else {
                    let text = E_VARIANTS[random.below(E_VARIANTS.len())];
                    std::fs::write(&path, text).unwrap_or_else(|error| panic!("{error}"));
                    workspace.add_file(&path, FileContents::Text(text.into()));
                }
                e_exists = !e_exists;
            }
            _ => {
                let text = E_VARIANTS[random.below(E_VARIANTS.len())];
                if e_exists {
                    edit(&mut workspace, &root, "e.py", text);
                }
            }
        }
        let incremental = check_all(&workspace);
        let fresh = check_all(&Workspace::load(&root, &[], &languages()));
        assert_eq!(
            incremental, fresh,
            "step {step}: incremental and fresh checks differ"
        );
    }
}

/// An import resolved in the folder its file runs from (a project below the workspace root,
/// not on the search path) is an edge of the dependency graph like any other: the server
/// re-checks the importer after the imported file changes, and the store's kept findings list
/// the imported file among what they read.
#[test]
fn imports_resolved_from_a_scripts_folder_are_graph_edges() {
    let dir = write_tree(&[
        ("ripple.toml", ""),
        ("projects/app/pkg/__init__.py", ""),
        (
            "projects/app/pkg/util.py",
            "x = 1\n\ndef helper():\n    pass\n",
        ),
        (
            "projects/app/pkg/user.py",
            "from pkg.util import x\nprint(x)\n",
        ),
        ("projects/app/pkg/star.py", "from pkg.util import *\n"),
        (
            "projects/app/run.py",
            "from pkg.star import helper\nhelper()\n",
        ),
    ]);
    let root = canonical(dir.path());
    let mut workspace = Workspace::load(&root, &[], &languages());
    let found = check_all(&workspace);
    let codes =
        |found: &[(String, Vec<ripple_core::Diagnostic>)], path: &str| -> Vec<&'static str> {
            found
                .iter()
                .find(|(file, _)| file == path)
                .map(|(_, found)| found.iter().map(|diagnostic| diagnostic.code).collect())
                .unwrap_or_default()
        };
    assert!(codes(&found, "projects/app/pkg/user.py").is_empty());
    assert!(codes(&found, "projects/app/run.py").is_empty());
    workspace.build_graph(&[]);
    let util_path = root.join("projects/app/pkg/util.py");
    let text = "y = 1\n";
    std::fs::write(&util_path, text).unwrap_or_else(|error| panic!("{error}"));
    let util = workspace
        .set_file_contents(&util_path, FileContents::Text(text.into()))
        .unwrap_or_else(|| panic!("util.py is not in the workspace"));
    let reached: BTreeSet<String> = workspace
        .reach(&[util])
        .unwrap_or_else(|| panic!("the graph is built"))
        .iter()
        .map(|file| workspace.display_path(file.path(workspace.db())))
        .collect();
    // `star.py`'s own findings do not read `util.py`'s names; those of its importers do.
    for importer in ["projects/app/pkg/user.py", "projects/app/run.py"] {
        assert!(
            reached.contains(importer),
            "{importer} not reached: {reached:?}"
        );
    }
    let found = check_all(&workspace);
    assert_eq!(
        codes(&found, "projects/app/pkg/user.py"),
        ["missing-module-member"]
    );
    // Through the star import too: `pkg.star` no longer brings `helper`.
    assert_eq!(
        codes(&found, "projects/app/run.py"),
        ["missing-module-member"]
    );
}

//! Arbitrary bytes as a Python file, through the incremental path: each input becomes the next
//! revision of one file in a long-lived workspace (beside a module it can import), which is
//! checked with and without `# noqa`, and whose exports and imports are read, as importers and
//! the editor would.

#![no_main]

use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;
use ripple_core::{FileContents, Languages};
use ripple_workspace::{CheckOptions, Workspace, check_file};

struct Fixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
    workspace: Workspace,
}

fn fixture() -> &'static Mutex<Fixture> {
    static FIXTURE: OnceLock<Mutex<Fixture>> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("temp dir: {error}"));
        let root = dir.path().to_path_buf();
        for (name, text) in [
            ("ripple.toml", ""),
            ("sibling.py", "VALUE = 1\n__all__ = ['VALUE']\n"),
            ("fuzzed.py", ""),
        ] {
            std::fs::write(root.join(name), text).unwrap_or_else(|error| panic!("{error}"));
        }
        let path = root.join("fuzzed.py");
        let languages = Languages::new(vec![std::sync::Arc::new(ripple_python::Python)]);
        let workspace = Workspace::load(&root, &[], &languages);
        Mutex::new(Fixture {
            _dir: dir,
            path,
            workspace,
        })
    })
}

fuzz_target!(|data: &[u8]| {
    let mut fixture = fixture()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let path = fixture.path.clone();
    fixture
        .workspace
        .set_file_contents(&path, FileContents::from_bytes(data.to_vec()));
    let Some(file) = fixture.workspace.file(&path) else {
        return;
    };
    let db = fixture.workspace.db();
    for respect_suppressions in [true, false] {
        let options = CheckOptions {
            selection: fixture.workspace.selection().clone(),
            respect_suppressions,
        };
        let _ = check_file(db, file, &options);
    }
    let _ = ripple_python::exports(db, file);
    let _ = ripple_python::imports(db, file);
});

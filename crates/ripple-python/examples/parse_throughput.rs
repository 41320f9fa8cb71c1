//! How fast tree-sitter-python alone parses a folder, on one thread: the floor under the time of a
//! cold `ripple check`, whose analysis starts from these trees.
//!
//! ```sh
//! cargo run --release -p ripple-python --example parse_throughput -- benches/corpus/django-5.2.19
//! ```

use std::path::{Path, PathBuf};
use std::time::Instant;

fn python_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            python_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "py") {
            out.push(path);
        }
    }
}

fn main() {
    let Some(root) = std::env::args().nth(1) else {
        eprintln!("usage: parse_throughput FOLDER");
        std::process::exit(2);
    };
    let mut paths = Vec::new();
    python_files(Path::new(&root), &mut paths);
    let texts: Vec<String> = paths
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();

    let started = Instant::now();
    let mut nodes = 0usize;
    for text in &texts {
        if let Some(tree) = ripple_python::parse_python(text, None) {
            nodes += tree.root_node().descendant_count();
        }
    }
    let parse = started.elapsed();

    let started = Instant::now();
    for text in &texts {
        std::hint::black_box(ripple_python::analyze_source(text, None, false, false));
    }
    let analyse = started.elapsed();

    let mb = bytes as f64 / 1e6;
    println!(
        "{} files, {mb:.1} MB, {nodes} nodes\nparse only:        {:.3} s ({:.1} MB/s)\nparse + analysis:  {:.3} s ({:.1} MB/s)",
        texts.len(),
        parse.as_secs_f64(),
        mb / parse.as_secs_f64(),
        analyse.as_secs_f64(),
        mb / analyse.as_secs_f64(),
    );
}

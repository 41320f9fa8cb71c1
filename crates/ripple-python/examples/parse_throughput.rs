//! How fast a folder parses with ruff's parser, and with ripple's whole analysis, on one thread;
//! and, for comparison, how fast tree-sitter-python parses it (the parser ripple used first).
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

    let mb = bytes as f64 / 1e6;
    println!("{} files, {mb:.1} MB", texts.len());
    let measure = |label: &str, run: &dyn Fn(&str)| {
        let started = Instant::now();
        for text in &texts {
            run(text);
        }
        let seconds = started.elapsed().as_secs_f64();
        println!("{label:<28} {seconds:.3} s ({:.1} MB/s)", mb / seconds);
    };
    measure("ruff parser only", &|text| {
        std::hint::black_box(ruff_python_parser::parse_module(text).is_ok());
    });
    measure("ruff parser + analysis", &|text| {
        std::hint::black_box(ripple_python::analyze_source(text, false, false));
    });
    let mut parser = tree_sitter::Parser::new();
    if parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .is_ok()
    {
        let parser = std::cell::RefCell::new(parser);
        measure("tree-sitter-python only", &|text| {
            std::hint::black_box(parser.borrow_mut().parse(text, None).is_some());
        });
    }
}

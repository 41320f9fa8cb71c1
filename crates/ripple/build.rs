//! Embeds `RIPPLE_BUILD_ID`: a digest of every source file of ripple's crates and of
//! `Cargo.lock`, which the store mixes into every key, so that results computed by one build
//! are never taken for another's (a changed rule, parser or format is a different key). It is
//! the same on every machine that builds the same sources, so a shared cache is shared.
//! Outside the repository (a packaged crate) the crate version stands in.

use std::path::{Path, PathBuf};

fn files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, found);
        } else {
            found.push(path);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let crates = manifest.join("..");
    let lock = crates.join("..").join("Cargo.lock");
    let mut sources = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&crates) {
        for entry in entries.flatten() {
            let krate = entry.path();
            for part in ["src", "Cargo.toml", "build.rs"] {
                let path = krate.join(part);
                println!("cargo:rerun-if-changed={}", path.display());
                if path.is_dir() {
                    files(&path, &mut sources);
                } else if path.is_file() {
                    sources.push(path);
                }
            }
        }
    }
    println!("cargo:rerun-if-changed={}", lock.display());
    if lock.is_file() {
        sources.push(lock);
    }
    sources.sort();
    let mut hasher = blake3::Hasher::new();
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    for path in &sources {
        let relative = path.strip_prefix(&crates).unwrap_or(path);
        hasher.update(relative.to_string_lossy().as_bytes());
        hasher.update(&[0]);
        match std::fs::read(path) {
            Ok(bytes) => {
                hasher.update(&(bytes.len() as u64).to_le_bytes());
                hasher.update(&bytes);
            }
            Err(_) => {
                hasher.update(b"unreadable");
            }
        }
    }
    println!(
        "cargo:rustc-env=RIPPLE_BUILD_ID={}",
        hasher.finalize().to_hex()
    );
}

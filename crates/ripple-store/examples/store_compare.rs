//! How the store's packs compare with the two other designs considered: redb (an embedded
//! B-tree database in one file) and a content-addressed directory of one file per entry (Bazel's
//! disk cache, sccache). The workload is a warm run's: write N entries of the sizes a per-file
//! analysis has once, then, in a fresh open, read every one of them; and open the store while
//! another process holds it.
//!
//! ```sh
//! cargo run --release -p ripple-store --example store_compare -- 27000 /tmp/store-compare
//! ```

use std::path::{Path, PathBuf};
use std::time::Instant;

use ripple_core::Digest;
use ripple_store::Store;

/// splitmix64, for sizes and contents that repeat from run to run.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Entries like a warm run's: sizes spread around 1.4 KB (what the 27k-file corpus stores per
/// analysis and per file's findings), from 100 bytes to 6 KB.
fn entries(count: usize) -> Vec<(Digest, Vec<u8>)> {
    let mut state = 7;
    (0..count)
        .map(|index| {
            let size =
                100 + (next(&mut state) % 2600) as usize + (next(&mut state) % 2600) as usize / 4;
            let value: Vec<u8> = (0..size).map(|_| next(&mut state) as u8).collect();
            (Digest::of(&(index as u64).to_le_bytes()), value)
        })
        .collect()
}

fn directory_size(dir: &Path) -> u64 {
    let mut total = 0;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            match entry.metadata() {
                Ok(meta) if meta.is_dir() => pending.push(path),
                Ok(meta) => total += meta.len(),
                Err(_) => {}
            }
        }
    }
    total
}

struct Row {
    name: &'static str,
    write_ms: f64,
    read_ms: f64,
    bytes: u64,
    second_process: String,
}

fn pack(dir: &Path, entries: &[(Digest, Vec<u8>)]) -> Row {
    let build = Digest::of(b"compare");
    let started = Instant::now();
    let store = Store::open(dir, build);
    for (key, value) in entries {
        store.put(*key, value.clone());
    }
    store.flush();
    let write_ms = started.elapsed().as_secs_f64() * 1000.0;
    drop(store);
    let started = Instant::now();
    let store = Store::open(dir, build);
    let found = entries
        .iter()
        .filter(|(key, _)| store.get(key).is_some())
        .count();
    let read_ms = started.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(found, entries.len());
    let other = Store::open(dir, build);
    let second = if other.get(&entries[0].0).is_some() {
        "reads and writes alongside"
    } else {
        "fails"
    };
    Row {
        name: "ripple packs (one file per run, index at the end, pread)",
        write_ms,
        read_ms,
        bytes: directory_size(dir),
        second_process: second.into(),
    }
}

const TABLE: redb::TableDefinition<&[u8; 32], &[u8]> = redb::TableDefinition::new("results");

fn redb_store(dir: &Path, entries: &[(Digest, Vec<u8>)]) -> Row {
    let _ = std::fs::create_dir_all(dir);
    let path = dir.join("store.redb");
    let started = Instant::now();
    let write = || -> Result<(), Box<dyn std::error::Error>> {
        let db = redb::Database::create(&path)?;
        let transaction = db.begin_write()?;
        {
            let mut table = transaction.open_table(TABLE)?;
            for (key, value) in entries {
                table.insert(key.as_bytes(), value.as_slice())?;
            }
        }
        transaction.commit()?;
        Ok(())
    };
    if let Err(error) = write() {
        panic!("redb: {error}");
    }
    let write_ms = started.elapsed().as_secs_f64() * 1000.0;
    let started = Instant::now();
    let db = redb::Database::open(&path).unwrap_or_else(|error| panic!("redb: {error}"));
    let found = {
        let transaction = db
            .begin_read()
            .unwrap_or_else(|error| panic!("redb: {error}"));
        let table = transaction
            .open_table(TABLE)
            .unwrap_or_else(|error| panic!("redb: {error}"));
        entries
            .iter()
            .filter(|(key, _)| {
                table
                    .get(key.as_bytes())
                    .ok()
                    .flatten()
                    .is_some_and(|value| !value.value().is_empty())
            })
            .count()
    };
    let read_ms = started.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(found, entries.len());
    // A second `ripple check` (or the server) opening the same store while this one has it.
    let second = match redb::Database::open(&path) {
        Ok(_) => "opens".to_string(),
        Err(error) => format!("refused: {error}"),
    };
    drop(db);
    Row {
        name: "redb 2 (one database file, one write transaction)",
        write_ms,
        read_ms,
        bytes: directory_size(dir),
        second_process: second,
    }
}

fn cas_path(dir: &Path, key: &Digest) -> PathBuf {
    let hex = key.to_hex();
    dir.join(&hex[..2]).join(&hex[2..])
}

fn cas_directory(dir: &Path, entries: &[(Digest, Vec<u8>)]) -> Row {
    let started = Instant::now();
    for (index, (key, value)) in entries.iter().enumerate() {
        let path = cas_path(dir, key);
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        // Written whole and renamed, as Bazel's disk cache does.
        let temporary = dir.join(format!("tmp-{index}"));
        let written =
            std::fs::write(&temporary, value).and_then(|()| std::fs::rename(&temporary, &path));
        if let Err(error) = written {
            panic!("{}: {error}", path.display());
        }
    }
    let write_ms = started.elapsed().as_secs_f64() * 1000.0;
    let started = Instant::now();
    let found = entries
        .iter()
        .filter(|(key, _)| std::fs::read(cas_path(dir, key)).is_ok())
        .count();
    let read_ms = started.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(found, entries.len());
    Row {
        name: "directory of files (one per entry, written and renamed)",
        write_ms,
        read_ms,
        bytes: directory_size(dir),
        second_process: "reads and writes alongside".into(),
    }
}

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|count| count.parse().ok())
        .unwrap_or(27_000);
    let base = PathBuf::from(
        std::env::args()
            .nth(2)
            .unwrap_or_else(|| "/tmp/ripple-store-compare".into()),
    );
    let _ = std::fs::remove_dir_all(&base);
    let entries = entries(count);
    let total: usize = entries.iter().map(|(_, value)| value.len()).sum();
    println!(
        "{count} entries, {:.1} MB of values; each store written once, then read whole after a fresh open (page cache warm)\n",
        total as f64 / 1e6
    );
    println!("| store | write ms | open + read all ms | on disk MB | a second process |");
    println!("|---|--:|--:|--:|---|");
    for row in [
        pack(&base.join("pack"), &entries),
        redb_store(&base.join("redb"), &entries),
        cas_directory(&base.join("cas"), &entries),
    ] {
        println!(
            "| {} | {:.0} | {:.0} | {:.1} | {} |",
            row.name,
            row.write_ms,
            row.read_ms,
            row.bytes as f64 / 1e6,
            row.second_process
        );
    }
    let _ = std::fs::remove_dir_all(&base);
}

//! What an open document's edit costs before the analysis runs: bringing its tree up to date
//! (`DocumentParses::update`), given the editor's own edit (the server's path since the edit's
//! range is passed on) or finding the edit by comparing the two texts (the path before, and
//! still the path of a whole-text replacement). A space is typed at the end of a line and
//! deleted again, at seeded random lines of the file: the file stays valid, so every edit can
//! be reparsed incrementally and what differs between the paths is not hidden by full parses.
//!
//! ```sh
//! cargo run --release -p ripple-python --example document_edit -- \
//!     benches/corpus/django-5.2.19/django/db/models/base.py
//! ```

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ripple_python::parse::{DocumentParses, TextEdit};

/// splitmix64, so runs edit the same places.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn percentile(sorted: &[Duration], fraction: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index].as_secs_f64() * 1e6
}

fn run(text: &str, edits: usize, pass_edit: bool) -> (Vec<Duration>, (u64, u64)) {
    let path = Path::new("document.py");
    let trees = DocumentParses::default();
    let mut current: Arc<str> = Arc::from(text);
    trees.update(path, current.clone(), None);
    let mut state = 42;
    let mut times = Vec::with_capacity(edits * 2);
    for _ in 0..edits {
        // A place at the end of a line, so the edit stays within one statement's lines.
        let mut at = (next(&mut state) as usize) % text.len();
        while at < text.len() && text.as_bytes()[at] != b'\n' {
            at += 1;
        }
        let typed: Arc<str> = format!("{} {}", &text[..at], &text[at..]).into();
        let insert = TextEdit {
            start: at,
            old_end: at,
            new_end: at + 1,
        };
        let delete = TextEdit {
            start: at,
            old_end: at + 1,
            new_end: at,
        };
        for (next_text, edit) in [(typed, insert), (Arc::from(text), delete)] {
            let started = Instant::now();
            trees.update(path, next_text.clone(), pass_edit.then_some(edit));
            times.push(started.elapsed());
            current = next_text;
        }
    }
    drop(current);
    times.sort();
    (times, trees.counts())
}

fn main() {
    let Some(file) = std::env::args().nth(1) else {
        eprintln!("usage: document_edit FILE [EDITS]");
        std::process::exit(2);
    };
    let edits: usize = std::env::args()
        .nth(2)
        .and_then(|count| count.parse().ok())
        .unwrap_or(500);
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("cannot read {file}: {error}");
            std::process::exit(2);
        }
    };
    println!(
        "{file}: {} bytes, {} edits (a space typed and deleted at random line ends)",
        text.len(),
        edits * 2
    );
    println!("| path | p50 µs | p90 µs | p99 µs | incremental parses |");
    println!("|---|--:|--:|--:|--:|");
    // Interleaved, twice each, so that neither path has the machine to itself.
    for round in 0..2 {
        for (name, pass_edit) in [
            ("the editor's edit", true),
            ("edit found by comparing", false),
        ] {
            let (times, (_, incremental)) = run(&text, edits, pass_edit);
            println!(
                "| {name} (round {}) | {:.1} | {:.1} | {:.1} | {incremental} of {} |",
                round + 1,
                percentile(&times, 0.5),
                percentile(&times, 0.9),
                percentile(&times, 0.99),
                times.len()
            );
        }
    }
}

//! The store's tests: values across reopenings and builds, damage, merging, pruning, and
//! reading many entries at once.

use super::*;

fn key(n: u8) -> Digest {
    Digest::of(&[n])
}

fn build() -> Digest {
    Digest::of(b"test build")
}

#[test]
fn values_survive_a_reopen_and_other_builds_do_not_see_them() {
    let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
    let store = Store::open(dir.path(), build());
    assert!(store.get(&store.key(&key(1))).is_none());
    store.put(store.key(&key(1)), b"one".to_vec());
    store.put(store.key(&key(2)), vec![7; 100_000]);
    store.flush();
    assert_eq!(store.counts(), CacheCounts { hits: 0, misses: 2 });
    assert!(dir.path().join("CACHEDIR.TAG").is_file());
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".gitignore")).unwrap_or_default(),
        "*\n"
    );

    let again = Store::open(dir.path(), build());
    assert_eq!(again.get(&again.key(&key(1))).as_deref(), Some(&b"one"[..]));
    assert_eq!(
        again.get(&again.key(&key(2))).map(|value| value.len()),
        Some(100_000)
    );
    assert_eq!(again.counts().hits, 2);
    assert!(again.take_warnings().is_empty());

    let other = Store::open(dir.path(), Digest::of(b"another build"));
    assert!(other.get(&other.key(&key(1))).is_none());
}

#[test]
fn damaged_and_truncated_packs_lose_only_their_damaged_entries() {
    let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
    let store = Store::open(dir.path(), build());
    for n in 0..10 {
        store.put(store.key(&key(n)), vec![n; 1000]);
    }
    store.flush();
    let (path, _) = pack_paths(dir.path())
        .unwrap_or_default()
        .pop()
        .unwrap_or_else(|| panic!("no pack"));
    let mut bytes = std::fs::read(&path).unwrap_or_default();
    // Flip a byte in some entry's value.
    let flip = bytes.len() / 2;
    bytes[flip] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap_or_else(|error| panic!("{error}"));
    let damaged = Store::open(dir.path(), build());
    let intact = (0..10)
        .filter(|n| damaged.get(&damaged.key(&key(*n))).is_some())
        .count();
    assert_eq!(intact, 9);
    assert_eq!(damaged.take_warnings().len(), 1);

    std::fs::write(&path, &bytes[..bytes.len() - 500]).unwrap_or_else(|error| panic!("{error}"));
    let truncated = Store::open(dir.path(), build());
    let intact = (0..10)
        .filter(|n| {
            truncated
                .get(&truncated.key(&key(*n)))
                .is_some_and(|v| v.len() == 1000)
        })
        .count();
    assert!((7..=9).contains(&intact), "{intact}");
    assert!(!truncated.take_warnings().is_empty());

    // Another format: ignored, with one warning.
    std::fs::write(&path, b"RIPPLEPK\x63\0\0\0\0\0\0\0").unwrap_or_else(|error| panic!("{error}"));
    let foreign = Store::open(dir.path(), build());
    assert!(foreign.get(&foreign.key(&key(1))).is_none());
    assert_eq!(foreign.take_warnings().len(), 1);
}

#[test]
fn many_packs_are_merged_and_prune_keeps_what_fits() {
    let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
    for n in 0..(MAX_PACKS as u8 + 2) {
        let store = Store::open(dir.path(), build());
        store.put(store.key(&key(n)), vec![n; 1000]);
        store.flush();
    }
    let packs = pack_paths(dir.path()).unwrap_or_default().len();
    assert!(packs <= MAX_PACKS, "{packs} packs after merging");
    let store = Store::open(dir.path(), build());
    for n in 0..(MAX_PACKS as u8 + 2) {
        assert!(store.get(&store.key(&key(n))).is_some(), "entry {n}");
    }
    let info = StoreInfo::gather(dir.path()).unwrap_or_default();
    assert_eq!(info.entries, u64::from(MAX_PACKS as u8 + 2));
    let (kept, dropped) =
        prune(dir.path(), None, Some(3 * 1100)).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!((kept, dropped), (3, 7));
    clean(dir.path()).unwrap_or_else(|error| panic!("{error}"));
    assert!(!dir.path().exists());
}

#[test]
fn get_many_finds_what_get_finds_reading_neighbours_together() {
    let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
    // An older pack with 0..40 (some values big enough to end a read span), a newer one
    // that holds 5 again with another value, and 41 still pending.
    let older = Store::open(dir.path(), build());
    for n in 0..40 {
        let size = if n % 13 == 0 {
            40_000
        } else {
            10 + usize::from(n)
        };
        older.put(older.key(&key(n)), vec![n; size]);
    }
    older.flush();
    let newer = Store::open(dir.path(), build());
    newer.put(newer.key(&key(5)), b"five again".to_vec());
    newer.flush();
    let store = Store::open(dir.path(), build());
    store.put(store.key(&key(41)), b"pending".to_vec());
    let asked: Vec<Digest> = [39, 5, 0, 200, 41, 13, 12, 14, 1]
        .iter()
        .map(|&n| store.key(&key(n)))
        .collect();
    let many = store.get_many(&asked);
    let one_by_one: Vec<Option<Blob>> = asked.iter().map(|key| store.get(key)).collect();
    assert_eq!(many, one_by_one);
    assert_eq!(many[1].as_deref(), Some(&b"five again"[..]));
    assert_eq!(many[3], None);
    assert_eq!(many[4].as_deref(), Some(&b"pending"[..]));
    assert_eq!(store.counts().hits, 16);

    // A damaged entry in the newest pack is a miss there, and the older pack's value is
    // found, as by `get`.
    let (newest, _) = pack_paths(dir.path())
        .unwrap_or_default()
        .into_iter()
        .max_by_key(|(_, modified)| *modified)
        .unwrap_or_else(|| panic!("no pack"));
    let mut bytes = std::fs::read(&newest).unwrap_or_default();
    let at = bytes
        .windows(10)
        .position(|window| window == b"five again")
        .unwrap_or_else(|| panic!("the value is not in the newest pack"));
    bytes[at] ^= 0xff;
    std::fs::write(&newest, &bytes).unwrap_or_else(|error| panic!("{error}"));
    let damaged = Store::open(dir.path(), build());
    let found = damaged.get_many(&[damaged.key(&key(5))]);
    assert_eq!(found[0].as_deref(), Some(&[5u8; 15][..]));
    assert_eq!(damaged.take_warnings().len(), 1);
}

#[test]
fn a_merge_keeps_the_newest_value_and_the_order_values_were_written_in() {
    let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
    // Written in an order that is not the keys' order.
    let order: Vec<u8> = (0..30).rev().collect();
    let first = Store::open(dir.path(), build());
    for &n in &order {
        first.put(first.key(&key(n)), vec![n; 20]);
    }
    first.flush();
    if let Some((path, _)) = pack_paths(dir.path()).unwrap_or_default().pop() {
        let file = std::fs::File::options().write(true).open(&path);
        let _ = file.and_then(|file| file.set_modified(std::time::SystemTime::UNIX_EPOCH));
    }
    // Each pack is dated a second after the one before, in the past, so which is newest is
    // unambiguous; the last is written now, and its flush merges them all.
    let past = std::time::SystemTime::now() - Duration::from_secs(100);
    for round in 0..MAX_PACKS as u8 {
        let written = past + Duration::from_secs(u64::from(round) + 1);
        let store = Store::open(dir.path(), build());
        store.put(store.key(&key(7)), vec![100 + round; 20]);
        store.flush();
        if let Some((path, _)) = pack_paths(dir.path())
            .unwrap_or_default()
            .into_iter()
            .max_by_key(|(_, modified)| *modified)
        {
            let file = std::fs::File::options().write(true).open(&path);
            let _ = file.and_then(|file| file.set_modified(written));
        }
    }
    assert_eq!(pack_paths(dir.path()).unwrap_or_default().len(), 1);
    let store = Store::open(dir.path(), build());
    assert_eq!(
        store.get(&store.key(&key(7))),
        Some(vec![100 + MAX_PACKS as u8 - 1; 20])
    );
    // The first values lie in the merged pack in the order they were first written.
    let (merged, _) = pack_paths(dir.path())
        .unwrap_or_default()
        .pop()
        .unwrap_or_else(|| panic!("no pack"));
    let bytes = std::fs::read(merged).unwrap_or_default();
    let places: Vec<usize> = order
        .iter()
        .filter(|&&n| n != 7)
        .map(|&n| {
            bytes
                .windows(20)
                .position(|window| window == [n; 20])
                .unwrap_or_else(|| panic!("value {n} is not in the merged pack"))
        })
        .collect();
    assert!(
        places.windows(2).all(|pair| pair[0] < pair[1]),
        "{places:?}"
    );
}

#[test]
fn a_directory_that_cannot_be_made_is_a_warning() {
    let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
    let file = dir.path().join("a file");
    std::fs::write(&file, "x").unwrap_or_else(|error| panic!("{error}"));
    let store = Store::open(&file.join("cache"), build());
    store.put(store.key(&key(1)), b"x".to_vec());
    store.flush();
    assert_eq!(store.take_warnings().len(), 1);
}

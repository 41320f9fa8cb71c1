//! Looking after a store directory: what it holds, merging its packs, pruning the least
//! recently used entries, and removing it.

use std::path::Path;

use ripple_core::Digest;
use rustc_hash::FxHashMap;

use crate::pack::{self, Opened, Pack};

/// What a store directory holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreInfo {
    pub entries: u64,
    /// Every byte under the directory (packs, stat indexes, marks).
    pub bytes: u64,
    pub packs: u64,
    /// The hits and misses of the last run that recorded them.
    pub last_run: Option<crate::CacheCounts>,
}

impl StoreInfo {
    pub fn gather(dir: &Path) -> std::io::Result<Self> {
        let mut info = Self {
            bytes: directory_size(dir)?,
            ..Self::default()
        };
        let mut keys = rustc_hash::FxHashSet::default();
        for (path, _) in crate::pack_paths(dir)? {
            if let Ok(Opened::Pack(pack)) = Pack::open(&path, None) {
                info.packs += 1;
                keys.extend(pack.keys().copied());
            }
        }
        info.entries = keys.len() as u64;
        info.last_run = std::fs::read_to_string(dir.join("last-run"))
            .ok()
            .and_then(|text| {
                let mut counts = crate::CacheCounts::default();
                for line in text.lines() {
                    match line.split_once(' ')? {
                        ("hits", value) => counts.hits = value.parse().ok()?,
                        ("misses", value) => counts.misses = value.parse().ok()?,
                        _ => {}
                    }
                }
                Some(counts)
            });
        Ok(info)
    }
}

fn directory_size(dir: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(error) => return Err(error),
    };
    for entry in entries.flatten() {
        let Ok(metadata) = entry.metadata() else {
            continue;
        };
        total += if metadata.is_dir() {
            directory_size(&entry.path())?
        } else {
            metadata.len()
        };
    }
    Ok(total)
}

/// Removes the store: everything ripple put in `dir`, and `dir` itself when it is left empty.
/// Only ripple's own files are removed, so a `--cache-dir` pointed at a wrong folder by mistake
/// loses nothing else.
pub fn clean(dir: &Path) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(error),
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = name.ends_with(&format!(".{}", pack::EXTENSION))
            || name.starts_with("tmp-")
            || matches!(name.as_str(), "last-run" | ".gitignore" | "CACHEDIR.TAG");
        if name == "stat" && path.is_dir() {
            std::fs::remove_dir_all(&path)?;
        } else if ours {
            std::fs::remove_file(&path)?;
        }
    }
    // Left in place if something else is in it.
    let _ = std::fs::remove_dir(dir);
    Ok(())
}

/// Merges the packs in `dir` of `build` (of every build, each into its own, when `None`) into
/// one, keeping for each key its latest use, and dropping entries last used more than
/// `max_age_days` ago and then, least recently used first, entries until the packs hold at most
/// `max_bytes`. Returns (entries kept, entries dropped).
pub(crate) fn merge(
    dir: &Path,
    build: Option<&Digest>,
    max_age_days: Option<u32>,
    max_bytes: Option<u64>,
) -> std::io::Result<(usize, usize)> {
    let mut paths = crate::pack_paths(dir)?;
    // Newest first, as a run reads them: of a key kept twice (a task result run again), the
    // merged pack keeps the value a run would have found.
    paths.sort_by_key(|(_, modified)| std::cmp::Reverse(*modified));
    let mut packs = Vec::new();
    for (path, _) in &paths {
        if let Opened::Pack(pack) = Pack::open(path, build)? {
            packs.push(pack);
        }
    }
    // One merged pack per build, each entry with its latest use and the place it was first
    // met at (packs in turn, each in the order it was written).
    let mut latest: FxHashMap<(Digest, Digest), (Vec<u8>, u32, usize)> = FxHashMap::default();
    for pack in &packs {
        for (key, entry) in pack.intact_entries() {
            let place = latest.len();
            let slot =
                latest
                    .entry((pack.build, key))
                    .or_insert((entry.value, entry.last_used, place));
            slot.1 = slot.1.max(entry.last_used);
        }
    }
    let total = latest.len();
    let mut kept: Vec<(Digest, Digest, Vec<u8>, u32, usize)> = latest
        .into_iter()
        .map(|((build, key), (value, day, place))| (build, key, value, day, place))
        .collect();
    if let Some(max_age) = max_age_days {
        let oldest = crate::today().saturating_sub(max_age);
        kept.retain(|(_, _, _, day, _)| *day >= oldest);
    }
    // Most recently used first (what pruning by size keeps), then in the order they were
    // written: entries written together stay together, to be read together.
    kept.sort_by(|a, b| b.3.cmp(&a.3).then(a.4.cmp(&b.4)));
    if let Some(max_bytes) = max_bytes {
        let mut size = 0u64;
        let fits = kept
            .iter()
            .take_while(|(_, _, value, _, _)| {
                size += 48 + 44 + value.len() as u64;
                size <= max_bytes
            })
            .count();
        kept.truncate(fits);
    }
    let mut builds: Vec<Digest> = kept.iter().map(|(build, _, _, _, _)| *build).collect();
    builds.sort();
    builds.dedup();
    let mut written = Vec::new();
    for pack_build in builds {
        let mut entries = kept
            .iter()
            .filter(|(build, _, _, _, _)| *build == pack_build)
            .map(|(_, key, value, day, _)| (*key, value.as_slice(), *day));
        written.push(pack::write(dir, &pack_build, &mut entries)?);
    }
    for pack in &packs {
        if !written.contains(&pack.path) {
            // Another process may be reading it: its open copy stays readable.
            let _ = std::fs::remove_file(&pack.path);
        }
    }
    Ok((kept.len(), total - kept.len()))
}

/// `ripple cache prune`: keeps the entries used within `max_age_days` and, of those, the most
/// recently used that fit in `max_bytes`. Returns (entries kept, entries dropped).
pub fn prune(
    dir: &Path,
    max_age_days: Option<u32>,
    max_bytes: Option<u64>,
) -> std::io::Result<(usize, usize)> {
    if !dir.is_dir() {
        return Ok((0, 0));
    }
    merge(dir, None, max_age_days, max_bytes)
}

/// A size such as `500M`, `2G`, `1024` (bytes), `10KiB`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size (examples: 500M, 2G, 100000)"))?;
    let unit = unit.trim().to_ascii_lowercase();
    let factor: f64 = match unit.trim_end_matches('b').trim_end_matches('i') {
        "" => 1.0,
        "k" => 1024.0,
        "m" => 1024.0 * 1024.0,
        "g" => 1024.0 * 1024.0 * 1024.0,
        "t" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return Err(format!("`{text}`: unknown size unit (use K, M, G or T)")),
    };
    Ok((number * factor) as u64)
}

/// A duration in whole days, from `30d`, `2w`, `12h` (rounded up to a day) or `90` (days).
pub fn parse_duration(text: &str) -> Result<u32, String> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let number: u32 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (examples: 30d, 2w, 12h)"))?;
    match unit.trim() {
        "" | "d" | "day" | "days" => Ok(number),
        "w" | "week" | "weeks" => Ok(number.saturating_mul(7)),
        "h" | "hour" | "hours" => Ok(number.div_ceil(24)),
        other => Err(format!(
            "`{text}`: unknown duration unit `{other}` (use h, d or w)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_durations_parse() {
        assert_eq!(parse_size("1024"), Ok(1024));
        assert_eq!(parse_size("2K"), Ok(2048));
        assert_eq!(parse_size("1.5MiB"), Ok(1_572_864));
        assert_eq!(parse_size("3G"), Ok(3 * 1024 * 1024 * 1024));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("3X").is_err());
        assert_eq!(parse_duration("30d"), Ok(30));
        assert_eq!(parse_duration("2w"), Ok(14));
        assert_eq!(parse_duration("25h"), Ok(2));
        assert_eq!(parse_duration("7"), Ok(7));
        assert!(parse_duration("soon").is_err());
    }
}

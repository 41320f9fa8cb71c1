//! `ripple cache stats | clean | prune`: looking after the store of results.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Subcommand, ValueEnum};
use ripple_core::Languages;
use ripple_store::StoreInfo;
use ripple_workspace::{CacheChoice, cache_dir, find_root, load_config};

#[derive(Debug, Args)]
pub struct CacheCommand {
    #[command(subcommand)]
    action: CacheAction,
}

#[derive(Debug, Subcommand)]
enum CacheAction {
    /// What the cache holds: entries, bytes, the last run's hits and misses, where it is.
    Stats {
        #[arg(long, value_enum, default_value_t = StatsFormat::Human)]
        format: StatsFormat,
        #[command(flatten)]
        location: Location,
    },
    /// Remove the cache.
    Clean {
        #[command(flatten)]
        location: Location,
    },
    /// Drop entries not used within --max-age, then the least recently used until the cache
    /// fits in --max-size.
    Prune {
        /// For example 500M or 2G.
        #[arg(long, value_name = "SIZE")]
        max_size: Option<String>,
        /// For example 30d, 2w or 12h.
        #[arg(long, value_name = "DURATION")]
        max_age: Option<String>,
        #[command(flatten)]
        location: Location,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StatsFormat {
    Human,
    Json,
}

#[derive(Debug, Args)]
struct Location {
    /// The workspace whose cache this is (default: the current directory's).
    #[arg(value_name = "PATH")]
    path: Option<PathBuf>,
    /// The cache directory itself.
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
}

impl Location {
    /// The cache directory: `--cache-dir`, else `RIPPLE_CACHE_DIR`, else the workspace's
    /// configuration, else `.ripple_cache/` at its root.
    fn dir(&self, languages: &Languages) -> anyhow::Result<PathBuf> {
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        let from_env = std::env::var_os("RIPPLE_CACHE_DIR").filter(|dir| !dir.is_empty());
        if let Some(dir) = self.cache_dir.clone().or(from_env.map(PathBuf::from)) {
            return Ok(cwd.join(dir));
        }
        let start = cwd.join(self.path.clone().unwrap_or_default());
        let start = std::fs::canonicalize(&start)
            .with_context(|| format!("`{}` does not exist", start.display()))?;
        let root = find_root(&start);
        let config = load_config(&root, languages);
        cache_dir(
            &CacheChoice::Default,
            &root,
            config.config.cache_dir.as_deref(),
        )
        .context("no cache directory")
    }
}

pub fn run(command: CacheCommand, languages: &Languages) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match command.action {
        CacheAction::Stats { format, location } => {
            let dir = location.dir(languages)?;
            let info = StoreInfo::gather(&dir)
                .with_context(|| format!("cannot read the cache at {}", dir.display()))?;
            let hit_rate = info.last_run.and_then(|run| {
                let total = run.hits + run.misses;
                (total > 0).then(|| run.hits as f64 / total as f64)
            });
            match format {
                StatsFormat::Json => {
                    let json = serde_json::json!({
                        "path": dir.display().to_string(),
                        "entries": info.entries,
                        "bytes": info.bytes,
                        "packs": info.packs,
                        "lastRun": info.last_run.map(|run| serde_json::json!({
                            "hits": run.hits,
                            "misses": run.misses,
                            "hitRate": hit_rate,
                        })),
                    });
                    writeln!(out, "{json}")?;
                }
                StatsFormat::Human => {
                    writeln!(out, "cache: {}", dir.display())?;
                    writeln!(
                        out,
                        "  {} entries in {} files, {}",
                        info.entries,
                        info.packs,
                        human_bytes(info.bytes)
                    )?;
                    match (info.last_run, hit_rate) {
                        (Some(run), Some(rate)) => writeln!(
                            out,
                            "  last run: {} hits, {} misses ({:.1} % hit rate)",
                            run.hits,
                            run.misses,
                            rate * 100.0
                        )?,
                        _ => writeln!(out, "  last run: none recorded")?,
                    }
                }
            }
        }
        CacheAction::Clean { location } => {
            let dir = location.dir(languages)?;
            ripple_store::clean(&dir)
                .with_context(|| format!("cannot remove the cache at {}", dir.display()))?;
            writeln!(out, "removed the cache at {}", dir.display())?;
        }
        CacheAction::Prune {
            max_size,
            max_age,
            location,
        } => {
            if max_size.is_none() && max_age.is_none() {
                anyhow::bail!("say what to keep: --max-size SIZE, --max-age DURATION or both");
            }
            let max_bytes = max_size
                .as_deref()
                .map(ripple_store::parse_size)
                .transpose()
                .map_err(anyhow::Error::msg)?;
            let max_days = max_age
                .as_deref()
                .map(ripple_store::parse_duration)
                .transpose()
                .map_err(anyhow::Error::msg)?;
            let dir = location.dir(languages)?;
            let (kept, dropped) = ripple_store::prune(&dir, max_days, max_bytes)
                .with_context(|| format!("cannot prune the cache at {}", dir.display()))?;
            writeln!(
                out,
                "kept {kept} entries, dropped {dropped} ({})",
                dir.display()
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn human_bytes(bytes: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < units.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", units[unit])
    }
}

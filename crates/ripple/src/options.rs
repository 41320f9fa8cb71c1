//! What several commands take: the output format, the cache flags, and the build the store's
//! keys belong to.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use ripple_core::Digest;
use ripple_workspace::CacheChoice;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A line per finding, then a summary.
    Human,
    /// The JSON report (`docs/architecture.md` has its shape).
    Json,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other viewers.
    Sarif,
}

/// Where results are kept between runs.
#[derive(Debug, Args, Clone)]
pub struct CacheArgs {
    /// Neither read nor write the cache of results.
    #[arg(long, conflicts_with = "cache_dir")]
    pub no_cache: bool,
    /// Keep results in DIR (default: `cache-dir` from the configuration, else `.ripple_cache/`
    /// at the workspace root; `RIPPLE_CACHE_DIR` overrides the configuration too).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

impl CacheArgs {
    /// The store to use, by the command line, then `RIPPLE_CACHE_DIR`, then the default.
    pub fn choice(&self, cwd: &std::path::Path) -> CacheChoice {
        if self.no_cache {
            return CacheChoice::Disabled;
        }
        let from_env = std::env::var_os("RIPPLE_CACHE_DIR").filter(|dir| !dir.is_empty());
        match self.cache_dir.clone().or(from_env.map(PathBuf::from)) {
            Some(dir) => CacheChoice::Dir(cwd.join(dir)),
            None => CacheChoice::Default,
        }
    }
}

/// The build the store's keys belong to (`build.rs`).
pub fn build_id() -> Digest {
    Digest::of(env!("RIPPLE_BUILD_ID").as_bytes())
}

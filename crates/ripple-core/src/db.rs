use std::any::Any;
use std::path::Path;
use std::sync::Arc;

use crate::file::FileContents;
use crate::language::{LanguageId, Languages};
use crate::project::{PathKind, Project};
use crate::stats::QueryStats;

/// The database every language's queries run on. The workspace crate implements it; languages
/// see only this.
#[salsa::db]
pub trait Db: salsa::Database {
    /// Counters of query executions, fed by salsa's `WillExecute` events.
    fn query_stats(&self) -> &QueryStats;

    /// The one project of this database.
    fn project(&self) -> Project;

    /// The registered languages; a file's `SourceFile::language` indexes them.
    fn languages(&self) -> &Languages;

    /// What `path` is on disk. Implementations may cache; they must forget what they cached
    /// when `Project::disk_generation` changes.
    fn path_kind(&self, path: &Path) -> PathKind;

    /// The names of the entries of directory `dir` (empty when it cannot be read), cached like
    /// `path_kind`.
    fn directory_entries(&self, dir: &Path) -> Arc<[String]>;

    /// Reads a workspace file whose input is `FileContents::OnDisk`: its text, or why it has
    /// none (`Unreadable` or `Undecodable`: not UTF-8, too large...).
    fn read_file(&self, path: &Path) -> Result<String, FileContents>;

    /// The state a language keeps beside this database (`Language::new_state`).
    fn language_state(&self, language: LanguageId) -> Option<&(dyn Any + Send + Sync)>;
}

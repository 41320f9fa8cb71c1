//! The language boundary: what every language crate implements so that the workspace, the
//! store, the server and the command line can work with its files without naming its types.
//!
//! A language owns files by extension. For each of its files it answers, through salsa queries
//! of its own, the file's diagnostics (local and cross-file, before suppressions), its
//! suppression comments, its line index, what it exports to dependents and which workspace files
//! it depends on. Everything else (the walk, rule selection, suppression, positions, the
//! dependency graph, publishing) is done once, by the language-neutral crates.
//!
//! The database trait (`Db`), the language trait and the registry live together here because
//! they name one another: the database holds the registry, and a language's queries take the
//! database.

use std::any::Any;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Severity};
use crate::digest::Digest;
use crate::file::{FileContents, LanguageId, ReadText, SourceFile};
use crate::module_index::{Dependency, Exports};
use crate::project::{PathKind, Project};
use crate::stats::QueryStats;
use crate::suppress::Suppressions;
use crate::text::{LineIndex, TextEdit};

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

    /// The names of the entries of directory `dir` that start with `prefix` (none when it
    /// cannot be read), cached like `path_kind`. Asking by prefix lets a stored result depend
    /// on just those entries, not on every entry the folder ever gets.
    fn entries_starting_with(&self, dir: &Path, prefix: &str) -> Vec<String>;

    /// Reads a workspace file whose input is `FileContents::OnDisk`: its text (and the digest
    /// of its bytes when the database keeps a store), or why it has none (`Unreadable` or
    /// `Undecodable`: not UTF-8, too large...).
    fn read_file(&self, path: &Path) -> Result<ReadText, FileContents>;

    /// Calls `found` with the result stored for `inputs`, if the store has one. `inputs` must
    /// digest everything the result depends on except ripple's own build, which the store adds
    /// (a key that misses an input is a wrong-result bug). Without a store, never calls.
    fn with_stored_result(&self, inputs: &Digest, found: &mut dyn FnMut(&[u8]));

    /// Keeps `value` as the result for `inputs` (see `with_stored_result`), for this and later
    /// runs. Without a store, does nothing.
    fn store_result(&self, inputs: &Digest, value: Vec<u8>);

    /// The state a language keeps beside this database (`Language::new_state`).
    fn language_state(&self, language: LanguageId) -> Option<&(dyn Any + Send + Sync)>;
}

/// One rule: its stable code, the other tools' codes it answers to, its default severity and the
/// documentation `ripple rules` prints. The same code in two languages means the same thing.
#[derive(Debug, PartialEq, Eq)]
pub struct RuleInfo {
    pub code: &'static str,
    /// Codes of other tools (ruff's F-codes, tsc's TS-numbers) accepted as aliases,
    /// case-insensitively.
    pub aliases: &'static [&'static str],
    pub severity: Severity,
    /// Markdown: "What it does", "Why is this bad?", "Example".
    pub documentation: &'static str,
}

impl RuleInfo {
    /// Whether `code` names this rule: its own code exactly, or an alias in any case.
    pub fn answers_to(&self, code: &str) -> bool {
        self.code == code
            || self
                .aliases
                .iter()
                .any(|alias| alias.eq_ignore_ascii_case(code))
    }
}

/// The type of a setting a language reads from the configuration file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingKind {
    String,
    Strings,
}

/// A configuration key a language owns (`python`, `extra-paths`): the workspace reads and
/// type-checks it, and reports a bad value on its line, so languages never parse files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingInfo {
    pub key: &'static str,
    pub kind: SettingKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingValue {
    String(String),
    Strings(Vec<String>),
}

/// The values of the settings languages own, as read from the configuration (absent keys are
/// absent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LanguageSettings {
    values: BTreeMap<&'static str, SettingValue>,
}

impl LanguageSettings {
    pub fn set(&mut self, key: &'static str, value: SettingValue) {
        self.values.insert(key, value);
    }

    pub fn string(&self, key: &str) -> Option<&str> {
        match self.values.get(key) {
            Some(SettingValue::String(value)) => Some(value),
            _ => None,
        }
    }

    pub fn strings(&self, key: &str) -> &[String] {
        match self.values.get(key) {
            Some(SettingValue::Strings(values)) => values,
            _ => &[],
        }
    }
}

/// What a language is given when a workspace is loaded.
pub struct LoadContext<'a> {
    /// The workspace root (absolute).
    pub root: &'a Path,
    pub settings: &'a LanguageSettings,
}

/// A problem a language met while loading (an interpreter that would not run): reported on
/// the configuration file, on the line of `setting` when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadProblem {
    pub setting: Option<&'static str>,
    pub message: String,
}

/// Parses a language made, for statistics: in full, or incrementally after an edit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParseCounts {
    pub full: u64,
    pub incremental: u64,
}

/// A language: a crate implements this and the binary registers it (see [`Languages`]).
///
/// Architecture invariant: a language knows nothing of LSP, of configuration files, of the
/// store's layout, of tasks or of the command line. It reads workspace files only through the
/// database (`Db::read_file`, `Db::project`) and may ask whether a library path exists.
///
/// Every method taking a file is called only for files the language owns. The methods that
/// answer for one file must be backed by salsa queries, so that answers are memoized and
/// equal answers backdate: the dependency graph and the server call them after every edit.
pub trait Language: Send + Sync + 'static {
    /// A short lowercase name: `python`.
    fn name(&self) -> &'static str;

    /// The file name extensions (without the dot) of the files this language owns.
    fn extensions(&self) -> &'static [&'static str];

    /// Every rule the language checks.
    fn rules(&self) -> &'static [RuleInfo];

    /// The configuration keys the language reads.
    fn settings(&self) -> &'static [SettingInfo] {
        &[]
    }

    /// State kept beside each database for the language's own use (open documents' syntax
    /// trees), reached through [`language_state`].
    fn new_state(&self) -> Box<dyn Any + Send + Sync> {
        Box::new(())
    }

    /// Sets the language up for a freshly loaded workspace (its salsa inputs: import search
    /// roots from an environment, say). Called once per database, before any query.
    fn load(&self, db: &dyn Db, context: &LoadContext<'_>) -> Vec<LoadProblem>;

    /// A digest of everything outside the workspace's files that the language's findings depend
    /// on and that its per-file keys do not say: its settings, search roots, environment. The
    /// workspace keeps a file's findings between runs only while this (and the file set, and the
    /// disk the language looked at) is unchanged.
    fn environment(&self, _db: &dyn Db) -> Digest {
        Digest::default()
    }

    /// Every finding for the file, sorted by range then code, suppression comments not applied.
    fn diagnostics(&self, db: &dyn Db, file: SourceFile) -> Arc<[Diagnostic]>;

    /// The file's suppression comments (`# noqa`).
    fn suppressions(&self, db: &dyn Db, file: SourceFile) -> Arc<Suppressions>;

    /// Where the analysed text's lines are: what turns findings into positions.
    fn line_index(&self, db: &dyn Db, file: SourceFile) -> Arc<LineIndex>;

    /// What the file defines for the files depending on it.
    fn exports(&self, db: &dyn Db, file: SourceFile) -> Arc<Exports>;

    /// The workspace files this file depends on, with what it reads of each.
    fn dependencies(&self, db: &dyn Db, file: SourceFile) -> Arc<[Dependency]>;

    /// The names through which the file's imports look for files, as [`name_key`]s, sorted:
    /// when files come or go, the file's findings can change only if a name the coming or
    /// going file is found by ([`Language::presence`]) is among them. `None` when the language
    /// cannot say: then any file coming or going may change them.
    ///
    /// [`name_key`]: crate::name_key
    fn lookups(&self, _db: &dyn Db, _file: SourceFile) -> Option<Arc<[u64]>> {
        None
    }

    /// The names by which imports find `path` (a file, or a folder when `is_dir`), for
    /// [`Language::lookups`] to be matched against when it comes or goes. The default, for a
    /// language that does not say: its own files may matter to anyone, nothing else does.
    fn presence(&self, path: &Path, is_dir: bool) -> Presence {
        let owned = !is_dir
            && path
                .extension()
                .and_then(|extension| extension.to_str())
                .is_some_and(|extension| self.extensions().contains(&extension));
        if owned {
            Presence::Unknown
        } else {
            Presence::Irrelevant
        }
    }

    /// An open document's text changed (it was opened, edited, or its text replaced); `edit`
    /// is the one edit from the document's previous text to `text`, when the editor said it.
    /// Called after the file's input holds `text`.
    fn document_changed(
        &self,
        _db: &dyn Db,
        _path: &Path,
        _text: Arc<str>,
        _edit: Option<TextEdit>,
    ) {
    }

    /// An open document was closed: the disk is its truth again.
    fn document_closed(&self, _db: &dyn Db, _path: &Path) {}

    /// Parses made so far in this database.
    fn parse_counts(&self, _db: &dyn Db) -> ParseCounts {
        ParseCounts::default()
    }
}

/// What a file or folder coming or going means to a language's imports (`Language::presence`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presence {
    /// No import of the language can find it.
    Irrelevant,
    /// Imports find it by these names: only files whose lookups hold one can be affected.
    Names(Vec<String>),
    /// Any file of the language may be affected.
    Unknown,
}

/// The languages a process knows, in registration order. The binary builds this in one place;
/// everything else is given it.
#[derive(Clone)]
pub struct Languages {
    languages: Arc<[Arc<dyn Language>]>,
}

impl std::fmt::Debug for Languages {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_list()
            .entries(self.languages.iter().map(|language| language.name()))
            .finish()
    }
}

impl Languages {
    pub fn new(languages: Vec<Arc<dyn Language>>) -> Self {
        Self {
            languages: languages.into(),
        }
    }

    pub fn get(&self, id: LanguageId) -> Option<&dyn Language> {
        self.languages.get(id.index()).map(|language| &**language)
    }

    pub fn iter(&self) -> impl Iterator<Item = (LanguageId, &dyn Language)> {
        self.languages
            .iter()
            .enumerate()
            .map(|(index, language)| (LanguageId::new(index), &**language))
    }

    pub fn len(&self) -> usize {
        self.languages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.languages.is_empty()
    }

    /// The language called `name` (an editor's language identifier, such as `python`).
    pub fn by_name(&self, name: &str) -> Option<LanguageId> {
        self.iter()
            .find(|(_, language)| language.name() == name)
            .map(|(id, _)| id)
    }

    /// The language owning `path`, by its extension.
    pub fn of_path(&self, path: &Path) -> Option<LanguageId> {
        let extension = path.extension()?.to_str()?;
        self.iter()
            .find(|(_, language)| language.extensions().contains(&extension))
            .map(|(id, _)| id)
    }

    /// Every file name extension some language owns.
    pub fn extensions(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.languages
            .iter()
            .flat_map(|language| language.extensions().iter().copied())
    }

    /// The rule `code` names (its code or an alias), in whichever language has it.
    pub fn rule(&self, code: &str) -> Option<&'static RuleInfo> {
        self.languages
            .iter()
            .flat_map(|language| language.rules())
            .find(|rule| rule.answers_to(code))
    }

    /// Every rule once, by code, in registration order: a code two languages share is one rule.
    pub fn rules(&self) -> Vec<&'static RuleInfo> {
        let mut seen = Vec::new();
        for rule in self.languages.iter().flat_map(|language| language.rules()) {
            if !seen.iter().any(|known: &&RuleInfo| known.code == rule.code) {
                seen.push(rule);
            }
        }
        seen
    }

    /// The setting `key` and the language that owns it.
    pub fn setting(&self, key: &str) -> Option<SettingInfo> {
        self.languages
            .iter()
            .flat_map(|language| language.settings())
            .find(|setting| setting.key == key)
            .copied()
    }

    /// Every setting key some language owns.
    pub fn setting_keys(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.languages
            .iter()
            .flat_map(|language| language.settings().iter().map(|setting| setting.key))
    }
}

/// The state of type `T` that some language keeps in this database (see
/// [`Language::new_state`]).
pub fn language_state<T: Any>(db: &dyn Db) -> Option<&T> {
    (0..db.languages().len()).find_map(|index| {
        db.language_state(LanguageId::new(index))?
            .downcast_ref::<T>()
    })
}

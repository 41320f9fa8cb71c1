//! A toy language, used only in tests, to prove that ripple's language boundary is real: every
//! part of ripple that is not a language crate (the workspace, the dependency graph, `ripple
//! check`, the server) must work with it exactly as with Python, without naming it.
//!
//! A toy file (`*.toy`) holds one statement per line:
//!
//! ```text
//! import shapes        # depends on shapes.toy in the same folder
//! def circle           # defines `circle`
//! use shapes.square    # uses `square` of the imported `shapes`
//! ```
//!
//! Blank lines and `#` comments are allowed; `# allow` at the end of a line silences its
//! findings (`# allow: code, code` only those). Findings: `syntax-error` (any other line),
//! `unresolved-import` (no such file), `missing-module-member` (the module defines no such
//! name) and `undefined-name` (a `use` of a module not imported).
//!
//! Its queries mirror Python's shape on purpose: what a file exports and imports compare equal
//! across edits that do not change them, and a dependent asks about one name at a time, so the
//! incremental invariants can be asserted on salsa's execution events for it too.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ripple_core::{
    Db, Dependency, Diagnostic, Exports, FileContents, Language, LineIndex, LoadContext,
    LoadProblem, RuleInfo, Severity, SourceFile, Suppression, Suppressions, TextRange, name_key,
};

/// The toy language: `*.toy` files.
#[derive(Debug, Default, Clone, Copy)]
pub struct Toy;

const RULES: &[RuleInfo] = &[
    RuleInfo {
        code: "syntax-error",
        aliases: &[],
        severity: Severity::Error,
        documentation: "## What it does\nReports a toy line that is not `import`, `def` or `use`.\n",
    },
    RuleInfo {
        code: "unresolved-import",
        aliases: &["T1"],
        severity: Severity::Error,
        documentation: "## What it does\nReports `import m` with no `m.toy` beside the file.\n",
    },
    RuleInfo {
        code: "missing-module-member",
        aliases: &["T2"],
        severity: Severity::Error,
        documentation: "## What it does\nReports `use m.n` where `m.toy` has no `def n`.\n",
    },
    RuleInfo {
        code: "undefined-name",
        aliases: &["T3"],
        severity: Severity::Error,
        documentation: "## What it does\nReports `use m.n` where `m` is not imported.\n",
    },
];

/// One toy file, parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ToyFile {
    pub imports: Vec<(String, TextRange)>,
    /// Defined names, sorted.
    pub definitions: Vec<String>,
    /// (module, name, range of the whole `module.name`).
    pub uses: Vec<(String, String, TextRange)>,
    pub errors: Vec<(TextRange, String)>,
    pub suppressions: Vec<(u32, u32, Suppression)>,
    pub lines: Option<Arc<LineIndex>>,
    /// The file could not be read or decoded.
    pub unreadable: Option<(&'static str, String)>,
}

fn parse(text: &str) -> ToyFile {
    let mut file = ToyFile {
        lines: Some(Arc::new(LineIndex::new(text))),
        ..ToyFile::default()
    };
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let (code, comment) = match content.find('#') {
            Some(at) => (&content[..at], Some(&content[at + 1..])),
            None => (content, None),
        };
        if let Some(allow) = comment.and_then(|comment| comment.trim().strip_prefix("allow")) {
            let suppression = match allow.trim().strip_prefix(':') {
                Some(codes) => Suppression::Codes(
                    codes
                        .split(',')
                        .filter_map(|code| {
                            RULES
                                .iter()
                                .find(|rule| rule.answers_to(code.trim()))
                                .map(|rule| rule.code)
                        })
                        .collect(),
                ),
                None => Suppression::All,
            };
            file.suppressions
                .push((start as u32, offset as u32, suppression));
        }
        let indent = code.len() - code.trim_start().len();
        let words: Vec<&str> = code.split_whitespace().collect();
        let word_start = start + indent;
        let range_of = |word: &str| {
            let at = code.find(word).unwrap_or(indent);
            TextRange::new(start + at, start + at + word.len())
        };
        match words.as_slice() {
            [] => {}
            ["import", module] => file.imports.push((module.to_string(), range_of(module))),
            ["def", name] => file.definitions.push(name.to_string()),
            ["use", target] => match target.split_once('.') {
                Some((module, name)) if !module.is_empty() && !name.is_empty() => {
                    file.uses
                        .push((module.to_string(), name.to_string(), range_of(target)));
                }
                _ => file.errors.push((
                    range_of(target),
                    format!("`use` takes `module.name`, not `{target}`"),
                )),
            },
            _ => file.errors.push((
                TextRange::new(word_start, start + code.trim_end().len()),
                "expected `import NAME`, `def NAME` or `use MODULE.NAME`".to_string(),
            )),
        }
    }
    file.definitions.sort();
    file.definitions.dedup();
    file
}

#[salsa::tracked(returns(ref))]
pub fn parsed(db: &dyn Db, file: SourceFile) -> Arc<ToyFile> {
    let read = match file.contents(db) {
        FileContents::Text(text) => Ok(text.to_string()),
        FileContents::OnDisk(_) => db.read_file(file.path(db)).map(|read| read.text),
        other => Err(other.clone()),
    };
    Arc::new(match read {
        Ok(text) => parse(&text),
        Err(FileContents::Undecodable(reason)) => ToyFile {
            unreadable: Some((ripple_core::SYNTAX_ERROR_CODE, reason)),
            ..ToyFile::default()
        },
        Err(FileContents::Unreadable(reason)) => ToyFile {
            unreadable: Some((ripple_core::IO_ERROR_CODE, reason)),
            ..ToyFile::default()
        },
        Err(_) => ToyFile {
            unreadable: Some((ripple_core::IO_ERROR_CODE, "no text".into())),
            ..ToyFile::default()
        },
    })
}

/// What the file defines; a file with syntax errors may define anything.
#[salsa::tracked(returns(ref))]
pub fn exports(db: &dyn Db, file: SourceFile) -> Arc<Exports> {
    let parsed = parsed(db, file);
    Arc::new(Exports {
        names: parsed.definitions.clone(),
        open: !parsed.errors.is_empty() || parsed.unreadable.is_some(),
        reexported_from: Vec::new(),
    })
}

/// What a file's cross-file findings read of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct References {
    pub imports: Vec<(String, TextRange)>,
    /// (module, name, range).
    pub uses: Vec<(String, String, TextRange)>,
}

/// The file's imports and uses; equal across edits that do not change them.
#[salsa::tracked(returns(ref))]
pub fn references(db: &dyn Db, file: SourceFile) -> Arc<References> {
    let parsed = parsed(db, file);
    Arc::new(References {
        imports: parsed.imports.clone(),
        uses: parsed.uses.clone(),
    })
}

#[salsa::tracked(returns(ref))]
pub fn local_diagnostics(db: &dyn Db, file: SourceFile) -> Arc<[Diagnostic]> {
    let parsed = parsed(db, file);
    if let Some((code, reason)) = &parsed.unreadable {
        return Arc::from([Diagnostic::new(
            code,
            Severity::Error,
            TextRange::empty(0),
            reason.as_str(),
        )]);
    }
    parsed
        .errors
        .iter()
        .map(|(range, message)| {
            Diagnostic::new("syntax-error", Severity::Error, *range, message.as_str())
        })
        .collect()
}

/// A module name imported from a folder: the key of `resolve`.
#[salsa::interned(debug)]
struct ModuleKey<'db> {
    #[returns(ref)]
    dir: PathBuf,
    #[returns(ref)]
    name: String,
}

/// The workspace file a module name means from a folder.
#[salsa::tracked]
fn resolve<'db>(db: &'db dyn Db, key: ModuleKey<'db>) -> Option<SourceFile> {
    let path = key.dir(db).join(format!("{}.toy", key.name(db)));
    db.project().files(db).get(&path).copied()
}

fn resolve_from(db: &dyn Db, file: SourceFile, name: &str) -> Option<SourceFile> {
    let dir = file
        .path(db)
        .parent()
        .unwrap_or(Path::new(""))
        .to_path_buf();
    *resolve(db, ModuleKey::new(db, dir, name))
}

/// One name of one module: the key of `defines`.
#[salsa::interned(debug)]
struct Member<'db> {
    file: SourceFile,
    #[returns(ref)]
    name: String,
}

/// Whether a module may define a name. Dependents ask per name, so a change to one name
/// re-runs only the import checks of the files using it.
#[salsa::tracked]
fn defines<'db>(db: &'db dyn Db, member: Member<'db>) -> bool {
    let exported = exports(db, *member.file(db));
    exported.open || exported.defines(member.name(db))
}

#[salsa::tracked(returns(ref))]
pub fn import_diagnostics(db: &dyn Db, file: SourceFile) -> Arc<[Diagnostic]> {
    let References { imports, uses } = &**references(db, file);
    let mut diagnostics = Vec::new();
    for (module, range) in imports {
        if resolve_from(db, file, module).is_none() {
            diagnostics.push(Diagnostic::new(
                "unresolved-import",
                Severity::Error,
                *range,
                format!("no `{module}.toy` beside this file"),
            ));
        }
    }
    for (module, name, range) in uses {
        if !imports.iter().any(|(imported, _)| imported == module) {
            diagnostics.push(Diagnostic::new(
                "undefined-name",
                Severity::Error,
                *range,
                format!("`{module}` is not imported"),
            ));
            continue;
        }
        let Some(target) = resolve_from(db, file, module) else {
            continue;
        };
        if !defines(db, Member::new(db, target, name.as_str())) {
            diagnostics.push(Diagnostic::new(
                "missing-module-member",
                Severity::Error,
                *range,
                format!("`{module}` has no `{name}`"),
            ));
        }
    }
    diagnostics.into()
}

#[salsa::tracked(returns(ref))]
pub fn all_diagnostics(db: &dyn Db, file: SourceFile) -> Arc<[Diagnostic]> {
    let mut diagnostics = local_diagnostics(db, file).to_vec();
    diagnostics.extend(import_diagnostics(db, file).iter().cloned());
    diagnostics.sort_by(|a, b| (a.range, a.code).cmp(&(b.range, b.code)));
    diagnostics.into()
}

#[salsa::tracked(returns(ref))]
pub fn dependencies(db: &dyn Db, file: SourceFile) -> Arc<[Dependency]> {
    let References { imports, uses } = &**references(db, file);
    let mut found: Vec<Dependency> = Vec::new();
    for (module, _) in imports {
        let Some(target) = resolve_from(db, file, module) else {
            continue;
        };
        let mut names: Vec<u64> = uses
            .iter()
            .filter(|(used, _, _)| used == module)
            .map(|(_, name, _)| name_key(name))
            .collect();
        names.sort_unstable();
        names.dedup();
        if !found.iter().any(|edge| edge.file == target) {
            found.push(Dependency {
                file: target,
                names: names.into(),
                reexports: false,
            });
        }
    }
    found.into()
}

#[salsa::tracked(returns(ref))]
fn line_index(db: &dyn Db, file: SourceFile) -> Arc<LineIndex> {
    parsed(db, file)
        .lines
        .clone()
        .unwrap_or_else(|| Arc::new(LineIndex::new("")))
}

#[salsa::tracked(returns(ref))]
fn suppressions(db: &dyn Db, file: SourceFile) -> Arc<Suppressions> {
    Arc::new(Suppressions::new(parsed(db, file).suppressions.clone()))
}

impl Language for Toy {
    fn name(&self) -> &'static str {
        "toy"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["toy"]
    }

    fn rules(&self) -> &'static [RuleInfo] {
        RULES
    }

    fn load(&self, _db: &dyn Db, _context: &LoadContext<'_>) -> Vec<LoadProblem> {
        Vec::new()
    }

    fn diagnostics(&self, db: &dyn Db, file: SourceFile) -> Arc<[Diagnostic]> {
        all_diagnostics(db, file).clone()
    }

    fn suppressions(&self, db: &dyn Db, file: SourceFile) -> Arc<Suppressions> {
        suppressions(db, file).clone()
    }

    fn line_index(&self, db: &dyn Db, file: SourceFile) -> Arc<LineIndex> {
        line_index(db, file).clone()
    }

    fn exports(&self, db: &dyn Db, file: SourceFile) -> Arc<Exports> {
        exports(db, file).clone()
    }

    fn dependencies(&self, db: &dyn Db, file: SourceFile) -> Arc<[Dependency]> {
        dependencies(db, file).clone()
    }
}

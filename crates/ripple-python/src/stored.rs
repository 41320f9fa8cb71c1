//! A file's analysis as the store keeps it: everything later queries read of a file (its local
//! findings, imports, exports, `# noqa` comments and line index), so that an unchanged file is
//! neither read nor parsed on a warm run. Encoded with postcard (varints, borrowed strings).
//!
//! The key is the digest of the file's bytes and of the facts of its name the analysis reads
//! (`__init__`, stub); ripple's build is added by the store, so a change to the analysis or to
//! this format is a different key, never a misread value.

use std::sync::Arc;

use ripple_core::{
    Db, Diagnostic, Digest, Exports, IO_ERROR_CODE, LineIndex, LineIndexParts, Severity,
    Suppression, Suppressions, TextRange,
};
use serde::{Deserialize, Serialize};

use crate::rules::Rule;
use crate::semantic::{FileAnalysis, ImportKind, ImportRequest};

/// The inputs of a file's stored analysis.
pub(crate) fn analysis_key(content: &Digest, is_package_init: bool, is_stub: bool) -> Digest {
    Digest::of_parts(&[
        b"python analysis",
        content.as_bytes(),
        &[u8::from(is_package_init), u8::from(is_stub)],
    ])
}

/// The stored analysis for `key`, if there is one that decodes.
pub(crate) fn load(db: &dyn Db, key: &Digest) -> Option<FileAnalysis> {
    let mut found = None;
    db.with_stored_result(key, &mut |bytes| found = decode(bytes));
    found
}

pub(crate) fn save(db: &dyn Db, key: &Digest, analysis: &FileAnalysis) {
    if let Some(bytes) = encode(analysis) {
        db.store_result(key, bytes);
    }
}

#[derive(Serialize, Deserialize)]
struct Stored<'a> {
    #[serde(borrow)]
    diagnostics: Vec<StoredDiagnostic<'a>>,
    #[serde(borrow)]
    imports: Vec<StoredImport<'a>>,
    #[serde(borrow)]
    names: Vec<&'a str>,
    open: bool,
    #[serde(borrow)]
    reexported_from: Vec<&'a str>,
    /// (start, end, silenced codes; `None` for all).
    #[serde(borrow)]
    noqa: Vec<(u32, u32, Option<Vec<&'a str>>)>,
    #[serde(borrow)]
    lines: LineIndexParts<'a>,
}

#[derive(Serialize, Deserialize)]
struct StoredDiagnostic<'a> {
    code: &'a str,
    severity: u8,
    start: u32,
    end: u32,
    message: &'a str,
}

#[derive(Serialize, Deserialize)]
struct StoredImport<'a> {
    kind: u8,
    module: &'a str,
    level: u32,
    start: u32,
    end: u32,
    #[serde(borrow)]
    names: Vec<(&'a str, u32, u32)>,
    optional: bool,
}

fn encode(analysis: &FileAnalysis) -> Option<Vec<u8>> {
    let stored = Stored {
        diagnostics: analysis
            .diagnostics
            .iter()
            .map(|diagnostic| StoredDiagnostic {
                code: diagnostic.code,
                severity: severity_byte(diagnostic.severity),
                start: diagnostic.range.start,
                end: diagnostic.range.end,
                message: &diagnostic.message,
            })
            .collect(),
        imports: analysis
            .imports
            .iter()
            .map(|import| StoredImport {
                kind: match import.kind {
                    ImportKind::Module => 0,
                    ImportKind::From => 1,
                    ImportKind::Star => 2,
                },
                module: &import.module,
                level: import.level,
                start: import.range.start,
                end: import.range.end,
                names: import
                    .names
                    .iter()
                    .map(|(name, range)| (name.as_str(), range.start, range.end))
                    .collect(),
                optional: import.optional,
            })
            .collect(),
        names: analysis.exports.names.iter().map(String::as_str).collect(),
        open: analysis.exports.open,
        reexported_from: analysis
            .exports
            .reexported_from
            .iter()
            .map(String::as_str)
            .collect(),
        noqa: analysis
            .noqa
            .entries()
            .iter()
            .map(|(start, end, suppression)| {
                let codes = match suppression {
                    Suppression::All => None,
                    Suppression::Codes(codes) => Some(codes.to_vec()),
                };
                (*start, *end, codes)
            })
            .collect(),
        lines: analysis.lines.to_parts(),
    };
    postcard::to_allocvec(&stored).ok()
}

fn decode(bytes: &[u8]) -> Option<FileAnalysis> {
    let stored: Stored<'_> = postcard::from_bytes(bytes).ok()?;
    let diagnostics = stored
        .diagnostics
        .into_iter()
        .map(|diagnostic| {
            Some(Diagnostic::new(
                static_code(diagnostic.code)?,
                severity_of(diagnostic.severity)?,
                range(diagnostic.start, diagnostic.end)?,
                diagnostic.message,
            ))
        })
        .collect::<Option<Vec<_>>>()?;
    let imports = stored
        .imports
        .into_iter()
        .map(|import| {
            Some(ImportRequest {
                kind: match import.kind {
                    0 => ImportKind::Module,
                    1 => ImportKind::From,
                    2 => ImportKind::Star,
                    _ => return None,
                },
                module: import.module.to_string(),
                level: import.level,
                range: range(import.start, import.end)?,
                names: import
                    .names
                    .into_iter()
                    .map(|(name, start, end)| Some((name.to_string(), range(start, end)?)))
                    .collect::<Option<Vec<_>>>()?,
                optional: import.optional,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let noqa = stored
        .noqa
        .into_iter()
        .map(|(start, end, codes)| {
            let suppression = match codes {
                None => Suppression::All,
                Some(codes) => Suppression::Codes(
                    codes
                        .into_iter()
                        .map(static_code)
                        .collect::<Option<Vec<_>>>()?
                        .into(),
                ),
            };
            Some((start, end, suppression))
        })
        .collect::<Option<Vec<_>>>()?;
    let mut names: Vec<String> = stored.names.into_iter().map(str::to_string).collect();
    names.shrink_to_fit();
    Some(FileAnalysis {
        diagnostics: diagnostics.into(),
        imports: imports.into(),
        exports: Arc::new(Exports {
            names,
            open: stored.open,
            reexported_from: stored
                .reexported_from
                .into_iter()
                .map(str::to_string)
                .collect(),
        }),
        noqa: Arc::new(Suppressions::new(noqa)),
        lines: Arc::new(LineIndex::from_parts(&stored.lines)?),
    })
}

fn range(start: u32, end: u32) -> Option<TextRange> {
    (start <= end).then_some(TextRange { start, end })
}

/// The code as the rules spell it, or `None` for a code this build does not know.
fn static_code(code: &str) -> Option<&'static str> {
    if code == IO_ERROR_CODE {
        return Some(IO_ERROR_CODE);
    }
    Rule::from_code(code)
        .map(Rule::code)
        .filter(|known| *known == code)
}

fn severity_byte(severity: Severity) -> u8 {
    match severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Information => 2,
        Severity::Hint => 3,
    }
}

fn severity_of(byte: u8) -> Option<Severity> {
    Some(match byte {
        0 => Severity::Error,
        1 => Severity::Warning,
        2 => Severity::Information,
        3 => Severity::Hint,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantic::analyze_source;

    #[test]
    fn an_analysis_survives_the_store() {
        let sources = [
            "import os\nfrom . import sibling\nfrom m import (a,  # noqa: F401\n    b)\n",
            "from x import *\n__all__ = ['missing']\ndef __getattr__(name): ...\n",
            "def f(:\n",
            "# é 😀\nx = 1  # noqa\ny = undefined\n",
            "",
        ];
        for source in sources {
            let analysis = analyze_source(source, true, false);
            let bytes = encode(&analysis).unwrap_or_else(|| panic!("cannot encode {source:?}"));
            assert_eq!(decode(&bytes).as_ref(), Some(&analysis), "{source:?}");
        }
        let unreadable = FileAnalysis::unparsable_with_code(IO_ERROR_CODE, "cannot read");
        let bytes = encode(&unreadable).unwrap_or_default();
        assert_eq!(decode(&bytes), Some(unreadable));
    }

    #[test]
    fn damaged_or_foreign_bytes_are_no_analysis() {
        let analysis = analyze_source("import os\nos.sep\nz = w\n", false, false);
        let bytes = encode(&analysis).unwrap_or_default();
        for cut in 0..bytes.len() {
            // Any prefix either fails to decode or decodes to a consistent analysis.
            if let Some(decoded) = decode(&bytes[..cut]) {
                assert!(decoded.lines.line_count() > 0);
            }
        }
        assert_eq!(decode(b"\xff\xff\xff\xff"), None);
    }
}

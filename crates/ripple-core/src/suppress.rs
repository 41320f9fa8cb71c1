//! Suppression comments (`# noqa`, `# noqa: CODE`) as every language reports them: the lines a
//! comment covers and which codes it silences. Each language finds its own comments; they are
//! applied once, by the workspace, for every front end.

use crate::diagnostic::{Diagnostic, IO_ERROR_CODE, SYNTAX_ERROR_CODE};

/// What one comment silences.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Suppression {
    /// Every rule.
    All,
    /// These rules, by their canonical codes.
    Codes(Box<[&'static str]>),
}

/// The suppression comments of a file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Suppressions {
    /// (start, end, what): findings starting in `start..end` (bytes) are silenced; sorted by
    /// start.
    covered: Vec<(u32, u32, Suppression)>,
}

impl Suppressions {
    pub fn new(mut covered: Vec<(u32, u32, Suppression)>) -> Self {
        covered.sort_by_key(|(start, _, _)| *start);
        Self { covered }
    }

    pub fn is_empty(&self) -> bool {
        self.covered.is_empty()
    }

    /// Each comment: the bytes it covers and what it silences, by start.
    pub fn entries(&self) -> &[(u32, u32, Suppression)] {
        &self.covered
    }

    /// Whether a finding is silenced. A file that cannot be read or parsed cannot be silenced:
    /// nothing else in it is checked while it is so.
    pub fn suppresses(&self, diagnostic: &Diagnostic) -> bool {
        if self.covered.is_empty()
            || diagnostic.code == SYNTAX_ERROR_CODE
            || diagnostic.code == IO_ERROR_CODE
        {
            return false;
        }
        let offset = diagnostic.range.start;
        // Comments are few per file, and one covering a statement overlaps the lines after it.
        self.covered
            .iter()
            .take_while(|(start, _, _)| *start <= offset)
            .filter(|(_, end, _)| offset < *end)
            .any(|(_, _, suppression)| match suppression {
                Suppression::All => true,
                Suppression::Codes(codes) => codes.contains(&diagnostic.code),
            })
    }
}

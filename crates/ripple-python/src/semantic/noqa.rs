//! `# noqa` comments: a bare `# noqa` silences every finding on its line, `# noqa: CODE, CODE`
//! only the named ones (ripple codes or their ruff/flake8 aliases), as in flake8 and ruff.

use memchr::memmem;
use ripple_core::LineIndex;
use tree_sitter::Node;

use crate::rules::Rule;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Suppression {
    All,
    Rules(Vec<Rule>),
}

/// The `noqa` directives of a file: for each line that has one, the line's byte range.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoqaDirectives {
    /// (line start, line end, suppression), sorted by line start.
    lines: Vec<(u32, u32, Suppression)>,
}

impl NoqaDirectives {
    /// Finds the directives in `source`. Only text inside comment tokens counts, so a `"# noqa"`
    /// inside a string does not silence anything.
    pub(crate) fn collect(source: &str, root: Node<'_>, lines: &LineIndex) -> Self {
        let mut by_line: Vec<(u32, u32, Suppression)> = Vec::new();
        let lowered;
        let haystack = if source.contains("NOQA") || source.contains("NoQA") {
            lowered = source.to_ascii_lowercase();
            lowered.as_str()
        } else {
            source
        };
        for found in memmem::find_iter(haystack.as_bytes(), b"noqa") {
            let line = lines.line_of(found as u32);
            let line_start = lines.line_start(line).unwrap_or(0) as usize;
            let Some(hash) = haystack[line_start..found].rfind('#') else {
                continue;
            };
            let hash = line_start + hash;
            if !haystack[hash + 1..found].trim().is_empty() {
                continue;
            }
            let Some(comment) = root
                .descendant_for_byte_range(hash, hash + 1)
                .filter(|node| node.kind() == "comment")
            else {
                continue;
            };
            let rest = &source[found + 4..];
            let rest = rest.split(['\n', '\r']).next().unwrap_or("");
            let mut line_end = lines.line_start(line + 1).unwrap_or(source.len() as u32);
            // A `noqa` on the first line of a multi-line import covers the whole statement, as
            // in ruff: `from m import (  # noqa` silences the names on the following lines.
            if let Some(statement) = comment.parent().filter(|parent| {
                matches!(parent.kind(), "import_from_statement" | "import_statement")
                    && lines.line_of(parent.start_byte() as u32) == line
            }) {
                line_end = line_end.max(statement.end_byte() as u32);
            }
            if by_line
                .last()
                .is_some_and(|last| last.0 == line_start as u32)
            {
                continue;
            }
            by_line.push((line_start as u32, line_end, parse_codes(rest)));
        }
        Self { lines: by_line }
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Whether a finding of `rule` starting at byte `offset` is silenced.
    pub fn suppresses(&self, offset: u32, rule: Rule) -> bool {
        let index = self.lines.partition_point(|(start, _, _)| *start <= offset);
        let Some((_, end, suppression)) = index.checked_sub(1).and_then(|i| self.lines.get(i))
        else {
            return false;
        };
        if offset >= *end {
            return false;
        }
        match suppression {
            Suppression::All => true,
            Suppression::Rules(rules) => rules.contains(&rule),
        }
    }

    /// Whether a diagnostic is silenced by a `noqa` comment on its first line.
    pub fn suppresses_diagnostic(&self, diagnostic: &ripple_core::Diagnostic) -> bool {
        !self.lines.is_empty()
            && Rule::from_code(diagnostic.code)
                .is_some_and(|rule| self.suppresses(diagnostic.range.start, rule))
    }
}

fn parse_codes(rest: &str) -> Suppression {
    let Some(codes) = rest.trim_start().strip_prefix(':') else {
        return Suppression::All;
    };
    // The code list ends at the first word that is not a code (`# noqa: F401 because ...`).
    let rules = codes
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|word| !word.is_empty())
        .map_while(|word| {
            let looks_like_code = word
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            looks_like_code.then(|| Rule::from_code(word))
        })
        .flatten()
        .collect();
    Suppression::Rules(rules)
}

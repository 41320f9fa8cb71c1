//! `# noqa` comments: a bare `# noqa` silences every finding on its line, `# noqa: CODE, CODE`
//! only the named ones (ripple codes or their ruff/flake8 aliases), as in flake8 and ruff.

use memchr::memmem;
use ripple_core::LineIndex;
use rustc_hash::FxHashMap;
use tree_sitter::Node;

use crate::rules::Rule;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Suppression {
    All,
    Rules(Vec<Rule>),
}

/// The `noqa` directives of a file, by zero-based line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoqaDirectives {
    by_line: FxHashMap<u32, Suppression>,
}

impl NoqaDirectives {
    /// Finds the directives in `source`. Only text inside comment tokens counts, so a `"# noqa"`
    /// inside a string does not silence anything.
    pub(crate) fn collect(source: &str, root: Node<'_>, lines: &LineIndex) -> Self {
        let mut by_line = FxHashMap::default();
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
            let in_comment = root
                .descendant_for_byte_range(hash, hash + 1)
                .is_some_and(|node| node.kind() == "comment");
            if !in_comment {
                continue;
            }
            let rest = &source[found + 4..];
            let rest = rest.split(['\n', '\r']).next().unwrap_or("");
            by_line.insert(line, parse_codes(rest));
        }
        Self { by_line }
    }

    /// Whether a finding of `rule` starting on `line` is silenced.
    pub fn suppresses(&self, line: u32, rule: Rule) -> bool {
        match self.by_line.get(&line) {
            Some(Suppression::All) => true,
            Some(Suppression::Rules(rules)) => rules.contains(&rule),
            None => false,
        }
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

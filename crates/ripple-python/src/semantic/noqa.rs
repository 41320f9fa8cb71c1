//! `# noqa` comments: a bare `# noqa` silences every finding on its line, `# noqa: CODE, CODE`
//! only the named ones (ripple codes or their ruff/flake8 aliases), as in flake8 and ruff.

use memchr::memmem;
use ripple_core::{LineIndex, Suppression, Suppressions, TextRange};

use crate::rules::Rule;

/// Finds the directives in the comments of `source` (so a `"# noqa"` inside a string silences
/// nothing): for each, the line it is on. `multiline_imports` are the ranges of import
/// statements spanning several lines: a directive on such a statement's first line covers all
/// of it, as in ruff (`from m import (  # noqa` silences the names on the following lines).
pub(crate) fn noqa_directives(
    source: &str,
    comments: &[TextRange],
    multiline_imports: &[TextRange],
    lines: &LineIndex,
) -> Suppressions {
    let mut directives = Vec::new();
    for comment in comments {
        let Some(text) = source.get(comment.start as usize..comment.end as usize) else {
            continue;
        };
        // `# noqa` may follow other comment text (`# type: ignore  # noqa`), as in flake8.
        let lowered = text.to_ascii_lowercase();
        let Some(found) = memmem::find_iter(lowered.as_bytes(), b"noqa")
            .find(|&at| lowered[..at].trim_end_matches([' ', '\t']).ends_with('#'))
        else {
            continue;
        };
        let rest = &text[found + 4..];
        let line = lines.line_of(comment.start);
        let line_start = lines.line_start(line).unwrap_or(0);
        let mut line_end = lines
            .line_start(line + 1)
            .unwrap_or(u32::try_from(source.len()).unwrap_or(u32::MAX));
        for statement in multiline_imports {
            if lines.line_of(statement.start) == line {
                line_end = line_end.max(statement.end);
            }
        }
        directives.push((line_start, line_end, parse_codes(rest)));
    }
    Suppressions::new(directives)
}

fn parse_codes(rest: &str) -> Suppression {
    let Some(codes) = rest.trim_start().strip_prefix(':') else {
        return Suppression::All;
    };
    // The code list ends at the first word that is not a code (`# noqa: F401 because ...`).
    let codes = codes
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|word| !word.is_empty())
        .map_while(|word| {
            let looks_like_code = word
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            looks_like_code.then(|| Rule::from_code(word).map(Rule::code))
        })
        .flatten()
        .collect();
    Suppression::Codes(codes)
}

//! Syntax errors: tree-sitter recovers from any input, marking what it could not parse with
//! ERROR and MISSING nodes; CPython would refuse the file. ripple reports the first one, as
//! CPython does, and also the Python 2 forms tree-sitter's grammar still accepts.

use ripple_core::TextRange;
use tree_sitter::{Node, TreeCursor};

pub(crate) struct SyntaxProblem {
    pub range: TextRange,
    pub message: String,
}

/// The first syntax problem in document order, found without recursion (the tree may be
/// arbitrarily deep).
pub(crate) fn first_syntax_problem(root: Node<'_>, source: &str) -> Option<SyntaxProblem> {
    let found = search(root, source);
    if found.is_none() && root.has_error() {
        // The error is in a node tree-sitter hides (a missing newline token, say) and no
        // visible node shows where: report the file rather than stay silent.
        return Some(SyntaxProblem {
            range: TextRange::empty(0),
            message: "invalid syntax".into(),
        });
    }
    found
}

fn search(root: Node<'_>, source: &str) -> Option<SyntaxProblem> {
    let mut cursor: TreeCursor<'_> = root.walk();
    loop {
        let node = cursor.node();
        if let Some(problem) = problem_at(node, source) {
            return Some(problem);
        }
        if node.has_error()
            && matches!(node.kind(), "module" | "block")
            && let Some(problem) = statements_on_one_line(node, source)
        {
            return Some(problem);
        }
        let descend = node.has_error() || is_python2_container(node.kind());
        if descend && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return None;
            }
        }
    }
}

/// Statements that can hold a Python 2 form; the search descends into them even without errors.
fn is_python2_container(kind: &str) -> bool {
    matches!(
        kind,
        "module"
            | "block"
            | "if_statement"
            | "elif_clause"
            | "else_clause"
            | "for_statement"
            | "while_statement"
            | "try_statement"
            | "except_clause"
            | "finally_clause"
            | "with_statement"
            | "function_definition"
            | "class_definition"
            | "decorated_definition"
            | "match_statement"
            | "case_clause"
    )
}

/// Two statements on one line without a `;` between them: tree-sitter inserts a hidden missing
/// newline, which no visible node shows.
fn statements_on_one_line(block: Node<'_>, source: &str) -> Option<SyntaxProblem> {
    let mut cursor = block.walk();
    let mut previous: Option<Node<'_>> = None;
    for child in block.named_children(&mut cursor) {
        if child.kind() == "comment" {
            continue;
        }
        if let Some(previous) = previous
            && previous.end_position().row == child.start_position().row
        {
            let between = source
                .get(previous.end_byte()..child.start_byte())
                .unwrap_or("");
            if !between.contains(';') {
                return Some(SyntaxProblem {
                    range: TextRange::new(child.start_byte(), child.end_byte()),
                    message:
                        "invalid syntax: statements must be separated by newlines or semicolons"
                            .into(),
                });
            }
        }
        previous = Some(child);
    }
    None
}

fn problem_at(node: Node<'_>, source: &str) -> Option<SyntaxProblem> {
    let range = TextRange::new(node.start_byte(), node.end_byte());
    if node.is_missing() {
        let expected = node.kind();
        return Some(SyntaxProblem {
            range: TextRange::empty(node.start_byte()),
            message: format!("invalid syntax: expected `{expected}`"),
        });
    }
    if node.is_error() {
        let snippet: String = source
            .get(node.start_byte()..node.end_byte())
            .unwrap_or("")
            .chars()
            .take(30)
            .take_while(|&c| c != '\n' && c != '\r')
            .collect();
        let message = if snippet.trim().is_empty() {
            "invalid syntax".to_string()
        } else {
            format!("invalid syntax near `{}`", snippet.trim())
        };
        let end = node.start_byte() + snippet.len();
        return Some(SyntaxProblem {
            range: TextRange::new(node.start_byte(), end),
            message,
        });
    }
    match node.kind() {
        "print_statement" => Some(SyntaxProblem {
            range,
            message: "missing parentheses in call to `print`: this is Python 2 syntax".into(),
        }),
        "exec_statement" => Some(SyntaxProblem {
            range,
            message: "`exec` is a function in Python 3: this is Python 2 syntax".into(),
        }),
        _ => None,
    }
}

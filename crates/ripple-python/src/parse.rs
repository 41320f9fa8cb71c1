//! Parsing a file, in full or incrementally after an edit.
//!
//! ruff's parser has no incremental mode, so this module provides one at statement level, in the
//! spirit of tree-sitter's reuse of unchanged subtrees: after an edit, the innermost statement
//! that contains it (and owns its lines), or else the lines between the two statements around
//! it, is parsed again on its own; the new statements take the old ones' place in the previous
//! tree, and every node after them moves by the edit's length. Anything this cannot do exactly
//! (a file with syntax errors, a region that does not parse on its own, whose indentation
//! changed or that is no longer whole lines) returns `None`, and the caller parses the whole
//! file. The result is the tree a full parse would give, node for node, ranges
//! included; `tests/edit_sequences.rs` compares the two after every random edit.
//!
//! Written by hand: no maintained crate reparses ruff's AST incrementally.

mod shift;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub use ripple_core::TextEdit;
use ruff_python_ast::token::TokenKind;
use ruff_python_ast::{ModModule, Stmt, Suite};
use ruff_python_parser::{Mode, ParseOptions, parse_unchecked};
use ruff_text_size::{Ranged, TextRange, TextSize};

/// CPython's tokenizer limits (`MAXLEVEL`, `MAXINDENT`): deeper files do not compile.
const MAX_BRACKETS: u32 = 200;
const MAX_INDENTS: u32 = 100;

/// A parsed file: the tree and what the analysis reads from the tokens.
#[derive(Debug)]
pub struct ParsedSource {
    pub module: ModModule,
    /// Every comment, in order.
    pub comments: Vec<TextRange>,
    /// The first place the file goes past CPython's nesting limits, and which limit.
    pub limit_error: Option<(TextRange, &'static str)>,
    /// The first syntax error: where, and the parser's message.
    pub syntax_error: Option<(TextRange, String)>,
}

/// Parses a whole file.
pub fn parse_source(source: &str) -> ParsedSource {
    let parsed = parse_unchecked(source, ParseOptions::from(Mode::Module));
    let syntax_error = parsed
        .errors()
        .first()
        .map(|error| (error.location, error.error.to_string()));
    let (comments, limit_error) = scan_tokens(parsed.tokens().iter(), 0);
    let module = parsed.into_syntax().module().unwrap_or_else(|| ModModule {
        range: TextRange::default(),
        body: Suite::new(),
        node_index: Default::default(),
    });
    ParsedSource {
        module,
        comments,
        limit_error,
        syntax_error,
    }
}

/// Comments, and the first token past CPython's nesting limits, counting indentation from
/// `indent_level`. This runs over every token of every file, so the common case (within the
/// limits) only counts; the offending token is searched for in a second pass when there is one.
fn scan_tokens<'a>(
    tokens: impl Iterator<Item = &'a ruff_python_ast::token::Token> + Clone,
    indent_level: u32,
) -> (Vec<TextRange>, Option<(TextRange, &'static str)>) {
    let mut comments = Vec::new();
    let (mut brackets, mut indents) = (0u32, indent_level);
    let (mut deepest_brackets, mut deepest_indents) = (0u32, indent_level);
    for token in tokens.clone() {
        match token.kind() {
            TokenKind::Comment => comments.push(token.range()),
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => {
                brackets += 1;
                deepest_brackets = deepest_brackets.max(brackets);
            }
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => {
                brackets = brackets.saturating_sub(1);
            }
            TokenKind::Indent => {
                indents += 1;
                deepest_indents = deepest_indents.max(indents);
            }
            TokenKind::Dedent => indents = indents.saturating_sub(1),
            _ => {}
        }
    }
    let limit_error = (deepest_brackets > MAX_BRACKETS || deepest_indents > MAX_INDENTS)
        .then(|| first_past_limits(tokens, indent_level))
        .flatten();
    (comments, limit_error)
}

/// The first token past CPython's nesting limits, and which limit.
fn first_past_limits<'a>(
    tokens: impl Iterator<Item = &'a ruff_python_ast::token::Token>,
    indent_level: u32,
) -> Option<(TextRange, &'static str)> {
    let (mut brackets, mut indents) = (0u32, indent_level);
    for token in tokens {
        match token.kind() {
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => brackets += 1,
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => {
                brackets = brackets.saturating_sub(1);
            }
            TokenKind::Indent => indents += 1,
            TokenKind::Dedent => indents = indents.saturating_sub(1),
            _ => {}
        }
        if brackets > MAX_BRACKETS {
            return Some((token.range(), "too many nested parentheses"));
        }
        if indents > MAX_INDENTS {
            return Some((token.range(), "too many levels of indentation"));
        }
    }
    None
}

/// Where a body of statements sits inside its parent statement.
#[derive(Debug, Clone, Copy)]
enum BodyOf {
    Body,
    OrElse,
    Finally,
    Clause(usize),
    Handler(usize),
    Case(usize),
}

/// What an edit replaces: whole lines of one block, holding the statements `replaced` of the
/// body at `path` (one statement the edit lies in, or none for an edit between two statements).
struct Region {
    path: Vec<(usize, BodyOf)>,
    replaced: std::ops::Range<usize>,
    /// Where the region's lines start and end (past the last line break) in the old text.
    start: usize,
    old_end: usize,
    /// The block's indentation, which every new statement must have.
    indentation: String,
    /// Nodes from here on move by the edit's length; nodes around it grow.
    shift_at: TextSize,
}

/// The previous parse of `old` brought up to date with `new`, or `None` when only a full parse
/// can say (see the module documentation).
pub fn reparse(
    previous: ParsedSource,
    old: &str,
    new: &str,
    edit: TextEdit,
) -> Option<ParsedSource> {
    if previous.syntax_error.is_some() || previous.limit_error.is_some() {
        return None;
    }
    let region = locate(&previous.module.body, old, edit, Vec::new())
        .or_else(|| locate_gap(&previous.module.body, old, edit, Vec::new()))?;
    let delta = edit.new_end as i64 - edit.old_end as i64;
    let new_end = usize::try_from(region.old_end as i64 + delta).ok()?;
    let text = new.get(region.start..new_end)?;
    // The region must still be whole lines: an edit that joined its last line with the next
    // one (or typed at the start of the next, or after a last line with no line break) changed
    // a line outside it.
    let starts_a_line = region.start == 0 || new[..region.start].ends_with(['\n', '\r']);
    let whole_lines = new_end == new.len()
        || text.ends_with('\n')
        || (text.ends_with('\r') && !new[new_end..].starts_with('\n'));
    if !starts_a_line || !whole_lines {
        return None;
    }

    // The region alone, behind a prefix exactly as long as the text before it, so that its
    // nodes get their final offsets: blank for a top-level block, `if 1:` and a blank line for
    // an indented one (the region's lines become that block's body). A `pass` after it keeps a
    // region of only comments from being an empty block; it is dropped again.
    let mut source = String::with_capacity(new_end + region.indentation.len() + 8);
    let depth = region.path.len() as u32;
    if region.indentation.is_empty() {
        blank_prefix(&mut source, region.start);
    } else {
        if region.start < 7 {
            return None;
        }
        source.push_str("if 1:\n");
        blank_prefix(&mut source, region.start - 6);
    }
    source.push_str(text);
    if !text.is_empty() && !text.ends_with(['\n', '\r']) {
        // The last line of the file, with no line break: `pass` needs a line of its own.
        source.push('\n');
    }
    let sentinel = source.len();
    source.push_str(&region.indentation);
    source.push_str("pass\n");
    let parsed = parse_unchecked(&source, ParseOptions::from(Mode::Module));
    if !parsed.errors().is_empty() {
        return None;
    }
    // The fake `if` opens one indentation level; the real enclosing blocks open `depth`.
    let (mut region_comments, limit_error) =
        scan_tokens(parsed.tokens().iter(), depth.saturating_sub(1));
    if limit_error.is_some() {
        return None;
    }
    region_comments.retain(|comment| comment.start().to_usize() < sentinel);
    let mut statements = parsed.into_syntax().module()?.body;
    if !region.indentation.is_empty() {
        let [Stmt::If(wrapper)] = statements.as_mut_slice() else {
            return None;
        };
        if !wrapper.elif_else_clauses.is_empty() {
            return None;
        }
        statements = std::mem::take(&mut wrapper.body);
    }
    match statements.pop() {
        Some(Stmt::Pass(pass)) if pass.range.start().to_usize() >= sentinel => {}
        _ => return None,
    }
    // Every new statement must sit in the block: its line indented exactly like the block's.
    for statement in &statements {
        let start = statement.range().start().to_usize();
        let before = &new[line_start_of(new, start)..start];
        let same_line_as_previous = !before.trim().is_empty();
        if !same_line_as_previous && before != region.indentation {
            return None;
        }
    }

    let mut reparsed = previous;
    shift::shift_module(&mut reparsed.module, region.shift_at, delta);
    let body = body_mut(&mut reparsed.module.body, &region.path)?;
    if statements.is_empty() && body.len() == region.replaced.len() && !region.path.is_empty() {
        // The block would be left empty: a syntax error a full parse reports.
        return None;
    }
    let at = region.replaced.start;
    for _ in region.replaced {
        body.remove(at);
    }
    for (offset, statement) in statements.into_iter().enumerate() {
        body.insert(at + offset, statement);
    }
    // A compound statement ends where its last block's last statement does, which the new
    // statements may have moved by other than the edit's length (trailing text removed).
    end_blocks_at_their_statements(&mut reparsed.module.body, &region.path);

    let mut comments: Vec<TextRange> = Vec::with_capacity(reparsed.comments.len());
    for comment in &reparsed.comments {
        let start = comment.start().to_usize();
        if start < region.start {
            comments.push(*comment);
        } else if start >= region.old_end {
            comments.push(shift::moved(*comment, delta));
        }
    }
    let insert_at = comments.partition_point(|comment| comment.start().to_usize() < region.start);
    comments.splice(insert_at..insert_at, region_comments);
    reparsed.comments = comments;
    Some(reparsed)
}

/// The innermost statement that contains the edit and owns its lines (nothing else before it
/// on its first line, nothing but a comment after it on its last).
fn locate(body: &[Stmt], text: &str, edit: TextEdit, path: Vec<(usize, BodyOf)>) -> Option<Region> {
    let index = body.iter().position(|statement| {
        let range = statement.range();
        range.start().to_usize() <= edit.start && edit.old_end <= range.end().to_usize()
    })?;
    let statement = &body[index];
    for (kind, inner) in bodies(statement) {
        let mut inner_path = path.clone();
        inner_path.push((index, kind));
        if let Some(found) = locate(inner, text, edit, inner_path) {
            return Some(found);
        }
    }
    let range = statement.range();
    let (start, end) = (range.start().to_usize(), range.end().to_usize());
    let line_start = line_start_of(text, start);
    let indentation = &text[line_start..start];
    let after = &text[end..line_end(text, end)];
    let after = after.trim_start_matches([' ', '\t', '\x0c']);
    let owns_last_line = after.is_empty() || after.starts_with(['#', '\n', '\r']);
    (indentation.trim().is_empty() && owns_last_line).then(|| Region {
        path,
        replaced: index..index + 1,
        start: line_start,
        old_end: line_end(text, end),
        indentation: indentation.to_string(),
        shift_at: range.end(),
    })
}

/// An edit between two statements of a block (a new line typed, a comment line changed): the
/// whole lines between them, in the innermost block whose gap holds the edit. At the top level
/// the gap may also be before the first statement or after the last.
fn locate_gap(
    body: &[Stmt],
    text: &str,
    edit: TextEdit,
    path: Vec<(usize, BodyOf)>,
) -> Option<Region> {
    // The first statement that ends after the edit starts.
    let next = body.partition_point(|statement| statement.range().end().to_usize() <= edit.start);
    if let Some(statement) = body.get(next)
        && statement.range().start().to_usize() < edit.old_end
    {
        // The edit reaches into a statement: inside it, only its own blocks' gaps can hold it.
        for (kind, inner) in bodies(statement) {
            let mut inner_path = path.clone();
            inner_path.push((next, kind));
            if let Some(found) = locate_gap(inner, text, edit, inner_path) {
                return Some(found);
            }
        }
        return None;
    }
    let top_level = path.is_empty();
    let start = match next.checked_sub(1).map(|previous| &body[previous]) {
        Some(previous) => line_end(text, previous.range().end().to_usize()),
        None if top_level => 0,
        None => return None,
    };
    let (old_end, indentation) = match body.get(next) {
        Some(following) => {
            let following_start = following.range().start().to_usize();
            let line_start = line_start_of(text, following_start);
            (line_start, &text[line_start..following_start])
        }
        None if top_level => (text.len(), ""),
        None => return None,
    };
    let owns_lines = indentation.trim().is_empty() && start <= old_end;
    (owns_lines && start <= edit.start && edit.old_end <= old_end).then(|| Region {
        path,
        replaced: next..next,
        start,
        old_end,
        indentation: indentation.to_string(),
        shift_at: TextSize::new(old_end as u32),
    })
}

/// The bodies of statements a compound statement holds.
fn bodies(statement: &Stmt) -> Vec<(BodyOf, &[Stmt])> {
    let mut found: Vec<(BodyOf, &[Stmt])> = Vec::new();
    match statement {
        Stmt::FunctionDef(node) => found.push((BodyOf::Body, &node.body)),
        Stmt::ClassDef(node) => found.push((BodyOf::Body, &node.body)),
        Stmt::For(node) => {
            found.push((BodyOf::Body, &node.body));
            found.push((BodyOf::OrElse, &node.orelse));
        }
        Stmt::While(node) => {
            found.push((BodyOf::Body, &node.body));
            found.push((BodyOf::OrElse, &node.orelse));
        }
        Stmt::If(node) => {
            found.push((BodyOf::Body, &node.body));
            for (index, clause) in node.elif_else_clauses.iter().enumerate() {
                found.push((BodyOf::Clause(index), &clause.body));
            }
        }
        Stmt::With(node) => found.push((BodyOf::Body, &node.body)),
        Stmt::Try(node) => {
            found.push((BodyOf::Body, &node.body));
            for (index, handler) in node.handlers.iter().enumerate() {
                let ruff_python_ast::ExceptHandler::ExceptHandler(handler) = handler;
                found.push((BodyOf::Handler(index), &handler.body));
            }
            found.push((BodyOf::OrElse, &node.orelse));
            found.push((BodyOf::Finally, &node.finalbody));
        }
        Stmt::Match(node) => {
            for (index, case) in node.cases.iter().enumerate() {
                found.push((BodyOf::Case(index), &case.body));
            }
        }
        _ => {}
    }
    found
}

/// The body a path leads to.
fn body_mut<'a>(mut body: &'a mut Suite, path: &[(usize, BodyOf)]) -> Option<&'a mut Suite> {
    for &(index, kind) in path {
        body = body_mut_of(body.get_mut(index)?, kind)?;
    }
    Some(body)
}

/// Sets the end of each compound statement along `path` (and of the clause, handler or case
/// the path goes through) to the end of its last statement, innermost first.
fn end_blocks_at_their_statements(body: &mut [Stmt], path: &[(usize, BodyOf)]) {
    let Some((&(index, kind), rest)) = path.split_first() else {
        return;
    };
    let Some(statement) = body.get_mut(index) else {
        return;
    };
    let last_end = |body: &[Stmt]| body.last().map(|statement| statement.range().end());
    match (statement, kind) {
        (Stmt::If(node), BodyOf::Clause(clause)) => {
            if let Some(clause) = node.elif_else_clauses.get_mut(clause) {
                end_blocks_at_their_statements(&mut clause.body, rest);
                if let Some(end) = last_end(&clause.body) {
                    clause.range = TextRange::new(clause.range.start(), end);
                }
            }
        }
        (Stmt::Try(node), BodyOf::Handler(handler)) => {
            if let Some(ruff_python_ast::ExceptHandler::ExceptHandler(handler)) =
                node.handlers.get_mut(handler)
            {
                end_blocks_at_their_statements(&mut handler.body, rest);
                if let Some(end) = last_end(&handler.body) {
                    handler.range = TextRange::new(handler.range.start(), end);
                }
            }
        }
        (Stmt::Match(node), BodyOf::Case(case)) => {
            if let Some(case) = node.cases.get_mut(case) {
                end_blocks_at_their_statements(&mut case.body, rest);
                if let Some(end) = last_end(&case.body) {
                    case.range = TextRange::new(case.range.start(), end);
                }
            }
        }
        (statement, kind) => {
            if let Some(inner) = body_mut_of(statement, kind) {
                end_blocks_at_their_statements(inner, rest);
            }
        }
    }
    let Some(statement) = body.get_mut(index) else {
        return;
    };
    let end = match &*statement {
        Stmt::FunctionDef(node) => last_end(&node.body),
        Stmt::ClassDef(node) => last_end(&node.body),
        Stmt::With(node) => last_end(&node.body),
        Stmt::For(node) => last_end(&node.orelse).or_else(|| last_end(&node.body)),
        Stmt::While(node) => last_end(&node.orelse).or_else(|| last_end(&node.body)),
        Stmt::If(node) => node
            .elif_else_clauses
            .last()
            .map(|clause| clause.range.end())
            .or_else(|| last_end(&node.body)),
        Stmt::Try(node) => last_end(&node.finalbody)
            .or_else(|| last_end(&node.orelse))
            .or_else(|| node.handlers.last().map(|handler| handler.range().end()))
            .or_else(|| last_end(&node.body)),
        Stmt::Match(node) => node.cases.last().map(|case| case.range.end()),
        _ => None,
    };
    if let Some(end) = end {
        set_end(statement, end);
    }
}

fn set_end(statement: &mut Stmt, end: TextSize) {
    let range = match statement {
        Stmt::FunctionDef(node) => &mut node.range,
        Stmt::ClassDef(node) => &mut node.range,
        Stmt::With(node) => &mut node.range,
        Stmt::For(node) => &mut node.range,
        Stmt::While(node) => &mut node.range,
        Stmt::If(node) => &mut node.range,
        Stmt::Try(node) => &mut node.range,
        Stmt::Match(node) => &mut node.range,
        _ => return,
    };
    *range = TextRange::new(range.start(), end);
}

/// The body `kind` of one compound statement.
fn body_mut_of(statement: &mut Stmt, kind: BodyOf) -> Option<&mut Suite> {
    Some(match (statement, kind) {
        (Stmt::FunctionDef(node), BodyOf::Body) => &mut node.body,
        (Stmt::ClassDef(node), BodyOf::Body) => &mut node.body,
        (Stmt::For(node), BodyOf::Body) => &mut node.body,
        (Stmt::For(node), BodyOf::OrElse) => &mut node.orelse,
        (Stmt::While(node), BodyOf::Body) => &mut node.body,
        (Stmt::While(node), BodyOf::OrElse) => &mut node.orelse,
        (Stmt::If(node), BodyOf::Body) => &mut node.body,
        (Stmt::If(node), BodyOf::Clause(clause)) => {
            &mut node.elif_else_clauses.get_mut(clause)?.body
        }
        (Stmt::With(node), BodyOf::Body) => &mut node.body,
        (Stmt::Try(node), BodyOf::Body) => &mut node.body,
        (Stmt::Try(node), BodyOf::Handler(handler)) => {
            let ruff_python_ast::ExceptHandler::ExceptHandler(handler) =
                node.handlers.get_mut(handler)?;
            &mut handler.body
        }
        (Stmt::Try(node), BodyOf::OrElse) => &mut node.orelse,
        (Stmt::Try(node), BodyOf::Finally) => &mut node.finalbody,
        (Stmt::Match(node), BodyOf::Case(case)) => &mut node.cases.get_mut(case)?.body,
        _ => return None,
    })
}

/// Spaces then a line break, `length` bytes in all: a blank line the tokenizer skips.
fn blank_prefix(source: &mut String, length: usize) {
    if length > 0 {
        source.extend(std::iter::repeat_n(' ', length - 1));
        source.push('\n');
    }
}

/// Where the line holding `offset` starts (after `\n`, `\r\n` or a lone `\r`).
fn line_start_of(text: &str, offset: usize) -> usize {
    text[..offset]
        .rfind(['\n', '\r'])
        .map_or(0, |position| position + 1)
}

/// Where the line holding `offset` ends, past its line break.
fn line_end(text: &str, offset: usize) -> usize {
    let bytes = text.as_bytes();
    match text[offset..].find(['\n', '\r']) {
        None => text.len(),
        Some(found) => {
            let at = offset + found;
            if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                at + 2
            } else {
                at + 1
            }
        }
    }
}

/// Whether `edit` can be the change from `old` to `new`: in bounds, on character boundaries,
/// and of the right length. (Checking that the text around it is unchanged would cost the very
/// comparison the editor's ranges spare; the random edit tests compare every incremental tree
/// with a full parse.)
fn is_edit_between(edit: TextEdit, old: &str, new: &str) -> bool {
    edit.fits(old.len(), new.len())
        && old.is_char_boundary(edit.start)
        && new.is_char_boundary(edit.start)
        && old.is_char_boundary(edit.old_end)
        && new.is_char_boundary(edit.new_end)
}

/// A document's text and the tree parsed from it.
type DocumentTree = (Arc<str>, Arc<ParsedSource>);

/// The trees of open documents, kept so the next edit can reparse incrementally, and counts of
/// full and incremental parses. The analysis uses a document's tree when it was made from the
/// very text (the same `Arc`) it is asked about; any other text is parsed in full. Shared by a
/// database and its snapshots.
#[derive(Debug, Default)]
pub struct DocumentParses {
    trees: std::sync::Mutex<std::collections::HashMap<std::path::PathBuf, DocumentTree>>,
    full: AtomicU64,
    incremental: AtomicU64,
}

impl DocumentParses {
    /// The tree of `path` if it was parsed from exactly `text`.
    pub fn get(&self, path: &Path, text: &Arc<str>) -> Option<Arc<ParsedSource>> {
        let trees = self
            .trees
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (parsed_text, tree) = trees.get(path)?;
        Arc::ptr_eq(parsed_text, text).then(|| tree.clone())
    }

    /// Brings the tree of a document up to date with `text`: incrementally from its previous
    /// tree when possible, else in full. `edit` is the editor's own account of the change from
    /// the previous text, when it gave one; without it (a whole text replaced) the two texts
    /// are compared to find it. Call after the new text is set in the database, so that no
    /// check still holds the previous tree (setting an input waits for them to stop).
    pub fn update(&self, path: &Path, text: Arc<str>, edit: Option<TextEdit>) {
        let previous = self.remove(path);
        let reparsed = previous.and_then(|(old_text, tree)| {
            let tree = Arc::try_unwrap(tree).ok()?;
            // An edit that does not fit the two texts would splice the wrong bytes: find it.
            let edit = match edit.filter(|edit| is_edit_between(*edit, &old_text, &text)) {
                Some(edit) => edit,
                None => TextEdit::between(&old_text, &text)?,
            };
            reparse(tree, &old_text, &text, edit)
        });
        let tree = match reparsed {
            Some(tree) => {
                self.incremental.fetch_add(1, Ordering::Relaxed);
                tree
            }
            None => {
                self.full.fetch_add(1, Ordering::Relaxed);
                parse_source(&text)
            }
        };
        let mut trees = self
            .trees
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        trees.insert(path.to_path_buf(), (text, Arc::new(tree)));
    }

    /// Forgets a document's tree (it was closed: the disk is the truth again).
    pub fn remove(&self, path: &Path) -> Option<DocumentTree> {
        let mut trees = self
            .trees
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        trees.remove(path)
    }

    /// Counts a full parse made outside this store (a file that is not an open document).
    pub fn count_full(&self) {
        self.full.fetch_add(1, Ordering::Relaxed);
    }

    /// Parses so far: (full, incremental).
    pub fn counts(&self) -> (u64, u64) {
        (
            self.full.load(Ordering::Relaxed),
            self.incremental.load(Ordering::Relaxed),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies `replacement` at the first `find` of `old`, reparses incrementally, and returns
    /// whether it was incremental; the result must equal a full parse either way.
    fn check(old: &str, find: &str, replacement: &str) -> bool {
        let start = old
            .find(find)
            .unwrap_or_else(|| panic!("{find:?} is not in the text"));
        let new = format!(
            "{}{replacement}{}",
            &old[..start],
            &old[start + find.len()..]
        );
        let edit = TextEdit::between(old, &new).unwrap_or(TextEdit {
            start,
            old_end: start,
            new_end: start,
        });
        let full = parse_source(&new);
        match reparse(parse_source(old), old, &new, edit) {
            Some(incremental) => {
                assert_eq!(
                    format!("{:?}", incremental.module),
                    format!("{:?}", full.module)
                );
                assert_eq!(incremental.comments, full.comments, "comments of {new:?}");
                true
            }
            None => false,
        }
    }

    const SOURCE: &str = "import os\n\n\nclass Model:\n    # a comment\n    def save(self, force=False):\n        if force:\n            return os.sep  # trailing\n        x = f'{self!r:>{10}}'\n        return x\n\n    def delete(self):\n        try:\n            pass\n        except ValueError as error:\n            raise\n\n\nAFTER = [1, 2]  # tail\n";

    #[test]
    fn nesting_past_cpythons_limits_is_found_at_its_first_token() {
        let parens = |depth: usize| format!("x = {}1{}\n", "(".repeat(depth), ")".repeat(depth));
        assert_eq!(parse_source(&parens(200)).limit_error, None);
        let deep = parse_source(&parens(201)).limit_error;
        // The 201st `(` opens at offset 4 + 200.
        assert_eq!(
            deep,
            Some((
                TextRange::new(204.into(), 205.into()),
                "too many nested parentheses"
            ))
        );
        // Closed brackets do not count: two nests of 150 side by side are within the limit.
        let twice = format!("x = {0}1{1} + {0}2{1}\n", "(".repeat(150), ")".repeat(150));
        assert_eq!(parse_source(&twice).limit_error, None);
        let mut blocks = String::new();
        for depth in 0..=100 {
            blocks.push_str(&" ".repeat(depth));
            blocks.push_str("if x:\n");
        }
        blocks.push_str(&" ".repeat(101));
        blocks.push_str("pass\n");
        let (_, message) = parse_source(&blocks)
            .limit_error
            .unwrap_or_else(|| panic!("101 levels of indentation are past the limit"));
        assert_eq!(message, "too many levels of indentation");
    }

    #[test]
    fn a_body_edit_reparses_only_its_statement() {
        assert!(check(SOURCE, "return x", "return x + 1"));
        assert!(check(SOURCE, "x = f'", "y = 0\n        x = f'"));
        assert!(check(SOURCE, "raise", "raise KeyError('a')"));
        assert!(check(SOURCE, "# trailing", "# trailing, longer"));
        assert!(check(SOURCE, "pass", "pass  # now commented"));
        assert!(check(SOURCE, "AFTER = [1, 2]", "AFTER = [1]"));
        // Between statements: a new line, a comment, at the top level and in a block.
        assert!(check(SOURCE, "\n\n\nclass", "\n\nx = 1\nclass"));
        assert!(check(SOURCE, "    # a comment", "    # another comment"));
        assert!(check(
            SOURCE,
            "        return x\n",
            "        return x\n        # done\n        y = 2\n"
        ));
        // At the very start of the file, and in an empty one (found by fuzzing: the module's
        // range moved instead of growing).
        assert!(check(SOURCE, "import os", "x = 1\nimport os"));
        assert!(check("", "", "\n"));
    }

    #[test]
    fn text_after_a_last_line_without_a_line_break_belongs_to_that_line() {
        // Found by the random edit test: `0` typed after `x # note` at the end of the file
        // continues the comment; it is not a statement of its own.
        assert!(!check("y = 1\nx # note", "# note", "# note0"));
    }

    #[test]
    fn a_shorter_last_statement_moves_the_ends_of_its_blocks() {
        assert!(check(SOURCE, "return x\n", "return\n"));
        assert!(check(SOURCE, "raise\n", "pass \n"));
    }

    #[test]
    fn what_only_a_full_parse_can_say_is_refused() {
        // Unclosed bracket, a changed indentation, an emptied block, outside any statement.
        assert!(!check(SOURCE, "return x", "return (x"));
        assert!(!check(SOURCE, "        return x", "      return x"));
        assert!(!check(SOURCE, "            pass\n", "\n"));
        // A file with a syntax error is parsed in full until it is fixed.
        // Typing at the start of a statement's line from the gap before it changes a line the
        // gap does not hold.
        assert!(!check(SOURCE, "\n\n\nclass", "\n\n\nx class"));
        let broken = SOURCE.replace("return x\n", "return (x\n");
        assert!(!check(&broken, "AFTER", "BEFORE"));
    }
}

#[cfg(test)]
mod deep_tree_tests {
    use super::*;

    /// An open document's tree is dropped by whichever thread lets go of it last; all of them
    /// run with 64 MiB stacks. A 200,000-term operator chain (as deep as any file CPython's
    /// parser would take and deeper) must drop within that.
    #[test]
    fn a_very_deep_tree_drops_on_a_server_thread() {
        let source = format!("x = {}\n", vec!["a"; 200_000].join(" + "));
        let dropped = std::thread::Builder::new()
            .stack_size(64 * 1024 * 1024)
            .spawn(move || drop(parse_source(&source)))
            .map(|thread| thread.join().is_ok());
        assert!(matches!(dropped, Ok(true)));
    }
}

//! Reading the value of Python string literals from tree-sitter `string` nodes, for `__all__`
//! entries and string annotations. Only plain (non-f, non-bytes) literals have a value here.

use std::borrow::Cow;

use tree_sitter::Node;

/// The value of a string literal. `Borrowed` values are a slice of the source at `offset`, which
/// lets string annotations be parsed in place with real positions.
#[derive(Debug, Clone)]
pub(crate) struct StringValue<'src> {
    pub value: Cow<'src, str>,
    /// Byte offset of `value` in the source when it is borrowed.
    pub offset: Option<usize>,
}

/// Reads a `string` node (not `concatenated_string`). Returns `None` for f-strings, t-strings,
/// bytes and literals whose escapes ripple does not decode.
pub(crate) fn string_value<'src>(node: Node<'_>, source: &'src str) -> Option<StringValue<'src>> {
    if node.kind() != "string" {
        return None;
    }
    let start = node.child(0)?;
    let end = node.child(node.child_count().checked_sub(1)?)?;
    if start.kind() != "string_start" || end.kind() != "string_end" {
        return None;
    }
    let prefix = source.get(start.start_byte()..start.end_byte())?;
    let prefix_letters = prefix.trim_end_matches(['"', '\'']).to_ascii_lowercase();
    if prefix_letters.contains(['f', 'b', 't']) {
        return None;
    }
    let raw = prefix_letters.contains('r');
    let content_start = start.end_byte();
    let content_end = end.start_byte();
    let content = source.get(content_start..content_end)?;
    if raw || !content.contains('\\') {
        return Some(StringValue {
            value: Cow::Borrowed(content),
            offset: Some(content_start),
        });
    }
    decode_escapes(content).map(|value| StringValue {
        value: Cow::Owned(value),
        offset: None,
    })
}

/// Decodes the common escapes; gives up (None) on anything exotic rather than guess.
fn decode_escapes(content: &str) -> Option<String> {
    let mut out = String::with_capacity(content.len());
    let mut chars = content.chars();
    while let Some(ch) = chars.next() {
        if ch != '\\' {
            out.push(ch);
            continue;
        }
        match chars.next()? {
            '\n' => {}
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            _ => return None,
        }
    }
    Some(out)
}

//! Open documents: the editor's text as a rope, edited by LSP content changes.

use ripple_core::PositionEncoding;
use ropey::Rope;
use tower_lsp_server::lsp_types::{Position, Range, TextDocumentContentChangeEvent};

/// A document the editor has open. Its text wins over the file on disk until it is closed.
#[derive(Debug, Clone)]
pub struct Document {
    rope: Rope,
    pub version: i32,
}

/// An edit that could not be applied exactly as sent; it was clamped, and the reason is logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clamped(pub String);

impl Document {
    pub fn new(text: &str, version: i32) -> Self {
        Self {
            rope: Rope::from_str(text),
            version,
        }
    }

    pub fn text(&self) -> String {
        self.rope.to_string()
    }

    /// Applies content changes in order. Positions past a line's end or past the last line are
    /// clamped, as the LSP specification asks, and reported back so they can be logged.
    pub fn apply(
        &mut self,
        changes: &[TextDocumentContentChangeEvent],
        encoding: PositionEncoding,
    ) -> Vec<Clamped> {
        let mut clamped = Vec::new();
        for change in changes {
            match change.range {
                None => self.rope = Rope::from_str(&change.text),
                Some(range) => {
                    let start = self.char_index(range.start, encoding, &mut clamped);
                    let end = self.char_index(range.end, encoding, &mut clamped);
                    let (start, end) = if start <= end {
                        (start, end)
                    } else {
                        clamped.push(Clamped(format!("range end before start: {range:?}")));
                        (end, start)
                    };
                    self.rope.remove(start..end);
                    self.rope.insert(start, &change.text);
                }
            }
        }
        clamped
    }

    /// The char index of an LSP position in the given encoding.
    fn char_index(
        &self,
        position: Position,
        encoding: PositionEncoding,
        clamped: &mut Vec<Clamped>,
    ) -> usize {
        let line_count = self.rope.len_lines();
        let line = position.line as usize;
        if line >= line_count {
            clamped.push(Clamped(format!(
                "line {} past the end ({line_count} lines)",
                position.line
            )));
            return self.rope.len_chars();
        }
        let line_start = self.rope.line_to_char(line);
        let line_slice = self.rope.line(line);
        // The line's content without its line break.
        let mut content_chars = line_slice.len_chars();
        while content_chars > 0 {
            let last = line_slice.char(content_chars - 1);
            if last == '\n' || last == '\r' {
                content_chars -= 1;
            } else {
                break;
            }
        }
        let wanted = position.character as usize;
        let mut units = 0usize;
        for (offset, ch) in line_slice.chars().take(content_chars).enumerate() {
            if units == wanted {
                return line_start + offset;
            }
            let width = match encoding {
                PositionEncoding::Utf16 => ch.len_utf16(),
                PositionEncoding::Utf8 => ch.len_utf8(),
            };
            if units + width > wanted {
                clamped.push(Clamped(format!(
                    "character {} falls inside a character on line {}; moved to its start",
                    position.character, position.line
                )));
                return line_start + offset;
            }
            units += width;
        }
        if units < wanted {
            clamped.push(Clamped(format!(
                "character {} past the end of line {}",
                position.character, position.line
            )));
        }
        line_start + content_chars
    }
}

/// An LSP range from a byte range, in the negotiated encoding.
pub fn lsp_range(
    lines: &ripple_core::LineIndex,
    range: ripple_core::TextRange,
    encoding: PositionEncoding,
) -> Range {
    let start = lines.position(range.start, encoding);
    let end = lines.position(range.end, encoding);
    Range {
        start: Position::new(start.line, start.character),
        end: Position::new(end.line, end.character),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(range: ((u32, u32), (u32, u32)), text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(
                Position::new(range.0.0, range.0.1),
                Position::new(range.1.0, range.1.1),
            )),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn utf16_edits_after_astral_characters() {
        let mut document = Document::new("a😀b\r\nc\n", 1);
        let clamped = document.apply(&[change(((0, 3), (0, 4)), "X")], PositionEncoding::Utf16);
        assert!(clamped.is_empty());
        assert_eq!(document.text(), "a😀X\r\nc\n");
        // In UTF-8, `a` is one byte, the emoji four and `X` one: offset 6 is after `X`.
        document.apply(&[change(((0, 6), (0, 6)), "Y")], PositionEncoding::Utf8);
        assert_eq!(document.text(), "a😀XY\r\nc\n");
    }

    #[test]
    fn out_of_range_positions_are_clamped_and_reported() {
        let mut document = Document::new("ab\ncd", 1);
        let clamped = document.apply(&[change(((0, 10), (9, 0)), "!")], PositionEncoding::Utf16);
        assert_eq!(document.text(), "ab!");
        assert_eq!(clamped.len(), 2);
        let inside_pair = Document::new("😀", 1)
            .clone()
            .apply(&[change(((0, 1), (0, 1)), "x")], PositionEncoding::Utf16);
        // Both ends of the range fall inside the emoji's surrogate pair.
        assert_eq!(inside_pair.len(), 2);
    }
}

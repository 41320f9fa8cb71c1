//! Open documents: the editor's text as a rope, edited by LSP content changes, which also say
//! where the text changed (so the language can reparse just there, without comparing texts).

use std::path::PathBuf;

use ripple_core::{LanguageId, Languages, PositionEncoding, TextEdit};
use ropey::Rope;
use tower_lsp_server::UriExt;
use tower_lsp_server::lsp_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

/// A document the editor has open. Its text wins over the file on disk until it is closed.
#[derive(Debug, Clone)]
pub struct Document {
    rope: Rope,
    pub version: i32,
    /// The editor's language identifier, when it gave one.
    language_id: Option<String>,
}

/// An edit that could not be applied exactly as sent; it was clamped, and the reason is logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clamped(pub String);

/// What applying a notification's changes did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// The edits that were clamped, and why.
    pub clamped: Vec<Clamped>,
    /// One edit, in bytes, from the text before the changes to the text after them; `None`
    /// when a change replaced the whole text (the edit is then found by comparing).
    pub edit: Option<TextEdit>,
}

impl Document {
    pub fn new(text: &str, version: i32) -> Self {
        Self {
            rope: Rope::from_str(text),
            version,
            language_id: None,
        }
    }

    /// The document as the editor opened it, with its language identifier.
    pub fn with_language(mut self, language_id: &str) -> Self {
        self.language_id = Some(language_id.to_string());
        self
    }

    /// The registered language the editor says this document is in, if any.
    pub fn language(&self, languages: &Languages) -> Option<LanguageId> {
        languages.by_name(self.language_id.as_deref()?)
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
    ) -> Applied {
        let mut clamped = Vec::new();
        // The changes so far as one edit; `None` once the whole text was replaced.
        let mut covered: Option<Option<TextEdit>> = None;
        for change in changes {
            match change.range {
                None => {
                    self.rope = Rope::from_str(&change.text);
                    covered = Some(None);
                }
                Some(range) => {
                    let start = self.char_index(range.start, encoding, &mut clamped);
                    let end = self.char_index(range.end, encoding, &mut clamped);
                    let (start, end) = if start <= end {
                        (start, end)
                    } else {
                        clamped.push(Clamped(format!("range end before start: {range:?}")));
                        (end, start)
                    };
                    let start_byte = self.rope.char_to_byte(start);
                    let edit = TextEdit {
                        start: start_byte,
                        old_end: self.rope.char_to_byte(end),
                        new_end: start_byte + change.text.len(),
                    };
                    self.rope.remove(start..end);
                    self.rope.insert(start, &change.text);
                    covered = Some(match covered {
                        None => Some(edit),
                        Some(before) => before.map(|before| before.then(edit)),
                    });
                }
            }
        }
        Applied {
            clamped,
            edit: covered.flatten(),
        }
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

/// The path of a `file:` URI; other schemes (`untitled:`, `git:`) name no file.
pub fn file_path(uri: &Uri) -> Option<PathBuf> {
    if uri.scheme().is_none_or(|scheme| scheme.as_str() != "file") {
        return None;
    }
    uri.to_file_path().map(|path| path.into_owned())
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
        let applied = document.apply(&[change(((0, 3), (0, 4)), "X")], PositionEncoding::Utf16);
        assert!(applied.clamped.is_empty());
        assert_eq!(document.text(), "a😀X\r\nc\n");
        // `b` (bytes 5..6) became `X`.
        assert_eq!(
            applied.edit,
            Some(TextEdit {
                start: 5,
                old_end: 6,
                new_end: 6
            })
        );
        // In UTF-8, `a` is one byte, the emoji four and `X` one: offset 6 is after `X`.
        document.apply(&[change(((0, 6), (0, 6)), "Y")], PositionEncoding::Utf8);
        assert_eq!(document.text(), "a😀XY\r\nc\n");
    }

    #[test]
    fn out_of_range_positions_are_clamped_and_reported() {
        let mut document = Document::new("ab\ncd", 1);
        let applied = document.apply(&[change(((0, 10), (9, 0)), "!")], PositionEncoding::Utf16);
        assert_eq!(document.text(), "ab!");
        assert_eq!(applied.clamped.len(), 2);
        let inside_pair = Document::new("😀", 1)
            .clone()
            .apply(&[change(((0, 1), (0, 1)), "x")], PositionEncoding::Utf16);
        // Both ends of the range fall inside the emoji's surrogate pair.
        assert_eq!(inside_pair.clamped.len(), 2);
    }

    /// Several changes in one notification become one edit of the text before them, which
    /// turns that text into the text after them.
    #[test]
    fn the_changes_of_one_notification_are_one_edit() {
        let before = "def f():\n    return 1\n\nx = f()\n";
        let mut document = Document::new(before, 1);
        let applied = document.apply(
            &[
                change(((1, 11), (1, 12)), "41"),
                change(((3, 0), (3, 1)), "y"),
                change(((0, 4), (0, 5)), "g"),
            ],
            PositionEncoding::Utf16,
        );
        let after = document.text();
        assert_eq!(after, "def g():\n    return 41\n\ny = f()\n");
        let edit = applied.edit.unwrap_or_else(|| panic!("no edit"));
        assert_eq!(before[..edit.start], after[..edit.start]);
        assert_eq!(before[edit.old_end..], after[edit.new_end..]);
        assert!(edit.fits(before.len(), after.len()));
        // A whole-text replacement says nothing of where the text changed.
        let replaced = document.apply(
            &[TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: "z = 1\n".into(),
            }],
            PositionEncoding::Utf16,
        );
        assert_eq!(replaced.edit, None);
    }
}

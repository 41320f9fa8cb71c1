//! Arbitrary LSP content changes (any positions, past the end, inside a character, reversed
//! ranges, whole-text replacements) applied to an open document in either position encoding,
//! one at a time, the way the server does: after each, the tree reparsed incrementally (where
//! the edit allows) must equal a full parse of the new text, and every position of the result,
//! converted back as diagnostics are, must name a place inside the text. The edit handed to the
//! reparse is the one the document derived from the change's range, as in the server.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use ripple_core::{LineIndex, PositionEncoding};
use ripple_python::parse::{TextEdit, parse_source, reparse};
use ripple_server::document::Document;
use tower_lsp_server::lsp_types::{Position, Range, TextDocumentContentChangeEvent};

#[derive(Debug, Arbitrary)]
struct Input {
    text: String,
    utf8: bool,
    changes: Vec<Change>,
}

#[derive(Debug, Arbitrary)]
struct Change {
    range: Option<(u32, u32, u32, u32)>,
    text: String,
}

fuzz_target!(|input: Input| {
    let encoding = if input.utf8 {
        PositionEncoding::Utf8
    } else {
        PositionEncoding::Utf16
    };
    let mut document = Document::new(&input.text, 1);
    let changes: Vec<TextDocumentContentChangeEvent> = input
        .changes
        .into_iter()
        .map(|change| TextDocumentContentChangeEvent {
            range: change.range.map(|(a, b, c, d)| {
                // Small numbers mostly, so edits land inside the text.
                Range::new(
                    Position::new(a % 64, b % 256),
                    Position::new(c % 64, d % 256),
                )
            }),
            range_length: None,
            text: change.text,
        })
        .collect();
    let mut text = document.text();
    let mut tree = parse_source(&text);
    for change in changes {
        let applied = document.apply(std::slice::from_ref(&change), encoding);
        let new_text = document.text();
        let full = parse_source(&new_text);
        if let Some(edit) = applied.edit {
            assert!(
                edit.fits(text.len(), new_text.len())
                    && text[..edit.start] == new_text[..edit.start]
                    && text[edit.old_end..] == new_text[edit.new_end..],
                "{edit:?} does not turn {text:?} into {new_text:?}"
            );
        }
        let edit = applied.edit.or_else(|| TextEdit::between(&text, &new_text));
        if let Some(reparsed) = edit.and_then(|edit| reparse(tree, &text, &new_text, edit)) {
            assert_eq!(
                format!("{:?} {:?}", reparsed.module, reparsed.comments),
                format!("{:?} {:?}", full.module, full.comments),
                "incremental and full parses differ after {change:?} on {text:?}"
            );
        }
        tree = full;
        text = new_text;
    }
    let lines = LineIndex::new(&text);
    let line_count = text.split_inclusive(['\n', '\r']).count().max(1) as u32 + 1;
    for offset in (0..=text.len()).filter(|&offset| text.is_char_boundary(offset)) {
        let position = lines.position(offset as u32, encoding);
        assert!(
            position.line < line_count,
            "{position:?} past {line_count} lines"
        );
    }
});

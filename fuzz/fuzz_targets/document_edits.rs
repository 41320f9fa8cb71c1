//! Arbitrary LSP content changes (any positions, past the end, inside a character, reversed
//! ranges, whole-text replacements) applied to an open document in either position encoding,
//! then every position of the result converted back, as diagnostics are: nothing may panic, and
//! each position must name a place inside the text.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use ripple_core::{LineIndex, PositionEncoding};
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
    document.apply(&changes, encoding);
    let text = document.text();
    let lines = LineIndex::new(&text);
    let line_count = text.split_inclusive(['\n', '\r']).count().max(1) as u32 + 1;
    for offset in (0..=text.len()).filter(|&offset| text.is_char_boundary(offset)) {
        let position = lines.position(&text, offset as u32, encoding);
        assert!(
            position.line < line_count,
            "{position:?} past {line_count} lines"
        );
    }
});

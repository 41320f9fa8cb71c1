//! Byte ranges and the conversion of byte offsets to the line/character positions that editors
//! and the JSON output speak (UTF-16 code units by default, as LSP says, or UTF-8 bytes).

/// A half-open byte range `[start, end)` into a file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct TextRange {
    pub start: u32,
    pub end: u32,
}

impl TextRange {
    pub fn new(start: usize, end: usize) -> Self {
        Self {
            start: offset_u32(start),
            end: offset_u32(end.max(start)),
        }
    }

    pub fn empty(at: usize) -> Self {
        Self::new(at, at)
    }

    pub fn len(self) -> u32 {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// Offsets beyond 4 GiB cannot occur for files ripple accepts; saturate rather than wrap.
fn offset_u32(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

/// One edit between two texts, in bytes: `start..old_end` of the old text became
/// `start..new_end` of the new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextEdit {
    pub start: usize,
    pub old_end: usize,
    pub new_end: usize,
}

impl TextEdit {
    /// The smallest single edit turning `old` into `new` (their common prefix and suffix kept),
    /// or `None` when they are equal: for a change that came without its range (a file
    /// changed on disk, a document's whole text replaced).
    pub fn between(old: &str, new: &str) -> Option<Self> {
        if old == new {
            return None;
        }
        let (old_bytes, new_bytes) = (old.as_bytes(), new.as_bytes());
        let mut start = old_bytes
            .iter()
            .zip(new_bytes)
            .take_while(|(a, b)| a == b)
            .count();
        // Edits are whole characters: back up to a boundary of both texts.
        while !old.is_char_boundary(start) || !new.is_char_boundary(start) {
            start -= 1;
        }
        let longest_suffix = old.len().min(new.len()) - start;
        let mut suffix = old_bytes
            .iter()
            .rev()
            .zip(new_bytes.iter().rev())
            .take(longest_suffix)
            .take_while(|(a, b)| a == b)
            .count();
        while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix)
        {
            suffix -= 1;
        }
        Some(Self {
            start,
            old_end: old.len() - suffix,
            new_end: new.len() - suffix,
        })
    }

    /// One edit covering this one and then `next` (an edit of the text this one produced): the
    /// several changes of one editor notification, as a single edit of the text before them.
    pub fn then(self, next: TextEdit) -> TextEdit {
        // The text before the earlier start is the same in all three texts. After the changed
        // stretch of the intermediate text (up to whichever edit reaches further), the text
        // is unchanged too, and each edit says where that text sits in its other text.
        let start = self.start.min(next.start);
        let (old_end, new_end) = if next.old_end > self.new_end {
            (self.old_end + (next.old_end - self.new_end), next.new_end)
        } else {
            // `next` ends inside what this edit wrote: the stretch's end moves by its growth.
            (
                self.old_end,
                (self.new_end + next.new_end).saturating_sub(next.old_end),
            )
        };
        TextEdit {
            start,
            old_end,
            new_end,
        }
    }

    /// Whether this edit can turn a text of `old_len` bytes into one of `new_len`.
    pub fn fits(self, old_len: usize, new_len: usize) -> bool {
        self.start <= self.old_end
            && self.start <= self.new_end
            && self.old_end <= old_len
            && self.new_end <= new_len
            && old_len - self.old_end == new_len - self.new_end
    }
}

/// Units in which a position's `character` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PositionEncoding {
    Utf8,
    #[default]
    Utf16,
}

/// A zero-based line and character, as in LSP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Position {
    pub line: u32,
    pub character: u32,
}

/// Where each line starts in a text, and where its multi-byte characters are: enough to turn a
/// byte offset into a position in either encoding without the text itself, so an analysis can
/// keep this (a few bytes a line) instead of the file's text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LineIndex {
    line_starts: LineStarts,
    /// Each character longer than one byte, in order: its offset and its UTF-8 length.
    multi_byte_chars: Box<[(u32, u8)]>,
    len: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = Vec::with_capacity(bytes.len() / 32 + 1);
        line_starts.push(0);
        if memchr::memchr(b'\r', bytes).is_none() {
            // The common case, and a faster search: only `\n` ends lines.
            line_starts
                .extend(memchr::memchr_iter(b'\n', bytes).map(|index| offset_u32(index + 1)));
        } else {
            for index in memchr::memchr2_iter(b'\n', b'\r', bytes) {
                match bytes[index] {
                    // The `\n` of a `\r\n` pair was counted with its `\r`.
                    b'\n' if index > 0 && bytes[index - 1] == b'\r' => {}
                    b'\r' if bytes.get(index + 1) == Some(&b'\n') => {
                        line_starts.push(offset_u32(index + 2));
                    }
                    _ => line_starts.push(offset_u32(index + 1)),
                }
            }
        }
        let multi_byte_chars = multi_byte_chars(text);
        Self {
            line_starts: LineStarts::new(line_starts),
            multi_byte_chars,
            len: offset_u32(text.len()),
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Zero-based line holding `offset`.
    pub fn line_of(&self, offset: u32) -> u32 {
        let line = self
            .line_starts
            .count_at_or_before(offset)
            .saturating_sub(1);
        offset_u32(line)
    }

    /// Byte offset where `line` starts, or `None` past the last line.
    pub fn line_start(&self, line: u32) -> Option<u32> {
        self.line_starts.get(line as usize)
    }

    /// Converts a byte offset into a position. Offsets inside a multi-byte character are moved
    /// back to that character's start; offsets past the end are clamped to the end.
    pub fn position(&self, offset: u32, encoding: PositionEncoding) -> Position {
        let mut offset = offset.min(self.len);
        // The characters starting before `offset`; the last of them may straddle it.
        let before = self
            .multi_byte_chars
            .partition_point(|&(start, _)| start < offset);
        if let Some(&(start, len)) = before.checked_sub(1).map(|i| &self.multi_byte_chars[i])
            && offset < start + u32::from(len)
        {
            offset = start;
        }
        let line = self.line_of(offset);
        let line_start = self.line_starts.get(line as usize).unwrap_or(0);
        let mut character = offset - line_start;
        if encoding == PositionEncoding::Utf16 {
            let first = self
                .multi_byte_chars
                .partition_point(|&(start, _)| start < line_start);
            let last = self
                .multi_byte_chars
                .partition_point(|&(start, _)| start < offset);
            // A character takes one UTF-16 unit for up to three UTF-8 bytes, two for four.
            let saved: u32 = self.multi_byte_chars[first..last]
                .iter()
                .map(|&(_, len)| u32::from(len) - if len == 4 { 2 } else { 1 })
                .sum();
            character -= saved;
        }
        Position { line, character }
    }

    /// Converts a position back into a byte offset. A character past the end of its line is
    /// clamped to the line end (before the line break), and a line past the end of the text is
    /// clamped to the text's end, as the LSP specification asks. A position inside a UTF-16
    /// surrogate pair maps to the start of that character.
    pub fn offset(&self, text: &str, position: Position, encoding: PositionEncoding) -> u32 {
        let Some(line_start) = self.line_start(position.line) else {
            return offset_u32(text.len());
        };
        let line_start = line_start as usize;
        let line_end = self
            .line_start(position.line + 1)
            .map_or(text.len(), |next| next as usize);
        let line_text = text[line_start..line_end].trim_end_matches(['\n', '\r']);
        let wanted = position.character as usize;
        let within_line = match encoding {
            PositionEncoding::Utf8 => floor_char_boundary(line_text, wanted.min(line_text.len())),
            PositionEncoding::Utf16 => {
                let mut units = 0;
                let mut bytes = line_text.len();
                for (index, ch) in line_text.char_indices() {
                    if units + ch.len_utf16() > wanted {
                        bytes = index;
                        break;
                    }
                    units += ch.len_utf16();
                }
                bytes
            }
        };
        offset_u32(line_start + within_line)
    }
}

/// A `LineIndex` in the form a store keeps: each line's start as its distance from the one
/// before, in LEB128 (one byte for a line shorter than 128 bytes: the line starts were the
/// largest part of the store, at two and four bytes a line), and each multi-byte character's
/// distance from the end of the one before.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LineIndexParts<'a> {
    pub len: u32,
    #[serde(borrow, with = "serde_bytes")]
    pub starts: std::borrow::Cow<'a, [u8]>,
    /// (gap from the previous character's end, UTF-8 length) per multi-byte character.
    pub multi_byte_chars: Vec<(u32, u8)>,
}

impl LineIndex {
    pub fn to_parts(&self) -> LineIndexParts<'static> {
        let mut starts = Vec::with_capacity(self.line_count() + 8);
        let mut previous = 0;
        for line in 0..self.line_count() {
            let start = self.line_starts.get(line).unwrap_or(previous);
            let mut delta = start - previous;
            previous = start;
            while delta >= 0x80 {
                starts.push((delta & 0x7f) as u8 | 0x80);
                delta >>= 7;
            }
            starts.push(delta as u8);
        }
        let mut previous_end = 0;
        let multi_byte_chars = self
            .multi_byte_chars
            .iter()
            .map(|&(start, len)| {
                let gap = start - previous_end;
                previous_end = start + u32::from(len);
                (gap, len)
            })
            .collect();
        LineIndexParts {
            len: self.len,
            starts: std::borrow::Cow::Owned(starts),
            multi_byte_chars,
        }
    }

    /// The index back from its parts, or `None` when they cannot describe a text (lines that do
    /// not start at 0 or do not rise, past its end, a cut-off number, character lengths other
    /// than 2 to 4).
    pub fn from_parts(parts: &LineIndexParts<'_>) -> Option<Self> {
        let mut starts = Vec::with_capacity(parts.starts.len());
        let (mut start, mut delta, mut shift) = (0u32, 0u32, 0u32);
        for &byte in parts.starts.iter() {
            let bits = u32::from(byte & 0x7f);
            // A fifth byte holds the top 4 bits of a u32; anything more is not a line start.
            if shift > 28 || (shift == 28 && bits > 0x0f) {
                return None;
            }
            delta |= bits << shift;
            if byte & 0x80 == 0 {
                start = start.checked_add(delta)?;
                starts.push(start);
                (delta, shift) = (0, 0);
            } else {
                shift += 7;
            }
        }
        if shift != 0 || !rising(&starts, parts.len) {
            return None;
        }
        let line_starts = LineStarts::new(starts);
        let mut chars = Vec::with_capacity(parts.multi_byte_chars.len());
        let mut end = 0u32;
        for &(gap, len) in &parts.multi_byte_chars {
            if !(2..=4).contains(&len) {
                return None;
            }
            let start = end.checked_add(gap)?;
            end = start.checked_add(u32::from(len))?;
            if end > parts.len {
                return None;
            }
            chars.push((start, len));
        }
        Some(Self {
            line_starts,
            multi_byte_chars: chars.into_boxed_slice(),
            len: parts.len,
        })
    }
}

/// Whether line starts are 0, then strictly rising, and within a text of `len` bytes.
fn rising<T: Copy + Into<u32>>(starts: &[T], len: u32) -> bool {
    starts.first().is_some_and(|first| (*first).into() == 0)
        && starts
            .windows(2)
            .all(|pair| pair[0].into() < pair[1].into())
        && starts.last().is_some_and(|last| (*last).into() <= len)
}

/// Where lines start, in two bytes a line for files under 64 KiB (nearly all source files) and
/// four for larger ones: every analysed file keeps its line index, and on a 27k-file corpus
/// these were the largest thing kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum LineStarts {
    Short(Box<[u16]>),
    Long(Box<[u32]>),
}

impl LineStarts {
    fn new(starts: Vec<u32>) -> Self {
        let last = starts.last().copied().unwrap_or(0);
        match u16::try_from(last) {
            Ok(_) => Self::Short(
                starts
                    .iter()
                    .map(|&start| u16::try_from(start).unwrap_or(u16::MAX))
                    .collect(),
            ),
            Err(_) => Self::Long(starts.into_boxed_slice()),
        }
    }

    fn len(&self) -> usize {
        match self {
            Self::Short(starts) => starts.len(),
            Self::Long(starts) => starts.len(),
        }
    }

    fn get(&self, line: usize) -> Option<u32> {
        match self {
            Self::Short(starts) => starts.get(line).map(|&start| u32::from(start)),
            Self::Long(starts) => starts.get(line).copied(),
        }
    }

    /// How many lines start at or before `offset`.
    fn count_at_or_before(&self, offset: u32) -> usize {
        match self {
            Self::Short(starts) => starts.partition_point(|&start| u32::from(start) <= offset),
            Self::Long(starts) => starts.partition_point(|&start| start <= offset),
        }
    }
}

/// Each character longer than one byte: its offset and UTF-8 length. Python source is mostly
/// ASCII with a few other characters in comments and strings, so ASCII is skipped a chunk at a
/// time (`is_ascii` tests a word at once) and only the rest is decoded; decoding every
/// character of a file that holds a single `é` made this a tenth of the whole analysis.
fn multi_byte_chars(text: &str) -> Box<[(u32, u8)]> {
    const CHUNK: usize = 32;
    let bytes = text.as_bytes();
    let mut chars = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        let chunk_end = (index + CHUNK).min(bytes.len());
        if bytes[index..chunk_end].is_ascii() {
            index = chunk_end;
            continue;
        }
        // `index` is always at a character boundary of valid UTF-8, so a byte of 0x80 or more
        // here leads a character whose length its high bits give.
        let len = match bytes[index] {
            0..0x80 => {
                index += 1;
                continue;
            }
            0xF0.. => 4,
            0xE0.. => 3,
            _ => 2,
        };
        chars.push((offset_u32(index), len as u8));
        index += len;
    }
    chars.into_boxed_slice()
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_files_place_offsets_on_the_same_lines() {
        // Lines of 1 to 79 bytes: past 64 KiB for the long text, well under for the short.
        let text_of = |lines: usize| -> String {
            (0..lines)
                .map(|line| format!("{}\n", "x".repeat(line % 79)))
                .collect()
        };
        for text in [text_of(300), text_of(3_000)] {
            let index = LineIndex::new(&text);
            let long = matches!(index.line_starts, LineStarts::Long(_));
            assert_eq!(long, text.len() > usize::from(u16::MAX), "{}", text.len());
            let mut line = 0;
            let mut line_start = 0;
            for (offset, byte) in text.bytes().enumerate() {
                let position = index.position(offset as u32, PositionEncoding::Utf8);
                assert_eq!(
                    (position.line, position.character),
                    (line, (offset - line_start) as u32),
                    "offset {offset} of {}",
                    text.len()
                );
                if byte == b'\n' {
                    line += 1;
                    line_start = offset + 1;
                }
            }
            assert_eq!(index.line_start(line), Some(text.len() as u32));
            assert_eq!(index.line_start(line + 1), None);
        }
    }

    #[test]
    fn multi_byte_characters_are_found_among_ascii_runs() {
        let mut text = String::new();
        for round in 0..40 {
            text.push_str(&"x".repeat(round * 3));
            text.push(['é', '€', '😀', 'ß'][round % 4]);
            if round % 7 == 0 {
                text.push_str("日本語\n");
            }
        }
        let expected: Vec<(u32, u8)> = text
            .char_indices()
            .filter(|(_, ch)| !ch.is_ascii())
            .map(|(offset, ch)| (offset as u32, ch.len_utf8() as u8))
            .collect();
        assert_eq!(&*multi_byte_chars(&text), expected.as_slice());
        assert!(multi_byte_chars(&"a".repeat(100)).is_empty());
    }

    #[test]
    fn positions_count_utf16_units_and_all_line_endings() {
        let text = "a\r\nb\rc😀d\ne";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        let d = text.find('d').unwrap_or_default() as u32;
        let utf16 = index.position(d, PositionEncoding::Utf16);
        assert_eq!(
            utf16,
            Position {
                line: 2,
                character: 3
            }
        );
        let utf8 = index.position(d, PositionEncoding::Utf8);
        assert_eq!(
            utf8,
            Position {
                line: 2,
                character: 5
            }
        );
        assert_eq!(index.offset(text, utf16, PositionEncoding::Utf16), d);
        assert_eq!(index.offset(text, utf8, PositionEncoding::Utf8), d);
    }

    /// The text-free conversion against the obvious one that walks the text.
    #[test]
    fn positions_match_a_walk_over_the_text() {
        let text = "é\r\nab😀c\rzß€\n\n𝄞x\u{2028}y";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() as u32 + 3 {
            let mut clamped = (offset as usize).min(text.len());
            while !text.is_char_boundary(clamped) {
                clamped -= 1;
            }
            let line = index.line_of(clamped as u32);
            let line_start = index.line_start(line).unwrap_or_default() as usize;
            let prefix = &text[line_start..clamped];
            let utf16 = prefix.chars().map(char::len_utf16).sum::<usize>() as u32;
            assert_eq!(
                index.position(offset, PositionEncoding::Utf16),
                Position {
                    line,
                    character: utf16
                },
                "UTF-16 at {offset}"
            );
            assert_eq!(
                index.position(offset, PositionEncoding::Utf8),
                Position {
                    line,
                    character: prefix.len() as u32
                },
                "UTF-8 at {offset}"
            );
        }
    }

    #[test]
    fn the_smallest_edit_between_two_texts() {
        let edit = TextEdit::between("abc😀def", "abc😁def");
        assert_eq!(
            edit,
            Some(TextEdit {
                start: 3,
                old_end: 7,
                new_end: 7
            })
        );
        assert_eq!(TextEdit::between("same", "same"), None);
        let edit = TextEdit::between("aaa", "aaaa");
        assert_eq!(
            edit,
            Some(TextEdit {
                start: 3,
                old_end: 3,
                new_end: 4
            })
        );
    }

    fn apply(text: &str, start: usize, end: usize, insert: &str) -> (String, TextEdit) {
        let new = format!("{}{insert}{}", &text[..start], &text[end..]);
        let edit = TextEdit {
            start,
            old_end: end,
            new_end: start + insert.len(),
        };
        (new, edit)
    }

    /// Two edits composed into one: the composed edit turns the first text into the last, with
    /// the text outside it unchanged, for every placement of the second edit.
    #[test]
    fn composed_edits_cover_both() {
        let original = "0123456789abcdef";
        let first_edits = [(4, 6, "XYZ"), (4, 4, "++"), (3, 9, ""), (0, 16, "new")];
        let inserts = ["", "Q", "LONGER"];
        for &(start, end, insert) in &first_edits {
            let (middle, first) = apply(original, start, end, insert);
            for next_start in 0..=middle.len() {
                for next_end in next_start..=middle.len() {
                    for next_insert in inserts {
                        let (last, second) = apply(&middle, next_start, next_end, next_insert);
                        let both = first.then(second);
                        assert!(both.fits(original.len(), last.len()), "{both:?}");
                        assert_eq!(original[..both.start], last[..both.start]);
                        assert_eq!(original[both.old_end..], last[both.new_end..]);
                        let rebuilt = format!(
                            "{}{}{}",
                            &original[..both.start],
                            &last[both.start..both.new_end],
                            &original[both.old_end..]
                        );
                        assert_eq!(rebuilt, last);
                    }
                }
            }
        }
    }

    #[test]
    fn an_index_survives_its_parts() {
        for text in [
            "",
            "a",
            "a\r\nb\rc😀d\ne",
            "é\nx\n\n€𝄞\n",
            &"line\n".repeat(20_000),
        ] {
            let index = LineIndex::new(text);
            let back = LineIndex::from_parts(&index.to_parts());
            assert_eq!(back.as_ref(), Some(&index), "{text:?}");
        }
        let mut broken = LineIndex::new("ab\ncd").to_parts();
        broken.starts.to_mut().push(99);
        assert_eq!(LineIndex::from_parts(&broken), None, "past the end");
        let mut broken = LineIndex::new("ab\ncd").to_parts();
        broken.starts.to_mut().push(0);
        assert_eq!(LineIndex::from_parts(&broken), None, "not rising");
        let mut broken = LineIndex::new("ab\ncd").to_parts();
        broken.starts.to_mut().push(0x81);
        assert_eq!(LineIndex::from_parts(&broken), None, "cut off");
        let mut broken = LineIndex::new("ab\ncd").to_parts();
        broken.starts.to_mut().extend_from_slice(&[0xff; 5]);
        broken.starts.to_mut().push(0x01);
        assert_eq!(LineIndex::from_parts(&broken), None, "wider than 32 bits");
        let mut broken = LineIndex::new("é").to_parts();
        broken.multi_byte_chars[0].1 = 7;
        assert_eq!(LineIndex::from_parts(&broken), None);
    }

    #[test]
    fn out_of_range_positions_are_clamped() {
        let text = "ab\ncd";
        let index = LineIndex::new(text);
        let past_line = Position {
            line: 0,
            character: 99,
        };
        assert_eq!(index.offset(text, past_line, PositionEncoding::Utf16), 2);
        let past_text = Position {
            line: 9,
            character: 0,
        };
        assert_eq!(index.offset(text, past_text, PositionEncoding::Utf16), 5);
        assert_eq!(index.position(99, PositionEncoding::Utf16).line, 1);
    }

    #[test]
    fn a_position_inside_a_surrogate_pair_maps_to_the_character_start() {
        let text = "x😀y";
        let index = LineIndex::new(text);
        let inside = Position {
            line: 0,
            character: 2,
        };
        assert_eq!(index.offset(text, inside, PositionEncoding::Utf16), 1);
    }
}

//! Random single-file edit sequences through the path the server uses for an open document: LSP
//! content changes (positions in UTF-8 or UTF-16, CRLF, non-ASCII, surrogate pairs, positions
//! past a line's end) applied to the document's rope, the rope's text set as the file's next
//! revision in salsa, the file re-checked incrementally. After every step:
//!
//! - the rope's text equals a reference string edited by byte offsets (the positions are computed
//!   independently of the server's code, by the LSP rules);
//! - the file's diagnostics (with and without `# noqa`), exports and imports equal those of a
//!   fresh database that never saw an earlier revision.
//!
//! A failing sequence is shrunk (events dropped while it still fails) and printed, ready to be
//! kept as a regression case below. `RIPPLE_EDIT_SEQUENCES`, `RIPPLE_EDIT_STEPS` and
//! `RIPPLE_EDIT_SEED` run longer or other sequences (see docs/testing.md).

use std::path::{Path, PathBuf};

use ripple_core::{FileContents, PositionEncoding};
use ripple_server::document::Document;
use ripple_tests::{
    Rng, canonical, char_boundary, code_units, env_count, languages, line_starts, write_tree,
};
use ripple_workspace::{CheckOptions, Workspace, check_file};
use tower_lsp_server::lsp_types::{Position, Range, TextDocumentContentChangeEvent};

/// Text the generator inserts: Python that binds, imports and uses names, and the characters
/// that make positions hard (multi-byte, astral, line breaks of every kind, and Unicode breaks
/// that are not LSP line breaks).
const FRAGMENTS: &[&str] = &[
    "x",
    " ",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "é",
    "日本",
    "😀",
    "𝔘",
    "\u{2028}",
    "\u{85}",
    "\u{c}",
    "(",
    ")",
    "[",
    ":",
    ",",
    "\"",
    "'",
    "\"\"\"",
    "#",
    "  # noqa",
    "  # noqa: F401",
    "\\",
    "import os\n",
    "import os.path as osp\n",
    "from . import sibling\n",
    "from os import path, sep\n",
    "from typing import TYPE_CHECKING\n",
    "def f(a, b=1):\n    return a + c\n",
    "class K:\n    y: 'int' = z\n",
    "    ",
    "__all__ = ['x', 'missing']\n",
    "__all__ += ['f']\n",
    "lambda q: q\n",
    "if x:\n    pass\nelse:\n",
    "del x\n",
    "global g\n",
    "async def g():\n    await h\n",
    "match x:\n    case [a, *b]:\n        pass\n",
    "f'{x!r:>{w}}'",
    "(y := 1)",
    "@decorator\n",
    "try:\n    import foo\nexcept ImportError:\n    foo = None\n",
    "x = [i for i in range(3) if j]\n",
];

/// One didChange: its content changes, applied in order.
type Event = Vec<TextDocumentContentChangeEvent>;

/// A corpus file and how the sequence presents it.
#[derive(Debug, Clone)]
struct Start {
    name: String,
    text: String,
    encoding: PositionEncoding,
}

#[test]
fn random_single_file_edit_sequences_match_a_fresh_check() {
    let corpus = corpus();
    let sequences = env_count("RIPPLE_EDIT_SEQUENCES", 100);
    let steps = env_count("RIPPLE_EDIT_STEPS", 100);
    let seed = env_count("RIPPLE_EDIT_SEED", 0x5eed) as u64;
    let mut total = 0;
    let (mut full_parses, mut incremental_parses) = (0, 0);
    for sequence in 0..sequences {
        let mut random = Rng::new(seed.wrapping_mul(1_000_003).wrapping_add(sequence as u64));
        let start = pick_start(&corpus, &mut random);
        let mut reference = start.text.clone();
        let mut events = Vec::new();
        let mut session = Session::new(&start);
        for step in 0..steps {
            // Half the sequences type only well-formed changes, as an editor mostly sees; the
            // other half mix in arbitrary ones.
            let event = if sequence % 2 == 0 {
                vec![well_formed_change(
                    &mut reference,
                    start.encoding,
                    &mut random,
                )]
            } else {
                random_event(&mut reference, &corpus, start.encoding, &mut random)
            };
            events.push(event.clone());
            if let Err(failure) = session.apply(&event, &reference) {
                let shrunk = shrink(&start, events);
                panic!(
                    "sequence {sequence} (seed {seed}), step {step}: {failure}\n\
                     shrunk to {} event(s), keep it as a regression case:\n\
                     start: {start:?}\nevents: {shrunk:#?}",
                    shrunk.len()
                );
            }
            total += 1;
        }
        let (full, incremental) = ripple_python::document_parses(session.workspace.db())
            .map_or((0, 0), |trees| trees.counts());
        full_parses += full;
        incremental_parses += incremental;
    }
    eprintln!(
        "{total} edit steps, no mismatch; document parses: {incremental_parses} incremental, \
         {full_parses} full"
    );
    // Random edits break the syntax often, and a broken file is parsed in full until fixed;
    // the well-formed half must still exercise the incremental path a good deal.
    assert!(
        incremental_parses > total as u64 / 4,
        "the incremental path was hardly taken: {incremental_parses} of {total}"
    );
}

/// Every corpus file, by name and text.
fn corpus() -> Vec<(String, String)> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/pyflakes");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", folder.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "py"))
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let name = path.file_name()?.to_str()?.to_string();
            Some((name, text))
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no corpus files in {}", folder.display());
    files
}

fn pick_start(corpus: &[(String, String)], random: &mut Rng) -> Start {
    let (name, text) = &corpus[random.below(corpus.len())];
    let text = if random.below(3) == 0 {
        text.replace('\n', "\r\n")
    } else {
        text.clone()
    };
    let encoding = if random.below(2) == 0 {
        PositionEncoding::Utf16
    } else {
        PositionEncoding::Utf8
    };
    Start {
        name: name.clone(),
        text,
        encoding,
    }
}

/// A random didChange; `reference` is edited to what the document must read afterwards.
fn random_event(
    reference: &mut String,
    corpus: &[(String, String)],
    encoding: PositionEncoding,
    random: &mut Rng,
) -> Event {
    let kind = random.below(100);
    if kind < 2 {
        // A whole-document replacement (a formatter, a paste over everything).
        let (_, text) = &corpus[random.below(corpus.len())];
        *reference = text.clone();
        return vec![TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: text.clone(),
        }];
    }
    if kind < 50 {
        // What typing mostly is: a change that leaves the file well-formed, so the next edit
        // can take the incremental path.
        return vec![well_formed_change(reference, encoding, random)];
    }
    let changes = if kind < 60 { 2 + random.below(3) } else { 1 };
    (0..changes)
        .map(|_| random_change(reference, encoding, random))
        .collect()
}

/// Statements a well-formed edit inserts, at the indentation of the line it goes before.
const STATEMENTS: &[&str] = &[
    "x = 1",
    "print(undefined_name)",
    "import os",
    "from typing import TYPE_CHECKING",
    "del x",
    "pass",
    "# a comment 😀",
    "value = f'{x!r}' + \"é\"",
    "items = [i for i in range(3)]",
    "if x:\n{indent}    y = x",
];

/// A change after which the file still parses without error (when one is found in a few
/// tries): what an editor sees between a user's pauses.
fn well_formed_change(
    reference: &mut String,
    encoding: PositionEncoding,
    random: &mut Rng,
) -> TextDocumentContentChangeEvent {
    let was_valid = ripple_python::parse::parse_source(reference)
        .syntax_error
        .is_none();
    for _ in 0..10 {
        let mut candidate = reference.clone();
        let change = insertion(&mut candidate, encoding, random);
        let valid = ripple_python::parse::parse_source(&candidate)
            .syntax_error
            .is_none();
        if valid || !was_valid {
            *reference = candidate;
            return change;
        }
    }
    insertion(reference, encoding, random)
}

/// Inserts a whole statement before a random line, indented like it, or text at the end of a
/// line (into a comment, most often harmless).
fn insertion(
    reference: &mut String,
    encoding: PositionEncoding,
    random: &mut Rng,
) -> TextDocumentContentChangeEvent {
    let lines = line_starts(reference);
    let line = random.below(lines.len());
    let start = lines[line];
    let end = line_content_end(reference, &lines, line);
    let content = &reference[start..end];
    let indent: String = content
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let (offset, inserted) = if random.below(3) == 0 {
        (end, ["x", " # note", "0", "é"][random.below(4)].to_string())
    } else {
        let line_break = if reference.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        let statement = STATEMENTS[random.below(STATEMENTS.len())]
            .replace("{indent}", &indent)
            .replace('\n', line_break);
        (start, format!("{indent}{statement}{line_break}"))
    };
    let position = lsp_position(reference, offset, encoding);
    reference.insert_str(offset, &inserted);
    TextDocumentContentChangeEvent {
        range: Some(Range::new(position, position)),
        range_length: None,
        text: inserted,
    }
}

fn random_change(
    reference: &mut String,
    encoding: PositionEncoding,
    random: &mut Rng,
) -> TextDocumentContentChangeEvent {
    let inserted = random_text(random);
    let (range, start, end) = if random.below(20) == 0 {
        // Positions past a line's end or past the last line: the spec says clamp.
        let lines = line_starts(reference);
        let line = random.below(lines.len() + 2);
        let past = 1 + random.below(5) as u32;
        let (position, offset) = if line >= lines.len() {
            (Position::new(line as u32, 0), reference.len())
        } else {
            let end = line_content_end(reference, &lines, line);
            let width = code_units(&reference[lines[line]..end], encoding);
            (Position::new(line as u32, width + past), end)
        };
        let start = random_offset(reference, random).min(offset);
        let range = Range::new(lsp_position(reference, start, encoding), position);
        (range, start, offset)
    } else {
        let start = random_offset(reference, random);
        let span = if random.below(10) == 0 {
            random.below(400)
        } else {
            random.below(12)
        };
        let end = char_boundary(reference, start + span);
        let end = end.max(start);
        let range = Range::new(
            lsp_position(reference, start, encoding),
            lsp_position(reference, end, encoding),
        );
        (range, start, end)
    };
    reference.replace_range(start..end, &inserted);
    TextDocumentContentChangeEvent {
        range: Some(range),
        range_length: None,
        text: inserted,
    }
}

fn random_text(random: &mut Rng) -> String {
    match random.below(4) {
        0 => String::new(),
        _ => (0..1 + random.below(3))
            .map(|_| FRAGMENTS[random.below(FRAGMENTS.len())])
            .collect(),
    }
}

/// A random char boundary, never between the `\r` and `\n` of a line break.
fn random_offset(text: &str, random: &mut Rng) -> usize {
    char_boundary(text, random.below(text.len() + 1))
}

fn line_content_end(text: &str, starts: &[usize], line: usize) -> usize {
    let end = starts.get(line + 1).copied().unwrap_or(text.len());
    let content = text[starts[line]..end].trim_end_matches(['\n', '\r']);
    starts[line] + content.len()
}

fn lsp_position(text: &str, offset: usize, encoding: PositionEncoding) -> Position {
    let (line, character) = ripple_tests::lsp_position(text, offset, encoding);
    Position::new(line, character)
}

/// One open document in one workspace: the incremental side of the comparison.
struct Session {
    _dir: tempfile::TempDir,
    root: PathBuf,
    path: PathBuf,
    encoding: PositionEncoding,
    document: Document,
    workspace: Workspace,
}

impl Session {
    fn new(start: &Start) -> Self {
        let dir = write_tree(&[
            ("ripple.toml", ""),
            (&start.name, &start.text),
            ("sibling.py", "VALUE = 1\n"),
        ]);
        let root = canonical(dir.path());
        let path = root.join(&start.name);
        let mut workspace =
            Workspace::load_files_only(&root, std::slice::from_ref(&path), &languages());
        workspace.set_document_text(&path, start.text.as_str().into(), None, None);
        let session = Self {
            _dir: dir,
            root,
            path,
            encoding: start.encoding,
            document: Document::new(&start.text, 1),
            workspace,
        };
        // The first revision is checked too, so every later step is an incremental one.
        let _ = session.check(&session.workspace);
        session
    }

    /// Applies one didChange as the server does, then compares with the reference and with a
    /// fresh database.
    fn apply(&mut self, event: &Event, reference: &str) -> Result<(), String> {
        self.document.version += 1;
        let applied = self.document.apply(event, self.encoding);
        let text = self.document.text();
        if text != reference {
            return Err(format!(
                "the document reads {text:?}\nthe reference reads {reference:?}"
            ));
        }
        // The edit as the document found it from the ranges, as the server passes it on.
        self.workspace
            .set_document_text(&self.path, text.as_str().into(), applied.edit, None);
        // The document's tree, reparsed incrementally where the edit allowed, must be the tree
        // a full parse gives: every node and range (ruff's counterpart of comparing
        // tree-sitter S-expressions), every comment, the same first error.
        let tree = self.document_tree();
        let full = ripple_python::parse::parse_source(&text);
        let (tree, full) = (describe(&tree), describe(&full));
        if tree != full {
            return Err(format!(
                "the incremental tree differs from a full parse of {text:?}
incremental: {tree}
full: {full}"
            ));
        }
        let incremental = self.check(&self.workspace);
        let mut fresh_workspace =
            Workspace::load_files_only(&self.root, std::slice::from_ref(&self.path), &languages());
        fresh_workspace.set_file_contents(&self.path, FileContents::Text(text.as_str().into()));
        let fresh = self.check(&fresh_workspace);
        if incremental != fresh {
            return Err(format!(
                "incremental and fresh results differ for {text:?}\nincremental: {incremental:#?}\nfresh: {fresh:#?}"
            ));
        }
        Ok(())
    }

    fn document_tree(&self) -> std::sync::Arc<ripple_python::parse::ParsedSource> {
        let db = self.workspace.db();
        let file = self
            .workspace
            .file(&self.path)
            .unwrap_or_else(|| panic!("the document is not in the workspace"));
        let FileContents::Text(text) = file.contents(db) else {
            panic!("the document has no text");
        };
        ripple_python::document_parses(db)
            .and_then(|trees| trees.get(&self.path, text))
            .unwrap_or_else(|| panic!("the document has no tree"))
    }

    /// Everything other files and the editor see of the file.
    fn check(&self, workspace: &Workspace) -> String {
        let db = workspace.db();
        let Some(file) = workspace.file(&self.path) else {
            return "no file".into();
        };
        let options = |respect_suppressions| CheckOptions {
            selection: workspace.selection().clone(),
            respect_suppressions,
        };
        format!(
            "{:?}\n{:?}\n{:?}\n{:?}",
            check_file(db, file, &options(true)).diagnostics,
            check_file(db, file, &options(false)).diagnostics,
            ripple_python::exports(db, file),
            ripple_python::imports(db, file),
        )
    }
}

fn describe(parsed: &ripple_python::parse::ParsedSource) -> String {
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}",
        parsed.module, parsed.comments, parsed.limit_error, parsed.syntax_error
    )
}

/// Drops events while the sequence still fails: the smallest failing sequence this finds.
fn shrink(start: &Start, mut events: Vec<Event>) -> Vec<Event> {
    let fails = |events: &[Event]| replay(start, events).is_err();
    let mut index = 0;
    while index < events.len() {
        let mut candidate = events.clone();
        candidate.remove(index);
        if fails(&candidate) {
            events = candidate;
        } else {
            index += 1;
        }
    }
    events
}

/// Replays events from the start. Positions were computed for the original sequence; after a
/// removal they may fall elsewhere or past the end, which the document clamps, so the reference
/// replays them by the same LSP rules.
fn replay(start: &Start, events: &[Event]) -> Result<(), String> {
    let mut session = Session::new(start);
    let mut reference = start.text.clone();
    for event in events {
        for change in event {
            apply_reference(&mut reference, change, start.encoding);
        }
        session.apply(event, &reference)?;
    }
    Ok(())
}

/// The reference's reading of one content change, by the LSP rules: a position past a line's
/// end is that line's end, past the last line the document's end, inside a character its start.
fn apply_reference(
    reference: &mut String,
    change: &TextDocumentContentChangeEvent,
    encoding: PositionEncoding,
) {
    let Some(range) = change.range else {
        *reference = change.text.clone();
        return;
    };
    let start = reference_offset(reference, range.start, encoding);
    let end = reference_offset(reference, range.end, encoding);
    let (start, end) = (start.min(end), start.max(end));
    reference.replace_range(start..end, &change.text);
}

fn reference_offset(text: &str, position: Position, encoding: PositionEncoding) -> usize {
    let starts = line_starts(text);
    let line = position.line as usize;
    if line >= starts.len() {
        return text.len();
    }
    let end = line_content_end(text, &starts, line);
    let mut used = 0;
    for (offset, ch) in text[starts[line]..end].char_indices() {
        let width = match encoding {
            PositionEncoding::Utf8 => ch.len_utf8(),
            PositionEncoding::Utf16 => ch.len_utf16(),
        } as u32;
        if used + width > position.character {
            return starts[line] + offset;
        }
        used += width;
    }
    end
}

/// A start text, its single-change events (range as `[line, character, line, character]`, or a
/// whole-text replacement), and the position encoding.
type RegressionCase = (
    &'static str,
    &'static [(Option<[u32; 4]>, &'static str)],
    PositionEncoding,
);

/// Sequences a generator once found failing, shrunk; each must stay fixed.
#[test]
fn regression_sequences() {
    let cases: &[RegressionCase] = &[
        // U+0085 (and U+2028, VT, FF) are not LSP line breaks: the rope once counted them as
        // such and put the second edit on the wrong line.
        (
            "a\r\nb\r\n",
            &[(Some([0, 1, 0, 1]), "\u{85}"), (Some([1, 0, 1, 1]), "x")],
            PositionEncoding::Utf16,
        ),
        // Joining a comment line with the statement after it: the statement became comment.
        (
            "# note\nimport errno\nimport os\n",
            &[(Some([0, 4, 1, 0]), "")],
            PositionEncoding::Utf8,
        ),
        (
            "a\nb\n",
            &[
                (Some([0, 0, 0, 0]), "\u{2028}\u{c}\u{b}"),
                (Some([1, 1, 1, 1]), "y"),
            ],
            PositionEncoding::Utf8,
        ),
    ];
    for (text, changes, encoding) in cases {
        let start = Start {
            name: "regression.py".into(),
            text: (*text).into(),
            encoding: *encoding,
        };
        let events: Vec<Event> = changes
            .iter()
            .map(|(range, text)| {
                vec![TextDocumentContentChangeEvent {
                    range: range
                        .map(|[a, b, c, d]| Range::new(Position::new(a, b), Position::new(c, d))),
                    range_length: None,
                    text: (*text).into(),
                }]
            })
            .collect();
        if let Err(failure) = replay(&start, &events) {
            panic!("{text:?} with {changes:?}: {failure}");
        }
    }
}

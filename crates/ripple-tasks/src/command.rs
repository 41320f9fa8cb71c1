//! A task's command as written: an argv whose parts hold placeholders (`{files}`, `{file}`,
//! `{root}`, `{report}`), read once into pieces so that building a batch's argv is a copy.

/// One part of a command, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Argument {
    /// `{files}`, alone: every target of the batch, one argument each.
    Files,
    /// Text with `{file}`, `{root}` and `{report}` inside it.
    Text(Vec<Piece>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Literal(String),
    File,
    Root,
    Report,
}

/// The pieces of one argument: literal text and placeholders (`{{` and `}}` are braces).
pub fn pieces(text: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("{{") || rest.starts_with("}}") {
            literal.push(c);
            rest = &rest[2..];
            continue;
        }
        if c == '{' {
            let Some(end) = rest.find('}') else {
                return Err(format!(
                    "`{text}` has a `{{` without its `}}` (write `{{{{` for a brace)"
                ));
            };
            let piece = match &rest[1..end] {
                "file" => Piece::File,
                "root" => Piece::Root,
                "report" => Piece::Report,
                "files" => {
                    return Err(format!(
                        "`{{files}}` must be an argument of its own, not part of `{text}`"
                    ));
                }
                other => {
                    return Err(format!(
                        "unknown placeholder `{{{other}}}` in `{text}` (known: {{files}}, {{file}}, {{root}}, {{report}})"
                    ));
                }
            };
            if !literal.is_empty() {
                pieces.push(Piece::Literal(std::mem::take(&mut literal)));
            }
            pieces.push(piece);
            rest = &rest[end + 1..];
            continue;
        }
        if c == '}' {
            return Err(format!(
                "`{text}` has a `}}` without its `{{` (write `}}}}` for a brace)"
            ));
        }
        literal.push(c);
        rest = &rest[c.len_utf8()..];
    }
    if !literal.is_empty() || pieces.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    Ok(pieces)
}

//! Analysing one file: the walk, then its findings, imports, exports and `# noqa` comments
//! gathered into a `FileAnalysis`.

use ripple_core::{Diagnostic, LineIndex, Suppressions, TextRange};

use super::analysis::FileAnalysis;
use super::checker::{Checker, MAX_NESTING};
use super::helpers::range_of;
use super::noqa::noqa_directives;
use crate::parse::{ParsedSource, parse_source};
use crate::rules::Rule;

/// Analyses one file. `is_package_init` is true for `__init__.py`/`__init__.pyi`.
pub fn analyze_source(source: &str, is_package_init: bool, is_stub: bool) -> FileAnalysis {
    let parsed = parse_source(source);
    let (analysis, too_deep) = analyze(source, &parsed, is_package_init, is_stub);
    if too_deep {
        // Dropping a syntax tree recurses as deep as the tree; for one too deep to analyse that
        // could overflow the stack. Leak it instead: bounded by the file size, once per file.
        std::mem::forget(parsed);
    }
    analysis
}

/// Analyses a file already parsed (an open document's tree, kept up to date incrementally).
/// The caller keeps the tree; see `analyze_source` on dropping one that is too deep.
pub fn analyze_parsed(
    source: &str,
    parsed: &ParsedSource,
    is_package_init: bool,
    is_stub: bool,
) -> FileAnalysis {
    analyze(source, parsed, is_package_init, is_stub).0
}

/// The analysis, and whether the tree was too deep to walk.
fn analyze(
    source: &str,
    parsed: &ParsedSource,
    is_package_init: bool,
    is_stub: bool,
) -> (FileAnalysis, bool) {
    let lines = LineIndex::new(source);
    let module = &parsed.module;

    let mut checker = Checker::new(source, &lines, is_package_init);
    // In stubs every annotation is a forward reference, as under `from __future__ import
    // annotations`.
    checker.future_annotations = is_stub;
    checker.is_stub = is_stub;
    checker.run(&module.body);

    let comments: Vec<TextRange> = parsed.comments.iter().map(range_of).collect();
    let limit_error = parsed
        .limit_error
        .as_ref()
        .map(|(range, message)| (range_of(range), *message));
    let noqa = if comments.is_empty() {
        Suppressions::default()
    } else {
        noqa_directives(source, &comments, &checker.multiline_imports, &lines)
    };

    let syntax_error = parsed.syntax_error.as_ref();
    let has_syntax_error =
        syntax_error.is_some() || limit_error.is_some() || checker.too_deep.is_some();
    let mut diagnostics = Vec::new();
    if let Some((range, message)) = limit_error {
        diagnostics.push(Diagnostic::new(
            Rule::SyntaxError.code(),
            Rule::SyntaxError.severity(),
            range,
            format!("{message}: CPython refuses this file"),
        ));
    } else if let Some((location, message)) = syntax_error {
        // After a syntax error the tree is a best guess: report the error alone, as CPython
        // and pyflakes do, rather than bury it under findings about half-typed code.
        diagnostics.push(Diagnostic::new(
            Rule::SyntaxError.code(),
            Rule::SyntaxError.severity(),
            range_of(location),
            format!(
                "invalid syntax: {message}{}",
                python2_hint(source, &lines, range_of(location))
            ),
        ));
    } else if let Some(range) = checker.too_deep {
        diagnostics.push(Diagnostic::new(
            Rule::SyntaxError.code(),
            Rule::SyntaxError.severity(),
            range,
            format!(
                "code nested more than {MAX_NESTING} levels deep: CPython cannot compile it and ripple does not analyse it"
            ),
        ));
    } else {
        diagnostics.extend(checker.model.reports.iter().map(|report| {
            Diagnostic::new(
                report.rule.code(),
                report.rule.severity(),
                report.range,
                report.message.clone(),
            )
        }));
    }
    diagnostics.sort_by(|a, b| (a.range, a.code).cmp(&(b.range, b.code)));
    diagnostics.dedup();

    let mut exports = checker.model.module_exports(checker.star_import_sources());
    // Names of a file that does not parse are a best guess: importers are told none is missing.
    exports.open |= has_syntax_error;
    let too_deep = checker.too_deep.is_some();
    let imports = std::mem::take(&mut checker.imports);
    drop(checker);
    let analysis = FileAnalysis {
        diagnostics: diagnostics.into(),
        imports: imports.into(),
        exports: exports.into(),
        noqa: noqa.into(),
        lines: lines.into(),
    };
    (analysis, too_deep)
}

/// Python 2's `print x` and `exec code` are the most common reason old code does not parse: say so.
fn python2_hint(source: &str, lines: &LineIndex, error: TextRange) -> &'static str {
    let line = lines.line_of(error.start);
    let start = lines.line_start(line).unwrap_or(0) as usize;
    let end = lines
        .line_start(line + 1)
        .map_or(source.len(), |end| end as usize);
    let text = source.get(start..end).unwrap_or("").trim_start();
    let statement = |keyword: &str| {
        text.strip_prefix(keyword)
            .is_some_and(|rest| rest.starts_with([' ', '>', '"', '\'']))
    };
    if statement("print") {
        " (this is Python 2's `print` statement; Python 3 calls `print(...)`)"
    } else if statement("exec") {
        " (this is Python 2's `exec` statement; Python 3 calls `exec(...)`)"
    } else {
        ""
    }
}

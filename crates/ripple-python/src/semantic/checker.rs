//! The walk over a module's syntax tree (ruff's Python AST). It follows pyflakes' checker:
//! bindings are added as statements are met, function bodies (and postponed annotations) are
//! deferred until the module has been walked, and unused names are reported when a scope is
//! finished.
//!
//! Written by hand: no maintained crate binds Python names with pyflakes' semantics. The walk
//! recurses, but never deeper than `MAX_NESTING` (the file is reported as too deeply nested
//! instead), and runs on threads with large stacks.

use std::collections::VecDeque;

use ripple_core::{Diagnostic, Exports, LineIndex, Suppressions, TextRange};
use ruff_python_ast::{
    self as ast, Arguments, Comprehension, ExceptHandler, Expr, ExprContext, Parameters, Pattern,
    Stmt, TypeParam,
};
use ruff_text_size::Ranged;

use super::fork::{ForkEntry, ForkPath, NO_GROUP, different_forks};
use super::noqa::noqa_directives;
use super::scope::{Binding, BindingId, BindingKind, Scope, ScopeId, ScopeKind};
use super::{FileAnalysis, ImportKind, ImportRequest};
use crate::builtins::builtin_name;
use crate::parse::{ParsedSource, parse_source};
use crate::rules::Rule;

/// Deepest nesting of syntax the walk follows. CPython itself refuses far shallower code (200
/// nested parentheses, 100 indentation levels); the margin is for long operator chains.
pub const MAX_NESTING: u32 = 3_000;

/// Names the Python runtime defines in a class body.
const CLASS_SCOPE_MAGIC: &[&str] = &["__module__", "__qualname__"];

/// Names pyflakes never reports as unused locals.
const ALWAYS_USED_LOCALS: &[&str] = &[
    "__tracebackhide__",
    "__traceback_info__",
    "__traceback_supplement__",
    "__debuggerskip__",
];

const TYPING_MODULES: &[&str] = &["typing", "typing_extensions"];

fn range_of(node: &impl Ranged) -> TextRange {
    let range = node.range();
    TextRange::new(range.start().to_usize(), range.end().to_usize())
}

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
        diagnostics.extend(checker.reports.iter().map(|report| {
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

    let mut exports = checker.module_exports();
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AnnotationState {
    None,
    /// Inside a string annotation: always postponed.
    String,
    /// Inside an annotation expression.
    Bare,
}

/// How a name store binds, decided by the statement it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StoreKind {
    /// Unpacking, `for` and comprehension targets: never reported unused.
    Plain,
    Assignment,
    NamedExpr,
    Annotation,
}

/// How the names of one assignment target bind.
#[derive(Debug, Clone, Copy)]
struct TargetContext {
    kind: StoreKind,
    in_unpacking: bool,
    /// `a, b = 1, 2`: unpacking a literal counts as plain assignments (pyflakes).
    literal: bool,
    is_loop: bool,
}

impl TargetContext {
    fn assignment(literal: bool) -> Self {
        Self {
            kind: StoreKind::Assignment,
            in_unpacking: false,
            literal,
            is_loop: false,
        }
    }

    fn annotation_only() -> Self {
        Self {
            kind: StoreKind::Annotation,
            ..Self::assignment(false)
        }
    }

    fn loop_target() -> Self {
        Self {
            kind: StoreKind::Plain,
            is_loop: true,
            ..Self::assignment(false)
        }
    }

    fn comprehension_target() -> Self {
        Self {
            kind: StoreKind::Plain,
            in_unpacking: true,
            ..Self::assignment(false)
        }
    }
}

/// The except handlers of the enclosing `try` bodies, as far as names go.
#[derive(Debug, Clone, Copy, Default)]
struct HandlerNames {
    catches_name_error: bool,
    catches_import_error: bool,
}

/// Where the walk was when something was deferred, restored when it runs.
struct SavedContext {
    stack: Vec<ScopeId>,
    forks: ForkPath,
    conditional_depth: u32,
}

enum DeferredWork<'a> {
    Function(&'a ast::StmtFunctionDef),
    Lambda(&'a ast::ExprLambda),
    /// An annotation under `from __future__ import annotations` (or in a stub).
    Annotation(&'a Expr),
    /// A string literal used as an annotation.
    StringAnnotation(&'a ast::ExprStringLiteral),
}

struct Report {
    rule: Rule,
    range: TextRange,
    message: String,
    /// For undefined names: the name, so a later `global` declaration can withdraw the report.
    undefined: Option<String>,
}

struct Checker<'a> {
    source: &'a str,
    lines: &'a LineIndex,
    is_package_init: bool,
    scopes: Vec<Scope<'a>>,
    bindings: Vec<Binding<'a>>,
    stack: Vec<ScopeId>,
    dead_scopes: Vec<ScopeId>,
    deferred: VecDeque<(DeferredWork<'a>, SavedContext)>,
    handlers: Vec<HandlerNames>,
    annotation: AnnotationState,
    future_annotations: bool,
    forks: ForkPath,
    conditional_depth: u32,
    depth: u32,
    too_deep: Option<TextRange>,
    reports: Vec<Report>,
    imports: Vec<ImportRequest>,
    /// Import statements spanning several lines, for statement-wide `# noqa`.
    multiline_imports: Vec<TextRange>,
    /// The statement being walked sits directly in a `for` body: pyflakes reports a rebinding
    /// of an import there as "shadowed by loop variable", not as a redefinition.
    statement_in_for: bool,
    next_statement_in_for: bool,
    is_stub: bool,
}

/// A stable identity for an AST node during the walk: its address (the tree does not move).
fn node_id<T>(node: &T) -> usize {
    std::ptr::from_ref(node) as usize
}

impl<'a> Checker<'a> {
    fn new(source: &'a str, lines: &'a LineIndex, is_package_init: bool) -> Self {
        Self {
            source,
            lines,
            is_package_init,
            scopes: Vec::new(),
            // Real code has a binding per 140 bytes or so (27k files of the benchmark corpus):
            // sized up front, the vector of these large records is not copied as it grows.
            bindings: Vec::with_capacity(source.len() / 100 + 16),
            stack: Vec::new(),
            dead_scopes: Vec::new(),
            deferred: VecDeque::new(),
            handlers: vec![HandlerNames::default()],
            annotation: AnnotationState::None,
            future_annotations: false,
            forks: ForkPath::default(),
            conditional_depth: 0,
            depth: 0,
            too_deep: None,
            reports: Vec::new(),
            imports: Vec::new(),
            multiline_imports: Vec::new(),
            statement_in_for: false,
            next_statement_in_for: false,
            is_stub: false,
        }
    }

    fn run(&mut self, body: &'a [Stmt]) {
        let module = self.push_scope(ScopeKind::Module);
        self.visit_body(body);
        self.run_deferred();
        self.pop_scope(module);
        self.check_dead_scopes();
    }

    // ----- positions and reports ------------------------------------------------------------

    fn line_number(&self, range: TextRange) -> u32 {
        self.lines.line_of(range.start) + 1
    }

    fn report(&mut self, rule: Rule, range: TextRange, message: String) {
        self.reports.push(Report {
            rule,
            range,
            message,
            undefined: None,
        });
    }

    // ----- scopes ---------------------------------------------------------------------------

    fn push_scope(&mut self, kind: ScopeKind) -> ScopeId {
        let id = self.scopes.len();
        self.scopes.push(Scope::new(kind));
        self.stack.push(id);
        id
    }

    fn pop_scope(&mut self, id: ScopeId) {
        let popped = self.stack.pop();
        debug_assert_eq!(popped, Some(id));
        self.dead_scopes.push(id);
    }

    fn current_scope(&self) -> ScopeId {
        self.stack.last().copied().unwrap_or(0)
    }

    fn module_scope(&self) -> ScopeId {
        0
    }

    fn in_class_or_module(&self) -> bool {
        matches!(
            self.scopes[self.current_scope()].kind,
            ScopeKind::Class | ScopeKind::Module
        )
    }

    /// Looks `name` up in one scope. The module scope holds the builtins too, created on first
    /// use so that their "used" state is tracked as pyflakes does.
    fn lookup(&mut self, scope: ScopeId, name: &str) -> Option<BindingId> {
        if let Some(&id) = self.scopes[scope].bindings.get(name) {
            return Some(id);
        }
        if scope == self.module_scope()
            && let Some(builtin) = builtin_name(name)
        {
            let id = self.bindings.len();
            self.bindings.push(Binding::new(
                builtin,
                BindingKind::Builtin,
                TextRange::default(),
                ForkPath::default(),
            ));
            self.scopes[scope].bindings.insert(builtin, id);
            return Some(id);
        }
        None
    }

    fn in_postponed_annotation(&self) -> bool {
        self.annotation == AnnotationState::String
            || (self.annotation == AnnotationState::Bare && self.future_annotations)
    }

    // ----- forks ----------------------------------------------------------------------------

    fn forks(&self) -> ForkPath {
        self.forks.clone()
    }

    fn with_fork<F: FnOnce(&mut Self)>(&mut self, fork: usize, child: usize, group: i32, f: F) {
        self.forks = self.forks.push(ForkEntry { fork, child, group });
        f(self);
        self.forks = self.forks.parent();
    }

    /// Visits `body`, each statement a direct child of `fork` in group `group`.
    fn visit_forked_body(&mut self, fork: usize, body: &'a [Stmt], group: i32) {
        for statement in body {
            self.with_fork(fork, node_id(statement), group, |this| {
                this.visit_stmt(statement)
            });
        }
    }

    // ----- bindings -------------------------------------------------------------------------

    /// pyflakes' `addBinding`: reports redefinitions and installs the binding.
    fn add_binding(&mut self, binding: Binding<'a>, is_loop_target: bool) -> BindingId {
        let name = binding.name;
        let current = self.current_scope();
        let mut found_scope = None;
        for index in (0..self.stack.len()).rev() {
            let scope = self.stack[index];
            if self.lookup(scope, name).is_some() {
                found_scope = Some(scope);
                break;
            }
        }
        if let Some(scope) = found_scope
            && let Some(existing_id) = self.lookup(scope, name)
        {
            let existing = &self.bindings[existing_id];
            if existing.kind != BindingKind::Builtin
                && !different_forks(&binding.forks, &existing.forks)
            {
                let shadows_in_loop = is_loop_target
                    || (self.statement_in_for
                        && (binding.kind.is_importation()
                            || matches!(
                                binding.kind,
                                BindingKind::FunctionDefinition | BindingKind::ClassDefinition
                            )));
                if existing.kind.is_importation() && shadows_in_loop {
                    // pyflakes reports "import shadowed by loop variable" here, not ripple's rule.
                } else if scope == current {
                    if existing.used.is_none()
                        && binding.redefines(existing)
                        && (name != "_" || existing.kind.is_importation())
                        && !existing.is_overload
                    {
                        let line = self.line_number(existing.range);
                        self.report(
                            Rule::RedefinedWhileUnused,
                            binding.range,
                            format!("redefinition of unused `{name}` from line {line}"),
                        );
                    }
                } else if existing.kind.is_importation() && binding.redefines(existing) {
                    let range = binding.range;
                    self.bindings[existing_id].redefined.push(range);
                }
            }
        }

        let mut binding = binding;
        if let Some(previous) = self.lookup(current, name) {
            binding.used = self.bindings[previous].used;
        }
        let in_current = self.scopes[current].bindings.contains_key(name);
        let kind = binding.kind;
        let id = self.bindings.len();
        self.bindings.push(binding);
        if !in_current || kind != BindingKind::Annotation {
            if kind == BindingKind::NamedExprAssignment {
                // PEP 572: the target binds in the scope enclosing the comprehensions.
                let target = self
                    .stack
                    .iter()
                    .rev()
                    .copied()
                    .find(|&scope| {
                        !matches!(
                            self.scopes[scope].kind,
                            ScopeKind::Comprehension | ScopeKind::Generator
                        )
                    })
                    .unwrap_or(current);
                match self.scopes[target].bindings.get(name).copied() {
                    Some(existing) if self.bindings[existing].kind != BindingKind::Annotation => {}
                    _ => {
                        self.scopes[target].bindings.insert(name, id);
                    }
                }
            } else {
                self.scopes[current].bindings.insert(name, id);
            }
        }
        id
    }

    /// pyflakes' `handleNodeLoad`.
    fn handle_load(&mut self, name: &str, range: TextRange) {
        let current = self.current_scope();
        let mut can_access_class_vars: Option<bool> = None;
        let mut import_starred = false;
        for index in (0..self.stack.len()).rev() {
            let scope = self.stack[index];
            let kind = self.scopes[scope].kind;
            if kind == ScopeKind::Class {
                if name == "__class__" {
                    return;
                }
                if can_access_class_vars == Some(false) {
                    continue;
                }
            }
            if let Some(id) = self.lookup(scope, name) {
                self.bindings[id].used = Some((current, range));
                if self.bindings[id].kind == BindingKind::Annotation
                    && !self.in_postponed_annotation()
                {
                    // `x: int` declares without defining: keep looking outwards.
                    continue;
                }
                if self.bindings[id].kind.is_importation() && self.bindings[id].has_alias() {
                    let full_name = self.bindings[id].full_name.clone().unwrap_or_default();
                    if let Some(&other) = self.scopes[scope].bindings.get(full_name.as_str()) {
                        self.bindings[other].used = Some((current, range));
                    }
                }
                return;
            }
            import_starred |= self.scopes[scope].import_starred;
            if can_access_class_vars != Some(false) {
                can_access_class_vars = Some(matches!(
                    kind,
                    ScopeKind::Type | ScopeKind::Comprehension | ScopeKind::Generator
                ));
            }
        }

        if import_starred {
            let mut from = Vec::new();
            for index in (0..self.stack.len()).rev() {
                let scope = self.stack[index];
                let ids: Vec<BindingId> = self.scopes[scope].bindings.values().copied().collect();
                for id in ids {
                    if self.bindings[id].kind == BindingKind::StarImportation {
                        self.bindings[id].used = Some((current, range));
                        from.push(self.bindings[id].full_name.clone().unwrap_or_default());
                    }
                }
            }
            from.sort();
            self.report(
                Rule::ImportStar,
                range,
                format!(
                    "`{name}` may be undefined, or defined from star imports: {}",
                    from.join(", ")
                ),
            );
            return;
        }
        if name == "__path__" && self.is_package_init {
            return;
        }
        if CLASS_SCOPE_MAGIC.contains(&name) && self.scopes[current].kind == ScopeKind::Class {
            return;
        }
        if !self.handlers.last().is_some_and(|h| h.catches_name_error) {
            self.reports.push(Report {
                rule: Rule::UndefinedName,
                range,
                message: format!("undefined name `{name}`"),
                undefined: Some(name.to_string()),
            });
        }
    }

    /// Adds a plain binding of `kind` at the current position.
    fn bind(&mut self, name: &'a str, kind: BindingKind, range: TextRange) -> BindingId {
        let forks = self.forks();
        self.add_binding(Binding::new(name, kind, range, forks), false)
    }

    /// pyflakes' `handleNodeStore`, with the binding kind decided by the caller.
    fn handle_store(&mut self, name: &'a str, range: TextRange, kind: StoreKind) -> BindingId {
        self.check_undefined_local(name);
        let binding_kind = match kind {
            StoreKind::Plain => BindingKind::Plain,
            StoreKind::Assignment => BindingKind::Assignment,
            StoreKind::NamedExpr => BindingKind::NamedExprAssignment,
            StoreKind::Annotation => BindingKind::Annotation,
        };
        self.bind(name, binding_kind, range)
    }

    /// A name about to become local to a function was already read in that function from an
    /// enclosing scope: the read raises `UnboundLocalError`.
    fn check_undefined_local(&mut self, name: &str) {
        let current = self.current_scope();
        if !self.scopes[current].is_function_like()
            || self.scopes[current].bindings.contains_key(name)
        {
            return;
        }
        for index in 0..self.stack.len().saturating_sub(1) {
            let scope = self.stack[index];
            if !matches!(
                self.scopes[scope].kind,
                ScopeKind::Function | ScopeKind::Module
            ) {
                continue;
            }
            let Some(id) = self.lookup(scope, name) else {
                continue;
            };
            if let Some((used_scope, used_range)) = self.bindings[id].used
                && used_scope == current
            {
                let origin = if self.bindings[id].kind == BindingKind::Builtin {
                    "builtins".to_string()
                } else {
                    format!("line {}", self.line_number(self.bindings[id].range))
                };
                self.report(
                    Rule::UndefinedLocal,
                    used_range,
                    format!(
                        "local variable `{name}` (defined in an enclosing scope on {origin}) is referenced before assignment"
                    ),
                );
                break;
            }
        }
    }

    fn handle_delete(&mut self, name: &str, range: TextRange) {
        if self.conditional_depth > 0 {
            // The branch may not run: nothing can be concluded about the name afterwards.
            return;
        }
        let current = self.current_scope();
        let removed = self.scopes[current].bindings.remove(name).is_some();
        let is_builtin = current == self.module_scope() && builtin_name(name).is_some();
        if !(removed || is_builtin) {
            self.reports.push(Report {
                rule: Rule::UndefinedName,
                range,
                message: format!("undefined name `{name}`"),
                undefined: Some(name.to_string()),
            });
        }
    }

    // ----- deferral -------------------------------------------------------------------------

    fn defer(&mut self, work: DeferredWork<'a>) {
        let context = SavedContext {
            stack: self.stack.clone(),
            forks: self.forks(),
            conditional_depth: self.conditional_depth,
        };
        self.deferred.push_back((work, context));
    }

    fn run_deferred(&mut self) {
        let original_stack = self.stack.clone();
        while let Some((work, context)) = self.deferred.pop_front() {
            self.stack = context.stack;
            self.forks = context.forks;
            self.conditional_depth = context.conditional_depth;
            // pyflakes runs deferred code outside any `try`: enclosing handlers do not apply.
            self.handlers = vec![HandlerNames::default()];
            match work {
                DeferredWork::Function(function) => {
                    let scope = self.push_scope(ScopeKind::Function);
                    self.bind_parameters(&function.parameters);
                    self.visit_body(&function.body);
                    self.pop_scope(scope);
                }
                DeferredWork::Lambda(lambda) => {
                    let scope = self.push_scope(ScopeKind::Function);
                    if let Some(parameters) = &lambda.parameters {
                        self.bind_parameters(parameters);
                    }
                    self.visit_expr(&lambda.body);
                    self.pop_scope(scope);
                }
                DeferredWork::Annotation(expr) => {
                    self.with_annotation(AnnotationState::Bare, |this| this.visit_expr(expr));
                }
                DeferredWork::StringAnnotation(string) => self.handle_string_annotation(string),
            }
        }
        self.stack = original_stack;
        self.forks = ForkPath::default();
        self.conditional_depth = 0;
    }

    // ----- statements -----------------------------------------------------------------------

    fn enter(&mut self, range: TextRange) -> bool {
        if self.too_deep.is_some() {
            return false;
        }
        self.depth += 1;
        if self.depth > MAX_NESTING {
            self.too_deep = Some(TextRange::empty(range.start as usize));
            self.depth -= 1;
            return false;
        }
        true
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn visit_body(&mut self, body: &'a [Stmt]) {
        for statement in body {
            self.visit_stmt(statement);
        }
    }

    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        let in_for = std::mem::take(&mut self.next_statement_in_for);
        let saved_in_for = std::mem::replace(&mut self.statement_in_for, in_for);
        self.visit_stmt_inner(stmt);
        self.statement_in_for = saved_in_for;
    }

    fn visit_stmt_inner(&mut self, stmt: &'a Stmt) {
        if !self.enter(range_of(stmt)) {
            return;
        }
        match stmt {
            Stmt::FunctionDef(function) => self.visit_function_def(function),
            Stmt::ClassDef(class) => self.visit_class_def(class),
            Stmt::Return(ast::StmtReturn { value, .. }) => {
                if !self.in_class_or_module()
                    && let Some(value) = value
                {
                    self.visit_expr(value);
                }
            }
            Stmt::Delete(ast::StmtDelete { targets, .. }) => {
                for target in targets {
                    self.visit_delete_target(target);
                }
            }
            Stmt::TypeAlias(alias) => self.visit_type_alias(alias),
            Stmt::Assign(assign) => self.visit_assign(assign),
            Stmt::AugAssign(assign) => self.visit_aug_assign(assign),
            Stmt::AnnAssign(assign) => self.visit_ann_assign(assign),
            Stmt::For(ast::StmtFor {
                target,
                iter,
                body,
                orelse,
                ..
            }) => {
                self.visit_expr(iter);
                self.visit_target(target, TargetContext::loop_target());
                for statement in body.iter().chain(orelse) {
                    self.next_statement_in_for = true;
                    self.visit_stmt(statement);
                }
            }
            Stmt::While(ast::StmtWhile {
                test, body, orelse, ..
            }) => {
                self.conditional_depth += 1;
                self.visit_expr(test);
                self.visit_body(body);
                self.visit_body(orelse);
                self.conditional_depth -= 1;
            }
            Stmt::If(statement) => self.visit_if(statement),
            Stmt::With(ast::StmtWith { items, body, .. }) => {
                for item in items {
                    self.visit_expr(&item.context_expr);
                    if let Some(target) = &item.optional_vars {
                        self.visit_target(target, TargetContext::assignment(false));
                    }
                }
                self.visit_body(body);
            }
            Stmt::Match(statement) => self.visit_match(statement),
            Stmt::Raise(ast::StmtRaise { exc, cause, .. }) => {
                for expr in [exc, cause].into_iter().flatten() {
                    self.visit_expr(expr);
                }
            }
            Stmt::Try(statement) => self.visit_try(statement),
            Stmt::Assert(ast::StmtAssert { test, msg, .. }) => {
                self.visit_expr(test);
                if let Some(msg) = msg {
                    self.visit_expr(msg);
                }
            }
            Stmt::Import(import) => self.visit_import(import),
            Stmt::ImportFrom(import) => self.visit_import_from(import),
            Stmt::Global(ast::StmtGlobal { names, range, .. })
            | Stmt::Nonlocal(ast::StmtNonlocal { names, range, .. }) => {
                self.visit_global(names, range_of(range));
            }
            Stmt::Expr(ast::StmtExpr { value, .. }) => self.visit_expr(value),
            Stmt::Pass(_) | Stmt::Break(_) | Stmt::Continue(_) | Stmt::IpyEscapeCommand(_) => {}
        }
        self.leave();
    }

    fn visit_if(&mut self, statement: &'a ast::StmtIf) {
        self.conditional_depth += 1;
        let fork = node_id(statement);
        self.with_fork(fork, node_id(&*statement.test), NO_GROUP, |this| {
            this.visit_expr(&statement.test)
        });
        self.visit_forked_body(fork, &statement.body, 0);
        // `elif` clauses are nested `if` statements in the `else` branch of the previous one,
        // in Python's own AST: model them that way, so branches are told apart as pyflakes does.
        self.visit_if_alternatives(fork, &statement.elif_else_clauses);
        self.conditional_depth -= 1;
    }

    fn visit_if_alternatives(&mut self, parent_fork: usize, clauses: &'a [ast::ElifElseClause]) {
        let Some((first, rest)) = clauses.split_first() else {
            return;
        };
        let Some(test) = &first.test else {
            self.visit_forked_body(parent_fork, &first.body, NO_GROUP);
            return;
        };
        // Each `elif` nests one level deeper, as in Python's AST: count it against the limit.
        if !self.enter(range_of(first)) {
            return;
        }
        let fork = node_id(first);
        self.with_fork(parent_fork, fork, NO_GROUP, |this| {
            this.with_fork(fork, node_id(test), NO_GROUP, |this| this.visit_expr(test));
            this.visit_forked_body(fork, &first.body, 0);
            this.visit_if_alternatives(fork, rest);
        });
        self.leave();
    }

    fn visit_try(&mut self, statement: &'a ast::StmtTry) {
        let fork = node_id(statement);
        let mut handler_names = HandlerNames::default();
        for handler in &statement.handlers {
            let ExceptHandler::ExceptHandler(handler) = handler;
            collect_handler_names(handler.type_.as_deref(), &mut handler_names);
        }
        // Handlers guard the body only; `else`, `finally` and the handlers themselves run
        // outside their protection.
        self.handlers.push(handler_names);
        self.visit_forked_body(fork, &statement.body, 0);
        self.handlers.pop();
        for (index, handler) in statement.handlers.iter().enumerate() {
            let ExceptHandler::ExceptHandler(handler) = handler;
            let group = i32::try_from(index + 1).unwrap_or(i32::MAX);
            self.with_fork(fork, node_id(handler), group, |this| {
                this.visit_except_handler(handler)
            });
        }
        self.visit_forked_body(fork, &statement.orelse, 0);
        self.visit_forked_body(fork, &statement.finalbody, NO_GROUP);
    }

    fn visit_except_handler(&mut self, handler: &'a ast::ExceptHandlerExceptHandler) {
        let Some(alias) = &handler.name else {
            if let Some(exception) = &handler.type_ {
                self.visit_expr(exception);
            }
            self.visit_body(&handler.body);
            return;
        };
        let name = alias.id.as_str();
        let range = range_of(alias);
        let current = self.current_scope();
        if self.scopes[current].bindings.contains_key(name) {
            self.handle_store(name, range, StoreKind::Assignment);
        }
        // The name is bound only inside the handler and unbound after it: hide any previous
        // binding while the handler runs, and restore it afterwards.
        let previous = self.scopes[current].bindings.remove(name);
        self.handle_store(name, range, StoreKind::Assignment);
        if let Some(exception) = &handler.type_ {
            self.visit_expr(exception);
        }
        self.visit_body(&handler.body);
        if let Some(binding) = self.scopes[current].bindings.remove(name)
            && self.bindings[binding].used.is_none()
        {
            self.report(
                Rule::UnusedVariable,
                range,
                format!("local variable `{name}` is assigned to but never used"),
            );
        }
        if let Some(previous) = previous {
            self.scopes[current].bindings.insert(name, previous);
        }
    }

    fn visit_match(&mut self, statement: &'a ast::StmtMatch) {
        let fork = node_id(statement);
        self.visit_expr(&statement.subject);
        for (index, case) in statement.cases.iter().enumerate() {
            let group = i32::try_from(index + 1).unwrap_or(i32::MAX);
            let child = node_id(case);
            self.with_fork(fork, child, NO_GROUP, |this| {
                this.visit_pattern(&case.pattern);
                if let Some(guard) = &case.guard {
                    this.visit_expr(guard);
                }
            });
            self.with_fork(fork, child, group, |this| this.visit_body(&case.body));
        }
    }

    /// Match patterns: names capture (bind), values load.
    fn visit_pattern(&mut self, pattern: &'a Pattern) {
        if !self.enter(range_of(pattern)) {
            return;
        }
        match pattern {
            Pattern::MatchValue(value) => self.visit_expr(&value.value),
            Pattern::MatchSingleton(_) => {}
            Pattern::MatchSequence(sequence) => {
                for pattern in &sequence.patterns {
                    self.visit_pattern(pattern);
                }
            }
            Pattern::MatchMapping(mapping) => {
                for key in &mapping.keys {
                    self.visit_expr(key);
                }
                for pattern in &mapping.patterns {
                    self.visit_pattern(pattern);
                }
                if let Some(rest) = &mapping.rest {
                    self.handle_store(rest.id.as_str(), range_of(rest), StoreKind::Assignment);
                }
            }
            Pattern::MatchClass(class) => {
                self.visit_expr(&class.cls);
                for pattern in &class.arguments.patterns {
                    self.visit_pattern(pattern);
                }
                for keyword in &class.arguments.keywords {
                    self.visit_pattern(&keyword.pattern);
                }
            }
            Pattern::MatchStar(star) => {
                if let Some(name) = &star.name {
                    self.handle_store(name.id.as_str(), range_of(name), StoreKind::Assignment);
                }
            }
            Pattern::MatchAs(capture) => {
                if let Some(pattern) = &capture.pattern {
                    self.visit_pattern(pattern);
                }
                if let Some(name) = &capture.name {
                    self.handle_store(name.id.as_str(), range_of(name), StoreKind::Assignment);
                }
            }
            Pattern::MatchOr(alternatives) => {
                for pattern in &alternatives.patterns {
                    self.visit_pattern(pattern);
                }
            }
        }
        self.leave();
    }

    fn visit_global(&mut self, names: &'a [ast::Identifier], statement: TextRange) {
        let module = self.module_scope();
        let current = self.current_scope();
        if current == module {
            return;
        }
        let forks = self.forks();
        for identifier in names {
            let name = identifier.id.as_str();
            let mut binding = Binding::new(
                name,
                BindingKind::Assignment,
                range_of(identifier),
                forks.clone(),
            );
            binding.used = Some((module, statement));
            // A global declaration makes earlier "undefined" reports of the name wrong.
            self.reports
                .retain(|report| report.undefined.as_deref() != Some(name));
            let id = self.bindings.len();
            self.bindings.push(binding);
            // A builtin is a module-scope binding already (made on first use): keep it.
            if self.lookup(module, name).is_none() {
                self.scopes[module].bindings.insert(name, id);
            }
            for index in 1..self.stack.len() {
                let scope = self.stack[index];
                self.scopes[scope].bindings.insert(name, id);
            }
        }
    }

    fn visit_delete_target(&mut self, target: &'a Expr) {
        match target {
            Expr::Name(name) => self.handle_delete(name.id.as_str(), range_of(name)),
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                for element in elts {
                    self.visit_delete_target(element);
                }
            }
            _ => self.visit_expr(target),
        }
    }

    fn visit_type_alias(&mut self, alias: &'a ast::StmtTypeAlias) {
        let type_scope = self.enter_type_params(alias.type_params.as_deref());
        self.defer(DeferredWork::Annotation(&alias.value));
        if let Some(scope) = type_scope {
            self.pop_scope(scope);
        }
        if let Expr::Name(name) = &*alias.name {
            self.handle_store(name.id.as_str(), range_of(name), StoreKind::Assignment);
        }
    }

    // ----- imports --------------------------------------------------------------------------

    fn optional_import(&self) -> bool {
        self.handlers.iter().any(|h| h.catches_import_error)
    }

    fn note_multiline(&mut self, range: TextRange) {
        let text = self
            .source
            .get(range.start as usize..range.end as usize)
            .unwrap_or("");
        if text.contains(['\n', '\r']) {
            self.multiline_imports.push(range);
        }
    }

    fn visit_import(&mut self, import: &'a ast::StmtImport) {
        self.note_multiline(range_of(import));
        for alias in &import.names {
            let full_name = alias.name.id.as_str();
            self.imports.push(ImportRequest {
                kind: ImportKind::Module,
                module: full_name.to_string(),
                level: 0,
                range: range_of(&alias.name),
                names: Vec::new(),
                optional: self.optional_import(),
            });
            let forks = self.forks();
            let binding = match &alias.asname {
                Some(asname) => {
                    let name = asname.id.as_str();
                    let mut binding =
                        Binding::new(name, BindingKind::Importation, range_of(alias), forks);
                    binding.explicit_reexport = name == full_name;
                    binding.full_name = Some(full_name.to_string());
                    binding
                }
                None => {
                    let (name, kind) = match full_name.split_once('.') {
                        Some((first, _)) => (first, BindingKind::SubmoduleImportation),
                        None => (full_name, BindingKind::Importation),
                    };
                    let mut binding = Binding::new(name, kind, range_of(alias), forks);
                    binding.full_name = Some(full_name.to_string());
                    binding
                }
            };
            self.add_binding(binding, false);
        }
    }

    fn visit_import_from(&mut self, import: &'a ast::StmtImportFrom) {
        let statement_range = range_of(import);
        self.note_multiline(statement_range);
        let module = import
            .module
            .as_ref()
            .map_or("", |module| module.id.as_str());
        let level = import.level;
        let qualified = format!("{}{module}", ".".repeat(level as usize));
        let module_range = import.module.as_ref().map_or(statement_range, range_of);
        let optional = self.optional_import();
        if level == 0 && module == "__future__" {
            self.visit_future_import(import);
            return;
        }
        if import
            .names
            .iter()
            .any(|alias| alias.name.id.as_str() == "*")
        {
            self.imports.push(ImportRequest {
                kind: ImportKind::Star,
                module: module.to_string(),
                level,
                range: module_range,
                names: Vec::new(),
                optional,
            });
            let current = self.current_scope();
            if self.scopes[current].kind != ScopeKind::Module {
                // A syntax error in Python 3 (a star import in a function).
                return;
            }
            self.scopes[current].import_starred = true;
            self.report(
                Rule::ImportStar,
                statement_range,
                format!("`from {qualified} import *` used; unable to detect undefined names"),
            );
            // Each star import needs a binding name no identifier can clash with (pyflakes uses
            // `module.*`): the statement's own text, which contains spaces, serves.
            let star_name = self
                .source
                .get(statement_range.start as usize..statement_range.end as usize)
                .unwrap_or("*");
            let forks = self.forks();
            let mut binding = Binding::new(
                star_name,
                BindingKind::StarImportation,
                statement_range,
                forks,
            );
            binding.full_name = Some(qualified);
            self.add_binding(binding, false);
            return;
        }

        let mut imported = Vec::with_capacity(import.names.len());
        for alias in &import.names {
            let real_name = alias.name.id.as_str();
            imported.push((real_name.to_string(), range_of(&alias.name)));
            let bound = alias
                .asname
                .as_ref()
                .map_or(real_name, |asname| asname.id.as_str());
            let full_name = if qualified.ends_with('.') {
                format!("{qualified}{real_name}")
            } else {
                format!("{qualified}.{real_name}")
            };
            let forks = self.forks();
            let mut binding =
                Binding::new(bound, BindingKind::ImportationFrom, range_of(alias), forks);
            binding.explicit_reexport = alias.asname.is_some() && bound == real_name;
            binding.full_name = Some(full_name);
            self.add_binding(binding, false);
        }
        self.imports.push(ImportRequest {
            kind: ImportKind::From,
            module: module.to_string(),
            level,
            range: module_range,
            names: imported,
            optional,
        });
    }

    fn visit_future_import(&mut self, import: &'a ast::StmtImportFrom) {
        let current = self.current_scope();
        for alias in &import.names {
            let real_name = alias.name.id.as_str();
            if real_name == "annotations" {
                self.future_annotations = true;
            }
            let bound = alias
                .asname
                .as_ref()
                .map_or(real_name, |asname| asname.id.as_str());
            let forks = self.forks();
            let mut binding = Binding::new(
                bound,
                BindingKind::FutureImportation,
                range_of(alias),
                forks,
            );
            binding.full_name = Some(format!("__future__.{real_name}"));
            binding.used = Some((current, range_of(import)));
            self.add_binding(binding, false);
        }
    }

    // ----- definitions ----------------------------------------------------------------------

    fn visit_function_def(&mut self, function: &'a ast::StmtFunctionDef) {
        let is_overload = function
            .decorator_list
            .iter()
            .any(|decorator| self.is_typing(&decorator.expression, "overload"));
        for decorator in &function.decorator_list {
            self.visit_expr(&decorator.expression);
        }
        let type_scope = self.enter_type_params(function.type_params.as_deref());
        // Annotations and defaults are evaluated where the function is defined.
        for parameter in parameter_list(&function.parameters) {
            if let Some(annotation) = &parameter.annotation {
                self.handle_annotation(annotation);
            }
        }
        if let Some(returns) = &function.returns {
            self.handle_annotation(returns);
        }
        self.visit_parameter_defaults(&function.parameters);
        self.defer(DeferredWork::Function(function));
        if let Some(scope) = type_scope {
            self.pop_scope(scope);
        }
        let forks = self.forks();
        let mut binding = Binding::new(
            function.name.id.as_str(),
            BindingKind::FunctionDefinition,
            range_of(&function.name),
            forks,
        );
        binding.is_overload = is_overload;
        self.add_binding(binding, false);
    }

    fn visit_class_def(&mut self, class: &'a ast::StmtClassDef) {
        for decorator in &class.decorator_list {
            self.visit_expr(&decorator.expression);
        }
        let type_scope = self.enter_type_params(class.type_params.as_deref());
        if let Some(arguments) = &class.arguments {
            if self.is_stub {
                // Stubs may name a base class defined further down (ruff and type checkers
                // allow it): resolve the bases once the module is known.
                for base in arguments
                    .args
                    .iter()
                    .chain(arguments.keywords.iter().map(|k| &k.value))
                {
                    self.defer(DeferredWork::Annotation(base));
                }
            } else {
                self.visit_arguments(arguments);
            }
        }
        let class_scope = self.push_scope(ScopeKind::Class);
        self.visit_body(&class.body);
        self.pop_scope(class_scope);
        if let Some(scope) = type_scope {
            self.pop_scope(scope);
        }
        self.bind(
            class.name.id.as_str(),
            BindingKind::ClassDefinition,
            range_of(&class.name),
        );
    }

    /// PEP 695 type parameters get a scope of their own around the definition.
    fn enter_type_params(&mut self, params: Option<&'a ast::TypeParams>) -> Option<ScopeId> {
        let params = params?;
        let scope = self.push_scope(ScopeKind::Type);
        for param in &params.type_params {
            let (name, bound, default) = match param {
                TypeParam::TypeVar(var) => {
                    (&var.name, var.bound.as_deref(), var.default.as_deref())
                }
                TypeParam::ParamSpec(spec) => (&spec.name, None, spec.default.as_deref()),
                TypeParam::TypeVarTuple(tuple) => (&tuple.name, None, tuple.default.as_deref()),
            };
            self.handle_store(name.id.as_str(), range_of(name), StoreKind::Assignment);
            for expr in [bound, default].into_iter().flatten() {
                self.defer(DeferredWork::Annotation(expr));
            }
        }
        Some(scope)
    }

    fn visit_parameter_defaults(&mut self, parameters: &'a Parameters) {
        for parameter in parameters
            .posonlyargs
            .iter()
            .chain(&parameters.args)
            .chain(&parameters.kwonlyargs)
        {
            if let Some(default) = &parameter.default {
                self.visit_expr(default);
            }
        }
    }

    /// Binds the parameters of a `def` or `lambda` in its (new) function scope.
    fn bind_parameters(&mut self, parameters: &'a Parameters) {
        for parameter in parameter_list(parameters) {
            self.bind(
                parameter.name.id.as_str(),
                BindingKind::Argument,
                range_of(&parameter.name),
            );
        }
    }

    // ----- annotations ----------------------------------------------------------------------

    fn handle_annotation(&mut self, annotation: &'a Expr) {
        if self.future_annotations {
            self.defer(DeferredWork::Annotation(annotation));
        } else {
            self.with_annotation(AnnotationState::Bare, |this| this.visit_expr(annotation));
        }
    }

    fn with_annotation<F: FnOnce(&mut Self)>(&mut self, state: AnnotationState, f: F) {
        let saved = std::mem::replace(&mut self.annotation, state);
        f(self);
        self.annotation = saved;
    }

    /// Parses the text of a string annotation and loads the names in it, and in the strings it
    /// holds in turn (`"list['Item']"`).
    fn handle_string_annotation(&mut self, string: &'a ast::ExprStringLiteral) {
        let mut names = Vec::new();
        let mut pending = vec![ruff_python_parser::typing::parse_type_annotation(
            string,
            self.source,
        )];
        // Bounded: a string nested in a string nested in ... is not something to follow forever.
        let mut budget = 32;
        while let Some(parsed) = pending.pop() {
            // A string that does not parse is pyflakes' "syntax error in forward annotation",
            // not one of ripple's rules.
            let Ok(parsed) = parsed else { continue };
            let mut nested = Vec::new();
            collect_loaded_names(parsed.expression(), &mut names, &mut nested);
            for inner in nested {
                if budget == 0 {
                    break;
                }
                budget -= 1;
                pending.push(ruff_python_parser::typing::parse_type_annotation(
                    &inner,
                    self.source,
                ));
            }
        }
        self.with_annotation(AnnotationState::String, |this| {
            for (name, range) in names {
                this.handle_load(&name, range);
            }
        });
    }

    // ----- typing helpers -------------------------------------------------------------------

    /// Finds the binding a name refers to, without marking it used.
    fn peek_binding(&self, name: &str) -> Option<&Binding<'a>> {
        self.stack
            .iter()
            .rev()
            .find_map(|&scope| self.scopes[scope].bindings.get(name))
            .map(|&id| &self.bindings[id])
    }

    /// Whether `expr` is `typing.<member>`, through any import of it (pyflakes' `_is_typing`).
    fn is_typing(&self, expr: &Expr, member: &str) -> bool {
        self.typing_member(expr).as_deref() == Some(member)
    }

    /// The member's real name when `expr` refers to a member of `typing`/`typing_extensions`,
    /// through any alias (`from typing import overload as ov`).
    fn typing_member(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Name(name) => {
                let binding = self.peek_binding(name.id.as_str())?;
                if binding.kind != BindingKind::ImportationFrom {
                    return None;
                }
                let (module, member) = binding.full_name.as_deref()?.rsplit_once('.')?;
                TYPING_MODULES.contains(&module).then(|| member.to_string())
            }
            Expr::Attribute(attribute) => {
                let Expr::Name(object) = &*attribute.value else {
                    return None;
                };
                let binding = self.peek_binding(object.id.as_str())?;
                if !binding.kind.is_importation() {
                    return None;
                }
                let full = binding.full_name.as_deref()?;
                TYPING_MODULES
                    .contains(&full)
                    .then(|| attribute.attr.id.to_string())
            }
            _ => None,
        }
    }

    // ----- expressions ----------------------------------------------------------------------

    fn visit_expr(&mut self, expr: &'a Expr) {
        if !self.enter(range_of(expr)) {
            return;
        }
        match expr {
            Expr::Name(name) => match name.ctx {
                ExprContext::Load | ExprContext::Invalid => {
                    self.handle_load(name.id.as_str(), range_of(name));
                }
                ExprContext::Store => {
                    self.visit_target(expr, TargetContext::assignment(false));
                }
                ExprContext::Del => self.handle_delete(name.id.as_str(), range_of(name)),
            },
            Expr::Attribute(attribute) => self.visit_expr(&attribute.value),
            Expr::Call(call) => self.visit_call(call),
            Expr::Subscript(subscript) => self.visit_subscript(subscript),
            Expr::StringLiteral(string) => match self.annotation {
                AnnotationState::None => {}
                AnnotationState::String => self.handle_string_annotation(string),
                AnnotationState::Bare => self.defer(DeferredWork::StringAnnotation(string)),
            },
            Expr::FString(fstring) => {
                for element in fstring.value.elements() {
                    self.visit_interpolated_element(element);
                }
            }
            Expr::TString(tstring) => {
                for element in tstring.value.elements() {
                    self.visit_interpolated_element(element);
                }
            }
            Expr::Named(named) => {
                self.visit_expr(&named.value);
                if let Expr::Name(name) = &*named.target {
                    self.handle_store(name.id.as_str(), range_of(name), StoreKind::NamedExpr);
                }
            }
            Expr::Lambda(lambda) => {
                if let Some(parameters) = &lambda.parameters {
                    self.visit_parameter_defaults(parameters);
                }
                self.defer(DeferredWork::Lambda(lambda));
            }
            Expr::ListComp(ast::ExprListComp {
                elt, generators, ..
            })
            | Expr::SetComp(ast::ExprSetComp {
                elt, generators, ..
            }) => self.visit_comprehension(generators, ScopeKind::Comprehension, &[elt]),
            Expr::Generator(ast::ExprGenerator {
                elt, generators, ..
            }) => self.visit_comprehension(generators, ScopeKind::Generator, &[elt]),
            Expr::DictComp(ast::ExprDictComp {
                key,
                value,
                generators,
                ..
            }) => {
                let mut parts: Vec<&'a Expr> = Vec::with_capacity(2);
                if let Some(key) = key {
                    parts.push(key);
                }
                parts.push(value);
                self.visit_comprehension(generators, ScopeKind::Comprehension, &parts);
            }
            Expr::If(ast::ExprIf {
                test, body, orelse, ..
            }) => {
                self.conditional_depth += 1;
                self.visit_expr(test);
                self.visit_expr(body);
                self.visit_expr(orelse);
                self.conditional_depth -= 1;
            }
            Expr::Yield(ast::ExprYield { value, .. }) => {
                if !self.in_class_or_module()
                    && let Some(value) = value
                {
                    self.visit_expr(value);
                }
            }
            Expr::YieldFrom(ast::ExprYieldFrom { value, .. })
            | Expr::Await(ast::ExprAwait { value, .. }) => {
                if !self.in_class_or_module() {
                    self.visit_expr(value);
                }
            }
            Expr::BoolOp(ast::ExprBoolOp { values, .. }) => {
                for value in values {
                    self.visit_expr(value);
                }
            }
            Expr::BinOp(ast::ExprBinOp { left, right, .. }) => {
                self.visit_expr(left);
                self.visit_expr(right);
            }
            Expr::UnaryOp(ast::ExprUnaryOp { operand, .. }) => self.visit_expr(operand),
            Expr::Dict(ast::ExprDict { items, .. }) => {
                for item in items {
                    if let Some(key) = &item.key {
                        self.visit_expr(key);
                    }
                    self.visit_expr(&item.value);
                }
            }
            Expr::Set(ast::ExprSet { elts, .. })
            | Expr::List(ast::ExprList { elts, .. })
            | Expr::Tuple(ast::ExprTuple { elts, .. }) => {
                for element in elts {
                    self.visit_expr(element);
                }
            }
            Expr::Compare(ast::ExprCompare {
                left, comparators, ..
            }) => {
                self.visit_expr(left);
                for comparator in comparators {
                    self.visit_expr(comparator);
                }
            }
            Expr::Starred(ast::ExprStarred { value, .. }) => self.visit_expr(value),
            Expr::Slice(ast::ExprSlice {
                lower, upper, step, ..
            }) => {
                for part in [lower, upper, step].into_iter().flatten() {
                    self.visit_expr(part);
                }
            }
            Expr::BytesLiteral(_)
            | Expr::NumberLiteral(_)
            | Expr::BooleanLiteral(_)
            | Expr::NoneLiteral(_)
            | Expr::EllipsisLiteral(_)
            | Expr::IpyEscapeCommand(_) => {}
        }
        self.leave();
    }

    fn visit_interpolated_element(&mut self, element: &'a ast::InterpolatedStringElement) {
        if let ast::InterpolatedStringElement::Interpolation(interpolation) = element {
            self.visit_expr(&interpolation.expression);
            if let Some(spec) = &interpolation.format_spec {
                for element in &spec.elements {
                    self.visit_interpolated_element(element);
                }
            }
        }
    }

    fn visit_arguments(&mut self, arguments: &'a Arguments) {
        for argument in &arguments.args {
            self.visit_expr(argument);
        }
        for keyword in &arguments.keywords {
            self.visit_expr(&keyword.value);
        }
    }

    fn visit_call(&mut self, call: &'a ast::ExprCall) {
        self.visit_all_mutation(call);
        if let Expr::Name(function) = &*call.func
            && function.id.as_str() == "locals"
        {
            let current = self.current_scope();
            if self.scopes[current].kind == ScopeKind::Function {
                self.scopes[current].uses_locals = true;
            }
        }
        const TYPING_HELPERS: &[&str] = &[
            "cast",
            "assert_type",
            "NewType",
            "TypeVar",
            "ParamSpec",
            "TypeVarTuple",
            "TypedDict",
            "NamedTuple",
        ];
        let Some(member) = self
            .typing_member(&call.func)
            .filter(|member| TYPING_HELPERS.contains(&member.as_str()))
        else {
            self.visit_expr(&call.func);
            self.visit_arguments(&call.arguments);
            return;
        };
        self.with_annotation(AnnotationState::None, |this| this.visit_expr(&call.func));
        // Which arguments of typing helpers are type expressions, as pyflakes' `CALL` has it.
        let positional = |index: usize| match member.as_str() {
            "cast" => index == 0,
            "assert_type" | "NewType" => index == 1,
            "TypeVar" => index >= 1,
            _ => false,
        };
        let keyword = |name: &str| match member.as_str() {
            "cast" => name == "typ",
            "NewType" => name == "tp",
            "TypeVar" | "ParamSpec" | "TypeVarTuple" => matches!(name, "bound" | "default"),
            // Keyword fields are types (Python 3.11's semantics, which pyflakes follows there).
            "TypedDict" | "NamedTuple" => true,
            _ => false,
        };
        for (index, argument) in call.arguments.args.iter().enumerate() {
            match (member.as_str(), index, argument) {
                // TypedDict("T", {"field": type, ...}): the values are types.
                ("TypedDict", 1, Expr::Dict(dict)) => {
                    for item in &dict.items {
                        if let Some(key) = &item.key {
                            self.with_annotation(AnnotationState::None, |this| {
                                this.visit_expr(key)
                            });
                        }
                        self.with_annotation(AnnotationState::Bare, |this| {
                            this.visit_expr(&item.value)
                        });
                    }
                }
                // NamedTuple("P", [("field", type), ...]): the second of each pair is a type.
                (
                    "NamedTuple",
                    1,
                    Expr::List(ast::ExprList { elts, .. })
                    | Expr::Tuple(ast::ExprTuple { elts, .. }),
                ) => {
                    for field in elts {
                        match field {
                            Expr::Tuple(ast::ExprTuple { elts: pair, .. })
                            | Expr::List(ast::ExprList { elts: pair, .. }) => {
                                for (position, part) in pair.iter().enumerate() {
                                    let state = if position == 0 {
                                        AnnotationState::None
                                    } else {
                                        AnnotationState::Bare
                                    };
                                    self.with_annotation(state, |this| this.visit_expr(part));
                                }
                            }
                            other => self.with_annotation(AnnotationState::None, |this| {
                                this.visit_expr(other)
                            }),
                        }
                    }
                }
                _ => {
                    let state = if positional(index) {
                        AnnotationState::Bare
                    } else {
                        AnnotationState::None
                    };
                    self.with_annotation(state, |this| this.visit_expr(argument));
                }
            }
        }
        for argument in &call.arguments.keywords {
            let annotated = argument
                .arg
                .as_ref()
                .is_some_and(|arg| keyword(arg.id.as_str()));
            let state = if annotated {
                AnnotationState::Bare
            } else {
                AnnotationState::None
            };
            self.with_annotation(state, |this| this.visit_expr(&argument.value));
        }
    }

    fn visit_subscript(&mut self, subscript: &'a ast::ExprSubscript) {
        let value_name = match &*subscript.value {
            Expr::Name(name) => Some(name.id.as_str()),
            Expr::Attribute(attribute) => Some(attribute.attr.id.as_str()),
            _ => None,
        };
        self.visit_expr(&subscript.value);
        match value_name {
            Some("Literal") => {
                self.with_annotation(AnnotationState::None, |this| {
                    this.visit_expr(&subscript.slice)
                });
            }
            Some("Annotated") => match &*subscript.slice {
                // Only the first argument of `Annotated[T, metadata...]` is a type.
                Expr::Tuple(tuple) if tuple.elts.len() >= 2 => {
                    for (index, element) in tuple.elts.iter().enumerate() {
                        if index == 0 {
                            self.visit_expr(element);
                        } else {
                            self.with_annotation(AnnotationState::None, |this| {
                                this.visit_expr(element)
                            });
                        }
                    }
                }
                slice => self.visit_expr(slice),
            },
            _ => {
                if self.annotation == AnnotationState::None
                    && self.typing_member(&subscript.value).is_some()
                {
                    self.with_annotation(AnnotationState::Bare, |this| {
                        this.visit_expr(&subscript.slice)
                    });
                } else {
                    self.visit_expr(&subscript.slice);
                }
            }
        }
    }

    fn visit_comprehension(
        &mut self,
        generators: &'a [Comprehension],
        kind: ScopeKind,
        elements: &[&'a Expr],
    ) {
        let Some((first, rest)) = generators.split_first() else {
            return;
        };
        // The first iterable is evaluated in the enclosing scope.
        self.visit_expr(&first.iter);
        let scope = self.push_scope(kind);
        self.visit_target(&first.target, TargetContext::comprehension_target());
        for condition in &first.ifs {
            self.visit_expr(condition);
        }
        for generator in rest {
            self.visit_expr(&generator.iter);
            self.visit_target(&generator.target, TargetContext::comprehension_target());
            for condition in &generator.ifs {
                self.visit_expr(condition);
            }
        }
        for element in elements {
            self.visit_expr(element);
        }
        self.pop_scope(scope);
    }

    // ----- assignments ----------------------------------------------------------------------

    fn visit_assign(&mut self, assign: &'a ast::StmtAssign) {
        self.visit_expr(&assign.value);
        let literal = has_elements(&assign.value) && assign.targets.iter().all(has_elements);
        for target in &assign.targets {
            self.visit_assignment_target(
                target,
                TargetContext::assignment(literal),
                Some(&assign.value),
            );
        }
    }

    fn visit_ann_assign(&mut self, assign: &'a ast::StmtAnnAssign) {
        // An annotated assignment: annotation, then value, then target.
        self.handle_annotation(&assign.annotation);
        if let Some(value) = &assign.value {
            if self.is_typing(&assign.annotation, "TypeAlias") {
                self.with_annotation(AnnotationState::Bare, |this| this.visit_expr(value));
            } else {
                self.visit_expr(value);
            }
        }
        // In a stub, `x: int` is the definition: stubs have no values.
        let context = if assign.value.is_none() && !self.is_stub {
            TargetContext::annotation_only()
        } else {
            TargetContext::assignment(false)
        };
        self.visit_assignment_target(&assign.target, context, assign.value.as_deref());
    }

    fn visit_aug_assign(&mut self, assign: &'a ast::StmtAugAssign) {
        if let Expr::Name(name) = &*assign.target {
            self.handle_load(name.id.as_str(), range_of(name));
        }
        self.visit_expr(&assign.value);
        match &*assign.target {
            Expr::Name(name) => {
                let text = name.id.as_str();
                if text == "__all__" && self.current_scope() == self.module_scope() {
                    let mut names = Vec::new();
                    collect_export_names(&assign.value, &mut names);
                    self.bind_export(name, names, true);
                } else {
                    self.handle_store(text, range_of(name), StoreKind::Assignment);
                }
            }
            target => self.visit_expr(target),
        }
    }

    /// A direct assignment target; `__all__` at module scope becomes the export list.
    fn visit_assignment_target(
        &mut self,
        target: &'a Expr,
        context: TargetContext,
        value: Option<&'a Expr>,
    ) {
        if let Expr::Name(name) = target
            && name.id.as_str() == "__all__"
            && self.current_scope() == self.module_scope()
        {
            let mut names = Vec::new();
            if let Some(value) = value {
                collect_export_names(value, &mut names);
            }
            self.bind_export(name, names, false);
            return;
        }
        self.visit_target(target, context);
    }

    fn bind_export(
        &mut self,
        target: &'a ast::ExprName,
        names: Vec<(String, TextRange)>,
        extend: bool,
    ) {
        let module = self.module_scope();
        let mut all_names = Vec::new();
        if extend
            && let Some(&previous) = self.scopes[module].bindings.get("__all__")
            && self.bindings[previous].kind == BindingKind::Export
        {
            all_names = self.bindings[previous].export_names.clone();
        }
        all_names.extend(names);
        let name = target.id.as_str();
        self.check_undefined_local(name);
        let forks = self.forks();
        let mut binding = Binding::new(name, BindingKind::Export, range_of(target), forks);
        binding.export_names = all_names;
        self.add_binding(binding, false);
    }

    /// `__all__.extend([...])`, `__all__.append("x")` and `__all__.remove("x")` at module scope
    /// update the export list, as ruff understands them.
    fn visit_all_mutation(&mut self, call: &'a ast::ExprCall) {
        let Expr::Attribute(attribute) = &*call.func else {
            return;
        };
        let Expr::Name(object) = &*attribute.value else {
            return;
        };
        if object.id.as_str() != "__all__" || self.current_scope() != self.module_scope() {
            return;
        }
        let module = self.module_scope();
        let Some(&binding) = self.scopes[module].bindings.get("__all__") else {
            return;
        };
        if self.bindings[binding].kind != BindingKind::Export || !call.arguments.keywords.is_empty()
        {
            return;
        }
        let [argument] = &*call.arguments.args else {
            return;
        };
        let mut names = Vec::new();
        match attribute.attr.id.as_str() {
            "extend" => collect_export_names(argument, &mut names),
            "append" => {
                if let Expr::StringLiteral(string) = argument {
                    names.push((string.value.to_str().to_string(), range_of(string)));
                }
            }
            "remove" => {
                if let Expr::StringLiteral(string) = argument {
                    let removed = string.value.to_str();
                    self.bindings[binding]
                        .export_names
                        .retain(|(name, _)| name != removed);
                }
                return;
            }
            _ => return,
        }
        self.bindings[binding].export_names.extend(names);
    }

    /// A store target: names bind, attributes and subscripts load their parts.
    fn visit_target(&mut self, target: &'a Expr, context: TargetContext) {
        if !self.enter(range_of(target)) {
            return;
        }
        match target {
            Expr::Name(name) => {
                let text = name.id.as_str();
                let range = range_of(name);
                let kind = if context.kind == StoreKind::Annotation {
                    StoreKind::Annotation
                } else if context.in_unpacking && !context.literal {
                    StoreKind::Plain
                } else {
                    context.kind
                };
                if context.is_loop {
                    self.check_undefined_local(text);
                    let forks = self.forks();
                    let binding = Binding::new(text, BindingKind::Plain, range, forks);
                    self.add_binding(binding, true);
                } else {
                    self.handle_store(text, range, kind);
                }
            }
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                let inner = TargetContext {
                    in_unpacking: true,
                    ..context
                };
                for element in elts {
                    self.visit_target(element, inner);
                }
            }
            Expr::Starred(starred) => {
                let inner = TargetContext {
                    in_unpacking: true,
                    ..context
                };
                self.visit_target(&starred.value, inner);
            }
            Expr::Attribute(attribute) => self.visit_expr(&attribute.value),
            Expr::Subscript(subscript) => {
                self.visit_expr(&subscript.value);
                self.visit_expr(&subscript.slice);
            }
            other => self.visit_expr(other),
        }
        self.leave();
    }
}

/// Every parameter of a `def` or `lambda`, in order.
fn parameter_list(parameters: &Parameters) -> impl Iterator<Item = &ast::Parameter> {
    let Parameters {
        posonlyargs,
        args,
        vararg,
        kwonlyargs,
        kwarg,
        ..
    } = parameters;
    posonlyargs
        .iter()
        .chain(args)
        .map(|parameter| &parameter.parameter)
        .chain(vararg.as_deref())
        .chain(kwonlyargs.iter().map(|parameter| &parameter.parameter))
        .chain(kwarg.as_deref())
}

fn has_elements(expr: &Expr) -> bool {
    matches!(expr, Expr::Tuple(_) | Expr::List(_))
}

/// Names of the exception classes an `except` clause catches, as far as they matter here.
fn collect_handler_names(exception: Option<&Expr>, names: &mut HandlerNames) {
    let Some(exception) = exception else {
        // A bare `except:` catches everything, an ImportError included (but pyflakes does not
        // let it excuse undefined names).
        names.catches_import_error = true;
        return;
    };
    let mut note = |expr: &Expr| {
        if let Expr::Name(name) = expr {
            match name.id.as_str() {
                "NameError" => names.catches_name_error = true,
                "ImportError" | "ModuleNotFoundError" | "Exception" | "BaseException" => {
                    names.catches_import_error = true;
                }
                _ => {}
            }
        }
    };
    match exception {
        Expr::Tuple(tuple) => tuple.elts.iter().for_each(&mut note),
        other => note(other),
    }
}

/// String literals of `[...]`, `(...)` and their concatenation with `+` (walked without
/// recursion: a long `[] + [] + ...` chain nests deeply).
fn collect_export_names(value: &Expr, names: &mut Vec<(String, TextRange)>) {
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        match value {
            Expr::List(ast::ExprList { elts, .. }) | Expr::Tuple(ast::ExprTuple { elts, .. }) => {
                for element in elts {
                    if let Expr::StringLiteral(string) = element {
                        names.push((string.value.to_str().to_string(), range_of(string)));
                    }
                }
            }
            Expr::BinOp(ast::ExprBinOp {
                left,
                op: ast::Operator::Add,
                right,
                ..
            }) => {
                pending.push(right);
                pending.push(left);
            }
            _ => {}
        }
    }
}

/// The names a string annotation loads, with their positions, and the string literals inside it
/// (walked without recursion: the parsed annotation comes from user text and may be deep).
fn collect_loaded_names(
    expr: &Expr,
    out: &mut Vec<(String, TextRange)>,
    strings: &mut Vec<ast::ExprStringLiteral>,
) {
    // Each entry: an expression, and whether a string in it is a type (not inside `Literal[]`
    // or the metadata of `Annotated[]`).
    let mut stack = vec![(expr, true)];
    while let Some((expr, strings_are_types)) = stack.pop() {
        match expr {
            Expr::Name(name) => out.push((name.id.to_string(), range_of(name))),
            Expr::StringLiteral(string) if strings_are_types => strings.push(string.clone()),
            Expr::Attribute(attribute) => stack.push((&attribute.value, strings_are_types)),
            Expr::Subscript(subscript) => {
                let special = match &*subscript.value {
                    Expr::Name(name) => name.id.as_str(),
                    Expr::Attribute(attribute) => attribute.attr.id.as_str(),
                    _ => "",
                };
                match (special, &*subscript.slice) {
                    ("Literal", slice) => stack.push((slice, false)),
                    ("Annotated", Expr::Tuple(tuple)) => {
                        for (index, element) in tuple.elts.iter().enumerate().rev() {
                            stack.push((element, index == 0 && strings_are_types));
                        }
                    }
                    (_, slice) => stack.push((slice, strings_are_types)),
                }
                stack.push((&subscript.value, strings_are_types));
            }
            Expr::Tuple(ast::ExprTuple { elts, .. })
            | Expr::List(ast::ExprList { elts, .. })
            | Expr::Set(ast::ExprSet { elts, .. }) => {
                stack.extend(elts.iter().rev().map(|e| (e, strings_are_types)));
            }
            Expr::BinOp(binary) => {
                stack.push((&binary.right, strings_are_types));
                stack.push((&binary.left, strings_are_types));
            }
            Expr::Call(call) => {
                stack.extend(
                    call.arguments
                        .keywords
                        .iter()
                        .rev()
                        .map(|k| (&k.value, false)),
                );
                stack.extend(call.arguments.args.iter().rev().map(|e| (e, false)));
                stack.push((&call.func, strings_are_types));
            }
            Expr::Starred(starred) => stack.push((&starred.value, strings_are_types)),
            Expr::UnaryOp(unary) => stack.push((&unary.operand, strings_are_types)),
            Expr::BoolOp(boolean) => {
                stack.extend(boolean.values.iter().rev().map(|e| (e, strings_are_types)));
            }
            Expr::If(conditional) => {
                stack.push((&conditional.orelse, strings_are_types));
                stack.push((&conditional.test, false));
                stack.push((&conditional.body, strings_are_types));
            }
            _ => {}
        }
    }
}

impl<'a> Checker<'a> {
    /// pyflakes' `checkDeadScopes`: unused locals, unused imports and `__all__` checks.
    fn check_dead_scopes(&mut self) {
        let dead = std::mem::take(&mut self.dead_scopes);
        for scope_id in dead {
            let kind = self.scopes[scope_id].kind;
            if kind == ScopeKind::Class {
                // Names bound in a class body are attributes: never unused.
                continue;
            }
            let mut entries: Vec<(&'a str, BindingId)> = self.scopes[scope_id]
                .bindings
                .iter()
                .map(|(name, id)| (*name, *id))
                .collect();
            entries.sort_by_key(|(_, id)| self.bindings[*id].range);

            if kind == ScopeKind::Function && !self.scopes[scope_id].uses_locals {
                for (name, id) in &entries {
                    let binding = &self.bindings[*id];
                    if binding.used.is_none()
                        && !is_dummy_name(name)
                        && !ALWAYS_USED_LOCALS.contains(name)
                        && binding.kind.is_assignment()
                    {
                        let range = binding.range;
                        self.report(
                            Rule::UnusedVariable,
                            range,
                            format!("local variable `{name}` is assigned to but never used"),
                        );
                    }
                }
            }

            let all_binding = self.scopes[scope_id]
                .bindings
                .get("__all__")
                .copied()
                .filter(|&id| self.bindings[id].kind == BindingKind::Export);
            let export_names: Vec<(String, TextRange)> = all_binding
                .map(|id| self.bindings[id].export_names.clone())
                .unwrap_or_default();
            let undefined: Vec<(String, TextRange)> = export_names
                .iter()
                .filter(|(name, _)| {
                    let defined = self.scopes[scope_id].bindings.contains_key(name.as_str())
                        || (scope_id == self.module_scope() && builtin_name(name).is_some());
                    !defined
                })
                .cloned()
                .collect();
            if !undefined.is_empty() {
                let import_starred = self.scopes[scope_id].import_starred;
                if !import_starred && !self.is_package_init {
                    for (name, range) in &undefined {
                        self.report(
                            Rule::UndefinedExport,
                            *range,
                            format!("undefined name `{name}` in `__all__`"),
                        );
                    }
                }
                if import_starred {
                    let mut from = Vec::new();
                    for (_, id) in &entries {
                        if self.bindings[*id].kind == BindingKind::StarImportation {
                            self.bindings[*id].used = Some((scope_id, TextRange::default()));
                            from.push(self.bindings[*id].full_name.clone().unwrap_or_default());
                        }
                    }
                    from.sort();
                    for (name, range) in &undefined {
                        self.report(
                            Rule::ImportStar,
                            *range,
                            format!(
                                "`{name}` may be undefined, or defined from star imports: {}",
                                from.join(", ")
                            ),
                        );
                    }
                }
            }

            for (name, id) in &entries {
                let binding = &self.bindings[*id];
                // An unused star import is already reported as `import-star` (ruff does the same).
                if !binding.kind.is_importation()
                    || binding.kind == BindingKind::StarImportation
                    || binding.used.is_some()
                    || binding.explicit_reexport
                    || export_names.iter().any(|(export, _)| export == name)
                {
                    continue;
                }
                let imported = imported_name(binding);
                let range = binding.range;
                let redefined = binding.redefined.clone();
                self.report(
                    Rule::UnusedImport,
                    range,
                    format!("`{imported}` imported but unused"),
                );
                for redefinition in redefined {
                    let line = self.line_number(range);
                    self.report(
                        Rule::RedefinedWhileUnused,
                        redefinition,
                        format!("redefinition of unused `{name}` from line {line}"),
                    );
                }
            }
        }
    }

    fn module_exports(&self) -> Exports {
        let Some(module) = self.scopes.first() else {
            return Exports::default();
        };
        let mut names: Vec<String> = module
            .bindings
            .iter()
            .filter(|(_, id)| {
                !matches!(
                    self.bindings[**id].kind,
                    BindingKind::Builtin | BindingKind::StarImportation
                )
            })
            .map(|(name, _)| name.to_string())
            .collect();
        names.sort_unstable();
        names.dedup();
        // Kept for the life of the analysis, for every module: without the slack of growth.
        names.shrink_to_fit();
        let reexported_from = self
            .imports
            .iter()
            .filter(|import| import.kind == ImportKind::Star)
            .map(|import| star_import_source(import.level, &import.module))
            .collect();
        Exports {
            names,
            // A module `__getattr__` answers for any name.
            open: module.bindings.contains_key("__getattr__"),
            reexported_from,
        }
    }
}

/// A star import's module as `Exports::reexported_from` keeps it: with a relative import's
/// leading dots (`..m` for `from ..m import *`).
fn star_import_source(level: u32, module: &str) -> String {
    let mut source = ".".repeat(level as usize);
    source.push_str(module);
    source
}

/// Names that say "deliberately unused": `_`, `__`, `_result`, `__x` (ruff's default
/// `dummy-variable-rgx`, `^(_+|(_+[a-zA-Z0-9_]*[a-zA-Z0-9]+?))$`). pyflakes exempts only `_`;
/// ripple follows the wider convention that codebases rely on.
fn is_dummy_name(name: &str) -> bool {
    let rest = name.trim_start_matches('_');
    if rest.len() == name.len() {
        return false;
    }
    rest.is_empty()
        || (rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && rest.ends_with(|c: char| c.is_ascii_alphanumeric()))
}

/// How pyflakes names an import in its messages: `os.path`, `a.b as c`, `m.x as y`.
fn imported_name(binding: &Binding<'_>) -> String {
    let full = binding
        .full_name
        .clone()
        .unwrap_or_else(|| binding.name.to_string());
    match binding.kind {
        BindingKind::SubmoduleImportation | BindingKind::StarImportation => full,
        _ if binding.has_alias() => format!("{full} as {}", binding.name),
        _ => full,
    }
}

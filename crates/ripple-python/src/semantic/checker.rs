//! The walk over a tree-sitter-python tree. It follows pyflakes' checker: bindings are added as
//! statements are met, function bodies (and postponed annotations) are deferred until the module
//! has been walked, and unused names are reported when a scope is finished.
//!
//! Written by hand: no maintained Rust crate binds Python names with pyflakes' semantics on a
//! tree-sitter tree. The walk recurses, but never deeper than `MAX_NESTING` (the file is reported
//! as too deeply nested instead), and runs on threads with large stacks.

use std::collections::VecDeque;
use std::rc::Rc;

use ripple_core::{Diagnostic, LineIndex, TextRange};
use tree_sitter::{Node, Parser, Tree};

use super::fields;
use super::fork::{ForkEntry, ForkPath, NO_GROUP, different_forks};
use super::noqa::NoqaDirectives;
use super::scope::{Binding, BindingId, BindingKind, Scope, ScopeId, ScopeKind};
use super::strings::string_value;
use super::syntax::first_syntax_problem;
use super::{FileAnalysis, ImportKind, ImportRequest, ModuleExports};
use crate::builtins::is_builtin;
use crate::rules::Rule;

/// Deepest nesting of syntax nodes the walk follows. CPython itself refuses far shallower code
/// (200 nested parentheses, 100 indentation levels); the margin is for long operator chains.
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

thread_local! {
    static PARSER: std::cell::RefCell<Option<Parser>> = const { std::cell::RefCell::new(None) };
}

/// Parses `source` with tree-sitter-python, reusing one parser per thread.
pub fn parse_python(source: &str, old_tree: Option<&Tree>) -> Option<Tree> {
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut parser = Parser::new();
            parser
                .set_language(&tree_sitter_python::LANGUAGE.into())
                .ok()?;
            *slot = Some(parser);
        }
        slot.as_mut()?.parse(source, old_tree)
    })
}

/// Analyses one file. `is_package_init` is true for `__init__.py`/`__init__.pyi`.
pub fn analyze_source(
    source: &str,
    tree: Option<&Tree>,
    is_package_init: bool,
    is_stub: bool,
) -> FileAnalysis {
    let owned_tree;
    let tree = match tree {
        Some(tree) => tree,
        None => match parse_python(source, None) {
            Some(tree) => {
                owned_tree = tree;
                &owned_tree
            }
            None => {
                return FileAnalysis {
                    diagnostics: vec![Diagnostic::new(
                        Rule::SyntaxError.code(),
                        Rule::SyntaxError.severity(),
                        TextRange::empty(0),
                        "the parser gave up on this file",
                    )],
                    imports: Vec::new(),
                    exports: ModuleExports {
                        incomplete: true,
                        ..ModuleExports::default()
                    },
                    noqa: NoqaDirectives::default(),
                    has_syntax_error: true,
                };
            }
        },
    };
    let root = tree.root_node();
    let lines = LineIndex::new(source);
    let noqa = NoqaDirectives::collect(source, root, &lines);
    let syntax_problem = first_syntax_problem(root, source);

    let mut checker = Checker::new(source, &lines, is_package_init);
    // In stubs every annotation is a forward reference, as under `from __future__ import
    // annotations`.
    checker.future_annotations = is_stub;
    checker.run(root);

    let has_syntax_error = syntax_problem.is_some() || checker.too_deep.is_some();
    let mut diagnostics = Vec::new();
    if let Some(problem) = syntax_problem {
        diagnostics.push(Diagnostic::new(
            Rule::SyntaxError.code(),
            Rule::SyntaxError.severity(),
            problem.range,
            problem.message,
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
        for report in &checker.reports {
            diagnostics.push(Diagnostic::new(
                report.rule.code(),
                report.rule.severity(),
                report.range,
                report.message.clone(),
            ));
        }
    }
    diagnostics.sort_by(|a, b| (a.range, a.code).cmp(&(b.range, b.code)));
    diagnostics.dedup();

    let mut exports = checker.module_exports();
    exports.incomplete = has_syntax_error;
    FileAnalysis {
        diagnostics,
        imports: checker.imports,
        exports,
        noqa,
        has_syntax_error,
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

/// The except handlers of the enclosing `try` bodies, as far as names go.
#[derive(Debug, Clone, Copy, Default)]
struct HandlerNames {
    catches_name_error: bool,
    catches_import_error: bool,
}

/// Where the walk was when something was deferred, restored when it runs.
#[derive(Clone)]
struct SavedContext {
    stack: Vec<ScopeId>,
    forks: ForkPath,
    conditional_depth: u32,
}

enum DeferredWork<'t> {
    /// A `def` or `lambda` body.
    Function(Node<'t>),
    /// An annotation under `from __future__ import annotations`.
    Annotation(Node<'t>),
    /// A string literal used as an annotation.
    StringAnnotation(Node<'t>),
}

struct Report {
    rule: Rule,
    range: TextRange,
    message: String,
    /// For undefined names: the name, so a later `global` declaration can withdraw the report.
    undefined: Option<String>,
}

struct Checker<'src, 't> {
    source: &'src str,
    lines: &'src LineIndex,
    is_package_init: bool,
    scopes: Vec<Scope<'src>>,
    bindings: Vec<Binding<'src>>,
    stack: Vec<ScopeId>,
    dead_scopes: Vec<ScopeId>,
    deferred: VecDeque<(DeferredWork<'t>, SavedContext)>,
    handlers: Vec<HandlerNames>,
    annotation: AnnotationState,
    future_annotations: bool,
    forks: Vec<ForkEntry>,
    fork_snapshot: Option<ForkPath>,
    conditional_depth: u32,
    depth: u32,
    too_deep: Option<TextRange>,
    reports: Vec<Report>,
    imports: Vec<ImportRequest>,
    /// Sub-trees parsed from string annotations; kept alive until the walk ends.
    annotation_trees: Vec<Tree>,
}

impl<'src, 't> Checker<'src, 't>
where
    'src: 't,
{
    fn new(source: &'src str, lines: &'src LineIndex, is_package_init: bool) -> Self {
        Self {
            source,
            lines,
            is_package_init,
            scopes: Vec::new(),
            bindings: Vec::new(),
            stack: Vec::new(),
            dead_scopes: Vec::new(),
            deferred: VecDeque::new(),
            handlers: vec![HandlerNames::default()],
            annotation: AnnotationState::None,
            future_annotations: false,
            forks: Vec::new(),
            fork_snapshot: None,
            conditional_depth: 0,
            depth: 0,
            too_deep: None,
            reports: Vec::new(),
            imports: Vec::new(),
            annotation_trees: Vec::new(),
        }
    }

    fn run(&mut self, root: Node<'t>) {
        let module = self.push_scope(ScopeKind::Module);
        self.visit_block(root);
        self.run_deferred();
        self.pop_scope(module);
        self.check_dead_scopes();
        // String annotation trees are only needed while the walk runs.
        self.annotation_trees.clear();
    }

    // ----- text and positions -------------------------------------------------------------

    fn text(&self, node: Node<'_>) -> &'src str {
        self.source
            .get(node.start_byte()..node.end_byte())
            .unwrap_or("")
    }

    fn range(node: Node<'_>) -> TextRange {
        TextRange::new(node.start_byte(), node.end_byte())
    }

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

    // ----- scopes --------------------------------------------------------------------------

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

    /// Looks `name` up in one scope. The module scope holds the builtins too, created on first
    /// use so that their "used" state is tracked as pyflakes does.
    fn lookup(&mut self, scope: ScopeId, name: &'src str) -> Option<BindingId> {
        if let Some(&id) = self.scopes[scope].bindings.get(name) {
            return Some(id);
        }
        if scope == self.module_scope() && is_builtin(name) {
            let id = self.bindings.len();
            self.bindings.push(Binding::new(
                name,
                BindingKind::Builtin,
                TextRange::default(),
                Rc::from([]),
            ));
            self.scopes[scope].bindings.insert(name, id);
            return Some(id);
        }
        None
    }

    fn in_postponed_annotation(&self) -> bool {
        self.annotation == AnnotationState::String
            || (self.annotation == AnnotationState::Bare && self.future_annotations)
    }

    // ----- forks ----------------------------------------------------------------------------

    fn forks(&mut self) -> ForkPath {
        if let Some(snapshot) = &self.fork_snapshot {
            return snapshot.clone();
        }
        let snapshot: ForkPath = Rc::from(self.forks.as_slice());
        self.fork_snapshot = Some(snapshot.clone());
        snapshot
    }

    fn with_fork<F: FnOnce(&mut Self)>(&mut self, fork: usize, child: usize, group: i32, f: F) {
        self.forks.push(ForkEntry { fork, child, group });
        self.fork_snapshot = None;
        f(self);
        self.forks.pop();
        self.fork_snapshot = None;
    }

    // ----- bindings -------------------------------------------------------------------------

    /// pyflakes' `addBinding`: reports redefinitions and installs the binding.
    fn add_binding(&mut self, binding: Binding<'src>, is_loop_target: bool) -> BindingId {
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
                if existing.kind.is_importation() && is_loop_target {
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
        let in_current = self.scopes[current].bindings.contains_key(name)
            || (current == self.module_scope() && is_builtin(name));
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
                    Some(existing) if self.bindings[existing].kind == BindingKind::Annotation => {
                        self.scopes[target].bindings.insert(name, id);
                    }
                    Some(_) => {}
                    None => {
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
    fn handle_load(&mut self, name: &'src str, range: TextRange) {
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
                if self.bindings[id].kind == BindingKind::Annotation
                    && !self.in_postponed_annotation()
                {
                    self.bindings[id].used = Some((current, range));
                    continue;
                }
                self.bindings[id].used = Some((current, range));
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

    /// pyflakes' `handleNodeStore`, with the binding kind decided by the caller.
    fn handle_store(&mut self, name: &'src str, range: TextRange, kind: StoreKind) -> BindingId {
        self.check_undefined_local(name);
        let binding_kind = match kind {
            StoreKind::Plain => BindingKind::Plain,
            StoreKind::Assignment => BindingKind::Assignment,
            StoreKind::NamedExpr => BindingKind::NamedExprAssignment,
            StoreKind::Annotation => BindingKind::Annotation,
        };
        let forks = self.forks();
        self.add_binding(Binding::new(name, binding_kind, range, forks), false)
    }

    /// A name about to become local to a function was already read in that function from an
    /// enclosing scope: the read raises `UnboundLocalError`.
    fn check_undefined_local(&mut self, name: &'src str) {
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
                let line = if self.bindings[id].kind == BindingKind::Builtin {
                    "builtins".to_string()
                } else {
                    format!("line {}", self.line_number(self.bindings[id].range))
                };
                self.report(
                    Rule::UndefinedLocal,
                    used_range,
                    format!(
                        "local variable `{name}` (defined in an enclosing scope on {line}) is referenced before assignment"
                    ),
                );
                break;
            }
        }
    }

    fn handle_delete(&mut self, name: &'src str, range: TextRange) {
        if self.conditional_depth > 0 {
            // The branch may not run: nothing can be concluded about the name afterwards.
            return;
        }
        let current = self.current_scope();
        if self.scopes[current].bindings.remove(name).is_none()
            && !(current == self.module_scope() && is_builtin(name))
        {
            self.reports.push(Report {
                rule: Rule::UndefinedName,
                range,
                message: format!("undefined name `{name}`"),
                undefined: Some(name.to_string()),
            });
        }
    }

    // ----- deferral -------------------------------------------------------------------------

    fn saved_context(&mut self) -> SavedContext {
        SavedContext {
            stack: self.stack.clone(),
            forks: self.forks(),
            conditional_depth: self.conditional_depth,
        }
    }

    fn defer(&mut self, work: DeferredWork<'t>) {
        let context = self.saved_context();
        self.deferred.push_back((work, context));
    }

    fn run_deferred(&mut self) {
        let original_stack = self.stack.clone();
        while let Some((work, context)) = self.deferred.pop_front() {
            self.stack = context.stack;
            self.forks = context.forks.to_vec();
            self.fork_snapshot = Some(context.forks);
            self.conditional_depth = context.conditional_depth;
            self.handlers = vec![HandlerNames::default()];
            match work {
                DeferredWork::Function(node) => self.run_function_body(node),
                DeferredWork::Annotation(node) => {
                    let saved = std::mem::replace(&mut self.annotation, AnnotationState::Bare);
                    self.visit_expr(node);
                    self.annotation = saved;
                }
                DeferredWork::StringAnnotation(node) => self.handle_string_annotation(node),
            }
        }
        self.stack = original_stack;
        self.forks.clear();
        self.fork_snapshot = None;
        self.conditional_depth = 0;
    }

    // ----- statements -----------------------------------------------------------------------

    fn enter(&mut self, node: Node<'_>) -> bool {
        if self.too_deep.is_some() {
            return false;
        }
        self.depth += 1;
        if self.depth > MAX_NESTING {
            self.too_deep = Some(TextRange::empty(node.start_byte()));
            self.depth -= 1;
            return false;
        }
        true
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn visit_block(&mut self, node: Node<'t>) {
        let statements = named_children(node);
        for statement in statements {
            self.visit_stmt(statement);
        }
    }

    fn visit_stmt(&mut self, node: Node<'t>) {
        if !self.enter(node) {
            return;
        }
        match node.kind() {
            "expression_statement" => self.visit_children(node),
            "import_statement" => self.visit_import(node),
            "import_from_statement" => self.visit_import_from(node),
            "future_import_statement" => self.visit_future_import(node),
            "function_definition" => self.visit_function_def(node, &[]),
            "class_definition" => self.visit_class_def(node, &[]),
            "decorated_definition" => self.visit_decorated(node),
            "if_statement" => self.visit_if(node),
            "for_statement" => self.visit_for(node),
            "while_statement" => {
                self.conditional_depth += 1;
                self.visit_children(node);
                self.conditional_depth -= 1;
            }
            "try_statement" => self.visit_try(node),
            "with_statement" => self.visit_with(node),
            "match_statement" => self.visit_match(node),
            "return_statement" => {
                if !self.in_class_or_module() {
                    self.visit_children(node);
                }
            }
            "delete_statement" => {
                let targets = named_children(node);
                for target in targets {
                    self.visit_delete_target(target);
                }
            }
            "global_statement" | "nonlocal_statement" => self.visit_global(node),
            "type_alias_statement" => self.visit_type_alias(node),
            "block" | "module" => self.visit_block(node),
            "pass_statement" | "break_statement" | "continue_statement" | "comment" | "ERROR" => {}
            _ => self.visit_children(node),
        }
        self.leave();
    }

    fn in_class_or_module(&self) -> bool {
        matches!(
            self.scopes[self.current_scope()].kind,
            ScopeKind::Class | ScopeKind::Module
        )
    }

    /// Visits every named child as an expression or statement, in source order.
    fn visit_children(&mut self, node: Node<'t>) {
        let children = named_children(node);
        for child in children {
            self.visit_expr(child);
        }
    }

    fn visit_if(&mut self, node: Node<'t>) {
        self.conditional_depth += 1;
        let fork = node.id();
        let children = named_children(node);
        let condition = node.child_by_field_id(fields::condition());
        let consequence = node.child_by_field_id(fields::consequence());
        if let Some(condition) = condition {
            self.with_fork(fork, condition.id(), NO_GROUP, |this| {
                this.visit_expr(condition)
            });
        }
        if let Some(consequence) = consequence {
            self.visit_forked_block(fork, consequence, 0);
        }
        // `elif` clauses are nested `if` statements in the `else` branch of the previous one.
        let alternatives: Vec<Node<'t>> = children
            .into_iter()
            .filter(|child| matches!(child.kind(), "elif_clause" | "else_clause"))
            .collect();
        self.visit_if_alternatives(fork, &alternatives);
        self.conditional_depth -= 1;
    }

    fn visit_if_alternatives(&mut self, parent_fork: usize, alternatives: &[Node<'t>]) {
        let Some((&first, rest)) = alternatives.split_first() else {
            return;
        };
        if first.kind() == "else_clause" {
            if let Some(body) = first.child_by_field_id(fields::body()) {
                self.visit_forked_block(parent_fork, body, NO_GROUP);
            }
            return;
        }
        let fork = first.id();
        self.with_fork(parent_fork, fork, NO_GROUP, |this| {
            if let Some(condition) = first.child_by_field_id(fields::condition()) {
                this.with_fork(fork, condition.id(), NO_GROUP, |this| {
                    this.visit_expr(condition)
                });
            }
            if let Some(consequence) = first.child_by_field_id(fields::consequence()) {
                this.visit_forked_block(fork, consequence, 0);
            }
            this.visit_if_alternatives(fork, rest);
        });
    }

    /// Visits the statements of `block`, each a direct child of `fork` in group `group`.
    fn visit_forked_block(&mut self, fork: usize, block: Node<'t>, group: i32) {
        let statements = named_children(block);
        for statement in statements {
            self.with_fork(fork, statement.id(), group, |this| {
                this.visit_stmt(statement)
            });
        }
    }

    fn visit_for(&mut self, node: Node<'t>) {
        if let Some(iterable) = node.child_by_field_id(fields::right()) {
            self.visit_expr(iterable);
        }
        if let Some(target) = node.child_by_field_id(fields::left()) {
            self.visit_target(target, TargetContext::loop_target());
        }
        if let Some(body) = node.child_by_field_id(fields::body()) {
            self.visit_block(body);
        }
        if let Some(alternative) = node.child_by_field_id(fields::alternative())
            && let Some(body) = alternative.child_by_field_id(fields::body())
        {
            self.visit_block(body);
        }
    }

    fn visit_try(&mut self, node: Node<'t>) {
        let fork = node.id();
        let children = named_children(node);
        let mut handler_names = HandlerNames::default();
        for child in &children {
            if matches!(child.kind(), "except_clause" | "except_group_clause") {
                self.collect_handler_names(*child, &mut handler_names);
            }
        }
        // Handlers guard the body only; `else`, `finally` and the handlers themselves run
        // outside their protection.
        self.handlers.push(handler_names);
        if let Some(body) = node.child_by_field_id(fields::body()) {
            self.visit_forked_block(fork, body, 0);
        }
        self.handlers.pop();
        let mut handler_index = 0;
        for child in children {
            match child.kind() {
                "except_clause" | "except_group_clause" => {
                    handler_index += 1;
                    self.with_fork(fork, child.id(), handler_index, |this| {
                        this.visit_except_clause(child)
                    });
                }
                "else_clause" => {
                    if let Some(body) = child.child_by_field_id(fields::body()) {
                        self.visit_forked_block(fork, body, 0);
                    }
                }
                "finally_clause" => {
                    let blocks = named_children(child);
                    for block in blocks {
                        if block.kind() == "block" {
                            self.visit_forked_block(fork, block, NO_GROUP);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn collect_handler_names(&self, clause: Node<'t>, names: &mut HandlerNames) {
        let mut cursor = clause.walk();
        let values: Vec<Node<'t>> =
            fields::children(clause, fields::value_many(), &mut cursor).collect();
        if values.is_empty() {
            // A bare `except:` catches everything, an ImportError included (but pyflakes does
            // not let it excuse undefined names).
            names.catches_import_error = true;
        }
        for value in values {
            let mut caught = Vec::new();
            collect_exception_names(value, self.source, &mut caught);
            for name in caught {
                match name {
                    "NameError" => names.catches_name_error = true,
                    "ImportError" | "ModuleNotFoundError" | "Exception" | "BaseException" => {
                        names.catches_import_error = true
                    }
                    _ => {}
                }
            }
        }
    }

    fn visit_except_clause(&mut self, clause: Node<'t>) {
        // `except E as name` parses as an `as_pattern` (older grammars used an `alias` field).
        let children = named_children(clause);
        let mut alias = clause
            .child_by_field_id(fields::alias())
            .filter(|alias| alias.kind() == "identifier");
        let mut types = Vec::new();
        let mut blocks = Vec::new();
        for child in children {
            match child.kind() {
                "block" => blocks.push(child),
                "as_pattern" => {
                    if let Some(target) = child.child_by_field_id(fields::alias()) {
                        alias = alias.or_else(|| first_identifier(target));
                    }
                    if let Some(exception) = child.named_child(0) {
                        types.push(exception);
                    }
                }
                _ if Some(child.id()) == alias.map(|a| a.id()) => {}
                _ => types.push(child),
            }
        }
        let Some(alias) = alias else {
            for exception in types {
                self.visit_expr(exception);
            }
            for block in blocks {
                self.visit_block(block);
            }
            return;
        };
        let name = self.text(alias);
        let range = Self::range(alias);
        let current = self.current_scope();
        if self.scopes[current].bindings.contains_key(name) {
            self.handle_store(name, range, StoreKind::Assignment);
        }
        // The name is bound only inside the handler and unbound after it: hide any previous
        // binding while the handler runs, and restore it afterwards.
        let previous = self.scopes[current].bindings.remove(name);
        self.handle_store(name, range, StoreKind::Assignment);
        for exception in types {
            self.visit_expr(exception);
        }
        for block in blocks {
            self.visit_block(block);
        }
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

    fn visit_with(&mut self, node: Node<'t>) {
        let children = named_children(node);
        for child in children {
            match child.kind() {
                "with_clause" => {
                    let items = named_children(child);
                    for item in items {
                        self.visit_with_item(item);
                    }
                }
                "block" => self.visit_block(child),
                _ => self.visit_expr(child),
            }
        }
    }

    fn visit_with_item(&mut self, item: Node<'t>) {
        let Some(value) = item.child_by_field_id(fields::value()) else {
            self.visit_children(item);
            return;
        };
        if value.kind() != "as_pattern" {
            self.visit_expr(value);
            return;
        }
        let children = named_children(value);
        let alias = value.child_by_field_id(fields::alias());
        for child in children {
            if Some(child.id()) != alias.map(|a| a.id()) {
                self.visit_expr(child);
            }
        }
        if let Some(alias) = alias {
            let targets = named_children(alias);
            for target in targets {
                self.visit_target(target, TargetContext::assignment(false));
            }
        }
    }

    fn visit_match(&mut self, node: Node<'t>) {
        let fork = node.id();
        let mut cursor = node.walk();
        let subjects: Vec<Node<'t>> =
            fields::children(node, fields::subject_many(), &mut cursor).collect();
        for subject in subjects {
            self.visit_expr(subject);
        }
        let Some(body) = node.child_by_field_id(fields::body()) else {
            return;
        };
        let cases = named_children(body);
        let mut case_index = 0;
        for case in cases {
            if case.kind() != "case_clause" {
                continue;
            }
            case_index += 1;
            let parts = named_children(case);
            for part in parts {
                match part.kind() {
                    "block" => {
                        let statements = named_children(part);
                        self.with_fork(fork, case.id(), case_index, |this| {
                            for statement in statements {
                                this.visit_stmt(statement);
                            }
                        });
                    }
                    "if_clause" => {
                        self.with_fork(fork, case.id(), NO_GROUP, |this| this.visit_children(part))
                    }
                    _ => self.with_fork(fork, case.id(), NO_GROUP, |this| this.visit_pattern(part)),
                }
            }
        }
    }

    /// Match patterns: bare names capture (bind), dotted names are values (load).
    fn visit_pattern(&mut self, node: Node<'t>) {
        if !self.enter(node) {
            return;
        }
        match node.kind() {
            "dotted_name" => {
                let parts = named_children(node);
                if let [single] = parts.as_slice() {
                    let name = self.text(*single);
                    if name != "_" {
                        self.handle_store(name, Self::range(*single), StoreKind::Assignment);
                    }
                } else if let Some(first) = parts.first() {
                    self.handle_load(self.text(*first), Self::range(*first));
                }
            }
            "splat_pattern" => {
                let names = named_children(node);
                for name_node in names {
                    let name = self.text(name_node);
                    if name_node.kind() == "identifier" && name != "_" {
                        self.handle_store(name, Self::range(name_node), StoreKind::Assignment);
                    }
                }
            }
            "as_pattern" => {
                // `pattern as name`: the name is the last child (a field in some grammars).
                let mut cursor = node.walk();
                let mut children: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
                let alias = match node.child_by_field_id(fields::alias()) {
                    Some(alias) => {
                        children.retain(|child| child.id() != alias.id());
                        first_identifier(alias)
                    }
                    None if children.len() > 1 => children.pop(),
                    None => None,
                };
                for child in children {
                    self.visit_pattern(child);
                }
                if let Some(alias) = alias.filter(|alias| alias.kind() == "identifier") {
                    let name = self.text(alias);
                    self.handle_store(name, Self::range(alias), StoreKind::Assignment);
                }
            }
            "class_pattern" => {
                let children = named_children(node);
                for (index, child) in children.into_iter().enumerate() {
                    if index == 0 && child.kind() == "dotted_name" {
                        // The class is a value, even when it is a single name.
                        if let Some(first) = child.named_child(0) {
                            self.handle_load(self.text(first), Self::range(first));
                        }
                    } else {
                        self.visit_pattern(child);
                    }
                }
            }
            "keyword_pattern" => {
                // `attr=pattern`: the attribute name is not a binding.
                let children = named_children(node);
                for child in children.into_iter().skip(1) {
                    self.visit_pattern(child);
                }
            }
            "dict_pattern" => {
                let mut cursor = node.walk();
                let keys: Vec<usize> = fields::children(node, fields::key_many(), &mut cursor)
                    .map(|key| key.id())
                    .collect();
                let children = named_children(node);
                for child in children {
                    if keys.contains(&child.id()) && child.kind() == "dotted_name" {
                        if let Some(first) = child.named_child(0) {
                            self.handle_load(self.text(first), Self::range(first));
                        }
                    } else {
                        self.visit_pattern(child);
                    }
                }
            }
            "string" | "concatenated_string" => self.visit_expr(node),
            _ => {
                let children = named_children(node);
                for child in children {
                    self.visit_pattern(child);
                }
            }
        }
        self.leave();
    }

    fn visit_global(&mut self, node: Node<'t>) {
        let module = self.module_scope();
        let current = self.current_scope();
        if current == module {
            return;
        }
        let names = named_children(node);
        let forks = self.forks();
        for name_node in names {
            if name_node.kind() != "identifier" {
                continue;
            }
            let name = self.text(name_node);
            let mut binding = Binding::new(
                name,
                BindingKind::Assignment,
                Self::range(name_node),
                forks.clone(),
            );
            binding.used = Some((module, Self::range(node)));
            // A global declaration makes earlier "undefined" reports of the name wrong.
            self.reports
                .retain(|report| report.undefined.as_deref() != Some(name));
            let id = self.bindings.len();
            self.bindings.push(binding);
            self.scopes[module].bindings.entry(name).or_insert(id);
            for index in 1..self.stack.len() {
                let scope = self.stack[index];
                self.scopes[scope].bindings.insert(name, id);
            }
        }
    }

    fn visit_delete_target(&mut self, target: Node<'t>) {
        match target.kind() {
            "identifier" => self.handle_delete(self.text(target), Self::range(target)),
            "expression_list"
            | "tuple"
            | "list"
            | "parenthesized_expression"
            | "pattern_list"
            | "tuple_pattern"
            | "list_pattern" => {
                let children = named_children(target);
                for child in children {
                    self.visit_delete_target(child);
                }
            }
            _ => self.visit_expr(target),
        }
    }

    fn visit_type_alias(&mut self, node: Node<'t>) {
        let Some(left) = node.child_by_field_id(fields::left()) else {
            return;
        };
        let name_node = first_identifier(left);
        if let Some(value) = node.child_by_field_id(fields::right()) {
            self.defer(DeferredWork::Annotation(value));
        }
        if let Some(name_node) = name_node {
            self.handle_store(
                self.text(name_node),
                Self::range(name_node),
                StoreKind::Assignment,
            );
        }
    }

    // ----- imports --------------------------------------------------------------------------

    fn optional_import(&self) -> bool {
        self.handlers.iter().any(|h| h.catches_import_error)
    }

    fn visit_import(&mut self, node: Node<'t>) {
        let mut cursor = node.walk();
        let names: Vec<Node<'t>> =
            fields::children(node, fields::name_many(), &mut cursor).collect();
        for name_node in names {
            let (dotted, alias) = match name_node.kind() {
                "aliased_import" => (
                    name_node.child_by_field_id(fields::name()),
                    name_node.child_by_field_id(fields::alias()),
                ),
                _ => (Some(name_node), None),
            };
            let Some(dotted) = dotted else { continue };
            let full_name = dotted_text(dotted, self.source);
            self.imports.push(ImportRequest {
                kind: ImportKind::Module,
                module: full_name.clone(),
                level: 0,
                range: Self::range(dotted),
                names: Vec::new(),
                optional: self.optional_import(),
            });
            let forks = self.forks();
            let binding = match alias {
                Some(alias) => {
                    let name = self.text(alias);
                    let mut binding = Binding::new(
                        name,
                        BindingKind::Importation,
                        Self::range(name_node),
                        forks,
                    );
                    binding.explicit_reexport = name == full_name;
                    binding.full_name = Some(full_name);
                    binding
                }
                None if full_name.contains('.') => {
                    let first = dotted.named_child(0).map_or("", |first| self.text(first));
                    let mut binding = Binding::new(
                        first,
                        BindingKind::SubmoduleImportation,
                        Self::range(name_node),
                        forks,
                    );
                    binding.full_name = Some(full_name);
                    binding
                }
                None => {
                    let name = self.text(dotted);
                    let mut binding = Binding::new(
                        name,
                        BindingKind::Importation,
                        Self::range(name_node),
                        forks,
                    );
                    binding.full_name = Some(full_name);
                    binding
                }
            };
            self.add_binding(binding, false);
        }
    }

    fn visit_import_from(&mut self, node: Node<'t>) {
        let Some(module_node) = node.child_by_field_id(fields::module_name()) else {
            return;
        };
        let (level, module) = match module_node.kind() {
            "relative_import" => {
                let mut level = 0;
                let mut module = String::new();
                let mut cursor = module_node.walk();
                for child in module_node.named_children(&mut cursor) {
                    match child.kind() {
                        "import_prefix" => level = self.text(child).matches('.').count() as u32,
                        "dotted_name" => module = dotted_text(child, self.source),
                        _ => {}
                    }
                }
                (level, module)
            }
            _ => (0, dotted_text(module_node, self.source)),
        };
        let qualified = format!("{}{}", ".".repeat(level as usize), module);
        let mut cursor = node.walk();
        let is_star = node
            .named_children(&mut cursor)
            .any(|child| child.kind() == "wildcard_import");
        let optional = self.optional_import();
        if is_star {
            self.imports.push(ImportRequest {
                kind: ImportKind::Star,
                module,
                level,
                range: Self::range(module_node),
                names: Vec::new(),
                optional,
            });
            let current = self.current_scope();
            if self.scopes[current].kind != ScopeKind::Module {
                // A syntax error in Python 3 that CPython reports; pyflakes has its own message.
                return;
            }
            self.scopes[current].import_starred = true;
            self.report(
                Rule::ImportStar,
                Self::range(node),
                format!("`from {qualified} import *` used; unable to detect undefined names"),
            );
            // Each star import needs a binding name no identifier can clash with (pyflakes uses
            // `module.*`): the statement's own text, which contains spaces, serves.
            let star_name: &'src str = self.text(node);
            let forks = self.forks();
            let mut binding = Binding::new(
                star_name,
                BindingKind::StarImportation,
                Self::range(node),
                forks,
            );
            binding.full_name = Some(qualified);
            self.add_binding(binding, false);
            return;
        }

        let mut cursor = node.walk();
        let names: Vec<Node<'t>> =
            fields::children(node, fields::name_many(), &mut cursor).collect();
        let mut imported = Vec::new();
        for name_node in names {
            let (real, alias) = match name_node.kind() {
                "aliased_import" => (
                    name_node.child_by_field_id(fields::name()),
                    name_node.child_by_field_id(fields::alias()),
                ),
                _ => (Some(name_node), None),
            };
            let Some(real) = real else { continue };
            let real_name = self.text(real);
            imported.push((real_name.to_string(), Self::range(real)));
            let bound = alias.map_or(real_name, |alias| self.text(alias));
            let full_name = if qualified.ends_with('.') {
                format!("{qualified}{real_name}")
            } else {
                format!("{qualified}.{real_name}")
            };
            let forks = self.forks();
            let mut binding = Binding::new(
                bound,
                BindingKind::ImportationFrom,
                Self::range(name_node),
                forks,
            );
            binding.explicit_reexport = alias.is_some() && bound == real_name;
            binding.full_name = Some(full_name);
            self.add_binding(binding, false);
        }
        self.imports.push(ImportRequest {
            kind: ImportKind::From,
            module,
            level,
            range: Self::range(module_node),
            names: imported,
            optional,
        });
    }

    fn visit_future_import(&mut self, node: Node<'t>) {
        let mut cursor = node.walk();
        let names: Vec<Node<'t>> =
            fields::children(node, fields::name_many(), &mut cursor).collect();
        let current = self.current_scope();
        for name_node in names {
            let (real, alias) = match name_node.kind() {
                "aliased_import" => (
                    name_node.child_by_field_id(fields::name()),
                    name_node.child_by_field_id(fields::alias()),
                ),
                _ => (Some(name_node), None),
            };
            let Some(real) = real else { continue };
            let real_name = self.text(real);
            if real_name == "annotations" {
                self.future_annotations = true;
            }
            let bound = alias.map_or(real_name, |alias| self.text(alias));
            let forks = self.forks();
            let mut binding = Binding::new(
                bound,
                BindingKind::FutureImportation,
                Self::range(name_node),
                forks,
            );
            binding.full_name = Some(format!("__future__.{real_name}"));
            binding.used = Some((current, Self::range(node)));
            self.add_binding(binding, false);
        }
    }

    // ----- definitions ----------------------------------------------------------------------

    fn visit_decorated(&mut self, node: Node<'t>) {
        let mut cursor = node.walk();
        let decorators: Vec<Node<'t>> = node
            .named_children(&mut cursor)
            .filter(|child| child.kind() == "decorator")
            .collect();
        let Some(definition) = node.child_by_field_id(fields::definition()) else {
            return;
        };
        match definition.kind() {
            "function_definition" => self.visit_function_def(definition, &decorators),
            "class_definition" => self.visit_class_def(definition, &decorators),
            _ => self.visit_children(node),
        }
    }

    fn visit_decorators(&mut self, decorators: &[Node<'t>]) {
        for decorator in decorators {
            self.visit_children(*decorator);
        }
    }

    fn visit_function_def(&mut self, node: Node<'t>, decorators: &[Node<'t>]) {
        let is_overload = decorators.iter().any(|decorator| {
            decorator
                .named_child(0)
                .is_some_and(|e| self.is_typing(e, "overload"))
        });
        self.visit_decorators(decorators);
        let type_scope = self.enter_type_params(node);
        // Annotations and defaults are evaluated where the function is defined.
        if let Some(parameters) = node.child_by_field_id(fields::parameters()) {
            self.visit_parameter_annotations(parameters);
        }
        if let Some(returns) = node.child_by_field_id(fields::return_type()) {
            self.handle_annotation(returns);
        }
        if let Some(parameters) = node.child_by_field_id(fields::parameters()) {
            self.visit_parameter_defaults(parameters);
        }
        self.defer(DeferredWork::Function(node));
        if let Some(scope) = type_scope {
            self.pop_scope(scope);
        }
        if let Some(name_node) = node.child_by_field_id(fields::name()) {
            let forks = self.forks();
            let mut binding = Binding::new(
                self.text(name_node),
                BindingKind::FunctionDefinition,
                Self::range(name_node),
                forks,
            );
            binding.is_overload = is_overload;
            self.add_binding(binding, false);
        }
    }

    fn visit_class_def(&mut self, node: Node<'t>, decorators: &[Node<'t>]) {
        self.visit_decorators(decorators);
        let type_scope = self.enter_type_params(node);
        if let Some(bases) = node.child_by_field_id(fields::superclasses()) {
            self.visit_arguments(bases);
        }
        let class_scope = self.push_scope(ScopeKind::Class);
        if let Some(body) = node.child_by_field_id(fields::body()) {
            self.visit_block(body);
        }
        self.pop_scope(class_scope);
        if let Some(scope) = type_scope {
            self.pop_scope(scope);
        }
        if let Some(name_node) = node.child_by_field_id(fields::name()) {
            let forks = self.forks();
            let binding = Binding::new(
                self.text(name_node),
                BindingKind::ClassDefinition,
                Self::range(name_node),
                forks,
            );
            self.add_binding(binding, false);
        }
    }

    /// PEP 695 type parameters get a scope of their own around the definition.
    fn enter_type_params(&mut self, node: Node<'t>) -> Option<ScopeId> {
        let params = node.child_by_field_id(fields::type_parameters())?;
        let scope = self.push_scope(ScopeKind::Type);
        let children = named_children(params);
        for param in children {
            let mut inner = param;
            // `T: bound`, `*Ts`, `**P` and plain `T` all start with the parameter's name.
            if inner.kind() == "type"
                && let Some(child) = inner.named_child(0)
            {
                inner = child;
            }
            match inner.kind() {
                "identifier" => {
                    self.handle_store(self.text(inner), Self::range(inner), StoreKind::Assignment);
                }
                "constrained_type" | "splat_type" | "generic_type" => {
                    if let Some(name_node) = first_identifier(inner) {
                        self.handle_store(
                            self.text(name_node),
                            Self::range(name_node),
                            StoreKind::Assignment,
                        );
                    }
                    let mut cursor = inner.walk();
                    let bounds: Vec<Node<'t>> = inner.named_children(&mut cursor).skip(1).collect();
                    for bound in bounds {
                        self.defer(DeferredWork::Annotation(bound));
                    }
                }
                _ => {}
            }
        }
        Some(scope)
    }

    fn visit_parameter_annotations(&mut self, parameters: Node<'t>) {
        let params = named_children(parameters);
        for param in params {
            if let Some(annotation) = param.child_by_field_id(fields::type_()) {
                self.handle_annotation(annotation);
            }
        }
    }

    fn visit_parameter_defaults(&mut self, parameters: Node<'t>) {
        let params = named_children(parameters);
        for param in params {
            if let Some(default) = param.child_by_field_id(fields::value()) {
                self.visit_expr(default);
            }
        }
    }

    /// Binds the parameters of a `def` or `lambda` in its (new) function scope.
    fn bind_parameters(&mut self, parameters: Node<'t>) {
        let params = named_children(parameters);
        for param in params {
            let name_node = match param.kind() {
                "identifier" => Some(param),
                "default_parameter" | "typed_default_parameter" => {
                    param.child_by_field_id(fields::name())
                }
                "typed_parameter" => param.named_child(0).and_then(|inner| match inner.kind() {
                    "identifier" => Some(inner),
                    _ => first_identifier(inner),
                }),
                "list_splat_pattern" | "dictionary_splat_pattern" => first_identifier(param),
                _ => None,
            };
            if let Some(name_node) = name_node.filter(|n| n.kind() == "identifier") {
                let forks = self.forks();
                let binding = Binding::new(
                    self.text(name_node),
                    BindingKind::Argument,
                    Self::range(name_node),
                    forks,
                );
                self.add_binding(binding, false);
            }
        }
    }

    fn run_function_body(&mut self, node: Node<'t>) {
        let scope = self.push_scope(ScopeKind::Function);
        if let Some(parameters) = node.child_by_field_id(fields::parameters()) {
            self.bind_parameters(parameters);
        }
        if let Some(body) = node.child_by_field_id(fields::body()) {
            if node.kind() == "lambda" {
                self.visit_expr(body);
            } else {
                self.visit_block(body);
            }
        }
        self.pop_scope(scope);
    }

    // ----- annotations ----------------------------------------------------------------------

    fn handle_annotation(&mut self, node: Node<'t>) {
        if self.future_annotations {
            self.defer(DeferredWork::Annotation(node));
        } else {
            let saved = std::mem::replace(&mut self.annotation, AnnotationState::Bare);
            self.visit_expr(node);
            self.annotation = saved;
        }
    }

    fn with_annotation<F: FnOnce(&mut Self)>(&mut self, state: AnnotationState, f: F) {
        let saved = std::mem::replace(&mut self.annotation, state);
        f(self);
        self.annotation = saved;
    }

    /// Parses the text of a string annotation and loads the names in it.
    fn handle_string_annotation(&mut self, node: Node<'t>) {
        let Some(value) = string_value(node, self.source) else {
            return;
        };
        let Some(offset) = value.offset else {
            return;
        };
        let text: &'src str = match value.value {
            std::borrow::Cow::Borrowed(text) => text,
            std::borrow::Cow::Owned(_) => return,
        };
        // Parse the annotation as a stand-alone expression. tree-sitter positions are relative
        // to the parsed text, shifted back by `offset` when names are read.
        let Some(tree) = parse_python(text, None) else {
            return;
        };
        let root = tree.root_node();
        if root.has_error() || root.named_child_count() != 1 {
            return;
        }
        let Some(statement) = root
            .named_child(0)
            .filter(|s| s.kind() == "expression_statement")
        else {
            return;
        };
        if statement.named_child_count() != 1 {
            return;
        }
        let mut names = Vec::new();
        collect_annotation_loads(statement, &mut names);
        let saved = std::mem::replace(&mut self.annotation, AnnotationState::String);
        for (start, end) in names {
            let name = &self.source[offset + start..offset + end];
            self.handle_load(name, TextRange::new(offset + start, offset + end));
        }
        self.annotation = saved;
        self.annotation_trees.push(tree);
    }

    // ----- typing helpers -------------------------------------------------------------------

    /// Finds the binding a name refers to, without marking it used.
    fn peek_binding(&self, name: &str) -> Option<&Binding<'src>> {
        self.stack
            .iter()
            .rev()
            .find_map(|&scope| self.scopes[scope].bindings.get(name))
            .map(|&id| &self.bindings[id])
    }

    /// Whether `node` is `typing.<member>` (through `from typing import member` or an import of
    /// the typing module), as pyflakes' `_is_typing`.
    fn is_typing(&self, node: Node<'_>, member: &str) -> bool {
        self.typing_member(node).as_deref() == Some(member)
    }

    /// The member's real name when `node` refers to a member of `typing`/`typing_extensions`,
    /// through any alias (`from typing import overload as ov`).
    fn typing_member(&self, node: Node<'_>) -> Option<String> {
        match node.kind() {
            "identifier" => {
                let binding = self.peek_binding(self.text(node))?;
                if binding.kind != BindingKind::ImportationFrom {
                    return None;
                }
                let full = binding.full_name.as_deref()?;
                let (module, member) = full.rsplit_once('.')?;
                TYPING_MODULES.contains(&module).then(|| member.to_string())
            }
            "attribute" => {
                let object = node.child_by_field_id(fields::object())?;
                let attribute = node.child_by_field_id(fields::attribute())?;
                if object.kind() != "identifier" {
                    return None;
                }
                let binding = self.peek_binding(self.text(object))?;
                if !binding.kind.is_importation() {
                    return None;
                }
                let full = binding.full_name.as_deref()?;
                TYPING_MODULES
                    .contains(&full)
                    .then(|| self.text(attribute).to_string())
            }
            _ => None,
        }
    }

    // ----- expressions ----------------------------------------------------------------------

    fn visit_expr(&mut self, node: Node<'t>) {
        if !self.enter(node) {
            return;
        }
        match node.kind() {
            "identifier" => self.handle_load(self.text(node), Self::range(node)),
            "attribute" => {
                if let Some(object) = node.child_by_field_id(fields::object()) {
                    self.visit_expr(object);
                }
            }
            "call" => self.visit_call(node),
            "subscript" => self.visit_subscript(node),
            "generic_type" => self.visit_generic_type(node),
            "string" => self.visit_string(node),
            "assignment" => self.visit_assignment(node),
            "augmented_assignment" => self.visit_augmented_assignment(node),
            "named_expression" => {
                if let Some(value) = node.child_by_field_id(fields::value()) {
                    self.visit_expr(value);
                }
                if let Some(name) = node.child_by_field_id(fields::name()) {
                    self.handle_store(self.text(name), Self::range(name), StoreKind::NamedExpr);
                }
            }
            "lambda" => {
                if let Some(parameters) = node.child_by_field_id(fields::parameters()) {
                    self.visit_parameter_defaults(parameters);
                }
                self.defer(DeferredWork::Function(node));
            }
            "list_comprehension"
            | "set_comprehension"
            | "dictionary_comprehension"
            | "generator_expression" => self.visit_comprehension(node),
            "conditional_expression" => {
                // Python evaluates the test first: `body if test else orelse`.
                self.conditional_depth += 1;
                let parts = named_children(node);
                for index in [1, 0, 2] {
                    if let Some(part) = parts.get(index) {
                        self.visit_expr(*part);
                    }
                }
                for part in parts.iter().skip(3) {
                    self.visit_expr(*part);
                }
                self.conditional_depth -= 1;
            }
            "keyword_argument" => {
                if let Some(value) = node.child_by_field_id(fields::value()) {
                    self.visit_expr(value);
                }
            }
            "yield" => {
                if !self.in_class_or_module() {
                    self.visit_children(node);
                }
            }
            "await" => {
                if !self.in_class_or_module() {
                    self.visit_children(node);
                }
            }
            "integer"
            | "float"
            | "true"
            | "false"
            | "none"
            | "ellipsis"
            | "comment"
            | "escape_sequence"
            | "string_content"
            | "ERROR"
            | "keyword_separator"
            | "positional_separator"
            | "import_prefix"
            | "type_conversion" => {}
            // Statements can appear where the grammar nests them (a statement after `;`).
            "expression_statement" | "block" | "pass_statement" => self.visit_stmt_inner(node),
            _ => self.visit_children(node),
        }
        self.leave();
    }

    fn visit_stmt_inner(&mut self, node: Node<'t>) {
        match node.kind() {
            "block" => self.visit_block(node),
            "pass_statement" => {}
            _ => self.visit_children(node),
        }
    }

    fn visit_string(&mut self, node: Node<'t>) {
        let mut cursor = node.walk();
        let interpolations: Vec<Node<'t>> = node
            .named_children(&mut cursor)
            .filter(|child| child.kind() == "interpolation")
            .collect();
        if interpolations.is_empty() {
            match self.annotation {
                AnnotationState::None => {}
                AnnotationState::String => self.handle_string_annotation(node),
                AnnotationState::Bare => self.defer(DeferredWork::StringAnnotation(node)),
            }
            return;
        }
        for interpolation in interpolations {
            let parts = named_children(interpolation);
            for part in parts {
                self.visit_expr(part);
            }
        }
    }

    fn visit_arguments(&mut self, arguments: Node<'t>) {
        let args = named_children(arguments);
        for arg in args {
            self.visit_expr(arg);
        }
    }

    fn visit_call(&mut self, node: Node<'t>) {
        self.visit_all_mutation(node);
        let Some(function) = node.child_by_field_id(fields::function()) else {
            self.visit_children(node);
            return;
        };
        let arguments = node.child_by_field_id(fields::arguments());
        if function.kind() == "identifier"
            && self.text(function) == "locals"
            && self.scopes[self.current_scope()].kind == ScopeKind::Function
        {
            let current = self.current_scope();
            self.scopes[current].uses_locals = true;
        }
        let member = self.typing_member(function);
        let Some(arguments) = arguments.filter(|a| a.kind() == "argument_list") else {
            self.visit_expr(function);
            if let Some(arguments) = arguments {
                self.visit_expr(arguments);
            }
            return;
        };
        let args = named_children(arguments);
        // Which positional arguments and keywords of typing helpers are type expressions.
        let (annotated_positions, annotated_keywords): (&[usize], &[&str]) = match member.as_deref()
        {
            Some("cast") => (&[0], &["typ"]),
            Some("assert_type") => (&[1], &[]),
            Some("TypeVar") => (&[1, 2, 3, 4, 5, 6, 7, 8], &["bound", "default"]),
            Some("NewType") => (&[1], &["tp"]),
            _ => (&[], &[]),
        };
        self.with_annotation(AnnotationState::None, |this| this.visit_expr(function));
        if member.is_none() || annotated_positions.is_empty() && annotated_keywords.is_empty() {
            for arg in args {
                self.visit_expr(arg);
            }
            return;
        }
        let mut position = 0;
        for arg in args {
            let annotated = if arg.kind() == "keyword_argument" {
                arg.child_by_field_id(fields::name())
                    .is_some_and(|name| annotated_keywords.contains(&self.text(name)))
            } else {
                let annotated = annotated_positions.contains(&position);
                position += 1;
                annotated
            };
            let state = if annotated {
                AnnotationState::Bare
            } else {
                AnnotationState::None
            };
            self.with_annotation(state, |this| this.visit_expr(arg));
        }
    }

    fn visit_subscript(&mut self, node: Node<'t>) {
        let Some(value) = node.child_by_field_id(fields::value()) else {
            self.visit_children(node);
            return;
        };
        let mut cursor = node.walk();
        let slices: Vec<Node<'t>> =
            fields::children(node, fields::subscript_many(), &mut cursor).collect();
        self.visit_subscript_parts(value, slices);
    }

    /// `Name[args]` in a type context parses as `generic_type`: the same as a subscript.
    fn visit_generic_type(&mut self, node: Node<'t>) {
        let children = named_children(node);
        let Some((&value, rest)) = children.split_first() else {
            return;
        };
        let mut slices = Vec::new();
        for parameter in rest {
            if parameter.kind() == "type_parameter" {
                let mut cursor = parameter.walk();
                slices.extend(parameter.named_children(&mut cursor));
            } else {
                slices.push(*parameter);
            }
        }
        // Several arguments form one tuple in Python's AST; `Annotated` looks at its elements.
        self.visit_subscript_parts(value, slices);
    }

    fn visit_subscript_parts(&mut self, value: Node<'t>, slices: Vec<Node<'t>>) {
        let value_name = match value.kind() {
            "identifier" => Some(self.text(value)),
            "attribute" => value
                .child_by_field_id(fields::attribute())
                .map(|attribute| self.text(attribute)),
            _ => None,
        };
        self.visit_expr(value);
        match value_name {
            Some("Literal") => {
                self.with_annotation(AnnotationState::None, |this| {
                    for slice in slices {
                        this.visit_expr(slice);
                    }
                });
            }
            Some("Annotated") => {
                // Only the first argument of `Annotated[T, metadata...]` is a type.
                let elements: Vec<Node<'t>> = match slices.as_slice() {
                    [single] if matches!(single.kind(), "tuple" | "expression_list") => {
                        let mut cursor = single.walk();
                        single.named_children(&mut cursor).collect()
                    }
                    _ => slices,
                };
                for (index, element) in elements.into_iter().enumerate() {
                    if index == 0 {
                        self.visit_expr(element);
                    } else {
                        self.with_annotation(AnnotationState::None, |this| {
                            this.visit_expr(element)
                        });
                    }
                }
            }
            _ => {
                if self.typing_member(value).is_some() && self.annotation == AnnotationState::None {
                    self.with_annotation(AnnotationState::Bare, |this| {
                        for slice in slices {
                            this.visit_expr(slice);
                        }
                    });
                } else {
                    for slice in slices {
                        self.visit_expr(slice);
                    }
                }
            }
        }
    }

    fn visit_comprehension(&mut self, node: Node<'t>) {
        let children = named_children(node);
        let body = node.child_by_field_id(fields::body());
        let clauses: Vec<Node<'t>> = children
            .into_iter()
            .filter(|child| matches!(child.kind(), "for_in_clause" | "if_clause"))
            .collect();
        // The first iterable is evaluated in the enclosing scope.
        let first_iterable = clauses
            .first()
            .filter(|clause| clause.kind() == "for_in_clause")
            .map(|clause| for_in_iterables(*clause));
        if let Some(iterables) = &first_iterable {
            for iterable in iterables {
                self.visit_expr(*iterable);
            }
        }
        let kind = if node.kind() == "generator_expression" {
            ScopeKind::Generator
        } else {
            ScopeKind::Comprehension
        };
        let scope = self.push_scope(kind);
        for (index, clause) in clauses.iter().enumerate() {
            if clause.kind() == "if_clause" {
                self.visit_children(*clause);
                continue;
            }
            if index > 0 {
                for iterable in for_in_iterables(*clause) {
                    self.visit_expr(iterable);
                }
            }
            if let Some(target) = clause.child_by_field_id(fields::left()) {
                self.visit_target(target, TargetContext::loop_target());
            }
        }
        if let Some(body) = body {
            self.visit_expr(body);
        }
        self.pop_scope(scope);
    }

    // ----- assignments ----------------------------------------------------------------------

    fn visit_assignment(&mut self, node: Node<'t>) {
        let left = node.child_by_field_id(fields::left());
        let right = node.child_by_field_id(fields::right());
        if let Some(annotation) = node.child_by_field_id(fields::type_()) {
            // An annotated assignment: annotation, then value, then target.
            self.handle_annotation(annotation);
            if let Some(right) = right {
                let is_type_alias = annotation
                    .named_child(0)
                    .is_some_and(|inner| self.is_typing(inner, "TypeAlias"));
                if is_type_alias {
                    self.with_annotation(AnnotationState::Bare, |this| this.visit_expr(right));
                } else {
                    self.visit_expr(right);
                }
            }
            if let Some(left) = left {
                let context = if right.is_none() {
                    TargetContext::annotation_only()
                } else {
                    TargetContext::assignment(false)
                };
                self.visit_assignment_target(left, context, right);
            }
            return;
        }
        // `a = b = value` nests in tree-sitter; Python evaluates the value first, then assigns
        // the targets left to right.
        let mut targets = Vec::new();
        let mut value = right;
        if let Some(left) = left {
            targets.push(left);
        }
        while let Some(inner) = value
            .filter(|v| v.kind() == "assignment" && v.child_by_field_id(fields::type_()).is_none())
        {
            if let Some(left) = inner.child_by_field_id(fields::left()) {
                targets.push(left);
            }
            value = inner.child_by_field_id(fields::right());
        }
        if let Some(value) = value {
            self.visit_expr(value);
        }
        let literal = value.is_some_and(has_elements) && targets.iter().all(|t| has_elements(*t));
        for target in targets {
            self.visit_assignment_target(target, TargetContext::assignment(literal), value);
        }
    }

    /// A direct assignment target; `__all__` at module scope becomes the export list.
    fn visit_assignment_target(
        &mut self,
        target: Node<'t>,
        context: TargetContext,
        value: Option<Node<'t>>,
    ) {
        if target.kind() == "identifier"
            && self.text(target) == "__all__"
            && self.current_scope() == self.module_scope()
        {
            let mut names = Vec::new();
            if let Some(value) = value {
                self.collect_export_names(value, &mut names);
            }
            self.bind_export(target, names, false);
            return;
        }
        self.visit_target(target, context);
    }

    fn bind_export(&mut self, target: Node<'t>, names: Vec<(String, TextRange)>, extend: bool) {
        let module = self.module_scope();
        let mut all_names = Vec::new();
        if extend
            && let Some(&previous) = self.scopes[module].bindings.get("__all__")
            && self.bindings[previous].kind == BindingKind::Export
        {
            all_names = self.bindings[previous].export_names.clone();
        }
        all_names.extend(names);
        let name = self.text(target);
        self.check_undefined_local(name);
        let forks = self.forks();
        let mut binding = Binding::new(name, BindingKind::Export, Self::range(target), forks);
        binding.export_names = all_names;
        self.add_binding(binding, false);
    }

    /// String literals of `[...]`, `(...)` and their concatenation with `+`.
    fn collect_export_names(&self, value: Node<'t>, names: &mut Vec<(String, TextRange)>) {
        match value.kind() {
            "list" | "tuple" | "expression_list" | "parenthesized_expression" => {
                let mut cursor = value.walk();
                for element in value.named_children(&mut cursor) {
                    if element.kind() == "string" {
                        if let Some(text) = string_value(element, self.source) {
                            names.push((text.value.into_owned(), Self::range(element)));
                        }
                    } else if value.kind() == "parenthesized_expression" {
                        self.collect_export_names(element, names);
                    }
                }
            }
            "binary_operator" => {
                let is_plus = value
                    .child_by_field_id(fields::operator())
                    .is_some_and(|op| op.kind() == "+");
                if is_plus {
                    if let Some(left) = value.child_by_field_id(fields::left()) {
                        self.collect_export_names(left, names);
                    }
                    if let Some(right) = value.child_by_field_id(fields::right()) {
                        self.collect_export_names(right, names);
                    }
                }
            }
            _ => {}
        }
    }

    fn visit_augmented_assignment(&mut self, node: Node<'t>) {
        let Some(target) = node.child_by_field_id(fields::left()) else {
            self.visit_children(node);
            return;
        };
        let value = node.child_by_field_id(fields::right());
        if target.kind() == "identifier" {
            self.handle_load(self.text(target), Self::range(target));
        }
        if let Some(value) = value {
            self.visit_expr(value);
        }
        if target.kind() == "identifier" {
            let name = self.text(target);
            if name == "__all__" && self.current_scope() == self.module_scope() {
                let mut names = Vec::new();
                if let Some(value) = value {
                    self.collect_export_names(value, &mut names);
                }
                self.bind_export(target, names, true);
            } else {
                self.handle_store(name, Self::range(target), StoreKind::Assignment);
            }
        } else {
            self.visit_expr(target);
        }
    }

    /// `__all__.extend([...])`, `__all__.append("x")` and `__all__.remove("x")` at module scope
    /// update the export list, as ruff understands them.
    fn visit_all_mutation(&mut self, call: Node<'t>) -> bool {
        let Some(function) = call.child_by_field_id(fields::function()) else {
            return false;
        };
        if function.kind() != "attribute" || self.current_scope() != self.module_scope() {
            return false;
        }
        let (Some(object), Some(method)) = (
            function.child_by_field_id(fields::object()),
            function.child_by_field_id(fields::attribute()),
        ) else {
            return false;
        };
        if object.kind() != "identifier" || self.text(object) != "__all__" {
            return false;
        }
        let module = self.module_scope();
        let Some(&binding) = self.scopes[module].bindings.get("__all__") else {
            return false;
        };
        if self.bindings[binding].kind != BindingKind::Export {
            return false;
        }
        let Some(arguments) = call.child_by_field_id(fields::arguments()) else {
            return false;
        };
        let mut names = Vec::new();
        let args = named_children(arguments);
        match (self.text(method), args.as_slice()) {
            ("extend", [list]) => self.collect_export_names(*list, &mut names),
            ("append", [string]) if string.kind() == "string" => {
                if let Some(text) = string_value(*string, self.source) {
                    names.push((text.value.into_owned(), Self::range(*string)));
                }
            }
            ("remove", [string]) if string.kind() == "string" => {
                if let Some(text) = string_value(*string, self.source) {
                    self.bindings[binding]
                        .export_names
                        .retain(|(name, _)| *name != text.value);
                }
                return true;
            }
            _ => return false,
        }
        self.bindings[binding].export_names.extend(names);
        true
    }

    /// A store target: names bind, attributes and subscripts load their parts.
    fn visit_target(&mut self, target: Node<'t>, context: TargetContext) {
        if !self.enter(target) {
            return;
        }
        match target.kind() {
            "identifier" => {
                let kind = if context.annotation_only {
                    StoreKind::Annotation
                } else if context.in_unpacking && !context.literal {
                    StoreKind::Plain
                } else {
                    context.kind
                };
                let name = self.text(target);
                let range = Self::range(target);
                if context.is_loop {
                    self.check_undefined_local(name);
                    let forks = self.forks();
                    let binding = Binding::new(name, BindingKind::Plain, range, forks);
                    self.add_binding(binding, true);
                } else {
                    self.handle_store(name, range, kind);
                }
            }
            "pattern_list" | "tuple_pattern" | "list_pattern" | "tuple" | "list"
            | "expression_list" => {
                let children = named_children(target);
                let inner = TargetContext {
                    in_unpacking: true,
                    ..context
                };
                for child in children {
                    self.visit_target(child, inner);
                }
            }
            "list_splat_pattern" | "list_splat" | "parenthesized_expression" => {
                let children = named_children(target);
                let inner = TargetContext {
                    in_unpacking: context.in_unpacking
                        || target.kind() != "parenthesized_expression",
                    ..context
                };
                for child in children {
                    self.visit_target(child, inner);
                }
            }
            _ => self.visit_expr(target),
        }
        self.leave();
    }
}

/// How the names of one target bind.
#[derive(Debug, Clone, Copy)]
struct TargetContext {
    kind: StoreKind,
    in_unpacking: bool,
    /// `a, b = 1, 2`: unpacking a literal counts as plain assignments (pyflakes).
    literal: bool,
    annotation_only: bool,
    is_loop: bool,
}

impl TargetContext {
    fn assignment(literal: bool) -> Self {
        Self {
            kind: StoreKind::Assignment,
            in_unpacking: false,
            literal,
            annotation_only: false,
            is_loop: false,
        }
    }

    fn annotation_only() -> Self {
        Self {
            annotation_only: true,
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
}

/// The named children of `node`, collected so the walk can recurse while iterating them.
fn named_children<'tree>(node: Node<'tree>) -> Vec<Node<'tree>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

fn has_elements(node: Node<'_>) -> bool {
    matches!(
        node.kind(),
        "tuple" | "list" | "pattern_list" | "tuple_pattern" | "list_pattern" | "expression_list"
    )
}

fn dotted_text(node: Node<'_>, source: &str) -> String {
    let mut cursor = node.walk();
    let parts: Vec<&str> = node
        .named_children(&mut cursor)
        .filter(|child| child.kind() == "identifier")
        .filter_map(|child| source.get(child.start_byte()..child.end_byte()))
        .collect();
    if parts.is_empty() {
        source
            .get(node.start_byte()..node.end_byte())
            .unwrap_or("")
            .to_string()
    } else {
        parts.join(".")
    }
}

fn first_identifier(node: Node<'_>) -> Option<Node<'_>> {
    if node.kind() == "identifier" {
        return Some(node);
    }
    let children = named_children(node);
    children.into_iter().find_map(first_identifier)
}

/// The iterables of a `for ... in a, b` clause (usually one).
fn for_in_iterables(clause: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = clause.walk();
    fields::children(clause, fields::right_many(), &mut cursor)
        .filter(|node| node.is_named())
        .collect()
}

/// Simple names of the exception classes an `except` clause names.
fn collect_exception_names<'s>(node: Node<'_>, source: &'s str, out: &mut Vec<&'s str>) {
    match node.kind() {
        "identifier" => {
            if let Some(name) = source.get(node.start_byte()..node.end_byte()) {
                out.push(name);
            }
        }
        "tuple" | "parenthesized_expression" | "expression_list" => {
            let children = named_children(node);
            for child in children {
                collect_exception_names(child, source, out);
            }
        }
        "as_pattern" => {
            if let Some(first) = node.named_child(0) {
                collect_exception_names(first, source, out);
            }
        }
        _ => {}
    }
}

/// The byte ranges of the names a string annotation loads (no assignments can occur in an
/// expression statement without `:=`, which annotations do not use).
fn collect_annotation_loads(node: Node<'_>, out: &mut Vec<(usize, usize)>) {
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "identifier" => out.push((node.start_byte(), node.end_byte())),
            "attribute" => {
                if let Some(object) = node.child_by_field_id(fields::object()) {
                    stack.push(object);
                }
            }
            "keyword_argument" => {
                if let Some(value) = node.child_by_field_id(fields::value()) {
                    stack.push(value);
                }
            }
            "string" => {}
            _ => {
                let children = named_children(node);
                stack.extend(children.into_iter().rev());
            }
        }
    }
    out.sort_unstable();
}

impl<'src, 't> Checker<'src, 't>
where
    'src: 't,
{
    /// pyflakes' `checkDeadScopes`: unused locals, unused imports and `__all__` checks.
    fn check_dead_scopes(&mut self) {
        let dead = std::mem::take(&mut self.dead_scopes);
        for scope_id in dead {
            let kind = self.scopes[scope_id].kind;
            if kind == ScopeKind::Class {
                // Names bound in a class body are attributes: never unused.
                continue;
            }
            let mut entries: Vec<(&'src str, BindingId)> = self.scopes[scope_id]
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
                        || (scope_id == self.module_scope() && is_builtin(name));
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
                let line = self.line_number(range);
                self.report(
                    Rule::UnusedImport,
                    range,
                    format!("`{imported}` imported but unused"),
                );
                for redefinition in redefined {
                    self.report(
                        Rule::RedefinedWhileUnused,
                        redefinition,
                        format!("redefinition of unused `{name}` from line {line}"),
                    );
                }
            }
        }
    }

    fn module_exports(&self) -> ModuleExports {
        let Some(module) = self.scopes.first() else {
            return ModuleExports::default();
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
        let has_getattr = module.bindings.contains_key("__getattr__");
        let star_imports = self
            .imports
            .iter()
            .filter(|import| import.kind == ImportKind::Star)
            .map(|import| (import.module.clone(), import.level))
            .collect();
        ModuleExports {
            names,
            has_getattr,
            star_imports,
            incomplete: false,
        }
    }
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

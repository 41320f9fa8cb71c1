//! The walk over a module's syntax tree (ruff's Python AST). It follows pyflakes' checker:
//! bindings are added as statements are met, function bodies (and postponed annotations) are
//! deferred until the module has been walked, and unused names are reported when a scope is
//! finished. What names mean is the binding model's (`model.rs`); this walk tells it what it
//! meets, with the context it needs. Expressions are walked in `expressions.rs`.
//!
//! Written by hand: no maintained crate binds Python names with pyflakes' semantics. The walk
//! recurses, but never deeper than `MAX_NESTING` (the file is reported as too deeply nested
//! instead), and runs on threads with large stacks.

use std::collections::VecDeque;

use ripple_core::{LineIndex, TextRange};
use ruff_python_ast::{self as ast, ExceptHandler, Expr, Pattern, Stmt};

use super::analysis::{ImportKind, ImportRequest};
use super::fork::{ForkEntry, ForkPath, NO_GROUP};
use super::helpers::{collect_loaded_names, node_id, range_of};
use super::model::BindingModel;
use super::scope::{Binding, BindingId, BindingKind, ScopeId, ScopeKind};
use crate::rules::Rule;

/// Deepest nesting of syntax the walk follows. CPython itself refuses far shallower code (200
/// nested parentheses, 100 indentation levels); the margin is for long operator chains.
pub const MAX_NESTING: u32 = 3_000;

pub(super) const TYPING_MODULES: &[&str] = &["typing", "typing_extensions"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AnnotationState {
    None,
    /// Inside a string annotation: always postponed.
    String,
    /// Inside an annotation expression.
    Bare,
}

/// How a name store binds, decided by the statement it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StoreKind {
    /// Unpacking, `for` and comprehension targets: never reported unused.
    Plain,
    Assignment,
    NamedExpr,
    Annotation,
}

/// How the names of one assignment target bind.
#[derive(Debug, Clone, Copy)]
pub(super) struct TargetContext {
    pub kind: StoreKind,
    pub in_unpacking: bool,
    /// `a, b = 1, 2`: unpacking a literal counts as plain assignments (pyflakes).
    pub literal: bool,
    pub is_loop: bool,
}

impl TargetContext {
    pub(super) fn assignment(literal: bool) -> Self {
        Self {
            kind: StoreKind::Assignment,
            in_unpacking: false,
            literal,
            is_loop: false,
        }
    }

    pub(super) fn annotation_only() -> Self {
        Self {
            kind: StoreKind::Annotation,
            ..Self::assignment(false)
        }
    }

    pub(super) fn loop_target() -> Self {
        Self {
            kind: StoreKind::Plain,
            is_loop: true,
            ..Self::assignment(false)
        }
    }

    pub(super) fn comprehension_target() -> Self {
        Self {
            kind: StoreKind::Plain,
            in_unpacking: true,
            ..Self::assignment(false)
        }
    }
}

/// The except handlers of the enclosing `try` bodies, as far as names go.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct HandlerNames {
    catches_name_error: bool,
    catches_import_error: bool,
}

/// Where the walk was when something was deferred, restored when it runs.
pub(super) struct SavedContext {
    stack: Vec<ScopeId>,
    forks: ForkPath,
    conditional_depth: u32,
}

pub(super) enum DeferredWork<'a> {
    Function(&'a ast::StmtFunctionDef),
    Lambda(&'a ast::ExprLambda),
    /// An annotation under `from __future__ import annotations` (or in a stub).
    Annotation(&'a Expr),
    /// A string literal used as an annotation.
    StringAnnotation(&'a ast::ExprStringLiteral),
}

pub(super) struct Checker<'a> {
    pub source: &'a str,
    /// Scopes, bindings and the findings about names.
    pub model: BindingModel<'a>,
    deferred: VecDeque<(DeferredWork<'a>, SavedContext)>,
    handlers: Vec<HandlerNames>,
    pub annotation: AnnotationState,
    pub future_annotations: bool,
    forks: ForkPath,
    pub conditional_depth: u32,
    depth: u32,
    pub too_deep: Option<TextRange>,
    pub imports: Vec<ImportRequest>,
    /// Import statements spanning several lines, for statement-wide `# noqa`.
    pub multiline_imports: Vec<TextRange>,
    /// The statement being walked sits directly in a `for` body: pyflakes reports a rebinding
    /// of an import there as "shadowed by loop variable", not as a redefinition.
    statement_in_for: bool,
    next_statement_in_for: bool,
    pub is_stub: bool,
}

impl<'a> Checker<'a> {
    pub(super) fn new(source: &'a str, lines: &'a LineIndex, is_package_init: bool) -> Self {
        Self {
            source,
            model: BindingModel::new(source.len(), lines, is_package_init),
            deferred: VecDeque::new(),
            handlers: vec![HandlerNames::default()],
            annotation: AnnotationState::None,
            future_annotations: false,
            forks: ForkPath::default(),
            conditional_depth: 0,
            depth: 0,
            too_deep: None,
            imports: Vec::new(),
            multiline_imports: Vec::new(),
            statement_in_for: false,
            next_statement_in_for: false,
            is_stub: false,
        }
    }

    pub(super) fn run(&mut self, body: &'a [Stmt]) {
        let module = self.model.push_scope(ScopeKind::Module);
        self.visit_body(body);
        self.run_deferred();
        self.model.pop_scope(module);
        self.model.check_dead_scopes();
    }

    /// The modules of the file's star imports, as `Exports::reexported_from` keeps them.
    pub(super) fn star_import_sources(&self) -> Vec<String> {
        self.imports
            .iter()
            .filter(|import| import.kind == ImportKind::Star)
            .map(|import| star_import_source(import.level, &import.module))
            .collect()
    }

    pub(super) fn in_postponed_annotation(&self) -> bool {
        self.annotation == AnnotationState::String
            || (self.annotation == AnnotationState::Bare && self.future_annotations)
    }

    // ----- forks ----------------------------------------------------------------------------

    pub(super) fn forks(&self) -> ForkPath {
        self.forks.clone()
    }

    pub(super) fn with_fork<F: FnOnce(&mut Self)>(
        &mut self,
        fork: usize,
        child: usize,
        group: i32,
        f: F,
    ) {
        self.forks = self.forks.push(ForkEntry { fork, child, group });
        f(self);
        self.forks = self.forks.parent();
    }

    /// Visits `body`, each statement a direct child of `fork` in group `group`.
    pub(super) fn visit_forked_body(&mut self, fork: usize, body: &'a [Stmt], group: i32) {
        for statement in body {
            self.with_fork(fork, node_id(statement), group, |this| {
                this.visit_stmt(statement)
            });
        }
    }

    /// Inside a `try` whose handlers catch `ImportError`: a missing module is expected.
    pub(super) fn optional_import(&self) -> bool {
        self.handlers.iter().any(|h| h.catches_import_error)
    }

    // ----- telling the binding model --------------------------------------------------------

    pub(super) fn add_binding(&mut self, binding: Binding<'a>, is_loop_target: bool) -> BindingId {
        self.model
            .add_binding(binding, is_loop_target, self.statement_in_for)
    }

    pub(super) fn handle_load(&mut self, name: &str, range: TextRange) {
        let postponed = self.in_postponed_annotation();
        let excused = self.handlers.last().is_some_and(|h| h.catches_name_error);
        self.model.handle_load(name, range, postponed, excused);
    }

    pub(super) fn handle_delete(&mut self, name: &str, range: TextRange) {
        let conditional = self.conditional_depth > 0;
        self.model.handle_delete(name, range, conditional);
    }

    /// Adds a plain binding of `kind` at the current position.
    pub(super) fn bind(&mut self, name: &'a str, kind: BindingKind, range: TextRange) -> BindingId {
        let forks = self.forks();
        self.add_binding(Binding::new(name, kind, range, forks), false)
    }

    /// pyflakes' `handleNodeStore`, with the binding kind decided by the caller.
    pub(super) fn handle_store(
        &mut self,
        name: &'a str,
        range: TextRange,
        kind: StoreKind,
    ) -> BindingId {
        self.model.check_undefined_local(name);
        let binding_kind = match kind {
            StoreKind::Plain => BindingKind::Plain,
            StoreKind::Assignment => BindingKind::Assignment,
            StoreKind::NamedExpr => BindingKind::NamedExprAssignment,
            StoreKind::Annotation => BindingKind::Annotation,
        };
        self.bind(name, binding_kind, range)
    }

    // ----- deferral -------------------------------------------------------------------------

    pub(super) fn defer(&mut self, work: DeferredWork<'a>) {
        let context = SavedContext {
            stack: self.model.stack.clone(),
            forks: self.forks(),
            conditional_depth: self.conditional_depth,
        };
        self.deferred.push_back((work, context));
    }

    pub(super) fn run_deferred(&mut self) {
        let original_stack = self.model.stack.clone();
        while let Some((work, context)) = self.deferred.pop_front() {
            self.model.stack = context.stack;
            self.forks = context.forks;
            self.conditional_depth = context.conditional_depth;
            // pyflakes runs deferred code outside any `try`: enclosing handlers do not apply.
            self.handlers = vec![HandlerNames::default()];
            match work {
                DeferredWork::Function(function) => {
                    let scope = self.model.push_scope(ScopeKind::Function);
                    self.bind_parameters(&function.parameters);
                    self.visit_body(&function.body);
                    self.model.pop_scope(scope);
                }
                DeferredWork::Lambda(lambda) => {
                    let scope = self.model.push_scope(ScopeKind::Function);
                    if let Some(parameters) = &lambda.parameters {
                        self.bind_parameters(parameters);
                    }
                    self.visit_expr(&lambda.body);
                    self.model.pop_scope(scope);
                }
                DeferredWork::Annotation(expr) => {
                    self.with_annotation(AnnotationState::Bare, |this| this.visit_expr(expr));
                }
                DeferredWork::StringAnnotation(string) => self.handle_string_annotation(string),
            }
        }
        self.model.stack = original_stack;
        self.forks = ForkPath::default();
        self.conditional_depth = 0;
    }

    // ----- statements -----------------------------------------------------------------------

    pub(super) fn enter(&mut self, range: TextRange) -> bool {
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

    pub(super) fn leave(&mut self) {
        self.depth -= 1;
    }

    pub(super) fn visit_body(&mut self, body: &'a [Stmt]) {
        for statement in body {
            self.visit_stmt(statement);
        }
    }

    pub(super) fn visit_stmt(&mut self, stmt: &'a Stmt) {
        let in_for = std::mem::take(&mut self.next_statement_in_for);
        let saved_in_for = std::mem::replace(&mut self.statement_in_for, in_for);
        self.visit_stmt_inner(stmt);
        self.statement_in_for = saved_in_for;
    }

    pub(super) fn visit_stmt_inner(&mut self, stmt: &'a Stmt) {
        if !self.enter(range_of(stmt)) {
            return;
        }
        match stmt {
            Stmt::FunctionDef(function) => self.visit_function_def(function),
            Stmt::ClassDef(class) => self.visit_class_def(class),
            Stmt::Return(ast::StmtReturn { value, .. }) => {
                if !self.model.in_class_or_module()
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

    pub(super) fn visit_if(&mut self, statement: &'a ast::StmtIf) {
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

    pub(super) fn visit_if_alternatives(
        &mut self,
        parent_fork: usize,
        clauses: &'a [ast::ElifElseClause],
    ) {
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

    pub(super) fn visit_try(&mut self, statement: &'a ast::StmtTry) {
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

    pub(super) fn visit_except_handler(&mut self, handler: &'a ast::ExceptHandlerExceptHandler) {
        let Some(alias) = &handler.name else {
            if let Some(exception) = &handler.type_ {
                self.visit_expr(exception);
            }
            self.visit_body(&handler.body);
            return;
        };
        let name = alias.id.as_str();
        let range = range_of(alias);
        let current = self.model.current_scope();
        if self.model.scopes[current].bindings.contains_key(name) {
            self.handle_store(name, range, StoreKind::Assignment);
        }
        // The name is bound only inside the handler and unbound after it: hide any previous
        // binding while the handler runs, and restore it afterwards.
        let previous = self.model.scopes[current].bindings.remove(name);
        self.handle_store(name, range, StoreKind::Assignment);
        if let Some(exception) = &handler.type_ {
            self.visit_expr(exception);
        }
        self.visit_body(&handler.body);
        if let Some(binding) = self.model.scopes[current].bindings.remove(name)
            && self.model.bindings[binding].used.is_none()
        {
            self.model.report(
                Rule::UnusedVariable,
                range,
                format!("local variable `{name}` is assigned to but never used"),
            );
        }
        if let Some(previous) = previous {
            self.model.scopes[current].bindings.insert(name, previous);
        }
    }

    pub(super) fn visit_match(&mut self, statement: &'a ast::StmtMatch) {
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
    pub(super) fn visit_pattern(&mut self, pattern: &'a Pattern) {
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

    pub(super) fn visit_global(&mut self, names: &'a [ast::Identifier], statement: TextRange) {
        if self.model.current_scope() == self.model.module_scope() {
            return;
        }
        for identifier in names {
            let forks = self.forks();
            self.model.declare_global(
                identifier.id.as_str(),
                range_of(identifier),
                statement,
                forks,
            );
        }
    }

    pub(super) fn visit_delete_target(&mut self, target: &'a Expr) {
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

    pub(super) fn visit_type_alias(&mut self, alias: &'a ast::StmtTypeAlias) {
        let type_scope = self.enter_type_params(alias.type_params.as_deref());
        self.defer(DeferredWork::Annotation(&alias.value));
        if let Some(scope) = type_scope {
            self.model.pop_scope(scope);
        }
        if let Expr::Name(name) = &*alias.name {
            self.handle_store(name.id.as_str(), range_of(name), StoreKind::Assignment);
        }
    }

    // ----- annotations ----------------------------------------------------------------------

    pub(super) fn handle_annotation(&mut self, annotation: &'a Expr) {
        if self.future_annotations {
            self.defer(DeferredWork::Annotation(annotation));
        } else {
            self.with_annotation(AnnotationState::Bare, |this| this.visit_expr(annotation));
        }
    }

    pub(super) fn with_annotation<F: FnOnce(&mut Self)>(&mut self, state: AnnotationState, f: F) {
        let saved = std::mem::replace(&mut self.annotation, state);
        f(self);
        self.annotation = saved;
    }

    /// Parses the text of a string annotation and loads the names in it, and in the strings it
    /// holds in turn (`"list['Item']"`).
    pub(super) fn handle_string_annotation(&mut self, string: &'a ast::ExprStringLiteral) {
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

    /// Whether `expr` is `typing.<member>`, through any import of it (pyflakes' `_is_typing`).
    pub(super) fn is_typing(&self, expr: &Expr, member: &str) -> bool {
        self.typing_member(expr).as_deref() == Some(member)
    }

    /// The member's real name when `expr` refers to a member of `typing`/`typing_extensions`,
    /// through any alias (`from typing import overload as ov`).
    pub(super) fn typing_member(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Name(name) => {
                let binding = self.model.peek_binding(name.id.as_str())?;
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
                let binding = self.model.peek_binding(object.id.as_str())?;
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

/// A star import's module as `Exports::reexported_from` keeps it: with a relative import's
/// leading dots (`..m` for `from ..m import *`).
fn star_import_source(level: u32, module: &str) -> String {
    let mut source = ".".repeat(level as usize);
    source.push_str(module);
    source
}

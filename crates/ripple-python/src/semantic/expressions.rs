//! The walk over expressions: loads, calls (and the typing helpers whose arguments are types),
//! subscripts, comprehensions, assignments and their targets.

use ripple_core::TextRange;
use ruff_python_ast::{self as ast, Arguments, Comprehension, Expr, ExprContext};

use super::checker::{AnnotationState, Checker, DeferredWork, StoreKind, TargetContext};
use super::helpers::{collect_export_names, has_elements, range_of};
use super::scope::{Binding, BindingKind, ScopeKind};

impl<'a> Checker<'a> {
    // ----- expressions ----------------------------------------------------------------------

    pub(super) fn visit_expr(&mut self, expr: &'a Expr) {
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
                if !self.model.in_class_or_module()
                    && let Some(value) = value
                {
                    self.visit_expr(value);
                }
            }
            Expr::YieldFrom(ast::ExprYieldFrom { value, .. })
            | Expr::Await(ast::ExprAwait { value, .. }) => {
                if !self.model.in_class_or_module() {
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

    pub(super) fn visit_interpolated_element(
        &mut self,
        element: &'a ast::InterpolatedStringElement,
    ) {
        if let ast::InterpolatedStringElement::Interpolation(interpolation) = element {
            self.visit_expr(&interpolation.expression);
            if let Some(spec) = &interpolation.format_spec {
                for element in &spec.elements {
                    self.visit_interpolated_element(element);
                }
            }
        }
    }

    pub(super) fn visit_arguments(&mut self, arguments: &'a Arguments) {
        for argument in &arguments.args {
            self.visit_expr(argument);
        }
        for keyword in &arguments.keywords {
            self.visit_expr(&keyword.value);
        }
    }

    pub(super) fn visit_call(&mut self, call: &'a ast::ExprCall) {
        self.visit_all_mutation(call);
        if let Expr::Name(function) = &*call.func
            && function.id.as_str() == "locals"
        {
            let current = self.model.current_scope();
            if self.model.scopes[current].kind == ScopeKind::Function {
                self.model.scopes[current].uses_locals = true;
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

    pub(super) fn visit_subscript(&mut self, subscript: &'a ast::ExprSubscript) {
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

    pub(super) fn visit_comprehension(
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
        let scope = self.model.push_scope(kind);
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
        self.model.pop_scope(scope);
    }

    // ----- assignments ----------------------------------------------------------------------

    pub(super) fn visit_assign(&mut self, assign: &'a ast::StmtAssign) {
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

    pub(super) fn visit_ann_assign(&mut self, assign: &'a ast::StmtAnnAssign) {
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

    pub(super) fn visit_aug_assign(&mut self, assign: &'a ast::StmtAugAssign) {
        if let Expr::Name(name) = &*assign.target {
            self.handle_load(name.id.as_str(), range_of(name));
        }
        self.visit_expr(&assign.value);
        match &*assign.target {
            Expr::Name(name) => {
                let text = name.id.as_str();
                if text == "__all__" && self.model.current_scope() == self.model.module_scope() {
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
    pub(super) fn visit_assignment_target(
        &mut self,
        target: &'a Expr,
        context: TargetContext,
        value: Option<&'a Expr>,
    ) {
        if let Expr::Name(name) = target
            && name.id.as_str() == "__all__"
            && self.model.current_scope() == self.model.module_scope()
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

    pub(super) fn bind_export(
        &mut self,
        target: &'a ast::ExprName,
        names: Vec<(String, TextRange)>,
        extend: bool,
    ) {
        let module = self.model.module_scope();
        let mut all_names = Vec::new();
        if extend
            && let Some(&previous) = self.model.scopes[module].bindings.get("__all__")
            && self.model.bindings[previous].kind == BindingKind::Export
        {
            all_names = self.model.bindings[previous].export_names.clone();
        }
        all_names.extend(names);
        let name = target.id.as_str();
        self.model.check_undefined_local(name);
        let forks = self.forks();
        let mut binding = Binding::new(name, BindingKind::Export, range_of(target), forks);
        binding.export_names = all_names;
        self.add_binding(binding, false);
    }

    /// `__all__.extend([...])`, `__all__.append("x")` and `__all__.remove("x")` at module scope
    /// update the export list, as ruff understands them.
    pub(super) fn visit_all_mutation(&mut self, call: &'a ast::ExprCall) {
        let Expr::Attribute(attribute) = &*call.func else {
            return;
        };
        let Expr::Name(object) = &*attribute.value else {
            return;
        };
        if object.id.as_str() != "__all__"
            || self.model.current_scope() != self.model.module_scope()
        {
            return;
        }
        let module = self.model.module_scope();
        let Some(&binding) = self.model.scopes[module].bindings.get("__all__") else {
            return;
        };
        if self.model.bindings[binding].kind != BindingKind::Export
            || !call.arguments.keywords.is_empty()
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
                    self.model.bindings[binding]
                        .export_names
                        .retain(|(name, _)| name != removed);
                }
                return;
            }
            _ => return,
        }
        self.model.bindings[binding].export_names.extend(names);
    }

    /// A store target: names bind, attributes and subscripts load their parts.
    pub(super) fn visit_target(&mut self, target: &'a Expr, context: TargetContext) {
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
                    self.model.check_undefined_local(text);
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

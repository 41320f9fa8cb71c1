//! The walk over statements that bind by definition: imports (recording what the file imports)
//! and `def`, `class` and type parameters.

use ripple_core::TextRange;
use ruff_python_ast::{self as ast, Parameters, TypeParam};

use super::analysis::{ImportKind, ImportRequest};
use super::checker::{Checker, DeferredWork, StoreKind};
use super::helpers::{parameter_list, range_of};
use super::scope::{Binding, BindingKind, ScopeId, ScopeKind};
use crate::rules::Rule;

impl<'a> Checker<'a> {
    // ----- imports --------------------------------------------------------------------------

    pub(super) fn note_multiline(&mut self, range: TextRange) {
        let text = self
            .source
            .get(range.start as usize..range.end as usize)
            .unwrap_or("");
        if text.contains(['\n', '\r']) {
            self.multiline_imports.push(range);
        }
    }

    pub(super) fn visit_import(&mut self, import: &'a ast::StmtImport) {
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

    pub(super) fn visit_import_from(&mut self, import: &'a ast::StmtImportFrom) {
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
            let current = self.model.current_scope();
            if self.model.scopes[current].kind != ScopeKind::Module {
                // A syntax error in Python 3 (a star import in a function).
                return;
            }
            self.model.scopes[current].import_starred = true;
            self.model.report(
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

    pub(super) fn visit_future_import(&mut self, import: &'a ast::StmtImportFrom) {
        let current = self.model.current_scope();
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

    pub(super) fn visit_function_def(&mut self, function: &'a ast::StmtFunctionDef) {
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
            self.model.pop_scope(scope);
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

    pub(super) fn visit_class_def(&mut self, class: &'a ast::StmtClassDef) {
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
        let class_scope = self.model.push_scope(ScopeKind::Class);
        self.visit_body(&class.body);
        self.model.pop_scope(class_scope);
        if let Some(scope) = type_scope {
            self.model.pop_scope(scope);
        }
        self.bind(
            class.name.id.as_str(),
            BindingKind::ClassDefinition,
            range_of(&class.name),
        );
    }

    /// PEP 695 type parameters get a scope of their own around the definition.
    pub(super) fn enter_type_params(
        &mut self,
        params: Option<&'a ast::TypeParams>,
    ) -> Option<ScopeId> {
        let params = params?;
        let scope = self.model.push_scope(ScopeKind::Type);
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

    pub(super) fn visit_parameter_defaults(&mut self, parameters: &'a Parameters) {
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
    pub(super) fn bind_parameters(&mut self, parameters: &'a Parameters) {
        for parameter in parameter_list(parameters) {
            self.bind(
                parameter.name.id.as_str(),
                BindingKind::Argument,
                range_of(&parameter.name),
            );
        }
    }
}

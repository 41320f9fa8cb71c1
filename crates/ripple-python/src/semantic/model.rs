//! The binding model: scopes, the bindings in them, and the findings that follow from names
//! alone (redefinitions, undefined and unused names, `__all__`), with pyflakes' semantics. The
//! visitor (`checker.rs`) walks the tree and tells the model what it meets, with the context
//! the model needs; the model never walks the tree itself.

use ripple_core::{Exports, LineIndex, TextRange};

use super::fork::{ForkPath, different_forks};
use super::scope::{Binding, BindingId, BindingKind, Scope, ScopeId, ScopeKind};
use crate::builtins::builtin_name;
use crate::rules::Rule;

/// Names the Python runtime defines in a class body.
const CLASS_SCOPE_MAGIC: &[&str] = &["__module__", "__qualname__"];

/// Names pyflakes never reports as unused locals.
const ALWAYS_USED_LOCALS: &[&str] = &[
    "__tracebackhide__",
    "__traceback_info__",
    "__traceback_supplement__",
    "__debuggerskip__",
];

/// A finding, before it becomes a diagnostic.
pub(super) struct Report {
    pub rule: Rule,
    pub range: TextRange,
    pub message: String,
    /// For undefined names: the name, so a later `global` declaration can withdraw the report.
    pub undefined: Option<String>,
}

pub(super) struct BindingModel<'a> {
    lines: &'a LineIndex,
    is_package_init: bool,
    pub scopes: Vec<Scope<'a>>,
    pub bindings: Vec<Binding<'a>>,
    /// The scopes the walk is in, innermost last.
    pub stack: Vec<ScopeId>,
    /// Scopes the walk has left, to report on once the file is walked.
    dead_scopes: Vec<ScopeId>,
    pub reports: Vec<Report>,
}

impl<'a> BindingModel<'a> {
    pub(super) fn new(source_len: usize, lines: &'a LineIndex, is_package_init: bool) -> Self {
        Self {
            lines,
            is_package_init,
            scopes: Vec::new(),
            // Real code has a binding per 140 bytes or so (27k files of the benchmark corpus):
            // sized up front, the vector of these large records is not copied as it grows.
            bindings: Vec::with_capacity(source_len / 100 + 16),
            stack: Vec::new(),
            dead_scopes: Vec::new(),
            reports: Vec::new(),
        }
    }

    pub(super) fn line_number(&self, range: TextRange) -> u32 {
        self.lines.line_of(range.start) + 1
    }

    pub(super) fn report(&mut self, rule: Rule, range: TextRange, message: String) {
        self.reports.push(Report {
            rule,
            range,
            message,
            undefined: None,
        });
    }

    // ----- scopes ---------------------------------------------------------------------------

    pub(super) fn push_scope(&mut self, kind: ScopeKind) -> ScopeId {
        let id = self.scopes.len();
        self.scopes.push(Scope::new(kind));
        self.stack.push(id);
        id
    }

    pub(super) fn pop_scope(&mut self, id: ScopeId) {
        let popped = self.stack.pop();
        debug_assert_eq!(popped, Some(id));
        self.dead_scopes.push(id);
    }

    pub(super) fn current_scope(&self) -> ScopeId {
        self.stack.last().copied().unwrap_or(0)
    }

    pub(super) fn module_scope(&self) -> ScopeId {
        0
    }

    pub(super) fn in_class_or_module(&self) -> bool {
        matches!(
            self.scopes[self.current_scope()].kind,
            ScopeKind::Class | ScopeKind::Module
        )
    }

    /// Looks `name` up in one scope. The module scope holds the builtins too, created on first
    /// use so that their "used" state is tracked as pyflakes does.
    pub(super) fn lookup(&mut self, scope: ScopeId, name: &str) -> Option<BindingId> {
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

    /// pyflakes' `addBinding`: reports redefinitions and installs the binding.
    /// `is_loop_target` is a `for` target; `statement_in_for` says the statement binding it
    /// sits directly in a `for` body (pyflakes then calls a rebound import "shadowed by loop
    /// variable", not a redefinition).
    pub(super) fn add_binding(
        &mut self,
        binding: Binding<'a>,
        is_loop_target: bool,
        statement_in_for: bool,
    ) -> BindingId {
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
                    || (statement_in_for
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

    /// pyflakes' `handleNodeLoad`. `postponed` is a load in an annotation evaluated later (a
    /// string, or under `from __future__ import annotations`); `excused` a load under a `try`
    /// that catches `NameError`, which is not reported undefined.
    pub(super) fn handle_load(
        &mut self,
        name: &str,
        range: TextRange,
        postponed: bool,
        excused: bool,
    ) {
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
                if self.bindings[id].kind == BindingKind::Annotation && !postponed {
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
        if !excused {
            self.reports.push(Report {
                rule: Rule::UndefinedName,
                range,
                message: format!("undefined name `{name}`"),
                undefined: Some(name.to_string()),
            });
        }
    }

    /// A name about to become local to a function was already read in that function from an
    /// enclosing scope: the read raises `UnboundLocalError`.
    pub(super) fn check_undefined_local(&mut self, name: &str) {
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

    /// `del name`; `conditional` is a deletion in a branch that may not run.
    pub(super) fn handle_delete(&mut self, name: &str, range: TextRange, conditional: bool) {
        if conditional {
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

    /// `global name` or `nonlocal name` in a function: the name is bound at module scope and in
    /// every enclosing scope, and earlier "undefined" reports of it are withdrawn.
    pub(super) fn declare_global(
        &mut self,
        name: &'a str,
        range: TextRange,
        statement: TextRange,
        forks: ForkPath,
    ) {
        let module = self.module_scope();
        let mut binding = Binding::new(name, BindingKind::Assignment, range, forks);
        binding.used = Some((module, statement));
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

    /// Finds the binding a name refers to, without marking it used.
    pub(super) fn peek_binding(&self, name: &str) -> Option<&Binding<'a>> {
        self.stack
            .iter()
            .rev()
            .find_map(|&scope| self.scopes[scope].bindings.get(name))
            .map(|&id| &self.bindings[id])
    }

    /// pyflakes' `checkDeadScopes`: unused locals, unused imports and `__all__` checks.
    pub(super) fn check_dead_scopes(&mut self) {
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

    /// What the module scope defines for importers; `reexported_from` are its star imports'
    /// modules.
    pub(super) fn module_exports(&self, reexported_from: Vec<String>) -> Exports {
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
        Exports {
            names,
            // A module `__getattr__` answers for any name.
            open: module.bindings.contains_key("__getattr__"),
            reexported_from,
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

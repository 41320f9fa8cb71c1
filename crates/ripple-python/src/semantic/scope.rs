//! Scopes and bindings, modelled on pyflakes' classes of the same names.

use ripple_core::TextRange;
use rustc_hash::FxHashMap;

use super::fork::ForkPath;

pub(crate) type ScopeId = usize;
pub(crate) type BindingId = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScopeKind {
    Module,
    Class,
    Function,
    /// A generator expression.
    Generator,
    /// A list, set or dict comprehension.
    Comprehension,
    /// PEP 695 type parameters.
    Type,
}

#[derive(Debug)]
pub(crate) struct Scope<'src> {
    pub kind: ScopeKind,
    pub bindings: FxHashMap<&'src str, BindingId>,
    pub import_starred: bool,
    pub uses_locals: bool,
}

impl Scope<'_> {
    pub fn new(kind: ScopeKind) -> Self {
        Self {
            kind,
            bindings: FxHashMap::default(),
            import_starred: false,
            uses_locals: false,
        }
    }

    pub fn is_function_like(&self) -> bool {
        matches!(self.kind, ScopeKind::Function)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BindingKind {
    Builtin,
    Argument,
    /// A name bound by unpacking, a `for` target, or a comprehension: never reported unused.
    Plain,
    Assignment,
    NamedExprAssignment,
    /// `x: int` with no value: declares, does not define.
    Annotation,
    FunctionDefinition,
    ClassDefinition,
    Importation,
    SubmoduleImportation,
    ImportationFrom,
    StarImportation,
    FutureImportation,
    Export,
}

impl BindingKind {
    pub fn is_importation(self) -> bool {
        matches!(
            self,
            BindingKind::Importation
                | BindingKind::SubmoduleImportation
                | BindingKind::ImportationFrom
                | BindingKind::StarImportation
                | BindingKind::FutureImportation
        )
    }

    pub fn is_definition(self) -> bool {
        self.is_importation()
            || matches!(
                self,
                BindingKind::Builtin
                    | BindingKind::FunctionDefinition
                    | BindingKind::ClassDefinition
            )
    }

    pub fn is_assignment(self) -> bool {
        matches!(
            self,
            BindingKind::Assignment | BindingKind::NamedExprAssignment
        )
    }
}

#[derive(Debug)]
pub(crate) struct Binding<'src> {
    pub name: &'src str,
    pub kind: BindingKind,
    /// Where findings about this binding are reported.
    pub range: TextRange,
    pub forks: ForkPath,
    /// The scope and position of the latest use.
    pub used: Option<(ScopeId, TextRange)>,
    /// Rebindings in nested scopes, reported if this import stays unused.
    pub redefined: Vec<TextRange>,
    /// For imports: the full dotted name (`os.path` for `import os.path`, `a.b` for
    /// `from a import b`), used in messages and to match submodule imports.
    pub full_name: Option<String>,
    /// `import a as a` / `from m import a as a`: an explicit re-export, never unused.
    pub explicit_reexport: bool,
    /// A function decorated with `typing.overload`.
    pub is_overload: bool,
    /// For `__all__`: the exported names with the range of each string.
    pub export_names: Vec<(String, TextRange)>,
}

impl<'src> Binding<'src> {
    pub fn new(name: &'src str, kind: BindingKind, range: TextRange, forks: ForkPath) -> Self {
        Self {
            name,
            kind,
            range,
            forks,
            used: None,
            redefined: Vec::new(),
            full_name: None,
            explicit_reexport: false,
            is_overload: false,
            export_names: Vec::new(),
        }
    }

    /// Whether this (new) binding redefines `other`, in pyflakes' sense.
    pub fn redefines(&self, other: &Binding<'_>) -> bool {
        match self.kind {
            BindingKind::Annotation => false,
            BindingKind::SubmoduleImportation if other.kind.is_importation() => {
                self.full_name == other.full_name
            }
            kind if kind.is_importation() => {
                if other.kind == BindingKind::SubmoduleImportation {
                    self.full_name == other.full_name
                } else {
                    other.kind.is_definition()
                }
            }
            BindingKind::FunctionDefinition | BindingKind::ClassDefinition => {
                other.kind.is_definition() || other.kind.is_assignment()
            }
            _ => other.kind.is_definition(),
        }
    }

    /// `import a.b as c` and `from m import x as y` have an alias; `import a`, `import a.b` and
    /// `from m import x` do not.
    pub fn has_alias(&self) -> bool {
        match &self.full_name {
            Some(full) => full.rsplit('.').next() != Some(self.name),
            None => false,
        }
    }
}

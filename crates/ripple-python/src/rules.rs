//! The rules ripple checks Python with. Each rule has a stable code, the ruff/pyflakes codes it
//! answers to, a default severity and the documentation users read (`ripple rules`, docs/rules.md).

use ripple_core::{RuleInfo, Severity};

macro_rules! rules {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = $code:literal, [$($alias:literal),*], $severity:ident;
    )*) => {
        /// Every rule ripple checks Python with.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Rule {
            $($(#[doc = $doc])* $variant,)*
        }

        /// The rules as the language boundary describes them, in `Rule` order.
        pub(crate) const RULES: &[RuleInfo] = &[$(
            RuleInfo {
                code: $code,
                aliases: &[$($alias),*],
                severity: Severity::$severity,
                documentation: concat!($($doc, "\n"),*),
            },
        )*];

        impl Rule {
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),*];
        }
    };
}

rules! {
    /// ## What it does
    /// Reports a file that Python cannot parse, and a file that cannot be decoded as UTF-8.
    ///
    /// ## Why is this bad?
    /// Python refuses to import the file. ripple checks nothing else in it until it parses, so
    /// that half-typed code does not bury the real problem under follow-on reports.
    ///
    /// ## Example
    /// ```python
    /// def f(:
    /// ```
    SyntaxError = "syntax-error", ["E999"], Error;

    /// ## What it does
    /// Reports a name that is bound in no enclosing scope and is not a builtin.
    ///
    /// ## Why is this bad?
    /// Evaluating the name raises `NameError` at run time, usually from a typo or a missing import.
    ///
    /// ## Example
    /// ```python
    /// def area(r):
    ///     return pi * r ** 2  # `pi` was never imported
    /// ```
    UndefinedName = "undefined-name", ["F821"], Error;

    /// ## What it does
    /// Reports a local variable read before its assignment in the same function, while a global
    /// of the same name exists.
    ///
    /// ## Why is this bad?
    /// Assigning anywhere in a function makes the name local to all of it, so the earlier read
    /// raises `UnboundLocalError` instead of reading the global.
    ///
    /// ## Example
    /// ```python
    /// count = 0
    /// def bump():
    ///     print(count)
    ///     count = 1
    /// ```
    UndefinedLocal = "undefined-local", ["F823"], Error;

    /// ## What it does
    /// Reports a name listed in `__all__` that the module does not define.
    ///
    /// ## Why is this bad?
    /// `from module import *` raises `AttributeError` for it.
    ///
    /// ## Example
    /// ```python
    /// __all__ = ["parse", "dump"]
    /// def parse(): ...
    /// ```
    UndefinedExport = "undefined-export", ["F822"], Error;

    /// ## What it does
    /// Reports an import whose name is never used. Names listed in `__all__` and explicit
    /// re-exports (`import x as x`, `from m import x as x`) count as used.
    ///
    /// ## Why is this bad?
    /// Unused imports slow start-up, can create import cycles and mislead readers.
    ///
    /// ## Example
    /// ```python
    /// import os
    /// print("hello")
    /// ```
    UnusedImport = "unused-import", ["F401"], Warning;

    /// ## What it does
    /// Reports a name rebound (by a `def`, `class` or import) before the previous binding, an
    /// import or definition, was ever used.
    ///
    /// ## Why is this bad?
    /// The first binding is dead: usually a copy-paste slip or a duplicate import.
    ///
    /// ## Example
    /// ```python
    /// def handler(): ...
    /// def handler(): ...
    /// ```
    RedefinedWhileUnused = "redefined-while-unused", ["F811"], Warning;

    /// ## What it does
    /// Reports a local variable that is assigned and never read (tuple unpacking excepted).
    ///
    /// ## Why is this bad?
    /// The assignment is dead code, or the value was meant to be used.
    ///
    /// ## Example
    /// ```python
    /// def f():
    ///     result = compute()
    ///     return None
    /// ```
    UnusedVariable = "unused-variable", ["F841"], Warning;

    /// ## What it does
    /// Reports `from module import *`, and each name that may come from such an import.
    ///
    /// ## Why is this bad?
    /// A star import hides which names a module defines, so undefined names cannot be detected.
    ///
    /// ## Example
    /// ```python
    /// from os.path import *
    /// join("a", "b")
    /// ```
    ImportStar = "import-star", ["F403", "F405"], Warning;

    /// ## What it does
    /// Reports an import of a module that exists nowhere on the search path: the workspace, its
    /// `src/` folder, `extra-paths`, the standard library and the configured interpreter's
    /// site-packages. Imports inside a `try` that catches `ImportError` are optional and exempt.
    ///
    /// ## Why is this bad?
    /// The import raises `ModuleNotFoundError`.
    ///
    /// ## Example
    /// ```python
    /// import reqeusts
    /// ```
    UnresolvedImport = "unresolved-import", [], Error;

    /// ## What it does
    /// Reports `from module import name` where `module` is part of the workspace and defines no
    /// `name` and has no submodule `name`. Modules defining `__getattr__`, or star-importing
    /// something that cannot be resolved, are exempt.
    ///
    /// ## Why is this bad?
    /// The import raises `ImportError`: this is the cross-file check a single-file linter cannot
    /// make, for instance after a rename in another file.
    ///
    /// ## Example
    /// ```python
    /// # shapes.py defines `Circle` only
    /// from shapes import Square
    /// ```
    MissingModuleMember = "missing-module-member", [], Error;
}

impl Rule {
    pub fn info(self) -> &'static RuleInfo {
        &RULES[self as usize]
    }

    /// The stable code shown in output and accepted in configuration.
    pub fn code(self) -> &'static str {
        self.info().code
    }

    pub fn severity(self) -> Severity {
        self.info().severity
    }

    /// Finds a rule by its code or by one of its aliases (case-insensitive for aliases).
    pub fn from_code(code: &str) -> Option<Rule> {
        Rule::ALL
            .iter()
            .copied()
            .find(|rule| rule.info().answers_to(code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_aliases_round_trip() {
        for rule in Rule::ALL {
            assert_eq!(Rule::from_code(rule.code()), Some(*rule));
            for alias in rule.info().aliases {
                assert_eq!(Rule::from_code(alias), Some(*rule));
            }
            assert!(rule.info().documentation.contains("## What it does"));
        }
        assert_eq!(Rule::from_code("f401"), Some(Rule::UnusedImport));
        assert_eq!(Rule::from_code("nope"), None);
        assert_eq!(Rule::SyntaxError.code(), ripple_core::SYNTAX_ERROR_CODE);
    }
}

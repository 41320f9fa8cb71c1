//! A language for this crate's unit tests: rules and settings only, files it never analyses.

use std::sync::Arc;

use ripple_core::{
    Db, Dependency, Diagnostic, Exports, Language, Languages, LineIndex, LoadContext, LoadProblem,
    RuleInfo, SettingInfo, SettingKind, Severity, SourceFile, Suppressions,
};

struct Unit;

const RULES: &[RuleInfo] = &[
    RuleInfo {
        code: "unused-import",
        aliases: &["X1"],
        severity: Severity::Warning,
        documentation: "",
    },
    RuleInfo {
        code: "undefined-name",
        aliases: &[],
        severity: Severity::Error,
        documentation: "",
    },
    RuleInfo {
        code: "unused-variable",
        aliases: &[],
        severity: Severity::Warning,
        documentation: "",
    },
];

impl Language for Unit {
    fn name(&self) -> &'static str {
        "unit"
    }
    fn extensions(&self) -> &'static [&'static str] {
        &["unit"]
    }
    fn rules(&self) -> &'static [RuleInfo] {
        RULES
    }
    fn settings(&self) -> &'static [SettingInfo] {
        &[
            SettingInfo {
                key: "interpreter",
                kind: SettingKind::String,
            },
            SettingInfo {
                key: "extra-paths",
                kind: SettingKind::Strings,
            },
        ]
    }
    fn load(&self, _: &dyn Db, _: &LoadContext<'_>) -> Vec<LoadProblem> {
        Vec::new()
    }
    fn diagnostics(&self, _: &dyn Db, _: SourceFile) -> Arc<[Diagnostic]> {
        Arc::from([])
    }
    fn suppressions(&self, _: &dyn Db, _: SourceFile) -> Arc<Suppressions> {
        Arc::default()
    }
    fn line_index(&self, _: &dyn Db, _: SourceFile) -> Arc<LineIndex> {
        Arc::new(LineIndex::new(""))
    }
    fn exports(&self, _: &dyn Db, _: SourceFile) -> Arc<Exports> {
        Arc::default()
    }
    fn dependencies(&self, _: &dyn Db, _: SourceFile) -> Arc<[Dependency]> {
        Arc::from([])
    }
}

pub(crate) fn test_languages() -> Languages {
    Languages::new(vec![Arc::new(Unit)])
}

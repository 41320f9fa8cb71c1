//! Which rules are reported, by code, for every language at once.

use std::sync::Arc;

use ripple_core::Languages;

/// Which rules are reported: `select` (all rules when absent) minus `ignore`, from the
/// configuration and then the command line. Problems that are not rules (an unreadable file, a
/// bad configuration) are always reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSelection {
    /// Every rule code the registered languages have.
    known: Arc<[&'static str]>,
    enabled: Vec<&'static str>,
}

impl RuleSelection {
    /// Every rule of `languages`.
    pub fn all(languages: &Languages) -> Self {
        let known: Arc<[&'static str]> = languages.rules().iter().map(|rule| rule.code).collect();
        Self {
            enabled: known.to_vec(),
            known,
        }
    }

    /// `select` (canonical codes; every rule when `None`) without `ignore`.
    pub fn new(languages: &Languages, select: Option<&[&'static str]>, ignore: &[&str]) -> Self {
        let all = Self::all(languages);
        let base: &[&'static str] = select.unwrap_or(&all.known);
        Self {
            enabled: base
                .iter()
                .copied()
                .filter(|code| !ignore.contains(code))
                .collect(),
            known: all.known,
        }
    }

    /// Narrows this selection further (the command line refining the configuration).
    pub fn refine(&self, select: Option<&[&'static str]>, ignore: &[&str]) -> Self {
        Self {
            enabled: self
                .enabled
                .iter()
                .copied()
                .filter(|code| select.is_none_or(|select| select.contains(code)))
                .filter(|code| !ignore.contains(code))
                .collect(),
            known: self.known.clone(),
        }
    }

    /// Whether a diagnostic with `code` is shown.
    pub fn allows(&self, code: &str) -> bool {
        self.enabled.contains(&code) || !self.known.contains(&code)
    }
}

/// Parses a rule code or alias into its canonical code, with an error message that lists the
/// valid codes.
pub fn parse_rule(languages: &Languages, code: &str) -> Result<&'static str, String> {
    let code = code.trim();
    languages.rule(code).map(|rule| rule.code).ok_or_else(|| {
        let known: Vec<&str> = languages.rules().iter().map(|rule| rule.code).collect();
        format!(
            "unknown rule code `{code}` (known: {}; other tools' codes such as ruff's F-codes are accepted too)",
            known.join(", ")
        )
    })
}

use ripple_python::{IO_ERROR_CODE, Rule};

/// Which rules are reported: `select` (all rules when absent) minus `ignore`, from the
/// configuration and then the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSelection {
    enabled: Vec<Rule>,
}

impl Default for RuleSelection {
    fn default() -> Self {
        Self {
            enabled: Rule::ALL.to_vec(),
        }
    }
}

impl RuleSelection {
    pub fn new(select: Option<&[Rule]>, ignore: &[Rule]) -> Self {
        let base = select.unwrap_or(Rule::ALL);
        Self {
            enabled: base
                .iter()
                .copied()
                .filter(|rule| !ignore.contains(rule))
                .collect(),
        }
    }

    /// Narrows this selection further (the command line refining the configuration).
    pub fn refine(&self, select: Option<&[Rule]>, ignore: &[Rule]) -> Self {
        let refined = Self::new(select, ignore);
        Self {
            enabled: self
                .enabled
                .iter()
                .copied()
                .filter(|rule| {
                    select.is_some_and(|s| s.contains(rule)) || refined.enabled.contains(rule)
                })
                .filter(|rule| !ignore.contains(rule))
                .collect(),
        }
    }

    /// Whether a diagnostic with `code` is shown. Problems that are not rules (an unreadable
    /// file, a bad configuration) are always shown.
    pub fn allows(&self, code: &str) -> bool {
        if code == IO_ERROR_CODE {
            return true;
        }
        match Rule::from_code(code) {
            Some(rule) => self.enabled.contains(&rule),
            None => true,
        }
    }
}

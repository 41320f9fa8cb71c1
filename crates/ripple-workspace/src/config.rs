//! `ripple.toml`, or `[tool.ripple]` in `pyproject.toml`. A broken file or a bad key is reported
//! as a problem on the config file and the defaults are used for what could not be read.

use std::path::{Path, PathBuf};

use ripple_core::{LanguageSettings, Languages, SettingKind, SettingValue};

use crate::selection::parse_rule;

/// Which files the server reports on; the command line checks what it is given either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DiagnosticMode {
    #[default]
    OpenFiles,
    Workspace,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// Globs excluded on top of `.gitignore` and the built-in exclusions.
    pub exclude: Vec<String>,
    /// Canonical rule codes; every rule when absent.
    pub select: Option<Vec<&'static str>>,
    pub ignore: Vec<&'static str>,
    pub diagnostic_mode: DiagnosticMode,
    /// Where results are kept between runs (relative to the root), instead of `.ripple_cache/`.
    pub cache_dir: Option<PathBuf>,
    /// The settings languages own (`python`, `extra-paths`), handed to them when the
    /// workspace is loaded.
    pub language: LanguageSettings,
}

/// The settings the workspace itself reads; languages add their own.
const WORKSPACE_SETTINGS: &[&str] = &[
    "exclude",
    "select",
    "ignore",
    "diagnostic-mode",
    "cache-dir",
    "tasks",
];

/// Something wrong in a config file, with the zero-based line it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub path: PathBuf,
    pub line: u32,
    pub message: String,
}

/// A loaded configuration and where it came from.
#[derive(Debug, Clone, Default)]
pub struct LoadedConfig {
    pub config: Config,
    pub source: Option<PathBuf>,
    pub problems: Vec<ConfigProblem>,
    /// The text of `source` as read: the task table (`[tasks.NAME]`) is read from it by the
    /// tasks crate, which needs the lines of its keys too.
    pub text: Option<std::sync::Arc<str>>,
    /// The zero-based line of each setting in `source`.
    key_lines: Vec<(String, u32)>,
}

impl LoadedConfig {
    /// The line `key` is set on in the configuration file, if it is.
    pub fn line_of(&self, key: &str) -> Option<u32> {
        self.key_lines
            .iter()
            .find(|(known, _)| known == key)
            .map(|(_, line)| *line)
    }
}

pub const CONFIG_FILE_NAMES: &[&str] = &["ripple.toml", "pyproject.toml"];

/// Reads the configuration of the workspace at `root`: `ripple.toml` first, else the
/// `[tool.ripple]` table of `pyproject.toml`, else defaults. Rule codes and the settings
/// languages own are those of `languages`.
pub fn load_config(root: &Path, languages: &Languages) -> LoadedConfig {
    let ripple_toml = root.join("ripple.toml");
    if ripple_toml.is_file() {
        return load_file(&ripple_toml, false, languages);
    }
    let pyproject = root.join("pyproject.toml");
    if pyproject.is_file() {
        return load_file(&pyproject, true, languages);
    }
    LoadedConfig::default()
}

/// What of a configuration file's text ripple reads: all of `ripple.toml`, the `[tool.ripple]`
/// table of `pyproject.toml` (`None`: the file is missing, or has no such table). Two texts
/// with the same settings compare equal however their comments, spacing and the rest of
/// `pyproject.toml` differ; a text that does not parse is compared as it is.
#[derive(Debug, PartialEq)]
pub enum Settings {
    Absent,
    Table(toml::Table),
    Unreadable(Vec<u8>),
}

impl Settings {
    pub fn of(text: Option<&[u8]>, is_pyproject: bool) -> Self {
        let Some(bytes) = text else {
            return Self::Absent;
        };
        let Some(table) = std::str::from_utf8(bytes)
            .ok()
            .and_then(|text| text.parse::<toml::Table>().ok())
        else {
            return Self::Unreadable(bytes.to_vec());
        };
        if !is_pyproject {
            return Self::Table(table);
        }
        match table.get("tool").and_then(|tool| tool.get("ripple")) {
            None => Self::Absent,
            Some(toml::Value::Table(settings)) => Self::Table(settings.clone()),
            Some(other) => Self::Unreadable(other.to_string().into_bytes()),
        }
    }
}

fn load_file(path: &Path, is_pyproject: bool, languages: &Languages) -> LoadedConfig {
    let mut loaded = LoadedConfig {
        source: Some(path.to_path_buf()),
        ..LoadedConfig::default()
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => {
            loaded.problems.push(ConfigProblem {
                path: path.to_path_buf(),
                line: 0,
                message: format!("cannot read the configuration: {error}; using defaults"),
            });
            return loaded;
        }
    };
    loaded.text = Some(text.as_str().into());
    let table: toml::Table = match text.parse() {
        Ok(table) => table,
        Err(error) => {
            let line = error
                .span()
                .map_or(0, |span| line_of_offset(&text, span.start));
            loaded.problems.push(ConfigProblem {
                path: path.to_path_buf(),
                line,
                message: format!(
                    "invalid TOML: {}; using defaults",
                    error.message().trim_end()
                ),
            });
            return loaded;
        }
    };
    let settings = if is_pyproject {
        match table
            .get("tool")
            .and_then(|tool| tool.as_table())
            .and_then(|tool| tool.get("ripple"))
        {
            Some(toml::Value::Table(settings)) => settings.clone(),
            Some(_) => {
                loaded.problems.push(ConfigProblem {
                    path: path.to_path_buf(),
                    line: line_of_key(&text, "ripple", 0),
                    message: "`tool.ripple` must be a table; using defaults".into(),
                });
                return loaded;
            }
            None => return LoadedConfig::default(),
        }
    } else {
        table
    };
    let first_line = if is_pyproject {
        text.lines()
            .position(|line| {
                let line = line.trim();
                line.starts_with("[tool.ripple") && !line.starts_with("[[")
            })
            .map_or(0, |line| line as u32)
    } else {
        0
    };
    let mut reader = SettingsReader {
        path,
        text: &text,
        first_line,
        languages,
        problems: &mut loaded.problems,
    };
    loaded.config = reader.read(&settings);
    loaded.key_lines = settings
        .keys()
        .map(|key| (key.clone(), line_of_key(&text, key, first_line)))
        .collect();
    loaded.problems.sort_by_key(|problem| problem.line);
    loaded
}

struct SettingsReader<'a> {
    path: &'a Path,
    text: &'a str,
    /// First line of ripple's settings (the `[tool.ripple]` header in pyproject.toml), so a
    /// problem is not pinned on another tool's key of the same name.
    first_line: u32,
    languages: &'a Languages,
    problems: &'a mut Vec<ConfigProblem>,
}

impl SettingsReader<'_> {
    fn problem(&mut self, key: &str, message: String) {
        self.problems.push(ConfigProblem {
            path: self.path.to_path_buf(),
            line: line_of_key(self.text, key, self.first_line),
            message,
        });
    }

    fn read(&mut self, settings: &toml::Table) -> Config {
        let mut config = Config::default();
        for (key, value) in settings {
            match key.as_str() {
                "exclude" => config.exclude = self.strings(key, value),
                "select" => {
                    // A list none of whose codes is valid selects nothing a user meant: keep the
                    // default (every rule) rather than switch everything off.
                    let rules = self.rules(key, value);
                    let had_codes = value.as_array().is_some_and(|items| !items.is_empty());
                    if !rules.is_empty() || !had_codes {
                        config.select = Some(rules);
                    }
                }
                "ignore" => config.ignore = self.rules(key, value),
                "diagnostic-mode" => match value.as_str() {
                    Some("open-files") => config.diagnostic_mode = DiagnosticMode::OpenFiles,
                    Some("workspace") => config.diagnostic_mode = DiagnosticMode::Workspace,
                    _ => self.problem(
                        key,
                        "`diagnostic-mode` must be \"open-files\" or \"workspace\"".into(),
                    ),
                },
                // Read and checked by the tasks crate (`ripple_tasks::read_tasks`), which knows
                // what a task is; the workspace only carries the text.
                "tasks" => {}
                "cache-dir" => match value.as_str() {
                    Some(dir) if !dir.trim().is_empty() => {
                        config.cache_dir = Some(PathBuf::from(dir));
                    }
                    _ => self.problem(key, "`cache-dir` must be a path".into()),
                },
                other => match self.languages.setting(other) {
                    Some(setting) => {
                        let value = match setting.kind {
                            SettingKind::String => match value.as_str() {
                                Some(text) => Some(SettingValue::String(text.to_string())),
                                None => {
                                    self.problem(key, format!("`{key}` must be a string"));
                                    None
                                }
                            },
                            SettingKind::Strings => {
                                Some(SettingValue::Strings(self.strings(key, value)))
                            }
                        };
                        if let Some(value) = value {
                            config.language.set(setting.key, value);
                        }
                    }
                    None => {
                        let mut known: Vec<&str> = WORKSPACE_SETTINGS.to_vec();
                        known.extend(self.languages.setting_keys());
                        self.problem(
                            other,
                            format!(
                                "unknown setting `{other}` (known: {}); ignored",
                                known.join(", ")
                            ),
                        );
                    }
                },
            }
        }
        config
    }

    fn strings(&mut self, key: &str, value: &toml::Value) -> Vec<String> {
        let Some(items) = value.as_array() else {
            self.problem(key, format!("`{key}` must be a list of strings; ignored"));
            return Vec::new();
        };
        let mut strings = Vec::new();
        for item in items {
            match item.as_str() {
                Some(text) => strings.push(text.to_string()),
                None => self.problem(
                    key,
                    format!("`{key}` must hold strings only; {item} ignored"),
                ),
            }
        }
        strings
    }

    fn rules(&mut self, key: &str, value: &toml::Value) -> Vec<&'static str> {
        let mut rules = Vec::new();
        for code in self.strings(key, value) {
            match parse_rule(self.languages, &code) {
                Ok(rule) => rules.push(rule),
                Err(message) => self.problem(key, message),
            }
        }
        rules
    }
}

fn line_of_offset(text: &str, offset: usize) -> u32 {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&byte| byte == b'\n')
        .count() as u32
}

fn line_of_key(text: &str, key: &str, first_line: u32) -> u32 {
    text.lines()
        .enumerate()
        .skip(first_line as usize)
        .find(|(_, line)| {
            let line = line.trim_start();
            line.starts_with(key) && line[key.len()..].trim_start().starts_with(['=', ']'])
        })
        .map_or(first_line, |(line, _)| line as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_language::test_languages;

    fn load(text: &str, file: &str) -> LoadedConfig {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join(file), text).expect("write config");
        load_config(dir.path(), &test_languages())
    }

    #[test]
    fn reads_every_setting() {
        let loaded = load(
            "exclude = [\"gen/**\"]\nextra-paths = [\"lib\"]\nselect = [\"X1\", \"undefined-name\"]\nignore = [\"unused-variable\"]\ndiagnostic-mode = \"workspace\"\ninterpreter = \"py\"\n",
            "ripple.toml",
        );
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        assert_eq!(loaded.config.exclude, vec!["gen/**"]);
        assert_eq!(loaded.config.language.strings("extra-paths"), ["lib"]);
        assert_eq!(loaded.config.language.string("interpreter"), Some("py"));
        assert_eq!(
            loaded.config.select,
            Some(vec!["unused-import", "undefined-name"])
        );
        assert_eq!(loaded.config.ignore, vec!["unused-variable"]);
        assert_eq!(loaded.config.diagnostic_mode, DiagnosticMode::Workspace);
    }

    #[test]
    fn bad_keys_are_reported_on_their_line_and_the_rest_still_applies() {
        let loaded = load(
            "[tool.ruff]\nselect = [\"E\"]\n\n[tool.ripple]\nexclude = [\"x\"]\nselect = [\"F999\"]\nbogus = 1\ninterpreter = 3\n",
            "pyproject.toml",
        );
        assert_eq!(loaded.config.exclude, vec!["x"]);
        let lines: Vec<u32> = loaded.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![5, 6, 7], "{:?}", loaded.problems);
        assert!(
            loaded.problems[0]
                .message
                .contains("unknown rule code `F999`")
        );
        // The unknown key's message lists the workspace's settings and the languages'.
        assert!(
            loaded.problems[1].message.contains("exclude")
                && loaded.problems[1].message.contains("extra-paths"),
            "{}",
            loaded.problems[1].message
        );
        assert!(loaded.problems[2].message.contains("must be a string"));
    }

    #[test]
    fn invalid_toml_falls_back_to_defaults() {
        let loaded = load("exclude = [\n", "ripple.toml");
        assert_eq!(loaded.config, Config::default());
        assert_eq!(loaded.problems.len(), 1);
        assert!(loaded.problems[0].message.starts_with("invalid TOML"));
    }
}

//! What a task is, as written in `[tasks.NAME]` (ripple.toml) or `[tool.ripple.tasks.NAME]`
//! (pyproject.toml), and its checks: every mistake is a problem on the line it is on, and a
//! task with one does not run (the others do).

use std::path::Path;
use std::time::Duration;

use globset::{GlobSet, GlobSetBuilder};
use ripple_core::Digest;
use ripple_workspace::{ConfigProblem, LoadedConfig};

use crate::command::pieces;
pub use crate::command::{Argument, Piece};
use crate::config_lines::Lines;
use crate::readers::OutputFormat;

/// Which files a target's result depends on, besides the task's `inputs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deps {
    /// Only the target itself.
    File,
    /// The target and what it imports, transitively (see `closure.rs` for what that covers).
    Imports,
    /// Every file the task's `files` match.
    All,
}

/// When the language server runs a task; `ripple check --tasks` runs any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// After a document is saved, for the targets the save affects.
    Save,
    /// With the server's check of the workspace (at start and after changes on disk).
    Check,
}

/// A task, checked.
#[derive(Debug, Clone)]
pub struct TaskDefinition {
    pub name: String,
    /// The argv as written (for messages); `arguments` is what runs.
    pub command: Vec<String>,
    pub arguments: Vec<Argument>,
    /// The globs of the targets, relative to the root (`/` separators), and their matcher.
    pub files: Vec<String>,
    pub files_matcher: GlobSet,
    /// Files every result depends on: globs or plain paths relative to the root.
    pub inputs: Vec<String>,
    pub inputs_matcher: GlobSet,
    pub deps: Deps,
    pub format: OutputFormat,
    /// Targets per process; `None`: the targets are spread over the job slots.
    pub batch: Option<usize>,
    /// At most this many of the task's processes at once (a tool whose processes share a
    /// cache folder unsafely, as mypy's do, needs 1); `None`: as many as the job slots.
    pub jobs: Option<usize>,
    pub on: Vec<Trigger>,
    pub timeout: Duration,
    /// Environment variables whose values are part of every key (the process sees the whole
    /// environment either way).
    pub env: Vec<String>,
    /// Exit codes that mean the tool ran (with or without findings); others are a failure.
    pub exit_codes: Vec<i32>,
    /// What tells the tool's version, when its executable's bytes do not (`python -m mypy`).
    pub version_command: Option<Vec<String>>,
    /// The zero-based line of the task's table in the config file.
    pub line: u32,
    /// The config file the task is defined in.
    pub config_path: std::path::PathBuf,
    /// The digest of the task's table as written: any change to it is a different task.
    pub digest: Digest,
}

impl TaskDefinition {
    /// Whether the command names its targets (`{files}` or `{file}`): results are then kept
    /// per target; a command that does not (`tsc -p .`) has one result for all its targets.
    pub fn takes_targets(&self) -> bool {
        self.arguments.iter().any(|argument| match argument {
            Argument::Files => true,
            Argument::Text(pieces) => pieces.contains(&Piece::File),
        })
    }

    /// Whether the command runs once per target (`{file}`).
    pub fn one_per_process(&self) -> bool {
        self.arguments.iter().any(|argument| match argument {
            Argument::Files => false,
            Argument::Text(pieces) => pieces.contains(&Piece::File),
        })
    }

    pub fn writes_report(&self) -> bool {
        self.arguments.iter().any(|argument| match argument {
            Argument::Files => false,
            Argument::Text(pieces) => pieces.contains(&Piece::Report),
        })
    }

    /// The argv for one batch of targets (paths relative to `root`).
    pub fn argv(&self, targets: &[String], root: &Path, report: Option<&Path>) -> Vec<String> {
        let mut argv = Vec::new();
        for argument in &self.arguments {
            match argument {
                Argument::Files => argv.extend(targets.iter().cloned()),
                Argument::Text(pieces) => {
                    let mut text = String::new();
                    for piece in pieces {
                        match piece {
                            Piece::Literal(literal) => text.push_str(literal),
                            Piece::File => {
                                text.push_str(targets.first().map_or("", String::as_str))
                            }
                            Piece::Root => text.push_str(&root.to_string_lossy()),
                            Piece::Report => {
                                if let Some(report) = report {
                                    text.push_str(&report.to_string_lossy());
                                }
                            }
                        }
                    }
                    argv.push(text);
                }
            }
        }
        argv
    }
}

/// The tasks of a workspace's configuration.
#[derive(Debug, Clone, Default)]
pub struct TaskTable {
    /// The tasks without problems, in name order.
    pub tasks: Vec<TaskDefinition>,
    pub problems: Vec<ConfigProblem>,
    /// The digest of the whole task table as written (what trusting a workspace records);
    /// `None` when there is none.
    pub digest: Option<Digest>,
}

impl TaskTable {
    pub fn get(&self, name: &str) -> Option<&TaskDefinition> {
        self.tasks.iter().find(|task| task.name == name)
    }
}

const TASK_KEYS: &[&str] = &[
    "command",
    "files",
    "inputs",
    "deps",
    "format",
    "pattern",
    "batch",
    "jobs",
    "on",
    "timeout",
    "env",
    "exit-codes",
    "version-command",
];

/// Reads the task table of a loaded configuration.
pub fn read_tasks(config: &LoadedConfig) -> TaskTable {
    let (Some(path), Some(text)) = (&config.source, &config.text) else {
        return TaskTable::default();
    };
    let is_pyproject = path
        .file_name()
        .is_some_and(|name| name == "pyproject.toml");
    // A file that is not TOML was reported by the workspace already.
    let Ok(document) = text.parse::<toml::Table>() else {
        return TaskTable::default();
    };
    let settings = if is_pyproject {
        document
            .get("tool")
            .and_then(|tool| tool.get("ripple"))
            .and_then(toml::Value::as_table)
    } else {
        Some(&document)
    };
    let Some(tasks) = settings.and_then(|settings| settings.get("tasks")) else {
        return TaskTable::default();
    };
    let lines = Lines::new(text, is_pyproject);
    let mut table = TaskTable {
        digest: Some(Digest::of(canonical(tasks).as_bytes())),
        ..TaskTable::default()
    };
    let mut reader = Reader {
        path,
        lines: &lines,
        problems: &mut table.problems,
    };
    let Some(tasks) = tasks.as_table() else {
        reader.problem(
            lines.tasks(),
            "`tasks` must be a table of tasks ([tasks.NAME])".into(),
        );
        return table;
    };
    for (name, value) in tasks {
        if let Some(task) = reader.task(name, value) {
            table.tasks.push(task);
        }
    }
    table.problems.sort_by_key(|problem| problem.line);
    table
}

/// A TOML value written out the same way whatever its layout in the file (keys sorted).
fn canonical(value: &toml::Value) -> String {
    match value {
        toml::Value::Table(table) => {
            let parts: Vec<String> = table
                .iter()
                .map(|(key, value)| format!("{key:?}={}", canonical(value)))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        toml::Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", parts.join(","))
        }
        other => other.to_string(),
    }
}

struct Reader<'a> {
    path: &'a Path,
    lines: &'a Lines,
    problems: &'a mut Vec<ConfigProblem>,
}

impl Reader<'_> {
    fn problem(&mut self, line: u32, message: String) {
        self.problems.push(ConfigProblem {
            path: self.path.to_path_buf(),
            line,
            message,
        });
    }

    fn task(&mut self, name: &str, value: &toml::Value) -> Option<TaskDefinition> {
        let line = self.lines.task(name);
        let before = self.problems.len();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            self.problem(
                line,
                format!("task name `{name}`: use letters, digits, `-` and `_` only; the task does not run"),
            );
            return None;
        }
        if name == "ripple" {
            self.problem(
                line,
                "a task cannot be named `ripple` (its diagnostics would pass for ripple's own); the task does not run".into(),
            );
            return None;
        }
        let Some(table) = value.as_table() else {
            self.problem(
                line,
                format!("task `{name}` must be a table ([tasks.{name}]); it does not run"),
            );
            return None;
        };
        let at = |key: &str| self.lines.key(name, key);
        for key in table.keys() {
            if !TASK_KEYS.contains(&key.as_str()) {
                self.problem(
                    at(key),
                    format!(
                        "task `{name}`: unknown key `{key}` (known: {})",
                        TASK_KEYS.join(", ")
                    ),
                );
            }
        }

        let command = match table.get("command") {
            None => {
                self.problem(
                    line,
                    format!(
                        "task `{name}` has no `command` (an argv list: [\"mypy\", \"{{files}}\"])"
                    ),
                );
                Vec::new()
            }
            Some(value) => self.strings(name, "command", value, at("command")),
        };
        if table.contains_key("command") && command.is_empty() {
            self.problem(
                at("command"),
                format!("task `{name}`: `command` must name a program"),
            );
        }
        let arguments = self.arguments(name, &command, at("command"));

        let files = match table.get("files") {
            None => {
                self.problem(
                    line,
                    format!(
                        "task `{name}` has no `files` (the globs of its targets: [\"src/**/*.py\"])"
                    ),
                );
                Vec::new()
            }
            Some(value) => self.strings(name, "files", value, at("files")),
        };
        let files_matcher = self.globs(name, "files", &files, at("files"));
        let inputs = match table.get("inputs") {
            None => Vec::new(),
            Some(value) => self.strings(name, "inputs", value, at("inputs")),
        };
        let inputs_matcher = self.globs(name, "inputs", &inputs, at("inputs"));

        let deps = match table.get("deps").map(|value| value.as_str()) {
            None => Deps::Imports,
            Some(Some("file")) => Deps::File,
            Some(Some("imports")) => Deps::Imports,
            Some(Some("all")) => Deps::All,
            Some(_) => {
                self.problem(
                    at("deps"),
                    format!("task `{name}`: `deps` must be \"file\", \"imports\" or \"all\""),
                );
                Deps::Imports
            }
        };

        let pattern = table.get("pattern");
        let format = match table.get("format").map(|value| value.as_str()) {
            None => {
                self.problem(
                    line,
                    format!(
                        "task `{name}` has no `format` (how to read its output: {})",
                        OutputFormat::NAMES.join(", ")
                    ),
                );
                None
            }
            Some(Some(format)) => {
                let pattern = pattern.and_then(toml::Value::as_str);
                match OutputFormat::parse(format, pattern) {
                    Ok(format) => Some(format),
                    Err(message) => {
                        let line = if format == "regex" && pattern.is_some() {
                            at("pattern")
                        } else {
                            at("format")
                        };
                        self.problem(line, format!("task `{name}`: {message}"));
                        None
                    }
                }
            }
            Some(None) => {
                self.problem(
                    at("format"),
                    format!("task `{name}`: `format` must be a string"),
                );
                None
            }
        };
        if pattern.is_some() && !matches!(format, Some(OutputFormat::Regex(_))) {
            self.problem(
                at("pattern"),
                format!("task `{name}`: `pattern` is for `format = \"regex\"` only"),
            );
        }
        if let Some(format) = &format
            && format.needs_report()
            && !command.iter().any(|part| part.contains("{report}"))
        {
            self.problem(
                at("command"),
                format!(
                    "task `{name}`: format `{}` reads a report file: put `{{report}}` in `command` where the tool takes the report's path",
                    format.name()
                ),
            );
        }

        let batch = match table.get("batch") {
            None => None,
            Some(toml::Value::Integer(size)) if *size >= 1 => usize::try_from(*size).ok(),
            Some(_) => {
                self.problem(
                    at("batch"),
                    format!("task `{name}`: `batch` must be a whole number of targets, 1 or more"),
                );
                None
            }
        };
        let jobs = match table.get("jobs") {
            None => None,
            Some(toml::Value::Integer(jobs)) if *jobs >= 1 => usize::try_from(*jobs).ok(),
            Some(_) => {
                self.problem(
                    at("jobs"),
                    format!("task `{name}`: `jobs` must be a whole number of processes, 1 or more"),
                );
                None
            }
        };
        let on = match table.get("on") {
            None => vec![Trigger::Save, Trigger::Check],
            Some(value) => {
                let mut on = Vec::new();
                for trigger in self.strings(name, "on", value, at("on")) {
                    match trigger.as_str() {
                        "save" => on.push(Trigger::Save),
                        "check" => on.push(Trigger::Check),
                        other => self.problem(
                            at("on"),
                            format!(
                                "task `{name}`: `on` takes \"save\" and \"check\", not \"{other}\""
                            ),
                        ),
                    }
                }
                on
            }
        };
        let timeout = match table.get("timeout") {
            None => Duration::from_secs(600),
            Some(value) => {
                match value.as_str().map(parse_timeout) {
                    Some(Ok(timeout)) => timeout,
                    Some(Err(message)) => {
                        self.problem(at("timeout"), format!("task `{name}`: {message}"));
                        Duration::from_secs(600)
                    }
                    None => {
                        self.problem(
                        at("timeout"),
                        format!("task `{name}`: `timeout` must be a string such as \"10m\" or \"90s\""),
                    );
                        Duration::from_secs(600)
                    }
                }
            }
        };
        let env = match table.get("env") {
            None => Vec::new(),
            Some(value) => self.strings(name, "env", value, at("env")),
        };
        let exit_codes = match table.get("exit-codes") {
            None => format
                .as_ref()
                .map(|format| format.usual_exit_codes().to_vec())
                .unwrap_or_default(),
            Some(toml::Value::Array(codes)) => {
                let parsed: Option<Vec<i32>> = codes
                    .iter()
                    .map(|code| code.as_integer().and_then(|code| i32::try_from(code).ok()))
                    .collect();
                match parsed {
                    Some(codes) if !codes.is_empty() => codes,
                    _ => {
                        self.problem(
                            at("exit-codes"),
                            format!("task `{name}`: `exit-codes` must be a list of whole numbers"),
                        );
                        Vec::new()
                    }
                }
            }
            Some(_) => {
                self.problem(
                    at("exit-codes"),
                    format!("task `{name}`: `exit-codes` must be a list of whole numbers"),
                );
                Vec::new()
            }
        };
        let version_command = match table.get("version-command") {
            None => None,
            Some(value) => {
                let argv = self.strings(name, "version-command", value, at("version-command"));
                if argv.is_empty() {
                    self.problem(
                        at("version-command"),
                        format!("task `{name}`: `version-command` must name a program"),
                    );
                }
                Some(argv)
            }
        };

        if self.problems.len() > before {
            self.problem(
                line,
                format!("task `{name}` does not run until its table is fixed"),
            );
            return None;
        }
        Some(TaskDefinition {
            name: name.to_string(),
            command,
            arguments,
            files,
            files_matcher,
            inputs,
            inputs_matcher,
            deps,
            format: format?,
            batch,
            jobs,
            on,
            timeout,
            env,
            exit_codes,
            version_command,
            line,
            config_path: self.path.to_path_buf(),
            digest: Digest::of(canonical(value).as_bytes()),
        })
    }

    fn strings(&mut self, task: &str, key: &str, value: &toml::Value, line: u32) -> Vec<String> {
        let Some(items) = value.as_array() else {
            self.problem(
                line,
                format!("task `{task}`: `{key}` must be a list of strings"),
            );
            return Vec::new();
        };
        let mut strings = Vec::new();
        for item in items {
            match item.as_str() {
                Some(text) => strings.push(text.to_string()),
                None => self.problem(
                    line,
                    format!("task `{task}`: `{key}` must hold strings only, not {item}"),
                ),
            }
        }
        strings
    }

    fn globs(&mut self, task: &str, key: &str, globs: &[String], line: u32) -> GlobSet {
        let mut builder = GlobSetBuilder::new();
        for glob in globs {
            let normalised = glob.strip_prefix("./").unwrap_or(glob);
            if normalised.starts_with('/') || normalised.split('/').any(|part| part == "..") {
                self.problem(
                    line,
                    format!("task `{task}`: `{key}` pattern `{glob}` must be relative to the workspace root, inside it"),
                );
                continue;
            }
            match globset::GlobBuilder::new(normalised)
                .literal_separator(true)
                .build()
            {
                Ok(glob) => {
                    builder.add(glob);
                }
                Err(error) => self.problem(
                    line,
                    format!("task `{task}`: `{key}` pattern `{glob}` is not a valid glob: {error}"),
                ),
            }
        }
        builder.build().unwrap_or_else(|_| {
            GlobSetBuilder::new()
                .build()
                .unwrap_or_else(|_| GlobSet::empty())
        })
    }

    fn arguments(&mut self, task: &str, command: &[String], line: u32) -> Vec<Argument> {
        let mut arguments = Vec::new();
        let mut has_files = false;
        let mut has_file = false;
        for (index, part) in command.iter().enumerate() {
            if part == "{files}" {
                has_files = true;
                arguments.push(Argument::Files);
                continue;
            }
            match pieces(part) {
                Ok(pieces) => {
                    if index == 0
                        && pieces
                            .iter()
                            .any(|piece| !matches!(piece, Piece::Literal(_)))
                    {
                        self.problem(
                            line,
                            format!(
                                "task `{task}`: the program (`{part}`) cannot be a placeholder"
                            ),
                        );
                    }
                    has_file |= pieces.contains(&Piece::File);
                    arguments.push(Argument::Text(pieces));
                }
                Err(message) => self.problem(line, format!("task `{task}`: {message}")),
            }
        }
        if has_file && has_files {
            self.problem(
                line,
                format!("task `{task}`: use `{{files}}` (a batch per process) or `{{file}}` (one target per process), not both"),
            );
        }
        arguments
    }
}

/// A timeout such as `90s`, `10m`, `1h`, `500ms`, or a number of seconds.
pub fn parse_timeout(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a timeout (examples: 90s, 10m, 1h)"))?;
    let seconds = match unit.trim() {
        "" | "s" => number,
        "ms" => number / 1000.0,
        "m" => number * 60.0,
        "h" => number * 3600.0,
        other => {
            return Err(format!(
                "`{text}`: unknown time unit `{other}` (use ms, s, m or h)"
            ));
        }
    };
    if !(seconds > 0.0 && seconds.is_finite()) {
        return Err(format!("`{text}`: a timeout must be more than zero"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, file: &str) -> TaskTable {
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::write(dir.path().join(file), text).expect("the config written");
        let config =
            ripple_workspace::load_config(dir.path(), &ripple_core::Languages::new(Vec::new()));
        read_tasks(&config)
    }

    #[test]
    fn a_full_task_reads_with_its_defaults() {
        let table = read(
            "[tasks.mypy]\ncommand = [\"mypy\", \"-O\", \"json\", \"{files}\"]\nfiles = [\"src/**/*.py\"]\ninputs = [\"mypy.ini\"]\nformat = \"mypy-json\"\nbatch = 200\ntimeout = \"90s\"\nenv = [\"MYPYPATH\"]\n",
            "ripple.toml",
        );
        assert!(table.problems.is_empty(), "{:?}", table.problems);
        let task = table.get("mypy").expect("the task");
        assert_eq!(task.deps, Deps::Imports);
        assert_eq!(task.batch, Some(200));
        assert_eq!(task.timeout, Duration::from_secs(90));
        assert_eq!(task.on, vec![Trigger::Save, Trigger::Check]);
        assert_eq!(task.exit_codes, vec![0, 1]);
        assert!(task.takes_targets() && !task.one_per_process());
        assert!(task.files_matcher.is_match("src/a/b.py"));
        assert!(!task.files_matcher.is_match("tests/b.py"));
        assert_eq!(
            task.argv(
                &["src/a.py".into(), "src/b.py".into()],
                Path::new("/w"),
                None
            ),
            vec!["mypy", "-O", "json", "src/a.py", "src/b.py"]
        );
    }

    #[test]
    fn placeholders_inside_arguments_and_escaped_braces() {
        let table = read(
            "[tool.ripple.tasks.pytest]\ncommand = [\"pytest\", \"--junitxml={report}\", \"--rootdir={root}\", \"-k\", \"{{x}}\", \"{file}\"]\nfiles = [\"tests/test_*.py\"]\nformat = \"junit\"\n",
            "pyproject.toml",
        );
        assert!(table.problems.is_empty(), "{:?}", table.problems);
        let task = table.get("pytest").expect("the task");
        assert!(task.one_per_process() && task.writes_report());
        assert_eq!(
            task.argv(
                &["tests/test_a.py".into()],
                Path::new("/w"),
                Some(Path::new("/tmp/r.xml"))
            ),
            vec![
                "pytest",
                "--junitxml=/tmp/r.xml",
                "--rootdir=/w",
                "-k",
                "{x}",
                "tests/test_a.py"
            ]
        );
    }

    #[test]
    fn mistakes_are_reported_on_their_lines_and_that_task_does_not_run() {
        let text = "[tasks.good]\ncommand = [\"ruff\", \"check\", \"{files}\"]\nfiles = [\"**/*.py\"]\nformat = \"ruff-json\"\n\n[tasks.bad]\ncommand = [\"x\", \"{filez}\", \"a{files}\"]\nfiles = [\"src/[*.py\"]\nformat = \"junit\"\ndeps = \"some\"\ncolour = 1\ntimeout = \"5y\"\n";
        let table = read(text, "ripple.toml");
        assert_eq!(table.tasks.len(), 1);
        assert_eq!(table.tasks[0].name, "good");
        let lines: Vec<(u32, &str)> = table
            .problems
            .iter()
            .map(|problem| (problem.line, problem.message.as_str()))
            .collect();
        let on = |line: u32, words: &str| {
            lines
                .iter()
                .any(|(at, message)| *at == line && message.contains(words))
        };
        assert!(on(6, "unknown placeholder `{filez}`"), "{lines:?}");
        assert!(on(6, "must be an argument of its own"), "{lines:?}");
        assert!(on(6, "put `{report}` in `command`"), "{lines:?}");
        assert!(on(7, "not a valid glob"), "{lines:?}");
        assert!(on(9, "`deps` must be"), "{lines:?}");
        assert!(on(10, "unknown key `colour`"), "{lines:?}");
        assert!(on(11, "unknown time unit"), "{lines:?}");
        assert!(on(5, "does not run until"), "{lines:?}");
    }

    #[test]
    fn missing_keys_are_named_and_inline_tables_have_lines() {
        let text = "exclude = []\n[tasks]\nlint = { command = [\"eslint\", \"{files}\"], format = \"eslint-json\" }\n";
        let table = read(text, "ripple.toml");
        assert!(table.tasks.is_empty());
        assert!(
            table
                .problems
                .iter()
                .any(|problem| problem.line == 2 && problem.message.contains("has no `files`")),
            "{:?}",
            table.problems
        );
    }

    #[test]
    fn the_table_digest_ignores_layout_but_not_content() {
        let a = read(
            "[tasks.t]\ncommand = [\"x\", \"{files}\"]\nfiles = [\"*.py\"]\nformat = \"ruff-json\"\n",
            "ripple.toml",
        );
        let b = read(
            "[tasks]\nt = { format = \"ruff-json\", files = [\"*.py\"], command = [\"x\", \"{files}\"] }\n",
            "ripple.toml",
        );
        let c = read(
            "[tasks.t]\ncommand = [\"y\", \"{files}\"]\nfiles = [\"*.py\"]\nformat = \"ruff-json\"\n",
            "ripple.toml",
        );
        assert_eq!(a.digest, b.digest);
        assert_ne!(a.digest, c.digest);
        assert_eq!(a.tasks[0].digest, b.tasks[0].digest);
    }

    #[test]
    fn timeouts_parse() {
        assert_eq!(parse_timeout("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_timeout("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_timeout("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_timeout("30"), Ok(Duration::from_secs(30)));
        assert!(parse_timeout("0s").is_err());
        assert!(parse_timeout("soon").is_err());
    }
}

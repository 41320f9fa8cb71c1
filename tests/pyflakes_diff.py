#!/usr/bin/env python3
"""Differential test: ripple's pyflakes-class rules against pyflakes itself.

Runs the real pyflakes (pinned, installed into tests/.venv) and `ripple check
--format json` over a corpus of Python files, and compares the sets of
(path, line, rule code) for the rules both tools share.  Every difference
must be listed, with a reason, in tests/pyflakes_known_differences.txt; a
listed difference that no longer occurs is a failure too, so that the list
stays true.

    python3 tests/pyflakes_diff.py                  # the whole comparison
    python3 tests/pyflakes_diff.py --pyflakes-only  # only pyflakes' findings
    RIPPLE_BIN=target/release/ripple python3 tests/pyflakes_diff.py

The closing line is `N passed, M failed`, counted in files: a file passes when
all its differences are known ones.  Exit 0 when nothing failed, 1 otherwise,
2 when the tools themselves could not be run.

Standard library only; Python 3.11 or newer.  See docs/pyflakes-differences.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import venv
from collections import defaultdict
from pathlib import Path

PYFLAKES_VERSION = "4.1.0"

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
VENV_DIR = TESTS_DIR / ".venv"
DEFAULT_CORPUS = TESTS_DIR / "corpus" / "pyflakes"
DEFAULT_KNOWN = TESTS_DIR / "pyflakes_known_differences.txt"
DEFAULT_RIPPLE = REPO_ROOT / "target" / "debug" / "ripple"

# pyflakes message class -> ripple rule code.
#
# Every other pyflakes message is ignored: it is not a rule ripple shares.
# Those are, in pyflakes 4.1.0:
#   AssertTuple, BreakOutsideLoop, ContinueOutsideLoop, DefaultExceptNotLast,
#   DoctestSyntaxError, DuplicateArgument, EagerUseOfLazyImport,
#   FStringMissingPlaceholders, ForwardAnnotationSyntaxError,
#   FutureFeatureNotDefined, IfTuple, ImportShadowedByLoopVar,
#   ImportStarNotPermitted, InvalidPrintSyntax, IsLiteral, LateFutureImport,
#   LazyImportNotAtModuleScope, LazyImportStarNotPermitted,
#   MultiValueRepeatedKeyLiteral, MultiValueRepeatedKeyVariable,
#   PercentFormat* (9 classes), RaiseNotImplemented, ReturnOutsideFunction,
#   StringDotFormat* (5 classes), TStringMissingPlaceholders,
#   TooManyExpressionsInStarredAssignment, TwoStarredExpressions,
#   UnusedAnnotation, UnusedIndirectAssignment, YieldOutsideFunction.
CLASS_TO_CODE = {
    "UndefinedName": "undefined-name",
    "UndefinedLocal": "undefined-local",
    "UndefinedExport": "undefined-export",
    "UnusedImport": "unused-import",
    "RedefinedWhileUnused": "redefined-while-unused",
    "UnusedVariable": "unused-variable",
    "ImportStarUsed": "import-star",
    "ImportStarUsage": "import-star",
    "SyntaxError": "syntax-error",  # reported through Reporter.syntaxError
}
SHARED_CODES = frozenset(CLASS_TO_CODE.values())

# ruff/flake8 codes of the pyflakes messages, for `# noqa: F401` comments.
CLASS_TO_FCODE = {
    "UndefinedName": "F821",
    "UndefinedLocal": "F823",
    "UndefinedExport": "F822",
    "UnusedImport": "F401",
    "RedefinedWhileUnused": "F811",
    "UnusedVariable": "F841",
    "ImportStarUsed": "F403",
    "ImportStarUsage": "F405",
}

# pyflakes itself does not read `# noqa`; flake8 (and ruff) do, and ripple is
# meant to as well, so pyflakes' findings are filtered the way flake8 filters
# them: a bare `# noqa` silences everything on its line, `# noqa: F401,F811`
# silences the listed codes (a listed prefix such as `F4` silences F401 too).
# Ripple's own codes are accepted in the list as well.  A syntax error is never
# silenced.  This is flake8's pattern, widened to accept ripple's codes.
NOQA_RE = re.compile(
    r"# noqa(?::[\s]?(?P<codes>([A-Z][0-9]+|[a-z]+(?:-[a-z]+)+)(?:[,\s]+([A-Z][0-9]+|[a-z]+(?:-[a-z]+)+))*))?",
    re.IGNORECASE,
)

# Runs inside the venv: checks each file with pyflakes' API and prints one
# JSON object a line: {"path", "line", "col", "class", "message"}.
HELPER = r"""
import json, os, sys
os.environ.pop("PYFLAKES_BUILTINS", None)
os.environ.pop("PYFLAKES_DOCTEST", None)
import pyflakes
from pyflakes import api

class JsonReporter:
    def __init__(self, path):
        self.path = path
    def _emit(self, line, col, cls, message):
        print(json.dumps({"path": self.path, "line": line, "col": col,
                          "class": cls, "message": message}))
    def unexpectedError(self, filename, msg):
        self._emit(0, 0, "UnexpectedError", str(msg))
    def syntaxError(self, filename, msg, lineno, offset, text):
        self._emit(lineno or 1, offset or 0, "SyntaxError", str(msg))
    def flake(self, m):
        self._emit(m.lineno, m.col, type(m).__name__,
                   m.message % m.message_args)

root = sys.argv[1]
print(json.dumps({"version": pyflakes.__version__}))
for rel in sys.argv[2:]:
    api.checkPath(os.path.join(root, rel), JsonReporter(rel))
"""


class ToolError(Exception):
    """A tool could not be installed or run."""


# --------------------------------------------------------------------------
# pyflakes


def venv_python() -> Path:
    if os.name == "nt":
        return VENV_DIR / "Scripts" / "python.exe"
    return VENV_DIR / "bin" / "python"


def installed_pyflakes_version(python: Path) -> str | None:
    if not python.exists():
        return None
    proc = subprocess.run(
        [str(python), "-c", "import pyflakes; print(pyflakes.__version__)"],
        capture_output=True,
        text=True,
    )
    return proc.stdout.strip() if proc.returncode == 0 else None


def ensure_pyflakes() -> Path:
    """Create tests/.venv if needed and install the pinned pyflakes into it."""
    if sys.version_info[:2] != (3, 11):
        # pyflakes takes its builtins from the running interpreter, and from
        # 3.14 on it treats every annotation as postponed: its findings on the
        # corpus differ by Python version.  The corpus was written for 3.11.
        print(f"warning: pyflakes runs on Python {sys.version_info[0]}.{sys.version_info[1]}; "
              f"the corpus and its known differences are meant for 3.11", file=sys.stderr)
    python = venv_python()
    if installed_pyflakes_version(python) == PYFLAKES_VERSION:
        return python
    if not python.exists():
        print(f"creating {VENV_DIR.relative_to(REPO_ROOT)}", file=sys.stderr)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV_DIR)
    print(f"installing pyflakes=={PYFLAKES_VERSION}", file=sys.stderr)
    proc = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         f"pyflakes=={PYFLAKES_VERSION}"],
    )
    if proc.returncode != 0 or installed_pyflakes_version(python) != PYFLAKES_VERSION:
        raise ToolError(
            f"could not install pyflakes=={PYFLAKES_VERSION} into {VENV_DIR}; "
            f"delete that folder and run again"
        )
    return python


def corpus_files(corpus: Path) -> list[str]:
    """The corpus' .py files, as /-separated paths relative to the corpus."""
    files = []
    for path in sorted(corpus.rglob("*.py")):
        rel = path.relative_to(corpus)
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
            continue
        files.append(rel.as_posix())
    return files


def noqa_silences(source_line: str, cls: str, code: str) -> bool:
    if cls == "SyntaxError":
        return False
    match = NOQA_RE.search(source_line)
    if match is None:
        return False
    codes = match.group("codes")
    if codes is None:
        return True
    listed = [c.strip().upper() for c in re.split(r"[,\s]+", codes) if c.strip()]
    fcode = CLASS_TO_FCODE.get(cls, "")
    return any(fcode.startswith(c) or c == code.upper() for c in listed)


def run_pyflakes(corpus: Path, files: list[str]) -> tuple[str, list[dict]]:
    """pyflakes' findings for the shared codes, `# noqa` applied."""
    python = ensure_pyflakes()
    proc = subprocess.run(
        [str(python), "-c", HELPER, str(corpus), *files],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise ToolError(f"pyflakes helper failed:\n{proc.stderr}")
    lines = proc.stdout.splitlines()
    version = json.loads(lines[0])["version"]
    findings = []
    sources: dict[str, list[str]] = {}
    for raw in lines[1:]:
        item = json.loads(raw)
        if item["class"] == "UnexpectedError":
            raise ToolError(f"pyflakes could not read {item['path']}: {item['message']}")
        code = CLASS_TO_CODE.get(item["class"])
        if code is None:
            continue
        if item["path"] not in sources:
            text = (corpus / item["path"]).read_text(encoding="utf-8", errors="replace")
            sources[item["path"]] = text.splitlines()
        src = sources[item["path"]]
        line_text = src[item["line"] - 1] if 0 < item["line"] <= len(src) else ""
        if noqa_silences(line_text, item["class"], code):
            continue
        item["code"] = code
        findings.append(item)
    return version, findings


# --------------------------------------------------------------------------
# ripple


def run_ripple(ripple: Path, corpus: Path) -> list[dict]:
    if not ripple.exists():
        raise ToolError(
            f"no ripple binary at {ripple}; build it with `cargo build`, "
            f"or point RIPPLE_BIN or --ripple at one"
        )
    if not (corpus / "ripple.toml").exists():
        raise ToolError(
            f"{corpus} has no ripple.toml: without it the workspace root, and so "
            f"the paths ripple prints, would be some ancestor of the corpus"
        )
    proc = subprocess.run(
        [str(ripple), "check", "--format", "json", str(corpus)],
        capture_output=True,
        text=True,
    )
    if proc.returncode not in (0, 1):
        raise ToolError(
            f"`{ripple} check --format json {corpus}` exited {proc.returncode}:\n"
            f"{proc.stderr.strip()}"
        )
    try:
        report = json.loads(proc.stdout)
        return list(report["diagnostics"])
    except (ValueError, KeyError, TypeError) as err:
        raise ToolError(f"ripple's JSON output could not be read ({err}):\n{proc.stdout[:2000]}")


# --------------------------------------------------------------------------
# known differences


def read_known(path: Path) -> dict[tuple[str, int, str, str], int]:
    """{(path, line, code, side): line number in the list}."""
    known: dict[tuple[str, int, str, str], int] = {}
    if not path.exists():
        return known
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        entry = raw.split("#", 1)[0].strip()
        if not entry:
            continue
        parts = entry.rsplit(":", 3)
        problem = None
        if len(parts) != 4:
            problem = "expected path:line:code:side"
        elif not parts[1].isdigit():
            problem = f"line {parts[1]!r} is not a number"
        elif parts[2] not in SHARED_CODES:
            problem = f"{parts[2]!r} is not a shared rule code ({', '.join(sorted(SHARED_CODES))})"
        elif parts[3] not in ("pyflakes", "ripple"):
            problem = f"side {parts[3]!r} is neither pyflakes nor ripple"
        if problem:
            raise ToolError(f"{path}:{number}: {problem}: {raw.strip()}")
        known[(parts[0], int(parts[1]), parts[2], parts[3])] = number
    return known


# --------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="folder of .py files to compare on (default: %(default)s)")
    parser.add_argument("--ripple", type=Path,
                        default=Path(os.environ.get("RIPPLE_BIN", DEFAULT_RIPPLE)),
                        help="ripple binary (default: $RIPPLE_BIN, else target/debug/ripple)")
    parser.add_argument("--known", type=Path, default=DEFAULT_KNOWN,
                        help="list of known differences (default: %(default)s)")
    parser.add_argument("--pyflakes-only", action="store_true",
                        help="only print pyflakes' findings as `path:line code`, per file")
    args = parser.parse_args()

    corpus = args.corpus.resolve()
    if not corpus.is_dir():
        print(f"error: corpus {args.corpus} is not a folder", file=sys.stderr)
        return 2
    files = corpus_files(corpus)
    if not files:
        print(f"error: corpus {args.corpus} holds no .py files", file=sys.stderr)
        return 2

    try:
        version, findings = run_pyflakes(corpus, files)
        if args.pyflakes_only:
            print(f"pyflakes {version} on {len(files)} files in {args.corpus}")
            # The comparison is on (path, line, code), so count those.
            unique = sorted({(f["path"], f["line"], f["code"]) for f in findings})
            per_code: dict[str, int] = defaultdict(int)
            for path, line, code in unique:
                print(f"{path}:{line} {code}")
                per_code[code] += 1
            for code in sorted(SHARED_CODES):
                print(f"  {code}: {per_code.get(code, 0)}")
            print(f"  total: {len(unique)} (path, line, code) findings "
                  f"from {len(findings)} pyflakes messages")
            return 0
        known = read_known(args.known)
        diagnostics = run_ripple(args.ripple.resolve(), corpus)
    except ToolError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2

    file_set = set(files)
    pyflakes_set = {(f["path"], f["line"], f["code"]) for f in findings}
    ripple_set = set()
    for diag in diagnostics:
        if diag.get("code") in SHARED_CODES and diag.get("path") in file_set:
            ripple_set.add((diag["path"], diag["range"]["start"]["line"] + 1, diag["code"]))

    failed_files: set[str] = set()
    unexplained = []
    explained = 0
    seen_known = set()
    for side, only in (("pyflakes", pyflakes_set - ripple_set),
                       ("ripple", ripple_set - pyflakes_set)):
        for path, line, code in sorted(only):
            key = (path, line, code, side)
            if key in known:
                seen_known.add(key)
                explained += 1
            else:
                unexplained.append(f"only-{side} {path}:{line} {code}")
                failed_files.add(path)

    stale = []
    for key, number in sorted(known.items(), key=lambda kv: kv[1]):
        if key not in seen_known:
            path, line, code, side = key
            stale.append(f"stale-known {path}:{line}:{code}:{side} "
                         f"({args.known.name} line {number} no longer occurs)")
            failed_files.add(path)

    for entry in unexplained + stale:
        print(entry)
    print(f"pyflakes {version}: {len(pyflakes_set)} findings, ripple: {len(ripple_set)}, "
          f"{explained} known differences, {len(unexplained)} unexplained, "
          f"{len(stale)} stale known entries")
    passed = len(file_set - failed_files)
    print(f"{passed} passed, {len(failed_files)} failed")
    return 1 if failed_files else 0


if __name__ == "__main__":
    sys.exit(main())
